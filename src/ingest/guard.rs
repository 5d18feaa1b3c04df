//! The broken-feed guard: a snapshot that is empty, or that would remove more than a share of
//! the entries in force the day before it, is refused before anything is recorded.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use chrono::NaiveDate;

use super::IngestError;
use crate::model::{EntryId, ListId, Publication, PublicationContent, rename};
use crate::store::StoreError;

/// The ids a publication states, as 64-bit hashes: enough to count what a snapshot removes,
/// kept even when the publication itself is not.
#[derive(Clone, Debug)]
pub(crate) struct Outline {
    /// The publication's list.
    pub(crate) list: ListId,
    /// Its date.
    pub(crate) published: NaiveDate,
    /// For a snapshot, every id it holds; for an amendment, the ids it adds or amends.
    pub(crate) ids: HashSet<u64>,
    /// For an amendment, the ids it removes; `None` for a snapshot.
    pub(crate) removed: Option<HashSet<u64>>,
    /// For a snapshot, the ids of its entries with a rename key (which may be renames of
    /// entries that seem to depart).
    pub(crate) renamable: HashSet<u64>,
}

/// An entry id as an [`Outline`] holds it.
pub(crate) fn id_hash(id: &EntryId) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    id.as_str().hash(&mut hasher);
    hasher.finish()
}

