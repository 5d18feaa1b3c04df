//! `--known-at` without a replay in the common case (issue 15): the store's own indexes, capped.
//!
//! The view of the log's prefix recorded by a moment M differs from the whole store's only
//! through what was recorded after M. When, for a list L, every event recorded after M is an
//! *append* — a publication that corrects no event recorded by M and is dated strictly after
//! the last date of L's fold by M, or a retraction of an event recorded after M — then the
//! places of L's fold recorded by M are untouched, every later place lies after the end of
//! that date, and the prefix's answers for L are the whole store's answers *capped* at that
//! date (C_L): the state at D is the state at min(D, C_L), a window ends at C_L, an entry's
//! versions are those dated on or before C_L. A list with no publication recorded by M does
//! not exist. This is decided from event headers alone: the events recorded after M are a
//! suffix of the log (recording times never go back), found by a binary search.
//!
//! Where a list in the view fails it (a correction, a retraction or a backfill of what was
//! known by M), the whole view falls back to the replay of the prefix, which stays the
//! reference: the answers are the same either way (the property test in `tests.rs` holds
//! every [`View`](super::View) method to it). The names of entries (`entries`,
//! `entry_names`, which `history` searches) cannot be told from the versions seen: a record's
//! names keep names of versions a correction took back, which its versions no longer show, and
//! a later refold may add a name to a record without a version of its own. So each name in a
//! record carries the seq of the event whose recording gave it (store layout 4): the names a
//! record had by M are those given by events recorded by M ([`RecordsSeen`]), since after M
//! names are only ever added, and a record the view sees (one with a version seen) is never
//! emptied and made again by appends.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::event::LogRecord;
use super::index::Index;
use super::keys;
use super::kv::{Kv, Tree};
use super::records::{Point, RecordedName, Version};
use super::{KnownSource, StoreError};
use crate::model::ListId;

/// The environment variable that, in debug builds only, makes every `--known-at` replay the
/// log's prefix (the reference the capped view is tested against).
pub(crate) const FORCE_REPLAY_VARIABLE: &str = "LISTDIFF_TEST_KNOWN_AT_REPLAY";

/// How much of a list's fold a view sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Seen {
    /// All of it.
    All,
    /// None of it: the list had no place by then.
    Nothing,
    /// Its places dated on or before this date.
    Through(NaiveDate),
}

impl Seen {
    /// The date to read at for a question about `date`; `None` when nothing is seen.
    pub(super) fn date(self, date: NaiveDate) -> Option<NaiveDate> {
        match self {
            Seen::All => Some(date),
            Seen::Nothing => None,
            Seen::Through(last) => Some(date.min(last)),
        }
    }

    /// The exclusive bound to read before for a question bounded by `bound`; `None` when
    /// nothing is seen.
    pub(super) fn bound(self, bound: Point) -> Option<Point> {
        match self {
            Seen::All => Some(bound),
            Seen::Nothing => None,
            Seen::Through(last) => Some(bound.min(Point::end_of(last))),
        }
    }
}

/// The store's indexes as they answer for the log's prefix recorded by a moment, when every
/// list in the view only grew after it.
pub(crate) struct Cap<'a> {
    /// The store.
    kv: &'a dyn Kv,
    /// Every list with a publication recorded by then, with the last date of its fold by then
    /// (`None` when no publication of it counted).
    lists: BTreeMap<ListId, Option<NaiveDate>>,
    /// How many events had been recorded by then (the last one's seq).
    last_seq: u64,
    /// With `--list`: the view holds that list's events alone.
    only: Option<ListId>,
}

impl<'a> Cap<'a> {
    /// The store.
    pub(super) fn kv(&self) -> &'a dyn Kv {
        self.kv
    }

    /// Every list the view holds, in id order.
    pub(super) fn lists(&self) -> Vec<ListId> {
        self.lists.keys().cloned().collect()
    }

    /// How much of `list`'s fold the view sees.
    pub(super) fn seen(&self, list: &ListId) -> Seen {
        match self.lists.get(list) {
            Some(Some(last)) => Seen::Through(*last),
            Some(None) | None => Seen::Nothing,
        }
    }

    /// Whether the view holds the event `record` (recorded by then, and of the view's list).
    pub(super) fn holds(&self, record: &LogRecord) -> bool {
        record.seq() <= self.last_seq && self.only.as_ref().is_none_or(|l| record.list() == l)
    }

    /// The event `seq` when the view holds it, else the error the replay gives for an event
    /// it does not hold.
    pub(super) fn held(&self, index: &Index, seq: u64) -> Result<(), StoreError> {
        if seq <= self.last_seq && self.holds(&index.log_record(seq)?) {
            Ok(())
        } else {
            Err(StoreError::Corrupt(format!(
                "event {seq} is missing from the log"
            )))
        }
    }

    /// How much of `list`'s entry records the view sees.
    pub(super) fn records_seen(&self, list: &ListId) -> RecordsSeen {
        RecordsSeen {
            seen: self.seen(list),
            last_seq: self.last_seq,
        }
    }
}

/// How much of one list's entry records a view sees: the records with a version it sees, each
/// with its versions seen and the names the events it holds gave it.
#[derive(Clone, Copy, Debug)]
pub(super) struct RecordsSeen {
    /// How much of the list's fold is seen.
    seen: Seen,
    /// The last event the view holds.
    last_seq: u64,
}

impl RecordsSeen {
    /// All of every record (a view without `--known-at`).
    pub(super) fn all() -> RecordsSeen {
        RecordsSeen {
            seen: Seen::All,
            last_seq: u64::MAX,
        }
    }

