//! Tamper evidence: checkpoints (signed and not), `verify` of the log and the indexes, the proof
//! that a later log extends an old checkpoint, a rewritten store caught, and inclusion proofs
//! checked without a store.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, RealData, repo};
use listdiff::model::merkle::{self, TreeHash};

const BIS: [&str; 4] = [
    "snapshots/us-bis-entity-list/2024-11-15-snapshot.json",
    "snapshots/us-bis-entity-list/2024-12-04-amendment.json",
    "snapshots/us-bis-entity-list/2024-12-11-amendment.json",
    "snapshots/us-bis-entity-list/2024-12-18-amendment.json",
];

/// Ingests the sample BIS publications `range` (indexes into [`BIS`]).
fn ingest_bis(env: &Env, range: std::ops::Range<usize>) {
    for path in &BIS[range] {
        env.ok(&["ingest", &repo(path)]);
    }
}

/// Runs a command that must fail with `code`; returns its standard error.
fn fails(env: &Env, args: &[&str], code: i32) -> String {
    let output = env.cmd(args).output().expect("listdiff runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        output.status.code(),
        Some(code),
        "listdiff {args:?}\nstdout: {}\nstderr: {stderr}",
        String::from_utf8_lossy(&output.stdout)
    );
    stderr
}

/// A path under the test's temporary directory, as a string.
fn path(env: &Env, name: &str) -> String {
    env.dir.path().join(name).to_string_lossy().into_owned()
}

/// Runs `change` on the store's sled database opened directly, as someone with write access
/// to the files could, then waits until sled has let go of the database's file lock (its
/// helper threads can hold it a moment after the database is dropped).
fn with_db<T>(env: &Env, change: impl FnOnce(&sled::Db) -> T) -> T {
    // No background flusher: everything is flushed before the database is dropped.
    let db = sled::Config::new()
        .path(env.store().join("db"))
        .flush_every_ms(None)
        .open()
        .expect("the store's database opens");
    let result = change(&db);
    db.flush().unwrap();
    drop(db);
    let lock_file = env.store().join("db").join("db");
    for _ in 0..500 {
        let file = std::fs::File::open(&lock_file).unwrap();
        if file.try_lock().is_ok() {
            return result;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("sled still holds {} after 5 s", lock_file.display());
}

/// The log's events as stored, straight from the database.
fn stored_events(env: &Env) -> Vec<Vec<u8>> {
    with_db(env, |db| {
        let events = db.open_tree("events").unwrap();
        events.iter().map(|pair| pair.unwrap().1.to_vec()).collect()
    })
}

/// Replaces `from` with `to` in event `seq`'s stored header (a rewrite that leaves a valid event).
fn rewrite_event(env: &Env, seq: u64, from: &str, to: &str) {
    with_db(env, |db| {
        let events = db.open_tree("events").unwrap();
        let key = seq.to_be_bytes();
        let text = String::from_utf8(events.get(key).unwrap().unwrap().to_vec()).unwrap();
        assert!(text.contains(from), "event {seq} has no {from:?}: {text}");
        events
            .insert(key, text.replace(from, to).as_bytes())
            .unwrap();
    })
}

fn line_value<'a>(text: &'a str, name: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("no {name} line in\n{text}"))
}

