//! Why an ingest (or a read of an input for `compare` and `reparse`) failed.

use std::path::PathBuf;

use chrono::NaiveDate;

use crate::formats::FormatError;
use crate::model::text::quote_bounded;
use crate::model::{EntryId, ListId, PublicationTime};
use crate::store::{ArchiveError, StoreError};

/// Why the pipeline refused or failed. Every variant but [`IngestError::Store`] and
/// [`IngestError::Archive`] is about the input (bad usage, a file that cannot be read or is
/// refused): the command line maps those to exit code 2, store failures to 3.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// `-` was given twice.
    #[error("standard input (-) can be read only once")]
    StdinTwice,
    /// A file (or its first bytes) cannot be read.
    #[error("cannot read {}: {source}", .path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A directory cannot be listed.
    #[error("cannot read directory {}: {source}", .path.display())]
    ReadDir {
        /// The directory.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// Standard input cannot be read.
    #[error("cannot read standard input: {0}")]
    ReadStdin(std::io::Error),
    /// The paths given hold no publication.
    #[error("no publications found in {searched}")]
    NothingFound {
        /// The paths as given, joined with ", ".
        searched: String,
    },
    /// A file named on its own is empty.
    #[error(
        "{input}: the file is empty (0 bytes or only white space): a failed download? Nothing was recorded"
    )]
    EmptyFile {
        /// The input as shown to the user.
        input: String,
    },
    /// An OFAC companion file was named without its primary file.
    #[error(
        "{input}: this is an OFAC companion file ({name}); ingest the sdn.csv beside it, which reads its companions"
    )]
    CompanionAlone {
        /// The input as shown to the user.
        input: String,
        /// The companion's canonical name.
        name: String,
    },
    /// The content is not a format listdiff recognises.
    #[error(
        "{input}: unknown format: not one listdiff recognises ({known}); see `listdiff formats`, or give --format"
    )]
    UnknownFormat {
        /// The input as shown to the user.
        input: String,
        /// The names of the formats listdiff reads, joined with ", ".
        known: String,
    },
    /// The parser refused the input (the error names the file and where).
    #[error(transparent)]
    Format(#[from] FormatError),
    /// `--list` names a list the input does not hold.
    #[error("{input}: no publication for list {list} (it holds: {held})")]
    ListNotHeld {
        /// The input as shown to the user.
        input: String,
        /// The list asked for.
        list: ListId,
        /// The lists the input holds, joined with ", ".
        held: String,
    },
    /// A snapshot read one entry at a time repeats an id.
    #[error(
        "{input}: duplicate id \"{}\": ids must be unique within a publication",
        quote_bounded(.id.as_str())
    )]
    DuplicateId {
        /// The input as shown to the user.
        input: String,
        /// The repeated id.
        id: EntryId,
    },
    /// No publication date: none given, none stated, none in the path.
    #[error(
        "{input}: no publication date: the file states none and its path has no YYYY-MM-DD; give --published YYYY-MM-DD"
    )]
    NoDate {
        /// The input as shown to the user.
        input: String,
    },
    /// An amendment from standard input with no source of its own and no `--source`: its
    /// source is part of its identity.
    #[error(
        "{input}: this amendment of {list} at {published} states no source (such as its citation), and standard input has no file name to stand for one: give --source TEXT (the document's own identifier, such as \"89 FR 99999\"), so that it is not taken for a correction of another amendment of that day. Nothing was recorded"
    )]
    NoSource {
        /// The input as shown to the user.
        input: String,
        /// The amendment's list.
        list: ListId,
        /// Its publication time.
        published: PublicationTime,
    },
    /// `--source` or `--corrects` with an ingest of several publications (or none).
    #[error(
        "{option} names one publication, but this ingest holds {count}{}: ingest them one at a time. Nothing was recorded",
        if .publications.is_empty() { String::new() } else { format!(" ({})", .publications) }
    )]
    NotOnePublication {
        /// The option given.
        option: &'static str,
        /// How many publications the inputs hold.
        count: usize,
        /// Each, as list, time and input, joined with ", ".
        publications: String,
    },
    /// A publication dated more than a day after the recording time.
    #[error(
        "{input}: refused: this publication of {list} is dated {published}, more than a day after now ({}): a mistyped --published? It would stand as the list's latest publication from then on. Nothing was recorded. If it really is dated so, run again with --allow-future",
        .now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    )]
    Future {
        /// The input as shown to the user.
        input: String,
        /// The publication's list.
        list: ListId,
        /// Its publication time.
        published: PublicationTime,
        /// The recording time.
        now: chrono::DateTime<chrono::Utc>,
    },
    /// `--corrects` names an event that cannot be corrected by this publication.
    #[error("--corrects {corrects}: {problem}. Nothing was recorded")]
    BadCorrection {
        /// The event named.
        corrects: u64,
        /// Why it cannot be corrected.
        problem: String,
    },
    /// The drop guard: a snapshot with no entries.
    #[error(
        "{input}: refused: this snapshot of {list} dated {published} holds no entries; an empty publication is almost always a failed download, not the end of a list. Nothing was recorded. If the list really is empty, run again with --allow-drop"
    )]
    EmptySnapshot {
        /// The input as shown to the user.
        input: String,
        /// The snapshot's list.
        list: ListId,
        /// Its publication date.
        published: NaiveDate,
    },
    /// The drop guard: a snapshot that would remove too much of its list.
    #[error(
        "{input}: refused: this snapshot of {list} dated {published} holds {holds} entries and would remove {removed} of the {in_force} in force ({share:.1}%, more than the {max_drop}% allowed): a failed or partial download? Nothing was recorded. If the list really shrank, run again with --allow-drop (or a higher --max-drop)"
    )]
    WouldDrop {
        /// The input as shown to the user.
        input: String,
        /// The snapshot's list.
        list: ListId,
        /// Its publication date.
        published: NaiveDate,
        /// How many entries it holds.
        holds: usize,
        /// How many entries in force it would remove (renames not counted).
        removed: usize,
        /// How many entries were in force the day before.
        in_force: usize,
        /// `removed` as a percentage of `in_force`.
        share: f64,
        /// The percentage allowed.
        max_drop: f64,
    },
    /// A file changed while it was being read (between its first bytes and the rest).
    #[error("{input} changed while it was being read; nothing was recorded: run the ingest again")]
    Changed {
        /// The input as shown to the user.
        input: String,
    },
    /// The checked publications cannot be held in a temporary file until they are recorded.
    #[error(
        "cannot hold the checked publications in a temporary file in {}: {source}; nothing was recorded: set TMPDIR to a directory with room",
        .dir.display()
    )]
    Spool {
        /// The temporary directory.
        dir: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// An input to archive is neither in the archive nor at hand any more.
    #[error(
        "cannot archive {name} ({sha256}): its bytes are no longer at hand; the publication is recorded, run the ingest again with --archive"
    )]
    NotAtHand {
        /// The input's recorded name.
        name: String,
        /// Its SHA-256.
        sha256: String,
    },
    /// A recorded publication's input changed before it could be archived.
    #[error("{list} {published} is recorded, but its input was not archived: {source}")]
    NotArchived {
        /// The publication's list.
        list: ListId,
        /// Its publication time.
        published: PublicationTime,
        /// What the archive found ([`ArchiveError::Changed`]).
        source: ArchiveError,
    },
    /// The archive failed (a file-system error, or a damaged archive file).
    #[error(transparent)]
    Archive(ArchiveError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
