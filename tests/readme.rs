//! Every example in README.md, run: a README that shows output listdiff does not print fails
//! here, so the examples cannot drift from the tool (issue 12 item 19).
//!
//! **What is an example.** A fenced ```` ```text ```` block holding a line that starts with `$ `.
//! Each `$ ` line is a command (a line ending in `\` continues on the next); the lines after it,
//! up to the next `$ ` line, are what it prints (a block of another language with a `$ ` line is
//! refused: examples are `text`). Every example must be preceded (blank lines
//! aside) by an HTML comment, invisible on GitHub, naming its scenario:
//!
//! - `<!-- example: NAME -->` runs the block in a fresh directory prepared by the scenario
//!   `NAME` (see [`scenario`]: the inputs the commands name, at the relative paths the README
//!   shows, and any earlier commands the block assumes, such as `listdiff ingest snapshots/`);
//! - `<!-- example: NAME, continued -->` runs the block after the last block of `NAME`, in the
//!   same directory and the same shell, so a walk-through told in several blocks is run as one.
//!
//! An example block without a comment, a comment with no example after it, or an unknown
//! scenario is a failure, never a skip. Scenarios on the real published files
//! (`../shared/data/real`) are skipped, and say so, when those are absent, like the rest of the
//! suite ([`RealData::or_skip`]).
//!
//! **How a block runs.** The commands of a chain of blocks run in order in one `sh`, in the
//! scenario's directory, with the cargo-built `listdiff` first on `PATH`, `HOME` the directory
//! (so the default store is `$HOME/.local/share/listdiff`; the directory's path is shown as
//! `/home/you`), `LISTDIFF_NOW=2026-01-15T09:30:00Z` (the suite's clock), `NO_COLOR=1`,
//! `COLUMNS=100`, `LC_ALL=C`, and no `LISTDIFF_STORE` or `XDG_DATA_HOME` (a block may `export`
//! them). Pipes and redirections work as in a terminal.
//!
//! **How output is compared.** Line by line, exactly, except:
//! - Standard output and standard error are captured apart, and the README may show their lines
//!   interleaved in any order that keeps each stream's own order (a terminal interleaves them by
//!   timing, and a pipe's reader prints when it likes).
//! - Blank lines at the end of a command's output, before the next `$ ` line, are a separator.
//! - A line that is only `…` stands for any number of lines; a line ending in `…` matches a line
//!   that starts with the text before it (prefer exact output: use these only where the whole
//!   output would drown the point).
//! - Values that differ on every run — store ids and key ids (16 hexadecimal digits), Ed25519
//!   signatures (128) — are matched consistently: the same value in the README must be the same
//!   value in the output everywhere in a chain, and different values different ones. SHA-256
//!   digests and Merkle roots (64 digits) are compared exactly.
//!
//! **Exit codes.** Every command must succeed (exit 0), unless the line after its output is
//! `$ echo $?`: then its exit code is what that line prints, compared like any output.
//!
//! The quickstart's one-line command (a `sh` block, since it runs cargo) is checked by
//! [`the_quickstart_line_prints_what_the_readme_shows`]: the listdiff commands of the line run
//! as in any scenario and the last one must print the block after it; cargo is not run.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{RealData, repo};

/// The clock every example runs with (the suite's fixed clock).
const NOW: &str = "2026-01-15T09:30:00Z";

/// What the README shows in place of the scenario's directory (the example's `$HOME`).
const SHOWN_HOME: &str = "/home/you";

// ----------------------------------------------------------------------------------------------
// Reading the README

/// One `$ ` command of an example block, and what the README shows it printing.
#[derive(Debug, Clone)]
struct Example {
    /// The README line of its `$ `.
    line: usize,
    /// The command, without `$ ` (continuation lines included, joined with newlines).
    command: String,
    /// The lines the README shows after it, trailing blank lines left out.
    expected: Vec<String>,
}

/// An example block: a fenced `text` block with `$ ` lines.
#[derive(Debug, Clone)]
struct Block {
    /// The README line of its opening fence.
    line: usize,
    /// Its commands, in order.
    examples: Vec<Example>,
}

