//! The ingest pipeline: publications read from inputs and recorded as events, in two phases so
//! that bad input never touches the store.
//!
//! 1. [`Ingest::check`] reads and parses every input (files, standard input, bytes in memory;
//!    see [`find_inputs`]), resolves publication times (the date given, else the file's own,
//!    else the last `YYYY-MM-DD` in its path, with a UTC time of day where one is known on that
//!    date; see `dates.rs`) and sources, refuses empty snapshots and publications dated more
//!    than a day after the recording time, and orders the publications, all without a store.
//! 2. [`Ingest::record`] checks each publication against its list's earlier publication (a file
//!    cut short, missing companion files; see `feed.rs`) and the snapshots with the drop guard
//!    (none may remove more than a share of its list, entries carried across a change of key
//!    scheme not counted), all before writing anything; then carries renames in lists keyed by
//!    name, records each publication (with the entries it carries to new ids, when it changes
//!    its list's key scheme), makes the store durable, and archives the inputs. It returns an
//!    [`IngestReport`] for the caller to tell; nothing here prints.
//!
//! What is recorded is exactly what was checked: the publications checked are held between the
//! phases (in memory for small inputs, else in a private spool on disk), and the
//! user's files are never read again to be recorded, so a file changed, cut short or removed in
//! between changes nothing. A large file read as a stream is first copied privately and read
//! from the copy, so that its digest and its publications come from the same bytes. Only
//! archiving (after recording) reads the files again, and refuses one whose SHA-256 changed.
//!
//! The same list, publication time and bytes recorded again records nothing; a different
//! publication with the identity of one recorded (a snapshot: its list and time; an amendment:
//! its list, time and source) is a correction, which takes its place; `--corrects SEQ` makes a
//! correction of that event whatever the identity; a publication dated before others is placed
//! by its time (backfill). Each OpenSanctions delta file is one amendment, its source the
//! file's name. `compare` and `reparse` use the same reading, dates, rename carry and (for
//! archived inputs) parsing.

mod archive;
mod dates;
mod error;
mod feed;
mod guard;
mod inputs;
mod progress;
mod provenance;
mod recognise;
mod renames;
mod report;
mod reread;
mod spool;
mod streamed;
mod unpack;

use chrono::{DateTime, Utc};

pub use archive::{ArchiveChoice, ArchiveReport};
pub use dates::{date_in_path, publication_time, resolve_date, source_of, time_in_path};
pub use error::IngestError;
pub use feed::FeedChecks;
pub use guard::DropRefusal;
pub use inputs::{
    Candidate, FoundInputs, InputOptions, Origin, ReadInput, companion_paths, find_inputs, open,
    read,
};
pub use progress::{NoProgress, Progress};
pub use provenance::parser_name;
pub use recognise::{KnownReads, NothingKnown, OpenWhenKnown, RecordedAs};
pub use renames::{
    carry_publication_rekeys, carry_publication_renames, carry_renames_between,
    carry_renames_in_store, rekeys_between,
};
pub use report::{
    IngestReport, InputReport, Placement, PublicationOutcome, PublicationReport, RecognisedInput,
    RecordFailure,
};
pub use reread::{ArchivedBytes, ArchivedInput, RereadError, parse_archived, reread};
pub use unpack::{Container, UnpackError, Unpacked};

use archive::{Archived, Sources};
use feed::{FileLines, check_feeds};
use guard::{InForce, KeysOf, Matchable, Outline, matchable, refuse_drops, refuse_empty};
use recognise::{Recognised, Recognition, read_key, recognise};
use spool::Spool;
use streamed::{Streamed, StreamedRecord, prepare_streamed, record_streamed};

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Entry, Identity, ListId, Publication, PublicationKind, PublicationTime};
use crate::store::{FetchedFrom, Provenance, RecordOutcome, Store};

/// The broken-feed guard's setting.
#[derive(Clone, Debug, PartialEq)]
pub enum DropGuard {
    /// Refuse an empty snapshot, and one that would remove more than `max_drop` percent of the
    /// entries in force the day before it, but of the lists `allowed`.
    Refuse {
        /// The share of a list, in percent, a snapshot may remove.
        max_drop: f64,
        /// The lists whose snapshots are recorded, empty or shrinking (`--allow-drop LIST`):
        /// each must be a list of the ingest.
        allowed: BTreeSet<ListId>,
    },
    /// Record every snapshot, empty or shrinking (`--allow-drop`).
    Off,
}

