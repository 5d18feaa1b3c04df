//! The sources `listdiff pull` fetches: the built-in table (one line per publisher file, from
//! docs/sources.md) and a user's own, read from a sources file (`--sources FILE`, by default
//! `<store>/sources.toml`):
//!
//! ```toml
//! [sources.un-sc]                 # a new name, or a built-in name to override its url
//! url = "https://…/consolidated.xml"
//! format = "un-xml"               # optional: recognised by content otherwise
//! list = "un-sc"                  # optional
//! [sources.un-sc.headers]         # optional extra request headers
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::PullError;
use crate::formats::Format;
use crate::model::ListId;

/// How a source's publication is fetched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// One file at the source's URL.
    File,
    /// A primary file with companion files beside it (OFAC's legacy CSV set): each fetched
    /// from the same directory as the URL, and saved under the name its reader expects. A set
    /// with a companion missing is a failed source, never a partial record.
    FileSet {
        /// The name the primary is saved under (`sdn.csv`).
        primary: &'static str,
        /// Each companion: its name on the server, and the name it is saved under.
        companions: &'static [(&'static str, &'static str)],
    },
    /// The eCFR's Entity List (Supplement No. 4 to part 744): the URL is the versioner API's
    /// base; `titles.json` gives title 15's latest date, then part 744 as of that date.
    Ecfr,
    /// Federal Register rules amending the Entity List: the URL is the documents search
    /// endpoint; each rule of the Bureau of Industry and Security since the last pull whose
    /// title names the Entity List is fetched as its full-text XML.
    FederalRegister,
}

impl SourceKind {
    /// A short phrase for `listdiff sources`.
    pub fn describe(self) -> &'static str {
        match self {
            SourceKind::File => "one file",
            SourceKind::FileSet { .. } => "a file with its companion files beside it",
            SourceKind::Ecfr => "titles.json, then part 744 of title 15 as of its latest date",
            SourceKind::FederalRegister => {
                "a documents search, then each Entity List rule's full-text XML"
            }
        }
    }
}

/// Where a source's definition comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceOrigin {
    /// The built-in table.
    BuiltIn,
    /// A built-in source whose URL (or headers, format, list) a sources file overrides.
    Overridden(PathBuf),
    /// A source a sources file adds.
    File(PathBuf),
}

/// One source `pull` can fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// Its name (`un-sc`), as given to `pull`.
    pub name: String,
    /// The URL fetched (for [`SourceKind::Ecfr`] and [`SourceKind::FederalRegister`], the API's
    /// base or endpoint).
    pub url: String,
    /// The format its files are read as; `None`: recognised by content.
    pub format: Option<Format>,
    /// The list recorded: only this list's publications are; for a format naming no list, its
    /// id. `None`: every list the file holds.
    pub list: Option<ListId>,
    /// Extra request headers.
    pub headers: Vec<(String, String)>,
    /// How it is fetched.
    pub kind: SourceKind,
    /// Where its definition comes from.
    pub origin: SourceOrigin,
    /// Whether `pull` without names fetches it: a built-in source that is another's
    /// alternative (the same list in another format) is fetched only when named, so that one
    /// list is not recorded twice a day from two files.
    pub by_default: bool,
    /// The built-in source this one is an alternative of (they record the same list): the two
    /// are never pulled together.
    pub alternative_of: Option<&'static str>,
    /// What it is, for `listdiff sources`.
    pub about: String,
}

/// One line of the built-in table.
struct BuiltIn {
    name: &'static str,
    url: &'static str,
    format: &'static str,
    list: Option<&'static str>,
    kind: SourceKind,
    alternative_of: Option<&'static str>,
    about: &'static str,
}

