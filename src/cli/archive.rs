//! Input-archive failures as command errors (for `ingest` and `reparse`).

use super::CliError;
use crate::store::{ArchiveError, StoreError};

/// An archive failure as a command error: a file-system error is a store error (exit 3), a
/// file that changed while read is bad input (exit 2), a damaged archive file fails
/// verification (exit 4).
pub(crate) fn archive_error(e: ArchiveError) -> CliError {
    match e {
        ArchiveError::Io { path, source } => CliError::Store(StoreError::Io { path, source }),
        changed @ ArchiveError::Changed { .. } => CliError::Input(changed.to_string()),
        damaged @ ArchiveError::Damaged { .. } => CliError::Verification(damaged.to_string()),
    }
}
