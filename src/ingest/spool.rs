//! The publications an ingest checked, held until they are recorded: in memory for small inputs,
//! else compressed in a private temporary file (the spool). What is recorded is read from there,
//! never from the user's files again, so that a file changed, cut short or removed after its
//! check cannot make an ingest record some of its publications and not others, nor record
//! anything but what was checked.
//!
//! The spool is one anonymous file in the system's temporary directory (`TMPDIR`), removed by
//! the operating system when listdiff ends, however it ends. Each input's publications are one
//! zstd frame of JSON lines: a header per publication, then its entries (or an amendment's
//! additions, amendments and removals), in order. It costs a quarter of the inputs' size on disk
//! or less (CSV; a twentieth of XML), and memory for one entry at a time.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use serde::{Deserialize, Serialize};

use super::IngestError;
use crate::model::{
    Amendment, Entry, EntryId, ListId, Publication, PublicationContent, PublicationKind,
    PublicationTime,
};

/// zstd level for spooled entries: fast, and several times smaller than the JSON.
const LEVEL: i32 = 1;

/// One line of a spooled frame.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Line {
    /// A publication begins; its content follows.
    Publication {
        /// Its list.
        list: ListId,
        /// Its publication time.
        published: PublicationTime,
        /// Its source.
        source: String,
        /// Snapshot or amendment.
        kind: PublicationKind,
    },
    /// An entry of a snapshot.
    Entry(Entry),
    /// An entry an amendment adds.
    Add(Entry),
    /// An entry an amendment amends.
    Amend(Entry),
    /// An id an amendment removes.
    Remove(EntryId),
}

/// Where one input's publications are in the spool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    /// The frame's first byte.
    offset: u64,
    /// Its length.
    len: u64,
}

/// The spool: created when first written to.
#[derive(Default)]
pub(crate) struct Spool {
    /// The temporary file, once created.
    file: Option<File>,
    /// Where the next frame goes.
    end: u64,
}

/// A spool that cannot be written or read, as an ingest error.
fn spool_error(source: io::Error) -> IngestError {
    IngestError::Spool {
        dir: std::env::temp_dir(),
        source,
    }
}

/// A spool that does not read back as written.
pub(crate) fn damaged(what: &str) -> IngestError {
    spool_error(io::Error::other(format!(
        "the temporary file does not read back: {what}"
    )))
}

impl Spool {
    /// Starts a frame: write one input's publications into it, then [`Frame::finish`] it.
    pub(crate) fn frame(&mut self) -> Result<Frame<'_>, IngestError> {
        if self.file.is_none() {
            self.file = Some(tempfile::tempfile().map_err(spool_error)?);
        }
        let start = self.end;
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| spool_error(io::Error::other("the temporary file is not open")))?;
        file.seek(SeekFrom::Start(start)).map_err(spool_error)?;
        let encoder =
            zstd::stream::Encoder::new(BufWriter::new(file), LEVEL).map_err(spool_error)?;
        Ok(Frame {
            encoder,
            end: &mut self.end,
            start,
        })
    }

    /// Writes the publications of one input as a frame.
    pub(crate) fn publications(
        &mut self,
        publications: &[Publication],
    ) -> Result<Span, IngestError> {
        let mut frame = self.frame()?;
        for publication in publications {
            frame.publication(publication)?;
        }
        frame.finish()
    }

    /// Reads the frame at `span`, one publication at a time.
    pub(crate) fn read(&mut self, span: Span) -> Result<Frames<'_>, IngestError> {
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| spool_error(io::Error::other("nothing was written to it")))?;
        file.seek(SeekFrom::Start(span.offset))
            .map_err(spool_error)?;
        let decoder =
            zstd::stream::Decoder::new(Read::take(&*file, span.len)).map_err(spool_error)?;
        Ok(Frames {
            lines: BufReader::new(decoder),
            pending: None,
            buffer: Vec::new(),
        })
    }
}

/// One input's publications being written to the spool.
pub(crate) struct Frame<'a> {
    encoder: zstd::stream::Encoder<'static, BufWriter<&'a mut File>>,
    /// The spool's end, moved past the frame when it is finished.
    end: &'a mut u64,
    /// Where the frame begins.
    start: u64,
}

