//! The Analytics window's numbers, checked against `docs/metrics.md` on a
//! hand-built help desk whose every figure is worked out below by hand.
//!
//! The desk lives in New York (America/New_York), whose clocks went back an hour
//! at 02:00 on Sunday 3 November 2024: that local day lasted 25 hours. Local
//! times below are New York's; "Z" times are UTC (EDT = UTC−4 until the change,
//! EST = UTC−5 after it).

use crate::fixtures::{Desk, Engine};
use crate::on_both_engines_with;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::America::New_York;
use chrono_tz::Europe::London;
use chrono_tz::Tz;
use tickets::analytics::{AgentRow, Measure, Period, PeriodChoice, Report, Scope, TOP_TAGS};
use tickets::domain::{
    AgentId, CustomerId, Direction, NewCustomer, NewTicket, Priority, Status, TicketNumber,
};
use tickets::store::{ListRequest, Sort, Store, TicketFilter, TicketPage};

// ---------------------------------------------------------------------------
// Time helpers

/// One hour and one minute, in milliseconds.
const HOUR: f64 = 3_600_000.0;
const MINUTE: f64 = 60_000.0;

/// A wall-clock time in `tz` that happens exactly once.
fn local(tz: &Tz, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    tz.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("an unambiguous local time")
        .with_timezone(&Utc)
}

/// A New York wall-clock time.
fn ny(mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    local(&New_York, 2024, mo, d, h, mi)
}

/// A UTC time in 2024.
fn z(mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, mo, d, h, mi, 0).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn custom(from: NaiveDate, to: NaiveDate) -> PeriodChoice {
    PeriodChoice::Custom { from, to }
}

/// Asserts a duration figure, in milliseconds (to well under a millisecond).
#[track_caller]
fn assert_ms(actual: Option<f64>, expected: f64, what: &str) {
    let actual = actual.unwrap_or_else(|| panic!("{what}: no figure, expected {expected} ms"));
    assert!(
        (actual - expected).abs() < 0.01,
        "{what}: {actual} ms ({} h), expected {expected} ms ({} h)",
        actual / HOUR,
        expected / HOUR
    );
}

// ---------------------------------------------------------------------------
// Reports and the tickets behind their numbers

