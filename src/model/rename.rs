//! Renames in lists keyed by name.
//!
//! Some lists have no ids: the eCFR's Entity List is keyed by country and primary name, so a
//! corrected name would read as one entry removed and another added. A parser of such a list
//! puts a *rename key* in each entry's `extra` (for the Entity List: the country and the first
//! Federal Register citation, which a rename keeps). When a snapshot drops exactly one entry with
//! a rename key and brings exactly one new entry with the same key, the new entry is the old one
//! renamed: it keeps the old id, and the difference shows as a changed name.

use std::collections::{HashMap, HashSet};

use super::{Entry, EntryId};

/// The `extra` field that holds an entry's rename key.
pub const RENAME_KEY: &str = "rename_key";

/// An entry's rename key, if it has one.
pub fn rename_key(entry: &Entry) -> Option<String> {
    entry.extra.text_of(RENAME_KEY)
}

/// Gives the entries of a new snapshot that are renames of entries in force before it the ids
/// those had. `before` is the list before the snapshot as (id, rename key) pairs. Returns the
/// renames as (old id, new id) pairs, in old-id order. Only unambiguous pairs are taken: a key
/// shared by two departing or two arriving entries pairs nothing.
pub fn carry_renamed_ids<'a>(
    before: impl IntoIterator<Item = (&'a EntryId, Option<String>)>,
    entries: &mut [Entry],
) -> Vec<(EntryId, EntryId)> {
    let keys: Vec<Option<String>> = entries.iter().map(rename_key).collect();
    if keys.iter().all(Option::is_none) {
        return Vec::new();
    }
    let new_ids: HashSet<&EntryId> = entries.iter().map(|e| &e.id).collect();
    let before: Vec<(&EntryId, Option<String>)> = before.into_iter().collect();
    let before_ids: HashSet<&EntryId> = before.iter().map(|(id, _)| *id).collect();
    // Rename key → the departing entry with it, or None when several share it.
    let mut departing: HashMap<&str, Option<&EntryId>> = HashMap::new();
    for (id, key) in &before {
        if let Some(key) = key
            && !new_ids.contains(id)
        {
            departing
                .entry(key.as_str())
                .and_modify(|slot| *slot = None)
                .or_insert(Some(*id));
        }
    }
    let mut arriving: HashMap<&str, Option<usize>> = HashMap::new();
    for (index, (entry, key)) in entries.iter().zip(&keys).enumerate() {
        if let Some(key) = key
            && !before_ids.contains(&entry.id)
        {
            arriving
                .entry(key.as_str())
                .and_modify(|slot| *slot = None)
                .or_insert(Some(index));
        }
    }
    let mut pairs: Vec<(EntryId, usize)> = arriving
        .iter()
        .filter_map(|(key, index)| {
            let old = departing.get(key).copied().flatten()?;
            Some((old.clone(), (*index)?))
        })
        .collect();
    pairs.sort();
    pairs
        .into_iter()
        .map(|(old, index)| {
            let new = std::mem::replace(&mut entries[index].id, old.clone());
            (old, new)
        })
        .collect()
}

/// An entry of a new snapshot that is an entry in force before it, renamed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rename {
    /// The id the entry had, which it keeps.
    pub old: EntryId,
    /// The id the new snapshot gave it (from its new name), which it no longer has.
    pub new: EntryId,
}

