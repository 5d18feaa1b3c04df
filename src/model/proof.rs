//! An inclusion proof: text showing that one event is leaf `seq - 1` of a store's log tree of a
//! given size and root ([`super::merkle`]), which anyone can check against a checkpoint
//! without the store.
//!
//! ```text
//! listdiff inclusion proof v1
//! store 5f0c2a9e4b7d1c3a
//! event 3
//! size 12
//! root 1f3a…(64 hex digits)
//! path 9b0e…(64 hex digits)
//! path 04c7…
//! event-bytes {"v":1,"seq":3,"list":"us-bis-entity-list",…}
//! ```
//!
//! `path` lines are the audit path from the leaf up (RFC 6962 order), none for a tree of one
//! event. `event-bytes` is followed by the exact stored bytes of the event's header, which are
//! one line of compact JSON; the leaf is SHA-256(0x00 ‖ those bytes).

use super::checkpoint::Checkpoint;
use super::merkle::{self, TreeHash};

/// The first line of every inclusion proof.
pub const PROOF_HEADER: &str = "listdiff inclusion proof v1";

/// The proof that event `seq` is in a log tree of `size` events with root `root`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InclusionProof {
    /// The store's id.
    pub store_id: String,
    /// The event (leaf `seq - 1`).
    pub seq: u64,
    /// The size of the tree it is proved in.
    pub size: u64,
    /// That tree's root.
    pub root: TreeHash,
    /// The audit path, from the leaf up.
    pub path: Vec<TreeHash>,
    /// The exact stored bytes of the event's header.
    pub event_bytes: Vec<u8>,
}

/// Why a proof cannot be made, read, or does not check out.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProofError {
    /// The text is not a proof.
    #[error("line {line}: {message}")]
    Syntax {
        /// The line (1-based).
        line: usize,
        /// What is wrong and what was expected.
        message: String,
    },
    /// The event is not in the tree asked for.
    #[error("event {seq} is not in a log of {size} events: give an event from 1 to {size}")]
    OutOfRange {
        /// The event asked for.
        seq: u64,
        /// The tree's size.
        size: u64,
    },
    /// The event's bytes cannot be put on one line.
    #[error(
        "event {seq}: its stored bytes are not one line of UTF-8 text, so they cannot be written into a proof; run `listdiff verify`"
    )]
    Unprintable {
        /// The event.
        seq: u64,
    },
    /// The proof and the checkpoint are of different stores.
    #[error(
        "the proof is of store {proof}, but the checkpoint is of store {checkpoint}: check it against a checkpoint of store {proof}"
    )]
    OtherStore {
        /// The proof's store id.
        proof: String,
        /// The checkpoint's store id.
        checkpoint: String,
    },
    /// The proof is for a tree of another size than the checkpoint's.
    #[error(
        "the proof is for a log of {proof} events, but the checkpoint is of {checkpoint}: make the proof with `listdiff proof SEQ --checkpoint FILE` for this checkpoint"
    )]
    OtherSize {
        /// The proof's size.
        proof: u64,
        /// The checkpoint's size.
        checkpoint: u64,
    },
    /// The path and the event's bytes do not lead to the checkpoint's root.
    #[error(
        "event {seq}: its bytes and audit path do not hash to the checkpoint's root {root}: the event or the proof was changed, or the log was rewritten"
    )]
    NotIncluded {
        /// The event.
        seq: u64,
        /// The checkpoint's root.
        root: TreeHash,
    },
}

fn syntax(line: usize, message: impl Into<String>) -> ProofError {
    ProofError::Syntax {
        line,
        message: message.into(),
    }
}

impl InclusionProof {
    /// The proof for event `seq` (from 1) in the tree of `leaves`, whose bytes are
    /// `event_bytes`.
    pub fn build(
        store_id: &str,
        seq: u64,
        leaves: &[TreeHash],
        event_bytes: Vec<u8>,
    ) -> Result<InclusionProof, ProofError> {
        let size = leaves.len() as u64;
        let out_of_range = ProofError::OutOfRange { seq, size };
        let index = seq
            .checked_sub(1)
            .and_then(|i| usize::try_from(i).ok())
            .ok_or(out_of_range.clone())?;
        let path = merkle::inclusion_proof(index, leaves).ok_or(out_of_range)?;
        if std::str::from_utf8(&event_bytes).is_err()
            || event_bytes.iter().any(|&b| b == b'\n' || b == b'\r')
        {
            return Err(ProofError::Unprintable { seq });
        }
        Ok(InclusionProof {
            store_id: store_id.to_string(),
            seq,
            size,
            root: merkle::root(leaves),
            path,
            event_bytes,
        })
    }

