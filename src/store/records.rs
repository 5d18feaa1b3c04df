//! Compact binary layouts of the values of the derived trees: the per-entry records, the
//! per-place change lists, the timeline's values and the groups of versions.
//!
//! An **entry record** (`entries` tree, one per list and entry id) holds every name the entry has
//! had, each with the seq of the event whose recording gave it to the record (so a `--known-at`
//! view can tell the names a record had by a moment: `known_at.rs`), and every version of it in
//! fold order; a version is the fold point of the place that made
//! it, the event that made it there, and either "removed" or the entry's hash and where its
//! content is (the event whose block holds it, and the line). A **change list** (`changes` tree,
//! one per place) holds the ids the place's event changed with the kind of change. A **timeline
//! value** is the kind of the place's event, `s` (snapshot) or `a` (amendment), and its seq. A
//! **group** (`groups` tree, one per publication recorded with corrections of it) holds the seq
//! of every version, each with the seq of the retraction that took it back (0: none).
//!
//! ```text
//! entry record  names:varint  (len:varint utf8 by:varint)*names
//!               versions:varint  (point:16 by:8 (0 | 1 hash:32 seq:8 line:varint))*versions
//! point         date:4 time:4 place:8
//! change list   (kind:1 len:varint utf8)*      kind: a added, r removed, c changed
//! timeline      kind:1 seq:8                   kind: s snapshot, a amendment
//! group         (seq:8 retracted_by:8)*
//! ```
//!
//! Fixed-width integers (`date` as in `keys.rs`, `time`, `seq`) are big-endian. `time` is 0 for
//! a publication time without a time of day, else 1 + the seconds since midnight UTC. Every
//! length and count is an unsigned LEB128 varint (seven bits a byte, low bits first, the high bit
//! set on every byte but the last), which holds any value up to `u64::MAX`: whatever a
//! publication states is stored whole, however long a name or however many names and versions
//! an entry has. These layouts are those of store layout 4 (`STORE_FORMAT`); layout 3 had no
//! `by` after a name, layout 2 also 12-byte points (date, seq) and no `by` in a version, layout 1
//! also a one-byte name count and two-byte string lengths.

use chrono::{NaiveDate, NaiveTime, Timelike};

use super::StoreError;
use super::keys;
use crate::model::{ChangeKind, EntryId, PublicationKind, PublicationTime};

/// The time code of a publication time: 0 without a time of day, else 1 + seconds since
/// midnight (UTC).
fn time_code(published: PublicationTime) -> u32 {
    published
        .time
        .map_or(0, |time| time.num_seconds_from_midnight() + 1)
}

/// The time of day of a time code; `None` for 0 or a code beyond the day.
fn time_of_code(code: u32) -> Option<NaiveTime> {
    code.checked_sub(1)
        .and_then(|seconds| NaiveTime::from_num_seconds_from_midnight_opt(seconds, 0))
}

/// A point in a list's fold order: a *place*, where one publication (the version of it that
/// counts) is folded. Places sort by (publication time, seq of the first event recorded of
/// that publication); a correction keeps the place of what it corrects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Point {
    /// The publication date.
    pub(crate) date: NaiveDate,
    /// The time of day, as a time code (see [`time_code`]).
    pub(crate) time: u32,
    /// The seq of the first event recorded of the publication: its place among others of the
    /// same time.
    pub(crate) seq: u64,
}

/// The length of a point's stored form.
pub(crate) const POINT_BYTES: usize = 16;

impl Point {
    /// The place of a publication at `published` whose first event is `seq`.
    pub(crate) fn at(published: PublicationTime, seq: u64) -> Point {
        Point {
            date: published.date,
            time: time_code(published),
            seq,
        }
    }

    /// The point before every place of `date`.
    #[cfg(test)]
    pub(crate) fn start_of(date: NaiveDate) -> Point {
        Point {
            date,
            time: 0,
            seq: 0,
        }
    }

    /// The point after every place of `date`.
    pub(crate) fn end_of(date: NaiveDate) -> Point {
        Point {
            date,
            time: u32::MAX,
            seq: u64::MAX,
        }
    }

    /// The point after every place of `published`'s time (and before any later time).
    pub(crate) fn end_of_time(published: PublicationTime) -> Point {
        Point {
            seq: u64::MAX,
            ..Point::at(published, 0)
        }
    }

