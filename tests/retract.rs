//! Retraction (issue 11, item 2): `listdiff retract SEQ --reason TEXT` appends an event that
//! takes an earlier one back; nothing is deleted, and `--known-at`, `log`, `verify`, export and
//! import, checkpoints and proofs treat it like any other event; through the binary.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, ids};
use serde_json::{Value, json};

/// One native publication as a line of JSON.
fn line(value: Value) -> String {
    format!("{value}\n")
}

/// Runs a command at recording time `now` (RFC 3339); it must succeed. Returns its output.
fn at(env: &Env, now: &str, args: &[&str]) -> String {
    let output = env.cmd(args).env("LISTDIFF_NOW", now).output().unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Runs a command that must fail with `code`; returns its standard error.
fn fails(env: &Env, args: &[&str], code: i32) -> String {
    let output = env.cmd(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
    stderr
}

/// A snapshot of list `x` on 2024-12-02 (a, b), amendments on 2024-12-05 (adds c) and
/// 2024-12-09 (removes a), recorded on three days of December 2025.
fn history(env: &Env) {
    let snapshot = env.write(
        "s.json",
        line(
            json!({"list": "x", "published": "2024-12-02", "kind": "snapshot",
            "entries": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}]}),
        ),
    );
    let adds = env.write(
        "adds.json",
        line(
            json!({"list": "x", "published": "2024-12-05", "kind": "amendment",
            "source": "89 FR 1", "add": [{"id": "c", "name": "C"}]}),
        ),
    );
    let removes = env.write(
        "removes.json",
        line(
            json!({"list": "x", "published": "2024-12-09", "kind": "amendment",
            "source": "89 FR 2", "remove": ["a"]}),
        ),
    );
    at(env, "2025-12-01T09:00:00Z", &["ingest", &snapshot]);
    at(env, "2025-12-02T09:00:00Z", &["ingest", &adds]);
    at(env, "2025-12-03T09:00:00Z", &["ingest", &removes]);
}

