//! Compressed inputs (issue 14, item 3): `ingest` reads `.gz`, `.zip`, `.tar`, `.tar.gz`
//! (`.tgz`) and `.tar.xz` (`.txz`) directly, their members in date/path order as a directory's
//! files, the archived bytes and SHA-256 those of each member; corrupt, truncated and hostile
//! archives are refused (exit 2) with nothing recorded and nothing written outside the private
//! unpacking directory; through the binary.
#![allow(clippy::unwrap_used)] // In tests a failed unwrap is a failed test.

mod common;

use std::io::{Read, Write};
use std::path::Path;

use common::{Env, RealData, repo};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// An `sdn.csv` of entries `ids` as OFAC writes it (CRLF, the 0x1A end mark).
fn sdn_csv(ids: std::ops::Range<u32>) -> Vec<u8> {
    let mut text = String::new();
    for id in ids {
        text.push_str(&format!(
            "{id},\"ENTITY {id}\",-0- ,\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"
        ));
    }
    let mut bytes = text.into_bytes();
    bytes.push(0x1A);
    bytes
}

/// `alt.csv` giving entries `ids` one alias each.
fn alt_csv(ids: std::ops::Range<u32>) -> Vec<u8> {
    let mut text = String::new();
    for id in ids {
        text.push_str(&format!(
            "{id},{},\"aka\",\"ALIAS {id}\",-0- \r\n",
            id + 1000
        ));
    }
    let mut bytes = text.into_bytes();
    bytes.push(0x1A);
    bytes
}

/// The members of the test archives, in the order written (not date order): OFAC legacy CSV
/// sets with a companion, the EU XML fixtures, a README and a hidden file (both skipped).
fn members() -> Vec<(String, Vec<u8>)> {
    let fixture = |rel: &str| std::fs::read(repo(&format!("tests/fixtures/{rel}"))).unwrap();
    vec![
        ("ofac/2024-01-03/sdn.csv".into(), sdn_csv(1..22)),
        ("ofac/2024-01-03/alt.csv".into(), alt_csv(1..5)),
        ("ofac/2024-01-01/sdn.csv".into(), sdn_csv(1..20)),
        ("ofac/2024-01-01/alt.csv".into(), alt_csv(1..3)),
        ("ofac/2024-01-02/sdn.csv".into(), sdn_csv(2..21)),
        ("ofac/2024-01-02/alt.csv".into(), alt_csv(2..4)),
        (
            "eu/2025-04-01.xml".into(),
            fixture("eu-fsf-xml/2025-04-01.xml"),
        ),
        (
            "eu/2025-03-14.xml".into(),
            fixture("eu-fsf-xml/2025-03-14.xml"),
        ),
        ("README.md".into(), b"# what this is\n".to_vec()),
        (".hidden/2024-01-04/sdn.csv".into(), sdn_csv(1..2)),
    ]
}

/// A tar of `members` (regular files, in the order given).
fn tar_of(members: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, bytes) in members {
        let mut header = tar::Header::new_ustar();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, name, &bytes[..]).unwrap();
    }
    builder.into_inner().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn xz(bytes: &[u8]) -> Vec<u8> {
    let mut writer =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(1)).unwrap();
    writer.write_all(bytes).unwrap();
    writer.finish().unwrap()
}

/// A zip of `members`, deflated.
fn zip_of(members: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in members {
        writer.start_file(name.as_str(), options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// The events of the store as recorded, without what depends on the input's name or the
/// recording time: (list, published, kind, sha256, format, added, removed, changed), in order.
fn events(env: &Env) -> Vec<Value> {
    env.json(&["log"])["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            serde_json::json!([
                e["list"],
                e["published"],
                e["kind"],
                e["sha256"],
                e["format"],
                e["added"],
                e["removed"],
                e["changed"]
            ])
        })
        .collect()
}

