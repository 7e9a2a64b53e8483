//! Service levels: the team's promise of a first reply and a resolution
//! within a time for each priority, counted in calendar time or in the
//! team's business hours, and where each ticket stands against it.
//!
//! Plain arithmetic on moments, no I/O: the store keeps the policy, the
//! ticket's trail gives its moments, and [`evaluate`] says, for each
//! target, when it falls due and whether it was met, is due, is paused or
//! was breached.
//!
//! Business hours are read in the calendar's own time zone (the team's,
//! not the desk's), one working span a day: on a day whose clocks change
//! inside the span, the span is as long as the clocks say (09:00–17:00 on
//! a day that springs forward at 02:00 is still 8 hours; one that changes
//! at 12:00 is 7 or 9). A start or end that does not exist that day (the
//! skipped hour) is moved to the first moment after it that exists; one
//! that happens twice is its first.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
};
use chrono_tz::Tz;

use super::{ActivityKind, Priority, Status, TicketDetail};

/// How a target's time is counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Clocking {
    /// Every minute counts, nights and weekends included.
    #[default]
    Calendar,
    /// Only the team's working hours count (see [`TeamCalendar`]).
    BusinessHours,
}

/// When the team works: the days of the week, the hours of each working
/// day (the same every day), the days off, all in one time zone.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TeamCalendar {
    /// The IANA name of the team's time zone ("Europe/Berlin").
    pub zone: String,
    /// Working days, Monday first.
    pub days: [bool; 7],
    /// A working day's first minute.
    pub start: NaiveTime,
    /// A working day's end (after `start`, the same day).
    pub end: NaiveTime,
    /// Days off, working days or not.
    pub holidays: Vec<NaiveDate>,
}

impl Default for TeamCalendar {
    /// Monday to Friday, 09:00 to 17:00, in UTC, no holidays.
    fn default() -> Self {
        TeamCalendar {
            zone: "UTC".to_owned(),
            days: [true, true, true, true, true, false, false],
            start: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            end: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
            holidays: Vec::new(),
        }
    }
}

/// One priority's targets, in minutes of clocked time; `None`: no promise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Targets {
    /// From creation to the first reply to the customer.
    pub first_reply_minutes: Option<u32>,
    /// From creation to the resolution moment.
    pub resolution_minutes: Option<u32>,
}

/// The team's service-level policy.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SlaPolicy {
    /// Targets by priority, in [`Priority::ALL`]'s order (Low first).
    pub targets: [Targets; 4],
    /// Calendar time or business hours.
    pub clocking: Clocking,
    /// The working hours business-hours targets count.
    pub calendar: TeamCalendar,
    /// Whether time in Waiting (on the customer) stops the resolution
    /// clock. The first reply's clock never stops.
    pub pause_in_waiting: bool,
}

impl Default for SlaPolicy {
    /// No targets: no ticket is promised anything until the team says so.
    fn default() -> Self {
        SlaPolicy {
            targets: [Targets::default(); 4],
            clocking: Clocking::Calendar,
            calendar: TeamCalendar::default(),
            pause_in_waiting: true,
        }
    }
}

/// The longest target accepted: a year.
pub const MAX_TARGET_MINUTES: u32 = 366 * 24 * 60;

/// Why a policy cannot be used, in a sentence.
pub fn check(policy: &SlaPolicy) -> Result<(), String> {
    for (targets, priority) in policy.targets.iter().zip(Priority::ALL) {
        for (minutes, what) in [
            (targets.first_reply_minutes, "first-reply"),
            (targets.resolution_minutes, "resolution"),
        ] {
            if let Some(m) = minutes
                && (m == 0 || m > MAX_TARGET_MINUTES)
            {
                return Err(format!(
                    "The {} {what} target must be between 1 minute and 366 days",
                    priority.label()
                ));
            }
        }
    }
    let calendar = &policy.calendar;
    if calendar.zone.parse::<Tz>().is_err() {
        return Err(format!(
            "“{}” is not a time zone this computer knows (try a name such as Europe/Berlin)",
            calendar.zone
        ));
    }
    if calendar.start >= calendar.end {
        return Err("A working day must end after it starts".to_owned());
    }
    if policy.clocking == Clocking::BusinessHours && !calendar.days.iter().any(|d| *d) {
        return Err("Business hours need at least one working day".to_owned());
    }
    Ok(())
}

