//! The URLs a fetch asks for and is redirected to: parsing (http and https only), resolving a
//! redirect's `Location` against the URL that answered (RFC 3986 §5.2), the redirect rule
//! (never from https to http), and the file names derived from a URL.

use std::fmt;

use super::FetchError;

/// The scheme of a URL a fetch may ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// Plain HTTP (tests, private mirrors).
    Http,
    /// HTTP over TLS.
    Https,
}

impl Scheme {
    /// `http` or `https`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

/// An absolute http or https URL, without user information or fragment, its path and query
/// percent-encoded where the text had characters a request line cannot carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    scheme: Scheme,
    /// Lower-cased; an IPv6 address keeps its brackets.
    host: String,
    port: Option<u16>,
    /// Starts with `/`.
    path: String,
    /// Without its `?`.
    query: Option<String>,
}

impl Url {
    /// Parses an absolute http or https URL.
    pub fn parse(text: &str) -> Result<Url, FetchError> {
        let bad = |reason: &str| FetchError::BadUrl {
            url: text.to_string(),
            reason: reason.to_string(),
        };
        let trimmed = text.trim();
        let Some((scheme, rest)) = trimmed.split_once("://") else {
            return Err(bad("it is not an absolute URL (http:// or https://)"));
        };
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "http" => Scheme::Http,
            "https" => Scheme::Https,
            _ => return Err(bad("only http:// and https:// URLs can be fetched")),
        };
        let rest = rest.split('#').next().unwrap_or_default();
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path_and_query) = rest.split_at(authority_end);
        if authority.contains('@') {
            return Err(bad(
                "it carries user credentials: give them as a request header (a source's \
                 [headers]) instead",
            ));
        }
        let (host, port) =
            split_host_port(authority).ok_or_else(|| bad("its host or port is not valid"))?;
        let (path, query) = match path_and_query.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path_and_query, None),
        };
        let path = if path.is_empty() { "/" } else { path };
        Ok(Url {
            scheme,
            host,
            port,
            path: encode_request_text(&remove_dot_segments(path)),
            query: query.map(encode_request_text),
        })
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host, lower-cased (an IPv6 address in brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port the URL names, or its scheme's default.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(self.scheme.default_port())
    }

    /// The path, starting with `/`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Whether `other` names the same host (by name; scheme and port aside).
    pub fn same_host(&self, other: &Url) -> bool {
        self.host == other.host
    }

    /// Resolves a reference (a redirect's `Location`) against this URL, RFC 3986 §5.2.
    fn resolve(&self, reference: &str) -> Result<Url, FetchError> {
        let reference = reference.trim();
        let reference = reference.split('#').next().unwrap_or_default();
        if has_scheme(reference) {
            return Url::parse(reference);
        }
        if let Some(rest) = reference.strip_prefix("//") {
            return Url::parse(&format!("{}://{rest}", self.scheme.as_str()));
        }
        let (path, query) = match reference.split_once('?') {
            Some((path, query)) => (path, Some(query.to_string())),
            None => (reference, None),
        };
        let (path, query) = if path.is_empty() {
            (self.path.clone(), query.or_else(|| self.query.clone()))
        } else if path.starts_with('/') {
            (remove_dot_segments(path), query)
        } else {
            let directory = &self.path[..self.path.rfind('/').map_or(0, |i| i + 1)];
            (remove_dot_segments(&format!("{directory}{path}")), query)
        };
        Ok(Url {
            path: encode_request_text(&path),
            query: query.as_deref().map(encode_request_text),
            ..self.clone()
        })
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme.as_str(), self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        f.write_str(&self.path)?;
        if let Some(query) = &self.query {
            write!(f, "?{query}")?;
        }
        Ok(())
    }
}

/// Where a redirect from `current` with the `Location` header `location` leads: the location
/// resolved against `current` (relative locations included). A redirect from https to http is
/// refused ([`FetchError::InsecureRedirect`]): what was asked for over TLS is never fetched
/// in the clear.
pub fn next_url(current: &Url, location: &str) -> Result<Url, FetchError> {
    let next = current.resolve(location)?;
    if current.scheme == Scheme::Https && next.scheme == Scheme::Http {
        return Err(FetchError::InsecureRedirect {
            from: current.to_string(),
            to: next.to_string(),
        });
    }
    Ok(next)
}