#[test]
fn a_checkpoint_is_five_lines_fixing_the_size_and_the_rfc6962_root_of_the_events() {
    let env = Env::new();
    ingest_bis(&env, 0..2);
    let text = env.ok(&["checkpoint"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert_eq!(lines[0], "listdiff checkpoint v1");
    assert!(lines[1].starts_with("store ") && lines[1].len() > "store ".len());
    assert_eq!(lines[2], "size 2");
    assert_eq!(lines[4], "time 2026-01-15T09:30:00Z");
    // The root is RFC 6962's over the exact stored event bytes.
    let leaves: Vec<TreeHash> = stored_events(&env)
        .iter()
        .map(|bytes| merkle::leaf_hash(bytes))
        .collect();
    assert_eq!(leaves.len(), 2);
    let expected = merkle::node_hash(&leaves[0], &leaves[1]);
    assert_eq!(lines[3], format!("root {expected}"));

    // -o writes the same text; LISTDIFF_NOW sets the time.
    let file = path(&env, "cp");
    let output = env
        .cmd(&["checkpoint", "-o", &file])
        .env("LISTDIFF_NOW", "2026-02-01T00:00:00Z")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        said.contains("checkpoint of 2 events"),
        "{said}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        written,
        text.replace("2026-01-15T09:30:00Z", "2026-02-01T00:00:00Z")
    );
}

#[test]
fn keygen_writes_a_private_key_and_never_overwrites() {
    let env = Env::new();
    let key = path(&env, "k");
    let said = env.ok(&["keygen", &key]);
    assert!(said.contains("key id "), "{said}");
    let secret = std::fs::read_to_string(&key).unwrap();
    let public = std::fs::read_to_string(format!("{key}.pub")).unwrap();
    assert_eq!(secret.trim().len(), 64);
    assert_eq!(public.trim().len(), 64);
    assert_ne!(secret, public);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let error = fails(&env, &["keygen", &key], 2);
    assert!(error.contains("already exists"), "{error}");
    assert_eq!(std::fs::read_to_string(&key).unwrap(), secret);
    // Two keys are different keys.
    env.ok(&["keygen", &path(&env, "other")]);
    assert_ne!(
        std::fs::read_to_string(path(&env, "other")).unwrap(),
        secret
    );
    // keygen needs no store.
    assert!(!env.store().exists());
}

#[test]
fn a_signed_checkpoint_verifies_with_its_key_and_fails_with_another_or_when_changed() {
    let env = Env::new();
    ingest_bis(&env, 0..2);
    let (key, other) = (path(&env, "k"), path(&env, "other"));
    env.ok(&["keygen", &key]);
    env.ok(&["keygen", &other]);
    let cp = path(&env, "cp");
    env.ok(&["checkpoint", "--sign", &key, "-o", &cp]);
    let text = std::fs::read_to_string(&cp).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 7, "{text}");
    assert_eq!(lines[5], "");
    let words: Vec<&str> = lines[6].split(' ').collect();
    assert_eq!(&words[..2], ["signature", "ed25519"]);
    assert_eq!((words[2].len(), words[3].len()), (16, 128));

    let pass = env.ok(&[
        "verify",
        "--checkpoint",
        &cp,
        "--key",
        &format!("{key}.pub"),
    ]);
    assert!(
        pass.contains(&format!("signed by key {}", words[2])),
        "{pass}"
    );
    assert!(
        pass.contains("the log extends the checkpoint of size 2"),
        "{pass}"
    );

    let error = fails(
        &env,
        &[
            "verify",
            "--checkpoint",
            &cp,
            "--key",
            &format!("{other}.pub"),
        ],
        4,
    );
    assert!(
        error.contains(&format!("signed by key {}", words[2])),
        "{error}"
    );

    // Any change to the body breaks the signature, even one the log would still extend.
    let changed = env.write(
        "changed",
        text.replace("time 2026-01-15", "time 2026-01-16"),
    );
    let error = fails(
        &env,
        &[
            "verify",
            "--checkpoint",
            &changed,
            "--key",
            &format!("{key}.pub"),
        ],
        4,
    );
    assert!(error.contains("does not match the checkpoint"), "{error}");
    // Without --key the signature is not checked, and the changed time does not matter.
    env.ok(&["verify", "--checkpoint", &changed]);

    // --key asks for a signature, so an unsigned checkpoint fails.
    let unsigned = path(&env, "unsigned");
    env.ok(&["checkpoint", "-o", &unsigned]);
    let error = fails(
        &env,
        &[
            "verify",
            "--checkpoint",
            &unsigned,
            "--key",
            &format!("{key}.pub"),
        ],
        4,
    );
    assert!(error.contains("not signed"), "{error}");

    // --key without --checkpoint is bad usage...
    fails(&env, &["verify", "--key", &format!("{key}.pub")], 2);
    // ...and a checkpoint that is not one is bad input.
    let garbage = env.write("garbage", "hello\n");
    let error = fails(&env, &["verify", "--checkpoint", &garbage], 2);
    assert!(error.contains("line 1"), "{error}");
}

#[test]
fn verify_passes_on_a_fresh_store_with_several_publications() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    env.ok(&["ingest", &repo("snapshots/us-bis-entity-list")]);
    env.ok(&["ingest", &real.file("ofac-sdn/2021-12-22")]);
    env.ok(&["ingest", &real.file("ofac-sdn/2021-12-30")]);
    let text = env.ok(&["verify"]);
    assert!(text.contains("checked 7 events"), "{text}");
    assert!(text.contains("all "), "{text}");
    let report = env.json(&["verify"]);
    assert_eq!(report["passed"], true);
    assert_eq!(report["events"], 7);
    assert!(report["index_keys"].as_u64().unwrap() > 9000, "{report}");
    assert!(report["content_lines"].as_u64().unwrap() > 9000, "{report}");
    let checkpoint = env.ok(&["checkpoint"]);
    assert_eq!(
        line_value(&checkpoint, "root"),
        report["root"].as_str().unwrap()
    );
}