/// How far apart two working moments can be before [`Clock::add`] gives
/// up: a calendar whose every day is a holiday has no next working minute.
const MAX_DAYS_AHEAD: i64 = 3 * 366;

/// A policy's way of counting time, ready to count: the calendar's zone
/// parsed once.
pub struct Clock<'a> {
    policy: &'a SlaPolicy,
    zone: Tz,
}

impl<'a> Clock<'a> {
    /// The clock of a policy; `None` when [`check`] refuses it.
    pub fn of(policy: &'a SlaPolicy) -> Option<Clock<'a>> {
        check(policy).ok()?;
        Some(Clock {
            policy,
            zone: policy.calendar.zone.parse().ok()?,
        })
    }

    fn business(&self) -> bool {
        self.policy.clocking == Clocking::BusinessHours
    }

    /// The working span of a day in the calendar's zone, if it works.
    fn span(&self, day: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let calendar = &self.policy.calendar;
        let weekday = day.weekday().num_days_from_monday() as usize;
        if !calendar.days[weekday] || calendar.holidays.contains(&day) {
            return None;
        }
        let start = self.moment(day.and_time(calendar.start))?;
        let end = self.moment(day.and_time(calendar.end))?;
        (start < end).then_some((start, end))
    }

    /// A wall-clock time of the zone as a moment: the first of two, or
    /// the first that exists after a skipped one.
    fn moment(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        let mut at = local;
        // Clock changes skip at most a few hours; step in minutes.
        for _ in 0..(26 * 60) {
            match self.zone.from_local_datetime(&at) {
                LocalResult::Single(t) => return Some(t.with_timezone(&Utc)),
                LocalResult::Ambiguous(first, _) => return Some(first.with_timezone(&Utc)),
                LocalResult::None => at += Duration::minutes(1),
            }
        }
        None
    }

    fn day_of(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.zone).date_naive()
    }

    /// How much counted time lies between `from` and `to` (zero when `to`
    /// is not after `from`).
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        if to <= from {
            return Duration::zero();
        }
        if !self.business() {
            return to - from;
        }
        let mut total = Duration::zero();
        let mut day = self.day_of(from);
        let last = self.day_of(to);
        while day <= last {
            if let Some((start, end)) = self.span(day) {
                let (a, b) = (start.max(from), end.min(to));
                if b > a {
                    total += b - a;
                }
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        total
    }

    /// The moment `length` of counted time after `from`: with business
    /// hours, the working minute it ends on. `None` when no such moment
    /// comes within three years.
    pub fn add(&self, from: DateTime<Utc>, length: Duration) -> Option<DateTime<Utc>> {
        if !self.business() {
            return from.checked_add_signed(length);
        }
        let mut left = length;
        let mut day = self.day_of(from);
        for _ in 0..MAX_DAYS_AHEAD {
            if let Some((start, end)) = self.span(day) {
                let begin = start.max(from);
                if end > begin {
                    let here = end - begin;
                    // A target ends on a working moment: "due at 17:00"
                    // rather than at the next morning's 09:00.
                    if left <= here {
                        return Some(begin + left);
                    }
                    left -= here;
                }
            }
            day = day.succ_opt()?;
        }
        None
    }
}

/// What a ticket's targets are measured from: its moments, as its trail
/// records them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlaTicket {
    /// Its creation.
    pub created: DateTime<Utc>,
    /// Its priority now: a changed priority counts from creation.
    pub priority: Priority,
    /// Its status now.
    pub status: Status,
    /// Its first reply to the customer.
    pub first_reply: Option<DateTime<Utc>>,
    /// Its resolution moment (see docs/METRICS.md), while it is Resolved or
    /// Closed.
    pub resolved: Option<DateTime<Utc>>,
    /// Its times in Waiting, oldest first; the last one open while it
    /// waits now.
    pub waiting: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)>,
}

