//! The rename carry ([`rename::carry_renames`]) against the list as it stood before a
//! snapshot: in a store (`ingest`, and `reparse` replaying what `ingest` did), or in an earlier
//! file (`compare`).

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