#[test]
fn a_retracted_event_no_longer_counts_but_stays_in_the_log() {
    let env = Env::new();
    history(&env);
    let out = at(
        &env,
        "2025-12-04T09:00:00Z",
        &["retract", "2", "--reason", "not published: a draft"],
    );
    assert!(
        out.contains("recorded event 4: retraction of event 2 (x 2024-12-05 amendment, 89 FR 1): not published: a draft"),
        "{out}"
    );
    assert!(
        out.contains("the fold of x proceeds without it")
            && out.contains("answers for x change from 2024-12-05 on; just after its place: 0 added, 1 removed, 0 changed"),
        "{out}"
    );
    assert_eq!(ids(&env.json(&["as-of", "2024-12-09"])["entries"]), ["b"]);
    // The log shows both, with the reason.
    let log = env.json(&["log"]);
    let events = log["events"].as_array().unwrap();
    assert_eq!(events.len(), 4);
    assert_eq!(
        events[1]["retracted"],
        json!({"by": 4, "reason": "not published: a draft"})
    );
    assert_eq!(events[1]["counts"], false);
    assert_eq!(events[3]["kind"], "retraction");
    assert_eq!(events[3]["retracts"], 2);
    assert_eq!(events[3]["reason"], "not published: a draft");
    assert_eq!(events[3]["removed"], 1);
    let table = env.ok(&["log"]);
    assert!(
        table.contains("retracts event 2: not published: a draft")
            && table.contains("does not count: retracted by event 4 (not published: a draft)"),
        "{table}"
    );
    let csv = env.ok(&["log", "-o", "csv"]);
    assert!(
        csv.lines()
            .any(|l| l.starts_with("4,x,,") && l.contains(",2,not published: a draft,")),
        "{csv}"
    );
    // Known before the retraction, the event still counts.
    assert_eq!(
        ids(&env.json(&["as-of", "2024-12-09", "--known-at", "2025-12-03T12:00:00Z"])["entries"]),
        ["b", "c"]
    );
    let since = env.json(&["since", "2024-12-01"]);
    let events_seen: Vec<u64> = since["publications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["event"].as_u64().unwrap())
        .collect();
    // Event 1, the list's first publication, is its baseline (reported as such); event 2 no
    // longer counts.
    assert_eq!(events_seen, [3]);
    assert_eq!(since["baselines"][0]["event"], 1);
    // The log, its Merkle tree and the indexes check out; a proof of the retraction checks.
    assert!(env.ok(&["verify"]).contains("checked 4 events"));
    let checkpoint = env.dir.path().join("cp");
    let checkpoint = checkpoint.to_str().unwrap();
    env.ok(&["checkpoint", "-o", checkpoint]);
    let proof = env.dir.path().join("proof");
    let proof = proof.to_str().unwrap();
    env.ok(&["proof", "4", "-o", proof]);
    let checked = env.ok(&["verify-proof", proof, "--checkpoint", checkpoint]);
    assert!(
        checked.contains("kind       retraction") && checked.contains("retracts   2"),
        "{checked}"
    );
    // Ingesting it again records it anew: a new publication, counting again.
    let adds = env.dir.path().join("adds.json");
    let out = env.ok(&["ingest", adds.to_str().unwrap()]);
    assert!(out.contains("recorded event 5"), "{out}");
    assert_eq!(
        ids(&env.json(&["as-of", "2024-12-09"])["entries"]),
        ["b", "c"]
    );
}

#[test]
fn a_retraction_goes_through_export_and_import() {
    let env = Env::new();
    history(&env);
    at(
        &env,
        "2025-12-04T09:00:00Z",
        &["retract", "1", "--reason", "wrong file"],
    );
    let export = env.dir.path().join("log.jsonl");
    let export = export.to_str().unwrap();
    env.ok(&["export", "-o", export]);
    let text = std::fs::read_to_string(export).unwrap();
    assert!(
        text.contains(r#""kind":"retraction","retracts":1,"reason":"wrong file""#),
        "{text}"
    );
    let copy = Env::new();
    copy.ok(&["import", export]);
    for args in [
        vec!["as-of", "2024-12-09"],
        vec!["log"],
        vec!["since", "2024-12-01"],
        vec!["as-of", "2024-12-09", "--known-at", "2025-12-03T12:00:00Z"],
    ] {
        assert_eq!(copy.json(&args), env.json(&args), "{args:?}");
    }
    // Without the snapshot the amendments fold on an empty list.
    assert_eq!(ids(&copy.json(&["as-of", "2024-12-09"])["entries"]), ["c"]);
    assert!(copy.ok(&["verify"]).contains("checked 4 events"));
    // reparse reads every publication and leaves the retraction alone.
    let reparse = copy.ok(&["reparse"]);
    assert!(!reparse.contains("event 4"), "{reparse}");
}

#[test]
fn retracting_a_correction_brings_back_what_it_corrected() {
    let env = Env::new();
    history(&env);
    let corrected = env.write(
        "adds2.json",
        line(
            json!({"list": "x", "published": "2024-12-05", "kind": "amendment",
            "source": "89 FR 1", "add": [{"id": "d", "name": "D"}]}),
        ),
    );
    at(&env, "2025-12-04T09:00:00Z", &["ingest", &corrected]);
    assert_eq!(
        ids(&env.json(&["as-of", "2024-12-05"])["entries"]),
        ["a", "b", "d"]
    );
    let out = at(
        &env,
        "2025-12-05T09:00:00Z",
        &["retract", "4", "--reason", "the correction was wrong"],
    );
    assert!(
        out.contains(
            "event 2, the version of this publication it corrected, counts again in its place"
        ),
        "{out}"
    );
    assert_eq!(
        ids(&env.json(&["as-of", "2024-12-05"])["entries"]),
        ["a", "b", "c"]
    );
    // Retracting the earlier version, which does not count meanwhile, changes no answer.
    let corrected_again = env.write(
        "adds3.json",
        line(
            json!({"list": "x", "published": "2024-12-05", "kind": "amendment",
            "source": "89 FR 1", "add": [{"id": "e", "name": "E"}]}),
        ),
    );
    at(&env, "2025-12-06T09:00:00Z", &["ingest", &corrected_again]);
    let out = at(
        &env,
        "2025-12-07T09:00:00Z",
        &["retract", "2", "--reason", "superseded anyway"],
    );
    assert!(out.contains("event 2 did not count"), "{out}");
    assert_eq!(
        ids(&env.json(&["as-of", "2024-12-05"])["entries"]),
        ["a", "b", "e"]
    );
    assert!(env.ok(&["verify"]).contains("checked 7 events"));
}

#[test]
fn a_retraction_says_where_a_snapshot_ends_its_reach() {
    let env = Env::new();
    history(&env);
    let later = env.write(
        "later.json",
        line(
            json!({"list": "x", "published": "2024-12-20", "kind": "snapshot",
            "entries": [{"id": "b", "name": "B"}, {"id": "z", "name": "Z"}]}),
        ),
    );
    at(
        &env,
        "2025-12-04T09:00:00Z",
        &["ingest", "--allow-drop", &later],
    );
    let out = at(
        &env,
        "2025-12-05T09:00:00Z",
        &["retract", "1", "--reason", "wrong list"],
    );
    assert!(
        out.contains(
            "answers for x change from 2024-12-02 up to the snapshot of 2024-12-20 (event 4), which replaces the whole list; just after its place: 0 added, 2 removed, 0 changed"
        ),
        "{out}"
    );
    assert_eq!(ids(&env.json(&["as-of", "2024-12-19"])["entries"]), ["c"]);
    assert_eq!(
        ids(&env.json(&["as-of", "2024-12-20"])["entries"]),
        ["b", "z"]
    );
}

#[test]
fn what_cannot_be_retracted_is_refused_and_nothing_is_written() {
    let env = Env::new();
    history(&env);
    at(
        &env,
        "2025-12-04T09:00:00Z",
        &["retract", "3", "--reason", "r"],
    );
    // The log, byte for byte, and the indexes' answers.
    let state = || (env.ok(&["export"]), env.ok(&["verify"]));
    let before = state();
    for (seq, refusal) in [
        (
            "4",
            "event 4 is a retraction (of event 3): a retraction cannot be retracted; ingest the publication again instead",
        ),
        ("3", "event 3 is already retracted, by event 4"),
        ("9", "there is no event 9 to retract"),
        ("0", "there is no event 0 to retract"),
    ] {
        let error = fails(&env, &["retract", seq, "--reason", "again"], 2);
        assert!(error.contains(refusal), "{error}");
    }
    let error = fails(&env, &["retract", "2"], 2);
    assert!(error.contains("--reason"), "{error}");
    let error = fails(&env, &["retract", "2", "--reason", ""], 2);
    assert!(error.contains("the reason must say why"), "{error}");
    assert_eq!(state(), before);
}

#[test]
fn a_publication_recorded_with_a_wrong_date_is_taken_back() {
    let env = Env::new();
    let file = env.write(
        "sdn.json",
        line(
            json!({"list": "s", "published": "2024-05-03", "kind": "snapshot",
            "entries": [{"id": "a", "name": "A"}]}),
        ),
    );
    env.ok(&["ingest", &file]);
    env.ok(&[
        "ingest",
        "--allow-future",
        "--published",
        "2042-05-03",
        &file,
    ]);
    assert!(
        env.ok(&["since", "2024-05-01"])
            .contains("through 2042-05-03")
    );
    env.ok(&["retract", "2", "--reason", "mistyped --published"]);
    let since = env.ok(&["since", "2024-05-01"]);
    assert!(since.contains("through 2024-05-03"), "{since}");
}
