//! The BIS Entity List as codified in the eCFR: Supplement No. 4 to Part 744 of the EAR, XML.
//!
//! The list is a five-column table inside the supplement's `DIV9`
//! (`<HEAD>Supplement No. 4 to Part 744—Entity List</HEAD>`): Country | Entity | License
//! requirement | License review policy | Federal Register citation. Two table vocabularies are
//! read: the HTML tables of the eCFR bulk and versioner XML (`TABLE`/`TR`/`TH`/`TD`) and the GPO
//! tables of the CFR and Federal Register XML (`GPOTABLE`/`BOXHD`/`CHED`/`ROW`/`ENT`). The file
//! may be a whole title (`DLPSTEXTCLASS`/`ECFR` root), the part (`DIV5 N="744"`) or the
//! supplement alone (`DIV9`): only tables inside the supplement are read (Part 744 has other
//! tables of the same shape, such as the Military End-User List in Supplement No. 7).
//!
//! Quirks handled:
//! - The Country cell is filled only on a country's first row: blank cells carry the last
//!   country down.
//! - A row with an Entity cell but no licence or citation cells continues the entry above (an
//!   entry printed over several rows); a row with only licence or citation cells likewise.
//!   `[Reserved]` rows are skipped.
//! - Superscript footnote marks (`<SU>1</SU>`) are kept out of the cell text and recorded in
//!   `extra.<column>_footnotes`.
//! - Entity references the eCFR leaves undeclared (`&mdash;`, `&sect;`, …) are resolved.
//! - There is no identifier: the key is `norm(country) + "/" + norm(primary name)` ([`norm`]).
//!   The primary name, aliases and addresses are read from the free-text Entity cell by rule
//!   ([`split_entity`]); the whole cell is kept in `extra.entity_text`.
//! - Citations accumulate (`84 FR 43493, 8/21/19; 85 FR 34503, 6/5/20.`): each becomes one
//!   citation; the first one (the original listing) is also `extra.first_citation`, its date
//!   `listed_on`, and `extra.rename_key` = `norm(country) + "|" + "<volume> FR <page>"` of the
//!   first citation, so a renamed entry can be reported as a change.
//! - The publication date is the bulk file's `AMDDATE` (`Dec. 29, 2022(fm)`); the versioner's
//!   part and appendix XML state none, so the date must then be given on the command line.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::Value;

use super::read::xml::{Tag, Unresolved, XmlEvent, XmlReader, XmlRules, root_element};
use super::registry::{Capabilities, Entries, FormatDescriptor, Recognised, Recogniser, Shape};
use super::{
    FormatError, Input, Location, ParseResult, ParsedPublication, dates, frozen, record_error,
};
use crate::model::{Entry, EntryId, ListId, PublicationContent, text};

/// The list id the Entity List is recorded under.
const LIST_ID: &str = "us-bis-entity-list";

/// The `ecfr-entity-list` format.
pub(crate) static ECFR_ENTITY_LIST: FormatDescriptor = FormatDescriptor {
    name: "ecfr-entity-list",
    description: "BIS Entity List from the eCFR (Supplement No. 4 to Part 744 XML)",
    list_ids: "us-bis-entity-list",
    key: "norm(country)/norm(primary name); extra.rename_key = norm(country)|first FR citation",
    reason_fields: "license requirement, license review policy, Federal Register citations",
    // 2: a file with a UTF-8 byte-order mark and a declaration naming another encoding used to
    // be decoded as declared; the byte-order mark now decides.
    parser_version: 2,
    recogniser: Some(Recogniser {
        shape: Shape::Xml,
        order: 0,
        test: recognise,
    }),
    parse,
    capabilities: Capabilities {
        streams: true,
        // Not one entry at a time: renames are matched against the whole list.
        entries: Entries::Whole,
        ..Capabilities::NONE
    },
};

/// The columns of the Entity List table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Country,
    Entity,
    Requirement,
    Policy,
    Citation,
    Other,
}

impl Column {
    /// The column a header names.
    fn from_header(header: &str) -> Column {
        let h = header.to_lowercase();
        if h.contains("country") {
            Column::Country
        } else if h.contains("requirement") {
            Column::Requirement
        } else if h.contains("policy") {
            Column::Policy
        } else if h.contains("federal register") || h.contains("citation") {
            Column::Citation
        } else if h.contains("entity") || h.contains("name") {
            Column::Entity
        } else {
            Column::Other
        }
    }

    /// The position of the column in a table without headers.
    fn positional(index: usize) -> Column {
        match index {
            0 => Column::Country,
            1 => Column::Entity,
            2 => Column::Requirement,
            3 => Column::Policy,
            4 => Column::Citation,
            _ => Column::Other,
        }
    }

    /// The `extra` key prefix for the column's footnotes.
    fn label(self) -> &'static str {
        match self {
            Column::Country => "country",
            Column::Entity => "entity",
            Column::Requirement => "license_requirement",
            Column::Policy => "license_policy",
            Column::Citation => "federal_register_citation",
            Column::Other => "other",
        }
    }
}

/// The text of one table cell and the footnote marks in it.
#[derive(Clone, Debug, Default)]
struct Cell {
    text: String,
    footnotes: Vec<String>,
}

