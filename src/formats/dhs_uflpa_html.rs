//! The UFLPA Entity List as DHS publishes it: the web page "UFLPA Entity List", read with an
//! HTML parser (`read::html`).
//!
//! The page holds one table per statutory category of the Uyghur Forced Labor Prevention Act
//! (section 2(d)(2)(B)(i), (ii), (v), …), each with the columns "Name of Entity" (or "Entity
//! Name") and "Effective Date", and says "Last Updated: MM/DD/YYYY". It is one snapshot of
//! `uflpa-entity-list`:
//!
//! - A table is read when its first row names an entity-name column and an "Effective Date"
//!   column; its category is the statutory reference printed before it (`Section
//!   2(d)(2)(B)(ii)`, kept in `programs`) and the text that describes it (`extra.category`).
//! - The key is `<reference>/norm(name)` (`2(d)(2)(B)(ii)/camel group co ltd`): the same entity
//!   listed under two categories is two entries, as DHS counts them.
//! - The Name cell holds the primary name and, in parentheses, its aliases: `(and two aliases:
//!   A; and B)`, `(including one alias: A)`, `(also known as A; B; and C)`, `(formerly known as
//!   A)`. Text after the parenthesis (`and subsidiaries`) is `extra.scope`; the whole cell is
//!   `extra.entity_text`. Other parentheses (`(Shanshan)`, `(XPCC)`) stay in the name.
//! - The Effective Date is `listed_on` (its text `extra.effective_date_text`).
//! - The publication date is the page's "Last Updated".
//!
//! Nothing but the visible text of the tables and the text before them is read: scripts,
//! styles, tokens and layout, which change from day to day, never make a change.

use super::entity_list::norm;
use super::read::html::{HtmlPage, HtmlTable};
use super::registry::{Capabilities, FormatDescriptor, Recognised, Recogniser, Shape};
use super::{
    FormatError, Input, Location, ParseResult, ParsedPublication, dates, merge_entry, quoted,
};
use crate::model::{Entry, EntryId};
use serde_json::Value;

/// The list id the UFLPA Entity List is recorded under.
const LIST_ID: &str = "uflpa-entity-list";

/// The `dhs-uflpa-html` format.
pub(crate) static DHS_UFLPA_HTML: FormatDescriptor = FormatDescriptor {
    name: "dhs-uflpa-html",
    description: "UFLPA Entity List, the DHS web page (HTML tables)",
    list_ids: "uflpa-entity-list",
    key: "<statutory reference>/norm(primary name)",
    reason_fields: "category (statutory reference)",
    parser_version: 1,
    recogniser: Some(Recogniser {
        shape: Shape::Xml,
        // After the XML formats: an HTML page is recognised by its title.
        order: 1,
        test: recognise,
    }),
    parse,
    capabilities: Capabilities::NONE,
};

/// The category of a table: its statutory reference and description.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Category {
    /// `2(d)(2)(B)(ii)`, or `table N` when the page prints none before the table.
    reference: String,
    /// The text describing it.
    description: Option<String>,
}

