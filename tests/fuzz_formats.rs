//! A fuzz target per format: each parser reads published files (real ones from
//! ../shared/data/real, cut to a few KB, and the hand-made fixtures) with bytes flipped,
//! inserted, deleted, repeated and the file cut short, and must never panic; every error must be
//! a clear message that names the file.
//!
//! Bounded for CI: `LISTDIFF_FUZZ_CASES` cases per format (default 200, a few seconds each).
//! A longer run: `LISTDIFF_FUZZ_CASES=20000 cargo test --release --test fuzz_formats`.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use common::RealData;

use std::sync::OnceLock;

use listdiff::formats::{Format, Input, InputFile, ParseOptions};
use listdiff::model::ListId;
use proptest::prelude::*;

/// The file name parsers are given; every error must name it.
const FILE: &str = "fuzz-input.bin";

fn cases() -> u32 {
    std::env::var("LISTDIFF_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

/// The first `limit` bytes of a real published file, cut at a line end; nothing when the real
/// data is missing (the formats seeded only by real files are then skipped).
fn real_head(rel: &str, limit: usize) -> Vec<u8> {
    let Some(real) = RealData::present() else {
        return Vec::new();
    };
    let bytes = std::fs::read(real.file(rel)).unwrap_or_default();
    if bytes.len() <= limit {
        return bytes;
    }
    let cut = bytes[..limit]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(limit, |i| i + 1);
    bytes[..cut].to_vec()
}

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(common::repo(&format!("tests/fixtures/{rel}"))).unwrap_or_default()
}

/// Seed files by format name.
type Seeds = Vec<(&'static str, Vec<Vec<u8>>)>;

/// Valid (or nearly valid) inputs of each format to start mutating from.
fn seeds(format: Format) -> &'static [Vec<u8>] {
    static SEEDS: OnceLock<Seeds> = OnceLock::new();
    let all = SEEDS.get_or_init(|| {
        let mut all = all_seeds();
        for (_, seeds) in &mut all {
            seeds.retain(|seed| !seed.is_empty());
        }
        all
    });
    all.iter()
        .find(|(name, _)| *name == format.name())
        .map(|(_, s)| s.as_slice())
        .unwrap_or(&[])
}

/// The seeds of every format; those from real files are empty when the real data is missing.
fn all_seeds() -> Seeds {
    let native = br#"{"list": "l", "published": "2024-12-01", "kind": "snapshot", "entries": [{"id": "a", "name": "A", "countries": ["China"], "reason": "human rights", "extra": {"x": [1, {"y": "z"}]}}]}"#.to_vec();
    let amendment = br#"{"list": "l", "published": "2024-12-11", "kind": "amendment", "add": [{"id": "b", "name": "B"}], "amend": [{"id": "a", "name": "A", "reason": "r"}], "remove": ["c"]}"#.to_vec();
    let ndjson = b"{\"id\": \"a\", \"name\": \"A\"}\n{\"id\": \"b\", \"name\": \"B\", \"aliases\": [\"C\"]}\n".to_vec();
    let csl_json = br#"{"results": [{"id": "1", "source": "Entity List (EL) - Bureau of Industry and Security", "name": "A", "addresses": [{"address": "x", "country": "CN"}], "federal_register_notice": "89 FR 1", "start_date": "2024-01-02"}]}"#.to_vec();
    vec![
        ("native", vec![native, amendment]),
        ("native-ndjson", vec![ndjson]),
        (
            "csl-csv",
            vec![
                real_head("trade-csl/2019-12-03/consolidated.csv", 6000),
                real_head("trade-csl/2023-11-30/consolidated.csv", 6000),
            ],
        ),
        ("csl-json", vec![csl_json]),
        (
            "ofac-sdn-csv",
            vec![
                real_head("ofac-sdn/2019-01-04/sdn.csv", 6000),
                real_head("ofac-sdn/2021-07-07/sdn.csv", 6000),
            ],
        ),
        (
            "ofac-cons-csv",
            vec![real_head(
                "ofac-consolidated/2018-04-06/cons_prim.csv",
                6000,
            )],
        ),
        (
            "ofac-xml",
            vec![
                fixture("ofac-xml/2024-03-01/SDN.XML"),
                real_head("ofac-consolidated/2018-04-06/consolidated.xml", 8000),
            ],
        ),
        (
            "ofac-advanced-xml",
            vec![fixture("ofac-advanced-xml/2024-03-01/sdn_advanced.xml")],
        ),
        (
            "un-xml",
            vec![real_head(
                "un-consolidated/2018-06-07/consolidated.xml",
                8000,
            )],
        ),
        ("eu-fsf-xml", vec![fixture("eu-fsf-xml/2025-03-14.xml")]),
        ("eu-fsf-csv", vec![fixture("eu-fsf-csv/2025-03-14.csv")]),
        (
            "uk-fcdo-csv",
            vec![fixture("uk-fcdo-csv/UK-Sanctions-List-2025-03-14.csv")],
        ),
        (
            "uk-fcdo-xml",
            vec![fixture("uk-fcdo-xml/UK-Sanctions-List-2025-03-14.xml")],
        ),
        (
            "uk-ofsi-csv",
            vec![fixture("uk-ofsi-csv/ConList-2020-04-02.csv")],
        ),
        (
            "bis-dpl",
            vec![real_head("bis-dpl/2019-06-29/dpl.txt", 6000)],
        ),
        (
            "ecfr-entity-list",
            vec![fixture("ecfr-entity-list/2024-01-15/title-15-part-744.xml")],
        ),
        (
            "federal-register",
            vec![
                fixture("federal-register/mix-2024-12-11.xml"),
                fixture("federal-register/correcting-2024-12-20.xml"),
                real_head("federal-register/2023-02-27/2023-03929.xml", 12000),
            ],
        ),
        (
            "dhs-uflpa-html",
            vec![fixture("dhs-uflpa-html/uflpa-entity-list-2025-01-14.html")],
        ),
        (
            "ftm-json",
            vec![real_head(
                "opensanctions-ftm/2024-06-01/entities.ftm.json",
                6000,
            )],
        ),
        (
            "ftm-delta",
            vec![real_head(
                "opensanctions-ftm/2024-06-01/deltas/20240528014702-pfh.entities.delta.json",
                6000,
            )],
        ),
        ("csv", vec![fixture("csv/uflpa-2024-06-12.csv")]),
    ]
}

/// True when `format` has no seed because the real data is missing: the test of that format is
/// then skipped (said once, by [`RealData::or_skip`], which fails under CI instead).
fn skipped_without_real_data(format: Format) -> bool {
    static TOLD: std::sync::Mutex<Vec<Format>> = std::sync::Mutex::new(Vec::new());
    if !seeds(format).is_empty() || RealData::present().is_some() {
        return false;
    }
    let mut told = TOLD.lock().unwrap();
    if !told.contains(&format) {
        told.push(format);
        assert!(RealData::or_skip().is_none());
    }
    true
}

/// One change to a file.
#[derive(Clone, Debug)]
enum Edit {
    Flip(prop::sample::Index, u8),
    Insert(prop::sample::Index, u8),
    Delete(prop::sample::Index, u8),
    Repeat(prop::sample::Index, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Flip(i, b)),
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, n)| Edit::Delete(i, n)),
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, n)| Edit::Repeat(i, n)),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit], cut: Option<prop::sample::Index>) -> Vec<u8> {
    for edit in edits {
        let len = bytes.len();
        match edit {
            Edit::Flip(at, byte) if len > 0 => {
                let i = at.index(len);
                bytes[i] = *byte;
            }
            Edit::Insert(at, byte) => {
                let i = at.index(len + 1);
                bytes.insert(i, *byte);
            }
            Edit::Delete(at, n) if len > 0 => {
                let i = at.index(len);
                let end = (i + *n as usize % 64 + 1).min(len);
                bytes.drain(i..end);
            }
            Edit::Repeat(at, n) if len > 0 => {
                let i = at.index(len);
                let end = (i + *n as usize + 1).min(len);
                let chunk = bytes[i..end].to_vec();
                bytes.splice(i..i, chunk);
            }
            _ => {}
        }
    }
    if let Some(cut) = cut {
        let end = cut.index(bytes.len() + 1);
        bytes.truncate(end);
    }
    bytes
}

