//! `listdiff log`
//!
//! The recorded events in recording order: publication time, recording time, kind, source,
//! input hash, identity, what each changed when recorded, which earlier event a correction
//! replaces, whether each publication counts now (or which correction or retraction took its
//! place), and each retraction with the event it retracts and its reason.

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
