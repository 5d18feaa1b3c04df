//! Any CSV with a header row, keyed by `--key COL` and mapped by `--map field=COLUMN`.
//!
//! Not implemented yet.

use super::{FormatError, FormatInfo, Input, Location, ParseResult};

/// What `listdiff formats` says about `csv`.
pub(super) const INFO: FormatInfo = FormatInfo {
    name: "csv",
    description: "any CSV with a header row: --key COL (repeatable), --map field=COLUMN, --list",
    list_ids: "--list",
    key: "--key columns",
    reason_fields: "as mapped by --map (programs, reason, license_requirement, license_policy, citations)",
};

/// Reads one input.
pub(super) fn parse(input: &Input) -> ParseResult {
    Err(FormatError::new(
        &input.primary.name,
        Location::File,
        "this format is not implemented yet",
    ))
}
