//! `listdiff proof SEQ [--checkpoint FILE | --size N] [-o FILE]`
//!
//! Prints an inclusion proof that event SEQ is in the log's Merkle tree: the store id, the
//! event, the tree's size and root, the audit path and the event's exact stored bytes. Anyone
//! can check it against a checkpoint with `listdiff verify-proof`, without the store. The tree
//! is the whole log by default; with `--checkpoint`, the checkpoint's (after proving that the
//! log extends it); with `--size`, the first N events.
//!
//! ```text
//! listdiff proof 3 --checkpoint 2026-01-15.checkpoint -o event-3.proof
//! listdiff verify-proof event-3.proof --checkpoint 2026-01-15.checkpoint
//! ```

use std::path::PathBuf;

use super::checkpoint::read_checkpoint;
use super::{CliError, Context, Outcome};
use crate::model::proof::InclusionProof;
use crate::store::Access;

#[derive(clap::Args, Debug)]
#[command(after_help = "Example: listdiff proof 3 --checkpoint today.checkpoint -o event-3.proof")]
pub(crate) struct Args {
    /// The event's seq (as `listdiff log` shows it)
    #[arg(value_name = "SEQ")]
    seq: u64,
    /// Prove it in the tree this checkpoint fixed
    #[arg(long, value_name = "FILE", conflicts_with = "size")]
    checkpoint: Option<PathBuf>,
    /// Prove it in the tree of the first N events
    #[arg(long, value_name = "N")]
    size: Option<u64>,
    /// Write the proof to FILE instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

pub(crate) fn run(context: &Context, args: Args) -> Result<Outcome, CliError> {
    let checkpoint = args
        .checkpoint
        .as_deref()
        .map(read_checkpoint)
        .transpose()?;
    let store = context.open_store(Access::Read)?;
    let leaves = store.leaf_hashes()?;
    let store_id = store.store_id()?;
    let size = match (&checkpoint, args.size) {
        (Some(signed), _) => {
            signed
                .checkpoint
                .check_extended_by(&store_id, &leaves)
                .map_err(|e| CliError::Verification(e.to_string()))?;
            signed.checkpoint.size
        }
        (None, Some(size)) if size > leaves.len() as u64 => {
            return Err(CliError::Input(format!(
                "--size {size}: the log holds only {} events",
                leaves.len()
            )));
        }
        (None, Some(size)) => size,
        (None, None) => leaves.len() as u64,
    };
    let event_bytes = store.event_bytes(args.seq)?.unwrap_or_default();
    store.close()?;
    let tree = &leaves[..size as usize];
    let proof = InclusionProof::build(&store_id, args.seq, tree, event_bytes)
        .map_err(|e| CliError::Input(e.to_string()))?;
    let text = proof.to_text();
    match &args.output {
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| {
                CliError::Input(format!("cannot write the proof to {}: {e}", path.display()))
            })?;
            super::human::report(&format!(
                "wrote the proof of event {} in the tree of {} events (root {}) to {}",
                proof.seq,
                proof.size,
                proof.root,
                path.display()
            ));
        }
        None => super::print(|out| out.write_all(text.as_bytes()))?,
    }
    Ok(Outcome::Done)
}
