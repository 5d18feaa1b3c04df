//! The store: an append-only log of publication events in an embedded key-value database, and
//! indexes derived from it.
//!
//! On disk a store is a directory holding `listdiff-store` (a marker naming the layout),
//! `lock` (held by the process using the store) and `db/` (the database). Only the backend file
//! (`Disk`, behind the `kv::Kv` contract) knows the database engine; nothing outside this module
//! touches it. The `events` tree is the only source of truth; every other tree is derived from
//! it and can be rebuilt with [`Store::rebuild`]. Each event is written together with its index
//! updates in one transaction, so after a crash the store holds every event whole or not at
//! all.

mod checkpoints;
mod event;
mod export;
mod index;
mod keys;
// Issue 15: a list's entry records read once for the drop guard and the snapshot's planning.
mod kept;
// Issue 15: `--known-at` from the stored indexes, capped, when the lists only grew since.
mod known_at;
mod kv;
mod leftovers;
mod lock;
mod private;
mod read_only;
mod rebuild;
mod records;
mod sled_backend;
mod verify;

// The input archive, settings, and what events recorded (for reparse).
mod archive;
mod recorded;
// Issue 11: a list's publications as a whole (baselines, bases, `listdiff lists`).
mod lists;
// Issue 12: every name an entry has had (history), entries in force in a caller's order.
mod names;
mod settings;
// Issue 14: inputs recognised from their digests before any parsing.
mod reads;
// What `listdiff pull` keeps of each source's last fetch (issue 14).
mod fetch_state;

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

use crate::model::fold::FoldNote;
use crate::model::merkle::{self, TreeHash};
use crate::model::rekey::Carried;
use crate::model::{
    ChangeKind, Effect, Entry, EntryId, EventMeta, Identity, ListId, LogEvent, Publication,
    PublicationContent, PublicationKind, PublicationTime, RetractionMeta, Standing,
};

pub use archive::{
    ARCHIVE_SETTING, Archive, ArchiveError, ArchiveSource, ArchivedFile, ArchivedRead, FetchedFrom,
    ReadManifest, ReadOptions,
};
use event::{EVENT_VERSION, EventRecord, LogRecord, RetractionKind, RetractionRecord};
pub use event::{InputDigest, Provenance, manifest_sha256, sha256_hex};
pub use export::{
    EXPORT_VERSION, ExportError, ExportSummary, ImportError, ImportFault, ImportSummary, import,
};
pub use fetch_state::{FetchState, FetchedFile};
pub use index::SnapshotDigest;
pub use names::EntryNames;
pub use reads::noted_read_keys;
pub use recorded::{EventInputs, RecordedAmendment, SnapshotSummary, entries_hash};
pub use settings::SETTINGS;
pub use verify::{EventBytes, EventBytesError, VerifyReport, read_event_bytes};

use index::{Body, Index, NewEvent, Plan, Sealed};
use keys::meta;
use kv::{DiskKv, Kv, MemKv, Tree, Writes};
use records::Point;

/// The database engine a store on disk lives in (see `kv.rs` for what it must provide).
type Disk = sled_backend::SledKv;

/// The on-disk layout version this listdiff writes and reads. Layout 4 keeps with each name of
/// an entry record the event whose recording gave it, so `--known-at` reads the names known
/// then without replaying the log (`known_at.rs`), and adds the derived `states` tree
/// (periodic state checkpoints of each list for `as-of`, see `checkpoints.rs`). Layout 3 folds
/// by publication (identity, corrections in place, publication times, retractions): its
/// derived records hold 16-byte fold points and the event each version was made by, and it
/// has the `groups` and `identities` trees (`records.rs`, `keys.rs`). Layout 2 stored every
/// length and count in the derived records as a varint; layout 1 cut names at 65,535 bytes and
/// kept at most 255 names per entry. The log is the same in all: a store's log holds events
/// the earlier layouts do not know (times, retractions) only once a listdiff of layout 3 or
/// later recorded them.
pub const STORE_FORMAT: u32 = 4;

/// Older layouts this listdiff opens by rebuilding the derived indexes from the log, which they
/// share with [`STORE_FORMAT`].
const UPGRADABLE_LAYOUTS: [u32; 3] = [1, 2, 3];
const MARKER: &str = "listdiff-store";

/// Why the store cannot do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the store.
    #[error("the store at {} is in use by another listdiff process; try again when it has finished, or give --wait SECONDS to wait for it", .path.display())]
    InUse {
        /// The store directory.
        path: PathBuf,
    },
    /// Another process still held the store after `--wait`.
    #[error("the store at {} is still in use by another listdiff process after waiting {seconds} s; try again later or give a longer --wait", .path.display())]
    InUseAfterWait {
        /// The store directory.
        path: PathBuf,
        /// How long this process waited.
        seconds: f64,
    },
    /// Nothing has been recorded at this path.
    #[error("no listdiff store at {}: record a publication first (listdiff ingest FILE), or point --store or LISTDIFF_STORE at an existing store", .path.display())]
    Missing {
        /// The store directory.
        path: PathBuf,
    },
    /// The path holds something else.
    #[error("{} is not a listdiff store (it is not an empty directory and has no {MARKER} file); choose another --store path", .path.display())]
    NotAStore {
        /// The path.
        path: PathBuf,
    },
    /// A newer listdiff wrote this store.
    #[error("the store at {} has layout {found}, but this listdiff reads layout {STORE_FORMAT}; use a newer listdiff", .path.display())]
    TooNew {
        /// The store directory.
        path: PathBuf,
        /// The layout found.
        found: String,
    },
    /// A file-system error.
    #[error("cannot use the store at {}: {source}", .path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// An error from the database engine.
    #[error("store database error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// What was to be recorded cannot be (such as a snapshot that repeats an id).
    #[error("cannot record: {0}")]
    Invalid(String),
    /// An entry's publisher fields would not read back from the store as they are: refused
    /// before anything is written.
    #[error(
        "cannot record entry {id} of {list}: its publisher fields (extra) cannot be stored exactly: {reason}; nothing was recorded: correct or leave out those fields"
    )]
    Unstorable {
        /// The list.
        list: ListId,
        /// The entry.
        id: EntryId,
        /// What does not read back.
        reason: String,
    },
    /// The log does not replay, so the indexes cannot be rebuilt from it; nothing was changed.
    #[error(
        "the indexes cannot be rebuilt from the log: {reason}; nothing was changed: the store was left as it was. Its log is damaged: restore the store from a backup, or import an export made before the damage (listdiff import)"
    )]
    Unrebuildable {
        /// What does not replay.
        reason: String,
    },
    /// The store cannot be written, and the command would change it.
    #[error("the store at {} is read-only (a read-only file system, or no permission to write it), and this command would change it: only read commands (as-of, since, diff, history, log, verify, export, checkpoint, proof, reparse) work on it; to record into it, import an export of it into a writable store (listdiff export, then listdiff --store NEW import), or make it writable", .path.display())]
    ReadOnly {
        /// The store directory.
        path: PathBuf,
    },
    /// The store's content is not what listdiff wrote.
    #[error(
        "the store is damaged: {0}; run `listdiff rebuild` to rebuild the indexes from the log, or restore a backup"
    )]
    Corrupt(String),
}

/// How to open a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Read: the store must exist. A store that cannot be written (on a read-only file system)
    /// is read from a private copy of its database.
    Read,
    /// Record: create the store if there is none; it must be writable.
    Write,
    /// Change an existing store (rebuild its indexes): it must exist and be writable.
    Change,
}

