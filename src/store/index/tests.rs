//! The index on its own: the keys and values it writes and reads, its range scans, the window an
//! event's fold reaches, and corrections and backfills refolding that window. (The property
//! tests in `store/tests.rs` check whole histories against the model's reference fold.)

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;
use crate::model::PublicationTime;
use crate::model::{Amendment, Publication, PublicationContent};
use crate::store::kv::MemKv;
use crate::store::records::RecordedName;
use crate::store::{Provenance, RecordOutcome, record_into};

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// A publication time: a date, or a date and a UTC time.
fn time(text: &str) -> PublicationTime {
    PublicationTime::parse(text).unwrap()
}

fn id(text: &str) -> EntryId {
    EntryId::new(text).unwrap()
}

fn list(text: &str) -> ListId {
    ListId::new(text).unwrap()
}

fn entry(key: &str, name: &str) -> Entry {
    Entry::new(id(key), name)
}

fn snapshot(list_id: &str, published: &str, entries: &[(&str, &str)]) -> Publication {
    Publication {
        list: list(list_id),
        published: time(published),
        source: format!("{list_id} {published}"),
        content: PublicationContent::Snapshot(entries.iter().map(|(k, n)| entry(k, n)).collect()),
    }
}

fn amendment(
    list_id: &str,
    published: &str,
    add: &[(&str, &str)],
    amend: &[(&str, &str)],
    remove: &[&str],
) -> Publication {
    Publication {
        list: list(list_id),
        published: time(published),
        source: format!("{list_id} {published}"),
        content: PublicationContent::Amendment(Amendment {
            add: add.iter().map(|(k, n)| entry(k, n)).collect(),
            amend: amend.iter().map(|(k, n)| entry(k, n)).collect(),
            remove: remove.iter().map(|k| id(k)).collect(),
        }),
    }
}

fn provenance(publication: &Publication) -> Provenance {
    Provenance::of_test_bytes(format!("{publication:?}").as_bytes())
}

fn moment(n: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::seconds(n)
}

/// Records `publications` in order into `kv`; returns what each recording did.
fn record(kv: &MemKv, publications: &[Publication]) -> Vec<RecordOutcome> {
    let start = kv.dump(Tree::Events).len() as i64;
    publications
        .iter()
        .enumerate()
        .map(|(i, p)| record_into(kv, p, &provenance(p), moment(start + i as i64), None).unwrap())
        .collect()
}

/// The seq and note of a recorded outcome.
fn recorded(outcome: &RecordOutcome) -> (u64, Vec<FoldNote>, Option<u64>, Effect) {
    match outcome {
        RecordOutcome::Recorded { event, notes } => {
            (event.seq, notes.clone(), event.supersedes, event.effect)
        }
        other => panic!("not recorded: {other:?}"),
    }
}

fn effect(added: u64, removed: u64, changed: u64) -> Effect {
    Effect {
        added,
        removed,
        changed,
    }
}

/// The changes at the place of `list` at `published` whose first event is `seq`, as (id, kind)
/// text pairs.
fn changes(index: &Index, list_id: &str, published: &str, seq: u64) -> Vec<(String, ChangeKind)> {
    index
        .changes_of(&list(list_id), Point::at(time(published), seq))
        .unwrap()
        .into_iter()
        .map(|(id, kind)| (id.as_str().to_string(), kind))
        .collect()
}

