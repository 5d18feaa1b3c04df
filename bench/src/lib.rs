//! Deterministic synthetic histories of a sanctions list, for benchmarking `listdiff`.
//!
//! A [`History`] is a sequence of publications of one list (shaped like the BIS Entity List) on
//! consecutive days, generated from a seed: the same [`Config`] always gives byte-identical
//! output. Publication 0 states the initial list; each later publication first applies about
//! `change_rate × entries` changes (rewordings of reasons, other field edits, licence-policy
//! changes, additions and removals; no entry is touched twice in one publication) and is then a
//! snapshot every `snapshot_every` publications and an amendment otherwise.
//!
//! The history holds only the current state: iterate with [`History::next`] and render each
//! publication (or the state it leaves) before asking for the next one, with
//! [`History::write_native`] (listdiff's native JSON) or [`History::write_csl_csv`] (a trade.gov
//! Consolidated Screening List `consolidated.csv`). Both renderings of one state give listdiff
//! the same entries, and every publication's [`Truth`] says exactly which ids it added, removed
//! and changed.

pub mod http_server;
mod words;

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{Datelike, Days, NaiveDate};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Serialize, Serializer};

/// The list id of the native publications.
pub const LIST_ID: &str = "us-bis-entity-list";

/// The `source` label of every row of the CSL rendering (listdiff's list id `us-csl-el`).
pub const CSL_SOURCE: &str = "Entity List (EL) - Bureau of Industry and Security";

/// The `source_list_url` and `source_information_url` of every CSL row.
pub const CSL_URL: &str =
    "https://www.bis.doc.gov/index.php/policy-guidance/lists-of-parties-of-concern/entity-list";

/// The 29 columns of the current CSL `consolidated.csv` layout, in order.
pub const CSL_COLUMNS: [&str; 29] = [
    "_id",
    "source",
    "entity_number",
    "type",
    "programs",
    "name",
    "title",
    "addresses",
    "federal_register_notice",
    "start_date",
    "end_date",
    "standard_order",
    "license_requirement",
    "license_policy",
    "call_sign",
    "vessel_type",
    "gross_tonnage",
    "gross_registered_tonnage",
    "vessel_flag",
    "vessel_owner",
    "remarks",
    "source_list_url",
    "alt_names",
    "citizenships",
    "dates_of_birth",
    "nationalities",
    "places_of_birth",
    "source_information_url",
    "ids",
];

/// What history to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The number of entries of the initial list (the list stays about this size).
    pub entries: usize,
    /// The number of publications, one every `interval_days` days from `start`.
    pub publications: usize,
    /// The seed of the whole history.
    pub seed: u64,
    /// Publication `i` is a snapshot when `i % snapshot_every == 0`, else an amendment.
    pub snapshot_every: usize,
    /// Changes per publication, as a fraction of `entries` (at least one change).
    pub change_rate: f64,
    /// The date of publication 0.
    pub start: NaiveDate,
    /// Days between two publications (1: daily, 7: weekly; at least 1).
    pub interval_days: u64,
    /// The list id of the native publications (the CSV rendering always names the Entity List).
    pub list: String,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            entries: 20_000,
            publications: 1,
            seed: 0,
            snapshot_every: 10,
            change_rate: 0.001,
            start: NaiveDate::from_ymd_opt(2020, 1, 1).expect("a valid date"),
            interval_days: 1,
            list: LIST_ID.to_string(),
        }
    }
}

impl Config {
    /// The number of changes each publication after the first applies.
    pub fn changes_per_publication(&self) -> usize {
        ((self.change_rate * self.entries as f64).round() as usize).max(1)
    }

    /// The date of publication `index`.
    pub fn date(&self, index: usize) -> NaiveDate {
        self.start
            .checked_add_days(Days::new(index as u64 * self.interval_days.max(1)))
            .expect("publication date in range")
    }

    /// Whether publication `index` is a snapshot or an amendment.
    pub fn kind(&self, index: usize) -> Kind {
        if index.is_multiple_of(self.snapshot_every.max(1)) {
            Kind::Snapshot
        } else {
            Kind::Amendment
        }
    }
}

/// Whether a publication states the whole list or only its changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Snapshot,
    Amendment,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Snapshot => "snapshot",
            Kind::Amendment => "amendment",
        }
    }
}

/// What one publication changed against the state before it, each list in id order.
/// `changed` holds every modified entry; `reason_changed` those of them whose reason, licence
/// requirement, licence policy or citations changed. Publication 0 adds every initial entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Truth {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<String>,
    pub reason_changed: Vec<String>,
}

