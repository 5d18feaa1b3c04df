//! `listdiff checkpoint [--sign KEYFILE] [-o FILE]`
//!
//! Prints a checkpoint of the log: the store's id, how many events the log holds, the root of
//! their Merkle tree and the time (now, or `$LISTDIFF_NOW`). An auditor keeps it; later,
//! `listdiff verify --checkpoint FILE` proves that the log still extends it. With `--sign` a
//! blank line and an Ed25519 signature line of the body follow (see `listdiff keygen`).
//!
//! ```text
//! listdiff checkpoint -o 2026-01-15.checkpoint
//! listdiff checkpoint --sign signing.key -o 2026-01-15.checkpoint
//! ```

use std::path::{Path, PathBuf};

use super::{CliError, Context, Outcome};
use crate::model::checkpoint::Checkpoint;
use crate::model::signature::{PublicKey, SecretKey, SignedCheckpoint};
use crate::store::Access;

#[derive(clap::Args, Debug)]
#[command(after_help = "Example: listdiff checkpoint --sign signing.key -o today.checkpoint")]
pub(crate) struct Args {
    /// Sign the checkpoint with this secret key file (made by `listdiff keygen`)
    #[arg(long, value_name = "KEYFILE")]
    sign: Option<PathBuf>,
    /// Write the checkpoint to FILE instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

pub(crate) fn run(context: &Context, args: Args) -> Result<Outcome, CliError> {
    let key = args
        .sign
        .as_deref()
        .map(|path| {
            SecretKey::from_text(&read_text(path, "secret key")?)
                .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))
        })
        .transpose()?;
    let time = context.now()?;
    let store = context.open_store(Access::Read)?;
    let leaves = store.leaf_hashes()?;
    let checkpoint = Checkpoint::of_log(&store.store_id()?, &leaves, time);
    store.close()?;
    let signed = match &key {
        Some(key) => SignedCheckpoint::sign(checkpoint, key),
        None => SignedCheckpoint {
            checkpoint,
            signatures: Vec::new(),
        },
    };
    let text = signed.to_text();
    match &args.output {
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| {
                CliError::Input(format!(
                    "cannot write the checkpoint to {}: {e}",
                    path.display()
                ))
            })?;
            super::human::report(&format!(
                "wrote the checkpoint of {} events (root {}){} to {}",
                signed.checkpoint.size,
                signed.checkpoint.root,
                match &key {
                    Some(key) => format!(", signed by key {}", key.public().key_id()),
                    None => String::new(),
                },
                path.display()
            ));
        }
        None => super::print(|out| out.write_all(text.as_bytes()))?,
    }
    Ok(Outcome::Done)
}

/// Reads a text file given on the command line (`what` names it in errors).
pub(crate) fn read_text(path: &Path, what: &str) -> Result<String, CliError> {
    let hint = match what {
        "secret key" => "make a key pair with `listdiff keygen FILE`",
        "public key" => "give the FILE.pub that `listdiff keygen FILE` wrote",
        "checkpoint" => "give a file that `listdiff checkpoint -o FILE` wrote",
        "proof" => "give a file that `listdiff proof SEQ -o FILE` wrote",
        _ => "give the path of a file listdiff wrote",
    };
    std::fs::read_to_string(path).map_err(|e| {
        CliError::Input(format!(
            "cannot read the {what} {}: {e}; {hint}",
            path.display()
        ))
    })
}

/// Reads a checkpoint file.
pub(crate) fn read_checkpoint(path: &Path) -> Result<SignedCheckpoint, CliError> {
    SignedCheckpoint::parse(&read_text(path, "checkpoint")?).map_err(|e| {
        CliError::Input(format!(
            "{}: {e}; a checkpoint is what `listdiff checkpoint` prints",
            path.display()
        ))
    })
}

/// Reads a checkpoint and, when `key` is given, checks that the key signed it; returns the
/// checkpoint and the key id that signed it.
pub(crate) fn read_checked_checkpoint(
    path: &Path,
    key: Option<&Path>,
) -> Result<(SignedCheckpoint, Option<String>), CliError> {
    let signed = read_checkpoint(path)?;
    let Some(key_path) = key else {
        return Ok((signed, None));
    };
    let text = read_text(key_path, "public key")?;
    // The secret key of a signer given instead of its public key (both are 64 hex digits).
    if let Ok(secret) = SecretKey::from_text(&text) {
        let signer = secret.public().key_id();
        if signed.signatures.iter().any(|(_, s)| s.key_id == signer) {
            return Err(CliError::Input(format!(
                "{} is a secret key: give --key its public key, {}.pub, which `listdiff keygen` wrote beside it",
                key_path.display(),
                key_path.display()
            )));
        }
    }
    // A key file with a .pub beside it may be a secret key.
    let public_beside = {
        let mut beside = key_path.as_os_str().to_owned();
        beside.push(".pub");
        std::path::PathBuf::from(beside)
    };
    let hint = if public_beside.is_file() {
        format!(
            "; if {} is a secret key, give --key its public key, {}",
            key_path.display(),
            public_beside.display()
        )
    } else {
        String::new()
    };
    let public = PublicKey::from_text(&text)
        .map_err(|e| CliError::Input(format!("{}: {e}{hint}", key_path.display())))?;
    let key_id = signed
        .verify(&public)
        .map_err(|e| CliError::Verification(format!("checkpoint {}: {e}{hint}", path.display())))?;
    Ok((signed, Some(key_id)))
}
