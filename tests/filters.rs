//! Filters (issue 12 item 9): `--program`, `--country`, `--type` (repeatable; case-insensitive,
//! the whole value), `--reason-changes` and `--counts` on `since`, `diff`, `as-of` and
//! `history`. A change passes when the entry before it or after it passes (a removal is judged
//! on the entry removed; a program change from ZIMBABWE to GLOMAG passes either program).
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, RealData, ids, native};
use serde_json::{Value, json};

/// A list `l`: a snapshot of 2024-01-02 and one of 2024-03-04 that removes 1 and 3, moves 2
/// from ZIMBABWE to GLOMAG, renames 4, gives 5 a reason and adds 6.
fn programs() -> Env {
    let env = Env::new();
    let first = env.write(
        "1.json",
        native(
            "l",
            "2024-01-02",
            "snapshot",
            json!({"entries": [
                {"id": "1", "name": "MUGABE, Robert Gabriel", "type": "individual", "programs": ["ZIMBABWE"], "countries": ["Zimbabwe"]},
                {"id": "2", "name": "MNANGAGWA, Emmerson", "type": "individual", "programs": ["ZIMBABWE"], "countries": ["Zimbabwe"]},
                {"id": "3", "name": "Acme Mining", "type": "entity", "programs": ["ZIMBABWE"], "countries": ["South Africa"]},
                {"id": "4", "name": "Other Co", "type": "entity", "programs": ["IRAN"], "countries": ["Iran"]},
                {"id": "5", "name": "Vessel X", "type": "vessel", "programs": ["IRAN"]},
            ]}),
        ),
    );
    let second = env.write(
        "2.json",
        native(
            "l",
            "2024-03-04",
            "snapshot",
            json!({"entries": [
                {"id": "2", "name": "MNANGAGWA, Emmerson", "type": "individual", "programs": ["GLOMAG"], "countries": ["Zimbabwe"]},
                {"id": "4", "name": "Other Company", "type": "entity", "programs": ["IRAN"], "countries": ["Iran"]},
                {"id": "5", "name": "Vessel X", "type": "vessel", "programs": ["IRAN"], "reason": "Carried oil."},
                {"id": "6", "name": "New Co", "type": "entity", "programs": ["GLOMAG"], "countries": ["Zimbabwe"]},
            ]}),
        ),
    );
    env.ok(&["ingest", "--allow-drop", &first, &second]);
    env
}

