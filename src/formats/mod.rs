//! Publisher formats: bytes in, publications out. One file per format.
//!
//! Formats are recognised by content, never by file name ([`detect`]). A parser reads one
//! [`Input`] (a primary file and, for formats that have them, companion files beside it) and
//! returns the publications it states, normalised, with the date the file itself states if any.

mod csl;
mod native;
mod ofac_csv;
mod sniff;

use std::fmt;

use chrono::NaiveDate;

use crate::model::{ListId, PublicationContent};

pub use sniff::{Detection, detect};

/// A publisher format listdiff can read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// listdiff's own JSON: one publication per file, snapshot or amendment.
    Native,
    /// trade.gov Consolidated Screening List, `consolidated.csv` (with or without `_id`).
    CslCsv,
    /// trade.gov Consolidated Screening List, `consolidated.json` (`{"results": [...]}`).
    CslJson,
    /// OFAC SDN legacy CSV: `sdn.csv` with `alt.csv`, `add.csv`, `sdn_comments.csv` beside it.
    OfacSdnCsv,
}

impl Format {
    /// Every format, in the order `listdiff formats` lists them.
    pub const ALL: [Format; 4] = [
        Format::Native,
        Format::CslCsv,
        Format::CslJson,
        Format::OfacSdnCsv,
    ];

    /// The name used by `--format` and recorded in events.
    pub fn name(self) -> &'static str {
        match self {
            Format::Native => "native",
            Format::CslCsv => "csl-csv",
            Format::CslJson => "csl-json",
            Format::OfacSdnCsv => "ofac-sdn-csv",
        }
    }

    /// The format called `name`, if any.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The parser's version: bumped whenever the same bytes would give different content.
    pub fn parser_version(self) -> u32 {
        1
    }

    /// One line on what the format is.
    pub fn description(self) -> &'static str {
        match self {
            Format::Native => "listdiff native JSON publication (snapshot or amendment)",
            Format::CslCsv => "trade.gov Consolidated Screening List consolidated.csv",
            Format::CslJson => "trade.gov Consolidated Screening List consolidated.json",
            Format::OfacSdnCsv => {
                "OFAC SDN legacy CSV (sdn.csv + alt.csv, add.csv, sdn_comments.csv)"
            }
        }
    }

    /// The list ids the format produces.
    pub fn list_ids(self) -> &'static str {
        match self {
            Format::Native => "as stated in the file (\"list\")",
            Format::CslCsv | Format::CslJson => {
                "us-csl-<source abbreviation>, one per source list (us-csl-el, us-csl-sdn, …)"
            }
            Format::OfacSdnCsv => "us-ofac-sdn",
        }
    }

    /// The entry key the format uses.
    pub fn key(self) -> &'static str {
        match self {
            Format::Native => "id",
            Format::CslCsv => {
                "_id; without it entity_number, else a hash of source, name and first FR notice (and addresses if that collides)"
            }
            Format::CslJson => {
                "id; without it entity_number, else a hash of source, name and first FR notice (and addresses if that collides)"
            }
            Format::OfacSdnCsv => "ent_num",
        }
    }

    /// The publisher fields that become the reason fields.
    pub fn reason_fields(self) -> &'static str {
        match self {
            Format::Native => "programs, reason, license_requirement, license_policy, citations",
            Format::CslCsv | Format::CslJson => {
                "programs, remarks → reason, license_requirement, license_policy, federal_register_notice → citations"
            }
            Format::OfacSdnCsv => "Program → programs, Remarks (+ sdn_comments.csv) → reason",
        }
    }

    /// Names of the companion files to read beside a primary file called `primary_name`
    /// (matched case-insensitively in the same directory).
    pub fn companion_names(self, primary_name: &str) -> Vec<String> {
        match self {
            Format::OfacSdnCsv => ofac_csv::companion_names(primary_name),
            _ => Vec::new(),
        }
    }

    /// Reads one input.
    pub fn parse(self, input: &Input) -> Result<Parsed, FormatError> {
        let publications = match self {
            Format::Native => native::parse(input)?,
            Format::CslCsv => csl::parse_csv(input)?,
            Format::CslJson => csl::parse_json(input)?,
            Format::OfacSdnCsv => ofac_csv::parse(input)?,
        };
        Ok(Parsed {
            format: self,
            publications: publications.0,
            warnings: publications.1,
        })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Reads two inputs of the same format keeping only the records that differ between them, when
/// the format can tell an unchanged record by its bytes (CSL CSV with `_id`); `None` when it
/// cannot, or when anything is unusual: then read both in full, which gives the same
/// difference and explains any problem. The publications returned hold only the differing
/// entries, so they serve for comparing, never for recording.
pub fn parse_differing(format: Format, old: &Input, new: &Input) -> Option<(Parsed, Parsed)> {
    if format != Format::CslCsv {
        return None;
    }
    let (a, b) = std::thread::scope(|scope| {
        let a = scope.spawn(|| csl::keyed_rows(&old.primary.bytes));
        let b = csl::keyed_rows(&new.primary.bytes);
        (a.join().ok().flatten(), b)
    });
    let (a, b) = (a?, b?);
    if a.header != b.header {
        return None;
    }
    let narrowed = |this: &csl::KeyedRows, other: &csl::KeyedRows, name: &str| {
        let mut bytes = this.header.to_vec();
        let mut any = false;
        for (key, raw) in &this.rows {
            if other.rows.get(key) != Some(raw) {
                bytes.extend_from_slice(raw);
                any = true;
            }
        }
        if !any {
            return Some(Parsed {
                format,
                publications: Vec::new(),
                warnings: Vec::new(),
            });
        }
        format.parse(&Input::single(name, bytes)).ok()
    };
    Some((
        narrowed(&a, &b, &old.primary.name)?,
        narrowed(&b, &a, &new.primary.name)?,
    ))
}

/// The bytes of one file and the name to show for it in messages.
#[derive(Clone, Debug)]
pub struct InputFile {
    /// The path as the user gave it (or `<stdin>`).
    pub name: String,
    /// The exact bytes read.
    pub bytes: Vec<u8>,
}

/// One input: a primary file and the companion files found beside it.
#[derive(Clone, Debug)]
pub struct Input {
    /// The file that was named or found.
    pub primary: InputFile,
    /// Companion files, keyed by their canonical lower-case name (`alt.csv`, …).
    pub companions: Vec<(String, InputFile)>,
}

impl Input {
    /// An input with no companions.
    pub fn single(name: impl Into<String>, bytes: Vec<u8>) -> Input {
        Input {
            primary: InputFile {
                name: name.into(),
                bytes,
            },
            companions: Vec::new(),
        }
    }

    /// The companion with canonical name `name`, if present.
    pub fn companion(&self, name: &str) -> Option<&InputFile> {
        self.companions
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, f)| f)
    }
}

