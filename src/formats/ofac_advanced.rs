//! OFAC advanced XML (`Sanctions`): `sdn_advanced.xml` and `cons_advanced.xml`.
//!
//! Not implemented yet.

use super::{FormatError, FormatInfo, Input, Location, ParseResult};

/// What `listdiff formats` says about `ofac-advanced-xml`.
pub(super) const INFO: FormatInfo = FormatInfo {
    name: "ofac-advanced-xml",
    description: "OFAC advanced XML (sdn_advanced.xml, cons_advanced.xml)",
    list_ids: "us-ofac-sdn, us-ofac-cons",
    key: "DistinctParty FixedRef (= ent_num)",
    reason_fields: "SanctionsMeasure programs → programs, Comment → reason",
};

/// Reads one input.
pub(super) fn parse(input: &Input) -> ParseResult {
    Err(FormatError::new(
        &input.primary.name,
        Location::File,
        "this format is not implemented yet",
    ))
}
