//! JSON and NDJSON output. Field order is fixed by the structs below.

use std::io::{self, Write};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::model::text::WordSpan;
use crate::model::{
    AsOfReport, Baseline, Basis, Change, ChangeKind, CloseName, CountRow, CountScope, CountsReport,
    DiffReport, Entry, EntryFilter, EntryId, EntryType, EventMeta, FieldChange, HistoryReport,
    Identity, ListBasis, ListId, ListsReport, LogEvent, LogReport, PublicationKind,
    PublicationTime, RetractionMeta, SinceReport, Standing, VersionChange,
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
    /// For an entry carried to a new id (`id`) when its list's key scheme changed: its id before.
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_id: Option<&'a EntryId>,
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
            previous_id: c.previous_id.as_ref(),
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

/// One list's basis: `{"list", "published", "event", "age_days", "asked"}`, the publication
/// fields null when no publication was recorded on or before the date asked.
#[derive(Serialize)]
pub(super) struct BasisJson<'a> {
    list: &'a ListId,
    published: Option<PublicationTime>,
    event: Option<u64>,
    age_days: Option<u64>,
    asked: NaiveDate,
}

impl<'a> BasisJson<'a> {
    pub(super) fn new(basis: &'a ListBasis, asked: NaiveDate) -> BasisJson<'a> {
        BasisJson {
            list: &basis.list,
            published: basis.read.map(|r| r.published),
            event: basis.read.map(|r| r.event),
            age_days: basis.read.map(|r| r.age_days),
            asked,
        }
    }

    fn all(basis: &'a Basis) -> Vec<BasisJson<'a>> {
        basis
            .lists
            .iter()
            .map(|b| BasisJson::new(b, basis.asked))
            .collect()
    }
}

/// A baseline: `{"list", "published", "event", "kind", "source", "entries"}`.
#[derive(Serialize)]
struct BaselineJson<'a> {
    list: &'a ListId,
    published: PublicationTime,
    event: u64,
    kind: PublicationKind,
    source: &'a str,
    entries: u64,
}

impl<'a> From<&'a Baseline> for BaselineJson<'a> {
    fn from(b: &'a Baseline) -> Self {
        BaselineJson {
            list: &b.list,
            published: b.published,
            event: b.event,
            kind: b.kind,
            source: &b.source,
            entries: b.entries,
        }
    }
}

/// What an answer keeps: `{"programs", "countries", "types", "reason_changes"}`, the values as
/// given. Written only when the answer is filtered.
#[derive(Serialize)]
pub(super) struct FilterJson<'a> {
    programs: &'a [String],
    countries: &'a [String],
    types: &'a [EntryType],
    reason_changes: bool,
}

impl<'a> FilterJson<'a> {
    /// The filter, or `None` when it keeps everything.
    pub(super) fn of(filter: &'a EntryFilter) -> Option<FilterJson<'a>> {
        (!filter.is_empty()).then_some(FilterJson {
            programs: &filter.programs,
            countries: &filter.countries,
            types: &filter.types,
            reason_changes: filter.reason_changes,
        })
    }
}

/// A name close to a query that matched nothing: `{"list", "id", "name", "entry_name"}`.
#[derive(Serialize)]
struct CloseNameJson<'a> {
    list: &'a ListId,
    id: &'a EntryId,
    name: &'a str,
    entry_name: &'a str,
}

impl<'a> From<&'a CloseName> for CloseNameJson<'a> {
    fn from(c: &'a CloseName) -> Self {
        CloseNameJson {
            list: &c.list,
            id: &c.id,
            name: &c.name,
            entry_name: &c.entry_name,
        }
    }
}

