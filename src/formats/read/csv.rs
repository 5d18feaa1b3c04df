//! The one CSV layer: delimited text read record by record over decoded text
//! ([`super::decode`]), each record with the line it starts on.
//!
//! Records are read leniently (any number of fields; the format checks the count it expects)
//! by `csv_core`, the csv crate's own parser, with this reader growing the record's buffers, so
//! that a record is refused as soon as it passes the reading layer's limits
//! ([`super::limits`]: fields per record, bytes per field and per record), before it is held
//! whole. The line of a record is where its first field starts: the line ends before it (the
//! end of the line before, blank lines) are passed over first, and lines are counted from the
//! line ends read. [`unterminated_quote_line`] finds a file cut inside a quoted field (which the
//! parser would silently take as one long last field).

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read};

use super::limits::{self, MAX_COLUMNS, MAX_FIELD_BYTES, MAX_RECORD_BYTES};
use crate::formats::{FormatError, Location};

/// How much decoded text is read at a time.
const CHUNK: usize = 64 * 1024;

/// Delimited records read from decoded text.
pub(crate) struct CsvReader<'a, R> {
    file: &'a str,
    parser: csv_core::Reader,
    source: BufReader<R>,
    /// Bytes consumed so far.
    consumed: u64,
    /// How many `\n` were consumed.
    newlines: u64,
    /// The last byte consumed.
    last: u8,
    /// The current record's fields, one after the other.
    fields: Vec<u8>,
    /// Where each field of the current record ends in `fields` (the first `count`).
    ends: Vec<usize>,
    count: usize,
    /// The 1-based line the current record starts on.
    line: u64,
    /// Where the current record's bytes start and end in the text.
    span: (u64, u64),
    done: bool,
}

/// One record: its line and its fields.
#[derive(Clone, Copy)]
pub(crate) struct Row<'r> {
    line: u64,
    fields: &'r [u8],
    ends: &'r [usize],
    span: (u64, u64),
}

impl<'r> Row<'r> {
    /// The 1-based line the record starts on.
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// How many fields it has.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The bytes of field `index`, if the record has it.
    pub(crate) fn bytes(&self, index: usize) -> Option<&'r [u8]> {
        let end = *self.ends.get(index)?;
        let start = match index.checked_sub(1) {
            Some(before) => *self.ends.get(before)?,
            None => 0,
        };
        self.fields.get(start..end)
    }

    /// Field `index`, if the record has it.
    pub(crate) fn get(&self, index: usize) -> Option<Cow<'r, str>> {
        self.bytes(index).map(String::from_utf8_lossy)
    }

    /// Every field, in order.
    pub(crate) fn fields(&self) -> impl Iterator<Item = Cow<'r, str>> + 'r {
        let row = *self;
        (0..row.len()).map(move |i| row.get(i).unwrap_or_default())
    }

    /// Every field, trimmed.
    pub(crate) fn trimmed(&self) -> Vec<String> {
        self.fields().map(|f| f.trim().to_string()).collect()
    }

    /// True when every field is blank.
    pub(crate) fn is_blank(&self) -> bool {
        (0..self.len()).all(|i| self.bytes(i).is_none_or(|f| f.trim_ascii().is_empty()))
    }

    /// Where the record's bytes start (its first field) and end (after its line end) in the
    /// text read.
    pub(crate) fn span(&self) -> (u64, u64) {
        self.span
    }
}

