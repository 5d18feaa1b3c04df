//! The EU Financial Sanctions Files XML (`export`): read one `sanctionEntity` at a time.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::{BLOCKS, Draft, LIST, build_entry, field_key, regulation_key, regulation_summary_key};
#[cfg(doc)]
use crate::formats::Format;
use crate::formats::naming::snake_case;
use crate::formats::read::xml::{Node, Unresolved, XmlEvent, XmlReader, XmlRules, root_element};
use crate::formats::registry::{
    Capabilities, Entries, FormatDescriptor, Recognised, Recogniser, Shape,
};
use crate::formats::{
    EntrySink, FormatError, Input, Location, ParseResult, ParsedPublication, StreamedSnapshot,
    dates, frozen, list_id, merge_entry, record_error,
};
use crate::model::{Entry, PublicationContent};

/// The `eu-fsf-xml` format.
pub(crate) static EU_FSF_XML: FormatDescriptor = FormatDescriptor {
    name: "eu-fsf-xml",
    description: "EU Financial Sanctions Files XML (export)",
    list_ids: "eu-fsf",
    key: "logicalId",
    reason_fields: "regulation programme → programs, regulation numberTitle/type/dates/publicationUrl → citations, remark → reason",
    // 2: as `un-xml` (the same reader before): the encoding is no longer decided from the
    // file's first bytes alone.
    parser_version: 2,
    recogniser: Some(Recogniser {
        shape: Shape::Xml,
        order: 0,
        test: recognise,
    }),
    parse: parse_xml,
    capabilities: Capabilities {
        streams: true,
        entries: Entries::RecordByRecord(parse_xml_entries),
        ..Capabilities::NONE
    },
};

/// What the EU XML tolerates: an entity it does not know is kept as written.
const RULES: XmlRules = XmlRules {
    check_end_names: true,
    unknown_entities: Unresolved::Keep,
    bad_character_references: Unresolved::Refuse,
    malformed_attributes: Unresolved::Refuse,
    more_entities: None,
};

/// Reads the `sanctionEntity` elements of an EU XML file one at a time, giving each as its
/// entry (not yet normalised) with its logicalId, line and record number to `f` (which says
/// whether to read on); returns the file's `generationDate` as written and the decoding
/// warning.
fn read_entities(
    input: &Input,
    mut f: impl FnMut(String, Entry, u64) -> Result<bool, FormatError>,
) -> Result<(Option<String>, Option<String>), FormatError> {
    let file = input.primary.name.as_str();
    let mut xml = XmlReader::open(&input.primary, RULES)?;
    let (root, root_empty) = xml.root("export", "an EU Financial Sanctions File")?;
    let stated_text = root.attr("generationDate").map(str::to_string);
    let mut number = 0u64;
    if !root_empty {
        loop {
            match xml.next()? {
                // The reader refuses a file that ends inside an element.
                XmlEvent::Eof | XmlEvent::End { .. } => break,
                XmlEvent::Text(_) => {}
                XmlEvent::Start { tag, empty } => {
                    let line = xml.line();
                    let node = if empty {
                        Node::from(tag)
                    } else {
                        xml.read_subtree(tag)?
                    };
                    if node.name != "sanctionEntity" {
                        continue;
                    }
                    number += 1;
                    let located = |message: String| {
                        FormatError::new(
                            file,
                            Location::Record {
                                number,
                                line: Some(line),
                            },
                            message,
                        )
                    };
                    let draft = entity_draft(&node, line).map_err(located)?;
                    let key = draft.id.clone();
                    let entry = frozen(build_entry(draft).map_err(located)?);
                    if !f(key, entry, line)? {
                        break;
                    }
                }
            }
        }
    }
    Ok((stated_text, xml.decode_warning()))
}

/// The root `export` of the EU's namespace (or with `sanctionEntity` records).
pub(super) fn recognise(head: &[u8]) -> Option<Recognised> {
    let root = root_element(head)?.local;
    let eu = memchr::memmem::find(head, b"http://eu.europa.ec/fpi/fsd/export").is_some()
        || memchr::memmem::find(head, b"<sanctionEntity").is_some();
    (root == "export" && eu).then_some(Recognised::This)
}

/// Reads one input.
pub(super) fn parse_xml(input: &Input) -> ParseResult {
    let file = input.primary.name.as_str();
    // Each entity becomes its entry as soon as it is read (held as compact JSON), so memory
    // follows the entries, not the XML.
    let mut entries: Vec<Entry> = Vec::new();
    let mut lines: Vec<u64> = Vec::new();
    let mut positions: HashMap<String, usize> = HashMap::new();
    let mut warnings = Vec::new();
    let (stated_text, decoding) = read_entities(input, |key, entry, line| {
        match positions.get(&key) {
            Some(&at) => {
                let first_line = lines.get(at).copied().unwrap_or(0);
                warnings.push(format!(
                    "{file}:{line}: sanctionEntity logicalId \"{key}\" repeats the one at line {first_line}; the two were merged into one entry"
                ));
                if let Some(first) = entries.get_mut(at) {
                    merge_entry(first, entry);
                }
            }
            None => {
                positions.insert(key, entries.len());
                entries.push(entry);
                lines.push(line);
            }
        }
        Ok(true)
    })?;
    warnings.splice(0..0, decoding);
    let content = PublicationContent::Snapshot(entries)
        .normalize()
        .map_err(|e| record_error(file, e, |i| lines.get(i).copied()))?;
    let publication = ParsedPublication {
        list: list_id(LIST),
        stated_date: stated_text.as_deref().and_then(dates::eu),
        stated_date_text: stated_text,
        source: None,
        content,
        columns: None,
    };
    Ok((vec![publication], warnings))
}

