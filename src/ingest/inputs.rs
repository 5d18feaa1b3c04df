//! Finding and reading inputs: paths in the order given, directories walked in path order (the
//! plan then orders by publication date), `-` for standard input, bytes already in memory,
//! companion files beside a primary.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::IngestError;
use super::feed::{FileLines, line_count};
use super::provenance::{digest, provenance, recorded_name};
use super::unpack::{self, Container, Layout, Unpacked};
use crate::formats::{
    Detection, EntrySink, Format, Input, InputFile, ParseOptions, Parsed, StreamedSnapshot, detect,
};
use crate::model::ListId;
use crate::store::{InputDigest, Provenance, ReadOptions};

/// How to read inputs: the format (when not recognised) and the parser options.
#[derive(Clone, Debug, Default)]
pub struct InputOptions {
    /// Read every input as this format instead of recognising it.
    pub format: Option<Format>,
    /// Only this list's publications; for a format that names no list (csv, native-ndjson),
    /// the list's id.
    pub list: Option<ListId>,
    /// Plain CSV: the columns that key an entry, in order.
    pub keys: Vec<String>,
    /// Plain CSV: (entry field, column) pairs, in order.
    pub map: Vec<(String, String)>,
    /// Plain CSV: the field delimiter; `None`: told from the header.
    pub delimiter: Option<crate::formats::Delimiter>,
}

impl InputOptions {
    /// The format to read as, when not recognised from content: `format`, else plain CSV when
    /// keys, a mapping or a delimiter are given.
    pub fn forced(&self) -> Option<Format> {
        self.format.or_else(|| {
            (!self.keys.is_empty() || !self.map.is_empty() || self.delimiter.is_some())
                .then(Format::for_key_and_map)
                .flatten()
        })
    }

    /// What the parsers need of these options.
    pub fn parse_options(&self) -> ParseOptions {
        ParseOptions {
            list: self.list.clone(),
            keys: self.keys.clone(),
            map: self.map.clone(),
            delimiter: self.delimiter,
        }
    }

    /// These options as a read manifest records them (for `reparse`).
    pub fn archived(&self) -> ReadOptions {
        ReadOptions {
            list: self.list.clone(),
            keys: self.keys.clone(),
            map: self.map.clone(),
            delimiter: self.delimiter.map(|d| d.name().to_string()),
        }
    }

    /// These options, reading as `format`.
    fn as_format(&self, format: Format) -> InputOptions {
        InputOptions {
            format: Some(format),
            ..self.clone()
        }
    }
}

/// Where a candidate's bytes come from.
#[derive(Clone, Debug)]
pub enum Origin {
    /// A file: read whole, or (large files of streamed formats) read as a stream.
    File(PathBuf),
    /// Standard input, which can be read only once.
    Stdin,
    /// Bytes already in memory, such as a body fetched over HTTP.
    Bytes {
        /// The name the bytes were published under (the last segment of a URL): what their
        /// digest records and what tells some formats apart (OFAC's `cons_prim.csv`).
        file_name: String,
        /// The bytes.
        bytes: Arc<Vec<u8>>,
    },
}

/// One input to read: a file named or found, standard input, or bytes in memory.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// Where its bytes come from.
    pub origin: Origin,
    /// How to name it in messages and as an event's source.
    pub display: String,
    /// Which input argument it came from (a directory expands to several candidates): the plan
    /// records the inputs of one argument before those of the next.
    pub group: usize,
}

impl Candidate {
    /// A file, shown as `display`.
    pub fn file(path: impl Into<PathBuf>, display: impl Into<String>, group: usize) -> Candidate {
        Candidate {
            origin: Origin::File(path.into()),
            display: display.into(),
            group,
        }
    }

    /// Standard input, shown as `<stdin>`.
    pub fn stdin(group: usize) -> Candidate {
        Candidate {
            origin: Origin::Stdin,
            display: "<stdin>".into(),
            group,
        }
    }

    /// Bytes in memory published as `file_name`, shown as `display` (such as a URL).
    pub fn in_memory(
        display: impl Into<String>,
        file_name: impl Into<String>,
        bytes: Arc<Vec<u8>>,
        group: usize,
    ) -> Candidate {
        Candidate {
            origin: Origin::Bytes {
                file_name: file_name.into(),
                bytes,
            },
            display: display.into(),
            group,
        }
    }

