//! Real publications of the formats beyond the SDN CSV and the CSL (see
//! ../shared/data/real/PROVENANCE.md): every file goes through auto-detection and the binary.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, RealData, count, field, find, ids};

#[test]
fn ofac_consolidated_csv_2018_to_2025() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    let old = real.file("ofac-consolidated/2018-04-06/cons_prim.csv");
    let new = real.file("ofac-consolidated/2025-12-19/cons_prim.csv");
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
    let Some(real) = RealData::or_skip() else {
        return;
    };
    // consolidated.xml and cons_prim.csv (+ companions) of 2018-04-06 are one publication in
    // two formats, so a history may mix them: recorded together, the second corrects the first.
    let env = Env::new();
    let out = env.ok(&["ingest", &real.file("ofac-consolidated/2018-04-06")]);
    assert!(out.contains("2 recorded"), "{out}");
    let log = env.json(&["log"]);
    let events = log["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    for event in events {
        assert_eq!(event["list"], "us-ofac-cons");
        assert_eq!(event["published"], "2018-04-06", "Publish_Date 04/06/2018");
    }
    assert!(events[1]["source"].as_str().unwrap().contains("04/06/2018"));
    assert_eq!(count(&env.json(&["as-of", "2018-04-06"]), "entries"), 639);
    // Switching formats is not mistaken for the publisher's changes.
    let compared = env.json(&[
        "compare",
        &real.file("ofac-consolidated/2018-04-06/cons_prim.csv"),
        &real.file("ofac-consolidated/2018-04-06/consolidated.xml"),
    ]);
    assert_eq!(
        (count(&compared, "added"), count(&compared, "removed")),
        (0, 0)
    );
    assert_eq!(
        ids(&compared["changed"]),
        Vec::<String>::new(),
        "the XML and the CSV give the same entries"
    );
}

#[test]
fn un_consolidated_list_history() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    // The last file is dated after the tests' clock (2026-01-15).
    env.ok(&["ingest", "--allow-future", &real.file("un-consolidated")]);
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
            "2018-06-07T23:03:43Z",
            "2018-06-21T23:02:22Z",
            "2018-08-24T23:40:35Z",
            "2018-10-29T23:09:49Z",
            "2020-11-23",
            "2020-11-24",
            "2020-12-01",
            "2025-11-18T23:00:09Z",
            "2026-02-27T00:00:09Z"
        ],
        "dates from dateGenerated, in its own offset; its time where it is UTC on that date (19:03 at -04:00 is 23:03 UTC; 19:10 at -05:00 is the next day in UTC: no time)"
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

#[test]
fn bis_denied_persons_list_keys_are_stable_and_duplicates_are_told() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    // 2019 → 2022 removes 135 of 543 derived keys (24.9%): over three years, a real churn that
    // the broken-feed guard asks to confirm.
    let refused = env
        .cmd(&["ingest", &real.file("bis-dpl")])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("would remove 135 of the 543 in force")
    );
    let output = env
        .cmd(&["ingest", "--allow-drop", &real.file("bis-dpl")])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Every row kept or explained: 546/581/665 rows, 3/2/2 exact repeats, each named by line.
    assert_eq!(stderr.matches("repeats line").count(), 7, "{stderr}");
    assert!(
        stderr.contains("2019-06-29/dpl.txt:130: the row repeats line 129"),
        "{stderr}"
    );
    let size = |date: &str| count(&env.json(&["as-of", date]), "entries");
    assert_eq!(
        (size("2019-06-29"), size("2022-09-07"), size("2023-11-30")),
        (546 - 3, 581 - 2, 665 - 2)
    );
    let diff = env.json(&["diff", "2022-09-07", "2023-11-30"]);
    assert_eq!(
        (
            count(&diff, "added"),
            count(&diff, "removed"),
            count(&diff, "changed")
        ),
        (178, 94, 70)
    );
    // AIR FREIGHT LTD (Dubai): the denial order renewed, 88 F.R. 30078 added.
    let renewed = find(&diff, "changed", "air-freight-ltd-9c6ab4826d46");
    assert_eq!(renewed["reason_changed"], true);
    let citations = field(renewed, "citations")["after"].as_array().unwrap();
    assert!(
        citations.iter().any(|c| c == "88 F.R. 30078 5/10/2023"),
        "{citations:?}"
    );
}

