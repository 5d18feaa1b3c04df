//! Output: the model's reports as a table (for people), JSON, NDJSON or CSV (for programs).
//!
//! Renderers write to the writer they are given and never decide where output goes or whether
//! it is a terminal: the caller says so through [`Style`].

mod csv_out;
mod grid;
mod json;
mod table;

// Reparse reports.
pub mod reparse;

use std::io::{self, Write};

use crate::model::{
    AsOfReport, Basis, CountsReport, DiffReport, EntryFilter, HistoryReport, ListsReport,
    LogReport, SinceReport,
};

/// An output format (`-o`). The command line's names for them are in `cli`; render knows
/// nothing of argument parsing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// Aligned text for reading in a terminal.
    Table,
    /// One pretty-printed JSON document.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// Comma-separated values with a header row.
    Csv,
}

impl OutputFormat {
    /// Every output format, in the order `--help` lists them.
    pub const ALL: [OutputFormat; 4] = [
        OutputFormat::Table,
        OutputFormat::Json,
        OutputFormat::Ndjson,
        OutputFormat::Csv,
    ];

    /// The format's name (`-o NAME`).
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Table => "table",
            OutputFormat::Json => "json",
            OutputFormat::Ndjson => "ndjson",
            OutputFormat::Csv => "csv",
        }
    }

    /// One line on what the format is for.
    pub fn description(self) -> &'static str {
        match self {
            OutputFormat::Table => "Aligned text for reading in a terminal",
            OutputFormat::Json => "One pretty-printed JSON document",
            OutputFormat::Ndjson => "One JSON object per line",
            OutputFormat::Csv => "Comma-separated values with a header row",
        }
    }
}

/// How output should look: colour in tables, how wide tables may be, and how CSV writes cells a
/// spreadsheet would run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Style {
    /// Use ANSI colours (deleted words red, inserted words green).
    pub color: bool,
    /// How CSV output writes cells that begin like a spreadsheet formula.
    pub csv: CsvCells,
    /// The columns a table may take, its text wrapped within them; `None`: as wide as its
    /// content (output that is not a terminal).
    pub width: Option<u16>,
}

/// How CSV output writes a cell that a spreadsheet would run as a formula (one beginning with
/// `=`, `+`, `-`, `@`, a tab or a carriage return: OWASP's list for CSV injection).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CsvCells {
    /// Prefix such a cell with `'`, so that spreadsheets show it as text; a cell that is only a
    /// number (`-5`, `+7`, `-1.5`) is written as it is, since a spreadsheet reads it as that
    /// number and runs nothing.
    #[default]
    Guarded,
    /// Write every cell exactly (`--csv-raw`).
    Raw,
}

/// Prints a diff (also `compare`).
pub fn diff(
    out: &mut dyn Write,
    report: &DiffReport,
    format: OutputFormat,
    style: Style,
) -> io::Result<()> {
    match format {
        OutputFormat::Table => table::diff(out, report, style),
        OutputFormat::Json => json::diff(out, report),
        OutputFormat::Ndjson => json::diff_ndjson(out, report),
        OutputFormat::Csv => csv_out::diff(out, report, style.csv),
    }
}

/// Prints what changed since a date.
pub fn since(
    out: &mut dyn Write,
    report: &SinceReport,
    format: OutputFormat,
    style: Style,
) -> io::Result<()> {
    match format {
        OutputFormat::Table => table::since(out, report, style),
        OutputFormat::Json => json::since(out, report),
        OutputFormat::Ndjson => json::since_ndjson(out, report),
        OutputFormat::Csv => csv_out::since(out, report, style.csv),
    }
}

/// Prints the entries in force on a date.
pub fn as_of(
    out: &mut dyn Write,
    report: &AsOfReport,
    format: OutputFormat,
    style: Style,
) -> io::Result<()> {
    match format {
        OutputFormat::Table => table::as_of(out, report, style),
        OutputFormat::Json => json::as_of(out, report),
        OutputFormat::Ndjson => json::as_of_ndjson(out, report),
        OutputFormat::Csv => csv_out::as_of(out, report, style.csv),
    }
}

/// Writes entries in force as JSON or NDJSON straight from their stored canonical JSON, one at a
/// time: the output of `as-of` for any size of list. Call [`RawEntries::entry`] for each entry,
/// then [`RawEntries::finish`]. JSON gives the filter (when there is one) and the basis before
/// the entries (`{"as_of", "filter"?, "basis": [...], "entries": [...]}`); NDJSON after them, a
/// `{"filter": …}` line and one `{"basis": …}` line per list.
pub struct RawEntries {
    format: OutputFormat,
    count: usize,
    basis: Basis,
    filter: EntryFilter,
}