/// The tickets behind `measure` over `[start, end)`.
fn scope(store: &Store, measure: Measure, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<i64> {
    store
        .scope_tickets(&Scope {
            measure,
            start_ms: start.timestamp_millis(),
            end_ms: end.timestamp_millis(),
            label: String::new(),
        })
        .expect("scope tickets")
}

/// The tickets behind `measure` over a report's period.
fn behind(store: &Store, r: &Report, measure: Measure) -> Vec<i64> {
    scope(store, measure, r.period.start, r.period.end)
}

/// Every number of a report opens exactly as many tickets as it shows, and the
/// charts add up to the cards they break down.
#[track_caller]
fn assert_reconciles(store: &Store, r: &Report) {
    let n = |m: Measure| behind(store, r, m).len() as u64;
    let p = &r.period.description;
    assert_eq!(n(Measure::Created), r.created, "Created card, {p}");
    assert_eq!(n(Measure::Closed), r.closed, "Closed card, {p}");
    assert_eq!(n(Measure::OpenAtEnd), r.open, "Open card, {p}");
    assert_eq!(
        n(Measure::Resolved),
        r.resolution.count,
        "Avg Resolution count, {p}"
    );
    assert_eq!(
        n(Measure::FirstReplied),
        r.first_response.count,
        "Avg First Response count, {p}"
    );
    assert_eq!(n(Measure::Rated), r.csat.ratings, "CSAT ratings, {p}");
    assert_eq!(
        n(Measure::CreatedWithStatus(Status::Closed)),
        r.closed_of_created,
        "Closure Rate numerator, {p}"
    );
    assert_eq!(r.by_status.len(), Status::ALL.len(), "every status listed");
    for (status, count) in &r.by_status {
        assert_eq!(
            n(Measure::CreatedWithStatus(*status)),
            *count,
            "By Status {status:?}, {p}"
        );
    }
    assert_eq!(
        r.by_priority.len(),
        Priority::ALL.len(),
        "every priority listed"
    );
    for (priority, count) in &r.by_priority {
        assert_eq!(
            n(Measure::CreatedWithPriority(*priority)),
            *count,
            "By Priority {priority:?}, {p}"
        );
    }
    assert_eq!(r.by_status.iter().map(|(_, c)| c).sum::<u64>(), r.created);
    assert_eq!(r.by_priority.iter().map(|(_, c)| c).sum::<u64>(), r.created);
    for bar in &r.by_tag {
        let measure = match bar.tag {
            Some(tag) => Measure::CreatedWithTag(tag),
            None => Measure::CreatedWithAnyTag(r.other_tags.clone()),
        };
        assert_eq!(n(measure), bar.tickets, "By Tag {}, {p}", bar.name);
    }
    for row in &r.agents {
        let who = &row.name;
        assert_eq!(
            n(Measure::HandledBy(row.agent)),
            row.handled,
            "{who} handled"
        );
        assert_eq!(
            n(Measure::ResolvedBy(row.agent)),
            row.resolved(),
            "{who} resolved"
        );
        assert_eq!(
            n(Measure::FirstRepliedBy(row.agent)),
            row.first_responses(),
            "{who} first responses"
        );
        assert_eq!(
            n(Measure::RatedResolvedBy(row.agent)),
            row.csat.ratings,
            "{who} CSAT ratings"
        );
    }
    for point in &r.trend {
        let (s, e) = (point.start, point.end);
        assert_eq!(
            scope(store, Measure::Created, s, e).len() as u64,
            point.created,
            "created {}",
            point.label
        );
        assert_eq!(
            scope(store, Measure::Closed, s, e).len() as u64,
            point.closed,
            "closed {}",
            point.label
        );
    }
    assert_eq!(
        r.trend.iter().map(|t| t.created).sum::<u64>(),
        r.created,
        "trend sums to Created"
    );
    assert_eq!(
        r.trend.iter().map(|t| t.closed).sum::<u64>(),
        r.closed,
        "trend sums to Closed"
    );
}

/// The report of `choice` at `now` in `tz`, after checking it reconciles.
fn report_at(store: &Store, choice: PeriodChoice, now: DateTime<Utc>, tz: &Tz) -> Report {
    let period = Period::resolve(choice, now, tz).expect("a valid period");
    let report = store.report(&period).expect("the report");
    assert_reconciles(store, &report);
    report
}

fn row(r: &Report, agent: AgentId) -> &AgentRow {
    r.agents
        .iter()
        .find(|a| a.agent == agent)
        .unwrap_or_else(|| panic!("no row for agent {agent:?}"))
}

fn status_counts(r: &Report) -> Vec<u64> {
    r.by_status.iter().map(|(_, n)| *n).collect()
}

fn priority_counts(r: &Report) -> Vec<u64> {
    r.by_priority.iter().map(|(_, n)| *n).collect()
}

// ---------------------------------------------------------------------------
// Making a help desk's history

/// A desk with five agents whose clock the helpers move before each change.
struct Fixture {
    desk: Desk,
    ava: AgentId,
    ben: AgentId,
    cleo: AgentId,
    dana: AgentId,
    eli: AgentId,
}

impl Fixture {
    /// Dana, Ava, Ben, Cleo and Eli, on `engine` (each their own login on a
    /// server, so each change is the agent's own there too).
    fn new(engine: Engine) -> Fixture {
        let agents = [
            ("Dana", "dana@example.com"),
            ("Ava", "ava@example.com"),
            ("Ben", "ben@example.com"),
            ("Cleo", "cleo@example.com"),
            ("Eli", "eli@example.com"),
        ];
        let desk = Desk::team_on(engine, &agents).expect("a desk on this engine");
        let dana = desk.dana;
        let [ava, ben, cleo, eli] = [1, 2, 3, 4].map(|i| desk.agents[i]);
        Fixture {
            desk,
            ava,
            ben,
            cleo,
            dana,
            eli,
        }
    }

    fn store(&self) -> &Store {
        &self.desk.store
    }

    fn customer(&mut self, name: &str) -> CustomerId {
        self.desk
            .store
            .add_customer(&NewCustomer {
                name: name.to_owned(),
                email: format!("{}@example.org", name.to_lowercase()),
                company: "Acme".to_owned(),
            })
            .expect("add customer")
    }

    /// Raises a ticket at `t` as `who`, tagging it at once.
    #[allow(clippy::too_many_arguments)]
    fn create(
        &mut self,
        t: DateTime<Utc>,
        who: AgentId,
        subject: &str,
        priority: Priority,
        customer: Option<CustomerId>,
        tags: &[&str],
    ) -> TicketNumber {
        self.desk.clock.set(t);
        let new = NewTicket {
            subject: subject.to_owned(),
            description: String::new(),
            priority,
            customer,
        };
        let n = self.desk.act(who).create_ticket(who, &new).expect("create");
        for tag in tags {
            self.desk.act(who).add_tag(who, n, tag).expect("tag");
        }
        n
    }

    fn status(&mut self, t: DateTime<Utc>, who: AgentId, n: TicketNumber, to: Status) {
        self.desk.clock.set(t);
        let v = self.desk.version(n);
        self.desk
            .act(who)
            .set_status(who, n, v, to)
            .expect("set status");
    }

    fn priority(&mut self, t: DateTime<Utc>, who: AgentId, n: TicketNumber, to: Priority) {
        self.desk.clock.set(t);
        let v = self.desk.version(n);
        self.desk
            .act(who)
            .set_priority(who, n, v, to)
            .expect("set priority");
    }

    fn reply(&mut self, t: DateTime<Utc>, who: AgentId, n: TicketNumber) {
        self.desk.clock.set(t);
        self.desk
            .act(who)
            .add_message(who, n, Direction::Outbound, "Thanks, looking into it.")
            .expect("reply");
    }

    fn inbound(&mut self, t: DateTime<Utc>, who: AgentId, n: TicketNumber) {
        self.desk.clock.set(t);
        self.desk
            .act(who)
            .add_message(who, n, Direction::Inbound, "Customer wrote again.")
            .expect("inbound message");
    }

    fn note(&mut self, t: DateTime<Utc>, who: AgentId, n: TicketNumber) {
        self.desk.clock.set(t);
        self.desk
            .act(who)
            .add_note(who, n, "Internal: checked the logs.")
            .expect("note");
    }

    fn csat(&mut self, t: DateTime<Utc>, who: AgentId, n: TicketNumber, rating: u8) {
        self.desk.clock.set(t);
        let v = self.desk.version(n);
        self.desk
            .act(who)
            .set_csat(who, n, v, rating)
            .expect("csat");
    }

    fn tag(&self, name: &str) -> tickets::domain::TagId {
        self.store()
            .tag_named(name)
            .unwrap()
            .expect("tag exists")
            .id
    }
}

/// The November desk. Every change, in the order it happened (local New York
/// time, then UTC). Tickets are numbered in creation order.
///
/// | #  | created (local / Z)          | by   | prio   | tags           | life after creation |
/// |----|------------------------------|------|--------|----------------|---------------------|
/// | 1  | Fri 25 Oct 10:00 / 14:00Z    | Eli  | Medium |                | Eli Resolved 26 Oct 10:00 (14:00Z); Eli deactivated; Ben Closed 2 Nov 10:15 EDT (14:15Z); Ben CSAT 3 at 10:30 EDT (14:30Z) |
/// | 2  | Wed 30 Oct 10:00 / 14:00Z    | Ava  | Medium | billing        | Ava reply 11:00 (15:00Z); Ava In Progress 31 Oct 09:00 (13:00Z); Ben note 4 Nov 10:00 EST (15:00Z); Ava note 9 Nov 11:00 EST (16:00Z) |
/// | 3  | Thu 31 Oct 20:00 / 1 Nov 00:00Z | Dana | Medium |              | Dana reply 1 Nov 08:00 EDT (12:00Z); Dana Waiting 08:05 (12:05Z); Dana Closed 10 Nov 10:00 EST (15:00Z) |
/// | 4  | Fri 1 Nov 09:00 / 13:00Z     | Dana | High   | billing        | Ben reply 10:30 (14:30Z); Ben Resolved 13:00 (17:00Z); Dana CSAT 5 on 2 Nov 09:00 (13:00Z); Ben Closed 9 Nov 10:00 EST (15:00Z) |
/// | 5  | Fri 1 Nov 12:00 / 16:00Z     | Ava  | Medium | billing, login | Ava reply 12:30 (16:30Z); Ava Resolved 18:00 (22:00Z); Ava reopens (Open) 2 Nov 10:00 EDT (14:00Z); Ben Resolved 4 Nov 12:00 EST (17:00Z); Ben Closed 5 Nov 09:00 EST (14:00Z); Ava CSAT 4 at 10:00 (15:00Z) |
/// | 6  | Sat 2 Nov 22:00 EDT / 3 Nov 02:00Z | Cleo | Urgent | outage   | Cleo reply 3 Nov 08:00 EST (13:00Z); Cleo Resolved 3 Nov 22:00 EST (4 Nov 03:00Z); Cleo Closed 3 Nov 23:15 EST (4 Nov 04:15Z); Cleo CSAT 2 on 4 Nov 09:10 EST (14:10Z) |
/// | 7  | Sun 3 Nov 09:00 EST / 14:00Z | Dana | Medium | login          | Dana Closed 11:00 (16:00Z), never replied to |
/// | 8  | Mon 4 Nov 08:00 / 13:00Z     | Ava  | Low    | billing        | Ava In Progress 09:00 (14:00Z); Ava reply 6 Nov 08:00 (13:00Z); Ava Resolved 10 Nov 12:00 (17:00Z) |
/// | 9  | Tue 5 Nov 14:00 / 19:00Z     | Ben  | Medium | feature        | Ben reply 15:00 (20:00Z); Ben Waiting 6 Nov 09:00 (14:00Z); Ben priority Urgent 8 Nov 10:00 (15:00Z) |
/// | 10 | Wed 6 Nov 10:00 / 15:00Z     | Dana | Medium |                | Dana attaches an inbound message 10:05 (15:05Z); Ava internal note 11:00 (16:00Z) |
/// | 11 | Thu 7 Nov 23:30 / 8 Nov 04:30Z | Cleo | Medium | outage       | Ben reply 23:50 (04:50Z) |
/// | 12 | Fri 8 Nov 00:30 / 05:30Z     | Cleo | Medium |                | Cleo reply 01:00 (06:00Z); Cleo Resolved 02:00 (07:00Z) |
fn november(engine: Engine) -> Fixture {
    let mut f = Fixture::new(engine);
    let (ava, ben, cleo, dana, eli) = (f.ava, f.ben, f.cleo, f.dana, f.eli);
    let globex = f.customer("Globex");
    let initech = f.customer("Initech");
    let t = |n: i64| TicketNumber(n);

    // October: before the week.
    assert_eq!(
        f.create(
            ny(10, 25, 10, 0),
            eli,
            "Refund for a double charge",
            Priority::Medium,
            Some(globex),
            &[]
        ),
        t(1)
    );
    f.status(ny(10, 26, 10, 0), eli, t(1), Status::Resolved);
    f.desk.store.set_agent_active(eli, false).unwrap();
    assert_eq!(
        f.create(
            ny(10, 30, 10, 0),
            ava,
            "Invoice address wrong",
            Priority::Medium,
            Some(initech),
            &["billing"]
        ),
        t(2)
    );
    f.reply(ny(10, 30, 11, 0), ava, t(2));
    f.status(ny(10, 31, 9, 0), ava, t(2), Status::InProgress);
    assert_eq!(
        f.create(
            ny(10, 31, 20, 0),
            dana,
            "Export is slow",
            Priority::Medium,
            None,
            &[]
        ),
        t(3)
    );
    assert_eq!(f.store().load_ticket(t(3)).unwrap().created, z(11, 1, 0, 0));

    // Friday 1 November (EDT).
    f.reply(ny(11, 1, 8, 0), dana, t(3));
    f.status(ny(11, 1, 8, 5), dana, t(3), Status::Waiting);
    assert_eq!(
        f.create(
            ny(11, 1, 9, 0),
            dana,
            "Card declined",
            Priority::High,
            Some(globex),
            &["billing"]
        ),
        t(4)
    );
    f.reply(ny(11, 1, 10, 30), ben, t(4));
    assert_eq!(
        f.create(
            ny(11, 1, 12, 0),
            ava,
            "Charged but locked out",
            Priority::Medium,
            Some(initech),
            &["billing", "login"]
        ),
        t(5)
    );
    f.reply(ny(11, 1, 12, 30), ava, t(5));
    f.status(ny(11, 1, 13, 0), ben, t(4), Status::Resolved);
    f.status(ny(11, 1, 18, 0), ava, t(5), Status::Resolved);

    // Saturday 2 November (EDT).
    f.csat(ny(11, 2, 9, 0), dana, t(4), 5);
    f.status(ny(11, 2, 10, 0), ava, t(5), Status::Open); // the customer is still locked out
    f.status(ny(11, 2, 10, 15), ben, t(1), Status::Closed);
    f.csat(ny(11, 2, 10, 30), ben, t(1), 3);
    assert_eq!(
        f.create(
            ny(11, 2, 22, 0),
            cleo,
            "Site down",
            Priority::Urgent,
            None,
            &["outage"]
        ),
        t(6)
    );

    // Sunday 3 November: 25 hours long; EST from 02:00 EDT on.
    f.reply(ny(11, 3, 8, 0), cleo, t(6));
    assert_eq!(
        f.create(
            ny(11, 3, 9, 0),
            dana,
            "Password reset link",
            Priority::Medium,
            Some(globex),
            &["login"]
        ),
        t(7)
    );
    f.status(ny(11, 3, 11, 0), dana, t(7), Status::Closed); // closed without a reply
    f.status(ny(11, 3, 22, 0), cleo, t(6), Status::Resolved);
    f.status(ny(11, 3, 23, 15), cleo, t(6), Status::Closed); // in the 25th hour
    assert_eq!(ny(11, 3, 23, 15), z(11, 4, 4, 15));

    // Monday 4 November (EST).
    assert_eq!(
        f.create(
            ny(11, 4, 8, 0),
            ava,
            "Refund to old card",
            Priority::Low,
            None,
            &["billing"]
        ),
        t(8)
    );
    f.status(ny(11, 4, 9, 0), ava, t(8), Status::InProgress);
    f.csat(ny(11, 4, 9, 10), cleo, t(6), 2);
    f.note(ny(11, 4, 10, 0), ben, t(2));
    f.status(ny(11, 4, 12, 0), ben, t(5), Status::Resolved);

    // Tuesday 5 – Thursday 7 November.
    f.status(ny(11, 5, 9, 0), ben, t(5), Status::Closed);
    f.csat(ny(11, 5, 10, 0), ava, t(5), 4);
    assert_eq!(
        f.create(
            ny(11, 5, 14, 0),
            ben,
            "Dark mode please",
            Priority::Medium,
            None,
            &["feature"]
        ),
        t(9)
    );
    f.reply(ny(11, 5, 15, 0), ben, t(9));
    f.reply(ny(11, 6, 8, 0), ava, t(8));
    f.status(ny(11, 6, 9, 0), ben, t(9), Status::Waiting);
    assert_eq!(
        f.create(
            ny(11, 6, 10, 0),
            dana,
            "Question about plans",
            Priority::Medium,
            Some(initech),
            &[]
        ),
        t(10)
    );
    f.inbound(ny(11, 6, 10, 5), dana, t(10)); // the customer's message: not a reply
    f.note(ny(11, 6, 11, 0), ava, t(10)); // internal: not a reply
    assert_eq!(
        f.create(
            ny(11, 7, 23, 30),
            cleo,
            "Status page stale",
            Priority::Medium,
            None,
            &["outage"]
        ),
        t(11)
    );
    f.reply(ny(11, 7, 23, 50), ben, t(11));

    // After the week.
    assert_eq!(
        f.create(
            ny(11, 8, 0, 30),
            cleo,
            "Late-night alert",
            Priority::Medium,
            None,
            &[]
        ),
        t(12)
    );
    f.reply(ny(11, 8, 1, 0), cleo, t(12));
    f.status(ny(11, 8, 2, 0), cleo, t(12), Status::Resolved);
    f.priority(ny(11, 8, 10, 0), ben, t(9), Priority::Urgent);
    f.status(ny(11, 9, 10, 0), ben, t(4), Status::Closed); // resolved in the week, closed in the next
    f.note(ny(11, 9, 11, 0), ava, t(2));
    f.status(ny(11, 10, 10, 0), dana, t(3), Status::Closed);
    f.status(ny(11, 10, 12, 0), ava, t(8), Status::Resolved);
    f
}

/// The week Friday 1 – Thursday 7 November, as a custom period:
/// [1 Nov 00:00 EDT = 04:00Z, 8 Nov 00:00 EST = 05:00Z), 7 × 24 + 1 = 169 hours.
fn the_week(f: &Fixture) -> Report {
    report_at(
        f.store(),
        custom(day(2024, 11, 1), day(2024, 11, 7)),
        z(12, 1, 12, 0),
        &New_York,
    )
}

// ---------------------------------------------------------------------------
// The week of 1 – 7 November

on_both_engines_with! {
    fn the_week_cards(engine: Engine) {
        let f = november(engine);
        let r = the_week(&f);
        assert_eq!(r.period.start, z(11, 1, 4, 0));
        assert_eq!(r.period.end, z(11, 8, 5, 0));
        assert_eq!(r.period.end - r.period.start, Duration::hours(169));
        assert_eq!(r.period.start_local, "2024-11-01T00:00:00-04:00");
        assert_eq!(r.period.end_local, "2024-11-08T00:00:00-05:00");
        assert_eq!(r.period.description, "1 Nov – 7 Nov 2024, local time");

        // Created: #4 … #11 = 8. Not #3 (31 Oct 20:00 local, though 1 Nov in UTC),
        // not #12 (8 Nov 00:30 local, though 7 Nov's evening would be in a fixed-EDT reading).
        assert_eq!(r.created, 8);

        // Closed: close moments #1 (2 Nov), #7 (3 Nov), #6 (3 Nov 23:15 EST), #5 (5 Nov) = 4.
        // #4 was resolved in the week but closed on 9 Nov: not closed in the week.
        // #3 was closed on 10 Nov.
        assert_eq!(r.closed, 4);

        // Open at the end (8 Nov 05:00Z), whenever created:
        // #2 In Progress, #3 Waiting (Closed only on 10 Nov), #8 In Progress
        // (Resolved only on 10 Nov), #9 Waiting, #10 Open, #11 Open = 6.
        // Read "now" instead and it would be 4.
        assert_eq!(r.open, 6);

        // Avg Resolution, over resolution moments in the week:
        //   #7  3 Nov 14:00Z → 16:00Z                     2 h (Dana; closed from Open)
        //   #4  1 Nov 13:00Z → 17:00Z                     4 h (Ben)
        //   #6  3 Nov 02:00Z → 4 Nov 03:00Z              25 h (Cleo; 24 h on the wall clock)
        //   #5  1 Nov 16:00Z → 4 Nov 17:00Z              73 h (Ben's re-resolution, not Ava's 6 h)
        // Not #1 (resolved in October), #8 (10 Nov), #12 (8 Nov).
        // mean 104 / 4 = 26 h; median (4 + 25) / 2 = 14.5 h;
        // p90: rank 0.9 × 3 = 2.7 → 25 + 0.7 × (73 − 25) = 58.6 h.
        assert_eq!(r.resolution.count, 4);
        assert_eq!(r.resolution.total_ms, (104.0 * HOUR) as i64);
        assert_ms(r.resolution.mean_ms, 26.0 * HOUR, "mean resolution");
        assert_ms(r.resolution.median_ms, 14.5 * HOUR, "median resolution");
        assert_ms(r.resolution.p90_ms, 58.6 * HOUR, "p90 resolution");

        // Avg First Response, over first replies in the week (minutes):
        //   #11 20 (Ben), #5 30 (Ava), #9 60 (Ben), #4 90 (Ben), #6 660 (11 h across
        //   the change; 10 h on the wall clock), #3 720 (created 31 Oct, replied 1 Nov),
        //   #8 2880 (Ava).
        // Not #2 (replied in October), #7 (never replied), #10 (inbound message and
        // an internal note only), #12 (after the week).
        // total 4460; mean 4460 / 7 = 637.14…; median (rank 3) 90;
        // p90: rank 0.9 × 6 = 5.4 → 720 + 0.4 × (2880 − 720) = 1584.
        assert_eq!(r.first_response.count, 7);
        assert_eq!(r.first_response.total_ms, (4460.0 * MINUTE) as i64);
        assert_ms(
            r.first_response.mean_ms,
            4460.0 / 7.0 * MINUTE,
            "mean first response",
        );
        assert_ms(
            r.first_response.median_ms,
            90.0 * MINUTE,
            "median first response",
        );
        assert_ms(
            r.first_response.p90_ms,
            1584.0 * MINUTE,
            "p90 first response",
        );

        // Closure Rate: of #4 … #11, Closed at the end: #5, #6, #7 → 3 / 8.
        // (#4 is Closed now, but was Resolved at the end.)
        assert_eq!(r.closed_of_created, 3);
        assert_eq!(r.closure_rate(), Some(0.375));
    }
}

on_both_engines_with! {
    fn the_week_daily_trend_follows_new_york_midnights(engine: Engine) {
        let f = november(engine);
        let r = the_week(&f);
        let labels: Vec<&str> = r.trend.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "1 Nov", "2 Nov", "3 Nov", "4 Nov", "5 Nov", "6 Nov", "7 Nov"
            ]
        );
        assert!(!r.period.hourly);
        // Each day runs from its local midnight to the next: 04:00Z while on EDT,
        // 05:00Z from 4 Nov on; 3 Nov lasts 25 hours.
        let bounds: Vec<(DateTime<Utc>, DateTime<Utc>)> =
            r.trend.iter().map(|p| (p.start, p.end)).collect();
        assert_eq!(
            bounds,
            [
                (z(11, 1, 4, 0), z(11, 2, 4, 0)),
                (z(11, 2, 4, 0), z(11, 3, 4, 0)),
                (z(11, 3, 4, 0), z(11, 4, 5, 0)),
                (z(11, 4, 5, 0), z(11, 5, 5, 0)),
                (z(11, 5, 5, 0), z(11, 6, 5, 0)),
                (z(11, 6, 5, 0), z(11, 7, 5, 0)),
                (z(11, 7, 5, 0), z(11, 8, 5, 0)),
            ]
        );
        // Created: 1 Nov #4 #5; 2 Nov #6 (22:00 EDT, already 3 Nov in UTC); 3 Nov #7;
        // 4 Nov #8; 5 Nov #9; 6 Nov #10; 7 Nov #11 (23:30 EST, already 8 Nov in UTC).
        let created: Vec<u64> = r.trend.iter().map(|p| p.created).collect();
        assert_eq!(created, [2, 1, 1, 1, 1, 1, 1]);
        // Closed: 2 Nov #1; 3 Nov #7 and #6 (23:15 EST, in the day's 25th hour);
        // 5 Nov #5.
        let closed: Vec<u64> = r.trend.iter().map(|p| p.closed).collect();
        assert_eq!(closed, [0, 1, 2, 0, 1, 0, 0]);
    }
}

