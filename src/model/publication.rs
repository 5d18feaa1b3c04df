//! A publication: one published version or update of one list.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Entry, EntryId, ListId, ModelError, PublicationTime};

/// Whether a publication states the whole list or changes to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PublicationKind {
    /// The complete list as of the publication date: it replaces whatever was there.
    Snapshot,
    /// Additions, amendments and removals applied to the list as it stood.
    Amendment,
}

impl PublicationKind {
    /// The lower-case label used in input and output.
    pub fn as_str(self) -> &'static str {
        match self {
            PublicationKind::Snapshot => "snapshot",
            PublicationKind::Amendment => "amendment",
        }
    }
}

impl fmt::Display for PublicationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The changes an amendment makes. `add` and `amend` both replace any entry with the same id
/// (an amend of an unknown id adds it); `remove` of an unknown id is only a warning.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amendment {
    /// Entries added to the list.
    #[serde(default)]
    pub add: Vec<Entry>,
    /// Entries whose content is replaced.
    #[serde(default)]
    pub amend: Vec<Entry>,
    /// Ids removed from the list.
    #[serde(default)]
    pub remove: Vec<EntryId>,
}

impl Amendment {
    /// Applies `later` after this amendment, as one amendment: the last operation on an id
    /// wins. Listdiffs before issue 11 recorded the OpenSanctions deltas of one day read by one
    /// ingest as one amendment made so; `reparse` reads such events' inputs the same way.
    pub fn then(&mut self, later: Amendment) {
        let touched: std::collections::HashSet<EntryId> = later
            .add
            .iter()
            .chain(&later.amend)
            .map(|e| e.id.clone())
            .chain(later.remove.iter().cloned())
            .collect();
        self.add.retain(|e| !touched.contains(&e.id));
        self.amend.retain(|e| !touched.contains(&e.id));
        self.remove.retain(|id| !touched.contains(id));
        self.add.extend(later.add);
        self.amend.extend(later.amend);
        self.remove.extend(later.remove);
    }
}

/// What a publication says: the whole list, or changes to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicationContent {
    /// Every entry in force on the publication date.
    Snapshot(Vec<Entry>),
    /// Changes against the list as it stood before the publication date.
    Amendment(Amendment),
}

impl PublicationContent {
    /// Snapshot or amendment.
    pub fn kind(&self) -> PublicationKind {
        match self {
            PublicationContent::Snapshot(_) => PublicationKind::Snapshot,
            PublicationContent::Amendment(_) => PublicationKind::Amendment,
        }
    }

    /// Normalises every entry and refuses duplicate ids (within a snapshot, or an id named twice
    /// in one amendment). Errors name the position of the offending record (0-based) in the
    /// order the publication gives them: `entries`, or `add` then `amend` then `remove`.
    pub fn normalize(self) -> Result<PublicationContent, ModelError> {
        match self {
            PublicationContent::Snapshot(entries) => {
                let entries = normalize_entries(entries)?;
                check_unique(entries.iter().map(|e| &e.id))?;
                Ok(PublicationContent::Snapshot(entries))
            }
            PublicationContent::Amendment(a) => {
                let add = normalize_entries(a.add)?;
                let amend = normalize_entries(a.amend)?;
                check_unique(add.iter().chain(&amend).map(|e| &e.id).chain(&a.remove))?;
                Ok(PublicationContent::Amendment(Amendment {
                    add,
                    amend,
                    remove: a.remove,
                }))
            }
        }
    }

    /// Refuses duplicate ids, for content whose entries are already normalised (see
    /// [`PublicationContent::normalize`]).
    pub fn check_ids(&self) -> Result<(), ModelError> {
        match self {
            PublicationContent::Snapshot(entries) => check_unique(entries.iter().map(|e| &e.id)),
            PublicationContent::Amendment(a) => {
                check_unique(a.add.iter().chain(&a.amend).map(|e| &e.id).chain(&a.remove))
            }
        }
    }

