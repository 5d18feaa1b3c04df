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
        // The UN file is dated after the tests' clock (2026-01-15).
        let mut args = vec!["ingest", "--allow-drop", "--allow-future"];
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
    check(
        &pins,
        &[
            (
                "log",
                "db6b9ee19649001c7de4b71e191e511ef5f2531a2d0b370829fe563dae5baec9",
            ),
            (
                "as-of 2024-06-01 os-eu_fsf",
                "cd30295b7d28489470a2e888825de32dea808818fafd839f121f6c6bf70292fd",
            ),
            (
                "as-of 2026-01-01 os-eu_fsf",
                "d76d1ad042f75ed643486e754af1ec21b7b385d35089897338de8d237746ed0f",
            ),
            (
                "as-of 2014-04-02 uk-ofsi",
                "1e6443d997d3b61a1a52f2972a6b72c498226a72a6d01b9015e7064be85b4044",
            ),
            (
                "as-of 2026-01-01 uk-ofsi",
                "12e2708e93887d0513c783b1573a15a4821423d49a6a5a0dd616a4889fe9937e",
            ),
            (
                "as-of 2026-01-01 un-sc",
                "8e95d93e3ea89466c92efa5e86bcd60f122be982aae9215f4cb2ea0b0de88fb3",
            ),
            (
                "as-of 2026-02-27 un-sc",
                "7e9eaea09d0011ba5935ed00fc3aaa8c0335f2a881e604ada1c0b4d812ea5049",
            ),
            (
                "as-of 2023-11-30 us-bis-dpl",
                "cb92070e1e548037a7df5a7825722ec898265b0c7d0f5644551e5200fb1c75f8",
            ),
            (
                "as-of 2026-01-01 us-bis-dpl",
                "7e40a0e1bb4049432d6624670752881685adda43ce80afc960840822c0a241c7",
            ),
            (
                "as-of 2023-11-30 us-csl-cap",
                "b69b274d6ba66a87559c8a8b6cea451c5e372c1d4ce04243a72a5510256440ae",
            ),
            (
                "as-of 2026-01-01 us-csl-cap",
                "c232c9227d09f3328e71d47c3199031d600e6cfb4ecdab2cf8af0155c9b93ddd",
            ),
            (
                "as-of 2023-11-30 us-csl-cmic",
                "880ee190b6298aad525e8aa219611adff9375e28ba37f90356c0f335356d9c4d",
            ),
            (
                "as-of 2026-01-01 us-csl-cmic",
                "1393001d04d0ddf9709fbeca4c27cca8ea9e7bedcb4dc99e2f9e5a36aa5814b6",
            ),
            (
                "as-of 2023-11-30 us-csl-dpl",
                "067e833d2fd79b84751e68596ac35e1e03bf226d74ef1cc7b4054910b968a571",
            ),
            (
                "as-of 2026-01-01 us-csl-dpl",
                "fe70cf5b6ca4a88e0cb31f85a0ef586e8c5b028aaf89678f304c1e24885d3d83",
            ),
            (
                "as-of 2023-11-30 us-csl-dtc",
                "618c440c90d696f59f172dbc311de561ad533e57c46c85cacc838f8c6dff4742",
            ),
            (
                "as-of 2026-01-01 us-csl-dtc",
                "a7cdddb7603d5e92d532730102bba98a44843c7160560be2aa4ca2315ba21a98",
            ),
            (
                "as-of 2023-11-30 us-csl-el",
                "547dee8c5cad694c476f65d51f8b06f1d4d6480c4b2919f9da725458484432a4",
            ),
            (
                "as-of 2026-01-01 us-csl-el",
                "e92ef2ee5bdd274fd2f2b0e86bd276169c1faf3ca8a60c95d446ab66a238e716",
            ),
            (
                "as-of 2023-11-30 us-csl-fse",
                "138fd42daf4d16f8e5668bfaa290246859b13108125e8b4f2c8a512727ccc963",
            ),
            (
                "as-of 2026-01-01 us-csl-fse",
                "ff60d6c0eea68dbe0d5beb855ef0b48c40c51addb9d083c70b51da3846679155",
            ),
            (
                "as-of 2023-11-30 us-csl-isn",
                "edbf799e0f5346c8b11cd6d859a47e01ff588e9b58002dca927fd7a35924058a",
            ),
            (
                "as-of 2026-01-01 us-csl-isn",
                "155ae04daecef0c23591c4d7e74487324e62d4aaa6c47b6b103ec558f0e5ba34",
            ),
            (
                "as-of 2023-11-30 us-csl-meu",
                "13294019e8a887f90924278d744e8178551424e562a98ba4fb726b7f067e6c76",
            ),
            (
                "as-of 2026-01-01 us-csl-meu",
                "9b4d34a555705baf709070db0a12137ca0b8f91e21a97550d5b7dd2988646ba5",
            ),
            (
                "as-of 2023-11-30 us-csl-ns-mbs",
                "17d9e3cfd9fc572db0fe41ce6807a22786f7c986f1c859d7faba07f47318efff",
            ),
            (
                "as-of 2026-01-01 us-csl-ns-mbs",
                "87b4bac80ae69e81056601cc0ecfd78617323cc2732657cc76e77de284a78c0a",
            ),
            (
                "as-of 2023-11-30 us-csl-plc",
                "fac68c06b9de533572ba91f91b63ce5af57edfab6ed1c58de0775d18d584d04b",
            ),
            (
                "as-of 2026-01-01 us-csl-plc",
                "2e58833b698dfd144903c748dd5fc52800966e6560313471035c2e158fa111b0",
            ),
            (
                "as-of 2023-11-30 us-csl-sdn",
                "8fc2c504ceb5017af0a08061f0f47ce2ccc0d42bdafb3aeb19ea40790ba99374",
            ),
            (
                "as-of 2026-01-01 us-csl-sdn",
                "ad176a7a3445b9108f6ae83ddcae9991f438f437bdc648ca5f45204961ca8253",
            ),
            (
                "as-of 2023-11-30 us-csl-ssi",
                "ca8476674ccda8435c9aba9a9a6bfec7deb57e53b871b566fc964c8c8d53bcd2",
            ),
            (
                "as-of 2026-01-01 us-csl-ssi",
                "eb0a0cf9f8f527fcbd4ccebcaea59cd38bd22bc5e67ed9118f3b43a3b1f8e3d2",
            ),
            (
                "as-of 2023-11-30 us-csl-uvl",
                "60b478c1e7470b7f588773f4801df2921fac54d4fa65f81d4b8fc7c23e9ab06a",
            ),
            (
                "as-of 2026-01-01 us-csl-uvl",
                "31a247a8add326c95bf555a8258b92444ac1e17d541905900b4fd51323fd1f0a",
            ),
            (
                "as-of 2018-04-06 us-ofac-cons",
                "9067f5752f73e82dd88b4723cf70c54205b77a35ebf98d315995649f8fcc9b18",
            ),
            (
                "as-of 2025-03-28 us-ofac-cons",
                "5e042b167dc2a21e28c8606ebf835e454fa06343cee60176d2d3512d63bd0f0f",
            ),
            (
                "as-of 2025-12-19 us-ofac-cons",
                "e24eb6fd61b29c8ab706b9c1845632736c817ed6c27634c7adcb469cd1f7b30d",
            ),
            (
                "as-of 2026-01-01 us-ofac-cons",
                "4d25f00c7d8e221ee7677748538bfbba3bfb1367cff10a195d1984105fc5f0f1",
            ),
            (
                "as-of 2021-07-07 us-ofac-sdn",
                "fe0f65f28ccef95be97af5705715c00c0564365e8a8d0d06c97624e7ebbeb883",
            ),
            (
                "as-of 2024-03-04 us-ofac-sdn",
                "6a2c13884c9267fe2729db78b5e21dadd31bd7b3e2607a29183f1238bac7a6c4",
            ),
            (
                "as-of 2026-01-01 us-ofac-sdn",
                "486459be0ef3e44da83c1db5e574f79683c66925caf6f57bdc50ecce1734dbbb",
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
                "dfd746a12cb6d4cc268d86c8b4d079ae1989045537ba341be0ef03e046239224",
            ),
            (
                "compare ofac-xml",
                "595624ef3c2746931e624f9bd7bd344d1184a19601bc24776fa1fea0ceb73aee",
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
                "6f87af64ef360b8108984fb0e888f388658a7c41e4da8ccdb2a0f14d56547dea",
            ),
            (
                "compare ofac-xml real",
                "cbd899438d86e5e53527744a9d1f4b3a8c8c0645230e88e953e916ce1a629909",
            ),
            (
                "compare un-xml",
                "d52b56b92bc27e579d66634b229c430f4a1165ea0be45460a6f8f06ac640dfd4",
            ),
            (
                "compare csl-csv",
                "178ce3b9a7f54100f75b2bd8ba36c639df8b3d9d461f9c87499faa2189270b32",
            ),
            (
                "compare bis-dpl",
                "01b1151e1b863c6570d7598f8a17a7addcc8632df7b8423c85d0b4698d3805f6",
            ),
        ],
    );
}