on_both_engines_with! {
    fn the_week_status_and_priority_charts_show_the_end_of_the_week_not_now(engine: Engine) {
        let f = november(engine);
        let r = the_week(&f);
        // Created #4 … #11, at 8 Nov 00:00 EST:
        //   Open #10 #11; In Progress #8; Waiting #9; Resolved #4; Closed #5 #6 #7.
        // (Now #4 is Closed and #8 Resolved: that would read [2, 0, 1, 1, 4].)
        assert_eq!(
            Status::ALL.to_vec(),
            r.by_status.iter().map(|(s, _)| *s).collect::<Vec<_>>()
        );
        assert_eq!(status_counts(&r), [2, 1, 1, 1, 3]);
        let s = f.store();
        assert_eq!(f.desk.load(TicketNumber(4)).status, Status::Closed);
        assert_eq!(f.desk.load(TicketNumber(8)).status, Status::Resolved);
        assert_eq!(
            behind(s, &r, Measure::CreatedWithStatus(Status::Open)),
            [10, 11]
        );
        assert_eq!(
            behind(s, &r, Measure::CreatedWithStatus(Status::InProgress)),
            [8]
        );
        assert_eq!(
            behind(s, &r, Measure::CreatedWithStatus(Status::Waiting)),
            [9]
        );
        assert_eq!(
            behind(s, &r, Measure::CreatedWithStatus(Status::Resolved)),
            [4]
        );
        assert_eq!(
            behind(s, &r, Measure::CreatedWithStatus(Status::Closed)),
            [5, 6, 7]
        );

        // Priorities at the end: Low #8; Medium #5 #7 #9 #10 #11 (#9 became Urgent
        // only on 8 Nov 10:00); High #4; Urgent #6.
        assert_eq!(priority_counts(&r), [1, 5, 1, 1]);
        assert_eq!(f.desk.load(TicketNumber(9)).priority, Priority::Urgent);
        assert_eq!(
            behind(s, &r, Measure::CreatedWithPriority(Priority::Low)),
            [8]
        );
        assert_eq!(
            behind(s, &r, Measure::CreatedWithPriority(Priority::Medium)),
            [5, 7, 9, 10, 11]
        );
        assert_eq!(
            behind(s, &r, Measure::CreatedWithPriority(Priority::High)),
            [4]
        );
        assert_eq!(
            behind(s, &r, Measure::CreatedWithPriority(Priority::Urgent)),
            [6]
        );
    }
}

