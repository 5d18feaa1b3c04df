//! Questions asked of the recorded history: as-of, since, diff, history, log, and compare.
//!
//! Each query reads only what its answer needs: `since` and `diff` visit the entries changed in
//! their window, `history` the versions of the matching entries, `as-of` one version per entry.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use chrono::NaiveDate;

use crate::model::rekey::{Carried, Rekey};
use crate::model::{
    AsOfReport, Basis, Change, ChangeKind, CountRow, CountScope, CountsReport, DiffReport, Entry,
    EntryFilter, EntryHistory, EntryId, EntryVersion, HistoryReport, ListId, ListState,
    ListSummary, ListedEntry, ListsReport, LogReport, Publication, PublicationContent,
    PublicationKind, PublicationReport, SinceReport, VersionChange, diff_entries, id_order,
};
use crate::model::{carry, fold};
use crate::store::{StoreError, StoredVersion, TimelineEvent, View};

// Reparse: recorded content against the current parsers.
pub mod reparse;

// Issue 11: baselines and what an answer stands on.
mod grounds;
use grounds::ListPublications;

// Issue 12: finding entries by any name they have had.
mod search;

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

/// Refuses `--reason-changes` for an answer that lists entries, not changes.
fn entries_only(entries: &EntryFilter) -> Result<(), QueryError> {
    if entries.reason_changes {
        return Err(QueryError::Invalid(
            "--reason-changes selects changes, and as-of lists the entries in force: use it with since, diff or history".into(),
        ));
    }
    Ok(())
}

/// Every entry in force at the end of `date` that passes `entries`, ordered by list, then id
/// ([`id_order`]).
pub fn as_of(
    view: &View,
    date: NaiveDate,
    filter: &ListFilter,
    entries: &EntryFilter,
) -> Result<AsOfReport, QueryError> {
    entries_only(entries)?;
    let mut listed = Vec::new();
    for list in filter.lists(view)? {
        let mut state = view.state_as_of(&list, date)?;
        state.retain(|entry| entries.admits_entry(entry));
        state.sort_by(|a, b| id_order(&a.id, &b.id));
        listed.extend(state.into_iter().map(|entry| ListedEntry {
            list: list.clone(),
            entry,
        }));
    }
    Ok(AsOfReport {
        as_of: date,
        entries: listed,
        basis: as_of_basis(view, date, filter)?,
        filter: entries.clone(),
    })
}

/// Calls `f` with the list and the canonical JSON of every entry in force at the end of `date`
/// that passes `entries`, ordered by list, then id ([`id_order`]), without parsing it unless
/// the filter needs it: for output that can copy it as it is.
pub fn each_as_of<E: From<QueryError> + From<StoreError>>(
    view: &View,
    date: NaiveDate,
    filter: &ListFilter,
    entries: &EntryFilter,
    mut f: impl FnMut(&ListId, &[u8]) -> Result<(), E>,
) -> Result<(), E> {
    entries_only(entries)?;
    for list in filter.lists(view)? {
        view.each_as_of_by_id(&list, date, |json| {
            if entries.selects_entries() && !entries.admits_entry(&parse_stored(json)?) {
                return Ok(());
            }
            f(&list, json)
        })?;
    }
    Ok(())
}

/// A stored entry's canonical JSON, parsed.
fn parse_stored(json: &[u8]) -> Result<Entry, StoreError> {
    serde_json::from_slice::<Entry>(json)
        .map_err(|e| StoreError::Corrupt(format!("a stored entry does not read back: {e}")))
}

