//! Bulk loading: rows written straight into an empty store, many at a time,
//! for the sample-data generator (see [`Store::bulk_load`](super::Store::bulk_load)).
//!
//! The everyday store calls check a change and record its activity in one
//! transaction each, which is right for an agent and far too slow for a
//! million tickets. A [`BulkSink`] instead writes exactly the rows it is
//! given, one call per row, and leaves it to the caller to keep them
//! consistent (statuses with their moments, activity with its ticket, sort
//! keys with names): the generator derives every row by the store's own
//! rules, and its tests check the two agree. Everything is one load: the
//! engine commits it whole when the load succeeds, or nothing of it.
//!
//! Moments are milliseconds since the Unix epoch, UTC, as
//! [`to_millis`](crate::domain::to_millis) gives and the store keeps.

use super::StoreError;
use crate::domain::{
    ActivityKind, AgentId, CustomerId, Direction, MessageId, NoteId, Priority, Status, TagId,
    TicketNumber,
};

/// Where a bulk load writes its rows: one method per kind of row write.
///
/// Nothing is checked beyond what the engine itself enforces (keys,
/// constraints), and nothing is derived: what a call names is written.
pub trait BulkSink {
    /// Adds an agent; `sort_key` is the name as the list sorts it.
    fn add_agent(
        &mut self,
        name: &str,
        sort_key: &str,
        email: &str,
        active: bool,
        created_at: i64,
    ) -> Result<AgentId, StoreError>;

    /// Adds a customer, created and last updated at `created_at`.
    fn add_customer(
        &mut self,
        name: &str,
        sort_key: &str,
        email: &str,
        company: &str,
        created_at: i64,
    ) -> Result<CustomerId, StoreError>;

    /// Tags a customer (nothing if they have the tag already).
    fn tag_customer(&mut self, customer: CustomerId, tag: TagId) -> Result<(), StoreError>;

    /// The tag named `name` (ignoring case), created if there is none yet:
    /// a tag made before the load is reused.
    fn tag_named(&mut self, name: &str) -> Result<TagId, StoreError>;

    /// The number the next new ticket gets: one after any ever used, since
    /// numbers are never reused.
    fn next_ticket_number(&mut self) -> Result<TicketNumber, StoreError>;

    /// Adds a ticket as it was raised: Open, at version 1, last updated when
    /// created. `customer` is the customer and their sort key. Its final
    /// state follows in [`BulkSink::finish_ticket`] once its life is told.
    fn add_ticket(
        &mut self,
        number: TicketNumber,
        subject: &str,
        description: &str,
        priority: Priority,
        customer: Option<(CustomerId, &str)>,
        created_at: i64,
    ) -> Result<(), StoreError>;

    /// Assigns an agent to a ticket at `at`.
    fn assign(&mut self, ticket: TicketNumber, agent: AgentId, at: i64) -> Result<(), StoreError>;

    /// Removes an agent from a ticket's assignees.
    fn unassign(&mut self, ticket: TicketNumber, agent: AgentId) -> Result<(), StoreError>;

    /// Tags a ticket.
    fn tag_ticket(&mut self, ticket: TicketNumber, tag: TagId) -> Result<(), StoreError>;

    /// Takes a tag off a ticket.
    fn untag_ticket(&mut self, ticket: TicketNumber, tag: TagId) -> Result<(), StoreError>;

    /// Adds message `id` to a ticket's conversation, written by `author` at `at`.
    fn add_message(
        &mut self,
        id: MessageId,
        ticket: TicketNumber,
        direction: Direction,
        author: AgentId,
        body: &str,
        at: i64,
    ) -> Result<(), StoreError>;

    /// Adds internal note `id` to a ticket, written by `author` at `at`.
    fn add_note(
        &mut self,
        id: NoteId,
        ticket: TicketNumber,
        author: AgentId,
        body: &str,
        at: i64,
    ) -> Result<(), StoreError>;

    /// Replaces a note's text at `at`, moving its version on.
    fn edit_note(&mut self, id: NoteId, body: &str, at: i64) -> Result<(), StoreError>;

    /// Deletes a note.
    fn delete_note(&mut self, id: NoteId) -> Result<(), StoreError>;

    /// Appends one entry to a ticket's trail, stored as the store's own
    /// operations store it.
    fn record(
        &mut self,
        ticket: TicketNumber,
        at: i64,
        actor: AgentId,
        kind: &ActivityKind,
    ) -> Result<(), StoreError>;

    /// Writes a ticket's final state over what [`BulkSink::add_ticket`] wrote.
    fn finish_ticket(&mut self, ticket: &FinalTicket<'_>) -> Result<(), StoreError>;
}

/// A bulk-loaded ticket's state once its life is told: every field its
/// events change, and the sort keys the list reads.
#[derive(Clone, Copy, Debug)]
pub struct FinalTicket<'a> {
    /// Which ticket.
    pub number: TicketNumber,
    /// Its subject now.
    pub subject: &'a str,
    /// Its description now.
    pub description: &'a str,
    /// Its status now.
    pub status: Status,
    /// Its priority now.
    pub priority: Priority,
    /// Its customer now, with the customer's sort key.
    pub customer: Option<(CustomerId, &'a str)>,
    /// How many field edits it has had, plus one.
    pub version: i64,
    /// Its latest event.
    pub updated_at: i64,
    /// The first reply to the customer.
    pub first_reply_at: Option<i64>,
    /// When it was resolved and by whom, while it is resolved or closed.
    pub resolved: Option<(i64, AgentId)>,
    /// When it was last closed.
    pub closed_at: Option<i64>,
    /// The customer's rating and when it was given.
    pub csat: Option<(u8, i64)>,
    /// The least sort key of its assignees; none when it is unassigned.
    pub assignee_key: Option<&'a str>,
}