/// One entry as read from one or more rows, before it becomes an [`Entry`].
#[derive(Debug, Default)]
struct Draft {
    country: String,
    entity: String,
    requirement: String,
    policy: String,
    citation: String,
    footnotes: Vec<(&'static str, String)>,
    /// 1-based number of the table row where the entry starts (among the list's rows).
    row: u64,
}

/// What text is being collected.
enum Target {
    None,
    Head(String),
    AmdDate(String),
    Cell(Cell),
}

/// The table being read.
#[derive(Default)]
struct Table {
    headers: Vec<String>,
    row: Option<Vec<Cell>>,
    /// Whether a previous entry of this table can be continued.
    has_entry: bool,
}

/// What the eCFR XML tolerates: end tags are not checked against their start (wrapper
/// elements change case), entities it leaves undeclared are resolved ([`resolve_entity`]) or
/// kept as written, and so are bad character references and malformed attributes.
const RULES: XmlRules = XmlRules {
    check_end_names: false,
    unknown_entities: Unresolved::Keep,
    bad_character_references: Unresolved::Keep,
    malformed_attributes: Unresolved::Keep,
    more_entities: Some(resolve_entity),
};

/// Reads one input.
pub(super) fn parse(input: &Input) -> ParseResult {
    let name = input.primary.name.as_str();
    let mut xml = XmlReader::open(&input.primary, RULES)?;

    // Element names from the root down; the index of the supplement's element in it.
    let mut stack: Vec<String> = Vec::new();
    let mut supplement: Option<usize> = None;
    let mut found_supplement = false;
    let mut target = Target::None;
    let mut in_footnote = 0usize;
    let mut amddate: Option<String> = None;
    let mut table: Option<Table> = None;
    let mut country = String::new();
    let mut drafts: Vec<Draft> = Vec::new();
    let mut rows = 0u64;

    loop {
        match xml.next()? {
            XmlEvent::Eof => break,
            XmlEvent::Start { tag, empty: false } => {
                let upper = tag.name.to_ascii_uppercase();
                // A table row is a record.
                if upper == "TR" || upper == "ROW" {
                    xml.begin_record();
                }
                if supplement.is_none() && is_supplement_attr(&tag) {
                    supplement = Some(stack.len());
                    found_supplement = true;
                }
                start_element(
                    &upper,
                    &mut target,
                    &mut in_footnote,
                    &mut table,
                    supplement,
                );
                if upper == "HEAD" && matches!(target, Target::None) {
                    target = Target::Head(String::new());
                } else if upper == "AMDDATE" && amddate.is_none() {
                    target = Target::AmdDate(String::new());
                }
                stack.push(upper);
            }
            XmlEvent::Start { tag, empty: true } => {
                let upper = tag.name.to_ascii_uppercase();
                start_element(
                    &upper,
                    &mut target,
                    &mut in_footnote,
                    &mut table,
                    supplement,
                );
                end_element(
                    &upper,
                    &mut target,
                    &mut in_footnote,
                    &mut table,
                    &mut EndState {
                        country: &mut country,
                        drafts: &mut drafts,
                        rows: &mut rows,
                        amddate: &mut amddate,
                    },
                );
            }
            XmlEvent::End { .. } => {
                let Some(tag) = stack.pop() else {
                    continue;
                };
                if tag == "HEAD"
                    && let Target::Head(head) = &target
                {
                    if supplement.is_none() && is_supplement_heading(head) {
                        // The heading names the element that holds it.
                        supplement = Some(stack.len().saturating_sub(1));
                        found_supplement = true;
                    }
                    target = Target::None;
                    continue;
                }
                end_element(
                    &tag,
                    &mut target,
                    &mut in_footnote,
                    &mut table,
                    &mut EndState {
                        country: &mut country,
                        drafts: &mut drafts,
                        rows: &mut rows,
                        amddate: &mut amddate,
                    },
                );
                if supplement.is_some_and(|depth| stack.len() <= depth) {
                    supplement = None;
                    table = None;
                }
            }
            XmlEvent::Text(text) => push_text(&mut target, in_footnote > 0, &text),
        }
    }

    if !found_supplement {
        return Err(FormatError::new(
            name,
            Location::File,
            "no \"Supplement No. 4 to Part 744\" (the Entity List) in this file: give the eCFR XML of Title 15, Part 744 or its Supplement No. 4",
        ));
    }

    let mut warnings: Vec<String> = xml.decode_warning().into_iter().collect();
    let (entries, rows_of) = build_entries(name, drafts, &mut warnings)?;
    let content = PublicationContent::Snapshot(entries)
        .normalize()
        .map_err(|e| record_error(name, e, |i| rows_of.get(i).copied().flatten()))?;
    let (stated_date, stated_date_text) = match amddate.as_deref().and_then(text::normalize) {
        Some(raw) => match dates::month_name(&raw) {
            Some(date) => (Some(date), Some(raw)),
            None => {
                warnings.push(format!(
                    "{name}: the amendment date {} (AMDDATE) is not a date listdiff reads; give the publication date on the command line",
                    super::quoted(&raw)
                ));
                (None, None)
            }
        },
        None => (None, None),
    };
    let list =
        ListId::new(LIST_ID).map_err(|e| FormatError::new(name, Location::File, e.to_string()))?;
    Ok((
        vec![ParsedPublication {
            list,
            stated_date,
            stated_date_text,
            source: None,
            content,
            columns: None,
        }],
        warnings,
    ))
}

/// The state an element's end updates.
struct EndState<'a> {
    country: &'a mut String,
    drafts: &'a mut Vec<Draft>,
    rows: &'a mut u64,
    amddate: &'a mut Option<String>,
}

/// True for an element whose `N` attribute names the supplement (`DIV9 N="Supplement No. 4 to
/// Part 744"`).
fn is_supplement_attr(tag: &Tag) -> bool {
    tag.attrs
        .iter()
        .any(|(key, value)| key.eq_ignore_ascii_case("N") && is_supplement_heading(value))
}

/// True when a heading names Supplement No. 4 to Part 744.
fn is_supplement_heading(head: &str) -> bool {
    let flat = norm(head);
    flat.starts_with("supplement no 4 to part 744")
}

/// Handles an element's start inside the text being collected or the table being read.
fn start_element(
    tag: &str,
    target: &mut Target,
    in_footnote: &mut usize,
    table: &mut Option<Table>,
    supplement: Option<usize>,
) {
    match tag {
        "TABLE" | "GPOTABLE" if supplement.is_some() => {
            *table = Some(Table::default());
        }
        "TR" | "ROW" => {
            if let Some(t) = table.as_mut() {
                t.row = Some(Vec::new());
            }
        }
        "TD" | "ENT" | "TH" | "CHED" if table.is_some() => {
            *target = Target::Cell(Cell::default());
        }
        "SU" | "FTREF" => *in_footnote += 1,
        "P" | "BR" | "FP" | "LI" | "DIV" | "HD1" | "HD2" | "HD3" => {
            push_text(target, false, " ");
        }
        _ => {}
    }
}