on_both_engines_with! {
    fn the_week_by_tag(engine: Engine) {
        let f = november(engine);
        let r = the_week(&f);
        // billing #4 #5 #8 (not #2, created in October); login #5 #7; outage #6 #11;
        // feature #9. #5 counts for both its tags. Equal counts by name.
        let bars: Vec<(&str, u64)> = r
            .by_tag
            .iter()
            .map(|b| (b.name.as_str(), b.tickets))
            .collect();
        assert_eq!(
            bars,
            [("billing", 3), ("login", 2), ("outage", 2), ("feature", 1)]
        );
        assert!(r.other_tags.is_empty());
        let s = f.store();
        assert_eq!(
            behind(s, &r, Measure::CreatedWithTag(f.tag("billing"))),
            [4, 5, 8]
        );
        assert_eq!(
            behind(s, &r, Measure::CreatedWithTag(f.tag("login"))),
            [5, 7]
        );
        assert_eq!(
            behind(s, &r, Measure::CreatedWithTag(f.tag("outage"))),
            [6, 11]
        );
        assert_eq!(
            behind(s, &r, Measure::CreatedWithTag(f.tag("feature"))),
            [9]
        );
    }
}

on_both_engines_with! {
    fn the_week_per_agent_breakdown_top_agents_and_csat(engine: Engine) {
        let f = november(engine);
        let r = the_week(&f);

        // Handled: distinct tickets with any event of theirs in the week.
        //   Ben  #1 (close, CSAT), #2 (note), #4 (reply, resolve), #5 (resolve, close),
        //        #9 (create…), #11 (reply 23:50 on 7 Nov)                     = 6
        //   Dana #3 (reply, Waiting; created before, closed after), #4 (create, CSAT),
        //        #7, #10                                                        = 4
        //   Ava  #5, #8, #10 (note). Not #2: her events there are on 30–31 Oct
        //        and 9 Nov, none in the week                                    = 3
        //   Cleo #6, #11 (created 23:30 on 7 Nov). Not #12                      = 2
        //   Eli  none; listed, though inactive, for a rating in the week on #1,
        //        which he resolved.
        let order: Vec<(&str, u64)> = r
            .agents
            .iter()
            .map(|a| (a.name.as_str(), a.handled))
            .collect();
        assert_eq!(
            order,
            [("Ben", 6), ("Dana", 4), ("Ava", 3), ("Cleo", 2), ("Eli", 0)]
        );
        let top: Vec<&str> = r.top_agents().map(|a| a.name.as_str()).collect();
        assert_eq!(top, ["Ben", "Dana", "Ava", "Cleo"]);
        assert!(!row(&r, f.eli).active);
        assert!(row(&r, f.ben).active);

        let s = f.store();
        assert_eq!(
            behind(s, &r, Measure::HandledBy(f.ben)),
            [1, 2, 4, 5, 9, 11]
        );
        assert_eq!(behind(s, &r, Measure::HandledBy(f.dana)), [3, 4, 7, 10]);
        assert_eq!(behind(s, &r, Measure::HandledBy(f.ava)), [5, 8, 10]);
        assert_eq!(behind(s, &r, Measure::HandledBy(f.cleo)), [6, 11]);
        assert!(behind(s, &r, Measure::HandledBy(f.eli)).is_empty());

        // Resolved (made the status change of a resolution moment in the week):
        //   Ben #4 (4 h), #5 (73 h): mean = median = 38.5 h. Ava resolved #5 first,
        //   but it was reopened: the latest resolution is Ben's.
        //   Cleo #6 (25 h); Dana #7 (2 h); Ava, Eli none.
        let ben = row(&r, f.ben);
        assert_eq!(ben.resolved(), 2);
        assert_ms(ben.resolution.mean_ms, 38.5 * HOUR, "Ben's mean resolution");
        assert_ms(
            ben.resolution.median_ms,
            38.5 * HOUR,
            "Ben's median resolution",
        );
        let cleo = row(&r, f.cleo);
        assert_eq!(cleo.resolved(), 1);
        assert_ms(
            cleo.resolution.mean_ms,
            25.0 * HOUR,
            "Cleo's mean resolution",
        );
        assert_ms(
            cleo.resolution.median_ms,
            25.0 * HOUR,
            "Cleo's median resolution",
        );
        let dana = row(&r, f.dana);
        assert_eq!(dana.resolved(), 1);
        assert_ms(
            dana.resolution.mean_ms,
            2.0 * HOUR,
            "Dana's mean resolution",
        );
        let ava = row(&r, f.ava);
        assert_eq!(ava.resolved(), 0);
        assert_eq!(ava.resolution.mean_ms, None);
        assert_eq!(ava.resolution.median_ms, None);
        assert_eq!(behind(s, &r, Measure::ResolvedBy(f.ben)), [4, 5]);
        assert!(behind(s, &r, Measure::ResolvedBy(f.ava)).is_empty());

        // First responses (wrote the ticket's first reply, in the week):
        //   Ben #11 20, #9 60, #4 90 min: mean 170 / 3 = 56.67, median 60.
        //   Ava #5 30, #8 2880: mean = median 1455. Dana #3 720. Cleo #6 660.
        assert_eq!(ben.first_responses(), 3);
        assert_ms(
            ben.first_response.mean_ms,
            170.0 / 3.0 * MINUTE,
            "Ben's mean first response",
        );
        assert_ms(
            ben.first_response.median_ms,
            60.0 * MINUTE,
            "Ben's median first response",
        );
        assert_eq!(ava.first_responses(), 2);
        assert_ms(
            ava.first_response.mean_ms,
            1455.0 * MINUTE,
            "Ava's mean first response",
        );
        assert_ms(
            ava.first_response.median_ms,
            1455.0 * MINUTE,
            "Ava's median first response",
        );
        assert_eq!(dana.first_responses(), 1);
        assert_ms(
            dana.first_response.median_ms,
            720.0 * MINUTE,
            "Dana's first response",
        );
        assert_eq!(cleo.first_responses(), 1);
        assert_ms(
            cleo.first_response.mean_ms,
            660.0 * MINUTE,
            "Cleo's first response",
        );
        assert_eq!(behind(s, &r, Measure::FirstRepliedBy(f.ben)), [4, 9, 11]);
        assert_eq!(behind(s, &r, Measure::FirstRepliedBy(f.ava)), [5, 8]);

        // CSAT recorded in the week: #4 5 (Ben resolved), #1 3 (Eli resolved, in
        // October), #6 2 (Cleo), #5 4 (Ben). Team: 2 of 4 are 4 or 5.
        assert_eq!((r.csat.positive, r.csat.ratings), (2, 4));
        assert_eq!(r.csat.score(), Some(0.5));
        assert_eq!((ben.csat.positive, ben.csat.ratings), (2, 2));
        assert_eq!(ben.csat.score(), Some(1.0));
        assert_eq!((cleo.csat.positive, cleo.csat.ratings), (0, 1));
        assert_eq!(cleo.csat.score(), Some(0.0));
        let eli = row(&r, f.eli);
        assert_eq!((eli.handled, eli.resolved(), eli.csat.ratings), (0, 0, 1));
        assert_eq!(ava.csat.ratings, 0);
        assert_eq!(ava.csat.score(), None);
        assert_eq!(dana.csat.ratings, 0);
        assert_eq!(behind(s, &r, Measure::Rated), [1, 4, 5, 6]);
        assert_eq!(behind(s, &r, Measure::RatedResolvedBy(f.ben)), [4, 5]);
        assert_eq!(behind(s, &r, Measure::RatedResolvedBy(f.eli)), [1]);
    }
}

on_both_engines_with! {
    fn the_week_cards_open_exactly_their_tickets(engine: Engine) {
        let f = november(engine);
        let r = the_week(&f);
        let s = f.store();
        assert_eq!(behind(s, &r, Measure::Created), [4, 5, 6, 7, 8, 9, 10, 11]);
        assert_eq!(behind(s, &r, Measure::Closed), [1, 5, 6, 7]);
        assert_eq!(behind(s, &r, Measure::OpenAtEnd), [2, 3, 8, 9, 10, 11]);
        assert_eq!(behind(s, &r, Measure::Resolved), [4, 5, 6, 7]);
        assert_eq!(behind(s, &r, Measure::FirstReplied), [3, 4, 5, 6, 8, 9, 11]);
        // The 25-hour day's bar opens its three tickets.
        let sunday = &r.trend[2];
        assert_eq!(scope(s, Measure::Created, sunday.start, sunday.end), [7]);
        assert_eq!(scope(s, Measure::Closed, sunday.start, sunday.end), [6, 7]);
    }
}

