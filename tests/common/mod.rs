//! Shared helpers for the integration tests: a temporary store per test, the real binary, and
//! the real published files under ../shared/data/real ([`RealData`]).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tempfile::TempDir;

/// A temporary directory holding one store (sled locks its directory, so tests never share).
pub struct Env {
    pub dir: TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    /// The store directory (not created until the first ingest).
    pub fn store(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    /// `listdiff --store <tmp>/store ARGS`, with a fixed clock and no colour.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("listdiff");
        cmd.arg("--store")
            .arg(self.store())
            .args(args)
            .env("LISTDIFF_NOW", "2026-01-15T09:30:00Z")
            .env_remove("LISTDIFF_STORE")
            .env("NO_COLOR", "1");
        cmd
    }

    /// Runs a command that must succeed; returns its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let output = self.cmd(args).output().expect("listdiff runs");
        assert!(
            output.status.success(),
            "listdiff {args:?} failed with {:?}\nstdout: {}\nstderr: {}",
            output.status.code(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8 output")
    }

    /// Runs a command that must succeed and print JSON; returns it parsed.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["-o", "json"]);
        let text = self.ok(&all);
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("listdiff {args:?} printed invalid JSON: {e}\n{text}"))
    }

    /// Writes a file under the temporary directory and returns its path as a string.
    pub fn write(&self, name: &str, content: impl AsRef<[u8]>) -> String {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, content).unwrap();
        path.to_string_lossy().into_owned()
    }

    /// Every file of the store with the SHA-256 of its bytes: equal fingerprints mean the
    /// store was not touched at all.
    pub fn fingerprint(&self) -> BTreeMap<PathBuf, String> {
        let mut files = BTreeMap::new();
        if self.store().exists() {
            collect(&self.store(), &self.store(), &mut files);
        }
        files
    }
}

fn collect(root: &Path, dir: &Path, files: &mut BTreeMap<PathBuf, String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let bytes = std::fs::read(&path).unwrap();
            files.insert(
                path.strip_prefix(root).unwrap().to_path_buf(),
                hex::encode(Sha256::digest(&bytes)),
            );
        }
    }
}

/// The repository's own directory.
pub fn repo(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(path)
        .to_string_lossy()
        .into_owned()
}

/// The real published files (`$LISTDIFF_REAL_DATA`, else `../shared/data/real` beside the
/// repository; PROVENANCE.md there says where each comes from). A clone without them skips the
/// tests that need them; under CI they must be there.
pub struct RealData {
    root: PathBuf,
}

/// How many tests of this test binary skipped for want of real data.
static SKIPPED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl RealData {
    /// Where the real data is looked for.
    pub fn root() -> PathBuf {
        std::env::var_os("LISTDIFF_REAL_DATA")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/real"))
    }

    /// The real data when its directory is there; `None`, saying nothing, when it is not (for
    /// helpers that then do without; a test that needs the data uses [`RealData::or_skip`]).
    pub fn present() -> Option<RealData> {
        let root = RealData::root();
        root.is_dir().then_some(RealData { root })
    }

    /// The real data, or `None` when its directory is missing: then one line on standard error
    /// names the test skipped, and when the test binary ends, a count of the tests it skipped.
    /// Both are written past the test harness's capture, so that plain `cargo test` shows them.
    /// Under CI (`CI` set, as CI services do, to anything but `false` or `0`) a missing directory
    /// fails the test instead: nothing is skipped where the data should be.
    pub fn or_skip() -> Option<RealData> {
        if let Some(real) = RealData::present() {
            return Some(real);
        }
        let root = RealData::root();
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
        assert!(
            !ci,
            "real data not found at {}: under CI the tests that need it must run; set LISTDIFF_REAL_DATA",
            root.display()
        );
        let test = std::thread::current()
            .name()
            .unwrap_or("a test")
            .to_string();
        visible(&format!(
            "skipped {}::{test}: real data not found at {}; set LISTDIFF_REAL_DATA",
            env!("CARGO_CRATE_NAME"),
            root.display()
        ));
        if SKIPPED.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            report_skips_at_exit();
        }
        None
    }

    /// A file or directory under the real data, which must exist.
    pub fn file(&self, path: &str) -> String {
        let full = self.root.join(path);
        assert!(
            full.exists(),
            "real data file {} is missing from {}: is LISTDIFF_REAL_DATA the right directory?",
            full.display(),
            self.root.display()
        );
        full.to_string_lossy().into_owned()
    }

    /// The real-data directory.
    pub fn dir(&self) -> &Path {
        &self.root
    }
}

