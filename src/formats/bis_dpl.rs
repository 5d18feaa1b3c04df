//! BIS Denied Persons List tab-separated export (`dpl.txt`).
//!
//! The file is tab-separated with every field in double quotes and a header row:
//! `Name, Street_Address, City, State, Country, Postal_Code, Effective_Date, Expiration_Date,
//! Standard_Order, Last_Update, Action, FR_Citation`. One row is one denial order at one
//! address: the same person appears on several rows when the order names several addresses,
//! and each row is its own entry (the addresses are part of the key).
//!
//! Quirks handled:
//! - **No id column.** The key is derived from the normalised name and address (see
//!   [`derive_key`]): `<name slug>-<12 hex digits>`, stable as long as the name and address are
//!   unchanged (the dates, action and citations may change without changing the key).
//! - **Repeated rows.** Real files repeat 2–3 rows exactly. A row identical to an earlier one
//!   (every field) is kept once, with a warning naming both lines. Two rows with the same name
//!   and address that differ elsewhere both become entries: the later ones get the key suffixed
//!   `-2`, `-3`, … in file order, with a warning.
//! - **Dates.** `Effective_Date` and `Expiration_Date` are `MM/DD/YYYY`; `Last_Update` is
//!   `YYYY-MM-DD` with real typos (`3017-08-22`, `0222-05-18`). All are kept as written in
//!   `extra`; only `Effective_Date` is parsed (into `listed_on`), and a value that does not parse
//!   leaves `listed_on` empty with a warning instead of failing the file.
//! - **No publication date.** The file states none (the largest `Last_Update` is only a hint, and
//!   typos make it unreliable): `stated_date` is `None`, so the date comes from the command line.
//! - `FR_Citation` holds several Federal Register notices in one field, separated by spaces or
//!   commas (`68 F.R. 38290 6/27/03 71 F.R. 38843 7/10/06`): it is split at each `<volume> F.R.`
//!   into one citation each ([`split_citations`]).

use std::collections::HashMap;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::read::csv::CsvReader;
use super::read::decode::Syntax;
use super::read::text::whole_text;
use super::registry::{Capabilities, FormatDescriptor, Recognised, Recogniser, Shape};
use super::{FormatError, Input, Location, ParseResult, ParsedPublication, dates, record_error};
use crate::model::{Entry, EntryId, ListId, PublicationContent};

/// The `bis-dpl` format.
pub(crate) static BIS_DPL: FormatDescriptor = FormatDescriptor {
    name: "bis-dpl",
    description: "BIS Denied Persons List tab-separated export (dpl.txt)",
    list_ids: "us-bis-dpl",
    key: "derived: <name slug>-<first 12 hex of SHA-256 of the normalised Name|Street_Address|City|State|Country|Postal_Code> (-2, -3… for repeated keys)",
    reason_fields: "Action → reason, FR_Citation → citations (one per notice)",
    // 2: text that is not UTF-8 used to be decoded field by field; it is now read as UTF-8 up
    // to the file's first byte that is not, Windows-1252 from there, so a file mixing the two
    // reads differently (see `read::decode`).
    parser_version: 2,
    recogniser: Some(Recogniser {
        shape: Shape::Delimited,
        order: 1,
        test: recognise,
    }),
    parse,
    capabilities: Capabilities::NONE,
};

/// The list every DPL file belongs to.
const LIST_ID: &str = "us-bis-dpl";

/// The columns that make the key, in this order.
const KEY_COLUMNS: [&str; 6] = [
    "Name",
    "Street_Address",
    "City",
    "State",
    "Country",
    "Postal_Code",
];

/// The columns the header must name.
const REQUIRED: [&str; 3] = ["Name", "Street_Address", "FR_Citation"];

/// One data row, read.
struct Row {
    /// 1-based line where the row starts.
    line: u64,
    /// The fields, trimmed, by header position.
    fields: Vec<String>,
}

