//! `listdiff diff FROM TO`
//!
//! The net difference between the state at the end of FROM and the state at the end of TO
//! (FROM after TO is refused). `--program`, `--country`, `--type` and `--reason-changes` keep
//! the changes that pass them; `--counts` gives the counts only.

use chrono::NaiveDate;

use super::{
    CliError, Context, FilterOptions, KnownAtOption, MaxAgeOption, Outcome, QueryOptions,
    note_grounds, parse_date, print,
};
use crate::store::Access;
use crate::{query, render};

#[derive(clap::Args, Debug)]
#[command(after_help = "Example: listdiff diff 2024-11-30 2024-12-31 -o json")]
pub(crate) struct Args {
    /// The earlier date (YYYY-MM-DD, today or yesterday)
    #[arg(value_parser = parse_date)]
    from: NaiveDate,
    /// The later date (YYYY-MM-DD, today or yesterday; not before FROM)
    #[arg(value_parser = parse_date)]
    to: NaiveDate,
    /// Exit with 1 when anything changed (that passes the filters; a list's baseline in the
    /// window counts)
    #[arg(long)]
    exit_code: bool,
    #[command(flatten)]
    query: QueryOptions,
    #[command(flatten)]
    filters: FilterOptions,
    #[command(flatten)]
    known: KnownAtOption,
    #[command(flatten)]
    max_age: MaxAgeOption,
}

pub(crate) fn run(context: &Context, args: Args) -> Result<Outcome, CliError> {
    let store = context.open_store(Access::Read)?;
    let past = args.known.past(&store, args.query.list.as_ref())?;
    let view = past.as_ref().map_or_else(|| store.view(), |p| p.view());
    let entries = args.filters.entries();
    let report = query::diff(&view, args.from, args.to, &args.query.filter(), &entries)?;
    drop(view);
    drop(past);
    // Let go of the store before printing: another process waiting for it goes on meanwhile.
    store.close()?;
    let format = args.query.output;
    if args.filters.counts {
        let counts = query::diff_counts(&report);
        print(|out| render::counts(out, &counts, format, context.style))?;
    } else {
        print(|out| render::diff(out, &report, format, context.style))?;
    }
    let basis = report.basis.clone().unwrap_or_default();
    note_grounds(format, &basis, &entries);
    let any_change = !report.changes.is_empty() || !report.baselines.is_empty();
    Ok(Outcome::of_changes(args.exit_code, any_change).unless_stale(args.max_age.stale(&basis)))
}