/// Handles an element's end: finishes cells, rows, tables and the amendment date.
fn end_element(
    tag: &str,
    target: &mut Target,
    in_footnote: &mut usize,
    table: &mut Option<Table>,
    state: &mut EndState<'_>,
) {
    match tag {
        "AMDDATE" => {
            if let Target::AmdDate(text) = std::mem::replace(target, Target::None) {
                *state.amddate = Some(text);
            }
        }
        "TH" | "CHED" => {
            if let (Target::Cell(cell), Some(t)) =
                (std::mem::replace(target, Target::None), table.as_mut())
            {
                t.headers.push(cell.text);
            }
        }
        "TD" | "ENT" => {
            if let (Target::Cell(cell), Some(t)) =
                (std::mem::replace(target, Target::None), table.as_mut())
                && let Some(row) = t.row.as_mut()
            {
                row.push(cell);
            }
        }
        "TR" | "ROW" => {
            if let Some(t) = table.as_mut()
                && let Some(cells) = t.row.take()
                && !cells.is_empty()
            {
                read_row(t, cells, state);
            }
        }
        "TABLE" | "GPOTABLE" => *table = None,
        "SU" | "FTREF" => *in_footnote = in_footnote.saturating_sub(1),
        "P" | "BR" | "FP" | "LI" | "DIV" | "HD1" | "HD2" | "HD3" => push_text(target, false, " "),
        _ => {}
    }
}

/// Appends text to what is being collected (to the footnotes inside `<SU>`).
fn push_text(target: &mut Target, footnote: bool, text: &str) {
    match target {
        Target::None => {}
        Target::Head(s) | Target::AmdDate(s) => s.push_str(text),
        Target::Cell(cell) => {
            if footnote {
                if let Some(mark) = text::normalize(text) {
                    cell.footnotes.push(mark);
                }
            } else {
                cell.text.push_str(text);
            }
        }
    }
}

/// Entities the eCFR may leave undeclared (XML's own five are resolved by the reader).
fn resolve_entity(name: &str) -> Option<&'static str> {
    match name {
        "mdash" => Some("—"),
        "ndash" => Some("–"),
        "nbsp" => Some(" "),
        "sect" => Some("§"),
        "rsquo" => Some("’"),
        "lsquo" => Some("‘"),
        "rdquo" => Some("”"),
        "ldquo" => Some("“"),
        "para" => Some("¶"),
        _ => None,
    }
}

/// Reads one table row into a new entry or the continuation of the one above.
fn read_row(table: &mut Table, cells: Vec<Cell>, state: &mut EndState<'_>) {
    let columns: Vec<Column> = if table.headers.is_empty() {
        (0..cells.len()).map(Column::positional).collect()
    } else {
        table
            .headers
            .iter()
            .map(|h| Column::from_header(h))
            .collect()
    };
    if !columns.contains(&Column::Entity) {
        return; // Not an Entity List table (a footnote or note table).
    }
    let mut draft = Draft::default();
    for (i, cell) in cells.into_iter().enumerate() {
        let column = columns.get(i).copied().unwrap_or(Column::Other);
        let value = text::normalize(&cell.text).unwrap_or_default();
        for mark in cell.footnotes {
            draft.footnotes.push((column.label(), mark));
        }
        let slot = match column {
            Column::Country => &mut draft.country,
            Column::Entity => &mut draft.entity,
            Column::Requirement => &mut draft.requirement,
            Column::Policy => &mut draft.policy,
            Column::Citation => &mut draft.citation,
            Column::Other => continue,
        };
        *slot = value;
    }
    if !draft.country.is_empty() {
        state.country.clone_from(&draft.country);
    }
    let reserved = draft
        .entity
        .trim_matches(['[', ']', '.', ' '])
        .eq_ignore_ascii_case("reserved");
    let columns_empty =
        draft.requirement.is_empty() && draft.policy.is_empty() && draft.citation.is_empty();
    if reserved || (draft.entity.is_empty() && columns_empty) {
        return;
    }
    // A row that continues the entry above: no country of its own, and either no entity cell
    // or no licence and citation cells.
    if table.has_entry
        && draft.country.is_empty()
        && (draft.entity.is_empty() || columns_empty)
        && let Some(previous) = state.drafts.last_mut()
    {
        for (to, from) in [
            (&mut previous.entity, draft.entity),
            (&mut previous.requirement, draft.requirement),
            (&mut previous.policy, draft.policy),
            (&mut previous.citation, draft.citation),
        ] {
            if !from.is_empty() {
                if !to.is_empty() {
                    to.push(' ');
                }
                to.push_str(&from);
            }
        }
        previous.footnotes.extend(draft.footnotes);
        return;
    }
    if draft.entity.is_empty() {
        return;
    }
    *state.rows += 1;
    draft.row = *state.rows;
    draft.country.clone_from(state.country);
    table.has_entry = true;
    state.drafts.push(draft);
}

/// Turns the drafts into entries, merging two with the same key (with a warning).
#[allow(clippy::type_complexity)]
fn build_entries(
    file: &str,
    drafts: Vec<Draft>,
    warnings: &mut Vec<String>,
) -> Result<(Vec<Entry>, Vec<Option<u64>>), FormatError> {
    let mut entries: Vec<Entry> = Vec::with_capacity(drafts.len());
    let mut rows_of: Vec<Option<u64>> = Vec::with_capacity(drafts.len());
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for draft in drafts {
        let entry = draft_entry(file, &draft)?;
        match by_key.get(entry.id.as_str()) {
            Some(&at) => {
                let Some(first) = entries.get_mut(at) else {
                    continue;
                };
                warnings.push(format!(
                    "{file}: table row {} repeats the entry of row {} ({}): the two rows were merged into one entry",
                    draft.row,
                    rows_of.get(at).copied().flatten().unwrap_or(0),
                    entry.id
                ));
                merge(first, entry);
            }
            None => {
                by_key.insert(entry.id.as_str().to_string(), entries.len());
                entries.push(frozen(entry));
                rows_of.push(Some(draft.row));
            }
        }
    }
    // Table rows are not file lines: locate errors by record only.
    let rows_of = rows_of.into_iter().map(|_| None).collect();
    Ok((entries, rows_of))
}

/// Merges a repeated entry into the first: lists are united, differing texts joined.
fn merge(first: &mut Entry, other: Entry) {
    first.aliases.extend(other.aliases);
    first.addresses.extend(other.addresses);
    first.citations.extend(other.citations);
    first.countries.extend(other.countries);
    for (slot, value) in [
        (&mut first.license_requirement, other.license_requirement),
        (&mut first.license_policy, other.license_policy),
    ] {
        match (slot.as_mut(), value) {
            (Some(a), Some(b)) if *a != b => {
                a.push_str(" | ");
                a.push_str(&b);
            }
            (None, Some(b)) => *slot = Some(b),
            _ => {}
        }
    }
    for (key, value) in other.extra {
        match first.extra.get_mut(&key) {
            Some(existing) if *existing != value => {
                let mut items = match existing.take() {
                    Value::Array(items) if key != "rename_key" => items,
                    other => vec![other],
                };
                items.push(value);
                *existing = Value::Array(items);
            }
            Some(_) => {}
            None => {
                first.extra.insert(key, value);
            }
        }
    }
}

