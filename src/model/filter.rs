//! Which entries and changes an answer keeps (`--program`, `--country`, `--type`,
//! `--reason-changes`), and the order answers list entries in (numeric ids as numbers).
//!
//! Matching rules: a value given compares with an entry's values without regard to case and
//! white space at either end or repeated inside, and only whole: `--program ZIMBABWE` matches an
//! entry whose programs include `Zimbabwe`, not one with `ZIMBABWE-EO13469`. Several values of
//! one option match any of them; several options must all match. A change passes when the
//! entry before it or the entry after it passes (a removal is judged on the entry removed, an
//! addition on the entry added; a move from ZIMBABWE to GLOMAG passes either program), and,
//! with `reason_changes`, only when it is a reason change.

use std::cmp::Ordering;
use std::fmt;

use super::text::normalize;
use super::{Change, Entry, EntryId, EntryType};

/// What an answer keeps of the entries and changes it would otherwise give. The default keeps
/// everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EntryFilter {
    /// Keep entries with any of these programs (none: any programs).
    pub programs: Vec<String>,
    /// Keep entries with any of these countries (none: any countries).
    pub countries: Vec<String>,
    /// Keep entries of any of these types (none: any type, or none).
    pub types: Vec<EntryType>,
    /// Keep only changes that are reason changes.
    pub reason_changes: bool,
}

/// `value` as the filter compares it: lower case, trimmed, inner white space one space.
fn folded(value: &str) -> String {
    normalize(value).unwrap_or_default().to_lowercase()
}

/// True when `wanted` is empty or one of `values` equals one of `wanted` (folded).
fn any_of(wanted: &[String], values: &[String]) -> bool {
    wanted.is_empty()
        || values.iter().any(|value| {
            let value = folded(value);
            wanted.iter().any(|w| folded(w) == value)
        })
}

impl EntryFilter {
    /// True when the filter keeps everything.
    pub fn is_empty(&self) -> bool {
        !self.selects_entries() && !self.reason_changes
    }

    /// True when the filter looks at an entry's programs, countries or type.
    pub fn selects_entries(&self) -> bool {
        !self.programs.is_empty() || !self.countries.is_empty() || !self.types.is_empty()
    }

    /// True when `entry` has one of the programs, one of the countries and one of the types
    /// asked for (each only when asked for).
    pub fn admits_entry(&self, entry: &Entry) -> bool {
        any_of(&self.programs, &entry.programs)
            && any_of(&self.countries, &entry.countries)
            && (self.types.is_empty() || entry.entry_type.is_some_and(|t| self.types.contains(&t)))
    }

    /// True when the entry before `change` or the entry after it passes [`Self::admits_entry`]
    /// and, with `reason_changes`, the change is a reason change.
    pub fn admits_change(&self, change: &Change) -> bool {
        self.admits(
            change.before.as_ref(),
            change.after.as_ref(),
            change.reason_changed(),
        )
    }

    /// [`Self::admits_change`] of a change from `before` to `after` (absent for an addition or
    /// a removal), which is a reason change when `reason_change`.
    pub fn admits(
        &self,
        before: Option<&Entry>,
        after: Option<&Entry>,
        reason_change: bool,
    ) -> bool {
        if self.reason_changes && !reason_change {
            return false;
        }
        [before, after]
            .into_iter()
            .flatten()
            .any(|entry| self.admits_entry(entry))
    }
}

impl fmt::Display for EntryFilter {
    /// `program ZIMBABWE or GLOMAG; country Iran; type entity; reason changes only`, as given.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if !self.programs.is_empty() {
            parts.push(format!("program {}", self.programs.join(" or ")));
        }
        if !self.countries.is_empty() {
            parts.push(format!("country {}", self.countries.join(" or ")));
        }
        if !self.types.is_empty() {
            let types: Vec<&str> = self.types.iter().map(|t| t.as_str()).collect();
            parts.push(format!("type {}", types.join(" or ")));
        }
        if self.reason_changes {
            parts.push("reason changes only".to_string());
        }
        f.write_str(&parts.join("; "))
    }
}