/// Runs a command that must fail; returns its exit code and standard error.
fn refused(env: &Env, args: &[&str]) -> (Option<i32>, String) {
    let output = env.cmd(args).output().unwrap();
    assert!(!output.status.success(), "listdiff {args:?} succeeded");
    (
        output.status.code(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// Writes `members` as plain files under `dir` of `env`; returns the directory.
fn write_plain(env: &Env, dir: &str, members: &[(String, Vec<u8>)]) -> String {
    for (name, bytes) in members {
        env.write(&format!("{dir}/{name}"), bytes);
    }
    env.dir.path().join(dir).to_string_lossy().into_owned()
}

#[test]
fn each_container_kind_records_the_same_events_as_the_plain_files() {
    let members = members();
    let plain = Env::new();
    let dir = write_plain(&plain, "plain", &members);
    plain.ok(&["ingest", "--allow-drop", &dir]);
    let expected = events(&plain);
    // 3 OFAC sets and 2 EU files; the README and the hidden file are skipped.
    assert_eq!(expected.len(), 5, "{expected:?}");
    let tar = tar_of(&members);
    let kinds: Vec<(&str, Vec<u8>)> = vec![
        ("in.tar", tar.clone()),
        ("in.tar.gz", gzip(&tar)),
        ("in.tgz", gzip(&tar)),
        ("in.tar.xz", xz(&tar)),
        ("in.txz", xz(&tar)),
        ("in.zip", zip_of(&members)),
        // Recognised by content, whatever the name.
        ("in.bin", xz(&tar)),
    ];
    for (name, bytes) in kinds {
        let env = Env::new();
        let archive = env.write(name, &bytes);
        let out = env.ok(&["ingest", "--allow-drop", &archive]);
        assert_eq!(events(&env), expected, "{name}: {out}");
        // Members are shown inside the archive, in date order.
        assert!(
            out.contains(&format!("({archive}:ofac/2024-01-01/sdn.csv)")),
            "{name}: {out}"
        );
        let first = out.find("ofac/2024-01-01/sdn.csv").unwrap();
        let third = out.find("ofac/2024-01-03/sdn.csv").unwrap();
        assert!(first < third, "{name}: not in date order: {out}");
    }
}

#[test]
fn the_same_archive_again_is_recognised_as_recorded_without_touching_the_store() {
    let env = Env::new();
    let archive = env.write("in.tar.xz", xz(&tar_of(&members())));
    env.ok(&["ingest", "--allow-drop", &archive]);
    let count = events(&env).len();
    let before = env.fingerprint();
    let again = env.ok(&["ingest", "--allow-drop", &archive]);
    assert_eq!(
        again.trim(),
        format!(
            "0 recorded, {count} already recorded, in {}",
            env.store().display()
        )
    );
    assert_eq!(env.fingerprint(), before, "the store was touched");
}

#[test]
fn a_gz_of_one_file_is_that_file() {
    let plain = Env::new();
    let xml = repo("tests/fixtures/eu-fsf-xml/2025-03-14.xml");
    plain.ok(&["ingest", &xml]);
    let env = Env::new();
    let gz = env.write("2025-03-14.xml.gz", gzip(&std::fs::read(&xml).unwrap()));
    let out = env.ok(&["ingest", &gz]);
    assert!(out.contains(&format!("{gz}:2025-03-14.xml")), "{out}");
    assert_eq!(events(&env), events(&plain));
}

#[test]
fn archive_stores_each_members_bytes_under_its_own_sha256() {
    let env = Env::new();
    let archive = env.write("in.zip", zip_of(&members()));
    let out = env.ok(&["ingest", "--allow-drop", "--archive", &archive]);
    // Three sdn.csv, three alt.csv, two XML files.
    assert!(out.contains("archived 8 input files"), "{out}");
    for (name, bytes) in members().iter().take(8) {
        let sha = hex::encode(Sha256::digest(bytes));
        let file = env
            .store()
            .join("archive/bytes")
            .join(&sha[..2])
            .join(format!("{sha}.zst"));
        let stored = std::fs::read(&file).unwrap_or_else(|_| panic!("{name} not archived"));
        assert_eq!(&zstd::decode_all(&stored[..]).unwrap(), bytes, "{name}");
    }
    // reparse reads the members from the archive as for files.
    env.ok(&["reparse"]);
}

#[test]
fn truncated_and_corrupt_archives_are_refused_and_nothing_is_recorded() {
    let env = Env::new();
    env.ok(&[
        "ingest",
        &env.write("first/2023-12-01/sdn.csv", sdn_csv(1..20)),
    ]);
    let before = env.fingerprint();
    let tar = tar_of(&members());
    let xz = xz(&tar);
    let gz = gzip(&tar);
    let zip = zip_of(&members());
    let mut flipped = zip.clone();
    // A byte inside the first member's deflated data: its CRC no longer matches.
    flipped[60] ^= 0xFF;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("cut.tar.xz", xz[..xz.len() / 2].to_vec()),
        ("cut.tar.gz", gz[..gz.len() / 2].to_vec()),
        ("cut.zip", zip[..zip.len() - 30].to_vec()),
        ("cut.tar", tar[..tar.len() / 3].to_vec()),
        ("flipped.zip", flipped),
        ("cut.xml.gz", gzip(&sdn_csv(1..400))[..200].to_vec()),
    ];
    for (name, bytes) in cases {
        let file = env.write(name, bytes);
        let (code, stderr) = refused(&env, &["ingest", &file]);
        assert_eq!(code, Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains(&file),
            "{name}: the archive is named: {stderr}"
        );
        assert_eq!(env.fingerprint(), before, "{name}: the store changed");
    }
}

/// A tar whose one member has the raw name `name` (written past the tar crate's own checks).
fn tar_with_raw_name(name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut header = tar::Header::new_ustar();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    let field = &mut header.as_old_mut().name;
    field.fill(0);
    field[..name.len()].copy_from_slice(name.as_bytes());
    header.set_cksum();
    let mut builder = tar::Builder::new(Vec::new());
    builder.append(&header, bytes).unwrap();
    builder.into_inner().unwrap()
}

#[test]
fn member_paths_leaving_the_archive_are_refused_and_nothing_is_written_outside() {
    let env = Env::new();
    let outside = env.dir.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let escape = format!("{}/2024-01-01/sdn.csv", outside.display());
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "dotdot.tar",
            tar_with_raw_name(
                "../../../../../../../tmp/2024-01-01/sdn.csv",
                &sdn_csv(1..3),
            ),
        ),
        ("absolute.tar", tar_with_raw_name(&escape, &sdn_csv(1..3))),
        (
            "dotdot.zip",
            zip_of(&[("../2024-01-01/sdn.csv".into(), sdn_csv(1..3))]),
        ),
    ];
    for (name, bytes) in cases {
        let file = env.write(name, bytes);
        let (code, stderr) = refused(&env, &["ingest", &file]);
        assert_eq!(code, Some(2), "{name}: {stderr}");
        assert!(stderr.contains("leaves the archive"), "{name}: {stderr}");
        assert!(!env.store().exists(), "{name}: nothing was recorded");
    }
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
    assert!(!env.dir.path().join("2024-01-01").exists());
}

