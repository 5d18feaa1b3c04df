//! `listdiff pull`: fetching what the publishers published and recording what is new through
//! the ingest pipeline, with the same checks, drop guard and archive as `ingest`.
//!
//! A pull has two phases, so that downloads never hold the store:
//! 1. [`fetch_source`], with no store: each source's files are fetched into a private temporary
//!    directory, sending the validators the last pull kept (`If-None-Match`,
//!    `If-Modified-Since`). A 304, or bytes identical to the last fetch, is "unchanged".
//! 2. [`record_source`], with the store open for writing: the files are read and checked by the
//!    ingest pipeline ([`Ingest`]) and recorded, archived with what the server answered (URL,
//!    fetch time, status, `ETag`, `Last-Modified`); a body the checks refuse is kept in
//!    `<store>/quarantine/` with the reason, and nothing of it is recorded. The validators are
//!    kept only once the body is recorded (or found recorded already).
//!
//! Each source stands alone: one failing does not stop the others.

mod quarantine;
pub mod sources;
mod steps;

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};

pub use sources::{Source, SourceKind, SourceOrigin};

use crate::fetch::{FetchObserver, Limits, ResponseFacts};
use crate::ingest::{
    ArchiveChoice, Candidate, DropGuard, FeedChecks, FoundInputs, FutureGuard, Ingest, IngestError,
    IngestOptions, IngestReport, InputOptions, Progress, Undated,
};
use crate::model::PublicationTime;
use crate::store::{FetchState, FetchedFile, FetchedFrom, Store, StoreError};

/// What goes wrong before any source is fetched: the sources file, the names asked for.
#[derive(Debug, thiserror::Error)]
pub enum PullError {
    /// The sources file cannot be read or does not parse.
    #[error("{}{}: {problem}; fix the sources file (see `listdiff sources --help`)", .path.display(), .line.map(|l| format!(":{l}")).unwrap_or_default())]
    SourcesFile {
        /// The file.
        path: PathBuf,
        /// The line, when known.
        line: Option<usize>,
        /// What is wrong.
        problem: String,
    },
    /// A name that is no source.
    #[error(
        "no source is named \"{name}\": the sources are {known}, and os-<dataset> for an OpenSanctions dataset (see `listdiff sources`)"
    )]
    UnknownSource {
        /// The name given.
        name: String,
        /// The names known.
        known: String,
    },
    /// Two sources of one list asked for together.
    #[error(
        "{one} and {other} record the same list from two files: pull one of them (a list recorded twice a day from two files would have each publication correct the other)"
    )]
    Alternatives {
        /// The built-in source.
        one: String,
        /// Its alternative.
        other: String,
    },
}

/// How to pull.
#[derive(Clone, Debug)]
pub struct PullOptions {
    /// Transfer limits.
    pub limits: Limits,
    /// The share of a list (percent) a snapshot may remove before it is refused.
    pub max_drop: f64,
    /// The time of the pull (fetch times and the future guard).
    pub now: DateTime<Utc>,
}

/// One file fetched, on disk in the fetch's private directory.
#[derive(Debug)]
struct Body {
    /// Where it is.
    path: PathBuf,
    /// What the server answered.
    facts: ResponseFacts,
    /// SHA-256 of its bytes.
    sha256: String,
}

/// A source whose files were fetched, ready to be checked and recorded.
pub struct FetchedSource {
    /// The source.
    pub source: Source,
    /// The private directory holding the files (removed when this is dropped).
    dir: tempfile::TempDir,
    /// Every file fetched.
    bodies: Vec<Body>,
    /// The files to read, each with how it is shown (its URL): a primary file per publication
    /// (companions are found beside it).
    inputs: Vec<(PathBuf, String)>,
    /// The date given to a publication that states none.
    undated: Undated,
    /// How a publication that states its date got it, for the summary.
    stated_basis: String,
    /// What fetching noted (rules skipped, …).
    pub notes: Vec<String>,
    /// What to keep of this fetch once it is recorded.
    state: FetchState,
}

/// What fetching one source gave.
pub enum SourceFetch {
    /// Nothing new: why (a 304, identical bytes, the eCFR's date unchanged, no new rule).
    Unchanged {
        /// The source.
        source: Source,
        /// Why.
        why: String,
    },
    /// Files fetched, to be recorded.
    Fetched(Box<FetchedSource>),
    /// The transfer failed: why.
    Failed {
        /// The source.
        source: Source,
        /// Why.
        why: String,
    },
}

/// What pulling one source did.
#[derive(Debug)]
pub enum SourceOutcome {
    /// New publications recorded.
    Recorded {
        /// What the ingest did.
        report: Box<IngestReport>,
        /// Where the publication dates came from.
        dated_from: String,
        /// What fetching noted.
        notes: Vec<String>,
    },
    /// Nothing new.
    Unchanged {
        /// Why.
        why: String,
    },
    /// The checks refused the body; it is kept in quarantine.
    Refused {
        /// Why.
        why: String,
        /// Where the body is kept, or why it could not be.
        quarantined: Result<PathBuf, String>,
    },
    /// The transfer failed.
    Failed {
        /// Why.
        why: String,
    },
}

/// Fetches `source` into a private temporary directory, sending the validators of `state`.
pub fn fetch_source(
    source: Source,
    state: Option<&FetchState>,
    options: &PullOptions,
    observer: &dyn FetchObserver,
) -> SourceFetch {
    match steps::fetch(&source, state, options, observer) {
        Ok(steps::Got::Unchanged(why)) => SourceFetch::Unchanged { source, why },
        Ok(steps::Got::Files(got)) => {
            let undated = undated(&got.bodies, options.now);
            SourceFetch::Fetched(Box::new(FetchedSource {
                source,
                dir: got.dir,
                bodies: got.bodies,
                inputs: got.inputs,
                undated,
                stated_basis: got.stated_basis,
                notes: got.notes,
                state: got.state,
            }))
        }
        Err(why) => SourceFetch::Failed { source, why },
    }
}

