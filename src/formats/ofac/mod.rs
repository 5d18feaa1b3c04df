//! OFAC's lists in their three layouts: the legacy CSV set ([`legacy_csv`]), the legacy XML
//! ([`legacy_xml`]) and the advanced XML ([`advanced_xml`]).
//!
//! The three give the same entry for the same party, so that a history may mix them: what they
//! share lives here: the list ids, the markers of the non-SDN consolidated list, and the way
//! OFAC's legacy CSV writes names, addresses, tonnages, quotes and its `Remarks` column
//! ([`Composite`]), which the XML formats compose from their structured elements.

pub(super) mod advanced_xml;
pub(super) mod legacy_csv;
pub(super) mod legacy_xml;

use serde_json::Value;

use crate::model::Entry;

/// The SDN list's id.
pub(crate) const SDN_LIST: &str = "us-ofac-sdn";
/// The non-SDN consolidated list's id.
pub(crate) const CONS_LIST: &str = "us-ofac-cons";

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
pub(crate) fn is_non_sdn_program(tag: &str) -> bool {
    let upper = tag.trim().to_ascii_uppercase();
    upper.starts_with("FSE-") || NON_SDN_PROGRAMS.contains(&upper.as_str())
}

/// Leaf elements or attributes: name and text, in file order.
pub(crate) type Fields = Vec<(String, String)>;

/// `LAST, First` as OFAC's CSV writes names; either part alone when the other is missing.
pub(crate) fn csv_name(last: Option<&str>, first: Option<&str>) -> String {
    match (last, first) {
        (Some(l), Some(f)) => format!("{l}, {f}"),
        (Some(l), None) => l.to_string(),
        (None, Some(f)) => f.to_string(),
        (None, None) => String::new(),
    }
}

/// The CSV's alternate-name type for an XML `a.k.a.`/`f.k.a.`/`n.k.a.` label: `aka`, `fka`, `nka`.
pub(crate) fn alt_type(label: &str) -> String {
    label
        .chars()
        .filter(|c| *c != '.' && !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// An address flattened as OFAC's `add.csv` holds it: `Address` (address lines joined with
/// ", "), `City/State/Province/Postal Code` (`City, State Postal`), `Country`, joined with ", ".
pub(crate) fn csv_address(
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

/// One row of OFAC's legacy `idList` (in the advanced XML: an identity document or a feature
/// such as `Website`, `Gender` or `Former Vessel Flag`), as the CSV's `Remarks` writes it.
pub(crate) struct IdRow {
    /// `idType` (`Passport`, `SWIFT/BIC`, `Additional Sanctions Information -`, …).
    pub(crate) kind: String,
    /// `idNumber`.
    pub(crate) number: String,
    /// `idCountry`.
    pub(crate) country: Option<String>,
    /// `issueDate`, as written (`10 Jul 1991`).
    pub(crate) issued: Option<String>,
    /// `expirationDate`, as written.
    pub(crate) expires: Option<String>,
    /// The row's numeric uid: rows of one type are written in uid order.
    pub(crate) order: u64,
}

/// The pieces OFAC composes the legacy CSV's `Remarks` from, in the order it writes them.
#[derive(Default)]
pub(crate) struct Composite {
    /// `DOB …; alt. DOB …`.
    pub(crate) dates_of_birth: Vec<String>,
    /// `POB …; alt. POB …`.
    pub(crate) places_of_birth: Vec<String>,
    /// `nationality …; alt. nationality …`.
    pub(crate) nationalities: Vec<String>,
    /// `citizen …; alt. citizen …`.
    pub(crate) citizenships: Vec<String>,
    /// Identity documents and other id-like rows, sorted by [`ID_TYPE_ORDER`] when written.
    pub(crate) ids: Vec<IdRow>,
    /// The title (also the CSV's `Title` column).
    pub(crate) title: Option<String>,
    /// The free-text remarks; `(Linked To: X)` parts are moved to the end as `Linked To: X`.
    pub(crate) remarks: Option<String>,
    /// Weak names: the type as written (`a.k.a.`) and the name.
    pub(crate) weak_akas: Vec<(String, String)>,
}

/// The order in which OFAC's legacy CSV writes id types in `Remarks` (types of one kind in
/// uid order; types not listed come after these). Learnt from real files: all 639 entries of
/// the consolidated list of 2018-04-06 (CSV and XML of the same publication), completed with
/// the majority order of the types in the SDN CSVs of 2019, 2021 and 2024 and the
/// consolidated CSV of 2025.
pub(crate) const ID_TYPE_ORDER: [&str; 98] = [
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

/// The CSV's `Remarks` before its end: everything up to the weak names, and the names of the
/// linked parties (each written `Linked To: NAME` after it). The advanced XML states its links
/// apart from the rest ([`RemarksDraft::link`]), at the end of the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RemarksDraft {
    /// `DOB …; …; <remarks>; a.k.a. 'WEAK'`, without the final full stop; `None` when empty.
    pub(crate) body: Option<String>,
    /// The linked parties' names, in the order written, each once.
    pub(crate) linked: Vec<String>,
}

impl RemarksDraft {
    /// Adds a linked party's name, unless it is there already.
    pub(crate) fn link(&mut self, name: &str) {
        let name = name.trim();
        if !name.is_empty() && !self.linked.iter().any(|n| n == name) {
            self.linked.push(name.to_string());
        }
    }

    /// The CSV's `Remarks`: the body, then `Linked To: X` for each linked party, joined with
    /// `; ` and ending with a full stop. `None` when there is nothing to say.
    pub(crate) fn finish(self) -> Option<String> {
        let mut parts: Vec<String> = self.body.into_iter().collect();
        parts.extend(self.linked.iter().map(|name| format!("Linked To: {name}")));
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

impl Composite {
    /// The CSV's `Remarks`: `DOB …; POB …; nationality …; citizen …; <ids>; <title>;
    /// <remarks>; a.k.a. 'WEAK'; Linked To: X.`, ending with a full stop. `None` when there is
    /// nothing to say.
    pub(crate) fn remarks(self) -> Option<String> {
        self.draft().finish()
    }

    /// The `Remarks` before their end ([`RemarksDraft`]): the `(Linked To: X)` parts of the
    /// free-text remarks are taken out of it as linked names.
    pub(crate) fn draft(mut self) -> RemarksDraft {
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
        let mut draft = RemarksDraft::default();
        if let Some(remarks) = &self.remarks {
            let mut kept = Vec::new();
            for segment in remarks.split("; ") {
                match segment
                    .trim()
                    .strip_prefix("(Linked To: ")
                    .and_then(|s| s.strip_suffix(')'))
                {
                    Some(target) => draft.linked.push(target.to_string()),
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
        draft.body = (!parts.is_empty()).then(|| parts.join("; "));
        draft
    }
}

/// A tonnage as the CSV writes it: `99144` → `99,144` (anything but plain digits as written).
pub(crate) fn csv_tonnage(value: &str) -> String {
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
pub(crate) fn csv_quotes(entry: &mut Entry) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EntryId;
    use serde_json::json;

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
        assert_eq!(alt_type("f.k.a."), "fka");
        assert_eq!(
            csv_address(&[], Some("Tehran"), None, Some("11365"), Some("Iran")).as_deref(),
            Some("Tehran 11365, Iran")
        );
        assert_eq!(csv_address(&[], None, None, None, None), None);
    }
}
