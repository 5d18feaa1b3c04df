//! The one XML reader: quick-xml over the decoded stream ([`super::decode`]), reporting line
//! and column.
//!
//! [`XmlReader`] gives start tags (local name, attributes), end tags, text (references
//! resolved) and the end of the file, checked to be outside every element; every error names
//! the file, line and column. On top of it, [`XmlReader::read_subtree`] reads one record whole
//! (a [`Node`] tree) for formats read a record at a time, and [`ElementStream`] gives each
//! element's text at its end for formats that walk the whole document. [`root_element`] finds
//! the root of a file's first bytes, for recognisers.
//!
//! The reader enforces the reading layer's limits ([`super::limits`]) for every format, before
//! what passes them is held: nesting at most [`MAX_XML_DEPTH`] deep, each piece of markup (a
//! tag with its attributes, a comment, a run of text) and each element's text at most
//! [`MAX_FIELD_BYTES`], at most [`MAX_ATTRIBUTES`] attributes an element, and in a record (what
//! a format marks with [`XmlReader::begin_record`], or a subtree read whole) at most
//! [`MAX_RECORD_ELEMENTS`] elements and [`MAX_RECORD_BYTES`].
//!
//! Formats differ in what they tolerate from publishers; [`XmlRules`] states it.

use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};

use super::decode::{DecodeNote, Syntax, TextReader};
use super::limits::{
    self, MAX_ATTRIBUTES, MAX_FIELD_BYTES, MAX_RECORD_BYTES, MAX_RECORD_ELEMENTS, MAX_XML_DEPTH,
};
use crate::formats::{FormatError, InputFile, Location};
use crate::model::text::quote_bounded;

/// What a reference the reader cannot resolve becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unresolved {
    /// The file is refused: it is not well-formed XML.
    Refuse,
    /// Kept as written (`&mdash;`, `&#xZZ;`); a malformed attribute is left out.
    Keep,
}

/// What a format tolerates in a publisher's XML.
#[derive(Clone, Copy, Debug)]
pub(crate) struct XmlRules {
    /// Whether an end tag must name the element it closes.
    pub(crate) check_end_names: bool,
    /// An entity other than XML's five (and `more_entities`).
    pub(crate) unknown_entities: Unresolved,
    /// A character reference that names no character (`&#xZZ;`, `&#0;`).
    pub(crate) bad_character_references: Unresolved,
    /// An attribute quick-xml cannot read (no quotes, a repeated name, …).
    pub(crate) malformed_attributes: Unresolved,
    /// Named entities the format resolves beyond XML's five (the eCFR's HTML ones).
    pub(crate) more_entities: Option<fn(&str) -> Option<&'static str>>,
}

impl XmlRules {
    /// Well-formed XML only.
    pub(crate) const STRICT: XmlRules = XmlRules {
        check_end_names: true,
        unknown_entities: Unresolved::Refuse,
        bad_character_references: Unresolved::Refuse,
        malformed_attributes: Unresolved::Refuse,
        more_entities: None,
    };
}

/// A start tag: the element's local name and attributes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tag {
    /// The local name (any namespace prefix removed).
    pub(crate) name: String,
    /// Attributes by local name, values unescaped and normalised, in file order (namespace
    /// declarations left out).
    pub(crate) attrs: Vec<(String, String)>,
}

impl Tag {
    /// The value of attribute `name`.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What [`XmlReader::next`] gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum XmlEvent {
    /// A start tag; `empty` for an empty element (`<x/>`), which has no end tag.
    Start {
        /// The tag.
        tag: Tag,
        /// True for `<x/>`.
        empty: bool,
    },
    /// An end tag.
    End {
        /// The local name it closes.
        name: String,
    },
    /// Text (a run of text, a CDATA section or a resolved reference; several may follow each
    /// other).
    Text(String),
    /// The end of the file, outside every element.
    Eof,
}

/// A `BufRead` that keeps the position of what was consumed: line ends since the reader's last
/// mark, so that any offset after the mark can be given as a line and a column.
struct Tracked<R> {
    inner: R,
    /// Bytes consumed.
    consumed: u64,
    /// Where the mark was set: offset, line, offset of that line's start.
    mark: (u64, u64, u64),
    /// Offsets of the line ends consumed since the mark.
    newlines: Vec<u64>,
    /// Set when one piece of markup ran past [`MAX_FIELD_BYTES`]: reading stopped there.
    overlong: bool,
}