/// An NDJSON line that is not a record of the answer's main kind: `{"baseline": {…}}`,
/// `{"basis": {…}}`, `{"columns": {…}}`, `{"filter": {…}}` or `{"closest": {…}}`, the object as
/// in JSON under a key naming what it is.
#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
enum AboutLine<'a> {
    Baseline(BaselineJson<'a>),
    Basis(BasisJson<'a>),
    Columns(ColumnsJson<'a>),
    Filter(FilterJson<'a>),
    Closest(CloseNameJson<'a>),
}

/// Writes a `{"filter": …}` line when the answer is filtered.
pub(super) fn filter_line(out: &mut dyn Write, filter: &EntryFilter) -> io::Result<()> {
    match FilterJson::of(filter) {
        Some(json) => line(out, &AboutLine::Filter(json)),
        None => Ok(()),
    }
}

/// The columns added to and removed from a plain CSV (`compare`).
#[derive(Serialize)]
struct ColumnsJson<'a> {
    list: Option<&'a ListId>,
    added: &'a [String],
    removed: &'a [String],
}

/// Writes one `{"baseline": …}` line per baseline.
fn baseline_lines(out: &mut dyn Write, baselines: &[Baseline]) -> io::Result<()> {
    for baseline in baselines {
        line(out, &AboutLine::Baseline(baseline.into()))?;
    }
    Ok(())
}

/// Writes one `{"basis": …}` line per list.
pub(super) fn basis_lines(out: &mut dyn Write, basis: &Basis) -> io::Result<()> {
    for json in BasisJson::all(basis) {
        line(out, &AboutLine::Basis(json))?;
    }
    Ok(())
}

#[derive(Serialize)]
struct DiffJson<'a> {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    /// Absent for `compare`, which reads no store.
    #[serde(skip_serializing_if = "Option::is_none")]
    baselines: Option<Vec<BaselineJson<'a>>>,
    /// Columns only NEW has, when a plain CSV gained any (`compare`).
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    columns_added: &'a [String],
    /// Columns only OLD has, when a plain CSV lost any (`compare`).
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    columns_removed: &'a [String],
    added: Vec<ChangeJson<'a>>,
    removed: Vec<ChangeJson<'a>>,
    changed: Vec<ChangeJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    basis: Option<Vec<BasisJson<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    filter: Option<FilterJson<'a>>,
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
            baselines: report
                .basis
                .as_ref()
                .map(|_| report.baselines.iter().map(BaselineJson::from).collect()),
            columns_added: report.columns.as_ref().map_or(&[], |c| &c.added),
            columns_removed: report.columns.as_ref().map_or(&[], |c| &c.removed),
            added: of_kind(&report.changes, ChangeKind::Added),
            removed: of_kind(&report.changes, ChangeKind::Removed),
            changed: of_kind(&report.changes, ChangeKind::Changed),
            basis: report.basis.as_ref().map(BasisJson::all),
            filter: FilterJson::of(&report.filter),
        },
    )
}

/// A diff as NDJSON: its baselines, its column change, one line per change, then its filter and
/// basis.
pub(super) fn diff_ndjson(out: &mut dyn Write, report: &DiffReport) -> io::Result<()> {
    baseline_lines(out, &report.baselines)?;
    if let Some(columns) = &report.columns {
        line(
            out,
            &AboutLine::Columns(ColumnsJson {
                list: columns.list.as_ref(),
                added: &columns.added,
                removed: &columns.removed,
            }),
        )?;
    }
    changes_ndjson(out, report.changes.iter(), None)?;
    filter_line(out, &report.filter)?;
    if let Some(basis) = &report.basis {
        basis_lines(out, basis)?;
    }
    Ok(())
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
    /// The day before `from` (kept as it was; not to be confused with `baselines`).
    baseline: NaiveDate,
    baselines: Vec<BaselineJson<'a>>,
    added: Vec<ChangeJson<'a>>,
    removed: Vec<ChangeJson<'a>>,
    changed: Vec<ChangeJson<'a>>,
    publications: Vec<PublicationJson<'a>>,
    basis: Vec<BasisJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    filter: Option<FilterJson<'a>>,
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
            baselines: report.baselines().iter().map(BaselineJson::from).collect(),
            added: of_kind(&report.net.changes, ChangeKind::Added),
            removed: of_kind(&report.net.changes, ChangeKind::Removed),
            changed: of_kind(&report.net.changes, ChangeKind::Changed),
            publications,
            basis: report
                .net
                .basis
                .as_ref()
                .map(BasisJson::all)
                .unwrap_or_default(),
            filter: FilterJson::of(&report.net.filter),
        },
    )
}

pub(super) fn since_ndjson(out: &mut dyn Write, report: &SinceReport) -> io::Result<()> {
    baseline_lines(out, report.baselines())?;
    for publication in &report.publications {
        changes_ndjson(
            out,
            publication.changes.iter(),
            Some(&publication.event.source),
        )?;
    }
    filter_line(out, &report.net.filter)?;
    if let Some(basis) = &report.net.basis {
        basis_lines(out, basis)?;
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
    #[serde(skip_serializing_if = "Option::is_none")]
    filter: Option<FilterJson<'a>>,
    basis: Vec<BasisJson<'a>>,
    entries: Vec<ListedEntryJson<'a>>,
}

pub(super) fn as_of(out: &mut dyn Write, report: &AsOfReport) -> io::Result<()> {
    pretty(
        out,
        &AsOfJson {
            as_of: report.as_of,
            filter: FilterJson::of(&report.filter),
            basis: BasisJson::all(&report.basis),
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
    filter_line(out, &report.filter)?;
    basis_lines(out, &report.basis)
}

#[derive(Serialize)]
struct VersionJson<'a> {
    published: NaiveDate,
    event: u64,
    change: VersionChange,
    /// For the version that carried the entry to a new id: its id before.
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_id: Option<&'a EntryId>,
    entry: &'a Entry,
}

#[derive(Serialize)]
struct HistoryEntryJson<'a> {
    list: &'a ListId,
    id: &'a EntryId,
    /// The ids it had before it was carried to new ids, oldest first.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    previous_ids: &'a [EntryId],
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    matched: Option<&'a str>,
    versions: Vec<VersionJson<'a>>,
}

#[derive(Serialize)]
struct HistoryJson<'a> {
    entries: Vec<HistoryEntryJson<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    closest: Vec<CloseNameJson<'a>>,
    /// Entries that matched the query, none of whose versions passes the filter.
    #[serde(skip_serializing_if = "is_zero")]
    excluded: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    filter: Option<FilterJson<'a>>,
    basis: Vec<BasisJson<'a>>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

pub(super) fn history(out: &mut dyn Write, report: &HistoryReport) -> io::Result<()> {
    let entries = report
        .entries
        .iter()
        .map(|h| HistoryEntryJson {
            list: &h.list,
            id: &h.id,
            previous_ids: &h.previous_ids,
            name: &h.name,
            matched: h.matched.as_deref(),
            versions: h
                .versions
                .iter()
                .map(|v| VersionJson {
                    published: v.published,
                    event: v.event,
                    change: v.change,
                    previous_id: v.previous_id.as_ref(),
                    entry: &v.entry,
                })
                .collect(),
        })
        .collect();
    pretty(
        out,
        &HistoryJson {
            entries,
            closest: report.closest.iter().map(CloseNameJson::from).collect(),
            excluded: report.excluded,
            filter: FilterJson::of(&report.filter),
            basis: BasisJson::all(&report.basis),
        },
    )
}

#[derive(Serialize)]
struct HistoryLineJson<'a> {
    list: &'a ListId,
    id: &'a EntryId,
    name: &'a str,
    published: NaiveDate,
    event: u64,
    change: VersionChange,
    /// For the version that carried the entry to a new id: its id before.
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_id: Option<&'a EntryId>,
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
                    previous_id: v.previous_id.as_ref(),
                    entry: &v.entry,
                },
            )?;
        }
    }
    for close in &report.closest {
        line(out, &AboutLine::Closest(close.into()))?;
    }
    filter_line(out, &report.filter)?;
    basis_lines(out, &report.basis)
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

