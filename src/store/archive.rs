//! The input archive: each input file's exact bytes, zstd-compressed and named by their SHA-256,
//! kept beside the database (never inside it), and for each archived event a small read
//! manifest saying how to read those bytes again the way `ingest` did.
//!
//! Layout, under the store directory:
//!
//! ```text
//! archive/
//!   bytes/ab/ab12…ef.zst     an input file's exact bytes, zstd; named by the SHA-256 of the
//!                            uncompressed bytes (fanned out by its first two hex digits)
//!   reads/ab/ab12…ef.json    the read manifest of the events recorded from input hash ab12…ef
//!                            (an event's `sha256`): per list and date, the format, the parse
//!                            options and which file is the primary and which its companions
//! ```
//!
//! Everything is written to a temporary file in the same directory, synced and renamed into
//! place, so a file under its final name is always whole. The archive is not part of the log:
//! the hashes in each event prove the bytes, and an archive file that does not hash to its name
//! is damaged ([`ArchiveError::Damaged`]).

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Store;
use crate::model::{ListId, PublicationTime};

/// The archive's directory name under the store directory.
pub const ARCHIVE_DIR: &str = "archive";

/// zstd level for archived inputs: a little slower than the content frames' level, since a file
/// is archived once and kept for good.
const ARCHIVE_ZSTD_LEVEL: i32 = 9;

/// Why the archive cannot do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// A file-system error.
    #[error("cannot use the input archive at {}: {source}", .path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// An input changed between being read and being archived.
    #[error("{} changed while it was being recorded (its SHA-256 is now {found}, the event records {expected}); nothing was archived for it: run the ingest again with --archive", .path.display())]
    Changed {
        /// The input file.
        path: PathBuf,
        /// The hash the event records.
        expected: String,
        /// The hash of the bytes read now.
        found: String,
    },
    /// An archived file is not what was archived.
    #[error("archive file {} is damaged: {reason}", .path.display())]
    Damaged {
        /// The archive file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

/// How the parsers were told to read an input, beyond its format: the command-line options
/// that are not recorded in the event.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadOptions {
    /// `--list`: the list id given to the parser (for formats that state none, or to override).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<ListId>,
    /// `--key`, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    /// `--map FIELD=COLUMN`, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub map: Vec<(String, String)>,
    /// `--delimiter`, by its name (`comma`, `tab`, `semicolon`, `pipe`); absent: told from the
    /// header (and in manifests written before the option existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
}

/// One archived input file as a read names it: the name the event records and its SHA-256.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedFile {
    /// The name in the event's `inputs` (for a companion, its canonical name such as `alt.csv`).
    pub name: String,
    /// SHA-256 of its exact bytes: the archive file's name.
    pub sha256: String,
    /// For a file fetched by `listdiff pull`: what the publisher's server answered, so that an
    /// auditor can show what was served and when. Absent for files ingested from disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched: Option<FetchedFrom>,
}

/// What a publisher's server answered when a file was fetched (`listdiff pull`): the evidence
/// kept beside the archived bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchedFrom {
    /// The URL asked for.
    pub url: String,
    /// The URL that answered, after redirects (the same when there were none).
    pub final_url: String,
    /// When the body was fetched (UTC, RFC 3339).
    pub fetched_at: DateTime<Utc>,
    /// The HTTP status of the answer.
    pub status: u16,
    /// The response's `ETag`, exactly as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The response's `Last-Modified`, exactly as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

/// One parse of a primary file with its companions (OFAC's `sdn.csv` with `add.csv`, …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedRead {
    /// The file that was named or found.
    pub primary: ArchivedFile,
    /// The companion files read with it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub companions: Vec<ArchivedFile>,
}

/// How one event's publication was read: enough to read its archived inputs again the same way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadManifest {
    /// The list of the event.
    pub list: ListId,
    /// The publication time of the event.
    pub published: PublicationTime,
    /// The format name.
    pub format: String,
    /// The parse options.
    #[serde(default)]
    pub options: ReadOptions,
    /// The parses, in order; several (same-day OpenSanctions deltas) are merged in that order
    /// into one amendment.
    pub reads: Vec<ArchivedRead>,
}

