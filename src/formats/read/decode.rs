//! The one decoding policy: how every format's bytes become UTF-8 text.
//!
//! 1. A byte-order mark decides first: UTF-8 (skipped), UTF-16 LE or BE (decoded).
//! 2. For XML, the declaration's `encoding="…"` then decides when it names an encoding other
//!    than UTF-8 that keeps ASCII as ASCII (`ISO-8859-1`, read as Windows-1252 as browsers do;
//!    `windows-1251`; …). An XML file without a byte-order mark whose first bytes are `<?` in
//!    UTF-16 is read as UTF-16.
//! 3. Otherwise the text is UTF-8, up to the first byte that is not: from that byte on, the rest
//!    of the file is read as Windows-1252 (Latin-1), and the read gives a warning naming the
//!    byte (its offset and line). A declaration that says UTF-8 is no exception: the bytes
//!    decide. Bytes before that byte were valid UTF-8 and read as such.
//!
//! The decision never needs the whole file: [`TextReader`] decodes a stream as it is read, and
//! [`decode`] gives the same text for bytes held in memory.

use std::borrow::Cow;
use std::io::{self, BufRead, Read};

/// What kind of text a file is: XML files may name their encoding in their declaration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// XML: the declaration's `encoding` is read.
    Xml,
    /// Anything else (CSV, JSON, tab-separated text): no declaration exists.
    Text,
}

/// Something a reader should know about how the text was decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DecodeNote {
    /// The file was not UTF-8 from this byte on, and was read as Windows-1252 from it.
    NotUtf8 {
        /// The byte's 0-based offset in the file.
        offset: u64,
        /// The 1-based line it is on.
        line: u64,
        /// Its value.
        byte: u8,
    },
    /// The file holds byte sequences that are not valid in the encoding it was read as; each
    /// was read as U+FFFD (�).
    Malformed {
        /// The encoding's name (`UTF-16LE`, …).
        encoding: &'static str,
    },
}

impl DecodeNote {
    /// The warning to show the user about `file`.
    pub(crate) fn warning(&self, file: &str) -> String {
        match self {
            DecodeNote::NotUtf8 { offset, line, byte } => format!(
                "{file}:{line}: the byte at offset {offset} (0x{byte:02X}) is not UTF-8; the text from there on was read as Windows-1252 (Latin-1): check names with accents, or save the file as UTF-8"
            ),
            DecodeNote::Malformed { encoding } => format!(
                "{file}: the file holds bytes that are not valid {encoding}; each such sequence was read as \u{FFFD}: check the names, or save the file again"
            ),
        }
    }
}

/// Text decoded from bytes held in memory.
#[derive(Debug)]
pub(crate) struct Decoded<'a> {
    /// The text (borrowed when the bytes were UTF-8 already).
    pub(crate) text: Cow<'a, str>,
    /// What the reader should know about the decoding, if anything.
    pub(crate) note: Option<DecodeNote>,
}

/// How a file is to be decoded, decided from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Plan {
    /// UTF-8, falling back to Windows-1252 at the first byte that is not; skip a byte-order
    /// mark of `bom` bytes.
    Utf8 { bom: usize },
    /// Another encoding; skip a byte-order mark of `bom` bytes.
    Other {
        encoding: &'static encoding_rs::Encoding,
        bom: usize,
    },
}

/// How many bytes of a file's start are looked at to find an XML declaration.
const DECLARATION_WINDOW: usize = 1024;

/// The plan for a file that starts with `head` (at least [`DECLARATION_WINDOW`] bytes of it,
/// or all of it when shorter).
fn plan(head: &[u8], syntax: Syntax) -> Plan {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(head) {
        return if encoding == encoding_rs::UTF_8 {
            Plan::Utf8 { bom }
        } else {
            Plan::Other { encoding, bom }
        };
    }
    if syntax == Syntax::Xml {
        if head.starts_with(b"<\0?\0") {
            return Plan::Other {
                encoding: encoding_rs::UTF_16LE,
                bom: 0,
            };
        }
        if head.starts_with(b"\0<\0?") {
            return Plan::Other {
                encoding: encoding_rs::UTF_16BE,
                bom: 0,
            };
        }
        if let Some(encoding) = declared_encoding(head)
            && encoding != encoding_rs::UTF_8
            && encoding.is_ascii_compatible()
        {
            return Plan::Other { encoding, bom: 0 };
        }
    }
    Plan::Utf8 { bom: 0 }
}

