//! `import` of exports that were altered and re-sealed (every hash recomputed the way export
//! computes it, so that only the alteration is wrong), or cut short by a kill (issue 16, items
//! 10, 14 and 16): a line holding more content than its event can account for, a store id that
//! `listdiff` never makes, a recording time later than the import's own clock are refused with
//! exit 4 naming the line; directories left by a killed import are removed by the next one.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, native};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// A store of two events: a snapshot of list `l`, then an amendment adding `b`.
fn two_events() -> Env {
    let env = Env::new();
    let file = env.write(
        "l.json",
        native(
            "l",
            "2024-01-01",
            "snapshot",
            json!({"entries": [{"id": "a", "name": "A"}]}),
        ),
    );
    env.ok(&["ingest", &file]);
    let added = env.write(
        "m.json",
        native(
            "l",
            "2024-01-02",
            "amendment",
            json!({"add": [{"id": "b", "name": "B"}]}),
        ),
    );
    env.ok(&["ingest", &added]);
    env
}

/// Imports `text` into a new store; returns the exit code and standard error.
fn import(text: &str) -> (Option<i32>, String) {
    let copy = Env::new();
    let file = copy.write("export.jsonl", text);
    let output = copy.cmd(&["import", &file]).output().unwrap();
    if output.status.code() != Some(0) {
        assert!(!copy.store().exists(), "a refused import left a store");
    }
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The lines of an export.
fn export_lines(env: &Env) -> Vec<Value> {
    env.ok(&["export"])
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Writes `lines` back as an export, every hash recomputed as export computes it (the block
/// hash of each event from its lines, its leaf from its header bytes, the checkpoint's root), so
/// that only what `edit` changed is wrong.
fn reseal(lines: &[Value]) -> String {
    use listdiff::model::merkle;
    let mut leaves = Vec::new();
    let mut out = String::new();
    let store_id = lines[0]["store"].as_str().unwrap().to_string();
    out.push_str(&format!(
        "{{\"listdiff_export\":1,\"store\":{},\"events\":{}}}\n",
        json!(store_id),
        lines.len() - 2
    ));
    let mut last_time = String::new();
    for line in &lines[1..lines.len() - 1] {
        let mut event = line["event"].clone();
        let mut block = Sha256::new();
        let content: Vec<String> = line["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| serde_json::to_string(l).unwrap())
            .collect();
        for l in &content {
            block.update(l.as_bytes());
            block.update(b"\n");
        }
        event["content"]["block_sha256"] = json!(hex::encode(block.finalize()));
        let bytes = serde_json::to_string(&event).unwrap();
        let leaf = merkle::leaf_hash(bytes.as_bytes());
        out.push_str(&format!(
            "{{\"seq\":{},\"leaf\":\"{}\",\"event\":{bytes},\"lines\":[{}]}}\n",
            line["seq"],
            leaf.to_hex(),
            content.join(",")
        ));
        leaves.push(leaf);
        last_time = event["recorded"].as_str().unwrap().to_string();
    }
    let time = chrono::DateTime::parse_from_rfc3339(&last_time)
        .unwrap()
        .to_utc();
    let checkpoint = listdiff::model::checkpoint::Checkpoint {
        store_id,
        size: leaves.len() as u64,
        root: merkle::root(&leaves),
        time,
    };
    out.push_str(&serde_json::to_string(&json!({"checkpoint": checkpoint.to_text()})).unwrap());
    out.push('\n');
    out
}

#[test]
fn a_resealed_export_imports() {
    // The helper itself: an export re-sealed without changes imports.
    let env = two_events();
    assert_eq!(import(&reseal(&export_lines(&env))).0, Some(0));
}

#[test]
fn an_export_line_holding_more_than_its_inputs_account_for_is_refused() {
    let env = two_events();
    let mut lines = export_lines(&env);
    // The added entry now has a 24 MiB name: the 150 bytes of input its event records cannot
    // account for it.
    lines[2]["lines"][0]["name"] = json!("N".repeat(24 << 20));
    let resealed = reseal(&lines);
    let (code, stderr) = import(&resealed);
    assert_eq!(code, Some(4), "{stderr}");
    assert!(
        stderr.contains("line 3 (event 2): its content lines are longer than the")
            && stderr.contains("input bytes its header records can account for"),
        "{stderr}"
    );
    // The same line with header bytes that do not match its leaf hash says so.
    assert!(resealed.contains("\"source\":\"test 2024-01-02\""));
    let altered = resealed.replace(
        "\"source\":\"test 2024-01-02\"",
        "\"source\":\"tesT 2024-01-02\"",
    );
    let (code, stderr) = import(&altered);
    assert_eq!(code, Some(4), "{stderr}");
    assert!(
        stderr.contains("line 3 (event 2): the event bytes do not match the leaf hash"),
        "{stderr}"
    );
}

#[test]
fn a_store_id_listdiff_never_makes_is_refused() {
    let env = two_events();
    let lines = export_lines(&env);
    let id = lines[0]["store"].as_str().unwrap().to_string();
    assert!(
        id.len() == 16
            && id
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
        "listdiff makes 16 lower-case hex digits: {id}"
    );
    for bad in [
        "a".repeat(100_000),
        "0123456789ABCDEF".to_string(),
        "0123456789abcde".to_string(),
        "0123456789abcdef0".to_string(),
        "my-store".to_string(),
    ] {
        let mut altered = lines.clone();
        altered[0]["store"] = json!(bad);
        let (code, stderr) = import(&reseal(&altered));
        assert_eq!(code, Some(4), "{stderr}");
        assert!(
            stderr.contains("line 1 (the header)")
                && stderr.contains("is not a store id: listdiff makes store ids of 16 lower-case hexadecimal digits"),
            "{stderr}"
        );
        assert!(
            stderr.len() < 2_000,
            "the message quotes the whole id: {} bytes",
            stderr.len()
        );
    }
}

#[test]
fn a_recording_time_later_than_the_import_clock_is_refused() {
    let env = two_events();
    let mut lines = export_lines(&env);
    lines[2]["event"]["recorded"] = json!("9999-12-31T00:00:00Z");
    let (code, stderr) = import(&reseal(&lines));
    assert_eq!(code, Some(4), "{stderr}");
    assert!(
        stderr.contains("line 3 (event 2): recorded at 9999-12-31T00:00:00Z, later than this import's clock (2026-01-15T09:30:00Z)"),
        "{stderr}"
    );
    // A second later than the clock is too late; the clock itself is not.
    lines[2]["event"]["recorded"] = json!("2026-01-15T09:30:01Z");
    assert_eq!(import(&reseal(&lines)).0, Some(4));
    lines[2]["event"]["recorded"] = json!("2026-01-15T09:30:00Z");
    assert_eq!(import(&reseal(&lines)).0, Some(0));
}

#[test]
fn a_recording_time_that_goes_back_is_refused() {
    let env = two_events();
    let mut lines = export_lines(&env);
    lines[1]["event"]["recorded"] = json!("2026-01-15T09:00:00Z");
    lines[2]["event"]["recorded"] = json!("2026-01-15T08:00:00Z");
    let (code, stderr) = import(&reseal(&lines));
    assert_eq!(code, Some(4), "{stderr}");
    assert!(
        stderr.contains("line 3 (event 2): recorded at 2026-01-15T08:00:00Z, before event 1's"),
        "{stderr}"
    );
}

/// The directories an import into `env`'s store builds in (or left behind).
fn importing_dirs(env: &Env) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".store.importing-")
        })
        .collect()
}

