//! The derived indexes: how one event changes them, and the reads queries are built from.
//!
//! For every list the indexes hold the *effective* timeline (per date, the last recorded event)
//! folded into per-entry records: `entries` has, per entry, every version in fold order and
//! where its content is; `changes` has, per effective event, the ids it changed. Both are a pure
//! function of the log: [`Index::plan`] computes what one event adds to them given the indexes
//! built from the events before it, so replaying the log in seq order rebuilds them exactly.
//!
//! An event dated before later ones (a backfill) or on the date of an earlier one (a correction)
//! changes the fold from its date up to the next effective snapshot, which replaces the whole list
//! and so ends the event's reach: only that window is recomputed.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::StoreError;
use super::event::{Block, EventContent, EventRecord, FRAME_LINES, Framed, frame_of};
use super::keys;
use super::kv::{Kv, Tree, Writes};
use super::records::{
    EntryRecord, Locator, Point, Slot, Version, decode_changes, decode_timeline_kind,
    encode_changes, encode_timeline_kind,
};
use crate::model::fold::FoldNote;
use crate::model::{ChangeKind, Effect, Entry, EntryId, ListId, PublicationKind};

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

/// One event on a list's timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimelineItem {
    pub(crate) date: NaiveDate,
    pub(crate) seq: u64,
    pub(crate) kind: PublicationKind,
    /// False when a later event of the same date supersedes it.
    pub(crate) effective: bool,
}

