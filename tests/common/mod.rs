//! Shared helpers for the integration tests: a temporary store per test, the real binary, and
//! the real published files under ../shared/data/real.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tempfile::TempDir;

/// A temporary directory holding one store (sled locks its directory, so tests never share).
pub struct Env {
    pub dir: TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    /// The store directory (not created until the first ingest).
    pub fn store(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    /// `listdiff --store <tmp>/store ARGS`, with a fixed clock and no colour.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("listdiff");
        cmd.arg("--store")
            .arg(self.store())
            .args(args)
            .env("LISTDIFF_NOW", "2026-01-15T09:30:00Z")
            .env_remove("LISTDIFF_STORE")
            .env("NO_COLOR", "1");
        cmd
    }

    /// Runs a command that must succeed; returns its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let output = self.cmd(args).output().expect("listdiff runs");
        assert!(
            output.status.success(),
            "listdiff {args:?} failed with {:?}\nstdout: {}\nstderr: {}",
            output.status.code(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8 output")
    }

    /// Runs a command that must succeed and print JSON; returns it parsed.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["-o", "json"]);
        let text = self.ok(&all);
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("listdiff {args:?} printed invalid JSON: {e}\n{text}"))
    }

    /// Writes a file under the temporary directory and returns its path as a string.
    pub fn write(&self, name: &str, content: impl AsRef<[u8]>) -> String {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, content).unwrap();
        path.to_string_lossy().into_owned()
    }

    /// Every file of the store with the SHA-256 of its bytes: equal fingerprints mean the
    /// store was not touched at all.
    pub fn fingerprint(&self) -> BTreeMap<PathBuf, String> {
        let mut files = BTreeMap::new();
        if self.store().exists() {
            collect(&self.store(), &self.store(), &mut files);
        }
        files
    }
}

fn collect(root: &Path, dir: &Path, files: &mut BTreeMap<PathBuf, String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let bytes = std::fs::read(&path).unwrap();
            files.insert(
                path.strip_prefix(root).unwrap().to_path_buf(),
                hex::encode(Sha256::digest(&bytes)),
            );
        }
    }
}

/// The repository's own directory.
pub fn repo(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(path)
        .to_string_lossy()
        .into_owned()
}

/// A real published file under `../shared/data/real` (or `$LISTDIFF_REAL_DATA`).
pub fn real(path: &str) -> String {
    let root = std::env::var_os("LISTDIFF_REAL_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/real"));
    let full = root.join(path);
    assert!(
        full.exists(),
        "real data file {} is missing: these tests need ../shared/data/real beside the repository, or LISTDIFF_REAL_DATA pointing at it",
        full.display()
    );
    full.to_string_lossy().into_owned()
}

/// A native publication as JSON text.
pub fn native(list: &str, published: &str, kind: &str, body: Value) -> String {
    let mut doc = serde_json::json!({"list": list, "published": published, "source": format!("test {published}"), "kind": kind});
    for (k, v) in body.as_object().unwrap() {
        doc[k] = v.clone();
    }
    serde_json::to_string_pretty(&doc).unwrap()
}

/// The ids in a JSON array of changes or entries.
pub fn ids(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("expected an array, got {value}"))
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

/// How many items the JSON array `v[key]` holds.
pub fn count(v: &Value, key: &str) -> usize {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is not an array in {v}"))
        .len()
}

/// The item of the JSON array `v[key]` whose id is `id`.
pub fn find<'a>(v: &'a Value, key: &str, id: &str) -> &'a Value {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {key} entry {id}"))
}

/// The field change `name` of a changed entry.
pub fn field<'a>(change: &'a Value, name: &str) -> &'a Value {
    change["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == name)
        .unwrap_or_else(|| panic!("no field {name} in {change}"))
}
