//! Text arrives as UTF-8, with a byte-order mark, as Latin-1, or as UTF-16: every format reads it.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, native};
use serde_json::json;
use sha2::{Digest, Sha256};

fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes
}

#[test]
fn utf16_and_utf8_bom_files_are_recognised_and_read() {
    let env = Env::new();
    let doc = native(
        "l",
        "2024-01-01",
        "snapshot",
        json!({"entries": [{"id": "1", "name": "Société Générale Ümit"}]}),
    );
    let utf16 = utf16le_with_bom(&doc);
    let path = env.write("a.json", &utf16);
    env.ok(&["ingest", &path]);
    let state = env.json(&["as-of", "2024-01-01"]);
    assert_eq!(state["entries"][0]["name"], "Société Générale Ümit");
    // The recorded digest is of the bytes published, not of their transcoding.
    let log = env.json(&["log"]);
    let recorded = log["events"][0]["sha256"].as_str().unwrap().to_string();
    let manifest = format!("{}  a.json\n", hex::encode(Sha256::digest(&utf16)));
    assert!(
        recorded == hex::encode(Sha256::digest(&utf16))
            || recorded == hex::encode(Sha256::digest(manifest.as_bytes())),
        "sha256 {recorded} is not of the original bytes"
    );

    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(
        native(
            "l",
            "2024-01-02",
            "snapshot",
            json!({"entries": [{"id": "1", "name": "Société Générale Ümit"}, {"id": "2", "name": "Ünal"}]}),
        )
        .as_bytes(),
    );
    let out = env.ok(&["ingest", &env.write("b.json", bom)]);
    assert!(out.contains("1 added, 0 removed, 0 changed"), "{out}");
}
