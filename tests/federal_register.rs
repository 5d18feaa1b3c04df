//! Federal Register rules amending the BIS Entity List (`federal-register`): the real rule of
//! 2023-02-27 (../shared/data/real, PROVENANCE.md §9) and hand-made rules in the wording real
//! rules use (tests/fixtures/federal-register, each marked hand-made): additions, revisions (one
//! of them a rename), removals, several countries in one rule, a correcting amendment, and a rule
//! folding with the eCFR snapshots before and after it.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, RealData, count, find, ids, repo};
use serde_json::{Value, json};

fn fixture(name: &str) -> String {
    repo(&format!("tests/fixtures/federal-register/{name}"))
}

/// Ingests `files` one by one; returns the standard error of the last.
fn ingest(env: &Env, files: &[&str]) -> String {
    let mut stderr = String::new();
    for file in files {
        let out = env.cmd(&["ingest", file]).output().unwrap();
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    }
    stderr
}

/// The entry `id` as the store has it now.
fn entry(env: &Env, id: &str) -> Value {
    let h = env.json(&["history", id]);
    let versions = h["entries"][0]["versions"].as_array().unwrap().clone();
    versions.last().unwrap()["entry"].clone()
}

#[test]
fn the_real_rule_is_one_amendment_of_13_additions_with_its_citation() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    let out = env.ok(&["ingest", &real.file("federal-register")]);
    assert!(
        out.contains(
            "us-bis-entity-list 2023-02-27 amendment, 13 added, 0 removed, 0 changed (88 FR 12170 (FR Doc. 2023-03929), effective 2023-02-24"
        ),
        "{out}"
    );
    let log = env.json(&["log"]);
    let event = &log["events"][0];
    assert_eq!(event["kind"], "amendment");
    assert_eq!(event["format"], "federal-register");
    assert!(
        event["source"]
            .as_str()
            .unwrap()
            .starts_with("88 FR 12170 (FR Doc. 2023-03929), effective 2023-02-24"),
        "{event}"
    );
    let list = env.json(&["as-of", "2023-02-27"]);
    let mut got = ids(&list["entries"]);
    got.sort();
    assert_eq!(
        got,
        [
            "canada/cpunto inc",
            "canada/electronic network inc",
            "china peoples republic of/aook technology ltd",
            "china peoples republic of/beijing ti tech science and technology development co",
            "china peoples republic of/beijing yunze technology co ltd",
            "china peoples republic of/china head aerospace technology co",
            "china peoples republic of/spacety co ltd",
            "france/china head aerospace technology co",
            "luxembourg/spacety co ltd",
            "netherlands/china head aerospace technology co",
            "russia/dexias industrial products and trade limited company",
            "russia/innovation and technologies llc",
            "russia/promtekhkomplekt jsc",
        ]
    );
    // The placeholder "88 FR [INSERT FR PAGE NUMBER AND 2/27/2023]" is the page the row is
    // printed on, as the eCFR cites it.
    let cpunto = entry(&env, "canada/cpunto inc");
    assert_eq!(cpunto["name"], "CPUNTO Inc.");
    assert_eq!(cpunto["countries"], json!(["CANADA"]));
    assert_eq!(cpunto["aliases"], json!(["CPUNTO"]));
    assert_eq!(
        cpunto["addresses"],
        json!(["5929 Route Transcanadienne Ste 130 St. Laurent, Quebec H4T 1Z6 Canada"])
    );
    assert_eq!(
        cpunto["license_requirement"],
        "For all items subject to the EAR. (See §§ 734.9(g), 744.21(b), and 746.8(a)(3) of the EAR)"
    );
    assert_eq!(
        cpunto["license_policy"],
        "Policy of denial for all items subject to the EAR apart from food and medicine designated as EAR99, which will be reviewed on a case-by-case basis. See §§ 746.8(b) and 744.21(e)"
    );
    assert_eq!(cpunto["citations"], json!(["88 FR 12172, 2/27/23"]));
    assert_eq!(cpunto["listed_on"], "2023-02-27");
    assert_eq!(
        cpunto["extra"]["license_requirement_footnotes"],
        json!(["3"])
    );
    assert_eq!(cpunto["extra"]["rename_key"], "canada|88 FR 12172");
    // A row continued over two table rows: its address is the second row's.
    let network = entry(&env, "canada/electronic network inc");
    assert_eq!(network["aliases"].as_array().unwrap().len(), 6);
    assert_eq!(
        network["addresses"],
        json!(["145 Montee De Liesse Ste 10 St. Laurent, Quebec H4T 1T9 Canada"])
    );
    // A row after the page marker 12173 cites that page.
    let yunze = entry(
        &env,
        "china peoples republic of/beijing yunze technology co ltd",
    );
    assert_eq!(yunze["citations"], json!(["88 FR 12173, 2/27/23"]));
    assert_eq!(yunze["addresses"].as_array().unwrap().len(), 3);
    // The same entity under three destinations: three entries.
    let france = entry(&env, "france/china head aerospace technology co");
    assert_eq!(france["countries"], json!(["FRANCE"]));

    // `history` of one of them shows the rule's citation.
    let h = env.ok(&["history", "Promtekhkomplekt"]);
    assert!(h.contains("event 1"), "{h}");
    let h = env.json(&["history", "Promtekhkomplekt"]);
    let cited = h["entries"][0]["versions"][0]["entry"]["citations"][0]
        .as_str()
        .unwrap();
    assert!(cited.starts_with("88 FR 1217"), "{cited}");
}

