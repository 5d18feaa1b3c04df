//! The reading options `ingest` and `compare` share (`--format`, `--key`, `--map`), as the
//! pipeline's [`InputOptions`], and the pipeline's errors as command errors.

use super::CliError;
use super::archive::archive_error;
use crate::formats::{Delimiter, Format};
use crate::ingest::{IngestError, InputOptions};
use crate::model::ListId;
use crate::model::text::quote_bounded;

/// How to read input files: the options `ingest` and `compare` share.
#[derive(clap::Args, Clone, Debug, Default)]
pub(crate) struct ReadArgs {
    /// Read the input as this format instead of recognising it (see `listdiff formats`)
    #[arg(long, value_name = "FMT", value_parser = parse_format)]
    pub(crate) format: Option<Format>,
    /// Plain CSV: the column that keys an entry; repeat for a composite key (implies --format csv)
    #[arg(long = "key", value_name = "COLUMN")]
    pub(crate) keys: Vec<String>,
    /// Plain CSV: fill the entry field FIELD from COLUMN (repeatable; e.g. --map name=Entity)
    #[arg(long = "map", value_name = "FIELD=COLUMN", value_parser = parse_mapping)]
    pub(crate) map: Vec<(String, String)>,
    /// Plain CSV: the field delimiter, comma, tab, semicolon or pipe (the name or the
    /// character); by default told from the header (implies --format csv)
    #[arg(long, value_name = "DELIM", value_parser = parse_delimiter)]
    pub(crate) delimiter: Option<Delimiter>,
}

impl ReadArgs {
    /// These options for the pipeline, with `--list`, which each command declares itself: the
    /// list to read, and for a format that names no list (csv, native-ndjson), its id.
    pub(crate) fn input_options(&self, list: Option<ListId>) -> InputOptions {
        InputOptions {
            format: self.format,
            list,
            keys: self.keys.clone(),
            map: self.map.clone(),
            delimiter: self.delimiter,
        }
    }
}

/// Parses `--delimiter`.
fn parse_delimiter(text: &str) -> Result<Delimiter, String> {
    Delimiter::parse(text).ok_or_else(|| {
        format!(
            "\"{}\" is not a delimiter listdiff reads: give comma, tab, semicolon or pipe (or the character itself)",
            quote_bounded(text)
        )
    })
}

/// Parses `--format`.
pub(crate) fn parse_format(text: &str) -> Result<Format, String> {
    Format::from_name(text).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        format!(
            "unknown format \"{}\": use one of {}",
            quote_bounded(text),
            names.join(", ")
        )
    })
}

/// Parses `--map FIELD=COLUMN`.
fn parse_mapping(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((field, column)) if !field.trim().is_empty() && !column.trim().is_empty() => {
            Ok((field.trim().to_string(), column.trim().to_string()))
        }
        _ => Err(format!(
            "\"{}\" is not FIELD=COLUMN (e.g. --map name=\"Entity Name\")",
            quote_bounded(text)
        )),
    }
}

/// A pipeline error as a command error: a store failure exits with 3, an archive failure as
/// [`archive_error`] says, anything else is bad input (exit 2).
impl From<IngestError> for CliError {
    fn from(e: IngestError) -> Self {
        match e {
            IngestError::Store(e) => CliError::Store(e),
            IngestError::Archive(e) => archive_error(e),
            input => CliError::Input(input.to_string()),
        }
    }
}
