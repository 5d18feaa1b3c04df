//! OFAC SDN legacy CSV: `sdn.csv` with `alt.csv`, `add.csv` and `sdn_comments.csv` beside it.
//!
//! No header; the null marker is `-0-` (usually followed by a space); CRLF or LF line endings;
//! OFAC's own downloads end with a DOS end-of-file byte (0x1A). Text is ASCII or Latin-1.
//! `Remarks` is cut at 1,000 characters and continues in `sdn_comments.csv`.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::{CONS_LIST, SDN_LIST};
use crate::formats::read::csv::{CsvReader, unterminated_quote_line};
use crate::formats::read::decode::Syntax;
use crate::formats::read::head::first_record;
use crate::formats::read::text::whole_text;
use crate::formats::registry::{
    Capabilities, Companions, FormatDescriptor, Recognised, Recogniser, Shape,
};
use crate::formats::{Format, FormatError, Input, InputFile, Location, ParsedPublication};
use crate::model::{Entry, EntryId, EntryType, text};

/// The companion files of `sdn.csv`, by the names they are known by.
const COMPANION_FILES: [&str; 3] = ["alt.csv", "add.csv", "sdn_comments.csv"];
/// The companion files of the non-SDN set's `cons_prim.csv`.
const CONS_COMPANION_FILES: [&str; 3] = ["cons_alt.csv", "cons_add.csv", "cons_comments.csv"];

/// The DOS end-of-file mark OFAC's own downloads of every file of both sets end with (after the
/// last CRLF): a file without it, where the list's earlier publication had it, is cut short.
const EOF_MARK: u8 = 0x1A;

/// The companions both sets read, known by the SDN set's names.
const COMPANIONS: Companions = Companions {
    keys: &COMPANION_FILES,
    names: companion_names,
};

/// The `ofac-sdn-csv` format.
pub(crate) static SDN_CSV: FormatDescriptor = FormatDescriptor {
    name: "ofac-sdn-csv",
    description: "OFAC SDN legacy CSV (sdn.csv + alt.csv, add.csv, sdn_comments.csv)",
    list_ids: "us-ofac-sdn",
    key: "ent_num",
    reason_fields: "Program → programs, Remarks (+ sdn_comments.csv) → reason",
    // 2: text that is not UTF-8 used to be decoded field by field; it is now read as UTF-8 up
    // to the file's first byte that is not, Windows-1252 from there, so a file mixing the two
    // reads differently (see `read::decode`).
    parser_version: 2,
    recogniser: Some(Recogniser {
        shape: Shape::Delimited,
        // Last: told by the shape of its rows (a number, then 12 fields), not by a header.
        order: 4,
        test: recognise,
    }),
    parse,
    capabilities: Capabilities {
        companions: Some(COMPANIONS),
        refine_by_name: Some(refine_by_name),
        end_mark: Some(EOF_MARK),
        ..Capabilities::NONE
    },
};

/// The `ofac-cons-csv` format.
pub(crate) static CONS_CSV: FormatDescriptor = FormatDescriptor {
    name: "ofac-cons-csv",
    description: "OFAC non-SDN consolidated legacy CSV (cons_prim.csv + cons_alt.csv, cons_add.csv, cons_comments.csv)",
    list_ids: "us-ofac-cons",
    key: "ent_num",
    reason_fields: "Program → programs, Remarks (+ cons_comments.csv) → reason",
    // 2: text that is not UTF-8 used to be decoded field by field; it is now read as UTF-8 up
    // to the file's first byte that is not, Windows-1252 from there, so a file mixing the two
    // reads differently (see `read::decode`).
    parser_version: 2,
    // Recognised as `ofac-sdn-csv` (the same layout), then told by its file name.
    recogniser: None,
    parse: parse_cons,
    capabilities: Capabilities {
        companions: Some(COMPANIONS),
        end_mark: Some(EOF_MARK),
        ..Capabilities::NONE
    },
};

