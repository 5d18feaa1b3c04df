//! Which proxy, if any, a request goes through: the conventional environment variables, read
//! the way curl reads them.
//!
//! - An https URL uses `HTTPS_PROXY` (or `https_proxy`), an http URL `HTTP_PROXY` (or
//!   `http_proxy`); either falls back on `ALL_PROXY` (or `all_proxy`). An empty value is unset.
//! - `NO_PROXY` (or `no_proxy`) is a comma-separated list of host names, domain suffixes and
//!   IP addresses that are reached directly: `example.com` (or `.example.com`, or
//!   `*.example.com`) matches `example.com` and every name under it; `*` matches every host;
//!   an entry's `:port` is ignored. Address ranges (CIDR) are not understood.
//! - Loopback hosts (`localhost`, names under `.localhost`, 127.0.0.0/8, `::1`) are never
//!   proxied.
//!
//! ureq reads the same variables itself, but prefers `ALL_PROXY` to the scheme's own variable,
//! and its `.example.com` does not match `example.com`: the choice is made here.

use std::net::IpAddr;

use super::url::{Scheme, Url};

/// The environment variable that names a proxy, and its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyChoice {
    /// The variable the proxy was read from (named in errors, never its value, which may hold
    /// credentials).
    pub variable: &'static str,
    /// The proxy URL, as the variable gives it.
    pub proxy: String,
}

/// The proxy a request to `url` goes through, read from the environment through `env` (a
/// variable's value, `None` when unset); `None` for a direct connection.
pub fn proxy_for(url: &Url, env: &dyn Fn(&str) -> Option<String>) -> Option<ProxyChoice> {
    let get = |name: &str| env(name).filter(|value| !value.trim().is_empty());
    if is_loopback(url.host()) {
        return None;
    }
    if let Some(no_proxy) = get("NO_PROXY").or_else(|| get("no_proxy"))
        && no_proxy_matches(&no_proxy, url.host())
    {
        return None;
    }
    let candidates: [&'static str; 4] = match url.scheme() {
        Scheme::Https => ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"],
        Scheme::Http => ["http_proxy", "HTTP_PROXY", "ALL_PROXY", "all_proxy"],
    };
    candidates.into_iter().find_map(|variable| {
        get(variable).map(|proxy| ProxyChoice {
            variable,
            proxy: proxy.trim().to_string(),
        })
    })
}

/// Whether the `NO_PROXY` list `list` names `host` (lower-case; an IPv6 address in brackets).
pub fn no_proxy_matches(list: &str, host: &str) -> bool {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.');
    list.split(',').map(str::trim).any(|entry| {
        if entry == "*" {
            return true;
        }
        let entry = entry.trim_start_matches("*.").trim_start_matches('.');
        let entry = strip_port(entry).trim_end_matches('.').to_ascii_lowercase();
        if entry.is_empty() {
            return false;
        }
        host == entry
            || (host.len() > entry.len()
                && host.ends_with(&entry)
                && host.as_bytes()[host.len() - entry.len() - 1] == b'.')
    })
}

/// Whether `host` is a loopback host: `localhost`, a name under `.localhost`, an address in
/// 127.0.0.0/8 or `::1`.
pub fn is_loopback(host: &str) -> bool {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.');
    let lower = host.to_ascii_lowercase();
    lower == "localhost"
        || lower.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `host:port` → `host`; `[v6]:port` → `v6`; a bare IPv6 address is kept whole.
fn strip_port(entry: &str) -> &str {
    if let Some(rest) = entry.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default();
    }
    match entry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => {
            host
        }
        _ => entry,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        }
    }

    fn choice(
        url: &str,
        pairs: &'static [(&'static str, &'static str)],
    ) -> Option<(String, String)> {
        let env = env_of(pairs);
        proxy_for(&Url::parse(url).unwrap(), &env).map(|c| (c.variable.to_string(), c.proxy))
    }

    #[test]
    fn no_proxy_matches_names_suffixes_and_star() {
        let cases = [
            ("example.com", "example.com", true),
            ("example.com", "www.example.com", true),
            ("example.com", "notexample.com", false),
            (".example.com", "example.com", true),
            (".example.com", "a.b.example.com", true),
            ("*.example.com", "a.example.com", true),
            ("*.example.com", "example.org", false),
            ("*", "anything.example", true),
            ("other.org, example.com", "x.example.com", true),
            ("EXAMPLE.com", "example.com", true),
            ("example.com:8080", "example.com", true),
            ("10.1.2.3", "10.1.2.3", true),
            ("10.1.2.3", "10.1.2.30", false),
            ("::1", "[::1]", true),
            ("[fe80::1]:80", "[fe80::1]", true),
            ("", "example.com", false),
            (" , ,", "example.com", false),
            ("com.", "example.com", true),
        ];
        for (list, host, expected) in cases {
            assert_eq!(no_proxy_matches(list, host), expected, "{list:?} vs {host}");
        }
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        for host in [
            "localhost",
            "LOCALHOST",
            "a.localhost",
            "127.0.0.1",
            "127.9.9.9",
            "[::1]",
            "::1",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["localhost.example", "128.0.0.1", "[::2]", "example.com"] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[test]
    fn the_schemes_own_variable_comes_before_all_proxy() {
        let env = &[
            ("HTTPS_PROXY", "http://secure-proxy:3128"),
            ("http_proxy", "http://plain-proxy:3128"),
            ("ALL_PROXY", "http://all-proxy:3128"),
        ];
        assert_eq!(
            choice("https://example.com/x", env),
            Some(("HTTPS_PROXY".into(), "http://secure-proxy:3128".into()))
        );
        assert_eq!(
            choice("http://example.com/x", env),
            Some(("http_proxy".into(), "http://plain-proxy:3128".into()))
        );
        assert_eq!(
            choice(
                "https://example.com/x",
                &[("ALL_PROXY", "http://all:1"), ("https_proxy", " ")]
            ),
            Some(("ALL_PROXY".into(), "http://all:1".into()))
        );
        assert_eq!(
            choice("https://example.com/x", &[("https_proxy", "http://p:1")]),
            Some(("https_proxy".into(), "http://p:1".into()))
        );
        assert_eq!(choice("https://example.com/x", &[]), None);
    }

    #[test]
    fn no_proxy_and_loopback_go_direct() {
        let env = &[
            ("HTTPS_PROXY", "http://proxy:3128"),
            ("HTTP_PROXY", "http://proxy:3128"),
            ("NO_PROXY", "internal.example,.corp"),
        ];
        assert_eq!(choice("https://data.internal.example/x", env), None);
        assert_eq!(choice("https://corp/x", env), None);
        assert!(choice("https://example.com/x", env).is_some());
        assert_eq!(choice("http://127.0.0.1:8080/x", env), None);
        assert_eq!(choice("http://localhost:8080/x", env), None);
        assert_eq!(choice("http://[::1]:8080/x", env), None);
        assert_eq!(
            choice(
                "https://example.com/x",
                &[("HTTPS_PROXY", "http://p:1"), ("no_proxy", "*")]
            ),
            None
        );
    }
}
