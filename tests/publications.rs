//! What a publication is (issue 11, item 1): identity, publication times, corrections in place,
//! `--corrects`, `--source`, and the guard against publications dated in the future; through the
//! binary.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, RealData, ids};
use serde_json::{Value, json};

/// One native publication as a line of JSON.
fn line(value: Value) -> String {
    format!("{value}\n")
}

/// The example of the issue: a snapshot, then two rules amending the list on one day.
fn two_rules_of_one_day(env: &Env) -> [String; 3] {
    let snapshot = env.write(
        "a.json",
        line(
            json!({"list": "x", "published": "2024-12-02", "kind": "snapshot",
            "entries": [{"id": "a", "name": "A"}]}),
        ),
    );
    let first = env.write(
        "b.json",
        line(
            json!({"list": "x", "published": "2024-12-05", "kind": "amendment",
            "source": "89 FR 1", "add": [{"id": "b", "name": "B"}]}),
        ),
    );
    let second = env.write(
        "c.json",
        line(
            json!({"list": "x", "published": "2024-12-05", "kind": "amendment",
            "source": "89 FR 2", "add": [{"id": "c", "name": "C"}]}),
        ),
    );
    [snapshot, first, second]
}

fn events(env: &Env) -> Vec<Value> {
    env.json(&["log"])["events"].as_array().unwrap().clone()
}

