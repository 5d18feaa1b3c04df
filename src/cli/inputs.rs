//! Finding and reading input files: paths in the order given, directories walked in
//! (publication date, path) order, `-` for standard input, companion files beside a primary.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use sha2::{Digest, Sha256};

use super::CliError;
use crate::formats::{Detection, Format, Input, InputFile, ParseOptions, Parsed, detect};
use crate::model::ListId;
use crate::store::{InputDigest, Provenance, manifest_sha256, sha256_hex};

/// How to read input files: the options `ingest` and `compare` share.
#[derive(clap::Args, Clone, Debug, Default)]
pub(crate) struct ReadArgs {
    /// Read the input as this format instead of recognising it (see `listdiff formats`)
    #[arg(long, value_name = "FMT", value_parser = parse_format)]
    pub(crate) format: Option<Format>,
    /// `--list`, which each command declares itself: for a format that names no list (csv,
    /// native-ndjson), the list id.
    #[arg(skip)]
    pub(crate) list: Option<ListId>,
    /// Plain CSV: the column that keys an entry; repeat for a composite key (implies --format csv)
    #[arg(long = "key", value_name = "COLUMN")]
    pub(crate) keys: Vec<String>,
    /// Plain CSV: fill the entry field FIELD from COLUMN (repeatable; e.g. --map name=Entity)
    #[arg(long = "map", value_name = "FIELD=COLUMN", value_parser = parse_mapping)]
    pub(crate) map: Vec<(String, String)>,
}

impl ReadArgs {
    /// The format to read as, when not recognised from content: `--format`, else `csv` when
    /// `--key` or `--map` is given.
    pub(crate) fn forced(&self) -> Option<Format> {
        self.format.or_else(|| {
            (!self.keys.is_empty() || !self.map.is_empty())
                .then(Format::for_key_and_map)
                .flatten()
        })
    }

    /// What the parsers need from the command line.
    fn options(&self) -> ParseOptions {
        ParseOptions {
            list: self.list.clone(),
            keys: self.keys.clone(),
            map: self.map.clone(),
        }
    }
}

/// Parses `--format`.
pub(crate) fn parse_format(text: &str) -> Result<Format, String> {
    Format::from_name(text).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        format!("unknown format {text:?}: use one of {}", names.join(", "))
    })
}

/// Parses `--map FIELD=COLUMN`.
fn parse_mapping(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((field, column)) if !field.trim().is_empty() && !column.trim().is_empty() => {
            Ok((field.trim().to_string(), column.trim().to_string()))
        }
        _ => Err(format!(
            "{text:?} is not FIELD=COLUMN (e.g. --map name=\"Entity Name\")"
        )),
    }
}

/// A file to read: named on the command line, found in a directory, or standard input.
#[derive(Clone, Debug)]
pub(crate) struct Candidate {
    /// The file, or `None` for standard input.
    pub(crate) path: Option<PathBuf>,
    /// How to name it in messages and as an event's source.
    pub(crate) display: String,
    /// Which command-line argument it came from (directories expand to several candidates).
    pub(crate) group: usize,
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

fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let entries = fs::read_dir(dir)
        .map_err(|e| CliError::Input(format!("cannot read directory {}: {e}", dir.display())))?;
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
            walk(&path, found)?;
        } else if !is_documentation(&name) {
            found.push(path);
        }
    }
    Ok(())
}

/// How much of a file format detection reads.
const HEAD_BYTES: u64 = 64 * 1024;

/// Reads at most the first [`HEAD_BYTES`] of a file, for format detection.
fn head(path: &Path) -> Result<Vec<u8>, CliError> {
    let mut file = fs::File::open(path).map_err(|e| read_error(path, e))?;
    let mut buffer = Vec::new();
    file.by_ref()
        .take(HEAD_BYTES)
        .read_to_end(&mut buffer)
        .map_err(|e| read_error(path, e))?;
    Ok(buffer)
}

fn read_error(path: &Path, e: std::io::Error) -> CliError {
    CliError::Input(format!("cannot read {}: {e}", path.display()))
}

