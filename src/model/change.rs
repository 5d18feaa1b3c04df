//! Changes between two versions of an entry, and the rule for which changes concern the reasons.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::text::{WordSpan, word_diff};
use super::{Entry, EntryId, ListId};

/// The fields whose change makes a change a *reason change*.
pub const REASON_FIELDS: [&str; 5] = [
    "programs",
    "reason",
    "license_requirement",
    "license_policy",
    "citations",
];

/// Whether an entry appeared, disappeared or changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Not in force before, in force after.
    Added,
    /// In force before, not after.
    Removed,
    /// In force before and after, with different content; or carried to a new id when its
    /// list's key scheme changed (see [`Change::previous_id`]), with or without other
    /// differences.
    Changed,
}

impl ChangeKind {
    /// The lower-case label used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How one field of an entry differs between two versions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    /// The field name: `name`, `programs`, `reason`, … or `extra.<publisher field>`.
    pub field: String,
    /// The earlier value (`null` when absent).
    pub before: Value,
    /// The later value (`null` when absent).
    pub after: Value,
    /// For text fields present on both sides: the word-level difference.
    pub words: Vec<WordSpan>,
    /// For list fields: items only in the earlier value.
    pub removed: Vec<String>,
    /// For list fields: items only in the later value.
    pub added: Vec<String>,
}

impl FieldChange {
    /// True when the field is one of [`REASON_FIELDS`].
    pub fn is_reason(&self) -> bool {
        REASON_FIELDS.contains(&self.field.as_str())
    }
}

fn text_change(
    field: &str,
    before: &Option<String>,
    after: &Option<String>,
) -> Option<FieldChange> {
    if before == after {
        return None;
    }
    let words = match (before, after) {
        (Some(b), Some(a)) => word_diff(b, a),
        _ => Vec::new(),
    };
    Some(FieldChange {
        field: field.to_string(),
        before: before.clone().map_or(Value::Null, Value::String),
        after: after.clone().map_or(Value::Null, Value::String),
        words,
        removed: Vec::new(),
        added: Vec::new(),
    })
}

fn set_change(field: &str, before: &[String], after: &[String]) -> Option<FieldChange> {
    if before == after {
        return None;
    }
    let as_value = |items: &[String]| {
        if items.is_empty() {
            Value::Null
        } else {
            Value::Array(items.iter().cloned().map(Value::String).collect())
        }
    };
    Some(FieldChange {
        field: field.to_string(),
        before: as_value(before),
        after: as_value(after),
        words: Vec::new(),
        removed: before
            .iter()
            .filter(|i| !after.contains(i))
            .cloned()
            .collect(),
        added: after
            .iter()
            .filter(|i| !before.contains(i))
            .cloned()
            .collect(),
    })
}

fn value_change(
    field: String,
    before: Option<&Value>,
    after: Option<&Value>,
) -> Option<FieldChange> {
    if before == after {
        return None;
    }
    let words = match (before, after) {
        (Some(Value::String(b)), Some(Value::String(a))) => word_diff(b, a),
        _ => Vec::new(),
    };
    Some(FieldChange {
        field,
        before: before.cloned().unwrap_or(Value::Null),
        after: after.cloned().unwrap_or(Value::Null),
        words,
        removed: Vec::new(),
        added: Vec::new(),
    })
}

/// The fields that differ between two normalised versions of one entry, in a fixed order.
pub fn diff_entries(before: &Entry, after: &Entry) -> Vec<FieldChange> {
    let some = |s: &String| Some(s.clone());
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string());
    let kind = |e: &Entry| e.entry_type.map(|t| t.as_str().to_string());
    let mut fields: Vec<FieldChange> = [
        text_change("name", &some(&before.name), &some(&after.name)),
        text_change("type", &kind(before), &kind(after)),
        set_change("countries", &before.countries, &after.countries),
        set_change("aliases", &before.aliases, &after.aliases),
        set_change("addresses", &before.addresses, &after.addresses),
        set_change("programs", &before.programs, &after.programs),
        text_change("reason", &before.reason, &after.reason),
        text_change(
            "license_requirement",
            &before.license_requirement,
            &after.license_requirement,
        ),
        text_change(
            "license_policy",
            &before.license_policy,
            &after.license_policy,
        ),
        set_change("citations", &before.citations, &after.citations),
        text_change("listed_on", &date(before.listed_on), &date(after.listed_on)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let keys: std::collections::BTreeSet<&String> =
        before.extra.keys().chain(after.extra.keys()).collect();
    for key in keys {
        fields.extend(value_change(
            format!("extra.{key}"),
            before.extra.get(key),
            after.extra.get(key),
        ));
    }
    fields
}

/// One entry's difference between two states of a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// The list the entry belongs to.
    pub list: ListId,
    /// The entry (for an entry carried to a new id, its new id).
    pub id: EntryId,
    /// For an entry carried to a new id when its list's key scheme changed (a change of kind
    /// `Changed`, see [`super::carry`]): the id it had before. `None` for every other change.
    pub previous_id: Option<EntryId>,
    /// The date of the last publication in the compared window that changed this entry, when known.
    pub published: Option<NaiveDate>,
    /// The event that recorded that publication, when known.
    pub event: Option<u64>,
    /// The entry before (absent for an addition).
    pub before: Option<Entry>,
    /// The entry after (absent for a removal).
    pub after: Option<Entry>,
    /// For a changed entry, the fields that differ.
    pub fields: Vec<FieldChange>,
}

