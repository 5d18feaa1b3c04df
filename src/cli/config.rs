//! `listdiff config [NAME [VALUE]]`
//!
//! Shows or changes the store's settings. Settings are not events: they live beside the log,
//! change no answer, and are not part of any replay. `listdiff config` lists every setting;
//! `listdiff config archive` shows one; `listdiff config archive on` sets it.
//!
//! Settings: `archive` (`on`/`off`, default `off`): whether `ingest` keeps each input's exact
//! bytes in the store's archive without being given --archive.

use super::{CliError, Context, Outcome};
use crate::model::text::quote_bounded;
use crate::store::{Access, SETTINGS};

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  listdiff config\n  listdiff config archive on")]
pub(crate) struct Args {
    /// The setting: archive
    #[arg(value_name = "NAME")]
    name: Option<String>,
    /// Its new value: on or off
    #[arg(value_name = "VALUE", requires = "name")]
    value: Option<String>,
}

/// The values a setting takes, and the one it has when not set.
const ON_OFF: [&str; 2] = ["on", "off"];
const DEFAULT: &str = "off";

fn known(name: &str) -> Result<(), CliError> {
    if SETTINGS.iter().any(|(n, _)| *n == name) {
        return Ok(());
    }
    let names: Vec<&str> = SETTINGS.iter().map(|(n, _)| *n).collect();
    Err(CliError::Input(format!(
        "unknown setting \"{}\": the settings are {}",
        quote_bounded(name),
        names.join(", ")
    )))
}

pub(crate) fn run(context: &Context, args: Args) -> Result<Outcome, CliError> {
    match (args.name, args.value) {
        (Some(name), Some(value)) => {
            known(&name)?;
            if !ON_OFF.contains(&value.as_str()) {
                return Err(CliError::Input(format!(
                    "\"{}\" is not a value of {name}: use on or off",
                    quote_bounded(&value)
                )));
            }
            let store = context.open_store(Access::Write)?;
            store.set_setting(&name, &value)?;
            super::human::report(&format!("{name} = {value} in {}", store.path().display()));
            store.close()?;
        }
        (Some(name), None) => {
            known(&name)?;
            let store = context.open_store(Access::Read)?;
            let value = store.setting(&name)?;
            println!("{}", value.as_deref().unwrap_or(DEFAULT));
            store.close()?;
        }
        (None, _) => {
            let store = context.open_store(Access::Read)?;
            for (name, meaning) in SETTINGS {
                let value = store.setting(name)?;
                println!(
                    "{name} = {}{}\t# {meaning}",
                    value.as_deref().unwrap_or(DEFAULT),
                    if value.is_none() { " (default)" } else { "" }
                );
            }
            store.close()?;
        }
    }
    Ok(Outcome::Done)
}
