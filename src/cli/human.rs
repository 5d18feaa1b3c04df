//! Lines for people on standard output and standard error. Every line the command line writes
//! that may echo input (a name, a source, an id, a path) goes through these, so that its control
//! and bidi characters are shown escaped ([`visible`]) and never reach the terminal raw; tables
//! escape their cells in `render`.

use crate::model::text::{quote_bounded, visible};

/// Prints `line` on standard output, escaped.
pub(crate) fn say(line: &str) {
    println!("{}", visible(line));
}

/// Prints `listdiff: note: TEXT` on standard error, escaped.
pub(crate) fn note(text: &str) {
    eprintln!("listdiff: note: {}", visible(text));
}

/// Prints `listdiff: warning: TEXT` on standard error, escaped.
pub(crate) fn warning(text: &str) {
    eprintln!("listdiff: warning: {}", visible(text));
}

/// Prints `listdiff: error: MESSAGE` on standard error, escaped. A message of several lines
/// (`verify`'s problems) keeps its line breaks: each line is escaped on its own.
pub(crate) fn error(message: &str, lines: bool) {
    let shown = if lines {
        message
            .split('\n')
            .map(visible)
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        visible(message).into_owned()
    };
    eprintln!("listdiff: error: {shown}");
}

/// Lines of an argument error longer than this are cut to [`quote_bounded`]'s length.
const USAGE_LINE_CHARS: usize = 300;

/// Prints an argument error from the parser (which quotes the argument it refuses whole): each
/// line escaped, and a line longer than [`USAGE_LINE_CHARS`] cut to about 200 characters.
pub(crate) fn usage_error(rendered: &str) {
    for line in rendered.trim_end().lines() {
        if line.chars().nth(USAGE_LINE_CHARS).is_some() {
            eprintln!("{}", quote_bounded(line));
        } else {
            eprintln!("{}", visible(line));
        }
    }
}
