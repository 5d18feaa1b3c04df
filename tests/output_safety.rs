//! Output that is safe to paste: text from publications never reaches a terminal as control or
//! bidi-override characters (they are shown escaped, `\u{1b}`), CSV cells that a spreadsheet
//! would run as formulas are defused, and messages quote input at a bounded length. JSON and
//! NDJSON keep the text exact: they are for programs.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, native};
use serde_json::{Value, json};

/// Every hostile sequence: window title, clear screen, an OSC 8 link, a cursor move, BEL,
/// backspace, DEL, C1 controls (CSI, NEL), tab and newline, every bidi embedding, override and
/// isolate, and the left-to-right and right-to-left marks.
const HOSTILE: &str = "\u{1b}]0;pwned\u{7}|\u{1b}[2J|\u{1b}]8;;http://evil.example/\u{1b}\\link\u{1b}]8;;\u{1b}\\|\u{1b}[5A|\u{7}|\u{8}|\u{7f}|\u{9b}31m|\u{85}|a\tb|c\nd|\u{202a}\u{202b}\u{202c}\u{202d}\u{202e}|\u{2066}\u{2067}\u{2068}\u{2069}|\u{200e}\u{200f}";

/// What entry ids may hold of it (ids refuse control characters): the bidi characters.
const HOSTILE_ID: &str = "id\u{202e}\u{2066}\u{200f}1";