impl DropGuard {
    /// The guard refusing what removes more than `max_drop` percent of any list.
    pub fn refuse(max_drop: f64) -> DropGuard {
        DropGuard::Refuse {
            max_drop,
            allowed: BTreeSet::new(),
        }
    }

    /// Whether snapshots of `list` are refused when empty or shrinking.
    pub fn guards(&self, list: &ListId) -> bool {
        match self {
            DropGuard::Refuse { allowed, .. } => !allowed.contains(list),
            DropGuard::Off => false,
        }
    }
}

/// The guard against publications dated in the future (a mistyped `--published`), which would
/// stand as the list's latest publication from then on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FutureGuard {
    /// Refuse a publication dated more than [`FUTURE_MARGIN_HOURS`] after `now` (its date's
    /// start, UTC, or its time).
    Refuse {
        /// The recording time.
        now: DateTime<Utc>,
    },
    /// Record publications whatever their date (`--allow-future`).
    Off,
}

/// How far after the recording time a publication may be dated: a day, for publishers ahead
/// of UTC.
pub const FUTURE_MARGIN_HOURS: i64 = 24;

/// How to ingest.
#[derive(Clone, Debug)]
pub struct IngestOptions {
    /// How to read the inputs; its `list`, when set, also selects the publications recorded.
    pub input: InputOptions,
    /// The publication time of every input (a date, or a UTC time), overriding the files' own
    /// and their paths'.
    pub published: Option<PublicationTime>,
    /// The source of the one publication ingested (`--source`), overriding the file's own
    /// citation and its name: part of an amendment's identity.
    pub source: Option<String>,
    /// Record the one publication ingested as a correction of this event (`--corrects`),
    /// whatever its identity.
    pub corrects: Option<u64>,
    /// The broken-feed guard.
    pub drop_guard: DropGuard,
    /// The checks against the list's earlier publication: a cut file, missing companions.
    pub feed: FeedChecks,
    /// The guard against publications dated in the future.
    pub future: FutureGuard,
    /// Whether to archive the inputs.
    pub archive: ArchiveChoice,
    /// The publication time of an input that states none and whose path writes none, with
    /// what it was taken from (`listdiff pull`: the response's `Last-Modified`, else the day
    /// of the fetch); `None`: such an input is refused.
    pub undated: Option<Undated>,
    /// For files fetched by `listdiff pull`, by SHA-256: what the server answered, kept in the
    /// archive's read manifest beside the bytes.
    pub fetched: BTreeMap<String, FetchedFrom>,
}

/// The publication time given to an input that states none (see [`IngestOptions::undated`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undated {
    /// The time.
    pub published: PublicationTime,
    /// What it was taken from, as a phrase (`the response's Last-Modified`).
    pub basis: String,
}

/// Input bytes whose parsed publications are kept in memory between checking and recording;
/// beyond this, they are held in the spool.
const KEEP_BYTES: u64 = 32 * 1024 * 1024;

/// [`KEEP_BYTES`]; in debug builds `LISTDIFF_TEST_KEEP_BYTES` overrides it, so that tests take
/// the path of large inputs with small files.
fn keep_bytes() -> u64 {
    #[cfg(debug_assertions)]
    if let Some(bytes) = std::env::var("LISTDIFF_TEST_KEEP_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return bytes;
    }
    KEEP_BYTES
}

/// One input read and checked, ready to be recorded.
pub(crate) struct Prepared {
    /// Where it came from.
    candidate: Candidate,
    /// The earliest time of its publications: the recording order within an argument.
    first_date: PublicationTime,
    /// What its events record of where they came from.
    provenance: Provenance,
    /// What the parser noted, for the report.
    warnings: Vec<String>,
    /// What the feed checks noted, for the report.
    notes: Vec<String>,
    /// Whether its publications stated no date and were given [`IngestOptions::undated`]'s.
    undated: bool,
    /// For a format whose files end with a mark, each input file (in the order of the
    /// provenance's inputs) as shown and its line count, for the feed checks; else empty.
    ends: Vec<FileLines>,
    /// Its publications as checked, until they are recorded.
    held: Held,
    /// What the broken-feed guard needs of each publication, kept even when the publications
    /// are not.
    outlines: Vec<Outline>,
    /// The identity (list, time, kind, source) of each publication, kept even when the
    /// publications are not.
    dated: Vec<Identity>,
    /// The key under which the store notes what its read gave, once recorded, so that it is
    /// recognised next time; `None` for an input never recognised (see `recognise.rs`).
    read_key: Option<String>,
}

