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
//!
//! This file also holds the streaming XML reader the EU FSF XML parser shares
//! ([`XmlStream`], [`Node`]).

use std::collections::BTreeMap;
use std::io::{BufRead, Read};

use chrono::NaiveDate;
use quick_xml::encoding::DecodingReader;
use quick_xml::events::Event;
use serde_json::{Map, Value};

use super::{
    Format, FormatError, FormatInfo, Input, InputFile, Location, ParseResult, ParsedPublication,
    frozen, parse_iso_date, record_error,
};
use crate::model::{Entry, EntryId, EntryType, ListId, PublicationContent};

/// What `listdiff formats` says about `un-xml`.
pub(super) const INFO: FormatInfo = FormatInfo {
    name: "un-xml",
    description: "UN Security Council consolidated list XML (CONSOLIDATED_LIST)",
    list_ids: "un-sc",
    key: "REFERENCE_NUMBER",
    reason_fields: "UN_LIST_TYPE → programs, COMMENTS1 → reason",
};

/// The list every UN file belongs to.
const LIST: &str = "un-sc";

/// The deepest element nesting accepted inside one record (real records nest 3 deep).
const MAX_DEPTH: usize = 64;

/// Reads one input.
pub(super) fn parse(input: &Input) -> ParseResult {
    let file = input.primary.name.as_str();
    let mut xml = XmlStream::open(&input.primary)?;
    let (root, root_empty) = xml.root("CONSOLIDATED_LIST", "a UN consolidated list")?;
    let stated_text = root.attr("dateGenerated").map(str::to_string);
    let stated_date = stated_text.as_deref().and_then(timestamp_date);

    let mut entries: Vec<Entry> = Vec::new();
    let mut lines: Vec<u64> = Vec::new();
    let mut positions: BTreeMap<String, usize> = BTreeMap::new();
    let mut warnings = Vec::new();
    // Element names open between the root and the records (`INDIVIDUALS`, `ENTITIES`).
    let mut open: Vec<String> = vec![root.name.clone()];
    if !root_empty {
        loop {
            match xml.next()? {
                None => {
                    return Err(FormatError::new(
                        file,
                        Location::Line(xml.line()),
                        format!(
                            "the file ends inside <{}>: it was cut short; download it again",
                            open.last().map_or("CONSOLIDATED_LIST", String::as_str)
                        ),
                    ));
                }
                Some(XmlEvent::End) => {
                    open.pop();
                    if open.is_empty() {
                        break;
                    }
                }
                Some(XmlEvent::Start(node, empty)) => {
                    let record_type = match (open.last().map(String::as_str), node.name.as_str()) {
                        (Some("INDIVIDUALS"), "INDIVIDUAL") => Some(EntryType::Individual),
                        (Some("ENTITIES"), "ENTITY") => Some(EntryType::Entity),
                        _ => None,
                    };
                    match record_type {
                        Some(entry_type) => {
                            let line = xml.line();
                            let node = if empty { node } else { xml.finish(node)? };
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
                        None if open.len() == 1 => open.push(node.name),
                        // Anything else under the root is not a record: read and ignore it.
                        None => {
                            xml.finish(node)?;
                        }
                    }
                }
            }
        }
    }
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
        }],
        warnings,
    ))
}

/// Recognises the format from the start of a file (`head`: at most its first 64 KiB, with any
/// byte-order mark and leading white space removed).
pub(super) fn recognise(head: &[u8]) -> Option<Format> {
    (root_name(head)? == "CONSOLIDATED_LIST").then_some(Format::UnXml)
}

/// A list id known to be valid.
pub(super) fn list_id(id: &str) -> ListId {
    // Only called with constants that are valid list ids.
    ListId::new(id).unwrap_or_else(|_| unreachable!("constant list id {id} is valid"))
}

/// The date part of an ISO 8601 timestamp, in the timestamp's own offset
/// (`2020-11-23T19:10:17.6-05:00` → 2020-11-23), or of a plain `YYYY-MM-DD` date.
pub(super) fn timestamp_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let date = parse_iso_date(text.get(..10)?)?;
    match text.as_bytes().get(10) {
        None | Some(b'T') | Some(b't') | Some(b' ') => Some(date),
        _ => None,
    }
}

