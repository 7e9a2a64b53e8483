//! Realistic, deterministic sample data: agents, customers with tags, and a year
//! of tickets with plausible histories.
//!
//! The same seed and the same "now" give the same database. Each ticket's life is
//! simulated as a sequence of events that never reaches past now, so recent
//! tickets are still being worked while older ones are resolved and closed.
//! Lives vary the way a help desk's do: triage corrects the customer, tags,
//! priority and wording; work changes hands; customers answer within hours,
//! days or weeks (some tickets wait for months); tickets are escalated, rated
//! and re-rated, and reopened after a resolution or even after the close.
//! Every kind of activity the store writes in daily work occurs, so the demo
//! and the benchmarks exercise every analytics path. A ticket's final state
//! (status, priority, customer, resolution and close moments, first reply,
//! rating, version, sort keys) is derived from its events by the same rules as
//! the store's own operations; `tests/seed.rs` checks the two agree, and how
//! often each kind of event happens.
//!
//! The rows are written in creation order through [`Store::bulk_load`], one
//! load that the store commits whole (fast: no checks, indexes built once at
//! the end) or not at all: a cancelled or failed load leaves the database
//! exactly as it was. This module decides everything and names no engine.

use std::borrow::Cow;

use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};

use crate::domain::{
    ActivityKind, AgentId, CustomerId, Direction, MessageId, NoteId, Priority, Status, TagId,
    TicketNumber, from_millis, to_millis,
};
use crate::store::{BulkSink, FinalTicket, Store, StoreError};

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeedOptions {
    /// How many tickets.
    pub tickets: u64,
    /// The random seed: the same seed gives the same data.
    pub seed: u64,
}

/// What was generated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SeedSummary {
    /// Agents added.
    pub agents: u64,
    /// Customers added.
    pub customers: u64,
    /// Tickets added.
    pub tickets: u64,
    /// Messages added.
    pub messages: u64,
    /// Notes added (not counting those deleted again).
    pub notes: u64,
    /// Activity entries added.
    pub activity: u64,
}

/// Fills an empty database with sample data.
///
/// `progress(done, total)` is called every few thousand tickets; returning
/// `false` cancels, and the database is left as it was. Refuses a database
/// that already holds tickets, so sample data never mixes with real work.
pub fn generate(
    store: &mut Store,
    options: SeedOptions,
    mut progress: impl FnMut(u64, u64) -> bool,
) -> Result<SeedSummary, StoreError> {
    let now = store.clock().now();
    let existing = store.count_tickets(&Default::default())?;
    if existing > 0 {
        return Err(StoreError::NotAllowed(format!(
            "sample data goes only into an empty database; this one already holds {existing} ticket{}",
            if existing == 1 { "" } else { "s" }
        )));
    }
    let summary = store.bulk_load(|sink| load(sink, options, now, &mut progress))?;
    progress(options.tickets, options.tickets);
    store.analyze()?;
    Ok(summary)
}

/// Writes the agents, the customers and every ticket's life through `sink`.
fn load(
    sink: &mut dyn BulkSink,
    options: SeedOptions,
    now: DateTime<Utc>,
    progress: &mut impl FnMut(u64, u64) -> bool,
) -> Result<SeedSummary, StoreError> {
    let mut g = Generator::new(options.seed, now);
    let mut summary = SeedSummary {
        agents: g.add_agents(sink)?,
        customers: g.add_customers(sink, options.tickets)?,
        ..SeedSummary::default()
    };
    let times = TicketTimes::new(now - Duration::days(365), now);
    // Numbers continue after any ever used (none are ever reused).
    let first_number = sink.next_ticket_number()?.0;
    for i in 0..options.tickets {
        let created = times.at((i as f64 + g.rng.f64()) / options.tickets as f64);
        g.add_ticket(
            sink,
            TicketNumber(first_number + i as i64),
            created,
            &mut summary,
        )?;
        if i % 5000 == 4999 && !progress(i + 1, options.tickets) {
            return Err(StoreError::Cancelled);
        }
    }
    summary.tickets = options.tickets;
    Ok(summary)
}

/// Ticket volume over a year: more on weekdays and in working hours.
struct TicketTimes {
    start: DateTime<Utc>,
    /// Cumulative weight at the end of each hour since `start`.
    cumulative: Vec<f64>,
}

impl TicketTimes {
    fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        let start = Utc
            .with_ymd_and_hms(start.year(), start.month(), start.day(), start.hour(), 0, 0)
            .single()
            .unwrap_or(start);
        let hours = (end - start).num_hours().max(1);
        let mut total = 0.0;
        let cumulative = (0..hours)
            .map(|h| {
                let t = start + Duration::hours(h);
                let weekday = t.weekday().num_days_from_monday();
                let day = if weekday < 5 { 1.0 } else { 0.35 };
                let hour = match t.hour() {
                    8..=17 => 1.0,
                    6..=7 | 18..=21 => 0.45,
                    _ => 0.12,
                };
                // A slowly growing team: a third more tickets now than a year ago.
                total += day * hour * (1.0 + h as f64 / hours as f64 / 3.0);
                total
            })
            .collect();
        Self { start, cumulative }
    }

    /// The time at fraction `u` (0..1) of the year's volume; increasing in `u`.
    fn at(&self, u: f64) -> DateTime<Utc> {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let target = u.clamp(0.0, 1.0) * total;
        let h = self.cumulative.partition_point(|&c| c < target);
        let before = if h == 0 { 0.0 } else { self.cumulative[h - 1] };
        let within = (target - before)
            / (self.cumulative.get(h).copied().unwrap_or(total) - before).max(1e-9);
        self.start + Duration::milliseconds(((h as f64 + within) * 3_600_000.0) as i64)
    }
}

