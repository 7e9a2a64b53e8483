//! The activity trail's entries as every engine stores them: a kind's code,
//! the id it refers to, and its before and after values (a status code
//! stays a number, a name stays text), read back into [`ActivityKind`].

use crate::domain::{
    ActivityKind, AgentId, Direction, LinkKind, MessageId, NoteId, Priority, Status, TicketNumber,
};

/// How a link entry stores what the link says, from its ticket's side.
pub(crate) fn link_role(kind: LinkKind, outgoing: bool) -> &'static str {
    match (kind, outgoing) {
        (LinkKind::Related, _) => "related",
        (LinkKind::Duplicate, true) => "duplicate_of",
        (LinkKind::Duplicate, false) => "duplicated_by",
        (LinkKind::Merged, true) => "merged_into",
        (LinkKind::Merged, false) => "merged_from",
    }
}

/// What [`link_role`] stored.
fn role_link(role: &str) -> Option<(LinkKind, bool)> {
    Some(match role {
        "related" => (LinkKind::Related, true),
        "duplicate_of" => (LinkKind::Duplicate, true),
        "duplicated_by" => (LinkKind::Duplicate, false),
        "merged_into" => (LinkKind::Merged, true),
        "merged_from" => (LinkKind::Merged, false),
        _ => return None,
    })
}

/// A stored before or after value, as an engine hands it back.
pub(crate) trait StoredValue {
    /// The value as a whole number, if it is one.
    fn int(&self) -> Option<i64>;
    /// The value as text, if it is text.
    fn text(&self) -> Option<String>;
}

impl StoredValue for serde_json::Value {
    fn int(&self) -> Option<i64> {
        self.as_i64()
    }

    fn text(&self) -> Option<String> {
        self.as_str().map(str::to_owned)
    }
}

/// The entry stored as `code` with these values; `None` for a kind this
/// version does not know (written by a newer one) or values that do not fit it.
pub(crate) fn decode<V: StoredValue>(
    code: &str,
    ref_id: Option<i64>,
    old: &V,
    new: &V,
) -> Option<ActivityKind> {
    let rating = |v: &V| v.int().and_then(|r| u8::try_from(r).ok());
    Some(match code {
        "created" => ActivityKind::Created,
        "status" => ActivityKind::StatusChanged {
            from: Status::from_code(old.int()?)?,
            to: Status::from_code(new.int()?)?,
        },
        "priority" => ActivityKind::PriorityChanged {
            from: Priority::from_code(old.int()?)?,
            to: Priority::from_code(new.int()?)?,
        },
        "subject" => ActivityKind::SubjectEdited {
            from: old.text()?,
            to: new.text()?,
        },
        "description" => ActivityKind::DescriptionEdited,
        "customer" => ActivityKind::CustomerChanged {
            from: old.text(),
            to: new.text(),
        },
        "assigned" => ActivityKind::AgentAssigned {
            agent: AgentId(ref_id?),
            name: new.text()?,
        },
        "unassigned" => ActivityKind::AgentUnassigned {
            agent: AgentId(ref_id?),
            name: old.text()?,
        },
        "tag_added" => ActivityKind::TagAdded { tag: new.text()? },
        "tag_removed" => ActivityKind::TagRemoved { tag: old.text()? },
        "note_added" => ActivityKind::NoteAdded {
            note: NoteId(ref_id?),
        },
        "note_edited" => ActivityKind::NoteEdited {
            note: NoteId(ref_id?),
        },
        "note_deleted" => ActivityKind::NoteDeleted {
            note: NoteId(ref_id?),
            text: old.text()?,
        },
        "message" => ActivityKind::MessageAttached {
            message: MessageId(ref_id?),
            direction: Direction::from_code(new.int()?)?,
        },
        "csat" => ActivityKind::CsatRecorded {
            rating: rating(new)?,
            previous: rating(old),
        },
        "canned" => ActivityKind::CannedUsed {
            canned: ref_id?,
            title: new.text()?,
        },
        "customer_erased" => ActivityKind::CustomerErased {
            by: AgentId(ref_id?),
            name: new.text()?,
        },
        "merged_into" => ActivityKind::MergedInto {
            into: TicketNumber(ref_id?),
        },
        "merged_from" => ActivityKind::MergedFrom {
            from: TicketNumber(ref_id?),
        },
        "linked" => {
            let (kind, outgoing) = role_link(&new.text()?)?;
            ActivityKind::Linked {
                other: TicketNumber(ref_id?),
                kind,
                outgoing,
            }
        }
        "unlinked" => {
            let (kind, outgoing) = role_link(&old.text()?)?;
            ActivityKind::Unlinked {
                other: TicketNumber(ref_id?),
                kind,
                outgoing,
            }
        }
        _ => return None,
    })
}