/// Adds `entry`, or merges it into an earlier entry with the same id (with a warning naming
/// both lines): lists are united, the later record's other values are kept in
/// `extra.duplicate_records`, so nothing is dropped.
pub(super) fn push_or_merge(
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
    let id = EntryId::new(reference).map_err(|e| format!("REFERENCE_NUMBER {reference:?}: {e}"))?;
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
                match (nodes.len(), parse_iso_date(text)) {
                    (1, Some(date)) => entry.listed_on = Some(date),
                    _ => {
                        entry
                            .extra
                            .insert("listed_on".into(), one_or_many(texts().collect()));
                    }
                }
            }
            "NATIONALITY" => {
                let values: Vec<String> = nodes.iter().flat_map(|n| n.values()).collect();
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
                    Value::Array(nodes.iter().map(|n| n.to_json()).collect()),
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
                let value = if nodes.iter().all(|n| n.is_value_list()) {
                    json_strings(nodes.iter().flat_map(|n| n.values()).collect())
                } else if repeatable || nodes.len() > 1 {
                    Value::Array(nodes.iter().map(|n| n.to_json()).collect())
                } else {
                    nodes.first().map_or(Value::Null, |n| n.to_json())
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

// ---------------------------------------------------------------------------------------------
// Streaming XML shared with the EU FSF parser

/// An element read whole: its local name, attributes, text and child elements.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Node {
    /// The local name (any namespace prefix removed).
    pub(super) name: String,
    /// Attributes by local name, unescaped, in file order (namespace declarations left out).
    pub(super) attrs: Vec<(String, String)>,
    /// The text directly inside the element (white space between child elements included).
    pub(super) text: String,
    /// Child elements, in file order.
    pub(super) children: Vec<Node>,
}

impl Node {
    /// The value of attribute `name`.
    pub(super) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The text of the first child called `name`.
    pub(super) fn child_text(&self, name: &str) -> Option<&str> {
        self.children
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.text.as_str())
    }

    /// True for a `<X><VALUE>…</VALUE>…</X>` list (or an empty element).
    fn is_value_list(&self) -> bool {
        self.attrs.is_empty()
            && self.text.trim().is_empty()
            && !self.children.is_empty()
            && self
                .children
                .iter()
                .all(|c| c.name == "VALUE" && c.children.is_empty())
    }

    /// The texts of a `VALUE` list.
    fn values(&self) -> Vec<String> {
        self.children
            .iter()
            .filter(|c| c.name == "VALUE")
            .map(|c| c.text.clone())
            .collect()
    }

    /// The element as JSON: its text when it has nothing else; otherwise an object of its
    /// attributes (`@name`), children (lower-case names, arrays when repeated) and text
    /// (`#text`, when not only white space).
    fn to_json(&self) -> Value {
        if self.attrs.is_empty() && self.children.is_empty() {
            return Value::String(self.text.clone());
        }
        let mut map = Map::new();
        for (k, v) in &self.attrs {
            map.insert(format!("@{k}"), Value::String(v.clone()));
        }
        for child in &self.children {
            let key = child.name.to_ascii_lowercase();
            let value = child.to_json();
            match map.get_mut(&key) {
                Some(Value::Array(items)) if child_repeats(self, &child.name) => items.push(value),
                Some(existing) => {
                    let first = existing.take();
                    *existing = Value::Array(vec![first, value]);
                }
                None if child_repeats(self, &child.name) => {
                    map.insert(key, Value::Array(vec![value]));
                }
                None => {
                    map.insert(key, value);
                }
            }
        }
        if !self.text.trim().is_empty() {
            map.insert("#text".into(), Value::String(self.text.clone()));
        }
        Value::Object(map)
    }
}

/// True when `parent` has more than one child called `name`.
fn child_repeats(parent: &Node, name: &str) -> bool {
    parent.children.iter().filter(|c| c.name == name).count() > 1
}

/// What [`XmlStream::next`] gives.
pub(super) enum XmlEvent {
    /// A start tag (its node has attributes only), and whether it was an empty element
    /// (`<x/>`, already closed).
    Start(Node, bool),
    /// An end tag.
    End,
}

/// A `BufRead` that counts the line ends it has passed.
struct LineCounter<R> {
    inner: R,
    newlines: u64,
}

impl<R: BufRead> Read for LineCounter<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        if let (Some(to), Some(from)) = (out.get_mut(..n), available.get(..n)) {
            to.copy_from_slice(from);
        }
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineCounter<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        if let Ok(buffer) = self.inner.fill_buf() {
            let passed = buffer.get(..amount).unwrap_or(buffer);
            self.newlines += memchr::memchr_iter(b'\n', passed).count() as u64;
        }
        self.inner.consume(amount);
    }
}

/// An XML file read event by event from a stream, decoded to UTF-8 (BOM, declared encoding,
/// or Windows-1252 when undeclared and not UTF-8), with line numbers for messages.
pub(super) struct XmlStream<'a> {
    reader: quick_xml::Reader<LineCounter<DecodingReader<Box<dyn BufRead + 'a>>>>,
    buf: Vec<u8>,
    file: &'a str,
    /// True when the last start tag returned was an empty element.
    pub(super) last_was_empty: bool,
}

