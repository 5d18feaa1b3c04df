//! The README's main job on the bundled snapshots/, and every command in every output format.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, ids, repo};
use serde_json::Value;

fn with_snapshots() -> Env {
    let env = Env::new();
    let out = env.ok(&["ingest", &repo("snapshots")]);
    assert!(out.contains("5 recorded, 0 already recorded"), "{out}");
    env
}

#[test]
fn since_december_shows_the_additions_the_removal_and_the_reason_change() {
    let env = with_snapshots();
    let out = env.ok(&["since", "2024-12-01"]);
    for name in [
        "Beijing Zhongdun Security Technology Group",
        "Zhejiang Uniview Technologies",
        "NtechLab",
        "Technology Videoanalysis",
    ] {
        assert!(out.contains(name), "missing {name} in:\n{out}");
    }
    assert!(out.contains(" -  cn-yitu"), "the removal is shown:\n{out}");
    assert!(out.contains("reason change"), "{out}");
    assert!(
        out.contains(
            "{+Presumption+} of [-denial for all other items subject to the EAR.-]{+denial.+}"
        ),
        "the licence policy change is shown word by word:\n{out}"
    );
    assert!(out.contains("citations: {+89 FR 96790, 12/4/24+}"), "{out}");
    assert!(
        out.ends_with("Since 2024-12-01 (through 2024-12-18): 4 publications; net 5 added, 1 removed, 2 changed (1 reason change)\n\
                       basis: us-bis-entity-list published 2024-12-18 (event 5), 393 days before 2026-01-15\n"),
        "the answer ends with the summary and what it stands on (aged to today):\n{out}"
    );
}

#[test]
fn colour_marks_words_instead_of_brackets() {
    let env = with_snapshots();
    let out = env.ok(&[
        "--color",
        "always",
        "since",
        "2024-12-04",
        "--until",
        "2024-12-04",
    ]);
    assert!(
        out.contains("\u{1b}["),
        "ANSI colour codes expected:\n{out}"
    );
    assert!(!out.contains("{+Presumption+}"), "{out}");
}

