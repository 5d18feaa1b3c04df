//! Export and import of the whole log as JSON lines: the backup and migration path away from
//! the database engine's on-disk format (see docs/export.md).
//!
//! ```text
//! {"listdiff_export":1,"store":"5f0c2a9e4b7d1c3a","events":2}
//! {"seq":1,"leaf":"<hex>","event":{…stored header bytes…},"lines":[{…entry…},{…entry…}]}
//! {"seq":2,"leaf":"<hex>","event":{…},"lines":[]}
//! {"checkpoint":"listdiff checkpoint v1\nstore 5f0c2a9e4b7d1c3a\nsize 2\nroot <hex>\ntime …\n"}
//! ```
//!
//! An event line carries the event's stored header bytes verbatim (the Merkle leaf input), the
//! leaf hash of those bytes (so a damaged line is pinned to its event), and the lines of its
//! content block verbatim (canonical entry JSON). The checkpoint's time is the last event's
//! recording time, so exporting the same log always gives the same bytes.
//!
//! Both directions stream: export reads one event header and one content frame at a time;
//! import holds one line (one event) at a time, and builds the new store in a directory beside
//! the target that is renamed into place only when every line has checked out.

use std::borrow::Cow;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use super::event::{Framed, LogRecord};
use super::keys::{self, meta};
use super::kv::{self, Kv, Tree, Writes};
use super::leftovers::{self, WorkDir};
use super::{Access, Store, StoreError, WRITES_PER_TRANSACTION, index};
use crate::model::checkpoint::Checkpoint;
use crate::model::merkle::{self, TreeHash};

/// The version of the export layout written by this listdiff.
pub const EXPORT_VERSION: u32 = 1;

/// The first line of an export.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportHeader<'a> {
    /// The export layout ([`EXPORT_VERSION`]).
    listdiff_export: u32,
    /// The exported store's id.
    #[serde(borrow)]
    store: Cow<'a, str>,
    /// How many event lines follow.
    events: u64,
}

/// One event of an export, as read back (export writes the same bytes field by field).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventLine<'a> {
    /// The event's seq.
    seq: u64,
    /// The Merkle leaf hash of `event`, hex.
    #[serde(borrow)]
    leaf: Cow<'a, str>,
    /// The event's stored header bytes.
    #[serde(borrow)]
    event: &'a RawValue,
    /// The lines of its content block.
    #[serde(borrow)]
    lines: Vec<&'a RawValue>,
}

/// The last line of an export.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckpointLine<'a> {
    /// The checkpoint's text ([`Checkpoint::to_text`]).
    #[serde(borrow)]
    checkpoint: Cow<'a, str>,
}

/// What an export wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportSummary {
    /// How many events.
    pub events: u64,
    /// The checkpoint of the exported log (its last line).
    pub checkpoint: Checkpoint,
}

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The store could not be read, or its log does not check out.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing the export failed.
    #[error("cannot write the export: {0}")]
    Write(#[source] io::Error),
}

/// Where in an export a fault is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportFault {
    /// The line (1-based).
    pub line: u64,
    /// The event the line is (or should be), when known.
    pub event: Option<u64>,
    /// What the line is when it is not an event line: `the header` or `the checkpoint`.
    pub part: Option<&'static str>,
    /// What is wrong.
    pub problem: String,
}

impl std::fmt::Display for ImportFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}", self.line)?;
        match (self.event, self.part) {
            (Some(seq), _) => write!(f, " (event {seq})")?,
            (None, Some(part)) => write!(f, " ({part})")?,
            (None, None) => {}
        }
        write!(
            f,
            ": {}; the export is damaged or was altered: import it from an intact copy, or export the store again",
            self.problem
        )
    }
}

/// Why an import did not create a store. None of these leaves anything at the target.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The target already holds something.
    #[error(
        "{} already exists (a store, a file or a directory that is not empty): import creates a new store; give --store a path that does not exist yet, or an empty directory",
        .path.display()
    )]
    NotEmpty {
        /// The target.
        path: PathBuf,
    },
    /// The export could not be read.
    #[error("cannot read the export after line {line}: {source}")]
    Read {
        /// The last line read whole.
        line: u64,
        /// The error.
        source: io::Error,
    },
    /// The export does not check out.
    #[error("{0}")]
    Fault(ImportFault),
    /// The new store could not be written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an import created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportSummary {
    /// How many events.
    pub events: u64,
    /// The checkpoint the export ended with, which the new store's log matches.
    pub checkpoint: Checkpoint,
}

