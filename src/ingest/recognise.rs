//! Inputs already recorded, recognised from their bytes' digests before any parsing, so that
//! ingesting again a directory of files already recorded reads no file twice and parses none.
//!
//! An input is recognised, and neither parsed nor checked again, only when all of these hold
//! (anything else is read as ever, and told "already recorded" by the store if it is):
//! - it is a file (not standard input, not bytes in memory);
//! - the ingest gives neither `--source` nor `--corrects` (each names one publication, to be
//!   recorded as told);
//! - the store noted a read with the same [read key](read_key): the same program and parser,
//!   the same format, the same files (primary and companions) by name, SHA-256, length and
//!   end mark, the same read options (`--format`, `--list`, `--key`, `--map`, `--delimiter`),
//!   the same `--published`, and the same date and time written in the input's path (what
//!   dates a file that states none);
//! - every publication that read gave is recorded, not retracted, from these bytes (the
//!   `dedup` index, derived from the log): the store's own test of "already recorded".
//!
//! Under those, reading the input again would give the same publications, each of which the
//! store would find already recorded: skipping the read changes nothing but the time taken.
//! The reads are noted as inputs are recorded (see `crate::store` `note_read`); a store from
//! before issue 14, or one rebuilt or imported, recognises each input after its next read.

use std::cell::OnceCell;
use std::collections::HashSet;
use std::fmt::Write as _;

use super::dates::{date_in_path, time_in_path};
use super::inputs::{self, Candidate, Origin};
use super::{IngestError, IngestOptions};
use crate::model::{ListId, PublicationTime};
use crate::store::{Provenance, Store, StoreError, sha256_hex};

/// A publication recorded: its list, its time, and the event that recorded it.
pub type RecordedAs = (ListId, PublicationTime, u64);

/// What an ingest can ask of the reads already recorded.
pub trait KnownReads {
    /// Whether any read is known: when none, inputs are not hashed ahead of their read.
    fn any(&self) -> Result<bool, IngestError>;

    /// The publications (each with its event) recorded from the read with key `key` of the
    /// input bytes `sha256`, when that read is known and every publication it gave is recorded
    /// from those bytes and not retracted; `None` otherwise.
    fn recorded(&self, key: &str, sha256: &str) -> Result<Option<Vec<RecordedAs>>, IngestError>;
}

/// No read is known: every input is read.
pub struct NothingKnown;

impl KnownReads for NothingKnown {
    fn any(&self) -> Result<bool, IngestError> {
        Ok(false)
    }

    fn recorded(&self, _key: &str, _sha256: &str) -> Result<Option<Vec<RecordedAs>>, IngestError> {
        Ok(None)
    }
}

impl KnownReads for Store {
    fn any(&self) -> Result<bool, IngestError> {
        Ok(self.any_read_noted()?)
    }

    fn recorded(&self, key: &str, sha256: &str) -> Result<Option<Vec<RecordedAs>>, IngestError> {
        let Some(publications) = self.read_noted(key)? else {
            return Ok(None);
        };
        if publications.is_empty() {
            return Ok(None);
        }
        let mut recorded = Vec::with_capacity(publications.len());
        for (list, published) in publications {
            match self.recorded_from(&list, published, sha256)? {
                Some(seq) => recorded.push((list, published, seq)),
                None => return Ok(None),
            }
        }
        Ok(Some(recorded))
    }
}

/// The reads a store noted, its database opened (by `open`) only when an input's key is among
/// `keys` (the store's `reads` file, see [`crate::store::noted_read_keys`]): an ingest of
/// inputs none of which was read before leaves the store's files exactly as they were.
pub struct OpenWhenKnown<F: Fn() -> Result<Store, StoreError>> {
    /// The keys the store lists.
    keys: HashSet<String>,
    /// Opens the store to read.
    open: F,
    /// The store, once opened.
    store: OnceCell<Store>,
}

impl<F: Fn() -> Result<Store, StoreError>> OpenWhenKnown<F> {
    /// The reads of a store listing `keys`, opened by `open` when needed.
    pub fn new(keys: HashSet<String>, open: F) -> OpenWhenKnown<F> {
        OpenWhenKnown {
            keys,
            open,
            store: OnceCell::new(),
        }
    }

    /// The store, if it was opened.
    pub fn into_store(self) -> Option<Store> {
        self.store.into_inner()
    }
}

impl<F: Fn() -> Result<Store, StoreError>> KnownReads for OpenWhenKnown<F> {
    fn any(&self) -> Result<bool, IngestError> {
        Ok(!self.keys.is_empty())
    }

    fn recorded(&self, key: &str, sha256: &str) -> Result<Option<Vec<RecordedAs>>, IngestError> {
        if !self.keys.contains(key) {
            return Ok(None);
        }
        let store = match self.store.get() {
            Some(store) => store,
            None => {
                let opened = (self.open)()?;
                self.store.get_or_init(|| opened)
            }
        };
        store.recorded(key, sha256)
    }
}

/// An input recognised as recorded: not read, not recorded again.
pub(crate) struct Recognised {
    /// Where it came from.
    pub(crate) candidate: Candidate,
    /// The digests of its files, format and parser, as its events record them.
    pub(crate) provenance: Provenance,
    /// Its publications, each with the event that recorded it.
    pub(crate) publications: Vec<RecordedAs>,
}

impl Recognised {
    /// What the ingest's report tells of it.
    pub(crate) fn into_report(self) -> super::RecognisedInput {
        super::RecognisedInput {
            display: self.candidate.display,
            publications: self.publications,
        }
    }
}

