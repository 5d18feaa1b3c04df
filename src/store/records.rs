//! Compact binary layouts of the derived per-entry and per-event records.
//!
//! An **entry record** (`entries` tree, one per list and entry id) holds every name the entry has
//! had and every version of it in fold order; a version is the date and seq of the event that
//! made it and either "removed" or the entry's hash and where its content is (the event whose
//! block holds it, and the line). A **change list** (`changes` tree, one per effective event)
//! holds the ids the event changed with the kind of change.
//!
//! Integers are big-endian. Strings are a u16 length and UTF-8 bytes.

use chrono::NaiveDate;

use super::StoreError;
use super::keys;
use crate::model::{ChangeKind, EntryId, PublicationKind};

/// A point in a list's fold order: events sort by (date, seq).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

/// Where an entry's content is: line `line` of event `seq`'s content block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Locator {
    pub(crate) seq: u64,
    pub(crate) line: u32,
}

/// An entry in force: its hash and where its content is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Slot {
    pub(crate) hash: [u8; 32],
    pub(crate) at: Locator,
}

/// One version of an entry: what the event at `at` made of it (`None`: removed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Version {
    pub(crate) at: Point,
    pub(crate) slot: Option<Slot>,
}

/// Every name and version of one entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct EntryRecord {
    pub(crate) names: Vec<String>,
    pub(crate) versions: Vec<Version>,
}

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
        let mut r = Reader { bytes, at: 0 };
        (0..r.u8()?).map(|_| r.string()).collect()
    }

    /// [`EntryRecord::slot_before`] read straight from an encoded record, skipping its names.
    pub(crate) fn slot_before_encoded(
        bytes: &[u8],
        bound: Point,
    ) -> Result<Option<Slot>, StoreError> {
        let mut bound_key = [0u8; 12];
        bound_key[..4].copy_from_slice(&keys::date(bound.date));
        bound_key[4..].copy_from_slice(&bound.seq.to_be_bytes());
        let mut r = Reader { bytes, at: 0 };
        for _ in 0..r.u8()? {
            let len = u16::from_be_bytes(r.take(2)?.try_into().map_err(|_| malformed())?);
            r.take(len as usize)?;
        }
        let mut found = None;
        for _ in 0..r.u32()? {
            let at = r.take(12)?;
            if at >= &bound_key[..] {
                break;
            }
            found = match r.u8()? {
                0 => None,
                1 => Some(Slot {
                    hash: r.take(32)?.try_into().map_err(|_| malformed())?,
                    at: Locator {
                        seq: r.u64()?,
                        line: r.u32()?,
                    },
                }),
                _ => return Err(malformed()),
            };
        }
        Ok(found)
    }

    /// Encodes the record.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.versions.len() * 57);
        out.push(self.names.len().min(255) as u8);
        for name in self.names.iter().take(255) {
            put_str(&mut out, name);
        }
        out.extend_from_slice(&(self.versions.len() as u32).to_be_bytes());
        for v in &self.versions {
            out.extend_from_slice(&keys::date(v.at.date));
            out.extend_from_slice(&v.at.seq.to_be_bytes());
            match v.slot {
                None => out.push(0),
                Some(slot) => {
                    out.push(1);
                    out.extend_from_slice(&slot.hash);
                    out.extend_from_slice(&slot.at.seq.to_be_bytes());
                    out.extend_from_slice(&slot.at.line.to_be_bytes());
                }
            }
        }
        out
    }

    /// Decodes a record.
    pub(crate) fn decode(bytes: &[u8]) -> Result<EntryRecord, StoreError> {
        let mut r = Reader { bytes, at: 0 };
        let mut record = EntryRecord::default();
        for _ in 0..r.u8()? {
            record.names.push(r.string()?);
        }
        for _ in 0..r.u32()? {
            let date = keys::read_date(r.take(4)?).ok_or_else(malformed)?;
            let seq = r.u64()?;
            let slot = match r.u8()? {
                0 => None,
                1 => Some(Slot {
                    hash: r.take(32)?.try_into().map_err(|_| malformed())?,
                    at: Locator {
                        seq: r.u64()?,
                        line: r.u32()?,
                    },
                }),
                _ => return Err(malformed()),
            };
            record.versions.push(Version {
                at: Point { date, seq },
                slot,
            });
        }
        if r.at != bytes.len() {
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
    let mut r = Reader { bytes, at: 0 };
    let mut changes = Vec::new();
    while r.at < bytes.len() {
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

fn put_str(out: &mut Vec<u8>, text: &str) {
    let bytes = &text.as_bytes()[..text.len().min(u16::MAX as usize)];
    out.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
    out.extend_from_slice(bytes);
}

fn malformed() -> StoreError {
    StoreError::Corrupt("a derived record is malformed".into())
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], StoreError> {
        let slice = self.bytes.get(self.at..self.at + n).ok_or_else(malformed)?;
        self.at += n;
        Ok(slice)
    }
    fn u8(&mut self) -> Result<u8, StoreError> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, StoreError> {
        Ok(u32::from_be_bytes(
            self.take(4)?.try_into().map_err(|_| malformed())?,
        ))
    }
    fn u64(&mut self) -> Result<u64, StoreError> {
        Ok(u64::from_be_bytes(
            self.take(8)?.try_into().map_err(|_| malformed())?,
        ))
    }
    fn string(&mut self) -> Result<String, StoreError> {
        let len = u16::from_be_bytes(self.take(2)?.try_into().map_err(|_| malformed())?) as usize;
        String::from_utf8(self.take(len)?.to_vec()).map_err(|_| malformed())
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