/// Blocks run one after another in one directory and one shell.
#[derive(Debug)]
struct Chain {
    /// The scenario that prepares the directory.
    scenario: String,
    /// The blocks, in README order.
    blocks: Vec<Block>,
}

/// The README's example blocks grouped into chains, or every problem found reading them.
fn chains(readme: &str) -> Result<Vec<Chain>, Vec<String>> {
    let mut problems = Vec::new();
    let mut chains: Vec<Chain> = Vec::new();
    // The marker waiting for its block: (line, scenario, continued).
    let mut marker: Option<(usize, String, bool)> = None;
    let lines: Vec<&str> = readme.lines().collect();
    let mut index = 0;
    while index < lines.len() {
        let line_no = index + 1;
        let line = lines[index];
        if let Some(rest) = line.trim().strip_prefix("<!-- example:") {
            if let Some((at, name, _)) = &marker {
                problems.push(format!(
                    "README.md:{at}: the example marker `{name}` is not followed by an example block"
                ));
            }
            let Some(body) = rest.strip_suffix("-->") else {
                problems.push(format!(
                    "README.md:{line_no}: an example marker must be one line, `<!-- example: NAME -->`"
                ));
                index += 1;
                continue;
            };
            let body = body.trim();
            let (name, continued) = match body.strip_suffix(", continued") {
                Some(name) => (name.trim().to_string(), true),
                None => (body.to_string(), false),
            };
            marker = Some((line_no, name, continued));
            index += 1;
            continue;
        }
        if let Some(language) = line.strip_prefix("```") {
            let language = language.trim().to_string();
            let start = index;
            index += 1;
            let mut body = Vec::new();
            while index < lines.len() && !lines[index].starts_with("```") {
                body.push((index + 1, lines[index]));
                index += 1;
            }
            index += 1; // the closing fence
            let is_example = body.iter().any(|(_, l)| l.starts_with("$ "));
            if is_example && language != "text" {
                problems.push(format!(
                    "README.md:{}: a `{language}` block with `$ ` commands: write examples as `text` blocks, which this test runs",
                    start + 1
                ));
                marker = None;
                continue;
            }
            match (is_example, marker.take()) {
                (true, None) => problems.push(format!(
                    "README.md:{}: this example block has no `<!-- example: SCENARIO -->` before it, so no test runs it",
                    start + 1
                )),
                (false, Some((at, name, _))) => problems.push(format!(
                    "README.md:{at}: the example marker `{name}` is followed by a block with no `$ ` command"
                )),
                (false, None) => {}
                (true, Some((_, name, continued))) => match block(start + 1, &body) {
                    Err(problem) => problems.push(problem),
                    Ok(block) if continued => {
                        match chains.iter_mut().rev().find(|c| c.scenario == name) {
                            Some(chain) => chain.blocks.push(block),
                            None => problems.push(format!(
                                "README.md:{}: `{name}, continued` continues no earlier block of `{name}`",
                                start + 1
                            )),
                        }
                    }
                    Ok(block) => chains.push(Chain {
                        scenario: name,
                        blocks: vec![block],
                    }),
                },
            }
            continue;
        }
        if !line.trim().is_empty()
            && let Some((at, name, _)) = marker.take()
        {
            problems.push(format!(
                "README.md:{at}: the example marker `{name}` is followed by text, not by its block"
            ));
        }
        index += 1;
    }
    if let Some((at, name, _)) = marker {
        problems.push(format!(
            "README.md:{at}: the example marker `{name}` is not followed by an example block"
        ));
    }
    if problems.is_empty() {
        Ok(chains)
    } else {
        Err(problems)
    }
}

/// The commands of one example block (its lines with their README line numbers).
fn block(fence_line: usize, body: &[(usize, &str)]) -> Result<Block, String> {
    let mut examples: Vec<Example> = Vec::new();
    let mut lines = body.iter().peekable();
    while let Some(&(line_no, line)) = lines.next() {
        if let Some(command) = line.strip_prefix("$ ") {
            let mut command = command.to_string();
            while command.ends_with('\\') {
                let Some(&(_, next)) = lines.next() else {
                    return Err(format!(
                        "README.md:{line_no}: the command ends in `\\` but the block ends"
                    ));
                };
                command.push('\n');
                command.push_str(next);
            }
            examples.push(Example {
                line: line_no,
                command,
                expected: Vec::new(),
            });
        } else {
            match examples.last_mut() {
                Some(example) => example.expected.push(line.to_string()),
                None => {
                    return Err(format!(
                        "README.md:{fence_line}: the block shows output before its first `$ ` command"
                    ));
                }
            }
        }
    }
    for example in &mut examples {
        while example.expected.last().is_some_and(|l| l.trim().is_empty()) {
            example.expected.pop();
        }
    }
    Ok(Block {
        line: fence_line,
        examples,
    })
}

