//! `listdiff import FILE --store PATH`
//!
//! Creates a new store at PATH (which must not exist, or be an empty directory) from an export
//! written by `listdiff export` (FILE, or - for standard input). Every line is checked — the
//! header, each event's seq, leaf hash, header bytes and content hash, that each event replays
//! as it was recorded, and that the closing checkpoint matches the log — before the store is
//! moved into place; a damaged export fails with exit code 4, naming the line and the event,
//! and leaves nothing behind. The new store keeps the exported store's id. See docs/export.md.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::PathBuf;

use super::{CliError, Context, Outcome};
use crate::store::{self, ImportError};

#[derive(clap::Args, Debug)]
#[command(after_help = "Example: listdiff --store restored import backup.jsonl")]
pub(crate) struct Args {
    /// The export to read, or - for standard input
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

impl From<ImportError> for CliError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::NotEmpty { .. } | ImportError::Read { .. } => {
                CliError::Input(e.to_string())
            }
            ImportError::Fault(fault) => CliError::Verification(fault.to_string()),
            ImportError::Store(s) => CliError::Store(s),
        }
    }
}

pub(crate) fn run(context: &Context, args: Args) -> Result<Outcome, CliError> {
    let target = context.store_path()?;
    let mut source: Box<dyn BufRead> = if args.file.as_os_str() == "-" {
        Box::new(BufReader::with_capacity(1 << 20, io::stdin().lock()))
    } else {
        let file = File::open(&args.file).map_err(|e| {
            CliError::Input(format!(
                "cannot read {}: {e}; give the path of a file written by listdiff export, or - for standard input",
                args.file.display()
            ))
        })?;
        Box::new(BufReader::with_capacity(1 << 20, file))
    };
    let summary = store::import(&mut source, &target, context.now()?).map_err(|e| match e {
        ImportError::Read { line, source } => CliError::Input(format!(
            "cannot read {} after line {line}: {source}",
            args.file.display()
        )),
        other => other.into(),
    })?;
    super::human::report(&format!(
        "imported {} events into {} (store {}); every hash checks out, root {}",
        summary.events,
        target.display(),
        summary.checkpoint.store_id,
        summary.checkpoint.root
    ));
    Ok(Outcome::Done)
}
