//! The BIS Entity List as codified in the eCFR: Supplement No. 4 to Part 744 of the EAR, XML.
//!
//! The list is a five-column table inside the supplement's `DIV9`
//! (`<HEAD>Supplement No. 4 to Part 744—Entity List</HEAD>`): Country | Entity | License
//! requirement | License review policy | Federal Register citation. Two table vocabularies are
//! read: the HTML tables of the eCFR bulk and versioner XML (`TABLE`/`TR`/`TH`/`TD`) and the GPO
//! tables of the CFR and Federal Register XML (`GPOTABLE`/`BOXHD`/`CHED`/`ROW`/`ENT`). The file
//! may be a whole title (`DLPSTEXTCLASS`/`ECFR` root), the part (`DIV5 N="744"`) or the
//! supplement alone (`DIV9`): only tables inside the supplement are read (Part 744 has other
//! tables of the same shape, such as the Military End-User List in Supplement No. 7).
//!
//! Quirks handled:
//! - The Country cell is filled only on a country's first row: blank cells carry the last
//!   country down.
//! - A row with an Entity cell but no licence or citation cells continues the entry above (an
//!   entry printed over several rows); a row with only licence or citation cells likewise.
//!   `[Reserved]` rows are skipped.
//! - Superscript footnote marks (`<SU>1</SU>`) are kept out of the cell text and recorded in
//!   `extra.<column>_footnotes`.
//! - Entity references the eCFR leaves undeclared (`&mdash;`, `&sect;`, …) are resolved.
//! - There is no identifier: the key is `norm(country) + "/" + norm(primary name)` ([`norm`]; the table's
//!   rules are shared with the Federal Register's rules in `entity_list.rs`).
//!   The primary name, aliases and addresses are read from the free-text Entity cell by rule
//!   ([`split_entity`](super::entity_list::split_entity)); the whole cell is kept in `extra.entity_text`.
//! - Citations accumulate (`84 FR 43493, 8/21/19; 85 FR 34503, 6/5/20.`): each becomes one
//!   citation; the first one (the original listing) is also `extra.first_citation`, its date
//!   `listed_on`, and `extra.rename_key` = `norm(country) + "|" + "<volume> FR <page>"` of the
//!   first citation, so a renamed entry can be reported as a change.
//! - The publication date is the bulk file's `AMDDATE` (`Dec. 29, 2022(fm)`); the versioner's
//!   part and appendix XML state none, so the date must then be given on the command line.

use super::entity_list::{
    Cell, LIST_ID, Rows, Table, build_entries, norm, read_row, resolve_entity,
};
use super::read::xml::{Tag, Unresolved, XmlEvent, XmlReader, XmlRules, root_element};
use super::registry::{Capabilities, Entries, FormatDescriptor, Recognised, Recogniser, Shape};
use super::{FormatError, Input, Location, ParseResult, ParsedPublication, dates, record_error};
use crate::model::{ListId, PublicationContent, text};

/// The `ecfr-entity-list` format.
pub(crate) static ECFR_ENTITY_LIST: FormatDescriptor = FormatDescriptor {
    name: "ecfr-entity-list",
    description: "BIS Entity List from the eCFR (Supplement No. 4 to Part 744 XML)",
    list_ids: "us-bis-entity-list",
    key: "norm(country)/norm(primary name); extra.rename_key = norm(country)|first FR citation",
    reason_fields: "license requirement, license review policy, Federal Register citations",
    // 2: a file with a UTF-8 byte-order mark and a declaration naming another encoding used to
    // be decoded as declared; the byte-order mark now decides.
    parser_version: 2,
    recogniser: Some(Recogniser {
        shape: Shape::Xml,
        order: 0,
        test: recognise,
    }),
    parse,
    capabilities: Capabilities {
        streams: true,
        // Not one entry at a time: renames are matched against the whole list.
        entries: Entries::Whole,
        ..Capabilities::NONE
    },
};

/// What text is being collected.
enum Target {
    None,
    Head(String),
    AmdDate(String),
    Cell(Cell),
}

