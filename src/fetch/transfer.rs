//! One fetch: attempts with retries, each a chain of redirects ending in a 200 body, a 304 or
//! a failure; the body streamed through its decoder into the destination, counted, limited
//! and hashed.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::proxy::proxy_for;
use super::url::{Url, next_url};
use super::{FetchError, FetchObserver, Fetched, Limits, Request, ResponseFacts, http_date};

/// The User-Agent sent: the program and version, and the project's address when Cargo.toml
/// names its repository.
fn user_agent() -> String {
    let version = env!("CARGO_PKG_VERSION");
    match env!("CARGO_PKG_REPOSITORY") {
        "" => format!("listdiff/{version}"),
        repository => format!("listdiff/{version} (+{repository})"),
    }
}

/// The longest `Retry-After` honoured.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The size of the buffers the body streams through.
const CHUNK: usize = 64 * 1024;

/// An attempt's failure, and the wait the server asked for before the next.
struct Failure {
    error: FetchError,
    retry_after: Option<Duration>,
}

impl From<FetchError> for Failure {
    fn from(error: FetchError) -> Failure {
        Failure {
            error,
            retry_after: None,
        }
    }
}

/// What a successful attempt got.
enum Got {
    NotModified,
    Body { bytes: u64, sha256: String },
}

/// [`super::fetch`] with the environment read through `env` (tests give their own); leaves
/// the destination's removal after a failure to the caller.
pub(super) fn fetch_with_env(
    request: &Request,
    limits: &Limits,
    now: DateTime<Utc>,
    dest: &Path,
    observer: &dyn FetchObserver,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Fetched, FetchError> {
    let start = Url::parse(&request.url)?;
    let mut backoff = limits.first_backoff;
    let mut attempt: u32 = 1;
    loop {
        match attempt_once(request, &start, limits, dest, observer, env) {
            Ok((got, mut facts)) => {
                facts.fetched_at = now;
                facts.attempts = attempt;
                return Ok(match got {
                    Got::NotModified => Fetched::NotModified(facts),
                    Got::Body { bytes, sha256 } => Fetched::Body {
                        facts,
                        bytes,
                        sha256,
                    },
                });
            }
            Err(failure) => {
                let error = with_attempts(failure.error, attempt);
                if attempt > limits.retries || !retriable(&error) {
                    return Err(error);
                }
                let wait = failure
                    .retry_after
                    .map_or(backoff, |asked| asked.min(MAX_RETRY_AFTER));
                attempt += 1;
                observer.retrying(&request.url, attempt, &why(&error), wait);
                std::thread::sleep(wait);
                backoff = backoff.saturating_mul(2);
            }
        }
    }
}

/// What failed, in a few words, for a "retrying" line.
fn why(error: &FetchError) -> String {
    match error {
        FetchError::Status { status, .. } => {
            format!("HTTP {status}{}", super::status_text(*status))
        }
        FetchError::Timeout { detail, .. } => format!("timed out: {detail}"),
        FetchError::Connect { detail, .. } => detail.clone(),
        FetchError::Truncated { expected, got, .. } => {
            format!("the body ended after {got} of the {expected} bytes announced")
        }
        other => other.to_string(),
    }
}

/// Whether another attempt may succeed where this one failed.
fn retriable(error: &FetchError) -> bool {
    match error {
        FetchError::Connect { .. } | FetchError::Timeout { .. } | FetchError::Truncated { .. } => {
            true
        }
        FetchError::Status { status, .. } => (500..=599).contains(status),
        _ => false,
    }
}

fn with_attempts(error: FetchError, count: u32) -> FetchError {
    match error {
        FetchError::Connect { url, detail, .. } => FetchError::Connect {
            url,
            detail,
            attempts: count,
        },
        FetchError::Timeout { url, detail, .. } => FetchError::Timeout {
            url,
            detail,
            attempts: count,
        },
        FetchError::Status { url, status, .. } => FetchError::Status {
            url,
            status,
            attempts: count,
        },
        FetchError::Truncated {
            url, expected, got, ..
        } => FetchError::Truncated {
            url,
            expected,
            got,
            attempts: count,
        },
        other => other,
    }
}

/// One attempt: the chain of redirects from `start`.
fn attempt_once(
    request: &Request,
    start: &Url,
    limits: &Limits,
    dest: &Path,
    observer: &dyn FetchObserver,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Got, ResponseFacts), Failure> {
    let mut current = start.clone();
    let mut redirects: u32 = 0;
    loop {
        let agent = agent_for(&current, limits, env)?;
        let mut call = agent.get(current.to_string());
        if current.same_host(start) {
            for (name, value) in &request.headers {
                check_header(request, name, value)?;
                call = call.header(name.as_str(), value.as_str());
            }
        }
        if let Some(etag) = &request.etag {
            check_header(request, "If-None-Match", etag)?;
            call = call.header("If-None-Match", etag.as_str());
        }
        if let Some(last_modified) = &request.last_modified {
            check_header(request, "If-Modified-Since", last_modified)?;
            call = call.header("If-Modified-Since", last_modified.as_str());
        }
        let response = call
            .call()
            .map_err(|error| classify(error, &current, limits, None))?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        };
        if matches!(status, 301 | 302 | 303 | 307 | 308) {
            let Some(location) = header("location") else {
                return Err(FetchError::Protocol {
                    url: current.to_string(),
                    detail: format!("a redirect (HTTP {status}) without a Location header"),
                }
                .into());
            };
            if redirects >= limits.max_redirects {
                return Err(FetchError::TooManyRedirects {
                    url: request.url.clone(),
                    limit: limits.max_redirects,
                }
                .into());
            }
            redirects += 1;
            current = next_url(&current, &location)?;
            continue;
        }
        let last_modified = header("last-modified");
        let mut facts = ResponseFacts {
            url: request.url.clone(),
            final_url: current.to_string(),
            status,
            etag: header("etag"),
            last_modified_time: last_modified.as_deref().and_then(http_date),
            last_modified,
            content_type: header("content-type"),
            fetched_at: DateTime::<Utc>::MIN_UTC,
            attempts: 0,
        };
        return match status {
            304 => Ok((Got::NotModified, facts)),
            200 => {
                let encoding = header("content-encoding");
                // A Transfer-Encoding overrides any Content-Length (RFC 9112 §6.3).
                let length = match header("transfer-encoding") {
                    Some(_) => None,
                    None => header("content-length").and_then(|text| text.trim().parse().ok()),
                };
                let got = read_body(
                    request,
                    &current,
                    response.into_body().into_reader(),
                    encoding.as_deref(),
                    length,
                    limits,
                    dest,
                    observer,
                )?;
                facts.status = 200;
                Ok((got, facts))
            }
            _ => Err(Failure {
                retry_after: header("retry-after")
                    .and_then(|text| text.trim().parse::<u64>().ok())
                    .map(Duration::from_secs),
                error: FetchError::Status {
                    url: current.to_string(),
                    status,
                    attempts: 0,
                },
            }),
        };
    }
}

