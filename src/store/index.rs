//! The derived indexes: how one event changes them, and the reads queries are built from.
//!
//! For every list the indexes hold its fold: a sequence of *places* (the timeline), each where
//! one publication is folded, in fold order: by publication time, then by the seq of the first
//! event recorded of that publication. At each place the version of the publication that
//! counts is folded: the last recorded of its versions (its first event and its corrections)
//! that is not retracted. The fold is kept as per-entry records: `entries` has, per entry,
//! every version in fold order and where its content is; `changes` has, per place, the ids its
//! event changed. `groups` holds the versions of each publication and their retractions,
//! `identities` the publications that count by identity (for telling a correction from a new
//! publication), `dedup` the events not retracted by their bytes. All are a pure function of
//! the log: [`Index::plan`] and [`Index::plan_retraction`] compute what one event does to them
//! given the indexes built from the events before it, so replaying the log in seq order
//! rebuilds them exactly.
//!
//! An event changes the fold at one or two places: a new publication adds a place; a
//! correction replaces what its place folds (and moves the place when it has another time); a
//! retraction removes a place or folds an earlier version there again. The fold changes from
//! the first of those places up to the next snapshot after the last of them, which replaces the
//! whole list and so ends their reach: only that window is refolded.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::StoreError;
use super::event::{
    Block, EventContent, EventRecord, FRAME_LINES, Framed, LogRecord, RetractionRecord, frame_of,
};
use super::kept::KeptRecords;
use super::keys;
use super::known_at::RecordsSeen;
use super::kv::{Kv, Tree, Writes};
use super::records::{
    EntryRecord, Group, Locator, Point, Slot, Version, decode_changes, decode_timeline,
    encode_changes, encode_timeline,
};
use crate::model::fold::FoldNote;
use crate::model::{
    ChangeKind, Effect, Entry, EntryId, Identity, ListId, PublicationKind, PublicationTime,
};

/// An entry ready to be stored: its id and name, its hash and its canonical JSON.
pub(crate) struct Sealed {
    pub(crate) id: EntryId,
    pub(crate) name: String,
    pub(crate) hash: [u8; 32],
    pub(crate) json: Vec<u8>,
}

impl Sealed {
    /// Seals a normalised entry.
    pub(crate) fn of(entry: &Entry) -> Sealed {
        Sealed {
            id: entry.id.clone(),
            name: entry.name.clone(),
            hash: entry.content_hash().0,
            json: entry.canonical_json(),
        }
    }

    /// Seals a normalised entry of `list` that is to be written, refusing one whose JSON would
    /// not read back as itself (see [`check_reads_back`]).
    pub(crate) fn checked(list: &ListId, entry: &Entry) -> Result<Sealed, StoreError> {
        check_reads_back(list, entry)?;
        Ok(Sealed::of(entry))
    }

    /// Seals a stored line of canonical JSON.
    pub(crate) fn from_json(line: &[u8]) -> Result<Sealed, StoreError> {
        let entry: Entry = serde_json::from_slice(line)
            .map_err(|e| StoreError::Corrupt(format!("a stored entry does not read back: {e}")))?;
        Ok(Sealed {
            hash: entry.content_hash().0,
            id: entry.id,
            name: entry.name,
            json: line.to_vec(),
        })
    }
}

/// Refuses an entry of `list` whose canonical JSON would not read back as the same entry, before
/// anything is written: a stored line must replay to the hash it was recorded with, or the store
/// would no longer verify nor rebuild. Only the publisher fields (`extra`) can fail to: text and
/// dates read back exactly, and numbers are kept in a canonical text that does
/// (`model/number.rs`); what is left is a value nested deeper than a JSON reader reads.
pub(crate) fn check_reads_back(list: &ListId, entry: &Entry) -> Result<(), StoreError> {
    if entry.extra.is_empty() {
        return Ok(());
    }
    let text = entry.extra.json_text();
    let reason = match serde_json::from_str::<crate::model::Extra>(&text) {
        Ok(back) if back.json_text() == text => return Ok(()),
        Ok(_) => "they read back as different values".to_string(),
        Err(e) => format!("they do not read back ({e})"),
    };
    Err(StoreError::Unstorable {
        list: list.clone(),
        id: entry.id.clone(),
        reason,
    })
}

/// The hashes of many entries, on every core when there are many.
fn hash_all(entries: &[Entry]) -> Vec<[u8; 32]> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 2 || entries.len() < 4096 {
        return entries.iter().map(|e| e.content_hash().0).collect();
    }
    let chunk = entries.len().div_ceil(cores);
    std::thread::scope(|scope| {
        let parts: Vec<_> = entries
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || part.iter().map(|e| e.content_hash().0).collect::<Vec<_>>())
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|part| part.join().expect("hashing never panics"))
            .collect()
    })
}

/// Entries in force by id.
pub(crate) type SlotState = BTreeMap<EntryId, Slot>;

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
    /// The whole state a snapshot recorded earlier stated (an earlier version folded again when
    /// the one correcting it is retracted).
    State(SlotState),
    /// A snapshot as stored: its block's entries and removals (at replay).
    SnapshotDelta {
        upsert: Vec<Sealed>,
        remove: &'a [EntryId],
        entries: u64,
        entries_sha256: &'a str,
    },
    /// An amendment.
    Amendment {
        add: Vec<Sealed>,
        amend: Vec<Sealed>,
        remove: Cow<'a, [EntryId]>,
    },
}

impl Body<'_> {
    fn kind(&self) -> PublicationKind {
        match self {
            Body::Snapshot(_) | Body::State(_) | Body::SnapshotDelta { .. } => {
                PublicationKind::Snapshot
            }
            Body::Amendment { .. } => PublicationKind::Amendment,
        }
    }
}

/// An event about to be recorded (or replayed).
pub(crate) struct NewEvent<'a> {
    pub(crate) seq: u64,
    pub(crate) list: &'a ListId,
    pub(crate) published: PublicationTime,
    pub(crate) sha256: &'a str,
    /// Its source (an amendment's identity includes it).
    pub(crate) source: &'a str,
    /// The earlier event it corrects and takes the place of, if any.
    pub(crate) supersedes: Option<u64>,
}

impl NewEvent<'_> {
    /// Its identity, as a publication of `kind`.
    fn identity(&self, kind: PublicationKind) -> Identity {
        Identity::of(self.list, self.published, kind, self.source)
    }
}

/// What recording an event does: its content block and header content, and the index writes.
pub(crate) struct Plan {
    pub(crate) writes: Writes,
    pub(crate) effect: Effect,
    pub(crate) notes: Vec<FoldNote>,
    pub(crate) supersedes: Option<u64>,
    pub(crate) content: EventContent,
    pub(crate) block: Framed,
}

type ChangeSet = Vec<(EntryId, ChangeKind, Option<Slot>)>;

fn diff_slots(before: &SlotState, after: &SlotState) -> ChangeSet {
    let mut changes = Vec::new();
    let mut b = before.iter().peekable();
    let mut a = after.iter().peekable();
    loop {
        let order = match (b.peek(), a.peek()) {
            (None, None) => break,
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some((bid, _)), Some((aid, _))) => bid.cmp(aid),
        };
        match order {
            std::cmp::Ordering::Less => {
                let (id, _) = b.next().expect("peeked");
                changes.push((id.clone(), ChangeKind::Removed, None));
            }
            std::cmp::Ordering::Greater => {
                let (id, slot) = a.next().expect("peeked");
                changes.push((id.clone(), ChangeKind::Added, Some(*slot)));
            }
            std::cmp::Ordering::Equal => {
                let (_, bslot) = b.next().expect("peeked");
                let (id, aslot) = a.next().expect("peeked");
                if bslot.hash != aslot.hash {
                    changes.push((id.clone(), ChangeKind::Changed, Some(*aslot)));
                }
            }
        }
    }
    changes
}