/// The built-in sources; docs/sources.md gives each URL's origin and how sure it is.
const BUILT_IN: &[BuiltIn] = &[
    BuiltIn {
        name: "ofac-sdn",
        url: "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.XML",
        format: "ofac-xml",
        list: Some("us-ofac-sdn"),
        kind: SourceKind::File,
        alternative_of: None,
        about: "OFAC Specially Designated Nationals list, legacy XML (states its date)",
    },
    BuiltIn {
        name: "ofac-sdn-csv",
        url: "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.CSV",
        format: "ofac-sdn-csv",
        list: Some("us-ofac-sdn"),
        kind: SourceKind::FileSet {
            primary: "sdn.csv",
            companions: &[
                ("ALT.CSV", "alt.csv"),
                ("ADD.CSV", "add.csv"),
                ("SDN_COMMENTS.CSV", "sdn_comments.csv"),
            ],
        },
        alternative_of: Some("ofac-sdn"),
        about: "OFAC SDN list, legacy CSV set (SDN.CSV with ALT.CSV, ADD.CSV, SDN_COMMENTS.CSV; states no date)",
    },
    BuiltIn {
        name: "ofac-cons",
        url: "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/CONSOLIDATED.XML",
        format: "ofac-xml",
        list: Some("us-ofac-cons"),
        kind: SourceKind::File,
        alternative_of: None,
        about: "OFAC consolidated (non-SDN) sanctions list, legacy XML (states its date)",
    },
    BuiltIn {
        name: "ofac-cons-csv",
        url: "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/CONS_PRIM.CSV",
        format: "ofac-cons-csv",
        list: Some("us-ofac-cons"),
        kind: SourceKind::FileSet {
            primary: "cons_prim.csv",
            companions: &[
                ("CONS_ALT.CSV", "cons_alt.csv"),
                ("CONS_ADD.CSV", "cons_add.csv"),
                ("CONS_COMMENTS.CSV", "cons_comments.csv"),
            ],
        },
        alternative_of: Some("ofac-cons"),
        about: "OFAC consolidated list, legacy CSV set (file names unconfirmed; states no date)",
    },
    BuiltIn {
        name: "trade-csl",
        url: "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv",
        format: "csl-csv",
        list: None,
        kind: SourceKind::File,
        alternative_of: None,
        about: "trade.gov Consolidated Screening List, one list per source (us-csl-el, us-csl-sdn, …; states no date)",
    },
    BuiltIn {
        name: "un-sc",
        url: "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
        format: "un-xml",
        list: Some("un-sc"),
        kind: SourceKind::File,
        alternative_of: None,
        about: "UN Security Council Consolidated List (states its date)",
    },
    BuiltIn {
        name: "eu-fsf",
        url: "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw",
        format: "eu-fsf-xml",
        list: Some("eu-fsf"),
        kind: SourceKind::File,
        alternative_of: None,
        about: "EU consolidated financial sanctions list, XML 1.1 (states its date; the token is the service's public one)",
    },
    BuiltIn {
        name: "uk-fcdo",
        url: "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml",
        format: "uk-fcdo-xml",
        list: Some("uk-fcdo"),
        kind: SourceKind::File,
        alternative_of: None,
        about: "UK Sanctions List (FCDO), XML (states its date)",
    },
    BuiltIn {
        name: "ecfr-entity-list",
        url: "https://www.ecfr.gov/api/versioner/v1",
        format: "ecfr-entity-list",
        list: Some("us-bis-entity-list"),
        kind: SourceKind::Ecfr,
        alternative_of: None,
        about: "BIS Entity List as the eCFR has it (Supplement No. 4 to part 744), dated by the eCFR's title date",
    },
    BuiltIn {
        name: "fr-entity-list",
        url: "https://www.federalregister.gov/api/v1/documents.json",
        format: "federal-register",
        list: Some("us-bis-entity-list"),
        kind: SourceKind::FederalRegister,
        alternative_of: None,
        about: "Federal Register rules of BIS amending the Entity List, each an amendment (dated by the rule)",
    },
];

/// The name pattern of OpenSanctions datasets: `os-<dataset>`.
pub const OPENSANCTIONS_PREFIX: &str = "os-";

/// The URL of an OpenSanctions dataset's entities file.
const OPENSANCTIONS_URL: &str =
    "https://data.opensanctions.org/datasets/latest/{dataset}/entities.ftm.json";

/// The built-in sources, with the OpenSanctions pattern last (`os-<dataset>`, for
/// `listdiff sources`; `pull` takes any dataset name in its place).
pub fn built_in() -> Vec<Source> {
    let mut sources: Vec<Source> = BUILT_IN
        .iter()
        .map(|b| Source {
            name: b.name.to_string(),
            url: b.url.to_string(),
            format: Format::from_name(b.format),
            list: b.list.and_then(|l| ListId::new(l).ok()),
            headers: Vec::new(),
            kind: b.kind,
            origin: SourceOrigin::BuiltIn,
            by_default: b.alternative_of.is_none(),
            alternative_of: b.alternative_of,
            about: b.about.to_string(),
        })
        .collect();
    sources.push(Source {
        name: format!("{OPENSANCTIONS_PREFIX}<dataset>"),
        url: OPENSANCTIONS_URL.to_string(),
        format: Format::from_name("ftm-json"),
        list: None,
        headers: Vec::new(),
        kind: SourceKind::File,
        origin: SourceOrigin::BuiltIn,
        by_default: false,
        alternative_of: None,
        about: "an OpenSanctions dataset by name (os-sanctions, os-us_ofac_sdn, …), recorded as list os-<dataset>; pulled only when named".into(),
    });
    sources
}

