//! Lines for people on standard output and standard error. Every line the command line writes
//! that may echo input (a name, a source, an id, a path) goes through these, so that its control
//! and bidi characters are shown escaped ([`visible`]) and never reach the terminal raw; tables
//! escape their cells in `render`.

use crate::model::text::{quote_bounded, visible};

/// Prints `line` on standard output, escaped. Output into a closed pipe (`| head -1`) is
/// dropped quietly; another failure to write is said on standard error.
pub(crate) fn say(line: &str) {
    use std::io::Write as _;
    if let Err(e) = writeln!(std::io::stdout().lock(), "{}", visible(line))
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("listdiff: warning: cannot write output: {e}");
    }
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

/// Prints an argument error from the parser (which quotes the argument it refuses whole): its
/// first line as every error's (`listdiff: error: …`), each line escaped, and a line longer
/// than [`USAGE_LINE_CHARS`] cut to about 200 characters.
pub(crate) fn usage_error(rendered: &str) {
    for (i, line) in rendered.trim_end().lines().enumerate() {
        let prefix = if i == 0 && line.starts_with("error:") {
            "listdiff: "
        } else {
            ""
        };
        if line.chars().nth(USAGE_LINE_CHARS).is_some() {
            eprintln!("{prefix}{}", quote_bounded(line));
        } else {
            eprintln!("{prefix}{}", visible(line));
        }
    }
}