/// The manifest file of one input hash: the manifests of every event recorded from it (one
/// file can hold several lists, such as the CSL).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct ManifestFile {
    /// Layout version (1).
    v: u32,
    /// One per (list, date).
    events: Vec<ReadManifest>,
}

/// Where archived bytes come from when they are archived: a file read again, or bytes held
/// (standard input).
#[derive(Clone, Debug)]
pub enum ArchiveSource {
    /// A file, read again and checked against the hash the event records.
    File(PathBuf),
    /// Bytes held in memory.
    Bytes(std::sync::Arc<Vec<u8>>),
}

/// The input archive of a store (see the module documentation).
#[derive(Clone, Debug)]
pub struct Archive {
    dir: PathBuf,
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> ArchiveError + '_ {
    move |source| ArchiveError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A hex SHA-256 as a file name component: 64 lower-case hex digits, nothing else.
fn checked_hex(sha256: &str) -> Option<&str> {
    (sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    .then_some(sha256)
}

/// A writer that hashes what passes through it.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl Archive {
    /// The archive of the store at `store_dir`.
    pub fn at(store_dir: &Path) -> Archive {
        Archive {
            dir: store_dir.join(ARCHIVE_DIR),
        }
    }

    /// The archive directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The archive file of the input bytes with this SHA-256; `None` for a malformed hash.
    pub fn bytes_path(&self, sha256: &str) -> Option<PathBuf> {
        let hex = checked_hex(sha256)?;
        Some(
            self.dir
                .join("bytes")
                .join(&hex[..2])
                .join(format!("{hex}.zst")),
        )
    }

    /// The read manifest file of the events recorded from input hash `sha256`.
    pub fn manifest_path(&self, sha256: &str) -> Option<PathBuf> {
        let hex = checked_hex(sha256)?;
        Some(
            self.dir
                .join("reads")
                .join(&hex[..2])
                .join(format!("{hex}.json")),
        )
    }

    /// True when the bytes with this SHA-256 are archived.
    pub fn has_bytes(&self, sha256: &str) -> bool {
        self.bytes_path(sha256).is_some_and(|p| p.is_file())
    }

    /// Archives one input's exact bytes under their SHA-256, unless already archived; checks
    /// that they hash to `sha256` (the hash the event records) and archives nothing if not.
    /// Returns true when a file was written.
    pub fn put(&self, sha256: &str, source: &ArchiveSource) -> Result<bool, ArchiveError> {
        let Some(target) = self.bytes_path(sha256) else {
            return Err(ArchiveError::Damaged {
                path: self.dir.clone(),
                reason: format!("{sha256:?} is not a SHA-256"),
            });
        };
        if target.is_file() {
            return Ok(false);
        }
        let (temp, file) = self.temp_beside(&target)?;
        let written = (|| -> Result<String, ArchiveError> {
            let encoder = zstd::stream::write::Encoder::new(file, ARCHIVE_ZSTD_LEVEL)
                .map_err(io_error(&temp))?;
            let mut hashing = Hashing {
                inner: encoder,
                hasher: Sha256::new(),
            };
            match source {
                ArchiveSource::Bytes(bytes) => {
                    hashing.write_all(bytes).map_err(io_error(&temp))?;
                }
                ArchiveSource::File(path) => {
                    let mut input = File::open(path).map_err(io_error(path))?;
                    io::copy(&mut input, &mut hashing).map_err(io_error(path))?;
                }
            }
            let found = hex::encode(hashing.hasher.finalize());
            let file = hashing.inner.finish().map_err(io_error(&temp))?;
            file.sync_all().map_err(io_error(&temp))?;
            Ok(found)
        })();
        let found = match written {
            Ok(found) => found,
            Err(e) => {
                let _ = fs::remove_file(&temp);
                return Err(e);
            }
        };
        if found != sha256 {
            let _ = fs::remove_file(&temp);
            return Err(ArchiveError::Changed {
                path: match source {
                    ArchiveSource::File(path) => path.clone(),
                    ArchiveSource::Bytes(_) => PathBuf::from("<stdin>"),
                },
                expected: sha256.to_string(),
                found,
            });
        }
        self.install(&temp, &target)?;
        Ok(true)
    }

    /// The archived bytes with this SHA-256, checked against it and against their length `size`
    /// (as the event records it); `None` when not archived. The file is decompressed as a
    /// stream that stops after `size` bytes: one that would inflate further is damaged, and
    /// costs no more memory than the input it should hold.
    pub fn get(&self, sha256: &str, size: u64) -> Result<Option<Vec<u8>>, ArchiveError> {
        let Some(path) = self.bytes_path(sha256) else {
            return Ok(None);
        };
        let file = match File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error(&path)(e)),
        };
        let damaged = |reason: String| ArchiveError::Damaged {
            path: path.clone(),
            reason,
        };
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).min(1 << 30));
        zstd::stream::read::Decoder::new(file)
            .and_then(|d| d.take(size.saturating_add(1)).read_to_end(&mut bytes))
            .map_err(|e| damaged(format!("it does not decompress ({e})")))?;
        if bytes.len() as u64 != size {
            return Err(damaged(if bytes.len() as u64 > size {
                format!(
                    "it decompresses to more than the {size} bytes the event records for that input"
                )
            } else {
                format!(
                    "it decompresses to {} bytes, not the {size} the event records for that input",
                    bytes.len()
                )
            }));
        }
        let found = hex::encode(Sha256::digest(&bytes));
        if found != sha256 {
            return Err(ArchiveError::Damaged {
                path,
                reason: format!("its bytes hash to {found}, not to the {sha256} the event records"),
            });
        }
        Ok(Some(bytes))
    }

    /// The read manifest of the event recorded from input hash `sha256` for `list` and
    /// `published`; `None` when there is none.
    pub fn manifest(
        &self,
        sha256: &str,
        list: &ListId,
        published: PublicationTime,
    ) -> Result<Option<ReadManifest>, ArchiveError> {
        let Some(path) = self.manifest_path(sha256) else {
            return Ok(None);
        };
        Ok(self
            .manifest_file(&path)?
            .events
            .into_iter()
            .find(|m| &m.list == list && m.published == published))
    }

    /// Records how an event was read, unless its list and date already have a manifest under
    /// this input hash. Returns true when the manifest was written.
    pub fn put_manifest(
        &self,
        sha256: &str,
        manifest: &ReadManifest,
    ) -> Result<bool, ArchiveError> {
        let Some(path) = self.manifest_path(sha256) else {
            return Err(ArchiveError::Damaged {
                path: self.dir.clone(),
                reason: format!("{sha256:?} is not a SHA-256"),
            });
        };
        let mut file = self.manifest_file(&path)?;
        if file
            .events
            .iter()
            .any(|m| m.list == manifest.list && m.published == manifest.published)
        {
            return Ok(false);
        }
        file.v = 1;
        file.events.push(manifest.clone());
        let text = serde_json::to_vec_pretty(&file).map_err(|e| ArchiveError::Damaged {
            path: path.clone(),
            reason: format!("cannot write it: {e}"),
        })?;
        let (temp, mut out) = self.temp_beside(&path)?;
        let written = out
            .write_all(&text)
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.sync_all());
        if let Err(e) = written {
            let _ = fs::remove_file(&temp);
            return Err(io_error(&temp)(e));
        }
        self.install(&temp, &path)?;
        Ok(true)
    }

    fn manifest_file(&self, path: &Path) -> Result<ManifestFile, ArchiveError> {
        match fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| ArchiveError::Damaged {
                path: path.to_path_buf(),
                reason: format!("it is not a read manifest ({e})"),
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(ManifestFile::default()),
            Err(e) => Err(io_error(path)(e)),
        }
    }

    /// A new temporary file in `target`'s directory (created if need be).
    fn temp_beside(&self, target: &Path) -> Result<(PathBuf, File), ArchiveError> {
        let dir = target.parent().unwrap_or(&self.dir);
        fs::create_dir_all(dir).map_err(io_error(dir))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let file = File::create(&temp).map_err(io_error(&temp))?;
        Ok((temp, file))
    }

    /// Renames a finished temporary file into place and syncs the directory.
    fn install(&self, temp: &Path, target: &Path) -> Result<(), ArchiveError> {
        if let Err(e) = fs::rename(temp, target) {
            let _ = fs::remove_file(temp);
            return Err(io_error(target)(e));
        }
        if let Some(dir) = target.parent()
            && let Ok(handle) = File::open(dir)
        {
            let _ = handle.sync_all();
        }
        Ok(())
    }
}

