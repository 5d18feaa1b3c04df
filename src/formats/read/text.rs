//! Text files read whole or line by line, decoded by the one policy ([`super::decode`]).

use std::borrow::Cow;
use std::io::{BufRead, Read};

use super::decode::{Decoded, Syntax, TextReader, decode};
use super::limits::{self, MAX_RECORD_BYTES, MAX_WHOLE_FILE_BYTES};
use crate::formats::{FormatError, InputFile, Location};

/// The error for a file read whole that is larger than [`MAX_WHOLE_FILE_BYTES`].
pub(crate) fn too_large(file: &str) -> FormatError {
    FormatError::new(
        file,
        Location::File,
        format!(
            "the file is larger than {}, the limit for a format read whole; {}",
            limits::bytes(MAX_WHOLE_FILE_BYTES),
            limits::BEYOND
        ),
    )
}

/// The whole text of `file`, decoded by the policy for `syntax` (borrowed when the bytes held
/// are UTF-8 already; a streamed file is read whole, up to [`MAX_WHOLE_FILE_BYTES`]).
pub(crate) fn whole_text(file: &InputFile, syntax: Syntax) -> Result<Decoded<'_>, FormatError> {
    if file.stream_from.is_none() {
        if file.bytes.len() as u64 > MAX_WHOLE_FILE_BYTES {
            return Err(too_large(&file.name));
        }
        return Ok(decode(&file.bytes, syntax));
    }
    let mut bytes = Vec::new();
    std::io::Read::take(file.reader()?, MAX_WHOLE_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| FormatError::new(&file.name, Location::File, format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_WHOLE_FILE_BYTES {
        return Err(too_large(&file.name));
    }
    let decoded = decode(&bytes, syntax);
    Ok(Decoded {
        text: Cow::Owned(decoded.text.into_owned()),
        note: decoded.note,
    })
}

/// `file` as a stream of UTF-8 text, decoded by the policy for `syntax` as it is read.
pub(crate) fn open(
    file: &InputFile,
    syntax: Syntax,
) -> Result<TextReader<Box<dyn BufRead + '_>>, FormatError> {
    TextReader::new(file.reader()?, syntax)
        .map_err(|e| FormatError::new(&file.name, Location::File, format!("cannot read: {e}")))
}

/// A text file read line by line, streamed; a line longer than [`MAX_RECORD_BYTES`] is refused
/// before it is held whole.
pub(crate) struct Lines<'a> {
    file: &'a str,
    reader: TextReader<Box<dyn BufRead + 'a>>,
    bytes: Vec<u8>,
    buf: String,
    line: u64,
}

impl<'a> Lines<'a> {
    /// Opens `file` (not XML: no declaration is read).
    pub(crate) fn open(file: &'a InputFile) -> Result<Lines<'a>, FormatError> {
        Ok(Lines {
            file: &file.name,
            reader: open(file, Syntax::Text)?,
            bytes: Vec::new(),
            buf: String::new(),
            line: 0,
        })
    }

    /// The next line (1-based number, text with its line end), or `None` at the end.
    pub(crate) fn next_line(&mut self) -> Result<Option<(u64, &str)>, FormatError> {
        self.bytes.clear();
        let number = self.line + 1;
        let cannot_read = |e: std::io::Error| {
            FormatError::new(
                self.file,
                Location::Line(number),
                format!("cannot read: {e}"),
            )
        };
        loop {
            let chunk = self.reader.fill_buf().map_err(cannot_read)?;
            if chunk.is_empty() {
                break;
            }
            let (take, done) = match memchr::memchr(b'\n', chunk) {
                Some(at) => (at + 1, true),
                None => (chunk.len(), false),
            };
            if self.bytes.len() + take > MAX_RECORD_BYTES {
                return Err(FormatError::new(
                    self.file,
                    Location::Line(number),
                    format!(
                        "this line is longer than the limit of {}; {}",
                        limits::bytes(MAX_RECORD_BYTES as u64),
                        limits::BEYOND
                    ),
                ));
            }
            self.bytes
                .extend_from_slice(chunk.get(..take).unwrap_or_default());
            self.reader.consume(take);
            if done {
                break;
            }
        }
        if self.bytes.is_empty() {
            return Ok(None);
        }
        self.line = number;
        self.buf.clear();
        self.buf.push_str(&String::from_utf8_lossy(&self.bytes));
        Ok(Some((self.line, &self.buf)))
    }

    /// The decoding warning about the file, if any (complete once every line was read).
    pub(crate) fn decode_warning(&self) -> Option<String> {
        self.reader.note().map(|note| note.warning(self.file))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_decoded_and_numbered() {
        let file = InputFile {
            name: "x.json".into(),
            bytes: b"\xEF\xBB\xBFa\r\n\nCaf\xE9\n".to_vec(),
            stream_from: None,
        };
        let mut lines = Lines::open(&file).unwrap();
        let mut got = Vec::new();
        while let Some((n, text)) = lines.next_line().unwrap() {
            got.push((n, text.to_string()));
        }
        assert_eq!(
            got,
            vec![
                (1, "a\r\n".to_string()),
                (2, "\n".to_string()),
                (3, "Café\n".to_string())
            ]
        );
        assert!(lines.decode_warning().unwrap().starts_with("x.json:3: "));
        let whole = whole_text(&file, Syntax::Text).unwrap();
        assert_eq!(whole.text, "a\r\n\nCafé\n");
    }
}
