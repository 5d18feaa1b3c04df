//! The event: the immutable record of one publication, as stored in the log.
//!
//! An event is two parts, both written once and never changed:
//! - its **header**, compact JSON on one line (`events` tree): what was published, when, from
//!   which bytes, what it changed, and a description of its content with the SHA-256 of the
//!   content block, so the header's bytes commit to the content;
//! - its **content block** (`contents` tree): the canonical JSON of the entries it states, one per
//!   line, in frames of at most [`FRAME_LINES`] lines, each frame compressed with zstd.
//!
//! A snapshot's block holds only the entries that differ from its *base*: the state of the same
//! list at the end of the day before its date, as known just before it was recorded (folding
//! only events with a smaller seq). The full snapshot is the base, plus the block's entries,
//! minus the header's `remove` ids; `entries` and `entries_sha256` let a replay check it. An
//! amendment's block holds its `add` entries, then its `amend` entries.
//!
//! A **retraction** is an event too ([`RetractionRecord`]): a header naming the event it takes
//! back and why, with an empty content block. [`LogRecord`] reads either.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::StoreError;
use crate::model::rekey::Carried;
use crate::model::{
    Effect, EntryId, EventMeta, ListId, PublicationKind, PublicationTime, RetractionMeta,
};

/// The version of the event layout written by this listdiff.
pub(crate) const EVENT_VERSION: u32 = 1;

/// Lines per compressed frame of a content block: reading one entry decompresses one frame.
pub(crate) const FRAME_LINES: usize = 32;

/// The most lines a content block can hold: its frames are numbered by a u32 in their keys
/// (137 billion lines, far beyond any publication listdiff can read into memory).
pub(crate) const MAX_BLOCK_LINES: u64 = (u32::MAX as u64 + 1) * FRAME_LINES as u64;

/// The number of the frame holding line `line` of a content block, as the frame's key holds it,
/// and the line's place in that frame; `None` beyond [`MAX_BLOCK_LINES`].
pub(crate) fn frame_of(line: u64) -> Option<(u32, usize)> {
    let frame = u32::try_from(line / FRAME_LINES as u64).ok()?;
    Some((frame, (line % FRAME_LINES as u64) as usize))
}

/// The number of frame `index` of a block as its key holds it, refusing a block beyond
/// [`MAX_BLOCK_LINES`] (for event `seq`).
pub(crate) fn frame_number(seq: u64, index: usize) -> Result<u32, StoreError> {
    u32::try_from(index).map_err(|_| {
        StoreError::Invalid(format!(
            "event {seq}: a content block of more than {MAX_BLOCK_LINES} entries does not fit the store"
        ))
    })
}

/// zstd level for content frames (3: fast, and about 4× on entry JSON).
pub(crate) const ZSTD_LEVEL: i32 = 3;

/// The most bytes of content block one byte of an event's inputs may become. JSON writes a
/// control character in six bytes, and a format may state a value in two fields; in real lists
/// a block is at most 1.9 times its inputs (the BIS DPL, whose rows repeat a name for every
/// address), most under 1.1.
pub(crate) const BLOCK_BYTES_PER_INPUT_BYTE: u64 = 16;

/// The most bytes of content block each line may add beyond [`BLOCK_BYTES_PER_INPUT_BYTE`]: the
/// field names and what a format writes into every entry.
pub(crate) const BLOCK_BYTES_PER_LINE: u64 = 64 * 1024;

/// The digest of one input file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputDigest {
    /// The file name as given (or `<stdin>`).
    pub name: String,
    /// SHA-256 of its exact bytes, lower-case hex.
    pub sha256: String,
    /// Its length in bytes.
    pub bytes: u64,
    /// For a format whose files the publisher ends with a mark ([`crate::formats::Format::end_mark`]:
    /// OFAC's legacy CSV, 0x1A), whether this file ended with it: what the feed checks compare a
    /// later publication's files with. Absent for other formats, and in events recorded before
    /// issue 12, where it is unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eof_mark: Option<bool>,
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