/// The date of a publication that states none: the primary response's `Last-Modified` (its
/// UTC date), else the day of the fetch.
fn undated(bodies: &[Body], now: DateTime<Utc>) -> Undated {
    match bodies.first().map(|b| &b.facts) {
        Some(ResponseFacts {
            last_modified: Some(text),
            last_modified_time: Some(time),
            ..
        }) => Undated {
            published: PublicationTime::date(time.date_naive()),
            basis: format!("the response's Last-Modified ({text})"),
        },
        Some(facts) => Undated {
            published: PublicationTime::date(facts.fetched_at.date_naive()),
            basis: "the day of the fetch (the server sent no Last-Modified)".into(),
        },
        None => Undated {
            published: PublicationTime::date(now.date_naive()),
            basis: "the day of the fetch".into(),
        },
    }
}

/// Reads, checks and records what was fetched of one source into `store`, through the ingest
/// pipeline. A body the checks refuse is put in quarantine and nothing of it is recorded; the
/// validators are kept only once what was fetched is recorded (or recorded already). Only a
/// store failure is an error: it stops the pull.
pub fn record_source(
    fetched: FetchedSource,
    store: &mut Store,
    options: &PullOptions,
    progress: &dyn Progress,
) -> Result<SourceOutcome, StoreError> {
    let FetchedSource {
        source,
        dir,
        bodies,
        inputs,
        undated,
        stated_basis,
        notes,
        state,
    } = fetched;
    let fetched_from: BTreeMap<String, FetchedFrom> = bodies
        .iter()
        .map(|b| (b.sha256.clone(), fetched_from(&b.facts)))
        .collect();
    let ingest_options = IngestOptions {
        input: InputOptions {
            format: source.format,
            list: source.list.clone(),
            ..InputOptions::default()
        },
        published: None,
        source: None,
        corrects: None,
        drop_guard: DropGuard::refuse(options.max_drop),
        feed: FeedChecks::default(),
        future: FutureGuard::Refuse { now: options.now },
        archive: ArchiveChoice::Always,
        undated: Some(undated.clone()),
        fetched: fetched_from,
    };
    let found = FoundInputs {
        candidates: inputs
            .iter()
            .map(|(path, shown)| Candidate::file(path, shown, 0))
            .collect(),
        notes: Vec::new(),
        searched: vec![source.url.clone()],
        ..FoundInputs::default()
    };
    let store_dir = store.path().to_path_buf();
    let refused = |error: IngestError| -> Result<SourceOutcome, StoreError> {
        if let IngestError::Store(e) = error {
            return Err(e);
        }
        let why = error.to_string();
        let quarantined = quarantine::keep(&store_dir, &source, &bodies, &why, options.now);
        Ok(SourceOutcome::Refused {
            why,
            quarantined: quarantined.map_err(|e| e.to_string()),
        })
    };
    let plan = match Ingest::check_observed(found, ingest_options, &*store, progress) {
        Ok(plan) => plan,
        Err(error) => return refused(error),
    };
    let report = match plan.record_observed(store, options.now, progress) {
        Ok(report) => report,
        Err(failure) => {
            if failure.done.publications().next().is_some() {
                // Recording failed part way: what was recorded stays (the pipeline says
                // whether it is durable); the rest is told as failed, not refused.
                return Ok(SourceOutcome::Failed {
                    why: format!(
                        "{} ({} publications were recorded before it: see `listdiff log`)",
                        failure.error,
                        failure.done.publications().count()
                    ),
                });
            }
            return refused(failure.error);
        }
    };
    store.set_fetch_state(&source.name, &state)?;
    store.flush()?;
    drop(dir);
    if report.recorded() == 0 {
        let events: Vec<String> = report
            .recognised
            .iter()
            .flat_map(|r| r.publications.iter().map(|(_, _, seq)| seq.to_string()))
            .chain(report.publications().filter_map(|p| match &p.outcome {
                crate::ingest::PublicationOutcome::AlreadyRecorded { seq } => Some(seq.to_string()),
                crate::ingest::PublicationOutcome::Recorded { .. } => None,
            }))
            .collect();
        return Ok(SourceOutcome::Unchanged {
            why: match events.is_empty() {
                true => "already recorded".into(),
                false => format!("already recorded as event {}", events.join(", ")),
            },
        });
    }
    let dated_from = match report.inputs.iter().any(|i| i.undated) {
        true => undated.basis,
        false => stated_basis,
    };
    Ok(SourceOutcome::Recorded {
        report: Box::new(report),
        dated_from,
        notes,
    })
}

/// What the archive keeps of a response.
fn fetched_from(facts: &ResponseFacts) -> FetchedFrom {
    FetchedFrom {
        url: facts.url.clone(),
        final_url: facts.final_url.clone(),
        fetched_at: facts.fetched_at,
        status: facts.status,
        etag: facts.etag.clone(),
        last_modified: facts.last_modified.clone(),
    }
}

/// What the fetch state keeps of a response.
fn fetched_file(body: &Body) -> FetchedFile {
    FetchedFile {
        url: body.facts.url.clone(),
        etag: body.facts.etag.clone(),
        last_modified: body.facts.last_modified.clone(),
        sha256: body.sha256.clone(),
    }
}
