//! `listdiff ingest [--list ID] [--published TIME] [--source TEXT] [--corrects SEQ] [--format FMT] PATH...`
//!
//! Records publications as events. PATHs are read in the order given; a directory means every
//! publication below it, in (publication time, path) order (a directory reached again through
//! a link is skipped with a note); `-` reads standard input. A PATH that is an archive (.gz,
//! .zip, .tar, .tar.gz/.tgz, .tar.xz/.txz, told by content) is unpacked into a private temporary
//! directory and its members read as a directory's files, shown as ARCHIVE:MEMBER; a .gz of one
//! file is that file (see `ingest/unpack.rs` for the limits and what is refused). Every input is
//! read and checked before the store is touched, so bad input records nothing.
//!
//! The publication time is --published (a date, or a UTC time such as 2021-08-20T18:50:00Z),
//! else the date the file states, else the last YYYY-MM-DD in its path; with the UTC time of
//! day the file states or its path writes after that date (2021-08-20T185052Z_sdn.csv), when
//! it is on that date. A snapshot is identified by its list and time, an amendment by its list,
//! time and source (its citation, else its file name; --source sets it). The same list, time and
//! bytes recorded again records nothing; a different publication with the identity of one
//! recorded is a correction, which takes its place; --corrects SEQ records the publication as a
//! correction of event SEQ whatever its identity; a publication dated before others is placed by
//! its time (backfill). A publication dated more than a day after now is refused unless
//! --allow-future.
//!
//! Broken feeds: a snapshot that is empty, or that would remove more than --max-drop percent
//! (default 20) of the entries in force the day before it, is refused and nothing of the ingest
//! is recorded, unless --allow-drop is given (alone: every list; `--allow-drop LIST`, repeatable:
//! that list). Every snapshot refused is named at once. In a directory, an empty file is skipped
//! with a note. In a list keyed by name (the eCFR Entity List), an entry that departs while
//! another with the same rename key arrives is recorded as that entry renamed. A snapshot that
//! changes its list's key scheme (none of the ids in force reappears, and its ids are shaped
//! otherwise) carries the entries it can match to their new ids; only the others count as
//! removed, and its event records the pairs.
//!
//! Checks against the list's earlier publication (the one that counts just before it): an OFAC
//! legacy CSV file without the end-of-file mark (0x1A) the earlier one's had is a cut download,
//! refused unless --allow-cut (a list whose copies never had it gets a note); an OFAC publication
//! read without companion files (alt.csv, add.csv, sdn_comments.csv) the earlier one was read
//! with is refused, naming them, unless --allow-partial.
//!
//! Archive: with --archive (or when `listdiff config archive on` made it the default; --no-archive
//! overrides), each input file of a recorded publication is kept, zstd-compressed, under its
//! SHA-256 in the store's `archive/` directory, with a read manifest of the options used, so
//! that `listdiff reparse` can read it again. A publication already recorded is archived too
//! when its files are missing from the archive. Nothing is archived for a refused ingest.
//!
//! Re-ingest: an input file recorded already under the same options is recognised from the
//! SHA-256 of its files (and companions) before any parsing, and told only in the closing count
//! ("N already recorded"); see `ingest/recognise.rs` for exactly when. --source and --corrects
//! always read their input.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use super::human::{self, note, warning};
use super::inputs::ReadArgs;
use super::progress::IngestBar;
use super::{CliError, Context, Outcome, parse_list_id};
use crate::ingest::{
    self, ArchiveChoice, DropGuard, FeedChecks, FutureGuard, Ingest, IngestOptions, IngestReport,
    InputReport, OpenWhenKnown, Placement, PublicationOutcome, PublicationReport, Unwritten,
};
use crate::model::text::quote_bounded;
use crate::model::{ListId, PublicationTime};
use crate::store::Access;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  listdiff ingest snapshots/\n  listdiff ingest sdn-history.tar.xz\n  listdiff ingest --published 2024-03-04 sdn.csv\n  listdiff ingest --published 2021-08-20T18:50:00Z sdn.csv\n  listdiff ingest --source '89 FR 99999' rule.json\n  listdiff ingest --corrects 7 --published 2024-03-04 sdn.csv\n  listdiff ingest --allow-drop us-csl-el consolidated.csv\n  curl -s https://example.org/consolidated.csv | listdiff ingest --published 2024-12-11 --list us-csl-el -"
)]
pub(crate) struct Args {
    /// Files, directories or archives (.gz, .zip, .tar, .tar.gz, .tar.xz) to record, or - for
    /// standard input
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
    /// Record only this list's publications (for files holding several lists, such as the
    /// CSL); for a format that names no list (csv, native-ndjson), the list's id
    #[arg(long, value_name = "ID", value_parser = parse_list_id)]
    list: Option<ListId>,
    /// The publication time, overriding the file's own date and any date in its path: a date
    /// (2024-03-04) or a UTC time (2021-08-20T18:50:00Z), which tells apart publications of one
    /// list on one day
    #[arg(long, value_name = "TIME", value_parser = parse_publication_time)]
    published: Option<PublicationTime>,
    /// The publication's source: the document's own identifier, such as "89 FR 99999" or an
    /// OFAC action id, overriding the file's own citation and its name. An amendment is told
    /// apart from others of its list and time by its source. One publication per ingest
    #[arg(long, value_name = "TEXT", value_parser = parse_source)]
    source: Option<String>,
    /// Record the publication as a correction of event SEQ (see listdiff log), whatever its
    /// time and source: it takes that event's place, which then no longer counts. One
    /// publication per ingest
    #[arg(long, value_name = "SEQ")]
    corrects: Option<u64>,
    /// Record a publication dated more than a day after now (refused otherwise, as a mistyped
    /// date would stand as the list's latest publication from then on)
    #[arg(long)]
    allow_future: bool,
    #[command(flatten)]
    read: ReadArgs,
    /// Record a snapshot even when it is empty or removes more than --max-drop of its list:
    /// of every list, or of LIST only (repeatable). `--allow-drop LIST` with a space names a
    /// list when LIST is no file or directory; `--allow-drop PATH` stays a path
    #[arg(
        long,
        value_name = "LIST",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "",
        action = clap::ArgAction::Append
    )]
    allow_drop: Vec<String>,
    /// Record an OFAC legacy CSV file without the end-of-file mark (0x1A) that the same file
    /// of its list's earlier publication ended with (refused otherwise, as a download cut short)
    #[arg(long)]
    allow_cut: bool,
    /// Record an OFAC publication read without companion files (alt.csv, add.csv,
    /// sdn_comments.csv) its list's earlier publication was read with (refused otherwise, as
    /// its entries would lose their aliases, addresses and remarks)
    #[arg(long)]
    allow_partial: bool,
    /// The share of a list (in percent) a snapshot may remove before it is refused as a
    /// probably broken feed
    #[arg(long, value_name = "PERCENT", default_value_t = 20.0, value_parser = parse_percent)]
    max_drop: f64,
    /// Keep each input file's exact bytes, compressed, in the store's archive (for `listdiff
    /// reparse`); the default when `listdiff config archive on` was set
    #[arg(long, conflicts_with = "no_archive")]
    archive: bool,
    /// Do not archive the inputs, whatever the store's setting
    #[arg(long)]
    no_archive: bool,
}

