//! The store against an independent reference fold of the contract, on random histories.
//!
//! The contract (issue 11; `docs/store.md`): a snapshot is identified by its list and
//! publication time, an amendment by its list, time and source. Publications with different
//! identities all count, folded in (publication time, recording order of their first event).
//! A publication with the identity of one that counts and other bytes is a correction: it
//! counts in the place of what it corrects, at its own time; `--corrects SEQ` makes a
//! correction of that event whatever the identity. The same list, time and bytes (not
//! retracted) record nothing. A retraction takes an event back: the latest earlier version of
//! its publication not retracted counts again, or the publication no longer counts. The
//! [`Reference`] below keeps the log as plain data and folds it by these words alone; the
//! store, driven with the same steps, must give the same answers at every date, for every
//! publication, entry and pair of dates, and as known at every recording.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use proptest::prelude::*;

use super::index::Index;
use super::kv::{self, Kv, MemKv, Tree};
use super::*;
use crate::model::{
    Amendment, Entry, EntryId, ListId, ListState, Publication, PublicationContent, PublicationKind,
    PublicationTime,
};

fn day(offset: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 12, 1).unwrap() + Duration::days(offset)
}

/// Day `offset`, alone or at `hour` UTC.
fn at(offset: i64, hour: Option<u32>) -> PublicationTime {
    match hour {
        None => PublicationTime::date(day(offset)),
        Some(hour) => {
            PublicationTime::at(day(offset), NaiveTime::from_hms_opt(hour, 0, 0).unwrap())
        }
    }
}

fn entry(id: usize, name: usize, reason: usize) -> Entry {
    let mut e = Entry::new(
        EntryId::new(&format!("e{id}")).unwrap(),
        ["Alpha", "Beta"][name],
    );
    e.reason = [
        None,
        Some("for all items"),
        Some("for all items subject to review"),
    ][reason]
        .map(String::from);
    e
}

const IDS: usize = 6;

fn entry_strategy() -> impl Strategy<Value = Entry> {
    (0..IDS, 0..2usize, 0..3usize).prop_map(|(i, n, r)| entry(i, n, r))
}

fn content_strategy() -> impl Strategy<Value = PublicationContent> {
    prop_oneof![
        proptest::collection::btree_map(0..IDS, entry_strategy(), 0..6).prop_map(|m| {
            let entries: BTreeMap<EntryId, Entry> =
                m.into_values().map(|e| (e.id.clone(), e)).collect();
            PublicationContent::Snapshot(entries.into_values().collect())
        }),
        proptest::collection::vec((0..3usize, entry_strategy()), 0..5).prop_map(|ops| {
            let mut seen = std::collections::BTreeSet::new();
            let mut a = Amendment::default();
            for (op, e) in ops {
                if !seen.insert(e.id.clone()) {
                    continue;
                }
                match op {
                    0 => a.add.push(e),
                    1 => a.amend.push(e),
                    _ => a.remove.push(e.id.clone()),
                }
            }
            PublicationContent::Amendment(a)
        }),
    ]
}

const LISTS: [&str; 2] = ["l1", "l2"];

/// A publication of one of two lists on one of eight days, alone or at 01:00 or 13:00, from
/// one of two sources: several per date, with and without times, amendments of one day with
/// different sources, and backfills.
fn publication_strategy() -> impl Strategy<Value = Publication> {
    (0..2usize, 0..8i64, 0..3usize, 0..2usize, content_strategy()).prop_map(
        |(list, offset, hour, source, content)| Publication {
            list: ListId::new(LISTS[list]).unwrap(),
            published: at(offset, [None, Some(1), Some(13)][hour]),
            source: ["89 FR 1", "89 FR 2"][source].into(),
            content,
        },
    )
}

/// One step of a random history.
#[derive(Clone, Debug)]
enum Step {
    /// Ingest a publication; with `corrects`, as an explicit correction of the event that
    /// number designates (modulo two more than the events so far: sometimes none, sometimes a
    /// retraction, sometimes another list's).
    Publish {
        publication: Publication,
        corrects: Option<usize>,
    },
    /// Retract the event the number designates (modulo two more than the events so far).
    Retract(usize),
    /// Ingest again the publication recorded as the event the number designates (modulo the
    /// events so far), the same bytes: nothing is recorded unless that event was retracted.
    Again(usize),
}

fn steps_strategy() -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        5 => publication_strategy().prop_map(|publication| Step::Publish { publication, corrects: None }),
        2 => (publication_strategy(), any::<usize>())
            .prop_map(|(publication, n)| Step::Publish { publication, corrects: Some(n) }),
        2 => any::<usize>().prop_map(Step::Retract),
        1 => any::<usize>().prop_map(Step::Again),
    ];
    proptest::collection::vec(step, 1..20)
}

/// Histories of publications alone (no explicit corrections, no retractions).
fn history_strategy() -> impl Strategy<Value = Vec<Publication>> {
    proptest::collection::vec(publication_strategy(), 1..14)
}

/// The bytes of a publication, as a hash: its content and source.
fn provenance(publication: &Publication) -> Provenance {
    Provenance::of_test_bytes(
        format!("{:?} {}", publication.content, publication.source).as_bytes(),
    )
}

/// One event of the reference log.
#[derive(Clone, Debug)]
enum RefEvent {
    /// A recorded publication, its bytes, and the event it corrects.
    Publication {
        publication: Publication,
        sha256: String,
        corrects: Option<u64>,
    },
    /// A retraction.
    Retraction { retracts: u64 },
}

/// What the reference says recording a publication does.
#[derive(Clone, Debug, PartialEq, Eq)]
enum RefOutcome {
    /// Recorded as event `seq`, correcting `corrects`.
    Recorded { seq: u64, corrects: Option<u64> },
    /// The same bytes are recorded as event `seq`, not retracted.
    Already(u64),
    /// Refused (an explicit correction of no publication of its list, a retraction of no
    /// publication or of one retracted).
    Refused,
}

/// One place of a list's fold: the publication time, the first event of the publication, the
/// event that counts, and what it says.
struct RefPlace<'a> {
    published: PublicationTime,
    first: u64,
    counting: u64,
    content: &'a PublicationContent,
}

/// The log as the contract reads it: event `n` is `events[n - 1]`.
#[derive(Clone, Debug, Default)]
struct Reference {
    events: Vec<RefEvent>,
}

/// What tells a publication apart: a snapshot its list and time; an amendment also its source.
fn identity_of(p: &Publication) -> (ListId, PublicationTime, bool, Option<String>) {
    match &p.content {
        PublicationContent::Snapshot(_) => (p.list.clone(), p.published, true, None),
        PublicationContent::Amendment(_) => {
            (p.list.clone(), p.published, false, Some(p.source.clone()))
        }
    }
}

impl Reference {
    /// The publication recorded as event `seq`.
    fn publication(&self, seq: u64) -> Option<(&Publication, &str, Option<u64>)> {
        match self.events.get((seq as usize).checked_sub(1)?)? {
            RefEvent::Publication {
                publication,
                sha256,
                corrects,
            } => Some((publication, sha256, *corrects)),
            RefEvent::Retraction { .. } => None,
        }
    }

    fn retracted(&self, seq: u64) -> bool {
        self.events
            .iter()
            .any(|e| matches!(e, RefEvent::Retraction { retracts } if *retracts == seq))
    }

    /// The first event of the publication event `seq` is a version of.
    fn first(&self, seq: u64) -> u64 {
        match self.publication(seq) {
            Some((_, _, Some(corrected))) => self.first(corrected),
            _ => seq,
        }
    }

    /// The version that counts of the publication first recorded as `first`: the last
    /// recorded, not retracted.
    fn counting(&self, first: u64) -> Option<u64> {
        (1..=self.events.len() as u64).rev().find(|&seq| {
            self.publication(seq).is_some() && self.first(seq) == first && !self.retracted(seq)
        })
    }

    fn record(
        &mut self,
        publication: &Publication,
        sha256: &str,
        corrects: Option<u64>,
    ) -> RefOutcome {
        let events = self.events.len() as u64;
        for seq in 1..=events {
            if let Some((p, sha, _)) = self.publication(seq)
                && p.list == publication.list
                && p.published == publication.published
                && sha == sha256
                && !self.retracted(seq)
            {
                return RefOutcome::Already(seq);
            }
        }
        let corrects = match corrects {
            Some(target) => match self.publication(target) {
                Some((p, _, _)) if p.list == publication.list => Some(target),
                _ => return RefOutcome::Refused,
            },
            None => (1..=events)
                .rev()
                .filter(|&first| self.first(first) == first && self.publication(first).is_some())
                .filter_map(|first| self.counting(first))
                .find(|&counting| {
                    self.publication(counting)
                        .is_some_and(|(p, _, _)| identity_of(p) == identity_of(publication))
                }),
        };
        self.events.push(RefEvent::Publication {
            publication: publication.clone(),
            sha256: sha256.to_string(),
            corrects,
        });
        RefOutcome::Recorded {
            seq: events + 1,
            corrects,
        }
    }