/// The store setting that makes `ingest` archive its inputs by default.
pub const ARCHIVE_SETTING: &str = "archive";

impl Store {
    /// The store's input archive.
    pub fn archive(&self) -> Archive {
        Archive::at(&self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    #[test]
    fn bytes_round_trip_and_are_content_addressed() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::at(dir.path());
        let bytes = b"id,name\n1,A\n".to_vec();
        let hash = sha(&bytes);
        let source = ArchiveSource::Bytes(std::sync::Arc::new(bytes.clone()));
        assert!(archive.put(&hash, &source).unwrap());
        assert!(!archive.put(&hash, &source).unwrap(), "already archived");
        let path = archive.bytes_path(&hash).unwrap();
        assert!(path.starts_with(dir.path().join("archive/bytes").join(&hash[..2])));
        assert_ne!(fs::read(&path).unwrap(), bytes, "stored compressed");
        assert_eq!(archive.get(&hash, 12).unwrap(), Some(bytes));
        assert_eq!(archive.get(&sha(b"other"), 12).unwrap(), None);
    }

    #[test]
    fn bytes_that_do_not_match_the_hash_are_not_archived() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::at(dir.path());
        let wrong = sha(b"something else");
        let source = ArchiveSource::Bytes(std::sync::Arc::new(b"abc".to_vec()));
        assert!(matches!(
            archive.put(&wrong, &source),
            Err(ArchiveError::Changed { .. })
        ));
        let shard = archive.bytes_path(&wrong).unwrap();
        let left: Vec<_> = fs::read_dir(shard.parent().unwrap()).unwrap().collect();
        assert!(left.is_empty(), "no file and no temporary file left");
    }