    /// An input argument that is not a directory: `-` for standard input, else a file shown as
    /// given.
    pub fn from_argument(argument: &str, group: usize) -> Candidate {
        if argument == "-" {
            Candidate::stdin(group)
        } else {
            Candidate::file(argument, argument, group)
        }
    }

    /// The file, when the candidate is one (its bytes can be read again).
    pub fn path(&self) -> Option<&Path> {
        match &self.origin {
            Origin::File(path) => Some(path),
            Origin::Stdin | Origin::Bytes { .. } => None,
        }
    }

    /// The name the candidate was published under, for telling formats apart by name; empty
    /// for standard input.
    pub(crate) fn file_name(&self) -> String {
        match &self.origin {
            Origin::File(path) => path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            Origin::Bytes { file_name, .. } => file_name.clone(),
            Origin::Stdin => String::new(),
        }
    }
}

/// The candidates found for some input arguments, with notes about files skipped.
#[derive(Debug, Default)]
pub struct FoundInputs {
    /// The inputs, in the order found.
    pub candidates: Vec<Candidate>,
    /// Files skipped in directories, and why, for the user.
    pub notes: Vec<String>,
    /// The arguments searched, as given: named when nothing is found.
    pub searched: Vec<String>,
    /// The private directories the archives among the arguments were unpacked into (their
    /// members are candidates): to be kept until the ingest has archived its inputs.
    pub unpacked: Unpacked,
}

/// Files in directories that are documentation, never publications.
fn is_documentation(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("readme")
        || lower.starts_with("license")
        || lower.starts_with("licence")
        || lower.starts_with("provenance")
        || lower.ends_with(".md")
}

fn read_dir_error(path: &Path) -> impl FnOnce(std::io::Error) -> IngestError + '_ {
    move |source| IngestError::ReadDir {
        path: path.to_path_buf(),
        source,
    }
}

fn read_error(path: &Path) -> impl FnOnce(std::io::Error) -> IngestError + '_ {
    move |source| IngestError::ReadFile {
        path: path.to_path_buf(),
        source,
    }
}

/// A directory as the file system knows it (device and inode on Unix; elsewhere its canonical
/// path), whatever path or link reached it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum DirIdentity {
    /// The device and inode numbers.
    #[cfg(unix)]
    Inode(u64, u64),
    /// The canonical path (links resolved).
    #[cfg(not(unix))]
    Canonical(PathBuf),
}

impl DirIdentity {
    /// The identity of directory `path` (links followed).
    fn of(path: &Path) -> Result<DirIdentity, IngestError> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let meta = fs::metadata(path).map_err(read_dir_error(path))?;
            Ok(DirIdentity::Inode(meta.dev(), meta.ino()))
        }
        #[cfg(not(unix))]
        {
            fs::canonicalize(path)
                .map(DirIdentity::Canonical)
                .map_err(read_dir_error(path))
        }
    }
}

/// A walk of one input directory: the files found, and the directories walked so far (each by
/// its identity, with the path it was walked under), so that no directory is walked twice
/// however many links lead to it.
struct Walk<'a> {
    /// The files found, in path order.
    files: Vec<PathBuf>,
    /// Each directory walked, with the path it was walked under.
    walked: std::collections::HashMap<DirIdentity, PathBuf>,
    /// Where to note the directories skipped.
    notes: &'a mut Vec<String>,
}

impl Walk<'_> {
    /// Adds every file below `dir` that is not hidden or documentation, in path order; a
    /// directory already walked (reached again through a link) is skipped with a note.
    fn dir(&mut self, dir: &Path) -> Result<(), IngestError> {
        let identity = DirIdentity::of(dir)?;
        if let Some(first) = self.walked.get(&identity) {
            self.notes.push(format!(
                "skipped {}: it leads to {}, a directory already walked (a link loop or a second link to it)",
                dir.display(),
                first.display()
            ));
            return Ok(());
        }
        self.walked.insert(identity, dir.to_path_buf());
        let entries = fs::read_dir(dir).map_err(read_dir_error(dir))?;
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name.starts_with('.') {
                continue;
            }
            if path.is_dir() {
                self.dir(&path)?;
            } else if !is_documentation(&name) {
                self.files.push(path);
            }
        }
        Ok(())
    }
}

/// How much of a file format detection reads.
const HEAD_BYTES: u64 = 64 * 1024;

