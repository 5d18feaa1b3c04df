//! The hostile-input suite (issue 16): every format in the registry, fed files that are cut
//! short, ids with invisible characters, fields, lines and records over the reading layer's
//! limits, XML nested too deep or with a run of elements in one record, and huge ids. Each is
//! refused naming the file and line (or read with a warning, for ids), in bounded memory and
//! time, and through the binary nothing is recorded and no error line is long.
//!
//! Every format needs a [`Sample`]: a new format fails [`every_format_has_a_sample`] until it
//! has one. Inputs are sized to prove each bound (a field twice the limit, a depth one past the
//! cap), not to be large: the suite runs in seconds. Other items of the issue have their own
//! tests: numbers in `extra` (tests/numbers.rs, here per JSON format), terminal escapes and CSV
//! cells (tests/output_safety.rs), link loops and inputs that change (tests/ingest_faults.rs),
//! decompression (tests/bombs.rs).
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, repo};
use listdiff::formats::limits::{
    MAX_ATTRIBUTES, MAX_COLUMNS, MAX_FIELD_BYTES, MAX_RECORD_BYTES, MAX_RECORD_ELEMENTS,
    MAX_WHOLE_FILE_BYTES, MAX_XML_DEPTH,
};
use listdiff::formats::{Format, FormatError, Input, Location, ParseOptions};
use listdiff::model::ListId;

/// How a format's files are laid out, which decides the hostile inputs that apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    /// XML; records start with this text (`<sdnEntry>`, `<DistinctParty `).
    Xml(&'static str),
    /// Delimited text with this delimiter.
    Delimited(u8),
    /// One JSON value per line.
    JsonLines,
    /// One JSON document, read whole.
    WholeJson,
    /// An HTML page read with an HTML parser; records start with this text (`<tr>`).
    Html(&'static str),
}

/// A valid file of one format and where in it the hostile parts go.
struct Sample {
    format: &'static str,
    /// The file name (some formats are told by it: `cons_prim.csv`).
    file: &'static str,
    bytes: Vec<u8>,
    layout: Layout,
    /// A text that holds the first record's id, and the id in it: every occurrence of the text
    /// gets the id replaced. `None` for formats whose ids are derived (hashed, normalised).
    id: Option<(&'static str, &'static str)>,
    /// A text value of the first record, on its first line.
    value: &'static str,
    /// The file is cut right after the last occurrence of this text (inside the last record).
    cut_after: &'static str,
    /// Arguments `ingest` needs besides the file (`--list`, `--key`, …).
    args: &'static [&'static str],
}

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(repo(&format!("tests/fixtures/{rel}"))).unwrap()
}

