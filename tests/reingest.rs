//! Fast re-ingest (issue 14, item 4): an input recorded already under the same options is
//! recognised from its bytes' SHA-256 before any parsing, told in one closing count, and the
//! store is not touched; other options, other path dates and retracted publications are read
//! and recorded as ever; through the binary.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, native};
use serde_json::json;

/// A native snapshot of list `l` with one entry named `name`, dated `date`.
fn snapshot(date: &str, name: &str) -> String {
    native(
        "l",
        date,
        "snapshot",
        json!({"entries": [{"id": "a", "name": name}]}),
    )
}

/// How many events the store's log holds.
fn events(env: &Env) -> usize {
    env.json(&["log"])["events"].as_array().unwrap().len()
}

#[test]
fn a_directory_ingested_again_prints_one_count_and_touches_nothing() {
    let env = Env::new();
    env.write("in/1.json", snapshot("2024-12-01", "Alpha"));
    env.write("in/2.json", snapshot("2024-12-02", "Beta"));
    env.write("in/3.json", snapshot("2024-12-03", "Gamma"));
    let dir = env.dir.path().join("in").to_string_lossy().into_owned();
    let first = env.ok(&["ingest", &dir]);
    assert!(first.contains("3 recorded, 0 already recorded"), "{first}");
    // The database settles on its first open after a write (a read does it as well).
    assert_eq!(events(&env), 3);
    let before = env.fingerprint();
    let again = env.ok(&["ingest", &dir]);
    assert_eq!(
        again.trim(),
        format!(
            "0 recorded, 3 already recorded, in {}",
            env.store().display()
        ),
        "one line, not one per file"
    );
    assert_eq!(env.fingerprint(), before, "the store was touched");
    assert_eq!(events(&env), 3);
}

#[test]
fn other_options_are_read_and_recorded() {
    let env = Env::new();
    let file = env.write("s.json", snapshot("2024-12-01", "Alpha"));
    env.ok(&["ingest", &file]);
    // Another publication time: another publication.
    let out = env.ok(&["ingest", "--published", "2024-12-02", &file]);
    assert!(out.contains("1 recorded, 0 already recorded"), "{out}");
    // The same again is recognised under those options too.
    let out = env.ok(&["ingest", "--published", "2024-12-02", &file]);
    assert!(out.contains("0 recorded, 1 already recorded"), "{out}");
    assert_eq!(events(&env), 2);
}

#[test]
fn the_same_bytes_dated_by_another_path_are_another_publication() {
    let env = Env::new();
    let csv = "id,name\n1,Alpha\n";
    let first = env.write("2024-12-01/list.csv", csv);
    let second = env.write("2024-12-02/list.csv", csv);
    let out = env.ok(&["ingest", "--list", "p", "--key", "id", &first]);
    assert!(out.contains("1 recorded"), "{out}");
    let out = env.ok(&["ingest", "--list", "p", "--key", "id", &second]);
    assert!(out.contains("1 recorded, 0 already recorded"), "{out}");
    // Under another list, the same file is another publication.
    let out = env.ok(&["ingest", "--list", "q", "--key", "id", &first]);
    assert!(out.contains("1 recorded, 0 already recorded"), "{out}");
    assert_eq!(events(&env), 3);
}

#[test]
fn a_retracted_publication_is_not_recognised() {
    let env = Env::new();
    let file = env.write("s.json", snapshot("2024-12-01", "Alpha"));
    env.ok(&["ingest", &file]);
    env.ok(&["retract", "1", "--reason", "wrong file"]);
    let out = env.ok(&["ingest", &file]);
    assert!(out.contains("1 recorded, 0 already recorded"), "{out}");
}

#[test]
fn source_and_corrects_always_read_their_input() {
    let env = Env::new();
    let file = env.write("s.json", snapshot("2024-12-01", "Alpha"));
    env.ok(&["ingest", &file]);
    // Read (the store then finds it recorded, and says so for the file), not recognised.
    let out = env.ok(&["ingest", "--source", "a citation", &file]);
    assert!(
        out.contains("already recorded as event 1: l 2024-12-01"),
        "{out}"
    );
    let out = env.ok(&["ingest", "--corrects", "1", &file]);
    assert!(
        out.contains("already recorded as event 1: l 2024-12-01"),
        "{out}"
    );
    // Without them, recognised: told only in the count.
    let out = env.ok(&["ingest", &file]);
    assert!(!out.contains("already recorded as event"), "{out}");
    assert!(out.contains("0 recorded, 1 already recorded"), "{out}");
}

#[test]
fn archive_archives_a_recognised_input_not_archived_yet() {
    let env = Env::new();
    let file = env.write("s.json", snapshot("2024-12-01", "Alpha"));
    env.ok(&["ingest", &file]);
    let out = env.ok(&["ingest", "--archive", &file]);
    assert!(out.contains("0 recorded, 1 already recorded"), "{out}");
    assert!(out.contains("archived 1 input file "), "{out}");
    let out = env.ok(&["ingest", "--archive", &file]);
    assert!(
        out.contains("archived 0 input files (1 already archived)"),
        "{out}"
    );
}
