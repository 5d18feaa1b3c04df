//! UTF-16 input, transcoded to UTF-8 before parsing so that every parser reads one encoding.
//!
//! Temporary: once the formats' shared reading layer decodes UTF-16 itself, this file goes and
//! the pipeline hands the published bytes to the parsers as they are.

/// UTF-16 text (told by its byte-order mark) as UTF-8, so every parser reads one encoding;
/// `None` for anything else.
pub(crate) fn utf16_to_utf8(bytes: &[u8]) -> Option<Vec<u8>> {
    let (encoding, _) = encoding_rs::Encoding::for_bom(bytes)?;
    if encoding == encoding_rs::UTF_8 {
        return None;
    }
    let (text, _, _) = encoding.decode(bytes);
    Some(text.into_owned().into_bytes())
}
