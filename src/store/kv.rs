//! The ordered key-value trees a store is made of, behind one small trait ([`Kv`]), so the same
//! log and index code runs on the database on disk and in memory (views of the past, the
//! rebuild `verify` compares with, tests).
//!
//! # The contract a backend keeps
//!
//! A store on disk lives in one engine implementing [`Kv`] and [`DiskKv`]; `super::Disk` names
//! the one in use, whose file is the only one that names its engine. Moving to another engine is
//! one new file implementing both traits, and pointing `Disk` at it; export and import carry a
//! store's log from one to the other. What the store relies on:
//!
//! - **Trees.** The trees of [`Tree::ALL`] are independent ordered maps from byte strings
//!   to byte strings. Keys compare as unsigned bytes, lexicographically (a prefix sorts first).
//!   Values are returned exactly as written; an empty value is a value.
//! - **Reads see every commit made before them**, from any thread ([`Kv`] is `Sync`: planning an
//!   event reads a range on one thread while hashing on another). A read never overlaps a write:
//!   the store's lock gives one process the store, and that process never writes while reading.
//! - **[`Kv::commit`] is atomic across trees**: after it returns, every write of the [`Writes`]
//!   is visible, in order (a later write to the same key wins); after a crash, the trees hold
//!   all of a commit's writes or none of them. A commit that fails has written nothing.
//! - **Commits survive a crash in order**: if a commit survives, every commit made before it
//!   does too. A large event is written in several commits between two writes of a "dirty" mark
//!   (see `commit_event`), and recovery is only sound if no later commit can outlive an earlier
//!   one.
//! - **[`Kv::flush`] makes every commit made before it durable** (it survives a crash or power
//!   loss) when it returns. Before a flush a commit may be lost, whole. The store flushes before
//!   a command reports success.
//! - **[`Kv::clear`]** empties one tree; it need not be atomic with anything (the store marks the
//!   indexes dirty around a rebuild).
//! - **[`Kv::range`]** yields the pairs with `lo <= key < hi`, in key order, from either end
//!   (`next_back` finds a list's last event); nothing when `lo >= hi`.
//! - **Errors**: an engine's own errors are boxed into [`StoreError::Backend`]; a database held
//!   by another process is [`StoreError::InUse`] (the store's own `lock` file normally says so
//!   first). A backend never panics on any stored bytes.

use std::path::Path;

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
    /// Derived: the places of each list's fold, with the event that counts at each.
    Timeline,
    /// Derived: the entries each place's event changed.
    Changes,
    /// Derived: every version and name of every entry.
    Entries,
    /// Derived: publications already recorded and not retracted, by list, time and input hash.
    Dedup,
    /// Derived: the lists that have events.
    Lists,
    /// Derived: the versions of each publication (its first event and its corrections) and
    /// their retractions.
    Groups,
    /// Derived: the publications that count, by identity.
    Identities,
    /// Derived: periodic state checkpoints of each list, for `as-of` (see `checkpoints.rs`).
    States,
}

impl Tree {
    /// Every tree.
    pub(crate) const ALL: [Tree; 11] = [
        Tree::Events,
        Tree::Contents,
        Tree::Meta,
        Tree::Timeline,
        Tree::Changes,
        Tree::Entries,
        Tree::Dedup,
        Tree::Lists,
        Tree::Groups,
        Tree::Identities,
        Tree::States,
    ];

    /// The trees rebuilt from the log.
    pub(crate) const DERIVED: [Tree; 8] = [
        Tree::Timeline,
        Tree::Changes,
        Tree::Entries,
        Tree::Dedup,
        Tree::Lists,
        Tree::Groups,
        Tree::Identities,
        Tree::States,
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
            Tree::Groups => "groups",
            Tree::Identities => "identities",
            Tree::States => "states",
        }
    }
}

/// A key and its value.
pub(crate) type Pair = (Vec<u8>, Vec<u8>);

/// An iterator over a key range, in either direction.
pub(crate) type RangeIter<'a> = Box<dyn DoubleEndedIterator<Item = Result<Pair, StoreError>> + 'a>;

/// One write of a [`Writes`]: set `key` of `tree` to `value`, or remove it (`None`).
pub(crate) struct WriteOp {
    /// The tree written.
    pub(crate) tree: Tree,
    /// The key.
    pub(crate) key: Vec<u8>,
    /// The new value; `None` removes the key.
    pub(crate) value: Option<Vec<u8>>,
}