#[cfg(test)]
impl Provenance {
    /// In tests: a native publication read by the test parser from one input, `test`, whose
    /// bytes hash as `bytes` do (tests hash a publication's debug text to tell publications
    /// apart).
    pub(crate) fn of_test_bytes(bytes: &[u8]) -> Provenance {
        let sha256 = sha256_hex(bytes);
        Provenance {
            sha256: sha256.clone(),
            inputs: vec![InputDigest {
                name: "test".into(),
                sha256,
                bytes: 0,
                eof_mark: None,
            }],
            format: "native".into(),
            parser: "test".into(),
        }
    }
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

/// What an event's content block holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "encoding", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum EventContent {
    /// A snapshot, stored as its difference from its base (see the module documentation).
    SnapshotDelta {
        /// How many entries the full snapshot has.
        entries: u64,
        /// SHA-256 over the full snapshot's entry hashes in id order.
        entries_sha256: String,
        /// How many lines the block has: entries new or different from the base.
        upsert: u64,
        /// Ids in the base that the snapshot does not have.
        remove: Vec<EntryId>,
        /// SHA-256 of the uncompressed block.
        block_sha256: String,
    },
    /// An amendment: the block holds `add` lines, then `amend` lines.
    Amendment {
        /// How many entries are added.
        add: u64,
        /// How many entries are replaced.
        amend: u64,
        /// Ids removed.
        remove: Vec<EntryId>,
        /// SHA-256 of the uncompressed block.
        block_sha256: String,
    },
}

impl EventContent {
    /// The SHA-256 its block must have.
    pub(crate) fn block_sha256(&self) -> &str {
        match self {
            EventContent::SnapshotDelta { block_sha256, .. }
            | EventContent::Amendment { block_sha256, .. } => block_sha256,
        }
    }

    /// How many lines its block holds.
    pub(crate) fn block_lines(&self) -> u64 {
        match self {
            EventContent::SnapshotDelta { upsert, .. } => *upsert,
            EventContent::Amendment { add, amend, .. } => add.saturating_add(*amend),
        }
    }
}

/// One recorded publication's header: the unit of the append-only log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EventRecord {
    /// Layout version ([`EVENT_VERSION`]).
    pub v: u32,
    /// Gapless sequence number, from 1.
    pub seq: u64,
    /// The list.
    pub list: ListId,
    /// The publication time: a date (as every listdiff before issue 11 wrote it), or a date and
    /// a UTC time.
    pub published: PublicationTime,
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
    /// The earlier event this one corrects and takes the place of: the version of the same
    /// publication (identity) that counted when it was recorded, or the event `ingest
    /// --corrects` named. (Listdiffs before issue 11 wrote it on every later publication of a
    /// list and date; it keeps that meaning: such an event corrects the one it names.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<u64>,
    /// What it changed when it was recorded.
    pub effect: Effect,
    /// What its content block holds.
    pub content: EventContent,
    /// For a snapshot that changed its list's key scheme ([`crate::model::rekey`]), the entries
    /// it carried from their old ids to their new ids, in old-id order. The fold does not read
    /// it (the old ids count as removed, the new as added); it says which is which. Absent when
    /// none, and in every event recorded before issue 12.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub carried: Vec<Carried>,
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

    /// The bytes of all its input files.
    pub(crate) fn input_bytes(&self) -> u64 {
        self.inputs
            .iter()
            .fold(0u64, |sum, input| sum.saturating_add(input.bytes))
    }

    /// The most bytes its content block may hold uncompressed: what its inputs can account for
    /// (see [`BLOCK_BYTES_PER_INPUT_BYTE`]). Decompression stops there, so a damaged or forged
    /// frame that would inflate to gigabytes is refused after reading no more than this.
    pub(crate) fn max_block_bytes(&self) -> u64 {
        self.input_bytes()
            .saturating_mul(BLOCK_BYTES_PER_INPUT_BYTE)
            .saturating_add(
                self.content
                    .block_lines()
                    .saturating_mul(BLOCK_BYTES_PER_LINE),
            )
    }

    /// The most bytes one content frame (of at most [`FRAME_LINES`] lines) may hold
    /// uncompressed.
    pub(crate) fn max_frame_bytes(&self) -> u64 {
        let lines = self.content.block_lines().min(FRAME_LINES as u64);
        self.input_bytes()
            .saturating_mul(BLOCK_BYTES_PER_INPUT_BYTE)
            .saturating_add(lines.saturating_mul(BLOCK_BYTES_PER_LINE))
            .min(self.max_block_bytes())
    }

    /// Checks that a block about to be stored for this event keeps within
    /// [`EventRecord::max_block_bytes`] and [`EventRecord::max_frame_bytes`], so that it reads
    /// back; the problem otherwise.
    pub(crate) fn check_block_size(&self, block: &Framed) -> Result<(), String> {
        if block.bytes > self.max_block_bytes() {
            return Err(format!(
                "its content block of {} bytes is larger than its {} input bytes can account for (at most {} bytes)",
                block.bytes,
                self.input_bytes(),
                self.max_block_bytes()
            ));
        }
        if block.largest_frame > self.max_frame_bytes() {
            return Err(format!(
                "a content frame of {} bytes is larger than its {} input bytes can account for (at most {} bytes)",
                block.largest_frame,
                self.input_bytes(),
                self.max_frame_bytes()
            ));
        }
        Ok(())
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

/// The `kind` of a retraction's header, `"retraction"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum RetractionKind {
    /// The only value.
    Retraction,
}