/// One list of the store: `{"list", "entries", "first_published", "last_published",
/// "publications", "last_recorded", "formats"}`.
#[derive(Serialize)]
struct ListJson<'a> {
    list: &'a ListId,
    entries: u64,
    first_published: Option<PublicationTime>,
    last_published: Option<PublicationTime>,
    publications: u64,
    last_recorded: Option<DateTime<Utc>>,
    formats: &'a [String],
}

#[derive(Serialize)]
struct ListsJson<'a> {
    as_of: Option<NaiveDate>,
    lists: Vec<ListJson<'a>>,
}

fn list_json(report: &ListsReport) -> Vec<ListJson<'_>> {
    report
        .lists
        .iter()
        .map(|l| ListJson {
            list: &l.list,
            entries: l.entries,
            first_published: l.first_published,
            last_published: l.last_published,
            publications: l.publications,
            last_recorded: l.last_recorded,
            formats: &l.formats,
        })
        .collect()
}

pub(super) fn lists(out: &mut dyn Write, report: &ListsReport) -> io::Result<()> {
    pretty(
        out,
        &ListsJson {
            as_of: report.as_of,
            lists: list_json(report),
        },
    )
}

pub(super) fn lists_ndjson(out: &mut dyn Write, report: &ListsReport) -> io::Result<()> {
    for list in list_json(report) {
        line(out, &list)?;
    }
    Ok(())
}

/// One row of `--counts`: `{"list", "scope", "published", "event", "source", "entries",
/// "added", "removed", "changed", "reason_changes"}`, null where the scope has no such count.
#[derive(Serialize)]
struct CountJson<'a> {
    list: &'a ListId,
    scope: CountScope,
    published: Option<PublicationTime>,
    event: Option<u64>,
    source: Option<&'a str>,
    entries: Option<u64>,
    added: Option<u64>,
    removed: Option<u64>,
    changed: Option<u64>,
    reason_changes: Option<u64>,
}

impl<'a> From<&'a CountRow> for CountJson<'a> {
    fn from(r: &'a CountRow) -> Self {
        CountJson {
            list: &r.list,
            scope: r.scope,
            published: r.published,
            event: r.event,
            source: r.source.as_deref(),
            entries: r.entries,
            added: r.added,
            removed: r.removed,
            changed: r.changed,
            reason_changes: r.reason_changes,
        }
    }
}

#[derive(Serialize)]
struct CountsJson<'a> {
    counts: Vec<CountJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    filter: Option<FilterJson<'a>>,
    basis: Vec<BasisJson<'a>>,
}

pub(super) fn counts(out: &mut dyn Write, report: &CountsReport) -> io::Result<()> {
    pretty(
        out,
        &CountsJson {
            counts: report.rows.iter().map(CountJson::from).collect(),
            filter: FilterJson::of(&report.filter),
            basis: BasisJson::all(&report.basis),
        },
    )
}

/// `--counts` as NDJSON: one line per row, then the filter and the basis.
pub(super) fn counts_ndjson(out: &mut dyn Write, report: &CountsReport) -> io::Result<()> {
    for row in &report.rows {
        line(out, &CountJson::from(row))?;
    }
    filter_line(out, &report.filter)?;
    basis_lines(out, &report.basis)
}