/// How many lines an event's content block has, from its header.
/// The checkpoint an export ends with: its time is the last event's recording time (the Unix
/// epoch for an empty log), so the same log always exports to the same bytes.
fn export_checkpoint(
    store_id: &str,
    leaves: &[TreeHash],
    last: Option<DateTime<Utc>>,
) -> Checkpoint {
    Checkpoint {
        store_id: store_id.to_string(),
        size: leaves.len() as u64,
        root: merkle::root(leaves),
        time: last.unwrap_or(DateTime::UNIX_EPOCH),
    }
}

impl Store {
    /// Writes the whole log to `out` as an export: a header line, one line per event in seq
    /// order, and a checkpoint line. Reads one event header and one content frame at a time,
    /// and checks each block against the hash in its header as it goes.
    pub fn export(&self, out: &mut dyn Write) -> Result<ExportSummary, ExportError> {
        let store_id = self.store_id()?;
        let count = self.event_count()?;
        let header = ExportHeader {
            listdiff_export: EXPORT_VERSION,
            store: Cow::Borrowed(&store_id),
            events: count,
        };
        serde_json::to_writer(&mut *out, &header).map_err(|e| ExportError::Write(e.into()))?;
        out.write_all(b"\n").map_err(ExportError::Write)?;
        let mut leaves = Vec::with_capacity(count as usize);
        let mut last = None;
        for pair in self
            .kv
            .range(Tree::Events, &keys::seq(1), &keys::AFTER_THE_LOG)
        {
            let (key, bytes) = pair?;
            let seq = leaves.len() as u64 + 1;
            if keys::read_seq(&key) != Some(seq) {
                return Err(StoreError::Corrupt(format!(
                    "the log has a gap: event {seq} is missing"
                ))
                .into());
            }
            let record = LogRecord::from_bytes(&bytes)
                .map_err(|e| StoreError::Corrupt(format!("event {seq} does not read back: {e}")))?;
            if record.seq() != seq {
                return Err(StoreError::Corrupt(format!(
                    "event {seq} says it is event {}",
                    record.seq()
                ))
                .into());
            }
            let leaf = merkle::leaf_hash(&bytes);
            self.export_event(out, seq, &leaf, &bytes, &record)?;
            leaves.push(leaf);
            last = Some(record.recorded());
        }
        if leaves.len() as u64 != count {
            return Err(StoreError::Corrupt(format!(
                "the log holds {} events, but the store counts {count}",
                leaves.len()
            ))
            .into());
        }
        let checkpoint = export_checkpoint(&store_id, &leaves, last);
        let line = CheckpointLine {
            checkpoint: Cow::Owned(checkpoint.to_text()),
        };
        serde_json::to_writer(&mut *out, &line).map_err(|e| ExportError::Write(e.into()))?;
        out.write_all(b"\n").map_err(ExportError::Write)?;
        out.flush().map_err(ExportError::Write)?;
        Ok(ExportSummary {
            events: count,
            checkpoint,
        })
    }

    /// Writes one event line, reading its content one frame at a time. The bytes are those
    /// `serde_json` gives for an [`EventLine`] (a test holds the two together).
    fn export_event(
        &self,
        out: &mut dyn Write,
        seq: u64,
        leaf: &TreeHash,
        bytes: &[u8],
        record: &LogRecord,
    ) -> Result<(), ExportError> {
        let lines = record.block_lines();
        out.write_all(format!("{{\"seq\":{seq},\"leaf\":\"{leaf}\",\"event\":").as_bytes())
            .and_then(|()| out.write_all(bytes))
            .and_then(|()| out.write_all(b",\"lines\":["))
            .map_err(ExportError::Write)?;
        let mut hasher = Sha256::new();
        let mut written = 0u64;
        let index = index::Index::new(&self.kv);
        index.know_event(record);
        index.each_frame(seq, lines, |block| -> Result<(), ExportError> {
            for i in 0..block.len() {
                let Some(line) = block.line(i) else { break };
                hasher.update(line);
                hasher.update(b"\n");
                if written > 0 {
                    out.write_all(b",").map_err(ExportError::Write)?;
                }
                out.write_all(line).map_err(ExportError::Write)?;
                written += 1;
            }
            Ok(())
        })?;
        if written != lines || hex::encode(hasher.finalize()) != record.block_sha256() {
            return Err(StoreError::Corrupt(format!(
                "event {seq}: its content does not match the line count and hash in its header"
            ))
            .into());
        }
        out.write_all(b"]}\n").map_err(ExportError::Write)
    }
}

/// A writer that only compares what is written with `expected`: serialising a parsed line into
/// it tells whether the line is exactly what export writes, without a copy.
struct SameAs<'a> {
    rest: &'a [u8],
    same: bool,
}

