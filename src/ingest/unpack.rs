//! Compressed inputs: an input argument that is a gzip, xz, zip or tar file (told by its magic
//! bytes, whatever its name) is unpacked into a private temporary directory, and its members
//! are read as the files of a directory (see `inputs.rs`), each shown as `ARCHIVE:MEMBER`.
//!
//! - A tar inside gzip or xz (`.tar.gz`, `.tgz`, `.tar.xz`, `.txz`) is unpacked as a tar; a
//!   gzip or xz of anything else is that one file, named as the archive without its `.gz` or
//!   `.xz`.
//! - Only one level is unpacked: an archive among the members is skipped with a note, so that
//!   the limits below bound everything an ingest unpacks.
//! - A member path that leaves the archive (absolute, or with `..`) refuses the archive; links,
//!   devices and pipes are skipped with a note and never created, so nothing is ever written
//!   outside the private directory (mode 0700) nor read through a link.
//! - A member named twice refuses the archive: which copy is the publication would be a guess.
//! - An archive unpacking to more than [`RATIO`] times its own size (at least
//!   [`FLOOR_BYTES`]), or to more than [`MAX_UNPACKED_BYTES`] in all, or holding more than
//!   [`MAX_MEMBERS`] members, is refused as a possible decompression bomb.
//! - A truncated or corrupt archive (a bad checksum, a cut stream, a tar without its end
//!   marker) is refused naming the archive and the member.
//!
//! Any refusal happens while the inputs are found, before anything is read or recorded. The
//! directory is deleted when the ingest that owns it ends, after archiving.

use std::fs;
use std::io::{self, BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};

use crate::model::text::quote_bounded;

/// At least this much may be unpacked from any archive, whatever its own size.
pub const FLOOR_BYTES: u64 = 1 << 30;

/// An archive may unpack to this many times its own size (beyond [`FLOOR_BYTES`]): the SDN
/// history tar.xz unpacks to about 390 times its size; gzip cannot exceed about 1030.
pub const RATIO: u64 = 1000;

/// No archive unpacks to more than this.
pub const MAX_UNPACKED_BYTES: u64 = 16 << 30;

/// No archive holds more members (files, directories, links) than this.
pub const MAX_MEMBERS: u64 = 100_000;

/// The memory the xz decoder may take (its dictionary): `xz -9` needs 64 MiB.
const XZ_MEMORY_KIB: u32 = 512 * 1024;

/// What kind of archive or compressed file an input is, told by its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Container {
    /// gzip (`1f 8b`).
    Gzip,
    /// xz (`FD 37 7A 58 5A 00`).
    Xz,
    /// zip (`PK 03 04`, or `PK 05 06` for an empty one).
    Zip,
    /// tar (`ustar` at offset 257).
    Tar,
}

impl Container {
    /// How many first bytes [`Container::of`] needs to tell a tar.
    pub const HEAD: usize = 512;

    /// The container `head` (a file's first bytes) starts, if any.
    pub fn of(head: &[u8]) -> Option<Container> {
        if head.starts_with(&[0x1f, 0x8b]) {
            Some(Container::Gzip)
        } else if head.starts_with(&[0xFD, b'7', b'z', b'X', b'Z', 0x00]) {
            Some(Container::Xz)
        } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
            Some(Container::Zip)
        } else if head.get(257..262) == Some(b"ustar") {
            Some(Container::Tar)
        } else {
            None
        }
    }

    /// Its name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Container::Gzip => "gzip",
            Container::Xz => "xz",
            Container::Zip => "zip",
            Container::Tar => "tar",
        }
    }
}

