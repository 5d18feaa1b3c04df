//! The broken-feed guard: a snapshot that is empty, or that would remove more than a share of
//! the entries in force the day before it, is refused before anything is recorded.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use chrono::NaiveDate;

use super::IngestError;
use crate::model::{Entry, EntryId, ListId, Publication, PublicationContent, rename};
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
    /// The rename keys (hashed) of its entries that have one, by id: an arriving entry of a
    /// snapshot may be a departing one renamed ([`rename::carry_renamed_ids`]).
    pub(crate) renamable: HashMap<u64, u64>,
}

/// An entry id as an [`Outline`] holds it.
pub(crate) fn id_hash(id: &EntryId) -> u64 {
    text_hash(id.as_str())
}

/// A rename key (or any text) as an [`Outline`] holds it.
fn text_hash(text: &str) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// The rename keys (hashed) of the entries that have one, by id hash.
fn renamable<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> HashMap<u64, u64> {
    entries
        .into_iter()
        .filter_map(|e| Some((id_hash(&e.id), text_hash(&rename::rename_key(e)?))))
        .collect()
}

/// A list as the guard sees it: the ids in force and, for lists whose entries have rename keys,
/// their keys.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct InForce {
    /// The ids in force.
    pub(crate) ids: HashSet<u64>,
    /// The rename key of each id in force that has one (empty when not asked for).
    pub(crate) keys: HashMap<u64, u64>,
}

impl InForce {
    /// The guard's view of the entries in force, with their rename keys.
    pub(crate) fn of_entries<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> InForce {
        let mut in_force = InForce::default();
        for entry in entries {
            let id = id_hash(&entry.id);
            in_force.ids.insert(id);
            if let Some(key) = rename::rename_key(entry) {
                in_force.keys.insert(id, text_hash(&key));
            }
        }
        in_force
    }

    /// The guard's view of the ids in force, without rename keys.
    pub(crate) fn of_ids<'a>(ids: impl IntoIterator<Item = &'a EntryId>) -> InForce {
        InForce {
            ids: ids.into_iter().map(id_hash).collect(),
            keys: HashMap::new(),
        }
    }
}

/// What a snapshot does to the entries in force before it, as the rename rule pairs them.
struct Judged {
    /// How many entries in force it removes: departing entries not paired with an arriving one.
    removed: usize,
    /// The list after it, renamed entries under their old ids.
    after: InForce,
}

impl Outline {
    /// The outline of a publication.
    pub(crate) fn of(publication: &Publication) -> Outline {
        let (ids, removed, renamable) = match &publication.content {
            PublicationContent::Snapshot(entries) => (
                entries.iter().map(|e| id_hash(&e.id)).collect(),
                None,
                renamable(entries),
            ),
            PublicationContent::Amendment(a) => (
                a.add
                    .iter()
                    .chain(&a.amend)
                    .map(|e| id_hash(&e.id))
                    .collect(),
                Some(a.remove.iter().map(id_hash).collect()),
                renamable(a.add.iter().chain(&a.amend)),
            ),
        };
        Outline {
            list: publication.list.clone(),
            published: publication.published.date,
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
            renamable: HashMap::new(),
        }
    }

    /// What this snapshot does to `before`, pairing renames by the rule the rename carry
    /// applies ([`rename::carry_renamed_ids`]): a departing entry and an arriving one whose
    /// rename key no other departing or arriving entry shares are one entry renamed, not a
    /// removal. An arriving entry with a key that pairs with nothing does not offset anything.
    fn judge(&self, before: &InForce) -> Judged {
        let departing: Vec<u64> = before
            .ids
            .iter()
            .filter(|id| !self.ids.contains(id))
            .copied()
            .collect();
        // Rename key → the one departing (or arriving) id with it, or None when several share it.
        fn unique(pairs: impl Iterator<Item = (u64, u64)>) -> HashMap<u64, Option<u64>> {
            let mut by_key: HashMap<u64, Option<u64>> = HashMap::new();
            for (id, key) in pairs {
                by_key
                    .entry(key)
                    .and_modify(|slot| *slot = None)
                    .or_insert(Some(id));
            }
            by_key
        }
        let departing_keys = unique(
            departing
                .iter()
                .filter_map(|id| Some((*id, *before.keys.get(id)?))),
        );
        let arriving_keys = unique(
            self.renamable
                .iter()
                .filter(|(id, _)| !before.ids.contains(id))
                .map(|(id, key)| (*id, *key)),
        );
        // New id → the old id it keeps.
        let pairs: HashMap<u64, u64> = arriving_keys
            .iter()
            .filter_map(|(key, new)| Some(((*new)?, departing_keys.get(key).copied().flatten()?)))
            .collect();
        let mut after = InForce::default();
        for id in &self.ids {
            let kept = pairs.get(id).copied().unwrap_or(*id);
            after.ids.insert(kept);
            if let Some(key) = self.renamable.get(id) {
                after.keys.insert(kept, *key);
            }
        }
        Judged {
            removed: departing.len().saturating_sub(pairs.len()),
            after,
        }
    }

