//! The guard against broken feeds: an empty snapshot, or one that would remove more than
//! --max-drop percent (default 20) of a list, is refused with the counts and nothing recorded,
//! unless --allow-drop is given.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, RealData, native};
use serde_json::json;

fn snapshot(published: &str, ids: &[u32]) -> String {
    let entries: Vec<_> = ids
        .iter()
        .map(|i| json!({"id": i.to_string(), "name": format!("Entry {i}")}))
        .collect();
    native("l", published, "snapshot", json!({ "entries": entries }))
}

fn stderr_of(env: &Env, args: &[&str]) -> (Option<i32>, String) {
    let output = env.cmd(args).output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn an_empty_snapshot_is_refused_unless_allowed() {
    let env = Env::new();
    env.ok(&[
        "ingest",
        &env.write("a.json", snapshot("2024-01-01", &[1, 2, 3])),
    ]);
    let before = env.ok(&["log", "-o", "json"]);
    let empty = env.write("b.json", snapshot("2024-01-02", &[]));
    let (code, stderr) = stderr_of(&env, &["ingest", &empty]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("holds no entries"), "{stderr}");
    assert!(stderr.contains("Nothing was recorded"), "{stderr}");
    assert!(stderr.contains("--allow-drop"), "{stderr}");
    assert_eq!(
        env.ok(&["log", "-o", "json"]),
        before,
        "a refused ingest leaves the store untouched"
    );

    let out = env.ok(&["ingest", "--allow-drop", &empty]);
    assert!(out.contains("0 added, 3 removed"), "{out}");
}

#[test]
fn a_snapshot_dropping_a_third_of_the_list_is_refused_with_the_counts() {
    let env = Env::new();
    let all: Vec<u32> = (1..=30).collect();
    env.ok(&["ingest", &env.write("a.json", snapshot("2024-01-01", &all))]);
    let before = env.ok(&["log", "-o", "json"]);
    let partial = env.write("b.json", snapshot("2024-01-02", &all[..20]));
    let (code, stderr) = stderr_of(&env, &["ingest", &partial]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("holds 20 entries and would remove 10 of the 30 in force (33.3%, more than the 20% allowed)"),
        "{stderr}"
    );
    assert_eq!(env.ok(&["log", "-o", "json"]), before);

    // A higher threshold, or --allow-drop, records it; the next day's full list comes back.
    env.ok(&["ingest", "--max-drop", "40", &partial]);
    let restored = env.write("c.json", snapshot("2024-01-03", &all));
    let out = env.ok(&["ingest", &restored]);
    assert!(out.contains("10 added, 0 removed"), "{out}");
}

#[test]
fn a_drop_is_judged_against_the_publications_before_it_in_the_same_ingest() {
    let env = Env::new();
    let all: Vec<u32> = (1..=10).collect();
    env.ok(&["ingest", &env.write("a.json", snapshot("2024-01-01", &all))]);
    let before = env.ok(&["log", "-o", "json"]);
    // Day 2 adds ten entries (fine); day 3 keeps only the first ten: half of the twenty.
    let grown: Vec<u32> = (1..=20).collect();
    let b = env.write("in/b.json", snapshot("2024-01-02", &grown));
    let c = env.write("in/c.json", snapshot("2024-01-03", &all));
    let (code, stderr) = stderr_of(&env, &["ingest", &b, &c]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("c.json"), "names the file: {stderr}");
    assert!(
        stderr.contains("would remove 10 of the 20 in force"),
        "{stderr}"
    );
    assert_eq!(
        env.ok(&["log", "-o", "json"]),
        before,
        "nothing of the ingest is recorded"
    );
    let out = env.ok(&["ingest", "--allow-drop", &b, &c]);
    assert!(out.contains("2 recorded"), "{out}");
}

#[test]
fn the_real_empty_sdn_download_is_refused_and_skipped_in_a_directory() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    // The jackdwyer scraper committed a 0-byte sdn.csv on 2024-05-04 (PROVENANCE.md §1a).
    let env = Env::new();
    env.ok(&["ingest", &real.file("ofac-sdn/2024-05-03/sdn.csv")]);
    let before = env.ok(&["log", "-o", "json"]);
    let empty = env.write("2024-05-04/sdn.csv", b"");
    let (code, stderr) = stderr_of(&env, &["ingest", &empty]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("the file is empty"), "{stderr}");
    assert!(stderr.contains("Nothing was recorded"), "{stderr}");
    assert_eq!(env.ok(&["log", "-o", "json"]), before);

    let dir = env
        .dir
        .path()
        .join("2024-05-04")
        .to_string_lossy()
        .into_owned();
    let output = env.cmd(&["ingest", &dir]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("skipped") && stderr.contains("empty"),
        "{stderr}"
    );
    assert_eq!(env.ok(&["log", "-o", "json"]), before);
}

