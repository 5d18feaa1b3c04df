//! `listdiff retract SEQ --reason TEXT`
//!
//! Takes back a recorded publication (a wrong file, a wrong --published): appends a retraction
//! event naming it and the reason. Nothing is deleted: from then on the event no longer counts;
//! `--known-at` before the retraction still sees it, and `log` shows both. When the event
//! corrected an earlier one, that earlier version counts again in its place; when it did not
//! count (a later correction counts in its place), no answer changes. A publication that later
//! amendments build on is simply left out: the fold proceeds without it. A retraction cannot be
//! retracted: ingest the publication again instead. What cannot be retracted (no such event, a
//! retraction, an event already retracted) is refused with exit code 2, having written nothing.
//!
//! Prints what changed: which event counts again, the span of publication times whose answers
//! change (up to the next snapshot, which replaces the whole list), and what changed in the list
//! just after the retracted publication's place.

use super::human::report;
use super::ingest::parse_source;
use super::{CliError, Context, Outcome};
use crate::store::{Access, ChangedSpan, Retraction, StoreError};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  listdiff retract 7 --reason \"ingested with the wrong --published; the right file is event 8\"\n  listdiff log --list us-ofac-sdn"
)]
pub(crate) struct Args {
    /// The event to retract (see `listdiff log`)
    #[arg(value_name = "SEQ")]
    seq: u64,
    /// Why: kept in the log with the retraction
    #[arg(long, value_name = "TEXT", required = true, value_parser = parse_reason)]
    reason: String,
}

/// Parses `--reason`: text with something to read and no control characters.
fn parse_reason(text: &str) -> Result<String, String> {
    parse_source(text).map_err(|_| {
        "the reason must say why, in at most 1000 bytes without control characters".to_string()
    })
}

pub(crate) fn run(context: &Context, args: Args) -> Result<Outcome, CliError> {
    let mut store = context.open_store(Access::Change)?;
    let now = context.now()?;
    let retraction = store
        .retract(args.seq, &args.reason, now)
        .map_err(|e| match e {
            StoreError::Invalid(why) => CliError::Input(format!("cannot retract: {why}")),
            other => CliError::Store(other),
        })?;
    store.flush()?;
    tell(&retraction);
    store.close()?;
    Ok(Outcome::Done)
}

/// Prints what the retraction did.
fn tell(r: &Retraction) {
    let event = &r.retracted;
    report(&format!(
        "recorded event {}: retraction of event {} ({} {} {}, {}): {}",
        r.event.seq,
        event.seq,
        event.list,
        event.published,
        event.kind,
        event.source,
        r.event.reason
    ));
    let Some(ChangedSpan { from, until }) = &r.changed else {
        report(&format!(
            "event {} did not count (a later correction counts in its place): no answer changes",
            event.seq
        ));
        return;
    };
    match r.counts_again {
        Some(earlier) => report(&format!(
            "event {} no longer counts; event {earlier}, the version of this publication it corrected, counts again in its place",
            event.seq
        )),
        None => report(&format!(
            "event {} no longer counts; the fold of {} proceeds without it",
            event.seq, event.list
        )),
    }
    let span = match until {
        Some((snapshot, seq)) => format!(
            "from {from} up to the snapshot of {snapshot} (event {seq}), which replaces the whole list"
        ),
        None => format!("from {from} on"),
    };
    report(&format!(
        "answers for {} change {span}; just after its place: {} added, {} removed, {} changed",
        event.list, r.event.effect.added, r.event.effect.removed, r.event.effect.changed
    ));
}