/// The encoding an XML declaration at the very start of `head` names, if any.
fn declared_encoding(head: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = head.get(..head.len().min(DECLARATION_WINDOW))?;
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = memchr::memmem::find(head, b"?>")?;
    let declaration = head.get(..end)?;
    let at = memchr::memmem::find(declaration, b"encoding")?;
    let rest = declaration
        .get(at + b"encoding".len()..)?
        .trim_ascii_start()
        .strip_prefix(b"=")?
        .trim_ascii_start();
    let quote = *rest.first().filter(|q| matches!(q, b'"' | b'\''))?;
    let value = rest.get(1..)?;
    let label = value.get(..memchr::memchr(quote, value)?)?;
    encoding_rs::Encoding::for_label(label.trim_ascii())
}

/// Decodes bytes held in memory by the policy: the same text [`TextReader`] gives.
pub(crate) fn decode(bytes: &[u8], syntax: Syntax) -> Decoded<'_> {
    match plan(bytes, syntax) {
        Plan::Utf8 { bom } => {
            let body = bytes.get(bom..).unwrap_or_default();
            match std::str::from_utf8(body) {
                Ok(text) => Decoded {
                    text: Cow::Borrowed(text),
                    note: None,
                },
                Err(error) => {
                    let valid = error.valid_up_to();
                    let (good, rest) = body.split_at(valid);
                    let mut text = String::with_capacity(body.len() + body.len() / 8);
                    text.push_str(std::str::from_utf8(good).unwrap_or_default());
                    text.push_str(
                        &encoding_rs::WINDOWS_1252
                            .decode_without_bom_handling(rest)
                            .0,
                    );
                    let note = DecodeNote::NotUtf8 {
                        offset: (bom + valid) as u64,
                        line: 1 + memchr::memchr_iter(b'\n', good).count() as u64,
                        byte: rest.first().copied().unwrap_or_default(),
                    };
                    Decoded {
                        text: Cow::Owned(text),
                        note: Some(note),
                    }
                }
            }
        }
        Plan::Other { encoding, bom } => {
            let body = bytes.get(bom..).unwrap_or_default();
            let (text, malformed) = encoding.decode_without_bom_handling(body);
            Decoded {
                text,
                note: malformed.then_some(DecodeNote::Malformed {
                    encoding: encoding.name(),
                }),
            }
        }
    }
}

/// The first bytes of a file as UTF-8 for recognising its format: a UTF-16 file (told by its
/// byte-order mark) is decoded, a UTF-8 byte-order mark is removed, anything else is left as
/// it is (recognisers read it leniently).
pub(crate) fn head_for_sniffing(bytes: &[u8]) -> Cow<'_, [u8]> {
    match encoding_rs::Encoding::for_bom(bytes) {
        Some((encoding, bom)) if encoding == encoding_rs::UTF_8 => {
            Cow::Borrowed(bytes.get(bom..).unwrap_or_default())
        }
        Some((encoding, bom)) => {
            let body = bytes.get(bom..).unwrap_or_default();
            // A head may end inside a code unit: the decoder replaces that last piece only.
            let (text, _) = encoding.decode_without_bom_handling(body);
            Cow::Owned(text.into_owned().into_bytes())
        }
        None => Cow::Borrowed(bytes),
    }
}

/// The mode a [`TextReader`] decodes in.
enum Mode {
    /// UTF-8 so far.
    Utf8,
    /// Windows-1252 from the first byte that was not UTF-8 on.
    Latin1,
    /// Another encoding, named by a byte-order mark or an XML declaration.
    Other(encoding_rs::Decoder),
}

