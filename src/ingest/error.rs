//! Why an ingest (or a read of an input for `compare` and `reparse`) failed.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::guard::DropRefusal;
use crate::formats::FormatError;
use crate::model::text::quote_bounded;
use crate::model::{EntryId, ListId, PublicationTime};
use crate::store::{ArchiveError, StoreError};

/// Why the pipeline refused or failed. Every variant but [`IngestError::Store`] and
/// [`IngestError::Archive`] is about the input (bad usage, a file that cannot be read or is
/// refused): the command line maps those to exit code 2, store failures to 3.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// An input recognised as recorded when the ingest began is no longer recorded when it
    /// records (a retraction in between).
    #[error(
        "{input}: its publication {list} {published} was recorded when this ingest began but is no longer (retracted meanwhile?); nothing was recorded: run the ingest again"
    )]
    NoLongerRecorded {
        /// The input as shown to the user.
        input: String,
        /// The publication's list.
        list: ListId,
        /// The publication's time.
        published: PublicationTime,
    },
    /// An archive named as an input was refused or could not be unpacked.
    #[error(transparent)]
    Unpack(#[from] super::unpack::UnpackError),
    /// An archive where only a plain file is read (`compare`, standard input).
    #[error(
        "{input}: an archive ({kind}); only `ingest` unpacks archives, and only those named as files: unpack it and give the file inside"
    )]
    ArchiveNotRead {
        /// The input as shown to the user.
        input: String,
        /// The kind of archive.
        kind: &'static str,
    },
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
    /// The drop guard: snapshots that would remove too much of their lists, each named.
    #[error("{}", would_drop(.drops, *.max_drop))]
    WouldDrop {
        /// Every snapshot refused, in recording order.
        drops: Vec<DropRefusal>,
        /// The percentage allowed.
        max_drop: f64,
    },
    /// `--allow-drop LIST` names a list no publication of the ingest is of.
    #[error(
        "--allow-drop {list}: this ingest holds no publication of list {list} (it holds: {held}); nothing was recorded. Name one of those lists, or give --allow-drop alone for every list"
    )]
    AllowDropNotHeld {
        /// The list named.
        list: ListId,
        /// The lists the ingest holds, joined with ", ".
        held: String,
    },
    /// A file of a format whose files end with a mark lacks it, where the same file of the
    /// list's earlier publication had it: a download cut short.
    #[error(
        "{input}: refused: {file} does not end with the end-of-file mark (0x{mark:02X}) that {list}'s earlier publication ({earlier}) ended with: a download cut short? {lines} lines were read. Nothing was recorded. Download it again; if the file is whole as published, run again with --allow-cut"
    )]
    CutShort {
        /// The input as shown to the user.
        input: String,
        /// The file without the mark: "the file" (the input itself) or a companion's path.
        file: String,
        /// The mark.
        mark: u8,
        /// The publication's list.
        list: ListId,
        /// The earlier publication, described (its time and event, or its input in this ingest).
        earlier: String,
        /// How many lines were read from the file.
        lines: u64,
    },
    /// An input read without companion files that the list's earlier publication was read
    /// with.
    #[error(
        "{input}: refused: this publication of {list} dated {published} was read without {missing}, which {list}'s earlier publication ({earlier}) was read with: its entries would lose the aliases, addresses and remarks those files give, and read as changed. Nothing was recorded. Put them beside it, as published, or if this publication really comes without them, run again with --allow-partial"
    )]
    Partial {
        /// The input as shown to the user.
        input: String,
        /// The publication's list.
        list: ListId,
        /// Its publication time.
        published: PublicationTime,
        /// The companion files missing, by the names expected beside the input, joined.
        missing: String,
        /// The earlier publication, described.
        earlier: String,
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

/// The drop guard's refusal of `drops` (one or several), `max_drop` being the share allowed.
fn would_drop(drops: &[DropRefusal], max_drop: f64) -> String {
    let allow = |drops: &[&DropRefusal]| -> String {
        let mut lists: Vec<String> = drops
            .iter()
            .map(|d| format!("--allow-drop {}", d.list))
            .collect();
        lists.sort();
        lists.dedup();
        lists.join(" ")
    };
    let why = |drop: &DropRefusal| match drop.carried {
        Some(_) => "If those entries really left the list",
        None => "If the list really shrank",
    };
    // A clause ending in a question mark ends its sentence.
    let ended = |clause: String| match clause.ends_with('?') {
        true => clause,
        false => format!("{clause}."),
    };
    match drops {
        // One snapshot, no change of key scheme: said as before `--allow-drop LIST` existed
        // (plain `--allow-drop` allows it too).
        [one] if one.carried.is_none() => format!(
            "{}: refused: {} Nothing was recorded. {}, run again with --allow-drop (or a higher --max-drop)",
            one.input,
            ended(one.describe(max_drop)),
            why(one),
        ),
        [one] => format!(
            "{}: refused: {} Nothing was recorded. {}, run again with {} (or a higher --max-drop)",
            one.input,
            ended(one.describe(max_drop)),
            why(one),
            allow(&[one])
        ),
        many => {
            let each: Vec<String> = many
                .iter()
                .map(|d| format!("{}: {}", d.input, d.describe(max_drop)))
                .collect();
            let all: Vec<&DropRefusal> = many.iter().collect();
            format!(
                "refused: {} snapshots would remove more than the {max_drop}% allowed of their lists: {} Nothing was recorded. For each list that really shrank, run again with --allow-drop LIST ({}; --allow-drop alone allows every list), or a higher --max-drop",
                many.len(),
                ended(each.join("; ")),
                allow(&all)
            )
        }
    }
}
