//! A checkpoint: a small text an auditor keeps that fixes a store's log as it stood — its size
//! and the root of its Merkle tree ([`super::merkle`]) — so that any later state of the log can
//! be proved to extend it (or shown not to).
//!
//! ```text
//! listdiff checkpoint v1
//! store 5f0c2a9e4b7d1c3a8e6f0b2d4c6a8e0f
//! size 310
//! root 1f3a…(64 hex digits)
//! time 2026-11-28T12:00:00Z
//! ```
//!
//! The body is exactly these five lines, each ending in a newline; anything after a blank line
//! that follows them (signatures) is not part of the body.

use chrono::{DateTime, SecondsFormat, Utc};

use super::merkle::{self, TreeHash};

/// The first line of every checkpoint.
pub const CHECKPOINT_HEADER: &str = "listdiff checkpoint v1";

/// A store's log at one moment: how many events it held and the root of their tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The store's random id, fixed when it was created.
    pub store_id: String,
    /// How many events the log held (the tree's leaves).
    pub size: u64,
    /// The root of the tree of those events.
    pub root: TreeHash,
    /// When the checkpoint was made (UTC).
    pub time: DateTime<Utc>,
}

/// Why a text is not a checkpoint.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("line {line}: {message}")]
pub struct CheckpointError {
    /// The line (1-based).
    pub line: usize,
    /// What is wrong and what was expected.
    pub message: String,
}

impl Checkpoint {
    /// The checkpoint's body: five lines, each ending in a newline (what a signature signs).
    pub fn to_text(&self) -> String {
        format!(
            "{CHECKPOINT_HEADER}\nstore {}\nsize {}\nroot {}\ntime {}\n",
            self.store_id,
            self.size,
            self.root,
            self.time.to_rfc3339_opts(SecondsFormat::Secs, true)
        )
    }

    /// Reads a checkpoint's body from the start of `text`; returns it and the rest of the text
    /// after the body (empty, or a blank line and signatures).
    pub fn parse(text: &str) -> Result<(Checkpoint, &str), CheckpointError> {
        let mut rest = text;
        let mut take_line = |n: usize, what: &str| -> Result<&str, CheckpointError> {
            let Some(end) = rest.find('\n') else {
                return Err(CheckpointError {
                    line: n,
                    message: format!("missing {what} line (a checkpoint has five lines)"),
                });
            };
            let line = &rest[..end];
            rest = &rest[end + 1..];
            Ok(line.strip_suffix('\r').unwrap_or(line))
        };
        let header = take_line(1, "header")?;
        if header != CHECKPOINT_HEADER {
            return Err(CheckpointError {
                line: 1,
                message: format!("expected {CHECKPOINT_HEADER:?}, found {header:?}"),
            });
        }
        let field = |n: usize, line: &str, name: &str| -> Result<String, CheckpointError> {
            line.strip_prefix(name)
                .and_then(|v| v.strip_prefix(' '))
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .ok_or_else(|| CheckpointError {
                    line: n,
                    message: format!("expected \"{name} …\", found {line:?}"),
                })
        };
        let store_id = field(2, take_line(2, "store")?, "store")?;
        let size_text = field(3, take_line(3, "size")?, "size")?;
        let size = size_text.parse().map_err(|_| CheckpointError {
            line: 3,
            message: format!("size {size_text:?} is not a whole number"),
        })?;
        let root_text = field(4, take_line(4, "root")?, "root")?;
        let root = TreeHash::from_hex(&root_text).ok_or_else(|| CheckpointError {
            line: 4,
            message: format!("root {root_text:?} is not 64 hex digits"),
        })?;
        let time_text = field(5, take_line(5, "time")?, "time")?;
        let time = DateTime::parse_from_rfc3339(&time_text)
            .map_err(|_| CheckpointError {
                line: 5,
                message: format!("time {time_text:?} is not an RFC 3339 time"),
            })?
            .with_timezone(&Utc);
        Ok((
            Checkpoint {
                store_id,
                size,
                root,
                time,
            },
            rest,
        ))
    }
}

/// Why a log does not extend a checkpoint.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExtendError {
    /// The checkpoint is of another store.
    #[error(
        "the checkpoint is of store {checkpoint}, but this store is {store}: give the checkpoint of this store, or point --store at store {checkpoint}"
    )]
    OtherStore {
        /// The checkpoint's store id.
        checkpoint: String,
        /// This store's id.
        store: String,
    },
    /// The checkpoint holds more events than the log.
    #[error(
        "the checkpoint is of a log of {checkpoint} events, but the log holds only {log}: events were removed from the log, or the checkpoint is of a later copy of this store"
    )]
    Shorter {
        /// The checkpoint's size.
        checkpoint: u64,
        /// The log's size.
        log: u64,
    },
    /// The first `size` events no longer hash to the checkpoint's root.
    #[error(
        "the log does not extend the checkpoint: history up to event {size} was rewritten (the consistency proof from size {size} to size {log} does not verify against the checkpoint's root {root})"
    )]
    Rewritten {
        /// The checkpoint's size.
        size: u64,
        /// The log's size.
        log: u64,
        /// The checkpoint's root.
        root: TreeHash,
    },
}