/// Refuses a header name or value that cannot go on the wire (ureq would fail the request
/// with a less telling error).
fn check_header(request: &Request, name: &str, value: &str) -> Result<(), FetchError> {
    let bad = |reason: &str| FetchError::BadHeader {
        url: request.url.clone(),
        name: name.to_string(),
        reason: reason.to_string(),
    };
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    {
        return Err(bad("not a valid header name"));
    }
    if value.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        return Err(bad("its value has a line break or control character"));
    }
    if !value.is_ascii() {
        return Err(bad(
            "its value has characters outside ASCII, which HTTP headers cannot carry reliably",
        ));
    }
    Ok(())
}

/// The agent for one request to `url`: our timeouts, no redirects or status errors of its
/// own, and the proxy the environment names for `url`.
fn agent_for(
    url: &Url,
    limits: &Limits,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ureq::Agent, FetchError> {
    let proxy = match proxy_for(url, env) {
        None => None,
        Some(choice) => {
            Some(
                ureq::Proxy::new(&choice.proxy).map_err(|error| FetchError::BadProxy {
                    variable: choice.variable.to_string(),
                    detail: error.to_string(),
                })?,
            )
        }
    };
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(user_agent())
        .accept_encoding("gzip, deflate")
        .proxy(proxy)
        .timeout_resolve(Some(limits.connect_timeout))
        .timeout_connect(Some(limits.connect_timeout))
        .timeout_per_read(Some(limits.read_timeout))
        .timeout_per_write(Some(limits.read_timeout))
        .build();
    Ok(config.into())
}

/// A ureq error as a fetch error of `url`. `body_length` is the announced length when the
/// error came while reading a body (`Some(received, announced)`): a connection that ends
/// then is a truncated body.
fn classify(
    error: ureq::Error,
    url: &Url,
    limits: &Limits,
    body_length: Option<(u64, u64)>,
) -> Failure {
    let url = url.to_string();
    let seconds = |d: Duration| format!("{:.1} s", d.as_secs_f64());
    let error = match error {
        ureq::Error::Timeout(which) => {
            use ureq::Timeout;
            let detail = match which {
                Timeout::Resolve | Timeout::Connect => {
                    format!("no connection within {}", seconds(limits.connect_timeout))
                }
                Timeout::PerRead | Timeout::RecvResponse | Timeout::RecvBody => {
                    format!("no data for {}", seconds(limits.read_timeout))
                }
                other => format!("{other}"),
            };
            FetchError::Timeout {
                url,
                attempts: 0,
                detail,
            }
        }
        ureq::Error::Io(io)
            if io.kind() == io::ErrorKind::TimedOut || io.kind() == io::ErrorKind::WouldBlock =>
        {
            FetchError::Timeout {
                url,
                attempts: 0,
                detail: format!("no data for {}", seconds(limits.read_timeout)),
            }
        }
        ureq::Error::Io(io) => match body_length {
            Some((got, expected)) => FetchError::Truncated {
                url,
                expected,
                got,
                attempts: 0,
            },
            None => FetchError::Connect {
                url,
                attempts: 0,
                detail: io.to_string(),
            },
        },
        ureq::Error::HostNotFound => FetchError::Connect {
            url,
            attempts: 0,
            detail: "the host name was not found".to_string(),
        },
        ureq::Error::ConnectionFailed => FetchError::Connect {
            url,
            attempts: 0,
            detail: "the connection failed".to_string(),
        },
        ureq::Error::ConnectProxyFailed(detail) => FetchError::Connect {
            url,
            attempts: 0,
            detail: format!("the proxy refused the connection: {detail}"),
        },
        ureq::Error::InvalidProxyUrl => FetchError::BadProxy {
            variable: "the proxy variable".to_string(),
            detail: "not a valid proxy URL".to_string(),
        },
        ureq::Error::Tls(_)
        | ureq::Error::Rustls(_)
        | ureq::Error::Pem(_)
        | ureq::Error::TlsRequired => FetchError::Tls {
            url,
            detail: error.to_string(),
        },
        ureq::Error::BadUri(reason) => FetchError::BadUrl { url, reason },
        ureq::Error::Http(detail) => FetchError::BadUrl {
            url,
            reason: detail.to_string(),
        },
        other => FetchError::Protocol {
            url,
            detail: other.to_string(),
        },
    };
    error.into()
}

/// Counts (and reports) the bytes received, refuses more than the limit, and keeps the first
/// error of the connection (so that an error the decoder passes on is told from its own).
struct Received<'a, R> {
    inner: R,
    count: u64,
    limit: u64,
    observer: &'a dyn FetchObserver,
    error: Option<ReceiveError>,
}