/// A publication as the file states it, before its date is resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedPublication {
    /// The list it belongs to.
    pub list: ListId,
    /// The publication date the file itself states, if it states one.
    pub stated_date: Option<NaiveDate>,
    /// The citation or source the file states, if any (otherwise the file name is used).
    pub source: Option<String>,
    /// The normalised content.
    pub content: PublicationContent,
}

/// Everything read from one input.
#[derive(Clone, Debug)]
pub struct Parsed {
    /// The format that was read.
    pub format: Format,
    /// One publication per list the input holds.
    pub publications: Vec<ParsedPublication>,
    /// Things the user should know that did not stop the read (merged duplicate rows, …),
    /// each starting with the file name and, where it helps, the line.
    pub warnings: Vec<String>,
}

/// Where in a file a problem is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// The file as a whole.
    File,
    /// A 1-based line.
    Line(u64),
    /// A 1-based line and column.
    LineColumn(u64, u64),
    /// A record: its 1-based number among the file's records and, when known, its line.
    Record {
        /// 1-based record number.
        number: u64,
        /// 1-based line where the record starts.
        line: Option<u64>,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File => Ok(()),
            Location::Line(line) => write!(f, ":{line}"),
            Location::LineColumn(line, column) => write!(f, ":{line}:{column}"),
            Location::Record {
                number,
                line: Some(line),
            } => write!(f, ":{line} (record {number})"),
            Location::Record { number, line: None } => write!(f, " (record {number})"),
        }
    }
}

/// Why an input cannot be read: says which file, where in it, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}{location}: {message}")]
pub struct FormatError {
    /// The file, as the user named it.
    pub file: String,
    /// Where in the file.
    pub location: Location,
    /// What is wrong and, where it helps, what to do.
    pub message: String,
}

