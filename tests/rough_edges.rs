//! Rough edges a new user met (issue 12 items 13 to 18): output into a closed pipe, a terminal
//! that reports no width, reversed dates, the order of numeric ids, list values in CSV, and the
//! messages for a store that is a file, an unchecked signature, a secret key given as --key,
//! argument errors, impossible dates, `today` and `yesterday`.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use std::io::Read as _;
use std::process::{Command, Stdio};

use common::{Env, RealData, ids, native, repo};
use serde_json::{Value, json};

/// `listdiff --store <tmp>/store ARGS` as a plain process (to give it pipes and terminals).
fn process(env: &Env, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_listdiff"));
    cmd.arg("--store")
        .arg(env.store())
        .args(args)
        .env("LISTDIFF_NOW", "2026-01-15T09:30:00Z")
        .env_remove("LISTDIFF_STORE")
        .env_remove("COLUMNS")
        .env("NO_COLOR", "1");
    cmd
}

/// A store with one list of 3,000 entries over two snapshots, enough that every answer is
/// larger than a pipe's buffer.
fn large() -> Env {
    let env = Env::new();
    let entries = |suffix: &str| -> Vec<Value> {
        (1..=3000)
            .map(|i| {
                json!({"id": i.to_string(), "name": format!("Company number {i} of a long list {suffix}"),
                       "countries": ["Somewhere"], "addresses": [format!("{i} Long Street, Some City")]})
            })
            .collect()
    };
    let first = env.write(
        "1.json",
        native(
            "big",
            "2024-01-01",
            "snapshot",
            json!({"entries": entries("")}),
        ),
    );
    let second = env.write(
        "2.json",
        native(
            "big",
            "2024-02-01",
            "snapshot",
            json!({"entries": entries("(renamed)")}),
        ),
    );
    env.ok(&["ingest", &first, &second]);
    env
}

#[test]
fn every_output_format_ends_quietly_on_a_closed_pipe() {
    let env = large();
    for args in [
        vec!["as-of", "2024-02-01"],
        vec!["since", "2024-01-01"],
        vec!["diff", "2024-01-01", "2024-02-01"],
        vec!["history", "company"],
        vec!["log"],
        vec!["lists"],
    ] {
        for format in ["table", "json", "ndjson", "csv"] {
            let mut all = args.clone();
            all.extend(["-o", format]);
            let mut child = process(&env, &all)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            // Read a little, as `head -2` does, then close the pipe.
            let mut stdout = child.stdout.take().unwrap();
            let mut start = [0u8; 16];
            let _ = stdout.read(&mut start);
            drop(stdout);
            let output = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(
                output.status.code(),
                Some(0),
                "listdiff {all:?} into a closed pipe: {stderr}"
            );
            assert!(
                !stderr.contains("error") && !stderr.contains("panicked"),
                "listdiff {all:?} into a closed pipe: {stderr}"
            );
        }
    }
}

#[test]
fn what_an_answer_stands_on_is_still_said_when_its_reader_closes_the_pipe() {
    // `listdiff as-of … -o csv | head -4` (README): the rows go to the pipe, the basis to
    // standard error, which is still open when `head` has read enough.
    let env = large();
    for args in [
        vec!["as-of", "2024-02-01"],
        vec!["since", "2024-01-01"],
        vec!["diff", "2024-01-01", "2024-02-01"],
        vec!["history", "company"],
    ] {
        let mut all = args.clone();
        all.extend(["-o", "csv"]);
        let mut child = process(&env, &all)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut start = [0u8; 16];
        let _ = stdout.read(&mut start);
        drop(stdout);
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "listdiff {all:?}: {stderr}");
        assert!(
            stderr.contains("listdiff: note: basis: big published 2024-02-01 (event 2)"),
            "listdiff {all:?} into a closed pipe still says what the answer stands on: {stderr:?}"
        );
    }
}

/// Runs listdiff with its standard output a terminal of `columns` × 24 and returns what it
/// wrote there (line ends as `\n`).
#[cfg(unix)]
fn on_terminal(env: &Env, args: &[&str], columns: u16, env_columns: Option<&str>) -> String {
    let (terminal, master) = common::pty::open(columns);
    let mut cmd = process(env, args);
    if let Some(value) = env_columns {
        cmd.env("COLUMNS", value);
    }
    cmd.stdout(terminal.try_clone().unwrap())
        .stderr(Stdio::piped());
    common::pty::own_session(&mut cmd);
    let reader = common::pty::drain(master);
    let output = cmd.output().unwrap();
    drop(cmd);
    drop(terminal);
    assert!(output.status.success(), "{output:?}");
    let bytes = reader.join().unwrap();
    String::from_utf8(bytes).unwrap().replace("\r\n", "\n")
}

