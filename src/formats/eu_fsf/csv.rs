//! The EU Financial Sanctions Files CSV (`;`-separated): rows grouped into one entry per
//! `Entity_LogicalId`, columns found by name.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::{BLOCKS, Draft, field_key, publication, regulation_key, regulation_summary_key};
use crate::formats::naming::snake_case;
use crate::formats::read::csv::CsvReader;
use crate::formats::read::decode::Syntax;
use crate::formats::read::text;
use crate::formats::registry::{
    Capabilities, Entries, FormatDescriptor, Recognised, Recogniser, Shape,
};
use crate::formats::{FormatError, Input, Location, ParseResult};

/// The `eu-fsf-csv` format.
pub(crate) static EU_FSF_CSV: FormatDescriptor = FormatDescriptor {
    name: "eu-fsf-csv",
    description: "EU Financial Sanctions Files CSV (;-separated, one row per name, address, …)",
    list_ids: "eu-fsf",
    key: "Entity_LogicalId",
    reason_fields: "Entity_Regulation_Programme → programs, Entity_Regulation_NumberTitle/Type/dates/PublicationUrl → citations, Entity_Remark → reason",
    // 2: text that is not UTF-8 used to be decoded field by field (or line by line, or as a
    // whole); it is now read as UTF-8 up to the file's first byte that is not, Windows-1252
    // from there, so a file mixing the two reads differently (see `read::decode`).
    parser_version: 2,
    recogniser: Some(Recogniser {
        shape: Shape::Delimited,
        order: 2,
        test: recognise,
    }),
    parse: parse_csv,
    capabilities: Capabilities {
        streams: true,
        entries: Entries::AfterWholeRead,
        ..Capabilities::NONE
    },
};

