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

use super::{FormatError, Input, Location, ParsedPublication, record_error, strip_bom};
use crate::model::{Amendment, Entry, EntryId, ListId, PublicationContent, PublicationKind};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NativeFile {
    list: ListId,
    #[serde(default, deserialize_with = "crate::model::optional_date")]
    published: Option<NaiveDate>,
    #[serde(default)]
    source: Option<String>,
    kind: PublicationKind,
    #[serde(default)]
    entries: Option<Vec<Entry>>,
    #[serde(default)]
    add: Option<Vec<Entry>>,
    #[serde(default)]
    amend: Option<Vec<Entry>>,
    #[serde(default)]
    remove: Option<Vec<EntryId>>,
}

/// Maps a serde_json error to a located format error.
fn json_error(file: &str, error: &serde_json::Error) -> FormatError {
    let (location, text) = super::json_error_parts(error);
    let message = if error.is_eof() {
        format!("the file ends too early ({text}): is it truncated?")
    } else {
        format!("invalid native publication: {text}")
    };
    FormatError::new(file, location, message)
}

pub(super) fn parse(input: &Input) -> Result<(Vec<ParsedPublication>, Vec<String>), FormatError> {
    let name = input.primary.name.as_str();
    let file: NativeFile = serde_json::from_slice(strip_bom(&input.primary.bytes))
        .map_err(|e| json_error(name, &e))?;
    let whole = |message: String| FormatError::new(name, Location::File, message);
    let content = match file.kind {
        PublicationKind::Snapshot => {
            if file.add.is_some() || file.amend.is_some() || file.remove.is_some() {
                return Err(whole(
                    "a snapshot states its entries in \"entries\"; \"add\", \"amend\" and \"remove\" belong to \"kind\": \"amendment\"".into(),
                ));
            }
            let entries = file.entries.ok_or_else(|| {
                whole("a snapshot needs \"entries\" (use [] for an empty list)".into())
            })?;
            PublicationContent::Snapshot(entries)
        }
        PublicationKind::Amendment => {
            if file.entries.is_some() {
                return Err(whole(
                    "an amendment states \"add\", \"amend\" and \"remove\"; \"entries\" belongs to \"kind\": \"snapshot\"".into(),
                ));
            }
            PublicationContent::Amendment(Amendment {
                add: file.add.unwrap_or_default(),
                amend: file.amend.unwrap_or_default(),
                remove: file.remove.unwrap_or_default(),
            })
        }
    };
    let content = content
        .normalize()
        .map_err(|e| record_error(name, e, |_| None))?;
    let source = file.source.and_then(|s| crate::model::text::normalize(&s));
    Ok((
        vec![ParsedPublication {
            list: file.list,
            stated_date: file.published,
            source,
            content,
        }],
        Vec::new(),
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