#[test]
fn a_rule_with_additions_a_revision_and_a_removal_under_several_countries() {
    let env = Env::new();
    ingest(&env, &[&fixture("fold/ecfr-2024-12-02.xml")]);
    let stderr = ingest(&env, &[&fixture("mix-2024-12-11.xml")]);
    assert!(!stderr.contains("warning"), "{stderr}");
    let d = env.json(&["diff", "2024-12-02", "2024-12-11"]);
    let mut added = ids(&d["added"]);
    added.sort();
    assert_eq!(
        added,
        [
            "china peoples republic of/beijing example vision co ltd",
            "iran/tehran example parts"
        ]
    );
    assert_eq!(ids(&d["removed"]), ["russia/kama trading llc"]);
    assert_eq!(
        ids(&d["changed"]),
        ["china peoples republic of/alpha optics co ltd"]
    );
    let alpha = find(
        &d,
        "changed",
        "china peoples republic of/alpha optics co ltd",
    );
    assert_eq!(alpha["entry"]["license_policy"], "Presumption of denial.");
    assert_eq!(
        alpha["entry"]["citations"],
        json!(["89 FR 1000, 1/5/24", "89 FR 99501, 12/11/24"])
    );
    // The Iranian entry is printed after the page marker 99502.
    let tehran = find(&d, "added", "iran/tehran example parts");
    assert_eq!(
        tehran["entry"]["citations"],
        json!(["89 FR 99502, 12/11/24"])
    );
    let log = env.json(&["log"]);
    assert_eq!(
        log["events"][1]["source"],
        "89 FR 99500 (FR Doc. 2024-99990), effective 2024-12-11 (dated \"12/11/2024\" in the file)"
    );
}

#[test]
fn the_ecfr_snapshot_that_reflects_a_rule_changes_nothing() {
    let env = Env::new();
    ingest(
        &env,
        &[
            &fixture("fold/ecfr-2024-12-02.xml"),
            &fixture("mix-2024-12-11.xml"),
            &fixture("fold/ecfr-2024-12-16.xml"),
        ],
    );
    let out = env.ok(&["log"]);
    assert!(
        out.contains("snapshot") && out.contains("amendment"),
        "{out}"
    );
    let d = env.json(&["diff", "2024-12-11", "2024-12-16"]);
    assert_eq!(
        (
            count(&d, "added"),
            count(&d, "removed"),
            count(&d, "changed")
        ),
        (0, 0, 0),
        "{d:#}"
    );
    let log = env.json(&["log"]);
    let event = &log["events"][2];
    assert_eq!(
        (&event["added"], &event["removed"], &event["changed"]),
        (&json!(0), &json!(0), &json!(0))
    );
}

#[test]
fn revisions_amend_the_entries_in_force_a_renamed_one_under_its_id() {
    let env = Env::new();
    // The eCFR before, with one more Chinese entry, listed under the name the rule revises.
    let gamma = "<TR><TD/><TD>Gamma Lasers Institute, 7 Demo Avenue, Xi’an, China.</TD><TD>For all items subject to the EAR. (See § 744.11 of the EAR).</TD><TD>Presumption of denial.</TD><TD>89 FR 1000, 1/5/24.</TD></TR>\n<TR><TD>RUSSIA";
    let before = env.write(
        "ecfr-2024-12-02.xml",
        std::fs::read_to_string(fixture("fold/ecfr-2024-12-02.xml"))
            .unwrap()
            .replace("<TR><TD>RUSSIA", gamma),
    );
    ingest(&env, &[&before]);
    assert!(
        ids(&env.json(&["as-of", "2026-01-01"])["entries"])
            .contains(&"china peoples republic of/gamma lasers institute".to_string())
    );
    let out = env
        .cmd(&["ingest", &fixture("revisions-2024-12-11.xml")])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The rename is told, naming both names.
    assert!(
        stderr.contains("revises the entry for \"Gamma Lasers Institute\" under \"CHINA, PEOPLE'S REPUBLIC OF\" and prints it as \"Gamma Photonics Institute\""),
        "{stderr}"
    );
    let d = env.json(&["diff", "2024-12-02", "2024-12-11"]);
    assert_eq!(count(&d, "added"), 0, "{d:#}");
    assert_eq!(count(&d, "removed"), 0, "{d:#}");
    let mut changed = ids(&d["changed"]);
    changed.sort();
    assert_eq!(
        changed,
        [
            "china peoples republic of/alpha optics co ltd",
            "china peoples republic of/gamma lasers institute"
        ]
    );
    let gamma = find(
        &d,
        "changed",
        "china peoples republic of/gamma lasers institute",
    );
    assert_eq!(gamma["entry"]["name"], "Gamma Photonics Institute");
    assert_eq!(gamma["entry"]["aliases"], json!(["Gamma Lasers Institute"]));
    let alpha = find(
        &d,
        "changed",
        "china peoples republic of/alpha optics co ltd",
    );
    assert_eq!(alpha["entry"]["aliases"], json!(["AOC", "Alpha Optical"]));
}

