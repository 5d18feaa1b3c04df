//! Feed checks against a list's earlier publication, before anything is recorded: a file cut
//! short, and a publication read without companion files.
//!
//! **The earlier publication** of a publication is the one of its list that counts just before
//! it in fold order: among the store's (see [`crate::store::View::counting_before`]: a backfill
//! gets the one before its place) and the ones before it in this ingest, the latest at or before
//! its time, never one with its own identity (which it corrects). A publication already
//! recorded is not checked again.
//!
//! **A cut file.** Some publishers end every file of a format with a mark
//! ([`Format::end_mark`]: OFAC's legacy CSV files end with 0x1A). Events record, per input file,
//! whether it ended with it (`eof_mark`). A file without the mark, where the same file of the
//! earlier publication (the primary file, or the companion of the same name) had it, is a
//! download cut short: refused, with the number of lines read, unless `--allow-cut`. When the
//! earlier file did not have it either (a third party's copies), when there is none, or when it
//! is not known (an event recorded before listdiff kept the fact, whose input is not archived:
//! then nothing is known, and it is no evidence either way), a primary file without the mark
//! only gets a note: one per list and ingest.
//!
//! **Missing companions.** A publication of a format with companion files
//! ([`Format::companion_keys`]: OFAC's `alt.csv`, `add.csv`, `sdn_comments.csv`), read without a
//! companion the earlier publication of the same format was read with, would lose what it gives
//! (aliases, addresses, remarks) and read as that many changes: refused, naming the files,
//! unless `--allow-partial`. An earlier publication of another format is not compared.

use std::collections::HashMap;

use super::{IngestError, Prepared};
use crate::formats::Format;
use crate::model::{Identity, ListId};
use crate::store::{InputDigest, Store, StoreError};

/// What the feed checks let through.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FeedChecks {
    /// Record a file without its format's end-of-file mark even where the same file of its
    /// list's earlier publication had it (`--allow-cut`).
    pub allow_cut: bool,
    /// Record a publication read without companion files its list's earlier publication was
    /// read with (`--allow-partial`).
    pub allow_partial: bool,
}

/// One input file as read: how it is shown and how many lines it has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FileLines {
    /// The file as shown to the user.
    pub(crate) display: String,
    /// Its lines: its line ends, and a last line without one.
    pub(crate) lines: u64,
}

/// The lines of a file: its line ends, and a last line without one (other than a lone
/// end-of-file mark).
pub(crate) fn line_count(bytes: &[u8], end_mark: Option<u8>) -> u64 {
    let bytes = match (end_mark, bytes.split_last()) {
        (Some(mark), Some((last, rest))) if *last == mark => rest,
        _ => bytes,
    };
    let ends = memchr::memchr_iter(b'\n', bytes).count() as u64;
    ends + u64::from(bytes.last().is_some_and(|b| *b != b'\n'))
}

/// A publication the checks compare with: what it was read from.
struct Earlier {
    /// How to name it: its time and event, or its input in this ingest.
    description: String,
    /// Its format, when this listdiff knows it.
    format: Option<Format>,
    /// Its input files (the primary first), each with whether it ended with its format's mark
    /// (from the event, else from its archived bytes, else unknown).
    inputs: Vec<InputDigest>,
}

/// Why a file without its format's mark is not refused, for the note.
enum NotRefused {
    /// The list has no earlier publication.
    NoEarlier,
    /// The earlier publication's file lacked it too.
    NeverHad,
    /// Whether the earlier publication's file had it is not known.
    Unknown,
    /// The earlier publication was read from a format without the mark.
    OtherFormat(String),
}

/// A note about files without their format's mark, one per list and ingest.
struct MarkNote {
    /// The input (its index among the prepared ones) the note is told with.
    item: usize,
    /// The note.
    text: String,
    /// How many more publications of the list in this ingest lack the mark.
    more: usize,
}