/// A before or after value as every engine stores it: nothing, a number
/// (a status, priority, direction or rating code) or text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Plain {
    /// No value.
    Null,
    /// A code.
    Int(i64),
    /// A name or text.
    Text(String),
}

impl Plain {
    fn text(s: &str) -> Plain {
        Plain::Text(s.to_owned())
    }

    fn opt_text(s: &Option<String>) -> Plain {
        s.as_ref().map_or(Plain::Null, |s| Plain::Text(s.clone()))
    }

    /// As a team server's `jsonb` column is sent it: JSON text, or `None`
    /// for no value (SQL's NULL, not JSON's `null`).
    pub(crate) fn json(self) -> Option<String> {
        match self {
            Plain::Null => None,
            Plain::Int(i) => Some(serde_json::Value::from(i).to_string()),
            Plain::Text(t) => Some(serde_json::Value::String(t).to_string()),
        }
    }
}

/// How `kind` is stored: its code, the id it refers to, and its before
/// and after values (what [`decode`] reads back).
pub(crate) fn encode(kind: &ActivityKind) -> (&'static str, Option<i64>, Plain, Plain) {
    use Plain::{Int, Null};
    match kind {
        ActivityKind::Created => ("created", None, Null, Null),
        ActivityKind::StatusChanged { from, to } => {
            ("status", None, Int(from.code()), Int(to.code()))
        }
        ActivityKind::PriorityChanged { from, to } => {
            ("priority", None, Int(from.code()), Int(to.code()))
        }
        ActivityKind::SubjectEdited { from, to } => {
            ("subject", None, Plain::text(from), Plain::text(to))
        }
        ActivityKind::DescriptionEdited => ("description", None, Null, Null),
        ActivityKind::CustomerChanged { from, to } => {
            ("customer", None, Plain::opt_text(from), Plain::opt_text(to))
        }
        ActivityKind::AgentAssigned { agent, name } => {
            ("assigned", Some(agent.0), Null, Plain::text(name))
        }
        ActivityKind::AgentUnassigned { agent, name } => {
            ("unassigned", Some(agent.0), Plain::text(name), Null)
        }
        ActivityKind::TagAdded { tag } => ("tag_added", None, Null, Plain::text(tag)),
        ActivityKind::TagRemoved { tag } => ("tag_removed", None, Plain::text(tag), Null),
        ActivityKind::NoteAdded { note } => ("note_added", Some(note.0), Null, Null),
        ActivityKind::NoteEdited { note } => ("note_edited", Some(note.0), Null, Null),
        ActivityKind::NoteDeleted { note, text } => {
            ("note_deleted", Some(note.0), Plain::text(text), Null)
        }
        ActivityKind::MessageAttached { message, direction } => {
            ("message", Some(message.0), Null, Int(direction.code()))
        }
        ActivityKind::CsatRecorded { rating, previous } => (
            "csat",
            None,
            previous.map_or(Null, |p| Int(i64::from(p))),
            Int(i64::from(*rating)),
        ),
        ActivityKind::CannedUsed { canned, title } => {
            ("canned", Some(*canned), Null, Plain::text(title))
        }
        ActivityKind::CustomerErased { by, name } => {
            ("customer_erased", Some(by.0), Null, Plain::text(name))
        }
        ActivityKind::MergedInto { into } => ("merged_into", Some(into.0), Null, Null),
        ActivityKind::MergedFrom { from } => ("merged_from", Some(from.0), Null, Null),
        ActivityKind::Linked {
            other,
            kind,
            outgoing,
        } => (
            "linked",
            Some(other.0),
            Null,
            Plain::text(link_role(*kind, *outgoing)),
        ),
        ActivityKind::Unlinked {
            other,
            kind,
            outgoing,
        } => (
            "unlinked",
            Some(other.0),
            Plain::text(link_role(*kind, *outgoing)),
            Null,
        ),
    }
}
