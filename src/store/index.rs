//! The derived indexes: how one event changes them, and the reads queries are built from.
//!
//! The indexes hold, for every list, the *effective* timeline (per date, the last recorded event)
//! folded into versions: `versions` has one record each time an entry's content changes, and
//! `changes` lists, per effective event, the entries it changed. Both are a pure function of the
//! log: [`plan`] computes what one event adds to them given the indexes built from the events
//! before it, so replaying the log in seq order rebuilds them exactly.
//!
//! An event dated before later ones (a backfill) or on the date of an earlier one (a correction)
//! changes the fold from its date up to the next effective snapshot, which replaces the whole list
//! and so ends the event's reach: only that window is recomputed.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use sled::IVec;

use super::StoreError;
use super::event::{EventContent, EventRecord, StoredMeta};
use super::keys;
use super::kv::{Kv, Tree, Writes};
use crate::model::fold::FoldNote;
use crate::model::{ChangeKind, Effect, Entry, EntryId, EventMeta, ListId, PublicationKind};

/// An entry in force, as the indexes keep it: its hash and canonical JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Slot {
    pub(crate) hash: [u8; 32],
    pub(crate) json: IVec,
}

impl Slot {
    pub(crate) fn of(entry: &Entry) -> Slot {
        let json = entry.canonical_json();
        Slot {
            hash: Sha256::digest(&json).into(),
            json: IVec::from(json),
        }
    }

    pub(crate) fn entry(&self) -> Result<Entry, StoreError> {
        serde_json::from_slice(&self.json)
            .map_err(|e| StoreError::Corrupt(format!("an indexed entry does not read back: {e}")))
    }

    fn name(&self) -> Result<String, StoreError> {
        #[derive(Deserialize)]
        struct NameOnly<'a> {
            #[serde(borrow)]
            name: Cow<'a, str>,
        }
        serde_json::from_slice::<NameOnly>(&self.json)
            .map(|n| n.name.into_owned())
            .map_err(|e| StoreError::Corrupt(format!("an indexed entry does not read back: {e}")))
    }
}

/// Entries in force by id.
pub(crate) type SlotState = BTreeMap<EntryId, Slot>;

fn encode_version(slot: Option<&Slot>) -> Vec<u8> {
    match slot {
        None => vec![0],
        Some(slot) => {
            let mut value = Vec::with_capacity(33 + slot.json.len());
            value.push(1);
            value.extend_from_slice(&slot.hash);
            value.extend_from_slice(&slot.json);
            value
        }
    }
}

fn decode_version(value: &IVec) -> Result<Option<Slot>, StoreError> {
    match value.first() {
        Some(0) => Ok(None),
        Some(1) if value.len() >= 33 => Ok(Some(Slot {
            hash: value[1..33].try_into().expect("32 bytes"),
            json: value.subslice(33, value.len() - 33),
        })),
        _ => Err(StoreError::Corrupt("a version record is malformed".into())),
    }
}

fn change_byte(kind: ChangeKind) -> u8 {
    match kind {
        ChangeKind::Added => b'a',
        ChangeKind::Removed => b'r',
        ChangeKind::Changed => b'c',
    }
}

fn read_change_byte(byte: Option<&u8>) -> Result<ChangeKind, StoreError> {
    match byte {
        Some(b'a') => Ok(ChangeKind::Added),
        Some(b'r') => Ok(ChangeKind::Removed),
        Some(b'c') => Ok(ChangeKind::Changed),
        _ => Err(StoreError::Corrupt("a change record is malformed".into())),
    }
}

fn kind_byte(kind: PublicationKind) -> u8 {
    match kind {
        PublicationKind::Snapshot => b's',
        PublicationKind::Amendment => b'a',
    }
}

fn read_kind_byte(byte: Option<&u8>) -> Result<PublicationKind, StoreError> {
    match byte {
        Some(b's') => Ok(PublicationKind::Snapshot),
        Some(b'a') => Ok(PublicationKind::Amendment),
        _ => Err(StoreError::Corrupt("a timeline record is malformed".into())),
    }
}

/// SHA-256 over the entry hashes of a whole state, in id order.
pub(crate) fn state_sha256(state: &SlotState) -> String {
    let mut hasher = Sha256::new();
    for slot in state.values() {
        hasher.update(slot.hash);
    }
    hex::encode(hasher.finalize())
}