/// Applies an amendment whose entries are `lines` (`add` first, then `amend`) of event `seq`.
fn apply_amendment(
    state: &mut SlotState,
    seq: u64,
    lines: &[Sealed],
    adds: usize,
    remove: &[EntryId],
    notes: &mut Vec<FoldNote>,
) -> ChangeSet {
    let mut changes = Vec::new();
    for (line, sealed) in lines.iter().enumerate() {
        let slot = Slot {
            hash: sealed.hash,
            at: Locator {
                seq,
                line: line as u64,
            },
        };
        match state.get(&sealed.id) {
            None => {
                if line >= adds {
                    notes.push(FoldNote::AmendedUnknown(sealed.id.clone()));
                }
                state.insert(sealed.id.clone(), slot);
                changes.push((sealed.id.clone(), ChangeKind::Added, Some(slot)));
            }
            Some(old) if old.hash == slot.hash => {}
            Some(_) => {
                state.insert(sealed.id.clone(), slot);
                changes.push((sealed.id.clone(), ChangeKind::Changed, Some(slot)));
            }
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

/// One place of a list's fold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimelineItem {
    /// The place.
    pub(crate) point: Point,
    /// The event folded there: the version of its publication that counts.
    pub(crate) seq: u64,
    /// Its kind.
    pub(crate) kind: PublicationKind,
}

/// The entry id of an `entries` key whose list prefix is `prefix_len` bytes long.
pub(crate) fn key_id(key: &[u8], prefix_len: usize) -> Result<EntryId, StoreError> {
    keys::read_entry_id(key, prefix_len)
        .ok_or_else(|| StoreError::Corrupt("an index key is malformed".into()))
}

/// A `timeline` pair as an item.
fn timeline_item((key, value): (Vec<u8>, Vec<u8>)) -> Result<TimelineItem, StoreError> {
    let point = keys::read_point(&key)
        .ok_or_else(|| StoreError::Corrupt("a timeline key is malformed".into()))?;
    let (kind, seq) = decode_timeline(&value)?;
    Ok(TimelineItem { point, seq, kind })
}

/// How many bytes of decompressed content frames a reader keeps.
const FRAME_CACHE_BYTES: usize = 256 << 20;

/// Reads of the log and the derived indexes. It keeps what it has read (content frames, entry
/// records, parsed entries), so one reader serves one query or one event's planning: a reader
/// must not be used after the store it reads has been written.
pub(crate) struct Index<'a> {
    pub(crate) kv: &'a dyn Kv,
    frames: RefCell<HashMap<(u64, u32), Rc<Block>>>,
    cached_bytes: std::cell::Cell<usize>,
    records_read: RefCell<HashMap<Vec<u8>, Option<Rc<EntryRecord>>>>,
    entries_read: RefCell<HashMap<Locator, Rc<Entry>>>,
    /// The most bytes a content frame of an event may hold, by seq, once its header was read.
    frame_limits: RefCell<HashMap<u64, u64>>,
    /// A list's entry records read before, for the planning of an appended snapshot.
    kept: RefCell<Option<KeptRecords>>,
}

impl<'a> Index<'a> {
    pub(crate) fn new(kv: &'a dyn Kv) -> Index<'a> {
        Index {
            kv,
            frames: RefCell::new(HashMap::new()),
            cached_bytes: std::cell::Cell::new(0),
            records_read: RefCell::new(HashMap::new()),
            entries_read: RefCell::new(HashMap::new()),
            frame_limits: RefCell::new(HashMap::new()),
            kept: RefCell::new(None),
        }
    }

    /// Gives the planning of an appended snapshot the list's entry records read before: used
    /// when they are the records of the snapshot's list as the log stands (see `kept.rs`).
    pub(crate) fn keep(&self, records: KeptRecords) {
        *self.kept.borrow_mut() = Some(records);
    }

    /// Every list with events.
    pub(crate) fn lists(&self) -> Result<Vec<ListId>, StoreError> {
        self.kv
            .range(Tree::Lists, &[], &keys::AFTER_EVERY_LIST)
            .map(|pair| {
                let (key, _) = pair?;
                keys::read_list(&key).ok_or_else(|| {
                    StoreError::Corrupt("a key of the lists index is not a list id".into())
                })
            })
            .collect()
    }

    /// The places of `list` dated within `from..=to`, in fold order, each with the event that
    /// counts there.
    pub(crate) fn timeline(
        &self,
        list: &ListId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<TimelineItem>, StoreError> {
        let lo = keys::list_date(list, from);
        let hi = keys::successor(&keys::list_date(list, to));
        self.kv
            .range(Tree::Timeline, &lo, &hi)
            .map(|pair| timeline_item(pair?))
            .collect()
    }

    /// The places of `list` from `from` on (inclusive), in fold order.
    fn places_from(
        &self,
        list: &ListId,
        from: Point,
    ) -> impl Iterator<Item = Result<TimelineItem, StoreError>> + '_ {
        let lo = keys::list_point(list, from);
        let hi = keys::successor(&keys::list_prefix(list));
        self.kv
            .range(Tree::Timeline, &lo, &hi)
            .map(|pair| timeline_item(pair?))
    }

    /// Every place of `list`, in fold order, to be read from either end.
    pub(crate) fn places(
        &self,
        list: &ListId,
    ) -> impl DoubleEndedIterator<Item = Result<TimelineItem, StoreError>> + '_ {
        let lo = keys::list_prefix(list);
        let hi = keys::successor(&lo);
        self.kv
            .range(Tree::Timeline, &lo, &hi)
            .map(|pair| timeline_item(pair?))
    }

    /// The places of `list` before `bound` (exclusive), in fold order, to be read from either
    /// end.
    pub(crate) fn places_before(
        &self,
        list: &ListId,
        bound: Point,
    ) -> impl DoubleEndedIterator<Item = Result<TimelineItem, StoreError>> + '_ {
        let lo = keys::list_prefix(list);
        let hi = keys::list_point(list, bound);
        self.kv
            .range(Tree::Timeline, &lo, &hi)
            .map(|pair| timeline_item(pair?))
    }

    /// The last place of `list`, if it has one.
    pub(crate) fn last_place(&self, list: &ListId) -> Result<Option<TimelineItem>, StoreError> {
        let prefix = keys::list_prefix(list);
        self.kv
            .range(Tree::Timeline, &prefix, &keys::successor(&prefix))
            .next_back()
            .map(|pair| timeline_item(pair?))
            .transpose()
    }

    /// The event that counts at place `at` of `list`.
    pub(crate) fn timeline_seq(&self, list: &ListId, at: Point) -> Result<u64, StoreError> {
        match self.kv.get(Tree::Timeline, &keys::list_point(list, at))? {
            Some(value) => Ok(decode_timeline(&value)?.1),
            None => Err(StoreError::Corrupt(format!(
                "{list}: the timeline has no place {}",
                at.published()
            ))),
        }
    }

    /// The changes recorded for the place `at` of `list`, by id.
    pub(crate) fn changes_of(
        &self,
        list: &ListId,
        at: Point,
    ) -> Result<Vec<(EntryId, ChangeKind)>, StoreError> {
        match self.kv.get(Tree::Changes, &keys::list_point(list, at))? {
            Some(value) => decode_changes(&value),
            None => Ok(Vec::new()),
        }
    }

    /// The ids of `list` changed at places dated after `after` and up to `through`.
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
            let (_, value) = pair?;
            ids.extend(decode_changes(&value)?.into_iter().map(|(id, _)| id));
        }
        Ok(ids)
    }

    /// The record of one entry.
    /// The record of one entry (kept for the life of this reader: queries ask for the same
    /// entry several times).
    pub(crate) fn record(
        &self,
        list: &ListId,
        id: &EntryId,
    ) -> Result<Option<Rc<EntryRecord>>, StoreError> {
        let key = keys::entry(list, id);
        if let Some(record) = self.records_read.borrow().get(&key) {
            return Ok(record.clone());
        }
        let record = self
            .kv
            .get(Tree::Entries, &key)?
            .map(|v| EntryRecord::decode(&v).map(Rc::new))
            .transpose()?;
        self.records_read.borrow_mut().insert(key, record.clone());
        Ok(record)
    }

    /// The ids and names of the entries of `list` for which `wanted` holds, of the records and
    /// names `seen` (reading only the names of each record when all are seen).
    pub(crate) fn matching_names(
        &self,
        list: &ListId,
        seen: RecordsSeen,
        mut wanted: impl FnMut(&str, &[String]) -> bool,
    ) -> Result<Vec<(EntryId, Vec<String>)>, StoreError> {
        let prefix = keys::list_prefix(list);
        let mut found = Vec::new();
        for pair in self
            .kv
            .range(Tree::Entries, &prefix, &keys::successor(&prefix))
        {
            let (key, value) = pair?;
            let id = std::str::from_utf8(&key[prefix.len()..])
                .map_err(|_| StoreError::Corrupt("an index key is malformed".into()))?;
            let names = if seen.is_all() {
                EntryRecord::names_encoded(&value)?
            } else {
                let record = EntryRecord::decode(&value)?;
                if !seen.record(&record.versions) {
                    continue;
                }
                record.names
            };
            let names = seen.names(names);
            if wanted(id, &names) {
                found.push((key_id(&key, prefix.len())?, names));
            }
        }
        Ok(found)
    }

    /// The records of every entry `list` has had, in id order.
    pub(crate) fn records(
        &self,
        list: &ListId,
    ) -> impl Iterator<Item = Result<(EntryId, EntryRecord), StoreError>> + '_ {
        let prefix = keys::list_prefix(list);
        let prefix_len = prefix.len();
        self.kv
            .range(Tree::Entries, &prefix, &keys::successor(&prefix))
            .map(move |pair| {
                let (key, value) = pair?;
                Ok((key_id(&key, prefix_len)?, EntryRecord::decode(&value)?))
            })
    }

    /// Calls `f` with every entry of `list` in force strictly before `bound`, in id order,
    /// reading the records without decoding their names.
    pub(crate) fn each_slot_before<E: From<StoreError>>(
        &self,
        list: &ListId,
        bound: Point,
        mut f: impl FnMut(Slot) -> Result<(), E>,
    ) -> Result<(), E> {
        let prefix = keys::list_prefix(list);
        for pair in self
            .kv
            .range(Tree::Entries, &prefix, &keys::successor(&prefix))
        {
            let (_, value) = pair?;
            if let Some(slot) = EntryRecord::slot_before_encoded(&value, bound)? {
                f(slot)?;
            }
        }
        Ok(())
    }

    /// The ids of the entries of `list` in force strictly before `bound`, in id order.
    pub(crate) fn ids_before(
        &self,
        list: &ListId,
        bound: Point,
    ) -> Result<Vec<EntryId>, StoreError> {
        let prefix = keys::list_prefix(list);
        let mut ids = Vec::new();
        for pair in self
            .kv
            .range(Tree::Entries, &prefix, &keys::successor(&prefix))
        {
            let (key, value) = pair?;
            if EntryRecord::slot_before_encoded(&value, bound)?.is_some() {
                ids.push(key_id(&key, prefix.len())?);
            }
        }
        Ok(ids)
    }

    /// The state of `list` strictly before `bound`.
    pub(crate) fn state_before(
        &self,
        list: &ListId,
        bound: Point,
    ) -> Result<SlotState, StoreError> {
        let mut state = SlotState::new();
        for item in self.records(list) {
            let (id, record) = item?;
            if let Some(slot) = record.slot_before(bound) {
                state.insert(id, slot);
            }
        }
        Ok(state)
    }

    /// The header of event `seq`, publication or retraction.
    pub(crate) fn log_record(&self, seq: u64) -> Result<LogRecord, StoreError> {
        let bytes = self
            .kv
            .get(Tree::Events, &keys::seq(seq))?
            .ok_or_else(|| StoreError::Corrupt(format!("event {seq} is missing from the log")))?;
        LogRecord::from_bytes(&bytes)
            .map_err(|e| StoreError::Corrupt(format!("event {seq} does not read back: {e}")))
    }

    /// The header of event `seq`, which must be a publication.
    pub(crate) fn event(&self, seq: u64) -> Result<EventRecord, StoreError> {
        match self.log_record(seq)? {
            LogRecord::Publication(record) => Ok(*record),
            LogRecord::Retraction(_) => Err(StoreError::Corrupt(format!(
                "event {seq} is a retraction where a publication was expected"
            ))),
        }
    }

    /// Every event header, in recording order.
    pub(crate) fn events(&self) -> impl Iterator<Item = Result<LogRecord, StoreError>> + '_ {
        self.kv
            .range(Tree::Events, &[], &keys::AFTER_THE_LOG)
            .map(|pair| {
                let (key, bytes) = pair?;
                LogRecord::from_bytes(&bytes).map_err(|e| {
                    StoreError::Corrupt(format!(
                        "event {} does not read back: {e}",
                        keys::read_seq(&key).unwrap_or_default()
                    ))
                })
            })
    }

    /// The event, not retracted, that recorded these list, publication time and bytes.
    pub(crate) fn recorded_as(
        &self,
        list: &ListId,
        published: PublicationTime,
        sha256: &str,
    ) -> Result<Option<u64>, StoreError> {
        Ok(self
            .kv
            .get(Tree::Dedup, &keys::dedup(list, published, sha256))?
            .and_then(|v| keys::read_seq(&v)))
    }

    /// The group (the versions) of the publication whose first event is `first`.
    pub(crate) fn group(&self, list: &ListId, first: u64) -> Result<Group, StoreError> {
        match self.kv.get(Tree::Groups, &keys::group(list, first))? {
            Some(bytes) => Group::decode(&bytes),
            None => Err(StoreError::Corrupt(format!(
                "{list}: the publication first recorded as event {first} has no group"
            ))),
        }
    }

    /// The first event recorded of the publication event `seq` is a version of: `seq` itself,
    /// or the first of the events its `supersedes` chain leads to.
    pub(crate) fn first_of(&self, seq: u64) -> Result<u64, StoreError> {
        let mut at = seq;
        // Each link leads to an earlier event, so the chain ends within `seq` steps.
        for _ in 0..=seq {
            match self.event(at)?.supersedes {
                Some(earlier) if earlier < at => at = earlier,
                Some(earlier) => {
                    return Err(StoreError::Corrupt(format!(
                        "event {at} says it corrects event {earlier}, which is not earlier"
                    )));
                }
                None => return Ok(at),
            }
        }
        Err(StoreError::Corrupt(format!(
            "the corrections of event {seq} do not lead to a first event"
        )))
    }

    /// The version of a publication of this identity that counts, and the first event of that
    /// publication (the latest recorded such publication when several count).
    pub(crate) fn counting_with(
        &self,
        identity: &Identity,
    ) -> Result<Option<(u64, u64)>, StoreError> {
        let prefix = keys::identity(identity);
        match self
            .kv
            .range(Tree::Identities, &prefix, &keys::successor(&prefix))
            .next_back()
        {
            Some(pair) => {
                let (key, value) = pair?;
                let malformed = || StoreError::Corrupt("an identities key is malformed".into());
                let first = key
                    .len()
                    .checked_sub(8)
                    .and_then(|cut| keys::read_seq(&key[cut..]))
                    .ok_or_else(malformed)?;
                let counting = keys::read_seq(&value).ok_or_else(malformed)?;
                Ok(Some((counting, first)))
            }
            None => Ok(None),
        }
    }

    /// The most bytes a content frame of event `seq` may hold (read from its header once).
    fn frame_limit(&self, seq: u64) -> Result<u64, StoreError> {
        if let Some(&limit) = self.frame_limits.borrow().get(&seq) {
            return Ok(limit);
        }
        let limit = self.event(seq)?.max_frame_bytes();
        self.frame_limits.borrow_mut().insert(seq, limit);
        Ok(limit)
    }

    /// Takes the bound of `record`'s content frames from the record at hand, rather than from
    /// the stored header (for an event being replayed or exported).
    pub(crate) fn know_event(&self, record: &LogRecord) {
        self.frame_limits
            .borrow_mut()
            .insert(record.seq(), record.max_frame_bytes());
    }

    /// Reads content frame `frame` of event `seq`, bounded by what its header allows.
    fn read_frame(&self, seq: u64, frame: u32) -> Result<Block, StoreError> {
        let bytes = self
            .kv
            .get(Tree::Contents, &keys::frame(seq, frame))?
            .ok_or_else(|| {
                StoreError::Corrupt(format!("event {seq}: content frame {frame} is missing"))
            })?;
        Block::from_frame(&bytes, self.frame_limit(seq)?).map_err(|problem| {
            StoreError::Corrupt(format!(
                "event {seq}: content frame {frame} is damaged: {problem}"
            ))
        })
    }

    fn frame(&self, seq: u64, frame: u32) -> Result<Rc<Block>, StoreError> {
        if let Some(block) = self.frames.borrow().get(&(seq, frame)) {
            return Ok(block.clone());
        }
        let block = Rc::new(self.read_frame(seq, frame)?);
        // A cache bounded in bytes: an as-of reads every frame holding a version in force, each
        // once; when the cache is full it starts again rather than holding the whole log.
        let mut frames = self.frames.borrow_mut();
        let cached = self.cached_bytes.get() + block.bytes_len();
        if cached > FRAME_CACHE_BYTES {
            frames.clear();
            self.cached_bytes.set(block.bytes_len());
        } else {
            self.cached_bytes.set(cached);
        }
        frames.insert((seq, frame), block.clone());
        Ok(block)
    }

    /// Calls `f` with the canonical JSON of the entry stored at `at`.
    pub(crate) fn with_json<R>(
        &self,
        at: Locator,
        f: impl FnOnce(&[u8]) -> R,
    ) -> Result<R, StoreError> {
        let missing =
            || StoreError::Corrupt(format!("event {}: a content line is missing", at.seq));
        let (frame, place) = frame_of(at.line).ok_or_else(missing)?;
        let block = self.frame(at.seq, frame)?;
        let line = block.line(place).ok_or_else(missing)?;
        Ok(f(line))
    }

    /// The entry stored at `at`.
    pub(crate) fn entry(&self, at: Locator) -> Result<Entry, StoreError> {
        if let Some(entry) = self.entries_read.borrow().get(&at) {
            return Ok((**entry).clone());
        }
        let entry = self
            .with_json(at, |json| serde_json::from_slice::<Entry>(json))?
            .map_err(|e| StoreError::Corrupt(format!("a stored entry does not read back: {e}")))?;
        self.entries_read
            .borrow_mut()
            .insert(at, Rc::new(entry.clone()));
        Ok(entry)
    }

    /// Calls `each` with every frame of event `seq`'s content block of `lines` lines, in
    /// order, one at a time.
    pub(crate) fn each_frame<E: From<StoreError>>(
        &self,
        seq: u64,
        lines: u64,
        mut each: impl FnMut(Block) -> Result<(), E>,
    ) -> Result<(), E> {
        let frames = u32::try_from(lines.div_ceil(FRAME_LINES as u64)).map_err(|_| {
            StoreError::Corrupt(format!(
                "event {seq}: its header claims {lines} content lines, more than a block can hold"
            ))
        })?;
        for frame in 0..frames {
            each(self.read_frame(seq, frame)?)?;
        }
        Ok(())
    }

    /// The whole content block of event `seq`, uncached.
    pub(crate) fn block(&self, seq: u64, lines: u64) -> Result<Block, StoreError> {
        let mut block = Block::default();
        self.each_frame(seq, lines, |frame| -> Result<(), StoreError> {
            block.extend(frame);
            Ok(())
        })?;
        if block.len() as u64 != lines {
            return Err(StoreError::Corrupt(format!(
                "event {seq}: its content has {} entries, its header says {lines}",
                block.len()
            )));
        }
        Ok(block)
    }

    /// The entries of a stored event's block, sealed.
    pub(crate) fn sealed_block(&self, record: &EventRecord) -> Result<Vec<Sealed>, StoreError> {
        self.frame_limits
            .borrow_mut()
            .insert(record.seq, record.max_frame_bytes());
        let block = self.block(record.seq, record.content.block_lines())?;
        if block.sha256() != record.content.block_sha256() {
            return Err(StoreError::Corrupt(format!(
                "event {}: its content does not match the hash in its header",
                record.seq
            )));
        }
        (0..block.len())
            .map(|i| Sealed::from_json(block.line(i).expect("in range")))
            .collect()
    }

    /// Works out what recording `event` does to the indexes: the place it takes (a new one, or
    /// the place of the publication it corrects, at its own time), the refold of the window
    /// that reaches, and the bookkeeping of its publication's versions.
    pub(crate) fn plan(&self, event: &NewEvent, body: Body) -> Result<Plan, StoreError> {
        let list = event.list;
        let kind = body.kind();
        let (first, replaced) = match event.supersedes {
            None => (event.seq, None),
            Some(corrected) => {
                let first = self.first_of(corrected)?;
                let replaced = match self.group(list, first)?.counting() {
                    Some(counting) => Some(self.counting_place(counting, first)?),
                    None => None,
                };
                (first, replaced)
            }
        };
        let point = Point::at(event.published, first);
        let appended =
            replaced.is_none() && self.last_place(list)?.is_none_or(|last| last.point < point);
        let mut plan = match body {
            // The everyday cases: a publication after every other of its list.
            Body::Snapshot(entries) if appended => {
                self.plan_appended_snapshot(event, point, entries)?
            }
            Body::Amendment { add, amend, remove } if appended => {
                self.plan_appended_amendment(event, point, add, amend, remove)?
            }
            body => {
                let refolded = self.refold(
                    event.seq,
                    list,
                    replaced.as_ref().map(|r| r.point),
                    Some(Placed {
                        point,
                        seq: event.seq,
                        body,
                    }),
                )?;
                let Some(new) = refolded.inserted else {
                    return Err(StoreError::Corrupt(format!(
                        "event {}: its place was not folded",
                        event.seq
                    )));
                };
                Plan {
                    writes: refolded.writes,
                    effect: new.effect,
                    notes: new.notes,
                    supersedes: None,
                    content: new.content,
                    block: new.block,
                }
            }
        };
        plan.supersedes = event.supersedes;
        self.write_publication_keys(
            event,
            (kind, point, first),
            replaced.as_ref(),
            &mut plan.writes,
        )?;
        Ok(plan)
    }

    /// The place of the publication first recorded as `first`, whose counting version is
    /// `counting`, and that version's identity.
    fn counting_place(&self, counting: u64, first: u64) -> Result<Counting, StoreError> {
        let record = self.event(counting)?;
        Ok(Counting {
            point: Point::at(record.published, first),
            identity: Identity::of(&record.list, record.published, record.kind, &record.source),
            kind: record.kind,
        })
    }

    /// The bookkeeping of a new version of a publication: its group, the identity it counts
    /// with (instead of the one `replaced` counted with), its place on the timeline (instead of
    /// `replaced`'s), its bytes and its list.
    fn write_publication_keys(
        &self,
        event: &NewEvent,
        (kind, point, first): (PublicationKind, Point, u64),
        replaced: Option<&Counting>,
        writes: &mut Writes,
    ) -> Result<(), StoreError> {
        let list = event.list;
        let mut group = if first == event.seq {
            Group::default()
        } else {
            self.group(list, first)?
        };
        group.versions.push((event.seq, None));
        writes.put(Tree::Groups, keys::group(list, first), group.encode());
        let identity = keys::identity_of(&keys::identity(&event.identity(kind)), first);
        if let Some(old) = replaced {
            let old_identity = keys::identity_of(&keys::identity(&old.identity), first);
            if old_identity != identity {
                writes.delete(Tree::Identities, old_identity);
            }
            if old.point != point {
                writes.delete(Tree::Timeline, keys::list_point(list, old.point));
            }
        }
        writes.put(Tree::Identities, identity, keys::seq(event.seq).to_vec());
        writes.put(
            Tree::Timeline,
            keys::list_point(list, point),
            encode_timeline(kind, event.seq),
        );
        writes.put(
            Tree::Dedup,
            keys::dedup(list, event.published, event.sha256),
            keys::seq(event.seq).to_vec(),
        );
        writes.put(Tree::Lists, keys::list(list), Vec::new());
        Ok(())
    }

    /// Works out what retraction `seq` of event `retracts` does to the indexes: the event no
    /// longer counts; when it was the version of its publication that counted, the latest
    /// earlier version not retracted counts in its place again (or the publication's place is
    /// gone), and the window that reaches is refolded. Refuses an event that is not a
    /// publication recorded before it, or that is already retracted.
    pub(crate) fn plan_retraction(
        &self,
        seq: u64,
        retracts: u64,
    ) -> Result<RetractionPlan, StoreError> {
        let refused = |why: String| StoreError::Invalid(format!("event {retracts} {why}"));
        if retracts == 0 || retracts >= seq {
            return Err(refused(format!(
                "is not an event recorded before event {seq}"
            )));
        }
        let target = match self.log_record(retracts)? {
            LogRecord::Publication(record) => record,
            LogRecord::Retraction(r) => {
                return Err(refused(format!(
                    "is a retraction (of event {}): a retraction cannot be retracted; ingest the publication again instead",
                    r.retracts
                )));
            }
        };
        let list = target.list.clone();
        let first = self.first_of(retracts)?;
        let mut group = self.group(&list, first)?;
        if let Some(by) = group.retraction_of(retracts) {
            return Err(refused(format!("is already retracted, by event {by}")));
        }
        let before = group.counting();
        for version in &mut group.versions {
            if version.0 == retracts {
                version.1 = Some(seq);
            }
        }
        let after = group.counting();
        let mut writes = Writes::default();
        writes.put(Tree::Groups, keys::group(&list, first), group.encode());
        let dedup = keys::dedup(&list, target.published, &target.sha256);
        if self
            .kv
            .get(Tree::Dedup, &dedup)?
            .is_some_and(|value| keys::read_seq(&value) == Some(retracts))
        {
            writes.delete(Tree::Dedup, dedup);
        }
        let mut plan = RetractionPlan {
            list: list.clone(),
            retracted: *target,
            counts_again: None,
            window: None,
            effect: Effect::default(),
            writes: Writes::default(),
        };
        if before == Some(retracts) {
            let old = self.counting_place(retracts, first)?;
            writes.delete(
                Tree::Identities,
                keys::identity_of(&keys::identity(&old.identity), first),
            );
            writes.delete(Tree::Timeline, keys::list_point(&list, old.point));
            let inserted = match after {
                Some(counting) => {
                    let again = self.counting_place(counting, first)?;
                    writes.put(
                        Tree::Identities,
                        keys::identity_of(&keys::identity(&again.identity), first),
                        keys::seq(counting).to_vec(),
                    );
                    writes.put(
                        Tree::Timeline,
                        keys::list_point(&list, again.point),
                        encode_timeline(again.kind, counting),
                    );
                    plan.counts_again = Some(counting);
                    Some(Placed {
                        point: again.point,
                        seq: counting,
                        body: self.stored_body(counting, again.point)?,
                    })
                }
                None => None,
            };
            let refolded = self.refold(seq, &list, Some(old.point), inserted)?;
            plan.effect = refolded.removed_effect;
            plan.window = Some(refolded.window);
            // The fold's writes first: the bookkeeping above replaces what they read.
            let mut all = refolded.writes;
            all.extend(writes);
            writes = all;
        }
        plan.writes = writes;
        Ok(plan)
    }

    /// What event `seq`, an earlier version of a publication folded again at `point`, states:
    /// an amendment's operations from its block; a snapshot's whole state: the list just after
    /// its place when the log is replayed up to it (a snapshot replaces the whole list),
    /// checked against the `entries_sha256` it was recorded with.
    fn stored_body(&self, seq: u64, point: Point) -> Result<Body<'static>, StoreError> {
        let record = self.event(seq)?;
        match &record.content {
            EventContent::Amendment { add, remove, .. } => {
                let mut add_lines = self.sealed_block(&record)?;
                let amend = add_lines.split_off((*add as usize).min(add_lines.len()));
                Ok(Body::Amendment {
                    add: add_lines,
                    amend,
                    remove: Cow::Owned(remove.clone()),
                })
            }
            EventContent::SnapshotDelta { .. } => {
                Ok(Body::State(recorded_state(self.kv, &record, point)?))
            }
        }
    }

    /// An encoded entry record, if the entry has one.
    fn encoded_record(&self, list: &ListId, id: &EntryId) -> Result<Option<Vec<u8>>, StoreError> {
        self.kv.get(Tree::Entries, &keys::entry(list, id))
    }

    /// A snapshot placed at `point`, after every other place of its list: one pass over the
    /// list's entry records, in id order beside the snapshot's entries, comparing hashes.
    fn plan_appended_snapshot(
        &self,
        event: &NewEvent,
        point: Point,
        entries: &[Entry],
    ) -> Result<Plan, StoreError> {
        let list = event.list;
        let seq = event.seq;
        let prefix = keys::list_prefix(list);
        let kv = self.kv;
        // The records the drop guard read, when they are the list's as the log stands, and the
        // snapshot's entries hashed on every core; else the records read while the entries are
        // hashed: on two cores the two take about the same time.
        let kept = self.kept.borrow_mut().take();
        let (hashes, stored) = match kept {
            Some(kept) if kept.hold(list, seq) => (hash_all(entries), kept.into_pairs()),
            _ => {
                let (hashes, stored) = std::thread::scope(|scope| {
                    let reader = scope.spawn(|| {
                        kv.range(Tree::Entries, &prefix, &keys::successor(&prefix))
                            .collect::<Result<Vec<_>, StoreError>>()
                    });
                    let hashes: Vec<[u8; 32]> =
                        entries.iter().map(|e| e.content_hash().0).collect();
                    (hashes, reader.join())
                });
                let stored = stored.map_err(|_| {
                    StoreError::Corrupt("reading the entry records failed".into())
                })??;
                (hashes, stored)
            }
        };
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by(|&a, &b| entries[a].id.cmp(&entries[b].id));

        let new: Vec<(&EntryId, [u8; 32])> =
            order.iter().map(|&i| (&entries[i].id, hashes[i])).collect();
        let mut lines: Vec<usize> = Vec::new();
        let merged = merge_snapshot(stored.into_iter().map(Ok), prefix.len(), point, &new, |n| {
            lines.push(order[n]);
            Ok(Slot {
                hash: new[n].1,
                at: Locator {
                    seq,
                    line: lines.len() as u64 - 1,
                },
            })
        })?;
        for &i in &lines {
            check_reads_back(list, &entries[i])?;
        }
        let block = Framed::build(lines.len(), |n| entries[lines[n]].canonical_json());
        let names: Vec<(EntryId, String)> = lines
            .iter()
            .map(|&i| (entries[i].id.clone(), entries[i].name.clone()))
            .collect();
        self.snapshot_plan(event, point, entries.len(), merged, block, names)
    }

    /// The plan of an appended snapshot whose changes are merged: its header, its index writes.
    fn snapshot_plan(
        &self,
        event: &NewEvent,
        at: Point,
        entries: usize,
        (changes, records, entries_sha256): Merged,
        block: Framed,
        mut names: Vec<(EntryId, String)>,
    ) -> Result<Plan, StoreError> {
        let content = EventContent::SnapshotDelta {
            entries: entries as u64,
            entries_sha256,
            upsert: block.lines,
            remove: changes
                .iter()
                .filter(|c| c.1 == ChangeKind::Removed)
                .map(|c| c.0.clone())
                .collect(),
            block_sha256: block.sha256.clone(),
        };
        let effect = effect_of(&changes);
        // The same writes as `write_fold` gives for this one change set, made walking the
        // change set in id order: a list's first snapshot changes every entry, and maps of
        // its ids would cost more than the entries' compressed content.
        names.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut writes = Writes::default();
        if !changes.is_empty() {
            writes.put(
                Tree::Changes,
                keys::list_point(event.list, at),
                encode_changes(changes.iter().map(|(id, kind, _)| (id, *kind))),
            );
        }
        for (id, _, slot) in &changes {
            let mut record = match records.get(id) {
                Some(bytes) => EntryRecord::decode(bytes)?,
                None => EntryRecord::default(),
            };
            record.replace_window(
                at,
                None,
                &[Version {
                    at,
                    by: event.seq,
                    slot: *slot,
                }],
            );
            if let Ok(n) = names.binary_search_by(|(named, _)| named.cmp(id)) {
                record.add_name(std::mem::take(&mut names[n].1), event.seq);
            }
            if record.versions.is_empty() {
                writes.delete(Tree::Entries, keys::entry(event.list, id));
            } else {
                writes.put(Tree::Entries, keys::entry(event.list, id), record.encode());
            }
        }
        drop((changes, records, names));
        Ok(Plan {
            writes,
            effect,
            notes: Vec::new(),
            supersedes: None,
            content,
            block,
        })
    }

    /// True when a publication with `identity` would be placed after every other of its list
    /// and corrects none: no publication with that identity counts, and none of the list is
    /// later than its time.
    pub(crate) fn would_append(&self, identity: &Identity) -> Result<bool, StoreError> {
        if self.counting_with(identity)?.is_some() {
            return Ok(false);
        }
        Ok(self
            .last_place(&identity.list)?
            .is_none_or(|last| last.point < Point::end_of_time(identity.published)))
    }

    /// Plans an appended snapshot read as a stream ([`SnapshotDigest`]): the same event as
    /// [`Index::plan_appended_snapshot`] gives, but with the changed entries' lines in the order
    /// they were read.
    pub(crate) fn plan_digested_snapshot(
        &self,
        event: &NewEvent,
        digest: SnapshotDigest,
    ) -> Result<Plan, StoreError> {
        let list = event.list;
        let seq = event.seq;
        let point = Point::at(event.published, seq);
        let SnapshotDigest {
            mut seen,
            names,
            block,
            ..
        } = digest;
        let block = block.finish();
        seen.sort_by(|a, b| a.0.cmp(&b.0));
        if let Some(pair) = seen.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(StoreError::Invalid(format!(
                "the snapshot holds id \"{}\" twice",
                pair[0].0
            )));
        }
        let prefix = keys::list_prefix(list);
        // The records are read as the merge goes: a large list's records are not held at once.
        let stored = self
            .kv
            .range(Tree::Entries, &prefix, &keys::successor(&prefix));
        let new: Vec<(&EntryId, [u8; 32])> = seen.iter().map(|(id, hash, _)| (id, *hash)).collect();
        let merged = merge_snapshot(stored, prefix.len(), point, &new, |n| {
            let (id, hash, line) = &seen[n];
            match line {
                Some(line) => Ok(Slot {
                    hash: *hash,
                    at: Locator { seq, line: *line },
                }),
                None => Err(StoreError::Corrupt(format!(
                    "entry {id} changed while the snapshot was being read"
                ))),
            }
        })?;
        drop(new);
        let count = seen.len();
        drop(seen);
        let mut plan = self.snapshot_plan(event, point, count, merged, block, names)?;
        self.write_publication_keys(
            event,
            (PublicationKind::Snapshot, point, seq),
            None,
            &mut plan.writes,
        )?;
        Ok(plan)
    }

    /// An amendment placed at `point`, after every other place of its list: it reads only the
    /// records of the entries it names.
    fn plan_appended_amendment(
        &self,
        event: &NewEvent,
        point: Point,
        add: Vec<Sealed>,
        amend: Vec<Sealed>,
        remove: Cow<'_, [EntryId]>,
    ) -> Result<Plan, StoreError> {
        let list = event.list;
        let adds = add.len();
        let lines: Vec<Sealed> = add.into_iter().chain(amend).collect();
        let mut records: HashMap<EntryId, Vec<u8>> = HashMap::new();
        let mut state = SlotState::new();
        for id in lines.iter().map(|s| &s.id).chain(remove.iter()) {
            if let Some(value) = self.encoded_record(list, id)? {
                if let Some(slot) = EntryRecord::slot_before_encoded(&value, point)? {
                    state.insert(id.clone(), slot);
                }
                records.insert(id.clone(), value);
            }
        }
        let mut notes = Vec::new();
        let changes = apply_amendment(&mut state, event.seq, &lines, adds, &remove, &mut notes);
        let block = framed_sealed(&lines);
        let content = EventContent::Amendment {
            add: adds as u64,
            amend: (lines.len() - adds) as u64,
            remove: remove.to_vec(),
            block_sha256: block.sha256.clone(),
        };
        let effect = effect_of(&changes);
        let names = lines.into_iter().map(|s| (s.id, s.name)).collect();
        let mut writes = Writes::default();
        self.write_fold(
            list,
            (point, None),
            vec![(point, event.seq, changes)],
            BTreeSet::new(),
            |id| Ok(records.get(id).cloned()),
            (event.seq, names),
            &mut writes,
        )?;
        Ok(Plan {
            writes,
            effect,
            notes,
            supersedes: None,
            content,
            block,
        })
    }

    /// Refolds `list` where its places change: the place `removed` is taken out of the fold,
    /// and `inserted` is folded at its place (both may be the same place, whose event is
    /// replaced). The window refolded runs from the first of the two through the first
    /// snapshot after the last of them, which replaces the whole list and so ends their reach;
    /// the list's state just before the window is read from its entry records, every other
    /// place in the window is folded again from the log (a snapshot's state after it is read
    /// from the records: it does not depend on what came before it), and the window's change
    /// lists and the records of every entry they touch (before or after) are rewritten. The
    /// names the refold gives records are given by `recording`, the event being recorded.
    fn refold(
        &self,
        recording: u64,
        list: &ListId,
        removed: Option<Point>,
        mut inserted: Option<Placed>,
    ) -> Result<Refolded, StoreError> {
        let inserted_at = inserted.as_ref().map(|p| p.point);
        let (Some(lo), Some(hi)) = (
            removed.into_iter().chain(inserted_at).min(),
            removed.into_iter().chain(inserted_at).max(),
        ) else {
            return Err(StoreError::Corrupt(format!(
                "{list}: a refold with no place to change"
            )));
        };
        // The places of the window, in fold order: `None` for the inserted one.
        let mut steps: Vec<Option<TimelineItem>> = Vec::new();
        let mut pending = inserted_at;
        let mut stop = None;
        for item in self.places_from(list, lo) {
            let item = item?;
            if Some(item.point) == removed || Some(item.point) == inserted_at {
                continue;
            }
            if pending.is_some_and(|p| p < item.point) {
                steps.push(None);
                pending = None;
            }
            steps.push(Some(item));
            if item.point > hi && item.kind == PublicationKind::Snapshot {
                stop = Some(item.point);
                break;
            }
        }
        if pending.is_some() {
            steps.push(None);
        }
        // Every entry record of the list, still encoded: states are read from them without
        // decoding names; only the records the window touches are decoded.
        let encoded = self.encoded_records(list)?;
        let mut state = state_before(&encoded, lo)?;
        let removed_before = removed
            .map(|r| state_before(&encoded, r.just_after()))
            .transpose()?;
        let mut removed_after = None;
        let mut folded: Vec<(Point, u64, ChangeSet)> = Vec::with_capacity(steps.len());
        let mut names: HashMap<EntryId, String> = HashMap::new();
        let mut new = None;
        for step in steps {
            let point = match (&step, inserted_at) {
                (Some(item), _) => item.point,
                (None, Some(point)) => point,
                (None, None) => continue,
            };
            if let Some(r) = removed
                && removed_after.is_none()
                && point > r
            {
                removed_after = Some(state.clone());
            }
            let (seq, changes) = match step {
                None => {
                    let Some(Placed { seq, body, .. }) = inserted.take() else {
                        continue;
                    };
                    let f = fold_body(list, seq, body, &state)?;
                    state = f.state;
                    // The new event's names first: later events only add names it did not give.
                    names.extend(f.names);
                    new = Some(NewFold {
                        effect: effect_of(&f.changes),
                        content: f.content,
                        block: f.block,
                        notes: f.notes,
                    });
                    (seq, f.changes)
                }
                Some(item) if item.kind == PublicationKind::Snapshot => {
                    let after = state_before(&encoded, item.point.just_after())?;
                    let changes = diff_slots(&state, &after);
                    state = after;
                    (item.seq, changes)
                }
                Some(item) => {
                    let record = self.event(item.seq)?;
                    let EventContent::Amendment { add, remove, .. } = &record.content else {
                        return Err(StoreError::Corrupt(format!(
                            "event {}: the timeline says amendment, the log says snapshot",
                            item.seq
                        )));
                    };
                    let lines = self.sealed_block(&record)?;
                    let changes = apply_amendment(
                        &mut state,
                        item.seq,
                        &lines,
                        *add as usize,
                        remove,
                        &mut Vec::new(),
                    );
                    for s in lines {
                        names.entry(s.id).or_insert(s.name);
                    }
                    (item.seq, changes)
                }
            };
            folded.push((point, seq, changes));
        }
        let removed_effect = match (removed_before, removed_after.or(Some(state))) {
            (Some(before), Some(after)) => effect_of(&diff_slots(&before, &after)),
            _ => Effect::default(),
        };
        let mut writes = Writes::default();
        let unfolded = self.unfold_window(list, lo, stop, &mut writes)?;
        self.write_fold(
            list,
            (lo, stop),
            folded,
            unfolded,
            |id| Ok(encoded.get(id).cloned()),
            (recording, names),
            &mut writes,
        )?;
        Ok(Refolded {
            writes,
            inserted: new,
            removed_effect,
            window: (lo, stop),
        })
    }

    /// Every entry record of `list`, encoded, by id.
    fn encoded_records(&self, list: &ListId) -> Result<BTreeMap<EntryId, Vec<u8>>, StoreError> {
        let prefix = keys::list_prefix(list);
        let mut encoded = BTreeMap::new();
        for pair in self
            .kv
            .range(Tree::Entries, &prefix, &keys::successor(&prefix))
        {
            let (key, value) = pair?;
            encoded.insert(key_id(&key, prefix.len())?, value);
        }
        Ok(encoded)
    }

    /// Deletes the change lists of the places of `list` from `from` through `stop` (or to the
    /// end of the list), which a refold replaces; returns every id they named.
    fn unfold_window(
        &self,
        list: &ListId,
        from: Point,
        stop: Option<Point>,
        writes: &mut Writes,
    ) -> Result<BTreeSet<EntryId>, StoreError> {
        let window_end = match stop {
            Some(z) => keys::successor(&keys::list_point(list, z)),
            None => keys::successor(&keys::list_prefix(list)),
        };
        let mut unfolded = BTreeSet::new();
        for pair in self
            .kv
            .range(Tree::Changes, &keys::list_point(list, from), &window_end)
        {
            let (key, value) = pair?;
            unfolded.extend(decode_changes(&value)?.into_iter().map(|(id, _)| id));
            writes.delete(Tree::Changes, key);
        }
        Ok(unfolded)
    }

    /// Writes a folded window `from..=to` (to the end of the list without `to`): the change
    /// list of each place in it (with the event folded there), and the record of every entry it
    /// touches (`unfolded`: entries the replaced fold of the window had changed), giving each
    /// its name in `names` as given by `recording`, the event being recorded.
    #[allow(clippy::too_many_arguments)]
    fn write_fold(
        &self,
        list: &ListId,
        (from, to): (Point, Option<Point>),
        folded: Vec<(Point, u64, ChangeSet)>,
        unfolded: BTreeSet<EntryId>,
        record_of: impl Fn(&EntryId) -> Result<Option<Vec<u8>>, StoreError>,
        (recording, mut names): (u64, HashMap<EntryId, String>),
        writes: &mut Writes,
    ) -> Result<(), StoreError> {
        let mut new_versions: BTreeMap<EntryId, Vec<Version>> = BTreeMap::new();
        for (at, by, changes) in &folded {
            if !changes.is_empty() {
                writes.put(
                    Tree::Changes,
                    keys::list_point(list, *at),
                    encode_changes(changes.iter().map(|(id, kind, _)| (id, *kind))),
                );
            }
            for (id, _, slot) in changes {
                new_versions.entry(id.clone()).or_default().push(Version {
                    at: *at,
                    by: *by,
                    slot: *slot,
                });
            }
        }
        let touched: BTreeSet<EntryId> = new_versions.keys().cloned().chain(unfolded).collect();
        for id in touched {
            let mut record = match record_of(&id)? {
                Some(bytes) => EntryRecord::decode(&bytes)?,
                None => EntryRecord::default(),
            };
            record.replace_window(
                from,
                to,
                new_versions.get(&id).map(Vec::as_slice).unwrap_or(&[]),
            );
            if let Some(name) = names.remove(&id) {
                record.add_name(name, recording);
            }
            if record.versions.is_empty() {
                writes.delete(Tree::Entries, keys::entry(list, &id));
            } else {
                writes.put(Tree::Entries, keys::entry(list, &id), record.encode());
            }
        }
        Ok(())
    }
}

