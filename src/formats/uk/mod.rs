//! UK sanctions lists: the FCDO "UK Sanctions List" (CSV and XML) and the retired OFSI
//! consolidated list (`ConList.csv`).
//!
//! **FCDO CSV** (`UK-Sanctions-List.csv`): line 1 is `Report Date: DD-Mon-YYYY` (the publication
//! date), line 2 the header (`Last Updated, Unique ID, OFSI Group ID, UN Reference Number,
//! Name 6, Name 1 … Name 5, Name type, Alias strength, Title, Name non-latin script, …, Regime
//! Name, Designation Type, Designation source, Sanctions Imposed, Other Information, UK Statement
//! of Reasons, Address Line 1 … 6, Address Postal Code, Address Country, …, Date Designated,
//! D.O.B, Nationality(/ies), …`). One row per name and per address: rows are grouped by
//! `Unique ID`. The file is streamed.
//!
//! **FCDO XML** (`UK-Sanctions-List.xml`): root `Designations` with a `DateGenerated`
//! (`DD/MM/YYYY`) and one `Designation` per entry (`UniqueID`, `Names/Name{Name1…Name6,
//! NameType, AliasStrength}`, `NonLatinNames`, `RegimeName`, `IndividualEntityShip`,
//! `UKStatementofReasons`, `Addresses/Address{AddressLine1…6, AddressPostalCode,
//! AddressCountry}`, `IndividualDetails`, `EntityDetails`, `ShipDetails`, …). Streamed one
//! designation at a time. Every element without a dedicated field lands in `extra` under the
//! snake_case of its name, with the same keys the CSV gives the same data (`dob`,
//! `nationality`, `passport_number`, …), so both files of one day give the same entries (the XML
//! adds `sanctions_imposed_indicators`).
//!
//! **OFSI CSV** (`ConList.csv`, retired 2026): line 1 `Last Updated,DD/MM/YYYY`, line 2 the
//! header (`Name 6, Name 1 … Name 5, Title, …, Group Type, Alias Type, Alias Quality, Regime,
//! Listed On, UK Sanctions List Date Designated, Last Updated, Group ID`). One row per name (and
//! address): rows are grouped by `Group ID`.
//!
//! Common rules: the primary name is the first name whose type is `Primary name` (any case; in
//! the OFSI list also `Prime Alias`, as its older files write it), wherever its row is;
//! every other name is an alias (`extra.name_types` and `extra.alias_strength` keep each
//! name's type and strength). The regime is the program; the statement of reasons is the
//! reason. Dates are `DD/MM/YYYY`: the designation date is parsed into `listed_on` and kept as
//! written in `extra` (`date_designated` / `listed_on`). Every other column goes to `extra` as
//! one text, or a sorted array when the rows of an entry give several values.

pub(super) mod csv;
pub(super) mod fcdo_xml;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::naming::snake_case;
use super::{FormatError, Location, ParsedPublication, dates, record_error};
use crate::model::{Entry, EntryId, EntryType, ListId, PublicationContent};

// ---------------------------------------------------------------------------------------------
// The common draft

/// One name of a designation.
#[derive(Clone, Debug, Default)]
pub(super) struct Name {
    /// Name 1 … Name 6.
    pub(super) parts: [String; 6],
    /// `Primary name`, `Alias`, `Primary Name Variation`, `AKA`, …
    pub(super) kind: String,
    /// `Good quality`, `Low quality`, …
    pub(super) strength: String,
}

impl Name {
    /// Name 1 … Name 5 then Name 6 (the surname or the whole name of an entity).
    pub(super) fn full(&self) -> String {
        let words: Vec<&str> = self
            .parts
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect();
        words.join(" ")
    }
}

/// One address: lines 1 to 6, postal code, country.
#[derive(Clone, Debug, Default)]
pub(super) struct Address {
    pub(super) lines: [String; 6],
    pub(super) postal_code: String,
    pub(super) country: String,
}

impl Address {
    /// The parts that are present, joined with `, `.
    fn flat(&self) -> String {
        let parts: Vec<&str> = self
            .lines
            .iter()
            .chain([&self.postal_code, &self.country])
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect();
        parts.join(", ")
    }
}

/// One designation being assembled from its rows or its XML element.
#[derive(Default)]
pub(super) struct Draft {
    pub(super) id: String,
    pub(super) names: Vec<Name>,
    pub(super) addresses: Vec<String>,
    pub(super) countries: Vec<String>,
    pub(super) programs: Vec<String>,
    pub(super) type_labels: Vec<String>,
    pub(super) reasons: Vec<String>,
    /// The designation dates as written.
    pub(super) listed: Vec<String>,
    /// The `extra` key the designation date is kept under.
    pub(super) listed_key: &'static str,
    pub(super) extra: BTreeMap<String, Vec<String>>,
}

