//! The store on disk in sled 0.34: the only file that names sled.
//!
//! A store's database is one sled database in `db/` with one sled tree per [`Tree`], named by
//! [`Tree::name`]. [`SledKv`] implements the [`Kv`] contract (see `kv.rs`) as follows:
//! - `commit` applies every write of a [`Writes`] in one sled transaction over all the trees,
//!   which sled makes atomic and, once flushed, durable; sled recovers after a crash to a prefix
//!   of its committed transactions, which gives the ordering the store relies on;
//! - `flush` is sled's `Db::flush`: every transaction committed before it is on disk when it
//!   returns. The database is opened with no background flusher (`flush_every_ms(None)`), so
//!   nothing is written behind the store's back and nothing is left running at exit;
//! - sled locks its own directory: a second process opening it gets an I/O error of kind
//!   `WouldBlock`, mapped to [`StoreError::InUse`] (the store's own `lock` file normally
//!   answers first);
//! - sled keeps every node version a transaction touches until it ends, which is why the store
//!   writes large events in parts of at most `WRITES_PER_TRANSACTION` writes; the index writes
//!   of a large event, which the store marks dirty around (see `commit_event`), go in plain
//!   batches, one tree at a time, with no transaction (`write_dirty`);
//! - sled's own teardown walks every page of the database (bookkeeping for its tests) and frees
//!   its cache piece by piece, which costs a command tens of milliseconds on a large store: the
//!   store flushes and lets the process's exit release the database instead (`Store::close`).

use std::path::Path;

use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use super::StoreError;
use super::kv::{DiskKv, Kv, Pair, RangeIter, Tree, WriteOp, Writes};

/// sled's page cache for one open store.
const CACHE_BYTES: u64 = 16 * 1024 * 1024;

/// A store's trees in a sled database on disk.
pub(crate) struct SledKv {
    /// The database, for flushing.
    db: sled::Db,
    /// One sled tree per [`Tree`], in the order of [`Tree::ALL`].
    trees: Vec<sled::Tree>,
}

impl SledKv {
    /// The sled tree holding `tree`.
    fn tree(&self, tree: Tree) -> &sled::Tree {
        &self.trees[tree as usize]
    }
}

/// A sled error as a store error.
fn backend(error: sled::Error) -> StoreError {
    StoreError::Backend(Box::new(error))
}

/// True when opening the database failed because another process holds it.
fn is_in_use(error: &sled::Error) -> bool {
    match error {
        sled::Error::Io(io) => {
            io.kind() == std::io::ErrorKind::WouldBlock || io.to_string().contains("WouldBlock")
        }
        _ => false,
    }
}

impl DiskKv for SledKv {
    fn open(dir: &Path, store: &Path) -> Result<SledKv, StoreError> {
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(CACHE_BYTES)
            // listdiff flushes before it reports success; no background flusher to stop at exit.
            .flush_every_ms(None)
            .open()
            .map_err(|e| {
                if is_in_use(&e) {
                    StoreError::InUse { path: store.into() }
                } else {
                    backend(e)
                }
            })?;
        let trees = Tree::ALL
            .iter()
            .map(|t| db.open_tree(t.name()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(backend)?;
        Ok(SledKv { db, trees })
    }
}

impl Kv for SledKv {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.tree(tree)
            .get(key)
            .map(|value| value.map(|v| v.to_vec()))
            .map_err(backend)
    }

    fn range(&self, tree: Tree, lo: &[u8], hi: &[u8]) -> RangeIter<'_> {
        if lo >= hi {
            return Box::new(std::iter::empty());
        }
        Box::new(self.tree(tree).range(lo.to_vec()..hi.to_vec()).map(
            |pair| -> Result<Pair, StoreError> {
                let (key, value) = pair.map_err(backend)?;
                Ok((key.to_vec(), value.to_vec()))
            },
        ))
    }

    fn commit(&self, writes: Writes) -> Result<(), StoreError> {
        let mut batches: Vec<sled::Batch> = (0..Tree::ALL.len())
            .map(|_| sled::Batch::default())
            .collect();
        for WriteOp { tree, key, value } in writes.into_ops() {
            match value {
                Some(value) => batches[tree as usize].insert(key, value),
                None => batches[tree as usize].remove(key),
            }
        }
        let result: Result<(), TransactionError<()>> = self.trees.as_slice().transaction(|trees| {
            for (tree, batch) in trees.iter().zip(&batches) {
                tree.apply_batch(batch)?;
            }
            Ok::<(), ConflictableTransactionError<()>>(())
        });
        match result {
            Ok(()) => Ok(()),
            Err(TransactionError::Storage(e)) => Err(backend(e)),
            Err(TransactionError::Abort(())) => Err(StoreError::Corrupt(
                "a store transaction was aborted".into(),
            )),
        }
    }

    fn clear(&self, tree: Tree) -> Result<(), StoreError> {
        self.tree(tree).clear().map_err(backend)
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map(|_| ()).map_err(backend)
    }

    /// One sled batch per tree and part of [`DIRTY_BATCH_WRITES`], outside any transaction
    /// (sled applies each batch atomically and recovers a prefix of its log; a transaction
    /// reads every key's old value first: issue 15, a fifth of the cost of writing a list's
    /// first snapshot), flushing after every [`DIRTY_BATCHES_PER_FLUSH`] batches so that the
    /// database's write buffers stay small.
    fn write_dirty(&self, writes: Writes) -> Result<(), StoreError> {
        let mut batches: Vec<(sled::Batch, usize)> = (0..Tree::ALL.len())
            .map(|_| (sled::Batch::default(), 0))
            .collect();
        let mut applied = 0;
        for WriteOp { tree, key, value } in writes.into_ops() {
            let (batch, queued) = &mut batches[tree as usize];
            match value {
                Some(value) => batch.insert(key, value),
                None => batch.remove(key),
            }
            *queued += 1;
            if *queued == DIRTY_BATCH_WRITES {
                let full = std::mem::take(batch);
                *queued = 0;
                self.tree(tree).apply_batch(full).map_err(backend)?;
                applied += 1;
                if applied % DIRTY_BATCHES_PER_FLUSH == 0 {
                    self.flush()?;
                }
            }
        }
        for (tree, (batch, queued)) in self.trees.iter().zip(batches) {
            if queued > 0 {
                tree.apply_batch(batch).map_err(backend)?;
            }
        }
        Ok(())
    }
}

/// Writes per sled batch in [`SledKv::write_dirty`]: larger batches were no faster and held
/// more memory.
const DIRTY_BATCH_WRITES: usize = 1000;

/// Batches [`SledKv::write_dirty`] applies between two flushes.
const DIRTY_BATCHES_PER_FLUSH: usize = 8;