/// What recording a publication did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordOutcome {
    /// The same list, publication time and bytes were already recorded as event `seq` (not
    /// retracted): nothing was written.
    AlreadyRecorded {
        /// The existing event.
        seq: u64,
    },
    /// A new event was appended.
    Recorded {
        /// Its metadata.
        event: EventMeta,
        /// Things worth telling the user (removal of an unknown id, …).
        notes: Vec<FoldNote>,
    },
}

/// A store of an older layout that opening brought to [`STORE_FORMAT`]: its log is unchanged
/// (so are its checkpoints and exports); its derived indexes were rebuilt from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayoutUpgrade {
    /// The store directory.
    pub path: PathBuf,
    /// The layout the store had.
    pub from: u32,
    /// The layout it has now ([`STORE_FORMAT`]).
    pub to: u32,
    /// How many events of the log were replayed.
    pub events: u64,
}

impl std::fmt::Display for LayoutUpgrade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the store at {} had layout {}, written by an older listdiff: its indexes were rebuilt from its log of {} events in layout {}; the log, its checkpoints and exports are unchanged, but a listdiff older than this one can no longer open the store",
            self.path.display(),
            self.from,
            self.events,
            self.to
        )
    }
}

/// A listdiff store, open and locked by this process.
pub struct Store {
    path: PathBuf,
    kv: Disk,
    /// What opening the store did to bring it to [`STORE_FORMAT`], if anything.
    upgrade: Option<LayoutUpgrade>,
    /// The store's lock, held until the store is closed (none for a read-only store, whose lock
    /// is let go once its database is copied).
    lock: Option<File>,
    /// The private copy a read-only store is read from.
    copy: Option<read_only::ReadOnlyCopy>,
    /// A list's entry records read by [`Store::ids_as_of_keeping`], for the planning of the
    /// next event recorded while the log has not grown since.
    kept: kept::KeptSlot,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl Store {
    /// Opens the store at `path`, locking it for this process; fails at once when another
    /// process uses it ([`Store::open_waiting`] waits). With [`Access::Write`] a missing store
    /// (or an empty directory) is created. A store of an older layout is brought to
    /// [`STORE_FORMAT`] by rebuilding its indexes (see [`Store::layout_upgrade`]). From here on
    /// the process creates files private to its owner (umask 077, see `private.rs`).
    pub fn open(path: &Path, access: Access) -> Result<Store, StoreError> {
        Store::open_waiting(path, access, std::time::Duration::ZERO, &mut || {})
    }

    /// [`Store::open`], waiting up to `wait` while another process uses the store (zero fails at
    /// once, with [`StoreError::InUse`]; a wait that runs out fails with
    /// [`StoreError::InUseAfterWait`]). `on_wait` is called once, when the store has been in use
    /// for about a second and there is longer to wait. A store that cannot be written is opened
    /// for [`Access::Read`] from a private copy of its database (see `read_only.rs`), and
    /// refused otherwise ([`StoreError::ReadOnly`]).
    pub fn open_waiting(
        path: &Path,
        access: Access,
        wait: std::time::Duration,
        on_wait: &mut dyn FnMut(),
    ) -> Result<Store, StoreError> {
        private::create_private();
        let deadline = std::time::Instant::now() + wait;
        let marker = path.join(MARKER);
        if path.is_file() {
            return Err(StoreError::NotAStore { path: path.into() });
        }
        if !marker.exists() {
            // Empty, or holding only the lock file of a store whose creation was interrupted.
            let empty_dir = fs::read_dir(path).map(|d| {
                d.filter_map(Result::ok)
                    .all(|entry| entry.file_name() == "lock")
            });
            match (access, empty_dir) {
                // Another process created the store in the meantime: open it (or wait for it).
                (_, Ok(false)) if marker.exists() => {}
                (Access::Read | Access::Change, Err(_) | Ok(true)) => {
                    return Err(StoreError::Missing { path: path.into() });
                }
                (_, Ok(false)) => return Err(StoreError::NotAStore { path: path.into() }),
                (Access::Write, _) => {
                    fs::create_dir_all(path).map_err(io_error(path))?;
                }
            }
        }
        let (lock, writable) = match lock::open(path)? {
            lock::LockFile::Writable(file) => (Some(file), true),
            lock::LockFile::ReadOnly(_) if access != Access::Read || !marker.exists() => {
                return Err(StoreError::ReadOnly { path: path.into() });
            }
            lock::LockFile::ReadOnly(file) => (file, false),
        };
        if let Some(file) = &lock {
            lock::acquire(file, path, wait, on_wait)?;
        }
        if !writable {
            let copy = read_only::ReadOnlyCopy::of(path)?;
            // The copy is this process's own: the store is free for others again.
            drop(lock);
            let kv = lock::open_database(&copy.database(), path, deadline, wait)?;
            let mut store = Store {
                path: path.to_path_buf(),
                kv,
                upgrade: None,
                lock: None,
                copy: Some(copy),
                kept: kept::KeptSlot::default(),
            };
            // Brought up to date in the copy only: nothing to tell about the store itself.
            store.bring_up_to_date()?;
            store.upgrade = None;
            return Ok(store);
        }
        if !marker.exists() {
            let mut file = File::create(&marker).map_err(io_error(&marker))?;
            writeln!(file, "listdiff store, layout {STORE_FORMAT}").map_err(io_error(&marker))?;
            file.sync_all().map_err(io_error(&marker))?;
        }
        rebuild::remove_stale_scratch(path);
        export::remove_stale_imports(path);
        let kv = lock::open_database(&path.join("db"), path, deadline, wait)?;
        let mut store = Store {
            path: path.to_path_buf(),
            kv,
            upgrade: None,
            lock,
            copy: None,
            kept: kept::KeptSlot::default(),
        };
        store.bring_up_to_date()?;
        Ok(store)
    }

    /// Brings the store to [`STORE_FORMAT`] when it has an older layout, and rebuilds indexes an
    /// interrupted write left dirty.
    fn bring_up_to_date(&mut self) -> Result<(), StoreError> {
        match self.check_layout()? {
            Some(from) => self.upgrade = Some(self.upgrade_from(from)?),
            None => recover(&self.kv, self.work_dir())?,
        }
        Ok(())
    }

    /// Where a rebuild builds beside the database: the store directory, or the directory of the
    /// private copy a read-only store is read from.
    fn work_dir(&self) -> &Path {
        self.copy.as_ref().map_or(&self.path, |copy| copy.dir())
    }

    /// Checks the layout the store records, recording [`STORE_FORMAT`] in a new store; returns
    /// the older layout the store must be upgraded from, if it is one.
    fn check_layout(&self) -> Result<Option<u32>, StoreError> {
        let Some(found) = self.kv.get(Tree::Meta, meta::LAYOUT)? else {
            let mut writes = Writes::default();
            writes.put(Tree::Meta, meta::LAYOUT, STORE_FORMAT.to_string());
            writes.put(Tree::Meta, meta::STORE_ID, new_store_id(&self.path));
            self.kv.commit(writes)?;
            return Ok(None);
        };
        let layout = std::str::from_utf8(&found)
            .ok()
            .and_then(|text| text.parse::<u32>().ok());
        match layout {
            Some(STORE_FORMAT) => Ok(None),
            Some(old) if UPGRADABLE_LAYOUTS.contains(&old) => Ok(Some(old)),
            _ => Err(StoreError::TooNew {
                path: self.path.clone(),
                found: String::from_utf8_lossy(&found).into_owned(),
            }),
        }
    }

    /// Brings a store of layout `from` to [`STORE_FORMAT`]: rebuilds its derived indexes from
    /// the log and records the new layout in the same transaction that ends the rebuild, so an
    /// interrupted upgrade is done again at the next open.
    fn upgrade_from(&self, from: u32) -> Result<LayoutUpgrade, StoreError> {
        let mut done = Writes::default();
        done.put(Tree::Meta, meta::LAYOUT, STORE_FORMAT.to_string());
        let events = rebuild::rebuild_beside(&self.kv, self.work_dir(), done)?;
        self.flush()?;
        Ok(LayoutUpgrade {
            path: self.path.clone(),
            from,
            to: STORE_FORMAT,
            events,
        })
    }

    /// What opening the store did to bring it from an older layout to [`STORE_FORMAT`], for
    /// the user to be told; `None` when it already had it.
    pub fn layout_upgrade(&self) -> Option<&LayoutUpgrade> {
        self.upgrade.as_ref()
    }

    /// The store directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The store's random id, fixed at creation.
    pub fn store_id(&self) -> Result<String, StoreError> {
        Ok(self
            .kv
            .get(Tree::Meta, meta::STORE_ID)?
            .map(|v| String::from_utf8_lossy(&v).into_owned())
            .unwrap_or_default())
    }

    /// How many events the log holds.
    pub fn event_count(&self) -> Result<u64, StoreError> {
        Ok(next_seq(&self.kv)? - 1)
    }

    /// Records one publication as a new event, unless the same list, publication time and
    /// bytes are already recorded (and not retracted). A publication with the identity of one
    /// that counts (see [`Identity`]) corrects it: it is recorded as its correction and takes
    /// its place. `now` is the recording time; the store never records a time earlier than the
    /// last event's.
    pub fn record(
        &mut self,
        publication: &Publication,
        provenance: &Provenance,
        now: DateTime<Utc>,
    ) -> Result<RecordOutcome, StoreError> {
        record_into(&self.kv, publication, provenance, now, None)
    }

    /// [`Store::record`], recording the publication as a correction of event `corrects`
    /// whatever its identity (`ingest --corrects`): it takes that event's place, at its own
    /// publication time. `corrects` must be an earlier publication of the same list
    /// ([`Store::check_correction`]).
    pub fn record_correcting(
        &mut self,
        publication: &Publication,
        provenance: &Provenance,
        now: DateTime<Utc>,
        corrects: u64,
    ) -> Result<RecordOutcome, StoreError> {
        record_into(&self.kv, publication, provenance, now, Some(corrects))
    }

    /// [`Store::record`] (or, with `corrects`, [`Store::record_correcting`]) of a snapshot that
    /// changed its list's key scheme ([`crate::model::rekey`]): its event records `carried`,
    /// the entries it carries from old ids to new ids. Each new id must be an entry of the
    /// snapshot and no old id may be; an amendment carries nothing.
    pub fn record_carrying(
        &mut self,
        publication: &Publication,
        provenance: &Provenance,
        now: DateTime<Utc>,
        corrects: Option<u64>,
        carried: &[Carried],
    ) -> Result<RecordOutcome, StoreError> {
        let kept = self.kept.take();
        record_kept_into(
            &self.kv,
            kept,
            publication,
            provenance,
            (now, corrects),
            carried,
        )
    }

    /// [`View::ids_as_of`] over everything recorded, keeping the list's entry records read for
    /// the planning of the next snapshot of `list` recorded ([`Store::record_carrying`]) while
    /// the log has not grown since: the drop guard's read serves the planning too (issue 15).
    /// Keeps one list's records at a time, in place of any kept before.
    pub fn ids_as_of_keeping(
        &self,
        list: &ListId,
        date: NaiveDate,
    ) -> Result<Vec<EntryId>, StoreError> {
        let bound = records::Point::end_of(date);
        let next_seq = next_seq(&self.kv)?;
        if let Some(ids) = self
            .kept
            .with(list, next_seq, |kept| kept.ids_before(bound))
        {
            return ids;
        }
        let kept = kept::KeptRecords::read(&self.kv, list)?;
        let ids = kept.ids_before(bound)?;
        self.kept.keep(kept);
        Ok(ids)
    }

    /// Checks that event `corrects` can be corrected by a publication of `list`: it is a
    /// publication (not a retraction) of that list in the log. The problem, for the user,
    /// when it cannot.
    pub fn check_correction(&self, list: &ListId, corrects: u64) -> Result<(), String> {
        check_correction(&Index::new(&self.kv), list, corrects).map_err(|e| match e {
            StoreError::Invalid(why) => why,
            other => other.to_string(),
        })
    }

    /// Appends a retraction of event `seq` for `reason`, recorded at `now`: from then on the
    /// event no longer counts (an earlier version of its publication it corrected counts again,
    /// if there is one). Nothing is deleted. Refuses ([`StoreError::Invalid`]) an event that is
    /// not in the log, a retraction, or already retracted.
    pub fn retract(
        &mut self,
        seq: u64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Retraction, StoreError> {
        retract_into(&self.kv, seq, reason, now)
    }

    /// Starts recording a snapshot of `list` at `published` one entry at a time, for lists too
    /// large to hold in memory: `None` when the publication is already recorded (same list,
    /// time and `sha256`) or would not be placed after every other of its list (a correction
    /// or a backfill), which [`Store::record`] handles.
    pub fn snapshot_digest(
        &self,
        list: &ListId,
        published: PublicationTime,
        sha256: &str,
    ) -> Result<Option<SnapshotDigest>, StoreError> {
        // A snapshot read as a stream is merged with the records read as it goes: records kept
        // by the drop guard would only hold memory while it is read.
        drop(self.kept.take());
        start_digest(&self.kv, list, published, sha256)
    }

    /// The event, not retracted, that recorded `list`'s publication at `published` with these
    /// input bytes, if one did.
    pub fn recorded_as(
        &self,
        list: &ListId,
        published: PublicationTime,
        sha256: &str,
    ) -> Result<Option<u64>, StoreError> {
        Index::new(&self.kv).recorded_as(list, published, sha256)
    }

    /// Gives the next entry (normalised) of a snapshot being recorded.
    pub fn digest_entry(
        &self,
        digest: &mut SnapshotDigest,
        entry: Entry,
    ) -> Result<(), StoreError> {
        digest.push(&self.kv, entry)
    }

    /// Records a snapshot read with [`Store::snapshot_digest`]: the same event [`Store::record`]
    /// writes for the whole snapshot, except that its content block holds the new and changed
    /// entries in the order they were read.
    pub fn record_digest(
        &mut self,
        digest: SnapshotDigest,
        source: &str,
        provenance: &Provenance,
        now: DateTime<Utc>,
    ) -> Result<RecordOutcome, StoreError> {
        record_digest_into(&self.kv, digest, source, provenance, now)
    }

    /// Makes everything recorded so far durable and ends this process's use of the store, so
    /// that another process waiting for it can go on while this one prints its answer.
    ///
    /// The database engine's own teardown can cost a command tens of milliseconds on a large
    /// store (see the backend's documentation); after the flush nothing is left to write, so it
    /// runs on another thread, and the database and the lock are let go when it ends or when
    /// the process exits, whichever comes first.
    pub fn close(self) -> Result<(), StoreError> {
        self.flush()?;
        let Store { kv, lock, copy, .. } = self;
        // A read-only store's copy is removed now; its files stay open until the database is.
        drop(copy);
        std::thread::spawn(move || {
            drop(kv);
            drop(lock);
        });
        Ok(())
    }

    /// Makes everything recorded so far durable on disk.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.kv.flush()
    }

    /// Rebuilds every derived index from the log, checking each event; returns how many events
    /// were replayed. The indexes are built beside the store and replace its own only when the
    /// whole log has replayed: a rebuild that fails changes nothing ([`StoreError::Unrebuildable`]).
    pub fn rebuild(&self) -> Result<u64, StoreError> {
        let count = rebuild::rebuild_beside(&self.kv, self.work_dir(), Writes::default())?;
        self.flush()?;
        Ok(count)
    }

    /// The exact stored bytes of event `seq` (its header, which binds its content block by
    /// hash): the leaf of the log's Merkle tree. `None` when there is no such event.
    pub fn event_bytes(&self, seq: u64) -> Result<Option<Vec<u8>>, StoreError> {
        self.kv.get(Tree::Events, &keys::seq(seq))
    }

    /// The Merkle leaf hash of every event of the log, in order (leaf `i` is event `i + 1`).
    pub fn leaf_hashes(&self) -> Result<Vec<TreeHash>, StoreError> {
        let mut leaves = Vec::new();
        for pair in self
            .kv
            .range(Tree::Events, &keys::seq(1), &keys::AFTER_THE_LOG)
        {
            let (key, value) = pair?;
            let expected = leaves.len() as u64 + 1;
            if keys::read_seq(&key) != Some(expected) {
                return Err(StoreError::Corrupt(format!(
                    "the log has a gap: event {expected} is missing"
                )));
            }
            leaves.push(merkle::leaf_hash(&value));
        }
        Ok(leaves)
    }

    /// The store as it stood at `moment`: only the events recorded at or before it (the
    /// second clock; recording times never go back, so these are a prefix of the log), with
    /// their indexes rebuilt in memory. A correction or backfill recorded later is not in it.
    /// When every list in the view only grew since (no correction, retraction or backfill of
    /// what was known by then), the stored indexes answer, capped at each list's last date by
    /// then (see `known_at.rs`): a binary search and a read of the later events' headers.
    /// Otherwise it costs a replay of those events. [`KnownAt::view`] then answers as
    /// [`Store::view`] does.
    ///
    /// With `list`, only that list's events are replayed (a list's indexes depend on its own
    /// events only): the view then answers for that list alone.
    pub fn known_at(
        &self,
        moment: DateTime<Utc>,
        list: Option<&ListId>,
    ) -> Result<KnownAt<'_>, StoreError> {
        if last_recorded(&self.kv)?.is_none_or(|last| last <= moment) {
            // Everything recorded counts: the stored indexes answer, with no replay.
            return Ok(KnownAt {
                source: KnownSource::Everything(self),
                events: self.event_count()?,
            });
        }
        let (source, events) = known_at::known_at_in(&self.kv, moment, list)?;
        Ok(KnownAt { source, events })
    }

