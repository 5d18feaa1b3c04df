//! Periodic checkpoints of each list's state (*state checkpoints*, the `states` tree; not the
//! signed checkpoints of the log), so that `as-of` costs the same at ten years of history as at
//! one (issue 15).
//!
//! Without a checkpoint, the entries in force at a date are found by reading every entry record
//! of the list (each holding every version the entry ever had) and the content frame of every
//! version in force, spread over the blocks of every event since the list's first: the work
//! grows with the history. A **checkpoint** is the state of a list at the end of one place of
//! its fold, written whole: the id and canonical JSON of every entry in force there, in
//! [`id_order`], in zstd frames of about [`FRAME_RAW_BYTES`] (with zstd's content checksum),
//! and a head. An `as-of` at a date reads the latest checkpoint at or before the end of that
//! date, then only the entries that changed after it (the change lists of the places between,
//! each looked up in its record), and merges the two in id order. With no checkpoint it reads
//! as before.
//!
//! ```text
//! key    list 0 'h' point             (states tree) the head:
//! head   version:1 (=1) by:8 entries:varint frames:varint largest_frame:varint
//! key    list 0 'f' point frame:4     (states tree) a frame:
//! frame  (id_len:varint id json_len:varint json)*      zstd, checksummed
//! ```
//!
//! Heads and frames have keys apart, so that finding a checkpoint reads heads only.
//!
//! `by` is the event that counts at the place (as in the timeline), `entries` how many entries
//! the frames hold, `largest_frame` the largest frame's uncompressed size (a bound for reading
//! it).
//!
//! **When one is written** ([`after_event`]): after an event of a list is recorded, when the
//! entries changed at the list's places after its latest checkpoint (or after its first place,
//! when it has none: that place's state is one block, cheap to read) number at least
//! [`MIN_CHANGES`] and at least the list's size / [`SPACING`], a checkpoint is written at the
//! list's last place. An `as-of` then reads one checkpoint and at most about a quarter of the
//! list besides; a daily list of 20,000 entries with 20 changes a day gets one every 250 days or
//! so. The rule reads only the derived trees, so replaying the log in order (a `rebuild`, the
//! rebuild `verify` compares with, the upgrade of a layout-3 store, an `import`) writes the same
//! checkpoints as recording did, and `verify` compares them like every derived tree.
//!
//! **Never trusted blindly**: any write of an event that touches a place of a list (a `timeline`
//! or `changes` key: a backfill, a correction, a retraction, a refold) deletes, in the same
//! write, every checkpoint of that list at or after the first place it touches
//! ([`invalidate`]): a checkpoint only ever stands for places nothing has changed since. A
//! reader also uses a checkpoint only when the event that counts at its place is still the one
//! it was made from. The replayed prefix of `--known-at` has none (it reads as before); the
//! capped `--known-at` view reads at min(date, cap) and so uses only checkpoints at places known
//! by then, which later appends do not change.
//!
//! An event's commit leaves the indexes marked dirty, and the commit of the checkpoint due
//! after it (or of nothing) clears the mark: a crash between the two is repaired by the rebuild
//! at the next open, which writes that checkpoint as recording would have.

use std::collections::BTreeMap;

use super::index::Index;
use super::keys;
use super::kv::{Kv, Tree, Writes};
use super::records::{
    EntryRecord, Locator, Point, Reader, decode_changes, decode_timeline, put_varint,
};
use super::{StoreError, View};
use crate::model::{EntryId, ListId, id_order, is_numeric_id};

/// A frame is closed once its uncompressed lines reach this many bytes.
pub(crate) const FRAME_RAW_BYTES: usize = 64 << 10;

/// A checkpoint is written once the entries changed since the last reach the list's size
/// divided by this.
pub(crate) const SPACING: u64 = 4;

/// ... and at least this many: a small list is cheap to read without one.
pub(crate) const MIN_CHANGES: u64 = 1000;

