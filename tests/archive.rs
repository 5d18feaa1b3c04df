//! The input archive (`ingest --archive`, `listdiff config archive`) and `listdiff reparse`.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use std::path::{Path, PathBuf};

use common::{Env, RealData, native, repo};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

fn sha256_of_file(path: &str) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

/// Every file under `dir` (recursively), sorted; empty when `dir` does not exist.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                found.extend(files_under(&path));
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

impl ArchiveEnv for Env {
    fn archive(&self) -> PathBuf {
        self.store().join("archive")
    }
}

trait ArchiveEnv {
    fn archive(&self) -> PathBuf;
    /// The archived bytes files.
    fn archived(&self) -> Vec<PathBuf> {
        files_under(&self.archive().join("bytes"))
    }
    /// The archive file of the bytes with this SHA-256.
    fn archived_file(&self, sha256: &str) -> PathBuf {
        self.archive()
            .join("bytes")
            .join(&sha256[..2])
            .join(format!("{sha256}.zst"))
    }
    /// The read manifest file of input hash `sha256`.
    fn manifest_file(&self, sha256: &str) -> PathBuf {
        self.archive()
            .join("reads")
            .join(&sha256[..2])
            .join(format!("{sha256}.json"))
    }
}

/// The status of every event in a reparse report.
fn statuses(report: &Value) -> Vec<String> {
    report["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap().to_string())
        .collect()
}

fn fixture(path: &str) -> String {
    repo(&format!("tests/fixtures/{path}"))
}

#[test]
fn ingest_archive_keeps_each_input_compressed_under_its_hash() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    // OFAC's four-file SDN set: sdn.csv with add.csv, alt.csv and sdn_comments.csv.
    let dir = real.file("ofac-sdn/2019-01-04");
    let out = env.ok(&["ingest", "--archive", &format!("{dir}/sdn.csv")]);
    assert!(out.contains("archived 4 input files"), "{out}");
    let archived = env.archived();
    assert_eq!(archived.len(), 4, "{archived:?}");
    for name in ["sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"] {
        let original = std::fs::read(format!("{dir}/{name}")).unwrap();
        let hash = hex::encode(Sha256::digest(&original));
        let file = env.archived_file(&hash);
        let stored = std::fs::read(&file).unwrap_or_else(|_| panic!("{name} not archived"));
        assert!(stored.len() < original.len(), "{name} is stored compressed");
        let bytes = zstd::decode_all(&stored[..]).unwrap();
        assert_eq!(
            hex::encode(Sha256::digest(&bytes)),
            hash,
            "{name}: the archived bytes hash to the event's input hash"
        );
    }
    // The event's own hash (of the four files' manifest) keys the read manifest.
    let log = env.json(&["log"]);
    let event_sha = log["events"][0]["sha256"].as_str().unwrap();
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(env.manifest_file(event_sha)).unwrap()).unwrap();
    let read = &manifest["events"][0]["reads"][0];
    assert_eq!(read["primary"]["name"], "sdn.csv");
    assert_eq!(read["companions"].as_array().unwrap().len(), 3);
    assert_eq!(manifest["events"][0]["format"], "ofac-sdn-csv");
    // No temporary file is left behind.
    assert!(
        files_under(&env.archive())
            .iter()
            .all(|p| !p.to_string_lossy().ends_with(".tmp")),
        "{:?}",
        files_under(&env.archive())
    );
}

#[test]
fn standard_input_is_archived_from_the_bytes_read() {
    let env = Env::new();
    let text = std::fs::read(fixture("csv/uflpa-2024-06-12.csv")).unwrap();
    env.cmd(&[
        "ingest",
        "--archive",
        "--list",
        "us-dhs-uflpa",
        "--key",
        "Entity Name",
        "--map",
        "name=Entity Name",
        "--published",
        "2024-06-12",
        "-",
    ])
    .write_stdin(text.clone())
    .assert()
    .success();
    let hash = hex::encode(Sha256::digest(&text));
    let bytes = zstd::decode_all(&std::fs::read(env.archived_file(&hash)).unwrap()[..]).unwrap();
    assert_eq!(bytes, text);
    assert_eq!(
        statuses(&env.json(&["reparse"])),
        ["same"],
        "standard input reads again the same way"
    );
}