impl<'a> XmlStream<'a> {
    /// Reads the root element, which must be `<expected>` (`what` names the format in the
    /// error); returns it and whether it is empty.
    pub(super) fn root(&mut self, expected: &str, what: &str) -> Result<(Node, bool), FormatError> {
        let (root, empty) = match self.next()? {
            Some(XmlEvent::Start(node, empty)) => (node, empty),
            Some(XmlEvent::End) | None => {
                return Err(FormatError::new(
                    self.file,
                    Location::File,
                    format!("no XML element found: this is not {what} ({expected})"),
                ));
            }
        };
        if root.name != expected {
            return Err(FormatError::new(
                self.file,
                Location::Line(self.line()),
                format!(
                    "the root element is <{}>, not <{expected}>: this is not {what}",
                    root.name
                ),
            ));
        }
        Ok((root, empty))
    }

    /// Opens `input` for reading.
    pub(super) fn open(input: &'a InputFile) -> Result<XmlStream<'a>, FormatError> {
        let file = input.name.as_str();
        let mut raw = input.reader()?;
        let head = raw
            .fill_buf()
            .map_err(|e| FormatError::new(file, Location::File, format!("cannot read: {e}")))?;
        let encoding = declared_encoding(head);
        let mut decoder = DecodingReader::new(raw);
        if let Some(encoding) = encoding {
            // Set before the first read, while DecodingReader still holds its prefix.
            decoder.set_encoding(encoding);
        }
        let reader = quick_xml::Reader::from_reader(LineCounter {
            inner: decoder,
            newlines: 0,
        });
        Ok(XmlStream {
            reader,
            buf: Vec::with_capacity(8 * 1024),
            file,
            last_was_empty: false,
        })
    }

    /// The 1-based line the reader has reached.
    pub(super) fn line(&self) -> u64 {
        self.reader.get_ref().newlines + 1
    }

    fn error(&self, message: impl Into<String>) -> FormatError {
        FormatError::new(self.file, Location::Line(self.line()), message)
    }

    /// The next start or end tag, with the text in between skipped; `None` at the end.
    pub(super) fn next(&mut self) -> Result<Option<XmlEvent>, FormatError> {
        loop {
            match self.raw_next()? {
                Raw::Start(node, empty) => {
                    self.last_was_empty = empty;
                    return Ok(Some(XmlEvent::Start(node, empty)));
                }
                Raw::End => return Ok(Some(XmlEvent::End)),
                Raw::Text(_) => {}
                Raw::Eof => return Ok(None),
            }
        }
    }

    /// Reads the rest of the element `node` (whose start tag was just read) into it.
    pub(super) fn finish(&mut self, node: Node) -> Result<Node, FormatError> {
        let mut stack = vec![node];
        loop {
            match self.raw_next()? {
                Raw::Start(child, true) => {
                    if let Some(parent) = stack.last_mut() {
                        parent.children.push(child);
                    }
                }
                Raw::Start(child, false) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(self.error(format!(
                            "elements are nested more than {MAX_DEPTH} deep: the file is damaged"
                        )));
                    }
                    stack.push(child);
                }
                Raw::Text(text) => {
                    if let Some(current) = stack.last_mut() {
                        current.text.push_str(&text);
                    }
                }
                Raw::End => {
                    let Some(done) = stack.pop() else {
                        return Err(self.error("unexpected end tag"));
                    };
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => return Ok(done),
                    }
                }
                Raw::Eof => {
                    let inside = stack.last().map(|n| n.name.clone()).unwrap_or_default();
                    return Err(self.error(format!(
                        "the file ends inside <{inside}>: it was cut short; download it again"
                    )));
                }
            }
        }
    }

    fn raw_next(&mut self) -> Result<Raw, FormatError> {
        loop {
            self.buf.clear();
            let file = self.file;
            let event = self.reader.read_event_into(&mut self.buf);
            let line = self.reader.get_ref().newlines + 1;
            let fail = |message: String| FormatError::new(file, Location::Line(line), message);
            let event = event.map_err(|e| fail(format!("not well-formed XML: {e}")))?;
            return Ok(match event {
                Event::Start(start) => Raw::Start(start_node(&start).map_err(fail)?, false),
                Event::Empty(start) => Raw::Start(start_node(&start).map_err(fail)?, true),
                Event::End(_) => Raw::End,
                Event::Text(text) => Raw::Text(text.xml10_content().into_owned()),
                Event::CData(text) => Raw::Text(text.xml10_content().into_owned()),
                Event::GeneralRef(reference) => {
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(ch)) => ch.to_string(),
                        Ok(None) => {
                            match quick_xml::escape::resolve_predefined_entity(&reference) {
                                Some(text) => text.to_string(),
                                // An entity declared in a DTD: kept as written.
                                None => format!("&{};", &*reference),
                            }
                        }
                        Err(e) => return Err(fail(format!("bad character reference: {e}"))),
                    };
                    Raw::Text(resolved)
                }
                Event::Eof => Raw::Eof,
                _ => continue,
            });
        }
    }
}

