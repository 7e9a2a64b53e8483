//! Periods: half-open intervals `[start, end)` of local calendar days (see `docs/METRICS.md`).

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, TimeZone, Utc};

use crate::clock::midnight_in;

/// The periods a person can pick.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum PeriodChoice {
    /// Local midnight today → now.
    Today,
    /// Local midnight six days ago → now (seven calendar days, today included).
    Last7d,
    /// Local midnight 29 days ago → now (thirty calendar days, today included).
    #[default]
    Last30d,
    /// The 1st of this month, 00:00 → now.
    ThisMonth,
    /// The 1st of last month, 00:00 → the 1st of this month, 00:00.
    LastMonth,
    /// Any two local dates, both days included.
    Custom {
        /// First day.
        from: NaiveDate,
        /// Last day.
        to: NaiveDate,
    },
    /// The last 365 calendar days, today included (the command line's `last-365d`).
    Last365d,
}

impl PeriodChoice {
    /// The choices offered as buttons, in order.
    pub const PRESETS: [PeriodChoice; 5] = [
        PeriodChoice::Today,
        PeriodChoice::Last7d,
        PeriodChoice::Last30d,
        PeriodChoice::ThisMonth,
        PeriodChoice::LastMonth,
    ];

    /// The short name shown on buttons and chips.
    pub fn label(self) -> String {
        match self {
            PeriodChoice::Today => "Today".to_owned(),
            PeriodChoice::Last7d => "Last 7d".to_owned(),
            PeriodChoice::Last30d => "Last 30d".to_owned(),
            PeriodChoice::ThisMonth => "This Month".to_owned(),
            PeriodChoice::LastMonth => "Last Month".to_owned(),
            PeriodChoice::Last365d => "Last 365d".to_owned(),
            PeriodChoice::Custom { from, to } => span(from, to),
        }
    }

    /// Reads a period as typed on the command line (`today`, `last-7d`, `last-30d`,
    /// `this-month`, `last-month`, `last-365d`).
    pub fn parse(text: &str) -> Option<PeriodChoice> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace(['_', ' '], "-")
            .as_str()
        {
            "today" => Some(PeriodChoice::Today),
            "last-7d" | "7d" => Some(PeriodChoice::Last7d),
            "last-30d" | "30d" => Some(PeriodChoice::Last30d),
            "this-month" => Some(PeriodChoice::ThisMonth),
            "last-month" => Some(PeriodChoice::LastMonth),
            "last-365d" | "365d" => Some(PeriodChoice::Last365d),
            _ => None,
        }
    }
}

/// One point of the trend chart: a local day, or an hour for Today.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Bucket {
    /// Start, inclusive.
    pub start: DateTime<Utc>,
    /// End, exclusive.
    pub end: DateTime<Utc>,
    /// "3 Nov" or "14:00".
    pub label: String,
    /// "2026-11-03" or "2026-11-24 14:00", for exports.
    pub label_local: String,
}

/// A period pinned to instants: what a report covers.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Period {
    /// What was picked.
    pub choice: PeriodChoice,
    /// Start, inclusive.
    pub start: DateTime<Utc>,
    /// End, exclusive.
    pub end: DateTime<Utc>,
    /// The local start as written in exports ("2026-11-01T00:00:00+01:00").
    pub start_local: String,
    /// The local end as written in exports.
    pub end_local: String,
    /// The trend chart's points: local days, or hours for Today.
    pub buckets: Vec<Bucket>,
    /// Whether the buckets are hours.
    pub hourly: bool,
    /// The period spelled out: "1 Nov – 24 Nov 2026, local time".
    pub description: String,
    /// When the report was asked for: a service-level target counts once
    /// its due moment has passed, even in a period that reaches past now.
    pub as_of: DateTime<Utc>,
}

/// Why a period cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// A custom period that ends before it starts.
    #[error("The period starts on {from} but ends on {to}, before it starts.")]
    Backwards {
        /// First day.
        from: NaiveDate,
        /// Last day.
        to: NaiveDate,
    },
    /// A date outside the calendar chrono knows.
    #[error("{0} is out of range.")]
    OutOfRange(NaiveDate),
}

fn day_label(d: NaiveDate) -> String {
    d.format("%-d %b").to_string()
}

/// The days from `first` to `last` as people write them: "24 Nov 2026",
/// "1 Nov – 24 Nov 2026", "28 Dec 2026 – 3 Jan 2027".
fn span(first: NaiveDate, last: NaiveDate) -> String {
    if first == last {
        full_day(first)
    } else if first.year() == last.year() {
        format!("{} – {}", day_label(first), full_day(last))
    } else {
        format!("{} – {}", full_day(first), full_day(last))
    }
}