enum ReceiveError {
    TooLarge,
    Transport(io::Error),
}

impl<R: Read> Read for Received<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Read at most one byte past the limit: that byte is the proof of too much.
        let room = self.limit.saturating_add(1).saturating_sub(self.count);
        let want = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        if want == 0 {
            self.error = Some(ReceiveError::TooLarge);
            return Err(io::Error::other("over the size limit"));
        }
        match self.inner.read(&mut buf[..want]) {
            Ok(n) => {
                self.count += n as u64;
                if self.count > self.limit {
                    self.error = Some(ReceiveError::TooLarge);
                    return Err(io::Error::other("over the size limit"));
                }
                if n > 0 {
                    self.observer.advanced(self.count);
                }
                Ok(n)
            }
            Err(error) => {
                let kept = io::Error::new(error.kind(), error.to_string());
                self.error = Some(ReceiveError::Transport(error));
                Err(kept)
            }
        }
    }
}

/// Reads a 200 body through its decoder into `dest`.
#[allow(clippy::too_many_arguments)] // One call site; a struct would only rename them.
fn read_body(
    request: &Request,
    url: &Url,
    reader: impl Read,
    encoding: Option<&str>,
    length: Option<u64>,
    limits: &Limits,
    dest: &Path,
    observer: &dyn FetchObserver,
) -> Result<Got, Failure> {
    let too_large = || FetchError::TooLarge {
        url: request.url.clone(),
        limit: limits.max_bytes,
    };
    if length.is_some_and(|announced| announced > limits.max_bytes) {
        return Err(too_large().into());
    }
    let encoding_name = encoding
        .map(|e| e.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let decoder_kind = match encoding_name.as_str() {
        "" | "identity" => Decoding::Identity,
        "gzip" | "x-gzip" => Decoding::Gzip,
        "deflate" => Decoding::Deflate,
        _ => {
            return Err(FetchError::BadEncoding {
                url: url.to_string(),
                encoding: encoding_name,
                detail: "listdiff decodes gzip and deflate only".to_string(),
            }
            .into());
        }
    };
    let io_error = |source| FetchError::Io {
        path: dest.to_path_buf(),
        source,
    };
    let file = File::create(dest).map_err(io_error)?;
    observer.started(&request.url, length);
    let mut received = Received {
        inner: reader,
        count: 0,
        limit: limits.max_bytes,
        observer,
        error: None,
    };
    let outcome = copy_decoded(&mut received, decoder_kind, file, limits.max_bytes);
    observer.finished(&request.url);
    let received_error = received.error.take();
    let announced = |count| length.map(|expected| (count, expected));
    match outcome {
        Ok(Copied::Whole { bytes, sha256 }) => {
            if let Some(expected) = length
                && received.count < expected
            {
                return Err(FetchError::Truncated {
                    url: url.to_string(),
                    expected,
                    got: received.count,
                    attempts: 0,
                }
                .into());
            }
            Ok(Got::Body { bytes, sha256 })
        }
        Ok(Copied::TooLarge) => Err(too_large().into()),
        Err(CopyError::Write(source)) => Err(io_error(source).into()),
        Err(CopyError::Read(decoder_error)) => Err(match received_error {
            Some(ReceiveError::TooLarge) => too_large().into(),
            Some(ReceiveError::Transport(error)) => classify(
                ureq::Error::from(error),
                url,
                limits,
                announced(received.count),
            ),
            None => FetchError::BadEncoding {
                url: url.to_string(),
                encoding: encoding_name,
                detail: decoder_error.to_string(),
            }
            .into(),
        }),
    }
}

/// How the body is encoded.
#[derive(Clone, Copy)]
enum Decoding {
    Identity,
    Gzip,
    /// zlib (RFC 1950), or the raw deflate (RFC 1951) some servers send instead.
    Deflate,
}

enum Copied {
    Whole { bytes: u64, sha256: String },
    TooLarge,
}

enum CopyError {
    Read(io::Error),
    Write(io::Error),
}

/// Decodes `received` into `file` (at most `limit` decoded bytes), hashing what it writes,
/// then reads the rest of what was received (bytes after a deflate stream's end) so that the
/// count of bytes received is whole.
fn copy_decoded<R: Read>(
    received: &mut R,
    decoding: Decoding,
    file: File,
    limit: u64,
) -> Result<Copied, CopyError> {
    let mut buffered = BufReader::with_capacity(CHUNK, received);
    let mut decoder: Box<dyn Read + '_> = match decoding {
        Decoding::Identity => Box::new(&mut buffered),
        Decoding::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(&mut buffered)),
        Decoding::Deflate => {
            let head = buffered.fill_buf().map_err(CopyError::Read)?;
            if is_zlib_header(head) {
                Box::new(flate2::bufread::ZlibDecoder::new(&mut buffered))
            } else {
                Box::new(flate2::bufread::DeflateDecoder::new(&mut buffered))
            }
        }
    };
    let mut writer = BufWriter::with_capacity(CHUNK, file);
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; CHUNK];
    let mut bytes: u64 = 0;
    loop {
        let n = match decoder.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(CopyError::Read(error)),
        };
        bytes += n as u64;
        if bytes > limit {
            return Ok(Copied::TooLarge);
        }
        hasher.update(&buffer[..n]);
        writer.write_all(&buffer[..n]).map_err(CopyError::Write)?;
    }
    drop(decoder);
    io::copy(&mut buffered, &mut io::sink()).map_err(CopyError::Read)?;
    writer.flush().map_err(CopyError::Write)?;
    Ok(Copied::Whole {
        bytes,
        sha256: hex_lower(&hasher.finalize()),
    })
}

