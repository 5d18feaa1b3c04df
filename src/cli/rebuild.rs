//! `listdiff rebuild`
//!
//! Rebuilds every derived index from the event log, checking that each event replays as it was
//! recorded. The log itself is never changed.

use super::{CliError, Context, Outcome};
use crate::store::Access;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {}

pub(crate) fn run(context: &Context, _args: Args) -> Result<Outcome, CliError> {
    let store = context.open_store(Access::Read)?;
    let count = store.rebuild()?;
    super::human::say(&format!(
        "rebuilt the indexes of {} from {count} events",
        store.path().display()
    ));
    Ok(Outcome::Done)
}
