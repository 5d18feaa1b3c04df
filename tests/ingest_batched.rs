//! A large event's index writes go to the store in plain batches (issue 15), between the mark
//! that says the indexes are being written and the event's entry in the log: a crash after the
//! batches and before the log leaves the store as it was before the ingest, and the event can
//! be recorded afterwards.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::Env;
use serde_json::{Value, json};

/// A snapshot of list `big` of `count` entries, `tag` in every name.
fn snapshot(env: &Env, name: &str, published: &str, count: usize, tag: &str) -> String {
    let entries: Vec<Value> = (0..count)
        .map(|i| json!({"id": format!("B{i:05}"), "name": format!("Entity {i} {tag}"), "programs": ["EAR"]}))
        .collect();
    env.write(
        name,
        common::native("big", published, "snapshot", json!({ "entries": entries })),
    )
}

#[test]
fn a_crash_between_the_batched_index_writes_and_the_log_leaves_the_store_as_before() {
    let env = Env::new();
    // A small list first, so that the store holds something to keep.
    let small = env.write(
        "small.json",
        common::native(
            "small",
            "2024-01-01",
            "snapshot",
            json!({"entries": [{"id": "S1", "name": "Small One"}]}),
        ),
    );
    env.ok(&["ingest", &small]);
    let before = env.ok(&["export"]);

    // Thousands of entries: more index writes than one transaction takes.
    let first = snapshot(&env, "big1.json", "2024-01-02", 3000, "first");
    let crashed = env
        .cmd(&["ingest", &first])
        .env("LISTDIFF_TEST_EXIT_BEFORE_LOG", "1")
        .output()
        .unwrap();
    assert_eq!(
        crashed.status.code(),
        Some(99),
        "the test hook ends the process"
    );

    // The store opens (rebuilding the indexes the batches left dirty), verifies, and holds what
    // it held before: the log, and every answer.
    env.ok(&["verify"]);
    assert_eq!(
        env.ok(&["export"]),
        before,
        "the log is as before the crash"
    );
    let lists = env.json(&["lists"]);
    assert!(
        !lists.to_string().contains("\"big\""),
        "no trace of the list whose event never reached the log: {lists}"
    );
    let unknown = env
        .cmd(&["as-of", "2024-01-02", "--list", "big"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("no list big"),
        "{unknown:?}"
    );

    // The same snapshot records whole afterwards, and a later one against it.
    env.ok(&["ingest", &first]);
    let as_of = env.json(&["as-of", "2024-01-02", "--list", "big"]);
    assert_eq!(common::count(&as_of, "entries"), 3000);
    let second = snapshot(&env, "big2.json", "2024-01-03", 3000, "second");
    env.ok(&["ingest", &second]);
    let diff = env.json(&["diff", "2024-01-02", "2024-01-03", "--list", "big"]);
    assert_eq!(common::count(&diff, "changed"), 3000, "every name changed");
    env.ok(&["verify"]);
    env.ok(&["rebuild"]);
    env.ok(&["verify"]);
}