/// `--counts` of `as-of`: per list, the entries in force at the end of `date` that pass
/// `entries`, and the publication they stand on.
pub fn as_of_counts(
    view: &View,
    date: NaiveDate,
    filter: &ListFilter,
    entries: &EntryFilter,
) -> Result<CountsReport, QueryError> {
    entries_only(entries)?;
    let basis = as_of_basis(view, date, filter)?;
    let mut rows = Vec::new();
    for list_basis in &basis.lists {
        let list = &list_basis.list;
        let mut row = CountRow::new(list.clone(), CountScope::InForce);
        if let Some(read) = list_basis.read {
            row.published = Some(read.published);
            row.event = Some(read.event);
            row.source = Some(view.event(read.event)?.source);
        }
        let count = if entries.selects_entries() {
            let mut count = 0u64;
            view.each_as_of(list, date, |json| -> Result<(), StoreError> {
                count += u64::from(entries.admits_entry(&parse_stored(json)?));
                Ok(())
            })?;
            count
        } else {
            view.ids_as_of(list, date)?.len() as u64
        };
        row.entries = Some(count);
        rows.push(row);
    }
    Ok(CountsReport {
        rows,
        window: None,
        basis,
        filter: entries.clone(),
    })
}

/// The net difference between the end of `from` and the end of `to`, keeping the changes that
/// pass `entries`. `from` after `to` is refused, as `since` refuses `--until` before its date.
///
/// For a list whose baseline (first publication in the store) falls between them, the earlier
/// end is the list just after its baseline: the store knows nothing of the list before it, so
/// its entries are reported as the baseline, not as additions.
pub fn diff(
    view: &View,
    from: NaiveDate,
    to: NaiveDate,
    filter: &ListFilter,
    entries: &EntryFilter,
) -> Result<DiffReport, QueryError> {
    if from > to {
        return Err(QueryError::Invalid(format!(
            "FROM {from} is after TO {to}: give the earlier date first (listdiff diff {to} {from})"
        )));
    }
    diff_asked(view, from, to, filter, entries, to)
}

/// [`diff`] of `earlier` and `later` (in that order), with the basis aged to `asked`.
fn diff_asked(
    view: &View,
    earlier: NaiveDate,
    later: NaiveDate,
    filter: &ListFilter,
    entries: &EntryFilter,
    asked: NaiveDate,
) -> Result<DiffReport, QueryError> {
    let mut report = DiffReport {
        from: Some(earlier),
        to: Some(later),
        changes: Vec::new(),
        baselines: Vec::new(),
        basis: Some(Basis {
            asked,
            lists: Vec::new(),
        }),
        columns: None,
        filter: entries.clone(),
    };
    let mut bases = Vec::new();
    for list in filter.lists(view)? {
        let publications = ListPublications::read(view, &list)?;
        bases.push(publications.basis(later, asked));
        let mut changes = Vec::new();
        let Some(baseline) = publications.baseline_within(earlier, later) else {
            for id in view.changed_between(&list, earlier, later)? {
                let before = view.entry_as_of(&list, &id, earlier)?;
                let after = view.entry_as_of(&list, &id, later)?;
                push_change(view, &mut changes, &list, &id, (before, after), later)?;
            }
            let window = publications
                .items
                .iter()
                .filter(|p| earlier < p.published.date && p.published.date <= later);
            report
                .changes
                .extend(pair_carried_in(view, changes, window)?);
            continue;
        };
        // The window starts before the list's history: the earlier end is the baseline.
        let baseline = *baseline;
        if let Some(mut described) = publications.describe_baseline(view)? {
            if entries.selects_entries() {
                described.entries = baseline_entries_passing(view, &list, &baseline, entries)?;
            }
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
            push_change(
                view,
                &mut changes,
                &list,
                &id,
                (at_baseline, at_later),
                later,
            )?;
        }
        let window = publications
            .within(baseline.published.date, later)
            .skip(1)
            .map(|(_, p)| p);
        report
            .changes
            .extend(pair_carried_in(view, changes, window)?);
    }
    if let Some(basis) = report.basis.as_mut() {
        basis.lists = bases;
    }
    report
        .changes
        .retain(|change| entries.admits_change(change));
    report.sort();
    Ok(report)
}

/// How many of the entries the baseline `baseline` of `list` left in force pass `entries`.
fn baseline_entries_passing(
    view: &View,
    list: &ListId,
    baseline: &crate::store::TimelineEvent,
    entries: &EntryFilter,
) -> Result<u64, QueryError> {
    let mut count = 0;
    for (id, _) in view.changes_of(list, baseline.at)? {
        if let Some(entry) = view.entry_after(list, &id, baseline.at)? {
            count += u64::from(entries.admits_entry(&entry));
        }
    }
    Ok(count)
}