/// The environment variable that, in debug builds only, sets [`MIN_CHANGES`] (for tests of the
/// binary on small histories). A store must be recorded and rebuilt with the same value.
pub(crate) const MIN_CHANGES_VARIABLE: &str = "LISTDIFF_TEST_CHECKPOINT_MIN_CHANGES";

#[cfg(test)]
thread_local! {
    /// In unit tests, [`MIN_CHANGES`] for the tests of this thread (`None`: the default).
    pub(crate) static TEST_MIN_CHANGES: std::cell::Cell<Option<u64>> =
        const { std::cell::Cell::new(None) };
}

/// The least number of changed entries that makes a checkpoint due: [`MIN_CHANGES`], or in
/// debug builds [`MIN_CHANGES_VARIABLE`] (and in unit tests `TEST_MIN_CHANGES`).
fn min_changes() -> u64 {
    #[cfg(test)]
    if let Some(n) = TEST_MIN_CHANGES.with(std::cell::Cell::get) {
        return n;
    }
    if cfg!(debug_assertions)
        && let Some(n) = std::env::var(MIN_CHANGES_VARIABLE)
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
    {
        return n.max(1);
    }
    MIN_CHANGES
}

/// The version byte a head starts with.
const HEAD_VERSION: u8 = 1;

/// The zstd level of checkpoint frames (as content frames).
const ZSTD_LEVEL: i32 = super::event::ZSTD_LEVEL;

/// A checkpoint's head, as read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Head {
    /// The place it is the state at the end of.
    point: Point,
    /// The event that counts at that place.
    by: u64,
    /// How many entries it holds.
    entries: u64,
    /// How many frames.
    frames: u32,
    /// The largest frame's uncompressed size.
    largest_frame: u64,
}

fn corrupt(list: &ListId, point: Point, what: &str) -> StoreError {
    StoreError::Corrupt(format!(
        "{list}: the checkpoint at {} is damaged ({what}); run listdiff rebuild",
        point.published()
    ))
}

impl Head {
    fn encode(&self) -> Vec<u8> {
        let mut out = vec![HEAD_VERSION];
        out.extend_from_slice(&self.by.to_be_bytes());
        put_varint(&mut out, self.entries);
        put_varint(&mut out, u64::from(self.frames));
        put_varint(&mut out, self.largest_frame);
        out
    }

    fn decode(list: &ListId, point: Point, bytes: &[u8]) -> Result<Head, StoreError> {
        let bad = || corrupt(list, point, "its head is malformed");
        let mut r = Reader::new(bytes);
        let read = |r: &mut Reader| -> Result<Head, StoreError> {
            if r.u8()? != HEAD_VERSION {
                return Err(bad());
            }
            let head = Head {
                point,
                by: r.u64()?,
                entries: r.varint()?,
                frames: u32::try_from(r.varint()?).map_err(|_| bad())?,
                largest_frame: r.varint()?,
            };
            if !r.is_done() {
                return Err(bad());
            }
            Ok(head)
        };
        read(&mut r).map_err(|_| bad())
    }
}

/// The latest checkpoint of `list` strictly before `bound` that still stands for its place
/// (the event that counts there is the one it was made from).
fn latest_before(index: &Index, list: &ListId, bound: Point) -> Result<Option<Head>, StoreError> {
    let prefix = keys::checkpoint_heads(list);
    let hi = keys::checkpoint_head(list, bound);
    for pair in index.kv.range(Tree::States, &prefix, &hi).rev() {
        let (key, value) = pair?;
        let Some(point) = key.get(prefix.len()..).and_then(Point::read) else {
            return Err(StoreError::Corrupt(format!(
                "{list}: a key of the states index (state checkpoints) is malformed; run listdiff rebuild"
            )));
        };
        let head = Head::decode(list, point, &value)?;
        let counting = match index
            .kv
            .get(Tree::Timeline, &keys::list_point(list, point))?
        {
            Some(value) => Some(decode_timeline(&value)?.1),
            None => None,
        };
        if counting == Some(head.by) {
            return Ok(Some(head));
        }
    }
    Ok(None)
}