/// The ids and names in force in `list` at the end of `published`.
fn state_at(index: &Index, list_id: &str, published: &str) -> Vec<(String, String)> {
    index
        .state_before(&list(list_id), Point::end_of(date(published)))
        .unwrap()
        .into_values()
        .map(|slot| {
            let e = index.entry(slot.at).unwrap();
            (e.id.as_str().to_string(), e.name)
        })
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

use ChangeKind::{Added, Changed, Removed};

#[test]
fn timeline_scans_are_inclusive_and_stay_within_their_list() {
    let kv = MemKv::default();
    // "l" and "l1": the list prefix's 0 byte keeps "l1" out of every scan of "l".
    record(
        &kv,
        &[
            snapshot("l", "2024-01-01", &[("a", "A")]),
            snapshot("l1", "2024-01-02", &[("a", "A")]),
            amendment("l", "2024-01-03", &[("b", "B")], &[], &[]),
            snapshot("l", "2024-01-05", &[("a", "A2")]),
            // A correction of 2024-01-03: same date, other bytes.
            amendment("l", "2024-01-03", &[("c", "C")], &[], &[]),
        ],
    );
    let index = Index::new(&kv);
    let timeline = index
        .timeline(&list("l"), date("2024-01-01"), date("2024-01-05"))
        .unwrap();
    // One place per publication: the correction (event 5) counts in the place of event 3.
    let seen: Vec<(NaiveDate, u64, u64, PublicationKind)> = timeline
        .iter()
        .map(|i| (i.point.date, i.point.seq, i.seq, i.kind))
        .collect();
    assert_eq!(
        seen,
        [
            (date("2024-01-01"), 1, 1, PublicationKind::Snapshot),
            (date("2024-01-03"), 3, 5, PublicationKind::Amendment),
            (date("2024-01-05"), 4, 4, PublicationKind::Snapshot),
        ]
    );
    // Both ends are inclusive; a window without events is empty.
    let only = |from: &str, to: &str| -> Vec<u64> {
        index
            .timeline(&list("l"), date(from), date(to))
            .unwrap()
            .iter()
            .map(|i| i.seq)
            .collect()
    };
    assert_eq!(only("2024-01-03", "2024-01-03"), [5]);
    assert_eq!(only("2024-01-02", "2024-01-04"), [5]);
    assert_eq!(only("2024-01-06", "2024-12-31"), Vec::<u64>::new());
    let last = |l: &str| index.last_place(&list(l)).unwrap().map(|i| i.point.date);
    assert_eq!(last("l"), Some(date("2024-01-05")));
    assert_eq!(last("l1"), Some(date("2024-01-02")));
    assert_eq!(last("k"), None);
    assert_eq!(index.lists().unwrap(), [list("l"), list("l1")]);
}

#[test]
fn changed_between_excludes_its_start_and_includes_its_end_in_either_order() {
    let kv = MemKv::default();
    record(
        &kv,
        &[
            snapshot("l", "2024-01-01", &[("a", "A")]),
            amendment("l", "2024-01-02", &[("b", "B")], &[], &[]),
            amendment("l", "2024-01-03", &[("c", "C")], &[], &[]),
            amendment("l", "2024-01-04", &[], &[("a", "A2")], &[]),
        ],
    );
    let index = Index::new(&kv);
    let between = |after: &str, through: &str| -> Vec<String> {
        index
            .changed_between(&list("l"), date(after), date(through))
            .unwrap()
            .into_iter()
            .map(|id| id.as_str().to_string())
            .collect()
    };
    assert_eq!(between("2024-01-01", "2024-01-03"), ["b", "c"]);
    assert_eq!(between("2024-01-03", "2024-01-01"), ["b", "c"]);
    assert_eq!(between("2024-01-02", "2024-01-02"), Vec::<String>::new());
    assert_eq!(between("2023-12-31", "2024-01-04"), ["a", "b", "c"]);
    assert_eq!(
        changes(&index, "l", "2024-01-04", 4),
        [("a".into(), Changed)]
    );
    assert_eq!(changes(&index, "l", "2024-01-04", 3), []);
}

#[test]
fn entry_scans_read_records_by_prefix_and_bound() {
    let kv = MemKv::default();
    record(
        &kv,
        &[
            snapshot("l", "2024-01-01", &[("a", "Alpha"), ("b", "Beta")]),
            snapshot("l", "2024-01-02", &[("a", "Alpha Two"), ("c", "Gamma")]),
            snapshot("l1", "2024-01-01", &[("z", "Zeta")]),
        ],
    );
    let index = Index::new(&kv);
    let ids = |bound: Point| -> Vec<String> {
        index
            .ids_before(&list("l"), bound)
            .unwrap()
            .into_iter()
            .map(|id| id.as_str().to_string())
            .collect()
    };
    assert_eq!(
        ids(Point::start_of(date("2024-01-01"))),
        Vec::<String>::new()
    );
    assert_eq!(ids(Point::end_of(date("2024-01-01"))), ["a", "b"]);
    assert_eq!(ids(Point::end_of(date("2024-01-02"))), ["a", "c"]);
    // Event 2's place itself is the bound: strictly before it, the first snapshot's state.
    assert_eq!(ids(Point::at(time("2024-01-02"), 2)), ["a", "b"]);
    let mut slots = Vec::new();
    index
        .each_slot_before(
            &list("l"),
            Point::end_of(date("2024-01-02")),
            |slot| -> Result<(), StoreError> {
                slots.push(slot);
                Ok(())
            },
        )
        .unwrap();
    let names: Vec<String> = slots
        .iter()
        .map(|slot| index.entry(slot.at).unwrap().name)
        .collect();
    assert_eq!(names, ["Alpha Two", "Gamma"]);
    // Every name an entry has had, and only the entries the filter wants.
    let matching = index
        .matching_names(&list("l"), RecordsSeen::all(), |_, names: &[String]| {
            names.iter().any(|n| n.contains("Alpha"))
        })
        .unwrap();
    assert_eq!(
        matching,
        [(id("a"), vec!["Alpha".to_string(), "Alpha Two".to_string()])]
    );
    let record = index.record(&list("l"), &id("b")).unwrap().unwrap();
    assert_eq!(record.versions.len(), 2);
    assert!(
        record.versions[1].slot.is_none(),
        "b was removed by event 2"
    );
    assert_eq!(index.record(&list("l"), &id("z")).unwrap(), None);
    assert_eq!(
        index
            .recorded_as(
                &list("l"),
                time("2024-01-02"),
                &provenance(&snapshot(
                    "l",
                    "2024-01-02",
                    &[("a", "Alpha Two"), ("c", "Gamma")]
                ))
                .sha256
            )
            .unwrap(),
        Some(2)
    );
    assert_eq!(
        index
            .recorded_as(&list("l"), time("2024-01-03"), "0")
            .unwrap(),
        None
    );
}

#[test]
fn a_publication_is_appended_only_after_every_place_and_with_a_new_identity() {
    let kv = MemKv::default();
    record(
        &kv,
        &[
            snapshot("l", "2024-01-01", &[("a", "A")]),
            amendment("l", "2024-01-03", &[("b", "B")], &[], &[]),
            snapshot("l", "2024-01-05T10:00:00Z", &[("a", "A")]),
        ],
    );
    let index = Index::new(&kv);
    let snapshot_at =
        |l: &str, t: &str| Identity::of(&list(l), time(t), PublicationKind::Snapshot, "s");
    // After the last place: later that day, the next day.
    assert!(
        index
            .would_append(&snapshot_at("l", "2024-01-05T11:00:00Z"))
            .unwrap()
    );
    assert!(index.would_append(&snapshot_at("l", "2024-01-06")).unwrap());
    // The same identity as the last: a correction.
    assert!(
        !index
            .would_append(&snapshot_at("l", "2024-01-05T10:00:00Z"))
            .unwrap()
    );
    // Before the last place: the date alone of its day, an earlier time, an earlier date.
    assert!(!index.would_append(&snapshot_at("l", "2024-01-05")).unwrap());
    assert!(
        !index
            .would_append(&snapshot_at("l", "2024-01-05T09:59:59Z"))
            .unwrap()
    );
    assert!(!index.would_append(&snapshot_at("l", "2024-01-02")).unwrap());
    assert!(
        index
            .would_append(&snapshot_at("other", "2000-01-01"))
            .unwrap()
    );
    // Identities: what counts with each, and the place's first event.
    let amendment_of = |source: &str| {
        Identity::of(
            &list("l"),
            time("2024-01-03"),
            PublicationKind::Amendment,
            source,
        )
    };
    assert_eq!(
        index.counting_with(&amendment_of("l 2024-01-03")).unwrap(),
        Some((2, 2))
    );
    assert_eq!(index.counting_with(&amendment_of("89 FR 1")).unwrap(), None);
    assert_eq!(
        index
            .counting_with(&Identity::of(
                &list("l"),
                time("2024-01-03"),
                PublicationKind::Snapshot,
                "l 2024-01-03"
            ))
            .unwrap(),
        None,
        "a snapshot never has an amendment's identity"
    );
}

#[test]
fn a_correction_with_another_time_moves_its_place_across_a_snapshot() {
    let kv = MemKv::default();
    record(
        &kv,
        &[
            snapshot("l", "2024-01-01", &[("a", "A")]),
            amendment("l", "2024-01-02", &[("b", "B")], &[], &[]),
            snapshot("l", "2024-01-04", &[("a", "A"), ("c", "C")]),
            amendment("l", "2024-01-06", &[("d", "D")], &[], &[]),
        ],
    );
    // Event 2 was dated wrong: it is of 01-05, after the snapshot.
    let mut moved = amendment("l", "2024-01-05", &[("b", "B")], &[], &[]);
    moved.source = "l 2024-01-02".into();
    let outcome = record_into(&kv, &moved, &provenance(&moved), moment(10), Some(2)).unwrap();
    let (seq, _, supersedes, own) = recorded(&outcome);
    assert_eq!((seq, supersedes, own), (5, Some(2), effect(1, 0, 0)));
    let index = Index::new(&kv);
    assert_eq!(state_at(&index, "l", "2024-01-02"), pairs(&[("a", "A")]));
    assert_eq!(
        state_at(&index, "l", "2024-01-04"),
        pairs(&[("a", "A"), ("c", "C")])
    );
    assert_eq!(
        state_at(&index, "l", "2024-01-06"),
        pairs(&[("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")])
    );
    // Its place keeps the seq of the publication's first event, at its new time.
    assert_eq!(changes(&index, "l", "2024-01-05", 2), [("b".into(), Added)]);
    assert_eq!(changes(&index, "l", "2024-01-02", 2), []);
    assert_eq!(
        changes(&index, "l", "2024-01-04", 3),
        [("c".into(), Added)],
        "the snapshot no longer removes b"
    );
    // Every derived tree is what a replay of the log gives.
    let before: Vec<_> = Tree::DERIVED.iter().map(|t| kv.dump(*t)).collect();
    rebuild(&kv).unwrap();
    let after: Vec<_> = Tree::DERIVED.iter().map(|t| kv.dump(*t)).collect();
    assert_eq!(before, after);
}

#[test]
fn a_correction_supersedes_and_refolds_through_the_next_snapshot() {
    let kv = MemKv::default();
    let outcomes = record(
        &kv,
        &[
            snapshot("l", "2024-01-01", &[("a", "A"), ("b", "B")]),
            snapshot("l", "2024-01-02", &[("a", "A"), ("b", "B"), ("c", "C")]),
            amendment("l", "2024-01-03", &[("d", "D")], &[], &[]),
        ],
    );
    let before_correction = kv.dump(Tree::Changes);
    // 01-01 corrected: b was never there, x was.
    let correction = record(
        &kv,
        &[snapshot("l", "2024-01-01", &[("a", "A"), ("x", "X")])],
    );
    let (seq, notes, supersedes, own) = recorded(&correction[0]);
    assert_eq!((seq, supersedes, own), (4, Some(1), effect(2, 0, 0)));
    assert!(notes.is_empty());
    assert_eq!(recorded(&outcomes[0]).2, None);
    let index = Index::new(&kv);
    // The correction counts in the place of event 1, with a change list against an empty
    // list.
    assert_eq!(
        changes(&index, "l", "2024-01-01", 1),
        [("a".into(), Added), ("x".into(), Added)]
    );
    assert_eq!(changes(&index, "l", "2024-01-01", 4), []);
    // The 01-02 snapshot now adds b and c and removes x.
    assert_eq!(
        changes(&index, "l", "2024-01-02", 2),
        [
            ("b".into(), Added),
            ("c".into(), Added),
            ("x".into(), Removed)
        ]
    );
    // The window ended at that snapshot: the 01-03 amendment's change list is untouched.
    let changes_after = kv.dump(Tree::Changes);
    let key_of_3 = keys::list_point(&list("l"), Point::at(time("2024-01-03"), 3));
    let of_3 = |dump: &[(Vec<u8>, Vec<u8>)]| dump.iter().find(|(k, _)| *k == key_of_3).cloned();
    assert_eq!(of_3(&changes_after), of_3(&before_correction));
    assert_eq!(
        state_at(&index, "l", "2024-01-01"),
        pairs(&[("a", "A"), ("x", "X")])
    );
    assert_eq!(
        state_at(&index, "l", "2024-01-02"),
        pairs(&[("a", "A"), ("b", "B"), ("c", "C")])
    );
    // x's record: added by the correction (event 4, in event 1's place), removed by the 01-02
    // snapshot.
    let x = index.record(&list("l"), &id("x")).unwrap().unwrap();
    let at: Vec<(u64, u64, bool)> = x
        .versions
        .iter()
        .map(|v| (v.at.seq, v.by, v.slot.is_some()))
        .collect();
    assert_eq!(at, [(1, 4, true), (2, 2, false)]);
    // b's record lost the version event 1 gave it.
    let b = index.record(&list("l"), &id("b")).unwrap().unwrap();
    assert_eq!(b.versions.iter().map(|v| v.at.seq).collect::<Vec<_>>(), [2]);
}

#[test]
fn a_backfilled_amendment_refolds_the_amendments_after_it() {
    let kv = MemKv::default();
    record(
        &kv,
        &[
            snapshot("l", "2024-01-01", &[("a", "A")]),
            // Amends b, unknown until the backfill: an add with a note.
            amendment("l", "2024-01-05", &[], &[("b", "B2")], &["gone"]),
        ],
    );
    let index = Index::new(&kv);
    assert_eq!(changes(&index, "l", "2024-01-05", 2), [("b".into(), Added)]);
    drop(index);
    let backfill = record(
        &kv,
        &[amendment(
            "l",
            "2024-01-03",
            &[("b", "B"), ("gone", "G")],
            &[],
            &[],
        )],
    );
    let (seq, notes, supersedes, own) = recorded(&backfill[0]);
    assert_eq!((seq, supersedes, own), (3, None, effect(2, 0, 0)));
    assert!(notes.is_empty());
    let index = Index::new(&kv);
    assert_eq!(
        changes(&index, "l", "2024-01-05", 2),
        [("b".into(), Changed), ("gone".into(), Removed)]
    );
    assert_eq!(
        state_at(&index, "l", "2024-01-04"),
        pairs(&[("a", "A"), ("b", "B"), ("gone", "G")])
    );
    assert_eq!(
        state_at(&index, "l", "2024-01-05"),
        pairs(&[("a", "A"), ("b", "B2")])
    );
    // b's name from the later amendment is kept beside the backfill's, each given by the
    // event whose recording gave it.
    let b = index.record(&list("l"), &id("b")).unwrap().unwrap();
    assert_eq!(
        b.names,
        [RecordedName::new("B2", 2), RecordedName::new("B", 3)]
    );
}

#[test]
fn amendments_note_unknown_ids() {
    let mut state = SlotState::new();
    let slot = |n: u8| Slot {
        hash: [n; 32],
        at: Locator { seq: 1, line: 0 },
    };
    state.insert(id("a"), slot(1));
    let sealed = |key: &str, name: &str| Sealed::of(&entry(key, name));
    // The first amended entry is unknown: it is added, with a note.
    let lines = [
        sealed("n", "New"),
        sealed("u", "Unknown"),
        sealed("a", "A2"),
    ];
    let mut notes = Vec::new();
    let changes = apply_amendment(&mut state, 9, &lines, 1, &[id("a"), id("q")], &mut notes);
    assert_eq!(
        notes,
        [
            FoldNote::AmendedUnknown(id("u")),
            FoldNote::RemovedUnknown(id("q"))
        ]
    );
    let kinds: Vec<(&str, ChangeKind, Option<u64>)> = changes
        .iter()
        .map(|(id, kind, slot)| (id.as_str(), *kind, slot.map(|s| s.at.line)))
        .collect();
    // a is amended (line 2), then removed: the removal is what stands.
    assert_eq!(
        kinds,
        [
            ("a", Changed, Some(2)),
            ("a", Removed, None),
            ("n", Added, Some(0)),
            ("u", Added, Some(1))
        ]
    );
    assert_eq!(
        state.keys().map(EntryId::as_str).collect::<Vec<_>>(),
        ["n", "u"]
    );
    assert_eq!(state[&id("u")].at, Locator { seq: 9, line: 1 });
}

#[test]
fn slots_diff_by_hash_in_id_order() {
    let slot = |n: u8| Slot {
        hash: [n; 32],
        at: Locator {
            seq: n as u64,
            line: 0,
        },
    };
    let before: SlotState = [(id("a"), slot(1)), (id("b"), slot(2)), (id("c"), slot(3))].into();
    let mut moved = slot(2);
    moved.at.seq = 99;
    let after: SlotState = [(id("b"), moved), (id("c"), slot(4)), (id("d"), slot(5))].into();
    let changes = diff_slots(&before, &after);
    let diff: Vec<(&str, ChangeKind)> = changes
        .iter()
        .map(|(id, kind, _)| (id.as_str(), *kind))
        .collect();
    // b moved to another line with the same hash: unchanged.
    assert_eq!(diff, [("a", Removed), ("c", Changed), ("d", Added)]);
    assert!(diff_slots(&after, &after).is_empty());
}

#[test]
fn a_snapshot_merges_with_the_stored_records_by_id() {
    let kv = MemKv::default();
    record(
        &kv,
        &[
            snapshot("l", "2024-01-01", &[("a", "A"), ("b", "B"), ("c", "C")]),
            amendment("l", "2024-01-02", &[], &[], &["c"]),
        ],
    );
    let prefix = keys::list_prefix(&list("l"));
    let stored = kv.range(Tree::Entries, &prefix, &keys::successor(&prefix));
    let a = entry("a", "A");
    let b2 = entry("b", "B2");
    let c = entry("c", "C");
    let d = entry("d", "D");
    let new: Vec<(&EntryId, [u8; 32])> = [&a, &b2, &c, &d]
        .iter()
        .map(|e| (&e.id, e.content_hash().0))
        .collect();
    let mut asked = Vec::new();
    let (changes, records, entries_sha256) = merge_snapshot(
        stored,
        prefix.len(),
        Point::start_of(date("2024-01-03")),
        &new,
        |n| {
            asked.push(n);
            Ok(Slot {
                hash: new[n].1,
                at: Locator {
                    seq: 3,
                    line: asked.len() as u64 - 1,
                },
            })
        },
    )
    .unwrap();
    // Only new or changed entries get a slot (b changed; c was removed, so it is added back).
    assert_eq!(asked, [1, 2, 3]);
    let kinds: Vec<(&str, ChangeKind)> = changes
        .iter()
        .map(|(id, kind, _)| (id.as_str(), *kind))
        .collect();
    assert_eq!(kinds, [("b", Changed), ("c", Added), ("d", Added)]);
    // The records read are those of the entries that change and exist.
    let mut read: Vec<&str> = records.keys().map(EntryId::as_str).collect();
    read.sort();
    assert_eq!(read, ["b", "c"]);
    let hashes: Vec<[u8; 32]> = new.iter().map(|(_, h)| *h).collect();
    assert_eq!(entries_sha256, crate::store::entries_hash(&hashes));
}

#[test]
fn a_merge_with_nothing_new_removes_what_was_in_force() {
    let kv = MemKv::default();
    record(
        &kv,
        &[snapshot("l", "2024-01-01", &[("a", "A"), ("b", "B")])],
    );
    let prefix = keys::list_prefix(&list("l"));
    let stored = kv.range(Tree::Entries, &prefix, &keys::successor(&prefix));
    let (changes, _, entries_sha256) = merge_snapshot(
        stored,
        prefix.len(),
        Point::start_of(date("2024-01-02")),
        &[],
        |_| panic!("no new entry"),
    )
    .unwrap();
    let kinds: Vec<(&str, ChangeKind)> = changes
        .iter()
        .map(|(id, kind, _)| (id.as_str(), *kind))
        .collect();
    assert_eq!(kinds, [("a", Removed), ("b", Removed)]);
    assert_eq!(entries_sha256, crate::store::entries_hash(&[]));
}

#[test]
fn content_lines_are_read_across_frames() {
    let kv = MemKv::default();
    let names: Vec<(String, String)> = (0..70)
        .map(|i| (format!("e{i:03}"), format!("Name {i}")))
        .collect();
    let entries: Vec<(&str, &str)> = names
        .iter()
        .map(|(k, n)| (k.as_str(), n.as_str()))
        .collect();
    record(&kv, &[snapshot("l", "2024-01-01", &entries)]);
    // 70 lines: frames of 32, 32 and 6.
    assert_eq!(kv.dump(Tree::Contents).len(), 3);
    let index = Index::new(&kv);
    for line in [0, 31, 32, 69] {
        let entry = index.entry(Locator { seq: 1, line }).unwrap();
        assert_eq!(entry.id.as_str(), format!("e{line:03}"));
    }
    let missing = index.entry(Locator { seq: 1, line: 70 }).unwrap_err();
    assert!(
        missing
            .to_string()
            .contains("event 1: a content line is missing"),
        "{missing}"
    );
    let beyond = index
        .entry(Locator {
            seq: 1,
            line: u64::MAX,
        })
        .unwrap_err();
    assert!(
        beyond.to_string().contains("a content line is missing"),
        "{beyond}"
    );
    assert_eq!(index.block(1, 70).unwrap().len(), 70);
    let short = index.block(1, 71).unwrap_err();
    assert!(
        short.to_string().contains("content frame 2 is missing")
            || short.to_string().contains("header says 71"),
        "{short}"
    );
    // A missing frame is named.
    let mut writes = Writes::default();
    writes.delete(Tree::Contents, keys::frame(1, 1));
    kv.commit(writes).unwrap();
    let index = Index::new(&kv);
    let error = index.entry(Locator { seq: 1, line: 40 }).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("event 1: content frame 1 is missing"),
        "{error}"
    );
}

