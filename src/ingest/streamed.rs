//! Large single-list snapshots, read one entry at a time: checked keeping only their ids in
//! memory and their entries in the spool, and recorded one entry at a time from the spool when
//! they are the list's latest publication.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::dates::source_of;
use super::guard::{Outline, refuse_no_entries};
use super::spool::{Frame, Span, Spool};
use super::{DropGuard, Held, IngestError, IngestOptions, Prepared, Progress, inputs};
use crate::model::{
    Entry, EntryId, Identity, ListId, Publication, PublicationContent, PublicationKind,
    PublicationTime,
};
use crate::store::{Provenance, RecordOutcome, Store, StoreError};

/// A large snapshot read one entry at a time during the checks.
pub(crate) struct Streamed {
    /// Its list.
    pub(crate) list: ListId,
    /// Its publication time.
    pub(crate) published: PublicationTime,
    /// Its entries as checked, in the spool, after a header naming the list, the date and the
    /// event's source.
    entries: Span,
}

impl Streamed {
    /// Where its entries are in the spool.
    pub(crate) fn span(&self) -> Span {
        self.entries
    }
}

/// What recording a snapshot read one entry at a time did.
pub(crate) enum StreamedRecord {
    /// Recorded one entry at a time (or found recorded already).
    Done(RecordOutcome),
    /// Not the list's latest publication (a correction, a backfill): to be recorded as a whole
    /// publication, here read back from the spool.
    Whole(Publication),
}

/// How many entries a streamed read reads between two reports of its progress.
const PROGRESS_EVERY: usize = 4096;

/// Reads a large single-list snapshot one entry at a time, keeping its ids for the checks and
/// writing its entries to `spool` and telling `progress` the entries read so far: `None` when
/// the candidate is not such a file.
pub(crate) fn prepare_streamed(
    candidate: &inputs::Candidate,
    options: &IngestOptions,
    spool: &mut Spool,
    progress: &dyn Progress,
) -> Result<Option<Prepared>, IngestError> {
    let Some(format) = inputs::streamed_format(candidate, &options.input)? else {
        return Ok(None);
    };
    let mut seen: HashSet<EntryId> = HashSet::new();
    let mut repeated: Option<EntryId> = None;
    // The frame is begun at the first entry (most files of these formats are small and read
    // whole instead); the header is written last, when the list and date are known.
    let mut unused = Some(spool);
    let mut frame: Option<Frame<'_>> = None;
    let mut spool_error: Option<IngestError> = None;
    let mut sink = |entry: Entry| {
        if seen.len().is_multiple_of(PROGRESS_EVERY) {
            progress.entries_read(seen.len() as u64);
        }
        if !seen.insert(entry.id.clone()) && repeated.is_none() {
            repeated = Some(entry.id.clone());
        }
        if frame.is_none()
            && let Some(spool) = unused.take()
        {
            match spool.frame() {
                Ok(begun) => frame = Some(begun),
                Err(e) => spool_error = Some(e),
            }
        }
        if spool_error.is_none()
            && let Some(frame) = frame.as_mut()
            && let Err(e) = frame.entry(entry)
        {
            spool_error = Some(e);
        }
        Ok(())
    };
    let read = inputs::read_streamed(candidate, &options.input, format, &mut sink)?;
    if let Some(e) = spool_error {
        return Err(e);
    }
    let Some((streamed, provenance)) = read else {
        return Ok(None);
    };
    let mut frame = match (frame, unused) {
        (Some(frame), _) => frame,
        // No entry at all: an empty frame, for the header.
        (None, Some(spool)) => spool.frame()?,
        (None, None) => return Err(super::spool::damaged("no frame was begun")),
    };
    if let Some(id) = repeated {
        return Err(IngestError::DuplicateId {
            input: candidate.display.clone(),
            id,
        });
    }
    if let Some(wanted) = &options.input.list
        && wanted != &streamed.list
    {
        return Err(IngestError::ListNotHeld {
            input: candidate.display.clone(),
            list: wanted.clone(),
            held: streamed.list.to_string(),
        });
    }
    let mut undated = None;
    let published = super::dated(
        options,
        (streamed.stated_date, streamed.stated_date_text.as_deref()),
        &candidate.display,
        &mut undated,
    )?;
    let guarded = options.drop_guard != DropGuard::Off;
    if options.drop_guard.guards(&streamed.list) {
        refuse_no_entries(
            streamed.entries,
            &streamed.list,
            published.date,
            &candidate.display,
        )?;
    }
    let source = match &options.source {
        Some(given) => given.clone(),
        None => source_of(
            None,
            streamed.stated_date_text.as_deref(),
            &candidate.display,
        ),
    };
    frame.header(
        &streamed.list,
        published,
        &source,
        PublicationKind::Snapshot,
    )?;
    let entries = frame.finish()?;
    let outlines = if guarded {
        vec![Outline::of_streamed_snapshot(
            streamed.list.clone(),
            published.date,
            &seen,
        )]
    } else {
        Vec::new()
    };
    Ok(Some(Prepared {
        candidate: candidate.clone(),
        first_date: published,
        // Set by the caller, which knows the options.
        read_key: None,
        provenance,
        warnings: streamed.warnings,
        undated: undated.is_some(),
        notes: undated.into_iter().collect(),
        ends: Vec::new(),
        dated: vec![Identity::of(
            &streamed.list,
            published,
            PublicationKind::Snapshot,
            &source,
        )],
        held: Held::Streamed(Streamed {
            list: streamed.list,
            published,
            entries,
        }),
        outlines,
    }))
}