/// The version of a publication that counts, where it is folded and with which identity.
struct Counting {
    /// Its place.
    point: Point,
    /// Its identity.
    identity: Identity,
    /// Its kind.
    kind: PublicationKind,
}

/// A version of a publication a refold folds at a place.
struct Placed<'b> {
    /// The place.
    point: Point,
    /// The event.
    seq: u64,
    /// What it states.
    body: Body<'b>,
}

/// What folding a new event at its place gave: its effect and header content, its block, and
/// what the fold noted.
struct NewFold {
    effect: Effect,
    content: EventContent,
    block: Framed,
    notes: Vec<FoldNote>,
}

/// What a refold did: its writes; the fold of the inserted place; for a removed place, how the
/// list just after it differs, before against after; and the window refolded (from, through
/// the snapshot that ends it, or to the end of the list).
struct Refolded {
    writes: Writes,
    inserted: Option<NewFold>,
    removed_effect: Effect,
    window: (Point, Option<Point>),
}

/// What a retraction does: its index writes, what it changed, the event it retracts, the
/// earlier version of that publication that counts again, if any, and the window of the fold
/// it changed (none when the event it retracts did not count).
pub(crate) struct RetractionPlan {
    pub(crate) writes: Writes,
    pub(crate) effect: Effect,
    pub(crate) list: ListId,
    pub(crate) retracted: EventRecord,
    pub(crate) counts_again: Option<u64>,
    pub(crate) window: Option<(Point, Option<Point>)>,
}