impl Change {
    /// The change from `before` to `after`, or `None` when they are the same.
    pub fn between(list: &ListId, before: Option<Entry>, after: Option<Entry>) -> Option<Change> {
        let (kind, fields) = match (&before, &after) {
            (None, None) => return None,
            (None, Some(_)) => (ChangeKind::Added, Vec::new()),
            (Some(_), None) => (ChangeKind::Removed, Vec::new()),
            (Some(b), Some(a)) => {
                let fields = diff_entries(b, a);
                if fields.is_empty() {
                    return None;
                }
                (ChangeKind::Changed, fields)
            }
        };
        let id = after.as_ref().or(before.as_ref()).map(|e| e.id.clone())?;
        Some(Change {
            kind,
            list: list.clone(),
            id,
            previous_id: None,
            published: None,
            event: None,
            before,
            after,
            fields,
        })
    }

    /// The entry as it stands after the change, or as it last stood for a removal.
    pub fn entry(&self) -> &Entry {
        self.after
            .as_ref()
            .or(self.before.as_ref())
            .expect("a change always has an entry on one side")
    }

    /// The entry's name (after the change, or before a removal).
    pub fn name(&self) -> &str {
        &self.entry().name
    }

    /// True when the entry was carried to a new id (see [`Change::previous_id`]).
    pub fn changed_id(&self) -> bool {
        self.previous_id.is_some()
    }

    /// True when any of [`REASON_FIELDS`] changed.
    pub fn reason_changed(&self) -> bool {
        self.fields.iter().any(FieldChange::is_reason)
    }
}

/// The state of one list: every entry in force, by id.
pub type ListState = BTreeMap<EntryId, Entry>;

/// The changes that turn state `a` into state `b`, ordered by entry id.
pub fn diff_states(list: &ListId, a: &ListState, b: &ListState) -> Vec<Change> {
    let mut changes = Vec::new();
    let ids: std::collections::BTreeSet<&EntryId> = a.keys().chain(b.keys()).collect();
    for id in ids {
        changes.extend(Change::between(
            list,
            a.get(id).cloned(),
            b.get(id).cloned(),
        ));
    }
    changes
}

/// A column of a file whose columns the user chose (the plain CSV): its header, and the entry
/// field its values fill (`name`, `countries`, …, or `extra.<header>`), named as a
/// [`FieldChange`] names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// The header, as the file writes it (trimmed).
    pub header: String,
    /// The field its values fill.
    pub field: String,
}

/// The columns of one list's file that were added or removed between two files: reported
/// once, and kept out of the rows' changes (a new column is not a change of every row).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnChange {
    /// The list.
    pub list: Option<ListId>,
    /// Headers of the columns only the later file has, in its order.
    pub added: Vec<String>,
    /// Headers of the columns only the earlier file has, in its order.
    pub removed: Vec<String>,
    /// The fields those columns fill: their values are left out of the rows' changes.
    pub fields: Vec<String>,
}

impl ColumnChange {
    /// The columns of `list` added and removed from `before` to `after`. A column is the same
    /// column when it fills the same field (a column mapped to `name` whose header changed
    /// case is no column change; an `extra` column is told by its exact header).
    pub fn between(list: &ListId, before: &[Column], after: &[Column]) -> ColumnChange {
        let fills = |columns: &[Column], field: &str| columns.iter().any(|c| c.field == field);
        let mut change = ColumnChange {
            list: Some(list.clone()),
            ..ColumnChange::default()
        };
        for column in after.iter().filter(|c| !fills(before, &c.field)) {
            change.added.push(column.header.clone());
            change.fields.push(column.field.clone());
        }
        for column in before.iter().filter(|c| !fills(after, &c.field)) {
            change.removed.push(column.header.clone());
            change.fields.push(column.field.clone());
        }
        change
    }

    /// True when no column was added or removed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }

    /// Takes the columns' fields out of the changes of its list; a changed entry left with no
    /// field is no change.
    pub fn exclude_from(&self, changes: &mut Vec<Change>) {
        if self.fields.is_empty() {
            return;
        }
        changes.retain_mut(|change| {
            if self.list.as_ref().is_some_and(|l| *l != change.list)
                || change.kind != ChangeKind::Changed
            {
                return true;
            }
            change.fields.retain(|f| !self.fields.contains(&f.field));
            !change.fields.is_empty()
        });
    }
}

