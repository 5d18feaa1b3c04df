//! Any CSV with a header row, keyed by `--key COL` and mapped by `--map field=COLUMN`.
//!
//! For lists listdiff has no reader for: the user names the list (`--list ID`, required), the
//! key columns (`--key COL`, required, repeatable) and which column fills which entry field
//! (`--map field=COLUMN`, repeatable).
//!
//! - Delimited by a comma, a tab, a semicolon or a pipe: `--delimiter`, else the one that splits
//!   the header into the most columns (when several do, the one the first rows agree with; when
//!   they do not tell either, the file is refused with a hint to give `--delimiter`). RFC 4180
//!   quoting; text decoded by the one policy (UTF-8, a byte-order mark skipped; Windows-1252
//!   from a byte that is not UTF-8 on, with a warning; see [`super::read::decode`]). Columns are
//!   found by header, exactly or else ignoring case and surrounding white space.
//! - A row with fewer fields than the header is read with the missing fields empty, and one
//!   warning lists such rows' lines; a row with more is refused, naming its line. A file cut
//!   short is refused: its last row has fewer fields and no line end after it, or a quoted
//!   field is never closed.
//! - The id is the key columns' values (trimmed) joined with ` | ` in `--key` order; an empty
//!   key value is an error naming the line, and so is a key two rows share (add another
//!   `--key` column to tell them apart).
//! - Fields: `name` (required), `type`, `countries`, `aliases`, `addresses`, `programs`,
//!   `reason`, `license_requirement`, `license_policy`, `citations`, `listed_on`. Without any
//!   `--map`, a column whose header equals a field name (ignoring case) fills that field; with
//!   `--map`, only the mapped columns do.
//! - The list fields (`countries`, `aliases`, `addresses`, `programs`, `citations`) are split
//!   on `;`. `listed_on` must be `YYYY-MM-DD`; `type` one of entity, individual, vessel,
//!   aircraft (any case; a blank cell leaves it unset).
//! - Every column not mapped to a field (key columns included) is kept in `extra` under its
//!   header.
//! - The file states no date: it comes from the command line.
//! - The publication carries its columns and the fields they fill ([`Column`]), so that
//!   `compare` reports a column added or removed once, not as a change of every row.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::read::csv::{
    CsvReader, Delimiter, Row, Sniffed, sniff_delimiter, unterminated_quote_line_with,
};
use super::read::decode::Syntax;
use super::read::text::whole_text;
use super::registry::{Capabilities, FormatDescriptor};
use super::{
    FormatError, Input, Location, ParseOptions, ParseResult, ParsedPublication, dates, record_error,
};
use crate::model::{Column, Entry, EntryId, EntryType, PublicationContent, text};

/// The `csv` format (any CSV, read by `--key` and `--map`).
pub(crate) static PLAIN_CSV: FormatDescriptor = FormatDescriptor {
    name: "csv",
    description: "any CSV with a header row (comma, tab, semicolon or pipe; --delimiter): --key COL (repeatable), --map field=COLUMN, --list",
    list_ids: "--list",
    key: "--key columns (joined with \" | \")",
    reason_fields: "as mapped by --map (programs, reason, license_requirement, license_policy, citations)",
    // 2: a file that was not UTF-8 used to be read whole as Windows-1252; it is now UTF-8 up to
    // its first byte that is not, Windows-1252 from there, so a file mixing the two reads
    // differently (see `read::decode`).
    // 3: the delimiter is told from the header: a file whose header a tab, semicolon or pipe
    // splits into more columns than the comma used to be read as comma-separated.
    parser_version: 3,
    // Read only when named: any CSV could be one.
    recogniser: None,
    parse,
    capabilities: Capabilities {
        key_and_map_from_options: true,
        ..Capabilities::NONE
    },
};

/// The separator between the values of a composite key.
const KEY_SEPARATOR: &str = " | ";