const FIRST_NAMES: &[&str] = &[
    "Dana", "Sam", "Alex", "Priya", "Chen", "Maria", "Tomás", "Aisha", "Liam", "Noor", "Yuki",
    "Olga", "Kwame", "Sofia", "Mateo", "Hannah", "Ravi", "Ingrid", "Jamal", "Emma", "Lucas",
    "Fatima", "Björn", "Zoe", "Omar", "Mei", "Carlos", "Ana", "Felix", "Leila", "Jonas", "Amara",
    "Diego", "Elif", "Hugo", "Nadia", "Pavel", "Rosa", "Sven", "Tara",
];
const LAST_NAMES: &[&str] = &[
    "Okafor",
    "Schmidt",
    "Nakamura",
    "García",
    "Kowalski",
    "Nguyen",
    "Smith",
    "Rossi",
    "Haddad",
    "Johansson",
    "Patel",
    "Müller",
    "Dubois",
    "Silva",
    "Kim",
    "O'Brien",
    "Novak",
    "Ivanova",
    "Mensah",
    "Andersen",
    "Costa",
    "Yilmaz",
    "Fischer",
    "Moreau",
    "Lindqvist",
    "Santos",
    "Cohen",
    "Tanaka",
    "Walsh",
    "Petrov",
];
const COMPANIES: &[&str] = &[
    "Acme Corp",
    "Globex",
    "Initech",
    "Umbrella Health",
    "Stark Logistics",
    "Wayne Foods",
    "Hooli",
    "Vandelay Imports",
    "Soylent",
    "Cyberdyne",
    "Tyrell Studio",
    "Wonka Retail",
    "Oceanic Air",
    "Blue Sun",
    "Gringotts Bank",
    "Nakatomi Trading",
    "Monarch Labs",
    "Pied Piper",
    "Aperture Science",
    "Black Mesa",
    "Dunder Mifflin",
    "Prestige Worldwide",
    "Sterling Cooper",
    "Bluth Company",
    "Massive Dynamic",
    "Weyland Freight",
    "Ollivanders",
    "Krusty Krab",
    "Los Pollos",
    "Cogswell Cogs",
];
const CUSTOMER_TAGS: &[&str] = &[
    "vip",
    "enterprise",
    "trial",
    "partner",
    "churn-risk",
    "smb",
    "education",
    "nonprofit",
];

/// An area of trouble: its subjects, descriptions and the tags it usually gets.
struct Topic {
    subjects: &'static [&'static str],
    detail: &'static str,
    tags: &'static [&'static str],
}

const TOPICS: &[Topic] = &[
    Topic {
        subjects: &[
            "Refund request for order #{n}",
            "Charged twice for order #{n}",
            "Please refund my {plan} subscription",
            "Refund not received after cancellation",
        ],
        detail: "The customer asks for their money back and wants to know how long the refund takes.",
        tags: &["billing", "refund"],
    },
    Topic {
        subjects: &[
            "Cannot log in after password reset",
            "Login loop on the {app} app",
            "Two-factor code never arrives",
            "Account locked after too many attempts",
        ],
        detail: "The customer cannot get into their account and is blocked from working.",
        tags: &["login", "account", "password"],
    },
    Topic {
        subjects: &[
            "Invoice {n} shows the wrong VAT amount",
            "Need a copy of invoice {n}",
            "Company address wrong on invoices",
            "Invoice currency should be EUR",
        ],
        detail: "Something on an invoice is wrong or missing and finance needs it corrected.",
        tags: &["billing", "invoice"],
    },
    Topic {
        subjects: &[
            "Feature request: export {report} to PDF",
            "Would love dark mode in the {app} app",
            "Feature request: bulk edit in {report}",
            "Can you add Slack notifications?",
        ],
        detail: "A suggestion for something the product does not do yet.",
        tags: &["feature-request"],
    },
    Topic {
        subjects: &[
            "{report} dashboard loads very slowly",
            "Timeouts when opening {report}",
            "The {app} app freezes on startup",
            "Search takes forever since the update",
        ],
        detail: "The product is slow enough to get in the customer's way.",
        tags: &["performance", "bug"],
    },
    Topic {
        subjects: &[
            "Package for order #{n} has not arrived",
            "Wrong item delivered in order #{n}",
            "Tracking number for order #{n} does not work",
            "Delivery address change for order #{n}",
        ],
        detail: "A delivery went wrong or needs changing.",
        tags: &["shipping"],
    },
    Topic {
        subjects: &[
            "API returns 500 on /v2/{endpoint}",
            "Webhook deliveries failing since {month}",
            "Rate limit too low for our integration",
            "API token expired unexpectedly",
        ],
        detail: "The customer's developers hit a problem with the API or an integration.",
        tags: &["api", "integration"],
    },
    Topic {
        subjects: &[
            "How do I cancel my {plan} plan?",
            "Cancel subscription at the end of {month}",
            "Downgrade from {plan} to Basic",
            "Upgrade to {plan} with annual billing",
        ],
        detail: "The customer wants to change or end their plan.",
        tags: &["cancellation", "upgrade", "pricing"],
    },
    Topic {
        subjects: &[
            "Data missing from {report} after import",
            "CSV import fails with an encoding error",
            "Export of {report} is empty",
            "Duplicate records after sync",
        ],
        detail: "Data did not come in or go out the way the customer expected.",
        tags: &["import", "export", "data-loss"],
    },
    Topic {
        subjects: &[
            "Set up SSO with Okta",
            "GDPR data deletion request",
            "Security questionnaire for procurement",
            "Suspicious login from unknown location",
        ],
        detail: "A security, privacy or compliance request that needs care.",
        tags: &["security", "sso", "gdpr"],
    },
    Topic {
        subjects: &[
            "Button overlaps text on the {app} app",
            "Typo in the German translation",
            "Emails from you land in spam",
            "Notifications arrive twice",
        ],
        detail: "Something small is broken or looks wrong.",
        tags: &["ui", "translation", "email", "bug"],
    },
    Topic {
        subjects: &[
            "Help getting started with {report}",
            "Onboarding call for new team members",
            "How to invite colleagues to the workspace",
            "Training materials for {plan} admins",
        ],
        detail: "A new customer needs help getting going.",
        tags: &["onboarding"],
    },
];

