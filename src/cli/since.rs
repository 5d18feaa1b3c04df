//! `listdiff since DATE [--until DATE]`
//!
//! What changed from the end of the day before DATE to the end of --until (default: the latest
//! publication), grouped by the publication that made each change, with the net result.
//! Reason text changes are shown word by word.

use chrono::NaiveDate;

use super::{
    CliError, Context, KnownAtOption, MaxAgeOption, Outcome, QueryOptions, note_basis, parse_date,
    print,
};
use crate::store::Access;
use crate::{query, render};

#[derive(clap::Args, Debug)]
#[command(after_help = "Example: listdiff since 2024-12-01 --list us-bis-entity-list")]
pub(crate) struct Args {
    /// The first publication date to include (YYYY-MM-DD)
    #[arg(value_parser = parse_date)]
    since: NaiveDate,
    /// The last publication date to include [default: the latest publication]
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    until: Option<NaiveDate>,
    /// Exit with 1 when anything changed (a list's baseline in the window counts)
    #[arg(long)]
    exit_code: bool,
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
    let report = query::since(&view, args.since, args.until, &args.query.filter(), today)?;
    drop(view);
    drop(past);
    // Let go of the store before printing: another process waiting for it goes on meanwhile.
    store.close()?;
    print(|out| render::since(out, &report, args.query.output, context.style))?;
    let basis = report.net.basis.clone().unwrap_or_default();
    note_basis(args.query.output, &basis);
    let any_change = !report.net.changes.is_empty() || !report.baselines().is_empty();
    Ok(Outcome::of_changes(args.exit_code, any_change).unless_stale(args.max_age.stale(&basis)))
}