    /// The point just after this one: a bound that includes this place.
    pub(crate) fn just_after(self) -> Point {
        Point {
            seq: self.seq.saturating_add(1),
            ..self
        }
    }

    /// The publication time of this place.
    pub(crate) fn published(self) -> PublicationTime {
        PublicationTime {
            date: self.date,
            time: time_of_code(self.time),
        }
    }

    /// The 16 bytes a point is stored as, which sort as the points do.
    pub(crate) fn key(self) -> [u8; POINT_BYTES] {
        let mut key = [0u8; POINT_BYTES];
        key[..4].copy_from_slice(&keys::date(self.date));
        key[4..8].copy_from_slice(&self.time.to_be_bytes());
        key[8..].copy_from_slice(&self.seq.to_be_bytes());
        key
    }

    /// Reads a point written by [`Point::key`].
    pub(crate) fn read(bytes: &[u8]) -> Option<Point> {
        let bytes = bytes.get(..POINT_BYTES)?;
        Some(Point {
            date: keys::read_date(&bytes[..4])?,
            time: u32::from_be_bytes(bytes[4..8].try_into().ok()?),
            seq: u64::from_be_bytes(bytes[8..].try_into().ok()?),
        })
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

/// One version of an entry: what the publication folded at `at` made of it (`None`: removed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Version {
    /// The place that made the version.
    pub(crate) at: Point,
    /// The event folded at that place (the version of the publication that counts).
    pub(crate) by: u64,
    /// The entry as it left it; `None` when it removed the entry.
    pub(crate) slot: Option<Slot>,
}

/// A primary name an entry has had, as its record keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RecordedName {
    /// The name.
    pub(crate) name: String,
    /// The seq of the event whose recording gave the name to the record (the event recorded,
    /// which is not always the event whose entry bears the name: a correction or a retraction
    /// refolds later publications, whose names it may add).
    pub(crate) by: u64,
}

impl RecordedName {
    /// `name`, given to the record by recording event `by`.
    pub(crate) fn new(name: impl Into<String>, by: u64) -> RecordedName {
        RecordedName {
            name: name.into(),
            by,
        }
    }
}

/// Every name and version of one entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct EntryRecord {
    /// Every primary name the entry has had, in the order they were first recorded (so the
    /// seqs that gave them never decrease).
    pub(crate) names: Vec<RecordedName>,
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

    /// Whether the record already has `name` (given by any event).
    pub(crate) fn has_name(&self, name: &str) -> bool {
        self.names.iter().any(|n| n.name == name)
    }

    /// Gives the record `name`, by recording event `by`, unless it already has it.
    pub(crate) fn add_name(&mut self, name: String, by: u64) {
        if !self.has_name(&name) {
            self.names.push(RecordedName::new(name, by));
        }
    }

    /// The names of an encoded record, without decoding its versions.
    pub(crate) fn names_encoded(bytes: &[u8]) -> Result<Vec<RecordedName>, StoreError> {
        let mut r = Reader::new(bytes);
        (0..r.count()?)
            .map(|_| {
                let name = r.string()?;
                let by = r.varint()?;
                Ok(RecordedName { name, by })
            })
            .collect()
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
            r.varint()?;
        }
        let mut found = None;
        for _ in 0..r.count()? {
            let at = r.take(POINT_BYTES)?;
            if at >= &bound_key[..] {
                break;
            }
            r.take(8)?;
            found = r.slot()?;
        }
        Ok(found)
    }

    /// Encodes the record.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let names_len: usize = self.names.iter().map(|n| n.name.len() + 4).sum();
        let mut out = Vec::with_capacity(4 + names_len + self.versions.len() * 68);
        put_count(&mut out, self.names.len());
        for name in &self.names {
            put_str(&mut out, &name.name);
            put_varint(&mut out, name.by);
        }
        put_count(&mut out, self.versions.len());
        for v in &self.versions {
            out.extend_from_slice(&v.at.key());
            out.extend_from_slice(&v.by.to_be_bytes());
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
            let name = r.string()?;
            let by = r.varint()?;
            record.names.push(RecordedName { name, by });
        }
        for _ in 0..r.count()? {
            let at = Point::read(r.take(POINT_BYTES)?).ok_or_else(malformed)?;
            let by = r.u64()?;
            let slot = r.slot()?;
            record.versions.push(Version { at, by, slot });
        }
        if !r.is_done() {
            return Err(malformed());
        }
        Ok(record)
    }
}