/// A csv crate reader for records separated by `delimiter`, of any length, with no header
/// handling: for recognisers, which read at most a file's first 64 KiB.
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
            parser: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            source: BufReader::with_capacity(CHUNK, source),
            consumed: 0,
            newlines: 0,
            last: 0,
            fields: vec![0; 4096],
            ends: vec![0; 64],
            count: 0,
            line: 0,
            span: (0, 0),
            done: false,
        }
    }

    /// The next record, or `None` at the end of the file.
    pub(crate) fn next_row(&mut self) -> Result<Option<Row<'_>>, FormatError> {
        if self.done || !self.read_record()? {
            self.done = true;
            return Ok(None);
        }
        let ends = self.ends.get(..self.count).unwrap_or_default();
        let length = ends.last().copied().unwrap_or(0);
        Ok(Some(Row {
            line: self.line,
            fields: self.fields.get(..length).unwrap_or_default(),
            ends,
            span: self.span,
        }))
    }

    /// The next bytes of the text; empty at its end.
    fn fill(&mut self) -> Result<&[u8], FormatError> {
        let (file, line) = (self.file, self.newlines + 1);
        self.source
            .fill_buf()
            .map_err(|e| FormatError::new(file, Location::Line(line), format!("cannot read: {e}")))
    }

    /// Consumes `amount` bytes of what [`CsvReader::fill`] gave, counting their line ends.
    fn consume(&mut self, amount: usize) {
        if amount == 0 {
            return;
        }
        let passed = self.source.buffer().get(..amount).unwrap_or_default();
        self.newlines += memchr::memchr_iter(b'\n', passed).count() as u64;
        self.last = passed.last().copied().unwrap_or(self.last);
        self.source.consume(amount);
        self.consumed += amount as u64;
    }

    /// Passes over the line ends before a record (blank lines), as the parser would.
    fn skip_line_ends(&mut self) -> Result<(), FormatError> {
        loop {
            let buffer = self.fill()?;
            if buffer.is_empty() {
                return Ok(());
            }
            let skip = buffer
                .iter()
                .position(|b| !matches!(b, b'\r' | b'\n'))
                .unwrap_or(buffer.len());
            let more = skip == buffer.len();
            self.consume(skip);
            if !more {
                return Ok(());
            }
        }
    }

    /// Reads the next record into `fields` and `ends`; false at the end of the text.
    fn read_record(&mut self) -> Result<bool, FormatError> {
        self.skip_line_ends()?;
        self.line = self.newlines + 1;
        let start = self.consumed;
        let (mut written, mut count) = (0usize, 0usize);
        // The fields whose length was checked, and where the first unchecked one starts.
        let (mut checked, mut unchecked_start) = (0usize, 0usize);
        loop {
            self.fill()?;
            let (result, read, wrote, ended) = self.parser.read_record(
                self.source.buffer(),
                self.fields.get_mut(written..).unwrap_or_default(),
                self.ends.get_mut(count..).unwrap_or_default(),
            );
            self.consume(read);
            written += wrote;
            count += ended;
            for &end in self.ends.get(checked..count).unwrap_or_default() {
                if end.saturating_sub(unchecked_start) > MAX_FIELD_BYTES {
                    break;
                }
                unchecked_start = end;
                checked += 1;
            }
            if checked < count || written.saturating_sub(unchecked_start) > MAX_FIELD_BYTES {
                let field = checked + 1;
                return Err(self.over_limit(format!(
                    "field {field} of this record is longer than the limit of {}",
                    limits::bytes(MAX_FIELD_BYTES as u64)
                )));
            }
            match result {
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::OutputFull => {
                    if self.fields.len() >= MAX_RECORD_BYTES {
                        return Err(self.over_limit(format!(
                            "this record is longer than the limit of {}",
                            limits::bytes(MAX_RECORD_BYTES as u64)
                        )));
                    }
                    let grown = (self.fields.len() * 2).min(MAX_RECORD_BYTES);
                    self.fields.resize(grown, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    if self.ends.len() >= MAX_COLUMNS {
                        return Err(self.over_limit(format!(
                            "this record has more fields than the limit of {}",
                            limits::grouped(MAX_COLUMNS as u64)
                        )));
                    }
                    let grown = (self.ends.len() * 2).min(MAX_COLUMNS);
                    self.ends.resize(grown, 0);
                }
                csv_core::ReadRecordResult::Record => {
                    // The parser ends a record at its `\r`: the `\n` of a CRLF goes with it.
                    if self.last == b'\r' && self.fill()?.first() == Some(&b'\n') {
                        self.consume(1);
                    }
                    self.count = count;
                    self.span = (start, self.consumed);
                    return Ok(true);
                }
                csv_core::ReadRecordResult::End => return Ok(false),
            }
        }
    }

    /// The error for the record being read, which passed a limit.
    fn over_limit(&self, what: String) -> FormatError {
        FormatError::new(
            self.file,
            Location::Line(self.line),
            format!("{what}; {}", limits::BEYOND),
        )
    }

    /// The text source underneath (for its decoding warning).
    pub(crate) fn source(&self) -> &R {
        self.source.get_ref()
    }
}

/// The line where a record starts whose quoted field is never closed, if any, in
/// comma-separated `bytes` (the csv crate would silently take the rest of the file as that
/// field). Follows the csv crate's rules: a field is quoted when it starts with `"`, `""`
/// inside it is a quote, and a quote elsewhere is literal.
pub(crate) fn unterminated_quote_line(bytes: &[u8]) -> Option<u64> {
    unterminated_quote_line_with(bytes, b',')
}

/// [`unterminated_quote_line`] for fields separated by `delimiter`.
pub(crate) fn unterminated_quote_line_with(bytes: &[u8], delimiter: u8) -> Option<u64> {
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
            (_, b'\r') => State::FieldStart,
            (_, b) if b == delimiter => State::FieldStart,
            _ => State::Unquoted,
        };
    }
    (state == State::Quoted).then_some(record_line)
}

/// The character that separates the fields of a delimited file: one of the four in common use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Delimiter {
    /// `,`
    Comma,
    /// A tab.
    Tab,
    /// `;`
    Semicolon,
    /// `|`
    Pipe,
}

