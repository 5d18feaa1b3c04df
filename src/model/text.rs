//! Text rules shared by every field: white-space normalisation and word-level differences.

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
    fn word_diff_of_equal_texts_is_one_equal_span() {
        let spans = word_diff("same words", "same words");
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].op, WordOp::Equal);
    }
}
