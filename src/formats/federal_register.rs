//! Federal Register rules that amend the BIS Entity List (Supplement No. 4 to part 744 of the
//! EAR), in the Federal Register's full-text XML (root `RULE`, as federalregister.gov and GPO
//! publish one document).
//!
//! A rule is the published update itself: it becomes one amendment of `us-bis-entity-list`.
//!
//! - The rule's `REGTEXT` holds the amendatory instructions (`AMDPAR`: "Under CANADA, by adding
//!   in alphabetical order, entries for “A” and “B”"; "by revising the entry for “C”"; "by
//!   removing the entry for “D”") and, under the heading "Supplement No. 4 to Part 744—Entity
//!   List", a `GPOTABLE` printing the entries added or revised, in the eCFR's five columns. The
//!   table is read by the same rules as the eCFR's (`entity_list.rs`), so an entry a rule adds
//!   has the id and content the eCFR later gives it, and the two fold together.
//! - A table row named by a "revising" instruction is an amend; any other row an addition. A
//!   removal names the entry (country and name) but gives no row: its id is built from them as
//!   the eCFR reader builds it. Where the instructions and the table disagree (a name that is not
//!   in the table, a row that no instruction names), the amendment is still read and a warning
//!   names the entry; the ingest's fold notes say when a removal or revision names no entry in
//!   force.
//! - The citation cells print the placeholder `88 FR [INSERT FR PAGE NUMBER AND 2/27/2023]`:
//!   it is replaced by the citation the eCFR later prints, `88 FR <page>, 2/27/23`, the page being
//!   the one the row is printed on (the document's `PRTPAGE` markers).
//! - Source: the document's citation, `<volume> FR <first page>` (the volume is the publication
//!   year − 1935; the first page is the one before the first page marker, or the marker itself
//!   when it comes before any text), its document number (`FR Doc. 2023-03929`), its effective
//!   date (`EFFDATE`) and, for a correcting amendment, the rule it says it corrects:
//!   `88 FR 12170 (FR Doc. 2023-03929), effective 2023-02-24`.
//! - Publication date: a `DATE` element when the file has one, else the date the placeholders
//!   carry; else the date must come from the path or the command line.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};

use super::entity_list::{
    Cell, Column, Draft, LIST_ID, Rows, Table, build_entries, norm, read_row, resolve_entity,
};
use super::read::xml::{Unresolved, XmlEvent, XmlReader, XmlRules, root_element};
use super::registry::{Capabilities, FormatDescriptor, Recognised, Recogniser, Shape};
use super::{
    FormatError, Input, Location, ParseResult, ParsedPublication, dates, quoted, record_error,
};
use crate::model::{Amendment, EntryId, ListId, PublicationContent, text};

/// The `federal-register` format.
pub(crate) static FEDERAL_REGISTER: FormatDescriptor = FormatDescriptor {
    name: "federal-register",
    description: "Federal Register rule amending the BIS Entity List (full-text XML, root RULE)",
    list_ids: "us-bis-entity-list",
    key: "as ecfr-entity-list: norm(country)/norm(primary name); removals from the amendatory instructions",
    reason_fields: "license requirement, license review policy, Federal Register citations",
    parser_version: 1,
    recogniser: Some(Recogniser {
        shape: Shape::Xml,
        order: 0,
        test: recognise,
    }),
    parse,
    capabilities: Capabilities::NONE,
};

/// What the Federal Register's XML tolerates: as the eCFR's.
const RULES: XmlRules = XmlRules {
    check_end_names: false,
    unknown_entities: Unresolved::Keep,
    bad_character_references: Unresolved::Keep,
    malformed_attributes: Unresolved::Keep,
    more_entities: Some(resolve_entity),
};

/// The Federal Register's first volume was 1936's.
const FIRST_VOLUME_YEAR: i32 = 1935;

/// One node of the document: an element or a run of text.
#[derive(Debug)]
enum Node {
    /// An element: its upper-case name, attributes and children in file order.
    Element(Element),
    /// Text.
    Text(String),
}

/// An element of the document.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first descendant element called `name` (upper case), depth first.
    fn find(&self, name: &str) -> Option<&Element> {
        self.children.iter().find_map(|child| match child {
            Node::Element(e) if e.name == name => Some(e),
            Node::Element(e) => e.find(name),
            Node::Text(_) => None,
        })
    }

    /// The element's text, white space collapsed, footnote marks left out.
    fn text(&self) -> String {
        let mut cell = Cell::default();
        collect(self, &mut cell);
        text::normalize(&cell.text).unwrap_or_default()
    }
}

/// Elements that separate words when text is collected.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "P" | "BR" | "FP" | "LI" | "DIV" | "HD" | "HD1" | "HD2" | "HD3" | "AMDPAR" | "ENT"
    )
}

/// Appends an element's text to `cell`: footnote marks (`SU`, `FTREF`) go to its footnotes.
fn collect(element: &Element, cell: &mut Cell) {
    for child in &element.children {
        match child {
            Node::Text(t) => cell.text.push_str(t),
            Node::Element(e) if e.name == "SU" || e.name == "FTREF" => {
                if let Some(mark) = text::normalize(&e.text()) {
                    cell.footnotes.push(mark);
                }
            }
            Node::Element(e) => {
                let block = is_block(&e.name);
                if block {
                    cell.text.push(' ');
                }
                collect(e, cell);
                if block {
                    cell.text.push(' ');
                }
            }
        }
    }
}

