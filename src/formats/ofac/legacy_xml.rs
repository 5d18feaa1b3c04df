//! OFAC legacy XML (`sdnList`): `SDN.XML` and the non-SDN `consolidated.xml`.
//!
//! Root `<sdnList>` (namespace `http://tempuri.org/sdnList.xsd`; OFAC's newer service writes
//! `https://sanctionslistservice.ofac.treas.gov/.../exports/XML` with the same elements), then
//! `<publshInformation>` (sic) with `Publish_Date` (`MM/DD/YYYY`) and `Record_Count`, then one
//! `<sdnEntry>` per listed party. The key `<uid>` is the legacy CSV's `ent_num`, and every
//! entry is mapped to exactly what `ofac-sdn-csv` gives for the same publication's CSV row (same
//! list ids, so a history may mix CSV and XML publications): name as `LAST, First`, addresses
//! joined the CSV's way, `alt_types` for non-a.k.a. names, the CSV's `extra` keys for title and
//! vessel data, tonnages with thousands separators (`99,144`), double quotes written as single
//! ones (`Maker Tower 'F'`), and `reason` built as OFAC builds the CSV's `Remarks` from the
//! structured elements ([`Composite`]): `DOB …; alt. DOB …; POB …; nationality …; citizen …;`
//! the `idList` rows (`Passport X (Country) issued D expires D`, `Website …`, `Additional
//! Sanctions Information - …`; a repeated type is `alt. Type`; types in [`super::ID_TYPE_ORDER`], one
//! type's rows in uid order), the title, the `<remarks>` text, weak names (`a.k.a. 'X'`), and
//! the remarks' `(Linked To: X)` parts as `Linked To: X`, ending with a full stop. On the real
//! consolidated list of 2018-04-06 all 639 entries are identical to the CSV's.
//!
//! SDN.XML and consolidated.xml have the same layout and no element naming the list. The
//! non-SDN list is told by its content: more than half of its entries carry a non-SDN marker
//! (a non-SDN program tag such as `NS-PLC`, `FSE-SY`, `561List`, `CMIC-EO13959`, or an
//! identity-document row "Additional Sanctions Information - Not on the SDN List…" or
//! "Executive Order 13662 Directive Determination -"). Every real consolidated list carries one
//! on 97–100 % of its entries; real SDN lists on under 1 %.
//!
//! The file is streamed through the shared XML reader; only the entries are kept.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{
    CONS_LIST, Composite, Fields, IdRow, SDN_LIST, alt_type, csv_address, csv_name, csv_quotes,
    csv_tonnage, is_non_sdn_program,
};
use crate::formats::naming::snake_case;
use crate::formats::read::xml::{ElementEvent, ElementStream, XmlReader, XmlRules, root_element};
use crate::formats::registry::{
    Capabilities, Entries, FormatDescriptor, Recognised, Recogniser, Shape,
};
use crate::formats::{FormatError, Input, Location, ParseResult, ParsedPublication, dates, frozen};
use crate::model::{Entry, EntryId, EntryType, text};

/// The `ofac-xml` format.
pub(crate) static LEGACY_XML: FormatDescriptor = FormatDescriptor {
    name: "ofac-xml",
    description: "OFAC legacy XML sdnList (SDN.XML, consolidated.xml)",
    list_ids: "us-ofac-sdn (SDN.XML), us-ofac-cons (consolidated.xml, told by its non-SDN program tags and markers)",
    key: "uid (= ent_num)",
    reason_fields: "programList/program → programs, the CSV's Remarks composite (birth data, nationality, idList, title, remarks, weak a.k.a.s) → reason",
    // 2: a file that is not UTF-8 (and declares no other encoding) used to be read again
    // whole as Windows-1252; it is now UTF-8 up to its first byte that is not, Windows-1252
    // from there, so a file mixing the two reads differently.
    parser_version: 2,
    recogniser: Some(Recogniser {
        shape: Shape::Xml,
        order: 0,
        test: recognise,
    }),
    parse,
    capabilities: Capabilities {
        streams: true,
        entries: Entries::AfterWholeRead,
        ..Capabilities::NONE
    },
};