/// The node of a start tag: local name and attributes.
fn start_node(start: &quick_xml::events::BytesStart<'_>) -> Result<Node, String> {
    let mut node = Node {
        name: start.local_name().as_ref().to_string(),
        ..Node::default()
    };
    for attr in start.attributes() {
        let attr = attr.map_err(|e| format!("bad attribute in <{}>: {e}", node.name))?;
        let key = attr.key.as_ref();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| format!("bad attribute value in <{}>: {e}", node.name))?;
        node.attrs.push((
            attr.key.local_name().as_ref().to_string(),
            value.into_owned(),
        ));
    }
    Ok(node)
}

/// A low-level event.
enum Raw {
    Start(Node, bool),
    End,
    Text(String),
    Eof,
}

/// The encoding to decode with when the BOM does not decide it: the encoding the XML
/// declaration names (when ASCII-compatible and not UTF-8), else Windows-1252 when the first
/// bytes are not UTF-8, else `None` (UTF-8, or the BOM's).
fn declared_encoding(head: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    if head.starts_with(b"\xFE\xFF") || head.starts_with(b"\xFF\xFE") {
        return None;
    }
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    if body.starts_with(b"<?xml") {
        let end = memchr::memmem::find(body.get(..400).unwrap_or(body), b"?>")?;
        let decl = body.get(..end)?;
        if let Some(at) = memchr::memmem::find(decl, b"encoding") {
            let rest = decl.get(at + 8..)?;
            let rest = rest
                .trim_ascii_start()
                .strip_prefix(b"=")?
                .trim_ascii_start();
            let quote = *rest.first()?;
            let rest = rest.get(1..)?;
            let close = memchr::memchr(quote, rest)?;
            let label = rest.get(..close)?;
            let encoding = encoding_rs::Encoding::for_label(label)?;
            return (encoding != encoding_rs::UTF_8 && encoding.is_ascii_compatible())
                .then_some(encoding);
        }
    }
    match std::str::from_utf8(body) {
        Err(e) if e.error_len().is_some() => Some(encoding_rs::WINDOWS_1252),
        _ => None,
    }
}

/// The local name of the first element of an XML head, skipping the declaration, comments,
/// processing instructions and a DOCTYPE. Never reads past `head`.
pub(super) fn root_name(head: &[u8]) -> Option<String> {
    let mut reader = quick_xml::Reader::from_reader(head);
    let mut buf = Vec::new();
    for _ in 0..64 {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                return Some(e.local_name().as_ref().to_string());
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
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
            assert_eq!(publication.stated_date, parse_iso_date(date), "{date}");
            assert_eq!(publication.stated_date_text.as_deref(), Some(text));
            let entries = entries(&publication);
            let count = |t| entries.iter().filter(|e| e.entry_type == Some(t)).count();
            assert_eq!(count(EntryType::Individual), individuals, "{date}");
            assert_eq!(count(EntryType::Entity), entities, "{date}");
        }
    }

    #[test]
    fn real_changes_match_provenance() {
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
        let publication = parse_real("2018-06-07");
        let entries = by_id(entries(&publication));
        // One-line era: names with runs of spaces, a trailing space in the reference.
        let ri = entries["KPi.033"];
        assert_eq!(ri.name, "RI WON HO");
        assert_eq!(ri.programs, vec!["DPRK"]);
        assert_eq!(ri.listed_on, parse_iso_date("2016-11-30"));
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
    fn dates_are_read_in_their_own_offset() {
        assert_eq!(
            timestamp_date("2020-11-23T19:10:17.6-05:00"),
            parse_iso_date("2020-11-23")
        );
        assert_eq!(
            timestamp_date("2026-02-27T00:00:09.554Z"),
            parse_iso_date("2026-02-27")
        );
        assert_eq!(timestamp_date("2026-02-27"), parse_iso_date("2026-02-27"));
        assert_eq!(timestamp_date("27/02/2026"), None);
        assert_eq!(timestamp_date("2026-02-27X"), None);
    }

    #[test]
    fn recognises_only_the_un_root() {
        assert_eq!(recognise(ONE_LINE.as_bytes()), Some(Format::UnXml));
        assert_eq!(recognise(PRETTY.as_bytes()), Some(Format::UnXml));
        assert_eq!(
            recognise(b"<!-- x --><CONSOLIDATED_LIST>"),
            Some(Format::UnXml)
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
        assert_eq!(error.location, Location::Line(3));
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