/// Writes a line to standard error past the test harness's capture (which takes only what
/// `print!` and `eprint!` write).
fn visible(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

unsafe extern "C" {
    /// The C library's `atexit`: runs `callback` when the process exits.
    fn atexit(callback: extern "C" fn()) -> std::ffi::c_int;
}

/// Prints the count of skipped tests when the test binary ends (after the harness's summary).
fn report_skips_at_exit() {
    extern "C" fn report() {
        let skipped = SKIPPED.load(std::sync::atomic::Ordering::SeqCst);
        visible(&format!(
            "{}: {skipped} test{} skipped: real data not found at {}; set LISTDIFF_REAL_DATA",
            env!("CARGO_CRATE_NAME"),
            if skipped == 1 { "" } else { "s" },
            RealData::root().display()
        ));
    }
    // SAFETY: `report` is a plain function that does not unwind (it ignores write errors).
    unsafe {
        atexit(report);
    }
}

/// A native publication as JSON text.
pub fn native(list: &str, published: &str, kind: &str, body: Value) -> String {
    let mut doc = serde_json::json!({"list": list, "published": published, "source": format!("test {published}"), "kind": kind});
    for (k, v) in body.as_object().unwrap() {
        doc[k] = v.clone();
    }
    serde_json::to_string_pretty(&doc).unwrap()
}

/// The ids in a JSON array of changes or entries.
pub fn ids(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("expected an array, got {value}"))
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

/// How many items the JSON array `v[key]` holds.
pub fn count(v: &Value, key: &str) -> usize {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is not an array in {v}"))
        .len()
}

/// The item of the JSON array `v[key]` whose id is `id`.
pub fn find<'a>(v: &'a Value, key: &str, id: &str) -> &'a Value {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {key} entry {id}"))
}

/// The field change `name` of a changed entry.
pub fn field<'a>(change: &'a Value, name: &str) -> &'a Value {
    change["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == name)
        .unwrap_or_else(|| panic!("no field {name} in {change}"))
}

/// Pseudo-terminals for the tests that give listdiff a terminal as its output.
#[cfg(unix)]
pub mod pty {
    use std::io::Read as _;
    use std::os::fd::OwnedFd;
    use std::os::unix::process::CommandExt as _;

    /// Opens a pseudo-terminal of `columns` × 24: its terminal side (for the child's output)
    /// and its master side (to read what was written, see [`drain`]).
    pub fn open(columns: u16) -> (std::fs::File, OwnedFd) {
        use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
        let master =
            openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC).unwrap();
        grantpt(&master).unwrap();
        unlockpt(&master).unwrap();
        let name = ptsname(&master, Vec::new()).unwrap();
        let terminal = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(name.to_str().unwrap())
            .unwrap();
        rustix::termios::tcsetwinsize(
            &terminal,
            rustix::termios::Winsize {
                ws_row: 24,
                ws_col: columns,
                ws_xpixel: 0,
                ws_ypixel: 0,
            },
        )
        .unwrap();
        (terminal, master)
    }

    /// Makes the child begin a session of its own, without a controlling terminal, so that
    /// only its standard streams tell it about terminals.
    pub fn own_session(cmd: &mut std::process::Command) {
        // SAFETY: setsid is async-signal-safe.
        unsafe {
            cmd.pre_exec(|| {
                rustix::process::setsid()?;
                Ok(())
            });
        }
    }

    /// Reads the master side on a thread while the child writes (a terminal holds only a few
    /// kilobytes); the thread ends once every terminal side is closed.
    pub fn drain(master: OwnedFd) -> std::thread::JoinHandle<Vec<u8>> {
        let mut master = std::fs::File::from(master);
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let mut buffer = [0u8; 4096];
            // Linux reports EIO once every terminal side is closed and the data is read.
            while let Ok(n) = master.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                bytes.extend_from_slice(&buffer[..n]);
            }
            bytes
        })
    }
}