    fn retract(&mut self, target: u64) -> RefOutcome {
        if self.publication(target).is_none() || self.retracted(target) {
            return RefOutcome::Refused;
        }
        self.events.push(RefEvent::Retraction { retracts: target });
        RefOutcome::Recorded {
            seq: self.events.len() as u64,
            corrects: None,
        }
    }

    /// The places of `list`, in fold order.
    fn places(&self, list: &ListId) -> Vec<RefPlace<'_>> {
        let mut places: Vec<RefPlace> = (1..=self.events.len() as u64)
            .filter(|&seq| {
                self.first(seq) == seq
                    && self
                        .publication(seq)
                        .is_some_and(|(p, _, _)| &p.list == list)
            })
            .filter_map(|first| {
                let counting = self.counting(first)?;
                let (p, _, _) = self.publication(counting)?;
                Some(RefPlace {
                    published: p.published,
                    first,
                    counting,
                    content: &p.content,
                })
            })
            .collect();
        places.sort_by_key(|p| (p.published, p.first));
        places
    }

    /// The state of `list` at the end of `date`.
    fn state(&self, list: &ListId, date: NaiveDate) -> ListState {
        let mut state = ListState::new();
        for place in self.places(list) {
            if place.published.date <= date {
                apply(&mut state, place.content);
            }
        }
        state
    }
}

/// A snapshot replaces the list; an amendment adds, amends (an unknown id is added), removes.
fn apply(state: &mut ListState, content: &PublicationContent) {
    match content {
        PublicationContent::Snapshot(entries) => {
            *state = entries.iter().map(|e| (e.id.clone(), e.clone())).collect();
        }
        PublicationContent::Amendment(a) => {
            for e in a.add.iter().chain(&a.amend) {
                state.insert(e.id.clone(), e.clone());
            }
            for id in &a.remove {
                state.remove(id);
            }
        }
    }
}