/// The whole state snapshot `record` stated, recorded at place `point`: the list just after
/// that place when the log of `kv` is replayed up to the snapshot (a snapshot replaces the whole
/// list, so that is its content), checked against the `entries_sha256` it was recorded with.
pub(crate) fn recorded_state(
    kv: &dyn Kv,
    record: &EventRecord,
    point: Point,
) -> Result<SlotState, StoreError> {
    let EventContent::SnapshotDelta {
        entries,
        entries_sha256,
        ..
    } = &record.content
    else {
        return Err(StoreError::Corrupt(format!(
            "event {} is an amendment where a snapshot was expected",
            record.seq
        )));
    };
    let (replayed, _) =
        super::replay_prefix(kv, |r| r.seq() > record.seq, |r| r.list() == &record.list)?;
    let state = Index::new(&replayed).state_before(&record.list, point.just_after())?;
    if state.len() as u64 != *entries || state_sha256(&state) != *entries_sha256 {
        return Err(StoreError::Corrupt(format!(
            "event {}: its snapshot replayed from the log does not match the entries_sha256 it was recorded with",
            record.seq
        )));
    }
    Ok(state)
}

/// A snapshot's changes to its list's records, the records it changes, and `entries_sha256`.
type Merged = (ChangeSet, HashMap<EntryId, Vec<u8>>, String);

