//! The format registry: one descriptor per format, and the list of them all.
//!
//! A format is one file (its parser and its [`FormatDescriptor`]) plus one line in
//! [`REGISTRY`]; `listdiff formats`, `--format`, recognition by content ([`super::detect`]),
//! streaming and companion files all come from the descriptors. See
//! `docs/adding-a-format.md`.

use super::{
    EntrySink, Format, FormatError, Input, ParseResult, StreamedSnapshot, bis_dpl, csl,
    dhs_uflpa_html, ecfr, eu_fsf, federal_register, native, ofac, opensanctions, plain_csv, uk, un,
};

/// Every format, in the order `listdiff formats` lists them.
pub(super) const REGISTRY: &[Format] = &[
    Format(&native::publication::NATIVE),
    Format(&native::entries::NATIVE_NDJSON),
    Format(&csl::CSL_CSV),
    Format(&csl::CSL_JSON),
    Format(&ofac::legacy_csv::SDN_CSV),
    Format(&ofac::legacy_csv::CONS_CSV),
    Format(&ofac::legacy_xml::LEGACY_XML),
    Format(&ofac::advanced_xml::ADVANCED_XML),
    Format(&un::UN_XML),
    Format(&eu_fsf::xml::EU_FSF_XML),
    Format(&eu_fsf::csv::EU_FSF_CSV),
    Format(&uk::csv::FCDO_CSV),
    Format(&uk::fcdo_xml::FCDO_XML),
    Format(&uk::csv::OFSI_CSV),
    Format(&bis_dpl::BIS_DPL),
    Format(&ecfr::ECFR_ENTITY_LIST),
    Format(&federal_register::FEDERAL_REGISTER),
    Format(&dhs_uflpa_html::DHS_UFLPA_HTML),
    Format(&opensanctions::FTM_JSON),
    Format(&opensanctions::FTM_DELTA),
    Format(&plain_csv::PLAIN_CSV),
];

/// Everything listdiff knows about one format.
pub(crate) struct FormatDescriptor {
    /// The name used by `--format` and recorded in events (`ofac-xml`).
    pub(crate) name: &'static str,
    /// One line on what the format is.
    pub(crate) description: &'static str,
    /// The list ids the format produces.
    pub(crate) list_ids: &'static str,
    /// The entry key the format uses.
    pub(crate) key: &'static str,
    /// The publisher fields that become the reason fields.
    pub(crate) reason_fields: &'static str,
    /// The parser's version, recorded with every event it reads: bumped whenever the same bytes
    /// would give different content than before (never for a file it used to refuse).
    pub(crate) parser_version: u32,
    /// How a file of this format is told by its first bytes; `None` for a format read only when
    /// named (`--format`, or `--key`/`--map` for the plain CSV).
    pub(crate) recogniser: Option<Recogniser>,
    /// Reads one input whole.
    pub(crate) parse: fn(&Input) -> ParseResult,
    /// How the format reads large files, and what else it can do.
    pub(crate) capabilities: Capabilities,
}

/// How a format is recognised from a file's first bytes.
#[derive(Clone, Copy)]
pub(crate) struct Recogniser {
    /// The shape of the files: only files of that shape are shown to `test`.
    pub(crate) shape: Shape,
    /// Among the recognisers of one shape, lower is asked first (the registry's order among
    /// equals); the first that recognises the file decides. Formats with a distinctive mark
    /// (an XML root, a header row) use 0; formats recognised by a weaker sign come after the
    /// ones they could be mistaken for.
    pub(crate) order: u8,
    /// The test: given the file's head (decoded by the one policy, without a byte-order mark
    /// or leading white space, at most 64 KiB), what it is, if it is this format's.
    pub(crate) test: fn(&[u8]) -> Option<Recognised>,
}

/// The shape of a file's start, which decides which recognisers look at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Starts with `<`.
    Xml,
    /// Starts with `{`.
    JsonObject,
    /// Anything else: delimited text.
    Delimited,
}

/// What a recogniser found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Recognised {
    /// A publication in this format.
    This,
    /// A companion file of this format (its canonical name): read with its primary file.
    Companion(&'static str),
}