/// The rename rule, whole: gives the entries of a new snapshot that are renames of entries in
/// `before` (the list as it stood the day before the snapshot) the ids those had
/// ([`carry_renamed_ids`]), and returns the renames this snapshot makes, in old-id order.
///
/// An entry renamed by an earlier publication pairs again with every later one under the name it
/// already has; such pairs keep their id but are not returned, so that a rename is told once.
pub fn carry_renames<'a>(
    before: impl IntoIterator<Item = &'a Entry>,
    entries: &mut [Entry],
) -> Vec<Rename> {
    if !entries.iter().any(|e| rename_key(e).is_some()) {
        return Vec::new();
    }
    let before: Vec<&Entry> = before.into_iter().collect();
    let pairs = carry_renamed_ids(before.iter().map(|e| (&e.id, rename_key(e))), entries);
    let names: HashMap<&EntryId, &str> = before.iter().map(|e| (&e.id, e.name.as_str())).collect();
    pairs
        .into_iter()
        .filter(|(old, _)| {
            let now = entries
                .iter()
                .find(|e| &e.id == old)
                .map(|e| e.name.as_str());
            names.get(old).copied() != now
        })
        .map(|(old, new)| Rename { old, new })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(id: &str, key: Option<&str>) -> Entry {
        let mut e = Entry::new(EntryId::new(id).unwrap(), id);
        if let Some(key) = key {
            e.extra.insert(RENAME_KEY.into(), json!(key));
        }
        e
    }

    fn ids(entries: &[Entry]) -> Vec<&str> {
        entries.iter().map(|e| e.id.as_str()).collect()
    }

    #[test]
    fn a_departing_and_an_arriving_entry_with_one_key_are_a_rename() {
        let before = [
            entry("cn/acme", Some("cn|84 FR 1")),
            entry("cn/bolt", Some("cn|85 FR 2")),
        ];
        let mut after = vec![
            entry("cn/acme co", Some("cn|84 FR 1")),
            entry("cn/bolt", Some("cn|85 FR 2")),
        ];
        let renames = carry_renamed_ids(before.iter().map(|e| (&e.id, rename_key(e))), &mut after);
        assert_eq!(ids(&after), ["cn/acme", "cn/bolt"]);
        assert_eq!(renames.len(), 1);
        assert_eq!(renames[0].0.as_str(), "cn/acme");
        assert_eq!(renames[0].1.as_str(), "cn/acme co");
        assert_eq!(after[0].name, "cn/acme co", "the new name is kept");
    }

    #[test]
    fn ambiguous_keys_and_entries_without_keys_pair_nothing() {
        let before = [
            entry("a", Some("k")),
            entry("b", Some("k")),
            entry("c", None),
        ];
        let mut after = vec![entry("x", Some("k")), entry("y", None)];
        let renames = carry_renamed_ids(before.iter().map(|e| (&e.id, rename_key(e))), &mut after);
        assert!(renames.is_empty());
        assert_eq!(ids(&after), ["x", "y"]);

        let before = [entry("a", Some("k"))];
        let mut after = vec![entry("x", Some("k")), entry("z", Some("k"))];
        assert!(
            carry_renamed_ids(before.iter().map(|e| (&e.id, rename_key(e))), &mut after).is_empty()
        );
    }

    #[test]
    fn an_entry_still_present_is_not_renamed() {
        let before = [entry("a", Some("k"))];
        let mut after = vec![entry("a", Some("k")), entry("b", Some("k"))];
        assert!(
            carry_renamed_ids(before.iter().map(|e| (&e.id, rename_key(e))), &mut after).is_empty()
        );
        assert_eq!(ids(&after), ["a", "b"]);
    }

    fn named(id: &str, name: &str, key: &str) -> Entry {
        let mut e = entry(id, Some(key));
        e.name = name.into();
        e
    }

    #[test]
    fn carry_renames_tells_only_the_renames_this_snapshot_makes() {
        // "cn/acme" was renamed earlier: it is in force under its new name "Acme Co".
        let before = [
            named("cn/acme", "Acme Co", "cn|84 FR 1"),
            named("cn/bolt", "Bolt", "cn|85 FR 2"),
        ];
        // The next snapshot repeats that name and renames Bolt.
        let mut after = vec![
            named("cn/acme co", "Acme Co", "cn|84 FR 1"),
            named("cn/bolt ltd", "Bolt Ltd", "cn|85 FR 2"),
        ];
        let renames = carry_renames(&before, &mut after);
        assert_eq!(
            ids(&after),
            ["cn/acme", "cn/bolt"],
            "both keep their old ids"
        );
        assert_eq!(
            renames,
            [Rename {
                old: EntryId::new("cn/bolt").unwrap(),
                new: EntryId::new("cn/bolt ltd").unwrap(),
            }],
            "the earlier rename is not told again"
        );
    }

    #[test]
    fn carry_renames_without_rename_keys_changes_nothing() {
        let before = [entry("a", None)];
        let mut after = vec![entry("b", None)];
        assert!(carry_renames(&before, &mut after).is_empty());
        assert_eq!(ids(&after), ["b"]);
    }
}
