//! Recognising a format from the first bytes of a file.

use serde::Deserialize;

use super::Format;
use super::read::decode::{Syntax, decode, head_for_sniffing};

/// What a file looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detection {
    /// A publication in this format.
    Format(Format),
    /// An OFAC companion file (`alt.csv`, `add.csv` or `sdn_comments.csv`): it is read together
    /// with the `sdn.csv` beside it, never on its own.
    Companion(&'static str),
    /// No bytes, or only white space.
    Empty,
    /// Nothing listdiff reads.
    Unknown,
}

const NATIVE_KEYS: [&str; 8] = [
    "list",
    "published",
    "source",
    "kind",
    "entries",
    "add",
    "amend",
    "remove",
];
const CSL_JSON_KEYS: [&str; 5] = [
    "results",
    "total",
    "offset",
    "search_performed_at",
    "sources_used",
];

/// How much of a file's start is looked at.
const HEAD: usize = 64 * 1024;

/// Recognises the format of `bytes` from its beginning (UTF-16 with a byte-order mark
/// included). Recognisers see the head as the formats read it: decoded by the one policy, with
/// a byte-order mark and leading white space removed, at most [`HEAD`] bytes of it.
pub fn detect(bytes: &[u8]) -> Detection {
    let bytes = head_for_sniffing(bytes.get(..bytes.len().min(2 * HEAD)).unwrap_or(bytes));
    let Some(start) = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != 0x1A)
    else {
        return Detection::Empty;
    };
    let rest = bytes.get(start..).unwrap_or_default();
    let rest = rest.get(..rest.len().min(HEAD)).unwrap_or(rest);
    let syntax = if rest.first() == Some(&b'<') {
        Syntax::Xml
    } else {
        Syntax::Text
    };
    let decoded = decode(rest, syntax);
    let head = decoded.text.as_bytes();
    match head.first() {
        Some(b'{') => detect_json_object(head),
        Some(b'<') => detect_xml(head),
        Some(_) => detect_delimited(head),
        None => Detection::Empty,
    }
}

/// A format module's test of a file's first bytes.
type Recogniser = fn(&[u8]) -> Option<Format>;

/// XML: each XML format knows its root element.
fn detect_xml(head: &[u8]) -> Detection {
    let recognisers: [Recogniser; 6] = [
        super::ofac::legacy_xml::recognise,
        super::ofac::advanced_xml::recognise,
        super::un::recognise,
        super::eu_fsf::recognise,
        super::uk::recognise,
        super::ecfr::recognise,
    ];
    recognisers
        .iter()
        .find_map(|recognise| recognise(head))
        .map_or(Detection::Unknown, Detection::Format)
}

/// Keys of a native entry: a first line that is an object with one of them, and none of the
/// native publication's keys, is a line of native NDJSON.
const ENTRY_KEYS: [&str; 4] = ["id", "name", "aliases", "programs"];

/// Tells the JSON formats apart: JSON lines (OpenSanctions entities or deltas, native entries)
/// by their first line, else the native publication or the CSL JSON by their first key.
fn detect_json_object(bytes: &[u8]) -> Detection {
    let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or(bytes);
    if let Ok(object) =
        serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(first_line)
    {
        let has = |key: &str| object.contains_key(key);
        if has("op") && has("entity") {
            return Detection::Format(Format::FtmDelta);
        }
        if has("schema") && has("properties") {
            return Detection::Format(Format::FtmJson);
        }
        if !NATIVE_KEYS.iter().any(|k| has(k)) && ENTRY_KEYS.iter().any(|k| has(k)) {
            return Detection::Format(Format::NativeNdjson);
        }
    }
    detect_first_key(bytes)
}

/// Reads the first key of a JSON object to tell the native format from the CSL JSON.
fn detect_first_key(bytes: &[u8]) -> Detection {
    let after_brace = &bytes[1..];
    let Some(quote) = after_brace.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Detection::Format(Format::Native);
    };
    if after_brace[quote] != b'"' {
        // `{}` or malformed: let the native parser explain what is wrong.
        return Detection::Format(Format::Native);
    }
    let mut de = serde_json::Deserializer::from_slice(&after_brace[quote..]);
    match String::deserialize(&mut de) {
        Ok(key) if CSL_JSON_KEYS.contains(&key.as_str()) => Detection::Format(Format::CslJson),
        Ok(key) if NATIVE_KEYS.contains(&key.as_str()) => Detection::Format(Format::Native),
        Ok(_) => Detection::Unknown,
        // A truncated first key: still a JSON object, let the native parser report where.
        Err(_) => Detection::Format(Format::Native),
    }
}

