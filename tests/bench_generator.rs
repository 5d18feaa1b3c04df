//! The benchmark's synthetic history (`bench/`, crate `listdiff_bench`) checked against the real
//! binary: listdiff must find exactly the changes the generator made, whether it compares two
//! CSL CSV states or records the native publications and answers `diff`.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};

use common::Env;
use listdiff_bench::{Config, Entry, History, Publication};
use serde_json::Value;

/// Net changes between two states: added, removed, changed ids and the changed ones whose
/// reason fields changed.
#[derive(Debug, PartialEq, Eq)]
struct Net {
    added: BTreeSet<String>,
    removed: BTreeSet<String>,
    changed: BTreeSet<String>,
    reason_changed: BTreeSet<String>,
}

fn net(old: &BTreeMap<String, Entry>, new: &BTreeMap<String, Entry>) -> Net {
    let changed: BTreeSet<String> = new
        .iter()
        .filter(|(id, e)| old.get(*id).is_some_and(|o| o != *e))
        .map(|(id, _)| id.clone())
        .collect();
    Net {
        added: new
            .keys()
            .filter(|id| !old.contains_key(*id))
            .cloned()
            .collect(),
        removed: old
            .keys()
            .filter(|id| !new.contains_key(*id))
            .cloned()
            .collect(),
        reason_changed: changed
            .iter()
            .filter(|id| old[*id].reason_differs(&new[*id]))
            .cloned()
            .collect(),
        changed,
    }
}

/// The same sets from listdiff's JSON answer (`compare` or `diff`).
fn answered(doc: &Value) -> Net {
    let ids = |key: &str| -> BTreeSet<String> { common::ids(&doc[key]).into_iter().collect() };
    let changes = doc["changed"].as_array().expect("changed is an array");
    Net {
        added: ids("added"),
        removed: ids("removed"),
        changed: ids("changed"),
        reason_changed: changes
            .iter()
            .filter(|c| c["reason_changed"] == Value::Bool(true))
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect(),
    }
}

#[test]
fn listdiff_finds_exactly_the_changes_the_generator_made() {
    let env = Env::new();
    let config = Config {
        entries: 2_000,
        publications: 12,
        seed: 20_240_611,
        change_rate: 0.01,
        ..Config::default()
    };
    let (from, to) = (3usize, 11usize);
    let native_dir = env.dir.path().join("native");
    let csv_dir = env.dir.path().join("csv");
    fs::create_dir_all(&native_dir).unwrap();

    let mut history = History::new(config.clone());
    let mut publications: Vec<Publication> = Vec::new();
    let mut states: BTreeMap<usize, (String, String, BTreeMap<String, Entry>)> = BTreeMap::new();
    while let Some(p) = history.next() {
        let file = File::create(native_dir.join(p.file_name())).unwrap();
        history.write_native(&p, file).unwrap();
        if p.index == from || p.index == to {
            let date = p.date.format("%Y-%m-%d").to_string();
            let folder = csv_dir.join(&date);
            fs::create_dir_all(&folder).unwrap();
            let path = folder.join("consolidated.csv");
            history.write_csl_csv(File::create(&path).unwrap()).unwrap();
            let entries = history
                .entries()
                .map(|e| (e.id.clone(), e.clone()))
                .collect();
            states.insert(
                p.index,
                (date, path.to_string_lossy().into_owned(), entries),
            );
        }
        publications.push(p);
    }
    assert_eq!(publications.len(), 12);
    let (date_from, csv_from, old) = &states[&from];
    let (date_to, csv_to, new) = &states[&to];
    let expected = net(old, new);

    // The net difference agrees with the generator's truth over publications from+1..=to.
    let window = &publications[from + 1..=to];
    let touched = |pick: fn(&Publication) -> &Vec<String>| -> BTreeSet<String> {
        window
            .iter()
            .flat_map(|p| pick(p).iter().cloned())
            .collect()
    };
    let (t_added, t_removed, t_changed) = (
        touched(|p| &p.changes.added),
        touched(|p| &p.changes.removed),
        touched(|p| &p.changes.changed),
    );
    let all_touched: BTreeSet<String> = t_added
        .iter()
        .chain(&t_removed)
        .chain(&t_changed)
        .cloned()
        .collect();
    for (id, entry) in old {
        if !all_touched.contains(id) {
            assert_eq!(new.get(id), Some(entry), "{id} changed outside the truth");
        }
    }
    // Added in the window and still there; removed in the window and there before.
    let truth_added: BTreeSet<String> = t_added
        .iter()
        .filter(|id| new.contains_key(*id) && !old.contains_key(*id))
        .cloned()
        .collect();
    let truth_removed: BTreeSet<String> = t_removed
        .iter()
        .filter(|id| old.contains_key(*id) && !new.contains_key(*id))
        .cloned()
        .collect();
    assert_eq!(expected.added, truth_added);
    assert_eq!(expected.removed, truth_removed);
    assert!(expected.changed.is_subset(&t_changed));
    for id in t_changed.difference(&expected.changed) {
        // Changed in the window but not in net: added or removed in it, or changed back.
        assert!(
            expected.added.contains(id)
                || expected.removed.contains(id)
                || !old.contains_key(id)
                || !new.contains_key(id)
                || old[id] == new[id],
            "{id} changed in the window but not found in the states"
        );
    }
    let counts = (
        expected.added.len(),
        expected.removed.len(),
        expected.changed.len(),
        expected.reason_changed.len(),
    );
    assert!(
        counts.0 > 20 && counts.1 > 20 && counts.2 > 40 && counts.3 > 20,
        "too few changes to be a test: (added, removed, changed, reason changed) = {counts:?}"
    );

    // 1. listdiff compare of the two CSV states.
    let compared = env.json(&["compare", csv_from, csv_to]);
    assert_eq!(answered(&compared), expected, "compare of the CSV states");

    // 2. The native publications, recorded, then diff between the two dates.
    let out = env.ok(&["ingest", &native_dir.to_string_lossy()]);
    assert!(out.contains("12 recorded"), "ingest said: {out}");
    let diffed = env.json(&["diff", date_from, date_to]);
    assert_eq!(
        answered(&diffed),
        expected,
        "diff of the recorded native history"
    );

    // The recorded state at the end is the generator's.
    let as_of = env.json(&["as-of", date_to]);
    let ids: BTreeSet<String> = common::ids(&as_of["entries"]).into_iter().collect();
    assert_eq!(ids, new.keys().cloned().collect::<BTreeSet<String>>());
}
