//! EU Financial Sanctions Files (FSF), XML and CSV.
//!
//! **XML** (`xmlFullSanctionsList_1_1`): root `export` (namespace
//! `http://eu.europa.ec/fpi/fsd/export`) with `generationDate`
//! (`2024-12-11T21:24:35.826+01:00`) and `sanctionEntity` elements, almost everything in
//! attributes: `logicalId` (the key), `euReferenceNumber`, `unitedNationId`, `designationDate`,
//! `designationDetails`; children `remark`, `regulation` (`programme`, `numberTitle`,
//! `publicationUrl`, …), `subjectType`, `nameAlias`, `address`, `birthdate`, `identification`,
//! `citizenship`, each sub-record with its own `logicalId`, `remark` and `regulationSummary`.
//! Read as a stream, one `sanctionEntity` at a time (the files are 50–100 MB).
//!
//! **CSV** (`csvFullSanctionsList_1_1`): `;`-separated with a header, denormalised: one row
//! per name, address, birth date, identification or citizenship, the entity columns
//! (`fileGenerationDate`, `Entity_LogicalId`, `Entity_Regulation_*`, …) repeated on every row.
//! Rows are grouped into one entry per `Entity_LogicalId`; columns are found by name, never by
//! position (one variant says `Entity_UN_ReferenceNumber`).
//!
//! Both give the list `eu-fsf` and the same entry for the same data: sub-records are kept in
//! `extra` under the same keys (`name_alias`, `address`, `birthdate`, `identification`,
//! `citizenship`, with snake_case fields), sorted by their `logical_id`. What only the XML
//! states (`strong` on names, the regulation's own `logicalId`) appears only in XML entries.
//! The stated date is the date part of `generationDate` / `fileGenerationDate`
//! (`YYYY-MM-DD…` or `DD/MM/YYYY`), the text kept as written.

pub(super) mod csv;
pub(super) mod xml;

use serde_json::{Map, Value};

use super::{FormatError, Location, ParsedPublication, dates, frozen, list_id, record_error};
use crate::model::{Entry, EntryId, EntryType, PublicationContent};

/// The list both formats give.
pub(super) const LIST: &str = "eu-fsf";

/// The sub-records of an entity, by their key in `extra`.
pub(super) const BLOCKS: [(&str, &str, &str); 5] = [
    // (XML element, CSV column prefix, extra key)
    ("nameAlias", "NameAlias_", "name_alias"),
    ("address", "Address_", "address"),
    ("birthdate", "BirthDate_", "birthdate"),
    ("identification", "Identification_", "identification"),
    ("citizenship", "Citizenship_", "citizenship"),
];

/// One entity as read, before it becomes an entry.
#[derive(Debug, Default)]
pub(super) struct Draft {
    pub(super) id: String,
    /// Line where the entity starts (XML) or its first row (CSV).
    pub(super) line: u64,
    /// Entity-level values by snake_case key, each key's distinct values in file order.
    pub(super) attrs: Vec<(String, Vec<String>)>,
    pub(super) remarks: Vec<String>,
    pub(super) regulations: Vec<Map<String, Value>>,
    /// Sub-records by extra key.
    pub(super) blocks: Vec<(String, Vec<Map<String, Value>>)>,
}

impl Draft {
    pub(super) fn add_attr(&mut self, key: &str, value: &str) {
        if value.trim().is_empty() {
            return;
        }
        match self.attrs.iter_mut().find(|(k, _)| k == key) {
            Some((_, values)) => {
                if !values.iter().any(|v| v == value) {
                    values.push(value.to_string());
                }
            }
            None => self.attrs.push((key.to_string(), vec![value.to_string()])),
        }
    }

    pub(super) fn add_block(&mut self, key: &str, object: Map<String, Value>) {
        if object
            .values()
            .all(|v| v.as_str().is_some_and(|s| s.trim().is_empty()))
        {
            return;
        }
        match self.blocks.iter_mut().find(|(k, _)| k == key) {
            Some((_, items)) => {
                if !items.contains(&object) {
                    items.push(object);
                }
            }
            None => self.blocks.push((key.to_string(), vec![object])),
        }
    }

    pub(super) fn add_regulation(&mut self, object: Map<String, Value>) {
        if !object.is_empty() && !self.regulations.contains(&object) {
            self.regulations.push(object);
        }
    }

