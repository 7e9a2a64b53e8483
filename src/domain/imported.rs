//! A ticket read from another help desk's export (Zendesk, Freshdesk,
//! osTicket, Help Scout, or any CSV through a mapping), already in Tickets'
//! terms: what [`crate::import`] parses a source into, and what the store
//! writes (creating the ticket, or updating the one imported from the same
//! source id before).

use chrono::{DateTime, Utc};

use super::{Priority, Status};

/// One ticket of a source, with everything the source said about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedTicket {
    /// Where it began in the source: a CSV's line number (the header is
    /// line 1), or a JSON file's record number (the first is 1). Reports
    /// name rows by it.
    pub line: u64,
    /// The ticket's id in the source (Zendesk's "Id", Freshdesk's "Ticket
    /// ID"…), kept as the ticket's external reference: importing the same
    /// source again updates the ticket instead of making another.
    pub external_id: String,
    /// One line; the store refuses what [`super::validate::subject`] refuses.
    pub subject: String,
    /// The first message, from the customer (may be empty).
    pub description: String,
    /// The source's status, mapped.
    pub status: Status,
    /// The source's priority, mapped.
    pub priority: Priority,
    /// The requester: matched by email (case ignored), created when new.
    pub customer: ImportedPerson,
    /// The requester's company, where the source names one.
    pub company: Option<String>,
    /// The agent it is assigned to: matched by email, created when new.
    pub assignee: Option<ImportedPerson>,
    /// Its tags, each one tag (a source cell "a, b c" is already split).
    pub tags: Vec<String>,
    /// When it was raised.
    pub created_at: DateTime<Utc>,
    /// When the source last changed it, where it says.
    pub updated_at: Option<DateTime<Utc>>,
    /// The source's first reply to the customer, where it says (and no
    /// comment shows one).
    pub first_reply_at: Option<DateTime<Utc>>,
    /// When the source marked it solved / resolved, where it says.
    pub solved_at: Option<DateTime<Utc>>,
    /// When the source closed it, where it says.
    pub closed_at: Option<DateTime<Utc>>,
    /// The conversation after the description, and internal notes, oldest
    /// first (empty where the format has none).
    pub comments: Vec<ImportedComment>,
    /// Its status history, oldest first (empty where the format has none).
    pub status_changes: Vec<ImportedStatusChange>,
}

/// A person named in a source: a requester, an assignee, a comment's author.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ImportedPerson {
    /// Their email, lower-cased; may be empty where the source gives none
    /// (then they are matched by name).
    pub email: String,
    /// Their name; may be empty where the source gives only an email (then
    /// the part before the @ names them).
    pub name: String,
}

/// A comment on an imported ticket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedComment {
    /// Who wrote it, where the source says.
    pub author: Option<ImportedPerson>,
    /// Whether the customer wrote it (a message in); otherwise an agent.
    pub from_customer: bool,
    /// Public (part of the conversation) or private (an internal note).
    pub public: bool,
    /// Its text (plain; a source's HTML is turned into text by the parser).
    pub body: String,
    /// When it was written.
    pub at: DateTime<Utc>,
}

/// A change of status in a source's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedStatusChange {
    /// When.
    pub at: DateTime<Utc>,
    /// The agent who made it, where the source says.
    pub by: Option<ImportedPerson>,
    /// What it was, where the source says.
    pub from: Option<Status>,
    /// What it became.
    pub to: Status,
}

impl ImportedPerson {
    /// The name to give them when they are created: theirs, or the part of
    /// their email before the @.
    pub fn display_name(&self) -> &str {
        if !self.name.trim().is_empty() {
            self.name.trim()
        } else {
            self.email.split('@').next().unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_without_a_name_is_named_by_their_email() {
        let p = ImportedPerson {
            email: "ana.lima@example.com".into(),
            name: "  ".into(),
        };
        assert_eq!(p.display_name(), "ana.lima");
        let q = ImportedPerson {
            email: "x@example.com".into(),
            name: " Ana Lima ".into(),
        };
        assert_eq!(q.display_name(), "Ana Lima");
    }
}
