//! `listdiff completions SHELL` and `listdiff man` (issue 14 item 5): each shell's script and
//! the manual pages are produced by the real binary, cover every subcommand its help lists, and
//! need no store.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use std::process::Command as Process;

use common::Env;

/// The subcommands `listdiff --help` lists (but `help`), read from its "Commands:" section, so
/// that a subcommand added later is checked here without editing this file.
fn subcommands(env: &Env) -> Vec<String> {
    let help = env.ok(&["--help"]);
    let names: Vec<String> = help
        .lines()
        .skip_while(|line| *line != "Commands:")
        .skip(1)
        .take_while(|line| !line.trim().is_empty())
        .filter(|line| line.starts_with("  ") && !line[2..].starts_with(' '))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect();
    assert!(
        names.len() >= 20 && names.iter().any(|n| n == "completions"),
        "cannot read the subcommands from --help: {names:?}\n{help}"
    );
    names
}

const SHELLS: [&str; 5] = ["bash", "zsh", "fish", "powershell", "elvish"];

#[test]
fn each_shell_script_completes_every_subcommand() {
    let env = Env::new();
    let names = subcommands(&env);
    for shell in SHELLS {
        let script = env.ok(&["completions", shell]);
        for name in &names {
            assert!(
                script.contains(name.as_str()),
                "the {shell} script does not mention the subcommand {name}"
            );
        }
    }
    // Options and their fixed values are completed too.
    let bash = env.ok(&["completions", "bash"]);
    assert!(bash.contains("--known-at"), "bash script lacks --known-at");
    assert!(bash.contains("ndjson"), "bash script lacks -o's values");
    assert!(!env.store().exists(), "completions made a store");
}

#[test]
fn bash_accepts_the_bash_script_and_registers_it() {
    if Process::new("bash").arg("--version").output().is_err() {
        eprintln!("SKIPPED: bash is not installed");
        return;
    }
    let env = Env::new();
    let path = env.dir.path().join("listdiff.bash");
    std::fs::write(&path, env.ok(&["completions", "bash"])).unwrap();
    let syntax = Process::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(
        syntax.status.success(),
        "bash -n refuses the script: {}",
        String::from_utf8_lossy(&syntax.stderr)
    );
    let loaded = Process::new("bash")
        .arg("-c")
        .arg("source \"$1\" && complete -p listdiff")
        .arg("bash")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        loaded.status.success() && String::from_utf8_lossy(&loaded.stdout).contains("listdiff"),
        "sourcing the script registers no completion for listdiff: {}",
        String::from_utf8_lossy(&loaded.stderr)
    );
}

#[test]
fn an_unknown_shell_is_bad_usage() {
    let env = Env::new();
    env.cmd(&["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("bash"));
}

/// How roff spells `listdiff-NAME(1)`: hyphens are escaped.
fn roff_page_name(name: &str) -> String {
    format!("listdiff-{name}(1)").replace('-', "\\-")
}

#[test]
fn the_man_page_names_every_subcommand_and_the_exit_codes() {
    let env = Env::new();
    let names = subcommands(&env);
    let page = env.ok(&["man"]);
    assert!(
        page.lines().any(|l| l.starts_with(".TH LISTDIFF 1 ")),
        "no .TH LISTDIFF title: {page:.300}"
    );
    for name in &names {
        assert!(
            page.contains(&roff_page_name(name)),
            "the man page does not name the subcommand {name}"
        );
    }
    assert!(
        page.contains("Exit codes"),
        "the man page lacks the exit codes"
    );
    assert!(
        page.contains("LISTDIFF_STORE"),
        "the man page lacks --store's variable"
    );
    assert!(!env.store().exists(), "man made a store");
}

#[test]
fn man_dir_writes_a_page_per_subcommand() {
    let env = Env::new();
    let names = subcommands(&env);
    let dir = env.dir.path().join("man").join("man1");
    let listed = env.ok(&["man", "--dir", dir.to_str().unwrap()]);
    let top = std::fs::read_to_string(dir.join("listdiff.1")).unwrap();
    assert!(top.lines().any(|l| l.starts_with(".TH LISTDIFF 1 ")));
    for name in &names {
        let path = dir.join(format!("listdiff-{name}.1"));
        let page = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("no page for {name} at {}: {e}", path.display()));
        let title = format!(".TH LISTDIFF-{} 1 ", name.to_uppercase());
        assert!(
            page.lines().any(|l| l.starts_with(&title)),
            "{name}'s page lacks {title}"
        );
        assert!(
            page.contains("\"listdiff "),
            "{name}'s page lacks the version"
        );
        assert!(
            listed.contains(&*path.to_string_lossy()),
            "{name}'s page not listed"
        );
    }
    // A subcommand's page carries its own options.
    let ingest = std::fs::read_to_string(dir.join("listdiff-ingest.1")).unwrap();
    assert!(
        ingest.contains("\\-\\-archive"),
        "listdiff-ingest.1 lacks --archive"
    );
    // Written again, the pages are replaced, not refused.
    env.ok(&["man", "--dir", dir.to_str().unwrap()]);
}

#[test]
fn man_dir_that_cannot_be_written_says_where() {
    let env = Env::new();
    let file = env.dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    env.cmd(&["man", "--dir", file.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "cannot write the manual pages to",
        ))
        .stderr(predicates::str::contains("a-file"));
}
