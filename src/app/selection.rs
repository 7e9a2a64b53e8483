//! The tickets picked for a bulk action: Ctrl-click one, Shift-click a
//! range, Ctrl+A every ticket of the list (also those not loaded: the
//! store names them), X and Shift+J/K from the keyboard, Esc to let go.
//!
//! Each picked ticket keeps the moment of its last change as the agent saw
//! it: a bulk action skips a ticket changed since (by someone else, or in
//! another window) rather than overwrite that change.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::domain::{TicketNumber, TicketRow};

/// The tickets picked.
#[derive(Debug, Default)]
pub struct Selection {
    /// Each ticket picked, with its last change as seen when picked.
    picked: BTreeMap<TicketNumber, DateTime<Utc>>,
    /// Tickets asked of the store (a range or the whole list): the request's
    /// number and how many are on their way.
    pending: Option<(u64, u64)>,
    /// The newest request's number.
    asked: u64,
    /// Where a Shift-click range starts: the position of the ticket last
    /// clicked with Ctrl (or plainly).
    anchor: Option<u64>,
}

impl Selection {
    /// Whether nothing is picked or on its way.
    pub fn is_empty(&self) -> bool {
        self.picked.is_empty() && self.pending.is_none()
    }

    /// How many tickets are picked (with those on their way).
    pub fn len(&self) -> u64 {
        match self.pending {
            Some((_, coming)) => coming.max(self.picked.len() as u64),
            None => self.picked.len() as u64,
        }
    }

    /// Whether tickets asked of the store are still on their way.
    pub fn waiting(&self) -> bool {
        self.pending.is_some()
    }

    /// Whether `number` is picked.
    pub fn contains(&self, number: TicketNumber) -> bool {
        self.picked.contains_key(&number)
    }

    /// Picks `row` (at `position` in the list) or lets it go.
    pub fn toggle(&mut self, row: &TicketRow, position: u64) {
        if self.picked.remove(&row.number).is_none() {
            self.picked.insert(row.number, row.updated);
        }
        self.anchor = Some(position);
    }

    /// Picks `row`, which stands at `position`.
    pub fn add(&mut self, row: &TicketRow, position: u64) {
        self.picked.insert(row.number, row.updated);
        self.anchor = Some(position);
    }

    /// Where a Shift-click range starts.
    pub fn anchor(&self) -> Option<u64> {
        self.anchor
    }

    /// Picks the rows of a range that are all loaded.
    pub fn add_rows<'r>(&mut self, rows: impl IntoIterator<Item = &'r TicketRow>) {
        for row in rows {
            self.picked.insert(row.number, row.updated);
        }
    }

    /// Starts asking the store for `count` tickets of the list (a range not
    /// loaded, or every ticket); returns the request's number.
    pub fn ask(&mut self, count: u64) -> u64 {
        self.asked += 1;
        self.pending = Some((self.asked, count));
        self.asked
    }

    /// Takes in the tickets the store named for request `asked`.
    pub fn receive(&mut self, asked: u64, stamps: Vec<(TicketNumber, DateTime<Utc>)>) {
        if self.pending.map(|(a, _)| a) != Some(asked) {
            return;
        }
        self.pending = None;
        self.picked.extend(stamps);
    }

    /// The store could not name them: nothing more is on its way.
    pub fn failed(&mut self, asked: u64) {
        if self.pending.map(|(a, _)| a) == Some(asked) {
            self.pending = None;
        }
    }

    /// Lets every ticket go.
    pub fn clear(&mut self) {
        self.picked.clear();
        self.pending = None;
        self.anchor = None;
    }

    /// The tickets picked, in number order, each with its last change as seen.
    pub fn stamps(&self) -> Vec<(TicketNumber, DateTime<Utc>)> {
        self.picked.iter().map(|(n, t)| (*n, *t)).collect()
    }

    /// Lets go of tickets (those a bulk action changed, say).
    pub fn retain(&mut self, keep: impl Fn(TicketNumber) -> bool) {
        self.picked.retain(|n, _| keep(*n));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Priority, Status};

    fn row(n: i64, minute: i64) -> TicketRow {
        let at = DateTime::<Utc>::from_timestamp(1_700_000_000 + minute * 60, 0).unwrap();
        TicketRow {
            number: TicketNumber(n),
            subject: format!("Ticket {n}"),
            status: Status::Open,
            priority: Priority::Medium,
            customer: None,
            assignees: Vec::new(),
            created: at,
            updated: at,
            due: None,
            due_risk: None,
        }
    }

    #[test]
    fn picked_tickets_keep_the_change_they_were_seen_at() {
        let mut s = Selection::default();
        assert!(s.is_empty());
        s.toggle(&row(3, 5), 0);
        s.add(&row(7, 9), 4);
        assert_eq!(s.len(), 2);
        assert_eq!(s.anchor(), Some(4));
        assert_eq!(
            s.stamps(),
            [
                (TicketNumber(3), row(3, 5).updated),
                (TicketNumber(7), row(7, 9).updated)
            ]
        );
        s.toggle(&row(3, 5), 0);
        assert!(!s.contains(TicketNumber(3)));
        s.clear();
        assert!(s.is_empty());
    }

    #[test]
    fn every_ticket_counts_at_once_and_arrives_later() {
        let mut s = Selection::default();
        let first = s.ask(12_408);
        assert_eq!(s.len(), 12_408, "said at once");
        assert!(s.waiting());
        let second = s.ask(3);
        s.receive(first, vec![(TicketNumber(1), row(1, 1).updated)]);
        assert!(s.waiting(), "an older answer is dropped");
        s.receive(
            second,
            (1..=3)
                .map(|n| (TicketNumber(n), row(n, n).updated))
                .collect(),
        );
        assert!(!s.waiting());
        assert_eq!(s.len(), 3);
    }
}