/// Runs a command that must fail with `code`; returns its standard error.
fn fails(env: &Env, args: &[&str], code: i32) -> String {
    let output = env.cmd(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
    stderr
}

#[test]
fn two_rules_of_one_day_both_count_and_a_third_with_the_first_ones_source_corrects_it_in_place() {
    let env = Env::new();
    let [snapshot, first, second] = two_rules_of_one_day(&env);
    env.ok(&["ingest", &snapshot, &first, &second]);
    assert_eq!(
        ids(&env.json(&["as-of", "2024-12-06"])["entries"]),
        ["a", "b", "c"]
    );
    let log = events(&env);
    assert_eq!(log.len(), 3);
    for event in &log {
        assert!(event["corrects"].is_null(), "{event}");
        assert_eq!(event["counts"], true, "{event}");
    }
    assert_eq!(
        log[2]["identity"],
        json!({"list": "x", "published": "2024-12-05", "kind": "amendment", "source": "89 FR 2"})
    );
    assert!(!env.ok(&["log"]).contains("corrects"));

    // A corrected 89 FR 1: it adds b2 (not b), and states c too, which the second rule, folded
    // after it, states again as it did.
    let corrected = env.write(
        "b2.json",
        line(json!({"list": "x", "published": "2024-12-05", "kind": "amendment",
            "source": "89 FR 1", "add": [{"id": "b2", "name": "B2"}, {"id": "c", "name": "C by 89 FR 1"}]})),
    );
    let out = env.ok(&["ingest", &corrected]);
    assert!(
        out.contains("recorded event 4") && out.contains("corrects event 2"),
        "{out}"
    );
    let state = env.json(&["as-of", "2024-12-06"]);
    assert_eq!(ids(&state["entries"]), ["a", "b2", "c"]);
    assert_eq!(
        state["entries"][2]["name"], "C",
        "event 3's c stays, folded after"
    );
    let log = events(&env);
    assert_eq!(log[3]["corrects"], 2);
    assert_eq!(
        (log[1]["counts"].clone(), log[1]["corrected_by"].clone()),
        (json!(false), json!(4))
    );
    // since: the correction in the first rule's place, then the second rule.
    let since = env.json(&["since", "2024-12-03"]);
    let order: Vec<u64> = since["publications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["event"].as_u64().unwrap())
        .collect();
    assert_eq!(order, [4, 3]);
    // Both stay in the log, the log still verifies and replays.
    assert!(env.ok(&["verify"]).contains("checked 4 events"));
    assert!(env.ok(&["rebuild"]).contains("from 4 events"));
    // The same bytes again record nothing.
    let again = env.ok(&["ingest", &second]);
    assert!(again.contains("0 recorded, 1 already recorded"), "{again}");
}

#[test]
fn an_amendment_without_a_source_is_named_by_its_file_and_source_sets_it() {
    let env = Env::new();
    let snapshot = env.write(
        "a.json",
        line(
            json!({"list": "x", "published": "2024-12-02", "kind": "snapshot",
            "entries": [{"id": "a", "name": "A"}]}),
        ),
    );
    let rule = |dir: &str, id: &str| {
        env.write(
            &format!("{dir}/rule.json"),
            line(
                json!({"list": "x", "published": "2024-12-05", "kind": "amendment",
                "add": [{"id": id, "name": id}]}),
            ),
        )
    };
    let (one, two) = (rule("one", "b"), rule("two", "c"));
    env.ok(&["ingest", &snapshot, &one]);
    let log = events(&env);
    assert_eq!(
        log[1]["source"], "rule.json",
        "the file name, not the path typed"
    );
    // The same file name from another directory is the same identity: a correction...
    let out = env.ok(&["ingest", &two]);
    assert!(out.contains("corrects event 2"), "{out}");
    // ...unless --source tells it apart.
    let three = env.write(
        "three.json",
        line(
            json!({"list": "x", "published": "2024-12-05", "kind": "amendment",
            "add": [{"id": "d", "name": "D"}]}),
        ),
    );
    let out = env.ok(&["ingest", "--source", "89 FR 99999", &three]);
    assert!(
        out.contains("(89 FR 99999)") && !out.contains("corrects"),
        "{out}"
    );
    assert_eq!(
        ids(&env.json(&["as-of", "2024-12-05"])["entries"]),
        ["a", "c", "d"]
    );
    // --source names one publication.
    let error = fails(&env, &["ingest", "--source", "89 FR 1", &one, &three], 2);
    assert!(
        error.contains("--source names one publication, but this ingest holds 2"),
        "{error}"
    );
    // An amendment on standard input with no source of its own needs --source.
    let output = env
        .cmd(&["ingest", "-"])
        .write_stdin(line(
            json!({"list": "x", "published": "2024-12-06", "kind": "amendment",
            "add": [{"id": "e", "name": "E"}]}),
        ))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("give --source TEXT"), "{stderr}");
    let output = env
        .cmd(&["ingest", "--source", "90 FR 1", "-"])
        .write_stdin(line(
            json!({"list": "x", "published": "2024-12-06", "kind": "amendment",
            "add": [{"id": "e", "name": "E"}]}),
        ))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let error = fails(&env, &["ingest", "--source", " ", &three], 2);
    assert!(error.contains("the source is empty"), "{error}");
}

#[test]
fn two_snapshots_of_one_day_with_times_are_two_publications() {
    let env = Env::new();
    let snapshot = |name: &str, entries: Value| {
        env.write(
            name,
            line(
                json!({"list": "s", "published": "2021-08-20", "kind": "snapshot",
                "entries": entries}),
            ),
        )
    };
    let before = env.write(
        "before.json",
        line(
            json!({"list": "s", "published": "2021-08-19", "kind": "snapshot",
            "entries": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}]}),
        ),
    );
    let early = snapshot(
        "early.json",
        json!([{"id": "a", "name": "A"}, {"id": "c", "name": "C"}]),
    );
    let late = snapshot(
        "late.json",
        json!([{"id": "a", "name": "A2"}, {"id": "d", "name": "D"}]),
    );
    env.ok(&["ingest", &before]);
    // Recorded late first: the fold goes by time.
    env.ok(&[
        "ingest",
        "--allow-drop",
        "--published",
        "2021-08-20T18:50:00Z",
        &late,
    ]);
    let out = env.ok(&[
        "ingest",
        "--allow-drop",
        "--published",
        "2021-08-20T01:38:00Z",
        &early,
    ]);
    assert!(
        out.contains("s 2021-08-20T01:38:00Z snapshot") && !out.contains("corrects"),
        "{out}"
    );
    let log = events(&env);
    let published: Vec<&str> = log
        .iter()
        .map(|e| e["published"].as_str().unwrap())
        .collect();
    assert_eq!(
        published,
        ["2021-08-19", "2021-08-20T18:50:00Z", "2021-08-20T01:38:00Z"]
    );
    assert_eq!(
        ids(&env.json(&["as-of", "2021-08-20"])["entries"]),
        ["a", "d"]
    );
    let diff = env.json(&["diff", "2021-08-19", "2021-08-20"]);
    assert_eq!(ids(&diff["added"]), ["d"]);
    assert_eq!(ids(&diff["removed"]), ["b"]);
    assert_eq!(ids(&diff["changed"]), ["a"]);
    // A date alone sorts before the times of its day.
    let day = snapshot("day.json", json!([{"id": "z", "name": "Z"}]));
    env.ok(&["ingest", "--allow-drop", &day]);
    assert_eq!(
        ids(&env.json(&["as-of", "2021-08-20"])["entries"]),
        ["a", "d"]
    );
    let since = env.json(&["since", "2021-08-20"]);
    let order: Vec<&str> = since["publications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["published"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        ["2021-08-20", "2021-08-20T01:38:00Z", "2021-08-20T18:50:00Z"]
    );
    // A time with an offset other than UTC is refused.
    let error = fails(
        &env,
        &["ingest", "--published", "2021-08-20T18:50:00+02:00", &late],
        2,
    );
    assert!(error.contains("not in UTC"), "{error}");
}

