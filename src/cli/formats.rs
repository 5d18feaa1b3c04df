//! `listdiff formats`
//!
//! The formats listdiff reads, with the list ids they produce, their entry key and the fields
//! that become reason fields.

use super::{CliError, Context, Outcome, print};
use crate::formats::Format;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {}

pub(crate) fn run(_context: &Context, _args: Args) -> Result<Outcome, CliError> {
    print(|out| {
        for (i, format) in Format::ALL.into_iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            writeln!(out, "{}: {}", format.name(), format.description())?;
            writeln!(out, "  list ids    {}", format.list_ids())?;
            writeln!(out, "  key         {}", format.key())?;
            writeln!(out, "  reasons     {}", format.reason_fields())?;
        }
        Ok(())
    })?;
    Ok(Outcome::Done)
}