/// Parses `--max-drop`: a percentage from 0 to 100 (`20` or `20%`).
pub(crate) fn parse_percent(text: &str) -> Result<f64, String> {
    match text.trim_end_matches('%').parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!(
            "\"{}\" is not a percentage from 0 to 100",
            quote_bounded(text)
        )),
    }
}

/// Parses `--published`: a date or a UTC time. A date-shaped text naming no day says why
/// (`there is no month 13`).
fn parse_publication_time(text: &str) -> Result<PublicationTime, String> {
    PublicationTime::parse(text).map_err(|e| match super::impossible_date(text) {
        Some(why) => format!("\"{}\" is not a valid date: {why}", quote_bounded(text)),
        None => e.to_string(),
    })
}

/// Parses `--source`: text with something to read and no control characters.
pub(crate) fn parse_source(text: &str) -> Result<String, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(
            "the source is empty: give the document's own identifier, such as \"89 FR 99999\""
                .into(),
        );
    }
    if trimmed.chars().any(char::is_control) || trimmed.len() > 1000 {
        return Err(format!(
            "\"{}\" is not a source: no control characters, at most 1000 bytes",
            quote_bounded(text)
        ));
    }
    Ok(trimmed.to_string())
}

impl Args {
    /// Settles what `--allow-drop` allows. Given alone it stands for every list, unless the
    /// argument after it was a list: clap reads `--allow-drop us-csl-el` as the flag and a path
    /// (a value needs `=`, so that `--allow-drop FILE` stays a path, as it always was), so a
    /// path that is no file or directory but is a list id is taken as the list of one
    /// `--allow-drop` given alone, in the order given.
    fn drop_guard(&mut self) -> Result<DropGuard, CliError> {
        let mut allowed = BTreeSet::new();
        let mut alone = 0;
        for value in &self.allow_drop {
            if value.is_empty() {
                alone += 1;
            } else {
                allowed.insert(parse_list_id(value).map_err(|e| {
                    CliError::Input(format!("--allow-drop={}: {e}", quote_bounded(value)))
                })?);
            }
        }
        if alone == 0 {
            return Ok(match allowed.is_empty() {
                true => DropGuard::refuse(self.max_drop),
                false => DropGuard::Refuse {
                    max_drop: self.max_drop,
                    allowed,
                },
            });
        }
        let mut taken = 0;
        let mut paths = Vec::with_capacity(self.paths.len());
        for path in std::mem::take(&mut self.paths) {
            let list = (taken < alone && path != "-" && !std::path::Path::new(&path).exists())
                .then(|| ListId::new(&path).ok())
                .flatten();
            match list {
                Some(list) => {
                    allowed.insert(list);
                    taken += 1;
                }
                None => paths.push(path),
            }
        }
        self.paths = paths;
        if self.paths.is_empty() {
            return Err(CliError::Input(format!(
                "no paths to ingest: {} taken as the list of --allow-drop (no such file or directory); give the files or directories to record",
                allowed
                    .iter()
                    .map(|l| l.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        Ok(match taken < alone {
            true => DropGuard::Off,
            false => DropGuard::Refuse {
                max_drop: self.max_drop,
                allowed,
            },
        })
    }

    /// The pipeline's options, `now` being the recording time.
    fn options(&self, now: DateTime<Utc>, drop_guard: DropGuard) -> IngestOptions {
        IngestOptions {
            input: self.read.input_options(self.list.clone()),
            published: self.published,
            source: self.source.clone(),
            corrects: self.corrects,
            future: if self.allow_future {
                FutureGuard::Off
            } else {
                FutureGuard::Refuse { now }
            },
            drop_guard,
            feed: FeedChecks {
                allow_cut: self.allow_cut,
                allow_partial: self.allow_partial,
            },
            archive: match (self.archive, self.no_archive) {
                (true, _) => ArchiveChoice::Always,
                (false, true) => ArchiveChoice::Never,
                (false, false) => ArchiveChoice::StoreSetting,
            },
            undated: None,
            fetched: Default::default(),
        }
    }
}

pub(crate) fn run(context: &Context, mut args: Args) -> Result<Outcome, CliError> {
    let drop_guard = args.drop_guard()?;
    // The future guard's clock; the recording time is read again once the store is ours.
    let options = args.options(context.now()?, drop_guard);
    let found = ingest::find_inputs(&args.paths, &options.input)?;
    for text in &found.notes {
        note(text);
    }
    // Read and check everything before touching the store; inputs the store knows are
    // recorded already are recognised from their digests, without being read further.
    // The store's database is opened ahead of the checks only when an input's read key is
    // listed in its `reads` file: new input leaves the store's files exactly as they were.
    let path = context.store_path()?;
    let known = OpenWhenKnown::new(crate::store::noted_read_keys(&path), || {
        context.open_store(Access::Read).map_err(|e| match e {
            CliError::Store(e) => e,
            other => crate::store::StoreError::Corrupt(other.to_string()),
        })
    });
    // Drawn on a terminal once the ingest has lasted a second; cleared before anything of
    // what it did is told, and when it ends early (dropped).
    let bar = IngestBar::new();
    let plan = Ingest::check_observed(found, options, &known, &bar)?;
    let plan = match known.into_store() {
        Some(store) => {
            // Every input recognised and nothing to archive: the store is only read.
            let unwritten = plan.finish_unwritten(&store)?;
            store.close()?;
            match unwritten {
                Unwritten::Done(report) => {
                    bar.over();
                    tell(&report);
                    return Ok(Outcome::Done);
                }
                Unwritten::ToRecord(plan) => *plan,
            }
        }
        None => plan,
    };
    #[cfg(debug_assertions)]
    pause_before_record();
    let mut store = context.open_store(Access::Write)?;
    let now = context.now()?;
    let recorded = plan.record_observed(&mut store, now, &bar);
    bar.over();
    let report = match recorded {
        Ok(report) => report,
        Err(failure) => {
            // Only what the store made durable is told as recorded.
            if failure.durable {
                print_inputs(&failure.done);
            } else if failure.done.publications().next().is_some() {
                warning(&format!(
                    "{} publications were recorded before the failure, but the store could not make them durable: a crash may still lose them; see `listdiff log`",
                    failure.done.publications().count()
                ));
            }
            return Err(failure.error.into());
        }
    };
    tell(&report);
    store.close()?;
    Ok(Outcome::Done)
}

/// Tells what an ingest did: per input recorded, then what was archived, then the count of what
/// was recorded and already recorded (inputs recognised as recorded are told only there).
fn tell(report: &IngestReport) {
    print_inputs(report);
    if let Some(archive) = &report.archive {
        human::report(&format!(
            "archived {} input file{} ({} already archived) in {}",
            archive.written,
            if archive.written == 1 { "" } else { "s" },
            archive.present,
            archive.dir.display()
        ));
    }
    human::report(&format!(
        "{} recorded, {} already recorded, in {}",
        report.recorded(),
        report.already_recorded(),
        report.store.display()
    ));
}

/// Tests only (debug builds): with `LISTDIFF_TEST_PAUSE_BEFORE_RECORD=PATH`, waits between the
/// checks and recording until PATH exists, having created `PATH.waiting` to say it is there, so
/// that a test can change the inputs at that moment.
#[cfg(debug_assertions)]
fn pause_before_record() {
    let Some(gate) = std::env::var_os("LISTDIFF_TEST_PAUSE_BEFORE_RECORD") else {
        return;
    };
    let gate = std::path::PathBuf::from(gate);
    let mut waiting = gate.clone().into_os_string();
    waiting.push(".waiting");
    let _ = std::fs::write(&waiting, b"");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
    while !gate.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Prints what recording each input did: its warnings and the feed checks' notes, then per
/// publication its renames and what it carried to new ids, what was recorded, and what the fold
/// noted.
fn print_inputs(report: &IngestReport) {
    for input in &report.inputs {
        for text in &input.warnings {
            warning(text);
        }
        for text in &input.notes {
            note(text);
        }
        for publication in &input.publications {
            print_publication(input, publication);
        }
    }
}

/// Prints what recording one publication of `input` did.
fn print_publication(input: &InputReport, publication: &PublicationReport) {
    let PublicationReport {
        list,
        published,
        renames,
        rekey,
        outcome,
    } = publication;
    let display = &input.display;
    for rename in renames {
        let (old, new) = (&rename.old, &rename.new);
        note(&format!(
            "{display}: {list} entry \"{new}\" is \"{old}\" renamed (same country and first citation): recorded as a change of \"{old}\""
        ));
    }
    if let Some(rekey) = rekey {
        let carried = rekey.carried.len();
        note(&format!(
            "{display}: {list}: {carried} {} carried from old ids to new ids (key scheme changed): none of the ids in force reappears, and the new ids are shaped otherwise; matched by entity number or by name and addresses, {} in force under old ids matched none. The event records each pair; answers show each as one change of id (changed, with its previous id)",
            if carried == 1 { "entry" } else { "entries" },
            rekey.unmatched
        ));
    }
    match outcome {
        PublicationOutcome::AlreadyRecorded { seq } => {
            human::report(&format!(
                "already recorded as event {seq}: {list} {published} from {display}; nothing written"
            ));
        }
        PublicationOutcome::Recorded {
            event,
            placement,
            notes,
        } => {
            human::report(&recorded_line(event, &event.source, placement));
            for text in notes {
                warning(&format!("{display}: {text}"));
            }
        }
    }
}

/// The line telling a recorded event: `recorded event SEQ: LIST TIME KIND, N added, N removed,
/// N changed (BASIS)`, then where it sits among its list's publications.
pub(crate) fn recorded_line(
    event: &crate::model::EventMeta,
    basis: &str,
    placement: &Placement,
) -> String {
    format!(
        "recorded event {}: {} {} {}, {} added, {} removed, {} changed ({basis}){}",
        event.seq,
        event.list,
        event.published,
        event.kind,
        event.effect.added,
        event.effect.removed,
        event.effect.changed,
        placement_remark(placement),
    )
}

/// What a recorded event's line adds about where it sits among its list's publications: nothing
/// for the latest, else `; corrects event N` or `; backfill: placed before …`.
fn placement_remark(placement: &Placement) -> String {
    match placement {
        Placement::Latest => String::new(),
        Placement::Correction { corrects } => format!("; corrects event {corrects}"),
        Placement::Backfill { latest } => {
            format!("; backfill: placed before the {latest} publication")
        }
    }
}
