//! The FCDO UK Sanctions List XML (`UK-Sanctions-List.xml`): root `Designations` with a
//! `DateGenerated` and one `Designation` per entry, read one designation at a time. Every
//! element without a dedicated field lands in `extra` under the key the CSV gives the same data.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{Address, Draft, Name, PrimaryNameTypes, build_entry, extra_key, publication};
use crate::formats::read::xml::{Unresolved, XmlEvent, XmlReader, XmlRules, root_element};
use crate::formats::registry::{
    Capabilities, Entries, FormatDescriptor, Recognised, Recogniser, Shape,
};
use crate::formats::{FormatError, Input, Location, ParseResult, dates, frozen};
use crate::model::Entry;

/// The `uk-fcdo-xml` format.
pub(crate) static FCDO_XML: FormatDescriptor = FormatDescriptor {
    name: "uk-fcdo-xml",
    description: "UK FCDO sanctions list XML (UK-Sanctions-List.xml)",
    list_ids: "uk-fcdo",
    key: "UniqueID",
    reason_fields: "RegimeName → programs, UKStatementofReasons → reason",
    // 2: a file with a UTF-8 byte-order mark and a declaration naming another encoding used to
    // be decoded as declared; the byte-order mark now decides.
    parser_version: 2,
    recogniser: Some(Recogniser {
        shape: Shape::Xml,
        order: 0,
        test: recognise,
    }),
    parse: parse_fcdo_xml,
    capabilities: Capabilities {
        streams: true,
        entries: Entries::AfterWholeRead,
        ..Capabilities::NONE
    },
};

/// What the FCDO XML tolerates: unknown entities and bad character references are kept as
/// written, attributes are not read.
const RULES: XmlRules = XmlRules {
    check_end_names: true,
    unknown_entities: Unresolved::Keep,
    bad_character_references: Unresolved::Keep,
    malformed_attributes: Unresolved::Keep,
    more_entities: None,
};

// ---------------------------------------------------------------------------------------------
// XML (FCDO)

/// An element open inside a designation.
struct Open {
    name: String,
    text: String,
    has_children: bool,
}

/// The root `Designations`.
pub(super) fn recognise(head: &[u8]) -> Option<Recognised> {
    (root_element(head)?.local == "Designations").then_some(Recognised::This)
}

/// Reads the FCDO XML, one designation at a time.
pub(super) fn parse_fcdo_xml(input: &Input) -> ParseResult {
    let file = input.primary.name.as_str();
    let mut xml = XmlReader::open(&input.primary, RULES)?;
    let (_, empty) = xml.root("Designations", "the FCDO UK Sanctions List XML")?;
    let mut reading = Designations {
        file,
        depth: 1,
        ..Designations::default()
    };
    if !empty {
        loop {
            match xml.next()? {
                XmlEvent::Start { tag, empty } => {
                    // A designation is a record.
                    if reading.depth == 1 && !empty && tag.name == "Designation" {
                        xml.begin_record();
                    }
                    reading.start(tag.name, empty)
                }
                XmlEvent::Text(text) => reading.text(&text),
                XmlEvent::End { .. } => {
                    if reading.end()? {
                        break;
                    }
                }
                XmlEvent::Eof => break,
            }
        }
    }
    let mut warnings: Vec<String> = xml.decode_warning().into_iter().collect();
    warnings.append(&mut reading.warnings);
    let publication = publication(file, "uk-fcdo", reading.stated, reading.entries, |_| None)?;
    Ok((vec![publication], warnings))
}

/// The state of a read of the FCDO XML.
#[derive(Default)]
struct Designations<'a> {
    file: &'a str,
    /// Elements open, the root included.
    depth: usize,
    stated: Option<(NaiveDate, String)>,
    /// The text of `DateGenerated`, while it is read.
    date_text: Option<String>,
    warnings: Vec<String>,
    entries: Vec<Entry>,
    /// Each designation's position by its UniqueID.
    ids: HashMap<String, usize>,
    /// The designation being read, the elements open inside it, its name and address.
    draft: Option<Draft>,
    stack: Vec<Open>,
    name: Name,
    address: Address,
}

