//! HTTP dates (RFC 9110 §5.6.7, formerly RFC 7231 §7.1.1.1), as servers send them in
//! `Last-Modified`.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// Parses an HTTP date: the preferred IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) and the
/// two obsolete forms RFC 9110 asks recipients to accept, RFC 850 (`Sunday, 06-Nov-94
/// 08:49:37 GMT`, a two-digit year under 70 read as 20xx) and asctime (`Sun Nov  6 08:49:37
/// 1994`). The day name is not checked against the date (servers get it wrong; the date is
/// what counts). `None` for anything else.
pub fn http_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    let (day_name, rest) = text.split_once([',', ' '])?;
    if day_name.is_empty() || !day_name.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let naive = match fields.as_slice() {
        // IMF-fixdate: 06 Nov 1994 08:49:37 GMT
        [day, month, year, time, "GMT"] if text.as_bytes().get(day_name.len()) == Some(&b',') => {
            date_time(year.parse().ok()?, month, day, time)?
        }
        // RFC 850: 06-Nov-94 08:49:37 GMT
        [date, time, "GMT"] if text.as_bytes().get(day_name.len()) == Some(&b',') => {
            let mut parts = date.split('-');
            let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() || year.len() != 2 {
                return None;
            }
            let year: i32 = year.parse().ok()?;
            let year = if year < 70 { 2000 + year } else { 1900 + year };
            date_time(year, month, day, time)?
        }
        // asctime: Nov  6 08:49:37 1994
        [month, day, time, year] => date_time(year.parse().ok()?, month, day, time)?,
        _ => return None,
    };
    Some(naive.and_utc())
}

fn date_time(year: i32, month: &str, day: &str, time: &str) -> Option<NaiveDateTime> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))? as u32 + 1;
    if day.is_empty() || day.len() > 2 || !day.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year, month, day.parse().ok()?)?;
    let mut parts = time.split(':');
    let mut number = || -> Option<u32> {
        let part = parts.next()?;
        (part.len() == 2 && part.chars().all(|c| c.is_ascii_digit()))
            .then(|| part.parse().ok())
            .flatten()
    };
    let (hour, minute, second) = (number()?, number()?, number()?);
    if parts.next().is_some() {
        return None;
    }
    // A leap second (60) is read as the last second of its minute.
    let time = NaiveTime::from_hms_opt(hour, minute, second.min(59))?;
    Some(date.and_time(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> Option<String> {
        http_date(text).map(|t| t.to_rfc3339())
    }

    #[test]
    fn reads_the_three_http_date_forms() {
        let expected = Some("1994-11-06T08:49:37+00:00".to_string());
        assert_eq!(utc("Sun, 06 Nov 1994 08:49:37 GMT"), expected);
        assert_eq!(utc("Sunday, 06-Nov-94 08:49:37 GMT"), expected);
        assert_eq!(utc("Sun Nov  6 08:49:37 1994"), expected);
        assert_eq!(
            utc("Tuesday, 03-Dec-24 10:00:00 GMT"),
            Some("2024-12-03T10:00:00+00:00".into())
        );
        // The day name is not checked against the date.
        assert_eq!(
            utc("Mon, 06 Nov 1994 08:49:37 GMT"),
            expected,
            "a wrong day name"
        );
        assert_eq!(
            utc("  Wed, 31 Dec 2025 23:59:60 GMT "),
            Some("2025-12-31T23:59:59+00:00".into())
        );
    }

    #[test]
    fn refuses_anything_else() {
        for bad in [
            "",
            "GMT",
            "Sun, 06 Nov 1994 08:49:37",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Nov 1994 08:49:37 +0000",
            "Sun, 31 Feb 1994 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 006 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "1994-11-06T08:49:37Z",
            "Sun Nov  6 08:49:37 1994 GMT",
            "Sun, 06 Nov 1994 08:49:37:01 GMT",
        ] {
            assert_eq!(http_date(bad), None, "{bad:?}");
        }
    }
}
