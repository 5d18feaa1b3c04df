//! STUB (replaced by the i14-fetch branch): the interface `pull` is written against.
#![allow(missing_docs, unused_variables, dead_code)]
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};

pub struct Request {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_bytes: u64,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub retries: u32,
    pub first_backoff: Duration,
    pub max_redirects: u32,
}
impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 1 << 30,
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(60),
            retries: 3,
            first_backoff: Duration::from_secs(1),
            max_redirects: 5,
        }
    }
}
pub enum Fetched {
    NotModified(ResponseFacts),
    Body {
        facts: ResponseFacts,
        bytes: u64,
        sha256: String,
    },
}
#[derive(Clone, Debug)]
pub struct ResponseFacts {
    pub url: String,
    pub final_url: String,
    pub status: u16,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub last_modified_time: Option<DateTime<Utc>>,
    pub content_type: Option<String>,
    pub fetched_at: DateTime<Utc>,
    pub attempts: u32,
}
pub trait FetchObserver {
    fn started(&self, url: &str, total: Option<u64>) {}
    fn advanced(&self, bytes_so_far: u64) {}
    fn retrying(&self, url: &str, attempt: u32, why: &str, wait: Duration) {}
    fn finished(&self, url: &str) {}
}
pub struct Quiet;
impl FetchObserver for Quiet {}
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: not built")]
    Connect {
        url: String,
        attempts: u32,
        detail: String,
    },
}
pub fn fetch(
    request: &Request,
    limits: &Limits,
    now: DateTime<Utc>,
    dest: &Path,
    observer: &dyn FetchObserver,
) -> Result<Fetched, FetchError> {
    Err(FetchError::Connect {
        url: request.url.clone(),
        attempts: 0,
        detail: String::new(),
    })
}
pub fn url_file_name(url: &str) -> String {
    url.split(['?', '#'])
        .next()
        .unwrap_or("")
        .rsplit('/')
        .next()
        .unwrap_or("index")
        .to_string()
}
pub fn sibling_url(url: &str, name: &str) -> String {
    let base = url.split(['?', '#']).next().unwrap_or("");
    match base.rfind('/') {
        Some(i) => format!("{}{}", &base[..=i], name),
        None => name.to_string(),
    }
}
