//! Crashes: another process raising tickets and changing them (statuses,
//! fields, notes, messages, tags, assignees) through the store is killed
//! (SIGKILL on Unix, TerminateProcess on Windows) at random moments. After
//! every kill the file passes SQLite's integrity check, opens, holds every
//! change the process reported as committed, and no ticket is half-written:
//! its row, notes, messages, tags and assignees agree with its activity trail.
//!
//! The process is this test binary run again on the ignored test
//! `crash_child`. `TICKETS_CRASH_TRIALS` sets how many kills (default 200);
//! `TICKETS_CRASH_SEED` replays a run's choices (what the child does, after how
//! many changes and how long after it is killed; not the exact instant).

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::fixtures::{
    Desk, child_job, env_number, is_field_edit, next_child_line, spawn_child_test, tell_parent,
};
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use tickets::clock::SystemClock;
use tickets::domain::{
    ActivityEntry, ActivityKind, AgentId, Direction, MessageId, NewCustomer, NewTicket, Note,
    NoteId, Priority, Status, TicketDetail, TicketNumber,
};
use tickets::store::schema::SCHEMA_VERSION;
use tickets::store::{ListRequest, Store, StoreError};

const TRIALS_VAR: &str = "TICKETS_CRASH_TRIALS";
const SEED_VAR: &str = "TICKETS_CRASH_SEED";
/// Set in the child process: its [`Job`], as JSON.
const CHILD_VAR: &str = "TICKETS_CRASH_CHILD";
const DEFAULT_TRIALS: usize = 200;
/// Kills per database file before starting on a new one, so that kills while
/// a new file is being created and set up are among the trials.
const TRIALS_PER_FILE: usize = 25;
/// The most changes a child makes before stopping by itself.
const MOST_CHANGES: usize = 150;
/// Tags the child adds and removes.
const TAGS: [&str; 5] = ["billing", "VIP", "hardware", "refund", "follow-up"];

/// What one child process is asked to do.
#[derive(Serialize, Deserialize)]
struct Job {
    path: PathBuf,
    seed: u64,
    /// Makes the text the child writes unique across the run.
    trial: usize,
    /// Instead of the store, a broken writer that changes statuses in two
    /// transactions (the ticket, then its activity entry): to show that a
    /// torn change is caught.
    torn: bool,
}

/// What a child tells its parent, one per line.
#[derive(Debug, Serialize, Deserialize)]
enum Said {
    /// The store is open and the agents and customers exist.
    Ready,
    /// About to make a change whose activity entry is of this kind (on this
    /// ticket; none for a new one).
    Trying {
        ticket: Option<TicketNumber>,
        kind: String,
    },
    /// The store reported this change committed; its activity entry is `kind`.
    Committed {
        ticket: TicketNumber,
        kind: ActivityKind,
    },
    /// The store refused or failed; the child stopped.
    Failed(String),
}

fn tell(said: &Said) {
    tell_parent(&serde_json::to_string(said).expect("encode for the parent"));
}

/// The name of an enum value's variant, from its `Debug` text.
fn variant(debug: &impl std::fmt::Debug) -> String {
    format!("{debug:?}")
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_owned()
}

// ---------------------------------------------------------------------------
// The child: changes the file until it is killed.

/// The people the child's changes refer to.
struct People {
    actor: AgentId,
    agents: Vec<(AgentId, String)>,
    customers: Vec<(tickets::domain::CustomerId, String)>,
}

/// The two agents and two customers, added if a previous child was killed
/// before adding them.
fn people(store: &mut Store) -> Result<People, StoreError> {
    for name in ["Ada Crash", "Bo Crash"] {
        if !store.agents()?.iter().any(|a| a.name == name) {
            store.add_agent(name, "")?;
        }
    }
    for name in ["Cy Customer", "Di Customer"] {
        if !store.find_customers("", 10)?.iter().any(|c| c.name == name) {
            store.add_customer(&NewCustomer {
                name: name.to_owned(),
                ..NewCustomer::default()
            })?;
        }
    }
    let agents: Vec<(AgentId, String)> = store
        .agents()?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    Ok(People {
        actor: agents[0].0,
        agents,
        customers: store
            .find_customers("", 10)?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect(),
    })
}

