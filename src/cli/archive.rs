//! Archiving the inputs of `ingest` (not a subcommand): where each input's bytes can be had
//! again, whether to archive, and archiving the files and read manifest of a recorded event.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDate;

use super::CliError;
use super::inputs::{self, Candidate, ReadArgs};
use crate::formats::Format;
use crate::model::ListId;
use crate::store::{
    ARCHIVE_SETTING, ArchiveError, ArchiveSource, ArchivedFile, ArchivedRead, Provenance,
    ReadManifest, ReadOptions, Store, StoreError,
};

/// Where the bytes of each input read by this ingest can be had again, by SHA-256.
#[derive(Default)]
pub(crate) struct Sources {
    by_sha256: HashMap<String, ArchiveSource>,
}

impl Sources {
    /// Notes the files of one candidate: its primary (the file, or the bytes read from standard
    /// input) and its companions.
    pub(crate) fn note(
        &mut self,
        candidate: &Candidate,
        provenance: &Provenance,
        stdin_bytes: Option<Vec<u8>>,
    ) -> Result<(), CliError> {
        let Some(primary) = provenance.inputs.first() else {
            return Ok(());
        };
        match (&candidate.path, stdin_bytes) {
            (Some(path), _) => {
                self.by_sha256
                    .insert(primary.sha256.clone(), ArchiveSource::File(path.clone()));
                if let Some(format) = Format::from_name(&provenance.format) {
                    for (name, companion) in inputs::companion_paths(format, path)? {
                        if let Some(input) = provenance.inputs[1..].iter().find(|i| i.name == name)
                        {
                            self.by_sha256
                                .insert(input.sha256.clone(), ArchiveSource::File(companion));
                        }
                    }
                }
            }
            (None, Some(bytes)) => {
                self.by_sha256.insert(
                    primary.sha256.clone(),
                    ArchiveSource::Bytes(Arc::new(bytes)),
                );
            }
            (None, None) => {}
        }
        Ok(())
    }
}

/// True when this ingest archives: `--archive`, else not with `--no-archive`, else the store's
/// `archive` setting.
pub(crate) fn wanted(store: &Store, archive: bool, no_archive: bool) -> Result<bool, CliError> {
    if archive || no_archive {
        return Ok(archive);
    }
    Ok(store.setting(ARCHIVE_SETTING)?.as_deref() == Some("on"))
}

/// An archive failure as a command error: a file-system error is a store error (exit 3), a
/// file that changed while read is bad input (exit 2), a damaged archive file fails
/// verification (exit 4).
pub(crate) fn archive_error(e: ArchiveError) -> CliError {
    match e {
        ArchiveError::Io { path, source } => CliError::Store(StoreError::Io { path, source }),
        changed @ ArchiveError::Changed { .. } => CliError::Input(changed.to_string()),
        damaged @ ArchiveError::Damaged { .. } => CliError::Verification(damaged.to_string()),
    }
}

/// What an ingest archives: the publications recorded (or found already recorded), archived
/// once the store has made them durable, so that no archive file is written for an event that
/// a crash could still lose.
#[derive(Default)]
pub(crate) struct Archived {
    /// The recorded publications whose inputs are to be archived: provenance, list and date.
    pending: Vec<(Provenance, ListId, NaiveDate)>,
    /// Files written.
    written: u64,
    /// Files already in the archive.
    present: u64,
    /// The SHA-256s of the files counted (a file of several events is counted once).
    seen: HashSet<String>,
}

impl Archived {
    /// Notes a recorded (or already recorded) publication whose inputs are to be archived.
    pub(crate) fn add(&mut self, provenance: &Provenance, (list, published): (&ListId, NaiveDate)) {
        self.pending
            .push((provenance.clone(), list.clone(), published));
    }

    /// Archives the input files of every publication noted that are not archived yet, and their
    /// read manifests. Call after the store is flushed.
    pub(crate) fn write(
        &mut self,
        store: &Store,
        read: &ReadArgs,
        sources: &Sources,
    ) -> Result<(), CliError> {
        for (provenance, list, published) in std::mem::take(&mut self.pending) {
            self.write_one(store, &provenance, (&list, published), read, sources)?;
        }
        Ok(())
    }

    fn write_one(
        &mut self,
        store: &Store,
        provenance: &Provenance,
        (list, published): (&ListId, NaiveDate),
        read: &ReadArgs,
        sources: &Sources,
    ) -> Result<(), CliError> {
        let archive = store.archive();
        for input in &provenance.inputs {
            if archive.has_bytes(&input.sha256) {
                if self.seen.insert(input.sha256.clone()) {
                    self.present += 1;
                }
                continue;
            }
            let Some(source) = sources.by_sha256.get(&input.sha256) else {
                return Err(CliError::Input(format!(
                    "cannot archive {} ({}): its bytes are no longer at hand; the publication is recorded, run the ingest again with --archive",
                    input.name, input.sha256
                )));
            };
            archive.put(&input.sha256, source).map_err(|e| {
                let message = archive_error(e);
                match message {
                    CliError::Input(m) => CliError::Input(format!(
                        "{list} {published} is recorded, but its input was not archived: {m}"
                    )),
                    other => other,
                }
            })?;
            self.written += 1;
            self.seen.insert(input.sha256.clone());
        }
        let manifest = ReadManifest {
            list: list.clone(),
            published,
            format: provenance.format.clone(),
            options: ReadOptions {
                list: read.list.clone(),
                keys: read.keys.clone(),
                map: read.map.clone(),
            },
            reads: reads_of(provenance),
        };
        archive
            .put_manifest(&provenance.sha256, &manifest)
            .map_err(archive_error)?;
        Ok(())
    }

    /// Prints what was archived.
    pub(crate) fn report(&self, store: &Store) {
        println!(
            "archived {} input file{} ({} already archived) in {}",
            self.written,
            if self.written == 1 { "" } else { "s" },
            self.present,
            store.archive().dir().display()
        );
    }
}

/// How the files of a publication were parsed: same-day OpenSanctions deltas each on its own,
/// merged in order; any other publication as one primary file with its companions.
fn reads_of(provenance: &Provenance) -> Vec<ArchivedRead> {
    let file = |i: &crate::store::InputDigest| ArchivedFile {
        name: i.name.clone(),
        sha256: i.sha256.clone(),
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
