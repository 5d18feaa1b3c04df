use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::*;

fn config(entries: usize, publications: usize, seed: u64) -> Config {
    Config {
        entries,
        publications,
        seed,
        change_rate: 0.05,
        ..Config::default()
    }
}

/// Every native publication (one per line) and the final CSV state.
fn render(config: &Config) -> (Vec<u8>, Vec<u8>) {
    let mut history = History::new(config.clone());
    let mut native = Vec::new();
    while let Some(publication) = history.next() {
        history.write_native(&publication, &mut native).unwrap();
        native.push(b'\n');
    }
    let mut csv = Vec::new();
    history.write_csl_csv(&mut csv).unwrap();
    (native, csv)
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_others() {
    let a = render(&config(150, 25, 7));
    let b = render(&config(150, 25, 7));
    assert!(a.0 == b.0, "native output differs for the same seed");
    assert!(a.1 == b.1, "CSV output differs for the same seed");
    let c = render(&config(150, 25, 8));
    assert!(
        a.0 != c.0 && a.1 != c.1,
        "another seed gives the same history"
    );
}

#[test]
fn a_publication_does_not_depend_on_how_many_follow() {
    let short = render(&config(100, 6, 3));
    let mut history = History::new(config(100, 30, 3));
    let mut native = Vec::new();
    for _ in 0..6 {
        let publication = history.next().unwrap();
        history.write_native(&publication, &mut native).unwrap();
        native.push(b'\n');
    }
    assert!(native == short.0);
}

/// Folds a native publication (parsed back from its JSON) into a state of JSON entries.
fn fold(state: &mut BTreeMap<String, Value>, doc: &Value) {
    let id = |e: &Value| e["id"].as_str().unwrap().to_string();
    match doc["kind"].as_str().unwrap() {
        "snapshot" => {
            state.clear();
            for e in doc["entries"].as_array().unwrap() {
                assert!(state.insert(id(e), e.clone()).is_none(), "duplicate id");
            }
        }
        "amendment" => {
            assert!(doc.get("entries").is_none());
            let list = |key: &str| {
                doc.get(key)
                    .map_or(vec![], |v| v.as_array().unwrap().clone())
            };
            for e in list("add") {
                assert!(state.insert(id(&e), e).is_none(), "add of a present id");
            }
            for e in list("amend") {
                assert!(state.insert(id(&e), e).is_some(), "amend of an absent id");
            }
            for r in list("remove") {
                assert!(
                    state.remove(r.as_str().unwrap()).is_some(),
                    "remove of an absent id"
                );
            }
            for key in ["add", "amend", "remove"] {
                if let Some(v) = doc.get(key) {
                    assert!(!v.as_array().unwrap().is_empty(), "empty {key} kept");
                }
            }
        }
        other => panic!("kind {other}"),
    }
}

#[test]
fn the_truth_is_what_changed_and_the_native_publications_replay_it() {
    let config = Config {
        snapshot_every: 7,
        ..config(200, 60, 42)
    };
    let k = config.changes_per_publication();
    assert_eq!(k, 10);
    let mut history = History::new(config.clone());
    let mut previous: BTreeMap<String, Entry> = BTreeMap::new();
    let mut replayed: BTreeMap<String, Value> = BTreeMap::new();
    let mut ever_removed: BTreeSet<String> = BTreeSet::new();
    let mut kinds = (0, 0, 0, 0);
    while let Some(p) = history.next() {
        assert_eq!(
            p.date,
            config.start + chrono::Duration::days(p.index as i64)
        );
        let expected_kind = if p.index % 7 == 0 {
            Kind::Snapshot
        } else {
            Kind::Amendment
        };
        assert_eq!(p.kind, expected_kind, "publication {}", p.index);
        let now: BTreeMap<String, Entry> = history
            .entries()
            .map(|e| (e.id.clone(), e.clone()))
            .collect();
        let t = &p.changes;
        if p.index == 0 {
            assert_eq!(t.added.len(), 200);
            assert!(t.removed.is_empty() && t.changed.is_empty());
        } else {
            assert_eq!(t.len(), k, "publication {}", p.index);
        }
        let mut touched = BTreeSet::new();
        for id in t.added.iter().chain(&t.removed).chain(&t.changed) {
            assert!(
                touched.insert(id.clone()),
                "{id} touched twice in {}",
                p.index
            );
        }
        for list in [&t.added, &t.removed, &t.changed, &t.reason_changed] {
            assert!(
                list.windows(2).all(|w| w[0] < w[1]),
                "truth lists are sorted"
            );
        }
        for id in &t.added {
            assert!(!previous.contains_key(id) && now.contains_key(id));
        }
        for id in &t.removed {
            assert!(previous.contains_key(id) && !now.contains_key(id));
            ever_removed.insert(id.clone());
        }
        for id in &t.changed {
            let (before, after) = (&previous[id], &now[id]);
            assert_ne!(before, after, "{id} marked changed but equal");
            assert_eq!(before.reason_differs(after), t.reason_changed.contains(id));
            assert_eq!(before.listed_on, after.listed_on);
            if before.reason != after.reason {
                kinds.0 += 1;
            } else if before.license_policy != after.license_policy {
                kinds.1 += 1;
            } else {
                kinds.2 += 1;
            }
        }
        for id in &t.reason_changed {
            assert!(t.changed.binary_search(id).is_ok());
        }
        for (id, entry) in &now {
            if !touched.contains(id) {
                assert_eq!(previous.get(id), Some(entry), "{id} changed without truth");
            }
            assert!(
                !ever_removed.contains(id),
                "{id} came back after its removal"
            );
        }
        if p.index > 0 {
            kinds.3 += t.added.len();
        }
        // The native publication, parsed back and folded, gives the same state.
        let mut bytes = Vec::new();
        history.write_native(&p, &mut bytes).unwrap();
        assert!(!bytes.contains(&b'\n'), "native JSON is compact");
        let doc: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(doc["list"], LIST_ID);
        assert_eq!(doc["published"], iso(p.date));
        assert_eq!(doc["source"], format!("synthetic 42 #{}", p.index));
        assert_eq!(doc["kind"], p.kind.as_str());
        assert!(
            bytes.starts_with(b"{\"list\":"),
            "listdiff recognises native JSON by its first key"
        );
        fold(&mut replayed, &doc);
        let expected: BTreeMap<String, Value> = now
            .iter()
            .map(|(id, e)| (id.clone(), serde_json::to_value(e).unwrap()))
            .collect();
        assert!(replayed == expected, "replay differs at {}", p.index);
        previous = now;
    }
    let (reworded, policy, other, added) = kinds;
    let total = (59 * k) as f64;
    assert!(
        (150..=270).contains(&reworded),
        "{reworded} rewordings of {total}"
    );
    assert!((8..=60).contains(&policy), "{policy} policy changes");
    assert!((50..=140).contains(&other), "{other} other field changes");
    assert!((90..=190).contains(&added), "{added} additions");
    let len = previous.len();
    assert!(
        (170..=230).contains(&len),
        "the list drifted to {len} entries"
    );
}

/// Reads a CSL CSV back the way listdiff does (docs/formats.md) into entries.
fn read_csv(bytes: &[u8]) -> Vec<Entry> {
    let mut reader = csv::Reader::from_reader(bytes);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, CSL_COLUMNS);
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v.dedup();
        v
    };
    let split = |s: &str, sep: &str| -> Vec<String> {
        s.split(sep)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    };
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(r.len(), 29);
            assert_eq!(&r[1], CSL_SOURCE);
            assert_eq!(&r[21], CSL_URL);
            for empty in [2, 4, 6, 10, 11, 14, 15, 16, 17, 18, 19, 23, 24, 25, 26, 28] {
                assert_eq!(&r[empty], "", "column {}", CSL_COLUMNS[empty]);
            }
            let addresses = sorted(split(&r[7], "; "));
            let countries = sorted(
                addresses
                    .iter()
                    .map(|a| a.rsplit(',').next().unwrap().trim().to_string())
                    .filter(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()))
                    .collect(),
            );
            Entry {
                id: r[0].to_string(),
                name: r[5].to_string(),
                entry_type: match &r[3] {
                    "Entity" => EntryType::Entity,
                    "Individual" => EntryType::Individual,
                    other => panic!("type {other}"),
                },
                countries,
                aliases: sorted(split(&r[22], ";")),
                addresses,
                reason: r[20].to_string(),
                license_requirement: r[12].to_string(),
                license_policy: r[13].to_string(),
                citations: sorted(split(&r[8], ";")),
                listed_on: NaiveDate::parse_from_str(&r[9], "%Y-%m-%d").unwrap(),
            }
        })
        .collect()
}

