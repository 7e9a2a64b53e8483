//! Importing tickets from other help desks ([`crate::store::Store::import_batch`],
//! [`crate::store::Store::import_plan`]): the part both engines share.
//!
//! An engine answers a few questions inside its transaction (`ImportDesk`:
//! which ticket a source id was imported as, who a person is, the ticket as
//! it stands) and writes single rows (`ImportWrite`); everything an import
//! decides is decided here, once: which rows are refused and why, who is
//! new, what a new ticket's trail and analytics moments are, what changed
//! in one imported before. The dry run (`plan_batch`) runs the very same
//! decisions over reads alone, so what it says is what the import does
//! (one exception: a source id met twice in one dry run is planned as an
//! update the second time, changed or not, since the dry run keeps no
//! tickets' text from batch to batch).
//!
//! - **People** are matched by email, ignoring case, or by name where the
//!   source gives no email; one not found is created. An agent created so is
//!   an ordinary active agent: they are the team's agents in the help desk
//!   it leaves, whom its tickets are assigned to and whose replies its
//!   history holds, so they stay assignable and named in the pickers; one
//!   who left is deactivated as any agent is. (On a team server an agent
//!   made so has no login until an admin gives them one.)
//! - **A new ticket** keeps the source's creation time. Tickets are numbered
//!   in creation order (the list and the analytics read a created range as
//!   a range of numbers), so a ticket created before the newest one already
//!   in the store is refused with a sentence saying so: import into a new
//!   store, oldest first (the order help desks export in).
//! - Its comments become the conversation (the customer's: in; an agent's
//!   public ones: replies, out) and private ones internal notes, each at
//!   its time by its author; its status history becomes status entries in
//!   its trail, by whoever made them; where the source has no history, its
//!   solved and closed times (else its last update) stand for it. From
//!   these come the moments the analytics read (docs/METRICS.md): first
//!   reply (the first agent reply at or after creation, else the source's
//!   first-reply time), resolution (the last entry into a resolved-like
//!   status from one that is not, by whoever made it), close (the last
//!   entry into Closed). Entries the import makes for its own bookkeeping
//!   (created, its tags, its assignee, status moves the source did not
//!   attribute) carry no agent, so they credit nobody's handled tickets.
//! - **A ticket imported before** (same source, same id) is updated: the
//!   fields that differ are set, each with its entry by the importing agent
//!   now (a status at the source's time of it, by whoever the source says
//!   made it), missing tags and the assignee added (none taken away: an
//!   agent here may have added them), and comments not there yet (the same
//!   time and text) added, each by its author; nothing differing: unchanged.
//! - Its due times are worked out again afterwards, as after any change
//!   ([`crate::store::Store::refresh_due`]).

use std::collections::{HashMap, HashSet};

use crate::domain::validate;
use crate::domain::{
    ActivityKind, AgentId, CustomerId, Direction, ImportedPerson, ImportedTicket, MessageId,
    NoteId, Priority, Status, TicketNumber, to_millis,
};
use crate::store::StoreError;

/// What importing one ticket of a batch did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportResult {
    /// A new ticket was made.
    Created(TicketNumber),
    /// The ticket imported from the same source id before was changed.
    Updated(TicketNumber),
    /// The ticket imported from the same source id before is as the source
    /// has it: nothing was written.
    Unchanged(TicketNumber),
    /// Nothing was written for it, for the reason given (a sentence); the
    /// rest of the batch went on.
    Refused(String),
}

/// What importing a batch did: ticket by ticket (what it derefs to), and
/// the people it made.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchResults {
    /// One for each ticket of the batch, in its order.
    pub tickets: Vec<ImportResult>,
    /// Customers made.
    pub new_customers: u64,
    /// Agents made, by name, in the order they were.
    pub new_agents: Vec<String>,
}

impl std::ops::Deref for BatchResults {
    type Target = [ImportResult];

    fn deref(&self) -> &[ImportResult] {
        &self.tickets
    }
}

/// What importing one ticket would do, as the dry run says it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Planned {
    /// A new ticket would be made.
    Create,
    /// The ticket imported from this source id would be changed: its number,
    /// or `None` when an earlier row of the same dry run makes it.
    Update(Option<TicketNumber>),
    /// The ticket imported from this source id would not change.
    Unchanged(TicketNumber),
    /// It would be refused, for the reason given (a sentence).
    Refused(String),
}

/// One ticket of a dry run: where it is in the source, what importing it
/// would do, and who it would add.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedRow {
    /// Its line (or record) in the source.
    pub line: u64,
    /// Its id in the source.
    pub external_id: String,
    /// What would happen to it.
    pub planned: Planned,
    /// The customers it would create (their email, else their name): each
    /// is listed once in a dry run, at the first row naming them.
    pub new_customers: Vec<String>,
    /// The agents it would create, likewise.
    pub new_agents: Vec<String>,
}