#[test]
fn opensanctions_entities_and_same_day_deltas() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    let out = env.ok(&[
        "ingest",
        &real.file("opensanctions-ftm/2024-06-01/entities.ftm.json"),
    ]);
    assert!(
        out.contains("os-eu_fsf 2024-06-01 snapshot, 7 added"),
        "{out}"
    );
    // The deltas: the 0-byte one is skipped; each other is one amendment, its source its file
    // name, so the three of 2024-05-28 are three publications, applied in recording order.
    let output = env
        .cmd(&[
            "ingest",
            "--list",
            "os-eu_fsf",
            &real.file("opensanctions-ftm/2024-06-01/deltas"),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("20240527134702-zbn.entities.delta.json: the file is empty"),
        "{stderr}"
    );
    assert!(stdout.contains("4 recorded"), "{stdout}");
    let log = env.json(&["log", "--list", "os-eu_fsf"]);
    let events = log["events"].as_array().unwrap();
    let dates: Vec<&str> = events
        .iter()
        .map(|e| e["published"].as_str().unwrap())
        .collect();
    assert_eq!(
        dates,
        [
            "2024-06-01",
            "2024-05-27",
            "2024-05-28",
            "2024-05-28",
            "2024-05-28"
        ]
    );
    for (event, version) in events[1..].iter().zip([
        "20240527194702-wnk",
        "20240528014702-pfh",
        "20240528074703-npf",
        "20240528134729-3iv",
    ]) {
        assert_eq!(event["kind"], "amendment");
        assert_eq!(event["counts"], true, "{event}");
        assert!(
            event["source"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{version}.entities.delta.json")),
            "{event}"
        );
    }
    // A delta ingested again records nothing.
    let again = env.ok(&[
        "ingest",
        "--list",
        "os-eu_fsf",
        &real.file("opensanctions-ftm/2024-06-01/deltas/20240528074703-npf.entities.delta.json"),
    ]);
    assert!(again.contains("0 recorded, 1 already recorded"), "{again}");
    // Volatile export timestamps (last_seen, last_change) are not part of an entry.
    let state = env.json(&["as-of", "2024-06-01"]);
    assert_eq!(count(&state, "entries"), 7);
    for entry in state["entries"].as_array().unwrap() {
        assert!(entry["extra"].get("last_seen").is_none(), "{entry}");
    }
}

/// The OFSI 2014 file (PROVENANCE.md §7) marks each group's primary name `Prime Alias`; its rows
/// are in alphabetical order of name, so a group's first row is often an alias. Every group's
/// name is its `Prime Alias` row (worked out here from the CSV independently of the reader), and
/// the only warning left is the one about the file's encoding (before: one per group, 2,298).
#[test]
fn ofsi_2014_names_are_the_prime_alias_rows() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let path = real.file("uk-ofsi/2014-04-02/sanctionsconlist.csv");
    let env = Env::new();
    let output = env.cmd(&["ingest", &path]).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("listdiff: warning"))
        .collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(warnings[0].contains("(0x92) is not UTF-8"), "{stderr}");

    // The expected names: the file read as Windows-1252, Name 1 … Name 5 then Name 6.
    let bytes = std::fs::read(&path).unwrap();
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
    let body = text.split_once('\n').unwrap().1;
    let mut reader = csv::ReaderBuilder::new().from_reader(body.as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (alias_type, group) = (column("Alias Type"), column("Group ID"));
    let name_columns: Vec<usize> = ["Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Name 6"]
        .iter()
        .map(|c| column(c))
        .collect();
    let mut expected: std::collections::BTreeMap<String, String> = Default::default();
    let mut rows = 0;
    for record in reader.records() {
        let record = record.unwrap();
        rows += 1;
        if &record[alias_type] == "Prime Alias" {
            let name = name_columns
                .iter()
                .flat_map(|&i| record[i].split_whitespace())
                .collect::<Vec<_>>()
                .join(" ");
            expected.insert(record[group].to_string(), name);
        }
    }
    assert_eq!((rows, expected.len()), (8950, 2297), "PROVENANCE.md §7");

    let state = env.json(&["as-of", "2014-04-02", "--list", "uk-ofsi"]);
    let entries = state["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2297);
    let wrong: Vec<String> = entries
        .iter()
        .filter(|e| {
            expected.get(e["id"].as_str().unwrap()).map(String::as_str) != e["name"].as_str()
        })
        .map(|e| format!("{} {}", e["id"], e["name"]))
        .collect();
    assert!(wrong.is_empty(), "{} names wrong: {wrong:?}", wrong.len());
    // Checked by hand against the file: groups whose first row is an alias.
    for (id, name, alias) in [
        (
            "12871",
            "SECOND ACADEMY OF NATURAL SCIENCES",
            "2ND ACADEMY OF NATURAL SCIENCES",
        ),
        (
            "6894",
            "Mohamad Iqbal ABDURRAHMAN",
            "Mohamad Iqbal A RAHMAN",
        ),
        ("12510", "Fayssal ABBAS", "Faysal ABBAS"),
        ("7059", "Said BAHAJI", "Mohamed ABBATTAY"),
    ] {
        let entry = find(&state, "entries", id);
        assert_eq!(entry["name"], name);
        assert!(
            entry["aliases"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a == alias),
            "{entry}"
        );
    }
}
