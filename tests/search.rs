//! Finding an entry (issue 12 item 8): `history QUERY` matches any name an entry has had, its
//! primary name or an alias in any version, ignoring case, accents, punctuation and word order;
//! when nothing matches it says so and shows the five closest names.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, RealData, native};
use serde_json::{Value, json};

/// A list `l`: a snapshot of 2024-01-02 and one of 2024-03-04 in which entry 2 lost its alias
/// and entry 3 was renamed.
fn people() -> Env {
    let env = Env::new();
    let first = env.write(
        "1.json",
        native(
            "l",
            "2024-01-02",
            "snapshot",
            json!({"entries": [
                {"id": "1", "name": "MUGABE, Robert Gabriel", "programs": ["ZIMBABWE"]},
                {"id": "2", "name": "CANO CORREA, Jhon Eidelber", "aliases": ["CARDONA RIBILLAS, Alejandro"]},
                {"id": "3", "name": "Société Générale de Négoce", "aliases": ["SGN"]},
                {"id": "4", "name": "O'BRIEN-SMITH Trading"},
                {"id": "5", "name": "Zhejiang Uniview Technologies Co., Ltd."},
                {"id": "6", "name": "MUGABE, Grace"},
                {"id": "7", "name": "Straße Holdings"},
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
                {"id": "1", "name": "MUGABE, Robert Gabriel", "programs": ["ZIMBABWE"]},
                {"id": "2", "name": "CANO CORREA, Jhon Eidelber"},
                {"id": "3", "name": "SGN Trading", "aliases": ["SGN"]},
                {"id": "4", "name": "O'BRIEN-SMITH Trading"},
                {"id": "5", "name": "Zhejiang Uniview Technologies Co., Ltd."},
                {"id": "6", "name": "MUGABE, Grace"},
                {"id": "7", "name": "Straße Holdings"},
            ]}),
        ),
    );
    env.ok(&["ingest", &first, &second]);
    env
}

