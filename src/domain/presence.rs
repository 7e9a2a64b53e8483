//! Who else is at a ticket: on a team server each desk says which ticket it
//! has open and whether its agent is writing there, and the others show it
//! ("Dana is replying…"), as FreeScout and Zammad do. Nothing of it is
//! stored beyond the connection that said it.

use super::{AgentId, TicketNumber};

/// What an agent is doing at the ticket they have open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Doing {
    /// Reading it.
    #[default]
    Viewing,
    /// Writing a reply to the customer.
    Replying,
    /// Writing an internal note.
    Noting,
}

impl Doing {
    /// The stored code.
    pub fn code(self) -> i16 {
        match self {
            Doing::Viewing => 0,
            Doing::Replying => 1,
            Doing::Noting => 2,
        }
    }

    /// The value of a stored code (an unknown one reads as viewing).
    pub fn from_code(code: i16) -> Doing {
        match code {
            1 => Doing::Replying,
            2 => Doing::Noting,
            _ => Doing::Viewing,
        }
    }
}

/// Another agent at a ticket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Presence {
    /// Who.
    pub agent: AgentId,
    /// Their name.
    pub name: String,
    /// The ticket they have open.
    pub ticket: TicketNumber,
    /// What they are doing there.
    pub doing: Doing,
}

impl Presence {
    /// "Dana is replying…", "Dana is writing a note…", "Dana has it open".
    pub fn sentence(&self) -> String {
        match self.doing {
            Doing::Viewing => format!("{} has it open", self.name),
            Doing::Replying => format!("{} is replying…", self.name),
            Doing::Noting => format!("{} is writing a note…", self.name),
        }
    }
}
