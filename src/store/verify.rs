//! Checking a store end to end (`listdiff verify`): every event of the log, the Merkle tree of
//! the log, and every derived index against a rebuild of it in memory.
//!
//! The log checks, event by event: its key is the next seq (no gaps), its header reads back as
//! an event and names that seq, recording times never go back, and its content frames
//! decompress, hold the lines its header claims (32 per frame but the last) and hash to its
//! `block_sha256`. No content frame may belong to an event the log does not hold. Then the log
//! is copied into memory, the derived trees are rebuilt from it (which replays every event and
//! checks that it folds as it did when recorded) and compared with the stored trees key by key.
//!
//! A problem found is reported, not returned as an error: the report says what was checked and
//! names the first problems; errors are only for a store that cannot be read.

use sha2::{Digest, Sha256};

use super::event::{Block, FRAME_LINES, LogRecord};
use super::keys::{self, meta};
use super::kv::{Kv, MemKv, Tree, Writes};
use super::{Store, StoreError, index};
use crate::model::merkle::{self, TreeHash};
use crate::model::{EventMeta, RetractionMeta};

/// How many problems of the log a report names (the rest are counted).
const PROBLEMS_NAMED: usize = 20;

/// What [`Store::verify`] checked and found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyReport {
    /// The store's id.
    pub store_id: String,
    /// How many events the log holds.
    pub events: u64,
    /// The Merkle leaf hash of every event, in order (leaf `i` is event `i + 1`).
    pub leaves: Vec<TreeHash>,
    /// The root of the log's tree.
    pub root: TreeHash,
    /// How many content lines (entries stated) the events' blocks hold.
    pub content_lines: u64,
    /// How many keys of the derived trees were compared with a rebuild (0 when the log had
    /// problems and the indexes were not rebuilt).
    pub index_keys: u64,
    /// Whether the derived trees were rebuilt and compared.
    pub indexes_compared: bool,
    /// The problems found, each naming the event or the tree and key; empty when everything
    /// checks out.
    pub problems: Vec<String>,
}

impl VerifyReport {
    /// True when nothing was wrong.
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Why the bytes of an event header (from a proof) do not read as one.
#[derive(Debug, thiserror::Error)]
#[error("the event bytes are not a listdiff event header: {0}")]
pub struct EventBytesError(String);

/// What the exact stored bytes of an event header say: a publication or a retraction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventBytes {
    /// A recorded publication.
    Publication(EventMeta),
    /// A retraction.
    Retraction(RetractionMeta),
}

impl EventBytes {
    /// The event's seq.
    pub fn seq(&self) -> u64 {
        match self {
            EventBytes::Publication(event) => event.seq,
            EventBytes::Retraction(event) => event.seq,
        }
    }
}

/// Reads the exact stored bytes of an event header into its metadata, without a store (for
/// checking an inclusion proof).
pub fn read_event_bytes(bytes: &[u8]) -> Result<EventBytes, EventBytesError> {
    match LogRecord::from_bytes(bytes).map_err(|e| EventBytesError(e.to_string()))? {
        LogRecord::Publication(record) => Ok(EventBytes::Publication(record.meta())),
        LogRecord::Retraction(record) => Ok(EventBytes::Retraction(record.meta())),
    }
}

/// Problems found so far, the first few named.
#[derive(Default)]
struct Problems {
    named: Vec<String>,
    more: usize,
}

