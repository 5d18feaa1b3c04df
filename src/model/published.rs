//! When a publication was published: a date, or a date and a UTC time of day when one is known.
//!
//! A publication time sorts by date, then time, a date alone before any time on that day: of
//! two publications of one day, one with no time comes first. Times are UTC and kept to the
//! second. The text form is the date (`2024-12-11`), or the date and time in RFC 3339 with `Z`
//! (`2021-08-20T18:50:52Z`); it is how events, JSON output and `--published` write it.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveTime, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A publication time: a date, or a date and a UTC time of day (to the second).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PublicationTime {
    /// The publication date: the day the list took this form.
    pub date: NaiveDate,
    /// The UTC time of day on `date`, when known; `None` sorts before every time.
    pub time: Option<NaiveTime>,
}

/// Why a text is not a publication time.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PublicationTimeError {
    /// Neither a date nor a date and time.
    #[error(
        "\"{}\" is not a publication time: expected YYYY-MM-DD, a date (2024-12-11), or YYYY-MM-DDTHH:MM:SSZ, a UTC time (2021-08-20T18:50:00Z)",
        super::text::quote_bounded(.0)
    )]
    Malformed(String),
    /// A time with an offset other than UTC.
    #[error(
        "\"{}\" is not in UTC: write the publication time in UTC with Z (2021-08-20T18:50:00Z), so that its date is the publication date",
        super::text::quote_bounded(.0)
    )]
    NotUtc(String),
}

impl PublicationTime {
    /// A date with no time.
    pub fn date(date: NaiveDate) -> PublicationTime {
        PublicationTime { date, time: None }
    }

    /// A date and a UTC time of day, kept to the second.
    pub fn at(date: NaiveDate, time: NaiveTime) -> PublicationTime {
        PublicationTime {
            date,
            time: Some(to_second(time)),
        }
    }

    /// The publication time of a moment (UTC), kept to the second.
    pub fn of_moment(moment: DateTime<Utc>) -> PublicationTime {
        PublicationTime::at(moment.date_naive(), moment.time())
    }

    /// Reads `2024-12-11` or `2021-08-20T18:50:00Z` (RFC 3339 in UTC: `Z` or `+00:00`;
    /// fractions of a second are dropped). A time with another offset is refused, since it
    /// would be unclear whether its date or its UTC date is meant.
    pub fn parse(text: &str) -> Result<PublicationTime, PublicationTimeError> {
        let trimmed = text.trim();
        if let Some(date) = super::text::parse_date(trimmed) {
            return Ok(PublicationTime::date(date));
        }
        let moment = DateTime::parse_from_rfc3339(trimmed)
            .map_err(|_| PublicationTimeError::Malformed(text.to_string()))?;
        if moment.offset().local_minus_utc() != 0 {
            return Err(PublicationTimeError::NotUtc(text.to_string()));
        }
        let utc = moment.with_timezone(&Utc);
        if super::text::parse_date(&utc.date_naive().to_string()).is_none() {
            return Err(PublicationTimeError::Malformed(text.to_string()));
        }
        Ok(PublicationTime::of_moment(utc))
    }

    /// The UTC time stated by a timestamp such as `2026-02-27T00:00:09.554Z` or
    /// `2025-01-02T10:00:00.000+01:00`, when it falls on `date` in UTC: how a time a file
    /// states is added to a publication date read from it. A timestamp without an offset
    /// (not known to be UTC), or whose UTC date is another day, gives `None`: the date alone.
    pub fn stated_on(date: NaiveDate, timestamp: &str) -> Option<PublicationTime> {
        let text = timestamp.trim();
        let moment = DateTime::parse_from_rfc3339(text)
            .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%:z"))
            .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%:z"))
            .ok()?
            .with_timezone(&Utc);
        (moment.date_naive() == date).then(|| PublicationTime::of_moment(moment))
    }

    /// The moment this publication time stands for: its time, or the start of its date (UTC).
    pub fn start(self) -> DateTime<Utc> {
        self.date
            .and_time(self.time.unwrap_or(NaiveTime::MIN))
            .and_utc()
    }
}

