//! A store on a read-only file system, such as a backup mounted read-only (issue 16, item 13):
//! every read command answers as on the writable store, and every command that would change it
//! refuses with "the store at … is read-only" (exit 3), leaving it as it was. Before, every
//! command failed with exit 3, since the lock file was opened for writing.
//!
//! The tests run listdiff inside a private mount namespace with a read-only bind mount of the
//! store (`unshare -m`, which needs root or user namespaces). Where that is not permitted they
//! print one "skipped: …" line and pass, except under `CI=true`, where they fail.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{Env, native};
use serde_json::json;

/// Runs `listdiff --store <mount> ARGS` with the store of `env` bind-mounted read-only at
/// `<mount>` in a private mount namespace; `None` when this machine does not permit it.
fn read_only(env: &Env, args: &[&str]) -> Option<Output> {
    let mount = env.dir.path().join("read-only");
    std::fs::create_dir_all(&mount).unwrap();
    let temporary = env.dir.path().join("tmp");
    std::fs::create_dir_all(&temporary).unwrap();
    let script = r#"mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" || exit 97
shift 2
exec "$@""#;
    let output = std::process::Command::new("unshare")
        .args(["-m", "sh", "-c", script, "sh"])
        .arg(env.store())
        .arg(&mount)
        .arg(assert_cmd::cargo::cargo_bin!("listdiff"))
        .arg("--store")
        .arg(&mount)
        .args(args)
        .env("LISTDIFF_NOW", "2026-01-15T09:30:00Z")
        .env_remove("LISTDIFF_STORE")
        .env("NO_COLOR", "1")
        .env("TMPDIR", &temporary)
        .output()
        .ok()?;
    if output.status.code() == Some(97)
        || (output.status.code() == Some(1) && !output.stderr.starts_with(b"listdiff"))
    {
        return None;
    }
    Some(output)
}

/// True when read-only bind mounts can be made here; prints one "skipped" line when not, and
/// fails under CI, where they must be.
fn read_only_mounts_work(env: &Env, test: &str) -> bool {
    if read_only(env, &["--version"]).is_some_and(|o| o.status.success()) {
        return true;
    }
    let why =
        "a read-only bind mount in a private mount namespace (unshare -m) is not permitted here";
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{test}: {why}, and under CI=true this test must run"
    );
    println!("skipped: {test}: {why}");
    false
}

/// A store with two lists, an archive and a correction.
fn store() -> Env {
    let env = Env::new();
    for (date, entries) in [
        (
            "2022-02-24",
            json!([{"id": "1", "name": "One"}, {"id": "2", "name": "Two"}]),
        ),
        (
            "2022-02-25",
            json!([{"id": "1", "name": "One", "reason": "r"}, {"id": "3", "name": "Three"}]),
        ),
    ] {
        let file = env.write(
            &format!("m-{date}.json"),
            native("m", date, "snapshot", json!({ "entries": entries })),
        );
        env.ok(&["ingest", "--archive", "--allow-drop", &file]);
    }
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
    env
}

/// Every file of the store with its bytes.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files(&path));
        } else {
            found.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    found.sort();
    found
}

#[test]
fn read_commands_answer_on_a_read_only_store_as_on_the_store() {
    let env = store();
    if !read_only_mounts_work(
        &env,
        "read_commands_answer_on_a_read_only_store_as_on_the_store",
    ) {
        return;
    }
    let checkpoint = env.dir.path().join("checkpoint.txt");
    env.ok(&["checkpoint", "-o", checkpoint.to_str().unwrap()]);
    let commands = [
        vec!["log", "-o", "json"],
        vec!["as-of", "2022-02-25", "-o", "json"],
        vec!["as-of", "2022-02-25"],
        vec!["since", "2022-02-24", "-o", "json"],
        vec!["diff", "2022-02-24", "2022-02-25", "-o", "json"],
        vec!["history", "Three", "-o", "json"],
        vec![
            "since",
            "2022-02-24",
            "--known-at",
            "2026-01-15",
            "-o",
            "json",
        ],
        vec!["verify"],
        vec!["verify", "--checkpoint", checkpoint.to_str().unwrap()],
        vec!["export"],
        vec!["checkpoint"],
        vec!["proof", "2"],
        vec!["config"],
        vec!["reparse", "-o", "json"],
    ];
    // The answers on the writable store first: opening it may write to it.
    let expected: Vec<String> = commands.iter().map(|args| env.ok(args)).collect();
    let before = files(&env.store());
    for (args, expected) in commands.iter().zip(expected) {
        let output = read_only(&env, args).unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            expected,
            "{args:?} answers otherwise on the read-only store"
        );
    }
    assert!(files(&env.store()) == before, "the store changed");
    // Each command read a private copy of the database, and removed it.
    let left: Vec<_> = std::fs::read_dir(env.dir.path().join("tmp"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "left in the temporary directory: {left:?}");
}

#[test]
fn commands_that_would_change_a_read_only_store_refuse_it() {
    let env = store();
    if !read_only_mounts_work(
        &env,
        "commands_that_would_change_a_read_only_store_refuse_it",
    ) {
        return;
    }
    let before = files(&env.store());
    let file = env.write(
        "m.json",
        native(
            "l",
            "2024-01-02",
            "snapshot",
            json!({"entries": [{"id": "b", "name": "B"}]}),
        ),
    );
    for args in [
        vec!["ingest", file.as_str()],
        vec!["rebuild"],
        vec!["config", "archive", "on"],
    ] {
        let output = read_only(&env, &args).unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "the store at {} is read-only",
                env.dir.path().join("read-only").display()
            )),
            "{args:?}: {stderr}"
        );
    }
    assert!(files(&env.store()) == before, "the store changed");
}
