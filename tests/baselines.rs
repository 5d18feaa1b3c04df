//! Baselines (issue 11 item 3): the first publication of a list in a store is its baseline.
//! `since` and `diff` from before it report it as such, once per list, not as one addition per
//! entry; `history` marks the versions in force in it as `baseline`; additions after it are
//! additions. In every output format.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, count, ids, native};
use serde_json::{Value, json};

fn entry(id: &str, name: &str) -> Value {
    json!({"id": id, "name": name})
}

/// A list `l` with a baseline snapshot of 2024-12-02 ({a, b, c}, `a` listed on 2008-06-01)
/// and an amendment of 2024-12-05 adding `d` and removing `c`.
fn history() -> Env {
    let env = Env::new();
    let snapshot = env.write(
        "1.json",
        native(
            "l",
            "2024-12-02",
            "snapshot",
            json!({"entries": [
                {"id": "a", "name": "Alpha", "listed_on": "2008-06-01", "programs": ["SDGT"]},
                entry("b", "Beta"),
                entry("c", "Gamma"),
            ]}),
        ),
    );
    let amendment = env.write(
        "2.json",
        native(
            "l",
            "2024-12-05",
            "amendment",
            json!({"add": [entry("d", "Delta")], "remove": ["c"]}),
        ),
    );
    env.ok(&["ingest", &snapshot, &amendment]);
    env
}

