//! JSON and NDJSON output. Field order is fixed by the structs below.

use std::io::{self, Write};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::model::text::WordSpan;
use crate::model::{
    AsOfReport, Change, ChangeKind, DiffReport, Entry, EntryId, EventMeta, FieldChange,
    HistoryReport, Identity, ListId, LogEvent, LogReport, PublicationKind, PublicationTime,
    RetractionMeta, SinceReport, Standing,
};

#[derive(Serialize)]
struct FieldJson<'a> {
    field: &'a str,
    before: &'a Value,
    after: &'a Value,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    words: &'a [WordSpan],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    removed: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    added: &'a [String],
}

impl<'a> From<&'a FieldChange> for FieldJson<'a> {
    fn from(f: &'a FieldChange) -> Self {
        FieldJson {
            field: &f.field,
            before: &f.before,
            after: &f.after,
            words: &f.words,
            removed: &f.removed,
            added: &f.added,
        }
    }
}

#[derive(Serialize)]
struct ChangeJson<'a> {
    list: &'a ListId,
    id: &'a EntryId,
    name: &'a str,
    change: ChangeKind,
    published: Option<NaiveDate>,
    event: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason_changed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<Vec<FieldJson<'a>>>,
    entry: &'a Entry,
    #[serde(skip_serializing_if = "Option::is_none")]
    before: Option<&'a Entry>,
}

impl<'a> From<&'a Change> for ChangeJson<'a> {
    fn from(c: &'a Change) -> Self {
        let changed = c.kind == ChangeKind::Changed;
        ChangeJson {
            list: &c.list,
            id: &c.id,
            name: c.name(),
            change: c.kind,
            published: c.published,
            event: c.event,
            reason_changed: changed.then(|| c.reason_changed()),
            fields: changed.then(|| c.fields.iter().map(FieldJson::from).collect()),
            entry: c.entry(),
            before: if changed { c.before.as_ref() } else { None },
        }
    }
}

fn of_kind(changes: &[Change], kind: ChangeKind) -> Vec<ChangeJson<'_>> {
    changes
        .iter()
        .filter(|c| c.kind == kind)
        .map(ChangeJson::from)
        .collect()
}

#[derive(Serialize)]
struct DiffJson<'a> {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    added: Vec<ChangeJson<'a>>,
    removed: Vec<ChangeJson<'a>>,
    changed: Vec<ChangeJson<'a>>,
}

fn pretty(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

fn line(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    writeln!(out)
}

pub(super) fn diff(out: &mut dyn Write, report: &DiffReport) -> io::Result<()> {
    pretty(
        out,
        &DiffJson {
            from: report.from,
            to: report.to,
            added: of_kind(&report.changes, ChangeKind::Added),
            removed: of_kind(&report.changes, ChangeKind::Removed),
            changed: of_kind(&report.changes, ChangeKind::Changed),
        },
    )
}

#[derive(Serialize)]
struct SourcedChangeJson<'a> {
    #[serde(flatten)]
    change: ChangeJson<'a>,
    source: &'a str,
}