/// The order answers list entries in: ids that are all ASCII digits first, by their number
/// (`9`, `100`, `7489`, `28564`; equal numbers such as `7` and `007` by their text), then every
/// other id by its text (`10a` before `A7`). A total order: the same on every output.
pub fn id_order(a: &EntryId, b: &EntryId) -> Ordering {
    fn number(id: &str) -> Option<&str> {
        is_numeric_id(id).then(|| id.trim_start_matches('0'))
    }
    let (a, b) = (a.as_str(), b.as_str());
    match (number(a), number(b)) {
        (Some(x), Some(y)) => (x.len(), x).cmp(&(y.len(), y)).then_with(|| a.cmp(b)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// True when `id` is all ASCII digits: [`id_order`] puts such ids first, by their number; the
/// others keep their text order.
pub fn is_numeric_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> EntryId {
        EntryId::new(text).unwrap()
    }

    #[test]
    fn numeric_ids_sort_as_numbers_then_the_others_as_text() {
        let mut ids: Vec<EntryId> = ["28564", "A7", "7489", "10a", "100", "9", "007", "7", "0"]
            .into_iter()
            .map(id)
            .collect();
        ids.sort_by(id_order);
        let sorted: Vec<&str> = ids.iter().map(EntryId::as_str).collect();
        assert_eq!(
            sorted,
            ["0", "007", "7", "9", "100", "7489", "28564", "10a", "A7"]
        );
    }

    proptest::proptest! {
        #[test]
        fn id_order_is_a_total_order(a in "[0-9a]{1,4}", b in "[0-9a]{1,4}", c in "[0-9a]{1,4}") {
            let (a, b, c) = (id(&a), id(&b), id(&c));
            proptest::prop_assert_eq!(id_order(&a, &b), id_order(&b, &a).reverse());
            proptest::prop_assert_eq!(id_order(&a, &b) == Ordering::Equal, a == b);
            if id_order(&a, &b) != Ordering::Greater && id_order(&b, &c) != Ordering::Greater {
                proptest::prop_assert_ne!(id_order(&a, &c), Ordering::Greater);
            }
        }
    }

    fn entry(programs: &[&str], countries: &[&str], kind: Option<EntryType>) -> Entry {
        let mut e = Entry::new(id("1"), "A");
        e.programs = programs.iter().map(|p| p.to_string()).collect();
        e.countries = countries.iter().map(|c| c.to_string()).collect();
        e.entry_type = kind;
        e
    }

    #[test]
    fn values_match_whole_and_without_case() {
        let filter = EntryFilter {
            programs: vec!["zimbabwe".into(), " GLOMAG ".into()],
            ..EntryFilter::default()
        };
        assert!(filter.admits_entry(&entry(&["ZIMBABWE"], &[], None)));
        assert!(filter.admits_entry(&entry(&["IRAN", "GLOMAG"], &[], None)));
        assert!(!filter.admits_entry(&entry(&["ZIMBABWE-EO13469"], &[], None)));
        assert!(!filter.admits_entry(&entry(&[], &[], None)));
        let both = EntryFilter {
            programs: vec!["IRAN".into()],
            types: vec![EntryType::Vessel],
            ..EntryFilter::default()
        };
        assert!(both.admits_entry(&entry(&["IRAN"], &[], Some(EntryType::Vessel))));
        assert!(!both.admits_entry(&entry(&["IRAN"], &[], Some(EntryType::Entity))));
        assert!(!both.admits_entry(&entry(&["IRAN"], &[], None)));
        assert!(EntryFilter::default().admits_entry(&entry(&[], &[], None)));
        assert_eq!(
            both.to_string(),
            "program IRAN; type vessel",
            "as given, for people"
        );
    }

    #[test]
    fn a_change_passes_on_either_side() {
        let list = super::super::ListId::new("l").unwrap();
        let before = entry(&["ZIMBABWE"], &[], None);
        let after = entry(&["GLOMAG"], &[], None);
        let change = Change::between(&list, Some(before.clone()), Some(after)).unwrap();
        for program in ["ZIMBABWE", "GLOMAG"] {
            let filter = EntryFilter {
                programs: vec![program.into()],
                ..EntryFilter::default()
            };
            assert!(filter.admits_change(&change), "{program}");
        }
        let removal = Change::between(&list, Some(before), None).unwrap();
        let reasons = EntryFilter {
            reason_changes: true,
            ..EntryFilter::default()
        };
        assert!(reasons.admits_change(&change));
        assert!(!reasons.admits_change(&removal));
    }
}