/// Merges a snapshot with its list's entry records, both in id order (ids compare as their
/// bytes). `new` holds the snapshot's ids and entry hashes; `slot(n)` gives the slot of the
/// `n`th when it is new or changed (called in id order). An entry whose hash equals its record's
/// version in force before `start` is unchanged.
fn merge_snapshot(
    stored: impl Iterator<Item = Result<(Vec<u8>, Vec<u8>), StoreError>>,
    prefix_len: usize,
    start: Point,
    new: &[(&EntryId, [u8; 32])],
    mut slot: impl FnMut(usize) -> Result<Slot, StoreError>,
) -> Result<Merged, StoreError> {
    let mut changes: ChangeSet = Vec::new();
    let mut records: HashMap<EntryId, Vec<u8>> = HashMap::new();
    let mut content_hasher = Sha256::new();
    let mut stored = stored.peekable();
    let mut n = 0;
    loop {
        if let Some(Err(_)) = stored.peek() {
            return Err(stored.next().and_then(Result::err).unwrap_or_else(|| {
                StoreError::Corrupt("reading the entry records failed".into())
            }));
        }
        let stored_id =
            match stored.peek() {
                Some(Ok((key, _))) => Some(key.get(prefix_len..).ok_or_else(|| {
                    StoreError::Corrupt("an entry record's key is too short".into())
                })?),
                _ => None,
            };
        let order_here = match (stored_id, new.get(n)) {
            (None, None) => break,
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(id), Some((new_id, _))) => id.cmp(new_id.as_str().as_bytes()),
        };
        match order_here {
            std::cmp::Ordering::Less => {
                let Some(Ok((key, value))) = stored.next() else {
                    return Err(StoreError::Corrupt("an entry record vanished".into()));
                };
                if EntryRecord::slot_before_encoded(&value, start)?.is_some() {
                    let id = key_id(&key, prefix_len)?;
                    changes.push((id.clone(), ChangeKind::Removed, None));
                    records.insert(id, value);
                }
            }
            std::cmp::Ordering::Greater => {
                let new_slot = slot(n)?;
                content_hasher.update(new_slot.hash);
                changes.push((new[n].0.clone(), ChangeKind::Added, Some(new_slot)));
                n += 1;
            }
            std::cmp::Ordering::Equal => {
                let Some(Ok((_, value))) = stored.next() else {
                    return Err(StoreError::Corrupt("an entry record vanished".into()));
                };
                let (id, hash) = new[n];
                match EntryRecord::slot_before_encoded(&value, start)? {
                    Some(old) if old.hash == hash => content_hasher.update(old.hash),
                    old => {
                        let new_slot = slot(n)?;
                        content_hasher.update(new_slot.hash);
                        let kind = if old.is_some() {
                            ChangeKind::Changed
                        } else {
                            ChangeKind::Added
                        };
                        changes.push((id.clone(), kind, Some(new_slot)));
                        records.insert(id.clone(), value);
                    }
                }
                n += 1;
            }
        }
    }
    Ok((changes, records, hex::encode(content_hasher.finalize())))
}

