//! Tickets and the people and texts attached to them.

use chrono::{DateTime, Utc};

use super::{
    ActivityEntry, AgentId, CustomerId, LinkKind, MessageId, NoteId, TagId, TicketLink,
    TicketNumber,
};

/// Where a ticket is in its lifecycle, in lifecycle order.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Status {
    /// Raised, not yet being worked on.
    Open,
    /// An agent is actively working on it.
    InProgress,
    /// Blocked, usually waiting on the customer or a third party.
    Waiting,
    /// The issue is fixed, pending confirmation or closure.
    Resolved,
    /// Finished and archived.
    Closed,
}

impl Status {
    /// Every status, in lifecycle order.
    pub const ALL: [Status; 5] = [
        Status::Open,
        Status::InProgress,
        Status::Waiting,
        Status::Resolved,
        Status::Closed,
    ];

    /// The code stored in the database (the lifecycle position).
    pub fn code(self) -> i64 {
        self as i64
    }

    /// The status stored as `code`, if it is one.
    pub fn from_code(code: i64) -> Option<Status> {
        Status::ALL.get(usize::try_from(code).ok()?).copied()
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Status::Open => "Open",
            Status::InProgress => "In Progress",
            Status::Waiting => "Waiting",
            Status::Resolved => "Resolved",
            Status::Closed => "Closed",
        }
    }

    /// Resolved or Closed: the work is done.
    pub fn is_resolved_like(self) -> bool {
        matches!(self, Status::Resolved | Status::Closed)
    }

    /// Reads a status name as typed on a command line (`open`, `in-progress`, `In Progress`).
    pub fn parse(text: &str) -> Option<Status> {
        let key: String = text
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_lowercase();
        Status::ALL
            .into_iter()
            .find(|s| s.label().replace(' ', "").to_lowercase() == key)
    }
}

/// How urgent a ticket is, least urgent first.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum Priority {
    /// Can wait.
    Low,
    /// The default.
    #[default]
    Medium,
    /// Needs attention soon.
    High,
    /// Drop everything.
    Urgent,
}

impl Priority {
    /// Every priority, least urgent first.
    pub const ALL: [Priority; 4] = [
        Priority::Low,
        Priority::Medium,
        Priority::High,
        Priority::Urgent,
    ];

    /// The code stored in the database.
    pub fn code(self) -> i64 {
        self as i64
    }

    /// The priority stored as `code`, if it is one.
    pub fn from_code(code: i64) -> Option<Priority> {
        Priority::ALL.get(usize::try_from(code).ok()?).copied()
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Priority::Low => "Low",
            Priority::Medium => "Medium",
            Priority::High => "High",
            Priority::Urgent => "Urgent",
        }
    }

    /// Reads a priority name, ignoring case.
    pub fn parse(text: &str) -> Option<Priority> {
        Priority::ALL
            .into_iter()
            .find(|p| p.label().eq_ignore_ascii_case(text.trim()))
    }
}

/// Which way a message travelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Direction {
    /// From the customer to the team.
    Inbound,
    /// A reply from an agent to the customer.
    Outbound,
}

impl Direction {
    /// The code stored in the database.
    pub fn code(self) -> i64 {
        match self {
            Direction::Inbound => 0,
            Direction::Outbound => 1,
        }
    }

    /// The direction stored as `code`.
    pub fn from_code(code: i64) -> Option<Direction> {
        match code {
            0 => Some(Direction::Inbound),
            1 => Some(Direction::Outbound),
            _ => None,
        }
    }
}

/// A member of the support team.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Agent {
    /// Identity.
    pub id: AgentId,
    /// Display name.
    pub name: String,
    /// Work email; may be empty.
    pub email: String,
    /// Inactive agents keep their history but are not offered for new assignments.
    pub active: bool,
}

/// Someone the team supports.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Customer {
    /// Identity.
    pub id: CustomerId,
    /// Name.
    pub name: String,
    /// Email; may be empty.
    pub email: String,
    /// Company; may be empty.
    pub company: String,
    /// Customer tags, by name, sorted.
    pub tags: Vec<String>,
}

/// What is needed to add a customer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewCustomer {
    /// Name (required).
    pub name: String,
    /// Email (optional).
    pub email: String,
    /// Company (optional).
    pub company: String,
}

/// A tag name with its identity.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Tag {
    /// Identity.
    pub id: TagId,
    /// The name as first written.
    pub name: String,
}

/// What is needed to raise a ticket.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewTicket {
    /// Brief description of the issue (required; trimmed; at most 200 characters).
    pub subject: String,
    /// Fuller detail (optional).
    pub description: String,
    /// Urgency; Medium unless chosen.
    pub priority: Priority,
    /// The customer it is for, if known.
    pub customer: Option<CustomerId>,
}