/// The companions of `sdn.csv`; a prefix before `sdn.csv` is kept
/// (`2022-02-25T015029Z_sdn.csv` → `2022-02-25T015029Z_alt.csv`, …).
///
/// The non-SDN set's `cons_prim.csv` has `cons_alt.csv`, `cons_add.csv` and `cons_comments.csv`.
/// Either way the companions are listed in the order alt, add, comments.
fn companion_names(primary_name: &str) -> Vec<String> {
    let lower = primary_name.to_ascii_lowercase();
    if let Some(prefix) = lower
        .strip_suffix("cons_prim.csv")
        .and_then(|p| primary_name.get(..p.len()))
    {
        return CONS_COMPANION_FILES
            .iter()
            .map(|c| format!("{prefix}{c}"))
            .collect();
    }
    let prefix = lower
        .strip_suffix("sdn.csv")
        .and_then(|p| primary_name.get(..p.len()))
        .unwrap_or("");
    COMPANION_FILES
        .iter()
        .map(|c| format!("{prefix}{c}"))
        .collect()
}

/// A row of the set by its shape: a number first, then 12 fields in all (`sdn.csv`), or a
/// companion's: a number and a number, 6 fields (`add.csv`) or 5 (`alt.csv`); or a number and
/// a text (`sdn_comments.csv`).
fn recognise(head: &[u8]) -> Option<Recognised> {
    let fields = first_record(head, b',')?;
    let number = |f: &String| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit());
    if !fields.first().is_some_and(number) {
        return None;
    }
    let second_is_number = fields.get(1).is_some_and(number);
    match fields.len() {
        12 => Some(Recognised::This),
        6 if second_is_number => Some(Recognised::Companion("add.csv")),
        5 if second_is_number => Some(Recognised::Companion("alt.csv")),
        2 => Some(Recognised::Companion("sdn_comments.csv")),
        _ => None,
    }
}

/// The non-SDN consolidated set when the primary file is called `cons_prim.csv`.
fn refine_by_name(file_name: &str) -> Option<Format> {
    is_cons_primary(file_name).then_some(Format(&CONS_CSV))
}

/// Reads `sdn.csv` and its companions: a publication of `us-ofac-sdn`.
fn parse(input: &Input) -> Result<(Vec<ParsedPublication>, Vec<String>), FormatError> {
    parse_list(input, SDN_LIST)
}

/// Reads `cons_prim.csv` and its companions: a publication of `us-ofac-cons`.
fn parse_cons(input: &Input) -> Result<(Vec<ParsedPublication>, Vec<String>), FormatError> {
    parse_list(input, CONS_LIST)
}

/// True when a file name is the non-SDN set's primary file (`cons_prim.csv`, any prefix).
fn is_cons_primary(file_name: &str) -> bool {
    file_name.to_ascii_lowercase().ends_with("cons_prim.csv")
}