    /// The list after this amendment, given the list before it.
    fn amend(&self, removed: &HashSet<u64>, mut before: InForce) -> InForce {
        before.ids.retain(|id| !removed.contains(id));
        before.keys.retain(|id, _| !removed.contains(id));
        for id in &self.ids {
            before.ids.insert(*id);
            match self.renamable.get(id) {
                Some(key) => before.keys.insert(*id, *key),
                None => before.keys.remove(id),
            };
        }
        before
    }
}

/// Refuses a publication that is an empty snapshot.
pub(crate) fn refuse_empty(publication: &Publication, input: &str) -> Result<(), IngestError> {
    match &publication.content {
        PublicationContent::Snapshot(entries) => refuse_no_entries(
            entries.len(),
            &publication.list,
            publication.published.date,
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
/// those, against `in_force(list, day, with_keys)`: the entries in force at the end of `day` in
/// the store, with their rename keys when `with_keys` (asked only for lists whose publications
/// in this ingest have entries with rename keys).
pub(crate) fn refuse_drops<'a>(
    outlines: impl IntoIterator<Item = (&'a str, &'a Outline)>,
    max_drop: f64,
    mut in_force: impl FnMut(&ListId, NaiveDate, bool) -> Result<InForce, StoreError>,
) -> Result<(), IngestError> {
    let outlines: Vec<(&str, &Outline)> = outlines.into_iter().collect();
    let keyed: HashSet<&ListId> = outlines
        .iter()
        .filter(|(_, o)| !o.renamable.is_empty())
        .map(|(_, o)| &o.list)
        .collect();
    // Per list: the date of the last publication seen in this ingest and the list after it.
    let mut simulated: HashMap<ListId, (NaiveDate, InForce)> = HashMap::new();
    for (input, outline) in outlines {
        let before = match simulated.remove(&outline.list) {
            Some((date, state)) if date <= outline.published => state,
            _ => match outline.published.pred_opt() {
                Some(day_before) => {
                    in_force(&outline.list, day_before, keyed.contains(&outline.list))?
                }
                None => InForce::default(),
            },
        };
        let after = match &outline.removed {
            Some(removed) => outline.amend(removed, before),
            None => {
                let Judged { removed, after } = outline.judge(&before);
                let share = 100.0 * removed as f64 / before.ids.len().max(1) as f64;
                if removed > 0 && share > max_drop {
                    return Err(IngestError::WouldDrop {
                        input: input.to_string(),
                        list: outline.list.clone(),
                        published: outline.published,
                        holds: outline.ids.len(),
                        removed,
                        in_force: before.ids.len(),
                        share,
                        max_drop,
                    });
                }
                after
            }
        };
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
            published: date(published).into(),
            source: "test".into(),
            content: PublicationContent::Snapshot(entries),
        })
    }

    fn numbered(range: std::ops::Range<usize>) -> Vec<Entry> {
        range.map(|i| entry(&format!("e{i}"), None)).collect()
    }

    /// Runs the guard over `outlines` against a store holding `in_force` every day.
    fn guard(outlines: &[Outline], in_force: &[Entry], max_drop: f64) -> Result<(), IngestError> {
        refuse_drops(
            outlines.iter().map(|o| ("input", o)),
            max_drop,
            |_, _, with_keys| {
                Ok(if with_keys {
                    InForce::of_entries(in_force)
                } else {
                    InForce::of_ids(in_force.iter().map(|e| &e.id))
                })
            },
        )
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
    fn arriving_entries_with_rename_keys_that_pair_with_nothing_are_not_renames() {
        let before: Vec<Entry> = (0..6)
            .map(|i| entry(&format!("old{i}"), Some(&format!("k{i}"))))
            .collect();
        // Six new entries with keys no departing entry has: six removals.
        let after: Vec<Entry> = (0..6)
            .map(|i| entry(&format!("new{i}"), Some(&format!("n{i}"))))
            .collect();
        assert!(matches!(
            guard(&[snapshot("2024-03-05", after)], &before, 20.0),
            Err(IngestError::WouldDrop { removed: 6, .. })
        ));
        // A key shared by two arriving entries pairs neither (the carry's rule).
        let mut after: Vec<Entry> = before[1..].to_vec();
        after.push(entry("x", Some("k0")));
        after.push(entry("y", Some("k0")));
        assert!(matches!(
            guard(&[snapshot("2024-03-05", after)], &before, 10.0),
            Err(IngestError::WouldDrop { removed: 1, .. })
        ));
    }

    #[test]
    fn a_rename_earlier_in_the_ingest_keeps_the_old_id_for_the_next_snapshot() {
        let before = [entry("a", Some("k")), entry("b", Some("j"))];
        // Day 1 renames a to a2 (it keeps id a); day 2 repeats a2: nothing departs.
        let outlines = [
            snapshot(
                "2024-03-05",
                vec![entry("a2", Some("k")), entry("b", Some("j"))],
            ),
            snapshot(
                "2024-03-06",
                vec![entry("a2", Some("k")), entry("b", Some("j"))],
            ),
        ];
        assert!(guard(&outlines, &before, 0.0).is_ok());
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
            published: date("2024-03-05").into(),
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
            published: date("2024-03-05").into(),
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