/// The entry fields a column can fill.
const FIELDS: [&str; 11] = [
    "name",
    "type",
    "countries",
    "aliases",
    "addresses",
    "programs",
    "reason",
    "license_requirement",
    "license_policy",
    "citations",
    "listed_on",
];

/// How many lines of short rows the warning about them names.
const SHORT_ROWS_SHOWN: usize = 10;

/// Reads one input.
pub(super) fn parse(input: &Input) -> ParseResult {
    let name = input.primary.name.as_str();
    let whole = |message: String| FormatError::new(name, Location::File, message);
    let Some(list) = input.options.list.clone() else {
        return Err(whole(
            "a plain CSV does not name its list: give the list id with --list ID".into(),
        ));
    };
    if input.options.keys.is_empty() {
        return Err(whole(
            "a plain CSV needs the column(s) that identify an entry: give --key COLUMN (repeat it for a composite key)".into(),
        ));
    }
    let decoded = whole_text(&input.primary, Syntax::Text)?;
    let text = decoded.text.as_bytes();
    let delimiter = match input.options.delimiter {
        Some(delimiter) => delimiter,
        None => told_delimiter(name, text)?,
    };
    if let Some(line) = unterminated_quote_line_with(text, delimiter.byte()) {
        return Err(FormatError::new(
            name,
            Location::Line(line),
            "a quoted field of the row that starts here is never closed: the file was cut short (truncated), or a closing quote is missing; download it again or mend the quote",
        ));
    }
    let mut reader = CsvReader::new(name, text, delimiter.byte());
    let (header_line, headers) = read_header(name, &mut reader)?;
    let layout = Layout::new(name, &headers, &input.options)?;

    let mut entries = Vec::new();
    let mut lines: Vec<Option<u64>> = Vec::new();
    let mut key_lines: HashMap<String, u64> = HashMap::new();
    let mut short_rows: Vec<u64> = Vec::new();
    // The last row read, when it has fewer fields than the header.
    let mut short_last: Option<(u64, usize)> = None;
    while let Some(row) = reader.next_row()? {
        let line = row.line();
        short_last = (row.len() < headers.len()).then_some((line, row.len()));
        if row.is_blank() {
            continue;
        }
        if row.len() > headers.len() {
            return Err(FormatError::new(
                name,
                Location::Line(line),
                format!(
                    "this row has {} fields but the header (line {header_line}) has {}: is a {} in a value not quoted?{}",
                    row.len(),
                    headers.len(),
                    delimiter.name(),
                    if input.options.delimiter.is_none() {
                        format!(
                            " (the file is read as {}-separated, told from its header; --delimiter gives another)",
                            delimiter.name()
                        )
                    } else {
                        String::new()
                    }
                ),
            ));
        }
        if row.len() < headers.len() {
            short_rows.push(line);
        }
        entries.push(layout.entry(name, &row, &mut key_lines)?);
        lines.push(Some(line));
    }
    if let Some((line, found)) = short_last
        && !text.ends_with(b"\n")
        && !text.ends_with(b"\r")
    {
        return Err(FormatError::new(
            name,
            Location::Line(line),
            format!(
                "the file ends in a row of {found} field{} where the header (line {header_line}) has {}, with no line end after it: it was cut short (truncated); download it again (if the row is whole, end the file with a line end)",
                if found == 1 { "" } else { "s" },
                headers.len()
            ),
        ));
    }
    let content = PublicationContent::Snapshot(entries)
        .normalize()
        .map_err(|e| record_error(name, e, |i| lines.get(i).copied().flatten()))?;
    let mut warnings: Vec<String> = decoded.note.map(|n| n.warning(name)).into_iter().collect();
    warnings.extend(short_rows_warning(name, &short_rows, headers.len()));
    Ok((
        vec![ParsedPublication {
            list,
            stated_date: None,
            stated_date_text: None,
            source: None,
            content,
            columns: Some(layout.columns()),
        }],
        warnings,
    ))
}

