//! UN Security Council consolidated list XML (`CONSOLIDATED_LIST`).
//!
//! The root `CONSOLIDATED_LIST` carries `dateGenerated` (`2018-06-07T19:03:43.97-04:00`,
//! `2026-02-27T00:00:09.554Z`); the stated date is the date part of that timestamp, in the
//! timestamp's own offset, and the text is kept as written. Records are
//! `INDIVIDUALS/INDIVIDUAL` and `ENTITIES/ENTITY`; one list, `un-sc`, keyed by
//! `REFERENCE_NUMBER` (`QDi.414`, trimmed: some are published with a trailing space).
//!
//! Quirks handled:
//! - Two layouts of the same schema: 2018–2020 files put each record on one line, 2025 files
//!   are fully pretty-printed. Records are read as element trees and white space between
//!   elements is ignored, so both give the same entries for the same data.
//! - Names and comments hold embedded newlines and runs of spaces (`<FIRST_NAME> RI
//!   </FIRST_NAME>`): normalisation collapses them.
//! - The file is full of empty placeholders (`<INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/>
//!   </INDIVIDUAL_ALIAS>`, `<LAST_DAY_UPDATED><VALUE/></LAST_DAY_UPDATED>`, `<THIRD_NAME/>`)
//!   that newer files omit: empty values are absent after normalisation.
//! - `ALIAS_NAME` may hold several names joined by `;`: each becomes an alias (the raw value
//!   stays in `extra.alias`).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::read::xml::{Node, Unresolved, XmlEvent, XmlReader, XmlRules, root_element};
use super::registry::{Capabilities, Entries, FormatDescriptor, Recognised, Recogniser, Shape};
use super::{
    FormatError, Input, Location, ParseResult, ParsedPublication, dates, frozen, list_id,
    record_error,
};
use crate::model::{Entry, EntryId, EntryType, PublicationContent};

/// The `un-xml` format.
pub(crate) static UN_XML: FormatDescriptor = FormatDescriptor {
    name: "un-xml",
    description: "UN Security Council consolidated list XML (CONSOLIDATED_LIST)",
    list_ids: "un-sc",
    key: "REFERENCE_NUMBER",
    reason_fields: "UN_LIST_TYPE → programs, COMMENTS1 → reason",
    // 2: the encoding used to be decided from the file's first bytes (the whole file read as
    // Windows-1252 when they were not UTF-8), and a UTF-8 byte-order mark gave way to a
    // declaration naming another encoding; see `read::decode` for the one policy now.
    parser_version: 2,
    recogniser: Some(Recogniser {
        shape: Shape::Xml,
        order: 0,
        test: recognise,
    }),
    parse,
    capabilities: Capabilities {
        streams: true,
        entries: Entries::AfterWholeRead,
        ..Capabilities::NONE
    },
};

/// The list every UN file belongs to.
const LIST: &str = "un-sc";

/// What the UN XML tolerates: an entity it does not know is kept as written.
const RULES: XmlRules = XmlRules {
    check_end_names: true,
    unknown_entities: Unresolved::Keep,
    bad_character_references: Unresolved::Refuse,
    malformed_attributes: Unresolved::Refuse,
    more_entities: None,
};