/// Reads the whole document into a tree (the reader caps depth, element and text sizes).
fn read_tree(input: &Input) -> Result<(Element, Option<String>), FormatError> {
    let mut xml = XmlReader::open(&input.primary, RULES)?;
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        match xml.next()? {
            XmlEvent::Eof => break,
            XmlEvent::Start { tag, empty } => {
                let name = tag.name.to_ascii_uppercase();
                // A table row is a record: the reader's record limits apply to it.
                if !empty && (name == "ROW" || name == "TR" || name == "AMDPAR") {
                    xml.begin_record();
                }
                let element = Element {
                    name,
                    attrs: tag.attrs,
                    children: Vec::new(),
                };
                if empty {
                    if let Some(parent) = stack.last_mut() {
                        parent.children.push(Node::Element(element));
                    }
                } else {
                    stack.push(element);
                }
            }
            XmlEvent::End { .. } => {
                if stack.len() > 1
                    && let Some(done) = stack.pop()
                    && let Some(parent) = stack.last_mut()
                {
                    parent.children.push(Node::Element(done));
                }
            }
            XmlEvent::Text(t) => {
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(Node::Text(t));
                }
            }
        }
    }
    // Elements left open at the end (the reader refuses unclosed ones; kept for safety).
    while stack.len() > 1 {
        if let Some(done) = stack.pop()
            && let Some(parent) = stack.last_mut()
        {
            parent.children.push(Node::Element(done));
        }
    }
    let document = stack.pop().unwrap_or_default();
    let root = document
        .children
        .into_iter()
        .find_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
        .unwrap_or_default();
    Ok((root, xml.decode_warning()))
}

/// What an amendatory instruction does to an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operation {
    Add,
    Revise,
    Remove,
}

impl Operation {
    fn verb(self) -> &'static str {
        match self {
            Operation::Add => "adds",
            Operation::Revise => "revises",
            Operation::Remove => "removes",
        }
    }
}

/// One entry an amendatory instruction names.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Instruction {
    operation: Operation,
    /// The country it is named under, as written.
    country: Option<String>,
    /// The entry's name, as quoted.
    name: String,
}

impl Instruction {
    /// The id the eCFR reader gives the entry: `norm(country)/norm(name)`.
    fn key(&self) -> Option<String> {
        let country = self.country.as_deref()?;
        Some(format!("{}/{}", norm(country), norm(&self.name)))
    }

    /// The entry as a message names it: `“Name” under COUNTRY`.
    fn describe(&self) -> String {
        match &self.country {
            Some(country) => format!("{} under {}", quoted(&self.name), quoted(country)),
            None => quoted(&self.name),
        }
    }
}

/// A citation placeholder in a table cell.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Placeholder {
    /// The volume written before it (`88` of `88 FR [INSERT …]`).
    volume: Option<i32>,
    /// The date written inside it, if any.
    date: Option<NaiveDate>,
}

/// The state of the walk through the document, in document order.
#[derive(Default)]
struct Walk {
    /// The page being printed (the last `PRTPAGE` seen).
    page: Option<u32>,
    /// The document's first page.
    first_page: Option<u32>,
    /// Whether text was seen before the first page marker.
    text_seen: bool,
    /// Inside a `REGTEXT`, after the heading of Supplement No. 4 to part 744.
    in_supplement: bool,
    /// Whether the document names Supplement No. 4 to part 744 in its amendatory text.
    amends_supplement: bool,
    /// The amendatory paragraphs about the supplement, in order (a numbered paragraph starts a
    /// new instruction).
    paragraphs: Vec<String>,
    /// Whether the current numbered instruction is about the supplement.
    paragraph_about_supplement: bool,
    /// The entries read from the tables.
    rows: Rows,
    /// The page each draft's row is printed on, by draft index.
    row_pages: Vec<Option<u32>>,
    /// Citation cells with a placeholder: (draft index, placeholder).
    placeholders: Vec<(usize, Placeholder)>,
}

