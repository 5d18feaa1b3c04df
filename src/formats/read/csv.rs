//! The one CSV layer: delimited text read record by record over decoded text
//! ([`super::decode`]), each record with the line it starts on.
//!
//! Records are read leniently (any number of fields; the format checks the count it expects).
//! The line of a record is where its first field starts: the csv crate's own line numbers lag
//! by one after a CRLF and after blank lines (it reports a record as starting at the line end
//! before it), so they are counted here from the line ends read. One error wording for what the
//! csv crate cannot read; [`unterminated_quote_line`] finds a file cut inside a quoted field
//! (which the csv crate would silently take as one long last field).

use std::borrow::Cow;
use std::collections::VecDeque;
use std::io::Read;

use crate::formats::{FormatError, Location};

/// A reader that notes where its line ends are, so that the line of a record can be told from
/// its byte offset. Only the line ends not yet passed are kept.
struct LineEnds<R> {
    inner: R,
    /// Bytes read so far.
    offset: u64,
    /// Offsets and bytes (`\r` or `\n`) of the line ends read and not yet passed.
    pending: VecDeque<(u64, u8)>,
    /// How many `\n` were passed.
    passed: u64,
}

impl<R> LineEnds<R> {
    /// The 1-based line of a record the csv crate says starts at byte `byte`: line ends right
    /// at `byte` (the end of the line before, blank lines) come before the record's first field.
    /// Asked in increasing order.
    fn line_at(&mut self, byte: u64) -> u64 {
        while let Some(&(at, end)) = self.pending.front() {
            if at >= byte {
                break;
            }
            self.pending.pop_front();
            self.passed += u64::from(end == b'\n');
        }
        let mut cursor = byte;
        while let Some(&(at, end)) = self.pending.front() {
            if at != cursor {
                break;
            }
            self.pending.pop_front();
            self.passed += u64::from(end == b'\n');
            cursor += 1;
        }
        1 + self.passed
    }
}

impl<R: Read> Read for LineEnds<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let read = buf.get(..n).unwrap_or_default();
        for at in memchr::memchr2_iter(b'\r', b'\n', read) {
            let end = read.get(at).copied().unwrap_or(b'\n');
            self.pending.push_back((self.offset + at as u64, end));
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// Delimited records read from decoded text.
pub(crate) struct CsvReader<'a, R> {
    file: &'a str,
    reader: csv::Reader<LineEnds<R>>,
    record: csv::ByteRecord,
    line: u64,
}

/// One record: its line and its fields.
#[derive(Clone, Copy)]
pub(crate) struct Row<'r> {
    line: u64,
    record: &'r csv::ByteRecord,
}

impl<'r> Row<'r> {
    /// The 1-based line the record starts on.
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// How many fields it has.
    pub(crate) fn len(&self) -> usize {
        self.record.len()
    }

    /// Field `index`, if the record has it.
    pub(crate) fn get(&self, index: usize) -> Option<Cow<'r, str>> {
        self.record.get(index).map(String::from_utf8_lossy)
    }

    /// Every field, in order.
    pub(crate) fn fields(&self) -> impl Iterator<Item = Cow<'r, str>> + 'r {
        self.record.iter().map(String::from_utf8_lossy)
    }

    /// Every field, trimmed.
    pub(crate) fn trimmed(&self) -> Vec<String> {
        self.fields().map(|f| f.trim().to_string()).collect()
    }

    /// True when every field is blank.
    pub(crate) fn is_blank(&self) -> bool {
        self.record.iter().all(|f| f.trim_ascii().is_empty())
    }
}

/// A csv crate reader for records separated by `delimiter`, of any length, with no header
/// handling (the format reads its header as a record).
pub(crate) fn builder(delimiter: u8) -> csv::ReaderBuilder {
    let mut builder = csv::ReaderBuilder::new();
    builder
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true);
    builder
}