/// What the eCFR XML tolerates: end tags are not checked against their start (wrapper
/// elements change case), entities it leaves undeclared are resolved ([`resolve_entity`]) or
/// kept as written, and so are bad character references and malformed attributes.
const RULES: XmlRules = XmlRules {
    check_end_names: false,
    unknown_entities: Unresolved::Keep,
    bad_character_references: Unresolved::Keep,
    malformed_attributes: Unresolved::Keep,
    more_entities: Some(resolve_entity),
};

/// Reads one input.
pub(super) fn parse(input: &Input) -> ParseResult {
    let name = input.primary.name.as_str();
    let mut xml = XmlReader::open(&input.primary, RULES)?;

    // Element names from the root down; the index of the supplement's element in it.
    let mut stack: Vec<String> = Vec::new();
    let mut supplement: Option<usize> = None;
    let mut found_supplement = false;
    let mut target = Target::None;
    let mut in_footnote = 0usize;
    let mut amddate: Option<String> = None;
    let mut table: Option<Table> = None;
    let mut rows = Rows::default();

    loop {
        match xml.next()? {
            XmlEvent::Eof => break,
            XmlEvent::Start { tag, empty: false } => {
                let upper = tag.name.to_ascii_uppercase();
                // A table row is a record.
                if upper == "TR" || upper == "ROW" {
                    xml.begin_record();
                }
                if supplement.is_none() && is_supplement_attr(&tag) {
                    supplement = Some(stack.len());
                    found_supplement = true;
                }
                start_element(
                    &upper,
                    &mut target,
                    &mut in_footnote,
                    &mut table,
                    supplement,
                );
                if upper == "HEAD" && matches!(target, Target::None) {
                    target = Target::Head(String::new());
                } else if upper == "AMDDATE" && amddate.is_none() {
                    target = Target::AmdDate(String::new());
                }
                stack.push(upper);
            }
            XmlEvent::Start { tag, empty: true } => {
                let upper = tag.name.to_ascii_uppercase();
                start_element(
                    &upper,
                    &mut target,
                    &mut in_footnote,
                    &mut table,
                    supplement,
                );
                end_element(
                    &upper,
                    &mut target,
                    &mut in_footnote,
                    &mut table,
                    &mut EndState {
                        rows: &mut rows,
                        amddate: &mut amddate,
                    },
                );
            }
            XmlEvent::End { .. } => {
                let Some(tag) = stack.pop() else {
                    continue;
                };
                if tag == "HEAD"
                    && let Target::Head(head) = &target
                {
                    if supplement.is_none() && is_supplement_heading(head) {
                        // The heading names the element that holds it.
                        supplement = Some(stack.len().saturating_sub(1));
                        found_supplement = true;
                    }
                    target = Target::None;
                    continue;
                }
                end_element(
                    &tag,
                    &mut target,
                    &mut in_footnote,
                    &mut table,
                    &mut EndState {
                        rows: &mut rows,
                        amddate: &mut amddate,
                    },
                );
                if supplement.is_some_and(|depth| stack.len() <= depth) {
                    supplement = None;
                    table = None;
                }
            }
            XmlEvent::Text(text) => push_text(&mut target, in_footnote > 0, &text),
        }
    }

    if !found_supplement {
        return Err(FormatError::new(
            name,
            Location::File,
            "no \"Supplement No. 4 to Part 744\" (the Entity List) in this file: give the eCFR XML of Title 15, Part 744 or its Supplement No. 4",
        ));
    }

    let mut warnings: Vec<String> = xml.decode_warning().into_iter().collect();
    let (entries, rows_of) = build_entries(name, rows.drafts, &mut warnings)?;
    let content = PublicationContent::Snapshot(entries)
        .normalize()
        .map_err(|e| record_error(name, e, |i| rows_of.get(i).copied().flatten()))?;
    let (stated_date, stated_date_text) = match amddate.as_deref().and_then(text::normalize) {
        Some(raw) => match dates::month_name(&raw) {
            Some(date) => (Some(date), Some(raw)),
            None => {
                warnings.push(format!(
                    "{name}: the amendment date {} (AMDDATE) is not a date listdiff reads; give the publication date on the command line",
                    super::quoted(&raw)
                ));
                (None, None)
            }
        },
        None => (None, None),
    };
    let list =
        ListId::new(LIST_ID).map_err(|e| FormatError::new(name, Location::File, e.to_string()))?;
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

/// The state an element's end updates.
struct EndState<'a> {
    rows: &'a mut Rows,
    amddate: &'a mut Option<String>,
}