/// Reads at most the first [`HEAD_BYTES`] of a file, for format detection.
fn head(path: &Path) -> Result<Vec<u8>, IngestError> {
    let mut file = fs::File::open(path).map_err(read_error(path))?;
    let mut buffer = Vec::new();
    file.by_ref()
        .take(HEAD_BYTES)
        .read_to_end(&mut buffer)
        .map_err(read_error(path))?;
    Ok(buffer)
}

/// Expands input arguments into candidates: `-` is standard input (once), a file is itself, a
/// directory is every publication below it. Files in directories that hold nothing to record
/// (empty, a companion with no primary beside it, an unknown format) are skipped with a note.
pub fn find_inputs(
    arguments: &[String],
    options: &InputOptions,
) -> Result<FoundInputs, IngestError> {
    let mut found = FoundInputs {
        searched: arguments.to_vec(),
        ..FoundInputs::default()
    };
    let mut stdin_seen = false;
    for (group, argument) in arguments.iter().enumerate() {
        if argument == "-" {
            if stdin_seen {
                return Err(IngestError::StdinTwice);
            }
            stdin_seen = true;
            found.candidates.push(Candidate::stdin(group));
            continue;
        }
        let path = PathBuf::from(argument);
        let meta = fs::metadata(&path).map_err(read_error(&path))?;
        if meta.is_dir() {
            let shown = |file: &Path| file.display().to_string();
            find_in_tree(&path, group, (options.forced(), false), &shown, &mut found)?;
        } else if let Some(container) = meta
            .is_file()
            .then(|| head(&path))
            .transpose()?
            .and_then(|head| Container::of(&head))
        {
            let (dir, layout) = unpack::unpack(&path, argument, container, &mut found.notes)?;
            match layout {
                Layout::Single(file) => {
                    let name = file
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    found.candidates.push(Candidate::file(
                        file,
                        format!("{argument}:{name}"),
                        group,
                    ));
                }
                Layout::Tree => {
                    let root = dir.path().to_path_buf();
                    let shown = |file: &Path| {
                        let member = file.strip_prefix(&root).unwrap_or(file);
                        format!("{argument}:{}", member.display())
                    };
                    find_in_tree(&root, group, (options.forced(), true), &shown, &mut found)?;
                }
            }
            found.unpacked.keep(dir);
        } else {
            found
                .candidates
                .push(Candidate::file(path, argument.clone(), group));
        }
    }
    Ok(found)
}

/// Adds the publications below directory `dir` to `found`, each shown as `shown` says, and
/// notes about the files skipped. An archive among them is skipped with a note: archives are
/// unpacked only when named (`in_archive`: `dir` holds an archive's members, one level only).
fn find_in_tree(
    dir: &Path,
    group: usize,
    (forced, in_archive): (Option<Format>, bool),
    shown: &dyn Fn(&Path) -> String,
    found: &mut FoundInputs,
) -> Result<(), IngestError> {
    let mut walk = Walk {
        files: Vec::new(),
        walked: std::collections::HashMap::new(),
        notes: &mut found.notes,
    };
    walk.dir(dir)?;
    let files = walk.files;
    let mut unknown = Vec::new();
    for file in files {
        let head = head(&file)?;
        if let Some(container) = Container::of(&head) {
            found.notes.push(if in_archive {
                format!(
                    "skipped {}: an archive inside an archive ({}); only one level is unpacked: unpack it and ingest what it holds",
                    shown(&file),
                    container.name()
                )
            } else {
                format!(
                    "skipped {}: an archive ({}); archives in directories are not unpacked: name it as an input to ingest its members",
                    shown(&file),
                    container.name()
                )
            });
            continue;
        }
        let detection = match forced {
            Some(format) => Detection::Format(format),
            None => detect(&head),
        };
        match detection {
            Detection::Format(_) => {
                let display = shown(&file);
                found.candidates.push(Candidate::file(file, display, group));
            }
            // An empty file in a directory is a failed download (or an OpenSanctions delta
            // with no changes): it states nothing, so it is skipped, never read as a list
            // with every entry removed. Named on its own, it is an error.
            Detection::Empty => found.notes.push(format!(
                "skipped {}: the file is empty (0 bytes or only white space); nothing to record",
                shown(&file)
            )),
            Detection::Companion(_) if has_primary_beside(&file) => {}
            Detection::Companion(name) => found.notes.push(format!(
                "skipped {}: an OFAC companion file ({name}) with no sdn.csv beside it",
                shown(&file)
            )),
            Detection::Unknown => unknown.push(shown(&file)),
        }
    }
    if !unknown.is_empty() {
        found.notes.push(format!(
            "skipped {} that {} not a recognised publication format: {}",
            if unknown.len() == 1 {
                "1 file".to_string()
            } else {
                format!("{} files", unknown.len())
            },
            if unknown.len() == 1 { "is" } else { "are" },
            unknown.join(", ")
        ));
    }
    Ok(())
}

