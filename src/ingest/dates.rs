//! Publication times and sources: the date given, else the one the file states, else the last
//! `YYYY-MM-DD` in its path, with a UTC time of day when one is known on that date; the citation
//! the file states, else its name.
//!
//! A time of day is added only where it is a UTC time on the publication date as resolved:
//! given with `--published 2021-08-20T18:50:00Z`; else stated in the file as a timestamp whose
//! UTC date is that date (UN `dateGenerated="2026-02-27T00:00:09.554Z"`; EU
//! `generationDate="2025-01-02T10:00:00+01:00"` is 09:00 UTC that day; a `-05:00` evening time
//! that is the next day in UTC gives no time, and the date stays the file's own); else written
//! in UTC right after the path's date (`2021-08-20T185052Z_sdn.csv`). So two scrapes of a list
//! hours apart are two publications, and a time never moves a publication to another date.

use chrono::{NaiveDate, NaiveTime};

use super::IngestError;
use crate::model::PublicationTime;

/// The publication date when one can be told: `given` (`--published`), else the date the file
/// states, else the last `YYYY-MM-DD` in how the input is shown (its path).
pub fn resolve_date(
    given: Option<NaiveDate>,
    stated: Option<NaiveDate>,
    display: &str,
) -> Option<NaiveDate> {
    given.or(stated).or_else(|| date_in_path(display))
}

/// The publication time (see the module documentation): `given` (`--published`, a date or a
/// UTC time), else the date the file states, else the last `YYYY-MM-DD` in how the input is
/// shown; with the time of day `given` states, else the one `stated_text` (the file's own date
/// as written) states in UTC on that date, else the UTC time written after the path's date on
/// that date. An error saying how to give the date when none can be told.
pub fn publication_time(
    given: Option<PublicationTime>,
    (stated, stated_text): (Option<NaiveDate>, Option<&str>),
    display: &str,
) -> Result<PublicationTime, IngestError> {
    if let Some(given) = given
        && given.time.is_some()
    {
        return Ok(given);
    }
    let date = resolve_date(given.map(|g| g.date), stated, display).ok_or_else(|| {
        IngestError::NoDate {
            input: display.to_string(),
        }
    })?;
    let from_file = stated_text.and_then(|text| PublicationTime::stated_on(date, text));
    let from_path = time_in_path(display).filter(|p| p.date == date);
    Ok(from_file
        .or(from_path)
        .unwrap_or(PublicationTime::date(date)))
}

/// An event's source: the citation the file states, else `name` (the input's file name); with
/// the file's own date as it writes it beside the parsed one.
pub fn source_of(stated: Option<String>, date_text: Option<&str>, name: &str) -> String {
    let source = stated.unwrap_or_else(|| name.to_string());
    match date_text {
        Some(text) => format!("{source} (dated {text:?} in the file)"),
        None => source,
    }
}

/// The last `YYYY-MM-DD` in `text` (as [`date_in_path`]) with the UTC time written right after
/// it, `THHMMSSZ` or `THH:MM:SSZ` (`2021-08-20T185052Z_sdn.csv`); `None` when that date has
/// no such time.
pub fn time_in_path(text: &str) -> Option<PublicationTime> {
    let (date, end) = last_date_in(text)?;
    let rest = text.get(end..)?.strip_prefix(['T', 't'])?;
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let (clock, after) = match (rest.get(..7), rest.get(..9)) {
        (Some(compact), _) if compact.ends_with(['Z', 'z']) && digits(&compact[..6]) => (
            format!("{}:{}:{}", &compact[..2], &compact[2..4], &compact[4..6]),
            7,
        ),
        (_, Some(colons))
            if colons.ends_with(['Z', 'z'])
                && colons.as_bytes()[2] == b':'
                && colons.as_bytes()[5] == b':'
                && digits(&colons[..2])
                && digits(&colons[3..5])
                && digits(&colons[6..8]) =>
        {
            (colons[..8].to_string(), 9)
        }
        _ => return None,
    };
    // Not part of a longer number or time.
    if rest
        .as_bytes()
        .get(after)
        .is_some_and(|b| b.is_ascii_digit())
    {
        return None;
    }
    let time = NaiveTime::parse_from_str(&clock, "%H:%M:%S").ok()?;
    Some(PublicationTime::at(date, time))
}

/// The last `YYYY-MM-DD` in `text` that is a real date and is not part of a longer number.
pub fn date_in_path(text: &str) -> Option<NaiveDate> {
    last_date_in(text).map(|(date, _)| date)
}

