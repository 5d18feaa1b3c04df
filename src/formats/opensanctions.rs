//! OpenSanctions FollowTheMoney entities and deltas.
//!
//! Not implemented yet.

use super::{FormatError, FormatInfo, Input, Location, ParseResult};

/// What `listdiff formats` says about `ftm-json`.
pub(super) const FTM_INFO: FormatInfo = FormatInfo {
    name: "ftm-json",
    description: "OpenSanctions FollowTheMoney entities, JSON lines (a snapshot)",
    list_ids: "the dataset name (os-<dataset>)",
    key: "id",
    reason_fields: "properties.program → programs, properties.notes/reason → reason",
};

/// What `listdiff formats` says about `ftm-delta`.
pub(super) const DELTA_INFO: FormatInfo = FormatInfo {
    name: "ftm-delta",
    description: "OpenSanctions FollowTheMoney delta (entities.delta.json: ADD, MOD, DEL)",
    list_ids: "the dataset name (os-<dataset>)",
    key: "id",
    reason_fields: "properties.program → programs, properties.notes/reason → reason",
};

/// Reads one input.
pub(super) fn parse_entities(input: &Input) -> ParseResult {
    Err(FormatError::new(
        &input.primary.name,
        Location::File,
        "this format is not implemented yet",
    ))
}

/// Reads one input.
pub(super) fn parse_delta(input: &Input) -> ParseResult {
    Err(FormatError::new(
        &input.primary.name,
        Location::File,
        "this format is not implemented yet",
    ))
}
