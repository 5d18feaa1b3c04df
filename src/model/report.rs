//! The answers listdiff gives, as plain data: built by `query`, printed by `render`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{
    Change, ChangeKind, ColumnChange, Entry, EntryFilter, EntryId, FieldChange, Identity, ListId,
    PublicationKind, PublicationTime, id_order,
};

/// How many entries an event added, removed and changed when it was recorded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Effect {
    /// Entries that came into force.
    pub added: u64,
    /// Entries that went out of force.
    pub removed: u64,
    /// Entries whose content changed.
    pub changed: u64,
}

/// What the log says about one recorded event, without its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventMeta {
    /// The event's gapless sequence number (1, 2, 3, … in recording order).
    pub seq: u64,
    /// The list the publication belongs to.
    pub list: ListId,
    /// The publication time: a date, or a date and a UTC time.
    pub published: PublicationTime,
    /// When listdiff recorded it (UTC).
    pub recorded: DateTime<Utc>,
    /// Snapshot or amendment.
    pub kind: PublicationKind,
    /// The file name or citation it came from.
    pub source: String,
    /// SHA-256 of the exact input bytes (for several files, of their manifest).
    pub sha256: String,
    /// The input format that was read.
    pub format: String,
    /// The earlier event this one corrects (and takes the place of), if any: one with the same
    /// identity, or the one `ingest --corrects` named.
    pub supersedes: Option<u64>,
    /// What it changed against the list as known when it was recorded.
    pub effect: Effect,
}

impl EventMeta {
    /// What identifies its publication among its list's (see [`Identity`]).
    pub fn identity(&self) -> Identity {
        Identity::of(&self.list, self.published, self.kind, &self.source)
    }
}

/// A retraction: an event saying that an earlier event no longer counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetractionMeta {
    /// The retraction's own seq.
    pub seq: u64,
    /// The list of the event it retracts.
    pub list: ListId,
    /// When it was recorded (UTC).
    pub recorded: DateTime<Utc>,
    /// The event it retracts.
    pub retracts: u64,
    /// Why, as given to `listdiff retract --reason`.
    pub reason: String,
    /// What it changed: the list just after the retracted event's place in the fold, before
    /// against after the retraction.
    pub effect: Effect,
}

/// The net difference between two states of the tracked lists.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiffReport {
    /// The earlier state (end of this date), when known.
    pub from: Option<NaiveDate>,
    /// The later state (end of this date), when known.
    pub to: Option<NaiveDate>,
    /// Every added, removed and changed entry, ordered by list, then kind, then id
    /// ([`id_order`]).
    pub changes: Vec<Change>,
    /// The lists whose first publication in the store falls inside the window: their entries
    /// are reported as this baseline, not as additions, and `changes` start after it. Ordered
    /// by list.
    pub baselines: Vec<Baseline>,
    /// What the answer stands on; `None` for a difference of two files (`compare`), which
    /// reads no store.
    pub basis: Option<Basis>,
    /// The columns added to or removed from a plain CSV between the two files (`compare`),
    /// when any: reported once, and left out of `changes`.
    pub columns: Option<ColumnChange>,
    /// What the answer keeps of the changes (and counts of the baselines' entries); empty:
    /// everything.
    pub filter: EntryFilter,
}

impl DiffReport {
    /// Records a column change and takes its columns' values out of the changes.
    pub fn set_columns(&mut self, columns: ColumnChange) {
        if columns.is_empty() {
            return;
        }
        columns.exclude_from(&mut self.changes);
        self.columns = Some(columns);
    }

    /// True when anything differs: an entry, or a column.
    pub fn has_changes(&self) -> bool {
        !self.changes.is_empty() || self.columns.as_ref().is_some_and(|c| !c.is_empty())
    }