/// Parses `bytes` as `format` every way listdiff does; checks that errors are clear.
fn parse_as(format: Format, bytes: Vec<u8>) -> Result<(), TestCaseError> {
    let mut input = Input::single(FILE, bytes);
    input.options = ParseOptions {
        list: ListId::new("fuzzed-list").ok(),
        keys: if Some(format) == Format::for_key_and_map() {
            vec!["Name".into()]
        } else {
            Vec::new()
        },
        map: Vec::new(),
        delimiter: None,
    };
    if !format.companion_keys().is_empty() {
        // The four-file set: the companions are damaged copies too.
        for name in format.companion_keys() {
            input.companions.push((
                name.to_string(),
                InputFile {
                    name: name.to_string(),
                    bytes: input.primary.bytes.clone(),
                    stream_from: None,
                },
            ));
        }
    }
    let _ = listdiff::formats::detect(&input.primary.bytes);
    let whole = format.parse(&input);
    let streamed = format.parse_entries(&input, &mut |_| Ok(()));
    for error in [whole.err(), streamed.err()].into_iter().flatten() {
        let message = error.to_string();
        prop_assert!(
            message.contains(FILE) || message.contains(".csv"),
            "the error does not name the file: {message}"
        );
        prop_assert!(
            error.message.trim().len() >= 10,
            "the error says too little: {message}"
        );
        // Debug output of an inner error, unless the file itself holds that text.
        for debug_artifact in ["Error {", "Utf8Error", "kind: ", "Some(", "\"None\""] {
            prop_assert!(
                !message.contains(debug_artifact)
                    || memchr_find(&input.primary.bytes, debug_artifact.as_bytes()),
                "the error shows internals ({debug_artifact}): {message}"
            );
        }
    }
    Ok(())
}

