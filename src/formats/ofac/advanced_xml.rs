//! OFAC advanced XML (`Sanctions`): `sdn_advanced.xml` and `cons_advanced.xml`.
//!
//! Root `<Sanctions>` in namespace
//! `https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML`
//! (older files: `http://www.un.org/sanctions/1.0`). The layout is relational, in this order:
//! `DateOfIssue` (Year/Month/Day), `ReferenceValueSets` (every coded value: alias types, party
//! sub-types, countries, feature types, name-part types, lists, sanctions types, …, each an
//! element with an `ID` and its text), `Locations` (address parts by `LocPartTypeID`, country),
//! `IDRegDocuments` (identity documents keyed by `IdentityID`), `DistinctParties` (one per listed
//! party: `FixedRef` = the legacy `ent_num`, `Comment` = the legacy remarks, `Profile` with
//! `PartySubTypeID`, `Identity`/`Alias`/`DocumentedName`/`DocumentedNamePart`, whose name parts
//! are typed through the identity's `NamePartGroups` that come after the aliases, and
//! `Feature`s for addresses, dates and places of birth, nationality, vessel data, …),
//! `ProfileRelationships` (linked parties), `SanctionsEntries` (per profile: `ListID`,
//! `EntryEvent` with the listing date and legal basis, `SanctionsMeasure` whose `Comment` is
//! the program tag).
//!
//! Files are ~100 MB: one streaming pass, keeping the reference values, locations and
//! identity documents in maps as they come (they precede the parties), each party's entry as
//! soon as it is read, and the programs per profile, joined at the end since the sanctions
//! entries come last.
//!
//! Entries are mapped as the legacy CSV/XML map the same party where the data is the same:
//! name `LAST, First Middle` from the primary alias's Latin-script name (surname parts, then
//! the other parts in document order), `alt_types` as in `ofac-xml`, addresses joined the
//! CSV's way, the CSV's `extra` keys for title and vessel data, and `reason` built as the CSV's
//! `Remarks` by the same [`Composite`] as `ofac-xml`: birth dates and places, nationality and
//! citizenship features, identity documents and every other feature (Website, Gender,
//! SWIFT/BIC, Former Vessel Flag, …) as id rows, title, the party's `Comment`, weak names, then
//! `Linked To: NAME` for each party a current `ProfileRelationship` links it to (the legacy
//! files write that text; this format states links only as relationships). A location that is
//! only OFAC's "undetermined" area code is no address and no country.
//! What only this format carries stays in `extra` (`lists`, `sanctions_measures`,
//! `legal_basis`, `relationships`, `other_script_names`, `address_other_scripts`, `id_other`)
//! and `listed_on`.
//!
//! Which list: every sanctions entry names its list (`ListID` → `SDN List`,
//! `Sectoral Sanctions Identifications List`, `Non-SDN Palestinian Legislative Council List`,
//! …). A file is `us-ofac-sdn` when at least half of its sanctions entries are on the
//! `SDN List` (in `sdn_advanced.xml` every party is), otherwise `us-ofac-cons`.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::{
    CONS_LIST, Composite, Fields, IdRow, RemarksDraft, SDN_LIST, alt_type, csv_address, csv_name,
    csv_quotes, csv_tonnage,
};
use crate::formats::naming::snake_case;
use crate::formats::read::xml::{ElementEvent, ElementStream, XmlReader, XmlRules, root_element};
use crate::formats::registry::{
    Capabilities, Entries, FormatDescriptor, Recognised, Recogniser, Shape,
};
use crate::formats::{
    EntrySink, EntrySpool, FormatError, Input, Location, ParseResult, ParsedPublication,
    StreamedSnapshot, record_error,
};
use crate::model::{Entry, EntryId, EntryType, ListId, PublicationContent, text};

/// The `ofac-advanced-xml` format.
pub(crate) static ADVANCED_XML: FormatDescriptor = FormatDescriptor {
    name: "ofac-advanced-xml",
    description: "OFAC advanced XML (sdn_advanced.xml, cons_advanced.xml)",
    list_ids: "us-ofac-sdn (most sanctions entries on the SDN List), us-ofac-cons (otherwise)",
    key: "DistinctParty FixedRef (= ent_num)",
    reason_fields: "SanctionsMeasure Comment (program) → programs, the legacy CSV's Remarks composite (features, documents, title, DistinctParty Comment, weak names, Linked To from ProfileRelationships) → reason",
    // 2: as `ofac-xml`: a file mixing UTF-8 and Windows-1252 reads differently.
    // 3: `Linked To: NAME` rebuilt from the relationships at the end of `reason`, as the legacy
    // remarks; OFAC's "undetermined" location is no address and no country.
    parser_version: 3,
    recogniser: Some(Recogniser {
        shape: Shape::Xml,
        order: 0,
        test: recognise,
    }),
    parse,
    capabilities: Capabilities {
        streams: true,
        entries: Entries::Streamed(parse_entries),
        ..Capabilities::NONE
    },
};

/// Reads one input.
pub(crate) fn parse(input: &Input) -> ParseResult {
    let file = input.primary.name.as_str();
    let mut state = State::default();
    let decoding = state.read(file, open(input)?)?;
    let (publications, mut warnings) = state.finish(file)?;
    warnings.splice(0..0, decoding);
    Ok((publications, warnings))
}

/// The stream of the input's elements.
fn open(input: &Input) -> Result<ElementStream<'_>, FormatError> {
    Ok(ElementStream::new(XmlReader::open(
        &input.primary,
        XmlRules::STRICT,
    )?))
}

/// Reads the file and gives each party's entry, joined and normalised, to `sink`: the parties
/// wait compressed until the programs at the end of the file are read.
pub(crate) fn parse_entries(
    input: &Input,
    sink: &mut EntrySink,
) -> Result<Option<StreamedSnapshot>, FormatError> {
    let file = input.primary.name.as_str();
    let mut state = State::default();
    let decoding = state.read(file, open(input)?)?;
    let mut count = 0u64;
    let ((list, stated_date, stated_date_text), mut warnings) =
        state.finish_each(file, &mut |entry| {
            count += 1;
            let entry = entry.normalize().map_err(|e| {
                FormatError::new(
                    file,
                    Location::Record {
                        number: count,
                        line: None,
                    },
                    e.to_string(),
                )
            })?;
            sink(entry)
        })?;
    warnings.splice(0..0, decoding);
    Ok(Some(StreamedSnapshot {
        list,
        stated_date,
        stated_date_text,
        warnings,
        entries: count as usize,
    }))
}

/// Recognises the format from the start of a file (`head`: at most its first 64 KiB, with any
/// byte-order mark and leading white space removed).
fn recognise(head: &[u8]) -> Option<Recognised> {
    let root = root_element(head)?;
    let advanced = root.local == "Sanctions"
        && (root.attributes.contains("ADVANCED_XML")
            || root.attributes.contains("un.org/sanctions")
            || memchr::memmem::find(head, b"ReferenceValueSets>").is_some()
            || memchr::memmem::find(head, b"DateOfIssue>").is_some());
    advanced.then_some(Recognised::This)
}

/// The name of the element at `index` in a path from the root (`""` beyond it): paths are
/// read in place, never copied, so that each event costs the same at any depth.
fn nth(path: &[String], index: usize) -> &str {
    path.get(index).map_or("", String::as_str)
}

/// A coded value from `ReferenceValueSets`: its text and its other attributes.
#[derive(Default)]
struct RefValue {
    value: String,
    attrs: Vec<(String, String)>,
}

/// One `Location` as read: its parts by type id (primary values), other-script values,
/// country ids and area code ids.
#[derive(Default)]
struct Loc {
    parts: Vec<(String, String)>,
    other_values: Vec<String>,
    countries: Vec<String>,
    area_codes: Vec<String>,
}

/// A date as Year/Month/Day texts.
#[derive(Clone, Default, PartialEq, Eq)]
struct Ymd {
    year: Option<i32>,
    month: Option<u32>,
    day: Option<u32>,
}

impl Ymd {
    fn date(&self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year?, self.month.unwrap_or(1), self.day.unwrap_or(1))
    }
}

/// A `DatePeriod` (or a single `Date`): Start From/To and End From/To.
#[derive(Clone, Default)]
struct Period {
    start_from: Ymd,
    start_to: Ymd,
    end_from: Ymd,
    end_to: Ymd,
    approximate: bool,
}

impl Period {
    /// The slot a Year/Month/Day element fills, by its parent and grandparent element.
    fn slot(&mut self, parent: &str, grandparent: &str) -> &mut Ymd {
        match (grandparent, parent) {
            ("Start", "To") => &mut self.start_to,
            ("End", "From") => &mut self.end_from,
            ("End", "To") => &mut self.end_to,
            _ => &mut self.start_from,
        }
    }

