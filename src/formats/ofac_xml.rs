//! OFAC legacy XML (`sdnList`): `SDN.XML` and the non-SDN `consolidated.xml`.
//!
//! Root `<sdnList>` (namespace `http://tempuri.org/sdnList.xsd`; OFAC's newer service writes
//! `https://sanctionslistservice.ofac.treas.gov/.../exports/XML` with the same elements), then
//! `<publshInformation>` (sic) with `Publish_Date` (`MM/DD/YYYY`) and `Record_Count`, then one
//! `<sdnEntry>` per listed party. The key `<uid>` is the legacy CSV's `ent_num`, and every
//! entry is mapped to exactly what `ofac_csv` gives for the same publication's CSV row (same
//! list ids, so a history may mix CSV and XML publications): name as `LAST, First`, addresses
//! joined the CSV's way, `alt_types` for non-a.k.a. names, the CSV's `extra` keys for title and
//! vessel data, tonnages with thousands separators (`99,144`), double quotes written as single
//! ones (`Maker Tower 'F'`), and `reason` built as OFAC builds the CSV's `Remarks` from the
//! structured elements ([`Composite`]): `DOB …; alt. DOB …; POB …; nationality …; citizen …;`
//! the `idList` rows (`Passport X (Country) issued D expires D`, `Website …`, `Additional
//! Sanctions Information - …`; a repeated type is `alt. Type`; types in [`ID_TYPE_ORDER`], one
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
//! The file is streamed (quick-xml over [`InputFile::reader`]); only the entries are kept.

use std::collections::BTreeMap;
use std::io::BufRead;

use chrono::NaiveDate;
use quick_xml::events::Event;
use serde_json::{Map, Value};

use super::{
    Format, FormatError, FormatInfo, Input, InputFile, Location, ParseResult, ParsedPublication,
    record_error,
};
use crate::model::{Entry, EntryId, EntryType, ListId, PublicationContent, text};

/// What `listdiff formats` says about `ofac-xml`.
pub(super) const INFO: FormatInfo = FormatInfo {
    name: "ofac-xml",
    description: "OFAC legacy XML sdnList (SDN.XML, consolidated.xml)",
    list_ids: "us-ofac-sdn (SDN.XML), us-ofac-cons (consolidated.xml, told by its non-SDN program tags and markers)",
    key: "uid (= ent_num)",
    reason_fields: "programList/program → programs, the CSV's Remarks composite (birth data, nationality, idList, title, remarks, weak a.k.a.s) → reason",
};

/// The SDN list's id.
pub(super) const SDN_LIST: &str = "us-ofac-sdn";
/// The non-SDN consolidated list's id.
pub(super) const CONS_LIST: &str = "us-ofac-cons";

/// Program tags only the non-SDN consolidated list uses (compared upper-case; `FSE-*` too).
const NON_SDN_PROGRAMS: [&str; 10] = [
    "NS-PLC",
    "561LIST",
    "561-RELATED",
    "NS-ISA",
    "NS-MBS",
    "CMIC-EO13959",
    "NS-CMIC-EO13959",
    "CAPTA",
    "SSI",
    "PLC",
];

/// True when a program tag belongs to the non-SDN consolidated list only.
pub(super) fn is_non_sdn_program(tag: &str) -> bool {
    let upper = tag.trim().to_ascii_uppercase();
    upper.starts_with("FSE-") || NON_SDN_PROGRAMS.contains(&upper.as_str())
}

/// Reads one input.
pub(super) fn parse(input: &Input) -> ParseResult {
    let file = input.primary.name.as_str();
    with_latin1_fallback(&input.primary, |xml| parse_stream(file, xml))
}

