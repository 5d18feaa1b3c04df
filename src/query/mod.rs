//! Questions asked of the recorded history: as-of, since, diff, history, log, and compare.
//!
//! Each query reads only what its answer needs: `since` and `diff` visit the entries changed in
//! their window, `history` the versions of the matching entries, `as-of` one version per entry.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::model::fold;
use crate::model::{
    AsOfReport, Basis, Change, DiffReport, Entry, EntryHistory, EntryId, EntryVersion,
    HistoryReport, ListId, ListState, ListSummary, ListedEntry, ListsReport, LogReport,
    Publication, PublicationContent, PublicationReport, SinceReport, VersionChange,
};
use crate::store::{StoreError, View};

// Reparse: recorded content against the current parsers.
pub mod reparse;

// Issue 11: baselines and what an answer stands on.
mod grounds;
use grounds::ListPublications;

/// Why a question cannot be answered.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The question itself is wrong (an unknown list, a reversed range, …).
    #[error("{0}")]
    Invalid(String),
}

/// Which lists a question is about: all, or one (`--list ID`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListFilter(pub Option<ListId>);

impl ListFilter {
    /// The lists of the store that pass the filter; a named list must exist.
    pub fn lists(&self, view: &View) -> Result<Vec<ListId>, QueryError> {
        let all = view.lists()?;
        match &self.0 {
            None => Ok(all),
            Some(wanted) if all.contains(wanted) => Ok(vec![wanted.clone()]),
            Some(wanted) => {
                let known = if all.is_empty() {
                    "the store has no lists yet".to_string()
                } else {
                    format!(
                        "lists in the store: {}",
                        all.iter()
                            .map(ListId::as_str)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                Err(QueryError::Invalid(format!(
                    "no list {wanted} in the store ({known})"
                )))
            }
        }
    }

    /// True when `list` passes the filter.
    pub fn admits(&self, list: &ListId) -> bool {
        self.0.as_ref().is_none_or(|wanted| wanted == list)
    }
}

/// The basis of an answer that reads each of `lists` at the end of `read_at`, asked about
/// `asked`.
fn basis_of(
    view: &View,
    lists: &[ListId],
    read_at: NaiveDate,
    asked: NaiveDate,
) -> Result<Basis, QueryError> {
    let mut basis = Basis {
        asked,
        lists: Vec::new(),
    };
    for list in lists {
        basis
            .lists
            .push(ListPublications::read(view, list)?.basis(read_at, asked));
    }
    Ok(basis)
}

/// What an answer about the end of `date` stands on: per list, the publication in force then
/// and its age on `date`. `as-of` computes it before it streams its entries.
pub fn as_of_basis(view: &View, date: NaiveDate, filter: &ListFilter) -> Result<Basis, QueryError> {
    basis_of(view, &filter.lists(view)?, date, date)
}

/// Every entry in force at the end of `date`.
pub fn as_of(view: &View, date: NaiveDate, filter: &ListFilter) -> Result<AsOfReport, QueryError> {
    let mut entries = Vec::new();
    for list in filter.lists(view)? {
        for entry in view.state_as_of(&list, date)? {
            entries.push(ListedEntry {
                list: list.clone(),
                entry,
            });
        }
    }
    Ok(AsOfReport {
        as_of: date,
        entries,
        basis: as_of_basis(view, date, filter)?,
    })
}

/// Calls `f` with the list and the canonical JSON of every entry in force at the end of `date`,
/// without parsing it: for output that can copy it as it is.
pub fn each_as_of<E: From<QueryError> + From<StoreError>>(
    view: &View,
    date: NaiveDate,
    filter: &ListFilter,
    mut f: impl FnMut(&ListId, &[u8]) -> Result<(), E>,
) -> Result<(), E> {
    for list in filter.lists(view)? {
        view.each_as_of(&list, date, |json| f(&list, json))?;
    }
    Ok(())
}

/// The net difference between the end of `from` and the end of `to` (either may be the later).
///
/// For a list whose baseline (first publication in the store) falls between them, the earlier
/// end is the list just after its baseline: the store knows nothing of the list before it, so
/// its entries are reported as the baseline, not as additions (or, backwards, removals).
pub fn diff(
    view: &View,
    from: NaiveDate,
    to: NaiveDate,
    filter: &ListFilter,
) -> Result<DiffReport, QueryError> {
    let later = from.max(to);
    diff_asked(view, from, to, filter, later)
}

/// [`diff`], with the basis aged to `asked`.
fn diff_asked(
    view: &View,
    from: NaiveDate,
    to: NaiveDate,
    filter: &ListFilter,
    asked: NaiveDate,
) -> Result<DiffReport, QueryError> {
    let (earlier, later) = (from.min(to), from.max(to));
    let mut report = DiffReport {
        from: Some(from),
        to: Some(to),
        changes: Vec::new(),
        baselines: Vec::new(),
        basis: Some(Basis {
            asked,
            lists: Vec::new(),
        }),
        columns: None,
    };
    let mut bases = Vec::new();
    for list in filter.lists(view)? {
        let publications = ListPublications::read(view, &list)?;
        bases.push(publications.basis(later, asked));
        let Some(baseline) = publications.baseline_within(earlier, later) else {
            for id in view.changed_between(&list, from, to)? {
                let before = view.entry_as_of(&list, &id, from)?;
                let after = view.entry_as_of(&list, &id, to)?;
                push_change(view, &mut report, &list, &id, (before, after), later)?;
            }
            continue;
        };
        // The window starts before the list's history: the earlier end is the baseline.
        let baseline = *baseline;
        if let Some(described) = publications.describe_baseline(view)? {
            report.baselines.push(described);
        }
        let mut ids = std::collections::BTreeSet::new();
        for (_, publication) in publications.within(baseline.published.date, later).skip(1) {
            ids.extend(
                view.changes_of(&list, publication.at)?
                    .into_iter()
                    .map(|(id, _)| id),
            );
        }
        for id in ids {
            let at_baseline = view.entry_after(&list, &id, baseline.at)?;
            let at_later = view.entry_as_of(&list, &id, later)?;
            let ends = if from <= to {
                (at_baseline, at_later)
            } else {
                (at_later, at_baseline)
            };
            push_change(view, &mut report, &list, &id, ends, later)?;
        }
    }
    if let Some(basis) = report.basis.as_mut() {
        basis.lists = bases;
    }
    report.sort();
    Ok(report)
}

/// Adds the change of `id` between `before` and `after` to `report`, dated by the last version
/// on or before `later` (the last publication in the window that changed it).
fn push_change(
    view: &View,
    report: &mut DiffReport,
    list: &ListId,
    id: &EntryId,
    (before, after): (Option<Entry>, Option<Entry>),
    later: NaiveDate,
) -> Result<(), QueryError> {
    if let Some(mut change) = Change::between(list, before, after) {
        if let Some(last) = view.version_as_of(list, id, later)? {
            change.published = Some(last.published);
            change.event = Some(last.seq);
        }
        report.changes.push(change);
    }
    Ok(())
}

/// The latest publication date among the filtered lists.
pub fn latest_publication(
    view: &View,
    filter: &ListFilter,
) -> Result<Option<NaiveDate>, QueryError> {
    let mut latest = None;
    for list in filter.lists(view)? {
        latest = latest.max(
            ListPublications::read(view, &list)?
                .last_published()
                .map(|p| p.date),
        );
    }
    Ok(latest)
}

/// What changed from the end of the day before `since` to the end of `until` (default: the
/// latest publication), publication by publication and net. A list's baseline inside the window
/// is reported as such (in `net.baselines`), not as a publication that added its entries.
///
/// The basis is aged to `until` when it is given, else to `today` (the recording clock's date,
/// or the `--known-at` date) or the latest publication, whichever is later: the question is
/// then "what changed up to now".
pub fn since(
    view: &View,
    since: NaiveDate,
    until: Option<NaiveDate>,
    filter: &ListFilter,
    today: NaiveDate,
) -> Result<SinceReport, QueryError> {
    let day_before = since.pred_opt().unwrap_or(since);
    let (until, asked) = match until {
        Some(until) if until < day_before => {
            return Err(QueryError::Invalid(format!(
                "--until {until} is before {since}: give a date on or after it"
            )));
        }
        Some(until) => (until, until),
        None => {
            let until = latest_publication(view, filter)?
                .unwrap_or(since)
                .max(since);
            (until, until.max(today))
        }
    };
    let net = diff_asked(view, day_before, until, filter, asked)?;
    let mut publications = Vec::new();
    for list in filter.lists(view)? {
        let list_publications = ListPublications::read(view, &list)?;
        for (position, item) in list_publications.within(since, until) {
            if position == 0 {
                // The baseline: reported in `net.baselines`.
                continue;
            }
            let mut changes = Vec::new();
            for (id, _) in view.changes_of(&list, item.at)? {
                let before = view.entry_before(&list, &id, item.at)?;
                let after = view.entry_after(&list, &id, item.at)?;
                if let Some(mut change) = Change::between(&list, before, after) {
                    change.published = Some(item.published.date);
                    change.event = Some(item.seq);
                    changes.push(change);
                }
            }
            changes.sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
            publications.push(PublicationReport {
                event: view.event(item.seq)?,
                changes,
            });
        }
    }
    // Fold order within a list; lists by publication time.
    publications.sort_by(|a, b| {
        (a.event.published, &a.event.list).cmp(&(b.event.published, &b.event.list))
    });
    Ok(SinceReport {
        since,
        until,
        net,
        publications,
    })
}

/// Every version of the entries whose id is `query` or whose name contains it (ignoring case).
/// The first version of an entry in force in its list's baseline is marked as the baseline, not
/// as an addition. The basis is every searched list's latest publication, aged to `today` (or
/// to that publication, when it is dated later).
pub fn history(
    view: &View,
    query: &str,
    filter: &ListFilter,
    today: NaiveDate,
) -> Result<HistoryReport, QueryError> {
    let needle = query.trim().to_lowercase();
    if needle.is_empty() {
        return Err(QueryError::Invalid(
            "history needs an entry id or part of a name".into(),
        ));
    }
    // Stored ids are clean (no format characters, NFC): a typed or pasted id is matched as such.
    let wanted_id = crate::model::clean_id_text(query.trim());
    let mut report = HistoryReport::default();
    let lists = filter.lists(view)?;
    let mut bases = Vec::new();
    let mut asked = today;
    for list in &lists {
        let publications = ListPublications::read(view, list)?;
        asked = asked.max(publications.last_published().map_or(today, |p| p.date));
        let baseline = publications.baseline().map(|b| b.seq);
        bases.push(publications);
        let id_matches =
            |id: &str| id == query.trim() || id == wanted_id || id.to_lowercase() == needle;
        let name_matches = |name: &str| name.to_lowercase().contains(&needle);
        let candidates = view.matching_entries(list, |id, names| {
            id_matches(id) || names.iter().any(|n| name_matches(n))
        })?;
        for (id, _) in candidates {
            let id_matches = id_matches(id.as_str());
            let mut versions = Vec::new();
            let mut previous: Option<crate::model::Entry> = None;
            for version in view.versions(list, &id)? {
                let (change, entry) = match (&previous, version.entry) {
                    (None, Some(entry)) if Some(version.seq) == baseline => {
                        (VersionChange::Baseline, entry)
                    }
                    (None, Some(entry)) => (VersionChange::Added, entry),
                    (Some(_), Some(entry)) => (VersionChange::Changed, entry),
                    (Some(last), None) => (VersionChange::Removed, last.clone()),
                    (None, None) => continue,
                };
                previous = (change != VersionChange::Removed).then(|| entry.clone());
                versions.push(EntryVersion {
                    published: version.published,
                    event: version.seq,
                    change,
                    entry,
                });
            }
            if versions.is_empty()
                || (!id_matches && !versions.iter().any(|v| name_matches(&v.entry.name)))
            {
                continue;
            }
            let name = versions
                .last()
                .map(|v| v.entry.name.clone())
                .unwrap_or_default();
            report.entries.push(EntryHistory {
                list: list.clone(),
                id,
                name,
                versions,
            });
        }
    }
    report.basis = Basis {
        asked,
        lists: bases
            .iter()
            .map(|p| p.basis(NaiveDate::MAX, asked))
            .collect(),
    };
    Ok(report)
}

/// Every list of the store (or the one `filter` names), summed up: entries in force after its
/// latest publication, or at the end of `as_of`; its first and latest publication dates and
/// how many publications the answers read; when its latest event was recorded; its formats.
/// With `as_of`, only the publications dated on or before it count. Ages are counted to
/// `as_of`, else to `today`.
///
/// Its cost grows with the lists and their publications, not their entries: one scan of each
/// list's timeline keys, the header of each publication counted (for its format and the latest
/// recording time), and for the entry count the header of the last snapshot and the change list
/// of each amendment after it ([`View::entries_after`]).
pub fn lists(
    view: &View,
    as_of: Option<NaiveDate>,
    filter: &ListFilter,
    today: NaiveDate,
) -> Result<ListsReport, QueryError> {
    let through = as_of.unwrap_or(NaiveDate::MAX);
    let asked = as_of.unwrap_or(today);
    let mut report = ListsReport {
        as_of,
        asked,
        lists: Vec::new(),
    };
    for list in filter.lists(view)? {
        let mut publications = ListPublications::read(view, &list)?;
        publications.items.retain(|p| p.published.date <= through);
        let entries = match publications.items.len() {
            0 => 0,
            n => view.entries_after(&list, &publications.items, n - 1)?,
        };
        let mut formats = std::collections::BTreeSet::new();
        for publication in &publications.items {
            formats.insert(view.event(publication.seq)?.format);
        }
        // The latest event of the list dated by then, a correction included.
        let last_recorded = view
            .last_event(&list, through)?
            .map(|seq| view.event(seq).map(|e| e.recorded))
            .transpose()?;
        report.lists.push(ListSummary {
            list: list.clone(),
            entries,
            first_published: publications.baseline().map(|b| b.published),
            last_published: publications.last_published(),
            publications: publications.items.len() as u64,
            last_recorded,
            formats: formats.into_iter().collect(),
            basis: publications.basis(through, asked),
        });
    }
    Ok(report)
}

/// The recorded events, in recording order.
pub fn log(view: &View, filter: &ListFilter) -> Result<LogReport, QueryError> {
    filter.lists(view)?;
    let events = view
        .events()?
        .into_iter()
        .filter(|e| filter.admits(e.list()))
        .collect();
    Ok(LogReport { events })
}

/// The difference between two publications of the same lists, read from files without a store.
/// `old` must state whole lists (snapshots); `new` may be snapshots or amendments of them.
/// `from` and `to` are the files' dates, when known.
pub fn compare(
    old: &[Publication],
    new: &[Publication],
    (from, to): (Option<NaiveDate>, Option<NaiveDate>),
    filter: &ListFilter,
) -> Result<DiffReport, QueryError> {
    let mut states: BTreeMap<ListId, (ListState, ListState)> = BTreeMap::new();
    for publication in old.iter().filter(|p| filter.admits(&p.list)) {
        if let PublicationContent::Amendment(_) = publication.content {
            return Err(QueryError::Invalid(format!(
                "{}: OLD must state a whole list (a snapshot); it is an amendment",
                crate::model::text::quote_bounded(&publication.source)
            )));
        }
        let (before, after) = states.entry(publication.list.clone()).or_default();
        fold::apply(before, &publication.content);
        *after = before.clone();
    }
    for publication in new.iter().filter(|p| filter.admits(&p.list)) {
        let (_, after) = states.entry(publication.list.clone()).or_default();
        fold::apply(after, &publication.content);
    }
    if let Some(wanted) = &filter.0
        && !states.contains_key(wanted)
    {
        return Err(QueryError::Invalid(format!(
            "neither file has list {wanted}"
        )));
    }
    let mut report = DiffReport {
        from,
        to,
        ..DiffReport::default()
    };
    for (list, (before, after)) in &states {
        report
            .changes
            .extend(crate::model::diff_states(list, before, after));
    }
    report.sort();
    Ok(report)
}