/// The characters that must never reach a terminal raw: controls other than the newline that
/// ends a line, and the bidi controls.
fn forbidden(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

/// Fails naming the first forbidden character in `text` (what `what` printed).
fn assert_clean(what: &str, text: &str) {
    if let Some((at, c)) = text.char_indices().find(|(_, c)| forbidden(*c)) {
        let from = text[..at]
            .char_indices()
            .rev()
            .nth(40)
            .map_or(0, |(i, _)| i);
        panic!(
            "{what} printed {c:?} raw at byte {at}, after {:?}\nwhole output:\n{}",
            &text[from..at],
            text.escape_debug()
        );
    }
}

/// `text` without the SGR sequences (`ESC [ digits and ; m`) that colour output.
fn without_sgr(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("\u{1b}[") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let end = after
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(after.len());
        if after[end..].starts_with('m') {
            rest = &after[end + 1..];
        } else {
            // Not a colour: kept, so that the check finds it.
            out.push_str("\u{1b}[");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Runs listdiff; returns exit code, stdout and stderr, each checked for raw controls.
fn run_clean(env: &Env, args: &[&str]) -> (Option<i32>, String, String) {
    let output = env.cmd(args).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_clean(&format!("listdiff {args:?} (stdout)"), &stdout);
    assert_clean(&format!("listdiff {args:?} (stderr)"), &stderr);
    (output.status.code(), stdout, stderr)
}

/// A native snapshot of list `hostile` with one entry carrying `tag` and the hostile text in its
/// name, reason, country, program, citation and extra, and the hostile text in its source.
fn hostile_snapshot(published: &str, tag: &str) -> String {
    let mut doc: Value = serde_json::from_str(&native(
        "hostile",
        published,
        "snapshot",
        json!({"entries": [
            {
                "id": HOSTILE_ID,
                "name": format!("Acme {tag} {HOSTILE}"),
                "reason": format!("reason {tag} {HOSTILE}"),
                "countries": [format!("Country {HOSTILE}")],
                "programs": [format!("Program {tag} {HOSTILE}")],
                "citations": [format!("89 FR {HOSTILE}")],
                "extra": {"note": format!("{tag} {HOSTILE}")},
            },
            {"id": "plain", "name": "Plain Entry"},
        ]}),
    ))
    .unwrap();
    doc["source"] = json!(format!("source {tag} {HOSTILE}"));
    serde_json::to_string(&doc).unwrap()
}

#[test]
fn control_and_bidi_characters_are_shown_escaped_in_every_human_output() {
    let env = Env::new();
    let day1 = env.write("a.json", hostile_snapshot("2024-01-01", "one"));
    let day2 = env.write("b.json", hostile_snapshot("2024-01-02", "two"));
    let (code, stdout, stderr) = run_clean(&env, &["ingest", &day1, &day2]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    // The ingest line shows the source with its controls escaped.
    assert!(
        stdout.contains("(source one \\u{1b}]0;pwned\\u{7}|\\u{1b}[2J|"),
        "{stdout}"
    );
    for args in [
        &["as-of", "2024-01-02"][..],
        &["since", "2024-01-01"],
        &["diff", "2024-01-01", "2024-01-02"],
        &["history", "acme"],
        &["history", HOSTILE_ID],
        &["log"],
        &["compare", &day1, &day2],
    ] {
        let (code, stdout, _) = run_clean(&env, args);
        assert_eq!(code, Some(0), "{args:?}: {stdout}");
        assert!(stdout.contains("\\u{202e}"), "{args:?}: {stdout}");
    }
    // With colour, the only escape sequences are listdiff's own colours (SGR, `ESC [ … m`).
    let output = env
        .cmd(&["--color", "always", "since", "2024-01-01"])
        .output()
        .unwrap();
    let coloured = String::from_utf8(output.stdout).unwrap();
    assert!(coloured.contains("\u{1b}[1m"), "coloured: {coloured}");
    assert_clean("listdiff --color always since", &without_sgr(&coloured));

    // JSON and NDJSON keep the text exact (as recorded: white space runs, the tab, the newline
    // and NEL among them, are one space, as in every text field).
    let recorded = |text: String| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let as_of = env.json(&["as-of", "2024-01-02"]);
    let entry = &as_of["entries"][0];
    // Ids are the one text that is cleaned: format characters (the bidi marks among them) are
    // taken out when read, with a warning (issue 16 item 6), so the id is stored clean.
    assert_eq!(entry["id"], "id1");
    assert_eq!(entry["name"], recorded(format!("Acme two {HOSTILE}")));
    assert_eq!(entry["reason"], recorded(format!("reason two {HOSTILE}")));
    assert_eq!(entry["extra"]["note"], recorded(format!("two {HOSTILE}")));
    let ndjson = env.ok(&["log", "-o", "ndjson"]);
    let last: Value = serde_json::from_str(ndjson.lines().last().unwrap()).unwrap();
    assert_eq!(last["source"], recorded(format!("source two {HOSTILE}")));
    assert!(
        last["source"]
            .as_str()
            .unwrap()
            .contains("\u{1b}]0;pwned\u{7}")
    );
}

#[test]
fn messages_quoting_hostile_input_show_it_escaped() {
    let env = Env::new();
    // A file whose name holds an escape sequence, in an unknown format.
    let odd = env.write("odd\u{1b}[2J\u{202e}.txt", "not a list at all");
    let (code, _, stderr) = run_clean(&env, &["ingest", &odd]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("odd\\u{1b}[2J\\u{202e}.txt"), "{stderr}");

    // A duplicate id holding bidi characters.
    let dup = env.write(
        "dup.json",
        native(
            "hostile",
            "2024-01-01",
            "snapshot",
            json!({"entries": [{"id": HOSTILE_ID, "name": "A"}, {"id": HOSTILE_ID, "name": "B"}]}),
        ),
    );
    let (code, _, stderr) = run_clean(&env, &["ingest", &dup]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("id\\u{202e}\\u{2066}\\u{200f}1"),
        "{stderr}"
    );

    // A warning quoting an id: an amendment removing an id the list does not hold.
    env.ok(&[
        "ingest",
        &env.write("a.json", hostile_snapshot("2024-01-01", "one")),
    ]);
    let amendment = env.write(
        "c.json",
        native(
            "hostile",
            "2024-01-02",
            "amendment",
            json!({"remove": [format!("gone\u{202e}{HOSTILE_ID}")]}),
        ),
    );
    let (code, stdout, stderr) = run_clean(&env, &["ingest", &amendment]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(stderr.contains("gone\\u{202e}"), "{stderr}");

    // Arguments echoed in errors.
    for args in [
        &["history", "x", "--list", "bad\u{1b}[2J"][..],
        &["as-of", "2024-01-0\u{1b}[2J"],
        &["config", "arch\u{1b}]0;t\u{7}ive"],
    ] {
        let (code, _, stderr) = run_clean(&env, args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("\\u{1b}"), "{args:?}: {stderr}");
    }
}

/// Every line of `text` is under 1 KB (a message quotes at most about 200 characters of input).
fn assert_short_lines(what: &str, text: &str) {
    for line in text.lines() {
        assert!(
            line.len() < 1024,
            "{what}: a line of {} bytes: {}…",
            line.len(),
            &line[..line.char_indices().nth(300).map_or(line.len(), |(i, _)| i)]
        );
    }
}

#[test]
fn messages_quote_at_most_about_two_hundred_characters_of_input() {
    let env = Env::new();
    let huge = "x".repeat(1 << 20);
    // Arguments and environment values are limited to 128 KiB each on Linux.
    let long_arg = "y".repeat(100_000);
    // A model-level id error: an entry id of 1 MB.
    let long_id = env.write(
        "long-id.json",
        native(
            "l",
            "2024-01-01",
            "snapshot",
            json!({"entries": [{"id": huge, "name": "A"}]}),
        ),
    );
    // A list id of 1 MB.
    let long_list = env.write(
        "long-list.json",
        native(
            &"l".repeat(1 << 20),
            "2024-01-01",
            "snapshot",
            json!({"entries": [{"id": "a", "name": "A"}]}),
        ),
    );
    // A duplicate id as long as ids may be (512 bytes).
    let long_dup = "d".repeat(512);
    let dup = env.write(
        "dup.json",
        native(
            "l",
            "2024-01-01",
            "snapshot",
            json!({"entries": [{"id": long_dup, "name": "A"}, {"id": long_dup, "name": "B"}]}),
        ),
    );
    // An amendment given as OLD to compare, whose source (quoted in the error) is 1 MB.
    let mut amendment: Value = serde_json::from_str(&native(
        "l",
        "2024-01-01",
        "amendment",
        json!({"remove": ["a"]}),
    ))
    .unwrap();
    amendment["source"] = json!(huge);
    let amendment = env.write("amendment.json", serde_json::to_string(&amendment).unwrap());
    let valid = env.write(
        "valid.json",
        native(
            "l",
            "2024-01-02",
            "snapshot",
            json!({"entries": [{"id": "a", "name": "A"}]}),
        ),
    );
    for (args, quoted) in [
        (vec!["ingest", long_id.as_str()], true),
        (vec!["ingest", long_list.as_str()], true),
        // Ids are at most 512 bytes, so this message is short; the parser's own wording.
        (vec!["ingest", dup.as_str()], false),
        (vec!["compare", amendment.as_str(), valid.as_str()], true),
        (vec!["history", "x", "--list", long_arg.as_str()], true),
        (vec!["as-of", long_arg.as_str()], true),
        (vec!["config", long_arg.as_str()], true),
    ] {
        let output = env.cmd(&args).output().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        let what = format!("listdiff {}", args[0]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{what}: {}",
            &stderr[..stderr.len().min(2000)]
        );
        assert_short_lines(&what, &stderr);
        if quoted {
            assert!(stderr.contains(" more bytes)"), "{what}: {stderr}");
        }
    }
    let output = env
        .cmd(&["ingest", &valid])
        .env("LISTDIFF_NOW", &long_arg)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_short_lines("LISTDIFF_NOW", &String::from_utf8(output.stderr).unwrap());
}

/// The cells of CSV text, row by row.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// The cell of column `column` in the row whose `key` column is `value`.
fn cell<'a>(rows: &'a [Vec<String>], key: &str, value: &str, column: &str) -> &'a str {
    let header = &rows[0];
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = rows
        .iter()
        .find(|r| r[at(key)] == value)
        .unwrap_or_else(|| panic!("no row with {key} {value:?} in {rows:?}"));
    &row[at(column)]
}

/// Cells beginning with a tab or a carriage return are guarded too (render's unit tests): text
/// fields are trimmed when read, so no input brings one here.
#[test]
fn csv_cells_that_a_spreadsheet_would_run_are_prefixed_with_a_quote() {
    let env = Env::new();
    // (id, name, countries, the countries cell expected): pure numbers, signed or not, are left
    // as they are; any other cell beginning with a sign is prefixed.
    let formulas = [
        (
            "eq",
            "=HYPERLINK(\"http://evil.example\",\"x\")",
            &["-5"][..],
            "-5",
        ),
        ("plus", "+cmd|' /C calc'!A0", &["-1.5"], "-1.5"),
        ("minus", "-2+3+cmd|' /C calc'!A0", &["+7"], "+7"),
        ("at", "@SUM(1+1)", &["+7", "=1"], "'+7; =1"),
        ("dash", "- a note", &["- 5"], "'- 5"),
    ];
    let mut entries: Vec<Value> = formulas
        .iter()
        .map(|(id, name, countries, _)| json!({"id": id, "name": name, "countries": countries}))
        .collect();
    entries.push(json!({"id": "=1+1", "name": "Id Formula"}));
    let mut doc: Value = serde_json::from_str(&native(
        "l",
        "2024-01-01",
        "snapshot",
        json!({ "entries": entries }),
    ))
    .unwrap();
    doc["source"] = json!("=1+1");
    env.ok(&[
        "ingest",
        &env.write("a.json", serde_json::to_string(&doc).unwrap()),
    ]);
    let mut doc: Value = serde_json::from_str(&native(
        "l",
        "2024-01-02",
        "amendment",
        json!({"remove": ["dash"]}),
    ))
    .unwrap();
    doc["source"] = json!("@cmd");
    env.ok(&[
        "ingest",
        &env.write("b.json", serde_json::to_string(&doc).unwrap()),
    ]);

    let rows = csv_rows(&env.ok(&["as-of", "2024-01-01", "-o", "csv"]));
    for (id, name, _, countries) in formulas {
        assert_eq!(cell(&rows, "id", id, "name"), format!("'{name}"), "{id}");
        assert_eq!(cell(&rows, "id", id, "countries"), countries, "{id}");
    }
    assert_eq!(cell(&rows, "name", "Id Formula", "id"), "'=1+1");
    let log = csv_rows(&env.ok(&["log", "-o", "csv"]));
    assert_eq!(cell(&log, "seq", "1", "source"), "'=1+1");
    assert_eq!(cell(&log, "seq", "2", "source"), "'@cmd");
    let since = csv_rows(&env.ok(&["since", "2024-01-01", "-o", "csv"]));
    assert_eq!(cell(&since, "change", "removed", "source"), "'@cmd");
    assert_eq!(cell(&since, "id", "dash", "name"), "'- a note");
    let history = csv_rows(&env.ok(&["history", "eq", "-o", "csv"]));
    assert_eq!(
        cell(&history, "id", "eq", "name"),
        format!("'{}", formulas[0].1)
    );

    // --csv-raw writes the exact values.
    let rows = csv_rows(&env.ok(&["as-of", "2024-01-01", "-o", "csv", "--csv-raw"]));
    for (id, name, _, _) in formulas {
        assert_eq!(cell(&rows, "id", id, "name"), name, "{id}");
    }
    assert_eq!(cell(&rows, "name", "Id Formula", "id"), "=1+1");
    let log = csv_rows(&env.ok(&["log", "-o", "csv", "--csv-raw"]));
    assert_eq!(cell(&log, "seq", "2", "source"), "@cmd");
}