/// Reads one input.
pub(super) fn parse(input: &Input) -> ParseResult {
    let file = input.primary.name.as_str();
    let decoded = whole_text(&input.primary, Syntax::Text)?;
    let mut reader = CsvReader::new(file, decoded.text.as_bytes(), b'\t');
    let Some(first) = reader.next_row()? else {
        return Err(FormatError::new(
            file,
            Location::File,
            "the file is empty: a Denied Persons List file starts with a header row (Name, Street_Address, …, FR_Citation); download it again",
        ));
    };
    let (header_line, header) = (first.line(), first.trimmed());
    let column = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    for required in REQUIRED {
        if column(required).is_none() {
            return Err(FormatError::new(
                file,
                Location::Line(header_line),
                format!(
                    "not a Denied Persons List header: no {required:?} column (expected tab-separated Name, Street_Address, City, State, Country, Postal_Code, Effective_Date, Expiration_Date, Standard_Order, Last_Update, Action, FR_Citation)"
                ),
            ));
        }
    }

    let mut rows = Vec::new();
    while let Some(row) = reader.next_row()? {
        let line = row.line();
        if row.len() == 1 && row.get(0).is_some_and(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        if row.len() != header.len() {
            return Err(FormatError::new(
                file,
                Location::Line(line),
                format!(
                    "expected {} tab-separated fields as in the header (line {header_line}), found {}: the row is damaged",
                    header.len(),
                    row.len()
                ),
            ));
        }
        rows.push(Row {
            line,
            fields: row.trimmed(),
        });
    }

    let mut warnings: Vec<String> = decoded.note.map(|n| n.warning(file)).into_iter().collect();
    let key_columns: Vec<Option<usize>> = KEY_COLUMNS.iter().map(|c| column(c)).collect();
    // Key → (index of the first row with it, how many rows had it so far).
    let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
    let mut entries: Vec<Entry> = Vec::with_capacity(rows.len());
    let mut entry_lines: Vec<u64> = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let key_text: Vec<String> = key_columns
            .iter()
            .map(|c| {
                c.and_then(|i| row.fields.get(i))
                    .map(|v| normalise_key_part(v))
                    .unwrap_or_default()
            })
            .collect();
        let base = derive_key(&key_text);
        let (count, first) = match seen.get_mut(&base) {
            None => {
                seen.insert(base.clone(), (index, 1));
                (1, None)
            }
            Some((first, count)) => {
                *count += 1;
                (*count, rows.get(*first))
            }
        };
        if let Some(first) = first {
            let first_line = first.line;
            if first.fields == row.fields {
                warnings.push(format!(
                    "{file}:{}: the row repeats line {first_line} exactly (same name, address and every other field); it was kept once as {base}",
                    row.line
                ));
                continue;
            }
            let key = format!("{base}-{count}");
            warnings.push(format!(
                "{file}:{}: the row has the same name and address as line {first_line} but differs in other fields; both are kept, this one as {key}",
                row.line
            ));
            let entry = build_entry(file, &header, row, &key, &mut warnings)?;
            entries.push(entry);
            entry_lines.push(row.line);
            continue;
        }
        let entry = build_entry(file, &header, row, &base, &mut warnings)?;
        entries.push(entry);
        entry_lines.push(row.line);
    }

    let list =
        ListId::new(LIST_ID).map_err(|e| FormatError::new(file, Location::File, e.to_string()))?;
    let content = PublicationContent::Snapshot(entries)
        .normalize()
        .map_err(|e| record_error(file, e, |i| entry_lines.get(i).copied()))?;
    Ok((
        vec![ParsedPublication {
            list,
            stated_date: None,
            stated_date_text: None,
            source: None,
            content,
            columns: None,
        }],
        warnings,
    ))
}

