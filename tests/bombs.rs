//! Decompression bombs (issue 16, item 10): an archive file that would inflate far beyond the
//! input size its event records is refused as damaged, naming the file, having decompressed no
//! more than that size. Before, it was decompressed whole (64 KB became 2 GiB in memory) before
//! its hash was checked. (A content frame that would: the store's unit tests; an export line
//! holding more than its event can account for: tests/hostile_imports.rs.)
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, native};
use serde_json::json;
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