/// A change the child is about to make; each has exactly one activity entry,
/// of the kind its name says.
#[derive(Debug)]
enum Plan {
    Created(NewTicket),
    StatusChanged(Status),
    PriorityChanged(Priority),
    SubjectEdited(String),
    DescriptionEdited(String),
    CustomerChanged(Option<(tickets::domain::CustomerId, String)>),
    CsatRecorded(u8),
    AgentAssigned(AgentId, String),
    AgentUnassigned(AgentId, String),
    TagAdded(&'static str),
    TagRemoved(tickets::domain::Tag),
    NoteAdded(String),
    NoteEdited(Note, String),
    NoteDeleted(Note),
    MessageAttached(Direction, String),
}

/// Text of about `len` characters carrying `token`: long ones span many
/// database pages, so a kill can land in the middle of writing them.
fn text(rng: &mut fastrand::Rng, token: &str, most: usize) -> String {
    let len = if rng.u8(0..4) == 0 {
        rng.usize(0..most)
    } else {
        rng.usize(0..200)
    };
    let mut text = format!("{token}:");
    while text.len() < len {
        text.push_str(if rng.bool() {
            " lorem ipsum"
        } else {
            "\nnext line"
        });
    }
    text
}

/// Picks a change to `detail` (a change that changes something).
fn plan(rng: &mut fastrand::Rng, people: &People, detail: &TicketDetail, token: &str) -> Plan {
    let other_status = |rng: &mut fastrand::Rng| loop {
        let to = Status::ALL[rng.usize(..Status::ALL.len())];
        if to != detail.status {
            return to;
        }
    };
    let assigned = |id: AgentId| detail.assignees.iter().any(|a| a.id == id);
    match rng.u8(0..100) {
        0..20 => Plan::StatusChanged(other_status(rng)),
        20..28 => loop {
            let to = Priority::ALL[rng.usize(..Priority::ALL.len())];
            if to != detail.priority {
                return Plan::PriorityChanged(to);
            }
        },
        28..36 => Plan::SubjectEdited(format!("Crash {token} subject")),
        36..42 => Plan::DescriptionEdited(text(rng, token, 60_000)),
        42..47 => {
            let now = detail.customer.as_ref().map(|c| c.id);
            let choices: Vec<_> = std::iter::once(None)
                .chain(people.customers.iter().cloned().map(Some))
                .filter(|c| c.as_ref().map(|c| c.0) != now)
                .collect();
            Plan::CustomerChanged(choices[rng.usize(..choices.len())].clone())
        }
        47..52 if detail.status.is_resolved_like() => loop {
            let rating = rng.u8(1..=5);
            if Some(rating) != detail.csat {
                return Plan::CsatRecorded(rating);
            }
        },
        47..52 => Plan::StatusChanged(Status::Resolved),
        52..58 => {
            let (id, name) = people.agents[rng.usize(..people.agents.len())].clone();
            if assigned(id) {
                Plan::AgentUnassigned(id, name)
            } else {
                Plan::AgentAssigned(id, name)
            }
        }
        58..64 => {
            let name = TAGS[rng.usize(..TAGS.len())];
            match detail
                .tags
                .iter()
                .find(|t| t.name.eq_ignore_ascii_case(name))
            {
                Some(tag) => Plan::TagRemoved(tag.clone()),
                None => Plan::TagAdded(name),
            }
        }
        64..78 => Plan::NoteAdded(text(rng, token, 20_000)),
        78..84 if !detail.notes.is_empty() => {
            let note = detail.notes[rng.usize(..detail.notes.len())].clone();
            Plan::NoteEdited(note, text(rng, token, 20_000))
        }
        84..89 if !detail.notes.is_empty() => {
            Plan::NoteDeleted(detail.notes[rng.usize(..detail.notes.len())].clone())
        }
        78..89 => Plan::NoteAdded(text(rng, token, 20_000)),
        _ => {
            let direction = if rng.bool() {
                Direction::Inbound
            } else {
                Direction::Outbound
            };
            Plan::MessageAttached(direction, text(rng, token, 20_000))
        }
    }
}

/// Makes the planned change; returns the ticket and its activity entry.
fn apply(
    store: &mut Store,
    actor: AgentId,
    detail: Option<&TicketDetail>,
    plan: Plan,
) -> Result<(TicketNumber, ActivityKind), StoreError> {
    let Some(d) = detail else {
        let Plan::Created(new) = plan else {
            unreachable!("only a new ticket is planned without one")
        };
        return Ok((store.create_ticket(actor, &new)?, ActivityKind::Created));
    };
    let (n, v) = (d.number, d.version);
    let kind = match plan {
        Plan::Created(_) => unreachable!("a new ticket is planned without one"),
        Plan::StatusChanged(to) => {
            store.set_status(actor, n, v, to)?;
            ActivityKind::StatusChanged { from: d.status, to }
        }
        Plan::PriorityChanged(to) => {
            store.set_priority(actor, n, v, to)?;
            ActivityKind::PriorityChanged {
                from: d.priority,
                to,
            }
        }
        Plan::SubjectEdited(to) => {
            store.set_subject(actor, n, v, &to)?;
            ActivityKind::SubjectEdited {
                from: d.subject.clone(),
                to,
            }
        }
        Plan::DescriptionEdited(text) => {
            store.set_description(actor, n, v, &text)?;
            ActivityKind::DescriptionEdited
        }
        Plan::CustomerChanged(to) => {
            store.set_customer(actor, n, v, to.as_ref().map(|c| c.0))?;
            ActivityKind::CustomerChanged {
                from: d.customer.as_ref().map(|c| c.name.clone()),
                to: to.map(|c| c.1),
            }
        }
        Plan::CsatRecorded(rating) => {
            store.set_csat(actor, n, v, rating)?;
            ActivityKind::CsatRecorded {
                rating,
                previous: d.csat,
            }
        }
        Plan::AgentAssigned(agent, name) => {
            store.assign(actor, n, agent)?;
            ActivityKind::AgentAssigned { agent, name }
        }
        Plan::AgentUnassigned(agent, name) => {
            store.unassign(actor, n, agent)?;
            ActivityKind::AgentUnassigned { agent, name }
        }
        Plan::TagAdded(name) => ActivityKind::TagAdded {
            tag: store.add_tag(actor, n, name)?.name,
        },
        Plan::TagRemoved(tag) => {
            store.remove_tag(actor, n, tag.id)?;
            ActivityKind::TagRemoved { tag: tag.name }
        }
        Plan::NoteAdded(body) => ActivityKind::NoteAdded {
            note: store.add_note(actor, n, &body)?,
        },
        Plan::NoteEdited(note, body) => {
            store.edit_note(actor, note.id, note.version, &body)?;
            ActivityKind::NoteEdited { note: note.id }
        }
        Plan::NoteDeleted(note) => {
            store.delete_note(actor, note.id)?;
            ActivityKind::NoteDeleted {
                note: note.id,
                text: note.body,
            }
        }
        Plan::MessageAttached(direction, body) => ActivityKind::MessageAttached {
            message: store.add_message(actor, n, direction, &body)?,
            direction,
        },
    };
    Ok((n, kind))
}

/// The broken writer: moves a ticket between Open and Waiting as the store
/// would, but commits the ticket's row and its activity entry separately.
fn torn_status_change(
    path: &Path,
    d: &TicketDetail,
    actor: AgentId,
    to: Status,
) -> Result<(), StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    let now = tickets::domain::to_millis(Utc::now());
    conn.execute(
        "UPDATE tickets SET status = ?2, version = version + 1, updated_at = max(updated_at, ?3)
         WHERE id = ?1",
        rusqlite::params![d.number, to.code(), now],
    )?;
    conn.execute(
        "INSERT INTO activity (ticket_id, at, agent_id, kind, old_value, new_value)
         VALUES (?1, ?2, ?3, 'status', ?4, ?5)",
        rusqlite::params![d.number, now, actor, d.status.code(), to.code()],
    )?;
    Ok(())
}

