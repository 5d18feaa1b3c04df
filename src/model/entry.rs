//! One entry of a list (a listed company, person, vessel or aircraft) and its normal form.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::text::{normalize_owned, normalize_set_owned};
use super::{EntryId, Extra, ModelError};

/// What kind of party an entry lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryType {
    /// A company, organisation, government body or other legal person.
    Entity,
    /// A natural person.
    Individual,
    /// A ship.
    Vessel,
    /// An aircraft.
    Aircraft,
}

impl EntryType {
    /// Reads a publisher's type label (`Entity`, `individual`, …); `None` for anything else.
    pub fn parse(label: &str) -> Option<EntryType> {
        match label.trim().to_ascii_lowercase().as_str() {
            "entity" => Some(EntryType::Entity),
            "individual" => Some(EntryType::Individual),
            "vessel" => Some(EntryType::Vessel),
            "aircraft" => Some(EntryType::Aircraft),
            _ => None,
        }
    }

    /// The lower-case label used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryType::Entity => "entity",
            EntryType::Individual => "individual",
            EntryType::Vessel => "vessel",
            EntryType::Aircraft => "aircraft",
        }
    }
}

impl<'de> Deserialize<'de> for EntryType {
    /// Accepts the labels in any case (`entity`, `Entity`, `ENTITY`).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let label = String::deserialize(deserializer)?;
        EntryType::parse(&label).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown type {label:?}: expected entity, individual, vessel or aircraft"
            ))
        })
    }
}

impl fmt::Display for EntryType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One listed party as a list states it at one point in time.
///
/// Every format maps its records to this common shape. After [`Entry::normalize`] text fields are
/// trimmed with white space collapsed (empty means absent), list fields are sorted sets, and
/// `extra` holds every publisher field the common shape has no place for. Two normalised entries
/// are the same version exactly when they are equal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The entry's key within its list.
    pub id: EntryId,
    /// The primary name.
    pub name: String,
    /// Entity, individual, vessel or aircraft, when the list says.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub entry_type: Option<EntryType>,
    /// Countries the entry is listed under or located in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    /// Other names (a.k.a., f.k.a., transliterations).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Addresses, each flattened to one line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
    /// Sanctions programs or regimes (OFAC program tags, UN regimes, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub programs: Vec<String>,
    /// Free-text reason or remarks for the listing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Licence requirement (BIS Entity List column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_requirement: Option<String>,
    /// Licence review policy (BIS Entity List column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_policy: Option<String>,
    /// Legal citations, such as Federal Register notices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<String>,
    /// The date the entry was first listed, when the list states it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "optional_date"
    )]
    pub listed_on: Option<NaiveDate>,
    /// Every other field the publisher gives, by the publisher's field name.
    #[serde(default, skip_serializing_if = "Extra::is_empty")]
    pub extra: Extra,
}

/// The SHA-256 of an entry's canonical JSON: equal hashes mean equal normalised entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntryHash(pub [u8; 32]);

impl Entry {
    /// An entry with only an id and a name; the other fields are empty.
    pub fn new(id: EntryId, name: impl Into<String>) -> Entry {
        Entry {
            id,
            name: name.into(),
            entry_type: None,
            countries: Vec::new(),
            aliases: Vec::new(),
            addresses: Vec::new(),
            programs: Vec::new(),
            reason: None,
            license_requirement: None,
            license_policy: None,
            citations: Vec::new(),
            listed_on: None,
            extra: Extra::new(),
        }
    }

    /// Brings the entry to its normal form; fails when the name is empty.
    pub fn normalize(self) -> Result<Entry, ModelError> {
        let Some(name) = normalize_owned(self.name) else {
            return Err(ModelError::EmptyName(self.id));
        };
        let opt = |value: Option<String>| value.and_then(normalize_owned);
        let extra = self.extra.normalized();
        Ok(Entry {
            id: self.id,
            name,
            entry_type: self.entry_type,
            countries: normalize_set_owned(self.countries),
            aliases: normalize_set_owned(self.aliases),
            addresses: normalize_set_owned(self.addresses),
            programs: normalize_set_owned(self.programs),
            reason: opt(self.reason),
            license_requirement: opt(self.license_requirement),
            license_policy: opt(self.license_policy),
            citations: normalize_set_owned(self.citations),
            listed_on: self.listed_on,
            extra,
        })
    }

    /// The canonical JSON of the entry (compact, fields in a fixed order, `extra` keys sorted).
    pub fn canonical_json(&self) -> Vec<u8> {
        // Entries are usually well under 1 KiB: one allocation instead of a growing vector's.
        let mut json = Vec::with_capacity(1024);
        serde_json::to_writer(&mut json, self).expect("an entry always serialises");
        json
    }

