//! HTTP transfers for `listdiff pull`: one GET of a publisher's file into a local path, with
//! what an auditor needs to know of the response.
//!
//! This floor imports no other floor of listdiff and never prints: a caller reports through a
//! [`FetchObserver`] and the returned [`Fetched`] or [`FetchError`].
//!
//! A [`fetch`]:
//! - sends `User-Agent: listdiff/<version>`, `Accept-Encoding: gzip, deflate`, the request's
//!   own headers, and its validators as `If-None-Match` / `If-Modified-Since`;
//! - connects within [`Limits::connect_timeout`] and fails when no byte arrives for
//!   [`Limits::read_timeout`];
//! - retries up to [`Limits::retries`] times, waiting [`Limits::first_backoff`] and doubling
//!   (or the server's `Retry-After` seconds, at most 60 s), on a 5xx status, a failed
//!   connection, a timeout and a body cut short; never on a 4xx status. Each attempt starts
//!   again from the URL asked for;
//! - follows at most [`Limits::max_redirects`] redirects (301, 302, 303, 307, 308) itself,
//!   resolving relative locations, and never from https to http. The request's own headers go
//!   only to the host it names (they may hold credentials); the validators go to every host
//!   of the chain, since they are usually the last host's (a CDN's) own;
//! - refuses a body larger than [`Limits::max_bytes`] as received (as soon as its
//!   `Content-Length` says so, else once the limit is passed) and as decoded (a gzip bomb);
//! - decodes a gzip or deflate `Content-Encoding`, writing the decoded bytes;
//! - fails a body shorter than its `Content-Length` ([`FetchError::Truncated`]): a body is
//!   returned only whole;
//! - goes through the proxy the environment names (see [`proxy`]), loopback hosts never;
//! - computes the SHA-256 and byte count of the body as it writes it.
//!
//! The destination holds the body only after [`Fetched::Body`]: after [`Fetched::NotModified`]
//! or an error it does not exist.

mod date;
pub mod proxy;
mod transfer;
mod url;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};

pub use date::http_date;
pub use url::{Scheme, Url, next_url, sibling_url, url_file_name};

/// One GET to make.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Request {
    /// The URL asked for (http or https).
    pub url: String,
    /// Extra request headers (a user's sources.toml `[sources.X.headers]`), sent to the host
    /// `url` names only.
    pub headers: Vec<(String, String)>,
    /// The `ETag` of the previous fetch, sent as `If-None-Match`.
    pub etag: Option<String>,
    /// The `Last-Modified` of the previous fetch (the header text exactly as the server sent
    /// it), sent as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

/// Transfer limits and policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest body accepted, as received and as decoded (default 1 GiB).
    pub max_bytes: u64,
    /// The time allowed to resolve the host and connect, TLS included (default 30 s).
    pub connect_timeout: Duration,
    /// No byte for this long fails the transfer (default 60 s).
    pub read_timeout: Duration,
    /// Retries after a 5xx status, a failed connection, a timeout or a body cut short (default
    /// 3, so up to 4 attempts).
    pub retries: u32,
    /// The wait before the first retry, doubling for each next one (default 1 s).
    pub first_backoff: Duration,
    /// The most redirects followed (default 5).
    pub max_redirects: u32,
}

impl Default for Limits {
    fn default() -> Limits {
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

/// What a fetch got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fetched {
    /// 304 Not Modified: the validators sent still hold; nothing was written.
    NotModified(ResponseFacts),
    /// A 200 body, written whole (decoded) to the destination path.
    Body {
        /// The response.
        facts: ResponseFacts,
        /// The number of bytes written (decoded).
        bytes: u64,
        /// The SHA-256 of the bytes written, lower-case hex.
        sha256: String,
    },
}

impl Fetched {
    /// The response's facts, whichever the outcome.
    pub fn facts(&self) -> &ResponseFacts {
        match self {
            Fetched::NotModified(facts) | Fetched::Body { facts, .. } => facts,
        }
    }
}

/// What the auditor needs of a response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseFacts {
    /// The URL asked for, as given.
    pub url: String,
    /// The URL that answered, after redirects (normalised: lower-case host, escapes added
    /// where needed).
    pub final_url: String,
    /// The final response's status (200 or 304).
    pub status: u16,
    /// The final response's `ETag`, exactly as sent.
    pub etag: Option<String>,
    /// The final response's `Last-Modified`, the header text exactly as sent.
    pub last_modified: Option<String>,
    /// `last_modified` read as an HTTP date; `None` when absent or not a valid HTTP date.
    pub last_modified_time: Option<DateTime<Utc>>,
    /// The final response's `Content-Type`.
    pub content_type: Option<String>,
    /// The caller's clock when the fetch was asked for.
    pub fetched_at: DateTime<Utc>,
    /// The attempts made (1 when the first succeeded).
    pub attempts: u32,
}