    /// The events before the first for which `stop` holds, replayed into memory.
    fn replayed_prefix(
        &self,
        stop: impl Fn(&LogRecord) -> bool,
    ) -> Result<KnownAt<'_>, StoreError> {
        let (memory, events) = replay_prefix(&self.kv, stop, |_| true)?;
        Ok(KnownAt {
            source: KnownSource::Replayed(memory),
            events,
        })
    }

    /// A read view of everything recorded.
    pub fn view(&self) -> View<'_> {
        View {
            index: Index::new(&self.kv),
            cap: None,
        }
    }
}

fn next_seq(kv: &dyn Kv) -> Result<u64, StoreError> {
    Ok(kv
        .get(Tree::Meta, meta::NEXT_SEQ)?
        .and_then(|v| keys::read_seq(&v))
        .unwrap_or(1))
}

/// The events of `kv` before the first for which `stop` holds, copied into memory with their
/// content and replayed into fresh derived indexes, in seq order; returns them and how many
/// events were recorded by then. Events for which `wanted` is false are left out (a list's
/// indexes depend only on its own events).
fn replay_prefix(
    kv: &dyn Kv,
    stop: impl Fn(&LogRecord) -> bool,
    wanted: impl Fn(&LogRecord) -> bool,
) -> Result<(MemKv, u64), StoreError> {
    let memory = MemKv::default();
    let mut events = 0u64;
    for pair in kv.range(Tree::Events, &keys::seq(1), &keys::AFTER_THE_LOG) {
        let (key, value) = pair?;
        let record = LogRecord::from_bytes(&value).map_err(|e| {
            StoreError::Corrupt(format!("event {} does not read back: {e}", events + 1))
        })?;
        if stop(&record) {
            break;
        }
        events += 1;
        if !wanted(&record) {
            continue;
        }
        let mut writes = Writes::default();
        writes.put(Tree::Events, key, value);
        for frame in kv.range(
            Tree::Contents,
            &keys::seq(record.seq()),
            &keys::seq(record.seq() + 1),
        ) {
            let (frame_key, bytes) = frame?;
            writes.put(Tree::Contents, frame_key, bytes);
        }
        memory.commit(writes)?;
        index::replay(&memory, &record)?;
    }
    let mut counter = Writes::default();
    counter.put(Tree::Meta, meta::NEXT_SEQ, keys::seq(events + 1));
    memory.commit(counter)?;
    Ok((memory, events))
}

