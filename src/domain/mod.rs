//! The help-desk domain: tickets, people, notes, messages and the activity trail.
//!
//! Plain data with no I/O; the store reads and writes these types.

mod activity;
mod bulk;
pub mod canned;
mod imported;
mod link;
mod number;
mod presence;
pub mod sla;
mod ticket;
pub mod validate;

pub use activity::{ActivityEntry, ActivityKind};
pub use bulk::{BulkChange, BulkCounts, BulkItem, BulkMark, BulkOutcome, BulkResult};
pub use canned::CannedReply;
pub use imported::{ImportedComment, ImportedPerson, ImportedStatusChange, ImportedTicket};
pub use link::{LinkKind, MergeCounts, TicketLink};
pub use number::{TicketNumber, parse_ticket_number};
pub use presence::{Doing, Presence};
pub use ticket::{
    Agent, Customer, Direction, ExternalRef, Message, NewCustomer, NewTicket, Note, Priority,
    Status, Tag, TicketDetail, TicketRow,
};

use chrono::{DateTime, TimeZone, Utc};

/// A whole number with thousands separators: 20,000.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1 ticket", "20,000 tickets".
pub fn count_of(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// The key names sort by, on every engine: lower-cased the Unicode way, so
/// "Émile" sorts with "emile".
pub fn sort_key(name: &str) -> String {
    name.to_lowercase()
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        pub struct $name(pub i64);
    };
}

id_type!(
    /// An agent: a member of the support team who acts in the app.
    AgentId
);
id_type!(
    /// A customer that tickets belong to.
    CustomerId
);
id_type!(
    /// A tag name, shared by ticket tags and customer tags.
    TagId
);
id_type!(
    /// An internal note on a ticket.
    NoteId
);
id_type!(
    /// A message in a ticket's conversation with the customer.
    MessageId
);

/// Longest subject accepted, in characters (after trimming).
pub const MAX_SUBJECT_CHARS: usize = 200;
/// Longest description, note or message body accepted, in characters.
pub const MAX_BODY_CHARS: usize = 100_000;
/// Longest name (agent, customer, tag, company) accepted, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest email address accepted, in characters.
pub const MAX_EMAIL_CHARS: usize = 254;

/// Converts a UTC time to the milliseconds since the Unix epoch the store keeps.
pub fn to_millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// Converts stored milliseconds since the Unix epoch back to a UTC time.
///
/// Values outside chrono's range (only possible in a damaged file) clamp to the epoch.
pub fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}
