//! HTML pages, read with a real HTML parser (html5ever's tree builder, through `scraper`): a
//! page's tables and its visible text in document order, whatever its scripts, styles and
//! layout.
//!
//! A web page changes from day to day in everything but what it says: scripts, style sheets,
//! tokens, wrapping elements, classes. Nothing of that reaches a format: [`HtmlPage::read`] gives
//! only the text a reader sees, as *blocks* (the text of each paragraph, heading, list item or
//! table cell, white space collapsed) and the tables with their rows of cell text, each table
//! with the blocks printed since the table before it. The text of `script`, `style`,
//! `template` and `noscript` elements, comments and attributes are never read.

use ego_tree::iter::Edge;
use scraper::{Html, Node};

use super::decode::Syntax;
use super::limits::{self, MAX_FIELD_BYTES};
use super::text::whole_text;
use crate::formats::{FormatError, InputFile, Location};
use crate::model::text;

/// A page's visible text and tables.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct HtmlPage {
    /// Every block of visible text outside tables, in document order.
    pub(crate) blocks: Vec<String>,
    /// Every table (nested tables included, each on its own), in document order.
    pub(crate) tables: Vec<HtmlTable>,
    /// The decoding warning about the file, if any.
    pub(crate) decode_warning: Option<String>,
    /// Whether the page's text ends with its `</html>` end tag (white space aside): a page cut
    /// short in transfer does not, and a browser would show what it has without a word.
    pub(crate) complete: bool,
}

/// One table of a page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct HtmlTable {
    /// Its rows, each the text of its cells (`th` and `td`) in order.
    pub(crate) rows: Vec<Vec<String>>,
    /// The blocks of text outside tables printed between the table before it (or the page's
    /// start) and it.
    pub(crate) before: Vec<String>,
}

/// Elements whose content is never visible text.
fn is_hidden(name: &str) -> bool {
    matches!(
        name,
        "script" | "style" | "template" | "noscript" | "head" | "svg" | "math" | "iframe"
    )
}

/// Elements that end a block of text (and `br`, which separates words).
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "nav"
            | "aside"
            | "main"
            | "blockquote"
            | "form"
            | "body"
            | "html"
            | "figure"
            | "figcaption"
            | "caption"
            | "pre"
            | "address"
    )
}

/// How deep a page's elements may nest: real pages stay under 40; the HTML parser's work grows
/// with the square of the depth (100,000 nested `div`s, 500 KB, took 30 s), so a deeper page
/// is refused before it is parsed.
pub(crate) const MAX_HTML_DEPTH: usize = 256;

/// Elements that have no end tag, or whose end tag pages often leave out (the parser closes
/// them): they do not count towards the depth.
fn is_unnested(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
            | "p"
            | "li"
            | "dt"
            | "dd"
            | "td"
            | "th"
            | "tr"
            | "thead"
            | "tbody"
            | "tfoot"
            | "option"
            | "optgroup"
            | "colgroup"
            | "caption"
            | "rb"
            | "rt"
            | "rp"
            | "param"
            | "keygen"
            | "frame"
            | "html"
            | "head"
            | "body"
    )
}

