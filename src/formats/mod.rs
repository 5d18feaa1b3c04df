//! Publisher formats: bytes in, publications out. One file per format.
//!
//! Formats are recognised by content, never by file name ([`detect`]). A parser reads one
//! [`Input`] (a primary file and, for formats that have them, companion files beside it) and
//! returns the publications it states, normalised, with the date the file itself states if any.
//!
//! Every format reads its bytes through the shared reading layer (`read`: one decoding policy,
//! one XML reader, one CSV reader), its dates through `dates` and names its `extra` keys by one
//! rule (`naming`); no format module imports another. Each format describes itself in a
//! `registry::FormatDescriptor`, listed once in the registry (`docs/adding-a-format.md`).

mod bis_dpl;
mod csl;
mod dates;
mod dhs_uflpa_html;
mod ecfr;
mod entity_list;
mod eu_fsf;
mod federal_register;
mod naming;
mod native;
mod ofac;
mod opensanctions;
mod plain_csv;
pub(crate) mod read;
mod registry;
mod sniff;
mod uk;
mod un;

use std::fmt;
use std::io::BufRead;
use std::path::PathBuf;

use chrono::NaiveDate;

use crate::model::{ListId, PublicationContent};

pub use read::csv::Delimiter;
pub use read::limits;
use registry::{Entries, FormatDescriptor};
pub use sniff::{Detection, detect};