impl<R: BufRead> Tracked<R> {
    /// Forgets the line ends before the current position.
    fn set_mark(&mut self) {
        let line = self.mark.1 + self.newlines.len() as u64;
        let line_start = self.newlines.last().map_or(self.mark.2, |n| n + 1);
        self.mark = (self.consumed, line, line_start);
        self.newlines.clear();
    }

    /// The 1-based line and column of `offset` (an offset before the mark counts as the mark).
    fn position(&self, offset: u64) -> (u64, u64) {
        let offset = offset.max(self.mark.0);
        let before = self.newlines.partition_point(|&n| n < offset);
        let line_start = match before.checked_sub(1) {
            Some(i) => self.newlines.get(i).map_or(self.mark.2, |n| n + 1),
            None => self.mark.2,
        };
        (self.mark.1 + before as u64, offset - line_start + 1)
    }

    /// The 1-based line of the position consumed so far.
    fn line(&self) -> u64 {
        self.mark.1 + self.newlines.len() as u64
    }
}

impl<R: BufRead> std::io::Read for Tracked<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        if let (Some(to), Some(from)) = (out.get_mut(..n), available.get(..n)) {
            to.copy_from_slice(from);
        }
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Tracked<R> {
    /// The next bytes, unless the piece of markup being read (everything since the mark) is
    /// already longer than [`MAX_FIELD_BYTES`]: then an error, so that quick-xml never holds
    /// more of it.
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.consumed - self.mark.0 > MAX_FIELD_BYTES as u64 {
            self.overlong = true;
            return Err(std::io::Error::other("markup longer than the limit"));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        if let Ok(buffer) = self.inner.fill_buf() {
            let passed = buffer.get(..amount).unwrap_or(buffer);
            let start = self.consumed;
            self.newlines
                .extend(memchr::memchr_iter(b'\n', passed).map(|i| start + i as u64));
        }
        self.inner.consume(amount);
        self.consumed += amount as u64;
    }
}

/// A streaming XML reader over one input file.
pub(crate) struct XmlReader<'a> {
    file: &'a str,
    reader: quick_xml::Reader<Tracked<TextReader<Box<dyn BufRead + 'a>>>>,
    buf: Vec<u8>,
    rules: XmlRules,
    /// The elements open, innermost last.
    open: Vec<String>,
    /// Bytes of text read since the last tag.
    text_run: usize,
    /// The record being read, if a format marked one.
    record: Option<Record>,
}

/// A record being read ([`XmlReader::begin_record`]): what it has used of its budget.
#[derive(Clone, Copy, Debug)]
struct Record {
    /// How many elements were open with its start tag (its own included).
    depth: usize,
    /// Where its start tag began: offset and line.
    offset: u64,
    line: u64,
    /// Elements read in it, its own included.
    elements: usize,
}

