//! Byte layouts of the keys in each tree, and of the `meta` tree's keys: every key the store
//! reads or writes is made here. Every key sorts in the order queries read it.
//!
//! | tree       | key                                  | value                                   |
//! |------------|--------------------------------------|-----------------------------------------|
//! | events     | seq                                  | the event header's exact JSON (the log) |
//! | contents   | seq, frame (u32)                     | a zstd frame of a content block (log)   |
//! | meta       | name ([`meta`])                      | store settings and counters             |
//! | timeline   | list 0 point                         | kind and seq of the event that counts   |
//! | changes    | list 0 point                         | the ids that event changed              |
//! | entries    | list 0 id                            | the entry's names and versions          |
//! | dedup      | list 0 date time sha256              | seq of the event with those bytes       |
//! | lists      | list                                 | empty                                   |
//! | groups     | list 0 first-seq                     | the versions of one publication         |
//! | identities | list 0 date time kind source-sha first-seq | seq of the version that counts    |
//! | states     | list 0 h point; list 0 f point frame (u32) | a state checkpoint's head; its frames |
//!
//! All trees but `events`, `contents` and `meta` are derived from the log. `seq` is a
//! big-endian u64; `date` is a big-endian u32 count of days from 1 January of year 1 (the store
//! refuses earlier dates, see [`FIRST_DATE`]); `time` a big-endian u32, 0 for a publication time
//! without a time of day, else 1 + its seconds since midnight UTC; a `point` is `date time
//! first-seq` (16 bytes, see `records.rs`): a place of the fold. `kind` is `s` or `a`;
//! `source-sha` the SHA-256 of an amendment's source (32 zero bytes for a snapshot). List ids
//! are ASCII and never empty; list ids and entry ids never contain a 0 byte (the model refuses
//! control characters). The values of the derived trees are laid out in `records.rs`.

use chrono::{Datelike, NaiveDate};
use sha2::{Digest, Sha256};

use super::records::{POINT_BYTES, Point};
use crate::model::{EntryId, Identity, ListId, PublicationKind, PublicationTime};

/// Keys of the `meta` tree: store settings and counters that belong with the log. They are not
/// derived: a rebuild leaves them alone.
pub(crate) mod meta {
    /// The store's layout (decimal text; see `STORE_FORMAT`).
    pub(crate) const LAYOUT: &[u8] = b"layout";
    /// The store's random id (text), fixed at creation and carried by export and import.
    pub(crate) const STORE_ID: &[u8] = b"store_id";
    /// The seq of the next event to be recorded ([`super::seq`] bytes).
    pub(crate) const NEXT_SEQ: &[u8] = b"next_seq";
    /// Present, with the value [`DIRTY`], while the derived indexes may be incomplete (a large
    /// event or a rebuild being written): the next open rebuilds them.
    pub(crate) const INDEX_STATE: &[u8] = b"index";
    /// The value of [`INDEX_STATE`].
    pub(crate) const DIRTY: &[u8] = b"dirty";
    /// The prefix of the settings' keys (`setting.<name>`).
    pub(crate) const SETTING_PREFIX: &[u8] = b"setting.";

    /// `setting.<name>`
    pub(crate) fn setting(name: &str) -> Vec<u8> {
        let mut key = SETTING_PREFIX.to_vec();
        key.extend_from_slice(name.as_bytes());
        key
    }

    /// The prefix of the keys of the reads noted (`read.<key>`, see `reads.rs`): a cache, not
    /// the log's, that a rebuild, an export or an import does not carry.
    pub(crate) const READ_PREFIX: &[u8] = b"read.";

    /// `read.<key>`
    pub(crate) fn read(key: &str) -> Vec<u8> {
        let mut bytes = READ_PREFIX.to_vec();
        bytes.extend_from_slice(key.as_bytes());
        bytes
    }

    /// The prefix of the keys of what `pull` kept of each source's last fetch
    /// (`fetch.<source>`, see `fetch_state.rs`): not the log's, not carried by a rebuild, an
    /// export or an import.
    pub(crate) const FETCH_PREFIX: &[u8] = b"fetch.";