/// Runs the feed checks over the publications of an ingest, in recording order, against the
/// store and the ones before them in the ingest: refuses a cut file or a partial publication
/// (unless `checks` allow it); adds the notes to the inputs. `corrects` is the event
/// `--corrects` names, which the publication replaces.
pub(crate) fn check_feeds(
    prepared: &mut [Prepared],
    store: &Store,
    checks: FeedChecks,
    corrects: Option<u64>,
) -> Result<(), IngestError> {
    let mut seen: HashMap<ListId, Vec<(Identity, usize)>> = HashMap::new();
    let mut notes: Vec<(ListId, MarkNote)> = Vec::new();
    for (index, item) in prepared.iter().enumerate() {
        let Some(format) = Format::from_name(&item.provenance.format) else {
            continue;
        };
        let checked = format.end_mark().is_some() || !format.companion_keys().is_empty();
        for identity in &item.dated {
            let recorded = checked
                && store
                    .recorded_as(&identity.list, identity.published, &item.provenance.sha256)?
                    .is_some();
            if checked && !recorded {
                let earlier = earlier(store, prepared, &seen, identity, corrects)?;
                if let Some(mark) = format.end_mark() {
                    let note = check_marks(item, identity, mark, earlier.as_ref(), checks)?;
                    if let Some(text) = note {
                        match notes.iter_mut().find(|(list, _)| *list == identity.list) {
                            Some((_, note)) => note.more += 1,
                            None => notes.push((
                                identity.list.clone(),
                                MarkNote {
                                    item: index,
                                    text,
                                    more: 0,
                                },
                            )),
                        }
                    }
                }
                check_companions(item, identity, format, earlier.as_ref(), checks)?;
            }
            seen.entry(identity.list.clone())
                .or_default()
                .push((identity.clone(), index));
        }
    }
    for (list, note) in notes {
        let more = match note.more {
            0 => String::new(),
            1 => format!(" (so does 1 more publication of {list} in this ingest)"),
            n => format!(" (so do {n} more publications of {list} in this ingest)"),
        };
        if let Some(item) = prepared.get_mut(note.item) {
            item.notes.push(format!("{}{more}", note.text));
        }
    }
    Ok(())
}

/// The earlier publication of a publication with `identity`: the later in fold order of the
/// store's and the latest of this ingest's before it (`seen`).
fn earlier(
    store: &Store,
    prepared: &[Prepared],
    seen: &HashMap<ListId, Vec<(Identity, usize)>>,
    identity: &Identity,
    corrects: Option<u64>,
) -> Result<Option<Earlier>, IngestError> {
    // In this ingest: the latest dated at or before it, the later recorded among equals.
    let in_ingest = seen.get(&identity.list).and_then(|items| {
        items
            .iter()
            .filter(|(other, _)| other.published <= identity.published && other != identity)
            .max_by_key(|(other, _)| other.published)
    });
    let view = store.view();
    let in_store = view.counting_before(identity, corrects)?;
    match (in_ingest, in_store) {
        (Some((other, item)), stored)
            if stored.is_none_or(|stored| other.published >= stored.published) =>
        {
            let Some(item) = prepared.get(*item) else {
                return Ok(None);
            };
            Ok(Some(Earlier {
                description: format!(
                    "{}, {}, earlier in this ingest",
                    other.published, item.candidate.display
                ),
                format: Format::from_name(&item.provenance.format),
                inputs: item.provenance.inputs.clone(),
            }))
        }
        (_, Some(stored)) => {
            let recorded = view.inputs_of(stored.seq)?;
            let format = Format::from_name(&recorded.format);
            let mut inputs = recorded.inputs;
            if let Some(mark) = format.and_then(Format::end_mark) {
                archived_marks(store, &mut inputs, mark)?;
            }
            Ok(Some(Earlier {
                description: format!("{}, event {}", stored.published, stored.seq),
                format,
                inputs,
            }))
        }
        (_, None) => Ok(None),
    }
}

/// Fills in, for input files recorded without whether they ended with `mark` (by a listdiff
/// before issue 12), what their archived bytes say, where the archive holds them. An archive
/// that cannot be read leaves it unknown.
fn archived_marks(store: &Store, inputs: &mut [InputDigest], mark: u8) -> Result<(), StoreError> {
    let archive = store.archive();
    for input in inputs.iter_mut().filter(|i| i.eof_mark.is_none()) {
        if let Ok(Some(bytes)) = archive.get(&input.sha256, input.bytes) {
            input.eof_mark = Some(bytes.last() == Some(&mark));
        }
    }
    Ok(())
}

