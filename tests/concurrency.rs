//! Two processes and one store: the second waits (`--wait SECONDS`) or fails at once with the
//! in-use message; nothing is lost either way.
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

    // Without --wait: a process that finds the store in use fails at once with the in-use
    // message and records nothing; running the failed ones again completes the history.
    let env = Env::new();
    let children: Vec<_> = FILES
        .iter()
        .map(|file| {
            let child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("listdiff"))
                .arg("--store")
                .arg(env.store())
                .args(["ingest", &real.file(file)])
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
