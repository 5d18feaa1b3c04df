//! `listdiff compare OLD NEW`
//!
//! The difference between two publication files, without a store: the same answer `diff`
//! gives once both are recorded. OLD must state whole lists; NEW may be a snapshot or an
//! amendment of OLD.

use chrono::NaiveDate;

use super::inputs::{self, Candidate};
use super::{CliError, Context, Outcome, QueryOptions, print};
use crate::formats::Format;
use crate::model::Publication;
use crate::{query, render};

#[derive(clap::Args, Debug)]
#[command(after_help = "Example: listdiff compare 2024-02-28/sdn.csv 2024-03-04/sdn.csv")]
pub(crate) struct Args {
    /// The earlier publication file (or - for standard input)
    old: String,
    /// The later publication file (or - for standard input)
    new: String,
    /// Read both files as this format instead of recognising them
    #[arg(long, value_name = "FMT", value_parser = |s: &str| Format::from_name(s).ok_or_else(|| format!("unknown format {s:?}; see `listdiff formats`")))]
    format: Option<Format>,
    /// Exit with 1 when anything changed
    #[arg(long)]
    exit_code: bool,
    #[command(flatten)]
    query: QueryOptions,
}

fn load(
    path: &str,
    format: Option<Format>,
) -> Result<(Vec<Publication>, Option<NaiveDate>), CliError> {
    if path != "-" && std::path::Path::new(path).is_dir() {
        return Err(CliError::Input(format!(
            "{path} is a directory: compare takes two publication files"
        )));
    }
    let candidate = Candidate {
        path: (path != "-").then(|| path.into()),
        display: if path == "-" {
            "<stdin>".into()
        } else {
            path.to_string()
        },
        group: 0,
    };
    let read = inputs::read(&candidate, format)?;
    let path_date = inputs::date_in_path(&candidate.display);
    let mut date = None;
    let publications = read
        .parsed
        .publications
        .into_iter()
        .map(|p| {
            let published = p.stated_date.or(path_date);
            date = date.max(published);
            Publication {
                list: p.list,
                published: published.unwrap_or_default(),
                source: p.source.unwrap_or_else(|| candidate.display.clone()),
                content: p.content,
            }
        })
        .collect();
    Ok((publications, date))
}

pub(crate) fn run(context: &Context, args: Args) -> Result<Outcome, CliError> {
    if args.old == "-" && args.new == "-" {
        return Err(CliError::Input(
            "only one of OLD and NEW can be standard input (-)".into(),
        ));
    }
    let (old, old_date) = load(&args.old, args.format)?;
    let (new, new_date) = load(&args.new, args.format)?;
    let report = query::compare(&old, &new, (old_date, new_date), &args.query.filter())?;
    print(|out| render::diff(out, &report, args.query.output, context.style))?;
    Ok(Outcome::of_changes(
        args.exit_code,
        !report.changes.is_empty(),
    ))
}