/// Expands the command-line paths into candidates. Returns notes about skipped files.
pub(crate) fn gather(
    paths: &[String],
    forced: Option<Format>,
) -> Result<(Vec<Candidate>, Vec<String>), CliError> {
    let mut candidates = Vec::new();
    let mut notes = Vec::new();
    let mut stdin_seen = false;
    for (group, arg) in paths.iter().enumerate() {
        if arg == "-" {
            if stdin_seen {
                return Err(CliError::Input(
                    "standard input (-) can be read only once".into(),
                ));
            }
            stdin_seen = true;
            candidates.push(Candidate {
                path: None,
                display: "<stdin>".into(),
                group,
            });
            continue;
        }
        let path = PathBuf::from(arg);
        let meta = fs::metadata(&path).map_err(|e| read_error(&path, e))?;
        if !meta.is_dir() {
            candidates.push(Candidate {
                path: Some(path),
                display: arg.clone(),
                group,
            });
            continue;
        }
        let mut found = Vec::new();
        walk(&path, &mut found)?;
        let mut skipped = Vec::new();
        for file in found {
            let detection = match forced {
                Some(format) => Detection::Format(format),
                None => detect(&head(&file)?),
            };
            match detection {
                Detection::Format(_) => candidates.push(Candidate {
                    display: file.display().to_string(),
                    path: Some(file),
                    group,
                }),
                // An empty file in a directory is a failed download (or an OpenSanctions delta
                // with no changes): it states nothing, so it is skipped, never read as a list
                // with every entry removed. Named on its own, it is an error.
                Detection::Empty => notes.push(format!(
                    "skipped {}: the file is empty (0 bytes or only white space); nothing to record",
                    file.display()
                )),
                Detection::Companion(_) if has_primary_beside(&file) => {}
                Detection::Companion(name) => notes.push(format!(
                    "skipped {}: an OFAC companion file ({name}) with no sdn.csv beside it",
                    file.display()
                )),
                Detection::Unknown => skipped.push(file.display().to_string()),
            }
        }
        if !skipped.is_empty() {
            notes.push(format!(
                "skipped {} that {} not a recognised publication format: {}",
                if skipped.len() == 1 {
                    "1 file".to_string()
                } else {
                    format!("{} files", skipped.len())
                },
                if skipped.len() == 1 { "is" } else { "are" },
                skipped.join(", ")
            ));
        }
    }
    Ok((candidates, notes))
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
pub(crate) struct ReadInput {
    /// What was parsed.
    pub(crate) parsed: Parsed,
    /// The digests of the files read, and the format and parser.
    pub(crate) provenance: Provenance,
    /// For standard input, the exact bytes read (they cannot be read again to be archived).
    pub(crate) stdin_bytes: Option<Vec<u8>>,
}

fn read_bytes(candidate: &Candidate) -> Result<Vec<u8>, CliError> {
    match &candidate.path {
        None => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| CliError::Input(format!("cannot read standard input: {e}")))?;
            Ok(bytes)
        }
        Some(path) => fs::read(path).map_err(|e| read_error(path, e)),
    }
}