/// Observer for progress and retries (the CLI draws bars; tests may record calls). Every
/// method does nothing by default.
pub trait FetchObserver {
    /// A body starts to arrive from `url` (the URL asked for); `total` is its announced length
    /// as received (before decoding), when the server gave one. Called once per attempt that
    /// gets a body.
    fn started(&self, url: &str, total: Option<u64>) {
        let _ = (url, total);
    }

    /// `bytes_so_far` of the body have been received (before decoding; comparable with
    /// `total`).
    fn advanced(&self, bytes_so_far: u64) {
        let _ = bytes_so_far;
    }

    /// Attempt number `attempt` (2 for the first retry) at `url` starts after `wait`, because
    /// of `why` (the failure of the attempt before, one line).
    fn retrying(&self, url: &str, attempt: u32, why: &str, wait: Duration) {
        let _ = (url, attempt, why, wait);
    }

    /// The body that [`started`](FetchObserver::started) has ended, whole or not.
    fn finished(&self, url: &str) {
        let _ = url;
    }
}

/// The observer that observes nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Quiet;

impl FetchObserver for Quiet {}

/// Why a fetch failed. Every message says what failed, for which URL, and what to do.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The URL (asked for, or a redirect's location) cannot be fetched.
    #[error("cannot fetch {url:?}: {reason}; check the source's url")]
    BadUrl {
        /// The URL as written.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A request header of the source cannot be sent.
    #[error("cannot send the header {name:?} to {url}: {reason}; check the source's [headers]")]
    BadHeader {
        /// The URL asked for.
        url: String,
        /// The header's name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The proxy an environment variable names cannot be used.
    #[error("cannot use the proxy that {variable} names ({detail}); correct or unset {variable}")]
    BadProxy {
        /// The environment variable.
        variable: String,
        /// What is wrong.
        detail: String,
    },
    /// No connection could be made, or it broke.
    #[error(
        "could not fetch {url}: {detail} (after {attempts} attempt{s}); check the network, the \
         host name and any proxy (HTTPS_PROXY, NO_PROXY), then pull again",
        s = plural(*attempts)
    )]
    Connect {
        /// The URL that failed (a redirect's target, when one failed).
        url: String,
        /// The attempts made.
        attempts: u32,
        /// What the connection did.
        detail: String,
    },
    /// The connection, or a wait for data, took too long.
    #[error(
        "fetching {url} timed out: {detail} (after {attempts} attempt{s}); the server may be \
         slow or down: pull again later",
        s = plural(*attempts)
    )]
    Timeout {
        /// The URL that failed.
        url: String,
        /// The attempts made.
        attempts: u32,
        /// Which wait ran out, and its length.
        detail: String,
    },
    /// The TLS handshake failed (not retried: it fails the same way again).
    #[error(
        "could not make a secure connection to {url}: {detail}; check the URL's host, the \
         system clock and any proxy that intercepts TLS"
    )]
    Tls {
        /// The URL that failed.
        url: String,
        /// What TLS said.
        detail: String,
    },
    /// The server's answer is not valid HTTP, or a redirect has no location.
    #[error(
        "{url} answered with a response listdiff cannot read: {detail}; pull again later or report it to the publisher"
    )]
    Protocol {
        /// The URL that answered.
        url: String,
        /// What is wrong.
        detail: String,
    },
    /// The final answer's status was neither 200 nor 304.
    #[error(
        "{url} answered HTTP {status}{what} (after {attempts} attempt{s}); {hint}",
        what = status_text(*status),
        s = plural(*attempts),
        hint = status_hint(*status)
    )]
    Status {
        /// The URL that answered.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The attempts made.
        attempts: u32,
    },
    /// The body is larger than the limit.
    #[error(
        "the body of {url} is larger than the limit of {limit} bytes; nothing was kept; raise \
         the limit (--max-bytes) if the file is expected to be this large"
    )]
    TooLarge {
        /// The URL asked for.
        url: String,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The body ended before the length its `Content-Length` announced.
    #[error(
        "the transfer of {url} ended after {got} of the {expected} bytes announced (after \
         {attempts} attempt{s}); nothing was kept; pull again",
        s = plural(*attempts)
    )]
    Truncated {
        /// The URL that answered.
        url: String,
        /// The length announced.
        expected: u64,
        /// The bytes received.
        got: u64,
        /// The attempts made.
        attempts: u32,
    },
    /// A redirect from https to http, refused.
    #[error(
        "{from} redirected to {to}, from https to plain http: refused; ask the publisher, or \
         give the http URL as the source's url if it is to be trusted"
    )]
    InsecureRedirect {
        /// The https URL that redirected.
        from: String,
        /// The http location.
        to: String,
    },
    /// More redirects than the limit.
    #[error(
        "{url} redirected more than {limit} times (a redirect loop?); give the final URL as \
         the source's url"
    )]
    TooManyRedirects {
        /// The URL asked for.
        url: String,
        /// The limit.
        limit: u32,
    },
    /// The body's `Content-Encoding` is unknown or its encoded bytes are corrupt.
    #[error(
        "the body of {url} cannot be decoded ({encoding}): {detail}; pull again, or report it to the publisher"
    )]
    BadEncoding {
        /// The URL that answered.
        url: String,
        /// The `Content-Encoding`.
        encoding: String,
        /// What is wrong.
        detail: String,
    },
    /// The destination file could not be written or removed.
    #[error("cannot write {}: {source}; check the disk space and the directory's permissions", path.display())]
    Io {
        /// The destination path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

impl FetchError {
    /// The attempts made, for the errors that count them.
    pub fn attempts(&self) -> Option<u32> {
        match self {
            FetchError::Connect { attempts, .. }
            | FetchError::Timeout { attempts, .. }
            | FetchError::Status { attempts, .. }
            | FetchError::Truncated { attempts, .. } => Some(*attempts),
            _ => None,
        }
    }
}

fn plural(count: u32) -> &'static str {
    if count == 1 { "" } else { "s" }
}

