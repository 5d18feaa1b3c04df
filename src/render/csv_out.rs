//! CSV output: one header row, then one row per field change, entry, version, event or count.
//! List values are joined with `; ` and split back exactly ([`list_cell`]); `extra` is written as
//! JSON. A cell that begins like a spreadsheet formula is prefixed with `'` unless the output is
//! raw ([`CsvCells`]).

use std::borrow::Cow;
use std::io::{self, Write};

use serde_json::Value;

use crate::model::{
    AsOfReport, Baseline, Change, ChangeKind, ColumnChange, CountsReport, DiffReport, Entry,
    HistoryReport, ListsReport, LogEvent, LogReport, PublicationTime, SinceReport, Standing,
};

use super::CsvCells;

/// A list value as one cell: its items joined with `; `, each with `\` written for `\` and `\;`
/// for `;`, so that the cell splits back into exactly the items it was made of: read it left to
/// right, take the character after a `\` as it is, and end an item at each other `;` (dropping
/// the space after it). A list without `;` or `\` in its items reads as it always did
/// (`CAEP; Ninth Academy`); a UN address `Karachi, Pakistan; Phone 4979263` is written
/// `Karachi, Pakistan\; Phone 4979263`.
fn list_cell<S: AsRef<str>>(items: &[S]) -> String {
    let mut cell = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            cell.push_str("; ");
        }
        for c in item.as_ref().chars() {
            if matches!(c, '\\' | ';') {
                cell.push('\\');
            }
            cell.push(c);
        }
    }
    cell
}

/// A JSON value (a field's value before or after a change) as one cell: text as it is, a list
/// as [`list_cell`] writes it (items that are not text as JSON), null as empty, anything else
/// as JSON.
fn value_cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let items: Vec<String> = items
                .iter()
                .map(|item| match item {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            list_cell(&items)
        }
        other => other.to_string(),
    }
}

/// A CSV writer that guards cells as `cells` says.
struct Writer<'a> {
    csv: csv::Writer<&'a mut dyn Write>,
    cells: CsvCells,
}

impl<'a> Writer<'a> {
    fn new(out: &'a mut dyn Write, cells: CsvCells) -> Writer<'a> {
        Writer {
            csv: csv::WriterBuilder::new().from_writer(out),
            cells,
        }
    }

    /// Writes one row, each cell guarded (unless raw).
    fn write_record<I, S>(&mut self, row: I) -> io::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let cells = self.cells;
        self.csv
            .write_record(
                row.into_iter()
                    .map(|c| guarded(c.as_ref(), cells).into_owned()),
            )
            .map_err(csv_error)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.csv.flush()
    }
}

/// `text` as a cell: with [`CsvCells::Guarded`], prefixed with `'` when it begins with `=`, `+`,
/// `-`, `@`, a tab or a carriage return and is not just a number.
fn guarded(text: &str, cells: CsvCells) -> Cow<'_, str> {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if cells == CsvCells::Raw || !risky || is_number(text) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(format!("'{text}"))
    }
}

/// True when `text` is a decimal number with an optional sign: `-5`, `+7`, `-1.5`.
fn is_number(text: &str) -> bool {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && all_digits(fraction)
}

/// A CSV writer's error as an I/O error: a failed write as the error the writer met (so that a
/// closed pipe is told apart from other failures), anything else as an error of its own.
fn csv_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("cannot write CSV: {other:?}")),
    }
}

/// The columns of a change. `previous_id` (the id before, for an entry carried to a new id
/// when its list's key scheme changed; empty otherwise) is last, so that the columns before it
/// keep their places.
const CHANGE_HEADER: [&str; 11] = [
    "change",
    "list",
    "id",
    "name",
    "published",
    "event",
    "reason_changed",
    "field",
    "before",
    "after",
    "previous_id",
];

fn change_rows(change: &Change) -> Vec<Vec<String>> {
    let base = vec![
        change.kind.as_str().to_string(),
        change.list.to_string(),
        change.id.to_string(),
        change.name().to_string(),
        change.published.map(|d| d.to_string()).unwrap_or_default(),
        change.event.map(|s| s.to_string()).unwrap_or_default(),
        if change.kind == ChangeKind::Changed {
            change.reason_changed().to_string()
        } else {
            String::new()
        },
    ];
    let previous_id = change
        .previous_id
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    if change.fields.is_empty() {
        let mut row = base;
        row.extend([String::new(), String::new(), String::new(), previous_id]);
        return vec![row];
    }
    change
        .fields
        .iter()
        .map(|f| {
            let mut row = base.clone();
            row.extend([
                f.field.clone(),
                value_cell(&f.before),
                value_cell(&f.after),
                previous_id.clone(),
            ]);
            row
        })
        .collect()
}

/// A baseline as a row of the change columns: `change` is `baseline`, `id`, `name` and
/// `reason_changed` are empty, and `field` is `entries` with the count in `after`.
fn baseline_row(baseline: &Baseline) -> Vec<String> {
    vec![
        "baseline".to_string(),
        baseline.list.to_string(),
        String::new(),
        String::new(),
        baseline.published.to_string(),
        baseline.event.to_string(),
        String::new(),
        "entries".to_string(),
        String::new(),
        baseline.entries.to_string(),
        String::new(),
    ]
}