/// The last event's own recording time, to the nanosecond (read from the log: a copy kept
/// elsewhere would be derived state, and an earlier microsecond copy let an event recorded from
/// a clock set back appear earlier than the one before it).
fn last_recorded(kv: &dyn Kv) -> Result<Option<DateTime<Utc>>, StoreError> {
    let last = next_seq(kv)?.saturating_sub(1);
    let Some(bytes) = kv.get(Tree::Events, &keys::seq(last))? else {
        return Ok(None);
    };
    let record = LogRecord::from_bytes(&bytes)
        .map_err(|e| StoreError::Corrupt(format!("event {last} does not read back: {e}")))?;
    Ok(Some(record.recorded()))
}

/// Refuses a publication date the key layout cannot hold (before [`keys::FIRST_DATE`]).
fn check_date(list: &ListId, published: PublicationTime) -> Result<(), StoreError> {
    if published.date < keys::FIRST_DATE {
        return Err(StoreError::Invalid(format!(
            "{list} {published}: the store records publications dated {} or later",
            keys::FIRST_DATE
        )));
    }
    Ok(())
}

/// Refuses a correction of event `corrects` by a publication of `list` unless it is a
/// publication of that list in the log.
fn check_correction(index: &Index, list: &ListId, corrects: u64) -> Result<(), StoreError> {
    let events = next_seq(index.kv)? - 1;
    if corrects == 0 || corrects > events {
        return Err(StoreError::Invalid(format!(
            "there is no event {corrects} to correct (the log holds {events} events; see listdiff log)"
        )));
    }
    match index.log_record(corrects)? {
        LogRecord::Retraction(r) => Err(StoreError::Invalid(format!(
            "event {corrects} is a retraction (of event {}), not a publication: a retraction cannot be corrected",
            r.retracts
        ))),
        LogRecord::Publication(p) if &p.list != list => Err(StoreError::Invalid(format!(
            "event {corrects} is a publication of {}, not of {list}: a correction replaces a publication of its own list; to take back a publication recorded for the wrong list, retract it (listdiff retract {corrects} --reason TEXT)",
            p.list
        ))),
        LogRecord::Publication(_) => Ok(()),
    }
}

