//! `listdiff export` and `listdiff import`: the round trip is byte-identical, the imported store
//! answers as the original, and any damage to an export (a flipped byte, a dropped line, two
//! lines swapped) fails with exit 4 naming the line and the event, leaving no store behind.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use std::path::Path;

use common::{Env, RealData, native, repo};
use serde_json::json;

fn entry(id: &str, name: &str) -> serde_json::Value {
    json!({"id": id, "name": name})
}

/// A store with several lists, snapshots and amendments, a correction (same list and date,
/// different bytes) and a backfill, from small files only.
fn small_store(env: &Env) {
    env.ok(&["ingest", &repo("snapshots/us-bis-entity-list")]);
    env.ok(&["ingest", "--allow-drop", &repo("tests/fixtures/eu-fsf-csv")]);
    let later = env.write(
        "n/later.json",
        native(
            "l",
            "2024-12-11",
            "amendment",
            json!({"add": [entry("b", "Beta")]}),
        ),
    );
    let first = env.write(
        "n/a/2024-12-01.json",
        native(
            "l",
            "2024-12-01",
            "snapshot",
            json!({"entries": [entry("a", "Alpha"), entry("x", "Wrong")]}),
        ),
    );
    let fixed = env.write(
        "n/b/2024-12-01.json",
        native(
            "l",
            "2024-12-01",
            "snapshot",
            json!({"entries": [entry("a", "Alpha"), entry("c", "Gamma")]}),
        ),
    );
    env.ok(&["ingest", &later]);
    // Recorded later, dated earlier: a backfill; then a correction of it.
    let out = env
        .cmd(&["ingest", &first])
        .env("LISTDIFF_NOW", "2026-01-16T10:00:00Z")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("backfill"));
    let out = env
        .cmd(&["ingest", &fixed])
        .env("LISTDIFF_NOW", "2026-01-17T11:00:00.123456Z")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("corrects event"));
}

/// The clock of an import of [`small_store`]: after its last recording (an import refuses
/// events recorded later than its clock).
const AFTER_THE_STORE: &str = "2026-02-01T00:00:00Z";

/// Exports `env`'s store to standard output; returns the bytes.
fn export(env: &Env) -> Vec<u8> {
    let out = env.cmd(&["export"]).output().unwrap();
    assert!(
        out.status.success(),
        "export failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Everything in `dir`, by name: an import that fails must leave it as it was.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Imports `bytes` into a fresh store; returns the exit code and standard error, and checks
/// that a failed import leaves nothing behind.
fn import_bytes(bytes: &[u8]) -> (i32, String) {
    let env = Env::new();
    let file = env.write("export.jsonl", bytes);
    let before = listing(env.dir.path());
    let out = env
        .cmd(&["import", &file])
        .env("LISTDIFF_NOW", AFTER_THE_STORE)
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if code != 0 {
        assert!(
            !env.store().exists(),
            "a failed import left a store: {stderr}"
        );
        assert_eq!(
            listing(env.dir.path()),
            before,
            "a failed import left files behind: {stderr}"
        );
    }
    (code, stderr)
}

fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .collect::<Vec<&[u8]>>()
}

/// True when a failure message names the line and the event, the header or the checkpoint.
fn names_the_place(stderr: &str) -> bool {
    stderr.contains("verification failed: line ")
        && (stderr.contains("(event ")
            || stderr.contains("(the header)")
            || stderr.contains("(the checkpoint)"))
}

#[test]
fn export_import_export_is_byte_identical_and_answers_the_same() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    small_store(&env);
    env.ok(&["ingest", &real.file("ofac-sdn/2022-02-25")]);
    // The day before, recorded after: a backfill of a large real list.
    env.ok(&["ingest", &real.file("ofac-sdn/2022-02-24")]);
    env.ok(&["ingest", &real.file("ofac-sdn/2022-02-26")]);
    let exported = export(&env);
    let text = String::from_utf8(exported.clone()).unwrap();
    let all = lines(&exported);
    let events = env.json(&["log"])["events"].as_array().unwrap().len();
    assert_eq!(
        all.len(),
        events + 2,
        "header, one line per event, checkpoint"
    );
    assert!(text.starts_with("{\"listdiff_export\":1,\"store\":\""));
    assert!(text.contains(&format!(",\"events\":{events}}}\n")));
    assert!(all[all.len() - 1].starts_with(b"{\"checkpoint\":\"listdiff checkpoint v1\\nstore "));
    // The checkpoint's time is the last event's recording time, to the second.
    assert!(
        text.ends_with("\\ntime 2026-01-17T11:00:00Z\\n\"}\n"),
        "{}",
        &text[text.len() - 200..]
    );

    // -o FILE writes the same bytes.
    let file = env.dir.path().join("backup.jsonl");
    let said = env.ok(&["export", "-o", file.to_str().unwrap()]);
    assert!(
        said.contains(&format!("exported {events} events")),
        "{said}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), exported);

    let copy = Env::new();
    let out = copy
        .cmd(&["import", file.to_str().unwrap()])
        .env("LISTDIFF_NOW", AFTER_THE_STORE)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(&format!("imported {events} events")),
        "{said}"
    );
    let again = export(&copy);
    assert!(
        again == exported,
        "export → import → export is not byte-identical"
    );

    // The imported store answers every query as the original.
    for args in [
        vec!["log"],
        vec!["since", "2000-01-01"],
        vec!["since", "2024-12-05", "--list", "l"],
        vec!["since", "2022-02-25", "--list", "us-ofac-sdn"],
        vec!["as-of", "2024-12-01"],
        vec!["as-of", "2024-12-31"],
        vec!["as-of", "2022-02-24"],
        vec!["as-of", "2022-02-26"],
        vec!["as-of", "2025-12-31"],
        vec!["history", "a"],
        vec!["history", "cn-hikvision"],
        vec!["history", "17013"],
        vec!["diff", "2022-02-23", "2022-02-26"],
        vec!["since", "2022-02-23", "--known-at", "2026-01-15"],
    ] {
        let a = env.json(&args);
        let b = copy.json(&args);
        assert!(a == b, "{args:?} answers differently after import");
    }
    assert_eq!(env.ok(&["log"]), copy.ok(&["log"]));
    // And its indexes rebuild from its log.
    copy.ok(&["rebuild"]);
}