    /// The period as OFAC's legacy files write dates: `15 Sep 1942`, `Sep 1942`, `1942`,
    /// `1958 to 1960`, with `circa` when approximate.
    fn render(&self) -> Option<String> {
        let from = self.start_from.date()?;
        let to_ymd = [&self.end_to, &self.end_from, &self.start_to]
            .into_iter()
            .find(|d| d.year.is_some())
            .unwrap_or(&self.start_from);
        let to = to_ymd.date().unwrap_or(from);
        let first_of_year = from.format("%m-%d").to_string() == "01-01";
        let last_of_year = to.format("%m-%d").to_string() == "12-31";
        let text = if from == to {
            from.format("%d %b %Y").to_string()
        } else if first_of_year && last_of_year {
            if from.format("%Y").to_string() == to.format("%Y").to_string() {
                from.format("%Y").to_string()
            } else {
                format!("{} to {}", from.format("%Y"), to.format("%Y"))
            }
        } else if from.format("%d").to_string() == "01"
            && from.format("%Y-%m").to_string() == to.format("%Y-%m").to_string()
            && to
                .succ_opt()
                .is_none_or(|next| next.format("%d").to_string() == "01")
        {
            from.format("%b %Y").to_string()
        } else {
            format!("{} to {}", from.format("%d %b %Y"), to.format("%d %b %Y"))
        };
        Some(if self.approximate {
            format!("circa {text}")
        } else {
            text
        })
    }
}

/// One documented name: its name parts (group id, script id, text).
#[derive(Default)]
struct DocName {
    parts: Vec<(String, String, String)>,
}

/// One `Alias` of a party.
#[derive(Default)]
struct AliasRaw {
    type_id: String,
    primary: bool,
    low_quality: bool,
    names: Vec<DocName>,
}

/// One `Feature` of a party: its type and rendered values, the locations it points to.
#[derive(Default)]
struct FeatureRaw {
    type_id: String,
    /// The feature's `ID` (the legacy XML's id uid): rows of one type are written in this order.
    order: u64,
    values: Vec<String>,
    locations: Vec<String>,
}

/// One `DistinctParty` being read.
#[derive(Default)]
struct PartyRaw {
    fixed_ref: String,
    comment: Option<String>,
    profile_id: String,
    sub_type_id: String,
    identities: Vec<String>,
    aliases: Vec<AliasRaw>,
    groups: HashMap<String, String>,
    features: Vec<FeatureRaw>,
}

/// A party's names, sorted out of its aliases (see [`State::party_names`]).
#[derive(Default)]
struct PartyNames {
    primary: Option<String>,
    aliases: Vec<String>,
    alt_types: Map<String, Value>,
    other_scripts: Vec<String>,
}

/// One `IDRegDocument` being read.
#[derive(Default)]
struct DocRaw {
    identity: String,
    /// The document's `ID` (the legacy XML's id uid).
    order: u64,
    fields: Map<String, Value>,
    date_type: String,
}

/// One fact of a profile's sanctions entries. Texts are [`Texts`] numbers: there is one of
/// these per fact of every profile, held until the end of the file, so each is 8 bytes.
#[derive(Clone, Copy)]
enum Sanction {
    Program(u32),
    List(u32),
    Measure(u32),
    LegalBasis(u32),
    Listed(NaiveDate),
}

/// The texts the sanctions section repeats (programs, lists, measures, legal bases, relation
/// types, non-numeric profile ids), each held once and named by its number.
#[derive(Default)]
struct Texts {
    numbers: HashMap<Box<str>, u32>,
    texts: Vec<Box<str>>,
}

impl Texts {
    /// The number of `text`, adding it when new.
    fn number(&mut self, text: &str) -> u32 {
        if let Some(&n) = self.numbers.get(text) {
            return n;
        }
        let n = self.texts.len() as u32;
        self.texts.push(text.into());
        self.numbers.insert(text.into(), n);
        n
    }

    /// The text numbered `n`.
    fn text(&self, n: u32) -> &str {
        self.texts.get(n as usize).map_or("", |t| t)
    }
}

/// A profile id as a number: OFAC's are decimal; any other text is numbered by [`Texts`]
/// with the top bit set.
type ProfileKey = u64;

/// A party read, by its position in the file: what the end of the file needs of it.
struct PartyRef {
    /// Its profile.
    profile: ProfileKey,
    /// Its entry's id and name (the name is what `Linked To` writes for a link to it).
    id: Box<str>,
    name: Box<str>,
    /// The names its `Comment` already links it to (`(Linked To: X)`; real files have none).
    linked: Vec<Box<str>>,
}

/// A `ProfileRelationship`: from and to profiles, relation type id (a [`Texts`] number), former.
struct Relation {
    from: ProfileKey,
    to: ProfileKey,
    type_id: u32,
    former: bool,
}

/// Everything kept during the single pass.
#[derive(Default)]
struct State {
    refs: HashMap<(String, String), RefValue>,
    locations: HashMap<String, Loc>,
    docs: HashMap<String, Vec<DocRaw>>,
    /// The parties' entries, compressed, in file order (joined at the end).
    entries: EntrySpool,
    /// Each entry's profile, id, name and comment links (for relationships), by position.
    parties: Vec<PartyRef>,
    by_profile: HashMap<ProfileKey, u32>,
    /// Each profile's sanctions facts, in file order.
    sanctions: HashMap<ProfileKey, Vec<Sanction>>,
    relationships: Vec<Relation>,
    texts: Texts,
    sdn_entries: usize,
    all_entries: usize,
    issued: Option<Period>,
    issued_text: Vec<String>,
    // Records being read.
    ref_item: Option<(String, String, Fields)>,
    location: Option<(String, Loc)>,
    loc_part: Option<(String, bool)>,
    doc: Option<DocRaw>,
    party: Option<PartyRaw>,
    period: Option<Period>,
    entry: Option<(ProfileKey, String)>,
    measure_type: String,
    event_basis: String,
}

/// The value of attribute `key`.
fn attr<'a>(attrs: &'a [(String, String)], key: &str) -> &'a str {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

impl State {
    /// The key of profile id `id`.
    fn profile_key(&mut self, id: &str) -> ProfileKey {
        let canonical =
            id.bytes().all(|b| b.is_ascii_digit()) && (id == "0" || !id.starts_with('0'));
        match id.parse::<u64>() {
            Ok(n) if canonical && n < 1 << 63 => n,
            _ => (1 << 63) | u64::from(self.texts.number(id)),
        }
    }

    /// Adds a fact to a profile's sanctions.
    fn sanction(&mut self, profile: ProfileKey, fact: Sanction) {
        self.sanctions.entry(profile).or_default().push(fact);
    }

    /// A coded value's text.
    fn value(&self, set: &str, id: &str) -> Option<&str> {
        self.refs
            .get(&(set.to_string(), id.to_string()))
            .map(|r| r.value.trim())
            .filter(|v| !v.is_empty())
    }

    /// An attribute of a coded value.
    fn ref_attr(&self, set: &str, id: &str, key: &str) -> Option<&str> {
        let r = self.refs.get(&(set.to_string(), id.to_string()))?;
        Some(attr(&r.attrs, key)).filter(|v| !v.is_empty())
    }

    /// Reads the whole stream; returns the decoding warning, if any.
    fn read(
        &mut self,
        file: &str,
        mut xml: ElementStream<'_>,
    ) -> Result<Option<String>, FormatError> {
        let mut path: Vec<String> = Vec::new();
        let mut root_seen = false;
        loop {
            match xml.next()? {
                ElementEvent::Start { name, attrs } => {
                    if path.is_empty() {
                        if name != "Sanctions" {
                            return Err(FormatError::new(
                                file,
                                Location::File,
                                format!(
                                    "the root element is <{}>, not <Sanctions>: this is not OFAC's advanced XML (sdn_advanced.xml / cons_advanced.xml)",
                                    crate::model::text::quote_bounded(&name)
                                ),
                            ));
                        }
                        root_seen = true;
                    }
                    path.push(name);
                    // Records: the children of the root's sections (a coded value set, a
                    // location, a document, a party, a relationship, a sanctions entry) and
                    // the date of issue.
                    if path.len() == 3 || (path.len() == 2 && path[1] == "DateOfIssue") {
                        xml.begin_record();
                    }
                    self.start(&path, &attrs);
                }
                ElementEvent::End { name, text } => {
                    self.end(file, &path, &name, text)?;
                    path.pop();
                }
                ElementEvent::Eof => break,
            }
        }
        if !root_seen {
            return Err(FormatError::new(
                file,
                Location::File,
                "no <Sanctions> element: the file is empty or not OFAC's advanced XML",
            ));
        }
        Ok(xml.reader().decode_warning())
    }

    /// An element starts; `path` ends with it.
    fn start(&mut self, path: &[String], attrs: &[(String, String)]) {
        let depth = path.len();
        let name = nth(path, depth.wrapping_sub(1));
        let parent = nth(path, depth.wrapping_sub(2));
        self.start_record(path, attrs);
        self.start_location_or_date(name, parent, attrs);
        self.start_party_part(name, attrs);
        self.start_sanctions_part(name, attrs);
    }

