//! UK sanctions lists: the FCDO "UK Sanctions List" (CSV and XML) and the retired OFSI
//! consolidated list (`ConList.csv`).
//!
//! **FCDO CSV** (`UK-Sanctions-List.csv`): line 1 is `Report Date: DD-Mon-YYYY` (the publication
//! date), line 2 the header (`Last Updated, Unique ID, OFSI Group ID, UN Reference Number,
//! Name 6, Name 1 … Name 5, Name type, Alias strength, Title, Name non-latin script, …, Regime
//! Name, Designation Type, Designation source, Sanctions Imposed, Other Information, UK Statement
//! of Reasons, Address Line 1 … 6, Address Postal Code, Address Country, …, Date Designated,
//! D.O.B, Nationality(/ies), …`). One row per name and per address: rows are grouped by
//! `Unique ID`. The file is streamed.
//!
//! **FCDO XML** (`UK-Sanctions-List.xml`): root `Designations` with a `DateGenerated`
//! (`DD/MM/YYYY`) and one `Designation` per entry (`UniqueID`, `Names/Name{Name1…Name6,
//! NameType, AliasStrength}`, `NonLatinNames`, `RegimeName`, `IndividualEntityShip`,
//! `UKStatementofReasons`, `Addresses/Address{AddressLine1…6, AddressPostalCode,
//! AddressCountry}`, `IndividualDetails`, `EntityDetails`, `ShipDetails`, …). Streamed one
//! designation at a time. Every element without a dedicated field lands in `extra` under the
//! snake_case of its name, with the same keys the CSV gives the same data (`dob`,
//! `nationality`, `passport_number`, …), so both files of one day give the same entries (the XML
//! adds `sanctions_imposed_indicators`).
//!
//! **OFSI CSV** (`ConList.csv`, retired 2026): line 1 `Last Updated,DD/MM/YYYY`, line 2 the
//! header (`Name 6, Name 1 … Name 5, Title, …, Group Type, Alias Type, Alias Quality, Regime,
//! Listed On, UK Sanctions List Date Designated, Last Updated, Group ID`). One row per name (and
//! address): rows are grouped by `Group ID`.
//!
//! Common rules: the primary name is the first name whose type is `Primary name` (any case);
//! every other name is an alias (`extra.name_types` and `extra.alias_strength` keep each
//! name's type and strength). The regime is the program; the statement of reasons is the
//! reason. Dates are `DD/MM/YYYY`: the designation date is parsed into `listed_on` and kept as
//! written in `extra` (`date_designated` / `listed_on`). Every other column goes to `extra` as
//! one text, or a sorted array when the rows of an entry give several values.

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;

use chrono::NaiveDate;
use quick_xml::events::Event;
use serde_json::{Map, Value};

use super::{
    Format, FormatError, FormatInfo, Input, Location, ParseResult, ParsedPublication, decode_text,
    frozen, record_error,
};
use crate::model::{Entry, EntryId, EntryType, ListId, PublicationContent};

/// What `listdiff formats` says about `uk-fcdo-csv`.
pub(super) const FCDO_CSV_INFO: FormatInfo = FormatInfo {
    name: "uk-fcdo-csv",
    description: "UK FCDO sanctions list CSV (UK-Sanctions-List.csv)",
    list_ids: "uk-fcdo",
    key: "Unique ID",
    reason_fields: "Regime Name → programs, UK Statement of Reasons → reason",
};

/// What `listdiff formats` says about `uk-fcdo-xml`.
pub(super) const FCDO_XML_INFO: FormatInfo = FormatInfo {
    name: "uk-fcdo-xml",
    description: "UK FCDO sanctions list XML (UK-Sanctions-List.xml)",
    list_ids: "uk-fcdo",
    key: "UniqueID",
    reason_fields: "RegimeName → programs, UKStatementofReasons → reason",
};

/// What `listdiff formats` says about `uk-ofsi-csv`.
pub(super) const OFSI_CSV_INFO: FormatInfo = FormatInfo {
    name: "uk-ofsi-csv",
    description: "UK OFSI consolidated list CSV (ConList.csv, retired)",
    list_ids: "uk-ofsi",
    key: "Group ID",
    reason_fields: "Regime → programs (UK Statement of Reasons → reason when the column exists)",
};

// ---------------------------------------------------------------------------------------------
// The common draft

/// One name of a designation.
#[derive(Clone, Debug, Default)]
struct Name {
    /// Name 1 … Name 6.
    parts: [String; 6],
    /// `Primary name`, `Alias`, `Primary Name Variation`, `AKA`, …
    kind: String,
    /// `Good quality`, `Low quality`, …
    strength: String,
}

impl Name {
    /// Name 1 … Name 5 then Name 6 (the surname or the whole name of an entity).
    fn full(&self) -> String {
        let words: Vec<&str> = self
            .parts
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect();
        words.join(" ")
    }
}

/// One address: lines 1 to 6, postal code, country.
#[derive(Clone, Debug, Default)]
struct Address {
    lines: [String; 6],
    postal_code: String,
    country: String,
}

impl Address {
    /// The parts that are present, joined with `, `.
    fn flat(&self) -> String {
        let parts: Vec<&str> = self
            .lines
            .iter()
            .chain([&self.postal_code, &self.country])
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect();
        parts.join(", ")
    }
}

/// One designation being assembled from its rows or its XML element.
#[derive(Default)]
struct Draft {
    id: String,
    names: Vec<Name>,
    addresses: Vec<String>,
    countries: Vec<String>,
    programs: Vec<String>,
    type_labels: Vec<String>,
    reasons: Vec<String>,
    /// The designation dates as written.
    listed: Vec<String>,
    /// The `extra` key the designation date is kept under.
    listed_key: &'static str,
    extra: BTreeMap<String, Vec<String>>,
}

impl Draft {
    fn push_extra(&mut self, key: &str, value: &str) {
        let value = value.trim();
        if !value.is_empty() {
            self.extra
                .entry(key.to_string())
                .or_default()
                .push(value.to_string());
        }
    }

    fn push_address(&mut self, address: &Address) {
        let flat = address.flat();
        if !flat.is_empty() {
            self.addresses.push(flat);
        }
        let country = address.country.trim();
        if !country.is_empty() {
            self.countries.push(country.to_string());
        }
    }

    fn push_name(&mut self, name: Name) {
        if !name.full().is_empty() {
            self.names.push(name);
        }
    }
}