/// Reads one input.
pub(crate) fn parse(input: &Input) -> ParseResult {
    let file = input.primary.name.as_str();
    let mut xml = ElementStream::rooted(
        XmlReader::open(&input.primary, XmlRules::STRICT)?,
        "sdnList",
        "OFAC's legacy XML (SDN.XML / consolidated.xml)",
    );
    let mut warnings = Vec::new();

    let mut path: Vec<String> = Vec::new();
    let mut publish_date: Option<String> = None;
    let mut record_count: Option<String> = None;
    let mut raw: Option<RawEntry> = None;
    let mut entries: Vec<Entry> = Vec::new();
    let mut marked = 0usize;

    loop {
        match xml.next()? {
            ElementEvent::Start { name, .. } => {
                if path.len() == 1 && name == "sdnEntry" {
                    xml.begin_record();
                    raw = Some(RawEntry::default());
                } else if let Some(r) = raw.as_mut() {
                    // Inside an entry: a new sub-record starts at depth 3 (list/item).
                    if path.len() == 3 {
                        r.subs.push((path[2].clone(), name.clone(), Vec::new()));
                    }
                }
                path.push(name);
            }
            ElementEvent::End { name, text } => {
                let depth = path.len();
                if let Some(r) = raw.as_mut() {
                    // path = [sdnList, sdnEntry, ...]
                    match depth {
                        2 => {
                            let number = entries.len() as u64 + 1;
                            let r = raw.take().unwrap_or_default();
                            if r.is_marked() {
                                marked += 1;
                            }
                            entries.push(frozen(r.into_entry(file, number)?));
                        }
                        3 => r.fields.push((name.clone(), text)),
                        4 => match path.get(2).map(String::as_str) {
                            Some("programList") => r.programs.push(text),
                            Some("vesselInfo") => r.vessel.push((name.clone(), text)),
                            _ => {}
                        },
                        5 => {
                            if let Some((_, _, fields)) = r.subs.last_mut() {
                                fields.push((name.clone(), text));
                            }
                        }
                        _ => {}
                    }
                } else if depth == 3 && path.get(1).map(String::as_str) == Some("publshInformation")
                {
                    match name.as_str() {
                        "Publish_Date" => publish_date = Some(text),
                        "Record_Count" => record_count = Some(text),
                        _ => {}
                    }
                }
                path.pop();
            }
            ElementEvent::Eof => break,
        }
    }

    let (stated_date, stated_date_text) = match publish_date.as_deref().map(str::trim) {
        None | Some("") => (None, None),
        Some(text) => match dates::ofac_publish_date(text) {
            Some(date) => (Some(date), Some(text.to_string())),
            None => {
                return Err(FormatError::new(
                    file,
                    Location::File,
                    format!(
                        "<Publish_Date> {} is not a date: OFAC writes MM/DD/YYYY (the file looks damaged)",
                        crate::formats::quoted(text)
                    ),
                ));
            }
        },
    };
    warnings.extend(xml.reader().decode_warning());
    if let Some(count) = record_count.as_deref().map(str::trim)
        && count.parse::<usize>().ok() != Some(entries.len())
    {
        warnings.push(format!(
            "{file}: <Record_Count> says {count} records but the file holds {} <sdnEntry> elements: is the file complete?",
            entries.len()
        ));
    }

    let list_id = if marked * 2 > entries.len() {
        CONS_LIST
    } else {
        SDN_LIST
    };
    let publication = ParsedPublication::snapshot(
        file,
        list_id,
        entries,
        (stated_date, stated_date_text),
        |_| None,
    )?;
    Ok((vec![publication], warnings))
}

/// One `<sdnEntry>` as read, before mapping.
#[derive(Default)]
struct RawEntry {
    /// Leaf children of `sdnEntry` (`uid`, `lastName`, `sdnType`, …), in file order.
    fields: Vec<(String, String)>,
    /// `programList/program`.
    programs: Vec<String>,
    /// `vesselInfo/*`.
    vessel: Vec<(String, String)>,
    /// Sub-records: (list element, item element, leaf children).
    subs: Vec<(String, String, Fields)>,
}

/// The value of `key` among `fields`, trimmed, when not empty.
fn get<'a>(fields: &'a [(String, String)], key: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// Vessel elements and the `extra` keys the CSV uses for them.
const VESSEL_KEYS: [(&str, &str); 6] = [
    ("callSign", "call_sign"),
    ("vesselType", "vess_type"),
    ("vesselFlag", "vess_flag"),
    ("vesselOwner", "vess_owner"),
    ("tonnage", "tonnage"),
    ("grossRegisteredTonnage", "grt"),
];

impl RawEntry {
    /// True when the entry carries a marker of the non-SDN consolidated list.
    fn is_marked(&self) -> bool {
        self.programs.iter().any(|p| is_non_sdn_program(p))
            || self.subs.iter().any(|(list, _, fields)| {
                list == "idList"
                    && (get(fields, "idType")
                        .is_some_and(|t| t.contains("Directive Determination"))
                        || get(fields, "idNumber")
                            .is_some_and(|n| n.contains("Not on the SDN List")))
            })
    }

