//! The drop guard's read of a list's entry records serves the planning of the snapshot it
//! checked (issue 15), and only while the log has not grown since: snapshots of one list
//! recorded by one ingest are each planned against the records as they stand.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::Env;
use serde_json::{Value, json};

/// A snapshot of list `el` whose entries are `(id, name)`.
fn snapshot(env: &Env, name: &str, published: &str, entries: &[(&str, &str)]) -> String {
    let entries: Vec<Value> = entries
        .iter()
        .map(|(id, name)| json!({"id": id, "name": name, "programs": ["EAR"]}))
        .collect();
    env.write(
        name,
        common::native("el", published, "snapshot", json!({ "entries": entries })),
    )
}

#[test]
fn snapshots_of_one_list_in_one_ingest_are_each_planned_against_the_records_as_they_stand() {
    let env = Env::new();
    let base = [
        ("A", "Alpha"),
        ("B", "Beta"),
        ("C", "Gamma"),
        ("E", "Epsilon"),
        ("F", "Phi"),
        ("G", "Gimel"),
        ("H", "Eta"),
        ("I", "Iota"),
    ];
    let first = snapshot(&env, "s0.json", "2024-01-01", &base);
    env.ok(&["ingest", &first]);
    // Two more in one ingest: the guard reads the records for both before either is recorded.
    let mut one = base.to_vec();
    one[1].1 = "Beta Two";
    one.push(("D", "Delta"));
    let second = snapshot(&env, "s1.json", "2024-01-02", &one);
    let mut two = one.clone();
    two[1].1 = "Beta Three";
    two.retain(|(id, _)| *id != "C");
    let third = snapshot(&env, "s2.json", "2024-01-03", &two);
    env.ok(&["ingest", &second, &third]);

    let changes = |from: &str, to: &str| {
        let diff = env.json(&["diff", from, to]);
        (
            common::ids(&diff["added"]),
            common::ids(&diff["removed"]),
            common::ids(&diff["changed"]),
        )
    };
    let none: Vec<String> = Vec::new();
    assert_eq!(
        changes("2024-01-01", "2024-01-02"),
        (vec!["D".to_string()], none.clone(), vec!["B".to_string()])
    );
    assert_eq!(
        changes("2024-01-02", "2024-01-03"),
        (none, vec!["C".to_string()], vec!["B".to_string()])
    );
    let history = env.ok(&["history", "B", "-o", "json"]);
    for name in ["Beta", "Beta Two", "Beta Three"] {
        assert!(
            history.contains(&format!("\"{name}\"")),
            "{name} in {history}"
        );
    }
    env.ok(&["verify"]);
    env.ok(&["rebuild"]);
    env.ok(&["verify"]);
}
