//! What ingest accepts reads back whole: a 100,000-byte name of two-byte characters, an entry
//! with 1,000 aliases and a long reason, and an entry renamed 300 times, through `history`,
//! `as-of`, `verify` and `export` → `import`. (Store layout 1 cut names at 65,535 bytes, in the
//! middle of a character, and kept at most 255 names per entry: ingest succeeded, then `history`
//! said the store was damaged.)
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::Env;
use serde_json::{Value, json};

/// The entries of the snapshot with the long name and the many aliases, as the native format
/// states them (already normalised: trimmed, no duplicates, keys in canonical order).
fn large_entries() -> Vec<Value> {
    let aliases: Vec<String> = (0..1_000).map(|i| format!("Alias number {i:04}")).collect();
    vec![
        json!({"id": "long-name", "name": "é".repeat(50_000)}),
        json!({
            "id": "many-aliases",
            "name": "Many Aliases Ltd",
            "aliases": aliases,
            "reason": "Ω".repeat(100_000),
        }),
    ]
}

/// A native snapshot file of `entries` for `list` dated `published`.
fn snapshot(env: &Env, name: &str, list: &str, published: &str, entries: &[Value]) -> String {
    let document = json!({
        "list": list,
        "published": published,
        "source": "store limits test",
        "kind": "snapshot",
        "entries": entries,
    });
    env.write(name, serde_json::to_vec(&document).unwrap())
}

/// `entry` as the store answers it in `as-of` (with its list first).
fn as_listed(list: &str, entry: &Value) -> Value {
    let mut listed = serde_json::Map::new();
    listed.insert("list".into(), json!(list));
    listed.extend(entry.as_object().unwrap().clone());
    Value::Object(listed)
}

/// The entry of the one version `history` gives for `id`.
fn history_entry(env: &Env, id: &str) -> Value {
    let history = env.json(&["history", id]);
    let entries = history["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{id}");
    let versions = entries[0]["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 1, "{id}");
    versions[0]["entry"].clone()
}

#[test]
fn a_long_name_and_many_aliases_read_back_whole_everywhere() {
    let env = Env::new();
    let entries = large_entries();
    let file = snapshot(&env, "large.json", "limits", "2024-01-01", &entries);
    env.ok(&["ingest", &file]);

    for entry in &entries {
        assert_eq!(&history_entry(&env, entry["id"].as_str().unwrap()), entry);
    }
    // history also finds the entry by its whole name.
    let long_name = entries[0]["name"].as_str().unwrap();
    assert_eq!(
        env.json(&["history", long_name])["entries"][0]["id"],
        "long-name"
    );
    let as_of = env.json(&["as-of", "2024-01-01"]);
    let expected: Vec<Value> = entries.iter().map(|e| as_listed("limits", e)).collect();
    assert_eq!(as_of["entries"].as_array().unwrap(), &expected);
    let verified = env.ok(&["verify"]);
    assert!(verified.contains("match the stored indexes"), "{verified}");

    // export → import: the same answers from the new store.
    let export = env.dir.path().join("export.jsonl");
    env.ok(&["export", "-o", export.to_str().unwrap()]);
    let imported = Env::new();
    imported.ok(&["import", export.to_str().unwrap()]);
    assert_eq!(imported.json(&["as-of", "2024-01-01"]), as_of);
    for entry in &entries {
        assert_eq!(
            &history_entry(&imported, entry["id"].as_str().unwrap()),
            entry
        );
    }
    imported.ok(&["verify"]);
}

#[test]
fn an_entry_renamed_300_times_keeps_every_name() {
    let env = Env::new();
    let files: Vec<String> = (0..300)
        .map(|day| {
            let published =
                chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Duration::days(day);
            let entries = [json!({"id": "renamed", "name": format!("Name {day:03}")})];
            snapshot(
                &env,
                &format!("day-{day:03}.json"),
                "renames",
                &published.to_string(),
                &entries,
            )
        })
        .collect();
    let mut args = vec!["ingest"];
    args.extend(files.iter().map(String::as_str));
    env.ok(&args);

    // Found by its first name, by a name past the 255th, and by its last one.
    for name in ["Name 000", "Name 256", "Name 299"] {
        let history = env.json(&["history", name]);
        let found = history["entries"].as_array().unwrap();
        assert_eq!(found.len(), 1, "{name}");
        assert_eq!(found[0]["id"], "renamed");
        let versions = found[0]["versions"].as_array().unwrap();
        assert_eq!(versions.len(), 300, "{name}");
        assert_eq!(versions[299]["entry"]["name"], "Name 299");
    }
    env.ok(&["verify"]);
}
