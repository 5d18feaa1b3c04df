//! `listdiff as-of DATE`
//!
//! Every entry in force at the end of DATE. `--program`, `--country` and `--type` keep the
//! entries that pass them; `--counts` gives the counts only.

use chrono::NaiveDate;

use super::{
    CliError, Context, FilterOptions, KnownAtOption, MaxAgeOption, Outcome, QueryOptions,
    note_grounds, parse_date, print, unless_reader_left,
};
use std::io::Write as _;

use crate::render::RawEntries;
use crate::store::Access;
use crate::{query, render};

#[derive(clap::Args, Debug)]
#[command(after_help = "Example: listdiff as-of 2024-12-31 --list us-bis-entity-list -o csv")]
pub(crate) struct Args {
    /// The date (YYYY-MM-DD, today or yesterday)
    #[arg(value_parser = parse_date)]
    date: NaiveDate,
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
    let filter = args.query.filter();
    let entries = args.filters.entries();
    let format = args.query.output;
    let basis = query::as_of_basis(&view, args.date, &filter)?;
    if args.filters.counts {
        let counts = query::as_of_counts(&view, args.date, &filter, &entries)?;
        print(|out| render::counts(out, &counts, format, context.style))?;
    } else {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
        // JSON and NDJSON stream the stored entries as they are; tables and CSV need them parsed.
        if let Some(mut raw) = RawEntries::begin(&mut out, format, args.date, &basis, &entries)? {
            let streamed = query::each_as_of(
                &view,
                args.date,
                &filter,
                &entries,
                |list, json| -> Result<(), CliError> {
                    raw.entry(&mut out, list, json)?;
                    Ok(())
                },
            )
            .and_then(|()| Ok(raw.finish(&mut out)?))
            .and_then(|()| Ok(out.flush()?));
            unless_reader_left(streamed)?;
        } else {
            drop(out);
            let report = query::as_of(&view, args.date, &filter, &entries)?;
            print(|out| render::as_of(out, &report, format, context.style))?;
        }
    }
    drop(view);
    drop(past);
    store.close()?;
    note_grounds(format, &basis, &entries);
    Ok(Outcome::Done.unless_stale(args.max_age.stale(&basis)))
}