impl Frame<'_> {
    fn line(&mut self, line: &Line) -> Result<(), IngestError> {
        serde_json::to_writer(&mut self.encoder, line)
            .map_err(|e| spool_error(io::Error::other(e)))?;
        self.encoder.write_all(b"\n").map_err(spool_error)
    }

    /// Begins a publication; its entries follow ([`Frame::entry`]).
    pub(crate) fn header(
        &mut self,
        list: &ListId,
        published: PublicationTime,
        source: &str,
        kind: PublicationKind,
    ) -> Result<(), IngestError> {
        self.line(&Line::Publication {
            list: list.clone(),
            published,
            source: source.to_string(),
            kind,
        })
    }

    /// Writes an entry of the snapshot begun last.
    pub(crate) fn entry(&mut self, entry: Entry) -> Result<(), IngestError> {
        self.line(&Line::Entry(entry))
    }

    /// Writes a whole publication.
    pub(crate) fn publication(&mut self, publication: &Publication) -> Result<(), IngestError> {
        let kind = match &publication.content {
            PublicationContent::Snapshot(_) => PublicationKind::Snapshot,
            PublicationContent::Amendment(_) => PublicationKind::Amendment,
        };
        self.header(
            &publication.list,
            publication.published,
            &publication.source,
            kind,
        )?;
        match &publication.content {
            PublicationContent::Snapshot(entries) => {
                for entry in entries {
                    self.line(&Line::Entry(entry.clone()))?;
                }
            }
            PublicationContent::Amendment(amendment) => {
                for entry in &amendment.add {
                    self.line(&Line::Add(entry.clone()))?;
                }
                for entry in &amendment.amend {
                    self.line(&Line::Amend(entry.clone()))?;
                }
                for id in &amendment.remove {
                    self.line(&Line::Remove(id.clone()))?;
                }
            }
        }
        Ok(())
    }

    /// Ends the frame and says where it is.
    pub(crate) fn finish(self) -> Result<Span, IngestError> {
        let mut writer = self.encoder.finish().map_err(spool_error)?;
        writer.flush().map_err(spool_error)?;
        let file = writer.get_mut();
        let end = file.stream_position().map_err(spool_error)?;
        *self.end = end;
        Ok(Span {
            offset: self.start,
            len: end - self.start,
        })
    }
}

/// The publications of one frame, read back one at a time.
pub(crate) struct Frames<'a> {
    lines: BufReader<zstd::stream::Decoder<'static, BufReader<io::Take<&'a File>>>>,
    /// A header read while reading the publication before it.
    pending: Option<Line>,
    buffer: Vec<u8>,
}