/// Reads one input.
pub(super) fn parse(input: &Input) -> ParseResult {
    let name = input.primary.name.as_str();
    let (root, decode_warning) = read_tree(input)?;
    if root.name != "RULE" {
        return Err(FormatError::new(
            name,
            Location::File,
            format!(
                "not a Federal Register rule: the root element is {}, not RULE; give the rule's full-text XML as federalregister.gov or GPO publish it",
                quoted(&root.name)
            ),
        ));
    }
    let mut warnings: Vec<String> = decode_warning.into_iter().collect();
    let mut walk = Walk::default();
    walk_element(&root, &mut walk, None);
    if !walk.amends_supplement {
        return Err(FormatError::new(
            name,
            Location::File,
            "this rule does not amend Supplement No. 4 to part 744 (the Entity List): listdiff reads the Federal Register rules that do",
        ));
    }

    // Dates and the document's identity.
    let date_element = root.find("DATE").map(|e| e.text());
    let stated = date_element
        .as_deref()
        .and_then(|text| first_month_name_date(text).map(|d| (d, text.to_string())));
    let placeholder_dates: Vec<NaiveDate> = walk
        .placeholders
        .iter()
        .filter_map(|(_, p)| p.date)
        .collect();
    let placeholder_date = placeholder_dates.first().copied().filter(|first| {
        let agree = placeholder_dates.iter().all(|d| d == first);
        if !agree {
            warnings.push(format!(
                "{name}: the citation placeholders carry different dates: none is taken as the publication date"
            ));
        }
        agree
    });
    let published = stated.as_ref().map(|(d, _)| *d).or(placeholder_date);
    let published_text = match (&stated, placeholder_date) {
        (Some((_, text)), _) => Some(text.clone()),
        (None, Some(d)) => Some(format!("{}/{}/{}", d.month(), d.day(), d.year())),
        (None, None) => None,
    };
    let volume = published
        .map(|d| d.year() - FIRST_VOLUME_YEAR)
        .or_else(|| walk.placeholders.iter().find_map(|(_, p)| p.volume));
    let first_page = walk.first_page;
    let document_number = root
        .find("FRDOC")
        .map(|e| e.text())
        .and_then(|t| document_number(&t));
    let effective = root
        .find("EFFDATE")
        .map(|e| e.text())
        .and_then(|t| first_month_name_date(&t));
    let action = root.find("ACT").map(|e| e.text()).unwrap_or_default();
    let correcting = action.to_lowercase().contains("correct");

    let own_citation = match (volume, first_page) {
        (Some(v), Some(p)) => Some(format!("{v} FR {p}")),
        _ => {
            warnings.push(format!(
                "{name}: the rule's Federal Register page is not known (no page markers, or no volume): its source is its document number, and its entries' citations keep the placeholder"
            ));
            None
        }
    };
    let mut source = match (&own_citation, &document_number) {
        (Some(c), Some(d)) => format!("{c} ({d})"),
        (Some(c), None) => c.clone(),
        (None, Some(d)) => d.clone(),
        (None, None) => String::new(),
    };
    if let Some(effective) = effective {
        if !source.is_empty() {
            source.push_str(", ");
        }
        source.push_str(&format!("effective {effective}"));
    }
    if correcting {
        match corrected_rule(&root, own_citation.as_deref(), document_number.as_deref()) {
            Some(corrected) => source.push_str(&format!(", correcting {corrected}")),
            None => warnings.push(format!(
                "{name}: a correcting amendment that names no rule it corrects (no other Federal Register citation or document number in its summary or supplementary information)"
            )),
        }
    }

    // The placeholders, replaced by the citation the eCFR prints.
    let citation_date = placeholder_date.or(published);
    for (index, _) in &walk.placeholders {
        let Some(draft) = walk.rows.drafts.get_mut(*index) else {
            continue;
        };
        let page = walk.row_pages.get(*index).copied().flatten();
        if let (Some(v), Some(p), Some(d)) = (volume, page, citation_date) {
            let citation = format!(
                "{v} FR {p}, {}/{}/{:02}",
                d.month(),
                d.day(),
                d.year() % 100
            );
            draft.citation = replace_placeholders(&draft.citation, &citation);
        }
    }

    let instructions = read_instructions(&walk.paragraphs);
    let drafts = std::mem::take(&mut walk.rows.drafts);
    let amendment = classify(name, drafts, &instructions, &mut warnings)?;
    if amendment.add.is_empty() && amendment.amend.is_empty() && amendment.remove.is_empty() {
        return Err(FormatError::new(
            name,
            Location::File,
            "the rule amends Supplement No. 4 to part 744 but neither its amendatory instructions nor its table name an entry listdiff can read",
        ));
    }
    let content = PublicationContent::Amendment(amendment)
        .normalize()
        .map_err(|e| record_error(name, e, |_| None))?;
    let list =
        ListId::new(LIST_ID).map_err(|e| FormatError::new(name, Location::File, e.to_string()))?;
    Ok((
        vec![ParsedPublication {
            list,
            stated_date: published,
            stated_date_text: published_text,
            source: (!source.is_empty()).then_some(source),
            content,
            columns: None,
        }],
        warnings,
    ))
}

