//! `listdiff-gen`: writes a deterministic synthetic history of a sanctions list.
//!
//! ```text
//! listdiff-gen native --entries N --publications P --seed S --out DIR [--snapshot-every K] [--change-rate R]
//!                     [--interval-days D] [--list ID]
//! listdiff-gen csv --entries N --seed S --out DIR --states I1,I2,... [--publications P ...]
//! listdiff-gen fast-import --entries N --publications P --seed S [--file consolidated.csv]
//! listdiff-gen pick --entries N --publications P --seed S
//! ```

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use listdiff_bench::{Config, pick, write_csv_states, write_fast_import, write_native_dir};

#[derive(Parser)]
#[command(
    name = "listdiff-gen",
    about = "Deterministic synthetic sanctions-list histories"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Every publication as listdiff native JSON (DIR/NNNNN-YYYY-MM-DD-KIND.json) and DIR/truth.ndjson.
    Native {
        #[command(flatten)]
        history: HistoryArgs,
        /// The number of publications, one every --interval-days days from 2020-01-01.
        #[arg(long)]
        publications: usize,
        /// The directory to write into (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// The CSL consolidated.csv state after the given publications (`DIR/<date>/consolidated.csv`) and `DIR/truth.ndjson`.
    Csv {
        #[command(flatten)]
        history: HistoryArgs,
        /// Publication indexes whose resulting state to write, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        states: Vec<usize>,
        /// The number of publications (at least the last state + 1; only checked: the history stops at the last state).
        #[arg(long)]
        publications: Option<usize>,
        /// The directory to write into (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// A git fast-import stream: one commit per publication holding the whole CSV state, tagged dYYYY-MM-DD.
    FastImport {
        #[command(flatten)]
        history: HistoryArgs,
        /// The number of publications, one a day from 2020-01-01.
        #[arg(long)]
        publications: usize,
        /// The path of the CSV file in the repository.
        #[arg(long, default_value = "consolidated.csv")]
        file: String,
    },
    /// Prints {"history_id", "dates"}: an entry present throughout and changed at least twice.
    Pick {
        #[command(flatten)]
        history: HistoryArgs,
        /// The number of publications, one a day from 2020-01-01.
        #[arg(long)]
        publications: usize,
    },
}

#[derive(Args)]
struct HistoryArgs {
    /// Entries of the initial list.
    #[arg(long, default_value_t = 20_000)]
    entries: usize,
    /// The seed: the same options and seed give byte-identical output.
    #[arg(long)]
    seed: u64,
    /// Every K-th publication is a snapshot, the others amendments.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    snapshot_every: u64,
    /// Changes per publication as a fraction of the entries (at least one).
    #[arg(long, default_value_t = 0.001)]
    change_rate: f64,
    /// Days between two publications (7: weekly).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    interval_days: u64,
    /// The list id of the native publications.
    #[arg(long, default_value = listdiff_bench::LIST_ID)]
    list: String,
}

impl HistoryArgs {
    fn config(&self, publications: usize) -> Config {
        Config {
            entries: self.entries,
            publications,
            seed: self.seed,
            snapshot_every: self.snapshot_every as usize,
            change_rate: self.change_rate,
            interval_days: self.interval_days,
            list: self.list.clone(),
            ..Config::default()
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("listdiff-gen: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Native {
            history,
            publications,
            out,
        } => write_native_dir(&history.config(publications), &out)
            .map_err(|e| format!("writing {}: {e}", out.display())),
        Command::Csv {
            history,
            states,
            publications,
            out,
        } => {
            let last = states.iter().copied().max().unwrap_or(0);
            if let Some(p) = publications
                && p <= last
            {
                return Err(format!(
                    "state {last} is past the last of {p} publications (0 to {})",
                    p.saturating_sub(1)
                ));
            }
            write_csv_states(&history.config(last + 1), &out, &states)
                .map(|_| ())
                .map_err(|e| format!("writing {}: {e}", out.display()))
        }
        Command::FastImport {
            history,
            publications,
            file,
        } => {
            let stdout = io::stdout().lock();
            match write_fast_import(&history.config(publications), &file, stdout) {
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                other => other.map_err(|e| format!("writing the stream: {e}")),
            }
        }
        Command::Pick {
            history,
            publications,
        } => {
            let config = history.config(publications);
            let pick = pick(&config).ok_or_else(|| {
                "no entry present throughout was changed twice: ask for more publications"
                    .to_string()
            })?;
            let mut out = io::stdout().lock();
            serde_json::to_writer(&mut out, &pick).map_err(|e| e.to_string())?;
            writeln!(out).map_err(|e| e.to_string())
        }
    }
}
