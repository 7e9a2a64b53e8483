//! Links between tickets: related (both ways), a duplicate of another, and
//! merged into another (what [`crate::store::Store::merge`] leaves behind).

use super::TicketNumber;

/// What a link says about two tickets.
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
pub enum LinkKind {
    /// About the same thing; the same both ways.
    #[default]
    Related,
    /// The first ticket is a duplicate of the second.
    Duplicate,
    /// The first ticket was merged into the second (only a merge makes one).
    Merged,
}

impl LinkKind {
    /// How both engines store it.
    pub fn code(self) -> &'static str {
        match self {
            LinkKind::Related => "related",
            LinkKind::Duplicate => "duplicate",
            LinkKind::Merged => "merged",
        }
    }

    /// The kind stored as `code`; `None` for one a newer version wrote.
    pub fn from_code(code: &str) -> Option<LinkKind> {
        Some(match code {
            "related" => LinkKind::Related,
            "duplicate" => LinkKind::Duplicate,
            "merged" => LinkKind::Merged,
            _ => return None,
        })
    }
}

/// One link of a ticket, as its panel lists it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TicketLink {
    /// The other ticket.
    pub other: TicketNumber,
    /// Its subject now.
    pub subject: String,
    /// What the link says.
    pub kind: LinkKind,
    /// Whether this ticket is the link's first (the duplicate, the one
    /// merged); a related link has no direction and is always outgoing.
    pub outgoing: bool,
}

impl TicketLink {
    /// The link as the panel and the export say it, naming the other
    /// ticket: "Related to TKT-000004", "Duplicate of TKT-000004",
    /// "Merged into TKT-000004", "TKT-000004 merged into this".
    pub fn label(&self) -> String {
        let other = self.other;
        match (self.kind, self.outgoing) {
            (LinkKind::Related, _) => format!("Related to {other}"),
            (LinkKind::Duplicate, true) => format!("Duplicate of {other}"),
            (LinkKind::Duplicate, false) => format!("{other} is a duplicate of this"),
            (LinkKind::Merged, true) => format!("Merged into {other}"),
            (LinkKind::Merged, false) => format!("{other} merged into this"),
        }
    }
}

/// What a merge moved into the ticket kept, counted over every ticket
/// merged into it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MergeCounts {
    /// Messages of the conversation moved.
    pub messages: u64,
    /// Internal notes moved.
    pub notes: u64,
    /// Tags the kept ticket did not carry, added to it.
    pub tags: u64,
    /// Assignees the kept ticket did not have, added to it.
    pub assignees: u64,
}