/// A retraction's header: the event it takes back and why. Its content block is empty.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RetractionRecord {
    /// Layout version ([`EVENT_VERSION`]).
    pub v: u32,
    /// Gapless sequence number.
    pub seq: u64,
    /// The list of the event it retracts.
    pub list: ListId,
    /// Always `retraction`.
    pub kind: RetractionKind,
    /// The event it retracts.
    pub retracts: u64,
    /// Why, as the user gave it.
    pub reason: String,
    /// When it was recorded.
    pub recorded: DateTime<Utc>,
    /// What it changed: the list just after the retracted event's place, before against after.
    pub effect: Effect,
}

impl RetractionRecord {
    /// The metadata part.
    pub(crate) fn meta(&self) -> RetractionMeta {
        RetractionMeta {
            seq: self.seq,
            list: self.list.clone(),
            recorded: self.recorded,
            retracts: self.retracts,
            reason: self.reason.clone(),
            effect: self.effect,
        }
    }
}

/// One event of the log: a publication or a retraction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum LogRecord {
    /// A recorded publication.
    Publication(Box<EventRecord>),
    /// A retraction of an earlier event.
    Retraction(RetractionRecord),
}

/// SHA-256 of an empty content block (a retraction's).
const EMPTY_BLOCK_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

impl LogRecord {
    /// Reads stored bytes: a retraction when its `kind` says so, else a publication.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<LogRecord, serde_json::Error> {
        /// Just the `kind` of a header.
        #[derive(Deserialize)]
        struct Kind {
            #[serde(default)]
            kind: Option<String>,
        }
        let probe: Kind = serde_json::from_slice(bytes)?;
        if probe.kind.as_deref() == Some("retraction") {
            serde_json::from_slice(bytes).map(LogRecord::Retraction)
        } else {
            EventRecord::from_bytes(bytes).map(|record| LogRecord::Publication(Box::new(record)))
        }
    }

    /// The stored bytes.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        match self {
            LogRecord::Publication(record) => record.to_bytes(),
            LogRecord::Retraction(record) => {
                serde_json::to_vec(record).expect("a retraction always serialises")
            }
        }
    }

    /// Its seq.
    pub(crate) fn seq(&self) -> u64 {
        match self {
            LogRecord::Publication(record) => record.seq,
            LogRecord::Retraction(record) => record.seq,
        }
    }

    /// Its list.
    pub(crate) fn list(&self) -> &ListId {
        match self {
            LogRecord::Publication(record) => &record.list,
            LogRecord::Retraction(record) => &record.list,
        }
    }

    /// When it was recorded.
    pub(crate) fn recorded(&self) -> DateTime<Utc> {
        match self {
            LogRecord::Publication(record) => record.recorded,
            LogRecord::Retraction(record) => record.recorded,
        }
    }

    /// How many lines its content block holds (none for a retraction).
    pub(crate) fn block_lines(&self) -> u64 {
        match self {
            LogRecord::Publication(record) => record.content.block_lines(),
            LogRecord::Retraction(_) => 0,
        }
    }

    /// The SHA-256 its content block must have.
    pub(crate) fn block_sha256(&self) -> &str {
        match self {
            LogRecord::Publication(record) => record.content.block_sha256(),
            LogRecord::Retraction(_) => EMPTY_BLOCK_SHA256,
        }
    }

    /// The most bytes its content block may hold (see [`EventRecord::max_block_bytes`]).
    pub(crate) fn max_block_bytes(&self) -> u64 {
        match self {
            LogRecord::Publication(record) => record.max_block_bytes(),
            LogRecord::Retraction(_) => 0,
        }
    }

    /// The most bytes one of its content frames may hold.
    pub(crate) fn max_frame_bytes(&self) -> u64 {
        match self {
            LogRecord::Publication(record) => record.max_frame_bytes(),
            LogRecord::Retraction(_) => 0,
        }
    }

    /// The bytes of all its input files (none for a retraction).
    pub(crate) fn input_bytes(&self) -> u64 {
        match self {
            LogRecord::Publication(record) => record.input_bytes(),
            LogRecord::Retraction(_) => 0,
        }
    }

    /// See [`EventRecord::check_block_size`]; a retraction's block must be empty.
    pub(crate) fn check_block_size(&self, block: &Framed) -> Result<(), String> {
        match self {
            LogRecord::Publication(record) => record.check_block_size(block),
            LogRecord::Retraction(_) if block.lines == 0 && block.bytes == 0 => Ok(()),
            LogRecord::Retraction(_) => Err("a retraction has no content lines".into()),
        }
    }
}

