//! The broken-feed guard: a snapshot that is empty, or that would remove more than a share of
//! the entries in force the day before it, is refused before anything is recorded. Entries a
//! rename keeps ([`rename`]) or a change of key scheme carries to new ids ([`rekey`]) are not
//! removals; every snapshot refused is named at once, and `--allow-drop LIST` allows one list.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use chrono::NaiveDate;

use super::{DropGuard, IngestError};
use crate::model::rekey::{self, IdShape, MatchKeys};
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
    /// The shapes of its ids ([`IdShape`]): a snapshot shaped unlike the list before it may
    /// change its key scheme. Its entries' match keys are asked for only then (see
    /// [`refuse_drops`]), never kept.
    pub(crate) shapes: HashSet<IdShape>,
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

/// The shapes of some ids. A list has a handful of shapes however many ids it has, so the set
/// is grown as shapes come (collecting would reserve room for every id, and an outline is kept
/// for every publication of an ingest).
fn shapes<'a>(ids: impl IntoIterator<Item = &'a EntryId>) -> HashSet<IdShape> {
    let mut shapes = HashSet::new();
    for id in ids {
        shapes.insert(IdShape::of(id.as_str()));
    }
    shapes
}

/// An entry as the key-scheme carry pairs it, hashed: its id, its entity number (if any), its
/// name and addresses ([`MatchKeys`]).
pub(crate) type Matchable = (u64, Option<u64>, u64);

/// The entries' match keys, hashed, for [`refuse_drops`]'s `match_keys`.
pub(crate) fn matchable<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Vec<Matchable> {
    entries
        .into_iter()
        .map(|e| {
            let keys = MatchKeys::of(e);
            (
                id_hash(&e.id),
                keys.number.as_deref().map(text_hash),
                text_hash(&keys.name_and_addresses),
            )
        })
        .collect()
}

/// Where the entries of a list as the guard sees it can be had again, for their match keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum KeysOf {
    /// The store: the entries of `list` in force at the end of `day`.
    Store {
        /// The list.
        list: ListId,
        /// The day.
        day: NaiveDate,
    },
    /// The snapshot of outline number `n` (in the order given to [`refuse_drops`]).
    Outline(usize),
    /// Nowhere: an amendment of this ingest changed the list since.
    Unknown,
}

/// A list as the guard sees it: the ids in force and, for lists whose entries have rename keys,
/// their keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct InForce {
    /// The ids in force.
    pub(crate) ids: HashSet<u64>,
    /// The rename key of each id in force that has one (empty when not asked for).
    pub(crate) keys: HashMap<u64, u64>,
    /// The shapes of the ids in force.
    pub(crate) shapes: HashSet<IdShape>,
    /// Where its entries are, should their match keys be needed.
    pub(crate) entries: KeysOf,
}

impl InForce {
    /// The guard's view of the entries in force, with their rename keys.
    pub(crate) fn of_entries<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> InForce {
        let mut in_force = InForce::empty(KeysOf::Unknown);
        for entry in entries {
            let id = id_hash(&entry.id);
            in_force.ids.insert(id);
            in_force.shapes.insert(IdShape::of(entry.id.as_str()));
            if let Some(key) = rename::rename_key(entry) {
                in_force.keys.insert(id, text_hash(&key));
            }
        }
        in_force
    }

    /// The guard's view of the ids in force, without rename keys.
    pub(crate) fn of_ids<'a>(ids: impl IntoIterator<Item = &'a EntryId> + Clone) -> InForce {
        InForce {
            ids: ids.clone().into_iter().map(id_hash).collect(),
            keys: HashMap::new(),
            shapes: shapes(ids),
            entries: KeysOf::Unknown,
        }
    }

    /// A list with no entries.
    fn empty(entries: KeysOf) -> InForce {
        InForce {
            ids: HashSet::new(),
            keys: HashMap::new(),
            shapes: HashSet::new(),
            entries,
        }
    }

    /// This view, its entries to be had from `entries`.
    pub(crate) fn from(self, entries: KeysOf) -> InForce {
        InForce { entries, ..self }
    }
}

