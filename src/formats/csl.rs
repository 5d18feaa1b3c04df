//! trade.gov Consolidated Screening List (CSL): `consolidated.csv` and `consolidated.json`.
//!
//! One file holds 13 source lists; each becomes its own publication, `us-csl-<abbreviation>`.
//! The key is `_id` (CSV) / `id` (JSON). Older CSV files have no `_id`: their key is derived
//! from the source, the name and the first Federal Register notice (see [`settle_keys`]).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::read::csv::{CsvReader, unterminated_quote_line};
use super::read::decode::Syntax;
use super::read::head::{FirstKey, first_record, json_first_key};
use super::read::text::whole_text;
use super::registry::{Capabilities, FormatDescriptor, KeyedRows, Recognised, Recogniser, Shape};
use super::{FormatError, Input, Location, ParsedPublication, dates, record_error};
use crate::model::{Entry, EntryId, EntryType, ListId, ModelError, PublicationContent, text};

type Output = Result<(Vec<ParsedPublication>, Vec<String>), FormatError>;

/// Columns that map to the common entry fields (everything else goes to `extra`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Id,
    Source,
    Name,
    AltNames,
    Addresses,
    Type,
    Programs,
    Citations,
    Remarks,
    LicenseRequirement,
    LicensePolicy,
    StartDate,
    /// `;`-separated list kept in `extra` as an array.
    ListExtra,
    /// `; `-separated `ids` kept in `extra` as an array.
    Ids,
    /// Any other column, kept in `extra` as text.
    TextExtra,
}

impl Column {
    fn of(name: &str, json: bool) -> Column {
        match name {
            "_id" => Column::Id,
            "id" if json => Column::Id,
            "source" => Column::Source,
            "name" => Column::Name,
            "alt_names" => Column::AltNames,
            "addresses" => Column::Addresses,
            "type" => Column::Type,
            "programs" => Column::Programs,
            "federal_register_notice" => Column::Citations,
            "remarks" => Column::Remarks,
            "license_requirement" => Column::LicenseRequirement,
            "license_policy" => Column::LicensePolicy,
            "start_date" => Column::StartDate,
            "citizenships" | "dates_of_birth" | "nationalities" | "places_of_birth" => {
                Column::ListExtra
            }
            "ids" => Column::Ids,
            _ => Column::TextExtra,
        }
    }
}

/// One CSL record in the common shape, before its list and key are settled.
#[derive(Default)]
struct Draft {
    id: Option<String>,
    /// The field `id` came from: `_id` (CSV) or `id` (JSON).
    id_field: &'static str,
    source: String,
    name: String,
    type_label: Option<String>,
    aliases: Vec<String>,
    addresses: Vec<String>,
    countries: Vec<String>,
    programs: Vec<String>,
    /// In file order: the first one is part of a derived key.
    citations: Vec<String>,
    reason: Option<String>,
    license_requirement: Option<String>,
    license_policy: Option<String>,
    start_date: Option<String>,
    extra: BTreeMap<String, Value>,
}

/// Where a record is in the file.
#[derive(Clone, Copy, Debug)]
struct Place {
    /// 1-based among the file's data records.
    number: u64,
    /// 1-based line where it starts (CSV only).
    line: Option<u64>,
}

impl Place {
    fn location(self) -> Location {
        Location::Record {
            number: self.number,
            line: self.line,
        }
    }

    fn describe(self) -> String {
        match self.line {
            Some(line) => format!("line {line}"),
            None => format!("record {}", self.number),
        }
    }
}

/// A record with its entry built and its first key chosen.
struct Row {
    place: Place,
    /// True when the key was derived (no `_id`/`id`).
    derived: bool,
    /// The field an explicit key came from (`_id`, `id` or `entity_number`).
    key_field: &'static str,
    /// Normalised (lower-case) source, name and first citation: the derived key's input.
    key_text: [String; 3],
    entry: Entry,
}

/// One source list of the file.
struct Group {
    list: ListId,
    abbreviation: String,
    labels: Vec<String>,
    rows: Vec<Row>,
}

// ---------------------------------------------------------------------------------------------
// CSV

/// The `csl-csv` format.
pub(crate) static CSL_CSV: FormatDescriptor = FormatDescriptor {
    name: "csl-csv",
    description: "trade.gov Consolidated Screening List consolidated.csv",
    list_ids: "us-csl-<source abbreviation>, one per source list (us-csl-el, us-csl-sdn, …)",
    key: "_id; without it entity_number, else a hash of source, name and first FR notice (and addresses if that collides)",
    reason_fields: "programs, remarks → reason, license_requirement, license_policy, federal_register_notice → citations",
    // 2: text that is not UTF-8 used to be decoded field by field; it is now read as UTF-8 up
    // to the file's first byte that is not, Windows-1252 from there, so a file mixing the two
    // reads differently (see `read::decode`).
    parser_version: 2,
    recogniser: Some(Recogniser {
        shape: Shape::Delimited,
        order: 0,
        test: recognise_csv,
    }),
    parse: parse_csv,
    capabilities: Capabilities {
        keyed_rows: Some(keyed_rows),
        ..Capabilities::NONE
    },
};

/// The `csl-json` format.
pub(crate) static CSL_JSON: FormatDescriptor = FormatDescriptor {
    name: "csl-json",
    description: "trade.gov Consolidated Screening List consolidated.json",
    list_ids: "us-csl-<source abbreviation>, one per source list (us-csl-el, us-csl-sdn, …)",
    key: "id; without it entity_number, else a hash of source, name and first FR notice (and addresses if that collides)",
    reason_fields: "programs, remarks → reason, license_requirement, license_policy, federal_register_notice → citations",
    // Unchanged: a file that is not UTF-8 used to be refused (now read, with a warning).
    parser_version: 1,
    recogniser: Some(Recogniser {
        shape: Shape::JsonObject,
        order: 3,
        test: recognise_json,
    }),
    parse: parse_json,
    capabilities: Capabilities::NONE,
};

/// The records of a CSL CSV by (source label, `_id`), as the exact bytes of each record: two
/// files' records with the same key and bytes give the same entry, so a comparison need only
/// build the entries of records that differ. `None` when that shortcut does not hold or
/// something is unusual (a row without `_id`, whose key depends on other rows; a repeated key; a
/// damaged row; a file not ending in a newline; text that is not UTF-8): the caller then reads
/// the files in full, which explains any problem.
fn keyed_rows(bytes: &[u8]) -> Option<KeyedRows<'_>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Rows are compared and read again by their bytes: only for text that is UTF-8 already
    // (the decoding warning of any other names offsets in the whole file).
    std::str::from_utf8(bytes).ok()?;
    if bytes.last() != Some(&b'\n') {
        return None;
    }
    // The shared reader: a record over the reading layer's limits ends the shortcut (the full
    // read then refuses it, naming the line).
    let mut reader = CsvReader::new("", bytes, b',');
    let first = reader.next_row().ok()??;
    let header: Vec<String> = first.trimmed();
    let header_end = usize::try_from(first.span().1).ok()?;
    let id_column = header.iter().position(|h| h == "_id")?;
    let source_column = header.iter().position(|h| h == "source")?;
    let mut rows = HashMap::new();
    while let Some(record) = reader.next_row().ok()? {
        let (start, end) = record.span();
        let raw = bytes.get(usize::try_from(start).ok()?..usize::try_from(end).ok()?)?;
        if record.len() != header.len() {
            return None;
        }
        if record
            .fields()
            .zip(&header)
            .all(|(field, name)| field.trim() == name)
        {
            continue;
        }
        let id = record.bytes(id_column)?.trim_ascii();
        if id.is_empty() {
            return None;
        }
        let source = record.bytes(source_column)?.trim_ascii().to_vec();
        if rows.insert((source, id.to_vec()), raw).is_some() {
            return None;
        }
    }
    Some(KeyedRows {
        header: bytes.get(..header_end)?,
        rows,
    })
}