/// Standard output lines parsed as JSON.
fn ndjson(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn since_before_the_first_publication_reports_its_baseline_not_additions() {
    let env = history();
    let v = env.json(&["since", "2024-12-01"]);
    assert_eq!(
        v["baselines"],
        json!([{"list": "l", "published": "2024-12-02", "event": 1, "kind": "snapshot",
                "source": "test 2024-12-02", "entries": 3}])
    );
    // Only what the amendment did: the baseline's entries are not additions.
    assert_eq!(ids(&v["added"]), ["d"]);
    assert_eq!(ids(&v["removed"]), ["c"]);
    assert_eq!(count(&v, "changed"), 0);
    let publications = v["publications"].as_array().unwrap();
    assert_eq!(
        publications.len(),
        1,
        "the baseline is not a publication here"
    );
    assert_eq!(publications[0]["event"], 2);

    let table = env.ok(&["since", "2024-12-01"]);
    assert!(
        table.starts_with(
            "baseline: l 2024-12-02, event 1, 3 entries in force when the history begins\n\n"
        ),
        "one line for the baseline:\n{table}"
    );
    assert!(
        !table.contains(" +  a "),
        "no addition line per entry:\n{table}"
    );
    assert!(table.contains(" +  d  Delta"), "{table}");
    assert!(
        table.contains(
            "Since 2024-12-01 (through 2024-12-05): 1 publication besides the baseline of l; net 1 added, 1 removed, 0 changed (0 reason changes)\n"
        ),
        "{table}"
    );

    let lines = ndjson(&env.ok(&["since", "2024-12-01", "-o", "ndjson"]));
    assert_eq!(lines[0], json!({"baseline": v["baselines"][0]}));
    let changes: Vec<&Value> = lines.iter().filter(|l| l.get("change").is_some()).collect();
    assert_eq!(changes.len(), 2, "{lines:?}");

    let csv_text = env.ok(&["since", "2024-12-01", "-o", "csv"]);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(
        rows[0].iter().collect::<Vec<_>>(),
        [
            "test 2024-12-02",
            "baseline",
            "l",
            "",
            "",
            "2024-12-02",
            "1",
            "",
            "entries",
            "",
            "3",
            ""
        ],
        "the baseline is one row, its entry count in `after` (no previous_id)"
    );
    assert_eq!(rows.len(), 3, "the baseline, then one row per change");
}

#[test]
fn since_from_the_baseline_on_shows_only_it_and_says_so() {
    let env = history();
    let table = env.ok(&["since", "2024-12-01", "--until", "2024-12-03"]);
    assert!(
        table.contains(
            "Since 2024-12-01 (through 2024-12-03): the baseline of l, and no publication after it; no changes\n"
        ),
        "{table}"
    );
    let v = env.json(&["since", "2024-12-01", "--until", "2024-12-03"]);
    assert_eq!(count(&v, "baselines"), 1);
    assert_eq!(count(&v, "added"), 0);
    assert_eq!(count(&v, "publications"), 0);
    // A baseline is something new to read: --exit-code says so.
    env.cmd(&[
        "since",
        "2024-12-01",
        "--until",
        "2024-12-03",
        "--exit-code",
    ])
    .assert()
    .code(1);
    // After the baseline, no baseline.
    let later = env.json(&["since", "2024-12-03"]);
    assert_eq!(count(&later, "baselines"), 0);
    assert_eq!(ids(&later["added"]), ["d"]);
}

#[test]
fn diff_across_the_baseline_starts_from_it() {
    let env = history();
    let forward = env.json(&["diff", "2024-11-01", "2024-12-31"]);
    assert_eq!(forward["baselines"][0]["entries"], 3);
    assert_eq!(ids(&forward["added"]), ["d"]);
    assert_eq!(ids(&forward["removed"]), ["c"]);
    // The dates the other way round are refused (issue 12 item 15), as since refuses them.
    env.cmd(&["diff", "2024-12-31", "2024-11-01"])
        .assert()
        .code(2);
    // Both ends after the baseline: an ordinary diff.
    let after = env.json(&["diff", "2024-12-02", "2024-12-31"]);
    assert_eq!(count(&after, "baselines"), 0);
    assert_eq!(ids(&after["added"]), ["d"]);

    let table = env.ok(&["diff", "2024-11-01", "2024-12-31"]);
    assert!(
        table.starts_with(
            "baseline: l 2024-12-02, event 1, 3 entries in force when the history begins\n"
        ),
        "{table}"
    );
    assert!(
        table.contains(
            "From the end of 2024-11-01 to the end of 2024-12-31: 1 added, 1 removed, 0 changed (0 reason changes), besides the baseline of l\n"
        ),
        "{table}"
    );
    let only = env.ok(&["diff", "2024-11-01", "2024-12-03"]);
    assert!(
        only.contains(
            "From the end of 2024-11-01 to the end of 2024-12-03: the baseline of l, and no change after it\n"
        ),
        "{only}"
    );
    let lines = ndjson(&env.ok(&["diff", "2024-11-01", "2024-12-31", "-o", "ndjson"]));
    assert_eq!(lines[0]["baseline"]["entries"], 3);
    let csv_text = env.ok(&["diff", "2024-11-01", "2024-12-31", "-o", "csv"]);
    assert!(
        csv_text.contains("\nbaseline,l,,,2024-12-02,1,,entries,,3,\n"),
        "{csv_text}"
    );
}

#[test]
fn history_marks_the_versions_in_force_in_the_baseline() {
    let env = history();
    let v = env.json(&["history", "alpha"]);
    let versions = v["entries"][0]["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0]["change"], "baseline");
    assert_eq!(versions[0]["entry"]["listed_on"], "2008-06-01");
    // An entry added after the baseline is an addition.
    let delta = env.json(&["history", "delta"]);
    assert_eq!(delta["entries"][0]["versions"][0]["change"], "added");

    let table = env.ok(&["history", "alpha"]);
    assert!(
        table.contains(
            " 2024-12-02  event 1  * baseline  in force when the history begins (listed on 2008-06-01) · SDGT\n"
        ),
        "{table}"
    );
    let gamma = env.ok(&["history", "gamma"]);
    assert!(
        gamma.contains("* baseline  in force when the history begins\n"),
        "{gamma}"
    );
    assert!(gamma.contains("- removed"), "{gamma}");

    let lines = ndjson(&env.ok(&["history", "alpha", "-o", "ndjson"]));
    assert_eq!(lines[0]["change"], "baseline");
    let csv_text = env.ok(&["history", "alpha", "-o", "csv"]);
    assert!(
        csv_text.contains("\nl,2024-12-02,1,baseline,a,Alpha,"),
        "{csv_text}"
    );
}

#[test]
fn a_backfilled_earlier_publication_becomes_the_baseline() {
    let env = history();
    let earlier = env.write(
        "0.json",
        native(
            "l",
            "2024-11-20",
            "snapshot",
            json!({"entries": [entry("a", "Alpha"), entry("z", "Zeta")]}),
        ),
    );
    // Recorded a month after the others.
    env.cmd(&["ingest", &earlier])
        .env("LISTDIFF_NOW", "2026-02-15T09:30:00Z")
        .assert()
        .success();
    let v = env.json(&["since", "2024-11-01"]);
    assert_eq!(v["baselines"][0]["published"], "2024-11-20");
    assert_eq!(v["baselines"][0]["event"], 3);
    assert_eq!(v["baselines"][0]["entries"], 2);
    // The snapshot of 2024-12-02 is now a publication after the baseline.
    assert_eq!(ids(&v["added"]), ["b", "d"]);
    assert_eq!(ids(&v["removed"]), ["z"]);
    let history = env.json(&["history", "beta"]);
    assert_eq!(history["entries"][0]["versions"][0]["change"], "added");
    // As known before the backfill, the baseline was the snapshot of 2024-12-02.
    let then = env.json(&["since", "2024-11-01", "--known-at", "2026-02-01"]);
    assert_eq!(then["baselines"][0]["published"], "2024-12-02");
}

#[test]
fn an_amendment_as_the_first_publication_is_the_baseline() {
    let env = Env::new();
    let first = env.write(
        "1.json",
        native(
            "fr",
            "2024-12-05",
            "amendment",
            json!({"add": [entry("a", "Alpha"), entry("b", "Beta")]}),
        ),
    );
    let second = env.write(
        "2.json",
        native(
            "fr",
            "2024-12-11",
            "amendment",
            json!({"add": [entry("c", "Gamma")]}),
        ),
    );
    env.ok(&["ingest", &first, &second]);
    let v = env.json(&["since", "2024-12-01"]);
    assert_eq!(v["baselines"][0]["kind"], "amendment");
    assert_eq!(v["baselines"][0]["entries"], 2);
    assert_eq!(ids(&v["added"]), ["c"]);
    let table = env.ok(&["since", "2024-12-01"]);
    assert!(
        table.starts_with(
            "baseline: fr 2024-12-05 (an amendment: the list before it is not recorded), event 1, 2 entries in force when the history begins\n"
        ),
        "{table}"
    );
}

#[test]
fn several_lists_each_have_their_baseline() {
    let env = history();
    let other = env.write(
        "m.json",
        native(
            "m",
            "2024-12-04",
            "snapshot",
            json!({"entries": [entry("x", "Xi")]}),
        ),
    );
    env.ok(&["ingest", &other]);
    let v = env.json(&["since", "2024-12-01"]);
    let lists: Vec<&str> = v["baselines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["list"].as_str().unwrap())
        .collect();
    assert_eq!(lists, ["l", "m"]);
    let table = env.ok(&["since", "2024-12-01"]);
    assert!(
        table.contains("1 publication besides the baselines of l and m;"),
        "{table}"
    );
    // With --list, only that list's.
    let one = env.json(&["since", "2024-12-01", "--list", "m"]);
    assert_eq!(count(&one, "baselines"), 1);
    assert_eq!(count(&one, "added"), 0);
}

#[test]
fn the_first_sdn_snapshot_is_a_baseline_of_9083_entries() {
    let Some(real) = common::RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    env.ok(&[
        "ingest",
        &real.file("ofac-sdn/2021-08-18"),
        &real.file("ofac-sdn/2021-12-22"),
    ]);
    let table = env.ok(&["since", "2021-08-01"]);
    assert!(
        table.starts_with(
            "baseline: us-ofac-sdn 2021-08-18, event 1, 9,083 entries in force when the history begins\n\n2021-12-22 · us-ofac-sdn · snapshot"
        ),
        "{}",
        &table[..table.len().min(2000)]
    );
    let v = env.json(&["since", "2021-08-01"]);
    assert_eq!(v["baselines"][0]["entries"], 9083);
    // The additions are those of 2021-12-22 only: as from the end of the baseline's date.
    let after = env.json(&["diff", "2021-08-18", "2021-12-22"]);
    assert_eq!(count(&v, "added"), 312);
    assert_eq!(v["added"], after["added"]);
    assert_eq!(v["removed"], after["removed"]);
    // SECHIN was listed years before the history begins: not "added" on 2021-08-18.
    let sechin = env.json(&["history", "SECHIN"]);
    let versions = sechin["entries"][0]["versions"].as_array().unwrap();
    assert_eq!(versions[0]["published"], "2021-08-18");
    assert_eq!(versions[0]["change"], "baseline");
    let table = env.ok(&["history", "SECHIN"]);
    assert!(
        table.contains(" 2021-08-18  event 1  * baseline  in force when the history begins"),
        "{table}"
    );
}