impl Checkpoint {
    /// The checkpoint of the log whose leaf hashes are `leaves`.
    pub fn of_log(store_id: &str, leaves: &[TreeHash], time: DateTime<Utc>) -> Checkpoint {
        Checkpoint {
            store_id: store_id.to_string(),
            size: leaves.len() as u64,
            root: merkle::root(leaves),
            time,
        }
    }

    /// Checks that the log of store `store_id`, whose leaf hashes are `leaves`, extends this
    /// checkpoint: same store, at least as many events, and a consistency proof from this
    /// checkpoint's size to the log's size verifies against both roots.
    pub fn check_extended_by(
        &self,
        store_id: &str,
        leaves: &[TreeHash],
    ) -> Result<(), ExtendError> {
        if self.store_id != store_id {
            return Err(ExtendError::OtherStore {
                checkpoint: self.store_id.clone(),
                store: store_id.to_string(),
            });
        }
        let log = leaves.len() as u64;
        let too_short = ExtendError::Shorter {
            checkpoint: self.size,
            log,
        };
        let Ok(old_size) = usize::try_from(self.size) else {
            return Err(too_short);
        };
        let Some(proof) = merkle::consistency_proof(old_size, leaves) else {
            return Err(too_short);
        };
        if merkle::verify_consistency(self.size, log, &proof, &self.root, &merkle::root(leaves)) {
            Ok(())
        } else {
            Err(ExtendError::Rewritten {
                size: self.size,
                log,
                root: self.root,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::merkle::leaf_hash;

    fn sample() -> Checkpoint {
        Checkpoint {
            store_id: "5f0c2a9e4b7d1c3a8e6f0b2d4c6a8e0f".into(),
            size: 310,
            root: leaf_hash(b"x"),
            time: DateTime::parse_from_rfc3339("2026-11-28T12:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
        }
    }

    #[test]
    fn text_round_trips_and_keeps_what_follows() {
        let text = format!("{}\nsig\n", sample().to_text());
        let (back, rest) = Checkpoint::parse(&text).unwrap();
        assert_eq!(back, sample());
        assert_eq!(rest, "\nsig\n");
        assert!(
            sample()
                .to_text()
                .starts_with("listdiff checkpoint v1\nstore 5f0c")
        );
    }

    #[test]
    fn damaged_checkpoints_name_the_line() {
        let good = sample().to_text();
        let cases = [
            (good.replace("v1", "v9"), 1),
            (good.replace("size 310", "size many"), 3),
            (good.replace("root ", "root zz"), 4),
            (good.replace("time 2026", "time yesterday"), 5),
            (good.lines().take(3).collect::<Vec<_>>().join("\n"), 3),
        ];
        for (text, line) in cases {
            let error = Checkpoint::parse(&text).unwrap_err();
            assert_eq!(error.line, line, "{text}: {error}");
        }
    }

    fn leaves(n: u8) -> Vec<TreeHash> {
        (0..n).map(|i| leaf_hash(&[i])).collect()
    }

    #[test]
    fn a_log_extends_its_own_checkpoints_and_no_rewritten_one() {
        let log = leaves(13);
        for size in 0..=13u8 {
            let old = Checkpoint::of_log("s", &log[..size as usize], sample().time);
            assert_eq!(old.size, size as u64);
            assert_eq!(old.check_extended_by("s", &log), Ok(()), "size {size}");
            if size > 0 {
                let mut rewritten = log.clone();
                rewritten[size as usize - 1] = leaf_hash(b"changed");
                assert!(
                    matches!(
                        old.check_extended_by("s", &rewritten),
                        Err(ExtendError::Rewritten { .. })
                    ),
                    "size {size}"
                );
            }
        }
        let whole = Checkpoint::of_log("s", &log, sample().time);
        assert_eq!(
            whole.check_extended_by("s", &log[..5]),
            Err(ExtendError::Shorter {
                checkpoint: 13,
                log: 5
            })
        );
        assert!(matches!(
            whole.check_extended_by("t", &log),
            Err(ExtendError::OtherStore { .. })
        ));
        // A rewrite after the checkpoint's size is not history the checkpoint fixed.
        let mut later = log.clone();
        later[12] = leaf_hash(b"changed");
        let early = Checkpoint::of_log("s", &log[..12], sample().time);
        assert_eq!(early.check_extended_by("s", &later), Ok(()));
    }
}
