//! `listdiff as-of DATE`
//!
//! Every entry in force at the end of DATE.

use chrono::NaiveDate;

use super::{CliError, Context, Outcome, QueryOptions, parse_date, print};
use crate::store::Access;
use crate::{query, render};

#[derive(clap::Args, Debug)]
#[command(after_help = "Example: listdiff as-of 2024-12-31 --list us-bis-entity-list -o csv")]
pub(crate) struct Args {
    /// The date (YYYY-MM-DD)
    #[arg(value_parser = parse_date)]
    date: NaiveDate,
    #[command(flatten)]
    query: QueryOptions,
}

pub(crate) fn run(context: &Context, args: Args) -> Result<Outcome, CliError> {
    let store = context.open_store(Access::Read)?;
    let report = query::as_of(&store.view(), args.date, &args.query.filter())?;
    print(|out| render::as_of(out, &report, args.query.output, context.style))?;
    Ok(Outcome::Done)
}
