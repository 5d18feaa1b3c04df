//! Changes of key scheme: a list whose ids change layout between two publications.
//!
//! A publisher may change how it keys a list: the trade.gov Consolidated Screening List had no
//! `_id` before July 2020 (listdiff derives keys for its BIS and State rows, `el-…`), and has
//! had one since (`b6e959…`). Read naively, the first publication in the new layout removes
//! every entry and adds them all again. This module holds the one rule that tells such a change
//! and pairs each entry in force under its old id with the one that stands for it under its
//! new id; `ingest` (its drop guard and what its events record) and `compare` use it.
//!
//! **When the layout changed.** A snapshot changes its list's key scheme when both it and the
//! list before it hold entries, none of the ids in force before it reappears in it, and none of
//! its ids has the *shape* of an id in force before it ([`IdShape`]: length, the characters
//! that are not ASCII letters or digits, and whether it is all digits). A snapshot that shares
//! no id with the list but is shaped alike (a wrong or broken file, or a list whose every entry
//! was replaced) is not a change of key scheme: nothing is carried, and the drop guard judges it
//! as it is.
//!
//! **What is carried.** Within one list (one source), an entry in force under an old id is
//! carried to the new id of the snapshot's entry that has the same publisher entity number
//! (`extra.entity_number`: the CSL's OFAC-derived rows have it), else the same name and
//! addresses (compared with white space collapsed, case ignored, addresses as a sorted set).
//! As in the rename carry ([`super::rename`]), only unambiguous pairs are taken: a key shared by
//! two old or two new entries pairs nothing. The entry takes its new id (the old one is the
//! scheme that ended); an old entry matched to none is a removal.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use serde::{Deserialize, Serialize};

use super::{Entry, EntryId, text};

/// The `extra` field holding a publisher's own entity number, which some lists keep across a
/// change of key scheme (the CSL's OFAC-derived rows).
pub const ENTITY_NUMBER: &str = "entity_number";

/// The shape of an id: what a key scheme gives every id it makes, so that two schemes can be
/// told apart without knowing either.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdShape {
    /// Its length in characters.
    chars: usize,
    /// The characters in it that are not ASCII letters or digits, each once, in order.
    punctuation: String,
    /// Whether it is ASCII digits only.
    digits_only: bool,
}

impl IdShape {
    /// The shape of `id`.
    pub fn of(id: &str) -> IdShape {
        let mut punctuation: Vec<char> =
            id.chars().filter(|c| !c.is_ascii_alphanumeric()).collect();
        punctuation.sort_unstable();
        punctuation.dedup();
        IdShape {
            chars: id.chars().count(),
            punctuation: punctuation.into_iter().collect(),
            digits_only: !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()),
        }
    }
}

/// Whether a snapshot changes its list's key scheme (see the module documentation): given
/// whether it shares an id with the list before it, and the shapes of the ids on either side.
pub fn layout_changed(
    shares_an_id: bool,
    before: &HashSet<IdShape>,
    after: &HashSet<IdShape>,
) -> bool {
    !shares_an_id && !before.is_empty() && !after.is_empty() && before.is_disjoint(after)
}

/// What matches an entry across a change of key scheme: its entity number, if it has one, and
/// its name with its addresses.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MatchKeys {
    /// The publisher's entity number (`extra.entity_number`), trimmed; `None` when absent.
    pub number: Option<String>,
    /// The name and the sorted set of addresses, white space collapsed and lower-cased, one per
    /// line.
    pub name_and_addresses: String,
}