impl Problems {
    fn add(&mut self, message: String) {
        if self.named.len() < PROBLEMS_NAMED {
            self.named.push(message);
        } else {
            self.more += 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.named.is_empty()
    }

    fn into_list(mut self) -> Vec<String> {
        if self.more > 0 {
            self.named.push(format!("and {} more problems", self.more));
        }
        self.named
    }
}

impl Store {
    /// Checks the log and the derived indexes (see the module documentation). Reads the whole
    /// store; holds the log's compressed bytes and the rebuilt indexes in memory.
    pub fn verify(&self) -> Result<VerifyReport, StoreError> {
        let mut problems = Problems::default();
        let memory = MemKv::default();
        let mut leaves = Vec::new();
        let mut content_lines = 0;
        let mut last_recorded = None;
        for pair in self.kv.range(Tree::Events, &[], &keys::AFTER_THE_LOG) {
            let (key, value) = pair?;
            let seq = leaves.len() as u64 + 1;
            leaves.push(merkle::leaf_hash(&value));
            if key.len() != 8 || keys::read_seq(&key) != Some(seq) {
                problems.add(format!(
                    "the log has a gap or a stray key: event {seq} is missing, the next key in the log is {}",
                    printable_key(&key)
                ));
            }
            let mut writes = Writes::default();
            writes.put(Tree::Events, key.as_slice(), value.as_slice());
            let record = match LogRecord::from_bytes(&value) {
                Ok(record) => record,
                Err(e) => {
                    problems.add(format!(
                        "event {seq}: its header does not read back as an event: {e}"
                    ));
                    continue;
                }
            };
            if record.seq() != seq {
                problems.add(format!(
                    "event {seq}: its header says it is event {}",
                    record.seq()
                ));
            }
            if let Some(previous) = last_recorded
                && record.recorded() < previous
            {
                problems.add(format!(
                    "event {seq}: recorded at {}, before event {} (recorded at {previous}): recording times never go back",
                    record.recorded(),
                    seq - 1
                ));
            }
            last_recorded = Some(record.recorded());
            match self.check_content(&record, seq, &mut writes) {
                Ok(lines) => content_lines += lines,
                Err(problem) => problems.add(problem),
            }
            memory.commit(writes)?;
        }
        let events = leaves.len() as u64;
        if let Some(pair) = self
            .kv
            .range(Tree::Contents, &keys::seq(events + 1), &keys::AFTER_THE_LOG)
            .next()
        {
            let (key, _) = pair?;
            problems.add(format!(
                "content frames are stored for event {}, which the log (of {events} events) does not hold",
                keys::read_seq(&key).unwrap_or_default()
            ));
        }
        let next_seq = super::next_seq(&self.kv)?;
        if next_seq != events + 1 {
            problems.add(format!(
                "the store's counter says the next event is {next_seq}, but the log holds {events} events"
            ));
        }

        let mut index_keys = 0;
        let indexes_compared = problems.is_empty();
        if indexes_compared {
            let mut counter = Writes::default();
            counter.put(Tree::Meta, meta::NEXT_SEQ, keys::seq(events + 1));
            memory.commit(counter)?;
            match index::rebuild(&memory) {
                Ok(_) => {
                    for tree in Tree::DERIVED {
                        let (compared, difference) = compare_tree(&self.kv, &memory, tree)?;
                        index_keys += compared;
                        if let Some(difference) = difference {
                            problems.add(difference);
                        }
                    }
                }
                Err(StoreError::Corrupt(message)) => {
                    problems.add(format!("rebuilding the indexes fails: {message}"))
                }
                Err(other) => return Err(other),
            }
        }
        Ok(VerifyReport {
            store_id: self.store_id()?,
            events,
            root: merkle::root(&leaves),
            leaves,
            content_lines,
            index_keys,
            indexes_compared,
            problems: problems.into_list(),
        })
    }