/// Refuses, naming the line, a page whose elements nest deeper than [`MAX_HTML_DEPTH`] (start
/// tags less end tags, elements that are not nested aside) or that holds a text run or a tag
/// longer than [`MAX_FIELD_BYTES`], before the parser sees it.
fn check_limits(file: &str, text: &str) -> Result<(), FormatError> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut line = 1u64;
    let mut at = 0usize;
    let mut text_start = 0usize;
    let refuse = |line: u64, message: String| FormatError::new(file, Location::Line(line), message);
    while at < bytes.len() {
        let Some(rel) = memchr::memchr(b'<', bytes.get(at..).unwrap_or(&[])) else {
            break;
        };
        let open = at + rel;
        line += bytes
            .get(at..open)
            .map_or(0, |b| memchr::memchr_iter(b'\n', b).count() as u64);
        if open - text_start > MAX_FIELD_BYTES {
            return Err(refuse(
                line,
                format!(
                    "a run of text longer than the limit of {}",
                    limits::bytes(MAX_FIELD_BYTES as u64)
                ),
            ));
        }
        let rest = bytes.get(open..).unwrap_or(&[]);
        // Comments end at `-->`; other markup at `>`.
        let end = if rest.starts_with(b"<!--") {
            memchr::memmem::find(rest, b"-->").map(|e| e + 3)
        } else {
            memchr::memchr(b'>', rest).map(|e| e + 1)
        };
        let end = end.unwrap_or(rest.len());
        if end > MAX_FIELD_BYTES {
            return Err(refuse(
                line,
                format!(
                    "a tag longer than the limit of {}",
                    limits::bytes(MAX_FIELD_BYTES as u64)
                ),
            ));
        }
        let tag = rest.get(1..end).unwrap_or(&[]);
        let closing = tag.first() == Some(&b'/');
        let name: String = tag
            .iter()
            .skip(usize::from(closing))
            .take_while(|b| b.is_ascii_alphanumeric())
            .map(|b| b.to_ascii_lowercase() as char)
            .collect();
        let self_closing = tag.ends_with(b"/>");
        line += bytes
            .get(open..open + end)
            .map_or(0, |b| memchr::memchr_iter(b'\n', b).count() as u64);
        at = open + end;
        if !name.is_empty() && !is_unnested(&name) {
            if closing {
                depth = depth.saturating_sub(1);
            } else if !self_closing {
                depth += 1;
                if depth > MAX_HTML_DEPTH {
                    return Err(refuse(
                        line,
                        format!(
                            "elements nested more than {MAX_HTML_DEPTH} deep: not a page listdiff reads"
                        ),
                    ));
                }
                // Raw text: skip to the element's end tag.
                if matches!(
                    name.as_str(),
                    "script" | "style" | "textarea" | "title" | "xmp"
                ) {
                    let close = format!("</{name}");
                    let body = bytes.get(at..).unwrap_or(&[]);
                    let lower = body.to_ascii_lowercase();
                    let skip = memchr::memmem::find(&lower, close.as_bytes()).unwrap_or(body.len());
                    line +=
                        memchr::memchr_iter(b'\n', body.get(..skip).unwrap_or(&[])).count() as u64;
                    at += skip;
                }
            }
        }
        text_start = at;
    }
    if bytes.len() - text_start > MAX_FIELD_BYTES {
        return Err(refuse(
            line,
            format!(
                "a run of text longer than the limit of {}",
                limits::bytes(MAX_FIELD_BYTES as u64)
            ),
        ));
    }
    Ok(())
}

/// A table being read.
#[derive(Default)]
struct OpenTable {
    table: HtmlTable,
    row: Option<Vec<String>>,
    cell: Option<String>,
}