fn run_child(job: &Job) -> Result<(), StoreError> {
    let mut rng = fastrand::Rng::with_seed(job.seed);
    let mut store = Store::open(&job.path, Arc::new(SystemClock))?;
    let people = people(&mut store)?;
    tell(&Said::Ready);
    let all = ListRequest {
        limit: 10_000,
        ..ListRequest::default()
    };
    for change in 0..MOST_CHANGES {
        let token = format!("t{}-{change}", job.trial);
        let numbers = store.list_numbers(&all)?;
        let raise = numbers.len() < 3 || (numbers.len() < 40 && rng.u8(0..8) == 0);
        let detail = if raise {
            None
        } else {
            Some(store.load_ticket(numbers[rng.usize(..numbers.len())])?)
        };
        let plan = match &detail {
            Some(d) if job.torn => Plan::StatusChanged(match d.status {
                Status::Open => Status::Waiting,
                _ => Status::Open,
            }),
            None => Plan::Created(NewTicket {
                subject: format!("Crash ticket {token}"),
                description: text(&mut rng, &token, 20_000),
                priority: Priority::ALL[rng.usize(..Priority::ALL.len())],
                customer: None,
            }),
            Some(d) => plan(&mut rng, &people, d, &token),
        };
        tell(&Said::Trying {
            ticket: detail.as_ref().map(|d| d.number),
            kind: variant(&plan),
        });
        let (ticket, kind) = match (&detail, plan) {
            (Some(d), Plan::StatusChanged(to)) if job.torn => {
                torn_status_change(&job.path, d, people.actor, to)?;
                (d.number, ActivityKind::StatusChanged { from: d.status, to })
            }
            (detail, plan) => apply(&mut store, people.actor, detail.as_ref(), plan)?,
        };
        tell(&Said::Committed { ticket, kind });
    }
    Ok(())
}