/// `--counts` of `diff`: per list, its baseline in the window if any, and its net changes.
pub fn diff_counts(report: &DiffReport) -> CountsReport {
    let mut rows: Vec<CountRow> = report.baselines.iter().map(baseline_row).collect();
    rows.extend(net_rows(report));
    CountsReport {
        rows,
        window: report.from.zip(report.to),
        basis: report.basis.clone().unwrap_or_default(),
        filter: report.filter.clone(),
    }
}

/// A baseline as a row of `--counts`.
fn baseline_row(baseline: &crate::model::Baseline) -> CountRow {
    let mut row = CountRow::new(baseline.list.clone(), CountScope::Baseline);
    row.published = Some(baseline.published);
    row.event = Some(baseline.event);
    row.source = Some(baseline.source.clone());
    row.entries = Some(baseline.entries);
    row
}

/// One net row per list the report covers (by its basis, else by its changes), in list order.
fn net_rows(report: &DiffReport) -> Vec<CountRow> {
    let mut lists: Vec<&ListId> = match &report.basis {
        Some(basis) => basis.lists.iter().map(|l| &l.list).collect(),
        None => report.changes.iter().map(|c| &c.list).collect(),
    };
    lists.sort();
    lists.dedup();
    lists
        .into_iter()
        .map(|list| {
            CountRow::new(list.clone(), CountScope::Net)
                .counting(report.changes.iter().filter(|c| &c.list == list))
        })
        .collect()
}

/// `changes`, the changes of one list over a window, with each entry that the publications of
/// the window (`window`, in fold order) carried to a new id made one change
/// ([`carry::pair_carried`]). The headers of the window's snapshots are read only when the
/// changes hold both a removal and an addition: nothing else can pair.
fn pair_carried_in<'a>(
    view: &View,
    changes: Vec<Change>,
    window: impl Iterator<Item = &'a TimelineEvent>,
) -> Result<Vec<Change>, QueryError> {
    let has = |kind: ChangeKind| changes.iter().any(|c| c.kind == kind);
    if !has(ChangeKind::Removed) || !has(ChangeKind::Added) {
        return Ok(changes);
    }
    let mut steps = Vec::new();
    for publication in window.filter(|p| p.kind == PublicationKind::Snapshot) {
        steps.push(view.carried(publication.seq)?);
    }
    let steps: Vec<&[Carried]> = steps.iter().map(Vec::as_slice).collect();
    Ok(carry::pair_carried(changes, &steps))
}

/// Adds the change of `id` between `before` and `after` to `changes`, dated by the last version
/// on or before `later` (the last publication in the window that changed it).
fn push_change(
    view: &View,
    changes: &mut Vec<Change>,
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
        changes.push(change);
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
/// Only the changes that pass `entries` are kept, in each publication and net; a baseline
/// counts the entries it left in force that pass it.
pub fn since(
    view: &View,
    since: NaiveDate,
    until: Option<NaiveDate>,
    filter: &ListFilter,
    entries: &EntryFilter,
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
    let net = diff_asked(view, day_before, until, filter, entries, asked)?;
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
            // Entries this publication carried to new ids: one change each, then filtered.
            let mut changes = pair_carried_in(view, changes, std::iter::once(item))?;
            changes.retain(|change| entries.admits_change(change));
            changes.sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| id_order(&a.id, &b.id)));
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

/// `--counts` of `since`: per list its baseline in the window if any, each publication's
/// changes, and the net changes.
pub fn since_counts(report: &SinceReport) -> CountsReport {
    let mut rows: Vec<CountRow> = report.baselines().iter().map(baseline_row).collect();
    for publication in &report.publications {
        let event = &publication.event;
        let mut row = CountRow::new(event.list.clone(), CountScope::Publication)
            .counting(&publication.changes);
        row.published = Some(event.published);
        row.event = Some(event.seq);
        row.source = Some(event.source.clone());
        rows.push(row);
    }
    rows.extend(net_rows(&report.net));
    CountsReport {
        rows,
        window: report.net.from.zip(report.net.to),
        basis: report.net.basis.clone().unwrap_or_default(),
        filter: report.net.filter.clone(),
    }
}