/// Applies changes to a state: additions and changes put their `after`, removals take the entry
/// out, and a change of id (`previous_id`) takes the entry out under its previous id first.
pub fn apply_changes(state: &mut ListState, changes: &[Change]) {
    for change in changes {
        if let Some(previous) = &change.previous_id {
            state.remove(previous);
        }
        match &change.after {
            Some(after) => {
                state.insert(change.id.clone(), after.clone());
            }
            None => {
                state.remove(&change.id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, name: &str) -> Entry {
        Entry::new(EntryId::new(id).unwrap(), name)
    }

    fn list() -> ListId {
        ListId::new("test").unwrap()
    }

    #[test]
    fn a_licence_policy_change_is_a_reason_change_with_word_diff() {
        let mut before = entry("1", "Acme");
        before.license_policy = Some("Case-by-case review.".into());
        let mut after = before.clone();
        after.license_policy = Some("Presumption of denial.".into());
        let change = Change::between(&list(), Some(before), Some(after)).unwrap();
        assert_eq!(change.kind, ChangeKind::Changed);
        assert!(change.reason_changed());
        assert_eq!(change.fields.len(), 1);
        assert_eq!(change.fields[0].field, "license_policy");
        assert!(!change.fields[0].words.is_empty());
    }

    #[test]
    fn a_name_change_alone_is_not_a_reason_change() {
        let change = Change::between(
            &list(),
            Some(entry("1", "Acme")),
            Some(entry("1", "Acme Ltd")),
        )
        .unwrap();
        assert!(!change.reason_changed());
        assert_eq!(change.fields[0].field, "name");
    }

    #[test]
    fn set_fields_report_items_removed_and_added() {
        let mut before = entry("1", "A");
        before.programs = vec!["UKRAINE-EO13661".into()];
        let mut after = before.clone();
        after.programs = vec!["RUSSIA-EO14024".into(), "UKRAINE-EO13661".into()];
        let change = Change::between(&list(), Some(before), Some(after)).unwrap();
        assert_eq!(change.fields[0].added, vec!["RUSSIA-EO14024"]);
        assert!(change.fields[0].removed.is_empty());
        assert!(change.reason_changed());
    }

    #[test]
    fn extra_fields_are_compared_by_key() {
        let mut before = entry("1", "A");
        before.extra.insert("title".into(), "Minister".into());
        let after = entry("1", "A");
        let change = Change::between(&list(), Some(before), Some(after)).unwrap();
        assert_eq!(change.fields[0].field, "extra.title");
        assert_eq!(change.fields[0].after, Value::Null);
    }

    #[test]
    fn a_column_added_or_removed_is_left_out_of_the_rows() {
        let column = |header: &str, field: &str| Column {
            header: header.into(),
            field: field.into(),
        };
        let before = [
            column("Id", "extra.Id"),
            column("Entity", "name"),
            column("Remarks", "extra.Remarks"),
        ];
        let after = [
            column("Id", "extra.Id"),
            column("ENTITY", "name"),
            column("Notes", "extra.Notes"),
            column("Type", "type"),
        ];
        let change = ColumnChange::between(&list(), &before, &after);
        assert_eq!(change.added, ["Notes", "Type"]);
        assert_eq!(change.removed, ["Remarks"]);
        assert_eq!(change.fields, ["extra.Notes", "type", "extra.Remarks"]);
        assert!(ColumnChange::between(&list(), &before, &before).is_empty());

        let mut a = entry("1", "A");
        a.extra.insert("Remarks".into(), "old".into());
        let mut b = entry("1", "A");
        b.extra.insert("Notes".into(), "new".into());
        b.entry_type = Some(crate::model::EntryType::Entity);
        let mut c = b.clone();
        c.name = "A Ltd".into();
        let mut changes = vec![
            Change::between(&list(), Some(a.clone()), Some(b)).unwrap(),
            Change::between(&list(), Some(a.clone()), Some(c)).unwrap(),
            Change::between(&list(), None, Some(a)).unwrap(),
        ];
        change.exclude_from(&mut changes);
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].fields.len(), 1);
        assert_eq!(changes[0].fields[0].field, "name");
        assert_eq!(changes[1].kind, ChangeKind::Added);
    }

    #[test]
    fn equal_entries_make_no_change() {
        assert!(Change::between(&list(), Some(entry("1", "A")), Some(entry("1", "A"))).is_none());
    }

    #[test]
    fn diff_then_apply_reaches_the_later_state() {
        let a: ListState = [entry("1", "A"), entry("2", "B")]
            .into_iter()
            .map(|e| (e.id.clone(), e))
            .collect();
        let b: ListState = [entry("2", "B2"), entry("3", "C")]
            .into_iter()
            .map(|e| (e.id.clone(), e))
            .collect();
        let changes = diff_states(&list(), &a, &b);
        let kinds: Vec<ChangeKind> = changes.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [ChangeKind::Removed, ChangeKind::Changed, ChangeKind::Added]
        );
        let mut state = a.clone();
        apply_changes(&mut state, &changes);
        assert_eq!(state, b);
    }
}