/// Reads a one-list snapshot one entry at a time (see [`Format::parse_entries`]).
pub(crate) type ParseEntries =
    fn(&Input, &mut EntrySink) -> Result<Option<StreamedSnapshot>, FormatError>;

/// The records of a file by key, as their exact bytes (see [`super::parse_differing`]); `None`
/// when the file cannot be narrowed so.
pub(crate) type KeyedRowsOf = for<'a> fn(&'a [u8]) -> Option<KeyedRows<'a>>;

/// The records of a file by key, as the exact bytes of each record: two files' records with
/// the same key and bytes give the same entry.
pub(crate) struct KeyedRows<'a> {
    /// The header line, with its line end.
    pub(crate) header: &'a [u8],
    /// Each record's bytes, with its line end, by key.
    pub(crate) rows: std::collections::HashMap<(Vec<u8>, Vec<u8>), &'a [u8]>,
}

/// How a snapshot's entries can be given one at a time, so that a large file is recorded
/// without holding its list.
#[derive(Clone, Copy)]
pub(crate) enum Entries {
    /// Not at all: the input is read with [`FormatDescriptor::parse`].
    Whole,
    /// Read whole (records are joined across the file), then given one at a time, each freed
    /// as it goes.
    AfterWholeRead,
    /// By the format's own reader, which keeps only what it must join across the file.
    Streamed(ParseEntries),
    /// One record at a time: memory follows one record.
    RecordByRecord(ParseEntries),
}

/// Companion files read beside a primary file (OFAC's legacy CSV set).
#[derive(Clone, Copy)]
pub(crate) struct Companions {
    /// The names the companions are known by in [`Input::companions`], in reading order.
    pub(crate) keys: &'static [&'static str],
    /// The file names to look for beside a primary file called `primary_name`, in the order of
    /// `keys` (matched case-insensitively).
    pub(crate) names: fn(&str) -> Vec<String>,
}

/// What a format can do besides reading an input whole.
#[derive(Clone, Copy)]
pub(crate) struct Capabilities {
    /// Files can be large: they are read from a stream ([`super::InputFile::reader`]) and never
    /// held in memory whole.
    pub(crate) streams: bool,
    /// How a snapshot's entries can be given one at a time.
    pub(crate) entries: Entries,
    /// Companion files read beside the primary file.
    pub(crate) companions: Option<Companions>,
    /// The format a file recognised as this one is, given its name (`None`: this one).
    pub(crate) refine_by_name: Option<fn(&str) -> Option<Format>>,
    /// The key columns and field mapping come from `--key` and `--map`.
    pub(crate) key_and_map_from_options: bool,
    /// Each file is a delta of a feed published several times a day: one ingest merges a
    /// list's deltas of one date into one amendment, applied in file order.
    pub(crate) delta_feed: bool,
    /// Two files can be compared by the records that differ (see [`super::parse_differing`]).
    pub(crate) keyed_rows: Option<KeyedRowsOf>,
    /// The byte the publisher ends every file of the format with (OFAC's legacy CSV: 0x1A, a
    /// DOS end-of-file mark), so that a file without it may be cut short: the ingest's feed
    /// checks compare it with the list's earlier publication.
    pub(crate) end_mark: Option<u8>,
}

impl Capabilities {
    /// A format read whole from memory, with nothing else to it.
    pub(crate) const NONE: Capabilities = Capabilities {
        streams: false,
        entries: Entries::Whole,
        companions: None,
        refine_by_name: None,
        key_and_map_from_options: false,
        delta_feed: false,
        keyed_rows: None,
        end_mark: None,
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_capabilities_consistent() {
        let mut names: Vec<&str> = REGISTRY.iter().map(|f| f.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), REGISTRY.len(), "a name is used twice");
        for format in REGISTRY {
            let capabilities = &format.0.capabilities;
            // Entries one at a time only come from a stream.
            assert!(
                matches!(capabilities.entries, Entries::Whole) || capabilities.streams,
                "{format}"
            );
            assert!(format.parser_version() >= 1, "{format}");
            assert_eq!(Format::from_name(format.name()), Some(*format));
        }
        assert_eq!(
            REGISTRY
                .iter()
                .filter(|f| f.0.capabilities.key_and_map_from_options)
                .count(),
            1,
            "one format reads --key and --map"
        );
    }
}
