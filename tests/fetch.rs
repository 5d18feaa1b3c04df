//! The HTTP transfer layer of `listdiff pull` (`listdiff::fetch`), against the scripted test
//! server on 127.0.0.1 (`listdiff_bench::http_server`).
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use listdiff::fetch::{
    FetchError, FetchObserver, Fetched, Limits, Quiet, Request, Url, fetch, next_url,
};
use listdiff_bench::http_server::{Reply, TestServer};
use sha2::{Digest, Sha256};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 4, 5, 6, 7).unwrap()
}

/// Test limits: quick backoff and timeouts.
fn limits() -> Limits {
    Limits {
        first_backoff: Duration::from_millis(10),
        connect_timeout: Duration::from_secs(5),
        read_timeout: Duration::from_secs(5),
        ..Limits::default()
    }
}

fn get(url: &str) -> Request {
    Request {
        url: url.to_string(),
        ..Request::default()
    }
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A destination in a fresh directory (kept alive by the returned guard).
fn dest() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("body");
    (dir, path)
}

/// A destination that already holds stale bytes: a failed fetch must not leave them.
fn stale_dest() -> (tempfile::TempDir, PathBuf) {
    let (dir, path) = dest();
    std::fs::write(&path, b"stale bytes from before").unwrap();
    (dir, path)
}

fn body_of(fetched: &Fetched) -> (u64, String) {
    match fetched {
        Fetched::Body { bytes, sha256, .. } => (*bytes, sha256.clone()),
        other => panic!("expected a body, got {other:?}"),
    }
}

/// Records every observer call.
#[derive(Default)]
struct Recorder {
    calls: Mutex<Vec<String>>,
}

