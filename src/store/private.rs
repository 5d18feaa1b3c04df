//! Store files are private to their owner.
//!
//! A store holds who was on which list when, and with `--archive` the files it was read from:
//! nobody but its owner should read it. While a store is used, the process's file mode creation
//! mask is `077`, so every file and directory created for it — by listdiff, or by the database
//! engine, which creates its own files when it likes (snapshots at a flush, say) — is 0600 or
//! 0700. The modes of files that exist already are left alone: an existing store is never
//! changed behind its owner's back.

/// Makes every file and directory this process creates from now on private to its owner (umask
/// 077). The umask belongs to the process, so a file the command writes afterwards (an export
/// of the store, a checkpoint) is private too.
pub(crate) fn create_private() {
    #[cfg(unix)]
    {
        use rustix::fs::Mode;
        rustix::process::umask(Mode::RWXG | Mode::RWXO);
    }
}