/// Records one publication into the trees of `kv` (see [`Store::record`]); with `corrects`,
/// as a correction of that event (see [`Store::record_correcting`]).
fn record_into(
    kv: &dyn Kv,
    publication: &Publication,
    provenance: &Provenance,
    now: DateTime<Utc>,
    corrects: Option<u64>,
) -> Result<RecordOutcome, StoreError> {
    record_carrying_into(kv, publication, provenance, now, corrects, &[])
}

/// Refuses `carried` unless it names entries a snapshot carries: each new id one of its
/// entries, no old id one of them.
fn check_carried(publication: &Publication, carried: &[Carried]) -> Result<(), StoreError> {
    if carried.is_empty() {
        return Ok(());
    }
    let PublicationContent::Snapshot(entries) = &publication.content else {
        return Err(StoreError::Invalid(format!(
            "{} {}: an amendment cannot carry entries to new ids",
            publication.list, publication.published
        )));
    };
    let ids: std::collections::HashSet<&EntryId> = entries.iter().map(|e| &e.id).collect();
    match carried
        .iter()
        .find(|c| !ids.contains(&c.new) || ids.contains(&c.old))
    {
        Some(c) => Err(StoreError::Invalid(format!(
            "{} {}: entry \"{}\" cannot be carried to \"{}\": the snapshot must hold the new id and not the old",
            publication.list,
            publication.published,
            crate::model::text::quote_bounded(c.old.as_str()),
            crate::model::text::quote_bounded(c.new.as_str())
        ))),
        None => Ok(()),
    }
}

/// [`record_into`], the event recording `carried` (see [`Store::record_carrying`]).
fn record_carrying_into(
    kv: &dyn Kv,
    publication: &Publication,
    provenance: &Provenance,
    now: DateTime<Utc>,
    corrects: Option<u64>,
    carried: &[Carried],
) -> Result<RecordOutcome, StoreError> {
    record_kept_into(kv, None, publication, provenance, (now, corrects), carried)
}

/// [`record_carrying_into`], the planning taking the list's entry records from `kept` when
/// they are the list's as the log stands (see `kept.rs`) instead of reading them again.
fn record_kept_into(
    kv: &dyn Kv,
    kept: Option<kept::KeptRecords>,
    publication: &Publication,
    provenance: &Provenance,
    (now, corrects): (DateTime<Utc>, Option<u64>),
    carried: &[Carried],
) -> Result<RecordOutcome, StoreError> {
    check_date(&publication.list, publication.published)?;
    check_carried(publication, carried)?;
    let index = Index::new(kv);
    if let Some(kept) = kept {
        index.keep(kept);
    }
    if let Some(seq) =
        index.recorded_as(&publication.list, publication.published, &provenance.sha256)?
    {
        return Ok(RecordOutcome::AlreadyRecorded { seq });
    }
    let supersedes = match corrects {
        Some(corrects) => {
            check_correction(&index, &publication.list, corrects)?;
            Some(corrects)
        }
        None => index
            .counting_with(&publication.identity())?
            .map(|(counting, _)| counting),
    };
    let seq = next_seq(kv)?;
    let body = match &publication.content {
        PublicationContent::Snapshot(entries) => Body::Snapshot(entries),
        PublicationContent::Amendment(a) => Body::Amendment {
            add: a
                .add
                .iter()
                .map(|e| Sealed::checked(&publication.list, e))
                .collect::<Result<_, _>>()?,
            amend: a
                .amend
                .iter()
                .map(|e| Sealed::checked(&publication.list, e))
                .collect::<Result<_, _>>()?,
            remove: std::borrow::Cow::Borrowed(&a.remove),
        },
    };
    let plan = index.plan(
        &NewEvent {
            seq,
            list: &publication.list,
            published: publication.published,
            sha256: &provenance.sha256,
            source: &publication.source,
            supersedes,
        },
        body,
    )?;
    write_event(
        kv,
        seq,
        (
            &publication.list,
            publication.published,
            publication.content.kind(),
            &publication.source,
        ),
        (provenance, carried),
        now,
        plan,
    )
}

/// See [`Store::snapshot_digest`].
fn start_digest(
    kv: &dyn Kv,
    list: &ListId,
    published: PublicationTime,
    sha256: &str,
) -> Result<Option<SnapshotDigest>, StoreError> {
    check_date(list, published)?;
    let index = Index::new(kv);
    let identity = Identity::of(list, published, PublicationKind::Snapshot, "");
    if index.recorded_as(list, published, sha256)?.is_some() || !index.would_append(&identity)? {
        return Ok(None);
    }
    Ok(Some(SnapshotDigest::new(list.clone(), published)))
}

/// See [`Store::record_digest`].
fn record_digest_into(
    kv: &dyn Kv,
    digest: SnapshotDigest,
    source: &str,
    provenance: &Provenance,
    now: DateTime<Utc>,
) -> Result<RecordOutcome, StoreError> {
    let index = Index::new(kv);
    let (list, published) = (digest.list.clone(), digest.published);
    let identity = Identity::of(&list, published, PublicationKind::Snapshot, source);
    if !index.would_append(&identity)? {
        return Err(StoreError::Invalid(format!(
            "{list} {published} is no longer the list's latest publication"
        )));
    }
    let seq = next_seq(kv)?;
    let plan = index.plan_digested_snapshot(
        &NewEvent {
            seq,
            list: &list,
            published,
            sha256: &provenance.sha256,
            source,
            supersedes: None,
        },
        digest,
    )?;
    write_event(
        kv,
        seq,
        (&list, published, PublicationKind::Snapshot, source),
        (provenance, &[]),
        now,
        plan,
    )
}

/// The recording time of an event recorded at `now`: never earlier than the last event's.
fn recording_time(kv: &dyn Kv, now: DateTime<Utc>) -> Result<DateTime<Utc>, StoreError> {
    Ok(match last_recorded(kv)? {
        Some(last) if last > now => last,
        _ => now,
    })
}