/// A time of day without its fraction of a second.
fn to_second(time: NaiveTime) -> NaiveTime {
    time.with_nanosecond(0).unwrap_or(time)
}

impl From<NaiveDate> for PublicationTime {
    fn from(date: NaiveDate) -> PublicationTime {
        PublicationTime::date(date)
    }
}

impl fmt::Display for PublicationTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.time {
            None => write!(f, "{}", self.date),
            Some(time) => write!(f, "{}T{}Z", self.date, time.format("%H:%M:%S")),
        }
    }
}

impl std::str::FromStr for PublicationTime {
    type Err = PublicationTimeError;

    fn from_str(text: &str) -> Result<PublicationTime, PublicationTimeError> {
        PublicationTime::parse(text)
    }
}

impl Serialize for PublicationTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PublicationTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        PublicationTime::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_date_sorts_before_any_time_of_its_day() {
        let day = PublicationTime::date(date("2021-08-20"));
        let early = PublicationTime::parse("2021-08-20T01:38:11Z").unwrap();
        let late = PublicationTime::parse("2021-08-20T18:50:52Z").unwrap();
        let next = PublicationTime::date(date("2021-08-21"));
        assert!(day < early && early < late && late < next);
    }

    #[test]
    fn the_text_form_reads_back() {
        for text in ["2024-12-11", "2021-08-20T18:50:52Z", "2021-08-20T00:00:00Z"] {
            let time = PublicationTime::parse(text).unwrap();
            assert_eq!(time.to_string(), text);
            let json = serde_json::to_string(&time).unwrap();
            assert_eq!(json, format!("\"{text}\""));
            assert_eq!(
                serde_json::from_str::<PublicationTime>(&json).unwrap(),
                time
            );
        }
        // Fractions are dropped; +00:00 is UTC.
        assert_eq!(
            PublicationTime::parse("2021-08-20T18:50:52.9+00:00")
                .unwrap()
                .to_string(),
            "2021-08-20T18:50:52Z"
        );
    }

    #[test]
    fn other_offsets_and_other_shapes_are_refused() {
        assert!(matches!(
            PublicationTime::parse("2021-08-20T18:50:00+02:00"),
            Err(PublicationTimeError::NotUtc(_))
        ));
        for bad in ["2021-08-20 18:50", "20/08/2021", "2021-08-20T25:00:00Z", ""] {
            assert!(
                matches!(
                    PublicationTime::parse(bad),
                    Err(PublicationTimeError::Malformed(_))
                ),
                "{bad}"
            );
        }
        let message = PublicationTime::parse("2021-08-20T18:50:00-05:00")
            .unwrap_err()
            .to_string();
        assert!(message.contains("in UTC"), "{message}");
    }

    #[test]
    fn a_stated_time_counts_only_on_its_own_utc_date() {
        let day = date("2026-02-27");
        assert_eq!(
            PublicationTime::stated_on(day, "2026-02-27T00:00:09.554Z")
                .unwrap()
                .to_string(),
            "2026-02-27T00:00:09Z"
        );
        // 10:00 at +01:00 is 09:00 UTC, the same day.
        assert_eq!(
            PublicationTime::stated_on(date("2025-01-02"), "2025-01-02T10:00:00.000+01:00")
                .unwrap()
                .to_string(),
            "2025-01-02T09:00:00Z"
        );
        // 19:10 at -05:00 is the next day in UTC: the date stays, with no time.
        assert_eq!(
            PublicationTime::stated_on(date("2020-11-23"), "2020-11-23T19:10:17.6-05:00"),
            None
        );
        // No offset, or no time: not known to be UTC.
        assert_eq!(
            PublicationTime::stated_on(date("2020-11-23"), "2020-11-23T19:10:17"),
            None
        );
        assert_eq!(
            PublicationTime::stated_on(date("2018-04-06"), "04/06/2018"),
            None
        );
    }
}