/// A publisher format listdiff can read: a cheap handle on its descriptor in the registry.
#[derive(Clone, Copy)]
pub struct Format(&'static FormatDescriptor);

impl Format {
    /// Every format, in the order `listdiff formats` lists them (the registry's).
    pub const ALL: [Format; registry::REGISTRY.len()] = {
        let mut all = [registry::REGISTRY[0]; registry::REGISTRY.len()];
        let mut i = 1;
        while i < all.len() {
            all[i] = registry::REGISTRY[i];
            i += 1;
        }
        all
    };

    /// The name used by `--format` and recorded in events.
    pub fn name(self) -> &'static str {
        self.0.name
    }

    /// The format called `name`, if any.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// The format `--key` and `--map` imply: the one that takes its key columns and field
    /// mapping from them.
    pub fn for_key_and_map() -> Option<Format> {
        Format::ALL
            .iter()
            .copied()
            .find(|f| f.0.capabilities.key_and_map_from_options)
    }

    /// The parser's version: bumped whenever the same bytes would give different content.
    pub fn parser_version(self) -> u32 {
        self.0.parser_version
    }

    /// One line on what the format is.
    pub fn description(self) -> &'static str {
        self.0.description
    }

    /// The list ids the format produces.
    pub fn list_ids(self) -> &'static str {
        self.0.list_ids
    }

    /// The entry key the format uses.
    pub fn key(self) -> &'static str {
        self.0.key
    }

    /// The publisher fields that become the reason fields.
    pub fn reason_fields(self) -> &'static str {
        self.0.reason_fields
    }

    /// True for formats whose files can be large (the 100 MB-class XML): they are parsed from
    /// a stream ([`InputFile::reader`]) and never held in memory whole.
    pub fn streams(self) -> bool {
        self.0.capabilities.streams
    }

    /// The format a file recognised by content as `self` is, given its name: the OFAC legacy
    /// CSV layout is the same for the SDN list and the non-SDN consolidated list, whose primary
    /// file is called `cons_prim.csv`.
    pub fn refine_by_name(self, file_name: &str) -> Format {
        self.0
            .capabilities
            .refine_by_name
            .and_then(|refine| refine(file_name))
            .unwrap_or(self)
    }

    /// True for formats that can give a snapshot's entries one at a time
    /// ([`Format::parse_entries`]), so that a large file is recorded without holding its list.
    pub fn streams_entries(self) -> bool {
        self.streams() && !matches!(self.0.capabilities.entries, Entries::Whole)
    }

    /// True for formats whose [`Format::parse_entries`] reads the file one record at a time
    /// (others read it whole first, joining records across the file).
    pub fn reads_records(self) -> bool {
        matches!(self.0.capabilities.entries, Entries::RecordByRecord(_))
    }

    /// True for formats whose files are deltas of a feed published several times a day
    /// (OpenSanctions' `entities.delta.json`): one ingest merges a list's deltas of one date
    /// into one amendment, applied in file order.
    pub fn is_delta_feed(self) -> bool {
        self.0.capabilities.delta_feed
    }

    /// Reads a one-list snapshot one entry at a time: each entry, normalised, goes to `sink` as
    /// it is read. `Ok(None)` when this input cannot be read so (a format that cannot stream,
    /// or a file whose records must be merged): read it with [`Format::parse`]. The sink sees
    /// every entry once; ids it has seen before are the caller's to refuse.
    pub fn parse_entries(
        self,
        input: &Input,
        sink: &mut EntrySink,
    ) -> Result<Option<StreamedSnapshot>, FormatError> {
        if !self.streams_entries() {
            return Ok(None);
        }
        let mut cleaner = IdCleaner::new(&input.primary.name);
        let mut cleaning_sink = |mut entry: crate::model::Entry| {
            cleaner.clean_entry_id(&mut entry.id)?;
            sink(entry)
        };
        let streamed = self.stream_entries(input, &mut cleaning_sink)?;
        let warnings = cleaner.finish();
        Ok(streamed.map(|mut streamed| {
            streamed.warnings.extend(warnings);
            streamed
        }))
    }

    /// [`Format::parse_entries`] before the ids are cleaned.
    fn stream_entries(
        self,
        input: &Input,
        sink: &mut EntrySink,
    ) -> Result<Option<StreamedSnapshot>, FormatError> {
        match self.0.capabilities.entries {
            Entries::Whole => Ok(None),
            Entries::Streamed(parse_entries) | Entries::RecordByRecord(parse_entries) => {
                parse_entries(input, sink)
            }
            Entries::AfterWholeRead => {
                // Read whole (these formats join records across the file), then hand the
                // entries over one at a time, each freed as it goes.
                let mut parsed = self.parse(input)?;
                if parsed.publications.len() != 1 {
                    return Ok(None);
                }
                let Some(publication) = parsed.publications.pop() else {
                    return Ok(None);
                };
                let PublicationContent::Snapshot(entries) = publication.content else {
                    return Ok(None);
                };
                let count = entries.len();
                for entry in entries {
                    sink(entry)?;
                }
                Ok(Some(StreamedSnapshot {
                    list: publication.list,
                    stated_date: publication.stated_date,
                    stated_date_text: publication.stated_date_text,
                    warnings: parsed.warnings,
                    entries: count,
                }))
            }
        }
    }

    /// Names of the companion files to read beside a primary file called `primary_name`
    /// (matched case-insensitively in the same directory), in the order of
    /// [`Format::companion_keys`].
    pub fn companion_names(self, primary_name: &str) -> Vec<String> {
        self.0
            .capabilities
            .companions
            .map(|companions| (companions.names)(primary_name))
            .unwrap_or_default()
    }

    /// The names companion files are known by in [`Input::companions`] (`alt.csv`, …), in
    /// reading order; empty for formats without companions.
    pub fn companion_keys(self) -> &'static [&'static str] {
        self.0
            .capabilities
            .companions
            .map_or(&[], |companions| companions.keys)
    }

    /// The byte the publisher ends every file of this format with (OFAC's legacy CSV: 0x1A),
    /// companions included; `None` for formats without such a mark.
    pub fn end_mark(self) -> Option<u8> {
        self.0.capabilities.end_mark
    }

    /// True for formats that read their files whole, into memory: they refuse a file larger
    /// than [`limits::MAX_WHOLE_FILE_BYTES`] (so should a caller, before reading it).
    pub fn reads_whole(self) -> bool {
        !self.streams()
    }

    /// Reads one input.
    pub fn parse(self, input: &Input) -> Result<Parsed, FormatError> {
        if self.reads_whole() {
            let files =
                std::iter::once(&input.primary).chain(input.companions.iter().map(|(_, f)| f));
            for file in files {
                if file.bytes.len() as u64 > limits::MAX_WHOLE_FILE_BYTES {
                    return Err(read::text::too_large(&file.name));
                }
            }
        }
        let (mut publications, mut warnings) = (self.0.parse)(input)?;
        let mut cleaner = IdCleaner::new(&input.primary.name);
        for publication in &mut publications {
            cleaner.clean_content(&mut publication.content)?;
        }
        warnings.extend(cleaner.finish());
        Ok(Parsed {
            format: self,
            publications,
            warnings,
        })
    }

    /// The format's position in [`Format::ALL`].
    fn position(self) -> usize {
        Format::ALL
            .iter()
            .position(|f| *f == self)
            .unwrap_or(usize::MAX)
    }
}