    /// How many changes are of `kind`.
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.changes.iter().filter(|c| c.kind == kind).count()
    }

    /// How many changed entries changed a reason field.
    pub fn reason_changes(&self) -> usize {
        self.changes.iter().filter(|c| c.reason_changed()).count()
    }

    /// The changes of one kind.
    pub fn of_kind(&self, kind: ChangeKind) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(move |c| c.kind == kind)
    }

    /// Puts changes in the documented order: list, kind (added, removed, changed), id
    /// ([`id_order`]).
    pub fn sort(&mut self) {
        self.changes.sort_by(|a, b| {
            (&a.list, a.kind)
                .cmp(&(&b.list, b.kind))
                .then_with(|| id_order(&a.id, &b.id))
        });
    }
}

/// The changes one publication made, against the list as it stood before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicationReport {
    /// The event that recorded the publication.
    pub event: EventMeta,
    /// Its changes, ordered by kind, then id ([`id_order`]).
    pub changes: Vec<Change>,
}

/// What changed from the end of the day before `since` to the end of `until`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SinceReport {
    /// The first publication date included.
    pub since: NaiveDate,
    /// The last publication date included.
    pub until: NaiveDate,
    /// The net difference between the end of `since − 1` and the end of `until`.
    pub net: DiffReport,
    /// Each publication in the window that is in force (not superseded), in fold order, except
    /// a list's baseline, which is in `net.baselines`.
    pub publications: Vec<PublicationReport>,
}

impl SinceReport {
    /// The baselines inside the window (see [`DiffReport::baselines`]).
    pub fn baselines(&self) -> &[Baseline] {
        &self.net.baselines
    }
}

/// One entry in force, with its list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedEntry {
    /// The list.
    pub list: ListId,
    /// The entry as it stood.
    pub entry: Entry,
}

/// Every entry in force at the end of a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsOfReport {
    /// The date.
    pub as_of: NaiveDate,
    /// The entries, ordered by list, then id ([`id_order`]).
    pub entries: Vec<ListedEntry>,
    /// What the answer stands on: per list, the publication in force at the end of `as_of`.
    pub basis: Basis,
    /// What the answer keeps of the entries in force; empty: every one.
    pub filter: EntryFilter,
}

/// What a publication did to an entry, in its history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VersionChange {
    /// The entry was in force in the list's baseline (its first publication in the store): in
    /// force when the history begins, since whenever the publisher listed it.
    Baseline,
    /// A publication after the baseline brought the entry into force.
    Added,
    /// A publication changed the entry's content.
    Changed,
    /// A publication took the entry out of force.
    Removed,
}

impl VersionChange {
    /// The lower-case label used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            VersionChange::Baseline => "baseline",
            VersionChange::Added => "added",
            VersionChange::Changed => "changed",
            VersionChange::Removed => "removed",
        }
    }
}

impl std::fmt::Display for VersionChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One version of an entry: what a publication made of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryVersion {
    /// The date of the publication that made this version.
    pub published: NaiveDate,
    /// The event that recorded it.
    pub event: u64,
    /// Whether the publication was the list's baseline, or added, changed or removed the entry.
    pub change: VersionChange,
    /// For the version that carried the entry to a new id when its list's key scheme changed
    /// (a `Changed` version): the id it had before.
    pub previous_id: Option<EntryId>,
    /// The entry as that publication left it (for a removal: as it last stood).
    pub entry: Entry,
    /// For a change, the fields that differ from the version before it (which a filtered
    /// history may not show); none for a change of id alone.
    pub fields: Vec<FieldChange>,
}

/// Every version of one entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryHistory {
    /// The list.
    pub list: ListId,
    /// The entry: its latest id.
    pub id: EntryId,
    /// The ids it had before it was carried to new ids when its list's key scheme changed,
    /// oldest first (empty for most entries); a query that matches any of them finds it.
    pub previous_ids: Vec<EntryId>,
    /// Its latest name.
    pub name: String,
    /// The name the query matched when it is not `name`: an alias or an earlier name (of any
    /// version); `None` when the query matched `name` or the id.
    pub matched: Option<String>,
    /// Its versions in fold order (with a filter, those that pass it).
    pub versions: Vec<EntryVersion>,
}