/// Where an input's checked publications are held until they are recorded.
pub(crate) enum Held {
    /// In memory, dated (small inputs).
    Memory(Vec<Publication>),
    /// In the spool, dated.
    Spooled(spool::Span),
    /// A large snapshot read one entry at a time: its entries in the spool.
    Streamed(Streamed),
}

/// A candidate read and parsed by [`read_dated`].
struct DatedRead {
    /// Its publications, with their dates and sources resolved.
    publications: Vec<Publication>,
    /// When a publication stated no date and was given [`IngestOptions::undated`]'s, what
    /// the note says.
    undated: Option<String>,
    /// The digests of the files read, and the format and parser.
    provenance: Provenance,
    /// What the parser noted.
    warnings: Vec<String>,
    /// For the feed checks: each input file as shown, with its line count.
    ends: Vec<FileLines>,
    /// For standard input, the bytes read.
    stdin_bytes: Option<Vec<u8>>,
}

/// The publication time of a publication of input `display` (see [`publication_time`]); when
/// it has none and the options give one for undated inputs, that one, with the note saying so
/// set in `undated`.
pub(crate) fn dated(
    options: &IngestOptions,
    stated: (Option<chrono::NaiveDate>, Option<&str>),
    display: &str,
    undated: &mut Option<String>,
) -> Result<PublicationTime, IngestError> {
    match (
        publication_time(options.published, stated, display),
        &options.undated,
    ) {
        (Err(IngestError::NoDate { .. }), Some(given)) => {
            *undated = Some(format!(
                "{display}: the file states no publication date: dated {} from {}",
                given.published, given.basis
            ));
            Ok(given.published)
        }
        (result, _) => result,
    }
}

/// Reads and parses a candidate (the input `held` when given: see [`inputs::read_held`]),
/// keeps the publications of the list asked for (if any), and resolves their dates and sources.
fn read_dated(
    candidate: &Candidate,
    options: &IngestOptions,
    held: Option<inputs::HeldRead>,
) -> Result<DatedRead, IngestError> {
    let read = inputs::read_held(candidate, &options.input, held)?;
    let wanted = options.input.list.as_ref();
    if let Some(wanted) = wanted
        && !read.parsed.publications.iter().any(|p| &p.list == wanted)
    {
        let held: Vec<&str> = read
            .parsed
            .publications
            .iter()
            .map(|p| p.list.as_str())
            .collect();
        return Err(IngestError::ListNotHeld {
            input: candidate.display.clone(),
            list: wanted.clone(),
            held: held.join(", "),
        });
    }
    let mut publications = Vec::new();
    let mut undated = None;
    for parsed in read.parsed.publications {
        if wanted.is_some_and(|wanted| wanted != &parsed.list) {
            continue;
        }
        let published = dated(
            options,
            (parsed.stated_date, parsed.stated_date_text.as_deref()),
            &candidate.display,
            &mut undated,
        )?;
        let kind = parsed.content.kind();
        let source = match (&options.source, parsed.source) {
            (Some(given), _) => given.clone(),
            (None, Some(stated)) => source_of(Some(stated), parsed.stated_date_text.as_deref(), ""),
            // A snapshot's source is only shown: the input as it was named.
            (None, None) if kind == PublicationKind::Snapshot => {
                source_of(None, parsed.stated_date_text.as_deref(), &candidate.display)
            }
            // An amendment's source is part of its identity: its file name, whatever path
            // it was read from; standard input has none.
            (None, None) => match &candidate.origin {
                Origin::Stdin => {
                    return Err(IngestError::NoSource {
                        input: candidate.display.clone(),
                        list: parsed.list,
                        published,
                    });
                }
                _ => source_of(
                    None,
                    parsed.stated_date_text.as_deref(),
                    &provenance::recorded_name(candidate),
                ),
            },
        };
        publications.push(Publication {
            list: parsed.list,
            published,
            source,
            content: parsed.content,
        });
    }
    Ok(DatedRead {
        publications,
        undated,
        provenance: read.provenance,
        warnings: read.parsed.warnings,
        ends: read.ends,
        stdin_bytes: read.stdin_bytes,
    })
}