impl Truth {
    /// The number of entries the publication touched.
    pub fn len(&self) -> usize {
        self.added.len() + self.removed.len() + self.changed.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One publication of the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Publication {
    pub index: usize,
    pub date: NaiveDate,
    pub kind: Kind,
    pub changes: Truth,
}

impl Publication {
    /// `NNNNN-YYYY-MM-DD-snapshot.json` or `…-amendment.json`.
    pub fn file_name(&self) -> String {
        format!(
            "{:05}-{}-{}.json",
            self.index,
            self.date.format("%Y-%m-%d"),
            self.kind.as_str()
        )
    }

    /// The publication's line of `truth.ndjson` (without the newline):
    /// `{"index","date","kind","added","removed","changed","reason_changed"}`.
    pub fn truth_json(&self) -> String {
        #[derive(Serialize)]
        struct Line<'a> {
            index: usize,
            date: String,
            kind: Kind,
            #[serde(flatten)]
            changes: &'a Truth,
        }
        serde_json::to_string(&Line {
            index: self.index,
            date: iso(self.date),
            kind: self.kind,
            changes: &self.changes,
        })
        .expect("a truth line serialises")
    }
}

/// An entity or a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryType {
    Entity,
    Individual,
}

impl EntryType {
    /// The CSL spelling: `Entity` or `Individual`.
    pub fn csl_label(self) -> &'static str {
        match self {
            EntryType::Entity => "Entity",
            EntryType::Individual => "Individual",
        }
    }
}

/// One entry of the list, serialised as listdiff's native entry.
///
/// List fields are kept sorted and free of duplicates (listdiff compares them as sets), and
/// texts have single spaces, so two entries are equal exactly when listdiff finds them equal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub entry_type: EntryType,
    /// The country codes ending the addresses.
    pub countries: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// `street, city, state, postal, CC`.
    pub addresses: Vec<String>,
    pub reason: String,
    pub license_requirement: String,
    pub license_policy: String,
    /// Federal Register citations such as `83 FR 12345`.
    pub citations: Vec<String>,
    #[serde(serialize_with = "serialize_date")]
    pub listed_on: NaiveDate,
}

impl Entry {
    /// Whether the two versions differ in a reason field (reason, licence requirement, licence
    /// policy, citations).
    pub fn reason_differs(&self, other: &Entry) -> bool {
        self.reason != other.reason
            || self.license_requirement != other.license_requirement
            || self.license_policy != other.license_policy
            || self.citations != other.citations
    }

    /// The entry as a CSL CSV record of [`CSL_COLUMNS`].
    pub fn csl_record(&self) -> [String; 29] {
        let mut row: [String; 29] = Default::default();
        row[0] = self.id.clone();
        row[1] = CSL_SOURCE.to_string();
        row[3] = self.entry_type.csl_label().to_string();
        row[5] = self.name.clone();
        row[7] = self.addresses.join("; ");
        row[8] = self.citations.join("; ");
        row[9] = iso(self.listed_on);
        row[12] = self.license_requirement.clone();
        row[13] = self.license_policy.clone();
        row[20] = self.reason.clone();
        row[21] = CSL_URL.to_string();
        row[22] = self.aliases.join("; ");
        row[27] = CSL_URL.to_string();
        row
    }

    fn set_addresses(&mut self, mut addresses: Vec<String>) {
        addresses.sort();
        addresses.dedup();
        let mut countries: Vec<String> = addresses
            .iter()
            .map(|a| a.rsplit(", ").next().unwrap_or_default().to_string())
            .collect();
        countries.sort();
        countries.dedup();
        self.addresses = addresses;
        self.countries = countries;
    }
}

fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

fn serialize_date<S: Serializer>(date: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&date.format("%Y-%m-%d"))
}

/// A history being generated: the current state of the list and the random stream.
pub struct History {
    config: Config,
    rng: ChaCha8Rng,
    vocabulary: Vec<&'static str>,
    state: BTreeMap<String, Entry>,
    /// The ids of `state`, in an order fixed by the history, for random picks.
    ids: Vec<String>,
    positions: HashMap<String, usize>,
    next_index: usize,
}

/// What one change did to the entry it touched.
enum Touch {
    Added,
    Removed,
    Changed { reason: bool },
}

impl History {
    /// A history before its first publication.
    pub fn new(config: Config) -> History {
        let mut vocabulary: Vec<&'static str> = words::LEADS
            .iter()
            .chain(words::OBJECTS)
            .chain(words::PURPOSES)
            .chain(words::CLOSINGS)
            .flat_map(|s| s.split_whitespace())
            .chain(words::EXTRA_WORDS.iter().copied())
            .collect();
        vocabulary.sort_unstable();
        vocabulary.dedup();
        History {
            rng: ChaCha8Rng::seed_from_u64(config.seed),
            config,
            vocabulary,
            state: BTreeMap::new(),
            ids: Vec::new(),
            positions: HashMap::new(),
            next_index: 0,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The entries of the current state (after the last publication returned), in id order.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.state.values()
    }

    /// An entry of the current state.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.state.get(id)
    }

    /// The number of entries of the current state.
    pub fn len(&self) -> usize {
        self.state.len()
    }

    pub fn is_empty(&self) -> bool {
        self.state.is_empty()
    }

