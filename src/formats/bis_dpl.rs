//! BIS Denied Persons List tab-separated export (`dpl.txt`).
//!
//! Not implemented yet.

use super::{Format, FormatError, FormatInfo, Input, Location, ParseResult};

/// What `listdiff formats` says about `bis-dpl`.
pub(super) const INFO: FormatInfo = FormatInfo {
    name: "bis-dpl",
    description: "BIS Denied Persons List tab-separated export (dpl.txt)",
    list_ids: "us-bis-dpl",
    key: "hash of normalised name and address (no id column)",
    reason_fields: "Action, FR_Citation → citations",
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
