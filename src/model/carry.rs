//! Changes of id in answers: an entry carried to a new id when its list's key scheme changed
//! ([`super::rekey`]) is one change of kind `changed`, not a removal and an addition.
//!
//! The events that changed a list's key scheme record the pairs they carried ([`Carried`]: old
//! id → new id); the fold does not read them, so the per-id changes of a window show the old id
//! removed and the new one added. [`pair_carried`] is the one rule that turns them into one
//! change, for `since` (each publication and net), `diff`, `history` and `compare` alike:
//!
//! - the pairs of the window's events are composed in fold order: A → B in one event and
//!   B → C in a later one are one pair A → C;
//! - a composed pair becomes one change when the window removed its old id (in force at its
//!   start, not at its end) and added its new id (in force at its end, not at its start): the
//!   change has the new id, `previous_id` the old, `before` the old entry at the start, `after`
//!   the new entry at the end, and `fields` their differences (none at all is still a change:
//!   the id changed); its publication and event are the new id's;
//! - any other pair (its old entry not in force at the start, or its new entry not in force at
//!   the end, or either changed otherwise) leaves the changes as they are.

use std::collections::{BTreeMap, HashMap};

use super::rekey::Carried;
use super::{Change, ChangeKind, EntryId, diff_entries};

/// The carried pairs of `steps` (each event's pairs, in fold order) composed across the
/// events: new id → the first old id of its chain, in new-id order. A chain that comes back to
/// its first id is no pair.
pub fn compose(steps: &[&[Carried]]) -> BTreeMap<EntryId, EntryId> {
    let mut origin: BTreeMap<EntryId, EntryId> = BTreeMap::new();
    for step in steps {
        // Within one event the old ids and the new ids are of different schemes: every pair is
        // read against the chains as they stood before the event.
        let carried: Vec<(EntryId, EntryId)> = step
            .iter()
            .map(|c| {
                let first = origin.remove(&c.old).unwrap_or_else(|| c.old.clone());
                (c.new.clone(), first)
            })
            .collect();
        origin.extend(carried);
    }
    origin.retain(|new, first| new != first);
    origin
}

/// The changes of one list over a window, with each entry carried to a new id by the events of
/// `steps` (their pairs, in fold order) made one change of kind `changed` (see the module
/// documentation). The other changes are returned as they are; the order is not kept (callers
/// sort).
pub fn pair_carried(changes: Vec<Change>, steps: &[&[Carried]]) -> Vec<Change> {
    if steps.iter().all(|s| s.is_empty()) {
        return changes;
    }
    let composed = compose(steps);
    let mut slots: Vec<Option<Change>> = changes.into_iter().map(Some).collect();
    let position = |kind: ChangeKind| -> HashMap<EntryId, usize> {
        slots
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                c.as_ref()
                    .filter(|c| c.kind == kind)
                    .map(|c| (c.id.clone(), i))
            })
            .collect()
    };
    let (removed, added) = (position(ChangeKind::Removed), position(ChangeKind::Added));
    let mut carried = Vec::new();
    for (new, old) in composed {
        let (Some(&r), Some(&a)) = (removed.get(&old), added.get(&new)) else {
            continue;
        };
        // Each removal pairs once (two new ids composed from one old id: the first pairs).
        if slots[r].is_none() || slots[a].is_none() {
            continue;
        }
        if let (Some(removal), Some(addition)) = (slots[r].take(), slots[a].take()) {
            carried.push(Change::carried(removal, addition));
        }
    }
    slots.into_iter().flatten().chain(carried).collect()
}

impl Change {
    /// One change of id from the removal of the old id and the addition of the new one (see
    /// the module documentation).
    fn carried(removal: Change, addition: Change) -> Change {
        let fields = match (&removal.before, &addition.after) {
            (Some(before), Some(after)) => diff_entries(before, after),
            _ => Vec::new(),
        };
        Change {
            kind: ChangeKind::Changed,
            list: addition.list,
            id: addition.id,
            previous_id: Some(removal.id),
            published: addition.published,
            event: addition.event,
            before: removal.before,
            after: addition.after,
            fields,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Entry, ListId, ListState, apply_changes, diff_states};

    fn id(text: &str) -> EntryId {
        EntryId::new(text).unwrap()
    }

    fn entry(key: &str, name: &str) -> Entry {
        Entry::new(id(key), name)
    }

    fn carry(old: &str, new: &str) -> Carried {
        Carried {
            old: id(old),
            new: id(new),
        }
    }

    fn state(entries: &[Entry]) -> ListState {
        entries.iter().map(|e| (e.id.clone(), e.clone())).collect()
    }

    fn list() -> ListId {
        ListId::new("el").unwrap()
    }

    #[test]
    fn chains_compose_across_events() {
        let first = [carry("a", "B"), carry("x", "Y")];
        let second = [carry("B", "c1")];
        let composed = compose(&[&first, &second]);
        assert_eq!(
            composed.into_iter().collect::<Vec<_>>(),
            [(id("Y"), id("x")), (id("c1"), id("a"))]
        );
        // Back to where it began: no change of id.
        assert!(compose(&[&[carry("a", "B")], &[carry("B", "a")]]).is_empty());
    }

    #[test]
    fn a_carried_entry_is_one_change_with_its_previous_id_renamed_or_not() {
        let start = state(&[entry("a", "Acme"), entry("b", "Bolt"), entry("g", "Gone")]);
        let end = state(&[
            entry("A1", "Acme Holding"),
            entry("B1", "Bolt"),
            entry("n", "New"),
        ]);
        let changes = diff_states(&list(), &start, &end);
        let steps = [carry("a", "A1"), carry("b", "B1")];
        let mut paired = pair_carried(changes, &[&steps]);
        paired.sort_by(|x, y| (x.kind, &x.id).cmp(&(y.kind, &y.id)));
        let summary: Vec<(ChangeKind, &str, Option<&str>, usize)> = paired
            .iter()
            .map(|c| {
                (
                    c.kind,
                    c.id.as_str(),
                    c.previous_id.as_ref().map(EntryId::as_str),
                    c.fields.len(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (ChangeKind::Added, "n", None, 0),
                (ChangeKind::Removed, "g", None, 0),
                (ChangeKind::Changed, "A1", Some("a"), 1),
                (ChangeKind::Changed, "B1", Some("b"), 0),
            ]
        );
        assert_eq!(paired[2].fields[0].field, "name");
        assert_eq!(paired[2].before.as_ref().unwrap().id, id("a"));
        let mut applied = start.clone();
        apply_changes(&mut applied, &paired);
        assert_eq!(applied, end);
    }

    #[test]
    fn a_pair_the_window_did_not_remove_and_add_is_left_as_it_is() {
        // The old entry was not in force at the start (a window that starts after the change,
        // or an entry added and carried within it): the new one stays an addition.
        let start = state(&[]);
        let end = state(&[entry("A1", "Acme")]);
        let changes = diff_states(&list(), &start, &end);
        let paired = pair_carried(changes.clone(), &[&[carry("a", "A1")]]);
        assert_eq!(paired, changes);
        // The new entry is not in force at the end: the old one stays a removal.
        let start = state(&[entry("a", "Acme")]);
        let end = state(&[]);
        let changes = diff_states(&list(), &start, &end);
        assert_eq!(
            pair_carried(changes.clone(), &[&[carry("a", "A1")]]),
            changes
        );
    }
}
