//! `listdiff keygen OUT`
//!
//! Makes an Ed25519 key pair for signing checkpoints: OUT holds the secret key (the hex of a
//! 32-byte seed from the operating system's randomness; file mode 0600 on Unix) and OUT.pub the
//! public key (hex), which auditors use with `verify --key`. Never overwrites a file. Needs no
//! store.
//!
//! ```text
//! listdiff keygen ~/.config/listdiff/signing.key
//! listdiff checkpoint --sign ~/.config/listdiff/signing.key -o checkpoint.txt
//! listdiff verify --checkpoint checkpoint.txt --key ~/.config/listdiff/signing.key.pub
//! ```

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{CliError, Context, Outcome};
use crate::model::signature::SecretKey;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example: listdiff keygen signing.key   (writes signing.key and signing.key.pub)"
)]
pub(crate) struct Args {
    /// The secret key file to write; the public key goes to OUT.pub
    #[arg(value_name = "OUT")]
    out: PathBuf,
}

pub(crate) fn run(_context: &Context, args: Args) -> Result<Outcome, CliError> {
    let secret_path = args.out;
    let mut public_name = secret_path.clone().into_os_string();
    public_name.push(".pub");
    let public_path = PathBuf::from(public_name);
    for path in [&secret_path, &public_path] {
        if path.exists() {
            return Err(CliError::Input(format!(
                "{} already exists: keygen never overwrites a key; choose another name or remove it",
                path.display()
            )));
        }
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| {
        CliError::Input(format!(
            "cannot get random bytes from the operating system for a key: {e}"
        ))
    })?;
    let secret = SecretKey::from_seed(seed);
    let public = secret.public();
    write_new(&secret_path, &secret.to_text(), true)?;
    if let Err(error) = write_new(&public_path, &public.to_text(), false) {
        // Leave no secret key without its public key.
        let _ = std::fs::remove_file(&secret_path);
        return Err(error);
    }
    super::human::report(&format!(
        "wrote secret key {} and public key {} (key id {})",
        secret_path.display(),
        public_path.display(),
        public.key_id()
    ));
    Ok(Outcome::Done)
}

/// Writes a file that must not exist yet; `secret` makes it readable by its owner only.
fn write_new(path: &Path, text: &str, secret: bool) -> Result<(), CliError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    let cannot = |e: std::io::Error| {
        CliError::Input(format!(
            "cannot write {}: {e}; check that its directory exists and is writable",
            path.display()
        ))
    };
    let mut file = options.open(path).map_err(cannot)?;
    file.write_all(text.as_bytes()).map_err(cannot)?;
    file.sync_all().map_err(cannot)?;
    Ok(())
}
