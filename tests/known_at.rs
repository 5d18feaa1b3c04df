//! The two clocks: publication date and recording time. `--known-at T` answers with only the
//! events recorded at or before T, so a correction or a backfill recorded later never changes
//! what the store said it knew at an earlier moment; `log` shows both clocks and which event a
//! correction supersedes.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, ids, native};
use serde_json::{Value, json};

fn entry(id: &str, name: &str, reason: &str) -> Value {
    json!({"id": id, "name": name, "reason": reason})
}

/// `listdiff ARGS` with the recording clock at `now`.
fn ingest_at(env: &Env, now: &str, file: &str) {
    ok_at(env, now, &["ingest", file]);
}

/// Runs a command that must succeed with the recording clock at `now`.
fn ok_at(env: &Env, now: &str, args: &[&str]) {
    let output = env.cmd(args).env("LISTDIFF_NOW", now).output().unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A history recorded over three days of the recording clock:
/// - 2024-12-02 09:00: snapshot of 2024-12-01 {a, b}
/// - 2024-12-12 09:00: amendment of 2024-12-11 adding c
/// - 2025-06-01 09:00: a correction of 2024-12-11 (adds d instead of c) and a backfilled
///   snapshot of 2024-11-15 {a, z}
fn history(env: &Env) {
    let first = env.write(
        "1.json",
        native(
            "l",
            "2024-12-01",
            "snapshot",
            json!({"entries": [entry("a", "Alpha", "r1"), entry("b", "Beta", "r1")]}),
        ),
    );
    let amendment = env.write(
        "2.json",
        native(
            "l",
            "2024-12-11",
            "amendment",
            json!({"add": [entry("c", "Gamma", "human rights")]}),
        ),
    );
    let correction = env.write(
        "3.json",
        native(
            "l",
            "2024-12-11",
            "amendment",
            json!({"add": [entry("d", "Delta", "human rights")]}),
        ),
    );
    let backfill = env.write(
        "4.json",
        native(
            "l",
            "2024-11-15",
            "snapshot",
            json!({"entries": [entry("a", "Alpha", "r0"), entry("z", "Zeta", "r0")]}),
        ),
    );
    ingest_at(env, "2024-12-02T09:00:00Z", &first);
    ingest_at(env, "2024-12-12T09:00:00Z", &amendment);
    ingest_at(env, "2025-06-01T09:00:00Z", &correction);
    ingest_at(env, "2025-06-01T09:05:00Z", &backfill);
}

#[test]
fn a_correction_shows_in_as_of_but_not_known_at_before_it() {
    let env = Env::new();
    history(&env);
    // Everything recorded: the correction replaced the amendment of 2024-12-11.
    assert_eq!(
        ids(&env.json(&["as-of", "2024-12-31"])["entries"]),
        ["a", "b", "d"]
    );
    // What the store knew on 2025-01-01 about the same day: the first amendment.
    for moment in ["2025-01-01", "2025-01-01T00:00:00Z", "2024-12-12T09:00:00Z"] {
        assert_eq!(
            ids(&env.json(&["as-of", "2024-12-31", "--known-at", moment])["entries"]),
            ["a", "b", "c"],
            "known at {moment}"
        );
    }
    // The answer says which clock it used, on standard error (stdout stays machine-readable).
    let output = env
        .cmd(&[
            "as-of",
            "2024-12-31",
            "--known-at",
            "2025-01-01",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&output.stderr).contains(
            "as known at 2025-01-01T23:59:59.999999999Z: 2 of the 4 events had been recorded"
        ),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice::<Value>(&output.stdout).expect("JSON on stdout");
    // Just before the amendment was recorded, it was not known at all.
    assert_eq!(
        ids(&env.json(&["as-of", "2024-12-31", "--known-at", "2024-12-12T08:59:59Z"])["entries"]),
        ["a", "b"]
    );
    // since / diff / history under the same clock.
    let since = env.json(&["since", "2024-12-02", "--known-at", "2025-01-01"]);
    assert_eq!(ids(&since["added"]), ["c"]);
    let since_now = env.json(&["since", "2024-12-02"]);
    assert_eq!(ids(&since_now["added"]), ["d"]);
    let diff = env.json(&[
        "diff",
        "2024-12-01",
        "2024-12-31",
        "--known-at",
        "2025-01-01",
    ]);
    assert_eq!(ids(&diff["added"]), ["c"]);
    let history_then = env.ok(&["history", "Gamma", "--known-at", "2025-01-01"]);
    assert!(history_then.contains("Gamma"), "{history_then}");
    let history_now = env.json(&["history", "Gamma"]);
    let history_then_json = env.json(&["history", "Gamma", "--known-at", "2025-01-01"]);
    assert_ne!(history_now, history_then_json);
}

#[test]
fn a_later_backfill_does_not_change_earlier_known_at_answers() {
    let env = Env::new();
    history(&env);
    // The backfilled 2024-11-15 snapshot is part of the history now...
    assert_eq!(
        ids(&env.json(&["as-of", "2024-11-20"])["entries"]),
        ["a", "z"]
    );
    // ...but at any moment before it was recorded the store knew nothing of 2024-11.
    for moment in ["2024-12-02", "2025-01-01", "2025-06-01T09:04:59Z"] {
        let then = env.json(&["as-of", "2024-11-20", "--known-at", moment]);
        assert_eq!(
            ids(&then["entries"]),
            Vec::<String>::new(),
            "known at {moment}"
        );
    }
    // And the answers for December known on 2025-01-01 are the same before and after the
    // backfill and the correction were recorded: compare with a store that stopped there.
    let stopped = Env::new();
    let first = stopped.write(
        "1.json",
        native(
            "l",
            "2024-12-01",
            "snapshot",
            json!({"entries": [entry("a", "Alpha", "r1"), entry("b", "Beta", "r1")]}),
        ),
    );
    let amendment = stopped.write(
        "2.json",
        native(
            "l",
            "2024-12-11",
            "amendment",
            json!({"add": [entry("c", "Gamma", "human rights")]}),
        ),
    );
    ingest_at(&stopped, "2024-12-02T09:00:00Z", &first);
    ingest_at(&stopped, "2024-12-12T09:00:00Z", &amendment);
    for args in [
        vec!["as-of", "2024-12-31"],
        vec!["since", "2024-11-01"],
        vec!["diff", "2024-11-01", "2024-12-31"],
        vec!["history", "Alpha"],
    ] {
        let mut with_clock = args.clone();
        with_clock.extend(["--known-at", "2025-01-01"]);
        // The stopped store asked at the same moment (it knows everything by then), so that
        // both answers' bases are aged to the same day.
        assert_eq!(
            env.json(&with_clock),
            stopped.json(&with_clock),
            "{args:?} known at 2025-01-01"
        );
    }
}

#[test]
fn log_shows_both_clocks_and_what_a_correction_supersedes() {
    let env = Env::new();
    history(&env);
    let log = env.json(&["log"]);
    let events = log["events"].as_array().expect("events");
    assert_eq!(events.len(), 4);
    let recorded: Vec<&str> = events
        .iter()
        .map(|e| e["recorded"].as_str().unwrap())
        .collect();
    assert!(
        recorded[0].starts_with("2024-12-02T09:00:00"),
        "{recorded:?}"
    );
    assert!(
        recorded[3].starts_with("2025-06-01T09:05:00"),
        "{recorded:?}"
    );
    assert_eq!(events[2]["published"], "2024-12-11");
    assert_eq!(events[2]["corrects"], 2, "{}", events[2]);
    assert!(events[1]["corrects"].is_null());
    assert_eq!(events[1]["corrected_by"], 3, "{}", events[1]);
    assert_eq!(events[1]["counts"], false, "{}", events[1]);
    let table = env.ok(&["log"]);
    assert!(table.contains("2025-06-01"), "{table}");
}

#[test]
fn known_at_rejects_what_is_not_a_time() {
    let env = Env::new();
    history(&env);
    let output = env
        .cmd(&["as-of", "2024-12-31", "--known-at", "last tuesday"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("RFC 3339"), "{stderr}");
}

#[test]
fn the_recording_clock_never_goes_back() {
    let env = Env::new();
    let first = env.write(
        "1.json",
        native(
            "l",
            "2024-12-01",
            "snapshot",
            json!({"entries": [entry("a", "Alpha", "r")]}),
        ),
    );
    let second = env.write(
        "2.json",
        native(
            "l",
            "2024-12-02",
            "amendment",
            json!({"add": [entry("b", "Beta", "r")]}),
        ),
    );
    ingest_at(&env, "2025-01-02T00:00:00.123456789Z", &first);
    // A clock set back (a test clock here; a wrong system clock in life) records no earlier time.
    ingest_at(&env, "2025-01-01T00:00:00Z", &second);
    let log = env.json(&["log"]);
    let events = log["events"].as_array().unwrap();
    assert_eq!(events[0]["recorded"], events[1]["recorded"], "{log}");
    env.ok(&["verify"]);
}

/// Every answer under `--known-at` at moments between recordings of a history that grows (the
/// store's indexes capped answer) and of one with a later correction, retraction and
/// backfill (the replay answers): the same bytes, output and notes, as with the replay of the
/// log's prefix forced (`LISTDIFF_TEST_KNOWN_AT_REPLAY=1`, debug builds only).
#[test]
fn known_at_answers_as_the_forced_replay_of_the_prefix() {
    let env = Env::new();
    let write = |name: &str, list: &str, published: &str, kind: &str, body: Value| {
        env.write(name, native(list, published, kind, body))
    };
    let files = [
        (
            "2024-12-02T09:00:00Z",
            write(
                "1.json",
                "l",
                "2024-12-01",
                "snapshot",
                json!({"entries": [entry("a", "Alpha", "r1"), entry("b", "Beta", "r1")]}),
            ),
        ),
        (
            "2024-12-02T10:00:00Z",
            write(
                "2.json",
                "m",
                "2024-12-01",
                "snapshot",
                json!({"entries": [entry("x", "Xi", "r1")]}),
            ),
        ),
        (
            "2024-12-12T09:00:00Z",
            write(
                "3.json",
                "l",
                "2024-12-11",
                "amendment",
                json!({"add": [entry("c", "Gamma", "r2")], "amend": [entry("a", "Alpha Two", "r2")]}),
            ),
        ),
        (
            "2024-12-20T09:00:00Z",
            write(
                "4.json",
                "l",
                "2024-12-19",
                "snapshot",
                json!({"entries": [
                    entry("a", "Alpha Three", "r3"),
                    entry("b", "Beta", "r1"),
                    entry("c", "Gamma", "r2"),
                    entry("d", "Delta", "r3"),
                ]}),
            ),
        ),
        (
            "2024-12-21T09:00:00Z",
            write(
                "5.json",
                "m",
                "2024-12-20",
                "amendment",
                json!({"remove": ["x"], "add": [entry("y", "Ypsilon", "r3")]}),
            ),
        ),
    ];
    let moments = [
        "2024-12-02T09:30:00Z",
        "2024-12-12",
        "2024-12-20T09:00:00Z",
        "2024-12-21",
    ];
    let questions: Vec<Vec<&str>> = vec![
        vec!["as-of", "2024-12-01"],
        vec!["as-of", "2024-12-15"],
        vec!["as-of", "2024-12-31", "-o", "csv"],
        vec!["as-of", "2024-12-31", "--list", "l"],
        vec!["since", "2024-11-30"],
        vec!["since", "2024-12-12", "-o", "json"],
        vec!["diff", "2024-12-01", "2024-12-31", "-o", "json"],
        vec!["diff", "2024-12-12", "2024-12-31", "--list", "m"],
        vec!["history", "Alpha", "-o", "json"],
        vec!["history", "a"],
        vec!["lists", "-o", "json"],
        vec!["lists"],
    ];
    let compare = |env: &Env| {
        for moment in moments {
            for question in &questions {
                let mut args = question.clone();
                args.extend(["--known-at", moment]);
                let capped = env.cmd(&args).output().unwrap();
                let replayed = env
                    .cmd(&args)
                    .env("LISTDIFF_TEST_KNOWN_AT_REPLAY", "1")
                    .output()
                    .unwrap();
                assert_eq!(capped.status.code(), replayed.status.code(), "{args:?}");
                assert_eq!(
                    String::from_utf8_lossy(&capped.stdout),
                    String::from_utf8_lossy(&replayed.stdout),
                    "{args:?}"
                );
                assert_eq!(
                    String::from_utf8_lossy(&capped.stderr),
                    String::from_utf8_lossy(&replayed.stderr),
                    "{args:?}"
                );
            }
        }
    };
    for (now, file) in &files {
        ingest_at(&env, now, file);
    }
    compare(&env);
    // A correction of what was known, a retraction and a backfill, recorded later.
    let correction = write(
        "6.json",
        "l",
        "2024-12-11",
        "amendment",
        json!({"add": [entry("e", "Epsilon", "r2")]}),
    );
    ingest_at(&env, "2025-01-05T09:00:00Z", &correction);
    ok_at(
        &env,
        "2025-01-06T09:00:00Z",
        &["retract", "5", "--reason", "wrong file"],
    );
    let backfill = write(
        "7.json",
        "m",
        "2024-11-01",
        "snapshot",
        json!({"entries": [entry("w", "Omega", "r0")]}),
    );
    ingest_at(&env, "2025-01-07T09:00:00Z", &backfill);
    compare(&env);
}