/// An ingest read and checked, ready to be recorded: the plan [`Ingest::check`] makes and
/// [`Ingest::record`] carries out.
pub struct Ingest {
    options: IngestOptions,
    /// The inputs, in recording order.
    prepared: Vec<Prepared>,
    /// The inputs recognised as recorded already, neither read nor recorded again.
    recognised: Vec<Recognised>,
    /// The publications checked that are not held in memory.
    spool: Spool,
    /// Where each input's bytes can be had again, by SHA-256, should they be archived.
    sources: Sources,
    /// The private directories holding the members of the archives named (see `unpack.rs`):
    /// kept until the inputs are archived.
    unpacked: Unpacked,
}

impl Ingest {
    /// Reads and checks every input found, without a store: parses it, resolves its times and
    /// sources, refuses empty snapshots (unless the guard is off) and publications dated in
    /// the future (unless that guard is off), and orders the publications by argument, then
    /// time, then path. `--source` and `--corrects` name one publication: an ingest holding
    /// several is refused.
    pub fn check(found: FoundInputs, options: IngestOptions) -> Result<Ingest, IngestError> {
        Ingest::check_knowing(found, options, &NothingKnown)
    }

    /// [`Ingest::check`], first recognising from their digests, without reading them further,
    /// the inputs `known` says are recorded already under the same options (see
    /// [`KnownReads`]): those are neither parsed nor checked again, and recording them writes
    /// nothing (but archives them when the ingest archives).
    pub fn check_knowing(
        found: FoundInputs,
        options: IngestOptions,
        known: &dyn KnownReads,
    ) -> Result<Ingest, IngestError> {
        Ingest::check_observed(found, options, known, &NoProgress)
    }

    /// [`Ingest::check_knowing`], telling `progress` of each input as it is read and checked.
    pub fn check_observed(
        found: FoundInputs,
        options: IngestOptions,
        known: &dyn KnownReads,
        progress: &dyn Progress,
    ) -> Result<Ingest, IngestError> {
        if found.candidates.is_empty() {
            return Err(IngestError::NothingFound {
                searched: found.searched.join(", "),
            });
        }
        let mut prepared = Vec::new();
        let mut kept: u64 = 0;
        let mut sources = Sources::default();
        let mut spool = Spool::default();
        let mut recognised = Vec::new();
        let any_known = known.any()?;
        progress.checking(found.candidates.len());
        for (index, candidate) in found.candidates.into_iter().enumerate() {
            let bytes = candidate
                .path()
                .and_then(|path| std::fs::metadata(path).ok())
                .map(|metadata| metadata.len());
            progress.reading(index + 1, &candidate.display, bytes);
            let mut held = None;
            if any_known {
                match recognise(&candidate, &options, known)? {
                    Recognition::Recorded(item) => {
                        sources.note(&item.candidate, &item.provenance, None)?;
                        recognised.push(item);
                        progress.input_done();
                        continue;
                    }
                    Recognition::ToRead(read) => held = read,
                }
            }
            if let Some(mut item) = prepare_streamed(&candidate, &options, &mut spool, progress)? {
                item.read_key = read_key(&item.provenance, &item.candidate, &options);
                sources.note(&item.candidate, &item.provenance, None)?;
                prepared.push(item);
                progress.input_done();
                continue;
            }
            let mut read = read_dated(&candidate, &options, held)?;
            sources.note(&candidate, &read.provenance, read.stdin_bytes.take())?;
            kept += read.provenance.inputs.iter().map(|i| i.bytes).sum::<u64>();
            let spool = (kept > keep_bytes()).then_some(&mut spool);
            if let Some(item) = prepare_read(candidate, read, &options, spool)? {
                prepared.push(item);
            }
            progress.input_done();
        }
        prepared.sort_by(|a, b| {
            (a.candidate.group, a.first_date, &a.candidate.display).cmp(&(
                b.candidate.group,
                b.first_date,
                &b.candidate.display,
            ))
        });
        check_one_publication(&prepared, &options)?;
        check_allowed_lists(&prepared, &recognised, &options.drop_guard)?;
        if let FutureGuard::Refuse { now } = options.future {
            refuse_future(&prepared, now)?;
            refuse_future_recognised(&recognised, now)?;
        }
        Ok(Ingest {
            options,
            prepared,
            recognised,
            spool,
            sources,
            unpacked: found.unpacked,
        })
    }

