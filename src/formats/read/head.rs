//! What recognisers read in a file's first bytes (see [`crate::formats::detect`]): the first
//! line as a JSON object, the first key of a JSON object, the first delimited record.

use serde::Deserialize;
use serde_json::{Map, Value};

/// The first line of a head, when it is one whole JSON object (a JSON-lines file).
pub(crate) fn json_first_line(head: &[u8]) -> Option<Map<String, Value>> {
    let first_line = head.split(|b| *b == b'\n').next().unwrap_or(head);
    serde_json::from_slice(first_line).ok()
}

/// The first key of the JSON object a head starts with (`head` starts with `{`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FirstKey {
    /// The key.
    Key(String),
    /// No key: `{}`, a value that is not a string where the key should be, or a key cut by the
    /// end of the head or malformed.
    Unreadable,
}

/// Reads the first key of the JSON object `head` starts with.
pub(crate) fn json_first_key(head: &[u8]) -> FirstKey {
    let after_brace = head.get(1..).unwrap_or_default();
    let Some(quote) = after_brace.iter().position(|b| !b.is_ascii_whitespace()) else {
        return FirstKey::Unreadable;
    };
    if after_brace.get(quote) != Some(&b'"') {
        return FirstKey::Unreadable;
    }
    let mut de = serde_json::Deserializer::from_slice(after_brace.get(quote..).unwrap_or_default());
    match String::deserialize(&mut de) {
        Ok(key) => FirstKey::Key(key),
        Err(_) => FirstKey::Unreadable,
    }
}

/// The fields of the first record of a head, delimited by `delimiter`, each trimmed and in
/// lower case; `None` when the head holds no record.
pub(crate) fn first_record(head: &[u8], delimiter: u8) -> Option<Vec<String>> {
    first_records(head, delimiter, 1).pop()
}

/// The fields of the first `count` records of a head (fewer when the head holds fewer), each
/// field trimmed and in lower case.
pub(crate) fn first_records(head: &[u8], delimiter: u8, count: usize) -> Vec<Vec<String>> {
    let mut reader = super::csv::builder(delimiter).from_reader(head);
    let mut record = csv::ByteRecord::new();
    let mut records = Vec::with_capacity(count);
    while records.len() < count {
        match reader.read_byte_record(&mut record) {
            Ok(true) => records.push(
                record
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).trim().to_ascii_lowercase())
                    .collect(),
            ),
            _ => break,
        }
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads() {
        assert!(json_first_line(b"{\"a\": 1}\n{").is_some_and(|o| o.contains_key("a")));
        assert!(json_first_line(b"{\"a\": ").is_none());
        assert_eq!(
            json_first_key(b"{ \"list\": 1"),
            FirstKey::Key("list".into())
        );
        assert_eq!(json_first_key(b"{}"), FirstKey::Unreadable);
        assert_eq!(json_first_key(b"{ 1"), FirstKey::Unreadable);
        assert_eq!(json_first_key(b"{\"lis"), FirstKey::Unreadable);
        assert_eq!(
            first_record(b" A ,b\nc", b','),
            Some(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(first_records(b"a\nb;c\nd", b';', 2).len(), 2);
        assert_eq!(first_records(b"a", b',', 2).len(), 1);
    }
}