#[test]
fn a_refused_ingest_leaves_no_archive_file() {
    let env = Env::new();
    // The empty-snapshot guard.
    let empty = env.write(
        "2024-01-01.json",
        native("x-list", "2024-01-01", "snapshot", json!({"entries": []})),
    );
    env.cmd(&["ingest", "--archive", &empty]).assert().code(2);
    assert!(!env.archive().exists());
    // A malformed file.
    let broken = env.write(
        "broken/2024-01-02.json",
        "{\"list\": \"x-list\", \"entries\": [",
    );
    env.cmd(&["ingest", "--archive", &broken]).assert().code(2);
    assert!(!env.archive().exists());

    // The broken-feed guard against a store that already has archived files: the refused
    // snapshot's bytes are not added.
    let entries: Vec<Value> = (1..=10)
        .map(|i| json!({"id": format!("{i}"), "name": format!("Entry {i}")}))
        .collect();
    let full = env.write(
        "2024-01-03.json",
        native(
            "x-list",
            "2024-01-03",
            "snapshot",
            json!({"entries": entries}),
        ),
    );
    env.ok(&["ingest", "--archive", &full]);
    let before = env.archived();
    assert_eq!(before.len(), 1);
    let shrunk = env.write(
        "2024-01-04.json",
        native(
            "x-list",
            "2024-01-04",
            "snapshot",
            json!({"entries": [{"id": "1", "name": "Entry 1"}]}),
        ),
    );
    let archive_files = || {
        let mut files = env.fingerprint();
        files.retain(|path, _| path.starts_with("archive"));
        files
    };
    let fingerprint = archive_files();
    env.cmd(&["ingest", "--archive", &shrunk]).assert().code(2);
    assert_eq!(env.archived(), before);
    assert_eq!(
        archive_files(),
        fingerprint,
        "nothing of the archive changed"
    );
}

#[test]
fn the_setting_makes_archiving_the_default_and_no_archive_overrides_it() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    let sdn = |date: &str| real.file(&format!("ofac-sdn/{date}/sdn.csv"));
    // Without the setting nothing is archived.
    env.ok(&["ingest", &sdn("2021-08-18")]);
    assert!(env.archived().is_empty());
    assert!(env.ok(&["config"]).contains("archive = off (default)"));
    assert_eq!(env.ok(&["config", "archive"]).trim(), "off");

    env.ok(&["config", "archive", "on"]);
    assert_eq!(env.ok(&["config", "archive"]).trim(), "on");
    assert!(env.ok(&["config"]).contains("archive = on"));
    env.ok(&["ingest", &sdn("2021-12-22")]);
    assert_eq!(
        env.archived(),
        [env.archived_file(&sha256_of_file(&sdn("2021-12-22")))]
    );

    env.ok(&["ingest", "--no-archive", &sdn("2021-12-30")]);
    assert_eq!(
        env.archived().len(),
        1,
        "--no-archive overrides the setting"
    );

    env.ok(&["config", "archive", "off"]);
    env.ok(&["ingest", &sdn("2022-02-24")]);
    assert_eq!(env.archived().len(), 1);
    env.ok(&["ingest", "--archive", &sdn("2022-02-25")]);
    assert_eq!(
        env.archived().len(),
        2,
        "--archive archives whatever the setting"
    );

    // Bad settings are bad usage, and change nothing.
    env.cmd(&["config", "archive", "maybe"]).assert().code(2);
    env.cmd(&["config", "colour", "on"]).assert().code(2);
    env.cmd(&["ingest", "--archive", "--no-archive", &sdn("2022-02-26")])
        .assert()
        .code(2);
    assert_eq!(env.ok(&["config", "archive"]).trim(), "off");

    let report = env.json(&["reparse"]);
    assert_eq!(
        statuses(&report),
        [
            "not_archived",
            "same",
            "not_archived",
            "not_archived",
            "same"
        ]
    );
}

#[test]
fn reingesting_with_archive_archives_an_already_recorded_publication() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    let file = real.file("un-consolidated/2018-06-07/consolidated.xml");
    env.ok(&["ingest", &file]);
    let report = env.json(&["reparse"]);
    assert_eq!(statuses(&report), ["not_archived"]);
    assert!(
        report["events"][0]["note"]
            .as_str()
            .unwrap()
            .contains("--archive"),
        "{report}"
    );
    let out = env.ok(&["ingest", "--archive", &file]);
    assert!(out.contains("0 recorded, 1 already recorded"), "{out}");
    assert!(out.contains("archived 1 input file "), "{out}");
    assert_eq!(statuses(&env.json(&["reparse"])), ["same"]);
    // Once archived, it is not written again.
    let out = env.ok(&["ingest", "--archive", &file]);
    assert!(
        out.contains("archived 0 input files (1 already archived)"),
        "{out}"
    );
}