    /// Records the checked publications into `store` at recording time `now`: checks them
    /// against the store with the drop guard, records each, makes the store durable, then
    /// archives their inputs (when the options or the store say so).
    ///
    /// On failure the store holds the events recorded before it (flushed as far as the store
    /// could) and the failure reports them, and whether they are durable. Nothing a report
    /// tells as recorded is told before the store has made it durable.
    pub fn record(
        self,
        store: &mut Store,
        now: DateTime<Utc>,
    ) -> Result<IngestReport, Box<RecordFailure>> {
        self.record_observed(store, now, &NoProgress)
    }

    /// [`Ingest::record`], telling `progress` of each publication as it is recorded.
    pub fn record_observed(
        self,
        store: &mut Store,
        now: DateTime<Utc>,
        progress: &dyn Progress,
    ) -> Result<IngestReport, Box<RecordFailure>> {
        let mut report = IngestReport::new(store.path().to_path_buf());
        match self.record_into(store, now, &mut report, progress) {
            Ok(()) => Ok(report),
            Err(error) => {
                // The events recorded before the failure are whole: make them durable if the
                // store still can; the failure itself is what the caller reports.
                let durable = store.flush().is_ok();
                Err(Box::new(RecordFailure {
                    error,
                    done: report,
                    durable,
                }))
            }
        }
    }

    /// [`Ingest::record`], telling into `report` as it goes.
    fn record_into(
        self,
        store: &mut Store,
        now: DateTime<Utc>,
        report: &mut IngestReport,
        progress: &dyn Progress,
    ) -> Result<(), IngestError> {
        let Ingest {
            options,
            prepared,
            recognised,
            mut spool,
            sources,
            unpacked,
        } = self;
        // What was recognised as recorded must still be, before anything is written.
        check_still_recorded(store, &recognised)?;
        let mut prepared = prepared;
        check_feeds(&mut prepared, store, options.feed, options.corrects)?;
        if let DropGuard::Refuse { .. } = &options.drop_guard {
            guard_drops(store, &prepared, &mut spool, &options.drop_guard)?;
        }
        if let (Some(corrects), Some(identity)) = (
            options.corrects,
            prepared.first().and_then(|item| item.dated.first()),
        ) {
            store
                .check_correction(&identity.list, corrects)
                .map_err(|problem| IngestError::BadCorrection { corrects, problem })?;
        }
        let mut archived = options.archive.archives(store)?.then(Archived::default);
        for item in recognised {
            if let Some(archived) = archived.as_mut() {
                for (list, published, _) in &item.publications {
                    archived.add(&item.provenance, (list, *published));
                }
            }
            report.recognised.push(item.into_report());
        }
        progress.recording(prepared.iter().map(|item| item.dated.len()).sum());
        let mut recorded = 0;
        for item in prepared {
            recorded += item.dated.len();
            let noted = item.read_key.clone().map(|key| {
                let publications: Vec<_> = item
                    .dated
                    .iter()
                    .map(|identity| (identity.list.clone(), identity.published))
                    .collect();
                (key, publications)
            });
            record_item(
                store,
                &mut spool,
                item,
                (now, options.corrects),
                archived.as_mut(),
                report,
            )?;
            if let Some((key, publications)) = noted {
                store.note_read(&key, &publications)?;
            }
            progress.recorded(recorded);
        }
        store.flush()?;
        if let Some(archived) = archived {
            progress.archiving();
            report.archive =
                Some(archived.write(store, (&options.input, &options.fetched), &sources)?);
        }
        // The archives' members are read no more.
        drop(unpacked);
        Ok(())
    }
}

/// What [`Ingest::finish_unwritten`] found.
pub enum Unwritten {
    /// Nothing was to be written: the ingest's report.
    Done(IngestReport),
    /// The plan, to be recorded into the store opened to write.
    ToRecord(Box<Ingest>),
}