/// Walks an element in document order: page markers, amendatory paragraphs and the tables of
/// the supplement. `regtext` is the enclosing `REGTEXT`'s state, if any.
fn walk_element(element: &Element, walk: &mut Walk, table: Option<&mut Table>) {
    let mut table = table;
    for child in &element.children {
        match child {
            Node::Text(t) => {
                if !t.trim().is_empty() {
                    walk.text_seen = true;
                }
            }
            Node::Element(e) => match e.name.as_str() {
                "PRTPAGE" => page_marker(e, walk),
                "REGTEXT" => {
                    let outer = walk.in_supplement;
                    walk.in_supplement = false;
                    walk_element(e, walk, None);
                    walk.in_supplement = outer;
                }
                "AMDPAR" => {
                    let text = e.text();
                    let flat = norm(&text);
                    let numbered = text
                        .split(['.', ' '])
                        .next()
                        .is_some_and(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()));
                    let about = flat.contains("supplement no 4 to part 744");
                    if numbered || about {
                        walk.paragraph_about_supplement = about;
                    }
                    if about {
                        walk.amends_supplement = true;
                    }
                    if walk.paragraph_about_supplement {
                        walk.paragraphs.push(text);
                    }
                    walk.text_seen = true;
                    // Page markers inside the paragraph.
                    walk_element(e, walk, None);
                }
                "HD" | "HD1" | "HD2" | "HD3" | "HED" => {
                    let head = norm(&e.text());
                    if head.starts_with("supplement no 4 to part 744") {
                        walk.in_supplement = true;
                        walk.amends_supplement = true;
                    } else if head.starts_with("supplement no") {
                        walk.in_supplement = false;
                    }
                    walk.text_seen = true;
                    walk_element(e, walk, None);
                }
                "BOXHD" if table.is_some() => {
                    let heads: Vec<String> = e
                        .children
                        .iter()
                        .filter_map(|c| match c {
                            Node::Element(h) if h.name == "CHED" => Some(h.text()),
                            _ => None,
                        })
                        .collect();
                    if let Some(t) = table.as_deref_mut()
                        && heads.iter().any(|h| !h.is_empty())
                    {
                        t.headers = heads;
                    }
                }
                "GPOTABLE" | "TABLE" if walk.in_supplement => {
                    let mut new_table = Table::default();
                    walk_element(e, walk, Some(&mut new_table));
                }
                "ROW" | "TR" if table.is_some() => {
                    if let Some(t) = table.as_deref_mut() {
                        read_table_row(e, walk, t);
                    }
                }
                _ => walk_element(e, walk, table.as_deref_mut()),
            },
        }
    }
}

/// Takes a page marker: the page printed from here on.
fn page_marker(element: &Element, walk: &mut Walk) {
    let Some(page) = element.attr("P").and_then(|p| p.trim().parse::<u32>().ok()) else {
        return;
    };
    if walk.first_page.is_none() {
        walk.first_page = Some(if walk.text_seen {
            page.saturating_sub(1)
        } else {
            page
        });
    }
    walk.page = Some(page);
}

/// Reads one row of a table of the supplement.
fn read_table_row(row: &Element, walk: &mut Walk, table: &mut Table) {
    let mut cells: Vec<Cell> = Vec::new();
    let mut row_page = walk.page;
    for child in &row.children {
        let Node::Element(e) = child else { continue };
        match e.name.as_str() {
            "PRTPAGE" => {
                page_marker(e, walk);
                if cells.is_empty() {
                    row_page = walk.page;
                }
            }
            "ENT" | "TD" | "TH" => {
                let mut cell = Cell::default();
                collect(e, &mut cell);
                // Page markers inside a cell: the row keeps the page it starts on.
                mark_pages(e, walk);
                let flat = cell.text.trim();
                if !flat.is_empty() && flat.chars().all(|c| c == '*' || c.is_whitespace()) {
                    cell.text.clear();
                }
                cells.push(cell);
            }
            _ => mark_pages(e, walk),
        }
    }
    walk.text_seen = true;
    let texts: Vec<String> = cells
        .iter()
        .map(|c| text::normalize(&c.text).unwrap_or_default())
        .collect();
    // The header row: the GPO table's column heads are printed as a row.
    if texts
        .first()
        .is_some_and(|t| t.eq_ignore_ascii_case("country"))
        && texts
            .get(1)
            .is_some_and(|t| t.eq_ignore_ascii_case("entity"))
    {
        table.headers = texts;
        return;
    }
    let citation_column = if table.headers.is_empty() {
        Some(4)
    } else {
        table
            .headers
            .iter()
            .position(|h| Column::from_header(h) == Column::Citation)
    };
    let placeholder = citation_column
        .and_then(|i| texts.get(i))
        .and_then(|t| find_placeholder(t));
    let before = walk.rows.drafts.len();
    read_row(table, cells, &mut walk.rows);
    let after = walk.rows.drafts.len();
    if after > before {
        // A new entry.
        walk.row_pages.push(row_page);
        if let Some(p) = placeholder {
            walk.placeholders.push((after - 1, p));
        }
    } else if let Some(p) = placeholder
        && after > 0
        && !walk.placeholders.iter().any(|(i, _)| *i == after - 1)
    {
        // A continuation row that carries the citation.
        walk.placeholders.push((after - 1, p));
    }
}

/// Takes the page markers anywhere inside an element.
fn mark_pages(element: &Element, walk: &mut Walk) {
    for child in &element.children {
        if let Node::Element(e) = child {
            if e.name == "PRTPAGE" {
                page_marker(e, walk);
            } else {
                mark_pages(e, walk);
            }
        }
    }
}

/// The first `[INSERT …]` placeholder in a citation cell: the volume before it and the date
/// inside it.
fn find_placeholder(cell: &str) -> Option<Placeholder> {
    let open = cell.find("[INSERT").or_else(|| cell.find("[Insert"))?;
    let close = cell.get(open..)?.find(']').map(|c| open + c)?;
    let inside = cell.get(open + 1..close)?;
    let date = inside
        .split(|c: char| c.is_whitespace() || c == ',' || c == ']')
        .find_map(|word| {
            let word = word.trim_end_matches('.');
            (word.matches('/').count() == 2)
                .then(|| dates::month_day_short_year(word))
                .flatten()
        });
    let before = cell.get(..open)?.trim_end();
    let volume = before.strip_suffix("FR").map(str::trim_end).and_then(|v| {
        let digits: String = v
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        digits.parse().ok()
    });
    Some(Placeholder { volume, date })
}

