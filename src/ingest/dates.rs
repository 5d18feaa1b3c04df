//! Publication dates and sources: the date given, else the one the file states, else the last
//! `YYYY-MM-DD` in its path; the citation the file states, else its name.

use chrono::NaiveDate;

use super::IngestError;

/// The publication date when one can be told: `given` (`--published`), else the date the file
/// states, else the last `YYYY-MM-DD` in how the input is shown (its path).
pub fn resolve_date(
    given: Option<NaiveDate>,
    stated: Option<NaiveDate>,
    display: &str,
) -> Option<NaiveDate> {
    given.or(stated).or_else(|| date_in_path(display))
}

/// [`resolve_date`], or an error saying how to give the date.
pub fn publication_date(
    given: Option<NaiveDate>,
    stated: Option<NaiveDate>,
    display: &str,
) -> Result<NaiveDate, IngestError> {
    resolve_date(given, stated, display).ok_or_else(|| IngestError::NoDate {
        input: display.to_string(),
    })
}

/// An event's source: the citation the file states, else how the input is shown; with the
/// file's own date as it writes it beside the parsed one.
pub fn source_of(stated: Option<String>, date_text: Option<&str>, display: &str) -> String {
    let source = stated.unwrap_or_else(|| display.to_string());
    match date_text {
        Some(text) => format!("{source} (dated {text:?} in the file)"),
        None => source,
    }
}

/// The last `YYYY-MM-DD` in `text` that is a real date and is not part of a longer number.
pub fn date_in_path(text: &str) -> Option<NaiveDate> {
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

    #[test]
    fn no_date_is_an_error_that_says_how_to_give_one() {
        let error = publication_date(None, None, "sdn.csv").expect_err("no date");
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
