//! The activity trail: an append-only record of every change to a ticket.

use chrono::{DateTime, Utc};

use super::{
    AgentId, BulkMark, Direction, LinkKind, MessageId, NoteId, Priority, Status, TicketNumber,
};

/// What happened to a ticket.
///
/// Names (agents, tags, customers) are kept as they were at the time, so the
/// trail still reads correctly after a rename.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ActivityKind {
    /// The ticket was raised.
    Created,
    /// The status changed.
    StatusChanged {
        /// Before.
        from: Status,
        /// After.
        to: Status,
    },
    /// The priority changed.
    PriorityChanged {
        /// Before.
        from: Priority,
        /// After.
        to: Priority,
    },
    /// The subject was edited.
    SubjectEdited {
        /// Before.
        from: String,
        /// After.
        to: String,
    },
    /// The description was edited.
    DescriptionEdited,
    /// The ticket was moved to another customer (or to none).
    CustomerChanged {
        /// Customer name before.
        from: Option<String>,
        /// Customer name after.
        to: Option<String>,
    },
    /// An agent was assigned.
    AgentAssigned {
        /// Who was assigned.
        agent: AgentId,
        /// Their name then.
        name: String,
    },
    /// An agent was unassigned.
    AgentUnassigned {
        /// Who was unassigned.
        agent: AgentId,
        /// Their name then.
        name: String,
    },
    /// A tag was added.
    TagAdded {
        /// The tag.
        tag: String,
    },
    /// A tag was removed.
    TagRemoved {
        /// The tag.
        tag: String,
    },
    /// An internal note was added.
    NoteAdded {
        /// The note.
        note: NoteId,
    },
    /// An internal note was edited.
    NoteEdited {
        /// The note.
        note: NoteId,
    },
    /// An internal note was deleted; its text is kept here.
    NoteDeleted {
        /// The note that was.
        note: NoteId,
        /// Its text when deleted.
        text: String,
    },
    /// A message was attached to the conversation.
    MessageAttached {
        /// The message.
        message: MessageId,
        /// Inbound or a reply.
        direction: Direction,
    },
    /// A satisfaction rating was recorded.
    CsatRecorded {
        /// The rating, 1 to 5.
        rating: u8,
        /// The rating it replaced, if any.
        previous: Option<u8>,
    },
    /// A canned reply from the team's library was used on the ticket (its
    /// status and tags, where it sets any, are entries of their own).
    CannedUsed {
        /// The canned reply's id in the library.
        canned: i64,
        /// Its title then.
        title: String,
    },
    /// The customer's personal data was erased (`Store::erase_customer`).
    ///
    /// Bookkeeping, not an agent event: the entry is stored without an acting
    /// agent so that no analytics figure moves; who erased is kept here.
    CustomerErased {
        /// The agent who erased it.
        by: AgentId,
        /// Their name then.
        name: String,
    },
    /// This ticket was merged into another (`Store::merge`): its messages
    /// and notes moved there, and it was closed.
    MergedInto {
        /// The ticket kept.
        into: TicketNumber,
    },
    /// Another ticket was merged into this one.
    MergedFrom {
        /// The ticket merged in.
        from: TicketNumber,
    },
    /// A link to another ticket was added.
    Linked {
        /// The other ticket.
        other: TicketNumber,
        /// What the link says.
        kind: LinkKind,
        /// Whether this ticket is the link's first (the duplicate).
        outgoing: bool,
    },
    /// A link to another ticket was removed.
    Unlinked {
        /// The other ticket.
        other: TicketNumber,
        /// What the link said.
        kind: LinkKind,
        /// Whether this ticket was the link's first (the duplicate).
        outgoing: bool,
    },
}

/// One entry of the trail: what, who and when.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ActivityEntry {
    /// Order of recording.
    pub id: i64,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The acting agent.
    pub actor: Option<AgentId>,
    /// The acting agent's name now (empty if unknown).
    pub actor_name: String,
    /// What happened.
    pub kind: ActivityKind,
    /// The bulk run it was part of, if any.
    #[serde(default)]
    pub bulk: Option<BulkMark>,
}