/// Reads one input.
pub(super) fn parse(input: &Input) -> ParseResult {
    let name = input.primary.name.as_str();
    let page = HtmlPage::read(&input.primary)?;
    if !page.complete {
        return Err(FormatError::new(
            name,
            Location::File,
            "the page ends before its </html> end tag: a download cut short, whose last entries would read as removed (download it again)",
        ));
    }
    let mut warnings: Vec<String> = page.decode_warning.iter().cloned().collect();
    let mut entries: Vec<Entry> = Vec::new();
    let mut tables = 0usize;
    let mut last_reference: Option<String> = None;
    for table in &page.tables {
        let Some((name_column, date_column)) = columns(table) else {
            continue;
        };
        tables += 1;
        let mut category = category(table, tables);
        if last_reference.as_deref() == Some(category.reference.as_str()) {
            // Two tables under one reference: tell them apart by their order.
            category.reference = format!("{} table {tables}", category.reference);
        }
        last_reference = Some(category.reference.clone());
        for (index, row) in table.rows.iter().enumerate().skip(1) {
            let cell = row.get(name_column).map(String::as_str).unwrap_or("");
            if cell.is_empty() {
                continue;
            }
            let date = row.get(date_column).map(String::as_str).unwrap_or("");
            let entry = entry(name, &category, cell, date, tables, index, &mut warnings)?;
            match entries.iter_mut().find(|e| e.id == entry.id) {
                Some(first) => {
                    warnings.push(format!(
                        "{name}: table {tables}, row {index}: {} is listed twice in the table of {}: the rows were merged into one entry",
                        quoted(&entry.name),
                        category.reference
                    ));
                    merge_entry(first, entry);
                }
                None => entries.push(entry),
            }
        }
    }
    if tables == 0 {
        return Err(FormatError::new(
            name,
            Location::File,
            "no table with the columns \"Name of Entity\" (or \"Entity Name\") and \"Effective Date\": not the UFLPA Entity List page, or a page that failed to load (download it again)",
        ));
    }
    if entries.is_empty() {
        return Err(FormatError::new(
            name,
            Location::File,
            "the UFLPA Entity List tables hold no entities: an empty publication is almost certainly a failed download, so it is not read as \"every entry was removed\" (download it again)",
        ));
    }
    let (stated_date, stated_date_text) = match last_updated(&page) {
        Some(text) => match dates::ofac_publish_date(&text) {
            Some(date) => (Some(date), Some(text)),
            None => {
                warnings.push(format!(
                    "{name}: \"Last Updated\" {} is not a date listdiff reads (MM/DD/YYYY); give the publication date on the command line",
                    quoted(&text)
                ));
                (None, None)
            }
        },
        None => (None, None),
    };
    let publication = ParsedPublication::snapshot(
        name,
        LIST_ID,
        entries,
        (stated_date, stated_date_text),
        |_| None,
    )?;
    Ok((vec![publication], warnings))
}

/// The name and effective-date columns of a table of the list, from its first row.
fn columns(table: &HtmlTable) -> Option<(usize, usize)> {
    let header = table.rows.first()?;
    let lower: Vec<String> = header.iter().map(|h| h.to_lowercase()).collect();
    let name = lower
        .iter()
        .position(|h| h == "name of entity" || h == "entity name" || h.contains("entity"))?;
    let date = lower.iter().position(|h| h.contains("effective date"))?;
    (name != date).then_some((name, date))
}

/// The category of the `ordinal`-th table of the list: the last statutory reference printed
/// before it (`Section 2(d)(2)(B)(i)`) and the text before that reference.
fn category(table: &HtmlTable, ordinal: usize) -> Category {
    for (at, block) in table.before.iter().enumerate().rev() {
        let Some(found) = block.rfind("Section ") else {
            continue;
        };
        let after = block.get(found + "Section ".len()..).unwrap_or("");
        let reference: String = after
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_end_matches([',', '.', ';', ':'])
            .to_string();
        if reference.is_empty() || !reference.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let described = block.get(..found).unwrap_or("").trim();
        let description = if described.is_empty() {
            at.checked_sub(1).and_then(|i| table.before.get(i)).cloned()
        } else {
            Some(described.to_string())
        };
        return Category {
            reference,
            description,
        };
    }
    Category {
        reference: format!("table {ordinal}"),
        description: None,
    }
}

/// The page's "Last Updated" date as written.
fn last_updated(page: &HtmlPage) -> Option<String> {
    page.blocks.iter().find_map(|block| {
        let at = block.find("Last Updated")?;
        let rest = block.get(at + "Last Updated".len()..)?;
        let rest = rest.trim_start_matches([':', ' ']);
        rest.split_whitespace().next().map(str::to_string)
    })
}

/// Words that open the parenthesis holding a name's aliases.
const ALIAS_OPENERS: [&str; 8] = [
    "and ",
    "including ",
    "also known as",
    "formerly known as",
    "a.k.a",
    "f.k.a",
    "aka ",
    "fka ",
];