/// The ids of `list` changed at places within `from..to`, in [`id_order`], each once.
fn changed_within(
    index: &Index,
    list: &ListId,
    from: Point,
    to: Point,
) -> Result<Vec<EntryId>, StoreError> {
    let mut ids = Vec::new();
    let lo = keys::list_point(list, from);
    let hi = keys::list_point(list, to);
    for pair in index.kv.range(Tree::Changes, &lo, &hi) {
        let (_, value) = pair?;
        ids.extend(decode_changes(&value)?.into_iter().map(|(id, _)| id));
    }
    ids.sort_by(id_order);
    ids.dedup();
    Ok(ids)
}

/// Calls `f` with the id and canonical JSON of every entry of `list` in force strictly before
/// `bound`, in [`id_order`]: from the latest checkpoint before `bound` and the entries changed
/// after it, or, with none, from every entry record.
pub(crate) fn each_in_force<E: From<StoreError>>(
    index: &Index,
    list: &ListId,
    bound: Point,
    mut f: impl FnMut(&str, &[u8]) -> Result<(), E>,
) -> Result<(), E> {
    match latest_before(index, list, bound)? {
        Some(head) => each_from_checkpoint(index, list, &head, bound, &mut f),
        None => each_from_records(index, list, bound, &mut f),
    }
}

/// See [`each_in_force`]: the merge of a checkpoint with the entries changed after it.
fn each_from_checkpoint<E: From<StoreError>>(
    index: &Index,
    list: &ListId,
    head: &Head,
    bound: Point,
    f: &mut impl FnMut(&str, &[u8]) -> Result<(), E>,
) -> Result<(), E> {
    // Each entry changed after the checkpoint, with where its version in force is (`None`:
    // not in force).
    let mut updates = Vec::new();
    for id in changed_within(index, list, head.point.just_after(), bound)? {
        let slot = match index.kv.get(Tree::Entries, &keys::entry(list, &id))? {
            Some(record) => EntryRecord::slot_before_encoded(&record, bound)?,
            None => None,
        };
        updates.push((id, slot.map(|s| s.at)));
    }
    let mut updates = updates.into_iter().peekable();
    let mut seen = 0u64;
    let mut decompressor = zstd::bulk::Decompressor::new()
        .map_err(|_| corrupt(list, head.point, "no zstd decoder could be made"))?;
    for frame in 0..head.frames {
        let raw = read_frame(index, &mut decompressor, list, head, frame)?;
        let mut r = Reader::new(&raw);
        while !r.is_done() {
            let bad = || corrupt(list, head.point, "a frame is malformed");
            let id = r.bytes().map_err(|_| bad())?;
            let json = r.bytes().map_err(|_| bad())?;
            let id = std::str::from_utf8(id)
                .ok()
                .and_then(|id| EntryId::new(id).ok())
                .ok_or_else(bad)?;
            seen += 1;
            let mut replaced = false;
            while let Some((next, _)) = updates.peek() {
                match id_order(next, &id) {
                    std::cmp::Ordering::Less => {
                        let (next, at) = updates.next().ok_or_else(bad)?;
                        emit(index, &next, at, f)?;
                    }
                    std::cmp::Ordering::Equal => {
                        let (next, at) = updates.next().ok_or_else(bad)?;
                        emit(index, &next, at, f)?;
                        replaced = true;
                        break;
                    }
                    std::cmp::Ordering::Greater => break,
                }
            }
            if !replaced {
                f(id.as_str(), json)?;
            }
        }
    }
    if seen != head.entries {
        return Err(corrupt(
            list,
            head.point,
            "it holds fewer or more entries than its head says",
        )
        .into());
    }
    for (id, at) in updates {
        emit(index, &id, at, f)?;
    }
    Ok(())
}