/// An internal note: context for the team, never shown to customers.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Note {
    /// Identity.
    pub id: NoteId,
    /// Who wrote it.
    pub author: Option<Agent>,
    /// The text.
    pub body: String,
    /// When it was written.
    pub created: DateTime<Utc>,
    /// When it was last edited (equal to `created` if never).
    pub updated: DateTime<Utc>,
    /// Bumped on every edit; edits carry the version they were made against.
    pub version: i64,
}

/// A message in the conversation with the customer.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Message {
    /// Identity.
    pub id: MessageId,
    /// Inbound (from the customer) or outbound (an agent's reply).
    pub direction: Direction,
    /// The agent who recorded or sent it.
    pub author: Option<Agent>,
    /// The text.
    pub body: String,
    /// When it was sent or received.
    pub at: DateTime<Utc>,
}

/// One line of the ticket list.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TicketRow {
    /// When its next service-level target falls due, unmet (see
    /// [`crate::domain::sla`]); `None`: nothing is due.
    pub due: Option<DateTime<Utc>>,
    /// From when that target is at risk: under a quarter of it left.
    pub due_risk: Option<DateTime<Utc>>,
    /// The ticket number.
    pub number: TicketNumber,
    /// Subject.
    pub subject: String,
    /// Status now.
    pub status: Status,
    /// Priority now.
    pub priority: Priority,
    /// The customer's name, if the ticket has a customer.
    pub customer: Option<String>,
    /// Names of the assignees, alphabetical; empty means Unassigned.
    pub assignees: Vec<String>,
    /// When it was raised.
    pub created: DateTime<Utc>,
    /// When anything about it last changed.
    pub updated: DateTime<Utc>,
}

/// Everything the ticket panel shows about one ticket.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TicketDetail {
    /// The ticket number.
    pub number: TicketNumber,
    /// Subject.
    pub subject: String,
    /// Description (may be empty).
    pub description: String,
    /// Status now.
    pub status: Status,
    /// Priority now.
    pub priority: Priority,
    /// The customer, with their tags.
    pub customer: Option<Customer>,
    /// Assigned agents, alphabetical.
    pub assignees: Vec<Agent>,
    /// Ticket tags, alphabetical.
    pub tags: Vec<Tag>,
    /// When it was raised.
    pub created: DateTime<Utc>,
    /// When anything about it last changed.
    pub updated: DateTime<Utc>,
    /// Version of the ticket's fields; field edits must carry it.
    pub version: i64,
    /// When the first reply to the customer was sent.
    pub first_reply: Option<DateTime<Utc>>,
    /// The resolution moment: the last entry into Resolved or Closed from an
    /// unresolved status, while the ticket is still resolved-like.
    pub resolved: Option<DateTime<Utc>>,
    /// Who made the status change of the resolution moment.
    pub resolved_by: Option<AgentId>,
    /// The last time the ticket entered Closed.
    pub closed: Option<DateTime<Utc>>,
    /// Customer satisfaction rating, 1 to 5.
    pub csat: Option<u8>,
    /// Conversation with the customer, oldest first.
    pub messages: Vec<Message>,
    /// Internal notes, oldest first.
    pub notes: Vec<Note>,
    /// Audit trail, newest first.
    pub activity: Vec<ActivityEntry>,
    /// Links to other tickets (related, duplicates, merges), by the other
    /// ticket's number.
    #[serde(default)]
    pub links: Vec<TicketLink>,
    /// Its ids in the help desks it was imported from, by source.
    #[serde(default)]
    pub external_refs: Vec<ExternalRef>,
}

/// A ticket's id in a help desk it was imported from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ExternalRef {
    /// The help desk: `zendesk`, `freshdesk`, `osticket`, `helpscout`, or
    /// `csv:<mapping name>`.
    pub source: String,
    /// The ticket's id there.
    pub external_id: String,
}

impl ExternalRef {
    /// The help desk's name as people write it ("Zendesk", "Help Scout",
    /// "CSV (legacy)"); a source this version does not know, as stored.
    pub fn source_name(&self) -> String {
        match self.source.as_str() {
            "zendesk" => "Zendesk".to_owned(),
            "freshdesk" => "Freshdesk".to_owned(),
            "osticket" => "osTicket".to_owned(),
            "helpscout" => "Help Scout".to_owned(),
            other => match other.split_once(':') {
                Some(("csv", mapping)) => format!("CSV ({mapping})"),
                _ => other.to_owned(),
            },
        }
    }

    /// As the panel shows it: "Zendesk #12345".
    pub fn label(&self) -> String {
        format!("{} #{}", self.source_name(), self.external_id)
    }
}

impl TicketDetail {
    /// The ticket this one was merged into, if it was.
    pub fn merged_into(&self) -> Option<TicketNumber> {
        self.links
            .iter()
            .find(|l| l.kind == LinkKind::Merged && l.outgoing)
            .map(|l| l.other)
    }

    /// The tickets merged into this one, by number.
    pub fn merged_in(&self) -> Vec<TicketNumber> {
        self.links
            .iter()
            .filter(|l| l.kind == LinkKind::Merged && !l.outgoing)
            .map(|l| l.other)
            .collect()
    }
}
