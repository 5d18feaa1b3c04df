//! Directories a process builds in and removes when done, and removes of others' when those were
//! killed: an import's store being built (`.NAME.importing-PID-N` beside the target) and the
//! private copy a read-only store is read from (`listdiff-read-only-PID-N` in the temporary
//! directory).
//!
//! Such a directory is named with its process's id and locked (an advisory lock on the
//! directory itself) for as long as the process uses it. One is stale, and removed, only when
//! both say so: the process named does not run (as `/proc` tells; the check is skipped where
//! there is no `/proc`) and no process holds its lock (a process in another pid namespace
//! still holds it).

use std::fs::File;
use std::path::{Path, PathBuf};

use super::StoreError;

/// A directory this process works in: created with its process id in its name and locked
/// until it is dropped, when it is removed unless it was kept.
pub(crate) struct WorkDir {
    path: PathBuf,
    /// The lock on the directory.
    lock: Option<File>,
    /// True once the directory was moved into place (an import's store).
    kept: bool,
}

impl WorkDir {
    /// Creates `parent/PREFIX<pid>-<n>` and locks it, after removing stale directories of the
    /// same prefix in `parent`.
    pub(crate) fn create(parent: &Path, prefix: &str) -> Result<WorkDir, StoreError> {
        remove_stale(parent, prefix);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = parent.join(format!("{prefix}{}-{nanos}", std::process::id()));
        std::fs::create_dir(&path).map_err(|source| StoreError::Io {
            path: path.clone(),
            source,
        })?;
        // Where a directory cannot be opened or locked (not every system allows it), its
        // process id alone tells that it is in use.
        let lock = File::open(&path)
            .ok()
            .filter(|handle| handle.try_lock().is_ok());
        Ok(WorkDir {
            path,
            lock,
            kept: false,
        })
    }

    /// The directory.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Keeps the directory (it was renamed into place): it is only unlocked when dropped.
    pub(crate) fn keep(&mut self) {
        self.kept = true;
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_dir_all(&self.path);
        }
        drop(self.lock.take());
    }
}

/// Removes the directories in `parent` whose name is `prefix` followed by a process id (and
/// `-` and anything) that are stale (see the module documentation). Errors are ignored: what
/// cannot be removed now is tried again next time.
pub(crate) fn remove_stale(parent: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Some(rest) = name.strip_prefix(prefix) else {
            continue;
        };
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        if pid.is_none_or(process_runs) {
            continue;
        }
        let path = entry.path();
        let Ok(handle) = File::open(&path) else {
            continue;
        };
        if handle.try_lock().is_ok() {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// True when process `pid` may be running: this process, or one `/proc` lists.
fn process_runs(pid: u32) -> bool {
    pid == std::process::id() || Path::new("/proc").join(pid.to_string()).exists()
}
