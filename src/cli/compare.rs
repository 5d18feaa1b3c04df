//! `listdiff compare OLD NEW`
//!
//! The difference between two publication files, without a store: the same answer `diff`
//! gives once both are recorded. OLD must state whole lists; NEW may be a snapshot or an
//! amendment of OLD. Of two plain CSVs, a column added or removed is reported once as a column
//! change, and its values are left out of the rows' changes.

use chrono::NaiveDate;

use super::inputs::ReadArgs;
use super::{CliError, Context, Outcome, QueryOptions, human, print};
use crate::formats::{self, Parsed};
use crate::ingest::{self, Candidate};
use crate::model::{Column, ColumnChange, ListId, Publication};
use crate::{query, render};

#[derive(clap::Args, Debug)]
#[command(after_help = "Example: listdiff compare 2024-02-28/sdn.csv 2024-03-04/sdn.csv")]
pub(crate) struct Args {
    /// The earlier publication file (or - for standard input)
    old: String,
    /// The later publication file (or - for standard input)
    new: String,
    #[command(flatten)]
    read: ReadArgs,
    /// Exit with 1 when anything changed
    #[arg(long)]
    exit_code: bool,
    #[command(flatten)]
    query: QueryOptions,
}

/// The candidate for OLD or NEW: a file, or - for standard input; not a directory.
fn candidate(path: &str) -> Result<Candidate, CliError> {
    if path != "-" && std::path::Path::new(path).is_dir() {
        return Err(CliError::Input(format!(
            "{path} is a directory: compare takes two publication files"
        )));
    }
    Ok(Candidate::from_argument(path, 0))
}

/// The columns of each publication of a parsed file that states them (the plain CSV), by list.
fn columns(parsed: &Parsed) -> Vec<(ListId, Vec<Column>)> {
    parsed
        .publications
        .iter()
        .filter_map(|p| Some((p.list.clone(), p.columns.clone()?)))
        .collect()
}

/// The column change between OLD's and NEW's columns of the one list both state them for, if
/// any.
fn column_change(
    old: &[(ListId, Vec<Column>)],
    new: &[(ListId, Vec<Column>)],
) -> Option<ColumnChange> {
    old.iter().find_map(|(list, before)| {
        let (_, after) = new.iter().find(|(l, _)| l == list)?;
        Some(ColumnChange::between(list, before, after))
    })
}

/// The publications of a parsed file with their dates (the file's own, else its path's), and
/// the latest of those dates.
fn dated(parsed: Parsed, display: &str) -> (Vec<Publication>, Option<NaiveDate>) {
    let mut date = None;
    let publications = parsed
        .publications
        .into_iter()
        .map(|p| {
            let published = ingest::resolve_date(None, p.stated_date, display);
            date = date.max(published);
            Publication {
                list: p.list,
                published: published.unwrap_or_default().into(),
                source: p.source.unwrap_or_else(|| display.to_string()),
                content: p.content,
            }
        })
        .collect();
    (publications, date.or_else(|| ingest::date_in_path(display)))
}

/// Refuses to compare files that hold no list in common (an Entity List snapshot and a UN file):
/// every entry would show as removed and added, a comparison that means nothing. `--list` picks
/// the list to compare instead. (A side with no publication, such as a file whose records all
/// equal the other's, has nothing to tell apart.)
fn refuse_different_lists(
    old: &[Publication],
    new: &[Publication],
    (old_name, new_name): (&str, &str),
) -> Result<(), CliError> {
    let lists = |publications: &[Publication]| -> std::collections::BTreeSet<String> {
        publications.iter().map(|p| p.list.to_string()).collect()
    };
    let (old_lists, new_lists) = (lists(old), lists(new));
    if old_lists.is_empty() || new_lists.is_empty() || !old_lists.is_disjoint(&new_lists) {
        return Ok(());
    }
    let names = |lists: &std::collections::BTreeSet<String>| {
        lists.iter().cloned().collect::<Vec<_>>().join(", ")
    };
    Err(CliError::Input(format!(
        "{old_name} holds {} and {new_name} holds {}: they are different lists, so every entry would show as removed and added. Compare two publications of one list, or give --list to compare one list",
        names(&old_lists),
        names(&new_lists)
    )))
}

pub(crate) fn run(context: &Context, args: Args) -> Result<Outcome, CliError> {
    let options = args.read.input_options(args.query.list.clone());
    if args.old == "-" && args.new == "-" {
        return Err(CliError::Input(
            "only one of OLD and NEW can be standard input (-)".into(),
        ));
    }
    let (old_candidate, new_candidate) = (candidate(&args.old)?, candidate(&args.new)?);
    let (old_format, old_input) = ingest::open(&old_candidate, &options)?;
    let (new_format, new_input) = ingest::open(&new_candidate, &options)?;
    // Same format: skip the records that are byte for byte the same, when the format allows.
    let (old_parsed, new_parsed) = match (old_format == new_format)
        .then(|| formats::parse_differing(old_format, &old_input, &new_input))
        .flatten()
    {
        Some(pair) => pair,
        None => (old_format.parse(&old_input)?, new_format.parse(&new_input)?),
    };
    // What the readers noted (a Windows-1252 fallback, merged rows, …) is said, as ingest says it.
    for warning in old_parsed.warnings.iter().chain(&new_parsed.warnings) {
        human::warning(warning);
    }
    let columns = column_change(&columns(&old_parsed), &columns(&new_parsed));
    let (old, old_date) = dated(old_parsed, &old_candidate.display);
    let (mut new, new_date) = dated(new_parsed, &new_candidate.display);
    if args.query.list.is_none() {
        refuse_different_lists(&old, &new, (&old_candidate.display, &new_candidate.display))?;
    }
    // In lists keyed by name, renamed entries of NEW get the ids they had in OLD, as ingest
    // gives them.
    ingest::carry_renames_between(&old, &mut new);
    // A list whose key scheme changed: OLD's entries carried to NEW's ids, as ingest does; the
    // answer shows each one as one change of id, as the store does.
    let rekeys = ingest::rekeys_between(&old, &new);
    for (list, rekey) in &rekeys {
        let carried = rekey.carried.len();
        human::note_on_answer(&format!(
            "{list}: {carried} {} carried from old ids to new ids (key scheme changed), matched by entity number or by name and addresses; {} of OLD matched none",
            if carried == 1 { "entry" } else { "entries" },
            rekey.unmatched
        ));
    }
    let mut report = query::compare(
        &old,
        &new,
        (old_date, new_date),
        &args.query.filter(),
        &rekeys,
    )?;
    if let Some(columns) = columns.filter(|c| {
        c.list
            .as_ref()
            .is_some_and(|list| args.query.filter().admits(list))
    }) {
        report.set_columns(columns);
    }
    print(|out| render::diff(out, &report, args.query.output, context.style))?;
    Ok(Outcome::of_changes(args.exit_code, report.has_changes()))
}
