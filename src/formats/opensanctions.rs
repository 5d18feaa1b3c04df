//! OpenSanctions FollowTheMoney (FtM) entities (`entities.ftm.json`) and deltas
//! (`entities.delta.json`), both JSON lines.
//!
//! - `ftm-json`: one entity per line (`id`, `caption`, `schema`, `properties` (each a list of
//!   strings), `referents`, `datasets`, `first_seen`, `last_seen`, `last_change`, `target`): a
//!   snapshot.
//! - `ftm-delta`: one operation per line, `{"op": "ADD"|"MOD"|"DEL", "entity": {...}}`: an
//!   amendment (ADD → add, MOD → amend, DEL → remove by id; a DEL's entity is only `{"id"}`).
//!
//! Every FtM entity is one entry, whatever its schema (`Person`, `Organization`, but also
//! `Sanction`, `Address`, …), so that a snapshot and the deltas after it describe the same
//! entries: a delta changes entities one by one and cannot be folded into the entity a
//! `Sanction` points at. The key is the entity `id`.
//!
//! Volatile timestamps are left out: `last_seen` changes on every export, `first_seen` and
//! `last_change` are export bookkeeping, so keeping them would report every entry as changed
//! in every publication. Property values are sets in FtM (one statement each): they are sorted
//! and de-duplicated so a reordering is not a change.
//!
//! The list id is `os-<dataset>`: the one dataset every entity names (a single-source export
//! names its dataset on every entity). A collection export (entities from many sources, no
//! dataset common to all) and a delta with only removals name none: give `--list`, which
//! always wins. The publication date is read from an OpenSanctions version id
//! (`20240527194702-wnk`) at the start of the file name or of a folder name in its path, when
//! there is one; the files themselves state no date.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;

use super::naming::snake_case;
use super::read::head::json_first_line;
use super::read::text::Lines;
use super::registry::{Capabilities, Entries, FormatDescriptor, Recognised, Recogniser, Shape};
use super::{
    FormatError, Input, Location, ParseResult, ParsedPublication, dates, frozen, record_error,
};
use crate::model::{Amendment, Entry, EntryId, EntryType, ListId, PublicationContent, text};

/// The `ftm-json` format.
pub(crate) static FTM_JSON: FormatDescriptor = FormatDescriptor {
    name: "ftm-json",
    description: "OpenSanctions FollowTheMoney entities, JSON lines (a snapshot)",
    list_ids: "os-<dataset> (the dataset every entity names), or --list",
    key: "id",
    reason_fields: "properties program, programId → programs; reason, notes → reason",
    // 2: lines that are not UTF-8 used to be decoded line by line; the file is now read as
    // UTF-8 up to its first byte that is not, Windows-1252 from there, so a file mixing the two
    // reads differently (see `read::decode`).
    parser_version: 2,
    recogniser: Some(Recogniser {
        shape: Shape::JsonObject,
        // After the deltas: a delta line may carry an entity's keys too.
        order: 1,
        test: recognise_entities,
    }),
    parse: parse_entities,
    capabilities: Capabilities {
        streams: true,
        entries: Entries::AfterWholeRead,
        ..Capabilities::NONE
    },
};

/// The `ftm-delta` format.
pub(crate) static FTM_DELTA: FormatDescriptor = FormatDescriptor {
    name: "ftm-delta",
    description: "OpenSanctions FollowTheMoney delta (entities.delta.json: ADD, MOD, DEL)",
    list_ids: "os-<dataset> (the dataset every entity names), or --list",
    key: "id",
    reason_fields: "properties program, programId → programs; reason, notes → reason",
    // 2: lines that are not UTF-8 used to be decoded line by line; the file is now read as
    // UTF-8 up to its first byte that is not, Windows-1252 from there, so a file mixing the two
    // reads differently (see `read::decode`).
    parser_version: 2,
    recogniser: Some(Recogniser {
        shape: Shape::JsonObject,
        order: 0,
        test: recognise_delta,
    }),
    parse: parse_delta,
    capabilities: Capabilities {
        streams: true,
        entries: Entries::AfterWholeRead,
        delta_feed: true,
        ..Capabilities::NONE
    },
};

/// Top-level keys that change on every export without the entity changing.
const VOLATILE: [&str; 3] = ["first_seen", "last_seen", "last_change"];