/// True for an element whose `N` attribute names the supplement (`DIV9 N="Supplement No. 4 to
/// Part 744"`).
fn is_supplement_attr(tag: &Tag) -> bool {
    tag.attrs
        .iter()
        .any(|(key, value)| key.eq_ignore_ascii_case("N") && is_supplement_heading(value))
}

/// True when a heading names Supplement No. 4 to Part 744.
fn is_supplement_heading(head: &str) -> bool {
    let flat = norm(head);
    flat.starts_with("supplement no 4 to part 744")
}

/// Handles an element's start inside the text being collected or the table being read.
fn start_element(
    tag: &str,
    target: &mut Target,
    in_footnote: &mut usize,
    table: &mut Option<Table>,
    supplement: Option<usize>,
) {
    match tag {
        "TABLE" | "GPOTABLE" if supplement.is_some() => {
            *table = Some(Table::default());
        }
        "TR" | "ROW" => {
            if let Some(t) = table.as_mut() {
                t.row = Some(Vec::new());
            }
        }
        "TD" | "ENT" | "TH" | "CHED" if table.is_some() => {
            *target = Target::Cell(Cell::default());
        }
        "SU" | "FTREF" => *in_footnote += 1,
        "P" | "BR" | "FP" | "LI" | "DIV" | "HD1" | "HD2" | "HD3" => {
            push_text(target, false, " ");
        }
        _ => {}
    }
}

/// Handles an element's end: finishes cells, rows, tables and the amendment date.
fn end_element(
    tag: &str,
    target: &mut Target,
    in_footnote: &mut usize,
    table: &mut Option<Table>,
    state: &mut EndState<'_>,
) {
    match tag {
        "AMDDATE" => {
            if let Target::AmdDate(text) = std::mem::replace(target, Target::None) {
                *state.amddate = Some(text);
            }
        }
        "TH" | "CHED" => {
            if let (Target::Cell(cell), Some(t)) =
                (std::mem::replace(target, Target::None), table.as_mut())
            {
                t.headers.push(cell.text);
            }
        }
        "TD" | "ENT" => {
            if let (Target::Cell(cell), Some(t)) =
                (std::mem::replace(target, Target::None), table.as_mut())
                && let Some(row) = t.row.as_mut()
            {
                row.push(cell);
            }
        }
        "TR" | "ROW" => {
            if let Some(t) = table.as_mut()
                && let Some(cells) = t.row.take()
                && !cells.is_empty()
            {
                read_row(t, cells, state.rows);
            }
        }
        "TABLE" | "GPOTABLE" => *table = None,
        "SU" | "FTREF" => *in_footnote = in_footnote.saturating_sub(1),
        "P" | "BR" | "FP" | "LI" | "DIV" | "HD1" | "HD2" | "HD3" => push_text(target, false, " "),
        _ => {}
    }
}

/// Appends text to what is being collected (to the footnotes inside `<SU>`).
fn push_text(target: &mut Target, footnote: bool, text: &str) {
    match target {
        Target::None => {}
        Target::Head(s) | Target::AmdDate(s) => s.push_str(text),
        Target::Cell(cell) => {
            if footnote {
                if let Some(mark) = text::normalize(text) {
                    cell.footnotes.push(mark);
                }
            } else {
                cell.text.push_str(text);
            }
        }
    }
}

/// Recognises the format from the start of a file (`head`: at most its first 64 KiB, with any
/// byte-order mark and leading white space removed): XML whose first 64 KiB hold the heading
/// `Supplement No. 4 to Part 744` (a `HEAD` or an `N` attribute), or whose root is the part
/// itself (`<DIV5 N="744" … TYPE="PART">`).
fn recognise(head: &[u8]) -> Option<Recognised> {
    if !head.starts_with(b"<") {
        return None;
    }
    let text = String::from_utf8_lossy(head);
    let root = root_element(head)?;
    let root_upper = format!("<{}{}", root.qname, root.attributes).to_ascii_uppercase();
    let ecfr_root = root_upper.starts_with("<DIV")
        || root_upper.starts_with("<ECFR")
        || root_upper.starts_with("<DLPSTEXTCLASS")
        || root_upper.starts_with("<CFRGRANULE")
        || root_upper.starts_with("<APPENDIX");
    if !ecfr_root {
        return None;
    }
    if root_upper.starts_with("<DIV5") && root_upper.contains("N=\"744\"") {
        return Some(Recognised::This);
    }
    let flat = norm(&text);
    flat.contains("supplement no 4 to part 744")
        .then_some(Recognised::This)
}

