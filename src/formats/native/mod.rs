//! listdiff's own formats: a publication as one JSON document ([`publication`], `native`) and
//! a snapshot's entries as JSON lines ([`entries`], `native-ndjson`).
//!
//! Both write an entry the same way; what they share here is how a file of each is told apart
//! from the other by its first bytes.

pub(super) mod entries;
pub(super) mod publication;

/// The keys of a native publication object.
const PUBLICATION_KEYS: [&str; 8] = [
    "list",
    "published",
    "source",
    "kind",
    "entries",
    "add",
    "amend",
    "remove",
];

/// Keys of a native entry: a first line that is an object with one of them, and none of the
/// publication's keys, is a line of native entries.
const ENTRY_KEYS: [&str; 4] = ["id", "name", "aliases", "programs"];
