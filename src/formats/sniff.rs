//! Recognising a format from the first bytes of a file, by the registry's recognisers.

use super::Format;
use super::read::decode::{Syntax, decode, head_for_sniffing};
use super::registry::{Recognised, Shape};

/// What a file looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detection {
    /// A publication in this format.
    Format(Format),
    /// A companion file (OFAC's `alt.csv`, `add.csv` or `sdn_comments.csv`): it is read
    /// together with the primary file beside it, never on its own.
    Companion(&'static str),
    /// No bytes, or only white space.
    Empty,
    /// Nothing listdiff reads.
    Unknown,
}

/// How much of a file's start is looked at.
const HEAD: usize = 64 * 1024;

/// Recognises the format of `bytes` from its beginning (UTF-16 with a byte-order mark
/// included). The head is decoded by the one policy, without a byte-order mark or leading white
/// space, at most 64 KiB of it; its first byte gives its shape (`<` XML, `{` JSON, else
/// delimited text), and the recognisers of that shape are asked in each format's order: the
/// first that recognises it decides.
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
    let (shape, syntax) = match rest.first() {
        Some(b'<') => (Shape::Xml, Syntax::Xml),
        Some(b'{') => (Shape::JsonObject, Syntax::Text),
        _ => (Shape::Delimited, Syntax::Text),
    };
    let decoded = decode(rest, syntax);
    let head = decoded.text.as_bytes();
    let mut recognisers: Vec<_> = Format::ALL
        .iter()
        .filter_map(|format| format.0.recogniser.map(|r| (*format, r)))
        .filter(|(_, r)| r.shape == shape)
        .collect();
    // Stable: formats of one order are asked in the registry's order.
    recognisers.sort_by_key(|(_, r)| r.order);
    recognisers
        .into_iter()
        .find_map(|(format, r)| {
            (r.test)(head).map(|found| match found {
                Recognised::This => Detection::Format(format),
                Recognised::Companion(name) => Detection::Companion(name),
            })
        })
        .unwrap_or(Detection::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(name: &str) -> Detection {
        Detection::Format(Format::from_name(name).expect("a registered format"))
    }

    #[test]
    fn native_and_csl_json_are_told_apart_by_their_first_key() {
        assert_eq!(detect(br#"{"list": "x"}"#), format("native"));
        assert_eq!(detect(b"\xEF\xBB\xBF \n{ \"kind\": 1"), format("native"));
        assert_eq!(detect(br#"{"results": []}"#), format("csl-json"));
        assert_eq!(detect(br#"{"something": []}"#), Detection::Unknown);
        assert_eq!(detect(br#"{"lis"#), format("native"));
    }

    #[test]
    fn json_lines_are_told_apart_by_their_first_line() {
        assert_eq!(
            detect(b"{\"op\": \"ADD\", \"entity\": {\"id\": \"x\"}}\n"),
            format("ftm-delta")
        );
        assert_eq!(
            detect(b"{\"id\": \"NK-1\", \"schema\": \"Person\", \"properties\": {}}\n{}"),
            format("ftm-json")
        );
        assert_eq!(
            detect(b"{\"id\": \"1\", \"name\": \"Acme\"}\n{\"id\": \"2\", \"name\": \"B\"}\n"),
            format("native-ndjson")
        );
        // A native publication on one line stays native.
        assert_eq!(
            detect(b"{\"list\": \"x\", \"entries\": [{\"id\": \"1\", \"name\": \"A\"}]}"),
            format("native")
        );
        // A delta line that also looks like an entity, or starts with a native key, is a delta.
        assert_eq!(
            detect(b"{\"list\": 1, \"op\": \"ADD\", \"entity\": {}, \"schema\": \"P\", \"properties\": {}}\n"),
            format("ftm-delta")
        );
    }

    #[test]
    fn csv_layouts_are_recognised() {
        assert_eq!(
            detect(b"_id,source,entity_number,type,programs,name,title\n"),
            format("csl-csv")
        );
        assert_eq!(
            detect(b"source,entity_number,type,programs,name,title,addresses,federal_register_notice\n"),
            format("csl-csv")
        );
        assert_eq!(
            detect(b"36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"),
            format("ofac-sdn-csv")
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

    #[test]
    fn heads_are_decoded_first() {
        // UTF-16 with a byte-order mark, as the formats read it.
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "{\"list\": \"x\"}".encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(detect(&utf16), format("native"));
        // A JSON-lines file in Windows-1252.
        assert_eq!(
            detect(b"{\"id\": \"1\", \"name\": \"Caf\xE9\"}\n"),
            format("native-ndjson")
        );
    }
}
