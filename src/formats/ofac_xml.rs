//! OFAC legacy XML (`sdnList`): `SDN.XML` and the non-SDN `consolidated.xml`.
//!
//! Not implemented yet.

use super::{Format, FormatError, FormatInfo, Input, Location, ParseResult};

/// What `listdiff formats` says about `ofac-xml`.
pub(super) const INFO: FormatInfo = FormatInfo {
    name: "ofac-xml",
    description: "OFAC legacy XML sdnList (SDN.XML, consolidated.xml)",
    list_ids: "us-ofac-sdn (SDN.XML), us-ofac-cons (consolidated.xml)",
    key: "uid (= ent_num)",
    reason_fields: "programList/program → programs, remarks → reason",
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
