//! The pipeline's two phases end to end, on inputs held in memory and a store in a temporary
//! directory.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::*;
use crate::model::{EntryId, ListId};
use crate::store::Access;

fn options() -> IngestOptions {
    IngestOptions {
        input: InputOptions::default(),
        published: None,
        source: None,
        corrects: None,
        drop_guard: DropGuard::refuse(20.0),
        feed: FeedChecks::default(),
        future: FutureGuard::Refuse { now: now() },
        archive: ArchiveChoice::Never,
        undated: None,
        fetched: Default::default(),
    }
}

/// A native snapshot of list `el` dated `published`, as it would arrive over HTTP.
fn snapshot(published: &str, entries: Value) -> FoundInputs {
    let text = json!({
        "list": "el",
        "published": published,
        "source": format!("test {published}"),
        "kind": "snapshot",
        "entries": entries,
    })
    .to_string();
    FoundInputs {
        candidates: vec![Candidate::in_memory(
            format!("https://example.org/{published}/el.json"),
            "el.json",
            Arc::new(text.into_bytes()),
            0,
        )],
        notes: Vec::new(),
        searched: vec!["https://example.org".into()],
        ..FoundInputs::default()
    }
}

fn entries(count: usize) -> Value {
    (0..count)
        .map(|i| json!({"id": format!("e{i}"), "name": format!("Entry {i}")}))
        .collect()
}

fn now() -> DateTime<Utc> {
    "2024-12-11T09:00:00Z".parse().expect("a time")
}

fn ingest(store: &mut Store, found: FoundInputs) -> Result<IngestReport, Box<RecordFailure>> {
    let plan = Ingest::check(found, options()).expect("the input checks");
    plan.record(store, now())
}

fn open_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Store::open(&dir.path().join("store"), Access::Write).expect("a new store");
    (dir, store)
}

#[test]
fn bytes_in_memory_are_recorded_once_and_reported() {
    let (_dir, mut store) = open_store();
    let report = ingest(&mut store, snapshot("2024-03-04", entries(10))).expect("recorded");
    assert_eq!((report.recorded(), report.already_recorded()), (1, 0));
    let input = &report.inputs[0];
    assert_eq!(input.display, "https://example.org/2024-03-04/el.json");
    let PublicationOutcome::Recorded {
        event, placement, ..
    } = &input.publications[0].outcome
    else {
        panic!("not recorded: {report:?}");
    };
    assert_eq!((event.seq, event.effect.added), (1, 10));
    assert_eq!(*placement, Placement::Latest);
    assert_eq!(report.archive, None);

    let again = ingest(&mut store, snapshot("2024-03-04", entries(10))).expect("checked");
    assert_eq!((again.recorded(), again.already_recorded()), (0, 1));
    assert_eq!(
        again.inputs[0].publications[0].outcome,
        PublicationOutcome::AlreadyRecorded { seq: 1 }
    );
}

#[test]
fn a_snapshot_dropping_too_much_records_nothing() {
    let (_dir, mut store) = open_store();
    ingest(&mut store, snapshot("2024-03-04", entries(10))).expect("recorded");
    let failure = ingest(&mut store, snapshot("2024-03-05", entries(5))).expect_err("refused");
    assert!(
        matches!(
            &failure.error,
            IngestError::WouldDrop { drops, .. }
                if drops.len() == 1 && (drops[0].removed, drops[0].in_force) == (5, 10)
        ),
        "{}",
        failure.error
    );
    assert!(failure.done.inputs.is_empty());
    assert_eq!(store.event_count().expect("a count"), 1);
}

#[test]
fn an_empty_snapshot_or_one_without_a_date_is_refused_before_the_store() {
    let refused = Ingest::check(snapshot("2024-03-04", json!([])), options());
    assert!(matches!(refused, Err(IngestError::EmptySnapshot { .. })));

    let mut undated = snapshot("2024-03-04", entries(1));
    undated.candidates[0] = Candidate::in_memory(
        "el.json",
        "el.json",
        Arc::new(
            json!({"list": "el", "kind": "snapshot", "entries": entries(1)})
                .to_string()
                .into_bytes(),
        ),
        0,
    );
    assert!(matches!(
        Ingest::check(undated, options()),
        Err(IngestError::NoDate { .. })
    ));

    let nothing = FoundInputs {
        searched: vec!["a".into(), "b".into()],
        ..FoundInputs::default()
    };
    let Err(error) = Ingest::check(nothing, options()) else {
        panic!("nothing to ingest");
    };
    assert_eq!(error.to_string(), "no publications found in a, b");
}