impl Write for SameAs<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self.rest.strip_prefix(bytes) {
            Some(rest) if self.same => self.rest = rest,
            _ => self.same = false,
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// True when `line` is exactly the compact JSON of `value`.
fn is_exactly<T: Serialize>(value: &T, line: &[u8]) -> bool {
    let mut same = SameAs {
        rest: line,
        same: true,
    };
    serde_json::to_writer(&mut same, value).is_ok() && same.same && same.rest.is_empty()
}

/// The seq an event line starts with, if it is readable (for messages about damaged lines).
fn seq_prefix(line: &[u8]) -> Option<u64> {
    let rest = line.strip_prefix(b"{\"seq\":")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()
}

/// What a line of an export is, by how it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LineKind {
    Header,
    Event,
    Checkpoint,
    Unknown,
}

fn line_kind(line: &[u8]) -> LineKind {
    if line.starts_with(b"{\"listdiff_export\":") {
        LineKind::Header
    } else if line.starts_with(b"{\"seq\":") {
        LineKind::Event
    } else if line.starts_with(b"{\"checkpoint\":") {
        LineKind::Checkpoint
    } else {
        LineKind::Unknown
    }
}

/// The longest line other than an event line that an export can hold (its header and its
/// checkpoint are a few hundred bytes).
const MAX_OTHER_LINE: usize = 1 << 20;

/// The longest event header an import reads: one that removes millions of entries.
const MAX_EVENT_HEADER: usize = 256 << 20;

/// The longest start of an event line before its header: `{"seq":`, 20 digits, `,"leaf":"`,
/// 64 hex digits, `","event":`.
const EVENT_PREFIX_MAX: usize = 7 + 20 + 9 + 64 + 10;

/// Where the leaf hash ends, counted back from the start of the event header (`","event":`).
const EVENT_PREFIX_LEAF_END: usize = 10;

/// Where the leaf hash starts, counted back from the start of the event header.
const EVENT_PREFIX_LEAF_OFFSET: usize = EVENT_PREFIX_LEAF_END + 64;

/// What an event line holds after its content lines, with room to spare: `]}` and a newline.
const EVENT_SUFFIX_MAX: u64 = 64;

/// Where the event header of an event line starts: after `{"seq":N,"leaf":"<64 hex>","event":`,
/// exactly as export writes it; `None` when the line does not start so (or not yet).
fn event_header_start(line: &[u8]) -> Option<usize> {
    let rest = line.strip_prefix(b"{\"seq\":")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 20 {
        return None;
    }
    let rest = rest[digits..].strip_prefix(b",\"leaf\":\"")?;
    let hex = rest.get(..64)?;
    if !hex
        .iter()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
    {
        return None;
    }
    rest[64..].strip_prefix(b"\",\"event\":{")?;
    Some(7 + digits + 9 + 64 + 10)
}

/// How much of a line being read may be held, as it becomes known.
#[derive(Default)]
struct LineBound {
    /// Where the event header starts, once the line is known to be an event line.
    header_start: Option<usize>,
    /// Scanning for the header's end.
    scan: ObjectScan,
    /// The most bytes the line may have, once known.
    limit: Option<u64>,
    /// The bytes of the event's inputs, once its header was read (the limit is then its).
    inputs: Option<u64>,
    /// The problem, when the header read does not match the leaf hash given with it.
    leaf_mismatch: Option<String>,
}

/// The problem of event bytes that do not hash to the leaf given with them.
fn leaf_mismatch(given: &str, found: &TreeHash) -> String {
    format!(
        "the event bytes do not match the leaf hash {given} given with them (they hash to {found})"
    )
}

/// An incremental scan for the end of a JSON object: depth, string and escape state, and how far
/// it has read.
#[derive(Default)]
struct ObjectScan {
    at: usize,
    depth: u64,
    in_string: bool,
    escaped: bool,
}

impl ObjectScan {
    /// The end (exclusive) of the object starting at `start` in `bytes`, scanning on from where
    /// the last call stopped; `None` when `bytes` ends first.
    fn end_of_object(&mut self, bytes: &[u8], start: usize) -> Option<usize> {
        self.at = self.at.max(start);
        while let Some(&b) = bytes.get(self.at) {
            self.at += 1;
            if self.in_string {
                match (self.escaped, b) {
                    (true, _) => self.escaped = false,
                    (false, b'\\') => self.escaped = true,
                    (false, b'"') => self.in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        return Some(self.at);
                    }
                }
                _ => {}
            }
        }
        None
    }
}