/// What a snapshot does to the entries in force before it, as the rename rule pairs them.
struct Judged {
    /// How many entries in force it removes: departing entries not paired with an arriving one.
    removed: usize,
    /// The departing entries not paired by a rename, hashed.
    departing: Vec<u64>,
    /// The arriving entries not paired by a rename, hashed.
    arriving: HashSet<u64>,
    /// The list after it, renamed entries under their old ids.
    after: InForce,
}

impl Outline {
    /// Whether this snapshot may change its list's key scheme against `before`, the ids in
    /// force the day before it ([`rekey::layout_changed`]: it shares none of them and its ids
    /// are shaped otherwise). An amendment changes no key scheme.
    pub(crate) fn may_change_key_scheme(&self, before: &[EntryId]) -> bool {
        if self.removed.is_some() {
            return false;
        }
        let shares_an_id = before.iter().any(|id| self.ids.contains(&id_hash(id)));
        rekey::layout_changed(shares_an_id, &shapes(before), &self.shapes)
    }

    /// The outline of a publication.
    pub(crate) fn of(publication: &Publication) -> Outline {
        let (ids, removed, renamable, shapes) = match &publication.content {
            PublicationContent::Snapshot(entries) => (
                entries.iter().map(|e| id_hash(&e.id)).collect(),
                None,
                renamable(entries),
                shapes(entries.iter().map(|e| &e.id)),
            ),
            PublicationContent::Amendment(a) => (
                a.add
                    .iter()
                    .chain(&a.amend)
                    .map(|e| id_hash(&e.id))
                    .collect(),
                Some(a.remove.iter().map(id_hash).collect()),
                renamable(a.add.iter().chain(&a.amend)),
                shapes(a.add.iter().chain(&a.amend).map(|e| &e.id)),
            ),
        };
        Outline {
            list: publication.list.clone(),
            published: publication.published.date,
            ids,
            removed,
            renamable,
            shapes,
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
            shapes: shapes(ids),
        }
    }