#[cfg(test)]
mod tests {
    use super::super::entity_list::{Citation, has_leftover, parse_citations, split_entity};
    use super::*;
    use crate::model::Entry;
    use chrono::NaiveDate;

    fn fixture(name: &str) -> Input {
        let path = format!(
            "{}/tests/fixtures/ecfr-entity-list/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(&path).unwrap();
        Input::single(path, bytes)
    }

    fn entries(p: &ParsedPublication) -> &[Entry] {
        match &p.content {
            PublicationContent::Snapshot(e) => e,
            PublicationContent::Amendment(_) => panic!("expected a snapshot"),
        }
    }

    fn find<'a>(entries: &'a [Entry], id: &str) -> &'a Entry {
        entries
            .iter()
            .find(|e| e.id.as_str() == id)
            .unwrap_or_else(|| {
                panic!(
                    "no entry {id}: {:?}",
                    entries.iter().map(|e| e.id.as_str()).collect::<Vec<_>>()
                )
            })
    }

    fn parse_str(xml: &str) -> Result<(Vec<ParsedPublication>, Vec<String>), FormatError> {
        parse(&Input::single("t.xml", xml.as_bytes().to_vec()))
    }

    const ROW_HEAD: &str = "<TR><TH>Country</TH><TH>Entity</TH><TH>License requirement</TH><TH>License review policy</TH><TH>Federal Register citation</TH></TR>";

    fn supplement(rows: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DIV9 N=\"Supplement No. 4 to Part 744\" TYPE=\"APPENDIX\"><HEAD>Supplement No. 4 to Part 744—Entity List</HEAD><DIV class=\"gpotbl_div\"><TABLE>{ROW_HEAD}{rows}</TABLE></DIV></DIV9>"
        )
    }

    #[test]
    fn normalisation_of_keys() {
        assert_eq!(
            norm("CHINA, PEOPLE'S REPUBLIC OF"),
            "china peoples republic of"
        );
        assert_eq!(
            norm("  Huawei Technologies Co.,  Ltd. "),
            "huawei technologies co ltd"
        );
        assert_eq!(norm("Ürümqi—Test"), "ürümqi test");
    }

    #[test]
    fn entity_cells_split_into_name_aliases_and_addresses() {
        let (n, a, d) = split_entity(
            "Example Microsystems Ltd., a.k.a., the following two aliases: —EML; and —Example Micro. 88 Sample Avenue, Suzhou, Jiangsu, China.",
        );
        assert_eq!(n, "Example Microsystems Ltd.");
        assert_eq!(a, vec!["EML", "Example Micro"]);
        assert_eq!(d, vec!["88 Sample Avenue, Suzhou, Jiangsu, China"]);

        let (n, a, d) = split_entity(
            "Huawei Technologies Co., Ltd., Bantian Huawei Base, Longgang District, Shenzhen, China.",
        );
        assert_eq!(n, "Huawei Technologies Co., Ltd.");
        assert!(a.is_empty());
        assert_eq!(
            d,
            vec!["Bantian Huawei Base, Longgang District, Shenzhen, China"]
        );

        let (n, a, d) =
            split_entity("Aviazapchast, a.k.a. Aviaz Co. Ltd., 12 Lenin St., Moscow, Russia.");
        assert_eq!(n, "Aviazapchast");
        assert_eq!(a, vec!["Aviaz Co. Ltd."]);
        assert_eq!(d, vec!["12 Lenin St., Moscow, Russia"]);

        let (n, a, d) = split_entity(
            "Alpha Trading, a.k.a., the following alias: —Beta Trading FZE. Office 1, Dubai, U.A.E.; and Office 2, Sharjah, U.A.E.",
        );
        assert_eq!(n, "Alpha Trading");
        assert_eq!(a, vec!["Beta Trading FZE"]);
        assert_eq!(
            d,
            vec!["Office 1, Dubai, U.A.E", "Office 2, Sharjah, U.A.E"]
        );

        let (n, a, d) = split_entity("Lone Name Corp.");
        assert_eq!((n.as_str(), a.len(), d.len()), ("Lone Name Corp", 0, 0));
    }

    #[test]
    fn citations_are_read_one_by_one() {
        let c = parse_citations("84 FR 43493, 8/21/19; 85 FR 34503, 6/5/20.");
        let texts: Vec<String> = c.iter().map(Citation::text).collect();
        assert_eq!(texts, vec!["84 FR 43493, 8/21/19", "85 FR 34503, 6/5/20"]);
        assert_eq!(c[0].date, NaiveDate::from_ymd_opt(2019, 8, 21));
        assert!(!has_leftover(
            "84 FR 43493, 8/21/19; 85 FR 34503, 6/5/20.",
            &c
        ));

        let c = parse_citations("63 FR 64325, 11/19/98. 76 FR 71869, 11/21/2011. 89 FR 1234");
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].date, NaiveDate::from_ymd_opt(1998, 11, 19));
        assert_eq!(c[1].date, NaiveDate::from_ymd_opt(2011, 11, 21));
        assert_eq!(c[2].text(), "89 FR 1234");

        let text = "84 FR 43493, 8/21/19; effective date postponed.";
        assert!(has_leftover(text, &parse_citations(text)));
        assert!(parse_citations("See the EAR, no citation").is_empty());
    }

    #[test]
    fn reads_the_first_fixture() {
        let (pubs, warnings) = parse(&fixture("2024-01-15/title-15-part-744.xml")).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(pubs.len(), 1);
        let p = &pubs[0];
        assert_eq!(p.list.as_str(), "us-bis-entity-list");
        assert_eq!(p.stated_date, NaiveDate::from_ymd_opt(2024, 1, 12));
        assert_eq!(p.stated_date_text.as_deref(), Some("Jan. 12, 2024"));
        let e = entries(p);
        // The Military End-User table of Supplement No. 7 is not read.
        assert_eq!(
            e.len(),
            6,
            "{:?}",
            e.iter().map(|e| e.id.as_str()).collect::<Vec<_>>()
        );
        assert!(e.iter().all(|e| !e.name.contains("Military End")));

        let a = find(e, "china peoples republic of/example microsystems ltd");
        assert_eq!(a.name, "Example Microsystems Ltd.");
        assert_eq!(a.countries, vec!["CHINA, PEOPLE'S REPUBLIC OF"]);
        assert_eq!(a.aliases, vec!["EML", "Example Micro"]);
        assert_eq!(
            a.addresses,
            vec!["88 Sample Avenue, Suzhou, Jiangsu, China"]
        );
        assert_eq!(
            a.license_requirement.as_deref(),
            Some("For all items subject to the EAR. (See § 744.11 of the EAR).")
        );
        assert_eq!(a.license_policy.as_deref(), Some("Presumption of denial."));
        assert_eq!(a.citations, vec!["84 FR 43493, 8/21/19"]);
        assert_eq!(a.listed_on, NaiveDate::from_ymd_opt(2019, 8, 21));
        assert_eq!(a.extra["first_citation"], "84 FR 43493, 8/21/19");
        assert_eq!(a.extra["listed_on_text"], "8/21/19");
        assert_eq!(
            a.extra["rename_key"],
            "china peoples republic of|84 FR 43493"
        );
        assert_eq!(
            a.extra["license_requirement_footnotes"],
            serde_json::json!(["1"])
        );

        // Carried down: the row below has an empty country cell.
        let b = find(e, "china peoples republic of/example optics institute");
        assert_eq!(b.countries, vec!["CHINA, PEOPLE'S REPUBLIC OF"]);
        assert_eq!(b.addresses, vec!["3 Demo Road, Xi’an, China"]);
        // An entry printed over two rows.
        let c = find(
            e,
            "china peoples republic of/northern star photonics co ltd",
        );
        assert_eq!(
            c.addresses,
            vec!["Building 5, Shenzhen, China", "Room 9, Hong Kong"]
        );
        assert_eq!(c.citations.len(), 2);

        let r = find(e, "russia/aviazapchast");
        assert_eq!(r.aliases, vec!["Aviaz Co. Ltd."]);
        assert_eq!(r.countries, vec!["RUSSIA"]);
    }

    #[test]
    fn successive_fixtures_show_an_addition_a_removal_a_policy_change_and_a_rename() {
        let ids = |file: &str| -> Vec<Entry> {
            let (p, _) = parse(&fixture(file)).unwrap();
            entries(&p[0]).to_vec()
        };
        let a = ids("2024-01-15/title-15-part-744.xml");
        let b = ids("2024-06-03/supplement-4.xml");
        let has = |e: &[Entry], id: &str| e.iter().any(|x| x.id.as_str() == id);
        // Removal.
        assert!(has(&a, "russia/aviazapchast") && !has(&b, "russia/aviazapchast"));
        // Addition.
        assert!(!has(&a, "iran/tehran dynamics") && has(&b, "iran/tehran dynamics"));
        // Licence policy change, with an appended citation.
        let (pa, pb) = (
            find(&a, "china peoples republic of/example optics institute"),
            find(&b, "china peoples republic of/example optics institute"),
        );
        assert_ne!(pa.license_policy, pb.license_policy);
        assert_eq!(pb.license_policy.as_deref(), Some("Presumption of denial."));
        assert_eq!(pb.citations.len(), pa.citations.len() + 1);
        // Rename: same country and first citation, new name.
        let old = find(&a, "united arab emirates/gulf star trading llc");
        assert!(!has(&b, "united arab emirates/gulf star trading llc"));
        let new = find(&b, "united arab emirates/desert falcon trading llc");
        assert_eq!(old.extra["rename_key"], new.extra["rename_key"]);
        assert_eq!(new.aliases, vec!["Gulf Star Trading LLC"]);

        let (pubs, _) = parse(&fixture("2024-06-03/supplement-4.xml")).unwrap();
        // The versioner's appendix XML states no date.
        assert_eq!(pubs[0].stated_date, None);
        assert_eq!(pubs[0].stated_date_text, None);

        // The third date uses GPO table markup (GPOTABLE/BOXHD/ROW/ENT).
        let c = ids("2024-09-16/title-15-gpotable.xml");
        assert_eq!(c.len(), b.len() + 1);
        assert!(has(&c, "pakistan/karachi precision engineering"));
        let same = find(&c, "iran/tehran dynamics");
        assert_eq!(same, find(&b, "iran/tehran dynamics"));
    }

    #[test]
    fn continuation_rows_and_reserved_rows() {
        let xml = supplement(
            "<TR><TD>BELARUS</TD><TD>[Reserved]</TD><TD/><TD/><TD/></TR>\
             <TR><TD/><TD>Minsk Works, 1 Street, Minsk.</TD><TD>For all items</TD><TD>Presumption of denial.</TD><TD>89 FR 1, 1/2/24.</TD></TR>\
             <TR><TD/><TD>Second Works, 2 Street, Minsk.</TD><TD>For all items</TD><TD>Case-by-case</TD><TD>89 FR 2, 1/3/24.</TD></TR>\
             <TR><TD/><TD/><TD/><TD/><TD>90 FR 5, 2/2/25.</TD></TR>",
        );
        let (p, _) = parse_str(&xml).unwrap();
        let e = entries(&p[0]);
        assert_eq!(e.len(), 2);
        assert_eq!(find(e, "belarus/second works").citations.len(), 2);
        assert_eq!(find(e, "belarus/minsk works").countries, vec!["BELARUS"]);
    }

    #[test]
    fn a_repeated_key_is_merged_with_a_warning() {
        let xml = supplement(
            "<TR><TD>IRAN</TD><TD>Acme, 1 Road, Tehran.</TD><TD>For all items</TD><TD>Denial</TD><TD>89 FR 1, 1/2/24.</TD></TR>\
             <TR><TD/><TD>Acme, 2 Road, Isfahan.</TD><TD>For all items</TD><TD>Denial</TD><TD>89 FR 9, 1/9/24.</TD></TR>",
        );
        let (p, w) = parse_str(&xml).unwrap();
        let e = entries(&p[0]);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].addresses.len(), 2);
        assert_eq!(e[0].citations.len(), 2);
        assert!(w[0].contains("row 2 repeats the entry of row 1"), "{w:?}");
    }

    #[test]
    fn empty_table_latin1_and_errors() {
        let (p, _) = parse_str(&supplement("")).unwrap();
        assert!(p[0].content.is_empty());

        let xml = supplement("<TR><TD>FRANCE</TD><TD>Soci\u{e9}t\u{e9} Exemple, Paris.</TD><TD>All</TD><TD>Denial</TD><TD>89 FR 1, 1/2/24.</TD></TR>")
            .replace("UTF-8", "ISO-8859-1");
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&xml);
        let (p, _) = parse(&Input::single("l.xml", bytes.into_owned())).unwrap();
        assert_eq!(entries(&p[0])[0].name, "Société Exemple");

        let mut utf16 = vec![0xFF, 0xFE];
        let xml = supplement("<TR><TD>FRANCE</TD><TD>Soci\u{e9}t\u{e9} Deux, Lyon.</TD><TD>All</TD><TD>Denial</TD><TD>89 FR 1, 1/2/24.</TD></TR>")
            .replace("UTF-8", "UTF-16");
        for unit in xml.encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        let (p, _) = parse(&Input::single("u.xml", utf16)).unwrap();
        assert_eq!(entries(&p[0])[0].name, "Société Deux");

        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(supplement("").as_bytes());
        assert!(parse(&Input::single("b.xml", bom)).is_ok());

        let e = parse_str("<DIV5 N=\"744\"><HEAD>PART 744</HEAD></DIV5>").unwrap_err();
        assert!(e.message.contains("no \"Supplement No. 4"), "{e}");
        let e = parse_str(&format!("{}<TD a=\"x", supplement(""))).unwrap_err();
        assert!(e.message.contains("not well-formed XML"), "{e}");
    }

    #[test]
    fn recognises_only_the_entity_list() {
        let yes: [&[u8]; 4] = [
            b"<?xml version=\"1.0\"?>\n<DIV9 N=\"Supplement No. 4 to Part 744\" TYPE=\"APPENDIX\">",
            b"<DIV5 N=\"744\" NODE=\"15:2.1.3.4.28\" TYPE=\"PART\"><HEAD>PART 744</HEAD>",
            b"<ECFR><AMDDATE>Jan. 1, 2024</AMDDATE><DIV9><HEAD>Supplement No. 4 to Part 744\xE2\x80\x94Entity List</HEAD>",
            b"<!-- hand-made --><DLPSTEXTCLASS><DIV9 N=\"Supplement No. 4 to Part 744\">",
        ];
        for head in yes {
            assert_eq!(
                recognise(head),
                Some(Recognised::This),
                "{}",
                String::from_utf8_lossy(head)
            );
        }
        let no: [&[u8]; 6] = [
            b"<DIV5 N=\"740\" TYPE=\"PART\"><HEAD>PART 740</HEAD>",
            b"<sdnList><publshInformation>",
            b"<export xmlns=\"http://eu.europa.ec/fpi/fsd/export\"><!-- Supplement No. 4 to Part 744 -->",
            b"<CONSOLIDATED_LIST dateGenerated=\"2024\">",
            b"{\"list\": \"Supplement No. 4 to Part 744\"}",
            b"<DIV9 N=\"Supplement No. 7 to Part 744\"><HEAD>Supplement No. 7 to Part 744\xE2\x80\x94Military End-User (MEU) List</HEAD>",
        ];
        for head in no {
            assert_eq!(recognise(head), None, "{}", String::from_utf8_lossy(head));
        }
        assert_eq!(recognise(b"<"), None);
        assert_eq!(recognise(b"<!-- never closed"), None);
    }

    #[test]
    fn damaged_input_is_an_error_not_a_panic() {
        let xml = supplement(
            "<TR><TD>IRAN</TD><TD>Acme, a.k.a. —</TD><TD>x</TD><TD>y</TD><TD>FR FR 1 FR</TD></TR>",
        );
        for cut in 0..xml.len() {
            if let Some(part) = xml.get(..cut) {
                let _ = parse_str(part);
            }
        }
        let _ = split_entity("a.k.a.");
        let _ = split_entity("—, a.k.a., the following: —. —");
        let _ = parse_citations("FR 1 2 FR , 1/2/ FR");
    }
}