    pub(super) fn add_remark(&mut self, remark: &str) {
        if !remark.trim().is_empty() && !self.remarks.iter().any(|r| r == remark) {
            self.remarks.push(remark.to_string());
        }
    }

    pub(super) fn attr(&self, key: &str) -> &[String] {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map_or(&[], |(_, v)| v.as_slice())
    }
}

/// The key a sub-record field gets, the same for the XML attribute and the CSV column.
pub(super) fn field_key(snake_name: String) -> String {
    match snake_name.as_str() {
        "day_of_month" => "day".into(),
        "month_of_year" => "month".into(),
        "birth_date" => "birthdate".into(),
        "identification_type_code" => "type_code".into(),
        "identification_type_description" => "type_description".into(),
        "issue_date" => "issued_date".into(),
        _ => snake_name,
    }
}

/// The key of a regulation (summary) field: `regulation_type`, `regulation_number_title`, ….
pub(super) fn regulation_summary_key(snake_name: &str) -> String {
    if snake_name.starts_with("regulation_") {
        snake_name.to_string()
    } else {
        format!("regulation_{snake_name}")
    }
}

/// The key of an entity regulation field: `regulation_type`, `number_title`, `programme`, ….
pub(super) fn regulation_key(snake_name: &str) -> String {
    match snake_name {
        "type" => "regulation_type".into(),
        other => other.to_string(),
    }
}