/// The cell with every `[<volume> FR ][INSERT …]` placeholder replaced by `citation`.
fn replace_placeholders(cell: &str, citation: &str) -> String {
    let mut out = String::with_capacity(cell.len());
    let mut rest = cell;
    while let Some(open) = rest.find("[INSERT").or_else(|| rest.find("[Insert")) {
        let Some(close) = rest.get(open..).and_then(|r| r.find(']')).map(|c| open + c) else {
            break;
        };
        let before = rest.get(..open).unwrap_or("");
        // Drop the `88 FR ` written before the placeholder: the citation has it.
        let trimmed = before.trim_end();
        let kept = match trimmed.strip_suffix("FR") {
            Some(v) => {
                let v = v.trim_end();
                let digits = v.len() - v.trim_end_matches(|c: char| c.is_ascii_digit()).len();
                if digits > 0 {
                    v.get(..v.len() - digits).unwrap_or("")
                } else {
                    before
                }
            }
            None => before,
        };
        out.push_str(kept);
        out.push_str(citation);
        rest = rest.get(close + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// `FR Doc. 2023-03929` from `[FR Doc. 2023-03929 Filed 2-24-23; 8:45 am]`.
fn document_number(text: &str) -> Option<String> {
    let at = text.find("FR Doc")?;
    let rest = text.get(at + "FR Doc".len()..)?;
    let rest = rest.trim_start_matches(['.', ' ']);
    let number: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    (!number.is_empty()).then(|| format!("FR Doc. {number}"))
}

/// The first date written with its month's name in `text` (`This rule is effective February
/// 24, 2023.`, `Monday, February 27, 2023`), as `YYYY-MM-DD`.
fn first_month_name_date(text: &str) -> Option<NaiveDate> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let mut offset = 0usize;
    for word in text.split_inclusive(' ') {
        let lower = word.trim().to_lowercase();
        let lower = lower.trim_end_matches(['.', ',']);
        let is_month = MONTHS
            .iter()
            .any(|m| *m == lower || (lower.len() >= 3 && m.starts_with(lower)));
        if is_month && let Some(date) = text.get(offset..).and_then(dates::month_name) {
            return Some(date);
        }
        offset += word.len();
    }
    None
}

/// The rule a correcting amendment corrects: the first Federal Register citation
/// (`88 FR 12170`) or document number in its summary and supplementary information that is not
/// its own.
fn corrected_rule(root: &Element, own: Option<&str>, own_number: Option<&str>) -> Option<String> {
    let mut prose = String::new();
    for name in ["SUM", "SUPLINF"] {
        if let Some(e) = root.find(name) {
            prose_text(e, &mut prose);
            prose.push(' ');
        }
    }
    let prose = text::normalize(&prose).unwrap_or_default();
    let words: Vec<&str> = prose.split(' ').collect();
    for (i, word) in words.iter().enumerate() {
        if *word == "FR"
            && i > 0
            && let (Some(volume), Some(page)) = (words.get(i - 1), words.get(i + 1))
        {
            let volume = volume.trim_start_matches('(');
            let page: String = page.chars().take_while(char::is_ascii_digit).collect();
            if !volume.is_empty() && volume.bytes().all(|b| b.is_ascii_digit()) && !page.is_empty()
            {
                let citation = format!("{volume} FR {page}");
                if Some(citation.as_str()) != own {
                    return Some(citation);
                }
            }
        }
    }
    let mut rest = prose.as_str();
    while let Some(at) = rest.find("FR Doc") {
        let tail = rest.get(at..).unwrap_or("");
        if let Some(number) = document_number(tail)
            && Some(number.as_str()) != own_number
        {
            return Some(number);
        }
        rest = rest.get(at + 6..).unwrap_or("");
    }
    None
}

/// The text of an element outside its regulatory text (`REGTEXT`) and authority citations.
fn prose_text(element: &Element, out: &mut String) {
    for child in &element.children {
        match child {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) if matches!(e.name.as_str(), "REGTEXT" | "AUTH" | "SU") => {}
            Node::Element(e) => {
                out.push(' ');
                prose_text(e, out);
                out.push(' ');
            }
        }
    }
}

/// Reads the entries the amendatory paragraphs name: each quoted name takes the operation and
/// the country written nearest before it ("Under CANADA, by adding … entries for “A” and “B”");
/// a paragraph that names a country and no entry ("a. Under CHINA, PEOPLE'S REPUBLIC OF:")
/// gives it to the lettered paragraphs after it, until the next numbered one.
fn read_instructions(paragraphs: &[String]) -> Vec<Instruction> {
    let mut out = Vec::new();
    let mut carried_country: Option<String> = None;
    for paragraph in paragraphs {
        let numbered = paragraph
            .split(['.', ' '])
            .next()
            .is_some_and(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()));
        if numbered {
            carried_country = None;
        }
        let names = quoted_names(paragraph);
        let operations = operations(paragraph);
        let countries = countries(paragraph);
        for (at, name) in &names {
            let operation = operations
                .iter()
                .rev()
                .find(|(o, _)| o < at)
                .or_else(|| operations.iter().find(|(o, _)| o > at))
                .map(|(_, op)| *op);
            let Some(operation) = operation else {
                continue;
            };
            let country = countries
                .iter()
                .rev()
                .find(|(c, _)| c < at)
                .map(|(_, country)| country.clone())
                .or_else(|| carried_country.clone());
            out.push(Instruction {
                operation,
                country,
                name: name.clone(),
            });
        }
        if let Some((_, last)) = countries.last() {
            carried_country = Some(last.clone());
        }
    }
    out
}

