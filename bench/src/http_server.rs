//! A small scripted HTTP/1.1 server on 127.0.0.1 for tests of `listdiff pull` and its
//! transfers: no test reaches beyond the loopback address.
//!
//! ```no_run
//! use listdiff_bench::http_server::{Reply, TestServer};
//!
//! let server = TestServer::start();
//! // Every request to /sdn.csv gets this, unless a queued reply comes first.
//! server.set_default("/sdn.csv", Reply::ok(b"a,b\n".to_vec()).header("ETag", "\"v1\""));
//! // The next two requests to /un.xml fail; the third and later get the default.
//! server.enqueue("/un.xml", Reply::status(500));
//! server.enqueue("/un.xml", Reply::status(500));
//! server.set_default("/un.xml", Reply::ok(b"<x/>".to_vec()).gzip());
//! let url = server.url("/sdn.csv"); // http://127.0.0.1:PORT/sdn.csv
//! // ... fetch ...
//! let seen = server.requests_to("/sdn.csv");
//! assert_eq!(seen[0].header("if-none-match"), None);
//! ```
//!
//! - Routing is by the request target exactly, path and query (`/a?x=1` is not `/a`). For
//!   each request the route's queue of one-shot replies is used first (in the order
//!   enqueued), then the route's default; a target with a query and no route of its own is
//!   then routed by its path alone (an API search whose query the test need not spell out);
//!   a route with neither answers `404 Not Found`.
//! - A [`Reply::conditional`] reply answers `304 Not Modified` to a request whose
//!   `If-None-Match` or `If-Modified-Since` matches its `ETag` or `Last-Modified`.
//! - Every reply says `Connection: close` and the connection is closed after it. A reply
//!   carries `Content-Length` (that of the body as sent, after gzip or deflate) unless
//!   [`Reply::without_length`] makes it close-delimited (a 204 or 304 carries none).
//! - Every request is recorded (method, target, headers), also those answered 404.
//! - Each connection is served on its own thread with 5 s read and write timeouts; delays are
//!   slept in slices that end early once the server is dropped. Dropping the server stops
//!   its accept thread and joins it.

use std::collections::{HashMap, VecDeque};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use flate2::Compression;
use flate2::write::{GzEncoder, ZlibEncoder};

/// The longest request head read (request line and headers).
const MAX_HEAD: usize = 64 * 1024;

/// A connection's read and write timeout.
const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// One scripted reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// Headers in order, sent as given (besides `Content-Length`, `Content-Encoding` and
    /// `Connection`, which the server writes itself).
    pub headers: Vec<(String, String)>,
    /// The body before any encoding.
    pub body: Vec<u8>,
    /// A pause after the head (status line and headers), before the body.
    pub delay_before_body: Option<Duration>,
    /// Send only this many bytes of the (encoded) body, still announcing its whole length,
    /// then close the connection.
    pub cut_after: Option<usize>,
    /// How the body is encoded on the wire.
    pub encoding: Encoding,
    /// Whether `Content-Length` is sent (else the body ends when the connection closes).
    pub send_length: bool,
    /// Answer `304 Not Modified` (with the reply's `ETag` and `Last-Modified`) when the
    /// request's `If-None-Match` equals the reply's `ETag`, or its `If-Modified-Since` equals
    /// the reply's `Last-Modified` text, as a real server would.
    pub conditional: bool,
}

/// The `Content-Encoding` of a reply's body.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// Sent as is.
    #[default]
    Identity,
    /// gzip (RFC 1952), `Content-Encoding: gzip`.
    Gzip,
    /// zlib-wrapped deflate (RFC 1950), `Content-Encoding: deflate`.
    Deflate,
}