impl SlaTicket {
    /// A loaded ticket's moments: its times in Waiting from the status
    /// changes of its trail.
    pub fn of(ticket: &TicketDetail) -> SlaTicket {
        let changes: Vec<StatusMove> = ticket
            .activity
            .iter()
            .filter_map(|entry| match entry.kind {
                ActivityKind::StatusChanged { from, to } => Some(StatusMove {
                    at: entry.at,
                    entry: entry.id,
                    from,
                    to,
                }),
                _ => None,
            })
            .collect();
        let resolved_like = matches!(ticket.status, Status::Resolved | Status::Closed);
        SlaTicket {
            created: ticket.created,
            priority: ticket.priority,
            status: ticket.status,
            first_reply: ticket.first_reply,
            resolved: ticket.resolved.filter(|_| resolved_like),
            waiting: waiting_spans(changes),
        }
    }
}

/// One status change of a ticket's trail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusMove {
    /// When.
    pub at: DateTime<Utc>,
    /// Its trail entry's id: changes in the same millisecond go in order.
    pub entry: i64,
    /// Before.
    pub from: Status,
    /// After.
    pub to: Status,
}

/// The times in Waiting that a ticket's status changes (in any order)
/// make, oldest first; the last open while it waits now.
pub fn waiting_spans(mut changes: Vec<StatusMove>) -> Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> {
    changes.sort_by_key(|c| (c.at, c.entry));
    let mut waiting: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> = Vec::new();
    for c in changes {
        if c.to == Status::Waiting && c.from != Status::Waiting {
            waiting.push((c.at, None));
        } else if c.from == Status::Waiting
            && c.to != Status::Waiting
            && let Some(last) = waiting.last_mut()
            && last.1.is_none()
        {
            last.1 = Some(c.at);
        }
    }
    waiting
}

impl SlaPolicy {
    /// Whether it promises anything at all.
    pub fn has_targets(&self) -> bool {
        self.targets
            .iter()
            .any(|t| t.first_reply_minutes.is_some() || t.resolution_minutes.is_some())
    }
}

/// Where one target stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetState {
    /// Done by the due moment.
    Met {
        /// When it fell due.
        due: DateTime<Utc>,
        /// When it was done.
        at: DateTime<Utc>,
    },
    /// Not done yet, and the due moment is still ahead.
    Due {
        /// When it falls due.
        due: DateTime<Utc>,
        /// Counted time left.
        left: Duration,
        /// Under a quarter of the target left.
        at_risk: bool,
    },
    /// The clock stands still while the ticket waits on the customer.
    Paused {
        /// Counted time left when it resumes.
        left: Duration,
    },
    /// The due moment passed first.
    Breached {
        /// When it fell due.
        due: DateTime<Utc>,
        /// When it was done at last (`None`: not yet).
        at: Option<DateTime<Utc>>,
    },
}

impl TargetState {
    /// When the target falls due, where that is known (not while paused).
    pub fn due(&self) -> Option<DateTime<Utc>> {
        match self {
            TargetState::Met { due, .. }
            | TargetState::Due { due, .. }
            | TargetState::Breached { due, .. } => Some(*due),
            TargetState::Paused { .. } => None,
        }
    }

    /// "met 2 h 5 m early", "due in 25 m", "paused, 3 h left", "breached by
    /// 2 h" (or "met 40 m late"), against `now`.
    pub fn describe(&self, now: DateTime<Utc>) -> String {
        match *self {
            TargetState::Met { due, at } => format!("met, {} early", span(due - at)),
            TargetState::Due { left, .. } => format!("due in {}", span(left)),
            TargetState::Paused { left } => format!("paused while waiting, {} left", span(left)),
            TargetState::Breached { due, at: Some(at) } => format!("met {} late", span(at - due)),
            TargetState::Breached { due, at: None } => {
                format!("breached by {}", span(now - due))
            }
        }
    }
}