    /// What this snapshot does to `before`, pairing renames by the rule the rename carry
    /// applies ([`rename::carry_renamed_ids`]): a departing entry and an arriving one whose
    /// rename key no other departing or arriving entry shares are one entry renamed, not a
    /// removal. An arriving entry with a key that pairs with nothing does not offset anything.
    fn judge(&self, before: &InForce, after_entries: KeysOf) -> Judged {
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
        let kept: HashSet<u64> = pairs.values().copied().collect();
        let mut after = InForce::empty(after_entries);
        after.shapes = self.shapes.clone();
        for id in &self.ids {
            let kept = pairs.get(id).copied().unwrap_or(*id);
            after.ids.insert(kept);
            if let Some(key) = self.renamable.get(id) {
                after.keys.insert(kept, *key);
            }
        }
        Judged {
            removed: departing.len().saturating_sub(pairs.len()),
            departing: departing
                .into_iter()
                .filter(|id| !kept.contains(id))
                .collect(),
            arriving: self
                .ids
                .iter()
                .filter(|id| !before.ids.contains(id) && !pairs.contains_key(id))
                .copied()
                .collect(),
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
        before.shapes.extend(self.shapes.iter().cloned());
        // The entries are now the store's (or a snapshot's) changed by this amendment.
        before.entries = KeysOf::Unknown;
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

/// One snapshot the drop guard refuses, with the counts that refuse it.
#[derive(Clone, Debug, PartialEq)]
pub struct DropRefusal {
    /// The input as shown to the user.
    pub input: String,
    /// The snapshot's list.
    pub list: ListId,
    /// Its publication date.
    pub published: NaiveDate,
    /// How many entries it holds.
    pub holds: usize,
    /// How many entries in force it would remove (renames and entries carried to new ids not
    /// counted).
    pub removed: usize,
    /// How many entries were in force the day before.
    pub in_force: usize,
    /// `removed` as a percentage of `in_force`.
    pub share: f64,
    /// When the snapshot changes its list's key scheme ([`rekey`]): how many entries it
    /// carries from old ids to new ids.
    pub carried: Option<usize>,
}

impl DropRefusal {
    /// The refusal, said after its input, and what would allow it (`max_drop`: the share
    /// allowed).
    pub(crate) fn describe(&self, max_drop: f64) -> String {
        let DropRefusal {
            list,
            published,
            holds,
            removed,
            in_force,
            share,
            ..
        } = self;
        match self.carried {
            None => format!(
                "this snapshot of {list} dated {published} holds {holds} entries and would remove {removed} of the {in_force} in force ({share:.1}%, more than the {max_drop}% allowed): a failed or partial download?"
            ),
            Some(carried) => format!(
                "this snapshot of {list} dated {published} holds {holds} entries and its ids changed layout (none of the ids in force reappears, and its ids are shaped otherwise): {carried} {} carried from old ids to new ids (key scheme changed), matched by entity number or by name and addresses, and it would remove {removed} of the {in_force} in force ({share:.1}%, more than the {max_drop}% allowed)",
                if carried == 1 { "entry" } else { "entries" }
            ),
        }
    }
}

/// Refuses any snapshot that would remove more than the guard's `max_drop` percent of its list
/// (unless its list is one the guard allows), checking the publications of an ingest in
/// recording order, each (given with the input it came from) against the ones before it in the
/// ingest or, for the first of its list or one dated before those, against `in_force(list, day,
/// with_keys)`: the entries in force at the end of `day` in the store, with their rename keys
/// when `with_keys` (asked only for lists whose publications in this ingest have entries with
/// rename keys). Every snapshot refused is named in the one error.
///
/// A snapshot that changes its list's key scheme ([`rekey::layout_changed`]) carries the
/// entries it can match to their new ids, and only the others count as removed: their match
/// keys are asked of `match_keys` (the store's entries, or an earlier snapshot of the ingest,
/// by its place among the outlines), only then.
pub(crate) fn refuse_drops<'a>(
    outlines: impl IntoIterator<Item = (&'a str, &'a Outline)>,
    guard: &DropGuard,
    mut in_force: impl FnMut(&ListId, NaiveDate, bool) -> Result<InForce, StoreError>,
    mut match_keys: impl FnMut(&KeysOf) -> Result<Vec<Matchable>, IngestError>,
) -> Result<(), IngestError> {
    let DropGuard::Refuse { max_drop, .. } = guard else {
        return Ok(());
    };
    let outlines: Vec<(&str, &Outline)> = outlines.into_iter().collect();
    let keyed: HashSet<&ListId> = outlines
        .iter()
        .filter(|(_, o)| !o.renamable.is_empty())
        .map(|(_, o)| &o.list)
        .collect();
    // Per list: the date of the last publication seen in this ingest and the list after it.
    let mut simulated: HashMap<ListId, (NaiveDate, InForce)> = HashMap::new();
    let mut drops = Vec::new();
    for (number, (input, outline)) in outlines.into_iter().enumerate() {
        let before = match simulated.remove(&outline.list) {
            Some((date, state)) if date <= outline.published => state,
            _ => match outline.published.pred_opt() {
                Some(day) => in_force(&outline.list, day, keyed.contains(&outline.list))?.from(
                    KeysOf::Store {
                        list: outline.list.clone(),
                        day,
                    },
                ),
                None => InForce::empty(KeysOf::Unknown),
            },
        };
        let after = match &outline.removed {
            Some(removed) => outline.amend(removed, before),
            None => {
                let judged = outline.judge(&before, KeysOf::Outline(number));
                let shares_an_id = before.ids.iter().any(|id| outline.ids.contains(id));
                let changed = !judged.departing.is_empty()
                    && rekey::layout_changed(shares_an_id, &before.shapes, &outline.shapes);
                let carried = if changed {
                    Some(carried(&judged, &before.entries, number, &mut match_keys)?)
                } else {
                    None
                };
                let removed = judged.removed - carried.unwrap_or(0);
                let share = 100.0 * removed as f64 / before.ids.len().max(1) as f64;
                if removed > 0 && share > *max_drop && guard.guards(&outline.list) {
                    drops.push(DropRefusal {
                        input: input.to_string(),
                        list: outline.list.clone(),
                        published: outline.published,
                        holds: outline.ids.len(),
                        removed,
                        in_force: before.ids.len(),
                        share,
                        carried,
                    });
                }
                judged.after
            }
        };
        simulated.insert(outline.list.clone(), (outline.published, after));
    }
    if drops.is_empty() {
        return Ok(());
    }
    Err(IngestError::WouldDrop {
        drops,
        max_drop: *max_drop,
    })
}

/// How many of a snapshot's departing entries (in `judged`) the key-scheme carry pairs with its
/// arriving ones, the old entries' match keys had from `before`, the snapshot's from outline
/// `number`: none when the old entries are not to be had.
fn carried(
    judged: &Judged,
    before: &KeysOf,
    number: usize,
    match_keys: &mut impl FnMut(&KeysOf) -> Result<Vec<Matchable>, IngestError>,
) -> Result<usize, IngestError> {
    if *before == KeysOf::Unknown || judged.arriving.is_empty() {
        return Ok(0);
    }
    let departing: HashSet<u64> = judged.departing.iter().copied().collect();
    let old: Vec<Matchable> = match_keys(before)?
        .into_iter()
        .filter(|(id, _, _)| departing.contains(id))
        .collect();
    let new: Vec<Matchable> = match_keys(&KeysOf::Outline(number))?
        .into_iter()
        .filter(|(id, _, _)| judged.arriving.contains(id))
        .collect();
    Ok(rekey::pair(&old, &new).len())
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
            &DropGuard::refuse(max_drop),
            |_, _, with_keys| {
                Ok(if with_keys {
                    InForce::of_entries(in_force)
                } else {
                    InForce::of_ids(in_force.iter().map(|e| &e.id))
                })
            },
            |_| Ok(Vec::new()),
        )
    }