/// What a dry run remembers from one batch to the next, so that a customer
/// new in the first batch is not new again in the second, and a source id
/// made in one is an update in the next. Start one per dry run
/// (`ImportPlan::default()`) and hand the same one to each batch's
/// [`crate::store::Store::import_plan`]. It holds a key per person and per
/// ticket the run would create, and nothing of their text.
#[derive(Clone, Debug, Default)]
pub struct ImportPlan {
    customers: HashSet<String>,
    agents: HashSet<String>,
    created: HashSet<String>,
    newest: Option<i64>,
}

/// How a person is looked for: by email (lower-cased), else by name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Who {
    /// Their email, lower-cased.
    Email(String),
    /// Their name, as given (compared ignoring case).
    Name(String),
}

impl Who {
    /// How `person` is looked for; `None` when the source names nobody.
    fn of(person: &ImportedPerson) -> Option<Who> {
        let email = person.email.trim();
        if !email.is_empty() {
            return Some(Who::Email(email.to_lowercase()));
        }
        let name = person.name.trim();
        (!name.is_empty()).then(|| Who::Name(name.to_owned()))
    }

    /// The key a dry run remembers them by, and names them with.
    fn key(&self) -> String {
        match self {
            Who::Email(email) => email.clone(),
            Who::Name(name) => name.to_lowercase(),
        }
    }
}

/// A ticket as it stands, for an update to compare with.
#[derive(Clone, Debug)]
pub(crate) struct Existing {
    pub subject: String,
    pub description: String,
    pub status: Status,
    pub priority: Priority,
    pub customer: Option<(CustomerId, String)>,
    pub created: i64,
    pub first_reply: Option<(i64, Option<AgentId>)>,
    pub resolved: Option<(i64, Option<AgentId>)>,
    pub closed: Option<i64>,
    /// When its status last changed (its creation if never).
    pub last_status_at: i64,
    pub assignees: Vec<AgentId>,
    /// Its tag names, as kept (compared ignoring case, the Unicode way).
    pub tags: Vec<String>,
    /// (time, text) of each message.
    pub messages: Vec<(i64, String)>,
    /// (time, text) of each note.
    pub notes: Vec<(i64, String)>,
}

/// A ticket's row as an import writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Fields {
    pub subject: String,
    pub description: String,
    pub status: Status,
    pub priority: Priority,
    pub customer: Option<CustomerId>,
    pub created: i64,
    /// Its last change: for a new ticket, the source's; for one updated, now.
    pub updated: i64,
    pub first_reply: Option<(i64, Option<AgentId>)>,
    pub resolved: Option<(i64, Option<AgentId>)>,
    pub closed: Option<i64>,
}

/// The questions an import asks of a store, in its transaction (or snapshot).
pub(crate) trait ImportDesk {
    /// The tickets of `source` among `external_ids` will be asked for next
    /// (a batch's): a store may look them up together now.
    fn expect(&mut self, _source: &str, _external_ids: &[&str]) -> Result<(), StoreError> {
        Ok(())
    }
    /// The ticket imported from `external_id` of `source`, if any.
    fn ticket_of(
        &mut self,
        source: &str,
        external_id: &str,
    ) -> Result<Option<TicketNumber>, StoreError>;
    /// The customer with this email (ignoring case), else by this name
    /// (ignoring case); the first made where several match.
    fn customer_of(&mut self, who: &Who) -> Result<Option<CustomerId>, StoreError>;
    /// The agent so found.
    fn agent_of(&mut self, who: &Who) -> Result<Option<AgentId>, StoreError>;
    /// The newest ticket's creation time (ms).
    fn newest_created(&mut self) -> Result<Option<i64>, StoreError>;
    /// The ticket as it stands.
    fn existing(&mut self, ticket: TicketNumber) -> Result<Existing, StoreError>;
    /// The line import `key` committed last, if it is under way.
    fn checkpoint_of(&mut self, key: &str) -> Result<Option<u64>, StoreError>;
}