    /// The proof's text.
    pub fn to_text(&self) -> String {
        let mut text = format!(
            "{PROOF_HEADER}\nstore {}\nevent {}\nsize {}\nroot {}\n",
            self.store_id, self.seq, self.size, self.root
        );
        for hash in &self.path {
            text.push_str(&format!("path {hash}\n"));
        }
        text.push_str("event-bytes ");
        text.push_str(&String::from_utf8_lossy(&self.event_bytes));
        text.push('\n');
        text
    }

    /// Reads a proof's text.
    pub fn parse(text: &str) -> Result<InclusionProof, ProofError> {
        let mut lines = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .enumerate()
            .map(|(i, l)| (i + 1, l));
        let mut next = |what: &str| {
            lines
                .next()
                .ok_or_else(|| syntax(0, format!("the proof ends before its {what} line")))
        };
        let (n, header) = next("header")?;
        if header != PROOF_HEADER {
            return Err(syntax(
                n,
                format!("expected {PROOF_HEADER:?}, found {header:?}"),
            ));
        }
        let field = |(n, line): (usize, &str), name: &str| -> Result<(usize, String), ProofError> {
            line.strip_prefix(name)
                .and_then(|v| v.strip_prefix(' '))
                .filter(|v| !v.is_empty())
                .map(|v| (n, v.to_string()))
                .ok_or_else(|| syntax(n, format!("expected \"{name} …\", found {line:?}")))
        };
        let number = |(n, text): (usize, String), what: &str| -> Result<u64, ProofError> {
            text.parse()
                .map_err(|_| syntax(n, format!("{what} {text:?} is not a whole number")))
        };
        let hash = |(n, text): (usize, String), what: &str| -> Result<TreeHash, ProofError> {
            TreeHash::from_hex(&text)
                .filter(|_| text.len() == 64)
                .ok_or_else(|| syntax(n, format!("{what} {text:?} is not 64 hex digits")))
        };
        let (_, store_id) = field(next("store")?, "store")?;
        let seq = number(field(next("event")?, "event")?, "event")?;
        let size = number(field(next("size")?, "size")?, "size")?;
        let root = hash(field(next("root")?, "root")?, "root")?;
        let mut path = Vec::new();
        let event_bytes = loop {
            let (n, line) = next("event-bytes")?;
            if line.starts_with("path ") {
                path.push(hash(field((n, line), "path")?, "path")?);
            } else if let Some(bytes) = line.strip_prefix("event-bytes ") {
                break bytes.as_bytes().to_vec();
            } else {
                return Err(syntax(
                    n,
                    format!("expected \"path HASH\" or \"event-bytes JSON\", found {line:?}"),
                ));
            }
        };
        for (n, line) in lines {
            if !line.trim().is_empty() {
                return Err(syntax(
                    n,
                    format!("unexpected text after the event-bytes line: {line:?}"),
                ));
            }
        }
        Ok(InclusionProof {
            store_id,
            seq,
            size,
            root,
            path,
            event_bytes,
        })
    }

