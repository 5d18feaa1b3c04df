//! The BIS Entity List's table, as both the eCFR (`ecfr.rs`) and the Federal Register's rules
//! (`federal_register.rs`) print it: five columns (Country | Entity | License requirement |
//! License review policy | Federal Register citation), read row by row into entries with one
//! rule, so that an entry a rule adds and the same entry in a later eCFR snapshot get the same id
//! and the same content.
//!
//! - The key is `norm(country) + "/" + norm(primary name)` ([`norm`]); the name, aliases and
//!   addresses are read from the free-text Entity cell by rule ([`split_entity`]); the whole cell
//!   is kept in `extra.entity_text`.
//! - Citations accumulate (`84 FR 43493, 8/21/19; 85 FR 34503, 6/5/20.`): each becomes one
//!   citation; the first is also `extra.first_citation`, its date `listed_on`, and
//!   `extra.rename_key` = `norm(country) + "|" + "<volume> FR <page>"` of the first citation.
//! - Footnote marks (`<SU>3</SU>`) are kept out of the cell text, in `extra.<column>_footnotes`.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::Value;

use super::{FormatError, Location, dates, frozen};
use crate::model::{Entry, EntryId, text};

/// The list id the Entity List is recorded under.
pub(super) const LIST_ID: &str = "us-bis-entity-list";

/// The entries read so far from a document's Entity List tables, and the country that blank
/// Country cells carry down.
#[derive(Debug, Default)]
pub(super) struct Rows {
    /// The country of the last row that named one.
    pub(super) country: String,
    /// The entries read, in table order.
    pub(super) drafts: Vec<Draft>,
    /// How many entries were started (the 1-based number of the last).
    pub(super) rows: u64,
}

/// The columns of the Entity List table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Column {
    Country,
    Entity,
    Requirement,
    Policy,
    Citation,
    Other,
}

impl Column {
    /// The column a header names.
    pub(super) fn from_header(header: &str) -> Column {
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
pub(super) struct Cell {
    pub(super) text: String,
    pub(super) footnotes: Vec<String>,
}

/// One entry as read from one or more rows, before it becomes an [`Entry`].
#[derive(Debug, Default)]
pub(super) struct Draft {
    pub(super) country: String,
    pub(super) entity: String,
    pub(super) requirement: String,
    pub(super) policy: String,
    pub(super) citation: String,
    pub(super) footnotes: Vec<(&'static str, String)>,
    /// 1-based number of the table row where the entry starts (among the list's rows).
    pub(super) row: u64,
}

/// The table being read.
#[derive(Default)]
pub(super) struct Table {
    pub(super) headers: Vec<String>,
    pub(super) row: Option<Vec<Cell>>,
    /// Whether a previous entry of this table can be continued.
    pub(super) has_entry: bool,
}

/// Entities the eCFR may leave undeclared (XML's own five are resolved by the reader).
pub(super) fn resolve_entity(name: &str) -> Option<&'static str> {
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
pub(super) fn read_row(table: &mut Table, cells: Vec<Cell>, state: &mut Rows) {
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
    state.rows += 1;
    draft.row = state.rows;
    draft.country.clone_from(&state.country);
    table.has_entry = true;
    state.drafts.push(draft);
}

/// Turns the drafts into entries, merging two with the same key (with a warning).
#[allow(clippy::type_complexity)]
pub(super) fn build_entries(
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
pub(super) fn split_entity(cell: &str) -> (String, Vec<String>, Vec<String>) {
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
pub(super) struct Citation {
    pub(super) volume: String,
    pub(super) page: String,
    pub(super) date_text: Option<String>,
    pub(super) date: Option<NaiveDate>,
    /// The byte range in the cell.
    pub(super) span: (usize, usize),
}

impl Citation {
    /// The citation as one string: `84 FR 43493, 8/21/19` (`84 FR 43493` without a date).
    pub(super) fn text(&self) -> String {
        match &self.date_text {
            Some(d) => format!("{} FR {}, {d}", self.volume, self.page),
            None => format!("{} FR {}", self.volume, self.page),
        }
    }
}

/// Reads every `<volume> FR <page>[, M/D/YY]` citation in a cell, in order.
pub(super) fn parse_citations(cell: &str) -> Vec<Citation> {
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
pub(super) fn has_leftover(cell: &str, citations: &[Citation]) -> bool {
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