/// The rows an import writes, each with whatever the engine derives from it
/// (search text, sort keys, tallies), in the caller's transaction.
pub(crate) trait ImportWrite: ImportDesk {
    /// A new customer (checked already).
    fn add_customer(
        &mut self,
        name: &str,
        email: &str,
        company: &str,
        at: i64,
    ) -> Result<CustomerId, StoreError>;
    /// A new agent (checked already), active.
    fn add_agent(&mut self, name: &str, email: &str, at: i64) -> Result<AgentId, StoreError>;
    /// Makes the ticket (`ticket` `None`), keeping its reference to the
    /// source, or sets its fields, moves its version on and marks its due
    /// times to be worked out again. Returns its number. A new ticket's
    /// `assignees` are the agents the `add_assignee` calls after it will
    /// assign (a store may key its row by them now).
    fn put_ticket(
        &mut self,
        ticket: Option<TicketNumber>,
        source: &str,
        external_id: &str,
        fields: &Fields,
        assignees: &[AgentId],
    ) -> Result<TicketNumber, StoreError>;
    /// Tags it (the tag made if new).
    fn add_tag(&mut self, ticket: TicketNumber, name: &str) -> Result<(), StoreError>;
    /// Assigns an agent to it.
    fn add_assignee(
        &mut self,
        ticket: TicketNumber,
        agent: AgentId,
        at: i64,
    ) -> Result<(), StoreError>;
    /// A message of its conversation.
    fn add_message(
        &mut self,
        ticket: TicketNumber,
        direction: Direction,
        author: Option<AgentId>,
        body: &str,
        at: i64,
    ) -> Result<MessageId, StoreError>;
    /// An internal note.
    fn add_note(
        &mut self,
        ticket: TicketNumber,
        author: Option<AgentId>,
        body: &str,
        at: i64,
    ) -> Result<NoteId, StoreError>;
    /// An entry of its trail.
    fn record(
        &mut self,
        ticket: TicketNumber,
        at: i64,
        agent: Option<AgentId>,
        kind: &ActivityKind,
    ) -> Result<(), StoreError>;
    /// Keeps where import `key` stands (`None`: finished, kept no more),
    /// as `actor`; on a server, tells the other desks of the batch.
    fn put_checkpoint(
        &mut self,
        key: &str,
        line: Option<u64>,
        actor: AgentId,
        at: i64,
    ) -> Result<(), StoreError>;
}

/// One write of a ticket after its row: each records its own entry.
#[derive(Clone, Debug)]
enum Op {
    Tag(String),
    Assign(AgentId, String),
    Message {
        direction: Direction,
        author: Option<AgentId>,
        body: String,
    },
    Note {
        author: Option<AgentId>,
        body: String,
    },
    Entry(ActivityKind),
}

/// A ticket's imported history, checked: what a refusal is decided on.
struct Checked<'t> {
    ticket: &'t ImportedTicket,
    external_id: String,
    subject: String,
    description: String,
    tags: Vec<String>,
    /// (public, from the customer, author, text, time), blank ones left out.
    comments: Vec<(bool, bool, Option<&'t ImportedPerson>, String, i64)>,
}

/// The source's ticket checked as the store checks what agents type.
fn check(t: &ImportedTicket) -> Result<Checked<'_>, String> {
    let external_id = t.external_id.trim().to_owned();
    if external_id.is_empty() {
        return Err("it has no id in the source, so importing it again could not find it".into());
    }
    let subject = validate::subject(&t.subject).map_err(|e| e.to_string())?;
    let description = validate::description(&t.description).map_err(|e| e.to_string())?;
    let mut tags: Vec<String> = Vec::new();
    for tag in &t.tags {
        let tag = validate::tag(tag).map_err(|e| e.to_string())?;
        if !tags.iter().any(|t| t.to_lowercase() == tag.to_lowercase()) {
            tags.push(tag);
        }
    }
    let created = to_millis(t.created_at);
    let mut comments = Vec::new();
    for (i, c) in t.comments.iter().enumerate() {
        if c.body.trim().is_empty() {
            continue;
        }
        let body = if c.public {
            validate::message(&c.body)
        } else {
            validate::note(&c.body)
        }
        .map_err(|e| format!("its comment {}: {e}", i + 1))?;
        // A comment is not older than its ticket: the trail reads in time order.
        let at = to_millis(c.at).max(created);
        comments.push((c.public, c.from_customer, c.author.as_ref(), body, at));
    }
    for person in [Some(&t.customer), t.assignee.as_ref()]
        .into_iter()
        .flatten()
        .chain(t.comments.iter().filter_map(|c| c.author.as_ref()))
        .chain(t.status_changes.iter().filter_map(|s| s.by.as_ref()))
    {
        if Who::of(person).is_some() {
            validate::name(person.display_name()).map_err(|e| e.to_string())?;
            validate::email(&person.email).map_err(|e| e.to_string())?;
        }
    }
    if let Some(company) = &t.company {
        validate::company(company).map_err(|e| e.to_string())?;
    }
    Ok(Checked {
        ticket: t,
        external_id,
        subject,
        description,
        tags,
        comments,
    })
}

/// Makes (or, in a dry run, counts as made) the people of a batch that the
/// store lacks; [`customer`] and [`agent`] look for them first.
trait People<D: ImportDesk> {
    fn new_customer(
        &mut self,
        desk: &mut D,
        who: &Who,
        person: &ImportedPerson,
        company: &str,
        now: i64,
    ) -> Result<CustomerId, StoreError>;
    fn new_agent(
        &mut self,
        desk: &mut D,
        who: &Who,
        person: &ImportedPerson,
        now: i64,
    ) -> Result<AgentId, StoreError>;
    /// Who was found (or made) already in this transaction, to be found
    /// again without asking the store; `None` where nothing is kept.
    fn known(&mut self) -> Option<&mut Known> {
        None
    }
}

