//! Large snapshots are read and recorded one entry at a time (EU XML over 64 KiB): the history
//! they give is the one a whole read gives.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, ids, repo};

/// An EU XML file of `copies` copies of the hand-made fixture's entities (logicalIds renumbered
/// per copy), without copy `skip`, and with copy `reworded`'s remarks changed.
fn big_eu_file(copies: usize, skip: Option<usize>, reworded: Option<usize>, date: &str) -> String {
    let text = std::fs::read_to_string(repo("tests/fixtures/eu-fsf-xml/2025-03-14.xml")).unwrap();
    let start = text.find("<sanctionEntity").unwrap();
    let end = text.rfind("</export>").unwrap();
    let head = text[..start].replace("2025-03-14T18:02:11.101+01:00", date);
    let body = &text[start..end];
    let mut out = head;
    for copy in 0..copies {
        if Some(copy) == skip {
            continue;
        }
        let mut block = body.replace("logicalId=\"", &format!("logicalId=\"{copy}0"));
        if Some(copy) == reworded {
            block = block.replace(
                "<remark>UNSC RESOLUTION 1483</remark>",
                "<remark>UNSC RESOLUTION 1483 (2003), as amended</remark>",
            );
        }
        out.push_str(&block);
    }
    out.push_str(&text[end..]);
    out
}

#[test]
fn a_large_eu_file_is_recorded_as_a_whole_read_would_record_it() {
    let env = Env::new();
    let day1 = env.write(
        "d1/eu.xml",
        big_eu_file(60, None, None, "2025-05-01T10:00:00+02:00"),
    );
    let day2 = env.write(
        "d2/eu.xml",
        big_eu_file(60, Some(5), Some(7), "2025-05-02T10:00:00+02:00"),
    );
    assert!(
        std::fs::metadata(&day1).unwrap().len() > 128 * 1024,
        "large enough to be streamed"
    );
    let out = env.ok(&["ingest", &day1, &day2]);
    assert!(
        out.contains("eu-fsf 2025-05-01T08:00:00Z snapshot, 180 added, 0 removed, 0 changed"),
        "{out}"
    );
    assert!(
        out.contains("eu-fsf 2025-05-02T08:00:00Z snapshot, 0 added, 3 removed, 1 changed"),
        "{out}"
    );
    let diff = env.json(&["diff", "2025-05-01", "2025-05-02"]);
    assert_eq!(ids(&diff["changed"]), ["7013"]);
    assert_eq!(diff["changed"][0]["reason_changed"], true);
    assert_eq!(ids(&diff["removed"]), ["5013", "50207", "50990001"]);
    // The same files read whole, without a store, give the same difference.
    let compared = env.json(&["compare", &day1, &day2]);
    for key in ["added", "removed", "changed"] {
        assert_eq!(ids(&compared[key]), ids(&diff[key]), "{key}");
    }
    assert_eq!(
        env.json(&["as-of", "2025-05-02"])["entries"]
            .as_array()
            .unwrap()
            .len(),
        177
    );
    // Re-ingesting records nothing; the log replays exactly.
    assert!(
        env.ok(&["ingest", &day2])
            .contains("0 recorded, 1 already recorded")
    );
    assert!(env.ok(&["rebuild"]).contains("from 2 events"));
    // A correction of day 2 (a different file for the same date) is recorded whole.
    let corrected = env.write(
        "d2b/eu.xml",
        big_eu_file(60, Some(5), None, "2025-05-02T10:00:00+02:00"),
    );
    let out = env.ok(&["ingest", "--published", "2025-05-02", &corrected]);
    assert!(out.contains("corrects event 2"), "{out}");
    let diff = env.json(&["diff", "2025-05-01", "2025-05-02"]);
    assert_eq!(diff["changed"].as_array().unwrap().len(), 0, "{diff}");
}
