//! Real publications from ../shared/data/real (see PROVENANCE.md there): OFAC SDN CSV and the
//! trade.gov Consolidated Screening List, through the binary.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, RealData, count, find, ids};
use serde_json::Value;

#[test]
fn sdn_2024_02_28_to_03_04_the_end_of_the_zimbabwe_program() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    env.ok(&[
        "ingest",
        &real.file("ofac-sdn/2024-02-28"),
        &real.file("ofac-sdn/2024-03-04"),
    ]);
    let log = env.json(&["log"]);
    assert_eq!(log["events"][0]["list"], "us-ofac-sdn");
    assert_eq!(
        log["events"][0]["published"], "2024-02-28",
        "the date comes from the path"
    );
    assert_eq!(log["events"][0]["added"], 14510);
    assert_eq!(
        env.json(&["as-of", "2024-03-04"])["entries"]
            .as_array()
            .unwrap()
            .len(),
        14426
    );

    let v = env.json(&["since", "2024-03-01"]);
    assert_eq!(
        (
            count(&v, "added"),
            count(&v, "removed"),
            count(&v, "changed")
        ),
        (2, 86, 12)
    );
    let mugabe = find(&v, "removed", "7480");
    assert_eq!(mugabe["entry"]["name"], "MUGABE, Robert Gabriel");
    assert_eq!(mugabe["entry"]["programs"], serde_json::json!(["ZIMBABWE"]));
    let mnangagwa = find(&v, "changed", "7513");
    assert_eq!(mnangagwa["name"], "MNANGAGWA, Emmerson Dambudzo");
    assert_eq!(mnangagwa["reason_changed"], true);
    let programs = mnangagwa["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "programs")
        .unwrap();
    assert_eq!(programs["before"], serde_json::json!(["ZIMBABWE"]));
    assert_eq!(programs["after"], serde_json::json!(["GLOMAG"]));
    assert!(
        v["changed"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["reason_changed"] == true)
    );
    let chiwenga = find(&v, "changed", "7489");
    assert_eq!(chiwenga["before"]["name"], "CHIWENGA, Constantine Gureya");
    assert_eq!(chiwenga["name"], "CHIWENGA, Constantino Guveya");

    let table = env.ok(&["since", "2024-03-01"]);
    assert!(
        table.contains("programs: [-ZIMBABWE-]; {+GLOMAG+}"),
        "{table}"
    );
    assert!(
        table.ends_with(
            "net 2 added, 86 removed, 12 changed (12 reason changes)\n\
             basis: us-ofac-sdn published 2024-03-04 (event 2), 682 days before 2026-01-15\n"
        ),
        "{table}"
    );

    let history = env.json(&["history", "7513"]);
    let versions = history["entries"][0]["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1]["published"], "2024-03-04");
}

#[test]
fn sdn_2021_12_30_removes_150_and_adds_none() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    env.ok(&[
        "ingest",
        &real.file("ofac-sdn/2021-12-22"),
        &real.file("ofac-sdn/2021-12-30"),
    ]);
    let v = env.json(&["diff", "2021-12-22", "2021-12-30"]);
    assert_eq!(
        (
            count(&v, "added"),
            count(&v, "removed"),
            count(&v, "changed")
        ),
        (0, 150, 0)
    );
    assert_eq!(
        find(&v, "removed", "1572")["name"],
        "NORIEGA, Manuel Antonio"
    );
}

#[test]
fn sdn_2022_02_25_russia_designations_and_a_backfill() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    // Recorded out of order: the later file first, then the earlier one (a backfill).
    env.ok(&["ingest", &real.file("ofac-sdn/2022-02-25")]);
    let out = env.ok(&["ingest", &real.file("ofac-sdn/2022-02-24")]);
    assert!(out.contains("backfill"), "{out}");
    let v = env.json(&["since", "2022-02-25"]);
    assert_eq!(
        (
            count(&v, "added"),
            count(&v, "removed"),
            count(&v, "changed")
        ),
        (91, 0, 4)
    );
    assert_eq!(
        find(&v, "added", "17013")["name"],
        "VTB BANK PUBLIC JOINT STOCK COMPANY"
    );
    let sechin = find(&v, "changed", "16692");
    let programs = sechin["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "programs")
        .unwrap();
    assert_eq!(programs["added"], serde_json::json!(["RUSSIA-EO14024"]));
}

