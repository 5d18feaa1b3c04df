//! Several processes and one store: every command waits for a store another process uses (by
//! default up to 120 s, saying so after a second; `--wait SECONDS` sets how long), or with
//! `--wait 0` fails at once with the in-use message; nothing is lost either way, and readers
//! never make writers fail (issue 16, item 12).
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Env, RealData};
use listdiff::store::{Access, Store};

const FILES: [&str; 4] = [
    "ofac-sdn/2021-12-22",
    "ofac-sdn/2021-12-30",
    "ofac-sdn/2022-02-24",
    "ofac-sdn/2022-02-25",
];

fn event_count(env: &Env) -> usize {
    env.json(&["log"])["events"].as_array().unwrap().len()
}

#[test]
fn an_ingest_waits_for_the_store_with_wait() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    env.ok(&["ingest", &real.file(FILES[0])]);
    let held = Store::open(&env.store(), Access::Read).unwrap();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("listdiff"))
        .arg("--store")
        .arg(env.store())
        .args(["--wait", "60", "ingest", &real.file(FILES[1])])
        .env("LISTDIFF_NOW", "2026-01-15T09:30:00Z")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    drop(held);
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(event_count(&env), 2);
}

#[test]
fn a_wait_that_runs_out_fails_with_the_in_use_message_and_records_nothing() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    env.ok(&["ingest", &real.file(FILES[0])]);
    let held = Store::open(&env.store(), Access::Read).unwrap();
    let started = Instant::now();
    let output = env
        .cmd(&["--wait", "0.5", "ingest", &real.file(FILES[1])])
        .output()
        .unwrap();
    let waited = started.elapsed();
    drop(held);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("still in use by another listdiff process after waiting 0.5 s"),
        "{stderr}"
    );
    assert!(waited >= Duration::from_millis(500), "{waited:?}");
    assert_eq!(event_count(&env), 1, "the refused ingest recorded nothing");
    // Run again: nothing was lost.
    env.ok(&["ingest", &real.file(FILES[1])]);
    assert_eq!(event_count(&env), 2);
}

#[test]
fn ingests_started_together_all_land_with_wait_and_none_is_lost_without() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    // With --wait: every process records its publication.
    let env = Env::new();
    let children: Vec<_> = FILES
        .iter()
        .map(|file| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin!("listdiff"))
                .arg("--store")
                .arg(env.store())
                .args(["--wait", "120", "ingest", &real.file(file)])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(event_count(&env), FILES.len());
    let as_of = env.json(&["as-of", "2022-02-25"]);
    assert_eq!(as_of["entries"].as_array().unwrap().len(), 9214);

    // With --wait 0: a process that finds the store in use fails at once with the in-use
    // message and records nothing; running the failed ones again completes the history.
    let env = Env::new();
    let children: Vec<_> = FILES
        .iter()
        .map(|file| {
            let child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("listdiff"))
                .arg("--store")
                .arg(env.store())
                .args(["--wait", "0", "ingest", &real.file(file)])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            (file, child)
        })
        .collect();
    let mut failed = Vec::new();
    for (file, child) in children {
        let output = child.wait_with_output().unwrap();
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(3), "{stderr}");
            assert!(
                stderr.contains("in use by another listdiff process"),
                "{stderr}"
            );
            failed.push(*file);
        }
    }
    assert!(failed.len() < FILES.len(), "one of them got the store");
    for file in &failed {
        env.ok(&["--wait", "60", "ingest", &real.file(file)]);
    }
    assert_eq!(event_count(&env), FILES.len());
    assert_eq!(
        env.json(&["as-of", "2022-02-25"])["entries"]
            .as_array()
            .unwrap()
            .len(),
        9214
    );
}

#[test]
fn wait_takes_only_a_number_of_seconds() {
    let env = Env::new();
    let output = env.cmd(&["--wait", "soon", "log"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a number of seconds"));
}

/// `listdiff --store <store> ARGS` as a process, with the fixed clock and no colour.
fn process(env: &Env, args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin!("listdiff"));
    command
        .arg("--store")
        .arg(env.store())
        .args(args)
        .env("LISTDIFF_NOW", "2026-01-15T09:30:00Z")
        .env_remove("LISTDIFF_STORE")
        .env("NO_COLOR", "1");
    command
}

#[test]
fn readers_polling_never_make_ingests_fail() {
    let env = Env::new();
    let files: Vec<String> = (1..=12)
        .map(|day| {
            let entries: Vec<_> = (0..=day)
                .map(|i| serde_json::json!({"id": format!("e{i}"), "name": format!("Entry {i}")}))
                .collect();
            env.write(
                &format!("in/2024-01-{day:02}.json"),
                common::native(
                    "l",
                    &format!("2024-01-{day:02}"),
                    "snapshot",
                    serde_json::json!({ "entries": entries }),
                ),
            )
        })
        .collect();
    env.ok(&["ingest", &files[0]]);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Two readers, each asking again as soon as it has its answer, as a dashboard polling would.
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let stop = stop.clone();
            let mut command = process(&env, &["as-of", "2024-12-31", "-o", "json"]);
            std::thread::spawn(move || {
                let (mut answers, mut failures) = (0, Vec::new());
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let output = command.output().unwrap();
                    if output.status.success() {
                        answers += 1;
                    } else {
                        failures.push(String::from_utf8_lossy(&output.stderr).into_owned());
                    }
                }
                (answers, failures)
            })
        })
        .collect();
    // Scheduled ingests, one after another, while the readers poll.
    std::thread::sleep(Duration::from_millis(300));
    let mut failures = Vec::new();
    for file in &files[1..] {
        let output = process(&env, &["ingest", file]).output().unwrap();
        if !output.status.success() {
            failures.push(String::from_utf8_lossy(&output.stderr).into_owned());
        }
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut answers = 0;
    let mut reader_failures = Vec::new();
    for reader in readers {
        let (answered, failed) = reader.join().unwrap();
        answers += answered;
        reader_failures.extend(failed);
    }
    assert!(
        failures.is_empty(),
        "{} of 11 ingests failed: {failures:#?}",
        failures.len()
    );
    assert!(
        reader_failures.is_empty(),
        "readers failed: {reader_failures:#?}"
    );
    assert!(answers >= 6, "the readers answered only {answers} times");
    assert_eq!(event_count(&env), 12);
}

#[test]
fn every_command_waits_by_default_and_says_so_and_wait_0_fails_at_once() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    env.ok(&["ingest", &real.file(FILES[0])]);
    let held = Store::open(&env.store(), Access::Read).unwrap();

    // --wait 0: at once, exit 3, the in-use message.
    let started = Instant::now();
    let output = env.cmd(&["--wait", "0", "log"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("is in use by another listdiff process"),
        "{stderr}"
    );
    assert!(started.elapsed() < Duration::from_secs(20));

    // By default: it waits, says so on standard error after about a second, and answers once
    // the store is free.
    let child = process(&env, &["log", "-o", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Long enough for the process to start and wait more than a second, even on a busy machine.
    std::thread::sleep(Duration::from_millis(4000));
    drop(held);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "listdiff: waiting for the store at {} (used by another listdiff process); --wait 0 fails at once",
            env.store().display()
        ),
        "said once"
    );
    let log: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(log["events"].as_array().unwrap().len(), 1);
}