    /// Generates the next publication and applies it to the state; `None` after the last.
    /// The state advances regardless of `config.publications` only through this method, and
    /// publication `i` is the same whatever the number of publications asked for.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<Publication> {
        let index = self.next_index;
        if index >= self.config.publications {
            return None;
        }
        let date = self.config.date(index);
        let changes = if index == 0 {
            self.initial(date)
        } else {
            self.apply_changes(date)
        };
        self.next_index += 1;
        Some(Publication {
            index,
            date,
            kind: self.config.kind(index),
            changes,
        })
    }

    /// Writes `publication` (which must be the last one returned by [`History::next`]) as
    /// listdiff's native JSON, compact, streamed.
    pub fn write_native<W: Write>(&self, publication: &Publication, writer: W) -> io::Result<()> {
        assert_eq!(
            publication.index + 1,
            self.next_index,
            "write_native renders only the publication just generated"
        );
        let mut out = BufWriter::with_capacity(1 << 16, writer);
        let published = iso(publication.date);
        let source = format!("synthetic {} #{}", self.config.seed, publication.index);
        match publication.kind {
            Kind::Snapshot => {
                #[derive(Serialize)]
                struct Snapshot<'a> {
                    list: &'a str,
                    published: &'a str,
                    source: &'a str,
                    kind: &'a str,
                    entries: AllEntries<'a>,
                }
                serde_json::to_writer(
                    &mut out,
                    &Snapshot {
                        list: &self.config.list,
                        published: &published,
                        source: &source,
                        kind: "snapshot",
                        entries: AllEntries(&self.state),
                    },
                )?;
            }
            Kind::Amendment => {
                #[derive(Serialize)]
                struct Amendment<'a> {
                    list: &'a str,
                    published: &'a str,
                    source: &'a str,
                    kind: &'a str,
                    #[serde(skip_serializing_if = "Vec::is_empty")]
                    add: Vec<&'a Entry>,
                    #[serde(skip_serializing_if = "Vec::is_empty")]
                    amend: Vec<&'a Entry>,
                    #[serde(skip_serializing_if = "<[String]>::is_empty")]
                    remove: &'a [String],
                }
                let pick = |ids: &[String]| -> Vec<&Entry> {
                    ids.iter()
                        .map(|id| self.state.get(id).expect("a changed entry is in the state"))
                        .collect()
                };
                serde_json::to_writer(
                    &mut out,
                    &Amendment {
                        list: &self.config.list,
                        published: &published,
                        source: &source,
                        kind: "amendment",
                        add: pick(&publication.changes.added),
                        amend: pick(&publication.changes.changed),
                        remove: &publication.changes.removed,
                    },
                )?;
            }
        }
        out.flush()
    }

    /// Writes the current state as a CSL `consolidated.csv` (29 columns, every field quoted,
    /// rows in id order).
    pub fn write_csl_csv<W: Write>(&self, writer: W) -> io::Result<()> {
        let mut csv = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Always)
            .buffer_capacity(1 << 16)
            .from_writer(writer);
        csv.write_record(CSL_COLUMNS)?;
        for entry in self.state.values() {
            csv.write_record(entry.csl_record())?;
        }
        csv.flush()
    }

    // -----------------------------------------------------------------------------------------
    // Generation

    fn initial(&mut self, date: NaiveDate) -> Truth {
        let first = NaiveDate::from_ymd_opt(1997, 1, 1).expect("a valid date");
        let last_listed = date.pred_opt().unwrap_or(date).max(first);
        for _ in 0..self.config.entries {
            let listed_on = random_date(&mut self.rng, first, last_listed);
            let entry = self.new_entry(listed_on, last_listed);
            self.insert(entry);
        }
        Truth {
            added: self.state.keys().cloned().collect(),
            ..Truth::default()
        }
    }

    fn apply_changes(&mut self, date: NaiveDate) -> Truth {
        let target = self.config.entries;
        let mut touched: HashMap<String, Touch> = HashMap::new();
        // Entries of the state already touched by this publication (added or changed).
        let mut touched_present = 0usize;
        for _ in 0..self.config.changes_per_publication() {
            let roll: f64 = self.rng.random();
            // Additions and removals lean towards keeping the list at its initial size.
            let add_share = if self.state.len() <= target {
                0.25
            } else {
                0.20
            };
            let wants_existing = roll < 0.55 || roll >= 0.55 + add_share;
            let victim = if wants_existing && self.state.len() > touched_present {
                loop {
                    let id = &self.ids[self.rng.random_range(0..self.ids.len())];
                    if !touched.contains_key(id) {
                        break Some(id.clone());
                    }
                }
            } else {
                None
            };
            match victim {
                None => {
                    let entry = self.new_entry(date, date);
                    touched.insert(entry.id.clone(), Touch::Added);
                    touched_present += 1;
                    self.insert(entry);
                }
                Some(id) if roll >= 0.55 + add_share => {
                    self.remove(&id);
                    touched.insert(id, Touch::Removed);
                }
                Some(id) => {
                    let mut entry = self.state.get(&id).expect("picked from the state").clone();
                    let reason = if roll < 0.35 {
                        self.reword(&mut entry);
                        true
                    } else if roll < 0.50 {
                        self.edit_field(&mut entry);
                        false
                    } else {
                        self.change_policy(&mut entry, date);
                        true
                    };
                    self.state.insert(id.clone(), entry);
                    touched.insert(id, Touch::Changed { reason });
                    touched_present += 1;
                }
            }
        }
        let mut truth = Truth::default();
        for (id, touch) in touched {
            match touch {
                Touch::Added => truth.added.push(id),
                Touch::Removed => truth.removed.push(id),
                Touch::Changed { reason } => {
                    if reason {
                        truth.reason_changed.push(id.clone());
                    }
                    truth.changed.push(id);
                }
            }
        }
        truth.added.sort_unstable();
        truth.removed.sort_unstable();
        truth.changed.sort_unstable();
        truth.reason_changed.sort_unstable();
        truth
    }

    fn insert(&mut self, entry: Entry) {
        self.positions.insert(entry.id.clone(), self.ids.len());
        self.ids.push(entry.id.clone());
        self.state.insert(entry.id.clone(), entry);
    }

    fn remove(&mut self, id: &str) {
        let position = self.positions.remove(id).expect("a known id");
        self.ids.swap_remove(position);
        if let Some(moved) = self.ids.get(position) {
            self.positions.insert(moved.clone(), position);
        }
        self.state.remove(id);
    }

    /// Replaces, inserts or deletes 1–4 consecutive words of the reason (never its first or
    /// last word), keeping it between about 12 and 70 words.
    fn reword(&mut self, entry: &mut Entry) {
        let rng = &mut self.rng;
        let words: Vec<&str> = entry.reason.split_whitespace().collect();
        loop {
            let n = rng.random_range(1..=4usize);
            let len = words.len();
            let can_delete = len >= n + 14;
            let can_insert = len + n <= 70;
            let can_replace = len >= n + 2;
            let op = rng.random_range(0..3u8);
            let mut new: Vec<&str> = words.clone();
            match op {
                0 if can_replace => {
                    let at = rng.random_range(1..=len - 1 - n);
                    for slot in &mut new[at..at + n] {
                        *slot = self.vocabulary.choose(rng).expect("a vocabulary");
                    }
                }
                1 if can_insert => {
                    let at = rng.random_range(1..len.max(2));
                    let inserted: Vec<&str> = (0..n)
                        .map(|_| *self.vocabulary.choose(rng).expect("a vocabulary"))
                        .collect();
                    new.splice(at..at, inserted);
                }
                2 if can_delete => {
                    let at = rng.random_range(1..=len - 1 - n);
                    new.drain(at..at + n);
                }
                _ => continue,
            }
            let text = new.join(" ");
            if text != entry.reason {
                entry.reason = text;
                return;
            }
        }
    }

    /// Adds, removes or edits one alias or address.
    fn edit_field(&mut self, entry: &mut Entry) {
        let home = entry.countries[0].clone();
        loop {
            match self.rng.random_range(0..6u8) {
                0 if entry.aliases.len() < 5 => {
                    let alias = self.alias(entry, &home);
                    if alias != entry.name && !entry.aliases.contains(&alias) {
                        entry.aliases.push(alias);
                        entry.aliases.sort();
                        return;
                    }
                }
                1 if !entry.aliases.is_empty() => {
                    let at = self.rng.random_range(0..entry.aliases.len());
                    entry.aliases.remove(at);
                    return;
                }
                2 if !entry.aliases.is_empty() => {
                    let at = self.rng.random_range(0..entry.aliases.len());
                    let alias = self.alias(entry, &home);
                    if alias != entry.name && !entry.aliases.contains(&alias) {
                        entry.aliases[at] = alias;
                        entry.aliases.sort();
                        return;
                    }
                }
                3 if entry.addresses.len() < 3 => {
                    let country = self.other_country(&home);
                    let address = self.address(&country);
                    if !entry.addresses.contains(&address) {
                        let mut addresses = entry.addresses.clone();
                        addresses.push(address);
                        entry.set_addresses(addresses);
                        return;
                    }
                }
                4 if entry.addresses.len() > 1 => {
                    let mut addresses = entry.addresses.clone();
                    addresses.remove(self.rng.random_range(0..addresses.len()));
                    entry.set_addresses(addresses);
                    return;
                }
                5 => {
                    // A new street in the same city: keep `city, state, postal, CC`.
                    let mut addresses = entry.addresses.clone();
                    let at = self.rng.random_range(0..addresses.len());
                    let country = addresses[at]
                        .rsplit(", ")
                        .next()
                        .unwrap_or("CN")
                        .to_string();
                    let tail: Vec<&str> = addresses[at].rsplitn(5, ", ").take(4).collect();
                    let tail: Vec<&str> = tail.into_iter().rev().collect();
                    let street = self.street(&country);
                    let edited = format!("{street}, {}", tail.join(", "));
                    if !addresses.contains(&edited) {
                        addresses[at] = edited;
                        entry.set_addresses(addresses);
                        return;
                    }
                }
                _ => {}
            }
        }
    }

    /// A new licence policy, with the Federal Register rule that made it.
    fn change_policy(&mut self, entry: &mut Entry, date: NaiveDate) {
        loop {
            let policy = *words::LICENSE_POLICIES
                .choose(&mut self.rng)
                .expect("policies");
            if policy != entry.license_policy {
                entry.license_policy = policy.to_string();
                break;
            }
        }
        if self.rng.random_bool(0.25) {
            entry.license_requirement = words::LICENSE_REQUIREMENTS
                .choose(&mut self.rng)
                .expect("requirements")
                .to_string();
        }
        if entry.citations.len() < 4 {
            let citation = citation(&mut self.rng, date);
            if !entry.citations.contains(&citation) {
                entry.citations.push(citation);
                entry.citations.sort();
            }
        }
    }

    fn new_id(&mut self) -> String {
        loop {
            let id = format!("{:032x}", self.rng.random::<u128>());
            if !self.state.contains_key(&id) {
                return id;
            }
        }
    }

    /// A new entry first listed on `listed_on`, with later citations up to `latest`.
    fn new_entry(&mut self, listed_on: NaiveDate, latest: NaiveDate) -> Entry {
        let id = self.new_id();
        let home = weighted_country(&mut self.rng);
        let entry_type = if self.rng.random_bool(0.8) {
            EntryType::Entity
        } else {
            EntryType::Individual
        };
        let name = match entry_type {
            EntryType::Entity => self.company_name(&home),
            EntryType::Individual => self.person_name(&home),
        };
        let mut entry = Entry {
            id,
            name,
            entry_type,
            countries: Vec::new(),
            aliases: Vec::new(),
            addresses: Vec::new(),
            reason: self.reason(),
            license_requirement: String::new(),
            license_policy: String::new(),
            citations: Vec::new(),
            listed_on,
        };
        let n_addresses = pick_weighted(&mut self.rng, &[75, 19, 6]) + 1;
        let mut addresses = vec![self.address(&home)];
        while addresses.len() < n_addresses {
            let country = self.other_country(&home);
            addresses.push(self.address(&country));
        }
        entry.set_addresses(addresses);
        let n_aliases = pick_weighted(&mut self.rng, &[30, 25, 20, 12, 8, 5]);
        let mut tries = 0;
        while entry.aliases.len() < n_aliases && tries < 20 {
            tries += 1;
            let alias = self.alias(&entry, &home);
            if alias != entry.name && !entry.aliases.contains(&alias) {
                entry.aliases.push(alias);
            }
        }
        entry.aliases.sort();
        let requirement = pick_weighted(&mut self.rng, &[80, 12, 4, 4]);
        entry.license_requirement = words::LICENSE_REQUIREMENTS[requirement].to_string();
        let policy = pick_weighted(&mut self.rng, &[70, 8, 5, 5, 8, 4]);
        entry.license_policy = words::LICENSE_POLICIES[policy].to_string();
        let n_citations = pick_weighted(&mut self.rng, &[55, 30, 15]) + 1;
        entry.citations.push(citation(&mut self.rng, listed_on));
        for _ in 1..n_citations {
            let date = random_date(&mut self.rng, listed_on, latest.max(listed_on));
            let c = citation(&mut self.rng, date);
            if !entry.citations.contains(&c) {
                entry.citations.push(c);
            }
        }
        entry.citations.sort();
        entry
    }

    /// 20–60 words of sanctions-style prose (most reasons are short: median about 23 words).
    fn reason(&mut self) -> String {
        let rng = &mut self.rng;
        let skew: f64 = rng.random();
        let target = 20 + (40.0 * skew.powi(4)).round() as usize;
        let mut words: Vec<String> = Vec::new();
        while words.len() < target {
            if !words.is_empty() && rng.random_bool(0.3) {
                let closing = words::CLOSINGS.choose(rng).expect("closings");
                words.extend(closing.split_whitespace().map(str::to_string));
                continue;
            }
            let mut sentence = String::new();
            sentence.push_str(words::LEADS.choose(rng).expect("leads"));
            sentence.push(' ');
            sentence.push_str(words::OBJECTS.choose(rng).expect("objects"));
            if rng.random_bool(0.3) {
                sentence.push_str(" and ");
                sentence.push_str(words::OBJECTS.choose(rng).expect("objects"));
            }
            sentence.push(' ');
            sentence.push_str(words::PURPOSES.choose(rng).expect("purposes"));
            if rng.random_bool(0.35) {
                sentence.push_str(" and ");
                sentence.push_str(words::PURPOSES.choose(rng).expect("purposes"));
            }
            sentence.push('.');
            words.extend(sentence.split_whitespace().map(str::to_string));
        }
        // Cut at the target, ending the last sentence there.
        words.truncate(target);
        let last = words.last_mut().expect("at least 20 words");
        if !last.ends_with('.') {
            last.push('.');
        }
        words.join(" ")
    }

    fn company_name(&mut self, country: &str) -> String {
        let rng = &mut self.rng;
        loop {
            let industry = *words::INDUSTRIES.choose(rng).expect("industries");
            let city = cities_of(country).choose(rng).expect("cities").0;
            let name = match country {
                "CN" => {
                    let word = cn_word(rng);
                    match rng.random_range(0..6u8) {
                        0 => format!("{city} {word} {industry} Co., Ltd."),
                        1 => format!("{word} {industry} Co., Ltd."),
                        2 => format!("{city} {word} {industry}"),
                        3 => format!("{word}{} Group", cn_syllable(rng)),
                        4 => format!("China {word} {industry} Corporation"),
                        _ => format!("{city} {word} Research Institute"),
                    }
                }
                "HK" => {
                    let word = cn_word(rng);
                    match rng.random_range(0..3u8) {
                        0 => format!("{word} {industry} Limited"),
                        1 => format!("{word} International Trading Limited"),
                        _ => format!("{word} Holdings (HK) Limited"),
                    }
                }
                "RU" | "BY" => {
                    let word = ru_word(rng);
                    match rng.random_range(0..6u8) {
                        0 => format!("OOO {word}"),
                        1 => format!("AO {word}"),
                        2 => format!("{word} JSC"),
                        3 => format!("Joint Stock Company {word}"),
                        4 => format!("{word} Scientific Production Enterprise"),
                        _ => format!("{city} {word} Plant"),
                    }
                }
                "IR" | "SY" => {
                    let a = *words::IR_WORDS.choose(rng).expect("words");
                    let b = *words::IR_WORDS.choose(rng).expect("words");
                    match rng.random_range(0..3u8) {
                        0 => format!("{a} {b} Company"),
                        1 => format!("{a} {industry} Group"),
                        _ => format!("{a} {b} Engineering Company"),
                    }
                }
                _ => {
                    let word = other_word(rng);
                    match rng.random_range(0..4u8) {
                        0 => format!("{word} General Trading LLC"),
                        1 => format!("{word} {industry} FZE"),
                        2 => format!("{word} Technologies Pte. Ltd."),
                        _ => format!("{word} {industry} Company"),
                    }
                }
            };
            if (2..=5).contains(&name.split_whitespace().count()) {
                return name;
            }
        }
    }

    fn person_name(&mut self, country: &str) -> String {
        let rng = &mut self.rng;
        match country {
            "CN" | "HK" => {
                let surname = words::CN_SURNAMES.choose(rng).expect("surnames");
                let given = if rng.random_bool(0.7) {
                    format!("{}{}", capitalize(cn_syllable(rng)), cn_syllable(rng))
                } else {
                    capitalize(cn_syllable(rng))
                };
                format!("{surname} {given}")
            }
            "RU" | "BY" | "UZ" | "KG" | "AM" => {
                let first = words::RU_FIRST.choose(rng).expect("names");
                let father = words::RU_FIRST.choose(rng).expect("names");
                let surname = words::RU_SURNAMES.choose(rng).expect("surnames");
                if rng.random_bool(0.6) {
                    format!(
                        "{first} {}ovich {surname}",
                        father.trim_end_matches(['y', 'i'])
                    )
                } else {
                    format!("{first} {surname}")
                }
            }
            "IR" | "SY" => {
                let first = words::IR_FIRST.choose(rng).expect("names");
                let surname = words::IR_SURNAMES.choose(rng).expect("surnames");
                if rng.random_bool(0.4) {
                    let second = words::IR_FIRST.choose(rng).expect("names");
                    format!("{first} {second} {surname}")
                } else {
                    format!("{first} {surname}")
                }
            }
            _ => {
                let first = words::OTHER_FIRST.choose(rng).expect("names");
                let surname = words::OTHER_SURNAMES.choose(rng).expect("surnames");
                format!("{first} {surname}")
            }
        }
    }

    /// Another name for the entry: an acronym, a short form, a former name or a spelling.
    fn alias(&mut self, entry: &Entry, country: &str) -> String {
        match entry.entry_type {
            EntryType::Entity => match self.rng.random_range(0..4u8) {
                0 => {
                    let acronym: String = entry
                        .name
                        .split_whitespace()
                        .filter_map(|w| w.chars().next())
                        .filter(char::is_ascii_uppercase)
                        .collect();
                    if acronym.len() >= 2 {
                        acronym
                    } else {
                        self.company_name(country)
                    }
                }
                1 => {
                    // The distinctive word of the name with another industry.
                    let cities = cities_of(country);
                    let word = entry
                        .name
                        .split_whitespace()
                        .find(|w| {
                            !COMMON_NAME_WORDS.contains(w)
                                && !words::INDUSTRIES
                                    .iter()
                                    .any(|i| i.split(' ').any(|p| p == *w))
                                && !cities
                                    .iter()
                                    .any(|(city, _)| city.split(' ').any(|p| p == *w))
                        })
                        .unwrap_or_else(|| entry.name.split_whitespace().next().unwrap_or("X"));
                    let industry = *words::INDUSTRIES.choose(&mut self.rng).expect("industries");
                    format!("{word} {industry}")
                }
                _ => self.company_name(country),
            },
            EntryType::Individual => {
                if self.rng.random_bool(0.3) {
                    let mut words: Vec<&str> = entry.name.split_whitespace().collect();
                    words.reverse();
                    words.join(" ")
                } else {
                    self.person_name(country)
                }
            }
        }
    }

    fn other_country(&mut self, home: &str) -> String {
        if self.rng.random_bool(0.7) {
            return home.to_string();
        }
        let near: &[&str] = match home {
            "CN" => &["HK", "SG", "MY"],
            "RU" | "BY" => &["AE", "TR", "AM", "UZ", "KG", "HK"],
            "IR" | "SY" => &["AE", "TR", "CN"],
            _ => &["AE", "HK", "TR", "SG"],
        };
        near.choose(&mut self.rng).expect("countries").to_string()
    }

    fn street(&mut self, country: &str) -> String {
        let rng = &mut self.rng;
        let kind = words::STREETS.choose(rng).expect("streets");
        match country {
            "CN" | "HK" => {
                let road = format!("No. {} {} {kind}", rng.random_range(1..400), cn_word(rng));
                match rng.random_range(0..3u8) {
                    0 => format!(
                        "Room {}, Building {}, {road}",
                        rng.random_range(101..2400),
                        rng.random_range(1..30)
                    ),
                    1 => format!("Floor {}, {road}", rng.random_range(1..40)),
                    _ => road,
                }
            }
            "RU" | "BY" => format!(
                "{}skaya Ulitsa {}, Building {}, Office {}",
                ru_word(rng),
                rng.random_range(1..200),
                rng.random_range(1..12),
                rng.random_range(1..600)
            ),
            "IR" | "SY" => format!(
                "No. {}, {} Alley, {} Street",
                rng.random_range(1..300),
                words::IR_WORDS.choose(rng).expect("words"),
                words::IR_WORDS.choose(rng).expect("words")
            ),
            _ => {
                let street = format!("{} {} {kind}", rng.random_range(1..900), other_word(rng));
                if rng.random_bool(0.5) {
                    format!("Office {}, {street}", rng.random_range(100..3000))
                } else {
                    street
                }
            }
        }
    }

    fn address(&mut self, country: &str) -> String {
        let street = self.street(country);
        let rng = &mut self.rng;
        let (city, state) = *cities_of(country).choose(rng).expect("cities");
        let postal = match country {
            "CN" | "RU" | "BY" | "KG" | "UZ" | "SG" => {
                format!("{:06}", rng.random_range(100000..999999))
            }
            "HK" => "999077".to_string(),
            "IR" => format!("{:010}", rng.random_range(1_000_000_000u64..9_999_999_999)),
            "AE" => format!("P.O. Box {}", rng.random_range(1000..99999)),
            _ => format!("{:05}", rng.random_range(10000..99999)),
        };
        format!("{street}, {city}, {state}, {postal}, {country}")
    }
}

