//! Text arrives as UTF-8, with a byte-order mark, as Windows-1252 (Latin-1), or as UTF-16:
//! every format reads it, by one decoding policy (see `src/formats/read/decode.rs`).
//!
//! The registry test runs over every format listdiff knows: a format added without an
//! encoding sample here fails it.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::{Env, native, repo};
use listdiff::formats::{Detection, Format, Input, InputFile, ParseOptions, detect};
use listdiff::model::{ListId, PublicationContent};
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

/// A small file of one format, holding `token` (ASCII) in an entry's name.
struct Sample {
    /// The format's name.
    format: &'static str,
    /// The file, UTF-8 (and ASCII where `token` is).
    bytes: Vec<u8>,
    /// A word of a name; every occurrence gets one byte 0xE9 (é in Windows-1252).
    token: &'static str,
    /// `token` with that byte: the byte replaces the letter at this position.
    at: usize,
}

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(repo(&format!("tests/fixtures/{rel}"))).expect("a fixture")
}

/// One sample per registered format.
fn samples() -> Vec<Sample> {
    let sample = |format, bytes: Vec<u8>, token, at| Sample {
        format,
        bytes,
        token,
        at,
    };
    let sdn_row =
        b"36,\"CAFE EXAMPLE\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n".to_vec();
    vec![
        sample(
            "native",
            br#"{"list": "l", "published": "2024-01-01", "kind": "snapshot", "entries": [{"id": "1", "name": "Cafe Example"}]}"#.to_vec(),
            "Cafe",
            3,
        ),
        sample(
            "native-ndjson",
            b"{\"id\": \"1\", \"name\": \"Cafe Example\"}\n".to_vec(),
            "Cafe",
            3,
        ),
        sample(
            "csl-csv",
            b"_id,source,name,programs\n\"1\",\"Entity List (EL) - Bureau of Industry and Security\",\"Cafe Example\",\"EAR\"\n".to_vec(),
            "Cafe",
            3,
        ),
        sample(
            "csl-json",
            br#"{"results": [{"id": "1", "source": "Entity List (EL) - Bureau of Industry and Security", "name": "Cafe Example"}]}"#.to_vec(),
            "Cafe",
            3,
        ),
        sample("ofac-sdn-csv", sdn_row.clone(), "CAFE", 3),
        sample("ofac-cons-csv", sdn_row, "CAFE", 3),
        sample(
            "ofac-xml",
            fixture("ofac-xml/2024-03-01/SDN.XML"),
            "AEROCARIBBEAN",
            10,
        ),
        sample(
            "ofac-advanced-xml",
            fixture("ofac-advanced-xml/2024-03-01/sdn_advanced.xml"),
            "AEROCARIBBEAN",
            10,
        ),
        sample(
            "un-xml",
            b"<?xml version=\"1.0\"?>\n<CONSOLIDATED_LIST dateGenerated=\"2020-11-23T19:10:17.6-05:00\"><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>CAFE</FIRST_NAME><SECOND_NAME>EXAMPLE</SECOND_NAME><UN_LIST_TYPE>DRC</UN_LIST_TYPE><REFERENCE_NUMBER>CDi.999</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>\n".to_vec(),
            "CAFE",
            3,
        ),
        sample(
            "eu-fsf-xml",
            fixture("eu-fsf-xml/2025-03-14.xml"),
            "Karim",
            1,
        ),
        sample(
            "eu-fsf-csv",
            fixture("eu-fsf-csv/2025-03-14.csv"),
            "Karim",
            1,
        ),
        sample(
            "uk-fcdo-csv",
            fixture("uk-fcdo-csv/UK-Sanctions-List-2025-03-14.csv"),
            "Ivanovich",
            2,
        ),
        sample(
            "uk-fcdo-xml",
            fixture("uk-fcdo-xml/UK-Sanctions-List-2025-03-14.xml"),
            "Ivanovich",
            2,
        ),
        sample(
            "uk-ofsi-csv",
            fixture("uk-ofsi-csv/ConList-2020-04-02.csv"),
            "Ivanovich",
            2,
        ),
        sample(
            "bis-dpl",
            b"\"Name\"\t\"Street_Address\"\t\"City\"\t\"State\"\t\"Country\"\t\"Postal_Code\"\t\"Effective_Date\"\t\"Expiration_Date\"\t\"Standard_Order\"\t\"Last_Update\"\t\"Action\"\t\"FR_Citation\"\n\"CAFE EXAMPLE\"\t\"1 Rd\"\t\"X\"\t\"\"\t\"CN\"\t\"1\"\t\"01/02/2020\"\t\"\"\t\"Y\"\t\"2020-01-02\"\t\"ADDITION\"\t\"85 F.R. 1 1/2/20\"\n".to_vec(),
            "CAFE",
            3,
        ),
        sample(
            "ecfr-entity-list",
            fixture("ecfr-entity-list/2024-06-03/supplement-4.xml"),
            "Microsystems",
            5,
        ),
        sample(
            "federal-register",
            fixture("federal-register/mix-2024-12-11.xml"),
            "Tehran",
            1,
        ),
        sample(
            "dhs-uflpa-html",
            fixture("dhs-uflpa-html/uflpa-entity-list-2025-01-14.html"),
            "Wool",
            1,
        ),
        sample(
            "ftm-json",
            b"{\"id\": \"NK-1\", \"schema\": \"Person\", \"properties\": {\"name\": [\"Cafe Example\"]}, \"datasets\": [\"eu_fsf\"]}\n".to_vec(),
            "Cafe",
            3,
        ),
        sample(
            "ftm-delta",
            b"{\"op\": \"ADD\", \"entity\": {\"id\": \"NK-1\", \"schema\": \"Person\", \"properties\": {\"name\": [\"Cafe Example\"]}, \"datasets\": [\"eu_fsf\"]}}\n".to_vec(),
            "Cafe",
            3,
        ),
        sample(
            "csv",
            b"Name,Country\nCafe Example,France\n".to_vec(),
            "Cafe",
            3,
        ),
    ]
}

