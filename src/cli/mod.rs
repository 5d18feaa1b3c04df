//! The command line: argument parsing, store location, output and exit codes. One file per
//! subcommand; each parses its arguments, asks the floors below, and prints the answer.
//!
//! Exit codes: 0 success; 1 changes found (only with `--exit-code`); 2 bad usage or bad input;
//! 3 store error (in use, missing, damaged, or not writable); 4 verification failed (a log,
//! export, checkpoint or proof does not check out); 5 stale (only with `--max-age`: a list's
//! part of the answer stands on a publication older than the limit, or on none; it wins over 1,
//! since it says the answer may be wrong); 6 `pull`: a source failed or was refused (what the
//! others brought is recorded; it wins over 1).

mod as_of;
mod checkpoint;
mod compare;
mod diff;
mod export;
mod formats;
mod history;
mod human;
mod import;
mod ingest;
mod inputs;
mod keygen;
mod lists;
mod log;
mod proof;
mod rebuild;
mod retract;
mod since;
mod verify;
mod verify_proof;

// Input archive and reparse (issue 5).
mod archive;
mod config;
mod reparse;

// Shell completions and the manual page, pulling from the publishers (issue 14).
mod completions;
mod man;
mod pull;
mod sources;

// Progress bars and --quiet (issue 14).
mod progress;

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Parser, Subcommand, ValueEnum};

use crate::formats::FormatError;
use crate::model::text::quote_bounded;
use crate::model::{Basis, EntryFilter, EntryType, ListId};
use crate::query::{ListFilter, QueryError};
use crate::render::{CsvCells, OutputFormat, Style};
use crate::store::{Access, KnownAt, Store, StoreError};

/// Track regulatory and sanctions lists as immutable publication events, and answer what changed
/// and what a list said on any date.
#[derive(Parser, Debug)]
#[command(name = "listdiff", version, about, long_about = None, after_help = EXIT_CODES)]
pub struct Cli {
    /// The store directory [default: $XDG_DATA_HOME/listdiff, i.e. ~/.local/share/listdiff]
    #[arg(long, global = true, env = "LISTDIFF_STORE", value_name = "PATH")]
    store: Option<PathBuf>,

    /// When to colour output
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    color: ColorWhen,

    /// With -o csv, write every cell exactly; by default a cell beginning with =, +, -, @, a tab
    /// or a carriage return (a spreadsheet formula) is prefixed with ' unless it is only a number
    #[arg(long, global = true)]
    csv_raw: bool,

    /// When another listdiff process is using the store, wait up to SECONDS for it (saying so
    /// after a second); 0 fails at once
    #[arg(long, global = true, default_value_t = DEFAULT_WAIT_SECONDS, value_name = "SECONDS", value_parser = parse_wait)]
    wait: f64,

    /// Print only the answer, warnings and errors: no progress bars, no line telling what a
    /// command did (recorded, archived, wrote), no passing notes (a file skipped, a rename
    /// carried). Notes that qualify an answer (what it stands on, with -o csv) are kept
    #[arg(short = 'q', long, global = true)]
    quiet: bool,

    #[command(subcommand)]
    command: Command,
}

/// How long a command waits by default for a store another listdiff process uses: long enough
/// for scheduled ingests and a reader polling to take turns, short enough that a stuck process
/// is reported.
const DEFAULT_WAIT_SECONDS: f64 = 120.0;