/// The ids of the entries a history answer lists.
fn found(v: &Value) -> Vec<String> {
    v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_name_matches_in_any_word_order_without_case_accents_or_punctuation() {
    let env = people();
    for (query, expected) in [
        ("Mugabe Robert", vec!["1"]),
        ("robert mugabe", vec!["1"]),
        ("MUGABE, Robert Gabriel", vec!["1"]),
        ("gabriel,mugabe", vec!["1"]),
        ("mugabe", vec!["1", "6"]),
        ("societe generale", vec!["3"]),
        ("SOCIÉTÉ   négoce", vec!["3"]),
        ("obrien smith", vec!["4"]),
        ("O'Brien-Smith", vec!["4"]),
        ("o brien", vec!["4"]),
        ("uniview co ltd", vec!["5"]),
        ("strasse", vec!["7"]),
        ("Straße", vec!["7"]),
    ] {
        let v = env.json(&["history", query]);
        assert_eq!(found(&v), expected, "history {query:?}: {v}");
    }
}

#[test]
fn an_alias_of_any_version_finds_its_entry() {
    let env = people();
    // Entry 2's alias was dropped by the second snapshot: a name it has had still finds it.
    let v = env.json(&["history", "CARDONA RIBILLAS"]);
    assert_eq!(found(&v), ["2"], "{v}");
    assert_eq!(v["entries"][0]["name"], "CANO CORREA, Jhon Eidelber");
    assert_eq!(v["entries"][0]["matched"], "CARDONA RIBILLAS, Alejandro");
    // An earlier primary name too.
    let v = env.json(&["history", "Societe Generale"]);
    assert_eq!(found(&v), ["3"]);
    assert_eq!(v["entries"][0]["name"], "SGN Trading");
    assert_eq!(v["entries"][0]["matched"], "Société Générale de Négoce");
    // The table says which name matched, when it is not the entry's name.
    let table = env.ok(&["history", "ribillas alejandro"]);
    assert!(
        table.starts_with(
            "l · 2 · CANO CORREA, Jhon Eidelber · matched \"CARDONA RIBILLAS, Alejandro\"\n"
        ),
        "{table}"
    );
    assert!(table.contains("\n1 entry matched\n"), "{table}");
    // Matched by its current name: nothing more is said.
    let table = env.ok(&["history", "grace mugabe"]);
    assert!(table.starts_with("l · 6 · MUGABE, Grace\n"), "{table}");
    // Ids still match exactly.
    assert_eq!(found(&env.json(&["history", "3"])), ["3"]);
}

#[test]
fn nothing_matched_says_so_and_shows_the_five_closest_names() {
    let env = people();
    let table = env.ok(&["history", "Mugabi Robrt"]);
    assert!(
        table.starts_with("No entry's id or name matches \"Mugabi Robrt\". The closest names:\n"),
        "{table}"
    );
    let closest: Vec<&str> = table
        .lines()
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(closest.len(), 5, "{table}");
    assert!(
        closest[0].contains("MUGABE, Robert Gabriel"),
        "the closest name first: {table}"
    );
    assert!(
        closest[0].split_whitespace().take(2).eq(["l", "1"]),
        "each with its list and id: {table}"
    );
    assert!(
        !table.lines().any(|l| l == "0 entries matched"),
        "never a bare \"0 entries matched\": {table}"
    );
    // A close alias is shown with the entry it names.
    let table = env.ok(&["history", "Cardona Rivillas"]);
    let first = table.lines().nth(1).unwrap();
    assert!(
        first.contains("CARDONA RIBILLAS, Alejandro") && first.contains("CANO CORREA"),
        "{table}"
    );

    let v = env.json(&["history", "Mugabi Robrt"]);
    assert_eq!(v["entries"], json!([]));
    let closest = v["closest"].as_array().unwrap();
    assert_eq!(closest.len(), 5, "{v}");
    assert_eq!(
        closest[0],
        json!({"list": "l", "id": "1", "name": "MUGABE, Robert Gabriel", "entry_name": "MUGABE, Robert Gabriel"})
    );
    // NDJSON: one {"closest": …} line per name, then the basis.
    let lines = env.ok(&["history", "Mugabi Robrt", "-o", "ndjson"]);
    let kinds: Vec<String> = lines
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v.as_object().unwrap().keys().next().unwrap().clone()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "closest", "closest", "closest", "closest", "closest", "basis"
        ]
    );
    // CSV keeps its rows (versions: none) and says so on standard error.
    let output = env
        .cmd(&["history", "Mugabi Robrt", "-o", "csv"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with(
            "listdiff: note: no entry's id or name matches \"Mugabi Robrt\"; the closest names:\n\
             listdiff: note: closest: l 1 MUGABE, Robert Gabriel\n"
        ),
        "{stderr}"
    );
    assert_eq!(stderr.matches("note: closest: ").count(), 5, "{stderr}");
    // A match leaves `closest` out.
    assert!(
        env.json(&["history", "mugabe robert"])
            .get("closest")
            .is_none()
    );
}

#[test]
fn an_sdn_alias_finds_its_entry_on_real_data() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    env.ok(&["ingest", &real.file("ofac-sdn/2021-07-07")]);
    let v = env.json(&["history", "CARDONA RIBILLAS"]);
    assert_eq!(found(&v), ["10000"], "{v}");
    assert_eq!(v["entries"][0]["name"], "CANO CORREA, Jhon Eidelber");
    let v = env.json(&["history", "Mugabe Robert"]);
    assert_eq!(found(&v), ["7480"], "{v}");
    assert_eq!(v["entries"][0]["name"], "MUGABE, Robert Gabriel");
    let table = env.ok(&["history", "Mugabee Robret"]);
    assert!(
        table.starts_with("No entry's id or name matches \"Mugabee Robret\"."),
        "{table}"
    );
    assert!(
        table
            .lines()
            .nth(1)
            .unwrap()
            .contains("MUGABE, Robert Gabriel"),
        "{table}"
    );
}