/// True when a companion file has an OFAC primary file in its directory that will read it.
fn has_primary_beside(companion: &Path) -> bool {
    let Some(dir) = companion.parent() else {
        return false;
    };
    let Ok(entries) = fs::read_dir(dir) else {
        return false;
    };
    let companion_name = companion
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    entries.filter_map(|e| e.ok()).any(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        Format::ALL.iter().any(|format| {
            format
                .refine_by_name(&name)
                .companion_names(&name)
                .iter()
                .any(|c| c.eq_ignore_ascii_case(&companion_name))
        })
    })
}

/// A candidate read and parsed.
pub struct ReadInput {
    /// What was parsed.
    pub parsed: Parsed,
    /// The digests of the files read, and the format and parser.
    pub provenance: Provenance,
    /// For standard input, the exact bytes read (they cannot be read again to be archived).
    pub stdin_bytes: Option<Vec<u8>>,
    /// For a format whose files end with a mark, each file read (primary first) as shown, with
    /// its line count, for the feed checks; else empty.
    pub(crate) ends: Vec<FileLines>,
}

/// All of a candidate's bytes (read for a format that reads its files whole: refused beyond
/// the size such a format accepts, before reading).
fn read_bytes(candidate: &Candidate) -> Result<Vec<u8>, IngestError> {
    match &candidate.origin {
        Origin::Stdin => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .take(crate::formats::limits::MAX_WHOLE_FILE_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(IngestError::ReadStdin)?;
            crate::formats::check_whole_file_size(&candidate.display, bytes.len() as u64)?;
            Ok(bytes)
        }
        Origin::File(path) => read_whole(path, &candidate.display),
        Origin::Bytes { bytes, .. } => Ok(bytes.as_ref().clone()),
    }
}

/// The bytes of a file read whole, refused before reading when larger than a format reading
/// its files whole accepts.
fn read_whole(path: &Path, display: &str) -> Result<Vec<u8>, IngestError> {
    let size = fs::metadata(path).map_err(read_error(path))?.len();
    crate::formats::check_whole_file_size(display, size)?;
    fs::read(path).map_err(read_error(path))
}

/// Finds the companion files of `primary` in its directory (names matched ignoring case).
fn companions(format: Format, primary: &Path) -> Result<Vec<(String, InputFile)>, IngestError> {
    let mut found = Vec::new();
    for (canonical_name, path) in companion_paths(format, primary)? {
        let bytes = read_whole(&path, &path.display().to_string())?;
        found.push((
            canonical_name,
            InputFile {
                name: path.display().to_string(),
                bytes,
                stream_from: None,
            },
        ));
    }
    Ok(found)
}

/// The companion files of `primary` in its directory, each with its canonical name (the name
/// its digest records), without reading them.
pub fn companion_paths(
    format: Format,
    primary: &Path,
) -> Result<Vec<(String, PathBuf)>, IngestError> {
    let name = primary
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let wanted = format.companion_names(&name);
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let dir = primary
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let present: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(read_dir_error(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    let canonical = format.companion_keys().iter().map(|key| key.to_string());
    let mut found = Vec::new();
    for (wanted_name, canonical_name) in wanted.iter().zip(canonical) {
        if let Some(path) = present.iter().find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case(wanted_name))
        }) {
            found.push((canonical_name, path.clone()));
        }
    }
    Ok(found)
}

/// Reads a candidate and its companions and recognises (or takes) its format, without parsing.
pub fn open(candidate: &Candidate, options: &InputOptions) -> Result<(Format, Input), IngestError> {
    open_private(candidate, options, false).map(|opened| (opened.format, opened.input))
}

/// A candidate opened: its format, the input to parse, and what reading it left to keep.
struct Opened {
    /// The format recognised or given.
    format: Format,
    /// What the parser reads.
    input: Input,
    /// The private copy `input` streams from, deleted when dropped (see [`private_copy`]).
    _copy: Option<tempfile::TempPath>,
}