fn status_text(status: u16) -> String {
    let text = match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return String::new(),
    };
    format!(" {text}")
}

fn status_hint(status: u16) -> &'static str {
    match status {
        401 | 403 => "the server refuses the request: check the source's [headers] (credentials)",
        404 | 410 => "the file is not (or no longer) there: check the source's url",
        429 => "the server asks for fewer requests: pull again later",
        500..=599 => "the server is failing: pull again later",
        300..=399 => "a redirect without a usable location: give the final URL as the source's url",
        _ => "check the source's url and headers",
    }
}

/// Fetches `request` into `dest` (created or truncated; after [`Fetched::NotModified`] or any
/// failure `dest` does not exist). `now` is the caller's clock (`fetched_at`).
pub fn fetch(
    request: &Request,
    limits: &Limits,
    now: DateTime<Utc>,
    dest: &Path,
    observer: &dyn FetchObserver,
) -> Result<Fetched, FetchError> {
    let env = |name: &str| std::env::var(name).ok();
    let result = transfer::fetch_with_env(request, limits, now, dest, observer, &env);
    let keep = matches!(result, Ok(Fetched::Body { .. }));
    if !keep {
        match std::fs::remove_file(dest) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                // The failure itself says more than the failure to clean up after it.
                if result.is_ok() {
                    return Err(FetchError::Io {
                        path: dest.to_path_buf(),
                        source,
                    });
                }
            }
        }
    }
    result
}