impl Iterator for History {
    type Item = Publication;

    fn next(&mut self) -> Option<Publication> {
        History::next(self)
    }
}

/// Serialises the whole state as a JSON array, streamed.
struct AllEntries<'a>(&'a BTreeMap<String, Entry>);

impl Serialize for AllEntries<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.values())
    }
}

/// Words of company names that do not tell one company from another.
const COMMON_NAME_WORDS: &[&str] = &[
    "Co.,",
    "Ltd.",
    "Limited",
    "Group",
    "China",
    "Corporation",
    "Research",
    "Institute",
    "International",
    "Holdings",
    "(HK)",
    "OOO",
    "AO",
    "JSC",
    "Joint",
    "Stock",
    "Company",
    "Scientific",
    "Production",
    "Enterprise",
    "Plant",
    "General",
    "LLC",
    "FZE",
    "Technologies",
    "Pte.",
];

fn cities_of(country: &str) -> &'static [(&'static str, &'static str)] {
    words::cities(country)
}

fn weighted_country(rng: &mut ChaCha8Rng) -> String {
    let weights: Vec<u32> = words::COUNTRIES.iter().map(|(_, w)| *w).collect();
    words::COUNTRIES[pick_weighted(rng, &weights)].0.to_string()
}

/// An index drawn with the given weights.
fn pick_weighted(rng: &mut ChaCha8Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut roll = rng.random_range(0..total);
    for (i, w) in weights.iter().enumerate() {
        if roll < *w {
            return i;
        }
        roll -= w;
    }
    weights.len() - 1
}