impl Ingest {
    /// Finishes, with the store only read, an ingest that has nothing to write: every input
    /// recognised as recorded (and still recorded in `store`), and nothing to archive. Else
    /// gives the plan back, to be recorded ([`Ingest::record`]) with the store opened to write.
    pub fn finish_unwritten(self, store: &Store) -> Result<Unwritten, IngestError> {
        if !self.prepared.is_empty() || self.options.archive.archives(store)? {
            return Ok(Unwritten::ToRecord(Box::new(self)));
        }
        check_still_recorded(store, &self.recognised)?;
        let mut report = IngestReport::new(store.path().to_path_buf());
        report.recognised = self
            .recognised
            .into_iter()
            .map(Recognised::into_report)
            .collect();
        Ok(Unwritten::Done(report))
    }
}

/// Refuses inputs recognised as recorded when the ingest began whose publications `store` no
/// longer holds as recorded from their bytes (retracted since).
fn check_still_recorded(store: &Store, recognised: &[Recognised]) -> Result<(), IngestError> {
    for item in recognised {
        for (list, published, _) in &item.publications {
            if store
                .recorded_from(list, *published, &item.provenance.sha256)?
                .is_none()
            {
                return Err(IngestError::NoLongerRecorded {
                    input: item.candidate.display.clone(),
                    list: list.clone(),
                    published: *published,
                });
            }
        }
    }
    Ok(())
}

/// Makes a [`Prepared`] of a candidate read whole: refuses its empty snapshots (unless the
/// guard is off), outlines its publications for the guard, and holds them in `spool` when
/// given, else in memory; `None` when it holds no publication (of the list asked for).
fn prepare_read(
    candidate: Candidate,
    read: DatedRead,
    options: &IngestOptions,
    spool: Option<&mut Spool>,
) -> Result<Option<Prepared>, IngestError> {
    let Some(first_date) = read.publications.iter().map(|p| p.published).min() else {
        return Ok(None);
    };
    let dated = read
        .publications
        .iter()
        .map(Publication::identity)
        .collect();
    let guarded = options.drop_guard != DropGuard::Off;
    for publication in &read.publications {
        if options.drop_guard.guards(&publication.list) {
            refuse_empty(publication, &candidate.display)?;
        }
    }
    let outlines = if guarded {
        read.publications.iter().map(Outline::of).collect()
    } else {
        Vec::new()
    };
    let held = match spool {
        Some(spool) => Held::Spooled(spool.publications(&read.publications)?),
        None => Held::Memory(read.publications),
    };
    let read_key = read_key(&read.provenance, &candidate, options);
    Ok(Some(Prepared {
        candidate,
        first_date,
        read_key,
        provenance: read.provenance,
        warnings: read.warnings,
        undated: read.undated.is_some(),
        notes: read.undated.into_iter().collect(),
        ends: read.ends,
        held,
        outlines,
        dated,
    }))
}

/// Refuses `--source` and `--corrects` unless the ingest holds exactly one publication: each
/// names one.
fn check_one_publication(
    prepared: &[Prepared],
    options: &IngestOptions,
) -> Result<(), IngestError> {
    let option = match (&options.source, options.corrects) {
        (_, Some(_)) => "--corrects",
        (Some(_), None) => "--source",
        (None, None) => return Ok(()),
    };
    let publications: Vec<String> = prepared
        .iter()
        .flat_map(|item| {
            item.dated.iter().map(move |identity| {
                format!(
                    "{} {} from {}",
                    identity.list, identity.published, item.candidate.display
                )
            })
        })
        .collect();
    if publications.len() == 1 {
        return Ok(());
    }
    Err(IngestError::NotOnePublication {
        option,
        count: publications.len(),
        publications: publications.join(", "),
    })
}

