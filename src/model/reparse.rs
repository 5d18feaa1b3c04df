//! Reparse: an event's recorded content compared with what the current parsers read from the
//! same archived input bytes. A difference is a parser change, never a publisher's change.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::{Amendment, Entry, EntryId, ListId, PublicationKind, diff_entries};

/// What reparsing one event found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReparseStatus {
    /// The current parsers read the archived inputs to exactly what the event recorded.
    Same,
    /// They read something else (see the entries named).
    Differs,
    /// Some input of the event is not in the archive (or it has no read manifest): skipped.
    NotArchived,
    /// The current parsers cannot read the archived inputs at all (see the note).
    Unreadable,
    /// An archive file of the event does not hash to the SHA-256 the event records.
    Damaged,
}

impl ReparseStatus {
    /// The status as printed: `same`, `differs`, `not archived`, `unreadable`, `damaged`.
    pub fn label(self) -> &'static str {
        match self {
            ReparseStatus::Same => "same",
            ReparseStatus::Differs => "differs",
            ReparseStatus::NotArchived => "not archived",
            ReparseStatus::Unreadable => "unreadable",
            ReparseStatus::Damaged => "damaged",
        }
    }
}

/// An entry the reparse reads differently from the event: the fields that differ (the reparse
/// relative to the recorded content).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReparsedChange {
    /// The entry.
    pub id: EntryId,
    /// The fields that differ (`name`, `programs`, `extra.<field>`, …; `operation` when an
    /// amendment adds, amends or removes the entry differently).
    pub fields: Vec<String>,
}

/// The entries a reparse reads differently from what an event recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReparseDifference {
    /// Entries (or amendment operations) only the reparse has.
    pub added: Vec<EntryId>,
    /// Entries (or amendment operations) only the recorded content has.
    pub removed: Vec<EntryId>,
    /// Entries both have, with different content.
    pub changed: Vec<ReparsedChange>,
}

impl ReparseDifference {
    /// True when the reparse read exactly what was recorded.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// One event's reparse.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventReparse {
    /// The event.
    pub seq: u64,
    /// Its list.
    pub list: ListId,
    /// Its publication date.
    pub published: NaiveDate,
    /// Snapshot or amendment.
    pub kind: PublicationKind,
    /// What was found.
    pub status: ReparseStatus,
    /// The parser the event records, e.g. `listdiff 0.1.0 ofac-sdn-csv/1`.
    pub recorded_parser: String,
    /// The parser that read it now; `None` when it was not read.
    pub current_parser: Option<String>,
    /// For `differs`, the entries that differ.
    #[serde(flatten)]
    pub difference: ReparseDifference,
    /// For `not archived`, `unreadable` and `damaged`: why, naming the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Every event reparsed, in recording order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReparseReport {
    /// One per event asked about.
    pub events: Vec<EventReparse>,
}

impl ReparseReport {
    /// How many events have `status`.
    pub fn count(&self, status: ReparseStatus) -> usize {
        self.events.iter().filter(|e| e.status == status).count()
    }
}

/// The difference between two full snapshots of a list, the reparse relative to the recorded.
pub fn compare_snapshots(
    recorded: &BTreeMap<EntryId, Entry>,
    reparsed: &BTreeMap<EntryId, Entry>,
) -> ReparseDifference {
    let mut difference = ReparseDifference::default();
    let ids: BTreeSet<&EntryId> = recorded.keys().chain(reparsed.keys()).collect();
    for id in ids {
        match (recorded.get(id), reparsed.get(id)) {
            (None, Some(_)) => difference.added.push(id.clone()),
            (Some(_), None) => difference.removed.push(id.clone()),
            (Some(before), Some(after)) if before.content_hash() != after.content_hash() => {
                difference.changed.push(ReparsedChange {
                    id: id.clone(),
                    fields: changed_fields(before, after),
                });
            }
            _ => {}
        }
    }
    difference
}