fn check_csv_round_trip(history: &History) -> usize {
    let mut bytes = Vec::new();
    history.write_csl_csv(&mut bytes).unwrap();
    assert!(
        bytes.starts_with(b"\"_id\",\"source\","),
        "every field quoted"
    );
    let read = read_csv(&bytes);
    let state: Vec<Entry> = history.entries().cloned().collect();
    assert_eq!(read.len(), state.len());
    for (r, s) in read.iter().zip(&state) {
        assert_eq!(r, s, "the CSV gives another entry");
    }
    bytes.len()
}

#[test]
fn entries_look_real_and_read_back_the_same_from_the_csv() {
    let mut history = History::new(config(2_000, 1, 5));
    history.next().unwrap();
    let bytes = check_csv_round_trip(&history);
    let per_row = bytes / history.len();
    assert!(
        (600..=1000).contains(&per_row),
        "{per_row} CSV bytes per entry"
    );
    let countries: Vec<&str> = words::COUNTRIES.iter().map(|(c, _)| *c).collect();
    let mut individuals = 0;
    let mut policies = BTreeSet::new();
    let mut ids = BTreeSet::new();
    for e in history.entries() {
        assert!(ids.insert(e.id.clone()));
        assert!(e.id.len() == 32 && e.id.bytes().all(|b| b.is_ascii_hexdigit()));
        let name_words = e.name.split_whitespace().count();
        assert!((2..=5).contains(&name_words), "name {:?}", e.name);
        assert!(e.aliases.len() <= 5);
        assert!((1..=3).contains(&e.addresses.len()));
        assert!((1..=3).contains(&e.citations.len()));
        let reason_words = e.reason.split_whitespace().count();
        assert!((20..=60).contains(&reason_words), "reason {:?}", e.reason);
        for text in e.aliases.iter().chain(&e.citations).chain(&e.addresses) {
            assert!(!text.contains(';'), "{text:?} would split in the CSV");
            assert_eq!(text.split_whitespace().collect::<Vec<_>>().join(" "), *text);
        }
        for a in &e.addresses {
            assert_eq!(a.rsplitn(5, ", ").count(), 5, "address {a:?}");
        }
        for c in &e.countries {
            assert!(countries.contains(&c.as_str()));
        }
        for c in &e.citations {
            assert!(c.contains(" FR ") && !c.contains(','), "citation {c:?}");
        }
        assert!(e.listed_on < config(1, 1, 1).start);
        individuals += usize::from(e.entry_type == EntryType::Individual);
        policies.insert(e.license_policy.clone());
    }
    assert!(
        (250..=550).contains(&individuals),
        "{individuals} individuals"
    );
    assert!(policies.len() >= 5);
    let mut native = Vec::new();
    let publication = Publication {
        index: 0,
        date: history.config().start,
        kind: Kind::Snapshot,
        changes: Truth::default(),
    };
    history.write_native(&publication, &mut native).unwrap();
    let per_entry = native.len() / history.len();
    assert!(
        (500..=1000).contains(&per_entry),
        "{per_entry} native bytes per entry"
    );
}

