//! Same-day deltas: OpenSanctions publishes several deltas a day, but a list has one
//! publication per date (a second is a correction of the first). So the deltas of one list and
//! date read by one ingest are recorded as one amendment that applies them in order (the last
//! operation on an id wins), with every file in its provenance.

use chrono::NaiveDate;

use super::guard::Outline;
use super::{Held, Prepared};
use crate::formats::Format;
use crate::model::{ListId, PublicationContent};
use crate::store::manifest_sha256;

/// The list and date of an item that is one OpenSanctions delta held in memory.
fn delta_day(item: &Prepared) -> Option<(&ListId, NaiveDate)> {
    let Held::Memory(publications) = &item.held else {
        return None;
    };
    match publications.as_slice() {
        [one]
            if Format::from_name(&item.provenance.format).is_some_and(Format::is_delta_feed)
                && matches!(one.content, PublicationContent::Amendment(_)) =>
        {
            Some((&one.list, one.published))
        }
        _ => None,
    }
}

/// Merges each run of consecutive items (in recording order) that are deltas of one list and
/// date into the first of them: one amendment, the sources joined with "; ", every file in its
/// provenance, the warnings of all. With `outline`, the merged item's drop-guard outline is
/// made again.
pub(crate) fn merge_same_day_deltas(prepared: Vec<Prepared>, outline: bool) -> Vec<Prepared> {
    let mut merged: Vec<Prepared> = Vec::new();
    for item in prepared {
        let joins = match (merged.last(), delta_day(&item)) {
            (Some(last), Some(day)) => delta_day(last) == Some(day),
            _ => false,
        };
        let Some(last) = merged.last_mut().filter(|_| joins) else {
            merged.push(item);
            continue;
        };
        let (Held::Memory(earlier), Held::Memory(later)) = (&mut last.held, item.held) else {
            continue;
        };
        let (Some(earlier), Some(later)) = (earlier.first_mut(), later.into_iter().next()) else {
            continue;
        };
        if let (PublicationContent::Amendment(a), PublicationContent::Amendment(b)) =
            (&mut earlier.content, later.content)
        {
            a.then(b);
        }
        earlier.source = format!("{}; {}", earlier.source, later.source);
        last.provenance.inputs.extend(item.provenance.inputs);
        last.provenance.sha256 = manifest_sha256(&last.provenance.inputs);
        last.warnings.extend(item.warnings);
        last.outlines = if outline {
            vec![Outline::of(earlier)]
        } else {
            Vec::new()
        };
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::inputs::Candidate;
    use crate::model::{Amendment, Entry, EntryId, Publication};
    use crate::store::{InputDigest, Provenance};

    fn entry(id: &str, name: &str) -> Entry {
        Entry::new(EntryId::new(id).expect("an entry id"), name)
    }

    fn delta(
        file: &str,
        list: &str,
        published: &str,
        add: Vec<Entry>,
        remove: &[&str],
    ) -> Prepared {
        let published: NaiveDate = published.parse().expect("a date");
        let input = InputDigest {
            name: file.into(),
            sha256: format!("{:0>64}", file.len()),
            bytes: 1,
        };
        Prepared {
            candidate: Candidate::file(file, file, 0),
            first_date: published,
            provenance: Provenance {
                sha256: input.sha256.clone(),
                inputs: vec![input],
                format: "ftm-delta".into(),
                parser: "test".into(),
            },
            warnings: vec![format!("{file}: a warning")],
            held: Held::Memory(vec![Publication {
                list: ListId::new(list).expect("a list id"),
                published,
                source: file.into(),
                content: PublicationContent::Amendment(Amendment {
                    add,
                    amend: Vec::new(),
                    remove: remove
                        .iter()
                        .map(|id| EntryId::new(id).expect("an entry id"))
                        .collect(),
                }),
            }]),
            outlines: Vec::new(),
        }
    }

    fn amendment(item: &Prepared) -> &Amendment {
        match &item.held {
            Held::Memory(publications) => match publications.as_slice() {
                [
                    Publication {
                        content: PublicationContent::Amendment(a),
                        ..
                    },
                ] => a,
                _ => panic!("not one amendment"),
            },
            _ => panic!("not held in memory"),
        }
    }

    #[test]
    fn deltas_of_one_list_and_day_become_one_amendment_applied_in_order() {
        let merged = merge_same_day_deltas(
            vec![
                delta("a.json", "os", "2024-05-27", vec![entry("x", "X")], &[]),
                delta("bb.json", "os", "2024-05-27", vec![entry("y", "Y")], &["x"]),
                delta("ccc.json", "os", "2024-05-27", vec![entry("x", "X2")], &[]),
            ],
            true,
        );
        assert_eq!(merged.len(), 1);
        let item = &merged[0];
        let a = amendment(item);
        let added: Vec<(&str, &str)> = a
            .add
            .iter()
            .chain(&a.amend)
            .map(|e| (e.id.as_str(), e.name.as_str()))
            .collect();
        assert!(added.contains(&("y", "Y")), "{added:?}");
        assert!(
            added.contains(&("x", "X2")),
            "the last operation on x wins: {added:?}"
        );
        assert!(a.remove.is_empty(), "x is added back after its removal");
        let names: Vec<&str> = item
            .provenance
            .inputs
            .iter()
            .map(|i| i.name.as_str())
            .collect();
        assert_eq!(names, ["a.json", "bb.json", "ccc.json"]);
        assert_eq!(
            item.provenance.sha256,
            manifest_sha256(&item.provenance.inputs)
        );
        assert_eq!(item.warnings.len(), 3);
        let Held::Memory(publications) = &item.held else {
            panic!("not held in memory");
        };
        assert_eq!(publications[0].source, "a.json; bb.json; ccc.json");
        assert_eq!(item.outlines.len(), 1, "the guard outline is made again");
    }

    #[test]
    fn deltas_of_other_days_or_lists_stay_apart() {
        let merged = merge_same_day_deltas(
            vec![
                delta("a.json", "os", "2024-05-27", vec![entry("x", "X")], &[]),
                delta("b.json", "os", "2024-05-28", vec![entry("y", "Y")], &[]),
                delta("c.json", "other", "2024-05-28", vec![entry("z", "Z")], &[]),
            ],
            false,
        );
        assert_eq!(merged.len(), 3);
        assert!(merged.iter().all(|item| item.outlines.is_empty()));
    }
}