impl<'a> XmlReader<'a> {
    /// Opens `input`, decoded by the one policy, read by `rules`.
    pub(crate) fn open(
        input: &'a InputFile,
        rules: XmlRules,
    ) -> Result<XmlReader<'a>, FormatError> {
        let file = input.name.as_str();
        let text = TextReader::new(input.reader()?, Syntax::Xml)
            .map_err(|e| FormatError::new(file, Location::File, format!("cannot read: {e}")))?;
        let mut reader = quick_xml::Reader::from_reader(Tracked {
            inner: text,
            consumed: 0,
            mark: (0, 1, 0),
            newlines: Vec::new(),
            overlong: false,
        });
        reader.config_mut().check_end_names = rules.check_end_names;
        Ok(XmlReader {
            file,
            reader,
            buf: Vec::with_capacity(8 * 1024),
            rules,
            open: Vec::new(),
            text_run: 0,
            record: None,
        })
    }

    /// The 1-based line the reader has reached (the line where the last event ended).
    pub(crate) fn line(&self) -> u64 {
        self.reader.get_ref().line()
    }

    /// The decoding warning about the file, if any (complete once the file was read).
    pub(crate) fn decode_warning(&self) -> Option<String> {
        self.decode_note().map(|note| note.warning(self.file))
    }

    /// What the decoding policy noted so far.
    pub(crate) fn decode_note(&self) -> Option<DecodeNote> {
        self.reader.get_ref().inner.note()
    }

    /// An error at the position the reader has reached.
    pub(crate) fn error_here(&self, message: impl Into<String>) -> FormatError {
        let (line, column) = self
            .reader
            .get_ref()
            .position(self.reader.buffer_position());
        FormatError::new(self.file, Location::LineColumn(line, column), message)
    }

    /// An error at the start of the event just read.
    fn error_at_event(&self, message: String) -> FormatError {
        let tracked = self.reader.get_ref();
        let (line, column) = tracked.position(tracked.mark.0);
        FormatError::new(self.file, Location::LineColumn(line, column), message)
    }

    /// Marks the element whose start tag was just read (not an empty one) as a record: until
    /// its end tag, the elements and bytes read count against the record limits
    /// ([`MAX_RECORD_ELEMENTS`], [`MAX_RECORD_BYTES`]).
    pub(crate) fn begin_record(&mut self) {
        let tracked = self.reader.get_ref();
        self.record = Some(Record {
            depth: self.open.len(),
            offset: tracked.mark.0,
            line: tracked.position(tracked.mark.0).0,
            elements: 1,
        });
    }

    /// Checks what the record being read has used, after an event.
    fn check_record(&mut self, starts_element: bool) -> Result<(), FormatError> {
        let Some(record) = self.record.as_mut() else {
            return Ok(());
        };
        if starts_element {
            record.elements += 1;
        }
        let record = *record;
        if record.elements > MAX_RECORD_ELEMENTS {
            return Err(self.error_at_event(format!(
                "the record that starts on line {} holds more elements than the limit of {}; {}",
                record.line,
                limits::grouped(MAX_RECORD_ELEMENTS as u64),
                limits::BEYOND
            )));
        }
        if self.reader.get_ref().consumed - record.offset > MAX_RECORD_BYTES as u64 {
            return Err(self.error_at_event(format!(
                "the record that starts on line {} is longer than the limit of {}; {}",
                record.line,
                limits::bytes(MAX_RECORD_BYTES as u64),
                limits::BEYOND
            )));
        }
        Ok(())
    }

    /// The error for XML that is not well-formed at `offset` of the decoded text.
    fn malformed_at(&self, offset: u64, detail: impl std::fmt::Display) -> FormatError {
        let (line, column) = self.reader.get_ref().position(offset);
        FormatError::new(
            self.file,
            Location::LineColumn(line, column),
            format!(
                "not well-formed XML: {}; the file looks damaged or truncated (download it again)",
                quote_bounded(&detail.to_string())
            ),
        )
    }

    /// The next start tag, end tag, text or end of file.
    pub(crate) fn next(&mut self) -> Result<XmlEvent, FormatError> {
        loop {
            self.buf.clear();
            self.reader.get_mut().set_mark();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(event) => event,
                Err(quick_xml::Error::Io(_)) if self.reader.get_ref().overlong => {
                    return Err(self.error_at_event(format!(
                        "a piece of markup (a tag with its attributes, a comment or a run of text) is longer than the limit of {}; {}",
                        limits::bytes(MAX_FIELD_BYTES as u64),
                        limits::BEYOND
                    )));
                }
                Err(quick_xml::Error::Io(e)) => {
                    return Err(FormatError::new(
                        self.file,
                        Location::File,
                        format!("cannot read: {e}"),
                    ));
                }
                Err(e) => {
                    let at = self.reader.error_position();
                    return Err(self.malformed_at(at, e));
                }
            };
            let event = match event {
                Event::Start(start) => {
                    let tag = tag(&start, self.rules);
                    XmlEvent::Start {
                        tag: self.accept(tag)?,
                        empty: false,
                    }
                }
                Event::Empty(start) => {
                    let tag = tag(&start, self.rules);
                    XmlEvent::Start {
                        tag: self.accept(tag)?,
                        empty: true,
                    }
                }
                Event::End(end) => XmlEvent::End {
                    name: end.local_name().as_ref().to_string(),
                },
                Event::Text(text) => XmlEvent::Text(text.xml10_content().into_owned()),
                Event::CData(text) => XmlEvent::Text(text.xml10_content().into_owned()),
                Event::GeneralRef(reference) => {
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(c)) => Ok(c.to_string()),
                        Ok(None) => {
                            let name = reference.xml10_content();
                            match quick_xml::escape::resolve_xml_entity(&name)
                                .or_else(|| self.rules.more_entities.and_then(|more| more(&name)))
                            {
                                Some(text) => Ok(text.to_string()),
                                None => match self.rules.unknown_entities {
                                    Unresolved::Keep => Ok(format!("&{name};")),
                                    Unresolved::Refuse => Err(format!("unknown entity &{name};")),
                                },
                            }
                        }
                        Err(e) => match self.rules.bad_character_references {
                            Unresolved::Keep => Ok(format!("&{};", reference.xml10_content())),
                            Unresolved::Refuse => Err(format!(
                                "bad character reference &{};: {e}",
                                reference.xml10_content()
                            )),
                        },
                    };
                    match resolved {
                        Ok(text) => XmlEvent::Text(text),
                        Err(detail) => {
                            let at = self.reader.buffer_position();
                            return Err(self.malformed_at(at, detail));
                        }
                    }
                }
                Event::Eof => match self.open.last() {
                    Some(open) => {
                        let open = open.clone();
                        return Err(self.error_here(format!(
                            "the file ends inside <{}>: it was cut short (truncated); download it again",
                            quote_bounded(&open)
                        )));
                    }
                    None => XmlEvent::Eof,
                },
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => continue,
            };
            match &event {
                XmlEvent::Start { tag, empty } => {
                    self.text_run = 0;
                    if self.open.len() >= MAX_XML_DEPTH {
                        return Err(self.error_at_event(format!(
                            "elements are nested more than {MAX_XML_DEPTH} deep (<{}>), the limit; {}",
                            quote_bounded(&tag.name),
                            limits::BEYOND
                        )));
                    }
                    if !empty {
                        self.open.push(tag.name.clone());
                    }
                }
                XmlEvent::End { .. } => {
                    self.text_run = 0;
                    self.open.pop();
                    if self.record.is_some_and(|r| self.open.len() < r.depth) {
                        self.record = None;
                    }
                }
                XmlEvent::Text(text) => {
                    self.text_run += text.len();
                    if self.text_run > MAX_FIELD_BYTES {
                        let inside = self.open.last().cloned().unwrap_or_default();
                        return Err(self.error_at_event(format!(
                            "the text of <{}> is longer than the limit of {}; {}",
                            quote_bounded(&inside),
                            limits::bytes(MAX_FIELD_BYTES as u64),
                            limits::BEYOND
                        )));
                    }
                }
                XmlEvent::Eof => {}
            }
            self.check_record(matches!(event, XmlEvent::Start { .. }))?;
            return Ok(event);
        }
    }

    /// A tag read, or the error its attributes gave.
    fn accept(&self, tag: Result<Tag, String>) -> Result<Tag, FormatError> {
        tag.map_err(|detail| self.malformed_at(self.reader.buffer_position(), detail))
    }

    /// Reads the root element, which must be `<expected>` (`what` names the format in the
    /// errors); returns its tag and whether it is empty.
    pub(crate) fn root(&mut self, expected: &str, what: &str) -> Result<(Tag, bool), FormatError> {
        loop {
            match self.next()? {
                XmlEvent::Start { tag, empty } => {
                    if tag.name != expected {
                        return Err(self.error_here(not_the_root(&tag.name, expected, what)));
                    }
                    return Ok((tag, empty));
                }
                XmlEvent::Text(_) => {}
                XmlEvent::End { .. } | XmlEvent::Eof => {
                    return Err(no_root(self.file, expected, what));
                }
            }
        }
    }

    /// Reads the rest of the element whose start tag `tag` was just read (not an empty one)
    /// into a tree.
    pub(crate) fn read_subtree(&mut self, tag: Tag) -> Result<Node, FormatError> {
        self.begin_record();
        let mut stack = vec![Node::from(tag)];
        loop {
            match self.next()? {
                XmlEvent::Start { tag, empty: true } => {
                    if let Some(parent) = stack.last_mut() {
                        parent.children.push(Node::from(tag));
                    }
                }
                XmlEvent::Start { tag, empty: false } => stack.push(Node::from(tag)),
                XmlEvent::Text(text) => {
                    if let Some(current) = stack.last_mut() {
                        current.text.push_str(&text);
                    }
                }
                XmlEvent::End { .. } => {
                    let Some(done) = stack.pop() else {
                        return Err(self.error_here("unexpected end tag"));
                    };
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => return Ok(done),
                    }
                }
                // Refused by `next` while elements are open.
                XmlEvent::Eof => return Err(self.error_here("the file ends inside a record")),
            }
        }
    }
}

