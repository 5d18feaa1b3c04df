//! Archiving the inputs of an ingest: where each input's bytes can be had again, whether to
//! archive, and archiving the files and read manifest of each recorded publication once the
//! store has made it durable.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use super::IngestError;
use super::inputs::{self, Candidate, InputOptions, Origin};
use crate::formats::Format;
use crate::model::{ListId, PublicationTime};
use crate::store::{
    ARCHIVE_SETTING, ArchiveError, ArchiveSource, ArchivedFile, ArchivedRead, FetchedFrom,
    InputDigest, Provenance, ReadManifest, Store,
};

/// Whether an ingest archives its inputs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ArchiveChoice {
    /// As the store's `archive` setting says (off unless `listdiff config archive on`).
    #[default]
    StoreSetting,
    /// Archive.
    Always,
    /// Do not archive.
    Never,
}

impl ArchiveChoice {
    /// True when this ingest archives into `store`.
    pub(crate) fn archives(self, store: &Store) -> Result<bool, IngestError> {
        Ok(match self {
            ArchiveChoice::Always => true,
            ArchiveChoice::Never => false,
            ArchiveChoice::StoreSetting => store.setting(ARCHIVE_SETTING)?.as_deref() == Some("on"),
        })
    }
}

/// What an ingest archived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveReport {
    /// Files written to the archive.
    pub written: u64,
    /// Files that were in the archive already.
    pub present: u64,
    /// The archive directory.
    pub dir: PathBuf,
}

/// Where the bytes of each input read by an ingest can be had again, by SHA-256.
#[derive(Default)]
pub(crate) struct Sources {
    by_sha256: HashMap<String, ArchiveSource>,
}

impl Sources {
    /// Notes the files of one candidate: its primary (the file, the bytes read from standard
    /// input, or the bytes in memory) and its companions.
    pub(crate) fn note(
        &mut self,
        candidate: &Candidate,
        provenance: &Provenance,
        stdin_bytes: Option<Vec<u8>>,
    ) -> Result<(), IngestError> {
        let Some(primary) = provenance.inputs.first() else {
            return Ok(());
        };
        let source = match (&candidate.origin, stdin_bytes) {
            (Origin::File(path), _) => {
                self.note_companions(path, provenance)?;
                ArchiveSource::File(path.clone())
            }
            (Origin::Bytes { bytes, .. }, _) => ArchiveSource::Bytes(Arc::clone(bytes)),
            (Origin::Stdin, Some(bytes)) => ArchiveSource::Bytes(Arc::new(bytes)),
            (Origin::Stdin, None) => return Ok(()),
        };
        self.by_sha256.insert(primary.sha256.clone(), source);
        Ok(())
    }

    /// Notes the companion files read beside the primary file `path`.
    fn note_companions(
        &mut self,
        path: &std::path::Path,
        provenance: &Provenance,
    ) -> Result<(), IngestError> {
        let Some(format) = Format::from_name(&provenance.format) else {
            return Ok(());
        };
        let companions = provenance.inputs.get(1..).unwrap_or_default();
        for (name, companion) in inputs::companion_paths(format, path)? {
            if let Some(input) = companions.iter().find(|i| i.name == name) {
                self.by_sha256
                    .insert(input.sha256.clone(), ArchiveSource::File(companion));
            }
        }
        Ok(())
    }
}

/// The publications an ingest recorded (or found already recorded) whose inputs are to be
/// archived once the store has made them durable, so that no archive file is written for an
/// event that a crash could still lose.
#[derive(Default)]
pub(crate) struct Archived {
    /// The recorded publications whose inputs are to be archived: provenance, list and date.
    pending: Vec<(Provenance, ListId, PublicationTime)>,
    /// Files written.
    written: u64,
    /// Files already in the archive.
    present: u64,
    /// The SHA-256s of the files counted (a file of several events is counted once).
    seen: HashSet<String>,
}

impl Archived {
    /// Notes a recorded (or already recorded) publication whose inputs are to be archived.
    pub(crate) fn add(
        &mut self,
        provenance: &Provenance,
        (list, published): (&ListId, PublicationTime),
    ) {
        self.pending
            .push((provenance.clone(), list.clone(), published));
    }

    /// Archives the input files of every publication noted that are not archived yet, and their
    /// read manifests, and says what was archived. Call after the store is flushed.
    pub(crate) fn write(
        mut self,
        store: &Store,
        options: (&InputOptions, &BTreeMap<String, FetchedFrom>),
        sources: &Sources,
    ) -> Result<ArchiveReport, IngestError> {
        for (provenance, list, published) in std::mem::take(&mut self.pending) {
            self.write_one(store, &provenance, (&list, published), options, sources)?;
        }
        Ok(ArchiveReport {
            written: self.written,
            present: self.present,
            dir: store.archive().dir().to_path_buf(),
        })
    }

    fn write_one(
        &mut self,
        store: &Store,
        provenance: &Provenance,
        (list, published): (&ListId, PublicationTime),
        (options, fetched): (&InputOptions, &BTreeMap<String, FetchedFrom>),
        sources: &Sources,
    ) -> Result<(), IngestError> {
        let archive = store.archive();
        for input in &provenance.inputs {
            if archive.has_bytes(&input.sha256) {
                if self.seen.insert(input.sha256.clone()) {
                    self.present += 1;
                }
                continue;
            }
            let Some(source) = sources.by_sha256.get(&input.sha256) else {
                return Err(IngestError::NotAtHand {
                    name: input.name.clone(),
                    sha256: input.sha256.clone(),
                });
            };
            archive.put(&input.sha256, source).map_err(|e| match e {
                changed @ ArchiveError::Changed { .. } => IngestError::NotArchived {
                    list: list.clone(),
                    published,
                    source: changed,
                },
                other => IngestError::Archive(other),
            })?;
            self.written += 1;
            self.seen.insert(input.sha256.clone());
        }
        let manifest = ReadManifest {
            list: list.clone(),
            published,
            format: provenance.format.clone(),
            options: options.archived(),
            reads: reads_of(provenance, fetched),
        };
        archive
            .put_manifest(&provenance.sha256, &manifest)
            .map_err(IngestError::Archive)?;
        Ok(())
    }
}

/// How the files of a publication were parsed: same-day OpenSanctions deltas each on its own,
/// merged in order; any other publication as one primary file with its companions.
fn reads_of(provenance: &Provenance, fetched: &BTreeMap<String, FetchedFrom>) -> Vec<ArchivedRead> {
    let file = |i: &InputDigest| ArchivedFile {
        name: i.name.clone(),
        sha256: i.sha256.clone(),
        fetched: fetched.get(&i.sha256).cloned(),
    };
    if Format::from_name(&provenance.format).is_some_and(Format::is_delta_feed) {
        return provenance
            .inputs
            .iter()
            .map(|i| ArchivedRead {
                primary: file(i),
                companions: Vec::new(),
            })
            .collect();
    }
    match provenance.inputs.split_first() {
        Some((primary, companions)) => vec![ArchivedRead {
            primary: file(primary),
            companions: companions.iter().map(file).collect(),
        }],
        None => Vec::new(),
    }
}
