//! The plain CSV (`--format csv`) as people use csv-diff (issue 12): the delimiter told from the
//! header (`--delimiter` to force), a column added or removed reported once as a column change,
//! and rows with fewer fields than the header padded with a warning (more: refused).
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, ids};
use serde_json::{Value, json};

/// `compare --format csv --list l --key Id [extra] OLD NEW -o json`, which must succeed.
fn compare(env: &Env, extra: &[&str], old: &str, new: &str) -> Value {
    let mut args = vec!["compare", "--list", "l", "--key", "Id"];
    args.extend_from_slice(extra);
    args.extend([old, new]);
    env.json(&args)
}

/// Runs `args`, which must fail with exit code 2; returns standard error.
fn refused(env: &Env, args: &[&str]) -> String {
    let output = env.cmd(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    stderr
}

/// Names of the entries of an `as-of` answer, by id.
fn names(state: &Value) -> Vec<(String, String)> {
    state["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_string(),
                e["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Comma, tab, semicolon and pipe are told from the header, even when the values hold the
/// other delimiters.
#[test]
fn the_delimiter_is_told_from_the_header() {
    let env = Env::new();
    for (label, delimiter) in [
        ("comma", ","),
        ("tab", "\t"),
        ("semicolon", ";"),
        ("pipe", "|"),
    ] {
        let text = format!(
            "Id{d}Name{d}Country{d}Note\n1{d}\"Acme, Ltd.\"{d}China{d}\"a;b|c,d\te\"\n2{d}Beta{d}Iran{d}\n",
            d = delimiter
        );
        let file = env.write(&format!("{label}.csv"), text);
        let state = {
            let env = Env::new();
            env.ok(&[
                "ingest",
                "--list",
                "l",
                "--key",
                "Id",
                "--published",
                "2024-01-02",
                &file,
            ]);
            env.json(&["as-of", "2024-01-02"])
        };
        assert_eq!(
            names(&state),
            [
                ("1".into(), "Acme, Ltd.".into()),
                ("2".into(), "Beta".into())
            ],
            "{label}: {state}"
        );
        assert_eq!(state["entries"][0]["extra"]["Country"], "China", "{label}");
    }
}

/// `--delimiter` forces the delimiter; a header that two delimiters split alike, with rows
/// that do not tell them apart either, is refused with a hint to give it.
#[test]
fn delimiter_can_be_forced_and_an_ambiguous_header_is_refused() {
    let env = Env::new();
    let semicolons = env.write("s.csv", "Id;Name\n1;Acme\n");
    let stderr = refused(
        &env,
        &[
            "compare",
            "--list",
            "l",
            "--key",
            "Id",
            "--delimiter",
            ",",
            &semicolons,
            &semicolons,
        ],
    );
    assert!(stderr.contains("no column \"Id\""), "{stderr}");
    for forced in [";", "semicolon"] {
        let same = compare(&env, &["--delimiter", forced], &semicolons, &semicolons);
        assert_eq!(same["changed"], json!([]));
    }
    let stderr = refused(
        &env,
        &[
            "compare",
            "--list",
            "l",
            "--key",
            "Id",
            "--delimiter",
            "x",
            &semicolons,
            &semicolons,
        ],
    );
    assert!(stderr.contains("comma, tab, semicolon or pipe"), "{stderr}");

    // "Id,Name;Alias": a comma and a semicolon both give two columns, and so do the rows.
    let ambiguous = env.write("a.csv", "Id,Name;Alias\n1,Acme;A\n");
    let stderr = refused(
        &env,
        &[
            "compare", "--format", "csv", "--list", "l", "--key", "Id", &ambiguous, &ambiguous,
        ],
    );
    assert!(
        stderr.contains("a.csv:1: cannot tell the delimiter")
            && stderr.contains("comma")
            && stderr.contains("semicolon")
            && stderr.contains("--delimiter"),
        "{stderr}"
    );
    // The rows decide when they agree with one of them only: here the semicolon.
    let told = env.write("t.csv", "Id;Name,Alias\n1;Acme\n2;Beta\n");
    let same = compare(&env, &["--map", "name=Name,Alias"], &told, &told);
    assert_eq!(same["changed"], json!([]));
}

/// A column added or removed is one column change, not a change of every row; each row shows
/// only its real changes, and a row whose only difference is a new or gone column is no change.
#[test]
fn a_column_added_or_removed_is_one_column_change() {
    let env = Env::new();
    let old = env.write(
        "old.csv",
        "Id,Name,Remarks,Country\n1,Acme,old remark,China\n2,Beta,,Iran\n3,Gamma,x,Cuba\n",
    );
    let new = env.write(
        "new.csv",
        "Id,Name,Country,Notes,Risk\n1,Acme,China,a note,high\n2,Beta Ltd,Iran,,\n3,Gamma,Syria,,low\n",
    );
    let diff = compare(&env, &[], &old, &new);
    assert_eq!(diff["columns_added"], json!(["Notes", "Risk"]), "{diff}");
    assert_eq!(diff["columns_removed"], json!(["Remarks"]), "{diff}");
    assert_eq!(ids(&diff["changed"]), ["2", "3"], "{diff}");
    let fields = |id: &str| -> Vec<String> {
        common::find(&diff, "changed", id)["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(fields("2"), ["name"]);
    assert_eq!(fields("3"), ["extra.Country"]);

    // Default mapping: a column named after a field fills it; adding it is a column change too.
    let typed = env.write(
        "typed.csv",
        "Id,Name,Remarks,Country,Type\n1,Acme,old remark,China,entity\n2,Beta,,Iran,\n3,Gamma,x,Cuba,individual\n",
    );
    let diff = compare(&env, &[], &old, &typed);
    assert_eq!(diff["columns_added"], json!(["Type"]), "{diff}");
    assert_eq!(diff.get("columns_removed"), None, "{diff}");
    assert_eq!(diff["changed"], json!([]), "{diff}");

    // Table: one line naming the columns; --exit-code counts a column change as a change.
    let mut args = vec!["compare", "--list", "l", "--key", "Id", &old, &new];
    let table = env.ok(&args);
    assert!(
        table.contains("columns added: Notes, Risk; removed: Remarks"),
        "{table}"
    );
    args.push("--exit-code");
    assert_eq!(env.cmd(&args).output().unwrap().status.code(), Some(1));
    let same = env
        .cmd(&[
            "compare",
            "--list",
            "l",
            "--key",
            "Id",
            "--exit-code",
            &old,
            &old,
        ])
        .output()
        .unwrap();
    assert_eq!(same.status.code(), Some(0));
    let only_columns = env
        .cmd(&[
            "compare",
            "--list",
            "l",
            "--key",
            "Id",
            "--exit-code",
            &old,
            &typed,
        ])
        .output()
        .unwrap();
    assert_eq!(only_columns.status.code(), Some(1));
    // Files whose columns are the same have no column keys in JSON.
    let same = compare(&env, &[], &old, &old);
    assert_eq!(same.get("columns_added"), None);
}

/// Rows with fewer fields than the header are padded with empty fields and told in one warning
/// listing their lines; a row with more is refused naming its line; a file cut inside its last
/// row is refused.
#[test]
fn short_rows_are_padded_long_rows_and_cut_files_refused() {
    let env = Env::new();
    let ragged = env.write(
        "ragged.csv",
        "Id,Name,Country,Note\n1,Acme,China,n\n2,Beta\n3,Gamma,Cuba\n4,Delta,Iran,x\n",
    );
    let output = env
        .cmd(&[
            "ingest",
            "--list",
            "l",
            "--key",
            "Id",
            "--published",
            "2024-01-02",
            &ragged,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("listdiff: warning"))
        .collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(
        warnings[0]
            .contains("ragged.csv: 2 rows have fewer fields than the header (4): lines 3, 4"),
        "{stderr}"
    );
    let state = env.json(&["as-of", "2024-01-02"]);
    assert_eq!(state["entries"].as_array().unwrap().len(), 4);
    let beta = common::find(&state, "entries", "2");
    assert_eq!(beta["name"], "Beta");
    assert_eq!(beta["extra"], json!({"Id": "2"}), "{beta}");
    assert_eq!(
        common::find(&state, "entries", "3")["extra"]["Country"],
        "Cuba"
    );

    // Many short rows: the warning lists the first ten lines and counts the rest.
    let mut many = String::from("Id,Name,Note\n");
    for i in 0..25 {
        many.push_str(&format!("{i},N{i}\n"));
    }
    let many = env.write("many.csv", many);
    let output = env
        .cmd(&["compare", "--list", "l", "--key", "Id", &many, &many])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("many.csv: 25 rows have fewer fields than the header (3): lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 15 more"),
        "{stderr}"
    );

    let long = env.write("long.csv", "Id,Name\n1,Acme\n2,Beta,extra\n3,Gamma\n");
    let stderr = refused(
        &env,
        &["compare", "--list", "l", "--key", "Id", &long, &long],
    );
    assert!(
        stderr.contains("long.csv:3: this row has 3 fields but the header (line 1) has 2"),
        "{stderr}"
    );

    // Cut inside the last row (no line end after it), or inside a quoted field: refused.
    for (name, text, line) in [
        ("cut.csv", "Id,Name,Country\n1,Acme,China\n2,Be", 3),
        (
            "quote.csv",
            "Id,Name,Country\n1,Acme,China\n2,\"Beta\nGam",
            3,
        ),
    ] {
        let cut = env.write(name, text);
        let stderr = refused(&env, &["compare", "--list", "l", "--key", "Id", &cut, &cut]);
        assert!(
            stderr.contains(&format!("{name}:{line}:")) && stderr.contains("cut short"),
            "{stderr}"
        );
    }
}