/// A plain CSV's column change as rows of the change columns: `change` is `column added` or
/// `column removed`, `field` the column's header; `id`, `name` and the rest are empty.
fn column_rows(columns: &ColumnChange) -> Vec<Vec<String>> {
    let list = columns
        .list
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let row = |kind: &str, header: &String| {
        let mut row = vec![kind.to_string(), list.clone()];
        row.extend(std::iter::repeat_n(String::new(), 5));
        row.extend([header.clone(), String::new(), String::new(), String::new()]);
        row
    };
    columns
        .added
        .iter()
        .map(|h| row("column added", h))
        .chain(columns.removed.iter().map(|h| row("column removed", h)))
        .collect()
}

pub(super) fn diff(out: &mut dyn Write, report: &DiffReport, cells: CsvCells) -> io::Result<()> {
    let mut w = Writer::new(out, cells);
    w.write_record(CHANGE_HEADER)?;
    for baseline in &report.baselines {
        w.write_record(baseline_row(baseline))?;
    }
    if let Some(columns) = &report.columns {
        for row in column_rows(columns) {
            w.write_record(row)?;
        }
    }
    for change in &report.changes {
        for row in change_rows(change) {
            w.write_record(&row)?;
        }
    }
    w.flush()
}

pub(super) fn since(out: &mut dyn Write, report: &SinceReport, cells: CsvCells) -> io::Result<()> {
    let mut w = Writer::new(out, cells);
    let mut header = vec!["source"];
    header.extend(CHANGE_HEADER);
    w.write_record(&header)?;
    for baseline in report.baselines() {
        let mut row = vec![baseline.source.clone()];
        row.extend(baseline_row(baseline));
        w.write_record(&row)?;
    }
    for publication in &report.publications {
        for change in &publication.changes {
            for row in change_rows(change) {
                let mut full = vec![publication.event.source.clone()];
                full.extend(row);
                w.write_record(&full)?;
            }
        }
    }
    w.flush()
}

const ENTRY_HEADER: [&str; 13] = [
    "id",
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
    "extra",
];

fn entry_cells(e: &Entry) -> Vec<String> {
    vec![
        e.id.to_string(),
        e.name.clone(),
        e.entry_type.map(|t| t.to_string()).unwrap_or_default(),
        list_cell(&e.countries),
        list_cell(&e.aliases),
        list_cell(&e.addresses),
        list_cell(&e.programs),
        e.reason.clone().unwrap_or_default(),
        e.license_requirement.clone().unwrap_or_default(),
        e.license_policy.clone().unwrap_or_default(),
        list_cell(&e.citations),
        e.listed_on.map(|d| d.to_string()).unwrap_or_default(),
        if e.extra.is_empty() {
            String::new()
        } else {
            serde_json::to_string(&e.extra).unwrap_or_default()
        },
    ]
}

pub(super) fn as_of(out: &mut dyn Write, report: &AsOfReport, cells: CsvCells) -> io::Result<()> {
    let mut w = Writer::new(out, cells);
    let mut header = vec!["list"];
    header.extend(ENTRY_HEADER);
    w.write_record(&header)?;
    for listed in &report.entries {
        let mut row = vec![listed.list.to_string()];
        row.extend(entry_cells(&listed.entry));
        w.write_record(&row)?;
    }
    w.flush()
}

pub(super) fn history(
    out: &mut dyn Write,
    report: &HistoryReport,
    cells: CsvCells,
) -> io::Result<()> {
    let mut w = Writer::new(out, cells);
    let mut header = vec!["list", "published", "event", "change"];
    header.extend(ENTRY_HEADER);
    // Last, so that the columns before it keep their places: the id before, on the version
    // that carried the entry to a new id.
    header.push("previous_id");
    w.write_record(&header)?;
    for h in &report.entries {
        for v in &h.versions {
            let mut row = vec![
                h.list.to_string(),
                v.published.to_string(),
                v.event.to_string(),
                v.change.to_string(),
            ];
            row.extend(entry_cells(&v.entry));
            row.push(
                v.previous_id
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            );
            w.write_record(&row)?;
        }
    }
    w.flush()
}

