//! Progress bars on standard error: an ingest's ([`IngestBar`]) and downloads'
//! ([`DownloadBars`]).
//!
//! A bar is drawn only when standard error is a terminal (not `dumb`) and `--quiet` was not
//! given, and only once its work has lasted [`DELAY`], so that a quick command never flashes
//! one. While a bar is drawn, every line `cli/human.rs` prints is printed with the bar taken
//! away first ([`suspend`]), so that no line is written into a bar; a bar is cleared (it leaves
//! no line behind) when its work ends, before the command tells what it did.

use std::io::IsTerminal as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::model::text::visible;

/// How long work goes on before its bar appears.
const DELAY: Duration = Duration::from_secs(1);

/// How often a drawn bar is redrawn (its spinner and elapsed time move even when nothing is
/// told).
const TICK: Duration = Duration::from_millis(120);

/// The bar drawn now, if any: what [`suspend`] takes away while a line is printed.
static DRAWN: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Runs `print` with the bar drawn now (if any) taken away from the terminal, and drawn again
/// after: every line printed while a bar may be drawn goes through here.
pub(crate) fn suspend<R>(print: impl FnOnce() -> R) -> R {
    let drawn = DRAWN.lock().unwrap_or_else(PoisonError::into_inner).clone();
    match drawn {
        Some(bar) => bar.suspend(print),
        None => print(),
    }
}

/// Whether bars are drawn: standard error is a terminal that can redraw a line, and `--quiet`
/// was not given.
fn wanted() -> bool {
    !super::human::quiet()
        && std::io::stderr().is_terminal()
        && std::env::var("TERM").map_or(true, |term| term != "dumb")
}

/// Where a [`Delayed`] bar stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Not drawn yet: its work has lasted less than [`DELAY`].
    Waiting,
    /// Drawn on standard error.
    Drawn,
    /// Its work is over: never drawn again.
    Over,
}

/// A bar that is drawn once its work has lasted [`DELAY`] (when bars are [`wanted`]), and
/// cleared when its work ends or it is dropped (an error ends an ingest early).
struct Delayed {
    bar: ProgressBar,
    stage: Arc<Mutex<Stage>>,
}

impl Delayed {
    /// A bar of `style`, not drawn yet; a thread draws it after [`DELAY`] unless its work is
    /// over by then.
    fn new(style: ProgressStyle) -> Delayed {
        let bar =
            ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()).with_style(style);
        let stage = Arc::new(Mutex::new(if wanted() {
            Stage::Waiting
        } else {
            Stage::Over
        }));
        if *stage.lock().unwrap_or_else(PoisonError::into_inner) == Stage::Waiting {
            let (bar, stage) = (bar.clone(), Arc::clone(&stage));
            std::thread::spawn(move || {
                std::thread::sleep(DELAY);
                let mut stage = stage.lock().unwrap_or_else(PoisonError::into_inner);
                if *stage == Stage::Waiting {
                    *DRAWN.lock().unwrap_or_else(PoisonError::into_inner) = Some(bar.clone());
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    bar.enable_steady_tick(TICK);
                    *stage = Stage::Drawn;
                }
            });
        }
        Delayed { bar, stage }
    }

    /// Ends the bar's work: clears it from the terminal if it was drawn, and keeps it from
    /// being drawn again.
    fn over(&self) {
        let mut stage = self.stage.lock().unwrap_or_else(PoisonError::into_inner);
        if *stage == Stage::Drawn {
            let mut drawn = DRAWN.lock().unwrap_or_else(PoisonError::into_inner);
            *drawn = None;
            self.bar.finish_and_clear();
        }
        *stage = Stage::Over;
    }
}

impl Drop for Delayed {
    fn drop(&mut self) {
        self.over();
    }
}

/// The style of a bar counting `unit` (inputs, publications) towards a known length.
fn counting(unit: &str) -> ProgressStyle {
    ProgressStyle::with_template(&format!(
        "{{spinner}} {{elapsed:>4}} [{{bar:24}}] {{pos}}/{{len}} {unit} {{wide_msg}}"
    ))
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ")
}

