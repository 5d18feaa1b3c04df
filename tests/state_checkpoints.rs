//! State checkpoints for `as-of` (issue 15): a store that writes them (every two changed
//! entries, through the debug builds' `LISTDIFF_TEST_CHECKPOINT_MIN_CHANGES`) answers `as-of`
//! exactly as a store of the same history without them, through backfills, corrections and
//! retractions; `verify` compares them with a rebuild, and `rebuild` and `import` write them
//! back the same.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, native};
use serde_json::{Value, json};

/// The variable that sets how many changed entries make a state checkpoint due (debug builds).
const MIN_CHANGES: &str = "LISTDIFF_TEST_CHECKPOINT_MIN_CHANGES";

/// A store, with or without state checkpoints.
struct Store {
    env: Env,
    checkpoints: bool,
}

impl Store {
    fn new(checkpoints: bool) -> Store {
        Store {
            env: Env::new(),
            checkpoints,
        }
    }

    /// Runs `args` at recording time `now`; it must succeed. Returns its standard output.
    fn ok_at(&self, now: &str, args: &[&str]) -> String {
        let mut cmd = self.env.cmd(args);
        cmd.env("LISTDIFF_NOW", now);
        if self.checkpoints {
            cmd.env(MIN_CHANGES, "2");
        } else {
            cmd.env_remove(MIN_CHANGES);
        }
        let output = cmd.output().unwrap();
        assert!(
            output.status.success(),
            "listdiff {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        self.ok_at("2026-01-15T09:30:00Z", args)
    }

    /// `as-of` at every date of the history, as JSON entries and as CSV.
    fn answers(&self) -> Vec<String> {
        let mut answers = Vec::new();
        for day in 1..=12 {
            let date = format!("2024-12-{day:02}");
            let json: Value =
                serde_json::from_str(&self.ok(&["as-of", &date, "-o", "json"])).unwrap();
            answers.push(format!("{date} {}", json["entries"]));
            answers.push(format!(
                "{date} {}",
                self.ok(&["as-of", &date, "-o", "csv"])
            ));
        }
        answers
    }

    /// `verify` must pass; returns how many index keys it compared with a rebuild.
    fn verified_keys(&self) -> u64 {
        let report: Value = serde_json::from_str(&self.ok(&["verify", "-o", "json"])).unwrap();
        assert_eq!(report["passed"], true, "{report}");
        report["index_keys"].as_u64().unwrap()
    }
}

fn entry(id: &str, name: &str, reason: &str) -> Value {
    json!({"id": id, "name": name, "reason": reason})
}

/// An amendment of `day` (December 2024) adding `add` (with `reason`) and removing `remove`.
fn amendment(env: &Env, day: u32, add: &[&str], remove: &[&str], reason: &str) -> String {
    let add: Vec<Value> = add
        .iter()
        .map(|id| entry(id, &format!("Name {id}"), reason))
        .collect();
    env.write(
        &format!("a{day}-{reason}.json"),
        native(
            "l",
            &format!("2024-12-{day:02}"),
            "amendment",
            json!({ "add": add, "remove": remove }),
        ),
    )
}

/// Records the same history into `store`: a snapshot of day 1 (numeric and other ids), then
/// amendments of days 2, 3, 4, 6, 8, 9 and 10, each changing two or three entries; then a
/// correction of day 3's, a backfilled amendment of day 5 and the retraction of day 8's: each
/// changes the state of every later day (no snapshot comes after them).
fn record(store: &Store) {
    let env = &store.env;
    let entries = ["1", "2", "10", "a", "b", "c"].map(|id| entry(id, "First", "r0"));
    let first = env.write(
        "s1.json",
        native("l", "2024-12-01", "snapshot", json!({ "entries": entries })),
    );
    store.ok_at("2024-12-02T09:00:00Z", &["ingest", &first]);
    let days: [(u32, &[&str], &[&str]); 7] = [
        (2, &["3", "d"], &[]),
        (3, &["1", "e"], &["a"]),
        (4, &["2", "f"], &[]),
        (6, &["20", "g"], &["b"]),
        (8, &["4", "b"], &[]),
        (9, &["1", "h"], &["c"]),
        (10, &["5", "a"], &[]),
    ];
    for (day, add, remove) in days {
        let file = amendment(env, day, add, remove, "r1");
        store.ok_at(
            &format!("2024-12-{:02}T09:00:00Z", day + 1),
            &["ingest", &file],
        );
    }
    // A correction of day 3 (same identity, other bytes).
    let correction = amendment(env, 3, &["1", "x"], &["10"], "r2");
    store.ok_at("2025-01-02T09:00:00Z", &["ingest", &correction]);
    let backfill = amendment(env, 5, &["y", "z"], &["2"], "r3");
    store.ok_at("2025-01-03T09:00:00Z", &["ingest", &backfill]);
    // Event 6 is day 8's amendment.
    store.ok_at(
        "2025-01-04T09:00:00Z",
        &["retract", "6", "--reason", "a test"],
    );
}

#[test]
fn as_of_with_state_checkpoints_is_as_of_without_them_and_rebuild_writes_them_back() {
    let with = Store::new(true);
    let without = Store::new(false);
    record(&with);
    record(&without);
    let answers = with.answers();
    assert_eq!(answers, without.answers());
    // The checkpoints are there (more index keys), and verify finds them as a rebuild makes
    // them.
    let keys = with.verified_keys();
    assert!(keys > without.verified_keys(), "{keys}");
    with.ok(&["rebuild"]);
    assert_eq!(with.verified_keys(), keys);
    assert_eq!(with.answers(), answers);
    // An import of its export writes them as recording did.
    let export = with.env.dir.path().join("export.ndjson");
    with.ok(&["export", "-o", export.to_str().unwrap()]);
    let imported = Store::new(true);
    imported.ok(&["import", export.to_str().unwrap()]);
    assert_eq!(imported.verified_keys(), keys);
    assert_eq!(imported.answers(), answers);
}
