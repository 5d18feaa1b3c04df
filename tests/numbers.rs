//! Numbers in an entry's publisher fields (`extra`) are kept exactly (issue 16, item 1): a
//! 28-digit integer or a decimal of 24 significant digits ingests, verifies, exports and
//! imports, rebuilds, and `as-of -o json` answers the number as it was published. Before, about
//! one such number in ten was read as the nearest double on ingest and read back as another
//! double, and the store no longer verified nor rebuilt.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::Env;
use proptest::prelude::*;

/// A native snapshot of list `t-num` whose entry `e<i>` has `{"n": <numbers[i]>}` as its extra,
/// the numbers written into the JSON text as they are.
fn snapshot_with(numbers: &[String]) -> String {
    let entries: Vec<String> = numbers
        .iter()
        .enumerate()
        .map(|(i, n)| format!(r#"{{"id":"e{i}","name":"N {i}","extra":{{"n":{n}}}}}"#))
        .chain([r#"{"id":"z","name":"Plain"}"#.to_string()])
        .collect();
    format!(
        r#"{{"list":"t-num","published":"2024-01-01","kind":"snapshot","entries":[{}]}}"#,
        entries.join(",")
    )
}

/// Checks that the store of `env` answers every number exactly, verifies, rebuilds, and that its
/// export imports into a store answering the same.
fn assert_exact(env: &Env, numbers: &[String]) {
    let answer = |env: &Env| env.ok(&["as-of", "2024-01-01", "-o", "json"]);
    let check_numbers = |text: &str| {
        for (i, n) in numbers.iter().enumerate() {
            let wanted = format!(r#""id":"e{i}","name":"N {i}","extra":{{"n":{n}}}"#);
            assert!(
                text.contains(&wanted),
                "{n} is not answered exactly:\n{text}"
            );
        }
    };
    let first = answer(env);
    check_numbers(&first);
    let verify = env.cmd(&["verify"]).output().unwrap();
    assert_eq!(
        verify.status.code(),
        Some(0),
        "verify: {}",
        String::from_utf8_lossy(&verify.stderr)
    );
    let exported = env.ok(&["export"]);
    let copy = Env::new();
    let file = copy.write("export.jsonl", &exported);
    copy.ok(&["import", &file]);
    assert_eq!(
        answer(&copy),
        first,
        "the imported store answers differently"
    );
    env.ok(&["rebuild"]);
    assert_eq!(answer(env), first, "the rebuilt store answers differently");
    env.ok(&["verify"]);
}

#[test]
fn long_numbers_in_extra_round_trip_exactly() {
    let env = Env::new();
    let numbers: Vec<String> = [
        "9113754543187964647302328665",
        "1703.07600467400328638315",
        "-0.000000000000000000012345678901234567890",
        "1e+400",
        "18446744073709551616",
        "-9223372036854775809",
        // 17 digits a 64-bit integer holds: kept as an integer, not written as a double.
        "-25413024625797710",
    ]
    .map(String::from)
    .to_vec();
    let file = env.write("num.json", snapshot_with(&numbers));
    env.ok(&["ingest", &file]);
    assert_exact(&env, &numbers);
}

#[test]
fn numbers_a_double_holds_are_written_as_before() {
    // A store written by an earlier listdiff holds these as the shortest form of the double
    // (`1.5`, `100.0`, `1e+27`); the same publication read again must hash the same, or every
    // entry with such a number would show as changed.
    let env = Env::new();
    let written = [
        "1.50",
        "1E2",
        "1000000000000000000000000000",
        "0.1",
        "-0",
        "7",
    ];
    let stored = ["1.5", "100.0", "1e+27", "0.1", "-0.0", "7"];
    let file = env.write("num.json", snapshot_with(&written.map(String::from)));
    env.ok(&["ingest", &file]);
    assert_exact(&env, &stored.map(String::from));
}

/// A decimal integer of 17 to 40 digits, or a decimal of as many significant digits, possibly
/// negative, possibly with an exponent.
fn long_number() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        "[1-9][0-9]{16,39}",
        proptest::option::of(0usize..40),
        proptest::option::of(-30i32..30),
    )
        .prop_map(|(negative, digits, point, exponent)| {
            let mut text = String::new();
            if negative {
                text.push('-');
            }
            match point {
                Some(at) if at > 0 && at < digits.len() => {
                    text.push_str(&digits[..at]);
                    text.push('.');
                    text.push_str(&digits[at..]);
                }
                _ => text.push_str(&digits),
            }
            if let Some(e) = exponent {
                text.push_str(&format!("e{e}"));
            }
            text
        })
}

/// The text a number is stored as: an integer a 64-bit integer holds as it is; else the
/// shortest form of its double when that is the same number, else the number as published, its exponent written `e+N` or `e-N`.
fn stored_form(text: &str) -> String {
    // An integer that a 64-bit integer holds is kept as it is (as listdiff always wrote it).
    if !text.contains(['.', 'e', 'E'])
        && (text.parse::<u64>().is_ok() || text.parse::<i64>().is_ok())
    {
        return text.to_string();
    }
    let value: f64 = text.parse().unwrap();
    let shortest = serde_json::to_string(&value).unwrap();
    if value.is_finite() && same_decimal(&shortest, text) {
        return shortest;
    }
    match text.split_once(['e', 'E']) {
        Some((mantissa, exponent)) if !exponent.starts_with(['+', '-']) => {
            format!("{mantissa}e+{exponent}")
        }
        Some((mantissa, exponent)) => format!("{mantissa}e{exponent}"),
        None => text.to_string(),
    }
}

/// True when two decimal texts denote the same number (digits and exponent compared exactly).
fn same_decimal(a: &str, b: &str) -> bool {
    fn parts(text: &str) -> (bool, String, i64) {
        let negative = text.starts_with('-');
        let text = text.trim_start_matches('-');
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(at) => (&text[..at], text[at + 1..].parse::<i64>().unwrap()),
            None => (text, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = format!("{int}{frac}");
        let exponent = exponent - frac.len() as i64;
        let trimmed_end = digits.trim_end_matches('0');
        let exponent = exponent + (digits.len() - trimmed_end.len()) as i64;
        let digits = trimmed_end.trim_start_matches('0').to_string();
        if digits.is_empty() {
            return (false, String::new(), 0);
        }
        (negative, digits, exponent)
    }
    parts(a) == parts(b)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 12,
        failure_persistence: None,
        .. ProptestConfig::default()
    })]

    #[test]
    fn random_long_numbers_round_trip_exactly(
        numbers in proptest::collection::vec(long_number(), 24)
    ) {
        let env = Env::new();
        let file = env.write("num.json", snapshot_with(&numbers));
        env.ok(&["ingest", &file]);
        let stored: Vec<String> = numbers.iter().map(|n| stored_form(n)).collect();
        assert_exact(&env, &stored);
    }
}

#[test]
fn an_entry_whose_fields_would_not_read_back_is_refused_before_anything_is_written() {
    use listdiff::model::{Entry, EntryId, ListId, Publication, PublicationContent};
    use listdiff::store::{Access, InputDigest, Provenance, Store};

    // Nested deeper than a JSON reader reads back (serde_json stops at 128 levels): no reader
    // of listdiff makes such a value, but the store must refuse it rather than record it.
    let mut deep = serde_json::json!("x");
    for _ in 0..200 {
        deep = serde_json::json!([deep]);
    }
    let mut entry = Entry::new(EntryId::new("a").unwrap(), "Deep");
    entry.extra.insert("deep".into(), deep);
    let entry = entry.normalize().unwrap();
    let plain = Entry::new(EntryId::new("b").unwrap(), "Plain")
        .normalize()
        .unwrap();
    let publication = Publication {
        list: ListId::new("t-deep").unwrap(),
        published: "2024-01-01".parse().unwrap(),
        source: "test".into(),
        content: PublicationContent::Snapshot(vec![entry, plain]),
    };
    let provenance = Provenance {
        sha256: "0".repeat(64),
        inputs: vec![InputDigest {
            name: "deep.json".into(),
            sha256: "0".repeat(64),
            bytes: 1,
            eof_mark: None,
        }],
        format: "native".into(),
        parser: "test".into(),
    };
    let env = Env::new();
    {
        let mut store = Store::open(&env.store(), Access::Write).unwrap();
        let refused = store.record(
            &publication,
            &provenance,
            "2026-01-15T09:30:00Z".parse().unwrap(),
        );
        let message = refused.expect_err("the entry was recorded").to_string();
        assert!(
            message.contains("entry a of t-deep") && message.contains("nothing was recorded"),
            "{message}"
        );
        assert_eq!(store.event_count().unwrap(), 0);
        store.flush().unwrap();
        // Dropped here, which releases the store (`close` would keep it until exit).
    }
    env.ok(&["verify"]);
}