pub(super) fn changes_ndjson<'a>(
    out: &mut dyn Write,
    changes: impl Iterator<Item = &'a Change>,
    source: Option<&str>,
) -> io::Result<()> {
    for change in changes {
        match source {
            Some(source) => line(
                out,
                &SourcedChangeJson {
                    change: change.into(),
                    source,
                },
            )?,
            None => line(out, &ChangeJson::from(change))?,
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct PublicationJson<'a> {
    list: &'a ListId,
    published: PublicationTime,
    source: &'a str,
    event: u64,
    kind: PublicationKind,
    recorded: DateTime<Utc>,
    added: Vec<&'a EntryId>,
    removed: Vec<&'a EntryId>,
    changed: Vec<&'a EntryId>,
    changes: Vec<ChangeJson<'a>>,
}

#[derive(Serialize)]
struct SinceJson<'a> {
    from: NaiveDate,
    to: NaiveDate,
    baseline: NaiveDate,
    added: Vec<ChangeJson<'a>>,
    removed: Vec<ChangeJson<'a>>,
    changed: Vec<ChangeJson<'a>>,
    publications: Vec<PublicationJson<'a>>,
}

pub(super) fn since(out: &mut dyn Write, report: &SinceReport) -> io::Result<()> {
    fn ids(changes: &[Change], kind: ChangeKind) -> Vec<&EntryId> {
        changes
            .iter()
            .filter(|c| c.kind == kind)
            .map(|c| &c.id)
            .collect()
    }
    let publications = report
        .publications
        .iter()
        .map(|p| PublicationJson {
            list: &p.event.list,
            published: p.event.published,
            source: &p.event.source,
            event: p.event.seq,
            kind: p.event.kind,
            recorded: p.event.recorded,
            added: ids(&p.changes, ChangeKind::Added),
            removed: ids(&p.changes, ChangeKind::Removed),
            changed: ids(&p.changes, ChangeKind::Changed),
            changes: p.changes.iter().map(ChangeJson::from).collect(),
        })
        .collect();
    pretty(
        out,
        &SinceJson {
            from: report.since,
            to: report.until,
            baseline: report.net.from.unwrap_or(report.since),
            added: of_kind(&report.net.changes, ChangeKind::Added),
            removed: of_kind(&report.net.changes, ChangeKind::Removed),
            changed: of_kind(&report.net.changes, ChangeKind::Changed),
            publications,
        },
    )
}

pub(super) fn since_ndjson(out: &mut dyn Write, report: &SinceReport) -> io::Result<()> {
    for publication in &report.publications {
        changes_ndjson(
            out,
            publication.changes.iter(),
            Some(&publication.event.source),
        )?;
    }
    Ok(())
}

#[derive(Serialize)]
struct ListedEntryJson<'a> {
    list: &'a ListId,
    #[serde(flatten)]
    entry: &'a Entry,
}

#[derive(Serialize)]
struct AsOfJson<'a> {
    as_of: NaiveDate,
    entries: Vec<ListedEntryJson<'a>>,
}

pub(super) fn as_of(out: &mut dyn Write, report: &AsOfReport) -> io::Result<()> {
    pretty(
        out,
        &AsOfJson {
            as_of: report.as_of,
            entries: report
                .entries
                .iter()
                .map(|e| ListedEntryJson {
                    list: &e.list,
                    entry: &e.entry,
                })
                .collect(),
        },
    )
}

pub(super) fn as_of_ndjson(out: &mut dyn Write, report: &AsOfReport) -> io::Result<()> {
    for e in &report.entries {
        line(
            out,
            &ListedEntryJson {
                list: &e.list,
                entry: &e.entry,
            },
        )?;
    }
    Ok(())
}

#[derive(Serialize)]
struct VersionJson<'a> {
    published: NaiveDate,
    event: u64,
    change: ChangeKind,
    entry: &'a Entry,
}

#[derive(Serialize)]
struct HistoryEntryJson<'a> {
    list: &'a ListId,
    id: &'a EntryId,
    name: &'a str,
    versions: Vec<VersionJson<'a>>,
}

#[derive(Serialize)]
struct HistoryJson<'a> {
    entries: Vec<HistoryEntryJson<'a>>,
}

pub(super) fn history(out: &mut dyn Write, report: &HistoryReport) -> io::Result<()> {
    let entries = report
        .entries
        .iter()
        .map(|h| HistoryEntryJson {
            list: &h.list,
            id: &h.id,
            name: &h.name,
            versions: h
                .versions
                .iter()
                .map(|v| VersionJson {
                    published: v.published,
                    event: v.event,
                    change: v.change,
                    entry: &v.entry,
                })
                .collect(),
        })
        .collect();
    pretty(out, &HistoryJson { entries })
}

#[derive(Serialize)]
struct HistoryLineJson<'a> {
    list: &'a ListId,
    id: &'a EntryId,
    name: &'a str,
    published: NaiveDate,
    event: u64,
    change: ChangeKind,
    entry: &'a Entry,
}

pub(super) fn history_ndjson(out: &mut dyn Write, report: &HistoryReport) -> io::Result<()> {
    for h in &report.entries {
        for v in &h.versions {
            line(
                out,
                &HistoryLineJson {
                    list: &h.list,
                    id: &h.id,
                    name: &h.name,
                    published: v.published,
                    event: v.event,
                    change: v.change,
                    entry: &v.entry,
                },
            )?;
        }
    }
    Ok(())
}