/// Reads one input.
pub(super) fn parse(input: &Input) -> ParseResult {
    let file = input.primary.name.as_str();
    let mut xml = XmlReader::open(&input.primary, RULES)?;
    let (root, root_empty) = xml.root("CONSOLIDATED_LIST", "a UN consolidated list")?;
    let stated_text = root.attr("dateGenerated").map(str::to_string);
    let stated_date = stated_text.as_deref().and_then(dates::timestamp);

    let mut entries: Vec<Entry> = Vec::new();
    let mut lines: Vec<u64> = Vec::new();
    let mut positions: BTreeMap<String, usize> = BTreeMap::new();
    let mut warnings = Vec::new();
    // Element names open between the root and the records (`INDIVIDUALS`, `ENTITIES`).
    let mut open: Vec<String> = vec![root.name.clone()];
    while !root_empty && !open.is_empty() {
        match xml.next()? {
            // The reader refuses a file that ends inside an element.
            XmlEvent::Eof => break,
            XmlEvent::Text(_) => {}
            XmlEvent::End { .. } => {
                open.pop();
            }
            XmlEvent::Start { tag, empty } => {
                let record_type = match (open.last().map(String::as_str), tag.name.as_str()) {
                    (Some("INDIVIDUALS"), "INDIVIDUAL") => Some(EntryType::Individual),
                    (Some("ENTITIES"), "ENTITY") => Some(EntryType::Entity),
                    _ => None,
                };
                match record_type {
                    Some(entry_type) => {
                        let line = xml.line();
                        let node = if empty {
                            Node::from(tag)
                        } else {
                            xml.read_subtree(tag)?
                        };
                        let number = entries.len() as u64 + 1;
                        let entry = record_entry(&node, entry_type).map_err(|message| {
                            FormatError::new(
                                file,
                                Location::Record {
                                    number,
                                    line: Some(line),
                                },
                                message,
                            )
                        })?;
                        push_or_merge(
                            &mut entries,
                            &mut lines,
                            &mut positions,
                            &mut warnings,
                            file,
                            entry,
                            line,
                        );
                    }
                    None if empty => {}
                    None if open.len() == 1 => open.push(tag.name),
                    // Anything else under the root is not a record: read and ignore it.
                    None => {
                        xml.read_subtree(tag)?;
                    }
                }
            }
        }
    }
    warnings.splice(0..0, xml.decode_warning());
    let content = PublicationContent::Snapshot(entries)
        .normalize()
        .map_err(|e| record_error(file, e, |i| lines.get(i).copied()))?;
    Ok((
        vec![ParsedPublication {
            list: list_id(LIST),
            stated_date,
            stated_date_text: stated_text,
            source: None,
            content,
            columns: None,
        }],
        warnings,
    ))
}

/// Recognises the format from the start of a file (`head`: at most its first 64 KiB, with any
/// byte-order mark and leading white space removed).
fn recognise(head: &[u8]) -> Option<Recognised> {
    (root_element(head)?.local == "CONSOLIDATED_LIST").then_some(Recognised::This)
}

/// Adds `entry`, or merges it into an earlier entry with the same id (with a warning naming
/// both lines): lists are united, the later record's other values are kept in
/// `extra.duplicate_records`, so nothing is dropped.
fn push_or_merge(
    entries: &mut Vec<Entry>,
    lines: &mut Vec<u64>,
    positions: &mut BTreeMap<String, usize>,
    warnings: &mut Vec<String>,
    file: &str,
    entry: Entry,
    line: u64,
) {
    let key = entry.id.as_str().to_string();
    let Some(&at) = positions.get(&key) else {
        positions.insert(key, entries.len());
        entries.push(frozen(entry));
        lines.push(line);
        return;
    };
    let first_line = lines.get(at).copied().unwrap_or(0);
    warnings.push(format!(
        "{file}:{line}: the record repeats id \"{key}\" of the record at line {first_line}; the two were merged into one entry"
    ));
    let Some(first) = entries.get_mut(at) else {
        return;
    };
    let duplicate = serde_json::to_value(&entry).unwrap_or(Value::Null);
    if entry.name != first.name {
        first.aliases.push(entry.name);
    }
    first.countries.extend(entry.countries);
    first.aliases.extend(entry.aliases);
    first.addresses.extend(entry.addresses);
    first.programs.extend(entry.programs);
    first.citations.extend(entry.citations);
    if let Value::Array(items) = first
        .extra
        .entry("duplicate_records".to_string())
        .or_insert_with(|| Value::Array(Vec::new()))
    {
        items.push(duplicate);
    }
}