/// One FtM entity as a line states it.
struct FtmEntity {
    id: Value,
    caption: Option<String>,
    schema: Option<String>,
    properties: BTreeMap<String, Value>,
    referents: Vec<Value>,
    datasets: Vec<String>,
    /// Every other top-level key.
    other: BTreeMap<String, Value>,
}

impl<'de> Deserialize<'de> for FtmEntity {
    /// Read as a JSON object, then taken apart: serde's `flatten` would read the other keys'
    /// numbers through a buffer that loses their exact text (a 28-digit integer was refused).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut object = serde_json::Map::<String, Value>::deserialize(deserializer)?;
        fn take<T: serde::de::DeserializeOwned + Default, E: Error>(
            object: &mut serde_json::Map<String, Value>,
            key: &str,
        ) -> Result<T, E> {
            match object.remove(key) {
                None | Some(Value::Null) => Ok(T::default()),
                Some(value) => {
                    serde_json::from_value(value).map_err(|e| E::custom(format_args!("{key}: {e}")))
                }
            }
        }
        let id = object
            .remove("id")
            .ok_or_else(|| D::Error::missing_field("id"))?;
        Ok(FtmEntity {
            id,
            caption: take(&mut object, "caption")?,
            schema: take(&mut object, "schema")?,
            properties: take(&mut object, "properties")?,
            referents: take(&mut object, "referents")?,
            datasets: take(&mut object, "datasets")?,
            other: object.into_iter().collect(),
        })
    }
}

/// One line of a delta.
#[derive(Deserialize)]
struct DeltaLine {
    op: String,
    entity: FtmEntity,
}

/// A first line that is an entity: it has a `schema` and `properties`.
fn recognise_entities(head: &[u8]) -> Option<Recognised> {
    let line = json_first_line(head)?;
    (line.contains_key("schema") && line.contains_key("properties")).then_some(Recognised::This)
}

/// A first line that is a delta operation: it has an `op` and an `entity`.
fn recognise_delta(head: &[u8]) -> Option<Recognised> {
    let line = json_first_line(head)?;
    (line.contains_key("op") && line.contains_key("entity")).then_some(Recognised::This)
}

/// Reads `entities.ftm.json`: a snapshot.
fn parse_entities(input: &Input) -> ParseResult {
    let name = input.primary.name.as_str();
    let mut entries = Vec::new();
    let mut lines = Vec::new();
    let mut datasets = CommonDatasets::default();
    let decoding = for_each_line(input, |line, text| {
        let value: Value = serde_json::from_str(text).map_err(|e| json_error(name, line, &e))?;
        if value.get("op").is_some() && value.get("entity").is_some() {
            return Err(FormatError::new(
                name,
                Location::Line(line),
                "this line is a delta operation ({\"op\": …, \"entity\": …}): read the file with --format ftm-delta",
            ));
        }
        let entity: FtmEntity =
            serde_json::from_value(value).map_err(|e| json_error(name, line, &e))?;
        datasets.add(&entity.datasets);
        entries.push(frozen(entity_entry(name, line, entity)?));
        lines.push(Some(line));
        Ok(())
    })?;
    let list = list_id(input, &datasets)?;
    let content = PublicationContent::Snapshot(entries)
        .normalize()
        .map_err(|e| record_error(name, e, |i| lines.get(i).copied().flatten()))?;
    let (stated_date, stated_date_text) = version_date(name);
    Ok((
        vec![ParsedPublication {
            list,
            stated_date,
            stated_date_text,
            source: None,
            content,
            columns: None,
        }],
        decoding.into_iter().collect(),
    ))
}

