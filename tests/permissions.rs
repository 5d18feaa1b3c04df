//! A store is private to its owner (issue 16, item 17): the store directory and every directory
//! listdiff creates in it are 0700, every file 0600 (the database engine's files, the lock, the
//! archive's files and manifests, an imported store), where they were created 0755 and 0644.
//! The modes of an existing store are left as they are; only files listdiff creates anew are
//! private.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use common::{Env, native};
use serde_json::json;

/// Every path under `dir` (and `dir` itself) with its permission bits.
fn modes(dir: &Path) -> Vec<(PathBuf, u32, bool)> {
    let mut found = vec![(
        dir.to_path_buf(),
        std::fs::metadata(dir).unwrap().permissions().mode() & 0o777,
        true,
    )];
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = entry.metadata().unwrap();
        if meta.is_dir() {
            found.extend(modes(&entry.path()));
        } else {
            found.push((entry.path(), meta.permissions().mode() & 0o777, false));
        }
    }
    found
}

/// Asserts that every directory under `dir` is 0700 and every file 0600.
fn assert_private(dir: &Path) {
    let modes = modes(dir);
    assert!(modes.len() > 5, "{modes:?}");
    let open: Vec<_> = modes
        .iter()
        .filter(|(_, mode, is_dir)| *mode != if *is_dir { 0o700 } else { 0o600 })
        .map(|(path, mode, _)| format!("{} {mode:o}", path.display()))
        .collect();
    assert!(open.is_empty(), "not private: {open:#?}");
}

fn publication(date: &str, ids: &[&str]) -> String {
    let entries: Vec<_> = ids.iter().map(|id| json!({"id": id, "name": id})).collect();
    native("l", date, "snapshot", json!({ "entries": entries }))
}

#[test]
fn a_new_store_its_archive_and_an_imported_store_are_private() {
    let env = Env::new();
    let first = env.write("a/2024-01-01.json", publication("2024-01-01", &["a"]));
    let second = env.write("a/2024-01-02.json", publication("2024-01-02", &["a", "b"]));
    env.ok(&["ingest", "--archive", &first]);
    env.ok(&["ingest", "--archive", &second]);
    env.ok(&["rebuild"]);
    assert!(env.store().join("archive").is_dir());
    assert_private(&env.store());

    let exported = env.dir.path().join("export.jsonl");
    env.ok(&["export", "-o", exported.to_str().unwrap()]);
    let copy = Env::new();
    copy.ok(&["import", exported.to_str().unwrap()]);
    assert_private(&copy.store());
}

#[test]
fn an_existing_store_keeps_its_modes_and_gets_private_new_files() {
    let env = Env::new();
    let first = env.write("a/2024-01-01.json", publication("2024-01-01", &["a"]));
    env.ok(&["ingest", &first]);
    // As an earlier listdiff left it, or as its owner chose.
    let chosen = std::fs::Permissions::from_mode(0o750);
    std::fs::set_permissions(env.store(), chosen).unwrap();
    let second = env.write("a/2024-01-02.json", publication("2024-01-02", &["a", "b"]));
    env.ok(&["ingest", "--archive", &second]);
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&env.store()), 0o750, "the store directory was changed");
    assert_private(&env.store().join("archive"));
}
