//! Lines for people on standard output and standard error. Every line the command line writes
//! that may echo input (a name, a source, an id, a path) goes through these, so that its control
//! and bidi characters are shown escaped ([`visible`]) and never reach the terminal raw; tables
//! escape their cells in `render`.
//!
//! `--quiet` ([`set_quiet`]) silences the lines that only tell what a command did or noticed
//! in passing ([`report`], [`note`]): a command that succeeds then prints nothing but its
//! answer. It never silences the answer ([`say`], tables, JSON), what qualifies the answer
//! ([`note_on_answer`]: what it stands on, what it keeps, what matched nothing), warnings
//! ([`warning`]: what deserves doubt, a stale list) or errors.
//!
//! While a progress bar is drawn, each line is printed with the bar taken away first
//! ([`super::progress::suspend`]).

use std::sync::atomic::{AtomicBool, Ordering};

use super::progress::suspend;
use crate::model::text::{quote_bounded, visible};

/// Whether `--quiet` was given.
static QUIET: AtomicBool = AtomicBool::new(false);

/// Sets `--quiet` for the rest of the command.
pub(crate) fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Whether `--quiet` was given.
pub(crate) fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Prints `line` of the answer on standard output, escaped, whatever `--quiet` says. Output
/// into a closed pipe (`| head -1`) is dropped quietly; another failure to write is said on
/// standard error.
pub(crate) fn say(line: &str) {
    use std::io::Write as _;
    suspend(|| {
        if let Err(e) = writeln!(std::io::stdout().lock(), "{}", visible(line))
            && e.kind() != std::io::ErrorKind::BrokenPipe
        {
            eprintln!("listdiff: warning: cannot write output: {e}");
        }
    });
}

/// Prints `line`, telling what a command did (recorded, archived, wrote, rebuilt), on standard
/// output as [`say`] does, unless `--quiet` was given: the exit code tells that it was done.
pub(crate) fn report(line: &str) {
    if !quiet() {
        say(line);
    }
}

/// Prints `listdiff: note: TEXT` on standard error, escaped, unless `--quiet` was given: a
/// remark in passing (a file skipped, a rename carried, the store's indexes upgraded), not
/// about the answer.
pub(crate) fn note(text: &str) {
    if !quiet() {
        note_on_answer(text);
    }
}

/// Prints `listdiff: note: TEXT` on standard error, escaped, whatever `--quiet` says: a note
/// that qualifies the answer (what it stands on, what it keeps, as known when), which must
/// never be separated from it.
pub(crate) fn note_on_answer(text: &str) {
    suspend(|| eprintln!("listdiff: note: {}", visible(text)));
}

/// Prints `listdiff: warning: TEXT` on standard error, escaped, whatever `--quiet` says.
pub(crate) fn warning(text: &str) {
    suspend(|| eprintln!("listdiff: warning: {}", visible(text)));
}

/// Prints `listdiff: TEXT` on standard error, escaped, unless `--quiet` was given: what the
/// command is doing while it waits (for the store another process uses).
pub(crate) fn status(text: &str) {
    if !quiet() {
        suspend(|| eprintln!("listdiff: {}", visible(text)));
    }
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
    suspend(|| eprintln!("listdiff: error: {shown}"));
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