/// Reads `entities.delta.json`: an amendment.
fn parse_delta(input: &Input) -> ParseResult {
    let name = input.primary.name.as_str();
    let mut warnings = Vec::new();
    let mut datasets = CommonDatasets::default();
    // id → (operation, line); operations in file order.
    let mut ops: Vec<(Op, u64)> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let decoding = for_each_line(input, |line, text| {
        let delta: DeltaLine = serde_json::from_str(text).map_err(|e| {
            let (_, message) = super::json_error_parts(&e);
            FormatError::new(
                name,
                Location::Line(line),
                format!(
                    "invalid delta line ({message}): expected {{\"op\": \"ADD\"|\"MOD\"|\"DEL\", \"entity\": {{…}}}}"
                ),
            )
        })?;
        let op = match delta.op.as_str() {
            "ADD" | "MOD" => {
                datasets.add(&delta.entity.datasets);
                let entry = entity_entry(name, line, delta.entity)?;
                if delta.op == "ADD" {
                    Op::Add(entry)
                } else {
                    Op::Mod(entry)
                }
            }
            "DEL" => Op::Del(entity_id(name, line, &delta.entity.id)?),
            other => {
                return Err(FormatError::new(
                    name,
                    Location::Line(line),
                    format!(
                        "unknown delta operation {}: expected ADD, MOD or DEL",
                        super::quoted(other)
                    ),
                ));
            }
        };
        let id = op.id().as_str().to_string();
        match by_id.get(&id) {
            Some(&at) => {
                if let Some(slot) = ops.get_mut(at) {
                    warnings.push(format!(
                        "{name}:{line}: entity {id} already has an operation on line {}; the later one is kept",
                        slot.1
                    ));
                    *slot = (op, line);
                }
            }
            None => {
                by_id.insert(id, ops.len());
                ops.push((op, line));
            }
        }
        Ok(())
    })?;
    warnings.splice(0..0, decoding);
    let list = list_id(input, &datasets)?;
    let mut amendment = Amendment::default();
    let mut lines: Vec<Option<u64>> = Vec::new();
    let (mut add_lines, mut amend_lines, mut remove_lines) = (Vec::new(), Vec::new(), Vec::new());
    for (op, line) in ops {
        match op {
            Op::Add(e) => {
                amendment.add.push(e);
                add_lines.push(Some(line));
            }
            Op::Mod(e) => {
                amendment.amend.push(e);
                amend_lines.push(Some(line));
            }
            Op::Del(id) => {
                amendment.remove.push(id);
                remove_lines.push(Some(line));
            }
        }
    }
    // normalize() numbers records add, then amend, then remove.
    lines.extend(add_lines);
    lines.extend(amend_lines);
    lines.extend(remove_lines);
    let content = PublicationContent::Amendment(amendment)
        .normalize()
        .map_err(|e| record_error(name, e, |i| lines.get(i).copied().flatten()))?;
    let (stated_date, stated_date_text) = version_date(name);
    Ok((
        vec![ParsedPublication {
            list,
            stated_date,
            stated_date_text,
            source: None,
            content,
            columns: None,
        }],
        warnings,
    ))
}

/// One delta operation.
enum Op {
    Add(Entry),
    Mod(Entry),
    Del(EntryId),
}

impl Op {
    /// The entity the operation is about.
    fn id(&self) -> &EntryId {
        match self {
            Op::Add(e) | Op::Mod(e) => &e.id,
            Op::Del(id) => id,
        }
    }
}

/// Calls `f` with the 1-based number and text of every non-blank line, streaming the file
/// decoded by the one policy; returns the decoding warning, if any.
fn for_each_line(
    input: &Input,
    mut f: impl FnMut(u64, &str) -> Result<(), FormatError>,
) -> Result<Option<String>, FormatError> {
    let mut lines = Lines::open(&input.primary)?;
    while let Some((line, text)) = lines.next_line()? {
        let text = text.trim();
        if !text.is_empty() {
            f(line, text)?;
        }
    }
    Ok(lines.decode_warning())
}

/// A located error for a JSON line that does not parse.
fn json_error(file: &str, line: u64, error: &serde_json::Error) -> FormatError {
    let (_, message) = super::json_error_parts(error);
    let location = if error.line() <= 1 && error.column() > 0 {
        Location::LineColumn(line, error.column() as u64)
    } else {
        Location::Line(line)
    };
    FormatError::new(
        file,
        location,
        format!("invalid FollowTheMoney entity: {message}"),
    )
}