#[test]
fn since_json_has_the_documented_shape() {
    let env = with_snapshots();
    let v = env.json(&["since", "2024-12-01"]);
    assert_eq!(v["from"], "2024-12-01");
    assert_eq!(v["to"], "2024-12-18");
    assert_eq!(
        ids(&v["added"]),
        [
            "china peoples republic of/example vision analytics co ltd",
            "cn-uniview",
            "cn-zhongdun",
            "ru-ntechlab",
            "ru-technology-videoanalysis"
        ]
    );
    assert_eq!(ids(&v["removed"]), ["cn-yitu"]);
    assert_eq!(ids(&v["changed"]), ["cn-megvii", "cn-meiya-pico"]);
    let meiya = &v["changed"][1];
    assert_eq!(meiya["reason_changed"], true);
    assert_eq!(meiya["published"], "2024-12-04");
    assert_eq!(meiya["list"], "us-bis-entity-list");
    let fields: Vec<&str> = meiya["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["license_policy", "citations"]);
    assert_eq!(meiya["fields"][0]["after"], "Presumption of denial.");
    assert!(
        meiya["fields"][0]["words"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["op"] == "insert")
    );
    assert_eq!(v["changed"][0]["reason_changed"], false);
    let pubs = v["publications"].as_array().unwrap();
    assert_eq!(pubs.len(), 4);
    assert_eq!(pubs[1]["published"], "2024-12-11");
    assert_eq!(pubs[1]["event"], 3);
    assert_eq!(pubs[1]["source"], "89 FR 99999 (illustrative)");
    // The sample's last publication is a Federal Register rule, read as it is published: its
    // source is the rule's own citation and document number.
    assert_eq!(pubs[3]["published"], "2024-12-18");
    assert_eq!(pubs[3]["event"], 5);
    assert!(
        pubs[3]["source"]
            .as_str()
            .unwrap()
            .starts_with("89 FR 102010 (FR Doc. 2024-99999), effective 2024-12-18"),
        "{}",
        pubs[3]
    );
    assert_eq!(
        pubs[3]["added"],
        serde_json::json!(["china peoples republic of/example vision analytics co ltd"])
    );
    assert_eq!(pubs[1]["added"].as_array().unwrap().len(), 4);
    assert_eq!(pubs[2]["removed"], serde_json::json!(["cn-yitu"]));
}

#[test]
fn diff_as_of_history_and_log_in_json() {
    let env = with_snapshots();
    let d = env.json(&["diff", "2024-11-30", "2024-12-31"]);
    assert_eq!(
        (d["from"].as_str(), d["to"].as_str()),
        (Some("2024-11-30"), Some("2024-12-31"))
    );
    assert_eq!(d["added"].as_array().unwrap().len(), 5);
    assert_eq!(d["removed"][0]["entry"]["name"], "Yitu Technologies");
    assert_eq!(d["removed"][0]["published"], "2024-12-18");

    let before = env.json(&["as-of", "2024-11-30"]);
    let after = env.json(&["as-of", "2024-12-31"]);
    assert_eq!(before["as_of"], "2024-11-30");
    assert_eq!(before["entries"].as_array().unwrap().len(), 34);
    assert_eq!(after["entries"].as_array().unwrap().len(), 38);
    assert!(
        after["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["list"] == "us-bis-entity-list")
    );
    let empty = env.json(&["as-of", "2024-01-01"]);
    assert_eq!(empty["entries"], serde_json::json!([]));

    let h = env.json(&["history", "MEIYA"]);
    let entries = h["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["id"], "cn-meiya-pico");
    let changes: Vec<&str> = entries[0]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["change"].as_str().unwrap())
        .collect();
    assert_eq!(changes, ["baseline", "changed"]);
    let yitu = env.json(&["history", "cn-yitu"]);
    let versions = yitu["entries"][0]["versions"].as_array().unwrap();
    assert_eq!(versions.last().unwrap()["change"], "removed");
    assert_eq!(
        versions.last().unwrap()["entry"]["name"],
        "Yitu Technologies"
    );

    let log = env.json(&["log"]);
    let events = log["events"].as_array().unwrap();
    assert_eq!(events.len(), 5);
    for key in [
        "seq",
        "list",
        "published",
        "recorded",
        "kind",
        "source",
        "sha256",
        "added",
        "removed",
        "changed",
    ] {
        assert!(events[0].get(key).is_some(), "log events have {key}");
    }
    assert_eq!(events[2]["added"], 4);
    assert_eq!(events[0]["recorded"], "2026-01-15T09:30:00Z");
    assert_eq!(events[0]["sha256"].as_str().unwrap().len(), 64);
}

/// Every query command in every output format prints something well-formed.
#[test]
fn every_command_in_every_output_format() {
    let env = with_snapshots();
    let old = repo("snapshots/us-bis-entity-list/2024-11-15-snapshot.json");
    let new = repo("snapshots/us-bis-entity-list/2024-12-11-amendment.json");
    let commands: Vec<Vec<&str>> = vec![
        vec!["since", "2024-12-01"],
        vec!["diff", "2024-11-30", "2024-12-31"],
        vec!["as-of", "2024-12-31"],
        vec!["history", "uniview"],
        vec!["log"],
        vec!["compare", &old, &new],
    ];
    for command in &commands {
        for format in ["table", "json", "ndjson", "csv"] {
            let mut args = command.clone();
            args.extend(["-o", format]);
            let out = env.ok(&args);
            assert!(!out.trim().is_empty(), "{args:?} printed nothing");
            match format {
                "json" => {
                    serde_json::from_str::<Value>(&out).unwrap_or_else(|e| panic!("{args:?}: {e}"));
                }
                "ndjson" => {
                    for line in out.lines() {
                        let v: Value = serde_json::from_str(line)
                            .unwrap_or_else(|e| panic!("{args:?}: {e}: {line}"));
                        assert!(v.is_object());
                    }
                }
                "csv" => {
                    let mut reader = csv::Reader::from_reader(out.as_bytes());
                    let width = reader.headers().unwrap().len();
                    let rows: Vec<csv::StringRecord> =
                        reader.records().map(|r| r.unwrap()).collect();
                    assert!(!rows.is_empty(), "{args:?} printed no CSV rows");
                    assert!(rows.iter().all(|r| r.len() == width));
                }
                _ => {}
            }
        }
    }
}

#[test]
fn ndjson_and_csv_carry_the_changes() {
    let env = with_snapshots();
    let lines = env.ok(&["since", "2024-12-01", "-o", "ndjson"]);
    let lines: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (basis, changes): (Vec<Value>, Vec<Value>) =
        lines.into_iter().partition(|l| l.get("basis").is_some());
    assert_eq!(changes.len(), 8, "one line per change per publication");
    assert_eq!(basis.len(), 1, "then one basis line per list");
    assert_eq!(basis[0]["basis"]["event"], 5);
    assert!(changes.iter().any(|c| c["change"] == "removed"
        && c["id"] == "cn-yitu"
        && c["source"] == "89 FR 102000 (illustrative)"));

    let csv_text = env.ok(&["diff", "2024-11-30", "2024-12-31", "-o", "csv"]);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "change",
            "list",
            "id",
            "name",
            "published",
            "event",
            "reason_changed",
            "field",
            "before",
            "after",
            "previous_id"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let policy = rows
        .iter()
        .find(|r| &r[7] == "license_policy")
        .expect("a licence policy row");
    assert_eq!(&policy[2], "cn-meiya-pico");
    assert_eq!(&policy[6], "true");
    assert_eq!(&policy[9], "Presumption of denial.");

    let as_of = env.ok(&["as-of", "2024-12-31", "-o", "csv"]);
    assert_eq!(as_of.lines().count(), 39, "header and 38 entries");
}

#[test]
fn table_output_for_as_of_history_and_log() {
    let env = with_snapshots();
    let as_of = env.ok(&["as-of", "2024-12-31"]);
    assert!(as_of.contains("Zhejiang Uniview Technologies"), "{as_of}");
    assert!(
        as_of.ends_with(
            "38 entries in force at the end of 2024-12-31\n\
             basis: us-bis-entity-list published 2024-12-18 (event 5), 13 days before 2024-12-31\n"
        ),
        "{as_of}"
    );
    let history = env.ok(&["history", "megvii"]);
    assert!(
        history.contains("us-bis-entity-list · cn-megvii · Megvii Technology"),
        "{history}"
    );
    assert!(history.contains("addresses: [-"), "{history}");
    let log = env.ok(&["log"]);
    assert!(
        log.contains("89 FR 99999 (illustrative)") && log.ends_with("5 events recorded\n"),
        "{log}"
    );
    let formats = env.ok(&["formats"]);
    for name in ["native", "csl-csv", "csl-json", "ofac-sdn-csv"] {
        assert!(formats.contains(name), "{formats}");
    }
}

#[test]
fn list_filter_and_unknown_lists() {
    let env = with_snapshots();
    let v = env.json(&["since", "2024-12-01", "--list", "us-bis-entity-list"]);
    assert_eq!(v["added"].as_array().unwrap().len(), 5);
    let out = env
        .cmd(&["since", "2024-12-01", "--list", "us-csl-el"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("no list us-csl-el in the store") && stderr.contains("us-bis-entity-list"),
        "{stderr}"
    );
}

#[test]
fn exit_code_reports_changes() {
    let env = with_snapshots();
    env.cmd(&["since", "2024-12-01", "--exit-code"])
        .assert()
        .code(1);
    env.cmd(&["since", "2025-01-01", "--exit-code"])
        .assert()
        .code(0);
    env.cmd(&["diff", "2024-11-30", "2024-12-31", "--exit-code"])
        .assert()
        .code(1);
    env.cmd(&["diff", "2024-12-19", "2024-12-31", "--exit-code"])
        .assert()
        .code(0);
    let snapshot = repo("snapshots/us-bis-entity-list/2024-11-15-snapshot.json");
    env.cmd(&["compare", &snapshot, &snapshot, "--exit-code"])
        .assert()
        .code(0);
}
