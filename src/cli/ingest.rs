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
//!
//! Broken feeds: a snapshot that is empty, or that would remove more than --max-drop percent
//! (default 20) of the entries in force the day before it, is refused and nothing of the ingest
//! is recorded, unless --allow-drop is given. In a directory, an empty file is skipped with a
//! note. In a list keyed by name (the eCFR Entity List), an entry that departs while another with
//! the same rename key arrives is recorded as that entry renamed.
//!
//! Archive: with --archive (or when `listdiff config archive on` made it the default; --no-archive
//! overrides), each input file of a recorded publication is kept, zstd-compressed, under its
//! SHA-256 in the store's `archive/` directory, with a read manifest of the options used, so
//! that `listdiff reparse` can read it again. A publication already recorded is archived too
//! when its files are missing from the archive. Nothing is archived for a refused ingest.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use chrono::NaiveDate;

use super::archive;
use super::inputs::{self, Candidate, ReadArgs};
use super::{CliError, Context, Outcome, parse_date, parse_list_id};
use crate::formats::{EntrySpool, Format};
use crate::model::{EntryId, ListId, Publication, PublicationContent, rename};
use crate::store::{Access, Provenance, RecordOutcome, Store, View, manifest_sha256};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  listdiff ingest snapshots/\n  listdiff ingest --published 2024-03-04 sdn.csv\n  curl -s https://example.org/consolidated.csv | listdiff ingest --published 2024-12-11 --list us-csl-el -"
)]
pub(crate) struct Args {
    /// Files or directories to record, or - for standard input
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
    /// Record only this list's publications (for files holding several lists, such as the
    /// CSL); for a format that names no list (csv, native-ndjson), the list's id
    #[arg(long, value_name = "ID", value_parser = parse_list_id)]
    list: Option<ListId>,
    /// The publication date, overriding the file's own date and any date in its path
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    published: Option<NaiveDate>,
    #[command(flatten)]
    read: ReadArgs,
    /// Record a snapshot even when it is empty or removes more than --max-drop of the list
    #[arg(long)]
    allow_drop: bool,
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

fn parse_percent(text: &str) -> Result<f64, String> {
    match text.trim_end_matches('%').parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("{text:?} is not a percentage from 0 to 100")),
    }
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
    /// What the broken-feed guard needs of each publication, kept even when the publications
    /// are not.
    outlines: Vec<Outline>,
    /// For a large snapshot read one entry at a time: its list, date and source; it is read
    /// so again when recorded.
    streamed: Option<Streamed>,
}

/// A large snapshot read one entry at a time during the checks.
struct Streamed {
    list: ListId,
    published: NaiveDate,
    source: String,
    /// Its entries, kept compressed until they are recorded, for formats that read the whole
    /// file before giving entries (reading it again would cost that again); `None` for a format
    /// that reads one record at a time, whose file is simply read again.
    spool: Option<EntrySpool>,
}

/// Reads a large single-list snapshot one entry at a time, keeping only what the checks need:
/// `None` when the candidate is not such a file.
fn prepare_streamed(candidate: &Candidate, args: &Args) -> Result<Option<Prepared>, CliError> {
    let mut seen: HashSet<EntryId> = HashSet::new();
    let mut repeated: Option<EntryId> = None;
    let mut spool = EntrySpool::default();
    let Some(format) = inputs::streamed_format(candidate, &args.read)? else {
        return Ok(None);
    };
    let truly_streams = format.reads_records();
    let mut sink = |entry: crate::model::Entry| {
        if !truly_streams {
            spool.push(&entry);
        }
        if !seen.insert(entry.id.clone()) && repeated.is_none() {
            repeated = Some(entry.id);
        }
        Ok(())
    };
    let Some((streamed, provenance)) =
        inputs::read_streamed(candidate, &args.read, format, &mut sink)?
    else {
        return Ok(None);
    };
    if let Some(id) = repeated {
        return Err(CliError::Input(format!(
            "{}: duplicate id \"{id}\": ids must be unique within a publication",
            candidate.display
        )));
    }
    if let Some(wanted) = &args.list
        && wanted != &streamed.list
    {
        return Err(CliError::Input(format!(
            "{}: no publication for list {wanted} (it holds: {})",
            candidate.display, streamed.list
        )));
    }
    let published = publication_date(args, streamed.stated_date, candidate)?;
    if !args.allow_drop {
        refuse_no_entries(streamed.entries, &streamed.list, published, candidate)?;
    }
    let source = source_of(None, streamed.stated_date_text.as_deref(), candidate);
    let outlines = if args.allow_drop {
        Vec::new()
    } else {
        vec![Outline {
            list: streamed.list.clone(),
            published,
            ids: seen.iter().map(id_hash).collect(),
            removed: None,
            renamable: HashSet::new(),
        }]
    };
    Ok(Some(Prepared {
        candidate: candidate.clone(),
        first_date: published,
        provenance,
        warnings: streamed.warnings,
        publications: None,
        outlines,
        streamed: Some(Streamed {
            list: streamed.list,
            published,
            source,
            spool: (!truly_streams).then_some(spool),
        }),
    }))
}