/// A header naming `source`, `name`, and `federal_register_notice` or `programs`.
fn recognise_csv(head: &[u8]) -> Option<Recognised> {
    let fields = first_record(head, b',')?;
    let has = |name: &str| fields.iter().any(|f| f == name);
    (has("source") && has("name") && (has("federal_register_notice") || has("programs")))
        .then_some(Recognised::This)
}

/// The keys the trade.gov search API starts its answer with.
const JSON_KEYS: [&str; 5] = [
    "results",
    "total",
    "offset",
    "search_performed_at",
    "sources_used",
];

/// A JSON object whose first key is one of the search API's.
fn recognise_json(head: &[u8]) -> Option<Recognised> {
    match json_first_key(head) {
        FirstKey::Key(key) if JSON_KEYS.contains(&key.as_str()) => Some(Recognised::This),
        _ => None,
    }
}

/// Reads `consolidated.csv`.
fn parse_csv(input: &Input) -> Output {
    let file = input.primary.name.as_str();
    let decoded = whole_text(&input.primary, Syntax::Text)?;
    let text = decoded.text.as_bytes();
    if text.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(FormatError::new(
            file,
            Location::File,
            "the file is empty: an empty publication is almost certainly a failed download; download it again",
        ));
    }
    // A file that ends inside a quoted field was cut short. Real CSL extracts are published
    // that way (the 2023 sample ends mid-address), so the last record is kept, padded, with a
    // warning; anything else short is an error below.
    let cut_at = unterminated_quote_line(text);
    let mut reader = CsvReader::new(file, text, b',');
    let Some(first) = reader.next_row()? else {
        return Err(FormatError::new(
            file,
            Location::File,
            "the file is empty: download it again",
        ));
    };
    let (header_line, header) = (first.line(), first.trimmed());
    check_header(file, header_line, &header)?;
    let columns: Vec<Column> = header.iter().map(|h| Column::of(h, false)).collect();

    let mut drafts: Vec<(Place, Draft)> = Vec::new();
    let mut repeated_headers: Vec<u64> = Vec::new();
    let mut warnings: Vec<String> = decoded.note.map(|n| n.warning(file)).into_iter().collect();
    while let Some(row) = reader.next_row()? {
        let line = row.line();
        let mut fields: Vec<Cow<'_, str>> = row.fields().collect();
        if cut_at == Some(line) && fields.len() <= header.len() && fields.len() > 1 {
            warnings.push(format!(
                "{file}:{line}: the file ends inside field {} of {} of this record ({}): it was cut short; the record was kept with the fields read, the rest empty: check the download",
                fields.len(),
                header.len(),
                super::quoted(&header[fields.len() - 1])
            ));
            fields.resize(header.len(), Cow::Borrowed(""));
        }
        if fields.len() != header.len() {
            return Err(FormatError::new(
                file,
                Location::Line(line),
                format!(
                    "expected {} fields as in the header (line {header_line}), found {}: the row is damaged or the file mixes two layouts",
                    header.len(),
                    fields.len()
                ),
            ));
        }
        if fields
            .iter()
            .map(|f| f.trim())
            .eq(header.iter().map(String::as_str))
        {
            repeated_headers.push(line);
            continue;
        }
        let mut draft = Draft::default();
        for ((column, name), value) in columns.iter().zip(&header).zip(&fields) {
            csv_field(&mut draft, *column, name, value);
        }
        let place = Place {
            number: drafts.len() as u64 + 1,
            line: Some(line),
        };
        drafts.push((place, draft));
    }

    if !repeated_headers.is_empty() {
        let lines: Vec<String> = repeated_headers.iter().map(u64::to_string).collect();
        warnings.push(format!(
            "{file}: the header row is repeated on line{} {}; skipped",
            if lines.len() == 1 { "" } else { "s" },
            lines.join(", ")
        ));
    }
    finish(file, drafts, warnings)
}

/// The header must name `source` and `name` once each, and no column twice.
fn check_header(file: &str, line: u64, header: &[String]) -> Result<(), FormatError> {
    for required in ["source", "name"] {
        if !header.iter().any(|h| h == required) {
            return Err(FormatError::new(
                file,
                Location::Line(line),
                format!(
                    "not a Consolidated Screening List header: no {required:?} column (the first line must name the columns: _id, source, entity_number, type, programs, name, …)"
                ),
            ));
        }
    }
    let mut seen = std::collections::HashSet::new();
    for h in header {
        if !h.is_empty() && !seen.insert(h.as_str()) {
            return Err(FormatError::new(
                file,
                Location::Line(line),
                format!("column {h:?} appears twice in the header: columns are matched by name"),
            ));
        }
    }
    Ok(())
}

/// Maps one CSV field into the draft.
fn csv_field(draft: &mut Draft, column: Column, name: &str, value: &str) {
    let value = value.trim();
    if value.is_empty() {
        return;
    }
    match column {
        Column::Id => {
            draft.id = Some(value.to_string());
            draft.id_field = "_id";
        }
        Column::Source => draft.source = value.to_string(),
        Column::Name => draft.name = value.to_string(),
        Column::AltNames => draft.aliases.extend(split(value, ";")),
        Column::Addresses => {
            for address in split(value, "; ") {
                if let Some(country) = country_code(&address) {
                    draft.countries.push(country);
                }
                draft.addresses.push(address);
            }
        }
        Column::Type => draft.type_label = Some(value.to_string()),
        Column::Programs => draft.programs.extend(split(value, ";")),
        Column::Citations => draft.citations.extend(split(value, ";")),
        Column::Remarks => draft.reason = Some(value.to_string()),
        Column::LicenseRequirement => draft.license_requirement = Some(value.to_string()),
        Column::LicensePolicy => draft.license_policy = Some(value.to_string()),
        Column::StartDate => draft.start_date = Some(value.to_string()),
        Column::ListExtra => {
            draft
                .extra
                .insert(name.to_string(), string_array(split(value, ";")));
        }
        Column::Ids => {
            draft
                .extra
                .insert(name.to_string(), string_array(split(value, "; ")));
        }
        Column::TextExtra => {
            draft
                .extra
                .insert(name.to_string(), Value::String(value.to_string()));
        }
    }
}