/// The tag of a start event, or what is wrong with its attributes.
fn tag(start: &BytesStart<'_>, rules: XmlRules) -> Result<Tag, String> {
    let mut tag = Tag {
        name: start.local_name().as_ref().to_string(),
        attrs: Vec::new(),
    };
    for (count, attr) in start.attributes().enumerate() {
        if count == MAX_ATTRIBUTES {
            return Err(format!(
                "<{}> has more attributes than the limit of {}; {}",
                quote_bounded(&tag.name),
                limits::grouped(MAX_ATTRIBUTES as u64),
                limits::BEYOND
            ));
        }
        let attr = match attr {
            Ok(attr) => attr,
            Err(_) if rules.malformed_attributes == Unresolved::Keep => continue,
            Err(e) => {
                return Err(format!(
                    "bad attribute in <{}>: {}",
                    quote_bounded(&tag.name),
                    quote_bounded(&e.to_string())
                ));
            }
        };
        let key = attr.key.as_ref();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let value = match attr.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
            Ok(value) => value.into_owned(),
            Err(_) if rules.malformed_attributes == Unresolved::Keep => continue,
            Err(e) => {
                return Err(format!(
                    "bad attribute value in <{}>: {}",
                    quote_bounded(&tag.name),
                    quote_bounded(&e.to_string())
                ));
            }
        };
        tag.attrs
            .push((attr.key.local_name().as_ref().to_string(), value));
    }
    Ok(tag)
}

