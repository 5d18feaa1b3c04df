//! Fetching one source's files, by the kind of source: one file, a file with companions, the
//! eCFR (title date, then part 744), the Federal Register (a documents search, then each rule).

use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use super::sources::{Source, SourceKind};
use super::{Body, PullOptions, fetched_file};
use crate::fetch::{self, FetchObserver, Fetched, Request};
use crate::store::FetchState;

/// What fetching a source got.
pub(super) enum Got {
    /// Nothing new, and why.
    Unchanged(String),
    /// Files to record.
    Files(Files),
}

/// Files fetched into a private directory.
pub(super) struct Files {
    /// The directory (removed when dropped).
    pub(super) dir: tempfile::TempDir,
    /// Every file fetched.
    pub(super) bodies: Vec<Body>,
    /// The primary files to read, each with its URL.
    pub(super) inputs: Vec<(PathBuf, String)>,
    /// How a publication stating its date got it.
    pub(super) stated_basis: String,
    /// What fetching noted.
    pub(super) notes: Vec<String>,
    /// What to keep once recorded.
    pub(super) state: FetchState,
}

/// One file to fetch: its URL and the name it is saved under.
struct Wanted {
    url: String,
    name: String,
}

const STATED: &str = "the date the file states";

/// Fetches `source`; `Err` is why the transfer failed.
pub(super) fn fetch(
    source: &Source,
    state: Option<&FetchState>,
    options: &PullOptions,
    observer: &dyn FetchObserver,
) -> Result<Got, String> {
    let dir = tempfile::Builder::new()
        .prefix("listdiff-pull-")
        .tempdir()
        .map_err(|e| format!("cannot make a temporary directory: {e}"))?;
    match source.kind {
        SourceKind::File => {
            let name = safe_name(&fetch::url_file_name(&source.url), "download");
            let wanted = vec![Wanted {
                url: source.url.clone(),
                name,
            }];
            files(source, dir, wanted, state, options, observer)
        }
        SourceKind::FileSet {
            primary,
            companions,
        } => {
            let mut wanted = vec![Wanted {
                url: source.url.clone(),
                name: primary.to_string(),
            }];
            for (remote, local) in companions {
                wanted.push(Wanted {
                    url: fetch::sibling_url(&source.url, remote),
                    name: (*local).to_string(),
                });
            }
            files(source, dir, wanted, state, options, observer)
        }
        SourceKind::Ecfr => ecfr(source, dir, state, options, observer),
        SourceKind::FederalRegister => federal_register(source, dir, state, options, observer),
    }
}

/// A file name safe to create in the private directory: the URL's last segment with anything
/// but letters, digits, `.`, `-` and `_` replaced, never empty, `.` or `..`.
fn safe_name(name: &str, fallback: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '-' | '_' => c,
            _ => '_',
        })
        .take(120)
        .collect();
    if cleaned.is_empty() || cleaned.chars().all(|c| c == '.') {
        fallback.to_string()
    } else {
        cleaned
    }
}

/// One GET into `dir/name`, with the validators of `state` when `conditional`.
fn get(
    source: &Source,
    url: &str,
    dest: &Path,
    state: Option<&FetchState>,
    conditional: bool,
    options: &PullOptions,
    observer: &dyn FetchObserver,
) -> Result<Fetched, String> {
    let last = state.and_then(|s| s.file(url)).filter(|_| conditional);
    let request = Request {
        url: url.to_string(),
        headers: source.headers.clone(),
        etag: last.and_then(|f| f.etag.clone()),
        last_modified: last.and_then(|f| f.last_modified.clone()),
    };
    fetch::fetch(&request, &options.limits, options.now, dest, observer).map_err(|e| e.to_string())
}

/// A body fetched into `dest`, as a [`Body`]; `None` for a 304.
fn body(fetched: Fetched, dest: &Path) -> Option<Body> {
    match fetched {
        Fetched::NotModified(_) => None,
        Fetched::Body { facts, sha256, .. } => Some(Body {
            path: dest.to_path_buf(),
            facts,
            sha256,
        }),
    }
}