/// What a new event says, in the form the index needs.
pub(crate) enum Body<'a> {
    /// A whole snapshot (at ingest).
    Snapshot(&'a [Entry]),
    /// A snapshot as stored: difference from its base (at replay).
    SnapshotDelta {
        upsert: &'a [Entry],
        remove: &'a [EntryId],
        entries: u64,
        entries_sha256: &'a str,
    },
    /// An amendment.
    Amendment {
        add: &'a [Entry],
        amend: &'a [Entry],
        remove: &'a [EntryId],
    },
}

impl Body<'_> {
    fn kind(&self) -> PublicationKind {
        match self {
            Body::Snapshot(_) | Body::SnapshotDelta { .. } => PublicationKind::Snapshot,
            Body::Amendment { .. } => PublicationKind::Amendment,
        }
    }
}

/// An event about to be recorded (or replayed).
pub(crate) struct NewEvent<'a> {
    pub(crate) seq: u64,
    pub(crate) list: &'a ListId,
    pub(crate) published: NaiveDate,
    pub(crate) sha256: &'a str,
    pub(crate) body: Body<'a>,
}

/// A snapshot's stored form.
pub(crate) struct Delta {
    pub(crate) entries: u64,
    pub(crate) entries_sha256: String,
    pub(crate) upsert: Vec<Entry>,
    pub(crate) remove: Vec<EntryId>,
}

/// What recording an event does to the indexes.
pub(crate) struct Plan {
    pub(crate) writes: Writes,
    pub(crate) effect: Effect,
    pub(crate) notes: Vec<FoldNote>,
    pub(crate) supersedes: Option<u64>,
    pub(crate) delta: Option<Delta>,
}

type ChangeSet = Vec<(EntryId, ChangeKind, Option<Slot>)>;

fn diff_slots(before: &SlotState, after: &SlotState) -> ChangeSet {
    let mut changes = Vec::new();
    let mut b = before.iter().peekable();
    let mut a = after.iter().peekable();
    loop {
        match (b.peek(), a.peek()) {
            (None, None) => break,
            (Some((id, _)), None) => {
                changes.push(((*id).clone(), ChangeKind::Removed, None));
                b.next();
            }
            (None, Some((id, slot))) => {
                changes.push(((*id).clone(), ChangeKind::Added, Some((*slot).clone())));
                a.next();
            }
            (Some((bid, bslot)), Some((aid, aslot))) => match bid.cmp(aid) {
                std::cmp::Ordering::Less => {
                    changes.push(((*bid).clone(), ChangeKind::Removed, None));
                    b.next();
                }
                std::cmp::Ordering::Greater => {
                    changes.push(((*aid).clone(), ChangeKind::Added, Some((*aslot).clone())));
                    a.next();
                }
                std::cmp::Ordering::Equal => {
                    if bslot.hash != aslot.hash {
                        changes.push(((*aid).clone(), ChangeKind::Changed, Some((*aslot).clone())));
                    }
                    b.next();
                    a.next();
                }
            },
        }
    }
    changes
}

fn apply_amendment(
    state: &mut SlotState,
    add: &[Entry],
    amend: &[Entry],
    remove: &[EntryId],
    notes: &mut Vec<FoldNote>,
) -> ChangeSet {
    let mut changes = Vec::new();
    let puts = add
        .iter()
        .map(|e| (e, false))
        .chain(amend.iter().map(|e| (e, true)));
    for (entry, is_amend) in puts {
        let slot = Slot::of(entry);
        match state.insert(entry.id.clone(), slot.clone()) {
            None => {
                if is_amend {
                    notes.push(FoldNote::AmendedUnknown(entry.id.clone()));
                }
                changes.push((entry.id.clone(), ChangeKind::Added, Some(slot)));
            }
            Some(old) if old.hash == slot.hash => {}
            Some(_) => changes.push((entry.id.clone(), ChangeKind::Changed, Some(slot))),
        }
    }
    for id in remove {
        match state.remove(id) {
            Some(_) => changes.push((id.clone(), ChangeKind::Removed, None)),
            None => notes.push(FoldNote::RemovedUnknown(id.clone())),
        }
    }
    changes.sort_by(|a, b| a.0.cmp(&b.0));
    changes
}