/// Records a snapshot prepared by [`prepare_streamed`] from the entries held in `spool`: one
/// entry at a time into the store when it is the list's latest publication; else, or when
/// `whole` (an explicit correction), gives it back whole, to be recorded as a publication (a
/// correction, a backfill).
pub(crate) fn record_streamed(
    store: &mut Store,
    spool: &mut Spool,
    streamed: Streamed,
    provenance: &Provenance,
    (now, whole): (DateTime<Utc>, bool),
) -> Result<StreamedRecord, IngestError> {
    let Streamed {
        list,
        published,
        entries,
    } = streamed;
    if let Some(seq) = store.recorded_as(&list, published, &provenance.sha256)? {
        return Ok(StreamedRecord::Done(RecordOutcome::AlreadyRecorded { seq }));
    }
    let mut frames = spool.read(entries)?;
    // The entries come first, the header (with the source) after them.
    let digest = match whole {
        true => None,
        false => store.snapshot_digest(&list, published, &provenance.sha256)?,
    };
    let Some(mut digest) = digest else {
        let mut held = Vec::new();
        frames.each_entry(|entry| {
            held.push(entry);
            Ok(())
        })?;
        let (_, _, source) = header(&mut frames, &list, published)?;
        return Ok(StreamedRecord::Whole(Publication {
            list,
            published,
            source,
            content: PublicationContent::Snapshot(held),
        }));
    };
    let mut store_error: Option<StoreError> = None;
    frames.each_entry(|entry| {
        if store_error.is_none()
            && let Err(e) = store.digest_entry(&mut digest, entry)
        {
            store_error = Some(e);
        }
        Ok(())
    })?;
    if let Some(e) = store_error {
        return Err(e.into());
    }
    let (_, _, source) = header(&mut frames, &list, published)?;
    Ok(StreamedRecord::Done(
        store.record_digest(digest, &source, provenance, now)?,
    ))
}

/// The header after a streamed snapshot's entries, which must be of `list` and `published`.
fn header(
    frames: &mut super::spool::Frames<'_>,
    list: &ListId,
    published: PublicationTime,
) -> Result<(ListId, PublicationTime, String), IngestError> {
    match frames.next_header()? {
        Some((held_list, held_date, source)) if &held_list == list && held_date == published => {
            Ok((held_list, held_date, source))
        }
        _ => Err(super::spool::damaged(
            "a streamed snapshot's entries are not followed by its header",
        )),
    }
}
