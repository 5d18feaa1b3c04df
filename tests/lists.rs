//! `listdiff lists` (issue 11 item 5): per list in the store, the entries in force, its first
//! and latest publication dates, how many publications, when it was last recorded and its
//! formats; `--as-of DATE` gives them as they stood then. In every output format.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, RealData, count, native, repo};
use serde_json::{Value, json};

fn entry(id: &str, name: &str) -> Value {
    json!({"id": id, "name": name})
}

/// The sample history (us-bis-entity-list, four publications) and a list `l` whose snapshot
/// of 2024-12-02 is corrected (same date, other bytes) a month later.
fn history() -> Env {
    let env = Env::new();
    env.ok(&["ingest", &repo("snapshots")]);
    let first = env.write(
        "a/l.json",
        native(
            "l",
            "2024-12-02",
            "snapshot",
            json!({"entries": [entry("a", "Alpha"), entry("x", "Wrong")]}),
        ),
    );
    env.ok(&["ingest", &first]);
    let fixed = env.write(
        "b/l.json",
        native(
            "l",
            "2024-12-02",
            "snapshot",
            json!({"entries": [entry("a", "Alpha")]}),
        ),
    );
    env.cmd(&["ingest", &fixed])
        .env("LISTDIFF_NOW", "2026-02-15T10:00:00Z")
        .assert()
        .success();
    env
}

#[test]
fn lists_sums_up_every_list_in_every_format() {
    let env = history();
    let v = env.json(&["lists"]);
    assert_eq!(
        v,
        json!({"as_of": null, "lists": [
            {"list": "l", "entries": 1, "first_published": "2024-12-02",
             "last_published": "2024-12-02", "publications": 1,
             "last_recorded": "2026-02-15T10:00:00Z", "formats": ["native"]},
            {"list": "us-bis-entity-list", "entries": 38, "first_published": "2024-11-15",
             "last_published": "2024-12-18", "publications": 5,
             "last_recorded": "2026-01-15T09:30:00Z", "formats": ["federal-register", "native"]},
        ]})
    );
    let table = env.ok(&["lists"]);
    assert!(
        table.contains(
            " us-bis-entity-list   38        2024-11-15        2024-12-18       5              2026-01-15 09:30:00   federal-register, native\n"
        ),
        "{table}"
    );
    assert!(
        table.ends_with("2 lists; entries in force after each list's latest publication\n"),
        "{table}"
    );
    let lines: Vec<Value> = env
        .ok(&["lists", "-o", "ndjson"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines, v["lists"].as_array().unwrap().clone());
    let csv_text = env.ok(&["lists", "-o", "csv"]);
    assert_eq!(
        csv_text,
        "list,entries,first_published,last_published,publications,last_recorded,formats\n\
         l,1,2024-12-02,2024-12-02,1,2026-02-15T10:00:00Z,native\n\
         us-bis-entity-list,38,2024-11-15,2024-12-18,5,2026-01-15T09:30:00Z,federal-register; native\n"
    );
}

#[test]
fn as_of_gives_the_counts_in_force_then() {
    let env = history();
    // At the end of every date, `lists` counts what `as-of` lists.
    for date in [
        "2024-11-14",
        "2024-11-15",
        "2024-12-03",
        "2024-12-04",
        "2024-12-11",
        "2024-12-17",
        "2024-12-18",
        "2025-01-01",
    ] {
        let lists = env.json(&["lists", "--as-of", date]);
        assert_eq!(lists["as_of"], date);
        for list in lists["lists"].as_array().unwrap() {
            let name = list["list"].as_str().unwrap();
            let as_of = env.json(&["as-of", date, "--list", name]);
            assert_eq!(
                list["entries"].as_u64().unwrap() as usize,
                count(&as_of, "entries"),
                "{name} at the end of {date}"
            );
        }
    }
    let then = env.json(&[
        "lists",
        "--as-of",
        "2024-12-04",
        "--list",
        "us-bis-entity-list",
    ]);
    assert_eq!(
        then["lists"][0],
        json!({"list": "us-bis-entity-list", "entries": 34, "first_published": "2024-11-15",
               "last_published": "2024-12-04", "publications": 2,
               "last_recorded": "2026-01-15T09:30:00Z", "formats": ["native"]})
    );
    // Before a list's first publication: no publication, no entries.
    let before = env.json(&["lists", "--as-of", "2024-11-01", "--list", "l"]);
    assert_eq!(
        before["lists"][0],
        json!({"list": "l", "entries": 0, "first_published": null, "last_published": null,
               "publications": 0, "last_recorded": null, "formats": []})
    );
    let table = env.ok(&["lists", "--as-of", "2024-12-04"]);
    assert!(
        table.ends_with("2 lists; entries in force and publications at the end of 2024-12-04\n"),
        "{table}"
    );
}

#[test]
fn known_at_lists_what_was_recorded_then() {
    let env = history();
    let then = env.json(&["lists", "--known-at", "2026-02-01"]);
    let l = &then["lists"][0];
    assert_eq!(l["entries"], 2, "before the correction");
    assert_eq!(l["last_recorded"], "2026-01-15T09:30:00Z");
    let now = env.json(&["lists", "--known-at", "2026-03-01"]);
    assert_eq!(now["lists"][0]["entries"], 1);
}

#[test]
fn lists_of_an_empty_or_missing_store() {
    let env = Env::new();
    let out = env.cmd(&["lists"]).assert().code(3);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("listdiff: error:"), "{stderr}");
    env.ok(&["ingest", &repo("snapshots")]);
    let unknown = env.cmd(&["lists", "--list", "nope"]).assert().code(2);
    let stderr = String::from_utf8_lossy(&unknown.get_output().stderr).into_owned();
    assert!(stderr.contains("no list nope in the store"), "{stderr}");
    let bad = env.cmd(&["lists", "--as-of", "last week"]).assert().code(2);
    let stderr = String::from_utf8_lossy(&bad.get_output().stderr).into_owned();
    assert!(stderr.contains("is not a date"), "{stderr}");
}