#[test]
fn reparse_of_archived_real_files_is_the_same() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    let mut paths: Vec<String> = ["2019-01-04", "2021-08-18", "2021-12-22", "2021-12-30"]
        .iter()
        .map(|d| real.file(&format!("ofac-sdn/{d}/sdn.csv")))
        .collect();
    paths.push(real.file("un-consolidated/2018-06-07/consolidated.xml"));
    paths.push(real.file("un-consolidated/2018-06-21/consolidated.xml"));
    paths.push(real.file("trade-csl/2019-12-03/consolidated.csv"));
    paths.push(real.file("opensanctions-ftm/2024-06-01/entities.ftm.json"));
    // The 2019-01-04 sdn.csv is read with its companions, the later ones without
    // (--allow-partial).
    let mut args = vec!["ingest", "--archive", "--allow-drop", "--allow-partial"];
    args.extend(paths.iter().map(String::as_str));
    env.ok(&args);
    // Same-day OpenSanctions deltas, merged into one amendment per date.
    env.ok(&[
        "ingest",
        "--archive",
        "--list",
        "os-eu_fsf",
        &real.file("opensanctions-ftm/2024-06-01/deltas"),
    ]);
    // A list keyed by name, where renames are carried.
    env.ok(&["ingest", "--archive", &fixture("ecfr-entity-list")]);

    let report = env.json(&["reparse"]);
    let events = report["events"].as_array().unwrap();
    let log = env.json(&["log"]);
    assert_eq!(events.len(), log["events"].as_array().unwrap().len());
    assert!(events.len() >= 14, "{}", events.len());
    for event in events {
        assert_eq!(event["status"], "same", "{event}");
        assert_eq!(event["recorded_parser"], event["current_parser"], "{event}");
        assert_eq!(event["added"], json!([]));
    }
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"amendment"), "{kinds:?}");
    assert_eq!(report["summary"]["same"], events.len());

    let table = env.ok(&["reparse", "--exit-code"]);
    assert!(
        table.contains(&format!("{} events: {} same", events.len(), events.len())),
        "{table}"
    );
}

/// Ingests the UFLPA CSV fixture with a key and a mapping, archived.
fn uflpa(env: &Env) -> String {
    let file = fixture("csv/uflpa-2024-06-12.csv");
    env.ok(&[
        "ingest",
        "--archive",
        "--list",
        "us-dhs-uflpa",
        "--key",
        "Entity Name",
        "--map",
        "name=Entity Name",
        "--map",
        "countries=Country",
        "--published",
        "2024-06-12",
        &file,
    ]);
    sha256_of_file(&file)
}