/// The people a batch met, by how they are looked for: a batch of a
/// thousand tickets names the same few agents and many customers again and
/// again, and on a server each look is a round trip.
#[derive(Default)]
struct Known {
    customers: HashMap<Who, CustomerId>,
    agents: HashMap<Who, AgentId>,
}

/// The customer `person` is (made if new); `None` when the source names nobody.
fn customer<D: ImportDesk, P: People<D>>(
    desk: &mut D,
    people: &mut P,
    person: &ImportedPerson,
    company: &str,
    now: i64,
) -> Result<Option<CustomerId>, StoreError> {
    let Some(who) = Who::of(person) else {
        return Ok(None);
    };
    if let Some(id) = people.known().and_then(|k| k.customers.get(&who)) {
        return Ok(Some(*id));
    }
    let id = match desk.customer_of(&who)? {
        Some(id) => id,
        None => people.new_customer(desk, &who, person, company, now)?,
    };
    if let Some(known) = people.known() {
        known.customers.insert(who, id);
    }
    Ok(Some(id))
}

/// The agent `person` is (made if new), with the name the source gives;
/// `None` when the source names nobody.
fn agent<D: ImportDesk, P: People<D>>(
    desk: &mut D,
    people: &mut P,
    person: &ImportedPerson,
    now: i64,
) -> Result<Option<(AgentId, String)>, StoreError> {
    let Some(who) = Who::of(person) else {
        return Ok(None);
    };
    let name = validate::name(person.display_name())?;
    if let Some(id) = people.known().and_then(|k| k.agents.get(&who)) {
        return Ok(Some((*id, name)));
    }
    let id = match desk.agent_of(&who)? {
        Some(id) => id,
        None => people.new_agent(desk, &who, person, now)?,
    };
    if let Some(known) = people.known() {
        known.agents.insert(who, id);
    }
    Ok(Some((id, name)))
}

/// An import's people: made when new (and counted), and kept for the rest
/// of the batch.
#[derive(Default)]
struct Making {
    known: Known,
    customers: u64,
    agents: Vec<String>,
}

impl<D: ImportWrite> People<D> for Making {
    fn known(&mut self) -> Option<&mut Known> {
        Some(&mut self.known)
    }

    fn new_customer(
        &mut self,
        desk: &mut D,
        _who: &Who,
        person: &ImportedPerson,
        company: &str,
        now: i64,
    ) -> Result<CustomerId, StoreError> {
        let name = validate::name(person.display_name())?;
        let email = validate::email(&person.email.to_lowercase())?;
        let company = validate::company(company)?;
        let id = desk.add_customer(&name, &email, &company, now)?;
        self.customers += 1;
        Ok(id)
    }

    fn new_agent(
        &mut self,
        desk: &mut D,
        _who: &Who,
        person: &ImportedPerson,
        now: i64,
    ) -> Result<AgentId, StoreError> {
        let name = validate::name(person.display_name())?;
        let email = validate::email(&person.email.to_lowercase())?;
        let id = desk.add_agent(&name, &email, now)?;
        self.agents.push(name);
        Ok(id)
    }
}

/// A dry run's people: one not found stands for itself by a number no
/// stored person has (below zero), and is listed as new once per run.
struct Counting<'a> {
    plan: &'a mut ImportPlan,
    new_customers: Vec<String>,
    new_agents: Vec<String>,
}

/// The stand-in id of a person a dry run would create.
const NOT_YET: i64 = -1;

impl<D: ImportDesk> People<D> for Counting<'_> {
    fn new_customer(
        &mut self,
        _desk: &mut D,
        who: &Who,
        _person: &ImportedPerson,
        _company: &str,
        _now: i64,
    ) -> Result<CustomerId, StoreError> {
        if self.plan.customers.insert(who.key()) {
            self.new_customers.push(who.key());
        }
        Ok(CustomerId(NOT_YET))
    }

    fn new_agent(
        &mut self,
        _desk: &mut D,
        who: &Who,
        person: &ImportedPerson,
        _now: i64,
    ) -> Result<AgentId, StoreError> {
        // Told by the name the import would give them (one per key).
        if self.plan.agents.insert(who.key()) {
            let name = validate::name(person.display_name()).unwrap_or_else(|_| who.key());
            self.new_agents.push(name);
        }
        Ok(AgentId(NOT_YET))
    }
}

/// What importing one ticket comes to.
enum Decision {
    Refused(String),
    Unchanged(TicketNumber),
    /// The row to write (a new ticket's, or the changed one's) and what
    /// follows it, each with its time and agent.
    Write {
        ticket: Option<TicketNumber>,
        fields: Fields,
        ops: Vec<(i64, Option<AgentId>, Op)>,
    },
}