/// A private copy of `path` in the system's temporary directory, deleted when dropped: a file
/// read as a stream for recording is read (hashed, then parsed) from such a copy, so that its
/// digest and its publications are of the same bytes whatever happens to the file meanwhile.
fn private_copy(path: &Path) -> Result<tempfile::TempPath, IngestError> {
    let spool_error = |source| IngestError::Spool {
        dir: std::env::temp_dir(),
        source,
    };
    let mut from = fs::File::open(path).map_err(read_error(path))?;
    let (mut to, copy) = tempfile::NamedTempFile::new()
        .map_err(spool_error)?
        .into_parts();
    let mut buffer = vec![0u8; 256 * 1024];
    loop {
        let n = from.read(&mut buffer).map_err(read_error(path))?;
        if n == 0 {
            break;
        }
        std::io::Write::write_all(&mut to, &buffer[..n]).map_err(spool_error)?;
    }
    Ok(copy)
}

/// The format of `bytes` (the start of a candidate) when recognised; else why not.
fn recognise(bytes: &[u8], candidate: &Candidate) -> Result<Format, IngestError> {
    match detect(bytes) {
        Detection::Format(format) => Ok(format),
        Detection::Empty => Err(IngestError::EmptyFile {
            input: candidate.display.clone(),
        }),
        Detection::Companion(name) => Err(IngestError::CompanionAlone {
            input: candidate.display.clone(),
            name: name.to_string(),
        }),
        Detection::Unknown if let Some(container) = Container::of(bytes) => {
            Err(IngestError::ArchiveNotRead {
                input: candidate.display.clone(),
                kind: container.name(),
            })
        }
        Detection::Unknown => {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
            Err(IngestError::UnknownFormat {
                input: candidate.display.clone(),
                known: names.join(", "),
            })
        }
    }
}

/// [`open`]; with `private`, a file to be streamed is streamed from a private copy
/// ([`private_copy`]), as recording needs. The bytes are held as published, whatever their
/// encoding: the formats decode them (UTF-16 included) by one policy.
fn open_private(
    candidate: &Candidate,
    options: &InputOptions,
    private: bool,
) -> Result<Opened, IngestError> {
    let forced = options.forced();
    // A file that may be in a streamed format is first read only as far as detection needs.
    let (bytes, whole) = match candidate.path() {
        Some(path) if forced.is_none_or(Format::streams) => {
            let head = head(path)?;
            let whole = (head.len() as u64) < HEAD_BYTES;
            (head, whole)
        }
        _ => (read_bytes(candidate)?, true),
    };
    let format = match forced {
        Some(format) => format,
        None => recognise(&bytes, candidate)?,
    }
    .refine_by_name(&candidate.file_name());
    let (bytes, stream_from, copy) = match candidate.path() {
        Some(path) if !whole && format.streams() && private => {
            let copy = private_copy(path)?;
            // The format was recognised from the file's first bytes: the copy must begin so.
            if head(&copy)? != bytes {
                return Err(IngestError::Changed {
                    input: candidate.display.clone(),
                });
            }
            (bytes, Some(copy.to_path_buf()), Some(copy))
        }
        Some(path) if !whole && format.streams() => (bytes, Some(path.to_path_buf()), None),
        Some(path) if !whole => (read_whole(path, &candidate.display)?, None, None),
        _ => (bytes, None, None),
    };
    let companions = match candidate.path() {
        Some(path) => companions(format, path)?,
        None => Vec::new(),
    };
    Ok(Opened {
        format,
        input: Input {
            primary: InputFile {
                name: candidate.display.clone(),
                bytes,
                stream_from,
            },
            companions,
            options: options.parse_options(),
        },
        _copy: copy,
    })
}

/// Reads a candidate (and its companions), recognises or takes its format, and parses it.
pub fn read(candidate: &Candidate, options: &InputOptions) -> Result<ReadInput, IngestError> {
    read_held(candidate, options, None)
}

/// An input read whole and hashed by [`digests`], held so that its read parses the very bytes
/// hashed instead of reading and hashing its files again.
pub(crate) struct HeldRead {
    /// The input as opened, read whole.
    opened: Opened,
    /// The digest of each of its files, in the order of the provenance's inputs.
    inputs: Vec<InputDigest>,
}