#[test]
fn changed_states_read_back_the_same_from_the_csv() {
    let mut history = History::new(config(200, 60, 11));
    while history.next().is_some() {}
    let bytes = check_csv_round_trip(&history);
    assert!(bytes > 0);
}

#[test]
fn the_default_rate_makes_twenty_changes_of_twenty_thousand() {
    assert_eq!(Config::default().changes_per_publication(), 20);
    let small = Config {
        entries: 200,
        ..Config::default()
    };
    assert_eq!(small.changes_per_publication(), 1);
}

#[test]
fn the_pick_was_there_throughout_and_changed_twice() {
    let config = config(100, 40, 9);
    let pick = pick(&config).expect("a pick");
    assert_eq!(
        pick.dates,
        ["2020-01-01".to_string(), "2020-02-09".to_string()]
    );
    let mut history = History::new(config);
    let mut changes = 0;
    while let Some(p) = history.next() {
        assert!(history.get(&pick.history_id).is_some());
        changes += usize::from(p.changes.changed.contains(&pick.history_id));
    }
    assert!(changes >= 2);
}

#[test]
fn the_fast_import_stream_has_exact_lengths() {
    let config = config(30, 4, 2);
    let mut stream = Vec::new();
    write_fast_import(&config, "consolidated.csv", &mut stream).unwrap();
    let mut at = 0;
    let mut commits = Vec::new();
    let mut tags = Vec::new();
    let mut blobs = Vec::new();
    while at < stream.len() {
        let end = at + stream[at..].iter().position(|&b| b == b'\n').unwrap();
        let line = std::str::from_utf8(&stream[at..end]).unwrap().to_string();
        at = end + 1;
        if let Some(n) = line.strip_prefix("data ") {
            let n: usize = n.parse().unwrap();
            let data = &stream[at..at + n];
            if data.starts_with(b"\"_id\"") {
                blobs.push(data.to_vec());
            } else {
                commits.push(String::from_utf8(data.to_vec()).unwrap());
            }
            at += n;
            assert_eq!(stream[at], b'\n');
            at += 1;
        } else if let Some(tag) = line.strip_prefix("reset refs/tags/") {
            tags.push(tag.to_string());
        } else if line.starts_with("author ") {
            assert!(line.ends_with(" +0000") && line.contains("<gen@example.invalid>"));
        }
    }
    assert_eq!(commits[0], "2020-01-01 #0 snapshot");
    assert_eq!(commits[3], "2020-01-04 #3 amendment");
    assert_eq!(
        tags,
        ["d2020-01-01", "d2020-01-02", "d2020-01-03", "d2020-01-04"]
    );
    assert!(
        String::from_utf8_lossy(&stream)
            .contains("author listdiff-gen <gen@example.invalid> 1577880000 +0000")
    );
    let mut history = History::new(config);
    for blob in blobs {
        history.next().unwrap();
        let mut csv = Vec::new();
        history.write_csl_csv(&mut csv).unwrap();
        assert!(blob == csv);
    }
}