impl Designations<'_> {
    /// An element starts (`empty`: `<x/>`, which has no end).
    fn start(&mut self, local: String, empty: bool) {
        if empty {
            if let Some(top) = self.stack.last_mut() {
                top.has_children = true;
            }
            return;
        }
        self.depth += 1;
        if self.depth == 2 {
            match local.as_str() {
                "Designation" => {
                    self.draft = Some(Draft {
                        listed_key: "date_designated",
                        ..Draft::default()
                    });
                    self.stack.clear();
                }
                "DateGenerated" => self.date_text = Some(String::new()),
                _ => {}
            }
        } else if self.draft.is_some() {
            if let Some(top) = self.stack.last_mut() {
                top.has_children = true;
            }
            match local.as_str() {
                "Name" => self.name = Name::default(),
                "Address" => self.address = Address::default(),
                _ => {}
            }
            self.stack.push(Open {
                name: local,
                text: String::new(),
                has_children: false,
            });
        }
    }

    /// Adds text to the innermost open element (or the `DateGenerated` being read).
    fn text(&mut self, text: &str) {
        if let Some(top) = self.stack.last_mut() {
            top.text.push_str(text);
        } else if let Some(date) = self.date_text.as_mut() {
            date.push_str(text);
        }
    }

    /// An element ends; true when it was the root.
    fn end(&mut self) -> Result<bool, FormatError> {
        self.depth = self.depth.saturating_sub(1);
        if self.depth == 1 {
            if let Some(text) = self.date_text.take() {
                let text = text.trim().to_string();
                match dates::uk_file(&text) {
                    Some(date) => self.stated = Some((date, text)),
                    None => self.warnings.push(format!(
                        "{}: DateGenerated {} is not a date; the publication date must be given on the command line",
                        self.file,
                        crate::formats::quoted(&text)
                    )),
                }
            }
            if let Some(done) = self.draft.take() {
                self.designation(done)?;
            }
        } else if self.depth == 0 {
            return Ok(true);
        } else if let (Some(d), Some(closed)) = (self.draft.as_mut(), self.stack.pop()) {
            let parent = self.stack.last().map_or("", |p| p.name.as_str());
            close_element(d, parent, &closed, &mut self.name, &mut self.address);
        }
        Ok(false)
    }

    /// A designation was read whole: its entry, unless its UniqueID is missing or repeated.
    fn designation(&mut self, done: Draft) -> Result<(), FormatError> {
        let file = self.file;
        let number = self.entries.len() as u64 + 1;
        let location = || Location::Record { number, line: None };
        if done.id.trim().is_empty() {
            return Err(FormatError::new(
                file,
                location(),
                "the designation has no UniqueID",
            ));
        }
        let id = done.id.trim().to_string();
        if let Some(&first) = self.ids.get(&id) {
            return Err(FormatError::new(
                file,
                location(),
                format!(
                    "UniqueID {id} is given again (first by designation {}): each designation appears once",
                    first + 1
                ),
            ));
        }
        self.ids.insert(id, self.entries.len());
        let entry = build_entry(
            file,
            done,
            PrimaryNameTypes::FCDO,
            location,
            &mut self.warnings,
        )?;
        self.entries.push(frozen(entry));
        Ok(())
    }
}

/// `n` when `element` is `prefix` followed by a number from 1 to 6 (`Name3`, `AddressLine6`).
fn numbered(element: &str, prefix: &str) -> Option<usize> {
    element
        .strip_prefix(prefix)
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| (1..=6).contains(n))
}

/// Files a closed element of a designation. `parent` is the element it was in (empty for a
/// direct child of `Designation`).
fn close_element(
    draft: &mut Draft,
    parent: &str,
    closed: &Open,
    name: &mut Name,
    address: &mut Address,
) {
    let element = closed.name.as_str();
    if closed.has_children {
        match element {
            "Name" => draft.push_name(std::mem::take(name)),
            "Address" => draft.push_address(&std::mem::take(address)),
            _ => {}
        }
        return;
    }
    let value = closed.text.trim();
    if parent == "Name" {
        match element {
            "NameType" => name.kind = value.to_string(),
            "AliasStrength" => name.strength = value.to_string(),
            _ => match numbered(element, "Name") {
                Some(n) => {
                    if let Some(part) = name.parts.get_mut(n - 1) {
                        *part = value.to_string();
                    }
                }
                None => draft.push_extra(&extra_key(element), value),
            },
        }
        return;
    }
    if parent == "Address" {
        match element {
            "AddressPostalCode" | "PostCode" | "AddressPostCode" => {
                address.postal_code = value.to_string();
            }
            "AddressCountry" | "Country" => address.country = value.to_string(),
            _ => match numbered(element, "AddressLine") {
                Some(n) => {
                    if let Some(line) = address.lines.get_mut(n - 1) {
                        *line = value.to_string();
                    }
                }
                None => draft.push_extra(&extra_key(element), value),
            },
        }
        return;
    }
    if parent == "SanctionsImposedIndicators" {
        if value.eq_ignore_ascii_case("true") {
            draft.push_extra("sanctions_imposed_indicators", element);
        }
        return;
    }
    match element {
        "UniqueID" if parent.is_empty() => draft.id = value.to_string(),
        "RegimeName" => draft.programs.push(value.to_string()),
        "IndividualEntityShip" | "DesignationType" => draft.type_labels.push(value.to_string()),
        "UKStatementofReasons" | "UKStatementOfReasons" => draft.reasons.push(value.to_string()),
        "DateDesignated" => draft.listed.push(value.to_string()),
        "SanctionsImposed" => {
            for measure in value.split('|') {
                draft.push_extra("sanctions_imposed", measure);
            }
        }
        _ => draft.push_extra(&extra_key(element), value),
    }
}