/// Builds the entry of one draft.
fn draft_entry(file: &str, draft: &Draft) -> Result<Entry, FormatError> {
    let location = Location::Record {
        number: draft.row,
        line: None,
    };
    let (name, aliases, addresses) = split_entity(&draft.entity);
    let key = format!("{}/{}", norm(&draft.country), norm(&name));
    let id =
        EntryId::new(&key).map_err(|e| FormatError::new(file, location.clone(), e.to_string()))?;
    let mut entry = Entry::new(id, name);
    if !draft.country.is_empty() {
        entry.countries.push(draft.country.clone());
    }
    entry.aliases = aliases;
    entry.addresses = addresses;
    entry.license_requirement = Some(draft.requirement.clone());
    entry.license_policy = Some(draft.policy.clone());
    let citations = parse_citations(&draft.citation);
    entry
        .extra
        .insert("entity_text".into(), Value::String(draft.entity.clone()));
    if let Some(first) = citations.first() {
        entry
            .extra
            .insert("first_citation".into(), Value::String(first.text()));
        entry.extra.insert(
            "rename_key".into(),
            Value::String(format!(
                "{}|{} FR {}",
                norm(&draft.country),
                first.volume,
                first.page
            )),
        );
        if let Some(date) = first.date {
            entry.listed_on = Some(date);
            if let Some(raw) = &first.date_text {
                entry
                    .extra
                    .insert("listed_on_text".into(), Value::String(raw.clone()));
            }
        }
    }
    if citations.is_empty() || has_leftover(&draft.citation, &citations) {
        // Keep text the citation reader could not place, so nothing is lost.
        entry.extra.insert(
            "federal_register_citation_text".into(),
            Value::String(draft.citation.clone()),
        );
    }
    entry.citations = citations.iter().map(Citation::text).collect();
    let mut footnotes: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    for (label, mark) in &draft.footnotes {
        footnotes
            .entry(format!("{label}_footnotes"))
            .or_default()
            .push(Value::String(mark.clone()));
    }
    for (key, marks) in footnotes {
        entry.extra.insert(key, Value::Array(marks));
    }
    Ok(entry)
}

/// The key form of a name or country: lower case; apostrophes removed; every other character
/// that is not a letter or digit becomes a space; white space collapsed and trimmed.
/// `CHINA, PEOPLE'S REPUBLIC OF` → `china peoples republic of`.
pub(crate) fn norm(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut space = false;
    for c in raw.chars().flat_map(char::to_lowercase) {
        if matches!(c, '\'' | '’' | '‘' | '`') {
            continue;
        }
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        } else {
            space = true;
        }
    }
    out
}

/// Company-form words that continue a name after a comma (`Huawei Technologies Co., Ltd.`).
const NAME_SUFFIXES: [&str; 40] = [
    "ltd",
    "ltd.",
    "limited",
    "inc",
    "inc.",
    "llc",
    "l.l.c.",
    "co",
    "co.",
    "corp",
    "corp.",
    "corporation",
    "company",
    "s.a",
    "s.a.",
    "gmbh",
    "jsc",
    "ojsc",
    "pjsc",
    "cjsc",
    "ao",
    "oao",
    "ooo",
    "zao",
    "llp",
    "plc",
    "b.v.",
    "n.v.",
    "s.r.l.",
    "s.l.",
    "a.s.",
    "ag",
    "pte",
    "pty",
    "sdn",
    "fze",
    "fzco",
    "fzc",
    "s.p.a.",
    "lp",
];

/// Words after which a full stop does not end an alias (`No.`, `St.`).
const ABBREVIATIONS: [&str; 17] = [
    "no", "nos", "st", "mr", "mrs", "dr", "jr", "sr", "bldg", "rd", "ave", "blvd", "mt", "vs",
    "co", "corp", "inc",
];

/// Splits an Entity cell into the primary name, the aliases and the addresses.
///
/// - The name is the text before `a.k.a.`/`f.k.a.`, else the text up to the first comma that
///   is not followed by a company form (`Co.`, `Ltd.`, `Inc.`, …).
/// - Aliases follow `a.k.a.` (after an optional `the following N aliases:`): an em-dash list
///   (`—A; —B; and —C.`) or a single name; the last one ends at the first full stop that is
///   not an abbreviation or initial, or that is followed by a digit.
/// - What remains is the address text, split on `; and ` and `; `.
fn split_entity(cell: &str) -> (String, Vec<String>, Vec<String>) {
    let cell = cell.trim();
    let lower = cell.to_lowercase();
    let marker = ["a.k.a.", "f.k.a.", "a.k.a,", "a.k.a "]
        .iter()
        .filter_map(|m| lower.find(m).map(|at| (at, m.len())))
        .min();
    // `to_lowercase` can change byte lengths for some scripts: only trust positions when not.
    let marker = marker.filter(|_| lower.len() == cell.len());
    let (name, aliases, rest) = match marker {
        Some((at, len)) => {
            let name = cell.get(..at).unwrap_or(cell);
            let name = name
                .trim()
                .trim_end_matches([',', ';', '(', ' '])
                .to_string();
            let mut after = cell
                .get(at + len..)
                .unwrap_or("")
                .trim_start_matches([',', ':', ' ']);
            if after.to_lowercase().starts_with("the following")
                && let Some(colon) = after.find(':')
            {
                after = after.get(colon + 1..).unwrap_or("").trim_start();
            }
            let (aliases, rest) = read_aliases(after);
            (name, aliases, rest)
        }
        None => {
            let (name, rest) = name_prefix(cell);
            (name, Vec::new(), rest)
        }
    };
    let rest = rest.trim().trim_start_matches([',', ';', '.', ' ']).trim();
    let rest = rest.strip_suffix('.').unwrap_or(rest).trim();
    let addresses = if rest.is_empty() {
        Vec::new()
    } else {
        rest.split("; and ")
            .flat_map(|part| part.split("; "))
            .map(|a| a.trim().trim_end_matches([';', '.']).trim().to_string())
            .filter(|a| !a.is_empty())
            .collect()
    };
    let name = if name.is_empty() {
        cell.to_string()
    } else {
        name
    };
    (name, aliases, addresses)
}