/// Writes to apply together, atomically, in order.
#[derive(Default)]
pub(crate) struct Writes {
    ops: Vec<WriteOp>,
}

impl Writes {
    /// Sets `key` in `tree` to `value`.
    pub(crate) fn put(&mut self, tree: Tree, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.ops.push(WriteOp {
            tree,
            key: key.into(),
            value: Some(value.into()),
        });
    }

    /// Removes `key` from `tree`.
    pub(crate) fn delete(&mut self, tree: Tree, key: impl Into<Vec<u8>>) {
        self.ops.push(WriteOp {
            tree,
            key: key.into(),
            value: None,
        });
    }

    /// The writes, in the order they were queued (for a backend's `commit`).
    pub(crate) fn into_ops(self) -> Vec<WriteOp> {
        self.ops
    }

    /// The operations queued, in order.
    pub(crate) fn ops(&self) -> impl Iterator<Item = &WriteOp> {
        self.ops.iter()
    }

    /// How many operations are queued.
    pub(crate) fn len(&self) -> usize {
        self.ops.len()
    }

    /// True when every operation writes one of `trees`.
    pub(crate) fn only_to(&self, trees: &[Tree]) -> bool {
        self.ops.iter().all(|op| trees.contains(&op.tree))
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

/// Ordered trees of bytes, readable from several threads (the contract is in the module
/// documentation).
pub(crate) trait Kv: Sync {
    /// The value at `key`.
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
    /// The pairs with `lo <= key < hi`, in key order, from either end.
    fn range(&self, tree: Tree, lo: &[u8], hi: &[u8]) -> RangeIter<'_>;
    /// Applies `writes` atomically and in order: all of them or none, even across a crash; a
    /// commit that survives a crash implies that every earlier one does.
    fn commit(&self, writes: Writes) -> Result<(), StoreError>;
    /// Empties `tree`.
    fn clear(&self, tree: Tree) -> Result<(), StoreError>;
    /// Makes every commit made so far durable. Trees in memory have nothing to do.
    fn flush(&self) -> Result<(), StoreError> {
        Ok(())
    }
    /// Applies `writes` in order (of several writes of one key, the last stands), in pieces
    /// that are not atomic together, nor each across trees: for index writes its caller has
    /// marked dirty first and clears the mark of after (see `commit_event`), so that a crash in
    /// between leaves the indexes to be rebuilt from the log. A piece that survives a crash
    /// implies that every earlier commit does. By default, [`commit_in_parts`] of
    /// [`super::WRITES_PER_TRANSACTION`].
    fn write_dirty(&self, writes: Writes) -> Result<(), StoreError> {
        commit_in_parts(self, writes, super::WRITES_PER_TRANSACTION)
    }
}

/// A [`Kv`] engine holding a store on disk.
pub(crate) trait DiskKv: Kv + Sized {
    /// Opens the database in directory `dir`, creating it when absent, with every tree of
    /// [`Tree::ALL`]. `store` is the store directory, named in [`StoreError::InUse`] when
    /// another process holds the database.
    fn open(dir: &Path, store: &Path) -> Result<Self, StoreError>;
}

/// Commits `writes` in parts of at most `size` operations, in order, flushing every few parts
/// so that the database's write buffers stay small. Not atomic as a whole: callers mark the
/// indexes dirty around it (see `commit_event`).
pub(crate) fn commit_in_parts<K: Kv + ?Sized>(
    kv: &K,
    writes: Writes,
    size: usize,
) -> Result<(), StoreError> {
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

/// One tree held in memory.
type MemTree = std::collections::BTreeMap<Vec<u8>, Vec<u8>>;

/// Trees held in memory: for views of the past (`--known-at`), indexes rebuilt to be compared
/// with the stored ones (`verify`), and tests.
#[derive(Default)]
pub(crate) struct MemKv {
    trees: std::sync::Mutex<std::collections::BTreeMap<Tree, MemTree>>,
}

impl Kv for MemKv {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
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
                    .map(|(k, v)| Ok((k.clone(), v.clone())))
                    .collect()
            })
            .unwrap_or_default();
        Box::new(pairs.into_iter())
    }

    fn commit(&self, writes: Writes) -> Result<(), StoreError> {
        let mut trees = self.trees.lock().unwrap_or_else(|e| e.into_inner());
        for WriteOp { tree, key, value } in writes.ops {
            let t = trees.entry(tree).or_default();
            match value {
                Some(value) => {
                    t.insert(key, value);
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
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    }
}