/// The quoted names in a paragraph (“…”, "…", ‘…’), with their byte offsets.
fn quoted_names(paragraph: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (open, close) in [('“', '”'), ('"', '"'), ('‘', '’')] {
        let mut from = 0usize;
        while let Some(rel) = paragraph.get(from..).and_then(|r| r.find(open)) {
            let start = from + rel + open.len_utf8();
            let Some(end) = paragraph
                .get(start..)
                .and_then(|r| r.find(close))
                .map(|e| start + e)
            else {
                break;
            };
            let name = paragraph.get(start..end).unwrap_or("");
            let name = name.trim().trim_end_matches([',', ';']).trim();
            if !name.is_empty() {
                out.push((from + rel, name.to_string()));
            }
            from = end + close.len_utf8();
        }
        if !out.is_empty() {
            break;
        }
    }
    out
}

/// The operations a paragraph names, with their byte offsets.
fn operations(paragraph: &str) -> Vec<(usize, Operation)> {
    let lower = paragraph.to_ascii_lowercase();
    let mut out = Vec::new();
    for (word, operation) in [
        ("adding", Operation::Add),
        ("add ", Operation::Add),
        ("revising", Operation::Revise),
        ("revise ", Operation::Revise),
        ("amending the entr", Operation::Revise),
        ("removing", Operation::Remove),
        ("remove ", Operation::Remove),
    ] {
        for (at, _) in lower.match_indices(word) {
            let starts_word = at == 0
                || lower
                    .as_bytes()
                    .get(at - 1)
                    .is_some_and(|b| !b.is_ascii_alphabetic());
            if starts_word {
                out.push((at, operation));
            }
        }
    }
    out.sort_by_key(|(at, _)| *at);
    out
}

/// The countries a paragraph names ("Under CHINA, PEOPLE'S REPUBLIC OF, by adding",
/// "under the destination of Russia, the entry for"), with their byte offsets.
fn countries(paragraph: &str) -> Vec<(usize, String)> {
    const ENDS: [&str; 22] = [
        ", by ",
        " by ",
        ", in alphabetical",
        " in alphabetical",
        ", adding",
        ", revising",
        ", removing",
        ", add ",
        ", revise ",
        ", remove ",
        ", the entr",
        ", an entr",
        ", entries",
        ", the entit",
        ", to read",
        " the entr",
        " an entr",
        " entries for",
        " the entit",
        ":",
        ";",
        "“",
    ];
    let lower = paragraph.to_ascii_lowercase();
    let mut out = Vec::new();
    for (at, _) in lower.match_indices("under ") {
        if at > 0
            && lower
                .as_bytes()
                .get(at - 1)
                .is_some_and(u8::is_ascii_alphabetic)
        {
            continue;
        }
        let start = at + "under ".len();
        let Some(rest) = paragraph.get(start..) else {
            continue;
        };
        let rest_lower = rest.to_ascii_lowercase();
        let end = ENDS
            .iter()
            .filter_map(|e| rest_lower.find(e))
            .min()
            .unwrap_or(rest.len());
        let mut country = rest.get(..end).unwrap_or("").trim();
        for prefix in ["the destinations of ", "the destination of "] {
            if country.to_ascii_lowercase().starts_with(prefix) {
                country = country.get(prefix.len()..).unwrap_or("").trim();
            }
        }
        let country = country.trim_end_matches([',', '.', ' ']);
        // A country is written in capitals or starts with one; "under § 744.11" is no country.
        if country.chars().next().is_some_and(char::is_uppercase) && country.len() <= 100 {
            out.push((at, country.to_string()));
        }
    }
    out
}