/// An element read whole: its local name, attributes, text and child elements.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Node {
    /// The local name (any namespace prefix removed).
    pub(crate) name: String,
    /// Attributes by local name, unescaped, in file order (namespace declarations left out).
    pub(crate) attrs: Vec<(String, String)>,
    /// The text directly inside the element (white space between child elements included).
    pub(crate) text: String,
    /// Child elements, in file order.
    pub(crate) children: Vec<Node>,
}

impl From<Tag> for Node {
    fn from(tag: Tag) -> Node {
        Node {
            name: tag.name,
            attrs: tag.attrs,
            ..Node::default()
        }
    }
}

impl Node {
    /// The value of attribute `name`.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The text of the first child called `name`.
    pub(crate) fn child_text(&self, name: &str) -> Option<&str> {
        self.children
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.text.as_str())
    }
}

/// What [`ElementStream::next`] gives: elements with the text read inside them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ElementEvent {
    /// `<name attr="…">` (an empty element gives a start and an end).
    Start {
        /// Local name.
        name: String,
        /// Attributes by local name.
        attrs: Vec<(String, String)>,
    },
    /// `</name>`, with the text read since the previous start or end tag.
    End {
        /// Local name.
        name: String,
        /// The text (references resolved, CDATA included), untrimmed.
        text: String,
    },
    /// The end of the file, outside every element.
    Eof,
}

/// The elements of a document in order, each end with the text read since the last tag: for
/// formats that walk a whole document by path.
pub(crate) struct ElementStream<'a> {
    xml: XmlReader<'a>,
    text: String,
    /// The end of an empty element, given after its start.
    pending_end: Option<String>,
    /// The root element the document must have, `(name, what the format is called)`, until
    /// it has been read; `None` when any root will do or it has been checked.
    root: Option<(&'static str, &'static str)>,
}