#[cfg(unix)]
#[test]
fn a_terminal_without_a_width_gets_100_columns_and_columns_is_honoured() {
    let env = Env::new();
    env.ok(&["ingest", &repo("snapshots")]);
    let args = ["as-of", "2024-12-31", "--list", "us-bis-entity-list"];
    let zero = on_terminal(&env, &args, 0, None);
    assert!(
        zero.contains(" cn-cambricon ") && zero.contains(" Cambricon "),
        "a 0-column terminal must not collapse the columns:\n{zero}"
    );
    let widest = zero.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(
        (90..=100).contains(&widest),
        "100 columns: widest line {widest}\n{zero}"
    );
    let narrow = on_terminal(&env, &args, 0, Some("90"));
    let widest = narrow.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(
        (80..=90).contains(&widest),
        "COLUMNS=90: widest line {widest}\n{narrow}"
    );
    let wide = on_terminal(&env, &args, 160, None);
    let widest = wide.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(
        (100..=160).contains(&widest),
        "a 160-column terminal: widest line {widest}\n{wide}"
    );
}

#[test]
fn diff_with_from_after_to_is_refused() {
    let env = Env::new();
    env.ok(&["ingest", &repo("snapshots")]);
    let output = env
        .cmd(&["diff", "2024-12-31", "2024-11-30"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr,
        "listdiff: error: FROM 2024-12-31 is after TO 2024-11-30: give the earlier date first (listdiff diff 2024-11-30 2024-12-31)\n"
    );
    // The same date twice is an empty difference, not an error.
    env.ok(&["diff", "2024-12-31", "2024-12-31"]);
}

/// A list `n` whose ids are numbers of different lengths, and two that are not numbers.
fn numbered() -> Env {
    let env = Env::new();
    let ids = ["28564", "7489", "100", "9", "A7", "10a"];
    let entries: Vec<Value> = ids
        .iter()
        .map(|id| json!({"id": id, "name": format!("Entry {id}"), "type": "entity"}))
        .collect();
    let first = env.write(
        "1.json",
        native(
            "n",
            "2024-01-01",
            "snapshot",
            json!({"entries": [{"id": "1", "name": "One"}]}),
        ),
    );
    let second = env.write(
        "2.json",
        native("n", "2024-02-01", "snapshot", json!({"entries": entries})),
    );
    env.ok(&["ingest", "--allow-drop", &first, &second]);
    env
}

const NUMERIC_ORDER: [&str; 6] = ["9", "100", "7489", "28564", "10a", "A7"];

#[test]
fn ids_that_are_numbers_sort_as_numbers_in_every_output() {
    let env = numbered();
    assert_eq!(
        ids(&env.json(&["as-of", "2024-02-01"])["entries"]),
        NUMERIC_ORDER
    );
    let lines = env.ok(&["as-of", "2024-02-01", "-o", "ndjson"]);
    let streamed: Vec<String> = lines
        .lines()
        .filter_map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["id"].as_str().map(str::to_string)
        })
        .collect();
    assert_eq!(streamed, NUMERIC_ORDER);
    let csv_text = env.ok(&["as-of", "2024-02-01", "-o", "csv"]);
    let from_csv: Vec<&str> = csv_text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(from_csv, NUMERIC_ORDER);
    let table = env.ok(&["as-of", "2024-02-01"]);
    let from_table: Vec<&str> = table
        .lines()
        .skip(2)
        .take(6)
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(from_table, NUMERIC_ORDER, "{table}");
    // Entries read to be filtered keep the order.
    assert_eq!(
        ids(&env.json(&["as-of", "2024-02-01", "--type", "entity"])["entries"]),
        NUMERIC_ORDER
    );

    let since = env.json(&["since", "2024-02-01"]);
    assert_eq!(ids(&since["added"]), NUMERIC_ORDER);
    assert_eq!(
        ids(&since["publications"][0]["changes"])[..6],
        NUMERIC_ORDER
    );
    let diff = env.json(&["diff", "2024-01-01", "2024-02-01"]);
    assert_eq!(ids(&diff["added"]), NUMERIC_ORDER);
    let history = env.json(&["history", "entry"]);
    assert_eq!(ids(&history["entries"]), NUMERIC_ORDER);
    let diff_csv = env.ok(&["diff", "2024-01-01", "2024-02-01", "-o", "csv"]);
    let from_csv: Vec<&str> = diff_csv
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("added"))
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    assert_eq!(from_csv, NUMERIC_ORDER);
}