#[test]
fn a_later_log_extends_an_old_checkpoint() {
    let env = Env::new();
    ingest_bis(&env, 0..1);
    let one = path(&env, "one");
    env.ok(&["checkpoint", "-o", &one]);
    ingest_bis(&env, 1..3);
    let three = path(&env, "three");
    env.ok(&["checkpoint", "-o", &three]);
    env.cmd(&["ingest", &repo(BIS[3])])
        .env("LISTDIFF_NOW", "2026-03-01T00:00:00Z")
        .assert()
        .success();
    for (file, size) in [(&one, 1), (&three, 3)] {
        let text = env.ok(&["verify", "--checkpoint", file]);
        assert!(
            text.contains(&format!("the log extends the checkpoint of size {size}")),
            "{text}"
        );
    }
    // A checkpoint of the whole log, too; one of a longer log is not extended.
    let four = path(&env, "four");
    env.ok(&["checkpoint", "-o", &four]);
    env.ok(&["verify", "--checkpoint", &four]);
    let longer = env.write(
        "longer",
        std::fs::read_to_string(&four)
            .unwrap()
            .replace("size 4", "size 5"),
    );
    let error = fails(&env, &["verify", "--checkpoint", &longer], 4);
    assert!(error.contains("holds only 4"), "{error}");
    // A checkpoint of another store is refused.
    let stranger = Env::new();
    ingest_bis(&stranger, 0..1);
    let theirs = path(&stranger, "theirs");
    stranger.ok(&["checkpoint", "-o", &theirs]);
    let error = fails(&env, &["verify", "--checkpoint", &theirs], 4);
    assert!(error.contains("the checkpoint is of store"), "{error}");
}

#[test]
fn a_rewritten_store_fails_verify_with_the_checkpoint() {
    let env = Env::new();
    ingest_bis(&env, 0..4);
    let before = path(&env, "before");
    env.ok(&["checkpoint", "-o", &before]);
    env.ok(&["verify", "--checkpoint", &before]);

    // Someone with the files rewrites event 2's citation (part of its identity, so they
    // rebuild the indexes too): a valid event, a consistent store.
    rewrite_event(
        &env,
        2,
        "89 FR 96790 (illustrative)",
        "89 FR 00000 (illustrative)",
    );
    env.ok(&["rebuild"]);
    // The store is consistent in itself, so plain verify cannot tell...
    let text = env.ok(&["verify"]);
    assert!(text.contains("checked 4 events"), "{text}");
    // ...but the checkpoint kept from before can.
    let error = fails(&env, &["verify", "--checkpoint", &before], 4);
    assert!(
        error.contains(
            "the log does not extend the checkpoint: history up to event 4 was rewritten"
        ),
        "{error}"
    );
    // A proof against that checkpoint cannot be made either.
    let error = fails(&env, &["proof", "1", "--checkpoint", &before], 4);
    assert!(error.contains("rewritten"), "{error}");

    // A rewrite after a checkpoint's size is beyond what it fixed: a checkpoint of the first
    // event still holds.
    let env = Env::new();
    ingest_bis(&env, 0..1);
    let first = path(&env, "first");
    env.ok(&["checkpoint", "-o", &first]);
    ingest_bis(&env, 1..2);
    rewrite_event(&env, 2, "89 FR 96790 (illustrative)", "elsewhere");
    env.ok(&["rebuild"]);
    env.ok(&["verify", "--checkpoint", &first]);
    rewrite_event(&env, 1, "\"kind\":\"snapshot\"", "\"kind\":\"snapshot\" ");
    fails(&env, &["verify", "--checkpoint", &first], 4);
}

