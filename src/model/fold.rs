//! The fold rule: how publications build the state of a list as of a date.
//!
//! The state of a list at the end of day D folds its publications dated on or before D in
//! (publication date, recording order). Of several publications recorded for the same list and
//! date only the last recorded counts: a later one is a correction that supersedes the earlier.
//! A snapshot replaces the whole list; an amendment applies its adds, amends and removes.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{EntryId, ListState, Publication, PublicationContent};

/// Something worth telling the user about while applying an amendment; never an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FoldNote {
    /// `remove` named an id that was not in the list.
    RemovedUnknown(EntryId),
    /// `amend` named an id that was not in the list; it was added.
    AmendedUnknown(EntryId),
}

impl std::fmt::Display for FoldNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FoldNote::RemovedUnknown(id) => {
                write!(
                    f,
                    "remove of \"{id}\": no such entry was in force; nothing removed"
                )
            }
            FoldNote::AmendedUnknown(id) => {
                write!(
                    f,
                    "amend of \"{id}\": no such entry was in force; it was added"
                )
            }
        }
    }
}

/// Applies one publication's content to a state.
pub fn apply(state: &mut ListState, content: &PublicationContent) -> Vec<FoldNote> {
    let mut notes = Vec::new();
    match content {
        PublicationContent::Snapshot(entries) => {
            *state = entries.iter().map(|e| (e.id.clone(), e.clone())).collect();
        }
        PublicationContent::Amendment(amendment) => {
            for entry in &amendment.add {
                state.insert(entry.id.clone(), entry.clone());
            }
            for entry in &amendment.amend {
                if state.insert(entry.id.clone(), entry.clone()).is_none() {
                    notes.push(FoldNote::AmendedUnknown(entry.id.clone()));
                }
            }
            for id in &amendment.remove {
                if state.remove(id).is_none() {
                    notes.push(FoldNote::RemovedUnknown(id.clone()));
                }
            }
        }
    }
    notes
}

/// The publications that count for the state at the end of `as_of`, in fold order:
/// dated on or before `as_of`, the last recorded per date, sorted by date.
/// `recorded` must be in recording order and belong to one list.
pub fn effective(recorded: &[Publication], as_of: NaiveDate) -> Vec<&Publication> {
    let mut by_date: BTreeMap<NaiveDate, &Publication> = BTreeMap::new();
    for publication in recorded.iter().filter(|p| p.published <= as_of) {
        by_date.insert(publication.published, publication);
    }
    by_date.into_values().collect()
}

/// The state of one list at the end of `as_of`, from its publications in recording order.
/// This is the reference meaning that the store's indexes must reproduce.
pub fn state_as_of(recorded: &[Publication], as_of: NaiveDate) -> ListState {
    let mut state = ListState::new();
    for publication in effective(recorded, as_of) {
        apply(&mut state, &publication.content);
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Amendment, Entry, ListId};

    fn entry(id: &str, name: &str) -> Entry {
        Entry::new(EntryId::new(id).unwrap(), name)
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn publication(day: &str, content: PublicationContent) -> Publication {
        Publication {
            list: ListId::new("l").unwrap(),
            published: date(day),
            source: day.into(),
            content,
        }
    }

    #[test]
    fn snapshots_replace_and_amendments_apply() {
        let recorded = vec![
            publication(
                "2024-12-01",
                PublicationContent::Snapshot(vec![entry("a", "A"), entry("b", "B")]),
            ),
            publication(
                "2024-12-11",
                PublicationContent::Amendment(Amendment {
                    add: vec![entry("c", "C")],
                    amend: vec![entry("a", "A2")],
                    remove: vec![EntryId::new("b").unwrap()],
                }),
            ),
        ];
        let before = state_as_of(&recorded, date("2024-12-10"));
        assert_eq!(
            before.keys().map(|k| k.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        let after = state_as_of(&recorded, date("2024-12-11"));
        assert_eq!(
            after.keys().map(|k| k.as_str()).collect::<Vec<_>>(),
            ["a", "c"]
        );
        assert_eq!(after[&EntryId::new("a").unwrap()].name, "A2");
    }

    #[test]
    fn a_backfilled_publication_is_placed_by_its_date() {
        let recorded = vec![
            publication(
                "2024-12-11",
                PublicationContent::Amendment(Amendment {
                    add: vec![entry("c", "C")],
                    ..Amendment::default()
                }),
            ),
            publication(
                "2024-12-01",
                PublicationContent::Snapshot(vec![entry("a", "A")]),
            ),
        ];
        let state = state_as_of(&recorded, date("2024-12-31"));
        assert_eq!(
            state.keys().map(|k| k.as_str()).collect::<Vec<_>>(),
            ["a", "c"]
        );
    }

    #[test]
    fn a_correction_supersedes_the_earlier_publication_of_its_date() {
        let recorded = vec![
            publication(
                "2024-12-01",
                PublicationContent::Snapshot(vec![entry("a", "A")]),
            ),
            publication(
                "2024-12-01",
                PublicationContent::Snapshot(vec![entry("b", "B")]),
            ),
        ];
        let state = state_as_of(&recorded, date("2024-12-01"));
        assert_eq!(state.keys().map(|k| k.as_str()).collect::<Vec<_>>(), ["b"]);
    }

    #[test]
    fn removing_an_unknown_id_is_a_note_not_an_error() {
        let mut state = ListState::new();
        let notes = apply(
            &mut state,
            &PublicationContent::Amendment(Amendment {
                remove: vec![EntryId::new("zz").unwrap()],
                ..Amendment::default()
            }),
        );
        assert_eq!(
            notes,
            vec![FoldNote::RemovedUnknown(EntryId::new("zz").unwrap())]
        );
    }
}