#[test]
fn a_cut_short_real_sdn_file_is_refused() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    // The 2024-03-04 list with its last third cut off: 14,426 → 9,617 rows.
    let env = Env::new();
    let full = std::fs::read(real.file("ofac-sdn/2024-03-04/sdn.csv")).unwrap();
    env.ok(&[
        "ingest",
        "--published",
        "2024-03-04",
        &real.file("ofac-sdn/2024-03-04/sdn.csv"),
    ]);
    let lines: Vec<&[u8]> = full.split_inclusive(|b| *b == b'\n').collect();
    let cut: Vec<u8> = lines[..lines.len() * 2 / 3].concat();
    let path = env.write("2024-03-05/sdn.csv", cut);
    let before = env.ok(&["log", "-o", "json"]);
    // First refused as cut: it lacks the end-of-file mark (0x1A) the 2024-03-04 file had.
    let (code, stderr) = stderr_of(&env, &["ingest", &path]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("end-of-file mark"), "{stderr}");
    // Past that check, the drop guard refuses it for what it would remove.
    let (code, stderr) = stderr_of(&env, &["ingest", "--allow-cut", &path]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("us-ofac-sdn dated 2024-03-05"), "{stderr}");
    assert!(stderr.contains("of the 14426 in force"), "{stderr}");
    assert_eq!(env.ok(&["log", "-o", "json"]), before);
}

/// A native snapshot of list `keyed` whose entries carry rename keys, as the eCFR parser gives
/// them: (id, rename key) pairs.
fn keyed_snapshot(published: &str, entries: &[(&str, &str)]) -> String {
    let entries: Vec<_> = entries
        .iter()
        .map(|(id, key)| json!({"id": id, "name": id, "extra": {"rename_key": key}}))
        .collect();
    native(
        "keyed",
        published,
        "snapshot",
        json!({ "entries": entries }),
    )
}

#[test]
fn new_entries_with_rename_keys_that_pair_with_nothing_count_as_removals() {
    let env = Env::new();
    let first: Vec<(&str, &str)> = vec![
        ("a", "k1"),
        ("b", "k2"),
        ("c", "k3"),
        ("d", "k4"),
        ("e", "k5"),
        ("f", "k6"),
    ];
    env.ok(&[
        "ingest",
        &env.write("a.json", keyed_snapshot("2024-01-01", &first)),
    ]);
    let before = env.ok(&["log", "-o", "json"]);

    // Six of six replaced by entries whose rename keys match none of the departing ones: no
    // rename pairs, so all six are removals.
    let replaced: Vec<(&str, &str)> = vec![
        ("u", "n1"),
        ("v", "n2"),
        ("w", "n3"),
        ("x", "n4"),
        ("y", "n5"),
        ("z", "n6"),
    ];
    let path = env.write("b.json", keyed_snapshot("2024-01-02", &replaced));
    let (code, stderr) = stderr_of(&env, &["ingest", &path]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("would remove 6 of the 6 in force"),
        "{stderr}"
    );
    assert_eq!(env.ok(&["log", "-o", "json"]), before);

    // Three pair with departing entries (same key: renames), three do not: three removals.
    let half: Vec<(&str, &str)> = vec![
        ("a2", "k1"),
        ("b2", "k2"),
        ("c2", "k3"),
        ("x", "n4"),
        ("y", "n5"),
        ("z", "n6"),
    ];
    let path = env.write("c.json", keyed_snapshot("2024-01-02", &half));
    let (code, stderr) = stderr_of(&env, &["ingest", &path]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("would remove 3 of the 6 in force"),
        "{stderr}"
    );
    // Two departing entries sharing one key pair with nothing (the rename rule): both count.
    let shared = vec![
        ("a", "k1"),
        ("b", "k2"),
        ("c", "k3"),
        ("d", "k4"),
        ("e", "k5"),
        ("f", "k5"),
    ];
    let env2 = Env::new();
    env2.ok(&[
        "ingest",
        &env2.write("a.json", keyed_snapshot("2024-01-01", &shared)),
    ]);
    let path = env2.write(
        "b.json",
        keyed_snapshot(
            "2024-01-02",
            &[
                ("a", "k1"),
                ("b", "k2"),
                ("c", "k3"),
                ("d", "k4"),
                ("g", "k5"),
            ],
        ),
    );
    let (code, stderr) = stderr_of(&env2, &["ingest", "--max-drop", "30", &path]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("would remove 2 of the 6 in force"),
        "{stderr}"
    );

    // Renames that do pair are not removals: every entry renamed is accepted.
    let renamed: Vec<(&str, &str)> = first
        .iter()
        .map(|(id, key)| (if *id == "a" { "a-renamed" } else { *id }, *key))
        .collect();
    let out = env.ok(&[
        "ingest",
        &env.write("d.json", keyed_snapshot("2024-01-02", &renamed)),
    ]);
    assert!(out.contains("0 added, 0 removed, 1 changed"), "{out}");
}