/// Records a snapshot prepared by [`prepare_streamed`] from its spooled entries: one entry at a
/// time into the store when it is the list's latest publication, else (a correction, a
/// backfill) as a whole publication.
fn record_streamed(
    store: &mut Store,
    streamed: Streamed,
    item: &Prepared,
    args: &Args,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<RecordOutcome>, CliError> {
    let Streamed {
        list,
        published,
        source,
        spool,
    } = streamed;
    let provenance = &item.provenance;
    if let Some(seq) = store.recorded_as(&list, published, &provenance.sha256)? {
        return Ok(Some(RecordOutcome::AlreadyRecorded { seq }));
    }
    let digest = store.snapshot_digest(&list, published, &provenance.sha256)?;
    let Some(spool) = spool else {
        // Read the file again, one record at a time.
        let (Some(mut digest), Some(format)) = (digest, Format::from_name(&provenance.format))
        else {
            return Ok(None);
        };
        let mut store_error = None;
        let read = {
            let store_ref = &*store;
            let mut sink = |entry: crate::model::Entry| {
                store_ref.digest_entry(&mut digest, entry).map_err(|e| {
                    let message = e.to_string();
                    store_error = Some(e);
                    crate::formats::FormatError::new(
                        &item.candidate.display,
                        crate::formats::Location::File,
                        message,
                    )
                })
            };
            inputs::read_streamed(&item.candidate, &args.read, format, &mut sink)
        };
        if let Some(e) = store_error {
            return Err(e.into());
        }
        let Some((_, reread)) = read? else {
            return Ok(None);
        };
        if reread.sha256 != provenance.sha256 {
            return Err(CliError::Input(format!(
                "{} changed while it was being recorded; run the ingest again",
                item.candidate.display
            )));
        }
        return Ok(Some(store.record_digest(digest, &source, provenance, now)?));
    };
    let held = |message: String| CliError::Input(format!("{}: {message}", item.candidate.display));
    let Some(mut digest) = digest else {
        let mut entries = Vec::with_capacity(spool.len());
        spool.each(|_, entry| entries.push(entry)).map_err(held)?;
        let publication = Publication {
            list,
            published,
            source,
            content: PublicationContent::Snapshot(entries),
        };
        return Ok(Some(store.record(&publication, provenance, now)?));
    };
    let mut store_error = None;
    {
        let store_ref = &*store;
        spool
            .each(|_, entry| {
                if store_error.is_none()
                    && let Err(e) = store_ref.digest_entry(&mut digest, entry)
                {
                    store_error = Some(e);
                }
            })
            .map_err(held)?;
    }
    if let Some(e) = store_error {
        return Err(e.into());
    }
    Ok(Some(store.record_digest(digest, &source, provenance, now)?))
}

/// The ids a publication states, as 64-bit hashes: enough to count what a snapshot removes.
struct Outline {
    list: ListId,
    published: NaiveDate,
    /// For a snapshot, every id it holds; for an amendment, the ids it adds or amends.
    ids: HashSet<u64>,
    /// For an amendment, the ids it removes; `None` for a snapshot.
    removed: Option<HashSet<u64>>,
    /// For a snapshot, the ids of its entries with a rename key (which may be renames of
    /// entries that seem to depart).
    renamable: HashSet<u64>,
}

fn id_hash(id: &EntryId) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    id.as_str().hash(&mut hasher);
    hasher.finish()
}

impl Outline {
    fn of(publication: &Publication) -> Outline {
        let mut renamable = HashSet::new();
        let (ids, removed) = match &publication.content {
            PublicationContent::Snapshot(entries) => {
                renamable = entries
                    .iter()
                    .filter(|e| rename::rename_key(e).is_some())
                    .map(|e| id_hash(&e.id))
                    .collect();
                (entries.iter().map(|e| id_hash(&e.id)).collect(), None)
            }
            PublicationContent::Amendment(a) => (
                a.add
                    .iter()
                    .chain(&a.amend)
                    .map(|e| id_hash(&e.id))
                    .collect(),
                Some(a.remove.iter().map(id_hash).collect()),
            ),
        };
        Outline {
            list: publication.list.clone(),
            published: publication.published,
            ids,
            removed,
            renamable,
        }
    }
}