/// What an amendment does to one id.
enum Operation<'a> {
    Add(&'a Entry),
    Amend(&'a Entry),
    Remove,
}

fn operations(amendment: &Amendment) -> BTreeMap<&EntryId, Operation<'_>> {
    let mut ops = BTreeMap::new();
    for entry in &amendment.add {
        ops.insert(&entry.id, Operation::Add(entry));
    }
    for entry in &amendment.amend {
        ops.insert(&entry.id, Operation::Amend(entry));
    }
    for id in &amendment.remove {
        ops.insert(id, Operation::Remove);
    }
    ops
}

/// The difference between two amendments' operations, the reparse relative to the recorded:
/// an id only one side adds, amends or removes is added or removed; an id both touch
/// differently is changed (`operation` when one adds, amends or removes where the other does
/// something else; else the entry's fields).
pub fn compare_amendments(recorded: &Amendment, reparsed: &Amendment) -> ReparseDifference {
    let (before, after) = (operations(recorded), operations(reparsed));
    let mut difference = ReparseDifference::default();
    let ids: BTreeSet<&&EntryId> = before.keys().chain(after.keys()).collect();
    for id in ids {
        let fields = match (before.get(*id), after.get(*id)) {
            (None, Some(_)) => {
                difference.added.push((*id).clone());
                continue;
            }
            (Some(_), None) => {
                difference.removed.push((*id).clone());
                continue;
            }
            (Some(Operation::Add(a)), Some(Operation::Add(b)))
            | (Some(Operation::Amend(a)), Some(Operation::Amend(b))) => {
                if a.content_hash() == b.content_hash() {
                    continue;
                }
                changed_fields(a, b)
            }
            (Some(Operation::Remove), Some(Operation::Remove)) | (None, None) => continue,
            (
                Some(Operation::Add(a) | Operation::Amend(a)),
                Some(Operation::Add(b) | Operation::Amend(b)),
            ) => {
                let mut fields = vec!["operation".to_string()];
                if a.content_hash() != b.content_hash() {
                    fields.extend(changed_fields(a, b));
                }
                fields
            }
            _ => vec!["operation".to_string()],
        };
        difference.changed.push(ReparsedChange {
            id: (*id).clone(),
            fields,
        });
    }
    difference
}

/// The names of the fields that differ; `id` alone when only something outside the compared
/// fields differs.
fn changed_fields(before: &Entry, after: &Entry) -> Vec<String> {
    let fields: Vec<String> = diff_entries(before, after)
        .into_iter()
        .map(|f| f.field)
        .collect();
    if fields.is_empty() {
        vec!["(canonical form)".to_string()]
    } else {
        fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, name: &str) -> Entry {
        Entry::new(EntryId::new(id).unwrap(), name)
            .normalize()
            .unwrap()
    }

    fn map(entries: &[Entry]) -> BTreeMap<EntryId, Entry> {
        entries.iter().map(|e| (e.id.clone(), e.clone())).collect()
    }

    #[test]
    fn snapshots_differ_by_added_removed_and_changed_entries() {
        let recorded = map(&[entry("1", "A"), entry("2", "B"), entry("3", "C")]);
        let reparsed = map(&[entry("1", "A"), entry("2", "B2"), entry("4", "D")]);
        let d = compare_snapshots(&recorded, &reparsed);
        assert_eq!(d.added, vec![EntryId::new("4").unwrap()]);
        assert_eq!(d.removed, vec![EntryId::new("3").unwrap()]);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].id.as_str(), "2");
        assert_eq!(d.changed[0].fields, vec!["name".to_string()]);
        assert!(compare_snapshots(&recorded, &recorded).is_empty());
    }

    #[test]
    fn amendments_compare_operations() {
        let recorded = Amendment {
            add: vec![entry("1", "A")],
            amend: vec![entry("2", "B")],
            remove: vec![EntryId::new("3").unwrap()],
        };
        assert!(compare_amendments(&recorded, &recorded).is_empty());
        let reparsed = Amendment {
            add: vec![entry("1", "A"), entry("2", "B")],
            amend: vec![],
            remove: vec![EntryId::new("5").unwrap()],
        };
        let d = compare_amendments(&recorded, &reparsed);
        assert_eq!(d.added, vec![EntryId::new("5").unwrap()]);
        assert_eq!(d.removed, vec![EntryId::new("3").unwrap()]);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].fields, vec!["operation".to_string()]);
    }
}