on_both_engines_with! {
    /// A drill-down in the list: the scope's tickets listed, paged, counted per
    /// status and counted again, as the window asks for them one after another.
    fn a_drill_down_lists_pages_and_counts_its_tickets_again_and_again(engine: Engine) {
        let f = november(engine);
        let r = the_week(&f);
        let s = f.store();
        let filter = TicketFilter {
            scope: Some(Scope {
                measure: Measure::OpenAtEnd,
                start_ms: r.period.start.timestamp_millis(),
                end_ms: r.period.end.timestamp_millis(),
                label: "Open backlog".to_owned(),
            }),
            ..TicketFilter::default()
        };
        let page = |offset| ListRequest {
            filter: filter.clone(),
            sort: Sort::default(),
            offset,
            limit: 4,
            anchor: None,
        };
        let numbers = |p: TicketPage| p.rows.iter().map(|t| t.number.0).collect::<Vec<_>>();
        for _ in 0..2 {
            let first = s.list_tickets(&page(0)).expect("the first page");
            assert_eq!(first.total, Some(6));
            let second = s.list_tickets(&page(4)).expect("the second page");
            let mut all = [numbers(first), numbers(second)].concat();
            all.sort();
            assert_eq!(all, [2, 3, 8, 9, 10, 11]);
            let facets = s.facet_counts(&filter).expect("the facet counts");
            assert_eq!(facets.statuses.iter().map(|(_, n)| n).sum::<u64>(), 6);
            assert_eq!(s.count_tickets(&filter).expect("the count"), 6);
        }
    }
}

// ---------------------------------------------------------------------------
// Other periods of the same desk

on_both_engines_with! {
    fn last_month_reports_october_as_it_stood_then(engine: Engine) {
        let f = november(engine);
        // Asked on Friday 8 November at noon: Last Month is October,
        // [1 Oct 00:00 EDT = 04:00Z, 1 Nov 00:00 EDT = 04:00Z).
        let r = report_at(
            f.store(),
            PeriodChoice::LastMonth,
            ny(11, 8, 12, 0),
            &New_York,
        );
        assert_eq!(
            (r.period.start, r.period.end),
            (z(10, 1, 4, 0), z(11, 1, 4, 0))
        );
        assert_eq!(r.period.description, "1 Oct – 31 Oct 2024, local time");
        assert_eq!(r.trend.len(), 31);

        // Created #1, #2, #3 (31 Oct 20:00 local). Closed: none (#1 closed on 2 Nov).
        assert_eq!(r.created, 3);
        assert_eq!(r.closed, 0);
        // At 1 Nov 00:00: #1 Resolved (Closed now), #2 In Progress, #3 Open
        // (Waiting from 1 Nov 08:05, Closed now). Open = #2, #3.
        assert_eq!(r.open, 2);
        assert_eq!(behind(f.store(), &r, Measure::OpenAtEnd), [2, 3]);
        assert_eq!(status_counts(&r), [1, 1, 0, 1, 0]);
        assert_eq!(priority_counts(&r), [0, 3, 0, 0]);
        // Nothing created in October was Closed at its end: 0 %, not "—".
        assert_eq!(r.closure_rate(), Some(0.0));

        // #1: 25 Oct 10:00 → 26 Oct 10:00, 24 h, by Eli. #2's reply: 1 h, by Ava.
        // #3's reply came on 1 Nov: not October's.
        assert_eq!(r.resolution.count, 1);
        assert_ms(r.resolution.median_ms, 24.0 * HOUR, "October's resolution");
        assert_ms(r.resolution.p90_ms, 24.0 * HOUR, "October's p90 resolution");
        assert_eq!(r.first_response.count, 1);
        assert_ms(r.first_response.mean_ms, HOUR, "October's first response");

        let bars: Vec<(&str, u64)> = r
            .by_tag
            .iter()
            .map(|b| (b.name.as_str(), b.tickets))
            .collect();
        assert_eq!(bars, [("billing", 1)]);

        // 25 Oct #1, 30 Oct #2, 31 Oct #3; closed nothing.
        let created: Vec<(&str, u64)> = r
            .trend
            .iter()
            .filter(|p| p.created > 0)
            .map(|p| (p.label.as_str(), p.created))
            .collect();
        assert_eq!(created, [("25 Oct", 1), ("30 Oct", 1), ("31 Oct", 1)]);
        assert_eq!(r.trend[30].end, z(11, 1, 4, 0));

        // Each handled one ticket; Eli (inactive now) is listed for his; Ben
        // and Cleo, with nothing that month, get no row (docs/METRICS.md).
        let order: Vec<(&str, u64)> = r
            .agents
            .iter()
            .map(|a| (a.name.as_str(), a.handled))
            .collect();
        assert_eq!(order, [("Ava", 1), ("Dana", 1), ("Eli", 1)]);
        assert_eq!(row(&r, f.eli).resolved(), 1);
        assert_eq!(r.csat.ratings, 0);
        assert_eq!(r.csat.score(), None);
    }
}

on_both_engines_with! {
    fn today_on_the_autumn_change_has_25_hourly_points(engine: Engine) {
        let f = november(engine);
        // Sunday 3 November at 23:30 EST: [3 Nov 04:00Z, 4 Nov 04:30Z).
        let r = report_at(f.store(), PeriodChoice::Today, ny(11, 3, 23, 30), &New_York);
        assert!(r.period.hourly);
        assert_eq!(r.period.start, z(11, 3, 4, 0));
        assert_eq!(r.period.end, z(11, 4, 4, 30));
        // 00:00, 01:00 EDT, 01:00 EST, 02:00, …, 23:00: 25 points, the last ending
        // now, each naming its offset since one hour repeats.
        assert_eq!(r.trend.len(), 25);
        let labels: Vec<&str> = r.trend.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(
            labels[..4],
            [
                "00:00 (UTC-04:00)",
                "01:00 (UTC-04:00)",
                "01:00 (UTC-05:00)",
                "02:00 (UTC-05:00)"
            ]
        );
        assert_eq!(labels[24], "23:00 (UTC-05:00)");
        assert_eq!(r.trend[1].start, z(11, 3, 5, 0));
        assert_eq!(r.trend[2].start, z(11, 3, 6, 0));
        assert_eq!(
            (r.trend[24].start, r.trend[24].end),
            (z(11, 4, 4, 0), z(11, 4, 4, 30))
        );

        // Created #7 at 09:00; closed #7 at 11:00 and #6 at 23:15. (#6 was created
        // on Saturday evening: not today.)
        let created: Vec<(usize, u64)> = r
            .trend
            .iter()
            .enumerate()
            .filter(|(_, p)| p.created > 0)
            .map(|(i, p)| (i, p.created))
            .collect();
        assert_eq!(created, [(10, 1)]);
        assert_eq!(r.trend[10].label, "09:00 (UTC-05:00)");
        let closed: Vec<(usize, u64)> = r
            .trend
            .iter()
            .enumerate()
            .filter(|(_, p)| p.closed > 0)
            .map(|(i, p)| (i, p.closed))
            .collect();
        assert_eq!(closed, [(12, 1), (24, 1)]);
        assert_eq!(r.trend[12].label, "11:00 (UTC-05:00)");

        assert_eq!((r.created, r.closed), (1, 2));
        // At 23:30: #2 In Progress, #3 Waiting, #5 Open (reopened Saturday, re-resolved Monday).
        assert_eq!(behind(f.store(), &r, Measure::OpenAtEnd), [2, 3, 5]);
        // Resolved today: #6 (25 h) and #7 (2 h): mean 13.5 h. First reply today: #6, 11 h.
        assert_eq!(r.resolution.count, 2);
        assert_ms(r.resolution.mean_ms, 13.5 * HOUR, "today's mean resolution");
        assert_eq!(r.first_response.count, 1);
        assert_ms(
            r.first_response.mean_ms,
            11.0 * HOUR,
            "today's first response",
        );
        assert_eq!(r.closure_rate(), Some(1.0));
        // #6's rating came on Monday.
        assert_eq!(r.csat.ratings, 0);
        let top: Vec<(&str, u64)> = r
            .top_agents()
            .map(|a| (a.name.as_str(), a.handled))
            .collect();
        assert_eq!(top, [("Cleo", 1), ("Dana", 1)]);
    }
}