/// The name at the start of a cell with no aliases, and the text after it.
fn name_prefix(cell: &str) -> (String, &str) {
    let mut end = 0usize;
    let mut first = true;
    for (start, part) in comma_parts(cell) {
        let word = part.trim();
        let head = word.split([' ', '(']).next().unwrap_or("").to_lowercase();
        let head = head.trim_end_matches(',');
        if first || NAME_SUFFIXES.contains(&head) {
            end = start + part.len();
            first = false;
        } else {
            break;
        }
    }
    let name = cell.get(..end).unwrap_or(cell).trim();
    let rest = cell.get(end..).unwrap_or("");
    let name = if rest.trim().is_empty() {
        name.strip_suffix('.').unwrap_or(name).trim()
    } else {
        name
    };
    (name.to_string(), rest)
}

/// The parts of `text` between `, ` separators, with their byte offsets.
fn comma_parts(text: &str) -> Vec<(usize, &str)> {
    let mut parts = Vec::new();
    let mut start = 0usize;
    for (at, _) in text.match_indices(", ") {
        if let Some(part) = text.get(start..at) {
            parts.push((start, part));
        }
        start = at + 2;
    }
    if let Some(part) = text.get(start..) {
        parts.push((start, part));
    }
    parts
}

/// Reads the aliases after `a.k.a.`; returns them and the text after the last one.
fn read_aliases(after: &str) -> (Vec<String>, &str) {
    let clean = |s: &str| -> String {
        let s = s.trim().trim_end_matches([';', ',', ' ']);
        let s = s.strip_suffix(" and").unwrap_or(s);
        let s = s.strip_suffix(';').unwrap_or(s);
        s.trim().trim_end_matches([';', ',']).trim().to_string()
    };
    if after.starts_with('—') || after.starts_with("--") {
        let items: Vec<&str> = after
            .split('—')
            .flat_map(|p| p.split("--"))
            .filter(|p| !p.trim().is_empty())
            .collect();
        let mut aliases: Vec<String> = Vec::new();
        let count = items.len();
        for (i, item) in items.into_iter().enumerate() {
            if i + 1 < count {
                aliases.push(clean(item));
            } else {
                let end = alias_end(item);
                aliases.push(clean(item.get(..end).unwrap_or(item)));
                let rest = item.get(end..).unwrap_or("");
                return (
                    aliases.into_iter().filter(|a| !a.is_empty()).collect(),
                    rest,
                );
            }
        }
        (aliases.into_iter().filter(|a| !a.is_empty()).collect(), "")
    } else {
        let end = alias_end(after);
        let alias = clean(after.get(..end).unwrap_or(after));
        let alias = alias
            .trim_matches(['\'', '"', '‘', '’', '“', '”'])
            .to_string();
        let rest = after.get(end..).unwrap_or("");
        (
            if alias.is_empty() {
                Vec::new()
            } else {
                vec![alias]
            },
            rest,
        )
    }
}

/// Where the last alias ends (exclusive; the full stop or comma that ends it is left out):
/// at the first `, ` followed by a digit (an address number), or before that at the first `. `
/// (or final `.`) that ends a sentence: one followed by a digit, or one not after an
/// abbreviation (`No.`, `St.`, `Co.`) or an initial; else the whole text.
fn alias_end(text: &str) -> usize {
    let mut best = text.len();
    for (at, _) in text.match_indices(", ") {
        let next = text.get(at + 2..).and_then(|s| s.chars().next());
        if next.is_some_and(|c| c.is_ascii_digit()) {
            best = at;
            break;
        }
    }
    for (at, _) in text.match_indices('.') {
        if at >= best {
            break;
        }
        let after = text.get(at + 1..).unwrap_or("");
        let at_end = after.trim().is_empty();
        if !at_end && !after.starts_with(' ') {
            continue; // `S.A.`, `1.5`, `Ltd.,`
        }
        let next = after.trim_start().chars().next();
        if next.is_some_and(|c| c.is_ascii_digit()) {
            return at;
        }
        let before = text.get(..at).unwrap_or("");
        let word = before
            .rsplit([' ', '.', '—'])
            .next()
            .unwrap_or("")
            .to_lowercase();
        let initial = word.chars().count() == 1;
        if at_end || !(initial || ABBREVIATIONS.contains(&word.as_str())) {
            return at;
        }
    }
    best
}

/// One Federal Register citation: `84 FR 43493, 8/21/19`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Citation {
    volume: String,
    page: String,
    date_text: Option<String>,
    date: Option<NaiveDate>,
    /// The byte range in the cell.
    span: (usize, usize),
}

impl Citation {
    /// The citation as one string: `84 FR 43493, 8/21/19` (`84 FR 43493` without a date).
    fn text(&self) -> String {
        match &self.date_text {
            Some(d) => format!("{} FR {}, {d}", self.volume, self.page),
            None => format!("{} FR {}", self.volume, self.page),
        }
    }
}

/// Reads every `<volume> FR <page>[, M/D/YY]` citation in a cell, in order.
fn parse_citations(cell: &str) -> Vec<Citation> {
    let bytes = cell.as_bytes();
    let mut out = Vec::new();
    let mut from = 0usize;
    while let Some(rel) = cell.get(from..).and_then(|s| s.find("FR")) {
        let at = from + rel;
        from = at + 2;
        // The volume: digits before, after optional spaces.
        let mut v_end = at;
        while v_end > 0 && bytes.get(v_end - 1) == Some(&b' ') {
            v_end -= 1;
        }
        let mut v_start = v_end;
        while v_start > 0 && bytes.get(v_start - 1).is_some_and(u8::is_ascii_digit) {
            v_start -= 1;
        }
        if v_start == v_end
            || (v_start > 0
                && bytes
                    .get(v_start - 1)
                    .is_some_and(u8::is_ascii_alphanumeric))
        {
            continue;
        }
        // The page: digits (and thousands commas) after optional spaces.
        let mut p_start = at + 2;
        while bytes.get(p_start) == Some(&b' ') {
            p_start += 1;
        }
        let mut p_end = p_start;
        while bytes.get(p_end).is_some_and(u8::is_ascii_digit) {
            p_end += 1;
        }
        if p_end == p_start {
            continue;
        }
        let (Some(volume), Some(page)) = (cell.get(v_start..v_end), cell.get(p_start..p_end))
        else {
            continue;
        };
        // The date: `, M/D/YY` or ` M/D/YYYY`.
        let mut end = p_end;
        let mut d_start = p_end;
        if bytes.get(d_start) == Some(&b',') {
            d_start += 1;
        }
        while bytes.get(d_start) == Some(&b' ') {
            d_start += 1;
        }
        let mut d_end = d_start;
        while bytes
            .get(d_end)
            .is_some_and(|b| b.is_ascii_digit() || *b == b'/')
        {
            d_end += 1;
        }
        let date_text = cell
            .get(d_start..d_end)
            .filter(|d| d.matches('/').count() == 2);
        let date = date_text.and_then(dates::month_day_short_year);
        if date_text.is_some() {
            end = d_end;
        }
        out.push(Citation {
            volume: volume.to_string(),
            page: page.to_string(),
            date_text: date_text.map(str::to_string),
            date,
            span: (v_start, end),
        });
        from = end.max(from);
    }
    out
}

