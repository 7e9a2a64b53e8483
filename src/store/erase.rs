//! Erasing a customer's personal data while keeping their tickets for analytics.
//!
//! What goes, and why:
//! - The customer's **name, email and company** are replaced (the name by
//!   "Erased customer #ID", the others emptied) and their **customer tags**
//!   removed: tags such as "difficult" or "churn risk" are statements about a person.
//! - The text of **every message** in their tickets' conversations, both ways,
//!   becomes [`ERASED`]: it is the correspondence with that person, and
//!   replies routinely repeat what the customer wrote (addresses, order numbers).
//! - Their tickets' **descriptions** become [`ERASED`] too. Agents raise a
//!   ticket on the customer's behalf (subject, description, priority,
//!   customer), so the description is where the customer's request, in their
//!   words, is recorded: it is message text in all but name.
//! - **Subjects and internal notes stay**: they are the team's own one-line
//!   label and working record, which the list, the trail and the analytics
//!   drill-downs refer to. Only whole-word mentions of the customer's name or
//!   email in them are replaced, and likewise in the ticket's activity (old and
//!   new subjects, deleted notes' text) and in every "moved the ticket to this
//!   customer" entry of the trail, on any ticket.
//! - Every other copy of that text is cleared as well: both full-text search
//!   indexes are rewritten without it, index samples the query planner kept
//!   (`sqlite_stat4`) are taken again, freed space is overwritten with zeros
//!   (`PRAGMA secure_delete`) and the write-ahead log is emptied into the file.
//!
//! Tickets, statuses, priorities, timestamps, assignees, tags, ratings and the
//! status history stay, so every analytics figure of every period is the same
//! before and after. Each ticket whose text changed gets one "erased the
//! customer's personal data" entry, which is not an agent event (see
//! [`ActivityKind::CustomerErased`]). Everything is one transaction: a failure
//! anywhere leaves the file as it was.
//!
//! Text deleted *before* the erasure (an earlier name of the customer, a
//! deleted note) was zeroed when it was deleted: the store runs with
//! `PRAGMA secure_delete = FAST`. That mode leaves whole pages that fall free
//! as they were, so a long text deleted earlier may still linger until a
//! `VACUUM`. Not covered: mentions of the customer on other customers'
//! tickets, or by a partial name ("Hi Ann"), and backups made before.
//!
//! This module holds what both engines share: the words used and the
//! summary. Each engine does the writing, by the same rule for which
//! mentions are whole words: `sqlite::erase` on a file; on a team server
//! its function `tickets.erase_customer` (migration 5, with
//! `tickets.redact`), so an admin names the customer and nothing else. The
//! erase tests run on both engines.

use crate::domain::{CustomerId, TicketNumber};

/// What erased text is replaced with.
pub const ERASED: &str = "[erased]";

/// The name an erased customer is left with.
pub fn erased_name(customer: CustomerId) -> String {
    format!("Erased customer #{}", customer.0)
}

/// What an erasure changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErasedSummary {
    /// The customer.
    pub customer: CustomerId,
    /// The tickets whose text changed, each now with an activity entry saying so.
    pub tickets: Vec<TicketNumber>,
    /// Messages whose text was replaced.
    pub messages: u64,
    /// Whether the old text is gone from the file. False when another
    /// connection kept the write-ahead log from being emptied; the log is then
    /// cleared at its next full checkpoint.
    pub file_cleared: bool,
    /// Whether the customer was erased on a team server, where the old row
    /// versions stay in the server's files until its next vacuum.
    pub on_server: bool,
}

impl std::fmt::Display for ErasedSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = erased_name(self.customer);
        if self.tickets.is_empty() {
            return write!(f, "{name} had no personal data left to erase");
        }
        let tickets = self.tickets.len();
        let plural = |n: u64| if n == 1 { "" } else { "s" };
        write!(
            f,
            "Erased the personal data of {name}: {tickets} ticket{}, {} message{}",
            plural(tickets as u64),
            self.messages,
            plural(self.messages),
        )?;
        if self.on_server {
            write!(
                f,
                ". The server removes the old row versions at its next vacuum (autovacuum does so by itself; its owner can run VACUUM now)"
            )?;
        } else if !self.file_cleared {
            write!(
                f,
                ". The file was in use elsewhere, so the erased text leaves it completely once every window on it has closed"
            )?;
        }
        Ok(())
    }
}