/// Looks at the first CSV record: a CSL header, or an OFAC legacy row.
fn detect_delimited(bytes: &[u8]) -> Detection {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    match reader.read_byte_record(&mut record) {
        Ok(true) => {}
        _ => return Detection::Unknown,
    }
    let fields: Vec<String> = record
        .iter()
        .map(|f| String::from_utf8_lossy(f).trim().to_ascii_lowercase())
        .collect();
    let has = |name: &str| fields.iter().any(|f| f == name);
    if has("source") && has("name") && (has("federal_register_notice") || has("programs")) {
        return Detection::Format(Format::CslCsv);
    }
    let recognisers: [Recogniser; 3] = [
        super::bis_dpl::recognise,
        super::eu_fsf::recognise,
        super::uk::recognise,
    ];
    if let Some(format) = recognisers.iter().find_map(|recognise| recognise(bytes)) {
        return Detection::Format(format);
    }
    let first_is_number = !fields[0].is_empty() && fields[0].bytes().all(|b| b.is_ascii_digit());
    if !first_is_number {
        return Detection::Unknown;
    }
    let second_is_number = fields
        .get(1)
        .is_some_and(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    match fields.len() {
        12 => Detection::Format(Format::OfacSdnCsv),
        6 if second_is_number => Detection::Companion("add.csv"),
        5 if second_is_number => Detection::Companion("alt.csv"),
        2 => Detection::Companion("sdn_comments.csv"),
        _ => Detection::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_and_csl_json_are_told_apart_by_their_first_key() {
        assert_eq!(
            detect(br#"{"list": "x"}"#),
            Detection::Format(Format::Native)
        );
        assert_eq!(
            detect(b"\xEF\xBB\xBF \n{ \"kind\": 1"),
            Detection::Format(Format::Native)
        );
        assert_eq!(
            detect(br#"{"results": []}"#),
            Detection::Format(Format::CslJson)
        );
        assert_eq!(detect(br#"{"something": []}"#), Detection::Unknown);
        assert_eq!(detect(br#"{"lis"#), Detection::Format(Format::Native));
    }

    #[test]
    fn json_lines_are_told_apart_by_their_first_line() {
        assert_eq!(
            detect(b"{\"op\": \"ADD\", \"entity\": {\"id\": \"x\"}}\n"),
            Detection::Format(Format::FtmDelta)
        );
        assert_eq!(
            detect(b"{\"id\": \"NK-1\", \"schema\": \"Person\", \"properties\": {}}\n{}"),
            Detection::Format(Format::FtmJson)
        );
        assert_eq!(
            detect(b"{\"id\": \"1\", \"name\": \"Acme\"}\n{\"id\": \"2\", \"name\": \"B\"}\n"),
            Detection::Format(Format::NativeNdjson)
        );
        // A native publication on one line stays native.
        assert_eq!(
            detect(b"{\"list\": \"x\", \"entries\": [{\"id\": \"1\", \"name\": \"A\"}]}"),
            Detection::Format(Format::Native)
        );
    }

    #[test]
    fn csv_layouts_are_recognised() {
        assert_eq!(
            detect(b"_id,source,entity_number,type,programs,name,title\n"),
            Detection::Format(Format::CslCsv)
        );
        assert_eq!(
            detect(b"source,entity_number,type,programs,name,title,addresses,federal_register_notice\n"),
            Detection::Format(Format::CslCsv)
        );
        assert_eq!(
            detect(b"36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"),
            Detection::Format(Format::OfacSdnCsv)
        );
        assert_eq!(
            detect(b"36,12,\"aka\",\"AERO-CARIBBEAN\",-0- \r\n"),
            Detection::Companion("alt.csv")
        );
        assert_eq!(
            detect(b"36,25,-0- ,\"Havana\",\"Cuba\",-0- \r\n"),
            Detection::Companion("add.csv")
        );
        assert_eq!(
            detect(b"28263,\"hn'; Linked To: X.\"\r\n"),
            Detection::Companion("sdn_comments.csv")
        );
    }

    #[test]
    fn empty_and_unknown_files() {
        assert_eq!(detect(b""), Detection::Empty);
        assert_eq!(detect(b" \r\n\x1A"), Detection::Empty);
        assert_eq!(detect(b"# a readme\n"), Detection::Unknown);
        assert_eq!(detect(b"\x00\x01\x02binary"), Detection::Unknown);
    }
}