/// The moment a ticket entered status `to` by the source: its history's
/// last such change, else its solved or closed time.
fn source_moment(t: &ImportedTicket, to: Status) -> Option<i64> {
    let from_history = t
        .status_changes
        .iter()
        .rev()
        .find(|s| s.to == to)
        .map(|s| s.at);
    let stated = match to {
        Status::Closed => t.closed_at.or(t.solved_at),
        Status::Resolved => t.solved_at,
        _ => None,
    };
    from_history.or(stated).map(to_millis)
}

/// A status move: (time, agent, from, to).
type Move = (i64, Option<AgentId>, Status, Status);

/// A new ticket's status trail as it is made, in time order.
struct Trail {
    entries: Vec<Move>,
    status: Status,
    last: i64,
}

impl Trail {
    /// The ticket moved to `to` at `at` (not before the move before it).
    fn step(&mut self, at: i64, by: Option<AgentId>, to: Status) {
        if to != self.status {
            self.last = at.max(self.last);
            self.entries.push((self.last, by, self.status, to));
            self.status = to;
        }
    }
}

/// A new ticket's status trail, from Open at its creation to its status now.
fn status_trail<D: ImportDesk, P: People<D>>(
    desk: &mut D,
    people: &mut P,
    t: &ImportedTicket,
    created: i64,
    now: i64,
) -> Result<Vec<Move>, StoreError> {
    let mut trail = Trail {
        entries: Vec::new(),
        status: Status::Open,
        last: created,
    };
    if t.status_changes.is_empty() {
        let solved = t.solved_at.map(to_millis);
        let closed = t.closed_at.map(to_millis);
        let updated = t.updated_at.map(to_millis);
        match t.status {
            Status::Closed => {
                if let Some(solved) = solved
                    && closed.is_some_and(|c| solved < c)
                {
                    trail.step(solved, None, Status::Resolved);
                }
                let at = closed.or(solved).or(updated).unwrap_or(created);
                trail.step(at, None, Status::Closed);
            }
            Status::Resolved => {
                let at = solved.or(updated).unwrap_or(created);
                trail.step(at, None, Status::Resolved);
            }
            other => trail.step(updated.unwrap_or(created), None, other),
        }
    } else {
        for change in &t.status_changes {
            let by = match &change.by {
                Some(person) => agent(desk, people, person, now)?.map(|(id, _)| id),
                None => None,
            };
            trail.step(to_millis(change.at), by, change.to);
        }
        // A history that does not end where the ticket is: the source's last
        // word is its status now.
        let at = t.updated_at.map(to_millis).unwrap_or(trail.last);
        trail.step(at, None, t.status);
    }
    Ok(trail.entries)
}

