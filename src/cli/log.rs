//! `listdiff log`
//!
//! The recorded events in recording order: publication date, recording time, kind, source,
//! input hash, what each changed when recorded, and which earlier event a correction replaces.

use super::{CliError, Context, Outcome, QueryOptions, print};
use crate::store::Access;
use crate::{query, render};

#[derive(clap::Args, Debug)]
#[command(after_help = "Example: listdiff log -o json")]
pub(crate) struct Args {
    #[command(flatten)]
    query: QueryOptions,
}

pub(crate) fn run(context: &Context, args: Args) -> Result<Outcome, CliError> {
    let store = context.open_store(Access::Read)?;
    let report = query::log(&store.view(), &args.query.filter())?;
    // Let go of the store before printing: another process waiting for it goes on meanwhile.
    store.close()?;
    print(|out| render::log(out, &report, args.query.output, context.style))?;
    Ok(Outcome::Done)
}