/// The bytes a [`TextReader`] reads: what it looked at to decide, then the rest of the stream.
struct Source<R> {
    /// The first bytes, read to decide the plan.
    head: Vec<u8>,
    /// How much of `head` was consumed.
    head_at: usize,
    inner: R,
    /// Bytes consumed so far, from the start of the file.
    offset: u64,
}

impl<R: BufRead> Source<R> {
    /// The next bytes not yet consumed; empty at the end.
    fn chunk(&mut self) -> io::Result<&[u8]> {
        if self.head_at < self.head.len() {
            return Ok(self.head.get(self.head_at..).unwrap_or_default());
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        if self.head_at < self.head.len() {
            self.head_at += amount;
        } else {
            self.inner.consume(amount);
        }
        self.offset += amount as u64;
    }
}

/// The decoding state of a [`TextReader`]: what it decided and what it decoded.
struct State {
    mode: Mode,
    /// The start of a UTF-8 sequence cut by the end of a chunk (at most 3 bytes).
    pending: Vec<u8>,
    /// Decoded text not yet consumed: `out[at..]`.
    out: Vec<u8>,
    at: usize,
    /// Line ends passed while reading UTF-8 (for the line of the first byte that is not).
    newlines: u64,
    note: Option<DecodeNote>,
    finished: bool,
}

impl State {
    /// Appends valid UTF-8 to the output.
    fn push_utf8(&mut self, text: &[u8]) {
        self.newlines += memchr::memchr_iter(b'\n', text).count() as u64;
        self.out.extend_from_slice(text);
    }

    /// Appends bytes read as Windows-1252 to the output.
    fn push_latin1(&mut self, bytes: &[u8]) {
        let text = encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0;
        self.out.extend_from_slice(text.as_bytes());
    }

    /// Switches to Windows-1252 at the byte at `offset`, which is not UTF-8, and decodes
    /// `bytes` (which start with it) so.
    fn fall_back(&mut self, offset: u64, bytes: &[u8]) {
        self.note = Some(DecodeNote::NotUtf8 {
            offset,
            line: self.newlines + 1,
            byte: bytes.first().copied().unwrap_or_default(),
        });
        self.mode = Mode::Latin1;
        self.push_latin1(bytes);
    }

    /// Notes a malformed sequence in another encoding (the first one only).
    fn malformed(&mut self, encoding: &'static encoding_rs::Encoding) {
        if self.note.is_none() {
            self.note = Some(DecodeNote::Malformed {
                encoding: encoding.name(),
            });
        }
    }

    /// Decodes from `chunk` (whose first byte is at `offset` in the file) into `out`; returns
    /// how many bytes of it were used.
    fn decode(&mut self, chunk: &[u8], offset: u64) -> usize {
        match &mut self.mode {
            Mode::Latin1 => {
                self.push_latin1(chunk);
                chunk.len()
            }
            Mode::Other(decoder) => {
                let room = decoder
                    .max_utf8_buffer_length(chunk.len())
                    .unwrap_or(chunk.len().saturating_mul(3));
                let mut text = String::with_capacity(room);
                let (_, read, malformed) = decoder.decode_to_string(chunk, &mut text, false);
                let encoding = decoder.encoding();
                self.out.extend_from_slice(text.as_bytes());
                if malformed {
                    self.malformed(encoding);
                }
                read
            }
            Mode::Utf8 if !self.pending.is_empty() => self.complete_pending(chunk, offset),
            Mode::Utf8 => match std::str::from_utf8(chunk) {
                Ok(_) => {
                    self.push_utf8(chunk);
                    chunk.len()
                }
                Err(error) => {
                    let valid = error.valid_up_to();
                    if valid > 0 {
                        self.push_utf8(chunk.get(..valid).unwrap_or_default());
                        valid
                    } else if error.error_len().is_none() {
                        // A sequence cut by the end of the chunk: held until the next one.
                        self.pending.extend_from_slice(chunk);
                        chunk.len()
                    } else {
                        self.fall_back(offset, chunk);
                        chunk.len()
                    }
                }
            },
        }
    }

