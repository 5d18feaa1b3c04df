//! Formats with no real copy here (eCFR, EU, UK, OFAC XML, plain CSV), on the hand-made files in
//! tests/fixtures/ (each says it is hand-made), through auto-detection and the binary.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, ids, repo};
use serde_json::Value;

fn fixture(path: &str) -> String {
    repo(&format!("tests/fixtures/{path}"))
}

/// The (list, published) of every event.
fn events(env: &Env) -> Vec<(String, String)> {
    env.json(&["log"])["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["list"].as_str().unwrap().to_string(),
                e["published"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn changed_fields(change: &Value) -> Vec<String> {
    change["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect()
}

/// Ingests `dir` (recognising every file), then checks the difference between its first and
/// last publication: one addition, one removal, and one entry whose reason changed. `dates` are
/// the publication times the log shows (a date, or a date and the UTC time the file states).
fn two_publications(
    dir: &str,
    list: &str,
    dates: [&str; 2],
    added: &str,
    removed: &str,
    changed: &str,
) -> Value {
    let env = Env::new();
    env.ok(&["ingest", "--allow-drop", &fixture(dir)]);
    let got = events(&env);
    assert_eq!(
        got,
        dates.map(|d| (list.to_string(), d.to_string())),
        "{dir}: lists and dates"
    );
    let diff = env.json(&["diff", &dates[0][..10], &dates[1][..10]]);
    assert_eq!(ids(&diff["added"]), [added], "{dir}: added");
    assert_eq!(ids(&diff["removed"]), [removed], "{dir}: removed");
    let change = diff["changed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == changed)
        .unwrap_or_else(|| panic!("{dir}: {changed} not changed: {diff}"))
        .clone();
    assert_eq!(change["reason_changed"], true, "{dir}: {change}");
    change
}

#[test]
fn ofac_sdn_xml_and_advanced_xml() {
    for dir in ["ofac-xml", "ofac-advanced-xml"] {
        let change = two_publications(
            dir,
            "us-ofac-sdn",
            ["2024-03-01", "2024-03-04"],
            "99001",
            "7480",
            "7513",
        );
        let programs = change["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field"] == "programs")
            .unwrap();
        assert_eq!(programs["before"], serde_json::json!(["ZIMBABWE"]), "{dir}");
        assert_eq!(programs["after"], serde_json::json!(["GLOMAG"]), "{dir}");
    }
}

/// The legacy SDN.XML and the advanced XML of one day (hand-made: links only as
/// `ProfileRelationships` in the advanced file, `(Linked To: X)` in the legacy remarks; an
/// "undetermined" location): a switch between the feeds shows no reason change and changes
/// nothing both carry. The only differences are what only the advanced XML states.
#[test]
fn ofac_legacy_and_advanced_xml_of_one_day_agree() {
    let advanced_only = [
        "listed_on",
        "extra.lists",
        "extra.sanctions_measures",
        "extra.legal_basis",
        "extra.relationships",
        "extra.other_script_names",
        "extra.address_other_scripts",
    ];
    let env = Env::new();
    for date in ["2024-03-01", "2024-03-04"] {
        let legacy = fixture(&format!("ofac-xml/{date}/SDN.XML"));
        let advanced = fixture(&format!("ofac-advanced-xml/{date}/sdn_advanced.xml"));
        for (old, new) in [(&legacy, &advanced), (&advanced, &legacy)] {
            let diff = env.json(&["compare", old, new]);
            assert_eq!(ids(&diff["added"]), Vec::<String>::new(), "{date}");
            assert_eq!(ids(&diff["removed"]), Vec::<String>::new(), "{date}");
            for change in diff["changed"].as_array().unwrap() {
                assert_eq!(change["reason_changed"], false, "{date}: {change}");
                for field in changed_fields(change) {
                    assert!(
                        advanced_only.contains(&field.as_str()),
                        "{date}: {field} differs: {change}"
                    );
                }
            }
        }
    }
    // The links are written as the legacy remarks write them, and the undetermined location is
    // neither an address nor a country.
    let state = |path: &str| {
        let env = Env::new();
        env.ok(&["ingest", &fixture(path)]);
        env.json(&["as-of", "2024-03-01"])
    };
    for path in [
        "ofac-xml/2024-03-01/SDN.XML",
        "ofac-advanced-xml/2024-03-01/sdn_advanced.xml",
    ] {
        let state = state(path);
        let grace = common::find(&state, "entries", "7480");
        assert_eq!(
            grace["reason"], "DOB 1965; Linked To: MNANGAGWA, Emmerson Dambudzo.",
            "{path}"
        );
        assert_eq!(grace.get("countries"), None, "{path}: {grace}");
        assert_eq!(grace.get("addresses"), None, "{path}: {grace}");
        let shona = common::find(&state, "entries", "15036");
        assert_eq!(
            shona["reason"],
            "Vessel Registration Identification IMO 9187629; Linked To: AEROCARIBBEAN AIRLINES.",
            "{path}"
        );
    }
}

#[test]
fn eu_financial_sanctions_files_xml_and_csv() {
    // The XML's generationDate (18:02:11+01:00, 17:45:03+02:00) is a UTC time on its date; the
    // CSV states only a date.
    for (dir, dates) in [
        (
            "eu-fsf-xml",
            ["2025-03-14T17:02:11Z", "2025-04-01T15:45:03Z"],
        ),
        ("eu-fsf-csv", ["2025-03-14", "2025-04-01"]),
    ] {
        let change = two_publications(dir, "eu-fsf", dates, "990002", "990001", "207");
        assert!(
            changed_fields(&change).contains(&"citations".to_string()),
            "{dir}: {change}"
        );
    }
}

#[test]
fn uk_fcdo_csv_and_xml_and_ofsi_csv() {
    for dir in ["uk-fcdo-csv", "uk-fcdo-xml"] {
        let change = two_publications(
            dir,
            "uk-fcdo",
            ["2025-03-14", "2025-04-02"],
            "GHR9001",
            "AFG9001",
            "RUS9001",
        );
        let fields = changed_fields(&change);
        assert!(fields.contains(&"reason".to_string()), "{dir}: {fields:?}");
        assert!(
            fields.contains(&"aliases".to_string()),
            "rows grouped into one entry: {fields:?}"
        );
    }
    let env = Env::new();
    env.ok(&["ingest", "--allow-drop", &fixture("uk-ofsi-csv")]);
    assert_eq!(
        events(&env),
        [
            ("uk-ofsi".into(), "2020-04-02".into()),
            ("uk-ofsi".into(), "2025-03-28".into())
        ]
    );
    let diff = env.json(&["diff", "2020-04-02", "2025-03-28"]);
    assert_eq!(ids(&diff["removed"]), ["12999"]);
    assert_eq!(ids(&diff["changed"]), ["13900", "15001"]);
    assert_eq!(
        diff["changed"][0]["reason_changed"], true,
        "regime Global Human Rights → Venezuela"
    );
}

#[test]
fn the_ecfr_entity_list_with_a_rename_kept_as_a_change() {
    let env = Env::new();
    let output = env
        .cmd(&["ingest", &fixture("ecfr-entity-list")])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("\"united arab emirates/desert falcon trading llc\" is \"united arab emirates/gulf star trading llc\" renamed"),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("renamed").count(),
        1,
        "a rename is told once: {stderr}"
    );
    assert_eq!(
        events(&env),
        [
            ("us-bis-entity-list".into(), "2024-01-12".into()),
            ("us-bis-entity-list".into(), "2024-06-03".into()),
            ("us-bis-entity-list".into(), "2024-09-13".into()),
        ],
        "dates from the eCFR's amendment date where the file has one, else from the path"
    );
    let diff = env.json(&["diff", "2024-01-12", "2024-06-03"]);
    assert_eq!(ids(&diff["removed"]), ["russia/aviazapchast"]);
    assert_eq!(ids(&diff["added"]), ["iran/tehran dynamics"]);
    let renamed = diff["changed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "united arab emirates/gulf star trading llc")
        .expect("the rename is a change of the old entry");
    assert_eq!(renamed["before"]["name"], "Gulf Star Trading LLC");
    assert_eq!(renamed["name"], "Desert Falcon Trading LLC");
    let policy = diff["changed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "china peoples republic of/example optics institute")
        .unwrap();
    assert_eq!(changed_fields(policy), ["license_policy", "citations"]);
    assert_eq!(policy["reason_changed"], true);
    // The renamed entry's history is one entry with both names.
    let history = env.json(&["history", "Desert Falcon"]);
    assert_eq!(history["entries"].as_array().unwrap().len(), 1, "{history}");
}

#[test]
fn a_plain_csv_with_key_and_map() {
    let env = Env::new();
    let (old, new) = (
        fixture("csv/uflpa-2024-06-12.csv"),
        fixture("csv/uflpa-2024-11-01.csv"),
    );
    let common = [
        "--list",
        "us-dhs-uflpa",
        "--key",
        "Entity Name",
        "--map",
        "name=Entity Name",
        "--map",
        "aliases=Also Known As",
        "--map",
        "countries=Country",
        "--map",
        "programs=UFLPA List",
        "--map",
        "citations=Federal Register Notice",
        "--map",
        "listed_on=Date Added",
    ];
    for (file, date) in [(&old, "2024-06-12"), (&new, "2024-11-01")] {
        let mut args = vec!["ingest", "--allow-drop", "--published", date];
        args.extend(common);
        args.push(file);
        env.ok(&args);
    }
    let state = env.json(&["as-of", "2024-06-12"]);
    let entries = state["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 6);
    let cotton = entries
        .iter()
        .find(|e| e["id"] == "Xinjiang Example Cotton Co., Ltd.")
        .expect("keyed by the name column");
    assert_eq!(cotton["name"], "Xinjiang Example Cotton Co., Ltd.");
    assert_eq!(
        cotton["aliases"],
        serde_json::json!(["Example Cotton", "XEC"])
    );
    assert_eq!(cotton["citations"], serde_json::json!(["87 FR 47777"]));
    assert_eq!(cotton["listed_on"], "2022-06-17");
    assert_eq!(
        cotton["extra"]["Notes"], "Listed in the June 2022 Enforcement Strategy.",
        "unmapped columns are kept in extra"
    );
    let diff = env.json(&["diff", "2024-06-12", "2024-11-01"]);
    let total = ["added", "removed", "changed"].map(|k| diff[k].as_array().unwrap().len());
    assert!(total.iter().sum::<usize>() > 0, "{diff}");
    // The same files compared without a store give the same answer.
    let mut args = vec!["compare"];
    args.extend(common);
    args.extend([old.as_str(), new.as_str()]);
    args.extend(["-o", "json"]);
    let compared: Value = serde_json::from_str(&env.ok(&args)).unwrap();
    for key in ["added", "removed", "changed"] {
        assert_eq!(ids(&compared[key]), ids(&diff[key]), "{key}");
    }
}

#[test]
fn formats_lists_every_format_with_its_list_key_and_reasons() {
    let env = Env::new();
    let out = env.ok(&["formats"]);
    for name in [
        "native",
        "native-ndjson",
        "csl-csv",
        "csl-json",
        "ofac-sdn-csv",
        "ofac-cons-csv",
        "ofac-xml",
        "ofac-advanced-xml",
        "un-xml",
        "eu-fsf-xml",
        "eu-fsf-csv",
        "uk-fcdo-csv",
        "uk-fcdo-xml",
        "uk-ofsi-csv",
        "bis-dpl",
        "ecfr-entity-list",
        "federal-register",
        "dhs-uflpa-html",
        "ftm-json",
        "ftm-delta",
        "csv",
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(&format!("{name}: "))),
            "{name} missing from:\n{out}"
        );
    }
    assert_eq!(out.matches("  list ids").count(), 21);
    assert_eq!(out.matches("  key").count(), 21);
    assert_eq!(out.matches("  reasons").count(), 21);
    for list in [
        "un-sc",
        "eu-fsf",
        "uk-fcdo",
        "uk-ofsi",
        "us-bis-dpl",
        "us-bis-entity-list",
        "uflpa-entity-list",
        "us-ofac-cons",
    ] {
        assert!(out.contains(list), "{list} missing");
    }
}