impl FormatError {
    /// An error about `file` at `location`.
    pub fn new(file: &str, location: Location, message: impl Into<String>) -> FormatError {
        FormatError {
            file: file.to_string(),
            location,
            message: message.into(),
        }
    }
}

/// Where a serde_json error is, and its text without serde_json's own " at line L column C".
pub(crate) fn json_error_parts(error: &serde_json::Error) -> (Location, String) {
    let location = if error.line() == 0 {
        Location::File
    } else {
        Location::LineColumn(error.line() as u64, error.column() as u64)
    };
    let text = error.to_string();
    let text = match text.rfind(" at line ") {
        Some(at) => text.get(..at).unwrap_or(&text).to_string(),
        None => text,
    };
    (location, text)
}

/// Strips a UTF-8 byte-order mark.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Decodes text that should be UTF-8 but may be Latin-1 (Windows-1252): UTF-8 when valid.
pub(crate) fn decode_text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}

/// Parses a `YYYY-MM-DD` date.
pub(crate) fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    crate::model::text::parse_date(text)
}

/// Maps a model error about record `index` (0-based) to a located format error.
pub(crate) fn record_error(
    file: &str,
    error: crate::model::ModelError,
    line_of: impl Fn(usize) -> Option<u64>,
) -> FormatError {
    use crate::model::ModelError;
    match error {
        ModelError::InvalidRecord { index, source } => FormatError::new(
            file,
            Location::Record {
                number: index as u64 + 1,
                line: line_of(index),
            },
            source.to_string(),
        ),
        ModelError::DuplicateId { id, first, second } => FormatError::new(
            file,
            Location::Record {
                number: second as u64 + 1,
                line: line_of(second),
            },
            format!(
                "duplicate id \"{id}\": record {} has it too{}; ids must be unique within a publication",
                first + 1,
                line_of(first)
                    .map(|l| format!(" (line {l})"))
                    .unwrap_or_default()
            ),
        ),
        other => FormatError::new(file, Location::File, other.to_string()),
    }
}

#[cfg(test)]
mod robustness {
    use super::*;
    use proptest::prelude::*;

    const SAMPLES: [&[u8]; 4] = [
        br#"{"list": "l", "published": "2024-12-01", "kind": "snapshot", "entries": [{"id": "a", "name": "A", "countries": ["China"], "extra": {"x": [1, {"y": "z"}]}}]}"#,
        b"_id,source,name,addresses,federal_register_notice,start_date\n\"1\",\"Entity List (EL) - Bureau\",\"Acme\",\"1 Road, Town, CN\",\"89 FR 1\",\"2024-01-02\"\n",
        br#"{"results": [{"id": "1", "source": "Entity List (EL) - B", "name": "A", "addresses": [{"address": "x", "country": "CN"}]}]}"#,
        b"36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA] [SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"a.k.a. 'X'.\"\r\n\x1a",
    ];

    fn parse_everything(bytes: &[u8]) {
        let _ = detect(bytes);
        let mut input = Input::single("fuzz", bytes.to_vec());
        input.companions = vec![
            (
                "alt.csv".into(),
                InputFile {
                    name: "alt.csv".into(),
                    bytes: bytes.to_vec(),
                },
            ),
            (
                "add.csv".into(),
                InputFile {
                    name: "add.csv".into(),
                    bytes: bytes.to_vec(),
                },
            ),
            (
                "sdn_comments.csv".into(),
                InputFile {
                    name: "sdn_comments.csv".into(),
                    bytes: bytes.to_vec(),
                },
            ),
        ];
        for format in Format::ALL {
            let _ = format.parse(&input);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        /// No input makes a parser panic: random bytes.
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            parse_everything(&bytes);
        }

        /// No input makes a parser panic: valid files with bytes changed, cut or repeated.
        #[test]
        fn damaged_files_never_panic(
            sample in 0..SAMPLES.len(),
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut bytes = SAMPLES[sample].to_vec();
            for (at, byte) in edits {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
            parse_everything(&bytes);
            let end = cut.index(bytes.len() + 1);
            parse_everything(&bytes[..end]);
        }
    }
}