#[test]
fn a_rename_is_carried_against_the_store_and_told_once() {
    let entry = |id: &str, name: &str, key: &str| json!({"id": id, "name": name, "extra": {"rename_key": key}});
    let (_dir, mut store) = open_store();
    ingest(
        &mut store,
        snapshot(
            "2024-03-04",
            json!([
                entry("cn/acme", "Acme", "cn|1"),
                entry("cn/bolt", "Bolt", "cn|2")
            ]),
        ),
    )
    .expect("recorded");
    let renamed = json!([
        entry("cn/acme co", "Acme Co", "cn|1"),
        entry("cn/bolt", "Bolt", "cn|2")
    ]);
    let report = ingest(&mut store, snapshot("2024-03-05", renamed.clone())).expect("recorded");
    let told = &report.inputs[0].publications[0];
    assert_eq!(
        told.renames,
        [crate::model::rename::Rename {
            old: EntryId::new("cn/acme").expect("an id"),
            new: EntryId::new("cn/acme co").expect("an id"),
        }]
    );
    let PublicationOutcome::Recorded { event, .. } = &told.outcome else {
        panic!("not recorded");
    };
    assert_eq!(
        (
            event.effect.added,
            event.effect.removed,
            event.effect.changed
        ),
        (0, 0, 1),
        "the rename is a change of the old entry"
    );
    // The next publication keeps the new name: the rename is not told again.
    let report = ingest(&mut store, snapshot("2024-03-06", renamed)).expect("recorded");
    assert!(report.inputs[0].publications[0].renames.is_empty());
}

#[test]
fn an_event_is_placed_as_a_correction_a_backfill_or_the_latest() {
    let event = |published: &str, supersedes: Option<u64>| crate::model::EventMeta {
        seq: 2,
        list: ListId::new("l").expect("a list id"),
        published: published.parse().expect("a date"),
        recorded: DateTime::<Utc>::default(),
        kind: crate::model::PublicationKind::Snapshot,
        source: "s".into(),
        sha256: String::new(),
        format: "native".into(),
        supersedes,
        effect: Default::default(),
    };
    let placed = |event, latest: Option<&str>| match publication_outcome(
        RecordOutcome::Recorded {
            event,
            notes: Vec::new(),
        },
        latest.map(|d| d.parse().expect("a date")),
    ) {
        PublicationOutcome::Recorded { placement, .. } => placement,
        PublicationOutcome::AlreadyRecorded { .. } => panic!("recorded"),
    };
    assert_eq!(
        placed(event("2024-03-04", Some(1)), Some("2024-03-09")),
        Placement::Correction { corrects: 1 }
    );
    assert_eq!(
        placed(event("2024-03-04", None), Some("2024-03-09")),
        Placement::Backfill {
            latest: "2024-03-09".parse().expect("a date")
        }
    );
    assert_eq!(
        placed(event("2024-03-04", None), Some("2024-03-04")),
        Placement::Latest
    );
    assert_eq!(placed(event("2024-03-04", None), None), Placement::Latest);
}

#[test]
fn bytes_in_memory_are_archived_once_the_event_is_recorded() {
    let (_dir, mut store) = open_store();
    let archiving = IngestOptions {
        archive: ArchiveChoice::Always,
        ..options()
    };
    let plan =
        Ingest::check(snapshot("2024-03-04", entries(3)), archiving.clone()).expect("checks");
    let report = plan.record(&mut store, now()).expect("recorded");
    let archive = report.archive.expect("archived");
    assert_eq!((archive.written, archive.present), (1, 0));
    assert_eq!(archive.dir, store.archive().dir());

    let plan = Ingest::check(snapshot("2024-03-04", entries(3)), archiving).expect("checks");
    let report = plan.record(&mut store, now()).expect("already recorded");
    let archive = report.archive.expect("archived");
    assert_eq!((archive.written, archive.present), (0, 1));
}

/// An `sdn.csv` of 20 entries, ending with OFAC's end-of-file mark when `marked`.
fn sdn_csv(marked: bool) -> Vec<u8> {
    let mut bytes: Vec<u8> = (1..=20)
        .flat_map(|id| {
            format!(
                "{id},\"ENTITY {id}\",-0- ,\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"
            )
            .into_bytes()
        })
        .collect();
    if marked {
        bytes.push(0x1A);
    }
    bytes
}