impl PartialEq for Format {
    fn eq(&self, other: &Format) -> bool {
        self.name() == other.name()
    }
}

impl Eq for Format {}

impl std::hash::Hash for Format {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name().hash(state);
    }
}

impl PartialOrd for Format {
    fn partial_cmp(&self, other: &Format) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Formats are ordered as `listdiff formats` lists them.
impl Ord for Format {
    fn cmp(&self, other: &Format) -> std::cmp::Ordering {
        self.position().cmp(&other.position())
    }
}

impl fmt::Debug for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Format({:?})", self.name())
    }
}

/// Receives the entries of a snapshot read one at a time, each normalised.
pub type EntrySink<'a> = dyn FnMut(crate::model::Entry) -> Result<(), FormatError> + 'a;

/// A snapshot read one entry at a time ([`Format::parse_entries`]): everything but its
/// entries, which went to the sink.
#[derive(Clone, Debug)]
pub struct StreamedSnapshot {
    /// The list it belongs to.
    pub list: ListId,
    /// The publication date the file states, if any.
    pub stated_date: Option<NaiveDate>,
    /// That date exactly as the file writes it.
    pub stated_date_text: Option<String>,
    /// Things the user should know that did not stop the read.
    pub warnings: Vec<String>,
    /// How many entries went to the sink.
    pub entries: usize,
}

/// What a format parser returns: the publications and the warnings.
pub(crate) type ParseResult = Result<(Vec<ParsedPublication>, Vec<String>), FormatError>;

/// Settings from the command line that some formats need (the plain CSV's key and mapping,
/// the list id of formats that do not state one).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// `--list`: the list id, for formats that state none (plain CSV, native NDJSON).
    pub list: Option<ListId>,
    /// `--key COL`, in order: the columns whose values make the entry id.
    pub keys: Vec<String>,
    /// `--map field=COLUMN`: which column fills which entry field.
    pub map: Vec<(String, String)>,
    /// `--delimiter`: the plain CSV's field delimiter; `None`: told from the header.
    pub delimiter: Option<Delimiter>,
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
    let keyed_rows = format.0.capabilities.keyed_rows?;
    let (a, b) = std::thread::scope(|scope| {
        let a = scope.spawn(|| keyed_rows(&old.primary.bytes));
        let b = keyed_rows(&new.primary.bytes);
        (a.join().ok().flatten(), b)
    });
    let (a, b) = (a?, b?);
    if a.header != b.header {
        return None;
    }
    let narrowed = |this: &registry::KeyedRows, other: &registry::KeyedRows, name: &str| {
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

/// One file of an input and the name to show for it in messages.
#[derive(Clone, Debug, Default)]
pub struct InputFile {
    /// The path as the user gave it (or `<stdin>`).
    pub name: String,
    /// The exact bytes read; when `stream_from` is set, only the file's first bytes (for
    /// recognising the format).
    pub bytes: Vec<u8>,
    /// The file to stream, for formats that stream ([`Format::streams`]); `None` when `bytes`
    /// holds the whole file.
    pub stream_from: Option<PathBuf>,
}

impl InputFile {
    /// A reader over the whole file: the file itself when streamed, else the bytes held.
    pub fn reader(&self) -> Result<Box<dyn BufRead + '_>, FormatError> {
        match &self.stream_from {
            None => Ok(Box::new(&self.bytes[..])),
            Some(path) => {
                let file = std::fs::File::open(path).map_err(|e| {
                    FormatError::new(&self.name, Location::File, format!("cannot read: {e}"))
                })?;
                Ok(Box::new(std::io::BufReader::with_capacity(
                    256 * 1024,
                    file,
                )))
            }
        }
    }
}

