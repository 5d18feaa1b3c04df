//! The ordered key-value trees the store is made of, behind one small trait, so the same index
//! code runs on sled (the store on disk) and in memory (replays and tests).

use sled::IVec;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use super::StoreError;

/// The trees of a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Tree {
    /// The log: event headers. With `Contents`, the only source of truth.
    Events,
    /// The log: each event's content block, in compressed frames.
    Contents,
    /// Store settings and counters that belong with the log (next seq, store id).
    Meta,
    /// Derived: events by list and date.
    Timeline,
    /// Derived: the entries each effective event changed.
    Changes,
    /// Derived: every version and name of every entry.
    Entries,
    /// Derived: publications already recorded, by list, date and input hash.
    Dedup,
    /// Derived: the lists that have events.
    Lists,
}

impl Tree {
    /// Every tree.
    pub(crate) const ALL: [Tree; 8] = [
        Tree::Events,
        Tree::Contents,
        Tree::Meta,
        Tree::Timeline,
        Tree::Changes,
        Tree::Entries,
        Tree::Dedup,
        Tree::Lists,
    ];

    /// The trees rebuilt from the log.
    pub(crate) const DERIVED: [Tree; 5] = [
        Tree::Timeline,
        Tree::Changes,
        Tree::Entries,
        Tree::Dedup,
        Tree::Lists,
    ];

    /// The tree's name on disk.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Tree::Events => "events",
            Tree::Contents => "contents",
            Tree::Meta => "meta",
            Tree::Timeline => "timeline",
            Tree::Changes => "changes",
            Tree::Entries => "entries",
            Tree::Dedup => "dedup",
            Tree::Lists => "lists",
        }
    }
}

/// A key and its value.
pub(crate) type Pair = (IVec, IVec);

/// An iterator over a key range, in either direction.
pub(crate) type RangeIter<'a> = Box<dyn DoubleEndedIterator<Item = Result<Pair, StoreError>> + 'a>;

/// Writes to apply together, atomically.
#[derive(Default)]
pub(crate) struct Writes {
    ops: Vec<(Tree, Vec<u8>, Option<Vec<u8>>)>,
}

impl Writes {
    /// Sets `key` in `tree` to `value`.
    pub(crate) fn put(&mut self, tree: Tree, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.ops.push((tree, key.into(), Some(value.into())));
    }

    /// Removes `key` from `tree`.
    pub(crate) fn delete(&mut self, tree: Tree, key: impl Into<Vec<u8>>) {
        self.ops.push((tree, key.into(), None));
    }

    /// How many operations are queued.
    pub(crate) fn len(&self) -> usize {
        self.ops.len()
    }

    /// Appends `other`'s operations after these.
    pub(crate) fn extend(&mut self, other: Writes) {
        self.ops.extend(other.ops);
    }

    /// Splits into parts of at most `size` operations, keeping their order.
    pub(crate) fn into_parts(self, size: usize) -> Vec<Writes> {
        let mut parts = Vec::new();
        let mut ops = self.ops.into_iter().peekable();
        while ops.peek().is_some() {
            parts.push(Writes {
                ops: ops.by_ref().take(size.max(1)).collect(),
            });
        }
        parts
    }
}