#[test]
fn a_digested_snapshot_writes_only_new_and_changed_lines() {
    let kv = MemKv::default();
    record(
        &kv,
        &[snapshot("l", "2024-01-01", &[("a", "A"), ("b", "B")])],
    );
    let mut digest = SnapshotDigest::new(list("l"), time("2024-01-02"));
    for e in [entry("c", "C"), entry("a", "A"), entry("b", "B2")] {
        digest.push(&kv, e).unwrap();
    }
    assert_eq!(digest.len(), 3);
    let lines: Vec<(&str, Option<u64>)> = digest
        .seen
        .iter()
        .map(|(id, _, line)| (id.as_str(), *line))
        .collect();
    assert_eq!(lines, [("c", Some(0)), ("a", None), ("b", Some(1))]);
    let framed = digest.block.finish();
    assert_eq!(framed.lines, 2);
    let jsons = [
        entry("c", "C").canonical_json(),
        entry("b", "B2").canonical_json(),
    ];
    let refs: Vec<&[u8]> = jsons.iter().map(Vec::as_slice).collect();
    assert_eq!(framed, Framed::of_lines(&refs));
}

#[test]
fn a_frame_writer_frames_as_a_whole_block_does() {
    let lines: Vec<Vec<u8>> = (0..100)
        .map(|i| format!("{{\"n\":{i}}}").into_bytes())
        .collect();
    let mut writer = FrameWriter::default();
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(writer.push(line), i as u64);
    }
    let refs: Vec<&[u8]> = lines.iter().map(Vec::as_slice).collect();
    assert_eq!(writer.finish(), Framed::of_lines(&refs));
    assert_eq!(FrameWriter::default().finish(), Framed::of_lines(&[]));
}