    /// Completes a held UTF-8 sequence with the first bytes of `chunk`; returns how many it
    /// took.
    fn complete_pending(&mut self, chunk: &[u8], offset: u64) -> usize {
        let start = offset - self.pending.len() as u64;
        for (taken, &byte) in chunk.iter().enumerate() {
            self.pending.push(byte);
            match std::str::from_utf8(&self.pending) {
                Ok(_) => {
                    let done = std::mem::take(&mut self.pending);
                    self.push_utf8(&done);
                    return taken + 1;
                }
                Err(error) if error.error_len().is_some() => {
                    let held = std::mem::take(&mut self.pending);
                    self.fall_back(start, &held);
                    return taken + 1;
                }
                Err(_) => {}
            }
        }
        // Still cut short: the next chunk continues it.
        chunk.len()
    }

    /// The end of the input: a held sequence is not UTF-8; a decoder gives what it holds.
    fn finish(&mut self, offset: u64) {
        self.finished = true;
        match &mut self.mode {
            Mode::Utf8 if !self.pending.is_empty() => {
                let held = std::mem::take(&mut self.pending);
                self.fall_back(offset - held.len() as u64, &held);
            }
            Mode::Other(decoder) => {
                let mut text = String::with_capacity(16);
                let (_, _, malformed) = decoder.decode_to_string(b"", &mut text, true);
                let encoding = decoder.encoding();
                self.out.extend_from_slice(text.as_bytes());
                if malformed {
                    self.malformed(encoding);
                }
            }
            _ => {}
        }
    }
}

/// A stream decoded by the policy as it is read: a `BufRead` of UTF-8 text.
pub(crate) struct TextReader<R> {
    source: Source<R>,
    state: State,
}

/// Room for decoded text per read.
const OUT_CAPACITY: usize = 64 * 1024;

impl<R: BufRead> TextReader<R> {
    /// Decodes `inner` by the policy for `syntax`; fails only when its first bytes cannot be
    /// read.
    pub(crate) fn new(mut inner: R, syntax: Syntax) -> io::Result<TextReader<R>> {
        let mut head = Vec::with_capacity(DECLARATION_WINDOW);
        while head.len() < DECLARATION_WINDOW {
            let chunk = match inner.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                break;
            }
            let take = chunk.len().min(DECLARATION_WINDOW - head.len());
            head.extend_from_slice(chunk.get(..take).unwrap_or_default());
            inner.consume(take);
        }
        let (mode, bom) = match plan(&head, syntax) {
            Plan::Utf8 { bom } => (Mode::Utf8, bom),
            Plan::Other { encoding, bom } => (
                Mode::Other(encoding.new_decoder_without_bom_handling()),
                bom,
            ),
        };
        Ok(TextReader {
            source: Source {
                head,
                head_at: bom,
                inner,
                offset: bom as u64,
            },
            state: State {
                mode,
                pending: Vec::with_capacity(4),
                out: Vec::with_capacity(OUT_CAPACITY),
                at: 0,
                newlines: 0,
                note: None,
                finished: false,
            },
        })
    }

    /// What the reader should know about the decoding so far (once the whole file was read:
    /// about the whole file).
    pub(crate) fn note(&self) -> Option<DecodeNote> {
        self.state.note
    }
}

