//! `listdiff rebuild`
//!
//! Rebuilds every derived index from the event log, checking that each event replays as it was
//! recorded. The log itself is never changed; the indexes are built beside the store and replace
//! its own only when the whole log replayed, so a rebuild that fails changes nothing.

use super::{CliError, Context, Outcome};
use crate::store::Access;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {}

pub(crate) fn run(context: &Context, _args: Args) -> Result<Outcome, CliError> {
    let store = context.open_store(Access::Change)?;
    let count = store.rebuild()?;
    let path = store.path().to_path_buf();
    store.close()?;
    super::human::report(&format!(
        "rebuilt the indexes of {} from {count} events",
        path.display()
    ));
    Ok(Outcome::Done)
}