/// The delimiter the header of `text` shows ([`sniff_delimiter`]); an error when two
/// delimiters split it alike and the rows do not tell them apart.
fn told_delimiter(name: &str, text: &[u8]) -> Result<Delimiter, FormatError> {
    match sniff_delimiter(text) {
        Sniffed::One(delimiter) => Ok(delimiter),
        Sniffed::Ambiguous(candidates, columns) => {
            let names: Vec<&str> = candidates.iter().map(|d| d.name()).collect();
            let first_line = 1 + text
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .filter(|b| **b == b'\n')
                .count() as u64;
            Err(FormatError::new(
                name,
                Location::Line(first_line),
                format!(
                    "cannot tell the delimiter: {} each split the header into {columns} columns, and the rows after it do not tell them apart; give --delimiter (e.g. --delimiter {})",
                    names.join(" and "),
                    names.first().copied().unwrap_or("comma")
                ),
            ))
        }
    }
}

/// The warning naming the rows that had fewer fields than the header (the first
/// [`SHORT_ROWS_SHOWN`] lines, then how many more); `None` when there were none.
fn short_rows_warning(name: &str, lines: &[u64], columns: usize) -> Option<String> {
    let count = lines.len();
    if count == 0 {
        return None;
    }
    let shown: Vec<String> = lines
        .iter()
        .take(SHORT_ROWS_SHOWN)
        .map(u64::to_string)
        .collect();
    let more = count.saturating_sub(SHORT_ROWS_SHOWN);
    Some(format!(
        "{name}: {count} {} fewer fields than the header ({columns}): line{} {}{}; the missing fields were read as empty: check that no value is lost",
        if count == 1 { "row has" } else { "rows have" },
        if count == 1 { "" } else { "s" },
        shown.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    ))
}

/// Reads the header row: its line, and the column names, trimmed, each once.
fn read_header<R: std::io::Read>(
    name: &str,
    reader: &mut CsvReader<'_, R>,
) -> Result<(u64, Vec<String>), FormatError> {
    let (line, headers) = reader
        .next_row()?
        .map(|row| (row.line(), row.trimmed()))
        .unwrap_or_default();
    if headers.iter().all(String::is_empty) {
        return Err(FormatError::new(
            name,
            Location::File,
            "the file is empty: a plain CSV starts with a header row",
        ));
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        if let Some(first) = seen.insert(h.as_str(), i) {
            return Err(FormatError::new(
                name,
                Location::Line(line),
                format!(
                    "columns {} and {} are both headed {h:?}: headers must be unique",
                    first + 1,
                    i + 1
                ),
            ));
        }
    }
    Ok((line, headers))
}

/// Which columns make the key and which fill which entry field.
struct Layout<'a> {
    headers: &'a [String],
    /// The key columns, in `--key` order, with the name the user gave.
    keys: Vec<(usize, &'a str)>,
    /// Entry field → column.
    mapping: BTreeMap<&'static str, usize>,
    /// Whether each column fills a field (the others go to `extra`).
    mapped: Vec<bool>,
}