#[test]
fn link_members_are_skipped_and_never_followed() {
    let env = Env::new();
    let outside = env.dir.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let mut builder = tar::Builder::new(Vec::new());
    // A link to a directory outside, then a file written "through" it.
    let mut link = tar::Header::new_ustar();
    link.set_entry_type(tar::EntryType::Symlink);
    link.set_size(0);
    builder
        .append_link(&mut link, "2024-01-01", &outside)
        .unwrap();
    let mut hard = tar::Header::new_ustar();
    hard.set_entry_type(tar::EntryType::Link);
    hard.set_size(0);
    builder
        .append_link(&mut hard, "2024-01-03/sdn.csv", "/etc/passwd")
        .unwrap();
    let sdn = sdn_csv(1..3);
    let mut file = tar::Header::new_ustar();
    file.set_size(sdn.len() as u64);
    file.set_mode(0o644);
    builder
        .append_data(&mut file, "2024-01-01/sdn.csv", &sdn[..])
        .unwrap();
    let archive = env.write("links.tar", builder.into_inner().unwrap());
    let output = env.cmd(&["ingest", &archive]).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("2024-01-01: a symbolic link"), "{stderr}");
    assert!(
        stderr.contains("2024-01-03/sdn.csv: a hard link"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
    // The regular member is recorded (in a directory of its own, not through the link).
    assert_eq!(events(&env).len(), 1);
}

#[test]
fn an_archive_that_unpacks_beyond_the_limit_is_refused() {
    let env = Env::new();
    // 3 MB of one byte: xz packs it about 5000 to 1, beyond the 1000 to 1 allowed above the
    // floor (lowered for the test).
    let big = vec![b'x'; 3_000_000];
    let file = env.write(
        "bomb.tar.xz",
        xz(&tar_of(&[("2024-01-01/sdn.csv".into(), big)])),
    );
    let output = env
        .cmd(&["ingest", &file])
        .env("LISTDIFF_TEST_UNPACK_FLOOR", "100000")
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("unpacks to more than"), "{stderr}");
    assert!(!env.store().exists());
}

