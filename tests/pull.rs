//! `listdiff pull` against a scripted HTTP server on 127.0.0.1 serving real files and fixtures:
//! conditional requests, identical bytes, retries, failures that do not stop other sources,
//! timeouts, cut bodies, gzip, redirects, quarantine, and every built-in source with its real
//! format. No test reaches beyond the loopback address: every source's URL is overridden in a
//! sources file.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use std::path::Path;

use common::{Env, RealData, repo};
use listdiff_bench::http_server::{Reply, TestServer};

/// Writes a sources file overriding (or adding) `sources` as (name, url) and returns its path.
fn sources(env: &Env, sources: &[(&str, String)]) -> String {
    let mut text = String::new();
    for (name, url) in sources {
        text.push_str(&format!("[sources.{name}]\nurl = \"{url}\"\n"));
    }
    env.write("sources.toml", text)
}

/// `listdiff pull --sources FILE ARGS` with millisecond backoff.
fn pull(env: &Env, file: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec!["pull", "--sources", file];
    all.extend(args);
    env.cmd(&all)
        .env("LISTDIFF_TEST_BACKOFF_MS", "5")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .output()
        .unwrap()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn read(path: impl AsRef<Path>) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

/// The number of events in the store.
fn events(env: &Env) -> usize {
    if !env.store().exists() {
        return 0;
    }
    env.json(&["log"])["events"].as_array().unwrap().len()
}

const FIRST_SDN: &str = "tests/fixtures/ofac-xml/2024-03-01/SDN.XML";
const SECOND_SDN: &str = "tests/fixtures/ofac-xml/2024-03-04/SDN.XML";

#[test]
fn validators_are_kept_sent_back_and_a_304_records_nothing() {
    let env = Env::new();
    let server = TestServer::start();
    let file = sources(&env, &[("ofac-sdn", server.url("/SDN.XML"))]);
    server.set_default(
        "/SDN.XML",
        Reply::ok(read(repo(FIRST_SDN)))
            .header("ETag", "\"v1\"")
            .header("Last-Modified", "Fri, 01 Mar 2024 18:00:00 GMT"),
    );
    let first = pull(&env, &file, &["ofac-sdn"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let out = stdout(&first);
    assert!(
        out.contains("ofac-sdn: new publication: recorded event 1: us-ofac-sdn 2024-03-01"),
        "{out}"
    );
    assert!(out.contains("dated by the date the file states"), "{out}");
    assert!(server.requests()[0].header("if-none-match").is_none());

    server.enqueue("/SDN.XML", Reply::not_modified().header("ETag", "\"v1\""));
    let before = env.json(&["log"]);
    let second = pull(&env, &file, &["ofac-sdn", "--exit-code"]);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert!(stdout(&second).contains("ofac-sdn: unchanged (304 Not Modified)"));
    let asked = server.requests();
    let last = asked.last().unwrap();
    assert_eq!(last.header("if-none-match"), Some("\"v1\""));
    assert_eq!(
        last.header("if-modified-since"),
        Some("Fri, 01 Mar 2024 18:00:00 GMT")
    );
    assert_eq!(env.json(&["log"]), before, "a 304 records nothing");

    server.set_default(
        "/SDN.XML",
        Reply::ok(read(repo(SECOND_SDN))).header("ETag", "\"v2\""),
    );
    let third = pull(
        &env,
        &file,
        &["ofac-sdn", "--exit-code", "--max-drop", "30"],
    );
    assert_eq!(third.status.code(), Some(1), "{}", stderr(&third));
    assert!(
        stdout(&third).contains("recorded event 2: us-ofac-sdn 2024-03-04"),
        "{}",
        stdout(&third)
    );
    assert_eq!(events(&env), 2);
}

#[test]
fn identical_bytes_without_validators_are_unchanged() {
    let env = Env::new();
    let server = TestServer::start();
    let file = sources(&env, &[("ofac-sdn", server.url("/SDN.XML"))]);
    server.set_default("/SDN.XML", Reply::ok(read(repo(FIRST_SDN))));
    assert!(pull(&env, &file, &["ofac-sdn"]).status.success());
    let before = env.json(&["log"]);
    let again = pull(&env, &file, &["ofac-sdn"]);
    assert!(again.status.success());
    assert!(
        stdout(&again).contains("ofac-sdn: unchanged (identical to the last fetch"),
        "{}",
        stdout(&again)
    );
    assert_eq!(env.json(&["log"]), before);
    assert_eq!(events(&env), 1);
    // From cron: nothing to say when nothing failed.
    let quiet = pull(&env, &file, &["ofac-sdn", "--quiet"]);
    assert!(quiet.status.success());
    assert_eq!(stdout(&quiet), "");
    assert_eq!(stderr(&quiet), "");
}

#[test]
fn retries_then_records_and_a_failing_source_does_not_stop_the_others() {
    let env = Env::new();
    let server = TestServer::start();
    let file = sources(
        &env,
        &[
            ("ofac-sdn", server.url("/SDN.XML")),
            ("uk-fcdo", server.url("/uk.xml")),
        ],
    );
    server.enqueue("/SDN.XML", Reply::status(500));
    server.enqueue("/SDN.XML", Reply::status(500));
    server.set_default("/SDN.XML", Reply::ok(read(repo(FIRST_SDN))));
    server.set_default("/uk.xml", Reply::status(500));
    let output = pull(&env, &file, &["uk-fcdo", "ofac-sdn"]);
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    let out = stdout(&output);
    let err = stderr(&output);
    assert!(
        err.contains("warning: uk-fcdo: failed:") && err.contains("500"),
        "{err}"
    );
    assert!(
        out.contains("ofac-sdn: new publication: recorded event 1"),
        "{out}"
    );
    assert!(
        out.contains("1 new, 0 unchanged, 0 refused, 1 failed"),
        "{out}"
    );
    assert!(
        err.contains("error: 1 of 2 sources failed or were refused (uk-fcdo)"),
        "{err}"
    );
    assert_eq!(
        server.requests_to("/SDN.XML").len(),
        3,
        "two 500s, then 200"
    );
    assert_eq!(
        server.requests_to("/uk.xml").len(),
        4,
        "one try and 3 retries"
    );
    assert_eq!(events(&env), 1);
}

#[test]
fn a_slow_server_times_out_and_a_cut_body_records_nothing() {
    let env = Env::new();
    let server = TestServer::start();
    let file = sources(
        &env,
        &[
            ("ofac-sdn", server.url("/SDN.XML")),
            ("uk-fcdo", server.url("/uk.xml")),
        ],
    );
    server.set_default(
        "/SDN.XML",
        Reply::ok(read(repo(FIRST_SDN))).delay_body(std::time::Duration::from_secs(3)),
    );
    server.set_default(
        "/uk.xml",
        Reply::ok(read(repo(
            "tests/fixtures/uk-fcdo-xml/UK-Sanctions-List-2025-03-14.xml",
        )))
        .cut_after(500),
    );
    let output = pull(&env, &file, &["ofac-sdn", "uk-fcdo", "--timeout", "0.3"]);
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    let out = stdout(&output);
    let err = stderr(&output);
    assert!(
        err.contains("ofac-sdn: failed:") && err.contains("tim"),
        "{err}"
    );
    assert!(
        err.contains("uk-fcdo: failed:") && err.contains("ended after 500 of"),
        "{err}"
    );
    assert!(
        out.contains("0 new, 0 unchanged, 0 refused, 2 failed"),
        "{out}"
    );
    assert_eq!(events(&env), 0);
    assert!(
        !env.store().exists(),
        "a pull that brought nothing makes no store"
    );
    // --quiet still says what failed.
    let quiet = pull(&env, &file, &["ofac-sdn", "--timeout", "0.3", "--quiet"]);
    assert_eq!(quiet.status.code(), Some(6));
    assert_eq!(stdout(&quiet), "");
    assert!(
        stderr(&quiet).contains("ofac-sdn: failed:"),
        "{}",
        stderr(&quiet)
    );
}

#[test]
fn gzip_and_redirects_are_followed() {
    let env = Env::new();
    let server = TestServer::start();
    let file = sources(
        &env,
        &[
            ("ofac-sdn", server.url("/old/SDN.XML")),
            ("uk-fcdo", server.url("/uk.xml")),
        ],
    );
    server.set_default("/old/SDN.XML", Reply::redirect(301, "/new/SDN.XML"));
    server.set_default("/new/SDN.XML", Reply::ok(read(repo(FIRST_SDN))));
    server.set_default(
        "/uk.xml",
        Reply::ok(read(repo(
            "tests/fixtures/uk-fcdo-xml/UK-Sanctions-List-2025-03-14.xml",
        )))
        .gzip(),
    );
    let output = pull(&env, &file, &["ofac-sdn", "uk-fcdo"]);
    assert!(
        output.status.success(),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    let out = stdout(&output);
    assert!(out.contains("ofac-sdn: new publication"), "{out}");
    assert!(out.contains("uk-fcdo: new publication"), "{out}");
    // The evidence names both URLs.
    let manifests: Vec<String> = walk(&env.store().join("archive"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(
        manifests.iter().any(|m| m.contains("/old/SDN.XML")
            && m.contains("/new/SDN.XML")
            && m.contains("\"status\": 200")),
        "{manifests:?}"
    );
}

/// Every file below `dir`.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(walk(&path));
            } else {
                found.push(path);
            }
        }
    }
    found
}

#[test]
fn a_body_the_drop_guard_refuses_is_quarantined_with_its_reason() {
    let env = Env::new();
    let server = TestServer::start();
    let file = sources(&env, &[("ofac-sdn", server.url("/SDN.XML"))]);
    server.set_default("/SDN.XML", Reply::ok(read(repo(FIRST_SDN))));
    assert!(pull(&env, &file, &["ofac-sdn"]).status.success());
    // The next publication keeps one entry of four.
    let text = String::from_utf8(read(repo(SECOND_SDN))).unwrap();
    let start = text.find("<sdnEntry>").unwrap();
    let end = text.rfind("</sdnEntry>").unwrap() + "</sdnEntry>".len();
    let first_end = text[start..].find("</sdnEntry>").unwrap() + start + "</sdnEntry>".len();
    let shrunk = format!("{}{}{}", &text[..first_end], "", &text[end..]);
    assert!(shrunk.len() < text.len());
    server.set_default("/SDN.XML", Reply::ok(shrunk.clone().into_bytes()));
    let before = env.json(&["log"]);
    let output = pull(&env, &file, &["ofac-sdn"]);
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("ofac-sdn: refused:"), "{err}");
    assert!(err.contains("quarantine"), "{err}");
    let kept: Vec<_> = walk(&env.store().join("quarantine"));
    let reason = kept
        .iter()
        .find(|p| p.file_name().is_some_and(|n| n == "reason.txt"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .unwrap();
    assert!(
        reason.contains("refused:") && reason.contains("/SDN.XML"),
        "{reason}"
    );
    assert!(
        kept.iter().any(|p| read(p) == shrunk.as_bytes()),
        "the body is kept as served"
    );
    assert_eq!(
        env.json(&["log"]),
        before,
        "nothing of a refused body is recorded"
    );
    // The next pull fetches it again (its validators were not kept) and refuses it again.
    let again = pull(&env, &file, &["ofac-sdn"]);
    assert_eq!(again.status.code(), Some(6));
    assert!(stderr(&again).contains("refused"), "{}", stderr(&again));
}

#[test]
fn sources_lists_every_built_in_source_with_its_url() {
    let env = Env::new();
    let out = env.ok(&["sources"]);
    for name in [
        "ofac-sdn",
        "ofac-sdn-csv",
        "ofac-cons",
        "ofac-cons-csv",
        "trade-csl",
        "un-sc",
        "eu-fsf",
        "uk-fcdo",
        "ecfr-entity-list",
        "fr-entity-list",
        "os-<dataset>",
    ] {
        assert!(out.contains(&format!("{name}: ")), "{name} missing:\n{out}");
    }
    assert!(out.contains("https://scsanctions.un.org/resources/xml/en/consolidated.xml"));
    assert!(out.contains("https://www.federalregister.gov/api/v1/documents.json"));
    let json = env.json(&["sources"]);
    assert!(
        json.as_array()
            .unwrap()
            .iter()
            .all(|s| s["url"].as_str().is_some_and(|u| u.starts_with("https://")))
    );
    assert!(!env.store().exists(), "listing sources makes no store");
}

#[test]
fn a_bad_sources_file_or_name_is_bad_usage() {
    let env = Env::new();
    let file = env.write(
        "sources.toml",
        "[sources.x]\nurl = \"ftp://example.org/x\"\n",
    );
    let output = env.cmd(&["pull", "--sources", &file]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("sources.toml:1"),
        "{}",
        stderr(&output)
    );
    let output = env.cmd(&["pull", "nope"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no source is named \"nope\""));
    let output = env
        .cmd(&["pull", "ofac-sdn", "ofac-sdn-csv"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

/// The Federal Register's search answer listing one rule whose XML is at `xml_url`.
fn fr_search(xml_url: &str) -> Vec<u8> {
    serde_json::json!({
        "count": 2,
        "results": [
            {
                "document_number": "2023-03929",
                "title": "Additions to the Entity List",
                "publication_date": "2026-01-05",
                "full_text_xml_url": xml_url,
            },
            {
                "document_number": "2026-00001",
                "title": "Revisions to the Export Administration Regulations: Something Else",
                "publication_date": "2026-01-06",
                "full_text_xml_url": xml_url,
            }
        ]
    })
    .to_string()
    .into_bytes()
}

#[test]
fn every_built_in_source_is_pulled_with_its_real_format() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    let server = TestServer::start();
    let serve = |target: &str, path: String| server.set_default(target, Reply::ok(read(path)));
    serve("/ofac/SDN.XML", repo(FIRST_SDN));
    serve(
        "/ofac/CONSOLIDATED.XML",
        real.file("ofac-consolidated/2018-04-06/consolidated.xml"),
    );
    for (remote, local) in [
        ("SDN.CSV", "sdn.csv"),
        ("ALT.CSV", "alt.csv"),
        ("ADD.CSV", "add.csv"),
        ("SDN_COMMENTS.CSV", "sdn_comments.csv"),
    ] {
        serve(
            &format!("/csv/{remote}"),
            real.file(&format!("ofac-sdn/2021-07-07/{local}")),
        );
    }
    for (remote, local) in [
        ("CONS_PRIM.CSV", "cons_prim.csv"),
        ("CONS_ALT.CSV", "cons_alt.csv"),
        ("CONS_ADD.CSV", "cons_add.csv"),
        ("CONS_COMMENTS.CSV", "cons_comments.csv"),
    ] {
        serve(
            &format!("/cons/{remote}"),
            real.file(&format!("ofac-consolidated/2025-12-19/{local}")),
        );
    }
    serve(
        "/csl/consolidated.csv",
        real.file("trade-csl/2023-11-30/consolidated.csv"),
    );
    serve(
        "/un/consolidated.xml",
        real.file("un-consolidated/2020-12-01/consolidated.xml"),
    );
    serve(
        "/eu/content",
        repo("tests/fixtures/eu-fsf-xml/2025-03-14.xml"),
    );
    serve(
        "/uk/UK-Sanctions-List.xml",
        repo("tests/fixtures/uk-fcdo-xml/UK-Sanctions-List-2025-03-14.xml"),
    );
    server.set_default(
        "/ecfr/titles.json",
        Reply::ok(
            br#"{"titles":[{"number":14,"up_to_date_as_of":"2024-01-12"},{"number":15,"up_to_date_as_of":"2024-01-15","latest_issue_date":"2024-01-10"}]}"#.to_vec(),
        ),
    );
    serve(
        "/ecfr/full/2024-01-15/title-15.xml?part=744",
        repo("tests/fixtures/ecfr-entity-list/2024-01-15/title-15-part-744.xml"),
    );
    server.set_default(
        "/fr/documents.json",
        Reply::ok(fr_search(&server.url("/fr/2023-03929.xml"))),
    );
    serve(
        "/fr/2023-03929.xml",
        real.file("federal-register/2023-02-27/2023-03929.xml"),
    );
    serve(
        "/os/entities.ftm.json",
        real.file("opensanctions-ftm/2024-06-01/entities.ftm.json"),
    );
    let all = [
        ("ofac-sdn", server.url("/ofac/SDN.XML")),
        ("ofac-cons", server.url("/ofac/CONSOLIDATED.XML")),
        ("trade-csl", server.url("/csl/consolidated.csv")),
        ("un-sc", server.url("/un/consolidated.xml")),
        ("eu-fsf", server.url("/eu/content?token=dG9rZW4tMjAxNw")),
        ("uk-fcdo", server.url("/uk/UK-Sanctions-List.xml")),
        ("ecfr-entity-list", server.url("/ecfr")),
        ("fr-entity-list", server.url("/fr/documents.json")),
    ];
    let file = sources(&env, &all);
    // Every source pulled by default.
    let output = pull(&env, &file, &[]);
    let out = stdout(&output);
    assert!(output.status.success(), "{out}{}", stderr(&output));
    for (name, _) in &all {
        assert!(
            out.contains(&format!("{name}: new publication")),
            "{name}:\n{out}"
        );
    }
    assert!(out.contains("pulled 8 sources: 8 new"), "{out}");
    // Datedness: the CSL states no date: dated by the day of the fetch (no Last-Modified).
    assert!(
        out.contains("trade-csl: new publication") && out.contains("the day of the fetch"),
        "{out}"
    );
    // The eCFR file and the Federal Register rule by the dates they state.
    assert!(
        out.contains("us-bis-entity-list 2024-01-12 snapshot"),
        "{out}"
    );
    assert!(
        out.contains("us-bis-entity-list 2023-02-27 amendment"),
        "{out}"
    );
    assert!(
        stderr(&output).contains("does not name the Entity List"),
        "{}",
        stderr(&output)
    );

    // The alternatives and a dataset, each named, in a second store.
    let env2 = Env::new();
    let file2 = sources(
        &env2,
        &[
            ("ofac-sdn-csv", server.url("/csv/SDN.CSV")),
            ("ofac-cons-csv", server.url("/cons/CONS_PRIM.CSV")),
            ("os-sanctions", server.url("/os/entities.ftm.json")),
        ],
    );
    let output = pull(
        &env2,
        &file2,
        &["ofac-sdn-csv", "ofac-cons-csv", "os-sanctions"],
    );
    let out = stdout(&output);
    assert!(output.status.success(), "{out}{}", stderr(&output));
    for name in ["ofac-sdn-csv", "ofac-cons-csv", "os-sanctions"] {
        assert!(
            out.contains(&format!("{name}: new publication")),
            "{name}:\n{out}"
        );
    }
    assert!(out.contains("us-ofac-sdn"), "{out}");
    // Each companion was fetched.
    assert_eq!(server.requests_to("/csv/SDN_COMMENTS.CSV").len(), 1);

    // Nothing new the second time, for every source.
    let again = pull(&env, &file, &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(stdout(&again).contains("8 unchanged"), "{}", stdout(&again));
}