#[test]
#[ignore = "the process that crashes_lose_nothing_and_tear_no_ticket starts and kills"]
fn crash_child() {
    // Run by hand, without a job, there is nothing to do.
    let Some(job) = child_job::<Job>(CHILD_VAR) else {
        return;
    };
    if let Err(e) = run_child(&job) {
        tell(&Said::Failed(e.to_string()));
        panic!("{e}");
    }
}

// ---------------------------------------------------------------------------
// Checking a file after a crash.

/// SQLite's own checks of the file through a plain connection: its pages,
/// indexes and foreign keys.
fn file_problems(path: &Path) -> Vec<String> {
    let conn = Connection::open(path).expect("a plain connection opens the file");
    let mut problems = Vec::new();
    for check in ["integrity_check", "foreign_key_check"] {
        // integrity_check says "ok" or what is wrong; foreign_key_check names
        // the table of each row whose reference leads nowhere.
        let found: rusqlite::Result<Vec<String>> = conn
            .prepare(&format!("SELECT * FROM pragma_{check}"))
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect());
        match found {
            Ok(rows) if rows.is_empty() || rows == ["ok"] => {}
            Ok(rows) => problems.push(format!("{check}: {rows:?}")),
            Err(e) => problems.push(format!("{check} failed: {e}")),
        }
    }
    problems
}

/// What the store derives from the tickets and their trails and keeps beside
/// them: both full-text indexes and each agent's first and last event per ticket.
fn derived_problems(path: &Path) -> Vec<String> {
    let conn = Connection::open(path).expect("a plain connection opens the file");
    let mut problems = Vec::new();
    for table in ["ticket_search", "customer_search"] {
        if let Err(e) = conn.execute(
            &format!("INSERT INTO {table}({table}) VALUES ('integrity-check')"),
            [],
        ) {
            problems.push(format!("{table}: {e}"));
        }
    }
    let astray = conn.query_row(
        "SELECT count(*) FROM (
             SELECT agent_id, ticket_id, min(at) AS f, max(at) AS l FROM activity
             WHERE agent_id IS NOT NULL GROUP BY agent_id, ticket_id) a
         FULL JOIN agent_tickets t USING (agent_id, ticket_id)
         WHERE a.f IS NOT t.first_at OR a.l IS NOT t.last_at",
        [],
        |r| r.get::<_, i64>(0),
    );
    match astray {
        Ok(0) => {}
        Ok(n) => problems.push(format!("{n} agent_tickets rows disagree with the trail")),
        Err(e) => problems.push(format!("agent_tickets: {e}")),
    }
    problems
}

/// Each value of a field as its trail tells it, oldest first: checks that each
/// change starts from where the previous one left the field.
struct Chain<T> {
    now: Option<T>,
    name: &'static str,
}

impl<T: PartialEq + std::fmt::Debug + Clone> Chain<T> {
    fn new(name: &'static str, start: Option<T>) -> Self {
        Chain { now: start, name }
    }

    fn step(&mut self, from: &T, to: &T, problems: &mut Vec<String>) {
        if self.now.as_ref().is_some_and(|now| now != from) {
            problems.push(format!(
                "{} changed from {from:?} but was {:?}",
                self.name, self.now
            ));
        }
        if from == to {
            problems.push(format!("{} “changed” from {from:?} to itself", self.name));
        }
        self.now = Some(to.clone());
    }

    fn ends_at(&self, actual: &T, problems: &mut Vec<String>) {
        if self.now.as_ref().is_some_and(|now| now != actual) {
            problems.push(format!(
                "{} is {actual:?} but its trail ends at {:?}",
                self.name, self.now
            ));
        }
    }
}

fn check<T: PartialEq + std::fmt::Debug>(
    what: &str,
    actual: T,
    by_trail: T,
    problems: &mut Vec<String>,
) {
    if actual != by_trail {
        problems.push(format!("{what} is {actual:?}, its trail says {by_trail:?}"));
    }
}

