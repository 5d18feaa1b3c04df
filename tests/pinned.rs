//! Pinned behaviour: the SHA-256 of what listdiff answers on real publications and on the
//! hand-made fixture of every format. A refactor must leave every digest unchanged; a change of
//! behaviour that is meant updates the digest here, in the same commit, with the reason.
//!
//! Real files are named relative to the real-data directory and read with that directory as the
//! working directory, so that the sources recorded (file paths) are the same on every machine.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use std::path::Path;

use common::{Env, RealData, repo};
use sha2::{Digest, Sha256};

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Runs listdiff in `dir` against the env's store; the command must succeed.
fn run_in(env: &Env, dir: &Path, args: &[&str]) -> Vec<u8> {
    let output = env
        .cmd(args)
        .current_dir(dir)
        .output()
        .expect("listdiff runs");
    assert!(
        output.status.success(),
        "listdiff {args:?} failed with {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// `log -o json` without the recording times (which follow the clock, not the input).
fn log_without_times(env: &Env, dir: &Path) -> Vec<u8> {
    let text = run_in(env, dir, &["log", "-o", "json"]);
    let mut log: serde_json::Value = serde_json::from_slice(&text).expect("log prints JSON");
    for event in log["events"].as_array_mut().expect("events") {
        event
            .as_object_mut()
            .expect("an event is an object")
            .remove("recorded");
    }
    serde_json::to_vec_pretty(&log).expect("JSON")
}

/// One pinned answer: what it is and its digest.
struct Pin {
    what: String,
    digest: String,
}

fn check(pins: &[Pin], expected: &[(&str, &str)]) {
    let mut wrong = Vec::new();
    for pin in pins {
        match expected.iter().find(|(what, _)| *what == pin.what) {
            Some((_, digest)) if *digest == pin.digest => {}
            Some((_, digest)) => wrong.push(format!(
                "{}: expected {digest}, got {}",
                pin.what, pin.digest
            )),
            None => wrong.push(format!("{}: not pinned, got {}", pin.what, pin.digest)),
        }
    }
    for (what, _) in expected {
        // Without real data the pins of real files are not computed (the test says it skipped).
        if !pins.iter().any(|p| p.what == *what) && RealData::present().is_some() {
            wrong.push(format!("{what}: pinned but not computed"));
        }
    }
    assert!(
        wrong.is_empty(),
        "pinned digests differ:\n{}\n\nall computed:\n{}",
        wrong.join("\n"),
        pins.iter()
            .map(|p| format!("        (\"{}\", \"{}\"),", p.what, p.digest))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Real publications of every kind, ingested into one store: the state of each list and the log.
#[test]
fn real_publications_answer_as_pinned() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let root = real.dir().to_path_buf();
    let env = Env::new();
    // Each ingest in the order an operator would run them; directories expand to their files.
    let ingests: [&[&str]; 10] = [
        &["ofac-sdn/2021-07-07"],
        &["ofac-sdn/2024-03-04/sdn.csv"],
        &["un-consolidated/2026-02-27/consolidated.xml"],
        &["trade-csl/2023-11-30/consolidated.csv"],
        &["bis-dpl/2023-11-30/dpl.txt"],
        &["ofac-consolidated/2025-12-19"],
        &["ofac-consolidated/2018-04-06/consolidated.xml"],
        &["ofac-xml-2024/2025-03-28/consolidated.xml"],
        &["opensanctions-ftm/2024-06-01/entities.ftm.json"],
        &["uk-ofsi/2014-04-02/sanctionsconlist.csv"],
    ];
    for paths in ingests {
        // The UN file is dated after the tests' clock (2026-01-15). The 2024-03-04 sdn.csv
        // comes without the companion files the 2021-07-07 set had (--allow-partial).
        let mut args = vec![
            "ingest",
            "--allow-drop",
            "--allow-future",
            "--allow-partial",
        ];
        args.extend_from_slice(paths);
        run_in(&env, &root, &args);
    }
    let mut pins = vec![Pin {
        what: "log".into(),
        digest: sha(&log_without_times(&env, &root)),
    }];
    let lists = run_in(&env, &root, &["log", "-o", "json"]);
    let lists: serde_json::Value = serde_json::from_slice(&lists).unwrap();
    // The state of each list at every date it has a publication, and at the end.
    let mut states: Vec<(String, String)> = lists["events"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| {
            let list = e["list"].as_str().unwrap().to_string();
            // The date of a publication time (`2026-02-27T00:00:09Z`).
            let date = e["published"].as_str().unwrap()[..10].to_string();
            [(list.clone(), date), (list, "2026-01-01".to_string())]
        })
        .collect();
    states.sort();
    states.dedup();
    for (list, date) in states {
        let answer = run_in(
            &env,
            &root,
            &["as-of", &date, "--list", &list, "-o", "json"],
        );
        pins.push(Pin {
            what: format!("as-of {date} {list}"),
            digest: sha(&answer),
        });
    }
    // Every list summed up, and a since that starts before the SDN's baseline (issue 11).
    for (what, args) in [
        ("lists", vec!["lists", "-o", "json"]),
        (
            "since 2018-01-01 us-ofac-sdn",
            vec!["since", "2018-01-01", "--list", "us-ofac-sdn", "-o", "json"],
        ),
    ] {
        pins.push(Pin {
            what: what.into(),
            digest: sha(&run_in(&env, &root, &args)),
        });
    }
    // Issue 12 item 16: ids that are all digits are listed in number order. The answers on
    // lists with such ids (uk-ofsi, us-csl-sdn, us-ofac-cons, us-ofac-sdn) changed in order
    // only: each new digest is that of the old answer with its entries or changes reordered.
    check(
        &pins,
        &[
            (
                "log",
                "db6b9ee19649001c7de4b71e191e511ef5f2531a2d0b370829fe563dae5baec9",
            ),
            (
                "lists",
                "908e3e4510de2061c620db5f3e0636834c95396bb211b8169bda713100c0b5c2",
            ),
            (
                "since 2018-01-01 us-ofac-sdn",
                "979a4c5d4362ea97c2247dc26af4d5e1b1da817a5628e3358d05c4e243b098a1",
            ),
            (
                "as-of 2024-06-01 os-eu_fsf",
                "7c858a03a91cd270d2f87a7e72f6ca1e132b93b0595243e1e6bdd213c1f7aa19",
            ),
            (
                "as-of 2026-01-01 os-eu_fsf",
                "1798c4f76e0241e0ef9e93102cfc032351daecbacd8c3837744e1149b4286caa",
            ),
            (
                "as-of 2014-04-02 uk-ofsi",
                "89cc91c47b01b2df03bb01e300b2d327a874b5ed94915dcaae39e5ec4988b986",
            ),
            (
                "as-of 2026-01-01 uk-ofsi",
                "14c1fe479eae20c6dc587c5af920b17c6b33364049dff74bf41c6512b69636a6",
            ),
            (
                "as-of 2026-01-01 un-sc",
                "3bf217b7ce754b0d2b7de72f81ffc8aa38358c3e33e20bda8a414b5a72b22d3d",
            ),
            (
                "as-of 2026-02-27 un-sc",
                "945b6c3f92fb80442d4a62198b5f437d069b95e44fb7b56a986580cf9f6419a0",
            ),
            (
                "as-of 2023-11-30 us-bis-dpl",
                "44c0c4c94a8ae65c3cb3a99ed1b10a0c2aa9fc8656129f6d44c2a6a2d9d5f05d",
            ),
            (
                "as-of 2026-01-01 us-bis-dpl",
                "d86f3594f18c37a6eef490d106814ce9192502b7cd3faf4499810b88e138ca9f",
            ),
            (
                "as-of 2023-11-30 us-csl-cap",
                "f7f937bdb2c8a3dd395bd9c710f7225412c9909d7a9e4c2d16deb4fe8d937e63",
            ),
            (
                "as-of 2026-01-01 us-csl-cap",
                "edb3fecb51146233a14625950b55b88165bc296b136470e60f36801828e96898",
            ),
            (
                "as-of 2023-11-30 us-csl-cmic",
                "eede1ac42d9de540c16ae364595f6bb0a6ea36dee5796acd85732515da0fcc21",
            ),
            (
                "as-of 2026-01-01 us-csl-cmic",
                "38eaf2dbf30b31f2821752bb5d4237ffc0dacf243ab59ded5d5979275ac7bf11",
            ),
            (
                "as-of 2023-11-30 us-csl-dpl",
                "b7971c7bc1473e70a5456b33d341306263e09c358b3a7dd59a4ccf2af9394a21",
            ),
            (
                "as-of 2026-01-01 us-csl-dpl",
                "e9f529a367bcc1c684fd4b01e9271a06e2bbbfd7b5f60fac0f4ba6293cb66b5a",
            ),
            (
                "as-of 2023-11-30 us-csl-dtc",
                "05f9852595c8a69cd3a1f3d350d2afeeac0849d653ec9f09d55c73a9488f834a",
            ),
            (
                "as-of 2026-01-01 us-csl-dtc",
                "28b62400bbd68848ad705a5fecf85e2fee88a364dcb50865b59641edc482b7d9",
            ),
            (
                "as-of 2023-11-30 us-csl-el",
                "6083de58864d69c8a7beaf51b136e03497ba5bfae600990aa426247001d30bce",
            ),
            (
                "as-of 2026-01-01 us-csl-el",
                "9ca6f1facdd27531f01aa45cfdfc3ab981f43f216c24ac3d3eed59f24887712c",
            ),
            (
                "as-of 2023-11-30 us-csl-fse",
                "797438b21c103685d5b00911fd2f6117ba702b1be9d80fa39659faa063b0d9c9",
            ),
            (
                "as-of 2026-01-01 us-csl-fse",
                "3d89757187e73dec4432aa6831e5168205545f8fe0e74eb36935fff436c53062",
            ),
            (
                "as-of 2023-11-30 us-csl-isn",
                "4d8551bb31a8605138f1073f0c8fd0ac759d8c293f8f2bb603fb2fdf51311275",
            ),
            (
                "as-of 2026-01-01 us-csl-isn",
                "13f0eb6c36695c45edb18c3c0c86db0406dc19db346a0d0ffaeac90208ac2e38",
            ),
            (
                "as-of 2023-11-30 us-csl-meu",
                "450a3f79895a01a8af645b09e012a4390676a9b45b521edb9530cc141d749006",
            ),
            (
                "as-of 2026-01-01 us-csl-meu",
                "1aed7b47f95ab6cac62192416298826a1b1dd7aebf99d0832aa17121162f8d87",
            ),
            (
                "as-of 2023-11-30 us-csl-ns-mbs",
                "4b6340539a8bac02b528d894190abe6f720c7baea67f4a570d24b743c62452b3",
            ),
            (
                "as-of 2026-01-01 us-csl-ns-mbs",
                "8d49835fbd6bd14194817220ed6e873fbf4b1603d90613e7a19125aa317fc12d",
            ),
            (
                "as-of 2023-11-30 us-csl-plc",
                "207a1b6f7325cc74ef6635aa0ddfbec72676fb8b18cc936d2a17bf37eb5fde10",
            ),
            (
                "as-of 2026-01-01 us-csl-plc",
                "afcfd12e2282f56cee51f5a0738f8f5c33bc35985e4d7792398963df012ab7f7",
            ),
            (
                "as-of 2023-11-30 us-csl-sdn",
                "fbc3815105c3839688d54ddb91db635d698ffe426a5392e40996ea7cd707faa0",
            ),
            (
                "as-of 2026-01-01 us-csl-sdn",
                "78254dd46d1068211dcc642f043c319ab8c3d68e1ead9e2cac63b376cfe0e5c4",
            ),
            (
                "as-of 2023-11-30 us-csl-ssi",
                "e82cca854c2077b6a7ee2ce841d7ace92b64a1bfe68318c7a36df3544efabb4a",
            ),
            (
                "as-of 2026-01-01 us-csl-ssi",
                "5ce7222897547fe9fec42fde460f3b43b50e7c3d2bc90b911d7100f77343523c",
            ),
            (
                "as-of 2023-11-30 us-csl-uvl",
                "d7ca1469bbc5c3bf7aa3c9f3eb34a2a95b386d43e89d7b207111f5e213d91bbf",
            ),
            (
                "as-of 2026-01-01 us-csl-uvl",
                "ccc6e49732980862d20bfe4b805e6c62c990086215a079bcfef9c95e12190e9a",
            ),
            (
                "as-of 2018-04-06 us-ofac-cons",
                "a42fe657d0d7cbb21d720060e93a3b5c5d0c49ff6d3d3a98df9018521c45312d",
            ),
            (
                "as-of 2025-03-28 us-ofac-cons",
                "625f0c20e0c936edb25df2edbb633b7217f8e7719ede3c72314feb19cca9dbfb",
            ),
            (
                "as-of 2025-12-19 us-ofac-cons",
                "2376c4dcb073ad2c17947fb0452ae250ecf43dcedcc0fd5f0c544f19f9556bb5",
            ),
            (
                "as-of 2026-01-01 us-ofac-cons",
                "98676cc725c7cf7ee91e4547bbd0456630ad10de78d23c92f5200a72ed295d3d",
            ),
            (
                "as-of 2021-07-07 us-ofac-sdn",
                "19958c8b94282272701fefd2827e1d8a4b4342c6a1471312f38f0b2d4763dbdc",
            ),
            (
                "as-of 2024-03-04 us-ofac-sdn",
                "16d8c2babc4b12e24e661c63f21e8e243317bbb992984638a2af956fb1fea94d",
            ),
            (
                "as-of 2026-01-01 us-ofac-sdn",
                "430db943d37bc00b9233cfbe6147d66be5b6daac53dda44df4475467afc0982d",
            ),
        ],
    );
}

/// `compare` on the hand-made fixtures of every format (and on real pairs where there are no
/// fixtures), as JSON.
#[test]
fn fixture_comparisons_answer_as_pinned() {
    let env = Env::new();
    let fixtures = repo("tests/fixtures");
    let dir = Path::new(&fixtures);
    let pairs: [(&str, &[&str]); 9] = [
        (
            "csv",
            &[
                "--list",
                "us-dhs-uflpa",
                "--key",
                "Entity Name",
                "--map",
                "name=Entity Name",
                "--map",
                "aliases=Also Known As",
                "--map",
                "countries=Country",
                "--map",
                "programs=UFLPA List",
                "--map",
                "citations=Federal Register Notice",
                "--map",
                "listed_on=Date Added",
                "csv/uflpa-2024-06-12.csv",
                "csv/uflpa-2024-11-01.csv",
            ],
        ),
        (
            "ecfr-entity-list",
            &[
                "ecfr-entity-list/2024-01-15/title-15-part-744.xml",
                "ecfr-entity-list/2024-06-03/supplement-4.xml",
            ],
        ),
        (
            "eu-fsf-csv",
            &["eu-fsf-csv/2025-03-14.csv", "eu-fsf-csv/2025-04-01.csv"],
        ),
        (
            "eu-fsf-xml",
            &["eu-fsf-xml/2025-03-14.xml", "eu-fsf-xml/2025-04-01.xml"],
        ),
        (
            "ofac-advanced-xml",
            &[
                "ofac-advanced-xml/2024-03-01/sdn_advanced.xml",
                "ofac-advanced-xml/2024-03-04/sdn_advanced.xml",
            ],
        ),
        (
            "ofac-xml",
            &["ofac-xml/2024-03-01/SDN.XML", "ofac-xml/2024-03-04/SDN.XML"],
        ),
        (
            "uk-fcdo-csv",
            &[
                "uk-fcdo-csv/UK-Sanctions-List-2025-03-14.csv",
                "uk-fcdo-csv/UK-Sanctions-List-2025-04-02.csv",
            ],
        ),
        (
            "uk-fcdo-xml",
            &[
                "uk-fcdo-xml/UK-Sanctions-List-2025-03-14.xml",
                "uk-fcdo-xml/UK-Sanctions-List-2025-04-02.xml",
            ],
        ),
        (
            "uk-ofsi-csv",
            &[
                "uk-ofsi-csv/ConList-2020-04-02.csv",
                "uk-ofsi-csv/ConList-2025-03-28.csv",
            ],
        ),
    ];
    let mut pins = Vec::new();
    for (what, args) in pairs {
        let mut all = vec!["compare", "-o", "json"];
        all.extend_from_slice(args);
        pins.push(Pin {
            what: format!("compare {what}"),
            digest: sha(&run_in(&env, dir, &all)),
        });
    }
    // Formats with no hand-made pair: real pairs (skipped, with their pins, without real data).
    if let Some(real) = RealData::or_skip() {
        let root = real.dir();
        let real_pairs: [(&str, [&str; 2]); 6] = [
            (
                "ofac-sdn-csv",
                ["ofac-sdn/2022-02-24/sdn.csv", "ofac-sdn/2022-02-25/sdn.csv"],
            ),
            (
                "ofac-cons-csv",
                [
                    "ofac-consolidated/2018-04-06/cons_prim.csv",
                    "ofac-consolidated/2025-12-19/cons_prim.csv",
                ],
            ),
            (
                "ofac-xml real",
                [
                    "ofac-xml-2024/2024-05-06/consolidated.xml",
                    "ofac-xml-2024/2025-03-28/consolidated.xml",
                ],
            ),
            (
                "un-xml",
                [
                    "un-consolidated/2025-11-18/consolidated.xml",
                    "un-consolidated/2026-02-27/consolidated.xml",
                ],
            ),
            (
                "csl-csv",
                [
                    "trade-csl/2019-12-03/consolidated.csv",
                    "trade-csl/2023-11-30/consolidated.csv",
                ],
            ),
            (
                "bis-dpl",
                ["bis-dpl/2022-09-07/dpl.txt", "bis-dpl/2023-11-30/dpl.txt"],
            ),
        ];
        for (what, [old, new]) in real_pairs {
            pins.push(Pin {
                what: format!("compare {what}"),
                digest: sha(&run_in(&env, root, &["compare", "-o", "json", old, new])),
            });
        }
    }
    // Issue 12 item 16: ids that are all digits are listed in number order. The comparisons
    // of lists with such ids (ofac-cons-csv, ofac-xml real, csl-csv) changed in order only:
    // each new digest is that of the old answer with its changes reordered.
    check(
        &pins,
        &[
            (
                "compare csv",
                "808040f120948cc1e84742a5a1d2b5d9bb8a62718281064979356864c32837bb",
            ),
            (
                "compare ecfr-entity-list",
                "dede03672a9bccef013c60345974c6b07dd2486767fa8affecb5111dac04b1dc",
            ),
            (
                "compare eu-fsf-csv",
                "670ec9e60a35abbf0020988230dd2b5250dd54a9afec9c9965d107ba3cb294c0",
            ),
            (
                "compare eu-fsf-xml",
                "aff04691ebbaa8e72d7ec1982a3e1900a709a39cb7b1b0bfd645d06d873e9191",
            ),
            (
                "compare ofac-advanced-xml",
                "cb780af133bd1c60b8c8cf5134cd1e69a00ff63949ed8de5dfd1072fac1e9100",
            ),
            (
                "compare ofac-xml",
                "7e321f9f563890a22cd97d46af728a75d3cdef35e105d95c526751ff4ecc1e78",
            ),
            (
                "compare uk-fcdo-csv",
                "e2fbb720d4df2e9a601868ccdcb3525e740fff43280d2190824a55855b363f89",
            ),
            (
                "compare uk-fcdo-xml",
                "ef103d5fdfa7aa60664d1e0221200bb0c8c7e4e06aab5ef095a50d889bd8fc69",
            ),
            (
                "compare uk-ofsi-csv",
                "9ea1bd5026c518ac6253de3f79b46c79b6297474ec60c03c93a8131ac015bd05",
            ),
            (
                "compare ofac-sdn-csv",
                "f4595be7d47e5c0036b62e1d269c9c6ed0cb0da459cd70fb582c93b2c1885fa8",
            ),
            (
                "compare ofac-cons-csv",
                "756289e9672672ef3af8368e8cbeebd9f1aeaa3160dcaeaffae28cb88c70d696",
            ),
            (
                "compare ofac-xml real",
                "1379c9ae3b9f270624c3563d508172c0ae50a375c28641cec5b7a782ac4cec6f",
            ),
            (
                "compare un-xml",
                "d52b56b92bc27e579d66634b229c430f4a1165ea0be45460a6f8f06ac640dfd4",
            ),
            (
                "compare csl-csv",
                // Issue 12 item 6: the 2019 → 2023 change of key scheme carries 26 entries of
                // the BIS and State lists to their new ids (us-csl-dpl 6, dtc 3, el 15, isn 1,
                // uvl 1: removed 69 → 43, added 4181 → 4155, changed 46 → 72). Carried item:
                // each of the 26 is one change that says its `previous_id`, its `before` under
                // the old id, as the store answers.
                "ffacc48432c4f63b2ff50746774ba54e7ca1d0e1efb4a8eabfce015d2273c51a",
            ),
            (
                "compare bis-dpl",
                "01b1151e1b863c6570d7598f8a17a7addcc8632df7b8423c85d0b4698d3805f6",
            ),
        ],
    );
}