/// Why an archive was refused or could not be unpacked.
#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    /// The archive is truncated or corrupt.
    #[error(
        "{archive}: cannot unpack {}: {reason}; the {kind} archive is truncated or corrupt (fetch it again); nothing was recorded",
        member.as_deref().map_or_else(|| "it".to_string(), |m| format!("member {}", quote_bounded(m)))
    )]
    Corrupt {
        /// The archive as shown to the user.
        archive: String,
        /// Its kind.
        kind: &'static str,
        /// The member being read, when known.
        member: Option<String>,
        /// What the decoder said.
        reason: String,
    },
    /// A member's path is absolute or climbs out with `..`.
    #[error(
        "{archive}: member {} has a path that leaves the archive (absolute, or with ..): the archive is refused and nothing was recorded; unpack it yourself and check what it holds",
        quote_bounded(member)
    )]
    LeavesArchive {
        /// The archive as shown to the user.
        archive: String,
        /// The member's path as the archive writes it.
        member: String,
    },
    /// Two members have the same path.
    #[error(
        "{archive}: member {} appears twice: which copy is the publication is unclear, so the archive is refused and nothing was recorded",
        quote_bounded(member)
    )]
    Twice {
        /// The archive as shown to the user.
        archive: String,
        /// The member's path.
        member: String,
    },
    /// The archive unpacks to more than allowed.
    #[error(
        "{archive}: unpacks to more than {allowed} bytes ({RATIO} times its own size, at least {FLOOR_BYTES}, at most {MAX_UNPACKED_BYTES}): refused as a possible decompression bomb, nothing was recorded; unpack it yourself and ingest the files"
    )]
    TooLarge {
        /// The archive as shown to the user.
        archive: String,
        /// The bytes it may unpack to.
        allowed: u64,
    },
    /// The archive holds too many members.
    #[error(
        "{archive}: holds more than {MAX_MEMBERS} members: refused, nothing was recorded; unpack it yourself and ingest the files"
    )]
    TooMany {
        /// The archive as shown to the user.
        archive: String,
    },
    /// The private directory cannot be made or written.
    #[error(
        "cannot unpack {archive} into {}: {source}; nothing was recorded: set TMPDIR to a directory with room",
        .dir.display()
    )]
    Write {
        /// The archive as shown to the user.
        archive: String,
        /// The private directory.
        dir: PathBuf,
        /// The error.
        source: io::Error,
    },
}

/// The private directories archives were unpacked into, each deleted when this is dropped: the
/// ingest that reads their members owns it until it has archived them.
#[derive(Debug, Default)]
pub struct Unpacked {
    /// The directories.
    dirs: Vec<tempfile::TempDir>,
}

impl Unpacked {
    /// Keeps `dir` until this is dropped.
    pub(crate) fn keep(&mut self, dir: tempfile::TempDir) {
        self.dirs.push(dir);
    }
}

/// What an archive unpacked to.
pub(crate) enum Layout {
    /// A gzip or xz of one file: that file in the directory.
    Single(PathBuf),
    /// A tree of members below the directory.
    Tree,
}

/// How much more may be unpacked from one archive.
struct Budget {
    /// The bytes it may unpack to.
    allowed: u64,
    /// The bytes unpacked so far.
    used: u64,
    /// The members met so far.
    members: u64,
}

impl Budget {
    /// The budget of an archive of `size` bytes.
    fn of(size: u64) -> Budget {
        Budget {
            allowed: size
                .saturating_mul(RATIO)
                .max(floor_bytes())
                .min(MAX_UNPACKED_BYTES),
            used: 0,
            members: 0,
        }
    }
}

/// [`FLOOR_BYTES`]; in debug builds `LISTDIFF_TEST_UNPACK_FLOOR` overrides it, so that tests
/// meet the limit with small archives.
fn floor_bytes() -> u64 {
    #[cfg(debug_assertions)]
    if let Some(bytes) = std::env::var("LISTDIFF_TEST_UNPACK_FLOOR")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return bytes;
    }
    FLOOR_BYTES
}

/// Unpacking one archive: where to, what is allowed, what to note.
struct Unpacking<'a> {
    /// The archive as shown to the user.
    archive: &'a str,
    /// Its kind, as first told.
    kind: &'static str,
    /// The private directory.
    dir: &'a Path,
    /// What may still be unpacked.
    budget: Budget,
    /// Where members skipped are noted.
    notes: &'a mut Vec<String>,
}

/// Why copying a member stopped.
enum CopyError {
    /// Reading the archive failed: it is corrupt.
    Read(io::Error),
    /// Writing the member failed.
    Write(io::Error),
    /// The budget ran out.
    TooLarge,
}

