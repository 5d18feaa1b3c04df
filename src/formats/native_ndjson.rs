//! listdiff native entries as JSON lines: one ENTRY object per line.
//!
//! Not implemented yet.

use super::{FormatError, FormatInfo, Input, Location, ParseResult};

/// What `listdiff formats` says about `native-ndjson`.
pub(super) const INFO: FormatInfo = FormatInfo {
    name: "native-ndjson",
    description: "listdiff native entries as JSON lines (one ENTRY per line), a snapshot",
    list_ids: "--list",
    key: "id",
    reason_fields: "programs, reason, license_requirement, license_policy, citations",
};

/// Reads one input.
pub(super) fn parse(input: &Input) -> ParseResult {
    Err(FormatError::new(
        &input.primary.name,
        Location::File,
        "this format is not implemented yet",
    ))
}
