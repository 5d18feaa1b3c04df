//! Reads of a list's publications as a whole, for saying what an answer stands on and for
//! `listdiff lists`: which publications the answers fold, and how many entries one of them left
//! in force, without reading the entries.
//!
//! This is the one place the query floor learns which publications count (the *effective*
//! ones, in fold order): baselines, the basis of answers and the list summaries are all built on
//! [`View::publications`]. Its cost is one scan of the list's timeline keys.

use chrono::NaiveDate;

use super::event::EventContent;
use super::keys::FIRST_DATE;
use super::{StoreError, TimelineEvent, View};
use crate::model::{ChangeKind, ListId, PublicationKind};

impl View<'_> {
    /// The publications of `list` the answers fold, in fold order: the events that count
    /// ([`View::timeline`]: corrected and retracted ones left out).
    pub fn publications(&self, list: &ListId) -> Result<Vec<TimelineEvent>, StoreError> {
        self.timeline(list, FIRST_DATE, NaiveDate::MAX)
    }

    /// The latest event that counts of `list` dated on or before `through` (a correction is
    /// the event that counts in its publication's place): when the store last learned
    /// something of the list.
    pub fn last_event(&self, list: &ListId, through: NaiveDate) -> Result<Option<u64>, StoreError> {
        Ok(self
            .timeline(list, FIRST_DATE, through)?
            .iter()
            .map(|event| event.seq)
            .max())
    }

    /// How many entries of `list` are in force just after `publications[position]`, where
    /// `publications` is [`View::publications`] of `list` (or a prefix of it).
    ///
    /// Read from the indexes, not the entries: the entry count that the latest snapshot at or
    /// before `position` states in its header, plus the additions and less the removals that
    /// the amendments after it made (the `changes` index). The cost is one header and one change
    /// list per amendment since that snapshot; for a list published as snapshots, one header.
    pub fn entries_after(
        &self,
        list: &ListId,
        publications: &[TimelineEvent],
        position: usize,
    ) -> Result<u64, StoreError> {
        let Some(through) = publications.get(..=position) else {
            return Ok(0);
        };
        let start = through
            .iter()
            .rposition(|p| p.kind == PublicationKind::Snapshot);
        let (mut count, amendments) = match start {
            Some(at) => (self.snapshot_entries(through[at].seq)?, &through[at + 1..]),
            None => (0, through),
        };
        for amendment in amendments {
            for (id, kind) in self.changes_of(list, amendment.at)? {
                count = match kind {
                    ChangeKind::Added => count.saturating_add(1),
                    ChangeKind::Changed => count,
                    ChangeKind::Removed => count.checked_sub(1).ok_or_else(|| {
                        StoreError::Corrupt(format!(
                            "the changes index of {list} says event {} removed {id}, which was not in force",
                            amendment.seq
                        ))
                    })?,
                };
            }
        }
        Ok(count)
    }

    /// The entry count a snapshot's header states.
    fn snapshot_entries(&self, seq: u64) -> Result<u64, StoreError> {
        match self.index.event(seq)?.content {
            EventContent::SnapshotDelta { entries, .. } => Ok(entries),
            EventContent::Amendment { .. } => Err(StoreError::Corrupt(format!(
                "the timeline marks event {seq} as a snapshot, but its header describes an amendment"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};
    use proptest::prelude::*;

    use super::super::kv::MemKv;
    use super::super::*;
    use crate::model::{Amendment, Entry, EntryId, Publication, PublicationContent};

    fn day(offset: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 12, 1).unwrap() + Duration::days(offset)
    }

    fn entry(id: usize, name: usize) -> Entry {
        Entry::new(
            EntryId::new(&format!("e{id}")).unwrap(),
            ["Alpha", "Beta"][name],
        )
    }

    fn content() -> impl Strategy<Value = PublicationContent> {
        prop_oneof![
            proptest::collection::btree_map(0..6usize, 0..2usize, 0..6).prop_map(|m| {
                PublicationContent::Snapshot(m.into_iter().map(|(i, n)| entry(i, n)).collect())
            }),
            proptest::collection::btree_map(0..6usize, (0..3usize, 0..2usize), 0..5).prop_map(
                |ops| {
                    let mut a = Amendment::default();
                    for (i, (op, n)) in ops {
                        match op {
                            0 => a.add.push(entry(i, n)),
                            1 => a.amend.push(entry(i, n)),
                            _ => a.remove.push(entry(i, n).id),
                        }
                    }
                    PublicationContent::Amendment(a)
                }
            ),
        ]
    }

    fn record(kv: &MemKv, history: &[(i64, PublicationContent)]) {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        for (i, (offset, content)) in history.iter().enumerate() {
            let publication = Publication {
                list: ListId::new("l").unwrap(),
                published: day(*offset).into(),
                source: format!("test {i}"),
                content: content.clone(),
            };
            let provenance = Provenance::of_test_bytes(format!("{content:?}").as_bytes());
            record_into(
                kv,
                &publication,
                &provenance,
                t0 + Duration::seconds(i as i64),
                None,
            )
            .unwrap();
        }
    }

    proptest! {
        /// The count read from headers and change lists is the number of entries in force,
        /// after every publication, on histories with backfills and corrections.
        #[test]
        fn entries_after_counts_the_entries_in_force(
            history in proptest::collection::vec((0..6i64, content()), 1..12)
        ) {
            let kv = MemKv::default();
            record(&kv, &history);
            let view = View { index: super::super::index::Index::new(&kv), cap: None };
            let list = ListId::new("l").unwrap();
            let publications = view.publications(&list).unwrap();
            for (position, publication) in publications.iter().enumerate() {
                // The last publication of its date: after it, the state at the end of the date.
                if publications.get(position + 1).is_some_and(|next| next.published.date == publication.published.date) {
                    continue;
                }
                let in_force = view.ids_as_of(&list, publication.published.date).unwrap().len() as u64;
                prop_assert_eq!(
                    view.entries_after(&list, &publications, position).unwrap(),
                    in_force,
                    "after publication {} of {:?}", position, publications
                );
            }
        }
    }
}