impl Recorder {
    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

impl FetchObserver for Recorder {
    fn started(&self, url: &str, total: Option<u64>) {
        self.calls
            .lock()
            .unwrap()
            .push(format!("started {url} {total:?}"));
    }
    fn advanced(&self, bytes_so_far: u64) {
        self.calls
            .lock()
            .unwrap()
            .push(format!("advanced {bytes_so_far}"));
    }
    fn retrying(&self, url: &str, attempt: u32, why: &str, wait: Duration) {
        self.calls
            .lock()
            .unwrap()
            .push(format!("retrying {url} {attempt} {wait:?} {why}"));
    }
    fn finished(&self, url: &str) {
        self.calls.lock().unwrap().push(format!("finished {url}"));
    }
}

#[test]
fn a_200_body_is_written_whole_with_its_sha256_and_facts() {
    let server = TestServer::start();
    let body = b"uid,name\n1,ACME\n".repeat(1000);
    server.set_default(
        "/list.csv?v=1",
        Reply::ok(body.clone())
            .header("ETag", "\"abc\"")
            .header("Last-Modified", "Tue, 03 Dec 2024 10:00:00 GMT")
            .header("Content-Type", "text/csv"),
    );
    let (_dir, path) = stale_dest();
    let mut request = get(&server.url("/list.csv?v=1"));
    request.headers = vec![("X-Api-Key".into(), "secret".into())];
    let recorder = Recorder::default();
    let fetched = fetch(&request, &limits(), now(), &path, &recorder).unwrap();

    assert_eq!(body_of(&fetched), (body.len() as u64, sha256(&body)));
    assert_eq!(std::fs::read(&path).unwrap(), body);
    let facts = fetched.facts();
    assert_eq!(facts.url, request.url);
    assert_eq!(facts.final_url, request.url);
    assert_eq!(facts.status, 200);
    assert_eq!(facts.etag.as_deref(), Some("\"abc\""));
    assert_eq!(
        facts.last_modified.as_deref(),
        Some("Tue, 03 Dec 2024 10:00:00 GMT")
    );
    assert_eq!(
        facts.last_modified_time,
        Some(Utc.with_ymd_and_hms(2024, 12, 3, 10, 0, 0).unwrap())
    );
    assert_eq!(facts.content_type.as_deref(), Some("text/csv"));
    assert_eq!(facts.fetched_at, now());
    assert_eq!(facts.attempts, 1);

    let seen = server.requests_to("/list.csv?v=1");
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    let agent = seen[0].header("user-agent").unwrap();
    assert!(
        agent.starts_with(&format!("listdiff/{}", env!("CARGO_PKG_VERSION"))),
        "{agent}"
    );
    assert_eq!(seen[0].header("accept-encoding"), Some("gzip, deflate"));
    assert_eq!(seen[0].header("x-api-key"), Some("secret"));
    assert_eq!(seen[0].header("if-none-match"), None);
    assert_eq!(seen[0].header("if-modified-since"), None);

    let calls = recorder.calls();
    assert_eq!(
        calls.first().unwrap(),
        &format!("started {} Some({})", request.url, body.len())
    );
    assert_eq!(calls[calls.len() - 2], format!("advanced {}", body.len()));
    assert_eq!(calls.last().unwrap(), &format!("finished {}", request.url));
}

#[test]
fn a_304_answers_the_validators_sent_and_leaves_no_destination() {
    let server = TestServer::start();
    server.set_default("/sdn.xml", Reply::not_modified().header("ETag", "\"v1\""));
    let (_dir, path) = stale_dest();
    let request = Request {
        etag: Some("\"v1\"".into()),
        last_modified: Some("Tue, 03 Dec 2024 10:00:00 GMT".into()),
        ..get(&server.url("/sdn.xml"))
    };
    let fetched = fetch(&request, &limits(), now(), &path, &Quiet).unwrap();
    let Fetched::NotModified(facts) = fetched else {
        panic!("expected NotModified, got {fetched:?}");
    };
    assert_eq!(facts.status, 304);
    assert_eq!(facts.etag.as_deref(), Some("\"v1\""));
    assert!(!path.exists());
    let seen = server.requests_to("/sdn.xml");
    assert_eq!(seen[0].header("if-none-match"), Some("\"v1\""));
    assert_eq!(
        seen[0].header("if-modified-since"),
        Some("Tue, 03 Dec 2024 10:00:00 GMT")
    );
}

#[test]
fn the_validators_of_one_fetch_make_the_next_a_304() {
    let server = TestServer::start();
    server.set_default(
        "/csl.csv",
        Reply::ok("a,b\n")
            .header("ETag", "W/\"7\"")
            .header("Last-Modified", "Mon, 02 Dec 2024 00:00:00 GMT")
            .conditional(),
    );
    let (_dir, path) = dest();
    let first = fetch(
        &get(&server.url("/csl.csv")),
        &limits(),
        now(),
        &path,
        &Quiet,
    )
    .unwrap();
    body_of(&first);
    let facts = first.facts();
    let again = Request {
        etag: facts.etag.clone(),
        last_modified: facts.last_modified.clone(),
        ..get(&server.url("/csl.csv"))
    };
    let second = fetch(&again, &limits(), now(), &path, &Quiet).unwrap();
    assert!(matches!(second, Fetched::NotModified(_)), "{second:?}");
    assert!(!path.exists());
    let seen = server.requests_to("/csl.csv");
    assert_eq!(seen[1].header("if-none-match"), Some("W/\"7\""));
}

#[test]
fn two_500s_then_a_200_is_a_body_after_three_attempts() {
    let server = TestServer::start();
    server.enqueue("/un.xml", Reply::status(500));
    server.enqueue("/un.xml", Reply::status(502));
    server.set_default("/un.xml", Reply::ok("<list/>"));
    let (_dir, path) = dest();
    let recorder = Recorder::default();
    let url = server.url("/un.xml");
    let fetched = fetch(&get(&url), &limits(), now(), &path, &recorder).unwrap();
    assert_eq!(body_of(&fetched).0, 7);
    assert_eq!(fetched.facts().attempts, 3);
    assert_eq!(server.requests_to("/un.xml").len(), 3);
    let retries: Vec<String> = recorder
        .calls()
        .into_iter()
        .filter(|call| call.starts_with("retrying"))
        .collect();
    assert_eq!(retries.len(), 2, "{retries:?}");
    assert!(
        retries[0].starts_with(&format!("retrying {url} 2 10ms ")),
        "{retries:?}"
    );
    assert!(retries[0].contains("HTTP 500"), "{retries:?}");
    assert!(
        retries[1].starts_with(&format!("retrying {url} 3 20ms ")),
        "{retries:?}"
    );
}

#[test]
fn a_server_that_always_fails_is_a_status_error_after_four_attempts() {
    let server = TestServer::start();
    server.set_default("/down", Reply::status(503));
    let (_dir, path) = stale_dest();
    let url = server.url("/down");
    let error = fetch(&get(&url), &limits(), now(), &path, &Quiet).unwrap_err();
    match &error {
        FetchError::Status {
            url: failed,
            status,
            attempts,
        } => {
            assert_eq!(
                (failed.as_str(), *status, *attempts),
                (url.as_str(), 503, 4)
            );
        }
        other => panic!("expected Status, got {other:?}"),
    }
    let message = error.to_string();
    assert!(message.contains(&url), "{message}");
    assert!(message.contains("503 Service Unavailable"), "{message}");
    assert!(message.contains("after 4 attempts"), "{message}");
    assert!(message.contains("pull again later"), "{message}");
    assert_eq!(server.requests_to("/down").len(), 4);
    assert!(!path.exists());
}

#[test]
fn a_4xx_is_not_retried() {
    let server = TestServer::start();
    let (_dir, path) = dest();
    let url = server.url("/missing");
    let error = fetch(&get(&url), &limits(), now(), &path, &Quiet).unwrap_err();
    assert!(
        matches!(
            error,
            FetchError::Status {
                status: 404,
                attempts: 1,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("check the source's url"),
        "{error}"
    );
    assert_eq!(server.requests_to("/missing").len(), 1);
}

#[test]
fn retry_after_seconds_are_honoured() {
    let server = TestServer::start();
    server.enqueue("/busy", Reply::status(503).header("Retry-After", "0"));
    server.set_default("/busy", Reply::ok("ok"));
    let (_dir, path) = dest();
    let recorder = Recorder::default();
    let fetched = fetch(
        &get(&server.url("/busy")),
        &limits(),
        now(),
        &path,
        &recorder,
    )
    .unwrap();
    assert_eq!(fetched.facts().attempts, 2);
    assert!(
        recorder.calls().iter().any(|call| call.contains(" 2 0ns ")),
        "{:?}",
        recorder.calls()
    );
}

#[test]
fn a_slow_body_times_out_and_is_retried() {
    let server = TestServer::start();
    server.set_default(
        "/slow",
        Reply::ok("late").delay_body(Duration::from_secs(2)),
    );
    let (_dir, path) = stale_dest();
    let limits = Limits {
        read_timeout: Duration::from_millis(200),
        retries: 1,
        ..limits()
    };
    let started = Instant::now();
    let error = fetch(&get(&server.url("/slow")), &limits, now(), &path, &Quiet).unwrap_err();
    assert!(
        matches!(error, FetchError::Timeout { attempts: 2, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("no data for 0.2 s"), "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests_to("/slow").len(), 2);
    assert!(!path.exists());
}

#[test]
fn a_body_shorter_than_its_content_length_is_truncated_and_removed() {
    let server = TestServer::start();
    server.set_default("/cut.csv", Reply::ok(vec![b'x'; 10_000]).cut_after(4_000));
    let (_dir, path) = stale_dest();
    let error = fetch(
        &get(&server.url("/cut.csv")),
        &limits(),
        now(),
        &path,
        &Quiet,
    )
    .unwrap_err();
    match &error {
        FetchError::Truncated {
            expected,
            got,
            attempts,
            ..
        } => assert_eq!((*expected, *got, *attempts), (10_000, 4_000, 4)),
        other => panic!("expected Truncated, got {other:?}"),
    }
    assert!(
        error.to_string().contains("4000 of the 10000 bytes"),
        "{error}"
    );
    assert!(!path.exists());
}

#[test]
fn a_gzip_cut_short_is_truncated_too() {
    let server = TestServer::start();
    let body: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
    let reply = Reply::ok(body).gzip();
    let wire = reply.wire_body().len();
    server.set_default("/cut.gz", reply.cut_after(wire / 2));
    let (_dir, path) = dest();
    let limits = Limits {
        retries: 0,
        ..limits()
    };
    let error = fetch(&get(&server.url("/cut.gz")), &limits, now(), &path, &Quiet).unwrap_err();
    assert!(
        matches!(error, FetchError::Truncated { expected, .. } if expected == wire as u64),
        "{error:?}"
    );
    assert!(!path.exists());
}

#[test]
fn gzip_and_deflate_bodies_are_decoded() {
    let server = TestServer::start();
    let body = b"<sdnList>entry</sdnList>\n".repeat(5_000);
    server.set_default("/g", Reply::ok(body.clone()).gzip());
    server.set_default("/d", Reply::ok(body.clone()).deflate());
    for target in ["/g", "/d"] {
        let (_dir, path) = dest();
        let recorder = Recorder::default();
        let fetched = fetch(
            &get(&server.url(target)),
            &limits(),
            now(),
            &path,
            &recorder,
        )
        .unwrap();
        assert_eq!(
            body_of(&fetched),
            (body.len() as u64, sha256(&body)),
            "{target}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), body, "{target}");
        // Progress counts the bytes received, comparable with the announced length.
        let calls = recorder.calls();
        let total = calls[0]
            .rsplit("Some(")
            .next()
            .unwrap()
            .trim_end_matches(')');
        assert_eq!(
            calls[calls.len() - 2],
            format!("advanced {total}"),
            "{target}"
        );
    }
}

#[test]
fn raw_deflate_is_decoded_as_well() {
    let server = TestServer::start();
    let body = b"raw deflate, as some servers send it".repeat(100);
    let mut encoder =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&body).unwrap();
    let raw = encoder.finish().unwrap();
    server.set_default("/raw", Reply::ok(raw).header("Content-Encoding", "deflate"));
    let (_dir, path) = dest();
    let fetched = fetch(&get(&server.url("/raw")), &limits(), now(), &path, &Quiet).unwrap();
    assert_eq!(body_of(&fetched), (body.len() as u64, sha256(&body)));
}

#[test]
fn a_gzip_bomb_is_too_large() {
    let server = TestServer::start();
    let reply = Reply::ok(vec![0u8; 8 << 20]).gzip();
    assert!(reply.wire_body().len() < 100_000);
    server.set_default("/bomb", reply);
    let (_dir, path) = stale_dest();
    let limits = Limits {
        max_bytes: 1 << 20,
        ..limits()
    };
    let error = fetch(&get(&server.url("/bomb")), &limits, now(), &path, &Quiet).unwrap_err();
    assert!(
        matches!(error, FetchError::TooLarge { limit, .. } if limit == 1 << 20),
        "{error:?}"
    );
    assert!(error.to_string().contains("--max-bytes"), "{error}");
    assert_eq!(server.requests_to("/bomb").len(), 1, "not retried");
    assert!(!path.exists());
}

#[test]
fn a_content_length_over_the_limit_is_refused_before_reading() {
    let server = TestServer::start();
    // The body would arrive only after 4 s: refusing on the header alone is quicker.
    server.set_default(
        "/big",
        Reply::ok(vec![b'x'; 2_000]).delay_body(Duration::from_secs(4)),
    );
    let (_dir, path) = dest();
    let limits = Limits {
        max_bytes: 1_000,
        ..limits()
    };
    let started = Instant::now();
    let error = fetch(&get(&server.url("/big")), &limits, now(), &path, &Quiet).unwrap_err();
    assert!(
        matches!(error, FetchError::TooLarge { limit: 1_000, .. }),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(!path.exists());
}

#[test]
fn a_body_without_length_is_cut_at_the_limit() {
    let server = TestServer::start();
    server.set_default("/long", Reply::ok(vec![b'x'; 1_001]).without_length());
    server.set_default("/fits", Reply::ok(vec![b'x'; 1_000]).without_length());
    let (_dir, path) = dest();
    let limits = Limits {
        max_bytes: 1_000,
        ..limits()
    };
    let error = fetch(&get(&server.url("/long")), &limits, now(), &path, &Quiet).unwrap_err();
    assert!(matches!(error, FetchError::TooLarge { .. }), "{error:?}");
    let fetched = fetch(&get(&server.url("/fits")), &limits, now(), &path, &Quiet).unwrap();
    assert_eq!(body_of(&fetched).0, 1_000);
}

#[test]
fn redirects_are_followed_relative_and_absolute() {
    let server = TestServer::start();
    server.set_default("/old/list.csv", Reply::redirect(302, "../new/list.csv?x=1"));
    server.set_default(
        "/new/list.csv?x=1",
        Reply::redirect(301, &server.url("/final.csv")),
    );
    server.set_default("/final.csv", Reply::ok("a,b\n").header("ETag", "\"final\""));
    let (_dir, path) = dest();
    let request = Request {
        headers: vec![("Authorization".into(), "Bearer t".into())],
        etag: Some("\"old\"".into()),
        ..get(&server.url("/old/list.csv"))
    };
    let fetched = fetch(&request, &limits(), now(), &path, &Quiet).unwrap();
    assert_eq!(body_of(&fetched).0, 4);
    let facts = fetched.facts();
    assert_eq!(facts.url, server.url("/old/list.csv"));
    assert_eq!(facts.final_url, server.url("/final.csv"));
    assert_eq!(facts.etag.as_deref(), Some("\"final\""));
    assert_eq!(facts.attempts, 1);
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        ["/old/list.csv", "/new/list.csv?x=1", "/final.csv"]
    );
    // The same host throughout: the headers and validators go with every request.
    for seen in server.requests() {
        assert_eq!(
            seen.header("authorization"),
            Some("Bearer t"),
            "{}",
            seen.target
        );
        assert_eq!(
            seen.header("if-none-match"),
            Some("\"old\""),
            "{}",
            seen.target
        );
    }
}

#[test]
fn a_redirect_to_another_host_drops_the_requests_own_headers() {
    let server = TestServer::start();
    // 127.0.0.1 and localhost are the same server but two hosts by name.
    let other_host = format!("http://localhost:{}/cdn/list.csv", server.address().port());
    server.set_default("/list.csv", Reply::redirect(307, &other_host));
    server.set_default("/cdn/list.csv", Reply::ok("body"));
    let (_dir, path) = dest();
    let request = Request {
        headers: vec![
            ("Authorization".into(), "Bearer t".into()),
            ("X-Api-Key".into(), "k".into()),
        ],
        etag: Some("\"cdn\"".into()),
        ..get(&server.url("/list.csv"))
    };
    let fetched = fetch(&request, &limits(), now(), &path, &Quiet).unwrap();
    assert_eq!(fetched.facts().final_url, other_host);
    let first = &server.requests_to("/list.csv")[0];
    assert_eq!(first.header("authorization"), Some("Bearer t"));
    let redirected = &server.requests_to("/cdn/list.csv")[0];
    assert_eq!(redirected.header("authorization"), None);
    assert_eq!(redirected.header("x-api-key"), None);
    assert_eq!(redirected.header("if-none-match"), Some("\"cdn\""));
}

#[test]
fn a_redirect_loop_is_too_many_redirects() {
    let server = TestServer::start();
    server.set_default("/loop", Reply::redirect(302, "/loop"));
    let (_dir, path) = dest();
    let url = server.url("/loop");
    let error = fetch(&get(&url), &limits(), now(), &path, &Quiet).unwrap_err();
    match &error {
        FetchError::TooManyRedirects { url: asked, limit } => {
            assert_eq!((asked.as_str(), *limit), (url.as_str(), 5));
        }
        other => panic!("expected TooManyRedirects, got {other:?}"),
    }
    assert_eq!(
        server.requests_to("/loop").len(),
        6,
        "the first and 5 redirects"
    );
}

#[test]
fn a_redirect_without_location_is_a_protocol_error() {
    let server = TestServer::start();
    server.set_default("/nowhere", Reply::status(302));
    let (_dir, path) = dest();
    let error = fetch(
        &get(&server.url("/nowhere")),
        &limits(),
        now(),
        &path,
        &Quiet,
    )
    .unwrap_err();
    assert!(matches!(error, FetchError::Protocol { .. }), "{error:?}");
    assert!(error.to_string().contains("without a Location"), "{error}");
}

#[test]
fn a_redirect_from_https_to_http_is_refused() {
    let from = Url::parse("https://sanctionslist.example/sdn.xml").unwrap();
    let error = next_url(&from, "http://mirror.example/sdn.xml").unwrap_err();
    assert!(
        matches!(&error, FetchError::InsecureRedirect { from, to }
            if from == "https://sanctionslist.example/sdn.xml" && to == "http://mirror.example/sdn.xml"),
        "{error:?}"
    );
    assert!(error.to_string().contains("refused"), "{error}");
    assert_eq!(
        next_url(&from, "/v2/sdn.xml").unwrap().to_string(),
        "https://sanctionslist.example/v2/sdn.xml"
    );
}

#[test]
fn an_unknown_content_encoding_is_refused() {
    let server = TestServer::start();
    server.set_default("/br", Reply::ok("xx").header("Content-Encoding", "br"));
    let (_dir, path) = dest();
    let error = fetch(&get(&server.url("/br")), &limits(), now(), &path, &Quiet).unwrap_err();
    assert!(
        matches!(&error, FetchError::BadEncoding { encoding, .. } if encoding == "br"),
        "{error:?}"
    );
    assert!(!path.exists());
}

#[test]
fn a_corrupt_gzip_body_is_a_bad_encoding() {
    let server = TestServer::start();
    server.set_default(
        "/corrupt",
        Reply::ok(b"\x1f\x8b\x08\x00not gzip at all".to_vec()).header("Content-Encoding", "gzip"),
    );
    let (_dir, path) = dest();
    let error = fetch(
        &get(&server.url("/corrupt")),
        &limits(),
        now(),
        &path,
        &Quiet,
    )
    .unwrap_err();
    assert!(matches!(error, FetchError::BadEncoding { .. }), "{error:?}");
}

#[test]
fn a_refused_connection_is_a_connect_error_after_the_retries() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let (_dir, path) = dest();
    let url = format!("http://127.0.0.1:{port}/x");
    let limits = Limits {
        retries: 1,
        ..limits()
    };
    let error = fetch(&get(&url), &limits, now(), &path, &Quiet).unwrap_err();
    assert!(
        matches!(error, FetchError::Connect { attempts: 2, .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains(&url) && message.contains("HTTPS_PROXY"),
        "{message}"
    );
}

#[test]
fn bad_urls_and_headers_are_refused_before_any_request() {
    let server = TestServer::start();
    let (_dir, path) = dest();
    for url in [
        "ftp://example.com/x",
        "example.com/x",
        "https://user:pw@example.com/",
    ] {
        let error = fetch(&get(url), &limits(), now(), &path, &Quiet).unwrap_err();
        assert!(
            matches!(error, FetchError::BadUrl { .. }),
            "{url}: {error:?}"
        );
    }
    let request = Request {
        headers: vec![("X-Bad".into(), "a\r\nInjected: 1".into())],
        ..get(&server.url("/x"))
    };
    let error = fetch(&request, &limits(), now(), &path, &Quiet).unwrap_err();
    assert!(matches!(error, FetchError::BadHeader { .. }), "{error:?}");
    for (name, value) in [("Bad Name", "v"), ("X-Name", "café"), ("", "v")] {
        let request = Request {
            headers: vec![(name.into(), value.into())],
            ..get(&server.url("/x"))
        };
        let error = fetch(&request, &limits(), now(), &path, &Quiet).unwrap_err();
        assert!(
            matches!(error, FetchError::BadHeader { .. }),
            "{name:?}: {error:?}"
        );
        assert!(error.to_string().contains("[headers]"), "{error}");
    }
    assert!(server.requests().is_empty());
}

#[test]
fn the_destination_directory_must_exist() {
    let server = TestServer::start();
    server.set_default("/x", Reply::ok("x"));
    let path = Path::new("/nonexistent-listdiff-dir/body");
    let error = fetch(&get(&server.url("/x")), &limits(), now(), path, &Quiet).unwrap_err();
    assert!(matches!(error, FetchError::Io { .. }), "{error:?}");
    assert!(
        error.to_string().contains("/nonexistent-listdiff-dir/body"),
        "{error}"
    );
}
