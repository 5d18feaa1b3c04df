//! Progress bars and `--quiet` (issue 14, item 2), through the binary: a bar on standard error
//! only when it is a terminal and the ingest lasts, cleared before what the ingest did is told;
//! `--quiet` leaves the answer, warnings, notes on the answer and errors, and nothing else.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, repo};

/// How long each input's check (and each input's recording) takes in the slow ingests below
/// (`LISTDIFF_TEST_SLOW_PROGRESS`, debug builds): five inputs last well past the bar's delay.
const SLOW_MS: &str = "400";

/// The five inputs of the example Entity List, recorded in one ingest.
fn entity_list() -> String {
    repo("snapshots/us-bis-entity-list")
}

/// The closing line of a first ingest of [`entity_list`] into `env`.
fn summary(env: &Env) -> String {
    format!(
        "5 recorded, 0 already recorded, in {}",
        env.store().display()
    )
}

#[test]
fn a_quiet_ingest_prints_nothing_when_it_succeeds() {
    let env = Env::new();
    let dir = env.dir.path().join("inputs");
    std::fs::create_dir(&dir).unwrap();
    for name in ["2024-11-15-snapshot.json", "2024-12-04-amendment.json"] {
        std::fs::copy(format!("{}/{name}", entity_list()), dir.join(name)).unwrap();
    }
    // A file skipped with a note.
    std::fs::write(dir.join("2024-12-05-empty.json"), "").unwrap();
    let dir = dir.to_str().unwrap();

    let loud = Env::new();
    let output = loud.cmd(&["ingest", dir]).output().unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("2 recorded"));
    assert!(String::from_utf8_lossy(&output.stderr).contains("listdiff: note: skipped"));

    for args in [["-q", "ingest", dir], ["ingest", "--quiet", dir]] {
        let env = Env::new();
        let output = env.cmd(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}: {output:?}");
        assert!(output.stdout.is_empty(), "{args:?}: {output:?}");
        assert!(output.stderr.is_empty(), "{args:?}: {output:?}");
        // It was recorded all the same.
        assert!(env.ok(&["log"]).contains("2024-12-04"));
    }
    // Recognised as recorded already: nothing either.
    env.ok(&["ingest", "-q", dir]);
    let output = env.cmd(&["ingest", "-q", dir]).output().unwrap();
    assert!(output.status.success());
    assert!(
        output.stdout.is_empty() && output.stderr.is_empty(),
        "{output:?}"
    );
}