/// Text from an export for a message: in quotes, escaped, and cut after 64 characters.
fn quoted(text: &str) -> String {
    const SHOWN: usize = 64;
    match text.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{:?}… ({} characters)", &text[..cut], text.chars().count()),
        None => format!("{text:?}"),
    }
}

/// True when `path` does not exist or is an empty directory.
fn is_free(path: &Path) -> Result<bool, StoreError> {
    match std::fs::read_dir(path) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(!path.exists()),
        Err(_) if path.exists() => Ok(false),
        Err(e) => Err(StoreError::Io {
            path: path.to_path_buf(),
            source: e,
        }),
    }
}

/// Creates a store at `target` (which must not exist or be an empty directory) from the
/// export read from `source`, checking every line: the header, each event's seq, leaf hash,
/// header bytes, recording time (never going back, never after `now`, the import's clock),
/// content lines and block hash, that each event replays as it was recorded, and that the
/// checkpoint matches the log. The store keeps the exported store
/// id, so checkpoints of the old store hold for the new one. It is built beside `target` and
/// renamed into place only when everything has checked out; on any failure nothing is left.
pub fn import(
    source: &mut dyn BufRead,
    target: &Path,
    now: DateTime<Utc>,
) -> Result<ImportSummary, ImportError> {
    if !is_free(target)? {
        return Err(ImportError::NotEmpty {
            path: target.to_path_buf(),
        });
    }
    super::private::create_private();
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|source| StoreError::Io {
        path: parent.clone(),
        source,
    })?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "store".into());
    let mut building = WorkDir::create(&parent, &importing_prefix(&name))?;
    let summary = {
        let store = Store::open(building.path(), Access::Write)?;
        let summary = Importer::new(&store.kv, now).run(source)?;
        store.flush()?;
        summary
        // The store is dropped (closed) here, before its directory moves.
    };
    if !is_free(target)? {
        return Err(ImportError::NotEmpty {
            path: target.to_path_buf(),
        });
    }
    std::fs::rename(building.path(), target).map_err(|source| StoreError::Io {
        path: target.to_path_buf(),
        source,
    })?;
    // Unlocked only now, once it is in place: until then another import or open sees a live
    // process building in it.
    building.keep();
    Ok(summary)
}

/// The start of the name of a directory an import into a store named `name` builds in:
/// `.NAME.importing-`, followed by the process id and a number.
fn importing_prefix(name: &str) -> String {
    format!(".{name}.importing-")
}

/// Removes the directories that imports into `target` left beside it when they were killed
/// (each a partly built store of several megabytes; see `leftovers.rs` for when one is stale).
pub(crate) fn remove_stale_imports(target: &Path) {
    let Some(name) = target.file_name() else {
        return;
    };
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    leftovers::remove_stale(parent, &importing_prefix(&name.to_string_lossy()));
}

/// The state of an import between lines.
struct Importer<'a> {
    kv: &'a dyn Kv,
    /// The line being read (1-based).
    line: u64,
    /// The header, once read: store id and event count.
    header: Option<(String, u64)>,
    leaves: Vec<TreeHash>,
    last_recorded: Option<DateTime<Utc>>,
    /// The import's clock: no event may have been recorded after it.
    now: DateTime<Utc>,
}