    /// The (holds, removed, in force) counts of the first snapshot an error refuses.
    fn counts(result: Result<(), IngestError>) -> Option<(usize, usize, usize)> {
        match result {
            Err(IngestError::WouldDrop { drops, .. }) => {
                drops.first().map(|d| (d.holds, d.removed, d.in_force))
            }
            _ => None,
        }
    }

    /// An outline is kept for every publication of an ingest (321 for the SDN history): the
    /// shapes of its ids take room for the few shapes there are, not for every id (they once
    /// took 0.7 MB per SDN publication, 220 MB over the history).
    #[test]
    fn an_outline_keeps_room_for_its_few_id_shapes_only() {
        let outline = snapshot("2024-03-05", numbered(0..10_000));
        assert_eq!(outline.shapes.len(), 4, "e0, e10, e100, e1000");
        assert!(
            outline.shapes.capacity() < 64,
            "{}",
            outline.shapes.capacity()
        );
        assert_eq!(outline.ids.len(), 10_000);
    }

    #[test]
    fn a_snapshot_removing_more_than_allowed_is_refused_with_the_counts() {
        let outlines = [snapshot("2024-03-05", numbered(0..20))];
        let error = guard(&outlines, &numbered(0..30), 20.0).expect_err("refused");
        assert_eq!(
            counts(guard(&outlines, &numbered(0..30), 20.0)),
            Some((20, 10, 30))
        );
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
        assert_eq!(
            counts(guard(&outlines, &before, 20.0)).map(|c| c.1),
            Some(10)
        );
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
        assert_eq!(
            counts(guard(&[snapshot("2024-03-05", after)], &before, 20.0)).map(|c| c.1),
            Some(6)
        );
        // A key shared by two arriving entries pairs neither (the carry's rule).
        let mut after: Vec<Entry> = before[1..].to_vec();
        after.push(entry("x", Some("k0")));
        after.push(entry("y", Some("k0")));
        assert_eq!(
            counts(guard(&[snapshot("2024-03-05", after)], &before, 10.0)).map(|c| c.1),
            Some(1)
        );
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
        assert_eq!(
            counts(guard(&outlines, &[], 20.0)).map(|c| (c.1, c.2)),
            Some((10, 20))
        );
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