const EXIT_CODES: &str = "Exit codes: 0 success; 1 changes found (with --exit-code); 2 bad usage or bad input; 3 store error; 4 verification failed; 5 an answer older than --max-age (wins over 1); 6 pull: a source failed or was refused (wins over 1).";

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Record publications (files, directories, or - for standard input) as events
    Ingest(ingest::Args),
    /// Fetch the publishers' lists and record what is new (see `listdiff sources`)
    Pull(pull::Args),
    /// The sources `pull` fetches: name, URL, format and list
    Sources(sources::Args),
    /// What changed since a date, publication by publication
    Since(since::Args),
    /// The net difference between the ends of two dates
    Diff(diff::Args),
    /// Every entry in force at the end of a date
    AsOf(as_of::Args),
    /// Every version of the entries whose id is QUERY or any of whose names or aliases match it
    History(history::Args),
    /// The lists in the store: entries, publications, when last published and recorded
    Lists(lists::Args),
    /// The recorded events, in recording order
    Log(log::Args),
    /// Take back a recorded publication: from then on it no longer counts
    Retract(retract::Args),
    /// The difference between two publication files, without a store
    Compare(compare::Args),
    /// Rebuild every index from the event log
    Rebuild(rebuild::Args),
    /// The formats listdiff reads
    Formats(formats::Args),
    /// Read archived inputs again with the current parsers and report where the result differs
    Reparse(reparse::Args),
    /// Show or change the store's settings (archive on|off)
    Config(config::Args),
    /// Make an Ed25519 key pair for signing checkpoints
    Keygen(keygen::Args),
    /// Print a checkpoint of the log (its size and Merkle root), optionally signed
    Checkpoint(checkpoint::Args),
    /// Check every event, the Merkle tree and the indexes; prove the log extends a checkpoint
    Verify(verify::Args),
    /// Print an inclusion proof of one event, checkable without the store
    Proof(proof::Args),
    /// Check an inclusion proof against a checkpoint, without a store
    VerifyProof(verify_proof::Args),
    /// Write the whole log as JSON lines (one event a line, then a checkpoint)
    Export(export::Args),
    /// Create a store from an export, checking every hash
    Import(import::Args),
    /// Print the tab-completion script for a shell
    Completions(completions::Args),
    /// Print the manual page (roff), or write a page per subcommand into a directory
    Man(man::Args),
}

/// A failure, with the exit code it maps to.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// Bad usage or bad input: exit 2.
    #[error("{0}")]
    Input(String),
    /// A store error: exit 3.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing output failed.
    #[error("cannot write output: {0}")]
    Output(#[from] io::Error),
    /// A log, export, checkpoint or proof does not check out: exit 4. The message says which
    /// event or line, and what differs.
    #[error("verification failed: {0}")]
    Verification(String),
}

impl From<FormatError> for CliError {
    fn from(e: FormatError) -> Self {
        CliError::Input(e.to_string())
    }
}

impl From<QueryError> for CliError {
    fn from(e: QueryError) -> Self {
        match e {
            QueryError::Store(s) => CliError::Store(s),
            QueryError::Invalid(message) => CliError::Input(message),
        }
    }
}

/// How a command ended well.
pub(crate) enum Outcome {
    /// Exit 0.
    Done,
    /// Exit 1: there were changes and `--exit-code` was given.
    Changes,
    /// Exit 5: the answer was printed, but with `--max-age` a list's part of it stands on a
    /// publication older than the limit, or on none (said on standard error).
    Stale,
    /// Exit 6: `pull` fetched and recorded what it could, but a source failed or was refused;
    /// the message says which (printed as an error).
    PullFailed(String),
}

impl Outcome {
    /// `Changes` when `--exit-code` was given and there were changes.
    pub(crate) fn of_changes(exit_code: bool, any_change: bool) -> Outcome {
        if exit_code && any_change {
            Outcome::Changes
        } else {
            Outcome::Done
        }
    }

    /// `Stale` when `stale`, whatever else: an answer that may be out of date matters more
    /// than whether it has changes.
    pub(crate) fn unless_stale(self, stale: bool) -> Outcome {
        if stale { Outcome::Stale } else { self }
    }
}

/// `-o NAME`: the render floor's output formats under their command-line names.
impl ValueEnum for OutputFormat {
    fn value_variants<'a>() -> &'a [Self] {
        &OutputFormat::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()).help(self.description()))
    }
}

/// The common options of query commands.
#[derive(clap::Args, Debug)]
pub(crate) struct QueryOptions {
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value_t = OutputFormat::Table)]
    pub(crate) output: OutputFormat,
    /// Only this list
    #[arg(long, value_name = "ID", value_parser = parse_list_id)]
    pub(crate) list: Option<ListId>,
}

impl QueryOptions {
    pub(crate) fn filter(&self) -> ListFilter {
        ListFilter(self.list.clone())
    }
}