fn random_date(rng: &mut ChaCha8Rng, first: NaiveDate, last: NaiveDate) -> NaiveDate {
    let span = (last - first).num_days().max(0) as u64;
    first
        .checked_add_days(Days::new(rng.random_range(0..=span)))
        .expect("a date in range")
}

/// A Federal Register citation of a rule published on `date`: `83 FR 12345`.
fn citation(rng: &mut ChaCha8Rng, date: NaiveDate) -> String {
    format!(
        "{} FR {}",
        date.year() - 1935,
        rng.random_range(1000..99999)
    )
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn cn_syllable(rng: &mut ChaCha8Rng) -> &'static str {
    words::CN_SYLLABLES.choose(rng).expect("syllables")
}

fn cn_word(rng: &mut ChaCha8Rng) -> String {
    format!("{}{}", capitalize(cn_syllable(rng)), cn_syllable(rng))
}

fn ru_word(rng: &mut ChaCha8Rng) -> String {
    let a = words::RU_ROOTS.choose(rng).expect("roots");
    let b = words::RU_ROOTS.choose(rng).expect("roots");
    format!("{}{b}", capitalize(a))
}

fn other_word(rng: &mut ChaCha8Rng) -> String {
    let n = rng.random_range(2..=3);
    let word: String = (0..n)
        .map(|_| *words::OTHER_SYLLABLES.choose(rng).expect("syllables"))
        .collect();
    capitalize(&word)
}

