//! Rebuilding the derived indexes beside the store, so that a rebuild never leaves a store worse
//! than it found it.
//!
//! The indexes are rebuilt into a scratch database in a new directory beside `db/`
//! (`db.rebuild-<pid>-<nanos>/`), reading the log from the store and writing only the scratch
//! database; replaying every event checks that it folds as it was recorded. Only when the whole
//! log has replayed are the store's derived trees replaced by the rebuilt ones, under the
//! "dirty" mark (see `commit_event`): a crash while they are copied leaves the mark, and the
//! next open rebuilds again, which is known to succeed. A rebuild that fails has written nothing
//! to the store: its files are as they were, and the scratch directory is removed.
//!
//! A scratch directory is only ever used under the store's lock, so one found when the store is
//! opened was left by a process that died: it is removed then.

use std::path::{Path, PathBuf};

use super::keys::{self, meta};
use super::kv::{self, DiskKv, Kv, RangeIter, Tree, Writes};
use super::{Disk, StoreError, WRITES_PER_TRANSACTION, index};

/// The name of a scratch database directory starts with this.
const SCRATCH_PREFIX: &str = "db.rebuild-";

/// Trees read from one database and written to another: the log (`events`, `contents`, `meta`)
/// is read from the store, the derived trees are read and written in the scratch database.
struct Beside<'a> {
    log: &'a dyn Kv,
    derived: &'a dyn Kv,
}

impl Beside<'_> {
    fn holder(&self, tree: Tree) -> &dyn Kv {
        if Tree::DERIVED.contains(&tree) {
            self.derived
        } else {
            self.log
        }
    }
}

impl Kv for Beside<'_> {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.holder(tree).get(tree, key)
    }

    fn range(&self, tree: Tree, lo: &[u8], hi: &[u8]) -> RangeIter<'_> {
        self.holder(tree).range(tree, lo, hi)
    }

    fn commit(&self, writes: Writes) -> Result<(), StoreError> {
        if !writes.only_to(&Tree::DERIVED) {
            return Err(StoreError::Corrupt(
                "a rebuild tried to write the log, which it only reads".into(),
            ));
        }
        self.derived.commit(writes)
    }

    fn clear(&self, tree: Tree) -> Result<(), StoreError> {
        if !Tree::DERIVED.contains(&tree) {
            return Err(StoreError::Corrupt(
                "a rebuild tried to clear the log, which it only reads".into(),
            ));
        }
        self.derived.clear(tree)
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.derived.flush()
    }
}

/// A scratch database and its directory, removed when dropped.
struct Scratch {
    kv: Option<Disk>,
    dir: PathBuf,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // The database first: it holds files in the directory.
        drop(self.kv.take());
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Rebuilds the derived indexes of the store at `store_dir` (whose database is `live`) beside it,
/// then replaces the store's derived trees with them, removes content frames of events the log
/// does not hold, and commits `done` with the write that ends the rebuild. Returns how many
/// events were replayed. On failure nothing was written to `live` (see the module
/// documentation).
pub(crate) fn rebuild_beside(
    live: &dyn Kv,
    store_dir: &Path,
    done: Writes,
) -> Result<u64, StoreError> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir = store_dir.join(format!("{SCRATCH_PREFIX}{}-{nanos}", std::process::id()));
    let mut scratch = Scratch {
        kv: None,
        dir: dir.clone(),
    };
    let scratch_kv = scratch.kv.insert(Disk::open(&dir, store_dir)?);
    let events = index::replay_log(&Beside {
        log: live,
        derived: scratch_kv,
    })
    .map_err(|error| match error {
        StoreError::Corrupt(reason) | StoreError::Invalid(reason) => {
            StoreError::Unrebuildable { reason }
        }
        other => other,
    })?;
    copy_back(live, scratch_kv, events, done)?;
    drop(scratch);
    Ok(events)
}

/// Replaces the derived trees of `live` with those of `built`, under the dirty mark, and ends
/// with one commit clearing the mark together with `done`.
fn copy_back(live: &dyn Kv, built: &dyn Kv, events: u64, done: Writes) -> Result<(), StoreError> {
    const FLUSH_EVERY_PARTS: usize = 8;
    let mut dirty = Writes::default();
    dirty.put(Tree::Meta, meta::INDEX_STATE, meta::DIRTY);
    live.commit(dirty)?;
    for tree in Tree::DERIVED {
        live.clear(tree)?;
    }
    let mut part = Writes::default();
    let mut parts = 0usize;
    for tree in Tree::DERIVED {
        for pair in built.range(tree, &[], &keys::AFTER_EVERY_LIST) {
            let (key, value) = pair?;
            part.put(tree, key, value);
            if part.len() == WRITES_PER_TRANSACTION {
                live.commit(std::mem::take(&mut part))?;
                parts += 1;
                if parts.is_multiple_of(FLUSH_EVERY_PARTS) {
                    live.flush()?;
                }
            }
        }
    }
    live.commit(part)?;
    kv::commit_in_parts(
        live,
        index::orphan_frames(live, events)?,
        WRITES_PER_TRANSACTION,
    )?;
    let mut last = done;
    last.delete(Tree::Meta, meta::INDEX_STATE);
    live.commit(last)
}

/// Removes scratch databases left in `store_dir` by a rebuild that died (the caller holds the
/// store's lock, so no live rebuild uses them).
pub(crate) fn remove_stale_scratch(store_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(store_dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(SCRATCH_PREFIX)
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
