//! `listdiff history QUERY`
//!
//! Every version of the entries whose id is QUERY or any of whose names (a primary name or an
//! alias, of any version) QUERY matches, ignoring case, accents, punctuation and word order,
//! with the publication that made each version; when none matches, the five closest names.
//! `--program`, `--country`, `--type` and `--reason-changes` keep the versions that pass them;
//! `--counts` gives the counts only.

use super::{
    CliError, Context, FilterOptions, KnownAtOption, MaxAgeOption, Outcome, QueryOptions, human,
    note_grounds, print,
};
use crate::render::OutputFormat;
use crate::store::Access;
use crate::{query, render};

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  listdiff history uniview
  listdiff history \"Mugabe Robert\" --program ZIMBABWE")]
pub(crate) struct Args {
    /// An entry id, or words of a name or alias (in any order)
    query: String,
    #[command(flatten)]
    options: QueryOptions,
    #[command(flatten)]
    filters: FilterOptions,
    #[command(flatten)]
    known: KnownAtOption,
    #[command(flatten)]
    max_age: MaxAgeOption,
}

pub(crate) fn run(context: &Context, args: Args) -> Result<Outcome, CliError> {
    let store = context.open_store(Access::Read)?;
    let past = args.known.past(&store, args.options.list.as_ref())?;
    let view = past.as_ref().map_or_else(|| store.view(), |p| p.view());
    let today = args.known.today(context)?;
    let entries = args.filters.entries();
    let report = query::history(&view, &args.query, &args.options.filter(), &entries, today)?;
    drop(view);
    drop(past);
    // Let go of the store before printing: another process waiting for it goes on meanwhile.
    store.close()?;
    let format = args.options.output;
    if args.filters.counts {
        let counts = query::history_counts(&report);
        print(|out| render::counts(out, &counts, format, context.style))?;
    } else {
        print(|out| render::history(out, &report, format, context.style))?;
    }
    if format == OutputFormat::Csv && report.entries.is_empty() && report.excluded == 0 {
        // CSV rows are versions: what matched nothing is said beside them.
        human::note_on_answer(&format!(
            "no entry's id or name matches \"{}\"{}",
            crate::model::text::quote_bounded(&report.query),
            if report.closest.is_empty() {
                ""
            } else {
                "; the closest names:"
            }
        ));
        for close in &report.closest {
            let entry = if close.entry_name == close.name {
                String::new()
            } else {
                format!(" (entry: {})", close.entry_name)
            };
            human::note_on_answer(&format!(
                "closest: {} {} {}{entry}",
                close.list, close.id, close.name
            ));
        }
    }
    if format == OutputFormat::Csv && report.entries.is_empty() && report.excluded > 0 {
        human::note_on_answer(&format!(
            "{} \"{}\", but none of its versions passes the filters ({})",
            match report.excluded {
                1 => "1 entry matches".to_string(),
                n => format!("{n} entries match"),
            },
            crate::model::text::quote_bounded(&report.query),
            entries
        ));
    }
    note_grounds(format, &report.basis, &entries);
    Ok(Outcome::Done.unless_stale(args.max_age.stale(&report.basis)))
}
