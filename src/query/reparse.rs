//! Reparse: what an event recorded against what the current parsers read from its archived
//! inputs (read by the caller). A snapshot is first compared by its entries' hash, which costs
//! nothing from the store; only when that differs (or the list is keyed by name, so renames must
//! be carried as at recording) is the store as it stood before the event replayed in memory to
//! rebuild the recorded snapshot entry by entry.

use std::collections::BTreeMap;

use super::QueryError;
use crate::ingest::carry_renames_in_store;
use crate::model::reparse::{ReparseDifference, compare_amendments, compare_snapshots};
use crate::model::{Amendment, Entry, EntryId, PublicationContent, id_order, rename};
use crate::store::{EventInputs, Store, entries_hash};

/// The difference between what event `event` recorded and `reparsed`, the content the current
/// parsers read from its archived inputs; `reparsed` must be of the event's kind. Ids are listed
/// in [`id_order`] (numeric ids by number).
pub fn compare_event(
    store: &Store,
    event: &EventInputs,
    reparsed: PublicationContent,
) -> Result<ReparseDifference, QueryError> {
    let mut difference = compare_unordered(store, event, reparsed)?;
    difference.added.sort_by(id_order);
    difference.removed.sort_by(id_order);
    difference.changed.sort_by(|a, b| id_order(&a.id, &b.id));
    Ok(difference)
}

/// [`compare_event`], the ids in text order.
fn compare_unordered(
    store: &Store,
    event: &EventInputs,
    reparsed: PublicationContent,
) -> Result<ReparseDifference, QueryError> {
    match reparsed {
        PublicationContent::Amendment(reparsed) => {
            let recorded = store.recorded_amendment(event.seq)?.ok_or_else(|| {
                QueryError::Invalid(format!("event {} is not an amendment", event.seq))
            })?;
            let recorded = Amendment {
                add: recorded.add,
                amend: recorded.amend,
                remove: recorded.remove,
            };
            Ok(compare_amendments(&recorded, &reparsed))
        }
        PublicationContent::Snapshot(mut entries) => {
            let summary = store.snapshot_summary(event.seq)?.ok_or_else(|| {
                QueryError::Invalid(format!("event {} is not a snapshot", event.seq))
            })?;
            if entries.iter().any(|e| rename::rename_key(e).is_some()) {
                // Renames carried as `ingest` carried them when it recorded the event.
                let past = store.before_event(event.seq)?;
                carry_renames_in_store(&past.view(), &event.list, event.published, &mut entries)?;
            }
            let reparsed: BTreeMap<EntryId, Entry> =
                entries.into_iter().map(|e| (e.id.clone(), e)).collect();
            let hashes: Vec<[u8; 32]> = reparsed.values().map(|e| e.content_hash().0).collect();
            if reparsed.len() as u64 == summary.entries
                && entries_hash(&hashes) == summary.entries_sha256
            {
                return Ok(ReparseDifference::default());
            }
            let recorded = store.recorded_snapshot(event.seq)?.unwrap_or_default();
            Ok(compare_snapshots(&recorded, &reparsed))
        }
    }
}