/// A publication's identity in the log: what tells it apart from its list's others (an
/// amendment's source; null for a snapshot).
#[derive(Serialize)]
struct IdentityJson {
    list: ListId,
    published: PublicationTime,
    kind: PublicationKind,
    source: Option<String>,
}

impl From<Identity> for IdentityJson {
    fn from(i: Identity) -> Self {
        IdentityJson {
            list: i.list,
            published: i.published,
            kind: i.kind,
            source: i.source,
        }
    }
}

/// The retraction that took an event back.
#[derive(Serialize)]
struct RetractedJson<'a> {
    /// The retraction event.
    by: u64,
    reason: &'a str,
}

/// A recorded publication in the log.
#[derive(Serialize)]
struct EventJson<'a> {
    seq: u64,
    list: &'a ListId,
    published: PublicationTime,
    recorded: DateTime<Utc>,
    kind: PublicationKind,
    source: &'a str,
    sha256: &'a str,
    format: &'a str,
    identity: IdentityJson,
    /// The earlier event it corrects and takes the place of.
    corrects: Option<u64>,
    /// Whether it counts now: not corrected by a later event, not retracted.
    counts: bool,
    corrected_by: Option<u64>,
    retracted: Option<RetractedJson<'a>>,
    added: u64,
    removed: u64,
    changed: u64,
}

/// A retraction in the log.
#[derive(Serialize)]
struct RetractionJson<'a> {
    seq: u64,
    list: &'a ListId,
    recorded: DateTime<Utc>,
    /// Always `retraction`.
    kind: &'static str,
    retracts: u64,
    reason: &'a str,
    added: u64,
    removed: u64,
    changed: u64,
}

/// One event of the log.
#[derive(Serialize)]
#[serde(untagged)]
enum LogEventJson<'a> {
    Publication(Box<EventJson<'a>>),
    Retraction(RetractionJson<'a>),
}

impl<'a> From<&'a LogEvent> for LogEventJson<'a> {
    fn from(event: &'a LogEvent) -> Self {
        match event {
            LogEvent::Publication { event, standing } => {
                LogEventJson::Publication(Box::new(EventJson::of(event, standing)))
            }
            LogEvent::Retraction(r) => LogEventJson::Retraction(RetractionJson::from(r)),
        }
    }
}

impl<'a> EventJson<'a> {
    fn of(e: &'a EventMeta, standing: &'a Standing) -> Self {
        EventJson {
            seq: e.seq,
            list: &e.list,
            published: e.published,
            recorded: e.recorded,
            kind: e.kind,
            source: &e.source,
            sha256: &e.sha256,
            format: &e.format,
            identity: IdentityJson::from(e.identity()),
            corrects: e.supersedes,
            counts: *standing == Standing::Counts,
            corrected_by: match standing {
                Standing::CorrectedBy(seq) => Some(*seq),
                _ => None,
            },
            retracted: match standing {
                Standing::Retracted { by, reason } => Some(RetractedJson { by: *by, reason }),
                _ => None,
            },
            added: e.effect.added,
            removed: e.effect.removed,
            changed: e.effect.changed,
        }
    }
}

impl<'a> From<&'a RetractionMeta> for RetractionJson<'a> {
    fn from(r: &'a RetractionMeta) -> Self {
        RetractionJson {
            seq: r.seq,
            list: &r.list,
            recorded: r.recorded,
            kind: "retraction",
            retracts: r.retracts,
            reason: &r.reason,
            added: r.effect.added,
            removed: r.effect.removed,
            changed: r.effect.changed,
        }
    }
}

#[derive(Serialize)]
struct LogJson<'a> {
    events: Vec<LogEventJson<'a>>,
}

pub(super) fn log(out: &mut dyn Write, report: &LogReport) -> io::Result<()> {
    pretty(
        out,
        &LogJson {
            events: report.events.iter().map(LogEventJson::from).collect(),
        },
    )
}

pub(super) fn log_ndjson(out: &mut dyn Write, report: &LogReport) -> io::Result<()> {
    for e in &report.events {
        line(out, &LogEventJson::from(e))?;
    }
    Ok(())
}
