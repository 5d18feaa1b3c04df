//! The UK CSV lists: the FCDO UK Sanctions List CSV and the retired OFSI consolidated list
//! (`ConList.csv`). Both read the same way (see the module above): a preamble line with the
//! date, a header row, then rows grouped by the designation's id.

use std::collections::HashMap;
use std::io::Read;

use super::{Address, Draft, Name, PrimaryNameTypes, build_entry, extra_key, publication};
use crate::formats::read::csv::{CsvReader, Row};
use crate::formats::read::decode::Syntax;
use crate::formats::read::head;
use crate::formats::read::text;
use crate::formats::registry::{
    Capabilities, Entries, FormatDescriptor, Recognised, Recogniser, Shape,
};
use crate::formats::{FormatError, Input, Location, ParseResult, dates, frozen};

/// The `uk-fcdo-csv` format.
pub(crate) static FCDO_CSV: FormatDescriptor = FormatDescriptor {
    name: "uk-fcdo-csv",
    description: "UK FCDO sanctions list CSV (UK-Sanctions-List.csv)",
    list_ids: "uk-fcdo",
    key: "Unique ID",
    reason_fields: "Regime Name → programs, UK Statement of Reasons → reason",
    // 2: text that is not UTF-8 used to be decoded field by field (or line by line, or as a
    // whole); it is now read as UTF-8 up to the file's first byte that is not, Windows-1252
    // from there, so a file mixing the two reads differently (see `read::decode`).
    parser_version: 2,
    recogniser: Some(Recogniser {
        shape: Shape::Delimited,
        order: 3,
        test: recognise_fcdo,
    }),
    parse: parse_fcdo_csv,
    capabilities: Capabilities {
        streams: true,
        entries: Entries::AfterWholeRead,
        ..Capabilities::NONE
    },
};

/// The `uk-ofsi-csv` format.
pub(crate) static OFSI_CSV: FormatDescriptor = FormatDescriptor {
    name: "uk-ofsi-csv",
    description: "UK OFSI consolidated list CSV (ConList.csv, retired)",
    list_ids: "uk-ofsi",
    key: "Group ID",
    reason_fields: "Regime → programs (UK Statement of Reasons → reason when the column exists)",
    // 2: text that is not UTF-8 used to be decoded field by field (or line by line, or as a
    // whole); it is now read as UTF-8 up to the file's first byte that is not, Windows-1252
    // from there, so a file mixing the two reads differently (see `read::decode`).
    // 3: the `Prime Alias` row of older files is the primary name (it used to be the group's
    // first row, often an alias: ~28% of the 2014 file's names).
    parser_version: 3,
    recogniser: Some(Recogniser {
        shape: Shape::Delimited,
        order: 3,
        test: recognise_ofsi,
    }),
    parse: parse_ofsi_csv,
    capabilities: Capabilities::NONE,
};

// ---------------------------------------------------------------------------------------------
// CSV (FCDO and OFSI)

/// Which CSV.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CsvKind {
    Fcdo,
    Ofsi,
}

/// What a CSV column holds.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Role {
    Id,
    NamePart(usize),
    NameType,
    AliasStrength,
    Regime,
    Type,
    Reason,
    AddressLine(usize),
    PostalCode,
    Country,
    Listed,
    SanctionsImposed,
    Extra(String),
}

/// The role of a CSV column.
fn role(kind: CsvKind, column: &str) -> Role {
    let lower = column.trim().to_ascii_lowercase();
    if let Some(n) = lower
        .strip_prefix("name ")
        .and_then(|n| n.trim().parse::<usize>().ok())
        .filter(|n| (1..=6).contains(n))
    {
        return Role::NamePart(n - 1);
    }
    let line = lower
        .strip_prefix("address line ")
        .or_else(|| lower.strip_prefix("address "))
        .and_then(|n| n.trim().parse::<usize>().ok())
        .filter(|n| (1..=6).contains(n));
    if let Some(n) = line {
        return Role::AddressLine(n - 1);
    }
    match (kind, lower.as_str()) {
        (CsvKind::Fcdo, "unique id") | (CsvKind::Ofsi, "group id") => Role::Id,
        (_, "name type" | "alias type") => Role::NameType,
        (_, "alias strength" | "alias quality") => Role::AliasStrength,
        (_, "regime name" | "regime") => Role::Regime,
        (_, "designation type" | "individual, entity, ship" | "group type") => Role::Type,
        (_, "uk statement of reasons" | "statement of reasons") => Role::Reason,
        (_, "address postal code" | "post/zip code" | "postal code") => Role::PostalCode,
        (_, "address country" | "country") => Role::Country,
        (CsvKind::Fcdo, "date designated") | (CsvKind::Ofsi, "listed on") => Role::Listed,
        (_, "sanctions imposed") => Role::SanctionsImposed,
        _ => Role::Extra(extra_key(column)),
    }
}