    /// Checks event `seq`'s content frames against its header, adding them to `writes`; returns
    /// the block's line count, or the problem.
    fn check_content(
        &self,
        record: &LogRecord,
        seq: u64,
        writes: &mut Writes,
    ) -> Result<u64, String> {
        let claimed = record.block_lines();
        let mut hasher = Sha256::new();
        let mut lines = 0u64;
        let mut short_frame = None;
        for (expected_frame, frame) in self
            .kv
            .range(Tree::Contents, &keys::seq(seq), &keys::seq(seq + 1))
            .enumerate()
        {
            let (key, bytes) = frame.map_err(|e| format!("event {seq}: {e}"))?;
            let expected_key = u32::try_from(expected_frame)
                .ok()
                .map(|frame| keys::frame(seq, frame));
            if expected_key.as_deref() != Some(key.as_slice()) {
                return Err(format!(
                    "event {seq}: content frame {expected_frame} is missing (found the key {})",
                    printable_key(&key)
                ));
            }
            if let Some(frame) = short_frame {
                return Err(format!(
                    "event {seq}: content frame {frame} holds fewer than {FRAME_LINES} lines but is not the last"
                ));
            }
            let block = Block::from_frame(&bytes, record.max_frame_bytes()).map_err(|problem| {
                format!("event {seq}: content frame {expected_frame} is damaged: {problem}")
            })?;
            if block.len() != FRAME_LINES {
                short_frame = Some(expected_frame);
            }
            for i in 0..block.len() {
                if let Some(line) = block.line(i) {
                    hasher.update(line);
                    hasher.update(b"\n");
                }
            }
            lines += block.len() as u64;
            writes.put(Tree::Contents, key, bytes);
        }
        if lines != claimed {
            return Err(format!(
                "event {seq}: its content block has {lines} lines, its header says {claimed}"
            ));
        }
        let found = hex::encode(hasher.finalize());
        if found != record.block_sha256() {
            return Err(format!(
                "event {seq}: its content block does not match its hash: the header says block_sha256 {}, the stored frames hash to {found}",
                record.block_sha256()
            ));
        }
        Ok(lines)
    }
}

/// Compares a stored derived tree with the rebuilt one; returns how many keys were compared
/// and the first difference.
fn compare_tree(
    stored: &dyn Kv,
    rebuilt: &MemKv,
    tree: Tree,
) -> Result<(u64, Option<String>), StoreError> {
    let mut stored_pairs = stored.range(tree, &[], &keys::AFTER_EVERY_LIST);
    let mut rebuilt_pairs = rebuilt.range(tree, &[], &keys::AFTER_EVERY_LIST);
    let mut next_stored = stored_pairs.next().transpose()?;
    let mut next_rebuilt = rebuilt_pairs.next().transpose()?;
    let mut compared = 0;
    let name = tree.name();
    let extra = |key: &[u8]| {
        format!(
            "index {name}: the stored key {} is not in a rebuild from the log",
            printable_key(key)
        )
    };
    let missing = |key: &[u8]| {
        format!(
            "index {name}: the key {} is missing from the stored index",
            printable_key(key)
        )
    };
    loop {
        let difference = match (&next_stored, &next_rebuilt) {
            (None, None) => return Ok((compared, None)),
            (Some((key, _)), None) => extra(key),
            (None, Some((key, _))) => missing(key),
            (Some((stored_key, stored_value)), Some((key, value))) => {
                if stored_key < key {
                    extra(stored_key)
                } else if stored_key > key {
                    missing(key)
                } else if stored_value != value {
                    format!(
                        "index {name}: the value at key {} differs from a rebuild from the log",
                        printable_key(key)
                    )
                } else {
                    compared += 1;
                    next_stored = stored_pairs.next().transpose()?;
                    next_rebuilt = rebuilt_pairs.next().transpose()?;
                    continue;
                }
            }
        };
        return Ok((
            compared,
            Some(format!(
                "{difference}; run `listdiff rebuild` to rebuild the indexes from the log"
            )),
        ));
    }
}

/// A key for messages: printable ASCII as it is, other bytes as `\xNN`.
fn printable_key(key: &[u8]) -> String {
    let mut text = String::from("\"");
    for &b in key {
        if (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' {
            text.push(b as char);
        } else {
            text.push_str(&format!("\\x{b:02x}"));
        }
    }
    text.push('"');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_print_readably() {
        assert_eq!(
            printable_key(b"us-bis\x00\x00\x0b"),
            "\"us-bis\\x00\\x00\\x0b\""
        );
    }
}