/// Writes a planned event: its content frames and index writes, then its header in the log
/// (with the entries it carried to new ids, if any).
fn write_event(
    kv: &dyn Kv,
    seq: u64,
    (list, published, kind, source): (&ListId, PublicationTime, PublicationKind, &str),
    (provenance, carried): (&Provenance, &[Carried]),
    now: DateTime<Utc>,
    plan: Plan,
) -> Result<RecordOutcome, StoreError> {
    let recorded = recording_time(kv, now)?;
    let record = EventRecord {
        v: EVENT_VERSION,
        seq,
        list: list.clone(),
        published,
        kind,
        source: source.to_string(),
        sha256: provenance.sha256.clone(),
        inputs: provenance.inputs.clone(),
        recorded,
        format: provenance.format.clone(),
        parser: provenance.parser.clone(),
        supersedes: plan.supersedes,
        effect: plan.effect,
        content: plan.content,
        carried: carried.to_vec(),
    };
    // What is written must read back: a block larger than its inputs can account for would be
    // refused as damaged when read (see `EventRecord::max_block_bytes`).
    if let Err(problem) = record.check_block_size(&plan.block) {
        return Err(StoreError::Invalid(format!(
            "{list} {published}: {problem}; nothing was recorded"
        )));
    }
    // The content frames go with the index writes (a crash before the header leaves them as
    // orphans, which recovery removes); the header makes the event part of the log.
    let mut index_writes = plan.writes;
    for (frame, bytes) in plan.block.frames.into_iter().enumerate() {
        let frame = event::frame_number(seq, frame)?;
        index_writes.put(Tree::Contents, keys::frame(seq, frame), bytes);
    }
    let mut log_writes = Writes::default();
    log_writes.put(Tree::Events, keys::seq(seq).to_vec(), record.to_bytes());
    log_writes.put(Tree::Meta, meta::NEXT_SEQ, keys::seq(seq + 1));
    commit_event(kv, list, index_writes, log_writes)?;

    Ok(RecordOutcome::Recorded {
        event: record.meta(),
        notes: plan.notes,
    })
}

/// What a retraction did: the retraction event, the event it took back, the earlier version of
/// that publication that counts again (if any), and the span of the fold whose answers changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Retraction {
    /// The retraction event.
    pub event: RetractionMeta,
    /// The event it retracts.
    pub retracted: EventMeta,
    /// The earlier version of the retracted publication that counts again in its place.
    pub counts_again: Option<u64>,
    /// The answers that changed: `None` when the retracted event did not count (a later
    /// correction counted in its place), else from this publication time on, up to (not
    /// including) the snapshot that ends the change, when there is one.
    pub changed: Option<ChangedSpan>,
}

/// The span of publication times whose answers a retraction changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangedSpan {
    /// The first publication time changed.
    pub from: PublicationTime,
    /// The snapshot after which answers are as before (its time and event), if any: it
    /// replaces the whole list.
    pub until: Option<(PublicationTime, u64)>,
}

/// See [`Store::retract`].
fn retract_into(
    kv: &dyn Kv,
    retracts: u64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Retraction, StoreError> {
    let index = Index::new(kv);
    let events = next_seq(kv)? - 1;
    if retracts == 0 || retracts > events {
        return Err(StoreError::Invalid(format!(
            "there is no event {retracts} to retract (the log holds {events} events; see listdiff log)"
        )));
    }
    let seq = events + 1;
    let plan = index.plan_retraction(seq, retracts)?;
    let until = match plan.window {
        Some((_, Some(stop))) => Some((stop.published(), index.timeline_seq(&plan.list, stop)?)),
        _ => None,
    };
    let changed = plan.window.map(|(from, _)| ChangedSpan {
        from: from.published(),
        until,
    });
    let record = RetractionRecord {
        v: EVENT_VERSION,
        seq,
        list: plan.list.clone(),
        kind: RetractionKind::Retraction,
        retracts,
        reason: reason.to_string(),
        recorded: recording_time(kv, now)?,
        effect: plan.effect,
    };
    let mut log_writes = Writes::default();
    log_writes.put(
        Tree::Events,
        keys::seq(seq).to_vec(),
        LogRecord::Retraction(record.clone()).to_bytes(),
    );
    log_writes.put(Tree::Meta, meta::NEXT_SEQ, keys::seq(seq + 1));
    commit_event(kv, &plan.list, plan.writes, log_writes)?;
    Ok(Retraction {
        event: record.meta(),
        retracted: plan.retracted.meta(),
        counts_again: plan.counts_again,
        changed,
    })
}

/// Index writes per transaction for large events. The database engine keeps every node version
/// a transaction touches until it ends, so a snapshot of tens of thousands of entries in one
/// transaction costs hundreds of megabytes; in parts it costs a few.
pub(crate) const WRITES_PER_TRANSACTION: usize = 1000;

/// Commits an event of `list`: its index writes, then (atomically) the log writes that make it
/// recorded. The index writes first drop the state checkpoints of `list` the event makes
/// stale, and a state checkpoint due after it is written after it (see `checkpoints.rs`).
///
/// Small events go in one transaction. A large one marks the indexes dirty, writes them in
/// parts, and appends the event to the log in one last transaction; a crash before that leaves
/// the mark, and the next open rebuilds the indexes from the log, in which the event does not
/// exist. Either way the event is whole or absent. The event's last transaction leaves the
/// indexes marked dirty until the state checkpoint due after it (if any) is written, in the
/// transaction that clears the mark: a crash between the two is repaired by the same rebuild,
/// which writes that checkpoint, rather than left for `verify` to find.
fn commit_event(
    kv: &dyn Kv,
    list: &ListId,
    mut index_writes: Writes,
    log_writes: Writes,
) -> Result<(), StoreError> {
    checkpoints::invalidate(kv, &mut index_writes)?;
    commit_event_writes(kv, index_writes, log_writes)?;
    let mut checkpoint = checkpoints::due_after_event(kv, list)?;
    checkpoint.delete(Tree::Meta, meta::INDEX_STATE);
    kv.commit(checkpoint)
}

/// See [`commit_event`]: the event's own writes.
fn commit_event_writes(
    kv: &dyn Kv,
    index_writes: Writes,
    log_writes: Writes,
) -> Result<(), StoreError> {
    if index_writes.len() + log_writes.len() <= WRITES_PER_TRANSACTION {
        let mut writes = index_writes;
        writes.extend(log_writes);
        writes.put(Tree::Meta, meta::INDEX_STATE, meta::DIRTY);
        return kv.commit(writes);
    }
    let mut dirty = Writes::default();
    dirty.put(Tree::Meta, meta::INDEX_STATE, meta::DIRTY);
    kv.commit(dirty)?;
    kv.write_dirty(index_writes)?;
    #[cfg(debug_assertions)]
    exit_before_log(kv)?;
    // The mark stays: `commit_event` clears it.
    kv.commit(log_writes)
}

/// Tests only (debug builds): with `LISTDIFF_TEST_EXIT_BEFORE_LOG` set, a large event's index
/// writes are made durable and the process exits (code 99) before the event reaches the log,
/// as a crash there would leave the store.
#[cfg(debug_assertions)]
fn exit_before_log(kv: &dyn Kv) -> Result<(), StoreError> {
    if std::env::var_os("LISTDIFF_TEST_EXIT_BEFORE_LOG").is_some() {
        kv.flush()?;
        std::process::exit(99);
    }
    Ok(())
}

/// Rebuilds the indexes (beside the store, see `rebuild.rs`) if an interrupted write left them
/// dirty.
fn recover(kv: &dyn Kv, store_dir: &Path) -> Result<(), StoreError> {
    if kv.get(Tree::Meta, meta::INDEX_STATE)?.is_some() {
        rebuild::rebuild_beside(kv, store_dir, Writes::default())?;
    }
    Ok(())
}

/// How many lower-case hexadecimal digits a store id has.
const STORE_ID_DIGITS: usize = 16;

/// True when `id` is a store id as [`new_store_id`] makes them (and every listdiff has made):
/// 16 lower-case hexadecimal digits.
fn is_store_id(id: &str) -> bool {
    id.len() == STORE_ID_DIGITS && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A new random store id: the first [`STORE_ID_DIGITS`] hex digits of a hash of the time, the
/// process and the path.
fn new_store_id(path: &Path) -> String {
    let seed = format!(
        "{:?} {} {} {:p}",
        std::time::SystemTime::now(),
        std::process::id(),
        path.display(),
        &path
    );
    sha256_hex(seed.as_bytes())[..STORE_ID_DIGITS].to_string()
}

/// A place in a list's fold: where one publication is folded, in fold order. Opaque: it is
/// what [`View::timeline`] gives and [`View::changes_of`], [`View::entry_before`] and
/// [`View::entry_after`] take.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FoldPoint(Point);

/// One publication that counts on a list's timeline: its place in the fold and the event
/// folded there (the version of the publication that counts: not corrected, not retracted).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimelineEvent {
    /// Its publication time.
    pub published: PublicationTime,
    /// The event that counts there.
    pub seq: u64,
    /// Snapshot or amendment.
    pub kind: PublicationKind,
    /// Its place in the fold.
    pub at: FoldPoint,
}

/// The store as it stood at a moment of the recording clock (see [`Store::known_at`]).
pub struct KnownAt<'a> {
    source: KnownSource<'a>,
    events: u64,
}

