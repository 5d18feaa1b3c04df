//! `listdiff sources [--sources FILE] [-o table|json]`
//!
//! The sources `pull` fetches: each built-in source with its URL, format, list and how it is
//! fetched, then those a sources file adds or overrides (`--sources FILE`, by default
//! `<store>/sources.toml`). `*` marks the sources `pull` fetches when given no names. The
//! origin of each built-in URL is in docs/sources.md.
//!
//! A sources file (TOML):
//!
//! ```toml
//! [sources.un-sc]                 # a new name, or a built-in name to override its url
//! url = "https://…/consolidated.xml"
//! format = "un-xml"               # optional: recognised by content otherwise
//! list = "un-sc"                  # optional
//! [sources.un-sc.headers]         # optional extra request headers
//! ```

use std::io::Write as _;
use std::path::PathBuf;

use serde_json::json;

use super::human::say;
use super::{CliError, Context, Outcome};
use crate::pull::{self, SourceOrigin};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "A sources file (TOML; default <store>/sources.toml):\n  [sources.un-sc]                # a new name, or a built-in name to override its url\n  url = \"https://…/consolidated.xml\"\n  format = \"un-xml\"              # optional: recognised by content otherwise\n  list = \"un-sc\"                 # optional\n  [sources.un-sc.headers]        # optional extra request headers\n  Authorization = \"Bearer …\""
)]
pub(crate) struct Args {
    /// The sources file [default: STORE/sources.toml, if it exists]
    #[arg(long, value_name = "FILE")]
    sources: Option<PathBuf>,
    /// Output: a line per source, or JSON
    #[arg(short, long, value_enum, default_value_t = SourcesOutput::Table, value_name = "FORMAT")]
    output: SourcesOutput,
}

/// How `sources` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum SourcesOutput {
    /// A block per source.
    Table,
    /// One JSON array.
    Json,
}

pub(crate) fn run(context: &Context, args: Args) -> Result<Outcome, CliError> {
    let (path, required) = match &args.sources {
        Some(path) => (path.clone(), true),
        None => (context.store_path()?.join("sources.toml"), false),
    };
    let all = pull::sources::load(&path, required).map_err(|e| CliError::Input(e.to_string()))?;
    match args.output {
        SourcesOutput::Json => {
            let items: Vec<_> = all
                .iter()
                .map(|s| {
                    json!({
                        "name": s.name,
                        "url": s.url,
                        "format": s.format.map(|f| f.name()),
                        "list": s.list.as_ref().map(|l| l.as_str()),
                        "fetched_as": s.kind.describe(),
                        "pulled_by_default": s.by_default,
                        "origin": origin(&s.origin),
                        "about": s.about,
                    })
                })
                .collect();
            let text =
                serde_json::to_string_pretty(&items).map_err(|e| CliError::Input(e.to_string()))?;
            // JSON keeps text exact (its strings are escaped by JSON itself).
            let mut out = std::io::stdout().lock();
            writeln!(out, "{text}")?;
        }
        SourcesOutput::Table => {
            for (i, s) in all.iter().enumerate() {
                if i > 0 {
                    say("");
                }
                let mark = if s.by_default { "*" } else { " " };
                say(&format!("{mark} {}: {}", s.name, s.about));
                say(&format!("    url     {}", s.url));
                say(&format!(
                    "    format  {}",
                    s.format.map_or("recognised by content", |f| f.name())
                ));
                say(&format!(
                    "    list    {}",
                    s.list.as_ref().map_or("as the file says", |l| l.as_str())
                ));
                say(&format!("    fetched {}", s.kind.describe()));
                if !matches!(s.origin, SourceOrigin::BuiltIn) {
                    say(&format!("    from    {}", origin(&s.origin)));
                }
            }
            say("");
            say("* pulled by `listdiff pull` without names; the others only when named.");
        }
    }
    Ok(Outcome::Done)
}

/// Where a source's definition comes from, as text.
fn origin(origin: &SourceOrigin) -> String {
    match origin {
        SourceOrigin::BuiltIn => "built-in".into(),
        SourceOrigin::Overridden(path) => format!("built-in, overridden by {}", path.display()),
        SourceOrigin::File(path) => path.display().to_string(),
    }
}