/// The first two records of a head, each field trimmed and in lower case.
fn first_records(head: &[u8]) -> (Option<Vec<String>>, Option<Vec<String>>) {
    let mut records = head::first_records(head, b',', 2).into_iter();
    (records.next(), records.next())
}

/// True when `fields` holds `name`.
fn has(fields: &[String], name: &str) -> bool {
    fields.iter().any(|f| f == name)
}

/// The FCDO CSV: a first line `Report Date: …` and a header naming `Unique ID`, or a header
/// naming `Unique ID` and `Name 6` (or `Regime Name`).
pub(super) fn recognise_fcdo(head: &[u8]) -> Option<Recognised> {
    let (first, second) = first_records(head);
    let first = first?;
    if has(&first, "unique id") && (has(&first, "name 6") || has(&first, "regime name")) {
        return Some(Recognised::This);
    }
    let second = second?;
    (first.first()?.starts_with("report date") && has(&second, "unique id"))
        .then_some(Recognised::This)
}

/// The OFSI CSV: a first line `Last Updated,<date>` and a header naming `Group ID` (and not
/// `Unique ID`).
pub(super) fn recognise_ofsi(head: &[u8]) -> Option<Recognised> {
    let (first, second) = first_records(head);
    let (first, second) = (first?, second?);
    let preamble = first.first()? == "last updated"
        && first.iter().skip(2).all(String::is_empty)
        && first.get(1).is_some_and(|d| dates::uk_file(d).is_some());
    (preamble && has(&second, "group id") && !has(&second, "unique id")).then_some(Recognised::This)
}

/// Reads the FCDO CSV.
pub(super) fn parse_fcdo_csv(input: &Input) -> ParseResult {
    parse_csv(input, CsvKind::Fcdo)
}

/// Reads the OFSI `ConList.csv`.
pub(super) fn parse_ofsi_csv(input: &Input) -> ParseResult {
    parse_csv(input, CsvKind::Ofsi)
}

/// What a CSV kind calls things.
struct Layout {
    list: &'static str,
    id_column: &'static str,
    date_label: &'static str,
    date_example: &'static str,
    header_name: &'static str,
    listed_key: &'static str,
    /// The `Alias Type` / `Name type` values that mark the primary name.
    primary_name_types: PrimaryNameTypes,
}

impl CsvKind {
    fn layout(self) -> Layout {
        match self {
            CsvKind::Fcdo => Layout {
                list: "uk-fcdo",
                id_column: "Unique ID",
                date_label: "Report Date",
                date_example: "Report Date: 08-Oct-2026",
                header_name: "UK Sanctions List",
                listed_key: "date_designated",
                primary_name_types: PrimaryNameTypes::FCDO,
            },
            CsvKind::Ofsi => Layout {
                list: "uk-ofsi",
                id_column: "Group ID",
                date_label: "Last Updated",
                date_example: "Last Updated,04/06/2018",
                header_name: "OFSI consolidated list",
                listed_key: "listed_on",
                primary_name_types: PrimaryNameTypes::OFSI,
            },
        }
    }
}

fn parse_csv(input: &Input, kind: CsvKind) -> ParseResult {
    let file = input.primary.name.as_str();
    let layout = kind.layout();
    let mut reader = CsvReader::new(file, text::open(&input.primary, Syntax::Text)?, b',');
    let Header {
        stated,
        line: header_line,
        names: header,
    } = read_header(file, kind, &layout, &mut reader)?;
    let roles: Vec<Role> = header.iter().map(|h| role(kind, h)).collect();
    let Some(id_index) = roles.iter().position(|r| *r == Role::Id) else {
        return Err(FormatError::new(
            file,
            Location::Line(header_line),
            format!(
                "not a {} header: no {:?} column",
                layout.header_name, layout.id_column
            ),
        ));
    };

    let mut drafts: Vec<Draft> = Vec::new();
    let mut first_lines: Vec<u64> = Vec::new();
    let mut index_of: HashMap<String, usize> = HashMap::new();
    // The last row read, when it has fewer fields than the header: short rows are read (the
    // missing fields empty), but a file that ends in one was cut short.
    let mut short_last: Option<(u64, usize)> = None;
    while let Some(row) = reader.next_row()? {
        let line = row.line();
        if row.is_blank() {
            continue;
        }
        short_last = (row.len() < header.len()).then_some((line, row.len()));
        if row.len() > header.len() {
            return Err(FormatError::new(
                file,
                Location::Line(line),
                format!(
                    "expected {} fields as in the header (line {header_line}), found {}: the row is damaged",
                    header.len(),
                    row.len()
                ),
            ));
        }
        let id = row
            .get(id_index)
            .map(|f| f.trim().to_string())
            .unwrap_or_default();
        if id.is_empty() {
            return Err(FormatError::new(
                file,
                Location::Line(line),
                format!(
                    "the row has no {}: every row belongs to a designation",
                    layout.id_column
                ),
            ));
        }
        let index = *index_of.entry(id.clone()).or_insert_with(|| {
            drafts.push(Draft {
                id: id.clone(),
                listed_key: layout.listed_key,
                ..Draft::default()
            });
            first_lines.push(line);
            drafts.len() - 1
        });
        if let Some(draft) = drafts.get_mut(index) {
            read_row(draft, &roles, &row);
        }
    }
    if let Some((line, found)) = short_last {
        return Err(FormatError::new(
            file,
            Location::Line(line),
            format!(
                "the file ends in a row of {found} fields where the header (line {header_line}) has {}: it was cut short (truncated); download it again",
                header.len()
            ),
        ));
    }

    let mut warnings: Vec<String> = reader
        .source()
        .note()
        .map(|n| n.warning(file))
        .into_iter()
        .collect();
    let mut entries = Vec::with_capacity(drafts.len());
    for (draft, line) in drafts.into_iter().zip(first_lines.iter().copied()) {
        let number = entries.len() as u64 + 1;
        let location = || Location::Record {
            number,
            line: Some(line),
        };
        entries.push(frozen(build_entry(
            file,
            draft,
            layout.primary_name_types,
            location,
            &mut warnings,
        )?));
    }
    let publication = publication(file, layout.list, stated, entries, |i| {
        first_lines.get(i).copied()
    })?;
    Ok((vec![publication], warnings))
}