/// What an answer keeps (`since`, `diff`, `as-of`, `history`), and `--counts`.
#[derive(clap::Args, Debug)]
pub(crate) struct FilterOptions {
    /// Only entries with program P: any case, the whole value (repeat for any of several). A
    /// change passes when the entry before or after it passes
    #[arg(long = "program", value_name = "P", value_parser = parse_filter_value)]
    programs: Vec<String>,
    /// Only entries with country C: any case, the whole value (repeat for any of several)
    #[arg(long = "country", value_name = "C", value_parser = parse_filter_value)]
    countries: Vec<String>,
    /// Only entries of type T: entity, individual, vessel or aircraft (repeat for any of
    /// several)
    #[arg(long = "type", value_name = "T", value_parser = parse_entry_type)]
    types: Vec<EntryType>,
    /// Only changes that are reason changes (programs, reason, licence requirement or policy,
    /// citations)
    #[arg(long)]
    reason_changes: bool,
    /// The summary only: counts per list and publication instead of the entries or changes
    #[arg(long)]
    pub(crate) counts: bool,
}

impl FilterOptions {
    /// The filter these options ask for.
    pub(crate) fn entries(&self) -> EntryFilter {
        EntryFilter {
            programs: self.programs.clone(),
            countries: self.countries.clone(),
            types: self.types.clone(),
            reason_changes: self.reason_changes,
        }
    }
}

/// Parses a `--program` or `--country` value: any text but a blank one.
fn parse_filter_value(text: &str) -> Result<String, String> {
    match text.trim() {
        "" => Err("give a value, e.g. --program ZIMBABWE".into()),
        value => Ok(value.to_string()),
    }
}

/// Parses `--type`.
fn parse_entry_type(text: &str) -> Result<EntryType, String> {
    EntryType::parse(text).ok_or_else(|| {
        format!(
            "\"{}\" is not an entry type: use entity, individual, vessel or aircraft",
            quote_bounded(text)
        )
    })
}

/// Prints, for an output format that does not carry them itself (CSV), the lines that say what
/// an answer stands on and what it keeps, on standard error.
pub(crate) fn note_grounds(format: OutputFormat, basis: &Basis, filter: &EntryFilter) {
    if format == OutputFormat::Csv {
        if let Some(line) = crate::render::filter_line(filter) {
            human::note_on_answer(&line);
        }
        note_basis(format, basis);
    }
}

/// What every command gets besides its own arguments.
pub(crate) struct Context {
    store: Option<PathBuf>,
    /// How long to wait for a store another process is using (`--wait`).
    wait: std::time::Duration,
    pub(crate) style: Style,
}

impl Context {
    /// The store directory: `--store`, else `$LISTDIFF_STORE`, else the user's data directory.
    pub(crate) fn store_path(&self) -> Result<PathBuf, CliError> {
        match &self.store {
            Some(path) => Ok(path.clone()),
            None => dirs::data_dir().map(|d| d.join("listdiff")).ok_or_else(|| {
                CliError::Input(
                    "cannot find your data directory (is HOME set?): give --store PATH or set LISTDIFF_STORE".into(),
                )
            }),
        }
    }

    /// Opens the store, waiting for it up to `--wait` while another listdiff process uses it,
    /// and saying so on standard error when that lasts more than a second.
    pub(crate) fn open_store(&self, access: Access) -> Result<Store, CliError> {
        let path = self.store_path()?;
        let store = Store::open_waiting(&path, access, self.wait, &mut || {
            human::status(&format!(
                "waiting for the store at {} (used by another listdiff process); --wait 0 fails at once",
                path.display()
            ));
        })?;
        if let Some(upgrade) = store.layout_upgrade() {
            human::note(&upgrade.to_string());
        }
        Ok(store)
    }

    /// The recording time: now, or `$LISTDIFF_NOW` (RFC 3339) when set, for reproducible tests.
    pub(crate) fn now(&self) -> Result<DateTime<Utc>, CliError> {
        match std::env::var("LISTDIFF_NOW") {
            Ok(text) => DateTime::parse_from_rfc3339(&text)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| {
                    CliError::Input(format!(
                        "LISTDIFF_NOW=\"{}\" is not an RFC 3339 time such as 2024-12-11T09:00:00Z",
                        quote_bounded(&text)
                    ))
                }),
            Err(_) => Ok(Utc::now()),
        }
    }
}