/// A content block as it is written: its compressed frames, how many lines it has, and the
/// SHA-256 and sizes of the uncompressed block.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Framed {
    pub(crate) frames: Vec<Vec<u8>>,
    pub(crate) lines: u64,
    pub(crate) sha256: String,
    /// The uncompressed block's size in bytes.
    pub(crate) bytes: u64,
    /// The largest uncompressed frame's size in bytes.
    pub(crate) largest_frame: u64,
}

/// Compresses one frame. zstd's bulk API returns a buffer as large as the worst case; it is
/// shrunk to the frame, since a large block holds thousands of frames at once.
pub(crate) fn compress_frame(raw: &[u8]) -> Vec<u8> {
    let mut compressed = zstd::bulk::compress(raw, ZSTD_LEVEL).expect("zstd compresses in memory");
    compressed.shrink_to_fit();
    compressed
}

/// Frames per core in one round of [`Framed::build`]: enough that starting a thread and a
/// compression context costs little beside the work (a thread per frame cost more than the
/// compression itself), few enough that a round holds a few megabytes.
const FRAMES_PER_ROUND: usize = 64;

/// [`compress_frame`] with one zstd context for many frames (issue 15: a list's first
/// snapshot is hundreds of frames); the frames are the same bytes.
struct FrameCompressor(zstd::bulk::Compressor<'static>);

impl FrameCompressor {
    /// A context at [`ZSTD_LEVEL`].
    fn new() -> FrameCompressor {
        FrameCompressor(
            zstd::bulk::Compressor::new(ZSTD_LEVEL).expect("zstd makes a context in memory"),
        )
    }

    /// One frame, compressed as [`compress_frame`] compresses it.
    fn compress(&mut self, raw: &[u8]) -> Vec<u8> {
        let mut compressed = self.0.compress(raw).expect("zstd compresses in memory");
        compressed.shrink_to_fit();
        compressed
    }
}

impl Framed {
    /// Frames `count` lines, line `i` being `line(i)` (without its newline). Frames are written
    /// and compressed on every core, a round of [`FRAMES_PER_ROUND`] frames per core at a time
    /// (each core a run of consecutive frames, with one compression context), and hashed in
    /// order: the uncompressed block is never held whole.
    pub(crate) fn build(count: usize, line: impl Fn(usize) -> Vec<u8> + Sync) -> Framed {
        let frame_count = count.div_ceil(FRAME_LINES);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut hasher = Sha256::new();
        let mut frames = Vec::with_capacity(frame_count);
        let (mut bytes, mut largest_frame) = (0u64, 0u64);
        // Frames `first..end`, each with its uncompressed bytes, with one compression context.
        let make = |(first, end): (usize, usize)| -> Vec<(Vec<u8>, Vec<u8>)> {
            let mut compressor = FrameCompressor::new();
            (first..end)
                .map(|frame| {
                    let mut raw = Vec::new();
                    for i in frame * FRAME_LINES..((frame + 1) * FRAME_LINES).min(count) {
                        raw.extend_from_slice(&line(i));
                        raw.push(b'\n');
                    }
                    let compressed = compressor.compress(&raw);
                    (raw, compressed)
                })
                .collect()
        };
        let mut next = 0;
        while next < frame_count {
            let end = (next + FRAMES_PER_ROUND * cores).min(frame_count);
            let built: Vec<(Vec<u8>, Vec<u8>)> = if cores < 2 || end - next < 2 {
                make((next, end))
            } else {
                let per_core = (end - next).div_ceil(cores);
                let runs: Vec<(usize, usize)> = (next..end)
                    .step_by(per_core)
                    .map(|first| (first, (first + per_core).min(end)))
                    .collect();
                std::thread::scope(|scope| {
                    let handles: Vec<_> = runs
                        .into_iter()
                        .map(|run| scope.spawn(move || make(run)))
                        .collect();
                    handles
                        .into_iter()
                        .flat_map(|h| h.join().expect("framing never panics"))
                        .collect()
                })
            };
            next = end;
            for (raw, compressed) in built {
                hasher.update(&raw);
                bytes += raw.len() as u64;
                largest_frame = largest_frame.max(raw.len() as u64);
                frames.push(compressed);
            }
        }
        Framed {
            frames,
            lines: count as u64,
            sha256: hex::encode(hasher.finalize()),
            bytes,
            largest_frame,
        }
    }

    /// Frames lines already written.
    pub(crate) fn of_lines(lines: &[&[u8]]) -> Framed {
        Framed::build(lines.len(), |i| lines[i].to_vec())
    }
}

/// A content block, uncompressed: entries' canonical JSON, each line ending in `\n`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Block {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Block {
    /// Its size in bytes.
    pub(crate) fn bytes_len(&self) -> usize {
        self.bytes.len()
    }

    /// How many lines.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Line `i`, without its newline.
    pub(crate) fn line(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.bytes.get(start..end - 1)
    }

    /// SHA-256 of the uncompressed block, hex.
    pub(crate) fn sha256(&self) -> String {
        sha256_hex(&self.bytes)
    }

    /// Reads one compressed frame, which may hold at most `limit` bytes uncompressed (see
    /// [`EventRecord::max_frame_bytes`]): decompression stops after `limit` bytes, so a frame
    /// that would inflate further is refused having used no more memory than that. The problem,
    /// for a message naming the event and frame, when it is damaged.
    pub(crate) fn from_frame(frame: &[u8], limit: u64) -> Result<Block, String> {
        use std::io::Read as _;
        let mut bytes = Vec::new();
        zstd::stream::read::Decoder::new(frame)
            .and_then(|decoder| {
                decoder
                    .take(limit.saturating_add(1))
                    .read_to_end(&mut bytes)
            })
            .map_err(|e| format!("it does not decompress ({e})"))?;
        if bytes.len() as u64 > limit {
            return Err(format!(
                "it decompresses to more than the {limit} bytes its event's inputs can account for"
            ));
        }
        if !bytes.is_empty() && bytes.last() != Some(&b'\n') {
            return Err("it is cut short".into());
        }
        let ends = memchr::memchr_iter(b'\n', &bytes).map(|i| i + 1).collect();
        Ok(Block { bytes, ends })
    }

    /// Appends another block's lines.
    pub(crate) fn extend(&mut self, other: Block) {
        let base = self.bytes.len();
        self.bytes.extend(other.bytes);
        self.ends.extend(other.ends.into_iter().map(|e| e + base));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_round_trip_through_frames() {
        let lines: Vec<Vec<u8>> = (0..2500)
            .map(|i| format!("{{\"id\":\"{i}\"}}").into_bytes())
            .collect();
        let framed = Framed::build(lines.len(), |i| lines[i].clone());
        assert_eq!(
            (framed.frames.len(), framed.lines),
            (2500usize.div_ceil(FRAME_LINES), 2500)
        );
        let mut back = Block::default();
        for frame in &framed.frames {
            back.extend(Block::from_frame(frame, u64::MAX).unwrap());
        }
        assert_eq!(back.len(), 2500);
        assert_eq!(back.line(1234), Some(&b"{\"id\":\"1234\"}"[..]));
        assert_eq!(back.line(2500), None);
        assert_eq!(back.sha256(), framed.sha256);
        let refs: Vec<&[u8]> = lines.iter().map(Vec::as_slice).collect();
        assert_eq!(Framed::of_lines(&refs), framed);
        assert!(Block::from_frame(b"not zstd", u64::MAX).is_err());
        // A frame holding more than its limit is refused.
        assert!(Block::from_frame(&framed.frames[0], 10).is_err());
    }

    #[test]
    fn frames_built_in_rounds_are_the_bytes_of_each_frame_compressed_alone() {
        // Issue 15: frames are compressed a round at a time, many with one zstd context; each
        // must be the bytes `compress_frame` gives it alone (stored frames of older stores).
        // More than one round of frames, the last short, lines of differing lengths.
        let count = FRAMES_PER_ROUND * 4 * FRAME_LINES + 7;
        let line = |i: usize| {
            format!("{{\"id\":\"{i}\",\"name\":\"{}\"}}", "x".repeat(i % 97)).into_bytes()
        };
        let framed = Framed::build(count, line);
        assert_eq!(framed.frames.len(), count.div_ceil(FRAME_LINES));
        let mut whole = Vec::new();
        for (n, frame) in framed.frames.iter().enumerate() {
            let mut raw = Vec::new();
            for i in n * FRAME_LINES..((n + 1) * FRAME_LINES).min(count) {
                raw.extend_from_slice(&line(i));
                raw.push(b'\n');
            }
            assert_eq!(frame, &compress_frame(&raw), "frame {n}");
            whole.extend_from_slice(&raw);
        }
        assert_eq!(framed.sha256, sha256_hex(&whole));
        assert_eq!(framed.bytes, whole.len() as u64);
    }

    #[test]
    fn an_empty_block_has_no_frames() {
        let framed = Framed::of_lines(&[]);
        assert!(framed.frames.is_empty());
        assert_eq!(framed.sha256, sha256_hex(b""));
        assert_eq!(EMPTY_BLOCK_SHA256, sha256_hex(b""));
    }

    #[test]
    fn a_retraction_reads_back_as_one_and_a_publication_as_one() {
        let retraction = br#"{"v":1,"seq":9,"list":"x","kind":"retraction","retracts":3,"reason":"wrong file","recorded":"2026-01-15T09:30:00Z","effect":{"added":0,"removed":1,"changed":0}}"#;
        let record = LogRecord::from_bytes(retraction).unwrap();
        let LogRecord::Retraction(r) = &record else {
            panic!("{record:?}")
        };
        assert_eq!((r.seq, r.retracts, r.reason.as_str()), (9, 3, "wrong file"));
        assert_eq!(
            record.to_bytes(),
            retraction.to_vec(),
            "the same bytes back"
        );
        assert_eq!(record.block_sha256(), sha256_hex(b""));
        // An unknown field is refused in either.
        let extra = br#"{"v":1,"seq":9,"list":"x","kind":"retraction","retracts":3,"reason":"r","recorded":"2026-01-15T09:30:00Z","effect":{"added":0,"removed":0,"changed":0},"more":1}"#;
        assert!(LogRecord::from_bytes(extra).is_err());
        // A header as listdiff 0.1 wrote it (a date, no time) reads back to the same bytes.
        let old = br#"{"v":1,"seq":2,"list":"x","published":"2024-12-05","kind":"amendment","source":"89 FR 2","sha256":"ab","inputs":[],"recorded":"2026-01-15T09:30:00Z","format":"native","parser":"p","supersedes":1,"effect":{"added":1,"removed":0,"changed":0},"content":{"encoding":"amendment","add":1,"amend":0,"remove":[],"block_sha256":"cd"}}"#;
        let record = LogRecord::from_bytes(old).unwrap();
        assert!(matches!(&record, LogRecord::Publication(p) if p.supersedes == Some(1)));
        assert_eq!(record.to_bytes(), old.to_vec());
        // Issue 12's fields, where present, read back to the same bytes too.
        let new = br#"{"v":1,"seq":3,"list":"x","published":"2024-12-06","kind":"snapshot","source":"s","sha256":"ab","inputs":[{"name":"sdn.csv","sha256":"ab","bytes":9,"eof_mark":false}],"recorded":"2026-01-15T09:30:00Z","format":"ofac-sdn-csv","parser":"p","effect":{"added":1,"removed":1,"changed":0},"content":{"encoding":"snapshot_delta","entries":1,"entries_sha256":"ef","upsert":1,"remove":["a"],"block_sha256":"cd"},"carried":[{"old":"a","new":"b"}]}"#;
        let record = LogRecord::from_bytes(new).unwrap();
        let LogRecord::Publication(p) = &record else {
            panic!("{record:?}")
        };
        assert_eq!((p.inputs[0].eof_mark, p.carried.len()), (Some(false), 1));
        assert_eq!(record.to_bytes(), new.to_vec());
    }
}