    /// A record starts: a date of issue, a coded value, a location, an identity document, a
    /// party, a relationship or a sanctions entry (each at its depth).
    fn start_record(&mut self, path: &[String], attrs: &[(String, String)]) {
        let depth = path.len();
        let name = nth(path, depth.wrapping_sub(1));
        match (depth, name) {
            (2, "DateOfIssue") => self.period = Some(Period::default()),
            (4, _) if nth(path, 1) == "ReferenceValueSets" => {
                self.ref_item = Some((
                    name.to_string(),
                    attr(attrs, "ID").to_string(),
                    attrs.iter().filter(|(k, _)| k != "ID").cloned().collect(),
                ));
            }
            (3, "Location") => {
                self.location = Some((attr(attrs, "ID").to_string(), Loc::default()));
            }
            (3, "IDRegDocument") => {
                let mut doc = DocRaw {
                    identity: attr(attrs, "IdentityID").to_string(),
                    order: attr(attrs, "ID").parse().unwrap_or(u64::MAX),
                    ..DocRaw::default()
                };
                if let Some(t) = self.value("IDRegDocType", attr(attrs, "IDRegDocTypeID")) {
                    doc.fields.insert("id_type".into(), Value::String(t.into()));
                }
                if let Some(c) = self.value("Country", attr(attrs, "IssuedBy-CountryID")) {
                    doc.fields
                        .insert("id_country".into(), Value::String(c.into()));
                }
                if let Some(v) = self.value("Validity", attr(attrs, "ValidityID"))
                    && !v.eq_ignore_ascii_case("valid")
                {
                    doc.fields
                        .insert("validity".into(), Value::String(v.into()));
                }
                self.doc = Some(doc);
            }
            (3, "DistinctParty") => {
                self.party = Some(PartyRaw {
                    fixed_ref: attr(attrs, "FixedRef").to_string(),
                    ..PartyRaw::default()
                });
            }
            (3, "ProfileRelationship") => {
                let relation = Relation {
                    from: self.profile_key(attr(attrs, "From-ProfileID")),
                    to: self.profile_key(attr(attrs, "To-ProfileID")),
                    type_id: self.texts.number(attr(attrs, "RelationTypeID")),
                    former: attr(attrs, "Former").eq_ignore_ascii_case("true"),
                };
                self.relationships.push(relation);
            }
            (3, "SanctionsEntry") => {
                let profile = self.profile_key(attr(attrs, "ProfileID"));
                self.entry = Some((profile, attr(attrs, "ListID").to_string()));
            }
            _ => {}
        }
    }

    /// A part of a location, of an identity document's date, or of a date period starts.
    fn start_location_or_date(&mut self, name: &str, parent: &str, attrs: &[(String, String)]) {
        match name {
            "LocationPart" if self.location.is_some() => {
                self.loc_part = Some((attr(attrs, "LocPartTypeID").to_string(), true));
            }
            "LocationPartValue" => {
                if let Some(part) = self.loc_part.as_mut() {
                    part.1 = !attr(attrs, "Primary").eq_ignore_ascii_case("false");
                }
            }
            "LocationCountry" => {
                if let Some((_, loc)) = self.location.as_mut() {
                    loc.countries.push(attr(attrs, "CountryID").to_string());
                }
            }
            "LocationAreaCode" => {
                if let Some((_, loc)) = self.location.as_mut() {
                    loc.area_codes.push(attr(attrs, "AreaCodeID").to_string());
                }
            }
            "DocumentDate" => {
                if let Some(doc) = self.doc.as_mut() {
                    doc.date_type = attr(attrs, "IDRegDocDateTypeID").to_string();
                }
            }
            "DatePeriod" | "Date" => self.period = Some(Period::default()),
            "Start" | "End" if parent == "DatePeriod" => {
                if attr(attrs, "Approximate").eq_ignore_ascii_case("true")
                    && let Some(p) = self.period.as_mut()
                {
                    p.approximate = true;
                }
            }
            _ => {}
        }
    }

    /// A part of a party starts: its profile, identities, aliases and names, features.
    fn start_party_part(&mut self, name: &str, attrs: &[(String, String)]) {
        match name {
            "Profile" => {
                if let Some(p) = self.party.as_mut() {
                    p.profile_id = attr(attrs, "ID").to_string();
                    p.sub_type_id = attr(attrs, "PartySubTypeID").to_string();
                }
            }
            "Identity" => {
                if let Some(p) = self.party.as_mut() {
                    p.identities.push(attr(attrs, "ID").to_string());
                }
            }
            "Alias" => {
                if let Some(p) = self.party.as_mut() {
                    p.aliases.push(AliasRaw {
                        type_id: attr(attrs, "AliasTypeID").to_string(),
                        primary: attr(attrs, "Primary").eq_ignore_ascii_case("true"),
                        low_quality: attr(attrs, "LowQuality").eq_ignore_ascii_case("true"),
                        names: Vec::new(),
                    });
                }
            }
            "DocumentedName" => {
                if let Some(alias) = self.party.as_mut().and_then(|p| p.aliases.last_mut()) {
                    alias.names.push(DocName::default());
                }
            }
            "NamePartValue" => {
                if let Some(name) = self
                    .party
                    .as_mut()
                    .and_then(|p| p.aliases.last_mut())
                    .and_then(|a| a.names.last_mut())
                {
                    name.parts.push((
                        attr(attrs, "NamePartGroupID").to_string(),
                        attr(attrs, "ScriptID").to_string(),
                        String::new(),
                    ));
                }
            }
            "NamePartGroup" => {
                if let Some(p) = self.party.as_mut() {
                    p.groups.insert(
                        attr(attrs, "ID").to_string(),
                        attr(attrs, "NamePartTypeID").to_string(),
                    );
                }
            }
            "Feature" => {
                if let Some(p) = self.party.as_mut() {
                    p.features.push(FeatureRaw {
                        type_id: attr(attrs, "FeatureTypeID").to_string(),
                        order: attr(attrs, "ID").parse().unwrap_or(u64::MAX),
                        ..FeatureRaw::default()
                    });
                }
            }
            "VersionLocation" => {
                let id = attr(attrs, "LocationID").to_string();
                if let Some(f) = self.party.as_mut().and_then(|p| p.features.last_mut()) {
                    f.locations.push(id);
                }
            }
            "VersionDetail" => {
                let reference = attr(attrs, "DetailReferenceID");
                if !reference.is_empty() {
                    let value = self.value("DetailReference", reference).map(str::to_string);
                    if let (Some(v), Some(f)) = (
                        value,
                        self.party.as_mut().and_then(|p| p.features.last_mut()),
                    ) {
                        f.values.push(v);
                    }
                }
            }
            _ => {}
        }
    }

    /// A part of a sanctions entry starts: its event, a measure.
    fn start_sanctions_part(&mut self, name: &str, attrs: &[(String, String)]) {
        match name {
            "EntryEvent" => self.event_basis = attr(attrs, "LegalBasisID").to_string(),
            "SanctionsMeasure" => self.measure_type = attr(attrs, "SanctionsTypeID").to_string(),
            _ => {}
        }
    }

    /// An element ends; `path` still ends with it.
    fn end(
        &mut self,
        file: &str,
        path: &[String],
        name: &str,
        text: String,
    ) -> Result<(), FormatError> {
        let depth = path.len();
        let parent = nth(path, depth.wrapping_sub(2));
        let grandparent = nth(path, depth.wrapping_sub(3));
        let value = text.trim();
        match name {
            "Year" | "Month" | "Day" => {
                if depth == 3 && parent == "DateOfIssue" {
                    self.issued_text.push(value.to_string());
                }
                if let Some(p) = self.period.as_mut() {
                    let slot = p.slot(parent, grandparent);
                    match name {
                        "Year" => slot.year = value.parse().ok(),
                        "Month" => slot.month = value.parse().ok(),
                        _ => slot.day = value.parse().ok(),
                    }
                }
                return Ok(());
            }
            "DateOfIssue" if depth == 2 => {
                self.issued = self.period.take();
                return Ok(());
            }
            _ => {}
        }
        if depth == 4 && nth(path, 1) == "ReferenceValueSets" {
            if let Some((set, id, attrs)) = self.ref_item.take() {
                self.refs.insert(
                    (set, id),
                    RefValue {
                        value: value.to_string(),
                        attrs,
                    },
                );
            }
            return Ok(());
        }
        self.end_location_part(name, parent, depth, value);
        self.end_document_part(name, parent, depth, value);
        self.end_party_part(file, name, parent, depth, &text)?;
        self.end_sanctions_part(name, parent, depth, value);
        // Locations and documents are needed only while the parties are read.
        if name == "DistinctParties" && depth == 2 {
            self.locations = HashMap::new();
            self.docs = HashMap::new();
        }
        Ok(())
    }