#[test]
fn sdn_ids_sort_as_numbers_on_real_data() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    env.ok(&[
        "ingest",
        &real.file("ofac-sdn/2024-02-28"),
        &real.file("ofac-sdn/2024-03-04"),
    ]);
    let v = env.json(&["since", "2024-03-01"]);
    let changed = ids(&v["changed"]);
    let position = |id: &str| changed.iter().position(|c| c == id).unwrap();
    assert!(position("7489") < position("28564"), "{changed:?}");
    let numbers: Vec<u64> = changed.iter().map(|id| id.parse().unwrap()).collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
}

/// Splits a CSV list cell as README says: values are separated by `; `, and inside a value
/// `\;` stands for `;` and `\\` for `\`.
fn split_list_cell(cell: &str) -> Vec<String> {
    if cell.is_empty() {
        return Vec::new();
    }
    let mut values = vec![String::new()];
    let mut chars = cell.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => values.last_mut().unwrap().push(chars.next().unwrap()),
            ';' => {
                assert_eq!(chars.next(), Some(' '), "a separator is \"; \": {cell:?}");
                values.push(String::new());
            }
            c => values.last_mut().unwrap().push(c),
        }
    }
    values
}

/// Checks that every list cell of `as-of -o csv --csv-raw` splits back to the JSON values, and
/// returns how many values held `; `.
fn check_round_trip(env: &Env, date: &str) -> usize {
    let json = env.json(&["as-of", date]);
    let text = env.ok(&["as-of", date, "-o", "csv", "--csv-raw"]);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let entries = json["entries"].as_array().unwrap();
    let mut with_separator = 0;
    let mut rows = 0;
    for (row, entry) in reader.records().zip(entries) {
        let row = row.unwrap();
        rows += 1;
        for field in ["countries", "aliases", "addresses", "programs", "citations"] {
            let column = headers.iter().position(|h| h == field).unwrap();
            let expected: Vec<String> = entry[field]
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .map(|i| i.as_str().unwrap().to_string())
                        .collect()
                })
                .unwrap_or_default();
            with_separator += expected.iter().filter(|v| v.contains("; ")).count();
            assert_eq!(
                split_list_cell(&row[column]),
                expected,
                "{field} of {}",
                entry["id"]
            );
        }
    }
    assert_eq!(rows, entries.len());
    with_separator
}

#[test]
fn csv_list_values_split_back_exactly() {
    let env = Env::new();
    let first = env.write(
        "1.json",
        native(
            "l",
            "2024-01-01",
            "snapshot",
            json!({"entries": [{"id": "1", "name": "Acme", "aliases": ["a; b", "c\\d", "e;f", "g\\; h"],
                                "addresses": ["Karachi, Pakistan; Phone 4979263"]}]}),
        ),
    );
    let second = env.write(
        "2.json",
        native(
            "l",
            "2024-02-01",
            "snapshot",
            json!({"entries": [{"id": "1", "name": "Acme", "aliases": ["a; b"]}]}),
        ),
    );
    env.ok(&["ingest", &first, &second]);
    assert_eq!(check_round_trip(&env, "2024-01-01"), 3);
    let text = env.ok(&["as-of", "2024-01-01", "-o", "csv"]);
    assert!(
        text.contains(r#"a\; b; c\\d; e\;f; g\\\; h,"Karachi, Pakistan\; Phone 4979263""#),
        "{text}"
    );
    // The before and after of a list field in a change are written the same way.
    let diff = env.ok(&["diff", "2024-01-01", "2024-02-01", "-o", "csv"]);
    assert!(
        diff.contains(r"aliases,a\; b; c\\d; e\;f; g\\\; h,a\; b"),
        "{diff}"
    );
}

#[test]
fn csv_list_values_split_back_exactly_on_real_data() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    // The UN file is dated after the tests' fixed now (2026-01-15).
    env.ok(&[
        "ingest",
        "--allow-future",
        &real.file("un-consolidated/2026-02-27"),
        &real.file("bis-dpl/2023-11-30"),
    ]);
    // UN addresses and a DPL citation hold "; " inside one value.
    assert!(check_round_trip(&env, "2026-02-27") >= 7);
}

