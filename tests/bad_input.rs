//! Bad input is refused with a message naming the file and where in it, exit code 2, and the
//! store exactly as it was; a store in use is refused at once with exit code 3.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use std::time::Duration;

use common::{Env, native, repo};
use serde_json::json;

/// Runs `ingest FILE...` expecting a refusal that names `must_mention`, and checks the store
/// did not change by a single byte.
fn refused(env: &Env, files: &[&str], must_mention: &[&str]) -> String {
    let before = env.fingerprint();
    let mut args = vec!["ingest"];
    args.extend(files);
    let output = env
        .cmd(&args)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        output.status.code(),
        Some(2),
        "expected exit 2 for {files:?}; stderr: {stderr}"
    );
    for text in must_mention {
        assert!(
            stderr.contains(text),
            "stderr should mention {text:?}: {stderr}"
        );
    }
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one clear line: {stderr}"
    );
    assert_eq!(env.fingerprint(), before, "the store changed");
    stderr
}

/// An env with the sample history already recorded.
fn recorded() -> Env {
    let env = Env::new();
    env.ok(&["ingest", &repo("snapshots")]);
    env
}

#[test]
fn malformed_json_names_the_line_and_column() {
    let env = recorded();
    let file = env.write("bad.json", "{\"list\": \"l\", \"kind\": \"snapshot\",\n \"entries\": [{\"id\": \"a\" \"name\": \"A\"}]}");
    refused(&env, &[&file], &[&file, ":2:", "expected"]);
}

#[test]
fn a_truncated_file_is_refused() {
    let env = recorded();
    let whole = std::fs::read_to_string(repo(
        "snapshots/us-bis-entity-list/2024-12-11-amendment.json",
    ))
    .unwrap();
    let file = env.write("cut.json", &whole[..whole.len() / 2]);
    refused(&env, &[&file], &[&file, "truncated"]);
}

#[test]
fn an_empty_file_is_refused_and_creates_no_store() {
    let env = Env::new();
    let file = env.write("empty.csv", "");
    refused(&env, &[&file], &[&file, "empty"]);
    assert!(!env.store().exists(), "bad input must not create a store");
    let blank = env.write("blank.json", " \n\t\n");
    refused(&env, &[&blank], &[&blank, "empty"]);
}

#[test]
fn dates_that_do_not_parse_are_refused() {
    let env = recorded();
    let file = env.write(
        "d.json",
        native("l", "2024-02-30", "snapshot", json!({"entries": []})),
    );
    refused(&env, &[&file], &[&file, "\"2024-02-30\" is not a date"]);
    let good = env.write(
        "g.json",
        native("l", "2024-02-01", "snapshot", json!({"entries": []})),
    );
    let before = env.fingerprint();
    let out = env
        .cmd(&["ingest", "--published", "2024-13-01", &good])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("\"2024-13-01\" is not a valid date: there is no month 13")
    );
    assert_eq!(env.fingerprint(), before);
    let entry_date = env.write(
        "e.json",
        native(
            "l",
            "2024-02-01",
            "snapshot",
            json!({"entries": [{"id": "a", "name": "A", "listed_on": "01/02/2020"}]}),
        ),
    );
    refused(
        &env,
        &[&entry_date],
        &[&entry_date, "\"01/02/2020\" is not a date"],
    );
}

#[test]
fn a_snapshot_with_duplicate_ids_is_refused() {
    let env = recorded();
    let file = env.write(
        "dup.json",
        native("l", "2024-12-01", "snapshot", json!({"entries": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}, {"id": "a", "name": "A again"}]})),
    );
    refused(
        &env,
        &[&file],
        &[&file, "record 3", "duplicate id \"a\"", "record 1"],
    );
}

#[test]
fn an_unknown_format_is_refused() {
    let env = recorded();
    let file = env.write("notes.txt", "Minutes of the End-User Review Committee\n");
    refused(
        &env,
        &[&file],
        &[&file, "unknown format", "listdiff formats"],
    );
    let json_file = env.write("other.json", "{\"data\": [1, 2, 3]}");
    refused(&env, &[&json_file], &[&json_file, "unknown format"]);
    let forced = env.write("x.json", "{\"list\": \"l\"}");
    let out = env
        .cmd(&["ingest", "--format", "xml", &forced])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown format \"xml\""));
}