/// Splits a Name cell into the primary name, its aliases and the text after the aliases.
fn split_name(cell: &str) -> (String, Vec<String>, Option<String>) {
    let mut from = 0usize;
    while let Some(rel) = cell.get(from..).and_then(|r| r.find('(')) {
        let open = from + rel;
        let inner_start = open + 1;
        // The matching parenthesis.
        let mut depth = 0usize;
        let mut close = None;
        for (i, c) in cell.get(open..).unwrap_or("").char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        close = Some(open + i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let close = close.unwrap_or(cell.len());
        let inner = cell.get(inner_start..close).unwrap_or("").trim();
        let lower = inner.to_lowercase();
        let is_alias = ALIAS_OPENERS.iter().any(|o| lower.starts_with(o))
            && (lower.contains("alias") || lower.contains("known as") || lower.contains("k.a"));
        if is_alias {
            let list = match inner.find(':') {
                Some(colon) if lower.get(..colon).is_some_and(|h| h.contains("alias")) => {
                    inner.get(colon + 1..).unwrap_or("")
                }
                _ => {
                    let opener = ALIAS_OPENERS
                        .iter()
                        .find(|o| lower.starts_with(*o))
                        .map_or(0, |o| o.len());
                    inner.get(opener..).unwrap_or("")
                }
            };
            let aliases = list
                .split("; ")
                .map(|a| a.trim().trim_end_matches(';').trim())
                .map(|a| a.strip_prefix("and ").unwrap_or(a).trim())
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect();
            let name = cell.get(..open).unwrap_or("").trim().to_string();
            let rest = cell.get(close + 1..).unwrap_or("").trim();
            let scope = (!rest.is_empty()).then(|| rest.to_string());
            return (name, aliases, scope);
        }
        from = close.max(open + 1);
    }
    (cell.trim().to_string(), Vec::new(), None)
}

/// The entry of one row.
fn entry(
    file: &str,
    category: &Category,
    cell: &str,
    date: &str,
    table: usize,
    row: usize,
    warnings: &mut Vec<String>,
) -> Result<Entry, FormatError> {
    let (name, aliases, scope) = split_name(cell);
    let name = if name.is_empty() {
        cell.to_string()
    } else {
        name
    };
    let location = Location::Record {
        number: row as u64,
        line: None,
    };
    let key = format!("{}/{}", category.reference, norm(&name));
    let id = EntryId::new(&key)
        .map_err(|e| FormatError::new(file, location.clone(), format!("table {table}: {e}")))?;
    let mut entry = Entry::new(id, name);
    entry.aliases = aliases;
    entry.programs = vec![format!("Section {}", category.reference)];
    if let Some(description) = &category.description {
        entry
            .extra
            .insert("category".into(), Value::String(description.clone()));
    }
    entry
        .extra
        .insert("entity_text".into(), Value::String(cell.to_string()));
    if let Some(scope) = scope {
        entry.extra.insert("scope".into(), Value::String(scope));
    }
    if !date.is_empty() {
        entry.extra.insert(
            "effective_date_text".into(),
            Value::String(date.to_string()),
        );
        match dates::month_name(date) {
            Some(d) => entry.listed_on = Some(d),
            None => warnings.push(format!(
                "{file}: table {table}, row {row}: the effective date {} of {} is not a date listdiff reads: kept as text",
                quoted(date),
                quoted(&entry.name)
            )),
        }
    }
    Ok(entry)
}

/// Recognises the DHS page: HTML whose title names the UFLPA Entity List.
fn recognise(head: &[u8]) -> Option<Recognised> {
    if !head.starts_with(b"<") {
        return None;
    }
    let text = String::from_utf8_lossy(head).to_lowercase();
    let html = text.starts_with("<!doctype html") || text.contains("<html");
    let title = text
        .find("<title")
        .and_then(|at| text.get(at..))
        .and_then(|t| t.find("</title>").and_then(|end| t.get(..end)))
        .is_some_and(|t| t.contains("uflpa entity list"));
    (html && (title || text.contains("uflpa entity list"))).then_some(Recognised::This)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(html: &str) -> Result<(Vec<ParsedPublication>, Vec<String>), FormatError> {
        parse(&Input::single("uflpa.html", html.as_bytes().to_vec()))
    }

    fn entries(p: &[ParsedPublication]) -> &[Entry] {
        super::super::snapshot_entries(p)
    }

    #[test]
    fn names_aliases_and_scope() {
        let (n, a, s) = split_name(
            "Hoshine Silicon Industry (Shanshan) Co., Ltd (including one alias: Hesheng Silicon Industry (Shanshan) Co.) and subsidiaries",
        );
        assert_eq!(n, "Hoshine Silicon Industry (Shanshan) Co., Ltd");
        assert_eq!(a, vec!["Hesheng Silicon Industry (Shanshan) Co."]);
        assert_eq!(s.as_deref(), Some("and subsidiaries"));
        let (n, a, s) = split_name(
            "Hetian Haolin Hair Accessories Co. Ltd. (and two aliases: Hotan Haolin Hair Accessories; and Hollin Hair Accessories)",
        );
        assert_eq!(n, "Hetian Haolin Hair Accessories Co. Ltd.");
        assert_eq!(
            a,
            vec!["Hotan Haolin Hair Accessories", "Hollin Hair Accessories"]
        );
        assert_eq!(s, None);
        let (n, a, _) = split_name(
            "Aksu Huafu Color Spinning Co., Ltd. (also known as Aksu Huafu Textiles Co., Ltd.; Akesu Huafu; and Akesu Huafu Melange Yarn Co., Ltd.)",
        );
        assert_eq!(n, "Aksu Huafu Color Spinning Co., Ltd.");
        assert_eq!(a.len(), 3);
        assert_eq!(a[2], "Akesu Huafu Melange Yarn Co., Ltd.");
        let (n, a, s) = split_name(
            "Xinjiang Production and Construction Corps (XPCC) and its subordinate and affiliated entities",
        );
        assert_eq!(
            n,
            "Xinjiang Production and Construction Corps (XPCC) and its subordinate and affiliated entities"
        );
        assert!(a.is_empty() && s.is_none());
        let (n, a, _) =
            split_name("Anhui Xinya (formerly known as Chaohu Youngor; and Chaohu Xinya)");
        assert_eq!(n, "Anhui Xinya");
        assert_eq!(a, vec!["Chaohu Youngor", "Chaohu Xinya"]);
        // Damaged text: no panic.
        let _ = split_name("((( (also known as");
        let _ = split_name(")(and alias:");
    }

    const PAGE: &str = "<!DOCTYPE html><html><head><title>UFLPA Entity List | Homeland Security</title></head><body>\
        <p><strong>Producers</strong><br><a>Section 2(d)(2)(B)(i)</a></p>\
        <table><thead><tr><th>Name of Entity</th><th>Effective Date</th></tr></thead><tbody>\
        <tr><td>Alpha Co., Ltd. (and one alias: Alfa)</td><td>June 21, 2022</td></tr></tbody></table>\
        <p><strong>Sourcing</strong></p><p><a>Section 2(d)(2)(B)(v)</a></p>\
        <table><tr><th>Entity Name</th><th>Effective Date</th></tr>\
        <tr><td>Alpha Co., Ltd.</td><td>Sometime</td></tr></table>\
        <div><span>Last Updated:</span> 01/14/2025</div></body></html>";

    #[test]
    fn reads_a_page() {
        let (p, w) = parse_str(PAGE).unwrap();
        assert_eq!(p[0].list.as_str(), "uflpa-entity-list");
        assert_eq!(p[0].stated_date_text.as_deref(), Some("01/14/2025"));
        let e = entries(&p);
        let ids: Vec<&str> = e.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            ids,
            vec!["2(d)(2)(B)(i)/alpha co ltd", "2(d)(2)(B)(v)/alpha co ltd"]
        );
        assert_eq!(e[0].aliases, vec!["Alfa"]);
        assert_eq!(e[0].programs, vec!["Section 2(d)(2)(B)(i)"]);
        assert_eq!(e[0].extra["category"], "Producers");
        assert_eq!(e[1].extra["category"], "Sourcing");
        assert_eq!(e[0].listed_on, chrono::NaiveDate::from_ymd_opt(2022, 6, 21));
        assert_eq!(e[1].listed_on, None);
        assert!(w.iter().any(|w| w.contains("\"Sometime\"")), "{w:?}");
    }

    #[test]
    fn pages_without_the_list_are_refused() {
        let e = parse_str(&PAGE[..PAGE.len() - 20]).unwrap_err();
        assert!(e.message.contains("cut short"), "{e}");
        let e = parse_str("<html><title>UFLPA Entity List</title><p>Maintenance</p></html>")
            .unwrap_err();
        assert!(e.message.contains("no table"), "{e}");
        let e = parse_str(
            "<html><table><tr><th>Entity Name</th><th>Effective Date</th></tr></table></html>",
        )
        .unwrap_err();
        assert!(e.message.contains("hold no entities"), "{e}");
    }

    #[test]
    fn recognises_the_page_by_its_title() {
        assert_eq!(
            recognise(b"<!DOCTYPE html>\n<html><head><title>UFLPA Entity List | Homeland Security</title>"),
            Some(Recognised::This)
        );
        assert_eq!(
            recognise(b"<!DOCTYPE html><html><title>Other</title>"),
            None
        );
        assert_eq!(
            recognise(b"<RULE><SUBJECT>UFLPA Entity List</SUBJECT>"),
            None
        );
    }
}