/// Every version of the entries whose id is `query`, or any of whose names — a primary name or
/// an alias of any version — the query matches (see `search`: case, accents, punctuation and
/// word order aside), keeping the versions that pass `entries` (each version judged as a change:
/// on the entry before it and the entry it made). The first version of an entry in force in its
/// list's baseline is marked as the baseline, not as an addition. When nothing matches, the
/// five closest names. The basis is every searched list's latest publication, aged to `today`
/// (or to that publication, when it is dated later).
pub fn history(
    view: &View,
    query: &str,
    filter: &ListFilter,
    entries: &EntryFilter,
    today: NaiveDate,
) -> Result<HistoryReport, QueryError> {
    let trimmed = query.trim();
    if trimmed.is_empty() {
        return Err(QueryError::Invalid(
            "history needs an entry id or part of a name".into(),
        ));
    }
    // Stored ids are clean (no format characters, NFC): a typed or pasted id is matched as such.
    let wanted_id = crate::model::clean_id_text(trimmed);
    let lower = trimmed.to_lowercase();
    let id_matches = |id: &str| id == trimmed || id == wanted_id || id.to_lowercase() == lower;
    let names_query = search::NameQuery::new(trimmed);
    let name_matches = |name: &str| names_query.as_ref().is_some_and(|q| q.matches(name));
    let mut report = HistoryReport {
        query: query.to_string(),
        filter: entries.clone(),
        ..HistoryReport::default()
    };
    let lists = filter.lists(view)?;
    let mut bases = Vec::new();
    let mut asked = today;
    let mut searched = Vec::new();
    for list in &lists {
        let publications = ListPublications::read(view, list)?;
        asked = asked.max(publications.last_published().map_or(today, |p| p.date));
        let baseline = publications.baseline().map(|b| b.seq);
        bases.push(publications);
        let names = view.entry_names(list)?;
        let mut lineages = Lineages::new(view, list);
        for entry in &names {
            let matched = if id_matches(entry.id.as_str()) || name_matches(&entry.latest) {
                None
            } else {
                match entry
                    .names
                    .iter()
                    .chain(&entry.aliases)
                    .find(|name| name_matches(name))
                {
                    Some(name) => Some(name.clone()),
                    None => continue,
                }
            };
            // An entry carried to new ids is one history, under its latest id, found by any
            // of its ids or names once.
            let Some(lineage) = lineages.of(&entry.id)? else {
                continue;
            };
            let name = lineage.name().unwrap_or(&entry.latest).to_string();
            let versions = entry_versions(lineage.versions, baseline, entries);
            if versions.is_empty() {
                // With a filter: a match none of whose versions passes it, said in the answer.
                report.excluded += usize::from(!entries.is_empty());
                continue;
            }
            let mut ids = lineage.ids;
            let id = ids.pop().unwrap_or_else(|| entry.id.clone());
            report.entries.push(EntryHistory {
                list: list.clone(),
                id,
                previous_ids: ids,
                matched: matched.filter(|m| *m != name),
                name,
                versions,
            });
        }
        searched.push((list.clone(), names));
    }
    report
        .entries
        .sort_by(|a, b| search::listing((&a.list, &a.id), (&b.list, &b.id)));
    if report.entries.is_empty()
        && report.excluded == 0
        && let Some(names_query) = &names_query
    {
        report.closest = search::closest(names_query, &searched, CLOSEST_NAMES);
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

/// How many close names `history` shows when nothing matched.
const CLOSEST_NAMES: usize = 5;

/// One entry's versions across the changes of id that carried it to new ids (see
/// [`Lineages`]): its ids, oldest first, and its stored versions in fold order, the first
/// version under each later id marked with the id it was carried from (the removal of that id
/// by the same event left out).
struct Lineage {
    /// The ids it has had, oldest first; the last is its latest.
    ids: Vec<EntryId>,
    /// Its versions in fold order, each with the id it was carried from when it is the first
    /// under a new id.
    versions: Vec<(StoredVersion, Option<EntryId>)>,
}

impl Lineage {
    /// The name of its latest version (as it last stood, when it was removed).
    fn name(&self) -> Option<&str> {
        self.versions
            .iter()
            .rev()
            .find_map(|(v, _)| v.entry.as_ref())
            .map(|e| e.name.as_str())
    }
}

/// The lineages of one list's entries for `history`: an entry whose last version is its removal
/// by an event that carried it to a new id (that event's `carried`, a change of key scheme),
/// and whose new id's first version is that event's, continues under the new id; followed both
/// ways from any of its ids. Reads the header of an event only where an entry's history begins
/// or ends, each once.
struct Lineages<'v, 'a> {
    view: &'v View<'a>,
    list: &'v ListId,
    /// The carried pairs of the events read so far.
    carried: HashMap<u64, Vec<Carried>>,
    /// The ids already given in a lineage: a match of another of its ids gives it no more.
    given: HashSet<EntryId>,
}

impl<'v, 'a> Lineages<'v, 'a> {
    fn new(view: &'v View<'a>, list: &'v ListId) -> Self {
        Lineages {
            view,
            list,
            carried: HashMap::new(),
            given: HashSet::new(),
        }
    }

    /// The pairs event `seq` carried.
    fn carried_by(&mut self, seq: u64) -> Result<&[Carried], QueryError> {
        if !self.carried.contains_key(&seq) {
            let pairs = self.view.carried(seq)?;
            self.carried.insert(seq, pairs);
        }
        Ok(self.carried.get(&seq).map_or(&[], Vec::as_slice))
    }

    /// The lineage of `id`, or `None` when it was given already (through another of its ids).
    fn of(&mut self, id: &EntryId) -> Result<Option<Lineage>, QueryError> {
        if self.given.contains(id) {
            return Ok(None);
        }
        let mut segments: VecDeque<(EntryId, Vec<StoredVersion>)> = VecDeque::new();
        segments.push_back((id.clone(), self.view.versions(self.list, id)?));
        // Back: the id this one was carried from, while its first version is that carry.
        while let Some(first) = segments.front().and_then(|(_, v)| v.first()).cloned() {
            let current = segments
                .front()
                .map(|(id, _)| id.clone())
                .unwrap_or_else(|| id.clone());
            let Some(old) = self
                .carried_by(first.seq)?
                .iter()
                .find(|c| c.new == current)
                .map(|c| c.old.clone())
            else {
                break;
            };
            let versions = self.view.versions(self.list, &old)?;
            let removed_then = versions
                .last()
                .is_some_and(|v| v.seq == first.seq && v.entry.is_none());
            if !removed_then || segments.iter().any(|(id, _)| *id == old) {
                break;
            }
            segments.push_front((old, versions));
        }
        // Forward: the id this one was carried to, while its last version is that carry.
        while let Some(last) = segments.back().and_then(|(_, v)| v.last()).cloned() {
            let current = segments
                .back()
                .map(|(id, _)| id.clone())
                .unwrap_or_else(|| id.clone());
            if last.entry.is_some() {
                break;
            }
            let Some(new) = self
                .carried_by(last.seq)?
                .iter()
                .find(|c| c.old == current)
                .map(|c| c.new.clone())
            else {
                break;
            };
            let versions = self.view.versions(self.list, &new)?;
            let added_then = versions
                .first()
                .is_some_and(|v| v.seq == last.seq && v.entry.is_some());
            if !added_then || segments.iter().any(|(id, _)| *id == new) {
                break;
            }
            segments.push_back((new, versions));
        }
        let mut lineage = Lineage {
            ids: Vec::new(),
            versions: Vec::new(),
        };
        let count = segments.len();
        for (i, (id, mut versions)) in segments.into_iter().enumerate() {
            if i + 1 < count {
                // Its removal by the event that carried it: the next id's first version says it.
                versions.pop();
            }
            let carried_from = lineage.ids.last().cloned();
            for (j, version) in versions.into_iter().enumerate() {
                let from = if j == 0 { carried_from.clone() } else { None };
                lineage.versions.push((version, from));
            }
            self.given.insert(id.clone());
            lineage.ids.push(id);
        }
        Ok(Some(lineage))
    }
}

/// The versions of a lineage that pass `entries`, each with the fields it changed against the
/// version before it (a change of id is a change, with or without other differences);
/// `baseline` is the seq of the list's baseline.
fn entry_versions(
    stored: Vec<(StoredVersion, Option<EntryId>)>,
    baseline: Option<u64>,
    entries: &EntryFilter,
) -> Vec<EntryVersion> {
    let mut versions = Vec::new();
    let mut previous: Option<Entry> = None;
    for (version, carried_from) in stored {
        let (change, entry) = match (&previous, version.entry) {
            (None, Some(entry)) if Some(version.seq) == baseline => {
                (VersionChange::Baseline, entry)
            }
            (None, Some(entry)) => (VersionChange::Added, entry),
            (Some(_), Some(entry)) => (VersionChange::Changed, entry),
            (Some(last), None) => (VersionChange::Removed, last.clone()),
            (None, None) => continue,
        };
        let fields = match (&previous, change) {
            (Some(before), VersionChange::Changed) => diff_entries(before, &entry),
            _ => Vec::new(),
        };
        let (before, after) = match change {
            VersionChange::Baseline | VersionChange::Added => (None, Some(&entry)),
            VersionChange::Changed => (previous.as_ref(), Some(&entry)),
            VersionChange::Removed => (Some(&entry), None),
        };
        let passes = entries.admits(before, after, fields.iter().any(|f| f.is_reason()));
        let next = (change != VersionChange::Removed).then(|| entry.clone());
        if passes {
            versions.push(EntryVersion {
                published: version.published,
                event: version.seq,
                change,
                previous_id: carried_from.filter(|_| change == VersionChange::Changed),
                entry,
                fields,
            });
        }
        previous = next;
    }
    versions
}

/// `--counts` of `history`: per list searched, the entries listed and their versions by kind.
pub fn history_counts(report: &HistoryReport) -> CountsReport {
    let rows = report
        .basis
        .lists
        .iter()
        .map(|basis| {
            let mut row = CountRow::new(basis.list.clone(), CountScope::History);
            let histories: Vec<&EntryHistory> = report
                .entries
                .iter()
                .filter(|h| h.list == basis.list)
                .collect();
            let versions = histories.iter().flat_map(|h| &h.versions);
            let count = |kind: VersionChange| {
                Some(versions.clone().filter(|v| v.change == kind).count() as u64)
            };
            row.entries = Some(histories.len() as u64);
            row.added = count(VersionChange::Added);
            row.removed = count(VersionChange::Removed);
            row.changed = count(VersionChange::Changed);
            row.reason_changes = Some(
                versions
                    .clone()
                    .filter(|v| v.fields.iter().any(|f| f.is_reason()))
                    .count() as u64,
            );
            row
        })
        .collect();
    CountsReport {
        rows,
        window: None,
        basis: report.basis.clone(),
        filter: report.filter.clone(),
    }
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
/// `from` and `to` are the files' dates, when known. `rekeys` are the lists whose key scheme
/// changed from `old` to `new` with what `new` carries (`ingest::rekeys_between`): each entry
/// carried is one change of id, as the store answers once both are recorded.
pub fn compare(
    old: &[Publication],
    new: &[Publication],
    (from, to): (Option<NaiveDate>, Option<NaiveDate>),
    filter: &ListFilter,
    rekeys: &[(ListId, Rekey)],
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
        let changes = crate::model::diff_states(list, before, after);
        let carried: Vec<&[Carried]> = rekeys
            .iter()
            .filter(|(l, _)| l == list)
            .map(|(_, rekey)| rekey.carried.as_slice())
            .collect();
        report
            .changes
            .extend(carry::pair_carried(changes, &carried));
    }
    report.sort();
    Ok(report)
}
