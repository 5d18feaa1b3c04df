//! `listdiff history QUERY`
//!
//! Every version of the entries whose id is QUERY or whose name (any name it has had) contains
//! QUERY, ignoring case, with the publication that made each version.

use super::{
    CliError, Context, KnownAtOption, MaxAgeOption, Outcome, QueryOptions, note_basis, print,
};
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
    #[command(flatten)]
    max_age: MaxAgeOption,
}

pub(crate) fn run(context: &Context, args: Args) -> Result<Outcome, CliError> {
    let store = context.open_store(Access::Read)?;
    let past = args.known.past(&store, args.options.list.as_ref())?;
    let view = past.as_ref().map_or_else(|| store.view(), |p| p.view());
    let today = args.known.today(context)?;
    let report = query::history(&view, &args.query, &args.options.filter(), today)?;
    drop(view);
    drop(past);
    // Let go of the store before printing: another process waiting for it goes on meanwhile.
    store.close()?;
    print(|out| render::history(out, &report, args.options.output, context.style))?;
    note_basis(args.options.output, &report.basis);
    Ok(Outcome::Done.unless_stale(args.max_age.stale(&report.basis)))
}