/// Ways a ticket is half-written: a change without its activity entry or an
/// entry without its change. Replays the trail (oldest first) and compares
/// the outcome with the ticket as loaded: the version counts the field edits;
/// status, priority, subject, customer and rating end where their trail does,
/// each change starting from where the last left off; assignees, tags, notes
/// (with their versions and times) and messages are exactly those the trail
/// added and did not take away; the resolution, close and first-reply moments
/// and the last-updated time are those of their entries.
fn half_written(d: &TicketDetail) -> Vec<String> {
    let mut problems = Vec::new();
    let trail: Vec<&ActivityEntry> = d.activity.iter().rev().collect();
    let created: Vec<_> = trail
        .iter()
        .filter(|e| e.kind == ActivityKind::Created)
        .collect();
    match created.as_slice() {
        [one] if std::ptr::eq(**one, trail[0]) => {
            check("created", d.created, one.at, &mut problems)
        }
        _ => problems.push(format!(
            "{} “created” entries, not one first",
            created.len()
        )),
    }
    let edits = trail.iter().filter(|e| is_field_edit(&e.kind)).count();
    check("version", d.version, 1 + edits as i64, &mut problems);
    check(
        "updated",
        Some(d.updated),
        trail.iter().map(|e| e.at).max(),
        &mut problems,
    );

    let mut status = Chain::new("status", Some(Status::Open));
    let mut priority = Chain::new("priority", None);
    let mut subject = Chain::new("subject", None);
    let mut customer = Chain::new("customer", None);
    let mut csat = Chain::new("rating", Some(None));
    let (mut resolved, mut closed, mut first_reply) = (None, None, None);
    let mut assignees = BTreeSet::new();
    let mut tags = BTreeSet::new();
    // Note → (created, updated, version); message → (direction, at).
    let mut notes: BTreeMap<NoteId, (DateTime<Utc>, DateTime<Utc>, i64)> = BTreeMap::new();
    let mut messages: BTreeMap<MessageId, (Direction, DateTime<Utc>)> = BTreeMap::new();
    for e in &trail {
        // What the entry says was there (or not) before it, if it was not.
        let mut wrong = None;
        match &e.kind {
            // What an erasure rewrites has no entries of its own (the children never erase).
            // Nor do merges and links, which the children never make, and a
            // canned reply's use changes nothing itself (what it sets has its own).
            ActivityKind::Created
            | ActivityKind::CannedUsed { .. }
            | ActivityKind::DescriptionEdited
            | ActivityKind::CustomerErased { .. }
            | ActivityKind::MergedInto { .. }
            | ActivityKind::MergedFrom { .. }
            | ActivityKind::Linked { .. }
            | ActivityKind::Unlinked { .. } => {}
            ActivityKind::StatusChanged { from, to } => {
                status.step(from, to, &mut problems);
                if !to.is_resolved_like() {
                    resolved = None;
                } else if !from.is_resolved_like() {
                    resolved = Some((e.at, e.actor));
                }
                if *to == Status::Closed {
                    closed = Some(e.at);
                }
            }
            ActivityKind::PriorityChanged { from, to } => priority.step(from, to, &mut problems),
            ActivityKind::SubjectEdited { from, to } => subject.step(from, to, &mut problems),
            ActivityKind::CustomerChanged { from, to } => customer.step(from, to, &mut problems),
            ActivityKind::CsatRecorded { rating, previous } => {
                csat.step(previous, &Some(*rating), &mut problems);
            }
            ActivityKind::AgentAssigned { agent, .. } => {
                if !assignees.insert(*agent) {
                    wrong = Some(format!("{agent:?} was not assigned"));
                }
            }
            ActivityKind::AgentUnassigned { agent, .. } => {
                if !assignees.remove(agent) {
                    wrong = Some(format!("{agent:?} was assigned"));
                }
            }
            ActivityKind::TagAdded { tag } => {
                if !tags.insert(tag.to_lowercase()) {
                    wrong = Some(format!("tag {tag} was off"));
                }
            }
            ActivityKind::TagRemoved { tag } => {
                if !tags.remove(&tag.to_lowercase()) {
                    wrong = Some(format!("tag {tag} was on"));
                }
            }
            ActivityKind::NoteAdded { note } => {
                if notes.insert(*note, (e.at, e.at, 1)).is_some() {
                    wrong = Some(format!("{note:?} was new"));
                }
            }
            ActivityKind::NoteEdited { note } => match notes.get_mut(note) {
                Some(n) => *n = (n.0, e.at, n.2 + 1),
                None => wrong = Some(format!("{note:?} existed when edited")),
            },
            ActivityKind::NoteDeleted { note, .. } => {
                if notes.remove(note).is_none() {
                    wrong = Some(format!("{note:?} existed when deleted"));
                }
            }
            ActivityKind::MessageAttached { message, direction } => {
                messages.insert(*message, (*direction, e.at));
                if *direction == Direction::Outbound && first_reply.is_none() {
                    first_reply = Some(e.at);
                }
            }
        }
        if let Some(wrong) = wrong {
            problems.push(format!("entry {} says {wrong}, but not so", e.id));
        }
    }
    status.ends_at(&d.status, &mut problems);
    priority.ends_at(&d.priority, &mut problems);
    subject.ends_at(&d.subject, &mut problems);
    customer.ends_at(&d.customer.as_ref().map(|c| c.name.clone()), &mut problems);
    csat.ends_at(&d.csat, &mut problems);
    check(
        "resolved",
        d.resolved.map(|at| (at, d.resolved_by)),
        resolved,
        &mut problems,
    );
    check("closed", d.closed, closed, &mut problems);
    check("first reply", d.first_reply, first_reply, &mut problems);
    check(
        "assignees",
        d.assignees.iter().map(|a| a.id).collect(),
        assignees,
        &mut problems,
    );
    check(
        "tags",
        d.tags.iter().map(|t| t.name.to_lowercase()).collect(),
        tags,
        &mut problems,
    );
    check(
        "notes",
        d.notes
            .iter()
            .map(|n| (n.id, (n.created, n.updated, n.version)))
            .collect(),
        notes,
        &mut problems,
    );
    check(
        "messages",
        d.messages
            .iter()
            .map(|m| (m.id, (m.direction, m.at)))
            .collect(),
        messages,
        &mut problems,
    );
    problems
}