/// A point in a list's fold order: events sort by (date, seq).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Point {
    pub(crate) date: NaiveDate,
    pub(crate) seq: u64,
}

impl Point {
    /// The point before every event of `date`.
    pub(crate) fn start_of(date: NaiveDate) -> Point {
        Point { date, seq: 0 }
    }

    /// The point after every event of `date`.
    pub(crate) fn end_of(date: NaiveDate) -> Point {
        Point {
            date,
            seq: u64::MAX,
        }
    }
}

/// One event on a list's timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimelineItem {
    pub(crate) date: NaiveDate,
    pub(crate) seq: u64,
    pub(crate) kind: PublicationKind,
    /// False when a later event of the same date supersedes it.
    pub(crate) effective: bool,
}

/// A version of an entry: what the event at `at` left it as (`None`: removed).
#[derive(Clone, Debug)]
pub(crate) struct VersionRecord {
    pub(crate) at: Point,
    pub(crate) slot: Option<Slot>,
}

/// Reads of the derived indexes.
pub(crate) struct Index<'a> {
    pub(crate) kv: &'a dyn Kv,
}

impl<'a> Index<'a> {
    /// Every list with events.
    pub(crate) fn lists(&self) -> Result<Vec<ListId>, StoreError> {
        self.kv
            .range(Tree::Lists, &[], &[u8::MAX])
            .map(|pair| {
                let (key, _) = pair?;
                let text = std::str::from_utf8(&key)
                    .map_err(|_| StoreError::Corrupt("a list id is not UTF-8".into()))?;
                ListId::new(text).map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .collect()
    }

    /// The events of `list` dated within `from..=to`, in fold order, marking superseded ones.
    pub(crate) fn timeline(
        &self,
        list: &ListId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<TimelineItem>, StoreError> {
        let lo = keys::list_date(list, from);
        let hi = keys::successor(&keys::list_date(list, to));
        let mut items: Vec<TimelineItem> = Vec::new();
        for pair in self.kv.range(Tree::Timeline, &lo, &hi) {
            let (key, value) = pair?;
            let (_, date, seq) = keys::split_date_seq(&key)
                .ok_or_else(|| StoreError::Corrupt("a timeline key is malformed".into()))?;
            if let Some(last) = items.last_mut()
                && last.date == date
            {
                last.effective = false;
            }
            items.push(TimelineItem {
                date,
                seq,
                kind: read_kind_byte(value.first())?,
                effective: true,
            });
        }
        Ok(items)
    }

    /// The date of the last event of `list`, if any.
    pub(crate) fn last_date(&self, list: &ListId) -> Result<Option<NaiveDate>, StoreError> {
        let prefix = keys::list_prefix(list);
        match self
            .kv
            .range(Tree::Timeline, &prefix, &keys::successor(&prefix))
            .next_back()
        {
            Some(pair) => {
                let (key, _) = pair?;
                Ok(keys::split_date_seq(&key).map(|(_, d, _)| d))
            }
            None => Ok(None),
        }
    }

    /// The effective events after `date`, in fold order, through the first snapshot.
    fn reach(
        &self,
        list: &ListId,
        date: NaiveDate,
    ) -> Result<(Option<u64>, Vec<TimelineItem>), StoreError> {
        let lo = keys::list_date(list, date);
        let hi = keys::successor(&keys::list_prefix(list));
        let mut same_date: Option<u64> = None;
        let mut later: Vec<TimelineItem> = Vec::new();
        for pair in self.kv.range(Tree::Timeline, &lo, &hi) {
            let (key, value) = pair?;
            let (_, d, seq) = keys::split_date_seq(&key)
                .ok_or_else(|| StoreError::Corrupt("a timeline key is malformed".into()))?;
            let kind = read_kind_byte(value.first())?;
            if d == date {
                same_date = Some(seq);
                continue;
            }
            match later.last_mut() {
                Some(last) if last.date == d => {
                    *last = TimelineItem {
                        date: d,
                        seq,
                        kind,
                        effective: true,
                    };
                }
                Some(last) if last.kind == PublicationKind::Snapshot => break,
                _ => later.push(TimelineItem {
                    date: d,
                    seq,
                    kind,
                    effective: true,
                }),
            }
        }
        if let Some(pos) = later
            .iter()
            .position(|i| i.kind == PublicationKind::Snapshot)
        {
            later.truncate(pos + 1);
        }
        Ok((same_date, later))
    }

    /// The changes recorded for the effective event `seq` of `list` at `date`, by id.
    pub(crate) fn changes_of(
        &self,
        list: &ListId,
        date: NaiveDate,
        seq: u64,
    ) -> Result<Vec<(EntryId, ChangeKind)>, StoreError> {
        let prefix = keys::list_date_seq(list, date, seq);
        self.kv
            .range(Tree::Changes, &prefix, &keys::successor(&prefix))
            .map(|pair| {
                let (key, value) = pair?;
                let id = std::str::from_utf8(&key[prefix.len()..])
                    .ok()
                    .and_then(|s| EntryId::new(s).ok())
                    .ok_or_else(|| StoreError::Corrupt("a change key is malformed".into()))?;
                Ok((id, read_change_byte(value.first())?))
            })
            .collect()
    }

    /// The ids of `list` changed by effective events dated after `after` and up to `through`.
    pub(crate) fn changed_between(
        &self,
        list: &ListId,
        after: NaiveDate,
        through: NaiveDate,
    ) -> Result<BTreeSet<EntryId>, StoreError> {
        let (from, to) = if after <= through {
            (after, through)
        } else {
            (through, after)
        };
        let lo = keys::successor(&keys::list_date(list, from));
        let hi = keys::successor(&keys::list_date(list, to));
        let mut ids = BTreeSet::new();
        for pair in self.kv.range(Tree::Changes, &lo, &hi) {
            let (key, _) = pair?;
            let base = keys::list_prefix(list).len() + 12;
            let id = key
                .get(base..)
                .and_then(|b| std::str::from_utf8(b).ok())
                .and_then(|s| EntryId::new(s).ok())
                .ok_or_else(|| StoreError::Corrupt("a change key is malformed".into()))?;
            ids.insert(id);
        }
        Ok(ids)
    }

    /// The last version of an entry strictly before `bound`.
    pub(crate) fn version_before(
        &self,
        list: &ListId,
        id: &EntryId,
        bound: Point,
    ) -> Result<Option<VersionRecord>, StoreError> {
        let prefix = keys::entry_prefix(list, id);
        let hi = keys::version(list, id, bound.date, bound.seq);
        match self.kv.range(Tree::Versions, &prefix, &hi).next_back() {
            None => Ok(None),
            Some(pair) => {
                let (key, value) = pair?;
                let (_, date, seq) = keys::split_date_seq(&key)
                    .ok_or_else(|| StoreError::Corrupt("a version key is malformed".into()))?;
                Ok(Some(VersionRecord {
                    at: Point { date, seq },
                    slot: decode_version(&value)?,
                }))
            }
        }
    }

    /// The entry in force at the end of `date`, if any.
    pub(crate) fn entry_as_of(
        &self,
        list: &ListId,
        id: &EntryId,
        date: NaiveDate,
    ) -> Result<Option<VersionRecord>, StoreError> {
        self.version_before(list, id, Point::end_of(date))
    }

    /// Every version of an entry, in fold order.
    pub(crate) fn versions(
        &self,
        list: &ListId,
        id: &EntryId,
    ) -> Result<Vec<VersionRecord>, StoreError> {
        let prefix = keys::entry_prefix(list, id);
        self.kv
            .range(Tree::Versions, &prefix, &keys::successor(&prefix))
            .map(|pair| {
                let (key, value) = pair?;
                let (_, date, seq) = keys::split_date_seq(&key)
                    .ok_or_else(|| StoreError::Corrupt("a version key is malformed".into()))?;
                Ok(VersionRecord {
                    at: Point { date, seq },
                    slot: decode_version(&value)?,
                })
            })
            .collect()
    }

    /// Every entry id `list` has ever had, with every name it has had.
    pub(crate) fn entries(&self, list: &ListId) -> Result<Vec<(EntryId, Vec<String>)>, StoreError> {
        let prefix = keys::list_prefix(list);
        self.kv
            .range(Tree::Entries, &prefix, &keys::successor(&prefix))
            .map(|pair| {
                let (key, value) = pair?;
                let id = std::str::from_utf8(&key[prefix.len()..])
                    .ok()
                    .and_then(|s| EntryId::new(s).ok())
                    .ok_or_else(|| StoreError::Corrupt("an entry key is malformed".into()))?;
                let names: Vec<String> = serde_json::from_slice(&value)
                    .map_err(|_| StoreError::Corrupt("an entry's names are malformed".into()))?;
                Ok((id, names))
            })
            .collect()
    }

    /// The state of `list` strictly before `bound`.
    pub(crate) fn state_before(
        &self,
        list: &ListId,
        bound: Point,
    ) -> Result<SlotState, StoreError> {
        let mut state = SlotState::new();
        let prefix = keys::list_prefix(list);
        for pair in self
            .kv
            .range(Tree::Entries, &prefix, &keys::successor(&prefix))
        {
            let (key, _) = pair?;
            let id = std::str::from_utf8(&key[prefix.len()..])
                .ok()
                .and_then(|s| EntryId::new(s).ok())
                .ok_or_else(|| StoreError::Corrupt("an entry key is malformed".into()))?;
            if let Some(VersionRecord {
                slot: Some(slot), ..
            }) = self.version_before(list, &id, bound)?
            {
                state.insert(id, slot);
            }
        }
        Ok(state)
    }

    /// The state of `list` at the end of `date`.
    pub(crate) fn state_as_of(
        &self,
        list: &ListId,
        date: NaiveDate,
    ) -> Result<SlotState, StoreError> {
        self.state_before(list, Point::end_of(date))
    }

    /// The metadata of event `seq`.
    pub(crate) fn event_meta(&self, seq: u64) -> Result<EventMeta, StoreError> {
        let value = self
            .kv
            .get(Tree::EventMeta, &keys::seq(seq))?
            .ok_or_else(|| StoreError::Corrupt(format!("event {seq} has no metadata")))?;
        let stored: StoredMeta = serde_json::from_slice(&value).map_err(|e| {
            StoreError::Corrupt(format!("event {seq}: metadata does not read back: {e}"))
        })?;
        Ok(stored.into())
    }

    /// The metadata of every event, in recording order.
    pub(crate) fn all_event_meta(&self) -> Result<Vec<EventMeta>, StoreError> {
        self.kv
            .range(Tree::EventMeta, &[], &[u8::MAX; 9])
            .map(|pair| {
                let (_, value) = pair?;
                let stored: StoredMeta = serde_json::from_slice(&value).map_err(|e| {
                    StoreError::Corrupt(format!("event metadata does not read back: {e}"))
                })?;
                Ok(stored.into())
            })
            .collect()
    }

    /// The seq of a publication already recorded with these list, date and bytes.
    pub(crate) fn recorded_as(
        &self,
        list: &ListId,
        date: NaiveDate,
        sha256: &str,
    ) -> Result<Option<u64>, StoreError> {
        Ok(self
            .kv
            .get(Tree::Dedup, &keys::dedup(list, date, sha256))?
            .and_then(|v| keys::read_seq(&v)))
    }

    fn stored_event(&self, seq: u64) -> Result<EventRecord, StoreError> {
        let bytes = self
            .kv
            .get(Tree::Events, &keys::seq(seq))?
            .ok_or_else(|| StoreError::Corrupt(format!("event {seq} is missing from the log")))?;
        EventRecord::from_bytes(&bytes)
            .map_err(|e| StoreError::Corrupt(format!("event {seq} does not read back: {e}")))
    }

    /// Works out what recording `event` does to the indexes.
    pub(crate) fn plan(&self, event: &NewEvent) -> Result<Plan, StoreError> {
        let list = event.list;
        let (supersedes, later) = self.reach(list, event.published)?;
        let pre = self.state_before(list, Point::start_of(event.published))?;

        // The window whose fold this event changes: from its date through the next snapshot.
        let mut writes = Writes::default();
        let window_end = match later.last() {
            Some(z) if z.kind == PublicationKind::Snapshot => {
                keys::successor(&keys::list_date_seq(list, z.date, z.seq))
            }
            _ => keys::successor(&keys::list_prefix(list)),
        };
        let snapshot_after = match later.last() {
            Some(z) if z.kind == PublicationKind::Snapshot => Some(self.state_before(
                list,
                Point {
                    date: z.date,
                    seq: z.seq + 1,
                },
            )?),
            _ => None,
        };
        let window_start = keys::list_date(list, event.published);
        let date_seq_end = keys::list_prefix(list).len() + 12;
        for pair in self.kv.range(Tree::Changes, &window_start, &window_end) {
            let (key, _) = pair?;
            let (date, seq) = keys::split_date_seq(&key[..date_seq_end])
                .map(|(_, d, s)| (d, s))
                .ok_or_else(|| StoreError::Corrupt("a change key is malformed".into()))?;
            let id = std::str::from_utf8(&key[date_seq_end..])
                .ok()
                .and_then(|s| EntryId::new(s).ok())
                .ok_or_else(|| StoreError::Corrupt("a change key is malformed".into()))?;
            writes.delete(Tree::Changes, key.to_vec());
            writes.delete(Tree::Versions, keys::version(list, &id, date, seq));
        }

        // Fold the new event, then the later events of the window.
        let mut notes = Vec::new();
        let mut state = pre;
        let mut delta = None;
        let own_changes = match &event.body {
            Body::Snapshot(entries) => {
                let content: SlotState = entries
                    .iter()
                    .map(|e| (e.id.clone(), Slot::of(e)))
                    .collect();
                let changes = diff_slots(&state, &content);
                let by_id: HashMap<&EntryId, &Entry> = entries.iter().map(|e| (&e.id, e)).collect();
                let mut upsert = Vec::new();
                let mut remove = Vec::new();
                for (id, kind, _) in &changes {
                    match kind {
                        ChangeKind::Removed => remove.push(id.clone()),
                        _ => upsert.push((*by_id[id]).clone()),
                    }
                }
                delta = Some(Delta {
                    entries: content.len() as u64,
                    entries_sha256: state_sha256(&content),
                    upsert,
                    remove,
                });
                state = content;
                changes
            }
            Body::SnapshotDelta {
                upsert,
                remove,
                entries,
                entries_sha256,
            } => {
                let mut content = state.clone();
                for id in remove.iter() {
                    content.remove(id);
                }
                for entry in upsert.iter() {
                    content.insert(entry.id.clone(), Slot::of(entry));
                }
                if content.len() as u64 != *entries || state_sha256(&content) != *entries_sha256 {
                    return Err(StoreError::Corrupt(format!(
                        "event {}: the snapshot does not rebuild from its base (expected {} entries with hash {}, got {})",
                        event.seq,
                        entries,
                        entries_sha256,
                        content.len()
                    )));
                }
                let changes = diff_slots(&state, &content);
                state = content;
                changes
            }
            Body::Amendment { add, amend, remove } => {
                apply_amendment(&mut state, add, amend, remove, &mut notes)
            }
        };
        let effect = Effect {
            added: own_changes
                .iter()
                .filter(|c| c.1 == ChangeKind::Added)
                .count() as u64,
            removed: own_changes
                .iter()
                .filter(|c| c.1 == ChangeKind::Removed)
                .count() as u64,
            changed: own_changes
                .iter()
                .filter(|c| c.1 == ChangeKind::Changed)
                .count() as u64,
        };
        let mut folded: Vec<(Point, ChangeSet)> = vec![(
            Point {
                date: event.published,
                seq: event.seq,
            },
            own_changes,
        )];
        for item in &later {
            let at = Point {
                date: item.date,
                seq: item.seq,
            };
            let changes = match (item.kind, &snapshot_after) {
                (PublicationKind::Snapshot, Some(content)) => {
                    let changes = diff_slots(&state, content);
                    state = content.clone();
                    changes
                }
                _ => match self.stored_event(item.seq)?.content {
                    EventContent::Amendment { add, amend, remove } => {
                        apply_amendment(&mut state, &add, &amend, &remove, &mut Vec::new())
                    }
                    EventContent::SnapshotDelta { .. } => {
                        return Err(StoreError::Corrupt(format!(
                            "event {}: the timeline says amendment, the log says snapshot",
                            item.seq
                        )));
                    }
                },
            };
            folded.push((at, changes));
        }

        // Write the folded window.
        let mut names: HashMap<EntryId, Vec<String>> = HashMap::new();
        for (at, changes) in &folded {
            for (id, kind, slot) in changes {
                writes.put(
                    Tree::Changes,
                    keys::change(list, at.date, at.seq, id),
                    vec![change_byte(*kind)],
                );
                writes.put(
                    Tree::Versions,
                    keys::version(list, id, at.date, at.seq),
                    encode_version(slot.as_ref()),
                );
                if let Some(slot) = slot {
                    let name = slot.name()?;
                    let known = match names.get_mut(id) {
                        Some(known) => known,
                        None => {
                            let stored = match self.kv.get(Tree::Entries, &keys::entry(list, id))? {
                                Some(v) => serde_json::from_slice(&v).map_err(|_| {
                                    StoreError::Corrupt("an entry's names are malformed".into())
                                })?,
                                None => Vec::new(),
                            };
                            names.entry(id.clone()).or_insert(stored)
                        }
                    };
                    if !known.contains(&name) {
                        known.push(name);
                    }
                }
            }
        }
        for (id, known) in names {
            let value = serde_json::to_vec(&known).expect("names serialise");
            writes.put(Tree::Entries, keys::entry(list, &id), value);
        }
        writes.put(
            Tree::Timeline,
            keys::list_date_seq(list, event.published, event.seq),
            vec![kind_byte(event.body.kind())],
        );
        writes.put(
            Tree::Dedup,
            keys::dedup(list, event.published, event.sha256),
            keys::seq(event.seq).to_vec(),
        );
        writes.put(
            Tree::Lists,
            list.as_str().as_bytes().to_vec(),
            Vec::<u8>::new(),
        );
        Ok(Plan {
            writes,
            effect,
            notes,
            supersedes,
            delta,
        })
    }
}

/// The derived writes for an event's metadata.
pub(crate) fn meta_write(writes: &mut Writes, meta: &EventMeta) {
    let stored = StoredMeta::from(meta);
    writes.put(
        Tree::EventMeta,
        keys::seq(meta.seq).to_vec(),
        serde_json::to_vec(&stored).expect("metadata serialises"),
    );
}

/// Rebuilds the derived indexes of `kv` from its log, checking each event as it goes.
pub(crate) fn rebuild(kv: &dyn Kv) -> Result<u64, StoreError> {
    for tree in Tree::DERIVED {
        kv.clear(tree)?;
    }
    let mut count = 0;
    let mut expected_seq = 1;
    loop {
        let Some(bytes) = kv.get(Tree::Events, &keys::seq(expected_seq))? else {
            break;
        };
        let record = EventRecord::from_bytes(&bytes).map_err(|e| {
            StoreError::Corrupt(format!("event {expected_seq} does not read back: {e}"))
        })?;
        replay(kv, &record)?;
        count += 1;
        expected_seq += 1;
    }
    if kv
        .range(Tree::Events, &keys::seq(expected_seq), &[u8::MAX; 9])
        .next()
        .is_some()
    {
        return Err(StoreError::Corrupt(format!(
            "the log has a gap: event {expected_seq} is missing but later events exist"
        )));
    }
    Ok(count)
}

/// Applies one stored event to the indexes, checking that it folds as it did when recorded.
pub(crate) fn replay(kv: &dyn Kv, record: &EventRecord) -> Result<(), StoreError> {
    let index = Index { kv };
    let body = match &record.content {
        EventContent::SnapshotDelta {
            entries,
            entries_sha256,
            upsert,
            remove,
        } => Body::SnapshotDelta {
            upsert,
            remove,
            entries: *entries,
            entries_sha256,
        },
        EventContent::Amendment { add, amend, remove } => Body::Amendment { add, amend, remove },
    };
    let plan = index.plan(&NewEvent {
        seq: record.seq,
        list: &record.list,
        published: record.published,
        sha256: &record.sha256,
        body,
    })?;
    if plan.effect != record.effect || plan.supersedes != record.supersedes {
        return Err(StoreError::Corrupt(format!(
            "event {}: replaying it gives a different result than when it was recorded",
            record.seq
        )));
    }
    let mut writes = plan.writes;
    meta_write(&mut writes, &record.meta());
    for part in writes.into_parts(super::WRITES_PER_TRANSACTION) {
        kv.commit(part)?;
    }
    Ok(())
}