/// The key of a read of `candidate` whose provenance is `provenance` under `options`: the
/// SHA-256 of everything that decides which publications (lists and times) the read gives.
/// `None` for an input never recognised (see the module documentation).
pub(crate) fn read_key(
    provenance: &Provenance,
    candidate: &Candidate,
    options: &IngestOptions,
) -> Option<String> {
    if !matches!(candidate.origin, Origin::File(_))
        || options.source.is_some()
        || options.corrects.is_some()
    {
        return None;
    }
    let mut text = String::from("listdiff read key 1\n");
    let input = &options.input;
    // Writing to a String cannot fail.
    let _ = writeln!(
        text,
        "format {:?} parser {:?}",
        provenance.format, provenance.parser
    );
    for file in &provenance.inputs {
        let _ = writeln!(
            text,
            "file {:?} {} {} {:?}",
            file.name, file.sha256, file.bytes, file.eof_mark
        );
    }
    let _ = writeln!(
        text,
        "read {:?} {:?} {:?} {:?} {:?}",
        input.format.map(|f| f.name()),
        input.list.as_ref().map(ListId::as_str),
        input.keys,
        input.map,
        input.delimiter
    );
    let _ = writeln!(
        text,
        "published {:?}",
        options.published.map(|p| p.to_string())
    );
    let _ = writeln!(
        text,
        "path {:?} {:?}",
        date_in_path(&candidate.display),
        time_in_path(&candidate.display).map(|p| p.to_string())
    );
    Some(sha256_hex(text.as_bytes()))
}

/// What [`recognise`] found of an input.
pub(crate) enum Recognition {
    /// It is recorded already.
    Recorded(Recognised),
    /// It is to be read; with the input when hashing it read it whole (see
    /// [`inputs::digests`]), for its read to parse those bytes.
    ToRead(Option<inputs::HeldRead>),
}

/// `candidate` recognised as recorded in `known`, when it is (see the module documentation).
/// An input that cannot be hashed or recognised here is left to its read, which tells why.
pub(crate) fn recognise(
    candidate: &Candidate,
    options: &IngestOptions,
    known: &dyn KnownReads,
) -> Result<Recognition, IngestError> {
    if !matches!(candidate.origin, Origin::File(_))
        || options.source.is_some()
        || options.corrects.is_some()
    {
        return Ok(Recognition::ToRead(None));
    }
    let Ok((provenance, held)) = inputs::digests(candidate, &options.input) else {
        return Ok(Recognition::ToRead(None));
    };
    let Some(key) = read_key(&provenance, candidate, options) else {
        return Ok(Recognition::ToRead(held));
    };
    Ok(match known.recorded(&key, &provenance.sha256)? {
        Some(publications) => Recognition::Recorded(Recognised {
            candidate: candidate.clone(),
            provenance,
            publications,
        }),
        None => Recognition::ToRead(held),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{ArchiveChoice, DropGuard, FeedChecks, FutureGuard, InputOptions};
    use crate::store::InputDigest;

    fn options() -> IngestOptions {
        IngestOptions {
            input: InputOptions::default(),
            published: None,
            source: None,
            corrects: None,
            drop_guard: DropGuard::refuse(20.0),
            feed: FeedChecks::default(),
            future: FutureGuard::Off,
            archive: ArchiveChoice::Never,
            undated: None,
            fetched: Default::default(),
        }
    }

    fn provenance(sha256: &str) -> Provenance {
        Provenance {
            sha256: sha256.into(),
            inputs: vec![InputDigest {
                name: "sdn.csv".into(),
                sha256: sha256.into(),
                bytes: 3,
                eof_mark: Some(true),
            }],
            format: "ofac-sdn-csv".into(),
            parser: "listdiff 0.1.0 ofac-sdn-csv/1".into(),
        }
    }

    #[test]
    fn the_key_changes_with_whatever_decides_what_a_read_gives() {
        let file = Candidate::file("d/2024-03-04/sdn.csv", "d/2024-03-04/sdn.csv", 0);
        let key = |p: &Provenance, c: &Candidate, o: &IngestOptions| read_key(p, c, o).unwrap();
        let base = key(&provenance("aa"), &file, &options());
        // The same read elsewhere on disk, with the same date in its path: the same key.
        let moved = Candidate::file("e/2024-03-04/sdn.csv", "e/2024-03-04/sdn.csv", 3);
        assert_eq!(key(&provenance("aa"), &moved, &options()), base);
        let mut others = vec![
            key(&provenance("ab"), &file, &options()),
            key(
                &provenance("aa"),
                &Candidate::file("d/2024-03-05/sdn.csv", "d/2024-03-05/sdn.csv", 0),
                &options(),
            ),
        ];
        let mut listed = options();
        listed.input.list = Some(ListId::new("l").unwrap());
        others.push(key(&provenance("aa"), &file, &listed));
        let mut dated = options();
        dated.published = PublicationTime::parse("2024-03-04").ok();
        others.push(key(&provenance("aa"), &file, &dated));
        let mut keyed = options();
        keyed.input.keys = vec!["id".into()];
        others.push(key(&provenance("aa"), &file, &keyed));
        let mut parser = provenance("aa");
        parser.parser = "listdiff 0.2.0 ofac-sdn-csv/2".into();
        others.push(key(&parser, &file, &options()));
        let mut cut = provenance("aa");
        cut.inputs[0].eof_mark = Some(false);
        others.push(key(&cut, &file, &options()));
        for other in &others {
            assert_ne!(other, &base);
        }
        // Never recognised: standard input, --source, --corrects.
        assert_eq!(
            read_key(&provenance("aa"), &Candidate::stdin(0), &options()),
            None
        );
        let mut sourced = options();
        sourced.source = Some("89 FR 1".into());
        assert_eq!(read_key(&provenance("aa"), &file, &sourced), None);
        let mut correcting = options();
        correcting.corrects = Some(1);
        assert_eq!(read_key(&provenance("aa"), &file, &correcting), None);
    }
}
