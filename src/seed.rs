//! Realistic, deterministic sample data: agents, customers with tags, and a year
//! of tickets with plausible histories.
//!
//! The same seed and the same "now" give the same database. Each ticket's life is
//! simulated as a sequence of events (messages, assignments, status changes,
//! tags, notes, ratings) that never reaches past now, so recent tickets are
//! still being worked while older ones are resolved and closed. Its final state
//! (status, resolution and close moments, first reply, rating, version, sort
//! keys) is derived from those events by the same rules as the store's own
//! operations; `tests/seed.rs` checks the two agree.
//!
//! For speed the whole load is one transaction that sets the secondary indexes
//! and triggers aside, inserts rows in creation order, then rebuilds them: a
//! cancelled or failed load leaves the database exactly as it was.

use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};
use rusqlite::{Connection, params};

use crate::domain::{
    ActivityKind, AgentId, Direction, MessageId, NoteId, Priority, Status, TicketNumber, to_millis,
};
use crate::store::{Store, StoreError, record_activity};

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
    /// Notes added.
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
    let Some(conn) = store.bulk_connection() else {
        return Err(StoreError::Unsupported(
            "sample data can be loaded into a database file only".to_owned(),
        ));
    };
    // Bulk-load settings for this connection; restored below whatever happens.
    conn.execute_batch("PRAGMA cache_size = -1048576; PRAGMA synchronous = OFF;")?;
    let result = load(conn, options, now, &mut progress);
    conn.execute_batch("PRAGMA cache_size = -65536; PRAGMA synchronous = FULL;")?;
    let summary = result?;
    store.analyze()?;
    Ok(summary)
}

fn load(
    conn: &mut Connection,
    options: SeedOptions,
    now: DateTime<Utc>,
    progress: &mut impl FnMut(u64, u64) -> bool,
) -> Result<SeedSummary, StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let set_aside = set_aside_indexes(&tx)?;
    let mut g = Generator::new(options.seed, now);
    let mut summary = SeedSummary {
        agents: g.add_agents(&tx)?,
        customers: g.add_customers(&tx, options.tickets)?,
        ..SeedSummary::default()
    };
    let times = TicketTimes::new(now - Duration::days(365), now);
    // Numbers continue after any ever used (none are ever reused).
    let first_number: i64 = tx.query_row(
        "SELECT coalesce(max(seq), 0) + 1 FROM sqlite_sequence WHERE name = 'tickets'",
        [],
        |r| r.get(0),
    )?;
    for i in 0..options.tickets {
        let created = times.at((i as f64 + g.rng.f64()) / options.tickets as f64);
        g.add_ticket(&tx, first_number + i as i64, created, &mut summary)?;
        if i % 5000 == 4999 && !progress(i + 1, options.tickets) {
            return Err(StoreError::Cancelled);
        }
    }
    for sql in &set_aside {
        tx.execute_batch(sql)?;
    }
    tx.execute_batch(crate::store::schema::REBUILD_DERIVED)?;
    tx.commit()?;
    progress(options.tickets, options.tickets);
    summary.tickets = options.tickets;
    Ok(summary)
}