impl<'a> ElementStream<'a> {
    /// Walks the document `xml` reads, whatever its root element.
    pub(crate) fn new(xml: XmlReader<'a>) -> ElementStream<'a> {
        ElementStream {
            xml,
            text: String::new(),
            pending_end: None,
            root: None,
        }
    }

    /// Walks the document `xml` reads, whose root element must be `<expected>`: another root,
    /// or no element at all, is an error naming `what` the format is (as
    /// [`XmlReader::root`] says it).
    pub(crate) fn rooted(
        xml: XmlReader<'a>,
        expected: &'static str,
        what: &'static str,
    ) -> ElementStream<'a> {
        ElementStream {
            root: Some((expected, what)),
            ..ElementStream::new(xml)
        }
    }

    /// The reader underneath (for its line and decoding warning).
    pub(crate) fn reader(&self) -> &XmlReader<'a> {
        &self.xml
    }

    /// Marks the element whose start was just given as a record ([`XmlReader::begin_record`]).
    pub(crate) fn begin_record(&mut self) {
        if self.pending_end.is_none() {
            self.xml.begin_record();
        }
    }

    /// The next element start or end, or the end of the file.
    pub(crate) fn next(&mut self) -> Result<ElementEvent, FormatError> {
        if let Some(name) = self.pending_end.take() {
            return Ok(ElementEvent::End {
                name,
                text: std::mem::take(&mut self.text),
            });
        }
        loop {
            match self.xml.next()? {
                XmlEvent::Start { tag, empty } => {
                    if let Some((expected, what)) = self.root.take()
                        && tag.name != expected
                    {
                        return Err(self.xml.error_here(not_the_root(&tag.name, expected, what)));
                    }
                    self.text.clear();
                    if empty {
                        self.pending_end = Some(tag.name.clone());
                    }
                    return Ok(ElementEvent::Start {
                        name: tag.name,
                        attrs: tag.attrs,
                    });
                }
                XmlEvent::End { name } => {
                    return Ok(ElementEvent::End {
                        name,
                        text: std::mem::take(&mut self.text),
                    });
                }
                XmlEvent::Text(text) => self.text.push_str(&text),
                XmlEvent::Eof => {
                    return match self.root {
                        Some((expected, what)) => Err(no_root(self.xml.file, expected, what)),
                        None => Ok(ElementEvent::Eof),
                    };
                }
            }
        }
    }
}

/// The message for a document whose root element is `<found>`, not `<expected>`.
fn not_the_root(found: &str, expected: &str, what: &str) -> String {
    format!(
        "the root element is <{}>, not <{expected}>: this is not {what}",
        quote_bounded(found)
    )
}

/// The error for a document with no element at all, which should have had `<expected>`.
fn no_root(file: &str, expected: &str, what: &str) -> FormatError {
    FormatError::new(
        file,
        Location::File,
        format!(
            "no XML element found: the file is empty or not {what} (<{expected}>); download it again"
        ),
    )
}

/// The root element of a file, as its first bytes show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RootElement {
    /// The name as written (with any namespace prefix).
    pub(crate) qname: String,
    /// The local name.
    pub(crate) local: String,
    /// The attributes as written.
    pub(crate) attributes: String,
}

