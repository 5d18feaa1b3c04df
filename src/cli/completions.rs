//! `listdiff completions SHELL`
//!
//! Prints the tab-completion script for SHELL (bash, zsh, fish, powershell or elvish) on
//! standard output, generated from the same definition of the command line that parses it, so
//! it completes every subcommand, option and fixed value of this version. Needs no store.
//!
//! ```text
//! listdiff completions bash > ~/.local/share/bash-completion/completions/listdiff
//! listdiff completions zsh > ~/.zfunc/_listdiff        # with fpath+=(~/.zfunc) before compinit
//! listdiff completions fish > ~/.config/fish/completions/listdiff.fish
//! listdiff completions powershell >> $PROFILE
//! ```

use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, CliError, Context, Outcome, print};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example: listdiff completions bash > ~/.local/share/bash-completion/completions/listdiff"
)]
pub(crate) struct Args {
    /// The shell to complete for
    #[arg(value_name = "SHELL", value_enum)]
    shell: Shell,
}

pub(crate) fn run(_context: &Context, args: Args) -> Result<Outcome, CliError> {
    let mut command = Cli::command();
    let name = command.get_name().to_string();
    // Generated into memory first: clap_complete panics when its writer fails (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, name, &mut script);
    print(|out| out.write_all(&script))?;
    Ok(Outcome::Done)
}
