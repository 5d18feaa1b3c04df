//! `listdiff pull [NAME...] [--sources FILE] [--max-bytes BYTES] [--timeout SECONDS] [--max-drop PERCENT] [--exit-code]`
//!
//! Fetches sources from their publishers and records what is new, through the same pipeline
//! as `ingest` (checks, drop guard, archive). Without NAMEs, every source pulled by default
//! (`listdiff sources` marks them): the built-in ones but alternatives and OpenSanctions
//! datasets, and every source of the sources file. Downloads are made before the store is
//! opened for writing, so a slow publisher never holds the store.
//!
//! Each source's ETag and Last-Modified are kept in the store, and sent back as
//! If-None-Match / If-Modified-Since: a 304, or bytes identical to the last fetch, is
//! "unchanged" and records nothing. A publication is dated by the date its file states, else
//! the response's Last-Modified (its UTC date), else the day of the fetch; the summary says
//! which. Every body recorded is archived with its URL, fetch time, status, ETag and
//! Last-Modified; a body the checks refuse is kept in `<store>/quarantine/` with the reason.
//!
//! Transfers: connect and read timeouts, 3 retries with backoff on 5xx and connection errors,
//! at most 5 redirects and never from https to http, a size limit, gzip and deflate,
//! proxies from HTTPS_PROXY / NO_PROXY. One source failing does not stop the others.
//!
//! Exit: 0 when every source is new or unchanged; 6 when any failed or was refused (it wins
//! over 1); with --exit-code, 1 when anything new was recorded.

use std::path::PathBuf;
use std::time::Duration;

use super::human::{note, report, warning};
use super::ingest::{parse_percent, recorded_line};
use super::progress::{DownloadBars, IngestBar};
use super::{CliError, Context, Outcome};
use crate::fetch::{FetchObserver, Limits};
use crate::ingest::PublicationOutcome;
use crate::model::text::quote_bounded;
use crate::pull::{self, PullOptions, SourceFetch, SourceOutcome};
use crate::store::Access;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  listdiff pull\n  listdiff pull ofac-sdn un-sc\n  listdiff pull --exit-code && listdiff since yesterday\n  listdiff pull --sources ~/lists/sources.toml os-sanctions\n\nExit codes: 0 every source new or unchanged; 1 something new was recorded (with --exit-code); 6 a source failed or was refused (wins over 1); 2 bad usage or a bad sources file; 3 store error."
)]
pub(crate) struct Args {
    /// The sources to pull (see `listdiff sources`); none: every source pulled by default
    #[arg(value_name = "NAME")]
    names: Vec<String>,
    /// The sources file [default: STORE/sources.toml, if it exists]
    #[arg(long, value_name = "FILE")]
    sources: Option<PathBuf>,
    /// The most bytes one file may have (after decompression); a larger one fails its source
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 30, value_parser = parse_bytes)]
    max_bytes: u64,
    /// Fail a transfer after SECONDS without a byte (connecting, or reading)
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0, value_parser = parse_seconds)]
    timeout: f64,
    /// The share of a list (in percent) a snapshot may remove before it is refused (and kept in
    /// quarantine) as a probably broken feed
    #[arg(long, value_name = "PERCENT", default_value_t = 20.0, value_parser = parse_percent)]
    max_drop: f64,
    /// Exit with 1 when anything new was recorded (6 still wins when a source failed)
    #[arg(long)]
    exit_code: bool,
}

/// Parses `--max-bytes`: a number of bytes, or with a K, M or G suffix (powers of 1024).
fn parse_bytes(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let (digits, scale) = match trimmed.char_indices().last() {
        Some((at, 'K' | 'k')) => (&trimmed[..at], 1u64 << 10),
        Some((at, 'M' | 'm')) => (&trimmed[..at], 1 << 20),
        Some((at, 'G' | 'g')) => (&trimmed[..at], 1 << 30),
        _ => (trimmed, 1),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|&n| n > 0)
        .ok_or_else(|| {
            format!(
                "\"{}\" is not a size: give bytes, or a number with K, M or G (e.g. 512M)",
                quote_bounded(text)
            )
        })
}

/// Parses `--timeout`.
fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s > 0.0 && s <= 86_400.0 => Ok(s),
        _ => Err(format!(
            "\"{}\" is not a number of seconds from 0 to 86400 (0 excluded)",
            quote_bounded(text)
        )),
    }
}

/// What a pull shows while it downloads: the downloads' bar (on a terminal), and a note per
/// retry.
struct Downloads {
    bars: DownloadBars,
}

impl FetchObserver for Downloads {
    fn started(&self, url: &str, total: Option<u64>) {
        self.bars.started(url, total);
    }

    fn advanced(&self, bytes_so_far: u64) {
        self.bars.advanced(bytes_so_far);
    }

    fn retrying(&self, url: &str, attempt: u32, why: &str, wait: Duration) {
        self.bars.retrying(url, attempt, why, wait);
        note(&format!(
            "{url}: {why}; attempt {attempt} in {:.1} s",
            wait.as_secs_f64()
        ));
    }

    fn finished(&self, url: &str) {
        self.bars.finished(url);
    }
}