/// The OpenSanctions source for dataset `name` (`os-sanctions`), when `name` has that shape.
fn opensanctions(name: &str) -> Option<Source> {
    let dataset = name.strip_prefix(OPENSANCTIONS_PREFIX)?;
    if dataset.is_empty()
        || !dataset
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return None;
    }
    Some(Source {
        name: name.to_string(),
        url: OPENSANCTIONS_URL.replace("{dataset}", dataset),
        format: Format::from_name("ftm-json"),
        list: ListId::new(name).ok(),
        headers: Vec::new(),
        kind: SourceKind::File,
        origin: SourceOrigin::BuiltIn,
        by_default: false,
        alternative_of: None,
        about: format!("the OpenSanctions dataset {dataset}"),
    })
}

/// A sources file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourcesToml {
    #[serde(default)]
    sources: BTreeMap<String, SourceToml>,
}

/// One `[sources.NAME]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceToml {
    url: Option<String>,
    format: Option<String>,
    list: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
}

/// The most bytes of a sources file read.
const MAX_SOURCES_FILE_BYTES: u64 = 1024 * 1024;

/// Whether `name` can name a source: 1 to 64 of a–z, 0–9, `-` and `_`, starting with a
/// letter or digit.
pub fn is_source_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
}

/// Checks an extra header's name and value.
fn check_header(name: &str, value: &str) -> Result<(), String> {
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if name.is_empty() || !name.bytes().all(token) {
        return Err(format!("\"{name}\" is not a header name"));
    }
    if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
        return Err(format!("the value of header {name} holds a line break"));
    }
    Ok(())
}

/// Every source: the built-in ones, overridden by the sources file at `path`, and the file's
/// own. A missing file is no sources of one's own unless `required` (given with `--sources`).
pub fn load(path: &Path, required: bool) -> Result<Vec<Source>, PullError> {
    let mut sources = built_in();
    let text = match read_sources_file(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => return Ok(sources),
        Err(e) => {
            return Err(PullError::SourcesFile {
                path: path.to_path_buf(),
                line: None,
                problem: e.to_string(),
            });
        }
    };
    let parsed: SourcesToml = toml::from_str(&text).map_err(|e| PullError::SourcesFile {
        path: path.to_path_buf(),
        line: e.span().map(|span| line_of(&text, span.start)),
        problem: e.message().to_string(),
    })?;
    for (name, given) in parsed.sources {
        let bad = |problem: String| PullError::SourcesFile {
            path: path.to_path_buf(),
            line: text
                .find(&format!("[sources.{name}"))
                .map(|at| line_of(&text, at)),
            problem: format!("[sources.{name}]: {problem}"),
        };
        if !is_source_name(&name) {
            return Err(bad(
                "a source name is 1 to 64 of a-z, 0-9, - and _, starting with a letter or digit"
                    .into(),
            ));
        }
        let format =
            match &given.format {
                Some(f) => Some(Format::from_name(f).ok_or_else(|| {
                    bad(format!("unknown format \"{f}\" (see `listdiff formats`)"))
                })?),
                None => None,
            };
        let list = match &given.list {
            Some(l) => Some(ListId::new(l).map_err(|e| bad(e.to_string()))?),
            None => None,
        };
        for (header, value) in &given.headers {
            check_header(header, value).map_err(&bad)?;
        }
        if let Some(url) = &given.url {
            crate::fetch::Url::parse(url).map_err(|e| bad(e.to_string()))?;
        }
        let headers: Vec<(String, String)> = given.headers.into_iter().collect();
        match sources.iter_mut().find(|s| s.name == name) {
            Some(source) => {
                if let Some(url) = given.url {
                    source.url = url;
                }
                if format.is_some() {
                    source.format = format;
                }
                if list.is_some() {
                    source.list = list;
                }
                source.headers = headers;
                source.origin = SourceOrigin::Overridden(path.to_path_buf());
            }
            None => {
                let mut source = match opensanctions(&name) {
                    Some(dataset) => dataset,
                    None => Source {
                        name: name.clone(),
                        url: String::new(),
                        format: None,
                        list: None,
                        headers: Vec::new(),
                        kind: SourceKind::File,
                        origin: SourceOrigin::File(path.to_path_buf()),
                        by_default: true,
                        alternative_of: None,
                        about: format!("from {}", path.display()),
                    },
                };
                let is_dataset = matches!(source.origin, SourceOrigin::BuiltIn);
                match given.url {
                    Some(url) => source.url = url,
                    None if is_dataset => {}
                    None => return Err(bad("a new source needs a url".into())),
                }
                if format.is_some() {
                    source.format = format;
                }
                if list.is_some() {
                    source.list = list;
                }
                source.headers = headers;
                source.origin = match is_dataset {
                    true => SourceOrigin::Overridden(path.to_path_buf()),
                    false => SourceOrigin::File(path.to_path_buf()),
                };
                // A dataset named in the sources file is pulled by default: naming it is
                // asking for it.
                source.by_default = true;
                sources.push(source);
            }
        }
    }
    Ok(sources)
}