const APPS: &[&str] = &["iOS", "Android", "desktop", "web", "Windows", "Mac"];
const REPORTS: &[&str] = &[
    "Sales",
    "Inventory",
    "Payroll",
    "Analytics",
    "Forecast",
    "Timesheets",
];
const PLANS: &[&str] = &["Pro", "Team", "Business", "Enterprise", "Starter"];
const ENDPOINTS: &[&str] = &[
    "orders",
    "customers",
    "invoices",
    "users",
    "events",
    "reports",
];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const INBOUND: &[&str] = &[
    "Hi, could you please look into this? It has been happening since yesterday.",
    "Hello team, we are still seeing the problem. Any update?",
    "Thanks for the quick answer, but it did not help unfortunately.",
    "Attached the screenshot you asked for. Let me know if you need more.",
    "This is urgent for us, our whole team is blocked.",
    "Great, that worked! Thanks a lot.",
];
const OUTBOUND: &[&str] = &[
    "Thanks for reaching out. I am looking into this now and will get back to you shortly.",
    "Could you send us a screenshot and the time it happened?",
    "We have found the cause and deployed a fix. Could you check again?",
    "I have processed this for you; it should show within 3-5 business days.",
    "Sorry for the trouble. I escalated this to our engineers.",
    "Happy to help! I am closing this ticket, reply any time if it comes back.",
];
const NOTES: &[&str] = &[
    "Checked the logs: the error started after the last deploy.",
    "Customer is on the legacy plan, billing needs to approve.",
    "Handing over to the next shift; waiting for engineering.",
    "Reproduced on staging. Bug filed.",
    "Spoke to the account manager, they know about this.",
];
/// What an agent adds when they come back to a note.
const NOTE_ADDITIONS: &[&str] = &[
    "Update: engineering confirmed the cause.",
    "Update: billing approved it.",
    "Correction: it only happens on the web app.",
    "Update: the fix ships in the next release.",
];
/// What an agent adds to a subject to make it say more.
const SUBJECT_ADDITIONS: &[&str] = &[
    "all users affected",
    "EU region only",
    "since the last update",
    "reported again",
    "mobile only",
];
/// What an agent adds to a description once they know more.
const DESCRIPTION_ADDITIONS: &[&str] = &[
    "Steps to reproduce are in the first message.",
    "Affects the whole team on the customer's side.",
    "Started after the customer changed plans.",
];
/// Tags triage adds now and then, whatever the topic.
const TRIAGE_TAGS: &[&str] = &[
    "urgent-customer",
    "escalated",
    "mobile",
    "outage",
    "reporting",
    "dashboard",
];
/// Tags that say how a ticket is going rather than what it is about: they
/// often come off once it is resolved.
const PASSING_TAGS: &[&str] = &["urgent-customer", "escalated", "outage"];

/// Minutes in a day, for delays of days.
const DAY: f64 = 24.0 * 60.0;

/// The most work rounds a ticket gets: the first, and up to two more after
/// the customer comes back.
const MAX_ROUNDS: usize = 3;
/// The chance that the customer comes back after each resolution (but the last):
/// before the close it reopens a Resolved ticket, after it a Closed one.
const COME_BACK: [f64; MAX_ROUNDS - 1] = [0.09, 0.04];

/// An agent of the sample team.
struct SeedAgent {
    id: AgentId,
    name: String,
    /// The name's sort key, as the store keeps it.
    key: String,
    /// When they left the team (they keep their history; nothing new goes to them).
    left: Option<DateTime<Utc>>,
}

/// A sample customer.
struct SeedCustomer {
    id: CustomerId,
    name: String,
    /// The name's sort key, as the store keeps it.
    key: String,
    /// Index into `COMPANIES`.
    company: usize,
}

struct Generator {
    rng: fastrand::Rng,
    now: DateTime<Utc>,
    agents: Vec<SeedAgent>,
    /// Agents who take tickets (active ones).
    workers: Vec<usize>,
    customers: Vec<SeedCustomer>,
    /// The customers of each company (by index into `COMPANIES`).
    colleagues: Vec<Vec<usize>>,
    tag_ids: std::collections::HashMap<&'static str, TagId>,
    next_message: i64,
    next_note: i64,
}

/// A ticket being simulated, collecting what its rows will say.
struct Life {
    id: TicketNumber,
    /// The moment the simulation has reached.
    t: DateTime<Utc>,
    status: Status,
    priority: Priority,
    subject: String,
    description: Cow<'static, str>,
    customer: Option<usize>,
    version: i64,
    updated: i64,
    first_reply: Option<i64>,
    resolved: Option<(i64, AgentId)>,
    closed: Option<i64>,
    csat: Option<(u8, i64)>,
    assignees: Vec<usize>,
    /// Who triaged it: an active agent, who also hands it over when needed.
    dispatcher: usize,
    /// Who works it: its first assignee, or the dispatcher if it has none.
    owner: usize,
    tags: Vec<&'static str>,
    /// Its notes not deleted: id and text now.
    notes: Vec<(i64, String)>,
}

/// Why a ticket's life stops before its story is told: its next event would
/// come at or after now (that part has not happened yet), or the database failed.
enum Stop {
    Now,
    Failed(StoreError),
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        Stop::Failed(e)
    }
}

/// What can follow a resolution, each at its own moment.
#[derive(Clone, Copy)]
enum Aftermath {
    /// The customer rates the ticket.
    Rating,
    /// The customer changes their rating.
    Rerating,
    /// The ticket is closed.
    Close,
    /// The customer writes back: the ticket is reopened.
    ComeBack,
}