    /// A part of a location ends, or the location.
    fn end_location_part(&mut self, name: &str, parent: &str, depth: usize, value: &str) {
        match name {
            "Value" if parent == "LocationPartValue" => {
                if let (Some((_, loc)), Some((type_id, primary))) =
                    (self.location.as_mut(), self.loc_part.as_ref())
                    && !value.is_empty()
                {
                    if *primary {
                        loc.parts.push((type_id.clone(), value.to_string()));
                    } else {
                        loc.other_values.push(value.to_string());
                    }
                }
            }
            "LocationPart" => self.loc_part = None,
            "Location" if depth == 3 => {
                if let Some((id, loc)) = self.location.take() {
                    self.locations.insert(id, loc);
                }
            }
            _ => {}
        }
    }

    /// A part of an identity document ends, or the document.
    fn end_document_part(&mut self, name: &str, parent: &str, depth: usize, value: &str) {
        match name {
            "IDRegistrationNo" | "IssuingAuthority" | "Comment"
                if parent == "IDRegDocument" && !value.is_empty() =>
            {
                if let Some(doc) = self.doc.as_mut() {
                    let key = match name {
                        "IDRegistrationNo" => "id_number",
                        "IssuingAuthority" => "issuing_authority",
                        _ => "comment",
                    };
                    doc.fields.insert(key.into(), Value::String(value.into()));
                }
            }
            "DatePeriod" if parent == "DocumentDate" => {
                let period = self.period.take();
                if let Some(doc) = self.doc.as_mut() {
                    let label = self
                        .refs
                        .get(&("IDRegDocDateType".to_string(), doc.date_type.clone()))
                        .map_or("date", |r| r.value.as_str());
                    if let Some(text) = period.and_then(|p| p.render()) {
                        doc.fields.insert(snake_case(label), Value::String(text));
                    }
                }
            }
            "IDRegDocument" if depth == 3 => {
                if let Some(doc) = self.doc.take()
                    && !doc.fields.is_empty()
                {
                    self.docs.entry(doc.identity.clone()).or_default().push(doc);
                }
            }
            _ => {}
        }
    }