/// Reads an EU XML file one entry at a time into `sink` (see [`Format::parse_entries`]);
/// `None` when a logicalId repeats (the entries must then be merged: read it whole).
pub(super) fn parse_xml_entries(
    input: &Input,
    sink: &mut EntrySink,
) -> Result<Option<StreamedSnapshot>, FormatError> {
    let file = input.primary.name.as_str();
    let mut seen: HashSet<String> = HashSet::new();
    let mut repeated = false;
    let mut count = 0usize;
    let (stated_text, decoding) = read_entities(input, |key, entry, line| {
        if !seen.insert(key) {
            repeated = true;
            return Ok(false);
        }
        count += 1;
        let entry = entry.normalize().map_err(|e| {
            FormatError::new(
                file,
                Location::Record {
                    number: count as u64,
                    line: Some(line),
                },
                e.to_string(),
            )
        })?;
        sink(entry)?;
        Ok(true)
    })?;
    if repeated {
        return Ok(None);
    }
    Ok(Some(StreamedSnapshot {
        list: list_id(LIST),
        stated_date: stated_text.as_deref().and_then(dates::eu),
        stated_date_text: stated_text,
        warnings: decoding.into_iter().collect(),
        entries: count,
    }))
}

/// The draft of one `sanctionEntity` element.
fn entity_draft(node: &Node, line: u64) -> Result<Draft, String> {
    let mut draft = Draft {
        line,
        ..Draft::default()
    };
    for (key, value) in &node.attrs {
        if key == "logicalId" {
            draft.id = value.trim().to_string();
        } else {
            draft.add_attr(&snake_case(key), value);
        }
    }
    if draft.id.is_empty() {
        return Err(
            "the sanctionEntity has no logicalId, the key of EU entries; the record cannot be keyed"
                .into(),
        );
    }
    for child in &node.children {
        match child.name.as_str() {
            "remark" => draft.add_remark(&child.text),
            "regulation" => {
                let mut object = Map::new();
                for (key, value) in &child.attrs {
                    object.insert(
                        regulation_key(&snake_case(key)),
                        Value::String(value.clone()),
                    );
                }
                for grandchild in &child.children {
                    object.insert(
                        regulation_key(&snake_case(&grandchild.name)),
                        Value::String(grandchild.text.clone()),
                    );
                }
                draft.add_regulation(object);
            }
            "subjectType" => {
                for (key, value) in &child.attrs {
                    let key = if key == "code" {
                        "subject_type".to_string()
                    } else {
                        snake_case(key)
                    };
                    draft.add_attr(&key, value);
                }
            }
            other => {
                let key = BLOCKS
                    .iter()
                    .find(|(element, _, _)| *element == other)
                    .map_or_else(|| snake_case(other), |(_, _, key)| key.to_string());
                draft.add_block(&key, sub_record(child));
            }
        }
    }
    Ok(draft)
}

/// A sub-record (`nameAlias`, `address`, …) as an object: attributes, `regulationSummary`
/// flattened to `regulation_*`, `remark`, `contactInfo` as `KEY: value` pairs.
fn sub_record(node: &Node) -> Map<String, Value> {
    let mut object = Map::new();
    for (key, value) in &node.attrs {
        object.insert(field_key(snake_case(key)), Value::String(value.clone()));
    }
    let append =
        |object: &mut Map<String, Value>, key: String, value: String| match object.get_mut(&key) {
            Some(Value::String(existing)) if !value.trim().is_empty() => {
                existing.push_str("; ");
                existing.push_str(&value);
            }
            Some(_) => {}
            None => {
                object.insert(key, Value::String(value));
            }
        };
    for child in &node.children {
        match child.name.as_str() {
            "regulationSummary" => {
                for (key, value) in &child.attrs {
                    append(
                        &mut object,
                        regulation_summary_key(&snake_case(key)),
                        value.clone(),
                    );
                }
            }
            "contactInfo" => {
                let key = child.attr("key").unwrap_or("").trim();
                let value = child.attr("value").unwrap_or("").trim();
                let pair = if key.is_empty() {
                    value.to_string()
                } else {
                    format!("{key}: {value}")
                };
                append(&mut object, "contact_info".into(), pair);
            }
            other => {
                let mut text = child.text.clone();
                for (key, value) in &child.attrs {
                    text.push_str(&format!(" {key}={value}"));
                }
                append(&mut object, field_key(snake_case(other)), text);
            }
        }
    }
    object
}