/// True when the cell holds words besides its citations and separators.
fn has_leftover(cell: &str, citations: &[Citation]) -> bool {
    let mut rest = String::new();
    let mut at = 0usize;
    for c in citations {
        rest.push_str(cell.get(at..c.span.0).unwrap_or(""));
        at = c.span.1;
    }
    rest.push_str(cell.get(at..).unwrap_or(""));
    let words: Vec<&str> = rest
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().any(|w| !w.eq_ignore_ascii_case("and"))
}

/// Recognises the format from the start of a file (`head`: at most its first 64 KiB, with any
/// byte-order mark and leading white space removed): XML whose first 64 KiB hold the heading
/// `Supplement No. 4 to Part 744` (a `HEAD` or an `N` attribute), or whose root is the part
/// itself (`<DIV5 N="744" … TYPE="PART">`).
fn recognise(head: &[u8]) -> Option<Recognised> {
    if !head.starts_with(b"<") {
        return None;
    }
    let text = String::from_utf8_lossy(head);
    let root = root_element(head)?;
    let root_upper = format!("<{}{}", root.qname, root.attributes).to_ascii_uppercase();
    let ecfr_root = root_upper.starts_with("<DIV")
        || root_upper.starts_with("<ECFR")
        || root_upper.starts_with("<DLPSTEXTCLASS")
        || root_upper.starts_with("<CFRGRANULE")
        || root_upper.starts_with("<APPENDIX");
    if !ecfr_root {
        return None;
    }
    if root_upper.starts_with("<DIV5") && root_upper.contains("N=\"744\"") {
        return Some(Recognised::This);
    }
    let flat = norm(&text);
    flat.contains("supplement no 4 to part 744")
        .then_some(Recognised::This)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Input {
        let path = format!(
            "{}/tests/fixtures/ecfr-entity-list/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(&path).unwrap();
        Input::single(path, bytes)
    }

    fn entries(p: &ParsedPublication) -> &[Entry] {
        match &p.content {
            PublicationContent::Snapshot(e) => e,
            PublicationContent::Amendment(_) => panic!("expected a snapshot"),
        }
    }

    fn find<'a>(entries: &'a [Entry], id: &str) -> &'a Entry {
        entries
            .iter()
            .find(|e| e.id.as_str() == id)
            .unwrap_or_else(|| {
                panic!(
                    "no entry {id}: {:?}",
                    entries.iter().map(|e| e.id.as_str()).collect::<Vec<_>>()
                )
            })
    }

    fn parse_str(xml: &str) -> Result<(Vec<ParsedPublication>, Vec<String>), FormatError> {
        parse(&Input::single("t.xml", xml.as_bytes().to_vec()))
    }

    const ROW_HEAD: &str = "<TR><TH>Country</TH><TH>Entity</TH><TH>License requirement</TH><TH>License review policy</TH><TH>Federal Register citation</TH></TR>";

    fn supplement(rows: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DIV9 N=\"Supplement No. 4 to Part 744\" TYPE=\"APPENDIX\"><HEAD>Supplement No. 4 to Part 744—Entity List</HEAD><DIV class=\"gpotbl_div\"><TABLE>{ROW_HEAD}{rows}</TABLE></DIV></DIV9>"
        )
    }

    #[test]
    fn normalisation_of_keys() {
        assert_eq!(
            norm("CHINA, PEOPLE'S REPUBLIC OF"),
            "china peoples republic of"
        );
        assert_eq!(
            norm("  Huawei Technologies Co.,  Ltd. "),
            "huawei technologies co ltd"
        );
        assert_eq!(norm("Ürümqi—Test"), "ürümqi test");
    }

    #[test]
    fn entity_cells_split_into_name_aliases_and_addresses() {
        let (n, a, d) = split_entity(
            "Example Microsystems Ltd., a.k.a., the following two aliases: —EML; and —Example Micro. 88 Sample Avenue, Suzhou, Jiangsu, China.",
        );
        assert_eq!(n, "Example Microsystems Ltd.");
        assert_eq!(a, vec!["EML", "Example Micro"]);
        assert_eq!(d, vec!["88 Sample Avenue, Suzhou, Jiangsu, China"]);

        let (n, a, d) = split_entity(
            "Huawei Technologies Co., Ltd., Bantian Huawei Base, Longgang District, Shenzhen, China.",
        );
        assert_eq!(n, "Huawei Technologies Co., Ltd.");
        assert!(a.is_empty());
        assert_eq!(
            d,
            vec!["Bantian Huawei Base, Longgang District, Shenzhen, China"]
        );

        let (n, a, d) =
            split_entity("Aviazapchast, a.k.a. Aviaz Co. Ltd., 12 Lenin St., Moscow, Russia.");
        assert_eq!(n, "Aviazapchast");
        assert_eq!(a, vec!["Aviaz Co. Ltd."]);
        assert_eq!(d, vec!["12 Lenin St., Moscow, Russia"]);

        let (n, a, d) = split_entity(
            "Alpha Trading, a.k.a., the following alias: —Beta Trading FZE. Office 1, Dubai, U.A.E.; and Office 2, Sharjah, U.A.E.",
        );
        assert_eq!(n, "Alpha Trading");
        assert_eq!(a, vec!["Beta Trading FZE"]);
        assert_eq!(
            d,
            vec!["Office 1, Dubai, U.A.E", "Office 2, Sharjah, U.A.E"]
        );

        let (n, a, d) = split_entity("Lone Name Corp.");
        assert_eq!((n.as_str(), a.len(), d.len()), ("Lone Name Corp", 0, 0));
    }

    #[test]
    fn citations_are_read_one_by_one() {
        let c = parse_citations("84 FR 43493, 8/21/19; 85 FR 34503, 6/5/20.");
        let texts: Vec<String> = c.iter().map(Citation::text).collect();
        assert_eq!(texts, vec!["84 FR 43493, 8/21/19", "85 FR 34503, 6/5/20"]);
        assert_eq!(c[0].date, NaiveDate::from_ymd_opt(2019, 8, 21));
        assert!(!has_leftover(
            "84 FR 43493, 8/21/19; 85 FR 34503, 6/5/20.",
            &c
        ));

        let c = parse_citations("63 FR 64325, 11/19/98. 76 FR 71869, 11/21/2011. 89 FR 1234");
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].date, NaiveDate::from_ymd_opt(1998, 11, 19));
        assert_eq!(c[1].date, NaiveDate::from_ymd_opt(2011, 11, 21));
        assert_eq!(c[2].text(), "89 FR 1234");

        let text = "84 FR 43493, 8/21/19; effective date postponed.";
        assert!(has_leftover(text, &parse_citations(text)));
        assert!(parse_citations("See the EAR, no citation").is_empty());
    }

    #[test]
    fn reads_the_first_fixture() {
        let (pubs, warnings) = parse(&fixture("2024-01-15/title-15-part-744.xml")).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(pubs.len(), 1);
        let p = &pubs[0];
        assert_eq!(p.list.as_str(), "us-bis-entity-list");
        assert_eq!(p.stated_date, NaiveDate::from_ymd_opt(2024, 1, 12));
        assert_eq!(p.stated_date_text.as_deref(), Some("Jan. 12, 2024"));
        let e = entries(p);
        // The Military End-User table of Supplement No. 7 is not read.
        assert_eq!(
            e.len(),
            6,
            "{:?}",
            e.iter().map(|e| e.id.as_str()).collect::<Vec<_>>()
        );
        assert!(e.iter().all(|e| !e.name.contains("Military End")));

        let a = find(e, "china peoples republic of/example microsystems ltd");
        assert_eq!(a.name, "Example Microsystems Ltd.");
        assert_eq!(a.countries, vec!["CHINA, PEOPLE'S REPUBLIC OF"]);
        assert_eq!(a.aliases, vec!["EML", "Example Micro"]);
        assert_eq!(
            a.addresses,
            vec!["88 Sample Avenue, Suzhou, Jiangsu, China"]
        );
        assert_eq!(
            a.license_requirement.as_deref(),
            Some("For all items subject to the EAR. (See § 744.11 of the EAR).")
        );
        assert_eq!(a.license_policy.as_deref(), Some("Presumption of denial."));
        assert_eq!(a.citations, vec!["84 FR 43493, 8/21/19"]);
        assert_eq!(a.listed_on, NaiveDate::from_ymd_opt(2019, 8, 21));
        assert_eq!(a.extra["first_citation"], "84 FR 43493, 8/21/19");
        assert_eq!(a.extra["listed_on_text"], "8/21/19");
        assert_eq!(
            a.extra["rename_key"],
            "china peoples republic of|84 FR 43493"
        );
        assert_eq!(
            a.extra["license_requirement_footnotes"],
            serde_json::json!(["1"])
        );

        // Carried down: the row below has an empty country cell.
        let b = find(e, "china peoples republic of/example optics institute");
        assert_eq!(b.countries, vec!["CHINA, PEOPLE'S REPUBLIC OF"]);
        assert_eq!(b.addresses, vec!["3 Demo Road, Xi’an, China"]);
        // An entry printed over two rows.
        let c = find(
            e,
            "china peoples republic of/northern star photonics co ltd",
        );
        assert_eq!(
            c.addresses,
            vec!["Building 5, Shenzhen, China", "Room 9, Hong Kong"]
        );
        assert_eq!(c.citations.len(), 2);

        let r = find(e, "russia/aviazapchast");
        assert_eq!(r.aliases, vec!["Aviaz Co. Ltd."]);
        assert_eq!(r.countries, vec!["RUSSIA"]);
    }

    #[test]
    fn successive_fixtures_show_an_addition_a_removal_a_policy_change_and_a_rename() {
        let ids = |file: &str| -> Vec<Entry> {
            let (p, _) = parse(&fixture(file)).unwrap();
            entries(&p[0]).to_vec()
        };
        let a = ids("2024-01-15/title-15-part-744.xml");
        let b = ids("2024-06-03/supplement-4.xml");
        let has = |e: &[Entry], id: &str| e.iter().any(|x| x.id.as_str() == id);
        // Removal.
        assert!(has(&a, "russia/aviazapchast") && !has(&b, "russia/aviazapchast"));
        // Addition.
        assert!(!has(&a, "iran/tehran dynamics") && has(&b, "iran/tehran dynamics"));
        // Licence policy change, with an appended citation.
        let (pa, pb) = (
            find(&a, "china peoples republic of/example optics institute"),
            find(&b, "china peoples republic of/example optics institute"),
        );
        assert_ne!(pa.license_policy, pb.license_policy);
        assert_eq!(pb.license_policy.as_deref(), Some("Presumption of denial."));
        assert_eq!(pb.citations.len(), pa.citations.len() + 1);
        // Rename: same country and first citation, new name.
        let old = find(&a, "united arab emirates/gulf star trading llc");
        assert!(!has(&b, "united arab emirates/gulf star trading llc"));
        let new = find(&b, "united arab emirates/desert falcon trading llc");
        assert_eq!(old.extra["rename_key"], new.extra["rename_key"]);
        assert_eq!(new.aliases, vec!["Gulf Star Trading LLC"]);

        let (pubs, _) = parse(&fixture("2024-06-03/supplement-4.xml")).unwrap();
        // The versioner's appendix XML states no date.
        assert_eq!(pubs[0].stated_date, None);
        assert_eq!(pubs[0].stated_date_text, None);

        // The third date uses GPO table markup (GPOTABLE/BOXHD/ROW/ENT).
        let c = ids("2024-09-16/title-15-gpotable.xml");
        assert_eq!(c.len(), b.len() + 1);
        assert!(has(&c, "pakistan/karachi precision engineering"));
        let same = find(&c, "iran/tehran dynamics");
        assert_eq!(same, find(&b, "iran/tehran dynamics"));
    }

    #[test]
    fn continuation_rows_and_reserved_rows() {
        let xml = supplement(
            "<TR><TD>BELARUS</TD><TD>[Reserved]</TD><TD/><TD/><TD/></TR>\
             <TR><TD/><TD>Minsk Works, 1 Street, Minsk.</TD><TD>For all items</TD><TD>Presumption of denial.</TD><TD>89 FR 1, 1/2/24.</TD></TR>\
             <TR><TD/><TD>Second Works, 2 Street, Minsk.</TD><TD>For all items</TD><TD>Case-by-case</TD><TD>89 FR 2, 1/3/24.</TD></TR>\
             <TR><TD/><TD/><TD/><TD/><TD>90 FR 5, 2/2/25.</TD></TR>",
        );
        let (p, _) = parse_str(&xml).unwrap();
        let e = entries(&p[0]);
        assert_eq!(e.len(), 2);
        assert_eq!(find(e, "belarus/second works").citations.len(), 2);
        assert_eq!(find(e, "belarus/minsk works").countries, vec!["BELARUS"]);
    }

    #[test]
    fn a_repeated_key_is_merged_with_a_warning() {
        let xml = supplement(
            "<TR><TD>IRAN</TD><TD>Acme, 1 Road, Tehran.</TD><TD>For all items</TD><TD>Denial</TD><TD>89 FR 1, 1/2/24.</TD></TR>\
             <TR><TD/><TD>Acme, 2 Road, Isfahan.</TD><TD>For all items</TD><TD>Denial</TD><TD>89 FR 9, 1/9/24.</TD></TR>",
        );
        let (p, w) = parse_str(&xml).unwrap();
        let e = entries(&p[0]);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].addresses.len(), 2);
        assert_eq!(e[0].citations.len(), 2);
        assert!(w[0].contains("row 2 repeats the entry of row 1"), "{w:?}");
    }

    #[test]
    fn empty_table_latin1_and_errors() {
        let (p, _) = parse_str(&supplement("")).unwrap();
        assert!(p[0].content.is_empty());

        let xml = supplement("<TR><TD>FRANCE</TD><TD>Soci\u{e9}t\u{e9} Exemple, Paris.</TD><TD>All</TD><TD>Denial</TD><TD>89 FR 1, 1/2/24.</TD></TR>")
            .replace("UTF-8", "ISO-8859-1");
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&xml);
        let (p, _) = parse(&Input::single("l.xml", bytes.into_owned())).unwrap();
        assert_eq!(entries(&p[0])[0].name, "Société Exemple");

        let mut utf16 = vec![0xFF, 0xFE];
        let xml = supplement("<TR><TD>FRANCE</TD><TD>Soci\u{e9}t\u{e9} Deux, Lyon.</TD><TD>All</TD><TD>Denial</TD><TD>89 FR 1, 1/2/24.</TD></TR>")
            .replace("UTF-8", "UTF-16");
        for unit in xml.encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        let (p, _) = parse(&Input::single("u.xml", utf16)).unwrap();
        assert_eq!(entries(&p[0])[0].name, "Société Deux");

        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(supplement("").as_bytes());
        assert!(parse(&Input::single("b.xml", bom)).is_ok());

        let e = parse_str("<DIV5 N=\"744\"><HEAD>PART 744</HEAD></DIV5>").unwrap_err();
        assert!(e.message.contains("no \"Supplement No. 4"), "{e}");
        let e = parse_str(&format!("{}<TD a=\"x", supplement(""))).unwrap_err();
        assert!(e.message.contains("not well-formed XML"), "{e}");
    }

    #[test]
    fn recognises_only_the_entity_list() {
        let yes: [&[u8]; 4] = [
            b"<?xml version=\"1.0\"?>\n<DIV9 N=\"Supplement No. 4 to Part 744\" TYPE=\"APPENDIX\">",
            b"<DIV5 N=\"744\" NODE=\"15:2.1.3.4.28\" TYPE=\"PART\"><HEAD>PART 744</HEAD>",
            b"<ECFR><AMDDATE>Jan. 1, 2024</AMDDATE><DIV9><HEAD>Supplement No. 4 to Part 744\xE2\x80\x94Entity List</HEAD>",
            b"<!-- hand-made --><DLPSTEXTCLASS><DIV9 N=\"Supplement No. 4 to Part 744\">",
        ];
        for head in yes {
            assert_eq!(
                recognise(head),
                Some(Recognised::This),
                "{}",
                String::from_utf8_lossy(head)
            );
        }
        let no: [&[u8]; 6] = [
            b"<DIV5 N=\"740\" TYPE=\"PART\"><HEAD>PART 740</HEAD>",
            b"<sdnList><publshInformation>",
            b"<export xmlns=\"http://eu.europa.ec/fpi/fsd/export\"><!-- Supplement No. 4 to Part 744 -->",
            b"<CONSOLIDATED_LIST dateGenerated=\"2024\">",
            b"{\"list\": \"Supplement No. 4 to Part 744\"}",
            b"<DIV9 N=\"Supplement No. 7 to Part 744\"><HEAD>Supplement No. 7 to Part 744\xE2\x80\x94Military End-User (MEU) List</HEAD>",
        ];
        for head in no {
            assert_eq!(recognise(head), None, "{}", String::from_utf8_lossy(head));
        }
        assert_eq!(recognise(b"<"), None);
        assert_eq!(recognise(b"<!-- never closed"), None);
    }

    #[test]
    fn damaged_input_is_an_error_not_a_panic() {
        let xml = supplement(
            "<TR><TD>IRAN</TD><TD>Acme, a.k.a. —</TD><TD>x</TD><TD>y</TD><TD>FR FR 1 FR</TD></TR>",
        );
        for cut in 0..xml.len() {
            if let Some(part) = xml.get(..cut) {
                let _ = parse_str(part);
            }
        }
        let _ = split_entity("a.k.a.");
        let _ = split_entity("—, a.k.a., the following: —. —");
        let _ = parse_citations("FR 1 2 FR , 1/2/ FR");
    }
}