#[test]
fn verify_names_a_damaged_index_a_damaged_block_and_a_broken_sequence() {
    // A derived index changed behind listdiff's back.
    let env = Env::new();
    ingest_bis(&env, 0..2);
    with_db(&env, |db| {
        let timeline = db.open_tree("timeline").unwrap();
        let (key, _) = timeline.iter().next().unwrap().unwrap();
        timeline.insert(key, b"a".to_vec()).unwrap();
    });
    let error = fails(&env, &["verify"], 4);
    assert!(
        error.contains("index timeline: the value at key \"us-bis-entity-list\\x00"),
        "{error}"
    );
    assert!(error.contains("listdiff rebuild"), "{error}");
    let report = env.cmd(&["verify", "-o", "json"]).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    assert_eq!(report["passed"], false);
    // rebuild repairs it.
    env.ok(&["rebuild"]);
    env.ok(&["verify"]);

    // A key missing from an index.
    with_db(&env, |db| {
        let entries = db.open_tree("entries").unwrap();
        let (key, _) = entries.iter().next().unwrap().unwrap();
        entries.remove(key).unwrap();
    });
    let error = fails(&env, &["verify"], 4);
    assert!(
        error.contains("is missing from the stored index"),
        "{error}"
    );
    env.ok(&["rebuild"]);

    // An entry changed inside event 1's content block (recompressed, so it reads).
    with_db(&env, |db| {
        let contents = db.open_tree("contents").unwrap();
        let key = [1u64.to_be_bytes().as_slice(), &0u32.to_be_bytes()].concat();
        let frame = contents.get(&key).unwrap().unwrap();
        let text = String::from_utf8(zstd::stream::decode_all(frame.as_ref()).unwrap()).unwrap();
        let changed = text.replacen("China", "Chile", 1);
        assert_ne!(changed, text);
        contents
            .insert(key, zstd::bulk::compress(changed.as_bytes(), 3).unwrap())
            .unwrap();
    });
    let error = fails(&env, &["verify"], 4);
    assert!(
        error.contains("event 1: its content block does not match its hash"),
        "{error}"
    );

    // A header whose recording time goes back, and one that names another seq.
    let env = Env::new();
    ingest_bis(&env, 0..2);
    rewrite_event(&env, 2, "2026-01-15T09:30:00Z", "2025-01-15T09:30:00Z");
    let error = fails(&env, &["verify"], 4);
    assert!(error.contains("event 2: recorded at"), "{error}");
    rewrite_event(&env, 2, "\"seq\":2", "\"seq\":7");
    let error = fails(&env, &["verify"], 4);
    assert!(
        error.contains("event 2: its header says it is event 7"),
        "{error}"
    );
}

/// A store of the four BIS publications, a checkpoint of it, and proofs of events 2 and 3.
fn proved(env: &Env) -> (String, String, String) {
    ingest_bis(env, 0..4);
    let cp = path(env, "cp");
    env.ok(&["checkpoint", "-o", &cp]);
    let (two, three) = (path(env, "two.proof"), path(env, "three.proof"));
    env.ok(&["proof", "2", "--checkpoint", &cp, "-o", &two]);
    env.ok(&["proof", "3", "-o", &three]);
    (cp, two, three)
}

/// `listdiff verify-proof` with a store path that does not exist.
fn verify_proof(env: &Env, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("listdiff");
    cmd.arg("--store")
        .arg(env.dir.path().join("no-such-store"))
        .arg("verify-proof")
        .args(args)
        .env_remove("LISTDIFF_STORE")
        .env("NO_COLOR", "1");
    cmd
}

#[test]
fn a_proof_checks_out_against_its_checkpoint_without_a_store() {
    let env = Env::new();
    let (cp, two, _) = proved(&env);
    let text = std::fs::read_to_string(&two).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "listdiff inclusion proof v1");
    assert_eq!(lines[2], "event 2");
    assert_eq!(lines[3], "size 4");
    assert_eq!(lines.iter().filter(|l| l.starts_with("path ")).count(), 2);
    let bytes = line_value(&text, "event-bytes");
    assert_eq!(bytes.as_bytes(), stored_events(&env)[1].as_slice());

    let output = verify_proof(&env, &[&two, "--checkpoint", &cp])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(said.contains("event 2 is in the log of store"), "{said}");
    assert!(said.contains("us-bis-entity-list"), "{said}");
    assert!(said.contains("published  2024-12-04"), "{said}");
    assert!(said.contains("recorded   2026-01-15T09:30:00Z"), "{said}");
    assert!(said.contains("kind       amendment"), "{said}");
    assert!(!env.dir.path().join("no-such-store").exists());

    // With a signed checkpoint and its key.
    let key = path(&env, "k");
    env.ok(&["keygen", &key]);
    let signed = path(&env, "signed");
    env.ok(&["checkpoint", "--sign", &key, "-o", &signed]);
    verify_proof(
        &env,
        &[
            &two,
            "--checkpoint",
            &signed,
            "--key",
            &format!("{key}.pub"),
        ],
    )
    .assert()
    .success();
    verify_proof(
        &env,
        &[&two, "--checkpoint", &cp, "--key", &format!("{key}.pub")],
    )
    .assert()
    .code(4);
}