/// In a list keyed by name, gives renamed entries of a snapshot their old ids
/// ([`rename::carry_renamed_ids`]) against the list as it stood the day before; returns the
/// (old id, new id) pairs of the entries this publication renames.
fn carry_renames(
    view: &View,
    publication: &mut Publication,
) -> Result<Vec<(EntryId, EntryId)>, CliError> {
    let PublicationContent::Snapshot(entries) = &mut publication.content else {
        return Ok(Vec::new());
    };
    if !entries.iter().any(|e| rename::rename_key(e).is_some()) {
        return Ok(Vec::new());
    }
    let Some(day_before) = publication.published.pred_opt() else {
        return Ok(Vec::new());
    };
    let before = view.state_as_of(&publication.list, day_before)?;
    let renames = rename::carry_renamed_ids(
        before.iter().map(|e| (&e.id, rename::rename_key(e))),
        entries,
    );
    // Report only the renames this publication makes: an entry renamed earlier pairs again
    // with every later publication, under the name it already has.
    let names: HashMap<&EntryId, &str> = before.iter().map(|e| (&e.id, e.name.as_str())).collect();
    Ok(renames
        .into_iter()
        .filter(|(old, _)| {
            let now = entries
                .iter()
                .find(|e| &e.id == old)
                .map(|e| e.name.as_str());
            names.get(old).copied() != now
        })
        .collect())
}

/// OpenSanctions publishes several deltas a day, but a list has one publication per date (a
/// second is a correction of the first). So the deltas of one list and date read by one ingest
/// are recorded as one amendment that applies them in order (the last operation on an id wins),
/// with every file in its provenance.
fn merge_same_day_deltas(prepared: Vec<Prepared>, outline: bool) -> Vec<Prepared> {
    fn delta(item: &Prepared) -> Option<(&ListId, NaiveDate)> {
        let publications = item.publications.as_ref()?;
        match publications.as_slice() {
            [one]
                if Format::from_name(&item.provenance.format)
                    .is_some_and(Format::is_delta_feed)
                    && matches!(one.content, PublicationContent::Amendment(_)) =>
            {
                Some((&one.list, one.published))
            }
            _ => None,
        }
    }
    let mut merged: Vec<Prepared> = Vec::new();
    for item in prepared {
        let joins = match (merged.last(), delta(&item)) {
            (Some(last), Some(day)) => delta(last) == Some(day),
            _ => false,
        };
        let Some(last) = merged.last_mut().filter(|_| joins) else {
            merged.push(item);
            continue;
        };
        let (Some(earlier), Some(later)) = (
            last.publications.as_mut().and_then(|p| p.first_mut()),
            item.publications.and_then(|p| p.into_iter().next()),
        ) else {
            continue;
        };
        if let (PublicationContent::Amendment(a), PublicationContent::Amendment(b)) =
            (&mut earlier.content, later.content)
        {
            a.then(b);
        }
        earlier.source = format!("{}; {}", earlier.source, later.source);
        last.provenance.inputs.extend(item.provenance.inputs);
        last.provenance.sha256 = manifest_sha256(&last.provenance.inputs);
        last.warnings.extend(item.warnings);
        last.outlines = if outline {
            vec![Outline::of(earlier)]
        } else {
            Vec::new()
        };
    }
    merged
}

/// Prints what recording one publication did, and counts it as recorded or already recorded.
fn report(
    outcome: &RecordOutcome,
    (list, published, last_date): (&ListId, NaiveDate, Option<NaiveDate>),
    display: &str,
    (recorded, already): &mut (u64, u64),
) {
    match outcome {
        RecordOutcome::AlreadyRecorded { .. } => *already += 1,
        RecordOutcome::Recorded { .. } => *recorded += 1,
    }
    match outcome {
        RecordOutcome::AlreadyRecorded { seq } => {
            println!(
                "already recorded as event {seq}: {list} {published} from {display}; nothing written"
            );
        }
        RecordOutcome::Recorded { event, notes } => {
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
                eprintln!("listdiff: warning: {display}: {note}");
            }
        }
    }
}

