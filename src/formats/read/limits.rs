//! The reading layer's limits: how large one field, one record, one line and one file read
//! whole may be, how many fields a CSV record and how many elements an XML record may hold, and
//! how deep XML may nest.
//!
//! Real lists stay far below every limit (the largest real field is a few KB, the largest
//! record a few hundred KB, the deepest XML seen 10 levels); they exist so that a damaged or hostile
//! file is refused, naming the file and line, before it is held in memory, and so that memory
//! follows the largest record rather than whatever a file claims. There is no override: a
//! publication that reaches one is not a list listdiff can read meaningfully. README, "Limits",
//! lists them for users.

/// The longest field: a CSV field, an XML element's text or attribute value, or any single
/// piece of XML markup (a tag with its attributes, a comment): 1 MiB.
pub const MAX_FIELD_BYTES: usize = 1 << 20;

/// The most fields one CSV record may have.
pub const MAX_COLUMNS: usize = 100_000;

/// The longest record: a CSV record (which may span lines inside quotes), a line of a JSON-lines
/// file, or one XML record (everything between its start and end tags): 16 MiB.
pub const MAX_RECORD_BYTES: usize = 16 << 20;

/// The most elements one XML record may hold, its own included.
pub const MAX_RECORD_ELEMENTS: usize = 100_000;

/// The deepest XML nesting, the root element being at depth 1.
pub const MAX_XML_DEPTH: usize = 64;

/// The most attributes one XML element may have.
pub const MAX_ATTRIBUTES: usize = 1_000;

/// The largest file a format that reads its file whole (the formats that do not stream) accepts:
/// 256 MiB.
pub const MAX_WHOLE_FILE_BYTES: u64 = 256 << 20;

/// A size in bytes as messages write it: `1 MiB (1,048,576 bytes)`.
pub(crate) fn bytes(size: u64) -> String {
    let unit = if size >= 1 << 20 && size.is_multiple_of(1 << 20) {
        format!("{} MiB", size >> 20)
    } else if size >= 1 << 10 && size.is_multiple_of(1 << 10) {
        format!("{} KiB", size >> 10)
    } else {
        return format!("{} bytes", grouped(size));
    };
    format!("{unit} ({} bytes)", grouped(size))
}

/// A count with thousands separators: `100,000`.
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What every refusal at a limit ends with: why, and what to do.
pub(crate) const BEYOND: &str = "no real list comes near this limit: the file is damaged or not a published list (see \"Limits\" in the README)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_counts_read_well() {
        assert_eq!(bytes(MAX_FIELD_BYTES as u64), "1 MiB (1,048,576 bytes)");
        assert_eq!(bytes(MAX_WHOLE_FILE_BYTES), "256 MiB (268,435,456 bytes)");
        assert_eq!(bytes(1000), "1,000 bytes");
        assert_eq!(grouped(MAX_COLUMNS as u64), "100,000");
        assert_eq!(grouped(7), "7");
    }
}
