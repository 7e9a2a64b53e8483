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
