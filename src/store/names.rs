//! Reads for finding and listing entries (issue 12), beside the views of `mod.rs`: every name an
//! entry has had, aliases included, for `history`; and the entries in force with numeric ids in
//! number order ([`id_order`](crate::model::id_order)), for `as-of`.
//!
//! No derived index is added: the aliases are read from the entries' stored versions at query
//! time. Each distinct version (by content hash) of each entry is read once, in storage order
//! (event, then line), so each content frame is decompressed once. On the store of all 308
//! versions of the SDN (14,965 entries) `history` answers in about 0.4 s in a debug build, of
//! which reading the versions' aliases is about 0.1 s (README, Performance): not worth an index
//! to keep in step with the log.

use serde::Deserialize;

use super::kv::Tree;
use super::records::{EntryRecord, Locator, Point};
use super::{StoreError, View, keys};
use crate::model::{EntryId, ListId};

/// Every name one entry has had.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryNames {
    /// The entry.
    pub id: EntryId,
    /// Every primary name it has had, in the order they were first recorded.
    pub names: Vec<String>,
    /// Every alias of any of its versions, each once, in text order.
    pub aliases: Vec<String>,
    /// The name of its latest version (as it last stood, if it was removed).
    pub latest: String,
}

/// The part of a stored entry's canonical JSON that names it.
#[derive(Deserialize)]
struct Named {
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
}

impl View<'_> {
    /// Every entry `list` has had, in id order, with every name it has had: its primary names
    /// and the aliases of all its versions.
    pub fn entry_names(&self, list: &ListId) -> Result<Vec<EntryNames>, StoreError> {
        // With `--known-at`: the records, versions and names the view sees (`known_at.rs`).
        let seen = self.records_seen(list);
        let prefix = keys::list_prefix(list);
        let mut found: Vec<EntryNames> = Vec::new();
        // (where a distinct version is stored, which entry it is of, whether it is the latest)
        let mut reads: Vec<(Locator, usize, bool)> = Vec::new();
        for pair in self
            .index
            .kv
            .range(Tree::Entries, &prefix, &keys::successor(&prefix))
        {
            let (key, value) = pair?;
            let id = keys::read_entry_id(&key, prefix.len())
                .ok_or_else(|| StoreError::Corrupt("an index key is malformed".into()))?;
            let record = EntryRecord::decode(&value)?;
            if !seen.record(&record.versions) {
                continue;
            }
            let at = found.len();
            let slots: Vec<_> = record
                .versions
                .iter()
                .filter(|v| seen.version(v))
                .filter_map(|v| v.slot)
                .collect();
            let mut distinct = std::collections::HashSet::new();
            for (i, slot) in slots.iter().enumerate() {
                let latest = i + 1 == slots.len();
                if distinct.insert(slot.hash) || latest {
                    reads.push((slot.at, at, latest));
                }
            }
            let names = seen.names(record.names);
            found.push(EntryNames {
                id,
                latest: names.last().cloned().unwrap_or_default(),
                names,
                aliases: Vec::new(),
            });
        }
        reads.sort_by_key(|(at, _, _)| *at);
        for (at, entry, latest) in reads {
            let named = self
                .index
                .with_json(at, |json| serde_json::from_slice::<Named>(json))?
                .map_err(|e| {
                    StoreError::Corrupt(format!("a stored entry does not read back: {e}"))
                })?;
            let names = &mut found[entry];
            names.aliases.extend(named.aliases);
            if latest {
                names.latest = named.name;
            }
        }
        for names in &mut found {
            names.aliases.sort();
            names.aliases.dedup();
        }
        Ok(found)
    }

    /// Calls `f` with the canonical JSON of every entry of `list` in force at the end of
    /// `date`, in [`id_order`](crate::model::id_order) (ids that are numbers first, by number; then the others, in the
    /// text order the index keeps them in), without parsing it: from the latest checkpoint at or
    /// before the end of `date` and the entries changed after it (see `checkpoints.rs`), or,
    /// with none, from every entry record.
    pub fn each_as_of_by_id<E: From<StoreError>>(
        &self,
        list: &ListId,
        date: chrono::NaiveDate,
        mut f: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let Some(date) = self.seen(list).date(date) else {
            return Ok(());
        };
        super::checkpoints::each_in_force(&self.index, list, Point::end_of(date), |_, json| f(json))
    }
}
