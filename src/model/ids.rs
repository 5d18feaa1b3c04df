//! Typed identifiers: which list, which entry.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use super::ModelError;

/// Identifies one tracked list, such as `us-bis-entity-list`, `us-csl-el` or `us-ofac-sdn`.
///
/// A list id is lower-case ASCII letters, digits, `-`, `_` and `.`, starts with a letter or digit
/// and is at most 100 bytes long, so it can be typed on a command line and used in store keys.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct ListId(String);

impl ListId {
    /// Checks `raw` (after trimming) and wraps it.
    pub fn new(raw: &str) -> Result<Self, ModelError> {
        let id = raw.trim();
        let valid_char =
            |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c);
        let starts_well = id.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit());
        if id.is_empty() || id.len() > 100 || !starts_well || !id.chars().all(valid_char) {
            return Err(ModelError::InvalidListId(raw.to_string()));
        }
        Ok(ListId(id.to_string()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ListId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ListId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        ListId::new(&raw).map_err(serde::de::Error::custom)
    }
}

/// Identifies one entry within a list, stable across that list's publications
/// (the publisher's own key where it has one, such as OFAC's `ent_num`, or a derived key).
///
/// An entry id is trimmed, non-empty, at most 512 bytes and free of control characters.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct EntryId(String);

impl EntryId {
    /// Checks `raw` (after trimming) and wraps it.
    pub fn new(raw: &str) -> Result<Self, ModelError> {
        let id = raw.trim();
        if id.is_empty() {
            return Err(ModelError::EmptyEntryId);
        }
        if id.len() > 512 || id.chars().any(char::is_control) {
            return Err(ModelError::InvalidEntryId(raw.to_string()));
        }
        Ok(EntryId(id.to_string()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for EntryId {
    /// Accepts text or a whole number (OFAC's `ent_num` often arrives as one).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl serde::de::Visitor<'_> for IdVisitor {
            type Value = EntryId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an entry id: a string or a whole number")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<EntryId, E> {
                EntryId::new(text).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<EntryId, E> {
                EntryId::new(&n.to_string()).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(IdVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_ids_are_checked() {
        assert_eq!(ListId::new(" us-csl-el ").unwrap().as_str(), "us-csl-el");
        for bad in ["", "US-CSL", "-x", "a b", "a/b", &"x".repeat(101)] {
            assert!(ListId::new(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn entry_ids_may_be_whole_numbers() {
        let ids: Vec<EntryId> = serde_json::from_str(r#"[7480, " 7513 "]"#).unwrap();
        assert_eq!(ids[0].as_str(), "7480");
        assert_eq!(ids[1].as_str(), "7513");
        assert!(serde_json::from_str::<EntryId>("1.5").is_err());
    }

    #[test]
    fn entry_ids_are_trimmed_and_checked() {
        assert_eq!(EntryId::new("  7480 ").unwrap().as_str(), "7480");
        assert!(EntryId::new("   ").is_err());
        assert!(EntryId::new("a\0b").is_err());
        assert!(EntryId::new("a\nb").is_err());
    }
}