    /// The SHA-256 of the entry's canonical encoding: every field in a fixed order, each value
    /// tagged and length-prefixed, `extra` as its canonical JSON. Equal hashes mean equal
    /// normalised entries; computing it costs a fraction of writing the entry's JSON.
    pub fn content_hash(&self) -> EntryHash {
        fn text(h: &mut Sha256, tag: u8, value: Option<&str>) {
            match value {
                None => h.update([tag, 0]),
                Some(v) => {
                    h.update([tag, 1]);
                    h.update((v.len() as u64).to_le_bytes());
                    h.update(v.as_bytes());
                }
            }
        }
        fn list(h: &mut Sha256, tag: u8, items: &[String]) {
            h.update([tag]);
            h.update((items.len() as u64).to_le_bytes());
            for item in items {
                h.update((item.len() as u64).to_le_bytes());
                h.update(item.as_bytes());
            }
        }
        let mut h = Sha256::new();
        text(&mut h, b'i', Some(self.id.as_str()));
        text(&mut h, b'n', Some(&self.name));
        text(&mut h, b't', self.entry_type.map(EntryType::as_str));
        list(&mut h, b'c', &self.countries);
        list(&mut h, b'a', &self.aliases);
        list(&mut h, b'd', &self.addresses);
        list(&mut h, b'p', &self.programs);
        text(&mut h, b'r', self.reason.as_deref());
        text(&mut h, b'q', self.license_requirement.as_deref());
        text(&mut h, b'l', self.license_policy.as_deref());
        list(&mut h, b'f', &self.citations);
        text(
            &mut h,
            b'o',
            self.listed_on.map(|d| d.to_string()).as_deref(),
        );
        if self.extra.is_empty() {
            text(&mut h, b'x', None);
        } else {
            text(&mut h, b'x', Some(&self.extra.json_text()));
        }
        EntryHash(h.finalize().into())
    }
}

/// Deserialises an optional `YYYY-MM-DD` date with a message that shows the bad text.
pub fn optional_date<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<NaiveDate>, D::Error> {
    let raw: Option<String> = Option::deserialize(deserializer)?;
    raw.map(|text| {
        super::text::parse_date(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("{text:?} is not a date: expected YYYY-MM-DD"))
        })
    })
    .transpose()
}

/// Normalises a value kept in `extra`: strings as text fields, empty strings, arrays, objects
/// and nulls removed, numbers in their canonical text (`number.rs`), recursively. Array order is kept: its meaning is the publisher's.
pub fn normalize_value(value: Value) -> Option<Value> {
    match value {
        Value::Null => None,
        Value::String(s) => normalize_owned(s).map(Value::String),
        Value::Array(items) => {
            let items: Vec<Value> = items.into_iter().filter_map(normalize_value).collect();
            (!items.is_empty()).then_some(Value::Array(items))
        }
        Value::Object(map) => {
            let map: serde_json::Map<String, Value> = map
                .into_iter()
                .filter_map(|(k, v)| normalize_value(v).map(|v| (k, v)))
                .collect();
            (!map.is_empty()).then_some(Value::Object(map))
        }
        Value::Number(number) => Some(Value::Number(super::number::canonical(number))),
        other => Some(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn id(s: &str) -> EntryId {
        EntryId::new(s).unwrap()
    }

    #[test]
    fn whitespace_and_order_do_not_change_the_normal_form() {
        let mut a = Entry::new(id("1"), "  Acme   Corp ");
        a.aliases = vec!["B".into(), "A".into()];
        a.reason = Some("For  all items\nsubject to the EAR.".into());
        a.extra.insert("note".into(), json!("  x  "));
        let mut b = Entry::new(id("1"), "Acme Corp");
        b.aliases = vec!["A".into(), " B ".into(), "A".into()];
        b.reason = Some("For all items subject to the EAR.".into());
        b.extra.insert("note".into(), json!("x"));
        b.extra.insert("empty".into(), json!(""));
        let (a, b) = (a.normalize().unwrap(), b.normalize().unwrap());
        assert_eq!(a, b);
        assert_eq!(a.content_hash(), b.content_hash());
    }

    #[test]
    fn the_hash_tells_fields_apart() {
        let mut a = Entry::new(id("1"), "X");
        a.aliases = vec!["ab".into()];
        let mut b = Entry::new(id("1"), "X");
        b.aliases = vec!["a".into(), "b".into()];
        let mut c = Entry::new(id("1"), "X");
        c.addresses = vec!["ab".into()];
        let mut d = Entry::new(id("1"), "X");
        d.extra.insert("k".into(), json!("v"));
        let hashes = [&a, &b, &c, &d, &Entry::new(id("1"), "X")].map(|e| e.content_hash());
        for (i, x) in hashes.iter().enumerate() {
            for y in &hashes[i + 1..] {
                assert_ne!(x, y);
            }
        }
        assert_eq!(a.content_hash(), a.clone().content_hash());
    }

    #[test]
    fn empty_text_is_absent() {
        let mut e = Entry::new(id("1"), "X");
        e.reason = Some("   ".into());
        e.license_policy = Some(String::new());
        let e = e.normalize().unwrap();
        assert_eq!(e.reason, None);
        assert_eq!(e.license_policy, None);
        assert_eq!(
            String::from_utf8(e.canonical_json()).unwrap(),
            r#"{"id":"1","name":"X"}"#
        );
    }

    #[test]
    fn a_blank_name_is_refused() {
        assert!(matches!(
            Entry::new(id("9"), " \t").normalize(),
            Err(ModelError::EmptyName(_))
        ));
    }

    #[test]
    fn nested_extra_values_are_normalised() {
        let v = normalize_value(json!({"a": [" x ", null, ""], "b": {}, "c": 3})).unwrap();
        assert_eq!(v, json!({"a": ["x"], "c": 3}));
    }

    #[test]
    fn entry_types_parse_case_insensitively() {
        assert_eq!(EntryType::parse("Individual"), Some(EntryType::Individual));
        assert_eq!(EntryType::parse("-0-"), None);
    }
}