/// What importing `t` (checked) comes to, on `desk` as it stands.
fn decide<D: ImportDesk, P: People<D>>(
    desk: &mut D,
    people: &mut P,
    source: &str,
    c: &Checked<'_>,
    newest: &mut Option<i64>,
    now: i64,
) -> Result<Decision, StoreError> {
    let t = c.ticket;
    let found = desk.ticket_of(source, &c.external_id)?;
    let created = to_millis(t.created_at);
    if found.is_none() {
        if created > now {
            return Ok(Decision::Refused(format!(
                "it was created in the future ({}), by this computer's clock",
                t.created_at.format("%Y-%m-%d %H:%M UTC")
            )));
        }
        if let Some(newest) = *newest
            && newest > created
        {
            return Ok(Decision::Refused(format!(
                "it was created on {}, before tickets already here: tickets are numbered in creation order, so older ones are imported first, into a new database",
                t.created_at.format("%Y-%m-%d %H:%M UTC")
            )));
        }
    }
    let company = t.company.as_deref().unwrap_or_default();
    let customer = customer(desk, people, &t.customer, company, now)?;
    let assignee = match &t.assignee {
        Some(person) => agent(desk, people, person, now)?,
        None => None,
    };
    // The conversation and notes, their authors found.
    let mut comments = Vec::new();
    for (public, from_customer, author, body, at) in &c.comments {
        let author = match author {
            Some(person) if !from_customer => agent(desk, people, person, now)?.map(|(id, _)| id),
            _ => None,
        };
        let op = match (public, from_customer) {
            (true, true) => Op::Message {
                direction: Direction::Inbound,
                author: None,
                body: body.clone(),
            },
            (true, false) => Op::Message {
                direction: Direction::Outbound,
                author,
                body: body.clone(),
            },
            (false, _) => Op::Note {
                author,
                body: body.clone(),
            },
        };
        comments.push((*at, author, op));
    }
    let first_reply_in = |ops: &[(i64, Option<AgentId>, Op)], since: i64| {
        ops.iter()
            .filter_map(|(at, by, op)| match op {
                Op::Message {
                    direction: Direction::Outbound,
                    ..
                } if *at >= since => Some((*at, *by)),
                _ => None,
            })
            .min_by_key(|(at, _)| *at)
    };
    let Some(ticket) = found else {
        // A new ticket: everything the source says.
        let trail = status_trail(desk, people, t, created, now)?;
        let mut resolved = None;
        let mut closed = None;
        for (at, by, from, to) in &trail {
            if !to.is_resolved_like() {
                resolved = None;
            } else if !from.is_resolved_like() {
                resolved = Some((*at, *by));
            }
            if *to == Status::Closed {
                closed = Some(*at);
            }
        }
        let first_reply = first_reply_in(&comments, created).or_else(|| {
            t.first_reply_at
                .map(to_millis)
                .filter(|at| *at >= created)
                .map(|at| (at, None))
        });
        let mut ops: Vec<(i64, Option<AgentId>, Op)> =
            vec![(created, None, Op::Entry(ActivityKind::Created))];
        if let Some((agent, name)) = assignee {
            ops.push((created, None, Op::Assign(agent, name)));
        }
        ops.extend(
            c.tags
                .iter()
                .map(|tag| (created, None, Op::Tag(tag.clone()))),
        );
        ops.extend(trail.iter().map(|(at, by, from, to)| {
            (
                *at,
                *by,
                Op::Entry(ActivityKind::StatusChanged {
                    from: *from,
                    to: *to,
                }),
            )
        }));
        ops.extend(comments);
        let updated = ops
            .iter()
            .map(|(at, _, _)| *at)
            .chain(t.updated_at.map(to_millis))
            .fold(created, i64::max);
        *newest = Some(newest.map_or(created, |n| n.max(created)));
        return Ok(Decision::Write {
            ticket: None,
            fields: Fields {
                subject: c.subject.clone(),
                description: c.description.clone(),
                status: t.status,
                priority: t.priority,
                customer,
                created,
                updated,
                first_reply,
                resolved,
                closed,
            },
            ops,
        });
    };
    // One imported before: what differs.
    let was = desk.existing(ticket)?;
    let mut ops: Vec<(i64, Option<AgentId>, Op)> = Vec::new();
    let mut fields = Fields {
        subject: was.subject.clone(),
        description: was.description.clone(),
        status: was.status,
        priority: was.priority,
        customer: was.customer.as_ref().map(|(id, _)| *id),
        created: was.created,
        updated: now,
        first_reply: was.first_reply,
        resolved: was.resolved,
        closed: was.closed,
    };
    if c.subject != was.subject {
        fields.subject = c.subject.clone();
        ops.push((
            now,
            None,
            Op::Entry(ActivityKind::SubjectEdited {
                from: was.subject.clone(),
                to: c.subject.clone(),
            }),
        ));
    }
    if c.description != was.description {
        fields.description = c.description.clone();
        ops.push((now, None, Op::Entry(ActivityKind::DescriptionEdited)));
    }
    if t.priority != was.priority {
        fields.priority = t.priority;
        ops.push((
            now,
            None,
            Op::Entry(ActivityKind::PriorityChanged {
                from: was.priority,
                to: t.priority,
            }),
        ));
    }
    if customer.is_some() && customer != fields.customer {
        fields.customer = customer;
        let name = Who::of(&t.customer).map(|_| t.customer.display_name().to_owned());
        ops.push((
            now,
            None,
            Op::Entry(ActivityKind::CustomerChanged {
                from: was.customer.as_ref().map(|(_, name)| name.clone()),
                to: name,
            }),
        ));
    }
    if t.status != was.status {
        let at = source_moment(t, t.status)
            .unwrap_or(now)
            .max(was.last_status_at);
        let by = t
            .status_changes
            .iter()
            .rev()
            .find(|s| s.to == t.status)
            .and_then(|s| s.by.as_ref());
        let by = match by {
            Some(person) => agent(desk, people, person, now)?.map(|(id, _)| id),
            None => None,
        };
        if !t.status.is_resolved_like() {
            fields.resolved = None;
        } else if !was.status.is_resolved_like() {
            fields.resolved = Some((at, by));
        }
        if t.status == Status::Closed {
            fields.closed = Some(at);
        }
        fields.status = t.status;
        ops.push((
            at,
            by,
            Op::Entry(ActivityKind::StatusChanged {
                from: was.status,
                to: t.status,
            }),
        ));
    }
    if let Some((agent, name)) = assignee
        && !was.assignees.contains(&agent)
    {
        ops.push((now, None, Op::Assign(agent, name)));
    }
    for tag in &c.tags {
        if !was
            .tags
            .iter()
            .any(|w| w.to_lowercase() == tag.to_lowercase())
        {
            ops.push((now, None, Op::Tag(tag.clone())));
        }
    }
    let mut added = Vec::new();
    for (at, author, op) in comments {
        let (there, body) = match &op {
            Op::Message { body, .. } => (&was.messages, body),
            Op::Note { body, .. } => (&was.notes, body),
            _ => continue,
        };
        if !there.iter().any(|(t, b)| *t == at && b == body) {
            added.push((at, author, op));
        }
    }
    if let Some((at, by)) = first_reply_in(&added, was.created)
        && fields.first_reply.is_none_or(|(first, _)| at < first)
    {
        fields.first_reply = Some((at, by));
    }
    ops.extend(added);
    if ops.is_empty() {
        return Ok(Decision::Unchanged(ticket));
    }
    Ok(Decision::Write {
        ticket: Some(ticket),
        fields,
        ops,
    })
}