/// Reads the legacy XML from `xml`.
fn parse_stream(file: &str, mut xml: XmlStream<'_>) -> ParseResult {
    let mut warnings = Vec::new();

    let mut path: Vec<String> = Vec::new();
    let mut root_seen = false;
    let mut publish_date: Option<String> = None;
    let mut record_count: Option<String> = None;
    let mut raw: Option<RawEntry> = None;
    let mut entries: Vec<Entry> = Vec::new();
    let mut marked = 0usize;

    loop {
        match xml.next()? {
            XmlEvent::Start { name, .. } => {
                if path.is_empty() {
                    if name != "sdnList" {
                        return Err(FormatError::new(
                            file,
                            Location::File,
                            format!(
                                "the root element is <{name}>, not <sdnList>: this is not OFAC's legacy XML (SDN.XML / consolidated.xml)"
                            ),
                        ));
                    }
                    root_seen = true;
                } else if path.len() == 1 && name == "sdnEntry" {
                    raw = Some(RawEntry::default());
                } else if let Some(r) = raw.as_mut() {
                    // Inside an entry: a new sub-record starts at depth 3 (list/item).
                    if path.len() == 3 {
                        r.subs.push((path[2].clone(), name.clone(), Vec::new()));
                    }
                }
                path.push(name);
            }
            XmlEvent::End { name, text } => {
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
                            entries.push(super::frozen(r.into_entry(file, number)?));
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
            XmlEvent::Eof => break,
        }
    }
    if !root_seen {
        return Err(FormatError::new(
            file,
            Location::File,
            "no <sdnList> element: the file is empty or not OFAC's legacy XML",
        ));
    }

    let (stated_date, stated_date_text) = match publish_date.as_deref().map(str::trim) {
        None | Some("") => (None, None),
        Some(text) => match NaiveDate::parse_from_str(text, "%m/%d/%Y") {
            Ok(date) => (Some(date), Some(text.to_string())),
            Err(_) => {
                return Err(FormatError::new(
                    file,
                    Location::File,
                    format!(
                        "<Publish_Date> {text:?} is not a date: OFAC writes MM/DD/YYYY (the file looks damaged)"
                    ),
                ));
            }
        },
    };
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
    let content = PublicationContent::Snapshot(entries)
        .normalize()
        .map_err(|e| record_error(file, e, |_| None))?;
    let list =
        ListId::new(list_id).map_err(|e| FormatError::new(file, Location::File, e.to_string()))?;
    Ok((
        vec![ParsedPublication {
            list,
            stated_date,
            stated_date_text,
            source: None,
            content,
        }],
        warnings,
    ))
}

/// Leaf elements or attributes: name and text, in file order.
pub(super) type Fields = Vec<(String, String)>;

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

/// `LAST, First` as OFAC's CSV writes names; either part alone when the other is missing.
pub(super) fn csv_name(last: Option<&str>, first: Option<&str>) -> String {
    match (last, first) {
        (Some(l), Some(f)) => format!("{l}, {f}"),
        (Some(l), None) => l.to_string(),
        (None, Some(f)) => f.to_string(),
        (None, None) => String::new(),
    }
}

/// The CSV's alternate-name type for an XML `a.k.a.`/`f.k.a.`/`n.k.a.` label: `aka`, `fka`, `nka`.
pub(super) fn alt_type(label: &str) -> String {
    label
        .chars()
        .filter(|c| *c != '.' && !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// An address flattened as OFAC's `add.csv` holds it: `Address` (address lines joined with
/// ", "), `City/State/Province/Postal Code` (`City, State Postal`), `Country`, joined with ", ".
pub(super) fn csv_address(
    lines: &[&str],
    city: Option<&str>,
    state: Option<&str>,
    postal: Option<&str>,
    country: Option<&str>,
) -> Option<String> {
    let address = lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let mut city_part = [city, state]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    if let Some(postal) = postal {
        if !city_part.is_empty() {
            city_part.push(' ');
        }
        city_part.push_str(postal);
    }
    let parts: Vec<&str> = [Some(address.as_str()), Some(city_part.as_str()), country]
        .into_iter()
        .flatten()
        .filter(|p| !p.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
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

/// One row of OFAC's legacy `idList` (in the advanced XML: an identity document or a feature
/// such as `Website`, `Gender` or `Former Vessel Flag`), as the CSV's `Remarks` writes it.
pub(super) struct IdRow {
    /// `idType` (`Passport`, `SWIFT/BIC`, `Additional Sanctions Information -`, …).
    pub(super) kind: String,
    /// `idNumber`.
    pub(super) number: String,
    /// `idCountry`.
    pub(super) country: Option<String>,
    /// `issueDate`, as written (`10 Jul 1991`).
    pub(super) issued: Option<String>,
    /// `expirationDate`, as written.
    pub(super) expires: Option<String>,
    /// The row's numeric uid: rows of one type are written in uid order.
    pub(super) order: u64,
}

/// The pieces OFAC composes the legacy CSV's `Remarks` from, in the order it writes them.
#[derive(Default)]
pub(super) struct Composite {
    /// `DOB …; alt. DOB …`.
    pub(super) dates_of_birth: Vec<String>,
    /// `POB …; alt. POB …`.
    pub(super) places_of_birth: Vec<String>,
    /// `nationality …; alt. nationality …`.
    pub(super) nationalities: Vec<String>,
    /// `citizen …; alt. citizen …`.
    pub(super) citizenships: Vec<String>,
    /// Identity documents and other id-like rows, sorted by [`ID_TYPE_ORDER`] when written.
    pub(super) ids: Vec<IdRow>,
    /// The title (also the CSV's `Title` column).
    pub(super) title: Option<String>,
    /// The free-text remarks; `(Linked To: X)` parts are moved to the end as `Linked To: X`.
    pub(super) remarks: Option<String>,
    /// Weak names: the type as written (`a.k.a.`) and the name.
    pub(super) weak_akas: Vec<(String, String)>,
}

/// The order in which OFAC's legacy CSV writes id types in `Remarks` (types of one kind in
/// uid order; types not listed come after these). Learnt from real files: all 639 entries of
/// the consolidated list of 2018-04-06 (CSV and XML of the same publication), completed with
/// the majority order of the types in the SDN CSVs of 2019, 2021 and 2024 and the
/// consolidated CSV of 2025.
pub(super) const ID_TYPE_ORDER: [&str; 98] = [
    "Former Vessel Flag",
    "SWIFT/BIC",
    "Website",
    "Email Address",
    "Aircraft Construction Number",
    "Aircraft Manufacture Date",
    "Aircraft Mode S Transponder Code",
    "Aircraft Model",
    "BIK (RU)",
    "Executive Order 13662 Directive Determination -",
    "IFCA Determination -",
    "Previous Aircraft Tail Number",
    "Aircraft Operator",
    "Nationality of Registration",
    "Aircraft Manufacturer's Serial Number (MSN)",
    "Aircraft Tail Number",
    "Additional Sanctions Information -",
    "Gender",
    "Executive Order 13846 information:",
    "D-U-N-S Number",
    "CAATSA Section 235 Information:",
    "Vessel Year of Build",
    "Digital Currency Address - XBT",
    "For more information, please see:",
    "Digital Currency Address",
    "Secondary sanctions risk:",
    "Cedula No.",
    "Phone Number",
    "Transactions Prohibited For Persons Owned or Controlled By U.S. Financial Institutions:",
    "Organization Established Date",
    "Organization Type:",
    "Equity Ticker",
    "ISIN",
    "Target Type",
    "Executive Order 14024 Directive Information -",
    "Executive Order 14024 Directive Information",
    "Listing Date (EO 14024 Directive 3):",
    "Listing Date (EO 14024 Directive 2):",
    "Effective Date (EO 14024 Directive 3):",
    "Effective Date (CMIC)",
    "Effective Date (EO 14024 Directive 2):",
    "Purchase/Sales For Divestment Date (CMIC)",
    "Listing Date (CMIC)",
    "C.R. No.",
    "Romanian Tax Registration",
    "UK Company Number",
    "Passport",
    "NIT #",
    "US FEIN",
    "Moroccan Personal ID No.",
    "Kenyan ID No.",
    "Serial No.",
    "RFC",
    "C.U.I.T.",
    "Italian Fiscal Code",
    "SSN",
    "LE Number",
    "Driver's License No.",
    "Credencial electoral",
    "Business Registration Document #",
    "National ID No.",
    "Electoral Registry No.",
    "Diplomatic Passport",
    "Personal ID Card",
    "Folio Mercantil No.",
    "Vessel Registration Identification",
    "Registration ID",
    "Dubai Chamber of Commerce Membership No.",
    "Certificate of Incorporation Number",
    "Registered Charity No.",
    "V.A.T. Number",
    "National Foreign ID Number",
    "Matricula Mercantil No",
    "Tax ID No.",
    "File Number",
    "Afghan Money Service Provider License Number",
    "Trade License No.",
    "Identification Number",
    "Refugee ID Card",
    "Residency Number",
    "Chinese Commercial Code",
    "Citizen's Card Number",
    "Birth Certificate Number",
    "Commercial Registry Number",
    "Istanbul Chamber of Comm. No.",
    "Company Number",
    "Business Number",
    "Public Registration Number",
    "MMSI",
    "Government Gazette Number",
    "License",
    "Chamber of Commerce Number",
    "Legal Entity Number",
    "Business Registration Number",
    "Registration Number",
    "Central Registration System Number",
    "Economic Register Number (CBLS)",
    "Unified Social Credit Code (USCC)",
];

impl Composite {
    /// The CSV's `Remarks`: `DOB …; POB …; nationality …; citizen …; <ids>; <title>;
    /// <remarks>; a.k.a. 'WEAK'; Linked To: X.`, ending with a full stop. `None` when there is
    /// nothing to say.
    pub(super) fn remarks(mut self) -> Option<String> {
        let mut parts: Vec<String> = Vec::new();
        for (values, label) in [
            (&self.dates_of_birth, "DOB"),
            (&self.places_of_birth, "POB"),
            (&self.nationalities, "nationality"),
            (&self.citizenships, "citizen"),
        ] {
            for (i, value) in values.iter().enumerate() {
                let alt = if i == 0 { "" } else { "alt. " };
                parts.push(format!("{alt}{label} {value}"));
            }
        }
        let rank = |kind: &str| {
            ID_TYPE_ORDER
                .iter()
                .position(|t| *t == kind)
                .unwrap_or(ID_TYPE_ORDER.len())
        };
        self.ids.sort_by_key(|row| (rank(&row.kind), row.order));
        let mut seen: Vec<&str> = Vec::new();
        for row in &self.ids {
            let mut part = String::new();
            if seen.contains(&row.kind.as_str()) {
                part.push_str("alt. ");
            } else {
                seen.push(&row.kind);
            }
            part.push_str(&row.kind);
            if !row.number.is_empty() {
                part.push(' ');
                part.push_str(&row.number);
            }
            if let Some(country) = &row.country {
                part.push_str(&format!(" ({country})"));
            }
            if let Some(issued) = &row.issued {
                part.push_str(&format!(" issued {issued}"));
            }
            if let Some(expires) = &row.expires {
                part.push_str(&format!(" expires {expires}"));
            }
            parts.push(part);
        }
        parts.extend(self.title.take());
        let mut links = Vec::new();
        if let Some(remarks) = &self.remarks {
            let mut kept = Vec::new();
            for segment in remarks.split("; ") {
                match segment
                    .trim()
                    .strip_prefix("(Linked To: ")
                    .and_then(|s| s.strip_suffix(')'))
                {
                    Some(target) => links.push(format!("Linked To: {target}")),
                    None => kept.push(segment),
                }
            }
            let kept = kept.join("; ");
            if !kept.trim().is_empty() {
                parts.push(kept);
            }
        }
        for (label, name) in &self.weak_akas {
            parts.push(format!("{label} '{name}'"));
        }
        parts.extend(links);
        if parts.is_empty() {
            return None;
        }
        let mut text = parts.join("; ");
        if !text.ends_with('.') {
            text.push('.');
        }
        Some(text)
    }
}

/// A tonnage as the CSV writes it: `99144` → `99,144` (anything but plain digits as written).
pub(super) fn csv_tonnage(value: &str) -> String {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len() + value.len() / 3);
    for (i, c) in value.chars().enumerate() {
        if i > 0 && (value.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// OFAC's CSV writes every double quote as a single one (`Maker Tower 'F'` where the XML has
/// `"F"`): applied to every text of an entry so both formats give the same entry.
pub(super) fn csv_quotes(entry: &mut Entry) {
    fn fix(s: &mut String) {
        if s.contains('"') {
            *s = s.replace('"', "'");
        }
    }
    fn fix_value(v: &mut Value) {
        match v {
            Value::String(s) => fix(s),
            Value::Array(items) => items.iter_mut().for_each(fix_value),
            Value::Object(map) => {
                let old = std::mem::take(map);
                for (mut k, mut v) in old {
                    fix(&mut k);
                    fix_value(&mut v);
                    map.insert(k, v);
                }
            }
            _ => {}
        }
    }
    fix(&mut entry.name);
    for list in [
        &mut entry.aliases,
        &mut entry.addresses,
        &mut entry.countries,
        &mut entry.programs,
    ] {
        list.iter_mut().for_each(fix);
    }
    if let Some(r) = entry.reason.as_mut() {
        fix(r);
    }
    entry.extra.map_mut().values_mut().for_each(fix_value);
}

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

    /// Maps the entry the way `ofac_csv` maps the same record.
    fn into_entry(self, file: &str, number: u64) -> Result<Entry, FormatError> {
        let located = |message: String| {
            FormatError::new(file, Location::Record { number, line: None }, message)
        };
        let uid = get(&self.fields, "uid").ok_or_else(|| {
            located("this <sdnEntry> has no <uid>: the entry number is the key".into())
        })?;
        if !uid.bytes().all(|b| b.is_ascii_digit()) {
            return Err(located(format!(
                "<uid> {uid:?} is not a number: OFAC's uid is the entry number"
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
        entry.programs = self.programs;
        let mut composite = Composite {
            remarks: get(&self.fields, "remarks").map(str::to_string),
            title: get(&self.fields, "title").map(str::to_string),
            ..Composite::default()
        };
        // Other leaves: title and anything a future layout adds, by snake_case name.
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

        let mut alt_types = Map::new();
        let mut people: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        let mut others: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for (list, item, fields) in &self.subs {
            match (list.as_str(), item.as_str()) {
                ("akaList", "aka") => {
                    let Some(name) = text::normalize(&csv_name(
                        get(fields, "lastName"),
                        get(fields, "firstName"),
                    )) else {
                        continue;
                    };
                    let label = get(fields, "type").unwrap_or("a.k.a.");
                    let kind = alt_type(label);
                    if get(fields, "category").is_some_and(|c| c.eq_ignore_ascii_case("weak")) {
                        composite.weak_akas.push((label.to_string(), name));
                    } else {
                        if kind != "aka" {
                            alt_types.insert(name.clone(), Value::String(kind));
                        }
                        entry.aliases.push(name);
                    }
                }
                ("addressList", "address") => {
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
                        others
                            .entry("address_other".into())
                            .or_default()
                            .push(Value::Object(rest));
                    }
                }
                ("idList", "id") => {
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
                        others
                            .entry("id_other".into())
                            .or_default()
                            .push(Value::Object(rest));
                    }
                }
                (_, "dateOfBirthItem") => push_person(&mut people, "date_of_birth", fields),
                (_, "placeOfBirthItem") => push_person(&mut people, "place_of_birth", fields),
                (_, "nationality") => push_person(&mut people, "nationality", fields),
                (_, "citizenship") => push_person(&mut people, "citizenship", fields),
                _ => {
                    let object = object_without(fields, &["uid"]);
                    if !object.is_empty() {
                        others
                            .entry(snake_case(item))
                            .or_default()
                            .push(Value::Object(object));
                    }
                }
            }
        }
        if !alt_types.is_empty() {
            entry
                .extra
                .insert("alt_types".into(), Value::Object(alt_types));
        }
        for (key, values) in people {
            match key {
                "date_of_birth" => composite.dates_of_birth = values,
                "place_of_birth" => composite.places_of_birth = values,
                "nationality" => composite.nationalities = values,
                _ => composite.citizenships = values,
            }
        }
        entry.reason = composite.remarks();
        for (key, values) in others {
            entry.extra.insert(key, Value::Array(values));
        }
        csv_quotes(&mut entry);
        Ok(entry)
    }
}

/// Adds a date/place of birth, nationality or citizenship item under `key` (file order, as
/// the CSV writes them; `mainEntry` is not used by the CSV).
fn push_person<'a>(
    people: &mut BTreeMap<&'a str, Vec<String>>,
    key: &'a str,
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

/// `idCountry` → `id_country`, `Publish_Date` → `publish_date`, `Place of Birth` →
/// `place_of_birth`, `Additional Sanctions Information -` → `additional_sanctions_information`.
pub(super) fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && previous_lower && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
            previous_lower = c.is_lowercase() || c.is_ascii_digit();
        } else {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            previous_lower = false;
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// Recognises the format from the start of a file (`head`: at most its first 64 KiB, with any
/// byte-order mark and leading white space removed).
pub(super) fn recognise(head: &[u8]) -> Option<Format> {
    (root_element(head)?.0 == "sdnList").then_some(Format::OfacXml)
}

/// The root element's local name and its start tag's raw text (attributes), read from the
/// head of an XML file: skips the declaration, comments, processing instructions and DOCTYPE.
pub(super) fn root_element(head: &[u8]) -> Option<(String, String)> {
    let mut rest = head;
    loop {
        let start = rest.iter().position(|&b| b == b'<')?;
        rest = rest.get(start..)?;
        if rest.starts_with(b"<?") {
            let end = memchr::memmem::find(rest, b"?>")?;
            rest = rest.get(end + 2..)?;
        } else if rest.starts_with(b"<!--") {
            let end = memchr::memmem::find(rest, b"-->")?;
            rest = rest.get(end + 3..)?;
        } else if rest.starts_with(b"<!") {
            let end = rest.iter().position(|&b| b == b'>')?;
            rest = rest.get(end + 1..)?;
        } else {
            let body = rest.get(1..)?;
            let end = body.iter().position(|&b| b == b'>').unwrap_or(body.len());
            let tag = body.get(..end)?;
            let name_end = tag
                .iter()
                .position(|&b| b.is_ascii_whitespace() || b == b'/')
                .unwrap_or(tag.len());
            let qname = std::str::from_utf8(tag.get(..name_end)?).ok()?;
            let local = qname.rsplit(':').next().unwrap_or(qname);
            let attrs = String::from_utf8_lossy(tag.get(name_end..)?).into_owned();
            return Some((local.to_string(), attrs));
        }
    }
}

/// A simplified XML event: element starts (local name, attributes by local name), element ends
/// with the text read since the last start or end (an element's text for leaves), end of file.
pub(super) enum XmlEvent {
    /// `<name attr="…">` (an empty element gives a start and an end).
    Start {
        /// Local name (namespace prefix removed).
        name: String,
        /// Attributes: local name and unescaped value.
        attrs: Vec<(String, String)>,
    },
    /// `</name>`, with the text read since the previous start or end tag.
    End {
        /// Local name.
        name: String,
        /// The text (entities resolved, CDATA included), untrimmed.
        text: String,
    },
    /// The end of the file (checked to be outside every element).
    Eof,
}

/// The phrase that marks a text-decoding error (see [`with_latin1_fallback`]).
const NOT_UTF8: &str = "is not valid UTF-8";

/// Runs `parse` on a stream read as the file declares (UTF-8 by default); when it fails
/// because the text is not valid UTF-8 and the file declares no encoding, runs it again on the
/// file read as Windows-1252 (Latin-1).
pub(super) fn with_latin1_fallback<T>(
    input: &InputFile,
    mut parse: impl FnMut(XmlStream<'_>) -> Result<T, FormatError>,
) -> Result<T, FormatError> {
    match parse(XmlStream::new(input, false)?) {
        Err(e) if e.message.contains(NOT_UTF8) => parse(XmlStream::new(input, true)?),
        other => other,
    }
}

/// The encoding a file's byte-order mark or XML declaration names, when not UTF-8.
fn declared_encoding(head: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(head) {
        return (encoding != encoding_rs::UTF_8).then_some(encoding);
    }
    let head = head.get(..head.len().min(1024))?;
    let start = memchr::memmem::find(head, b"<?xml")?;
    let decl = head.get(start..)?;
    let end = memchr::memmem::find(decl, b"?>")?;
    let decl = decl.get(..end)?;
    let at = memchr::memmem::find(decl, b"encoding")?;
    let rest = decl.get(at + 8..)?;
    let quote_at = rest.iter().position(|&b| b == b'"' || b == b'\'')?;
    let quote = *rest.get(quote_at)?;
    let value = rest.get(quote_at + 1..)?;
    let value = value.get(..value.iter().position(|&b| b == quote)?)?;
    let encoding = encoding_rs::Encoding::for_label(value)?;
    (encoding != encoding_rs::UTF_8).then_some(encoding)
}

/// A streaming XML reader over an input file that reports errors the listdiff way.
pub(super) struct XmlStream<'a> {
    reader: quick_xml::Reader<Box<dyn BufRead + 'a>>,
    buf: Vec<u8>,
    file: &'a str,
    text: String,
    open: Vec<String>,
    /// The file declares (or its byte-order mark gives) an encoding other than UTF-8.
    declared: bool,
}

impl<'a> XmlStream<'a> {
    /// Opens the file's stream, decoding it as its byte-order mark or XML declaration says, or
    /// as Windows-1252 when `latin1` is set and the file declares nothing.
    pub(super) fn new(input: &'a InputFile, latin1: bool) -> Result<XmlStream<'a>, FormatError> {
        let mut raw = input.reader()?;
        let head = raw.fill_buf().map_err(|e| {
            FormatError::new(&input.name, Location::File, format!("cannot read: {e}"))
        })?;
        let declared = declared_encoding(head);
        let encoding = declared.or(latin1.then_some(encoding_rs::WINDOWS_1252));
        let source: Box<dyn BufRead + 'a> = match encoding {
            None => raw,
            Some(encoding) => {
                let mut decoding = quick_xml::encoding::DecodingReader::new(raw);
                // Before the first read, while the decoder's prefix is still held.
                decoding.set_encoding(encoding);
                Box::new(std::io::BufReader::with_capacity(64 * 1024, decoding))
            }
        };
        let mut reader = quick_xml::Reader::from_reader(source);
        let config = reader.config_mut();
        config.expand_empty_elements = true;
        config.check_end_names = true;
        Ok(XmlStream {
            reader,
            buf: Vec::with_capacity(8 * 1024),
            file: &input.name,
            text: String::new(),
            open: Vec::new(),
            declared: declared.is_some(),
        })
    }

    /// The error for malformed XML at the reader's position.
    fn malformed(&self, detail: impl std::fmt::Display) -> FormatError {
        FormatError::new(
            self.file,
            Location::File,
            format!(
                "the XML is malformed at byte {}: {detail}; the file looks damaged or truncated (download it again)",
                self.reader.error_position()
            ),
        )
    }

    /// The next start, end or end of file.
    pub(super) fn next(&mut self) -> Result<XmlEvent, FormatError> {
        loop {
            self.buf.clear();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(event) => event,
                Err(quick_xml::Error::Encoding(e)) if !self.declared => {
                    return Err(FormatError::new(
                        self.file,
                        Location::File,
                        format!(
                            "the text at byte {} {NOT_UTF8} ({e}) and the file declares no other encoding",
                            self.reader.error_position()
                        ),
                    ));
                }
                Err(e) => {
                    let error = self.malformed(e);
                    return Err(error);
                }
            };
            match event {
                Event::Start(start) => {
                    let name = local(start.name().as_ref());
                    let mut attrs = Vec::new();
                    for attr in start.attributes() {
                        let attr = match attr {
                            Ok(attr) => attr,
                            Err(e) => {
                                let error = self.malformed(e);
                                return Err(error);
                            }
                        };
                        let key = local(attr.key.as_ref());
                        let value = match attr.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        {
                            Ok(v) => v.into_owned(),
                            Err(e) => {
                                let error = self.malformed(e);
                                return Err(error);
                            }
                        };
                        attrs.push((key, value));
                    }
                    self.text.clear();
                    self.open.push(name.clone());
                    return Ok(XmlEvent::Start { name, attrs });
                }
                Event::End(end) => {
                    let name = local(end.name().as_ref());
                    self.open.pop();
                    let text = std::mem::take(&mut self.text);
                    return Ok(XmlEvent::End { name, text });
                }
                Event::Empty(_) => {}
                Event::Text(t) => self.text.push_str(&t.xml10_content()),
                Event::CData(c) => self.text.push_str(&c.xml10_content()),
                Event::GeneralRef(r) => {
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c.to_string()),
                        Ok(None) => {
                            quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                                .map(str::to_string)
                        }
                        Err(_) => None,
                    };
                    match resolved {
                        Some(s) => self.text.push_str(&s),
                        None => {
                            let name = r.xml10_content().into_owned();
                            let error = self.malformed(format!("unknown entity &{name};"));
                            return Err(error);
                        }
                    }
                }
                Event::Eof => {
                    if let Some(open) = self.open.last() {
                        let open = open.clone();
                        return Err(FormatError::new(
                            self.file,
                            Location::File,
                            format!(
                                "the file ends inside <{open}>: it is truncated (download it again)"
                            ),
                        ));
                    }
                    return Ok(XmlEvent::Eof);
                }
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            }
        }
    }
}

/// The local part of a qualified name.
fn local(qname: &str) -> String {
    qname.rsplit(':').next().unwrap_or(qname).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::entry_by_id as by_id;
    use crate::formats::snapshot_entries as entries;
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
        assert!(e.message.contains("malformed at byte"), "{}", e.message);

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
        assert_eq!(recognise(SAMPLE.as_bytes()), Some(Format::OfacXml));
        assert_eq!(
            recognise(b"<!-- c --><sdnList xmlns=\"https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML\">"),
            Some(Format::OfacXml)
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
    fn the_composite_follows_ofac_order_and_punctuation() {
        let id = |kind: &str, number: &str, order| IdRow {
            kind: kind.into(),
            number: number.into(),
            country: None,
            issued: None,
            expires: None,
            order,
        };
        let mut passport = id("Passport", "B2", 9);
        passport.country = Some("Iran".into());
        passport.issued = Some("10 Jul 1991".into());
        passport.expires = Some("09 Jun 2009".into());
        let composite = Composite {
            dates_of_birth: vec!["1962".into(), "1963".into()],
            places_of_birth: vec!["Shati".into()],
            citizenships: vec!["Iran".into()],
            ids: vec![
                passport,
                id("Passport", "A1", 3),
                id(
                    "Additional Sanctions Information -",
                    "Not on the SDN List",
                    1,
                ),
                id("Website", "www.x.ir", 2),
                id("Brand New Type", "7", 0),
            ],
            title: Some("Director".into()),
            remarks: Some("all offices;  Fax 1; (Linked To: A (UK) LTD)".into()),
            weak_akas: vec![("a.k.a.".into(), "W".into())],
            ..Composite::default()
        };
        assert_eq!(
            composite.remarks().as_deref(),
            Some(
                "DOB 1962; alt. DOB 1963; POB Shati; citizen Iran; Website www.x.ir; \
                 Additional Sanctions Information - Not on the SDN List; Passport A1; \
                 alt. Passport B2 (Iran) issued 10 Jul 1991 expires 09 Jun 2009; Brand New Type 7; \
                 Director; all offices;  Fax 1; a.k.a. 'W'; Linked To: A (UK) LTD."
            )
        );
        let title_only = Composite {
            title: Some("Director, X Ltd.".into()),
            ..Composite::default()
        };
        assert_eq!(title_only.remarks().as_deref(), Some("Director, X Ltd."));
        assert_eq!(Composite::default().remarks(), None);
        assert_eq!(csv_tonnage("99144"), "99,144");
        assert_eq!(csv_tonnage("297013"), "297,013");
        assert_eq!(csv_tonnage("1234567"), "1,234,567");
        assert_eq!(csv_tonnage("640"), "640");
        assert_eq!(csv_tonnage("99,144"), "99,144");
        assert_eq!(csv_tonnage("about 5000"), "about 5000");
        let mut e = Entry::new(EntryId::new("1").unwrap(), "A \"B\"");
        e.extra
            .insert("alt_types".into(), json!({"X \"Y\"": "fka"}));
        csv_quotes(&mut e);
        assert_eq!(e.name, "A 'B'");
        assert_eq!(e.extra["alt_types"], json!({"X 'Y'": "fka"}));
    }

    #[test]
    fn helpers() {
        assert_eq!(snake_case("idCountry"), "id_country");
        assert_eq!(snake_case("Place of Birth"), "place_of_birth");
        assert_eq!(
            snake_case("Additional Sanctions Information -"),
            "additional_sanctions_information"
        );
        assert_eq!(snake_case("VESSEL TYPE"), "vessel_type");
        assert_eq!(alt_type("f.k.a."), "fka");
        assert_eq!(
            csv_address(&[], Some("Tehran"), None, Some("11365"), Some("Iran")).as_deref(),
            Some("Tehran 11365, Iran")
        );
        assert_eq!(csv_address(&[], None, None, None, None), None);
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
        let (csv, _) = super::super::ofac_csv::parse(&csv_input).unwrap();
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