/// The entry id of an `entries` key whose list prefix is `prefix_len` bytes long.
fn key_id(key: &[u8], prefix_len: usize) -> Result<EntryId, StoreError> {
    keys::read_entry_id(key, prefix_len)
        .ok_or_else(|| StoreError::Corrupt("an index key is malformed".into()))
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
        }
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
                kind: decode_timeline_kind(&value)?,
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

    /// The event of the same date that a new event supersedes, and the effective events after
    /// `date`, in fold order, through the first snapshot.
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
            let kind = decode_timeline_kind(&value)?;
            if d == date {
                same_date = Some(seq);
                continue;
            }
            let item = TimelineItem {
                date: d,
                seq,
                kind,
                effective: true,
            };
            match later.last_mut() {
                Some(last) if last.date == d => *last = item,
                Some(last) if last.kind == PublicationKind::Snapshot => break,
                _ => later.push(item),
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
        match self
            .kv
            .get(Tree::Changes, &keys::list_date_seq(list, date, seq))?
        {
            Some(value) => decode_changes(&value),
            None => Ok(Vec::new()),
        }
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

    /// The ids and names of the entries of `list` for which `wanted` holds, reading only the
    /// names of each record.
    pub(crate) fn matching_names(
        &self,
        list: &ListId,
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
            let names = EntryRecord::names_encoded(&value)?;
            if wanted(id, &names) {
                found.push((key_id(&key, prefix.len())?, names));
            }
        }
        Ok(found)
    }

    /// The records of every entry `list` has had, in id order.
    #[cfg(test)]
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
    #[cfg(test)]
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

    /// The header of event `seq`.
    pub(crate) fn event(&self, seq: u64) -> Result<EventRecord, StoreError> {
        let bytes = self
            .kv
            .get(Tree::Events, &keys::seq(seq))?
            .ok_or_else(|| StoreError::Corrupt(format!("event {seq} is missing from the log")))?;
        EventRecord::from_bytes(&bytes)
            .map_err(|e| StoreError::Corrupt(format!("event {seq} does not read back: {e}")))
    }

    /// Every event header, in recording order.
    pub(crate) fn events(&self) -> impl Iterator<Item = Result<EventRecord, StoreError>> + '_ {
        self.kv
            .range(Tree::Events, &[], &keys::AFTER_THE_LOG)
            .map(|pair| {
                let (key, bytes) = pair?;
                EventRecord::from_bytes(&bytes).map_err(|e| {
                    StoreError::Corrupt(format!(
                        "event {} does not read back: {e}",
                        keys::read_seq(&key).unwrap_or_default()
                    ))
                })
            })
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
    pub(crate) fn know_event(&self, record: &EventRecord) {
        self.frame_limits
            .borrow_mut()
            .insert(record.seq, record.max_frame_bytes());
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
        self.know_event(record);
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

    /// Works out what recording `event` does to the indexes.
    pub(crate) fn plan(&self, event: &NewEvent, body: Body) -> Result<Plan, StoreError> {
        let (supersedes, later) = self.reach(event.list, event.published)?;
        let appended = later.is_empty() && supersedes.is_none();
        match body {
            // The everyday cases: a publication dated after every other of its list.
            Body::Snapshot(entries) if appended => self.plan_appended_snapshot(event, entries),
            Body::Amendment { add, amend, remove } if appended => {
                self.plan_appended_amendment(event, add, amend, remove)
            }
            body => self.plan_window(event, body, supersedes, later),
        }
    }

    /// An encoded entry record, if the entry has one.
    fn encoded_record(&self, list: &ListId, id: &EntryId) -> Result<Option<Vec<u8>>, StoreError> {
        self.kv.get(Tree::Entries, &keys::entry(list, id))
    }

    /// A snapshot dated after every other publication of its list: one pass over the list's
    /// entry records, in id order beside the snapshot's entries, comparing hashes.
    fn plan_appended_snapshot(
        &self,
        event: &NewEvent,
        entries: &[Entry],
    ) -> Result<Plan, StoreError> {
        let list = event.list;
        let seq = event.seq;
        let start = Point::start_of(event.published);
        // Read the list's entry records while hashing the snapshot's entries: on two cores the
        // two take about the same time.
        let prefix = keys::list_prefix(list);
        let kv = self.kv;
        let (hashes, stored) = std::thread::scope(|scope| {
            let reader = scope.spawn(|| {
                kv.range(Tree::Entries, &prefix, &keys::successor(&prefix))
                    .collect::<Result<Vec<_>, StoreError>>()
            });
            let hashes: Vec<[u8; 32]> = entries.iter().map(|e| e.content_hash().0).collect();
            (hashes, reader.join())
        });
        let stored = stored
            .map_err(|_| StoreError::Corrupt("reading the entry records failed".into()))??;
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by(|&a, &b| entries[a].id.cmp(&entries[b].id));

        let new: Vec<(&EntryId, [u8; 32])> =
            order.iter().map(|&i| (&entries[i].id, hashes[i])).collect();
        let mut lines: Vec<usize> = Vec::new();
        let merged = merge_snapshot(stored.into_iter().map(Ok), prefix.len(), start, &new, |n| {
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
        self.snapshot_plan(event, entries.len(), merged, block, names)
    }

    /// The plan of an appended snapshot whose changes are merged: its header, its index writes.
    fn snapshot_plan(
        &self,
        event: &NewEvent,
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
        let start = Point::start_of(event.published);
        let at = Point {
            date: event.published,
            seq: event.seq,
        };
        names.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut writes = Writes::default();
        if !changes.is_empty() {
            writes.put(
                Tree::Changes,
                keys::list_date_seq(event.list, at.date, at.seq),
                encode_changes(changes.iter().map(|(id, kind, _)| (id, *kind))),
            );
        }
        for (id, _, slot) in &changes {
            let mut record = match records.get(id) {
                Some(bytes) => EntryRecord::decode(bytes)?,
                None => EntryRecord::default(),
            };
            record.replace_window(start, None, &[Version { at, slot: *slot }]);
            if let Ok(n) = names.binary_search_by(|(named, _)| named.cmp(id))
                && !record.names.contains(&names[n].1)
            {
                record.names.push(std::mem::take(&mut names[n].1));
            }
            if record.versions.is_empty() {
                writes.delete(Tree::Entries, keys::entry(event.list, id));
            } else {
                writes.put(Tree::Entries, keys::entry(event.list, id), record.encode());
            }
        }
        drop((changes, records, names));
        self.write_event_keys(event, PublicationKind::Snapshot, &mut writes);
        Ok(Plan {
            writes,
            effect,
            notes: Vec::new(),
            supersedes: None,
            content,
            block,
        })
    }

    /// True when a publication of `list` dated `date` would be appended: no other publication
    /// of the list is dated on or after it.
    pub(crate) fn would_append(&self, list: &ListId, date: NaiveDate) -> Result<bool, StoreError> {
        let (supersedes, later) = self.reach(list, date)?;
        Ok(supersedes.is_none() && later.is_empty())
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
        let start = Point::start_of(event.published);
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
        let merged = merge_snapshot(stored, prefix.len(), start, &new, |n| {
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
        self.snapshot_plan(event, count, merged, block, names)
    }

    /// An amendment dated after every other publication of its list: it reads only the records
    /// of the entries it names.
    fn plan_appended_amendment(
        &self,
        event: &NewEvent,
        add: Vec<Sealed>,
        amend: Vec<Sealed>,
        remove: &[EntryId],
    ) -> Result<Plan, StoreError> {
        let list = event.list;
        let start = Point::start_of(event.published);
        let adds = add.len();
        let lines: Vec<Sealed> = add.into_iter().chain(amend).collect();
        let mut records: HashMap<EntryId, Vec<u8>> = HashMap::new();
        let mut state = SlotState::new();
        for id in lines.iter().map(|s| &s.id).chain(remove) {
            if let Some(value) = self.encoded_record(list, id)? {
                if let Some(slot) = EntryRecord::slot_before_encoded(&value, start)? {
                    state.insert(id.clone(), slot);
                }
                records.insert(id.clone(), value);
            }
        }
        let mut notes = Vec::new();
        let changes = apply_amendment(&mut state, event.seq, &lines, adds, remove, &mut notes);
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
            event,
            PublicationKind::Amendment,
            (start, None),
            vec![(
                Point {
                    date: event.published,
                    seq: event.seq,
                },
                changes,
            )],
            BTreeSet::new(),
            |id| Ok(records.get(id).cloned()),
            names,
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

    /// Any event, including a backfill or a correction: it refolds the window from its date
    /// through the next effective snapshot, from all of the list's entry records.
    ///
    /// The list's state just before the event is read from the records; the event is folded
    /// into it, then every later effective event of the window; the window's change lists and
    /// the records of every entry they touch (before or after) are rewritten.
    fn plan_window(
        &self,
        event: &NewEvent,
        body: Body,
        supersedes: Option<u64>,
        later: Vec<TimelineItem>,
    ) -> Result<Plan, StoreError> {
        let kind = body.kind();
        let start = Point::start_of(event.published);
        // Every entry record of the list, still encoded: states are read from them without
        // decoding names; only the records the window touches are decoded.
        let encoded = self.encoded_records(event.list)?;
        let before = state_before(&encoded, start)?;
        let stop = window_stop(&later);
        // A snapshot replaces the whole list: the state after the one ending the window is the
        // same whatever this event changes before it.
        let after_stop = stop
            .map(|z| {
                let just_after = Point {
                    seq: z.seq + 1,
                    ..z
                };
                state_before(&encoded, just_after)
            })
            .transpose()?;
        let mut writes = Writes::default();
        let unfolded = self.unfold_window(event, stop, &mut writes)?;

        let Folded {
            state,
            changes,
            content,
            block,
            mut names,
            notes,
        } = match body {
            Body::Snapshot(entries) => fold_snapshot(event, entries, &before)?,
            Body::SnapshotDelta {
                upsert,
                remove,
                entries,
                entries_sha256,
            } => fold_snapshot_delta(
                event.seq,
                upsert,
                remove,
                (entries, entries_sha256),
                &before,
            )?,
            Body::Amendment { add, amend, remove } => {
                fold_amendment(event.seq, add, amend, remove, &before)
            }
        };
        let effect = effect_of(&changes);
        let mut folded = vec![(
            Point {
                date: event.published,
                seq: event.seq,
            },
            changes,
        )];
        folded.extend(self.fold_later(state, &later, after_stop.as_ref(), &mut names)?);
        self.write_fold(
            event,
            kind,
            (start, stop),
            folded,
            unfolded,
            |id| Ok(encoded.get(id).cloned()),
            names,
            &mut writes,
        )?;
        Ok(Plan {
            writes,
            effect,
            notes,
            supersedes,
            content,
            block,
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

    /// Deletes the change lists of the window of `event` (from its date through `stop`, or to
    /// the end of its list), which its fold replaces; returns every id they named.
    fn unfold_window(
        &self,
        event: &NewEvent,
        stop: Option<Point>,
        writes: &mut Writes,
    ) -> Result<BTreeSet<EntryId>, StoreError> {
        let list = event.list;
        let window_end = match stop {
            Some(z) => keys::successor(&keys::list_date_seq(list, z.date, z.seq)),
            None => keys::successor(&keys::list_prefix(list)),
        };
        let mut unfolded = BTreeSet::new();
        for pair in self.kv.range(
            Tree::Changes,
            &keys::list_date(list, event.published),
            &window_end,
        ) {
            let (key, value) = pair?;
            unfolded.extend(decode_changes(&value)?.into_iter().map(|(id, _)| id));
            writes.delete(Tree::Changes, key);
        }
        Ok(unfolded)
    }

    /// Folds the effective events after a new one, `later` (see [`Index::reach`]), into the
    /// state the new one left: a snapshot ending the window gives `after_stop`, an amendment is
    /// applied from its stored block. Adds the names of the entries they state to `names`
    /// (where the new event did not name them). Returns each event's changes.
    fn fold_later(
        &self,
        mut state: SlotState,
        later: &[TimelineItem],
        after_stop: Option<&SlotState>,
        names: &mut HashMap<EntryId, String>,
    ) -> Result<Vec<(Point, ChangeSet)>, StoreError> {
        let mut folded = Vec::with_capacity(later.len());
        for item in later {
            let at = Point {
                date: item.date,
                seq: item.seq,
            };
            let changes = match (item.kind, after_stop) {
                (PublicationKind::Snapshot, Some(after)) => {
                    let changes = diff_slots(&state, after);
                    state = after.clone();
                    changes
                }
                _ => {
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
                    changes
                }
            };
            folded.push((at, changes));
        }
        Ok(folded)
    }

    /// Writes a folded window: the change list of each event in it, the record of every entry
    /// it touches (`unfolded`: entries the replaced fold of the window had changed), and the new
    /// event's timeline, dedup and list records.
    #[allow(clippy::too_many_arguments)]
    fn write_fold(
        &self,
        event: &NewEvent,
        kind: PublicationKind,
        (from, to): (Point, Option<Point>),
        folded: Vec<(Point, ChangeSet)>,
        unfolded: BTreeSet<EntryId>,
        record_of: impl Fn(&EntryId) -> Result<Option<Vec<u8>>, StoreError>,
        mut names: HashMap<EntryId, String>,
        writes: &mut Writes,
    ) -> Result<(), StoreError> {
        let list = event.list;
        let mut new_versions: BTreeMap<EntryId, Vec<Version>> = BTreeMap::new();
        for (at, changes) in &folded {
            if !changes.is_empty() {
                writes.put(
                    Tree::Changes,
                    keys::list_date_seq(list, at.date, at.seq),
                    encode_changes(changes.iter().map(|(id, kind, _)| (id, *kind))),
                );
            }
            for (id, _, slot) in changes {
                new_versions.entry(id.clone()).or_default().push(Version {
                    at: *at,
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
            if let Some(name) = names.remove(&id)
                && !record.names.contains(&name)
            {
                record.names.push(name);
            }
            if record.versions.is_empty() {
                writes.delete(Tree::Entries, keys::entry(list, &id));
            } else {
                writes.put(Tree::Entries, keys::entry(list, &id), record.encode());
            }
        }
        self.write_event_keys(event, kind, writes);
        Ok(())
    }

    /// The new event's timeline, dedup and list records.
    fn write_event_keys(&self, event: &NewEvent, kind: PublicationKind, writes: &mut Writes) {
        let list = event.list;
        writes.put(
            Tree::Timeline,
            keys::list_date_seq(list, event.published, event.seq),
            encode_timeline_kind(kind),
        );
        writes.put(
            Tree::Dedup,
            keys::dedup(list, event.published, event.sha256),
            keys::seq(event.seq).to_vec(),
        );
        writes.put(Tree::Lists, keys::list(list), Vec::new());
    }
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

/// The end of the window a new event's fold reaches, given the effective events after it
/// (see [`Index::reach`]): the snapshot they end with, or `None` (the end of the list).
fn window_stop(later: &[TimelineItem]) -> Option<Point> {
    later
        .last()
        .filter(|z| z.kind == PublicationKind::Snapshot)
        .map(|z| Point {
            date: z.date,
            seq: z.seq,
        })
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
    event: &NewEvent,
    entries: &[Entry],
    before: &SlotState,
) -> Result<Folded, StoreError> {
    let seq = event.seq;
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
        check_reads_back(event.list, &entries[i])?;
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
        let record = EventRecord::from_bytes(&bytes).map_err(|e| {
            StoreError::Corrupt(format!("event {expected_seq} does not read back: {e}"))
        })?;
        if record.seq != expected_seq {
            return Err(StoreError::Corrupt(format!(
                "event {expected_seq} says it is event {}",
                record.seq
            )));
        }
        replay(kv, &record)?;
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
pub(crate) fn replay(kv: &dyn Kv, record: &EventRecord) -> Result<(), StoreError> {
    let index = Index::new(kv);
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
                remove,
            }
        }
    };
    let plan = index.plan(
        &NewEvent {
            seq: record.seq,
            list: &record.list,
            published: record.published,
            sha256: &record.sha256,
        },
        body,
    )?;
    if plan.effect != record.effect
        || plan.supersedes != record.supersedes
        || plan.content != record.content
    {
        return Err(StoreError::Corrupt(format!(
            "event {}: replaying it gives a different result than when it was recorded",
            record.seq
        )));
    }
    super::kv::commit_in_parts(kv, plan.writes, super::WRITES_PER_TRANSACTION)
}

/// A snapshot read one entry at a time, for lists too large to hold: each entry is hashed and
/// compared with its record as it arrives; an unchanged entry leaves only its id and hash, a
/// new or changed one is written at once into the event's compressed content block. Made by
/// [`super::Store::snapshot_digest`], recorded by [`super::Store::record_digest`].
pub struct SnapshotDigest {
    pub(crate) list: ListId,
    pub(crate) published: NaiveDate,
    /// Every entry's id and hash, and its line in the block when it is new or changed.
    seen: Vec<(EntryId, [u8; 32], Option<u64>)>,
    /// The names of the new or changed entries, for the name index.
    names: Vec<(EntryId, String)>,
    block: FrameWriter,
}

impl SnapshotDigest {
    pub(crate) fn new(list: ListId, published: NaiveDate) -> SnapshotDigest {
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
        let start = Point::start_of(self.published);
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