// ---------------------------------------------------------------------------------------------
// Whole-history outputs (used by the `listdiff-gen` binary)

/// Writes every publication as `DIR/NNNNN-YYYY-MM-DD-KIND.json` and the truth of each as a line
/// of `DIR/truth.ndjson`.
pub fn write_native_dir(config: &Config, dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let mut truth = BufWriter::new(File::create(dir.join("truth.ndjson"))?);
    let mut history = History::new(config.clone());
    while let Some(publication) = history.next() {
        let file = File::create(dir.join(publication.file_name()))?;
        history.write_native(&publication, file)?;
        writeln!(truth, "{}", publication.truth_json())?;
    }
    truth.flush()
}

/// Writes the CSL CSV state after each publication of `states` as
/// `DIR/<date>/consolidated.csv`, and the truth of publications 0 to the last of `states` as
/// `DIR/truth.ndjson`; returns the CSV paths in the order of `states`. The history runs to the
/// last of `states` (whatever `config.publications` says).
pub fn write_csv_states(config: &Config, dir: &Path, states: &[usize]) -> io::Result<Vec<PathBuf>> {
    let last = states.iter().copied().max().unwrap_or(0);
    let config = Config {
        publications: last + 1,
        ..config.clone()
    };
    fs::create_dir_all(dir)?;
    let mut truth = BufWriter::new(File::create(dir.join("truth.ndjson"))?);
    let mut history = History::new(config);
    let mut paths: Vec<Option<PathBuf>> = vec![None; states.len()];
    while let Some(publication) = history.next() {
        writeln!(truth, "{}", publication.truth_json())?;
        if states.contains(&publication.index) {
            let folder = dir.join(iso(publication.date));
            fs::create_dir_all(&folder)?;
            let path = folder.join("consolidated.csv");
            history.write_csl_csv(File::create(&path)?)?;
            for (slot, state) in paths.iter_mut().zip(states) {
                if *state == publication.index {
                    *slot = Some(path.clone());
                }
            }
        }
    }
    truth.flush()?;
    Ok(paths
        .into_iter()
        .map(|p| p.expect("every state written"))
        .collect())
}

