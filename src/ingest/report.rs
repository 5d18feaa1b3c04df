//! What an ingest did, for the caller to tell: per input, its warnings and what recording each
//! of its publications did; what was archived.

use std::path::PathBuf;

use super::IngestError;
use super::archive::ArchiveReport;
use crate::model::fold::FoldNote;
use crate::model::rekey::Rekey;
use crate::model::rename::Rename;
use crate::model::{EventMeta, ListId, PublicationTime};

/// What an ingest did, in recording order.
#[derive(Clone, Debug, PartialEq)]
pub struct IngestReport {
    /// Each input recorded (or found already recorded), in the order recorded.
    pub inputs: Vec<InputReport>,
    /// The inputs recognised from their digests as recorded already (see
    /// [`super::KnownReads`]): neither read nor recorded again.
    pub recognised: Vec<RecognisedInput>,
    /// What was archived, when the ingest archived.
    pub archive: Option<ArchiveReport>,
    /// The store directory.
    pub store: PathBuf,
}

impl IngestReport {
    /// An empty report of an ingest into the store at `store`.
    pub(crate) fn new(store: PathBuf) -> IngestReport {
        IngestReport {
            inputs: Vec::new(),
            recognised: Vec::new(),
            archive: None,
            store,
        }
    }

    /// Every publication reported, in recording order.
    pub fn publications(&self) -> impl Iterator<Item = &PublicationReport> {
        self.inputs.iter().flat_map(|i| &i.publications)
    }

    /// How many publications were recorded as new events.
    pub fn recorded(&self) -> u64 {
        self.publications()
            .filter(|p| matches!(p.outcome, PublicationOutcome::Recorded { .. }))
            .count() as u64
    }

    /// How many publications were recorded already, so that nothing was written for them
    /// (those of the inputs recognised included).
    pub fn already_recorded(&self) -> u64 {
        let read = self
            .publications()
            .filter(|p| matches!(p.outcome, PublicationOutcome::AlreadyRecorded { .. }))
            .count();
        let recognised: usize = self.recognised.iter().map(|i| i.publications.len()).sum();
        (read + recognised) as u64
    }
}

/// An input recognised from its digests as recorded already: not read, nothing written.
#[derive(Clone, Debug, PartialEq)]
pub struct RecognisedInput {
    /// The input as shown to the user.
    pub display: String,
    /// Its publications, each with the event that recorded it.
    pub publications: Vec<super::RecordedAs>,
}

/// What recording one input did.
#[derive(Clone, Debug, PartialEq)]
pub struct InputReport {
    /// The input as shown to the user.
    pub display: String,
    /// What the parser noted that did not stop the read, each naming the file.
    pub warnings: Vec<String>,
    /// What the feed checks noted that did not refuse it (a file without its format's
    /// end-of-file mark where that cannot be judged), each naming the input.
    pub notes: Vec<String>,
    /// Whether it stated no publication date and was dated by the ingest's fallback
    /// ([`super::IngestOptions::undated`], told in `notes`).
    pub undated: bool,
    /// Its publications, in recording order.
    pub publications: Vec<PublicationReport>,
}

/// What recording one publication did.
#[derive(Clone, Debug, PartialEq)]
pub struct PublicationReport {
    /// Its list.
    pub list: ListId,
    /// Its publication time.
    pub published: PublicationTime,
    /// The entries it renames (lists keyed by name), told before it is recorded.
    pub renames: Vec<Rename>,
    /// When it changed its list's key scheme and carried entries from old ids to new ids: what
    /// it carried (which its event records) and how many old entries matched none.
    pub rekey: Option<Rekey>,
    /// What recording it did.
    pub outcome: PublicationOutcome,
}

/// What recording a publication did.
#[derive(Clone, Debug, PartialEq)]
pub enum PublicationOutcome {
    /// The same list, publication time and bytes were recorded already as event `seq` (not
    /// retracted): nothing was written.
    AlreadyRecorded {
        /// The existing event.
        seq: u64,
    },
    /// A new event was appended.
    Recorded {
        /// The event.
        event: Box<EventMeta>,
        /// Where the event sits among the list's publications.
        placement: Placement,
        /// What the fold noted (removal of an unknown id, …), for the user.
        notes: Vec<FoldNote>,
    },
}

/// Where a new event sits among its list's publications.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// After every publication of the list recorded before it.
    Latest,
    /// A correction of event `corrects`, which it replaces in its place: a publication with
    /// the same identity and other bytes, or the event `--corrects` named.
    Correction {
        /// The event it corrects.
        corrects: u64,
    },
    /// Dated before the list's latest publication (at `latest`), and placed by its time.
    Backfill {
        /// The time of the list's latest publication when it was recorded.
        latest: PublicationTime,
    },
}

/// An ingest that failed while recording: the error, and what was recorded before it (made
/// durable as far as the store could).
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct RecordFailure {
    /// Why it failed.
    pub error: IngestError,
    /// What was done before it failed: the inputs recorded; no archive report.
    pub done: IngestReport,
    /// Whether the store made what was done durable after the failure; when not, a crash could
    /// still lose it, and it must not be told as recorded.
    pub durable: bool,
}