impl Generator {
    fn new(seed: u64, now: DateTime<Utc>) -> Self {
        Self {
            rng: fastrand::Rng::with_seed(seed),
            now,
            agents: Vec::new(),
            workers: Vec::new(),
            customers: Vec::new(),
            colleagues: vec![Vec::new(); COMPANIES.len()],
            tag_ids: Default::default(),
            next_message: 1,
            next_note: 1,
        }
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.rng.usize(..items.len())]
    }

    fn add_agents(&mut self, sink: &mut dyn BulkSink) -> Result<u64, StoreError> {
        let start = to_millis(self.now - Duration::days(400));
        let count = 36;
        for i in 0..count {
            let first = FIRST_NAMES[i % FIRST_NAMES.len()];
            let last = LAST_NAMES[(i * 7 + 3) % LAST_NAMES.len()];
            let name = format!("{first} {last}");
            let key = crate::domain::sort_key(&name);
            let email = format!("{}@support.example", first.to_lowercase());
            // Two agents have left the team, one some seven months ago and one
            // some three: history keeps them, new work does not.
            let left = match count - i {
                2 => Some(self.now - Duration::days(210)),
                1 => Some(self.now - Duration::days(85)),
                _ => None,
            };
            let id = sink.add_agent(&name, &key, &email, left.is_none(), start)?;
            if left.is_none() {
                self.workers.push(self.agents.len());
            }
            self.agents.push(SeedAgent {
                id,
                name,
                key,
                left,
            });
        }
        Ok(count as u64)
    }

    fn add_customers(&mut self, sink: &mut dyn BulkSink, tickets: u64) -> Result<u64, StoreError> {
        let count = (tickets / 25).clamp(12, 100_000);
        let start = to_millis(self.now - Duration::days(400));
        for i in 0..count {
            let first = self.pick(FIRST_NAMES);
            let last = self.pick(LAST_NAMES);
            let company_index = self.rng.usize(..COMPANIES.len());
            let company = COMPANIES[company_index];
            let name = format!("{first} {last}");
            let key = crate::domain::sort_key(&name);
            let domain: String = company
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_lowercase();
            let local: String = format!("{first}.{last}")
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
                .collect::<String>()
                .to_lowercase();
            let email = format!("{local}{}@{domain}.example", i % 97);
            let id = sink.add_customer(&name, &key, &email, company, start)?;
            self.colleagues[company_index].push(self.customers.len());
            self.customers.push(SeedCustomer {
                id,
                name,
                key,
                company: company_index,
            });
            // The biggest customers (lowest ids get the most tickets) are often tagged.
            let tag_chance = if i < count / 20 { 0.8 } else { 0.2 };
            if self.rng.f64() < tag_chance {
                for _ in 0..1 + self.rng.usize(..2) {
                    let tag = self.pick(CUSTOMER_TAGS);
                    let tag = self.tag_id(sink, tag)?;
                    sink.tag_customer(id, tag)?;
                }
            }
        }
        Ok(count)
    }

    fn tag_id(&mut self, sink: &mut dyn BulkSink, name: &'static str) -> Result<TagId, StoreError> {
        if let Some(id) = self.tag_ids.get(name) {
            return Ok(*id);
        }
        // The tag may exist already (a customer tag made before the load).
        let id = sink.tag_named(name)?;
        self.tag_ids.insert(name, id);
        Ok(id)
    }

    /// A delay with a long tail: log-normal around `median_minutes`, wider
    /// with `spread`. Only the absurd is cut off (under 30 s, over 400 days:
    /// longer than any sample ticket has lived), so nothing piles up at a bound.
    fn delay(&mut self, median_minutes: f64, spread: f64) -> Duration {
        let z = (-2.0 * (1.0 - self.rng.f64()).ln()).sqrt()
            * (std::f64::consts::TAU * self.rng.f64()).cos();
        let minutes = median_minutes * (spread * z).exp();
        Duration::seconds((minutes * 60.0).clamp(30.0, 400.0 * 24.0 * 3600.0) as i64)
    }

    /// How long a customer takes to answer: mostly hours, often a day or
    /// two, now and then weeks, and a few go quiet for months.
    fn customer_wait(&mut self) -> Duration {
        match self.rng.f64() {
            u if u < 0.6 => self.delay(120.0, 1.0),
            u if u < 0.88 => self.delay(DAY * 1.5, 0.7),
            u if u < 0.97 => self.delay(DAY * 10.0, 0.6),
            _ => self.delay(DAY * 60.0, 0.6),
        }
    }

    /// How long a resolved ticket stays open to the customer before it is
    /// closed: hours when the customer confirms at once, days otherwise.
    fn close_gap(&mut self) -> Duration {
        if self.rng.f64() < 0.35 {
            self.delay(180.0, 1.0)
        } else {
            self.delay(DAY * 3.0, 0.7)
        }
    }

    /// Moves the ticket's clock on by a [`Self::delay`]; stops the life if that reaches now.
    fn after(&mut self, life: &mut Life, median_minutes: f64, spread: f64) -> Result<(), Stop> {
        let by = self.delay(median_minutes, spread);
        self.wait(life, by)
    }

    /// Moves the ticket's clock on by `by`; stops the life if that reaches now.
    fn wait(&self, life: &mut Life, by: Duration) -> Result<(), Stop> {
        self.wait_until(life, life.t + by)
    }

    /// Moves the ticket's clock to `at`; stops the life if that is not before now.
    fn wait_until(&self, life: &mut Life, at: DateTime<Utc>) -> Result<(), Stop> {
        life.t = at;
        if at < self.now {
            Ok(())
        } else {
            Err(Stop::Now)
        }
    }

    fn subject(&mut self, topic: &Topic) -> String {
        let template = self.pick(topic.subjects);
        let mut s = template.to_owned();
        if s.contains("{n}") {
            s = s.replace("{n}", &(10_000 + self.rng.u32(..90_000)).to_string());
        }
        for (slot, items) in [
            ("{app}", APPS),
            ("{report}", REPORTS),
            ("{plan}", PLANS),
            ("{endpoint}", ENDPOINTS),
            ("{month}", MONTHS),
        ] {
            if s.contains(slot) {
                let value = self.pick(items);
                s = s.replace(slot, value);
            }
        }
        s
    }

    /// A customer as a ticket row names them: id and sort key.
    fn customer_row(&self, customer: usize) -> (CustomerId, &str) {
        let c = &self.customers[customer];
        (c.id, &c.key)
    }

    /// A customer, skewed so that a few raise most tickets.
    fn skewed_customer(&mut self) -> usize {
        let u = self.rng.f64();
        ((u * u * u) * self.customers.len() as f64) as usize
    }

    /// Another customer at the same company, if it has one.
    fn colleague(&mut self, customer: usize) -> Option<usize> {
        let peers = &self.colleagues[self.customers[customer].company];
        if peers.len() < 2 {
            return None;
        }
        let i = self.rng.usize(..peers.len());
        Some(if peers[i] == customer {
            peers[(i + 1) % peers.len()]
        } else {
            peers[i]
        })
    }

    /// An active agent other than `agent` (the same one only if nobody else is active).
    fn other_worker(&mut self, agent: usize) -> usize {
        let i = self.rng.usize(..self.workers.len());
        if self.workers[i] == agent {
            self.workers[(i + 1) % self.workers.len()]
        } else {
            self.workers[i]
        }
    }

    /// Someone to assign at `at`: anyone on the team, except that nobody gets
    /// new work in the two weeks before they leave, or after.
    fn assignee_at(&mut self, at: DateTime<Utc>) -> usize {
        let agent = self.rng.usize(..self.agents.len());
        match self.agents[agent].left {
            Some(left) if left <= at + Duration::days(14) => {
                self.workers[self.rng.usize(..self.workers.len())]
            }
            _ => agent,
        }
    }

    fn add_ticket(
        &mut self,
        sink: &mut dyn BulkSink,
        id: TicketNumber,
        created: DateTime<Utc>,
        summary: &mut SeedSummary,
    ) -> Result<(), StoreError> {
        let topic = &TOPICS[self.rng.usize(..TOPICS.len())];
        let subject = self.subject(topic);
        let priority = match self.rng.u32(..100) {
            0..20 => Priority::Low,
            20..70 => Priority::Medium,
            70..92 => Priority::High,
            _ => Priority::Urgent,
        };
        // Now and then a message comes from an address nobody knows yet.
        let customer = if self.rng.f64() < 0.015 {
            None
        } else {
            Some(self.skewed_customer())
        };
        let dispatcher = self.workers[self.rng.usize(..self.workers.len())];
        let created_ms = to_millis(created);
        let description = Cow::Borrowed(if self.rng.f64() < 0.8 {
            topic.detail
        } else {
            ""
        });
        // The ticket row goes first (activity refers to it); its final state is
        // written once the simulation below is done.
        sink.add_ticket(
            id,
            &subject,
            &description,
            priority,
            customer.map(|c| self.customer_row(c)),
            created_ms,
        )?;
        let mut life = Life {
            id,
            t: created,
            status: Status::Open,
            priority,
            subject,
            description,
            customer,
            version: 1,
            updated: created_ms,
            first_reply: None,
            resolved: None,
            closed: None,
            csat: None,
            assignees: Vec::new(),
            dispatcher,
            owner: dispatcher,
            tags: Vec::new(),
            notes: Vec::new(),
        };
        match self.live(sink, &mut life, topic, summary) {
            Ok(()) | Err(Stop::Now) => {}
            Err(Stop::Failed(e)) => return Err(e),
        }
        // Whoever left the team with this ticket still in the backlog handed
        // it on when they went.
        if let Some(left) = self.agents[life.owner].left
            && left < self.now
            && !life.status.is_resolved_like()
        {
            let at = left.max(from_millis(life.updated));
            self.hand_over(sink, &mut life, at, summary)?;
        }
        self.finish(sink, life)
    }

    /// A ticket's life from its creation, until its story ends or reaches now.
    ///
    /// Every kind of activity the store records in daily work happens in some
    /// lives; `CustomerErased` does not, as it comes only from erasing a
    /// customer's personal data, which sample data has no reason to do.
    fn live(
        &mut self,
        sink: &mut dyn BulkSink,
        life: &mut Life,
        topic: &Topic,
        summary: &mut SeedSummary,
    ) -> Result<(), Stop> {
        let (dispatcher, created) = (life.dispatcher, life.t);
        self.activity(
            sink,
            life,
            created,
            dispatcher,
            &ActivityKind::Created,
            summary,
        )?;
        if self.rng.f64() < 0.9 {
            let body = self.pick(INBOUND);
            self.message(
                sink,
                life,
                created,
                dispatcher,
                Direction::Inbound,
                body,
                summary,
            )?;
        }
        self.triage(sink, life, topic, summary)?;
        for round in 0..MAX_ROUNDS {
            self.work(sink, life, round, topic, summary)?;
            if !self.aftermath(sink, life, round, summary)? {
                break;
            }
        }
        Ok(())
    }

    /// Triage, within the first hour or so: the customer, tags, priority,
    /// wording and assignment put right.
    fn triage(
        &mut self,
        sink: &mut dyn BulkSink,
        life: &mut Life,
        topic: &Topic,
        summary: &mut SeedSummary,
    ) -> Result<(), Stop> {
        let dispatcher = life.dispatcher;
        // Most unknown senders turn out to be a customer's new address.
        if life.customer.is_none() && self.rng.f64() < 0.7 {
            self.after(life, 15.0, 1.0)?;
            let to = self.skewed_customer();
            self.move_to_customer(sink, life, Some(to), dispatcher, summary)?;
        }
        for _ in 0..self.rng.usize(..4).min(topic.tags.len() + 1) {
            let tag = if self.rng.f64() < 0.85 {
                topic.tags[self.rng.usize(..topic.tags.len())]
            } else {
                self.pick(TRIAGE_TAGS)
            };
            self.after(life, 5.0, 1.0)?;
            self.add_tag(sink, life, tag, dispatcher, summary)?;
        }
        // A tag put on in haste comes off again.
        if !life.tags.is_empty() && self.rng.f64() < 0.04 {
            self.after(life, 8.0, 1.0)?;
            let tag = life.tags[self.rng.usize(..life.tags.len())];
            self.remove_tag(sink, life, tag, dispatcher, summary)?;
        }
        // Raised by the wrong person: moved to the colleague it is about.
        if let Some(customer) = life.customer
            && self.rng.f64() < 0.02
            && let Some(to) = self.colleague(customer)
        {
            self.after(life, 20.0, 1.0)?;
            self.move_to_customer(sink, life, Some(to), dispatcher, summary)?;
        }
        // The priority the ticket came in with is corrected.
        if self.rng.f64() < 0.07 {
            self.after(life, 10.0, 1.0)?;
            let to = if self.rng.f64() < 0.6 {
                raised(life.priority)
            } else {
                lowered(life.priority)
            };
            self.set_priority(sink, life, to, dispatcher, summary)?;
        }
        // A missing description is written, or a vague one clarified; now and
        // then the subject is made clearer too.
        let describe = if life.description.is_empty() {
            0.3
        } else {
            0.02
        };
        if self.rng.f64() < describe {
            self.after(life, 12.0, 1.0)?;
            let to = if life.description.is_empty() {
                Cow::Borrowed(topic.detail)
            } else {
                let addition = self.pick(DESCRIPTION_ADDITIONS);
                Cow::Owned(format!("{}\n\n{addition}", life.description))
            };
            life.description = to;
            let at = life.t;
            self.field_edit(
                sink,
                life,
                at,
                dispatcher,
                &ActivityKind::DescriptionEdited,
                summary,
            )?;
        }
        if self.rng.f64() < 0.03 {
            self.after(life, 12.0, 1.0)?;
            let addition = self.pick(SUBJECT_ADDITIONS);
            let to = format!("{} ({addition})", life.subject);
            let from = std::mem::replace(&mut life.subject, to.clone());
            let at = life.t;
            self.field_edit(
                sink,
                life,
                at,
                dispatcher,
                &ActivityKind::SubjectEdited { from, to },
                summary,
            )?;
        }
        let assignees = match self.rng.u32(..100) {
            0..8 => 0,
            8..88 => 1,
            88..97 => 2,
            _ => 3,
        };
        for _ in 0..assignees {
            self.after(life, 20.0, 1.2)?;
            // The first assignee owns the ticket: anyone on the team then,
            // including someone who has since left. Helpers are active agents.
            let agent = if life.assignees.is_empty() {
                self.assignee_at(life.t)
            } else {
                self.workers[self.rng.usize(..self.workers.len())]
            };
            if !life.assignees.contains(&agent) {
                let at = life.t;
                self.assign(sink, life, agent, at, dispatcher, summary)?;
            }
        }
        life.owner = life.assignees.first().copied().unwrap_or(dispatcher);
        Ok(())
    }

    /// One round of work, up to resolving the ticket: picked up, replied to,
    /// perhaps waiting on the customer or escalated.
    fn work(
        &mut self,
        sink: &mut dyn BulkSink,
        life: &mut Life,
        round: usize,
        topic: &Topic,
        summary: &mut SeedSummary,
    ) -> Result<(), Stop> {
        // Picked up within the hour or two; a reopened ticket waits its turn longer.
        if round == 0 {
            self.after(life, 90.0, 1.3)?;
        } else {
            self.after(life, 240.0, 1.3)?;
        }
        // Now and then it changes hands: a shift ends, someone knows the area better.
        if !life.assignees.is_empty() && self.rng.f64() < 0.04 {
            let at = life.t;
            self.hand_over(sink, life, at, summary)?;
        }
        let owner = self.owner(sink, life, summary)?;
        self.status(sink, life, owner, Status::InProgress, summary)?;
        if self.rng.f64() < 0.92 {
            self.after(life, 25.0, 1.0)?;
            let owner = self.owner(sink, life, summary)?;
            let body = self.pick(OUTBOUND);
            let at = life.t;
            self.message(sink, life, at, owner, Direction::Outbound, body, summary)?;
        }
        // Some tickets wait for months: a feature to be built, a fix in a
        // release far off. Feature requests above all.
        let park = if topic.tags.contains(&"feature-request") {
            0.25
        } else {
            0.02
        };
        if round == 0 && self.rng.f64() < park {
            self.after(life, 30.0, 1.0)?;
            let owner = self.owner(sink, life, summary)?;
            if self.rng.f64() < 0.5 && life.priority != Priority::Low {
                self.set_priority(sink, life, Priority::Low, owner, summary)?;
            }
            // Most wait on the customer's side of things; some stay In Progress.
            let waiting = self.rng.f64() < 0.6;
            if waiting {
                self.status(sink, life, owner, Status::Waiting, summary)?;
            }
            let by = self.delay(DAY * 150.0, 0.6);
            self.wait(life, by)?;
            let owner = self.owner(sink, life, summary)?;
            let at = life.t;
            self.message(
                sink,
                life,
                at,
                owner,
                Direction::Inbound,
                "Any news on this?",
                summary,
            )?;
            if waiting {
                self.wait(life, Duration::seconds(1))?;
                self.status(sink, life, owner, Status::InProgress, summary)?;
            }
        }
        if self.rng.f64() < 0.3 {
            self.after(life, 10.0, 1.0)?;
            let owner = self.owner(sink, life, summary)?;
            self.note(sink, life, owner, summary)?;
            // Notes are put right, and sometimes taken back.
            if self.rng.f64() < 0.12 {
                self.after(life, 40.0, 1.0)?;
                let owner = self.owner(sink, life, summary)?;
                self.edit_note(sink, life, owner, summary)?;
            }
            if self.rng.f64() < 0.05 {
                self.after(life, 120.0, 1.0)?;
                let owner = self.owner(sink, life, summary)?;
                self.delete_note(sink, life, owner, summary)?;
            }
        }
        if self.rng.f64() < 0.35 {
            self.after(life, 15.0, 1.0)?;
            let owner = self.owner(sink, life, summary)?;
            self.status(sink, life, owner, Status::Waiting, summary)?;
            let wait = self.customer_wait();
            self.wait(life, wait)?;
            let owner = self.owner(sink, life, summary)?;
            let body = self.pick(INBOUND);
            let at = life.t;
            self.message(sink, life, at, owner, Direction::Inbound, body, summary)?;
            self.wait(life, Duration::seconds(1))?;
            self.status(sink, life, owner, Status::InProgress, summary)?;
            // A customer kept waiting long enough chases, and it is escalated.
            if wait > Duration::days(2) && self.rng.f64() < 0.25 {
                self.after(life, 20.0, 1.0)?;
                self.escalate(sink, life, summary)?;
            }
        }
        if self.rng.f64() < 0.04 {
            self.after(life, 60.0, 1.0)?;
            self.escalate(sink, life, summary)?;
        }
        // Most fixes take hours; the hard ones take days.
        if self.rng.f64() < 0.15 {
            self.after(life, DAY * 2.0, 1.0)?;
        } else {
            self.after(life, 240.0, 1.4)?;
        }
        let owner = self.owner(sink, life, summary)?;
        // Now and then someone other than the owner resolves it.
        let resolver = if self.rng.f64() < 0.15 {
            self.workers[self.rng.usize(..self.workers.len())]
        } else {
            owner
        };
        self.status(sink, life, resolver, Status::Resolved, summary)?;
        // Tags that said how it was going come off now that it is solved.
        for tag in PASSING_TAGS {
            if life.tags.contains(tag) && self.rng.f64() < 0.4 {
                self.after(life, 2.0, 1.0)?;
                self.remove_tag(sink, life, tag, resolver, summary)?;
            }
        }
        Ok(())
    }

    /// What follows a resolution: a rating (perhaps changed later), the close,
    /// and perhaps the customer coming back, each at its own moment, in time
    /// order. Returns whether the ticket was reopened.
    fn aftermath(
        &mut self,
        sink: &mut dyn BulkSink,
        life: &mut Life,
        round: usize,
        summary: &mut SeedSummary,
    ) -> Result<bool, Stop> {
        let resolved = life.t;
        let mut next: Vec<(DateTime<Utc>, Aftermath)> = Vec::with_capacity(4);
        if life.csat.is_some() {
            // Resolved again after a rating: the customer says what they think now.
            if self.rng.f64() < 0.5 {
                next.push((resolved + self.delay(720.0, 1.0), Aftermath::Rerating));
            }
        } else if self.rng.f64() < 0.35 {
            let rated = resolved + self.delay(720.0, 1.0);
            next.push((rated, Aftermath::Rating));
            if self.rng.f64() < 0.15 {
                next.push((rated + self.delay(DAY * 2.0, 1.0), Aftermath::Rerating));
            }
        }
        if self.rng.f64() < 0.9 {
            next.push((resolved + self.close_gap(), Aftermath::Close));
        }
        if round + 1 < MAX_ROUNDS && self.rng.f64() < COME_BACK[round] {
            next.push((resolved + self.delay(DAY * 2.0, 1.2), Aftermath::ComeBack));
        }
        next.sort_by_key(|(at, _)| *at);
        for (at, what) in next {
            self.wait_until(life, at)?;
            let owner = self.owner(sink, life, summary)?;
            match what {
                Aftermath::Rating => {
                    let rating = match self.rng.u32(..100) {
                        0..5 => 1,
                        5..12 => 2,
                        12..25 => 3,
                        25..55 => 4,
                        _ => 5,
                    };
                    self.rate(sink, life, rating, owner, summary)?;
                }
                Aftermath::Rerating => {
                    if let Some((previous, _)) = life.csat {
                        let rating = self.rerating(previous);
                        self.rate(sink, life, rating, owner, summary)?;
                    }
                }
                Aftermath::Close => self.status(sink, life, owner, Status::Closed, summary)?,
                Aftermath::ComeBack => {
                    let body = if life.status == Status::Closed {
                        "Sorry to write again, the problem is back."
                    } else {
                        "It is happening again, sorry."
                    };
                    self.message(sink, life, at, owner, Direction::Inbound, body, summary)?;
                    self.wait(life, Duration::seconds(1))?;
                    self.status(sink, life, owner, Status::Open, summary)?;
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// A changed rating: mostly warmer after a follow-up, sometimes cooler
    /// when the fix did not last; never the same.
    fn rerating(&mut self, previous: u8) -> u8 {
        let up = previous == 1 || (previous < 5 && self.rng.f64() < 0.7);
        let step = 1 + self.rng.u8(..2);
        if up {
            (previous + step).min(5)
        } else {
            previous - step.min(previous - 1)
        }
    }

    /// The ticket's owner now. One who has left the team by now handed the
    /// ticket on when they went.
    fn owner(
        &mut self,
        sink: &mut dyn BulkSink,
        life: &mut Life,
        summary: &mut SeedSummary,
    ) -> Result<usize, StoreError> {
        if let Some(left) = self.agents[life.owner].left
            && left <= life.t
        {
            let at = left.max(from_millis(life.updated));
            self.hand_over(sink, life, at, summary)?;
        }
        Ok(life.owner)
    }

    /// The dispatcher gives the ticket to another active agent at `at`: the
    /// new owner is assigned and the old one unassigned.
    fn hand_over(
        &mut self,
        sink: &mut dyn BulkSink,
        life: &mut Life,
        at: DateTime<Utc>,
        summary: &mut SeedSummary,
    ) -> Result<(), StoreError> {
        let from = life.owner;
        let to = self.other_worker(from);
        if to == from {
            return Ok(());
        }
        let by = life.dispatcher;
        if !life.assignees.contains(&to) {
            self.assign(sink, life, to, at, by, summary)?;
        }
        if let Some(i) = life.assignees.iter().position(|&a| a == from) {
            life.assignees.remove(i);
            sink.unassign(life.id, self.agents[from].id)?;
            let kind = ActivityKind::AgentUnassigned {
                agent: self.agents[from].id,
                name: self.agents[from].name.clone(),
            };
            self.activity(sink, life, at, by, &kind, summary)?;
        }
        life.owner = to;
        Ok(())
    }

    fn assign(
        &mut self,
        sink: &mut dyn BulkSink,
        life: &mut Life,
        agent: usize,
        at: DateTime<Utc>,
        by: usize,
        summary: &mut SeedSummary,
    ) -> Result<(), StoreError> {
        life.assignees.push(agent);
        sink.assign(life.id, self.agents[agent].id, to_millis(at))?;
        let kind = ActivityKind::AgentAssigned {
            agent: self.agents[agent].id,
            name: self.agents[agent].name.clone(),
        };
        self.activity(sink, life, at, by, &kind, summary)
    }

    /// Raises the priority a level (if it can go higher) and tags the ticket
    /// "escalated", on the owner's word.
    fn escalate(
        &mut self,
        sink: &mut dyn BulkSink,
        life: &mut Life,
        summary: &mut SeedSummary,
    ) -> Result<(), StoreError> {
        let owner = self.owner(sink, life, summary)?;
        self.set_priority(sink, life, raised(life.priority), owner, summary)?;
        self.add_tag(sink, life, "escalated", owner, summary)
    }

    /// Tags the ticket at `life.t`, unless it has the tag already.
    fn add_tag(
        &mut self,
        sink: &mut dyn BulkSink,
        life: &mut Life,
        tag: &'static str,
        actor: usize,
        summary: &mut SeedSummary,
    ) -> Result<(), StoreError> {
        if life.tags.contains(&tag) {
            return Ok(());
        }
        let tag_id = self.tag_id(sink, tag)?;
        sink.tag_ticket(life.id, tag_id)?;
        life.tags.push(tag);
        let at = life.t;
        self.activity(
            sink,
            life,
            at,
            actor,
            &ActivityKind::TagAdded {
                tag: tag.to_owned(),
            },
            summary,
        )
    }

    /// Takes a tag off the ticket at `life.t`, if it has it.
    fn remove_tag(
        &mut self,
        sink: &mut dyn BulkSink,
        life: &mut Life,
        tag: &'static str,
        actor: usize,
        summary: &mut SeedSummary,
    ) -> Result<(), StoreError> {
        let Some(i) = life.tags.iter().position(|&t| t == tag) else {
            return Ok(());
        };
        life.tags.remove(i);
        let tag_id = self.tag_id(sink, tag)?;
        sink.untag_ticket(life.id, tag_id)?;
        let at = life.t;
        self.activity(
            sink,
            life,
            at,
            actor,
            &ActivityKind::TagRemoved {
                tag: tag.to_owned(),
            },
            summary,
        )
    }

    /// Changes the priority at `life.t`, as `Store::set_priority` (nothing if unchanged).
    fn set_priority(
        &mut self,
        sink: &mut dyn BulkSink,
        life: &mut Life,
        to: Priority,
        actor: usize,
        summary: &mut SeedSummary,
    ) -> Result<(), StoreError> {
        let from = life.priority;
        if from == to {
            return Ok(());
        }
        life.priority = to;
        let at = life.t;
        self.field_edit(
            sink,
            life,
            at,
            actor,
            &ActivityKind::PriorityChanged { from, to },
            summary,
        )
    }

    /// Moves the ticket to another customer at `life.t`, as `Store::set_customer`.
    fn move_to_customer(
        &mut self,
        sink: &mut dyn BulkSink,
        life: &mut Life,
        to: Option<usize>,
        actor: usize,
        summary: &mut SeedSummary,
    ) -> Result<(), StoreError> {
        if life.customer == to {
            return Ok(());
        }
        let name = |c: Option<usize>| c.map(|c| self.customers[c].name.clone());
        let kind = ActivityKind::CustomerChanged {
            from: name(life.customer),
            to: name(to),
        };
        life.customer = to;
        let at = life.t;
        self.field_edit(sink, life, at, actor, &kind, summary)
    }

    /// Records a rating at `life.t`, as `Store::set_csat` (the ticket is
    /// resolved-like; nothing if the rating is unchanged).
    fn rate(
        &mut self,
        sink: &mut dyn BulkSink,
        life: &mut Life,
        rating: u8,
        actor: usize,
        summary: &mut SeedSummary,
    ) -> Result<(), StoreError> {
        let previous = life.csat.map(|c| c.0);
        if previous == Some(rating) || !life.status.is_resolved_like() {
            return Ok(());
        }
        let at = life.t;
        life.csat = Some((rating, to_millis(at)));
        self.field_edit(
            sink,
            life,
            at,
            actor,
            &ActivityKind::CsatRecorded { rating, previous },
            summary,
        )
    }

    /// Writes the ticket's final state, derived from its events.
    fn finish(&mut self, sink: &mut dyn BulkSink, life: Life) -> Result<(), StoreError> {
        let assignee_key = life
            .assignees
            .iter()
            .map(|&a| self.agents[a].key.as_str())
            .min();
        let customer = life.customer.map(|c| self.customer_row(c));
        sink.finish_ticket(&FinalTicket {
            number: life.id,
            subject: &life.subject,
            description: &life.description,
            status: life.status,
            priority: life.priority,
            customer,
            version: life.version,
            updated_at: life.updated,
            first_reply_at: life.first_reply,
            resolved: life.resolved.filter(|_| life.status.is_resolved_like()),
            closed_at: life.closed,
            csat: life.csat,
            assignee_key,
        })
    }

    fn activity(
        &mut self,
        sink: &mut dyn BulkSink,
        life: &mut Life,
        at: DateTime<Utc>,
        actor: usize,
        kind: &ActivityKind,
        summary: &mut SeedSummary,
    ) -> Result<(), StoreError> {
        let at = to_millis(at);
        life.updated = life.updated.max(at);
        sink.record(life.id, at, self.agents[actor].id, kind)?;
        summary.activity += 1;
        Ok(())
    }

    /// An event that edits a field: it moves the ticket's version on, as in the store.
    fn field_edit(
        &mut self,
        sink: &mut dyn BulkSink,
        life: &mut Life,
        at: DateTime<Utc>,
        actor: usize,
        kind: &ActivityKind,
        summary: &mut SeedSummary,
    ) -> Result<(), StoreError> {
        life.version += 1;
        self.activity(sink, life, at, actor, kind, summary)
    }

    /// A status change at `life.t`, with the same moment rules as `Store::set_status`.
    fn status(
        &mut self,
        sink: &mut dyn BulkSink,
        life: &mut Life,
        actor: usize,
        to: Status,
        summary: &mut SeedSummary,
    ) -> Result<(), StoreError> {
        let from = life.status;
        if from == to {
            return Ok(());
        }
        let at = life.t;
        let ms = to_millis(at);
        if !to.is_resolved_like() {
            life.resolved = None;
        } else if !from.is_resolved_like() {
            life.resolved = Some((ms, self.agents[actor].id));
        }
        if to == Status::Closed {
            life.closed = Some(ms);
        }
        life.status = to;
        self.field_edit(
            sink,
            life,
            at,
            actor,
            &ActivityKind::StatusChanged { from, to },
            summary,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn message(
        &mut self,
        sink: &mut dyn BulkSink,
        life: &mut Life,
        at: DateTime<Utc>,
        actor: usize,
        direction: Direction,
        body: &str,
        summary: &mut SeedSummary,
    ) -> Result<(), StoreError> {
        let id = self.next_message;
        self.next_message += 1;
        let ms = to_millis(at);
        let author = self.agents[actor].id;
        sink.add_message(MessageId(id), life.id, direction, author, body, ms)?;
        if direction == Direction::Outbound && life.first_reply.is_none() {
            life.first_reply = Some(ms);
        }
        summary.messages += 1;
        let kind = ActivityKind::MessageAttached {
            message: MessageId(id),
            direction,
        };
        self.activity(sink, life, at, actor, &kind, summary)
    }

    /// Adds an internal note at `life.t`.
    fn note(
        &mut self,
        sink: &mut dyn BulkSink,
        life: &mut Life,
        actor: usize,
        summary: &mut SeedSummary,
    ) -> Result<(), StoreError> {
        let id = self.next_note;
        self.next_note += 1;
        let body = self.pick(NOTES);
        let at = life.t;
        let author = self.agents[actor].id;
        sink.add_note(NoteId(id), life.id, author, body, to_millis(at))?;
        life.notes.push((id, body.to_owned()));
        summary.notes += 1;
        self.activity(
            sink,
            life,
            at,
            actor,
            &ActivityKind::NoteAdded { note: NoteId(id) },
            summary,
        )
    }

    /// Adds a line to the ticket's latest note at `life.t`, as `Store::edit_note`.
    fn edit_note(
        &mut self,
        sink: &mut dyn BulkSink,
        life: &mut Life,
        actor: usize,
        summary: &mut SeedSummary,
    ) -> Result<(), StoreError> {
        let addition = self.pick(NOTE_ADDITIONS);
        let Some((id, body)) = life.notes.last_mut() else {
            return Ok(());
        };
        let id = *id;
        body.push('\n');
        body.push_str(addition);
        let at = life.t;
        sink.edit_note(NoteId(id), body, to_millis(at))?;
        self.activity(
            sink,
            life,
            at,
            actor,
            &ActivityKind::NoteEdited { note: NoteId(id) },
            summary,
        )
    }

    /// Deletes the ticket's latest note at `life.t`, as `Store::delete_note`:
    /// its text stays in the trail.
    fn delete_note(
        &mut self,
        sink: &mut dyn BulkSink,
        life: &mut Life,
        actor: usize,
        summary: &mut SeedSummary,
    ) -> Result<(), StoreError> {
        let Some((id, text)) = life.notes.pop() else {
            return Ok(());
        };
        sink.delete_note(NoteId(id))?;
        // The summary counts the notes the database holds.
        summary.notes -= 1;
        let at = life.t;
        self.activity(
            sink,
            life,
            at,
            actor,
            &ActivityKind::NoteDeleted {
                note: NoteId(id),
                text,
            },
            summary,
        )
    }
}

/// One level more urgent (Urgent stays Urgent).
fn raised(p: Priority) -> Priority {
    match p {
        Priority::Low => Priority::Medium,
        Priority::Medium => Priority::High,
        Priority::High | Priority::Urgent => Priority::Urgent,
    }
}

/// One level less urgent (Low stays Low).
fn lowered(p: Priority) -> Priority {
    match p {
        Priority::Urgent => Priority::High,
        Priority::High => Priority::Medium,
        Priority::Medium | Priority::Low => Priority::Low,
    }
}