/// Every ticket in the file, with everything about it, read through the store.
fn every_ticket(store: &Store) -> Vec<TicketDetail> {
    let all = ListRequest {
        limit: 100_000,
        ..ListRequest::default()
    };
    let mut numbers = store.list_numbers(&all).expect("list the tickets");
    numbers.sort();
    numbers
        .into_iter()
        .map(|n| store.load_ticket(n).expect("load a ticket"))
        .collect()
}

// ---------------------------------------------------------------------------
// The parent: starts children, kills them, checks the file.

/// What one child said before it died.
#[derive(Default)]
struct Heard {
    ready: bool,
    committed: Vec<(TicketNumber, ActivityKind)>,
    /// The change under way when it was killed, if any.
    in_flight: Option<(Option<TicketNumber>, String)>,
}

/// Runs one child on `path` and kills it at a random moment; returns what it said.
fn crash_once(rng: &mut fastrand::Rng, path: &Path, trial: usize, torn: bool) -> Heard {
    let job = Job {
        path: path.to_path_buf(),
        seed: rng.u64(..),
        trial,
        torn,
    };
    let mut child = spawn_child_test(
        "crash::crash_child",
        &[(
            CHILD_VAR,
            serde_json::to_string(&job).expect("encode the job"),
        )],
    );
    let mut out = BufReader::new(child.stdout.take().expect("the child's output"));
    // Mostly after some changes and a fraction of one more (a change takes a
    // few milliseconds); sometimes while the process starts and opens the
    // file, always so on a new file (while it is being created and set up).
    let early = trial.is_multiple_of(TRIALS_PER_FILE) || rng.u8(0..10) == 0;
    let changes = rng.usize(0..=40);
    let pause = Duration::from_micros(if early {
        rng.u64(0..20_000)
    } else {
        rng.u64(0..3_000)
    });
    let mut heard = Heard::default();
    let hear = |line: String, heard: &mut Heard| match serde_json::from_str(&line)
        .unwrap_or_else(|e| panic!("trial {trial}: unreadable line {line:?}: {e}"))
    {
        Said::Ready => heard.ready = true,
        Said::Trying { ticket, kind } => heard.in_flight = Some((ticket, kind)),
        Said::Committed { ticket, kind } => {
            heard.in_flight = None;
            heard.committed.push((ticket, kind));
        }
        Said::Failed(message) => panic!("trial {trial}: the store failed: {message}"),
    };
    if !early {
        while !(heard.ready && heard.committed.len() >= changes)
            && let Some(line) = next_child_line(&mut out)
        {
            hear(line, &mut heard);
        }
    }
    std::thread::sleep(pause);
    // SIGKILL on Unix: no destructor, no flush, no SQLite clean-up runs.
    let _ = child.kill();
    let status = child.wait().expect("wait for the child");
    while let Some(line) = next_child_line(&mut out) {
        hear(line, &mut heard);
    }
    if status.success() {
        // It finished its changes before the kill: fine, nothing in flight.
        assert!(heard.in_flight.is_none(), "trial {trial}: ended mid-change");
    }
    #[cfg(unix)]
    {
        use std::io::Read;
        use std::os::unix::process::ExitStatusExt;
        if !status.success() && status.signal() != Some(9) {
            let mut stderr = String::new();
            let _ = child
                .stderr
                .take()
                .map(|mut e| e.read_to_string(&mut stderr));
            panic!("trial {trial}: the child failed by itself ({status}): {stderr}");
        }
    }
    heard
}