/// The root element of an XML head (a file's first bytes, decoded: see
/// [`crate::formats::detect`]): skips the declaration, comments, processing instructions and a
/// DOCTYPE. Never reads past `head`.
pub(crate) fn root_element(head: &[u8]) -> Option<RootElement> {
    let mut reader = quick_xml::Reader::from_reader(head);
    let mut buf = Vec::new();
    for _ in 0..64 {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                return Some(RootElement {
                    qname: e.name().as_ref().to_string(),
                    local: e.local_name().as_ref().to_string(),
                    attributes: e.attributes_raw().to_string(),
                });
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(bytes: &[u8]) -> InputFile {
        InputFile {
            name: "t.xml".into(),
            bytes: bytes.to_vec(),
            stream_from: None,
        }
    }

    fn events(bytes: &[u8], rules: XmlRules) -> Result<Vec<XmlEvent>, FormatError> {
        let input = file(bytes);
        let mut xml = XmlReader::open(&input, rules)?;
        let mut out = Vec::new();
        loop {
            let event = xml.next()?;
            let done = event == XmlEvent::Eof;
            out.push(event);
            if done {
                return Ok(out);
            }
        }
    }

    fn start(name: &str, empty: bool) -> XmlEvent {
        XmlEvent::Start {
            tag: Tag {
                name: name.into(),
                attrs: Vec::new(),
            },
            empty,
        }
    }

    #[test]
    fn events_with_local_names_attributes_and_text() {
        let xml = b"<?xml version=\"1.0\"?>\n<!-- c --><p:a xmlns:p=\"urn:x\" p:k=\"v &amp; w\"><b/>x &lt; <![CDATA[y]]>&#233;</p:a>";
        let got = events(xml, XmlRules::STRICT).unwrap();
        assert_eq!(
            got,
            vec![
                XmlEvent::Text("\n".into()),
                XmlEvent::Start {
                    tag: Tag {
                        name: "a".into(),
                        attrs: vec![("k".into(), "v & w".into())]
                    },
                    empty: false
                },
                start("b", true),
                XmlEvent::Text("x ".into()),
                XmlEvent::Text("<".into()),
                XmlEvent::Text(" ".into()),
                XmlEvent::Text("y".into()),
                XmlEvent::Text("é".into()),
                XmlEvent::End { name: "a".into() },
                XmlEvent::Eof,
            ]
        );
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = events(b"<a>\n  <b></c>\n</a>", XmlRules::STRICT).unwrap_err();
        assert_eq!(e.file, "t.xml");
        assert_eq!(e.location, Location::LineColumn(2, 6), "{e}");
        assert!(e.message.starts_with("not well-formed XML: "), "{e}");

        let e = events(b"<a>\n<b>text", XmlRules::STRICT).unwrap_err();
        assert!(matches!(e.location, Location::LineColumn(2, _)), "{e}");
        assert!(e.message.contains("ends inside <b>"), "{e}");
        assert!(e.message.contains("cut short") && e.message.contains("truncated"));

        let e = events(b"<a>&nbsp;</a>", XmlRules::STRICT).unwrap_err();
        assert!(e.message.contains("unknown entity &nbsp;"), "{e}");
        let e = events(b"<a>&#xZZ;</a>", XmlRules::STRICT).unwrap_err();
        assert!(e.message.contains("bad character reference"), "{e}");
        let e = events(b"<a k=v/>", XmlRules::STRICT).unwrap_err();
        assert!(e.message.contains("bad attribute"), "{e}");
    }

    #[test]
    fn lenient_rules_keep_what_they_cannot_resolve() {
        let lenient = XmlRules {
            check_end_names: false,
            unknown_entities: Unresolved::Keep,
            bad_character_references: Unresolved::Keep,
            malformed_attributes: Unresolved::Keep,
            more_entities: Some(|name| (name == "mdash").then_some("—")),
        };
        let got = events(b"<a k=v j=\"1\">&mdash;&nbsp;&#xZZ;</A>", lenient).unwrap();
        assert_eq!(
            got,
            vec![
                XmlEvent::Start {
                    tag: Tag {
                        name: "a".into(),
                        attrs: vec![("j".into(), "1".into())]
                    },
                    empty: false
                },
                XmlEvent::Text("—".into()),
                XmlEvent::Text("&nbsp;".into()),
                XmlEvent::Text("&#xZZ;".into()),
                XmlEvent::End { name: "A".into() },
                XmlEvent::Eof,
            ]
        );
    }

    #[test]
    fn text_is_decoded_by_the_policy_with_a_warning() {
        let input = file(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>Caf\xE9</a>");
        let mut xml = XmlReader::open(&input, XmlRules::STRICT).unwrap();
        let mut text = String::new();
        loop {
            match xml.next().unwrap() {
                XmlEvent::Text(t) => text.push_str(&t),
                XmlEvent::Eof => break,
                _ => {}
            }
        }
        assert_eq!(text, "\nCafé");
        let warning = xml.decode_warning().unwrap();
        assert!(
            warning.starts_with("t.xml:2: the byte at offset 45 (0xE9)"),
            "{warning}"
        );
    }

    #[test]
    fn a_rooted_element_stream_checks_the_root_and_refuses_a_document_without_one() {
        let rooted = |bytes: &'static [u8]| {
            let input = file(bytes);
            let mut stream = ElementStream::rooted(
                XmlReader::open(&input, XmlRules::STRICT).unwrap(),
                "r",
                "a test file",
            );
            let mut events = 0;
            loop {
                match stream.next() {
                    Ok(ElementEvent::Eof) => return Ok(events),
                    Ok(_) => events += 1,
                    Err(e) => return Err(e.message),
                }
            }
        };
        assert_eq!(rooted(b"<r><e/></r>"), Ok(4));
        let wrong = rooted(b"<x><r/></x>").unwrap_err();
        assert!(
            wrong.contains("the root element is <x>, not <r>: this is not a test file"),
            "{wrong}"
        );
        let empty = rooted(b"<?xml version=\"1.0\"?>\n<!-- nothing -->\n").unwrap_err();
        assert!(
            empty.contains("no XML element found: the file is empty or not a test file (<r>)"),
            "{empty}"
        );
    }

    #[test]
    fn subtrees_and_element_streams() {
        let input = file(b"<r><e id=\"1\"><n>A</n><n/>t</e></r>");
        let mut xml = XmlReader::open(&input, XmlRules::STRICT).unwrap();
        let (root, empty) = xml.root("r", "a test file").unwrap();
        assert_eq!((root.name.as_str(), empty), ("r", false));
        let XmlEvent::Start { tag, empty: false } = xml.next().unwrap() else {
            panic!("a record");
        };
        let node = xml.read_subtree(tag).unwrap();
        assert_eq!(node.attr("id"), Some("1"));
        assert_eq!(node.child_text("n"), Some("A"));
        assert_eq!(node.children.len(), 2);
        assert_eq!(node.text, "t");

        let deep = format!("<r>{}{}</r>", "<e>".repeat(70), "</e>".repeat(70));
        let input = file(deep.as_bytes());
        let mut xml = XmlReader::open(&input, XmlRules::STRICT).unwrap();
        xml.root("r", "a test file").unwrap();
        let XmlEvent::Start { tag, .. } = xml.next().unwrap() else {
            panic!("a record");
        };
        let e = xml.read_subtree(tag).unwrap_err();
        assert!(e.message.contains("nested more than 64 deep (<e>)"), "{e}");

        let input = file(b"<a><b/><c>x</c></a>");
        let mut stream = ElementStream::new(XmlReader::open(&input, XmlRules::STRICT).unwrap());
        let mut got = Vec::new();
        loop {
            let event = stream.next().unwrap();
            let done = event == ElementEvent::Eof;
            got.push(event);
            if done {
                break;
            }
        }
        let end = |name: &str, text: &str| ElementEvent::End {
            name: name.into(),
            text: text.into(),
        };
        let open = |name: &str| ElementEvent::Start {
            name: name.into(),
            attrs: Vec::new(),
        };
        assert_eq!(
            got,
            vec![
                open("a"),
                open("b"),
                end("b", ""),
                open("c"),
                end("c", "x"),
                end("a", ""),
                ElementEvent::Eof
            ]
        );

        let other = file(b"<x/>");
        let e = XmlReader::open(&other, XmlRules::STRICT)
            .unwrap()
            .root("r", "a test file")
            .unwrap_err();
        assert!(
            e.message
                .contains("the root element is <x>, not <r>: this is not a test file")
        );
        let empty = file(b"  ");
        let e = XmlReader::open(&empty, XmlRules::STRICT)
            .unwrap()
            .root("r", "a test file")
            .unwrap_err();
        assert!(e.message.starts_with("no XML element found"), "{e}");
    }

    #[test]
    fn root_elements_of_heads() {
        let root = root_element(b"<?xml version=\"1.0\"?><!-- c --><!DOCTYPE x [<!ENTITY e \"v\">]><p:Sanctions xmlns:p=\"u\" a=\"1\">").unwrap();
        assert_eq!(root.qname, "p:Sanctions");
        assert_eq!(root.local, "Sanctions");
        assert_eq!(root.attributes, " xmlns:p=\"u\" a=\"1\"");
        assert_eq!(root_element(b"<").map(|r| r.local), None);
        assert_eq!(root_element(b"no xml").map(|r| r.local), None);
        assert_eq!(root_element(b"<a/>").map(|r| r.local).as_deref(), Some("a"));
    }
}