/// The end-of-file check of one publication: refuses a file without `mark` where the same file
/// of the earlier publication had it (unless `--allow-cut`); the note, when its primary file
/// lacks the mark and that is not refused.
fn check_marks(
    item: &Prepared,
    identity: &Identity,
    mark: u8,
    earlier: Option<&Earlier>,
    checks: FeedChecks,
) -> Result<Option<String>, IngestError> {
    let mut note = None;
    for (index, input) in item.provenance.inputs.iter().enumerate() {
        if input.eof_mark != Some(false) {
            continue;
        }
        let lines = item.ends.get(index).map_or(0, |f| f.lines);
        let why = match earlier {
            None => NotRefused::NoEarlier,
            Some(earlier) if earlier.format.and_then(Format::end_mark) != Some(mark) => {
                NotRefused::OtherFormat(
                    earlier
                        .format
                        .map_or("another format", Format::name)
                        .to_string(),
                )
            }
            Some(earlier) => {
                let same = match index {
                    0 => earlier.inputs.first(),
                    _ => earlier.inputs.iter().skip(1).find(|f| f.name == input.name),
                };
                match same.and_then(|f| f.eof_mark) {
                    Some(true) if checks.allow_cut => continue,
                    Some(true) => {
                        return Err(IngestError::CutShort {
                            input: item.candidate.display.clone(),
                            file: match (index, item.ends.get(index)) {
                                (0, _) | (_, None) => "the file".into(),
                                (_, Some(file)) => file.display.clone(),
                            },
                            mark,
                            list: identity.list.clone(),
                            earlier: earlier.description.clone(),
                            lines,
                        });
                    }
                    Some(false) => NotRefused::NeverHad,
                    None if same.is_none() => continue,
                    None => NotRefused::Unknown,
                }
            }
        };
        if index > 0 {
            continue;
        }
        let list = &identity.list;
        let why = match why {
            NotRefused::NoEarlier => {
                format!("and there is no earlier publication of {list} to compare it with")
            }
            NotRefused::NeverHad => format!(
                "nor did the file of {list}'s earlier publication ({}): copies that never had it, such as a third party's",
                earlier.map_or("", |e| e.description.as_str())
            ),
            NotRefused::Unknown => format!(
                "and whether the file of {list}'s earlier publication ({}) did is not known (it was recorded before listdiff kept this, and its input is not archived)",
                earlier.map_or("", |e| e.description.as_str())
            ),
            NotRefused::OtherFormat(format) => format!(
                "and {list}'s earlier publication ({}) was read from {format}, which has no such mark",
                earlier.map_or("", |e| e.description.as_str())
            ),
        };
        note = Some(format!(
            "{}: the file does not end with the end-of-file mark (0x{mark:02X}) that {} files end with as published, {why}: a copy cut short at a line end cannot be told from a whole one ({lines} lines were read)",
            item.candidate.display, item.provenance.format
        ));
    }
    Ok(note)
}

/// The companion check of one publication: refuses it when read without a companion file the
/// earlier publication of its format was read with (unless `--allow-partial`).
fn check_companions(
    item: &Prepared,
    identity: &Identity,
    format: Format,
    earlier: Option<&Earlier>,
    checks: FeedChecks,
) -> Result<(), IngestError> {
    let keys = format.companion_keys();
    let Some(earlier) = earlier else {
        return Ok(());
    };
    if keys.is_empty() || checks.allow_partial || earlier.format != Some(format) {
        return Ok(());
    }
    let read_with =
        |inputs: &[InputDigest], key: &str| inputs.iter().skip(1).any(|f| f.name == key);
    let file_name = item.candidate.file_name();
    let names = format.companion_names(&file_name);
    let missing: Vec<&str> = keys
        .iter()
        .zip(&names)
        .filter(|(key, _)| {
            read_with(&earlier.inputs, key) && !read_with(&item.provenance.inputs, key)
        })
        .map(|(_, name)| name.as_str())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(IngestError::Partial {
        input: item.candidate.display.clone(),
        list: identity.list.clone(),
        published: identity.published,
        missing: joined(&missing),
        earlier: earlier.description.clone(),
    })
}

/// `a`, `a and b`, `a, b and c`.
fn joined(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_counted_as_read() {
        assert_eq!(line_count(b"a\r\nb\r\n\x1a", Some(0x1A)), 2);
        assert_eq!(line_count(b"a\r\nb\r\n", Some(0x1A)), 2);
        assert_eq!(line_count(b"a\nb", None), 2);
        assert_eq!(line_count(b"", Some(0x1A)), 0);
        assert_eq!(line_count(b"\x1a", Some(0x1A)), 0);
    }

    #[test]
    fn names_are_joined_as_said() {
        assert_eq!(joined(&["a"]), "a");
        assert_eq!(joined(&["a", "b"]), "a and b");
        assert_eq!(joined(&["a", "b", "c"]), "a, b and c");
    }
}