/// Where a [`KnownAt`] view reads: the store itself when every event counts; its indexes
/// capped when the lists in the view only grew since; else the events recorded by then,
/// replayed in memory.
enum KnownSource<'a> {
    Everything(&'a Store),
    Capped(known_at::Cap<'a>),
    Replayed(MemKv),
}

impl KnownAt<'_> {
    /// How many events had been recorded by then.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// A read view of what had been recorded by then.
    pub fn view(&self) -> View<'_> {
        match &self.source {
            KnownSource::Everything(store) => store.view(),
            KnownSource::Capped(cap) => View {
                index: Index::new(cap.kv()),
                cap: Some(cap),
            },
            KnownSource::Replayed(memory) => View {
                index: Index::new(memory),
                cap: None,
            },
        }
    }
}

/// One version of an entry as the indexes hold it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredVersion {
    /// The date of the publication that made it.
    pub published: NaiveDate,
    /// The event that recorded that publication (the version of it that counts).
    pub seq: u64,
    /// The entry as it left it; `None` when it removed the entry.
    pub entry: Option<Entry>,
}

/// Read access to the recorded history, through the derived indexes.
pub struct View<'a> {
    index: Index<'a>,
    /// With `--known-at`, when the store's indexes answer for the log's prefix: how far each
    /// list is seen.
    cap: Option<&'a known_at::Cap<'a>>,
}