fn full_day(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

impl Period {
    /// Pins `choice` to instants, with `now` as the current time and `tz` as the
    /// local time zone (the computer's, `chrono::Local`, in the app).
    pub fn resolve<Tz: TimeZone>(
        choice: PeriodChoice,
        now: DateTime<Utc>,
        tz: &Tz,
    ) -> Result<Period, PeriodError> {
        let today = now.with_timezone(tz).date_naive();
        let first_of_month = today.with_day(1).unwrap_or(today);
        let days_back = |n: u64| {
            today
                .checked_sub_days(chrono::Days::new(n))
                .ok_or(PeriodError::OutOfRange(today))
        };
        // The first local day, and the day after the last (None: up to now).
        let (first, after_last): (NaiveDate, Option<NaiveDate>) = match choice {
            PeriodChoice::Today => (today, None),
            PeriodChoice::Last7d => (days_back(6)?, None),
            PeriodChoice::Last30d => (days_back(29)?, None),
            PeriodChoice::Last365d => (days_back(364)?, None),
            PeriodChoice::ThisMonth => (first_of_month, None),
            PeriodChoice::LastMonth => (
                first_of_month
                    .checked_sub_months(Months::new(1))
                    .ok_or(PeriodError::OutOfRange(today))?,
                Some(first_of_month),
            ),
            PeriodChoice::Custom { from, to } => {
                if to < from {
                    return Err(PeriodError::Backwards { from, to });
                }
                (
                    from,
                    Some(to.succ_opt().ok_or(PeriodError::OutOfRange(to))?),
                )
            }
        };
        let start = midnight_in(tz, first).ok_or(PeriodError::OutOfRange(first))?;
        let end = match after_last {
            Some(day) => midnight_in(tz, day).ok_or(PeriodError::OutOfRange(day))?,
            None => now,
        };
        let last = after_last.and_then(|d| d.pred_opt()).unwrap_or(today);
        let hourly = choice == PeriodChoice::Today;
        let buckets = if hourly {
            hour_buckets(start, end, tz)
        } else {
            day_buckets(first, last, end, tz)
        };
        let description = format!("{}, local time", span(first, last));
        let local = |t: DateTime<Utc>| {
            t.with_timezone(tz)
                .fixed_offset()
                .format("%Y-%m-%dT%H:%M:%S%:z")
                .to_string()
        };
        Ok(Period {
            choice,
            start,
            end,
            start_local: local(start),
            end_local: local(end),
            buckets,
            hourly,
            description,
            as_of: now,
        })
    }

    /// The end of the span in which service-level targets fell due: the
    /// period's end, or when the report was asked for if that is sooner
    /// (ms since the epoch).
    pub fn due_until_millis(&self) -> i64 {
        crate::domain::to_millis(self.end.min(self.as_of))
    }

    /// Start and end in milliseconds since the epoch, as stored.
    pub fn millis(&self) -> (i64, i64) {
        (
            crate::domain::to_millis(self.start),
            crate::domain::to_millis(self.end),
        )
    }
}

/// One bucket per local day from `first` to `last`, the last one ending at `end`.
fn day_buckets<Tz: TimeZone>(
    first: NaiveDate,
    last: NaiveDate,
    end: DateTime<Utc>,
    tz: &Tz,
) -> Vec<Bucket> {
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .filter_map(|day| {
            let start = midnight_in(tz, day)?;
            let next = day.succ_opt().and_then(|d| midnight_in(tz, d))?;
            Some(Bucket {
                start,
                end: next.min(end),
                label: day_label(day),
                label_local: day.format("%Y-%m-%d").to_string(),
            })
        })
        .filter(|b| b.start < b.end)
        .collect()
}

/// One bucket per hour from `start` up to `end` (a day across a clock change
/// has 23 or 25), each named by its local starting time. Where clocks go back
/// and an hour happens twice, every hour names its UTC offset as well, so the
/// two are told apart (`docs/METRICS.md`, "Period").
fn hour_buckets<Tz: TimeZone>(start: DateTime<Utc>, end: DateTime<Utc>, tz: &Tz) -> Vec<Bucket> {
    let mut hours = Vec::new();
    let mut at = start;
    while at < end {
        hours.push(at);
        at += Duration::hours(1);
    }
    let local = |t: &DateTime<Utc>| t.with_timezone(tz).fixed_offset();
    let mut seen = std::collections::HashSet::new();
    let repeated = !hours.iter().all(|t| seen.insert(local(t).naive_local()));
    let (label, label_local) = if repeated {
        ("%H:%M (UTC%:z)", "%Y-%m-%d %H:%M%:z")
    } else {
        ("%H:%M", "%Y-%m-%d %H:%M")
    };
    hours
        .iter()
        .map(|&start| Bucket {
            start,
            end: (start + Duration::hours(1)).min(end),
            label: local(&start).format(label).to_string(),
            label_local: local(&start).format(label_local).to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_custom_period_across_new_year_names_both_years() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let custom = |from, to| PeriodChoice::Custom { from, to }.label();
        assert_eq!(
            custom(day(2026, 12, 28), day(2027, 1, 3)),
            "28 Dec 2026 – 3 Jan 2027"
        );
        assert_eq!(
            custom(day(2026, 11, 1), day(2026, 11, 24)),
            "1 Nov – 24 Nov 2026"
        );
        assert_eq!(custom(day(2026, 11, 24), day(2026, 11, 24)), "24 Nov 2026");
    }

    #[test]
    fn presets_follow_local_midnights() {
        let tz = FixedOffset::east_opt(3600).unwrap();
        let now = at("2026-11-24T13:30:00Z");
        let p = Period::resolve(PeriodChoice::Last30d, now, &tz).unwrap();
        assert_eq!(p.start, at("2026-10-25T23:00:00Z"));
        assert_eq!(p.end, now);
        assert_eq!(p.buckets.len(), 30);
        assert_eq!(p.description, "26 Oct – 24 Nov 2026, local time");
        let p = Period::resolve(PeriodChoice::LastMonth, now, &tz).unwrap();
        assert_eq!(p.start, at("2026-09-30T23:00:00Z"));
        assert_eq!(p.end, at("2026-10-31T23:00:00Z"));
        assert_eq!(p.buckets.len(), 31);
        assert_eq!(p.description, "1 Oct – 31 Oct 2026, local time");
        let p = Period::resolve(PeriodChoice::Today, now, &tz).unwrap();
        assert_eq!(p.buckets.len(), 15);
        assert_eq!(p.buckets[14].label, "14:00");
        assert_eq!(p.buckets[14].end, now);
        let custom = PeriodChoice::Custom {
            from: NaiveDate::from_ymd_opt(2026, 11, 3).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        };
        assert!(Period::resolve(custom, now, &tz).is_err());
    }

    /// Today in Havana on 1 November 2026, whose 00:00 hour happens twice: the
    /// day starts at the first, and every hour names its offset.
    #[test]
    fn today_with_a_repeated_midnight_has_both_hours_named_by_offset() {
        let tz = chrono_tz::America::Havana;
        // 18:30 local (UTC-5).
        let now = at("2026-11-01T23:30:00Z");
        let p = Period::resolve(PeriodChoice::Today, now, &tz).unwrap();
        assert_eq!(p.start, at("2026-11-01T04:00:00Z"));
        assert_eq!(p.buckets.len(), 20);
        let labels: Vec<&str> = p.buckets.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(
            labels[..3],
            [
                "00:00 (UTC-04:00)",
                "00:00 (UTC-05:00)",
                "01:00 (UTC-05:00)"
            ]
        );
        assert_eq!(labels[19], "18:00 (UTC-05:00)");
        assert_eq!(p.buckets[0].label_local, "2026-11-01 00:00-04:00");
        assert_eq!(p.buckets[1].label_local, "2026-11-01 00:00-05:00");
        assert_eq!(p.start_local, "2026-11-01T00:00:00-04:00");
    }

    /// Today in Santiago on 6 September 2026, which has no 00:00: the day
    /// starts at 01:00, and no hour repeats, so the labels are plain.
    #[test]
    fn today_with_a_skipped_midnight_starts_at_one() {
        let tz = chrono_tz::America::Santiago;
        // 10:30 local (UTC-3).
        let now = at("2026-09-06T13:30:00Z");
        let p = Period::resolve(PeriodChoice::Today, now, &tz).unwrap();
        assert_eq!(p.start, at("2026-09-06T04:00:00Z"));
        let labels: Vec<&str> = p.buckets.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels.len(), 10);
        assert_eq!(labels[0], "01:00");
        assert_eq!(labels[9], "10:00");
        assert_eq!(p.buckets[0].label_local, "2026-09-06 01:00");
    }
}