/// Ordered trees of bytes, readable from several threads.
pub(crate) trait Kv: Sync {
    /// The value at `key`.
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<IVec>, StoreError>;
    /// The pairs with `lo <= key < hi`, in key order.
    fn range(&self, tree: Tree, lo: &[u8], hi: &[u8]) -> RangeIter<'_>;
    /// Applies `writes` atomically: all of them or none, even across a crash.
    fn commit(&self, writes: Writes) -> Result<(), StoreError>;
    /// Empties `tree`.
    fn clear(&self, tree: Tree) -> Result<(), StoreError>;
    /// Writes what is committed but still buffered in memory to disk.
    fn flush(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

/// Commits `writes` in parts of at most `size` operations, in order, flushing every few parts
/// so that the database's write buffers stay small. Not atomic as a whole: callers mark the
/// indexes dirty around it (see `commit_event`).
pub(crate) fn commit_in_parts(kv: &dyn Kv, writes: Writes, size: usize) -> Result<(), StoreError> {
    const FLUSH_EVERY_PARTS: usize = 8;
    let parts = writes.into_parts(size);
    let count = parts.len();
    for (n, part) in parts.into_iter().enumerate() {
        kv.commit(part)?;
        if (n + 1) % FLUSH_EVERY_PARTS == 0 && n + 1 < count {
            kv.flush()?;
        }
    }
    Ok(())
}

/// The trees of a sled database.
pub(crate) struct SledKv {
    pub(crate) db: sled::Db,
    trees: Vec<sled::Tree>,
}

impl SledKv {
    /// Opens every tree of `db`.
    pub(crate) fn new(db: sled::Db) -> Result<SledKv, StoreError> {
        let trees = Tree::ALL
            .iter()
            .map(|t| db.open_tree(t.name()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SledKv { db, trees })
    }

    fn tree(&self, tree: Tree) -> &sled::Tree {
        &self.trees[tree as usize]
    }
}

impl Kv for SledKv {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<IVec>, StoreError> {
        Ok(self.tree(tree).get(key)?)
    }

    fn range(&self, tree: Tree, lo: &[u8], hi: &[u8]) -> RangeIter<'_> {
        if lo >= hi {
            return Box::new(std::iter::empty());
        }
        Box::new(
            self.tree(tree)
                .range(lo.to_vec()..hi.to_vec())
                .map(|r| r.map_err(StoreError::from)),
        )
    }

    fn commit(&self, writes: Writes) -> Result<(), StoreError> {
        let mut batches: Vec<sled::Batch> = (0..Tree::ALL.len())
            .map(|_| sled::Batch::default())
            .collect();
        for (tree, key, value) in writes.ops {
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
            Err(TransactionError::Storage(e)) => Err(e.into()),
            Err(TransactionError::Abort(())) => Err(StoreError::Corrupt(
                "a store transaction was aborted".into(),
            )),
        }
    }

    fn clear(&self, tree: Tree) -> Result<(), StoreError> {
        Ok(self.tree(tree).clear()?)
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }
}

use sled::Transactional;

/// Trees held in memory: for views of the past (`--known-at`), indexes rebuilt to be compared
/// with the stored ones (`verify`), and tests.
#[derive(Default)]
pub(crate) struct MemKv {
    trees: std::sync::Mutex<
        std::collections::BTreeMap<Tree, std::collections::BTreeMap<Vec<u8>, IVec>>,
    >,
}

impl Kv for MemKv {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<IVec>, StoreError> {
        Ok(self
            .trees
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&tree)
            .and_then(|t| t.get(key).cloned()))
    }

    fn range(&self, tree: Tree, lo: &[u8], hi: &[u8]) -> RangeIter<'_> {
        if lo >= hi {
            return Box::new(std::iter::empty());
        }
        let trees = self.trees.lock().unwrap_or_else(|e| e.into_inner());
        let pairs: Vec<Result<Pair, StoreError>> = trees
            .get(&tree)
            .map(|t| {
                t.range(lo.to_vec()..hi.to_vec())
                    .map(|(k, v)| Ok((IVec::from(k.as_slice()), v.clone())))
                    .collect()
            })
            .unwrap_or_default();
        Box::new(pairs.into_iter())
    }

    fn commit(&self, writes: Writes) -> Result<(), StoreError> {
        let mut trees = self.trees.lock().unwrap_or_else(|e| e.into_inner());
        for (tree, key, value) in writes.ops {
            let t = trees.entry(tree).or_default();
            match value {
                Some(value) => {
                    t.insert(key, IVec::from(value));
                }
                None => {
                    t.remove(&key);
                }
            }
        }
        Ok(())
    }

    fn clear(&self, tree: Tree) -> Result<(), StoreError> {
        self.trees
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&tree);
        Ok(())
    }
}

impl MemKv {
    /// Every pair of `tree`, in key order.
    #[cfg(test)]
    pub(crate) fn dump(&self, tree: Tree) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.trees
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&tree)
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.to_vec())).collect())
            .unwrap_or_default()
    }
}