/// Splits a multi-valued field, trimming items and dropping empty ones.
fn split(value: &str, separator: &str) -> Vec<String> {
    value
        .split(separator)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn string_array(items: Vec<String>) -> Value {
    Value::Array(items.into_iter().map(Value::String).collect())
}

/// The country code that ends a flattened address (`…, Beijing, 100033, CN` → `CN`).
fn country_code(address: &str) -> Option<String> {
    let last = address.rsplit(',').next()?.trim();
    (last.len() == 2 && last.bytes().all(|b| b.is_ascii_alphabetic()))
        .then(|| last.to_ascii_uppercase())
}

// ---------------------------------------------------------------------------------------------
// JSON

#[derive(Deserialize)]
struct CslJson {
    results: Vec<Map<String, Value>>,
}

/// Reads `consolidated.json`.
fn parse_json(input: &Input) -> Output {
    let file = input.primary.name.as_str();
    let decoded = whole_text(&input.primary, Syntax::Text)?;
    let parsed: CslJson = serde_json::from_str(&decoded.text).map_err(|e| json_error(file, &e))?;
    let mut drafts = Vec::with_capacity(parsed.results.len());
    for (index, object) in parsed.results.into_iter().enumerate() {
        let mut draft = Draft::default();
        for (name, value) in object {
            json_field(&mut draft, &name, value);
        }
        let place = Place {
            number: index as u64 + 1,
            line: None,
        };
        drafts.push((place, draft));
    }
    finish(
        file,
        drafts,
        decoded.note.map(|n| n.warning(file)).into_iter().collect(),
    )
}

/// Maps a serde_json error to a located format error.
fn json_error(file: &str, error: &serde_json::Error) -> FormatError {
    let (location, text) = super::json_error_parts(error);
    let message = if error.is_eof() {
        format!("the file ends too early ({text}): is it truncated? download it again")
    } else {
        format!(
            "not a Consolidated Screening List JSON file ({text}): expected {{\"results\": [{{…}}, …]}}"
        )
    };
    FormatError::new(file, location, message)
}

/// The texts a JSON value holds: a string, a stringified scalar, or the items of an array.
fn json_texts(value: &Value) -> Vec<String> {
    match value {
        Value::Null => Vec::new(),
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().flat_map(json_texts).collect(),
        Value::Bool(_) | Value::Number(_) | Value::Object(_) => vec![value.to_string()],
    }
}

/// One text from a JSON value (array items joined with `; `); `None` when blank.
fn json_text(value: &Value) -> Option<String> {
    let joined = json_texts(value).join("; ");
    let trimmed = joined.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// A multi-valued JSON field: an array of strings, or a string split like the CSV.
fn json_list(value: &Value, separator: &str) -> Vec<String> {
    match value {
        Value::String(s) => split(s, separator),
        other => json_texts(other)
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    }
}

/// Stringifies scalars in a value kept in `extra` (objects keep their shape).
fn json_extra(value: Value) -> Value {
    match value {
        Value::Bool(_) | Value::Number(_) => Value::String(value.to_string()),
        Value::Array(items) => Value::Array(items.into_iter().map(json_extra).collect()),
        other => other,
    }
}

/// Maps one JSON field into the draft.
fn json_field(draft: &mut Draft, name: &str, value: Value) {
    match Column::of(name, true) {
        Column::Id => {
            draft.id = json_text(&value);
            draft.id_field = "id";
        }
        Column::Source => draft.source = json_text(&value).unwrap_or_default(),
        Column::Name => draft.name = json_text(&value).unwrap_or_default(),
        Column::AltNames => draft.aliases.extend(json_list(&value, ";")),
        Column::Addresses => match &value {
            Value::Array(items) => {
                for item in items {
                    json_address(draft, item);
                }
            }
            other => json_address(draft, other),
        },
        Column::Type => draft.type_label = json_text(&value),
        Column::Programs => draft.programs.extend(json_list(&value, ";")),
        Column::Citations => draft.citations.extend(json_list(&value, ";")),
        Column::Remarks => draft.reason = json_text(&value),
        Column::LicenseRequirement => draft.license_requirement = json_text(&value),
        Column::LicensePolicy => draft.license_policy = json_text(&value),
        Column::StartDate => draft.start_date = json_text(&value),
        Column::ListExtra => {
            draft
                .extra
                .insert(name.to_string(), string_array(json_list(&value, ";")));
        }
        Column::Ids => {
            let value = match value {
                Value::String(s) => string_array(split(&s, "; ")),
                other => json_extra(other),
            };
            draft.extra.insert(name.to_string(), value);
        }
        Column::TextExtra => {
            draft.extra.insert(name.to_string(), json_extra(value));
        }
    }
}

const ADDRESS_PARTS: [&str; 5] = ["address", "city", "state", "postal_code", "country"];

/// One JSON address: an object flattened to `address, city, state, postal_code, country`, or a
/// string as in the CSV.
fn json_address(draft: &mut Draft, value: &Value) {
    match value {
        Value::Object(object) => {
            let parts: Vec<String> = ADDRESS_PARTS
                .iter()
                .filter_map(|key| object.get(*key).and_then(json_text))
                .collect();
            if !parts.is_empty() {
                draft.addresses.push(parts.join(", "));
            }
            if let Some(country) = object.get("country").and_then(json_text) {
                let is_code =
                    country.len() == 2 && country.bytes().all(|b| b.is_ascii_alphabetic());
                draft.countries.push(if is_code {
                    country.to_ascii_uppercase()
                } else {
                    country
                });
            }
        }
        other => {
            for address in json_list(other, "; ") {
                if let Some(country) = country_code(&address) {
                    draft.countries.push(country);
                }
                draft.addresses.push(address);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Shared: lists, keys, publications

/// The abbreviation that names a source list: the text in parentheses in its label, lower-case,
/// without a trailing " list", runs of other characters than `a-z0-9` turned into `-`
/// (`Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department` → `ns-mbs`).
/// A label without parentheses gives the slug of the whole label.
fn abbreviation(label: &str) -> String {
    let inner = label
        .find('(')
        .and_then(|open| {
            let rest = label.get(open + 1..)?;
            rest.find(')').and_then(|close| rest.get(..close))
        })
        .filter(|inner| !slug(inner).is_empty());
    let mut out = slug(inner.unwrap_or(label));
    // A list id is at most 100 bytes: "us-csl-" leaves 93.
    out.truncate(93);
    while out.ends_with('-') {
        out.pop();
    }
    out
}

fn slug(text: &str) -> String {
    let lower = text.trim().to_lowercase();
    let lower = lower.strip_suffix(" list").unwrap_or(&lower);
    let mut out = String::new();
    let mut pending_dash = false;
    for c in lower.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c);
        } else {
            pending_dash = true;
        }
    }
    out
}

/// Text as it enters a derived key: trimmed, white space collapsed, lower-case.
fn key_text(raw: &str) -> String {
    text::normalize(raw).unwrap_or_default().to_lowercase()
}

/// `<abbreviation>-` and the first 16 hex digits of the SHA-256 of the parts joined by `\n`.
fn derived_key(abbreviation: &str, parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hasher.update(b"\n");
        }
        hasher.update(part.as_bytes());
    }
    let digest: [u8; 32] = hasher.finalize().into();
    format!("{abbreviation}-{}", hex::encode(&digest[..8]))
}

/// The sorted, normalised addresses of an entry, one per line: the second tier of a derived key.
fn address_key_text(entry: &Entry) -> String {
    let mut addresses: Vec<String> = entry
        .addresses
        .iter()
        .map(|a| key_text(a))
        .filter(|a| !a.is_empty())
        .collect();
    addresses.sort();
    addresses.dedup();
    addresses.join("\n")
}

/// Builds every draft's entry, groups the entries by source list (ordered by list id) and
/// settles their keys.
fn finish(file: &str, drafts: Vec<(Place, Draft)>, mut warnings: Vec<String>) -> Output {
    if drafts.is_empty() {
        return Err(FormatError::new(
            file,
            Location::File,
            "no records: the file has no data rows; an empty publication is almost certainly a failed download, so it is not read as \"every entry was removed\" (download it again)",
        ));
    }
    let mut groups: BTreeMap<ListId, Group> = BTreeMap::new();
    let mut list_of_label: HashMap<String, (ListId, String)> = HashMap::new();
    for (place, draft) in drafts {
        let error = |message: String| FormatError::new(file, place.location(), message);
        let label = text::normalize(&draft.source).unwrap_or_default();
        if label.is_empty() {
            return Err(error(
                "the record has no source: every CSL record names the list it comes from (e.g. \"Entity List (EL) - Bureau of Industry and Security\")".into(),
            ));
        }
        let (list, abbr) = match list_of_label.get(&label) {
            Some(found) => found.clone(),
            None => {
                let abbr = abbreviation(&label);
                let list = ListId::new(&format!("us-csl-{abbr}")).map_err(|_| {
                    error(format!(
                        "cannot make a list id from the source {}: it needs letters or digits",
                        super::quoted(&label)
                    ))
                })?;
                list_of_label.insert(label.clone(), (list.clone(), abbr.clone()));
                (list, abbr)
            }
        };
        let row = build_row(draft, place, &label, &abbr).map_err(|e| error(e.to_string()))?;
        let group = groups.entry(list.clone()).or_insert_with(|| Group {
            list,
            abbreviation: abbr,
            labels: Vec::new(),
            rows: Vec::new(),
        });
        if !group.labels.contains(&label) {
            group.labels.push(label);
        }
        group.rows.push(row);
    }

    let mut publications = Vec::with_capacity(groups.len());
    for group in groups.into_values() {
        if group.labels.len() > 1 {
            warnings.push(format!(
                "{file}: the sources {} all give the list id {}; their records were read as one list",
                group.labels.iter().map(|l| format!("{l:?}")).collect::<Vec<_>>().join(", "),
                group.list
            ));
        }
        let list = group.list.clone();
        let rows = settle_keys(file, group, &mut warnings)?;
        let places: Vec<Place> = rows.iter().map(|r| r.place).collect();
        let mut entries = Vec::with_capacity(rows.len());
        for row in rows {
            let entry = row
                .entry
                .normalize()
                .map_err(|e| FormatError::new(file, row.place.location(), e.to_string()))?;
            entries.push(entry);
        }
        let content = PublicationContent::Snapshot(entries)
            .normalize()
            .map_err(|e| located(file, e, &places))?;
        publications.push(ParsedPublication {
            stated_date_text: None,
            list,
            stated_date: None,
            source: None,
            content,
            columns: None,
        });
    }
    Ok((publications, warnings))
}

/// A model error about record `index` of one list's snapshot, located in the file.
fn located(file: &str, error: ModelError, places: &[Place]) -> FormatError {
    let place = |index: usize| places.get(index).copied();
    let mut e = record_error(file, error, |index| place(index).and_then(|p| p.line));
    // record_error numbers records within the list; say where they are in the file.
    if let Location::Record { number, line } = &mut e.location
        && let Some(p) = usize::try_from(*number)
            .ok()
            .and_then(|n| place(n.checked_sub(1)?))
    {
        *number = p.number;
        *line = p.line;
    }
    e
}

/// Turns a draft into an entry whose id is its `_id`/`id` or the first-tier derived key.
fn build_row(draft: Draft, place: Place, label: &str, abbr: &str) -> Result<Row, ModelError> {
    let key_text_parts = [
        key_text(label),
        key_text(&draft.name),
        key_text(draft.citations.first().map_or("", String::as_str)),
    ];
    // Without `_id` (files before July 2020), OFAC-derived rows still have `entity_number`,
    // which is what `_id` holds for them in later files: it keeps their key across layouts.
    let entity_number = draft
        .extra
        .get("entity_number")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let explicit = match draft.id.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => Some((id, draft.id_field)),
        _ => entity_number.map(|n| (n, "entity_number")),
    };
    let (id, key_field) = match explicit {
        Some((id, field)) => (EntryId::new(id)?, field),
        None => (
            EntryId::new(&derived_key(
                abbr,
                &[&key_text_parts[0], &key_text_parts[1], &key_text_parts[2]],
            ))?,
            "",
        ),
    };
    let derived = explicit.is_none();
    let mut entry = Entry::new(id, draft.name);
    if let Some(label) = draft.type_label {
        match EntryType::parse(&label) {
            Some(t) => entry.entry_type = Some(t),
            None => {
                entry.extra.insert("type".into(), Value::String(label));
            }
        }
    }
    entry.aliases = draft.aliases;
    entry.addresses = draft.addresses;
    entry.countries = draft.countries;
    entry.programs = draft.programs;
    entry.citations = draft.citations;
    entry.reason = draft.reason;
    entry.license_requirement = draft.license_requirement;
    entry.license_policy = draft.license_policy;
    if let Some(start) = draft.start_date {
        match dates::iso(&start) {
            Some(date) => entry.listed_on = Some(date),
            None => {
                entry
                    .extra
                    .insert("start_date".into(), Value::String(start));
            }
        }
    }
    for (key, value) in draft.extra {
        entry.extra.entry(key).or_insert(value);
    }
    Ok(Row {
        place,
        derived,
        key_field,
        key_text: key_text_parts,
        entry,
    })
}