/// `--max-age DAYS`: fail (exit 5, after the answer) when an answer stands on an old publication.
#[derive(clap::Args, Debug)]
pub(crate) struct MaxAgeOption {
    /// Exit with 5 (after printing the answer, and naming each list on standard error) when a
    /// list's part of the answer stands on a publication more than DAYS days older than the
    /// date asked, or on no publication at all
    #[arg(long, value_name = "DAYS", value_parser = parse_days)]
    pub(crate) max_age: Option<u64>,
}

impl MaxAgeOption {
    /// Says on standard error which lists of `basis` are older than `--max-age`; true when any.
    pub(crate) fn stale(&self, basis: &Basis) -> bool {
        let Some(max_age) = self.max_age else {
            return false;
        };
        let mut stale = false;
        for list in basis.lists.iter().filter(|l| l.older_than(max_age)) {
            stale = true;
            human::warning(&match (list.read, list.first_published) {
                (Some(read), _) => format!(
                    "{}: the answer stands on its publication of {} (event {}), {} days before {}, more than --max-age {max_age}: ingest a newer publication of it, or check that none was published",
                    list.list, read.published, read.event, read.age_days, basis.asked
                ),
                (None, Some(first)) => format!(
                    "{}: no publication of it is recorded on or before {} (its first is dated {first}): the answer says nothing of it then",
                    list.list, basis.asked
                ),
                (None, None) => format!("{}: no publication of it is recorded", list.list),
            });
        }
        stale
    }
}

/// Prints the basis lines on standard error for an output format that does not carry the basis
/// itself (CSV: its rows are of one kind); tables, JSON and NDJSON carry it.
pub(crate) fn note_basis(format: OutputFormat, basis: &Basis) {
    if format == OutputFormat::Csv {
        for line in crate::render::basis_lines(basis) {
            human::note_on_answer(&line);
        }
    }
}

/// `--known-at`: answer from what had been recorded by a moment (the recording clock).
#[derive(clap::Args, Debug)]
pub(crate) struct KnownAtOption {
    /// Answer with only the events recorded at or before TIME: an RFC 3339 time
    /// (2024-03-15T12:00:00Z) or a date (the end of that day, UTC). Corrections and backfills
    /// recorded later do not count. Default: everything recorded
    #[arg(long, value_name = "TIME", value_parser = parse_moment)]
    pub(crate) known_at: Option<DateTime<Utc>>,
}

impl KnownAtOption {
    /// The date an answer about "now" is asked on: the `--known-at` date, else today (by the
    /// recording clock, `LISTDIFF_NOW` in tests), in UTC.
    pub(crate) fn today(&self, context: &Context) -> Result<NaiveDate, CliError> {
        Ok(match self.known_at {
            Some(moment) => moment.date_naive(),
            None => context.now()?.date_naive(),
        })
    }

    /// The store as it stood at `--known-at`, or `None` for everything recorded.
    /// With `list`, only that list is replayed.
    pub(crate) fn past<'a>(
        &self,
        store: &'a Store,
        list: Option<&ListId>,
    ) -> Result<Option<KnownAt<'a>>, CliError> {
        match self.known_at {
            None => Ok(None),
            Some(moment) => {
                let past = store.known_at(moment, list)?;
                // On standard error, so that JSON, NDJSON and CSV output stay as they are.
                human::note_on_answer(&format!(
                    "as known at {}: {} of the {} events had been recorded",
                    moment.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                    past.events(),
                    store.event_count()?
                ));
                Ok(Some(past))
            }
        }
    }
}

/// Parses a moment: RFC 3339, or a date (as [`parse_date`] reads it) meaning the last instant
/// of that day (UTC).
pub(crate) fn parse_moment(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.with_timezone(&Utc));
    }
    let date = match relative_date(text) {
        Some(date) => date?,
        None => crate::model::text::parse_date(text).ok_or_else(|| {
            match impossible_date(text) {
                Some(why) => format!("\"{}\" is not a valid date: {why}", quote_bounded(text)),
                None => format!(
                    "\"{}\" is not a time: expected an RFC 3339 time such as 2024-03-15T12:00:00Z, a date such as 2024-03-15, today or yesterday",
                    quote_bounded(text)
                ),
            }
        })?,
    };
    date.succ_opt()
        .and_then(|next| next.and_hms_opt(0, 0, 0))
        .map(|midnight| midnight.and_utc() - chrono::Duration::nanoseconds(1))
        .ok_or_else(|| {
            format!(
                "\"{}\" is past the last date listdiff reads",
                quote_bounded(text)
            )
        })
}