/// Builds the entry of one `INDIVIDUAL` or `ENTITY` element.
fn record_entry(node: &Node, entry_type: EntryType) -> Result<Entry, String> {
    let reference = node
        .child_text("REFERENCE_NUMBER")
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| {
            format!(
                "the {} has no REFERENCE_NUMBER, the key of UN entries; the record cannot be keyed",
                node.name
            )
        })?;
    let id = EntryId::new(reference)
        .map_err(|e| format!("REFERENCE_NUMBER {}: {e}", super::quoted(reference)))?;
    let name_parts: Vec<&str> = ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
        .iter()
        .filter_map(|part| node.child_text(part))
        .collect();
    let mut entry = Entry::new(id, name_parts.join(" "));
    entry.entry_type = Some(entry_type);
    // Repeated children of one name become one key, in file order.
    let mut grouped: Vec<(String, Vec<&Node>)> = Vec::new();
    for child in &node.children {
        match grouped.iter_mut().find(|(name, _)| *name == child.name) {
            Some((_, nodes)) => nodes.push(child),
            None => grouped.push((child.name.clone(), vec![child])),
        }
    }
    for (name, nodes) in grouped {
        let texts = || nodes.iter().map(|n| n.text.clone());
        match name.as_str() {
            "REFERENCE_NUMBER" => {
                let all: Vec<String> = texts().map(|t| t.trim().to_string()).collect();
                if all.len() > 1 {
                    entry
                        .extra
                        .insert("reference_number".into(), json_strings(all));
                }
            }
            "FIRST_NAME" | "SECOND_NAME" | "THIRD_NAME" | "FOURTH_NAME" => {
                // Kept so the boundaries between the parts of `name` are not lost.
                entry
                    .extra
                    .insert(name.to_ascii_lowercase(), one_or_many(texts().collect()));
            }
            "UN_LIST_TYPE" => entry.programs.extend(texts()),
            "COMMENTS1" => {
                let all: Vec<String> = texts().collect();
                entry.reason = Some(all.join("\n"));
            }
            "LISTED_ON" => {
                let text = nodes.first().map(|n| n.text.trim()).unwrap_or_default();
                match (nodes.len(), dates::iso(text)) {
                    (1, Some(date)) => entry.listed_on = Some(date),
                    _ => {
                        entry
                            .extra
                            .insert("listed_on".into(), one_or_many(texts().collect()));
                    }
                }
            }
            "NATIONALITY" => {
                let values: Vec<String> = nodes.iter().flat_map(|n| values(n)).collect();
                entry.countries.extend(values.iter().cloned());
                entry
                    .extra
                    .insert("nationality".into(), json_strings(values));
            }
            "INDIVIDUAL_ALIAS" | "ENTITY_ALIAS" => {
                for alias in &nodes {
                    if let Some(names) = alias.child_text("ALIAS_NAME") {
                        entry
                            .aliases
                            .extend(names.split(';').map(|n| n.trim().to_string()));
                    }
                }
                entry.extra.insert(
                    "alias".into(),
                    Value::Array(nodes.iter().map(|n| to_json(n)).collect()),
                );
            }
            "INDIVIDUAL_ADDRESS" | "ENTITY_ADDRESS" => {
                for address in &nodes {
                    if let Some(country) = address.child_text("COUNTRY") {
                        entry.countries.push(country.to_string());
                    }
                    entry.addresses.push(address_line(address));
                }
            }
            _ => {
                let key = name
                    .strip_prefix("INDIVIDUAL_")
                    .or_else(|| name.strip_prefix("ENTITY_"))
                    .unwrap_or(&name)
                    .to_ascii_lowercase();
                let repeatable = matches!(
                    name.as_str(),
                    "INDIVIDUAL_DATE_OF_BIRTH"
                        | "INDIVIDUAL_PLACE_OF_BIRTH"
                        | "INDIVIDUAL_DOCUMENT"
                );
                let value = if nodes.iter().all(|n| is_value_list(n)) {
                    json_strings(nodes.iter().flat_map(|n| values(n)).collect())
                } else if repeatable || nodes.len() > 1 {
                    Value::Array(nodes.iter().map(|n| to_json(n)).collect())
                } else {
                    nodes.first().map_or(Value::Null, |n| to_json(n))
                };
                entry.extra.insert(key, value);
            }
        }
    }
    Ok(entry)
}

/// One address on one line: street, city, state or province, zip code, country, then any other
/// part, and the note in parentheses.
fn address_line(node: &Node) -> String {
    const ORDER: [&str; 5] = ["STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY"];
    let mut parts: Vec<String> = ORDER
        .iter()
        .filter_map(|part| node.child_text(part))
        .map(str::to_string)
        .collect();
    for child in &node.children {
        if !ORDER.contains(&child.name.as_str()) && child.name != "NOTE" {
            parts.push(child.text.clone());
        }
    }
    parts.retain(|p| !p.trim().is_empty());
    let mut line = parts.join(", ");
    if let Some(note) = node.child_text("NOTE").filter(|n| !n.trim().is_empty()) {
        if line.is_empty() {
            line = format!("({note})");
        } else {
            line = format!("{line} ({note})");
        }
    }
    line
}

/// A JSON array of strings.
fn json_strings(items: Vec<String>) -> Value {
    Value::Array(items.into_iter().map(Value::String).collect())
}