impl ActivityEntry {
    /// The entry as a plain sentence, without the time: "Dana changed status
    /// from Open to Waiting", and " (bulk change of 240 tickets)" after it
    /// where a bulk run made it.
    pub fn sentence(&self) -> String {
        let who = match &self.kind {
            ActivityKind::CustomerErased { name, .. } => name,
            // An import's own bookkeeping (the ticket made, its tags, its
            // assignee, a status the source did not attribute) is nobody's.
            _ if self.actor.is_none() => "The import",
            _ if self.actor_name.is_empty() => "Someone",
            _ => &self.actor_name,
        };
        let what = match &self.kind {
            ActivityKind::Created => "created the ticket".to_owned(),
            ActivityKind::StatusChanged { from, to } => {
                format!("changed status from {} to {}", from.label(), to.label())
            }
            ActivityKind::PriorityChanged { from, to } => {
                format!("changed priority from {} to {}", from.label(), to.label())
            }
            ActivityKind::SubjectEdited { from, to } => {
                format!("changed the subject from “{from}” to “{to}”")
            }
            ActivityKind::DescriptionEdited => "edited the description".to_owned(),
            ActivityKind::CustomerChanged { from, to } => match (from, to) {
                (Some(from), Some(to)) => format!("moved the ticket from {from} to {to}"),
                (None, Some(to)) => format!("set the customer to {to}"),
                (Some(from), None) => format!("removed the customer {from}"),
                (None, None) => "changed the customer".to_owned(),
            },
            ActivityKind::AgentAssigned { agent, name } => {
                if Some(*agent) == self.actor {
                    "assigned themselves".to_owned()
                } else {
                    format!("assigned {name}")
                }
            }
            ActivityKind::AgentUnassigned { agent, name } => {
                if Some(*agent) == self.actor {
                    "unassigned themselves".to_owned()
                } else {
                    format!("unassigned {name}")
                }
            }
            ActivityKind::TagAdded { tag } => format!("added the tag “{tag}”"),
            ActivityKind::TagRemoved { tag } => format!("removed the tag “{tag}”"),
            ActivityKind::NoteAdded { .. } => "added an internal note".to_owned(),
            ActivityKind::NoteEdited { .. } => "edited an internal note".to_owned(),
            ActivityKind::NoteDeleted { .. } => "deleted an internal note".to_owned(),
            ActivityKind::MessageAttached {
                direction: Direction::Inbound,
                ..
            } => "recorded a message from the customer".to_owned(),
            ActivityKind::MessageAttached {
                direction: Direction::Outbound,
                ..
            } => "replied to the customer".to_owned(),
            ActivityKind::CsatRecorded { rating, previous } => match previous {
                Some(previous) => {
                    format!("changed the satisfaction rating from {previous} to {rating} of 5")
                }
                None => format!("recorded a satisfaction rating of {rating} of 5"),
            },
            ActivityKind::CannedUsed { title, .. } => format!("used the canned reply “{title}”"),
            ActivityKind::CustomerErased { .. } => "erased the customer's personal data".to_owned(),
            ActivityKind::MergedInto { into } => format!("merged this ticket into {into}"),
            ActivityKind::MergedFrom { from } => format!("merged {from} into this ticket"),
            ActivityKind::Linked {
                other,
                kind,
                outgoing,
            } => match (kind, outgoing) {
                (LinkKind::Duplicate, true) => format!("marked this as a duplicate of {other}"),
                (LinkKind::Duplicate, false) => format!("marked {other} as a duplicate of this"),
                _ => format!("linked {other} as related"),
            },
            ActivityKind::Unlinked {
                other,
                kind,
                outgoing,
            } => match (kind, outgoing) {
                (LinkKind::Duplicate, true) => {
                    format!("unmarked this as a duplicate of {other}")
                }
                (LinkKind::Duplicate, false) => {
                    format!("unmarked {other} as a duplicate of this")
                }
                _ => format!("removed the related link to {other}"),
            },
        };
        let bulk = self.bulk.as_ref().map(BulkMark::suffix).unwrap_or_default();
        format!("{who} {what}{bulk}")
    }
}