/// One input: a primary file and the companion files found beside it.
#[derive(Clone, Debug, Default)]
pub struct Input {
    /// The file that was named or found.
    pub primary: InputFile,
    /// Companion files, keyed by their canonical lower-case name (`alt.csv`, …).
    pub companions: Vec<(String, InputFile)>,
    /// Settings from the command line.
    pub options: ParseOptions,
}

impl Input {
    /// An input with no companions.
    pub fn single(name: impl Into<String>, bytes: Vec<u8>) -> Input {
        Input {
            primary: InputFile {
                name: name.into(),
                bytes,
                stream_from: None,
            },
            companions: Vec::new(),
            options: ParseOptions::default(),
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
    /// The date exactly as the file writes it (`04/06/2018`, `2020-11-23T19:10:17.6-05:00`),
    /// when `stated_date` was read from it.
    pub stated_date_text: Option<String>,
    /// The citation or source the file states, if any (otherwise the file name is used).
    pub source: Option<String>,
    /// The normalised content.
    pub content: PublicationContent,
    /// For a file whose columns the user chose (the plain CSV): its columns and the fields
    /// they fill, so that a column added or removed between two files is one column change.
    pub columns: Option<Vec<crate::model::Column>>,
}

impl ParsedPublication {
    /// The one snapshot of list `list_id` a file holds: `entries` normalised (an entry the
    /// model refuses is an error naming its record, on the line `line_of` gives for its index),
    /// dated as the file states it (`stated`: the date and the text it was read from).
    pub(crate) fn snapshot(
        file: &str,
        list_id: &str,
        entries: Vec<crate::model::Entry>,
        (stated_date, stated_date_text): (Option<NaiveDate>, Option<String>),
        line_of: impl Fn(usize) -> Option<u64>,
    ) -> Result<ParsedPublication, FormatError> {
        let content = PublicationContent::Snapshot(entries)
            .normalize()
            .map_err(|e| record_error(file, e, line_of))?;
        let list = ListId::new(list_id)
            .map_err(|e| FormatError::new(file, Location::File, e.to_string()))?;
        Ok(ParsedPublication {
            list,
            stated_date,
            stated_date_text,
            source: None,
            content,
            columns: None,
        })
    }
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

/// Brings the ids of what a format read to their clean form ([`crate::model::EntryId::cleaned`]),
/// with a warning for each id it changes (the first [`IdCleaner::SHOWN`], then a count):
/// a stray byte-order mark or zero-width character in a publisher's id column does not make
/// another entry, and is never removed silently. Two ids that are the same once clean are
/// duplicates, refused as any others.
struct IdCleaner<'a> {
    file: &'a str,
    /// Records seen (1-based number of the next).
    records: u64,
    warnings: Vec<String>,
    changed: u64,
}

impl<'a> IdCleaner<'a> {
    /// How many changed ids get a warning of their own.
    const SHOWN: u64 = 10;

    fn new(file: &'a str) -> IdCleaner<'a> {
        IdCleaner {
            file,
            records: 0,
            warnings: Vec::new(),
            changed: 0,
        }
    }

    /// Cleans the id of the next record.
    fn clean_entry_id(&mut self, id: &mut crate::model::EntryId) -> Result<(), FormatError> {
        use crate::model::text::quote_bounded;
        self.records += 1;
        let Some(cleaned) = id.cleaned() else {
            return Ok(());
        };
        let location = Location::Record {
            number: self.records,
            line: None,
        };
        let (clean, what) = cleaned.map_err(|e| {
            FormatError::new(
                self.file,
                location.clone(),
                format!(
                    "the id \"{}\" holds nothing but invisible format characters: {e}",
                    quote_bounded(id.as_str())
                ),
            )
        })?;
        self.changed += 1;
        if self.changed <= Self::SHOWN {
            self.warnings.push(format!(
                "{}{location}: the id \"{}\" is read as \"{}\" ({what}): it looks the same, so it is the same entry",
                self.file,
                quote_bounded(id.as_str()),
                quote_bounded(clean.as_str()),
            ));
        }
        *id = clean;
        Ok(())
    }

    /// Cleans every id of a publication's content; refuses ids that are the same once clean.
    fn clean_content(&mut self, content: &mut PublicationContent) -> Result<(), FormatError> {
        let before = self.changed;
        match content {
            PublicationContent::Snapshot(entries) => {
                for entry in entries.iter_mut() {
                    self.clean_entry_id(&mut entry.id)?;
                }
            }
            PublicationContent::Amendment(amendment) => {
                for entry in amendment.add.iter_mut().chain(amendment.amend.iter_mut()) {
                    self.clean_entry_id(&mut entry.id)?;
                }
                for id in &mut amendment.remove {
                    self.clean_entry_id(id)?;
                }
            }
        }
        if self.changed > before {
            content
                .check_ids()
                .map_err(|e| record_error(self.file, e, |_| None))?;
        }
        Ok(())
    }

    /// The warnings, with a count of the changed ids not shown.
    fn finish(mut self) -> Vec<String> {
        if self.changed > Self::SHOWN {
            self.warnings.push(format!(
                "{}: {} more ids were read without their invisible format characters (or in Unicode normal form C)",
                self.file,
                self.changed - Self::SHOWN
            ));
        }
        self.warnings
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

/// An entry with its publisher fields held as compact JSON: a streaming parser calls it on each
/// entry it keeps, so a large file's entries cost about their JSON size in memory.
pub(crate) fn frozen(mut entry: crate::model::Entry) -> crate::model::Entry {
    entry.extra.freeze();
    entry
}

/// Merges a record that repeats an entry's key into the entry, keeping every value of both:
/// list fields are united, a differing name becomes an alias, differing text is joined with
/// "; ", and a publisher field with differing values holds both (as an array).
pub(crate) fn merge_entry(first: &mut crate::model::Entry, other: crate::model::Entry) {
    use serde_json::Value;
    fn unite(into: &mut Vec<String>, from: Vec<String>) {
        for item in from {
            if !into.contains(&item) {
                into.push(item);
            }
        }
    }
    fn join(into: &mut Option<String>, from: Option<String>) {
        match (into.as_mut(), from) {
            (_, None) => {}
            (None, Some(text)) => *into = Some(text),
            (Some(have), Some(text)) if !have.split("; ").any(|part| part == text) => {
                have.push_str("; ");
                have.push_str(&text);
            }
            _ => {}
        }
    }
    if other.name != first.name && !first.aliases.contains(&other.name) {
        first.aliases.push(other.name);
    }
    first.entry_type = first.entry_type.or(other.entry_type);
    unite(&mut first.countries, other.countries);
    unite(&mut first.aliases, other.aliases);
    unite(&mut first.addresses, other.addresses);
    unite(&mut first.programs, other.programs);
    unite(&mut first.citations, other.citations);
    join(&mut first.reason, other.reason);
    join(&mut first.license_requirement, other.license_requirement);
    join(&mut first.license_policy, other.license_policy);
    first.listed_on = first.listed_on.or(other.listed_on);
    for (key, value) in other.extra {
        match first.extra.get_mut(&key) {
            None => {
                first.extra.insert(key, value);
            }
            Some(have) if *have == value => {}
            Some(Value::Array(items)) => match value {
                Value::Array(more) => {
                    for item in more {
                        if !items.contains(&item) {
                            items.push(item);
                        }
                    }
                }
                single if !items.contains(&single) => items.push(single),
                _ => {}
            },
            Some(have) => {
                let before = std::mem::take(have);
                *have = Value::Array(vec![before, value]);
            }
        }
    }
    first.extra.freeze();
}

/// The directory of the real published files: `$LISTDIFF_REAL_DATA`, else `../shared/data/real`
/// beside the repository, for tests.
#[cfg(test)]
fn real_data_root() -> PathBuf {
    std::env::var_os("LISTDIFF_REAL_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/real"))
        })
}

/// A real published file under the real-data directory ([`real_data_root`]), for tests; a test
/// that reads one starts with [`real_data_present`].
#[cfg(test)]
pub(crate) fn real_data(rel: &str) -> PathBuf {
    real_data_root().join(rel)
}

/// How many unit tests skipped for want of real data.
#[cfg(test)]
static REAL_DATA_SKIPPED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// True when the real-data directory is there. When it is not, a test that needs it skips:
/// this says so in one line on standard error (and, when the test binary ends, gives the count
/// of tests skipped), as `tests/common`'s `RealData` does for the integration tests. Under CI
/// (`CI` set to anything but `false` or `0`) a missing directory fails the test instead:
/// nothing is skipped where the data should be.
#[cfg(test)]
pub(crate) fn real_data_present() -> bool {
    use std::io::Write;
    let root = real_data_root();
    if root.is_dir() {
        return true;
    }
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    assert!(
        !ci,
        "real data not found at {}: under CI the tests that need it must run; set LISTDIFF_REAL_DATA",
        root.display()
    );
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    // Written past the test harness's capture (which takes only print! and eprint!).
    let _ = writeln!(
        std::io::stderr().lock(),
        "skipped listdiff::{test}: real data not found at {}; set LISTDIFF_REAL_DATA",
        root.display()
    );
    if REAL_DATA_SKIPPED.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
        report_real_data_skips_at_exit();
    }
    false
}

/// Prints the count of unit tests skipped for want of real data when the test binary ends.
#[cfg(test)]
fn report_real_data_skips_at_exit() {
    unsafe extern "C" {
        /// The C library's `atexit`: runs `callback` when the process exits.
        fn atexit(callback: extern "C" fn()) -> std::ffi::c_int;
    }
    extern "C" fn report() {
        use std::io::Write;
        let skipped = REAL_DATA_SKIPPED.load(std::sync::atomic::Ordering::SeqCst);
        let _ = writeln!(
            std::io::stderr().lock(),
            "listdiff unit tests: {skipped} test{} skipped: real data not found at {}; set LISTDIFF_REAL_DATA",
            if skipped == 1 { "" } else { "s" },
            real_data_root().display()
        );
    }
    // SAFETY: `report` is a plain function that does not unwind (it ignores write errors).
    unsafe {
        atexit(report);
    }
}

/// The entries of a parse that gave one snapshot, for tests.
#[cfg(test)]
pub(crate) fn snapshot_entries(p: &[ParsedPublication]) -> &[crate::model::Entry] {
    assert_eq!(p.len(), 1);
    match &p[0].content {
        crate::model::PublicationContent::Snapshot(entries) => entries,
        crate::model::PublicationContent::Amendment(_) => panic!("expected a snapshot"),
    }
}

/// The entry with id `id`, for tests.
#[cfg(test)]
pub(crate) fn entry_by_id<'a>(
    entries: &'a [crate::model::Entry],
    id: &str,
) -> &'a crate::model::Entry {
    entries
        .iter()
        .find(|e| e.id.as_str() == id)
        .unwrap_or_else(|| panic!("no entry {id}"))
}