    #[test]
    fn a_damaged_file_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::at(dir.path());
        let bytes = b"hello".to_vec();
        let hash = sha(&bytes);
        archive
            .put(&hash, &ArchiveSource::Bytes(std::sync::Arc::new(bytes)))
            .unwrap();
        let path = archive.bytes_path(&hash).unwrap();
        fs::write(&path, zstd::encode_all(&b"hellO"[..], 3).unwrap()).unwrap();
        assert!(matches!(
            archive.get(&hash, 5),
            Err(ArchiveError::Damaged { .. })
        ));
        fs::write(&path, b"not zstd").unwrap();
        assert!(matches!(
            archive.get(&hash, 5),
            Err(ArchiveError::Damaged { .. })
        ));
        // Longer or shorter than the event records.
        fs::write(&path, zstd::encode_all(&b"hello!"[..], 3).unwrap()).unwrap();
        let longer = archive.get(&hash, 5).unwrap_err().to_string();
        assert!(longer.contains("more than the 5 bytes"), "{longer}");
        fs::write(&path, zstd::encode_all(&b"hell"[..], 3).unwrap()).unwrap();
        let shorter = archive.get(&hash, 5).unwrap_err().to_string();
        assert!(shorter.contains("to 4 bytes, not the 5"), "{shorter}");
    }

    #[test]
    fn manifests_are_kept_per_list_and_date() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::at(dir.path());
        let hash = sha(b"x");
        let manifest = |list: &str| ReadManifest {
            list: ListId::new(list).unwrap(),
            published: "2024-01-02".parse().unwrap(),
            format: "csv".into(),
            options: ReadOptions {
                list: Some(ListId::new(list).unwrap()),
                keys: vec!["id".into()],
                map: vec![("name".into(), "Name".into())],
                delimiter: Some("semicolon".into()),
            },
            reads: vec![ArchivedRead {
                primary: ArchivedFile {
                    name: "a.csv".into(),
                    sha256: hash.clone(),
                    fetched: None,
                },
                companions: Vec::new(),
            }],
        };
        assert!(archive.put_manifest(&hash, &manifest("a")).unwrap());
        assert!(!archive.put_manifest(&hash, &manifest("a")).unwrap());
        assert!(archive.put_manifest(&hash, &manifest("b")).unwrap());
        let date = "2024-01-02".parse().unwrap();
        let b = ListId::new("b").unwrap();
        assert_eq!(
            archive.manifest(&hash, &b, date).unwrap(),
            Some(manifest("b"))
        );
        let c = ListId::new("c").unwrap();
        assert_eq!(archive.manifest(&hash, &c, date).unwrap(), None);
    }
}