/// A name close to a query that matched nothing, with the entry that has or had it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloseName {
    /// The list.
    pub list: ListId,
    /// The entry.
    pub id: EntryId,
    /// The close name: a primary name or an alias the entry has had.
    pub name: String,
    /// The entry's latest name.
    pub entry_name: String,
}

/// The histories of every entry matching a query.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryReport {
    /// The query, as given.
    pub query: String,
    /// One history per matching entry, ordered by list, then id ([`id_order`]).
    pub entries: Vec<EntryHistory>,
    /// When nothing matched: the closest names, closest first (at most five).
    pub closest: Vec<CloseName>,
    /// How many entries matched the query but have no version that passes the filter.
    pub excluded: usize,
    /// What the answer keeps of the versions; empty: every one.
    pub filter: EntryFilter,
    /// What the answer stands on: the latest publication of every list searched.
    pub basis: Basis,
}

/// Whether a recorded publication counts now, and if not, why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Standing {
    /// It is the version of its publication that the fold uses.
    Counts,
    /// A later event corrects it: that one counts in its place.
    CorrectedBy(u64),
    /// A retraction took it back.
    Retracted {
        /// The retraction event.
        by: u64,
        /// The retraction's reason.
        reason: String,
    },
}

/// One event of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogEvent {
    /// A recorded publication, and whether it counts now.
    Publication {
        /// The event.
        event: EventMeta,
        /// Whether it counts now.
        standing: Standing,
    },
    /// A retraction of an earlier event.
    Retraction(RetractionMeta),
}

impl LogEvent {
    /// The event's seq.
    pub fn seq(&self) -> u64 {
        match self {
            LogEvent::Publication { event, .. } => event.seq,
            LogEvent::Retraction(r) => r.seq,
        }
    }

    /// The event's list.
    pub fn list(&self) -> &ListId {
        match self {
            LogEvent::Publication { event, .. } => &event.list,
            LogEvent::Retraction(r) => &r.list,
        }
    }
}

/// The recorded events in recording order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogReport {
    /// The events.
    pub events: Vec<LogEvent>,
}

/// A list's first publication in the store, reported as such: the entries it holds were in
/// force when the store's history of the list begins, since whenever the publisher listed them,
/// so they are not additions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Baseline {
    /// The list.
    pub list: ListId,
    /// The publication date.
    pub published: PublicationTime,
    /// The event that recorded it.
    pub event: u64,
    /// Snapshot or amendment: an amendment as the first publication is the baseline too (the
    /// list before it is not recorded), and its entries are what it leaves in force.
    pub kind: PublicationKind,
    /// The file name or citation it came from.
    pub source: String,
    /// How many entries it left in force.
    pub entries: u64,
}

/// The publication one list's part of an answer reads, and how old it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListBasis {
    /// The list.
    pub list: ListId,
    /// The last publication of the list in force at the date the answer reads; `None` when the
    /// store holds no publication of the list dated on or before it.
    pub read: Option<BasisPublication>,
    /// The list's first publication date in the store (to say when its history begins).
    pub first_published: Option<PublicationTime>,
    /// The list's latest publication date in the store (to say whether a later one exists).
    pub last_published: Option<PublicationTime>,
}

/// The publication a [`ListBasis`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BasisPublication {
    /// Its publication date.
    pub published: PublicationTime,
    /// The event that recorded it.
    pub event: u64,
    /// Days from its publication date to the date asked.
    pub age_days: u64,
}

/// What an answer stands on: per list it covers, the publication it reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Basis {
    /// The date the age of each publication is counted to: the date asked (`as-of`'s date,
    /// `diff`'s later date, `since --until`), else today (or the `--known-at` date).
    pub asked: NaiveDate,
    /// One per list the answer covers, ordered by list.
    pub lists: Vec<ListBasis>,
}

impl ListBasis {
    /// True when the part of the answer for this list may be out of date by `max_age_days`:
    /// the publication it reads is older than that, or there is none.
    pub fn older_than(&self, max_age_days: u64) -> bool {
        self.read.is_none_or(|read| read.age_days > max_age_days)
    }
}