impl<'a, R: Read> CsvReader<'a, R> {
    /// Reads the records of `file`'s decoded text `source`, fields separated by `delimiter`.
    pub(crate) fn new(file: &'a str, source: R, delimiter: u8) -> CsvReader<'a, R> {
        CsvReader {
            file,
            reader: builder(delimiter).from_reader(LineEnds {
                inner: source,
                offset: 0,
                pending: VecDeque::new(),
                passed: 0,
            }),
            record: csv::ByteRecord::new(),
            line: 0,
        }
    }

    /// The next record, or `None` at the end of the file.
    pub(crate) fn next_row(&mut self) -> Result<Option<Row<'_>>, FormatError> {
        match self.reader.read_byte_record(&mut self.record) {
            Ok(true) => {
                let byte = self.record.position().map_or(0, csv::Position::byte);
                self.line = self.reader.get_mut().line_at(byte);
                Ok(Some(Row {
                    line: self.line,
                    record: &self.record,
                }))
            }
            Ok(false) => Ok(None),
            Err(e) => Err(csv_error(self.file, &e)),
        }
    }

    /// The text source underneath (for its decoding warning).
    pub(crate) fn source(&self) -> &R {
        &self.reader.get_ref().inner
    }
}

/// The error for what the csv crate cannot read, at its line.
pub(crate) fn csv_error(file: &str, error: &csv::Error) -> FormatError {
    let location = error
        .position()
        .map_or(Location::File, |p| Location::Line(p.line()));
    FormatError::new(file, location, format!("cannot read the CSV: {error}"))
}

/// The line where a record starts whose quoted field is never closed, if any, in
/// comma-separated `bytes` (the csv crate would silently take the rest of the file as that
/// field). Follows the csv crate's rules: a field is quoted when it starts with `"`, `""`
/// inside it is a quote, and a quote elsewhere is literal.
pub(crate) fn unterminated_quote_line(bytes: &[u8]) -> Option<u64> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = State::FieldStart;
    let mut line = 1u64;
    let mut record_line = 1u64;
    for &b in bytes {
        state = match (state, b) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, b'\n') => {
                line += 1;
                State::Quoted
            }
            (State::Quoted, _) => State::Quoted,
            (State::FieldStart, b'"') | (State::QuoteInQuoted, b'"') => State::Quoted,
            (_, b'\n') => {
                line += 1;
                record_line = line;
                State::FieldStart
            }
            (_, b',' | b'\r') => State::FieldStart,
            _ => State::Unquoted,
        };
    }
    (state == State::Quoted).then_some(record_line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<(u64, String)> {
        let mut reader = CsvReader::new("t.csv", text.as_bytes(), b',');
        let mut out = Vec::new();
        while let Some(row) = reader.next_row().unwrap() {
            out.push((row.line(), row.get(0).unwrap_or_default().into_owned()));
        }
        out
    }

    #[test]
    fn records_have_the_line_they_start_on() {
        let expected = vec![(1, "a".to_string()), (2, "c".to_string())];
        assert_eq!(lines("a,b\nc,d\n"), expected);
        assert_eq!(lines("a,b\r\nc,d\r\n"), expected);
        assert_eq!(lines("a\n\n\nb\n"), vec![(1, "a".into()), (4, "b".into())]);
        assert_eq!(
            lines("a\r\n\r\nb\r\n"),
            vec![(1, "a".into()), (3, "b".into())]
        );
        assert_eq!(lines("\n\na\nb"), vec![(3, "a".into()), (4, "b".into())]);
        // A quoted field over two lines: the next record starts two lines on.
        assert_eq!(
            lines("\"x\r\ny\",1\r\nz,2\r\n"),
            vec![(1, "x\r\ny".into()), (3, "z".into())]
        );
    }

    #[test]
    fn rows_give_fields() {
        let mut reader = CsvReader::new("t.csv", "a; b ;\n ; \n".as_bytes(), b';');
        let row = reader.next_row().unwrap().unwrap();
        assert_eq!(row.len(), 3);
        assert_eq!(row.trimmed(), vec!["a", "b", ""]);
        assert!(!row.is_blank());
        assert!(reader.next_row().unwrap().unwrap().is_blank());
        assert!(reader.next_row().unwrap().is_none());
    }

    #[test]
    fn the_quote_scanner_follows_csv_rules() {
        assert_eq!(
            unterminated_quote_line(b"a,\"b\"\"c\",d\n\"e\nf\",g\n"),
            None
        );
        assert_eq!(
            unterminated_quote_line(b"a,b\"c,d\n"),
            None,
            "a quote inside a field is literal"
        );
        assert_eq!(unterminated_quote_line(b"a,\"b\"x,\"\n"), Some(1));
        assert_eq!(unterminated_quote_line(b"a\r\nb,c\r\n\"d\ne"), Some(3));
    }
}