impl RawEntries {
    /// Starts the output; `None` when `format` is not JSON or NDJSON.
    pub fn begin(
        out: &mut dyn Write,
        format: OutputFormat,
        as_of: chrono::NaiveDate,
        basis: &Basis,
        filter: &EntryFilter,
    ) -> io::Result<Option<RawEntries>> {
        match format {
            OutputFormat::Json => {
                write!(out, "{{\n  \"as_of\": \"{as_of}\",")?;
                if let Some(json) = json::FilterJson::of(filter) {
                    out.write_all(b"\n  \"filter\": ")?;
                    let text = serde_json::to_string_pretty(&json)?;
                    out.write_all(text.replace('\n', "\n  ").as_bytes())?;
                    out.write_all(b",")?;
                }
                out.write_all(b"\n  \"basis\": [")?;
                for (i, list) in basis.lists.iter().enumerate() {
                    out.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
                    serde_json::to_writer(&mut *out, &json::BasisJson::new(list, basis.asked))?;
                }
                if !basis.lists.is_empty() {
                    out.write_all(b"\n  ")?;
                }
                out.write_all(b"],\n  \"entries\": [")?;
            }
            OutputFormat::Ndjson => {}
            _ => return Ok(None),
        }
        Ok(Some(RawEntries {
            format,
            count: 0,
            basis: basis.clone(),
            filter: filter.clone(),
        }))
    }

    /// Writes one entry: its list and its canonical JSON (an object).
    pub fn entry(
        &mut self,
        out: &mut dyn Write,
        list: &crate::model::ListId,
        json: &[u8],
    ) -> io::Result<()> {
        let fields = json.strip_prefix(b"{").unwrap_or(json);
        if self.format == OutputFormat::Json {
            out.write_all(if self.count == 0 {
                b"\n    "
            } else {
                b",\n    "
            })?;
        }
        write!(out, "{{\"list\":{},", serde_json::to_string(list.as_str())?)?;
        out.write_all(fields)?;
        if self.format == OutputFormat::Ndjson {
            out.write_all(b"\n")?;
        }
        self.count += 1;
        Ok(())
    }

    /// Ends the output.
    pub fn finish(self, out: &mut dyn Write) -> io::Result<()> {
        match self.format {
            OutputFormat::Json => {
                if self.count > 0 {
                    out.write_all(b"\n  ")?;
                }
                out.write_all(b"]\n}\n")
            }
            _ => {
                json::filter_line(out, &self.filter)?;
                json::basis_lines(out, &self.basis)
            }
        }
    }
}

/// Prints entry histories.
pub fn history(
    out: &mut dyn Write,
    report: &HistoryReport,
    format: OutputFormat,
    style: Style,
) -> io::Result<()> {
    match format {
        OutputFormat::Table => table::history(out, report, style),
        OutputFormat::Json => json::history(out, report),
        OutputFormat::Ndjson => json::history_ndjson(out, report),
        OutputFormat::Csv => csv_out::history(out, report, style.csv),
    }
}

/// Prints an answer summed up (`--counts`).
pub fn counts(
    out: &mut dyn Write,
    report: &CountsReport,
    format: OutputFormat,
    style: Style,
) -> io::Result<()> {
    match format {
        OutputFormat::Table => table::counts(out, report, style),
        OutputFormat::Json => json::counts(out, report),
        OutputFormat::Ndjson => json::counts_ndjson(out, report),
        OutputFormat::Csv => csv_out::counts(out, report, style.csv),
    }
}

/// The line that says what an answer keeps (`filter: program ZIMBABWE; type individual`), as a
/// table shows it under the answer; `None` without a filter. For output formats that carry no
/// filter themselves (CSV), to print on standard error.
pub fn filter_line(filter: &EntryFilter) -> Option<String> {
    (!filter.is_empty()).then(|| format!("filter: {filter}"))
}

/// Prints the lists of the store.
pub fn lists(
    out: &mut dyn Write,
    report: &ListsReport,
    format: OutputFormat,
    style: Style,
) -> io::Result<()> {
    match format {
        OutputFormat::Table => table::lists(out, report, style),
        OutputFormat::Json => json::lists(out, report),
        OutputFormat::Ndjson => json::lists_ndjson(out, report),
        OutputFormat::Csv => csv_out::lists(out, report, style.csv),
    }
}

/// The lines that say what an answer stands on, one per list, as a table shows them under the
/// answer (`basis: us-ofac-sdn published 2024-05-03 (event 308), 622 days before 2026-01-15`).
/// For output formats that carry no basis themselves (CSV), to print on standard error.
pub fn basis_lines(basis: &Basis) -> Vec<String> {
    basis
        .lists
        .iter()
        .map(|list| table::basis_line(list, basis.asked))
        .collect()
}

/// Prints the event log.
pub fn log(
    out: &mut dyn Write,
    report: &LogReport,
    format: OutputFormat,
    style: Style,
) -> io::Result<()> {
    match format {
        OutputFormat::Table => table::log(out, report, style),
        OutputFormat::Json => json::log(out, report),
        OutputFormat::Ndjson => json::log_ndjson(out, report),
        OutputFormat::Csv => csv_out::log(out, report, style.csv),
    }
}

/// A list value as a table shows it: items joined with `; `.
fn joined(items: &[String]) -> String {
    items.join("; ")
}

/// A JSON value as a table shows it: strings as they are, lists joined with `; `, null as
/// empty.
fn cell(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}
