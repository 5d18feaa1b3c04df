//! Decompression bombs and content larger than its event can account for (issue 16, item 10):
//! an archive file that would inflate far beyond the input size the event records, and an
//! export whose event line holds far more content than its inputs, are refused as damaged,
//! naming the archive file or the line, having read no more than the size recorded. Before,
//! both were read whole (a 64 KB archive file became 2 GiB in memory before its hash was
//! checked; a re-sealed export line was imported whatever its size).
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, native};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// A zstd frame that decompresses to `blocks` × 128 KiB of zero bytes, in 4 bytes per block:
/// a frame header with a 128 KiB window and no content size, then RLE blocks.
fn zstd_bomb(blocks: u32) -> Vec<u8> {
    let mut frame = vec![0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38];
    for n in 0..blocks {
        let last = u32::from(n + 1 == blocks);
        let header = (128 * 1024) << 3 | 1 << 1 | last;
        frame.extend_from_slice(&header.to_le_bytes()[..3]);
        frame.push(0);
    }
    frame
}

#[test]
fn the_bomb_is_what_it_claims() {
    let bomb = zstd_bomb(8);
    assert_eq!(bomb.len(), 6 + 8 * 4);
    assert_eq!(
        zstd::decode_all(&bomb[..]).unwrap(),
        vec![0; 8 * 128 * 1024]
    );
}

#[test]
fn an_archive_file_that_inflates_beyond_its_input_is_damaged() {
    let env = Env::new();
    let text = native(
        "l",
        "2024-01-01",
        "snapshot",
        json!({"entries": [{"id": "a", "name": "A"}]}),
    );
    let file = env.write("l.json", &text);
    env.ok(&["ingest", "--archive", &file]);
    let hash = hex::encode(Sha256::digest(text.as_bytes()));
    let archived = env
        .store()
        .join("archive/bytes")
        .join(&hash[..2])
        .join(format!("{hash}.zst"));
    assert!(archived.is_file());
    // 32 KiB that would inflate to 1 GiB.
    std::fs::write(&archived, zstd_bomb(8 * 1024)).unwrap();
    let output = env.cmd(&["reparse"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains(&archived.display().to_string())
            && stderr.contains(&format!(
                "decompresses to more than the {} bytes the event records",
                text.len()
            )),
        "{stderr}"
    );
}

/// The lines of an export.
fn export_lines(env: &Env) -> Vec<Value> {
    env.ok(&["export"])
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Writes `lines` back as an export, every hash recomputed as export computes it (the block
/// hash of each event from its lines, its leaf from its header bytes, the checkpoint's root), so
/// that only what `edit` changed is wrong.
fn reseal(lines: &[Value]) -> String {
    use listdiff::model::merkle;
    let mut leaves = Vec::new();
    let mut out = String::new();
    let store_id = lines[0]["store"].as_str().unwrap().to_string();
    out.push_str(&format!(
        "{{\"listdiff_export\":1,\"store\":{},\"events\":{}}}\n",
        json!(store_id),
        lines.len() - 2
    ));
    let mut last_time = String::new();
    for line in &lines[1..lines.len() - 1] {
        let mut event = line["event"].clone();
        let mut block = Sha256::new();
        let content: Vec<String> = line["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| serde_json::to_string(l).unwrap())
            .collect();
        for l in &content {
            block.update(l.as_bytes());
            block.update(b"\n");
        }
        event["content"]["block_sha256"] = json!(hex::encode(block.finalize()));
        let bytes = serde_json::to_string(&event).unwrap();
        let leaf = merkle::leaf_hash(bytes.as_bytes());
        out.push_str(&format!(
            "{{\"seq\":{},\"leaf\":\"{}\",\"event\":{bytes},\"lines\":[{}]}}\n",
            line["seq"],
            leaf.to_hex(),
            content.join(",")
        ));
        leaves.push(leaf);
        last_time = event["recorded"].as_str().unwrap().to_string();
    }
    let time = chrono::DateTime::parse_from_rfc3339(&last_time)
        .unwrap()
        .to_utc();
    let checkpoint = listdiff::model::checkpoint::Checkpoint {
        store_id,
        size: leaves.len() as u64,
        root: merkle::root(&leaves),
        time,
    };
    out.push_str(&serde_json::to_string(&json!({"checkpoint": checkpoint.to_text()})).unwrap());
    out.push('\n');
    out
}

#[test]
fn a_resealed_export_imports() {
    // The helper itself: an export re-sealed without changes imports.
    let env = Env::new();
    let file = env.write(
        "l.json",
        native(
            "l",
            "2024-01-01",
            "snapshot",
            json!({"entries": [{"id": "a", "name": "A"}]}),
        ),
    );
    env.ok(&["ingest", &file]);
    let copy = Env::new();
    let resealed = copy.write("export.jsonl", reseal(&export_lines(&env)));
    copy.ok(&["import", &resealed]);
}

#[test]
fn an_export_line_holding_more_than_its_inputs_account_for_is_refused() {
    let env = Env::new();
    let file = env.write(
        "l.json",
        native(
            "l",
            "2024-01-01",
            "snapshot",
            json!({"entries": [{"id": "a", "name": "A"}]}),
        ),
    );
    env.ok(&["ingest", &file]);
    let added = env.write(
        "m.json",
        native(
            "l",
            "2024-01-02",
            "amendment",
            json!({"add": [{"id": "b", "name": "B"}]}),
        ),
    );
    env.ok(&["ingest", &added]);
    let mut lines = export_lines(&env);
    // The added entry now has a 24 MiB name: the 150 bytes of input its event records cannot
    // account for it.
    lines[2]["lines"][0]["name"] = json!("N".repeat(24 << 20));
    let copy = Env::new();
    let resealed = copy.write("export.jsonl", reseal(&lines));
    let output = copy.cmd(&["import", &resealed]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("line 3 (event 2): its content lines are longer than the")
            && stderr.contains("input bytes its header records can account for"),
        "{stderr}"
    );
    assert!(!copy.store().exists());
}
