//! Text rules shared by every field: white-space normalisation and word-level differences; and
//! how text from inputs is shown to people: control and bidi characters escaped ([`visible`]),
//! and quoted in messages at a bounded length ([`quote_bounded`]).

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use serde::Serialize;
use similar::{Algorithm, ChangeTag};

/// Reads a date written exactly `YYYY-MM-DD` (after trimming), year 0001 to 9999.
pub fn parse_date(text: &str) -> Option<chrono::NaiveDate> {
    let text = text.trim();
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shaped || text.starts_with("0000") {
        return None;
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// True when `text` is already in normal form: ASCII-checked quickly, no white space at either
/// end, none but single spaces inside. Text with non-ASCII bytes takes the general path.
fn is_normal(text: &str) -> bool {
    let bytes = text.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if first == b' ' || last == b' ' {
        return false;
    }
    let mut previous_space = false;
    for &b in bytes {
        if b == b' ' {
            if previous_space {
                return false;
            }
            previous_space = true;
        } else if b >= 0x80 || b <= b' ' || b == 0x7f {
            // Non-ASCII, control characters and other white space take the general path.
            return false;
        } else {
            previous_space = false;
        }
    }
    true
}

/// Trims `raw` and collapses every run of white space to one space; `None` when nothing is left.
pub fn normalize(raw: &str) -> Option<String> {
    if is_normal(raw) {
        return Some(raw.to_string());
    }
    collapse(raw)
}

/// [`normalize`] for an owned string, reusing it when it is already normal.
pub fn normalize_owned(raw: String) -> Option<String> {
    if is_normal(&raw) {
        Some(raw)
    } else {
        collapse(&raw)
    }
}

fn collapse(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    for word in raw.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    (!out.is_empty()).then_some(out)
}

/// Normalises every item, drops empty ones, sorts and removes duplicates: list fields are sets.
pub fn normalize_set<I, S>(items: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out: Vec<String> = items
        .into_iter()
        .filter_map(|item| normalize(item.as_ref()))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// [`normalize_set`] for owned strings, reusing those already normal.
pub fn normalize_set_owned(items: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = items.into_iter().filter_map(normalize_owned).collect();
    out.sort();
    out.dedup();
    out
}

/// True for the characters that human-readable output never writes raw, because a terminal
/// acts on them or they reorder or hide the text around them: the C0 controls (tab and newline
/// included), DEL, the C1 controls, the bidi embeddings, overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069), the left-to-right, right-to-left and Arabic letter marks (U+200E, U+200F,
/// U+061C), the line and paragraph separators (U+2028, U+2029) and the zero-width no-break space
/// or byte order mark (U+FEFF).
///
/// Zero-width joiners and non-joiners (U+200C, U+200D) are left as they are: scripts such as
/// Persian and Devanagari need them, and a terminal does not act on them.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{061c}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{feff}'
        )
}

/// `text` as human-readable output shows it: every character of [`is_hidden`] escaped
/// visibly, tab, newline and carriage return as `\t`, `\n` and `\r`, the others as
/// `\u{1b}` (lower-case hexadecimal), everything else as it is. Borrowed when nothing needs
/// escaping. A backslash is not escaped, so a value holding the text `\u{1b}` shows the same
/// as one holding the character; JSON output tells them apart.
///
/// Every line listdiff writes for people (tables, `ingest`'s lines, notes, warnings, errors)
/// shows text from inputs through this function; JSON, NDJSON and CSV keep it exact.
pub fn visible(text: &str) -> Cow<'_, str> {
    let plain = |b: u8| (b' '..0x7f).contains(&b);
    if text.bytes().all(plain) || !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        push_visible(&mut out, c);
    }
    Cow::Owned(out)
}

/// Appends `c` to `out` as [`visible`] shows it.
fn push_visible(out: &mut String, c: char) {
    match c {
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if is_hidden(c) => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
        c => out.push(c),
    }
}

/// How many characters of an input value a message quotes at most ([`quote_bounded`]).
pub const QUOTE_CHARS: usize = 200;

/// An input value as a message quotes it: its first [`QUOTE_CHARS`] characters shown
/// [`visible`], then, when there is more, `…(N more bytes)`, so that no message repeats a huge
/// value (a 200 MB id) however long the input. Used by every message of every floor that quotes
/// input; the quotes around it are the message's own.
pub fn quote_bounded(text: &str) -> Quoted<'_> {
    Quoted(text)
}

/// An input value quoted at a bounded length: see [`quote_bounded`].
#[derive(Clone, Copy, Debug)]
pub struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0;
        let cut = text
            .char_indices()
            .nth(QUOTE_CHARS)
            .map_or(text.len(), |(at, _)| at);
        f.write_str(&visible(&text[..cut]))?;
        if cut < text.len() {
            write!(f, "…({} more bytes)", text.len() - cut)?;
        }
        Ok(())
    }
}

/// What a message adds after quoting `text` when it holds invisible format characters
/// (general category Cf, which [`visible`] leaves as they are, such as U+200B): ` (it holds the
/// invisible characters U+200B, U+FEFF)`; empty when it holds none.
pub fn invisible_note(text: &str) -> String {
    let mut named: Vec<String> = Vec::new();
    for c in text.chars().filter(|c| super::is_format_char(*c)) {
        let name = format!("U+{:04X}", u32::from(c));
        if !named.contains(&name) {
            named.push(name);
        }
    }
    match named.len() {
        0 => String::new(),
        1 => format!(" (it holds the invisible character {})", named.join("")),
        _ => format!(" (it holds the invisible characters {})", named.join(", ")),
    }
}