/// A length as the panel and list say it: "45 m", "2 h 5 m", "3 d 4 h".
pub fn span(length: Duration) -> String {
    let minutes = length.num_minutes().max(0);
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (days, hours, mins) {
        (0, 0, m) => format!("{m} m"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} m"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// A ticket's two targets under a policy; `None` where the policy
/// promises nothing for its priority.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TicketSla {
    /// The first reply's.
    pub first_reply: Option<TargetState>,
    /// The resolution's.
    pub resolution: Option<TargetState>,
}

impl TicketSla {
    /// The next target to fall due that is not yet done: what the list's
    /// Due column shows.
    pub fn next(&self) -> Option<TargetState> {
        [self.first_reply, self.resolution]
            .into_iter()
            .flatten()
            .filter(|t| {
                matches!(
                    t,
                    TargetState::Due { .. } | TargetState::Breached { at: None, .. }
                )
            })
            .min_by_key(|t| t.due())
    }
}

/// A ticket's two clocks under a policy: each target's length and the
/// spans its clock runs in (the first reply's from creation on; the
/// resolution's less the times in Waiting where the policy pauses it).
type Clocks = [Option<(Duration, Vec<(DateTime<Utc>, Option<DateTime<Utc>>)>)>; 2];

fn clocks<'a>(policy: &'a SlaPolicy, ticket: &SlaTicket) -> Option<(Clock<'a>, Clocks)> {
    let clock = Clock::of(policy)?;
    let index = Priority::ALL
        .iter()
        .position(|p| *p == ticket.priority)
        .unwrap_or_default();
    let targets = policy.targets[index];
    let minutes = |m: u32| Duration::minutes(i64::from(m));
    let first = targets
        .first_reply_minutes
        .map(|m| (minutes(m), vec![(ticket.created, None)]));
    let resolution = targets.resolution_minutes.map(|m| {
        let running = if policy.pause_in_waiting {
            running_spans(ticket)
        } else {
            vec![(ticket.created, None)]
        };
        (minutes(m), running)
    });
    Some((clock, [first, resolution]))
}

/// Where each of the ticket's targets stands at `now`. A policy that
/// [`check`] refuses promises nothing.
pub fn evaluate(policy: &SlaPolicy, ticket: &SlaTicket, now: DateTime<Utc>) -> TicketSla {
    let Some((clock, [first, resolution])) = clocks(policy, ticket) else {
        return TicketSla::default();
    };
    let state_of = |target: Option<(Duration, Vec<_>)>, done| {
        target.map(|(length, running)| state(&clock, length, &running, done, now))
    };
    let mut first_reply = state_of(first, ticket.first_reply);
    // Resolved without a reply by the time the first reply was due: no
    // reply was owed, so the target does not apply.
    if ticket.first_reply.is_none()
        && let (Some(resolved), Some(due)) = (ticket.resolved, first_reply.and_then(|s| s.due()))
        && resolved <= due
    {
        first_reply = None;
    }
    TicketSla {
        first_reply,
        resolution: state_of(resolution, ticket.resolved),
    }
}

/// When the ticket's next unmet target falls due, and from when it is at
/// risk (under a quarter of it left): what the list's Due column shows and
/// sorts by. `None` when nothing is due (no targets, all done, or the
/// resolution clock paused with the first reply done).
pub fn next_due(policy: &SlaPolicy, ticket: &SlaTicket) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let (clock, [first, resolution]) = clocks(policy, ticket)?;
    [
        first.filter(|_| ticket.first_reply.is_none()),
        resolution.filter(|_| ticket.resolved.is_none()),
    ]
    .into_iter()
    .flatten()
    .filter_map(|(target, running)| {
        let due = reached(&clock, target, &running)?;
        let risk = reached(&clock, target - target / 4, &running)?;
        Some((due, risk))
    })
    .min()
}

/// The moment the counted time over the clock's `running` spans reaches
/// `target`; `None` if the spans end first (the clock is paused).
fn reached(
    clock: &Clock<'_>,
    target: Duration,
    running: &[(DateTime<Utc>, Option<DateTime<Utc>>)],
) -> Option<DateTime<Utc>> {
    let mut counted = Duration::zero();
    for &(start, end) in running {
        let length = end.map(|e| clock.between(start, e));
        if length.is_none_or(|l| counted + l >= target) {
            return clock.add(start, target - counted);
        }
        counted += length.unwrap_or_default();
    }
    None
}