/// The name a `name_alias` states: `whole_name`, else first, middle and last name.
fn alias_name(object: &Map<String, Value>) -> String {
    let get = |k: &str| object.get(k).and_then(Value::as_str).unwrap_or("").trim();
    let whole = get("whole_name");
    if !whole.is_empty() {
        return whole.to_string();
    }
    ["first_name", "middle_name", "last_name"]
        .iter()
        .map(|k| get(k))
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Orders sub-records by their `logical_id` (numerically), then by content.
fn sort_by_logical_id(items: &mut [Map<String, Value>]) {
    let key = |m: &Map<String, Value>| {
        let id = m.get("logical_id").and_then(Value::as_str).unwrap_or("");
        (
            id.trim().parse::<u64>().unwrap_or(u64::MAX),
            id.to_string(),
            Value::Object(m.clone()).to_string(),
        )
    };
    items.sort_by_cached_key(key);
}

/// The entry of one entity.
pub(super) fn build_entry(mut draft: Draft) -> Result<Entry, String> {
    let id = EntryId::new(draft.id.trim())
        .map_err(|e| format!("logicalId {}: {e}", crate::formats::quoted(&draft.id)))?;
    // Names, in file order: the first is the name, the others aliases.
    let names: Vec<String> = draft
        .blocks
        .iter()
        .filter(|(k, _)| k == "name_alias")
        .flat_map(|(_, items)| items.iter().map(alias_name))
        .filter(|n| !n.is_empty())
        .collect();
    let mut entry = Entry::new(id, names.first().cloned().unwrap_or_default());
    entry.aliases = names.into_iter().skip(1).collect();
    let subject = draft.attr("subject_type").first().map(String::as_str);
    let class = draft
        .attr("classification_code")
        .first()
        .map(String::as_str);
    entry.entry_type = match (subject, class) {
        (Some(s), _) if s.eq_ignore_ascii_case("person") => Some(EntryType::Individual),
        (Some(s), _) if s.eq_ignore_ascii_case("enterprise") => Some(EntryType::Entity),
        (_, Some("P")) => Some(EntryType::Individual),
        (_, Some("E")) => Some(EntryType::Entity),
        (Some(s), _) => EntryType::parse(s),
        _ => None,
    };
    let text = |m: &Map<String, Value>, k: &str| -> String {
        m.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let country = |m: &Map<String, Value>| -> Option<String> {
        let description = text(m, "country_description");
        let code = text(m, "country_iso2_code");
        let known = |s: &str| !s.is_empty() && s != "00" && !s.eq_ignore_ascii_case("UNKNOWN");
        if known(&description) {
            Some(description)
        } else if known(&code) {
            Some(code)
        } else {
            None
        }
    };
    for (key, items) in &mut draft.blocks {
        match key.as_str() {
            "citizenship" => entry.countries.extend(items.iter().filter_map(country)),
            "address" => {
                for address in items.iter() {
                    entry.countries.extend(country(address));
                    let parts: Vec<String> = [
                        "street",
                        "po_box",
                        "zip_code",
                        "city",
                        "region",
                        "place",
                        "country_description",
                    ]
                    .iter()
                    .map(|k| text(address, k))
                    .filter(|p| !p.is_empty())
                    .collect();
                    entry.addresses.push(parts.join(", "));
                }
            }
            _ => {}
        }
        sort_by_logical_id(items);
    }
    // Regulations: programme → programs; the act and its dates → one citation each.
    let mut leftovers = Vec::new();
    for regulation in &draft.regulations {
        let mut rest = regulation.clone();
        let programme = text(regulation, "programme");
        if !programme.is_empty() {
            entry.programs.push(programme);
        }
        let mut parts = Vec::new();
        for (k, label) in [
            ("number_title", ""),
            ("regulation_type", ""),
            ("organisation_type", ""),
            ("publication_date", "published "),
            ("entry_into_force_date", "in force "),
            ("publication_url", ""),
        ] {
            let value = text(regulation, k);
            if !value.is_empty() {
                parts.push(format!("{label}{value}"));
            }
            rest.remove(k);
        }
        rest.remove("programme");
        if !parts.is_empty() {
            entry.citations.push(parts.join(", "));
        }
        if !rest.is_empty() {
            leftovers.push(rest);
        }
    }
    if !leftovers.is_empty() {
        sort_by_logical_id(&mut leftovers);
        entry.extra.insert(
            "regulation".into(),
            Value::Array(leftovers.into_iter().map(Value::Object).collect()),
        );
    }
    if !draft.remarks.is_empty() {
        entry.reason = Some(draft.remarks.join("\n"));
    }
    for (key, values) in &draft.attrs {
        if let (true, [only]) = (key == "designation_date", values.as_slice()) {
            entry.listed_on = dates::eu(only);
            if dates::iso(only).is_some() {
                continue;
            }
        }
        let value = match values.as_slice() {
            [only] => Value::String(only.clone()),
            many => Value::Array(many.iter().cloned().map(Value::String).collect()),
        };
        entry.extra.insert(key.clone(), value);
    }
    for (key, items) in draft.blocks {
        entry.extra.insert(
            key,
            Value::Array(items.into_iter().map(Value::Object).collect()),
        );
    }
    Ok(entry)
}

/// The publication of `drafts`, normalised.
pub(super) fn publication(
    file: &str,
    drafts: Vec<Draft>,
    stated_text: Option<String>,
) -> Result<ParsedPublication, FormatError> {
    let mut entries = Vec::with_capacity(drafts.len());
    let mut lines = Vec::with_capacity(drafts.len());
    for (index, draft) in drafts.into_iter().enumerate() {
        let line = draft.line;
        let entry = build_entry(draft).map_err(|message| {
            FormatError::new(
                file,
                Location::Record {
                    number: index as u64 + 1,
                    line: Some(line),
                },
                message,
            )
        })?;
        entries.push(frozen(entry));
        lines.push(line);
    }
    let content = PublicationContent::Snapshot(entries)
        .normalize()
        .map_err(|e| record_error(file, e, |i| lines.get(i).copied()))?;
    Ok(ParsedPublication {
        list: list_id(LIST),
        stated_date: stated_text.as_deref().and_then(dates::eu),
        stated_date_text: stated_text,
        source: None,
        content,
        columns: None,
    })
}

#[cfg(test)]
mod tests {
    use super::csv::parse_csv;
    use super::xml::parse_xml;
    use super::*;
    use crate::formats::{Input, ParseResult};
    use serde_json::json;
    use std::collections::BTreeMap;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn read(
        parse: fn(&Input) -> ParseResult,
        bytes: &[u8],
    ) -> Result<(ParsedPublication, Vec<String>), FormatError> {
        let (mut publications, warnings) = parse(&Input::single("eu", bytes.to_vec()))?;
        assert_eq!(publications.len(), 1);
        Ok((publications.remove(0), warnings))
    }

    fn entries(publication: &ParsedPublication) -> BTreeMap<String, Entry> {
        match &publication.content {
            PublicationContent::Snapshot(entries) => entries
                .iter()
                .map(|e| (e.id.as_str().to_string(), e.clone()))
                .collect(),
            PublicationContent::Amendment(_) => panic!("a snapshot was expected"),
        }
    }

    /// The entries of an XML fixture without what only the XML states (`strong`, the
    /// regulation's own logicalId).
    fn without_xml_only(mut entries: BTreeMap<String, Entry>) -> BTreeMap<String, Entry> {
        for entry in entries.values_mut() {
            entry.extra.remove("regulation");
            if let Some(Value::Array(aliases)) = entry.extra.get_mut("name_alias") {
                for alias in aliases {
                    if let Value::Object(alias) = alias {
                        alias.remove("strong");
                    }
                }
            }
        }
        entries
    }

    #[test]
    fn the_xml_maps_every_field() {
        let (publication, warnings) =
            read(parse_xml, &fixture("eu-fsf-xml/2025-03-14.xml")).unwrap();
        assert!(warnings.is_empty());
        assert_eq!(publication.list.as_str(), "eu-fsf");
        assert_eq!(publication.stated_date, dates::iso("2025-03-14"));
        assert_eq!(
            publication.stated_date_text.as_deref(),
            Some("2025-03-14T18:02:11.101+01:00")
        );
        let entries = entries(&publication);
        assert_eq!(entries.len(), 3);
        let karim = &entries["13"];
        assert_eq!(karim.name, "Karim Example Al-Sample");
        assert_eq!(karim.entry_type, Some(EntryType::Individual));
        assert_eq!(karim.aliases, vec!["Abu Sample"]);
        assert_eq!(karim.countries, vec!["IRAQ"]);
        assert_eq!(karim.programs, vec!["IRQ"]);
        assert_eq!(
            karim.citations,
            vec![
                "1210/2003 (OJ L169), regulation, commission, published 2003-07-08, in force 2003-07-07, http://eur-lex.europa.eu/LexUriServ/LexUriServ.do?uri=OJ:L:2003:169:0006:0023:EN:PDF&from=EN"
            ]
        );
        assert_eq!(karim.reason.as_deref(), Some("UNSC RESOLUTION 1483"));
        assert_eq!(karim.listed_on, dates::iso("2003-07-07"));
        assert!(!karim.extra.contains_key("designation_date"));
        assert_eq!(karim.extra["eu_reference_number"], "EU.27.28");
        assert_eq!(karim.extra["subject_type"], "person");
        assert_eq!(karim.extra["classification_code"], "P");
        assert_eq!(karim.extra["regulation"], json!([{"logical_id": "348"}]));
        assert_eq!(
            karim.extra["name_alias"][0],
            json!({
                "first_name": "Karim", "middle_name": "Example", "last_name": "Al-Sample",
                "whole_name": "Karim Example Al-Sample", "function": "Former minister",
                "gender": "M", "title": "Dr", "strong": "true", "regulation_language": "en",
                "logical_id": "17", "regulation_type": "regulation",
                "regulation_publication_date": "2003-07-08",
                "regulation_number_title": "1210/2003 (OJ L169)",
                "regulation_publication_url": "http://eur-lex.europa.eu/x"
            })
        );
        assert_eq!(karim.extra["name_alias"][1]["remark"], "nickname");
        assert_eq!(
            karim.extra["birthdate"],
            json!([{
                "circa": "false", "calendar_type": "GREGORIAN", "city": "Tikrit",
                "birthdate": "1937-04-28", "day": "28", "month": "4", "year": "1937",
                "country_iso2_code": "IQ", "country_description": "IRAQ",
                "regulation_language": "en", "logical_id": "1"
            }])
        );
        assert_eq!(karim.extra["identification"][0]["type_code"], "passport");
        assert_eq!(karim.extra["identification"][0]["number"], "A1234567");
        assert_eq!(karim.extra["identification"][0]["remark"], "(passport)");
        assert_eq!(
            karim.extra["citizenship"],
            json!([{"country_iso2_code": "IQ", "country_description": "IRAQ", "regulation_language": "en", "logical_id": "30"}])
        );
        let front = &entries["207"];
        assert_eq!(front.entry_type, Some(EntryType::Entity));
        assert_eq!(front.name, "Great Example Front");
        assert_eq!(front.aliases, vec!["GEF", "Grand Front d'Exemple"]);
        // Sub-records are ordered by logicalId, whatever the file order.
        assert_eq!(front.extra["name_alias"][1]["logical_id"], "328");
        let shipping = &entries["990001"];
        assert_eq!(
            shipping.addresses,
            vec!["1 Example Street, 101000, Moscow, RUSSIAN FEDERATION"]
        );
        assert_eq!(shipping.countries, vec!["RUSSIAN FEDERATION"]);
        assert_eq!(
            shipping.extra["address"][0]["contact_info"],
            "PHONE: +7 495 000 00 00"
        );
        assert_eq!(shipping.extra["address"][0]["as_at_listing_time"], "true");
        assert_eq!(shipping.extra["designation_details"], "Owned by the State");
        assert_eq!(
            shipping.reason.as_deref(),
            Some("Date of registration: 1.2.2002.")
        );
    }

    #[test]
    fn the_csv_gives_the_entries_of_the_xml() {
        for (date, text) in [("2025-03-14", "14/03/2025"), ("2025-04-01", "01/04/2025")] {
            let (xml, _) = read(parse_xml, &fixture(&format!("eu-fsf-xml/{date}.xml"))).unwrap();
            let (csv, warnings) =
                read(parse_csv, &fixture(&format!("eu-fsf-csv/{date}.csv"))).unwrap();
            assert!(warnings.is_empty(), "{warnings:?}");
            assert_eq!(csv.stated_date, dates::iso(date));
            assert_eq!(csv.stated_date_text.as_deref(), Some(text));
            assert_eq!(entries(&csv), without_xml_only(entries(&xml)), "{date}");
        }
    }

    #[test]
    fn two_dates_show_an_addition_a_removal_and_a_reason_change() {
        for (format, dir, ext) in [
            (parse_xml as fn(&Input) -> ParseResult, "eu-fsf-xml", "xml"),
            (parse_csv, "eu-fsf-csv", "csv"),
        ] {
            let (a, _) = read(format, &fixture(&format!("{dir}/2025-03-14.{ext}"))).unwrap();
            let (b, _) = read(format, &fixture(&format!("{dir}/2025-04-01.{ext}"))).unwrap();
            let (a, b) = (entries(&a), entries(&b));
            let added: Vec<&String> = b.keys().filter(|k| !a.contains_key(*k)).collect();
            let removed: Vec<&String> = a.keys().filter(|k| !b.contains_key(*k)).collect();
            assert_eq!(added, vec!["990002"]);
            assert_eq!(removed, vec!["990001"]);
            assert_eq!(a["13"], b["13"]);
            let (before, after) = (&a["207"], &b["207"]);
            assert_ne!(before.citations, after.citations);
            assert_eq!(
                after.citations,
                vec![
                    "2025/610 (OJ L 2025/610), amendment, council, published 2025-03-28, in force 2025-03-29, https://eur-lex.europa.eu/eli/reg/2025/610/oj"
                ]
            );
            assert_eq!(before.name, after.name);
            let ivan = &b["990002"];
            assert_eq!(ivan.aliases, vec!["Иван ПРИМЕРОВ"]);
            assert_eq!(ivan.countries, vec!["BELARUS"]);
            assert_eq!(ivan.programs, vec!["BLR"]);
        }
    }

    const HEADER: &str = "fileGenerationDate;Entity_LogicalId;Entity_EU_ReferenceNumber;Entity_DesignationDate;Entity_Remark;Entity_SubjectType;Entity_Regulation_Programme;Entity_Regulation_NumberTitle;NameAlias_WholeName;NameAlias_LogicalId;Address_City;Address_CountryDescription;Address_LogicalId\n";

    #[test]
    fn csv_rows_are_grouped_by_logical_id() {
        let csv = format!(
            "{HEADER}2025-05-02;5;EU.1.2;02/03/2024;Remark A;enterprise;RUS;2024/1 (OJ L1);Acme;51;;;\n\
             2025-05-02;6;EU.1.3;;;person;IRN;;Jane;61;;;\n\
             2025-05-02;5;EU.1.2;02/03/2024;Remark A;enterprise;RUS;2024/1 (OJ L1);;;Riga;LATVIA;52\n\
             2025-05-02;5;EU.1.2;02/03/2024;Remark A;enterprise;RUS;2024/1 (OJ L1);Acme Ltd;53;;;\n\
             2025-05-02;5;EU.1.2;02/03/2024;Remark A;enterprise;RUS;2024/1 (OJ L1);Acme Ltd;53;;;\n"
        );
        let (publication, warnings) = read(parse_csv, csv.as_bytes()).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(publication.stated_date, dates::iso("2025-05-02"));
        let entries = entries(&publication);
        assert_eq!(entries.len(), 2);
        let acme = &entries["5"];
        assert_eq!(acme.name, "Acme");
        assert_eq!(acme.aliases, vec!["Acme Ltd"]);
        assert_eq!(acme.addresses, vec!["Riga, LATVIA"]);
        assert_eq!(acme.countries, vec!["LATVIA"]);
        assert_eq!(acme.citations, vec!["2024/1 (OJ L1)"]);
        assert_eq!(acme.reason.as_deref(), Some("Remark A"));
        // DD/MM/YYYY is read, and the text kept.
        assert_eq!(acme.listed_on, dates::iso("2024-03-02"));
        assert_eq!(acme.extra["designation_date"], "02/03/2024");
        assert_eq!(acme.extra["name_alias"].as_array().map(Vec::len), Some(2));
        assert_eq!(entries["6"].entry_type, Some(EntryType::Individual));
    }

    #[test]
    fn conflicting_entity_values_are_kept_with_a_warning() {
        let csv = format!(
            "{HEADER}2025-05-02;5;EU.1.2;;;enterprise;RUS;;Acme;51;;;\n\
             2025-05-02;5;EU.1.9;;;enterprise;RUS;;Acme;51;;;\n"
        );
        let (publication, warnings) = read(parse_csv, csv.as_bytes()).unwrap();
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("eu_reference_number"), "{warnings:?}");
        assert_eq!(
            entries(&publication)["5"].extra["eu_reference_number"],
            json!(["EU.1.2", "EU.1.9"])
        );
    }

    #[test]
    fn xml_details() {
        let xml = r#"<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2025-01-02T10:00:00.000+01:00">
<sanctionEntity logicalId="1"><regulation programme="RUS" numberTitle="A"/><regulation programme="BLR" numberTitle="B"/><nameAlias wholeName="X" logicalId="2"/><remark>one</remark><remark>two</remark></sanctionEntity>
<sanctionEntity logicalId="1"><nameAlias wholeName="Y" logicalId="3"/><regulation programme="RUS" numberTitle="A"/></sanctionEntity>
</export>"#;
        let (publication, warnings) = read(parse_xml, xml.as_bytes()).unwrap();
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].contains(":3:") && warnings[0].contains("line 2"),
            "{warnings:?}"
        );
        let all = entries(&publication);
        let one = &all["1"];
        assert_eq!(one.programs, vec!["BLR", "RUS"]);
        assert_eq!(one.citations, vec!["A", "B"]);
        assert_eq!(one.name, "X");
        assert_eq!(one.aliases, vec!["Y"]);
        assert_eq!(one.reason.as_deref(), Some("one two"));
        let (publication, _) = read(
            parse_xml,
            b"<export generationDate=\"2025-01-02T00:00:00Z\"/>",
        )
        .unwrap();
        assert!(entries(&publication).is_empty());
        assert_eq!(publication.stated_date, dates::iso("2025-01-02"));
    }

    #[test]
    fn errors_say_where() {
        let xml = fixture("eu-fsf-xml/2025-03-14.xml");
        let end = memchr::memmem::rfind(&xml, b"</export>").unwrap();
        let cut = &xml[..end];
        let error = read(parse_xml, cut).unwrap_err();
        assert!(error.message.contains("cut short"), "{error}");
        let no_id = "<export>\n<sanctionEntity>\n</sanctionEntity></export>";
        let error = read(parse_xml, no_id.as_bytes()).unwrap_err();
        assert_eq!(
            error.location,
            Location::Record {
                number: 1,
                line: Some(2)
            }
        );
        let no_name = "<export>\n\n<sanctionEntity logicalId=\"4\"/></export>";
        let error = read(parse_xml, no_name.as_bytes()).unwrap_err();
        assert_eq!(
            error.location,
            Location::Record {
                number: 1,
                line: Some(3)
            }
        );
        assert!(
            read(parse_xml, b"<CONSOLIDATED_LIST/>")
                .unwrap_err()
                .message
                .contains("not an EU")
        );
        let csv = format!("{HEADER}2025-05-02;5;;;;;;;Acme;;;;\n2025-05-02;;;;;;;;Acme;;;;\n");
        let error = read(parse_csv, csv.as_bytes()).unwrap_err();
        assert_eq!(error.location, Location::Line(3));
        let error = read(parse_csv, b"a;b\n1;2\n").unwrap_err();
        assert!(error.message.contains("Entity_LogicalId"), "{error}");
        assert!(read(parse_csv, b"").is_err());
        let (publication, _) = read(parse_csv, HEADER.as_bytes()).unwrap();
        assert!(entries(&publication).is_empty());
        let quote = format!("{HEADER}2025-05-02;5;\"unterminated\n");
        let _ = read(parse_csv, quote.as_bytes());
        assert!(read(parse_xml, b"\xff\xfe\x00<").is_err());
    }

    #[test]
    fn encodings_are_decoded() {
        let mut latin1 = HEADER.as_bytes().to_vec();
        latin1.extend_from_slice(b"2025-05-02;5;;;;;;;Soci\xe9t\xe9;;;;\n");
        let (publication, _) = read(parse_csv, &latin1).unwrap();
        assert_eq!(entries(&publication)["5"].name, "Société");
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(format!("{HEADER}2025-05-02;5;;;;;;;Société;;;;\n").as_bytes());
        let (publication, _) = read(parse_csv, &bom).unwrap();
        assert_eq!(entries(&publication)["5"].name, "Société");
        assert_eq!(publication.stated_date, dates::iso("2025-05-02"));
    }

    /// The EU format a head is recognised as, each recogniser asked the way `detect` asks (by
    /// the head's shape).
    fn recognise(head: &[u8]) -> Option<&'static str> {
        if head.first() == Some(&b'<') {
            xml::recognise(head).map(|_| "eu-fsf-xml")
        } else {
            csv::recognise(head).map(|_| "eu-fsf-csv")
        }
    }

    #[test]
    fn recognises_only_eu_files() {
        let xml = fixture("eu-fsf-xml/2025-03-14.xml");
        assert_eq!(recognise(&xml), Some("eu-fsf-xml"));
        assert_eq!(
            recognise(b"<export><sanctionEntity logicalId=\"1\"/></export>"),
            Some("eu-fsf-xml")
        );
        let csv = fixture("eu-fsf-csv/2025-03-14.csv");
        assert_eq!(recognise(&csv[3..]), Some("eu-fsf-csv"));
        assert_eq!(recognise(HEADER.as_bytes()), Some("eu-fsf-csv"));
        assert_eq!(recognise(b"<export><item/></export>"), None);
        assert_eq!(recognise(b"<CONSOLIDATED_LIST dateGenerated=\"x\">"), None);
        assert_eq!(
            recognise(b"<sdnList xmlns=\"http://tempuri.org/sdnList.xsd\">"),
            None
        );
        assert_eq!(
            recognise(b"_id,source,entity_number,type,programs,name\n"),
            None
        );
        assert_eq!(
            recognise(b"36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\"\r\n"),
            None
        );
        assert_eq!(recognise(b"Entity_LogicalId\n"), None);
        assert_eq!(recognise(b"a;b;c\nEntity_LogicalId;x\n"), None);
        assert_eq!(recognise(b"{\"list\": 1}"), None);
        assert_eq!(recognise(b""), None);
    }

    #[test]
    fn names_become_snake_case() {
        assert_eq!(
            crate::formats::naming::snake_case("EU_ReferenceNumber"),
            "eu_reference_number"
        );
        assert_eq!(
            crate::formats::naming::snake_case("countryIso2Code"),
            "country_iso2_code"
        );
        assert_eq!(
            crate::formats::naming::snake_case("UnitedNationId"),
            "united_nation_id"
        );
        assert_eq!(
            crate::formats::naming::snake_case("asAtListingTime"),
            "as_at_listing_time"
        );
        assert_eq!(
            crate::formats::naming::snake_case("UN_ReferenceNumber"),
            "un_reference_number"
        );
        assert_eq!(dates::eu("14/03/2025"), dates::iso("2025-03-14"));
        assert_eq!(
            dates::eu("2025-03-14T18:02:11.101+01:00"),
            dates::iso("2025-03-14")
        );
        assert_eq!(dates::eu("31/02/2025"), None);
    }
}