/// One string, or an array when there are several.
fn one_or_many(mut items: Vec<String>) -> Value {
    if items.len() == 1 {
        Value::String(items.remove(0))
    } else {
        json_strings(items)
    }
}

/// True for a `<X><VALUE>…</VALUE>…</X>` list (or an empty element).
fn is_value_list(node: &Node) -> bool {
    node.attrs.is_empty()
        && node.text.trim().is_empty()
        && !node.children.is_empty()
        && node
            .children
            .iter()
            .all(|c| c.name == "VALUE" && c.children.is_empty())
}

/// The texts of a `VALUE` list.
fn values(node: &Node) -> Vec<String> {
    node.children
        .iter()
        .filter(|c| c.name == "VALUE")
        .map(|c| c.text.clone())
        .collect()
}

/// The element as JSON: its text when it has nothing else; otherwise an object of its
/// attributes (`@name`), children (lower-case names, arrays when repeated) and text (`#text`,
/// when not only white space).
fn to_json(node: &Node) -> Value {
    if node.attrs.is_empty() && node.children.is_empty() {
        return Value::String(node.text.clone());
    }
    let mut map = Map::new();
    for (k, v) in &node.attrs {
        map.insert(format!("@{k}"), Value::String(v.clone()));
    }
    for child in &node.children {
        let key = child.name.to_ascii_lowercase();
        let value = to_json(child);
        match map.get_mut(&key) {
            Some(Value::Array(items)) if child_repeats(node, &child.name) => items.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
            None if child_repeats(node, &child.name) => {
                map.insert(key, Value::Array(vec![value]));
            }
            None => {
                map.insert(key, value);
            }
        }
    }
    if !node.text.trim().is_empty() {
        map.insert("#text".into(), Value::String(node.text.clone()));
    }
    Value::Object(map)
}

