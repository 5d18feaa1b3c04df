//! Reading a store that cannot be written: a backup on a read-only file system, or a store of
//! another user that this one may only read.
//!
//! The database engine cannot open a database read-only (it opens its files for writing, locks
//! them and may write a snapshot of its state when it opens), so the store's `db/` is copied into
//! a private directory (`listdiff-read-only-PID-N` in the system's temporary directory, 0700)
//! and the copy is opened instead, then removed when the command ends. The copy is taken while
//! holding the store's lock, when its lock file exists, so no writer elsewhere changes the store
//! meanwhile; the lock is let go as soon as the copy is made. What a command would repair in the
//! store (indexes left dirty by a crash, an older layout) is repaired in the copy only. The cost
//! is a copy of the database per command: about as long as reading it once.

use std::path::{Path, PathBuf};

use super::StoreError;
use super::leftovers::WorkDir;

/// The start of the name of the directory a copy is made in.
const COPY_PREFIX: &str = "listdiff-read-only-";

/// A private copy of a read-only store's database, removed when dropped.
pub(crate) struct ReadOnlyCopy {
    dir: WorkDir,
}

impl ReadOnlyCopy {
    /// Copies the database of the store in `store` into a new private directory (removing
    /// copies left by commands that were killed).
    pub(crate) fn of(store: &Path) -> Result<ReadOnlyCopy, StoreError> {
        let dir = WorkDir::create(&std::env::temp_dir(), COPY_PREFIX)?;
        copy_tree(&store.join("db"), &dir.path().join("db"))?;
        Ok(ReadOnlyCopy { dir })
    }

    /// The directory the copy is in (where a rebuild of its indexes builds beside it).
    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The copied database.
    pub(crate) fn database(&self) -> PathBuf {
        self.dir.path().join("db")
    }
}

/// Copies the directory `from` into a new directory `to`, files and subdirectories.
fn copy_tree(from: &Path, to: &Path) -> Result<(), StoreError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StoreError::Io { path, source }
    };
    std::fs::create_dir(to).map_err(io(to))?;
    for entry in std::fs::read_dir(from).map_err(io(from))? {
        let entry = entry.map_err(io(from))?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().map_err(io(&source))?;
        if kind.is_dir() {
            copy_tree(&source, &target)?;
        } else if kind.is_file() {
            std::fs::copy(&source, &target).map_err(io(&source))?;
        }
    }
    Ok(())
}