/// The block of sealed entries, in order.
fn framed_sealed(lines: &[Sealed]) -> Framed {
    let jsons: Vec<&[u8]> = lines.iter().map(|s| s.json.as_slice()).collect();
    Framed::of_lines(&jsons)
}

/// How many entries a change set adds, removes and changes.
fn effect_of(changes: &ChangeSet) -> Effect {
    let count = |kind| changes.iter().filter(|c| c.1 == kind).count() as u64;
    Effect {
        added: count(ChangeKind::Added),
        removed: count(ChangeKind::Removed),
        changed: count(ChangeKind::Changed),
    }
}

/// The state of a list strictly before `bound`, read from its encoded entry records.
fn state_before(
    encoded: &BTreeMap<EntryId, Vec<u8>>,
    bound: Point,
) -> Result<SlotState, StoreError> {
    let mut state = SlotState::new();
    for (id, bytes) in encoded {
        if let Some(slot) = EntryRecord::slot_before_encoded(bytes, bound)? {
            state.insert(id.clone(), slot);
        }
    }
    Ok(state)
}

/// A new event folded into the state before it: the state after it, its changes, its header
/// content and block, the names of the entries it states, and what is worth telling the user.
struct Folded {
    state: SlotState,
    changes: ChangeSet,
    content: EventContent,
    block: Framed,
    names: HashMap<EntryId, String>,
    notes: Vec<FoldNote>,
}