/// Writes a `git fast-import` stream: one commit per publication on `refs/heads/main` holding
/// the whole CSL CSV state as `file`, dated the publication date at 12:00 UTC, and a lightweight
/// tag `dYYYY-MM-DD` on each. Holds one rendered state at a time.
pub fn write_fast_import<W: Write>(config: &Config, file: &str, writer: W) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, writer);
    let mut history = History::new(config.clone());
    let mut blob: Vec<u8> = Vec::new();
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date");
    while let Some(publication) = history.next() {
        blob.clear();
        history.write_csl_csv(&mut blob)?;
        let blob_mark = 2 * publication.index + 1;
        let commit_mark = blob_mark + 1;
        write!(out, "blob\nmark :{blob_mark}\ndata {}\n", blob.len())?;
        out.write_all(&blob)?;
        out.write_all(b"\n")?;
        let date = iso(publication.date);
        let time = (publication.date - epoch).num_days() * 86_400 + 12 * 3_600;
        let message = format!(
            "{date} #{} {}",
            publication.index,
            publication.kind.as_str()
        );
        let who = format!("listdiff-gen <gen@example.invalid> {time} +0000");
        write!(
            out,
            "commit refs/heads/main\nmark :{commit_mark}\nauthor {who}\ncommitter {who}\ndata {}\n{message}\n",
            message.len()
        )?;
        write!(out, "M 100644 :{blob_mark} {file}\n\n")?;
        write!(out, "reset refs/tags/d{date}\nfrom :{commit_mark}\n\n")?;
    }
    out.flush()
}

/// An entry worth asking `listdiff history` about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pick {
    /// Present from publication 0 to the last, changed in at least two publications (the most
    /// changed such entry; the smallest id among equals).
    pub history_id: String,
    /// The dates of the first and the last publication.
    pub dates: [String; 2],
}

/// Runs the history and picks an entry for a history query; `None` when no entry present
/// throughout was changed twice.
pub fn pick(config: &Config) -> Option<Pick> {
    let mut history = History::new(config.clone());
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut last = config.start;
    while let Some(publication) = history.next() {
        last = publication.date;
        if publication.index == 0 {
            counts = history.entries().map(|e| (e.id.clone(), 0)).collect();
            continue;
        }
        for id in &publication.changes.removed {
            counts.remove(id);
        }
        for id in &publication.changes.changed {
            if let Some(count) = counts.get_mut(id) {
                *count += 1;
            }
        }
    }
    let (id, count) = counts.into_iter().fold(
        None,
        |best: Option<(String, usize)>, (id, count)| match best {
            Some((_, c)) if c >= count => best,
            _ => Some((id, count)),
        },
    )?;
    (count >= 2).then(|| Pick {
        history_id: id,
        dates: [iso(config.start), iso(last)],
    })
}

#[cfg(test)]
mod tests;