impl Reply {
    /// `200 OK` with `body`.
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            body: body.into(),
            ..Reply::status(200)
        }
    }

    /// A reply with `status` and an empty body.
    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay_before_body: None,
            cut_after: None,
            encoding: Encoding::Identity,
            send_length: true,
            conditional: false,
        }
    }

    /// `304 Not Modified`.
    pub fn not_modified() -> Reply {
        Reply::status(304)
    }

    /// A redirect (`status` 301, 302, 303, 307 or 308) to `location`, sent as given
    /// (relative or absolute).
    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply::status(status).header("Location", location)
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Pauses `delay` after the head, before the body.
    pub fn delay_body(mut self, delay: Duration) -> Reply {
        self.delay_before_body = Some(delay);
        self
    }

    /// Announces the whole body's length but sends only its first `bytes` bytes (as encoded),
    /// then closes the connection.
    pub fn cut_after(mut self, bytes: usize) -> Reply {
        self.cut_after = Some(bytes);
        self
    }

    /// Sends the body gzip-encoded (`Content-Encoding: gzip`).
    pub fn gzip(mut self) -> Reply {
        self.encoding = Encoding::Gzip;
        self
    }

    /// Sends the body deflate-encoded (zlib, `Content-Encoding: deflate`).
    pub fn deflate(mut self) -> Reply {
        self.encoding = Encoding::Deflate;
        self
    }

    /// Sends no `Content-Length`: the body ends when the connection closes.
    pub fn without_length(mut self) -> Reply {
        self.send_length = false;
        self
    }

    /// Answers `304 Not Modified` when the request's validators match this reply's `ETag` or
    /// `Last-Modified` (see [`Reply::conditional`](Reply#structfield.conditional)).
    pub fn conditional(mut self) -> Reply {
        self.conditional = true;
        self
    }

    /// The first header named `name` (ignoring case).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// This reply as the request `request` gets it: a 304 when the reply is conditional and
    /// the request's validators match, else the reply itself.
    fn answering(self, request: &Recorded) -> Reply {
        let matches = |validator: &str, ours: &str| {
            request
                .header(validator)
                .zip(self.header_value(ours))
                .is_some_and(|(theirs, ours)| theirs == ours)
        };
        if self.conditional
            && (matches("if-none-match", "etag") || matches("if-modified-since", "last-modified"))
        {
            let mut not_modified = Reply::not_modified();
            for name in ["ETag", "Last-Modified"] {
                if let Some(value) = self.header_value(name) {
                    not_modified = not_modified.header(name, value);
                }
            }
            not_modified
        } else {
            self
        }
    }

    /// The body as sent on the wire (encoded).
    pub fn wire_body(&self) -> Vec<u8> {
        match self.encoding {
            Encoding::Identity => self.body.clone(),
            Encoding::Gzip => {
                let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
                encoder.write_all(&self.body).expect("writing to memory");
                encoder.finish().expect("writing to memory")
            }
            Encoding::Deflate => {
                let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
                encoder.write_all(&self.body).expect("writing to memory");
                encoder.finish().expect("writing to memory")
            }
        }
    }
}

/// A request the server received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// `GET`, `HEAD`, …
    pub method: String,
    /// The request target: path and query, as sent.
    pub target: String,
    /// The headers in order, names as sent.
    pub headers: Vec<(String, String)>,
}