/// What a CSV column holds.
#[derive(Clone, Debug)]
enum Column {
    FileDate,
    Id,
    Remark,
    /// An entity-level value, by extra key.
    Attr(String),
    /// A field of the entity's regulation.
    Regulation(String),
    /// A field of a sub-record: (block key, field key).
    Block(&'static str, String),
}

impl Column {
    fn of(header: &str) -> Column {
        let header = header.trim();
        match header {
            "fileGenerationDate" => return Column::FileDate,
            "Entity_LogicalId" => return Column::Id,
            "Entity_Remark" => return Column::Remark,
            "Entity_SubjectType" => return Column::Attr("subject_type".into()),
            "Entity_SubjectType_ClassificationCode" => {
                return Column::Attr("classification_code".into());
            }
            _ => {}
        }
        if let Some(rest) = header.strip_prefix("Entity_Regulation_") {
            return Column::Regulation(regulation_key(&snake_case(rest)));
        }
        if let Some(rest) = header.strip_prefix("Entity_") {
            return Column::Attr(snake_case(rest));
        }
        for (_, prefix, key) in BLOCKS {
            if let Some(rest) = header.strip_prefix(prefix) {
                let field = match rest.strip_prefix("Regulation_") {
                    Some(r) => regulation_summary_key(&regulation_key(&snake_case(r))),
                    None => field_key(snake_case(rest)),
                };
                return Column::Block(key, field);
            }
        }
        Column::Attr(snake_case(header))
    }
}

/// A `;`-separated first line naming `Entity_LogicalId`.
pub(super) fn recognise(head: &[u8]) -> Option<Recognised> {
    let line_end = memchr::memchr(b'\n', head).unwrap_or(head.len());
    let line = String::from_utf8_lossy(head.get(..line_end)?);
    let fields: Vec<&str> = line
        .split(';')
        .map(|f| f.trim().trim_matches('"').trim())
        .collect();
    (fields.len() > 1 && fields.contains(&"Entity_LogicalId")).then_some(Recognised::This)
}

/// Reads one input.
pub(super) fn parse_csv(input: &Input) -> ParseResult {
    let file = input.primary.name.as_str();
    let mut csv = CsvReader::new(file, text::open(&input.primary, Syntax::Text)?, b';');
    let header: Vec<Column> = match csv.next_row()? {
        Some(row) => row.fields().map(|f| Column::of(&f)).collect(),
        None => {
            return Err(FormatError::new(
                file,
                Location::File,
                "the file is empty: an empty publication is almost certainly a failed download; download it again",
            ));
        }
    };
    if !header.iter().any(|c| matches!(c, Column::Id)) {
        return Err(FormatError::new(
            file,
            Location::Line(1),
            "the header has no Entity_LogicalId column: this is not an EU Financial Sanctions CSV file",
        ));
    }
    let mut drafts: Vec<Draft> = Vec::new();
    let mut positions: HashMap<String, usize> = HashMap::new();
    let mut warnings = Vec::new();
    let mut stated_text: Option<String> = None;
    let mut other_dates = false;
    while let Some(row) = csv.next_row()? {
        let line = row.line();
        if row.is_blank() {
            continue;
        }
        let fields: Vec<String> = row.fields().map(|f| f.into_owned()).collect();
        if fields.len() != header.len() {
            return Err(FormatError::new(
                file,
                Location::Line(line),
                format!(
                    "expected {} fields as in the header (line 1), found {}: the row is damaged, or the file was cut short (download it again)",
                    header.len(),
                    fields.len()
                ),
            ));
        }
        let id = header
            .iter()
            .zip(&fields)
            .find(|(c, _)| matches!(c, Column::Id))
            .map(|(_, f)| f.trim().to_string())
            .unwrap_or_default();
        if id.is_empty() {
            return Err(FormatError::new(
                file,
                Location::Line(line),
                "the row has no Entity_LogicalId, the key of EU entries; the row cannot be grouped",
            ));
        }
        let at = match positions.get(&id) {
            Some(&at) => at,
            None => {
                positions.insert(id.clone(), drafts.len());
                drafts.push(Draft {
                    id: id.clone(),
                    line,
                    ..Draft::default()
                });
                drafts.len() - 1
            }
        };
        let Some(draft) = drafts.get_mut(at) else {
            continue;
        };
        let mut regulation = Map::new();
        let mut blocks: Vec<(&'static str, Map<String, Value>)> = Vec::new();
        for (column, value) in header.iter().zip(&fields) {
            match column {
                Column::FileDate => match &stated_text {
                    None if !value.trim().is_empty() => stated_text = Some(value.trim().into()),
                    Some(first) if first != value.trim() && !value.trim().is_empty() => {
                        other_dates = true;
                    }
                    _ => {}
                },
                Column::Id => {}
                Column::Remark => draft.add_remark(value),
                Column::Attr(key) => draft.add_attr(key, value),
                Column::Regulation(key) => {
                    if !value.trim().is_empty() {
                        regulation.insert(key.clone(), Value::String(value.clone()));
                    }
                }
                Column::Block(block, key) => {
                    if value.trim().is_empty() {
                        continue;
                    }
                    match blocks.iter_mut().find(|(b, _)| b == block) {
                        Some((_, object)) => {
                            object.insert(key.clone(), Value::String(value.clone()));
                        }
                        None => {
                            let mut object = Map::new();
                            object.insert(key.clone(), Value::String(value.clone()));
                            blocks.push((block, object));
                        }
                    }
                }
            }
        }
        draft.add_regulation(regulation);
        for (block, object) in blocks {
            draft.add_block(block, object);
        }
    }
    if other_dates {
        warnings.push(format!(
            "{file}: fileGenerationDate differs between rows; the first, {}, is the publication's",
            stated_text.as_deref().unwrap_or("")
        ));
    }
    warnings.splice(0..0, csv.source().note().map(|n| n.warning(file)));
    for draft in &drafts {
        for (key, values) in &draft.attrs {
            if values.len() > 1 {
                warnings.push(format!(
                    "{file}:{}: Entity_LogicalId {} has {} different values of {key} across its rows; all are kept",
                    draft.line,
                    draft.id,
                    values.len()
                ));
            }
        }
    }
    Ok((vec![publication(file, drafts, stated_text)?], warnings))
}
