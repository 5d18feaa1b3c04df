//! `listdiff export [-o FILE]`
//!
//! Writes the whole log as JSON lines — a header, one line per event in seq order (its stored
//! header bytes, their Merkle leaf hash and its content lines, verbatim), and a checkpoint
//! whose time is the last event's recording time — to standard output or FILE. The same log
//! always exports to the same bytes; `listdiff import` rebuilds a store from it. FILE is
//! written beside itself and renamed into place when complete. See docs/export.md.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::{CliError, Context, Outcome};
use crate::store::{Access, ExportError};

#[derive(clap::Args, Debug)]
#[command(after_help = "Example: listdiff export -o backup.jsonl")]
pub(crate) struct Args {
    /// Write the export to FILE instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

impl From<ExportError> for CliError {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::Store(s) => CliError::Store(s),
            ExportError::Write(io) => CliError::Output(io),
        }
    }
}

pub(crate) fn run(context: &Context, args: Args) -> Result<Outcome, CliError> {
    let store = context.open_store(Access::Read)?;
    match &args.output {
        None => {
            let stdout = io::stdout();
            let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
            store.export(&mut out)?;
        }
        Some(path) => {
            let summary = write_file(path, |out| Ok(store.export(out)?))?;
            super::human::report(&format!(
                "exported {} events of store {} to {} (root {})",
                summary.events,
                summary.checkpoint.store_id,
                path.display(),
                summary.checkpoint.root
            ));
        }
    }
    store.close()?;
    Ok(Outcome::Done)
}

/// Writes `path` through a temporary file beside it, renamed into place only when `write`
/// succeeds (and removed when it fails), so FILE is never left half written.
fn write_file<T>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<T, CliError>,
) -> Result<T, CliError> {
    let cannot = |e: io::Error| CliError::Input(format!("cannot write {}: {e}", path.display()));
    let name = path
        .file_name()
        .ok_or_else(|| CliError::Input(format!("{} is not a file name", path.display())))?;
    let partial = path.with_file_name(format!(
        ".{}.partial-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = File::create(&partial).map_err(cannot).and_then(|file| {
        let mut out = BufWriter::with_capacity(1 << 20, file);
        let value = write(&mut out)?;
        let file = out.into_inner().map_err(|e| cannot(e.into_error()))?;
        file.sync_all().map_err(cannot)?;
        Ok(value)
    });
    match result.and_then(|value| {
        std::fs::rename(&partial, path)
            .map_err(cannot)
            .map(|()| value)
    }) {
        Ok(value) => Ok(value),
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}