impl Unpacking<'_> {
    fn corrupt(&self, member: Option<&str>, reason: impl ToString) -> UnpackError {
        UnpackError::Corrupt {
            archive: self.archive.to_string(),
            kind: self.kind,
            member: member.map(str::to_string),
            reason: reason.to_string(),
        }
    }

    fn write_error(&self, source: io::Error) -> UnpackError {
        UnpackError::Write {
            archive: self.archive.to_string(),
            dir: self.dir.to_path_buf(),
            source,
        }
    }

    fn copy_error(&self, member: &str, error: CopyError) -> UnpackError {
        match error {
            CopyError::Read(e) => self.corrupt(Some(member), e),
            CopyError::Write(e) => self.write_error(e),
            CopyError::TooLarge => UnpackError::TooLarge {
                archive: self.archive.to_string(),
                allowed: self.budget.allowed,
            },
        }
    }

    /// Counts one more member, refusing beyond [`MAX_MEMBERS`].
    fn count_member(&mut self) -> Result<(), UnpackError> {
        self.budget.members += 1;
        if self.budget.members > MAX_MEMBERS {
            return Err(UnpackError::TooMany {
                archive: self.archive.to_string(),
            });
        }
        Ok(())
    }

    /// Notes a member skipped, and why.
    fn skip(&mut self, member: &str, why: &str) {
        self.notes
            .push(format!("skipped {}:{member}: {why}", self.archive));
    }

    /// Copies `from` into a new file `to`, within the budget.
    fn copy(&mut self, from: &mut dyn Read, to: &Path) -> Result<u64, CopyError> {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(to)
            .map_err(CopyError::Write)?;
        let mut buffer = vec![0u8; 256 * 1024];
        let mut total = 0u64;
        loop {
            let n = match from.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(CopyError::Read(e)),
            };
            self.budget.used += n as u64;
            if self.budget.used > self.budget.allowed {
                return Err(CopyError::TooLarge);
            }
            total += n as u64;
            file.write_all(buffer.get(..n).unwrap_or_default())
                .map_err(CopyError::Write)?;
        }
        Ok(total)
    }

    /// Where member `path` goes below the directory: its path made of plain names only (`.`
    /// dropped); `None` for an empty path; refused when absolute or climbing with `..`.
    fn place(&self, path: &Path) -> Result<Option<PathBuf>, UnpackError> {
        let mut relative = PathBuf::new();
        for component in path.components() {
            match component {
                Component::Normal(name) => relative.push(name),
                Component::CurDir => {}
                Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                    return Err(UnpackError::LeavesArchive {
                        archive: self.archive.to_string(),
                        member: path.to_string_lossy().into_owned(),
                    });
                }
            }
        }
        Ok((!relative.as_os_str().is_empty()).then_some(relative))
    }

    /// Writes a regular member at `relative` below the directory.
    fn file(&mut self, relative: &Path, from: &mut dyn Read) -> Result<u64, UnpackError> {
        let member = relative.to_string_lossy().into_owned();
        let to = self.dir.join(relative);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).map_err(|e| self.write_error(e))?;
        }
        match self.copy(from, &to) {
            Ok(n) => Ok(n),
            Err(CopyError::Write(e)) if e.kind() == io::ErrorKind::AlreadyExists => {
                Err(UnpackError::Twice {
                    archive: self.archive.to_string(),
                    member,
                })
            }
            Err(e) => Err(self.copy_error(&member, e)),
        }
    }

    /// Makes a directory member.
    fn directory(&mut self, relative: &Path) -> Result<(), UnpackError> {
        fs::create_dir_all(self.dir.join(relative)).map_err(|e| self.write_error(e))
    }

    /// Unpacks the tar read from `reader`.
    fn tar(&mut self, reader: impl Read) -> Result<(), UnpackError> {
        let mut archive = tar::Archive::new(Tail::new(reader));
        let entries = archive.entries().map_err(|e| self.corrupt(None, e))?;
        for entry in entries {
            let mut entry = entry.map_err(|e| self.corrupt(None, e))?;
            self.count_member()?;
            let raw = entry
                .path()
                .map_err(|e| self.corrupt(None, e))?
                .into_owned();
            let shown = raw.to_string_lossy().into_owned();
            let Some(relative) = self.place(&raw)? else {
                continue;
            };
            match entry.header().entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => {
                    let size = entry.size();
                    let written = self.file(&relative, &mut entry)?;
                    if written != size {
                        return Err(self.corrupt(
                            Some(&shown),
                            format!("it ends after {written} of its {size} bytes"),
                        ));
                    }
                }
                tar::EntryType::Directory => self.directory(&relative)?,
                tar::EntryType::Symlink => self.skip(
                    &shown,
                    "a symbolic link; links in archives are never followed",
                ),
                tar::EntryType::Link => {
                    self.skip(&shown, "a hard link; links in archives are never followed")
                }
                tar::EntryType::Char | tar::EntryType::Block | tar::EntryType::Fifo => {
                    self.skip(&shown, "a device or pipe, not a file")
                }
                tar::EntryType::XGlobalHeader => {}
                other => self.skip(
                    &shown,
                    &format!("a tar entry of a kind not read ({other:?})"),
                ),
            }
        }
        if !archive.into_inner().ends_with_zero_block() {
            return Err(self.corrupt(None, "it ends without the tar end-of-archive marker"));
        }
        Ok(())
    }

    /// Unpacks the zip file `file`.
    fn zip(&mut self, file: fs::File) -> Result<(), UnpackError> {
        let mut archive =
            zip::ZipArchive::new(BufReader::new(file)).map_err(|e| self.corrupt(None, e))?;
        for index in 0..archive.len() {
            self.count_member()?;
            let mut member = archive
                .by_index(index)
                .map_err(|e| self.corrupt(None, format!("member number {}: {e}", index + 1)))?;
            let shown = member
                .name()
                .map(|n| n.into_owned())
                .unwrap_or_else(|_| format!("number {}", index + 1));
            let Some(enclosed) = member.enclosed_name() else {
                return Err(UnpackError::LeavesArchive {
                    archive: self.archive.to_string(),
                    member: shown,
                });
            };
            let Some(relative) = self.place(&enclosed)? else {
                continue;
            };
            if member.is_symlink() {
                self.skip(
                    &shown,
                    "a symbolic link; links in archives are never followed",
                );
            } else if member.is_dir() {
                self.directory(&relative)?;
            } else if member.is_file() {
                self.file(&relative, &mut member)?;
            } else {
                self.skip(&shown, "not a file");
            }
        }
        Ok(())
    }

    /// Unpacks a gzip or xz stream `reader` of the archive file `path`: a tar inside is
    /// unpacked as a tar; anything else is one file, named as the archive without its suffix.
    fn stream(&mut self, mut reader: impl Read, path: &Path) -> Result<Layout, UnpackError> {
        let mut head = Vec::with_capacity(Container::HEAD);
        (&mut reader)
            .take(Container::HEAD as u64)
            .read_to_end(&mut head)
            .map_err(|e| self.corrupt(None, e))?;
        let whole = io::Cursor::new(head.clone()).chain(reader);
        if Container::of(&head) == Some(Container::Tar) {
            self.kind = match self.kind {
                "gzip" => "tar.gz",
                "xz" => "tar.xz",
                other => other,
            };
            self.tar(whole)?;
            return Ok(Layout::Tree);
        }
        let name = single_name(path);
        let mut whole = whole;
        self.count_member()?;
        self.file(Path::new(&name), &mut whole)?;
        Ok(Layout::Single(self.dir.join(name)))
    }
}

