//! Issue 12 item 6, in the answers: an entry carried to a new id when its list's key scheme
//! changed is one change of kind `changed` that says its previous id — in `since` (each
//! publication and net), `diff`, `--counts`, `--exit-code`, filters, `history` (by either id)
//! and `compare` — not a removal and an addition; chains over two changes of key scheme compose;
//! `--known-at` and retractions are respected; through the binary.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, RealData, find};
use serde_json::{Value, json};

/// An id of the first layout (`el-` and 16 hex digits).
fn old(i: u32) -> String {
    format!("el-{i:016x}")
}

/// An id of the second layout (56 hex digits).
fn new(i: u32) -> String {
    format!("{:056x}", 0xabc000 + i)
}

/// An id of the third layout (all digits).
fn third(i: u32) -> String {
    (900_000 + i).to_string()
}

/// The three entries of list `el` under ids made by `id`. Acme keeps its entity number; from
/// `renamed` on it is "Acme Holding"; Coil's program is IRAN, and GLOMAG from `moved` on.
fn entries(id: fn(u32) -> String, renamed: bool, moved: bool) -> Value {
    json!([
        {"id": id(1), "name": if renamed { "Acme Holding" } else { "Acme" },
         "addresses": ["1 Main St"], "programs": ["EAR"], "extra": {"entity_number": "777"}},
        {"id": id(2), "name": "Bolt", "addresses": ["2 Main St"], "programs": ["EAR"]},
        {"id": id(3), "name": "Coil", "addresses": ["3 Main St"],
         "programs": [if moved { "GLOMAG" } else { "IRAN" }]},
    ])
}

/// A snapshot of list `el`.
fn snapshot(env: &Env, name: &str, published: &str, entries: Value) -> String {
    env.write(
        name,
        common::native("el", published, "snapshot", json!({ "entries": entries })),
    )
}

/// Runs `listdiff ARGS` at recording time `now`; it must succeed. Returns standard error.
fn at(env: &Env, now: &str, args: &[&str]) -> String {
    let output = env.cmd(args).env("LISTDIFF_NOW", now).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{args:?}: {stderr}");
    stderr
}

/// Three snapshots of `el`, each recorded on its own day: 2024-01-01 under the first layout,
/// 2024-02-01 under the second (Acme renamed), 2024-03-01 under the third (Coil moved from
/// IRAN to GLOMAG).
fn three_layouts(env: &Env) {
    let a = snapshot(env, "a.json", "2024-01-01", entries(old, false, false));
    let b = snapshot(env, "b.json", "2024-02-01", entries(new, true, false));
    let c = snapshot(env, "c.json", "2024-03-01", entries(third, true, true));
    at(env, "2025-01-01T09:00:00Z", &["ingest", &a]);
    let stderr = at(env, "2025-01-02T09:00:00Z", &["ingest", &b]);
    assert!(
        stderr.contains("answers show each as one change of id"),
        "{stderr}"
    );
    at(env, "2025-01-03T09:00:00Z", &["ingest", &c]);
}

/// `(previous_id, id, fields changed)` of every change in `changes`, in order.
fn carried(changes: &Value) -> Vec<(String, String, Vec<String>)> {
    changes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["previous_id"].as_str().unwrap_or("").to_string(),
                c["id"].as_str().unwrap().to_string(),
                c["fields"]
                    .as_array()
                    .map(|f| {
                        f.iter()
                            .map(|f| f["field"].as_str().unwrap().to_string())
                            .collect()
                    })
                    .unwrap_or_default(),
            )
        })
        .collect()
}

fn strings(fields: &[&str]) -> Vec<String> {
    fields.iter().map(|f| f.to_string()).collect()
}