impl MatchKeys {
    /// The match keys of an entry.
    pub fn of(entry: &Entry) -> MatchKeys {
        let number = match entry.extra.get(ENTITY_NUMBER) {
            Some(serde_json::Value::String(n)) => text::normalize(n),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let fold = |raw: &str| text::normalize(raw).map(|t| t.to_lowercase());
        let mut addresses: Vec<String> = entry.addresses.iter().filter_map(|a| fold(a)).collect();
        addresses.sort();
        addresses.dedup();
        let mut name_and_addresses = fold(&entry.name).unwrap_or_default();
        for address in addresses {
            name_and_addresses.push('\n');
            name_and_addresses.push_str(&address);
        }
        MatchKeys {
            number,
            name_and_addresses,
        }
    }
}

/// An entry as [`pair`] takes it: its id, its entity number (if any), its name and addresses.
pub type Keyed<I, K> = (I, Option<K>, K);

/// Pairs old entries with new ones by their keys, in two tiers: first by `number`, then (the
/// entries left) by `name_and_addresses`; in each tier a key shared by two old or two new
/// entries pairs nothing. Generic over how ids and keys are held (the drop guard holds them
/// hashed), so that every user applies the same rule. Returns (old id, new id) pairs in old-id
/// order.
pub fn pair<I, K>(old: &[Keyed<I, K>], new: &[Keyed<I, K>]) -> Vec<(I, I)>
where
    I: Clone + Eq + Hash + Ord,
    K: Eq + Hash,
{
    /// Key → the one index with it, or `None` when several share it.
    fn unique<'a, K: Eq + Hash>(
        keys: impl Iterator<Item = (usize, &'a K)>,
    ) -> HashMap<&'a K, Option<usize>> {
        let mut by_key: HashMap<&K, Option<usize>> = HashMap::new();
        for (index, key) in keys {
            by_key
                .entry(key)
                .and_modify(|slot| *slot = None)
                .or_insert(Some(index));
        }
        by_key
    }
    let mut old_paired = vec![false; old.len()];
    let mut new_paired = vec![false; new.len()];
    let mut pairs = Vec::new();
    /// An entry's key in tier 0 (its number) or 1 (its name and addresses).
    fn key_of<I, K>((_, number, name): &Keyed<I, K>, tier: usize) -> Option<&K> {
        match tier {
            0 => number.as_ref(),
            _ => Some(name),
        }
    }
    for tier in 0..2 {
        let key = |item| key_of(item, tier);
        let olds = unique(
            old.iter()
                .enumerate()
                .filter(|(i, _)| !old_paired[*i])
                .filter_map(|(i, item)| Some((i, key(item)?))),
        );
        let news = unique(
            new.iter()
                .enumerate()
                .filter(|(i, _)| !new_paired[*i])
                .filter_map(|(i, item)| Some((i, key(item)?))),
        );
        let mut found: Vec<(usize, usize)> = olds
            .iter()
            .filter_map(|(key, o)| Some(((*o)?, news.get(key).copied().flatten()?)))
            // By name: two entity numbers (which differ, or they would have paired by number)
            // are two entities, whatever their names.
            .filter(|(o, n)| tier == 0 || old[*o].1.is_none() || new[*n].1.is_none())
            .collect();
        found.sort_unstable();
        for (o, n) in found {
            old_paired[o] = true;
            new_paired[n] = true;
            pairs.push((old[o].0.clone(), new[n].0.clone()));
        }
    }
    pairs.sort();
    pairs
}

/// An entry carried from its old id to its new id when its list's key scheme changed: what an
/// event records of it (`{"old": …, "new": …}`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Carried {
    /// The id it had under the scheme that ended.
    pub old: EntryId,
    /// The id it has from this snapshot on.
    pub new: EntryId,
}

/// What a change of key scheme carried.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rekey {
    /// The entries carried, in old-id order.
    pub carried: Vec<Carried>,
    /// How many entries in force before the snapshot were matched to none of its entries: its
    /// real removals.
    pub unmatched: usize,
}