/// Writes what was decided for one ticket; returns its number.
fn write<D: ImportWrite>(
    desk: &mut D,
    source: &str,
    external_id: &str,
    ticket: Option<TicketNumber>,
    fields: &Fields,
    ops: Vec<(i64, Option<AgentId>, Op)>,
    actor: AgentId,
) -> Result<TicketNumber, StoreError> {
    let assignees: Vec<AgentId> = ops
        .iter()
        .filter_map(|(_, _, op)| match op {
            Op::Assign(agent, _) => Some(*agent),
            _ => None,
        })
        .collect();
    let number = desk.put_ticket(ticket, source, external_id, fields, &assignees)?;
    // An update's own changes (no source time, no source agent) are the
    // importing agent's; a new ticket's bookkeeping is nobody's.
    let own = |by: Option<AgentId>| {
        if ticket.is_some() {
            by.or(Some(actor))
        } else {
            by
        }
    };
    for (at, by, op) in ops {
        let kind = match op {
            Op::Tag(name) => {
                desk.add_tag(number, &name)?;
                ActivityKind::TagAdded { tag: name }
            }
            Op::Assign(agent, name) => {
                desk.add_assignee(number, agent, at)?;
                ActivityKind::AgentAssigned { agent, name }
            }
            Op::Message {
                direction,
                author,
                body,
            } => {
                let message = desk.add_message(number, direction, author, &body, at)?;
                ActivityKind::MessageAttached { message, direction }
            }
            Op::Note { author, body } => ActivityKind::NoteAdded {
                note: desk.add_note(number, author, &body, at)?,
            },
            Op::Entry(kind) => kind,
        };
        // A message or note is its author's (nobody's where the source
        // names none), not the importing agent's.
        let by = match &kind {
            ActivityKind::MessageAttached { .. } | ActivityKind::NoteAdded { .. } => by,
            _ => own(by),
        };
        desk.record(number, at, by, &kind)?;
    }
    Ok(number)
}

/// Tells `desk` which of `source`'s tickets the batch will ask for, by the
/// ids [`check`] reads.
fn expect_batch<D: ImportDesk>(
    desk: &mut D,
    source: &str,
    batch: &[ImportedTicket],
) -> Result<(), StoreError> {
    let ids: Vec<&str> = batch.iter().map(|t| t.external_id.trim()).collect();
    desk.expect(source, &ids)
}

/// Imports `batch` from `source` on `desk`, in the caller's one
/// transaction, and keeps `checkpoint` (import key, last line) with it. A
/// ticket refused is reported and the batch goes on; any other failure
/// fails the whole batch (the caller's transaction rolls back). A
/// checkpoint behind the one kept is refused before anything is written.
pub(crate) fn write_batch<D: ImportWrite>(
    desk: &mut D,
    actor: AgentId,
    source: &str,
    (key, line): (&str, u64),
    batch: &[ImportedTicket],
    now: i64,
) -> Result<BatchResults, StoreError> {
    let source = source_checked(source)?;
    // Checked first: a batch the import is past is refused before any of
    // it is written (on a server, before its round trips).
    if let Some(kept) = desk.checkpoint_of(key)?
        && kept > line
    {
        return Err(StoreError::NotAllowed(format!(
            "this import went as far as line {kept} already, so a batch ending at line {line} is not written again; nothing of it was kept"
        )));
    }
    let mut newest = desk.newest_created()?;
    expect_batch(desk, &source, batch)?;
    let mut results = Vec::with_capacity(batch.len());
    let mut people = Making::default();
    for t in batch {
        let checked = match check(t) {
            Ok(checked) => checked,
            Err(why) => {
                results.push(ImportResult::Refused(why));
                continue;
            }
        };
        let result = match decide(desk, &mut people, &source, &checked, &mut newest, now) {
            Ok(Decision::Refused(why)) => ImportResult::Refused(why),
            Ok(Decision::Unchanged(n)) => ImportResult::Unchanged(n),
            Ok(Decision::Write {
                ticket,
                fields,
                ops,
            }) => {
                let n = write(
                    desk,
                    &source,
                    &checked.external_id,
                    ticket,
                    &fields,
                    ops,
                    actor,
                )?;
                match ticket {
                    Some(_) => ImportResult::Updated(n),
                    None => ImportResult::Created(n),
                }
            }
            Err(StoreError::Invalid(e)) => ImportResult::Refused(e.to_string()),
            Err(e) => return Err(e),
        };
        results.push(result);
    }
    desk.put_checkpoint(key, Some(line), actor, now)?;
    Ok(BatchResults {
        tickets: results,
        new_customers: people.customers,
        new_agents: people.agents,
    })
}