/// Sorted, de-duplicated, trimmed, non-empty values.
fn set(values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = values
        .iter()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// One value as text, several as a sorted array.
fn extra_value(values: &[String]) -> Option<Value> {
    let mut values = set(values);
    match values.len() {
        0 => None,
        1 => values.pop().map(Value::String),
        _ => Some(Value::Array(
            values.into_iter().map(Value::String).collect(),
        )),
    }
}

/// Reads a `DD/MM/YYYY` date.
fn parse_uk_date(text: &str) -> Option<NaiveDate> {
    let mut parts = text.trim().split('/');
    let day: u32 = parts.next()?.trim().parse().ok()?;
    let month: u32 = parts.next()?.trim().parse().ok()?;
    let year_text = parts.next()?.trim();
    if parts.next().is_some() || year_text.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(year_text.parse().ok()?, month, day)
}

/// Reads a file date: `DD/MM/YYYY`, `DD-Mon-YYYY`, `D Month YYYY` or `YYYY-MM-DD`, optionally
/// followed by a time.
fn parse_file_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let day_part = text
        .split(['T', ' '])
        .next()
        .filter(|d| d.contains('/') || d.len() == 10 && d.as_bytes().get(4) == Some(&b'-'))
        .unwrap_or(text);
    parse_uk_date(day_part)
        .or_else(|| super::parse_iso_date(day_part))
        .or_else(|| NaiveDate::parse_from_str(text, "%d-%b-%Y").ok())
        .or_else(|| NaiveDate::parse_from_str(text, "%d %B %Y").ok())
        .or_else(|| NaiveDate::parse_from_str(text, "%d %b %Y").ok())
}

/// Builds the entry of a finished draft.
fn build_entry(
    file: &str,
    draft: Draft,
    location: impl Fn() -> Location,
    warnings: &mut Vec<String>,
) -> Result<Entry, FormatError> {
    let id = EntryId::new(&draft.id)
        .map_err(|e| FormatError::new(file, location(), format!("bad key: {e}")))?;
    let primary_index = draft
        .names
        .iter()
        .position(|n| n.kind.trim().eq_ignore_ascii_case("primary name"));
    let primary_index = match primary_index {
        Some(i) => i,
        None if draft.names.is_empty() => {
            return Err(FormatError::new(
                file,
                location(),
                format!(
                    "designation {} has no name: every designation has at least a primary name",
                    draft.id
                ),
            ));
        }
        None => {
            warnings.push(format!(
                "{file}{}: designation {} has no name of type \"Primary name\"; its first name was taken as the primary name",
                location(),
                draft.id
            ));
            0
        }
    };
    let primary = draft
        .names
        .get(primary_index)
        .map(Name::full)
        .unwrap_or_default();
    let mut entry = Entry::new(id, primary.clone());
    let mut name_types: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut strengths: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for name in &draft.names {
        let full = name.full();
        if full != primary {
            entry.aliases.push(full.clone());
        }
        if !name.kind.trim().is_empty() {
            name_types
                .entry(full.clone())
                .or_default()
                .push(name.kind.trim().to_string());
        }
        if !name.strength.trim().is_empty() {
            strengths
                .entry(full)
                .or_default()
                .push(name.strength.trim().to_string());
        }
    }
    let as_object = |map: BTreeMap<String, Vec<String>>| -> Option<Value> {
        let object: Map<String, Value> = map
            .into_iter()
            .map(|(k, v)| (k, Value::String(set(&v).join("; "))))
            .collect();
        (!object.is_empty()).then_some(Value::Object(object))
    };
    if let Some(v) = as_object(name_types) {
        entry.extra.insert("name_types".into(), v);
    }
    if let Some(v) = as_object(strengths) {
        entry.extra.insert("alias_strength".into(), v);
    }
    entry.addresses = draft.addresses;
    entry.countries = draft.countries;
    entry.programs = draft.programs;
    let reasons = set(&draft.reasons);
    if !reasons.is_empty() {
        entry.reason = Some(reasons.join("\n\n"));
    }
    let labels = set(&draft.type_labels);
    let types: Vec<Option<EntryType>> = labels
        .iter()
        .map(|l| match l.to_ascii_lowercase().as_str() {
            "ship" => Some(EntryType::Vessel),
            other => EntryType::parse(other),
        })
        .collect();
    match types.as_slice() {
        [Some(t)] => entry.entry_type = Some(*t),
        [] => {}
        _ => {
            if let Some(v) = extra_value(&labels) {
                entry.extra.insert("designation_type".into(), v);
            }
        }
    }
    let listed = set(&draft.listed);
    entry.listed_on = listed.iter().filter_map(|d| parse_uk_date(d)).min();
    if entry.listed_on.is_none() && !listed.is_empty() {
        warnings.push(format!(
            "{file}{}: designation {}: the designation date {:?} is not DD/MM/YYYY; kept as text only",
            location(),
            draft.id,
            listed.join(", ")
        ));
    }
    if let Some(v) = extra_value(&listed) {
        entry.extra.insert(draft.listed_key.into(), v);
    }
    for (key, values) in draft.extra {
        if let Some(v) = extra_value(&values) {
            entry.extra.insert(key, v);
        }
    }
    Ok(entry)
}

/// Wraps the entries in the publication of `list`.
fn publication(
    file: &str,
    list: &str,
    stated: Option<(NaiveDate, String)>,
    entries: Vec<Entry>,
    location_of: impl Fn(usize) -> Option<u64>,
) -> Result<ParsedPublication, FormatError> {
    let list =
        ListId::new(list).map_err(|e| FormatError::new(file, Location::File, e.to_string()))?;
    let content = PublicationContent::Snapshot(entries)
        .normalize()
        .map_err(|e| record_error(file, e, location_of))?;
    let (stated_date, stated_date_text) = match stated {
        Some((date, text)) => (Some(date), Some(text)),
        None => (None, None),
    };
    Ok(ParsedPublication {
        list,
        stated_date,
        stated_date_text,
        source: None,
        content,
    })
}

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