impl<'a> Importer<'a> {
    fn new(kv: &'a dyn Kv, now: DateTime<Utc>) -> Importer<'a> {
        Importer {
            kv,
            line: 0,
            header: None,
            leaves: Vec::new(),
            last_recorded: None,
            now,
        }
    }

    /// The next event expected.
    fn next_seq(&self) -> u64 {
        self.leaves.len() as u64 + 1
    }

    fn fault(&self, event: Option<u64>, problem: impl Into<String>) -> ImportError {
        ImportError::Fault(ImportFault {
            line: self.line,
            event,
            part: None,
            problem: problem.into(),
        })
    }

    fn part_fault(&self, part: &'static str, problem: impl Into<String>) -> ImportError {
        ImportError::Fault(ImportFault {
            line: self.line,
            event: None,
            part: Some(part),
            problem: problem.into(),
        })
    }

    fn run(mut self, source: &mut dyn BufRead) -> Result<ImportSummary, ImportError> {
        let mut buffer = Vec::new();
        loop {
            self.line += 1;
            if !self.read_line(source, &mut buffer)? {
                self.line -= 1;
                return Err(self.cut_short());
            }
            let Some(line) = buffer.strip_suffix(b"\n") else {
                return Err(self.fault_at(
                    &buffer,
                    "the line has no newline at its end: the export is cut short",
                ));
            };
            if self.header.is_none() {
                self.read_header(line)?;
                continue;
            }
            match line_kind(line) {
                LineKind::Event => self.read_event(line)?,
                LineKind::Checkpoint => {
                    let summary = self.read_checkpoint(line)?;
                    buffer.clear();
                    let more = source.read_until(b'\n', &mut buffer).map_err(|source| {
                        ImportError::Read {
                            line: self.line,
                            source,
                        }
                    })?;
                    if more > 0 {
                        self.line += 1;
                        return Err(self.fault(
                            None,
                            "the export goes on after its checkpoint, which must be its last line",
                        ));
                    }
                    return Ok(summary);
                }
                LineKind::Header => {
                    return Err(self.fault(
                        Some(self.next_seq()),
                        format!(
                            "a second header where event {} was expected",
                            self.next_seq()
                        ),
                    ));
                }
                LineKind::Unknown => {
                    let expected = match self.place(line) {
                        (Some(seq), _) => format!("event {seq}"),
                        (None, _) => "the checkpoint".to_string(),
                    };
                    return Err(self.fault_at(
                        line,
                        format!(
                            "not an event line (which starts {{\"seq\":) nor the checkpoint, where {expected} was expected"
                        ),
                    ));
                }
            }
        }
    }

    /// Reads the next line into `buffer` (with its newline, if it has one), holding no more of
    /// it than such a line can be (see [`LineBound`]); false at the end of the export.
    fn read_line(
        &self,
        source: &mut dyn BufRead,
        buffer: &mut Vec<u8>,
    ) -> Result<bool, ImportError> {
        buffer.clear();
        let mut bound = LineBound::default();
        loop {
            let available = source.fill_buf().map_err(|source| ImportError::Read {
                line: self.line - 1,
                source,
            })?;
            if available.is_empty() {
                return Ok(!buffer.is_empty());
            }
            let (take, ends) = match memchr::memchr(b'\n', available) {
                Some(at) => (at + 1, true),
                None => (available.len(), false),
            };
            buffer.extend_from_slice(&available[..take]);
            source.consume(take);
            if let Some(limit) = self.line_limit(buffer, &mut bound)?
                && buffer.len() as u64 > limit
            {
                return Err(self.too_long(buffer, &bound, limit));
            }
            if ends {
                return Ok(true);
            }
        }
    }

    /// The most bytes the line being read in `line` may have, once it is known: for an event
    /// line, its header's length and what its header's inputs can account for; for any other
    /// line, [`MAX_OTHER_LINE`]. A fault when the event's header is damaged, with the message
    /// the whole line would get.
    fn line_limit(&self, line: &[u8], bound: &mut LineBound) -> Result<Option<u64>, ImportError> {
        if let Some(limit) = bound.limit {
            return Ok(Some(limit));
        }
        let Some(start) = bound.header_start.or_else(|| event_header_start(line)) else {
            if line.len() < EVENT_PREFIX_MAX && !line.ends_with(b"\n") {
                // Too short yet to tell whether it starts as an event line.
                return Ok(None);
            }
            bound.limit = Some(MAX_OTHER_LINE as u64);
            return Ok(bound.limit);
        };
        bound.header_start = Some(start);
        let Some(end) = bound.scan.end_of_object(line, start) else {
            if line.len() - start > MAX_EVENT_HEADER {
                return Err(self.fault_at(
                    line,
                    format!("its event header is longer than {MAX_EVENT_HEADER} bytes"),
                ));
            }
            return Ok(None);
        };
        let header = &line[start..end];
        let seq = seq_prefix(line);
        let leaf = merkle::leaf_hash(header);
        let given = &line[start - EVENT_PREFIX_LEAF_OFFSET..start - EVENT_PREFIX_LEAF_END];
        if given != leaf.to_hex().as_bytes() {
            // The whole line fails its leaf hash: read no further than a line that is no event
            // line, and say so if it is longer.
            bound.leaf_mismatch = Some(leaf_mismatch(&String::from_utf8_lossy(given), &leaf));
            bound.limit = Some(end as u64 + MAX_OTHER_LINE as u64);
            return Ok(bound.limit);
        }
        let record = LogRecord::from_bytes(header)
            .map_err(|e| self.fault(seq, format!("the event does not read back: {e}")))?;
        bound.inputs = Some(record.input_bytes());
        bound.limit = Some(
            (end as u64)
                .saturating_add(record.max_block_bytes())
                .saturating_add(EVENT_SUFFIX_MAX),
        );
        Ok(bound.limit)
    }

    /// The fault of a line longer than it may be.
    fn too_long(&self, line: &[u8], bound: &LineBound, limit: u64) -> ImportError {
        if let Some(problem) = &bound.leaf_mismatch {
            return self.fault_at(line, problem.clone());
        }
        match bound.inputs {
            Some(inputs) => self.fault_at(
                line,
                format!(
                    "its content lines are longer than the {inputs} input bytes its header records can account for (the line may have at most {limit} bytes)"
                ),
            ),
            None => self.fault_at(
                line,
                format!("the line is longer than {limit} bytes, which no line of an export but an event line can be"),
            ),
        }
    }

    /// What a line is or should be, for messages: the event it names or the next one expected,
    /// or the header or the checkpoint.
    fn place(&self, line: &[u8]) -> (Option<u64>, Option<&'static str>) {
        let count = self.header.as_ref().map(|h| h.1);
        match line_kind(line) {
            LineKind::Header => (None, Some("the header")),
            LineKind::Checkpoint => (None, Some("the checkpoint")),
            LineKind::Event => (Some(seq_prefix(line).unwrap_or(self.next_seq())), None),
            LineKind::Unknown => match count {
                None => (None, Some("the header")),
                Some(count) if self.next_seq() <= count => (Some(self.next_seq()), None),
                Some(_) => (None, Some("the checkpoint")),
            },
        }
    }

    /// A fault in `line`, named by what it is or should be.
    fn fault_at(&self, line: &[u8], problem: impl Into<String>) -> ImportError {
        let (event, part) = self.place(line);
        ImportError::Fault(ImportFault {
            line: self.line,
            event,
            part,
            problem: problem.into(),
        })
    }

    /// The error for an export that ends before its checkpoint: names the missing line.
    fn cut_short(&self) -> ImportError {
        let line = self.line + 1;
        let Some((_, count)) = &self.header else {
            return ImportError::Fault(ImportFault {
                line,
                event: None,
                part: Some("the header"),
                problem: "the export is empty".into(),
            });
        };
        let next = self.next_seq();
        ImportError::Fault(if next <= *count {
            ImportFault {
                line,
                event: Some(next),
                part: None,
                problem: format!(
                    "missing: the export ends after event {}, but its header announces {count} events; it is cut short",
                    next - 1
                ),
            }
        } else {
            ImportFault {
                line,
                event: None,
                part: Some("the checkpoint"),
                problem: "missing: the export ends without its checkpoint line; it is cut short"
                    .into(),
            }
        })
    }

    fn read_header(&mut self, line: &[u8]) -> Result<(), ImportError> {
        const PART: &str = "the header";
        if line_kind(line) != LineKind::Header {
            return Err(match seq_prefix(line) {
                Some(seq) => self.fault(
                    Some(seq),
                    format!(
                        "the export's header line is missing: found event {seq} where the header {{\"listdiff_export\":{EXPORT_VERSION},…}} was expected"
                    ),
                ),
                None => self.part_fault(
                    PART,
                    format!(
                        "not a listdiff export: it must start with {{\"listdiff_export\":{EXPORT_VERSION},…}}"
                    ),
                ),
            });
        }
        let header: ExportHeader = serde_json::from_slice(line).map_err(|e| {
            self.part_fault(
                PART,
                format!("not a valid header at column {}: {e}", e.column()),
            )
        })?;
        if header.listdiff_export != EXPORT_VERSION {
            return Err(self.part_fault(
                PART,
                format!(
                    "export layout {} is not {EXPORT_VERSION}, the one this listdiff reads (a newer listdiff may read it)",
                    header.listdiff_export
                ),
            ));
        }
        if !is_exactly(&header, line) {
            return Err(self.part_fault(
                PART,
                "the line is not exactly as export writes it (spacing, escapes or field order differ)",
            ));
        }
        if !super::is_store_id(&header.store) {
            return Err(self.part_fault(
                PART,
                format!(
                    "{} is not a store id: listdiff makes store ids of {} lower-case hexadecimal digits",
                    quoted(&header.store),
                    super::STORE_ID_DIGITS
                ),
            ));
        }
        let mut writes = Writes::default();
        writes.put(Tree::Meta, meta::STORE_ID, header.store.as_bytes());
        self.kv.commit(writes)?;
        self.header = Some((header.store.into_owned(), header.events));
        Ok(())
    }

    fn read_event(&mut self, line: &[u8]) -> Result<(), ImportError> {
        let expected = self.next_seq();
        let count = self.header.as_ref().map_or(0, |h| h.1);
        let parsed: EventLine = serde_json::from_slice(line).map_err(|e| {
            self.fault(
                Some(seq_prefix(line).unwrap_or(expected)),
                format!("not a valid event line at column {}: {e}", e.column()),
            )
        })?;
        let seq = parsed.seq;
        if seq != expected {
            let problem = if seq > expected {
                format!(
                    "found event {seq} where event {expected} was expected: event {expected} is missing or the lines are out of order"
                )
            } else {
                format!(
                    "found event {seq} again after event {}: the lines are out of order or repeated",
                    expected - 1
                )
            };
            return Err(self.fault(Some(seq), problem));
        }
        if seq > count {
            return Err(self.fault(
                Some(seq),
                format!("the header announces {count} events, but here is event {seq}"),
            ));
        }
        if !is_exactly(&parsed, line) {
            return Err(self.fault(
                Some(seq),
                "the line is not exactly as export writes it (spacing, escapes or field order differ)",
            ));
        }
        let bytes = parsed.event.get().as_bytes();
        let leaf = merkle::leaf_hash(bytes);
        if parsed.leaf != leaf.to_hex() {
            return Err(self.fault(Some(seq), leaf_mismatch(&parsed.leaf, &leaf)));
        }
        let record = LogRecord::from_bytes(bytes)
            .map_err(|e| self.fault(Some(seq), format!("the event does not read back: {e}")))?;
        if record.seq() != seq {
            return Err(self.fault(
                Some(seq),
                format!("the event's own bytes say it is event {}", record.seq()),
            ));
        }
        if record.recorded() > self.now {
            return Err(self.fault(
                Some(seq),
                format!(
                    "recorded at {}, later than this import's clock ({}): a recording time is never in the future, and every event recorded after it would be stamped with it; if this machine's clock is behind the one that made the export, set it right and import again",
                    record.recorded().to_rfc3339_opts(SecondsFormat::AutoSi, true),
                    self.now.to_rfc3339_opts(SecondsFormat::AutoSi, true)
                ),
            ));
        }
        if let Some(last) = self.last_recorded
            && record.recorded() < last
        {
            return Err(self.fault(
                Some(seq),
                format!(
                    "recorded at {}, before event {}'s {}: recording times never go back",
                    record
                        .recorded()
                        .to_rfc3339_opts(SecondsFormat::AutoSi, true),
                    seq - 1,
                    last.to_rfc3339_opts(SecondsFormat::AutoSi, true)
                ),
            ));
        }
        let wanted = record.block_lines();
        if parsed.lines.len() as u64 != wanted {
            return Err(self.fault(
                Some(seq),
                format!(
                    "the event has {} content lines, its header says {wanted}",
                    parsed.lines.len()
                ),
            ));
        }
        let jsons: Vec<&[u8]> = parsed.lines.iter().map(|l| l.get().as_bytes()).collect();
        let framed = Framed::of_lines(&jsons);
        if let Err(problem) = record.check_block_size(&framed) {
            return Err(self.fault(Some(seq), problem));
        }
        if framed.sha256 != record.block_sha256() {
            return Err(self.fault(
                Some(seq),
                "the content lines do not match the block hash in the event's header",
            ));
        }
        self.append(&record, bytes, framed)?;
        index::replay(self.kv, &record).map_err(|e| match e {
            StoreError::Corrupt(problem) | StoreError::Invalid(problem) => {
                self.fault(Some(seq), problem)
            }
            other => ImportError::Store(other),
        })?;
        // The state checkpoints a recording of the same log writes (see `checkpoints.rs`).
        super::checkpoints::after_event(self.kv, record.list())?;
        self.leaves.push(leaf);
        self.last_recorded = Some(record.recorded());
        Ok(())
    }

    /// Appends an event that has checked out to the log of the store being built.
    fn append(&self, record: &LogRecord, bytes: &[u8], framed: Framed) -> Result<(), StoreError> {
        let mut writes = Writes::default();
        for (frame, compressed) in framed.frames.into_iter().enumerate() {
            let frame = super::event::frame_number(record.seq(), frame)?;
            writes.put(Tree::Contents, keys::frame(record.seq(), frame), compressed);
        }
        writes.put(Tree::Events, keys::seq(record.seq()), bytes);
        writes.put(Tree::Meta, meta::NEXT_SEQ, keys::seq(record.seq() + 1));
        kv::commit_in_parts(self.kv, writes, WRITES_PER_TRANSACTION)
    }

    fn read_checkpoint(&mut self, line: &[u8]) -> Result<ImportSummary, ImportError> {
        const PART: &str = "the checkpoint";
        let Some((store_id, count)) = self.header.clone() else {
            return Err(self.part_fault(PART, "the checkpoint comes before the header"));
        };
        let events = self.leaves.len() as u64;
        if events < count {
            return Err(self.fault(
                Some(events + 1),
                format!(
                    "the checkpoint comes after {events} events, but the header announces {count}: event {} is missing",
                    events + 1
                ),
            ));
        }
        let parsed: CheckpointLine = serde_json::from_slice(line).map_err(|e| {
            self.part_fault(
                PART,
                format!("not a valid checkpoint line at column {}: {e}", e.column()),
            )
        })?;
        if !is_exactly(&parsed, line) {
            return Err(self.part_fault(
                PART,
                "the line is not exactly as export writes it (spacing, escapes or field order differ)",
            ));
        }
        let (checkpoint, _) = Checkpoint::parse(&parsed.checkpoint)
            .map_err(|e| self.part_fault(PART, format!("checkpoint {e}")))?;
        let expected = export_checkpoint(&store_id, &self.leaves, self.last_recorded);
        let problem = if checkpoint.store_id != expected.store_id {
            Some(format!(
                "its store id {} is not the header's {}",
                checkpoint.store_id, expected.store_id
            ))
        } else if checkpoint.size != expected.size {
            Some(format!(
                "its size {} is not the {} events exported",
                checkpoint.size, expected.size
            ))
        } else if checkpoint.root != expected.root {
            Some(format!(
                "its root {} is not the root of the exported events, {}",
                checkpoint.root, expected.root
            ))
        } else if parsed.checkpoint != expected.to_text() {
            Some(format!(
                "its text is not the one export writes for this log:\n{}",
                expected.to_text()
            ))
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(self.part_fault(PART, problem));
        }
        Ok(ImportSummary {
            events,
            checkpoint: expected,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_lines_are_what_serde_writes() {
        let event = RawValue::from_string("{\"v\":1,\"seq\":7}".into()).unwrap();
        let a = RawValue::from_string("{\"id\":\"a\",\"name\":\"Ä \\\"q\\\"\"}".into()).unwrap();
        let b = RawValue::from_string("{\"id\":\"b\"}".into()).unwrap();
        let line = EventLine {
            seq: 7,
            leaf: Cow::Owned(merkle::leaf_hash(event.get().as_bytes()).to_hex()),
            event: &event,
            lines: vec![&a, &b],
        };
        let by_serde = serde_json::to_vec(&line).unwrap();
        let by_hand = format!(
            "{{\"seq\":7,\"leaf\":\"{}\",\"event\":{},\"lines\":[{},{}]}}",
            line.leaf,
            event.get(),
            a.get(),
            b.get()
        );
        assert_eq!(String::from_utf8(by_serde.clone()).unwrap(), by_hand);
        assert!(is_exactly(&line, &by_serde));
        let spaced = by_hand.replace("\"lines\":[", "\"lines\": [");
        let reread: EventLine = serde_json::from_str(&spaced).unwrap();
        assert!(!is_exactly(&reread, spaced.as_bytes()));
        assert!(!is_exactly(&line, &by_serde[..by_serde.len() - 1]));
        assert_eq!(seq_prefix(&by_serde), Some(7));
        assert_eq!(seq_prefix(b"{\"seq\":x"), None);
    }

    #[test]
    fn an_empty_log_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a"), Access::Write).unwrap();
        let mut exported = Vec::new();
        let summary = store.export(&mut exported).unwrap();
        assert_eq!(summary.events, 0);
        let text = String::from_utf8(exported.clone()).unwrap();
        let id = store.store_id().unwrap();
        assert_eq!(
            text,
            format!(
                "{{\"listdiff_export\":1,\"store\":\"{id}\",\"events\":0}}\n{{\"checkpoint\":\"listdiff checkpoint v1\\nstore {id}\\nsize 0\\nroot {}\\ntime 1970-01-01T00:00:00Z\\n\"}}\n",
                merkle::root(&[])
            )
        );
        let target = dir.path().join("b");
        let imported = import(&mut exported.as_slice(), &target, Utc::now()).unwrap();
        assert_eq!(imported.checkpoint, summary.checkpoint);
        let copy = Store::open(&target, Access::Read).unwrap();
        assert_eq!(copy.store_id().unwrap(), id);
        let mut again = Vec::new();
        copy.export(&mut again).unwrap();
        assert_eq!(again, exported);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            2,
            "nothing left beside the stores"
        );
    }

    #[test]
    fn faults_name_the_line_and_event() {
        let fault = ImportFault {
            line: 5,
            event: Some(4),
            part: None,
            problem: "the event bytes do not match the leaf hash".into(),
        };
        assert!(
            fault
                .to_string()
                .starts_with("line 5 (event 4): the event bytes do not match the leaf hash;")
        );
        let fault = ImportFault {
            line: 1,
            event: None,
            part: Some("the header"),
            problem: "x".into(),
        };
        assert!(fault.to_string().starts_with("line 1 (the header): x;"));
    }
}