/// The sample of every format, in the registry's order.
fn samples() -> Vec<Sample> {
    let csl_source = "Entity List (EL) - Bureau of Industry and Security";
    let sdn_csv = "36,\"ALPHA TRADING\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\
                   7480,\"BETA WORKS\",individual,\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 1965.\"\r\n";
    vec![
        Sample {
            format: "native",
            file: "native.json",
            bytes: b"{\"list\": \"t-native\", \"published\": \"2024-01-02\", \"kind\": \"snapshot\", \"entries\": [\n{\"id\": \"A1\", \"name\": \"Alpha Trading\"},\n{\"id\": \"B2\", \"name\": \"Beta Works\"}\n]}\n".to_vec(),
            layout: Layout::WholeJson,
            id: Some(("\"id\": \"A1\"", "A1")),
            value: "Alpha Trading",
            cut_after: "\"name\": \"Beta",
            args: &[],
        },
        Sample {
            format: "native-ndjson",
            file: "entries.ndjson",
            bytes: b"{\"id\": \"A1\", \"name\": \"Alpha Trading\"}\n{\"id\": \"B2\", \"name\": \"Beta Works\"}\n".to_vec(),
            layout: Layout::JsonLines,
            id: Some(("\"id\": \"A1\"", "A1")),
            value: "Alpha Trading",
            cut_after: "\"name\": \"Beta",
            args: &["--list", "t-ndjson"],
        },
        Sample {
            format: "csl-csv",
            file: "consolidated.csv",
            bytes: format!(
                "_id,source,name,alt_names,addresses,federal_register_notice,start_date\n\
                 A1,{csl_source},Alpha Trading,,\"1 Road, Town, CN\",89 FR 1,2024-01-02\n\
                 B2,{csl_source},Beta Works,,\"2 Road, Town, CN\",89 FR 2,2024-01-03\n"
            )
            .into_bytes(),
            layout: Layout::Delimited(b','),
            id: Some(("A1,Entity", "A1")),
            value: "Alpha Trading",
            cut_after: "Beta Works",
            args: &[],
        },
        Sample {
            format: "csl-json",
            file: "consolidated.json",
            bytes: format!(
                "{{\"results\": [\n{{\"id\": \"A1\", \"source\": \"{csl_source}\", \"name\": \"Alpha Trading\"}},\n{{\"id\": \"B2\", \"source\": \"{csl_source}\", \"name\": \"Beta Works\"}}\n]}}\n"
            )
            .into_bytes(),
            layout: Layout::WholeJson,
            id: Some(("\"id\": \"A1\"", "A1")),
            value: "Alpha Trading",
            cut_after: "\"name\": \"Beta",
            args: &[],
        },
        Sample {
            format: "ofac-sdn-csv",
            file: "sdn.csv",
            bytes: sdn_csv.as_bytes().to_vec(),
            layout: Layout::Delimited(b','),
            id: Some(("36,\"ALPHA", "36")),
            value: "ALPHA TRADING",
            cut_after: "\"BETA WORKS\"",
            args: &[],
        },
        Sample {
            format: "ofac-cons-csv",
            file: "cons_prim.csv",
            bytes: sdn_csv.as_bytes().to_vec(),
            layout: Layout::Delimited(b','),
            id: Some(("36,\"ALPHA", "36")),
            value: "ALPHA TRADING",
            cut_after: "\"BETA WORKS\"",
            args: &[],
        },
        Sample {
            format: "ofac-xml",
            file: "SDN.XML",
            bytes: fixture("ofac-xml/2024-03-01/SDN.XML"),
            layout: Layout::Xml("<sdnEntry>"),
            id: Some(("<uid>36</uid>", "36")),
            value: "AEROCARIBBEAN AIRLINES",
            cut_after: "<sdnEntry>",
            args: &[],
        },
        Sample {
            format: "ofac-advanced-xml",
            file: "sdn_advanced.xml",
            bytes: fixture("ofac-advanced-xml/2024-03-01/sdn_advanced.xml"),
            layout: Layout::Xml("<DistinctParty "),
            id: Some(("FixedRef=\"36\"", "36")),
            value: "AEROCARIBBEAN AIRLINES",
            cut_after: "<DistinctParty ",
            args: &[],
        },
        Sample {
            format: "un-xml",
            file: "consolidated.xml",
            bytes: b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CONSOLIDATED_LIST dateGenerated=\"2024-01-02T10:00:00Z\">\n<INDIVIDUALS>\n<INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>ALPHA TRADING</FIRST_NAME><UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE><REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER><LISTED_ON>2001-01-01</LISTED_ON></INDIVIDUAL>\n<INDIVIDUAL><DATAID>2</DATAID><FIRST_NAME>BETA WORKS</FIRST_NAME><UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE><REFERENCE_NUMBER>QDi.2</REFERENCE_NUMBER><LISTED_ON>2001-01-01</LISTED_ON></INDIVIDUAL>\n</INDIVIDUALS>\n<ENTITIES/>\n</CONSOLIDATED_LIST>\n".to_vec(),
            layout: Layout::Xml("<INDIVIDUAL>"),
            id: Some(("<REFERENCE_NUMBER>QDi.1<", "QDi.1")),
            value: "ALPHA TRADING",
            cut_after: "BETA WORKS",
            args: &[],
        },
        Sample {
            format: "eu-fsf-xml",
            file: "eu.xml",
            bytes: fixture("eu-fsf-xml/2025-03-14.xml"),
            layout: Layout::Xml("<sanctionEntity "),
            id: Some(("euReferenceNumber=\"EU.27.28\" logicalId=\"13\"", "13")),
            value: "Karim Example Al-Sample",
            cut_after: "wholeName=\"Example Shipping LLC\"",
            args: &[],
        },
        Sample {
            format: "eu-fsf-csv",
            file: "eu.csv",
            bytes: fixture("eu-fsf-csv/2025-03-14.csv"),
            layout: Layout::Delimited(b';'),
            id: Some((";13;EU.27.28;", "13")),
            value: "UNSC RESOLUTION 1483",
            cut_after: "Owned by the State",
            args: &[],
        },
        Sample {
            format: "uk-fcdo-csv",
            file: "UK-Sanctions-List.csv",
            bytes: fixture("uk-fcdo-csv/UK-Sanctions-List-2025-03-14.csv"),
            layout: Layout::Delimited(b','),
            id: Some((",RUS9001,", "RUS9001")),
            value: "PETROV",
            cut_after: "EXAMPLE TANKERS LTD",
            args: &[],
        },
        Sample {
            format: "uk-fcdo-xml",
            file: "UK-Sanctions-List.xml",
            bytes: fixture("uk-fcdo-xml/UK-Sanctions-List-2025-03-14.xml"),
            layout: Layout::Xml("<Designation>"),
            id: Some(("<UniqueID>RUS9001</UniqueID>", "RUS9001")),
            value: "PETROV",
            cut_after: "<Designation>",
            args: &[],
        },
        Sample {
            format: "uk-ofsi-csv",
            file: "ConList.csv",
            bytes: fixture("uk-ofsi-csv/ConList-2020-04-02.csv"),
            layout: Layout::Delimited(b','),
            id: Some((",15001\r\n", "15001")),
            value: "PETROV",
            cut_after: "GHR9001",
            args: &[],
        },
        Sample {
            format: "bis-dpl",
            file: "dpl.txt",
            bytes: b"\"Name\"\t\"Street_Address\"\t\"City\"\t\"State\"\t\"Country\"\t\"Postal_Code\"\t\"Effective_Date\"\t\"Expiration_Date\"\t\"Standard_Order\"\t\"Last_Update\"\t\"Action\"\t\"FR_Citation\"\n\"Alpha Trading\"\t\"1 Rd\"\t\"X\"\t\"\"\t\"CN\"\t\"1\"\t\"01/02/2020\"\t\"\"\t\"Y\"\t\"2020-01-02\"\t\"ADDITION\"\t\"85 F.R. 1 1/2/20\"\n\"Beta Works\"\t\"2 Rd\"\t\"Y\"\t\"\"\t\"CN\"\t\"2\"\t\"01/03/2020\"\t\"\"\t\"Y\"\t\"2020-01-03\"\t\"ADDITION\"\t\"85 F.R. 2 1/3/20\"\n".to_vec(),
            layout: Layout::Delimited(b'\t'),
            id: None,
            value: "Alpha Trading",
            cut_after: "\"Beta Works\"",
            args: &[],
        },
        Sample {
            format: "ecfr-entity-list",
            file: "title-15-part-744.xml",
            bytes: fixture("ecfr-entity-list/2024-01-15/title-15-part-744.xml"),
            layout: Layout::Xml("<TR>"),
            id: None,
            value: "Harbour Link Electronics Limited",
            cut_after: "Gulf Star",
            args: &[],
        },
        Sample {
            format: "federal-register",
            file: "mix-2024-12-11.xml",
            bytes: fixture("federal-register/mix-2024-12-11.xml"),
            layout: Layout::Xml("<ROW>"),
            id: None,
            value: "Alpha Optics Co., Ltd.",
            cut_after: "Tehran Example",
            args: &[],
        },
        Sample {
            format: "dhs-uflpa-html",
            file: "uflpa-entity-list.html",
            bytes: fixture("dhs-uflpa-html/uflpa-entity-list-2025-01-14.html"),
            layout: Layout::Html("<tr>"),
            id: None,
            value: "Example Silicon (Hami) Co., Ltd",
            cut_after: "Example Wool",
            args: &[],
        },
        Sample {
            format: "ftm-json",
            file: "entities.ftm.json",
            bytes: b"{\"id\": \"NK-A1\", \"caption\": \"Alpha Trading\", \"schema\": \"Company\", \"properties\": {\"name\": [\"Alpha Trading\"]}, \"datasets\": [\"t_ds\"]}\n{\"id\": \"NK-B2\", \"caption\": \"Beta Works\", \"schema\": \"Company\", \"properties\": {\"name\": [\"Beta Works\"]}, \"datasets\": [\"t_ds\"]}\n".to_vec(),
            layout: Layout::JsonLines,
            id: Some(("\"NK-A1\"", "NK-A1")),
            value: "Alpha Trading",
            cut_after: "\"caption\": \"Beta",
            args: &[],
        },
        Sample {
            format: "ftm-delta",
            file: "entities.delta.json",
            bytes: b"{\"op\": \"ADD\", \"entity\": {\"id\": \"NK-A1\", \"caption\": \"Alpha Trading\", \"schema\": \"Company\", \"properties\": {\"name\": [\"Alpha Trading\"]}, \"datasets\": [\"t_ds\"]}}\n{\"op\": \"ADD\", \"entity\": {\"id\": \"NK-B2\", \"caption\": \"Beta Works\", \"schema\": \"Company\", \"properties\": {\"name\": [\"Beta Works\"]}, \"datasets\": [\"t_ds\"]}}\n".to_vec(),
            layout: Layout::JsonLines,
            id: Some(("\"NK-A1\"", "NK-A1")),
            value: "Alpha Trading",
            cut_after: "\"caption\": \"Beta",
            args: &[],
        },
        Sample {
            format: "csv",
            file: "uflpa.csv",
            bytes: fixture("csv/uflpa-2024-06-12.csv"),
            layout: Layout::Delimited(b','),
            id: Some(("Example Aluminum Group", "Example Aluminum Group")),
            value: "Example Aluminum Group",
            cut_after: "Fictional Steel Works,FSW",
            args: &[
                "--list",
                "t-csv",
                "--key",
                "Entity Name",
                "--map",
                "name=Entity Name",
            ],
        },
    ]
}