/// Rewrites the read manifest of input hash `sha256` with `edit`.
fn edit_manifest(env: &Env, sha256: &str, edit: impl FnOnce(&mut Value)) {
    let path = env.manifest_file(sha256);
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    edit(&mut manifest["events"][0]["options"]);
    std::fs::write(&path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
}

/// A parser change is simulated by changing the recorded read options: the bytes (and the
/// event) stay as they are, but they are read differently, as a changed parser would.
#[test]
fn a_changed_reading_is_reported_as_differs_naming_the_entries() {
    let env = Env::new();
    let sha = uflpa(&env);
    assert_eq!(statuses(&env.json(&["reparse"])), ["same"]);
    env.cmd(&["reparse", "--exit-code"]).assert().code(0);

    // Read the country from another column: every entry's countries differ.
    edit_manifest(&env, &sha, |options| {
        options["map"] = json!([["name", "Entity Name"], ["countries", "Also Known As"]]);
    });
    let report = env.json(&["reparse"]);
    let event = &report["events"][0];
    assert_eq!(event["status"], "differs", "{report}");
    assert_eq!(event["added"], json!([]));
    assert_eq!(event["removed"], json!([]));
    let changed = event["changed"].as_array().unwrap();
    let cotton = changed
        .iter()
        .find(|c| c["id"] == "Xinjiang Example Cotton Co., Ltd.")
        .unwrap_or_else(|| panic!("{report}"));
    // The column once mapped to countries is now an extra field, and the other is not.
    assert_eq!(
        cotton["fields"],
        json!(["countries", "extra.Also Known As", "extra.Country"])
    );
    env.cmd(&["reparse", "--exit-code"]).assert().code(1);
    let table = env.ok(&["reparse"]);
    assert!(table.contains("differs"), "{table}");
    assert!(
        table.contains("Xinjiang Example Cotton Co., Ltd. [countries, extra.Also Known As"),
        "{table}"
    );

    // A key that repeats: the current reading refuses the input.
    edit_manifest(&env, &sha, |options| {
        options["keys"] = json!(["Federal Register Notice"]);
    });
    let report = env.json(&["reparse"]);
    let event = &report["events"][0];
    assert_eq!(event["status"], "unreadable", "{report}");
    assert!(
        event["note"].as_str().unwrap().contains("89 FR 49894"),
        "{report}"
    );
    env.cmd(&["reparse", "--exit-code"]).assert().code(1);

    // Key the entries by two columns: the recorded ids are gone, others appear.
    edit_manifest(&env, &sha, |options| {
        options["keys"] = json!(["Entity Name", "Country"]);
    });
    let report = env.json(&["reparse"]);
    let event = &report["events"][0];
    assert_eq!(event["status"], "differs", "{report}");
    let removed: Vec<&str> = event["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(removed.len(), 6, "{report}");
    assert!(
        removed.contains(&"Xinjiang Example Cotton Co., Ltd."),
        "{report}"
    );
    assert_eq!(event["added"].as_array().unwrap().len(), 6, "{report}");
    assert_eq!(event["changed"], json!([]));

    // The store itself was only read.
    let fingerprint = env.fingerprint();
    env.ok(&["reparse"]);
    assert_eq!(env.fingerprint(), fingerprint);
}

#[test]
fn a_damaged_archive_file_is_an_error_naming_the_file_and_event() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    let file = real.file("ofac-sdn/2021-12-22/sdn.csv");
    env.ok(&[
        "ingest",
        "--archive",
        &real.file("un-consolidated/2018-06-07/consolidated.xml"),
    ]);
    env.ok(&["ingest", "--archive", &file]);
    let archived = env.archived_file(&sha256_of_file(&file));
    // Other bytes, compressed properly: the file decompresses but does not hash to its name.
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[100] ^= 1;
    std::fs::write(&archived, zstd::encode_all(&bytes[..], 3).unwrap()).unwrap();

    let output = env.cmd(&["reparse", "-o", "json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("event 2"), "{stderr}");
    assert!(stderr.contains(&archived.display().to_string()), "{stderr}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(statuses(&report), ["same", "damaged"]);

    // Not zstd at all.
    std::fs::write(&archived, b"garbage").unwrap();
    let output = env.cmd(&["reparse", "2"]).output().unwrap();
    assert_eq!(output.status.code(), Some(4));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("does not decompress"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The undamaged event alone still reparses.
    env.cmd(&["reparse", "1"]).assert().code(0);
}

#[test]
fn reparse_chooses_events_by_seq_and_list() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    env.ok(&[
        "ingest",
        "--archive",
        &real.file("ofac-sdn/2021-12-22/sdn.csv"),
        &real.file("un-consolidated/2018-06-07/consolidated.xml"),
    ]);
    let by_list = env.json(&["reparse", "--list", "un-sc"]);
    let events = by_list["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{by_list}");
    assert_eq!(events[0]["list"], "un-sc");
    let by_seq = env.json(&["reparse", "2"]);
    assert_eq!(by_seq["events"][0]["seq"], 2);
    assert_eq!(by_seq["events"].as_array().unwrap().len(), 1);
    env.cmd(&["reparse", "3"]).assert().code(2);
    env.cmd(&["reparse", "--list", "no-such-list"])
        .assert()
        .code(2);
}

#[test]
fn utf16_input_is_archived_as_published_and_amendments_reparse_the_same() {
    let env = Env::new();
    let snapshot = native(
        "l",
        "2024-01-01",
        "snapshot",
        json!({"entries": [{"id": "1", "name": "Société Générale Ümit"}, {"id": "2", "name": "B"}]}),
    );
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in snapshot.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let path = env.write("a/2024-01-01.json", &utf16);
    let amendment = env.write(
        "a/2024-01-02.json",
        native(
            "l",
            "2024-01-02",
            "amendment",
            json!({"add": [{"id": "3", "name": "C"}], "amend": [{"id": "2", "name": "B2"}], "remove": ["1"]}),
        ),
    );
    env.ok(&["ingest", "--archive", &path, &amendment]);
    let hash = hex::encode(Sha256::digest(&utf16));
    let bytes = zstd::decode_all(&std::fs::read(env.archived_file(&hash)).unwrap()[..]).unwrap();
    assert_eq!(bytes, utf16, "the bytes published, not their transcoding");
    let report = env.json(&["reparse"]);
    assert_eq!(statuses(&report), ["same", "same"], "{report}");
    assert_eq!(report["events"][1]["kind"], "amendment");
}