#[test]
fn a_quiet_ingest_still_says_its_errors_and_warnings() {
    let env = Env::new();
    let missing = env.dir.path().join("missing.csv");
    let output = env
        .cmd(&["ingest", "-q", missing.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).starts_with("listdiff: error: "),
        "{output:?}"
    );

    // A snapshot the drop guard refuses.
    let list = entity_list();
    env.ok(&["ingest", &format!("{list}/2024-11-15-snapshot.json")]);
    let cut = env.write(
        "2024-11-20-snapshot.json",
        r#"{"list":"us-bis-entity-list","published":"2024-11-20","kind":"snapshot","entries":[{"id":"x","name":"X"}]}"#,
    );
    let output = env.cmd(&["ingest", "-q", &cut]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("listdiff: error: "), "{stderr}");
    assert!(stderr.contains("--allow-drop"), "{stderr}");
    assert!(output.stdout.is_empty());

    // What the reader noted of an input is a warning: said, quiet or not.
    let xml = std::fs::read(repo("tests/fixtures/ofac-xml/2024-03-01/SDN.XML")).unwrap();
    let at = xml.windows(13).position(|w| w == b"AEROCARIBBEAN").unwrap();
    let mut latin1 = xml.clone();
    latin1[at + 10] = 0xE9;
    let sdn = env.write("2024-03-01/SDN.XML", latin1);
    let output = env.cmd(&["ingest", "-q", &sdn]).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(output.stdout.is_empty(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("listdiff: warning: "), "{stderr}");
    assert!(stderr.contains("(0xE9) is not UTF-8"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn since_quiet_prints_its_answer_and_its_warnings() {
    let env = Env::new();
    env.ok(&["ingest", "-q", &entity_list()]);
    let loud = env.ok(&["since", "2024-12-01"]);
    let quiet = env.ok(&["since", "-q", "2024-12-01"]);
    assert!(loud.contains("cn-meiya-pico"), "{loud}");
    assert_eq!(quiet, loud);

    // A stale answer: the answer, its warning and exit 5.
    let output = env
        .cmd(&["-q", "since", "2024-12-01", "--max-age", "1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(5));
    assert_eq!(String::from_utf8_lossy(&output.stdout), loud);
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("listdiff: warning: us-bis-entity-list"),
        "{output:?}"
    );

    // With -o csv, what the answer stands on is said beside it, quiet or not.
    let output = env
        .cmd(&["since", "-q", "2024-12-01", "-o", "csv"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("listdiff: note: basis: "),
        "{output:?}"
    );
}

#[test]
fn other_commands_telling_what_they_did_are_quiet_too() {
    let env = Env::new();
    env.ok(&["ingest", "-q", &entity_list()]);
    assert!(env.ok(&["rebuild"]).contains("rebuilt the indexes"));
    assert_eq!(env.ok(&["rebuild", "-q"]), "");
    assert!(!env.ok(&["retract", "2", "--reason", "test"]).is_empty());
    assert_eq!(env.ok(&["retract", "-q", "3", "--reason", "test"]), "");
    // A setting read is an answer: printed, quiet or not.
    assert_eq!(env.ok(&["config", "-q", "archive"]).trim(), "off");
}

#[test]
fn a_slow_ingest_into_a_pipe_draws_no_bar() {
    let env = Env::new();
    let output = env
        .cmd(&["ingest", &entity_list()])
        .env("LISTDIFF_TEST_SLOW_PROGRESS", SLOW_MS)
        .env("TERM", "xterm")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(output.stderr.is_empty(), "{output:?}");
    for bytes in [&output.stdout, &output.stderr] {
        assert!(
            !bytes.contains(&b'\r') && !bytes.contains(&0x1b),
            "{output:?}"
        );
    }
    assert!(String::from_utf8_lossy(&output.stdout).ends_with(&format!("{}\n", summary(&env))));
}

/// Runs listdiff with standard output and standard error on one terminal of 100 × 24 (as in an
/// interactive shell) and returns its exit code and what it wrote there (line ends as `\n`).
#[cfg(unix)]
fn on_terminal(env: &Env, args: &[&str], slow: bool) -> (Option<i32>, String) {
    let (terminal, master) = common::pty::open(100);
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_listdiff"));
    cmd.arg("--store")
        .arg(env.store())
        .args(args)
        .env("LISTDIFF_NOW", "2026-01-15T09:30:00Z")
        .env_remove("LISTDIFF_STORE")
        .env_remove("COLUMNS")
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    if slow {
        cmd.env("LISTDIFF_TEST_SLOW_PROGRESS", SLOW_MS);
    }
    cmd.stdin(std::process::Stdio::null())
        .stdout(terminal.try_clone().unwrap())
        .stderr(terminal.try_clone().unwrap());
    common::pty::own_session(&mut cmd);
    let reader = common::pty::drain(master);
    let status = cmd.status().unwrap();
    drop(cmd);
    drop(terminal);
    let bytes = reader.join().unwrap();
    (
        status.code(),
        String::from_utf8_lossy(&bytes).replace("\r\n", "\n"),
    )
}

#[cfg(unix)]
#[test]
fn a_slow_ingest_on_a_terminal_shows_a_bar_then_clears_it_before_telling() {
    let env = Env::new();
    let (code, text) = on_terminal(&env, &["ingest", &entity_list()], true);
    assert_eq!(code, Some(0), "{text:?}");
    // The bar was drawn: redrawn in place, counting the inputs.
    assert!(text.contains('\x1b'), "{text:?}");
    assert!(text.contains("/5 inputs"), "{text:?}");
    // After the bar's last trace, the lines of what was recorded, whole and in order.
    let last = text.rfind('\x1b').unwrap();
    let after = text[last..].strip_prefix("\x1b[2K").unwrap();
    assert!(!after.contains('\r'), "{after:?}");
    let lines: Vec<&str> = after.lines().collect();
    assert_eq!(lines.len(), 6, "{after:?}");
    assert!(lines[0].starts_with("recorded event 1: us-bis-entity-list 2024-11-15 snapshot"));
    assert_eq!(lines[5], summary(&env));
}

#[cfg(unix)]
#[test]
fn on_a_terminal_a_quick_or_quiet_ingest_draws_no_bar() {
    let env = Env::new();
    let (code, text) = on_terminal(&env, &["ingest", &entity_list()], false);
    assert_eq!(code, Some(0), "{text:?}");
    assert!(!text.contains('\x1b') && !text.contains('\r'), "{text:?}");
    assert!(text.ends_with(&format!("{}\n", summary(&env))), "{text:?}");

    let env = Env::new();
    let (code, text) = on_terminal(&env, &["ingest", "--quiet", &entity_list()], true);
    assert_eq!(code, Some(0), "{text:?}");
    assert_eq!(text, "");
    assert!(env.ok(&["log"]).contains("2024-12-18"));
}

#[cfg(unix)]
#[test]
fn a_line_said_while_the_bar_is_drawn_is_whole() {
    use listdiff::store::{Access, Store};

    let env = Env::new();
    let other = env.write(
        "2024-01-01-other.json",
        common::native(
            "other",
            "2024-01-01",
            "snapshot",
            serde_json::json!({"entries": [{"id": "a", "name": "A"}]}),
        ),
    );
    env.ok(&["ingest", &other]);
    // Another process holds the store: the ingest checks its inputs (its bar drawn after a
    // second), then waits for the store, saying so, until it is let go.
    let held = Store::open(&env.store(), Access::Read).unwrap();
    let list = entity_list();
    let store = env.store();
    let (code, text) = std::thread::scope(|scope| {
        let running = scope.spawn(|| on_terminal(&env, &["ingest", &list], true));
        std::thread::sleep(std::time::Duration::from_millis(5000));
        drop(held);
        running.join().unwrap()
    });
    assert_eq!(code, Some(0), "{text:?}");
    let waiting = format!(
        "listdiff: waiting for the store at {} (used by another listdiff process); --wait 0 fails at once\n",
        store.display()
    );
    let at = text.find(&waiting).unwrap_or_else(|| panic!("{text:?}"));
    assert!(
        text[..at].ends_with("\x1b[2K") || text[..at].ends_with('\n'),
        "the line begins a line of its own: {text:?}"
    );
    // The bar was drawn before it, and again after it.
    assert!(text[..at].contains("/5 inputs"), "{text:?}");
    assert!(text[at..].contains("publications"), "{text:?}");
    assert!(text.ends_with(&format!("{}\n", summary(&env))), "{text:?}");
}