/// Reads a sources file, at most [`MAX_SOURCES_FILE_BYTES`].
fn read_sources_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut text = String::new();
    file.take(MAX_SOURCES_FILE_BYTES + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_SOURCES_FILE_BYTES {
        return Err(std::io::Error::other(format!(
            "the file is larger than {MAX_SOURCES_FILE_BYTES} bytes"
        )));
    }
    Ok(text)
}

/// The 1-based line of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()
        .iter()
        .take(at)
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The sources `pull NAME...` fetches: those named (an OpenSanctions dataset by `os-<dataset>`
/// even when not in `all`), or with no names every source pulled by default. Two
/// alternatives of one list are refused together.
pub fn select(all: &[Source], names: &[String]) -> Result<Vec<Source>, PullError> {
    let mut chosen: Vec<Source> = Vec::new();
    if names.is_empty() {
        chosen = all.iter().filter(|s| s.by_default).cloned().collect();
    }
    for name in names {
        if chosen.iter().any(|s| &s.name == name) {
            continue;
        }
        let found = all
            .iter()
            .find(|s| &s.name == name)
            .cloned()
            .or_else(|| opensanctions(name));
        match found {
            Some(source) if source.name.contains('<') => {
                return Err(PullError::UnknownSource {
                    name: name.clone(),
                    known: known_names(all),
                });
            }
            Some(source) => chosen.push(source),
            None => {
                return Err(PullError::UnknownSource {
                    name: name.clone(),
                    known: known_names(all),
                });
            }
        }
    }
    for source in &chosen {
        if let Some(other) = source.alternative_of
            && chosen.iter().any(|s| s.name == other)
        {
            return Err(PullError::Alternatives {
                one: other.to_string(),
                other: source.name.clone(),
            });
        }
    }
    Ok(chosen)
}

/// The names of `all`, for a message.
fn known_names(all: &[Source]) -> String {
    all.iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_built_in_source_has_a_format_and_an_https_url() {
        for source in built_in() {
            assert!(source.format.is_some(), "{}", source.name);
            assert!(source.url.starts_with("https://"), "{}", source.name);
            crate::fetch::Url::parse(&source.url).unwrap();
        }
    }

    #[test]
    fn a_sources_file_overrides_and_adds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sources.toml");
        std::fs::write(
            &path,
            "[sources.un-sc]\nurl = \"http://127.0.0.1:9/un.xml\"\n[sources.mine]\nurl = \"https://example.org/x.csv\"\nformat = \"csv\"\nlist = \"my-list\"\n[sources.mine.headers]\nAuthorization = \"Bearer t\"\n",
        )
        .unwrap();
        let all = load(&path, true).unwrap();
        let un = all.iter().find(|s| s.name == "un-sc").unwrap();
        assert_eq!(un.url, "http://127.0.0.1:9/un.xml");
        assert_eq!(un.format, Format::from_name("un-xml"));
        let mine = all.iter().find(|s| s.name == "mine").unwrap();
        assert_eq!(mine.list.as_ref().unwrap().as_str(), "my-list");
        assert_eq!(
            mine.headers,
            vec![("Authorization".into(), "Bearer t".into())]
        );
        assert!(mine.by_default);
    }

    #[test]
    fn a_bad_sources_file_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sources.toml");
        std::fs::write(&path, "[sources.x]\nurl = \"ftp://a/b\"\n").unwrap();
        let e = load(&path, true).unwrap_err().to_string();
        assert!(
            e.contains("sources.toml:1") && e.contains("https://"),
            "{e}"
        );
        std::fs::write(
            &path,
            "[sources.x]\nurl = \"https://a/b\"\nfromat = \"csv\"\n",
        )
        .unwrap();
        let e = load(&path, true).unwrap_err().to_string();
        assert!(e.contains("fromat"), "{e}");
        assert!(load(&dir.path().join("none.toml"), false).is_ok());
        assert!(load(&dir.path().join("none.toml"), true).is_err());
    }

    #[test]
    fn selection_defaults_and_alternatives() {
        let all = built_in();
        let default = select(&all, &[]).unwrap();
        assert!(default.iter().any(|s| s.name == "ofac-sdn"));
        assert!(!default.iter().any(|s| s.name == "ofac-sdn-csv"));
        assert!(!default.iter().any(|s| s.name.starts_with("os-")));
        let e = select(&all, &["ofac-sdn".into(), "ofac-sdn-csv".into()]).unwrap_err();
        assert!(e.to_string().contains("ofac-sdn-csv"), "{e}");
        let os = select(&all, &["os-sanctions".into()]).unwrap();
        assert_eq!(
            os[0].url,
            "https://data.opensanctions.org/datasets/latest/sanctions/entities.ftm.json"
        );
        assert!(select(&all, &["os-<dataset>".into()]).is_err());
        assert!(select(&all, &["nope".into()]).is_err());
    }
}