/// What the parent has checked so far.
#[derive(Default)]
struct Checked {
    /// The newest activity entry of the current file already matched to a
    /// reported change.
    last_entry: i64,
    /// Reported changes, all found.
    reported: usize,
    /// Kills in the middle of a change, which was then found whole or not at all.
    mid_change_kept: usize,
    mid_change_undone: usize,
    /// Kills before the process had opened the file and added its people, and
    /// of those, ones that left a new file not yet fully set up.
    before_ready: usize,
    setup_cut: usize,
}

/// The file's schema version, read without the store (which would upgrade it).
fn schema_version(path: &Path) -> i64 {
    Connection::open(path)
        .and_then(|c| c.pragma_query_value(None, "user_version", |r| r.get(0)))
        .expect("read the schema version")
}

/// Checks the file after a kill; panics with what is wrong.
fn check_after_crash(path: &Path, heard: &Heard, checked: &mut Checked, context: &str) {
    let problems = file_problems(path);
    assert!(
        problems.is_empty(),
        "{context}: the file is damaged: {problems:#?}"
    );
    if !heard.ready {
        checked.before_ready += 1;
        checked.setup_cut += usize::from(schema_version(path) < SCHEMA_VERSION);
    }
    let store = Store::open(path, Arc::new(SystemClock))
        .unwrap_or_else(|e| panic!("{context}: the store does not open: {e}"));
    let problems = derived_problems(path);
    assert!(
        problems.is_empty(),
        "{context}: derived data is off: {problems:#?}"
    );
    if heard.ready {
        let agents = store.agents().expect("agents");
        assert!(
            agents.len() >= 2,
            "{context}: agents reported added are missing"
        );
    }
    let tickets = every_ticket(&store);
    for d in &tickets {
        let problems = half_written(d);
        assert!(
            problems.is_empty(),
            "{context}: {} is half-written: {problems:#?}\n{d:#?}",
            d.number
        );
    }
    // The entries this child's changes added, in the order they were made.
    let mut entries: Vec<(i64, TicketNumber, &ActivityKind)> = tickets
        .iter()
        .flat_map(|d| d.activity.iter().map(|e| (e.id, d.number, &e.kind)))
        .filter(|(id, ..)| *id > checked.last_entry)
        .collect();
    entries.sort_by_key(|(id, ..)| *id);
    let reported = heard.committed.len();
    for (i, (ticket, kind)) in heard.committed.iter().enumerate() {
        let found = entries.get(i).map(|(_, t, k)| (*t, *k));
        assert_eq!(
            found,
            Some((*ticket, kind)),
            "{context}: reported change {i} of {reported} is not in the file as reported"
        );
    }
    match (&entries[reported.min(entries.len())..], &heard.in_flight) {
        ([], None) => {}
        ([], Some(_)) => checked.mid_change_undone += 1,
        ([(_, ticket, kind)], Some((trying, plan))) => {
            assert!(
                trying.is_none_or(|t| t == *ticket) && variant(kind) == *plan,
                "{context}: an unreported change {kind:?} on {ticket} is not the one in flight ({plan} on {trying:?})"
            );
            checked.mid_change_kept += 1;
        }
        (extra, _) => panic!(
            "{context}: changes nobody reported are in the file: {extra:#?} (in flight: {:?})",
            heard.in_flight
        ),
    }
    checked.reported += reported;
    checked.last_entry = entries.last().map_or(checked.last_entry, |(id, ..)| *id);
}

#[test]
fn crashes_lose_nothing_and_tear_no_ticket() {
    let trials = env_number(TRIALS_VAR).map_or(DEFAULT_TRIALS, |n| n as usize);
    let seed = env_number(SEED_VAR).unwrap_or_else(|| fastrand::u64(..));
    let mut rng = fastrand::Rng::with_seed(seed);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut checked = Checked::default();
    for trial in 0..trials {
        if trial.is_multiple_of(TRIALS_PER_FILE) {
            checked.last_entry = 0;
        }
        let path = dir
            .path()
            .join(format!("crash-{}.db", trial / TRIALS_PER_FILE));
        let heard = crash_once(&mut rng, &path, trial, false);
        let context = format!("trial {trial} ({SEED_VAR}={seed}, file {})", path.display());
        check_after_crash(&path, &heard, &mut checked, &context);
    }
    let mid_change = checked.mid_change_kept + checked.mid_change_undone;
    println!(
        "{trials} kills ({SEED_VAR}={seed}): {} reported changes, all found; {mid_change} kills \
         mid-change ({} found whole, {} not at all); {} kills while starting, {} of them \
         while a new file was being set up",
        checked.reported,
        checked.mid_change_kept,
        checked.mid_change_undone,
        checked.before_ready,
        checked.setup_cut
    );
    // The kills really did land in the middle of writing.
    if trials >= 20 {
        assert!(
            checked.reported > 0 && mid_change > 0,
            "no kill landed mid-change"
        );
    }
}