    /// `fetch.<source>`
    pub(crate) fn fetch(source: &str) -> Vec<u8> {
        let mut bytes = FETCH_PREFIX.to_vec();
        bytes.extend_from_slice(source.as_bytes());
        bytes
    }
}

/// The first date the store records, 1 January of year 1 (day 1 of the key layout; earlier
/// dates do not fit it).
pub(crate) const FIRST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1, 1, 1) {
    Some(date) => date,
    None => panic!("1 January of year 1 is a date"),
};

/// Above every key of the `events` tree (8 bytes) and of the `contents` tree (12 bytes): the
/// upper bound of a scan of the log from some seq to its end.
pub(crate) const AFTER_THE_LOG: [u8; 13] = [u8::MAX; 13];

/// Above every key of the derived trees, which start with a list id (ASCII).
pub(crate) const AFTER_EVERY_LIST: [u8; 1] = [u8::MAX];

/// The 4-byte sortable form of a date; dates before [`FIRST_DATE`], which the store refuses to
/// record, would share day 0.
pub(crate) fn date(d: NaiveDate) -> [u8; 4] {
    (d.num_days_from_ce().max(0) as u32).to_be_bytes()
}

/// Reads a date written by [`date`].
pub(crate) fn read_date(bytes: &[u8]) -> Option<NaiveDate> {
    let days = u32::from_be_bytes(bytes.get(..4)?.try_into().ok()?);
    NaiveDate::from_num_days_from_ce_opt(days as i32)
}

/// The 8-byte sortable form of a sequence number.
pub(crate) fn seq(s: u64) -> [u8; 8] {
    s.to_be_bytes()
}

/// Reads a sequence number written by [`seq`].
pub(crate) fn read_seq(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.get(..8)?.try_into().ok()?))
}

/// `seq frame`: frame `frame` of event `seq`'s content block.
pub(crate) fn frame(s: u64, frame: u32) -> Vec<u8> {
    let mut key = seq(s).to_vec();
    key.extend_from_slice(&frame.to_be_bytes());
    key
}

/// `list` (the `lists` tree)
pub(crate) fn list(list: &ListId) -> Vec<u8> {
    list.as_str().as_bytes().to_vec()
}

/// Reads a key of the `lists` tree.
pub(crate) fn read_list(key: &[u8]) -> Option<ListId> {
    ListId::new(std::str::from_utf8(key).ok()?).ok()
}

/// `list 0`
pub(crate) fn list_prefix(list: &ListId) -> Vec<u8> {
    let mut key = Vec::with_capacity(list.as_str().len() + 16);
    key.extend_from_slice(list.as_str().as_bytes());
    key.push(0);
    key
}

/// `list 0 date`
pub(crate) fn list_date(list: &ListId, d: NaiveDate) -> Vec<u8> {
    let mut key = list_prefix(list);
    key.extend_from_slice(&date(d));
    key
}

/// `list 0 point` (timeline, changes)
pub(crate) fn list_point(list: &ListId, point: Point) -> Vec<u8> {
    let mut key = list_prefix(list);
    key.extend_from_slice(&point.key());
    key
}

/// The point at the end of a `list 0 point` key.
pub(crate) fn read_point(key: &[u8]) -> Option<Point> {
    let cut = key.len().checked_sub(POINT_BYTES)?;
    Point::read(&key[cut..])
}

/// `list 0 h` (states): the prefix of the heads of `list`'s state checkpoints.
pub(crate) fn checkpoint_heads(list: &ListId) -> Vec<u8> {
    let mut key = list_prefix(list);
    key.push(b'h');
    key
}

/// `list 0 h point` (states): the head of the state checkpoint of `list` at `point`.
pub(crate) fn checkpoint_head(list: &ListId, point: Point) -> Vec<u8> {
    let mut key = checkpoint_heads(list);
    key.extend_from_slice(&point.key());
    key
}

/// `list 0 f` (states): the prefix of the frames of `list`'s state checkpoints.
pub(crate) fn checkpoint_frames(list: &ListId) -> Vec<u8> {
    let mut key = list_prefix(list);
    key.push(b'f');
    key
}