on_both_engines_with! {
    fn empty_periods_show_zeros_and_no_averages(engine: Engine) {
        let f = november(engine);
        // September: nothing existed yet.
        let r = report_at(
            f.store(),
            custom(day(2024, 9, 1), day(2024, 9, 7)),
            z(12, 1, 0, 0),
            &New_York,
        );
        assert_eq!(
            (r.created, r.closed, r.open, r.closed_of_created),
            (0, 0, 0, 0)
        );
        for d in [&r.resolution, &r.first_response] {
            assert_eq!(d.count, 0);
            assert_eq!(d.total_ms, 0);
            assert_eq!((d.mean_ms, d.median_ms, d.p90_ms), (None, None, None));
        }
        assert_eq!(r.closure_rate(), None);
        assert_eq!(r.trend.len(), 7);
        assert!(r.trend.iter().all(|p| p.created == 0 && p.closed == 0));
        assert_eq!(status_counts(&r), [0; 5]);
        assert_eq!(priority_counts(&r), [0; 4]);
        assert!(r.by_tag.is_empty());
        assert_eq!(r.csat.score(), None);
        assert_eq!(r.top_agents().count(), 0);
        // Agents with nothing in the period get no row, active or not
        // (docs/METRICS.md).
        let names: Vec<&str> = r.agents.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, Vec::<&str>::new());
        for a in &r.agents {
            assert_eq!(
                (a.handled, a.resolved(), a.first_responses(), a.csat.ratings),
                (0, 0, 0, 0)
            );
            assert_eq!(a.resolution.mean_ms, None);
            assert_eq!(a.first_response.median_ms, None);
        }
        let s = f.store();
        assert!(behind(s, &r, Measure::Created).is_empty());
        assert!(behind(s, &r, Measure::OpenAtEnd).is_empty());

        // 20 – 21 November: nothing happened, but the backlog is still there.
        // Closure Rate is "—" (none created), not 0 %.
        let r = report_at(
            s,
            custom(day(2024, 11, 20), day(2024, 11, 21)),
            z(12, 1, 0, 0),
            &New_York,
        );
        assert_eq!((r.created, r.closed), (0, 0));
        assert_eq!(r.closure_rate(), None);
        assert_eq!(r.resolution.mean_ms, None);
        assert_eq!(r.first_response.mean_ms, None);
        // #2 In Progress, #9 Waiting, #10 and #11 Open.
        assert_eq!(r.open, 4);
        assert_eq!(behind(s, &r, Measure::OpenAtEnd), [2, 9, 10, 11]);

        // A brand-new desk, Today.
        let desk = Desk::new();
        let period = Period::resolve(PeriodChoice::Today, ny(11, 3, 23, 30), &New_York).unwrap();
        let r = desk.store.report(&period).unwrap();
        assert_reconciles(&desk.store, &r);
        assert_eq!((r.created, r.closed, r.open), (0, 0, 0));
        assert_eq!(r.closure_rate(), None);
        assert_eq!(r.trend.len(), 25);
        assert!(r.trend.iter().all(|p| p.created == 0 && p.closed == 0));
    }
}

// ---------------------------------------------------------------------------
// Daylight saving and the edges of a period

#[test]
fn clock_change_days_are_23_or_25_hours_long() {
    let now = z(12, 1, 12, 0);
    for (tz, spring, autumn) in [
        (New_York, day(2024, 3, 10), day(2024, 11, 3)),
        (London, day(2024, 3, 31), day(2024, 10, 27)),
    ] {
        let short = Period::resolve(custom(spring, spring), now, &tz).unwrap();
        assert_eq!(
            short.end - short.start,
            Duration::hours(23),
            "{tz} {spring}"
        );
        assert_eq!(short.buckets.len(), 1);
        let long = Period::resolve(custom(autumn, autumn), now, &tz).unwrap();
        assert_eq!(long.end - long.start, Duration::hours(25), "{tz} {autumn}");
        assert_eq!(
            long.description,
            format!("{}, local time", autumn.format("%-d %b %Y"))
        );
        // The day before is an ordinary 24 hours.
        let before = autumn.pred_opt().unwrap();
        let plain = Period::resolve(custom(before, before), now, &tz).unwrap();
        assert_eq!(plain.end - plain.start, Duration::hours(24));
    }
    let p = Period::resolve(custom(day(2024, 11, 3), day(2024, 11, 3)), now, &New_York).unwrap();
    assert_eq!(p.start_local, "2024-11-03T00:00:00-04:00");
    assert_eq!(p.end_local, "2024-11-04T00:00:00-05:00");

    // Today on the spring change, at 23:30 EDT: 02:00 never happened, so 23 points.
    let spring_night = local(&New_York, 2024, 3, 10, 23, 30);
    let today = Period::resolve(PeriodChoice::Today, spring_night, &New_York).unwrap();
    assert_eq!(today.start, z(3, 10, 5, 0));
    assert_eq!(today.buckets.len(), 23);
    let labels: Vec<&str> = today.buckets.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(labels[..3], ["00:00", "01:00", "03:00"]);
    assert!(!labels.contains(&"02:00"));
    assert_eq!(labels[22], "23:00");
    assert_eq!(today.buckets[22].end, spring_night);

    // Last 7 days asked on Tuesday 5 November at noon: 30 Oct … 5 Nov, each
    // point a local day, 3 Nov 25 hours, the last one ending now.
    let noon = ny(11, 5, 12, 0);
    let week = Period::resolve(PeriodChoice::Last7d, noon, &New_York).unwrap();
    assert_eq!(week.start, z(10, 30, 4, 0));
    let lengths: Vec<i64> = week
        .buckets
        .iter()
        .map(|b| (b.end - b.start).num_hours())
        .collect();
    assert_eq!(lengths, [24, 24, 24, 24, 25, 24, 12]);
    assert_eq!(week.buckets[4].label, "3 Nov");
    for pair in week.buckets.windows(2) {
        assert_eq!(pair[0].end, pair[1].start, "points are contiguous");
    }
    for b in &week.buckets {
        let local = b.start.with_timezone(&New_York);
        assert_eq!(
            local.format("%H:%M").to_string(),
            "00:00",
            "{} starts at local midnight",
            b.label
        );
    }
}

on_both_engines_with! {
    fn period_edges_are_half_open_at_local_midnight(engine: Engine) {
        // London, Sunday 31 March 2024: clocks go forward at 01:00 GMT, so the day
        // is [31 Mar 00:00Z, 31 Mar 23:00Z) (1 Apr 00:00 BST), 23 hours.
        let mut f = Fixture::new(engine);
        let dana = f.dana;
        let midnight = z(3, 31, 0, 0);
        let next_midnight = z(3, 31, 23, 0);
        let ms = Duration::milliseconds(1);
        // #1 a millisecond before the day; closed in its last millisecond.
        assert_eq!(
            f.create(
                midnight - ms,
                dana,
                "Just before",
                Priority::Medium,
                None,
                &[]
            )
            .0,
            1
        );
        // #2 at the day's first instant; closed at the next day's first instant.
        assert_eq!(
            f.create(midnight, dana, "On the stroke", Priority::Medium, None, &[])
                .0,
            2
        );
        f.status(next_midnight - ms, dana, TicketNumber(1), Status::Closed);
        f.status(next_midnight, dana, TicketNumber(2), Status::Closed);
        // #3 at the next day's first instant.
        assert_eq!(
            f.create(next_midnight, dana, "Next day", Priority::Medium, None, &[])
                .0,
            3
        );
        let s = f.store();
        let now = z(4, 10, 12, 0);

        let sunday = report_at(s, custom(day(2024, 3, 31), day(2024, 3, 31)), now, &London);
        assert_eq!(
            (sunday.period.start, sunday.period.end),
            (midnight, next_midnight)
        );
        assert_eq!(behind(s, &sunday, Measure::Created), [2]);
        assert_eq!(behind(s, &sunday, Measure::Closed), [1]);
        // #2 was still Open at the end: it closed at the next day's first instant.
        assert_eq!(behind(s, &sunday, Measure::OpenAtEnd), [2]);
        assert_eq!(status_counts(&sunday), [1, 0, 0, 0, 0]);
        assert_eq!(sunday.closure_rate(), Some(0.0));
        assert_eq!(sunday.resolution.count, 1); // #1
        assert_ms(sunday.resolution.mean_ms, 23.0 * HOUR, "#1's resolution");

        let monday = report_at(s, custom(day(2024, 4, 1), day(2024, 4, 1)), now, &London);
        assert_eq!(behind(s, &monday, Measure::Created), [3]);
        assert_eq!(behind(s, &monday, Measure::Closed), [2]);
        assert_eq!(behind(s, &monday, Measure::OpenAtEnd), [3]);
        assert_ms(monday.resolution.mean_ms, 23.0 * HOUR, "#2's resolution");

        let saturday = report_at(s, custom(day(2024, 3, 30), day(2024, 3, 30)), now, &London);
        assert_eq!(behind(s, &saturday, Measure::Created), [1]);
        assert_eq!(saturday.closed, 0);
        assert_eq!(status_counts(&saturday), [1, 0, 0, 0, 0]); // Closed only on Sunday

        let three = report_at(s, custom(day(2024, 3, 30), day(2024, 4, 1)), now, &London);
        let points: Vec<(i64, u64, u64)> = three
            .trend
            .iter()
            .map(|p| ((p.end - p.start).num_hours(), p.created, p.closed))
            .collect();
        assert_eq!(points, [(24, 1, 0), (23, 1, 1), (24, 1, 1)]);
    }
}