/// The entries that differ between two states, with their before and after.
fn differences(a: &ListState, b: &ListState) -> BTreeMap<EntryId, (Option<Entry>, Option<Entry>)> {
    a.keys()
        .chain(b.keys())
        .filter(|id| a.get(*id) != b.get(*id))
        .map(|id| (id.clone(), (a.get(id).cloned(), b.get(id).cloned())))
        .collect()
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

/// Drives a fresh in-memory store and the reference with `steps`, recording step `i` at
/// `t0 + i` seconds; checks that both agree on what each step does. Returns the store and the
/// reference.
fn run(steps: &[Step]) -> Result<(MemKv, Reference), TestCaseError> {
    let kv = MemKv::default();
    let mut reference = Reference::default();
    for (i, step) in steps.iter().enumerate() {
        let now = t0() + Duration::seconds(i as i64);
        let events = reference.events.len();
        let target = |n: usize| (n % (events + 2)) as u64;
        let again;
        let step = match step {
            Step::Again(n) => {
                let Some((publication, _, _)) =
                    reference.publication((n % events.max(1)) as u64 + 1)
                else {
                    continue;
                };
                again = Step::Publish {
                    publication: publication.clone(),
                    corrects: None,
                };
                &again
            }
            step => step,
        };
        match step {
            Step::Again(_) => {}
            Step::Publish {
                publication,
                corrects,
            } => {
                let provenance = provenance(publication);
                let corrects = corrects.map(target);
                let expected = reference.record(publication, &provenance.sha256, corrects);
                let got = match record_into(&kv, publication, &provenance, now, corrects) {
                    Ok(RecordOutcome::Recorded { event, .. }) => RefOutcome::Recorded {
                        seq: event.seq,
                        corrects: event.supersedes,
                    },
                    Ok(RecordOutcome::AlreadyRecorded { seq }) => RefOutcome::Already(seq),
                    Err(StoreError::Invalid(_)) => RefOutcome::Refused,
                    Err(other) => return Err(TestCaseError::fail(format!("step {i}: {other}"))),
                };
                prop_assert_eq!(got, expected, "step {}: {:?}", i, step);
            }
            Step::Retract(n) => {
                let expected = reference.retract(target(*n));
                let got = match retract_into(&kv, target(*n), "a test", now) {
                    Ok(r) => RefOutcome::Recorded {
                        seq: r.event.seq,
                        corrects: None,
                    },
                    Err(StoreError::Invalid(_)) => RefOutcome::Refused,
                    Err(other) => return Err(TestCaseError::fail(format!("step {i}: {other}"))),
                };
                prop_assert_eq!(got, expected, "step {}: {:?}", i, step);
            }
        }
    }
    Ok((kv, reference))
}

/// Every answer the store gives from `kv` against the reference: the state at the end of
/// every date; the publications that count, in fold order, each with what it changed (what
/// `since` reads); what changed between every two dates (what `diff` reads); every version of
/// every entry (what `history` reads).
fn check_answers(kv: &MemKv, reference: &Reference, what: &str) -> Result<(), TestCaseError> {
    let view = View {
        index: Index::new(kv),
        cap: None,
    };
    let dates: Vec<NaiveDate> = (-1..9).map(day).collect();
    for list in LISTS.map(|l| ListId::new(l).unwrap()) {
        let states: Vec<ListState> = dates.iter().map(|d| reference.state(&list, *d)).collect();
        for (date, expected) in dates.iter().zip(&states) {
            let got: ListState = view
                .state_as_of(&list, *date)
                .unwrap()
                .into_iter()
                .map(|e| (e.id.clone(), e))
                .collect();
            prop_assert_eq!(&got, expected, "{}: {} as of {}", what, list, date);
        }
        // The timeline: the publications that count, each with its changes.
        let places = reference.places(&list);
        let timeline = view.timeline(&list, day(-1), day(9)).unwrap();
        prop_assert_eq!(
            timeline
                .iter()
                .map(|t| (t.published, t.seq))
                .collect::<Vec<_>>(),
            places
                .iter()
                .map(|p| (p.published, p.counting))
                .collect::<Vec<_>>(),
            "{}: {} timeline",
            what,
            list
        );
        let mut state = ListState::new();
        for (item, place) in timeline.iter().zip(&places) {
            let before = state.clone();
            apply(&mut state, place.content);
            let expected = differences(&before, &state);
            let mut got = BTreeMap::new();
            for (id, _) in view.changes_of(&list, item.at).unwrap() {
                let was = view.entry_before(&list, &id, item.at).unwrap();
                let is = view.entry_after(&list, &id, item.at).unwrap();
                got.insert(id, (was, is));
            }
            prop_assert_eq!(
                got,
                expected,
                "{}: {} changes of event {}",
                what,
                list,
                item.seq
            );
            prop_assert_eq!(
                item.kind,
                match place.content {
                    PublicationContent::Snapshot(_) => PublicationKind::Snapshot,
                    PublicationContent::Amendment(_) => PublicationKind::Amendment,
                }
            );
        }
        // Every pair of dates.
        for (a, (date_a, state_a)) in dates.iter().zip(&states).enumerate() {
            for (date_b, state_b) in dates.iter().zip(&states).skip(a) {
                let mut got = BTreeMap::new();
                for id in view.changed_between(&list, *date_a, *date_b).unwrap() {
                    let was = view.entry_as_of(&list, &id, *date_a).unwrap();
                    let is = view.entry_as_of(&list, &id, *date_b).unwrap();
                    if was != is {
                        got.insert(id, (was, is));
                    }
                }
                prop_assert_eq!(
                    got,
                    differences(state_a, state_b),
                    "{}: {} from {} to {}",
                    what,
                    list,
                    date_a,
                    date_b
                );
            }
        }
        // Every version of every entry.
        for n in 0..IDS {
            let id = EntryId::new(&format!("e{n}")).unwrap();
            let mut expected = Vec::new();
            let mut state = ListState::new();
            for place in &places {
                let before = state.get(&id).cloned();
                apply(&mut state, place.content);
                let after = state.get(&id).cloned();
                if after != before {
                    expected.push((place.published.date, place.counting, after));
                }
            }
            let got: Vec<(NaiveDate, u64, Option<Entry>)> = view
                .versions(&list, &id)
                .unwrap()
                .into_iter()
                .map(|v| (v.published, v.seq, v.entry))
                .collect();
            prop_assert_eq!(got, expected, "{}: {} history of {}", what, list, id);
        }
    }
    Ok(())
}

/// The reference as the log stood after its first `events` events.
fn prefix(reference: &Reference, events: usize) -> Reference {
    Reference {
        events: reference.events[..events].to_vec(),
    }
}

fn indexed(kv: &MemKv, list: &ListId, as_of: NaiveDate) -> ListState {
    let index = Index::new(kv);
    index
        .state_before(list, records::Point::end_of(as_of))
        .unwrap()
        .values()
        .map(|slot| {
            let e = index.entry(slot.at).unwrap();
            (e.id.clone(), e)
        })
        .collect()
}

/// Records `history` into a fresh in-memory store; returns it and the publications that were
/// actually recorded (duplicates of list, time and bytes are not).
fn record_all(history: &[Publication]) -> (MemKv, Vec<Publication>) {
    let kv = MemKv::default();
    let mut recorded = Vec::new();
    for (i, publication) in history.iter().enumerate() {
        let outcome = record_into(
            &kv,
            publication,
            &provenance(publication),
            t0() + Duration::seconds(i as i64),
            None,
        )
        .unwrap();
        if let RecordOutcome::Recorded { .. } = outcome {
            recorded.push(publication.clone());
        }
    }
    (kv, recorded)
}

/// As [`record_all`], but every snapshot that would be the latest of its list is recorded one
/// entry at a time (in reverse order) through a [`SnapshotDigest`].
fn record_all_streaming(history: &[Publication]) -> (MemKv, Vec<Publication>) {
    let kv = MemKv::default();
    let mut recorded = Vec::new();
    for (i, publication) in history.iter().enumerate() {
        let now = t0() + Duration::seconds(i as i64);
        let provenance = provenance(publication);
        let digest = match &publication.content {
            PublicationContent::Snapshot(_) => start_digest(
                &kv,
                &publication.list,
                publication.published,
                &provenance.sha256,
            )
            .unwrap(),
            PublicationContent::Amendment(_) => None,
        };
        let outcome = match (digest, &publication.content) {
            (Some(mut digest), PublicationContent::Snapshot(entries)) => {
                for entry in entries.iter().rev() {
                    digest.push(&kv, entry.clone()).unwrap();
                }
                record_digest_into(&kv, digest, &publication.source, &provenance, now).unwrap()
            }
            _ => record_into(&kv, publication, &provenance, now, None).unwrap(),
        };
        if let RecordOutcome::Recorded { .. } = outcome {
            recorded.push(publication.clone());
        }
    }
    (kv, recorded)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Every answer equals the reference fold of the contract, on random histories of
    /// several publications per date (with and without times; amendments of one day with
    /// different sources), corrections (same identity, other bytes; and explicit), retractions
    /// and backfills: as recorded, as known at every recording (the store replayed up to it),
    /// and after a rebuild from the log, which gives back exactly the indexes recording built.
    #[test]
    fn every_answer_is_the_reference_fold_of_the_contract(steps in steps_strategy()) {
        let (kv, reference) = run(&steps)?;
        check_answers(&kv, &reference, "as recorded")?;
        // The second clock: as known at each recording.
        let times: Vec<DateTime<Utc>> = Index::new(&kv)
            .events()
            .map(|e| e.unwrap().recorded())
            .collect();
        prop_assert_eq!(times.len(), reference.events.len());
        for k in 0..=times.len() {
            let moment = if k == 0 { t0() - Duration::seconds(1) } else { times[k - 1] };
            let (past, events) =
                replay_prefix(&kv, |record| record.recorded() > moment, |_| true).unwrap();
            prop_assert_eq!(events, k as u64);
            check_answers(&past, &prefix(&reference, k), &format!("known after event {k}"))?;
            for list in LISTS.map(|l| ListId::new(l).unwrap()) {
                // Replaying only this list's events gives the same answers for it.
                let (alone, _) = replay_prefix(
                    &kv,
                    |record| record.recorded() > moment,
                    |record| record.list() == &list,
                )
                .unwrap();
                for offset in -1..9 {
                    prop_assert_eq!(
                        indexed(&alone, &list, day(offset)),
                        prefix(&reference, k).state(&list, day(offset))
                    );
                }
            }
            if k == times.len() {
                for tree in Tree::DERIVED {
                    prop_assert_eq!(past.dump(tree), kv.dump(tree));
                }
            }
        }
        let before: Vec<_> = Tree::DERIVED.iter().map(|t| kv.dump(*t)).collect();
        index::rebuild(&kv).unwrap();
        let after: Vec<_> = Tree::DERIVED.iter().map(|t| kv.dump(*t)).collect();
        prop_assert_eq!(before, after);
    }

    /// Snapshots recorded one entry at a time give the same states, effects and log as whole
    /// ones, and replay from the log exactly.
    #[test]
    fn streamed_snapshots_record_the_same_history(history in history_strategy()) {
        let (whole, recorded) = record_all(&history);
        let (streamed, streamed_recorded) = record_all_streaming(&history);
        prop_assert_eq!(&recorded, &streamed_recorded);
        for list in LISTS.map(|l| ListId::new(l).unwrap()) {
            for offset in 0..9 {
                prop_assert_eq!(
                    indexed(&whole, &list, day(offset)),
                    indexed(&streamed, &list, day(offset))
                );
            }
        }
        let effects = |kv: &MemKv| -> Vec<_> {
            Index::new(kv).events().map(|e| match e.unwrap() {
                event::LogRecord::Publication(e) => (e.seq, e.list, e.published, e.effect, e.supersedes),
                other => panic!("{other:?}"),
            }).collect()
        };
        prop_assert_eq!(effects(&whole), effects(&streamed));
        let before: Vec<_> = Tree::DERIVED.iter().map(|t| streamed.dump(*t)).collect();
        index::rebuild(&streamed).unwrap();
        let after: Vec<_> = Tree::DERIVED.iter().map(|t| streamed.dump(*t)).collect();
        prop_assert_eq!(before, after);
    }

    /// The model's plain fold (identities, no retractions) agrees with the store on histories
    /// of publications alone.
    #[test]
    fn the_models_fold_is_the_stores(history in history_strategy()) {
        let (kv, recorded) = record_all(&history);
        for list in LISTS.map(|l| ListId::new(l).unwrap()) {
            let of_list: Vec<Publication> =
                recorded.iter().filter(|p| p.list == list).cloned().collect();
            for offset in -1..9 {
                prop_assert_eq!(
                    indexed(&kv, &list, day(offset)),
                    crate::model::fold::state_as_of(&of_list, day(offset))
                );
            }
        }
    }
}

/// The example of issue 11: two rules amending a list on one day both count; a correction of
/// the first takes its place (its additions replace the first's, the second's stay); its
/// retraction brings the first back, and `known_at` before the retraction still sees it.
#[test]
fn same_day_rules_count_and_a_correction_takes_its_place() {
    let kv = MemKv::default();
    let list = ListId::new("x").unwrap();
    let rule = |source: &str, add: &[(usize, usize)]| Publication {
        list: list.clone(),
        published: at(4, None),
        source: source.into(),
        content: PublicationContent::Amendment(Amendment {
            add: add.iter().map(|&(id, name)| entry(id, name, 0)).collect(),
            ..Amendment::default()
        }),
    };
    let history = [
        Publication {
            list: list.clone(),
            published: at(1, None),
            source: "snapshot".into(),
            content: PublicationContent::Snapshot(vec![entry(0, 0, 0)]),
        },
        rule("89 FR 1", &[(1, 0)]),
        rule("89 FR 2", &[(2, 0)]),
        rule("89 FR 1", &[(3, 0), (2, 1)]),
    ];
    let mut outcomes = Vec::new();
    for (i, p) in history.iter().enumerate() {
        outcomes.push(
            record_into(
                &kv,
                p,
                &provenance(p),
                t0() + Duration::seconds(i as i64),
                None,
            )
            .unwrap(),
        );
    }
    let supersedes: Vec<Option<u64>> = outcomes
        .iter()
        .map(|o| match o {
            RecordOutcome::Recorded { event, .. } => event.supersedes,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(supersedes, [None, None, None, Some(2)]);
    let ids = |kv: &MemKv| -> Vec<(String, String)> {
        indexed(kv, &list, day(5))
            .into_values()
            .map(|e| (e.id.as_str().to_string(), e.name))
            .collect()
    };
    let pairs = |items: &[(&str, &str)]| -> Vec<(String, String)> {
        items
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    // e2 from the second rule stays as it stated it, after the correction in the first's place.
    assert_eq!(
        ids(&kv),
        pairs(&[("e0", "Alpha"), ("e2", "Alpha"), ("e3", "Alpha")])
    );
    let retraction = retract_into(&kv, 4, "wrong file", t0() + Duration::seconds(10)).unwrap();
    assert_eq!(retraction.counts_again, Some(2));
    assert_eq!(
        ids(&kv),
        pairs(&[("e0", "Alpha"), ("e1", "Alpha"), ("e2", "Alpha")])
    );
    let (past, _) = replay_prefix(
        &kv,
        |r| r.recorded() > t0() + Duration::seconds(5),
        |_| true,
    )
    .unwrap();
    assert_eq!(
        ids(&past),
        pairs(&[("e0", "Alpha"), ("e2", "Alpha"), ("e3", "Alpha")])
    );
    // A retraction of a retraction, or of an event retracted, is refused.
    for (target, refusal) in [(5, "is a retraction"), (4, "already retracted, by event 5")] {
        match retract_into(&kv, target, "again", t0() + Duration::seconds(11)) {
            Err(StoreError::Invalid(why)) => assert!(why.contains(refusal), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}

/// A snapshot that corrects an amendment of another day (`--corrects`) moves the publication's
/// place; when a later correction of it is retracted, it counts again with the whole state it
/// stated, not one rebuilt on a base that still held the amendment it replaced. `reparse` reads
/// its recorded state the same way.
#[test]
fn an_earlier_version_that_moved_its_place_counts_again_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("store"), Access::Write).unwrap();
    let list = ListId::new("l").unwrap();
    let publication = |offset: i64, content: PublicationContent| Publication {
        list: list.clone(),
        published: at(offset, None),
        source: "s".into(),
        content,
    };
    let amendment = publication(
        1,
        PublicationContent::Amendment(Amendment {
            add: vec![entry(9, 0, 0)],
            ..Amendment::default()
        }),
    );
    let moved = publication(3, PublicationContent::Snapshot(vec![entry(0, 0, 0)]));
    let later = publication(3, PublicationContent::Snapshot(vec![entry(1, 0, 0)]));
    store
        .record(&amendment, &provenance(&amendment), t0())
        .unwrap();
    store
        .record_correcting(&moved, &provenance(&moved), t0(), 1)
        .unwrap();
    store.record(&later, &provenance(&later), t0()).unwrap();
    let ids = |store: &Store, offset: i64| -> Vec<String> {
        store
            .view()
            .state_as_of(&list, day(offset))
            .unwrap()
            .into_iter()
            .map(|e| e.id.as_str().to_string())
            .collect()
    };
    assert_eq!(
        (ids(&store, 2), ids(&store, 3)),
        (vec![], vec!["e1".to_string()])
    );
    let retraction = store.retract(3, "a test", t0()).unwrap();
    assert_eq!(retraction.counts_again, Some(2));
    assert_eq!(
        (ids(&store, 2), ids(&store, 3)),
        (vec![], vec!["e0".to_string()])
    );
    let recorded = store.recorded_snapshot(2).unwrap().unwrap();
    assert_eq!(
        recorded.keys().map(|id| id.as_str()).collect::<Vec<_>>(),
        ["e0"]
    );
    assert!(store.verify().unwrap().passed());
}

/// A header as listdiffs before issue 11 wrote it for a second amendment of a list and date
/// (`supersedes` the first, whatever their sources) reads as an explicit correction: the
/// store answers as those listdiffs did, and its bytes are what this one writes for a
/// correction made with `--corrects`.
#[test]
fn an_old_stores_same_day_correction_keeps_its_meaning() {
    let kv = MemKv::default();
    let list = ListId::new("x").unwrap();
    let rule = |source: &str, id: usize| Publication {
        list: list.clone(),
        published: at(4, None),
        source: source.into(),
        content: PublicationContent::Amendment(Amendment {
            add: vec![entry(id, 0, 0)],
            ..Amendment::default()
        }),
    };
    let (first, second) = (rule("89 FR 1", 1), rule("89 FR 2", 2));
    record_into(&kv, &first, &provenance(&first), t0(), None).unwrap();
    record_into(&kv, &second, &provenance(&second), t0(), Some(1)).unwrap();
    let bytes = kv.get(Tree::Events, &keys::seq(2)).unwrap().unwrap();
    let expected = format!(
        concat!(
            r#"{{"v":1,"seq":2,"list":"x","published":"2024-12-05","kind":"amendment","source":"89 FR 2","#,
            r#""sha256":"{sha}","inputs":[{{"name":"test","sha256":"{sha}","bytes":0}}],"#,
            r#""recorded":"2026-01-01T00:00:00Z","format":"native","parser":"test","supersedes":1,"#,
            r#""effect":{{"added":1,"removed":0,"changed":0}},"content":{{"encoding":"amendment","add":1,"amend":0,"remove":[],"block_sha256":"{block}"}}}}"#
        ),
        sha = provenance(&second).sha256,
        block = sha256_hex(&[entry(2, 0, 0).canonical_json(), b"\n".to_vec()].concat()),
    );
    assert_eq!(String::from_utf8(bytes).unwrap(), expected);
    let state: Vec<String> = indexed(&kv, &list, day(4))
        .into_keys()
        .map(|id| id.as_str().to_string())
        .collect();
    assert_eq!(state, ["e2"]);
    index::rebuild(&kv).unwrap();
    assert_eq!(indexed(&kv, &list, day(4)).len(), 1);
}

#[test]
fn a_duplicate_publication_is_recorded_once() {
    let p = Publication {
        list: ListId::new("l1").unwrap(),
        published: day(0).into(),
        source: "s".into(),
        content: PublicationContent::Snapshot(vec![entry(1, 0, 0)]),
    };
    let (kv, recorded) = record_all(&[p.clone(), p]);
    assert_eq!(recorded.len(), 1);
    assert_eq!(kv.dump(Tree::Events).len(), 1);
}

#[test]
fn a_snapshot_is_stored_as_its_difference_from_the_day_before() {
    let mut big: Vec<Entry> = (0..6).map(|i| entry(i, 0, 1)).collect();
    let first = Publication {
        list: ListId::new("l1").unwrap(),
        published: day(0).into(),
        source: "s".into(),
        content: PublicationContent::Snapshot(big.clone()),
    };
    big[2] = entry(2, 1, 1);
    big.remove(4);
    let second = Publication {
        published: day(1).into(),
        content: PublicationContent::Snapshot(big),
        ..first.clone()
    };
    let (kv, _) = record_all(&[first, second]);
    let events = kv.dump(Tree::Events);
    let record = event::EventRecord::from_bytes(&events[1].1).unwrap();
    match &record.content {
        event::EventContent::SnapshotDelta {
            entries,
            upsert,
            remove,
            ..
        } => {
            assert_eq!((*entries, *upsert), (5, 1));
            assert_eq!(
                remove.iter().map(|e| e.as_str()).collect::<Vec<_>>(),
                ["e4"]
            );
        }
        other => panic!("expected a snapshot delta, got {other:?}"),
    }
    let stored = Index::new(&kv).sealed_block(&record).unwrap();
    assert_eq!(
        stored.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["e2"]
    );
    assert_eq!(
        record.effect,
        Effect {
            added: 0,
            removed: 1,
            changed: 1
        }
    );
}

#[test]
fn the_recorded_time_never_goes_backwards() {
    let kv = MemKv::default();
    let p = |d: i64| Publication {
        list: ListId::new("l1").unwrap(),
        published: day(d).into(),
        source: "s".into(),
        content: PublicationContent::Snapshot(vec![entry(d as usize, 0, 0)]),
    };
    let late = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
    let early = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    record_into(&kv, &p(0), &provenance(&p(0)), late, None).unwrap();
    match record_into(&kv, &p(1), &provenance(&p(1)), early, None).unwrap() {
        RecordOutcome::Recorded { event, .. } => assert_eq!(event.recorded, late),
        other => panic!("{other:?}"),
    }
}

/// Trees that fail every commit after the first `allowed`: a crash at that point.
struct CrashingKv {
    inner: MemKv,
    allowed: std::sync::atomic::AtomicUsize,
}

impl CrashingKv {
    /// Empty trees that do not crash until told to.
    fn new() -> CrashingKv {
        CrashingKv {
            inner: MemKv::default(),
            allowed: std::sync::atomic::AtomicUsize::new(usize::MAX),
        }
    }

    /// How many commits were made, while no crash was set.
    fn commits(&self) -> usize {
        usize::MAX - self.allowed.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Fails every commit after the next `commits`.
    fn crash_after(&self, commits: usize) {
        self.allowed
            .store(commits, std::sync::atomic::Ordering::SeqCst);
    }

    /// After a crash: the indexes are marked dirty, and the recovery of the next open repairs
    /// them.
    fn recover_from_crash(&self) {
        assert!(
            self.inner
                .get(Tree::Meta, meta::INDEX_STATE)
                .unwrap()
                .is_some(),
            "the indexes are marked dirty"
        );
        self.crash_after(usize::MAX);
        let scratch = tempfile::tempdir().unwrap();
        recover(self, scratch.path()).unwrap();
    }
}

impl Kv for CrashingKv {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.inner.get(tree, key)
    }
    fn range(&self, tree: Tree, lo: &[u8], hi: &[u8]) -> kv::RangeIter<'_> {
        self.inner.range(tree, lo, hi)
    }
    fn commit(&self, writes: kv::Writes) -> Result<(), StoreError> {
        if self.allowed.load(std::sync::atomic::Ordering::SeqCst) == 0 {
            return Err(StoreError::Corrupt("simulated crash".into()));
        }
        self.allowed.store(
            self.allowed.load(std::sync::atomic::Ordering::SeqCst) - 1,
            std::sync::atomic::Ordering::SeqCst,
        );
        self.inner.commit(writes)
    }
    fn clear(&self, tree: Tree) -> Result<(), StoreError> {
        self.inner.clear(tree)
    }
}

/// A large event is written in parts; a crash between them leaves the event out of the log
/// and the indexes marked dirty, and recovery rebuilds them to exactly what they were.
#[test]
fn a_crash_inside_a_large_event_leaves_it_out_and_recovery_repairs_the_indexes() {
    let small = Publication {
        list: ListId::new("l1").unwrap(),
        published: day(0).into(),
        source: "s".into(),
        content: PublicationContent::Snapshot(vec![entry(1, 0, 0)]),
    };
    let big_entries: Vec<Entry> = (0..2500)
        .map(|i| Entry::new(EntryId::new(&format!("big{i:05}")).unwrap(), "Big"))
        .collect();
    let big = Publication {
        list: ListId::new("l1").unwrap(),
        published: day(1).into(),
        source: "b".into(),
        content: PublicationContent::Snapshot(big_entries),
    };
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    for crash_after in 1..4 {
        let kv = CrashingKv::new();
        record_into(&kv, &small, &provenance(&small), t0, None).unwrap();
        let clean: Vec<_> = Tree::ALL.iter().map(|t| kv.inner.dump(*t)).collect();
        kv.crash_after(crash_after);
        assert!(record_into(&kv, &big, &provenance(&big), t0, None).is_err());
        assert_eq!(
            kv.inner.dump(Tree::Events).len(),
            1,
            "the big event is not in the log"
        );
        kv.recover_from_crash();
        let recovered: Vec<_> = Tree::ALL.iter().map(|t| kv.inner.dump(*t)).collect();
        assert_eq!(recovered, clean, "crash after {crash_after} commits");
        // And the event can be recorded afterwards.
        assert!(matches!(
            record_into(&kv, &big, &provenance(&big), t0, None).unwrap(),
            RecordOutcome::Recorded { .. }
        ));
    }
}

/// A crash after an event reached the log and before the state checkpoint due after it was
/// written leaves the indexes marked dirty, and recovery rebuilds them, that checkpoint
/// included, to exactly what recording would have left: `verify` finds nothing missing.
#[test]
fn a_crash_before_the_checkpoint_due_after_an_event_is_repaired_by_recovery() {
    let _every = CheckpointsEvery::set(1);
    let publication = |offset: i64, source: &str, entries: Vec<Entry>| Publication {
        list: ListId::new("l1").unwrap(),
        published: day(offset).into(),
        source: source.into(),
        content: PublicationContent::Snapshot(entries),
    };
    let first = publication(0, "a", vec![entry(1, 0, 0), entry(2, 0, 0)]);
    let second = publication(1, "b", vec![entry(1, 0, 1), entry(3, 0, 0)]);
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let record = |kv: &dyn Kv, p: &Publication| record_into(kv, p, &provenance(p), t0, None);
    let kept = |kv: &MemKv| -> Vec<_> {
        Tree::DERIVED
            .iter()
            .chain([&Tree::Events])
            .map(|t| kv.dump(*t))
            .collect()
    };

    // Recorded whole: a checkpoint is due after the second publication, and written.
    let whole = CrashingKv::new();
    record(&whole, &first).unwrap();
    record(&whole, &second).unwrap();
    assert!(
        !whole.inner.dump(Tree::States).is_empty(),
        "a checkpoint is written"
    );
    assert_eq!(
        whole.inner.get(Tree::Meta, meta::INDEX_STATE).unwrap(),
        None
    );
    let commits = whole.commits();

    // A crash at the last commit: the event is in the log, its checkpoint is not.
    let kv = CrashingKv::new();
    record(&kv, &first).unwrap();
    kv.crash_after(commits - kv.commits() - 1);
    assert!(record(&kv, &second).is_err());
    assert_eq!(
        kv.inner.dump(Tree::Events).len(),
        2,
        "the event is in the log"
    );
    assert!(
        kv.inner.dump(Tree::States).is_empty(),
        "its checkpoint is not"
    );
    kv.recover_from_crash();
    assert_eq!(kept(&kv.inner), kept(&whole.inner));
    assert_eq!(kv.inner.get(Tree::Meta, meta::INDEX_STATE).unwrap(), None);
}

/// The derived records as store layout 1 wrote them (a one-byte name count, two-byte string
/// lengths, four-byte counts and lines), to make a store as an older listdiff left it.
mod layout1 {
    use super::records::{EntryRecord, decode_changes};

    fn put_str(out: &mut Vec<u8>, text: &str) {
        out.extend_from_slice(&(text.len() as u16).to_be_bytes());
        out.extend_from_slice(text.as_bytes());
    }

    /// An entry record in layout 1, from one in the current layout.
    pub(super) fn entry_record(current: &[u8]) -> Vec<u8> {
        let record = EntryRecord::decode(current).unwrap();
        let mut out = vec![record.names.len() as u8];
        for name in &record.names {
            put_str(&mut out, &name.name);
        }
        out.extend_from_slice(&(record.versions.len() as u32).to_be_bytes());
        for v in &record.versions {
            out.extend_from_slice(&super::keys::date(v.at.date));
            out.extend_from_slice(&v.at.seq.to_be_bytes());
            match v.slot {
                None => out.push(0),
                Some(slot) => {
                    out.push(1);
                    out.extend_from_slice(&slot.hash);
                    out.extend_from_slice(&slot.at.seq.to_be_bytes());
                    out.extend_from_slice(&(slot.at.line as u32).to_be_bytes());
                }
            }
        }
        out
    }

    /// A change list in layout 1.
    pub(super) fn change_list(current: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for (id, kind) in decode_changes(current).unwrap() {
            out.push(match kind {
                crate::model::ChangeKind::Added => b'a',
                crate::model::ChangeKind::Removed => b'r',
                crate::model::ChangeKind::Changed => b'c',
            });
            put_str(&mut out, id.as_str());
        }
        out
    }
}

/// A store on disk holding a few publications of two lists, with backfills and corrections.
fn store_on_disk(dir: &std::path::Path) -> Store {
    let mut store = Store::open(dir, Access::Write).unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let publication = |list: &str, offset: i64, entries: Vec<Entry>| Publication {
        list: ListId::new(list).unwrap(),
        published: day(offset).into(),
        source: format!("{list} {offset}"),
        content: PublicationContent::Snapshot(entries),
    };
    let history = [
        publication("l1", 2, vec![entry(1, 0, 0), entry(2, 1, 1)]),
        publication("l1", 0, vec![entry(1, 1, 0)]),
        publication("l2", 1, vec![entry(3, 0, 2)]),
        publication("l1", 2, vec![entry(2, 0, 1)]),
    ];
    for (i, p) in history.iter().enumerate() {
        store
            .record(p, &provenance(p), t0 + Duration::seconds(i as i64))
            .unwrap();
    }
    store
}

/// Calls `open` until the database engine has let go of the store's files (its helper threads
/// can hold them a moment after it is dropped).
fn when_free<T>(mut open: impl FnMut() -> Result<T, StoreError>) -> Result<T, StoreError> {
    for _ in 0..500 {
        match open() {
            Err(StoreError::InUse { .. }) => {
                std::thread::sleep(std::time::Duration::from_millis(10))
            }
            other => return other,
        }
    }
    panic!("the store is still in use after 5 s");
}

/// Flushes and drops `store`, then opens it again.
fn reopen(store: Store) -> Result<Store, StoreError> {
    let path = store.path().to_path_buf();
    store.flush().unwrap();
    drop(store);
    when_free(|| Store::open(&path, Access::Read))
}

/// Every pair of every tree of a store.
fn dump_all(kv: &dyn Kv) -> Vec<Vec<(Vec<u8>, Vec<u8>)>> {
    Tree::ALL
        .iter()
        .map(|&tree| {
            kv.range(tree, &[], &[u8::MAX; 600])
                .collect::<Result<Vec<_>, _>>()
                .unwrap()
        })
        .collect()
}

/// The derived trees as a listdiff of layout 1, 2 or 3 left them, made from this listdiff's:
/// layout 3's entry records had no `by` after each name, and it had no state checkpoints;
/// layouts 1 and 2 also had the
/// timeline, change lists and dedup keyed by (date, seq), entry records with 12-byte points
/// and no `by`, no groups or identities. Layout 1's records also had its narrower counts.
fn older_derived_trees(kv: &dyn Kv, layout: u32) -> Writes {
    let mut writes = Writes::default();
    if layout == 3 {
        // Layout 3 is this one without state checkpoints and without a `by` after each name.
        for (key, _) in kv.range(Tree::States, &[], &[u8::MAX]).map(Result::unwrap) {
            writes.delete(Tree::States, key);
        }
        for (key, value) in kv.range(Tree::Entries, &[], &[u8::MAX]).map(Result::unwrap) {
            writes.put(Tree::Entries, key, layout3::entry_record(&value));
        }
        writes.put(Tree::Meta, meta::LAYOUT, "3");
        return writes;
    }
    let all = |tree| {
        kv.range(tree, &[], &[u8::MAX])
            .map(Result::unwrap)
            .collect::<Vec<_>>()
    };
    // `list 0 point` as `list 0 date seq`.
    let old_key = |key: &[u8]| {
        let point = keys::read_point(key).unwrap();
        let mut old = key[..key.len() - records::POINT_BYTES].to_vec();
        old.extend_from_slice(&keys::date(point.date));
        old.extend_from_slice(&point.seq.to_be_bytes());
        old
    };
    for tree in Tree::DERIVED {
        for (key, _) in all(tree) {
            writes.delete(tree, key);
        }
    }
    for (key, value) in all(Tree::Timeline) {
        let (kind, _) = records::decode_timeline(&value).unwrap();
        let byte = if kind == PublicationKind::Snapshot {
            "s"
        } else {
            "a"
        };
        writes.put(Tree::Timeline, old_key(&key), byte);
    }
    for (key, value) in all(Tree::Changes) {
        let old = match layout {
            1 => layout1::change_list(&value),
            _ => value,
        };
        writes.put(Tree::Changes, old_key(&key), old);
    }
    for (key, value) in all(Tree::Entries) {
        let old = match layout {
            1 => layout1::entry_record(&value),
            _ => layout2::entry_record(&value),
        };
        assert_ne!(old, value);
        writes.put(Tree::Entries, key, old);
    }
    for (key, value) in all(Tree::Dedup) {
        // `list 0 date time sha256` as `list 0 date sha256`.
        let cut = key.iter().position(|b| *b == 0).unwrap() + 5;
        let mut old = key[..cut].to_vec();
        old.extend_from_slice(&key[cut + 4..]);
        writes.put(Tree::Dedup, old, value);
    }
    for (key, value) in all(Tree::Lists) {
        writes.put(Tree::Lists, key, value);
    }
    writes.put(Tree::Meta, meta::LAYOUT, layout.to_string());
    writes
}

/// Entry records as store layout 3 wrote them: no `by` after each name.
mod layout3 {
    use super::records::EntryRecord;

    /// An entry record in layout 3, from one in the current layout.
    pub(super) fn entry_record(current: &[u8]) -> Vec<u8> {
        let record = EntryRecord::decode(current).unwrap();
        let mut out = Vec::new();
        super::layout2::put_varint(&mut out, record.names.len() as u64);
        for name in &record.names {
            super::layout2::put_varint(&mut out, name.name.len() as u64);
            out.extend_from_slice(name.name.as_bytes());
        }
        let versions = EntryRecord {
            names: Vec::new(),
            versions: record.versions,
        }
        .encode();
        // After its name count (0, one byte), the versions as layout 3 has them.
        out.extend_from_slice(&versions[1..]);
        out
    }
}

/// Entry records as store layout 2 wrote them: 12-byte points (date, seq), no `by`.
mod layout2 {
    use super::records::EntryRecord;

    pub(super) fn put_varint(out: &mut Vec<u8>, mut value: u64) {
        while value >= 0x80 {
            out.push((value as u8 & 0x7f) | 0x80);
            value >>= 7;
        }
        out.push(value as u8);
    }

    /// An entry record in layout 2, from one in the current layout.
    pub(super) fn entry_record(current: &[u8]) -> Vec<u8> {
        let record = EntryRecord::decode(current).unwrap();
        let mut out = Vec::new();
        put_varint(&mut out, record.names.len() as u64);
        for name in &record.names {
            put_varint(&mut out, name.name.len() as u64);
            out.extend_from_slice(name.name.as_bytes());
        }
        put_varint(&mut out, record.versions.len() as u64);
        for v in &record.versions {
            out.extend_from_slice(&super::keys::date(v.at.date));
            out.extend_from_slice(&v.by.to_be_bytes());
            match v.slot {
                None => out.push(0),
                Some(slot) => {
                    out.push(1);
                    out.extend_from_slice(&slot.hash);
                    out.extend_from_slice(&slot.at.seq.to_be_bytes());
                    put_varint(&mut out, slot.at.line);
                }
            }
        }
        out
    }
}

/// A store left by a listdiff of layout 1, 2 or 3 opens: its indexes are rebuilt in the current
/// layout, its log and meta are untouched but for the layout, and opening says so once.
#[test]
fn a_store_of_an_older_layout_is_upgraded_when_opened() {
    let _every = CheckpointsEvery::set(1);
    for layout in [1, 2, 3] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store");
        let store = store_on_disk(&path);
        let current = dump_all(&store.kv);
        assert!(
            store
                .kv
                .range(Tree::States, &[], &[u8::MAX])
                .next()
                .is_some(),
            "the store has state checkpoints to lose and get back"
        );
        store
            .kv
            .commit(older_derived_trees(&store.kv, layout))
            .unwrap();
        assert_ne!(dump_all(&store.kv), current);

        let store = reopen(store).unwrap();
        let upgrade = store.layout_upgrade().expect("the store was upgraded");
        assert_eq!(
            (upgrade.from, upgrade.to, upgrade.events),
            (layout, STORE_FORMAT, 4)
        );
        let note = upgrade.to_string();
        assert!(
            note.contains(&format!("had layout {layout}"))
                && note.contains(&format!("its log of 4 events in layout {STORE_FORMAT}")),
            "{note}"
        );
        assert_eq!(
            dump_all(&store.kv),
            current,
            "every tree as this listdiff writes it"
        );
        assert!(store.verify().unwrap().passed());
        // Once.
        let store = reopen(store).unwrap();
        assert_eq!(store.layout_upgrade(), None);
    }
}

/// An upgrade interrupted after it marked the indexes dirty is done again at the next open.
#[test]
fn an_interrupted_upgrade_is_done_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    let store = store_on_disk(&path);
    let current = dump_all(&store.kv);
    let mut writes = Writes::default();
    writes.put(Tree::Meta, meta::LAYOUT, "1");
    writes.put(Tree::Meta, meta::INDEX_STATE, meta::DIRTY);
    store.kv.commit(writes).unwrap();
    store.kv.clear(Tree::Entries).unwrap();
    let store = reopen(store).unwrap();
    assert_eq!(store.layout_upgrade().map(|u| u.from), Some(1));
    assert_eq!(dump_all(&store.kv), current);
}

/// A layout this listdiff does not know is refused, naming it; the store is left alone.
#[test]
fn an_unknown_layout_is_refused() {
    for found in ["5", "0", "two"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store");
        let store = store_on_disk(&path);
        let mut writes = Writes::default();
        writes.put(Tree::Meta, meta::LAYOUT, found);
        store.kv.commit(writes).unwrap();
        let before = dump_all(&store.kv);
        match reopen(store) {
            Err(error @ StoreError::TooNew { .. }) => assert!(
                error.to_string().contains(&format!(
                    "has layout {found}, but this listdiff reads layout {STORE_FORMAT}"
                )),
                "{error}"
            ),
            Err(other) => panic!("{found}: {other}"),
            Ok(_) => panic!("{found}: opened"),
        }
        // Nothing was written.
        let mut writes = Writes::default();
        writes.put(Tree::Meta, meta::LAYOUT, STORE_FORMAT.to_string());
        let kv = when_free(|| Disk::open(&path.join("db"), &path)).unwrap();
        assert_eq!(dump_all(&kv), before, "{found}: nothing was written");
        kv.commit(writes).unwrap();
        kv.flush().unwrap();
        drop(kv);
        let store = when_free(|| Store::open(&path, Access::Read)).unwrap();
        assert_eq!(store.layout_upgrade(), None);
    }
}

/// Every file under `dir` with its bytes.
fn files_of(dir: &std::path::Path) -> BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// A rebuild that fails (here on an event of the log that no longer replays as it was
/// recorded) leaves every file of the store as it was, says why, and the store still answers.
#[test]
fn a_rebuild_that_fails_leaves_the_store_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    let store = store_on_disk(&path);
    let bytes = store.kv.get(Tree::Events, &keys::seq(2)).unwrap().unwrap();
    let mut record = EventRecord::from_bytes(&bytes).unwrap();
    record.effect.added += 1;
    let mut writes = Writes::default();
    writes.put(Tree::Events, keys::seq(2).to_vec(), record.to_bytes());
    store.kv.commit(writes).unwrap();
    let store = reopen(store).unwrap();
    let answer = |store: &Store| {
        store
            .view()
            .state_as_of(&ListId::new("l1").unwrap(), day(2))
            .unwrap()
    };
    let answered = answer(&store);
    let before = files_of(&path);

    let error = store.rebuild().expect_err("the damaged log rebuilt");
    let message = error.to_string();
    assert!(
        message.contains("event 2") && message.contains("left as it was"),
        "{message}"
    );
    store.flush().unwrap();
    assert!(
        files_of(&path) == before,
        "the failed rebuild changed the store's files"
    );
    assert_eq!(answer(&store), answered);
    let store = reopen(store).unwrap();
    assert_eq!(answer(&store), answered);
}

/// A zstd frame that decompresses to `blocks` × 128 KiB of zero bytes, 4 bytes per block.
fn zstd_bomb(blocks: u32) -> Vec<u8> {
    let mut frame = vec![0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38];
    for n in 0..blocks {
        let last = u32::from(n + 1 == blocks);
        let header = (128 * 1024) << 3 | 1 << 1 | last;
        frame.extend_from_slice(&header.to_le_bytes()[..3]);
        frame.push(0);
    }
    frame
}

/// A content frame that would inflate far beyond what its event's inputs can account for is
/// damaged: verify, queries and export refuse it, naming the event and the frame, having
/// decompressed no more than the bound.
#[test]
fn a_content_frame_that_inflates_beyond_its_bound_is_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_on_disk(&dir.path().join("store"));
    let record =
        EventRecord::from_bytes(&store.kv.get(Tree::Events, &keys::seq(3)).unwrap().unwrap())
            .unwrap();
    let bound = record.max_frame_bytes();
    assert!(bound < 1 << 20, "{bound}");
    let mut writes = Writes::default();
    // 2 KiB that would inflate to 64 MiB.
    writes.put(Tree::Contents, keys::frame(3, 0), zstd_bomb(512));
    store.kv.commit(writes).unwrap();
    let damaged = format!(
        "event 3: content frame 0 is damaged: it decompresses to more than the {bound} bytes"
    );

    let report = store.verify().unwrap();
    assert!(
        report.problems.iter().any(|p| p.contains(&damaged)),
        "{:?}",
        report.problems
    );
    let list = ListId::new("l2").unwrap();
    let error = store.view().state_as_of(&list, day(1)).unwrap_err();
    assert!(error.to_string().contains(&damaged), "{error}");
    let error = store.export(&mut Vec::new()).unwrap_err();
    assert!(error.to_string().contains(&damaged), "{error}");
}