    /// Whether the view sees all of every record.
    pub(super) fn is_all(&self) -> bool {
        self.seen == Seen::All
    }

    /// Whether the view sees `version`.
    pub(super) fn version(&self, version: &Version) -> bool {
        self.seen.bound(version.at) == Some(version.at)
    }

    /// Whether the view sees a record of these versions at all (it had one by then).
    pub(super) fn record(&self, versions: &[Version]) -> bool {
        versions.first().is_some_and(|v| self.version(v))
    }

    /// The names a record had by then, of those it has now (in the order it was given them).
    pub(super) fn names(&self, names: Vec<RecordedName>) -> Vec<String> {
        names
            .into_iter()
            .filter(|n| n.by <= self.last_seq)
            .map(|n| n.name)
            .collect()
    }
}

/// Whether this (debug) process was told to replay every `--known-at`.
fn replay_forced() -> bool {
    cfg!(debug_assertions) && std::env::var_os(FORCE_REPLAY_VARIABLE).is_some_and(|v| v == "1")
}

/// The header of event `seq`.
fn header(kv: &dyn Kv, seq: u64) -> Result<LogRecord, StoreError> {
    let bytes = kv
        .get(Tree::Events, &keys::seq(seq))?
        .ok_or_else(|| StoreError::Corrupt(format!("event {seq} is missing from the log")))?;
    LogRecord::from_bytes(&bytes)
        .map_err(|e| StoreError::Corrupt(format!("event {seq} does not read back: {e}")))
}

/// How many of the `events` events of the log were recorded at or before `moment`: a binary
/// search (recording times never go back).
fn recorded_by(kv: &dyn Kv, events: u64, moment: DateTime<Utc>) -> Result<u64, StoreError> {
    // Invariant: events 1..=low were recorded by then; events high+1.. were not.
    let (mut low, mut high) = (0u64, events);
    while low < high {
        let middle = low + (high - low).div_ceil(2);
        if header(kv, middle)?.recorded() <= moment {
            low = middle;
        } else {
            high = middle - 1;
        }
    }
    Ok(low)
}

/// What the events recorded after the moment did to one list.
#[derive(Default)]
struct Later {
    /// The earliest date of its publications recorded after the moment.
    earliest: Option<NaiveDate>,
    /// One of them corrects, or retracts, an event recorded by the moment.
    touches_the_past: bool,
}

/// The view of the store at `kv` as known at `moment` (a moment before its last recording),
/// of `only` or of every list: the store capped when every list in it only grew since, else
/// the prefix replayed. Returns it and how many events had been recorded by then.
pub(super) fn known_at_in<'a>(
    kv: &'a dyn Kv,
    moment: DateTime<Utc>,
    only: Option<&ListId>,
) -> Result<(KnownSource<'a>, u64), StoreError> {
    let replay = || -> Result<(KnownSource<'a>, u64), StoreError> {
        let (memory, events) = super::replay_prefix(
            kv,
            |record| record.recorded() > moment,
            |record| only.is_none_or(|l| record.list() == l),
        )?;
        Ok((KnownSource::Replayed(memory), events))
    };
    if replay_forced() {
        return replay();
    }
    let events = super::next_seq(kv)?.saturating_sub(1);
    let last_seq = recorded_by(kv, events, moment)?;
    let mut later: BTreeMap<ListId, Later> = BTreeMap::new();
    for seq in last_seq + 1..=events {
        let record = header(kv, seq)?;
        let of_list = later.entry(record.list().clone()).or_default();
        match record {
            LogRecord::Publication(p) => {
                of_list.earliest = Some(
                    of_list
                        .earliest
                        .map_or(p.published.date, |d| d.min(p.published.date)),
                );
                if p.supersedes.is_some_and(|s| s <= last_seq) {
                    of_list.touches_the_past = true;
                }
            }
            LogRecord::Retraction(r) => {
                if r.retracts <= last_seq {
                    of_list.touches_the_past = true;
                }
            }
        }
    }
    let index = Index::new(kv);
    let in_view = match only {
        Some(list) => vec![list.clone()],
        None => index.lists()?,
    };
    let mut lists = BTreeMap::new();
    for list in in_view {
        if !has_publication_by(kv, &list, last_seq)? {
            continue;
        }
        // The last place of the list whose counting event was recorded by then: with no
        // correction of those events since, these are the places of the fold by then.
        let mut last = None;
        for item in index.places(&list).rev() {
            let item = item?;
            if item.seq <= last_seq {
                last = Some(item.point.published().date);
                break;
            }
        }
        if let Some(since) = later.get(&list) {
            let backfill = match (since.earliest, last) {
                (Some(earliest), Some(last)) => earliest <= last,
                _ => false,
            };
            if since.touches_the_past || backfill {
                return replay();
            }
        }
        lists.insert(list, last);
    }
    Ok((
        KnownSource::Capped(Cap {
            kv,
            lists,
            last_seq,
            only: only.cloned(),
        }),
        last_seq,
    ))
}

/// Whether `list` has a publication first recorded at or before event `last_seq` (its
/// `groups` key with the lowest first event).
fn has_publication_by(kv: &dyn Kv, list: &ListId, last_seq: u64) -> Result<bool, StoreError> {
    let prefix = keys::list_prefix(list);
    match kv
        .range(Tree::Groups, &prefix, &keys::successor(&prefix))
        .next()
    {
        Some(pair) => {
            let (key, _) = pair?;
            let first = key
                .len()
                .checked_sub(8)
                .and_then(|cut| keys::read_seq(&key[cut..]))
                .ok_or_else(|| StoreError::Corrupt("a groups key is malformed".into()))?;
            Ok(first <= last_seq)
        }
        None => Ok(false),
    }
}
