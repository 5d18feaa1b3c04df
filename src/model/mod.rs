//! The ground floor: lists, entries, publications, changes, and the rules that fold publications
//! into states and compare states. Plain data and pure functions; no I/O.

mod change;
// Issue 12 item 6: an entry carried to a new id is one change in answers.
pub mod carry;
pub mod checkpoint;
mod entry;
mod extra;
// Issue 12: filters on answers, and the order answers list entries in.
mod filter;
pub mod fold;
mod ids;
pub mod merkle;
mod number;
pub mod proof;
mod publication;
mod published;
pub mod rekey;
pub mod rename;
mod report;
pub mod signature;
pub mod text;

// Reparse: recorded content against the current parsers.
pub mod reparse;

pub use change::{
    Change, ChangeKind, Column, ColumnChange, FieldChange, ListState, REASON_FIELDS, apply_changes,
    diff_entries, diff_states,
};
pub use entry::{Entry, EntryHash, EntryType, normalize_value, optional_date};
pub use extra::{Extra, ExtraMap};
pub use filter::{EntryFilter, id_order, is_numeric_id};
pub use ids::{EntryId, IdCleaning, ListId, clean_id_text, is_format_char};
pub use publication::{Amendment, Identity, Publication, PublicationContent, PublicationKind};
pub use published::{PublicationTime, PublicationTimeError};
pub use report::{
    AsOfReport, Baseline, Basis, BasisPublication, CloseName, CountRow, CountScope, CountsReport,
    DiffReport, Effect, EntryHistory, EntryVersion, EventMeta, HistoryReport, ListBasis,
    ListSummary, ListedEntry, ListsReport, LogEvent, LogReport, PublicationReport, RetractionMeta,
    SinceReport, Standing, VersionChange,
};

/// Why a value cannot be part of the model.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// A list id with characters outside `a-z 0-9 - _ .`, or empty, or too long.
    #[error(
        "invalid list id \"{}\": use lower-case letters, digits, '-', '_' and '.', at most 100 bytes",
        text::quote_bounded(.0)
    )]
    InvalidListId(String),
    /// An entry id that is empty after trimming.
    #[error("entry id is empty")]
    EmptyEntryId,
    /// An entry id with control characters, or too long.
    #[error(
        "invalid entry id \"{}\": no control characters, at most 512 bytes",
        text::quote_bounded(.0)
    )]
    InvalidEntryId(String),
    /// An entry whose name is empty after trimming.
    #[error("entry \"{}\" has an empty name", text::quote_bounded(.0.as_str()))]
    EmptyName(EntryId),
    /// One record of a publication is invalid.
    #[error("record {index}: {source}")]
    InvalidRecord {
        /// 0-based position of the record.
        index: usize,
        /// What is wrong with it.
        source: Box<ModelError>,
    },
    /// The same id appears twice where ids must be unique.
    #[error(
        "duplicate id \"{}\": records {first} and {second}",
        text::quote_bounded(.id.as_str())
    )]
    DuplicateId {
        /// The id.
        id: EntryId,
        /// 0-based position of the first record with it.
        first: usize,
        /// 0-based position of the second.
        second: usize,
    },
}