#[test]
fn a_tampered_proof_a_wrong_checkpoint_or_another_event_fails() {
    let env = Env::new();
    let (cp, two, three) = proved(&env);
    let text = std::fs::read_to_string(&two).unwrap();
    let check = |proof: &str, checkpoint: &str| {
        let output = verify_proof(&env, &[proof, "--checkpoint", checkpoint])
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };

    // A hash of the path changed.
    let path_line = text.lines().find(|l| l.starts_with("path ")).unwrap();
    let flipped = format!(
        "path {}{}",
        if path_line.as_bytes()[5] == b'0' {
            '1'
        } else {
            '0'
        },
        &path_line[6..]
    );
    let tampered = env.write("tampered-path", text.replace(path_line, &flipped));
    let (code, error) = check(&tampered, &cp);
    assert_eq!(code, Some(4), "{error}");
    assert!(
        error.contains("do not hash to the checkpoint's root"),
        "{error}"
    );

    // The event's bytes changed (its citation).
    let tampered = env.write("tampered-event", text.replace("96790", "96791"));
    assert_eq!(check(&tampered, &cp).0, Some(4));

    // Another event's bytes under event 2's path.
    let other_bytes =
        line_value(&std::fs::read_to_string(&three).unwrap(), "event-bytes").to_string();
    let swapped = env.write(
        "swapped",
        text.replace(line_value(&text, "event-bytes"), &other_bytes),
    );
    assert_eq!(check(&swapped, &cp).0, Some(4));
    // Event 3's bytes with event 3's path but claiming to be event 2 fail on the position.
    let three_text = std::fs::read_to_string(&three).unwrap();
    let renamed = env.write("renamed", three_text.replace("event 3\n", "event 2\n"));
    assert_eq!(check(&renamed, &cp).0, Some(4));

    // A checkpoint of another size.
    ingest_other(&env);
    let later = path(&env, "later");
    env.ok(&["checkpoint", "-o", &later]);
    let (code, error) = check(&two, &later);
    assert_eq!(code, Some(4), "{error}");
    assert!(
        error.contains("the proof is for a log of 4 events, but the checkpoint is of 5"),
        "{error}"
    );
    // A proof made for the later checkpoint checks against it, and the old proof still holds
    // against the old checkpoint.
    let again = path(&env, "again");
    env.ok(&["proof", "2", "--checkpoint", &later, "-o", &again]);
    assert_eq!(check(&again, &later).0, Some(0));
    assert_eq!(check(&two, &cp).0, Some(0));

    // A checkpoint with another root (the same size), and one of another store.
    let forged = env.write(
        "forged",
        std::fs::read_to_string(&cp).unwrap().replace(
            line_value(&std::fs::read_to_string(&cp).unwrap(), "root"),
            &"ab".repeat(32),
        ),
    );
    assert_eq!(check(&two, &forged).0, Some(4));
    let stranger = Env::new();
    let (theirs, _, _) = proved(&stranger);
    let (code, error) = check(&two, &theirs);
    assert_eq!(code, Some(4));
    assert!(error.contains("the proof is of store"), "{error}");

    // A proof that is not one is bad input.
    let garbage = env.write("garbage", "listdiff inclusion proof v1\nstore x\n");
    assert_eq!(check(&garbage, &cp).0, Some(2));
}

fn ingest_other(env: &Env) {
    let file = env.write(
        "other.json",
        common::native(
            "other-list",
            "2025-01-01",
            "snapshot",
            serde_json::json!({"entries": [{"id": "a", "name": "Alpha", "type": "entity"}]}),
        ),
    );
    env.ok(&["ingest", &file]);
}

#[test]
fn proof_refuses_events_outside_the_tree() {
    let env = Env::new();
    ingest_bis(&env, 0..2);
    for seq in ["0", "3"] {
        let error = fails(&env, &["proof", seq], 2);
        assert!(error.contains("is not in a log of 2 events"), "{error}");
    }
    let error = fails(&env, &["proof", "2", "--size", "1"], 2);
    assert!(error.contains("is not in a log of 1 events"), "{error}");
    fails(&env, &["proof", "1", "--size", "3"], 2);
    // --size 1 makes the proof for a one-event tree: no path lines.
    let text = env.ok(&["proof", "1", "--size", "1"]);
    assert!(!text.contains("path "), "{text}");
}
