//! What an answer stands on (issue 11 item 4): every query answer names, per list, the
//! publication it reads and its age on the date asked; a date before a list's first publication
//! says so; `--max-age DAYS` exits 5 after the answer when a basis is older (or missing),
//! naming the list on standard error, and wins over `--exit-code`'s 1. In every output format.
//! The tests' clock (`LISTDIFF_NOW`) is 2026-01-15.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, count, native};
use serde_json::{Value, json};

fn entry(id: &str, name: &str) -> Value {
    json!({"id": id, "name": name})
}

/// Two lists: `l` published 2024-12-02 (snapshot {a, b}) and 2024-12-05 (amendment adding
/// `c`); `m` published 2024-12-10 (snapshot {x}).
fn history() -> Env {
    let env = Env::new();
    let files = [
        native(
            "l",
            "2024-12-02",
            "snapshot",
            json!({"entries": [entry("a", "Alpha"), entry("b", "Beta")]}),
        ),
        native(
            "l",
            "2024-12-05",
            "amendment",
            json!({"add": [entry("c", "Gamma")]}),
        ),
        native(
            "m",
            "2024-12-10",
            "snapshot",
            json!({"entries": [entry("x", "Xi")]}),
        ),
    ];
    for (i, file) in files.iter().enumerate() {
        let path = env.write(&format!("{i}.json"), file);
        env.ok(&["ingest", &path]);
    }
    env
}