/// Builds the entry of one row under key `key`.
fn build_entry(
    file: &str,
    header: &[String],
    row: &Row,
    key: &str,
    warnings: &mut Vec<String>,
) -> Result<Entry, FormatError> {
    let location = Location::Line(row.line);
    let id =
        EntryId::new(key).map_err(|e| FormatError::new(file, location.clone(), e.to_string()))?;
    let get = |name: &str| -> &str {
        header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
            .and_then(|i| row.fields.get(i))
            .map_or("", String::as_str)
    };
    let name = get("Name");
    if name.is_empty() {
        return Err(FormatError::new(
            file,
            location,
            "the row has no Name: every Denied Persons List row names the denied person or company",
        ));
    }
    let mut entry = Entry::new(id, name);
    let address: Vec<&str> = ["Street_Address", "City", "State", "Postal_Code", "Country"]
        .iter()
        .map(|c| get(c))
        .filter(|v| !v.is_empty())
        .collect();
    if !address.is_empty() {
        entry.addresses.push(address.join(", "));
    }
    let country = get("Country");
    if !country.is_empty() {
        entry.countries.push(country.to_string());
    }
    let action = get("Action");
    if !action.is_empty() {
        entry.reason = Some(action.to_string());
    }
    entry.citations = split_citations(get("FR_Citation"));
    let effective = get("Effective_Date");
    if !effective.is_empty() {
        entry.listed_on = dates::month_day_year(effective);
        if entry.listed_on.is_none() {
            warnings.push(format!(
                "{file}:{}: Effective_Date {} is not a MM/DD/YYYY date; kept as text only",
                row.line,
                super::quoted(effective)
            ));
        }
    }
    let mapped = [
        "Name",
        "Street_Address",
        "City",
        "State",
        "Country",
        "Postal_Code",
        "Action",
        "FR_Citation",
    ];
    for (column, value) in header.iter().zip(&row.fields) {
        if value.is_empty() || mapped.iter().any(|m| m.eq_ignore_ascii_case(column)) {
            continue;
        }
        entry
            .extra
            .insert(column.to_ascii_lowercase(), Value::String(value.clone()));
    }
    Ok(entry)
}

/// Upper-cases a key part and collapses its white space.
fn normalise_key_part(value: &str) -> String {
    value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

/// The derived key of a row from its normalised key columns (Name, Street_Address, City,
/// State, Country, Postal_Code: each trimmed, white space collapsed, upper-cased): a slug of the
/// name (lower-case ASCII letters and digits, other runs turned into `-`, at most 48
/// characters) then `-` and the first 12 hex digits of the SHA-256 of the six parts joined with
/// `|`. For example `aaron-abraham-villa-1f0c…`.
fn derive_key(parts: &[String]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(parts.join("|").as_bytes());
    let digest = hex::encode(hasher.finalize());
    let name = parts.first().map_or("", String::as_str);
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let mut slug: String = slug.chars().take(48).collect();
    while slug.ends_with('-') {
        slug.pop();
    }
    let hash = digest.get(..12).unwrap_or(&digest);
    if slug.is_empty() {
        format!("dpl-{hash}")
    } else {
        format!("{slug}-{hash}")
    }
}

/// Splits an `FR_Citation` field into its notices: a new notice starts at each
/// `<digits> F.R.` (or `FR`) at the start of the field or after a space or comma. Separators
/// (commas, semicolons) at a notice's end are dropped. A field with no such pattern is one
/// citation.
fn split_citations(field: &str) -> Vec<String> {
    let bytes = field.as_bytes();
    let mut starts = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let at_boundary = i == 0 || matches!(bytes.get(i - 1), Some(b' ' | b',' | b';' | b'\t'));
        if at_boundary && bytes.get(i).is_some_and(u8::is_ascii_digit) {
            let mut j = i;
            while bytes.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            let mut k = j;
            while bytes.get(k) == Some(&b' ') {
                k += 1;
            }
            let rest = bytes.get(k..).unwrap_or_default();
            if k > j && (rest.starts_with(b"F.R.") || rest.starts_with(b"FR ")) {
                starts.push(i);
            }
            i = j;
            continue;
        }
        i += 1;
    }
    if starts.is_empty() {
        let whole = field.trim();
        return if whole.is_empty() {
            Vec::new()
        } else {
            vec![whole.to_string()]
        };
    }
    let mut out = Vec::new();
    if let Some(&first) = starts.first() {
        let lead = field.get(..first).unwrap_or_default();
        let lead = lead.trim().trim_end_matches([',', ';']).trim();
        if !lead.is_empty() {
            out.push(lead.to_string());
        }
    }
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(field.len());
        let piece = field.get(start..end).unwrap_or_default();
        let piece = piece.trim().trim_end_matches([',', ';']).trim();
        if !piece.is_empty() {
            out.push(piece.to_string());
        }
    }
    out
}

