//! The indexes against the model's reference fold, on random histories.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;

use super::index::Index;
use super::kv::{self, Kv, MemKv, Tree};
use super::*;
use crate::model::fold;
use crate::model::{Amendment, Entry, EntryId, ListId, ListState, Publication, PublicationContent};

fn day(offset: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 12, 1).unwrap() + Duration::days(offset)
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

fn entry_strategy() -> impl Strategy<Value = Entry> {
    (0..6usize, 0..2usize, 0..3usize).prop_map(|(i, n, r)| entry(i, n, r))
}

fn content_strategy() -> impl Strategy<Value = PublicationContent> {
    prop_oneof![
        proptest::collection::btree_map(0..6usize, entry_strategy(), 0..6).prop_map(|m| {
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

fn history_strategy() -> impl Strategy<Value = Vec<Publication>> {
    proptest::collection::vec((0..2usize, 0..8i64, content_strategy()), 1..14).prop_map(|events| {
        events
            .into_iter()
            .map(|(list, offset, content)| Publication {
                list: ListId::new(["l1", "l2"][list]).unwrap(),
                published: day(offset),
                source: format!("test {offset}"),
                content,
            })
            .collect()
    })
}

fn provenance(publication: &Publication) -> Provenance {
    let sha256 = sha256_hex(format!("{:?}", publication.content).as_bytes());
    Provenance {
        sha256: sha256.clone(),
        inputs: vec![InputDigest {
            name: "test".into(),
            sha256,
            bytes: 0,
        }],
        format: "native".into(),
        parser: "test".into(),
    }
}

/// Records `history` into a fresh in-memory store; returns it and the publications that were
/// actually recorded (duplicates of list, date and bytes are not).
fn record_all(history: &[Publication]) -> (MemKv, Vec<Publication>) {
    let kv = MemKv::default();
    let mut recorded = Vec::new();
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    for (i, publication) in history.iter().enumerate() {
        let outcome = record_into(
            &kv,
            publication,
            &provenance(publication),
            t0 + Duration::seconds(i as i64),
        )
        .unwrap();
        if let RecordOutcome::Recorded { .. } = outcome {
            recorded.push(publication.clone());
        }
    }
    (kv, recorded)
}

fn reference(recorded: &[Publication], list: &ListId, as_of: NaiveDate) -> ListState {
    let of_list: Vec<Publication> = recorded
        .iter()
        .filter(|p| &p.list == list)
        .cloned()
        .collect();
    fold::state_as_of(&of_list, as_of)
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

/// As [`record_all`], but every snapshot that would be the latest of its list is recorded one
/// entry at a time (in reverse order) through a [`SnapshotDigest`].
fn record_all_streaming(history: &[Publication]) -> (MemKv, Vec<Publication>) {
    let kv = MemKv::default();
    let mut recorded = Vec::new();
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    for (i, publication) in history.iter().enumerate() {
        let now = t0 + Duration::seconds(i as i64);
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
            _ => record_into(&kv, publication, &provenance, now).unwrap(),
        };
        if let RecordOutcome::Recorded { .. } = outcome {
            recorded.push(publication.clone());
        }
    }
    (kv, recorded)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Snapshots recorded one entry at a time give the same states, effects and log as whole
    /// ones, and replay from the log exactly.
    #[test]
    fn streamed_snapshots_record_the_same_history(history in history_strategy()) {
        let (whole, recorded) = record_all(&history);
        let (streamed, streamed_recorded) = record_all_streaming(&history);
        prop_assert_eq!(&recorded, &streamed_recorded);
        for list in ["l1", "l2"].map(|l| ListId::new(l).unwrap()) {
            for offset in 0..9 {
                prop_assert_eq!(
                    indexed(&whole, &list, day(offset)),
                    indexed(&streamed, &list, day(offset))
                );
            }
        }
        let effects = |kv: &MemKv| -> Vec<_> {
            Index::new(kv).events().map(|e| {
                let e = e.unwrap();
                (e.seq, e.list, e.published, e.effect, e.supersedes)
            }).collect()
        };
        prop_assert_eq!(effects(&whole), effects(&streamed));
        let before: Vec<_> = Tree::DERIVED.iter().map(|t| streamed.dump(*t)).collect();
        index::rebuild(&streamed).unwrap();
        let after: Vec<_> = Tree::DERIVED.iter().map(|t| streamed.dump(*t)).collect();
        prop_assert_eq!(before, after);
    }

    /// The second clock: the store as known at the recording time of its k-th event answers
    /// exactly as a store that recorded only the first k publications — whatever was backfilled
    /// or corrected later — and the store known at its last recording is the store itself.
    #[test]
    fn known_at_answers_as_the_events_recorded_by_then(history in history_strategy()) {
        let (kv, recorded) = record_all(&history);
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let times: Vec<_> = Index::new(&kv).events().map(|e| e.unwrap().recorded).collect();
        prop_assert_eq!(times.len(), recorded.len());
        for k in 0..=recorded.len() {
            let moment = if k == 0 { t0 - Duration::seconds(1) } else { times[k - 1] };
            let (past, events) =
                replay_prefix(&kv, |record| record.recorded > moment, |_| true).unwrap();
            prop_assert_eq!(events, k as u64);
            for list in ["l1", "l2"].map(|l| ListId::new(l).unwrap()) {
                // Replaying only this list's events gives the same answers for it.
                let (alone, _) = replay_prefix(
                    &kv,
                    |record| record.recorded > moment,
                    |record| record.list == list,
                )
                .unwrap();
                for offset in -1..9 {
                    let expected = reference(&recorded[..k], &list, day(offset));
                    prop_assert_eq!(
                        indexed(&past, &list, day(offset)),
                        expected.clone(),
                        "known after event {}", k
                    );
                    prop_assert_eq!(indexed(&alone, &list, day(offset)), expected);
                }
            }
            if k == recorded.len() {
                for tree in Tree::DERIVED {
                    prop_assert_eq!(past.dump(tree), kv.dump(tree));
                }
            }
        }
    }

    /// Whatever the recording order (backfills, corrections, duplicates), the indexed state at
    /// every date is the reference fold of the recorded publications.
    #[test]
    fn indexed_states_match_the_reference_fold(history in history_strategy()) {
        let (kv, recorded) = record_all(&history);
        for list in ["l1", "l2"].map(|l| ListId::new(l).unwrap()) {
            for offset in -1..9 {
                prop_assert_eq!(indexed(&kv, &list, day(offset)), reference(&recorded, &list, day(offset)));
            }
            // The hashes the index keeps are the entries' own.
            let index = Index::new(&kv);
            for (id, slot) in index.state_before(&list, records::Point::end_of(day(9))).unwrap() {
                let entry = index.entry(slot.at).unwrap();
                prop_assert_eq!(&entry.id, &id);
                prop_assert_eq!(index::Sealed::of(&entry).hash, slot.hash);
            }
        }
    }

    /// The changes indexed for each effective publication are the difference between the states
    /// just before and after it.
    #[test]
    fn indexed_changes_match_the_reference_fold(history in history_strategy()) {
        let (kv, recorded) = record_all(&history);
        let index = Index::new(&kv);
        for list in index.lists().unwrap() {
            for item in index.timeline(&list, day(-10), day(20)).unwrap() {
                let changes = index.changes_of(&list, item.date, item.seq).unwrap();
                if !item.effective {
                    prop_assert!(changes.is_empty());
                    continue;
                }
                let before = reference(&recorded, &list, item.date - Duration::days(1));
                let after = reference(&recorded, &list, item.date);
                let expected: Vec<(EntryId, crate::model::ChangeKind)> =
                    crate::model::diff_states(&list, &before, &after)
                        .into_iter()
                        .map(|c| (c.id, c.kind))
                        .collect();
                prop_assert_eq!(changes, expected);
            }
        }
    }

    /// Replaying the log rebuilds exactly the indexes that recording built.
    #[test]
    fn rebuilding_from_the_log_reproduces_the_indexes(history in history_strategy()) {
        let (kv, _) = record_all(&history);
        let before: Vec<_> = Tree::DERIVED.iter().map(|t| kv.dump(*t)).collect();
        index::rebuild(&kv).unwrap();
        let after: Vec<_> = Tree::DERIVED.iter().map(|t| kv.dump(*t)).collect();
        prop_assert_eq!(before, after);
    }
}

#[test]
fn a_duplicate_publication_is_recorded_once() {
    let p = Publication {
        list: ListId::new("l1").unwrap(),
        published: day(0),
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
        published: day(0),
        source: "s".into(),
        content: PublicationContent::Snapshot(big.clone()),
    };
    big[2] = entry(2, 1, 1);
    big.remove(4);
    let second = Publication {
        published: day(1),
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
        published: day(d),
        source: "s".into(),
        content: PublicationContent::Snapshot(vec![entry(d as usize, 0, 0)]),
    };
    let late = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
    let early = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    record_into(&kv, &p(0), &provenance(&p(0)), late).unwrap();
    match record_into(&kv, &p(1), &provenance(&p(1)), early).unwrap() {
        RecordOutcome::Recorded { event, .. } => assert_eq!(event.recorded, late),
        other => panic!("{other:?}"),
    }
}

/// Trees that fail every commit after the first `allowed`: a crash at that point.
struct CrashingKv {
    inner: MemKv,
    allowed: std::sync::atomic::AtomicUsize,
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
        published: day(0),
        source: "s".into(),
        content: PublicationContent::Snapshot(vec![entry(1, 0, 0)]),
    };
    let big_entries: Vec<Entry> = (0..2500)
        .map(|i| Entry::new(EntryId::new(&format!("big{i:05}")).unwrap(), "Big"))
        .collect();
    let big = Publication {
        list: ListId::new("l1").unwrap(),
        published: day(1),
        source: "b".into(),
        content: PublicationContent::Snapshot(big_entries),
    };
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    for crash_after in 1..4 {
        let kv = CrashingKv {
            inner: MemKv::default(),
            allowed: std::sync::atomic::AtomicUsize::new(usize::MAX),
        };
        record_into(&kv, &small, &provenance(&small), t0).unwrap();
        let clean: Vec<_> = Tree::ALL.iter().map(|t| kv.inner.dump(*t)).collect();
        kv.allowed
            .store(crash_after, std::sync::atomic::Ordering::SeqCst);
        assert!(record_into(&kv, &big, &provenance(&big), t0).is_err());
        assert_eq!(
            kv.inner.dump(Tree::Events).len(),
            1,
            "the big event is not in the log"
        );
        assert!(
            kv.inner
                .get(Tree::Meta, meta::INDEX_STATE)
                .unwrap()
                .is_some(),
            "the indexes are marked dirty"
        );
        kv.allowed
            .store(usize::MAX, std::sync::atomic::Ordering::SeqCst);
        let scratch = tempfile::tempdir().unwrap();
        recover(&kv, scratch.path()).unwrap();
        let recovered: Vec<_> = Tree::ALL.iter().map(|t| kv.inner.dump(*t)).collect();
        assert_eq!(recovered, clean, "crash after {crash_after} commits");
        // And the event can be recorded afterwards.
        assert!(matches!(
            record_into(&kv, &big, &provenance(&big), t0).unwrap(),
            RecordOutcome::Recorded { .. }
        ));
    }
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
            put_str(&mut out, name);
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
        published: day(offset),
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

/// A store left by a listdiff of layout 1 opens: its indexes are rebuilt in the current
/// layout, its log and meta are untouched but for the layout, and opening says so once.
#[test]
fn a_store_of_layout_1_is_upgraded_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    let store = store_on_disk(&path);
    let current = dump_all(&store.kv);
    // Make it a layout 1 store: its derived records in the old layout, "1" in meta.
    let mut writes = Writes::default();
    for tree in [Tree::Entries, Tree::Changes] {
        for (key, value) in store.kv.range(tree, &[], &[u8::MAX]).map(Result::unwrap) {
            let old = match tree {
                Tree::Entries => layout1::entry_record(&value),
                _ => layout1::change_list(&value),
            };
            assert_ne!(old, value);
            writes.put(tree, key, old);
        }
    }
    writes.put(Tree::Meta, meta::LAYOUT, "1");
    store.kv.commit(writes).unwrap();

    let store = reopen(store).unwrap();
    let upgrade = store.layout_upgrade().expect("the store was upgraded");
    assert_eq!(
        (upgrade.from, upgrade.to, upgrade.events),
        (1, STORE_FORMAT, 4)
    );
    let note = upgrade.to_string();
    assert!(
        note.contains("had layout 1") && note.contains("its log of 4 events in layout 2"),
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
    for found in ["3", "0", "two"] {
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