/// Parses `--max-age DAYS`.
fn parse_days(text: &str) -> Result<u64, String> {
    text.parse::<u64>().map_err(|_| {
        format!(
            "\"{}\" is not a number of days: expected a whole number such as 7",
            quote_bounded(text)
        )
    })
}

/// Parses `--wait SECONDS`.
fn parse_wait(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && (0.0..=86_400.0).contains(&seconds) => Ok(seconds),
        _ => Err(format!(
            "\"{}\" is not a number of seconds between 0 and 86400, e.g. 30",
            quote_bounded(text)
        )),
    }
}

/// Parses a date argument: `YYYY-MM-DD`, or `today` or `yesterday` (any case). Today is the
/// date of the local clock, where the person asking is; with `LISTDIFF_NOW` set, the date that
/// time is written with (so that tests answer the same in every time zone). A date of the
/// right shape that does not exist (`2024-13-01`, `2023-02-29`) is told apart from text that
/// is no date.
pub(crate) fn parse_date(text: &str) -> Result<NaiveDate, String> {
    if let Some(date) = crate::model::text::parse_date(text) {
        return Ok(date);
    }
    if let Some(date) = relative_date(text) {
        return date;
    }
    Err(match impossible_date(text) {
        Some(why) => format!("\"{}\" is not a valid date: {why}", quote_bounded(text)),
        None => format!(
            "\"{}\" is not a date: expected YYYY-MM-DD (e.g. 2024-12-01), today or yesterday",
            quote_bounded(text)
        ),
    })
}

/// `today` or `yesterday` (any case, trimmed) as a date; `None` for other text.
fn relative_date(text: &str) -> Option<Result<NaiveDate, String>> {
    let days_back = match text.trim().to_ascii_lowercase().as_str() {
        "today" => 0,
        "yesterday" => 1,
        _ => return None,
    };
    Some(today().and_then(|today| {
        today
            .checked_sub_days(chrono::Days::new(days_back))
            .ok_or_else(|| "yesterday is before the first date listdiff reads".to_string())
    }))
}

/// Today: the date of `$LISTDIFF_NOW` as written (its own offset), else of the local clock.
fn today() -> Result<NaiveDate, String> {
    match std::env::var("LISTDIFF_NOW") {
        Ok(text) => DateTime::parse_from_rfc3339(&text)
            .map(|time| time.date_naive())
            .map_err(|_| {
                format!(
                    "LISTDIFF_NOW=\"{}\" is not an RFC 3339 time such as 2024-12-11T09:00:00Z",
                    quote_bounded(&text)
                )
            }),
        Err(_) => Ok(chrono::Local::now().date_naive()),
    }
}

/// Why `text`, shaped `YYYY-MM-DD`, names no day: `there is no month 13`, `February 2023 has
/// 28 days`; `None` when it is not of that shape or is a date.
pub(crate) fn impossible_date(text: &str) -> Option<String> {
    let text = text.trim();
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shaped {
        return None;
    }
    let number =
        |range: std::ops::Range<usize>| text.get(range).and_then(|t| t.parse::<u32>().ok());
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    if year == 0 {
        return Some("there is no year 0000 (listdiff reads years 0001 to 9999)".into());
    }
    if !(1..=12).contains(&month) {
        return Some(format!("there is no month {month}"));
    }
    let first = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, 1)?;
    let next = first.checked_add_months(chrono::Months::new(1))?;
    let days = (next - first).num_days();
    if day == 0 || i64::from(day) > days {
        return Some(format!("{} {year} has {days} days", first.format("%B")));
    }
    None
}

/// Parses a list id argument.
pub(crate) fn parse_list_id(text: &str) -> Result<ListId, String> {
    ListId::new(text).map_err(|e| e.to_string())
}

