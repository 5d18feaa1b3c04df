//! `listdiff reparse [SEQ...] [--list ID] [--exit-code] [-o table|json]`
//!
//! Reads the archived inputs of recorded events again with this listdiff's parsers and reports,
//! per event, whether the result is the `same` as what the event recorded or `differs` (naming
//! the entries only the reparse has, only the recorded content has, and those read
//! differently, with their fields), with the recorded and current parser. A difference is a
//! parser change, never a publisher's change: the bytes are the ones recorded, checked against
//! the SHA-256s in the event.
//!
//! Events whose inputs were not archived (see `ingest --archive`) are reported as
//! `not archived`; inputs the current parsers refuse as `unreadable`. An archive file that does
//! not hash to the SHA-256 its event records is reported as `damaged` and makes the command
//! fail with exit code 4 after the report. With --exit-code, exit 1 when any event differs or
//! is unreadable.

use std::io::Write;

use super::archive::archive_error;
use super::{CliError, Context, Outcome, parse_list_id, print};
use crate::formats::Format;
use crate::ingest::{self, ArchivedInput};
use crate::model::ListId;
use crate::model::reparse::{EventReparse, ReparseDifference, ReparseReport, ReparseStatus};
use crate::query::{self, ListFilter};
use crate::render;
use crate::store::{Access, ArchiveError, EventInputs, ReadManifest, Store};

/// Output formats of `reparse`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ReparseOutput {
    /// One line per event, then the entries that differ.
    Table,
    /// One JSON document.
    Json,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  listdiff reparse\n  listdiff reparse 12 13 -o json\n  listdiff reparse --list us-ofac-sdn --exit-code"
)]
pub(crate) struct Args {
    /// The events to reparse [default: every event]
    #[arg(value_name = "SEQ")]
    seqs: Vec<u64>,
    /// Only this list's events
    #[arg(long, value_name = "ID", value_parser = parse_list_id)]
    list: Option<ListId>,
    /// Exit with 1 when any event differs or cannot be read
    #[arg(long)]
    exit_code: bool,
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value_t = ReparseOutput::Table)]
    output: ReparseOutput,
}

pub(crate) fn run(context: &Context, args: Args) -> Result<Outcome, CliError> {
    let store = context.open_store(Access::Read)?;
    // A named list must exist.
    ListFilter(args.list.clone()).lists(&store.view())?;
    let events = store.event_inputs()?;
    for seq in &args.seqs {
        if *seq == 0 || *seq > events.len() as u64 {
            return Err(CliError::Input(format!(
                "there is no event {seq}: the store has events 1 to {}; see `listdiff log`",
                events.len()
            )));
        }
    }
    let mut report = ReparseReport::default();
    for event in events {
        if !args.seqs.is_empty() && !args.seqs.contains(&event.seq) {
            continue;
        }
        if args.list.as_ref().is_some_and(|list| list != &event.list) {
            continue;
        }
        report.events.push(reparse_event(&store, event)?);
    }
    print(|out: &mut dyn Write| match args.output {
        ReparseOutput::Table => render::reparse::table(out, &report),
        ReparseOutput::Json => render::reparse::json(out, &report),
    })?;
    store.close()?;
    let damaged: Vec<String> = report
        .events
        .iter()
        .filter(|e| e.status == ReparseStatus::Damaged)
        .filter_map(|e| e.note.clone())
        .collect();
    if !damaged.is_empty() {
        return Err(CliError::Verification(format!(
            "{}; restore the archive files from a backup, or ingest the original files again with --archive after removing the damaged ones",
            damaged.join("; ")
        )));
    }
    let any_difference =
        report.count(ReparseStatus::Differs) + report.count(ReparseStatus::Unreadable) > 0;
    Ok(Outcome::of_changes(args.exit_code, any_difference))
}

/// The archived bytes of an event's inputs, in the order of its reads.
type ArchivedBytes = Vec<ArchivedInput>;

/// Why an event's archived inputs cannot be had.
enum Unavailable {
    /// Not archived (the message says what is missing).
    Missing(String),
    /// An archive file is damaged (the message names it and the event).
    Damaged(String),
}