/// The transfer limits of these arguments; in debug builds `LISTDIFF_TEST_BACKOFF_MS` sets the
/// first backoff, so that tests of retries take milliseconds.
fn limits(args: &Args) -> Limits {
    #[allow(unused_mut)]
    let mut limits = Limits {
        max_bytes: args.max_bytes,
        connect_timeout: Duration::from_secs_f64(args.timeout.min(30.0)),
        read_timeout: Duration::from_secs_f64(args.timeout),
        ..Limits::default()
    };
    #[cfg(debug_assertions)]
    if let Some(ms) = std::env::var("LISTDIFF_TEST_BACKOFF_MS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        limits.first_backoff = Duration::from_millis(ms);
    }
    limits
}

pub(crate) fn run(context: &Context, args: Args) -> Result<Outcome, CliError> {
    let store_path = context.store_path()?;
    let (sources_file, required) = match &args.sources {
        Some(path) => (path.clone(), true),
        None => (store_path.join("sources.toml"), false),
    };
    let all = pull::sources::load(&sources_file, required).map_err(pull_error)?;
    let chosen = pull::sources::select(&all, &args.names).map_err(pull_error)?;
    let options = PullOptions {
        limits: limits(&args),
        max_drop: args.max_drop,
        now: context.now()?,
    };
    // What the last pulls kept, read with the store open only for that.
    let mut states = Vec::new();
    match context.open_store(Access::Read) {
        Ok(store) => {
            for source in &chosen {
                states.push(store.fetch_state(&source.name)?);
            }
            store.close()?;
        }
        Err(CliError::Store(crate::store::StoreError::Missing { .. })) => {
            states = vec![None; chosen.len()];
        }
        Err(e) => return Err(e),
    }
    let downloads = Downloads {
        bars: DownloadBars::new(),
    };
    let fetched: Vec<SourceFetch> = chosen
        .into_iter()
        .zip(states)
        .map(|(source, state)| pull::fetch_source(source, state.as_ref(), &options, &downloads))
        .collect();
    downloads.bars.over();
    // The store is opened for writing only when something was fetched: a pull that brought
    // nothing leaves it as it was (and makes none).
    let mut store = None;
    let mut tally = Tally::default();
    for item in fetched {
        let (name, outcome) = match item {
            SourceFetch::Unchanged { source, why } => {
                (source.name, SourceOutcome::Unchanged { why })
            }
            SourceFetch::Failed { source, why } => (source.name, SourceOutcome::Failed { why }),
            SourceFetch::Fetched(fetched) => {
                let store = match &mut store {
                    Some(store) => store,
                    None => store.insert(context.open_store(Access::Write)?),
                };
                let name = fetched.source.name.clone();
                let bar = IngestBar::new();
                let outcome = pull::record_source(*fetched, store, &options, &bar);
                bar.over();
                (name, outcome?)
            }
        };
        tell(&name, &outcome, &mut tally);
    }
    if let Some(store) = store {
        store.close()?;
    }
    report(&format!(
        "pulled {} source{}: {} new, {} unchanged, {} refused, {} failed",
        tally.total(),
        if tally.total() == 1 { "" } else { "s" },
        tally.new,
        tally.unchanged,
        tally.refused.len(),
        tally.failed.len()
    ));
    if !tally.refused.is_empty() || !tally.failed.is_empty() {
        let mut names = tally.failed.clone();
        names.extend(tally.refused.iter().cloned());
        return Ok(Outcome::PullFailed(format!(
            "{} of {} sources failed or were refused ({}): nothing of them was recorded; see above, and the README's \"Daily use\" for what to do",
            names.len(),
            tally.total(),
            names.join(", ")
        )));
    }
    Ok(Outcome::of_changes(args.exit_code, tally.new > 0))
}

/// A sources error: a bad sources file or name is bad usage (exit 2).
fn pull_error(e: pull::PullError) -> CliError {
    CliError::Input(e.to_string())
}

/// What the sources of a pull came to.
#[derive(Default)]
struct Tally {
    new: usize,
    unchanged: usize,
    refused: Vec<String>,
    failed: Vec<String>,
}

impl Tally {
    fn total(&self) -> usize {
        self.new + self.unchanged + self.refused.len() + self.failed.len()
    }
}

/// Prints what pulling source `name` did.
fn tell(name: &str, outcome: &SourceOutcome, tally: &mut Tally) {
    match outcome {
        SourceOutcome::Unchanged { why } => {
            tally.unchanged += 1;
            report(&format!("{name}: unchanged ({why})"));
        }
        SourceOutcome::Failed { why } => {
            tally.failed.push(name.to_string());
            warning(&format!("{name}: failed: {why}"));
        }
        SourceOutcome::Refused { why, quarantined } => {
            tally.refused.push(name.to_string());
            let kept = match quarantined {
                Ok(dir) => format!("; the files are kept in {}", dir.display()),
                Err(e) => format!("; they could not be kept in quarantine: {e}"),
            };
            warning(&format!("{name}: refused: {why}{kept}"));
        }
        SourceOutcome::Recorded {
            report: recorded,
            dated_from,
            notes,
        } => {
            tally.new += 1;
            for text in notes {
                note(&format!("{name}: {text}"));
            }
            for input in &recorded.inputs {
                for text in &input.warnings {
                    warning(text);
                }
                for publication in &input.publications {
                    let PublicationOutcome::Recorded {
                        event,
                        placement,
                        notes,
                    } = &publication.outcome
                    else {
                        continue;
                    };
                    let basis = format!("dated by {dated_from}");
                    report(&format!(
                        "{name}: new publication: {}",
                        recorded_line(event, &basis, placement)
                    ));
                    for text in notes {
                        warning(&format!("{name}: {text}"));
                    }
                }
            }
        }
    }
}