#[test]
fn replay_refuses_an_event_that_folds_otherwise_than_recorded() {
    let kv = MemKv::default();
    record(
        &kv,
        &[
            snapshot("l", "2024-01-01", &[("a", "A")]),
            amendment("l", "2024-01-02", &[("b", "B")], &[], &[]),
        ],
    );
    let index = Index::new(&kv);
    let mut event = index.event(2).unwrap();
    drop(index);
    rebuild(&kv).unwrap();
    event.effect.added = 7;
    let event = LogRecord::Publication(Box::new(event));
    let error = replay(&MemKv::default(), &event).unwrap_err();
    // In an empty store the block is missing; in this one the effect differs.
    assert!(error.to_string().contains("event 2"), "{error}");
    let copy = MemKv::default();
    let mut writes = Writes::default();
    for (key, value) in kv.dump(Tree::Contents) {
        writes.put(Tree::Contents, key, value);
    }
    copy.commit(writes).unwrap();
    replay(&copy, &Index::new(&kv).log_record(1).unwrap()).unwrap();
    let error = replay(&copy, &event).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("event 2: replaying it gives a different result than when it was recorded"),
        "{error}"
    );
}

#[test]
fn a_rebuild_removes_orphan_frames_and_refuses_a_gap() {
    let kv = MemKv::default();
    record(&kv, &[snapshot("l", "2024-01-01", &[("a", "A")])]);
    let indexes: Vec<_> = Tree::DERIVED.iter().map(|t| kv.dump(*t)).collect();
    // Content of an event 2 whose header was never written.
    let mut writes = Writes::default();
    writes.put(Tree::Contents, keys::frame(2, 0), b"orphan".to_vec());
    kv.commit(writes).unwrap();
    assert_eq!(rebuild(&kv).unwrap(), 1);
    assert_eq!(kv.dump(Tree::Contents).len(), 1);
    assert_eq!(
        Tree::DERIVED
            .iter()
            .map(|t| kv.dump(*t))
            .collect::<Vec<_>>(),
        indexes
    );
    // An event 3 without an event 2.
    let mut writes = Writes::default();
    writes.put(
        Tree::Events,
        keys::seq(3),
        kv.dump(Tree::Events)[0].1.clone(),
    );
    kv.commit(writes).unwrap();
    let error = rebuild(&kv).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("event 2 is missing but later events exist"),
        "{error}"
    );
}

#[test]
fn entry_keys_read_back_their_id() {
    let prefix = keys::list_prefix(&list("l"));
    let key = keys::entry(&list("l"), &id("7480 x"));
    assert_eq!(key_id(&key, prefix.len()).unwrap(), id("7480 x"));
    assert!(key_id(&key, key.len()).is_err(), "an empty id");
    let mut bad = prefix.clone();
    bad.push(0xff);
    assert!(key_id(&bad, prefix.len()).is_err(), "not UTF-8");
    assert!(key_id(&prefix, prefix.len() + 5).is_err(), "too short");
}