    /// Maps the entry the way the legacy CSV maps the same record.
    fn into_entry(self, file: &str, number: u64) -> Result<Entry, FormatError> {
        let mut entry = self.identified(file, number)?;
        entry.programs = self.programs.clone();
        let mut composite = Composite {
            remarks: get(&self.fields, "remarks").map(str::to_string),
            title: get(&self.fields, "title").map(str::to_string),
            ..Composite::default()
        };
        self.leaves_into(&mut entry);
        let mut subs = SubRecords::default();
        for (list, item, fields) in &self.subs {
            subs.read(&mut entry, &mut composite, list, item, fields);
        }
        subs.finish(&mut entry, composite);
        csv_quotes(&mut entry);
        Ok(entry)
    }

    /// The entry with its id (`uid`), name and type.
    fn identified(&self, file: &str, number: u64) -> Result<Entry, FormatError> {
        let located = |message: String| {
            FormatError::new(file, Location::Record { number, line: None }, message)
        };
        let uid = get(&self.fields, "uid").ok_or_else(|| {
            located("this <sdnEntry> has no <uid>: the entry number is the key".into())
        })?;
        if !uid.bytes().all(|b| b.is_ascii_digit()) {
            return Err(located(format!(
                "<uid> {} is not a number: OFAC's uid is the entry number",
                crate::formats::quoted(uid)
            )));
        }
        let id = EntryId::new(uid).map_err(|e| located(e.to_string()))?;
        let name = csv_name(
            get(&self.fields, "lastName"),
            get(&self.fields, "firstName"),
        );
        let mut entry = Entry::new(id, name);
        match get(&self.fields, "sdnType") {
            None => entry.entry_type = Some(EntryType::Entity),
            Some(label) => match EntryType::parse(label) {
                Some(t) => entry.entry_type = Some(t),
                None => {
                    entry
                        .extra
                        .insert("sdn_type".into(), Value::String(label.into()));
                }
            },
        }
        Ok(entry)
    }

    /// The entry's other leaves (the title, and anything a future layout adds) and its vessel
    /// data, under the CSV's keys.
    fn leaves_into(&self, entry: &mut Entry) {
        for (key, value) in &self.fields {
            if matches!(
                key.as_str(),
                "uid" | "lastName" | "firstName" | "sdnType" | "remarks"
            ) {
                continue;
            }
            insert_text(entry.extra.map_mut(), &snake_case(key), value);
        }
        for (key, value) in &self.vessel {
            let extra_key = VESSEL_KEYS
                .iter()
                .find(|(k, _)| k == key)
                .map_or_else(|| snake_case(key), |(_, e)| e.to_string());
            let value = if matches!(extra_key.as_str(), "tonnage" | "grt") {
                csv_tonnage(value)
            } else {
                value.clone()
            };
            insert_text(entry.extra.map_mut(), &extra_key, &value);
        }
    }
}

/// What an entry's sub-records (`akaList/aka`, `addressList/address`, `idList/id`, birth data,
/// nationality, citizenship, anything else) give, gathered in file order.
#[derive(Default)]
struct SubRecords {
    /// The CSV's `alt_types`: name → `fka`/`nka`.
    alt_types: Map<String, Value>,
    /// Birth dates and places, nationalities, citizenships, by composite key.
    people: BTreeMap<&'static str, Vec<String>>,
    /// What the CSV does not write, by `extra` key.
    others: BTreeMap<String, Vec<Value>>,
}

impl SubRecords {
    /// Reads one sub-record (list element, item element, leaves) into the entry.
    fn read(
        &mut self,
        entry: &mut Entry,
        composite: &mut Composite,
        list: &str,
        item: &str,
        fields: &[(String, String)],
    ) {
        match (list, item) {
            ("akaList", "aka") => self.aka(entry, composite, fields),
            ("addressList", "address") => self.address(entry, fields),
            ("idList", "id") => self.id(composite, fields),
            (_, "dateOfBirthItem") => push_person(&mut self.people, "date_of_birth", fields),
            (_, "placeOfBirthItem") => push_person(&mut self.people, "place_of_birth", fields),
            (_, "nationality") => push_person(&mut self.people, "nationality", fields),
            (_, "citizenship") => push_person(&mut self.people, "citizenship", fields),
            _ => {
                let object = object_without(fields, &["uid"]);
                if !object.is_empty() {
                    self.others
                        .entry(snake_case(item))
                        .or_default()
                        .push(Value::Object(object));
                }
            }
        }
    }