/// One list of the store, summed up (`listdiff lists`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListSummary {
    /// The list.
    pub list: ListId,
    /// Entries in force after its latest publication (with `--as-of`, at the end of that date).
    pub entries: u64,
    /// Its first publication date.
    pub first_published: Option<PublicationTime>,
    /// Its latest publication date.
    pub last_published: Option<PublicationTime>,
    /// How many publications the answers read (a correction is not counted twice).
    pub publications: u64,
    /// When the latest event of the list was recorded.
    pub last_recorded: Option<DateTime<Utc>>,
    /// The formats its publications were read from, in name order.
    pub formats: Vec<String>,
    /// The basis of `entries`: its latest publication and its age (for `--max-age`).
    pub basis: ListBasis,
}

/// Every list of the store (`listdiff lists`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListsReport {
    /// With `--as-of`, the date the counts are for.
    pub as_of: Option<NaiveDate>,
    /// The date ages are counted to: `--as-of`, else today (or the `--known-at` date).
    pub asked: NaiveDate,
    /// One per list, ordered by list.
    pub lists: Vec<ListSummary>,
}

/// What a row of `--counts` counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CountScope {
    /// A list's baseline in the window: the entries it left in force.
    Baseline,
    /// One publication: the changes it made.
    Publication,
    /// A list over the whole window: its net changes.
    Net,
    /// A list at the date asked: the entries in force.
    InForce,
    /// A list's matching entries: how many, and their versions by kind.
    History,
}

impl CountScope {
    /// The label used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            CountScope::Baseline => "baseline",
            CountScope::Publication => "publication",
            CountScope::Net => "net",
            CountScope::InForce => "in-force",
            CountScope::History => "history",
        }
    }
}

/// One row of `--counts`: the fields that do not apply to its scope are `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountRow {
    /// The list.
    pub list: ListId,
    /// What the row counts.
    pub scope: CountScope,
    /// The publication's time (baseline, publication, in force).
    pub published: Option<PublicationTime>,
    /// Its event.
    pub event: Option<u64>,
    /// Its source.
    pub source: Option<String>,
    /// Entries: in force (baseline, in force), or matching (history).
    pub entries: Option<u64>,
    /// Additions (versions `added` in a history).
    pub added: Option<u64>,
    /// Removals.
    pub removed: Option<u64>,
    /// Changed entries.
    pub changed: Option<u64>,
    /// Changes that are reason changes.
    pub reason_changes: Option<u64>,
}

impl CountRow {
    /// A row of `scope` for `list` with nothing counted yet.
    pub fn new(list: ListId, scope: CountScope) -> CountRow {
        CountRow {
            list,
            scope,
            published: None,
            event: None,
            source: None,
            entries: None,
            added: None,
            removed: None,
            changed: None,
            reason_changes: None,
        }
    }

    /// The row with `changes` counted by kind.
    pub fn counting<'a>(mut self, changes: impl IntoIterator<Item = &'a Change>) -> CountRow {
        let (mut added, mut removed, mut changed, mut reasons) = (0, 0, 0, 0);
        for change in changes {
            match change.kind {
                ChangeKind::Added => added += 1,
                ChangeKind::Removed => removed += 1,
                ChangeKind::Changed => changed += 1,
            }
            reasons += u64::from(change.reason_changed());
        }
        self.added = Some(added);
        self.removed = Some(removed);
        self.changed = Some(changed);
        self.reason_changes = Some(reasons);
        self
    }
}

/// An answer summed up (`--counts`): one row per list and publication, instead of the entries
/// or changes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CountsReport {
    /// The rows: baselines, publications (in date order), then one net row per list; or one
    /// row per list.
    pub rows: Vec<CountRow>,
    /// For `since` and `diff`, the dates the window runs between (to say when a list had no
    /// publication in it).
    pub window: Option<(NaiveDate, NaiveDate)>,
    /// What the answer stands on.
    pub basis: Basis,
    /// What was counted; empty: everything.
    pub filter: EntryFilter,
}
