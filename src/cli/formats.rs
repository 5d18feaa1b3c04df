//! `listdiff formats`
//!
//! The formats listdiff reads, with the list ids they produce, their entry key and the fields
//! that become reason fields.

use comfy_table::{ContentArrangement, Table};

use super::{CliError, Context, Outcome, print};
use crate::formats::Format;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {}

pub(crate) fn run(_context: &Context, _args: Args) -> Result<Outcome, CliError> {
    let mut table = Table::new();
    table
        .load_style(comfy_table::presets::UTF8_HORIZONTAL_ONLY)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(vec!["Format", "What", "List ids", "Key", "Reason fields"]);
    for format in Format::ALL {
        table.add_row(vec![
            format.name(),
            format.description(),
            format.list_ids(),
            format.key(),
            format.reason_fields(),
        ]);
    }
    print(|out| writeln!(out, "{table}"))?;
    Ok(Outcome::Done)
}