/// The spans the resolution clock runs in: from creation, less the times
/// in Waiting.
fn running_spans(ticket: &SlaTicket) -> Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> {
    let mut spans = Vec::new();
    let mut from = Some(ticket.created);
    for &(start, end) in &ticket.waiting {
        if let Some(f) = from
            && start > f
        {
            spans.push((f, Some(start)));
        }
        from = end.map(|e| from.map_or(e, |f| f.max(e)));
    }
    if let Some(f) = from {
        spans.push((f, None));
    }
    spans
}

/// A target of `target` counted time over the clock's `running` spans,
/// done at `done` (if it is).
fn state(
    clock: &Clock<'_>,
    target: Duration,
    running: &[(DateTime<Utc>, Option<DateTime<Utc>>)],
    done: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> TargetState {
    let due = reached(clock, target, running);
    match (due, done) {
        (Some(due), Some(at)) if at <= due => TargetState::Met { due, at },
        (Some(due), Some(at)) => TargetState::Breached { due, at: Some(at) },
        (Some(due), None) if now >= due => TargetState::Breached { due, at: None },
        (Some(due), None) => {
            // Not yet due, so the clock runs now: what is left is the
            // target less the counted time up to now.
            let spent: Duration = running
                .iter()
                .filter(|(start, _)| *start < now)
                .map(|&(start, end)| clock.between(start, end.map_or(now, |e| e.min(now))))
                .sum();
            let left = (target - spent).max(Duration::zero());
            TargetState::Due {
                due,
                left,
                at_risk: left * 4 < target,
            }
        }
        // The spans ran out before the target: the ticket waits now.
        (None, _) => TargetState::Paused {
            left: target
                - running
                    .iter()
                    .map(|&(start, end)| end.map_or(Duration::zero(), |e| clock.between(start, e)))
                    .sum::<Duration>(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn business(zone: &str) -> SlaPolicy {
        SlaPolicy {
            clocking: Clocking::BusinessHours,
            calendar: TeamCalendar {
                zone: zone.to_owned(),
                ..TeamCalendar::default()
            },
            ..SlaPolicy::default()
        }
    }

    #[test]
    fn calendar_time_counts_every_minute() {
        let policy = SlaPolicy::default();
        let clock = Clock::of(&policy).unwrap();
        let friday = utc("2026-12-04T16:00:00Z");
        assert_eq!(
            clock.add(friday, Duration::hours(8)),
            Some(utc("2026-12-05T00:00:00Z"))
        );
        assert_eq!(
            clock.between(friday, utc("2026-12-07T16:00:00Z")),
            Duration::hours(72)
        );
    }

    #[test]
    fn business_hours_skip_nights_and_weekends() {
        let policy = business("UTC");
        let clock = Clock::of(&policy).unwrap();
        // Friday 16:00 + 2 h of work: Monday 10:00.
        let friday = utc("2026-12-04T16:00:00Z");
        assert_eq!(
            clock.add(friday, Duration::hours(2)),
            Some(utc("2026-12-07T10:00:00Z"))
        );
        // Ending on the day's last minute stays on that day.
        assert_eq!(
            clock.add(friday, Duration::hours(1)),
            Some(utc("2026-12-04T17:00:00Z"))
        );
        // Saturday night counts from Monday's start.
        let saturday = utc("2026-12-05T22:00:00Z");
        assert_eq!(
            clock.add(saturday, Duration::minutes(30)),
            Some(utc("2026-12-07T09:30:00Z"))
        );
        assert_eq!(
            clock.between(friday, utc("2026-12-07T10:00:00Z")),
            Duration::hours(2)
        );
        assert_eq!(
            clock.between(saturday, utc("2026-12-06T22:00:00Z")),
            Duration::zero()
        );
    }

    #[test]
    fn holidays_are_not_worked() {
        let mut policy = business("UTC");
        policy.calendar.holidays = vec![NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()];
        let clock = Clock::of(&policy).unwrap();
        let friday = utc("2026-12-04T16:00:00Z");
        assert_eq!(
            clock.add(friday, Duration::hours(2)),
            Some(utc("2026-12-08T10:00:00Z"))
        );
        // Every day off: no working minute ever comes.
        policy.calendar.days = [false, false, false, false, false, false, true];
        policy.calendar.holidays = (0..200)
            .map(|w| NaiveDate::from_ymd_opt(2026, 12, 6).unwrap() + Duration::weeks(w))
            .collect();
        let clock = Clock::of(&policy).unwrap();
        assert_eq!(clock.add(friday, Duration::hours(1)), None);
    }

    #[test]
    fn working_hours_follow_the_zones_clock_across_daylight_saving() {
        // Berlin springs forward on Sunday 29 March 2026 and falls back on
        // Sunday 25 October: 09:00 there is 08:00 UTC in winter, 07:00 in
        // summer.
        let policy = business("Europe/Berlin");
        let clock = Clock::of(&policy).unwrap();
        let friday_before = utc("2026-03-27T15:00:00Z"); // 16:00 in Berlin
        // 1 h left on Friday, then Monday 09:00 CEST (07:00 UTC) + 1 h.
        assert_eq!(
            clock.add(friday_before, Duration::hours(2)),
            Some(utc("2026-03-30T08:00:00Z"))
        );
        let friday_autumn = utc("2026-10-23T14:00:00Z"); // 16:00 CEST
        assert_eq!(
            clock.add(friday_autumn, Duration::hours(2)),
            Some(utc("2026-10-26T09:00:00Z"))
        );
        // A week of work is 40 hours whichever side of the change.
        let monday = utc("2026-03-23T00:00:00Z");
        assert_eq!(
            clock.between(monday, monday + Duration::weeks(2)),
            Duration::hours(80)
        );
    }

    #[test]
    fn a_working_day_through_a_clock_change_is_as_long_as_the_clocks_say() {
        // Santiago's clocks go forward at midnight into 6 September 2026
        // (00:00 never happens there that day); a team working 00:00–08:00
        // starts at 01:00, the first moment that exists, and works 7 hours.
        let mut policy = business("America/Santiago");
        policy.calendar.days = [true; 7];
        policy.calendar.start = NaiveTime::from_hms_opt(0, 0, 0).unwrap();
        policy.calendar.end = NaiveTime::from_hms_opt(8, 0, 0).unwrap();
        let clock = Clock::of(&policy).unwrap();
        let day = utc("2026-09-06T04:00:00Z"); // the day's first moment there
        assert_eq!(
            clock.between(day, day + Duration::hours(20)),
            Duration::hours(7)
        );
    }

    fn ticket(created: &str) -> SlaTicket {
        SlaTicket {
            created: utc(created),
            priority: Priority::Urgent,
            status: Status::Open,
            first_reply: None,
            resolved: None,
            waiting: Vec::new(),
        }
    }

    fn urgent(first: u32, resolution: u32) -> SlaPolicy {
        let mut policy = SlaPolicy::default();
        policy.targets[3] = Targets {
            first_reply_minutes: Some(first),
            resolution_minutes: Some(resolution),
        };
        policy
    }

    #[test]
    fn each_target_is_met_due_or_breached() {
        let policy = urgent(60, 8 * 60);
        let mut t = ticket("2026-12-01T10:00:00Z");
        let sla = evaluate(&policy, &t, utc("2026-12-01T10:50:00Z"));
        assert_eq!(
            sla.first_reply,
            Some(TargetState::Due {
                due: utc("2026-12-01T11:00:00Z"),
                left: Duration::minutes(10),
                at_risk: true
            })
        );
        assert_eq!(
            sla.next().and_then(|t| t.due()),
            Some(utc("2026-12-01T11:00:00Z"))
        );
        let late = evaluate(&policy, &t, utc("2026-12-01T13:00:00Z"));
        assert_eq!(
            late.first_reply
                .unwrap()
                .describe(utc("2026-12-01T13:00:00Z")),
            "breached by 2 h"
        );
        t.first_reply = Some(utc("2026-12-01T10:30:00Z"));
        let sla = evaluate(&policy, &t, utc("2026-12-01T13:00:00Z"));
        assert_eq!(
            sla.first_reply
                .unwrap()
                .describe(utc("2026-12-01T13:00:00Z")),
            "met, 30 m early"
        );
        // The next target is now the resolution, 5 hours away, not at risk.
        assert_eq!(
            sla.next(),
            Some(TargetState::Due {
                due: utc("2026-12-01T18:00:00Z"),
                left: Duration::hours(5),
                at_risk: false
            })
        );
        t.resolved = Some(utc("2026-12-01T19:00:00Z"));
        t.status = Status::Resolved;
        let sla = evaluate(&policy, &t, utc("2026-12-02T00:00:00Z"));
        assert_eq!(
            sla.resolution
                .unwrap()
                .describe(utc("2026-12-02T00:00:00Z")),
            "met 1 h late"
        );
        assert_eq!(sla.next(), None, "nothing left to fall due");
    }

    #[test]
    fn waiting_pauses_the_resolution_clock_only() {
        let mut policy = urgent(60, 4 * 60);
        let mut t = ticket("2026-12-01T10:00:00Z");
        // Waiting 11:00–13:00, and again from 14:00.
        t.waiting = vec![
            (
                utc("2026-12-01T11:00:00Z"),
                Some(utc("2026-12-01T13:00:00Z")),
            ),
            (utc("2026-12-01T14:00:00Z"), None),
        ];
        t.status = Status::Waiting;
        let now = utc("2026-12-01T20:00:00Z");
        let sla = evaluate(&policy, &t, now);
        // Two hours ran (10–11, 13–14): two left, paused.
        assert_eq!(
            sla.resolution,
            Some(TargetState::Paused {
                left: Duration::hours(2)
            })
        );
        assert_eq!(
            sla.resolution.unwrap().describe(now),
            "paused while waiting, 2 h left"
        );
        // The first reply does not wait on the customer.
        assert!(matches!(
            sla.first_reply,
            Some(TargetState::Breached { at: None, .. })
        ));
        // Back from waiting at 20:00: due at 22:00.
        t.waiting[1].1 = Some(now);
        t.status = Status::Open;
        let sla = evaluate(&policy, &t, now);
        assert_eq!(
            sla.resolution.and_then(|s| s.due()),
            Some(utc("2026-12-01T22:00:00Z"))
        );
        // Without the pause it was due at 14:00.
        policy.pause_in_waiting = false;
        let sla = evaluate(&policy, &t, now);
        assert_eq!(
            sla.resolution.and_then(|s| s.due()),
            Some(utc("2026-12-01T14:00:00Z"))
        );
    }

    #[test]
    fn a_changed_priority_counts_from_creation() {
        let mut policy = urgent(60, 8 * 60);
        policy.targets[0] = Targets {
            first_reply_minutes: Some(24 * 60),
            resolution_minutes: None,
        };
        let mut t = ticket("2026-12-01T10:00:00Z");
        t.priority = Priority::Low;
        let now = utc("2026-12-01T12:00:00Z");
        let low = evaluate(&policy, &t, now);
        assert_eq!(
            low.first_reply.and_then(|s| s.due()),
            Some(utc("2026-12-02T10:00:00Z"))
        );
        assert_eq!(low.resolution, None, "no resolution promise for Low");
        t.priority = Priority::Urgent;
        let urgent = evaluate(&policy, &t, now);
        assert!(matches!(
            urgent.first_reply,
            Some(TargetState::Breached { at: None, .. })
        ));
    }

    #[test]
    fn a_refused_policy_promises_nothing() {
        let mut policy = urgent(60, 120);
        policy.calendar.zone = "Mars/Olympus".to_owned();
        assert!(check(&policy).unwrap_err().contains("Mars/Olympus"));
        assert_eq!(
            evaluate(
                &policy,
                &ticket("2026-12-01T10:00:00Z"),
                utc("2026-12-02T00:00:00Z")
            ),
            TicketSla::default()
        );
        policy.calendar.zone = "UTC".to_owned();
        policy.targets[1].first_reply_minutes = Some(0);
        assert_eq!(
            check(&policy).unwrap_err(),
            "The Medium first-reply target must be between 1 minute and 366 days"
        );
    }

    #[test]
    fn spans_read_as_people_say_them() {
        assert_eq!(span(Duration::minutes(25)), "25 m");
        assert_eq!(span(Duration::minutes(120)), "2 h");
        assert_eq!(span(Duration::minutes(125)), "2 h 5 m");
        assert_eq!(span(Duration::minutes(3 * 1440 + 250)), "3 d 4 h");
        assert_eq!(span(Duration::minutes(-5)), "0 m");
    }
}