#[test]
fn a_snapshot_records_the_entries_it_carries_to_new_ids_and_nothing_else() {
    use crate::model::rekey::Carried;
    let kv = MemKv::default();
    let snapshot = |offset, ids: &[usize]| Publication {
        list: ListId::new("l").unwrap(),
        published: at(offset, None),
        source: "s".into(),
        content: PublicationContent::Snapshot(ids.iter().map(|i| entry(*i, 0, 0)).collect()),
    };
    let first = snapshot(0, &[0, 1]);
    record_into(&kv, &first, &provenance(&first), t0(), None).unwrap();
    let second = snapshot(1, &[2, 3]);
    let carry = |old: usize, new: usize| Carried {
        old: EntryId::new(&format!("e{old}")).unwrap(),
        new: EntryId::new(&format!("e{new}")).unwrap(),
    };
    // A new id the snapshot does not hold, or an old id it still holds, is refused.
    for wrong in [carry(0, 4), carry(2, 3)] {
        let result = record_carrying_into(&kv, &second, &provenance(&second), t0(), None, &[wrong]);
        assert!(matches!(result, Err(StoreError::Invalid(_))), "{result:?}");
    }
    let carried = [carry(0, 2), carry(1, 3)];
    record_carrying_into(&kv, &second, &provenance(&second), t0(), None, &carried).unwrap();
    let record = Index::new(&kv).event(2).unwrap();
    assert_eq!(record.carried, carried);
    // The fold is not changed by it: the old ids removed, the new ones added.
    assert_eq!(
        (record.effect.added, record.effect.removed),
        (2, 2),
        "{:?}",
        record.effect
    );
    // The header reads back to its bytes, and a rebuild replays it.
    let bytes = record.to_bytes();
    assert!(
        String::from_utf8_lossy(&bytes)
            .ends_with(r#""carried":[{"old":"e0","new":"e2"},{"old":"e1","new":"e3"}]}"#)
    );
    assert_eq!(LogRecord::from_bytes(&bytes).unwrap().to_bytes(), bytes);
    index::rebuild(&kv).unwrap();
    assert_eq!(Index::new(&kv).event(2).unwrap().carried, carried);
}

/// `steps` with the publication times of its publications sorted in step order (keeping
/// everything else): histories that mostly grow, where the capped `--known-at` view applies,
/// still with corrections, retractions and several publications of one date.
fn mostly_growing(mut steps: Vec<Step>) -> Vec<Step> {
    let mut times: Vec<PublicationTime> = steps
        .iter()
        .filter_map(|step| match step {
            Step::Publish { publication, .. } => Some(publication.published),
            _ => None,
        })
        .collect();
    times.sort();
    let mut times = times.into_iter();
    for step in &mut steps {
        if let Step::Publish { publication, .. } = step {
            publication.published = times.next().unwrap();
        }
    }
    steps
}

/// Every answer of `view` against `reference`, as `Debug` text (errors included): the lists;
/// for each list its timeline over every window, last publication, publications and counts,
/// the changes at every place of `places` (the whole store's), what changed between every two
/// dates, every entry's versions, state and presence at every date and around every place,
/// the entries and their names, the states in both orders; every event's header, inputs and
/// carried ids; the log; and the publication counting before each identity of `identities`.
fn answers(
    view: &View,
    places: &[(ListId, FoldPoint)],
    identities: &[(Identity, u64)],
    events: u64,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut put = |what: String| out.push(what);
    put(format!("lists {:?}", view.lists()));
    for list in LISTS.map(|l| ListId::new(l).unwrap()) {
        for from in -1..10 {
            for to in -1..10 {
                put(format!(
                    "timeline {list} {from} {to} {:?}",
                    view.timeline(&list, day(from), day(to))
                ));
                put(format!(
                    "changed {list} {from} {to} {:?}",
                    view.changed_between(&list, day(from), day(to))
                ));
            }
        }
        put(format!("last {list} {:?}", view.last_published(&list)));
        let publications = view.publications(&list);
        put(format!("publications {list} {publications:?}"));
        if let Ok(publications) = &publications {
            for position in 0..=publications.len() {
                put(format!(
                    "entries after {list} {position} {:?}",
                    view.entries_after(&list, publications, position)
                ));
            }
        }
        put(format!("entries {list} {:?}", view.entries(&list)));
        put(format!("names {list} {:?}", view.entry_names(&list)));
        for offset in -1..10 {
            put(format!(
                "last event {list} {offset} {:?}",
                view.last_event(&list, day(offset))
            ));
            put(format!(
                "ids {list} {offset} {:?}",
                view.ids_as_of(&list, day(offset))
            ));
            put(format!(
                "state {list} {offset} {:?}",
                view.state_as_of(&list, day(offset))
            ));
            let mut by_id = Vec::new();
            let result = view.each_as_of_by_id(&list, day(offset), |json| {
                by_id.push(json.to_vec());
                Ok::<(), StoreError>(())
            });
            put(format!("by id {list} {offset} {result:?} {by_id:?}"));
        }
        for id in 0..IDS {
            let id = EntryId::new(&format!("e{id}")).unwrap();
            put(format!(
                "versions {list} {id} {:?}",
                view.versions(&list, &id)
            ));
            for offset in -1..10 {
                put(format!(
                    "version {list} {id} {offset} {:?} {:?}",
                    view.version_as_of(&list, &id, day(offset)),
                    view.in_force(&list, &id, day(offset))
                ));
            }
            for (of, at) in places.iter().filter(|(of, _)| *of == list) {
                put(format!(
                    "around {of} {id} {at:?} {:?} {:?}",
                    view.entry_before(&list, &id, *at),
                    view.entry_after(&list, &id, *at)
                ));
            }
        }
    }
    for (list, at) in places {
        put(format!(
            "changes {list} {at:?} {:?}",
            view.changes_of(list, *at)
        ));
    }
    for seq in 1..=events + 1 {
        put(format!(
            "event {seq} {:?} {:?} {:?}",
            view.event(seq),
            view.inputs_of(seq),
            view.carried(seq)
        ));
    }
    put(format!("log {:?}", view.events()));
    for (identity, seq) in identities {
        put(format!(
            "counting before {identity:?} {:?} {:?}",
            view.counting_before(identity, None),
            view.counting_before(identity, Some(*seq))
        ));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// `--known-at` at every recording, of every list and of each alone, answers exactly as
    /// the replay of the log's prefix (the reference) on random histories with corrections,
    /// retractions, backfills and several publications of one date, whether the store's
    /// capped indexes or the replay answer; on histories that mostly grow, the capped
    /// indexes answer at least sometimes.
    #[test]
    fn known_at_answers_as_the_replay_of_the_prefix(
        steps in steps_strategy(),
        growing in any::<bool>(),
    ) {
        let steps = if growing { mostly_growing(steps) } else { steps };
        let (kv, _) = run(&steps)?;
        let whole = View { index: Index::new(&kv), cap: None };
        let mut places = Vec::new();
        let mut identities = Vec::new();
        for list in LISTS.map(|l| ListId::new(l).unwrap()) {
            for place in whole.publications(&list).unwrap() {
                places.push((list.clone(), place.at));
            }
        }
        let records: Vec<event::LogRecord> = Index::new(&kv).events().map(Result::unwrap).collect();
        for record in &records {
            if let event::LogRecord::Publication(p) = record {
                identities.push((
                    Identity::of(&p.list, p.published, p.kind, &p.source),
                    p.seq,
                ));
            }
        }
        let events = records.len() as u64;
        for k in 0..records.len() {
            let moment = if k == 0 { t0() - Duration::seconds(1) } else { records[k - 1].recorded() };
            let lists = LISTS.map(|l| Some(ListId::new(l).unwrap()));
            for only in [None].iter().chain(&lists) {
                let (source, counted) = known_at::known_at_in(&kv, moment, only.as_ref()).unwrap();
                prop_assert_eq!(counted, k as u64);
                let KnownSource::Capped(cap) = &source else { continue };
                let capped = View { index: Index::new(&kv), cap: Some(cap) };
                let (memory, _) = replay_prefix(
                    &kv,
                    |record| record.recorded() > moment,
                    |record| only.as_ref().is_none_or(|l| record.list() == l),
                ).unwrap();
                let replayed = View { index: Index::new(&memory), cap: None };
                let got = answers(&capped, &places, &identities, events);
                let expected = answers(&replayed, &places, &identities, events);
                for (got, expected) in got.iter().zip(&expected) {
                    prop_assert_eq!(got, expected, "known after event {} of {:?}", k, only);
                }
                prop_assert_eq!(got.len(), expected.len());
            }
        }
    }
}

/// On a history that only grows, `--known-at` in its middle is answered by the store's indexes
/// capped, not by a replay; a correction recorded later of what was known then makes it replay.
#[test]
fn a_growing_history_is_answered_capped_and_a_later_correction_replays() {
    let kv = MemKv::default();
    let list = ListId::new("l1").unwrap();
    let snapshot = |offset: i64, ids: &[usize]| Publication {
        list: list.clone(),
        published: at(offset, None),
        source: String::new(),
        content: PublicationContent::Snapshot(ids.iter().map(|&i| entry(i, 0, 0)).collect()),
    };
    let history = [
        snapshot(1, &[0, 1]),
        snapshot(2, &[1, 2]),
        snapshot(3, &[2, 3]),
    ];
    for (i, p) in history.iter().enumerate() {
        record_into(
            &kv,
            p,
            &provenance(p),
            t0() + Duration::seconds(i as i64),
            None,
        )
        .unwrap();
    }
    let moment = t0() + Duration::seconds(1);
    let (source, events) = known_at::known_at_in(&kv, moment, None).unwrap();
    assert_eq!(events, 2);
    let KnownSource::Capped(cap) = &source else {
        panic!("a growing history replayed");
    };
    let view = View {
        index: Index::new(&kv),
        cap: Some(cap),
    };
    assert_eq!(
        view.ids_as_of(&list, day(5)).unwrap(),
        [1, 2].map(|i| EntryId::new(&format!("e{i}")).unwrap())
    );
    // A correction of the snapshot of day 2, recorded later.
    let correction = snapshot(2, &[4]);
    record_into(
        &kv,
        &correction,
        &provenance(&correction),
        t0() + Duration::seconds(5),
        None,
    )
    .unwrap();
    let (source, _) = known_at::known_at_in(&kv, moment, None).unwrap();
    assert!(matches!(source, KnownSource::Replayed(_)));
}

/// A copy of every tree of `kv` but `leave_out`.
fn copy_without(kv: &MemKv, leave_out: Option<Tree>) -> MemKv {
    let copy = MemKv::default();
    let mut writes = Writes::default();
    for tree in Tree::ALL {
        if Some(tree) == leave_out {
            continue;
        }
        for (key, value) in kv.dump(tree) {
            writes.put(tree, key, value);
        }
    }
    copy.commit(writes).unwrap();
    copy
}

/// The canonical JSON of every entry of `list` in force at the end of every date, as
/// `each_as_of_by_id` gives it (or its error).
fn as_of_by_id_everywhere(view: &View, list: &ListId) -> Vec<String> {
    (-1..10)
        .map(|offset| {
            let mut by_id = Vec::new();
            let result = view.each_as_of_by_id(list, day(offset), |json| {
                by_id.push(String::from_utf8_lossy(json).into_owned());
                Ok::<(), StoreError>(())
            });
            format!("{offset} {result:?} {by_id:?}")
        })
        .collect()
}

/// Runs `steps` with a checkpoint due after every `min_changes` changed entries (the default
/// again when dropped, even if the test fails).
struct CheckpointsEvery;

impl CheckpointsEvery {
    fn set(min_changes: u64) -> CheckpointsEvery {
        checkpoints::TEST_MIN_CHANGES.with(|c| c.set(Some(min_changes)));
        CheckpointsEvery
    }
}

impl Drop for CheckpointsEvery {
    fn drop(&mut self) {
        checkpoints::TEST_MIN_CHANGES.with(|c| c.set(None));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// `as-of` read through the state checkpoints equals `as-of` read from the entry records
    /// alone (the same store with its checkpoints dropped), at every date, whole and as known
    /// at every recording (capped), on random histories with corrections, retractions and
    /// backfills; and a rebuild from the log writes exactly the checkpoints recording wrote.
    #[test]
    fn as_of_through_checkpoints_is_as_of_without_them(
        steps in steps_strategy(),
        min_changes in 1u64..4,
    ) {
        let _every = CheckpointsEvery::set(min_changes);
        let (kv, _) = run(&steps)?;
        let bare = copy_without(&kv, Some(Tree::States));
        let rebuilt = copy_without(&kv, None);
        index::rebuild(&rebuilt).unwrap();
        prop_assert_eq!(rebuilt.dump(Tree::States), kv.dump(Tree::States));
        let lists = LISTS.map(|l| ListId::new(l).unwrap());
        let with = View { index: Index::new(&kv), cap: None };
        let without = View { index: Index::new(&bare), cap: None };
        for list in &lists {
            prop_assert_eq!(as_of_by_id_everywhere(&with, list), as_of_by_id_everywhere(&without, list));
        }
        let records: Vec<event::LogRecord> = Index::new(&kv).events().map(Result::unwrap).collect();
        for k in 0..records.len() {
            let moment = if k == 0 { t0() - Duration::seconds(1) } else { records[k - 1].recorded() };
            let (source, _) = known_at::known_at_in(&kv, moment, None).unwrap();
            let (bare_source, _) = known_at::known_at_in(&bare, moment, None).unwrap();
            let (KnownSource::Capped(cap), KnownSource::Capped(bare_cap)) = (&source, &bare_source) else {
                continue;
            };
            let with = View { index: Index::new(&kv), cap: Some(cap) };
            let without = View { index: Index::new(&bare), cap: Some(bare_cap) };
            for list in &lists {
                prop_assert_eq!(
                    as_of_by_id_everywhere(&with, list),
                    as_of_by_id_everywhere(&without, list),
                    "known after event {}", k
                );
            }
        }
    }
}

/// The dates of `list`'s state checkpoints in `kv`, once as-of through them has answered at
/// every date as the same store without them.
fn checkpoints_answer_as_without(kv: &MemKv, list: &ListId) -> Vec<NaiveDate> {
    let view = View {
        index: Index::new(kv),
        cap: None,
    };
    let bare = copy_without(kv, Some(Tree::States));
    let without = View {
        index: Index::new(&bare),
        cap: None,
    };
    assert_eq!(
        as_of_by_id_everywhere(&view, list),
        as_of_by_id_everywhere(&without, list)
    );
    view.checkpoint_places(list)
        .unwrap()
        .iter()
        .map(|p| p.date)
        .collect()
}

/// Checkpoints are written where the rule says, read by `as-of`, and dropped by a backfill
/// before them, in the same write; a rebuild writes the same.
#[test]
fn checkpoints_are_written_used_and_dropped() {
    let _every = CheckpointsEvery::set(2);
    let kv = MemKv::default();
    let list = ListId::new("l1").unwrap();
    let snapshot = |offset: i64, ids: &[(usize, usize)]| Publication {
        list: list.clone(),
        published: at(offset, None),
        source: String::new(),
        content: PublicationContent::Snapshot(ids.iter().map(|&(i, r)| entry(i, 0, r)).collect()),
    };
    let history = [
        snapshot(0, &[(0, 0), (1, 0), (2, 0), (3, 0)]),
        // One change since the first place: not yet.
        snapshot(1, &[(0, 1), (1, 0), (2, 0), (3, 0)]),
        // Three: a checkpoint at day 2.
        snapshot(2, &[(0, 1), (1, 1), (2, 1), (3, 0)]),
        // One since: none.
        snapshot(3, &[(0, 1), (1, 1), (2, 1)]),
        // An amendment adding one more: two since day 2, a checkpoint at day 4.
        Publication {
            content: PublicationContent::Amendment(Amendment {
                add: vec![entry(5, 0, 0)],
                ..Amendment::default()
            }),
            ..snapshot(4, &[])
        },
    ];
    for (i, p) in history.iter().enumerate() {
        record_into(
            &kv,
            p,
            &provenance(p),
            t0() + Duration::seconds(i as i64),
            None,
        )
        .unwrap();
    }
    assert_eq!(checkpoints_answer_as_without(&kv, &list), [day(2), day(4)]);

    let before = kv.dump(Tree::States);
    // A backfill at day 3 drops the checkpoint of day 4 in the same write, keeps day 2's.
    let backfill = Publication {
        published: at(3, Some(13)),
        ..snapshot(3, &[(4, 0)])
    };
    record_into(
        &kv,
        &backfill,
        &provenance(&backfill),
        t0() + Duration::seconds(10),
        None,
    )
    .unwrap();
    // Day 4's was dropped, and written again from the refolded state.
    assert_eq!(checkpoints_answer_as_without(&kv, &list), [day(2), day(4)]);
    assert_ne!(kv.dump(Tree::States), before);
    let rebuilt = copy_without(&kv, None);
    index::rebuild(&rebuilt).unwrap();
    assert_eq!(rebuilt.dump(Tree::States), kv.dump(Tree::States));
}