impl Draft {
    pub(super) fn push_extra(&mut self, key: &str, value: &str) {
        let value = value.trim();
        if !value.is_empty() {
            self.extra
                .entry(key.to_string())
                .or_default()
                .push(value.to_string());
        }
    }

    pub(super) fn push_address(&mut self, address: &Address) {
        let flat = address.flat();
        if !flat.is_empty() {
            self.addresses.push(flat);
        }
        let country = address.country.trim();
        if !country.is_empty() {
            self.countries.push(country.to_string());
        }
    }

    pub(super) fn push_name(&mut self, name: Name) {
        if !name.full().is_empty() {
            self.names.push(name);
        }
    }
}

/// Sorted, de-duplicated, trimmed, non-empty values.
fn set(values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = values
        .iter()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// One value as text, several as a sorted array.
fn extra_value(values: &[String]) -> Option<Value> {
    let mut values = set(values);
    match values.len() {
        0 => None,
        1 => values.pop().map(Value::String),
        _ => Some(Value::Array(
            values.into_iter().map(Value::String).collect(),
        )),
    }
}

/// The name types that mark a designation's primary name, as one list writes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct PrimaryNameTypes(&'static [&'static str]);

impl PrimaryNameTypes {
    /// The FCDO UK Sanctions List (CSV and XML): `Primary Name`.
    pub(super) const FCDO: PrimaryNameTypes = PrimaryNameTypes(&["Primary name"]);
    /// The OFSI consolidated list: `Primary name` in newer files, `Prime Alias` in older ones
    /// (the 2014 `sanctionsconlist.csv`).
    pub(super) const OFSI: PrimaryNameTypes = PrimaryNameTypes(&["Primary name", "Prime Alias"]);

    /// True when `kind` (any case, surrounding white space ignored) marks the primary name.
    fn marks_primary(self, kind: &str) -> bool {
        self.0.iter().any(|t| t.eq_ignore_ascii_case(kind.trim()))
    }

    /// The types as a message names them: `"Primary name" (or "Prime Alias")`.
    fn described(self) -> String {
        let mut quoted = self.0.iter().map(|t| format!("\"{t}\""));
        let first = quoted.next().unwrap_or_default();
        let rest: Vec<String> = quoted.collect();
        if rest.is_empty() {
            first
        } else {
            format!("{first} (or {})", rest.join(", or "))
        }
    }
}

/// Builds the entry of a finished draft; `primary` says which name types mark the primary name.
pub(super) fn build_entry(
    file: &str,
    draft: Draft,
    primary_types: PrimaryNameTypes,
    location: impl Fn() -> Location,
    warnings: &mut Vec<String>,
) -> Result<Entry, FormatError> {
    let id = EntryId::new(&draft.id)
        .map_err(|e| FormatError::new(file, location(), format!("bad key: {e}")))?;
    let primary_index = draft
        .names
        .iter()
        .position(|n| primary_types.marks_primary(&n.kind));
    let primary_index = match primary_index {
        Some(i) => i,
        None if draft.names.is_empty() => {
            return Err(FormatError::new(
                file,
                location(),
                format!(
                    "designation {} has no name: every designation has at least a primary name",
                    draft.id
                ),
            ));
        }
        None => {
            warnings.push(format!(
                "{file}{}: designation {} has no name of type {}; its first name was taken as the primary name",
                location(),
                draft.id,
                primary_types.described()
            ));
            0
        }
    };
    let primary = draft
        .names
        .get(primary_index)
        .map(Name::full)
        .unwrap_or_default();
    let mut entry = Entry::new(id, primary.clone());
    let mut name_types: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut strengths: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for name in &draft.names {
        let full = name.full();
        if full != primary {
            entry.aliases.push(full.clone());
        }
        if !name.kind.trim().is_empty() {
            name_types
                .entry(full.clone())
                .or_default()
                .push(name.kind.trim().to_string());
        }
        if !name.strength.trim().is_empty() {
            strengths
                .entry(full)
                .or_default()
                .push(name.strength.trim().to_string());
        }
    }
    let as_object = |map: BTreeMap<String, Vec<String>>| -> Option<Value> {
        let object: Map<String, Value> = map
            .into_iter()
            .map(|(k, v)| (k, Value::String(set(&v).join("; "))))
            .collect();
        (!object.is_empty()).then_some(Value::Object(object))
    };
    if let Some(v) = as_object(name_types) {
        entry.extra.insert("name_types".into(), v);
    }
    if let Some(v) = as_object(strengths) {
        entry.extra.insert("alias_strength".into(), v);
    }
    entry.addresses = draft.addresses;
    entry.countries = draft.countries;
    entry.programs = draft.programs;
    let reasons = set(&draft.reasons);
    if !reasons.is_empty() {
        entry.reason = Some(reasons.join("\n\n"));
    }
    let labels = set(&draft.type_labels);
    let types: Vec<Option<EntryType>> = labels
        .iter()
        .map(|l| match l.to_ascii_lowercase().as_str() {
            "ship" => Some(EntryType::Vessel),
            other => EntryType::parse(other),
        })
        .collect();
    match types.as_slice() {
        [Some(t)] => entry.entry_type = Some(*t),
        [] => {}
        _ => {
            if let Some(v) = extra_value(&labels) {
                entry.extra.insert("designation_type".into(), v);
            }
        }
    }
    let listed = set(&draft.listed);
    entry.listed_on = listed.iter().filter_map(|d| dates::day_month_year(d)).min();
    if entry.listed_on.is_none() && !listed.is_empty() {
        warnings.push(format!(
            "{file}{}: designation {}: the designation date {} is not DD/MM/YYYY; kept as text only",
            location(),
            crate::formats::quoted(&draft.id),
            crate::formats::quoted(&listed.join(", "))
        ));
    }
    if let Some(v) = extra_value(&listed) {
        entry.extra.insert(draft.listed_key.into(), v);
    }
    for (key, values) in draft.extra {
        if let Some(v) = extra_value(&values) {
            entry.extra.insert(key, v);
        }
    }
    Ok(entry)
}

/// Wraps the entries in the publication of `list`.
pub(super) fn publication(
    file: &str,
    list: &str,
    stated: Option<(NaiveDate, String)>,
    entries: Vec<Entry>,
    location_of: impl Fn(usize) -> Option<u64>,
) -> Result<ParsedPublication, FormatError> {
    let list =
        ListId::new(list).map_err(|e| FormatError::new(file, Location::File, e.to_string()))?;
    let content = PublicationContent::Snapshot(entries)
        .normalize()
        .map_err(|e| record_error(file, e, location_of))?;
    let (stated_date, stated_date_text) = match stated {
        Some((date, text)) => (Some(date), Some(text)),
        None => (None, None),
    };
    Ok(ParsedPublication {
        list,
        stated_date,
        stated_date_text,
        source: None,
        content,
        columns: None,
    })
}

/// The `extra` key of a field, shared by the CSV columns and the XML elements that carry the
/// same data.
pub(super) fn extra_key(name: &str) -> String {
    let key = snake_case(name);
    let canonical = match key.as_str() {
        "d_o_b" | "dob" | "do_bs" => "dob",
        "nationality_ies" | "nationality" => "nationality",
        "business_registration_number_s" | "business_registration_number" => {
            "business_registration_number"
        }
        "current_owner_operator_s" | "current_owner_operator" => "current_owner_operator",
        "previous_owner_operator_s" | "previous_owner_operator" => "previous_owner_operator",
        "hull_identification_number_hin" | "hull_identification_number" => {
            "hull_identification_number"
        }
        "subsidiary" | "subsidiaries" => "subsidiaries",
        "previous_flag" | "previous_flags" => "previous_flags",
        "phone_number" => "phone_number",
        "email_address" => "email_address",
        "imo_number" | "i_m_o_number" => "imo_number",
        "un_reference_number" | "u_n_reference_number" => "un_reference_number",
        "ofsi_group_id" | "o_f_s_i_group_id" => "ofsi_group_id",
        _ => return key,
    };
    canonical.to_string()
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::csv::{parse_fcdo_csv, parse_ofsi_csv};
    use super::fcdo_xml::parse_fcdo_xml;
    use super::*;
    use crate::formats::entry_by_id as by_id;
    use crate::formats::{Detection, Format, Input, InputFile, ParseResult, detect};

    /// The UK format a head is recognised as, each recogniser asked the way `detect` asks (by
    /// the head's shape).
    fn recognise(head: &[u8]) -> Option<&'static str> {
        if head.first() == Some(&b'<') {
            fcdo_xml::recognise(head).map(|_| "uk-fcdo-xml")
        } else {
            (csv::recognise_fcdo(head).map(|_| "uk-fcdo-csv"))
                .or_else(|| csv::recognise_ofsi(head).map(|_| "uk-ofsi-csv"))
        }
    }

    fn fixture(rel: &str) -> PathBuf {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).join(rel)
    }

    /// Reads a fixture the way the CLI does for a streamed format: only a head in `bytes`.
    fn streamed(rel: &str) -> Input {
        let path = fixture(rel);
        let bytes = std::fs::read(&path).unwrap();
        Input {
            primary: InputFile {
                name: rel.to_string(),
                bytes: bytes.get(..64).unwrap_or(&bytes).to_vec(),
                stream_from: Some(path),
            },
            ..Input::default()
        }
    }

    fn whole(rel: &str) -> Input {
        Input::single(rel, std::fs::read(fixture(rel)).unwrap())
    }

    fn one(result: ParseResult) -> (ParsedPublication, Vec<Entry>, Vec<String>) {
        let (mut pubs, warnings) = result.unwrap();
        assert_eq!(pubs.len(), 1);
        let publication = pubs.remove(0);
        let entries = match &publication.content {
            PublicationContent::Snapshot(entries) => entries.clone(),
            other => panic!("expected a snapshot, got {other:?}"),
        };
        (publication, entries, warnings)
    }

    fn ids(entries: &[Entry]) -> Vec<&str> {
        entries.iter().map(|e| e.id.as_str()).collect()
    }

    fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    const CSV1: &str = "uk-fcdo-csv/UK-Sanctions-List-2025-03-14.csv";
    const CSV2: &str = "uk-fcdo-csv/UK-Sanctions-List-2025-04-02.csv";
    const XML1: &str = "uk-fcdo-xml/UK-Sanctions-List-2025-03-14.xml";
    const XML2: &str = "uk-fcdo-xml/UK-Sanctions-List-2025-04-02.xml";
    const OFSI1: &str = "uk-ofsi-csv/ConList-2020-04-02.csv";
    const OFSI2: &str = "uk-ofsi-csv/ConList-2025-03-28.csv";

    #[test]
    fn fcdo_csv_groups_rows_and_maps_every_field() {
        let (publication, entries, warnings) = one(parse_fcdo_csv(&streamed(CSV1)));
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(publication.list.as_str(), "uk-fcdo");
        assert_eq!(publication.stated_date, date(2025, 3, 14));
        assert_eq!(publication.stated_date_text.as_deref(), Some("14-Mar-2025"));
        assert_eq!(ids(&entries), ["RUS9001", "RUS9002", "AFG9001", "RUS9003"]);
        let petrov = by_id(&entries, "RUS9001");
        assert_eq!(petrov.name, "Ivan Ivanovich PETROV");
        assert_eq!(petrov.aliases, ["Ivan PETROFF"]);
        assert_eq!(petrov.entry_type, Some(EntryType::Individual));
        assert_eq!(petrov.programs, ["Russia"]);
        assert!(
            petrov
                .reason
                .as_deref()
                .unwrap()
                .starts_with("Ivan PETROV is a member of the board of EXAMPLE BANK PJSC &")
        );
        assert_eq!(
            petrov.addresses,
            [
                "12 Example Street, Moscow, 101000, Russia",
                "Villa 3, Palm Road, Dubai, United Arab Emirates"
            ]
        );
        assert_eq!(petrov.countries, ["Russia", "United Arab Emirates"]);
        assert_eq!(petrov.listed_on, date(2022, 3, 15));
        let x = &petrov.extra;
        assert_eq!(x["date_designated"], "15/03/2022");
        assert_eq!(x["last_updated"], "15/03/2022");
        assert_eq!(x["ofsi_group_id"], "15001");
        assert_eq!(x["name_non_latin_script"], "Иван Иванович ПЕТРОВ");
        assert_eq!(x["non_latin_script_type"], "Cyrillic");
        assert_eq!(x["non_latin_script_language"], "Russian");
        assert_eq!(x["title"], "Mr");
        assert_eq!(x["dob"], "01/02/1970");
        assert_eq!(x["nationality"], "Russia");
        assert_eq!(x["passport_number"], "7512345678");
        assert_eq!(
            x["passport_additional_information"],
            "Russian passport, issued 2015"
        );
        assert_eq!(x["national_identifier_number"], "770012345678");
        assert_eq!(x["national_identifier_additional_information"], "INN");
        assert_eq!(x["position"], "Chair of the board, EXAMPLE BANK PJSC");
        assert_eq!(x["gender"], "Male");
        assert_eq!(x["town_of_birth"], "Moscow");
        assert_eq!(x["country_of_birth"], "Russia");
        assert_eq!(x["designation_source"], "UK");
        assert_eq!(
            x["sanctions_imposed"],
            serde_json::json!(["Asset freeze", "Travel Ban"])
        );
        assert_eq!(
            x["name_types"],
            serde_json::json!({"Ivan Ivanovich PETROV": "Primary Name", "Ivan PETROFF": "Alias"})
        );
        assert_eq!(
            x["alias_strength"],
            serde_json::json!({"Ivan PETROFF": "Low quality"})
        );

        let shipping = by_id(&entries, "RUS9002");
        assert_eq!(shipping.name, "EXAMPLE SHIPPING LLC");
        assert_eq!(shipping.aliases, ["EXAMPLE MARINE LLC"]);
        assert_eq!(shipping.entry_type, Some(EntryType::Entity));
        for (key, value) in [
            ("phone_number", "+7 812 000 0000"),
            ("website", "www.example-shipping.invalid"),
            ("email_address", "info@example-shipping.invalid"),
            ("type_of_entity", "Limited Liability Company"),
            ("parent_company", "EXAMPLE HOLDING JSC"),
            ("subsidiaries", "EXAMPLE MARINE SERVICES LLC"),
            ("business_registration_number", "OGRN 1234567890123"),
            ("other_information", "Associated with RUS9001."),
        ] {
            assert_eq!(shipping.extra[key], value, "{key}");
        }
        let afg = by_id(&entries, "AFG9001");
        assert_eq!(afg.reason, None);
        assert_eq!(afg.extra["un_reference_number"], "TAe.999");
        assert_eq!(afg.extra["designation_source"], "UN");
        assert_eq!(afg.listed_on, date(2012, 6, 29));
        let ship = by_id(&entries, "RUS9003");
        assert_eq!(ship.entry_type, Some(EntryType::Vessel));
        for (key, value) in [
            ("imo_number", "9999999"),
            ("current_owner_operator", "EXAMPLE TANKERS LTD"),
            ("previous_owner_operator", "OLD TANKERS SA"),
            ("current_believed_flag_of_ship", "Gabon"),
            ("previous_flags", "Panama"),
            ("type_of_ship", "Crude oil tanker"),
            ("tonnage_of_ship", "62000"),
            ("length_of_ship", "228"),
            ("year_built", "2004"),
            ("hull_identification_number", "HIN-EX-1"),
        ] {
            assert_eq!(ship.extra[key], value, "{key}");
        }
    }

    #[test]
    fn fcdo_csv_second_day_has_an_addition_a_removal_and_a_reason_change() {
        let (_, old, _) = one(parse_fcdo_csv(&streamed(CSV1)));
        let (publication, new, _) = one(parse_fcdo_csv(&whole(CSV2)));
        assert_eq!(publication.stated_date, date(2025, 4, 2));
        assert_eq!(ids(&new), ["RUS9002", "RUS9001", "RUS9003", "GHR9001"]);
        assert!(!ids(&new).contains(&"AFG9001"));
        let (before, after) = (by_id(&old, "RUS9001"), by_id(&new, "RUS9001"));
        assert_ne!(before.reason, after.reason);
        assert!(
            after
                .reason
                .as_deref()
                .unwrap()
                .contains("the chair of the board")
        );
        assert_eq!(after.aliases, ["Ivan PETROFF", "Iwan PETROW"]);
        // RUS9002's rows are apart in the second file: the same entry.
        assert_eq!(by_id(&old, "RUS9002"), by_id(&new, "RUS9002"));
        assert_eq!(by_id(&old, "RUS9003"), by_id(&new, "RUS9003"));
        let jose = by_id(&new, "GHR9001");
        assert_eq!(jose.name, "José PEÑA");
        assert_eq!(jose.extra["dob"], "dd/mm/1961");
    }

    #[test]
    fn fcdo_xml_gives_the_same_entries_as_the_csv() {
        for (xml, csv) in [(XML1, CSV1), (XML2, CSV2)] {
            let (from_xml, xml_entries, warnings) = one(parse_fcdo_xml(&streamed(xml)));
            assert!(warnings.is_empty(), "{warnings:?}");
            let (from_csv, csv_entries, _) = one(parse_fcdo_csv(&streamed(csv)));
            assert_eq!(from_xml.list, from_csv.list);
            assert_eq!(from_xml.stated_date, from_csv.stated_date);
            assert_eq!(xml_entries.len(), csv_entries.len());
            for mut entry in xml_entries {
                let indicators = entry.extra.remove("sanctions_imposed_indicators");
                assert!(indicators.is_some(), "{}", entry.id);
                assert_eq!(&entry, by_id(&csv_entries, entry.id.as_str()), "{xml}");
            }
        }
        let (publication, entries, _) = one(parse_fcdo_xml(&streamed(XML2)));
        assert_eq!(publication.stated_date_text.as_deref(), Some("02/04/2025"));
        // ISO-8859-1 bytes and character references both read.
        assert_eq!(by_id(&entries, "GHR9001").name, "José PEÑA");
        let petrov = by_id(&entries, "RUS9001");
        assert_eq!(
            petrov.extra["name_non_latin_script"],
            "Иван Иванович ПЕТРОВ"
        );
        assert_eq!(
            petrov.extra["sanctions_imposed_indicators"],
            serde_json::json!(["AssetFreeze", "TravelBan"])
        );
        assert!(petrov.reason.as_deref().unwrap().contains("PJSC & has"));
    }

    #[test]
    fn ofsi_csv_groups_rows_by_group_id() {
        let (publication, entries, warnings) = one(parse_ofsi_csv(&whole(OFSI1)));
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(publication.list.as_str(), "uk-ofsi");
        assert_eq!(publication.stated_date, date(2020, 4, 2));
        assert_eq!(publication.stated_date_text.as_deref(), Some("02/04/2020"));
        assert_eq!(ids(&entries), ["15001", "12999", "13900"]);
        let petrov = by_id(&entries, "15001");
        assert_eq!(petrov.name, "Ivan Ivanovich PETROV");
        assert_eq!(petrov.aliases, ["Ivan PETROFF"]);
        assert_eq!(petrov.entry_type, Some(EntryType::Individual));
        assert_eq!(petrov.programs, ["Russia"]);
        assert_eq!(petrov.listed_on, date(2022, 3, 15));
        assert_eq!(petrov.extra["listed_on"], "15/03/2022");
        assert_eq!(
            petrov.extra["uk_sanctions_list_date_designated"],
            "15/03/2022"
        );
        assert_eq!(petrov.extra["uk_sanctions_list_ref"], "RUS9001");
        assert_eq!(petrov.extra["last_updated"], "15/03/2022");
        assert_eq!(
            petrov.extra["passport_details"],
            "Russian passport, issued 2015"
        );
        assert_eq!(petrov.extra["dob"], "01/02/1970");
        assert_eq!(
            petrov.extra["name_non_latin_script"],
            "Иван Иванович ПЕТРОВ"
        );
        assert_eq!(
            petrov.extra["alias_strength"],
            serde_json::json!({"Ivan PETROFF": "Low"})
        );
        assert_eq!(petrov.countries, ["Russia", "United Arab Emirates"]);
        let afg = by_id(&entries, "12999");
        assert_eq!(afg.aliases, ["EXAMPLE SARAFI", "Example Hawala"]);
        assert_eq!(
            afg.extra["name_types"],
            serde_json::json!({"EXAMPLE MONEY EXCHANGE": "Primary name", "EXAMPLE SARAFI": "FKA", "Example Hawala": "AKA"})
        );
        assert_eq!(afg.listed_on, date(2012, 6, 29));
    }

    #[test]
    fn ofsi_csv_second_day_latin1() {
        let (_, old, _) = one(parse_ofsi_csv(&whole(OFSI1)));
        let (publication, new, _) = one(parse_ofsi_csv(&whole(OFSI2)));
        assert_eq!(publication.stated_date, date(2025, 3, 28));
        assert_eq!(ids(&new), ["13900", "15001"]);
        let jose = by_id(&new, "13900");
        assert_eq!(jose.name, "José PEÑA");
        assert_eq!(by_id(&old, "13900").programs, ["Global Human Rights"]);
        assert_eq!(jose.programs, ["Venezuela"]);
        let petrov = by_id(&new, "15001");
        assert_eq!(petrov.aliases, ["Ivan PETROFF", "Iwan PETROW"]);
        assert!(!petrov.extra.contains_key("name_non_latin_script"));
    }

    #[test]
    fn recognises_each_uk_format_and_nothing_else() {
        for (rel, format) in [
            (CSV1, "uk-fcdo-csv"),
            (CSV2, "uk-fcdo-csv"),
            (XML1, "uk-fcdo-xml"),
            (XML2, "uk-fcdo-xml"),
            (OFSI1, "uk-ofsi-csv"),
            (OFSI2, "uk-ofsi-csv"),
        ] {
            let bytes = std::fs::read(fixture(rel)).unwrap();
            let format = Format::from_name(format).unwrap();
            assert_eq!(detect(&bytes), Detection::Format(format), "{rel}");
        }
        assert_eq!(
            recognise(b"Last Updated,Unique ID,OFSI Group ID,UN Reference Number,Name 6\n"),
            Some("uk-fcdo-csv")
        );
        assert_eq!(recognise(b"<Designations/>"), Some("uk-fcdo-xml"));
        for other in [
            &b"_id,source,entity_number,type,programs,name,title,addresses\n"[..],
            b"36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"x\"\r\n",
            b"fileGenerationDate;Entity_LogicalId;Entity_EU_ReferenceNumber;NameAlias_WholeName\n",
            b"<?xml version=\"1.0\"?><export generationDate=\"2024\"></export>",
            b"<ArrayOfFinancialSanctionsTarget></ArrayOfFinancialSanctionsTarget>",
            b"<sdnList></sdnList>",
            b"Last Updated,Unique ID\n",
            b"Last Updated,not a date\nGroup ID\n",
            b"Report Date: 1 Jan 2020\nName,City\n",
            b"",
            b"<",
        ] {
            assert_eq!(recognise(other), None, "{}", String::from_utf8_lossy(other));
        }
    }

    #[test]
    fn empty_files_and_errors() {
        let empty = "Report Date: 14-Mar-2025\nLast Updated,Unique ID,Name 6,Name type\n";
        let (publication, entries, _) = one(parse_fcdo_csv(&Input::single("e.csv", empty.into())));
        assert!(entries.is_empty());
        assert_eq!(publication.stated_date, date(2025, 3, 14));
        let (_, entries, _) = one(parse_fcdo_xml(&Input::single(
            "e.xml",
            b"<?xml version=\"1.0\"?>\n<Designations><DateGenerated>01/02/2025</DateGenerated></Designations>".to_vec(),
        )));
        assert!(entries.is_empty());
        let (_, entries, _) = one(parse_ofsi_csv(&Input::single(
            "c.csv",
            b"Last Updated,01/02/2020\nName 6,Alias Type,Group ID\n".to_vec(),
        )));
        assert!(entries.is_empty());

        let e = parse_fcdo_csv(&Input::single("x.csv", b"".to_vec())).unwrap_err();
        assert!(e.message.contains("empty"), "{}", e.message);
        let e = parse_fcdo_csv(&Input::single(
            "x.csv",
            b"Report Date: soon\nUnique ID\n".to_vec(),
        ))
        .unwrap_err();
        assert_eq!(e.location, Location::Line(1));
        let e = parse_fcdo_csv(&Input::single(
            "x.csv",
            b"Report Date: 14-Mar-2025\nName 6,Regime Name\n".to_vec(),
        ))
        .unwrap_err();
        assert_eq!(e.location, Location::Line(2));
        assert!(e.message.contains("Unique ID"), "{}", e.message);
        let e = parse_fcdo_csv(&Input::single(
            "x.csv",
            b"Report Date: 14-Mar-2025\nUnique ID,Name 6,Name type\nRUS1,A,Primary Name\n,B,Alias\n"
                .to_vec(),
        ))
        .unwrap_err();
        assert_eq!(e.location, Location::Line(4));
        // Rows without any name: the designation is refused with its first line.
        let e = parse_ofsi_csv(&Input::single(
            "c.csv",
            b"Last Updated,01/02/2020\nName 6,Alias Type,Group ID\nA,Primary name,1\n,AKA,2\n"
                .to_vec(),
        ))
        .unwrap_err();
        assert_eq!(
            e.location,
            Location::Record {
                number: 2,
                line: Some(4)
            }
        );
        let e = parse_fcdo_xml(&Input::single("x.xml", b"<sdnList/>".to_vec())).unwrap_err();
        assert!(e.message.contains("<sdnList>"), "{}", e.message);
        let e = parse_fcdo_xml(&Input::single(
            "x.xml",
            b"<Designations><Designation><UniqueID>A1</UniqueID><Names><Name><Name6>X</Name6>"
                .to_vec(),
        ))
        .unwrap_err();
        assert!(e.message.contains("truncated"), "{}", e.message);
        let twice = b"<Designations><Designation><UniqueID>A1</UniqueID><Names><Name><Name6>X</Name6></Name></Names></Designation><Designation><UniqueID>A1</UniqueID><Names><Name><Name6>Y</Name6></Name></Names></Designation></Designations>";
        let e = parse_fcdo_xml(&Input::single("x.xml", twice.to_vec())).unwrap_err();
        assert_eq!(
            e.location,
            Location::Record {
                number: 2,
                line: None
            }
        );
        let e = parse_fcdo_xml(&Input::single("x.xml", b"".to_vec())).unwrap_err();
        assert!(e.message.contains("empty"), "{}", e.message);
    }

    #[test]
    fn names_without_a_primary_type_warn() {
        let text = "Report Date: 14-Mar-2025\nUnique ID,Name 6,Name type,Date Designated\nRUS1,B NAME,Alias,31/02/2020\nRUS1,A NAME,,31/02/2020\n";
        let (_, entries, warnings) = one(parse_fcdo_csv(&Input::single("n.csv", text.into())));
        assert_eq!(entries[0].name, "B NAME");
        assert_eq!(entries[0].aliases, ["A NAME"]);
        assert_eq!(entries[0].listed_on, None);
        assert_eq!(entries[0].extra["date_designated"], "31/02/2020");
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].contains("n.csv:3 (record 1)"),
            "{}",
            warnings[0]
        );
    }

    /// Older OFSI files mark the primary name `Prime Alias` (newer ones `Primary name`), and
    /// rows of one Group ID are spread through the file in alphabetical order of name: the
    /// name is the marked row wherever it is, and only a group with no marked row warns.
    #[test]
    fn ofsi_prime_alias_rows_are_the_primary_name() {
        let text = "Last Updated,02/04/2014,,,\r\n\
            Name 6,Name 1,Alias Type,Group Type,Group ID\r\n\
            2ND ACADEMY,,AKA,Entity,12871\r\n\
            ABBAS,Faysal,AKA,Individual,12510\r\n\
            ABBAS,Fayssal,Prime Alias,Individual,12510\r\n\
            ACADEMY OF NATURAL SCIENCES,,AKA,Entity,12871\r\n\
            NEWER,,primary name,Entity,7\r\n\
            NONE MARKED,,AKA,Entity,8\r\n\
            SECOND ACADEMY,,Prime Alias,Entity,12871\r\n\
            SECOND ACADEMY,,Prime Alias,Entity,12871\r\n";
        assert_eq!(recognise(text.as_bytes()), Some("uk-ofsi-csv"));
        let (_, entries, warnings) = one(parse_ofsi_csv(&Input::single("c.csv", text.into())));
        let academy = by_id(&entries, "12871");
        assert_eq!(academy.name, "SECOND ACADEMY");
        assert_eq!(
            academy.aliases,
            ["2ND ACADEMY", "ACADEMY OF NATURAL SCIENCES"]
        );
        assert_eq!(
            academy.extra["name_types"],
            serde_json::json!({"2ND ACADEMY": "AKA", "ACADEMY OF NATURAL SCIENCES": "AKA", "SECOND ACADEMY": "Prime Alias"})
        );
        let abbas = by_id(&entries, "12510");
        assert_eq!(abbas.name, "Fayssal ABBAS");
        assert_eq!(abbas.aliases, ["Faysal ABBAS"]);
        assert_eq!(by_id(&entries, "7").name, "NEWER");
        // The one group with no primary row warns, naming both spellings.
        assert_eq!(by_id(&entries, "8").name, "NONE MARKED");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("c.csv:8 (record 4): designation 8 has no name of type \"Primary name\" (or \"Prime Alias\")"),
            "{}",
            warnings[0]
        );
    }

    /// The FCDO lists never used `Prime Alias`: there it is a name type like any other.
    #[test]
    fn fcdo_prime_alias_is_not_a_primary_name() {
        let text = "Report Date: 14-Mar-2025\nUnique ID,Name 6,Name type\nRUS1,B NAME,Alias\nRUS1,A NAME,Prime Alias\n";
        let (_, entries, warnings) = one(parse_fcdo_csv(&Input::single("n.csv", text.into())));
        assert_eq!(entries[0].name, "B NAME");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
    }

    #[test]
    fn crlf_line_numbers_are_right() {
        let text = "Report Date: 14-Mar-2025\r\nUnique ID,Name 6,Name type\r\nRUS1,A,Primary Name\r\nRUS2,,Alias\r\n";
        let e = parse_fcdo_csv(&Input::single("n.csv", text.into())).unwrap_err();
        assert_eq!(
            e.location,
            Location::Record {
                number: 2,
                line: Some(4)
            }
        );
    }

    #[test]
    fn damaged_fixtures_never_panic() {
        for rel in [CSV1, CSV2, XML1, XML2, OFSI1, OFSI2] {
            let bytes = std::fs::read(fixture(rel)).unwrap();
            for cut in (0..bytes.len()).step_by(13) {
                let mut damaged = bytes.clone();
                damaged.truncate(cut);
                let input = Input::single(rel, damaged.clone());
                let _ = (parse_fcdo_csv(&input), parse_fcdo_xml(&input));
                let _ = parse_ofsi_csv(&input);
                if let Some(b) = damaged.get_mut(cut / 2) {
                    *b = b'<';
                }
                let input = Input::single(rel, damaged);
                let _ = (parse_fcdo_csv(&input), parse_fcdo_xml(&input));
                let _ = (parse_ofsi_csv(&input), recognise(&input.primary.bytes));
            }
        }
    }

    #[test]
    fn keys_are_snake_case() {
        assert_eq!(extra_key("TownOfBirth"), "town_of_birth");
        assert_eq!(extra_key("IMONumber"), "imo_number");
        assert_eq!(extra_key("Name non-latin script"), "name_non_latin_script");
        assert_eq!(extra_key("D.O.B"), "dob");
        assert_eq!(extra_key("Nationality(/ies)"), "nationality");
        assert_eq!(extra_key("OFSIGroupID"), "ofsi_group_id");
        assert_eq!(extra_key("UNReferenceNumber"), "un_reference_number");
        assert_eq!(
            extra_key("Hull identification number (HIN)"),
            "hull_identification_number"
        );
    }
}
