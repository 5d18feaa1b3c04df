//! listdiff native entries as JSON lines: one ENTRY object per line, a snapshot.
//!
//! ```text
//! {"id": "a", "name": "Acme", "countries": ["China"], "license_policy": "Presumption of denial."}
//! {"id": "b", "name": "Beta Ltd", "type": "entity", "extra": {"footnote": "1"}}
//! ```
//! Each line is an entry exactly as in the native format's `entries` (unknown keys are refused
//! so a misspelt field is never silently dropped). The file states neither its list nor its
//! date: the list comes from `--list` (required) and the date from the command line. Blank
//! lines are skipped. Text is decoded by the one policy (see [`crate::formats::read::decode`]). The file
//! is streamed line by line.

use super::{ENTRY_KEYS, PUBLICATION_KEYS};
use crate::formats::read::head::json_first_line;
use crate::formats::read::text::Lines;
use crate::formats::registry::{
    Capabilities, Entries, FormatDescriptor, Recognised, Recogniser, Shape,
};
use crate::formats::{
    FormatError, Input, Location, ParseResult, ParsedPublication, frozen, record_error,
};
use crate::model::{Entry, PublicationContent};

/// The `native-ndjson` format.
pub(crate) static NATIVE_NDJSON: FormatDescriptor = FormatDescriptor {
    name: "native-ndjson",
    description: "listdiff native entries as JSON lines (one ENTRY per line), a snapshot",
    list_ids: "--list",
    key: "id",
    reason_fields: "programs, reason, license_requirement, license_policy, citations",
    // 2: lines that are not UTF-8 used to be decoded line by line; the file is now read as
    // UTF-8 up to its first byte that is not, Windows-1252 from there (a file mixing the two
    // reads differently).
    parser_version: 2,
    recogniser: Some(Recogniser {
        shape: Shape::JsonObject,
        // After the OpenSanctions lines, whose first line also has an "id".
        order: 2,
        test: recognise,
    }),
    parse,
    capabilities: Capabilities {
        streams: true,
        entries: Entries::AfterWholeRead,
        ..Capabilities::NONE
    },
};

/// A first line that is an object with an entry's key and none of a publication's.
fn recognise(head: &[u8]) -> Option<Recognised> {
    let object = json_first_line(head)?;
    let has = |key: &str| object.contains_key(key);
    (!PUBLICATION_KEYS.iter().any(|k| has(k)) && ENTRY_KEYS.iter().any(|k| has(k)))
        .then_some(Recognised::This)
}

