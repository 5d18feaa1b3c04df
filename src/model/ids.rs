//! Typed identifiers: which list, which entry.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use unicode_normalization::UnicodeNormalization;

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
/// [`EntryId::new`] keeps the text otherwise exactly (ids read back from a store are what was
/// recorded); ids read from publications are then brought to their clean form
/// ([`EntryId::cleaned`]), so that an id that looks the same is the same id.
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

    /// The id a publication means when it writes this one: in Unicode normal form C and
    /// without format characters (general category Cf: a byte-order mark U+FEFF, zero-width
    /// spaces and joiners U+200B–U+200D, the word joiner U+2060, the soft hyphen U+00AD, bidi
    /// marks, …), which show nothing or the same as another text. `None` when the id is clean
    /// already; otherwise the clean id (an error when nothing is left of it) and what changed.
    pub fn cleaned(&self) -> Option<Result<(EntryId, IdCleaning), ModelError>> {
        let is_clean = !self.0.chars().any(is_format_char)
            && unicode_normalization::is_nfc_quick(self.0.chars())
                == unicode_normalization::IsNormalized::Yes;
        if is_clean {
            return None;
        }
        let removed: Vec<char> = self.0.chars().filter(|c| is_format_char(*c)).collect();
        let kept: String = self.0.chars().filter(|c| !is_format_char(*c)).collect();
        let normal: String = kept.nfc().collect();
        if removed.is_empty() && normal == self.0 {
            return None;
        }
        let recomposed = normal != kept;
        Some(EntryId::new(&normal).map(|id| {
            (
                id,
                IdCleaning {
                    removed,
                    recomposed,
                },
            )
        }))
    }
}

/// `text` as an id means it ([`EntryId::cleaned`]): in Unicode normal form C, without format
/// characters. For matching what a user types (a pasted id may carry a zero-width space) against
/// stored ids, which are clean.
pub fn clean_id_text(text: &str) -> String {
    text.chars()
        .filter(|c| !is_format_char(*c))
        .collect::<String>()
        .nfc()
        .collect()
}

/// What [`EntryId::cleaned`] changed in an id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdCleaning {
    /// The format characters taken out, in order.
    pub removed: Vec<char>,
    /// Whether characters were composed into normal form C (`e` + U+0301 → `é`).
    pub recomposed: bool,
}

impl fmt::Display for IdCleaning {
    /// `U+FEFF, U+200B removed; composed to Unicode normal form C`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut named: Vec<String> = Vec::new();
        for c in &self.removed {
            let name = format!("U+{:04X}", u32::from(*c));
            if !named.contains(&name) {
                named.push(name);
            }
        }
        let mut parts = Vec::new();
        if !named.is_empty() {
            parts.push(format!(
                "the invisible format character{} {} removed",
                if named.len() == 1 { "" } else { "s" },
                named.join(", ")
            ));
        }
        if self.recomposed {
            parts.push("composed to Unicode normal form C".to_string());
        }
        f.write_str(&parts.join("; "))
    }
}

/// True for the characters of Unicode general category Cf (format characters, Unicode 15):
/// they change how text around them is shown or joined, and show nothing themselves.
pub fn is_format_char(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{600}'..='\u{605}'
            | '\u{61c}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{890}'..='\u{891}'
            | '\u{8e2}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0001}'
            | '\u{e0020}'..='\u{e007f}'
    )
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
    fn ids_are_cleaned_of_format_characters_and_composed() {
        let id = |s: &str| EntryId::new(s).unwrap();
        assert!(id("7480").cleaned().is_none());
        assert!(id("Société").cleaned().is_none());
        let (clean, what) = id("\u{feff}74\u{200b}80\u{ad}").cleaned().unwrap().unwrap();
        assert_eq!(clean.as_str(), "7480");
        assert_eq!(what.removed, vec!['\u{feff}', '\u{200b}', '\u{ad}']);
        assert_eq!(
            what.to_string(),
            "the invisible format characters U+FEFF, U+200B, U+00AD removed"
        );
        let (clean, what) = id("Soci\u{65}\u{301}t\u{e9}").cleaned().unwrap().unwrap();
        assert_eq!(clean.as_str(), "Soci\u{e9}t\u{e9}");
        assert_eq!(what.to_string(), "composed to Unicode normal form C");
        assert!(matches!(
            id("\u{200d}\u{2060}").cleaned(),
            Some(Err(ModelError::EmptyEntryId))
        ));
        for c in [
            '\u{200c}',
            '\u{200d}',
            '\u{2060}',
            '\u{feff}',
            '\u{ad}',
            '\u{202e}',
            '\u{e0041}',
        ] {
            assert!(is_format_char(c), "{c:?}");
        }
        for c in ['a', ' ', '\u{e9}', '\u{301}', '\u{2028}'] {
            assert!(!is_format_char(c), "{c:?}");
        }
    }

    #[test]
    fn entry_ids_are_trimmed_and_checked() {
        assert_eq!(EntryId::new("  7480 ").unwrap().as_str(), "7480");
        assert!(EntryId::new("   ").is_err());
        assert!(EntryId::new("a\0b").is_err());
        assert!(EntryId::new("a\nb").is_err());
    }
}