impl Recorded {
    /// The first header named `name` (ignoring case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// What the server was told to answer, and what it received.
#[derive(Default)]
struct Script {
    queues: HashMap<String, VecDeque<Reply>>,
    defaults: HashMap<String, Reply>,
    requests: Vec<Recorded>,
}

/// A running server; it stops when dropped.
pub struct TestServer {
    address: SocketAddr,
    script: Arc<Mutex<Script>>,
    stopping: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Starts a server on 127.0.0.1 on a free port.
    ///
    /// # Panics
    /// When no loopback port can be bound (a test cannot run without one).
    pub fn start() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding a loopback port");
        let address = listener
            .local_addr()
            .expect("a bound listener has an address");
        let script = Arc::new(Mutex::new(Script::default()));
        let stopping = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let script = Arc::clone(&script);
            let stopping = Arc::clone(&stopping);
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let script = Arc::clone(&script);
                    let stopping = Arc::clone(&stopping);
                    thread::spawn(move || {
                        let _ = serve(stream, &script, &stopping);
                    });
                }
            })
        };
        TestServer {
            address,
            script,
            stopping,
            acceptor: Some(acceptor),
        }
    }

    /// The server's address (127.0.0.1 and its port).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http://127.0.0.1:PORT` followed by `target` (which starts with `/`).
    pub fn url(&self, target: &str) -> String {
        format!("http://{}{target}", self.address)
    }

    /// Queues a one-shot reply for `target` (path and query), after those already queued.
    pub fn enqueue(&self, target: &str, reply: Reply) {
        self.script()
            .queues
            .entry(target.to_string())
            .or_default()
            .push_back(reply);
    }

    /// Sets the reply for `target` once its queue is empty (replacing any before).
    pub fn set_default(&self, target: &str, reply: Reply) {
        self.script().defaults.insert(target.to_string(), reply);
    }

    /// Every request received so far, in order of arrival.
    pub fn requests(&self) -> Vec<Recorded> {
        self.script().requests.clone()
    }

    /// The requests received so far for `target` (path and query).
    pub fn requests_to(&self, target: &str) -> Vec<Recorded> {
        self.script()
            .requests
            .iter()
            .filter(|request| request.target == target)
            .cloned()
            .collect()
    }

    fn script(&self) -> MutexGuard<'_, Script> {
        // A panic while holding the lock (in a test's thread) leaves the script usable.
        self.script
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect_timeout(&self.address, Duration::from_secs(1));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// Serves one request on `stream`, then closes it.
fn serve(stream: TcpStream, script: &Mutex<Script>, stopping: &AtomicBool) -> io::Result<()> {
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let Some(request) = read_head(&mut reader)? else {
        return Ok(());
    };
    let reply = {
        let mut script = script
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let routed = |script: &Script, target: &str| {
            script.queues.get(target).is_some_and(|q| !q.is_empty())
                || script.defaults.contains_key(target)
        };
        let target = match request.target.split_once('?') {
            Some((path, _)) if !routed(&script, &request.target) => path.to_string(),
            _ => request.target.clone(),
        };
        let reply = match script.queues.get_mut(&target).and_then(VecDeque::pop_front) {
            Some(reply) => reply,
            None => script
                .defaults
                .get(&target)
                .cloned()
                .unwrap_or_else(|| Reply::status(404).header("Content-Type", "text/plain")),
        };
        let reply = reply.answering(&request);
        script.requests.push(request);
        reply
    };
    let mut stream = stream;
    let body = reply.wire_body();
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    match reply.encoding {
        Encoding::Identity => {}
        Encoding::Gzip => head.push_str("Content-Encoding: gzip\r\n"),
        Encoding::Deflate => head.push_str("Content-Encoding: deflate\r\n"),
    }
    // A 304 or 204 has no body, and no Content-Length (RFC 9110 §8.6).
    if reply.send_length && !matches!(reply.status, 204 | 304) {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("Connection: close\r\n\r\n");
    stream.write_all(head.as_bytes())?;
    stream.flush()?;
    if let Some(delay) = reply.delay_before_body {
        let until = Instant::now() + delay;
        while Instant::now() < until && !stopping.load(Ordering::SeqCst) {
            thread::sleep(Duration::from_millis(10).min(until - Instant::now()));
        }
    }
    let sent = reply
        .cut_after
        .map_or(body.len(), |cut| cut.min(body.len()));
    stream.write_all(&body[..sent])?;
    stream.flush()?;
    let _ = stream.shutdown(Shutdown::Write);
    // Let the client read to the end before the socket closes (a close with unread input
    // would reset the connection).
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let _ = io::copy(&mut reader.take(MAX_HEAD as u64), &mut io::sink());
    Ok(())
}

/// Reads a request head; `None` when the connection closed before a whole head.
fn read_head(reader: &mut impl BufRead) -> io::Result<Option<Recorded>> {
    let mut lines = Vec::new();
    let mut total = 0;
    loop {
        let mut line = String::new();
        let n = reader.read_line(&mut line)?;
        if n == 0 {
            return Ok(None);
        }
        total += n;
        if total > MAX_HEAD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "request head too long",
            ));
        }
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        if line.is_empty() {
            break;
        }
        lines.push(line);
    }
    let Some(request_line) = lines.first() else {
        return Ok(None);
    };
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let headers = lines[1..]
        .iter()
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
        .collect();
    Ok(Some(Recorded {
        method,
        target,
        headers,
    }))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(server: &TestServer, target: &str) -> String {
        let mut stream = TcpStream::connect(server.address()).expect("connect");
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: x\r\nX-Test: 1\r\n\r\n"
        )
        .expect("write");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read");
        answer
    }

    #[test]
    fn queued_replies_come_before_the_default_and_requests_are_recorded() {
        let server = TestServer::start();
        server.enqueue("/a?x=1", Reply::status(500));
        server.set_default("/a?x=1", Reply::ok("body").header("ETag", "\"1\""));
        assert!(get(&server, "/a?x=1").starts_with("HTTP/1.1 500 "));
        let second = get(&server, "/a?x=1");
        assert!(second.starts_with("HTTP/1.1 200 OK\r\n"), "{second}");
        assert!(second.contains("ETag: \"1\"\r\n"));
        assert!(second.contains("Content-Length: 4\r\n"));
        assert!(second.ends_with("\r\n\r\nbody"));
        assert!(get(&server, "/a").starts_with("HTTP/1.1 404 "));
        let seen = server.requests_to("/a?x=1");
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].method, "GET");
        assert_eq!(seen[0].header("x-test"), Some("1"));
        assert_eq!(server.requests().len(), 3);
    }

    #[test]
    fn a_conditional_reply_answers_304_to_matching_validators() {
        let server = TestServer::start();
        let reply = Reply::ok("v1")
            .header("ETag", "\"1\"")
            .header("Last-Modified", "Tue, 03 Dec 2024 10:00:00 GMT")
            .conditional();
        server.set_default("/c", reply);
        let ask = |validator: &str| {
            let mut stream = TcpStream::connect(server.address()).expect("connect");
            write!(stream, "GET /c HTTP/1.1\r\nHost: x\r\n{validator}\r\n").expect("write");
            let mut answer = String::new();
            stream.read_to_string(&mut answer).expect("read");
            answer
        };
        assert!(ask("").starts_with("HTTP/1.1 200 "));
        assert!(ask("If-None-Match: \"0\"\r\n").starts_with("HTTP/1.1 200 "));
        let not_modified = ask("If-None-Match: \"1\"\r\n");
        assert!(not_modified.starts_with("HTTP/1.1 304 "), "{not_modified}");
        assert!(not_modified.contains("ETag: \"1\"\r\n"));
        assert!(not_modified.ends_with("\r\n\r\n"));
        let by_date = ask("If-Modified-Since: Tue, 03 Dec 2024 10:00:00 GMT\r\n");
        assert!(by_date.starts_with("HTTP/1.1 304 "), "{by_date}");
    }

    #[test]
    fn a_cut_reply_announces_more_than_it_sends() {
        let server = TestServer::start();
        server.set_default("/cut", Reply::ok("0123456789").cut_after(4));
        let answer = get(&server, "/cut");
        assert!(answer.contains("Content-Length: 10\r\n"));
        assert!(answer.ends_with("\r\n\r\n0123"), "{answer}");
    }
}
