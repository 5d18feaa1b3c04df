//! listdiff's native JSON format: one publication per file.
//!
//! ```json
//! {"list": "us-bis-entity-list", "published": "2024-12-11", "source": "89 FR 99999",
//!  "kind": "amendment", "add": [ENTRY], "amend": [ENTRY], "remove": ["id"]}
//! ```
//! A snapshot has `"kind": "snapshot"` and `"entries": [ENTRY]`. Unknown keys are refused so a
//! misspelt field is never silently dropped; publisher fields belong in an entry's `extra`.

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::PUBLICATION_KEYS;
use crate::formats::read::decode::Syntax;
use crate::formats::read::head::{FirstKey, json_first_key};
use crate::formats::read::text::whole_text;
use crate::formats::registry::{Capabilities, FormatDescriptor, Recognised, Recogniser, Shape};
use crate::formats::{FormatError, Input, Location, ParsedPublication, record_error};
use crate::model::{
    Amendment, Entry, EntryId, ListId, ModelError, PublicationContent, PublicationKind,
};

/// The file with its entries still as JSON text: they are read, on every core, afterwards.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NativeFile<'a> {
    list: ListId,
    #[serde(default, deserialize_with = "crate::model::optional_date")]
    published: Option<NaiveDate>,
    #[serde(default)]
    source: Option<String>,
    kind: PublicationKind,
    #[serde(default, borrow)]
    entries: Option<Vec<&'a RawValue>>,
    #[serde(default, borrow)]
    add: Option<Vec<&'a RawValue>>,
    #[serde(default, borrow)]
    amend: Option<Vec<&'a RawValue>>,
    #[serde(default)]
    remove: Option<Vec<EntryId>>,
}

/// Reads and normalises entries given as JSON text within `text`, on every core for many.
fn read_entries(name: &str, text: &str, raw: &[&RawValue]) -> Result<Vec<Entry>, FormatError> {
    let read = |item: &RawValue| -> Result<Entry, FormatError> {
        let entry: Entry = serde_json::from_str(item.get()).map_err(|e| {
            // Place the error in the file: the entry's offset, then its own line and column.
            let offset = item.get().as_ptr() as usize - text.as_ptr() as usize;
            let before = &text[..offset];
            let line = before.matches('\n').count() as u64 + e.line() as u64;
            let column = if e.line() <= 1 {
                (offset - before.rfind('\n').map_or(0, |n| n + 1)) as u64 + e.column() as u64
            } else {
                e.column() as u64
            };
            let (_, message) = crate::formats::json_error_parts(&e);
            FormatError::new(
                name,
                Location::LineColumn(line, column),
                format!("invalid native publication: {message}"),
            )
        })?;
        entry.normalize().map_err(|e| {
            let offset = item.get().as_ptr() as usize - text.as_ptr() as usize;
            let line = text[..offset].matches('\n').count() as u64 + 1;
            FormatError::new(name, Location::Line(line), e.to_string())
        })
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let entries: Vec<Entry> = if cores < 2 || raw.len() < 4096 {
        raw.iter()
            .map(|item| read(item))
            .collect::<Result<_, _>>()?
    } else {
        let chunk = raw.len().div_ceil(cores);
        let parts: Vec<Result<Vec<Entry>, FormatError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = raw
                .chunks(chunk)
                .map(|part| scope.spawn(move || part.iter().map(|item| read(item)).collect()))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("reading entries never panics"))
                .collect()
        });
        let mut entries = Vec::with_capacity(raw.len());
        for part in parts {
            entries.extend(part?);
        }
        entries
    };
    Ok(entries)
}

/// Maps a serde_json error to a located format error.
fn json_error(file: &str, error: &serde_json::Error) -> FormatError {
    let (location, text) = crate::formats::json_error_parts(error);
    let message = if error.is_eof() {
        format!("the file ends too early ({text}): is it truncated?")
    } else {
        format!("invalid native publication: {text}")
    };
    FormatError::new(file, location, message)
}