/// The name of the one file a gzip or xz file `path` holds: its name without `.gz`, `.xz`,
/// `.tgz` or `.txz` (for the last two, with `.tar`).
fn single_name(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lower = name.to_ascii_lowercase();
    for (suffix, replaced) in [(".gz", ""), (".xz", ""), (".tgz", ".tar"), (".txz", ".tar")] {
        if lower.ends_with(suffix) && name.len() > suffix.len() {
            let stem = name.get(..name.len() - suffix.len()).unwrap_or(&name);
            return format!("{stem}{replaced}");
        }
    }
    if name.is_empty() {
        "unpacked".to_string()
    } else {
        name
    }
}

/// Unpacks `path`, an archive of kind `container` shown as `display`, into a new private
/// directory; notes the members skipped into `notes`.
pub(crate) fn unpack(
    path: &Path,
    display: &str,
    container: Container,
    notes: &mut Vec<String>,
) -> Result<(tempfile::TempDir, Layout), UnpackError> {
    let temp = std::env::temp_dir();
    let write_error = |source| UnpackError::Write {
        archive: display.to_string(),
        dir: temp.clone(),
        source,
    };
    let dir = tempfile::Builder::new()
        .prefix("listdiff-unpack-")
        .tempdir()
        .map_err(write_error)?;
    let file = fs::File::open(path).map_err(write_error)?;
    let size = file.metadata().map_err(write_error)?.len();
    let mut unpacking = Unpacking {
        archive: display,
        kind: container.name(),
        dir: dir.path(),
        budget: Budget::of(size),
        notes,
    };
    let layout = match container {
        Container::Tar => unpacking.tar(BufReader::new(file)).map(|()| Layout::Tree),
        Container::Zip => unpacking.zip(file).map(|()| Layout::Tree),
        Container::Gzip => {
            let reader = flate2::read::MultiGzDecoder::new(BufReader::new(file));
            unpacking.stream(reader, path)
        }
        Container::Xz => {
            let reader =
                lzma_rust2::XzReader::new_mem_limit(BufReader::new(file), true, XZ_MEMORY_KIB);
            unpacking.stream(reader, path)
        }
    }?;
    Ok((dir, layout))
}