/// Refuses an empty snapshot, before the store is opened.
fn refuse_empty(publication: &Publication, candidate: &Candidate) -> Result<(), CliError> {
    match &publication.content {
        PublicationContent::Snapshot(entries) => refuse_no_entries(
            entries.len(),
            &publication.list,
            publication.published,
            candidate,
        ),
        PublicationContent::Amendment(_) => Ok(()),
    }
}

/// Refuses a snapshot of `count` entries when it has none.
fn refuse_no_entries(
    count: usize,
    list: &ListId,
    published: NaiveDate,
    candidate: &Candidate,
) -> Result<(), CliError> {
    if count == 0 {
        return Err(CliError::Input(format!(
            "{}: refused: this snapshot of {list} dated {published} holds no entries; an empty publication is almost always a failed download, not the end of a list. Nothing was recorded. If the list really is empty, run again with --allow-drop",
            candidate.display
        )));
    }
    Ok(())
}

/// The publication date: --published, else the date the file states, else the one in its path.
fn publication_date(
    args: &Args,
    stated: Option<NaiveDate>,
    candidate: &Candidate,
) -> Result<NaiveDate, CliError> {
    args.published
        .or(stated)
        .or_else(|| inputs::date_in_path(&candidate.display))
        .ok_or_else(|| {
            CliError::Input(format!(
                "{}: no publication date: the file states none and its path has no YYYY-MM-DD; give --published YYYY-MM-DD",
                candidate.display
            ))
        })
}

/// An event's source: the citation the file states, else its name; with the file's own date
/// as it writes it beside the parsed one.
fn source_of(stated: Option<String>, date_text: Option<&str>, candidate: &Candidate) -> String {
    let source = stated.unwrap_or_else(|| candidate.display.clone());
    match date_text {
        Some(text) => format!("{source} (dated {text:?} in the file)"),
        None => source,
    }
}

/// Refuses any snapshot that would remove more than `max_drop` percent of its list, checking
/// every publication of the ingest in order against the store and the publications before it,
/// before anything is recorded.
fn refuse_drops(view: &View, prepared: &[Prepared], max_drop: f64) -> Result<(), CliError> {
    // Per list: the date of the last publication seen in this ingest and the ids after it.
    let mut simulated: HashMap<ListId, (NaiveDate, HashSet<u64>)> = HashMap::new();
    for item in prepared {
        for outline in &item.outlines {
            let before = match simulated.remove(&outline.list) {
                Some((date, ids)) if date <= outline.published => ids,
                _ => match outline.published.pred_opt() {
                    Some(day_before) => view
                        .ids_as_of(&outline.list, day_before)?
                        .iter()
                        .map(id_hash)
                        .collect(),
                    None => HashSet::new(),
                },
            };
            let after: HashSet<u64> = match &outline.removed {
                None => {
                    // An arriving entry with a rename key may be a departing one renamed.
                    let renames = outline.renamable.difference(&before).count();
                    let removed = before
                        .difference(&outline.ids)
                        .count()
                        .saturating_sub(renames);
                    let share = 100.0 * removed as f64 / before.len().max(1) as f64;
                    if removed > 0 && share > max_drop {
                        return Err(CliError::Input(format!(
                            "{}: refused: this snapshot of {} dated {} holds {} entries and would remove {} of the {} in force ({:.1}%, more than the {}% allowed): a failed or partial download? Nothing was recorded. If the list really shrank, run again with --allow-drop (or a higher --max-drop)",
                            item.candidate.display,
                            outline.list,
                            outline.published,
                            outline.ids.len(),
                            removed,
                            before.len(),
                            share,
                            max_drop
                        )));
                    }
                    outline.ids.clone()
                }
                Some(removed) => before
                    .into_iter()
                    .filter(|id| !removed.contains(id))
                    .chain(outline.ids.iter().copied())
                    .collect(),
            };
            simulated.insert(outline.list.clone(), (outline.published, after));
        }
    }
    Ok(())
}

/// A candidate read by [`prepare`]: its publications, provenance, warnings and, for standard
/// input, the bytes read (kept to be archived).
type PreparedRead = (Vec<Publication>, Provenance, Vec<String>, Option<Vec<u8>>);

