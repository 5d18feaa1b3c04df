//! `listdiff verify [--checkpoint FILE [--key PUBFILE]] [-o text|json]`
//!
//! Checks the store end to end: recomputes every event's Merkle leaf hash and the root; checks
//! that every event's header reads back and names its seq, that recording times never go back,
//! and that its content block decompresses to the lines its header claims and hashes to its
//! `block_sha256`; rebuilds every derived index in memory and compares it key by key with the
//! stored one. With `--checkpoint`, also proves with a consistency proof that the log extends
//! the checkpoint (same store, no fewer events, the first events hash to its root); with
//! `--key`, that the checkpoint is signed by that public key. A signature it did not check (no
//! `--key`, or one by another key) is said to be unchecked. Changes nothing.
//!
//! Exit 4 when anything fails, naming the event or the index key.
//!
//! ```text
//! listdiff verify
//! listdiff verify --checkpoint 2026-01-15.checkpoint --key signing.key.pub
//! ```

use std::path::PathBuf;

use clap::ValueEnum;

use super::checkpoint::read_checked_checkpoint;
use super::{CliError, Context, Outcome, print};
use crate::model::checkpoint::ExtendError;
use crate::model::text::visible;
use crate::store::Access;

/// How `verify` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    /// A few lines for reading.
    Text,
    /// One JSON object.
    Json,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example: listdiff verify --checkpoint old.checkpoint --key signing.key.pub"
)]
pub(crate) struct Args {
    /// Also prove that the log extends this checkpoint (made by `listdiff checkpoint`)
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<PathBuf>,
    /// Also check that the checkpoint is signed by this public key (a .pub file from `listdiff keygen`)
    #[arg(long, value_name = "PUBFILE", requires = "checkpoint")]
    key: Option<PathBuf>,
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value_t = ReportFormat::Text)]
    output: ReportFormat,
}

pub(crate) fn run(context: &Context, args: Args) -> Result<Outcome, CliError> {
    let checkpoint = args
        .checkpoint
        .as_deref()
        .map(|path| read_checked_checkpoint(path, args.key.as_deref()))
        .transpose()?;
    let store = context.open_store(Access::Read)?;
    let report = store.verify()?;
    store.close()?;

    let mut problems = report.problems.clone();
    let extends = checkpoint.as_ref().map(|(signed, _)| {
        signed
            .checkpoint
            .check_extended_by(&report.store_id, &report.leaves)
    });
    if let Some(Err(error)) = &extends {
        problems.insert(0, error.to_string());
    }
    let extends_ok = matches!(extends, Some(Ok(())));
    // The key ids of the checkpoint's signatures that were not checked.
    let unchecked: Vec<&str> = checkpoint
        .as_ref()
        .map(|(signed, checked)| {
            signed
                .signatures
                .iter()
                .map(|(_, s)| s.key_id.as_str())
                .filter(|id| checked.as_deref() != Some(*id))
                .collect()
        })
        .unwrap_or_default();

    match args.output {
        ReportFormat::Json => {
            let document = serde_json::json!({
                "store": report.store_id,
                "events": report.events,
                "root": report.root.to_hex(),
                "content_lines": report.content_lines,
                "indexes_compared": report.indexes_compared,
                "index_keys": report.index_keys,
                "checkpoint": checkpoint.as_ref().map(|(signed, key_id)| serde_json::json!({
                    "size": signed.checkpoint.size,
                    "root": signed.checkpoint.root.to_hex(),
                    "time": signed.checkpoint.time,
                    "extended": extends_ok,
                    "signed_by": key_id,
                    "unchecked_signatures": unchecked,
                })),
                "passed": problems.is_empty(),
                "problems": problems,
            });
            print(|out| {
                serde_json::to_writer_pretty(&mut *out, &document)?;
                writeln!(out)
            })?;
        }
        ReportFormat::Text => print(|out| {
            writeln!(
                out,
                "checked {} events of store {}: headers, sequence, recording times and {} content lines",
                report.events,
                visible(&report.store_id),
                report.content_lines
            )?;
            writeln!(out, "tree size {}, root {}", report.events, report.root)?;
            if report.indexes_compared && report.passed() {
                writeln!(
                    out,
                    "rebuilt the indexes in memory: all {} keys match the stored indexes",
                    report.index_keys
                )?;
            }
            if let Some((signed, key_id)) = &checkpoint {
                if let Some(key_id) = key_id {
                    writeln!(out, "the checkpoint is signed by key {key_id}")?;
                }
                match unchecked.as_slice() {
                    [] => {}
                    [one] => writeln!(
                        out,
                        "the checkpoint is signed by key {}, but the signature was not checked: give --key with the public key file (.pub) to check it",
                        visible(one)
                    )?,
                    several => writeln!(
                        out,
                        "the checkpoint is signed by keys {}, but those signatures were not checked: give --key with a public key file (.pub) to check one",
                        visible(&several.join(", "))
                    )?,
                }
                if extends_ok {
                    writeln!(
                        out,
                        "the log extends the checkpoint of size {} made at {}",
                        signed.checkpoint.size,
                        signed
                            .checkpoint
                            .time
                            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    )?;
                }
            }
            Ok(())
        })?,
    }
    if problems.is_empty() {
        return Ok(Outcome::Done);
    }
    let hint = match &extends {
        Some(Err(ExtendError::Rewritten { .. })) => {
            "; the store's history differs from what the checkpoint fixed: restore a backup made before the change, and find out who wrote to the store"
        }
        _ => "",
    };
    Err(CliError::Verification(format!(
        "{}{hint}",
        problems.join("\n  ")
    )))
}
