//! `listdiff verify-proof PROOFFILE --checkpoint FILE [--key PUBFILE]`
//!
//! Checks an inclusion proof made by `listdiff proof` against a checkpoint, with no store:
//! the proof and the checkpoint must be of the same store and tree size, and the SHA-256 leaf
//! of the event's bytes with the proof's audit path must hash to the checkpoint's root. With
//! `--key`, the checkpoint must be signed by that public key. Then prints what the event
//! records: its seq, list, publication date, recording time, kind and source.
//!
//! Exit 4 when the proof does not check out.
//!
//! ```text
//! listdiff verify-proof event-3.proof --checkpoint 2026-01-15.checkpoint --key signing.key.pub
//! ```

use std::path::PathBuf;

use super::checkpoint::{read_checked_checkpoint, read_text};
use super::{CliError, Context, Outcome, print};
use crate::model::proof::{InclusionProof, ProofError};
use crate::model::text::visible;
use crate::store::{EventBytes, read_event_bytes};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example: listdiff verify-proof event-3.proof --checkpoint today.checkpoint --key signing.key.pub"
)]
pub(crate) struct Args {
    /// The proof (made by `listdiff proof`)
    #[arg(value_name = "PROOFFILE")]
    proof: PathBuf,
    /// The checkpoint to check it against
    #[arg(long, value_name = "FILE")]
    checkpoint: PathBuf,
    /// Also check that the checkpoint is signed by this public key
    #[arg(long, value_name = "PUBFILE")]
    key: Option<PathBuf>,
}

pub(crate) fn run(_context: &Context, args: Args) -> Result<Outcome, CliError> {
    let (signed, key_id) = read_checked_checkpoint(&args.checkpoint, args.key.as_deref())?;
    let proof = InclusionProof::parse(&read_text(&args.proof, "proof")?).map_err(|e| {
        CliError::Input(format!(
            "{}: {e}; a proof is what `listdiff proof` prints",
            args.proof.display()
        ))
    })?;
    proof.check(&signed.checkpoint).map_err(|e| match e {
        ProofError::Syntax { .. } => CliError::Input(e.to_string()),
        other => CliError::Verification(other.to_string()),
    })?;
    // The bytes are in the tree; they must also say they are the event the proof names.
    let event = read_event_bytes(&proof.event_bytes)
        .map_err(|e| CliError::Verification(format!("event {}: {e}", proof.seq)))?;
    if event.seq() != proof.seq {
        return Err(CliError::Verification(format!(
            "the proof is for event {}, but its event bytes say they are event {}",
            proof.seq,
            event.seq()
        )));
    }
    print(|out| {
        writeln!(
            out,
            "event {} is in the log of store {} as of the checkpoint of size {} (root {}){}",
            proof.seq,
            visible(&proof.store_id),
            signed.checkpoint.size,
            signed.checkpoint.root,
            match &key_id {
                Some(key_id) => format!(", signed by key {key_id}"),
                None => String::new(),
            }
        )?;
        match &event {
            EventBytes::Publication(event) => {
                writeln!(out, "seq        {}", event.seq)?;
                writeln!(out, "list       {}", event.list)?;
                writeln!(out, "published  {}", event.published)?;
                writeln!(
                    out,
                    "recorded   {}",
                    event
                        .recorded
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                )?;
                writeln!(out, "kind       {}", event.kind)?;
                writeln!(out, "source     {}", visible(&event.source))?;
                writeln!(out, "sha256     {}", event.sha256)
            }
            EventBytes::Retraction(event) => {
                writeln!(out, "seq        {}", event.seq)?;
                writeln!(out, "list       {}", event.list)?;
                writeln!(
                    out,
                    "recorded   {}",
                    event
                        .recorded
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                )?;
                writeln!(out, "kind       retraction")?;
                writeln!(out, "retracts   {}", event.retracts)?;
                writeln!(out, "reason     {}", visible(&event.reason))
            }
        }
    })?;
    Ok(Outcome::Done)
}
