//! What an event recorded, for checking it again: its inputs and parser (the provenance a
//! reparse needs) and its content as it stands in the log: an amendment's operations, or a
//! snapshot's whole entry set, rebuilt from the events before it and its own block.

use std::collections::BTreeMap;

use super::event::{EventContent, EventRecord, LogRecord};
use super::index::{self, Index};
use super::records::Point;
use super::{InputDigest, KnownAt, Store, StoreError};
use crate::model::{Entry, EntryId, ListId, PublicationKind, PublicationTime};

/// An event's provenance: where its content came from and which parser made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventInputs {
    /// The event.
    pub seq: u64,
    /// Its list.
    pub list: ListId,
    /// Its publication time.
    pub published: PublicationTime,
    /// Snapshot or amendment.
    pub kind: PublicationKind,
    /// SHA-256 of its input bytes (or of the manifest of several files).
    pub sha256: String,
    /// Every input file, with the SHA-256 of its exact bytes.
    pub inputs: Vec<InputDigest>,
    /// The format name.
    pub format: String,
    /// The program and parser that produced its content, e.g. `listdiff 0.1.0 ofac-sdn-csv/1`.
    pub parser: String,
    /// The event that this one corrects.
    pub supersedes: Option<u64>,
}

impl EventInputs {
    /// What a publication's header says of its provenance.
    pub(super) fn of(record: EventRecord) -> EventInputs {
        EventInputs {
            seq: record.seq,
            list: record.list,
            published: record.published,
            kind: record.kind,
            sha256: record.sha256,
            inputs: record.inputs,
            format: record.format,
            parser: record.parser,
            supersedes: record.supersedes,
        }
    }
}

/// A snapshot event's summary of its full entry set, enough for a cheap comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotSummary {
    /// How many entries the full snapshot has.
    pub entries: u64,
    /// SHA-256 over the entries' own SHA-256s in id order.
    pub entries_sha256: String,
}

/// An amendment event's operations as recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordedAmendment {
    /// Entries added.
    pub add: Vec<Entry>,
    /// Entries replaced.
    pub amend: Vec<Entry>,
    /// Ids removed.
    pub remove: Vec<EntryId>,
}

impl Store {
    /// The provenance of every recorded publication (every event but retractions), in
    /// recording order.
    pub fn event_inputs(&self) -> Result<Vec<EventInputs>, StoreError> {
        let mut inputs = Vec::new();
        for record in Index::new(&self.kv).events() {
            if let LogRecord::Publication(record) = record? {
                inputs.push(EventInputs::of(*record));
            }
        }
        Ok(inputs)
    }

    /// A snapshot event's entry count and `entries_sha256`; `None` for an amendment.
    pub fn snapshot_summary(&self, seq: u64) -> Result<Option<SnapshotSummary>, StoreError> {
        match Index::new(&self.kv).event(seq)?.content {
            EventContent::SnapshotDelta {
                entries,
                entries_sha256,
                ..
            } => Ok(Some(SnapshotSummary {
                entries,
                entries_sha256,
            })),
            EventContent::Amendment { .. } => Ok(None),
        }
    }

    /// An amendment event's operations as its block and header record them (the block checked
    /// against its hash); `None` for a snapshot.
    pub fn recorded_amendment(&self, seq: u64) -> Result<Option<RecordedAmendment>, StoreError> {
        let index = Index::new(&self.kv);
        let record = index.event(seq)?;
        let EventContent::Amendment { add, remove, .. } = &record.content else {
            return Ok(None);
        };
        let mut entries = decode(seq, index.sealed_block(&record)?)?;
        let amend = entries.split_off((*add as usize).min(entries.len()));
        Ok(Some(RecordedAmendment {
            add: entries,
            amend,
            remove: remove.clone(),
        }))
    }

    /// The store as it stood just before event `seq` was recorded: events 1 to `seq - 1`
    /// replayed into memory. This is what recording `seq` compared against.
    pub fn before_event(&self, seq: u64) -> Result<KnownAt<'_>, StoreError> {
        self.replayed_prefix(|record| record.seq() >= seq)
    }

    /// A snapshot event's full entry set, by id: the list just after its place when the log is
    /// replayed up to it (a snapshot replaces the whole list). Checked against the
    /// `entries_sha256` it was recorded with. `None` for an amendment.
    pub fn recorded_snapshot(
        &self,
        seq: u64,
    ) -> Result<Option<BTreeMap<EntryId, Entry>>, StoreError> {
        let index = Index::new(&self.kv);
        let record = index.event(seq)?;
        if !matches!(record.content, EventContent::SnapshotDelta { .. }) {
            return Ok(None);
        }
        let place = Point::at(record.published, index.first_of(seq)?);
        let state = index::recorded_state(&self.kv, &record, place)?;
        state
            .into_values()
            .map(|slot| index.entry(slot.at).map(|e| (e.id.clone(), e)))
            .collect::<Result<_, _>>()
            .map(Some)
    }
}

/// `entries_sha256` of a snapshot: SHA-256 over its entries' SHA-256s, in id order (the
/// caller's order).
pub fn entries_hash(hashes_in_id_order: &[[u8; 32]]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for hash in hashes_in_id_order {
        hasher.update(hash);
    }
    hex::encode(hasher.finalize())
}

fn decode(seq: u64, sealed: Vec<index::Sealed>) -> Result<Vec<Entry>, StoreError> {
    sealed
        .into_iter()
        .map(|s| {
            serde_json::from_slice::<Entry>(&s.json).map_err(|e| {
                StoreError::Corrupt(format!(
                    "event {seq}: a stored entry does not read back: {e}"
                ))
            })
        })
        .collect()
}