/// Drops the secondary indexes and triggers of the bulk-loaded tables and
/// returns the SQL that recreates them (building an index once is far faster
/// than keeping it sorted through millions of inserts).
fn set_aside_indexes(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let items: Vec<(String, String, String)> = conn
        .prepare(
            "SELECT type, name, sql FROM sqlite_schema
             WHERE type IN ('index', 'trigger') AND sql IS NOT NULL
               AND tbl_name IN ('tickets', 'activity', 'messages', 'notes', 'ticket_tags',
                                'ticket_assignees', 'customers', 'customer_tags')",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    for (kind, name, _) in &items {
        let kind = if kind == "index" { "INDEX" } else { "TRIGGER" };
        conn.execute_batch(&format!("DROP {kind} \"{}\"", name.replace('"', "\"\"")))?;
    }
    Ok(items.into_iter().map(|(_, _, sql)| sql).collect())
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

struct Generator {
    rng: fastrand::Rng,
    now: DateTime<Utc>,
    agents: Vec<(i64, String)>,
    /// Agents who take tickets (active ones).
    workers: Vec<usize>,
    /// Customers' ids and names.
    customers: Vec<(i64, String)>,
    tag_ids: std::collections::HashMap<&'static str, i64>,
    next_message: i64,
    next_note: i64,
}

/// A ticket being simulated, collecting what its rows will say.
struct Life {
    id: i64,
    status: Status,
    version: i64,
    updated: i64,
    first_reply: Option<i64>,
    resolved: Option<(i64, i64)>,
    closed: Option<i64>,
    csat: Option<(u8, i64)>,
    assignees: Vec<usize>,
}

impl Generator {
    fn new(seed: u64, now: DateTime<Utc>) -> Self {
        Self {
            rng: fastrand::Rng::with_seed(seed),
            now,
            agents: Vec::new(),
            workers: Vec::new(),
            customers: Vec::new(),
            tag_ids: Default::default(),
            next_message: 1,
            next_note: 1,
        }
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.rng.usize(..items.len())]
    }

    fn add_agents(&mut self, conn: &Connection) -> Result<u64, StoreError> {
        let start = to_millis(self.now - Duration::days(400));
        let mut stmt = conn.prepare(
            "INSERT INTO agents (name, sort_key, email, active, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let count = 36;
        for i in 0..count {
            let first = FIRST_NAMES[i % FIRST_NAMES.len()];
            let last = LAST_NAMES[(i * 7 + 3) % LAST_NAMES.len()];
            let name = format!("{first} {last}");
            let email = format!("{}@support.example", first.to_lowercase());
            // Two agents have left the team: history keeps them, new work does not.
            let active = i < count - 2;
            stmt.execute(params![name, name.to_lowercase(), email, active, start])?;
            let id = conn.last_insert_rowid();
            if active {
                self.workers.push(self.agents.len());
            }
            self.agents.push((id, name));
        }
        Ok(count as u64)
    }

    fn add_customers(&mut self, conn: &Connection, tickets: u64) -> Result<u64, StoreError> {
        let count = (tickets / 25).clamp(12, 100_000);
        let start = to_millis(self.now - Duration::days(400));
        let mut stmt = conn.prepare(
            "INSERT INTO customers (name, sort_key, email, company, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        )?;
        let mut tag_stmt = conn
            .prepare("INSERT OR IGNORE INTO customer_tags (customer_id, tag_id) VALUES (?1, ?2)")?;
        for i in 0..count {
            let first = self.pick(FIRST_NAMES);
            let last = self.pick(LAST_NAMES);
            let company = self.pick(COMPANIES);
            let name = format!("{first} {last}");
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
            stmt.execute(params![name, name.to_lowercase(), email, company, start])?;
            let id = conn.last_insert_rowid();
            self.customers.push((id, name));
            // The biggest customers (lowest ids get the most tickets) are often tagged.
            let tag_chance = if i < count / 20 { 0.8 } else { 0.2 };
            if self.rng.f64() < tag_chance {
                for _ in 0..1 + self.rng.usize(..2) {
                    let tag = self.pick(CUSTOMER_TAGS);
                    let tag = self.tag_id(conn, tag)?;
                    tag_stmt.execute(params![id, tag])?;
                }
            }
        }
        Ok(count)
    }

    fn tag_id(&mut self, conn: &Connection, name: &'static str) -> Result<i64, StoreError> {
        if let Some(id) = self.tag_ids.get(name) {
            return Ok(*id);
        }
        // The tag may exist already (a customer tag made before the load).
        conn.prepare_cached("INSERT OR IGNORE INTO tags (name) VALUES (?1)")?
            .execute([name])?;
        let id = conn
            .prepare_cached("SELECT id FROM tags WHERE name = ?1")?
            .query_row([name], |r| r.get(0))?;
        self.tag_ids.insert(name, id);
        Ok(id)
    }

    /// A minutes-scale delay with a long tail (log-normal around `median` minutes).
    fn delay(&mut self, median_minutes: f64, spread: f64) -> Duration {
        let z = (-2.0 * (1.0 - self.rng.f64()).ln()).sqrt()
            * (std::f64::consts::TAU * self.rng.f64()).cos();
        let minutes = median_minutes * (spread * z).exp();
        Duration::seconds((minutes * 60.0).clamp(30.0, 60.0 * 24.0 * 60.0) as i64)
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

    fn add_ticket(
        &mut self,
        conn: &Connection,
        id: i64,
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
        // Skewed volume: a few customers raise most tickets.
        let customer = {
            let u = self.rng.f64();
            ((u * u * u) * self.customers.len() as f64) as usize
        };
        let dispatcher = self.workers[self.rng.usize(..self.workers.len())];
        let created_ms = to_millis(created);
        let mut life = Life {
            id,
            status: Status::Open,
            version: 1,
            updated: created_ms,
            first_reply: None,
            resolved: None,
            closed: None,
            csat: None,
            assignees: Vec::new(),
        };
        let description = if self.rng.f64() < 0.8 {
            topic.detail
        } else {
            ""
        };
        // The ticket row goes first (activity refers to it); its final state is
        // written once the simulation below is done.
        conn.prepare_cached(
            "INSERT INTO tickets (id, subject, description, status, priority, customer_id, created_at, updated_at, customer_key)
             VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6, ?6, ?7)",
        )?
        .execute(params![
            id,
            subject,
            description,
            priority.code(),
            self.customers[customer].0,
            created_ms,
            self.customers[customer].1.to_lowercase()
        ])?;
        let mut t = created;
        self.activity(
            conn,
            &mut life,
            t,
            dispatcher,
            &ActivityKind::Created,
            summary,
        )?;
        if self.rng.f64() < 0.9 {
            let body = self.pick(INBOUND);
            self.message(
                conn,
                &mut life,
                t,
                dispatcher,
                Direction::Inbound,
                body,
                summary,
            )?;
        }
        // Triage: tags and assignment within the first hour or so.
        for _ in 0..self.rng.usize(..4).min(topic.tags.len() + 1) {
            let tag = if self.rng.f64() < 0.85 {
                topic.tags[self.rng.usize(..topic.tags.len())]
            } else {
                [
                    "urgent-customer",
                    "escalated",
                    "mobile",
                    "outage",
                    "reporting",
                    "dashboard",
                ][self.rng.usize(..6)]
            };
            t += self.delay(5.0, 1.0);
            if !self.before_now(t) {
                return self.finish(conn, life);
            }
            let tag_id = self.tag_id(conn, tag)?;
            if conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO ticket_tags (ticket_id, tag_id) VALUES (?1, ?2)",
                )?
                .execute(params![id, tag_id])?
                > 0
            {
                self.activity(
                    conn,
                    &mut life,
                    t,
                    dispatcher,
                    &ActivityKind::TagAdded {
                        tag: tag.to_owned(),
                    },
                    summary,
                )?;
            }
        }
        let assignees = match self.rng.u32(..100) {
            0..8 => 0,
            8..88 => 1,
            88..97 => 2,
            _ => 3,
        };
        for _ in 0..assignees {
            t += self.delay(20.0, 1.2);
            if !self.before_now(t) {
                return self.finish(conn, life);
            }
            let agent = self.workers[self.rng.usize(..self.workers.len())];
            if life.assignees.contains(&agent) {
                continue;
            }
            life.assignees.push(agent);
            conn.prepare_cached("INSERT INTO ticket_assignees (ticket_id, agent_id, assigned_at) VALUES (?1, ?2, ?3)")?
                .execute(params![id, self.agents[agent].0, to_millis(t)])?;
            let kind = ActivityKind::AgentAssigned {
                agent: AgentId(self.agents[agent].0),
                name: self.agents[agent].1.clone(),
            };
            self.activity(conn, &mut life, t, dispatcher, &kind, summary)?;
        }
        let owner = life.assignees.first().copied().unwrap_or(dispatcher);
        // Work: reply, maybe wait on the customer, resolve, sometimes reopen, close.
        let reopen = self.rng.f64() < 0.06;
        let rounds = if reopen { 2 } else { 1 };
        for round in 0..rounds {
            t += self.delay(if round == 0 { 90.0 } else { 600.0 }, 1.3);
            if !self.before_now(t) {
                return self.finish(conn, life);
            }
            self.status(conn, &mut life, t, owner, Status::InProgress, summary)?;
            if self.rng.f64() < 0.92 {
                t += self.delay(25.0, 1.0);
                if !self.before_now(t) {
                    return self.finish(conn, life);
                }
                let body = self.pick(OUTBOUND);
                self.message(
                    conn,
                    &mut life,
                    t,
                    owner,
                    Direction::Outbound,
                    body,
                    summary,
                )?;
            }
            if self.rng.f64() < 0.3 {
                t += self.delay(10.0, 1.0);
                if !self.before_now(t) {
                    return self.finish(conn, life);
                }
                self.note(conn, &mut life, t, owner, summary)?;
            }
            if self.rng.f64() < 0.35 {
                t += self.delay(15.0, 1.0);
                if !self.before_now(t) {
                    return self.finish(conn, life);
                }
                self.status(conn, &mut life, t, owner, Status::Waiting, summary)?;
                // Customers often take days to answer; some take weeks.
                t += if self.rng.f64() < 0.4 {
                    self.delay(60.0 * 24.0 * 3.0, 1.0)
                } else {
                    self.delay(600.0, 1.5)
                };
                if !self.before_now(t) {
                    return self.finish(conn, life);
                }
                let body = self.pick(INBOUND);
                self.message(conn, &mut life, t, owner, Direction::Inbound, body, summary)?;
                self.status(
                    conn,
                    &mut life,
                    t + Duration::seconds(1),
                    owner,
                    Status::InProgress,
                    summary,
                )?;
            }
            // Most fixes take hours; the hard ones take days.
            t += if self.rng.f64() < 0.15 {
                self.delay(60.0 * 24.0 * 2.0, 1.0)
            } else {
                self.delay(240.0, 1.4)
            };
            if !self.before_now(t) {
                return self.finish(conn, life);
            }
            // Now and then someone other than the owner resolves it.
            let resolver = if self.rng.f64() < 0.15 {
                self.workers[self.rng.usize(..self.workers.len())]
            } else {
                owner
            };
            self.status(conn, &mut life, t, resolver, Status::Resolved, summary)?;
            if round + 1 < rounds {
                t += self.delay(1440.0, 0.8);
                if !self.before_now(t) {
                    return self.finish(conn, life);
                }
                let body = "It is happening again, sorry.";
                self.message(conn, &mut life, t, owner, Direction::Inbound, body, summary)?;
                self.status(
                    conn,
                    &mut life,
                    t + Duration::seconds(1),
                    owner,
                    Status::Open,
                    summary,
                )?;
                t += Duration::seconds(1);
            }
        }
        if self.rng.f64() < 0.35 {
            t += self.delay(720.0, 1.0);
            if !self.before_now(t) {
                return self.finish(conn, life);
            }
            let rating = match self.rng.u32(..100) {
                0..5 => 1,
                5..12 => 2,
                12..25 => 3,
                25..55 => 4,
                _ => 5,
            };
            life.csat = Some((rating, to_millis(t)));
            let kind = ActivityKind::CsatRecorded {
                rating,
                previous: None,
            };
            self.field_edit(conn, &mut life, t, owner, &kind, summary)?;
        }
        if self.rng.f64() < 0.9 {
            t += self.delay(60.0 * 24.0 * 4.0, 0.5);
            if !self.before_now(t) {
                return self.finish(conn, life);
            }
            self.status(conn, &mut life, t, owner, Status::Closed, summary)?;
        }
        self.finish(conn, life)
    }

    fn before_now(&self, t: DateTime<Utc>) -> bool {
        t < self.now
    }

    /// Writes the ticket's final state, derived from its events.
    fn finish(&mut self, conn: &Connection, life: Life) -> Result<(), StoreError> {
        let assignee_key = life
            .assignees
            .iter()
            .map(|&a| self.agents[a].1.to_lowercase())
            .min();
        let (resolved_at, resolved_by) = match life.resolved {
            Some((at, by)) if life.status.is_resolved_like() => (Some(at), Some(by)),
            _ => (None, None),
        };
        conn.prepare_cached(
            "UPDATE tickets SET status = ?2, version = ?3, updated_at = ?4, first_reply_at = ?5,
                 resolved_at = ?6, resolved_by = ?7, closed_at = ?8, csat = ?9, csat_at = ?10, assignee_key = ?11
             WHERE id = ?1",
        )?
        .execute(params![
            life.id,
            life.status.code(),
            life.version,
            life.updated,
            life.first_reply,
            resolved_at,
            resolved_by,
            life.closed,
            life.csat.map(|c| c.0),
            life.csat.map(|c| c.1),
            assignee_key
        ])?;
        Ok(())
    }

    fn activity(
        &mut self,
        conn: &Connection,
        life: &mut Life,
        at: DateTime<Utc>,
        actor: usize,
        kind: &ActivityKind,
        summary: &mut SeedSummary,
    ) -> Result<(), StoreError> {
        let at = to_millis(at);
        life.updated = life.updated.max(at);
        record_activity(
            conn,
            TicketNumber(life.id),
            at,
            AgentId(self.agents[actor].0),
            kind,
        )?;
        summary.activity += 1;
        Ok(())
    }

    /// An event that edits a field: it moves the ticket's version on, as in the store.
    fn field_edit(
        &mut self,
        conn: &Connection,
        life: &mut Life,
        at: DateTime<Utc>,
        actor: usize,
        kind: &ActivityKind,
        summary: &mut SeedSummary,
    ) -> Result<(), StoreError> {
        life.version += 1;
        self.activity(conn, life, at, actor, kind, summary)
    }

    /// A status change, with the same moment rules as `Store::set_status`.
    fn status(
        &mut self,
        conn: &Connection,
        life: &mut Life,
        at: DateTime<Utc>,
        actor: usize,
        to: Status,
        summary: &mut SeedSummary,
    ) -> Result<(), StoreError> {
        let from = life.status;
        if from == to {
            return Ok(());
        }
        let ms = to_millis(at);
        if !to.is_resolved_like() {
            life.resolved = None;
        } else if !from.is_resolved_like() {
            life.resolved = Some((ms, self.agents[actor].0));
        }
        if to == Status::Closed {
            life.closed = Some(ms);
        }
        life.status = to;
        self.field_edit(
            conn,
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
        conn: &Connection,
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
        conn.prepare_cached(
            "INSERT INTO messages (id, ticket_id, direction, author_id, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![id, life.id, direction.code(), self.agents[actor].0, body, ms])?;
        if direction == Direction::Outbound && life.first_reply.is_none() {
            life.first_reply = Some(ms);
        }
        summary.messages += 1;
        let kind = ActivityKind::MessageAttached {
            message: MessageId(id),
            direction,
        };
        self.activity(conn, life, at, actor, &kind, summary)
    }

    fn note(
        &mut self,
        conn: &Connection,
        life: &mut Life,
        at: DateTime<Utc>,
        actor: usize,
        summary: &mut SeedSummary,
    ) -> Result<(), StoreError> {
        let id = self.next_note;
        self.next_note += 1;
        let body = self.pick(NOTES);
        let ms = to_millis(at);
        conn.prepare_cached(
            "INSERT INTO notes (id, ticket_id, author_id, body, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        )?
        .execute(params![id, life.id, self.agents[actor].0, body, ms])?;
        summary.notes += 1;
        self.activity(
            conn,
            life,
            at,
            actor,
            &ActivityKind::NoteAdded { note: NoteId(id) },
            summary,
        )
    }
}