/// Sorts the table's entries and the instructions' removals into an amendment, with a warning
/// for every entry the instructions and the table disagree on.
fn classify(
    file: &str,
    drafts: Vec<Draft>,
    instructions: &[Instruction],
    warnings: &mut Vec<String>,
) -> Result<Amendment, FormatError> {
    let (mut entries, _) = build_entries(file, drafts, warnings)?;
    let mut by_key: HashMap<String, Vec<&Instruction>> = HashMap::new();
    for instruction in instructions {
        match instruction.key() {
            Some(key) => by_key.entry(key).or_default().push(instruction),
            None => warnings.push(format!(
                "{file}: the rule {} {} but names no country for it: it is left out (give the entry's id in an amendment of your own if it is meant)",
                instruction.operation.verb(),
                instruction.describe()
            )),
        }
    }
    let row_keys: HashSet<String> = entries.iter().map(|e| e.id.as_str().to_string()).collect();
    // A revision that renames: within one country, the one revised name the table does not
    // print and the one row no instruction names are the same entry.
    let mut unmatched_revisions: BTreeMap<String, Vec<&Instruction>> = BTreeMap::new();
    for instruction in instructions {
        if instruction.operation == Operation::Revise
            && let (Some(key), Some(country)) = (instruction.key(), &instruction.country)
            && !row_keys.contains(&key)
        {
            unmatched_revisions
                .entry(norm(country))
                .or_default()
                .push(instruction);
        }
    }
    let unnamed_rows: Vec<usize> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| !by_key.contains_key(e.id.as_str()))
        .map(|(i, _)| i)
        .collect();
    let mut renamed: HashSet<usize> = HashSet::new();
    let mut revised_as: HashSet<String> = HashSet::new();
    for (country, revisions) in &unmatched_revisions {
        let rows: Vec<usize> = unnamed_rows
            .iter()
            .copied()
            .filter(|i| {
                entries
                    .get(*i)
                    .is_some_and(|e| e.id.as_str().split('/').next() == Some(country.as_str()))
            })
            .collect();
        if let ([revision], [row]) = (revisions.as_slice(), rows.as_slice())
            && let Some(key) = revision.key()
            && let Some(entry) = entries.get_mut(*row)
            && let Ok(id) = EntryId::new(&key)
        {
            warnings.push(format!(
                "{file}: the rule revises the entry for {} and prints it as {}: recorded as a change of \"{key}\"",
                revision.describe(),
                quoted(&entry.name)
            ));
            entry.id = id;
            renamed.insert(*row);
            revised_as.insert(key);
        }
    }
    let mut amendment = Amendment::default();
    for (i, entry) in entries.into_iter().enumerate() {
        let named: Vec<Operation> = by_key
            .get(entry.id.as_str())
            .map(|list| list.iter().map(|i| i.operation).collect())
            .unwrap_or_default();
        if renamed.contains(&i) || named.contains(&Operation::Revise) {
            amendment.amend.push(entry);
        } else {
            if named.is_empty() && !instructions.is_empty() {
                warnings.push(format!(
                    "{file}: the rule's table prints {} under {}, which no amendatory instruction names: read as an addition",
                    quoted(&entry.name),
                    quoted(entry.countries.first().map_or("", String::as_str))
                ));
            }
            amendment.add.push(entry);
        }
    }
    let printed: HashSet<String> = amendment
        .add
        .iter()
        .chain(&amendment.amend)
        .map(|e| e.id.as_str().to_string())
        .collect();
    let mut removed: HashSet<String> = HashSet::new();
    for instruction in instructions {
        let Some(key) = instruction.key() else {
            continue;
        };
        match instruction.operation {
            Operation::Remove => {
                if printed.contains(&key) {
                    warnings.push(format!(
                        "{file}: the rule removes {} and its table prints that entry: read as a revision",
                        instruction.describe()
                    ));
                } else if removed.insert(key.clone()) {
                    let id = EntryId::new(&key)
                        .map_err(|e| FormatError::new(file, Location::File, e.to_string()))?;
                    amendment.remove.push(id);
                }
            }
            Operation::Add | Operation::Revise
                if !printed.contains(&key) && !revised_as.contains(&key) =>
            {
                warnings.push(format!(
                    "{file}: the rule {} {} but its table prints no such entry: nothing is recorded for it",
                    instruction.operation.verb(),
                    instruction.describe()
                ));
            }
            Operation::Add | Operation::Revise => {}
        }
    }
    Ok(amendment)
}

/// Recognises a Federal Register rule: XML whose root element is `RULE`.
fn recognise(head: &[u8]) -> Option<Recognised> {
    if !head.starts_with(b"<") {
        return None;
    }
    let root = root_element(head)?;
    (root.local == "RULE").then_some(Recognised::This)
}

