//! EU Financial Sanctions Files, XML and CSV.
//!
//! Not implemented yet.

use super::{Format, FormatError, FormatInfo, Input, Location, ParseResult};

/// What `listdiff formats` says about `eu-fsf-xml`.
pub(super) const XML_INFO: FormatInfo = FormatInfo {
    name: "eu-fsf-xml",
    description: "EU Financial Sanctions Files XML (export)",
    list_ids: "eu-fsf",
    key: "logicalId",
    reason_fields: "regulation → programs/citations, remark → reason",
};

/// What `listdiff formats` says about `eu-fsf-csv`.
pub(super) const CSV_INFO: FormatInfo = FormatInfo {
    name: "eu-fsf-csv",
    description: "EU Financial Sanctions Files CSV",
    list_ids: "eu-fsf",
    key: "Entity_LogicalId",
    reason_fields: "regulation → programs/citations, remark → reason",
};

/// Reads one input.
pub(super) fn parse_xml(input: &Input) -> ParseResult {
    Err(FormatError::new(
        &input.primary.name,
        Location::File,
        "this format is not implemented yet",
    ))
}

/// Reads one input.
pub(super) fn parse_csv(input: &Input) -> ParseResult {
    Err(FormatError::new(
        &input.primary.name,
        Location::File,
        "this format is not implemented yet",
    ))
}

/// Recognises the format from the start of a file (`head`: at most its first 64 KiB, with any
/// byte-order mark and leading white space removed).
pub(super) fn recognise(head: &[u8]) -> Option<Format> {
    let _ = head;
    None
}