on_both_engines_with! {
    fn reopened_ticket_keeps_its_close_but_loses_its_resolution(engine: Engine) {
        // Resolved and closed on Monday; reopened on Wednesday and still open.
        // Its close moment (Monday) stays; its resolution moment is gone, since it
        // is not resolved-like now.
        let mut f = Fixture::new(engine);
        let (ava, ben) = (f.ava, f.ben);
        let n = f.create(
            ny(11, 4, 9, 0),
            ava,
            "Flaky sync",
            Priority::Medium,
            None,
            &[],
        );
        f.reply(ny(11, 4, 9, 30), ava, n);
        f.status(ny(11, 4, 11, 0), ava, n, Status::Resolved);
        f.status(ny(11, 4, 12, 0), ava, n, Status::Closed);
        f.csat(ny(11, 4, 13, 0), ava, n, 1);
        f.status(ny(11, 6, 9, 0), ben, n, Status::Open);
        let s = f.store();
        let monday = report_at(
            s,
            custom(day(2024, 11, 4), day(2024, 11, 4)),
            z(12, 1, 0, 0),
            &New_York,
        );
        assert_eq!((monday.created, monday.closed, monday.open), (1, 1, 0));
        assert_eq!(monday.closure_rate(), Some(1.0));
        assert_eq!(monday.resolution.count, 0);
        assert_eq!(monday.resolution.mean_ms, None);
        assert_eq!(monday.first_response.count, 1);
        // The rating stays with the team, but no one resolved the ticket now.
        assert_eq!((monday.csat.positive, monday.csat.ratings), (0, 1));
        assert_eq!(row(&monday, ava).csat.ratings, 0);
        let wednesday = report_at(
            s,
            custom(day(2024, 11, 6), day(2024, 11, 6)),
            z(12, 1, 0, 0),
            &New_York,
        );
        assert_eq!(
            (wednesday.created, wednesday.closed, wednesday.open),
            (0, 0, 1)
        );
        assert_eq!(row(&wednesday, ben).handled, 1);
        assert!(
            wednesday.agents.iter().all(|a| a.agent != ava),
            "Ava did nothing on Wednesday: no row"
        );

        // Re-resolved on Thursday by Ben: the latest resolution counts, 3 days 1 h
        // after creation (4 Nov 14:00Z → 7 Nov 15:00Z), and the rating follows Ben.
        f.status(ny(11, 7, 10, 0), ben, n, Status::Resolved);
        let s = f.store();
        let thursday = report_at(
            s,
            custom(day(2024, 11, 7), day(2024, 11, 7)),
            z(12, 1, 0, 0),
            &New_York,
        );
        assert_eq!(thursday.resolution.count, 1);
        assert_ms(thursday.resolution.mean_ms, 73.0 * HOUR, "re-resolution");
        assert_eq!(row(&thursday, ben).resolved(), 1);
        let monday = report_at(
            s,
            custom(day(2024, 11, 4), day(2024, 11, 4)),
            z(12, 1, 0, 0),
            &New_York,
        );
        assert_eq!(monday.resolution.count, 0);
        assert_eq!(row(&monday, ben).csat.ratings, 1);
    }
}

// ---------------------------------------------------------------------------
// By Tag beyond fifteen tags

on_both_engines_with! {
    fn by_tag_names_fifteen_tags_and_folds_the_rest_into_other(engine: Engine) {
        // A ticket from Sunday carries t15 and t16: it must not count.
        // Then 17 tickets on Monday 4 November, the i-th (number i + 1) tagged
        // "t{i:02}"; the first of them (#2) also carries t17. So on Monday t17 has
        // 2 tickets (#2, #18) and t01 … t16 one each. Largest first, equal counts
        // by name: t17, t01 … t14 are named; t15 and t16 (#16, #17) are "Other",
        // 2 tickets.
        let mut f = Fixture::new(engine);
        let ava = f.ava;
        f.create(
            ny(11, 3, 12, 0),
            ava,
            "Sunday",
            Priority::Medium,
            None,
            &["t15", "t16"],
        );
        for i in 1..=17u32 {
            let name = format!("t{i:02}");
            let n = f.create(
                ny(11, 4, 8, i),
                ava,
                &format!("Ticket {i}"),
                Priority::Medium,
                None,
                &[&name],
            );
            assert_eq!(n.0, i64::from(i) + 1);
        }
        f.desk.clock.set(ny(11, 4, 9, 0));
        f.desk.act(ava).add_tag(ava, TicketNumber(2), "t17").unwrap();
        let s = f.store();
        let r = report_at(
            s,
            custom(day(2024, 11, 4), day(2024, 11, 4)),
            z(12, 1, 0, 0),
            &New_York,
        );
        assert_eq!(r.created, 17);
        assert_eq!(TOP_TAGS, 15);
        assert_eq!(r.by_tag.len(), TOP_TAGS + 1);
        let bars: Vec<(&str, u64)> = r
            .by_tag
            .iter()
            .map(|b| (b.name.as_str(), b.tickets))
            .collect();
        let mut expected: Vec<(String, u64)> = vec![("t17".to_owned(), 2)];
        expected.extend((1..=14).map(|i| (format!("t{i:02}"), 1)));
        expected.push(("Other".to_owned(), 2));
        let expected: Vec<(&str, u64)> = expected.iter().map(|(n, c)| (n.as_str(), *c)).collect();
        assert_eq!(bars, expected);
        assert_eq!(r.by_tag[15].tag, None);
        assert_eq!(r.other_tags, [f.tag("t15"), f.tag("t16")]);
        assert_eq!(
            behind(s, &r, Measure::CreatedWithAnyTag(r.other_tags.clone())),
            [16, 17]
        );
        assert_eq!(
            behind(s, &r, Measure::CreatedWithTag(f.tag("t17"))),
            [2, 18]
        );
    }
}

on_both_engines_with! {
    fn other_counts_a_ticket_with_two_of_its_tags_once(engine: Engine) {
        // Monday 4 November: fifteen tags on two tickets each (#1 … #30), then
        // #31 carrying both y1 and y2, the two smallest tags. "Other" is one
        // ticket, as its drill-down lists, not the sum of its tags' counts.
        let mut f = Fixture::new(engine);
        let ava = f.ava;
        for i in 0..30u32 {
            let name = format!("a{:02}", i / 2 + 1);
            f.create(
                ny(11, 4, 8, i),
                ava,
                &format!("Ticket {i}"),
                Priority::Medium,
                None,
                &[&name],
            );
        }
        let both = f.create(
            ny(11, 4, 9, 0),
            ava,
            "Two small tags",
            Priority::Medium,
            None,
            &["y1", "y2"],
        );
        let s = f.store();
        let r = report_at(
            s,
            custom(day(2024, 11, 4), day(2024, 11, 4)),
            z(12, 1, 0, 0),
            &New_York,
        );
        let other = r.by_tag.last().unwrap();
        assert_eq!((other.name.as_str(), other.tickets), ("Other", 1));
        assert_eq!(
            behind(s, &r, Measure::CreatedWithAnyTag(r.other_tags.clone())),
            [both.0]
        );
    }
}

// ---------------------------------------------------------------------------
// Changes after the end in the same millisecond

on_both_engines_with! {
    fn status_at_end_survives_two_changes_in_one_millisecond_after_it(engine: Engine) {
        // Monday 4 November: raised 09:00, Waiting 09:30. On Tuesday at 10:00,
        // within one millisecond, Waiting → Open → In Progress (a script, say).
        // At Monday's end the ticket was Waiting, whichever order the trail's
        // index keeps those two changes in.
        let mut f = Fixture::new(engine);
        let ava = f.ava;
        let n = f.create(
            ny(11, 4, 9, 0),
            ava,
            "Batch edit",
            Priority::High,
            None,
            &[],
        );
        f.status(ny(11, 4, 9, 30), ava, n, Status::Waiting);
        f.status(ny(11, 5, 10, 0), ava, n, Status::Open);
        f.status(ny(11, 5, 10, 0), ava, n, Status::InProgress);
        f.priority(ny(11, 5, 10, 0), ava, n, Priority::Low);
        f.priority(ny(11, 5, 10, 0), ava, n, Priority::Urgent);
        let s = f.store();
        let monday = report_at(
            s,
            custom(day(2024, 11, 4), day(2024, 11, 4)),
            z(12, 1, 0, 0),
            &New_York,
        );
        assert_eq!(status_counts(&monday), [0, 0, 1, 0, 0]);
        assert_eq!(priority_counts(&monday), [0, 0, 1, 0]);
        assert_eq!(
            behind(s, &monday, Measure::CreatedWithStatus(Status::Waiting)),
            [1]
        );
        assert_eq!(
            behind(s, &monday, Measure::CreatedWithPriority(Priority::High)),
            [1]
        );
    }
}

#[test]
fn closing_after_a_report_leaves_the_file_whole_with_nothing_beside_it() {
    // A report reads on a second connection. Closed last, a read-only
    // connection cannot fold the write-ahead log back into the file, so the
    // database alone (copied elsewhere, say) would miss the latest changes.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.db");
    let clock = crate::fixtures::fixed_clock();
    let mut store = crate::fixtures::open_store(&path, &clock);
    let agent = store.add_agent("Ava", "").unwrap();
    store
        .create_ticket(agent, &crate::fixtures::new_ticket("Printer on fire"))
        .unwrap();
    clock.advance(chrono::Duration::minutes(1));
    let now = tickets::clock::Clock::now(clock.as_ref());
    let period = Period::resolve(PeriodChoice::Today, now, &New_York).unwrap();
    assert_eq!(store.report(&period).unwrap().created, 1);
    drop(store);
    assert_eq!(
        crate::fixtures::sidecars(&path),
        Vec::<std::path::PathBuf>::new(),
        "files left beside the database"
    );
}

