//! Faults around an ingest: input directories with link loops, input files that change while
//! an ingest reads them, and kills in the middle of one. Whatever happens, what is recorded is
//! whole and exactly what was checked, and what `ingest` printed is in the store.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Env, native};
use serde_json::{Value, json};

/// A native snapshot of list `l` with `count` entries named after `tag`.
fn snapshot(published: &str, count: usize, tag: &str) -> String {
    let entries: Vec<Value> = (0..count)
        .map(|i| json!({"id": format!("e{i}"), "name": format!("{tag} entry {i}")}))
        .collect();
    native("l", published, "snapshot", json!({ "entries": entries }))
}

/// The binary with the test store and a fixed clock, not yet started.
fn spawn(env: &Env, args: &[&str], envs: &[(&str, &str)]) -> Child {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin!("listdiff"));
    cmd.arg("--store")
        .arg(env.store())
        .args(args)
        .env("LISTDIFF_NOW", "2026-01-15T09:30:00Z")
        .env_remove("LISTDIFF_STORE")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in envs {
        cmd.env(key, value);
    }
    cmd.spawn().unwrap()
}

/// Waits for `child` to end; a child still running after `limit` is killed and the test fails
/// (a guard against hanging the suite, not a timing assertion: the limit is far beyond what
/// the work takes).
fn finish(mut child: Child, limit: Duration) -> (Option<i32>, String, String) {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let output = child.wait_with_output().unwrap();
            return (
                status.code(),
                String::from_utf8_lossy(&output.stdout).into_owned(),
                String::from_utf8_lossy(&output.stderr).into_owned(),
            );
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "listdiff was still running after {limit:?} and was killed\nstdout: {}\nstderr: {}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(unix)]
#[test]
fn an_input_directory_with_two_link_loops_is_walked_once() {
    let env = Env::new();
    env.write("in/2024-01-01/l.json", snapshot("2024-01-01", 3, "A"));
    env.write("in/2024-01-02/l.json", snapshot("2024-01-02", 3, "B"));
    let dir = env.dir.path().join("in");
    // Two links to the directory itself, and one to a subdirectory already walked.
    std::os::unix::fs::symlink(".", dir.join("x")).unwrap();
    std::os::unix::fs::symlink(".", dir.join("y")).unwrap();
    std::os::unix::fs::symlink("2024-01-01", dir.join("z")).unwrap();
    let dir = dir.to_string_lossy().into_owned();
    let child = spawn(&env, &["ingest", &dir], &[]);
    let (code, stdout, stderr) = finish(child, Duration::from_secs(120));
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("2 recorded, 0 already recorded"),
        "{stdout}"
    );
    assert_eq!(
        stdout.matches("recorded event").count(),
        2,
        "each file is recorded once: {stdout}"
    );
    for link in ["x", "y", "z"] {
        assert!(
            stderr.contains(&format!("skipped {dir}/{link}: ")),
            "a note names the link {link}: {stderr}"
        );
    }
    assert!(stderr.contains("already walked"), "{stderr}");
}

