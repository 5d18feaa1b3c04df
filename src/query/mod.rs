//! Questions asked of the recorded history: as-of, since, diff, history, log, and compare.
//!
//! Each query reads only what its answer needs: `since` and `diff` visit the entries changed in
//! their window, `history` the versions of the matching entries, `as-of` one version per entry.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::model::fold;
use crate::model::{
    AsOfReport, Change, ChangeKind, DiffReport, EntryHistory, EntryVersion, HistoryReport, ListId,
    ListState, ListedEntry, LogReport, Publication, PublicationContent, PublicationReport,
    SinceReport,
};
use crate::store::{StoreError, View};

// Reparse: recorded content against the current parsers.
pub mod reparse;

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
pub fn diff(
    view: &View,
    from: NaiveDate,
    to: NaiveDate,
    filter: &ListFilter,
) -> Result<DiffReport, QueryError> {
    let mut report = DiffReport {
        from: Some(from),
        to: Some(to),
        changes: Vec::new(),
    };
    let later = from.max(to);
    for list in filter.lists(view)? {
        for id in view.changed_between(&list, from, to)? {
            let before = view.entry_as_of(&list, &id, from)?;
            let last = view.version_as_of(&list, &id, later)?;
            let after = view.entry_as_of(&list, &id, to)?;
            if let Some(mut change) = Change::between(&list, before, after) {
                if let Some(last) = last {
                    change.published = Some(last.published);
                    change.event = Some(last.seq);
                }
                report.changes.push(change);
            }
        }
    }
    report.sort();
    Ok(report)
}

/// The latest publication date among the filtered lists.
pub fn latest_publication(
    view: &View,
    filter: &ListFilter,
) -> Result<Option<NaiveDate>, QueryError> {
    let mut latest = None;
    for list in filter.lists(view)? {
        latest = latest.max(view.last_date(&list)?);
    }
    Ok(latest)
}

/// What changed from the end of the day before `since` to the end of `until` (default: the
/// latest publication), publication by publication and net.
pub fn since(
    view: &View,
    since: NaiveDate,
    until: Option<NaiveDate>,
    filter: &ListFilter,
) -> Result<SinceReport, QueryError> {
    let baseline = since.pred_opt().unwrap_or(since);
    let until = match until {
        Some(until) if until < baseline => {
            return Err(QueryError::Invalid(format!(
                "--until {until} is before {since}: give a date on or after it"
            )));
        }
        Some(until) => until,
        None => latest_publication(view, filter)?
            .unwrap_or(since)
            .max(since),
    };
    let net = diff(view, baseline, until, filter)?;
    let mut publications = Vec::new();
    for list in filter.lists(view)? {
        for item in view.timeline(&list, since, until)? {
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
pub fn history(view: &View, query: &str, filter: &ListFilter) -> Result<HistoryReport, QueryError> {
    let needle = query.trim().to_lowercase();
    if needle.is_empty() {
        return Err(QueryError::Invalid(
            "history needs an entry id or part of a name".into(),
        ));
    }
    let mut report = HistoryReport::default();
    for list in filter.lists(view)? {
        let id_matches = |id: &str| id == query.trim() || id.to_lowercase() == needle;
        let name_matches = |name: &str| name.to_lowercase().contains(&needle);
        let candidates = view.matching_entries(&list, |id, names| {
            id_matches(id) || names.iter().any(|n| name_matches(n))
        })?;
        for (id, _) in candidates {
            let id_matches = id_matches(id.as_str());
            let mut versions = Vec::new();
            let mut previous: Option<crate::model::Entry> = None;
            for version in view.versions(&list, &id)? {
                let (change, entry) = match (&previous, version.entry) {
                    (None, Some(entry)) => (ChangeKind::Added, entry),
                    (Some(_), Some(entry)) => (ChangeKind::Changed, entry),
                    (Some(last), None) => (ChangeKind::Removed, last.clone()),
                    (None, None) => continue,
                };
                previous = (change != ChangeKind::Removed).then(|| entry.clone());
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
        changes: Vec::new(),
    };
    for (list, (before, after)) in &states {
        report
            .changes
            .extend(crate::model::diff_states(list, before, after));
    }
    report.sort();
    Ok(report)
}
