//! Compact binary layouts of the values of the derived trees: the per-entry records, the
//! per-event change lists and the timeline's kind byte.
//!
//! An **entry record** (`entries` tree, one per list and entry id) holds every name the entry has
//! had and every version of it in fold order; a version is the date and seq of the event that
//! made it and either "removed" or the entry's hash and where its content is (the event whose
//! block holds it, and the line). A **change list** (`changes` tree, one per effective event)
//! holds the ids the event changed with the kind of change. A **timeline value** is `s`
//! (snapshot) or `a` (amendment).
//!
//! ```text
//! entry record  names:varint  (len:varint utf8)*names
//!               versions:varint  (date:4 seq:8 (0 | 1 hash:32 seq:8 line:varint))*versions
//! change list   (kind:1 len:varint utf8)*      kind: a added, r removed, c changed
//! ```
//!
//! Fixed-width integers (`date` as in `keys.rs`, `seq`) are big-endian. Every length and count is
//! an unsigned LEB128 varint (seven bits a byte, low bits first, the high bit set on every byte
//! but the last), which holds any value up to `u64::MAX`: whatever a publication states is
//! stored whole, however long a name or however many names and versions an entry has. These
//! layouts are those of store layout 2 (`STORE_FORMAT`); layout 1 had a one-byte name count and
//! two-byte string lengths, which cut long names and dropped names beyond 255.

use chrono::NaiveDate;

use super::StoreError;
use super::keys;
use crate::model::{ChangeKind, EntryId, PublicationKind};

/// A point in a list's fold order: events sort by (date, seq).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Point {
    /// The event's publication date.
    pub(crate) date: NaiveDate,
    /// The event's seq.
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

    /// The 12 bytes a version's point is stored as, which sort as the points do.
    fn key(self) -> [u8; 12] {
        let mut key = [0u8; 12];
        key[..4].copy_from_slice(&keys::date(self.date));
        key[4..].copy_from_slice(&self.seq.to_be_bytes());
        key
    }
}

/// Where an entry's content is: line `line` of event `seq`'s content block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Locator {
    /// The event whose content block holds the entry.
    pub(crate) seq: u64,
    /// The line of that block, from 0.
    pub(crate) line: u64,
}

/// An entry in force: its hash and where its content is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Slot {
    /// The SHA-256 of the entry's canonical JSON.
    pub(crate) hash: [u8; 32],
    /// Where its canonical JSON is stored.
    pub(crate) at: Locator,
}

/// One version of an entry: what the event at `at` made of it (`None`: removed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Version {
    /// The event that made the version.
    pub(crate) at: Point,
    /// The entry as it left it; `None` when it removed the entry.
    pub(crate) slot: Option<Slot>,
}

/// Every name and version of one entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct EntryRecord {
    /// Every primary name the entry has had, in the order they were first recorded.
    pub(crate) names: Vec<String>,
    /// Every version, in fold order.
    pub(crate) versions: Vec<Version>,
}

/// The tag of a version that removed the entry.
const REMOVED: u8 = 0;
/// The tag of a version in force, followed by its slot.
const IN_FORCE: u8 = 1;

impl EntryRecord {
    /// The last version strictly before `bound`.
    pub(crate) fn before(&self, bound: Point) -> Option<&Version> {
        let n = self.versions.partition_point(|v| v.at < bound);
        n.checked_sub(1).map(|i| &self.versions[i])
    }

    /// The entry in force strictly before `bound`.
    #[cfg(test)]
    pub(crate) fn slot_before(&self, bound: Point) -> Option<Slot> {
        self.before(bound).and_then(|v| v.slot)
    }

    /// Replaces the versions within `from..=to` by `new` (which must lie within it).
    pub(crate) fn replace_window(&mut self, from: Point, to: Option<Point>, new: &[Version]) {
        self.versions
            .retain(|v| v.at < from || to.is_some_and(|to| v.at > to));
        self.versions.extend_from_slice(new);
        self.versions.sort_by_key(|v| v.at);
    }

    /// The names of an encoded record, without decoding its versions.
    pub(crate) fn names_encoded(bytes: &[u8]) -> Result<Vec<String>, StoreError> {
        let mut r = Reader::new(bytes);
        (0..r.count()?).map(|_| r.string()).collect()
    }