/// Runs a command; returns its exit code, standard output and standard error.
fn run(env: &Env, args: &[&str]) -> (i32, String, String) {
    let output = env.cmd(args).output().unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn as_of_names_the_publication_each_list_reads_in_every_format() {
    let env = history();
    let v = env.json(&["as-of", "2024-12-07"]);
    assert_eq!(
        v["basis"],
        json!([
            {"list": "l", "published": "2024-12-05", "event": 2, "age_days": 2, "asked": "2024-12-07"},
            {"list": "m", "published": null, "event": null, "age_days": null, "asked": "2024-12-07"}
        ])
    );
    let table = env.ok(&["as-of", "2024-12-07"]);
    assert!(
        table.ends_with(
            "3 entries in force at the end of 2024-12-07\n\
             basis: l published 2024-12-05 (event 2), 2 days before 2024-12-07\n\
             basis: m: no publication recorded on or before 2024-12-07 (its first is dated 2024-12-10)\n"
        ),
        "{table}"
    );
    let lines: Vec<Value> = env
        .ok(&["as-of", "2024-12-07", "-o", "ndjson"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        5,
        "three entries, then one basis line per list"
    );
    assert_eq!(lines[3], json!({"basis": v["basis"][0]}));
    assert_eq!(lines[4], json!({"basis": v["basis"][1]}));
    // CSV rows are entries only: the basis goes to standard error.
    let (code, csv_text, stderr) = run(&env, &["as-of", "2024-12-07", "-o", "csv"]);
    assert_eq!(code, 0);
    assert_eq!(csv_text.lines().count(), 4, "{csv_text}");
    assert!(
        stderr.contains(
            "listdiff: note: basis: l published 2024-12-05 (event 2), 2 days before 2024-12-07\n"
        ),
        "{stderr}"
    );
    // With --list, only that list's basis.
    let one = env.json(&["as-of", "2024-12-07", "--list", "l"]);
    assert_eq!(count(&one, "basis"), 1);
}

#[test]
fn a_date_before_any_publication_says_none_existed_yet() {
    let env = history();
    let table = env.ok(&["as-of", "1990-01-01"]);
    assert!(
        table.ends_with(
            "0 entries in force at the end of 1990-01-01\n\
             basis: l: no publication recorded on or before 1990-01-01 (its first is dated 2024-12-02)\n\
             basis: m: no publication recorded on or before 1990-01-01 (its first is dated 2024-12-10)\n"
        ),
        "{table}"
    );
    let diff = env.ok(&["diff", "1990-01-01", "1991-01-01"]);
    assert!(
        diff.contains(
            "basis: l: no publication recorded on or before 1991-01-01 (its first is dated 2024-12-02)"
        ),
        "{diff}"
    );
    let since = env.json(&["since", "1990-01-01", "--until", "1990-12-31"]);
    assert_eq!(since["basis"][0]["published"], Value::Null);
}

#[test]
fn since_with_nothing_new_says_what_it_covers() {
    let env = history();
    // Nothing was published after 2024-12-10: no changes, and the answer says up to when.
    let (code, table, _) = run(&env, &["since", "2024-12-11", "--exit-code"]);
    assert_eq!(code, 0, "no changes");
    assert!(
        table.ends_with(
            "Since 2024-12-11 (through 2024-12-11): 0 publications; net 0 added, 0 removed, 0 changed (0 reason changes)\n\
             no publication of l after 2024-12-05 is recorded\n\
             no publication of m after 2024-12-10 is recorded\n\
             basis: l published 2024-12-05 (event 2), 406 days before 2026-01-15\n\
             basis: m published 2024-12-10 (event 3), 401 days before 2026-01-15\n"
        ),
        "without --until the basis is aged to today:\n{table}"
    );
    let v = env.json(&["since", "2024-12-11"]);
    assert_eq!(
        v["basis"][0],
        json!({"list": "l", "published": "2024-12-05", "event": 2, "age_days": 406, "asked": "2026-01-15"})
    );
    // With --until, to that date; a gap before later publications is told as a gap.
    let gap = env.ok(&[
        "since",
        "2024-12-03",
        "--until",
        "2024-12-04",
        "--list",
        "l",
    ]);
    assert!(
        gap.contains("no publication of l dated 2024-12-03 to 2024-12-04 is recorded\n"),
        "{gap}"
    );
    assert!(
        gap.ends_with("basis: l published 2024-12-02 (event 1), 2 days before 2024-12-04\n"),
        "{gap}"
    );
    // With --known-at, to the date known at.
    let then = env.json(&["since", "2024-12-11", "--known-at", "2026-01-20"]);
    assert_eq!(then["basis"][0]["age_days"], 411);
    assert_eq!(then["basis"][0]["asked"], "2026-01-20");
}

#[test]
fn max_age_exits_5_after_the_answer_naming_each_stale_list() {
    let env = history();
    let (code, table, stderr) = run(&env, &["as-of", "2024-12-12", "--max-age", "5"]);
    assert_eq!(code, 5);
    assert!(
        table.contains("4 entries in force at the end of 2024-12-12"),
        "the answer is printed: {table}"
    );
    assert!(
        stderr.contains(
            "listdiff: warning: l: the answer stands on its publication of 2024-12-05 (event 2), 7 days before 2024-12-12, more than --max-age 5"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains(" m: "), "m is 2 days old: {stderr}");
    // Within the limit: 0. The limit is inclusive.
    let (code, _, stderr) = run(&env, &["as-of", "2024-12-12", "--max-age", "7"]);
    assert_eq!(code, 0, "{stderr}");
    // A list with no publication by then is stale too.
    let (code, _, stderr) = run(
        &env,
        &["as-of", "2024-12-06", "--max-age", "30", "-o", "json"],
    );
    assert_eq!(code, 5);
    assert!(
        stderr.contains(
            "listdiff: warning: m: no publication of it is recorded on or before 2024-12-06 (its first is dated 2024-12-10)"
        ),
        "{stderr}"
    );
    // In every output format, and for every query command.
    for format in ["table", "json", "ndjson", "csv"] {
        for args in [
            vec!["as-of", "2025-06-01"],
            vec!["since", "2024-12-01"],
            vec!["diff", "2024-12-01", "2025-06-01"],
            vec!["history", "alpha"],
            vec!["lists"],
        ] {
            let mut all = args.clone();
            all.extend(["--max-age", "30", "-o", format]);
            let (code, stdout, stderr) = run(&env, &all);
            assert_eq!(code, 5, "{all:?}: {stderr}");
            assert!(!stdout.is_empty(), "{all:?} prints its answer");
            assert!(
                stderr.contains("listdiff: warning: l: "),
                "{all:?}: {stderr}"
            );
            let mut fresh = args.clone();
            fresh.extend(["--max-age", "1000", "-o", format]);
            assert_eq!(run(&env, &fresh).0, 0, "{fresh:?}");
        }
    }
}

#[test]
fn staleness_wins_over_changes() {
    let env = history();
    let (code, _, _) = run(&env, &["since", "2024-12-01", "--exit-code"]);
    assert_eq!(code, 1);
    let (code, _, stderr) = run(
        &env,
        &["since", "2024-12-01", "--exit-code", "--max-age", "30"],
    );
    assert_eq!(
        code, 5,
        "a stale answer may be wrong, which matters more: {stderr}"
    );
    let (code, _, _) = run(
        &env,
        &["since", "2024-12-01", "--exit-code", "--max-age", "1000"],
    );
    assert_eq!(code, 1);
    let (code, _, _) = run(
        &env,
        &[
            "diff",
            "2024-12-01",
            "2024-12-31",
            "--exit-code",
            "--max-age",
            "3",
        ],
    );
    assert_eq!(code, 5);
}

#[test]
fn max_age_must_be_a_number_of_days() {
    let env = history();
    for bad in ["-1", "seven", "1.5", ""] {
        let (code, _, stderr) = run(&env, &["as-of", "2024-12-31", &format!("--max-age={bad}")]);
        assert_eq!(code, 2, "{bad}: {stderr}");
        assert!(stderr.contains("is not a number of days"), "{stderr}");
    }
}

#[test]
fn history_and_diff_name_their_basis() {
    let env = history();
    let h = env.json(&["history", "gamma"]);
    assert_eq!(
        h["basis"],
        json!([
            {"list": "l", "published": "2024-12-05", "event": 2, "age_days": 406, "asked": "2026-01-15"},
            {"list": "m", "published": "2024-12-10", "event": 3, "age_days": 401, "asked": "2026-01-15"}
        ])
    );
    let table = env.ok(&["history", "gamma", "--list", "l"]);
    assert!(
        table.ends_with(
            "1 entry matched\nbasis: l published 2024-12-05 (event 2), 406 days before 2026-01-15\n"
        ),
        "{table}"
    );
    let lines = env.ok(&["history", "gamma", "-o", "ndjson", "--list", "l"]);
    assert_eq!(
        lines.lines().count(),
        2,
        "the version, then the basis: {lines}"
    );
    // diff: the basis of the later date (the dates in the other order are refused, issue 12).
    let d = env.json(&["diff", "2024-12-03", "2024-12-31"]);
    assert_eq!(d["basis"][0]["published"], "2024-12-05");
    assert_eq!(d["basis"][0]["age_days"], 26);
    assert_eq!(d["basis"][0]["asked"], "2024-12-31");
    let diff_table = env.ok(&["diff", "2024-12-03", "2024-12-31", "--list", "l"]);
    assert!(
        diff_table
            .ends_with("basis: l published 2024-12-05 (event 2), 26 days before 2024-12-31\n"),
        "{diff_table}"
    );
}

#[test]
fn compare_has_no_basis() {
    let env = Env::new();
    let old = env.write(
        "old.json",
        native(
            "l",
            "2024-12-01",
            "snapshot",
            json!({"entries": [entry("a", "Alpha")]}),
        ),
    );
    let new = env.write(
        "new.json",
        native(
            "l",
            "2024-12-02",
            "snapshot",
            json!({"entries": [entry("b", "Beta")]}),
        ),
    );
    let v = env.json(&["compare", &old, &new]);
    assert!(
        v.get("basis").is_none() && v.get("baselines").is_none(),
        "{v}"
    );
    let lines = env.ok(&["compare", &old, &new, "-o", "ndjson"]);
    assert_eq!(lines.lines().count(), 2, "{lines}");
}

#[test]
fn known_at_reads_the_basis_as_the_store_stood_then() {
    let env = history();
    let later = env.write(
        "later.json",
        native(
            "l",
            "2024-12-20",
            "amendment",
            json!({"add": [entry("e", "Epsilon")]}),
        ),
    );
    env.cmd(&["ingest", &later])
        .env("LISTDIFF_NOW", "2026-03-01T00:00:00Z")
        .assert()
        .success();
    let now = env.json(&["as-of", "2024-12-31", "--list", "l"]);
    assert_eq!(now["basis"][0]["event"], 4);
    assert_eq!(now["basis"][0]["age_days"], 11);
    let then = env.json(&[
        "as-of",
        "2024-12-31",
        "--list",
        "l",
        "--known-at",
        "2026-02-01",
    ]);
    assert_eq!(
        then["basis"][0],
        json!({"list": "l", "published": "2024-12-05", "event": 2, "age_days": 26, "asked": "2024-12-31"})
    );
    let out = env
        .cmd(&[
            "as-of",
            "2024-12-31",
            "--list",
            "l",
            "--known-at",
            "2026-02-01",
            "--max-age",
            "20",
        ])
        .assert()
        .code(5);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("publication of 2024-12-05 (event 2)"),
        "{stderr}"
    );
    env.cmd(&["as-of", "2024-12-31", "--list", "l", "--max-age", "20"])
        .assert()
        .code(0);
}