    /// A part of a party ends (`text` untrimmed), or the party: its entry is built.
    fn end_party_part(
        &mut self,
        file: &str,
        name: &str,
        parent: &str,
        depth: usize,
        text: &str,
    ) -> Result<(), FormatError> {
        let value = text.trim();
        match name {
            "Comment" if parent == "DistinctParty" && !value.is_empty() => {
                if let Some(p) = self.party.as_mut() {
                    p.comment = Some(text.to_string());
                }
            }
            "NamePartValue" => {
                if let Some(part) = self
                    .party
                    .as_mut()
                    .and_then(|p| p.aliases.last_mut())
                    .and_then(|a| a.names.last_mut())
                    .and_then(|n| n.parts.last_mut())
                {
                    part.2 = value.to_string();
                }
            }
            "VersionDetail" if !value.is_empty() => {
                if let Some(f) = self.party.as_mut().and_then(|p| p.features.last_mut()) {
                    f.values.push(value.to_string());
                }
            }
            "Comment" if parent == "FeatureVersion" && !value.is_empty() => {
                if let Some(f) = self.party.as_mut().and_then(|p| p.features.last_mut()) {
                    f.values.push(value.to_string());
                }
            }
            "DatePeriod" if parent == "FeatureVersion" => {
                let period = self.period.take();
                if let (Some(text), Some(f)) = (
                    period.and_then(|p| p.render()),
                    self.party.as_mut().and_then(|p| p.features.last_mut()),
                ) {
                    f.values.push(text);
                }
            }
            "DistinctParty" if depth == 3 => {
                if let Some(party) = self.party.take() {
                    let number = self.parties.len() as u64 + 1;
                    let entry = self.party_entry(file, number, party)?;
                    if let Some(last) = self.parties.last_mut() {
                        last.id = entry.id.as_str().into();
                        last.name = entry.name.as_str().into();
                    }
                    self.entries.push(&entry);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A part of a sanctions entry ends, or the entry.
    fn end_sanctions_part(&mut self, name: &str, parent: &str, depth: usize, value: &str) {
        match name {
            "Date" if parent == "EntryEvent" => {
                let date = self.period.take().and_then(|p| p.start_from.date());
                if let Some(profile) = self.entry.as_ref().map(|e| e.0) {
                    let basis = self
                        .value("LegalBasis", &self.event_basis)
                        .map(str::to_string);
                    if let Some(date) = date {
                        self.sanction(profile, Sanction::Listed(date));
                    }
                    if let Some(basis) = basis {
                        let n = self.texts.number(&basis);
                        self.sanction(profile, Sanction::LegalBasis(n));
                    }
                }
            }
            "Comment" if parent == "SanctionsMeasure" && !value.is_empty() => {
                let kind = self
                    .value("SanctionsType", &self.measure_type)
                    .map(str::to_string);
                if let Some(profile) = self.entry.as_ref().map(|e| e.0) {
                    let fact = match kind.as_deref() {
                        None | Some("Program") => Sanction::Program(self.texts.number(value)),
                        Some(kind) => {
                            Sanction::Measure(self.texts.number(&format!("{kind}: {value}")))
                        }
                    };
                    self.sanction(profile, fact);
                }
            }
            "SanctionsMeasure" => {
                let kind = self
                    .value("SanctionsType", &self.measure_type)
                    .map(str::to_string);
                if let (Some(kind), Some(profile)) = (kind, self.entry.as_ref().map(|e| e.0))
                    && kind != "Program"
                {
                    let prefix = format!("{kind}: ");
                    let texts = &self.texts;
                    let described = self.sanctions.get(&profile).is_some_and(|facts| {
                        facts.iter().any(|fact| {
                            matches!(fact, Sanction::Measure(n) if texts.text(*n).starts_with(&prefix))
                        })
                    });
                    if !described {
                        let n = self.texts.number(&kind);
                        self.sanction(profile, Sanction::Measure(n));
                    }
                }
            }
            "SanctionsEntry" if depth == 3 => {
                if let Some((profile, list_id)) = self.entry.take() {
                    self.all_entries += 1;
                    let list = self.value("List", &list_id).map(str::to_string);
                    if list.as_deref() == Some("SDN List") {
                        self.sdn_entries += 1;
                    }
                    if let Some(list) = list {
                        let n = self.texts.number(&list);
                        self.sanction(profile, Sanction::List(n));
                    }
                }
            }
            _ => {}
        }
    }

    /// A profile key as the file wrote it.
    fn profile_text(&self, profile: ProfileKey) -> String {
        if profile >> 63 == 1 {
            self.texts
                .text((profile & u64::from(u32::MAX)) as u32)
                .to_string()
        } else {
            profile.to_string()
        }
    }

    /// A location as one line (the CSV's address layout) and its country.
    fn location_text(&self, id: &str) -> (Option<String>, Option<String>, Vec<String>) {
        let Some(loc) = self.locations.get(id) else {
            return (None, None, Vec::new());
        };
        let part = |label: &str| -> Option<String> {
            let values: Vec<&str> = loc
                .parts
                .iter()
                .filter(|(t, _)| self.value("LocPartType", t) == Some(label))
                .map(|(_, v)| v.as_str())
                .collect();
            (!values.is_empty()).then(|| values.join(", "))
        };
        // OFAC's placeholder for a location it does not know, "undetermined", is no country
        // (a location that is only that is no address either; the legacy files have none).
        let country = loc
            .countries
            .iter()
            .filter_map(|c| self.value("Country", c))
            .chain(
                loc.area_codes
                    .iter()
                    .filter_map(|a| self.ref_attr("AreaCode", a, "Description")),
            )
            .find(|c| !c.trim().eq_ignore_ascii_case("undetermined"))
            .map(str::to_string);
        let lines: Vec<String> = ["ADDRESS1", "ADDRESS2", "ADDRESS3", "Unknown", "REGION"]
            .into_iter()
            .filter_map(part)
            .collect();
        let line_refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let address = csv_address(
            &line_refs,
            part("CITY").as_deref(),
            part("STATE/PROVINCE").as_deref(),
            part("POSTAL CODE").as_deref(),
            country.as_deref(),
        );
        (address, country, loc.other_values.clone())
    }

    /// A documented name as the CSV writes names, and whether it is in Latin script.
    fn doc_name(&self, groups: &HashMap<String, String>, name: &DocName) -> (String, bool) {
        let mut surname = Vec::new();
        let mut given = Vec::new();
        let mut latin = true;
        for (group, script, value) in &name.parts {
            if value.is_empty() {
                continue;
            }
            if let Some(s) = self.value("Script", script)
                && !s.eq_ignore_ascii_case("Latin")
            {
                latin = false;
            }
            let kind = groups
                .get(group)
                .and_then(|t| self.value("NamePartType", t))
                .unwrap_or("");
            match kind {
                "Last Name" | "Maiden Name" | "Entity Name" | "Vessel Name" | "Aircraft Name" => {
                    surname.push(value.as_str())
                }
                _ => given.push(value.as_str()),
            }
        }
        let surname = surname.join(" ");
        let given = given.join(" ");
        let name = csv_name(
            Some(surname.as_str()).filter(|s| !s.is_empty()),
            Some(given.as_str()).filter(|s| !s.is_empty()),
        );
        (name, latin)
    }

    /// Builds a party's entry (programs and relationships are added at the end).
    fn party_entry(
        &mut self,
        file: &str,
        number: u64,
        party: PartyRaw,
    ) -> Result<Entry, FormatError> {
        let located = |message: String| {
            FormatError::new(file, Location::Record { number, line: None }, message)
        };
        let fixed = party.fixed_ref.trim();
        if fixed.is_empty() {
            return Err(located(
                "this <DistinctParty> has no FixedRef: the entry number is the key".into(),
            ));
        }
        let id = EntryId::new(fixed).map_err(|e| located(e.to_string()))?;
        let mut composite = Composite::default();
        let names = self.party_names(&party, &mut composite);
        let mut entry = Entry::new(id, names.primary.unwrap_or_default());
        entry.aliases = names.aliases;
        composite.remarks = party.comment.as_ref().map(|c| c.trim().to_string());
        self.party_type_into(&party.sub_type_id, &mut entry);
        if !names.alt_types.is_empty() {
            entry
                .extra
                .insert("alt_types".into(), Value::Object(names.alt_types));
        }
        if !names.other_scripts.is_empty() {
            entry.extra.insert(
                "other_script_names".into(),
                Value::Array(names.other_scripts.into_iter().map(Value::String).collect()),
            );
        }
        let id_other = self.party_documents(&party.identities, &mut composite);
        if !id_other.is_empty() {
            entry
                .extra
                .insert("id_other".into(), Value::Array(id_other));
        }
        let remarks = self.party_features(&party.features, &mut entry, composite);
        let profile = if party.profile_id.is_empty() {
            fixed.to_string()
        } else {
            party.profile_id
        };
        let key = self.profile_key(&profile);
        self.by_profile.insert(key, self.parties.len() as u32);
        // The reason is left without its end: the links come with the relationships, after
        // every party, and [`State::finish_each`] writes them.
        let RemarksDraft { body, linked } = remarks;
        entry.reason = body;
        csv_quotes(&mut entry);
        self.parties.push(PartyRef {
            profile: key,
            id: Box::default(),
            name: Box::default(),
            linked: linked
                .into_iter()
                .map(|n| n.replace('"', "'").into_boxed_str())
                .collect(),
        });
        Ok(entry)
    }

    /// A party's names: the primary alias's Latin-script name; the other aliases (their types
    /// in `alt_types` unless a.k.a.), low-quality ones as weak names of the remarks; names in
    /// other scripts.
    fn party_names(&self, party: &PartyRaw, composite: &mut Composite) -> PartyNames {
        let mut names = PartyNames::default();
        for alias in &party.aliases {
            let label = self.value("AliasType", &alias.type_id).unwrap_or("A.K.A.");
            let kind = alt_type(label);
            let mut chosen: Option<String> = None;
            let mut rest = Vec::new();
            for name in &alias.names {
                let (text, latin) = self.doc_name(&party.groups, name);
                let Some(text) = text::normalize(&text) else {
                    continue;
                };
                if latin && chosen.is_none() {
                    chosen = Some(text);
                } else {
                    rest.push(text);
                }
            }
            if chosen.is_none() && !rest.is_empty() {
                chosen = Some(rest.remove(0));
            }
            names.other_scripts.extend(rest);
            let Some(name) = chosen else { continue };
            if alias.primary && names.primary.is_none() {
                names.primary = Some(name);
            } else if alias.low_quality {
                composite.weak_akas.push((label.to_lowercase(), name));
            } else {
                if kind != "aka" {
                    names.alt_types.insert(name.clone(), Value::String(kind));
                }
                names.aliases.push(name);
            }
        }
        names
    }

    /// The entry type of a party sub-type (or of its party type); when neither is one,
    /// `extra.party_type` says what it is.
    fn party_type_into(&self, sub_type_id: &str, entry: &mut Entry) {
        let Some(sub) = self.value("PartySubType", sub_type_id) else {
            return;
        };
        let party_type = self
            .ref_attr("PartySubType", sub_type_id, "PartyTypeID")
            .and_then(|t| self.value("PartyType", t));
        match EntryType::parse(sub).or_else(|| party_type.and_then(EntryType::parse)) {
            Some(t) => entry.entry_type = Some(t),
            None => {
                let label = party_type.unwrap_or(sub).to_string();
                entry
                    .extra
                    .insert("party_type".into(), Value::String(label));
            }
        }
    }

    /// A party's identity documents: in the remarks, as the CSV writes them; whatever the CSV
    /// does not write (issuing authority, validity, comments, other dates) is returned, for
    /// `id_other`. The documents are read once: each is taken from the state.
    fn party_documents(&mut self, identities: &[String], composite: &mut Composite) -> Vec<Value> {
        let mut id_other = Vec::new();
        for doc in identities
            .iter()
            .filter_map(|i| self.docs.remove(i))
            .flatten()
        {
            let mut fields = doc.fields;
            let mut take = |key: &str| match fields.remove(key) {
                Some(Value::String(v)) if !v.trim().is_empty() => Some(v.trim().to_string()),
                _ => None,
            };
            let kind = take("id_type");
            let number = take("id_number");
            let country = take("id_country");
            let issued = take("issue_date");
            let expires = take("expiration_date");
            match kind {
                Some(kind) => {
                    composite.ids.push(IdRow {
                        kind: kind.clone(),
                        number: number.unwrap_or_default(),
                        country,
                        issued,
                        expires,
                        order: doc.order,
                    });
                    if !fields.is_empty() {
                        fields.insert("id_type".into(), Value::String(kind));
                        id_other.push(Value::Object(fields));
                    }
                }
                None => {
                    for (key, value) in [
                        ("id_number", number),
                        ("id_country", country),
                        ("issue_date", issued),
                        ("expiration_date", expires),
                    ] {
                        if let Some(v) = value {
                            fields.insert(key.into(), Value::String(v));
                        }
                    }
                    if !fields.is_empty() {
                        id_other.push(Value::Object(fields));
                    }
                }
            }
        }
        id_other
    }

    /// A party's features: addresses and countries from its locations; birth data,
    /// nationality and citizenship, and every other feature (Website, Gender, SWIFT/BIC,
    /// Former Vessel Flag, …) in the remarks, as the legacy files write them; the CSV's own
    /// columns (title, vessel data) in `extra`. Returns the remarks, not yet ended (the links
    /// come at the end of the file).
    fn party_features(
        &self,
        features: &[FeatureRaw],
        entry: &mut Entry,
        mut composite: Composite,
    ) -> RemarksDraft {
        let mut scalars: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut address_scripts = Vec::new();
        for feature in features {
            let label = self.value("FeatureType", &feature.type_id).unwrap_or("");
            if label == "Location" {
                for loc in &feature.locations {
                    let (address, country, others) = self.location_text(loc);
                    entry.addresses.extend(address);
                    entry.countries.extend(country);
                    address_scripts.extend(others);
                }
                continue;
            }
            let mut values = feature.values.clone();
            for loc in &feature.locations {
                values.extend(self.location_text(loc).0);
            }
            let key = feature_key(label, &feature.type_id);
            match key.as_str() {
                "date_of_birth" => composite.dates_of_birth.extend(values),
                "place_of_birth" => composite.places_of_birth.extend(values),
                "nationality" => composite.nationalities.extend(values),
                "citizenship" => composite.citizenships.extend(values),
                _ if SCALAR_KEYS.contains(&key.as_str()) => {
                    scalars.entry(key).or_default().extend(values)
                }
                // Every other feature is an id row of the legacy files.
                _ => {
                    let kind = if label.is_empty() {
                        key.clone()
                    } else {
                        label.to_string()
                    };
                    for value in values {
                        composite.ids.push(IdRow {
                            kind: kind.clone(),
                            number: value,
                            country: None,
                            issued: None,
                            expires: None,
                            order: feature.order,
                        });
                    }
                }
            }
        }
        for (key, values) in scalars {
            if values.is_empty() {
                continue;
            }
            if key == "title" {
                composite.title = Some(values.join("; "));
            }
            let values: Vec<String> = if matches!(key.as_str(), "tonnage" | "grt") {
                values.iter().map(|v| csv_tonnage(v)).collect()
            } else {
                values
            };
            let value = if values.len() == 1 {
                Value::String(values.into_iter().next().unwrap_or_default())
            } else {
                Value::Array(values.into_iter().map(Value::String).collect())
            };
            entry.extra.insert(key, value);
        }
        if !address_scripts.is_empty() {
            entry.extra.insert(
                "address_other_scripts".into(),
                Value::Array(address_scripts.into_iter().map(Value::String).collect()),
            );
        }
        composite.draft()
    }

    /// Joins programs and relationships and builds the publication.
    fn finish(self, file: &str) -> ParseResult {
        let mut entries = Vec::new();
        let (meta, warnings) = self.finish_each(file, &mut |entry| {
            entries.push(entry);
            Ok(())
        })?;
        let content = PublicationContent::Snapshot(entries)
            .normalize()
            .map_err(|e| record_error(file, e, |_| None))?;
        Ok((
            vec![ParsedPublication {
                list: meta.0,
                stated_date: meta.1,
                stated_date_text: meta.2,
                source: None,
                content,
                columns: None,
            }],
            warnings,
        ))
    }

    /// Joins each party's entry with its programs and relationships, in file order, and gives
    /// it (not yet normalised) to `each`; returns the list, the date and the warnings.
    #[allow(clippy::type_complexity)]
    fn finish_each(
        mut self,
        file: &str,
        each: &mut dyn FnMut(Entry) -> Result<(), FormatError>,
    ) -> Result<((ListId, Option<NaiveDate>, Option<String>), Vec<String>), FormatError> {
        let mut warnings = Vec::new();
        let mut orphans: Vec<String> = self
            .sanctions
            .keys()
            .filter(|profile| !self.by_profile.contains_key(*profile))
            .map(|&profile| self.profile_text(profile))
            .collect();
        if !orphans.is_empty() {
            orphans.sort();
            warnings.push(format!(
                "{file}: {} sanctions entr{} refer to profiles with no <DistinctParty> (e.g. {}) and {} ignored: is the file complete?",
                orphans.len(),
                if orphans.len() == 1 { "y" } else { "ies" },
                orphans.iter().take(5).cloned().collect::<Vec<_>>().join(", "),
                if orphans.len() == 1 { "was" } else { "were" },
            ));
        }
        // Relationships by the position of the party they start from, in file order; the
        // names each party is linked to (its current relationships), as the legacy remarks
        // write them.
        let mut related: HashMap<u32, Vec<Value>> = HashMap::new();
        let mut linked: HashMap<u32, Vec<Box<str>>> = HashMap::new();
        let mut dangling: Vec<String> = Vec::new();
        for relation in std::mem::take(&mut self.relationships) {
            let (Some(&from_index), Some(&to_index)) = (
                self.by_profile.get(&relation.from),
                self.by_profile.get(&relation.to),
            ) else {
                dangling.push(format!(
                    "{} → {}",
                    self.profile_text(relation.from),
                    self.profile_text(relation.to)
                ));
                continue;
            };
            let mut object = Map::new();
            if let Some(kind) = self.value("RelationType", self.texts.text(relation.type_id)) {
                object.insert("relation_type".into(), Value::String(kind.into()));
            }
            if let Some(to) = self.parties.get(to_index as usize) {
                object.insert("related_id".into(), Value::String(to.id.to_string()));
                object.insert("related_name".into(), Value::String(to.name.to_string()));
                if !relation.former {
                    linked.entry(from_index).or_default().push(to.name.clone());
                }
            }
            if relation.former {
                object.insert("former".into(), Value::Bool(true));
            }
            related
                .entry(from_index)
                .or_default()
                .push(Value::Object(object));
        }
        if !dangling.is_empty() {
            warnings.push(format!(
                "{file}: {} profile relationship{} a profile with no <DistinctParty> ({}{}) and {} left out: a party's reason lacks the `Linked To` of such a link; is the file complete?",
                dangling.len(),
                if dangling.len() == 1 { " names" } else { "s name" },
                dangling.iter().take(5).cloned().collect::<Vec<_>>().join(", "),
                if dangling.len() > 5 { ", …" } else { "" },
                if dangling.len() == 1 { "was" } else { "were" },
            ));
        }
        let spool = std::mem::take(&mut self.entries);
        let mut failed = None;
        spool
            .each(|index, mut entry| {
                if failed.is_some() {
                    return;
                }
                let party = self.parties.get(index);
                let mut remarks = RemarksDraft {
                    body: entry.reason.take(),
                    linked: Vec::new(),
                };
                for name in party
                    .as_ref()
                    .map(|p| p.linked.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .chain(linked.get(&(index as u32)).into_iter().flatten())
                {
                    remarks.link(name);
                }
                entry.reason = remarks.finish();
                let facts = party.and_then(|p| self.sanctions.remove(&p.profile));
                if let Some(facts) = facts {
                    let texts = |pick: fn(&Sanction) -> Option<u32>| {
                        facts
                            .iter()
                            .filter_map(pick)
                            .map(|n| self.texts.text(n).to_string())
                            .collect::<Vec<String>>()
                    };
                    entry.programs.extend(texts(|f| match f {
                        Sanction::Program(n) => Some(*n),
                        _ => None,
                    }));
                    entry.listed_on = facts
                        .iter()
                        .filter_map(|f| match f {
                            Sanction::Listed(date) => Some(*date),
                            _ => None,
                        })
                        .min();
                    let sets: [(&str, fn(&Sanction) -> Option<u32>); 3] = [
                        ("lists", |f| match f {
                            Sanction::List(n) => Some(*n),
                            _ => None,
                        }),
                        ("sanctions_measures", |f| match f {
                            Sanction::Measure(n) => Some(*n),
                            _ => None,
                        }),
                        ("legal_basis", |f| match f {
                            Sanction::LegalBasis(n) => Some(*n),
                            _ => None,
                        }),
                    ];
                    for (key, pick) in sets {
                        let mut items = texts(pick);
                        if !items.is_empty() {
                            items.sort();
                            items.dedup();
                            entry.extra.insert(
                                key.into(),
                                Value::Array(items.into_iter().map(Value::String).collect()),
                            );
                        }
                    }
                }
                if let Some(objects) = related.remove(&(index as u32)) {
                    match entry.extra.get_mut("relationships") {
                        Some(Value::Array(items)) => items.extend(objects),
                        _ => {
                            entry
                                .extra
                                .insert("relationships".into(), Value::Array(objects));
                        }
                    }
                }
                entry.extra.freeze();
                if let Err(e) = each(entry) {
                    failed = Some(e);
                }
            })
            .map_err(|message| FormatError::new(file, Location::File, message))?;
        if let Some(e) = failed {
            return Err(e);
        }

        let (stated_date, stated_date_text) = match &self.issued {
            None => (None, None),
            Some(period) => match period.start_from.day.and(period.start_from.date()) {
                Some(date) => (Some(date), Some(self.issued_text.join("-"))),
                None => {
                    return Err(FormatError::new(
                        file,
                        Location::File,
                        format!(
                            "<DateOfIssue> {} is not a date: expected Year, Month and Day (the file looks damaged)",
                            crate::formats::quoted(&self.issued_text.join("-"))
                        ),
                    ));
                }
            },
        };
        let list_id = if self.sdn_entries * 2 >= self.all_entries {
            SDN_LIST
        } else {
            CONS_LIST
        };
        let list = ListId::new(list_id)
            .map_err(|e| FormatError::new(file, Location::File, e.to_string()))?;
        Ok(((list, stated_date, stated_date_text), warnings))
    }
}

/// `extra` keys only the advanced XML fills (the legacy CSV and XML have no such data):
/// an entry is the legacy one plus these and `listed_on` (checked by the tests).
#[cfg(test)]
const ADVANCED_ONLY: [&str; 8] = [
    "lists",
    "sanctions_measures",
    "legal_basis",
    "relationships",
    "other_script_names",
    "address_other_scripts",
    "party_type",
    "id_other",
];

/// `extra` keys the legacy CSV uses as single strings.
const SCALAR_KEYS: [&str; 7] = [
    "title",
    "call_sign",
    "vess_type",
    "vess_flag",
    "vess_owner",
    "tonnage",
    "grt",
];

/// The `extra` key for a feature type: the legacy CSV/XML key where there is one, else the
/// feature type's name in snake_case (`feature_<id>` when the type is not in the file).
fn feature_key(label: &str, type_id: &str) -> String {
    let known = match label {
        "Birthdate" => "date_of_birth",
        "Place of Birth" => "place_of_birth",
        "Nationality Country" => "nationality",
        "Citizenship Country" => "citizenship",
        "Title" => "title",
        "Vessel Call Sign" => "call_sign",
        "VESSEL TYPE" => "vess_type",
        "Vessel Flag" => "vess_flag",
        "Vessel Owner" => "vess_owner",
        "Vessel Tonnage" => "tonnage",
        "Vessel Gross Registered Tonnage" => "grt",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    let key = snake_case(label);
    if key.is_empty() {
        format!("feature_{}", snake_case(type_id))
    } else {
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::Format;
    use crate::formats::InputFile;
    use crate::formats::entry_by_id as by_id;
    use crate::formats::snapshot_entries as entries;
    use serde_json::json;
    use std::path::PathBuf;

    fn fixture_path(dir: &str, name: &str) -> PathBuf {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
            .join(dir)
            .join(name)
    }

    /// A fixture, streamed from its path as large files are.
    fn fixture(name: &str) -> Input {
        let path = fixture_path("ofac-advanced-xml", name);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.truncate(1024);
        Input {
            primary: InputFile {
                name: path.display().to_string(),
                bytes,
                stream_from: Some(path),
            },
            companions: Vec::new(),
            options: Default::default(),
        }
    }

    /// Reading entry by entry gives exactly the whole read's entries, list, date and warnings.
    #[test]
    fn entries_one_at_a_time_are_the_whole_reads() {
        for name in ["2024-03-01/sdn_advanced.xml", "2024-03-04/sdn_advanced.xml"] {
            let input = fixture(name);
            let (whole, whole_warnings) = parse(&input).unwrap();
            let mut streamed = Vec::new();
            let snapshot = parse_entries(&input, &mut |e| {
                streamed.push(e);
                Ok(())
            })
            .unwrap()
            .expect("the advanced XML gives its entries one at a time");
            assert_eq!(entries(&whole), streamed.as_slice(), "{name}");
            assert!(
                streamed.iter().any(|e| !e.programs.is_empty()),
                "programs joined"
            );
            assert!(
                streamed
                    .iter()
                    .any(|e| e.extra.contains_key("relationships")),
                "relationships joined"
            );
            assert_eq!(snapshot.list, whole[0].list);
            assert_eq!(snapshot.stated_date, whole[0].stated_date);
            assert_eq!(snapshot.entries, streamed.len());
            assert_eq!(snapshot.warnings, whole_warnings);
        }
    }

    fn text_of(name: &str) -> String {
        std::fs::read_to_string(fixture_path("ofac-advanced-xml", name)).unwrap()
    }

    #[test]
    fn maps_the_fixture() {
        let (pubs, warnings) = parse(&fixture("2024-03-01/sdn_advanced.xml")).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let p = &pubs[0];
        assert_eq!(p.list.as_str(), "us-ofac-sdn");
        assert_eq!(p.stated_date, NaiveDate::from_ymd_opt(2024, 3, 1));
        assert_eq!(p.stated_date_text.as_deref(), Some("2024-3-1"));
        let es = entries(&pubs);
        assert_eq!(es.len(), 4);

        let aero = by_id(es, "36");
        assert_eq!(aero.name, "AEROCARIBBEAN AIRLINES");
        assert_eq!(aero.entry_type, Some(EntryType::Entity));
        assert_eq!(aero.aliases, vec!["AERO-CARIBBEAN"]);
        assert_eq!(aero.addresses, vec!["Havana, Cuba"]);
        assert_eq!(aero.countries, vec!["Cuba"]);
        assert_eq!(aero.programs, vec!["CUBA"]);
        assert_eq!(aero.listed_on, NaiveDate::from_ymd_opt(1995, 1, 1));

        let m = by_id(es, "7513");
        assert_eq!(m.name, "MNANGAGWA, Emmerson Dambudzo");
        assert_eq!(m.entry_type, Some(EntryType::Individual));
        assert_eq!(m.programs, vec!["ZIMBABWE"]);
        // The legacy CSV's Remarks, composed from the features, documents and weak names.
        assert_eq!(
            m.reason.as_deref(),
            Some(
                "DOB 15 Sep 1942; POB Zvishavane, Zimbabwe; nationality Zimbabwe; Gender Male; \
                 Passport AD001095 (Zimbabwe) expires 01 Jan 2030; \
                 President of the Republic of Zimbabwe; Chairman of the ruling party; a.k.a. 'NGWENA'."
            )
        );
        assert!(m.aliases.is_empty());
        assert_eq!(
            m.extra["other_script_names"],
            json!(["МНАНГАГВА, Эммерсон"])
        );
        assert_eq!(
            m.extra["title"],
            json!("President of the Republic of Zimbabwe")
        );
        // The CSV's keys, and what only the advanced XML carries.
        assert_eq!(
            m.extra.keys().collect::<Vec<_>>(),
            vec![
                "legal_basis",
                "lists",
                "other_script_names",
                "sanctions_measures",
                "title"
            ]
        );
        assert_eq!(m.extra["lists"], json!(["SDN List"]));
        assert_eq!(m.extra["sanctions_measures"], json!(["Block"]));
        assert_eq!(m.extra["legal_basis"], json!(["Unknown"]));

        let ship = by_id(es, "15036");
        assert_eq!(ship.entry_type, Some(EntryType::Vessel));
        assert_eq!(ship.aliases, vec!["ABADAN"]);
        assert_eq!(ship.extra["alt_types"], json!({"ABADAN": "fka"}));
        assert_eq!(ship.extra["vess_type"], json!("Crude/Oil Products Tanker"));
        assert_eq!(ship.extra["tonnage"], json!("99,144"));
        assert_eq!(
            ship.extra["legal_basis"],
            json!(["Executive Order 13382 (Non-proliferation)"])
        );
        assert_eq!(
            ship.extra["relationships"],
            json!([{"relation_type": "Owned or Controlled By", "related_id": "36",
                    "related_name": "AEROCARIBBEAN AIRLINES"}])
        );
        assert!(
            by_id(es, "7480")
                .reason
                .as_deref()
                .is_some_and(|r| r.starts_with("DOB 1965"))
        );
    }

    #[test]
    fn two_dates_give_an_addition_a_removal_and_a_reason_change() {
        let (old, _) = parse(&fixture("2024-03-01/sdn_advanced.xml")).unwrap();
        let (new, warnings) = parse(&fixture("2024-03-04/sdn_advanced.xml")).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let (old, new) = (entries(&old), entries(&new));
        assert!(old.iter().any(|e| e.id.as_str() == "7480"));
        assert!(!new.iter().any(|e| e.id.as_str() == "7480"));
        assert!(!old.iter().any(|e| e.id.as_str() == "99001"));
        let added = by_id(new, "99001");
        assert_eq!(added.name, "EXAMPLE TRADING & SHIPPING LLC");
        assert_eq!(
            added.addresses,
            vec!["Office 12, Example Tower, Dubai 12345, United Arab Emirates"]
        );
        assert_eq!(added.extra["address_other_scripts"], json!(["دبي"]));
        assert!(
            added
                .reason
                .as_deref()
                .is_some_and(|r| r.contains("Website www.example.com")),
            "{:?}",
            added.reason
        );
        assert_eq!(by_id(new, "7513").programs, vec!["GLOMAG"]);
        assert_ne!(by_id(old, "7513").reason, by_id(new, "7513").reason);
    }

    /// The advanced fixtures describe the same parties as the legacy XML fixtures: the fields
    /// both formats carry come out the same.
    #[test]
    fn matches_the_legacy_xml_for_the_same_parties() {
        for date in ["2024-03-01", "2024-03-04"] {
            let (advanced, _) = parse(&fixture(&format!("{date}/sdn_advanced.xml"))).unwrap();
            let path = fixture_path("ofac-xml", &format!("{date}/SDN.XML"));
            let legacy = Input::single("SDN.XML", std::fs::read(path).unwrap());
            // The legacy XML, read through the registry.
            let legacy = Format::from_name("ofac-xml")
                .expect("the OFAC legacy XML format")
                .parse(&legacy)
                .unwrap()
                .publications;
            let (a, l) = (entries(&advanced), entries(&legacy));
            assert_eq!(a.len(), l.len());
            for x in l {
                // Identical but for what only the advanced XML carries.
                let mut y = by_id(a, x.id.as_str()).clone();
                y.listed_on = None;
                for key in ADVANCED_ONLY {
                    y.extra.remove(key);
                }
                assert_eq!(x, &y);
            }
        }
    }

    /// Links exist only as `ProfileRelationships`: each current relationship from a party
    /// writes `Linked To: NAME` at the end of its reason, as the legacy remarks do, in the
    /// relationships' file order, once per linked party; a former relationship writes none; one
    /// naming a profile the file lacks is told. A location that is only the "undetermined" area
    /// code is neither an address nor a country, and the area code never is a country.
    #[test]
    fn links_and_undetermined_locations_as_the_legacy_files() {
        let relation = |id: u32, from: &str, to: &str, former: bool| {
            format!(
                "<ProfileRelationship ID=\"{id}\" From-ProfileID=\"{from}\" To-ProfileID=\"{to}\" RelationTypeID=\"1555\" RelationQualityID=\"1\" Former=\"{former}\" SanctionsEntryID=\"{from}\"><Comment /></ProfileRelationship>\n"
            )
        };
        let more = [
            relation(3, "15036", "7480", false),
            relation(4, "15036", "36", false),
            relation(5, "15036", "7513", true),
            relation(6, "15036", "424242", false),
            relation(7, "36", "7513", false),
        ]
        .concat();
        let text = text_of("2024-03-01/sdn_advanced.xml")
            .replace("  </ProfileRelationships>", &format!("{more}  </ProfileRelationships>"))
            // The legacy text in a comment as well is not written twice.
            .replace(
                "<DistinctParty FixedRef=\"15036\">\n    <Comment />",
                "<DistinctParty FixedRef=\"15036\">\n    <Comment>(Linked To: AEROCARIBBEAN AIRLINES)</Comment>",
            )
            .replace(
                "<DistinctParty FixedRef=\"36\">",
                "<DistinctParty FixedRef=\"36\">\n    <Comment>All offices.</Comment>",
            )
            // Havana with the undetermined area code and no country.
            .replace(
                "<LocationAreaCode AreaCodeID=\"11109\" />\n      <LocationCountry CountryID=\"11109\" CountryRelevanceID=\"1413\" />",
                "<LocationAreaCode AreaCodeID=\"11520\" />",
            );
        let (pubs, warnings) = parse(&Input::single("a.xml", text.into_bytes())).unwrap();
        let es = entries(&pubs);
        assert_eq!(
            by_id(es, "15036").reason.as_deref(),
            Some(
                "Vessel Registration Identification IMO 9187629; \
                 Linked To: AEROCARIBBEAN AIRLINES; Linked To: EXAMPLE, Grace."
            )
        );
        let aero = by_id(es, "36");
        assert_eq!(
            aero.reason.as_deref(),
            Some("All offices.; Linked To: MNANGAGWA, Emmerson Dambudzo.")
        );
        assert_eq!(aero.addresses, ["Havana"]);
        assert!(aero.countries.is_empty(), "{:?}", aero.countries);
        let grace = by_id(es, "7480");
        assert_eq!(
            grace.reason.as_deref(),
            Some("DOB 1965; Linked To: MNANGAGWA, Emmerson Dambudzo.")
        );
        assert!(grace.addresses.is_empty() && grace.countries.is_empty());
        // The former relationship and the one to a missing profile stay in `relationships`
        // only when their party is in the file.
        let relationships = by_id(es, "15036").extra["relationships"]
            .as_array()
            .unwrap();
        assert_eq!(relationships.len(), 4, "{relationships:?}");
        assert!(relationships.iter().any(|r| r["former"] == json!(true)));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains(
                "1 profile relationship names a profile with no <DistinctParty> (15036 → 424242)"
            ),
            "{}",
            warnings[0]
        );
    }

    #[test]
    fn the_consolidated_list_is_told_by_its_list_ids() {
        let cons =
            text_of("2024-03-04/sdn_advanced.xml").replace("ListID=\"1550\"", "ListID=\"91507\"");
        let (pubs, _) = parse(&Input::single("cons_advanced.xml", cons.into_bytes())).unwrap();
        assert_eq!(pubs[0].list.as_str(), "us-ofac-cons");
        assert_eq!(
            by_id(entries(&pubs), "36").extra["lists"],
            json!(["Sectoral Sanctions Identifications List"])
        );
    }

    #[test]
    fn empty_orphans_and_damage() {
        let empty = br#"<?xml version="1.0"?><Sanctions xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML"><DateOfIssue><Year>2024</Year><Month>5</Month><Day>3</Day></DateOfIssue><ReferenceValueSets/><DistinctParties/><SanctionsEntries/></Sanctions>"#;
        let (pubs, warnings) = parse(&Input::single("a.xml", empty.to_vec())).unwrap();
        assert!(warnings.is_empty());
        assert!(entries(&pubs).is_empty());
        assert_eq!(pubs[0].stated_date, NaiveDate::from_ymd_opt(2024, 5, 3));
        assert_eq!(pubs[0].list.as_str(), "us-ofac-sdn");

        let orphan = text_of("2024-03-01/sdn_advanced.xml")
            .replace(" ProfileID=\"7480\"", " ProfileID=\"424242\"");
        let (_, warnings) = parse(&Input::single("a.xml", orphan.into_bytes())).unwrap();
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].contains("1 sanctions entry refer"),
            "{}",
            warnings[0]
        );
        assert!(warnings[0].contains("424242"), "{}", warnings[0]);

        let full = text_of("2024-03-01/sdn_advanced.xml");
        let cut = &full.as_bytes()[..full.len() * 2 / 3];
        let e = parse(&Input::single("a.xml", cut.to_vec())).unwrap_err();
        assert!(e.message.contains("truncated"), "{}", e.message);

        let dup = full.replace(
            "DistinctParty FixedRef=\"7480\"",
            "DistinctParty FixedRef=\"36\"",
        );
        let e = parse(&Input::single("a.xml", dup.into_bytes())).unwrap_err();
        assert_eq!(
            e.location,
            Location::Record {
                number: 2,
                line: None
            }
        );
        assert!(e.message.contains("duplicate id \"36\""), "{}", e.message);

        let no_ref = full.replace("DistinctParty FixedRef=\"7480\"", "DistinctParty");
        let e = parse(&Input::single("a.xml", no_ref.into_bytes())).unwrap_err();
        assert_eq!(
            e.location,
            Location::Record {
                number: 2,
                line: None
            }
        );
        assert!(e.message.contains("no FixedRef"), "{}", e.message);

        let bad_date = full.replace(
            "<Day>1</Day>\n  </DateOfIssue>",
            "<Day>x</Day>\n  </DateOfIssue>",
        );
        let e = parse(&Input::single("a.xml", bad_date.into_bytes())).unwrap_err();
        assert!(e.message.contains("DateOfIssue"), "{}", e.message);

        let e = parse(&Input::single("a.xml", b"<sdnList/>".to_vec())).unwrap_err();
        assert!(e.message.contains("not <Sanctions>"), "{}", e.message);
        assert!(parse(&Input::single("a.xml", Vec::new())).is_err());
    }

    #[test]
    fn recognises_only_the_advanced_layout() {
        let head = text_of("2024-03-01/sdn_advanced.xml");
        assert_eq!(recognise(head.as_bytes()), Some(Recognised::This));
        assert_eq!(
            recognise(b"<Sanctions><DateOfIssue><Year>2020</Year>"),
            Some(Recognised::This)
        );
        for other in [
            &b"<?xml version=\"1.0\"?><sdnList xmlns=\"http://tempuri.org/sdnList.xsd\">"[..],
            b"<CONSOLIDATED_LIST dateGenerated=\"2020-01-01\">",
            b"<export generationDate=\"2020\"><sanctionEntity>",
            b"<Sanctions><Entry/>",
            b"<SanctionsList>",
            b"36,\"AEROCARIBBEAN AIRLINES\",-0- ",
            b"",
        ] {
            assert_eq!(recognise(other), None, "{}", String::from_utf8_lossy(other));
        }
    }

    #[test]
    fn periods_render_like_the_legacy_files() {
        let ymd = |y, m, d| Ymd {
            year: Some(y),
            month: Some(m),
            day: Some(d),
        };
        let period = |a: Ymd, b: Ymd| Period {
            start_from: a.clone(),
            start_to: a,
            end_from: b.clone(),
            end_to: b,
            approximate: false,
        };
        assert_eq!(
            period(ymd(1958, 3, 22), ymd(1958, 3, 22))
                .render()
                .as_deref(),
            Some("22 Mar 1958")
        );
        assert_eq!(
            period(ymd(1958, 1, 1), ymd(1958, 12, 31))
                .render()
                .as_deref(),
            Some("1958")
        );
        assert_eq!(
            period(ymd(1958, 1, 1), ymd(1960, 12, 31))
                .render()
                .as_deref(),
            Some("1958 to 1960")
        );
        assert_eq!(
            period(ymd(1958, 2, 1), ymd(1958, 2, 28))
                .render()
                .as_deref(),
            Some("Feb 1958")
        );
        let mut circa = period(ymd(1958, 1, 1), ymd(1958, 12, 31));
        circa.approximate = true;
        assert_eq!(circa.render().as_deref(), Some("circa 1958"));
        assert_eq!(Period::default().render(), None);
        assert_eq!(
            feature_key("Digital Currency Address - XBT", "344"),
            "digital_currency_address_xbt"
        );
        assert_eq!(feature_key("VESSEL TYPE", "2"), "vess_type");
        assert_eq!(feature_key("", "7"), "feature_7");
    }

    /// Cut and damaged copies of both fixtures never make either parser panic.
    #[test]
    fn damaged_copies_never_panic() {
        let advanced = text_of("2024-03-01/sdn_advanced.xml").into_bytes();
        let legacy = std::fs::read(fixture_path("ofac-xml", "2024-03-01/SDN.XML")).unwrap();
        for bytes in [advanced, legacy] {
            let mut seed = 7u64;
            for step in 0..400 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let mut copy = bytes.clone();
                let at = (seed >> 33) as usize % copy.len();
                if step % 2 == 0 {
                    copy.truncate(at);
                } else {
                    copy[at] = (seed >> 13) as u8;
                }
                let input = Input::single("x.xml", copy);
                let _ = parse(&input);
                if let Some(legacy) = Format::from_name("ofac-xml") {
                    let _ = legacy.parse(&input);
                }
            }
        }
    }
}