    /// The entry in force strictly before `bound` (the slot of [`EntryRecord::before`]), read
    /// straight from an encoded record, skipping its names.
    pub(crate) fn slot_before_encoded(
        bytes: &[u8],
        bound: Point,
    ) -> Result<Option<Slot>, StoreError> {
        let bound_key = bound.key();
        let mut r = Reader::new(bytes);
        for _ in 0..r.count()? {
            let len = r.length()?;
            r.take(len)?;
        }
        let mut found = None;
        for _ in 0..r.count()? {
            let at = r.take(12)?;
            if at >= &bound_key[..] {
                break;
            }
            found = r.slot()?;
        }
        Ok(found)
    }

    /// Encodes the record.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let names_len: usize = self.names.iter().map(|n| n.len() + 2).sum();
        let mut out = Vec::with_capacity(4 + names_len + self.versions.len() * 56);
        put_count(&mut out, self.names.len());
        for name in &self.names {
            put_str(&mut out, name);
        }
        put_count(&mut out, self.versions.len());
        for v in &self.versions {
            out.extend_from_slice(&v.at.key());
            match v.slot {
                None => out.push(REMOVED),
                Some(slot) => {
                    out.push(IN_FORCE);
                    out.extend_from_slice(&slot.hash);
                    out.extend_from_slice(&slot.at.seq.to_be_bytes());
                    put_varint(&mut out, slot.at.line);
                }
            }
        }
        out
    }

    /// Decodes a record.
    pub(crate) fn decode(bytes: &[u8]) -> Result<EntryRecord, StoreError> {
        let mut r = Reader::new(bytes);
        let mut record = EntryRecord::default();
        for _ in 0..r.count()? {
            record.names.push(r.string()?);
        }
        for _ in 0..r.count()? {
            let date = keys::read_date(r.take(4)?).ok_or_else(malformed)?;
            let seq = r.u64()?;
            let slot = r.slot()?;
            record.versions.push(Version {
                at: Point { date, seq },
                slot,
            });
        }
        if !r.is_done() {
            return Err(malformed());
        }
        Ok(record)
    }
}

/// Encodes a `timeline` value: the event's kind, `s` or `a`.
pub(crate) fn encode_timeline_kind(kind: PublicationKind) -> [u8; 1] {
    match kind {
        PublicationKind::Snapshot => [b's'],
        PublicationKind::Amendment => [b'a'],
    }
}

/// Decodes a `timeline` value.
pub(crate) fn decode_timeline_kind(value: &[u8]) -> Result<PublicationKind, StoreError> {
    match value {
        b"s" => Ok(PublicationKind::Snapshot),
        b"a" => Ok(PublicationKind::Amendment),
        _ => Err(StoreError::Corrupt("a timeline record is malformed".into())),
    }
}

/// Encodes an event's change list.
pub(crate) fn encode_changes<'a>(
    changes: impl ExactSizeIterator<Item = (&'a EntryId, ChangeKind)>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(changes.len() * 40);
    for (id, kind) in changes {
        out.push(match kind {
            ChangeKind::Added => b'a',
            ChangeKind::Removed => b'r',
            ChangeKind::Changed => b'c',
        });
        put_str(&mut out, id.as_str());
    }
    out
}

/// Decodes an event's change list.
pub(crate) fn decode_changes(bytes: &[u8]) -> Result<Vec<(EntryId, ChangeKind)>, StoreError> {
    let mut r = Reader::new(bytes);
    let mut changes = Vec::new();
    while !r.is_done() {
        let kind = match r.u8()? {
            b'a' => ChangeKind::Added,
            b'r' => ChangeKind::Removed,
            b'c' => ChangeKind::Changed,
            _ => return Err(malformed()),
        };
        let id = EntryId::new(&r.string()?).map_err(|_| malformed())?;
        changes.push((id, kind));
    }
    Ok(changes)
}

/// Appends `value` as an unsigned LEB128 varint.
fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Appends a length or count.
fn put_count(out: &mut Vec<u8>, count: usize) {
    put_varint(out, count as u64);
}