on_both_engines_with! {
    /// docs/METRICS.md, "Merged tickets": a merged ticket was created and
    /// closed (resolved by the agent who merged it, at the merge); its
    /// replies are the kept ticket's now, whose first reply may move
    /// earlier, and it has none. Before and after, the report reconciles.
    fn a_merge_moves_first_replies_to_the_kept_ticket_and_closes_the_merged_one(engine: Engine) {
        let mut f = Fixture::new(engine);
        let (dana, ava, ben) = (f.dana, f.ava, f.ben);
        let keep = f.create(ny(11, 4, 8, 0), dana, "Printer on fire", Priority::High, None, &[]);
        let other = f.create(ny(11, 4, 9, 0), dana, "Printer smoking", Priority::Low, None, &[]);
        f.reply(ny(11, 4, 9, 30), ava, other);
        f.reply(ny(11, 4, 12, 0), ben, keep);
        let period = custom(day(2024, 11, 4), day(2024, 11, 5));
        let now = ny(11, 6, 12, 0);

        let before = report_at(f.store(), period, now, &New_York);
        assert_eq!((before.created, before.closed, before.open), (2, 0, 2));
        assert_eq!(before.first_response.count, 2);
        // 4 h for the kept ticket, 30 min for the other.
        assert_ms(before.first_response.mean_ms, (4.0 * HOUR + 30.0 * MINUTE) / 2.0, "before");
        assert_eq!(row(&before, ava).first_responses(), 1);
        assert_eq!(row(&before, ben).first_responses(), 1);

        f.desk.clock.set(ny(11, 5, 10, 0));
        let (kv, ov) = (f.desk.version(keep), f.desk.version(other));
        f.desk.act(dana).merge(dana, (keep, kv), &[(other, ov)]).unwrap();

        let after = report_at(f.store(), period, now, &New_York);
        // Both were created; the merged one is closed, at the merge.
        assert_eq!((after.created, after.closed, after.open), (2, 1, 1));
        assert_eq!(after.closed_of_created, 1);
        // One first reply now: Ava's, moved to the kept ticket, 1 h 30 after it was raised.
        assert_eq!(after.first_response.count, 1);
        assert_ms(after.first_response.mean_ms, 90.0 * MINUTE, "after");
        assert_eq!(row(&after, ava).first_responses(), 1);
        assert_eq!(row(&after, ben).first_responses(), 0);
        // The merge resolved the merged ticket, by Dana: 25 h after it was raised.
        assert_eq!(after.resolution.count, 1);
        assert_ms(after.resolution.mean_ms, 25.0 * HOUR, "resolution");
        assert_eq!(row(&after, dana).resolved(), 1);
    }
}

// ---------------------------------------------------------------------------
// SLA achievement over the week

/// The November desk under a calendar-time policy, Waiting pausing the
/// resolution clock: Medium 2 h to a first reply and 72 h to resolution,
/// High 1 h / 8 h, Urgent 1 h / 24 h, Low none. Set once the history is
/// made, and worked out on 1 December; on 20 November Dana assigned ticket 2
/// to Ava and ticket 10 to Cleo.
///
/// The targets whose due moment falls in the week [1 Nov 04:00Z, 8 Nov 05:00Z):
///
/// | #  | prio now | first reply due / reply (whose)          | resolution due / resolved (whose)        |
/// |----|----------|------------------------------------------|------------------------------------------|
/// | 1  | Medium   | 25 Oct 16:00Z: before the week           | 28 Oct 14:00Z: before the week           |
/// | 2  | Medium   | 30 Oct 16:00Z: before the week           | 2 Nov 14:00Z, not resolved: missed (Ava, assigned) |
/// | 3  | Medium   | 1 Nov 02:00Z: before the week            | paused 9 days in Waiting: 13 Nov, after  |
/// | 4  | High     | 1 Nov 14:00Z, 14:30Z: missed (Ben)       | 1 Nov 21:00Z, 17:00Z: met (Ben)          |
/// | 5  | Medium   | 1 Nov 18:00Z, 16:30Z: met (Ava)          | 4 Nov 16:00Z, re-resolved 17:00Z: missed (Ben) |
/// | 6  | Urgent   | 3 Nov 03:00Z, 13:00Z: missed (Cleo)      | 4 Nov 02:00Z, 03:00Z: missed (Cleo)      |
/// | 7  | Medium   | closed unanswered at the due moment, 3 Nov 16:00Z: no reply owed | 6 Nov 14:00Z, 3 Nov 16:00Z: met (Dana) |
/// | 8  | Low      | no target                                | no target                                |
/// | 9  | Urgent (from Medium on 8 Nov) | 5 Nov 20:00Z (1 h from creation), 20:00Z: met (Ben) | paused in Waiting: not known |
/// | 10 | Medium   | 6 Nov 17:00Z, no reply: missed (Cleo, assigned) | 9 Nov 15:00Z: after the week     |
/// | 11 | Medium   | 8 Nov 06:30Z: after the week             | after the week                           |
fn november_with_service_levels(engine: Engine) -> Fixture {
    use tickets::domain::sla::{SlaPolicy, Targets};
    let mut f = november(engine);
    let (ava, cleo, dana) = (f.ava, f.cleo, f.dana);
    f.desk.clock.set(z(11, 20, 12, 0));
    f.desk.store.assign(dana, TicketNumber(2), ava).unwrap();
    f.desk.store.assign(dana, TicketNumber(10), cleo).unwrap();
    let mut policy = SlaPolicy::default();
    let targets = |first, resolution| Targets {
        first_reply_minutes: Some(first),
        resolution_minutes: Some(resolution),
    };
    policy.targets[1] = targets(120, 72 * 60);
    policy.targets[2] = targets(60, 8 * 60);
    policy.targets[3] = targets(60, 24 * 60);
    f.desk.store.set_sla_policy(dana, &policy).unwrap();
    f.desk.clock.set(z(12, 1, 12, 0));
    while f.desk.store.refresh_due().unwrap() > 0 {}
    f
}

on_both_engines_with! {
    fn the_week_sla_achievement_by_target_priority_and_agent(engine: Engine) {
        use tickets::analytics::{Achievement, SlaTarget};
        let f = november_with_service_levels(engine);
        let r = the_week(&f);
        let a = |met, due| Achievement { met, due };
        assert_eq!(r.sla.first_reply, a(2, 5), "first replies: 5 and 9 met; 4, 6, 10 missed");
        assert_eq!(r.sla.resolution, a(2, 5), "resolutions: 4 and 7 met; 2, 5, 6 missed");
        assert_eq!(r.sla.first_reply.rate(), Some(0.4));
        assert_eq!(
            r.sla.by_priority,
            vec![
                (Priority::Low, a(0, 0), a(0, 0)),
                (Priority::Medium, a(1, 2), a(1, 3)),
                (Priority::High, a(0, 1), a(1, 1)),
                (Priority::Urgent, a(1, 2), a(0, 1)),
            ]
        );
        let sla = |agent| {
            let row = row(&r, agent);
            (row.sla_first_reply, row.sla_resolution)
        };
        assert_eq!(sla(f.ben), (a(1, 2), a(1, 2)));
        assert_eq!(sla(f.ava), (a(1, 1), a(0, 1)), "ticket 2, unresolved, is Ava's");
        assert_eq!(sla(f.cleo), (a(0, 2), a(0, 1)), "ticket 10, unanswered, is Cleo's");
        assert_eq!(sla(f.dana), (a(0, 0), a(1, 1)));

        // Each figure opens exactly its tickets.
        let until = r.period.end.min(r.period.as_of);
        let ids = |target, missed, priority, agent| {
            scope(
                f.store(),
                Measure::TargetDue { target, missed, priority, agent },
                r.period.start,
                until,
            )
        };
        use SlaTarget::{FirstReply, Resolution};
        assert_eq!(ids(FirstReply, false, None, None), vec![4, 5, 6, 9, 10]);
        assert_eq!(ids(FirstReply, true, None, None), vec![4, 6, 10]);
        assert_eq!(ids(Resolution, false, None, None), vec![2, 4, 5, 6, 7]);
        assert_eq!(ids(Resolution, true, None, None), vec![2, 5, 6]);
        assert_eq!(ids(Resolution, false, Some(Priority::Medium), None), vec![2, 5, 7]);
        assert_eq!(ids(FirstReply, false, Some(Priority::Urgent), None), vec![6, 9]);
        assert_eq!(ids(FirstReply, false, None, Some(f.ben)), vec![4, 9]);
        assert_eq!(ids(FirstReply, true, None, Some(f.cleo)), vec![6, 10]);
        assert_eq!(ids(Resolution, false, None, Some(f.ava)), vec![2]);

        // The export's summary holds the same figures.
        let rows = tickets::export::summary_rows(&r);
        let value = |section: &str, series: &str, label: &str| {
            rows.iter()
                .find(|row| row[0] == section && row[1] == series && row[2] == label)
                .unwrap_or_else(|| panic!("no row {section} / {series} / {label}"))[3]
                .clone()
        };
        assert_eq!(value("card", "SLA First reply", "rate"), "0.4000");
        assert_eq!(value("card", "SLA Resolution", "due"), "5");
        assert_eq!(value("sla_by_priority", "SLA Resolution met", "Medium"), "1");
        assert_eq!(value("agents", "sla first reply due", "Cleo"), "2");
    }

    fn a_target_counts_only_once_its_due_moment_has_passed(engine: Engine) {
        use tickets::analytics::{Achievement, SlaTarget};
        let f = november_with_service_levels(engine);
        // Asked for on 6 November at noon New York time (17:00Z), the week
        // so far: ticket 10's first reply falls due at 17:00Z, not yet
        // passed; 9's (met) has.
        let r = report_at(
            f.store(),
            custom(day(2024, 11, 1), day(2024, 11, 7)),
            z(11, 6, 17, 0),
            &New_York,
        );
        assert_eq!(r.sla.first_reply, Achievement { met: 2, due: 4 });
        let until = r.period.end.min(r.period.as_of);
        let ids = scope(
            f.store(),
            Measure::TargetDue {
                target: SlaTarget::FirstReply,
                missed: false,
                priority: None,
                agent: None,
            },
            r.period.start,
            until,
        );
        assert_eq!(ids, vec![4, 5, 6, 9]);
    }
}