#[test]
fn a_change_of_key_scheme_is_one_change_of_id_per_entry() {
    let env = Env::new();
    let a = snapshot(&env, "a.json", "2024-01-01", entries(old, false, false));
    let b = snapshot(&env, "b.json", "2024-02-01", entries(new, true, false));
    env.ok(&["ingest", &a]);
    env.ok(&["ingest", &b]);
    let diff = env.json(&["diff", "2024-01-15", "2024-02-15"]);
    assert_eq!(diff["added"], json!([]), "{diff}");
    assert_eq!(diff["removed"], json!([]), "{diff}");
    assert_eq!(
        carried(&diff["changed"]),
        [
            (old(1), new(1), strings(&["name"])),
            (old(2), new(2), vec![]),
            (old(3), new(3), vec![]),
        ]
    );
    let acme = find(&diff, "changed", &new(1));
    assert_eq!(acme["before"]["id"], old(1));
    assert_eq!(acme["entry"]["id"], new(1));
    assert_eq!(
        (&acme["published"], &acme["event"]),
        (&json!("2024-02-01"), &json!(2))
    );
    // since: the publication and the net answer alike.
    let since = env.json(&["since", "2024-01-15"]);
    assert_eq!(carried(&since["changed"]), carried(&diff["changed"]));
    let publication = &since["publications"][0];
    assert_eq!(publication["changed"], json!([new(1), new(2), new(3)]));
    assert_eq!(
        (&publication["added"], &publication["removed"]),
        (&json!([]), &json!([]))
    );
    assert_eq!(carried(&publication["changes"]), carried(&diff["changed"]));
    // NDJSON as JSON; CSV has a previous_id column, last.
    let ndjson = env.ok(&["since", "2024-01-15", "-o", "ndjson"]);
    let first: Value = serde_json::from_str(ndjson.lines().next().unwrap()).unwrap();
    assert_eq!(first["previous_id"], old(1), "{ndjson}");
    let csv = env.ok(&["diff", "2024-01-15", "2024-02-15", "-o", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "change,list,id,name,published,event,reason_changed,field,before,after,previous_id"
    );
    assert_eq!(
        lines.next().unwrap(),
        format!(
            "changed,el,{},Acme Holding,2024-02-01,2,false,name,Acme,Acme Holding,{}",
            new(1),
            old(1)
        )
    );
    assert_eq!(
        lines.next().unwrap(),
        format!(
            "changed,el,{},Bolt,2024-02-01,2,false,,,,{}",
            new(2),
            old(2)
        )
    );
    // The table says the id before, and sums up.
    let table = env.ok(&["diff", "2024-01-15", "2024-02-15"]);
    assert!(table.contains(&format!("was {}", old(2))), "{table}");
    assert!(table.contains("new id (key scheme changed)"), "{table}");
    assert!(
        table.contains("0 added, 0 removed, 3 changed (0 reason changes; 3 carried to new ids)"),
        "{table}"
    );
    // --counts: changed, not added and removed.
    let counts = env.json(&["since", "2024-01-15", "--counts"]);
    let rows: Vec<(Value, Value, Value, Value)> = counts["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["scope"].clone(),
                r["added"].clone(),
                r["removed"].clone(),
                r["changed"].clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (json!("publication"), json!(0), json!(0), json!(3)),
            (json!("net"), json!(0), json!(0), json!(3)),
        ]
    );
    // --exit-code: a change of id is a change.
    let output = env
        .cmd(&["diff", "2024-01-15", "2024-02-15", "--exit-code"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn chains_compose_and_windows_see_only_their_own_changes_of_id() {
    let env = Env::new();
    three_layouts(&env);
    // Across both changes: one change per entry, from the first id to the last.
    let both = env.json(&["diff", "2024-01-15", "2024-03-15"]);
    assert_eq!(
        carried(&both["changed"]),
        [
            (old(1), third(1), strings(&["name"])),
            (old(2), third(2), vec![]),
            (old(3), third(3), strings(&["programs"])),
        ]
    );
    let coil = find(&both, "changed", &third(3));
    assert_eq!(coil["reason_changed"], true);
    assert_eq!(coil["event"], 3);
    // A window that starts after the first change sees only the second.
    let second = env.json(&["since", "2024-02-15"]);
    assert_eq!(
        carried(&second["changed"]),
        [
            (new(1), third(1), vec![]),
            (new(2), third(2), vec![]),
            (new(3), third(3), strings(&["programs"])),
        ]
    );
    // One that starts after both sees nothing carried, nor anything else.
    let after = env.json(&["since", "2024-03-02"]);
    for key in ["added", "removed", "changed"] {
        assert_eq!(after[key], json!([]), "{key}: {after}");
    }
    // The publication by publication answer shows each change of id where it happened.
    let since = env.json(&["since", "2024-01-15"]);
    let publications = since["publications"].as_array().unwrap();
    assert_eq!(publications.len(), 2);
    assert_eq!(carried(&publications[0]["changes"])[0].0, old(1));
    assert_eq!(carried(&publications[1]["changes"])[0].0, new(1));
    assert_eq!(
        carried(&since["changed"])[0],
        (old(1), third(1), strings(&["name"]))
    );
}

#[test]
fn a_carried_change_passes_a_filter_on_the_entry_before_or_after() {
    let env = Env::new();
    three_layouts(&env);
    for program in ["IRAN", "GLOMAG"] {
        let diff = env.json(&["diff", "2024-01-15", "2024-03-15", "--program", program]);
        assert_eq!(
            carried(&diff["changed"]),
            [(old(3), third(3), strings(&["programs"]))],
            "{program}"
        );
    }
    let reasons = env.json(&["since", "2024-01-01", "--reason-changes"]);
    assert_eq!(
        carried(&reasons["changed"]),
        [(old(3), third(3), strings(&["programs"]))]
    );
    let counts = env.json(&["since", "2024-01-01", "--program", "EAR", "--counts"]);
    let net = counts["counts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["scope"] == "net")
        .unwrap();
    assert_eq!(
        (&net["added"], &net["removed"], &net["changed"]),
        (&json!(0), &json!(0), &json!(2))
    );
}

#[test]
fn known_at_before_a_change_of_key_scheme_sees_none_and_between_sees_the_first() {
    let env = Env::new();
    three_layouts(&env);
    let before = env.json(&[
        "diff",
        "2024-01-15",
        "2024-03-15",
        "--known-at",
        "2025-01-01T12:00:00Z",
    ]);
    for key in ["added", "removed", "changed"] {
        assert_eq!(before[key], json!([]), "{key}: {before}");
    }
    let between = env.json(&[
        "diff",
        "2024-01-15",
        "2024-03-15",
        "--known-at",
        "2025-01-02T12:00:00Z",
    ]);
    assert_eq!(
        carried(&between["changed"]),
        [
            (old(1), new(1), strings(&["name"])),
            (old(2), new(2), vec![]),
            (old(3), new(3), vec![]),
        ]
    );
    let history = env.json(&["history", &new(2), "--known-at", "2025-01-02T12:00:00Z"]);
    assert_eq!(history["entries"][0]["id"], new(2), "{history}");
    assert_eq!(
        history["entries"][0]["previous_ids"],
        json!([old(2)]),
        "{history}"
    );
}

#[test]
fn a_retracted_change_of_key_scheme_carries_nothing() {
    let env = Env::new();
    three_layouts(&env);
    env.ok(&["retract", "2", "--reason", "a wrong file"]);
    // Without event 2, nothing says that the first ids stand for the third: the third event
    // carried from the second layout, which no longer counts.
    let diff = env.json(&["diff", "2024-01-15", "2024-03-15"]);
    assert_eq!(
        common::ids(&diff["removed"]),
        [old(1), old(2), old(3)],
        "{diff}"
    );
    assert_eq!(
        common::ids(&diff["added"]),
        [third(1), third(2), third(3)],
        "{diff}"
    );
    assert_eq!(diff["changed"], json!([]), "{diff}");
}

#[test]
fn history_follows_an_entry_through_its_ids_from_either_end() {
    let env = Env::new();
    three_layouts(&env);
    let summary = |history: &Value| -> Vec<(String, String, String)> {
        history["entries"][0]["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["change"].as_str().unwrap().to_string(),
                    v["previous_id"].as_str().unwrap_or("").to_string(),
                    v["entry"]["id"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let expected = [
        ("baseline".to_string(), String::new(), old(1)),
        ("changed".to_string(), old(1), new(1)),
        ("changed".to_string(), new(1), third(1)),
    ];
    for query in [third(1), new(1), old(1), "acme".to_string()] {
        let history = env.json(&["history", &query]);
        assert_eq!(
            history["entries"].as_array().unwrap().len(),
            1,
            "{query}: {history}"
        );
        let entry = &history["entries"][0];
        assert_eq!(entry["id"], third(1), "{query}");
        assert_eq!(entry["name"], "Acme Holding", "{query}");
        assert_eq!(entry["previous_ids"], json!([old(1), new(1)]), "{query}");
        assert_eq!(summary(&history), expected, "{query}");
    }
    // The table says where each id went.
    let table = env.ok(&["history", &old(2)]);
    assert!(
        table.contains(&format!(
            "el · {} · Bolt · earlier ids {}, then {}",
            third(2),
            old(2),
            new(2)
        )),
        "{table}"
    );
    assert!(
        table.contains(&format!("id: {} → {} (key scheme changed)", old(2), new(2))),
        "{table}"
    );
    assert!(table.contains("1 entry matched"), "{table}");
    // --counts: one entry, its changes of id as changes.
    let counts = env.json(&["history", &old(3), "--counts"]);
    let row = &counts["counts"][0];
    assert_eq!(
        (
            &row["entries"],
            &row["added"],
            &row["removed"],
            &row["changed"]
        ),
        (&json!(1), &json!(0), &json!(0), &json!(2))
    );
    // A filter judges the change of id on the entry before and after it.
    let iran = env.json(&["history", &third(3), "--program", "IRAN"]);
    assert_eq!(
        summary(&iran),
        [
            ("baseline".to_string(), String::new(), old(3)),
            ("changed".to_string(), old(3), new(3)),
            ("changed".to_string(), new(3), third(3)),
        ]
    );
    let glomag = env.json(&["history", &third(3), "--program", "GLOMAG"]);
    assert_eq!(
        summary(&glomag),
        [("changed".to_string(), new(3), third(3))]
    );
}

#[test]
fn compare_gives_the_store_s_answer_across_a_change_of_key_scheme() {
    let env = Env::new();
    let a = snapshot(&env, "a.json", "2024-01-01", entries(old, false, false));
    let b = snapshot(&env, "b.json", "2024-02-01", entries(new, true, true));
    let compared = env.json(&["compare", &a, &b]);
    env.ok(&["ingest", &a, &b]);
    let stored = env.json(&["diff", "2024-01-01", "2024-02-01"]);
    // The same changes; compare reads no store, so it knows no event.
    let without_event = |changes: &Value| -> Value {
        let mut changes = changes.clone();
        for change in changes.as_array_mut().unwrap() {
            let change = change.as_object_mut().unwrap();
            change.remove("published");
            change.remove("event");
        }
        changes
    };
    for key in ["added", "removed", "changed"] {
        assert_eq!(
            without_event(&compared[key]),
            without_event(&stored[key]),
            "{key}"
        );
    }
    assert_eq!(carried(&compared["changed"]).len(), 3);
}

#[test]
fn the_real_csl_change_of_key_scheme_shows_26_changes_of_id() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    let (old_file, new_file) = (
        real.file("trade-csl/2019-12-03/consolidated.csv"),
        real.file("trade-csl/2023-11-30/consolidated.csv"),
    );
    env.ok(&["ingest", &old_file]);
    env.ok(&["ingest", "--max-drop", "100", &new_file]);
    let since = env.json(&["since", "2019-01-01"]);
    let mut per_list = std::collections::BTreeMap::new();
    for change in since["changed"].as_array().unwrap() {
        if let Some(previous) = change["previous_id"].as_str() {
            assert_ne!(previous, change["id"].as_str().unwrap(), "{change}");
            *per_list
                .entry(change["list"].as_str().unwrap().to_string())
                .or_insert(0) += 1;
        }
    }
    assert_eq!(
        per_list.into_iter().collect::<Vec<_>>(),
        [
            ("us-csl-dpl".to_string(), 6),
            ("us-csl-dtc".to_string(), 3),
            ("us-csl-el".to_string(), 15),
            ("us-csl-isn".to_string(), 1),
            ("us-csl-uvl".to_string(), 1),
        ]
    );
    // None of the carried ids is also a removal or an addition.
    let carried_ids: Vec<&str> = since["changed"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["previous_id"].as_str())
        .collect();
    assert!(
        since["removed"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| !carried_ids.contains(&r["id"].as_str().unwrap()))
    );
    // --counts: the Entity List's 22 entries of 2019: 15 carried (changed), 7 removed.
    let counts = env.json(&["since", "2019-01-01", "--list", "us-csl-el", "--counts"]);
    let net = counts["counts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["scope"] == "net")
        .unwrap();
    assert_eq!(
        (&net["removed"], &net["changed"]),
        (&json!(7), &json!(15)),
        "{counts}"
    );
    // compare gives the same answer as the store, for each list both files hold (a list only
    // the 2023 file holds is all additions to compare, and a baseline to the store).
    let compared = env.json(&["compare", &old_file, &new_file]);
    let diff = env.json(&["diff", "2019-12-03", "2023-11-30"]);
    let in_2019: Vec<String> = env.json(&["as-of", "2019-12-03"])["basis"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| !b["published"].is_null())
        .map(|b| b["list"].as_str().unwrap().to_string())
        .collect();
    assert!(in_2019.contains(&"us-csl-el".to_string()), "{in_2019:?}");
    for key in ["added", "removed", "changed"] {
        let pairs = |v: &Value| -> Vec<(String, String)> {
            let mut pairs: Vec<(String, String)> = v[key]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| in_2019.contains(&c["list"].as_str().unwrap().to_string()))
                .map(|c| {
                    (
                        c["id"].as_str().unwrap().to_string(),
                        c["previous_id"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect();
            pairs.sort();
            pairs
        };
        let (compared, stored) = (pairs(&compared), pairs(&diff));
        assert!(
            compared == stored,
            "{key}: compare {} changes, the store {}",
            compared.len(),
            stored.len()
        );
    }
}
