//! What `listdiff pull` keeps of each source's last fetch: the validators its server sent
//! (`ETag`, `Last-Modified`), sent back on the next pull as `If-None-Match` and
//! `If-Modified-Since`, and the SHA-256 of every file fetched, so that a body identical to the
//! last one is told "unchanged" whatever the headers say.
//!
//! Kept in the `meta` tree under `fetch.<source>` as JSON. Like the reads noted, it is not part
//! of the log: a rebuild, an export or an import does not carry it, and losing it costs only a
//! full download on the next pull (whose bytes are then recognised as recorded already). It is
//! written only once what was fetched is recorded, or found to be recorded already: a body
//! refused by the checks leaves it as it was, so that the next pull fetches it again.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::keys::meta;
use super::kv::{Kv, Tree, Writes};
use super::{Store, StoreError};

/// What the last pull of one source fetched and recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchState {
    /// When it was fetched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched_at: Option<DateTime<Utc>>,
    /// The files fetched, by URL.
    #[serde(default)]
    pub files: Vec<FetchedFile>,
    /// For sources fetched in steps (the eCFR's title date, the Federal Register's documents):
    /// what the source's own change signal said last time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
}

/// One file of a source's last fetch.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchedFile {
    /// The URL asked for.
    pub url: String,
    /// The response's `ETag`, exactly as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The response's `Last-Modified`, exactly as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// SHA-256 of the body.
    pub sha256: String,
}

impl FetchState {
    /// The last fetch of `url`, if this state has one.
    pub fn file(&self, url: &str) -> Option<&FetchedFile> {
        self.files.iter().find(|f| f.url == url)
    }
}

impl Store {
    /// What the last pull of `source` kept, if any. A value that does not read (written by a
    /// later version, or damaged) counts as none: the source is then fetched whole.
    pub fn fetch_state(&self, source: &str) -> Result<Option<FetchState>, StoreError> {
        Ok(self
            .kv
            .get(Tree::Meta, &meta::fetch(source))?
            .and_then(|bytes| serde_json::from_slice(&bytes).ok()))
    }

    /// Keeps `state` as what the last pull of `source` fetched (made durable with the store's
    /// next flush).
    pub fn set_fetch_state(&self, source: &str, state: &FetchState) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(state)
            .map_err(|e| StoreError::Corrupt(format!("cannot write the fetch state: {e}")))?;
        let mut writes = Writes::default();
        writes.put(Tree::Meta, meta::fetch(source), bytes);
        self.kv.commit(writes)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::store::Access;

    #[test]
    fn kept_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), Access::Write).unwrap();
        assert_eq!(store.fetch_state("un-sc").unwrap(), None);
        let state = FetchState {
            fetched_at: Some("2026-01-15T09:30:00Z".parse().unwrap()),
            files: vec![FetchedFile {
                url: "https://example.org/a.xml".into(),
                etag: Some("\"abc\"".into()),
                last_modified: None,
                sha256: "00".repeat(32),
            }],
            marker: None,
        };
        store.set_fetch_state("un-sc", &state).unwrap();
        assert_eq!(store.fetch_state("un-sc").unwrap(), Some(state.clone()));
        assert_eq!(store.fetch_state("eu-fsf").unwrap(), None);
        assert!(
            state
                .file("https://example.org/a.xml")
                .is_some_and(|f| f.etag.is_some())
        );
    }
}
