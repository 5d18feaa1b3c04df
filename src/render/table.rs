//! Text output for people: changes grouped by publication, word-level differences of reason
//! text (`[-deleted-]{+inserted+}`, or red and green on a colour terminal), and tables.

use std::io::{self, Write};

use anstyle::{AnsiColor, Effects, Style as Ansi};
use comfy_table::{ContentArrangement, LineStyle, Table, TableStyle};

use chrono::NaiveDate;

use crate::model::text::{WordOp, quote_bounded, visible};
use crate::model::{
    AsOfReport, Baseline, Basis, Change, ChangeKind, ColumnChange, CountsReport, DiffReport, Entry,
    EntryFilter, FieldChange, HistoryReport, ListBasis, ListId, ListsReport, LogEvent, LogReport,
    PublicationKind, PublicationTime, SinceReport, Standing, VersionChange,
};

use super::grid::{Columns, Rows};
use super::{Style, cell, joined};

const PLAIN: TableStyle = TableStyle::new();
const HEADED: TableStyle =
    TableStyle::new().header_separator(LineStyle::none().fill('─').junction(' '));

/// Text from an input as a table shows it: control and bidi characters escaped (a tab or line
/// break inside a value too, as `\t` and `\n`: the table lays out its own lines).
fn shown(text: &str) -> String {
    visible(text).into_owned()
}