/// The snake_case key of a publisher field name (`Designation source` → `designation_source`,
/// `TownOfBirth` → `town_of_birth`).
fn snake(name: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && i > 0 {
                let previous = chars.get(i - 1).copied().unwrap_or(' ');
                let next = chars.get(i + 1).copied().unwrap_or(' ');
                let boundary = previous.is_ascii_lowercase()
                    || previous.is_ascii_digit()
                    || (previous.is_ascii_uppercase() && next.is_ascii_lowercase());
                if boundary && !out.ends_with('_') && !out.is_empty() {
                    out.push('_');
                }
            }
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// The `extra` key of a field, shared by the CSV columns and the XML elements that carry the
/// same data.
fn extra_key(name: &str) -> String {
    let key = snake(name);
    let canonical = match key.as_str() {
        "d_o_b" | "dob" | "do_bs" => "dob",
        "nationality_ies" | "nationality" => "nationality",
        "business_registration_number_s" | "business_registration_number" => {
            "business_registration_number"
        }
        "current_owner_operator_s" | "current_owner_operator" => "current_owner_operator",
        "previous_owner_operator_s" | "previous_owner_operator" => "previous_owner_operator",
        "hull_identification_number_hin" | "hull_identification_number" => {
            "hull_identification_number"
        }
        "subsidiary" | "subsidiaries" => "subsidiaries",
        "previous_flag" | "previous_flags" => "previous_flags",
        "phone_number" => "phone_number",
        "email_address" => "email_address",
        "imo_number" | "i_m_o_number" => "imo_number",
        "un_reference_number" | "u_n_reference_number" => "un_reference_number",
        "ofsi_group_id" | "o_f_s_i_group_id" => "ofsi_group_id",
        _ => return key,
    };
    canonical.to_string()
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

/// Reads the FCDO CSV.
pub(super) fn parse_fcdo_csv(input: &Input) -> ParseResult {
    parse_csv(input, CsvKind::Fcdo)
}

/// Reads the OFSI `ConList.csv`.
pub(super) fn parse_ofsi_csv(input: &Input) -> ParseResult {
    parse_csv(input, CsvKind::Ofsi)
}

/// A reader over the input with a UTF-8 byte-order mark skipped.
fn reader_without_bom(input: &Input) -> Result<Box<dyn BufRead + '_>, FormatError> {
    let mut reader = input.primary.reader()?;
    let starts_with_bom = reader
        .fill_buf()
        .map_err(|e| {
            FormatError::new(
                &input.primary.name,
                Location::File,
                format!("cannot read: {e}"),
            )
        })?
        .starts_with(b"\xEF\xBB\xBF");
    if starts_with_bom {
        reader.consume(3);
    }
    Ok(reader)
}

fn csv_error(file: &str, error: &csv::Error) -> FormatError {
    let location = error
        .position()
        .map_or(Location::File, |p| Location::Line(p.line()));
    FormatError::new(file, location, format!("cannot read the CSV: {error}"))
}

/// A reader that notes where its lines end, so that the line of a CSV record can be told from
/// its byte offset (the csv reader's own line numbers lag by one after a CRLF). Only the line
/// ends not yet passed are kept.
struct LineCounter<R> {
    inner: R,
    /// Bytes read so far.
    offset: u64,
    /// Offsets of the `\n` bytes read and not yet passed by [`LineCounter::line_at`].
    pending: std::collections::VecDeque<u64>,
    /// How many `\n` bytes were passed.
    passed: u64,
}

impl<R: BufRead> LineCounter<R> {
    fn new(inner: R) -> LineCounter<R> {
        LineCounter {
            inner,
            offset: 0,
            pending: std::collections::VecDeque::new(),
            passed: 0,
        }
    }

    /// The 1-based line of a record that starts at byte `byte` (a record reported as starting
    /// at the line end before it starts on the next line). Asked in increasing order.
    fn line_at(&mut self, byte: u64) -> u64 {
        while self.pending.front().is_some_and(|&n| n < byte) {
            self.pending.pop_front();
            self.passed += 1;
        }
        let on_line_end = self.pending.front() == Some(&byte);
        1 + self.passed + u64::from(on_line_end)
    }
}

impl<R: BufRead> std::io::Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let read = buf.get(..n).unwrap_or_default();
        for at in memchr::memchr_iter(b'\n', read) {
            self.pending.push_back(self.offset + at as u64);
        }
        self.offset += n as u64;
        Ok(n)
    }
}