/// Settles the keys of one list's rows and returns the rows to keep, in file order.
///
/// - An explicit `_id` is the key; the same `_id` twice in one list is an error.
/// - Without one, the key is derived from source, name and first FR notice. Rows that share
///   that key all get a key that also covers their sorted addresses. Rows that still share it
///   and are identical after normalisation are kept once (with a warning); rows that still
///   share it but differ get a key that covers the whole normalised row (with a warning).
fn settle_keys(
    file: &str,
    group: Group,
    warnings: &mut Vec<String>,
) -> Result<Vec<Row>, FormatError> {
    let Group {
        list,
        abbreviation: abbr,
        mut rows,
        ..
    } = group;

    // Explicit ids.
    let mut seen: HashMap<&str, Place> = HashMap::new();
    for row in rows.iter().filter(|r| !r.derived) {
        if let Some(first) = seen.insert(row.entry.id.as_str(), row.place) {
            return Err(FormatError::new(
                file,
                row.place.location(),
                format!(
                    "duplicate {} {} in {list}: {} has it too; a snapshot lists each entry once, so the file is damaged (download it again)",
                    row.key_field,
                    super::quoted(row.entry.id.as_str()),
                    first.describe()
                ),
            ));
        }
    }

    // Derived keys: find rows that share their first-tier key.
    let collisions = colliding(
        rows.iter()
            .enumerate()
            .filter(|(_, r)| r.derived)
            .map(|(i, r)| (i, r.entry.id.clone())),
    );
    let mut dropped = vec![false; rows.len()];
    for members in collisions {
        // Second tier: add the sorted addresses.
        let mut second = Vec::with_capacity(members.len());
        for &i in &members {
            let Some(row) = rows.get_mut(i) else { continue };
            let addresses = address_key_text(&row.entry);
            let [s, n, c] = &row.key_text;
            let key = derived_key(&abbr, &[s, n, c, &addresses]);
            row.entry.id = EntryId::new(&key)
                .map_err(|e| FormatError::new(file, row.place.location(), e.to_string()))?;
            second.push((i, row.entry.id.clone()));
        }
        for members in colliding(second.into_iter()) {
            resolve_same_key(
                file,
                &list,
                &abbr,
                &mut rows,
                &members,
                &mut dropped,
                warnings,
            )?;
        }
    }
    Ok(rows
        .into_iter()
        .zip(dropped)
        .filter_map(|(row, dropped)| (!dropped).then_some(row))
        .collect())
}