#[test]
fn another_list_and_interval_change_only_the_list_id_and_the_dates() {
    let daily = config(120, 12, 5);
    let weekly = Config {
        interval_days: 7,
        list: "synthetic-weekly".to_string(),
        ..daily.clone()
    };
    let (a, _) = render(&daily);
    let (b, _) = render(&weekly);
    let docs = |bytes: &[u8]| -> Vec<Value> {
        bytes
            .split(|&c| c == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect()
    };
    let (a, b) = (docs(&a), docs(&b));
    assert_eq!(a.len(), 12);
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert_eq!(x["list"], LIST_ID);
        assert_eq!(y["list"], "synthetic-weekly");
        assert_eq!(x["published"], iso(daily.date(i)));
        assert_eq!(y["published"], iso(weekly.start + Days::new(7 * i as u64)));
        let strip = |v: &Value| {
            let mut v = v.clone();
            v.as_object_mut().unwrap().remove("list");
            v.as_object_mut().unwrap().remove("published");
            v
        };
        if i == 0 {
            // The first state's entries were listed before the start: the same either way.
            assert_eq!(
                strip(x),
                strip(y),
                "publication 0 differs beyond list and date"
            );
        } else {
            assert_eq!(x["kind"], y["kind"]);
        }
    }
}