#[test]
fn an_archive_inside_an_archive_is_skipped_with_a_note() {
    let env = Env::new();
    let inner = xz(&tar_of(&[("2024-01-02/sdn.csv".into(), sdn_csv(1..3))]));
    let outer = tar_of(&[
        ("2024-01-01/sdn.csv".into(), sdn_csv(1..3)),
        ("more.tar.xz".into(), inner),
    ]);
    let file = env.write("outer.tar", outer);
    let output = env.cmd(&["ingest", &file]).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("more.tar.xz: an archive inside an archive"),
        "{stderr}"
    );
    assert_eq!(events(&env).len(), 1);
}

/// Copies the first `count` `sdn.csv` members (and nothing else) of the real SDN history
/// archive into a new tar.xz at `to`, and unpacked under `plain`; returns their names.
fn history_subset(real: &RealData, count: usize, to: &Path, plain: &Path) -> Vec<String> {
    let file = real.file("ofac-sdn/history/ofac-sdn-csv-history_2021-08-18_2024-05-03.tar.xz");
    let reader = lzma_rust2::XzReader::new(std::fs::File::open(file).unwrap(), true);
    let mut archive = tar::Archive::new(reader);
    let mut taken = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        if !name.ends_with("_sdn.csv") {
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        let path = plain.join(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &bytes).unwrap();
        taken.push((name, bytes));
        if taken.len() == count {
            break;
        }
    }
    std::fs::write(to, xz(&tar_of(&taken))).unwrap();
    taken.into_iter().map(|(name, _)| name).collect()
}

#[test]
fn the_real_sdn_history_archive_records_as_its_unpacked_files() {
    let Some(real) = RealData::or_skip() else {
        return;
    };
    let env = Env::new();
    let archive = env.dir.path().join("history.tar.xz");
    let plain = env.dir.path().join("plain");
    let names = history_subset(&real, 4, &archive, &plain);
    assert_eq!(names.len(), 4);
    env.ok(&["ingest", &archive.to_string_lossy()]);
    let from_archive = events(&env);
    // Each scrape is a publication at its UTC time (2021-08-18T093901Z_sdn.csv).
    assert_eq!(from_archive.len(), 4, "{from_archive:?}");
    assert_eq!(from_archive[0][1], "2021-08-18T09:39:01Z");
    let unpacked = Env::new();
    unpacked.ok(&["ingest", &plain.to_string_lossy()]);
    assert_eq!(events(&unpacked), from_archive);
    assert_eq!(
        unpacked.json(&["lists"]),
        env.json(&["lists"]),
        "the same lists and counts"
    );
}

#[test]
fn a_member_named_twice_refuses_the_archive() {
    let env = Env::new();
    let file = env.write(
        "twice.tar",
        tar_of(&[
            ("2024-01-01/sdn.csv".into(), sdn_csv(1..3)),
            ("2024-01-01/sdn.csv".into(), sdn_csv(1..4)),
        ]),
    );
    let (code, stderr) = refused(&env, &["ingest", &file]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("appears twice"), "{stderr}");
    assert!(!env.store().exists());
}

#[test]
fn compare_names_an_archive_as_one_it_does_not_read() {
    let env = Env::new();
    let plain = env.write("2024-01-01/sdn.csv", sdn_csv(1..3));
    let gz = env.write("2024-01-02/sdn.csv.gz", gzip(&sdn_csv(1..4)));
    let (code, stderr) = refused(&env, &["compare", &plain, &gz]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("an archive (gzip)"), "{stderr}");
}