/// [`read`] of the input `held` when given (what [`digests`] read and hashed of `candidate`
/// under the same `options`); else of the files, read again.
pub(crate) fn read_held(
    candidate: &Candidate,
    options: &InputOptions,
    held: Option<HeldRead>,
) -> Result<ReadInput, IngestError> {
    let (
        Opened {
            format,
            input,
            _copy,
        },
        inputs,
    ) = match held {
        Some(HeldRead { opened, inputs }) => (opened, inputs),
        None => {
            let opened = open_private(candidate, options, true)?;
            let inputs = digests_of(candidate, &opened)?;
            (opened, inputs)
        }
    };
    let mark = format.end_mark();
    let ends = match mark {
        Some(mark) => std::iter::once((candidate.display.clone(), &input.primary))
            .chain(input.companions.iter().map(|(_, f)| (f.name.clone(), f)))
            .map(|(display, file)| FileLines {
                display,
                lines: line_count(&file.bytes, Some(mark)),
            })
            .collect(),
        None => Vec::new(),
    };
    let parsed = format.parse(&input)?;
    let stdin_bytes = matches!(candidate.origin, Origin::Stdin).then_some(input.primary.bytes);
    Ok(ReadInput {
        parsed,
        provenance: provenance(format, inputs),
        stdin_bytes,
        ends,
    })
}

/// The digest of each file of `candidate` as `opened`: the primary's, then its companions'.
fn digests_of(candidate: &Candidate, opened: &Opened) -> Result<Vec<InputDigest>, IngestError> {
    let mark = opened.format.end_mark();
    let mut inputs = vec![digest(
        &recorded_name(candidate),
        &opened.input.primary,
        mark,
    )?];
    for (canonical, file) in &opened.input.companions {
        inputs.push(digest(canonical, file, mark)?);
    }
    Ok(inputs)
}

/// The provenance a read of `candidate` would record (its format and parser, and the digest of
/// each of its files, companions included), found without parsing it: what recognises an input
/// already recorded. A large file is hashed as it is read, never held whole; a file read whole
/// is held, for [`read_held`] to parse should the input need reading.
pub(crate) fn digests(
    candidate: &Candidate,
    options: &InputOptions,
) -> Result<(Provenance, Option<HeldRead>), IngestError> {
    let opened = open_private(candidate, options, false)?;
    let inputs = digests_of(candidate, &opened)?;
    let provenance = provenance(opened.format, inputs.clone());
    // Opened without a private copy, a file read whole is what the read opens; a streamed one
    // is not held: its read streams it again, from a private copy.
    let held = opened
        .input
        .primary
        .stream_from
        .is_none()
        .then_some(HeldRead { opened, inputs });
    Ok((provenance, held))
}

/// The format of a candidate that may be read one entry at a time ([`Format::streams_entries`]),
/// told from the file's first bytes; `None` for inputs that are not files and other formats.
pub(crate) fn streamed_format(
    candidate: &Candidate,
    options: &InputOptions,
) -> Result<Option<Format>, IngestError> {
    let Some(path) = candidate.path() else {
        return Ok(None);
    };
    let format = match options.forced() {
        Some(format) => format,
        None => match detect(&head(path)?) {
            Detection::Format(format) => format,
            _ => return Ok(None),
        },
    };
    Ok(format.streams_entries().then_some(format))
}

/// Reads a candidate one entry at a time into `sink`, when its format can and the file is large
/// enough to be streamed (see [`Format::parse_entries`]); `None` otherwise, or when the file
/// turns out to need a whole read: then use [`read`].
pub(crate) fn read_streamed(
    candidate: &Candidate,
    options: &InputOptions,
    format: Format,
    sink: &mut EntrySink,
) -> Result<Option<(StreamedSnapshot, Provenance)>, IngestError> {
    let Opened {
        format,
        input,
        _copy,
    } = open_private(candidate, &options.as_format(format), true)?;
    // Small files are held whole: read those the ordinary way.
    if !format.streams_entries() || input.primary.stream_from.is_none() {
        return Ok(None);
    }
    let inputs = vec![digest(
        &recorded_name(candidate),
        &input.primary,
        format.end_mark(),
    )?];
    let Some(streamed) = format.parse_entries(&input, sink)? else {
        return Ok(None);
    };
    Ok(Some((streamed, provenance(format, inputs))))
}
