//! Reading archived inputs again the way `ingest` read the originals (for `reparse`).

use crate::formats::{Format, FormatError, Input, InputFile, ParseOptions, Parsed};
use crate::model::{ListId, PublicationContent};
use crate::store::ReadManifest;

/// One archived file: the name its event records, and its exact bytes.
pub type ArchivedBytes = (String, Vec<u8>);

/// The archived files of one read: the primary file and its companions.
pub type ArchivedInput = (ArchivedBytes, Vec<ArchivedBytes>);

/// Why the current parsers cannot read an event's archived inputs as it was recorded.
#[derive(Debug, thiserror::Error)]
pub enum RereadError {
    /// The parser refuses an input.
    #[error("the current parser cannot read the archived input: {0}")]
    Unreadable(FormatError),
    /// An input holds no publication of the event's list.
    #[error("the current parser reads no publication of {list} from {input} (it reads: {held})")]
    ListNotRead {
        /// The event's list.
        list: ListId,
        /// The input's recorded name.
        input: String,
        /// The lists it reads, joined with ", ".
        held: String,
    },
    /// One of several inputs (same-day deltas) reads as a snapshot.
    #[error(
        "the current parser reads {input} as a snapshot, which cannot be merged with the event's other inputs"
    )]
    NotMergeable {
        /// The input's recorded name.
        input: String,
    },
    /// The read manifest names no input.
    #[error("the read manifest names no input")]
    NoInput,
}

/// Parses an archived input the way [`super::read`] parsed the original: the primary file's
/// exact bytes with its companions, in `format`, with
/// `options`.
pub fn parse_archived(
    format: Format,
    (primary_name, primary_bytes): ArchivedBytes,
    companions: Vec<ArchivedBytes>,
    options: ParseOptions,
) -> Result<Parsed, FormatError> {
    let bytes = primary_bytes;
    let input = Input {
        primary: InputFile {
            name: primary_name,
            bytes,
            stream_from: None,
        },
        companions: companions
            .into_iter()
            .map(|(name, bytes)| {
                (
                    name.clone(),
                    InputFile {
                        name,
                        bytes,
                        stream_from: None,
                    },
                )
            })
            .collect(),
        options,
    };
    format.parse(&input)
}

/// Parses the archived inputs of one event of `list` as `ingest` did (several same-day deltas
/// merged in order into one amendment) and returns the content read for `list`.
pub fn reread(
    format: Format,
    manifest: &ReadManifest,
    list: &ListId,
    inputs: Vec<ArchivedInput>,
) -> Result<PublicationContent, RereadError> {
    let options = ParseOptions {
        list: manifest.options.list.clone(),
        keys: manifest.options.keys.clone(),
        map: manifest.options.map.clone(),
        // Not recorded in the manifest yet: a plain CSV is read again with its delimiter
        // told from its header (issue 12 item 10).
        delimiter: None,
    };
    let mut merged: Option<PublicationContent> = None;
    for (primary, companions) in inputs {
        let name = primary.0.clone();
        let parsed = parse_archived(format, primary, companions, options.clone())
            .map_err(RereadError::Unreadable)?;
        let held: Vec<String> = parsed
            .publications
            .iter()
            .map(|p| p.list.to_string())
            .collect();
        let Some(publication) = parsed.publications.into_iter().find(|p| &p.list == list) else {
            return Err(RereadError::ListNotRead {
                list: list.clone(),
                input: name,
                held: held.join(", "),
            });
        };
        merged = Some(match (merged, publication.content) {
            (None, content) => content,
            (Some(PublicationContent::Amendment(mut a)), PublicationContent::Amendment(b)) => {
                a.then(b);
                PublicationContent::Amendment(a)
            }
            (Some(_), _) => return Err(RereadError::NotMergeable { input: name }),
        });
    }
    merged.ok_or(RereadError::NoInput)
}