/// Reads and parses a candidate and resolves its publications' dates and lists.
fn prepare(candidate: &Candidate, args: &Args) -> Result<PreparedRead, CliError> {
    let read = inputs::read(candidate, &args.read)?;
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
    let mut publications = Vec::new();
    for parsed in read.parsed.publications {
        if args
            .list
            .as_ref()
            .is_some_and(|wanted| wanted != &parsed.list)
        {
            continue;
        }
        publications.push(Publication {
            list: parsed.list,
            published: publication_date(args, parsed.stated_date, candidate)?,
            source: source_of(parsed.source, parsed.stated_date_text.as_deref(), candidate),
            content: parsed.content,
        });
    }
    Ok((
        publications,
        read.provenance,
        read.parsed.warnings,
        read.stdin_bytes,
    ))
}

pub(crate) fn run(context: &Context, mut args: Args) -> Result<Outcome, CliError> {
    args.read.list = args.list.clone();
    let (candidates, notes) = inputs::gather(&args.paths, args.read.forced())?;
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
    // Where each input's bytes can be had again, by SHA-256, should they be archived.
    let mut sources = archive::Sources::default();
    for candidate in candidates {
        if let Some(item) = prepare_streamed(&candidate, &args)? {
            sources.note(&item.candidate, &item.provenance, None)?;
            prepared.push(item);
            continue;
        }
        let (publications, provenance, warnings, stdin_bytes) = prepare(&candidate, &args)?;
        sources.note(&candidate, &provenance, stdin_bytes)?;
        let Some(first_date) = publications.iter().map(|p| p.published).min() else {
            continue;
        };
        if !args.allow_drop {
            for publication in &publications {
                refuse_empty(publication, &candidate)?;
            }
        }
        let outlines = if args.allow_drop {
            Vec::new()
        } else {
            publications.iter().map(Outline::of).collect()
        };
        kept += provenance.inputs.iter().map(|i| i.bytes).sum::<u64>();
        let keep = kept <= KEEP_BYTES || candidate.path.is_none();
        prepared.push(Prepared {
            candidate,
            first_date,
            provenance,
            warnings,
            publications: keep.then_some(publications),
            outlines,
            streamed: None,
        });
    }
    prepared.sort_by(|a, b| {
        (a.candidate.group, a.first_date, &a.candidate.display).cmp(&(
            b.candidate.group,
            b.first_date,
            &b.candidate.display,
        ))
    });

    let prepared = merge_same_day_deltas(prepared, !args.allow_drop);

    let mut store = context.open_store(Access::Write)?;
    if !args.allow_drop {
        refuse_drops(&store.view(), &prepared, args.max_drop)?;
    }
    let now = context.now()?;
    let archiving = archive::wanted(&store, args.archive, args.no_archive)?;
    let mut archived = archive::Archived::default();
    // Publications recorded, and publications already recorded.
    let mut counts = (0u64, 0u64);
    for mut item in prepared {
        if let Some(streamed) = item.streamed.take() {
            let (list, published) = (streamed.list.clone(), streamed.published);
            let last_date = store.view().last_date(&list)?;
            // `None`: a file read again for a correction or a backfill is recorded whole, below.
            if let Some(outcome) = record_streamed(&mut store, streamed, &item, &args, now)? {
                for warning in &item.warnings {
                    eprintln!("listdiff: warning: {warning}");
                }
                report(
                    &outcome,
                    (&list, published, last_date),
                    &item.candidate.display,
                    &mut counts,
                );
                if archiving {
                    archived.add(&item.provenance, (&list, published));
                }
                continue;
            }
        }
        let publications = match item.publications {
            Some(publications) => publications,
            None => {
                let (publications, provenance, _, _) = prepare(&item.candidate, &args)?;
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
        for mut publication in publications {
            for (old, new) in carry_renames(&store.view(), &mut publication)? {
                eprintln!(
                    "listdiff: note: {}: {} entry \"{new}\" is \"{old}\" renamed (same country and first citation): recorded as a change of \"{old}\"",
                    item.candidate.display, publication.list
                );
            }
            let last_date = store.view().last_date(&publication.list)?;
            let outcome = store.record(&publication, &item.provenance, now)?;
            let (list, published) = (publication.list.clone(), publication.published);
            // Freeing a large publication's many small allocations takes a while: do it beside.
            std::thread::spawn(move || drop(publication));
            report(
                &outcome,
                (&list, published, last_date),
                &item.candidate.display,
                &mut counts,
            );
            if archiving {
                archived.add(&item.provenance, (&list, published));
            }
        }
    }
    store.flush()?;
    if archiving {
        archived.write(&store, &args.read, &sources)?;
        archived.report(&store);
    }
    println!(
        "{} recorded, {} already recorded, in {}",
        counts.0,
        counts.1,
        store.path().display()
    );
    store.close()?;
    Ok(Outcome::Done)
}
