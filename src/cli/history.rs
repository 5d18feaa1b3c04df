//! `listdiff history QUERY`
//!
//! Every version of the entries whose id is QUERY or whose name (any name it has had) contains
//! QUERY, ignoring case, with the publication that made each version.

use super::{CliError, Context, KnownAtOption, Outcome, QueryOptions, print};
use crate::store::Access;
use crate::{query, render};

#[derive(clap::Args, Debug)]
#[command(after_help = "Example: listdiff history uniview")]
pub(crate) struct Args {
    /// An entry id, or part of a name
    query: String,
    #[command(flatten)]
    options: QueryOptions,
    #[command(flatten)]
    known: KnownAtOption,
}

pub(crate) fn run(context: &Context, args: Args) -> Result<Outcome, CliError> {
    let store = context.open_store(Access::Read)?;
    let past = args.known.past(&store, args.options.list.as_ref())?;
    let view = past.as_ref().map_or_else(|| store.view(), |p| p.view());
    let report = query::history(&view, &args.query, &args.options.filter())?;
    drop(view);
    drop(past);
    // Let go of the store before printing: another process waiting for it goes on meanwhile.
    store.close()?;
    print(|out| render::history(out, &report, args.options.output, context.style))?;
    Ok(Outcome::Done)
}