#[test]
fn the_sdn_four_file_set_reads_its_companions() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    env.ok(&["ingest", &real.file("ofac-sdn/2021-07-07")]);
    let log = env.json(&["log"]);
    assert_eq!(
        log["events"].as_array().unwrap().len(),
        1,
        "one publication for four files"
    );
    assert_eq!(log["events"][0]["added"], 8976);
    let h = env.json(&["history", "AEROCARIBBEAN AIRLINES"]);
    let entry = &h["entries"][0]["versions"][0]["entry"];
    assert_eq!(entry["id"], "36");
    assert!(
        entry["aliases"]
            .as_array()
            .unwrap()
            .contains(&Value::from("AERO-CARIBBEAN"))
    );
    assert!(
        entry["addresses"]
            .as_array()
            .unwrap()
            .contains(&Value::from("Havana, Cuba"))
    );
    // The 2019 set is stored with LF line endings and no end-of-file byte.
    env.ok(&["ingest", &real.file("ofac-sdn/2019-01-04")]);
    assert_eq!(
        env.json(&["as-of", "2019-01-04"])["entries"]
            .as_array()
            .unwrap()
            .len(),
        7379
    );
}

#[test]
fn compare_gives_the_same_answer_as_the_store() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    let (old, new) = (
        real.file("ofac-sdn/2022-09-15/sdn.csv"),
        real.file("ofac-sdn/2022-09-22/sdn.csv"),
    );
    let compared = env.json(&["compare", &old, &new]);
    assert_eq!(
        (count(&compared, "added"), count(&compared, "changed")),
        (7, 45)
    );
    assert_eq!(find(&compared, "changed", "8237")["reason_changed"], true);
    assert_eq!(compared["from"], "2022-09-15");
    env.ok(&["ingest", &old, &new]);
    let stored = env.json(&["diff", "2022-09-15", "2022-09-22"]);
    for key in ["added", "removed", "changed"] {
        assert_eq!(ids(&compared[key]), ids(&stored[key]), "{key}");
    }
}

#[test]
fn the_consolidated_screening_list_is_one_publication_per_source() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    let file = real.file("trade-csl/2023-11-30/consolidated.csv");
    let out = env.cmd(&["ingest", &file]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(":4233:") && stderr.contains("cut short"),
        "the extract's cut last record is reported: {stderr}"
    );
    let log = env.json(&["log"]);
    let lists: Vec<&str> = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["list"].as_str().unwrap())
        .collect();
    assert_eq!(lists.len(), 13);
    assert!(
        lists.contains(&"us-csl-el")
            && lists.contains(&"us-csl-sdn")
            && lists.contains(&"us-csl-ns-mbs")
    );
    let el = env.json(&["as-of", "2023-11-30", "--list", "us-csl-el"]);
    let entries = el["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 919);
    assert!(entries.iter().all(|e| e["list"] == "us-csl-el"));
    assert!(
        entries
            .iter()
            .any(|e| e["license_requirement"].is_string() && e["citations"].is_array())
    );
    assert_eq!(
        env.json(&["as-of", "2023-11-30", "--list", "us-csl-sdn"])["entries"]
            .as_array()
            .unwrap()
            .len(),
        1738
    );

    // The older layout without _id, and --list to take one source from a file.
    let old = real.file("trade-csl/2019-12-03/consolidated.csv");
    env.ok(&["ingest", "--list", "us-csl-el", &old]);
    assert_eq!(
        env.json(&["as-of", "2019-12-03", "--list", "us-csl-el"])["entries"]
            .as_array()
            .unwrap()
            .len(),
        22
    );
    assert_eq!(env.json(&["log"])["events"].as_array().unwrap().len(), 14);
}

#[test]
fn latin_1_text_is_read() {
    let env = Env::new();
    let mut bytes = b"36,\"CAF\xC9 DEL MAR S.A.\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"Ca\xF1ada.\"\r\n".to_vec();
    bytes.push(0x1A);
    let file = env.write("2024-01-02/sdn.csv", bytes);
    env.ok(&["ingest", &file]);
    let v = env.json(&["as-of", "2024-01-02"]);
    assert_eq!(v["entries"][0]["name"], "CAFÉ DEL MAR S.A.");
    assert_eq!(v["entries"][0]["reason"], "Cañada.");
}