/// `list 0 f point frame` (states): frame `frame` of the state checkpoint of `list` at `point`.
pub(crate) fn checkpoint_frame(list: &ListId, point: Point, frame: u32) -> Vec<u8> {
    let mut key = checkpoint_frames(list);
    key.extend_from_slice(&point.key());
    key.extend_from_slice(&frame.to_be_bytes());
    key
}

/// `list 0 first-seq` (groups)
pub(crate) fn group(list: &ListId, first: u64) -> Vec<u8> {
    let mut key = list_prefix(list);
    key.extend_from_slice(&seq(first));
    key
}

/// `list 0 date time kind source-sha` (identities): the prefix of the keys of every
/// publication counting with this identity.
pub(crate) fn identity(identity: &Identity) -> Vec<u8> {
    let point = Point::at(identity.published, 0).key();
    let mut key = list_prefix(&identity.list);
    key.extend_from_slice(&point[..8]);
    key.push(match identity.kind {
        PublicationKind::Snapshot => b's',
        PublicationKind::Amendment => b'a',
    });
    match &identity.source {
        Some(source) => key.extend_from_slice(&Sha256::digest(source.as_bytes())),
        None => key.extend_from_slice(&[0u8; 32]),
    }
    key
}

/// `list 0 date time kind source-sha first-seq` (identities)
pub(crate) fn identity_of(identity_key: &[u8], first: u64) -> Vec<u8> {
    let mut key = identity_key.to_vec();
    key.extend_from_slice(&seq(first));
    key
}

/// `list 0 id` (entries)
pub(crate) fn entry(list: &ListId, id: &EntryId) -> Vec<u8> {
    let mut key = list_prefix(list);
    key.extend_from_slice(id.as_str().as_bytes());
    key
}

/// Reads the id of an `entries` key whose `list 0` prefix is `prefix_len` bytes long.
pub(crate) fn read_entry_id(key: &[u8], prefix_len: usize) -> Option<EntryId> {
    let text = std::str::from_utf8(key.get(prefix_len..)?).ok()?;
    EntryId::new(text).ok()
}

/// `list 0 date time sha256` (dedup)
pub(crate) fn dedup(list: &ListId, published: PublicationTime, sha256: &str) -> Vec<u8> {
    let point = Point::at(published, 0).key();
    let mut key = list_prefix(list);
    key.extend_from_slice(&point[..8]);
    key.extend_from_slice(sha256.as_bytes());
    key
}

/// The smallest key greater than every key starting with `prefix`.
pub(crate) fn successor(prefix: &[u8]) -> Vec<u8> {
    let mut key = prefix.to_vec();
    while let Some(last) = key.pop() {
        if last < u8::MAX {
            key.push(last + 1);
            return key;
        }
    }
    vec![u8::MAX; prefix.len() + 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_seqs_sort_as_bytes() {
        let a: NaiveDate = "2024-02-28".parse().unwrap();
        let b: NaiveDate = "2024-03-04".parse().unwrap();
        assert!(date(a) < date(b));
        assert_eq!(read_date(&date(a)), Some(a));
        assert!(seq(255) < seq(256));
        assert_eq!(read_seq(&seq(42)), Some(42));
    }

    #[test]
    fn successor_bounds_a_prefix() {
        assert_eq!(successor(b"ab"), b"ac");
        assert_eq!(successor(&[1, 255]), vec![2]);
        let list = ListId::new("l").unwrap();
        let d: NaiveDate = "2024-01-01".parse().unwrap();
        let point = Point::at(d.into(), 7);
        let k = list_point(&list, point);
        let p = list_prefix(&list);
        assert!(k.as_slice() >= p.as_slice() && k < successor(&p));
        assert_eq!(read_point(&k), Some(point));
        // Every place of a date sorts within the date's prefix.
        let timed = Point::at(PublicationTime::parse("2024-01-01T23:59:59Z").unwrap(), 1);
        let k = list_point(&list, timed);
        assert!(k.as_slice() > list_date(&list, d).as_slice());
        assert!(k < successor(&list_date(&list, d)));
    }
}
