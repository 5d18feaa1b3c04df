//! The publisher fields of an entry that the common shape has no place for, held compactly.
//!
//! A list of a hundred thousand entries, each with a few dozen publisher values, would cost
//! several kilobytes per entry as a tree of `serde_json::Value`s. So `Extra` is a map while a
//! parser builds it, and one compact JSON text once the entry is normalised (or [`Extra::freeze`]
//! is called): the canonical form the store keeps anyway. Reads decode it on demand and keep
//! the decoded map; changes turn it back into a map.

use std::collections::BTreeMap;
use std::collections::btree_map;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

/// The map from a publisher's field name to its value.
pub type ExtraMap = BTreeMap<String, Value>;

/// An entry's publisher fields: a map being built, or its compact JSON.
#[derive(Clone, Debug)]
pub struct Extra(State);

#[derive(Clone, Debug)]
enum State {
    /// Being built or changed.
    Map(ExtraMap),
    /// The map as one compact JSON object (keys sorted), decoded on demand.
    Json {
        /// The JSON text.
        raw: Box<RawValue>,
        /// True when the values are normalised (the text is then canonical).
        normalized: bool,
        /// The decoded map, once something read it.
        decoded: OnceLock<ExtraMap>,
    },
}

impl Default for Extra {
    fn default() -> Extra {
        Extra(State::Map(ExtraMap::new()))
    }
}

fn decode(raw: &RawValue) -> ExtraMap {
    // The text was written from a map by serde_json: it always reads back.
    serde_json::from_str(raw.get()).unwrap_or_default()
}

fn encode(map: &ExtraMap) -> Box<RawValue> {
    let text = serde_json::to_string(map).unwrap_or_else(|_| "{}".to_string());
    RawValue::from_string(text).unwrap_or_else(|_| empty_raw())
}

fn empty_raw() -> Box<RawValue> {
    RawValue::from_string("{}".to_string()).expect("{} is JSON")
}

impl Extra {
    /// An empty map.
    pub fn new() -> Extra {
        Extra::default()
    }

    /// The map, decoding the JSON the first time.
    pub fn map(&self) -> &ExtraMap {
        match &self.0 {
            State::Map(map) => map,
            State::Json { raw, decoded, .. } => decoded.get_or_init(|| decode(raw)),
        }
    }

    /// The map, to change: the JSON form is given up.
    pub fn map_mut(&mut self) -> &mut ExtraMap {
        if let State::Json { raw, decoded, .. } = &mut self.0 {
            let map = decoded.take().unwrap_or_else(|| decode(raw));
            self.0 = State::Map(map);
        }
        match &mut self.0 {
            State::Map(map) => map,
            State::Json { .. } => unreachable!("turned into a map above"),
        }
    }

    /// Takes the map out, leaving an empty one.
    pub fn into_map(self) -> ExtraMap {
        match self.0 {
            State::Map(map) => map,
            State::Json {
                raw, mut decoded, ..
            } => decoded.take().unwrap_or_else(|| decode(&raw)),
        }
    }

    /// Holds the map as compact JSON from now on (values as they are, not yet normalised).
    pub fn freeze(&mut self) {
        if let State::Map(map) = &self.0 {
            self.0 = State::Json {
                raw: encode(map),
                normalized: false,
                decoded: OnceLock::new(),
            };
        }
    }

    /// The normalised form of `map` (see [`super::normalize_value`]), held as canonical JSON.
    pub(crate) fn normalized(self) -> Extra {
        if let State::Json {
            normalized: true, ..
        } = &self.0
        {
            return self;
        }
        let map: ExtraMap = self
            .into_map()
            .into_iter()
            .filter_map(|(key, value)| {
                let key = super::text::normalize_owned(key)?;
                super::normalize_value(value).map(|v| (key, v))
            })
            .collect();
        Extra(State::Json {
            raw: encode(&map),
            normalized: true,
            decoded: OnceLock::new(),
        })
    }