#[test]
fn malformed_csv_names_the_line() {
    let env = recorded();
    let csl = env.write(
        "2024-12-01/consolidated.csv",
        "_id,source,entity_number,type,programs,name,federal_register_notice\n\"1\",\"Entity List (EL) - Bureau of Industry and Security\",\"\",\"\",\"\",\"Acme\",\"89 FR 1\"\n\"2\",\"Entity List (EL) - Bureau of Industry and Security\",\"\"\n",
    );
    refused(&env, &[&csl], &[&csl, ":3"]);
    let sdn = env.write(
        "2024-12-01/sdn.csv",
        "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n173,\"ANGLO-CARIBBEAN CO., LTD.\",-0- \r\n",
    );
    refused(&env, &[&sdn], &[&sdn, ":2", "12 fields"]);
}

#[test]
fn one_bad_file_among_several_records_nothing() {
    let env = recorded();
    let good = env.write(
        "good.json",
        native(
            "l",
            "2024-12-01",
            "snapshot",
            json!({"entries": [{"id": "a", "name": "A"}]}),
        ),
    );
    let bad = env.write(
        "bad.json",
        native(
            "l",
            "2024-12-02",
            "snapshot",
            json!({"entries": [{"id": "a"}]}),
        ),
    );
    refused(&env, &[&good, &bad], &[&bad, "missing field `name`"]);
    let dir = env.dir.path().join("mixed");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(&good, dir.join("1.json")).unwrap();
    std::fs::write(
        dir.join("2.json"),
        "{\"list\": \"l\", \"kind\": \"snapshot\", \"entries\": [",
    )
    .unwrap();
    refused(&env, &[dir.to_str().unwrap()], &["2.json", "truncated"]);
}

#[test]
fn an_ofac_companion_alone_is_refused_with_advice() {
    let env = recorded();
    let alt = env.write("alt.csv", "36,12,\"aka\",\"AERO-CARIBBEAN\",-0- \r\n");
    refused(&env, &[&alt], &[&alt, "companion", "sdn.csv"]);
}

#[test]
fn a_missing_file_is_refused() {
    let env = recorded();
    let missing = env.dir.path().join("nope.json");
    refused(
        &env,
        &[missing.to_str().unwrap()],
        &["nope.json", "cannot read"],
    );
}

#[test]
fn a_store_in_use_is_refused_at_once() {
    let env = recorded();
    let held = listdiff::store::Store::open(&env.store(), listdiff::store::Access::Read).unwrap();
    // --wait 0: by default a command waits for the store (tests/concurrency.rs).
    for args in [
        vec!["--wait", "0", "log"],
        vec!["--wait", "0", "ingest", &repo("snapshots")],
        vec!["--wait", "0", "since", "2024-12-01"],
    ] {
        let out = env
            .cmd(&args)
            .timeout(Duration::from_secs(30))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains("is in use by another listdiff process"),
            "{stderr}"
        );
    }
    drop(held);
    env.ok(&["log"]);
}

#[test]
fn a_missing_store_or_a_foreign_directory_is_a_store_error() {
    let env = Env::new();
    let out = env.cmd(&["since", "2024-12-01"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no listdiff store at"));
    assert!(!env.store().exists(), "reading must not create a store");
    std::fs::create_dir_all(env.store()).unwrap();
    std::fs::write(env.store().join("thesis.docx"), "mine").unwrap();
    let out = env.cmd(&["ingest", &repo("snapshots")]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a listdiff store"));
}

/// `compare` of two files holding different lists (issue 12 item 7) is refused, naming both
/// lists: every entry would otherwise show as removed and added. `--list` picks one list.
#[test]
fn compare_of_two_different_lists_is_refused_unless_list_picks_one() {
    let env = Env::new();
    let old = env.write(
        "el.json",
        native(
            "us-bis-entity-list",
            "2024-12-01",
            "snapshot",
            json!({"entries": [{"id": "a", "name": "Acme"}]}),
        ),
    );
    let new = env.write(
        "un.json",
        native(
            "un-sc",
            "2024-12-02",
            "snapshot",
            json!({"entries": [{"id": "QDi.1", "name": "Someone"}]}),
        ),
    );
    let output = env.cmd(&["compare", &old, &new]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("holds us-bis-entity-list")
            && stderr.contains("holds un-sc")
            && stderr.contains("different lists")
            && stderr.contains("--list"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
    // Picking a list compares that list.
    let picked = env.json(&["compare", "--list", "un-sc", &old, &new]);
    assert_eq!(picked["added"][0]["id"], "QDi.1", "{picked}");
    // Two publications of one list still compare.
    let later = env.write(
        "el-2.json",
        native(
            "us-bis-entity-list",
            "2024-12-02",
            "snapshot",
            json!({"entries": [{"id": "b", "name": "Beta"}]}),
        ),
    );
    let same_list = env.json(&["compare", &old, &later]);
    assert_eq!(same_list["added"][0]["id"], "b", "{same_list}");
}