impl View<'_> {
    /// How much of `list`'s entry records this view sees.
    fn records_seen(&self, list: &ListId) -> known_at::RecordsSeen {
        match self.cap {
            None => known_at::RecordsSeen::all(),
            Some(cap) => cap.records_seen(list),
        }
    }

    /// How much of `list`'s fold this view sees.
    fn seen(&self, list: &ListId) -> known_at::Seen {
        match self.cap {
            None => known_at::Seen::All,
            Some(cap) => cap.seen(list),
        }
    }

    /// Every list with recorded events, in id order.
    pub fn lists(&self) -> Result<Vec<ListId>, StoreError> {
        match self.cap {
            None => self.index.lists(),
            Some(cap) => Ok(cap.lists()),
        }
    }

    /// The publications of `list` that count, dated `from..=to`, in fold order: each with its
    /// place and the event that counts there (a corrected event is not given, its correction
    /// is, in its place; a retracted one is not given). This is the timeline every answer
    /// stands on.
    pub fn timeline(
        &self,
        list: &ListId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<TimelineEvent>, StoreError> {
        let Some(through) = self.seen(list).date(to) else {
            return Ok(Vec::new());
        };
        if through < to && from > through {
            return Ok(Vec::new());
        }
        Ok(self
            .index
            .timeline(list, from, through)?
            .into_iter()
            .map(|i| TimelineEvent {
                published: i.point.published(),
                seq: i.seq,
                kind: i.kind,
                at: FoldPoint(i.point),
            })
            .collect())
    }

    /// The latest publication date of `list` among those that count.
    pub fn last_date(&self, list: &ListId) -> Result<Option<NaiveDate>, StoreError> {
        Ok(self.last_published(list)?.map(|p| p.date))
    }

    /// The latest publication time of `list` among those that count.
    pub fn last_published(&self, list: &ListId) -> Result<Option<PublicationTime>, StoreError> {
        let last = match self.seen(list) {
            known_at::Seen::All => self.index.last_place(list)?,
            known_at::Seen::Nothing => None,
            known_at::Seen::Through(date) => self
                .index
                .places_before(list, Point::end_of(date))
                .next_back()
                .transpose()?,
        };
        Ok(last.map(|i| i.point.published()))
    }

    /// The entries the event at place `at` of `list` changed, by id.
    pub fn changes_of(
        &self,
        list: &ListId,
        at: FoldPoint,
    ) -> Result<Vec<(EntryId, ChangeKind)>, StoreError> {
        match self.seen(list).bound(at.0) {
            Some(bound) if bound == at.0 => self.index.changes_of(list, at.0),
            _ => Ok(Vec::new()),
        }
    }

    /// The ids changed by publications dated after `after` and up to `through` (either order).
    pub fn changed_between(
        &self,
        list: &ListId,
        after: NaiveDate,
        through: NaiveDate,
    ) -> Result<BTreeSet<EntryId>, StoreError> {
        let seen = self.seen(list);
        match (seen.date(after), seen.date(through)) {
            (Some(after), Some(through)) => self.index.changed_between(list, after, through),
            _ => Ok(BTreeSet::new()),
        }
    }

    fn stored(&self, version: &records::Version) -> Result<StoredVersion, StoreError> {
        Ok(StoredVersion {
            published: version.at.date,
            seq: version.by,
            entry: version
                .slot
                .map(|slot| self.index.entry(slot.at))
                .transpose()?,
        })
    }

    /// The version of an entry in force strictly before `bound`.
    fn version_before(
        &self,
        list: &ListId,
        id: &EntryId,
        bound: Point,
    ) -> Result<Option<StoredVersion>, StoreError> {
        let Some(bound) = self.seen(list).bound(bound) else {
            return Ok(None);
        };
        match self.index.record(list, id)? {
            Some(record) => record.before(bound).map(|v| self.stored(v)).transpose(),
            None => Ok(None),
        }
    }

    /// The entry in force at the end of `date`.
    pub fn entry_as_of(
        &self,
        list: &ListId,
        id: &EntryId,
        date: NaiveDate,
    ) -> Result<Option<Entry>, StoreError> {
        Ok(self.version_as_of(list, id, date)?.and_then(|v| v.entry))
    }

    /// The version of an entry in force at the end of `date`: the entry (or its removal) and the
    /// publication that made it.
    pub fn version_as_of(
        &self,
        list: &ListId,
        id: &EntryId,
        date: NaiveDate,
    ) -> Result<Option<StoredVersion>, StoreError> {
        self.version_before(list, id, Point::end_of(date))
    }

    /// The entry in force just before place `at`.
    pub fn entry_before(
        &self,
        list: &ListId,
        id: &EntryId,
        at: FoldPoint,
    ) -> Result<Option<Entry>, StoreError> {
        Ok(self.version_before(list, id, at.0)?.and_then(|v| v.entry))
    }

    /// The entry as the event at place `at` left it.
    pub fn entry_after(
        &self,
        list: &ListId,
        id: &EntryId,
        at: FoldPoint,
    ) -> Result<Option<Entry>, StoreError> {
        Ok(self
            .version_before(list, id, at.0.just_after())?
            .and_then(|v| v.entry))
    }

    /// Every version of an entry, in fold order.
    pub fn versions(&self, list: &ListId, id: &EntryId) -> Result<Vec<StoredVersion>, StoreError> {
        let seen = self.seen(list);
        match self.index.record(list, id)? {
            Some(record) => record
                .versions
                .iter()
                .filter(|v| seen.bound(v.at) == Some(v.at))
                .map(|v| self.stored(v))
                .collect(),
            None => Ok(Vec::new()),
        }
    }

    /// Every entry id `list` has had, with every name it has had.
    pub fn entries(&self, list: &ListId) -> Result<Vec<(EntryId, Vec<String>)>, StoreError> {
        self.matching_entries(list, |_, _| true)
    }

    /// The entries of `list` for which `wanted(id, names)` holds, with every name they have had;
    /// a scan that decodes only names.
    pub fn matching_entries(
        &self,
        list: &ListId,
        mut wanted: impl FnMut(&str, &[String]) -> bool,
    ) -> Result<Vec<(EntryId, Vec<String>)>, StoreError> {
        self.index
            .matching_names(list, self.records_seen(list), |id, names| wanted(id, names))
    }

    /// Whether entry `id` of `list` is in force at the end of `date`: one lookup, reading no
    /// entry.
    pub fn in_force(
        &self,
        list: &ListId,
        id: &EntryId,
        date: NaiveDate,
    ) -> Result<bool, StoreError> {
        let Some(date) = self.seen(list).date(date) else {
            return Ok(false);
        };
        Ok(self
            .index
            .record(list, id)?
            .is_some_and(|record| record.slot_before(Point::end_of(date)).is_some()))
    }

    /// The ids of the entries of `list` in force at the end of `date`, in id order.
    pub fn ids_as_of(&self, list: &ListId, date: NaiveDate) -> Result<Vec<EntryId>, StoreError> {
        match self.seen(list).date(date) {
            Some(date) => self.index.ids_before(list, Point::end_of(date)),
            None => Ok(Vec::new()),
        }
    }

    /// Every entry of `list` in force at the end of `date`, in id order (the text order of
    /// the ids). Read as [`View::each_as_of_by_id`] reads, from a state checkpoint when there
    /// is one (see `checkpoints.rs`).
    pub fn state_as_of(&self, list: &ListId, date: NaiveDate) -> Result<Vec<Entry>, StoreError> {
        let mut entries = Vec::new();
        self.each_as_of_by_id(list, date, |json| -> Result<(), StoreError> {
            let entry = serde_json::from_slice::<Entry>(json).map_err(|e| {
                StoreError::Corrupt(format!("a stored entry does not read back: {e}"))
            })?;
            entries.push(entry);
            Ok(())
        })?;
        entries.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(entries)
    }

    /// Calls `f` with the canonical JSON of every entry of `list` in force at the end of `date`,
    /// in id order, without parsing it.
    pub fn each_as_of<E: From<StoreError>>(
        &self,
        list: &ListId,
        date: NaiveDate,
        mut f: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let Some(date) = self.seen(list).date(date) else {
            return Ok(());
        };
        self.index
            .each_slot_before(list, Point::end_of(date), |slot| -> Result<(), E> {
                self.index.with_json(slot.at, &mut f)?
            })
    }

    /// The metadata of event `seq`.
    pub fn event(&self, seq: u64) -> Result<EventMeta, StoreError> {
        Ok(self.publication(seq)?.meta())
    }

    /// The header of publication event `seq`, when this view holds it.
    fn publication(&self, seq: u64) -> Result<event::EventRecord, StoreError> {
        if let Some(cap) = self.cap {
            cap.held(&self.index, seq)?;
        }
        self.index.event(seq)
    }

    /// The entries publication event `seq` carried from old ids to new ids when it changed its
    /// list's key scheme (its header's `carried`, in old-id order; empty for most events).
    pub fn carried(&self, seq: u64) -> Result<Vec<Carried>, StoreError> {
        Ok(self.publication(seq)?.carried)
    }

    /// The provenance publication event `seq` recorded: its format and the digests of its
    /// input files.
    pub fn inputs_of(&self, seq: u64) -> Result<EventInputs, StoreError> {
        Ok(EventInputs::of(self.publication(seq)?))
    }

    /// The publication of `identity`'s list that counts just before a publication with
    /// `identity` in fold order: the last one dated at or before its time, but not of that
    /// identity (a correction takes the place of the version it corrects, and follows what
    /// came before it) nor the event `corrects` (which `--corrects` replaces). A backfill thus
    /// gets the publication before its place, not the list's latest.
    pub fn counting_before(
        &self,
        identity: &Identity,
        corrects: Option<u64>,
    ) -> Result<Option<TimelineEvent>, StoreError> {
        let Some(bound) = self
            .seen(&identity.list)
            .bound(Point::end_of_time(identity.published))
        else {
            return Ok(None);
        };
        for item in self.index.places_before(&identity.list, bound).rev() {
            let item = item?;
            let published = item.point.published();
            if Some(item.seq) == corrects {
                continue;
            }
            if published == identity.published && item.kind == identity.kind {
                let source = self.index.event(item.seq)?.source;
                if Identity::of(&identity.list, published, item.kind, &source) == *identity {
                    continue;
                }
            }
            return Ok(Some(TimelineEvent {
                published,
                seq: item.seq,
                kind: item.kind,
                at: FoldPoint(item.point),
            }));
        }
        Ok(None)
    }

    /// Every event, in recording order, each publication with whether it counts now.
    pub fn events(&self) -> Result<Vec<LogEvent>, StoreError> {
        let mut records: Vec<LogRecord> = self.index.events().collect::<Result<_, _>>()?;
        if let Some(cap) = self.cap {
            records.retain(|record| cap.holds(record));
        }
        let mut retracted: std::collections::HashMap<u64, (u64, String)> =
            std::collections::HashMap::new();
        for record in &records {
            if let LogRecord::Retraction(r) = record {
                retracted.insert(r.retracts, (r.seq, r.reason.clone()));
            }
        }
        let mut events = Vec::with_capacity(records.len());
        for record in records {
            events.push(match record {
                LogRecord::Retraction(r) => LogEvent::Retraction(r.meta()),
                LogRecord::Publication(p) => {
                    let standing = match retracted.remove(&p.seq) {
                        Some((by, reason)) => Standing::Retracted { by, reason },
                        None => {
                            let first = self.index.first_of(p.seq)?;
                            match self.index.group(&p.list, first)?.counting() {
                                Some(counting) if counting != p.seq => {
                                    Standing::CorrectedBy(counting)
                                }
                                _ => Standing::Counts,
                            }
                        }
                    };
                    LogEvent::Publication {
                        event: p.meta(),
                        standing,
                    }
                }
            });
        }
        Ok(events)
    }
}

/// What an effect adds up to, for summaries.
pub fn total_effect<'a>(effects: impl IntoIterator<Item = &'a Effect>) -> Effect {
    effects
        .into_iter()
        .fold(Effect::default(), |acc, e| Effect {
            added: acc.added + e.added,
            removed: acc.removed + e.removed,
            changed: acc.changed + e.changed,
        })
}

#[cfg(test)]
mod tests;
