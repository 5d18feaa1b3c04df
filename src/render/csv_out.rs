//! CSV output: one header row, then one row per field change, entry, version or event.
//! List values are joined with `; `; `extra` is written as JSON.

use std::io::{self, Write};

use crate::model::{
    AsOfReport, Change, ChangeKind, DiffReport, Entry, HistoryReport, LogReport, SinceReport,
};

use super::{cell, joined};

fn writer(out: &mut dyn Write) -> csv::Writer<&mut dyn Write> {
    csv::WriterBuilder::new().from_writer(out)
}

fn csv_error(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

const CHANGE_HEADER: [&str; 10] = [
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
    if change.fields.is_empty() {
        let mut row = base;
        row.extend([String::new(), String::new(), String::new()]);
        return vec![row];
    }
    change
        .fields
        .iter()
        .map(|f| {
            let mut row = base.clone();
            row.extend([f.field.clone(), cell(&f.before), cell(&f.after)]);
            row
        })
        .collect()
}

pub(super) fn diff(out: &mut dyn Write, report: &DiffReport) -> io::Result<()> {
    let mut w = writer(out);
    w.write_record(CHANGE_HEADER).map_err(csv_error)?;
    for change in &report.changes {
        for row in change_rows(change) {
            w.write_record(&row).map_err(csv_error)?;
        }
    }
    w.flush()
}

pub(super) fn since(out: &mut dyn Write, report: &SinceReport) -> io::Result<()> {
    let mut w = writer(out);
    let mut header = vec!["source"];
    header.extend(CHANGE_HEADER);
    w.write_record(&header).map_err(csv_error)?;
    for publication in &report.publications {
        for change in &publication.changes {
            for row in change_rows(change) {
                let mut full = vec![publication.event.source.clone()];
                full.extend(row);
                w.write_record(&full).map_err(csv_error)?;
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
        joined(&e.countries),
        joined(&e.aliases),
        joined(&e.addresses),
        joined(&e.programs),
        e.reason.clone().unwrap_or_default(),
        e.license_requirement.clone().unwrap_or_default(),
        e.license_policy.clone().unwrap_or_default(),
        joined(&e.citations),
        e.listed_on.map(|d| d.to_string()).unwrap_or_default(),
        if e.extra.is_empty() {
            String::new()
        } else {
            serde_json::to_string(&e.extra).unwrap_or_default()
        },
    ]
}

pub(super) fn as_of(out: &mut dyn Write, report: &AsOfReport) -> io::Result<()> {
    let mut w = writer(out);
    let mut header = vec!["list"];
    header.extend(ENTRY_HEADER);
    w.write_record(&header).map_err(csv_error)?;
    for listed in &report.entries {
        let mut row = vec![listed.list.to_string()];
        row.extend(entry_cells(&listed.entry));
        w.write_record(&row).map_err(csv_error)?;
    }
    w.flush()
}

pub(super) fn history(out: &mut dyn Write, report: &HistoryReport) -> io::Result<()> {
    let mut w = writer(out);
    let mut header = vec!["list", "published", "event", "change"];
    header.extend(ENTRY_HEADER);
    w.write_record(&header).map_err(csv_error)?;
    for h in &report.entries {
        for v in &h.versions {
            let mut row = vec![
                h.list.to_string(),
                v.published.to_string(),
                v.event.to_string(),
                v.change.to_string(),
            ];
            row.extend(entry_cells(&v.entry));
            w.write_record(&row).map_err(csv_error)?;
        }
    }
    w.flush()
}

pub(super) fn log(out: &mut dyn Write, report: &LogReport) -> io::Result<()> {
    let mut w = writer(out);
    w.write_record([
        "seq",
        "list",
        "published",
        "recorded",
        "kind",
        "source",
        "sha256",
        "format",
        "supersedes",
        "added",
        "removed",
        "changed",
    ])
    .map_err(csv_error)?;
    for e in &report.events {
        w.write_record([
            e.seq.to_string(),
            e.list.to_string(),
            e.published.to_string(),
            e.recorded
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            e.kind.to_string(),
            e.source.clone(),
            e.sha256.clone(),
            e.format.clone(),
            e.supersedes.map(|s| s.to_string()).unwrap_or_default(),
            e.effect.added.to_string(),
            e.effect.removed.to_string(),
            e.effect.changed.to_string(),
        ])
        .map_err(csv_error)?;
    }
    w.flush()
}