#[test]
fn a_store_path_that_is_a_file_says_so() {
    let env = Env::new();
    let file = env.write("a-file", "not a store\n");
    let output = Command::new(env!("CARGO_BIN_EXE_listdiff"))
        .args(["--store", &file, "lists"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr,
        format!(
            "listdiff: error: {file} is a file, not a store directory: give --store the directory of a store, or a path where none exists yet to make one\n"
        )
    );
}

#[test]
fn verify_says_when_a_signature_was_not_checked_and_wants_the_public_key() {
    let env = Env::new();
    env.ok(&["ingest", &repo("snapshots")]);
    let key = env.dir.path().join("signing.key");
    let key = key.to_str().unwrap();
    env.ok(&["keygen", key]);
    let checkpoint = env.dir.path().join("c.checkpoint");
    let checkpoint = checkpoint.to_str().unwrap();
    env.ok(&["checkpoint", "--sign", key, "-o", checkpoint]);
    let text = env.ok(&["verify", "--checkpoint", checkpoint]);
    let public = std::fs::read_to_string(format!("{key}.pub")).unwrap();
    assert!(
        text.contains("the checkpoint is signed by key ")
            && text.contains(", but the signature was not checked: give --key with the public key file (.pub) to check it\n"),
        "{text}"
    );
    assert!(!public.is_empty());
    let v = env.json(&["verify", "--checkpoint", checkpoint]);
    assert_eq!(v["checkpoint"]["signed_by"], Value::Null);
    assert_eq!(
        v["checkpoint"]["unchecked_signatures"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Checked: no such line.
    let pub_path = format!("{key}.pub");
    let text = env.ok(&["verify", "--checkpoint", checkpoint, "--key", &pub_path]);
    assert!(!text.contains("not checked"), "{text}");

    // The secret key given as --key.
    let output = env
        .cmd(&["verify", "--checkpoint", checkpoint, "--key", key])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr,
        format!(
            "listdiff: error: {key} is a secret key: give --key its public key, {key}.pub, which `listdiff keygen` wrote beside it\n"
        )
    );
}

#[test]
fn argument_errors_carry_the_listdiff_prefix_and_dates_are_checked() {
    let env = Env::new();
    let output = env.cmd(&["since", "--bogus"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("listdiff: error: unexpected argument '--bogus' found\n"),
        "{stderr}"
    );
    for (date, why) in [
        ("2024-13-01", "there is no month 13"),
        ("2024-00-10", "there is no month 0"),
        ("2023-02-29", "February 2023 has 28 days"),
        ("2024-04-31", "April 2024 has 30 days"),
    ] {
        let output = env.cmd(&["as-of", date]).output().unwrap();
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.starts_with(&format!(
                "listdiff: error: invalid value '{date}' for '<DATE>': \"{date}\" is not a valid date: {why}\n"
            )),
            "{stderr}"
        );
    }
    let output = env.cmd(&["as-of", "12/01/2024"]).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("\"12/01/2024\" is not a date: expected YYYY-MM-DD (e.g. 2024-12-01), today or yesterday"),
        "{stderr}"
    );
}

#[test]
fn today_and_yesterday_are_dates() {
    let env = Env::new();
    env.ok(&["ingest", &repo("snapshots")]);
    // LISTDIFF_NOW is 2026-01-15T09:30:00Z in tests.
    assert_eq!(env.json(&["as-of", "today"])["as_of"], "2026-01-15");
    assert_eq!(env.json(&["as-of", "Yesterday"])["as_of"], "2026-01-14");
    assert_eq!(env.json(&["since", "yesterday"])["from"], "2026-01-14");
    assert_eq!(
        env.json(&["diff", "2024-12-01", "today"])["to"],
        "2026-01-15"
    );
    // The date of LISTDIFF_NOW as it is written, whatever the time zone it is written in.
    let v = env
        .cmd(&["as-of", "today", "-o", "json"])
        .env("LISTDIFF_NOW", "2026-01-15T23:30:00-05:00")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&v.stdout).unwrap();
    assert_eq!(v["as_of"], "2026-01-15");
    // --known-at today: everything recorded by the end of today.
    env.ok(&["as-of", "today", "--known-at", "today"]);
}