/// Fetches a file and its companions: unchanged when every one is answered 304 or is identical
/// to the last fetch; otherwise every one is fetched whole (a 304 is asked again without
/// validators), so the set read is complete and of one moment.
fn files(
    source: &Source,
    dir: tempfile::TempDir,
    wanted: Vec<Wanted>,
    state: Option<&FetchState>,
    options: &PullOptions,
    observer: &dyn FetchObserver,
) -> Result<Got, String> {
    let mut bodies: Vec<Option<Body>> = Vec::new();
    let mut not_modified = 0;
    for file in &wanted {
        let dest = dir.path().join(&file.name);
        let fetched = get(source, &file.url, &dest, state, true, options, observer)?;
        let got = body(fetched, &dest);
        if got.is_none() {
            not_modified += 1;
        }
        bodies.push(got);
    }
    let identical = |b: &Body| {
        state
            .and_then(|s| s.file(&b.facts.url))
            .is_some_and(|last| last.sha256 == b.sha256)
    };
    if bodies.iter().all(|b| b.as_ref().is_none_or(identical)) {
        return Ok(Got::Unchanged(if not_modified == wanted.len() {
            "304 Not Modified".into()
        } else {
            "identical to the last fetch (same SHA-256)".into()
        }));
    }
    let mut complete = Vec::new();
    for (file, got) in wanted.iter().zip(bodies) {
        let dest = dir.path().join(&file.name);
        match got {
            Some(got) => complete.push(got),
            None => {
                let again = get(source, &file.url, &dest, state, false, options, observer)?;
                let got = body(again, &dest).ok_or_else(|| {
                    format!(
                        "{}: the server answered 304 Not Modified to a request without validators",
                        file.url
                    )
                })?;
                complete.push(got);
            }
        }
    }
    let state = FetchState {
        fetched_at: Some(options.now),
        files: complete.iter().map(fetched_file).collect(),
        marker: None,
    };
    let inputs = match complete.first() {
        Some(primary) => vec![(primary.path.clone(), primary.facts.url.clone())],
        None => Vec::new(),
    };
    Ok(Got::Files(Files {
        dir,
        bodies: complete,
        inputs,
        stated_basis: STATED.into(),
        notes: Vec::new(),
        state,
    }))
}

/// Reads a small JSON answer fetched into `path`.
fn read_json<T: for<'de> Deserialize<'de>>(path: &Path, url: &str) -> Result<T, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{url}: cannot read the answer: {e}"))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        format!("{url}: the answer is not the JSON expected ({e}): has the API changed?")
    })
}

/// The eCFR's titles endpoint's answer (the fields used).
#[derive(Deserialize)]
struct EcfrTitles {
    titles: Vec<EcfrTitle>,
}

/// One title of the eCFR's titles endpoint.
#[derive(Deserialize)]
struct EcfrTitle {
    number: u32,
    #[serde(default)]
    up_to_date_as_of: Option<NaiveDate>,
    #[serde(default)]
    latest_issue_date: Option<NaiveDate>,
}

/// The eCFR: title 15's date from `titles.json`; unchanged when it is the date of the last
/// pull; else part 744 as of that date (the file read is dated by it: its URL writes it).
fn ecfr(
    source: &Source,
    dir: tempfile::TempDir,
    state: Option<&FetchState>,
    options: &PullOptions,
    observer: &dyn FetchObserver,
) -> Result<Got, String> {
    let base = source.url.trim_end_matches('/');
    let titles_url = format!("{base}/titles.json");
    let titles_path = dir.path().join("titles.json");
    get(
        source,
        &titles_url,
        &titles_path,
        None,
        false,
        options,
        observer,
    )?;
    let titles: EcfrTitles = read_json(&titles_path, &titles_url)?;
    let date = titles
        .titles
        .iter()
        .find(|t| t.number == 15)
        .and_then(|t| t.up_to_date_as_of.or(t.latest_issue_date))
        .ok_or_else(|| format!("{titles_url}: title 15 has no up_to_date_as_of date"))?;
    let marker = date.to_string();
    if state.and_then(|s| s.marker.as_deref()) == Some(marker.as_str()) {
        return Ok(Got::Unchanged(format!(
            "the eCFR's title 15 is up to date as of {date}, as at the last pull"
        )));
    }
    let url = format!("{base}/full/{date}/title-15.xml?part=744");
    let name = format!("title-15-part-744-{date}.xml");
    let dest = dir.path().join(&name);
    let fetched = get(source, &url, &dest, None, false, options, observer)?;
    let got = body(fetched, &dest)
        .ok_or_else(|| format!("{url}: 304 Not Modified to a request without validators"))?;
    let state = FetchState {
        fetched_at: Some(options.now),
        files: vec![fetched_file(&got)],
        marker: Some(marker),
    };
    Ok(Got::Files(Files {
        inputs: vec![(got.path.clone(), url.clone())],
        bodies: vec![got],
        dir,
        stated_basis: format!(
            "the date the file states, else the eCFR's date for title 15 in its URL ({date})"
        ),
        notes: Vec::new(),
        state,
    }))
}

/// The Federal Register's documents search answer (the fields used).
#[derive(Deserialize)]
struct FrPage {
    #[serde(default)]
    results: Vec<FrDocument>,
    #[serde(default)]
    next_page_url: Option<String>,
}

/// One document of a Federal Register search.
#[derive(Deserialize)]
struct FrDocument {
    document_number: String,
    #[serde(default)]
    title: String,
    publication_date: NaiveDate,
    #[serde(default)]
    full_text_xml_url: Option<String>,
}

/// How far back the first pull of the Federal Register looks.
const FR_FIRST_DAYS: i64 = 30;
/// The most result pages read in one pull.
const FR_MAX_PAGES: usize = 20;

