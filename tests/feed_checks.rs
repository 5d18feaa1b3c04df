//! Feed checks against a list's earlier publication (issue 12, items 4 to 6): an OFAC legacy CSV
//! file without the end-of-file mark (0x1A) its list's earlier publication had is a cut download
//! (`--allow-cut`); an OFAC SDN publication without the companion files its list's earlier
//! publication had is refused naming them (`--allow-partial`); a change of key scheme carries
//! entries to their new ids, so that the drop guard counts real removals only, and
//! `--allow-drop LIST` allows one list. Nothing is recorded on a refusal.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, RealData, native};
use serde_json::{Value, json};

/// Runs a command that must fail; returns its exit code and standard error.
fn refused(env: &Env, args: &[&str]) -> (Option<i32>, String) {
    let output = env.cmd(args).output().unwrap();
    assert!(
        !output.status.success(),
        "listdiff {args:?} succeeded: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Runs a command that must succeed; returns standard output and standard error.
fn both(env: &Env, args: &[&str]) -> (String, String) {
    let output = env.cmd(args).output().unwrap();
    assert!(
        output.status.success(),
        "listdiff {args:?} failed with {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn log(env: &Env) -> String {
    env.ok(&["log", "-o", "json"])
}

/// An `sdn.csv` of entries `ids` as OFAC writes it (CRLF), ending with the end-of-file mark
/// when `marked`.
fn sdn_csv(ids: std::ops::Range<u32>, marked: bool) -> Vec<u8> {
    let mut text = String::new();
    for id in ids {
        text.push_str(&format!(
            "{id},\"ENTITY {id}\",-0- ,\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"
        ));
    }
    let mut bytes = text.into_bytes();
    if marked {
        bytes.push(0x1A);
    }
    bytes
}

/// `alt.csv` giving entries `ids` one alias each.
fn alt_csv(ids: std::ops::Range<u32>, marked: bool) -> Vec<u8> {
    let mut text = String::new();
    for id in ids {
        text.push_str(&format!(
            "{id},{},\"aka\",\"ALIAS {id}\",-0- \r\n",
            id + 1000
        ));
    }
    let mut bytes = text.into_bytes();
    if marked {
        bytes.push(0x1A);
    }
    bytes
}

/// `add.csv` giving entries `ids` one address each.
fn add_csv(ids: std::ops::Range<u32>, marked: bool) -> Vec<u8> {
    let mut text = String::new();
    for id in ids {
        text.push_str(&format!(
            "{id},{},\"{id} Main St\",\"Havana\",\"Cuba\",-0- \r\n",
            id + 2000
        ));
    }
    let mut bytes = text.into_bytes();
    if marked {
        bytes.push(0x1A);
    }
    bytes
}

// ---------------------------------------------------------------------------------------------
// Item 4: the end-of-file mark.

#[test]
fn an_sdn_csv_without_the_end_mark_its_lists_earlier_publication_had_is_refused_as_cut() {
    let env = Env::new();
    env.ok(&[
        "ingest",
        &env.write("2024-01-01/sdn.csv", sdn_csv(1..101, true)),
    ]);
    let before = log(&env);
    // Cut at a line end: 95 whole rows, no mark. The drop guard alone lets it pass (5%).
    let cut = env.write("2024-01-02/sdn.csv", sdn_csv(1..96, false));
    let (code, stderr) = refused(&env, &["ingest", &cut]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("does not end with the end-of-file mark (0x1A)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("us-ofac-sdn's earlier publication (2024-01-01, event 1)"),
        "names the earlier publication: {stderr}"
    );
    assert!(stderr.contains("95 lines were read"), "{stderr}");
    assert!(stderr.contains("Nothing was recorded"), "{stderr}");
    assert!(stderr.contains("--allow-cut"), "{stderr}");
    assert_eq!(log(&env), before, "nothing recorded");

    let out = env.ok(&["ingest", "--allow-cut", &cut]);
    assert!(out.contains("0 added, 5 removed"), "{out}");
    // The mark is judged file by file: a whole file after the cut one is fine.
    let whole = env.write("2024-01-03/sdn.csv", sdn_csv(1..101, true));
    env.ok(&["ingest", &whole]);
}

#[test]
fn the_end_mark_is_judged_against_the_earlier_file_of_the_same_ingest() {
    let env = Env::new();
    let dir = env.dir.path().join("feed").to_string_lossy().into_owned();
    env.write("feed/2024-01-01/sdn.csv", sdn_csv(1..101, true));
    env.write("feed/2024-01-02/sdn.csv", sdn_csv(1..97, false));
    let (code, stderr) = refused(&env, &["ingest", &dir]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("2024-01-02/sdn.csv: refused"),
        "names the cut file: {stderr}"
    );
    assert!(stderr.contains("earlier in this ingest"), "{stderr}");
    assert!(stderr.contains("96 lines were read"), "{stderr}");
    assert!(
        !env.store().exists() || log(&env).contains("\"events\": []"),
        "nothing of the ingest is recorded"
    );
}

#[test]
fn a_companion_without_the_end_mark_its_earlier_copy_had_is_refused() {
    let env = Env::new();
    env.write("2024-01-01/alt.csv", alt_csv(1..51, true));
    env.ok(&[
        "ingest",
        &env.write("2024-01-01/sdn.csv", sdn_csv(1..51, true)),
    ]);
    env.write("2024-01-02/alt.csv", alt_csv(1..40, false));
    let (code, stderr) = refused(
        &env,
        &[
            "ingest",
            &env.write("2024-01-02/sdn.csv", sdn_csv(1..51, true)),
        ],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("2024-01-02/alt.csv does not end with the end-of-file mark"),
        "names the companion: {stderr}"
    );
    assert!(stderr.contains("39 lines were read"), "{stderr}");
}

#[test]
fn a_backfill_is_compared_with_the_publication_before_its_place() {
    let env = Env::new();
    // A third-party copy (no mark) on the 1st, OFAC's own download on the 10th.
    env.ok(&[
        "ingest",
        &env.write("2024-01-01/sdn.csv", sdn_csv(1..101, false)),
    ]);
    env.ok(&[
        "ingest",
        &env.write("2024-01-10/sdn.csv", sdn_csv(1..101, true)),
    ]);
    // A backfill of the 5th without the mark: before its place is the unmarked copy: a note.
    let (out, stderr) = both(
        &env,
        &[
            "ingest",
            &env.write("2024-01-05/sdn.csv", sdn_csv(1..100, false)),
        ],
    );
    assert!(out.contains("backfill"), "{out}");
    assert!(
        stderr.contains("listdiff: note:") && stderr.contains("(0x1A)"),
        "{stderr}"
    );
    // One of the 12th without it follows the marked download of the 10th: refused.
    let (code, stderr) = refused(
        &env,
        &[
            "ingest",
            &env.write("2024-01-12/sdn.csv", sdn_csv(1..100, false)),
        ],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("(2024-01-10, event 2)"), "{stderr}");
}

#[test]
fn events_record_whether_each_file_had_the_end_mark() {
    // From issue 12 on, an event of a format whose files end with a mark records, per input
    // file, whether it did (`eof_mark`); events recorded before say nothing: unknown (see the
    // pipeline's unit tests for how an unknown earlier publication is judged).
    let env = Env::new();
    env.write("2024-01-01/alt.csv", alt_csv(1..51, false));
    env.ok(&[
        "ingest",
        &env.write("2024-01-01/sdn.csv", sdn_csv(1..51, true)),
    ]);
    env.ok(&[
        "ingest",
        &env.write("b.json", keyed("el", "2024-01-01", &parties(2, old_id))),
    ]);
    let export = env.dir.path().join("log.jsonl");
    env.ok(&["export", "-o", &export.to_string_lossy()]);
    let text = std::fs::read_to_string(&export).unwrap();
    let headers: Vec<&str> = text.lines().filter(|l| l.contains("\"seq\":")).collect();
    assert!(
        headers[0].contains("\"name\":\"sdn.csv\",")
            && headers[0].contains("\"eof_mark\":true}")
            && headers[0].contains("\"name\":\"alt.csv\","),
        "{}",
        headers[0]
    );
    assert_eq!(
        headers[0].matches("\"eof_mark\":false").count(),
        1,
        "{}",
        headers[0]
    );
    assert!(
        !headers[1].contains("eof_mark"),
        "other formats say nothing: {}",
        headers[1]
    );
}

#[test]
fn copies_that_never_had_the_mark_only_get_a_note() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    // The 2019-01-04 set is a third-party copy: LF line endings, no 0x1A (PROVENANCE.md §1c).
    let env = Env::new();
    let (out, stderr) = both(&env, &["ingest", &real.file("ofac-sdn/2019-01-04")]);
    assert!(out.contains("7379 added"), "{out}");
    assert!(
        stderr.contains("listdiff: note:")
            && stderr.contains("does not end with the end-of-file mark (0x1A)"),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("listdiff: note:").count(),
        1,
        "one note for the publication, not one per file: {stderr}"
    );
}

#[test]
fn a_real_sdn_csv_cut_at_a_line_end_is_refused() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    env.ok(&["ingest", &real.file("ofac-sdn/2024-02-28/sdn.csv")]);
    let before = log(&env);
    // The 2024-03-04 download cut at the last line end before byte 3,400,000.
    let bytes = std::fs::read(real.file("ofac-sdn/2024-03-04/sdn.csv")).unwrap();
    let end = bytes[..3_400_000]
        .windows(2)
        .rposition(|w| w == b"\r\n")
        .unwrap();
    let cut = env.write("2024-03-04/sdn.csv", &bytes[..end + 2]);
    let lines = bytes[..end + 2].iter().filter(|b| **b == b'\n').count();
    let (code, stderr) = refused(&env, &["ingest", &cut]);
    assert_eq!(code, Some(2), "{stderr}");
    // As the README quotes it.
    assert!(
        stderr.contains("does not end with the end-of-file mark (0x1A) that us-ofac-sdn's earlier publication (2024-02-28, event 1) ended with: a download cut short?"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{lines} lines were read")),
        "{lines}: {stderr}"
    );
    assert_eq!(log(&env), before);
    // Without the check it records a shrunken list, under the 20% guard.
    let out = env.ok(&["ingest", "--allow-cut", &cut]);
    assert!(out.contains("0 added, 1077 removed"), "{out}");
    // The whole download is a correction of it.
    env.ok(&["ingest", &real.file("ofac-sdn/2024-03-04/sdn.csv")]);
}

#[test]
fn the_real_sdn_history_keeps_its_marks() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    // Every dated copy of §1b is OFAC's own download: one after another, none is refused.
    let env = Env::new();
    let mut args = vec!["ingest".to_string()];
    for date in [
        "2021-08-18",
        "2021-12-22",
        "2021-12-30",
        "2022-02-24",
        "2022-02-25",
    ] {
        args.push(real.file(&format!("ofac-sdn/{date}/sdn.csv")));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (out, stderr) = both(&env, &args);
    assert!(out.contains("5 recorded"), "{out}");
    assert!(!stderr.contains("0x1A"), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// Item 5: companion files.

#[test]
fn the_real_2021_08_18_sdn_csv_after_the_four_file_set_is_refused_naming_the_missing_files() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    env.ok(&["ingest", &real.file("ofac-sdn/2021-07-07")]);
    let before = log(&env);
    let bare = real.file("ofac-sdn/2021-08-18/sdn.csv");
    let (code, stderr) = refused(&env, &["ingest", &bare]);
    assert_eq!(code, Some(2), "{stderr}");
    // As the README quotes it.
    assert!(
        stderr.contains("was read without alt.csv, add.csv and sdn_comments.csv, which us-ofac-sdn's earlier publication (2021-07-07, event 1) was read with"),
        "{stderr}"
    );
    assert!(stderr.contains("--allow-partial"), "{stderr}");
    assert_eq!(log(&env), before);
    // In one ingest too.
    let env2 = Env::new();
    let (code, stderr) = refused(&env2, &["ingest", &real.file("ofac-sdn/2021-07-07"), &bare]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("earlier in this ingest"), "{stderr}");
    // Allowed, it records what it did before the check: every aliased entry changed.
    let out = env.ok(&["ingest", "--allow-partial", &bare]);
    assert!(out.contains("110 added, 3 removed, 7523 changed"), "{out}");
}

#[test]
fn only_the_companions_the_earlier_publication_had_are_asked_for() {
    let env = Env::new();
    // Published with alt.csv only (and a prefix, as the scraper names its files).
    env.write("a/2024-01-01T180000Z_alt.csv", alt_csv(1..51, true));
    env.ok(&[
        "ingest",
        &env.write("a/2024-01-01T180000Z_sdn.csv", sdn_csv(1..51, true)),
    ]);
    // The next has alt.csv and add.csv: more than before is fine.
    env.write("b/2024-01-02T180000Z_alt.csv", alt_csv(1..51, true));
    env.write("b/2024-01-02T180000Z_add.csv", add_csv(1..51, true));
    env.ok(&[
        "ingest",
        &env.write("b/2024-01-02T180000Z_sdn.csv", sdn_csv(1..51, true)),
    ]);
    // The third has alt.csv only: add.csv is missing.
    env.write("c/2024-01-03T180000Z_alt.csv", alt_csv(1..51, true));
    let third = env.write("c/2024-01-03T180000Z_sdn.csv", sdn_csv(1..51, true));
    let (code, stderr) = refused(&env, &["ingest", &third]);
    assert_eq!(code, Some(2), "{stderr}");
    // Named as expected beside it, with its prefix; alt.csv, which it has, is not asked for.
    assert!(
        stderr.contains("was read without 2024-01-03T180000Z_add.csv, which"),
        "{stderr}"
    );
    assert!(!stderr.contains("_alt.csv"), "{stderr}");
    env.ok(&["ingest", "--allow-partial", &third]);
    // After a partial publication was accepted, the next like it is compared with it.
    env.write("d/2024-01-04T180000Z_alt.csv", alt_csv(1..51, true));
    env.ok(&[
        "ingest",
        &env.write("d/2024-01-04T180000Z_sdn.csv", sdn_csv(1..51, true)),
    ]);
}

#[test]
fn a_publication_already_recorded_is_not_checked_again() {
    let env = Env::new();
    env.write("a/2024-01-01/alt.csv", alt_csv(1..51, true));
    let first = env.write("a/2024-01-01/sdn.csv", sdn_csv(1..51, true));
    let second = env.write("b/2024-01-02/sdn.csv", sdn_csv(1..51, true));
    env.ok(&["ingest", &first]);
    env.ok(&["ingest", "--allow-partial", &second]);
    let out = env.ok(&["ingest", &first, &second]);
    assert!(out.contains("0 recorded, 2 already recorded"), "{out}");
}

// ---------------------------------------------------------------------------------------------
// Item 6: a change of key scheme.

/// A native snapshot of list `list` whose entries are `(id, name, address)`.
fn keyed(list: &str, published: &str, entries: &[(String, String, String)]) -> String {
    let entries: Vec<Value> = entries
        .iter()
        .map(|(id, name, address)| json!({"id": id, "name": name, "addresses": [address]}))
        .collect();
    native(list, published, "snapshot", json!({ "entries": entries }))
}

/// `count` entries `(id, name, address)` with ids made by `id`.
fn parties(count: u32, id: impl Fn(u32) -> String) -> Vec<(String, String, String)> {
    (0..count)
        .map(|i| {
            (
                id(i),
                format!("Party {i}"),
                format!("{i} Main Street, Town"),
            )
        })
        .collect()
}

fn old_id(i: u32) -> String {
    format!("el-{:016x}", 0x1000 + i)
}

fn new_id(i: u32) -> String {
    format!("{:056x}", 0xabc000 + i)
}

#[test]
fn a_change_of_key_scheme_carries_entries_to_their_new_ids() {
    let env = Env::new();
    env.ok(&[
        "ingest",
        &env.write("a.json", keyed("el", "2024-01-01", &parties(20, old_id))),
    ]);
    // The same 20 parties under new ids, plus 5 new: nothing really removed.
    let before = log(&env);
    let (out, stderr) = both(
        &env,
        &[
            "ingest",
            &env.write("b.json", keyed("el", "2024-02-01", &parties(25, new_id))),
        ],
    );
    assert!(
        stderr.contains("20 entries carried from old ids to new ids (key scheme changed)"),
        "{stderr}"
    );
    assert!(out.contains("recorded event 2"), "{out}");
    assert_ne!(log(&env), before);
    // The event says what was carried.
    let export = env.dir.path().join("log.jsonl");
    env.ok(&["export", "-o", &export.to_string_lossy()]);
    let text = std::fs::read_to_string(&export).unwrap();
    assert!(
        text.contains(&format!(
            "\"carried\":[{{\"old\":\"{}\",\"new\":\"{}\"}}",
            old_id(0),
            new_id(0)
        )),
        "{text}"
    );
    // The header with what it carried is imported as it was, and verifies.
    let copy = Env::new();
    copy.ok(&["import", &export.to_string_lossy()]);
    copy.ok(&["verify"]);
    let again = copy.dir.path().join("again.jsonl");
    copy.ok(&["export", "-o", &again.to_string_lossy()]);
    assert_eq!(std::fs::read_to_string(&again).unwrap(), text);
}

#[test]
fn a_snapshot_read_one_entry_at_a_time_carries_entries_too() {
    // Native JSON lines are recorded one entry at a time; a change of key scheme is recorded
    // whole, so that its event says what it carried, as for any other snapshot.
    let env = Env::new();
    let lines = |parties: &[(String, String, String)]| -> String {
        parties
            .iter()
            .map(|(id, name, address)| {
                format!(
                    "{}\n",
                    json!({"id": id, "name": name, "addresses": [address]})
                )
            })
            .collect()
    };
    // Files of more than 64 KiB are streamed.
    let a = env.write("a.ndjson", lines(&parties(1000, old_id)));
    let b = env.write("b.ndjson", lines(&parties(1000, new_id)));
    assert!(std::fs::metadata(&b).unwrap().len() > 64 * 1024);
    env.ok(&["ingest", "--list", "el", "--published", "2024-01-01", &a]);
    let (_, stderr) = both(
        &env,
        &["ingest", "--list", "el", "--published", "2024-02-01", &b],
    );
    assert!(
        stderr.contains("el: 1000 entries carried from old ids to new ids (key scheme changed)"),
        "{stderr}"
    );
    let export = env.dir.path().join("log.jsonl");
    env.ok(&["export", "-o", &export.to_string_lossy()]);
    let text = std::fs::read_to_string(&export).unwrap();
    assert_eq!(text.matches("{\"old\":").count(), 1000);
}

#[test]
fn after_a_change_of_key_scheme_the_guard_counts_real_removals_and_says_ids_changed() {
    let env = Env::new();
    env.ok(&[
        "ingest",
        &env.write("a.json", keyed("el", "2024-01-01", &parties(20, old_id))),
    ]);
    let before = log(&env);
    // 14 of the 20 come back under new ids, 6 are gone (30%).
    let mut new = parties(14, new_id);
    new.push((new_id(99), "Someone Else".into(), "Elsewhere".into()));
    let b = env.write("b.json", keyed("el", "2024-02-01", &new));
    let (code, stderr) = refused(&env, &["ingest", &b]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("its ids changed layout"),
        "says the ids changed: {stderr}"
    );
    assert!(
        stderr.contains("14 entries carried from old ids to new ids (key scheme changed)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("would remove 6 of the 20 in force (30.0%"),
        "{stderr}"
    );
    assert!(!stderr.contains("a failed or partial download"), "{stderr}");
    assert!(stderr.contains("--allow-drop el"), "{stderr}");
    assert_eq!(log(&env), before);
    env.ok(&["ingest", "--allow-drop", "el", &b]);
}

#[test]
fn ids_of_the_same_shape_that_all_change_are_no_change_of_key_scheme() {
    // The same layout with no id in common: a wrong or broken file, not new keys.
    let env = Env::new();
    env.ok(&[
        "ingest",
        &env.write("a.json", keyed("el", "2024-01-01", &parties(20, old_id))),
    ]);
    let other = |i: u32| format!("el-{:016x}", 0x9000 + i);
    let (code, stderr) = refused(
        &env,
        &[
            "ingest",
            &env.write("b.json", keyed("el", "2024-02-01", &parties(20, other))),
        ],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("a failed or partial download"), "{stderr}");
    assert!(!stderr.contains("carried"), "{stderr}");
}

#[test]
fn allow_drop_can_name_one_list() {
    let env = Env::new();
    let numbered =
        |list: &str, date: &str, n: u32| keyed(list, date, &parties(n, |i| format!("{list}-{i}")));
    env.ok(&[
        "ingest",
        &env.write("a1.json", numbered("aa", "2024-01-01", 10)),
        &env.write("b1.json", numbered("bb", "2024-01-01", 10)),
    ]);
    let before = log(&env);
    let a2 = env.write("a2.json", numbered("aa", "2024-01-02", 5));
    let b2 = env.write("b2.json", numbered("bb", "2024-01-02", 5));
    // Both refused, in one message.
    let (code, stderr) = refused(&env, &["ingest", &a2, &b2]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("aa dated 2024-01-02") && stderr.contains("bb dated 2024-01-02"),
        "{stderr}"
    );
    // One list allowed: the other still refused.
    let (code, stderr) = refused(&env, &["ingest", "--allow-drop", "aa", &a2, &b2]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(!stderr.contains("aa dated"), "{stderr}");
    assert!(stderr.contains("bb dated 2024-01-02"), "{stderr}");
    // One snapshot refused is said as it always was.
    assert!(
        stderr.contains(
            "If the list really shrank, run again with --allow-drop (or a higher --max-drop)"
        ),
        "{stderr}"
    );
    assert_eq!(log(&env), before);
    // A list the ingest does not hold is a mistake, said so.
    let (code, stderr) = refused(&env, &["ingest", "--allow-drop", "cc", &a2, &b2]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("--allow-drop cc"), "{stderr}");
    assert!(
        stderr.contains("aa, bb"),
        "names the lists it holds: {stderr}"
    );
    // Both named, or --allow-drop alone (before a path, as always), records both.
    env.ok(&["ingest", "--allow-drop", "aa", "--allow-drop=bb", &a2, &b2]);
    let env2 = Env::new();
    env2.ok(&[
        "ingest",
        &env2.write("a1.json", numbered("aa", "2024-01-01", 10)),
    ]);
    env2.ok(&[
        "ingest",
        "--allow-drop",
        &env2.write("a2.json", numbered("aa", "2024-01-02", 5)),
    ]);
}

#[test]
fn the_real_csl_key_scheme_change_of_2020_is_carried() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    // The 2019 layout has no _id (BIS and State rows get derived keys); the 2023 one has.
    let env = Env::new();
    env.ok(&[
        "ingest",
        &real.file("trade-csl/2019-12-03/consolidated.csv"),
    ]);
    let before = log(&env);
    let new = real.file("trade-csl/2023-11-30/consolidated.csv");
    let (code, stderr) = refused(&env, &["ingest", &new]);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(log(&env), before);
    // Every refused list is named at once; the Entity List's ids changed.
    let el = stderr
        .split("; ")
        .find(|part| part.contains("us-csl-el dated"))
        .unwrap_or_else(|| panic!("us-csl-el not refused: {stderr}"));
    // As the README quotes it.
    assert!(
        el.contains("its ids changed layout (none of the ids in force reappears, and its ids are shaped otherwise)"),
        "{el}"
    );
    assert!(!el.contains("a failed or partial download"), "{el}");
    assert!(
        el.contains("15 entries carried from old ids to new ids (key scheme changed)"),
        "{el}"
    );
    assert!(el.contains("would remove 7 of the 22 in force"), "{el}");
    // The SDN rows are keyed by entity_number in both layouts: no change of keys there.
    let sdn = stderr
        .split("; ")
        .find(|part| part.contains("us-csl-sdn dated"))
        .unwrap_or_else(|| panic!("us-csl-sdn not refused: {stderr}"));
    assert!(!sdn.contains("ids changed"), "{sdn}");

    let (_, stderr) = both(&env, &["ingest", "--max-drop", "100", &new]);
    assert!(
        stderr
            .contains("us-csl-el: 15 entries carried from old ids to new ids (key scheme changed)"),
        "{stderr}"
    );
}

#[test]
fn compare_carries_entries_across_a_change_of_key_scheme() {
    let env = Env::new();
    let entry = |id: String, name: &str, address: &str, number: Option<&str>| {
        let mut e = json!({"id": id, "name": name, "addresses": [address]});
        if let Some(n) = number {
            e["extra"] = json!({"entity_number": n});
        }
        e
    };
    let old: Vec<Value> = (0..10)
        .map(|i| {
            entry(
                old_id(i),
                &format!("Party {i}"),
                &format!("{i} Main St"),
                None,
            )
        })
        .chain([entry(old_id(10), "Numbered", "1 High St", Some("777"))])
        .collect();
    let mut new: Vec<Value> = (1..10)
        .map(|i| {
            entry(
                new_id(i),
                &format!("Party {i}"),
                &format!("{i} Main St"),
                None,
            )
        })
        .collect();
    // Party 0 renamed and moved: nothing to match it by. The numbered entry is renamed but
    // keeps its entity number: carried, and changed.
    new.push(entry(new_id(0), "Party Zero", "9 Other St", None));
    new.push(entry(new_id(10), "Numbered Ltd", "1 High St", Some("777")));
    let a = env.write(
        "a.json",
        native("el", "2024-01-01", "snapshot", json!({"entries": old})),
    );
    let b = env.write(
        "b.json",
        native("el", "2024-02-01", "snapshot", json!({"entries": new})),
    );
    let output = env
        .cmd(&["compare", &a, &b, "-o", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("el: 10 entries carried from old ids to new ids (key scheme changed)"),
        "{stderr}"
    );
    let diff: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(common::ids(&diff["removed"]), [old_id(0)], "{diff}");
    assert_eq!(common::ids(&diff["added"]), [new_id(0)], "{diff}");
    // Each entry carried is one change of id, renamed or not, as the store answers.
    let changed: Vec<(String, String)> = diff["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["previous_id"].as_str().unwrap().to_string(),
                c["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = (1..=10).map(|i| (old_id(i), new_id(i))).collect();
    assert_eq!(changed, expected, "{diff}");
    let renamed = common::find(&diff, "changed", &new_id(10));
    assert_eq!(renamed["fields"][0]["field"], "name", "{diff}");
    assert_eq!(renamed["before"]["id"], old_id(10), "{diff}");
    assert_eq!(
        common::find(&diff, "changed", &new_id(1))["fields"],
        json!([])
    );
}