/// Appends a string: its length in bytes, then its UTF-8 bytes, whole.
fn put_str(out: &mut Vec<u8>, text: &str) {
    put_count(out, text.len());
    out.extend_from_slice(text.as_bytes());
}

/// The error for a derived record that does not decode.
fn malformed() -> StoreError {
    StoreError::Corrupt("a derived record is malformed".into())
}

/// Reads an encoded record from the front. Every read checks what is left: damaged bytes give
/// [`malformed`], never a panic or an allocation sized by a damaged count.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    /// True when every byte has been read.
    fn is_done(&self) -> bool {
        self.at == self.bytes.len()
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], StoreError> {
        let end = self.at.checked_add(n).ok_or_else(malformed)?;
        let slice = self.bytes.get(self.at..end).ok_or_else(malformed)?;
        self.at = end;
        Ok(slice)
    }

    fn u8(&mut self) -> Result<u8, StoreError> {
        Ok(self.take(1)?[0])
    }

    fn u64(&mut self) -> Result<u64, StoreError> {
        Ok(u64::from_be_bytes(
            self.take(8)?.try_into().map_err(|_| malformed())?,
        ))
    }

    /// An unsigned LEB128 varint of at most 64 bits.
    fn varint(&mut self) -> Result<u64, StoreError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.u8()?;
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(malformed());
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(malformed())
    }

    /// A count of items that follow, each at least one byte long.
    fn count(&mut self) -> Result<u64, StoreError> {
        let count = self.varint()?;
        if count > (self.bytes.len() - self.at) as u64 {
            return Err(malformed());
        }
        Ok(count)
    }

    /// A length in bytes of what follows.
    fn length(&mut self) -> Result<usize, StoreError> {
        usize::try_from(self.varint()?).map_err(|_| malformed())
    }

    fn string(&mut self) -> Result<String, StoreError> {
        let len = self.length()?;
        String::from_utf8(self.take(len)?.to_vec()).map_err(|_| malformed())
    }

    /// A version's tag and, when it is in force, its slot.
    fn slot(&mut self) -> Result<Option<Slot>, StoreError> {
        match self.u8()? {
            REMOVED => Ok(None),
            IN_FORCE => Ok(Some(Slot {
                hash: self.take(32)?.try_into().map_err(|_| malformed())?,
                at: Locator {
                    seq: self.u64()?,
                    line: self.varint()?,
                },
            })),
            _ => Err(malformed()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(d: &str, seq: u64) -> Point {
        Point {
            date: d.parse().unwrap(),
            seq,
        }
    }

    #[test]
    fn entry_records_round_trip() {
        let record = EntryRecord {
            names: vec!["Acme".into(), "Acme Ltd — ÄÖ".into()],
            versions: vec![
                Version {
                    at: point("2024-12-01", 1),
                    slot: Some(Slot {
                        hash: [7; 32],
                        at: Locator { seq: 1, line: 5 },
                    }),
                },
                Version {
                    at: point("2024-12-11", 3),
                    slot: None,
                },
            ],
        };
        let bytes = record.encode();
        assert_eq!(EntryRecord::decode(&bytes).unwrap(), record);
        assert_eq!(EntryRecord::names_encoded(&bytes).unwrap(), record.names);
        assert!(EntryRecord::decode(&bytes[..bytes.len() - 1]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(EntryRecord::decode(&longer).is_err());
        assert_eq!(record.before(point("2024-12-11", 3)).unwrap().at.seq, 1);
        for bound in [
            point("2024-12-01", 1),
            point("2024-12-01", 2),
            point("2024-12-11", 3),
            point("2024-12-11", 4),
        ] {
            assert_eq!(
                EntryRecord::slot_before_encoded(&bytes, bound).unwrap(),
                record.slot_before(bound),
                "{bound:?}"
            );
        }
        assert_eq!(
            record.slot_before(Point::end_of("2024-12-31".parse().unwrap())),
            None
        );
        assert!(record.before(point("2024-12-01", 1)).is_none());
    }

    /// A record of `names` and of `versions` versions, alternately in force and removed, with
    /// seqs and lines across the whole range of their fields.
    fn big_record(names: Vec<String>, versions: u64) -> EntryRecord {
        let first: NaiveDate = "2001-01-01".parse().unwrap();
        EntryRecord {
            names,
            versions: (0..versions)
                .map(|i| Version {
                    at: Point {
                        date: first + chrono::Duration::days(i as i64 / 3),
                        seq: u64::MAX - versions + i,
                    },
                    slot: (i % 2 == 0).then_some(Slot {
                        hash: [i as u8; 32],
                        at: Locator {
                            seq: i.wrapping_pow(5),
                            line: if i == 0 { u64::MAX } else { i.wrapping_pow(6) },
                        },
                    }),
                })
                .collect(),
        }
    }

    /// Every reading of an encoded record agrees with the record it was encoded from.
    fn assert_reads_back(record: &EntryRecord) {
        let bytes = record.encode();
        assert_eq!(&EntryRecord::decode(&bytes).unwrap(), record);
        assert_eq!(EntryRecord::names_encoded(&bytes).unwrap(), record.names);
        let mut bounds: Vec<Point> = record.versions.iter().map(|v| v.at).collect();
        bounds.extend(record.versions.iter().map(|v| Point {
            seq: v.at.seq.saturating_add(1),
            ..v.at
        }));
        bounds.push(Point::start_of("1990-01-01".parse().unwrap()));
        bounds.push(Point::end_of("2999-12-31".parse().unwrap()));
        for bound in bounds {
            assert_eq!(
                EntryRecord::slot_before_encoded(&bytes, bound).unwrap(),
                record.slot_before(bound),
                "{bound:?}"
            );
        }
        // Cut anywhere, the record does not read back (and nothing panics).
        for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
            assert!(EntryRecord::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn long_names_many_names_and_many_versions_read_back_whole() {
        // A 100,000-byte name of two-byte characters, which layout 1 cut mid-character.
        let long = "é".repeat(50_000);
        let mut names = vec![long.clone(), String::new(), "Ω".repeat(70_000)];
        // More names than layout 1's one-byte count held.
        names.extend((0..1_000).map(|i| format!("name {i}")));
        let record = big_record(names, 3_000);
        assert_reads_back(&record);
        let decoded = EntryRecord::decode(&record.encode()).unwrap();
        assert_eq!(decoded.names[0], long);
        assert_eq!(decoded.names.len(), 1_003);
        assert_eq!(decoded.versions.len(), 3_000);
        assert_eq!(decoded.versions[0].slot.unwrap().at.line, u64::MAX);
        assert_reads_back(&EntryRecord::default());
    }

    #[test]
    fn varints_hold_every_u64_and_refuse_damage() {
        for value in [
            0,
            1,
            127,
            128,
            300,
            16_383,
            16_384,
            u32::MAX as u64,
            u64::MAX,
        ] {
            let mut out = Vec::new();
            put_varint(&mut out, value);
            assert_eq!(
                out.len(),
                (64 - value.leading_zeros() as usize).max(1).div_ceil(7)
            );
            let mut r = Reader::new(&out);
            assert_eq!(r.varint().unwrap(), value);
            assert!(r.is_done());
        }
        // Eleven bytes, a tenth byte above one bit, and a cut varint are damage.
        assert!(Reader::new(&[0x80; 11]).varint().is_err());
        assert!(
            Reader::new(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02])
                .varint()
                .is_err()
        );
        assert!(Reader::new(&[0x80]).varint().is_err());
        // A count larger than the bytes left is refused before anything is read or allocated.
        let mut huge = Vec::new();
        put_varint(&mut huge, u64::MAX);
        assert!(EntryRecord::decode(&huge).is_err());
        assert!(EntryRecord::names_encoded(&huge).is_err());
        assert!(EntryRecord::slot_before_encoded(&huge, Point::end_of(NaiveDate::MAX)).is_err());
        // A string length beyond the record, and a name that is not UTF-8.
        assert!(EntryRecord::names_encoded(&[1, 0x7f, b'a']).is_err());
        assert!(EntryRecord::names_encoded(&[1, 2, 0xc3, 0x28]).is_err());
        assert!(decode_changes(&[b'a', 0xff, 0xff, 0xff, 0xff, 0x0f]).is_err());
    }

    #[test]
    fn the_layout_is_the_documented_one() {
        let record = EntryRecord {
            names: vec!["Ab".into()],
            versions: vec![
                Version {
                    at: point("2024-12-01", 1),
                    slot: Some(Slot {
                        hash: [7; 32],
                        at: Locator { seq: 1, line: 200 },
                    }),
                },
                Version {
                    at: point("2024-12-11", 3),
                    slot: None,
                },
            ],
        };
        let mut expected = vec![1, 2, b'A', b'b', 2];
        expected.extend_from_slice(&point("2024-12-01", 1).key());
        expected.push(1);
        expected.extend_from_slice(&[7; 32]);
        expected.extend_from_slice(&1u64.to_be_bytes());
        expected.extend_from_slice(&[0xc8, 0x01]);
        expected.extend_from_slice(&point("2024-12-11", 3).key());
        expected.push(0);
        assert_eq!(record.encode(), expected);
        let id = EntryId::new("x").unwrap();
        assert_eq!(
            encode_changes([(&id, ChangeKind::Changed)].into_iter()),
            b"c\x01x"
        );
        assert_eq!(encode_timeline_kind(PublicationKind::Snapshot), *b"s");
        assert_eq!(
            decode_timeline_kind(b"a").unwrap(),
            PublicationKind::Amendment
        );
        assert!(decode_timeline_kind(b"sa").is_err());
        assert!(decode_timeline_kind(b"").is_err());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 200, ..Default::default() })]

        /// Any names (of any length and characters) and any versions read back whole.
        #[test]
        fn any_entry_record_reads_back(
            names in proptest::collection::vec(".{0,40}", 0..300),
            long in proptest::option::of(proptest::collection::vec(proptest::char::any(), 20_000..40_000)),
            versions in 0u64..400,
        ) {
            let mut names = names;
            names.extend(long.map(|chars| chars.into_iter().collect::<String>()));
            assert_reads_back(&big_record(names, versions));
        }

        /// Any change list reads back whole.
        #[test]
        fn any_change_list_reads_back(
            changes in proptest::collection::vec(("[^\\p{Cc}\\s][^\\p{Cc}]{0,600}", 0..3usize), 0..200),
        ) {
            let changes: Vec<(EntryId, ChangeKind)> = changes
                .into_iter()
                .filter_map(|(id, kind)| {
                    let id = EntryId::new(&id).ok()?;
                    Some((id, [ChangeKind::Added, ChangeKind::Removed, ChangeKind::Changed][kind]))
                })
                .collect();
            let bytes = encode_changes(changes.iter().map(|(id, kind)| (id, *kind)));
            proptest::prop_assert_eq!(decode_changes(&bytes).unwrap(), changes);
        }
    }

    #[test]
    fn a_window_of_versions_is_replaced() {
        let v = |d: &str, seq| Version {
            at: point(d, seq),
            slot: None,
        };
        let mut record = EntryRecord {
            names: vec![],
            versions: vec![v("2024-01-01", 1), v("2024-02-01", 2), v("2024-03-01", 3)],
        };
        record.replace_window(
            point("2024-02-01", 0),
            Some(point("2024-02-01", 9)),
            &[v("2024-02-01", 7)],
        );
        let seqs: Vec<u64> = record.versions.iter().map(|v| v.at.seq).collect();
        assert_eq!(seqs, [1, 7, 3]);
        record.replace_window(point("2024-02-01", 0), None, &[]);
        assert_eq!(record.versions.len(), 1);
    }

    #[test]
    fn change_lists_round_trip() {
        let changes = vec![
            (EntryId::new("a").unwrap(), ChangeKind::Added),
            (EntryId::new("7480").unwrap(), ChangeKind::Removed),
            (EntryId::new("x y").unwrap(), ChangeKind::Changed),
        ];
        assert_eq!(
            decode_changes(&encode_changes(
                changes.iter().map(|(id, kind)| (id, *kind))
            ))
            .unwrap(),
            changes
        );
        assert!(decode_changes(b"z").is_err());
    }
}