fn parse_csv(input: &Input, kind: CsvKind) -> ParseResult {
    let file = input.primary.name.as_str();
    let (list, id_column, date_label) = match kind {
        CsvKind::Fcdo => ("uk-fcdo", "Unique ID", "Report Date"),
        CsvKind::Ofsi => ("uk-ofsi", "Group ID", "Last Updated"),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(LineCounter::new(reader_without_bom(input)?));
    let mut record = csv::ByteRecord::new();
    let mut next = |record: &mut csv::ByteRecord| -> Result<Option<u64>, FormatError> {
        match reader.read_byte_record(record) {
            Ok(true) => {
                let byte = record.position().map_or(0, csv::Position::byte);
                Ok(Some(reader.get_mut().line_at(byte)))
            }
            Ok(false) => Ok(None),
            Err(e) => Err(csv_error(file, &e)),
        }
    };
    let Some(first_line) = next(&mut record)? else {
        return Err(FormatError::new(
            file,
            Location::File,
            format!(
                "the file is empty: expected a {date_label:?} line and a header row; download it again"
            ),
        ));
    };
    let first: Vec<String> = record
        .iter()
        .map(|f| decode_text(f).trim().to_string())
        .collect();
    // The preamble: FCDO `Report Date: 08-Oct-2026`, OFSI `Last Updated,04/06/2018`.
    let mut stated = None;
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
    let mut header_line = first_line;
    let header = match preamble {
        Some(text) => {
            let line = first_line;
            match parse_file_date(&text) {
                Some(date) => stated = Some((date, text)),
                None => {
                    return Err(FormatError::new(
                        file,
                        Location::Line(line),
                        format!(
                            "the {date_label:?} line gives {text:?}, which is not a date: expected e.g. {}",
                            if kind == CsvKind::Fcdo {
                                "Report Date: 08-Oct-2026"
                            } else {
                                "Last Updated,04/06/2018"
                            }
                        ),
                    ));
                }
            }
            let Some(found) = next(&mut record)? else {
                return Err(FormatError::new(
                    file,
                    Location::Line(line + 1),
                    "the file ends after its first line: the header row is missing; download it again",
                ));
            };
            header_line = found;
            record
                .iter()
                .map(|f| decode_text(f).trim().to_string())
                .collect()
        }
        None => first,
    };
    let roles: Vec<Role> = header.iter().map(|h| role(kind, h)).collect();
    let Some(id_index) = roles.iter().position(|r| *r == Role::Id) else {
        return Err(FormatError::new(
            file,
            Location::Line(header_line),
            format!(
                "not a {} header: no {id_column:?} column",
                if kind == CsvKind::Fcdo {
                    "UK Sanctions List"
                } else {
                    "OFSI consolidated list"
                }
            ),
        ));
    };

    let mut drafts: Vec<Draft> = Vec::new();
    let mut first_lines: Vec<u64> = Vec::new();
    let mut index_of: HashMap<String, usize> = HashMap::new();
    let mut warnings = Vec::new();
    let listed_key = match kind {
        CsvKind::Fcdo => "date_designated",
        CsvKind::Ofsi => "listed_on",
    };
    while let Some(line) = next(&mut record)? {
        if record.iter().all(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        if record.len() > header.len() {
            return Err(FormatError::new(
                file,
                Location::Line(line),
                format!(
                    "expected {} fields as in the header (line {header_line}), found {}: the row is damaged",
                    header.len(),
                    record.len()
                ),
            ));
        }
        let fields: Vec<String> = record.iter().map(|f| decode_text(f).into_owned()).collect();
        let id = fields
            .get(id_index)
            .map(|f| f.trim().to_string())
            .unwrap_or_default();
        if id.is_empty() {
            return Err(FormatError::new(
                file,
                Location::Line(line),
                format!("the row has no {id_column}: every row belongs to a designation"),
            ));
        }
        let index = *index_of.entry(id.clone()).or_insert_with(|| {
            drafts.push(Draft {
                id: id.clone(),
                listed_key,
                ..Draft::default()
            });
            first_lines.push(line);
            drafts.len() - 1
        });
        let Some(draft) = drafts.get_mut(index) else {
            continue;
        };
        let mut name = Name::default();
        let mut address = Address::default();
        for (role, value) in roles.iter().zip(&fields) {
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

    let mut entries = Vec::with_capacity(drafts.len());
    for (draft, line) in drafts.into_iter().zip(first_lines.iter().copied()) {
        let number = entries.len() as u64 + 1;
        let location = || Location::Record {
            number,
            line: Some(line),
        };
        entries.push(frozen(build_entry(file, draft, location, &mut warnings)?));
    }
    let publication = publication(file, list, stated, entries, |i| first_lines.get(i).copied())?;
    Ok((vec![publication], warnings))
}

// ---------------------------------------------------------------------------------------------
// XML (FCDO)

/// An element open inside a designation.
struct Open {
    name: String,
    text: String,
    has_children: bool,
}

/// Reads the FCDO XML, one designation at a time.
pub(super) fn parse_fcdo_xml(input: &Input) -> ParseResult {
    let file = input.primary.name.as_str();
    let mut reader = quick_xml::Reader::from_reader(decoding_reader(input)?);
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut seen_root = false;
    let mut stated: Option<(NaiveDate, String)> = None;
    let mut date_text: Option<String> = None;
    let mut warnings = Vec::new();
    let mut entries: Vec<Entry> = Vec::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut draft: Option<Draft> = None;
    let mut stack: Vec<Open> = Vec::new();
    let mut name = Name::default();
    let mut address = Address::default();
    let xml_error = |reader: &quick_xml::Reader<_>, e: quick_xml::Error| {
        FormatError::new(
            file,
            Location::File,
            format!(
                "not well-formed XML near byte {}: {e}; the file may be damaged or truncated",
                reader.error_position()
            ),
        )
    };
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| xml_error(&reader, e))?;
        match event {
            Event::Start(start) if !seen_root => {
                check_root(file, &start)?;
                seen_root = true;
                depth = 1;
            }
            Event::Empty(start) if !seen_root => {
                // An empty `<Designations/>` holds nothing.
                check_root(file, &start)?;
                break;
            }
            Event::Start(start) => {
                let local = start.local_name().as_ref().to_string();
                depth += 1;
                if depth == 2 {
                    match local.as_str() {
                        "Designation" => {
                            draft = Some(Draft {
                                listed_key: "date_designated",
                                ..Draft::default()
                            });
                            stack.clear();
                        }
                        "DateGenerated" => date_text = Some(String::new()),
                        _ => {}
                    }
                } else if draft.is_some() {
                    if let Some(top) = stack.last_mut() {
                        top.has_children = true;
                    }
                    match local.as_str() {
                        "Name" => name = Name::default(),
                        "Address" => address = Address::default(),
                        _ => {}
                    }
                    stack.push(Open {
                        name: local,
                        text: String::new(),
                        has_children: false,
                    });
                }
            }
            Event::Empty(_) => {
                if let Some(top) = stack.last_mut() {
                    top.has_children = true;
                }
            }
            Event::Text(text) => append(&mut stack, &mut date_text, &text.xml10_content()),
            Event::CData(text) => append(&mut stack, &mut date_text, &text.xml10_content()),
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => {
                        let entity = reference.xml10_content();
                        quick_xml::escape::resolve_predefined_entity(&entity)
                            .map_or_else(|| format!("&{entity};"), str::to_string)
                    }
                };
                append(&mut stack, &mut date_text, &resolved);
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 1 {
                    if let Some(text) = date_text.take() {
                        let text = text.trim().to_string();
                        match parse_file_date(&text) {
                            Some(date) => stated = Some((date, text)),
                            None => warnings.push(format!(
                                "{file}: DateGenerated {text:?} is not a date; the publication date must be given on the command line"
                            )),
                        }
                    }
                    if let Some(done) = draft.take() {
                        let number = entries.len() as u64 + 1;
                        let location = || Location::Record { number, line: None };
                        if done.id.trim().is_empty() {
                            return Err(FormatError::new(
                                file,
                                location(),
                                "the designation has no UniqueID",
                            ));
                        }
                        let id = done.id.trim().to_string();
                        if let Some(&first) = ids.get(&id) {
                            return Err(FormatError::new(
                                file,
                                location(),
                                format!(
                                    "UniqueID {id} is given again (first by designation {}): each designation appears once",
                                    first + 1
                                ),
                            ));
                        }
                        ids.insert(id, entries.len());
                        entries.push(frozen(build_entry(file, done, location, &mut warnings)?));
                    }
                } else if depth == 0 {
                    break;
                } else if let (Some(d), Some(closed)) = (draft.as_mut(), stack.pop()) {
                    let parent = stack.last().map_or("", |p| p.name.as_str());
                    close_element(d, parent, &closed, &mut name, &mut address);
                }
            }
            Event::Eof => {
                if !seen_root {
                    return Err(FormatError::new(
                        file,
                        Location::File,
                        "no XML element found: the file is empty or not XML; download it again",
                    ));
                }
                if depth > 0 {
                    return Err(FormatError::new(
                        file,
                        Location::File,
                        format!(
                            "the file ends inside an element after {} designations: it is truncated; download it again",
                            entries.len()
                        ),
                    ));
                }
                break;
            }
            _ => {}
        }
        buf.clear();
    }
    let publication = publication(file, "uk-fcdo", stated, entries, |_| None)?;
    Ok((vec![publication], warnings))
}

