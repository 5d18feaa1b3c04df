//! `listdiff since DATE [--until DATE]`
//!
//! What changed from the end of the day before DATE to the end of --until (default: the latest
//! publication), grouped by the publication that made each change, with the net result.
//! Reason text changes are shown word by word. `--program`, `--country`, `--type` and
//! `--reason-changes` keep the changes that pass them; `--counts` gives the counts only.

use chrono::NaiveDate;

use super::{
    CliError, Context, FilterOptions, KnownAtOption, MaxAgeOption, Outcome, QueryOptions,
    note_grounds, parse_date, print,
};
use crate::store::Access;
use crate::{query, render};

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  listdiff since 2024-12-01 --list us-bis-entity-list
  listdiff since yesterday --program ZIMBABWE --counts")]
pub(crate) struct Args {
    /// The first publication date to include (YYYY-MM-DD, today or yesterday)
    #[arg(value_parser = parse_date)]
    since: NaiveDate,
    /// The last publication date to include [default: the latest publication]
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    until: Option<NaiveDate>,
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
    let today = args.known.today(context)?;
    let entries = args.filters.entries();
    let report = query::since(
        &view,
        args.since,
        args.until,
        &args.query.filter(),
        &entries,
        today,
    )?;
    drop(view);
    drop(past);
    // Let go of the store before printing: another process waiting for it goes on meanwhile.
    store.close()?;
    let format = args.query.output;
    if args.filters.counts {
        let counts = query::since_counts(&report);
        print(|out| render::counts(out, &counts, format, context.style))?;
    } else {
        print(|out| render::since(out, &report, format, context.style))?;
    }
    let basis = report.net.basis.clone().unwrap_or_default();
    note_grounds(format, &basis, &entries);
    let any_change = !report.net.changes.is_empty() || !report.baselines().is_empty();
    Ok(Outcome::of_changes(args.exit_code, any_change).unless_stale(args.max_age.stale(&basis)))
}