    /// A name: an alias (its type in `alt_types` unless `a.k.a.`), or, when weak, a part of
    /// the remarks (`a.k.a. 'X'`).
    fn aka(&mut self, entry: &mut Entry, composite: &mut Composite, fields: &[(String, String)]) {
        let Some(name) =
            text::normalize(&csv_name(get(fields, "lastName"), get(fields, "firstName")))
        else {
            return;
        };
        let label = get(fields, "type").unwrap_or("a.k.a.");
        let kind = alt_type(label);
        if get(fields, "category").is_some_and(|c| c.eq_ignore_ascii_case("weak")) {
            composite.weak_akas.push((label.to_string(), name));
        } else {
            if kind != "aka" {
                self.alt_types.insert(name.clone(), Value::String(kind));
            }
            entry.aliases.push(name);
        }
    }

    /// An address, joined the CSV's way, and its country; other leaves go to
    /// `address_other`.
    fn address(&mut self, entry: &mut Entry, fields: &[(String, String)]) {
        let lines: Vec<&str> = ["address1", "address2", "address3"]
            .into_iter()
            .filter_map(|k| get(fields, k))
            .collect();
        let country = get(fields, "country");
        if let Some(address) = csv_address(
            &lines,
            get(fields, "city"),
            get(fields, "stateOrProvince"),
            get(fields, "postalCode"),
            country,
        ) {
            entry.addresses.push(address);
        }
        if let Some(country) = country {
            entry.countries.push(country.to_string());
        }
        let rest = object_without(
            fields,
            &[
                "uid",
                "address1",
                "address2",
                "address3",
                "city",
                "stateOrProvince",
                "postalCode",
                "country",
            ],
        );
        if !rest.is_empty() {
            self.others
                .entry("address_other".into())
                .or_default()
                .push(Value::Object(rest));
        }
    }

    /// An identity row of the remarks; what the CSV does not write goes to `id_other`.
    fn id(&mut self, composite: &mut Composite, fields: &[(String, String)]) {
        if let Some(kind) = get(fields, "idType") {
            composite.ids.push(IdRow {
                kind: kind.to_string(),
                number: get(fields, "idNumber").unwrap_or("").to_string(),
                country: get(fields, "idCountry").map(str::to_string),
                issued: get(fields, "issueDate").map(str::to_string),
                expires: get(fields, "expirationDate").map(str::to_string),
                order: get(fields, "uid")
                    .and_then(|u| u.parse().ok())
                    .unwrap_or(u64::MAX),
            });
        }
        // Anything the CSV does not write (an id without a type, new elements).
        let known: &[&str] = if get(fields, "idType").is_some() {
            &[
                "uid",
                "idType",
                "idNumber",
                "idCountry",
                "issueDate",
                "expirationDate",
            ]
        } else {
            &["uid"]
        };
        let rest = object_without(fields, known);
        if !rest.is_empty() {
            self.others
                .entry("id_other".into())
                .or_default()
                .push(Value::Object(rest));
        }
    }

    /// Puts what was gathered into the entry: `alt_types`, the remarks composed as the CSV's
    /// (with the birth data and the like), the other sub-records.
    fn finish(self, entry: &mut Entry, mut composite: Composite) {
        if !self.alt_types.is_empty() {
            entry
                .extra
                .insert("alt_types".into(), Value::Object(self.alt_types));
        }
        for (key, values) in self.people {
            match key {
                "date_of_birth" => composite.dates_of_birth = values,
                "place_of_birth" => composite.places_of_birth = values,
                "nationality" => composite.nationalities = values,
                _ => composite.citizenships = values,
            }
        }
        entry.reason = composite.remarks();
        for (key, values) in self.others {
            entry.extra.insert(key, Value::Array(values));
        }
    }
}

/// Adds a date/place of birth, nationality or citizenship item under `key` (file order, as
/// the CSV writes them; `mainEntry` is not used by the CSV).
fn push_person(
    people: &mut BTreeMap<&'static str, Vec<String>>,
    key: &'static str,
    fields: &[(String, String)],
) {
    let value_key = match key {
        "date_of_birth" => "dateOfBirth",
        "place_of_birth" => "placeOfBirth",
        _ => "country",
    };
    if let Some(value) = get(fields, value_key) {
        people.entry(key).or_default().push(value.to_string());
    }
}

/// The leaves of a sub-record as a JSON object keyed by snake_case names, without `skip`.
fn object_without(fields: &[(String, String)], skip: &[&str]) -> Map<String, Value> {
    fields
        .iter()
        .filter(|(k, v)| !skip.contains(&k.as_str()) && !v.trim().is_empty())
        .map(|(k, v)| (snake_case(k), Value::String(v.trim().to_string())))
        .collect()
}