/// Encodes a `timeline` value: the kind of the place's event, `s` or `a`, and its seq.
pub(crate) fn encode_timeline(kind: PublicationKind, seq: u64) -> [u8; 9] {
    let mut value = [0u8; 9];
    value[0] = match kind {
        PublicationKind::Snapshot => b's',
        PublicationKind::Amendment => b'a',
    };
    value[1..].copy_from_slice(&seq.to_be_bytes());
    value
}

/// Decodes a `timeline` value.
pub(crate) fn decode_timeline(value: &[u8]) -> Result<(PublicationKind, u64), StoreError> {
    let malformed = || StoreError::Corrupt("a timeline record is malformed".into());
    let kind = match value.first() {
        Some(b's') => PublicationKind::Snapshot,
        Some(b'a') => PublicationKind::Amendment,
        _ => return Err(malformed()),
    };
    let seq = value
        .get(1..)
        .filter(|rest| rest.len() == 8)
        .and_then(keys::read_seq)
        .ok_or_else(malformed)?;
    Ok((kind, seq))
}

/// The versions of one publication: every event recorded of it (the first, then its
/// corrections), in seq order, each with the retraction that took it back, if any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Group {
    /// (seq, retracted by), in seq order.
    pub(crate) versions: Vec<(u64, Option<u64>)>,
}

impl Group {
    /// The version that counts: the last recorded that is not retracted.
    pub(crate) fn counting(&self) -> Option<u64> {
        self.versions
            .iter()
            .rev()
            .find(|(_, retracted)| retracted.is_none())
            .map(|(seq, _)| *seq)
    }

    /// The retraction of `seq`, if it is retracted; `None` when it is not, or not a version.
    pub(crate) fn retraction_of(&self, seq: u64) -> Option<u64> {
        self.versions
            .iter()
            .find(|(version, _)| *version == seq)
            .and_then(|(_, retracted)| *retracted)
    }

