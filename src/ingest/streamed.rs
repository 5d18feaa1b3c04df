//! Large single-list snapshots, read one entry at a time: checked keeping only their ids (and,
//! for formats that read the whole file before giving entries, their entries compressed), and
//! recorded one entry at a time when they are the list's latest publication.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};

use super::dates::{publication_date, source_of};
use super::guard::{Outline, refuse_no_entries};
use super::inputs::{self, InputOptions};
use super::{DropGuard, IngestError, IngestOptions, Prepared};
use crate::formats::{EntrySpool, Format, FormatError, Location};
use crate::model::{Entry, EntryId, ListId, Publication, PublicationContent};
use crate::store::{RecordOutcome, SnapshotDigest, Store, StoreError};

/// A large snapshot read one entry at a time during the checks.
pub(crate) struct Streamed {
    /// Its list.
    pub(crate) list: ListId,
    /// Its publication date.
    pub(crate) published: NaiveDate,
    /// The event's source.
    source: String,
    /// Its entries, kept compressed until they are recorded, for formats that read the whole
    /// file before giving entries (reading it again would cost that again); `None` for a format
    /// that reads one record at a time, whose file is simply read again.
    spool: Option<EntrySpool>,
}

/// Reads a large single-list snapshot one entry at a time, keeping only what the checks need:
/// `None` when the candidate is not such a file.
pub(crate) fn prepare_streamed(
    candidate: &inputs::Candidate,
    options: &IngestOptions,
) -> Result<Option<Prepared>, IngestError> {
    let Some(format) = inputs::streamed_format(candidate, &options.input)? else {
        return Ok(None);
    };
    let truly_streams = format.reads_records();
    let mut seen: HashSet<EntryId> = HashSet::new();
    let mut repeated: Option<EntryId> = None;
    let mut spool = EntrySpool::default();
    let mut sink = |entry: Entry| {
        if !truly_streams {
            spool.push(&entry);
        }
        if !seen.insert(entry.id.clone()) && repeated.is_none() {
            repeated = Some(entry.id);
        }
        Ok(())
    };
    let Some((streamed, provenance)) =
        inputs::read_streamed(candidate, &options.input, format, &mut sink)?
    else {
        return Ok(None);
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
    let published = publication_date(options.published, streamed.stated_date, &candidate.display)?;
    let guarded = options.drop_guard != DropGuard::Off;
    if guarded {
        refuse_no_entries(
            streamed.entries,
            &streamed.list,
            published,
            &candidate.display,
        )?;
    }
    let source = source_of(
        None,
        streamed.stated_date_text.as_deref(),
        &candidate.display,
    );
    let outlines = if guarded {
        vec![Outline::of_streamed_snapshot(
            streamed.list.clone(),
            published,
            &seen,
        )]
    } else {
        Vec::new()
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

/// Records a snapshot prepared by [`prepare_streamed`]: one entry at a time into the store
/// when it is the list's latest publication; `None` when it must be recorded as a whole
/// publication instead (a correction, a backfill), read again.
pub(crate) fn record_streamed(
    store: &mut Store,
    streamed: Streamed,
    item: &Prepared,
    options: &InputOptions,
    now: DateTime<Utc>,
) -> Result<Option<RecordOutcome>, IngestError> {
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
    let digest = match (spool, digest) {
        (None, None) => return Ok(None),
        (None, Some(digest)) => match digest_read_again(store, digest, item, options)? {
            Some(digest) => digest,
            None => return Ok(None),
        },
        (Some(spool), None) => {
            let mut entries = Vec::with_capacity(spool.len());
            spool
                .each(|_, entry| entries.push(entry))
                .map_err(|message| held_error(item, message))?;
            let publication = Publication {
                list,
                published,
                source,
                content: PublicationContent::Snapshot(entries),
            };
            return Ok(Some(store.record(&publication, provenance, now)?));
        }
        (Some(spool), Some(digest)) => digest_spooled(store, digest, spool, item)?,
    };
    Ok(Some(store.record_digest(digest, &source, provenance, now)?))
}

/// Entries held compressed that do not read back, as an error naming the input.
fn held_error(item: &Prepared, message: String) -> IngestError {
    IngestError::HeldEntries {
        input: item.candidate.display.clone(),
        message,
    }
}

/// Gives `digest` the entries of the item's file, read again one record at a time; `None`
/// when the file is no longer read so (it must be read whole).
fn digest_read_again(
    store: &Store,
    mut digest: SnapshotDigest,
    item: &Prepared,
    options: &InputOptions,
) -> Result<Option<SnapshotDigest>, IngestError> {
    let Some(format) = Format::from_name(&item.provenance.format) else {
        return Ok(None);
    };
    let mut store_error: Option<StoreError> = None;
    let read = {
        let mut sink = |entry: Entry| {
            store.digest_entry(&mut digest, entry).map_err(|e| {
                let message = e.to_string();
                store_error = Some(e);
                FormatError::new(&item.candidate.display, Location::File, message)
            })
        };
        inputs::read_streamed(&item.candidate, options, format, &mut sink)
    };
    if let Some(e) = store_error {
        return Err(e.into());
    }
    let Some((_, reread)) = read? else {
        return Ok(None);
    };
    if reread.sha256 != item.provenance.sha256 {
        return Err(IngestError::Changed {
            input: item.candidate.display.clone(),
        });
    }
    Ok(Some(digest))
}

/// Gives `digest` the entries held in `spool`.
fn digest_spooled(
    store: &Store,
    mut digest: SnapshotDigest,
    spool: EntrySpool,
    item: &Prepared,
) -> Result<SnapshotDigest, IngestError> {
    let mut store_error = None;
    spool
        .each(|_, entry| {
            if store_error.is_none()
                && let Err(e) = store.digest_entry(&mut digest, entry)
            {
                store_error = Some(e);
            }
        })
        .map_err(|message| held_error(item, message))?;
    match store_error {
        Some(e) => Err(e.into()),
        None => Ok(digest),
    }
}