/// The header row, its line, and the date the preamble line before it states.
struct Header {
    stated: Option<(chrono::NaiveDate, String)>,
    line: u64,
    names: Vec<String>,
}

/// Reads the preamble (FCDO `Report Date: 08-Oct-2026`, OFSI `Last Updated,04/06/2018`), when
/// present, and the header row.
fn read_header<R: Read>(
    file: &str,
    kind: CsvKind,
    layout: &Layout,
    reader: &mut CsvReader<'_, R>,
) -> Result<Header, FormatError> {
    let Some(row) = reader.next_row()? else {
        return Err(FormatError::new(
            file,
            Location::File,
            format!(
                "the file is empty: expected a {:?} line and a header row; download it again",
                layout.date_label
            ),
        ));
    };
    let (first_line, first) = (row.line(), row.trimmed());
    let preamble = match kind {
        CsvKind::Fcdo => first
            .first()
            .filter(|f| f.to_ascii_lowercase().starts_with("report date"))
            .map(|f| f.get("report date".len()..).unwrap_or_default())
            .map(|rest| rest.trim_start_matches([':', ' ']).trim().to_string()),
        CsvKind::Ofsi => (first.first().map(String::as_str) == Some("Last Updated")
            && !first.iter().any(|f| f.eq_ignore_ascii_case("group id")))
        .then(|| first.get(1).cloned().unwrap_or_default()),
    };
    let Some(text) = preamble else {
        return Ok(Header {
            stated: None,
            line: first_line,
            names: first,
        });
    };
    let Some(date) = dates::uk_file(&text) else {
        return Err(FormatError::new(
            file,
            Location::Line(first_line),
            format!(
                "the {:?} line gives {}, which is not a date: expected e.g. {}",
                layout.date_label,
                crate::formats::quoted(&text),
                layout.date_example
            ),
        ));
    };
    let Some(row) = reader.next_row()? else {
        return Err(FormatError::new(
            file,
            Location::Line(first_line + 1),
            "the file ends after its first line: the header row is missing; download it again",
        ));
    };
    Ok(Header {
        stated: Some((date, text)),
        line: row.line(),
        names: row.trimmed(),
    })
}

/// Adds one row's name, address and values to its designation's draft.
fn read_row(draft: &mut Draft, roles: &[Role], row: &Row<'_>) {
    let mut name = Name::default();
    let mut address = Address::default();
    for (role, value) in roles.iter().zip(row.fields()) {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        match role {
            Role::Id => {}
            Role::NamePart(n) => {
                if let Some(part) = name.parts.get_mut(*n) {
                    *part = value.to_string();
                }
            }
            Role::NameType => name.kind = value.to_string(),
            Role::AliasStrength => name.strength = value.to_string(),
            Role::Regime => draft.programs.push(value.to_string()),
            Role::Type => draft.type_labels.push(value.to_string()),
            Role::Reason => draft.reasons.push(value.to_string()),
            Role::AddressLine(n) => {
                if let Some(l) = address.lines.get_mut(*n) {
                    *l = value.to_string();
                }
            }
            Role::PostalCode => address.postal_code = value.to_string(),
            Role::Country => address.country = value.to_string(),
            Role::Listed => draft.listed.push(value.to_string()),
            Role::SanctionsImposed => {
                for measure in value.split('|') {
                    draft.push_extra("sanctions_imposed", measure);
                }
            }
            Role::Extra(key) => draft.push_extra(key, value),
        }
    }
    draft.push_name(name);
    draft.push_address(&address);
}
