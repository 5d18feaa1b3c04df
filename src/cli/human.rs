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

/// Prints an argument error from the parser: each line escaped and at most about 200
/// characters, since the parser quotes the argument it refuses whole.
pub(crate) fn usage_error(rendered: &str) {
    for line in rendered.trim_end().lines() {
        eprintln!("{}", quote_bounded(line));
    }
}