/// Refuses `--allow-drop LIST` for a list no publication of the ingest is of: a mistyped
/// list, or a path taken for one.
fn check_allowed_lists(
    prepared: &[Prepared],
    recognised: &[Recognised],
    guard: &DropGuard,
) -> Result<(), IngestError> {
    let DropGuard::Refuse { allowed, .. } = guard else {
        return Ok(());
    };
    let held: BTreeSet<&ListId> = prepared
        .iter()
        .flat_map(|item| item.dated.iter().map(|identity| &identity.list))
        .chain(
            recognised
                .iter()
                .flat_map(|item| item.publications.iter().map(|(list, _, _)| list)),
        )
        .collect();
    match allowed.iter().find(|list| !held.contains(list)) {
        Some(list) => Err(IngestError::AllowDropNotHeld {
            list: list.clone(),
            held: held
                .iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
        None => Ok(()),
    }
}

/// Runs the drop guard over the checked publications against `store`: the entries in force
/// from the store; match keys, should a snapshot change its list's key scheme, from the store
/// or the held publications (read again from `spool` when held there).
fn guard_drops(
    store: &Store,
    prepared: &[Prepared],
    spool: &mut Spool,
    guard: &DropGuard,
) -> Result<(), IngestError> {
    let view = store.view();
    // Where the publication of each outline is: its input and its place among its publications.
    let mut places = Vec::new();
    let outlines = prepared.iter().enumerate().flat_map(|(index, item)| {
        let input = item.candidate.display.as_str();
        item.outlines
            .iter()
            .enumerate()
            .map(move |(place, outline)| ((index, place), (input, outline)))
    });
    let outlines: Vec<(&str, &Outline)> = outlines
        .map(|(place, outline)| {
            places.push(place);
            outline
        })
        .collect();
    refuse_drops(
        outlines,
        guard,
        |list, day, with_keys| {
            Ok(if with_keys {
                InForce::of_entries(&view.state_as_of(list, day)?)
            } else {
                // The records read here serve the snapshot's planning too.
                InForce::of_ids(&store.ids_as_of_keeping(list, day)?)
            })
        },
        |keys| match keys {
            KeysOf::Store { list, day } => Ok(matchable(&view.state_as_of(list, *day)?)),
            KeysOf::Outline(number) => match places.get(*number) {
                Some(&(index, place)) => match prepared.get(index) {
                    Some(item) => held_matchable(&item.held, place, spool),
                    None => Ok(Vec::new()),
                },
                None => Ok(Vec::new()),
            },
            KeysOf::Unknown => Ok(Vec::new()),
        },
    )
}

/// The match keys of the entries of publication number `place` of what an input holds.
fn held_matchable(
    held: &Held,
    place: usize,
    spool: &mut Spool,
) -> Result<Vec<Matchable>, IngestError> {
    let entries = |publication: &Publication| -> Vec<Matchable> {
        match &publication.content {
            crate::model::PublicationContent::Snapshot(entries) => matchable(entries),
            crate::model::PublicationContent::Amendment(_) => Vec::new(),
        }
    };
    match held {
        Held::Memory(publications) => Ok(publications.get(place).map(entries).unwrap_or_default()),
        Held::Spooled(span) => {
            let mut frames = spool.read(*span)?;
            let mut index = 0;
            while let Some(publication) = frames.next_publication()? {
                if index == place {
                    return Ok(entries(&publication));
                }
                index += 1;
            }
            Ok(Vec::new())
        }
        Held::Streamed(streamed) => {
            let mut frames = spool.read(streamed.span())?;
            let mut held: Vec<Entry> = Vec::new();
            frames.each_entry(|entry| {
                held.push(entry);
                Ok(())
            })?;
            Ok(matchable(&held))
        }
    }
}

/// Refuses a publication dated more than [`FUTURE_MARGIN_HOURS`] after `now`.
fn refuse_future(prepared: &[Prepared], now: DateTime<Utc>) -> Result<(), IngestError> {
    let latest = now + chrono::Duration::hours(FUTURE_MARGIN_HOURS);
    for item in prepared {
        for identity in &item.dated {
            if identity.published.start() > latest {
                return Err(IngestError::Future {
                    input: item.candidate.display.clone(),
                    list: identity.list.clone(),
                    published: identity.published,
                    now,
                });
            }
        }
    }
    Ok(())
}

/// [`refuse_future`] for the inputs recognised as recorded (recorded with `--allow-future`,
/// perhaps): what would be refused if read is refused.
fn refuse_future_recognised(
    recognised: &[Recognised],
    now: DateTime<Utc>,
) -> Result<(), IngestError> {
    let latest = now + chrono::Duration::hours(FUTURE_MARGIN_HOURS);
    for item in recognised {
        for (list, published, _) in &item.publications {
            if published.start() > latest {
                return Err(IngestError::Future {
                    input: item.candidate.display.clone(),
                    list: list.clone(),
                    published: *published,
                    now,
                });
            }
        }
    }
    Ok(())
}

/// Records one input's publications as checked (held in memory or in `spool`), telling into
/// `report`, and notes them for `archived`.
fn record_item(
    store: &mut Store,
    spool: &mut Spool,
    item: Prepared,
    (now, corrects): (DateTime<Utc>, Option<u64>),
    mut archived: Option<&mut Archived>,
    report: &mut IngestReport,
) -> Result<(), IngestError> {
    let Prepared {
        candidate,
        provenance,
        warnings,
        notes,
        undated,
        held,
        outlines,
        ..
    } = item;
    report.inputs.push(InputReport {
        display: candidate.display,
        warnings,
        notes,
        undated,
        publications: Vec::new(),
    });
    let mut told = |publication: PublicationReport| {
        if let Some(archived) = archived.as_deref_mut() {
            archived.add(&provenance, (&publication.list, publication.published));
        }
        if let Some(input) = report.inputs.last_mut() {
            input.publications.push(publication);
        }
    };
    match held {
        Held::Memory(publications) => {
            for publication in publications {
                told(record_publication(
                    store,
                    publication,
                    &provenance,
                    (now, corrects),
                )?);
            }
        }
        Held::Spooled(span) => {
            let mut frames = spool.read(span)?;
            while let Some(publication) = frames.next_publication()? {
                told(record_publication(
                    store,
                    publication,
                    &provenance,
                    (now, corrects),
                )?);
            }
        }
        Held::Streamed(streamed) => {
            let (list, published) = (streamed.list.clone(), streamed.published);
            let latest = store.view().last_published(&list)?;
            // A snapshot that may change its list's key scheme is recorded whole, so that the
            // entries it carries to new ids are paired and recorded as for any other.
            let rekeying = match (outlines.first(), published.date.pred_opt()) {
                (Some(outline), Some(day)) => {
                    outline.may_change_key_scheme(&store.view().ids_as_of(&list, day)?)
                }
                _ => false,
            };
            let whole = corrects.is_some() || rekeying;
            told(
                match record_streamed(store, spool, streamed, &provenance, (now, whole))? {
                    StreamedRecord::Done(outcome) => PublicationReport {
                        list,
                        published,
                        renames: Vec::new(),
                        rekey: None,
                        outcome: publication_outcome(outcome, latest),
                    },
                    StreamedRecord::Whole(publication) => {
                        record_publication(store, publication, &provenance, (now, corrects))?
                    }
                },
            );
        }
    }
    Ok(())
}

/// Records one publication read whole, its renames carried first, and the entries it carries
/// to new ids (when it changes its list's key scheme) recorded with it; with `corrects`, as a
/// correction of that event.
fn record_publication(
    store: &mut Store,
    mut publication: Publication,
    provenance: &Provenance,
    (now, corrects): (DateTime<Utc>, Option<u64>),
) -> Result<PublicationReport, IngestError> {
    let renames = carry_publication_renames(&store.view(), &mut publication)?;
    let rekey = carry_publication_rekeys(&store.view(), &publication)?;
    let latest = store.view().last_published(&publication.list)?;
    let carried = rekey.as_ref().map_or(&[][..], |r| r.carried.as_slice());
    let outcome = store.record_carrying(&publication, provenance, now, corrects, carried)?;
    let (list, published) = (publication.list.clone(), publication.published);
    // Freeing a large publication's many small allocations takes a while: do it beside.
    std::thread::spawn(move || drop(publication));
    Ok(PublicationReport {
        list,
        published,
        renames,
        rekey: rekey.filter(|r| !r.carried.is_empty()),
        outcome: publication_outcome(outcome, latest),
    })
}

/// What the store did, placed among the list's publications (`latest`: the time of the list's
/// latest publication before it was recorded).
fn publication_outcome(
    outcome: RecordOutcome,
    latest: Option<PublicationTime>,
) -> PublicationOutcome {
    match outcome {
        RecordOutcome::AlreadyRecorded { seq } => PublicationOutcome::AlreadyRecorded { seq },
        RecordOutcome::Recorded { event, notes } => {
            let placement = match (event.supersedes, latest) {
                (Some(corrects), _) => Placement::Correction { corrects },
                (None, Some(latest)) if latest > event.published => Placement::Backfill { latest },
                _ => Placement::Latest,
            };
            PublicationOutcome::Recorded {
                event: Box::new(event),
                placement,
                notes,
            }
        }
    }
}

#[cfg(test)]
mod tests;