/// Recognises the format from the start of a file (`head`: at most its first 64 KiB, with any
/// byte-order mark and leading white space removed): a tab-separated first line naming `Name`,
/// `Street_Address` and `FR_Citation`.
fn recognise(head: &[u8]) -> Option<Recognised> {
    let first = head.split(|&b| b == b'\n').next()?;
    if !first.contains(&b'\t') {
        return None;
    }
    let fields: Vec<String> = first
        .split(|&b| b == b'\t')
        .map(|f| {
            String::from_utf8_lossy(f)
                .trim()
                .trim_matches('"')
                .trim()
                .to_ascii_lowercase()
        })
        .collect();
    let has = |name: &str| fields.iter().any(|f| f == name);
    (has("name") && has("street_address") && has("fr_citation")).then_some(Recognised::This)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::formats::detect;
    use crate::formats::{Detection, Format};

    const HEADER: &str = "\"Name\"\t\"Street_Address\"\t\"City\"\t\"State\"\t\"Country\"\t\"Postal_Code\"\t\"Effective_Date\"\t\"Expiration_Date\"\t\"Standard_Order\"\t\"Last_Update\"\t\"Action\"\t\"FR_Citation\"\n";

    fn row(fields: [&str; 12]) -> String {
        let quoted: Vec<String> = fields.iter().map(|f| format!("\"{f}\"")).collect();
        format!("{}\n", quoted.join("\t"))
    }

    fn parse_text(text: &str) -> Result<(Vec<Entry>, Vec<String>), FormatError> {
        parse_bytes(text.as_bytes().to_vec())
    }

    fn parse_bytes(bytes: Vec<u8>) -> Result<(Vec<Entry>, Vec<String>), FormatError> {
        let (mut pubs, warnings) = parse(&Input::single("dpl.txt", bytes))?;
        assert_eq!(pubs.len(), 1);
        let publication = pubs.remove(0);
        assert_eq!(publication.list.as_str(), "us-bis-dpl");
        assert_eq!(publication.stated_date, None);
        match publication.content {
            PublicationContent::Snapshot(entries) => Ok((entries, warnings)),
            other => panic!("expected a snapshot, got {other:?}"),
        }
    }

    const ASH: [&str; 12] = [
        " I. ASH",
        "FCI SEAGOVILLE, 2113 NORTH HIGHWAY 175",
        "SEAGOVILLE",
        "TX",
        "US",
        "75159",
        "06/19/2003",
        "06/29/2056",
        "Y",
        "3017-08-22",
        "FEDERAL REGISTER NOTICE UPDATED",
        "68 F.R. 38290 6/27/03 71 F.R. 38843 7/10/06, 88 F.R. 48789, 7/28/2023",
    ];

    #[test]
    fn maps_every_field() {
        let (entries, warnings) = parse_text(&format!("{HEADER}{}", row(ASH))).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let e = &entries[0];
        assert_eq!(e.name, "I. ASH");
        assert!(e.id.as_str().starts_with("i-ash-"), "{}", e.id);
        assert_eq!(e.id.as_str().len(), "i-ash-".len() + 12);
        assert_eq!(
            e.addresses,
            ["FCI SEAGOVILLE, 2113 NORTH HIGHWAY 175, SEAGOVILLE, TX, 75159, US"]
        );
        assert_eq!(e.countries, ["US"]);
        assert_eq!(e.reason.as_deref(), Some("FEDERAL REGISTER NOTICE UPDATED"));
        assert_eq!(
            e.citations,
            [
                "68 F.R. 38290 6/27/03",
                "71 F.R. 38843 7/10/06",
                "88 F.R. 48789, 7/28/2023"
            ]
        );
        assert_eq!(e.listed_on, chrono::NaiveDate::from_ymd_opt(2003, 6, 19));
        assert_eq!(e.extra["effective_date"], "06/19/2003");
        assert_eq!(e.extra["expiration_date"], "06/29/2056");
        assert_eq!(e.extra["standard_order"], "Y");
        // A typo in Last_Update is kept as written and does not fail the parse.
        assert_eq!(e.extra["last_update"], "3017-08-22");
        assert_eq!(e.extra.len(), 4);
    }

    #[test]
    fn key_ignores_case_spacing_and_non_key_fields() {
        let mut other = ASH;
        other[0] = "i.  ash";
        other[6] = "01/01/2020";
        other[10] = "NEW";
        let (a, _) = parse_text(&format!("{HEADER}{}", row(ASH))).unwrap();
        let (b, _) = parse_text(&format!("{HEADER}{}", row(other))).unwrap();
        assert_eq!(a[0].id, b[0].id);
        let mut moved = ASH;
        moved[1] = "ANOTHER STREET 1";
        let (c, _) = parse_text(&format!("{HEADER}{}", row(moved))).unwrap();
        assert_ne!(a[0].id, c[0].id);
        let parts: Vec<String> = [
            "I. ASH",
            "FCI SEAGOVILLE, 2113 NORTH HIGHWAY 175",
            "SEAGOVILLE",
            "TX",
            "US",
            "75159",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let digest = hex::encode(Sha256::digest(parts.join("|").as_bytes()));
        assert_eq!(a[0].id.as_str(), format!("i-ash-{}", &digest[..12]));
    }

    #[test]
    fn exact_repeats_are_kept_once_and_near_repeats_get_a_suffix() {
        let mut changed = ASH;
        changed[10] = "NAME CORRECTED";
        let text = format!("{HEADER}{}{}{}", row(ASH), row(ASH), row(changed));
        let (entries, warnings) = parse_text(&text).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].contains("dpl.txt:3:") && warnings[0].contains("repeats line 2"),
            "{}",
            warnings[0]
        );
        assert!(
            warnings[1].contains("dpl.txt:4:") && warnings[1].contains("line 2"),
            "{}",
            warnings[1]
        );
        let base = entries
            .iter()
            .find(|e| e.reason.as_deref() == Some("FEDERAL REGISTER NOTICE UPDATED"))
            .unwrap();
        let suffixed = entries
            .iter()
            .find(|e| e.reason.as_deref() == Some("NAME CORRECTED"))
            .unwrap();
        assert_eq!(suffixed.id.as_str(), format!("{}-3", base.id));
    }

    #[test]
    fn bad_effective_date_warns_and_keeps_text() {
        let mut bad = ASH;
        bad[6] = "13/45/2003";
        let (entries, warnings) = parse_text(&format!("{HEADER}{}", row(bad))).unwrap();
        assert_eq!(entries[0].listed_on, None);
        assert_eq!(entries[0].extra["effective_date"], "13/45/2003");
        assert!(warnings[0].contains("dpl.txt:2:"), "{warnings:?}");
    }

    #[test]
    fn citations_are_split_per_notice() {
        assert_eq!(
            split_citations("87 F.R. 9030 2/17/2022"),
            ["87 F.R. 9030 2/17/2022"]
        );
        assert_eq!(
            split_citations("85 F.R. 1, 86 F.R.30078 5/10/2023;  87 FR 3"),
            ["85 F.R. 1", "86 F.R.30078 5/10/2023", "87 FR 3"]
        );
        assert_eq!(split_citations("see order"), ["see order"]);
        assert!(split_citations("  ").is_empty());
    }

    #[test]
    fn latin1_and_bom_are_read() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(HEADER.as_bytes());
        let mut latin = ASH;
        latin[0] = "JOS\u{c9} PE\u{d1}A";
        let text = row(latin);
        let (encoded, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
        bytes.extend_from_slice(&encoded);
        let (entries, _) = parse_bytes(bytes).unwrap();
        assert_eq!(entries[0].name, "JOS\u{c9} PE\u{d1}A");
        assert!(entries[0].id.as_str().starts_with("jos-pe-a-"));
    }

    #[test]
    fn header_only_is_an_empty_snapshot_and_errors_are_located() {
        let (entries, _) = parse_text(HEADER).unwrap();
        assert!(entries.is_empty());
        let e = parse_text("").unwrap_err();
        assert!(e.message.contains("empty"), "{}", e.message);
        let e = parse_text("\"Name\"\t\"City\"\n").unwrap_err();
        assert_eq!(e.location, Location::Line(1));
        assert!(e.message.contains("Street_Address"), "{}", e.message);
        let e = parse_text(&format!("{HEADER}{}\"X\"\t\"Y\"\n", row(ASH))).unwrap_err();
        assert_eq!(e.location, Location::Line(3));
        let mut nameless = ASH;
        nameless[0] = " ";
        let e = parse_text(&format!("{HEADER}{}", row(nameless))).unwrap_err();
        assert_eq!(e.location, Location::Line(2));
        // Damaged input is an error or a parse, never a panic.
        let _ = parse_bytes(b"\"Name\"\t\"Street_Address\"\t\"FR_Citation\"\n\"\xff\t\"".to_vec());
    }

    #[test]
    fn recognises_dpl_only() {
        assert_eq!(recognise(HEADER.as_bytes()), Some(Recognised::This));
        assert_eq!(
            detect(format!("{HEADER}{}", row(ASH)).as_bytes()),
            Detection::Format(Format::from_name("bis-dpl").unwrap())
        );
        assert_eq!(recognise(b"Name,Street_Address,FR_Citation\n"), None);
        assert_eq!(
            recognise(b"_id,source,entity_number,type,programs,name,title,addresses\n"),
            None
        );
        assert_eq!(
            recognise(b"36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\"\r\n"),
            None
        );
        assert_eq!(
            recognise(b"Last Updated,01/02/2020\nName 6,Group ID\n"),
            None
        );
        assert_eq!(recognise(b""), None);
    }

    /// A real published file (see [`crate::formats::real_data`]).
    fn real(rel: &str) -> PathBuf {
        crate::formats::real_data(rel)
    }

    fn real_file(date: &str) -> (Vec<Entry>, Vec<String>) {
        let path = real(&format!("bis-dpl/{date}/dpl.txt"));
        let bytes = std::fs::read(&path).unwrap();
        assert!(detect(&bytes) == Detection::Format(Format::from_name("bis-dpl").unwrap()));
        parse_bytes(bytes).unwrap()
    }

    #[test]
    fn real_files_count_rows_entries_and_repeats() {
        if !crate::formats::real_data_present() {
            return;
        }
        // Data rows (PROVENANCE.md §4): 546, 581, 665. Every missing entry is an exact repeat,
        // reported with its lines.
        for (date, rows, repeats) in [
            ("2019-06-29", 546, ["129", "140", "380"].as_slice()),
            ("2022-09-07", 581, ["143", "402"].as_slice()),
            ("2023-11-30", 665, ["153", "457"].as_slice()),
        ] {
            let (entries, warnings) = real_file(date);
            assert_eq!(entries.len() + repeats.len(), rows, "{date}");
            assert_eq!(warnings.len(), repeats.len(), "{date}: {warnings:?}");
            for (warning, first) in warnings.iter().zip(repeats) {
                assert!(
                    warning.contains(&format!("repeats line {first} exactly")),
                    "{date}: {warning}"
                );
            }
        }
        let (entries, _) = real_file("2023-11-30");
        let zhou: Vec<&Entry> = entries.iter().filter(|e| e.name == "DAQING ZHOU").collect();
        assert_eq!(zhou.len(), 1);
        assert_eq!(zhou[0].citations, ["71 F.R. 65775 11/9/06"]);
        // The Last_Update typos are kept as written.
        assert!(
            entries
                .iter()
                .any(|e| e.extra.get("last_update") == Some(&Value::from("3033-09-30")))
        );
    }

    #[test]
    fn real_keys_are_stable_and_a_real_change_is_seen() {
        if !crate::formats::real_data_present() {
            return;
        }
        let (old, _) = real_file("2022-09-07");
        let (new, _) = real_file("2023-11-30");
        let old: HashMap<&str, &Entry> = old.iter().map(|e| (e.id.as_str(), e)).collect();
        let new: HashMap<&str, &Entry> = new.iter().map(|e| (e.id.as_str(), e)).collect();
        let common = old.keys().filter(|k| new.contains_key(*k)).count();
        let unchanged = old
            .iter()
            .filter(|(k, e)| new.get(*k).is_some_and(|n| n == *e))
            .count();
        // Same counts as a check of the raw rows by (Name … Postal_Code).
        assert_eq!(common, 485);
        assert!(unchanged > 400, "{unchanged}");
        // AIR FREIGHT LTD at P.O. BOX 28360, Dubai: TDO renewed, a new notice added.
        let key = old
            .iter()
            .find(|(_, e)| {
                e.name == "AIR FREIGHT LTD" && e.addresses[0].starts_with("P.O. BOX 28360")
            })
            .map(|(k, _)| *k)
            .unwrap();
        let (before, after) = (old[key], new[key]);
        assert_eq!(before.extra["effective_date"], "05/13/2022");
        assert_eq!(after.extra["effective_date"], "10/31/2023");
        assert!(
            !before
                .citations
                .contains(&"88 F.R. 30078 5/10/2023".to_string())
        );
        assert!(
            after
                .citations
                .contains(&"88 F.R. 30078 5/10/2023".to_string())
        );
        assert_ne!(before.reason, after.reason);
    }
}
