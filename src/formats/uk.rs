//! UK sanctions lists: FCDO CSV and XML, and the retired OFSI consolidated CSV.
//!
//! Not implemented yet.

use super::{Format, FormatError, FormatInfo, Input, Location, ParseResult};

/// What `listdiff formats` says about `uk-fcdo-csv`.
pub(super) const FCDO_CSV_INFO: FormatInfo = FormatInfo {
    name: "uk-fcdo-csv",
    description: "UK FCDO sanctions list CSV",
    list_ids: "uk-fcdo",
    key: "Unique ID",
    reason_fields: "Regime → programs, statement of reasons → reason",
};

/// What `listdiff formats` says about `uk-fcdo-xml`.
pub(super) const FCDO_XML_INFO: FormatInfo = FormatInfo {
    name: "uk-fcdo-xml",
    description: "UK FCDO sanctions list XML",
    list_ids: "uk-fcdo",
    key: "Unique ID",
    reason_fields: "Regime → programs, statement of reasons → reason",
};

/// What `listdiff formats` says about `uk-ofsi-csv`.
pub(super) const OFSI_CSV_INFO: FormatInfo = FormatInfo {
    name: "uk-ofsi-csv",
    description: "UK OFSI consolidated list CSV (ConList.csv, retired)",
    list_ids: "uk-ofsi",
    key: "Group ID",
    reason_fields: "Regime → programs, UK Statement of Reasons → reason",
};

/// Reads one input.
pub(super) fn parse_fcdo_csv(input: &Input) -> ParseResult {
    Err(FormatError::new(
        &input.primary.name,
        Location::File,
        "this format is not implemented yet",
    ))
}

/// Reads one input.
pub(super) fn parse_fcdo_xml(input: &Input) -> ParseResult {
    Err(FormatError::new(
        &input.primary.name,
        Location::File,
        "this format is not implemented yet",
    ))
}

/// Reads one input.
pub(super) fn parse_ofsi_csv(input: &Input) -> ParseResult {
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