/// The ids added, removed and changed in a since or diff answer.
fn kinds(v: &Value) -> [Vec<String>; 3] {
    [ids(&v["added"]), ids(&v["removed"]), ids(&v["changed"])]
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn changes_pass_when_the_entry_before_or_after_them_passes() {
    let env = programs();
    for (filter, added, removed, changed) in [
        (
            vec!["--program", "zimbabwe"],
            vec![],
            vec!["1", "3"],
            vec!["2"],
        ),
        (vec!["--program", "GLOMAG"], vec!["6"], vec![], vec!["2"]),
        (
            vec!["--program", "ZIMBABWE", "--program", "iran"],
            vec![],
            vec!["1", "3"],
            vec!["2", "4", "5"],
        ),
        (
            vec!["--program", "ZIMBABWE", "--type", "entity"],
            vec![],
            vec!["3"],
            vec![],
        ),
        (
            vec!["--country", "ZIMBABWE"],
            vec!["6"],
            vec!["1"],
            vec!["2"],
        ),
        (
            vec!["--type", "vessel", "--type", "Individual"],
            vec![],
            vec!["1"],
            vec!["2", "5"],
        ),
        (vec!["--reason-changes"], vec![], vec![], vec!["2", "5"]),
        (
            vec!["--reason-changes", "--type", "vessel"],
            vec![],
            vec![],
            vec!["5"],
        ),
        // The whole value: a part of a program is not that program.
        (vec!["--program", "ZIMB"], vec![], vec![], vec![]),
    ] {
        let mut since = vec!["since", "2024-03-01"];
        since.extend(&filter);
        let v = env.json(&since);
        let expected = [strings(&added), strings(&removed), strings(&changed)];
        assert_eq!(kinds(&v), expected, "{since:?}");
        // Each publication's changes are filtered as the net ones are.
        let per_publication: Vec<String> = v["publications"][0]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect();
        let mut all: Vec<String> = expected.concat();
        all.sort_by_key(|id| id.parse::<u32>().unwrap());
        let mut seen = per_publication.clone();
        seen.sort_by_key(|id| id.parse::<u32>().unwrap());
        assert_eq!(seen, all, "{since:?}");

        let mut diff = vec!["diff", "2024-01-02", "2024-03-04"];
        diff.extend(&filter);
        assert_eq!(kinds(&env.json(&diff)), expected, "{diff:?}");
    }
}

#[test]
fn as_of_and_history_are_filtered_too() {
    let env = programs();
    let v = env.json(&["as-of", "2024-01-02", "--program", "Zimbabwe"]);
    assert_eq!(ids(&v["entries"]), ["1", "2", "3"]);
    assert_eq!(v["basis"][0]["published"], "2024-01-02", "the basis stays");
    let lines = env.ok(&["as-of", "2024-03-04", "--type", "entity", "-o", "ndjson"]);
    let listed: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        listed.len(),
        4,
        "two entries, then the filter and the basis: {lines}"
    );
    assert_eq!(listed[0]["id"], "4");
    assert_eq!(listed[1]["id"], "6");
    assert_eq!(
        listed[2],
        json!({"filter": {"programs": [], "countries": [], "types": ["entity"], "reason_changes": false}})
    );
    let csv_text = env.ok(&["as-of", "2024-03-04", "--country", "iran", "-o", "csv"]);
    assert_eq!(csv_text.lines().count(), 2, "{csv_text}");
    assert!(csv_text.lines().nth(1).unwrap().starts_with("l,4,"));
    let table = env.ok(&["as-of", "2024-03-04", "--program", "glomag"]);
    assert!(
        table.contains("\n2 entries in force at the end of 2024-03-04\nfilter: program glomag\n"),
        "{table}"
    );

    // history: the versions that pass (the move to GLOMAG passes --program GLOMAG).
    let v = env.json(&["history", "mnangagwa", "--program", "GLOMAG"]);
    let versions = v["entries"][0]["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 1, "{v}");
    assert_eq!(versions[0]["change"], "changed");
    let v = env.json(&["history", "mnangagwa", "--program", "ZIMBABWE"]);
    assert_eq!(v["entries"][0]["versions"].as_array().unwrap().len(), 2);
    let v = env.json(&["history", "e", "--reason-changes"]);
    assert_eq!(ids(&v["entries"]), ["2", "5"], "{v}");
    let table = env.ok(&["history", "vessel", "--reason-changes"]);
    assert!(
        table.contains("reason: {+Carried oil.+}"),
        "the change is told against the version before it, shown or not: {table}"
    );
    // An entry whose name matches but none of whose versions pass is not listed, and the
    // answer says why.
    let v = env.json(&["history", "acme", "--program", "IRAN"]);
    assert_eq!(
        (v["entries"].clone(), v["excluded"].clone()),
        (json!([]), json!(1))
    );
    assert!(v.get("closest").is_none(), "a match, filtered out: {v}");
    let table = env.ok(&["history", "acme", "--program", "IRAN"]);
    assert!(
        table.contains(
            "1 entry matches \"acme\", but none of its versions passes the filters (program IRAN)"
        ),
        "{table}"
    );
}

#[test]
fn counts_sum_up_per_list_and_publication() {
    let env = programs();
    let v = env.json(&["since", "2024-01-01", "--program", "ZIMBABWE", "--counts"]);
    assert_eq!(
        v["counts"],
        json!([
            {"list": "l", "scope": "baseline", "published": "2024-01-02", "event": 1,
             "source": "test 2024-01-02", "entries": 3, "added": null, "removed": null,
             "changed": null, "reason_changes": null},
            {"list": "l", "scope": "publication", "published": "2024-03-04", "event": 2,
             "source": "test 2024-03-04", "entries": null, "added": 0, "removed": 2,
             "changed": 1, "reason_changes": 1},
            {"list": "l", "scope": "net", "published": null, "event": null, "source": null,
             "entries": null, "added": 0, "removed": 2, "changed": 1, "reason_changes": 1},
        ]),
        "the baseline counts the entries that pass: {v}"
    );
    assert_eq!(v["basis"][0]["published"], "2024-03-04");
    assert!(v.get("publications").is_none(), "the summary only: {v}");

    let table = env.ok(&["since", "2024-03-01", "--counts"]);
    let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        [
            "List",
            "Scope",
            "Published",
            "Event",
            "Added",
            "Removed",
            "Changed",
            "Reason",
            "changes",
            "Source"
        ],
        "{table}"
    );
    assert!(!table.contains("MUGABE"), "no entries: {table}");
    let net: Vec<&str> = table.lines().nth(3).unwrap().split_whitespace().collect();
    assert_eq!(net, ["l", "net", "1", "2", "3", "2"], "{table}");
    assert!(
        table.ends_with("\nbasis: l published 2024-03-04 (event 2), 682 days before 2026-01-15\n"),
        "{table}"
    );

    let v = env.json(&[
        "diff",
        "2024-01-02",
        "2024-03-04",
        "--counts",
        "--type",
        "entity",
    ]);
    assert_eq!(
        v["counts"],
        json!([{"list": "l", "scope": "net", "published": null, "event": null, "source": null,
                "entries": null, "added": 1, "removed": 1, "changed": 1, "reason_changes": 0}])
    );
    let v = env.json(&["as-of", "2024-01-02", "--counts", "--program", "iran"]);
    assert_eq!(
        v["counts"],
        json!([{"list": "l", "scope": "in-force", "published": "2024-01-02", "event": 1,
                "source": "test 2024-01-02", "entries": 2, "added": null, "removed": null,
                "changed": null, "reason_changes": null}])
    );
    let v = env.json(&["history", "mugabe", "--counts"]);
    assert_eq!(
        v["counts"],
        json!([{"list": "l", "scope": "history", "published": null, "event": null,
                "source": null, "entries": 1, "added": 0, "removed": 1, "changed": 0,
                "reason_changes": 0}])
    );
    let csv_text = env.ok(&["since", "2024-03-01", "--counts", "-o", "csv"]);
    assert_eq!(
        csv_text,
        "list,scope,published,event,source,entries,added,removed,changed,reason_changes\n\
         l,publication,2024-03-04,2,test 2024-03-04,,1,2,3,2\n\
         l,net,,,,,1,2,3,2\n"
    );
    let lines = env.ok(&["since", "2024-03-01", "--counts", "-o", "ndjson"]);
    assert_eq!(lines.lines().count(), 3, "two rows and the basis: {lines}");
    let lines = env.ok(&[
        "since",
        "2024-03-01",
        "--counts",
        "-o",
        "ndjson",
        "--reason-changes",
    ]);
    assert_eq!(
        lines.lines().count(),
        4,
        "two rows, the filter and the basis: {lines}"
    );
}

