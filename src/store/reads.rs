//! Reads recognised: what reading one input under some options gave, so that an ingest of an
//! input already recorded is recognised from its bytes' digest before any parsing.
//!
//! Each entry maps a read key (the SHA-256 of everything that decides what a read of an input
//! gives: its files' names and digests, its format and parser, the read options and the date
//! its path writes; see `ingest::recognise`) to the publications (list and time) that read
//! gave. It is a cache kept in the `meta` tree under `read.<key>`, not part of the log: a
//! rebuild, an export or an import does not carry it, and losing it only costs time (the
//! input is read again, and recognised again afterwards). It never answers on its own: an
//! input is taken as recorded only when every publication its key names is recorded, not
//! retracted, with the input's bytes (the `dedup` index, derived from the log).
//!
//! Beside the database, the file `reads` in the store directory lists the keys noted, one a
//! line: an ingest reads it before opening the database, and opens the database ahead of its
//! checks only when one of its inputs has a key listed, so that an ingest of new input (bad
//! input above all) leaves the store's files exactly as they were. The file is only a filter:
//! a key listed but not noted (a crash between the two writes) costs an open, nothing else.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::keys::{self, meta};
use super::kv::{Kv, Tree, Writes};
use super::{Store, StoreError};
use crate::model::{ListId, PublicationTime};

/// The file of the keys noted, in store directory `store`.
fn keys_file(store: &Path) -> PathBuf {
    store.join("reads")
}

/// The most bytes of the `reads` file read (a million keys); a longer file is not read, and no
/// input is recognised until it is removed.
const MAX_KEYS_FILE_BYTES: u64 = 66 * 1024 * 1024;

/// The keys of the reads noted in the store at `store` (its directory), read without opening
/// the database: empty when there is no store, no such file, or one that cannot be read or is
/// too large (inputs are then read, as ever).
pub fn noted_read_keys(store: &Path) -> HashSet<String> {
    let Ok(file) = std::fs::File::open(keys_file(store)) else {
        return HashSet::new();
    };
    let mut text = String::new();
    match file.take(MAX_KEYS_FILE_BYTES + 1).read_to_string(&mut text) {
        Ok(n) if (n as u64) <= MAX_KEYS_FILE_BYTES => {}
        _ => return HashSet::new(),
    }
    text.lines()
        .filter(|line| line.len() == 64 && line.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_string)
        .collect()
}

impl Store {
    /// Whether any read has been noted: when none, looking inputs up is pointless.
    pub fn any_read_noted(&self) -> Result<bool, StoreError> {
        match self
            .kv
            .range(
                Tree::Meta,
                meta::READ_PREFIX,
                &keys::successor(meta::READ_PREFIX),
            )
            .next()
        {
            Some(pair) => pair.map(|_| true),
            None => Ok(false),
        }
    }

    /// The publications the read with key `key` gave, when noted; `None` when not noted or
    /// noted in a form this listdiff does not read (the input is then read again).
    pub fn read_noted(
        &self,
        key: &str,
    ) -> Result<Option<Vec<(ListId, PublicationTime)>>, StoreError> {
        Ok(self
            .kv
            .get(Tree::Meta, &meta::read(key))?
            .and_then(|bytes| serde_json::from_slice(&bytes).ok()))
    }

    /// Notes that the read with key `key` gave `publications`; made durable with the store's
    /// next flush.
    pub fn note_read(
        &self,
        key: &str,
        publications: &[(ListId, PublicationTime)],
    ) -> Result<(), StoreError> {
        let value = serde_json::to_vec(publications).map_err(|e| {
            StoreError::Corrupt(format!("a recognised read could not be written: {e}"))
        })?;
        let mut writes = Writes::default();
        writes.put(Tree::Meta, meta::read(key), value);
        self.kv.commit(writes)?;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(keys_file(&self.path))
            .map_err(|source| StoreError::Io {
                path: keys_file(&self.path),
                source,
            })?;
        file.write_all(format!("{key}\n").as_bytes())
            .map_err(|source| StoreError::Io {
                path: keys_file(&self.path),
                source,
            })
    }

    /// The event (not retracted) that recorded `list`'s publication at `published` from input
    /// bytes `sha256`, if any.
    pub fn recorded_from(
        &self,
        list: &ListId,
        published: PublicationTime,
        sha256: &str,
    ) -> Result<Option<u64>, StoreError> {
        self.view().index.recorded_as(list, published, sha256)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_noted_read_is_found_by_its_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), super::super::Access::Write).unwrap();
        assert!(!store.any_read_noted().unwrap());
        let list = ListId::new("l").unwrap();
        let published = PublicationTime::parse("2024-03-04").unwrap();
        let key = "a".repeat(64);
        store.note_read("k1", &[(list.clone(), published)]).unwrap();
        store.note_read(&key, &[]).unwrap();
        // The keys file lists well-formed keys only.
        assert_eq!(noted_read_keys(dir.path()), HashSet::from([key]));
        assert!(store.any_read_noted().unwrap());
        assert_eq!(
            store.read_noted("k1").unwrap(),
            Some(vec![(list, published)])
        );
        assert_eq!(store.read_noted("k2").unwrap(), None);
        // Settings are not reads.
        assert_eq!(store.settings().unwrap(), Vec::new());
    }
}
