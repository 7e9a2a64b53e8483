//! Where the time comes from: the system clock in the app, a settable clock in tests.

use std::sync::Mutex;

use chrono::{DateTime, Duration, Local, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// The current time, in UTC.
    fn now(&self) -> DateTime<Utc>;
}

/// The computer's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until moved: deterministic tests.
#[derive(Debug)]
pub struct FixedClock {
    now: Mutex<DateTime<Utc>>,
}

impl FixedClock {
    /// A clock showing `now`.
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(now),
        }
    }

    /// Moves the clock to `now`.
    pub fn set(&self, now: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(|e| e.into_inner()) = now;
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The start of a local calendar day, in UTC (see [`midnight_in`]).
pub fn local_midnight(date: NaiveDate) -> Result<DateTime<Utc>, String> {
    midnight_in(&Local, date).ok_or_else(|| format!("{date} has no local midnight"))
}

/// The instant a local time names in `tz`: where clocks went back and it
/// happened twice, the first of the two. (chrono's `earliest()` is not
/// enough: on the `Local` zone it returns the two candidates the wrong way
/// round, chrono issue 1625.)
fn first_instant<Tz: TimeZone>(tz: &Tz, local: &NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Some(a.with_timezone(&Utc).min(b.with_timezone(&Utc))),
        LocalResult::None => None,
    }
}

/// The start of local day `date` in `tz`, in UTC (`docs/METRICS.md`, "Period"):
/// local midnight; where clocks go back over midnight so that 00:00 happens
/// twice (America/Havana, 1 November 2026), the first 00:00; where they go
/// forward over it so that 00:00 never happens, the first moment of the day
/// that exists. `None` only for dates chrono cannot place.
pub fn midnight_in<Tz: TimeZone>(tz: &Tz, date: NaiveDate) -> Option<DateTime<Utc>> {
    let midnight = date.and_hms_opt(0, 0, 0)?;
    if let Some(t) = first_instant(tz, &midnight) {
        return Some(t);
    }
    // Midnight was skipped: the day begins with the clock change, found to
    // the minute (zone changes fall on whole minutes) between a moment surely
    // the day before and one surely within the day.
    let day_of = |minute: i64| {
        DateTime::from_timestamp(minute * 60, 0).map(|t| t.with_timezone(tz).date_naive())
    };
    let noon_before = first_instant(tz, &(midnight - Duration::hours(12)))?;
    let (mut before, mut within) = (
        noon_before.timestamp().div_euclid(60),
        noon_before.timestamp().div_euclid(60) + 36 * 60,
    );
    if day_of(before)? >= date || day_of(within)? < date {
        return None;
    }
    while within - before > 1 {
        let mid = before + (within - before) / 2;
        if day_of(mid)? >= date {
            within = mid;
        } else {
            before = mid;
        }
    }
    DateTime::from_timestamp(within * 60, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    #[test]
    fn a_plain_midnight_is_midnight() {
        let tz = FixedOffset::east_opt(3600).unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        assert_eq!(
            midnight_in(&tz, day).unwrap().to_rfc3339(),
            "2026-11-23T23:00:00+00:00"
        );
    }

    /// Havana's clocks go back from 01:00 to 00:00 on 1 November 2026: the
    /// day starts at the first 00:00 (04:00 UTC), not the second (05:00 UTC).
    #[test]
    fn a_repeated_midnight_starts_the_day_at_the_first() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        assert_eq!(
            midnight_in(&chrono_tz::America::Havana, day)
                .unwrap()
                .to_rfc3339(),
            "2026-11-01T04:00:00+00:00"
        );
        // The day before is 24 hours long, not 25.
        let before = midnight_in(&chrono_tz::America::Havana, day.pred_opt().unwrap()).unwrap();
        assert_eq!(before.to_rfc3339(), "2026-10-31T04:00:00+00:00");
    }

    /// Santiago's clocks go forward from 00:00 to 01:00 on 6 September 2026:
    /// the day starts at 01:00 (04:00 UTC), the first moment that exists.
    #[test]
    fn a_skipped_midnight_starts_the_day_when_the_clocks_change() {
        let day = NaiveDate::from_ymd_opt(2026, 9, 6).unwrap();
        let start = midnight_in(&chrono_tz::America::Santiago, day).unwrap();
        assert_eq!(start.to_rfc3339(), "2026-09-06T04:00:00+00:00");
        assert_eq!(
            start
                .with_timezone(&chrono_tz::America::Santiago)
                .format("%H:%M")
                .to_string(),
            "01:00"
        );
        // The next day starts at its own midnight, 23 hours later.
        let next = midnight_in(&chrono_tz::America::Santiago, day.succ_opt().unwrap()).unwrap();
        assert_eq!(next.to_rfc3339(), "2026-09-07T03:00:00+00:00");
    }
}
