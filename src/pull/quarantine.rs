//! The quarantine: bodies fetched by `pull` that the checks refused (the drop guard, a cut
//! file, a parse failure), kept with the reason in `<store>/quarantine/`, never recorded, so
//! that the publisher's file can be examined and, if it is right, ingested by hand
//! (`listdiff ingest --allow-drop …`).
//!
//! Each refusal is a directory `<fetch time>-<source>/` holding the files as fetched, under
//! the names they were read by, and `reason.txt`: the reason, then per file its URL, status,
//! `ETag`, `Last-Modified` and SHA-256.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::{Body, Source};

/// Keeps `bodies` of `source`, refused because `why`, in the quarantine of the store at
/// `store`, and returns the directory.
pub(super) fn keep(
    store: &Path,
    source: &Source,
    bodies: &[Body],
    why: &str,
    now: DateTime<Utc>,
) -> std::io::Result<PathBuf> {
    let base = store.join("quarantine");
    std::fs::create_dir_all(&base)?;
    let stamp = now.format("%Y%m%dT%H%M%SZ");
    let mut dir = base.join(format!("{stamp}-{}", source.name));
    let mut n = 1;
    while dir.exists() {
        n += 1;
        dir = base.join(format!("{stamp}-{}-{n}", source.name));
    }
    std::fs::create_dir(&dir)?;
    let mut reason = format!(
        "source: {}\nrefused: {why}\n\nNothing of this fetch was recorded. The files below are as the server sent them.\n",
        source.name
    );
    for body in bodies {
        let name = body
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "body".into());
        std::fs::copy(&body.path, dir.join(&name))?;
        let facts = &body.facts;
        let _ = write!(
            reason,
            "\n{name}\n  url: {}\n  final url: {}\n  fetched at: {}\n  status: {}\n  etag: {}\n  last-modified: {}\n  sha256: {}\n",
            facts.url,
            facts.final_url,
            facts
                .fetched_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            facts.status,
            facts.etag.as_deref().unwrap_or("-"),
            facts.last_modified.as_deref().unwrap_or("-"),
            body.sha256,
        );
    }
    std::fs::write(dir.join("reason.txt"), reason)?;
    Ok(dir)
}