/// Replaces every occurrence of `from` in `bytes` with `to`.
fn replace_all(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some(at) = rest.windows(from.len()).position(|w| w == from) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(to);
        rest = &rest[at + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// The XML declaration of `bytes` with `encoding` as given (`None`: no encoding named).
fn with_declared_encoding(bytes: &[u8], encoding: Option<&str>) -> Vec<u8> {
    let encoding_attr = encoding.map_or(String::new(), |e| format!(" encoding=\"{e}\""));
    let Some(end) = bytes
        .starts_with(b"<?xml")
        .then(|| bytes.windows(2).position(|w| w == b"?>"))
        .flatten()
    else {
        let mut out = format!("<?xml version=\"1.0\"{encoding_attr}?>").into_bytes();
        out.extend_from_slice(bytes);
        return out;
    };
    let declaration = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let mut kept: Vec<&str> = declaration
        .trim_start_matches("<?xml")
        .split_whitespace()
        .filter(|part| !part.starts_with("encoding"))
        .collect();
    let version = kept
        .iter()
        .position(|p| p.starts_with("version"))
        .map_or(0, |i| i + 1);
    let encoding_part = encoding_attr.trim().to_string();
    if encoding.is_some() {
        kept.insert(version, &encoding_part);
    }
    let mut out = format!("<?xml {}", kept.join(" ")).into_bytes();
    out.extend_from_slice(&bytes[end..]);
    out
}

/// The input `listdiff` would give the format's parser for `bytes` (a streamed file for the
/// formats that stream).
fn input(format: Format, name: &str, bytes: &[u8], dir: &std::path::Path) -> Input {
    let mut file = InputFile {
        name: name.to_string(),
        bytes: bytes.to_vec(),
        stream_from: None,
    };
    if format.streams() {
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("a temporary file");
        file.bytes.truncate(64);
        file.stream_from = Some(path);
    }
    let mut input = Input {
        primary: file,
        companions: Vec::new(),
        options: ParseOptions {
            list: ListId::new("encodings").ok(),
            keys: if Some(format) == Format::for_key_and_map() {
                vec!["Name".into()]
            } else {
                Vec::new()
            },
            map: Vec::new(),
            delimiter: None,
        },
    };
    for key in format.companion_keys() {
        input.companions.push((
            key.to_string(),
            InputFile {
                name: key.to_string(),
                bytes: Vec::new(),
                stream_from: None,
            },
        ));
    }
    input
}

/// Every name (and alias) the publications state.
fn names(publications: &[listdiff::formats::ParsedPublication]) -> Vec<String> {
    let mut out = Vec::new();
    for publication in publications {
        let entries: Vec<&listdiff::model::Entry> = match &publication.content {
            PublicationContent::Snapshot(entries) => entries.iter().collect(),
            PublicationContent::Amendment(amendment) => {
                amendment.add.iter().chain(&amendment.amend).collect()
            }
        };
        for entry in entries {
            out.push(entry.name.clone());
            out.extend(entry.aliases.iter().cloned());
        }
    }
    out
}

/// Every format in the registry, given its sample with one byte 0xE9 in a name (no encoding
/// declared; for XML, also declared UTF-8; for the others, also after a UTF-8 byte-order mark),
/// reads the name with "é" and warns, naming the byte; read whole and, for the formats that
/// can, one entry at a time. And each reads its sample as UTF-16 (with a byte-order mark) as it
/// reads it as UTF-8.
#[test]
fn every_registered_format_reads_windows_1252_with_a_warning_and_utf16() {
    let samples = samples();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut missing = Vec::new();
    for format in Format::ALL {
        let Some(sample) = samples.iter().find(|s| s.format == format.name()) else {
            missing.push(format.name());
            continue;
        };
        let file = format!("{}.sample", format.name());
        let clean = format
            .parse(&input(format, &file, &sample.bytes, dir.path()))
            .unwrap_or_else(|e| panic!("{format}: the clean sample does not read: {e}"));
        let clean_names = names(&clean.publications);
        // Formats recognised by content must still be recognised.
        let recognised = detect(&sample.bytes) == Detection::Format(format);
        let mut latin1_token = sample.token.as_bytes().to_vec();
        latin1_token[sample.at] = 0xE9;
        let mut utf8_token = sample.token.to_string();
        utf8_token.replace_range(sample.at..=sample.at, "é");
        let expected: Vec<String> = clean_names
            .iter()
            .filter(|n| n.contains(sample.token))
            .map(|n| n.replace(sample.token, &utf8_token))
            .collect();
        assert!(
            !expected.is_empty(),
            "{format}: no name of the sample holds {:?}: {clean_names:?}",
            sample.token
        );

        let latin1 = replace_all(&sample.bytes, sample.token.as_bytes(), &latin1_token);
        let is_xml = sample.bytes.starts_with(b"<");
        let variants: Vec<(&str, Vec<u8>)> = if is_xml {
            vec![
                (
                    "no encoding declared",
                    with_declared_encoding(&latin1, None),
                ),
                (
                    "declared UTF-8",
                    with_declared_encoding(&latin1, Some("UTF-8")),
                ),
            ]
        } else {
            let mut bom = b"\xEF\xBB\xBF".to_vec();
            bom.extend_from_slice(&latin1);
            vec![("plain", latin1.clone()), ("after a UTF-8 BOM", bom)]
        };
        for (variant, bytes) in variants {
            let offset = bytes.iter().position(|&b| b == 0xE9).expect("the byte");
            let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
            let what = format!("{format}, {variant}");
            let warning_start =
                format!("{file}:{line}: the byte at offset {offset} (0xE9) is not UTF-8");
            if recognised {
                assert_eq!(
                    detect(&bytes),
                    Detection::Format(format),
                    "{what}: detected"
                );
            }

            let parsed = format
                .parse(&input(format, &file, &bytes, dir.path()))
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            let got = names(&parsed.publications);
            assert!(
                expected.iter().all(|n| got.contains(n)),
                "{what}: expected {expected:?} among {got:?}"
            );
            assert!(
                parsed
                    .warnings
                    .iter()
                    .any(|w| w.starts_with(&warning_start)),
                "{what}: no warning starting {warning_start:?} in {:?}",
                parsed.warnings
            );

            let mut streamed = Vec::new();
            let snapshot = format
                .parse_entries(&input(format, &file, &bytes, dir.path()), &mut |entry| {
                    streamed.push(entry.name.clone());
                    streamed.extend(entry.aliases);
                    Ok(())
                })
                .unwrap_or_else(|e| panic!("{what}, one entry at a time: {e}"));
            if let Some(snapshot) = snapshot {
                assert!(
                    expected.iter().all(|n| streamed.contains(n)),
                    "{what}, one entry at a time: expected {expected:?} among {streamed:?}"
                );
                assert!(
                    snapshot
                        .warnings
                        .iter()
                        .any(|w| w.starts_with(&warning_start)),
                    "{what}, one entry at a time: no warning in {:?}",
                    snapshot.warnings
                );
            }
        }

        // UTF-16 with a byte-order mark, as the formats read it (no transcoding before).
        let text = String::from_utf8(sample.bytes.clone()).expect("samples are UTF-8");
        let utf16 = utf16le_with_bom(&text);
        let parsed = format
            .parse(&input(format, &file, &utf16, dir.path()))
            .unwrap_or_else(|e| panic!("{format}, UTF-16: {e}"));
        assert_eq!(names(&parsed.publications), clean_names, "{format}, UTF-16");
        assert_eq!(parsed.warnings, clean.warnings, "{format}, UTF-16");
        if recognised {
            assert_eq!(
                detect(&utf16),
                Detection::Format(format),
                "{format}, UTF-16"
            );
        }
    }
    assert!(
        missing.is_empty(),
        "formats without an encoding sample in tests/encodings.rs: {missing:?}"
    );
}

/// Runs `listdiff ingest` on `file` (with `extra` arguments first); returns its standard error.
fn ingest_stderr(env: &Env, extra: &[&str], file: &str) -> String {
    let mut args = vec!["ingest"];
    args.extend_from_slice(extra);
    args.push(file);
    let output = env.cmd(&args).output().expect("listdiff runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "listdiff {args:?} failed: {}\n{stderr}",
        String::from_utf8_lossy(&output.stdout)
    );
    stderr
}

/// The binary reads an XML and a CSV publication in Windows-1252: it says so on standard
/// error, naming the byte, and records the names with "é".
#[test]
fn the_cli_warns_and_records_the_names_read_as_windows_1252() {
    let env = Env::new();
    let xml = replace_all(
        &fixture("ofac-xml/2024-03-01/SDN.XML"),
        b"AEROCARIBBEAN",
        b"AEROCARIBB\xE9AN",
    );
    let xml = with_declared_encoding(&xml, Some("UTF-8"));
    let offset = xml.iter().position(|&b| b == 0xE9).expect("the byte");
    let path = env.write("SDN.XML", &xml);
    let stderr = ingest_stderr(&env, &[], &path);
    assert!(
        stderr.contains(&format!(
            "SDN.XML:11: the byte at offset {offset} (0xE9) is not UTF-8"
        )),
        "{stderr}"
    );
    let state = env.json(&["as-of", "2024-03-01", "--list", "us-ofac-sdn"]);
    assert!(
        state["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .any(|e| e["name"] == "AEROCARIBBéAN AIRLINES"),
        "{state}"
    );

    let csv = b"\"Name\"\t\"Street_Address\"\t\"City\"\t\"State\"\t\"Country\"\t\"Postal_Code\"\t\"Effective_Date\"\t\"Expiration_Date\"\t\"Standard_Order\"\t\"Last_Update\"\t\"Action\"\t\"FR_Citation\"\r\n\"CAF\xE9 EXAMPLE\"\t\"1 Rd\"\t\"X\"\t\"\"\t\"CN\"\t\"1\"\t\"01/02/2020\"\t\"\"\t\"Y\"\t\"2020-01-02\"\t\"ADDITION\"\t\"85 F.R. 1 1/2/20\"\r\n";
    let offset = csv.iter().position(|&b| b == 0xE9).expect("the byte");
    let path = env.write("dpl.txt", csv);
    let stderr = ingest_stderr(&env, &["--published", "2024-03-04"], &path);
    assert!(
        stderr.contains(&format!(
            "dpl.txt:2: the byte at offset {offset} (0xE9) is not UTF-8"
        )),
        "{stderr}"
    );
    let state = env.json(&["as-of", "2024-03-04", "--list", "us-bis-dpl"]);
    assert_eq!(state["entries"][0]["name"], "CAFé EXAMPLE", "{state}");
}

/// `compare` says what the readers noted too: a file read as Windows-1252 is never compared
/// silently.
#[test]
fn compare_warns_about_a_file_read_as_windows_1252() {
    let env = Env::new();
    let old = fixture("ofac-xml/2024-03-01/SDN.XML");
    let new = replace_all(&old, b"AEROCARIBBEAN", b"AEROCARIBB\xE9AN");
    let new = with_declared_encoding(&new, Some("UTF-8"));
    let (old, new) = (
        env.write("old/SDN.XML", &old),
        env.write("new/SDN.XML", &new),
    );
    let output = env
        .cmd(&["compare", "-o", "json", &old, &new])
        .output()
        .expect("listdiff runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("listdiff: warning: ") && stderr.contains("(0xE9) is not UTF-8"),
        "{stderr}"
    );
    let diff: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert!(diff.to_string().contains("AEROCARIBBéAN"), "{diff}");
}