/// Whether `head` starts with a zlib header (RFC 1950 §2.2: method 8, check bits).
fn is_zlib_header(head: &[u8]) -> bool {
    match head {
        [cmf, flg, ..] => cmf & 0x0f == 8 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0,
        _ => false,
    }
}

fn hex_lower(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zlib_headers_are_told_from_raw_deflate() {
        assert!(is_zlib_header(&[0x78, 0x9c, 0]));
        assert!(is_zlib_header(&[0x78, 0x01]));
        assert!(is_zlib_header(&[0x78, 0xda]));
        assert!(!is_zlib_header(&[0x78, 0x9d]));
        assert!(!is_zlib_header(&[0xcb, 0x48]));
        assert!(!is_zlib_header(&[0x78]));
    }

    #[test]
    fn only_5xx_connection_failures_timeouts_and_cut_bodies_are_retried() {
        let status = |status| FetchError::Status {
            url: String::new(),
            status,
            attempts: 1,
        };
        assert!(retriable(&status(500)));
        assert!(retriable(&status(503)));
        assert!(!retriable(&status(404)));
        assert!(!retriable(&status(429)));
        assert!(!retriable(&FetchError::TooLarge {
            url: String::new(),
            limit: 1
        }));
        assert!(retriable(&FetchError::Truncated {
            url: String::new(),
            expected: 2,
            got: 1,
            attempts: 1
        }));
    }

    #[test]
    fn the_proxy_the_environment_names_is_used() {
        use listdiff_bench::http_server::{Reply, TestServer};
        let proxy = TestServer::start();
        proxy.set_default("list.example:80", Reply::status(403));
        let proxy_url = proxy.url("");
        let env = |name: &str| (name == "http_proxy").then(|| proxy_url.clone());
        let dir = tempfile::tempdir().expect("a temporary directory");
        let request = Request {
            url: "http://list.example/sdn.csv".to_string(),
            ..Request::default()
        };
        let limits = Limits {
            retries: 0,
            ..Limits::default()
        };
        let now = DateTime::<Utc>::MIN_UTC;
        let dest = dir.path().join("body");
        let result = fetch_with_env(&request, &limits, now, &dest, &super::super::Quiet, &env);
        assert!(
            matches!(&result, Err(FetchError::Connect { detail, .. }) if detail.contains("proxy")),
            "{result:?}"
        );
        let seen = proxy.requests();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(
            (seen[0].method.as_str(), seen[0].target.as_str()),
            ("CONNECT", "list.example:80")
        );
    }

    #[test]
    fn the_user_agent_names_the_version() {
        assert!(user_agent().starts_with(&format!("listdiff/{}", env!("CARGO_PKG_VERSION"))));
    }
}