// ----------------------------------------------------------------------------------------------
// Scenarios

/// What a scenario needs before it can prepare its directory.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Needs {
    /// Only the repository.
    Repository,
    /// The real published files of ../shared/data/real.
    RealData,
}

/// A scenario: what it needs, and how it prepares the directory an example runs in.
struct Scenario {
    /// Whether it reads the real published files.
    needs: Needs,
    /// Prepares the directory (copies inputs, runs the commands the example assumes).
    prepare: fn(&Setup),
}

/// Every scenario a README example may name.
fn scenario(name: &str) -> Option<Scenario> {
    let (needs, prepare): (Needs, fn(&Setup)) = match name {
        "snapshots" | "audit" => (Needs::Repository, |s| s.copy_snapshots()),
        "snapshots-recorded" => (Needs::Repository, |s| {
            s.copy_snapshots();
            s.run("listdiff ingest snapshots/");
        }),
        "rules" => (Needs::Repository, prepare_rules),
        "uflpa" => (Needs::Repository, prepare_uflpa),
        "sdn-2024" => (Needs::RealData, |s| {
            s.link_real("ofac-sdn/2024-02-28", "ofac-sdn/2024-02-28");
            s.link_real("ofac-sdn/2024-03-04", "ofac-sdn/2024-03-04");
            s.run("listdiff ingest ofac-sdn/2024-02-28 ofac-sdn/2024-03-04");
        }),
        "sdn-cut-download" => (Needs::RealData, prepare_cut_download),
        "real-rule-and-uflpa" => (Needs::RealData, |s| {
            s.link_real("federal-register", "federal-register");
            s.link_real("dhs-uflpa", "dhs-uflpa");
        }),
        "sdn-compare" => (Needs::RealData, |s| {
            s.link_real("ofac-sdn/2024-02-28/sdn.csv", "sdn-2024-02-28.csv");
            s.link_real("ofac-sdn/2024-03-04/sdn.csv", "sdn-2024-03-04.csv");
        }),
        _ => return None,
    };
    Some(Scenario { needs, prepare })
}

/// Event 1 a snapshot of list `x`; `rules/` two Federal Register amendments of one day
/// (`89 FR 1` adding `x-2`, `89 FR 2` adding `x-3`) and a corrected `89 FR 1` adding `x-4` and
/// `x-5` instead.
fn prepare_rules(setup: &Setup) {
    let entry = |id: &str, name: &str| serde_json::json!({"id": id, "name": name});
    let publication = |published: &str, source: Option<&str>, body: serde_json::Value| {
        let mut doc = serde_json::json!({"list": "x", "published": published});
        if let Some(source) = source {
            doc["source"] = source.into();
        }
        for (key, value) in body.as_object().unwrap() {
            doc[key] = value.clone();
        }
        serde_json::to_string_pretty(&doc).unwrap()
    };
    setup.write(
        "x-2024-12-01.json",
        &publication(
            "2024-12-01",
            Some("x 2024-12-01"),
            serde_json::json!({"kind": "snapshot", "entries": [entry("x-1", "First Co")]}),
        ),
    );
    setup.run("listdiff ingest x-2024-12-01.json");
    for (file, source, added) in [
        ("89-FR-1.json", "89 FR 1", vec![entry("x-2", "Second Co")]),
        ("89-FR-2.json", "89 FR 2", vec![entry("x-3", "Third Co")]),
        (
            "89-FR-1-corrected.json",
            "89 FR 1",
            vec![entry("x-4", "Fourth Co"), entry("x-5", "Fifth Co")],
        ),
    ] {
        setup.write(
            &format!("rules/{file}"),
            &publication(
                "2024-12-05",
                Some(source),
                serde_json::json!({"kind": "amendment", "add": added}),
            ),
        );
    }
}