/// Finds the companion files of `primary` in its directory (names matched ignoring case).
fn companions(format: Format, primary: &Path) -> Result<Vec<(String, InputFile)>, CliError> {
    let mut found = Vec::new();
    for (canonical_name, path) in companion_paths(format, primary)? {
        let bytes = fs::read(&path).map_err(|e| read_error(&path, e))?;
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
pub(crate) fn companion_paths(
    format: Format,
    primary: &Path,
) -> Result<Vec<(String, PathBuf)>, CliError> {
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
        .map_err(|e| CliError::Input(format!("cannot read directory {}: {e}", dir.display())))?
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

fn digest(name: &str, file: &InputFile) -> Result<InputDigest, CliError> {
    let Some(path) = &file.stream_from else {
        return Ok(InputDigest {
            name: name.to_string(),
            sha256: sha256_hex(&file.bytes),
            bytes: file.bytes.len() as u64,
        });
    };
    // A streamed file is hashed as it is read, never held whole.
    let mut reader = fs::File::open(path).map_err(|e| read_error(path, e))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buffer).map_err(|e| read_error(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        total += n as u64;
    }
    Ok(InputDigest {
        name: name.to_string(),
        sha256: hex::encode(hasher.finalize()),
        bytes: total,
    })
}

/// Reads a candidate and its companions and recognises (or takes) its format, without parsing.
pub(crate) fn open(candidate: &Candidate, read: &ReadArgs) -> Result<(Format, Input), CliError> {
    open_noting_transcoding(candidate, read).map(|(format, input, _)| (format, input))
}

/// UTF-16 text (told by its byte-order mark) as UTF-8, so every parser reads one encoding;
/// `None` for anything else.
fn utf16_to_utf8(bytes: &[u8]) -> Option<Vec<u8>> {
    let (encoding, _) = encoding_rs::Encoding::for_bom(bytes)?;
    if encoding == encoding_rs::UTF_8 {
        return None;
    }
    let (text, _, _) = encoding.decode(bytes);
    Some(text.into_owned().into_bytes())
}

/// [`open`], also returning the primary file's original bytes when those held were transcoded
/// from UTF-16 (its digest is of the bytes published).
fn open_noting_transcoding(
    candidate: &Candidate,
    read: &ReadArgs,
) -> Result<(Format, Input, Option<Vec<u8>>), CliError> {
    let forced = read.forced();
    // A file that may be in a streamed format is first read only as far as detection needs.
    let (bytes, whole) = match &candidate.path {
        Some(path) if forced.is_none_or(Format::streams) => {
            let head = head(path)?;
            let whole = (head.len() as u64) < HEAD_BYTES;
            (head, whole)
        }
        _ => (read_bytes(candidate)?, true),
    };
    let (bytes, whole, original) = match utf16_to_utf8(&bytes) {
        None => (bytes, whole, None),
        Some(_) if !whole => {
            let all = read_bytes(candidate)?;
            (utf16_to_utf8(&all).unwrap_or_default(), true, Some(all))
        }
        Some(text) => (text, true, Some(bytes)),
    };
    let file_name = candidate
        .path
        .as_ref()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let format = match forced {
        Some(format) => format,
        None => match detect(&bytes) {
            Detection::Format(format) => format,
            Detection::Empty => {
                return Err(CliError::Input(format!(
                    "{}: the file is empty (0 bytes or only white space): a failed download? Nothing was recorded",
                    candidate.display
                )));
            }
            Detection::Companion(name) => {
                return Err(CliError::Input(format!(
                    "{}: this is an OFAC companion file ({name}); ingest the sdn.csv beside it, which reads its companions",
                    candidate.display
                )));
            }
            Detection::Unknown => {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                return Err(CliError::Input(format!(
                    "{}: unknown format: not one listdiff recognises ({}); see `listdiff formats`, or give --format",
                    candidate.display,
                    names.join(", ")
                )));
            }
        },
    }
    .refine_by_name(&file_name);
    let (bytes, stream_from) = match &candidate.path {
        Some(path) if !whole && format.streams() => (bytes, Some(path.clone())),
        Some(path) if !whole => (fs::read(path).map_err(|e| read_error(path, e))?, None),
        _ => (bytes, None),
    };
    let companions = match &candidate.path {
        Some(path) => companions(format, path)?,
        None => Vec::new(),
    };
    Ok((
        format,
        Input {
            primary: InputFile {
                name: candidate.display.clone(),
                bytes,
                stream_from,
            },
            companions,
            options: read.options(),
        },
        original,
    ))
}

/// The name a candidate's digest records: its file name, or how it is shown (standard input).
fn recorded_name(candidate: &Candidate) -> String {
    candidate
        .path
        .as_ref()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| candidate.display.clone())
}

/// Provenance of a read: the files' digests, the format and the parser.
fn provenance(format: Format, inputs: Vec<InputDigest>) -> Provenance {
    Provenance {
        sha256: manifest_sha256(&inputs),
        inputs,
        format: format.name().to_string(),
        parser: parser_name(format),
    }
}

/// The program and parser that read `format`, as events record them.
pub(crate) fn parser_name(format: Format) -> String {
    format!(
        "listdiff {} {}/{}",
        env!("CARGO_PKG_VERSION"),
        format.name(),
        format.parser_version()
    )
}

/// Parses an archived input the way [`read`] parsed the original: the primary file's exact
/// bytes (transcoded from UTF-16 as then) with its companions, in `format`, with `options`.
pub(crate) fn parse_archived(
    format: Format,
    (primary_name, primary_bytes): (String, Vec<u8>),
    companions: Vec<(String, Vec<u8>)>,
    options: ParseOptions,
) -> Result<Parsed, crate::formats::FormatError> {
    let bytes = utf16_to_utf8(&primary_bytes).unwrap_or(primary_bytes);
    let input = Input {
        primary: InputFile {
            name: primary_name,
            bytes,
            stream_from: None,
        },
        companions: companions
            .into_iter()
            .map(|(name, bytes)| {
                (
                    name.clone(),
                    InputFile {
                        name,
                        bytes,
                        stream_from: None,
                    },
                )
            })
            .collect(),
        options,
    };
    format.parse(&input)
}

/// Reads a candidate (and its companions), recognises or takes its format, and parses it.
pub(crate) fn read(candidate: &Candidate, read: &ReadArgs) -> Result<ReadInput, CliError> {
    let (format, input, original) = open_noting_transcoding(candidate, read)?;
    let file_name = recorded_name(candidate);
    // The digest is of the bytes published, not of their UTF-8 transcoding.
    let published = original.map(|bytes| InputFile {
        bytes,
        ..InputFile::default()
    });
    let mut inputs = vec![digest(
        &file_name,
        published.as_ref().unwrap_or(&input.primary),
    )?];
    for (canonical, file) in &input.companions {
        inputs.push(digest(canonical, file)?);
    }
    let parsed = format.parse(&input)?;
    let stdin_bytes = candidate
        .path
        .is_none()
        .then(|| published.map_or(input.primary.bytes, |original| original.bytes));
    Ok(ReadInput {
        parsed,
        provenance: provenance(format, inputs),
        stdin_bytes,
    })
}

/// The format of a candidate that may be read one entry at a time ([`Format::streams_entries`]),
/// told from the file's first bytes; `None` for standard input and other formats.
pub(crate) fn streamed_format(
    candidate: &Candidate,
    read: &ReadArgs,
) -> Result<Option<Format>, CliError> {
    let Some(path) = &candidate.path else {
        return Ok(None);
    };
    let format = match read.forced() {
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
    read: &ReadArgs,
    format: Format,
    sink: &mut crate::formats::EntrySink,
) -> Result<Option<(crate::formats::StreamedSnapshot, Provenance)>, CliError> {
    let forced = ReadArgs {
        format: Some(format),
        ..read.clone()
    };
    let (format, input, original) = open_noting_transcoding(candidate, &forced)?;
    // Small files are held whole, UTF-16 ones transcoded: read those the ordinary way.
    if !format.streams_entries() || input.primary.stream_from.is_none() || original.is_some() {
        return Ok(None);
    }
    let inputs = vec![digest(&recorded_name(candidate), &input.primary)?];
    let Some(streamed) = format.parse_entries(&input, sink)? else {
        return Ok(None);
    };
    Ok(Some((streamed, provenance(format, inputs))))
}

/// The last `YYYY-MM-DD` in `text` that is a real date.
pub(crate) fn date_in_path(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(9)).rev().find_map(|start| {
        let window = bytes.get(start..start + 10)?;
        let shape = window.iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
        let bounded = |i: Option<usize>| {
            i.and_then(|i| bytes.get(i))
                .is_none_or(|b| !b.is_ascii_digit())
        };
        if shape && bounded(start.checked_sub(1)) && bounded(Some(start + 10)) {
            crate::model::text::parse_date(std::str::from_utf8(window).ok()?)
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_found_in_paths() {
        assert_eq!(
            date_in_path("sdn/2024-03-04/sdn.csv"),
            Some("2024-03-04".parse().unwrap())
        );
        assert_eq!(
            date_in_path("h/2021-01-01/2022-02-25T015029Z_sdn.csv"),
            Some("2022-02-25".parse().unwrap())
        );
        assert_eq!(date_in_path("x/2024-13-45/sdn.csv"), None);
        assert_eq!(date_in_path("x/12024-01-01/a"), None);
        assert_eq!(date_in_path("sdn.csv"), None);
    }
}
