//! `listdiff man [--dir DIR]`
//!
//! The manual page, in roff, generated from the same definition of the command line that parses
//! it. Without `--dir`, prints the page of `listdiff` itself (its synopsis, global options,
//! subcommands and exit codes) on standard output. With `--dir DIR`, writes that page as
//! `listdiff.1` and one page per subcommand (`listdiff-ingest.1`, `listdiff-since.1`, …, each
//! with the subcommand's options) into DIR, creating it if needed and replacing pages of the
//! same names, and prints the path of each page written. Needs no store.
//!
//! ```text
//! listdiff man | man -l -
//! listdiff man --dir ~/.local/share/man/man1
//! ```

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_mangen::Man;

use super::{Cli, CliError, Context, Outcome, print};
use crate::model::text::visible;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  listdiff man | man -l -\n  listdiff man --dir ~/.local/share/man/man1"
)]
pub(crate) struct Args {
    /// Write listdiff.1 and a page per subcommand (listdiff-SUBCOMMAND.1) into DIR, created if
    /// missing, replacing pages of the same names, instead of printing listdiff.1
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

pub(crate) fn run(_context: &Context, args: Args) -> Result<Outcome, CliError> {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    match args.dir {
        None => {
            let page = render(&command)?;
            print(|out| out.write_all(&page))?;
        }
        Some(dir) => {
            std::fs::create_dir_all(&dir).map_err(|e| cannot_write(&dir, &e))?;
            let mut written = Vec::new();
            write_pages(&command, &dir, &mut written)?;
            print(|out| {
                for path in &written {
                    writeln!(out, "{}", visible(&path.display().to_string()))?;
                }
                Ok(())
            })?;
        }
    }
    Ok(Outcome::Done)
}

/// The page of `command`, titled with its full name in capitals (`LISTDIFF`,
/// `LISTDIFF-INGEST`), as man pages are.
fn page(command: &clap::Command) -> Man {
    let name = command
        .get_display_name()
        .unwrap_or_else(|| command.get_name());
    Man::new(command.clone())
        .title(name.to_uppercase())
        .source(concat!("listdiff ", env!("CARGO_PKG_VERSION")))
        .manual("listdiff manual")
}

/// The roff of `command`'s page.
fn render(command: &clap::Command) -> Result<Vec<u8>, CliError> {
    let mut roff = Vec::new();
    page(command).render(&mut roff).map_err(CliError::Output)?;
    Ok(roff)
}

/// Writes the page of `command` and of each of its subcommands, depth first, into `dir`, and
/// adds each path written to `written`, the command's own page first.
fn write_pages(
    command: &clap::Command,
    dir: &Path,
    written: &mut Vec<PathBuf>,
) -> Result<(), CliError> {
    let path = dir.join(page(command).get_filename());
    let roff = render(command)?;
    std::fs::write(&path, roff).map_err(|e| cannot_write(&path, &e))?;
    written.push(path);
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub, dir, written)?;
    }
    Ok(())
}

fn cannot_write(path: &Path, error: &std::io::Error) -> CliError {
    CliError::Input(format!(
        "cannot write the manual pages to {}: {error}: give --dir a directory you can write to",
        visible(&path.display().to_string())
    ))
}