/// The SHA-256 of a file, as the log records it.
fn sha256_of(path: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

/// An EU XML file large enough to be read one entity at a time (over 64 KiB): `copies` copies of
/// the hand-made fixture's entities, logicalIds renumbered per copy.
fn big_eu_file(copies: usize) -> String {
    let text =
        std::fs::read_to_string(common::repo("tests/fixtures/eu-fsf-xml/2025-03-14.xml")).unwrap();
    let start = text.find("<sanctionEntity").unwrap();
    let end = text.rfind("</export>").unwrap();
    let mut out = text[..start].to_string();
    for copy in 0..copies {
        out.push_str(&text[start..end].replace("logicalId=\"", &format!("logicalId=\"{copy}0")));
    }
    out.push_str(&text[end..]);
    out
}

/// Runs an ingest of `inputs` that pauses between its checks and its recording (the debug
/// build's `LISTDIFF_TEST_PAUSE_BEFORE_RECORD`), calls `change` there, and lets it go on.
fn ingest_changing_inputs(
    env: &Env,
    inputs: &[&str],
    extra_args: &[&str],
    change: impl FnOnce(),
) -> (Option<i32>, String, String) {
    let gate = env.dir.path().join("gate");
    let gate_text = gate.to_string_lossy().into_owned();
    let mut args = vec!["ingest"];
    args.extend_from_slice(extra_args);
    args.extend_from_slice(inputs);
    let mut child = spawn(
        env,
        &args,
        &[
            ("LISTDIFF_TEST_PAUSE_BEFORE_RECORD", gate_text.as_str()),
            // Keep no publication in memory between the phases: every input takes the path
            // that files over 32 MB take.
            ("LISTDIFF_TEST_KEEP_BYTES", "0"),
        ],
    );
    let waiting = env.dir.path().join("gate.waiting");
    let started = Instant::now();
    while !waiting.exists() {
        if child.try_wait().unwrap().is_some() {
            let (code, stdout, stderr) = finish(child, Duration::from_secs(1));
            panic!("the ingest ended ({code:?}) before pausing\n{stdout}\n{stderr}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the ingest never reached the pause before recording"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    change();
    std::fs::write(&gate, b"go").unwrap();
    finish(child, Duration::from_secs(300))
}

#[test]
fn inputs_changed_between_the_checks_and_recording_are_recorded_as_checked() {
    let env = Env::new();
    let files: Vec<String> = (1..=4)
        .map(|day| {
            env.write(
                &format!("in/2024-01-0{day}.json"),
                snapshot(&format!("2024-01-0{day}"), 50, "Day"),
            )
        })
        .collect();
    let eu = env.write("eu/2025-05-01/eu.xml", big_eu_file(60));
    assert!(
        std::fs::metadata(&eu).unwrap().len() > 128 * 1024,
        "streamed"
    );
    let checked: Vec<String> = files.iter().chain([&eu]).map(|f| sha256_of(f)).collect();
    let mut inputs: Vec<&str> = files.iter().map(String::as_str).collect();
    inputs.push(&eu);
    let (code, stdout, stderr) = ingest_changing_inputs(&env, &inputs, &[], || {
        // Cut the third file in half, reword the fourth, cut the EU file short.
        let third = std::fs::read(&files[2]).unwrap();
        std::fs::write(&files[2], &third[..third.len() / 2]).unwrap();
        let fourth = std::fs::read_to_string(&files[3]).unwrap();
        std::fs::write(&files[3], fourth.replace("Day entry 7", "Changed entry 7")).unwrap();
        let eu_bytes = std::fs::read(&eu).unwrap();
        std::fs::write(&eu, &eu_bytes[..eu_bytes.len() / 3]).unwrap();
    });
    let log = env.json(&["log"]);
    let events = log["events"].as_array().unwrap();
    // All or nothing: either every publication is recorded exactly as checked, or nothing is
    // and the message names a file that changed.
    if code == Some(0) {
        assert_eq!(events.len(), 5, "{stdout}\n{stderr}");
        let mut recorded: Vec<String> = events
            .iter()
            .map(|e| e["sha256"].as_str().unwrap().to_string())
            .collect();
        recorded.sort();
        let mut expected = checked.clone();
        expected.sort();
        assert_eq!(recorded, expected, "each event records the bytes checked");
        let as_of = env.json(&["as-of", "2024-01-04", "--list", "l"]);
        assert_eq!(as_of["entries"].as_array().unwrap().len(), 50);
        assert_eq!(
            common::find(&as_of, "entries", "e7")["name"],
            "Day entry 7",
            "the fourth file as checked, not as changed"
        );
        assert_eq!(
            env.json(&["as-of", "2025-05-01", "--list", "eu-fsf"])["entries"]
                .as_array()
                .unwrap()
                .len(),
            180
        );
        env.ok(&["verify"]);
    } else {
        assert!(events.is_empty(), "a partial ingest: {log}\n{stderr}");
        assert!(stderr.contains("2024-01-03.json"), "{stderr}");
    }
}

#[test]
fn an_input_changed_before_it_is_archived_is_recorded_and_said_not_archived() {
    let env = Env::new();
    let a = env.write("in/2024-01-01.json", snapshot("2024-01-01", 5, "A"));
    let b = env.write("in/2024-01-02.json", snapshot("2024-01-02", 5, "B"));
    let (code, stdout, stderr) = ingest_changing_inputs(&env, &[&a, &b], &["--archive"], || {
        std::fs::write(&b, snapshot("2024-01-02", 5, "Changed")).unwrap();
    });
    // Both publications are recorded as checked; the changed file is not archived, and the
    // message says so and what to do.
    assert_eq!(code, Some(2), "{stdout}\n{stderr}");
    assert_eq!(env.json(&["log"])["events"].as_array().unwrap().len(), 2);
    assert!(stderr.contains("2024-01-02.json"), "{stderr}");
    assert!(
        stderr.contains("is recorded, but its input was not archived"),
        "{stderr}"
    );
    assert!(stderr.contains("--archive"), "{stderr}");
}

/// The seqs of the events `ingest` said it recorded, from its standard output so far.
fn printed_seqs(lines: &[String]) -> Vec<u64> {
    lines
        .iter()
        .filter_map(|line| line.strip_prefix("recorded event "))
        .filter_map(|rest| rest.split(':').next()?.parse().ok())
        .collect()
}

#[test]
fn every_event_ingest_printed_is_in_the_store_after_a_kill() {
    // Thirty publications, killed right after the last "recorded event" line, after the first,
    // and after pseudo-random numbers of them (a fixed sequence, so that a failure can be
    // replayed).
    const FILES: usize = 30;
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut kill_points = vec![FILES, 1];
    for _ in 0..4 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        kill_points.push(1 + (state % FILES as u64) as usize);
    }
    for (run, kill_after) in kill_points.into_iter().enumerate() {
        let env = Env::new();
        for day in 1..=FILES {
            env.write(
                &format!("in/2024-01-{day:02}.json"),
                snapshot(&format!("2024-01-{day:02}"), 200, &format!("Day {day}")),
            );
        }
        let dir = env.dir.path().join("in").to_string_lossy().into_owned();
        let mut child = spawn(&env, &["ingest", &dir], &[]);
        let stdout = child.stdout.take().unwrap();
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            let recorded = line.starts_with("recorded event ");
            lines.push(line);
            if recorded && printed_seqs(&lines).len() >= kill_after {
                break;
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        let printed = printed_seqs(&lines);
        assert!(!printed.is_empty(), "run {run}: nothing printed: {lines:?}");
        let log = env.json(&["log"]);
        let stored: Vec<u64> = log["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["seq"].as_u64().unwrap())
            .collect();
        for seq in &printed {
            assert!(
                stored.contains(seq),
                "run {run}: ingest printed event {seq}, but after the kill the store holds only {stored:?}"
            );
        }
        env.ok(&["verify"]);
        eprintln!(
            "run {run}: killed after {} printed events; {} in the store",
            printed.len(),
            stored.len()
        );
    }
}