/// The documents search URL for rules of BIS naming the Entity List published on or after
/// `since`, oldest first.
fn fr_search_url(endpoint: &str, since: NaiveDate) -> String {
    let separator = if endpoint.contains('?') { '&' } else { '?' };
    format!(
        "{endpoint}{separator}conditions%5Bagencies%5D%5B%5D=industry-and-security-bureau&conditions%5Btype%5D%5B%5D=RULE&conditions%5Bterm%5D=%22Entity+List%22&conditions%5Bpublication_date%5D%5Bgte%5D={since}&fields%5B%5D=document_number&fields%5B%5D=title&fields%5B%5D=publication_date&fields%5B%5D=full_text_xml_url&order=oldest&per_page=100"
    )
}

/// The marker of a Federal Register pull: the latest publication date seen, and the documents
/// of that date fetched (`2024-12-18 2024-29775 2024-29776`).
fn fr_marker(text: &str) -> Option<(NaiveDate, Vec<String>)> {
    let mut words = text.split_whitespace();
    let date = words.next()?.parse().ok()?;
    Some((date, words.map(str::to_string).collect()))
}

/// The Federal Register: every rule of BIS whose title names the Entity List, published since
/// the last pull (the first pull looks back [`FR_FIRST_DAYS`] days), each fetched as its
/// full-text XML and read as an amendment.
fn federal_register(
    source: &Source,
    dir: tempfile::TempDir,
    state: Option<&FetchState>,
    options: &PullOptions,
    observer: &dyn FetchObserver,
) -> Result<Got, String> {
    let (since, seen) = state
        .and_then(|s| s.marker.as_deref())
        .and_then(fr_marker)
        .unwrap_or_else(|| {
            (
                options.now.date_naive() - Duration::days(FR_FIRST_DAYS),
                Vec::new(),
            )
        });
    let mut url = fr_search_url(&source.url, since);
    let mut documents = Vec::new();
    for page in 0..FR_MAX_PAGES {
        let path = dir.path().join(format!("search-{page}.json"));
        get(source, &url, &path, None, false, options, observer)?;
        let answer: FrPage = read_json(&path, &url)?;
        let _ = std::fs::remove_file(&path);
        documents.extend(answer.results);
        match answer.next_page_url {
            Some(next) if !next.is_empty() => url = next,
            _ => break,
        }
    }
    let mut notes = Vec::new();
    let mut bodies = Vec::new();
    let mut inputs = Vec::new();
    let mut latest = since;
    let mut latest_seen: Vec<String> = seen.clone();
    for document in documents {
        if document.publication_date == since && seen.contains(&document.document_number) {
            continue;
        }
        if !document.title.to_lowercase().contains("entity list") {
            notes.push(format!(
                "Federal Register document {} ({}) is a rule of BIS whose title does not name the Entity List: not read",
                document.document_number, document.title
            ));
            continue;
        }
        let Some(xml_url) = document.full_text_xml_url.clone() else {
            return Err(format!(
                "Federal Register document {} has no full_text_xml_url yet: pull again later",
                document.document_number
            ));
        };
        let name = format!("{}.xml", safe_name(&document.document_number, "rule"));
        let dest = dir.path().join(&name);
        let fetched = get(source, &xml_url, &dest, None, false, options, observer)?;
        let got = body(fetched, &dest).ok_or_else(|| {
            format!("{xml_url}: 304 Not Modified to a request without validators")
        })?;
        inputs.push((got.path.clone(), xml_url));
        bodies.push(got);
        if document.publication_date > latest {
            latest = document.publication_date;
            latest_seen.clear();
        }
        if document.publication_date == latest {
            latest_seen.push(document.document_number.clone());
        }
    }
    if bodies.is_empty() {
        return Ok(Got::Unchanged(format!(
            "no new rule amending the Entity List published since {since}"
        )));
    }
    let mut marker = latest.to_string();
    for number in &latest_seen {
        marker.push(' ');
        marker.push_str(number);
    }
    let state = FetchState {
        fetched_at: Some(options.now),
        files: bodies.iter().map(fetched_file).collect(),
        marker: Some(marker),
    };
    Ok(Got::Files(Files {
        dir,
        bodies,
        inputs,
        stated_basis: "the date each rule states".into(),
        notes,
        state,
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(safe_name("SDN.XML", "x"), "SDN.XML");
        assert_eq!(safe_name("..", "x"), "x");
        assert_eq!(safe_name("", "x"), "x");
        assert_eq!(safe_name("a/b c", "x"), "a_b_c");
    }

    #[test]
    fn the_federal_register_marker_reads_back() {
        let (date, seen) = fr_marker("2024-12-18 2024-29775 2024-29776").unwrap();
        assert_eq!(date.to_string(), "2024-12-18");
        assert_eq!(seen, vec!["2024-29775", "2024-29776"]);
        assert!(fr_marker("nonsense").is_none());
        let url = fr_search_url("https://x/api/v1/documents.json", date);
        assert!(url.contains("industry-and-security-bureau") && url.contains("2024-12-18"));
    }
}