    /// The map as compact JSON with sorted keys: borrowed when held so.
    pub fn json_text(&self) -> std::borrow::Cow<'_, str> {
        match &self.0 {
            State::Json { raw, .. } => std::borrow::Cow::Borrowed(raw.get()),
            State::Map(map) => std::borrow::Cow::Owned(
                serde_json::to_string(map).unwrap_or_else(|_| "{}".to_string()),
            ),
        }
    }

    /// True when there are no publisher fields.
    pub fn is_empty(&self) -> bool {
        match &self.0 {
            State::Map(map) => map.is_empty(),
            State::Json { raw, .. } => raw.get() == "{}",
        }
    }

    /// How many publisher fields there are.
    pub fn len(&self) -> usize {
        self.map().len()
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.map().get(key)
    }

    /// A copy of the text value of `key`, read without decoding (or keeping) the whole map:
    /// for a question asked of every entry of a large list.
    pub fn text_of(&self, key: &str) -> Option<String> {
        match &self.0 {
            State::Map(map) => map.get(key).and_then(Value::as_str).map(str::to_string),
            State::Json { raw, decoded, .. } => {
                if let Some(map) = decoded.get() {
                    return map.get(key).and_then(Value::as_str).map(str::to_string);
                }
                if !raw.get().contains(key) {
                    return None;
                }
                let fields: BTreeMap<&str, &RawValue> = serde_json::from_str(raw.get()).ok()?;
                serde_json::from_str::<String>(fields.get(key)?.get()).ok()
            }
        }
    }

    /// The value of `key`, to change.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.map_mut().get_mut(key)
    }

    /// True when `key` has a value.
    pub fn contains_key(&self, key: &str) -> bool {
        self.map().contains_key(key)
    }

    /// Sets `key`; returns the value it had.
    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        self.map_mut().insert(key, value)
    }

    /// Removes `key`; returns its value.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.map_mut().remove(key)
    }

    /// The map's entry for `key`.
    pub fn entry(&mut self, key: String) -> btree_map::Entry<'_, String, Value> {
        self.map_mut().entry(key)
    }

    /// The field names, in order.
    pub fn keys(&self) -> btree_map::Keys<'_, String, Value> {
        self.map().keys()
    }

    /// The fields, in name order.
    pub fn iter(&self) -> btree_map::Iter<'_, String, Value> {
        self.map().iter()
    }
}

impl PartialEq for Extra {
    fn eq(&self, other: &Extra) -> bool {
        match (&self.0, &other.0) {
            (
                State::Json {
                    raw: a,
                    normalized: true,
                    ..
                },
                State::Json {
                    raw: b,
                    normalized: true,
                    ..
                },
            ) => a.get() == b.get(),
            _ => self.map() == other.map(),
        }
    }
}

impl Eq for Extra {}

impl From<ExtraMap> for Extra {
    fn from(map: ExtraMap) -> Extra {
        Extra(State::Map(map))
    }
}

impl FromIterator<(String, Value)> for Extra {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Extra {
        Extra(State::Map(iter.into_iter().collect()))
    }
}

impl Extend<(String, Value)> for Extra {
    fn extend<I: IntoIterator<Item = (String, Value)>>(&mut self, iter: I) {
        self.map_mut().extend(iter);
    }
}

impl IntoIterator for Extra {
    type Item = (String, Value);
    type IntoIter = btree_map::IntoIter<String, Value>;
    fn into_iter(self) -> Self::IntoIter {
        self.into_map().into_iter()
    }
}

impl<'a> IntoIterator for &'a Extra {
    type Item = (&'a String, &'a Value);
    type IntoIter = btree_map::Iter<'a, String, Value>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl std::ops::Index<&str> for Extra {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        self.get(key)
            .unwrap_or_else(|| panic!("no extra field {key:?}"))
    }
}

impl Serialize for Extra {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            State::Map(map) => map.serialize(serializer),
            State::Json { raw, .. } => raw.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Extra, D::Error> {
        ExtraMap::deserialize(deserializer).map(Extra::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn frozen_and_built_maps_read_and_compare_alike() {
        let mut built = Extra::new();
        built.insert("b".into(), json!([1, {"y": "z"}]));
        built.insert("a".into(), json!("x"));
        let mut frozen = built.clone();
        frozen.freeze();
        assert_eq!(frozen, built);
        assert_eq!(frozen["a"], json!("x"));
        assert_eq!(frozen.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(frozen.json_text(), r#"{"a":"x","b":[1,{"y":"z"}]}"#);
        assert_eq!(
            serde_json::to_string(&frozen).unwrap(),
            serde_json::to_string(&built).unwrap()
        );
        // A change turns it back into a map.
        frozen.insert("c".into(), json!(true));
        assert_eq!(frozen.len(), 3);
        assert_ne!(frozen, built);
    }

    #[test]
    fn normalised_extras_are_canonical_json() {
        let mut a = Extra::new();
        a.insert(" note ".into(), json!("  x  "));
        a.insert("empty".into(), json!(""));
        a.insert("list".into(), json!(["", " y "]));
        let a = a.normalized();
        assert_eq!(a.json_text(), r#"{"list":["y"],"note":"x"}"#);
        let mut b = Extra::new();
        b.insert("note".into(), json!("x"));
        b.insert("list".into(), json!(["y"]));
        b.freeze();
        assert_eq!(a, b.normalized());
        assert!(Extra::new().normalized().is_empty());
    }
}