// ---------------------------------------------------------------------------
// The checks above can fail: a writer that tears changes is caught, and so
// is each way of tearing a ticket.

#[test]
fn killing_a_writer_that_splits_its_changes_leaves_a_torn_ticket_that_is_caught() {
    let seed = env_number(SEED_VAR).unwrap_or_else(|| fastrand::u64(..));
    let mut rng = fastrand::Rng::with_seed(seed);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("torn.db");
    // A kill lands between the two halves of a change in most trials (three
    // in four here); forty trials all missing it would take a freak run.
    for trial in 0..40 {
        let heard = crash_once(&mut rng, &path, trial + 1, true);
        let store = Store::open(&path, Arc::new(SystemClock))
            .unwrap_or_else(|e| panic!("open after trial {trial} ({SEED_VAR}={seed}): {e:?}"));
        let torn: Vec<TicketNumber> = every_ticket(&store)
            .iter()
            .filter(|d| !half_written(d).is_empty())
            .map(|d| d.number)
            .collect();
        if !torn.is_empty() {
            // Only the change the kill interrupted is torn: whole ones pass.
            let in_flight = heard.in_flight.and_then(|(ticket, _)| ticket);
            assert_eq!(torn, Vec::from_iter(in_flight), "{SEED_VAR}={seed}");
            return;
        }
    }
    panic!("no kill tore a change in 40 trials ({SEED_VAR}={seed})");
}

#[test]
fn the_half_written_check_catches_every_kind_of_tear() {
    // A ticket with one of everything, then torn one way at a time through
    // plain SQL, as an interrupted multi-statement write would leave it.
    let tears = [
        ("status without its entry", "UPDATE tickets SET status = 2"),
        (
            "priority without its entry",
            "UPDATE tickets SET priority = 0",
        ),
        (
            "subject without its entry",
            "UPDATE tickets SET subject = 'x'",
        ),
        (
            "version not moved",
            "UPDATE tickets SET version = version - 1",
        ),
        ("close moment lost", "UPDATE tickets SET closed_at = NULL"),
        (
            "resolution moment lost",
            "UPDATE tickets SET resolved_at = NULL",
        ),
        (
            "first reply lost",
            "UPDATE tickets SET first_reply_at = NULL",
        ),
        ("rating without its entry", "UPDATE tickets SET csat = 1"),
        (
            "update time behind",
            "UPDATE tickets SET updated_at = updated_at - 1",
        ),
        (
            "note without its entry",
            "INSERT INTO notes (ticket_id, body, created_at, updated_at) VALUES (1, 'n', 0, 0)",
        ),
        ("note entry without its note", "DELETE FROM notes"),
        (
            "note edit without its entry",
            "UPDATE notes SET version = version + 1",
        ),
        (
            "message without its entry",
            "INSERT INTO messages (ticket_id, direction, body, created_at) VALUES (1, 0, 'm', 0)",
        ),
        ("message entry without its message", "DELETE FROM messages"),
        ("tag entry without its tag", "DELETE FROM ticket_tags"),
        (
            "assignee entry without the assignee",
            "DELETE FROM ticket_assignees",
        ),
        (
            "status entry without the change",
            "INSERT INTO activity (ticket_id, at, agent_id, kind, old_value, new_value) VALUES (1, 0, 1, 'status', 4, 0)",
        ),
        (
            "note entry without a note",
            "INSERT INTO activity (ticket_id, at, agent_id, kind, ref_id) VALUES (1, 0, 1, 'note_added', 999)",
        ),
    ];
    for (what, sql) in tears {
        let mut desk = Desk::new();
        let dana = desk.dana;
        let n = desk.ticket("Printer on fire");
        let s = &mut desk.store;
        s.set_priority(dana, n, 1, Priority::High).unwrap();
        s.set_subject(dana, n, 2, "Printer still on fire").unwrap();
        s.set_status(dana, n, 3, Status::Closed).unwrap();
        s.set_csat(dana, n, 4, 4).unwrap();
        s.assign(dana, n, dana).unwrap();
        s.add_tag(dana, n, "hardware").unwrap();
        let note = s.add_note(dana, n, "Called facilities").unwrap();
        s.edit_note(dana, note, 1, "Called facilities twice")
            .unwrap();
        s.add_message(dana, n, Direction::Outbound, "On it")
            .unwrap();
        assert_eq!(half_written(&desk.load(n)), Vec::<String>::new(), "whole");
        desk.raw().execute_batch(sql).unwrap();
        assert_ne!(half_written(&desk.load(n)), Vec::<String>::new(), "{what}");
    }
}
