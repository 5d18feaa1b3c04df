//! Real publications of the formats beyond the SDN CSV and the CSL (see
//! ../shared/data/real/PROVENANCE.md): every file goes through auto-detection and the binary.

mod common;

use common::{Env, ids, real};
use serde_json::Value;

fn count(v: &Value, key: &str) -> usize {
    v[key].as_array().unwrap().len()
}

fn find<'a>(v: &'a Value, key: &str, id: &str) -> &'a Value {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {key} entry {id}"))
}

fn field<'a>(change: &'a Value, name: &str) -> &'a Value {
    change["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == name)
        .unwrap_or_else(|| panic!("no field {name} in {change}"))
}

#[test]
fn ofac_consolidated_csv_2018_to_2025() {
    let env = Env::new();
    let old = real("ofac-consolidated/2018-04-06/cons_prim.csv");
    let new = real("ofac-consolidated/2025-12-19/cons_prim.csv");
    let out = env.ok(&["ingest", &old]);
    assert!(
        out.contains("us-ofac-cons 2018-04-06 snapshot, 639 added"),
        "{out}"
    );
    // 275 of 639 removed (43%): the broken-feed guard asks for --allow-drop.
    let refused = env.cmd(&["ingest", &new]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("holds 442 entries and would remove 275 of the 639 in force"),
        "{stderr}"
    );
    env.ok(&["ingest", "--allow-drop", &new]);

    let diff = env.json(&["diff", "2018-04-06", "2025-12-19"]);
    assert_eq!((count(&diff, "added"), count(&diff, "removed")), (78, 275));
    let kunlun = find(&diff, "changed", "15268");
    assert_eq!(kunlun["name"], "BANK OF KUNLUN CO LTD");
    assert_eq!(
        field(kunlun, "programs")["before"],
        serde_json::json!(["561List"])
    );
    assert_eq!(
        field(kunlun, "programs")["after"],
        serde_json::json!(["561-Related"])
    );
    let vtb = find(&diff, "changed", "17013");
    assert_eq!(
        field(vtb, "programs")["after"],
        serde_json::json!(["RUSSIA-EO14024", "UKRAINE-EO13662"])
    );
    let program_changes = diff["changed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["field"] == "programs")
        })
        .count();
    assert_eq!(program_changes, 90, "PROVENANCE.md: 90 program changes");
    // The companions were read: aliases from cons_alt.csv, addresses from cons_add.csv.
    let state = env.json(&["as-of", "2025-12-19", "--list", "us-ofac-cons"]);
    assert_eq!(count(&state, "entries"), 442);
    assert!(
        state["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["aliases"].as_array().is_some_and(|a| !a.is_empty())),
        "no aliases: cons_alt.csv was not read"
    );
    assert!(ids(&state["entries"]).contains(&"17013".to_string()));
}

#[test]
fn ofac_consolidated_xml_and_csv_of_one_day_agree() {
    // consolidated.xml and cons_prim.csv (+ companions) of 2018-04-06 are the same publication
    // in two formats: recorded together, the second is a correction that changes nothing.
    let env = Env::new();
    let out = env.ok(&["ingest", &real("ofac-consolidated/2018-04-06")]);
    assert!(out.contains("2 recorded"), "{out}");
    let log = env.json(&["log"]);
    let events = log["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    for event in events {
        assert_eq!(event["list"], "us-ofac-cons");
        assert_eq!(event["published"], "2018-04-06", "Publish_Date 04/06/2018");
    }
    assert_eq!(events[0]["added"], 639);
    assert_eq!(
        (
            &events[1]["added"],
            &events[1]["removed"],
            &events[1]["changed"]
        ),
        (&Value::from(0), &Value::from(0), &Value::from(0)),
        "the XML and the CSV give the same entries: {out}"
    );
}

#[test]
fn un_consolidated_list_history() {
    let env = Env::new();
    env.ok(&["ingest", &real("un-consolidated")]);
    let log = env.json(&["log"]);
    let dates: Vec<&str> = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["list"], "un-sc");
            e["published"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        dates,
        [
            "2018-06-07",
            "2018-06-21",
            "2018-08-24",
            "2018-10-29",
            "2020-11-23",
            "2020-11-24",
            "2020-12-01",
            "2025-11-18",
            "2026-02-27"
        ],
        "dates from dateGenerated, in its own offset"
    );
    let size = |date: &str| count(&env.json(&["as-of", date]), "entries");
    assert_eq!(size("2018-06-07"), 693 + 405);
    assert_eq!(size("2020-11-24"), 713 + 305);
    assert_eq!(size("2026-02-27"), 730 + 273);

    // 2020-11-23 → 11-24 differ only in dateGenerated: no changes.
    let same = env.json(&["diff", "2020-11-23", "2020-11-24"]);
    assert_eq!(
        (
            count(&same, "added"),
            count(&same, "removed"),
            count(&same, "changed")
        ),
        (0, 0, 0)
    );
    // 2020-11-24 → 12-01: twelve Iraq delistings.
    let delisted = env.json(&["diff", "2020-11-24", "2020-12-01"]);
    assert_eq!(
        (count(&delisted, "added"), count(&delisted, "removed")),
        (0, 12)
    );
    assert!(ids(&delisted["removed"]).contains(&"IQi.035".to_string()));
    // 2018-06-07 → 06-21: two additions, QDi.414 among them.
    let added = env.json(&["diff", "2018-06-07", "2018-06-21"]);
    assert_eq!(count(&added, "added"), 2);
    assert!(ids(&added["added"]).contains(&"QDi.414".to_string()));
    // 2025-11-18 → 2026-02-27: IQi.074 removed, SDi.007 added.
    let recent = env.json(&["diff", "2025-11-18", "2026-02-27"]);
    assert_eq!((count(&recent, "added"), count(&recent, "removed")), (4, 1));
    assert_eq!(ids(&recent["removed"]), ["IQi.074"]);
    assert!(ids(&recent["added"]).contains(&"SDi.007".to_string()));
}