/// The style of a bar counting bytes, `known` when the total is known.
fn bytes(known: bool) -> ProgressStyle {
    let template = if known {
        "{spinner} {elapsed:>4} [{bar:24}] {bytes}/{total_bytes} {bytes_per_sec} {wide_msg}"
    } else {
        "{spinner} {elapsed:>4} {bytes} {bytes_per_sec} {wide_msg}"
    };
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// How many characters of an input's name (a path, a URL) a bar shows: its end, where a
/// path's file name is.
const SHOWN_CHARS: usize = 48;

/// Text of the input (a path, a URL) a bar shows, with its control and bidi characters
/// escaped, as every line that echoes input; a long one is shown by its end, after `…`.
fn shown(text: &str) -> String {
    let escaped = visible(text);
    let count = escaped.chars().count();
    if count <= SHOWN_CHARS {
        return escaped.into_owned();
    }
    let tail: String = escaped.chars().skip(count - (SHOWN_CHARS - 1)).collect();
    format!("…{tail}")
}

/// An ingest's bar: inputs read and checked, then publications recorded, then archiving.
pub(crate) struct IngestBar {
    delayed: Delayed,
    /// The input being read, as the bar shows it.
    reading: Mutex<String>,
}

impl IngestBar {
    /// The bar of an ingest beginning now (drawn only if it lasts, on a terminal, without
    /// `--quiet`).
    pub(crate) fn new() -> IngestBar {
        IngestBar {
            delayed: Delayed::new(counting("inputs")),
            reading: Mutex::new(String::new()),
        }
    }

    /// Clears the bar: the ingest's work is over, and what it did is about to be told.
    pub(crate) fn over(&self) {
        self.delayed.over();
    }
}

impl crate::ingest::Progress for IngestBar {
    fn checking(&self, inputs: usize) {
        let bar = &self.delayed.bar;
        bar.set_style(counting("inputs"));
        bar.set_length(inputs as u64);
        bar.set_position(0);
    }

    fn reading(&self, number: usize, input: &str, bytes: Option<u64>) {
        let text = match bytes {
            Some(bytes) => format!(
                "checking {} ({})",
                shown(input),
                indicatif::HumanBytes(bytes)
            ),
            None => format!("checking {}", shown(input)),
        };
        self.delayed
            .bar
            .set_position(number.saturating_sub(1) as u64);
        self.delayed.bar.set_message(text.clone());
        *self.reading.lock().unwrap_or_else(PoisonError::into_inner) = text;
    }

    fn entries_read(&self, entries: u64) {
        let reading = self
            .reading
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        self.delayed
            .bar
            .set_message(format!("{reading}: {entries} entries"));
    }

    fn input_done(&self) {
        let bar = &self.delayed.bar;
        bar.inc(1);
        if bar.length().is_some_and(|length| bar.position() >= length) {
            bar.set_message("checked");
        }
        slow_for_tests();
    }

    fn recording(&self, publications: usize) {
        let bar = &self.delayed.bar;
        bar.set_message("recorded");
        bar.set_length(publications as u64);
        bar.set_position(0);
        bar.set_style(counting("publications"));
    }

    fn recorded(&self, publications: usize) {
        self.delayed.bar.set_position(publications as u64);
        slow_for_tests();
    }

    fn archiving(&self) {
        self.delayed
            .bar
            .set_message("recorded; archiving the inputs");
    }
}

/// Tests only (debug builds): with `LISTDIFF_TEST_SLOW_PROGRESS=MILLISECONDS`, each input
/// checked and each input's publications recorded take that much longer, so that a test of
/// a small ingest sees its bar.
fn slow_for_tests() {
    #[cfg(debug_assertions)]
    if let Some(millis) = std::env::var("LISTDIFF_TEST_SLOW_PROGRESS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(Duration::from_millis(millis.min(60_000)));
    }
}

/// Downloads' bar (`listdiff pull`): one download at a time, in bytes, its total when the
/// response says it. The methods are those of the fetch layer's observer (`started`,
/// `advanced`, `retrying`, `finished`), which implements it with them.
pub(crate) struct DownloadBars {
    delayed: Delayed,
}

impl DownloadBars {
    /// The downloads' bar of a command beginning now (drawn only once its downloads have
    /// lasted [`DELAY`], on a terminal, without `--quiet`).
    pub(crate) fn new() -> DownloadBars {
        DownloadBars {
            delayed: Delayed::new(bytes(false)),
        }
    }

    /// A download of `url` begins; `total` is its length when the response says it.
    pub(crate) fn started(&self, url: &str, total: Option<u64>) {
        let bar = &self.delayed.bar;
        bar.set_style(bytes(total.is_some()));
        match total {
            Some(total) => bar.set_length(total),
            None => bar.unset_length(),
        }
        bar.reset();
        bar.set_message(shown(url));
    }

    /// The download begun last has `bytes_so_far` bytes.
    pub(crate) fn advanced(&self, bytes_so_far: u64) {
        self.delayed.bar.set_position(bytes_so_far);
    }

    /// The download of `url` failed (`why`) and attempt number `attempt` follows after `wait`.
    pub(crate) fn retrying(&self, url: &str, attempt: u32, why: &str, wait: Duration) {
        self.delayed.bar.set_message(format!(
            "{}: {}; attempt {attempt} in {}",
            shown(url),
            shown(why),
            indicatif::HumanDuration(wait)
        ));
    }

    /// The download of `url` is over.
    pub(crate) fn finished(&self, url: &str) {
        self.delayed.bar.set_message(format!("{} done", shown(url)));
    }

    /// Clears the bar: the downloads are over, and what they did is about to be told.
    pub(crate) fn over(&self) {
        self.delayed.over();
    }
}

impl crate::fetch::FetchObserver for DownloadBars {
    fn started(&self, url: &str, total: Option<u64>) {
        DownloadBars::started(self, url, total);
    }

    fn advanced(&self, bytes_so_far: u64) {
        DownloadBars::advanced(self, bytes_so_far);
    }

    fn retrying(&self, url: &str, attempt: u32, why: &str, wait: Duration) {
        DownloadBars::retrying(self, url, attempt, why, wait);
    }

    fn finished(&self, url: &str) {
        DownloadBars::finished(self, url);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_name_is_shown_by_its_end_and_escaped() {
        assert_eq!(shown("sdn.csv"), "sdn.csv");
        let long = format!("{}/2024-12-04-amendment.json", "d".repeat(80));
        let text = shown(&long);
        assert_eq!(text.chars().count(), SHOWN_CHARS);
        assert!(text.starts_with('…') && text.ends_with("/2024-12-04-amendment.json"));
        assert!(!shown("a\u{1b}[2Jb\rc").contains(['\u{1b}', '\r']));
    }
}
