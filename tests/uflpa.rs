//! The UFLPA Entity List as DHS publishes it, a web page (`dhs-uflpa-html`): the real page of
//! 2025-01-14 (../shared/data/real, PROVENANCE.md §10) gives its 160 entities, and the same page
//! with its scripts, styles and surrounding markup changed, as they change from day to day,
//! compares as no change.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, RealData, count, ids};
use serde_json::json;

/// The page with everything around the list changed: other scripts, styles, tokens, classes
/// and wrapping elements, a banner, comments, a different "Last Updated" block layout.
fn relaid(page: &str) -> String {
    let mut out = page
        .replace("<script", "<script data-build=\"20250115\"")
        .replace("</head>", "<style>.usa-hero{color:red}</style><script>var token = \"<table><tr><th>Entity Name</th><th>Effective Date</th></tr><tr><td>Not an entity</td><td>June 1, 2022</td></tr></table>\";</script></head>")
        .replace("<table>", "<div class=\"table-wrap new-layout\"><!-- wrapped --><table class=\"usa-table\">")
        .replace("</table>", "</table></div>")
        .replace("class=\"last-updated\"", "class=\"updated-on\"")
        .replace("<h1 class=\"uswds-page-title page-title\">", "<h1 class=\"page-title-v2\">");
    out = out.replace("<body", "<body data-x=\"1\"><div class=\"banner\">An official website of the United States government</div><span hidden></span><body");
    out
}

#[test]
fn the_real_page_gives_160_entities_with_their_effective_dates() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    let out = env.ok(&["ingest", &real.file("dhs-uflpa")]);
    assert!(
        out.contains("uflpa-entity-list 2025-01-14 snapshot, 160 added, 0 removed, 0 changed"),
        "{out}"
    );
    let state = env.json(&["as-of", "2025-01-14"]);
    let entries = state["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 160);
    // Every entity has its effective date, between the list's first and last.
    for e in entries {
        let date = e["listed_on"].as_str().unwrap_or_else(|| panic!("{e}"));
        assert!(("2022-06-21"..="2025-01-15").contains(&date), "{e}");
    }
    let by_category = |reference: &str| {
        entries
            .iter()
            .filter(|e| e["programs"] == json!([format!("Section {reference}")]))
            .count()
    };
    assert_eq!(
        (
            by_category("2(d)(2)(B)(i)"),
            by_category("2(d)(2)(B)(ii)"),
            by_category("2(d)(2)(B)(v)")
        ),
        (9, 43, 108)
    );
    let hoshine = entries
        .iter()
        .find(|e| e["id"] == "2(d)(2)(B)(i)/hoshine silicon industry shanshan co ltd")
        .unwrap();
    assert_eq!(
        hoshine["name"],
        "Hoshine Silicon Industry (Shanshan) Co., Ltd"
    );
    assert_eq!(
        hoshine["aliases"],
        json!(["Hesheng Silicon Industry (Shanshan) Co."])
    );
    assert_eq!(hoshine["listed_on"], "2022-06-21");
    assert_eq!(hoshine["extra"]["scope"], "and subsidiaries");
    let aksu = entries
        .iter()
        .find(|e| e["id"] == "2(d)(2)(B)(ii)/aksu huafu color spinning co ltd")
        .unwrap();
    assert_eq!(aksu["aliases"].as_array().unwrap().len(), 4);
    assert_eq!(aksu["listed_on"], "2025-01-15");
    let log = env.json(&["log"]);
    assert_eq!(log["events"][0]["format"], "dhs-uflpa-html");
}

#[test]
fn scripts_styles_and_layout_changed_are_no_change() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    let page =
        std::fs::read_to_string(real.file("dhs-uflpa/2025-01-14/uflpa-entity-list.html")).unwrap();
    let variant = relaid(&page);
    assert_ne!(variant, page);
    let first = env.write("2025-01-14/uflpa-entity-list.html", &page);
    let second = env.write("2025-01-15/uflpa-entity-list.html", &variant);
    // Without a store.
    let compared = env.json(&["compare", &first, &second]);
    assert_eq!(
        (
            count(&compared, "added"),
            count(&compared, "removed"),
            count(&compared, "changed")
        ),
        (0, 0, 0),
        "{compared:#}"
    );
    // Recorded: the second page, dated by its path, changes nothing.
    env.ok(&["ingest", &first]);
    let out = env.ok(&["ingest", "--published", "2025-01-15", &second]);
    assert!(out.contains("0 added, 0 removed, 0 changed"), "{out}");

    // A real change does show: one entity's row taken out.
    let at = variant.find("<tr><td>Camel Group Co., Ltd.</td>").unwrap();
    let end = at + variant[at..].find("</tr>").unwrap() + "</tr>".len();
    let fewer = format!("{}{}", &variant[..at], &variant[end..]);
    let third = env.write("2025-01-16/uflpa-entity-list.html", fewer);
    env.ok(&["ingest", "--published", "2025-01-16", &third]);
    let d = env.json(&["diff", "2025-01-15", "2025-01-16"]);
    assert_eq!(ids(&d["removed"]), ["2(d)(2)(B)(ii)/camel group co ltd"]);
}

#[test]
fn a_page_without_the_list_is_refused() {
    let env = Env::new();
    let page = env.write(
        "2025-01-14/uflpa-entity-list.html",
        "<!DOCTYPE html><html><head><title>UFLPA Entity List | Homeland Security</title></head><body><p>We are updating this page.</p></body></html>",
    );
    let out = env.cmd(&["ingest", &page]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("uflpa-entity-list.html") && stderr.contains("no table"),
        "{stderr}"
    );
    assert!(env.ok(&["formats"]).contains("dhs-uflpa-html"));
}
