//! Every date form the publishers write, each read by one named function.
//!
//! | Form | Function | Written by |
//! |---|---|---|
//! | `YYYY-MM-DD` | [`iso`] | native, CSL, plain CSV, FtM, UN `LISTED_ON` |
//! | `YYYY-MM-DD` + `T…`/` …` time | [`timestamp`] | UN `dateGenerated` |
//! | timestamp, or `DD/MM/YYYY` | [`eu`] | EU FSF |
//! | `D/M/YYYY` | [`day_month_year`] | UK designation dates |
//! | `D/M/YYYY`, `YYYY-MM-DD`, `DD-Mon-YYYY`, `D Month YYYY`, `D Mon YYYY` (+ time) | [`uk_file`] | UK report dates |
//! | `M/D/YYYY` | [`month_day_year`] | BIS Denied Persons List |
//! | `MM/DD/YYYY` as chrono reads `%m/%d/%Y` | [`ofac_publish_date`] | OFAC `Publish_Date` |
//! | `M/D/YY` or `M/D/YYYY` | [`month_day_short_year`] | Federal Register citations in the eCFR |
//! | `Dec. 29, 2022` (or an ISO prefix) | [`month_name`] | eCFR `AMDDATE` |
//! | `YYYYMMDD` | [`compact`] | OpenSanctions version ids |
//!
//! Forms that look alike are kept apart where their readers disagree, so that each format reads
//! exactly what it read before: [`month_day_year`] wants a four-character year and no space
//! inside, where [`ofac_publish_date`] (chrono's `%m/%d/%Y`) also takes `03/04/24` as year 24
//! and spaces after a `/`; [`eu`]'s `DD/MM/YYYY` wants two-digit day and month, where
//! [`day_month_year`] takes one or two and spaces around each part.

use chrono::NaiveDate;

/// `YYYY-MM-DD` exactly (after trimming), year 0001 to 9999.
pub(crate) fn iso(text: &str) -> Option<NaiveDate> {
    crate::model::text::parse_date(text)
}

/// The date part of an ISO 8601 timestamp, in the timestamp's own offset
/// (`2020-11-23T19:10:17.6-05:00` → 2020-11-23), or a plain `YYYY-MM-DD` date.
pub(crate) fn timestamp(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let date = iso(text.get(..10)?)?;
    match text.as_bytes().get(10) {
        None | Some(b'T') | Some(b't') | Some(b' ') => Some(date),
        _ => None,
    }
}

/// An EU FSF date: a [`timestamp`], or `DD/MM/YYYY` with two-digit day and month.
pub(crate) fn eu(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if let Some(date) = timestamp(text) {
        return Some(date);
    }
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            2 | 5 => b == b'/',
            _ => b.is_ascii_digit(),
        });
    if !shaped {
        return None;
    }
    NaiveDate::parse_from_str(text, "%d/%m/%Y").ok()
}

/// `D/M/YYYY`: day and month of any number of digits, a four-character year; white space
/// around the whole and around each part is ignored.
pub(crate) fn day_month_year(text: &str) -> Option<NaiveDate> {
    let mut parts = text.trim().split('/');
    let day: u32 = parts.next()?.trim().parse().ok()?;
    let month: u32 = parts.next()?.trim().parse().ok()?;
    let year_text = parts.next()?.trim();
    if parts.next().is_some() || year_text.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(year_text.parse().ok()?, month, day)
}

/// A UK report date: [`day_month_year`] or [`iso`] (either followed by a time after `T` or a
/// space), `DD-Mon-YYYY` (`08-Oct-2026`), `D Month YYYY` or `D Mon YYYY`.
pub(crate) fn uk_file(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let day_part = text
        .split(['T', ' '])
        .next()
        .filter(|d| d.contains('/') || d.len() == 10 && d.as_bytes().get(4) == Some(&b'-'))
        .unwrap_or(text);
    day_month_year(day_part)
        .or_else(|| iso(day_part))
        .or_else(|| NaiveDate::parse_from_str(text, "%d-%b-%Y").ok())
        .or_else(|| NaiveDate::parse_from_str(text, "%d %B %Y").ok())
        .or_else(|| NaiveDate::parse_from_str(text, "%d %b %Y").ok())
}

/// `M/D/YYYY`: month and day of any number of digits, a four-character year, no white space
/// inside (around the whole is ignored).
pub(crate) fn month_day_year(text: &str) -> Option<NaiveDate> {
    let mut parts = text.trim().split('/');
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    let year_text = parts.next()?;
    if parts.next().is_some() || year_text.len() != 4 {
        return None;
    }
    let year: i32 = year_text.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// OFAC's `Publish_Date`, `MM/DD/YYYY`, exactly as chrono reads `%m/%d/%Y` (one- or two-digit
/// month and day, any year chrono accepts).
pub(crate) fn ofac_publish_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%m/%d/%Y").ok()
}

/// `M/D/YY` (years below 50 are 20YY, others 19YY) or `M/D/YYYY`.
pub(crate) fn month_day_short_year(text: &str) -> Option<NaiveDate> {
    let mut parts = text.split('/');
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    let year_text = parts.next()?;
    let year: i32 = year_text.parse().ok()?;
    let year = match year_text.len() {
        2 if year < 50 => 2000 + year,
        2 => 1900 + year,
        4 => year,
        _ => return None,
    };
    NaiveDate::from_ymd_opt(year, month, day)
}