impl Sample {
    fn format(&self) -> Format {
        Format::from_name(self.format).unwrap_or_else(|| panic!("no format {}", self.format))
    }

    /// The input `Format::parse` reads, with the settings the binary would give it.
    fn input(&self, bytes: Vec<u8>) -> Input {
        let mut input = Input::single(self.file, bytes);
        let mut options = ParseOptions::default();
        let mut args = self.args.iter();
        while let Some(arg) = args.next() {
            let value = args.next().unwrap().to_string();
            match *arg {
                "--list" => options.list = ListId::new(&value).ok(),
                "--key" => options.keys.push(value),
                "--map" => {
                    let (field, column) = value.split_once('=').unwrap();
                    options.map.push((field.into(), column.into()));
                }
                other => panic!("unknown argument {other}"),
            }
        }
        input.options = options;
        input
    }

    /// Parses `bytes` both ways the format can (whole, and one entry at a time where it
    /// streams them): the first error, else the warnings and the sorted entry ids.
    fn parse(&self, bytes: Vec<u8>) -> Result<(Vec<String>, Vec<String>), FormatError> {
        let format = self.format();
        let input = self.input(bytes);
        let mut streamed = Vec::new();
        let stream = format.parse_entries(&input, &mut |entry| {
            streamed.push(entry.id.as_str().to_string());
            Ok(())
        })?;
        let parsed = format.parse(&input)?;
        let mut ids: Vec<String> = Vec::new();
        for publication in &parsed.publications {
            match &publication.content {
                listdiff::model::PublicationContent::Snapshot(entries) => {
                    ids.extend(entries.iter().map(|e| e.id.as_str().to_string()));
                }
                listdiff::model::PublicationContent::Amendment(a) => {
                    ids.extend(a.add.iter().map(|e| e.id.as_str().to_string()));
                    ids.extend(a.amend.iter().map(|e| e.id.as_str().to_string()));
                    ids.extend(a.remove.iter().map(|id| id.as_str().to_string()));
                }
            }
        }
        ids.sort();
        let mut warnings = parsed.warnings;
        if let Some(stream) = stream {
            streamed.sort();
            assert_eq!(
                streamed, ids,
                "{}: streamed and whole reads differ",
                self.format
            );
            warnings.extend(stream.warnings);
        }
        Ok((warnings, ids))
    }