/// Folds a whole snapshot (at ingest) into `before`: its block holds the entries that are new
/// or differ from `before`, in id order; the others keep their slots.
fn fold_snapshot(
    list: &ListId,
    seq: u64,
    entries: &[Entry],
    before: &SlotState,
) -> Result<Folded, StoreError> {
    let hashes = hash_all(entries);
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| entries[a].id.cmp(&entries[b].id));
    let mut state = SlotState::new();
    let mut lines: Vec<usize> = Vec::new();
    for i in order {
        let id = &entries[i].id;
        match before.get(id) {
            Some(old) if old.hash == hashes[i] => {
                state.insert(id.clone(), *old);
            }
            _ => {
                let slot = Slot {
                    hash: hashes[i],
                    at: Locator {
                        seq,
                        line: lines.len() as u64,
                    },
                };
                state.insert(id.clone(), slot);
                lines.push(i);
            }
        }
    }
    let changes = diff_slots(before, &state);
    let remove: Vec<EntryId> = changes
        .iter()
        .filter(|c| c.1 == ChangeKind::Removed)
        .map(|c| c.0.clone())
        .collect();
    for &i in &lines {
        check_reads_back(list, &entries[i])?;
    }
    let block = Framed::build(lines.len(), |n| entries[lines[n]].canonical_json());
    let names = lines
        .iter()
        .map(|&i| (entries[i].id.clone(), entries[i].name.clone()))
        .collect();
    let content = EventContent::SnapshotDelta {
        entries: state.len() as u64,
        entries_sha256: state_sha256(&state),
        upsert: block.lines,
        remove,
        block_sha256: block.sha256.clone(),
    };
    Ok(Folded {
        state,
        changes,
        content,
        block,
        names,
        notes: Vec::new(),
    })
}

/// Folds a stored snapshot (at replay) into `before`: `before`, plus its block's entries,
/// minus its removals, which must give the `(entries, entries_sha256)` it was recorded with.
fn fold_snapshot_delta(
    seq: u64,
    upsert: Vec<Sealed>,
    remove: &[EntryId],
    (entries, entries_sha256): (u64, &str),
    before: &SlotState,
) -> Result<Folded, StoreError> {
    let mut state = before.clone();
    for id in remove {
        state.remove(id);
    }
    for (line, s) in upsert.iter().enumerate() {
        let slot = Slot {
            hash: s.hash,
            at: Locator {
                seq,
                line: line as u64,
            },
        };
        state.insert(s.id.clone(), slot);
    }
    if state.len() as u64 != entries || state_sha256(&state) != entries_sha256 {
        return Err(StoreError::Corrupt(format!(
            "event {seq}: the snapshot does not rebuild from its base (expected {entries} entries with hash {entries_sha256}, got {})",
            state.len()
        )));
    }
    let changes = diff_slots(before, &state);
    let block = framed_sealed(&upsert);
    let content = EventContent::SnapshotDelta {
        entries,
        entries_sha256: entries_sha256.to_string(),
        upsert: upsert.len() as u64,
        remove: remove.to_vec(),
        block_sha256: block.sha256.clone(),
    };
    let names = upsert.into_iter().map(|s| (s.id, s.name)).collect();
    Ok(Folded {
        state,
        changes,
        content,
        block,
        names,
        notes: Vec::new(),
    })
}

/// Folds the whole state of a snapshot recorded earlier into `before` (see [`Body::State`]).
/// Its header content and block are not written again: they describe the state as a snapshot
/// with nothing to add to it.
fn fold_state(state: SlotState, before: &SlotState) -> Folded {
    let changes = diff_slots(before, &state);
    let content = EventContent::SnapshotDelta {
        entries: state.len() as u64,
        entries_sha256: state_sha256(&state),
        upsert: 0,
        remove: Vec::new(),
        block_sha256: Framed::default().sha256,
    };
    Folded {
        state,
        changes,
        content,
        block: Framed::default(),
        names: HashMap::new(),
        notes: Vec::new(),
    }
}

/// Folds what event `seq` of `list` states into `before`.
fn fold_body(
    list: &ListId,
    seq: u64,
    body: Body,
    before: &SlotState,
) -> Result<Folded, StoreError> {
    match body {
        Body::Snapshot(entries) => fold_snapshot(list, seq, entries, before),
        Body::State(state) => Ok(fold_state(state, before)),
        Body::SnapshotDelta {
            upsert,
            remove,
            entries,
            entries_sha256,
        } => fold_snapshot_delta(seq, upsert, remove, (entries, entries_sha256), before),
        Body::Amendment { add, amend, remove } => {
            Ok(fold_amendment(seq, add, amend, &remove, before))
        }
    }
}