/// Groups of two or more indices that share a key, in file order.
fn colliding(keys: impl Iterator<Item = (usize, EntryId)>) -> Vec<Vec<usize>> {
    let mut order: Vec<EntryId> = Vec::new();
    let mut by_key: HashMap<EntryId, Vec<usize>> = HashMap::new();
    for (index, key) in keys {
        let members = by_key.entry(key.clone()).or_default();
        if members.is_empty() {
            order.push(key);
        }
        members.push(index);
    }
    order
        .into_iter()
        .filter_map(|key| by_key.remove(&key))
        .filter(|members| members.len() > 1)
        .collect()
}

/// Rows that share name, first FR notice and addresses: merge identical ones, tell the others
/// apart by a hash of the whole normalised row.
fn resolve_same_key(
    file: &str,
    list: &ListId,
    abbr: &str,
    rows: &mut [Row],
    members: &[usize],
    dropped: &mut [bool],
    warnings: &mut Vec<String>,
) -> Result<(), FormatError> {
    // Distinct normalised contents, each with the rows that have it.
    let mut distinct: Vec<(Entry, Vec<usize>)> = Vec::new();
    for &i in members {
        let Some(row) = rows.get(i) else { continue };
        let normal = row
            .entry
            .clone()
            .normalize()
            .map_err(|e| FormatError::new(file, row.place.location(), e.to_string()))?;
        match distinct.iter_mut().find(|(entry, _)| *entry == normal) {
            Some((_, same)) => same.push(i),
            None => distinct.push((normal, vec![i])),
        }
    }
    let describe = |indices: &[usize]| -> String {
        indices
            .iter()
            .filter_map(|&i| rows.get(i))
            .map(|r| r.place.describe())
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (_, same) in &distinct {
        if let [_, duplicates @ ..] = same.as_slice()
            && !duplicates.is_empty()
        {
            warnings.push(format!(
                "{file}: {list}: {} are the same record (same name, FR notice, addresses and every other field); kept it once",
                describe(same)
            ));
            for &d in duplicates {
                if let Some(flag) = dropped.get_mut(d) {
                    *flag = true;
                }
            }
        }
    }
    if distinct.len() < 2 {
        return Ok(());
    }
    let kept: Vec<usize> = distinct
        .iter()
        .filter_map(|(_, same)| same.first().copied())
        .collect();
    let kept = describe(&kept);
    for (normal, same) in &distinct {
        let Some(row) = same.first().and_then(|&i| rows.get_mut(i)) else {
            continue;
        };
        let addresses = address_key_text(&row.entry);
        let whole = String::from_utf8_lossy(&normal.canonical_json()).into_owned();
        let [s, n, c] = &row.key_text;
        let key = derived_key(abbr, &[s, n, c, &addresses, &whole]);
        row.entry.id = EntryId::new(&key)
            .map_err(|e| FormatError::new(file, row.place.location(), e.to_string()))?;
    }
    warnings.push(format!(
        "{file}: {list}: {} have the same name, first FR notice and addresses but differ in other fields; their keys cover the whole record, so any change to one will show as a removal and an addition",
        kept
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const HEADER_NEW: &str = "_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,ids";
    const HEADER_OLD: &str = "source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,ids";
    const EL: &str = "Entity List (EL) - Bureau of Industry and Security";

    fn csv(text: &str) -> Result<(Vec<ParsedPublication>, Vec<String>), FormatError> {
        parse_csv(&Input::single("c.csv", text.as_bytes().to_vec()))
    }

    fn json_input(text: &str) -> Result<(Vec<ParsedPublication>, Vec<String>), FormatError> {
        parse_json(&Input::single("c.json", text.as_bytes().to_vec()))
    }

    fn entries(p: &ParsedPublication) -> &[Entry] {
        match &p.content {
            PublicationContent::Snapshot(entries) => entries,
            PublicationContent::Amendment(_) => panic!("expected a snapshot"),
        }
    }

    /// An old-layout row (28 columns) with the given name, addresses, citation and remarks.
    fn old_row(source: &str, name: &str, addresses: &str, citation: &str, remarks: &str) -> String {
        let mut fields = vec![String::new(); 28];
        fields[0] = source.into();
        fields[4] = name.into();
        fields[6] = addresses.into();
        fields[7] = citation.into();
        fields[19] = remarks.into();
        fields
            .iter()
            .map(|f| format!("\"{f}\""))
            .collect::<Vec<_>>()
            .join(",")
    }

    #[test]
    fn list_ids_come_from_the_abbreviation() {
        let cases = [
            (EL, "el"),
            (
                "Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department",
                "ns-mbs",
            ),
            ("ITAR Debarred (DTC) - State Department", "dtc"),
            (
                "Military End User (MEU) List - Bureau of Industry and Security",
                "meu",
            ),
            ("Capta List (CAP) - Treasury Department", "cap"),
            (
                "Some New List - Department of Examples",
                "some-new-list-department-of-examples",
            ),
            ("Odd ( ) Label List", "odd-label"),
        ];
        for (label, abbr) in cases {
            assert_eq!(abbreviation(label), abbr, "{label}");
            assert!(ListId::new(&format!("us-csl-{abbr}")).is_ok());
        }
        assert!(abbreviation(&"x".repeat(300)).len() <= 93);
    }

    #[test]
    fn reads_the_current_layout_by_column_name() {
        let text = format!(
            "{HEADER_NEW}\n\"abc123\",\"{EL}\",\"\",\"Entity\",\"P1; P2\",\"Acme  Corp\",\"\",\"1 Main St, Beijing, 100000, cn; Road 2, Moscow, RU; somewhere without code\",\"85 FR 1; 86 FR 2\",\"2020-12-23\",\"\",\"\",\"For all items subject to the EAR.\",\"Presumption of denial.\",\"\",\"\",\"\",\"\",\"\",\"\",\"note\",\"https://x\",\"ACME; A.C.M.E.\",\"\",\"1990; 1991\",\"\",\"\",\"https://y\",\"Passport, 1, KP; Gender, Male\"\n"
        );
        let (pubs, warnings) = csv(&text).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(pubs.len(), 1);
        assert_eq!(pubs[0].list.as_str(), "us-csl-el");
        assert_eq!(pubs[0].stated_date, None);
        assert_eq!(pubs[0].source, None);
        let e = &entries(&pubs[0])[0];
        assert_eq!(e.id.as_str(), "abc123");
        assert_eq!(e.name, "Acme Corp");
        assert_eq!(e.entry_type, Some(EntryType::Entity));
        assert_eq!(e.programs, vec!["P1", "P2"]);
        assert_eq!(e.aliases, vec!["A.C.M.E.", "ACME"]);
        assert_eq!(e.addresses.len(), 3);
        assert!(
            e.addresses
                .contains(&"1 Main St, Beijing, 100000, cn".to_string())
        );
        assert_eq!(e.countries, vec!["CN", "RU"]);
        assert_eq!(e.citations, vec!["85 FR 1", "86 FR 2"]);
        assert_eq!(e.listed_on, Some("2020-12-23".parse().unwrap()));
        assert_eq!(e.reason.as_deref(), Some("note"));
        assert_eq!(
            e.license_requirement.as_deref(),
            Some("For all items subject to the EAR.")
        );
        assert_eq!(e.license_policy.as_deref(), Some("Presumption of denial."));
        assert_eq!(e.extra.get("source_list_url"), Some(&json!("https://x")));
        assert_eq!(
            e.extra.get("dates_of_birth"),
            Some(&json!(["1990", "1991"]))
        );
        assert_eq!(
            e.extra.get("ids"),
            Some(&json!(["Passport, 1, KP", "Gender, Male"]))
        );
        assert!(!e.extra.contains_key("source") && !e.extra.contains_key("_id"));
        assert!(!e.extra.contains_key("title"), "empty columns are absent");
    }

    #[test]
    fn unparsed_type_and_date_and_unknown_columns_go_to_extra() {
        let text = format!(
            "source,name,type,start_date,new_column\n\"{EL}\",\"A\",\"Ship\",\"May 2020\",\"v\"\n"
        );
        let (pubs, _) = csv(&text).unwrap();
        let e = &entries(&pubs[0])[0];
        assert_eq!(e.entry_type, None);
        assert_eq!(e.extra.get("type"), Some(&json!("Ship")));
        assert_eq!(e.listed_on, None);
        assert_eq!(e.extra.get("start_date"), Some(&json!("May 2020")));
        assert_eq!(e.extra.get("new_column"), Some(&json!("v")));
    }

    #[test]
    fn reads_the_old_layout_with_derived_keys() {
        let text = format!(
            "{HEADER_OLD}\n{}\n{}\n{}\n",
            old_row(EL, "Acme", "1 Main St, Beijing, CN", "75 FR 1; 76 FR 2", ""),
            old_row(EL, "Other", "", "", ""),
            old_row(
                "ITAR Debarred (DTC) - State Department",
                "Acme",
                "",
                "75 FR 1",
                ""
            ),
        );
        let (pubs, warnings) = csv(&text).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let lists: Vec<&str> = pubs.iter().map(|p| p.list.as_str()).collect();
        assert_eq!(lists, ["us-csl-dtc", "us-csl-el"], "ordered by list id");
        let el = entries(&pubs[1]);
        let expected = derived_key("el", &[&key_text(EL), "acme", "75 fr 1"]);
        assert_eq!(el[0].id.as_str(), expected);
        assert!(expected.starts_with("el-") && expected.len() == 3 + 16);
        // Whitespace and case in the name do not change the key.
        let again = csv(&format!(
            "{HEADER_OLD}\n{}\n",
            old_row(EL, "  ACME ", "elsewhere", " 75  FR 1", "changed")
        ))
        .unwrap();
        assert_eq!(entries(&again.0[0])[0].id.as_str(), expected);
        assert!(entries(&pubs[0])[0].id.as_str().starts_with("dtc-"));

        // OFAC-derived rows have entity_number, which later files use as _id: it is the key.
        let sdn = "Specially Designated Nationals (SDN) - Treasury Department";
        let text =
            format!("source,entity_number,name\n\"{sdn}\",\"20264\",\"A\"\n\"{sdn}\",\"\",\"B\"\n");
        let (pubs, _) = csv(&text).unwrap();
        let ids: Vec<&str> = entries(&pubs[0]).iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids[0], "20264");
        assert!(ids[1].starts_with("sdn-"));
        assert_eq!(
            entries(&pubs[0])[0].extra.get("entity_number"),
            Some(&json!("20264"))
        );
        let text = format!(
            "source,entity_number,name\n\"{sdn}\",\"20264\",\"A\"\n\"{sdn}\",\"20264\",\"B\"\n"
        );
        let e = csv(&text).unwrap_err();
        assert!(
            e.message.contains("duplicate entity_number \"20264\""),
            "{}",
            e.message
        );
    }

    #[test]
    fn colliding_derived_keys_cover_addresses_then_merge_or_hash_the_whole_row() {
        let a = old_row(EL, "Gunther", "Street 1, Oslo, NO", "75 FR 1", "");
        let b = old_row(EL, "Gunther", "Street 2, Oslo, NO", "75 FR 1", "");
        let single = derived_key("el", &[&key_text(EL), "gunther", "75 fr 1"]);

        // Different addresses: both rows keep their own key, neither the first-tier one.
        let (pubs, warnings) = csv(&format!("{HEADER_OLD}\n{a}\n{b}\n")).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let ids: Vec<&str> = entries(&pubs[0]).iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids.len(), 2);
        assert_ne!(ids[0], ids[1]);
        assert!(!ids.contains(&single.as_str()));

        // Identical rows: kept once, with a warning.
        let (pubs, warnings) = csv(&format!("{HEADER_OLD}\n{a}\n{b}\n{a}\n")).unwrap();
        assert_eq!(entries(&pubs[0]).len(), 2);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("line 2, line 4"), "{}", warnings[0]);

        // Same name, notice and addresses but other differences: whole-row keys, with a warning.
        let c = old_row(
            EL,
            "Gunther",
            "Street 1, Oslo, NO",
            "75 FR 1",
            "different remark",
        );
        let (pubs, warnings) = csv(&format!("{HEADER_OLD}\n{a}\n{b}\n{c}\n")).unwrap();
        let ids: Vec<&str> = entries(&pubs[0]).iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids.len(), 3);
        assert!(ids[0] != ids[2] && ids[0] != ids[1] && ids[1] != ids[2]);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("line 2, line 4") && warnings[0].contains("differ"),
            "{}",
            warnings[0]
        );
    }

    #[test]
    fn a_repeated_header_row_is_skipped_with_one_warning() {
        let text = format!(
            "{HEADER_NEW}\n{HEADER_NEW}\n\"1\",\"{EL}\",{}\n",
            vec!["\"x\""; 27].join(",")
        );
        let (pubs, warnings) = csv(&text).unwrap();
        assert_eq!(entries(&pubs[0]).len(), 1);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("line 2"), "{}", warnings[0]);
    }

    #[test]
    fn duplicate_ids_are_errors_within_a_list_only() {
        let sdn = "Specially Designated Nationals (SDN) - Treasury Department";
        let ssi = "Sectoral Sanctions Identifications List (SSI) - Treasury Department";
        let ok = format!("_id,source,name\n\"7\",\"{sdn}\",\"A\"\n\"7\",\"{ssi}\",\"A\"\n");
        let (pubs, _) = csv(&ok).unwrap();
        assert_eq!(pubs.len(), 2);

        let bad = format!(
            "_id,source,name\n\"7\",\"{sdn}\",\"A\"\n\"8\",\"{sdn}\",\"B\"\n\"7\",\"{sdn}\",\"C\"\n"
        );
        let e = csv(&bad).unwrap_err();
        assert_eq!(
            e.location,
            Location::Record {
                number: 3,
                line: Some(4)
            }
        );
        assert!(
            e.message.contains("duplicate _id \"7\"") && e.message.contains("line 2"),
            "{}",
            e.message
        );
    }

    #[test]
    fn keyed_rows_slice_the_file_exactly() {
        let text = format!(
            "_id,source,name\n\"1\",\"{EL}\",\"A\"\n\"2\",\"{EL}\",\"B, with\nnewline\"\n\"3\",\"{EL}\",\"C\"\n"
        );
        let keyed = keyed_rows(text.as_bytes()).unwrap();
        assert_eq!(keyed.header, b"_id,source,name\n");
        let mut rows: Vec<&[u8]> = keyed.rows.values().copied().collect();
        rows.sort();
        let rebuilt: Vec<u8> = keyed
            .header
            .iter()
            .chain(rows.concat().iter())
            .copied()
            .collect();
        assert_eq!(rebuilt.len(), text.len());
        assert_eq!(
            keyed.rows[&(EL.as_bytes().to_vec(), b"2".to_vec())],
            format!("\"2\",\"{EL}\",\"B, with\nnewline\"\n").as_bytes()
        );
        // No shortcut without _id, with a repeated key, or a file cut short.
        assert!(keyed_rows(b"source,name\n\"x\",\"A\"\n").is_none());
        assert!(
            keyed_rows(
                format!("_id,source,name\n\"1\",\"{EL}\",\"A\"\n\"1\",\"{EL}\",\"B\"\n").as_bytes()
            )
            .is_none()
        );
        assert!(keyed_rows(format!("_id,source,name\n\"1\",\"{EL}\",\"A").as_bytes()).is_none());
    }

    #[test]
    fn malformed_files_are_errors_with_their_line() {
        let e = csv(&format!("{HEADER_NEW}\n\"1\",\"{EL}\",\"x\"\n")).unwrap_err();
        assert_eq!(e.location, Location::Line(2));
        assert!(
            e.message.contains("expected 29 fields") && e.message.contains("found 3"),
            "{}",
            e.message
        );

        // A file cut inside the last record's quoted field keeps that record, with a warning.
        let (pubs, warnings) = csv(&format!(
            "_id,source,name,remarks\n\"1\",\"{EL}\",\"A\",\"\"\n\"2\",\"{EL}\",\"B is cut"
        ))
        .unwrap();
        assert_eq!(pubs[0].content.len(), 2);
        assert!(
            warnings
                .iter()
                .any(|w| w.contains(":3:") && w.contains("cut short")),
            "{warnings:?}"
        );
        // A short row that is not cut inside a quote is an error.
        let e = csv(&format!(
            "_id,source,name,remarks\n\"1\",\"{EL}\",\"A\",\"\"\n\"2\",\"{EL}\"\n"
        ))
        .unwrap_err();
        assert_eq!(e.location, Location::Line(3));

        let e = csv(&format!("{HEADER_NEW}\n")).unwrap_err();
        assert_eq!(e.location, Location::File);
        assert!(e.message.starts_with("no records"), "{}", e.message);

        let e = csv("").unwrap_err();
        assert!(e.message.contains("empty"), "{}", e.message);

        let e = csv("a,b,c\n1,2,3\n").unwrap_err();
        assert!(e.message.contains("no \"source\" column"), "{}", e.message);

        let e = csv("_id,source,name\n\"1\",\"\",\"A\"\n").unwrap_err();
        assert_eq!(
            e.location,
            Location::Record {
                number: 1,
                line: Some(2)
            }
        );
        assert!(e.message.contains("no source"), "{}", e.message);

        let e = csv(&format!(
            "_id,source,name\n\"1\",\"{EL}\",\"A\"\n\"2\",\"{EL}\",\" \"\n"
        ))
        .unwrap_err();
        assert_eq!(
            e.location,
            Location::Record {
                number: 2,
                line: Some(3)
            }
        );
        assert!(e.message.contains("empty name"), "{}", e.message);
    }

    #[test]
    fn a_bom_and_crlf_are_accepted() {
        let text = format!("\u{FEFF}_id,source,name\r\n\"1\",\"{EL}\",\"A\"\r\n");
        let (pubs, _) = csv(&text).unwrap();
        assert_eq!(entries(&pubs[0])[0].id.as_str(), "1");
    }

    #[test]
    fn reads_json_like_the_csv() {
        let text = format!(
            r#"{{"total": 1, "results": [
              {{"id": "abc", "source": "{EL}", "entity_number": null, "type": "entity", "programs": [],
                "name": "Acme Corp", "alt_names": ["ACME", ""], "title": "",
                "addresses": [{{"address": "1 Main St", "city": "Beijing", "state": null, "postal_code": "100000", "country": "cn"}}],
                "federal_register_notice": "85 FR 1; 86 FR 2", "start_date": "2020-12-23", "end_date": null,
                "license_requirement": "For all items.", "license_policy": "Denial.", "remarks": null,
                "gross_tonnage": 1234, "ids": [{{"type": "Passport", "number": "1", "country": "KP", "issue_date": null}}],
                "dates_of_birth": ["1990"]}},
              {{"source": "{EL}", "name": "No Id", "federal_register_notice": ["75 FR 1", "76 FR 2"]}}
            ]}}"#
        );
        let (pubs, warnings) = json_input(&text).unwrap();
        assert!(warnings.is_empty());
        assert_eq!(pubs.len(), 1);
        let es = entries(&pubs[0]);
        let e = &es[0];
        assert_eq!(e.id.as_str(), "abc");
        assert_eq!(e.entry_type, Some(EntryType::Entity));
        assert_eq!(e.aliases, vec!["ACME"]);
        assert_eq!(e.addresses, vec!["1 Main St, Beijing, 100000, cn"]);
        assert_eq!(e.countries, vec!["CN"]);
        assert_eq!(e.citations, vec!["85 FR 1", "86 FR 2"]);
        assert_eq!(e.extra.get("gross_tonnage"), Some(&json!("1234")));
        assert_eq!(
            e.extra.get("ids"),
            Some(&json!([{"type": "Passport", "number": "1", "country": "KP"}]))
        );
        assert_eq!(e.extra.get("dates_of_birth"), Some(&json!(["1990"])));
        assert!(!e.extra.contains_key("title") && !e.extra.contains_key("entity_number"));
        assert!(!e.extra.contains_key("id") && !e.extra.contains_key("source"));
        assert_eq!(
            es[1].id.as_str(),
            derived_key("el", &[&key_text(EL), "no id", "75 fr 1"])
        );

        // The same record as CSV gives the same entry.
        let row = format!(
            "_id,source,type,name,addresses,federal_register_notice,start_date,license_requirement,license_policy,alt_names,gross_tonnage,dates_of_birth\n\"abc\",\"{EL}\",\"Entity\",\"Acme Corp\",\"1 Main St, Beijing, 100000, cn\",\"85 FR 1; 86 FR 2\",\"2020-12-23\",\"For all items.\",\"Denial.\",\"ACME\",\"1234\",\"1990\"\n"
        );
        let (from_csv, _) = csv(&row).unwrap();
        let mut from_json = e.clone();
        from_json.extra.remove("ids");
        assert_eq!(entries(&from_csv[0])[0], from_json);
    }

    #[test]
    fn json_errors_say_where() {
        let e = json_input("{\"results\": [\n {\"id\": 1,}\n]}").unwrap_err();
        assert!(
            matches!(e.location, Location::LineColumn(2, _)),
            "{:?}",
            e.location
        );
        let e = json_input("{\"results\": [{\"id\": \"1\"").unwrap_err();
        assert!(e.message.contains("truncated"), "{}", e.message);
        let e = json_input("{\"other\": []}").unwrap_err();
        assert!(e.message.contains("results"), "{}", e.message);
        let e = json_input("{\"results\": []}").unwrap_err();
        assert!(e.message.starts_with("no records"), "{}", e.message);
        let e = json_input(&format!(
            "{{\"results\": [{{\"id\": \"1\", \"source\": \"{EL}\"}}]}}"
        ))
        .unwrap_err();
        assert_eq!(
            e.location,
            Location::Record {
                number: 1,
                line: None
            }
        );
    }

    fn real(path: &str) -> Input {
        let name = crate::formats::real_data(&format!("trade-csl/{path}"))
            .to_string_lossy()
            .into_owned();
        let bytes = std::fs::read(&name).unwrap();
        Input::single(name, bytes)
    }

    #[test]
    fn real_2023_file_gives_13_lists_and_keeps_its_cut_last_record() {
        if !crate::formats::real_data_present() {
            return;
        }
        let input = real("2023-11-30/consolidated.csv");
        // The extract ends inside its last record (_id 11476, its addresses field cut off).
        let (pubs, warnings) = parse_csv(&input).unwrap();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].contains(":4233:") && warnings[0].contains("cut short"),
            "{}",
            warnings[0]
        );
        assert!(warnings[1].contains("line 2"), "{}", warnings[1]);
        let counts: Vec<(&str, usize)> = pubs
            .iter()
            .map(|p| (p.list.as_str(), p.content.len()))
            .collect();
        assert_eq!(
            counts,
            [
                ("us-csl-cap", 1),
                ("us-csl-cmic", 68),
                ("us-csl-dpl", 577),
                ("us-csl-dtc", 142),
                ("us-csl-el", 919),
                ("us-csl-fse", 1),
                ("us-csl-isn", 144),
                ("us-csl-meu", 71),
                ("us-csl-ns-mbs", 14),
                ("us-csl-plc", 78),
                ("us-csl-sdn", 1738),
                ("us-csl-ssi", 288),
                ("us-csl-uvl", 186),
            ]
        );
        let sdn = pubs
            .iter()
            .find(|p| p.list.as_str() == "us-csl-sdn")
            .unwrap();
        assert!(
            entries(sdn)
                .iter()
                .all(|e| e.id.as_str().bytes().all(|b| b.is_ascii_digit()))
        );
        let ssi = pubs
            .iter()
            .find(|p| p.list.as_str() == "us-csl-ssi")
            .unwrap();
        let vtb = entries(ssi)
            .iter()
            .find(|e| e.id.as_str() == "17013")
            .unwrap();
        assert_eq!(vtb.name, "VTB BANK PUBLIC JOINT STOCK COMPANY");
        assert_eq!(vtb.programs, vec!["RUSSIA-EO14024", "UKRAINE-EO13662"]);
        assert_eq!(vtb.countries, vec!["RU"]);
    }

    #[test]
    fn real_2019_file_without_ids() {
        if !crate::formats::real_data_present() {
            return;
        }
        let (pubs, warnings) = parse_csv(&real("2019-12-03/consolidated.csv")).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let counts: Vec<(&str, usize)> = pubs
            .iter()
            .map(|p| (p.list.as_str(), p.content.len()))
            .collect();
        assert_eq!(
            counts,
            [
                ("us-csl-cap", 1),
                ("us-csl-dpl", 8),
                ("us-csl-dtc", 10),
                ("us-csl-el", 22),
                ("us-csl-isn", 3),
                ("us-csl-plc", 13),
                ("us-csl-sdn", 28),
                ("us-csl-ssi", 26),
                ("us-csl-uvl", 4),
            ]
        );
        let sdn = pubs
            .iter()
            .find(|p| p.list.as_str() == "us-csl-sdn")
            .unwrap();
        assert!(
            entries(sdn)
                .iter()
                .all(|e| e.id.as_str().bytes().all(|b| b.is_ascii_digit())),
            "OFAC-derived rows are keyed by entity_number"
        );
        assert!(entries(sdn).iter().any(|e| e.id.as_str() == "20264"));
        let el = pubs
            .iter()
            .find(|p| p.list.as_str() == "us-csl-el")
            .unwrap();
        let gunther: Vec<&Entry> = entries(el)
            .iter()
            .filter(|e| e.name == "Gunther Migeotte")
            .collect();
        // Five rows; four share the name and first FR notice (75 FR 36516) and differ only in
        // their (Norwegian) address: each keeps its own key.
        assert_eq!(gunther.len(), 5);
        let mut ids: Vec<&str> = gunther.iter().map(|e| e.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 5);
        assert!(gunther.iter().all(|e| e.id.as_str().starts_with("el-")));
        let same_notice: Vec<&&Entry> = gunther
            .iter()
            .filter(|e| e.citations == ["75 FR 36516"])
            .collect();
        assert_eq!(same_notice.len(), 4);
        assert!(same_notice.iter().all(|e| e.countries == ["NO"]));
        let first_tier = derived_key("el", &[&key_text(EL), "gunther migeotte", "75 fr 36516"]);
        assert!(same_notice.iter().all(|e| e.id.as_str() != first_tier));
    }
}