impl<'a> Layout<'a> {
    /// The layout `options` give for `headers`.
    fn new(
        name: &str,
        headers: &'a [String],
        options: &'a ParseOptions,
    ) -> Result<Layout<'a>, FormatError> {
        let whole = |message: String| FormatError::new(name, Location::File, message);
        let find = |column: &str, what: &str| -> Result<usize, FormatError> {
            let wanted = column.trim();
            headers
                .iter()
                .position(|h| h == wanted)
                .or_else(|| headers.iter().position(|h| h.eq_ignore_ascii_case(wanted)))
                .ok_or_else(|| {
                    FormatError::new(
                        name,
                        Location::Line(1),
                        format!(
                            "{what}: no column {wanted:?}; the header has: {}",
                            headers
                                .iter()
                                .map(|h| format!("{h:?}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                })
        };
        let keys: Vec<(usize, &str)> = options
            .keys
            .iter()
            .map(|k| Ok((find(k, &format!("--key {k}"))?, k.as_str())))
            .collect::<Result<_, FormatError>>()?;

        let mut mapping: BTreeMap<&'static str, usize> = BTreeMap::new();
        if options.map.is_empty() {
            for field in FIELDS {
                if let Some(i) = headers.iter().position(|h| h.eq_ignore_ascii_case(field)) {
                    mapping.insert(field, i);
                }
            }
        } else {
            for (field, column) in &options.map {
                let wanted = field.trim().to_ascii_lowercase();
                let Some(field) = FIELDS.iter().copied().find(|f| *f == wanted) else {
                    return Err(whole(format!(
                        "--map {field}={column}: unknown field {field:?}; the fields are {}",
                        FIELDS.join(", ")
                    )));
                };
                let i = find(column, &format!("--map {field}={column}"))?;
                if mapping.insert(field, i).is_some() {
                    return Err(whole(format!(
                        "--map gives the field {field} twice: map each field to one column"
                    )));
                }
            }
        }
        if !mapping.contains_key("name") {
            return Err(whole(
                "no column gives the entry's name: give --map name=COLUMN".into(),
            ));
        }
        let mapped = (0..headers.len())
            .map(|i| mapping.values().any(|&c| c == i))
            .collect();
        Ok(Layout {
            headers,
            keys,
            mapping,
            mapped,
        })
    }

    /// The columns with a header and the fields they fill: each field a column is mapped to,
    /// else `extra.<header>`.
    fn columns(&self) -> Vec<Column> {
        let mut columns = Vec::new();
        for (i, header) in self.headers.iter().enumerate() {
            if header.is_empty() {
                continue;
            }
            let fields: Vec<&str> = self
                .mapping
                .iter()
                .filter(|&(_, &column)| column == i)
                .map(|(&field, _)| field)
                .collect();
            if fields.is_empty() {
                columns.push(Column {
                    header: header.clone(),
                    field: format!("extra.{header}"),
                });
            }
            for field in fields {
                columns.push(Column {
                    header: header.clone(),
                    field: field.to_string(),
                });
            }
        }
        columns
    }

    /// The entry of one row (missing fields read as empty); `key_lines` holds the line of
    /// every key seen so far.
    fn entry(
        &self,
        name: &str,
        row: &Row<'_>,
        key_lines: &mut HashMap<String, u64>,
    ) -> Result<Entry, FormatError> {
        let line = row.line();
        let at = |message: String| FormatError::new(name, Location::Line(line), message);
        let cells: Vec<String> = row.trimmed();
        let cell = |i: usize| cells.get(i).map_or("", String::as_str);
        let mut parts = Vec::with_capacity(self.keys.len());
        for &(i, key) in &self.keys {
            let value = cell(i);
            if value.is_empty() {
                return Err(at(format!("the key column {key:?} is empty")));
            }
            parts.push(value);
        }
        let key = parts.join(KEY_SEPARATOR);
        if let Some(first) = key_lines.insert(key.clone(), line) {
            return Err(at(format!(
                "the key \"{key}\" is also on line {first}: two rows cannot be one entry; add another --key column that tells them apart"
            )));
        }
        let id = EntryId::new(&key).map_err(|e| at(e.to_string()))?;
        let mut entry = Entry::new(id, "");
        for (&field, &i) in &self.mapping {
            self.fill(&mut entry, field, i, cell(i)).map_err(at)?;
        }
        for (i, header) in self.headers.iter().enumerate() {
            if !self.mapped.get(i).copied().unwrap_or(false) && !header.is_empty() {
                let value = cell(i);
                if !value.is_empty() {
                    entry
                        .extra
                        .insert(header.clone(), Value::String(value.to_string()));
                }
            }
        }
        Ok(entry)
    }

    /// Fills entry field `field` from `value`, the trimmed cell of column `column`; an error
    /// says what is wrong with the value.
    fn fill(
        &self,
        entry: &mut Entry,
        field: &str,
        column: usize,
        value: &str,
    ) -> Result<(), String> {
        let header = self.headers.get(column).map_or("", String::as_str);
        let list = || -> Vec<String> {
            value
                .split(';')
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect()
        };
        let some = || text::normalize(value);
        match field {
            "name" => entry.name = value.to_string(),
            "type" if !value.is_empty() => {
                entry.entry_type = Some(EntryType::parse(value).ok_or_else(|| {
                    format!(
                        "type {value:?} (column {header:?}): expected entity, individual, vessel or aircraft"
                    )
                })?);
            }
            "countries" => entry.countries.extend(list()),
            "aliases" => entry.aliases.extend(list()),
            "addresses" => entry.addresses.extend(list()),
            "programs" => entry.programs.extend(list()),
            "citations" => entry.citations.extend(list()),
            "reason" => entry.reason = some(),
            "license_requirement" => entry.license_requirement = some(),
            "license_policy" => entry.license_policy = some(),
            "listed_on" if !value.is_empty() => {
                entry.listed_on = Some(dates::iso(value).ok_or_else(|| {
                    format!(
                        "listed_on {value:?} (column {header:?}) is not a date: expected YYYY-MM-DD"
                    )
                })?);
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ListId;
    use chrono::NaiveDate;

    fn input(text: &[u8], keys: &[&str], map: &[(&str, &str)]) -> Input {
        let mut input = Input::single("t.csv", text.to_vec());
        input.options.list = Some(ListId::new("my-list").unwrap());
        input.options.keys = keys.iter().map(|k| k.to_string()).collect();
        input.options.map = map
            .iter()
            .map(|(f, c)| (f.to_string(), c.to_string()))
            .collect();
        input
    }

    fn entries(p: &ParsedPublication) -> &[Entry] {
        match &p.content {
            PublicationContent::Snapshot(e) => e,
            PublicationContent::Amendment(_) => panic!("expected a snapshot"),
        }
    }

    fn fixture(name: &str) -> Input {
        let path = format!("{}/tests/fixtures/csv/{name}", env!("CARGO_MANIFEST_DIR"));
        let mut input = input(
            &std::fs::read(&path).unwrap(),
            &["Entity Name"],
            &[
                ("name", "Entity Name"),
                ("aliases", "Also Known As"),
                ("programs", "UFLPA List"),
                ("listed_on", "Date Added"),
                ("citations", "Federal Register Notice"),
                ("countries", "Country"),
            ],
        );
        input.primary.name = path;
        input
    }

    #[test]
    fn uflpa_fixtures() {
        let (a, _) = parse(&fixture("uflpa-2024-06-12.csv")).unwrap();
        let (b, _) = parse(&fixture("uflpa-2024-11-01.csv")).unwrap();
        let (a, b) = (entries(&a[0]), entries(&b[0]));
        assert_eq!((a.len(), b.len()), (6, 6));
        let get = |e: &[Entry], id: &str| e.iter().find(|x| x.id.as_str() == id).cloned();
        let x = get(a, "Xinjiang Example Cotton Co., Ltd.").unwrap();
        assert_eq!(x.name, "Xinjiang Example Cotton Co., Ltd.");
        assert_eq!(x.aliases, vec!["Example Cotton", "XEC"]);
        assert_eq!(
            x.programs,
            vec!["Section 2(d)(2)(B)(i): produces goods with forced labor in the XUAR"]
        );
        assert_eq!(x.listed_on, NaiveDate::from_ymd_opt(2022, 6, 17));
        assert_eq!(x.countries, vec!["China"]);
        assert_eq!(x.citations, vec!["87 FR 47777"]);
        assert!(!x.extra.contains_key("Entity Name"));
        assert_eq!(
            x.extra["Notes"],
            "Listed in the June 2022 Enforcement Strategy."
        );
        // Removal, addition and a reason change (a citation appended).
        assert!(get(a, "Sample Polysilicon Materials Ltd.").is_some());
        assert!(get(b, "Sample Polysilicon Materials Ltd.").is_none());
        assert!(get(a, "Demo Seafood Processing Co.").is_none());
        assert!(get(b, "Demo Seafood Processing Co.").is_some());
        let (pa, pb) = (
            get(a, "Example Aluminum Group").unwrap(),
            get(b, "Example Aluminum Group").unwrap(),
        );
        assert_eq!(pa.citations.len() + 1, pb.citations.len());
    }

    #[test]
    fn default_mapping_by_header_and_composite_keys() {
        let text = b"\xEF\xBB\xBFSource,Ref,Name,Countries,Type,Remarks\nEL,1,Acme, China ; Iran ,entity,x\nDPL,1,Beta,,Individual,\n";
        let (p, _) = parse(&input(text, &["Source", "ref"], &[])).unwrap();
        let e = entries(&p[0]);
        assert_eq!(e[0].id.as_str(), "EL | 1");
        assert_eq!(e[0].countries, vec!["China", "Iran"]);
        assert_eq!(e[0].entry_type, Some(EntryType::Entity));
        assert_eq!(e[0].extra["Remarks"], "x");
        assert_eq!(e[0].extra["Source"], "EL");
        assert!(!e[0].extra.contains_key("Name"));
        assert_eq!(e[1].id.as_str(), "DPL | 1");
        assert_eq!(e[1].entry_type, Some(EntryType::Individual));
    }

    #[test]
    fn errors_are_clear() {
        let text = b"Id,Entity,When\n1,A,2020-01-02\n2,B,02/01/2020\n";
        let err = |keys: &[&str], map: &[(&str, &str)]| parse(&input(text, keys, map)).unwrap_err();

        let e = err(&["Id"], &[]);
        assert!(e.message.contains("--map name=COLUMN"), "{e}");
        let e = err(&[], &[("name", "Entity")]);
        assert!(e.message.contains("--key COLUMN"), "{e}");
        let e = err(&["Id"], &[("nme", "Entity")]);
        assert!(e.message.contains("unknown field \"nme\""), "{e}");
        let e = err(&["Id"], &[("name", "Entty")]);
        assert!(
            e.message.contains("no column \"Entty\"") && e.message.contains("\"Entity\""),
            "{e}"
        );
        let e = err(&["Id"], &[("name", "Entity"), ("listed_on", "When")]);
        assert_eq!(e.location, Location::Line(3));
        assert!(e.message.contains("expected YYYY-MM-DD"), "{e}");
        let e = err(&["Id"], &[("name", "Entity"), ("name", "When")]);
        assert!(e.message.contains("twice"), "{e}");

        let mut no_list = input(text, &["Id"], &[("name", "Entity")]);
        no_list.options.list = None;
        assert!(parse(&no_list).unwrap_err().message.contains("--list ID"));

        let dup = b"Id,Name\n1,A\n2,B\n1,C\n";
        let e = parse(&input(dup, &["Id"], &[])).unwrap_err();
        assert_eq!(e.location, Location::Line(4));
        assert!(
            e.message.contains("also on line 2") && e.message.contains("another --key"),
            "{e}"
        );

        let e = parse(&input(b"Id,Name\n1,A\n,B\n", &["Id"], &[])).unwrap_err();
        assert_eq!(e.location, Location::Line(3));
        let e = parse(&input(b"Id,Name\n1,A,extra\n", &["Id"], &[])).unwrap_err();
        assert_eq!(e.location, Location::Line(2));
        assert!(
            e.message.contains(
                "3 fields but the header (line 1) has 2: is a comma in a value not quoted?"
            ),
            "{e}"
        );
        let e = parse(&input(b"Id,Name\n1,  \n", &["Id"], &[])).unwrap_err();
        assert!(e.message.contains("empty name"), "{e}");
        let e = parse(&input(b"Id,Name,Type\n1,A,company\n", &["Id"], &[])).unwrap_err();
        assert!(e.message.contains("expected entity, individual"), "{e}");
        let e = parse(&input(b"Id,Id\n1,2\n", &["Id"], &[])).unwrap_err();
        assert!(e.message.contains("both headed"), "{e}");
        assert!(parse(&input(b"", &["Id"], &[])).is_err());
    }

    /// Issue 12: short rows padded (one warning), long rows refused, a cut last row refused;
    /// the delimiter told from the header or forced; the columns and the fields they fill.
    #[test]
    fn ragged_rows_delimiters_and_columns() {
        let (p, warnings) =
            parse(&input(b"\n\nId;Name;Note\n1;A\n2;B;x\n3;C\n", &["Id"], &[])).unwrap();
        assert_eq!(entries(&p[0]).len(), 3);
        assert_eq!(entries(&p[0])[1].extra["Note"], "x");
        assert_eq!(
            warnings,
            [
                "t.csv: 2 rows have fewer fields than the header (3): lines 4, 6; the missing fields were read as empty: check that no value is lost"
            ]
        );
        let e = parse(&input(b"Id;Name\n1;A\n2", &["Id"], &[])).unwrap_err();
        assert_eq!(e.location, Location::Line(3));
        assert!(e.message.contains("cut short"), "{e}");
        // A whole last row without a line end is no cut.
        assert!(parse(&input(b"Id;Name\n1;A\n2;B", &["Id"], &[])).is_ok());
        let e = parse(&input(b"Id,Name\n1,\"A\n2,B\n", &["Id"], &[])).unwrap_err();
        assert_eq!(e.location, Location::Line(2));
        assert!(e.message.contains("never closed"), "{e}");

        let mut forced = input(
            b"Id|Name,Alias\n1|A,B\n",
            &["Id"],
            &[("name", "Name,Alias")],
        );
        forced.options.delimiter = Some(Delimiter::Pipe);
        let (p, _) = parse(&forced).unwrap();
        assert_eq!(entries(&p[0])[0].name, "A,B");
        let e = parse(&input(b"\nA,B;C\n1,2;3\n", &["A"], &[])).unwrap_err();
        assert_eq!(e.location, Location::Line(2));
        assert!(e.message.contains("comma and semicolon"), "{e}");

        let (p, _) = parse(&input(
            b"Id,Entity,Type,Notes,\n1,A,entity,n,\n",
            &["Id"],
            &[("name", "Entity"), ("aliases", "Entity")],
        ))
        .unwrap();
        let columns: Vec<(String, String)> = p[0]
            .columns
            .iter()
            .flatten()
            .map(|c| (c.header.clone(), c.field.clone()))
            .collect();
        let pair = |h: &str, f: &str| (h.to_string(), f.to_string());
        assert_eq!(
            columns,
            [
                pair("Id", "extra.Id"),
                pair("Entity", "aliases"),
                pair("Entity", "name"),
                pair("Type", "extra.Type"),
                pair("Notes", "extra.Notes"),
            ]
        );
    }

    #[test]
    fn latin1_header_only_and_blank_rows() {
        let (p, _) = parse(&input(b"Id,Name\n1,Caf\xE9\n,\n", &["Id"], &[])).unwrap();
        assert_eq!(entries(&p[0])[0].name, "Café");
        assert_eq!(p[0].content.len(), 1);
        let (p, _) = parse(&input(b"Id,Name\n", &["Id"], &[])).unwrap();
        assert!(p[0].content.is_empty());
        assert_eq!(p[0].stated_date, None);
    }
}
