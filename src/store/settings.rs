//! Store settings: small named values kept in the `meta` tree, such as whether `ingest`
//! archives its inputs by default. Settings are not events: they are not part of the log, do
//! not change what any query answers, and are not carried by a replay or a rebuild (which
//! leaves `meta` alone).

use super::kv::{Kv, Tree, Writes};
use super::{Store, StoreError};

/// The meta-tree key prefix of settings.
const SETTING_PREFIX: &[u8] = b"setting.";

/// The settings listdiff knows, with what each means.
pub const SETTINGS: &[(&str, &str)] = &[(
    super::archive::ARCHIVE_SETTING,
    "on: ingest keeps each input's exact bytes in the store's archive (as --archive); off: it does not unless --archive is given",
)];

fn key(name: &str) -> Vec<u8> {
    let mut key = SETTING_PREFIX.to_vec();
    key.extend_from_slice(name.as_bytes());
    key
}

impl Store {
    /// The value of setting `name`, if it is set.
    pub fn setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .kv
            .get(Tree::Meta, &key(name))?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// Sets setting `name` to `value`, durably.
    pub fn set_setting(&self, name: &str, value: &str) -> Result<(), StoreError> {
        let mut writes = Writes::default();
        writes.put(Tree::Meta, key(name), value.as_bytes().to_vec());
        self.kv.commit(writes)?;
        self.flush()
    }

    /// Every setting that is set, by name.
    pub fn settings(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut hi = SETTING_PREFIX.to_vec();
        hi.push(u8::MAX);
        self.kv
            .range(Tree::Meta, SETTING_PREFIX, &hi)
            .map(|pair| {
                let (k, v) = pair?;
                Ok((
                    String::from_utf8_lossy(&k[SETTING_PREFIX.len()..]).into_owned(),
                    String::from_utf8_lossy(&v).into_owned(),
                ))
            })
            .collect()
    }
}