    /// Checks the proof against a checkpoint: same store and size, and the event's leaf hash
    /// with the audit path gives the checkpoint's root.
    pub fn check(&self, checkpoint: &Checkpoint) -> Result<(), ProofError> {
        if self.store_id != checkpoint.store_id {
            return Err(ProofError::OtherStore {
                proof: self.store_id.clone(),
                checkpoint: checkpoint.store_id.clone(),
            });
        }
        if self.size != checkpoint.size {
            return Err(ProofError::OtherSize {
                proof: self.size,
                checkpoint: checkpoint.size,
            });
        }
        let included = self.seq >= 1
            && merkle::verify_inclusion(
                &merkle::leaf_hash(&self.event_bytes),
                self.seq - 1,
                checkpoint.size,
                &self.path,
                &checkpoint.root,
            );
        if included {
            Ok(())
        } else {
            Err(ProofError::NotIncluded {
                seq: self.seq,
                root: checkpoint.root,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn events(n: u64) -> Vec<Vec<u8>> {
        (1..=n)
            .map(|seq| format!("{{\"v\":1,\"seq\":{seq}}}").into_bytes())
            .collect()
    }

    fn leaves(events: &[Vec<u8>]) -> Vec<TreeHash> {
        events.iter().map(|e| merkle::leaf_hash(e)).collect()
    }

    fn checkpoint_of(leaves: &[TreeHash]) -> Checkpoint {
        Checkpoint::of_log(
            "abc",
            leaves,
            DateTime::parse_from_rfc3339("2026-01-15T09:30:00Z")
                .unwrap()
                .with_timezone(&Utc),
        )
    }

    #[test]
    fn every_event_of_every_size_proves_and_round_trips() {
        for size in 1..=9u64 {
            let events = events(size);
            let leaves = leaves(&events);
            let checkpoint = checkpoint_of(&leaves);
            for seq in 1..=size {
                let proof =
                    InclusionProof::build("abc", seq, &leaves, events[seq as usize - 1].clone())
                        .unwrap();
                let text = proof.to_text();
                assert!(text.starts_with(PROOF_HEADER));
                assert!(text.ends_with(&format!("event-bytes {{\"v\":1,\"seq\":{seq}}}\n")));
                let back = InclusionProof::parse(&text).unwrap();
                assert_eq!(back, proof);
                assert_eq!(back.check(&checkpoint), Ok(()), "{size} {seq}");
            }
        }
    }

    #[test]
    fn wrong_event_bytes_path_checkpoint_or_seq_fail() {
        let events = events(7);
        let leaves = leaves(&events);
        let checkpoint = checkpoint_of(&leaves);
        let proof = InclusionProof::build("abc", 3, &leaves, events[2].clone()).unwrap();

        let mut other_event = proof.clone();
        other_event.event_bytes = events[3].clone();
        assert!(matches!(
            other_event.check(&checkpoint),
            Err(ProofError::NotIncluded { seq: 3, .. })
        ));
        let mut moved = proof.clone();
        moved.seq = 4;
        assert!(moved.check(&checkpoint).is_err());
        let mut bad_path = proof.clone();
        bad_path.path[0] = merkle::leaf_hash(b"x");
        assert!(bad_path.check(&checkpoint).is_err());
        let mut short_path = proof.clone();
        short_path.path.pop();
        assert!(short_path.check(&checkpoint).is_err());

        let bigger = checkpoint_of(&self::leaves(&self::events(8)));
        assert_eq!(
            proof.check(&bigger),
            Err(ProofError::OtherSize {
                proof: 7,
                checkpoint: 8
            })
        );
        let mut other_store = checkpoint.clone();
        other_store.store_id = "def".into();
        assert!(matches!(
            proof.check(&other_store),
            Err(ProofError::OtherStore { .. })
        ));
        let mut other_root = checkpoint.clone();
        other_root.root = merkle::leaf_hash(b"y");
        assert!(matches!(
            proof.check(&other_root),
            Err(ProofError::NotIncluded { .. })
        ));
    }

    #[test]
    fn events_outside_the_tree_and_unprintable_bytes_make_no_proof() {
        let events = events(3);
        let leaves = leaves(&events);
        for seq in [0, 4] {
            assert_eq!(
                InclusionProof::build("abc", seq, &leaves, b"{}".to_vec()),
                Err(ProofError::OutOfRange { seq, size: 3 })
            );
        }
        assert_eq!(
            InclusionProof::build("abc", 1, &leaves, b"{\n}".to_vec()),
            Err(ProofError::Unprintable { seq: 1 })
        );
    }

    #[test]
    fn damaged_proof_texts_name_the_line() {
        let events = events(5);
        let leaves = leaves(&events);
        let good = InclusionProof::build("abc", 2, &leaves, events[1].clone())
            .unwrap()
            .to_text();
        let cases = [
            (good.replace("v1", "v2"), 1),
            (good.replace("event 2", "event two"), 3),
            (good.replace("size 5", "size"), 4),
            (good.replacen("path ", "path 00", 1), 6),
            (good.replace("event-bytes", "bytes"), 6 + 3),
            (format!("{good}extra\n"), 10),
        ];
        for (text, line) in cases {
            match InclusionProof::parse(&text) {
                Err(ProofError::Syntax { line: found, .. }) => {
                    assert_eq!(found, line, "{text}")
                }
                other => panic!("{text}: {other:?}"),
            }
        }
        assert!(
            InclusionProof::parse(&good.lines().take(4).collect::<Vec<_>>().join("\n")).is_err()
        );
    }
}