/// [`date_in_path`], with the byte offset just after the date.
fn last_date_in(text: &str) -> Option<(NaiveDate, usize)> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(9)).rev().find_map(|start| {
        let window = bytes.get(start..start + 10)?;
        let shape = window.iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
        let bounded = |i: Option<usize>| {
            i.and_then(|i| bytes.get(i))
                .is_none_or(|b| !b.is_ascii_digit())
        };
        if shape && bounded(start.checked_sub(1)) && bounded(Some(start + 10)) {
            crate::model::text::parse_date(std::str::from_utf8(window).ok()?)
                .map(|date| (date, start + 10))
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("a test date")
    }

    #[test]
    fn dates_are_found_in_paths() {
        assert_eq!(
            date_in_path("sdn/2024-03-04/sdn.csv"),
            Some(date("2024-03-04"))
        );
        assert_eq!(
            date_in_path("h/2021-01-01/2022-02-25T015029Z_sdn.csv"),
            Some(date("2022-02-25"))
        );
        assert_eq!(date_in_path("x/2024-13-45/sdn.csv"), None);
        assert_eq!(date_in_path("x/12024-01-01/a"), None);
        assert_eq!(date_in_path("sdn.csv"), None);
    }

    #[test]
    fn the_date_given_wins_then_the_files_then_the_paths() {
        let path = "feeds/2024-03-04/sdn.csv";
        let (given, stated) = (date("2024-01-01"), date("2024-02-02"));
        assert_eq!(resolve_date(Some(given), Some(stated), path), Some(given));
        assert_eq!(resolve_date(None, Some(stated), path), Some(stated));
        assert_eq!(resolve_date(None, None, path), Some(date("2024-03-04")));
        assert_eq!(resolve_date(None, None, "sdn.csv"), None);
    }

    fn time(text: &str) -> PublicationTime {
        text.parse().expect("a test time")
    }

    #[test]
    fn times_are_found_after_the_paths_date() {
        assert_eq!(
            time_in_path("history/2021-08-20T185052Z_sdn.csv"),
            Some(time("2021-08-20T18:50:52Z"))
        );
        assert_eq!(
            time_in_path("a/2021-08-20T18:50:52Z/sdn.csv"),
            Some(time("2021-08-20T18:50:52Z"))
        );
        for none in [
            "sdn/2021-08-20/sdn.csv",
            "2021-08-20T185052_sdn.csv",
            "2021-08-20T1850Z.csv",
            "2021-08-20T256052Z.csv",
            "2021-08-20T1850521Z.csv",
        ] {
            assert_eq!(time_in_path(none), None, "{none}");
        }
    }

    #[test]
    fn a_time_is_added_only_on_the_publication_date() {
        let stated = Some(date("2026-02-27"));
        // The file's own UTC timestamp.
        assert_eq!(
            publication_time(None, (stated, Some("2026-02-27T00:00:09.554Z")), "un.xml").unwrap(),
            time("2026-02-27T00:00:09Z")
        );
        // A timestamp that is another day in UTC: the date alone.
        assert_eq!(
            publication_time(
                None,
                (
                    Some(date("2020-11-23")),
                    Some("2020-11-23T19:10:17.6-05:00")
                ),
                "un.xml"
            )
            .unwrap(),
            time("2020-11-23")
        );
        // The path's time.
        assert_eq!(
            publication_time(None, (None, None), "h/2021-08-20T013811Z_sdn.csv").unwrap(),
            time("2021-08-20T01:38:11Z")
        );
        // --published with a date: the path's time of another date is not taken.
        assert_eq!(
            publication_time(
                Some(time("2021-08-21")),
                (None, None),
                "h/2021-08-20T013811Z_sdn.csv"
            )
            .unwrap(),
            time("2021-08-21")
        );
        // --published with a time wins.
        assert_eq!(
            publication_time(
                Some(time("2021-08-20T18:50:00Z")),
                (stated, Some("2026-02-27T00:00:09Z")),
                "h/2021-08-20T013811Z_sdn.csv"
            )
            .unwrap(),
            time("2021-08-20T18:50:00Z")
        );
    }

    #[test]
    fn no_date_is_an_error_that_says_how_to_give_one() {
        let error = publication_time(None, (None, None), "sdn.csv").expect_err("no date");
        assert_eq!(
            error.to_string(),
            "sdn.csv: no publication date: the file states none and its path has no YYYY-MM-DD; give --published YYYY-MM-DD"
        );
    }

    #[test]
    fn the_source_keeps_the_files_own_date_text() {
        assert_eq!(source_of(None, None, "a/sdn.csv"), "a/sdn.csv");
        assert_eq!(
            source_of(Some("85 FR 1".into()), Some("04/06/2018"), "a.xml"),
            "85 FR 1 (dated \"04/06/2018\" in the file)"
        );
    }
}
