//! Store settings: small named values kept in the `meta` tree, such as whether `ingest`
//! archives its inputs by default. Settings are not events: they are not part of the log, do
//! not change what any query answers, and are not carried by a replay or a rebuild (which
//! leaves `meta` alone).

use super::keys::{self, meta};
use super::kv::{Kv, Tree, Writes};
use super::{Store, StoreError};

/// The settings listdiff knows, with what each means.
pub const SETTINGS: &[(&str, &str)] = &[(
    super::archive::ARCHIVE_SETTING,
    "on: ingest keeps each input's exact bytes in the store's archive (as --archive); off: it does not unless --archive is given",
)];

impl Store {
    /// The value of setting `name`, if it is set.
    pub fn setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .kv
            .get(Tree::Meta, &meta::setting(name))?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// Sets setting `name` to `value`, durably.
    pub fn set_setting(&self, name: &str, value: &str) -> Result<(), StoreError> {
        let mut writes = Writes::default();
        writes.put(Tree::Meta, meta::setting(name), value);
        self.kv.commit(writes)?;
        self.flush()
    }

    /// Every setting that is set, by name.
    pub fn settings(&self) -> Result<Vec<(String, String)>, StoreError> {
        let prefix = meta::SETTING_PREFIX;
        self.kv
            .range(Tree::Meta, prefix, &keys::successor(prefix))
            .map(|pair| {
                let (k, v) = pair?;
                Ok((
                    String::from_utf8_lossy(&k[prefix.len()..]).into_owned(),
                    String::from_utf8_lossy(&v).into_owned(),
                ))
            })
            .collect()
    }
}