/// Calls `f` with entry `id` stored at `at`, if it is in force (`at` is not `None`).
fn emit<E: From<StoreError>>(
    index: &Index,
    id: &EntryId,
    at: Option<Locator>,
    f: &mut impl FnMut(&str, &[u8]) -> Result<(), E>,
) -> Result<(), E> {
    match at {
        Some(at) => index.with_json(at, |json| f(id.as_str(), json))?,
        None => Ok(()),
    }
}

/// Reads and decompresses frame `frame` of a checkpoint.
fn read_frame(
    index: &Index,
    decompressor: &mut zstd::bulk::Decompressor<'_>,
    list: &ListId,
    head: &Head,
    frame: u32,
) -> Result<Vec<u8>, StoreError> {
    let bytes = index
        .kv
        .get(
            Tree::States,
            &keys::checkpoint_frame(list, head.point, frame),
        )?
        .ok_or_else(|| corrupt(list, head.point, "a frame is missing"))?;
    let capacity = usize::try_from(head.largest_frame)
        .map_err(|_| corrupt(list, head.point, "its head is malformed"))?;
    decompressor
        .decompress(&bytes, capacity)
        .map_err(|_| corrupt(list, head.point, "a frame does not decompress"))
}

/// See [`each_in_force`]: every entry record of the list read, the versions in force read from
/// the event blocks that hold them. Only the numeric ids in force are held while they are
/// sorted; the others are streamed in a second scan of the keys, in the text order the index
/// keeps them in.
fn each_from_records<E: From<StoreError>>(
    index: &Index,
    list: &ListId,
    bound: Point,
    f: &mut impl FnMut(&str, &[u8]) -> Result<(), E>,
) -> Result<(), E> {
    let prefix = keys::list_prefix(list);
    let end = keys::successor(&prefix);
    let numeric = |key: &[u8]| std::str::from_utf8(&key[prefix.len()..]).is_ok_and(is_numeric_id);
    let read_id = |key: &[u8]| {
        keys::read_entry_id(key, prefix.len())
            .ok_or_else(|| StoreError::Corrupt("an index key is malformed".into()))
    };
    let mut numbers = Vec::new();
    let mut others = false;
    for pair in index.kv.range(Tree::Entries, &prefix, &end) {
        let (key, value) = pair?;
        if !numeric(&key) {
            others = true;
        } else if let Some(slot) = EntryRecord::slot_before_encoded(&value, bound)? {
            numbers.push((read_id(&key)?, slot.at));
        }
    }
    numbers.sort_by(|(a, _), (b, _)| id_order(a, b));
    for (id, at) in numbers {
        index.with_json(at, |json| f(id.as_str(), json))??;
    }
    if others {
        for pair in index.kv.range(Tree::Entries, &prefix, &end) {
            let (key, value) = pair?;
            if numeric(&key) {
                continue;
            }
            if let Some(slot) = EntryRecord::slot_before_encoded(&value, bound)? {
                let id = read_id(&key)?;
                index.with_json(slot.at, |json| f(id.as_str(), json))??;
            }
        }
    }
    Ok(())
}

/// Adds to `writes` (an event's index writes) the removal of every checkpoint at or after the
/// first place of its list that `writes` touches (puts or deletes a `timeline` or `changes`
/// key at), so that no checkpoint outlives a change to the places it stands on.
pub(crate) fn invalidate(kv: &dyn Kv, writes: &mut Writes) -> Result<(), StoreError> {
    let mut first: BTreeMap<Vec<u8>, Point> = BTreeMap::new();
    for op in writes.ops() {
        if !matches!(op.tree, Tree::Timeline | Tree::Changes) {
            continue;
        }
        let Some(cut) = op.key.iter().position(|&b| b == 0) else {
            continue;
        };
        let Some(point) = keys::read_point(&op.key) else {
            continue;
        };
        let prefix = op.key[..=cut].to_vec();
        first
            .entry(prefix)
            .and_modify(|p| *p = (*p).min(point))
            .or_insert(point);
    }
    for (prefix, point) in first {
        // `list 0 h point..` and `list 0 f point..`
        for kind in [b'h', b'f'] {
            let mut lo = prefix.clone();
            lo.push(kind);
            let hi = keys::successor(&lo);
            lo.extend_from_slice(&point.key());
            let stale: Vec<Vec<u8>> = kv
                .range(Tree::States, &lo, &hi)
                .map(|pair| pair.map(|(key, _)| key))
                .collect::<Result<_, _>>()?;
            for key in stale {
                writes.delete(Tree::States, key);
            }
        }
    }
    Ok(())
}