/// The rule, whole, on entries: when the snapshot `entries` changes the key scheme of the list
/// `before` (the entries in force before it), the entries carried from old ids to new ids and
/// how many old entries were matched to none; `None` when the key scheme did not change.
pub fn carry_rekeyed(before: &[Entry], entries: &[Entry]) -> Option<Rekey> {
    let old_ids: HashSet<&EntryId> = before.iter().map(|e| &e.id).collect();
    let shares_an_id = entries.iter().any(|e| old_ids.contains(&e.id));
    let shapes = |entries: &[Entry]| -> HashSet<IdShape> {
        entries.iter().map(|e| IdShape::of(e.id.as_str())).collect()
    };
    if !layout_changed(shares_an_id, &shapes(before), &shapes(entries)) {
        return None;
    }
    let keyed = |entries: &[Entry]| -> Vec<(EntryId, Option<String>, String)> {
        entries
            .iter()
            .map(|e| {
                let keys = MatchKeys::of(e);
                (e.id.clone(), keys.number, keys.name_and_addresses)
            })
            .collect()
    };
    let carried: Vec<Carried> = pair(&keyed(before), &keyed(entries))
        .into_iter()
        .map(|(old, new)| Carried { old, new })
        .collect();
    Some(Rekey {
        unmatched: before.len() - carried.len(),
        carried,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(id: &str, name: &str, address: &str) -> Entry {
        let mut e = Entry::new(EntryId::new(id).unwrap(), name);
        e.addresses = vec![address.to_string()];
        e
    }

    fn numbered(id: &str, name: &str, number: &str) -> Entry {
        let mut e = Entry::new(EntryId::new(id).unwrap(), name);
        e.extra.insert(ENTITY_NUMBER.into(), json!(number));
        e
    }

    fn old(i: u32) -> String {
        format!("el-{:016x}", i)
    }

    fn new(i: u32) -> String {
        format!("{:056x}", i)
    }

    #[test]
    fn shapes_tell_the_schemes_apart() {
        assert_eq!(IdShape::of(&old(1)), IdShape::of(&old(2)));
        assert_ne!(IdShape::of(&old(1)), IdShape::of(&new(1)));
        assert_ne!(IdShape::of("1234"), IdShape::of("abcd"));
        assert_eq!(IdShape::of("1234"), IdShape::of("9876"));
    }

    #[test]
    fn the_layout_changed_only_when_no_id_stays_and_the_shapes_differ() {
        let a: HashSet<IdShape> = [IdShape::of(&old(1))].into();
        let b: HashSet<IdShape> = [IdShape::of(&new(1))].into();
        assert!(layout_changed(false, &a, &b));
        assert!(!layout_changed(true, &a, &b), "an id stayed");
        assert!(!layout_changed(false, &a, &a), "shaped alike");
        assert!(
            !layout_changed(false, &HashSet::new(), &b),
            "nothing before"
        );
    }

    #[test]
    fn entries_are_carried_by_entity_number_then_by_name_and_addresses() {
        let before = [
            numbered("el-0000000000000001", "Acme", "17013"),
            entry(&old(2), "Bolt Ltd", "1 High St, Town"),
            entry(&old(3), "Gone Co", "2 Low St"),
        ];
        let after = [
            // Renamed, same number: carried by the number.
            numbered(&new(1), "Acme Holding", "17013"),
            // Case and spacing differ: the same name and address.
            entry(&new(2), "BOLT  LTD", "1 High St,  Town"),
            entry(&new(4), "New Co", "3 Mid St"),
        ];
        let rekey = carry_rekeyed(&before, &after).expect("the layout changed");
        assert_eq!(
            rekey.carried,
            [
                Carried {
                    old: EntryId::new("el-0000000000000001").unwrap(),
                    new: EntryId::new(&new(1)).unwrap()
                },
                Carried {
                    old: EntryId::new(&old(2)).unwrap(),
                    new: EntryId::new(&new(2)).unwrap()
                },
            ]
        );
        assert_eq!(rekey.unmatched, 1);
    }

    #[test]
    fn ambiguous_keys_carry_nothing_and_unchanged_layouts_are_left_alone() {
        let before = [
            entry(&old(1), "Twin", "1 St"),
            entry(&old(2), "Twin", "1 St"),
        ];
        let after = [entry(&new(1), "Twin", "1 St")];
        let rekey = carry_rekeyed(&before, &after).unwrap();
        assert!(rekey.carried.is_empty());
        assert_eq!(rekey.unmatched, 2);
        // An id that stays: no change of scheme.
        let after = [
            entry(&old(1), "Twin", "1 St"),
            entry(&new(9), "Twin", "1 St"),
        ];
        assert_eq!(carry_rekeyed(&before, &after), None);
    }

    #[test]
    fn the_generic_rule_pairs_hashed_keys_alike() {
        let old_side = [(1u64, Some(10u64), 100u64), (2, None, 200), (3, None, 200)];
        let new_side = [(7u64, Some(10u64), 999u64), (8, None, 200)];
        // 1 ↔ 7 by number; 200 is shared by two old entries: no pair.
        assert_eq!(pair(&old_side, &new_side), [(1, 7)]);
        // Different numbers are different entities, even by the same name.
        let old_side = [(1u64, Some(10u64), 100u64)];
        let new_side = [(7u64, Some(11u64), 100u64)];
        assert!(pair(&old_side, &new_side).is_empty());
        let new_side = [(7u64, None, 100u64)];
        assert_eq!(pair(&old_side, &new_side), [(1, 7)]);
    }

    #[test]
    fn a_carried_entry_is_recorded_as_old_and_new() {
        let carried = Carried {
            old: EntryId::new("a").unwrap(),
            new: EntryId::new("b").unwrap(),
        };
        assert_eq!(
            serde_json::to_string(&carried).unwrap(),
            r#"{"old":"a","new":"b"}"#
        );
    }
}