/// Writes a table without the trailing blanks its padding leaves at the end of lines.
fn write_table(out: &mut dyn Write, table: &Table) -> io::Result<()> {
    for line in table.lines() {
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// Writes a headed table of `header` and the rows `rows` gives, in the table library's layout;
/// without a width to wrap within, streamed ([`Columns`]): measured in one pass over the rows and
/// written in a second, holding no row, for the tables that grow with a list.
fn write_headed(
    out: &mut dyn Write,
    width: Option<u16>,
    header: &[&str],
    rows: Rows<'_>,
) -> io::Result<()> {
    if width.is_none()
        && let Some(columns) = Columns::measure(header, rows)?
    {
        return columns.write(out, header, rows);
    }
    write_headed_held(out, width, header, rows)
}

/// Writes a headed table of `header` and the rows `rows` gives through the table library, every
/// row held: for text wrapped within a width, and the cells a streamed table leaves to the
/// library (and, in the tests, the reference a streamed table's bytes are compared with).
fn write_headed_held(
    out: &mut dyn Write,
    width: Option<u16>,
    header: &[&str],
    rows: Rows<'_>,
) -> io::Result<()> {
    let mut table = new_table(HEADED, width);
    table.set_header(header.to_vec());
    rows(&mut |cells| {
        table.add_row(cells.to_vec());
        Ok(())
    })?;
    write_table(out, &table)
}

/// A table in `style`, its text wrapped within `width` columns when given; without, as wide as
/// its content (the table library is not let guess: a terminal that reports no width would have
/// every column cut to one character).
fn new_table(style: TableStyle, width: Option<u16>) -> Table {
    let mut table = Table::new();
    table
        .load_style(style)
        .set_content_arrangement(ContentArrangement::Dynamic);
    match width {
        Some(width) => table.set_width(width),
        None => table.force_no_tty(),
    };
    table
}

struct Paint {
    on: bool,
}

impl Paint {
    fn paint(&self, style: Ansi, text: &str) -> String {
        if self.on && !text.is_empty() {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }

    fn deleted(&self, text: &str) -> String {
        if self.on {
            self.paint(
                Ansi::new()
                    .fg_color(Some(AnsiColor::Red.into()))
                    .effects(Effects::STRIKETHROUGH),
                text,
            )
        } else {
            format!("[-{text}-]")
        }
    }

    fn inserted(&self, text: &str) -> String {
        if self.on {
            self.paint(
                Ansi::new()
                    .fg_color(Some(AnsiColor::Green.into()))
                    .effects(Effects::BOLD),
                text,
            )
        } else {
            format!("{{+{text}+}}")
        }
    }

    fn bold(&self, text: &str) -> String {
        self.paint(Ansi::new().effects(Effects::BOLD), text)
    }

    fn dim(&self, text: &str) -> String {
        self.paint(Ansi::new().effects(Effects::DIMMED), text)
    }

    fn marker(&self, kind: ChangeKind) -> String {
        let (mark, color) = match kind {
            ChangeKind::Added => ("+", AnsiColor::Green),
            ChangeKind::Removed => ("-", AnsiColor::Red),
            ChangeKind::Changed => ("~", AnsiColor::Yellow),
        };
        self.paint(
            Ansi::new()
                .fg_color(Some(color.into()))
                .effects(Effects::BOLD),
            mark,
        )
    }
}

/// The word-level rendering of one changed field.
fn field_line(paint: &Paint, field: &FieldChange) -> String {
    let body = if !field.words.is_empty() {
        field
            .words
            .iter()
            .map(|span| match span.op {
                WordOp::Equal => shown(&span.text),
                WordOp::Delete => paint.deleted(&shown(&span.text)),
                WordOp::Insert => paint.inserted(&shown(&span.text)),
            })
            .collect::<String>()
    } else if !field.added.is_empty() || !field.removed.is_empty() {
        field
            .removed
            .iter()
            .map(|i| paint.deleted(&shown(i)))
            .chain(field.added.iter().map(|i| paint.inserted(&shown(i))))
            .collect::<Vec<_>>()
            .join("; ")
    } else {
        let before = shown(&cell(&field.before));
        let after = shown(&cell(&field.after));
        match (before.is_empty(), after.is_empty()) {
            (true, _) => paint.inserted(&after),
            (_, true) => paint.deleted(&before),
            _ => format!("{} {}", paint.deleted(&before), paint.inserted(&after)),
        }
    };
    format!("{}: {body}", paint.dim(&shown(&field.field)))
}

fn truncated(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max).collect();
        format!("{}…", cut.trim_end())
    }
}

/// The key facts of an entry, on one line: type, countries, programs, licence policy, reason.
fn summary(entry: &Entry) -> String {
    let mut parts = Vec::new();
    if let Some(t) = entry.entry_type {
        parts.push(t.to_string());
    }
    if !entry.countries.is_empty() {
        parts.push(shown(&joined(&entry.countries)));
    }
    if !entry.programs.is_empty() {
        parts.push(shown(&joined(&entry.programs)));
    }
    if let Some(policy) = &entry.license_policy {
        parts.push(shown(&truncated(policy, 60)));
    }
    if let Some(reason) = &entry.reason {
        parts.push(shown(&truncated(reason, 100)));
    }
    parts.join(" · ")
}

/// The publication an entry's version cites last (for the Entity List, the Federal Register
/// rule that listed or last revised it), as ` · cited 88 FR 12174, 2/27/23`; empty when it
/// cites none.
fn cited(entry: &Entry) -> String {
    entry
        .citations
        .last()
        .map(|citation| format!(" · cited {}", shown(&truncated(citation, 60))))
        .unwrap_or_default()
}

fn details(paint: &Paint, change: &Change) -> String {
    match change.kind {
        ChangeKind::Changed => {
            let mut lines: Vec<String> =
                change.fields.iter().map(|f| field_line(paint, f)).collect();
            if change.changed_id() {
                lines.insert(0, paint.dim("new id (key scheme changed)"));
            }
            if change.reason_changed() {
                lines.insert(0, paint.bold("reason change"));
            }
            lines.join("\n")
        }
        _ => summary(change.entry()),
    }
}

fn change_table(
    paint: &Paint,
    changes: &[Change],
    (show_list, show_published): (bool, bool),
    width: Option<u16>,
) -> Table {
    let mut table = new_table(PLAIN, width);
    for change in changes {
        let mut row = vec![paint.marker(change.kind)];
        if show_list {
            row.push(change.list.to_string());
        }
        row.push(id_cell(paint, change));
        row.push(shown(change.name()));
        if show_published {
            row.push(change.published.map(|d| d.to_string()).unwrap_or_default());
        }
        row.push(details(paint, change));
        table.add_row(row);
    }
    table
}

/// A change's id; for an entry carried to a new id, the new id with the one before under it.
fn id_cell(paint: &Paint, change: &Change) -> String {
    let id = shown(change.id.as_str());
    match &change.previous_id {
        Some(previous) => format!(
            "{id}\n{}",
            paint.dim(&format!("was {}", shown(previous.as_str())))
        ),
        None => id,
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn totals(report: &DiffReport) -> String {
    let carried = report.changes.iter().filter(|c| c.changed_id()).count();
    let carried = match carried {
        0 => String::new(),
        n => format!("; {n} carried to new ids"),
    };
    format!(
        "{} added, {} removed, {} changed ({}{carried})",
        report.count(ChangeKind::Added),
        report.count(ChangeKind::Removed),
        report.count(ChangeKind::Changed),
        plural(report.reason_changes(), "reason change", "reason changes"),
    )
}

fn several_lists(changes: &[Change]) -> bool {
    changes.windows(2).any(|w| w[0].list != w[1].list)
}

/// The line naming the columns a plain CSV gained and lost: `columns added: A, B; removed: C`.
fn columns_line(columns: &ColumnChange) -> String {
    let names = |headers: &[String]| {
        headers
            .iter()
            .map(|h| shown(h))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (columns.added.is_empty(), columns.removed.is_empty()) {
        (false, false) => format!(
            "columns added: {}; removed: {}",
            names(&columns.added),
            names(&columns.removed)
        ),
        (false, true) => format!("columns added: {}", names(&columns.added)),
        (true, _) => format!("columns removed: {}", names(&columns.removed)),
    }
}

pub(super) fn diff(out: &mut dyn Write, report: &DiffReport, style: Style) -> io::Result<()> {
    let paint = Paint { on: style.color };
    write_baselines(out, &paint, &report.baselines)?;
    if let Some(columns) = report.columns.as_ref().filter(|c| !c.is_empty()) {
        writeln!(out, "{}", columns_line(columns))?;
        writeln!(out)?;
    }
    if !report.changes.is_empty() {
        let table = change_table(
            &paint,
            &report.changes,
            (several_lists(&report.changes), true),
            style.width,
        );
        write_table(out, &table)?;
        writeln!(out)?;
    }
    let span = match (report.from, report.to) {
        (Some(from), Some(to)) => format!("From the end of {from} to the end of {to}: "),
        _ => String::new(),
    };
    let summary = match baseline_lists(&report.baselines) {
        None => totals(report),
        Some(lists) if report.changes.is_empty() => {
            format!("{lists}, and no change after it")
        }
        Some(lists) => format!("{}, besides {lists}", totals(report)),
    };
    writeln!(out, "{span}{summary}")?;
    write_filter(out, &report.filter)?;
    write_grounds(out, report.from.zip(report.to), report.basis.as_ref())
}

/// The line that says what an answer keeps, when it is filtered.
fn write_filter(out: &mut dyn Write, filter: &EntryFilter) -> io::Result<()> {
    match super::filter_line(filter) {
        Some(line) => writeln!(out, "{}", shown(&line)),
        None => Ok(()),
    }
}

/// `n` with a comma between thousands: `9,083`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// `1 day`, `948 days`.
fn days(n: u64) -> String {
    if n == 1 {
        "1 day".to_string()
    } else {
        format!("{} days", thousands(n))
    }
}

/// The line naming the publication one list's part of an answer reads, and its age on `asked`.
pub(super) fn basis_line(basis: &ListBasis, asked: NaiveDate) -> String {
    let list = &basis.list;
    match (basis.read, basis.first_published) {
        (Some(read), _) => format!(
            "basis: {list} published {} (event {}), {} before {asked}",
            read.published,
            read.event,
            days(read.age_days)
        ),
        (None, Some(first)) => format!(
            "basis: {list}: no publication recorded on or before {asked} (its first is dated {first})"
        ),
        (None, None) => format!("basis: {list}: no publication recorded"),
    }
}

/// The lines under an answer that say what it stands on.
fn write_basis(out: &mut dyn Write, basis: &Basis) -> io::Result<()> {
    for list in &basis.lists {
        writeln!(out, "{}", basis_line(list, basis.asked))?;
    }
    Ok(())
}

/// Under a diff or a since: for each list with no publication in the window between `from`
/// and `to`, a line saying so, then the basis.
fn write_grounds(
    out: &mut dyn Write,
    window: Option<(NaiveDate, NaiveDate)>,
    basis: Option<&Basis>,
) -> io::Result<()> {
    let Some(basis) = basis else {
        return Ok(());
    };
    let Some((from, to)) = window else {
        return write_basis(out, basis);
    };
    let (start, end) = (from.min(to), from.max(to));
    for list in &basis.lists {
        let Some(read) = list.read else {
            continue;
        };
        if read.published.date > start {
            continue;
        }
        if list.last_published == Some(read.published) {
            writeln!(
                out,
                "no publication of {} after {} is recorded",
                list.list, read.published
            )?;
        } else {
            let first_day = start.succ_opt().unwrap_or(start);
            writeln!(
                out,
                "no publication of {} dated {first_day} to {end} is recorded",
                list.list
            )?;
        }
    }
    write_basis(out, basis)
}

/// One line per baseline, then a blank line.
fn write_baselines(out: &mut dyn Write, paint: &Paint, baselines: &[Baseline]) -> io::Result<()> {
    for baseline in baselines {
        let kind = match baseline.kind {
            PublicationKind::Snapshot => String::new(),
            PublicationKind::Amendment => {
                " (an amendment: the list before it is not recorded)".to_string()
            }
        };
        let line = format!(
            "baseline: {} {}{kind}, event {}, {} in force when the history begins",
            baseline.list,
            baseline.published,
            baseline.event,
            plural_thousands(baseline.entries, "entry", "entries"),
        );
        writeln!(out, "{}", paint.bold(&line))?;
    }
    if !baselines.is_empty() {
        writeln!(out)?;
    }
    Ok(())
}

fn plural_thousands(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// `the baseline of a` / `the baselines of a and b`, or `None` without baselines.
fn baseline_lists(baselines: &[Baseline]) -> Option<String> {
    let lists: Vec<&ListId> = baselines.iter().map(|b| &b.list).collect();
    match lists.as_slice() {
        [] => None,
        [one] => Some(format!("the baseline of {one}")),
        [init @ .., last] => Some(format!(
            "the baselines of {} and {last}",
            init.iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

pub(super) fn since(out: &mut dyn Write, report: &SinceReport, style: Style) -> io::Result<()> {
    let paint = Paint { on: style.color };
    let show_list = report
        .publications
        .windows(2)
        .any(|w| w[0].event.list != w[1].event.list);
    write_baselines(out, &paint, report.baselines())?;
    for publication in &report.publications {
        let e = &publication.event;
        let heading = format!(
            "{} · {} · {} · {} · event {}",
            e.published,
            e.list,
            e.kind,
            shown(&e.source),
            e.seq
        );
        writeln!(out, "{}", paint.bold(&heading))?;
        if publication.changes.is_empty() {
            writeln!(out, "  (no changes)")?;
        } else {
            write_table(
                out,
                &change_table(
                    &paint,
                    &publication.changes,
                    (show_list, false),
                    style.width,
                ),
            )?;
        }
        writeln!(out)?;
    }
    let publications = plural(report.publications.len(), "publication", "publications");
    let summary = match baseline_lists(report.baselines()) {
        None => format!("{publications}; net {}", totals(&report.net)),
        Some(lists) if report.publications.is_empty() => {
            format!("{lists}, and no publication after it; no changes")
        }
        Some(lists) => format!(
            "{publications} besides {lists}; net {}",
            totals(&report.net)
        ),
    };
    writeln!(
        out,
        "Since {} (through {}): {summary}",
        report.since, report.until,
    )?;
    write_filter(out, &report.net.filter)?;
    write_grounds(
        out,
        report.net.from.zip(report.net.to),
        report.net.basis.as_ref(),
    )
}

pub(super) fn as_of(out: &mut dyn Write, report: &AsOfReport, style: Style) -> io::Result<()> {
    let entries = &report.entries;
    let several = entries.windows(2).any(|w| w[0].list != w[1].list);
    let any = |f: &dyn Fn(&Entry) -> bool| entries.iter().any(|e| f(&e.entry));
    type Column = Box<dyn Fn(&Entry) -> String>;
    let columns: Vec<(&str, Column)> = [
        ("Id", true, Box::new(|e: &Entry| e.id.to_string()) as Column),
        ("Name", true, Box::new(|e: &Entry| e.name.clone())),
        (
            "Type",
            any(&|e| e.entry_type.is_some()),
            Box::new(|e: &Entry| e.entry_type.map(|t| t.to_string()).unwrap_or_default()),
        ),
        (
            "Countries",
            any(&|e| !e.countries.is_empty()),
            Box::new(|e: &Entry| joined(&e.countries)),
        ),
        (
            "Programs",
            any(&|e| !e.programs.is_empty()),
            Box::new(|e: &Entry| joined(&e.programs)),
        ),
        (
            "License policy",
            any(&|e| e.license_policy.is_some()),
            Box::new(|e: &Entry| e.license_policy.clone().unwrap_or_default()),
        ),
        (
            "Citations",
            any(&|e| !e.citations.is_empty()),
            Box::new(|e: &Entry| joined(&e.citations)),
        ),
        (
            "Listed on",
            any(&|e| e.listed_on.is_some()),
            Box::new(|e: &Entry| e.listed_on.map(|d| d.to_string()).unwrap_or_default()),
        ),
    ]
    .into_iter()
    .filter(|(_, shown, _)| *shown)
    .map(|(name, _, f)| (name, f))
    .collect();
    let mut header: Vec<&str> = Vec::new();
    if several {
        header.push("List");
    }
    header.extend(columns.iter().map(|(name, _)| *name));
    let rows = |emit: &mut dyn FnMut(&[String]) -> io::Result<()>| -> io::Result<()> {
        let mut row = Vec::with_capacity(header.len());
        for listed in entries {
            row.clear();
            if several {
                row.push(listed.list.to_string());
            }
            row.extend(columns.iter().map(|(_, f)| shown(&f(&listed.entry))));
            emit(&row)?;
        }
        Ok(())
    };
    if !entries.is_empty() {
        write_headed(out, style.width, &header, &rows)?;
        writeln!(out)?;
    }
    writeln!(
        out,
        "{} in force at the end of {}",
        plural(entries.len(), "entry", "entries"),
        report.as_of
    )?;
    write_filter(out, &report.filter)?;
    write_basis(out, &report.basis)
}

pub(super) fn history(out: &mut dyn Write, report: &HistoryReport, style: Style) -> io::Result<()> {
    let paint = Paint { on: style.color };
    if report.entries.is_empty() && report.excluded == 0 {
        write_closest(out, report, style)?;
        write_filter(out, &report.filter)?;
        return write_basis(out, &report.basis);
    }
    for h in &report.entries {
        let matched = h
            .matched
            .as_ref()
            .map(|name| format!(" · matched \"{}\"", shown(name)))
            .unwrap_or_default();
        let matched = if h.previous_ids.is_empty() {
            matched
        } else {
            let ids: Vec<String> = h.previous_ids.iter().map(|id| shown(id.as_str())).collect();
            let label = if ids.len() == 1 {
                "earlier id"
            } else {
                "earlier ids"
            };
            format!("{matched} · {label} {}", ids.join(", then "))
        };
        writeln!(
            out,
            "{}",
            paint.bold(&format!(
                "{} · {} · {}{matched}",
                h.list,
                shown(h.id.as_str()),
                shown(&h.name)
            ))
        )?;
        let mut table = new_table(PLAIN, style.width);
        for v in &h.versions {
            let detail = match v.change {
                VersionChange::Changed => v
                    .previous_id
                    .iter()
                    .map(|previous| {
                        format!(
                            "{}: {} → {} (key scheme changed)",
                            paint.dim("id"),
                            shown(previous.as_str()),
                            shown(v.entry.id.as_str())
                        )
                    })
                    .chain(v.fields.iter().map(|f| field_line(&paint, f)))
                    .collect::<Vec<_>>()
                    .join("\n"),
                VersionChange::Removed => String::new(),
                VersionChange::Baseline => {
                    let since = v
                        .entry
                        .listed_on
                        .map(|d| format!(" (listed on {d})"))
                        .unwrap_or_default();
                    let facts = summary(&v.entry);
                    let facts = if facts.is_empty() {
                        facts
                    } else {
                        format!(" · {facts}")
                    };
                    format!(
                        "in force when the history begins{since}{facts}{}",
                        cited(&v.entry)
                    )
                }
                VersionChange::Added => summary(&v.entry) + &cited(&v.entry),
            };
            let marker = match v.change {
                VersionChange::Baseline => paint.dim("*"),
                VersionChange::Added => paint.marker(ChangeKind::Added),
                VersionChange::Changed => paint.marker(ChangeKind::Changed),
                VersionChange::Removed => paint.marker(ChangeKind::Removed),
            };
            table.add_row(vec![
                v.published.to_string(),
                format!("event {}", v.event),
                marker + " " + v.change.as_str(),
                detail,
            ]);
        }
        write_table(out, &table)?;
        writeln!(out)?;
    }
    let query = quote_bounded(&report.query);
    if report.entries.is_empty() {
        let (count, whose) = match report.excluded {
            1 => ("1 entry matches".to_string(), "its"),
            n => (format!("{n} entries match"), "their"),
        };
        writeln!(
            out,
            "{count} \"{query}\", but none of {whose} versions passes the filters ({})",
            shown(&report.filter.to_string())
        )?;
    } else {
        writeln!(
            out,
            "{} matched",
            plural(report.entries.len(), "entry", "entries")
        )?;
        if report.excluded > 0 {
            writeln!(
                out,
                "{} \"{query}\" but {} no version that passes the filters",
                match report.excluded {
                    1 => "1 more entry matches".to_string(),
                    n => format!("{n} more entries match"),
                },
                if report.excluded == 1 { "has" } else { "have" }
            )?;
        }
    }
    write_filter(out, &report.filter)?;
    write_basis(out, &report.basis)
}

/// When nothing matched a history's query: says so, and shows the closest names.
fn write_closest(out: &mut dyn Write, report: &HistoryReport, style: Style) -> io::Result<()> {
    let query = quote_bounded(&report.query);
    if report.closest.is_empty() {
        writeln!(out, "No entry's id or name matches \"{query}\".")?;
        return writeln!(out);
    }
    writeln!(
        out,
        "No entry's id or name matches \"{query}\". The closest names:"
    )?;
    let mut table = new_table(PLAIN, style.width);
    for close in &report.closest {
        let mut row = vec![
            close.list.to_string(),
            shown(close.id.as_str()),
            shown(&close.name),
        ];
        if close.entry_name != close.name {
            row.push(format!("entry: {}", shown(&close.entry_name)));
        }
        table.add_row(row);
    }
    write_table(out, &table)?;
    writeln!(out)
}

/// `--counts`: a row per list and publication (the columns no row fills left out), then what
/// the answer stands on.
pub(super) fn counts(out: &mut dyn Write, report: &CountsReport, style: Style) -> io::Result<()> {
    type Column = (&'static str, fn(&crate::model::CountRow) -> Option<String>);
    let columns: [Column; 10] = [
        ("List", |r| Some(r.list.to_string())),
        ("Scope", |r| Some(r.scope.as_str().to_string())),
        ("Published", |r| r.published.map(|d| d.to_string())),
        ("Event", |r| r.event.map(|e| e.to_string())),
        ("Entries", |r| r.entries.map(thousands)),
        ("Added", |r| r.added.map(thousands)),
        ("Removed", |r| r.removed.map(thousands)),
        ("Changed", |r| r.changed.map(thousands)),
        ("Reason changes", |r| r.reason_changes.map(thousands)),
        ("Source", |r| r.source.as_deref().map(shown)),
    ];
    let shown_columns: Vec<&Column> = columns
        .iter()
        .filter(|(_, value)| report.rows.iter().any(|r| value(r).is_some()))
        .collect();
    if !report.rows.is_empty() {
        let mut table = new_table(HEADED, style.width);
        table.set_header(
            shown_columns
                .iter()
                .map(|(name, _)| *name)
                .collect::<Vec<_>>(),
        );
        for row in &report.rows {
            table.add_row(
                shown_columns
                    .iter()
                    .map(|(_, value)| value(row).unwrap_or_default())
                    .collect::<Vec<_>>(),
            );
        }
        write_table(out, &table)?;
        writeln!(out)?;
    }
    write_filter(out, &report.filter)?;
    write_grounds(out, report.window, Some(&report.basis))
}

pub(super) fn lists(out: &mut dyn Write, report: &ListsReport, style: Style) -> io::Result<()> {
    let mut table = new_table(HEADED, style.width);
    table.set_header(vec![
        "List",
        "Entries",
        "First published",
        "Last published",
        "Publications",
        "Last recorded (UTC)",
        "Formats",
    ]);
    let date = |d: Option<PublicationTime>| d.map(|d| d.to_string()).unwrap_or_default();
    for l in &report.lists {
        table.add_row(vec![
            l.list.to_string(),
            thousands(l.entries),
            date(l.first_published),
            date(l.last_published),
            thousands(l.publications),
            l.last_recorded
                .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                .unwrap_or_default(),
            shown(&l.formats.join(", ")),
        ]);
    }
    if !report.lists.is_empty() {
        write_table(out, &table)?;
        writeln!(out)?;
    }
    let count = plural(report.lists.len(), "list", "lists");
    match report.as_of {
        Some(as_of) => writeln!(
            out,
            "{count}; entries in force and publications at the end of {as_of}"
        ),
        None => writeln!(
            out,
            "{count}; entries in force after each list's latest publication"
        ),
    }
}

pub(super) fn log(out: &mut dyn Write, report: &LogReport, style: Style) -> io::Result<()> {
    let mut table = new_table(HEADED, style.width);
    table.set_header(vec![
        "Seq",
        "List",
        "Published",
        "Recorded (UTC)",
        "Kind",
        "Source",
        "Added",
        "Removed",
        "Changed",
        "Note",
    ]);
    for e in &report.events {
        table.add_row(match e {
            LogEvent::Publication { event: e, standing } => {
                let mut notes = Vec::new();
                if let Some(corrected) = e.supersedes {
                    notes.push(format!("corrects event {corrected}"));
                }
                match standing {
                    Standing::Counts => {}
                    Standing::CorrectedBy(seq) => {
                        notes.push(format!("does not count: corrected by event {seq}"))
                    }
                    Standing::Retracted { by, reason } => notes.push(format!(
                        "does not count: retracted by event {by} ({})",
                        shown(reason)
                    )),
                }
                vec![
                    e.seq.to_string(),
                    e.list.to_string(),
                    e.published.to_string(),
                    e.recorded.format("%Y-%m-%d %H:%M:%S").to_string(),
                    e.kind.to_string(),
                    shown(&e.source),
                    e.effect.added.to_string(),
                    e.effect.removed.to_string(),
                    e.effect.changed.to_string(),
                    notes.join("; "),
                ]
            }
            LogEvent::Retraction(r) => vec![
                r.seq.to_string(),
                r.list.to_string(),
                String::new(),
                r.recorded.format("%Y-%m-%d %H:%M:%S").to_string(),
                "retraction".to_string(),
                String::new(),
                r.effect.added.to_string(),
                r.effect.removed.to_string(),
                r.effect.changed.to_string(),
                format!("retracts event {}: {}", r.retracts, shown(&r.reason)),
            ],
        });
    }
    if !report.events.is_empty() {
        write_table(out, &table)?;
        writeln!(out)?;
    }
    writeln!(
        out,
        "{} recorded",
        plural(report.events.len(), "event", "events")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated_by_commas() {
        for (n, text) in [
            (0, "0"),
            (7, "7"),
            (999, "999"),
            (1_000, "1,000"),
            (9_083, "9,083"),
            (14_965, "14,965"),
            (1_234_567, "1,234,567"),
            (u64::MAX, "18,446,744,073,709,551,615"),
        ] {
            assert_eq!(thousands(n), text);
        }
        assert_eq!(days(1), "1 day");
        assert_eq!(days(1_485), "1,485 days");
    }

    use proptest::prelude::*;

    /// Text for a cell: pieces of ASCII, accented, wide (CJK, emoji), combining and zero-width
    /// characters, blanks, controls (tab, line break, escape, C1) and nothing.
    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just(String::new()),
            "[a-zA-Z0-9 .,-]{1,12}",
            Just("é".to_string()),
            Just("漢字".to_string()),
            Just("😀".to_string()),
            Just("e\u{301}".to_string()),
            Just("\u{200b}".to_string()),
            Just("\u{3000}".to_string()),
            Just("\u{a0}".to_string()),
            Just(" ".to_string()),
            Just("\t".to_string()),
            Just("\n".to_string()),
            Just("\u{1b}[31m".to_string()),
            Just("\u{9b}".to_string()),
            Just("\u{202e}".to_string()),
        ];
        proptest::collection::vec(piece, 0..6).prop_map(|pieces| pieces.concat())
    }

    /// A cell as a table shows it: escaped (as every table cell from an input is), painted
    /// when colour is on, or (rarely) raw, which a streamed table must leave to the library.
    fn cell_as_shown(text: String, how: u8, paint: &Paint) -> String {
        match how % 8 {
            0 => text,
            1 | 2 => paint.bold(&shown(&text)),
            _ => shown(&text),
        }
    }

    type Cells = (Vec<String>, Vec<Vec<(String, u8)>>);

    fn table() -> impl Strategy<Value = Cells> {
        (1usize..6).prop_flat_map(|columns| {
            (
                proptest::collection::vec("[A-Za-z ]{0,10}", columns),
                proptest::collection::vec(
                    proptest::collection::vec((text(), any::<u8>()), 0..=columns + 1),
                    0..12,
                ),
            )
        })
    }

    /// Both ways of writing a headed table, as bytes: the streamed one `as_of` uses and the
    /// table library's, held whole (the path before tables were streamed: the reference).
    fn both(cells: &Cells, width: Option<u16>, color: bool) -> (Vec<u8>, Vec<u8>) {
        let paint = Paint { on: color };
        let header: Vec<&str> = cells.0.iter().map(String::as_str).collect();
        let rows = |emit: &mut dyn FnMut(&[String]) -> io::Result<()>| -> io::Result<()> {
            for row in &cells.1 {
                let row: Vec<String> = row
                    .iter()
                    .map(|(text, how)| cell_as_shown(text.clone(), *how, &paint))
                    .collect();
                emit(&row)?;
            }
            Ok(())
        };
        let mut streamed = Vec::new();
        let mut held = Vec::new();
        write_headed(&mut streamed, width, &header, &rows).unwrap();
        write_headed_held(&mut held, width, &header, &rows).unwrap();
        (streamed, held)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// A streamed table is byte for byte the table library's, with and without a width to
        /// wrap within, colour on and off.
        #[test]
        fn streamed_tables_are_the_library_s_bytes(
            cells in table(),
            width in proptest::option::of(1u16..200),
            color in any::<bool>(),
        ) {
            let (streamed, held) = both(&cells, width, color);
            prop_assert_eq!(String::from_utf8_lossy(&streamed), String::from_utf8_lossy(&held));
        }
    }

    /// The cases the law rests on, spelled out: wide and zero-width characters, empty cells,
    /// rows shorter and longer than the header, escaped controls.
    #[test]
    fn streamed_tables_lay_out_wide_and_empty_cells_as_the_library_does() {
        let header = vec!["Id".to_string(), "Name".to_string(), String::new()];
        let rows = vec![
            vec![("1".to_string(), 3), ("漢字😀".to_string(), 3)],
            vec![
                (String::new(), 3),
                ("e\u{301}\u{200b}".to_string(), 3),
                ("a\tb\nc".to_string(), 3),
                ("extra".to_string(), 3),
            ],
            vec![],
        ];
        let cells = (header, rows);
        let header: Vec<&str> = cells.0.iter().map(String::as_str).collect();
        let rows = |emit: &mut dyn FnMut(&[String]) -> io::Result<()>| -> io::Result<()> {
            for row in &cells.1 {
                emit(&row.iter().map(|(text, _)| shown(text)).collect::<Vec<_>>())?;
            }
            Ok(())
        };
        // These cells are laid out by the streamed writer, not left to the library.
        assert!(Columns::measure(&header, &rows).unwrap().is_some());
        let (streamed, held) = both(&cells, None, false);
        assert_eq!(
            String::from_utf8_lossy(&streamed),
            String::from_utf8_lossy(&held)
        );
        assert!(String::from_utf8_lossy(&streamed).contains("漢字😀"));
    }
}