/// The entity id: a string (or a whole number).
fn entity_id(file: &str, line: u64, id: &Value) -> Result<EntryId, FormatError> {
    let raw = match id {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    EntryId::new(&raw).map_err(|e| {
        FormatError::new(
            file,
            Location::Line(line),
            format!("the entity has no usable \"id\": {e}"),
        )
    })
}

/// The datasets named by every entity that names any.
#[derive(Default)]
struct CommonDatasets {
    common: Option<BTreeSet<String>>,
    /// Every dataset seen, for the message when none is common.
    seen: BTreeSet<String>,
}

impl CommonDatasets {
    /// Takes one entity's datasets into account.
    fn add(&mut self, datasets: &[String]) {
        if datasets.is_empty() {
            return;
        }
        let these: BTreeSet<String> = datasets.iter().map(|d| d.trim().to_string()).collect();
        self.seen.extend(these.iter().cloned());
        self.common = Some(match self.common.take() {
            None => these,
            Some(common) => common.intersection(&these).cloned().collect(),
        });
    }
}

/// The list id: `--list`, else `os-<dataset>` for the one dataset every entity names.
fn list_id(input: &Input, datasets: &CommonDatasets) -> Result<ListId, FormatError> {
    let name = input.primary.name.as_str();
    if let Some(list) = &input.options.list {
        return Ok(list.clone());
    }
    let common: Vec<&String> = datasets.common.iter().flatten().collect();
    match common.as_slice() {
        [one] => {
            let slug: String = one
                .to_lowercase()
                .chars()
                .map(|c| {
                    if c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c) {
                        c
                    } else {
                        '-'
                    }
                })
                .collect();
            ListId::new(&format!("os-{slug}")).map_err(|e| {
                FormatError::new(
                    name,
                    Location::File,
                    format!(
                        "dataset {} does not make a list id ({e}): give one with --list",
                        super::quoted(one)
                    ),
                )
            })
        }
        [] if datasets.seen.is_empty() => Err(FormatError::new(
            name,
            Location::File,
            "no entity in the file names its dataset: give the list id with --list (e.g. --list os-eu_fsf)",
        )),
        _ => {
            let shown: Vec<&str> = if common.is_empty() {
                datasets.seen.iter().map(String::as_str).take(5).collect()
            } else {
                common.iter().map(|s| s.as_str()).take(5).collect()
            };
            Err(FormatError::new(
                name,
                Location::File,
                format!(
                    "the entities do not name one common dataset ({}{}): this looks like a collection export; give the list id with --list (e.g. --list os-sanctions)",
                    shown.join(", "),
                    if datasets.seen.len() > shown.len() {
                        ", …"
                    } else {
                        ""
                    }
                ),
            ))
        }
    }
}

/// The date of an OpenSanctions version id (`20240527194702-wnk`) that starts the file name or
/// a folder name of the path, with the version id as written.
fn version_date(path: &str) -> (Option<NaiveDate>, Option<String>) {
    for part in path.rsplit(['/', '\\']) {
        let bytes = part.as_bytes();
        let shaped = bytes.len() > 15
            && bytes
                .get(..14)
                .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
            && bytes.get(14) == Some(&b'-');
        if !shaped {
            continue;
        }
        let version = part.split('.').next().unwrap_or(part);
        let date = part.get(..8).and_then(dates::compact);
        if let Some(date) = date {
            return (Some(date), Some(version.to_string()));
        }
    }
    (None, None)
}

/// The string values of a property (FtM properties are lists of strings).
fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        Value::Number(n) => vec![n.to_string()],
        _ => Vec::new(),
    }
}

/// Sorted, de-duplicated, non-blank values.
fn value_set(values: Vec<String>) -> Vec<String> {
    text::normalize_set_owned(values)
}

/// The entry type of an FtM schema.
fn entry_type(schema: &str) -> Option<EntryType> {
    match schema {
        "Person" => Some(EntryType::Individual),
        "Vessel" => Some(EntryType::Vessel),
        "Airplane" => Some(EntryType::Aircraft),
        "LegalEntity" | "Organization" | "Company" | "PublicBody" => Some(EntryType::Entity),
        _ => None,
    }
}