#[test]
fn bad_filters_are_refused() {
    let env = programs();
    let output = env
        .cmd(&["since", "2024-03-01", "--type", "spaceship"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(
            "\"spaceship\" is not an entry type: use entity, individual, vessel or aircraft"
        ),
        "{stderr}"
    );
    let output = env
        .cmd(&["as-of", "2024-03-04", "--reason-changes"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("--reason-changes selects changes"),
        "{stderr}"
    );
}

#[test]
fn every_zimbabwe_program_removal_on_real_data() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    env.ok(&[
        "ingest",
        &real.file("ofac-sdn/2024-02-28"),
        &real.file("ofac-sdn/2024-03-04"),
    ]);
    let v = env.json(&["since", "2024-01-01", "--program", "ZIMBABWE"]);
    let [added, removed, changed] = kinds(&v);
    assert_eq!((added.len(), removed.len(), changed.len()), (0, 86, 12));
    assert!(
        v["changed"].as_array().unwrap().iter().all(|c| {
            c["before"]["programs"] == json!(["ZIMBABWE"])
                && c["entry"]["programs"] == json!(["GLOMAG"])
        }),
        "{v}"
    );
    let v = env.json(&[
        "since",
        "2024-01-01",
        "--program",
        "ZIMBABWE",
        "--type",
        "individual",
        "--counts",
    ]);
    let rows = v["counts"].as_array().unwrap();
    let publication = rows.iter().find(|r| r["scope"] == "publication").unwrap();
    assert_eq!(publication["published"], "2024-03-04");
    assert_eq!(publication["removed"], 50);
    let table = env.ok(&["since", "2024-01-01", "--program", "ZIMBABWE"]);
    assert!(
        table.contains("net 0 added, 86 removed, 12 changed (12 reason changes)"),
        "{table}"
    );
    assert!(
        table.contains("\nfilter: program ZIMBABWE\n"),
        "the answer says it is filtered: {table}"
    );
}