/// How many columns tables may take on a terminal: `$COLUMNS` when it is a positive number, else
/// the width the terminal reports, else (a terminal that reports none, or 0) 100.
fn terminal_width() -> u16 {
    const FALLBACK: u16 = 100;
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|c| *c > 0)
    {
        return columns;
    }
    #[cfg(unix)]
    if let Ok(size) = rustix::termios::tcgetwinsize(io::stdout())
        && size.ws_col > 0
    {
        return size.ws_col;
    }
    FALLBACK
}

/// Runs `render` into a buffered standard output. A reader that closes the pipe early
/// (`| head -4`) ends the output quietly ([`unless_reader_left`]).
pub(crate) fn print(render: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), CliError> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    unless_reader_left(
        render(&mut out)
            .and_then(|()| out.flush())
            .map_err(CliError::from),
    )
}

/// `written`, except that output into a pipe its reader closed (`| head -4`) counts as written:
/// the reader has what it wanted. The command then goes on, so the notes it writes on standard
/// error after the answer (what the answer stands on, with `-o csv`) still reach the terminal.
pub(crate) fn unless_reader_left(written: Result<(), CliError>) -> Result<(), CliError> {
    match written {
        Err(CliError::Output(e)) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Runs listdiff with the process's arguments and returns its exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            human::usage_error(&e.render().to_string());
            return ExitCode::from(2);
        }
    };
    human::set_quiet(cli.quiet);
    let color = match cli.color {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    };
    let context = Context {
        store: cli.store,
        wait: std::time::Duration::from_secs_f64(cli.wait),
        style: Style {
            color,
            csv: if cli.csv_raw {
                CsvCells::Raw
            } else {
                CsvCells::Guarded
            },
            width: io::stdout().is_terminal().then(terminal_width),
        },
    };
    let result = match cli.command {
        Command::Ingest(args) => ingest::run(&context, args),
        Command::Since(args) => since::run(&context, args),
        Command::Diff(args) => diff::run(&context, args),
        Command::AsOf(args) => as_of::run(&context, args),
        Command::History(args) => history::run(&context, args),
        Command::Lists(args) => lists::run(&context, args),
        Command::Log(args) => log::run(&context, args),
        Command::Retract(args) => retract::run(&context, args),
        Command::Compare(args) => compare::run(&context, args),
        Command::Rebuild(args) => rebuild::run(&context, args),
        Command::Formats(args) => formats::run(&context, args),
        Command::Reparse(args) => reparse::run(&context, args),
        Command::Config(args) => config::run(&context, args),
        Command::Keygen(args) => keygen::run(&context, args),
        Command::Checkpoint(args) => checkpoint::run(&context, args),
        Command::Verify(args) => verify::run(&context, args),
        Command::Proof(args) => proof::run(&context, args),
        Command::VerifyProof(args) => verify_proof::run(&context, args),
        Command::Export(args) => export::run(&context, args),
        Command::Import(args) => import::run(&context, args),
        Command::Completions(args) => completions::run(&context, args),
        Command::Man(args) => man::run(&context, args),
        Command::Pull(args) => pull::run(&context, args),
        Command::Sources(args) => sources::run(&context, args),
    };
    match result {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Changes) => ExitCode::from(1),
        Ok(Outcome::Stale) => ExitCode::from(5),
        Ok(Outcome::PullFailed(message)) => {
            human::error(&message, false);
            ExitCode::from(6)
        }
        Err(CliError::Output(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(CliError::Store(StoreError::NotAStore { path })) if path.is_file() => {
            human::error(
                &format!(
                    "{} is a file, not a store directory: give --store the directory of a store, or a path where none exists yet to make one",
                    path.display()
                ),
                false,
            );
            ExitCode::from(3)
        }
        Err(error) => {
            let code = match error {
                CliError::Input(_) => 2,
                // An entry that cannot be stored exactly is bad input, refused before recording.
                CliError::Store(StoreError::Unstorable { .. }) => 2,
                CliError::Store(_) => 3,
                CliError::Output(_) => 3,
                CliError::Verification(_) => 4,
            };
            human::error(
                &error.to_string(),
                matches!(error, CliError::Verification(_)),
            );
            ExitCode::from(code)
        }
    }
}