fn memchr_find(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The registered format called `name`.
fn format(name: &str) -> Format {
    Format::from_name(name).unwrap_or_else(|| panic!("no format {name}"))
}

macro_rules! fuzz_targets {
    ($($name:ident => $format:expr,)*) => {
        proptest! {
            #![proptest_config(ProptestConfig {
                cases: cases(),
                failure_persistence: None,
                ..ProptestConfig::default()
            })]
            $(
                #[test]
                fn $name(
                    seed in any::<prop::sample::Index>(),
                    edits in proptest::collection::vec(edit(), 0..8),
                    cut in proptest::option::of(any::<prop::sample::Index>()),
                ) {
                    if skipped_without_real_data(format($format)) {
                        return Ok(());
                    }
                    let seeds = seeds(format($format));
                    prop_assert!(!seeds.is_empty(), "no seed for {}", $format);
                    let bytes = apply(seeds[seed.index(seeds.len())].clone(), &edits, cut);
                    parse_as(format($format), bytes)?;
                }
            )*
        }
    };
}

fuzz_targets! {
    fuzz_native => "native",
    fuzz_native_ndjson => "native-ndjson",
    fuzz_csl_csv => "csl-csv",
    fuzz_csl_json => "csl-json",
    fuzz_ofac_sdn_csv => "ofac-sdn-csv",
    fuzz_ofac_cons_csv => "ofac-cons-csv",
    fuzz_ofac_xml => "ofac-xml",
    fuzz_ofac_advanced_xml => "ofac-advanced-xml",
    fuzz_un_xml => "un-xml",
    fuzz_eu_fsf_xml => "eu-fsf-xml",
    fuzz_eu_fsf_csv => "eu-fsf-csv",
    fuzz_uk_fcdo_csv => "uk-fcdo-csv",
    fuzz_uk_fcdo_xml => "uk-fcdo-xml",
    fuzz_uk_ofsi_csv => "uk-ofsi-csv",
    fuzz_bis_dpl => "bis-dpl",
    fuzz_ecfr_entity_list => "ecfr-entity-list",
    fuzz_federal_register => "federal-register",
    fuzz_dhs_uflpa_html => "dhs-uflpa-html",
    fuzz_ftm_json => "ftm-json",
    fuzz_ftm_delta => "ftm-delta",
    fuzz_plain_csv => "csv",
}