/// The `native` format.
pub(crate) static NATIVE: FormatDescriptor = FormatDescriptor {
    name: "native",
    description: "listdiff native JSON publication (snapshot or amendment)",
    list_ids: "as stated in the file (\"list\")",
    key: "id",
    reason_fields: "programs, reason, license_requirement, license_policy, citations",
    // Unchanged: a file that is not UTF-8 used to be refused (now read, with a warning).
    parser_version: 1,
    recogniser: Some(Recogniser {
        shape: Shape::JsonObject,
        // After the JSON-lines formats, whose first line may start with a publication's key.
        order: 3,
        test: recognise,
    }),
    parse,
    capabilities: Capabilities::NONE,
};

/// A JSON object whose first key is a publication's; or one whose first key cannot be read
/// (`{}`, cut short, malformed): the parser then says what is wrong.
fn recognise(head: &[u8]) -> Option<Recognised> {
    match json_first_key(head) {
        FirstKey::Unreadable => Some(Recognised::This),
        FirstKey::Key(key) => PUBLICATION_KEYS
            .contains(&key.as_str())
            .then_some(Recognised::This),
    }
}

/// Reads one input.
pub(crate) fn parse(input: &Input) -> Result<(Vec<ParsedPublication>, Vec<String>), FormatError> {
    let name = input.primary.name.as_str();
    let decoded = whole_text(&input.primary, Syntax::Text)?;
    let text: &str = &decoded.text;
    let warnings: Vec<String> = decoded.note.map(|n| n.warning(name)).into_iter().collect();
    let file: NativeFile = serde_json::from_str(text).map_err(|e| json_error(name, &e))?;
    let whole = |message: String| FormatError::new(name, Location::File, message);
    let entries = |raw: Option<Vec<&RawValue>>| -> Result<Vec<Entry>, FormatError> {
        read_entries(name, text, &raw.unwrap_or_default())
    };
    let content = match file.kind {
        PublicationKind::Snapshot => {
            if file.add.is_some() || file.amend.is_some() || file.remove.is_some() {
                return Err(whole(
                    "a snapshot states its entries in \"entries\"; \"add\", \"amend\" and \"remove\" belong to \"kind\": \"amendment\"".into(),
                ));
            }
            if file.entries.is_none() {
                return Err(whole(
                    "a snapshot needs \"entries\" (use [] for an empty list)".into(),
                ));
            }
            PublicationContent::Snapshot(entries(file.entries)?)
        }
        PublicationKind::Amendment => {
            if file.entries.is_some() {
                return Err(whole(
                    "an amendment states \"add\", \"amend\" and \"remove\"; \"entries\" belongs to \"kind\": \"snapshot\"".into(),
                ));
            }
            PublicationContent::Amendment(Amendment {
                add: entries(file.add)?,
                amend: entries(file.amend)?,
                remove: file.remove.unwrap_or_default(),
            })
        }
    };
    content
        .check_ids()
        .map_err(|e: ModelError| record_error(name, e, |_| None))?;
    let source = file.source.and_then(|s| crate::model::text::normalize(&s));
    Ok((
        vec![ParsedPublication {
            stated_date_text: None,
            list: file.list,
            stated_date: file.published,
            source,
            content,
            columns: None,
        }],
        warnings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Vec<ParsedPublication>, FormatError> {
        parse(&Input::single("t.json", text.as_bytes().to_vec())).map(|(p, _)| p)
    }

    #[test]
    fn reads_a_snapshot() {
        let p = parse_str(
            r#"{"list": "us-bis-entity-list", "published": "2024-12-11", "source": " 89 FR  99999 ",
                "kind": "snapshot", "entries": [
                  {"id": "a", "name": "Acme", "type": "entity", "countries": ["China"],
                   "license_policy": "Presumption of denial.", "listed_on": "2020-01-02",
                   "extra": {"footnote": "1"}}]}"#,
        )
        .unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].list.as_str(), "us-bis-entity-list");
        assert_eq!(p[0].stated_date, Some("2024-12-11".parse().unwrap()));
        assert_eq!(p[0].source.as_deref(), Some("89 FR 99999"));
        let PublicationContent::Snapshot(entries) = &p[0].content else {
            panic!("expected a snapshot")
        };
        assert_eq!(
            entries[0].license_policy.as_deref(),
            Some("Presumption of denial.")
        );
    }

    #[test]
    fn reads_an_amendment_without_a_date() {
        let p = parse_str(r#"{"list": "l", "kind": "amendment", "remove": ["x"]}"#).unwrap();
        assert_eq!(p[0].stated_date, None);
        assert!(matches!(&p[0].content, PublicationContent::Amendment(a) if a.remove.len() == 1));
    }

    #[test]
    fn errors_in_large_files_read_on_every_core_say_where() {
        let mut text = String::from("{\"list\": \"l\", \"kind\": \"snapshot\", \"entries\": [\n");
        for i in 0..6000 {
            let name = if i == 4500 {
                "\"nam\": \"X\"".to_string()
            } else {
                format!("\"name\": \"E{i}\"")
            };
            text.push_str(&format!(
                "  {{\"id\": \"{i}\", {name}}}{}\n",
                if i < 5999 { "," } else { "" }
            ));
        }
        text.push_str("]}\n");
        let e = parse_str(&text).unwrap_err();
        // Entry 4500 is on line 4502; serde_json points at the end of `"nam"`, column 22.
        assert_eq!(e.location, Location::LineColumn(4502, 22), "{e}");
        assert!(e.message.contains("unknown field `nam`"), "{}", e.message);

        let text = text.replace("\"nam\": \"X\"", "\"name\": \"  \"");
        let e = parse_str(&text).unwrap_err();
        assert_eq!(e.location, Location::Line(4502), "{e}");
        assert!(e.message.contains("empty name"), "{}", e.message);

        let ok = text.replace("\"name\": \"  \"", "\"name\": \"Fine\"");
        let p = parse_str(&ok).unwrap();
        assert_eq!(p[0].content.len(), 6000);
    }

    #[test]
    fn errors_say_where() {
        let e = parse_str("{\"list\": \"l\",\n \"kind\": \"snapshot\",\n \"entries\": [{\"id\": \"a\", \"nam\": \"A\"}]}").unwrap_err();
        assert_eq!(e.location, Location::LineColumn(3, 30));
        assert!(e.message.contains("unknown field `nam`"), "{}", e.message);

        let e =
            parse_str(r#"{"list": "l", "kind": "snapshot", "entries": [{"id": "a", "name": "A"}"#)
                .unwrap_err();
        assert!(e.message.contains("truncated"), "{}", e.message);

        let e = parse_str(
            r#"{"list": "l", "published": "2024-13-45", "kind": "snapshot", "entries": []}"#,
        )
        .unwrap_err();
        assert!(
            e.message.contains("\"2024-13-45\" is not a date"),
            "{}",
            e.message
        );

        let e = parse_str(r#"{"list": "l", "kind": "snapshot", "entries": [{"id": "a", "name": "A"}, {"id": "a", "name": "B"}]}"#).unwrap_err();
        assert_eq!(
            e.location,
            Location::Record {
                number: 2,
                line: None
            }
        );
        assert!(e.message.contains("duplicate id"), "{}", e.message);

        let e = parse_str(r#"{"list": "l", "kind": "snapshot"}"#).unwrap_err();
        assert!(e.message.contains("needs \"entries\""), "{}", e.message);

        let e =
            parse_str(r#"{"list": "Bad List", "kind": "snapshot", "entries": []}"#).unwrap_err();
        assert!(e.message.contains("invalid list id"), "{}", e.message);
    }
}