/// Reads one input.
pub(crate) fn parse(input: &Input) -> ParseResult {
    let name = input.primary.name.as_str();
    let Some(list) = input.options.list.clone() else {
        return Err(FormatError::new(
            name,
            Location::File,
            "native entry lines do not name their list: give the list id with --list ID",
        ));
    };
    let mut reader = Lines::open(&input.primary)?;
    let mut entries: Vec<Entry> = Vec::new();
    let mut lines: Vec<Option<u64>> = Vec::new();
    while let Some((line, decoded)) = reader.next_line()? {
        let text = decoded.trim();
        if text.is_empty() {
            continue;
        }
        // Columns count from the start of the line, before the leading white space trimmed.
        let indent = decoded.len() - decoded.trim_start().len();
        let entry: Entry = serde_json::from_str(text).map_err(|e| {
            let (_, message) = crate::formats::json_error_parts(&e);
            let location = if e.column() > 0 {
                Location::LineColumn(line, (indent + e.column()) as u64)
            } else {
                Location::Line(line)
            };
            let hint = if text.contains("\"kind\"") && text.contains("\"list\"") {
                " (this looks like a whole native publication: read it with --format native)"
            } else {
                ""
            };
            FormatError::new(name, location, format!("invalid entry: {message}{hint}"))
        })?;
        entries.push(frozen(entry));
        lines.push(Some(line));
    }
    let warnings: Vec<String> = reader.decode_warning().into_iter().collect();
    let content = PublicationContent::Snapshot(entries)
        .normalize()
        .map_err(|e| record_error(name, e, |i| lines.get(i).copied().flatten()))?;
    Ok((
        vec![ParsedPublication {
            list,
            stated_date: None,
            stated_date_text: None,
            source: None,
            content,
            columns: None,
        }],
        warnings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ListId;

    fn parse_str(text: &[u8]) -> Result<Vec<ParsedPublication>, FormatError> {
        let mut input = Input::single("e.ndjson", text.to_vec());
        input.options.list = Some(ListId::new("my-list").unwrap());
        parse(&input).map(|(p, _)| p)
    }

    fn entries(p: &ParsedPublication) -> &[Entry] {
        match &p.content {
            PublicationContent::Snapshot(e) => e,
            PublicationContent::Amendment(_) => panic!("expected a snapshot"),
        }
    }

    #[test]
    fn reads_entries_skipping_blank_lines() {
        let p = parse_str(
            b"\xEF\xBB\xBF{\"id\": \"b\", \"name\": \" Beta  Ltd \", \"type\": \"Entity\", \"aliases\": [\"Y\", \"X\"]}\n\n  \r\n{\"id\": 7, \"name\": \"Acme\", \"listed_on\": \"2020-01-02\", \"extra\": {\"footnote\": \"1\"}}\r\n",
        )
        .unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].list.as_str(), "my-list");
        assert_eq!(p[0].stated_date, None);
        let e = entries(&p[0]);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].name, "Beta Ltd");
        assert_eq!(e[0].aliases, vec!["X", "Y"]);
        assert_eq!(e[1].id.as_str(), "7");
        assert_eq!(e[1].extra["footnote"], "1");
    }

    #[test]
    fn the_list_is_required() {
        let e = parse(&Input::single(
            "e.ndjson",
            b"{\"id\": \"a\", \"name\": \"A\"}\n".to_vec(),
        ))
        .unwrap_err();
        assert!(e.message.contains("--list ID"), "{e}");
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse_str(b"{\"id\": \"a\", \"name\": \"A\"}\n\n{\"id\": \"b\", \"nam\": \"B\"}\n")
            .unwrap_err();
        assert_eq!(e.location, Location::LineColumn(3, 17), "{e}");
        assert!(e.message.contains("unknown field `nam`"), "{e}");

        let e = parse_str(b"{\"id\": \"a\", \"name\": \"A\"}\n{\"id\": \"b\", \"name\": \"  \"}\n")
            .unwrap_err();
        assert_eq!(
            e.location,
            Location::Record {
                number: 2,
                line: Some(2)
            },
            "{e}"
        );

        let e =
            parse_str(b"{\"id\": \"a\", \"name\": \"A\"}\n\n{\"id\": \"a\", \"name\": \"B\"}\n")
                .unwrap_err();
        assert!(
            e.message.contains("duplicate id") && e.message.contains("(line 1)"),
            "{e}"
        );
        assert_eq!(
            e.location,
            Location::Record {
                number: 2,
                line: Some(3)
            }
        );

        let e =
            parse_str(b"{\"list\": \"l\", \"kind\": \"snapshot\", \"entries\": []}\n").unwrap_err();
        assert!(e.message.contains("--format native"), "{e}");

        let e = parse_str(b"  {\"id\": \"a\", \"name\": \"A\"").unwrap_err();
        assert_eq!(e.location, Location::LineColumn(1, 25), "{e}");
    }

    #[test]
    fn latin1_and_empty() {
        let p = parse_str(b"{\"id\": \"a\", \"name\": \"Caf\xE9\"}\n").unwrap();
        assert_eq!(entries(&p[0])[0].name, "Café");
        let p = parse_str(b"").unwrap();
        assert!(p[0].content.is_empty());
        let p = parse_str(b"\n \n").unwrap();
        assert!(p[0].content.is_empty());
    }
}
