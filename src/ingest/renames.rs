//! The rename carry ([`rename::carry_renames`]) against the list as it stood before a
//! snapshot: in a store (`ingest`, and `reparse` replaying what `ingest` did), or in an earlier
//! file (`compare`); and the carry across a change of key scheme ([`rekey::carry_rekeyed`]),
//! by the same rule in both.

use std::collections::HashSet;

use crate::model::rekey::{self, IdShape, Rekey};
use crate::model::rename::{self, Rename};
use crate::model::{Entry, ListId, Publication, PublicationContent, PublicationTime};
use crate::store::{StoreError, View};

/// Gives renamed entries of a snapshot of `list` dated `published` their old ids, against the
/// list as `view` has it at the end of the day before; returns the renames the snapshot makes.
/// Reads nothing from the store when no entry has a rename key.
pub fn carry_renames_in_store(
    view: &View,
    list: &ListId,
    published: PublicationTime,
    entries: &mut [Entry],
) -> Result<Vec<Rename>, StoreError> {
    if !entries.iter().any(|e| rename::rename_key(e).is_some()) {
        return Ok(Vec::new());
    }
    let Some(day_before) = published.date.pred_opt() else {
        return Ok(Vec::new());
    };
    let before = view.state_as_of(list, day_before)?;
    Ok(rename::carry_renames(&before, entries))
}

/// [`carry_renames_in_store`] for a whole publication (an amendment renames nothing).
pub fn carry_publication_renames(
    view: &View,
    publication: &mut Publication,
) -> Result<Vec<Rename>, StoreError> {
    match &mut publication.content {
        PublicationContent::Snapshot(entries) => {
            carry_renames_in_store(view, &publication.list, publication.published, entries)
        }
        PublicationContent::Amendment(_) => Ok(Vec::new()),
    }
}

/// Gives renamed entries of each snapshot in `new` the ids they had in the snapshots of the same
/// list in `old`, as `ingest` would have had `old` recorded the day before.
pub fn carry_renames_between(old: &[Publication], new: &mut [Publication]) {
    for publication in new {
        let PublicationContent::Snapshot(entries) = &mut publication.content else {
            continue;
        };
        let before = old
            .iter()
            .filter(|p| p.list == publication.list)
            .filter_map(|p| match &p.content {
                PublicationContent::Snapshot(entries) => Some(entries),
                PublicationContent::Amendment(_) => None,
            })
            .flatten();
        rename::carry_renames(before, entries);
    }
}

/// When a snapshot changes its list's key scheme against the list as `view` has it at the end
/// of the day before it ([`rekey`]), the entries it carries from old ids to new ids; `None`
/// when it does not (or is an amendment). The store is read in full only when the snapshot
/// shares no id with the list and is shaped otherwise: the usual answer takes one lookup.
pub fn carry_publication_rekeys(
    view: &View,
    publication: &Publication,
) -> Result<Option<Rekey>, StoreError> {
    let PublicationContent::Snapshot(entries) = &publication.content else {
        return Ok(None);
    };
    let list = &publication.list;
    let Some(day_before) = publication.published.date.pred_opt() else {
        return Ok(None);
    };
    if entries.is_empty() || view.last_published(list)?.is_none() {
        return Ok(None);
    }
    for entry in entries {
        if view.in_force(list, &entry.id, day_before)? {
            return Ok(None);
        }
    }
    let before_shapes: HashSet<IdShape> = view
        .ids_as_of(list, day_before)?
        .iter()
        .map(|id| IdShape::of(id.as_str()))
        .collect();
    let shapes: HashSet<IdShape> = entries.iter().map(|e| IdShape::of(e.id.as_str())).collect();
    if !rekey::layout_changed(false, &before_shapes, &shapes) {
        return Ok(None);
    }
    Ok(rekey::carry_rekeyed(
        &view.state_as_of(list, day_before)?,
        entries,
    ))
}

/// For each snapshot in `new` that changes its list's key scheme against the snapshots of the
/// same list in `old` ([`rekey::carry_rekeyed`]), what it carries from old ids to new ids: as
/// `ingest` would have had `old` recorded the day before. `old` is left as it is: the answer
/// (`query::compare`) shows each entry carried as one change of id, as the store does.
pub fn rekeys_between(old: &[Publication], new: &[Publication]) -> Vec<(ListId, Rekey)> {
    let mut carried = Vec::new();
    for publication in new {
        let PublicationContent::Snapshot(entries) = &publication.content else {
            continue;
        };
        let before: Vec<Entry> = old
            .iter()
            .filter(|p| p.list == publication.list)
            .filter_map(|p| match &p.content {
                PublicationContent::Snapshot(entries) => Some(entries),
                PublicationContent::Amendment(_) => None,
            })
            .flatten()
            .cloned()
            .collect();
        if let Some(rekey) = rekey::carry_rekeyed(&before, entries) {
            carried.push((publication.list.clone(), rekey));
        }
    }
    carried
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EntryId;
    use serde_json::json;

    fn list(name: &str) -> ListId {
        ListId::new(name).expect("a list id")
    }

    fn entry(id: &str, key: &str) -> Entry {
        let mut entry = Entry::new(EntryId::new(id).expect("an entry id"), id);
        entry.extra.insert(rename::RENAME_KEY.into(), json!(key));
        entry
    }

    fn snapshot(list_name: &str, entries: Vec<Entry>) -> Publication {
        Publication {
            list: list(list_name),
            published: "2024-03-05".parse().expect("a date"),
            source: "test".into(),
            content: PublicationContent::Snapshot(entries),
        }
    }

    fn ids(publication: &Publication) -> Vec<&str> {
        match &publication.content {
            PublicationContent::Snapshot(entries) => {
                entries.iter().map(|e| e.id.as_str()).collect()
            }
            PublicationContent::Amendment(_) => Vec::new(),
        }
    }

    #[test]
    fn compare_carries_renames_within_one_list_only() {
        let old = [
            snapshot("el", vec![entry("cn/acme", "cn|1")]),
            snapshot("other", vec![entry("cn/bolt", "cn|2")]),
        ];
        let mut new = [
            snapshot("el", vec![entry("cn/acme co", "cn|1")]),
            // Same rename key as an entry of another list: not a rename.
            snapshot("el2", vec![entry("cn/bolt ltd", "cn|2")]),
        ];
        carry_renames_between(&old, &mut new);
        assert_eq!(ids(&new[0]), ["cn/acme"]);
        assert_eq!(ids(&new[1]), ["cn/bolt ltd"]);
    }
}