/// Maps one FtM entity to an entry.
///
/// | FtM | entry |
/// |---|---|
/// | `id` | id |
/// | `caption` (else `name`, else `full`, else the id) | name |
/// | other `name`s, `alias`, `weakAlias`, `previousName` | aliases (`weakAlias` and `previousName` also kept in `extra`) |
/// | `country`, `nationality`, `citizenship`, `jurisdiction`, `mainCountry` | countries (`nationality`, `citizenship` also kept in `extra`) |
/// | `address`, `full` (Address entities) | addresses |
/// | `program`, `programId` | programs |
/// | `reason`, `notes` | reason (sorted values joined with `; `) |
/// | earliest full date of `listingDate`, else `startDate`, else `createdAt` | listed_on (the properties stay in `extra`) |
/// | `schema`, `referents`, `datasets`, `target`, other properties | extra (snake_case keys, sorted values) |
fn entity_entry(file: &str, line: u64, entity: FtmEntity) -> Result<Entry, FormatError> {
    let id = entity_id(file, line, &entity.id)?;
    let mut props = entity.properties;
    let mut take = |key: &str| props.remove(key).map(|v| strings(&v)).unwrap_or_default();
    let names = take("name");
    let aliases = take("alias");
    let weak = take("weakAlias");
    let previous = take("previousName");
    let mut countries = take("country");
    let nationality = take("nationality");
    let citizenship = take("citizenship");
    countries.extend(take("jurisdiction"));
    countries.extend(take("mainCountry"));
    let mut addresses = take("address");
    let full = take("full");
    let mut programs = take("program");
    programs.extend(take("programId"));
    let mut reasons = take("reason");
    reasons.extend(take("notes"));

    let caption = entity.caption.as_deref().and_then(text::normalize);
    let primary = caption
        .or_else(|| value_set(names.clone()).into_iter().next())
        .or_else(|| value_set(full.clone()).into_iter().next())
        .unwrap_or_else(|| id.as_str().to_string());
    let mut entry = Entry::new(id, primary.clone());
    entry.entry_type = entity.schema.as_deref().and_then(entry_type);
    let mut all_aliases: Vec<String> = names;
    all_aliases.extend(aliases);
    all_aliases.extend(weak.iter().cloned());
    all_aliases.extend(previous.iter().cloned());
    entry.aliases = value_set(all_aliases)
        .into_iter()
        .filter(|a| *a != primary)
        .collect();
    countries.extend(nationality.iter().cloned());
    countries.extend(citizenship.iter().cloned());
    entry.countries = countries;
    addresses.extend(full);
    entry.addresses = addresses;
    entry.programs = programs;
    let reasons = value_set(reasons);
    if !reasons.is_empty() {
        entry.reason = Some(reasons.join("; "));
    }
    entry.listed_on = ["listingDate", "startDate", "createdAt"]
        .iter()
        .find_map(|key| {
            props
                .get(*key)
                .map(strings)
                .and_then(|v| v.iter().filter_map(|d| dates::iso(d)).min())
        });
    for (key, values) in [("weak_alias", weak), ("previous_name", previous)]
        .into_iter()
        .chain([("nationality", nationality), ("citizenship", citizenship)])
    {
        let values = value_set(values);
        if !values.is_empty() {
            entry.extra.insert(
                key.to_string(),
                Value::Array(values.into_iter().map(Value::String).collect()),
            );
        }
    }
    for (key, value) in props {
        let value = match value {
            Value::Array(items) => {
                let mut items: Vec<Value> = items;
                items.sort_by_key(|v| v.to_string());
                items.dedup();
                Value::Array(items)
            }
            other => other,
        };
        entry.extra.insert(snake_case(&key), value);
    }
    if let Some(schema) = entity.schema {
        entry.extra.insert("schema".into(), Value::String(schema));
    }
    let mut referents: Vec<Value> = entity.referents;
    referents.sort_by_key(|v| v.to_string());
    referents.dedup();
    entry
        .extra
        .insert("referents".into(), Value::Array(referents));
    let datasets = value_set(entity.datasets);
    entry.extra.insert(
        "datasets".into(),
        Value::Array(datasets.into_iter().map(Value::String).collect()),
    );
    for (key, value) in entity.other {
        if VOLATILE.contains(&key.as_str()) {
            continue;
        }
        entry.extra.insert(key, value);
    }
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A real published file (see [`crate::formats::real_data`]).
    fn real(rel: &str) -> PathBuf {
        crate::formats::real_data(rel)
    }

    fn real_input(rel: &str) -> Input {
        let path = real(rel);
        let bytes = std::fs::read(&path).unwrap();
        Input::single(path.to_string_lossy(), bytes)
    }

    fn with_list(mut input: Input, list: &str) -> Input {
        input.options.list = Some(ListId::new(list).unwrap());
        input
    }

    fn snapshot(p: &ParsedPublication) -> &[Entry] {
        match &p.content {
            PublicationContent::Snapshot(e) => e,
            PublicationContent::Amendment(_) => panic!("expected a snapshot"),
        }
    }

    fn amendment(p: &ParsedPublication) -> &Amendment {
        match &p.content {
            PublicationContent::Amendment(a) => a,
            PublicationContent::Snapshot(_) => panic!("expected an amendment"),
        }
    }

    const DELTAS: &str = "opensanctions-ftm/2024-06-01/deltas";

    #[test]
    fn real_entities_file() {
        if !crate::formats::real_data_present() {
            return;
        }
        let (pubs, warnings) = parse_entities(&real_input(
            "opensanctions-ftm/2024-06-01/entities.ftm.json",
        ))
        .unwrap();
        assert!(warnings.is_empty());
        assert_eq!(pubs.len(), 1);
        let p = &pubs[0];
        assert_eq!(p.list.as_str(), "os-eu_fsf");
        assert_eq!(p.stated_date, None);
        let e = snapshot(p);
        assert_eq!(e.len(), 7);

        let irgc = e
            .iter()
            .find(|e| e.id.as_str() == "NK-2PacmNpiLUmoz4XD2mSt7A")
            .unwrap();
        assert_eq!(irgc.name, "IRGC");
        assert_eq!(irgc.aliases, vec!["Iranian Revolutionary Guard Corps"]);
        assert_eq!(irgc.countries, vec!["ir"]);
        assert_eq!(irgc.entry_type, Some(EntryType::Entity));
        assert_eq!(
            irgc.reason.as_deref(),
            Some("Corrigendum 267/2012 (OJ L88) [corr. 04/12/2012-2]")
        );
        assert_eq!(irgc.listed_on, NaiveDate::from_ymd_opt(2012, 3, 24));
        assert_eq!(irgc.extra["schema"], "Organization");
        assert_eq!(irgc.extra["created_at"], serde_json::json!(["2012-03-24"]));
        assert_eq!(irgc.extra["topics"], serde_json::json!(["sanction"]));
        assert!(irgc.extra.contains_key("address_entity"));
        assert_eq!(irgc.extra["target"], true);
        for volatile in VOLATILE {
            assert!(!irgc.extra.contains_key(volatile), "{volatile} kept");
        }

        let person = e
            .iter()
            .find(|e| e.id.as_str() == "NK-2Ka3UvopqbpZmVDFjWd4LA")
            .unwrap();
        assert_eq!(person.name, "Vitaly Yurievich KUZMENKO");
        assert_eq!(person.entry_type, Some(EntryType::Individual));
        assert_eq!(person.countries, vec!["ru"]);
        assert_eq!(person.extra["nationality"], serde_json::json!(["ru"]));
        assert_eq!(
            person.extra["birth_date"],
            serde_json::json!(["1971-01-22"])
        );
        assert!(person.aliases.contains(&"Vitalij Kuzmenko".to_string()));

        let address = e
            .iter()
            .find(|e| e.id.as_str() == "NK-2MQE6AmhAk4tqhENJAMUG9")
            .unwrap();
        assert_eq!(address.addresses, vec!["Majengo area, Mombasa, KENYA"]);
        assert_eq!(address.entry_type, None);
    }

    #[test]
    fn volatile_timestamps_do_not_make_a_change() {
        if !crate::formats::real_data_present() {
            return;
        }
        let path = real("opensanctions-ftm/2024-06-01/entities.ftm.json");
        let text = std::fs::read_to_string(&path).unwrap();
        let later = text.replace("2024-06-01T10:57:03", "2024-06-02T11:00:00");
        assert_ne!(text, later);
        let a = parse_entities(&Input::single("a.json", text.into_bytes()))
            .unwrap()
            .0;
        let b = parse_entities(&Input::single("b.json", later.into_bytes()))
            .unwrap()
            .0;
        assert_eq!(a[0].content, b[0].content);
    }

    #[test]
    fn real_deltas() {
        if !crate::formats::real_data_present() {
            return;
        }
        // 20240528014702-pfh: an ADD (22 datasets) and a MOD (eu_fsf): eu_fsf is common.
        let (p, w) = parse_delta(&real_input(&format!(
            "{DELTAS}/20240528014702-pfh.entities.delta.json"
        )))
        .unwrap();
        assert!(w.is_empty());
        assert_eq!(p[0].list.as_str(), "os-eu_fsf");
        assert_eq!(p[0].stated_date, NaiveDate::from_ymd_opt(2024, 5, 28));
        assert_eq!(p[0].stated_date_text.as_deref(), Some("20240528014702-pfh"));
        let a = amendment(&p[0]);
        assert_eq!((a.add.len(), a.amend.len(), a.remove.len()), (1, 1, 0));
        assert_eq!(a.add[0].id.as_str(), "NK-500Poltergeist");
        assert_eq!(a.amend[0].id.as_str(), "NK-2T3S8Hu29ktYnKSTgQp2wL");
        assert_eq!(a.amend[0].name, "Foobar Foobargroup");

        // 20240528074703-npf: one DEL, no dataset: --list is needed.
        let input = real_input(&format!("{DELTAS}/20240528074703-npf.entities.delta.json"));
        let e = parse_delta(&input).unwrap_err();
        assert!(e.message.contains("--list"), "{e}");
        let (p, _) = parse_delta(&with_list(input, "os-eu_fsf")).unwrap();
        let a = amendment(&p[0]);
        assert_eq!(a.remove.len(), 1);
        assert_eq!(a.remove[0].as_str(), "NK-500Poltergeist");

        // 20240527194702-wnk: two ADDs from a collection: no single dataset.
        let input = real_input(&format!("{DELTAS}/20240527194702-wnk.entities.delta.json"));
        let e = parse_delta(&input).unwrap_err();
        assert!(e.message.contains("collection"), "{e}");
        let (p, _) = parse_delta(&with_list(input, "os-sanctions")).unwrap();
        assert_eq!(p[0].list.as_str(), "os-sanctions");
        assert_eq!(amendment(&p[0]).add.len(), 2);

        // 20240528134729-3iv: one ADD.
        let (p, _) = parse_delta(&real_input(&format!(
            "{DELTAS}/20240528134729-3iv.entities.delta.json"
        )))
        .unwrap();
        assert_eq!(amendment(&p[0]).add[0].id.as_str(), "Q4365364");
        assert_eq!(p[0].stated_date, NaiveDate::from_ymd_opt(2024, 5, 28));

        // 20240527134702-zbn: empty: an empty amendment with --list.
        let input = real_input(&format!("{DELTAS}/20240527134702-zbn.entities.delta.json"));
        assert!(parse_delta(&input).is_err());
        let (p, _) = parse_delta(&with_list(input, "os-eu_fsf")).unwrap();
        assert!(p[0].content.is_empty());
        assert_eq!(p[0].stated_date, NaiveDate::from_ymd_opt(2024, 5, 27));
    }

    #[test]
    fn mapping_of_sanction_properties() {
        let line = r#"{"id":"ofac-5a1e","schema":"Sanction","caption":"Sanction","properties":{"entity":["ofac-99901"],"authority":["Office of Foreign Assets Control"],"program":["RUSSIA-EO14024"],"programId":["RUSSIA-EO14024","X"],"reason":["Executive Order 14024 (Russia)"],"listingDate":["2025-03-14","2024-01-02"],"startDate":["2020"]},"referents":["b","a","b"],"datasets":["Us OFAC/SDN"],"target":false,"first_seen":"x","last_seen":"y","last_change":"z","origin":"crawl"}"#;
        let (p, _) = parse_entities(&Input::single("s.json", line.as_bytes().to_vec())).unwrap();
        assert_eq!(p[0].list.as_str(), "os-us-ofac-sdn");
        let e = &snapshot(&p[0])[0];
        assert_eq!(e.programs, vec!["RUSSIA-EO14024", "X"]);
        assert_eq!(e.reason.as_deref(), Some("Executive Order 14024 (Russia)"));
        assert_eq!(e.listed_on, NaiveDate::from_ymd_opt(2024, 1, 2));
        assert_eq!(e.extra["entity"], serde_json::json!(["ofac-99901"]));
        assert_eq!(e.extra["referents"], serde_json::json!(["a", "b"]));
        assert_eq!(e.extra["origin"], "crawl");
        assert_eq!(e.extra["target"], false);
        assert_eq!(e.entry_type, None);
        assert!(!e.extra.contains_key("last_seen"));
    }

    #[test]
    fn errors_name_the_line_and_odd_input_is_handled() {
        let text = "{\"id\": \"a\", \"schema\": \"Person\", \"properties\": {\"name\": [\"A\"]}, \"datasets\": [\"d\"]}\n\n{\"id\": \"b\", \"schema\": \nbad\n";
        let e = parse_entities(&Input::single("e.json", text.as_bytes().to_vec())).unwrap_err();
        assert_eq!(e.location, Location::LineColumn(3, 21), "{e}");

        let text = "{\"op\": \"ADD\", \"entity\": {\"id\": \"a\"}}\n";
        let e = parse_entities(&Input::single("e.json", text.as_bytes().to_vec())).unwrap_err();
        assert!(e.message.contains("--format ftm-delta"), "{e}");

        let text = "{\"op\": \"MERGED\", \"entity\": {\"id\": \"a\"}}\n";
        let e = parse_delta(&Input::single("d.json", text.as_bytes().to_vec())).unwrap_err();
        assert!(
            e.message.contains("unknown delta operation \"MERGED\""),
            "{e}"
        );
        let text = "{\"id\": \"a\"}\n";
        let e = parse_delta(&Input::single("d.json", text.as_bytes().to_vec())).unwrap_err();
        assert_eq!(e.location, Location::Line(1));

        // A repeated id in a delta: the later operation wins, with a warning.
        let text = "{\"op\": \"ADD\", \"entity\": {\"id\": \"a\", \"caption\": \"A\", \"datasets\": [\"d\"]}}\n{\"op\": \"DEL\", \"entity\": {\"id\": \"a\"}}\n";
        let (p, w) = parse_delta(&Input::single("d.json", text.as_bytes().to_vec())).unwrap();
        assert_eq!(amendment(&p[0]).remove.len(), 1);
        assert!(amendment(&p[0]).add.is_empty());
        assert!(
            w[0].contains(":2: entity a already has an operation on line 1"),
            "{w:?}"
        );

        // Duplicate ids in a snapshot are refused, naming both lines.
        let text = "{\"id\": \"a\", \"caption\": \"A\", \"datasets\": [\"d\"]}\n{\"id\": \"a\", \"caption\": \"B\", \"datasets\": [\"d\"]}\n";
        let e = parse_entities(&Input::single("e.json", text.as_bytes().to_vec())).unwrap_err();
        assert!(
            e.message.contains("duplicate id") && e.message.contains("line 1"),
            "{e}"
        );

        // Latin-1 bytes, a BOM, an entity with no name at all.
        let mut bytes = b"\xEF\xBB\xBF{\"id\": \"x\", \"properties\": {\"notes\": [\"caf".to_vec();
        bytes.extend_from_slice(b"\xE9\"]}, \"datasets\": [\"d\"]}\n");
        // Not UTF-8 after the BOM: read as Windows-1252.
        let (p, _) = parse_entities(&Input::single("l.json", bytes)).unwrap();
        let e = &snapshot(&p[0])[0];
        assert_eq!(e.name, "x");
        assert_eq!(e.reason.as_deref(), Some("café"));

        // An empty file is an empty snapshot when the list is given.
        let (p, _) =
            parse_entities(&with_list(Input::single("e.json", Vec::new()), "os-x")).unwrap();
        assert!(p[0].content.is_empty());
    }

    #[test]
    fn version_dates_and_names() {
        assert_eq!(
            version_date("/a/20240527194702-wnk.entities.delta.json"),
            (
                NaiveDate::from_ymd_opt(2024, 5, 27),
                Some("20240527194702-wnk".to_string())
            )
        );
        assert_eq!(
            version_date("artifacts/eu_fsf/20250506005302-ore/entities.ftm.json").0,
            NaiveDate::from_ymd_opt(2025, 5, 6)
        );
        assert_eq!(version_date("2024-06-01/entities.ftm.json"), (None, None));
        assert_eq!(version_date("99999999999999-x.json"), (None, None));
        assert_eq!(snake_case("addressEntity"), "address_entity");
        assert_eq!(snake_case("name"), "name");
    }
}