/// `uflpa.csv`: a few rows of the DHS UFLPA Entity List's columns.
fn prepare_uflpa(setup: &Setup) {
    setup.write(
        "uflpa.csv",
        "Entity Name,Also Known As,Country\n\
         Xinjiang Production and Construction Corps,XPCC; Xinjiang Corps,China\n\
         Hoshine Silicon Industry (Shanshan) Co. Ltd,,China\n\
         \"Hefei Bitland Information Technology Co., Ltd.\",Bitland,China\n",
    );
}

/// The store holding the real SDN file of 2024-03-04 (14,426 entries), and
/// `downloads/2024-03-05/sdn.csv`: its first 9,618 lines, ended as OFAC ends its files (with
/// the byte 0x1A), a download that lost a third of the list.
fn prepare_cut_download(setup: &Setup) {
    setup.link_real("ofac-sdn/2024-03-04", "ofac-sdn/2024-03-04");
    setup.run("listdiff ingest ofac-sdn/2024-03-04");
    let whole = std::fs::read(setup.real_file("ofac-sdn/2024-03-04/sdn.csv")).unwrap();
    let mut cut: Vec<u8> = whole
        .split_inclusive(|&b| b == b'\n')
        .take(9618)
        .flatten()
        .copied()
        .collect();
    cut.push(0x1a);
    setup.write_bytes("downloads/2024-03-05/sdn.csv", &cut);
}

/// The directory a chain runs in, while its scenario prepares it.
struct Setup<'a> {
    /// The directory (the example's `$HOME` and working directory).
    dir: &'a Path,
    /// The real published files, for the scenarios that need them.
    real: Option<&'a RealData>,
}

