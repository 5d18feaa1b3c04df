//! Prints a reparse report: for people, one line per event and the entries that differ; for
//! programs, one JSON document.

use std::io::{self, Write};

use serde::Serialize;

use crate::model::reparse::{EventReparse, ReparseReport, ReparseStatus};
use crate::model::text::visible;

/// How many ids of one kind a table lists before it says "and N more".
const IDS_SHOWN: usize = 20;

/// Prints the report as text: per event its status, the parsers, and what differs.
pub fn table(out: &mut dyn Write, report: &ReparseReport) -> io::Result<()> {
    for event in &report.events {
        write!(
            out,
            "event {}  {} {} {}  {}",
            event.seq,
            event.list,
            event.published,
            event.kind,
            event.status.label()
        )?;
        match &event.current_parser {
            Some(current) if current != &event.recorded_parser => writeln!(
                out,
                "  (recorded by {}, read now by {current})",
                event.recorded_parser
            )?,
            _ => writeln!(out, "  ({})", event.recorded_parser)?,
        }
        if let Some(note) = &event.note {
            writeln!(out, "  {}", visible(note))?;
        }
        let difference = &event.difference;
        let listed = |ids: Vec<String>| -> String {
            let more = ids.len().saturating_sub(IDS_SHOWN);
            let mut text = ids
                .into_iter()
                .take(IDS_SHOWN)
                .collect::<Vec<_>>()
                .join(", ");
            if more > 0 {
                text.push_str(&format!(" and {more} more"));
            }
            text
        };
        if !difference.added.is_empty() {
            writeln!(
                out,
                "  only in the reparse ({}): {}",
                difference.added.len(),
                listed(
                    difference
                        .added
                        .iter()
                        .map(|id| visible(id.as_str()).into_owned())
                        .collect()
                )
            )?;
        }
        if !difference.removed.is_empty() {
            writeln!(
                out,
                "  only as recorded ({}): {}",
                difference.removed.len(),
                listed(
                    difference
                        .removed
                        .iter()
                        .map(|id| visible(id.as_str()).into_owned())
                        .collect()
                )
            )?;
        }
        if !difference.changed.is_empty() {
            writeln!(
                out,
                "  read differently ({}): {}",
                difference.changed.len(),
                listed(
                    difference
                        .changed
                        .iter()
                        .map(|c| visible(&format!("{} [{}]", c.id, c.fields.join(", ")))
                            .into_owned())
                        .collect()
                )
            )?;
        }
    }
    let counts: Vec<String> = [
        ReparseStatus::Same,
        ReparseStatus::Differs,
        ReparseStatus::NotArchived,
        ReparseStatus::Unreadable,
        ReparseStatus::Damaged,
    ]
    .into_iter()
    .filter_map(|status| match report.count(status) {
        0 => None,
        n => Some(format!("{n} {}", status.label())),
    })
    .collect();
    writeln!(
        out,
        "{} event{}: {}",
        report.events.len(),
        if report.events.len() == 1 { "" } else { "s" },
        if counts.is_empty() {
            "nothing to reparse".to_string()
        } else {
            counts.join(", ")
        }
    )
}

/// Prints the report as one JSON document: `events`, each with its status, parsers and the
/// entries that differ, and a `summary` of counts by status.
pub fn json(out: &mut dyn Write, report: &ReparseReport) -> io::Result<()> {
    /// Counts of events by status.
    #[derive(Serialize)]
    struct Summary {
        same: usize,
        differs: usize,
        not_archived: usize,
        unreadable: usize,
        damaged: usize,
    }
    /// The document printed.
    #[derive(Serialize)]
    struct Document<'a> {
        events: &'a [EventReparse],
        summary: Summary,
    }
    let document = Document {
        events: &report.events,
        summary: Summary {
            same: report.count(ReparseStatus::Same),
            differs: report.count(ReparseStatus::Differs),
            not_archived: report.count(ReparseStatus::NotArchived),
            unreadable: report.count(ReparseStatus::Unreadable),
            damaged: report.count(ReparseStatus::Damaged),
        },
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}