/// The id of a process that has ended.
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

#[test]
fn a_killed_import_leaves_a_directory_the_next_import_removes() {
    let Some(real) = common::RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    for file in ["ofac-sdn/2022-02-24", "ofac-sdn/2022-02-25"] {
        env.ok(&["ingest", &real.file(file)]);
    }
    let exported = env.dir.path().join("export.jsonl");
    env.ok(&["export", "-o", exported.to_str().unwrap()]);
    let copy = Env::new();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("listdiff"))
        .arg("--store")
        .arg(copy.store())
        .args(["import", exported.to_str().unwrap()])
        .env("LISTDIFF_NOW", "2026-01-15T09:30:00Z")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once it is building its store.
    let started = std::time::Instant::now();
    while importing_dirs(&copy).is_empty() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import ended before it was killed"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(60));
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let left = importing_dirs(&copy);
    assert_eq!(left.len(), 1, "the killed import left its directory");
    assert!(!copy.store().exists());

    copy.ok(&["import", exported.to_str().unwrap()]);
    assert!(
        importing_dirs(&copy).is_empty(),
        "{left:?} is still there after the next import"
    );
    copy.ok(&["verify"]);
}

#[test]
fn opening_a_store_removes_a_directory_left_by_a_killed_import_but_not_a_live_one() {
    let env = two_events();
    let stale = env
        .dir
        .path()
        .join(format!(".store.importing-{}-1", dead_pid()));
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("lock"), "").unwrap();
    // One whose process lives and holds it, as an import does while it builds.
    let live = env
        .dir
        .path()
        .join(format!(".store.importing-{}-2", std::process::id()));
    std::fs::create_dir(&live).unwrap();
    // And one named by a process this one cannot see (another pid namespace) but locked.
    let locked = env
        .dir
        .path()
        .join(format!(".store.importing-{}-3", dead_pid()));
    std::fs::create_dir(&locked).unwrap();
    let held = [&live, &locked].map(|dir| {
        let handle = std::fs::File::open(dir).unwrap();
        handle.lock().unwrap();
        handle
    });

    env.ok(&["log"]);
    assert!(!stale.exists(), "the stale directory is still there");
    assert!(live.exists(), "a live import's directory was removed");
    assert!(locked.exists(), "a locked import directory was removed");
    drop(held);
}