fn parse_list(
    input: &Input,
    list_id: &str,
) -> Result<(Vec<ParsedPublication>, Vec<String>), FormatError> {
    let primary = &input.primary;
    let file = primary.name.as_str();
    let mut rows: Vec<SdnRow> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    warnings.extend(read_fixed(primary, 12, "sdn.csv", |line, fields| {
        rows.push(sdn_row(file, line, fields)?);
        Ok(())
    })?);
    if rows.is_empty() {
        return Err(FormatError::new(
            file,
            Location::File,
            "no records: the file is empty; an empty publication is almost certainly a failed download, so it is not read as \"every entry was removed\" (download it again)",
        ));
    }

    let alts = match input.companion("alt.csv") {
        Some(f) => read_alt(f, &mut warnings)?,
        None => Companion::default(),
    };
    let adds = match input.companion("add.csv") {
        Some(f) => read_add(f, &mut warnings)?,
        None => Companion::default(),
    };
    let comments = match input.companion("sdn_comments.csv") {
        Some(f) => read_comments(f, &mut warnings)?,
        None => Companion::default(),
    };

    let known: HashSet<&str> = rows.iter().map(|r| r.ent_num.as_str()).collect();
    let mut orphans = 0usize;
    let mut orphan_ids: Vec<&str> = Vec::new();
    let mut orphan_files: Vec<&str> = Vec::new();
    for (name, ids) in [
        (COMPANION_FILES[0], alts.ent_nums().collect::<Vec<_>>()),
        (COMPANION_FILES[1], adds.ent_nums().collect::<Vec<_>>()),
        (COMPANION_FILES[2], comments.ent_nums().collect::<Vec<_>>()),
    ] {
        let before = orphans;
        for id in ids.into_iter().filter(|id| !known.contains(id)) {
            orphans += 1;
            if !orphan_ids.contains(&id) && orphan_ids.len() < 5 {
                orphan_ids.push(id);
            }
        }
        if orphans > before {
            orphan_files.push(name);
        }
    }
    if orphans > 0 {
        warnings.push(format!(
            "{file}: {orphans} row{} of {} refer to ent_num{} not in sdn.csv (e.g. {}) and {} ignored: are the companion files from the same download?",
            if orphans == 1 { "" } else { "s" },
            orphan_files.join(", "),
            if orphan_ids.len() == 1 { "" } else { "s" },
            orphan_ids.join(", "),
            if orphans == 1 { "was" } else { "were" },
        ));
    }

    let lines: Vec<Option<u64>> = rows.iter().map(|r| Some(r.line)).collect();
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        let mut entry = row.entry;
        let id = row.ent_num.as_str();
        // Remarks continue in sdn_comments.csv, mid-word: no separator.
        if let Some(more) = comments.rows_of(id) {
            let mut reason = entry.reason.take().unwrap_or_default();
            for part in more {
                reason.push_str(part);
            }
            entry.reason = Some(reason);
        }
        if let Some(alts) = alts.rows_of(id) {
            let mut types = Map::new();
            let mut remarks = Map::new();
            for alt in alts {
                let Some(name) = text::normalize(&alt.name) else {
                    continue;
                };
                if let Some(t) = &alt.alt_type
                    && !t.eq_ignore_ascii_case("aka")
                {
                    types.insert(name.clone(), Value::String(t.clone()));
                }
                if let Some(r) = &alt.remarks {
                    remarks.insert(name.clone(), Value::String(r.clone()));
                }
                entry.aliases.push(name);
            }
            if !types.is_empty() {
                entry.extra.insert("alt_types".into(), Value::Object(types));
            }
            if !remarks.is_empty() {
                entry
                    .extra
                    .insert("alt_remarks".into(), Value::Object(remarks));
            }
        }
        if let Some(adds) = adds.rows_of(id) {
            let mut remarks = Vec::new();
            for add in adds {
                let parts: Vec<&str> = [&add.address, &add.city, &add.country]
                    .into_iter()
                    .filter_map(|p| p.as_deref())
                    .collect();
                if !parts.is_empty() {
                    entry.addresses.push(parts.join(", "));
                }
                if let Some(country) = &add.country {
                    entry.countries.push(country.clone());
                }
                if let Some(r) = &add.remarks {
                    remarks.push(Value::String(r.clone()));
                }
            }
            if !remarks.is_empty() {
                entry
                    .extra
                    .insert("address_remarks".into(), Value::Array(remarks));
            }
        }
        entries.push(entry);
    }
    let publication = ParsedPublication::snapshot(file, list_id, entries, (None, None), |index| {
        lines.get(index).copied().flatten()
    })?;
    Ok((vec![publication], warnings))
}

/// One `sdn.csv` row: its entry without the companions' data.
struct SdnRow {
    ent_num: String,
    line: u64,
    entry: Entry,
}

/// A field with `-0-` and blanks read as absent.
fn value(field: &str) -> Option<String> {
    let trimmed = field.trim();
    (!trimmed.is_empty() && trimmed != "-0-").then(|| trimmed.to_string())
}