/// Entries held as zstd-compressed canonical JSON, 64 to a frame, in the order pushed: for a
/// parser that must keep every entry until the end of the file.
#[derive(Default)]
pub struct EntrySpool {
    /// Each closed frame: its length uncompressed, its bytes.
    frames: Vec<(usize, Vec<u8>)>,
    open: Vec<u8>,
    in_open: usize,
    count: usize,
}

impl EntrySpool {
    const FRAME_ENTRIES: usize = 64;

    /// Keeps an entry.
    pub fn push(&mut self, entry: &crate::model::Entry) {
        self.open.extend_from_slice(&entry.canonical_json());
        self.open.push(b'\n');
        self.in_open += 1;
        self.count += 1;
        if self.in_open == Self::FRAME_ENTRIES {
            self.close();
        }
    }

    fn close(&mut self) {
        if self.in_open > 0 {
            // zstd returns a worst-case-sized buffer: shrunk, as thousands are held at once.
            let mut frame = zstd::bulk::compress(&self.open, 3).unwrap_or_default();
            frame.shrink_to_fit();
            self.frames.push((self.open.len(), frame));
            self.open.clear();
            self.in_open = 0;
        }
    }

    /// How many entries it holds.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when it holds no entry.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Calls `f` with each entry and its position, in order; an error says what failed.
    pub fn each(mut self, mut f: impl FnMut(usize, crate::model::Entry)) -> Result<(), String> {
        self.close();
        let mut index = 0;
        for (size, frame) in std::mem::take(&mut self.frames) {
            let lines = zstd::bulk::decompress(&frame, size)
                .map_err(|e| format!("an entry held in memory does not decompress: {e}"))?;
            for line in lines.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                let entry = serde_json::from_slice(line)
                    .map_err(|e| format!("an entry held in memory does not read back: {e}"))?;
                f(index, entry);
                index += 1;
            }
        }
        Ok(())
    }
}

