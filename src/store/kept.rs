//! A list's entry records read once for an ingest (issue 15): the drop guard reads them to count
//! the entries in force before a snapshot, and the planning of that snapshot's event reads them
//! again to compare hashes. [`KeptRecords`] holds what the first read got, tagged with the
//! length of the log it was read at, so that the second takes it instead of reading again; it
//! is used only while the log has not grown since (every event, publication or retraction,
//! advances the log's next sequence number, and only events write entry records).

use std::sync::Mutex;

use super::StoreError;
use super::keys;
use super::kv::{Kv, Pair, Tree};
use super::records::{EntryRecord, Point};
use crate::model::{EntryId, ListId};

/// The entry records of one list, raw, as read when the log's next sequence number was
/// `next_seq`.
pub(crate) struct KeptRecords {
    /// The list whose records these are.
    list: ListId,
    /// The log's next sequence number when they were read.
    next_seq: u64,
    /// The records, key and value, in key (id) order.
    pairs: Vec<Pair>,
}

impl KeptRecords {
    /// Reads every entry record of `list`.
    pub(crate) fn read(kv: &dyn Kv, list: &ListId) -> Result<KeptRecords, StoreError> {
        let next_seq = super::next_seq(kv)?;
        let prefix = keys::list_prefix(list);
        let pairs = kv
            .range(Tree::Entries, &prefix, &keys::successor(&prefix))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(KeptRecords {
            list: list.clone(),
            next_seq,
            pairs,
        })
    }

    /// True when these are the records of `list` as they stand when the log's next sequence
    /// number is `next_seq`.
    pub(crate) fn hold(&self, list: &ListId, next_seq: u64) -> bool {
        self.list == *list && self.next_seq == next_seq
    }

    /// The ids of the entries in force strictly before `bound`, in id order (what
    /// `Index::ids_before` reads).
    pub(crate) fn ids_before(&self, bound: Point) -> Result<Vec<EntryId>, StoreError> {
        let prefix_len = keys::list_prefix(&self.list).len();
        let mut ids = Vec::new();
        for (key, value) in &self.pairs {
            if EntryRecord::slot_before_encoded(value, bound)?.is_some() {
                ids.push(super::index::key_id(key, prefix_len)?);
            }
        }
        Ok(ids)
    }

    /// The records, key and value, in key order.
    pub(crate) fn into_pairs(self) -> Vec<Pair> {
        self.pairs
    }
}

/// The one list's records a store keeps between the drop guard and the planning of the next
/// event (see the module documentation).
#[derive(Default)]
pub(crate) struct KeptSlot(Mutex<Option<KeptRecords>>);

impl KeptSlot {
    /// Keeps `records`, in place of any kept before.
    pub(crate) fn keep(&self, records: KeptRecords) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(records);
    }

    /// The records kept, if any, no longer kept.
    pub(crate) fn take(&self) -> Option<KeptRecords> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// Calls `f` with the records kept, when they are those of `list` at `next_seq`.
    pub(crate) fn with<T>(
        &self,
        list: &ListId,
        next_seq: u64,
        f: impl FnOnce(&KeptRecords) -> T,
    ) -> Option<T> {
        let kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        kept.as_ref()
            .filter(|records| records.hold(list, next_seq))
            .map(f)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

    use chrono::{NaiveDate, TimeZone, Utc};

    use super::*;
    use crate::model::{Entry, Publication, PublicationContent};
    use crate::store::kv::MemKv;
    use crate::store::{Provenance, record_into};

    /// A snapshot of `list` on day `day` of December 2024 holding entries `ids`.
    fn snapshot(list: &ListId, day: u32, ids: &[&str]) -> Publication {
        Publication {
            list: list.clone(),
            published: NaiveDate::from_ymd_opt(2024, 12, day).unwrap().into(),
            source: format!("s{day}"),
            content: PublicationContent::Snapshot(
                ids.iter()
                    .map(|id| Entry::new(EntryId::new(id).unwrap(), "Name"))
                    .collect(),
            ),
        }
    }

    fn record(kv: &MemKv, publication: &Publication) {
        let provenance = Provenance::of_test_bytes(publication.source.as_bytes());
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        record_into(kv, publication, &provenance, now, None).unwrap();
    }

    #[test]
    fn kept_records_hold_for_their_list_only_while_the_log_has_not_grown() {
        let kv = MemKv::default();
        let (list, other) = (ListId::new("l").unwrap(), ListId::new("m").unwrap());
        record(&kv, &snapshot(&list, 1, &["a", "b"]));
        let kept = KeptRecords::read(&kv, &list).unwrap();
        let next = super::super::next_seq(&kv).unwrap();
        assert!(kept.hold(&list, next));
        assert!(!kept.hold(&other, next), "another list's");
        let end_of_first = Point::end_of(NaiveDate::from_ymd_opt(2024, 12, 1).unwrap());
        let ids: Vec<String> = kept
            .ids_before(end_of_first)
            .unwrap()
            .iter()
            .map(|id| id.as_str().to_string())
            .collect();
        assert_eq!(ids, ["a", "b"]);
        // Any event, of any list, grows the log: what was kept no longer holds.
        record(&kv, &snapshot(&other, 2, &["x"]));
        assert!(!kept.hold(&list, super::super::next_seq(&kv).unwrap()));
    }
}