/// Reparses one event.
fn reparse_event(store: &Store, event: EventInputs) -> Result<EventReparse, CliError> {
    let mut result = EventReparse {
        seq: event.seq,
        list: event.list.clone(),
        published: event.published.date,
        kind: event.kind,
        status: ReparseStatus::Same,
        recorded_parser: event.parser.clone(),
        current_parser: None,
        difference: ReparseDifference::default(),
        note: None,
    };
    let (manifest, bytes) = match archived_inputs(store, &event)? {
        Ok(found) => found,
        Err(Unavailable::Missing(note)) => {
            result.status = ReparseStatus::NotArchived;
            result.note = Some(note);
            return Ok(result);
        }
        Err(Unavailable::Damaged(note)) => {
            result.status = ReparseStatus::Damaged;
            result.note = Some(note);
            return Ok(result);
        }
    };
    let Some(format) = Format::from_name(&event.format) else {
        result.status = ReparseStatus::Unreadable;
        result.note = Some(format!(
            "this listdiff has no format {:?}; see `listdiff formats`",
            event.format
        ));
        return Ok(result);
    };
    result.current_parser = Some(ingest::parser_name(format));
    let content = match ingest::reread(format, &manifest, &event.list, bytes) {
        Ok(content) => content,
        Err(why) => {
            result.status = ReparseStatus::Unreadable;
            result.note = Some(why.to_string());
            return Ok(result);
        }
    };
    if content.kind() != event.kind {
        result.status = ReparseStatus::Differs;
        result.note = Some(format!(
            "the current parser reads a {} where the event records a {}",
            content.kind(),
            event.kind
        ));
        return Ok(result);
    }
    result.difference = query::reparse::compare_event(store, &event, content)?;
    if !result.difference.is_empty() {
        result.status = ReparseStatus::Differs;
    }
    Ok(result)
}

/// The read manifest and the archived bytes of every input of `event`, each checked against
/// the SHA-256 the event records.
fn archived_inputs(
    store: &Store,
    event: &EventInputs,
) -> Result<Result<(ReadManifest, ArchivedBytes), Unavailable>, CliError> {
    let archive = store.archive();
    let manifest_file = archive
        .manifest_path(&event.sha256)
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let manifest = match archive.manifest(&event.sha256, &event.list, event.published) {
        Ok(Some(manifest)) => manifest,
        Ok(None) => {
            return Ok(Err(Unavailable::Missing(
                "its inputs were not archived (no read manifest); ingest the original files again with --archive to archive them".into(),
            )));
        }
        Err(ArchiveError::Damaged { path, reason }) => {
            return Ok(Err(Unavailable::Damaged(format!(
                "event {}: archive file {} is damaged: {reason}",
                event.seq,
                path.display()
            ))));
        }
        Err(e) => return Err(archive_error(e)),
    };
    // The manifest must name exactly the files the event records.
    let mut named: Vec<&str> = manifest
        .reads
        .iter()
        .flat_map(|r| std::iter::once(&r.primary).chain(&r.companions))
        .map(|f| f.sha256.as_str())
        .collect();
    let mut recorded: Vec<&str> = event.inputs.iter().map(|i| i.sha256.as_str()).collect();
    named.sort_unstable();
    recorded.sort_unstable();
    if named != recorded {
        return Ok(Err(Unavailable::Damaged(format!(
            "event {}: archive file {manifest_file} is damaged: its read manifest names other files than the event's inputs",
            event.seq
        ))));
    }
    let fetch = |file: &crate::store::ArchivedFile| -> Result<Result<(String, Vec<u8>), Unavailable>, CliError> {
        // The manifest names exactly the event's inputs (checked above), which record sizes.
        let size = event
            .inputs
            .iter()
            .find(|input| input.sha256 == file.sha256)
            .map_or(0, |input| input.bytes);
        match archive.get(&file.sha256, size) {
            Ok(Some(bytes)) => Ok(Ok((file.name.clone(), bytes))),
            Ok(None) => Ok(Err(Unavailable::Missing(format!(
                "input {} ({}) is not in the archive; ingest it again with --archive",
                file.name, file.sha256
            )))),
            Err(ArchiveError::Damaged { path, reason }) => Ok(Err(Unavailable::Damaged(format!(
                "event {}: archive file {} (input {}) is damaged: {reason}",
                event.seq,
                path.display(),
                file.name
            )))),
            Err(e) => Err(archive_error(e)),
        }
    };
    let mut bytes = Vec::new();
    for read in &manifest.reads {
        let primary = match fetch(&read.primary)? {
            Ok(found) => found,
            Err(why) => return Ok(Err(why)),
        };
        let mut companions = Vec::new();
        for companion in &read.companions {
            match fetch(companion)? {
                Ok(found) => companions.push(found),
                Err(why) => return Ok(Err(why)),
            }
        }
        bytes.push((primary, companions));
    }
    Ok(Ok((manifest, bytes)))
}
