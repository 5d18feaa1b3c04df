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