impl Frames<'_> {
    /// The next line; `None` at the end of the frame.
    fn next_line(&mut self) -> Result<Option<Line>, IngestError> {
        if let Some(line) = self.pending.take() {
            return Ok(Some(line));
        }
        self.buffer.clear();
        let read = self
            .lines
            .read_until(b'\n', &mut self.buffer)
            .map_err(spool_error)?;
        if read == 0 {
            return Ok(None);
        }
        let mut line: Line = serde_json::from_slice(&self.buffer).map_err(|e| {
            spool_error(io::Error::other(format!(
                "a held entry does not read back: {e}"
            )))
        })?;
        if let Line::Entry(entry) | Line::Add(entry) | Line::Amend(entry) = &mut line {
            // Read back, `extra` is a map of values (several times the size of its text): held
            // as its compact canonical JSON again, as the parser gave it.
            entry.extra = std::mem::take(&mut entry.extra).normalized();
        }
        Ok(Some(line))
    }

    /// Calls `f` with each entry of the snapshot whose header was read last, up to the next
    /// header.
    pub(crate) fn each_entry(
        &mut self,
        mut f: impl FnMut(Entry) -> Result<(), IngestError>,
    ) -> Result<(), IngestError> {
        while let Some(line) = self.next_line()? {
            match line {
                Line::Entry(entry) => f(entry)?,
                header @ Line::Publication { .. } => {
                    self.pending = Some(header);
                    break;
                }
                Line::Add(_) | Line::Amend(_) | Line::Remove(_) => {
                    return Err(spool_error(io::Error::other(
                        "an amendment's line where a snapshot's entry was expected",
                    )));
                }
            }
        }
        Ok(())
    }

    /// The next publication whole; `None` after the last.
    pub(crate) fn next_publication(&mut self) -> Result<Option<Publication>, IngestError> {
        let Some(line) = self.next_line()? else {
            return Ok(None);
        };
        let Line::Publication {
            list,
            published,
            source,
            kind,
        } = line
        else {
            return Err(spool_error(io::Error::other(
                "a frame that does not begin with a publication",
            )));
        };
        let content = match kind {
            PublicationKind::Snapshot => {
                let mut entries = Vec::new();
                self.each_entry(|entry| {
                    entries.push(entry);
                    Ok(())
                })?;
                PublicationContent::Snapshot(entries)
            }
            PublicationKind::Amendment => {
                let mut amendment = Amendment::default();
                while let Some(line) = self.next_line()? {
                    match line {
                        Line::Add(entry) => amendment.add.push(entry),
                        Line::Amend(entry) => amendment.amend.push(entry),
                        Line::Remove(id) => amendment.remove.push(id),
                        header @ Line::Publication { .. } => {
                            self.pending = Some(header);
                            break;
                        }
                        Line::Entry(_) => {
                            return Err(spool_error(io::Error::other(
                                "a snapshot's entry in an amendment",
                            )));
                        }
                    }
                }
                PublicationContent::Amendment(amendment)
            }
        };
        Ok(Some(Publication {
            list,
            published,
            source,
            content,
        }))
    }

    /// Reads the header of the next publication and positions at its first entry: its list,
    /// date and source; `None` after the last.
    pub(crate) fn next_header(
        &mut self,
    ) -> Result<Option<(ListId, PublicationTime, String)>, IngestError> {
        match self.next_line()? {
            None => Ok(None),
            Some(Line::Publication {
                list,
                published,
                source,
                ..
            }) => Ok(Some((list, published, source))),
            Some(_) => Err(spool_error(io::Error::other(
                "a frame that does not begin with a publication",
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A normalised entry, as parsers give them (the spool holds normalised entries).
    fn entry(id: &str, name: &str) -> Entry {
        let mut entry = Entry::new(EntryId::new(id).expect("an id"), name);
        entry
            .extra
            .insert("n".into(), serde_json::json!([1.5, "x", {"y": "z"}]));
        entry.normalize().expect("a valid entry")
    }

    fn list() -> ListId {
        ListId::new("l").expect("a list id")
    }

    fn date(text: &str) -> PublicationTime {
        text.parse().expect("a date")
    }

    #[test]
    fn publications_read_back_as_written_frame_by_frame() {
        let snapshot = Publication {
            list: list(),
            published: date("2024-01-01"),
            source: "s \u{1b} 1".into(),
            content: PublicationContent::Snapshot(vec![entry("a", "A"), entry("b", "B")]),
        };
        let amendment = Publication {
            list: list(),
            published: date("2024-01-02"),
            source: "s2".into(),
            content: PublicationContent::Amendment(Amendment {
                add: vec![entry("c", "C")],
                amend: vec![entry("a", "A2")],
                remove: vec![EntryId::new("b").expect("an id")],
            }),
        };
        let empty = Publication {
            list: list(),
            published: date("2024-01-03"),
            source: "s3".into(),
            content: PublicationContent::Snapshot(Vec::new()),
        };
        let mut spool = Spool::default();
        let first = spool
            .publications(&[snapshot.clone(), amendment.clone()])
            .expect("written");
        let second = spool
            .publications(std::slice::from_ref(&empty))
            .expect("written");
        // Read in any order, any number of times.
        for _ in 0..2 {
            let mut frames = spool.read(second).expect("read");
            assert_eq!(
                frames.next_publication().expect("read"),
                Some(empty.clone())
            );
            assert_eq!(frames.next_publication().expect("read"), None);
            let mut frames = spool.read(first).expect("read");
            assert_eq!(
                frames.next_publication().expect("read"),
                Some(snapshot.clone())
            );
            assert_eq!(
                frames.next_publication().expect("read"),
                Some(amendment.clone())
            );
            assert_eq!(frames.next_publication().expect("read"), None);
        }
    }

    #[test]
    fn a_streamed_snapshot_reads_back_one_entry_at_a_time() {
        let mut spool = Spool::default();
        let mut frame = spool.frame().expect("a frame");
        frame
            .header(&list(), date("2024-01-01"), "s", PublicationKind::Snapshot)
            .expect("written");
        for i in 0..1000 {
            frame.entry(entry(&format!("e{i}"), "E")).expect("written");
        }
        let span = frame.finish().expect("finished");
        let mut frames = spool.read(span).expect("read");
        let (read_list, published, source) = frames.next_header().expect("read").expect("one");
        assert_eq!(
            (read_list, published, source.as_str()),
            (list(), date("2024-01-01"), "s")
        );
        let mut ids = Vec::new();
        frames
            .each_entry(|e| {
                ids.push(e.id.to_string());
                Ok(())
            })
            .expect("read");
        assert_eq!(ids.len(), 1000);
        assert_eq!(ids[999], "e999");
    }
}