    /// Encodes the group.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.versions.len() * 16);
        for (seq, retracted) in &self.versions {
            out.extend_from_slice(&seq.to_be_bytes());
            out.extend_from_slice(&retracted.unwrap_or(0).to_be_bytes());
        }
        out
    }

    /// Decodes a group.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Group, StoreError> {
        if !bytes.len().is_multiple_of(16) {
            return Err(malformed());
        }
        let versions = bytes
            .chunks_exact(16)
            .map(|pair| {
                let seq = keys::read_seq(&pair[..8]).ok_or_else(malformed)?;
                let retracted = keys::read_seq(&pair[8..]).ok_or_else(malformed)?;
                Ok((seq, (retracted != 0).then_some(retracted)))
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Group { versions })
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
pub(crate) fn put_varint(out: &mut Vec<u8>, mut value: u64) {
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
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    /// True when every byte has been read.
    pub(crate) fn is_done(&self) -> bool {
        self.at == self.bytes.len()
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], StoreError> {
        let end = self.at.checked_add(n).ok_or_else(malformed)?;
        let slice = self.bytes.get(self.at..end).ok_or_else(malformed)?;
        self.at = end;
        Ok(slice)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, StoreError> {
        Ok(self.take(1)?[0])
    }

    pub(crate) fn u64(&mut self) -> Result<u64, StoreError> {
        Ok(u64::from_be_bytes(
            self.take(8)?.try_into().map_err(|_| malformed())?,
        ))
    }

    /// An unsigned LEB128 varint of at most 64 bits.
    pub(crate) fn varint(&mut self) -> Result<u64, StoreError> {
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

    /// Bytes preceded by their length.
    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], StoreError> {
        let len = self.length()?;
        self.take(len)
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
        Point::at(PublicationTime::parse(d).unwrap(), seq)
    }

    #[test]
    fn entry_records_round_trip() {
        let record = EntryRecord {
            names: vec![
                RecordedName::new("Acme", 1),
                RecordedName::new("Acme Ltd — ÄÖ", u64::MAX),
            ],
            versions: vec![
                Version {
                    at: point("2024-12-01", 1),
                    by: 1,
                    slot: Some(Slot {
                        hash: [7; 32],
                        at: Locator { seq: 1, line: 5 },
                    }),
                },
                Version {
                    at: point("2024-12-11T10:00:00Z", 3),
                    by: 4,
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
        assert_eq!(
            record
                .before(point("2024-12-11T10:00:00Z", 3))
                .unwrap()
                .at
                .seq,
            1
        );
        // A date alone is before every time of its day.
        assert_eq!(record.before(point("2024-12-11", 9)).unwrap().at.seq, 1);
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
            names: names
                .into_iter()
                .enumerate()
                .map(|(i, name)| RecordedName::new(name, (i as u64).wrapping_pow(7)))
                .collect(),
            versions: (0..versions)
                .map(|i| Version {
                    at: Point {
                        date: first + chrono::Duration::days(i as i64 / 3),
                        time: (i % 3) as u32 * 40_000,
                        seq: u64::MAX - versions + i,
                    },
                    by: u64::MAX - i,
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
        assert_eq!(decoded.names[0].name, long);
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
            names: vec![RecordedName::new("Ab", 300)],
            versions: vec![
                Version {
                    at: point("2024-12-01", 1),
                    by: 2,
                    slot: Some(Slot {
                        hash: [7; 32],
                        at: Locator { seq: 2, line: 200 },
                    }),
                },
                Version {
                    at: point("2024-12-11T00:00:01Z", 3),
                    by: 3,
                    slot: None,
                },
            ],
        };
        let mut expected = vec![1, 2, b'A', b'b', 0xac, 0x02, 2];
        expected.extend_from_slice(&keys::date("2024-12-01".parse().unwrap()));
        expected.extend_from_slice(&0u32.to_be_bytes());
        expected.extend_from_slice(&1u64.to_be_bytes());
        expected.extend_from_slice(&2u64.to_be_bytes());
        expected.push(1);
        expected.extend_from_slice(&[7; 32]);
        expected.extend_from_slice(&2u64.to_be_bytes());
        expected.extend_from_slice(&[0xc8, 0x01]);
        expected.extend_from_slice(&keys::date("2024-12-11".parse().unwrap()));
        // One second after midnight: 1 + 1.
        expected.extend_from_slice(&2u32.to_be_bytes());
        expected.extend_from_slice(&3u64.to_be_bytes());
        expected.extend_from_slice(&3u64.to_be_bytes());
        expected.push(0);
        assert_eq!(record.encode(), expected);
        assert_eq!(
            record.versions[1].at.published().to_string(),
            "2024-12-11T00:00:01Z"
        );
        let id = EntryId::new("x").unwrap();
        assert_eq!(
            encode_changes([(&id, ChangeKind::Changed)].into_iter()),
            b"c\x01x"
        );
        assert_eq!(
            encode_timeline(PublicationKind::Snapshot, 258),
            *b"s\0\0\0\0\0\0\x01\x02"
        );
        assert_eq!(
            decode_timeline(b"a\0\0\0\0\0\0\0\x07").unwrap(),
            (PublicationKind::Amendment, 7)
        );
        assert!(decode_timeline(b"s").is_err());
        assert!(decode_timeline(b"x\0\0\0\0\0\0\0\x07").is_err());
        assert!(decode_timeline(b"").is_err());
        let group = Group {
            versions: vec![(3, None), (5, Some(9)), (8, None)],
        };
        let mut expected = Vec::new();
        for (seq, by) in [(3u64, 0u64), (5, 9), (8, 0)] {
            expected.extend_from_slice(&seq.to_be_bytes());
            expected.extend_from_slice(&by.to_be_bytes());
        }
        assert_eq!(group.encode(), expected);
        assert_eq!(Group::decode(&expected).unwrap(), group);
        assert!(Group::decode(&expected[1..]).is_err());
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
            by: seq,
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
    fn a_group_counts_its_last_version_not_retracted() {
        let mut group = Group {
            versions: vec![(2, None), (4, None), (7, None)],
        };
        assert_eq!(group.counting(), Some(7));
        group.versions[2].1 = Some(9);
        assert_eq!(
            (group.counting(), group.retraction_of(7)),
            (Some(4), Some(9))
        );
        group.versions[0].1 = Some(10);
        assert_eq!(group.counting(), Some(4));
        group.versions[1].1 = Some(11);
        assert_eq!(group.counting(), None);
        assert_eq!(group.retraction_of(3), None);
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