#[test]
fn import_reads_standard_input_and_keeps_the_store_id() {
    let env = Env::new();
    small_store(&env);
    let exported = export(&env);
    let copy = Env::new();
    std::fs::create_dir(copy.store()).unwrap();
    let out = copy
        .cmd(&["import", "-"])
        .env("LISTDIFF_NOW", AFTER_THE_STORE)
        .write_stdin(exported.clone())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let header = String::from_utf8_lossy(lines(&exported)[0]).into_owned();
    let store_id = header.split('"').nth(5).unwrap().to_string();
    assert!(String::from_utf8_lossy(&out.stdout).contains(&store_id));
    assert_eq!(export(&copy), exported);
}

#[test]
fn importing_into_a_store_or_a_non_empty_directory_is_refused() {
    let env = Env::new();
    small_store(&env);
    let exported = env.write("export.jsonl", export(&env));
    let before = env.fingerprint();
    let out = env.cmd(&["import", &exported]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("already exists") && stderr.contains("--store"),
        "{stderr}"
    );
    assert_eq!(env.fingerprint(), before, "the store was touched");

    let other = Env::new();
    other.write("store/notes.txt", "mine");
    let out = other.cmd(&["import", &exported]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(other.store().join("notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(listing(&other.store()), ["notes.txt"]);

    let file_env = Env::new();
    file_env.write("store", "a file");
    let out = file_env.cmd(&["import", &exported]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(file_env.store()).unwrap(), "a file");

    let missing = other
        .cmd(&["import", "/nonexistent/export.jsonl"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("cannot read /nonexistent/export.jsonl")
    );
}

/// A deterministic stream of pseudo-random numbers (xorshift64*).
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn a_flipped_byte_anywhere_fails_naming_the_line_and_leaves_no_store() {
    let env = Env::new();
    small_store(&env);
    let exported = export(&env);
    assert_eq!(import_bytes(&exported).0, 0, "the intact export imports");
    let mut positions = Vec::new();
    // Every line: its first and last bytes, and bytes spread through it.
    let mut start = 0;
    for line in lines(&exported) {
        let end = start + line.len();
        let step = (line.len() / 6).max(1);
        positions.extend((start..end).step_by(step));
        positions.push(end - 1);
        positions.push(start + 1);
        start = end;
    }
    // And random positions.
    let mut random = Random(0x5eed_1234_abcd_0001);
    positions.extend((0..40).map(|_| (random.next() % exported.len() as u64) as usize));
    positions.sort_unstable();
    positions.dedup();
    for (n, &at) in positions.iter().enumerate() {
        let mut damaged = exported.clone();
        // Alternate between the lowest bit and a random other byte.
        damaged[at] = if n % 2 == 0 {
            damaged[at] ^ 1
        } else {
            damaged[at] ^ ((random.next() % 255) as u8 + 1)
        };
        let (code, stderr) = import_bytes(&damaged);
        assert_eq!(
            code, 4,
            "flipping byte {at} ({:?}) did not fail verification: {stderr}",
            exported[at] as char
        );
        assert!(names_the_place(&stderr), "byte {at}: {stderr}");
    }
}

#[test]
fn a_flipped_byte_in_the_event_bytes_is_pinned_to_its_event() {
    let env = Env::new();
    small_store(&env);
    let exported = export(&env);
    let all = lines(&exported);
    let offset: usize = all[..3].iter().map(|l| l.len()).sum();
    // Inside event 3's header bytes: after `{"seq":3,"leaf":"<64>","event":{"v":1,"seq":3,"list":"`.
    let at = offset + all[3].windows(8).position(|w| w == b"\"list\":\"").unwrap() + 9;
    let mut damaged = exported.clone();
    damaged[at] ^= 1;
    let (code, stderr) = import_bytes(&damaged);
    assert_eq!(code, 4, "{stderr}");
    assert!(
        stderr.contains("line 4 (event 3): the event bytes do not match the leaf hash"),
        "{stderr}"
    );
    // In a content line: the block hash.
    let at = offset + all[3].windows(9).position(|w| w == b"\"lines\":[").unwrap() + 12;
    let mut damaged = exported.clone();
    damaged[at] ^= 1;
    let (_, stderr) = import_bytes(&damaged);
    assert!(
        stderr.contains("line 4 (event 3)") && stderr.contains("block hash"),
        "{stderr}"
    );
}

#[test]
fn dropping_any_line_fails_naming_the_event() {
    let env = Env::new();
    small_store(&env);
    let exported = export(&env);
    let all = lines(&exported);
    for drop in 0..all.len() {
        let damaged: Vec<u8> = all
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != drop)
            .flat_map(|(_, l)| l.iter().copied())
            .collect();
        let (code, stderr) = import_bytes(&damaged);
        assert_eq!(code, 4, "dropping line {}: {stderr}", drop + 1);
        let last_event = all.len() - 2;
        let named = match drop {
            0 => "line 1 (event 1)".to_string(),
            d if d == all.len() - 1 => format!("line {} (the checkpoint): missing", d + 1),
            d if d == last_event => {
                format!("line {} (event {d}): the checkpoint comes after", d + 1)
            }
            d => format!(
                "line {} (event {}): found event {} where event {d} was expected",
                d + 1,
                d + 1,
                d + 1
            ),
        };
        assert!(
            stderr.contains(&named),
            "dropping line {}: {stderr}",
            drop + 1
        );
    }
}

#[test]
fn swapping_two_event_lines_fails_naming_the_event() {
    let env = Env::new();
    small_store(&env);
    let exported = export(&env);
    let all = lines(&exported);
    let events = all.len() - 2;
    for (i, j) in [(1, 2), (1, events), (3, 5), (events - 1, events)] {
        let mut swapped = all.clone();
        swapped.swap(i, j);
        let (code, stderr) = import_bytes(&swapped.concat());
        assert_eq!(code, 4, "swapping events {i} and {j}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "line {} (event {j}): found event {j} where event {i} was expected",
                i + 1
            )),
            "swapping events {i} and {j}: {stderr}"
        );
    }
    // A repeated line, and one cut short.
    let mut repeated = all.clone();
    repeated.insert(3, all[2]);
    let (_, stderr) = import_bytes(&repeated.concat());
    assert!(
        stderr.contains("line 4 (event 2): found event 2 again after event 2"),
        "{stderr}"
    );
    let cut = &exported[..exported.len() - 1];
    let (code, stderr) = import_bytes(cut);
    assert_eq!(code, 4);
    assert!(stderr.contains("no newline at its end"), "{stderr}");
}

#[test]
fn an_empty_or_foreign_file_is_not_an_export() {
    let (code, stderr) = import_bytes(b"");
    assert_eq!(code, 4);
    assert!(
        stderr.contains("line 1 (the header): the export is empty"),
        "{stderr}"
    );
    let (code, stderr) = import_bytes(b"id,name\n1,Acme\n");
    assert_eq!(code, 4);
    assert!(
        stderr.contains("line 1 (the header): not a listdiff export"),
        "{stderr}"
    );
}