/// The file name a URL names: its last path segment, percent-decoded, query and fragment
/// stripped; `index` when that is empty. Characters no file name can hold (`/`, `\`, control
/// characters) become `_`, and `.` or `..` become `index`, so the result is always one plain
/// file name.
pub fn url_file_name(url: &str) -> String {
    let path = path_of(url);
    let segment = path.rsplit('/').next().unwrap_or_default();
    let decoded = percent_decode(segment);
    let name: String = decoded
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    if name.is_empty() || name == "." || name == ".." {
        "index".to_string()
    } else {
        name
    }
}

/// The URL of the file `name` in the same directory as `url` (its query and fragment dropped):
/// OFAC's companion files sit beside the list. `name` is percent-encoded where it has
/// characters a URL path cannot carry.
pub fn sibling_url(url: &str, name: &str) -> String {
    let path_start = path_start(url);
    let end = url[path_start..]
        .find(['?', '#'])
        .map_or(url.len(), |i| path_start + i);
    let without_query = &url[..end];
    let directory = match without_query[path_start..].rfind('/') {
        Some(i) => &without_query[..=path_start + i],
        None => &format!("{without_query}/"),
    };
    let encoded: String = name
        .chars()
        .map(|c| match c {
            '/' | '?' | '#' | '%' => percent_encode_char(c),
            _ => c.to_string(),
        })
        .collect();
    encode_request_text(&format!("{directory}{encoded}"))
}

/// The byte offset where `url`'s path starts (after `scheme://authority`), or 0 when it has no
/// scheme.
fn path_start(url: &str) -> usize {
    match url.find("://") {
        Some(i) => {
            let authority_start = i + 3;
            url[authority_start..]
                .find(['/', '?', '#'])
                .map_or(url.len(), |j| authority_start + j)
        }
        None => 0,
    }
}

/// The path of `url`, without query and fragment.
fn path_of(url: &str) -> &str {
    let rest = &url[path_start(url)..];
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    &rest[..end]
}

fn has_scheme(reference: &str) -> bool {
    match reference.find(':') {
        Some(colon) => {
            let scheme = &reference[..colon];
            !scheme.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// Splits `host[:port]` (or `[v6]:port`), lower-casing the host; `None` when the host is empty
/// or has characters no host name has, or the port is not a number.
fn split_host_port(authority: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if authority.starts_with('[') {
        let close = authority.find(']')?;
        let (host, rest) = authority.split_at(close + 1);
        match rest {
            "" => (host, None),
            _ => (host, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port {
        None | Some("") => None,
        Some(port) => Some(port.parse::<u16>().ok()?),
    };
    let valid = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '[' | ']' | ':'));
    valid.then(|| (host.to_ascii_lowercase(), port))
}

/// RFC 3986 §5.2.4.
fn remove_dot_segments(path: &str) -> String {
    let mut output: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    let last = segments.len().saturating_sub(1);
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "." => {
                if i == last {
                    output.push("");
                }
            }
            ".." => {
                if output.len() > 1 {
                    output.pop();
                }
                if i == last {
                    output.push("");
                }
            }
            other => output.push(other),
        }
    }
    let joined = output.join("/");
    if joined.starts_with('/') {
        joined
    } else {
        format!("/{joined}")
    }
}

/// Percent-encodes what a request target cannot carry (spaces, controls, non-ASCII, and the
/// characters RFC 3986 excludes), leaving existing escapes as they are.
fn encode_request_text(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_graphic()
                && !matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}')
            {
                c.to_string()
            } else {
                percent_encode_char(c)
            }
        })
        .collect()
}

fn percent_encode_char(c: char) -> String {
    let mut buffer = [0u8; 4];
    c.encode_utf8(&mut buffer)
        .bytes()
        .map(|b| format!("%{b:02X}"))
        .collect()
}

