//! `listdiff lists [--as-of DATE]`
//!
//! The lists in the store, one line each: entries in force, first and latest publication date,
//! how many publications, when the latest was recorded, and the formats read. Read from the
//! indexes: the cost grows with the lists and their publications, not their entries.

use chrono::NaiveDate;

use super::{
    CliError, Context, KnownAtOption, MaxAgeOption, Outcome, QueryOptions, parse_date, print,
};
use crate::model::Basis;
use crate::store::Access;
use crate::{query, render};

#[derive(clap::Args, Debug)]
#[command(after_help = "Example: listdiff lists --as-of 2024-12-31 -o json")]
pub(crate) struct Args {
    /// Count the entries in force and the publications at the end of DATE (YYYY-MM-DD)
    /// [default: after each list's latest publication]
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    as_of: Option<NaiveDate>,
    #[command(flatten)]
    query: QueryOptions,
    #[command(flatten)]
    known: KnownAtOption,
    #[command(flatten)]
    max_age: MaxAgeOption,
}

pub(crate) fn run(context: &Context, args: Args) -> Result<Outcome, CliError> {
    let store = context.open_store(Access::Read)?;
    let past = args.known.past(&store, args.query.list.as_ref())?;
    let view = past.as_ref().map_or_else(|| store.view(), |p| p.view());
    let today = args.known.today(context)?;
    let report = query::lists(&view, args.as_of, &args.query.filter(), today)?;
    drop(view);
    drop(past);
    // Let go of the store before printing: another process waiting for it goes on meanwhile.
    store.close()?;
    print(|out| render::lists(out, &report, args.query.output, context.style))?;
    // Each list's latest publication (by --as-of), aged to --as-of or today.
    let basis = Basis {
        asked: report.asked,
        lists: report.lists.iter().map(|l| l.basis.clone()).collect(),
    };
    Ok(Outcome::Done.unless_stale(args.max_age.stale(&basis)))
}