/// Folds an amendment into `before`: its block holds `add`, then `amend`.
fn fold_amendment(
    seq: u64,
    add: Vec<Sealed>,
    amend: Vec<Sealed>,
    remove: &[EntryId],
    before: &SlotState,
) -> Folded {
    let adds = add.len();
    let lines: Vec<Sealed> = add.into_iter().chain(amend).collect();
    let mut state = before.clone();
    let mut notes = Vec::new();
    let changes = apply_amendment(&mut state, seq, &lines, adds, remove, &mut notes);
    let block = framed_sealed(&lines);
    let content = EventContent::Amendment {
        add: adds as u64,
        amend: (lines.len() - adds) as u64,
        remove: remove.to_vec(),
        block_sha256: block.sha256.clone(),
    };
    let names = lines.into_iter().map(|s| (s.id, s.name)).collect();
    Folded {
        state,
        changes,
        content,
        block,
        names,
        notes,
    }
}

/// Rebuilds the derived indexes of `kv` from its log, checking each event as it goes; removes
/// content left by an event whose header was never written.
pub(crate) fn rebuild(kv: &dyn Kv) -> Result<u64, StoreError> {
    let count = replay_log(kv)?;
    kv.commit(orphan_frames(kv, count)?)?;
    Ok(count)
}

/// The removal of the content frames stored for events after the first `events` of the log
/// (left by an event whose header was never written).
pub(crate) fn orphan_frames(kv: &dyn Kv, events: u64) -> Result<Writes, StoreError> {
    let mut orphans = Writes::default();
    for pair in kv.range(Tree::Contents, &keys::seq(events + 1), &keys::AFTER_THE_LOG) {
        let (key, _) = pair?;
        orphans.delete(Tree::Contents, key);
    }
    Ok(orphans)
}

/// Empties the derived trees of `kv` and replays its log into them in seq order, checking each
/// event; returns how many events the log holds. Writes only the derived trees.
pub(crate) fn replay_log(kv: &dyn Kv) -> Result<u64, StoreError> {
    for tree in Tree::DERIVED {
        kv.clear(tree)?;
    }
    let mut count = 0;
    let mut expected_seq = 1;
    loop {
        let Some(bytes) = kv.get(Tree::Events, &keys::seq(expected_seq))? else {
            break;
        };
        let record = LogRecord::from_bytes(&bytes).map_err(|e| {
            StoreError::Corrupt(format!("event {expected_seq} does not read back: {e}"))
        })?;
        if record.seq() != expected_seq {
            return Err(StoreError::Corrupt(format!(
                "event {expected_seq} says it is event {}",
                record.seq()
            )));
        }
        replay(kv, &record)?;
        super::checkpoints::after_event(kv, record.list())?;
        count += 1;
        expected_seq += 1;
    }
    if kv
        .range(Tree::Events, &keys::seq(expected_seq), &keys::AFTER_THE_LOG)
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
pub(crate) fn replay(kv: &dyn Kv, record: &LogRecord) -> Result<(), StoreError> {
    let mut writes = match record {
        LogRecord::Publication(record) => replay_publication(kv, record)?,
        LogRecord::Retraction(record) => replay_retraction(kv, record)?,
    };
    super::checkpoints::invalidate(kv, &mut writes)?;
    super::kv::commit_in_parts(kv, writes, super::WRITES_PER_TRANSACTION)
}

/// The index writes of a stored publication, checked: the event it says it corrects is an
/// earlier publication of its list, it says it corrects one whenever a publication with its
/// identity counted, and it folds to the effect and content it was recorded with.
fn replay_publication(kv: &dyn Kv, record: &EventRecord) -> Result<Writes, StoreError> {
    let index = Index::new(kv);
    let differs = |why: String| {
        StoreError::Corrupt(format!(
            "event {}: replaying it gives a different result than when it was recorded: {why}",
            record.seq
        ))
    };
    match record.supersedes {
        Some(corrected) => {
            let ok = corrected < record.seq
                && matches!(index.log_record(corrected)?, LogRecord::Publication(p) if p.list == record.list);
            if !ok {
                return Err(differs(format!(
                    "it says it corrects event {corrected}, which is not an earlier publication of {}",
                    record.list
                )));
            }
        }
        None => {
            let identity =
                Identity::of(&record.list, record.published, record.kind, &record.source);
            if let Some((counting, _)) = index.counting_with(&identity)? {
                return Err(differs(format!(
                    "event {counting}, a publication with the same identity, counted when it was recorded, but it does not say it corrects it"
                )));
            }
        }
    }
    let lines = index.sealed_block(record)?;
    let body = match &record.content {
        EventContent::SnapshotDelta {
            entries,
            entries_sha256,
            remove,
            ..
        } => Body::SnapshotDelta {
            upsert: lines,
            remove,
            entries: *entries,
            entries_sha256,
        },
        EventContent::Amendment { add, remove, .. } => {
            let mut add_lines = lines;
            let amend = add_lines.split_off((*add as usize).min(add_lines.len()));
            Body::Amendment {
                add: add_lines,
                amend,
                remove: Cow::Borrowed(remove),
            }
        }
    };
    if body.kind() != record.kind {
        return Err(differs(format!(
            "it says it is a {}, its content is a {}",
            record.kind,
            body.kind()
        )));
    }
    let plan = index.plan(
        &NewEvent {
            seq: record.seq,
            list: &record.list,
            published: record.published,
            sha256: &record.sha256,
            source: &record.source,
            supersedes: record.supersedes,
        },
        body,
    )?;
    if plan.effect != record.effect || plan.content != record.content {
        return Err(differs("its effect or content differs".into()));
    }
    Ok(plan.writes)
}

/// The index writes of a stored retraction, checked: it retracts an earlier publication of its
/// list not already retracted, with the effect it was recorded with.
fn replay_retraction(kv: &dyn Kv, record: &RetractionRecord) -> Result<Writes, StoreError> {
    let plan = Index::new(kv)
        .plan_retraction(record.seq, record.retracts)
        .map_err(|e| match e {
            StoreError::Invalid(why) => StoreError::Corrupt(format!(
                "event {} retracts event {}, but {why}",
                record.seq, record.retracts
            )),
            other => other,
        })?;
    if plan.list != record.list || plan.effect != record.effect {
        return Err(StoreError::Corrupt(format!(
            "event {}: replaying it gives a different result than when it was recorded",
            record.seq
        )));
    }
    Ok(plan.writes)
}

/// A snapshot read one entry at a time, for lists too large to hold: each entry is hashed and
/// compared with its record as it arrives; an unchanged entry leaves only its id and hash, a
/// new or changed one is written at once into the event's compressed content block. Made by
/// [`super::Store::snapshot_digest`], recorded by [`super::Store::record_digest`].
pub struct SnapshotDigest {
    pub(crate) list: ListId,
    pub(crate) published: PublicationTime,
    /// Every entry's id and hash, and its line in the block when it is new or changed.
    seen: Vec<(EntryId, [u8; 32], Option<u64>)>,
    /// The names of the new or changed entries, for the name index.
    names: Vec<(EntryId, String)>,
    block: FrameWriter,
}

impl SnapshotDigest {
    pub(crate) fn new(list: ListId, published: PublicationTime) -> SnapshotDigest {
        SnapshotDigest {
            list,
            published,
            seen: Vec::new(),
            names: Vec::new(),
            block: FrameWriter::default(),
        }
    }

    /// Takes the next entry of the snapshot (normalised).
    pub(crate) fn push(&mut self, kv: &dyn Kv, entry: Entry) -> Result<(), StoreError> {
        let hash = entry.content_hash().0;
        // The snapshot is placed after every place of its list (see `Index::would_append`).
        let start = Point::end_of_time(self.published);
        let unchanged = match kv.get(Tree::Entries, &keys::entry(&self.list, &entry.id))? {
            Some(record) => EntryRecord::slot_before_encoded(&record, start)?
                .is_some_and(|slot| slot.hash == hash),
            None => false,
        };
        if unchanged {
            self.seen.push((entry.id, hash, None));
            return Ok(());
        }
        check_reads_back(&self.list, &entry)?;
        let line = self.block.push(&entry.canonical_json());
        self.names.push((entry.id.clone(), entry.name));
        self.seen.push((entry.id, hash, Some(line)));
        Ok(())
    }

    /// How many entries were read.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// True when no entry was read.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

/// Writes a content block frame by frame as lines arrive.
#[derive(Default)]
struct FrameWriter {
    frames: Vec<Vec<u8>>,
    raw: Vec<u8>,
    in_frame: usize,
    lines: u64,
    hasher: Sha256,
    bytes: u64,
    largest_frame: u64,
}

impl FrameWriter {
    /// Appends a line; returns its number.
    fn push(&mut self, line: &[u8]) -> u64 {
        self.raw.extend_from_slice(line);
        self.raw.push(b'\n');
        self.in_frame += 1;
        if self.in_frame == FRAME_LINES {
            self.close_frame();
        }
        self.lines += 1;
        self.lines - 1
    }

    fn close_frame(&mut self) {
        if self.in_frame == 0 {
            return;
        }
        self.hasher.update(&self.raw);
        self.bytes += self.raw.len() as u64;
        self.largest_frame = self.largest_frame.max(self.raw.len() as u64);
        self.frames.push(super::event::compress_frame(&self.raw));
        self.raw.clear();
        self.in_frame = 0;
    }

    fn finish(mut self) -> Framed {
        self.close_frame();
        Framed {
            frames: self.frames,
            lines: self.lines,
            sha256: hex::encode(self.hasher.finalize()),
            bytes: self.bytes,
            largest_frame: self.largest_frame,
        }
    }
}

#[cfg(test)]
mod tests;