fn field<'a>(fields: &'a [Cow<'_, str>], index: usize) -> &'a str {
    fields.get(index).map_or("", |f| f.as_ref())
}

/// The entry number that starts every row: digits only.
fn ent_num(file: &str, line: u64, raw: &str, layout: &str) -> Result<String, FormatError> {
    let id = raw.trim();
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FormatError::new(
            file,
            Location::Line(line),
            format!(
                "ent_num {} is not a number: the first column of OFAC's {layout} is the entry number (is this the right file?)",
                crate::formats::quoted(id)
            ),
        ));
    }
    Ok(id.to_string())
}

const SDN_EXTRA: [(usize, &str); 7] = [
    (4, "title"),
    (5, "call_sign"),
    (6, "vess_type"),
    (7, "tonnage"),
    (8, "grt"),
    (9, "vess_flag"),
    (10, "vess_owner"),
];

fn sdn_row(file: &str, line: u64, fields: &[Cow<'_, str>]) -> Result<SdnRow, FormatError> {
    let id = ent_num(file, line, field(fields, 0), "sdn.csv")?;
    let entry_id = EntryId::new(&id)
        .map_err(|e| FormatError::new(file, Location::Line(line), e.to_string()))?;
    let mut entry = Entry::new(entry_id, value(field(fields, 1)).unwrap_or_default());
    match value(field(fields, 2)) {
        None => entry.entry_type = Some(EntryType::Entity),
        Some(label) => match EntryType::parse(&label) {
            Some(t) => entry.entry_type = Some(t),
            None => {
                entry.extra.insert("sdn_type".into(), Value::String(label));
            }
        },
    }
    if let Some(programs) = value(field(fields, 3)) {
        entry.programs = programs
            .split(['[', ']'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
    }
    for (index, key) in SDN_EXTRA {
        if let Some(v) = value(field(fields, index)) {
            entry.extra.insert(key.into(), Value::String(v));
        }
    }
    // Kept untrimmed: sdn_comments.csv continues it, possibly right after a space.
    let remarks = field(fields, 11);
    if value(remarks).is_some() {
        entry.reason = Some(remarks.to_string());
    }
    Ok(SdnRow {
        ent_num: id,
        line,
        entry,
    })
}

/// Rows of a companion file, indexed by ent_num.
struct Companion<T> {
    rows: Vec<(String, T)>,
    by_id: HashMap<String, Vec<usize>>,
}

impl<T> Default for Companion<T> {
    fn default() -> Self {
        Companion {
            rows: Vec::new(),
            by_id: HashMap::new(),
        }
    }
}

impl<T> Companion<T> {
    fn push(&mut self, id: String, row: T) {
        self.by_id
            .entry(id.clone())
            .or_default()
            .push(self.rows.len());
        self.rows.push((id, row));
    }

    /// The rows of `id`, in file order.
    fn rows_of(&self, id: &str) -> Option<impl Iterator<Item = &T>> {
        let indices = self.by_id.get(id)?;
        Some(
            indices
                .iter()
                .filter_map(|&i| self.rows.get(i).map(|(_, row)| row)),
        )
    }

    /// The ent_num of every row, in file order.
    fn ent_nums(&self) -> impl Iterator<Item = &str> {
        self.rows.iter().map(|(id, _)| id.as_str())
    }
}

struct Alt {
    alt_type: Option<String>,
    name: String,
    remarks: Option<String>,
}

struct Add {
    address: Option<String>,
    city: Option<String>,
    country: Option<String>,
    remarks: Option<String>,
}

fn read_alt(file: &InputFile, warnings: &mut Vec<String>) -> Result<Companion<Alt>, FormatError> {
    let mut out = Companion::default();
    let decoding = read_fixed(file, 5, "alt.csv", |line, fields| {
        let id = ent_num(&file.name, line, field(fields, 0), "alt.csv")?;
        if let Some(name) = value(field(fields, 3)) {
            out.push(
                id,
                Alt {
                    alt_type: value(field(fields, 2)),
                    name,
                    remarks: value(field(fields, 4)),
                },
            );
        }
        Ok(())
    })?;
    warnings.extend(decoding);
    Ok(out)
}

fn read_add(file: &InputFile, warnings: &mut Vec<String>) -> Result<Companion<Add>, FormatError> {
    let mut out = Companion::default();
    let decoding = read_fixed(file, 6, "add.csv", |line, fields| {
        let id = ent_num(&file.name, line, field(fields, 0), "add.csv")?;
        out.push(
            id,
            Add {
                address: value(field(fields, 2)),
                city: value(field(fields, 3)),
                country: value(field(fields, 4)),
                remarks: value(field(fields, 5)),
            },
        );
        Ok(())
    })?;
    warnings.extend(decoding);
    Ok(out)
}

/// `sdn_comments.csv`, read line by line: `ent_num,"text"`. The text is cut mid-string, so its
/// quoting is not trusted: outer quotes are removed and doubled quotes undoubled when present.
fn read_comments(
    file: &InputFile,
    warnings: &mut Vec<String>,
) -> Result<Companion<String>, FormatError> {
    let mut out = Companion::default();
    let decoded = whole_text(file, Syntax::Text)?;
    warnings.extend(decoded.note.map(|n| n.warning(&file.name)));
    for (index, raw) in clean(&decoded.text).split('\n').enumerate() {
        let line = index as u64 + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.chars().all(|c| c.is_ascii_whitespace()) {
            continue;
        }
        let Some((id, rest)) = raw.split_once(',') else {
            return Err(FormatError::new(
                &file.name,
                Location::Line(line),
                "expected ent_num,remarks (OFAC sdn_comments.csv layout), found no comma",
            ));
        };
        let id = ent_num(&file.name, line, id, "sdn_comments.csv")?;
        let inner = match rest.trim_start().strip_prefix('"') {
            Some(opened) => {
                let closed = opened.trim_end();
                closed
                    .strip_suffix('"')
                    .unwrap_or(closed)
                    .replace("\"\"", "\"")
            }
            None => rest.to_string(),
        };
        if value(&inner).is_some() {
            out.push(id, inner);
        }
    }
    Ok(out)
}

/// The text without the trailing 0x1A end-of-file byte (OFAC's DOS end-of-file mark) and
/// white space.
fn clean(text: &str) -> &str {
    text.trim_end_matches(|c: char| c == '\u{1A}' || c.is_ascii_whitespace())
}

/// Reads a headerless file whose rows must have `expected` fields and calls `each` with the
/// row's line and fields; returns the decoding warning, if any.
fn read_fixed(
    file: &InputFile,
    expected: usize,
    layout: &str,
    mut each: impl FnMut(u64, &[Cow<'_, str>]) -> Result<(), FormatError>,
) -> Result<Option<String>, FormatError> {
    let name = file.name.as_str();
    let decoded = whole_text(file, Syntax::Text)?;
    let text = clean(&decoded.text).as_bytes();
    if let Some(line) = unterminated_quote_line(text) {
        return Err(FormatError::new(
            name,
            Location::Line(line),
            "this row opens a quoted field that is never closed (the file ends inside it): the file looks truncated or damaged; download it again",
        ));
    }
    let mut reader = CsvReader::new(name, text, b',');
    while let Some(row) = reader.next_row()? {
        let line = row.line();
        if row.len() != expected {
            return Err(FormatError::new(
                name,
                Location::Line(line),
                format!(
                    "expected {expected} fields (OFAC {layout} layout), found {}: the row is damaged, or this is not OFAC's {layout}",
                    row.len()
                ),
            ));
        }
        let fields: Vec<Cow<'_, str>> = row.fields().collect();
        each(line, &fields)?;
    }
    Ok(decoded.note.map(|n| n.warning(name)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::entry_by_id as by_id;
    use crate::formats::snapshot_entries as entries;
    use serde_json::json;

    fn file(name: &str, bytes: &[u8]) -> InputFile {
        InputFile {
            name: name.into(),
            bytes: bytes.to_vec(),
            stream_from: None,
        }
    }

    fn input(sdn: &[u8], companions: &[(&str, &[u8])]) -> Input {
        Input {
            primary: file("sdn.csv", sdn),
            companions: companions
                .iter()
                .map(|(name, bytes)| (name.to_string(), file(name, bytes)))
                .collect(),
            options: Default::default(),
        }
    }

    #[test]
    fn companion_names_keep_the_prefix() {
        assert_eq!(
            companion_names("sdn.csv"),
            ["alt.csv", "add.csv", "sdn_comments.csv"]
        );
        assert_eq!(
            companion_names("SDN.CSV"),
            ["alt.csv", "add.csv", "sdn_comments.csv"]
        );
        assert_eq!(
            companion_names("2022-02-25T015029Z_sdn.csv"),
            [
                "2022-02-25T015029Z_alt.csv",
                "2022-02-25T015029Z_add.csv",
                "2022-02-25T015029Z_sdn_comments.csv"
            ]
        );
        assert_eq!(
            companion_names("list.csv"),
            ["alt.csv", "add.csv", "sdn_comments.csv"]
        );
    }

    const SAMPLE: &[u8] = b"36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\
7,\"Caf\xE9 Example, S.A.\",-0- ,\"SDNTK] [FTO] [SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 1 Jan 1960; a.k.a. 'X'; Linked \"\r\n\
8,\"SHIP ONE\",\"vessel\",\"[IRAN]\",-0- ,\"ABCD\",\"Tanker\",\"1000\",\"2000\",\"Panama\",\"OWNER CO\",-0- \r\n\
\x1A";

    #[test]
    fn reads_a_crlf_file_with_eof_byte_and_null_markers() {
        let comments: &[u8] = b"7,\"To: OTHER \"\"CO\"\".\"\r\n7,\" More.\"\r\n\x1A";
        let alt: &[u8] =
            b"36,12,\"aka\",\"AERO-CARIBBEAN\",-0- \r\n36,13,\"fka\",\"OLD NAME\",\"note\"\r\n";
        let add: &[u8] = b"36,25,-0- ,\"Havana\",\"Cuba\",-0- \r\n36,26,\"1 Road\",-0- ,\"Spain\",\"closed\"\r\n";
        let (pubs, warnings) = parse(&input(
            SAMPLE,
            &[
                ("alt.csv", alt),
                ("add.csv", add),
                ("sdn_comments.csv", comments),
            ],
        ))
        .unwrap();
        // SAMPLE's Latin-1 name: the one decoding warning.
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("sdn.csv:2: the byte at offset 87 (0xE9) is not UTF-8"),
            "{warnings:?}"
        );
        assert_eq!(pubs[0].list.as_str(), "us-ofac-sdn");
        assert_eq!(pubs[0].stated_date, None);
        let es = entries(&pubs);
        assert_eq!(es.len(), 3);

        let aero = &es[0];
        assert_eq!(aero.id.as_str(), "36");
        assert_eq!(aero.entry_type, Some(EntryType::Entity));
        assert_eq!(aero.programs, vec!["CUBA"]);
        assert_eq!(aero.reason, None);
        assert_eq!(aero.aliases, vec!["AERO-CARIBBEAN", "OLD NAME"]);
        assert_eq!(
            aero.extra.get("alt_types"),
            Some(&json!({"OLD NAME": "fka"}))
        );
        assert_eq!(
            aero.extra.get("alt_remarks"),
            Some(&json!({"OLD NAME": "note"}))
        );
        assert_eq!(aero.addresses, vec!["1 Road, Spain", "Havana, Cuba"]);
        assert_eq!(aero.countries, vec!["Cuba", "Spain"]);
        assert_eq!(aero.extra.get("address_remarks"), Some(&json!(["closed"])));
        assert!(!aero.extra.contains_key("title"));

        let cafe = &es[1];
        assert_eq!(cafe.name, "Caf\u{E9} Example, S.A.");
        assert_eq!(cafe.programs, vec!["FTO", "SDGT", "SDNTK"]);
        assert_eq!(
            cafe.reason.as_deref(),
            Some("DOB 1 Jan 1960; a.k.a. 'X'; Linked To: OTHER \"CO\". More.")
        );

        let ship = &es[2];
        assert_eq!(ship.entry_type, Some(EntryType::Vessel));
        assert_eq!(ship.programs, vec!["IRAN"]);
        assert_eq!(
            serde_json::to_value(&ship.extra).unwrap(),
            json!({"call_sign": "ABCD", "vess_type": "Tanker", "tonnage": "1000", "grt": "2000",
                   "vess_flag": "Panama", "vess_owner": "OWNER CO"})
        );
    }

    #[test]
    fn latin1_names_are_decoded() {
        let (pubs, _) = parse(&input(SAMPLE, &[])).unwrap();
        assert_eq!(entries(&pubs)[1].name, "Café Example, S.A.");
    }

    #[test]
    fn lf_endings_and_no_final_newline_are_accepted() {
        let lf = b"1,\"A\",\"individual\",\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0-\n2,\"B\",-0- ,\"Y\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ";
        let (pubs, _) = parse(&input(lf, &[])).unwrap();
        let es = entries(&pubs);
        assert_eq!(es.len(), 2);
        assert_eq!(es[0].entry_type, Some(EntryType::Individual));
    }

    #[test]
    fn companion_rows_of_unknown_entries_give_one_warning() {
        let alt: &[u8] = b"99,1,\"aka\",\"GHOST\",-0- \r\n98,2,\"aka\",\"GHOST 2\",-0- \r\n";
        let add: &[u8] = b"99,3,-0- ,\"Nowhere\",-0- ,-0- \r\n";
        let (pubs, warnings) =
            parse(&input(SAMPLE, &[("alt.csv", alt), ("add.csv", add)])).unwrap();
        assert_eq!(entries(&pubs).len(), 3);
        // The first is SAMPLE's decoding warning.
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        let w = &warnings[1];
        assert!(
            w.contains("3 rows") && w.contains("99, 98") && w.contains("alt.csv, add.csv"),
            "{w}"
        );
    }

    #[test]
    fn malformed_files_are_errors_naming_the_line() {
        let bad = b"36,\"A\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n37,\"B\",-0- ,\"CUBA\",-0- ,-0- ,-0- \r\n";
        let e = parse(&input(bad, &[])).unwrap_err();
        assert_eq!(e.file, "sdn.csv");
        assert_eq!(e.location, Location::Line(2));
        assert_eq!(
            e.message,
            "expected 12 fields (OFAC sdn.csv layout), found 7: the row is damaged, or this is not OFAC's sdn.csv"
        );

        let bad = b"3x,\"A\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n";
        let e = parse(&input(bad, &[])).unwrap_err();
        assert_eq!(e.location, Location::Line(1));
        assert!(e.message.contains("not a number"), "{}", e.message);

        let cut = b"36,\"A\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n37,\"B\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"cut off";
        let e = parse(&input(cut, &[])).unwrap_err();
        assert_eq!(e.location, Location::Line(2));
        assert!(e.message.contains("truncated"), "{}", e.message);

        let e = parse(&input(b"", &[])).unwrap_err();
        assert!(e.message.starts_with("no records"), "{}", e.message);
        let e = parse(&input(b"\r\n\x1A", &[])).unwrap_err();
        assert!(e.message.starts_with("no records"), "{}", e.message);

        let bad_alt: &[u8] = b"36,12,\"aka\"\r\n";
        let e = parse(&input(SAMPLE, &[("alt.csv", bad_alt)])).unwrap_err();
        assert_eq!(e.file, "alt.csv");
        assert_eq!(e.location, Location::Line(1));
        assert!(
            e.message
                .contains("expected 5 fields (OFAC alt.csv layout), found 3"),
            "{}",
            e.message
        );

        let dup = b"36,\"A\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n36,\"B\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n";
        let e = parse(&input(dup, &[])).unwrap_err();
        assert_eq!(
            e.location,
            Location::Record {
                number: 2,
                line: Some(2)
            }
        );
        assert!(
            e.message.contains("duplicate id")
                && e.message.contains("record 1 has it too (line 1)"),
            "{}",
            e.message
        );
    }

    fn real(dir: &str, companions: bool) -> Input {
        let read = |name: &str| {
            let path = crate::formats::real_data(&format!("ofac-sdn/{dir}/{name}"))
                .to_string_lossy()
                .into_owned();
            let bytes = std::fs::read(&path).unwrap();
            InputFile {
                name: path,
                bytes,
                stream_from: None,
            }
        };
        Input {
            primary: read("sdn.csv"),
            companions: if companions {
                COMPANION_FILES
                    .iter()
                    .map(|c| (c.to_string(), read(c)))
                    .collect()
            } else {
                Vec::new()
            },
            options: Default::default(),
        }
    }

    #[test]
    fn real_2024_files_show_the_end_of_the_zimbabwe_program() {
        if !crate::formats::real_data_present() {
            return;
        }
        let (before, w1) = parse(&real("2024-02-28", false)).unwrap();
        let (after, w2) = parse(&real("2024-03-04", false)).unwrap();
        assert!(w1.is_empty() && w2.is_empty());
        let (before, after) = (entries(&before), entries(&after));
        assert_eq!(before.len(), 14_510);
        assert_eq!(after.len(), 14_426);
        let b = by_id(before, "7513");
        let a = by_id(after, "7513");
        assert_eq!(b.name, "MNANGAGWA, Emmerson Dambudzo");
        assert_eq!(b.programs, vec!["ZIMBABWE"]);
        assert_eq!(a.programs, vec!["GLOMAG"]);
        assert_ne!(a.reason, b.reason);
        assert!(before.iter().any(|e| e.id.as_str() == "7480"));
        assert!(!after.iter().any(|e| e.id.as_str() == "7480"));
    }

    #[test]
    fn real_2021_four_file_set() {
        if !crate::formats::real_data_present() {
            return;
        }
        let (pubs, warnings) = parse(&real("2021-07-07", true)).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let es = entries(&pubs);
        assert_eq!(es.len(), 8_976);
        let aero = by_id(es, "36");
        assert_eq!(aero.name, "AEROCARIBBEAN AIRLINES");
        assert!(aero.aliases.contains(&"AERO-CARIBBEAN".to_string()));
        assert!(aero.addresses.contains(&"Havana, Cuba".to_string()));
        assert_eq!(aero.countries, vec!["Cuba"]);
        assert_eq!(es.iter().filter(|e| !e.aliases.is_empty()).count(), 4_139);
        assert_eq!(es.iter().filter(|e| !e.addresses.is_empty()).count(), 6_579);
        // Remarks cut at 1,000 characters continue in sdn_comments.csv.
        let long = by_id(es, "28263");
        let reason = long.reason.as_deref().unwrap();
        assert!(
            reason.len() > 1_000 && reason.ends_with("Linked To: LAZARUS GROUP."),
            "{reason}"
        );
    }

    #[test]
    fn real_2019_lf_only_set() {
        if !crate::formats::real_data_present() {
            return;
        }
        let (pubs, warnings) = parse(&real("2019-01-04", true)).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let es = entries(&pubs);
        assert_eq!(es.len(), 7_379);
        let aero = by_id(es, "36");
        assert!(aero.addresses.contains(&"Havana, Cuba".to_string()));
    }
}