/// After an event of `list` was committed: writes a checkpoint at the list's last place when
/// one is due (see the module documentation).
pub(crate) fn after_event(kv: &dyn Kv, list: &ListId) -> Result<(), StoreError> {
    match due(kv, list)? {
        Some(writes) => kv.commit(writes),
        None => Ok(()),
    }
}

/// After an event of `list` was committed: the writes of a checkpoint at the list's last place
/// when one is due, else none (for a caller that commits them with writes of its own).
pub(crate) fn due_after_event(kv: &dyn Kv, list: &ListId) -> Result<Writes, StoreError> {
    Ok(due(kv, list)?.unwrap_or_default())
}

/// The writes of the checkpoint due at `list`'s last place, if one is.
fn due(kv: &dyn Kv, list: &ListId) -> Result<Option<Writes>, StoreError> {
    let index = Index::new(kv);
    let Some(last) = index.last_place(list)? else {
        return Ok(None);
    };
    let end = Point::end_of(last.point.date);
    let latest = latest_before(&index, list, end)?;
    if latest.is_some_and(|head| head.point >= last.point) {
        return Ok(None);
    }
    let (lo, mut size) = match latest {
        Some(head) => (
            keys::list_point(list, head.point.just_after()),
            head.entries,
        ),
        None => (keys::list_prefix(list), 0),
    };
    let mut changed = 0u64;
    let mut skip_first = latest.is_none();
    let hi = keys::list_point(list, last.point.just_after());
    for pair in kv.range(Tree::Changes, &lo, &hi) {
        let (_, value) = pair?;
        let counts = ChangeCounts::of(&value).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "{list}: a change list is malformed; run listdiff rebuild"
            ))
        })?;
        size = (size + counts.added).saturating_sub(counts.removed);
        if skip_first {
            skip_first = false;
        } else {
            changed += counts.all;
        }
    }
    if changed < min_changes().max(size / SPACING) {
        return Ok(None);
    }
    Ok(Some(write(&index, list, last.point, last.seq)?))
}

/// How many ids a change list holds, and how many of them were added and removed.
struct ChangeCounts {
    all: u64,
    added: u64,
    removed: u64,
}

impl ChangeCounts {
    /// Counts an encoded change list (`(kind:1 len:varint utf8)*`, see `records.rs`) without
    /// reading its ids; `None` when it is malformed.
    fn of(bytes: &[u8]) -> Option<ChangeCounts> {
        let mut counts = ChangeCounts {
            all: 0,
            added: 0,
            removed: 0,
        };
        let mut r = Reader::new(bytes);
        while !r.is_done() {
            let kind = r.u8().ok()?;
            r.bytes().ok()?;
            counts.all += 1;
            match kind {
                b'a' => counts.added += 1,
                b'r' => counts.removed += 1,
                b'c' => {}
                _ => return None,
            }
        }
        Some(counts)
    }
}