/// Decodes `%XX` escapes (a malformed escape is kept as written); bytes that are not UTF-8
/// become U+FFFD.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = bytes.get(i + 1..i + 3)
            && let Ok(hex) = std::str::from_utf8(hex)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn parses_and_prints_http_and_https_urls() {
        assert_eq!(
            url("HTTPS://Example.COM").to_string(),
            "https://example.com/"
        );
        assert_eq!(
            url("http://127.0.0.1:8080/a/b.csv?x=1#frag").to_string(),
            "http://127.0.0.1:8080/a/b.csv?x=1"
        );
        assert_eq!(url("http://[::1]:9/x").host(), "[::1]");
        assert_eq!(url("http://[::1]:9/x").port(), 9);
        assert_eq!(url("https://h/x").port(), 443);
        assert_eq!(url("https://h/a b/ü").to_string(), "https://h/a%20b/%C3%BC");
        assert_eq!(url("https://h/a/./b/../c").path(), "/a/c");
    }

    #[test]
    fn refuses_what_it_cannot_fetch() {
        for bad in [
            "ftp://h/x",
            "h/x",
            "https://",
            "https://h:99999/",
            "https://h:x/",
            "https://user:pw@h/",
            "https://h h/",
        ] {
            assert!(
                matches!(Url::parse(bad), Err(FetchError::BadUrl { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn next_url_resolves_relative_and_absolute_locations() {
        let current = url("http://127.0.0.1:5/dir/sub/file.csv?q=1");
        let cases = [
            ("other.csv", "http://127.0.0.1:5/dir/sub/other.csv"),
            ("../up.csv", "http://127.0.0.1:5/dir/up.csv"),
            ("./x/../y.csv?z=2", "http://127.0.0.1:5/dir/sub/y.csv?z=2"),
            ("/root.csv", "http://127.0.0.1:5/root.csv"),
            ("/../../root.csv", "http://127.0.0.1:5/root.csv"),
            (
                "?only=query",
                "http://127.0.0.1:5/dir/sub/file.csv?only=query",
            ),
            ("", "http://127.0.0.1:5/dir/sub/file.csv?q=1"),
            ("#frag", "http://127.0.0.1:5/dir/sub/file.csv?q=1"),
            ("//other.example/x", "http://other.example/x"),
            ("https://cdn.example/a b", "https://cdn.example/a%20b"),
            ("HTTP://Other:81/", "http://other:81/"),
        ];
        for (location, expected) in cases {
            assert_eq!(
                next_url(&current, location).unwrap().to_string(),
                expected,
                "{location}"
            );
        }
    }

    #[test]
    fn next_url_never_leads_from_https_to_http() {
        let secure = url("https://publisher.example/list.xml");
        let refused = next_url(&secure, "http://mirror.example/list.xml");
        match refused {
            Err(FetchError::InsecureRedirect { from, to }) => {
                assert_eq!(from, "https://publisher.example/list.xml");
                assert_eq!(to, "http://mirror.example/list.xml");
            }
            other => panic!("expected InsecureRedirect, got {other:?}"),
        }
        // A network-path reference keeps the scheme: allowed.
        assert!(next_url(&secure, "//mirror.example/list.xml").is_ok());
        // http to https and http to http are allowed.
        let plain = url("http://publisher.example/list.xml");
        assert!(next_url(&plain, "https://publisher.example/list.xml").is_ok());
        assert!(next_url(&plain, "http://other.example/list.xml").is_ok());
        // Nor to a scheme that cannot be fetched.
        assert!(matches!(
            next_url(&secure, "ftp://publisher.example/list.xml"),
            Err(FetchError::BadUrl { .. })
        ));
    }

    #[test]
    fn same_host_compares_host_names_only() {
        let a = url("http://Example.com/x");
        assert!(a.same_host(&url("https://example.com:8443/y")));
        assert!(!a.same_host(&url("http://cdn.example.com/x")));
    }

    #[test]
    fn url_file_name_is_the_last_segment_decoded() {
        let cases = [
            ("https://h/a/sdn.xml", "sdn.xml"),
            (
                "https://h/a/SDN%20ENHANCED.ZIP?token=1#x",
                "SDN ENHANCED.ZIP",
            ),
            ("https://h/a/", "index"),
            ("https://h", "index"),
            ("https://h?x=1", "index"),
            ("https://h/a/..", "index"),
            ("https://h/a/%2E", "index"),
            ("https://h/a/x%2Fy%5Cz%00", "x_y_z_"),
            ("https://h/%C3%BCber.csv", "über.csv"),
            ("https://h/%FF.csv", "\u{FFFD}.csv"),
            ("https://h/100%", "100%"),
        ];
        for (input, expected) in cases {
            assert_eq!(url_file_name(input), expected, "{input}");
        }
    }

    #[test]
    fn sibling_url_replaces_the_file_name() {
        let sdn =
            "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.CSV";
        assert_eq!(
            sibling_url(sdn, "ADD.CSV"),
            "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADD.CSV"
        );
        assert_eq!(
            sibling_url("https://h/d/f.csv?x=1#y", "g.csv"),
            "https://h/d/g.csv"
        );
        assert_eq!(sibling_url("https://h", "g.csv"), "https://h/g.csv");
        assert_eq!(sibling_url("https://h?x", "g.csv"), "https://h/g.csv");
        assert_eq!(
            sibling_url("https://h/d/", "a b?.csv"),
            "https://h/d/a%20b%3F.csv"
        );
    }
}