/// A reader over the input that yields UTF-8: a byte-order mark (UTF-8 or UTF-16) is followed,
/// else the encoding the XML declaration names (`ISO-8859-1`, `windows-1252`, …), else UTF-8.
fn decoding_reader(
    input: &Input,
) -> Result<quick_xml::encoding::DecodingReader<Box<dyn BufRead + '_>>, FormatError> {
    let mut inner = input.primary.reader()?;
    let head = inner
        .fill_buf()
        .map_err(|e| {
            FormatError::new(
                &input.primary.name,
                Location::File,
                format!("cannot read: {e}"),
            )
        })?
        .get(..512)
        .map(<[u8]>::to_vec);
    let head = match head {
        Some(head) => head,
        None => inner.fill_buf().map(<[u8]>::to_vec).unwrap_or_default(),
    };
    let declared = declared_encoding(&head);
    let mut reader = quick_xml::encoding::DecodingReader::new(inner);
    if let Some(encoding) = declared {
        // Before the first read, as `set_encoding` requires.
        reader.set_encoding(encoding);
    }
    Ok(reader)
}

/// The ASCII-compatible, non-UTF-8 encoding an XML declaration at the start of `head` names.
fn declared_encoding(head: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let declaration = String::from_utf8_lossy(head.get(..end)?);
    let at = declaration.find("encoding")?;
    let rest = declaration.get(at + "encoding".len()..)?.trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let label = rest.get(1..)?.split(quote).next()?;
    let encoding = encoding_rs::Encoding::for_label(label.trim().as_bytes())?;
    (encoding.is_ascii_compatible() && encoding != encoding_rs::UTF_8).then_some(encoding)
}

/// Refuses a root element other than `Designations`.
fn check_root(file: &str, start: &quick_xml::events::BytesStart<'_>) -> Result<(), FormatError> {
    let local = start.local_name().as_ref().to_string();
    if local == "Designations" {
        Ok(())
    } else {
        Err(FormatError::new(
            file,
            Location::File,
            format!(
                "the root element is <{local}>, not <Designations>: this is not the FCDO UK Sanctions List XML"
            ),
        ))
    }
}