impl HtmlPage {
    /// Reads `file` (decoded by the one policy) as an HTML page.
    pub(crate) fn read(file: &InputFile) -> Result<HtmlPage, FormatError> {
        let decoded = whole_text(file, Syntax::Text)?;
        let decode_warning = decoded.note.map(|note| note.warning(&file.name));
        check_limits(&file.name, &decoded.text)?;
        let html = Html::parse_document(&decoded.text);
        let trimmed = decoded.text.trim_end();
        let complete = trimmed
            .get(trimmed.len().saturating_sub(7)..)
            .is_some_and(|tail| tail.eq_ignore_ascii_case("</html>"));
        let mut page = HtmlPage {
            decode_warning,
            complete,
            ..HtmlPage::default()
        };
        let mut block = String::new();
        let mut since_table: Vec<String> = Vec::new();
        let mut open: Vec<OpenTable> = Vec::new();
        let mut hidden = 0usize;
        let finish_block = |block: &mut String, since: &mut Vec<String>, all: &mut Vec<String>| {
            if let Some(text) = text::normalize(block) {
                since.push(text.clone());
                all.push(text);
            }
            block.clear();
        };
        for edge in html.root_element().traverse() {
            match edge {
                Edge::Open(node) => match node.value() {
                    Node::Element(e) => {
                        let name = e.name();
                        if hidden > 0 || is_hidden(name) {
                            hidden += 1;
                            continue;
                        }
                        match name {
                            "table" => {
                                if open.is_empty() {
                                    finish_block(&mut block, &mut since_table, &mut page.blocks);
                                }
                                open.push(OpenTable {
                                    table: HtmlTable {
                                        before: std::mem::take(&mut since_table),
                                        ..HtmlTable::default()
                                    },
                                    ..OpenTable::default()
                                });
                            }
                            "tr" => {
                                if let Some(t) = open.last_mut() {
                                    t.row = Some(Vec::new());
                                }
                            }
                            "td" | "th" => {
                                if let Some(t) = open.last_mut() {
                                    t.cell = Some(String::new());
                                }
                            }
                            _ if is_block(name) || name == "br" => {
                                let outside = open.is_empty();
                                if let Some(cell) = open.last_mut().and_then(|t| t.cell.as_mut()) {
                                    cell.push(' ');
                                } else if outside && name != "br" {
                                    finish_block(&mut block, &mut since_table, &mut page.blocks);
                                } else {
                                    block.push(' ');
                                }
                            }
                            _ => {}
                        }
                    }
                    Node::Text(t) if hidden == 0 => match open.last_mut() {
                        Some(table) => {
                            if let Some(cell) = table.cell.as_mut() {
                                cell.push_str(t);
                            }
                        }
                        None => block.push_str(t),
                    },
                    _ => {}
                },
                Edge::Close(node) => {
                    let Node::Element(e) = node.value() else {
                        continue;
                    };
                    let name = e.name();
                    if hidden > 0 {
                        hidden -= 1;
                        continue;
                    }
                    match name {
                        "table" => {
                            if let Some(mut t) = open.pop() {
                                if let Some(row) = t.row.take()
                                    && !row.is_empty()
                                {
                                    t.table.rows.push(row);
                                }
                                page.tables.push(t.table);
                            }
                        }
                        "tr" => {
                            if let Some(t) = open.last_mut()
                                && let Some(row) = t.row.take()
                                && !row.is_empty()
                            {
                                t.table.rows.push(row);
                            }
                        }
                        "td" | "th" => {
                            if let Some(t) = open.last_mut()
                                && let Some(cell) = t.cell.take()
                            {
                                let text = text::normalize(&cell).unwrap_or_default();
                                t.row.get_or_insert_with(Vec::new).push(text);
                            }
                        }
                        _ if is_block(name) && open.is_empty() => {
                            finish_block(&mut block, &mut since_table, &mut page.blocks);
                        }
                        _ if is_block(name) => {
                            if let Some(cell) = open.last_mut().and_then(|t| t.cell.as_mut()) {
                                cell.push(' ');
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        finish_block(&mut block, &mut since_table, &mut page.blocks);
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(html: &str) -> HtmlPage {
        HtmlPage::read(&InputFile {
            name: "p.html".into(),
            bytes: html.as_bytes().to_vec(),
            stream_from: None,
        })
        .unwrap()
    }

    #[test]
    fn tables_blocks_and_hidden_text() {
        let p = page(
            "<!DOCTYPE html><html><head><title>T</title><script>var x = '<table>';</script><style>td{}</style></head>\
             <body><div class=a><p>First <b>block</b><br>Section 1</p><table><thead><tr><th>Name</th><th>Date</th></tr></thead>\
             <tbody><tr><td>A &amp; B<script>junk()</script></td><td>June 1, 2022</td></tr><tr><td>C<br>D</td><td></td></tr></tbody></table>\
             <p>Between</p><table><tr><td>E</td></tr></table><div>Last Updated: 01/14/2025</div></div></body></html>",
        );
        assert_eq!(
            p.blocks,
            vec![
                "First block Section 1",
                "Between",
                "Last Updated: 01/14/2025"
            ]
        );
        assert_eq!(p.tables.len(), 2);
        assert_eq!(
            p.tables[0].rows,
            vec![
                vec!["Name".to_string(), "Date".into()],
                vec!["A & B".into(), "June 1, 2022".into()],
                vec!["C D".into(), "".into()],
            ]
        );
        assert_eq!(p.tables[0].before, vec!["First block Section 1"]);
        assert_eq!(p.tables[1].before, vec!["Between"]);
    }

    #[test]
    fn broken_markup_is_read_as_a_browser_would() {
        let p = page("<table><tr><td>A<td>B<tr><td>C</table><p>x");
        assert_eq!(
            p.tables[0].rows,
            vec![vec!["A".to_string(), "B".into()], vec!["C".into()]]
        );
        let p = page("");
        assert!(p.tables.is_empty());
        let deep = "<div>".repeat(MAX_HTML_DEPTH + 1);
        let e = HtmlPage::read(&InputFile {
            name: "p.html".into(),
            bytes: format!("<html>\n<body>\n{deep}").into_bytes(),
            stream_from: None,
        })
        .unwrap_err();
        assert_eq!(e.location, Location::Line(3));
        assert!(e.message.contains("nested more than"), "{e}");
        let _ = page(&"<div></div>".repeat(10_000));
        let big = format!("<p>{}</p>", "x".repeat(MAX_FIELD_BYTES + 1));
        let e = HtmlPage::read(&InputFile {
            name: "p.html".into(),
            bytes: big.into_bytes(),
            stream_from: None,
        })
        .unwrap_err();
        assert!(e.message.contains("longer than the limit"), "{e}");
    }
}