#[test]
fn removals_come_from_the_instructions_and_unknown_ones_are_named() {
    let env = Env::new();
    ingest(&env, &[&fixture("fold/ecfr-2024-12-02.xml")]);
    let out = env
        .cmd(&["ingest", &fixture("removals-2024-12-11.xml")])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("amendment, 0 added, 2 removed"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Karachi Example Works was never listed: said, naming the entry, not guessed.
    assert!(
        stderr.contains("warning")
            && stderr.contains("\"pakistan/karachi example works\"")
            && stderr.contains("no such entry was in force"),
        "{stderr}"
    );
    let d = env.json(&["diff", "2024-12-02", "2024-12-11"]);
    let mut removed = ids(&d["removed"]);
    removed.sort();
    assert_eq!(
        removed,
        ["russia/kama trading llc", "russia/volga parts jsc"]
    );
}

#[test]
fn a_correcting_amendment_names_the_rule_it_corrects() {
    let env = Env::new();
    ingest(
        &env,
        &[
            &fixture("fold/ecfr-2024-12-02.xml"),
            &fixture("mix-2024-12-11.xml"),
        ],
    );
    let out = env.ok(&["ingest", &fixture("correcting-2024-12-20.xml")]);
    assert!(
        out.contains("2024-12-20 amendment, 0 added, 0 removed, 1 changed (89 FR 101200 (FR Doc. 2024-99993), effective 2024-12-20, correcting 89 FR 99500"),
        "{out}"
    );
    let d = env.json(&["diff", "2024-12-11", "2024-12-20"]);
    let tehran = find(&d, "changed", "iran/tehran example parts");
    assert_eq!(
        tehran["entry"]["addresses"],
        json!(["19 Sample Square, Tehran, Iran"])
    );
    // Its own citation joins the first (citations are kept sorted): the entry keeps its
    // listing and rename key.
    assert_eq!(
        tehran["entry"]["citations"],
        json!(["89 FR 101201, 12/20/24", "89 FR 99502, 12/11/24"])
    );
    assert_eq!(tehran["entry"]["extra"]["rename_key"], "iran|89 FR 99502");
    // The corrected rule still stands for the days it was in force.
    let then = env.json(&["as-of", "2024-12-15"]);
    let t = then["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "iran/tehran example parts")
        .unwrap();
    assert_eq!(t["addresses"], json!(["9 Sample Square, Tehran, Iran"]));
}

#[test]
fn formats_lists_the_format_and_detection_needs_no_flag() {
    let env = Env::new();
    let out = env.ok(&["formats"]);
    assert!(out.contains("federal-register"), "{out}");
    // A rule that does not amend the Entity List is refused with a clear message, exit 2.
    let other = env.write(
        "2024-01-02/other-rule.xml",
        "<RULE><PREAMB><SUBJECT>Other</SUBJECT></PREAMB><REGTEXT><AMDPAR>1. Section 740.2 is amended.</AMDPAR></REGTEXT></RULE>",
    );
    let out = env.cmd(&["ingest", &other]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("other-rule.xml") && stderr.contains("does not amend Supplement No. 4"),
        "{stderr}"
    );
}

/// `history` of an entry the real rule added shows, in its table, the rule's citation for the
/// row (issue 13's "Done when").
#[test]
fn history_of_an_entry_the_real_rule_added_shows_the_rules_citation() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    env.ok(&["ingest", &real.file("federal-register")]);
    let out = env.ok(&["history", "Spacety"]);
    assert!(
        out.contains("us-bis-entity-list · china peoples republic of/spacety co ltd"),
        "{out}"
    );
    assert!(out.contains(" · cited 88 FR 121"), "{out}");
    assert!(out.contains(", 2/27/23\n"), "{out}");
    assert!(!out.contains("INSERT FR PAGE"), "{out}");
}
