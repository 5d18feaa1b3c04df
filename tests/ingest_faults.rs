//! Faults around an ingest: input directories with link loops, input files that change while
//! an ingest reads them, and kills in the middle of one. Whatever happens, what is recorded is
//! whole and exactly what was checked, and what `ingest` printed is in the store.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

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