impl<R: BufRead> BufRead for TextReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let TextReader { source, state } = self;
        while state.at >= state.out.len() {
            state.out.clear();
            state.at = 0;
            if state.finished {
                return Ok(&[]);
            }
            let offset = source.offset;
            let chunk = source.chunk()?;
            if chunk.is_empty() {
                state.finish(offset);
                continue;
            }
            // Decoded a piece at a time, so the decoded text stays within `OUT_CAPACITY`.
            let piece = chunk
                .get(..chunk.len().min(OUT_CAPACITY / 4))
                .unwrap_or_default();
            let used = state.decode(piece, offset);
            source.consume(used);
        }
        Ok(state.out.get(state.at..).unwrap_or_default())
    }

    fn consume(&mut self, amount: usize) {
        self.state.at = (self.state.at + amount).min(self.state.out.len());
    }
}

impl<R: BufRead> Read for TextReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        if let (Some(to), Some(from)) = (buf.get_mut(..n), available.get(..n)) {
            to.copy_from_slice(from);
        }
        self.consume(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reads `bytes` through a [`TextReader`] whose source gives `chunk` bytes at a time.
    fn streamed(bytes: &[u8], syntax: Syntax, chunk: usize) -> (String, Option<DecodeNote>) {
        let source = std::io::BufReader::with_capacity(chunk.max(1), bytes);
        let mut reader = TextReader::new(source, syntax).expect("reads from memory");
        let mut text = String::new();
        reader
            .read_to_string(&mut text)
            .expect("decoded text is UTF-8");
        (text, reader.note())
    }

    fn whole(bytes: &[u8], syntax: Syntax) -> (String, Option<DecodeNote>) {
        let decoded = decode(bytes, syntax);
        (decoded.text.into_owned(), decoded.note)
    }

    fn utf16le(text: &str, bom: bool) -> Vec<u8> {
        let mut bytes = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        bytes
    }

    #[test]
    fn utf8_with_or_without_a_byte_order_mark() {
        assert_eq!(
            whole("Café".as_bytes(), Syntax::Text),
            ("Café".into(), None)
        );
        assert_eq!(
            whole(b"\xEF\xBB\xBFCaf\xC3\xA9", Syntax::Text),
            ("Café".into(), None)
        );
        assert!(matches!(
            decode("Café".as_bytes(), Syntax::Text).text,
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn the_first_byte_that_is_not_utf8_switches_to_windows_1252() {
        let (text, note) = whole(b"a\nb\xC3\xA9\nCaf\xE9 \x80 \xC3\xA9", Syntax::Text);
        // Valid UTF-8 before the byte is UTF-8; everything from it on is Windows-1252.
        assert_eq!(text, "a\nbé\nCafé € Ã©");
        assert_eq!(
            note,
            Some(DecodeNote::NotUtf8 {
                offset: 9,
                line: 3,
                byte: 0xE9
            })
        );
        let warning = note.unwrap().warning("list.csv");
        assert!(
            warning.starts_with("list.csv:3: the byte at offset 9 (0xE9) is not UTF-8"),
            "{warning}"
        );
        // A sequence cut by the end of the file is not UTF-8 either.
        assert_eq!(
            whole(b"ab\xC3", Syntax::Text).1,
            Some(DecodeNote::NotUtf8 {
                offset: 2,
                line: 1,
                byte: 0xC3
            })
        );
        // After a UTF-8 byte-order mark, offsets still count from the file's start.
        assert_eq!(
            whole(b"\xEF\xBB\xBFa\xE9", Syntax::Text).1,
            Some(DecodeNote::NotUtf8 {
                offset: 4,
                line: 1,
                byte: 0xE9
            })
        );
    }

    #[test]
    fn utf16_is_told_by_its_byte_order_mark_or_an_xml_start() {
        assert_eq!(
            whole(&utf16le("Café\n", true), Syntax::Text),
            ("Café\n".into(), None)
        );
        let mut be = vec![0xFE, 0xFF];
        for unit in "Ümit".encode_utf16() {
            be.extend_from_slice(&unit.to_be_bytes());
        }
        assert_eq!(whole(&be, Syntax::Text), ("Ümit".into(), None));
        let xml = utf16le("<?xml version=\"1.0\"?><a>é</a>", false);
        assert_eq!(
            whole(&xml, Syntax::Xml).0,
            "<?xml version=\"1.0\"?><a>é</a>"
        );
        // An unpaired surrogate is noted.
        let mut bad = utf16le("ab", true);
        bad.extend_from_slice(&0xD800u16.to_le_bytes());
        bad.extend_from_slice(&utf16le("c", false));
        let (text, note) = whole(&bad, Syntax::Text);
        assert_eq!(text, "ab\u{FFFD}c");
        assert_eq!(
            note,
            Some(DecodeNote::Malformed {
                encoding: "UTF-16LE"
            })
        );
    }

    #[test]
    fn an_xml_declaration_names_the_encoding_unless_it_says_utf8() {
        let latin1 = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>Caf\xE9 \x80</a>";
        assert_eq!(
            whole(latin1, Syntax::Xml),
            (
                "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>Café €</a>".into(),
                None
            )
        );
        // Only XML has declarations.
        assert!(whole(latin1, Syntax::Text).1.is_some());
        let single = b"<?xml version='1.0' encoding = 'windows-1251'?><a>\xC0</a>";
        assert_eq!(
            whole(single, Syntax::Xml).0,
            "<?xml version='1.0' encoding = 'windows-1251'?><a>А</a>"
        );
        // A declaration that says UTF-8 does not make the bytes UTF-8.
        let (text, note) = whole(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>Caf\xE9</a>",
            Syntax::Xml,
        );
        assert_eq!(
            text,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>Café</a>"
        );
        assert_eq!(
            note,
            Some(DecodeNote::NotUtf8 {
                offset: 45,
                line: 2,
                byte: 0xE9
            })
        );
        // A byte-order mark comes first: UTF-8, whatever the declaration says.
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>é</a>".as_bytes());
        assert_eq!(whole(&bom, Syntax::Xml).1, None);
        // Names that are not ASCII-compatible or not known are ignored.
        for label in ["UTF-16", "no-such-encoding"] {
            let xml = format!("<?xml version=\"1.0\" encoding=\"{label}\"?><a>é</a>");
            assert_eq!(whole(xml.as_bytes(), Syntax::Xml), (xml.clone(), None));
        }
    }

    #[test]
    fn heads_for_sniffing() {
        assert_eq!(&*head_for_sniffing(b"\xEF\xBB\xBF{}"), b"{}");
        assert_eq!(&*head_for_sniffing(&utf16le("<a/>", true)), b"<a/>");
        assert_eq!(&*head_for_sniffing(b"a,b"), b"a,b");
        // A head cut inside a code unit.
        let mut cut = utf16le("ab", true);
        cut.push(b'c');
        assert!(head_for_sniffing(&cut).starts_with(b"ab"));
    }

    /// Bytes that are mostly text: ASCII, UTF-8 sequences, bytes that are not UTF-8.
    fn texty() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            "[a-z\n,<>\"]{0,8}".prop_map(|s| s.into_bytes()),
            "[éÜ€ж😀]{1,3}".prop_map(|s| s.into_bytes()),
            any::<u8>().prop_map(|b| vec![b]),
            Just(b"\xEF\xBB\xBF".to_vec()),
            Just(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>".to_vec()),
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        /// A stream read in chunks of any size decodes exactly as the bytes held whole.
        #[test]
        fn streamed_and_whole_decoding_agree(bytes in texty(), chunk in 1usize..40, xml in any::<bool>()) {
            let syntax = if xml { Syntax::Xml } else { Syntax::Text };
            prop_assert_eq!(streamed(&bytes, syntax, chunk), whole(&bytes, syntax));
        }

        /// UTF-16 with a byte-order mark, streamed in any chunks, decodes as held whole.
        #[test]
        fn streamed_utf16_agrees(text in "[a-zé€😀\n]{0,60}", chunk in 1usize..9) {
            let bytes = utf16le(&text, true);
            prop_assert_eq!(streamed(&bytes, Syntax::Text, chunk), (text.clone(), None));
        }
    }
}