/// A store holding an OFAC sdn.csv dated 2024-01-01 whose event says nothing of the end-of-file
/// mark, as listdiffs before issue 12 recorded it; its bytes (which have the mark) archived
/// when `archived`.
fn store_with_an_old_event(archived: bool) -> (tempfile::TempDir, Store) {
    let (dir, mut store) = open_store();
    let bytes = sdn_csv(true);
    let format = crate::formats::Format::from_name("ofac-sdn-csv").expect("the format");
    let parsed = format
        .parse(&crate::formats::Input::single("sdn.csv", bytes.clone()))
        .expect("parsed");
    let publication = parsed
        .publications
        .into_iter()
        .map(|p| Publication {
            list: p.list,
            published: "2024-01-01".parse().expect("a time"),
            source: "sdn.csv".into(),
            content: p.content,
        })
        .next()
        .expect("a publication");
    let sha256 = crate::store::sha256_hex(&bytes);
    let provenance = crate::store::Provenance {
        sha256: sha256.clone(),
        inputs: vec![crate::store::InputDigest {
            name: "sdn.csv".into(),
            sha256: sha256.clone(),
            bytes: bytes.len() as u64,
            eof_mark: None,
        }],
        format: "ofac-sdn-csv".into(),
        parser: "listdiff 0.1.0 ofac-sdn-csv/2".into(),
    };
    store
        .record(&publication, &provenance, now())
        .expect("recorded");
    if archived {
        store
            .archive()
            .put(
                &sha256,
                &crate::store::ArchiveSource::Bytes(Arc::new(bytes)),
            )
            .expect("archived");
    }
    (dir, store)
}

/// An sdn.csv dated 2024-01-02 without the end-of-file mark, as fetched over HTTP.
fn unmarked_sdn() -> FoundInputs {
    FoundInputs {
        candidates: vec![Candidate::in_memory(
            "https://example.org/2024-01-02/sdn.csv",
            "sdn.csv",
            Arc::new(sdn_csv(false)),
            0,
        )],
        notes: Vec::new(),
        searched: vec!["https://example.org".into()],
        ..FoundInputs::default()
    }
}

#[test]
fn an_earlier_event_that_did_not_record_the_mark_is_unknown_unless_its_input_is_archived() {
    // Unknown: no evidence either way, so only a note.
    let (_dir, mut store) = store_with_an_old_event(false);
    let report = ingest(&mut store, unmarked_sdn()).expect("recorded");
    assert_eq!(report.recorded(), 1);
    let notes = &report.inputs[0].notes;
    assert!(
        notes.len() == 1 && notes[0].contains("is not known"),
        "{notes:?}"
    );
    // Archived: its bytes end with the mark, so this copy is cut.
    let (_dir, mut store) = store_with_an_old_event(true);
    let failure = ingest(&mut store, unmarked_sdn()).expect_err("refused");
    assert!(
        matches!(&failure.error, IngestError::CutShort { lines: 20, .. }),
        "{}",
        failure.error
    );
    assert_eq!(store.event_count().expect("a count"), 1);
}

/// A native snapshot file of list `el` holding `count` entries.
fn native_snapshot_file(count: usize) -> String {
    json!({
        "list": "el",
        "published": "2024-12-10",
        "kind": "snapshot",
        "entries": entries(count),
    })
    .to_string()
}

#[test]
fn an_input_hashed_to_be_recognised_is_read_from_the_bytes_hashed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("el.json");
    std::fs::write(&path, native_snapshot_file(2)).unwrap();
    let candidate = Candidate::file(&path, "el.json", 0);
    let input = InputOptions::default();
    let (provenance, held) = inputs::digests(&candidate, &input).unwrap();
    assert!(held.is_some(), "a small file read whole is held");
    // The file changes after it was hashed: the read parses the bytes hashed, with their digest.
    std::fs::write(&path, native_snapshot_file(3)).unwrap();
    let read = inputs::read_held(&candidate, &input, held).unwrap();
    assert_eq!(read.provenance, provenance);
    let held_entries: Vec<usize> = read
        .parsed
        .publications
        .iter()
        .map(|p| p.content.len())
        .collect();
    assert_eq!(held_entries, [2]);
    // Read again from the file, the input is its new bytes.
    let again = inputs::read(&candidate, &input).unwrap();
    assert_ne!(again.provenance.sha256, provenance.sha256);
    assert_eq!(again.parsed.publications[0].content.len(), 3);
}