/// One piece of a word-level difference between two texts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WordSpan {
    /// Whether the words were kept, deleted or inserted.
    pub op: WordOp,
    /// The words, with the white space between them.
    pub text: String,
}

/// What happened to a [`WordSpan`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WordOp {
    /// Present in both texts.
    Equal,
    /// Only in the earlier text.
    Delete,
    /// Only in the later text.
    Insert,
}

/// The word-level difference from `before` to `after` (Patience algorithm, adjacent pieces merged).
pub fn word_diff(before: &str, after: &str) -> Vec<WordSpan> {
    let mut spans: Vec<WordSpan> = Vec::new();
    for (tag, text) in similar::utils::diff_words(Algorithm::Patience, before, after) {
        let op = match tag {
            ChangeTag::Equal => WordOp::Equal,
            ChangeTag::Delete => WordOp::Delete,
            ChangeTag::Insert => WordOp::Insert,
        };
        match spans.last_mut() {
            Some(last) if last.op == op => last.text.push_str(text),
            _ => spans.push(WordSpan {
                op,
                text: text.to_string(),
            }),
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_exactly_yyyy_mm_dd() {
        assert_eq!(
            parse_date(" 2024-12-01 "),
            chrono::NaiveDate::from_ymd_opt(2024, 12, 1)
        );
        for bad in [
            "2024-2-1",
            "24-12-01",
            "+2024-12-01",
            "0000-01-01",
            "2024-02-30",
            "2024/12/01",
            "-202-12-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn normalize_trims_and_collapses() {
        assert_eq!(normalize("  a \t b\n\nc ").as_deref(), Some("a b c"));
        assert_eq!(normalize(" \n\t "), None);
        assert_eq!(normalize(""), None);
    }

    #[test]
    fn the_fast_path_agrees_with_the_general_one() {
        for text in [
            "a b", "a  b", " a", "a ", "a\tb", "a\u{a0}b", "é b", "a\u{b}b", "x", "", "  ",
        ] {
            assert_eq!(normalize(text), collapse(text), "{text:?}");
            assert_eq!(
                normalize_owned(text.to_string()),
                collapse(text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn sets_ignore_order_duplicates_and_blanks() {
        assert_eq!(normalize_set(["b ", " a", "", "b", "  "]), vec!["a", "b"]);
    }

    #[test]
    fn word_diff_marks_changed_words() {
        let spans = word_diff("Case-by-case review.", "Presumption of denial.");
        assert!(
            spans
                .iter()
                .any(|s| s.op == WordOp::Delete && s.text.contains("Case-by-case"))
        );
        assert!(
            spans
                .iter()
                .any(|s| s.op == WordOp::Insert && s.text.contains("denial"))
        );
        let rebuilt_before: String = spans
            .iter()
            .filter(|s| s.op != WordOp::Insert)
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(rebuilt_before, "Case-by-case review.");
    }

    #[test]
    fn visible_escapes_controls_and_bidi_characters_and_nothing_else() {
        assert!(matches!(visible("Acme Corp. (Ltd) é 中"), Cow::Borrowed(_)));
        assert_eq!(
            visible("a\u{1b}]0;t\u{7}b\tc\nd\re\u{7f}\u{9b}\u{85}"),
            "a\\u{1b}]0;t\\u{7}b\\tc\\nd\\re\\u{7f}\\u{9b}\\u{85}"
        );
        assert_eq!(
            visible("\u{202a}\u{202e}\u{2066}\u{2069}\u{200e}\u{200f}\u{61c}\u{2028}\u{feff}"),
            "\\u{202a}\\u{202e}\\u{2066}\\u{2069}\\u{200e}\\u{200f}\\u{61c}\\u{2028}\\u{feff}"
        );
        // Joiners that scripts need, and backslashes, stay as they are.
        assert_eq!(
            visible("\u{200c}\u{200d}\\u{1b}"),
            "\u{200c}\u{200d}\\u{1b}"
        );
        let escaped = visible("x\u{1b}[2J\u{202e}y");
        assert!(!escaped.chars().any(is_hidden), "{escaped}");
    }

    #[test]
    fn quote_bounded_cuts_long_values_and_says_how_much_is_left_out() {
        assert_eq!(quote_bounded("short").to_string(), "short");
        let long = "é".repeat(1000);
        let quoted = quote_bounded(&long).to_string();
        assert!(quoted.starts_with(&"é".repeat(QUOTE_CHARS)));
        assert!(quoted.ends_with("…(1600 more bytes)"), "{quoted}");
        assert_eq!(
            quoted.chars().count(),
            QUOTE_CHARS + "…(1600 more bytes)".len() - 2
        );
        assert_eq!(quote_bounded("a\u{1b}b").to_string(), "a\\u{1b}b");
        let exact = "x".repeat(QUOTE_CHARS);
        assert_eq!(quote_bounded(&exact).to_string(), exact);
    }

    #[test]
    fn word_diff_of_equal_texts_is_one_equal_span() {
        let spans = word_diff("same words", "same words");
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].op, WordOp::Equal);
    }
}
