//! Local times as exports write them, with their offset from UTC
//! ("2026-11-03 14:05:00-05:00": the hour repeated when clocks go back is
//! told apart by it, `docs/METRICS.md`, "Period"), fast enough for millions
//! of cells: no allocation per time, the zone asked once per quarter hour of
//! UTC time (every offset change in the time-zone database falls on a quarter
//! hour), and the calendar date worked out by arithmetic.

use std::collections::HashMap;

use chrono::{DateTime, Offset, TimeZone};

/// Milliseconds in a quarter hour and in a day.
const QUARTER_MS: i64 = 900_000;
const DAY_MS: i64 = 86_400_000;

/// Formats stored times (ms since the epoch, UTC) as local times in one zone.
pub struct LocalTimes<'a, Tz: TimeZone> {
    tz: &'a Tz,
    /// Quarter hour (UTC) → the zone's offset in it, in ms, and as text.
    offsets: HashMap<i64, (i64, [u8; 6])>,
    /// The last local day written and its "YYYY-MM-DD " text.
    day: i64,
    day_text: [u8; 11],
}

impl<'a, Tz: TimeZone> LocalTimes<'a, Tz> {
    /// Times in `tz`.
    pub fn new(tz: &'a Tz) -> Self {
        LocalTimes {
            tz,
            offsets: HashMap::new(),
            day: i64::MIN,
            day_text: [0; 11],
        }
    }

    /// The zone's offset at `ms`: in ms, and as "+01:00".
    fn offset(&mut self, ms: i64) -> (i64, [u8; 6]) {
        let quarter = ms.div_euclid(QUARTER_MS);
        let tz = self.tz;
        *self.offsets.entry(quarter).or_insert_with(|| {
            let seconds = DateTime::from_timestamp_millis(quarter * QUARTER_MS).map_or(0, |t| {
                tz.offset_from_utc_datetime(&t.naive_utc())
                    .fix()
                    .local_minus_utc()
            });
            let mut text = [0u8; 6];
            text[0] = if seconds < 0 { b'-' } else { b'+' };
            // Offsets of whole seconds (some before 1900) are written to the minute.
            let minutes = seconds.unsigned_abs() / 60;
            put_digits(&mut text[1..3], minutes / 60);
            text[3] = b':';
            put_digits(&mut text[4..6], minutes % 60);
            (i64::from(seconds) * 1000, text)
        })
    }

    /// Appends "2026-11-03 14:05:00+01:00" for `ms` to `out`.
    pub fn push(&mut self, out: &mut String, ms: i64) {
        let (offset_ms, offset_text) = self.offset(ms);
        let local = ms + offset_ms;
        let day = local.div_euclid(DAY_MS);
        if day != self.day {
            self.day = day;
            let (y, m, d) = civil_from_days(day);
            let mut text = [b'0'; 11];
            // Years outside 0..=9999 do not occur in stored times; clamp rather than overflow.
            let y = y.clamp(0, 9999) as u32;
            put_digits(&mut text[0..4], y);
            text[4] = b'-';
            put_digits(&mut text[5..7], m);
            text[7] = b'-';
            put_digits(&mut text[8..10], d);
            text[10] = b' ';
            self.day_text = text;
        }
        let secs = (local.rem_euclid(DAY_MS) / 1000) as u32;
        let mut clock = [0u8; 8];
        put_digits(&mut clock[0..2], secs / 3600);
        clock[2] = b':';
        put_digits(&mut clock[3..5], secs / 60 % 60);
        clock[5] = b':';
        put_digits(&mut clock[6..8], secs % 60);
        // Both arrays hold ASCII digits and separators only.
        out.push_str(std::str::from_utf8(&self.day_text).unwrap_or_default());
        out.push_str(std::str::from_utf8(&clock).unwrap_or_default());
        out.push_str(std::str::from_utf8(&offset_text).unwrap_or_default());
    }

    /// "2026-11-03 14:05:00+01:00" for a stored time.
    pub fn format(&mut self, ms: i64) -> String {
        let mut out = String::with_capacity(25);
        self.push(&mut out, ms);
        out
    }

    /// As [`Self::format`], or "" for none.
    pub fn opt(&mut self, ms: Option<i64>) -> String {
        ms.map(|ms| self.format(ms)).unwrap_or_default()
    }
}

/// Writes `value` as zero-padded decimal digits filling `out`.
fn put_digits(out: &mut [u8], mut value: u32) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// The proleptic Gregorian (year, month, day) of a day counted from 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, NaiveDate, TimeZone, Utc};

    #[test]
    fn civil_dates_match_chrono_across_centuries_and_leap_days() {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        for days in (-800_000..800_000).step_by(997).chain(10_950..11_100) {
            let date = epoch + chrono::Duration::days(days);
            let (y, m, d) = civil_from_days(days);
            assert_eq!(
                (y, m, d),
                (
                    i64::from(chrono::Datelike::year(&date)),
                    chrono::Datelike::month(&date),
                    chrono::Datelike::day(&date)
                ),
                "day {days}"
            );
        }
    }

    #[test]
    fn times_read_as_chrono_formats_them_in_the_zone() {
        let tz = FixedOffset::west_opt(5 * 3600 + 1800).unwrap();
        let mut times = LocalTimes::new(&tz);
        for ms in [
            0,
            -1,
            951_782_400_000, // 2000-02-29 00:00 UTC
            1_764_000_000_123,
            4_102_444_799_999,
        ] {
            let expected = DateTime::<Utc>::from_timestamp_millis(ms)
                .unwrap()
                .with_timezone(&tz)
                .format("%Y-%m-%d %H:%M:%S%:z")
                .to_string();
            assert_eq!(times.format(ms), expected, "{ms}");
        }
    }

    /// Havana's clocks go back from 01:00 to 00:00 on 1 November 2026: the
    /// two 00:30s are told apart by their offsets.
    #[test]
    fn the_repeated_hour_reads_with_its_offset() {
        let mut times = LocalTimes::new(&chrono_tz::America::Havana);
        let first = Utc.with_ymd_and_hms(2026, 11, 1, 4, 30, 0).unwrap();
        let second = Utc.with_ymd_and_hms(2026, 11, 1, 5, 30, 0).unwrap();
        assert_eq!(
            times.format(first.timestamp_millis()),
            "2026-11-01 00:30:00-04:00"
        );
        assert_eq!(
            times.format(second.timestamp_millis()),
            "2026-11-01 00:30:00-05:00"
        );
        let india = FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
        assert_eq!(
            LocalTimes::new(&india).format(second.timestamp_millis()),
            "2026-11-01 11:00:00+05:30"
        );
    }
}