/// True when `parent` has more than one child called `name`.
fn child_repeats(parent: &Node, name: &str) -> bool {
    parent.children.iter().filter(|c| c.name == name).count() > 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::InputFile;
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::PathBuf;

    /// A real published file (see [`crate::formats::real_data`]).
    fn real(rel: &str) -> PathBuf {
        crate::formats::real_data(rel)
    }

    /// Parses the UN file of `date`, streamed from disk.
    fn parse_real(date: &str) -> ParsedPublication {
        let path = real(&format!("un-consolidated/{date}/consolidated.xml"));
        let input = Input {
            primary: InputFile {
                name: path.display().to_string(),
                bytes: Vec::new(),
                stream_from: Some(path),
            },
            ..Input::default()
        };
        let (mut publications, warnings) = parse(&input).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(publications.len(), 1);
        publications.remove(0)
    }

    fn entries(publication: &ParsedPublication) -> &[Entry] {
        match &publication.content {
            PublicationContent::Snapshot(entries) => entries,
            PublicationContent::Amendment(_) => panic!("a snapshot was expected"),
        }
    }

    fn by_id(entries: &[Entry]) -> BTreeMap<&str, &Entry> {
        entries.iter().map(|e| (e.id.as_str(), e)).collect()
    }

    /// Ids added and removed from `a` to `b`, and ids whose entries differ.
    fn diff(a: &[Entry], b: &[Entry]) -> (BTreeSet<String>, BTreeSet<String>, BTreeSet<String>) {
        let (a, b) = (by_id(a), by_id(b));
        let added = b
            .keys()
            .filter(|k| !a.contains_key(*k))
            .map(|k| k.to_string())
            .collect();
        let removed = a
            .keys()
            .filter(|k| !b.contains_key(*k))
            .map(|k| k.to_string())
            .collect();
        let changed = a
            .iter()
            .filter(|(k, e)| b.get(*k).is_some_and(|f| f != *e))
            .map(|(k, _)| k.to_string())
            .collect();
        (added, removed, changed)
    }

    fn parse_bytes(bytes: &[u8]) -> Result<(Vec<Entry>, Vec<String>), FormatError> {
        let (mut publications, warnings) = parse(&Input::single("un.xml", bytes.to_vec()))?;
        let publication = publications.remove(0);
        Ok((entries(&publication).to_vec(), warnings))
    }

    #[test]
    fn real_files_have_the_counts_and_dates_of_provenance() {
        if !crate::formats::real_data_present() {
            return;
        }
        let expected = [
            ("2018-06-07", "2018-06-07T19:03:43.97-04:00", 693, 405),
            ("2018-06-21", "2018-06-21T19:02:22.266-04:00", 695, 405),
            ("2018-08-24", "2018-08-24T19:40:35.913-04:00", 701, 397),
            ("2018-10-29", "2018-10-29T19:09:49.856-04:00", 703, 390),
            ("2020-11-23", "2020-11-23T19:10:17.6-05:00", 713, 305),
            ("2020-11-24", "2020-11-24T20:23:07.617-05:00", 713, 305),
            ("2020-12-01", "2020-12-01T19:08:54.997-05:00", 712, 294),
            ("2025-11-18", "2025-11-18T23:00:09.174Z", 727, 273),
            ("2026-02-27", "2026-02-27T00:00:09.554Z", 730, 273),
        ];
        for (date, text, individuals, entities) in expected {
            let publication = parse_real(date);
            assert_eq!(publication.list.as_str(), "un-sc");
            assert_eq!(publication.stated_date, dates::iso(date), "{date}");
            assert_eq!(publication.stated_date_text.as_deref(), Some(text));
            let entries = entries(&publication);
            let count = |t| entries.iter().filter(|e| e.entry_type == Some(t)).count();
            assert_eq!(count(EntryType::Individual), individuals, "{date}");
            assert_eq!(count(EntryType::Entity), entities, "{date}");
        }
    }

    #[test]
    fn real_changes_match_provenance() {
        if !crate::formats::real_data_present() {
            return;
        }
        let load = |date| entries(&parse_real(date)).to_vec();
        let [j07, j21, a24, o29, n23, n24, d01, n18, f27] = [
            "2018-06-07",
            "2018-06-21",
            "2018-08-24",
            "2018-10-29",
            "2020-11-23",
            "2020-11-24",
            "2020-12-01",
            "2025-11-18",
            "2026-02-27",
        ]
        .map(load);
        // The no-change pair: identical entry sets, only the date differs.
        assert_eq!(n23, n24);
        let (added, removed, changed) = diff(&j07, &j21);
        assert_eq!(added, BTreeSet::from(["QDi.413".into(), "QDi.414".into()]));
        assert!(removed.is_empty() && changed.is_empty());
        let (added, removed, changed) = diff(&j21, &a24);
        assert_eq!((added.len(), removed.len(), changed.len()), (6, 8, 14));
        assert!(removed.contains("IQe.024"));
        let (added, removed, _) = diff(&a24, &o29);
        assert_eq!((added.len(), removed.len()), (3, 8));
        let (added, removed, _) = diff(&o29, &n23);
        assert_eq!((added.len(), removed.len()), (28, 103));
        let (added, removed, changed) = diff(&n24, &d01);
        assert_eq!((added.len(), removed.len(), changed.len()), (0, 12, 0));
        assert!(removed.contains("IQi.035"));
        let (added, removed, _) = diff(&d01, &n18);
        assert_eq!((added.len(), removed.len()), (87, 93));
        let (added, removed, changed) = diff(&n18, &f27);
        assert_eq!((added.len(), removed.len(), changed.len()), (4, 1, 2));
        assert!(added.contains("SDi.007"));
        assert_eq!(removed, BTreeSet::from(["IQi.074".into()]));
    }

    #[test]
    fn real_records_map_every_field() {
        if !crate::formats::real_data_present() {
            return;
        }
        let publication = parse_real("2018-06-07");
        let entries = by_id(entries(&publication));
        // One-line era: names with runs of spaces, a trailing space in the reference.
        let ri = entries["KPi.033"];
        assert_eq!(ri.name, "RI WON HO");
        assert_eq!(ri.programs, vec!["DPRK"]);
        assert_eq!(ri.listed_on, dates::iso("2016-11-30"));
        assert_eq!(
            ri.reason.as_deref(),
            Some(
                "Ri Won Ho is a DPRK Ministry of State Security Official stationed in Syria supporting KOMID."
            )
        );
        assert_eq!(ri.countries, vec!["Democratic People's Republic of Korea"]);
        assert_eq!(ri.extra["dataid"], "6908555");
        assert_eq!(
            ri.extra["designation"],
            serde_json::json!(["DPRK Ministry of State Security Official"])
        );
        assert_eq!(
            ri.extra["date_of_birth"],
            serde_json::json!([{"type_of_date": "EXACT", "date": "1964-07-17"}])
        );
        assert_eq!(
            ri.extra["document"],
            serde_json::json!([{"type_of_document": "Passport", "number": "381310014"}])
        );
        assert!(
            !ri.extra.contains_key("last_day_updated"),
            "empty placeholders are absent"
        );
        assert!(!ri.extra.contains_key("alias"));
        let pad = entries["KPe.053"];
        assert_eq!(pad.entry_type, Some(EntryType::Entity));
        assert_eq!(pad.name, "PROPAGANDA AND AGITATION DEPARTMENT (PAD)");
        assert_eq!(
            pad.addresses,
            vec!["Pyongyang, Democratic People's Republic of Korea"]
        );
        // Pretty-printed era: aliases with quality, address notes, a VALUE list of dates.
        let pretty = parse_real("2026-02-27");
        let entries = by_id(super::tests::entries(&pretty));
        let badege = entries["CDi.001"];
        assert_eq!(badege.name, "ERIC BADEGE");
        assert_eq!(badege.addresses, vec!["Rwanda (as of early 2016)"]);
        assert_eq!(
            badege.extra["last_day_updated"],
            serde_json::json!(["2016-10-13"])
        );
        assert_eq!(badege.extra["gender"], "Male");
        assert_eq!(
            badege.extra["date_of_birth"],
            serde_json::json!([{"type_of_date": "EXACT", "year": "1971"}])
        );
        let kakolele = entries["CDi.002"];
        assert_eq!(
            kakolele.aliases,
            vec!["AIGLE BLANC", "FRANK KAKORERE", "FRANK KAKORERE BWAMBALE"]
        );
        assert_eq!(
            kakolele.extra["alias"][2],
            serde_json::json!({"quality": "Good", "alias_name": "AIGLE BLANC"})
        );
        assert_eq!(
            kakolele.addresses,
            vec!["Kinshasa, Democratic Republic of the Congo (as of June 2016)"]
        );
        // Several names in one ALIAS_NAME become several aliases.
        let joined = entries
            .values()
            .find(|e| {
                e.extra
                    .get("alias")
                    .is_some_and(|a| a.to_string().contains("Azim Adhajani; Azim Agha-Jani"))
            })
            .expect("the record with joined alias names");
        assert!(joined.aliases.contains(&"Azim Adhajani".to_string()));
        assert!(joined.aliases.contains(&"Azim Agha-Jani".to_string()));
    }

    /// LAST_DAY_UPDATED can change alone: 3 records between 2020-12-01 and 2025-11-18 differ
    /// only there. It is kept (publisher data: an amendment date), so those are changes.
    #[test]
    fn last_day_updated_alone_is_a_change() {
        if !crate::formats::real_data_present() {
            return;
        }
        let a = entries(&parse_real("2020-12-01")).to_vec();
        let b = entries(&parse_real("2025-11-18")).to_vec();
        let (_, _, changed) = diff(&a, &b);
        let (before, after) = (by_id(&a), by_id(&b));
        let only = changed
            .iter()
            .filter(|id| {
                let (mut x, mut y) = (before[id.as_str()].clone(), after[id.as_str()].clone());
                x.extra.remove("last_day_updated");
                y.extra.remove("last_day_updated");
                x == y
            })
            .count();
        assert_eq!(only, 3);
    }

    const ONE_LINE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CONSOLIDATED_LIST dateGenerated=\"2020-11-23T19:10:17.6-05:00\">\n<INDIVIDUALS>\n<INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME> JOHN\nPAUL </FIRST_NAME><SECOND_NAME>EXAMPLE</SECOND_NAME><THIRD_NAME/><UN_LIST_TYPE>DRC</UN_LIST_TYPE><REFERENCE_NUMBER>CDi.999 </REFERENCE_NUMBER><LISTED_ON>2024-06-30</LISTED_ON><COMMENTS1>Leader &amp; founder.</COMMENTS1><TITLE><VALUE>Mr</VALUE></TITLE><LAST_DAY_UPDATED><VALUE>2024-09-01</VALUE><VALUE>2025-02-10</VALUE></LAST_DAY_UPDATED><INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Jean Exemple</ALIAS_NAME></INDIVIDUAL_ALIAS><INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS><INDIVIDUAL_ADDRESS><STREET>1 Rue</STREET><CITY>Goma</CITY><COUNTRY>Congo</COUNTRY></INDIVIDUAL_ADDRESS><INDIVIDUAL_DOCUMENT/><SORT_KEY/></INDIVIDUAL>\n</INDIVIDUALS><ENTITIES><ENTITY><FIRST_NAME>ACME</FIRST_NAME><UN_LIST_TYPE>Iran</UN_LIST_TYPE><REFERENCE_NUMBER>IRe.999</REFERENCE_NUMBER><SUBMITTED_BY>Nowhere</SUBMITTED_BY></ENTITY></ENTITIES></CONSOLIDATED_LIST>";

    const PRETTY: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<CONSOLIDATED_LIST dateGenerated="2025-11-18T23:00:09.174Z">
  <INDIVIDUALS>
    <INDIVIDUAL>
      <DATAID>1</DATAID>
      <FIRST_NAME>JOHN PAUL</FIRST_NAME>
      <SECOND_NAME>EXAMPLE</SECOND_NAME>
      <UN_LIST_TYPE>DRC</UN_LIST_TYPE>
      <REFERENCE_NUMBER>CDi.999</REFERENCE_NUMBER>
      <LISTED_ON>2024-06-30</LISTED_ON>
      <COMMENTS1>Leader
        &amp; founder.</COMMENTS1>
      <TITLE>
        <VALUE>Mr</VALUE>
      </TITLE>
      <LAST_DAY_UPDATED>
        <VALUE>2024-09-01</VALUE>
        <VALUE>2025-02-10</VALUE>
      </LAST_DAY_UPDATED>
      <INDIVIDUAL_ALIAS>
        <QUALITY>Good</QUALITY>
        <ALIAS_NAME>Jean Exemple</ALIAS_NAME>
      </INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ADDRESS>
        <STREET>1 Rue</STREET>
        <CITY>Goma</CITY>
        <COUNTRY>Congo</COUNTRY>
      </INDIVIDUAL_ADDRESS>
    </INDIVIDUAL>
  </INDIVIDUALS>
  <ENTITIES>
    <ENTITY>
      <FIRST_NAME>ACME</FIRST_NAME>
      <UN_LIST_TYPE>Iran</UN_LIST_TYPE>
      <REFERENCE_NUMBER>IRe.999</REFERENCE_NUMBER>
      <SUBMITTED_BY>Nowhere</SUBMITTED_BY>
    </ENTITY>
  </ENTITIES>
</CONSOLIDATED_LIST>
"#;

    #[test]
    fn both_layouts_give_the_same_entries() {
        let (one_line, _) = parse_bytes(ONE_LINE.as_bytes()).unwrap();
        let (pretty, _) = parse_bytes(PRETTY.as_bytes()).unwrap();
        assert_eq!(one_line, pretty);
        let john = &one_line[0];
        assert_eq!(john.id.as_str(), "CDi.999");
        assert_eq!(john.name, "JOHN PAUL EXAMPLE");
        assert_eq!(john.reason.as_deref(), Some("Leader & founder."));
        assert_eq!(john.aliases, vec!["Jean Exemple"]);
        assert_eq!(john.addresses, vec!["1 Rue, Goma, Congo"]);
        assert_eq!(john.countries, vec!["Congo"]);
        assert_eq!(john.extra["title"], serde_json::json!(["Mr"]));
        assert_eq!(
            john.extra["last_day_updated"],
            serde_json::json!(["2024-09-01", "2025-02-10"])
        );
        assert_eq!(john.extra["first_name"], "JOHN PAUL");
        let acme = &one_line[1];
        assert_eq!(acme.entry_type, Some(EntryType::Entity));
        assert_eq!(acme.extra["submitted_by"], "Nowhere");
    }

    #[test]
    fn recognises_only_the_un_root() {
        assert_eq!(recognise(ONE_LINE.as_bytes()), Some(Recognised::This));
        assert_eq!(recognise(PRETTY.as_bytes()), Some(Recognised::This));
        assert_eq!(
            recognise(b"<!-- x --><CONSOLIDATED_LIST>"),
            Some(Recognised::This)
        );
        assert_eq!(
            recognise(b"<sdnList xmlns=\"http://tempuri.org/sdnList.xsd\">"),
            None
        );
        assert_eq!(recognise(b"<export generationDate=\"x\">"), None);
        assert_eq!(
            recognise(b"<html><body>CONSOLIDATED_LIST</body></html>"),
            None
        );
        assert_eq!(recognise(b"source,name\n"), None);
        assert_eq!(recognise(b"{\"list\": 1}"), None);
        assert_eq!(recognise(b""), None);
    }

    #[test]
    fn empty_list_is_an_empty_snapshot() {
        let (entries, _) = parse_bytes(b"<CONSOLIDATED_LIST dateGenerated=\"2025-01-01T00:00:00Z\"><INDIVIDUALS/><ENTITIES></ENTITIES></CONSOLIDATED_LIST>").unwrap();
        assert!(entries.is_empty());
        let (entries, _) = parse_bytes(b"<CONSOLIDATED_LIST/>").unwrap();
        assert!(entries.is_empty());
    }

    #[test]
    fn errors_say_where() {
        let cut = &ONE_LINE[..ONE_LINE.len() - 40];
        let error = parse_bytes(cut.as_bytes()).unwrap_err();
        assert!(error.message.contains("cut short"), "{error}");
        let no_key = "<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL><FIRST_NAME>X</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>";
        let error = parse_bytes(no_key.as_bytes()).unwrap_err();
        assert_eq!(
            error.location,
            Location::Record {
                number: 1,
                line: Some(3)
            }
        );
        assert!(error.message.contains("REFERENCE_NUMBER"), "{error}");
        let no_name = "<CONSOLIDATED_LIST><ENTITIES>\n\n<ENTITY><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER></ENTITY></ENTITIES></CONSOLIDATED_LIST>";
        let error = parse_bytes(no_name.as_bytes()).unwrap_err();
        assert_eq!(
            error.location,
            Location::Record {
                number: 1,
                line: Some(3)
            }
        );
        let bad = "<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n</ENTITIES></CONSOLIDATED_LIST>";
        let error = parse_bytes(bad.as_bytes()).unwrap_err();
        assert_eq!(error.location, Location::LineColumn(3, 1));
        let other = parse_bytes(b"<sdnList></sdnList>").unwrap_err();
        assert!(
            other.message.contains("not a UN consolidated list"),
            "{other}"
        );
        assert!(parse_bytes(b"").is_err());
        assert!(parse_bytes(b"\x00\xff<<<").is_err());
    }

    #[test]
    fn repeated_references_are_merged_with_a_warning() {
        let xml = "<CONSOLIDATED_LIST><ENTITIES>\n<ENTITY><FIRST_NAME>A</FIRST_NAME><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER><UN_LIST_TYPE>P</UN_LIST_TYPE></ENTITY>\n<ENTITY><FIRST_NAME>B</FIRST_NAME><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER><UN_LIST_TYPE>Q</UN_LIST_TYPE></ENTITY></ENTITIES></CONSOLIDATED_LIST>";
        let (entries, warnings) = parse_bytes(xml.as_bytes()).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].name, "A");
        assert_eq!(entries[0].aliases, vec!["B"]);
        assert_eq!(entries[0].programs, vec!["P", "Q"]);
        assert_eq!(entries[0].extra["duplicate_records"][0]["name"], "B");
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].contains(":3:") && warnings[0].contains("line 2"),
            "{warnings:?}"
        );
    }

    #[test]
    fn encodings_are_decoded() {
        let latin1 = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><CONSOLIDATED_LIST><ENTITIES><ENTITY><FIRST_NAME>CAF\xc9</FIRST_NAME><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER></ENTITY></ENTITIES></CONSOLIDATED_LIST>";
        assert_eq!(parse_bytes(latin1).unwrap().0[0].name, "CAFÉ");
        let undeclared = b"<CONSOLIDATED_LIST><ENTITIES><ENTITY><FIRST_NAME>CAF\xc9</FIRST_NAME><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER></ENTITY></ENTITIES></CONSOLIDATED_LIST>";
        assert_eq!(parse_bytes(undeclared).unwrap().0[0].name, "CAFÉ");
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice("<CONSOLIDATED_LIST><ENTITIES><ENTITY><FIRST_NAME>CAFÉ</FIRST_NAME><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER></ENTITY></ENTITIES></CONSOLIDATED_LIST>".as_bytes());
        assert_eq!(parse_bytes(&bom).unwrap().0[0].name, "CAFÉ");
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><CONSOLIDATED_LIST><ENTITIES><ENTITY><FIRST_NAME>CAFÉ</FIRST_NAME><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER></ENTITY></ENTITIES></CONSOLIDATED_LIST>";
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(parse_bytes(&utf16).unwrap().0[0].name, "CAFÉ");
    }
}