impl Delimiter {
    /// Every delimiter, in the order a tie is described.
    pub const ALL: [Delimiter; 4] = [
        Delimiter::Comma,
        Delimiter::Tab,
        Delimiter::Semicolon,
        Delimiter::Pipe,
    ];

    /// The byte.
    pub fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Tab => b'\t',
            Delimiter::Semicolon => b';',
            Delimiter::Pipe => b'|',
        }
    }

    /// Its name in messages and on the command line: `comma`, `tab`, `semicolon`, `pipe`.
    pub fn name(self) -> &'static str {
        match self {
            Delimiter::Comma => "comma",
            Delimiter::Tab => "tab",
            Delimiter::Semicolon => "semicolon",
            Delimiter::Pipe => "pipe",
        }
    }

    /// The delimiter `text` names: its name (any case) or the character itself (`\t` or
    /// `\\t` for a tab).
    pub fn parse(text: &str) -> Option<Delimiter> {
        let lower = text.to_ascii_lowercase();
        Delimiter::ALL.into_iter().find(|d| {
            lower == d.name()
                || text.as_bytes() == [d.byte()]
                || (*d == Delimiter::Tab && text == "\\t")
        })
    }
}

/// How many records after the header [`sniff_delimiter`] reads to break a tie.
const SNIFF_ROWS: usize = 20;

/// What the header (and, to break a tie, the rows after it) say the delimiter is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Sniffed {
    /// This one: it splits the header into the most columns, or is the only one of those the
    /// rows agree with. A header of one column is read as comma-separated.
    One(Delimiter),
    /// These split the header into as many columns (`columns`), and the first rows do not
    /// tell them apart.
    Ambiguous(Vec<Delimiter>, usize),
}

/// Tells the delimiter of decoded delimited `text` from its header: the delimiter that splits
/// the first record into the most fields (quotes respected). When several do, the rows after
/// it decide: the one delimiter for which each of the next [`SNIFF_ROWS`] records has as many
/// fields as the header.
pub(crate) fn sniff_delimiter(text: &[u8]) -> Sniffed {
    let columns =
        |d: Delimiter| super::head::first_record(text, d.byte()).map_or(0, |fields| fields.len());
    let counts: Vec<(Delimiter, usize)> = Delimiter::ALL.iter().map(|&d| (d, columns(d))).collect();
    let most = counts.iter().map(|(_, n)| *n).max().unwrap_or(0);
    let best: Vec<Delimiter> = counts
        .iter()
        .filter(|(_, n)| *n == most)
        .map(|(d, _)| *d)
        .collect();
    if most <= 1 {
        return Sniffed::One(Delimiter::Comma);
    }
    if let [one] = best.as_slice() {
        return Sniffed::One(*one);
    }
    let consistent: Vec<Delimiter> = best
        .iter()
        .copied()
        .filter(|d| {
            super::head::first_records(text, d.byte(), SNIFF_ROWS + 1)
                .iter()
                .skip(1)
                .all(|row| row.len() == most)
        })
        .collect();
    match consistent.as_slice() {
        [one] => Sniffed::One(*one),
        _ => Sniffed::Ambiguous(best, most),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delimiter_is_told_by_the_header_then_the_rows() {
        let one = |text: &str| sniff_delimiter(text.as_bytes());
        assert_eq!(one("a,b,c\n1,2,3\n"), Sniffed::One(Delimiter::Comma));
        assert_eq!(one("a\tb\tc\n1,5\t2\t3\n"), Sniffed::One(Delimiter::Tab));
        assert_eq!(one("a;b;c,d\n"), Sniffed::One(Delimiter::Semicolon));
        assert_eq!(one("\"a|x\"|b|\"c,d\"\n"), Sniffed::One(Delimiter::Pipe));
        assert_eq!(one("single\n1\n"), Sniffed::One(Delimiter::Comma));
        assert_eq!(one(""), Sniffed::One(Delimiter::Comma));
        assert_eq!(
            one("a,b;c\n1,2;3\n"),
            Sniffed::Ambiguous(vec![Delimiter::Comma, Delimiter::Semicolon], 2)
        );
        assert_eq!(
            one("a,b;c\n1,2;3\n4;5\n"),
            Sniffed::One(Delimiter::Semicolon)
        );
        assert_eq!(Delimiter::parse(";"), Some(Delimiter::Semicolon));
        assert_eq!(Delimiter::parse("TAB"), Some(Delimiter::Tab));
        assert_eq!(Delimiter::parse("\t"), Some(Delimiter::Tab));
        assert_eq!(Delimiter::parse("\\t"), Some(Delimiter::Tab));
        assert_eq!(Delimiter::parse("pipe"), Some(Delimiter::Pipe));
        assert_eq!(Delimiter::parse(":"), None);
        assert_eq!(unterminated_quote_line_with(b"a;\"b;c\n", b';'), Some(1));
        assert_eq!(unterminated_quote_line_with(b"a;\"b\";c\n", b';'), None);
    }

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