/// The writes of a checkpoint of `list` at `point`, where event `by` counts.
fn write(index: &Index, list: &ListId, point: Point, by: u64) -> Result<Writes, StoreError> {
    let mut writes = Writes::default();
    let mut raw = Vec::with_capacity(FRAME_RAW_BYTES + FRAME_RAW_BYTES / 8);
    let mut frames = 0u32;
    let mut entries = 0u64;
    let mut largest = 0usize;
    let mut compressor = zstd::bulk::Compressor::new(ZSTD_LEVEL).map_err(compress_error)?;
    compressor
        .set_parameter(zstd::stream::raw::CParameter::ChecksumFlag(true))
        .map_err(compress_error)?;
    let mut close =
        |raw: &mut Vec<u8>, writes: &mut Writes, frames: &mut u32| -> Result<(), StoreError> {
            let mut compressed = compressor.compress(raw).map_err(compress_error)?;
            compressed.shrink_to_fit();
            largest = largest.max(raw.len());
            writes.put(
                Tree::States,
                keys::checkpoint_frame(list, point, *frames),
                compressed,
            );
            *frames += 1;
            raw.clear();
            Ok(())
        };
    each_in_force(
        index,
        list,
        point.just_after(),
        |id, json| -> Result<(), StoreError> {
            put_varint(&mut raw, id.len() as u64);
            raw.extend_from_slice(id.as_bytes());
            put_varint(&mut raw, json.len() as u64);
            raw.extend_from_slice(json);
            entries += 1;
            if raw.len() >= FRAME_RAW_BYTES {
                close(&mut raw, &mut writes, &mut frames)?;
            }
            Ok(())
        },
    )?;
    if !raw.is_empty() {
        close(&mut raw, &mut writes, &mut frames)?;
    }
    let head = Head {
        point,
        by,
        entries,
        frames,
        largest_frame: largest as u64,
    };
    writes.put(
        Tree::States,
        keys::checkpoint_head(list, point),
        head.encode(),
    );
    Ok(writes)
}

fn compress_error(error: std::io::Error) -> StoreError {
    StoreError::Corrupt(format!("a checkpoint could not be compressed: {error}"))
}

impl View<'_> {
    /// The places of `list` that have a checkpoint, in fold order (for tests and `verify`).
    #[cfg(test)]
    pub(crate) fn checkpoint_places(&self, list: &ListId) -> Result<Vec<Point>, StoreError> {
        let prefix = keys::checkpoint_heads(list);
        let mut places = Vec::new();
        for pair in self
            .index
            .kv
            .range(Tree::States, &prefix, &keys::successor(&prefix))
        {
            let (key, _) = pair?;
            places.extend(key.get(prefix.len()..).and_then(Point::read));
        }
        Ok(places)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ChangeKind;

    #[test]
    fn change_counts_are_those_of_the_decoded_list() {
        let ids: Vec<EntryId> = ["1", "b", "a-long-id", "10"]
            .iter()
            .map(|id| EntryId::new(id).unwrap())
            .collect();
        let kinds = [
            ChangeKind::Added,
            ChangeKind::Removed,
            ChangeKind::Changed,
            ChangeKind::Added,
        ];
        let encoded = super::super::records::encode_changes(ids.iter().zip(kinds));
        let counts = ChangeCounts::of(&encoded).unwrap();
        assert_eq!((counts.all, counts.added, counts.removed), (4, 2, 1));
        assert_eq!(decode_changes(&encoded).unwrap().len(), 4);
        assert!(ChangeCounts::of(&encoded[..encoded.len() - 1]).is_none());
        assert!(ChangeCounts::of(b"x\x01a").is_none());
    }

    #[test]
    fn heads_read_back_and_refuse_damage() {
        let list = ListId::new("l").unwrap();
        let point = Point::end_of(keys::FIRST_DATE);
        let head = Head {
            point,
            by: 7,
            entries: 300,
            frames: 2,
            largest_frame: 70_000,
        };
        let bytes = head.encode();
        assert_eq!(Head::decode(&list, point, &bytes).unwrap(), head);
        for cut in 0..bytes.len() {
            assert!(Head::decode(&list, point, &bytes[..cut]).is_err());
        }
        let mut wrong = bytes.clone();
        wrong[0] = 2;
        assert!(Head::decode(&list, point, &wrong).is_err());
    }
}