    /// The sample with `replacement` in place of the first occurrence of `text`.
    fn replace_first(&self, text: &str, replacement: &str) -> Vec<u8> {
        let at = find(&self.bytes, text.as_bytes())
            .unwrap_or_else(|| panic!("{}: no {text:?} in the sample", self.format));
        let mut bytes = self.bytes[..at].to_vec();
        bytes.extend_from_slice(replacement.as_bytes());
        bytes.extend_from_slice(&self.bytes[at + text.len()..]);
        bytes
    }

    /// The sample with `inserted` put inside its first record: XML right after the record's
    /// start tag; delimited text at the end of the first record's line (as more fields).
    fn insert_in_first_record(&self, inserted: &[u8]) -> Vec<u8> {
        let at = match self.layout {
            Layout::Xml(record) | Layout::Html(record) => {
                let start = find(&self.bytes, record.as_bytes()).unwrap();
                start + find(&self.bytes[start..], b">").unwrap() + 1
            }
            _ => {
                let value = find(&self.bytes, self.value.as_bytes()).unwrap();
                let end = value + find(&self.bytes[value..], b"\n").unwrap();
                if self.bytes[end - 1] == b'\r' {
                    end - 1
                } else {
                    end
                }
            }
        };
        let mut bytes = self.bytes[..at].to_vec();
        bytes.extend_from_slice(inserted);
        bytes.extend_from_slice(&self.bytes[at..]);
        bytes
    }

    /// The sample cut inside its last record.
    fn cut(&self) -> Vec<u8> {
        let at = rfind(&self.bytes, self.cut_after.as_bytes())
            .unwrap_or_else(|| panic!("{}: no {:?} in the sample", self.format, self.cut_after));
        self.bytes[..at + self.cut_after.len()].to_vec()
    }

