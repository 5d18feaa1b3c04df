//! The BIS Entity List as codified in the eCFR (Supplement No. 4 to Part 744, XML).
//!
//! Not implemented yet.

use super::{Format, FormatError, FormatInfo, Input, Location, ParseResult};

/// What `listdiff formats` says about `ecfr-entity-list`.
pub(super) const INFO: FormatInfo = FormatInfo {
    name: "ecfr-entity-list",
    description: "BIS Entity List from the eCFR (Supplement No. 4 to Part 744 XML)",
    list_ids: "us-bis-entity-list",
    key: "normalised country and primary name (renames kept as changes)",
    reason_fields: "license requirement, license review policy, Federal Register citations",
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
