//! UN Security Council consolidated list XML (`CONSOLIDATED_LIST`).
//!
//! Not implemented yet.

use super::{Format, FormatError, FormatInfo, Input, Location, ParseResult};

/// What `listdiff formats` says about `un-xml`.
pub(super) const INFO: FormatInfo = FormatInfo {
    name: "un-xml",
    description: "UN Security Council consolidated list XML (CONSOLIDATED_LIST)",
    list_ids: "un-sc",
    key: "REFERENCE_NUMBER",
    reason_fields: "UN_LIST_TYPE → programs, COMMENTS1 → reason",
};

/// Reads one input.
pub(super) fn parse(input: &Input) -> ParseResult {
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
