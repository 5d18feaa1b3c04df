//! The event: the immutable record of one publication, as stored in the log.
//!
//! An event is stored as compact JSON, one line, never rewritten. A snapshot's content is stored
//! as its difference from a base that is itself fixed by earlier events: the state of the same
//! list at the end of the day before the snapshot's date, as the store knew it just before the
//! event was recorded (that is, folding only events with a smaller seq). The full snapshot is
//! that base plus `upsert` minus `remove`; `entries` and `entries_sha256` let a replay check it.
//! An amendment is stored as given.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::{Effect, Entry, EntryId, EventMeta, ListId, PublicationKind};

/// The version of the event layout written by this listdiff.
pub(crate) const EVENT_VERSION: u32 = 1;

/// The digest of one input file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputDigest {
    /// The file name as given (or `<stdin>`).
    pub name: String,
    /// SHA-256 of its exact bytes, lower-case hex.
    pub sha256: String,
    /// Its length in bytes.
    pub bytes: u64,
}

/// Where a publication came from: what the event records besides its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provenance {
    /// SHA-256 of the exact input bytes; for several files, of their manifest (see [`manifest_sha256`]).
    pub sha256: String,
    /// Every file read.
    pub inputs: Vec<InputDigest>,
    /// The format name.
    pub format: String,
    /// The program and parser that produced the content, e.g. `listdiff 0.1.0 native/1`.
    pub parser: String,
}

/// SHA-256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The hash identifying a set of input files: of the file itself when there is one, else of the
/// manifest `"<sha256>  <name>\n"` per file in the order given (the layout of `sha256sum`).
pub fn manifest_sha256(inputs: &[InputDigest]) -> String {
    match inputs {
        [one] => one.sha256.clone(),
        many => {
            let manifest: String = many
                .iter()
                .map(|i| format!("{}  {}\n", i.sha256, i.name))
                .collect();
            sha256_hex(manifest.as_bytes())
        }
    }
}

/// The content of an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "encoding", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum EventContent {
    /// A snapshot, stored as its difference from its base (see the module documentation).
    SnapshotDelta {
        /// How many entries the full snapshot has.
        entries: u64,
        /// SHA-256 over the full snapshot's entry hashes in id order.
        entries_sha256: String,
        /// Entries that are new or differ from the base.
        upsert: Vec<Entry>,
        /// Ids in the base that the snapshot does not have.
        remove: Vec<EntryId>,
    },
    /// An amendment, as published.
    Amendment {
        /// Entries added.
        add: Vec<Entry>,
        /// Entries replaced.
        amend: Vec<Entry>,
        /// Ids removed.
        remove: Vec<EntryId>,
    },
}

/// One recorded publication: the unit of the append-only log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EventRecord {
    /// Layout version ([`EVENT_VERSION`]).
    pub v: u32,
    /// Gapless sequence number, from 1.
    pub seq: u64,
    /// The list.
    pub list: ListId,
    /// The publication date.
    pub published: NaiveDate,
    /// Snapshot or amendment.
    pub kind: PublicationKind,
    /// File name or citation.
    pub source: String,
    /// SHA-256 of the exact input bytes (or of the manifest of several files).
    pub sha256: String,
    /// Every input file.
    pub inputs: Vec<InputDigest>,
    /// When it was recorded.
    pub recorded: DateTime<Utc>,
    /// The input format.
    pub format: String,
    /// The program and parser versions that produced the content.
    pub parser: String,
    /// The earlier event of the same list and date that this one corrects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<u64>,
    /// What it changed when it was recorded.
    pub effect: Effect,
    /// The content.
    pub content: EventContent,
}

impl EventRecord {
    /// The stored bytes.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("an event always serialises")
    }

    /// Reads stored bytes.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<EventRecord, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// The metadata part.
    pub(crate) fn meta(&self) -> EventMeta {
        EventMeta {
            seq: self.seq,
            list: self.list.clone(),
            published: self.published,
            recorded: self.recorded,
            kind: self.kind,
            source: self.source.clone(),
            sha256: self.sha256.clone(),
            format: self.format.clone(),
            supersedes: self.supersedes,
            effect: self.effect,
        }
    }
}

/// [`EventMeta`] as stored in the derived `event_meta` tree.
#[derive(Serialize, Deserialize)]
pub(crate) struct StoredMeta {
    seq: u64,
    list: ListId,
    published: NaiveDate,
    recorded: DateTime<Utc>,
    kind: PublicationKind,
    source: String,
    sha256: String,
    format: String,
    supersedes: Option<u64>,
    effect: Effect,
}

impl From<&EventMeta> for StoredMeta {
    fn from(m: &EventMeta) -> StoredMeta {
        StoredMeta {
            seq: m.seq,
            list: m.list.clone(),
            published: m.published,
            recorded: m.recorded,
            kind: m.kind,
            source: m.source.clone(),
            sha256: m.sha256.clone(),
            format: m.format.clone(),
            supersedes: m.supersedes,
            effect: m.effect,
        }
    }
}

impl From<StoredMeta> for EventMeta {
    fn from(m: StoredMeta) -> EventMeta {
        EventMeta {
            seq: m.seq,
            list: m.list,
            published: m.published,
            recorded: m.recorded,
            kind: m.kind,
            source: m.source,
            sha256: m.sha256,
            format: m.format,
            supersedes: m.supersedes,
            effect: m.effect,
        }
    }
}