/// Inserts a text value; a repeated key becomes an array.
fn insert_text(extra: &mut BTreeMap<String, Value>, key: &str, value: &str) {
    let value = value.trim();
    if value.is_empty() {
        return;
    }
    match extra.get_mut(key) {
        None => {
            extra.insert(key.to_string(), Value::String(value.to_string()));
        }
        Some(Value::Array(items)) => items.push(Value::String(value.to_string())),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, Value::String(value.to_string())]);
        }
    }
}

/// Recognises the format from the start of a file (`head`: at most its first 64 KiB, with any
/// byte-order mark and leading white space removed).
fn recognise(head: &[u8]) -> Option<Recognised> {
    (root_element(head)?.local == "sdnList").then_some(Recognised::This)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::Format;
    use crate::formats::InputFile;
    use crate::formats::entry_by_id as by_id;
    use crate::formats::snapshot_entries as entries;
    use chrono::NaiveDate;
    use serde_json::json;
    use std::path::PathBuf;

    fn input(bytes: &[u8]) -> Input {
        Input::single("SDN.XML", bytes.to_vec())
    }

    /// A real published file (see [`crate::formats::real_data`]).
    fn real(rel: &str) -> PathBuf {
        crate::formats::real_data(rel)
    }

    fn fixture(name: &str) -> Input {
        let path = PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/ofac-xml"
        ))
        .join(name);
        Input::single(path.display().to_string(), std::fs::read(&path).unwrap())
    }

    const SAMPLE: &str = r#"<?xml version="1.0" standalone="yes"?>
<sdnList xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://tempuri.org/sdnList.xsd">
  <publshInformation>
    <Publish_Date>03/04/2024</Publish_Date>
    <Record_Count>2</Record_Count>
  </publshInformation>
  <sdnEntry>
    <uid>7513</uid>
    <firstName>Emmerson Dambudzo</firstName>
    <lastName>MNANGAGWA</lastName>
    <title>President</title>
    <sdnType>Individual</sdnType>
    <remarks>(Linked To: X &amp; Y)</remarks>
    <programList><program>GLOMAG</program><program>ZIMBABWE</program></programList>
    <idList>
      <id><uid>1</uid><idType>Passport</idType><idNumber>AD001</idNumber><idCountry>Zimbabwe</idCountry></id>
    </idList>
    <akaList>
      <aka><uid>2</uid><type>a.k.a.</type><category>strong</category><lastName>MNANGAGWA</lastName><firstName>Emmerson</firstName></aka>
      <aka><uid>3</uid><type>f.k.a.</type><category>strong</category><lastName>OLD</lastName></aka>
      <aka><uid>4</uid><type>a.k.a.</type><category>weak</category><lastName>CROCODILE</lastName></aka>
    </akaList>
    <addressList>
      <address><uid>5</uid><address1>1 Road</address1><address2>Suite 2</address2><city>Harare</city><stateOrProvince>Mashonaland</stateOrProvince><postalCode>0001</postalCode><country>Zimbabwe</country></address>
      <address><uid>6</uid><stateOrProvince>Gaza</stateOrProvince><country>Palestinian</country></address>
    </addressList>
    <nationalityList><nationality><uid>7</uid><country>Zimbabwe</country><mainEntry>true</mainEntry></nationality></nationalityList>
    <dateOfBirthList>
      <dateOfBirthItem><uid>8</uid><dateOfBirth>1942</dateOfBirth><mainEntry>false</mainEntry></dateOfBirthItem>
      <dateOfBirthItem><uid>9</uid><dateOfBirth>15 Sep 1942</dateOfBirth><mainEntry>true</mainEntry></dateOfBirthItem>
    </dateOfBirthList>
    <placeOfBirthList><placeOfBirthItem><uid>10</uid><placeOfBirth>Zvishavane</placeOfBirth><mainEntry>true</mainEntry></placeOfBirthItem></placeOfBirthList>
  </sdnEntry>
  <sdnEntry>
    <uid>15036</uid>
    <lastName>SHONA</lastName>
    <sdnType>Vessel</sdnType>
    <programList><program>IRAN</program></programList>
    <vesselInfo><callSign>T2EU4</callSign><vesselType>Tanker</vesselType><vesselFlag>Tanzania</vesselFlag><tonnage>99144</tonnage><grossRegisteredTonnage>56068</grossRegisteredTonnage></vesselInfo>
  </sdnEntry>
