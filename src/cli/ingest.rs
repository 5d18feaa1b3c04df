//! `listdiff ingest [--list ID] [--published DATE] [--format FMT] PATH...`
//!
//! Records publications as events. PATHs are read in the order given; a directory means every
//! publication below it, in (publication date, path) order; `-` reads standard input. Every
//! input is read and checked before the store is touched, so bad input records nothing.
//!
//! The publication date is --published, else the date the file states, else the last
//! YYYY-MM-DD in its path. The same list, date and bytes recorded again records nothing; a
//! different publication for a list and date already recorded is a correction that supersedes
//! the earlier one; a publication dated before others is placed by its date (backfill).

use chrono::NaiveDate;

use super::inputs::{self, Candidate};
use super::{CliError, Context, Outcome, parse_date, parse_list_id};
use crate::formats::Format;
use crate::model::{ListId, Publication};
use crate::store::{Access, Provenance, RecordOutcome};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  listdiff ingest snapshots/\n  listdiff ingest --published 2024-03-04 sdn.csv\n  curl -s https://example.org/consolidated.csv | listdiff ingest --published 2024-12-11 --list us-csl-el -"
)]
pub(crate) struct Args {
    /// Files or directories to record, or - for standard input
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
    /// Record only this list's publications (for files holding several lists, such as the CSL)
    #[arg(long, value_name = "ID", value_parser = parse_list_id)]
    list: Option<ListId>,
    /// The publication date, overriding the file's own date and any date in its path
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    published: Option<NaiveDate>,
    /// Read the input as this format instead of recognising it (see `listdiff formats`)
    #[arg(long, value_name = "FMT", value_parser = parse_format)]
    format: Option<Format>,
}

fn parse_format(text: &str) -> Result<Format, String> {
    Format::from_name(text).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        format!("unknown format {text:?}: use one of {}", names.join(", "))
    })
}

/// Input bytes whose parsed publications are kept in memory between checking and recording;
/// beyond this, files are read again when recorded.
const KEEP_BYTES: u64 = 32 * 1024 * 1024;

struct Prepared {
    candidate: Candidate,
    first_date: NaiveDate,
    provenance: Provenance,
    warnings: Vec<String>,
    publications: Option<Vec<Publication>>,
}

/// Reads and parses a candidate and resolves its publications' dates and lists.
fn prepare(
    candidate: &Candidate,
    args: &Args,
) -> Result<(Vec<Publication>, Provenance, Vec<String>), CliError> {
    let read = inputs::read(candidate, args.format)?;
    let held: Vec<&str> = read
        .parsed
        .publications
        .iter()
        .map(|p| p.list.as_str())
        .collect();
    if let Some(wanted) = &args.list
        && !held.contains(&wanted.as_str())
    {
        return Err(CliError::Input(format!(
            "{}: no publication for list {wanted} (it holds: {})",
            candidate.display,
            held.join(", ")
        )));
    }
    let path_date = inputs::date_in_path(&candidate.display);
    let mut publications = Vec::new();
    for parsed in read.parsed.publications {
        if args
            .list
            .as_ref()
            .is_some_and(|wanted| wanted != &parsed.list)
        {
            continue;
        }
        let published = args.published.or(parsed.stated_date).or(path_date).ok_or_else(|| {
            CliError::Input(format!(
                "{}: no publication date: the file states none and its path has no YYYY-MM-DD; give --published YYYY-MM-DD",
                candidate.display
            ))
        })?;
        publications.push(Publication {
            list: parsed.list,
            published,
            source: parsed.source.unwrap_or_else(|| candidate.display.clone()),
            content: parsed.content,
        });
    }
    let _ = read.format;
    Ok((publications, read.provenance, read.parsed.warnings))
}

pub(crate) fn run(context: &Context, args: Args) -> Result<Outcome, CliError> {
    let (candidates, notes) = inputs::gather(&args.paths, args.format)?;
    for note in notes {
        eprintln!("listdiff: note: {note}");
    }
    if candidates.is_empty() {
        return Err(CliError::Input(format!(
            "no publications found in {}",
            args.paths.join(", ")
        )));
    }

    // Read and check everything before touching the store.
    let mut prepared = Vec::new();
    let mut kept: u64 = 0;
    for candidate in candidates {
        let (publications, provenance, warnings) = prepare(&candidate, &args)?;
        let Some(first_date) = publications.iter().map(|p| p.published).min() else {
            continue;
        };
        kept += provenance.inputs.iter().map(|i| i.bytes).sum::<u64>();
        let keep = kept <= KEEP_BYTES || candidate.path.is_none();
        prepared.push(Prepared {
            candidate,
            first_date,
            provenance,
            warnings,
            publications: keep.then_some(publications),
        });
    }
    prepared.sort_by(|a, b| {
        (a.candidate.group, a.first_date, &a.candidate.display).cmp(&(
            b.candidate.group,
            b.first_date,
            &b.candidate.display,
        ))
    });

    let mut store = context.open_store(Access::Write)?;
    let now = context.now()?;
    let (mut recorded, mut already) = (0, 0);
    for item in prepared {
        let publications = match item.publications {
            Some(publications) => publications,
            None => {
                let (publications, provenance, _) = prepare(&item.candidate, &args)?;
                if provenance.sha256 != item.provenance.sha256 {
                    return Err(CliError::Input(format!(
                        "{} changed while it was being recorded; run the ingest again",
                        item.candidate.display
                    )));
                }
                publications
            }
        };
        for warning in &item.warnings {
            eprintln!("listdiff: warning: {warning}");
        }
        for publication in publications {
            let last_date = store.view().last_date(&publication.list)?;
            let outcome = store.record(&publication, &item.provenance, now)?;
            let (list, published) = (publication.list.clone(), publication.published);
            // Freeing a large publication's many small allocations takes a while: do it beside.
            std::thread::spawn(move || drop(publication));
            match outcome {
                RecordOutcome::AlreadyRecorded { seq } => {
                    already += 1;
                    println!(
                        "already recorded as event {seq}: {list} {published} from {}; nothing written",
                        item.candidate.display
                    );
                }
                RecordOutcome::Recorded { event, notes } => {
                    recorded += 1;
                    let mut remarks = Vec::new();
                    if let Some(earlier) = event.supersedes {
                        remarks.push(format!("corrects event {earlier}"));
                    } else if last_date.is_some_and(|last| last > event.published) {
                        remarks.push(format!(
                            "backfill: placed before the {} publication",
                            last_date.map(|d| d.to_string()).unwrap_or_default()
                        ));
                    }
                    println!(
                        "recorded event {}: {} {} {}, {} added, {} removed, {} changed ({}){}",
                        event.seq,
                        event.list,
                        event.published,
                        event.kind,
                        event.effect.added,
                        event.effect.removed,
                        event.effect.changed,
                        event.source,
                        if remarks.is_empty() {
                            String::new()
                        } else {
                            format!("; {}", remarks.join("; "))
                        }
                    );
                    for note in notes {
                        eprintln!("listdiff: warning: {}: {note}", item.candidate.display);
                    }
                }
            }
        }
    }
    store.flush()?;
    println!(
        "{recorded} recorded, {already} already recorded, in {}",
        store.path().display()
    );
    store.close()?;
    Ok(Outcome::Done)
}
