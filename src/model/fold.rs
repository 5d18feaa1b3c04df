//! The fold rule: how publications build the state of a list as of a date.
//!
//! The state of a list at the end of day D folds its publications dated on or before D in fold
//! order: by publication time (a date alone before any time of that day), then by recording
//! order. Publications are told apart by their [`Identity`](super::Identity): a snapshot's is its
//! list and time, an amendment's its list, time and source. Of several publications with one
//! identity only the last recorded counts, in the place of the first: a correction takes the
//! place of what it corrects. A snapshot replaces the whole list; an amendment applies its adds,
//! amends and removes.
//!
//! The store adds two things this plain fold does not know: explicit corrections (`ingest
//! --corrects SEQ`, which join an event's identity whatever theirs) and retractions; see
//! `docs/store.md`.

use std::collections::HashMap;

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

/// The publications that count for the state at the end of `as_of`, in fold order: dated on
/// or before `as_of`, the last recorded of each identity in the place of the first, sorted by
/// (publication time, recording order of the first). `recorded` must be in recording order and
/// belong to one list.
pub fn effective(recorded: &[Publication], as_of: NaiveDate) -> Vec<&Publication> {
    let mut by_identity: HashMap<super::Identity, (usize, &Publication)> = HashMap::new();
    for (order, publication) in recorded.iter().enumerate() {
        if publication.published.date <= as_of {
            by_identity
                .entry(publication.identity())
                .and_modify(|(_, latest)| *latest = publication)
                .or_insert((order, publication));
        }
    }
    let mut places: Vec<(usize, &Publication)> = by_identity.into_values().collect();
    places.sort_by_key(|(first, p)| (p.published, *first));
    places.into_iter().map(|(_, p)| p).collect()
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
            published: date(day).into(),
            source: day.into(),
            content,
        }
    }

    fn added(add: &[(&str, &str)]) -> PublicationContent {
        PublicationContent::Amendment(Amendment {
            add: add.iter().map(|(id, name)| entry(id, name)).collect(),
            ..Amendment::default()
        })
    }

    fn ids(state: &ListState) -> Vec<&str> {
        state.keys().map(|k| k.as_str()).collect()
    }

    #[test]
    fn amendments_of_one_day_with_different_sources_all_count() {
        let mut second = publication("2024-12-05", added(&[("c", "C")]));
        second.source = "89 FR 2".into();
        let mut first = publication("2024-12-05", added(&[("b", "B")]));
        first.source = "89 FR 1".into();
        let recorded = vec![
            publication(
                "2024-12-02",
                PublicationContent::Snapshot(vec![entry("a", "A")]),
            ),
            first.clone(),
            second,
        ];
        assert_eq!(
            ids(&state_as_of(&recorded, date("2024-12-06"))),
            ["a", "b", "c"]
        );
        // A correction of the first rule takes its place: its additions replace the first's,
        // the second's stay, and the order is still first, then second.
        let mut corrected = first;
        corrected.content = added(&[("b2", "B2"), ("c", "C from the first")]);
        let mut with_correction = recorded.clone();
        with_correction.push(corrected);
        let state = state_as_of(&with_correction, date("2024-12-06"));
        assert_eq!(ids(&state), ["a", "b2", "c"]);
        assert_eq!(state[&EntryId::new("c").unwrap()].name, "C");
    }

    #[test]
    fn a_date_alone_folds_before_the_times_of_its_day() {
        use crate::model::PublicationTime;
        let at = |text: &str, entries: &[(&str, &str)]| Publication {
            list: ListId::new("l").unwrap(),
            published: PublicationTime::parse(text).unwrap(),
            source: text.into(),
            content: PublicationContent::Snapshot(
                entries.iter().map(|(id, name)| entry(id, name)).collect(),
            ),
        };
        // Recorded late first, early second, then the day alone: the fold orders them by time.
        let recorded = vec![
            at("2021-08-20T18:50:52Z", &[("late", "L")]),
            at("2021-08-20T01:38:11Z", &[("early", "E")]),
            at("2021-08-20", &[("day", "D")]),
        ];
        let order: Vec<String> = effective(&recorded, date("2021-08-20"))
            .iter()
            .map(|p| p.published.to_string())
            .collect();
        assert_eq!(
            order,
            ["2021-08-20", "2021-08-20T01:38:11Z", "2021-08-20T18:50:52Z"]
        );
        assert_eq!(ids(&state_as_of(&recorded, date("2021-08-20"))), ["late"]);
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
    fn a_second_snapshot_of_a_date_corrects_the_first() {
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
