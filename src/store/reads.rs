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

use super::keys;
use super::kv::{Kv, Tree, Writes};
use super::{Store, StoreError};
use crate::model::{ListId, PublicationTime};

/// The prefix of the keys of recognised reads in the `meta` tree.
const READ_PREFIX: &[u8] = b"read.";

/// `read.<key>`
fn read_key(key: &str) -> Vec<u8> {
    let mut bytes = READ_PREFIX.to_vec();
    bytes.extend_from_slice(key.as_bytes());
    bytes
}

impl Store {
    /// Whether any read has been noted: when none, looking inputs up is pointless.
    pub fn any_read_noted(&self) -> Result<bool, StoreError> {
        match self
            .kv
            .range(Tree::Meta, READ_PREFIX, &keys::successor(READ_PREFIX))
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
            .get(Tree::Meta, &read_key(key))?
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
        writes.put(Tree::Meta, read_key(key), value);
        self.kv.commit(writes)
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
        store.note_read("k1", &[(list.clone(), published)]).unwrap();
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