impl Outline {
    /// The outline of a publication.
    pub(crate) fn of(publication: &Publication) -> Outline {
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

    /// The outline of a snapshot read one entry at a time: its ids, and none renamable (a list
    /// keyed by name is never streamed).
    pub(crate) fn of_streamed_snapshot(
        list: ListId,
        published: NaiveDate,
        ids: &HashSet<EntryId>,
    ) -> Outline {
        Outline {
            list,
            published,
            ids: ids.iter().map(id_hash).collect(),
            removed: None,
            renamable: HashSet::new(),
        }
    }

    /// How many of the entries in force before this snapshot (`before`) it removes, not counting
    /// those that may be renamed (an arriving entry with a rename key may be a departing one
    /// renamed).
    fn removes(&self, before: &HashSet<u64>) -> usize {
        let renames = self.renamable.difference(before).count();
        before.difference(&self.ids).count().saturating_sub(renames)
    }

    /// The ids in force after this publication, given those in force before it.
    fn apply(&self, before: HashSet<u64>) -> HashSet<u64> {
        match &self.removed {
            None => self.ids.clone(),
            Some(removed) => before
                .into_iter()
                .filter(|id| !removed.contains(id))
                .chain(self.ids.iter().copied())
                .collect(),
        }
    }
}

/// Refuses a publication that is an empty snapshot.
pub(crate) fn refuse_empty(publication: &Publication, input: &str) -> Result<(), IngestError> {
    match &publication.content {
        PublicationContent::Snapshot(entries) => refuse_no_entries(
            entries.len(),
            &publication.list,
            publication.published,
            input,
        ),
        PublicationContent::Amendment(_) => Ok(()),
    }
}

/// Refuses a snapshot of `count` entries when it has none.
pub(crate) fn refuse_no_entries(
    count: usize,
    list: &ListId,
    published: NaiveDate,
    input: &str,
) -> Result<(), IngestError> {
    if count == 0 {
        return Err(IngestError::EmptySnapshot {
            input: input.to_string(),
            list: list.clone(),
            published,
        });
    }
    Ok(())
}

/// Refuses any snapshot that would remove more than `max_drop` percent of its list, checking the
/// publications of an ingest in recording order, each (given with the input it came from)
/// against the ones before it in the ingest or, for the first of its list or one dated before
/// those, against `in_force(list, day)`: the ids in force at the end of `day` in the store.
pub(crate) fn refuse_drops<'a>(
    outlines: impl IntoIterator<Item = (&'a str, &'a Outline)>,
    max_drop: f64,
    mut in_force: impl FnMut(&ListId, NaiveDate) -> Result<HashSet<u64>, StoreError>,
) -> Result<(), IngestError> {
    // Per list: the date of the last publication seen in this ingest and the ids after it.
    let mut simulated: HashMap<ListId, (NaiveDate, HashSet<u64>)> = HashMap::new();
    for (input, outline) in outlines {
        let before = match simulated.remove(&outline.list) {
            Some((date, ids)) if date <= outline.published => ids,
            _ => match outline.published.pred_opt() {
                Some(day_before) => in_force(&outline.list, day_before)?,
                None => HashSet::new(),
            },
        };
        if outline.removed.is_none() {
            let removed = outline.removes(&before);
            let share = 100.0 * removed as f64 / before.len().max(1) as f64;
            if removed > 0 && share > max_drop {
                return Err(IngestError::WouldDrop {
                    input: input.to_string(),
                    list: outline.list.clone(),
                    published: outline.published,
                    holds: outline.ids.len(),
                    removed,
                    in_force: before.len(),
                    share,
                    max_drop,
                });
            }
        }
        let after = outline.apply(before);
        simulated.insert(outline.list.clone(), (outline.published, after));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Amendment, Entry};
    use serde_json::json;

    fn list() -> ListId {
        ListId::new("test-list").expect("a list id")
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("a test date")
    }

    fn entry(id: &str, rename_key: Option<&str>) -> Entry {
        let mut entry = Entry::new(EntryId::new(id).expect("an entry id"), id);
        if let Some(key) = rename_key {
            entry.extra.insert(rename::RENAME_KEY.into(), json!(key));
        }
        entry
    }

    fn snapshot(published: &str, entries: Vec<Entry>) -> Outline {
        Outline::of(&Publication {
            list: list(),
            published: date(published),
            source: "test".into(),
            content: PublicationContent::Snapshot(entries),
        })
    }

    fn numbered(range: std::ops::Range<usize>) -> Vec<Entry> {
        range.map(|i| entry(&format!("e{i}"), None)).collect()
    }

    fn hashes(entries: &[Entry]) -> HashSet<u64> {
        entries.iter().map(|e| id_hash(&e.id)).collect()
    }

    /// Runs the guard over `outlines` against a store holding `in_force` every day.
    fn guard(outlines: &[Outline], in_force: &[Entry], max_drop: f64) -> Result<(), IngestError> {
        let store = hashes(in_force);
        refuse_drops(outlines.iter().map(|o| ("input", o)), max_drop, |_, _| {
            Ok(store.clone())
        })
    }

    #[test]
    fn a_snapshot_removing_more_than_allowed_is_refused_with_the_counts() {
        let outlines = [snapshot("2024-03-05", numbered(0..20))];
        let error = guard(&outlines, &numbered(0..30), 20.0).expect_err("refused");
        let IngestError::WouldDrop {
            holds,
            removed,
            in_force,
            ..
        } = &error
        else {
            panic!("not a drop refusal: {error}");
        };
        assert_eq!((*holds, *removed, *in_force), (20, 10, 30));
        assert!(
            error.to_string().contains(
                "holds 20 entries and would remove 10 of the 30 in force (33.3%, more than the 20% allowed)"
            ),
            "{error}"
        );
        assert!(guard(&outlines, &numbered(0..30), 34.0).is_ok());
    }

    #[test]
    fn entries_that_may_be_renamed_are_not_counted_as_removed() {
        // Ten entries depart; ten arrive with rename keys, so each may be a departing one
        // renamed: nothing counts as removed.
        let before: Vec<Entry> = (0..20)
            .map(|i| entry(&format!("old{i}"), Some(&format!("k{i}"))))
            .collect();
        let mut after: Vec<Entry> = before[..10].to_vec();
        after.extend((10..20).map(|i| entry(&format!("new{i}"), Some(&format!("k{i}")))));
        let outlines = [snapshot("2024-03-05", after.clone())];
        assert!(guard(&outlines, &before, 20.0).is_ok());

        // Without rename keys the same change removes half the list.
        let plain: Vec<Entry> = after.iter().map(|e| entry(e.id.as_str(), None)).collect();
        let outlines = [snapshot("2024-03-05", plain)];
        assert!(matches!(
            guard(&outlines, &before, 20.0),
            Err(IngestError::WouldDrop { removed: 10, .. })
        ));
    }

    #[test]
    fn later_publications_of_one_ingest_are_checked_against_the_earlier_ones() {
        // The store holds nothing; the first snapshot brings 20 entries, the second keeps 10.
        let outlines = [
            snapshot("2024-03-04", numbered(0..20)),
            snapshot("2024-03-05", numbered(0..10)),
        ];
        assert!(matches!(
            guard(&outlines, &[], 20.0),
            Err(IngestError::WouldDrop {
                removed: 10,
                in_force: 20,
                ..
            })
        ));
    }

    #[test]
    fn an_amendment_changes_what_the_next_snapshot_is_checked_against() {
        let amendment = Outline::of(&Publication {
            list: list(),
            published: date("2024-03-05"),
            source: "test".into(),
            content: PublicationContent::Amendment(Amendment {
                add: Vec::new(),
                amend: Vec::new(),
                remove: numbered(0..10).into_iter().map(|e| e.id).collect(),
            }),
        });
        // The amendment itself is never refused; the snapshot after it removes nothing more.
        let outlines = [amendment, snapshot("2024-03-06", numbered(10..20))];
        assert!(guard(&outlines, &numbered(0..20), 20.0).is_ok());
    }

    #[test]
    fn a_publication_dated_before_the_ingests_last_is_checked_against_the_store() {
        let outlines = [
            snapshot("2024-03-06", numbered(0..60)),
            // A backfill: checked against the store's 30 entries (2 removed), not against the
            // 60 of the snapshot before it in the ingest (32 removed).
            snapshot("2024-03-01", numbered(0..28)),
        ];
        assert!(guard(&outlines, &numbered(0..30), 20.0).is_ok());
    }

    #[test]
    fn an_empty_snapshot_is_refused_and_an_empty_amendment_is_not() {
        let empty = Publication {
            list: list(),
            published: date("2024-03-05"),
            source: "test".into(),
            content: PublicationContent::Snapshot(Vec::new()),
        };
        let error = refuse_empty(&empty, "a.json").expect_err("refused");
        assert!(
            error.to_string().starts_with(
                "a.json: refused: this snapshot of test-list dated 2024-03-05 holds no entries"
            ),
            "{error}"
        );
        let amendment = Publication {
            content: PublicationContent::Amendment(Amendment::default()),
            ..empty
        };
        assert!(refuse_empty(&amendment, "a.json").is_ok());
    }
}