#[test]
fn max_age_flags_lists_not_published_lately() {
    let env = history();
    // Today (the tests' clock) is 2026-01-15: every list is over a year old.
    let out = env.cmd(&["lists", "--max-age", "30"]).assert().code(5);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains(
            "listdiff: warning: us-bis-entity-list: the answer stands on its publication of 2024-12-18 (event 5), 393 days before 2026-01-15"
        ),
        "{stderr}"
    );
    env.cmd(&["lists", "--as-of", "2024-12-20", "--max-age", "3"])
        .assert()
        .code(5);
    env.cmd(&["lists", "--as-of", "2024-12-20", "--max-age", "30"])
        .assert()
        .code(0);
}

#[test]
fn lists_on_real_publications() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    env.ok(&[
        "ingest",
        &real.file("ofac-sdn/2021-08-18"),
        &real.file("ofac-sdn/2021-12-22"),
        &real.file("ofac-sdn/2021-12-30"),
        &real.file("trade-csl/2023-11-30/consolidated.csv"),
    ]);
    let v = env.json(&["lists"]);
    let sdn = v["lists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["list"] == "us-ofac-sdn")
        .unwrap();
    assert_eq!(sdn["publications"], 3);
    assert_eq!(sdn["first_published"], "2021-08-18");
    assert_eq!(sdn["formats"], json!(["ofac-sdn-csv"]));
    for date in ["2021-08-18", "2021-12-22", "2021-12-30"] {
        let lists = env.json(&["lists", "--as-of", date, "--list", "us-ofac-sdn"]);
        let as_of = env.json(&["as-of", date, "--list", "us-ofac-sdn"]);
        assert_eq!(
            lists["lists"][0]["entries"].as_u64().unwrap() as usize,
            count(&as_of, "entries"),
            "{date}"
        );
    }
    assert_eq!(
        env.json(&["lists", "--as-of", "2021-08-18", "--list", "us-ofac-sdn"])["lists"][0]["entries"],
        9083
    );
    let csl = v["lists"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["list"].as_str().unwrap().starts_with("us-csl-"))
        .count();
    assert!(csl >= 10, "one line per CSL source list: {v}");
}