/// A list id a format names by a constant (known to be valid).
pub(crate) fn list_id(id: &'static str) -> ListId {
    ListId::new(id).unwrap_or_else(|_| unreachable!("constant list id {id} is valid"))
}

/// Refuses a file of `size` bytes, shown as `name`, that a format reading its files whole would
/// hold in memory: larger than [`limits::MAX_WHOLE_FILE_BYTES`]. For callers, before they read it.
pub fn check_whole_file_size(name: &str, size: u64) -> Result<(), FormatError> {
    if size > limits::MAX_WHOLE_FILE_BYTES {
        return Err(read::text::too_large(name));
    }
    Ok(())
}

/// `text` from an input as a message quotes it: in double quotes, at most
/// [`crate::model::text::QUOTE_CHARS`] characters, control and bidi characters escaped
/// ([`crate::model::text::quote_bounded`]), with a note naming invisible format characters.
pub(crate) fn quoted(text: &str) -> String {
    format!(
        "\"{}\"{}",
        crate::model::text::quote_bounded(text),
        crate::model::text::invisible_note(text)
    )
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
                "duplicate id {}: record {} has it too{}; ids must be unique within a publication",
                quoted(id.as_str()),
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

    const SAMPLES: [&[u8]; 10] = [
        br#"{"list": "l", "published": "2024-12-01", "kind": "snapshot", "entries": [{"id": "a", "name": "A", "countries": ["China"], "extra": {"x": [1, {"y": "z"}]}}]}"#,
        b"_id,source,name,addresses,federal_register_notice,start_date\n\"1\",\"Entity List (EL) - Bureau\",\"Acme\",\"1 Road, Town, CN\",\"89 FR 1\",\"2024-01-02\"\n",
        br#"{"results": [{"id": "1", "source": "Entity List (EL) - B", "name": "A", "addresses": [{"address": "x", "country": "CN"}]}]}"#,
        b"36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA] [SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"a.k.a. 'X'.\"\r\n\x1a",
        br#"<?xml version="1.0"?><CONSOLIDATED_LIST dateGenerated="2020-11-23T19:10:17.6-05:00"><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>A</FIRST_NAME><UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE><REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER><LISTED_ON>2001-01-01</LISTED_ON><INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>B</ALIAS_NAME></INDIVIDUAL_ALIAS></INDIVIDUAL></INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>"#,
        br#"<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2025-03-14T18:02:11+01:00"><sanctionEntity logicalId="13" designationDate="2003-07-07"><regulation numberTitle="1210/2003" programme="IRQ" logicalId="3"/><subjectType code="person"/><nameAlias wholeName="K S" strong="true" logicalId="17"/><address city="X" countryIso2Code="IQ" logicalId="5"/></sanctionEntity></export>"#,
        br#"<sdnList xmlns="http://tempuri.org/sdnList.xsd"><publshInformation><Publish_Date>04/06/2018</Publish_Date><Record_Count>1</Record_Count></publshInformation><sdnEntry><uid>36</uid><lastName>AERO</lastName><sdnType>Entity</sdnType><programList><program>CUBA</program></programList><akaList><aka><uid>1</uid><type>a.k.a.</type><category>strong</category><lastName>X</lastName></aka></akaList></sdnEntry></sdnList>"#,
        b"\"Name\"\t\"Street_Address\"\t\"City\"\t\"State\"\t\"Country\"\t\"Postal_Code\"\t\"Effective_Date\"\t\"Expiration_Date\"\t\"Standard_Order\"\t\"Last_Update\"\t\"Action\"\t\"FR_Citation\"\n\"A B\"\t\"1 Rd\"\t\"X\"\t\"\"\t\"CN\"\t\"1\"\t\"01/02/2020\"\t\"\"\t\"Y\"\t\"2020-01-02\"\t\"ADDITION\"\t\"85 F.R. 1 1/2/20\"\n",
        b"Last Updated,02/04/2020\nName 6,Name 1,Name 2,Name 3,Name 4,Name 5,Title,DOB,Town of Birth,Country of Birth,Nationality,Passport Details,NI Number,Position,Address 1,Address 2,Address 3,Address 4,Address 5,Address 6,Post/Zip Code,Country,Other Information,Group Type,Alias Type,Regime,Listed On,Last Updated,Group ID\nPETROV,Ivan,,,,,,,,,,,,,,,,,,,,,,Individual,Primary name,Russia,01/01/2020,01/01/2020,15001\n",
        b"{\"op\": \"ADD\", \"entity\": {\"id\": \"NK-1\", \"schema\": \"Person\", \"properties\": {\"name\": [\"A\"]}, \"datasets\": [\"eu_fsf\"]}}\n",
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
                    stream_from: None,
                },
            ),
            (
                "add.csv".into(),
                InputFile {
                    name: "add.csv".into(),
                    bytes: bytes.to_vec(),
                    stream_from: None,
                },
            ),
            (
                "sdn_comments.csv".into(),
                InputFile {
                    name: "sdn_comments.csv".into(),
                    bytes: bytes.to_vec(),
                    stream_from: None,
                },
            ),
        ];
        for format in Format::ALL {
            let _ = format.parse(&input);
            let _ = format.parse_entries(&input, &mut |_| Ok(()));
        }
        // The formats that need command-line settings, with them.
        input.options = ParseOptions {
            list: ListId::new("l").ok(),
            keys: vec!["Name".into(), "id".into()],
            map: vec![
                ("name".into(), "Name 6".into()),
                ("aliases".into(), "Name 1".into()),
            ],
            delimiter: None,
        };
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