/// Adds text to the innermost open element (or the `DateGenerated` being read).
fn append(stack: &mut [Open], date_text: &mut Option<String>, text: &str) {
    if let Some(top) = stack.last_mut() {
        top.text.push_str(text);
    } else if let Some(date) = date_text.as_mut() {
        date.push_str(text);
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

// ---------------------------------------------------------------------------------------------
// Recognising

/// Recognises the format from the start of a file (`head`: at most its first 64 KiB, with any
/// byte-order mark and leading white space removed): the XML root `Designations`; a CSV whose
/// first line is `Report Date: …` and whose header names `Unique ID` (or a header naming `Unique
/// ID` and `Name 6`); a CSV whose first line is `Last Updated,<date>` followed by a header naming
/// `Group ID`.
pub(super) fn recognise(head: &[u8]) -> Option<Format> {
    if head.first() == Some(&b'<') {
        return (root_element(head)? == "Designations").then_some(Format::UkFcdoXml);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(head);
    let mut record = csv::ByteRecord::new();
    let mut read = |record: &mut csv::ByteRecord| -> Option<Vec<String>> {
        match reader.read_byte_record(record) {
            Ok(true) => Some(
                record
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).trim().to_ascii_lowercase())
                    .collect(),
            ),
            _ => None,
        }
    };
    let first = read(&mut record)?;
    let has = |fields: &[String], name: &str| fields.iter().any(|f| f == name);
    if has(&first, "unique id") && (has(&first, "name 6") || has(&first, "regime name")) {
        return Some(Format::UkFcdoCsv);
    }
    let lead = first.first()?;
    if lead.starts_with("report date") {
        let second = read(&mut record)?;
        return has(&second, "unique id").then_some(Format::UkFcdoCsv);
    }
    if lead == "last updated"
        && first.iter().skip(2).all(String::is_empty)
        && first.get(1).is_some_and(|d| parse_file_date(d).is_some())
    {
        let second = read(&mut record)?;
        return (has(&second, "group id") && !has(&second, "unique id"))
            .then_some(Format::UkOfsiCsv);
    }
    None
}

/// The local name of the first element of an XML head (after the declaration, comments,
/// processing instructions and a doctype).
fn root_element(head: &[u8]) -> Option<String> {
    let mut reader = quick_xml::Reader::from_reader(head);
    let mut buf = Vec::new();
    for _ in 0..64 {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                return Some(e.local_name().as_ref().to_string());
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
        buf.clear();
    }
    None
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::formats::entry_by_id as by_id;
    use crate::formats::{Detection, InputFile, detect};

    fn fixture(rel: &str) -> PathBuf {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).join(rel)
    }

    /// Reads a fixture the way the CLI does for a streamed format: only a head in `bytes`.
    fn streamed(rel: &str) -> Input {
        let path = fixture(rel);
        let bytes = std::fs::read(&path).unwrap();
        Input {
            primary: InputFile {
                name: rel.to_string(),
                bytes: bytes.get(..64).unwrap_or(&bytes).to_vec(),
                stream_from: Some(path),
            },
            ..Input::default()
        }
    }

    fn whole(rel: &str) -> Input {
        Input::single(rel, std::fs::read(fixture(rel)).unwrap())
    }

    fn one(result: ParseResult) -> (ParsedPublication, Vec<Entry>, Vec<String>) {
        let (mut pubs, warnings) = result.unwrap();
        assert_eq!(pubs.len(), 1);
        let publication = pubs.remove(0);
        let entries = match &publication.content {
            PublicationContent::Snapshot(entries) => entries.clone(),
            other => panic!("expected a snapshot, got {other:?}"),
        };
        (publication, entries, warnings)
    }

    fn ids(entries: &[Entry]) -> Vec<&str> {
        entries.iter().map(|e| e.id.as_str()).collect()
    }

    fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    const CSV1: &str = "uk-fcdo-csv/UK-Sanctions-List-2025-03-14.csv";
    const CSV2: &str = "uk-fcdo-csv/UK-Sanctions-List-2025-04-02.csv";
    const XML1: &str = "uk-fcdo-xml/UK-Sanctions-List-2025-03-14.xml";
    const XML2: &str = "uk-fcdo-xml/UK-Sanctions-List-2025-04-02.xml";
    const OFSI1: &str = "uk-ofsi-csv/ConList-2020-04-02.csv";
    const OFSI2: &str = "uk-ofsi-csv/ConList-2025-03-28.csv";

    #[test]
    fn fcdo_csv_groups_rows_and_maps_every_field() {
        let (publication, entries, warnings) = one(parse_fcdo_csv(&streamed(CSV1)));
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(publication.list.as_str(), "uk-fcdo");
        assert_eq!(publication.stated_date, date(2025, 3, 14));
        assert_eq!(publication.stated_date_text.as_deref(), Some("14-Mar-2025"));
        assert_eq!(ids(&entries), ["RUS9001", "RUS9002", "AFG9001", "RUS9003"]);
        let petrov = by_id(&entries, "RUS9001");
        assert_eq!(petrov.name, "Ivan Ivanovich PETROV");
        assert_eq!(petrov.aliases, ["Ivan PETROFF"]);
        assert_eq!(petrov.entry_type, Some(EntryType::Individual));
        assert_eq!(petrov.programs, ["Russia"]);
        assert!(
            petrov
                .reason
                .as_deref()
                .unwrap()
                .starts_with("Ivan PETROV is a member of the board of EXAMPLE BANK PJSC &")
        );
        assert_eq!(
            petrov.addresses,
            [
                "12 Example Street, Moscow, 101000, Russia",
                "Villa 3, Palm Road, Dubai, United Arab Emirates"
            ]
        );
        assert_eq!(petrov.countries, ["Russia", "United Arab Emirates"]);
        assert_eq!(petrov.listed_on, date(2022, 3, 15));
        let x = &petrov.extra;
        assert_eq!(x["date_designated"], "15/03/2022");
        assert_eq!(x["last_updated"], "15/03/2022");
        assert_eq!(x["ofsi_group_id"], "15001");
        assert_eq!(x["name_non_latin_script"], "Иван Иванович ПЕТРОВ");
        assert_eq!(x["non_latin_script_type"], "Cyrillic");
        assert_eq!(x["non_latin_script_language"], "Russian");
        assert_eq!(x["title"], "Mr");
        assert_eq!(x["dob"], "01/02/1970");
        assert_eq!(x["nationality"], "Russia");
        assert_eq!(x["passport_number"], "7512345678");
        assert_eq!(
            x["passport_additional_information"],
            "Russian passport, issued 2015"
        );
        assert_eq!(x["national_identifier_number"], "770012345678");
        assert_eq!(x["national_identifier_additional_information"], "INN");
        assert_eq!(x["position"], "Chair of the board, EXAMPLE BANK PJSC");
        assert_eq!(x["gender"], "Male");
        assert_eq!(x["town_of_birth"], "Moscow");
        assert_eq!(x["country_of_birth"], "Russia");
        assert_eq!(x["designation_source"], "UK");
        assert_eq!(
            x["sanctions_imposed"],
            serde_json::json!(["Asset freeze", "Travel Ban"])
        );
        assert_eq!(
            x["name_types"],
            serde_json::json!({"Ivan Ivanovich PETROV": "Primary Name", "Ivan PETROFF": "Alias"})
        );
        assert_eq!(
            x["alias_strength"],
            serde_json::json!({"Ivan PETROFF": "Low quality"})
        );

        let shipping = by_id(&entries, "RUS9002");
        assert_eq!(shipping.name, "EXAMPLE SHIPPING LLC");
        assert_eq!(shipping.aliases, ["EXAMPLE MARINE LLC"]);
        assert_eq!(shipping.entry_type, Some(EntryType::Entity));
        for (key, value) in [
            ("phone_number", "+7 812 000 0000"),
            ("website", "www.example-shipping.invalid"),
            ("email_address", "info@example-shipping.invalid"),
            ("type_of_entity", "Limited Liability Company"),
            ("parent_company", "EXAMPLE HOLDING JSC"),
            ("subsidiaries", "EXAMPLE MARINE SERVICES LLC"),
            ("business_registration_number", "OGRN 1234567890123"),
            ("other_information", "Associated with RUS9001."),
        ] {
            assert_eq!(shipping.extra[key], value, "{key}");
        }
        let afg = by_id(&entries, "AFG9001");
        assert_eq!(afg.reason, None);
        assert_eq!(afg.extra["un_reference_number"], "TAe.999");
        assert_eq!(afg.extra["designation_source"], "UN");
        assert_eq!(afg.listed_on, date(2012, 6, 29));
        let ship = by_id(&entries, "RUS9003");
        assert_eq!(ship.entry_type, Some(EntryType::Vessel));
        for (key, value) in [
            ("imo_number", "9999999"),
            ("current_owner_operator", "EXAMPLE TANKERS LTD"),
            ("previous_owner_operator", "OLD TANKERS SA"),
            ("current_believed_flag_of_ship", "Gabon"),
            ("previous_flags", "Panama"),
            ("type_of_ship", "Crude oil tanker"),
            ("tonnage_of_ship", "62000"),
            ("length_of_ship", "228"),
            ("year_built", "2004"),
            ("hull_identification_number", "HIN-EX-1"),
        ] {
            assert_eq!(ship.extra[key], value, "{key}");
        }
    }

    #[test]
    fn fcdo_csv_second_day_has_an_addition_a_removal_and_a_reason_change() {
        let (_, old, _) = one(parse_fcdo_csv(&streamed(CSV1)));
        let (publication, new, _) = one(parse_fcdo_csv(&whole(CSV2)));
        assert_eq!(publication.stated_date, date(2025, 4, 2));
        assert_eq!(ids(&new), ["RUS9002", "RUS9001", "RUS9003", "GHR9001"]);
        assert!(!ids(&new).contains(&"AFG9001"));
        let (before, after) = (by_id(&old, "RUS9001"), by_id(&new, "RUS9001"));
        assert_ne!(before.reason, after.reason);
        assert!(
            after
                .reason
                .as_deref()
                .unwrap()
                .contains("the chair of the board")
        );
        assert_eq!(after.aliases, ["Ivan PETROFF", "Iwan PETROW"]);
        // RUS9002's rows are apart in the second file: the same entry.
        assert_eq!(by_id(&old, "RUS9002"), by_id(&new, "RUS9002"));
        assert_eq!(by_id(&old, "RUS9003"), by_id(&new, "RUS9003"));
        let jose = by_id(&new, "GHR9001");
        assert_eq!(jose.name, "José PEÑA");
        assert_eq!(jose.extra["dob"], "dd/mm/1961");
    }

    #[test]
    fn fcdo_xml_gives_the_same_entries_as_the_csv() {
        for (xml, csv) in [(XML1, CSV1), (XML2, CSV2)] {
            let (from_xml, xml_entries, warnings) = one(parse_fcdo_xml(&streamed(xml)));
            assert!(warnings.is_empty(), "{warnings:?}");
            let (from_csv, csv_entries, _) = one(parse_fcdo_csv(&streamed(csv)));
            assert_eq!(from_xml.list, from_csv.list);
            assert_eq!(from_xml.stated_date, from_csv.stated_date);
            assert_eq!(xml_entries.len(), csv_entries.len());
            for mut entry in xml_entries {
                let indicators = entry.extra.remove("sanctions_imposed_indicators");
                assert!(indicators.is_some(), "{}", entry.id);
                assert_eq!(&entry, by_id(&csv_entries, entry.id.as_str()), "{xml}");
            }
        }
        let (publication, entries, _) = one(parse_fcdo_xml(&streamed(XML2)));
        assert_eq!(publication.stated_date_text.as_deref(), Some("02/04/2025"));
        // ISO-8859-1 bytes and character references both read.
        assert_eq!(by_id(&entries, "GHR9001").name, "José PEÑA");
        let petrov = by_id(&entries, "RUS9001");
        assert_eq!(
            petrov.extra["name_non_latin_script"],
            "Иван Иванович ПЕТРОВ"
        );
        assert_eq!(
            petrov.extra["sanctions_imposed_indicators"],
            serde_json::json!(["AssetFreeze", "TravelBan"])
        );
        assert!(petrov.reason.as_deref().unwrap().contains("PJSC & has"));
    }

    #[test]
    fn ofsi_csv_groups_rows_by_group_id() {
        let (publication, entries, warnings) = one(parse_ofsi_csv(&whole(OFSI1)));
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(publication.list.as_str(), "uk-ofsi");
        assert_eq!(publication.stated_date, date(2020, 4, 2));
        assert_eq!(publication.stated_date_text.as_deref(), Some("02/04/2020"));
        assert_eq!(ids(&entries), ["15001", "12999", "13900"]);
        let petrov = by_id(&entries, "15001");
        assert_eq!(petrov.name, "Ivan Ivanovich PETROV");
        assert_eq!(petrov.aliases, ["Ivan PETROFF"]);
        assert_eq!(petrov.entry_type, Some(EntryType::Individual));
        assert_eq!(petrov.programs, ["Russia"]);
        assert_eq!(petrov.listed_on, date(2022, 3, 15));
        assert_eq!(petrov.extra["listed_on"], "15/03/2022");
        assert_eq!(
            petrov.extra["uk_sanctions_list_date_designated"],
            "15/03/2022"
        );
        assert_eq!(petrov.extra["uk_sanctions_list_ref"], "RUS9001");
        assert_eq!(petrov.extra["last_updated"], "15/03/2022");
        assert_eq!(
            petrov.extra["passport_details"],
            "Russian passport, issued 2015"
        );
        assert_eq!(petrov.extra["dob"], "01/02/1970");
        assert_eq!(
            petrov.extra["name_non_latin_script"],
            "Иван Иванович ПЕТРОВ"
        );
        assert_eq!(
            petrov.extra["alias_strength"],
            serde_json::json!({"Ivan PETROFF": "Low"})
        );
        assert_eq!(petrov.countries, ["Russia", "United Arab Emirates"]);
        let afg = by_id(&entries, "12999");
        assert_eq!(afg.aliases, ["EXAMPLE SARAFI", "Example Hawala"]);
        assert_eq!(
            afg.extra["name_types"],
            serde_json::json!({"EXAMPLE MONEY EXCHANGE": "Primary name", "EXAMPLE SARAFI": "FKA", "Example Hawala": "AKA"})
        );
        assert_eq!(afg.listed_on, date(2012, 6, 29));
    }

    #[test]
    fn ofsi_csv_second_day_latin1() {
        let (_, old, _) = one(parse_ofsi_csv(&whole(OFSI1)));
        let (publication, new, _) = one(parse_ofsi_csv(&whole(OFSI2)));
        assert_eq!(publication.stated_date, date(2025, 3, 28));
        assert_eq!(ids(&new), ["13900", "15001"]);
        let jose = by_id(&new, "13900");
        assert_eq!(jose.name, "José PEÑA");
        assert_eq!(by_id(&old, "13900").programs, ["Global Human Rights"]);
        assert_eq!(jose.programs, ["Venezuela"]);
        let petrov = by_id(&new, "15001");
        assert_eq!(petrov.aliases, ["Ivan PETROFF", "Iwan PETROW"]);
        assert!(!petrov.extra.contains_key("name_non_latin_script"));
    }

    #[test]
    fn recognises_each_uk_format_and_nothing_else() {
        for (rel, format) in [
            (CSV1, Format::UkFcdoCsv),
            (CSV2, Format::UkFcdoCsv),
            (XML1, Format::UkFcdoXml),
            (XML2, Format::UkFcdoXml),
            (OFSI1, Format::UkOfsiCsv),
            (OFSI2, Format::UkOfsiCsv),
        ] {
            let bytes = std::fs::read(fixture(rel)).unwrap();
            assert_eq!(detect(&bytes), Detection::Format(format), "{rel}");
        }
        assert_eq!(
            recognise(b"Last Updated,Unique ID,OFSI Group ID,UN Reference Number,Name 6\n"),
            Some(Format::UkFcdoCsv)
        );
        assert_eq!(recognise(b"<Designations/>"), Some(Format::UkFcdoXml));
        for other in [
            &b"_id,source,entity_number,type,programs,name,title,addresses\n"[..],
            b"36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"x\"\r\n",
            b"fileGenerationDate;Entity_LogicalId;Entity_EU_ReferenceNumber;NameAlias_WholeName\n",
            b"<?xml version=\"1.0\"?><export generationDate=\"2024\"></export>",
            b"<ArrayOfFinancialSanctionsTarget></ArrayOfFinancialSanctionsTarget>",
            b"<sdnList></sdnList>",
            b"Last Updated,Unique ID\n",
            b"Last Updated,not a date\nGroup ID\n",
            b"Report Date: 1 Jan 2020\nName,City\n",
            b"",
            b"<",
        ] {
            assert_eq!(recognise(other), None, "{}", String::from_utf8_lossy(other));
        }
    }

    #[test]
    fn empty_files_and_errors() {
        let empty = "Report Date: 14-Mar-2025\nLast Updated,Unique ID,Name 6,Name type\n";
        let (publication, entries, _) = one(parse_fcdo_csv(&Input::single("e.csv", empty.into())));
        assert!(entries.is_empty());
        assert_eq!(publication.stated_date, date(2025, 3, 14));
        let (_, entries, _) = one(parse_fcdo_xml(&Input::single(
            "e.xml",
            b"<?xml version=\"1.0\"?>\n<Designations><DateGenerated>01/02/2025</DateGenerated></Designations>".to_vec(),
        )));
        assert!(entries.is_empty());
        let (_, entries, _) = one(parse_ofsi_csv(&Input::single(
            "c.csv",
            b"Last Updated,01/02/2020\nName 6,Alias Type,Group ID\n".to_vec(),
        )));
        assert!(entries.is_empty());

        let e = parse_fcdo_csv(&Input::single("x.csv", b"".to_vec())).unwrap_err();
        assert!(e.message.contains("empty"), "{}", e.message);
        let e = parse_fcdo_csv(&Input::single(
            "x.csv",
            b"Report Date: soon\nUnique ID\n".to_vec(),
        ))
        .unwrap_err();
        assert_eq!(e.location, Location::Line(1));
        let e = parse_fcdo_csv(&Input::single(
            "x.csv",
            b"Report Date: 14-Mar-2025\nName 6,Regime Name\n".to_vec(),
        ))
        .unwrap_err();
        assert_eq!(e.location, Location::Line(2));
        assert!(e.message.contains("Unique ID"), "{}", e.message);
        let e = parse_fcdo_csv(&Input::single(
            "x.csv",
            b"Report Date: 14-Mar-2025\nUnique ID,Name 6,Name type\nRUS1,A,Primary Name\n,B,Alias\n"
                .to_vec(),
        ))
        .unwrap_err();
        assert_eq!(e.location, Location::Line(4));
        // Rows without any name: the designation is refused with its first line.
        let e = parse_ofsi_csv(&Input::single(
            "c.csv",
            b"Last Updated,01/02/2020\nName 6,Alias Type,Group ID\nA,Primary name,1\n,AKA,2\n"
                .to_vec(),
        ))
        .unwrap_err();
        assert_eq!(
            e.location,
            Location::Record {
                number: 2,
                line: Some(4)
            }
        );
        let e = parse_fcdo_xml(&Input::single("x.xml", b"<sdnList/>".to_vec())).unwrap_err();
        assert!(e.message.contains("<sdnList>"), "{}", e.message);
        let e = parse_fcdo_xml(&Input::single(
            "x.xml",
            b"<Designations><Designation><UniqueID>A1</UniqueID><Names><Name><Name6>X</Name6>"
                .to_vec(),
        ))
        .unwrap_err();
        assert!(e.message.contains("truncated"), "{}", e.message);
        let twice = b"<Designations><Designation><UniqueID>A1</UniqueID><Names><Name><Name6>X</Name6></Name></Names></Designation><Designation><UniqueID>A1</UniqueID><Names><Name><Name6>Y</Name6></Name></Names></Designation></Designations>";
        let e = parse_fcdo_xml(&Input::single("x.xml", twice.to_vec())).unwrap_err();
        assert_eq!(
            e.location,
            Location::Record {
                number: 2,
                line: None
            }
        );
        let e = parse_fcdo_xml(&Input::single("x.xml", b"".to_vec())).unwrap_err();
        assert!(e.message.contains("empty"), "{}", e.message);
    }

    #[test]
    fn names_without_a_primary_type_warn() {
        let text = "Report Date: 14-Mar-2025\nUnique ID,Name 6,Name type,Date Designated\nRUS1,B NAME,Alias,31/02/2020\nRUS1,A NAME,,31/02/2020\n";
        let (_, entries, warnings) = one(parse_fcdo_csv(&Input::single("n.csv", text.into())));
        assert_eq!(entries[0].name, "B NAME");
        assert_eq!(entries[0].aliases, ["A NAME"]);
        assert_eq!(entries[0].listed_on, None);
        assert_eq!(entries[0].extra["date_designated"], "31/02/2020");
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].contains("n.csv:3 (record 1)"),
            "{}",
            warnings[0]
        );
    }

    #[test]
    fn crlf_line_numbers_are_right() {
        let text = "Report Date: 14-Mar-2025\r\nUnique ID,Name 6,Name type\r\nRUS1,A,Primary Name\r\nRUS2,,Alias\r\n";
        let e = parse_fcdo_csv(&Input::single("n.csv", text.into())).unwrap_err();
        assert_eq!(
            e.location,
            Location::Record {
                number: 2,
                line: Some(4)
            }
        );
    }

    #[test]
    fn damaged_fixtures_never_panic() {
        for rel in [CSV1, CSV2, XML1, XML2, OFSI1, OFSI2] {
            let bytes = std::fs::read(fixture(rel)).unwrap();
            for cut in (0..bytes.len()).step_by(13) {
                let mut damaged = bytes.clone();
                damaged.truncate(cut);
                let input = Input::single(rel, damaged.clone());
                let _ = (parse_fcdo_csv(&input), parse_fcdo_xml(&input));
                let _ = parse_ofsi_csv(&input);
                if let Some(b) = damaged.get_mut(cut / 2) {
                    *b = b'<';
                }
                let input = Input::single(rel, damaged);
                let _ = (parse_fcdo_csv(&input), parse_fcdo_xml(&input));
                let _ = (parse_ofsi_csv(&input), recognise(&input.primary.bytes));
            }
        }
    }

    #[test]
    fn keys_are_snake_case() {
        assert_eq!(snake("TownOfBirth"), "town_of_birth");
        assert_eq!(snake("IMONumber"), "imo_number");
        assert_eq!(snake("Name non-latin script"), "name_non_latin_script");
        assert_eq!(extra_key("D.O.B"), "dob");
        assert_eq!(extra_key("Nationality(/ies)"), "nationality");
        assert_eq!(extra_key("OFSIGroupID"), "ofsi_group_id");
        assert_eq!(extra_key("UNReferenceNumber"), "un_reference_number");
        assert_eq!(
            extra_key("Hull identification number (HIN)"),
            "hull_identification_number"
        );
    }
}