/// The entries of an amendment, for tests.
#[cfg(test)]
fn amendment(p: &ParsedPublication) -> &Amendment {
    match &p.content {
        PublicationContent::Amendment(a) => a,
        PublicationContent::Snapshot(_) => panic!("expected an amendment"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Entry;

    fn parse_str(xml: &str) -> Result<(Vec<ParsedPublication>, Vec<String>), FormatError> {
        parse(&Input::single("rule.xml", xml.as_bytes().to_vec()))
    }

    fn ids(entries: &[Entry]) -> Vec<&str> {
        entries.iter().map(|e| e.id.as_str()).collect()
    }

    #[test]
    fn the_real_rule_gives_its_13_additions() {
        if !super::super::real_data_present() {
            return;
        }
        let path = super::super::real_data("federal-register/2023-02-27/2023-03929.xml");
        let bytes = std::fs::read(&path).unwrap();
        let (p, w) = parse(&Input::single("2023-03929.xml", bytes)).unwrap();
        assert!(w.is_empty(), "{w:#?}");
        let a = amendment(&p[0]);
        assert_eq!(a.add.len(), 13, "{:?}", ids(&a.add));
    }

    #[test]
    fn placeholders_are_found_and_replaced() {
        let p = find_placeholder("88 FR [INSERT FR PAGE NUMBER AND 2/27/2023].").unwrap();
        assert_eq!(p.volume, Some(88));
        assert_eq!(p.date, NaiveDate::from_ymd_opt(2023, 2, 27));
        assert_eq!(
            replace_placeholders(
                "88 FR [INSERT FR PAGE NUMBER AND 2/27/2023].",
                "88 FR 12172, 2/27/23"
            ),
            "88 FR 12172, 2/27/23."
        );
        assert_eq!(
            replace_placeholders(
                "83 FR 1, 1/2/18. 88 FR [INSERT FR PAGE NUMBER AND 2/27/2023].",
                "88 FR 5, 2/27/23"
            ),
            "83 FR 1, 1/2/18. 88 FR 5, 2/27/23."
        );
        let p = find_placeholder("[INSERT FR PAGE NUMBER AND DATE OF PUBLICATION]").unwrap();
        assert_eq!((p.volume, p.date), (None, None));
        assert_eq!(find_placeholder("84 FR 43493, 8/21/19."), None);
    }

    #[test]
    fn instructions_take_the_nearest_operation_and_country() {
        let paragraphs = vec![
            "2. Supplement No. 4 to part 744 is amended:".to_string(),
            "a. Under CANADA, by adding in alphabetical order, entries for “CPUNTO Inc.” and “Electronic Network Inc.”;".to_string(),
            "b. Under CHINA, PEOPLE'S REPUBLIC OF:".to_string(),
            "i. By revising the entry for “Alpha Co., Ltd.”; and".to_string(),
            "ii. By removing the entry for “Beta Ltd.”;".to_string(),
            "c. By removing, under the destination of Russia, the entries for “Gamma LLC” and “Delta JSC”.".to_string(),
        ];
        let got = read_instructions(&paragraphs);
        let keys: Vec<(Operation, String)> = got
            .iter()
            .map(|i| (i.operation, i.key().unwrap()))
            .collect();
        assert_eq!(
            keys,
            vec![
                (Operation::Add, "canada/cpunto inc".to_string()),
                (Operation::Add, "canada/electronic network inc".to_string()),
                (
                    Operation::Revise,
                    "china peoples republic of/alpha co ltd".to_string()
                ),
                (
                    Operation::Remove,
                    "china peoples republic of/beta ltd".to_string()
                ),
                (Operation::Remove, "russia/gamma llc".to_string()),
                (Operation::Remove, "russia/delta jsc".to_string()),
            ]
        );
        // The newer wording: "Amend supplement no. 4 to part 744 by: … adding …".
        let got = read_instructions(&[
            "2. Amend supplement no. 4 to part 744 by removing under PAKISTAN the entry for “Karachi Works”.".to_string(),
        ]);
        assert_eq!(got[0].key().as_deref(), Some("pakistan/karachi works"));
        assert_eq!(got[0].operation, Operation::Remove);
    }

    #[test]
    fn dates_and_document_numbers() {
        assert_eq!(
            first_month_name_date("This rule is effective February 24, 2023."),
            NaiveDate::from_ymd_opt(2023, 2, 24)
        );
        assert_eq!(
            first_month_name_date("Monday, February 27, 2023"),
            NaiveDate::from_ymd_opt(2023, 2, 27)
        );
        assert_eq!(first_month_name_date("no date"), None);
        assert_eq!(
            document_number("[FR Doc. 2023-03929 Filed 2-24-23; 8:45 am]").as_deref(),
            Some("FR Doc. 2023-03929")
        );
    }

    #[test]
    fn recognises_rules_only() {
        assert_eq!(recognise(b"<RULE>\n<PREAMB>"), Some(Recognised::This));
        assert_eq!(
            recognise(b"<?xml version=\"1.0\"?>\n<RULE><PREAMB>"),
            Some(Recognised::This)
        );
        assert_eq!(recognise(b"<NOTICE><PREAMB>"), None);
        assert_eq!(
            recognise(b"<DIV9 N=\"Supplement No. 4 to Part 744\">"),
            None
        );
        assert_eq!(recognise(b"{\"RULE\": 1}"), None);
    }

    #[test]
    fn a_rule_that_does_not_amend_the_entity_list_is_refused() {
        let e = parse_str("<RULE><PREAMB><SUBJECT>Other</SUBJECT></PREAMB><REGTEXT><AMDPAR>1. Section 744.21 is amended.</AMDPAR></REGTEXT></RULE>").unwrap_err();
        assert!(e.message.contains("does not amend Supplement No. 4"), "{e}");
        let e = parse_str("<NOTICE/>").unwrap_err();
        assert!(e.message.contains("not a Federal Register rule"), "{e}");
    }

    #[test]
    fn damaged_input_is_an_error_not_a_panic() {
        let xml = "<RULE><REGTEXT><AMDPAR>2. Supplement No. 4 to part 744 is amended by removing under “ the entry “</AMDPAR><HD>Supplement No. 4 to Part 744</HD><GPOTABLE><ROW><ENT>Country</ENT><ENT>Entity</ENT></ROW><ROW><ENT>X</ENT><ENT>[INSERT</ENT><ENT/><ENT/><ENT>88 FR [INSERT 1/2/</ENT></ROW></GPOTABLE></REGTEXT><PRTPAGE P=\"x\"/></RULE>";
        for cut in 0..xml.len() {
            if let Some(part) = xml.get(..cut) {
                let _ = parse_str(part);
            }
        }
        let _ = read_instructions(&[
            "“".into(),
            "under".into(),
            "under ".into(),
            "by adding “".into(),
        ]);
        let _ = replace_placeholders("[INSERT", "x");
        let _ = find_placeholder("FR [INSERT]");
    }
}
