//! The store's lock, and waiting for it.
//!
//! A process uses a store alone: it holds an advisory lock (`flock`) on the store's `lock` file
//! from opening the store until it closes it (the database engine also locks its own files).
//! A process that finds the store in use waits for it — blocked on the lock, so it is woken as
//! soon as the store is free — up to a given time, and then fails; with no time to wait, it
//! fails at once. A store on a read-only file system (or one this user may not write) is opened
//! for reading: its lock file is locked through a read-only handle when it exists, so a copy is
//! taken while no writer elsewhere changes the store.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{Disk, DiskKv, StoreError};

/// After how long a waiting process is told so, when it has to wait longer.
const TELL_AFTER: Duration = Duration::from_secs(1);

/// How long to wait between attempts to open the database while its last user lets go of it.
const DATABASE_RETRY: Duration = Duration::from_millis(10);

/// The store's lock file as this process could open it.
pub(crate) enum LockFile {
    /// Opened (created if need be) for writing: the store is writable.
    Writable(File),
    /// The store cannot be written (a read-only file system, or no permission): the lock file
    /// opened for reading, when there is one.
    ReadOnly(Option<File>),
}

/// True when `error` says a file cannot be written because the file system is read-only or this
/// user may not write it.
pub(crate) fn is_read_only(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ReadOnlyFilesystem | io::ErrorKind::PermissionDenied
    )
}

/// Opens the lock file of the store in `dir`.
pub(crate) fn open(dir: &Path) -> Result<LockFile, StoreError> {
    let path = dir.join("lock");
    let io_error = |source| StoreError::Io {
        path: path.clone(),
        source,
    };
    match OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
    {
        Ok(file) => Ok(LockFile::Writable(file)),
        Err(e) if is_read_only(&e) => match File::open(&path) {
            Ok(file) => Ok(LockFile::ReadOnly(Some(file))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(LockFile::ReadOnly(None)),
            Err(e) => Err(io_error(e)),
        },
        Err(e) => Err(io_error(e)),
    }
}

/// The error for a store still in use after waiting `wait` (none: at once).
fn in_use(store: &Path, wait: Duration) -> StoreError {
    if wait.is_zero() {
        StoreError::InUse {
            path: store.to_path_buf(),
        }
    } else {
        StoreError::InUseAfterWait {
            path: store.to_path_buf(),
            seconds: wait.as_secs_f64(),
        }
    }
}

/// Locks `file` (the lock file of the store `store`), waiting up to `wait` while another process
/// holds it (none: failing at once); `on_wait` is called once when it has been held for about a
/// second and there is longer to wait.
pub(crate) fn acquire(
    file: &File,
    store: &Path,
    wait: Duration,
    on_wait: &mut dyn FnMut(),
) -> Result<(), StoreError> {
    let io_error = |source| StoreError::Io {
        path: store.join("lock"),
        source,
    };
    match file.try_lock() {
        Ok(()) => return Ok(()),
        Err(std::fs::TryLockError::WouldBlock) if wait.is_zero() => {
            return Err(in_use(store, wait));
        }
        Err(std::fs::TryLockError::WouldBlock) => {}
        Err(std::fs::TryLockError::Error(e)) => return Err(io_error(e)),
    }
    // Block on a second handle of the same open file on another thread, so that waiting can
    // end: the lock belongs to the open file, so when that thread gets it, `file` holds it. If
    // the wait ends first, the thread takes the lock when it can and lets go of it at once.
    let handle = file.try_clone().map_err(io_error)?;
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(handle.lock());
    });
    let started = Instant::now();
    let mut told = false;
    loop {
        let left = wait.saturating_sub(started.elapsed());
        let until_told = if told {
            left
        } else {
            left.min(TELL_AFTER.saturating_sub(started.elapsed()))
        };
        match receiver.recv_timeout(until_told) {
            Ok(locked) => return locked.map_err(io_error),
            Err(mpsc::RecvTimeoutError::Timeout) if !told && left > until_told => {
                told = true;
                on_wait();
            }
            Err(_) => return Err(in_use(store, wait)),
        }
    }
}

/// Opens the database in `dir` of the store `store`, trying again until `deadline` while the
/// process that used the store before lets go of the database's own lock.
pub(crate) fn open_database(
    dir: &Path,
    store: &Path,
    deadline: Instant,
    wait: Duration,
) -> Result<Disk, StoreError> {
    loop {
        match Disk::open(dir, store) {
            Err(StoreError::InUse { .. }) if Instant::now() < deadline => {
                std::thread::sleep(DATABASE_RETRY);
            }
            Err(StoreError::InUse { .. }) => return Err(in_use(store, wait)),
            other => return other,
        }
    }
}