#[test]
fn the_sdn_scrapes_of_one_day_hours_apart_are_two_publications() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    let history = real.file("ofac-sdn/history/ofac-sdn-csv-history_2021-08-18_2024-05-03.tar.xz");
    let names = [
        "2021-08-18T093901Z_sdn.csv",
        "2021-08-20T013811Z_sdn.csv",
        "2021-08-20T185052Z_sdn.csv",
    ];
    let mut tar = std::process::Command::new("tar");
    tar.arg("-xJf").arg(&history).arg("-C").arg(env.dir.path());
    for name in names {
        tar.arg(format!("sdn-csv-history/{name}"));
    }
    assert!(tar.status().unwrap().success(), "tar extracts the scrapes");
    let dir = env.dir.path().join("sdn-csv-history");
    let dir = dir.to_str().unwrap();
    env.ok(&["ingest", dir]);
    let log = events(&env);
    let published: Vec<&str> = log
        .iter()
        .map(|e| e["published"].as_str().unwrap())
        .collect();
    // The time each scrape's name writes after its date, in UTC.
    assert_eq!(
        published,
        [
            "2021-08-18T09:39:01Z",
            "2021-08-20T01:38:11Z",
            "2021-08-20T18:50:52Z"
        ]
    );
    assert!(
        log.iter()
            .all(|e| e["corrects"].is_null() && e["counts"] == true)
    );
    // As of the day, the later scrape: its 9115 records (MANIFEST.csv).
    let late = format!("{dir}/{}", names[2]);
    let as_of = env.json(&["as-of", "2021-08-20"]);
    assert_eq!(as_of["entries"].as_array().unwrap().len(), 9115);
    // The day's net change is the difference between the day before's scrape and the later one.
    let diff = env.json(&["diff", "2021-08-19", "2021-08-20"]);
    let compared = env.json(&["compare", &format!("{dir}/{}", names[0]), &late]);
    for key in ["added", "removed", "changed"] {
        assert_eq!(ids(&diff[key]), ids(&compared[key]), "{key}");
    }
    assert_eq!(
        (ids(&diff["added"]).len(), ids(&diff["changed"]).len()),
        (32, 36)
    );
}

#[test]
fn corrects_replaces_an_event_whatever_its_identity() {
    let env = Env::new();
    let [snapshot, first, second] = two_rules_of_one_day(&env);
    env.ok(&["ingest", &snapshot, &first, &second]);
    // 89 FR 2 was really of 2024-12-09, with d instead of c.
    let fixed = env.write(
        "fixed.json",
        line(
            json!({"list": "x", "published": "2024-12-09", "kind": "amendment",
            "source": "89 FR 2 (as corrected)", "add": [{"id": "d", "name": "D"}]}),
        ),
    );
    let out = env.ok(&["ingest", "--corrects", "3", &fixed]);
    assert!(out.contains("corrects event 3"), "{out}");
    assert_eq!(
        ids(&env.json(&["as-of", "2024-12-06"])["entries"]),
        ["a", "b"]
    );
    assert_eq!(
        ids(&env.json(&["as-of", "2024-12-09"])["entries"]),
        ["a", "b", "d"]
    );
    let log = events(&env);
    assert_eq!(
        (log[3]["corrects"].clone(), log[2]["corrected_by"].clone()),
        (json!(3), json!(4))
    );
    // What it cannot correct, and an ingest of several publications.
    let error = fails(&env, &["ingest", "--corrects", "9", &fixed], 2);
    assert!(error.contains("there is no event 9"), "{error}");
    let other = env.write(
        "other.json",
        line(
            json!({"list": "y", "published": "2024-12-09", "kind": "snapshot",
            "entries": [{"id": "y", "name": "Y"}]}),
        ),
    );
    let error = fails(&env, &["ingest", "--corrects", "1", &other], 2);
    assert!(error.contains("is a publication of x, not of y"), "{error}");
    let error = fails(&env, &["ingest", "--corrects", "1", &fixed, &other], 2);
    assert!(
        error.contains("--corrects names one publication"),
        "{error}"
    );
    env.ok(&["retract", "2", "--reason", "test"]);
    let error = fails(&env, &["ingest", "--corrects", "5", &fixed], 2);
    assert!(error.contains("event 5 is a retraction"), "{error}");
    assert!(env.ok(&["verify"]).contains("checked 5 events"));
}

#[test]
fn a_publication_dated_more_than_a_day_after_now_is_refused_unless_allowed() {
    let env = Env::new();
    // The tests' clock is 2026-01-15T09:30:00Z.
    let snapshot = |published: &str| {
        env.write(
            &format!("{published}.json"),
            line(
                json!({"list": "s", "published": "2024-05-03", "kind": "snapshot",
                "entries": [{"id": "a", "name": "A"}]}),
            ),
        )
    };
    let file = snapshot("s");
    let before = env.fingerprint();
    let error = fails(&env, &["ingest", "--published", "2042-05-03", &file], 2);
    assert!(
        error.contains("dated 2042-05-03, more than a day after now")
            && error.contains("--allow-future"),
        "{error}"
    );
    assert_eq!(env.fingerprint(), before, "nothing was recorded");
    // A day ahead (a publisher east of UTC) is not refused; a time just past it is.
    env.ok(&["ingest", "--published", "2026-01-16", &file]);
    fails(
        &env,
        &["ingest", "--published", "2026-01-16T09:30:01Z", &file],
        2,
    );
    env.ok(&[
        "ingest",
        "--allow-future",
        "--published",
        "2042-05-03",
        &file,
    ]);
    assert!(
        env.ok(&["since", "2042-05-03"])
            .contains("through 2042-05-03")
    );
}