    /// How many entries (snapshot) or operations (amendment) it holds.
    pub fn len(&self) -> usize {
        match self {
            PublicationContent::Snapshot(entries) => entries.len(),
            PublicationContent::Amendment(a) => a.add.len() + a.amend.len() + a.remove.len(),
        }
    }

    /// True when it holds no entry and no operation.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn normalize_entries(entries: Vec<Entry>) -> Result<Vec<Entry>, ModelError> {
    entries
        .into_iter()
        .enumerate()
        .map(|(index, e)| {
            e.normalize().map_err(|source| ModelError::InvalidRecord {
                index,
                source: Box::new(source),
            })
        })
        .collect()
}

fn check_unique<'a>(ids: impl Iterator<Item = &'a EntryId>) -> Result<(), ModelError> {
    let mut seen: HashMap<&EntryId, usize> = HashMap::new();
    for (index, id) in ids.enumerate() {
        if let Some(first) = seen.insert(id, index) {
            return Err(ModelError::DuplicateId {
                id: id.clone(),
                first,
                second: index,
            });
        }
    }
    Ok(())
}

/// One publication of one list, with its time resolved: the unit listdiff records as an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Publication {
    /// The list it belongs to.
    pub list: ListId,
    /// The publication time: the date the list's content took this form, and the UTC time
    /// of day when known.
    pub published: PublicationTime,
    /// Where it came from: the document's own identifier (a citation such as `89 FR 99999`),
    /// else its file name.
    pub source: String,
    /// The normalised content.
    pub content: PublicationContent,
}

impl Publication {
    /// What identifies it among its list's publications (see [`Identity`]).
    pub fn identity(&self) -> Identity {
        Identity::of(
            &self.list,
            self.published,
            self.content.kind(),
            &self.source,
        )
    }
}

/// What identifies a publication: a snapshot by its list and publication time, an amendment by
/// its list, publication time and source (the document's own identifier). Publications with
/// different identities all count; a later one with the same identity (and other bytes) is a
/// correction, which takes the place of the one it corrects.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Identity {
    /// The list.
    pub list: ListId,
    /// The publication time.
    pub published: PublicationTime,
    /// Snapshot or amendment: a snapshot and an amendment never share an identity.
    pub kind: PublicationKind,
    /// An amendment's source; `None` for a snapshot.
    pub source: Option<String>,
}

impl Identity {
    /// The identity of a publication of `list` at `published` of `kind` from `source`.
    pub fn of(
        list: &ListId,
        published: PublicationTime,
        kind: PublicationKind,
        source: &str,
    ) -> Identity {
        Identity {
            list: list.clone(),
            published,
            kind,
            source: (kind == PublicationKind::Amendment).then(|| source.to_string()),
        }
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.list, self.published, self.kind)?;
        if let Some(source) = &self.source {
            write!(f, " \"{}\"", super::text::quote_bounded(source))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, name: &str) -> Entry {
        Entry::new(EntryId::new(id).unwrap(), name)
    }

    #[test]
    fn duplicate_ids_in_a_snapshot_are_refused_with_both_positions() {
        let content =
            PublicationContent::Snapshot(vec![entry("a", "A"), entry("b", "B"), entry("a", "A2")]);
        match content.normalize() {
            Err(ModelError::DuplicateId { id, first, second }) => {
                assert_eq!((id.as_str(), first, second), ("a", 0, 2));
            }
            other => panic!("expected a duplicate-id error, got {other:?}"),
        }
    }

    #[test]
    fn an_id_both_added_and_removed_in_one_amendment_is_refused() {
        let content = PublicationContent::Amendment(Amendment {
            add: vec![entry("a", "A")],
            amend: vec![],
            remove: vec![EntryId::new("a").unwrap()],
        });
        assert!(matches!(
            content.normalize(),
            Err(ModelError::DuplicateId { .. })
        ));
    }

    #[test]
    fn a_blank_name_names_its_record() {
        let content = PublicationContent::Snapshot(vec![entry("a", "A"), entry("b", "  ")]);
        assert!(matches!(
            content.normalize(),
            Err(ModelError::InvalidRecord { index: 1, .. })
        ));
    }
}