</sdnList>
"#;

    #[test]
    fn maps_every_field_like_the_csv() {
        let (pubs, warnings) = parse(&input(SAMPLE.as_bytes())).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let p = &pubs[0];
        assert_eq!(p.list.as_str(), "us-ofac-sdn");
        assert_eq!(p.stated_date, NaiveDate::from_ymd_opt(2024, 3, 4));
        assert_eq!(p.stated_date_text.as_deref(), Some("03/04/2024"));
        let es = entries(&pubs);
        assert_eq!(es.len(), 2);
        let m = by_id(es, "7513");
        assert_eq!(m.name, "MNANGAGWA, Emmerson Dambudzo");
        assert_eq!(m.entry_type, Some(EntryType::Individual));
        assert_eq!(m.programs, vec!["GLOMAG", "ZIMBABWE"]);
        // The CSV's Remarks: birth data, ids, title, remarks, weak names, links.
        assert_eq!(
            m.reason.as_deref(),
            Some(
                "DOB 1942; alt. DOB 15 Sep 1942; POB Zvishavane; nationality Zimbabwe; \
                 Passport AD001 (Zimbabwe); President; a.k.a. 'CROCODILE'; Linked To: X & Y."
            )
        );
        assert_eq!(m.aliases, vec!["MNANGAGWA, Emmerson", "OLD"]);
        assert_eq!(m.extra["alt_types"], json!({"OLD": "fka"}));
        assert_eq!(
            m.addresses,
            vec![
                "1 Road, Suite 2, Harare, Mashonaland 0001, Zimbabwe",
                "Gaza, Palestinian"
            ]
        );
        assert_eq!(m.countries, vec!["Palestinian", "Zimbabwe"]);
        assert_eq!(m.extra["title"], json!("President"));
        // Only the CSV's keys: the rest is in the reason, as in the CSV.
        assert_eq!(
            m.extra.keys().collect::<Vec<_>>(),
            vec!["alt_types", "title"]
        );
        assert!(!m.extra.contains_key("uid"));

        let ship = by_id(es, "15036");
        assert_eq!(ship.entry_type, Some(EntryType::Vessel));
        assert_eq!(
            serde_json::to_value(&ship.extra).unwrap(),
            json!({"call_sign": "T2EU4", "vess_type": "Tanker", "vess_flag": "Tanzania",
                   "tonnage": "99,144", "grt": "56,068"})
        );
    }

    #[test]
    fn record_count_mismatch_warns() {
        let short = SAMPLE.replace("<Record_Count>2<", "<Record_Count>3<");
        let (pubs, warnings) = parse(&input(short.as_bytes())).unwrap();
        assert_eq!(entries(&pubs).len(), 2);
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].contains("says 3 records but the file holds 2"),
            "{}",
            warnings[0]
        );
    }

    #[test]
    fn the_consolidated_list_is_told_by_its_markers() {
        let cons = SAMPLE
            .replace("<program>GLOMAG</program>", "<program>NS-PLC</program>")
            .replace("<program>IRAN</program>", "<program>FSE-SY</program>");
        let (pubs, _) = parse(&input(cons.as_bytes())).unwrap();
        assert_eq!(pubs[0].list.as_str(), "us-ofac-cons");
        // One marked entry of two is not a majority.
        let half = SAMPLE.replace("<program>IRAN</program>", "<program>NS-PLC</program>");
        let (pubs, _) = parse(&input(half.as_bytes())).unwrap();
        assert_eq!(pubs[0].list.as_str(), "us-ofac-sdn");
        assert!(is_non_sdn_program("561List") && is_non_sdn_program("fse-ir"));
        assert!(!is_non_sdn_program("SDGT") && !is_non_sdn_program("UKRAINE-EO13662"));
    }

    #[test]
    fn an_empty_list_is_an_empty_snapshot() {
        let empty = br#"<?xml version="1.0"?><sdnList xmlns="http://tempuri.org/sdnList.xsd"><publshInformation><Publish_Date>01/02/2020</Publish_Date><Record_Count>0</Record_Count></publshInformation></sdnList>"#;
        let (pubs, warnings) = parse(&input(empty)).unwrap();
        assert!(warnings.is_empty());
        assert!(entries(&pubs).is_empty());
        assert_eq!(pubs[0].stated_date, NaiveDate::from_ymd_opt(2020, 1, 2));
    }

    #[test]
    fn encodings_bom_and_latin1_are_read() {
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(SAMPLE.replace("SHONA", "CAF\u{C9}").as_bytes());
        let (pubs, _) = parse(&input(&bom)).unwrap();
        assert_eq!(by_id(entries(&pubs), "15036").name, "CAF\u{C9}");

        let latin1 = SAMPLE
            .replace(
                r#"<?xml version="1.0" standalone="yes"?>"#,
                r#"<?xml version="1.0" encoding="ISO-8859-1"?>"#,
            )
            .replace("SHONA", "CAF#");
        let bytes: Vec<u8> = latin1
            .bytes()
            .map(|b| if b == b'#' { 0xC9 } else { b })
            .collect();
        let (pubs, _) = parse(&input(&bytes)).unwrap();
        assert_eq!(by_id(entries(&pubs), "15036").name, "CAF\u{C9}");

        // No declared encoding and bytes that are not UTF-8: read as Windows-1252.
        let undeclared = SAMPLE.replace("SHONA", "CAF#");
        let bytes: Vec<u8> = undeclared
            .bytes()
            .map(|b| if b == b'#' { 0xC9 } else { b })
            .collect();
        let (pubs, _) = parse(&input(&bytes)).unwrap();
        assert_eq!(by_id(entries(&pubs), "15036").name, "CAF\u{C9}");

        // UTF-16 with a byte-order mark.
        let utf16 = SAMPLE
            .replace(r#"standalone="yes""#, r#"encoding="UTF-16""#)
            .replace("SHONA", "CAF\u{C9}");
        let mut bytes = vec![0xFF, 0xFE];
        for unit in utf16.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let (pubs, _) = parse(&input(&bytes)).unwrap();
        assert_eq!(by_id(entries(&pubs), "15036").name, "CAF\u{C9}");
    }

    #[test]
    fn damaged_files_are_located_errors() {
        let cut = &SAMPLE[..SAMPLE.len() / 2];
        let e = parse(&input(cut.as_bytes())).unwrap_err();
        assert_eq!(e.file, "SDN.XML");
        assert!(e.message.contains("truncated"), "{}", e.message);

        let bad = SAMPLE.replace(
            "</lastName>\n    <sdnType>Vessel",
            "</lastNam>\n    <sdnType>Vessel",
        );
        let e = parse(&input(bad.as_bytes())).unwrap_err();
        assert!(e.message.contains("not well-formed XML"), "{}", e.message);
        assert!(matches!(e.location, Location::LineColumn(_, _)), "{e}");

        let no_uid = SAMPLE.replace("<uid>15036</uid>", "");
        let e = parse(&input(no_uid.as_bytes())).unwrap_err();
        assert_eq!(
            e.location,
            Location::Record {
                number: 2,
                line: None
            }
        );
        assert!(e.message.contains("no <uid>"), "{}", e.message);

        let dup = SAMPLE.replace("<uid>15036</uid>", "<uid>7513</uid>");
        let e = parse(&input(dup.as_bytes())).unwrap_err();
        assert_eq!(
            e.location,
            Location::Record {
                number: 2,
                line: None
            }
        );
        assert!(e.message.contains("duplicate id \"7513\""), "{}", e.message);

        let date = SAMPLE.replace("03/04/2024", "2024-03-04");
        let e = parse(&input(date.as_bytes())).unwrap_err();
        assert!(e.message.contains("MM/DD/YYYY"), "{}", e.message);

        let other = br#"<?xml version="1.0"?><CONSOLIDATED_LIST/>"#;
        let e = parse(&input(other)).unwrap_err();
        assert!(e.message.contains("not <sdnList>"), "{}", e.message);
        assert!(parse(&input(b"")).is_err());
        assert!(parse(&input(b"\x00\xFF<<>")).is_err());
    }

    #[test]
    fn recognises_sdn_list_and_nothing_else() {
        assert_eq!(recognise(SAMPLE.as_bytes()), Some(Recognised::This));
        assert_eq!(
            recognise(b"<!-- c --><sdnList xmlns=\"https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML\">"),
            Some(Recognised::This)
        );
        for other in [
            &b"<?xml version=\"1.0\"?><Sanctions xmlns=\"https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML\">"[..],
            b"<CONSOLIDATED_LIST dateGenerated=\"2020-01-01\">",
            b"<export generationDate=\"2020\">",
            b"<sdnListing>",
            b"36,\"AEROCARIBBEAN AIRLINES\",-0- ",
            b"{\"list\": \"x\"}",
            b"<",
            b"",
        ] {
            assert_eq!(recognise(other), None, "{}", String::from_utf8_lossy(other));
        }
    }

    #[test]
    fn fixtures_give_two_dates_with_an_addition_a_removal_and_a_reason_change() {
        let (old, w1) = parse(&fixture("2024-03-01/SDN.XML")).unwrap();
        let (new, w2) = parse(&fixture("2024-03-04/SDN.XML")).unwrap();
        assert!(w1.is_empty() && w2.is_empty(), "{w1:?} {w2:?}");
        assert_eq!(old[0].stated_date, NaiveDate::from_ymd_opt(2024, 3, 1));
        assert_eq!(new[0].stated_date, NaiveDate::from_ymd_opt(2024, 3, 4));
        assert_eq!(old[0].list.as_str(), "us-ofac-sdn");
        let (old, new) = (entries(&old), entries(&new));
        let ids = |es: &[Entry]| {
            let mut ids = es.iter().map(|e| e.id.to_string()).collect::<Vec<_>>();
            ids.sort();
            ids
        };
        assert_eq!(ids(old), ["15036", "36", "7480", "7513"]);
        assert_eq!(ids(new), ["15036", "36", "7513", "99001"]);
        assert_eq!(
            by_id(new, "99001").addresses,
            vec!["Office 12, Example Tower, Dubai 12345, United Arab Emirates"]
        );
        assert_ne!(by_id(old, "7513").reason, by_id(new, "7513").reason);
        assert_eq!(by_id(old, "7513").programs, vec!["ZIMBABWE"]);
        assert_eq!(by_id(new, "7513").programs, vec!["GLOMAG"]);
    }

    /// The real consolidated.xml of 2018-04-06 against the CSV set of the same publication.
    #[test]
    fn real_consolidated_xml_matches_its_csv() {
        if !crate::formats::real_data_present() {
            return;
        }
        let dir = real("ofac-consolidated/2018-04-06");
        let read = |name: &str| InputFile {
            name: dir.join(name).display().to_string(),
            bytes: std::fs::read(dir.join(name)).unwrap(),
            stream_from: None,
        };
        let mut streamed = read("consolidated.xml");
        streamed.stream_from = Some(dir.join("consolidated.xml"));
        streamed.bytes.truncate(64 * 1024);
        let xml_input = Input {
            primary: streamed,
            companions: Vec::new(),
            options: Default::default(),
        };
        let (xml, warnings) = parse(&xml_input).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(xml[0].list.as_str(), "us-ofac-cons");
        assert_eq!(xml[0].stated_date, NaiveDate::from_ymd_opt(2018, 4, 6));
        assert_eq!(xml[0].stated_date_text.as_deref(), Some("04/06/2018"));
        let xml = entries(&xml);
        assert_eq!(xml.len(), 639);

        let mut companions = Vec::new();
        for (canonical, file) in [
            ("alt.csv", "cons_alt.csv"),
            ("add.csv", "cons_add.csv"),
            ("sdn_comments.csv", "cons_comments.csv"),
        ] {
            companions.push((canonical.to_string(), read(file)));
            companions.push((file.to_string(), read(file)));
        }
        let csv_input = Input {
            primary: read("cons_prim.csv"),
            companions,
            options: Default::default(),
        };
        // The legacy CSV set of the same publication, read through the registry.
        let csv = Format::from_name("ofac-cons-csv")
            .expect("the OFAC consolidated CSV format")
            .parse(&csv_input)
            .unwrap()
            .publications;
        let csv = entries(&csv);
        assert_eq!(csv.len(), 639);

        // Entry for entry, the XML gives what the CSV gives.
        let differing: Vec<String> = xml
            .iter()
            .zip(csv)
            .filter(|(x, c)| x != c)
            .map(|(x, _)| x.id.to_string())
            .collect();
        for (x, c) in xml.iter().zip(csv).filter(|(x, c)| x != c).take(3) {
            eprintln!("XML {x:#?}\nCSV {c:#?}");
        }
        assert!(differing.is_empty(), "entries that differ: {differing:?}");

        // The CSV's Remarks is composed from the XML's structured pieces.
        let first = by_id(xml, "15961");
        assert_eq!(first.name, "JASHNSAZ, Seifollah");
        assert!(
            first
                .reason
                .as_deref()
                .unwrap()
                .starts_with("DOB 22 Mar 1958; POB Behbahan, Iran; nationality Iran; Additional Sanctions Information - Not on the SDN List")
        );
        assert_eq!(
            by_id(xml, "4637")
                .reason
                .as_deref()
                .map(|r| r.rsplit("; ").next()),
            Some(Some("a.k.a. 'BIM'."))
        );
        assert!(!by_id(xml, "4637").aliases.contains(&"BIM".to_string()));
        assert!(
            by_id(xml, "15037")
                .reason
                .as_deref()
                .unwrap()
                .starts_with("Former Vessel Flag Malta; alt. Former Vessel Flag Tanzania; ")
        );
        assert_eq!(by_id(xml, "15036").extra["tonnage"], json!("99,144"));
        assert!(
            by_id(xml, "11625")
                .addresses
                .iter()
                .any(|a| a.contains("Maker Tower 'F'"))
        );
        assert_eq!(xml.iter().filter(|e| e.reason.is_some()).count(), 638);
    }
}