/// A reader that keeps the last 512 bytes read through it: a tar ends with zero blocks, so a
/// tar whose reading ended cleanly but whose last block is not zero was cut at a member's end.
struct Tail<R> {
    /// The reader.
    inner: R,
    /// The last bytes read, at most 512.
    last: Vec<u8>,
}

impl<R: Read> Tail<R> {
    fn new(inner: R) -> Tail<R> {
        Tail {
            inner,
            last: Vec::with_capacity(1024),
        }
    }

    /// Whether the last 512 bytes read were all zero.
    fn ends_with_zero_block(&self) -> bool {
        self.last.len() == 512 && self.last.iter().all(|b| *b == 0)
    }
}

impl<R: Read> Read for Tail<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let read = buf.get(..n).unwrap_or_default();
        if read.len() >= 512 {
            self.last.clear();
            self.last
                .extend_from_slice(read.get(read.len() - 512..).unwrap_or_default());
        } else {
            self.last.extend_from_slice(read);
            let excess = self.last.len().saturating_sub(512);
            self.last.drain(..excess);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_are_told_by_their_first_bytes() {
        assert_eq!(Container::of(&[0x1f, 0x8b, 8]), Some(Container::Gzip));
        assert_eq!(Container::of(b"\xFD7zXZ\x00\x00"), Some(Container::Xz));
        assert_eq!(Container::of(b"PK\x03\x04rest"), Some(Container::Zip));
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(Container::of(&tar), Some(Container::Tar));
        assert_eq!(Container::of(b"1,\"ENTITY\",-0- "), None);
        assert_eq!(Container::of(b"PK"), None);
        assert_eq!(Container::of(&[]), None);
    }

    #[test]
    fn a_single_compressed_file_is_named_without_its_suffix() {
        assert_eq!(single_name(Path::new("d/sdn.csv.gz")), "sdn.csv");
        assert_eq!(single_name(Path::new("d/SDN.XML.XZ")), "SDN.XML");
        assert_eq!(single_name(Path::new("d/h.tgz")), "h.tar");
        assert_eq!(single_name(Path::new("d/data")), "data");
        assert_eq!(single_name(Path::new("d/.gz")), ".gz");
    }

    #[test]
    fn the_budget_grows_with_the_archive_between_floor_and_cap() {
        assert_eq!(Budget::of(10).allowed, FLOOR_BYTES);
        assert_eq!(Budget::of(10 << 20).allowed, (10 << 20) * RATIO);
        assert_eq!(Budget::of(1 << 40).allowed, MAX_UNPACKED_BYTES);
    }

    #[test]
    fn the_tail_keeps_the_last_block() {
        let mut data = vec![1u8; 700];
        data.extend(vec![0u8; 512]);
        let mut tail = Tail::new(&data[..]);
        let mut buffer = [0u8; 100];
        while tail.read(&mut buffer).unwrap_or(0) > 0 {}
        assert!(tail.ends_with_zero_block());
        let mut cut = Tail::new(&data[..900]);
        while cut.read(&mut buffer).unwrap_or(0) > 0 {}
        assert!(!cut.ends_with_zero_block());
    }
}