    /// The sample with every occurrence of its id text holding `id` instead.
    fn with_id(&self, id: &str) -> Option<Vec<u8>> {
        let (text, clean) = self.id?;
        let hostile = text.replace(clean, id);
        let mut bytes = Vec::new();
        let mut rest = &self.bytes[..];
        while let Some(at) = find(rest, text.as_bytes()) {
            bytes.extend_from_slice(&rest[..at]);
            bytes.extend_from_slice(hostile.as_bytes());
            rest = &rest[at + text.len()..];
        }
        bytes.extend_from_slice(rest);
        assert_ne!(
            bytes, self.bytes,
            "{}: the id text is not in the sample",
            self.format
        );
        Some(bytes)
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// `n` fields of `field` for a delimited record, each after a delimiter.
fn more_fields(delimiter: u8, field: &str, n: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(n * (field.len() + 1));
    for _ in 0..n {
        bytes.push(delimiter);
        bytes.extend_from_slice(field.as_bytes());
    }
    bytes
}

/// Checks that `result` is a refusal of `sample`'s file naming a line, whose message holds
/// `wanted` and is short.
fn assert_refused<T: std::fmt::Debug>(
    sample: &Sample,
    case: &str,
    result: Result<T, FormatError>,
    wanted: &str,
) {
    let error = match result {
        Ok(got) => panic!("{} ({case}): accepted: {got:?}", sample.format),
        Err(error) => error,
    };
    let message = error.to_string();
    assert!(
        message.starts_with(sample.file),
        "{} ({case}): the error does not name the file: {message}",
        sample.format
    );
    assert_ne!(
        error.location,
        Location::File,
        "{} ({case}): the error names no line: {message}",
        sample.format
    );
    assert!(
        message.contains(wanted),
        "{} ({case}): the error does not say {wanted:?}: {message}",
        sample.format
    );
    assert!(
        message.len() <= 600,
        "{} ({case}): an error of {} bytes: {}…",
        sample.format,
        message.len(),
        message.chars().take(600).collect::<String>()
    );
}

#[test]
fn every_format_has_a_sample() {
    let samples = samples();
    for format in Format::ALL {
        let sample = samples
            .iter()
            .find(|s| s.format == format.name())
            .unwrap_or_else(|| panic!("no hostile-input sample for format {format}"));
        let (warnings, ids) = sample
            .parse(sample.bytes.clone())
            .unwrap_or_else(|e| panic!("{format}: the sample does not read: {e}"));
        assert!(ids.len() >= 2, "{format}: the sample has {ids:?}");
        assert!(
            warnings.iter().all(|w| !w.contains("U+")),
            "{format}: {warnings:?}"
        );
    }
    assert_eq!(samples.len(), Format::ALL.len(), "a sample of no format");
}

/// Item 2: a file cut inside its last record is refused, like every XML format refuses one.
/// (The CSL CSV keeps a last record cut inside a quoted field, with a warning, as real CSL
/// extracts are published so; the cut here is not inside quotes.)
#[test]
fn files_cut_inside_a_record_are_refused() {
    for sample in samples() {
        let result = sample.parse(sample.cut());
        let Err(error) = result else {
            panic!("{}: a cut file was read: {result:?}", sample.format);
        };
        assert!(
            error.to_string().starts_with(sample.file),
            "{}: {error}",
            sample.format
        );
    }
}

/// Item 6: an id with a byte-order mark and a zero-width space in it is the same id as without:
/// read as the clean id, with a warning naming the record and showing the raw id. (A mark at the
/// very start of a file is its byte-order mark, which decoding removes.)
#[test]
fn ids_with_invisible_characters_are_read_as_the_clean_id_with_a_warning() {
    for sample in samples() {
        let Some((_, clean)) = sample.id else {
            continue;
        };
        let (_, clean_ids) = sample.parse(sample.bytes.clone()).unwrap();
        let (first, rest) = clean.split_at(1);
        let hostile = sample
            .with_id(&format!("\u{feff}{first}\u{200b}{rest}"))
            .unwrap();
        let (warnings, ids) = match sample.parse(hostile) {
            Ok(read) => read,
            // A format whose ids are numbers may refuse one that is not, naming the line and
            // the invisible characters.
            Err(error) => {
                assert!(
                    error.location != Location::File && error.message.contains("U+200B"),
                    "{}: {error}",
                    sample.format
                );
                continue;
            }
        };
        assert_eq!(
            ids, clean_ids,
            "{}: other ids than the clean file's",
            sample.format
        );
        assert!(
            warnings.iter().any(|w| w.starts_with(sample.file)
                && w.contains("U+200B")
                && w.contains(&format!("\"{clean}\""))),
            "{}: no warning names the invisible characters: {warnings:?}",
            sample.format
        );
    }
}

/// Item 6: an id that is another record's id but for a zero-width space is a duplicate, refused
/// naming the record (never two entries that look the same).
#[test]
fn ids_that_differ_only_by_invisible_characters_are_duplicates() {
    for format in ["native", "native-ndjson", "csv"] {
        let sample = samples().into_iter().find(|s| s.format == format).unwrap();
        let second = match format {
            "csv" => "Fictional Steel Works",
            _ => "B2",
        };
        let (first, _) = sample.id.unwrap();
        let hostile_id = format!("{}\u{200b}", sample.id.unwrap().1);
        let bytes =
            String::from_utf8(sample.bytes.clone())
                .unwrap()
                .replacen(second, &hostile_id, 1);
        assert!(bytes.contains(first));
        let result = sample.parse(bytes.into_bytes());
        assert_refused(&sample, "twin id", result, "duplicate id");
    }
}

/// Item 7: a field twice the field limit is refused (CSV fields, XML text, XML attributes);
/// JSON lines are bounded by the record limit instead.
#[test]
fn fields_over_the_limit_are_refused_naming_the_line() {
    let big = "F".repeat(2 * MAX_FIELD_BYTES);
    for sample in samples() {
        match sample.layout {
            Layout::Xml(_) => {
                let text = sample.insert_in_first_record(format!("<Huge>{big}</Huge>").as_bytes());
                assert_refused(&sample, "text", sample.parse(text), "longer than the limit");
                let attribute =
                    sample.insert_in_first_record(format!("<Huge a=\"{big}\"/>").as_bytes());
                assert_refused(
                    &sample,
                    "attribute",
                    sample.parse(attribute),
                    "longer than the limit",
                );
            }
            Layout::Delimited(_) => {
                let bytes = sample.replace_first(sample.value, &big);
                assert_refused(
                    &sample,
                    "field",
                    sample.parse(bytes),
                    "longer than the limit",
                );
            }
            Layout::JsonLines => {
                let line = "L".repeat(MAX_RECORD_BYTES + 1);
                let bytes = sample.replace_first(sample.value, &line);
                assert_refused(
                    &sample,
                    "line",
                    sample.parse(bytes),
                    "longer than the limit",
                );
            }
            Layout::Html(_) => {
                let text = sample.insert_in_first_record(format!("<b>{big}</b>").as_bytes());
                assert_refused(&sample, "text", sample.parse(text), "longer than the limit");
                let attribute =
                    sample.insert_in_first_record(format!("<b a=\"{big}\">x</b>").as_bytes());
                assert_refused(
                    &sample,
                    "attribute",
                    sample.parse(attribute),
                    "longer than the limit",
                );
            }
            // Bounded by the whole-file limit (tests below, through the binary).
            Layout::WholeJson => {}
        }
    }
}

/// An HTML page nested one past the depth cap is refused naming the line, before the HTML
/// parser (whose work grows with the square of the depth) sees it.
#[test]
fn html_beyond_the_depth_limit_is_refused() {
    use listdiff::formats::limits::MAX_XML_DEPTH;
    for sample in samples() {
        let Layout::Html(_) = sample.layout else {
            continue;
        };
        let depth = 4 * MAX_XML_DEPTH + 1;
        let deep = sample.insert_in_first_record(
            format!("{}{}", "<div>".repeat(depth), "</div>".repeat(depth)).as_bytes(),
        );
        assert_refused(&sample, "depth", sample.parse(deep), "nested more than");
        let unclosed = sample.insert_in_first_record("<span>".repeat(100_000).as_bytes());
        assert_refused(
            &sample,
            "unclosed",
            sample.parse(unclosed),
            "nested more than",
        );
    }
}

/// Item 7: a CSV record with twice the column limit is refused before it is held whole; so is
/// a record of fields each under the field limit that together pass the record limit.
#[test]
fn csv_records_over_the_column_and_record_limits_are_refused() {
    for sample in samples() {
        let Layout::Delimited(delimiter) = sample.layout else {
            continue;
        };
        let columns = sample.insert_in_first_record(&more_fields(delimiter, "c", 2 * MAX_COLUMNS));
        assert_refused(
            &sample,
            "columns",
            sample.parse(columns),
            "more fields than the limit",
        );
        let field = "r".repeat(MAX_FIELD_BYTES - 1);
        let n = MAX_RECORD_BYTES / MAX_FIELD_BYTES + 1;
        let record = sample.insert_in_first_record(&more_fields(delimiter, &field, n));
        assert_refused(
            &sample,
            "record",
            sample.parse(record),
            "longer than the limit",
        );
    }
}

/// Items 7 and 8: XML nested one past the depth cap, a run of elements twice the record's
/// element limit, a record over the record limit, and an element with more attributes than the
/// limit are refused naming the line.
#[test]
fn xml_beyond_the_depth_element_and_record_limits_is_refused() {
    for sample in samples() {
        let Layout::Xml(_) = sample.layout else {
            continue;
        };
        let deep = sample.insert_in_first_record(
            format!(
                "{}{}",
                "<d>".repeat(MAX_XML_DEPTH + 1),
                "</d>".repeat(MAX_XML_DEPTH + 1)
            )
            .as_bytes(),
        );
        assert_refused(&sample, "depth", sample.parse(deep), "nested more than");
        let run = sample.insert_in_first_record("<s/>".repeat(2 * MAX_RECORD_ELEMENTS).as_bytes());
        assert_refused(
            &sample,
            "siblings",
            sample.parse(run),
            "more elements than the limit",
        );
        let piece = format!("<p>{}</p>", "p".repeat(MAX_FIELD_BYTES - 16));
        let record = sample.insert_in_first_record(
            piece
                .repeat(MAX_RECORD_BYTES / MAX_FIELD_BYTES + 1)
                .as_bytes(),
        );
        assert_refused(
            &sample,
            "record",
            sample.parse(record),
            "longer than the limit",
        );
        let attributes: String = (0..=MAX_ATTRIBUTES)
            .map(|i| format!(" a{i}=\"\""))
            .collect();
        let many = sample.insert_in_first_record(format!("<m{attributes}/>").as_bytes());
        assert_refused(
            &sample,
            "attributes",
            sample.parse(many),
            "more attributes than the limit",
        );
    }
}

/// Item 11: an id of 300,000 characters (under the field limit, over the id limit) is refused
/// with an error that quotes a bounded part of it.
#[test]
fn a_huge_id_is_quoted_at_a_bounded_length() {
    let huge = "I".repeat(300_000);
    for sample in samples() {
        let Some(bytes) = sample.with_id(&huge) else {
            continue;
        };
        assert_refused(&sample, "huge id", sample.parse(bytes), "more bytes");
    }
}

/// Item 8: OFAC advanced XML nested 200,000 deep (1.4 MB) took 44 s, super-quadratic in the
/// depth; it is refused at the depth cap, naming the line, having read a few hundred bytes.
#[test]
fn deep_advanced_xml_is_refused_at_the_cap() {
    let sample = samples()
        .into_iter()
        .find(|s| s.format == "ofac-advanced-xml")
        .unwrap();
    let depth = 200_000;
    let mut bytes = b"<?xml version=\"1.0\"?>\n<Sanctions xmlns=\"https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML\">\n".to_vec();
    bytes.extend_from_slice("<DistinctParties>\n".repeat(depth).as_bytes());
    bytes.extend_from_slice("</DistinctParties>".repeat(depth).as_bytes());
    bytes.extend_from_slice(b"</Sanctions>\n");
    let error = sample.parse(bytes).unwrap_err();
    assert_eq!(
        error.location,
        Location::LineColumn(MAX_XML_DEPTH as u64 + 2, 1),
        "{error}"
    );
    assert!(
        error.message.contains("nested more than 64 deep"),
        "{error}"
    );
}

/// Runs `listdiff ingest` of `file` as `sample`'s format on the store of `env` dated
/// `published`: its exit code and standard error.
fn ingest(env: &Env, sample: &Sample, file: &str, published: &str) -> (Option<i32>, String) {
    let mut args = vec![
        "ingest",
        "--format",
        sample.format,
        "--published",
        published,
        "--allow-drop",
    ];
    args.extend_from_slice(sample.args);
    args.push(file);
    let output = env.cmd(&args).output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Through the binary, for every format: a cut file, a field or line over the limit, XML too
/// deep and a huge id are refused with exit code 2, standard error names the file and line in
/// short lines, and the store is exactly as it was (nothing recorded, no removals).
#[test]
fn ingest_refuses_hostile_files_and_records_nothing() {
    for sample in samples() {
        let env = Env::new();
        let good = env.write(sample.file, &sample.bytes);
        let (code, stderr) = ingest(&env, &sample, &good, "2024-01-02");
        assert_eq!(code, Some(0), "{}: {stderr}", sample.format);
        let before = env.fingerprint();
        let mut hostile: Vec<(&str, Vec<u8>)> = vec![("cut", sample.cut())];
        match sample.layout {
            Layout::Xml(_) => hostile.push((
                "deep",
                sample.insert_in_first_record(
                    format!(
                        "{}{}",
                        "<d>".repeat(MAX_XML_DEPTH + 1),
                        "</d>".repeat(MAX_XML_DEPTH + 1)
                    )
                    .as_bytes(),
                ),
            )),
            Layout::Delimited(_) => hostile.push((
                "field",
                sample.replace_first(sample.value, &"F".repeat(2 * MAX_FIELD_BYTES)),
            )),
            Layout::JsonLines => hostile.push((
                "line",
                sample.replace_first(sample.value, &"L".repeat(MAX_RECORD_BYTES + 1)),
            )),
            Layout::Html(_) => hostile.push((
                "deep",
                sample.insert_in_first_record("<div>".repeat(100_000).as_bytes()),
            )),
            Layout::WholeJson => {}
        }
        if let Some(bytes) = sample.with_id(&"I".repeat(300_000)) {
            hostile.push(("huge id", bytes));
        }
        for (case, bytes) in hostile {
            let file = env.write(&format!("hostile/{}", sample.file), &bytes);
            let (code, stderr) = ingest(&env, &sample, &file, "2024-01-03");
            let what = format!("{} ({case})", sample.format);
            assert_eq!(code, Some(2), "{what}: {stderr}");
            assert_eq!(env.fingerprint(), before, "{what}: the store changed");
            assert!(
                stderr.contains(&format!("{}:", sample.file))
                    || stderr.contains(&format!("{} (record ", sample.file)),
                "{what}: stderr names no file and line or record: {stderr}"
            );
            for line in stderr.lines() {
                assert!(
                    line.len() <= 1000,
                    "{what}: a line of {} bytes on stderr",
                    line.len()
                );
            }
        }
    }
}

/// Item 7: a format that reads its file whole refuses a file over the whole-file limit before
/// reading it (a sparse file: the test writes no data).
#[test]
fn whole_read_formats_refuse_files_over_the_size_limit() {
    for sample in samples() {
        if sample.format().streams() {
            continue;
        }
        let env = Env::new();
        let path = env.dir.path().join(sample.file);
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(MAX_WHOLE_FILE_BYTES + 1).unwrap();
        let (code, stderr) = ingest(&env, &sample, path.to_str().unwrap(), "2024-01-02");
        assert_eq!(code, Some(2), "{}: {stderr}", sample.format);
        assert!(
            stderr.contains(sample.file) && stderr.contains("256 MiB"),
            "{}: {stderr}",
            sample.format
        );
        assert!(
            !env.store().exists(),
            "{}: a store was created",
            sample.format
        );
    }
}

/// Item 1, per JSON format (the native format's own test is tests/numbers.rs): a 28-digit
/// integer in an entry's publisher fields ingests, verifies and is answered exactly.
#[test]
fn long_numbers_round_trip_in_every_json_format() {
    let number = "9113754543187964647302328665";
    let files: [(&str, &[&str], String); 3] = [
        (
            "entries.ndjson",
            &["--list", "t-ndjson"],
            format!(
                "{{\"id\": \"A1\", \"name\": \"Alpha\", \"extra\": {{\"n\": {number}}}}}\n{{\"id\": \"B2\", \"name\": \"Beta\"}}\n"
            ),
        ),
        (
            "entities.ftm.json",
            &[],
            format!(
                "{{\"id\": \"NK-A1\", \"caption\": \"Alpha\", \"schema\": \"Company\", \"properties\": {{}}, \"datasets\": [\"t_ds\"], \"n\": {number}}}\n"
            ),
        ),
        (
            "entities.delta.json",
            &[],
            format!(
                "{{\"op\": \"ADD\", \"entity\": {{\"id\": \"NK-A1\", \"caption\": \"Alpha\", \"schema\": \"Company\", \"properties\": {{}}, \"datasets\": [\"t_ds\"], \"n\": {number}}}}}\n"
            ),
        ),
    ];
    for (name, args, text) in files {
        let env = Env::new();
        let file = env.write(name, text);
        let mut ingest = vec!["ingest", "--published", "2024-01-02"];
        ingest.extend_from_slice(args);
        ingest.push(&file);
        env.ok(&ingest);
        env.ok(&["verify"]);
        let answer = env.ok(&["as-of", "2024-01-02", "-o", "json"]);
        assert!(
            answer.contains(&format!("\"n\":{number}")),
            "{name}: the number is not answered exactly: {answer}"
        );
    }
}
