//! OFAC advanced XML (`Sanctions`): `sdn_advanced.xml` and `cons_advanced.xml`.
//!
//! Not implemented yet.

use super::{Format, FormatError, FormatInfo, Input, Location, ParseResult};

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

/// Recognises the format from the start of a file (`head`: at most its first 64 KiB, with any
/// byte-order mark and leading white space removed).
pub(super) fn recognise(head: &[u8]) -> Option<Format> {
    let _ = head;
    None
}