/// What importing `batch` from `source` would do, on `desk` as it stands
/// and after the batches `plan` saw before it.
pub(crate) fn plan_batch<D: ImportDesk>(
    desk: &mut D,
    source: &str,
    batch: &[ImportedTicket],
    plan: &mut ImportPlan,
    now: i64,
) -> Result<Vec<PlannedRow>, StoreError> {
    let source = source_checked(source)?;
    if plan.newest.is_none() {
        plan.newest = desk.newest_created()?;
    }
    expect_batch(desk, &source, batch)?;
    let mut rows = Vec::with_capacity(batch.len());
    for t in batch {
        let mut row = PlannedRow {
            line: t.line,
            external_id: t.external_id.clone(),
            planned: Planned::Create,
            new_customers: Vec::new(),
            new_agents: Vec::new(),
        };
        let checked = match check(t) {
            Ok(checked) => checked,
            Err(why) => {
                row.planned = Planned::Refused(why);
                rows.push(row);
                continue;
            }
        };
        let repeat = plan.created.contains(&checked.external_id);
        let mut newest = plan.newest;
        let mut people = Counting {
            plan,
            new_customers: Vec::new(),
            new_agents: Vec::new(),
        };
        let decision = decide(desk, &mut people, &source, &checked, &mut newest, now);
        let (new_customers, new_agents) = (people.new_customers, people.new_agents);
        row.planned = match decision {
            Ok(Decision::Refused(why)) => Planned::Refused(why),
            Ok(Decision::Unchanged(n)) => Planned::Unchanged(n),
            Ok(Decision::Write {
                ticket: Some(n), ..
            }) => Planned::Update(Some(n)),
            Ok(Decision::Write { ticket: None, .. }) if repeat => Planned::Update(None),
            Ok(Decision::Write { ticket: None, .. }) => Planned::Create,
            Err(StoreError::Invalid(e)) => Planned::Refused(e.to_string()),
            Err(e) => return Err(e),
        };
        if row.planned == Planned::Create {
            plan.newest = newest;
            plan.created.insert(checked.external_id.clone());
        }
        if !matches!(row.planned, Planned::Refused(_)) {
            row.new_customers = new_customers;
            row.new_agents = new_agents;
        } else {
            // A refused row creates nobody: a later row naming them does.
            for key in &new_customers {
                plan.customers.remove(key);
            }
            for key in &new_agents {
                plan.agents.remove(key);
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

/// A source's name as kept: trimmed, lower-cased before a `csv:` mapping's
/// name; required.
fn source_checked(source: &str) -> Result<String, StoreError> {
    let source = source.trim();
    let kept = match source.split_once(':') {
        Some((kind, mapping)) => format!("{}:{}", kind.to_lowercase(), mapping.trim()),
        None => source.to_lowercase(),
    };
    if kept.is_empty() || kept.ends_with(':') {
        return Err(StoreError::NotAllowed(
            "an import names the help desk it comes from (zendesk, freshdesk, osticket, helpscout, or csv:<mapping name>)".to_owned(),
        ));
    }
    Ok(kept)
}

/// The (source, id) pairs a typed search may name an external reference
/// by: the whole text as an id of any source (the first element, with an
/// empty source), and each `source:id` split of it. Empty for text with
/// white space or a control character in it, or none.
pub(crate) fn ref_searches(text: &str) -> Vec<(String, String)> {
    let text = text.trim();
    // A search splits words at white space and control characters (a NUL
    // the server would refuse outright): an id is one word.
    if text.is_empty()
        || text.chars().any(|c| c.is_whitespace() || c.is_control())
        || text.len() > 200
    {
        return Vec::new();
    }
    let mut out = vec![(String::new(), text.to_owned())];
    for (at, _) in text.match_indices(':').take(4) {
        let (source, id) = (&text[..at], &text[at + 1..]);
        if let Ok(source) = source_checked(source)
            && !id.is_empty()
        {
            out.push((source, id.to_owned()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_names_a_reference_by_its_id_or_its_source_and_id() {
        assert_eq!(
            ref_searches(" Zendesk:12345 "),
            [
                (String::new(), "Zendesk:12345".to_owned()),
                ("zendesk".to_owned(), "12345".to_owned())
            ]
        );
        assert_eq!(
            ref_searches("csv:legacy:7")[2],
            ("csv:legacy".to_owned(), "7".to_owned())
        );
        assert!(ref_searches("two words").is_empty());
        assert!(ref_searches("printer\0fire").is_empty());
    }

    #[test]
    fn a_source_is_kept_lower_case_but_a_mappings_name_as_written() {
        assert_eq!(source_checked(" ZenDesk ").unwrap(), "zendesk");
        assert_eq!(source_checked("CSV: Old desk").unwrap(), "csv:Old desk");
        assert!(source_checked(" ").is_err());
        assert!(source_checked("csv:").is_err());
    }
}