/// A US date with the month's name: `Dec. 29, 2022`, `Sept. 5, 2024`, `March 5, 2025`
/// (trailing text such as `(fm)` ignored), or text starting with `YYYY-MM-DD`.
pub(crate) fn month_name(text: &str) -> Option<NaiveDate> {
    if let Some(date) = text.get(..10).and_then(iso) {
        return Some(date);
    }
    let mut words = text.split([' ', ',', '.']).filter(|w| !w.is_empty());
    let month_word = words.next()?.to_lowercase();
    let month = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .position(|m| month_word.starts_with(m))? as u32
        + 1;
    let day: u32 = words.next()?.parse().ok()?;
    let year_word = words.next()?;
    let year: i32 = year_word.get(..4)?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// `YYYYMMDD`, as chrono reads `%Y%m%d`.
pub(crate) fn compact(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y%m%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn iso_dates() {
        assert_eq!(iso("2024-03-04"), date(2024, 3, 4));
        assert_eq!(iso(" 2024-03-04 "), date(2024, 3, 4));
        for bad in [
            "2024-3-4",
            "0000-01-01",
            "2024-02-30",
            "2024/03/04",
            "2024-03-04T00",
        ] {
            assert_eq!(iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn timestamps_are_read_in_their_own_offset() {
        assert_eq!(timestamp("2020-11-23T19:10:17.6-05:00"), date(2020, 11, 23));
        assert_eq!(timestamp("2026-02-27T00:00:09.554Z"), date(2026, 2, 27));
        assert_eq!(timestamp("2026-02-27 10:00"), date(2026, 2, 27));
        assert_eq!(timestamp("2026-02-27"), date(2026, 2, 27));
        assert_eq!(timestamp("27/02/2026"), None);
        assert_eq!(timestamp("2026-02-27X"), None);
    }

    #[test]
    fn eu_dates() {
        assert_eq!(eu("2025-03-14T18:02:11.101+01:00"), date(2025, 3, 14));
        assert_eq!(eu(" 14/03/2025 "), date(2025, 3, 14));
        assert_eq!(eu("4/3/2025"), None);
        assert_eq!(eu("14-03-2025"), None);
        assert_eq!(eu("31/02/2025"), None);
    }

    #[test]
    fn day_month_year_dates() {
        assert_eq!(day_month_year("02/04/2020"), date(2020, 4, 2));
        assert_eq!(day_month_year(" 2 / 4 / 2020 "), date(2020, 4, 2));
        assert_eq!(day_month_year("02/04/20"), None);
        assert_eq!(day_month_year("02/04/2020/1"), None);
        assert_eq!(day_month_year("2020-04-02"), None);
    }

    #[test]
    fn uk_file_dates() {
        assert_eq!(uk_file("02/04/2020"), date(2020, 4, 2));
        assert_eq!(uk_file("02/04/2020 10:31:00"), date(2020, 4, 2));
        assert_eq!(uk_file("2020-04-02T10:31:00"), date(2020, 4, 2));
        assert_eq!(uk_file("08-Oct-2026"), date(2026, 10, 8));
        assert_eq!(uk_file("8 October 2026"), date(2026, 10, 8));
        assert_eq!(uk_file("8 Oct 2026"), date(2026, 10, 8));
        assert_eq!(uk_file("October 2026"), None);
        assert_eq!(uk_file("08-Sept-2026"), None);
    }

    #[test]
    fn month_day_year_dates() {
        assert_eq!(month_day_year("01/02/2020"), date(2020, 1, 2));
        assert_eq!(month_day_year(" 1/2/2020 "), date(2020, 1, 2));
        assert_eq!(month_day_year("01/02/20"), None);
        assert_eq!(month_day_year("01/ 02/2020"), None);
        assert_eq!(month_day_year("13/02/2020"), None);
    }

    #[test]
    fn ofac_publish_dates_as_chrono_reads_them() {
        assert_eq!(ofac_publish_date("03/04/2024"), date(2024, 3, 4));
        assert_eq!(ofac_publish_date("3/4/2024"), date(2024, 3, 4));
        // Where it differs from month_day_year: chrono's reading is kept for OFAC.
        assert_eq!(ofac_publish_date("03/ 04/2024"), date(2024, 3, 4));
        assert_eq!(ofac_publish_date("03/04/24"), date(24, 3, 4));
        assert_eq!(ofac_publish_date("2024-03-04"), None);
        assert_eq!(ofac_publish_date("03/04/2024 "), None);
    }

    #[test]
    fn month_day_short_year_dates() {
        assert_eq!(month_day_short_year("8/21/19"), date(2019, 8, 21));
        assert_eq!(month_day_short_year("8/21/49"), date(2049, 8, 21));
        assert_eq!(month_day_short_year("8/21/50"), date(1950, 8, 21));
        assert_eq!(month_day_short_year("8/21/2019"), date(2019, 8, 21));
        assert_eq!(month_day_short_year("8/21/219"), None);
        assert_eq!(month_day_short_year("8/21"), None);
    }

    #[test]
    fn month_name_dates() {
        assert_eq!(month_name("Dec. 29, 2022(fm)"), date(2022, 12, 29));
        assert_eq!(month_name("Sept. 5, 2024"), date(2024, 9, 5));
        assert_eq!(month_name("March 5, 2025"), date(2025, 3, 5));
        assert_eq!(month_name("2025-03-05 and more"), date(2025, 3, 5));
        assert_eq!(month_name("Smarch 5, 2025"), None);
        assert_eq!(month_name("Dec. 32, 2022"), None);
    }

    #[test]
    fn compact_dates() {
        assert_eq!(compact("20240527"), date(2024, 5, 27));
        assert_eq!(compact("20241327"), None);
    }
}