#[test]
fn every_format_has_a_fuzz_target_with_seeds() {
    let Some(_real) = RealData::or_skip() else {
        return;
    };
    let all = all_seeds();
    for format in Format::ALL {
        let seeds = all
            .iter()
            .find(|(f, _)| *f == format.name())
            .map(|(_, s)| s);
        assert!(
            seeds.is_some_and(|s| !s.is_empty() && s.iter().all(|seed| !seed.is_empty())),
            "{} has no seed file, or one of its seed files is missing or empty",
            format.name()
        );
    }
}

/// The auditor's texts — checkpoints, signed checkpoints and inclusion proofs — are read from
/// files too: damaged copies are refused with a message naming the line, never a panic.
mod audit_texts {
    use super::*;
    use listdiff::model::checkpoint::Checkpoint;
    use listdiff::model::proof::InclusionProof;
    use listdiff::model::signature::SignedCheckpoint;

    const CHECKPOINT: &str = "listdiff checkpoint v1\nstore 537d2134f792fa35\nsize 4\nroot 70ea879acd9806de78f5d4f638f2318e6451f6f0d9150a08ca8494dbbce556c6\ntime 2024-12-19T08:05:00Z\n\nsignature ed25519 791a10a3185a5f1b 27358a4ce3db58cd039ed9f1e355f078126e9eb04234c10262914e13415c44cea382f71d1b96ebbbf9a9f7891fccad40db11737469c034a820c874bba0d2890f\n";
    const PROOF: &str = "listdiff inclusion proof v1\nstore 537d2134f792fa35\nevent 3\nsize 4\nroot 70ea879acd9806de78f5d4f638f2318e6451f6f0d9150a08ca8494dbbce556c6\npath 0818ec0b73cc278ee9e4e2747fa1192196eccac1805494ac8e0e54dc20273d58\npath 4fb59b279578434f26c93be1e3dc4d851e292738ba45fcc98b2fa8e5345d4792\nevent-bytes {\"v\":1,\"seq\":3,\"list\":\"l\",\"published\":\"2024-12-11\"}\n";

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: cases(),
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn fuzz_checkpoints_and_proofs(
            which in 0..2usize,
            edits in proptest::collection::vec(edit(), 0..8),
            cut in proptest::option::of(any::<prop::sample::Index>()),
        ) {
            let seed = [CHECKPOINT, PROOF][which].as_bytes().to_vec();
            let bytes = apply(seed, &edits, cut);
            let text = String::from_utf8_lossy(&bytes);
            if let Err(e) = Checkpoint::parse(&text) {
                prop_assert!(e.line >= 1 && !e.message.is_empty(), "{e}");
            }
            if let Err(e) = SignedCheckpoint::parse(&text) {
                prop_assert!(e.line >= 1 && !e.message.is_empty(), "{e}");
            }
            if let Err(e) = InclusionProof::parse(&text) {
                prop_assert!(e.to_string().len() > 10, "{e}");
            }
        }
    }

    #[test]
    fn the_seeds_are_valid() {
        assert!(SignedCheckpoint::parse(CHECKPOINT).is_ok());
        assert!(
            InclusionProof::parse(PROOF).is_ok(),
            "{:?}",
            InclusionProof::parse(PROOF).err()
        );
    }
}
