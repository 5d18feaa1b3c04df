//! Byte layouts of the keys in each tree, and of the `meta` tree's keys: every key the store
//! reads or writes is made here. Every key sorts in the order queries read it.
//!
//! | tree     | key                 | value                                                  |
//! |----------|---------------------|--------------------------------------------------------|
//! | events   | seq                 | the event header's exact JSON bytes (the log)          |
//! | contents | seq, frame (u32)    | a zstd frame of the event's content block (the log)    |
//! | meta     | name ([`meta`])     | store settings and counters                            |
//! | timeline | list 0 date seq     | kind byte `s`/`a` (derived)                            |
//! | changes  | list 0 date seq     | the ids the effective event changed (derived)          |
//! | entries  | list 0 id           | the entry's names and versions (derived)               |
//! | dedup    | list 0 date sha256  | seq (derived)                                          |
//! | lists    | list                | empty (derived)                                        |
//!
//! `seq` is a big-endian u64; `date` is a big-endian u32 count of days from 1 January of year 1
//! (the store refuses earlier dates, see [`FIRST_DATE`]). List ids are ASCII and never empty;
//! list ids and entry ids never contain a 0 byte (the model refuses control characters). The
//! values of the derived trees are laid out in `records.rs`.

use chrono::{Datelike, NaiveDate};

use crate::model::{EntryId, ListId};

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

/// `list 0 date seq`
pub(crate) fn list_date_seq(list: &ListId, d: NaiveDate, s: u64) -> Vec<u8> {
    let mut key = list_date(list, d);
    key.extend_from_slice(&seq(s));
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

/// `list 0 date sha256` (dedup)
pub(crate) fn dedup(list: &ListId, d: NaiveDate, sha256: &str) -> Vec<u8> {
    let mut key = list_date(list, d);
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

/// Splits a `date seq` suffix (12 bytes) off the end of a key.
pub(crate) fn split_date_seq(key: &[u8]) -> Option<(&[u8], NaiveDate, u64)> {
    let cut = key.len().checked_sub(12)?;
    let d = read_date(&key[cut..cut + 4])?;
    let s = read_seq(&key[cut + 4..])?;
    Some((&key[..cut], d, s))
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
        let k = list_date_seq(&list, d, 7);
        let p = list_prefix(&list);
        assert!(k.as_slice() >= p.as_slice() && k < successor(&p));
        assert_eq!(split_date_seq(&k).map(|(_, d2, s)| (d2, s)), Some((d, 7)));
    }
}