pub(super) fn log(out: &mut dyn Write, report: &LogReport, cells: CsvCells) -> io::Result<()> {
    let mut w = Writer::new(out, cells);
    w.write_record([
        "seq",
        "list",
        "published",
        "recorded",
        "kind",
        "source",
        "sha256",
        "format",
        "corrects",
        "counts",
        "corrected_by",
        "retracted_by",
        "retracts",
        "reason",
        "added",
        "removed",
        "changed",
    ])?;
    let number = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_default();
    for e in &report.events {
        let row = match e {
            LogEvent::Publication { event: e, standing } => {
                let (corrected_by, retracted_by, reason) = match standing {
                    Standing::Counts => (None, None, String::new()),
                    Standing::CorrectedBy(seq) => (Some(*seq), None, String::new()),
                    Standing::Retracted { by, reason } => (None, Some(*by), reason.clone()),
                };
                [
                    e.seq.to_string(),
                    e.list.to_string(),
                    e.published.to_string(),
                    e.recorded
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    e.kind.to_string(),
                    e.source.clone(),
                    e.sha256.clone(),
                    e.format.clone(),
                    number(e.supersedes),
                    (*standing == Standing::Counts).to_string(),
                    number(corrected_by),
                    number(retracted_by),
                    String::new(),
                    reason,
                    e.effect.added.to_string(),
                    e.effect.removed.to_string(),
                    e.effect.changed.to_string(),
                ]
            }
            LogEvent::Retraction(r) => [
                r.seq.to_string(),
                r.list.to_string(),
                String::new(),
                r.recorded
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "retraction".to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                r.retracts.to_string(),
                r.reason.clone(),
                r.effect.added.to_string(),
                r.effect.removed.to_string(),
                r.effect.changed.to_string(),
            ],
        };
        w.write_record(row)?;
    }
    w.flush()
}

pub(super) fn lists(out: &mut dyn Write, report: &ListsReport, cells: CsvCells) -> io::Result<()> {
    let mut w = Writer::new(out, cells);
    w.write_record([
        "list",
        "entries",
        "first_published",
        "last_published",
        "publications",
        "last_recorded",
        "formats",
    ])?;
    let date = |d: Option<PublicationTime>| d.map(|d| d.to_string()).unwrap_or_default();
    for l in &report.lists {
        w.write_record([
            l.list.to_string(),
            l.entries.to_string(),
            date(l.first_published),
            date(l.last_published),
            l.publications.to_string(),
            l.last_recorded
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default(),
            list_cell(&l.formats),
        ])?;
    }
    w.flush()
}

pub(super) fn counts(
    out: &mut dyn Write,
    report: &CountsReport,
    cells: CsvCells,
) -> io::Result<()> {
    let mut w = Writer::new(out, cells);
    w.write_record([
        "list",
        "scope",
        "published",
        "event",
        "source",
        "entries",
        "added",
        "removed",
        "changed",
        "reason_changes",
    ])?;
    let number = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_default();
    for row in &report.rows {
        w.write_record([
            row.list.to_string(),
            row.scope.as_str().to_string(),
            row.published.map(|d| d.to_string()).unwrap_or_default(),
            number(row.event),
            row.source.clone().unwrap_or_default(),
            number(row.entries),
            number(row.added),
            number(row.removed),
            number(row.changed),
            number(row.reason_changes),
        ])?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits a cell as [`list_cell`] says it splits.
    fn split(cell: &str) -> Vec<String> {
        if cell.is_empty() {
            return Vec::new();
        }
        let mut items = vec![String::new()];
        let mut chars = cell.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => items.last_mut().unwrap().extend(chars.next()),
                ';' => {
                    chars.next();
                    items.push(String::new());
                }
                c => items.last_mut().unwrap().push(c),
            }
        }
        items
    }

    proptest::proptest! {
        #[test]
        fn list_cells_split_back_exactly(items in proptest::collection::vec("[a; \\\\]{1,6}", 0..5)) {
            // Items as entries hold them: not empty, no space at either end.
            let items: Vec<String> = items
                .into_iter()
                .map(|i| i.trim().to_string())
                .filter(|i| !i.is_empty())
                .collect();
            proptest::prop_assert_eq!(split(&list_cell(&items)), items);
        }
    }

    #[test]
    fn list_cells_escape_only_what_they_must() {
        assert_eq!(list_cell(&["CAEP", "Ninth Academy"]), "CAEP; Ninth Academy");
        assert_eq!(
            list_cell(&["Karachi, Pakistan; Phone 4979263", r"C:\x"]),
            r"Karachi, Pakistan\; Phone 4979263; C:\\x"
        );
        assert_eq!(list_cell::<&str>(&[]), "");
        assert_eq!(
            value_cell(&serde_json::json!(["a;b", 5])),
            r"a\;b; 5",
            "items that are not text as JSON"
        );
        assert_eq!(
            value_cell(&serde_json::json!("a; b")),
            "a; b",
            "text is not a list"
        );
    }

    #[test]
    fn cells_beginning_like_a_formula_are_prefixed_unless_raw_or_a_number() {
        for risky in [
            "=1+1", "+cmd", "-2+3", "@SUM(1)", "\t=1", "\r=1", "- note", "-", "+",
        ] {
            assert_eq!(guarded(risky, CsvCells::Guarded), format!("'{risky}"));
            assert_eq!(guarded(risky, CsvCells::Raw), risky);
        }
        for safe in ["-5", "+7", "-1.5", "12", "Acme", "", "a=b", " =1", "'=1"] {
            assert_eq!(guarded(safe, CsvCells::Guarded), safe);
        }
        for not_a_number in ["-1.", "-.5", "-1.5.2", "-1e5", "--5"] {
            assert_eq!(
                guarded(not_a_number, CsvCells::Guarded),
                format!("'{not_a_number}")
            );
        }
    }
}