impl Setup<'_> {
    /// Copies the repository's `snapshots/` into the directory.
    fn copy_snapshots(&self) {
        copy_dir(Path::new(&repo("snapshots")), &self.dir.join("snapshots"));
    }

    /// Writes a text file (parents created).
    fn write(&self, path: &str, text: &str) {
        self.write_bytes(path, text.as_bytes());
    }

    /// Writes a file (parents created).
    fn write_bytes(&self, path: &str, bytes: &[u8]) {
        let path = self.dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// The full path of a file under the real data.
    fn real_file(&self, path: &str) -> String {
        self.real
            .expect("a scenario that reads real files says so")
            .file(path)
    }

    /// Makes `at` a symbolic link to the real data's `path`.
    fn link_real(&self, path: &str, at: &str) {
        let target = self.real_file(path);
        let link = self.dir.join(at);
        std::fs::create_dir_all(link.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, link).unwrap();
    }

    /// Runs a shell command as the examples run, which must succeed.
    fn run(&self, command: &str) {
        let output = shell(self.dir)
            .arg("-c")
            .arg(command)
            .output()
            .expect("sh runs");
        assert!(
            output.status.success(),
            "preparing the scenario: `{command}` failed ({:?})\nstdout: {}\nstderr: {}",
            output.status.code(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Copies a directory tree.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `sh` in `dir` with the examples' environment.
fn shell(dir: &Path) -> Command {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_listdiff"));
    let mut path = binary.parent().unwrap().as_os_str().to_owned();
    if let Some(system) = std::env::var_os("PATH") {
        path.push(":");
        path.push(system);
    }
    let mut command = Command::new("sh");
    command
        .current_dir(dir)
        .env_clear()
        .env("PATH", path)
        .env("HOME", dir)
        .env("LISTDIFF_NOW", NOW)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env("LC_ALL", "C");
    if let Some(tmp) = std::env::var_os("TMPDIR") {
        command.env("TMPDIR", tmp);
    }
    command
}

// ----------------------------------------------------------------------------------------------
// Running a chain

/// What one command printed, and how it ended.
#[derive(Debug, Default, Clone)]
struct Actual {
    /// Its standard output, as lines.
    stdout: Vec<String>,
    /// Its standard error, as lines.
    stderr: Vec<String>,
    /// Its exit code (`None`: the shell never reached it, or it was killed).
    status: Option<i32>,
}

/// Runs every command of a chain in one shell in `dir`; what each printed, in order.
fn run_chain(dir: &Path, examples: &[&Example]) -> Vec<Actual> {
    let captures = tempfile::tempdir().unwrap();
    let cap = captures.path().display().to_string();
    let mut script = String::new();
    for (n, example) in examples.iter().enumerate() {
        // The braces keep `export` and `cd` in this shell; `(exit $s)` gives the next command
        // (`echo $?`) this one's exit code.
        writeln!(
            script,
            "{{\n{}\n}} >'{cap}/{n}.out' 2>'{cap}/{n}.err'\n__s=$?; echo $__s >'{cap}/{n}.status'; (exit $__s)",
            example.command
        )
        .unwrap();
    }
    let script_path = captures.path().join("script.sh");
    std::fs::write(&script_path, script).unwrap();
    let output = shell(dir).arg(&script_path).output().expect("sh runs");
    let shell_said = String::from_utf8_lossy(&output.stderr).trim().to_string();
    let shown = |path: PathBuf| -> Vec<String> {
        let text = std::fs::read(path).unwrap_or_default();
        let text = String::from_utf8_lossy(&text).into_owned();
        normalise_paths(&text, dir)
            .lines()
            .map(str::to_string)
            .collect()
    };
    let mut actual: Vec<Actual> = (0..examples.len())
        .map(|n| Actual {
            stdout: shown(captures.path().join(format!("{n}.out"))),
            stderr: shown(captures.path().join(format!("{n}.err"))),
            status: std::fs::read_to_string(captures.path().join(format!("{n}.status")))
                .ok()
                .and_then(|s| s.trim().parse().ok()),
        })
        .collect();
    // A command the shell never reached (a syntax error before it) has no exit code: say why.
    if let Some(first_missing) = actual.iter_mut().find(|a| a.status.is_none()) {
        first_missing.stderr.push(format!(
            "(the shell did not run this command: {shell_said})"
        ));
    }
    for each in &mut actual {
        for lines in [&mut each.stdout, &mut each.stderr] {
            while lines.last().is_some_and(|l| l.trim().is_empty()) {
                lines.pop();
            }
        }
    }
    actual
}

/// The directory's path, wherever it appears, as the README shows it.
fn normalise_paths(text: &str, dir: &Path) -> String {
    let mut text = text.to_string();
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    for form in [canonical.as_path(), dir] {
        text = text.replace(&form.display().to_string(), SHOWN_HOME);
    }
    text
}

/// Runs a chain and compares every command's output with the README; the failures, each
/// naming its README line and showing the expected and actual output.
fn check_chain(chain: &Chain, real: Option<&RealData>) -> Vec<String> {
    let scenario = scenario(&chain.scenario).unwrap();
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().canonicalize().unwrap();
    (scenario.prepare)(&Setup { dir: &dir, real });
    let examples: Vec<&Example> = chain.blocks.iter().flat_map(|b| &b.examples).collect();
    let mut actual = run_chain(&dir, &examples);
    let mut expected: Vec<Vec<String>> = examples.iter().map(|e| e.expected.clone()).collect();
    number_random_values(&mut expected, &mut actual);
    let mut failures = Vec::new();
    let mut n = 0;
    for block in &chain.blocks {
        for example in &block.examples {
            let followed_by_status = examples
                .get(n + 1)
                .is_some_and(|next| next.command.trim() == "echo $?");
            let got = &actual[n];
            let mut problems = Vec::new();
            if !interleaves(&expected[n], &got.stdout, &got.stderr) {
                problems.push("its output differs from what the README shows".to_string());
            }
            if got.status != Some(0) && !followed_by_status {
                problems.push(format!(
                    "it exited with {} (a command that fails must be followed by `$ echo $?` showing its exit code)",
                    got.status
                        .map_or_else(|| "no exit code".to_string(), |c| c.to_string())
                ));
            }
            if !problems.is_empty() {
                failures.push(report(chain, block, example, &expected[n], got, &problems));
            }
            n += 1;
        }
    }
    failures
}

/// One failure: where, what, and expected against actual.
fn report(
    chain: &Chain,
    block: &Block,
    example: &Example,
    expected: &[String],
    actual: &Actual,
    problems: &[String],
) -> String {
    let indent = |lines: &[String]| -> String {
        if lines.is_empty() {
            "    (nothing)\n".to_string()
        } else {
            lines.iter().map(|l| format!("    {l}\n")).collect()
        }
    };
    format!(
        "README.md:{} (the block at line {}, scenario `{}`): `$ {}`: {}\n  the README shows:\n{}  standard output:\n{}  standard error:\n{}  exit code: {:?}\n",
        example.line,
        block.line,
        chain.scenario,
        example.command,
        problems.join("; "),
        indent(expected),
        indent(&actual.stdout),
        indent(&actual.stderr),
        actual.status
    )
}

// ----------------------------------------------------------------------------------------------
// Comparing

/// Whether `expected` is `stdout` and `stderr` interleaved, each in its own order, with the
/// README's elisions: a line `…` stands for any lines, and a line ending in `…` matches a line
/// that starts with the text before it.
fn interleaves(expected: &[String], stdout: &[String], stderr: &[String]) -> bool {
    let mut failed = HashSet::new();
    interleaves_from(expected, stdout, stderr, (0, 0, 0), &mut failed)
}

/// [`interleaves`] from the given positions; `failed` remembers positions that cannot match.
fn interleaves_from(
    expected: &[String],
    stdout: &[String],
    stderr: &[String],
    at: (usize, usize, usize),
    failed: &mut HashSet<(usize, usize, usize)>,
) -> bool {
    let (e, o, r) = at;
    if e == expected.len() {
        return o == stdout.len() && r == stderr.len();
    }
    if failed.contains(&at) {
        return false;
    }
    let line = &expected[e];
    let found = if line.trim() == "…" {
        // Any number of lines: none, or one more of either stream.
        interleaves_from(expected, stdout, stderr, (e + 1, o, r), failed)
            || (o < stdout.len()
                && interleaves_from(expected, stdout, stderr, (e, o + 1, r), failed))
            || (r < stderr.len()
                && interleaves_from(expected, stdout, stderr, (e, o, r + 1), failed))
    } else {
        (o < stdout.len()
            && line_matches(line, &stdout[o])
            && interleaves_from(expected, stdout, stderr, (e + 1, o + 1, r), failed))
            || (r < stderr.len()
                && line_matches(line, &stderr[r])
                && interleaves_from(expected, stdout, stderr, (e + 1, o, r + 1), failed))
    };
    if !found {
        failed.insert(at);
    }
    found
}

/// Whether a README line shows an output line: equal, or ending in `…` and a prefix of it.
fn line_matches(shown: &str, printed: &str) -> bool {
    shown == printed
        || shown
            .strip_suffix('…')
            .is_some_and(|prefix| printed.starts_with(prefix))
}

/// Replaces every run value (a run of exactly 16 or 128 hexadecimal digits) in the README's
/// lines and in the output by `<random N>`, N counting distinct values in order of first
/// appearance, command by command: so equal outputs stay equal exactly when the README uses
/// its values as consistently as the run does.
fn number_random_values(expected: &mut [Vec<String>], actual: &mut [Actual]) {
    let mut shown = HashMap::new();
    let mut printed = HashMap::new();
    for (lines, got) in expected.iter_mut().zip(actual.iter_mut()) {
        for line in lines.iter_mut() {
            *line = number_in(line, &mut shown);
        }
        for line in got.stdout.iter_mut().chain(got.stderr.iter_mut()) {
            *line = number_in(line, &mut printed);
        }
    }
}

/// [`number_random_values`] on one line.
fn number_in(line: &str, seen: &mut HashMap<String, usize>) -> String {
    let mut out = String::new();
    let mut rest = line;
    while !rest.is_empty() {
        let run = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let (word, tail) = rest.split_at(run);
        let is_random =
            (word.len() == 16 || word.len() == 128) && word.bytes().all(|b| b.is_ascii_hexdigit());
        if is_random {
            let next = seen.len() + 1;
            let n = *seen.entry(word.to_string()).or_insert(next);
            write!(out, "<random {n}>").unwrap();
        } else {
            out.push_str(word);
        }
        let skip = tail.chars().next().map_or(0, char::len_utf8);
        out.push_str(&tail[..skip]);
        rest = &tail[skip..];
    }
    out
}

// ----------------------------------------------------------------------------------------------
// The tests

/// The README's chains, failing the test with every problem found reading them.
fn readme_chains() -> Vec<Chain> {
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    match chains(&readme) {
        Ok(chains) => chains,
        Err(problems) => panic!(
            "README.md has examples no test runs:\n{}",
            problems.join("\n")
        ),
    }
}

/// Checks every chain whose scenario needs `needs`; panics with every failure.
fn check_chains(needs: Needs, real: Option<&RealData>) {
    let mut failures = Vec::new();
    let mut checked = 0;
    for chain in readme_chains() {
        let Some(found) = scenario(&chain.scenario) else {
            // Reported by `every_example_names_a_scenario_this_file_knows`.
            continue;
        };
        if found.needs == needs {
            failures.extend(check_chain(&chain, real));
            checked += 1;
        }
    }
    assert!(checked > 0, "no README example needs {needs:?}");
    assert!(
        failures.is_empty(),
        "{} README example(s) print something else than README.md shows:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_example_names_a_scenario_this_file_knows() {
    let unknown: Vec<String> = readme_chains()
        .iter()
        .filter(|chain| scenario(&chain.scenario).is_none())
        .map(|chain| {
            format!(
                "README.md:{}: unknown scenario `{}` (add it to `scenario` in tests/readme.rs)",
                chain.blocks[0].line, chain.scenario
            )
        })
        .collect();
    assert!(unknown.is_empty(), "{}", unknown.join("\n"));
}

#[test]
fn every_example_on_the_bundled_files_prints_what_the_readme_shows() {
    check_chains(Needs::Repository, None);
}

#[test]
fn every_example_on_real_files_prints_what_the_readme_shows() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    check_chains(Needs::RealData, Some(&real));
}

/// The quickstart's line, `cargo build … && ./target/release/listdiff ingest snapshots/ &&
/// ./target/release/listdiff since 2024-12-01`: its listdiff commands, run on the bundled
/// snapshots with the default store, print what the README shows after it; run again, the line
/// records nothing and prints the same answer, as the README says.
#[test]
fn the_quickstart_line_prints_what_the_readme_shows() {
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    let quickstart = &readme[readme.find("## Quickstart").expect("a Quickstart section")..];
    let fenced = |from: &str, language: &str| -> (String, usize) {
        let open = format!("```{language}\n");
        let start = from.find(&open).unwrap() + open.len();
        let end = start + from[start..].find("```").unwrap();
        (from[start..end].to_string(), end)
    };
    let (line, after) = fenced(quickstart, "sh");
    let (shown, _) = fenced(&quickstart[after + 3..], "text");
    let mut commands: Vec<&str> = line.trim().split(" && ").collect();
    assert_eq!(
        commands.remove(0),
        "cargo build --release --locked",
        "the quickstart line builds first"
    );
    let commands: Vec<String> = commands
        .iter()
        .map(|c| {
            c.strip_prefix("./target/release/listdiff ")
                .map(|args| format!("listdiff {args}"))
                .unwrap_or_else(|| panic!("the quickstart runs only listdiff after cargo: {c}"))
        })
        .collect();
    let expected: Vec<String> = shown.lines().map(str::to_string).collect();

    let home = tempfile::tempdir().unwrap();
    let dir = home.path().canonicalize().unwrap();
    Setup {
        dir: &dir,
        real: None,
    }
    .copy_snapshots();
    let examples: Vec<Example> = commands
        .iter()
        .chain(commands.iter())
        .map(|command| Example {
            line: 0,
            command: command.clone(),
            expected: Vec::new(),
        })
        .collect();
    let actual = run_chain(&dir, &examples.iter().collect::<Vec<_>>());
    for (example, got) in examples.iter().zip(&actual) {
        assert_eq!(got.status, Some(0), "`{}` failed: {got:?}", example.command);
    }
    let answer = |got: &Actual| {
        assert!(got.stderr.is_empty(), "{got:?}");
        got.stdout.clone()
    };
    assert_eq!(
        answer(&actual[commands.len() - 1]),
        expected,
        "README.md's quickstart shows another answer than `{}` prints",
        commands.last().unwrap()
    );
    assert_eq!(
        answer(&actual[2 * commands.len() - 1]),
        expected,
        "the line run again prints the same answer"
    );
    let again = actual[commands.len()].stdout.join("\n");
    assert!(
        again.contains("0 recorded, 5 already recorded"),
        "the line run again records nothing new: {again}"
    );
}

// ----------------------------------------------------------------------------------------------
// The harness's own rules (a harness that cannot fail checks nothing)

/// Lines from text.
fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

#[test]
fn output_must_match_whole_lines_keeping_each_streams_order() {
    let out = lines("a\nb");
    let err = lines("note");
    assert!(interleaves(&lines("a\nnote\nb"), &out, &err));
    assert!(interleaves(&lines("note\na\nb"), &out, &err));
    assert!(!interleaves(&lines("b\na\nnote"), &out, &err), "order kept");
    assert!(!interleaves(&lines("a\nb"), &out, &err), "a line missing");
    assert!(
        !interleaves(&lines("a\nb\nnote\nc"), &out, &err),
        "a line too many"
    );
    assert!(
        !interleaves(&lines("a\nB\nnote"), &out, &err),
        "a changed line"
    );
}

#[test]
fn an_ellipsis_stands_for_lines_or_the_end_of_a_line() {
    let out = lines("head\nx\ny\ntail,and more");
    assert!(interleaves(&lines("head\n…\ntail,…"), &out, &[]));
    assert!(interleaves(&lines("…\nx\ny\ntail,…"), &out, &[]));
    assert!(!interleaves(&lines("head\n…\nother,…"), &out, &[]));
    assert!(!interleaves(&lines("head\n…"), &lines("other"), &[]));
}

#[test]
fn random_values_must_be_used_consistently() {
    let id_a = "0123456789abcdef";
    let id_b = "fedcba9876543210";
    let check = |shown: &[&str], printed: &[&str]| {
        let mut expected: Vec<Vec<String>> = shown.iter().map(|s| lines(s)).collect();
        let mut actual: Vec<Actual> = printed
            .iter()
            .map(|p| Actual {
                stdout: lines(p),
                ..Actual::default()
            })
            .collect();
        number_random_values(&mut expected, &mut actual);
        expected
            .iter()
            .zip(&actual)
            .all(|(e, a)| interleaves(e, &a.stdout, &a.stderr))
    };
    let one = format!("store {id_a}");
    let again = format!("checked store {id_a}");
    let other = format!("store {id_b}");
    let other_again = format!("checked store {id_b}");
    assert!(check(&[&one, &again], &[&other, &other_again]));
    assert!(
        !check(&[&one, &again], &[&one, &other_again]),
        "a value the README repeats must be repeated"
    );
    assert!(
        !check(&[&one, &other_again], &[&one, &again]),
        "two values in the README must be two in the output"
    );
    let digest = "a".repeat(64);
    assert!(
        !check(
            &[&format!("root {digest}")],
            &[&format!("root {}", "b".repeat(64))]
        ),
        "SHA-256 digests are compared exactly"
    );
}

#[test]
fn an_example_without_a_scenario_or_a_marker_without_an_example_is_refused() {
    let unmarked = "text\n\n```text\n$ listdiff lists\n```\n";
    let problems = chains(unmarked).unwrap_err();
    assert!(
        problems[0].starts_with("README.md:3: this example block has no"),
        "{problems:?}"
    );
    let console = "```console\n$ listdiff lists\n```\n";
    assert!(chains(console).unwrap_err()[0].contains("write examples as `text` blocks"));
    let orphan = "<!-- example: snapshots -->\nSome text.\n\n```text\n$ listdiff lists\n```\n";
    assert!(chains(orphan).is_err());
    let continued = "<!-- example: snapshots, continued -->\n```text\n$ listdiff lists\n```\n";
    assert!(chains(continued).unwrap_err()[0].contains("continues no earlier block"));
    let good = "<!-- example: a -->\n\n```text\n$ x \\\n  y\nout\n\n$ z\n```\n\
                <!-- example: a, continued -->\n```text\n$ w\n```\n";
    let found = chains(good).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].blocks.len(), 2);
    let first = &found[0].blocks[0].examples;
    assert_eq!(first[0].command, "x \\\n  y");
    assert_eq!(first[0].expected, ["out"]);
    assert_eq!(first[1].line, 8);
}
