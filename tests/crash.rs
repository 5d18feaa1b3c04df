//! Killing listdiff in the middle of an ingest leaves a store that opens, verifies, and holds every event
//! whole or not at all.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Env, RealData};

const FILES: [(&str, usize); 4] = [
    ("ofac-sdn/2021-12-22", 9158),
    ("ofac-sdn/2021-12-30", 9008),
    ("ofac-sdn/2022-02-24", 9123),
    ("ofac-sdn/2022-02-25", 9214),
];

#[test]
fn a_killed_ingest_leaves_whole_events_only() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    // How long an uninterrupted ingest takes here, to spread the kills across it.
    let probe = Env::new();
    let started = Instant::now();
    let paths: Vec<String> = FILES.iter().map(|(p, _)| real.file(p)).collect();
    let mut args = vec!["ingest"];
    args.extend(paths.iter().map(String::as_str));
    probe.ok(&args);
    let full = started.elapsed();

    // Kill points spread over the whole ingest: evenly, then at pseudo-random moments (a fixed
    // sequence, so a failure can be replayed).
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut points: Vec<Duration> = (1..=6u32).map(|step| full * step / 7).collect();
    for _ in 0..14 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let permille = (state % 1100) as u32;
        points.push(full * permille / 1000);
    }
    for (step, point) in points.into_iter().enumerate() {
        let env = Env::new();
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("listdiff"))
            .arg("--store")
            .arg(env.store())
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(point);
        let _ = child.kill();
        let _ = child.wait();

        // Killed before anything was recorded: there may be no store at all, or an empty one.
        if !env.store().join("listdiff-store").exists() {
            eprintln!("step {step}: killed before the store existed");
            env.ok(&args);
            continue;
        }
        // The store opens (recovering its indexes if needed) and every recorded event is whole.
        let log = env.json(&["log"]);
        let events = log["events"].as_array().unwrap().clone();
        assert!(events.len() <= FILES.len());
        eprintln!("step {step}: {} events survived the kill", events.len());
        env.ok(&["verify"]);
        env.ok(&["rebuild"]);
        for (event, (path, count)) in events.iter().zip(FILES) {
            let date = path.rsplit('/').next().unwrap();
            assert_eq!(event["published"], date);
            let as_of = env.json(&["as-of", date]);
            assert_eq!(
                as_of["entries"].as_array().unwrap().len(),
                count,
                "after a kill at step {step}"
            );
        }
        // And the ingest can simply be run again.
        env.ok(&args);
        assert_eq!(
            env.json(&["log"])["events"].as_array().unwrap().len(),
            FILES.len()
        );
        env.ok(&["verify"]);
    }
    assert!(full < Duration::from_secs(600));
}
