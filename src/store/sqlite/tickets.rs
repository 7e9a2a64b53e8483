//! Raising tickets, changing them, and loading one with everything its panel shows.
//!
//! Field edits (status, priority, subject, description, customer, rating) carry
//! the ticket version the agent was looking at and are refused as a conflict if
//! the ticket has changed since. Additions and removals (assignees, tags, notes,
//! messages) do not overwrite anything and so need no version.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{FileStore, StoreError, activity};
use crate::domain::validate;
use crate::domain::{
    ActivityKind, Agent, AgentId, Customer, CustomerId, Direction, Message, MessageId, NewTicket,
    Note, NoteId, Priority, Status, Tag, TagId, TicketDetail, TicketNumber, from_millis,
};

/// The parts of a ticket that edits are checked against.
pub(super) struct TicketState {
    status: Status,
    priority: Priority,
    subject: String,
    description: String,
    customer: Option<CustomerId>,
    version: i64,
    resolved_at: Option<i64>,
    resolved_by: Option<AgentId>,
    csat: Option<u8>,
}

impl TicketState {
    /// The ticket's customer.
    pub(super) fn customer(&self) -> Option<CustomerId> {
        self.customer
    }
}

pub(super) fn state(conn: &Connection, ticket: TicketNumber) -> Result<TicketState, StoreError> {
    conn.prepare_cached(
        "SELECT status, priority, subject, description, customer_id, version, resolved_at, resolved_by, csat
         FROM tickets WHERE id = ?1",
    )?
    .query_row([ticket], |r| {
        Ok(TicketState {
            status: r.get(0)?,
            priority: r.get(1)?,
            subject: r.get(2)?,
            description: r.get(3)?,
            customer: r.get(4)?,
            version: r.get(5)?,
            resolved_at: r.get(6)?,
            resolved_by: r.get(7)?,
            csat: r.get(8)?,
        })
    })
    .optional()?
    .ok_or(StoreError::NoSuchTicket(ticket))
}

/// The current state, after checking the edit was made against the current version.
pub(super) fn state_at_version(
    conn: &Connection,
    ticket: TicketNumber,
    expected_version: i64,
) -> Result<TicketState, StoreError> {
    let st = state(conn, ticket)?;
    if st.version != expected_version {
        return Err(StoreError::Conflict {
            ticket,
            current_version: st.version,
        });
    }
    Ok(st)
}

pub(super) fn ensure_ticket(conn: &Connection, ticket: TicketNumber) -> Result<(), StoreError> {
    let found = conn
        .prepare_cached("SELECT 1 FROM tickets WHERE id = ?1")?
        .exists([ticket])?;
    if found {
        Ok(())
    } else {
        Err(StoreError::NoSuchTicket(ticket))
    }
}

/// An agent by id, or `NotFound`.
pub(crate) fn agent(conn: &Connection, id: AgentId) -> Result<Agent, StoreError> {
    conn.prepare_cached("SELECT id, name, email, active FROM agents WHERE id = ?1")?
        .query_row([id], row_to_agent)
        .optional()?
        .ok_or(StoreError::NotFound {
            what: "agent",
            id: id.0,
        })
}

pub(crate) fn row_to_agent(r: &Row<'_>) -> rusqlite::Result<Agent> {
    Ok(Agent {
        id: r.get(0)?,
        name: r.get(1)?,
        email: r.get(2)?,
        active: r.get(3)?,
    })
}

pub(super) fn customer_name_and_key(
    conn: &Connection,
    id: CustomerId,
) -> Result<(String, String), StoreError> {
    conn.prepare_cached("SELECT name, sort_key FROM customers WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or(StoreError::NotFound {
            what: "customer",
            id: id.0,
        })
}

/// Marks a ticket as changed now; field edits also move its version on.
pub(crate) fn touch(
    conn: &Connection,
    ticket: TicketNumber,
    now: i64,
    field_edit: bool,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE tickets SET updated_at = max(updated_at, ?2), version = version + ?3 WHERE id = ?1",
    )?
    .execute(params![ticket, now, i64::from(field_edit)])?;
    Ok(())
}

/// Recomputes the assignee sort key after assignees change.
pub(crate) fn refresh_assignee_key(
    conn: &Connection,
    ticket: TicketNumber,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE tickets SET assignee_key = (
             SELECT min(a.sort_key) FROM ticket_assignees ta JOIN agents a ON a.id = ta.agent_id
             WHERE ta.ticket_id = ?1)
         WHERE id = ?1",
    )?
    .execute([ticket])?;
    Ok(())
}

/// Finds a tag by name (ignoring case) or creates it.
pub(crate) fn tag_by_name(conn: &Connection, name: &str) -> Result<Tag, StoreError> {
    let name = validate::tag(name)?;
    let existing = conn
        .prepare_cached("SELECT id, name FROM tags WHERE name = ?1")?
        .query_row([&name], |r| {
            Ok(Tag {
                id: r.get(0)?,
                name: r.get(1)?,
            })
        })
        .optional()?;
    if let Some(tag) = existing {
        return Ok(tag);
    }
    conn.prepare_cached("INSERT INTO tags (name) VALUES (?1)")?
        .execute([&name])?;
    Ok(Tag {
        id: TagId(conn.last_insert_rowid()),
        name,
    })
}

/// Finishes a change to a ticket: marks it changed now (a field edit also
/// moves its version on, as the kind says) and records its entry, marked
/// with `batch` where a bulk run made it. Every change of one ticket by an
/// agent ends here, whether asked alone or in a bulk run.
pub(super) fn record_change(
    tx: &Connection,
    ticket: TicketNumber,
    now: i64,
    actor: AgentId,
    kind: &ActivityKind,
    batch: Option<i64>,
) -> Result<(), StoreError> {
    let field_edit = matches!(
        kind,
        ActivityKind::StatusChanged { .. }
            | ActivityKind::PriorityChanged { .. }
            | ActivityKind::SubjectEdited { .. }
            | ActivityKind::DescriptionEdited
            | ActivityKind::CustomerChanged { .. }
            | ActivityKind::CsatRecorded { .. }
    );
    touch(tx, ticket, now, field_edit)?;
    activity::record_in_batch(tx, ticket, now, actor, kind, batch)
}

// Each change below writes itself and returns its activity entry (`None`
// where there is nothing to change), for the single call and a bulk run
// alike to finish with `record_change`, each in its own transaction.

/// Moves the ticket (found as `st`) to status `to`, keeping its resolution
/// and close moments current.
pub(super) fn status_change(
    tx: &Connection,
    actor: AgentId,
    ticket: TicketNumber,
    st: &TicketState,
    now: i64,
    to: Status,
) -> Result<Option<ActivityKind>, StoreError> {
    let from = st.status;
    if from == to {
        return Ok(None);
    }
    // The resolution moment is the latest entry into Resolved/Closed from an
    // unresolved status; a ticket that is no longer resolved-like has none.
    let (resolved_at, resolved_by) = if !to.is_resolved_like() {
        (None, None)
    } else if !from.is_resolved_like() {
        (Some(now), Some(actor))
    } else {
        (st.resolved_at, st.resolved_by)
    };
    tx.prepare_cached(
        "UPDATE tickets SET status = ?2, resolved_at = ?3, resolved_by = ?4,
             closed_at = CASE WHEN ?5 THEN ?6 ELSE closed_at END
         WHERE id = ?1",
    )?
    .execute(params![
        ticket,
        to,
        resolved_at,
        resolved_by,
        to == Status::Closed,
        now
    ])?;
    Ok(Some(ActivityKind::StatusChanged { from, to }))
}

/// Gives the ticket (found as `st`) priority `to`.
pub(super) fn priority_change(
    tx: &Connection,
    ticket: TicketNumber,
    st: &TicketState,
    to: Priority,
) -> Result<Option<ActivityKind>, StoreError> {
    let from = st.priority;
    if from == to {
        return Ok(None);
    }
    tx.prepare_cached("UPDATE tickets SET priority = ?2 WHERE id = ?1")?
        .execute(params![ticket, to])?;
    Ok(Some(ActivityKind::PriorityChanged { from, to }))
}

/// Assigns an active agent to the ticket; one already assigned changes nothing.
pub(super) fn assign_change(
    tx: &Connection,
    ticket: TicketNumber,
    assignee: AgentId,
    now: i64,
) -> Result<Option<ActivityKind>, StoreError> {
    let who = agent(tx, assignee)?;
    if !who.active {
        return Err(StoreError::NotAllowed(format!(
            "{} is no longer an active agent and cannot be assigned",
            who.name
        )));
    }
    let added = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO ticket_assignees (ticket_id, agent_id, assigned_at) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![ticket, assignee, now])?;
    if added == 0 {
        return Ok(None);
    }
    refresh_assignee_key(tx, ticket)?;
    Ok(Some(ActivityKind::AgentAssigned {
        agent: assignee,
        name: who.name,
    }))
}

/// Takes an agent off the ticket; one not assigned changes nothing.
pub(super) fn unassign_change(
    tx: &Connection,
    ticket: TicketNumber,
    assignee: AgentId,
) -> Result<Option<ActivityKind>, StoreError> {
    let who = agent(tx, assignee)?;
    let removed = tx
        .prepare_cached("DELETE FROM ticket_assignees WHERE ticket_id = ?1 AND agent_id = ?2")?
        .execute(params![ticket, assignee])?;
    if removed == 0 {
        return Ok(None);
    }
    refresh_assignee_key(tx, ticket)?;
    Ok(Some(ActivityKind::AgentUnassigned {
        agent: assignee,
        name: who.name,
    }))
}

/// Tags the ticket with the tag named `name`, made if new; returns the tag.
pub(super) fn tag_change(
    tx: &Connection,
    ticket: TicketNumber,
    name: &str,
) -> Result<(Tag, Option<ActivityKind>), StoreError> {
    let tag = tag_by_name(tx, name)?;
    let added = tx
        .prepare_cached("INSERT OR IGNORE INTO ticket_tags (ticket_id, tag_id) VALUES (?1, ?2)")?
        .execute(params![ticket, tag.id])?;
    let kind = (added > 0).then(|| ActivityKind::TagAdded {
        tag: tag.name.clone(),
    });
    Ok((tag, kind))
}

/// Takes a tag off the ticket; one not there changes nothing.
pub(super) fn untag_change(
    tx: &Connection,
    ticket: TicketNumber,
    tag: TagId,
) -> Result<Option<ActivityKind>, StoreError> {
    let name: String = tx
        .prepare_cached("SELECT name FROM tags WHERE id = ?1")?
        .query_row([tag], |r| r.get(0))
        .optional()?
        .ok_or(StoreError::NotFound {
            what: "tag",
            id: tag.0,
        })?;
    let removed = tx
        .prepare_cached("DELETE FROM ticket_tags WHERE ticket_id = ?1 AND tag_id = ?2")?
        .execute(params![ticket, tag])?;
    Ok((removed > 0).then_some(ActivityKind::TagRemoved { tag: name }))
}

/// Adds an internal note (its text validated already) by `actor`; returns it.
pub(super) fn note_change(
    tx: &Connection,
    actor: AgentId,
    ticket: TicketNumber,
    body: &str,
    now: i64,
) -> Result<NoteId, StoreError> {
    tx.prepare_cached(
        "INSERT INTO notes (ticket_id, author_id, body, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
    )?
    .execute(params![ticket, actor, body, now])?;
    Ok(NoteId(tx.last_insert_rowid()))
}

/// Attaches a message (its text validated already) by `actor`; an
/// outbound one may be the ticket's first response. Returns it and its entry.
pub(super) fn message_change(
    tx: &Connection,
    actor: AgentId,
    ticket: TicketNumber,
    direction: Direction,
    body: &str,
    now: i64,
) -> Result<(MessageId, ActivityKind), StoreError> {
    tx.prepare_cached(
        "INSERT INTO messages (ticket_id, direction, author_id, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![ticket, direction, actor, body, now])?;
    let message = MessageId(tx.last_insert_rowid());
    if direction == Direction::Outbound {
        tx.prepare_cached(
            "UPDATE tickets SET first_reply_at = ?2, first_reply_by = ?3
             WHERE id = ?1 AND first_reply_at IS NULL",
        )?
        .execute(params![ticket, now, actor])?;
    }
    Ok((
        message,
        ActivityKind::MessageAttached { message, direction },
    ))
}

/// The ticket, version and text of a note.
pub(super) fn note_owner(
    conn: &Connection,
    note: NoteId,
) -> Result<(TicketNumber, i64, String), StoreError> {
    conn.prepare_cached("SELECT ticket_id, version, body FROM notes WHERE id = ?1")?
        .query_row([note], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .ok_or(StoreError::NotFound {
            what: "note",
            id: note.0,
        })
}

/// Deletes an internal note, its text kept in the entry; returns its ticket.
pub(super) fn delete_note_change(
    tx: &Connection,
    note: NoteId,
) -> Result<(TicketNumber, ActivityKind), StoreError> {
    let (ticket, _, text) = note_owner(tx, note)?;
    tx.prepare_cached("DELETE FROM notes WHERE id = ?1")?
        .execute([note])?;
    Ok((ticket, ActivityKind::NoteDeleted { note, text }))
}

impl FileStore {
    /// Raises a ticket as Open and records who raised it. Returns its number.
    pub fn create_ticket(
        &mut self,
        actor: AgentId,
        new: &NewTicket,
    ) -> Result<TicketNumber, StoreError> {
        let subject = validate::subject(&new.subject)?;
        let description = validate::description(&new.description)?;
        self.transact(|tx, now| {
            agent(tx, actor)?;
            // Creation time never goes back past the newest ticket's, even if the
            // clock does: number order stays creation order (see schema.rs).
            let created: i64 = tx
                .prepare_cached("SELECT max(?1, coalesce(max(created_at), ?1)) FROM tickets")?
                .query_row([now], |r| r.get(0))?;
            let customer_key = match new.customer {
                Some(id) => Some(customer_name_and_key(tx, id)?.1),
                None => None,
            };
            tx.prepare_cached(
                "INSERT INTO tickets (subject, description, status, priority, customer_id,
                                      created_at, updated_at, customer_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
            )?
            .execute(params![
                subject,
                description,
                Status::Open,
                new.priority,
                new.customer,
                created,
                customer_key
            ])?;
            let number = TicketNumber(tx.last_insert_rowid());
            activity::record(tx, number, created, actor, &ActivityKind::Created)?;
            Ok(number)
        })
    }

    /// Every field edit: in one transaction, checks the actor and that the
    /// ticket is still at `expected_version`, lets `edit` write the change
    /// (it returns the activity entry, or `None` when nothing changes), then
    /// moves the ticket's version on and records the entry.
    fn edit_field(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        expected_version: i64,
        edit: impl FnOnce(&Connection, TicketState, i64) -> Result<Option<ActivityKind>, StoreError>,
    ) -> Result<(), StoreError> {
        self.transact(|tx, now| {
            agent(tx, actor)?;
            let st = state_at_version(tx, ticket, expected_version)?;
            match edit(tx, st, now)? {
                Some(kind) => record_change(tx, ticket, now, actor, &kind, None),
                None => Ok(()),
            }
        })
    }

    /// Moves a ticket to another status, keeping its resolution and close moments current.
    pub fn set_status(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        expected_version: i64,
        to: Status,
    ) -> Result<(), StoreError> {
        self.edit_field(actor, ticket, expected_version, |tx, st, now| {
            status_change(tx, actor, ticket, &st, now, to)
        })
    }

    /// Changes a ticket's priority.
    pub fn set_priority(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        expected_version: i64,
        to: Priority,
    ) -> Result<(), StoreError> {
        self.edit_field(actor, ticket, expected_version, |tx, st, _| {
            priority_change(tx, ticket, &st, to)
        })
    }

    /// Edits a ticket's subject.
    pub fn set_subject(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        expected_version: i64,
        subject: &str,
    ) -> Result<(), StoreError> {
        let to = validate::subject(subject)?;
        self.edit_field(actor, ticket, expected_version, |tx, st, _| {
            if st.subject == to {
                return Ok(None);
            }
            tx.prepare_cached("UPDATE tickets SET subject = ?2 WHERE id = ?1")?
                .execute(params![ticket, to])?;
            Ok(Some(ActivityKind::SubjectEdited {
                from: st.subject,
                to,
            }))
        })
    }

    /// Edits a ticket's description.
    pub fn set_description(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        expected_version: i64,
        description: &str,
    ) -> Result<(), StoreError> {
        let to = validate::description(description)?;
        self.edit_field(actor, ticket, expected_version, |tx, st, _| {
            if st.description == to {
                return Ok(None);
            }
            tx.prepare_cached("UPDATE tickets SET description = ?2 WHERE id = ?1")?
                .execute(params![ticket, to])?;
            Ok(Some(ActivityKind::DescriptionEdited))
        })
    }

    /// Moves a ticket to another customer, or to none.
    pub fn set_customer(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        expected_version: i64,
        customer: Option<CustomerId>,
    ) -> Result<(), StoreError> {
        self.edit_field(actor, ticket, expected_version, |tx, st, _| {
            if st.customer == customer {
                return Ok(None);
            }
            let from = match st.customer {
                Some(id) => Some(customer_name_and_key(tx, id)?.0),
                None => None,
            };
            let (to, key) = match customer {
                Some(id) => {
                    let (name, key) = customer_name_and_key(tx, id)?;
                    (Some(name), Some(key))
                }
                None => (None, None),
            };
            tx.prepare_cached(
                "UPDATE tickets SET customer_id = ?2, customer_key = ?3 WHERE id = ?1",
            )?
            .execute(params![ticket, customer, key])?;
            Ok(Some(ActivityKind::CustomerChanged { from, to }))
        })
    }

    /// Records the customer's satisfaction rating (1-5) on a Resolved or Closed ticket.
    pub fn set_csat(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        expected_version: i64,
        rating: u8,
    ) -> Result<(), StoreError> {
        let rating = validate::csat(rating)?;
        self.edit_field(actor, ticket, expected_version, |tx, st, now| {
            if !st.status.is_resolved_like() {
                return Err(StoreError::NotAllowed(format!(
                    "a satisfaction rating can be recorded once {ticket} is Resolved or Closed; it is {}",
                    st.status.label()
                )));
            }
            if st.csat == Some(rating) {
                return Ok(None);
            }
            tx.prepare_cached("UPDATE tickets SET csat = ?2, csat_at = ?3 WHERE id = ?1")?
                .execute(params![ticket, rating, now])?;
            Ok(Some(ActivityKind::CsatRecorded {
                rating,
                previous: st.csat,
            }))
        })
    }

    /// Assigns an agent to a ticket (alongside any others). Assigning someone
    /// already assigned changes nothing.
    pub fn assign(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        assignee: AgentId,
    ) -> Result<(), StoreError> {
        self.transact(|tx, now| {
            agent(tx, actor)?;
            ensure_ticket(tx, ticket)?;
            match assign_change(tx, ticket, assignee, now)? {
                Some(kind) => record_change(tx, ticket, now, actor, &kind, None),
                None => Ok(()),
            }
        })
    }

    /// Removes an agent from a ticket's assignees.
    pub fn unassign(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        assignee: AgentId,
    ) -> Result<(), StoreError> {
        self.transact(|tx, now| {
            agent(tx, actor)?;
            ensure_ticket(tx, ticket)?;
            match unassign_change(tx, ticket, assignee)? {
                Some(kind) => record_change(tx, ticket, now, actor, &kind, None),
                None => Ok(()),
            }
        })
    }

    /// Tags a ticket, creating the tag if it is new. Returns the tag.
    pub fn add_tag(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        name: &str,
    ) -> Result<Tag, StoreError> {
        self.transact(|tx, now| {
            agent(tx, actor)?;
            ensure_ticket(tx, ticket)?;
            let (tag, kind) = tag_change(tx, ticket, name)?;
            if let Some(kind) = kind {
                record_change(tx, ticket, now, actor, &kind, None)?;
            }
            Ok(tag)
        })
    }

    /// Removes a tag from a ticket.
    pub fn remove_tag(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        tag: TagId,
    ) -> Result<(), StoreError> {
        self.transact(|tx, now| {
            agent(tx, actor)?;
            ensure_ticket(tx, ticket)?;
            match untag_change(tx, ticket, tag)? {
                Some(kind) => record_change(tx, ticket, now, actor, &kind, None),
                None => Ok(()),
            }
        })
    }

    /// Adds an internal note. Returns its id.
    pub fn add_note(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        body: &str,
    ) -> Result<NoteId, StoreError> {
        let body = validate::note(body)?;
        self.transact(|tx, now| {
            agent(tx, actor)?;
            ensure_ticket(tx, ticket)?;
            let note = note_change(tx, actor, ticket, &body, now)?;
            record_change(
                tx,
                ticket,
                now,
                actor,
                &ActivityKind::NoteAdded { note },
                None,
            )?;
            Ok(note)
        })
    }

    /// Edits an internal note, if nobody changed it since `expected_version`.
    pub fn edit_note(
        &mut self,
        actor: AgentId,
        note: NoteId,
        expected_version: i64,
        body: &str,
    ) -> Result<(), StoreError> {
        let body = validate::note(body)?;
        self.transact(|tx, now| {
            agent(tx, actor)?;
            let (ticket, version, old) = note_owner(tx, note)?;
            if version != expected_version {
                return Err(StoreError::NoteConflict);
            }
            if old == body {
                return Ok(());
            }
            tx.prepare_cached(
                "UPDATE notes SET body = ?2, updated_at = ?3, version = version + 1 WHERE id = ?1",
            )?
            .execute(params![note, body, now])?;
            record_change(
                tx,
                ticket,
                now,
                actor,
                &ActivityKind::NoteEdited { note },
                None,
            )
        })
    }

    /// Deletes an internal note; its text stays in the activity trail.
    pub fn delete_note(&mut self, actor: AgentId, note: NoteId) -> Result<(), StoreError> {
        self.transact(|tx, now| {
            agent(tx, actor)?;
            let (ticket, kind) = delete_note_change(tx, note)?;
            record_change(tx, ticket, now, actor, &kind, None)
        })
    }

    /// Attaches a message to the conversation: one received from the customer
    /// (inbound) or a reply sent by the acting agent (outbound). The first reply
    /// becomes the ticket's first response.
    pub fn add_message(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        direction: Direction,
        body: &str,
    ) -> Result<MessageId, StoreError> {
        let body = validate::message(body)?;
        self.transact(|tx, now| {
            agent(tx, actor)?;
            ensure_ticket(tx, ticket)?;
            let (message, kind) = message_change(tx, actor, ticket, direction, &body, now)?;
            record_change(tx, ticket, now, actor, &kind, None)?;
            Ok(message)
        })
    }

    /// Everything the ticket panel shows about one ticket.
    pub fn load_ticket(&self, ticket: TicketNumber) -> Result<TicketDetail, StoreError> {
        self.reading(|_| {
            let conn = &self.conn;
            let (mut detail, customer_id) = conn
                .prepare_cached(
                    "SELECT subject, description, status, priority, customer_id, created_at, updated_at,
                            version, first_reply_at, resolved_at, resolved_by, closed_at, csat
                     FROM tickets WHERE id = ?1",
                )?
                .query_row([ticket], |r| {
                    let customer: Option<CustomerId> = r.get(4)?;
                    let opt_time = |i: usize| r.get::<_, Option<i64>>(i).map(|t| t.map(from_millis));
                    Ok((
                        TicketDetail {
                            number: ticket,
                            subject: r.get(0)?,
                            description: r.get(1)?,
                            status: r.get(2)?,
                            priority: r.get(3)?,
                            customer: None,
                            assignees: Vec::new(),
                            tags: Vec::new(),
                            created: from_millis(r.get(5)?),
                            updated: from_millis(r.get(6)?),
                            version: r.get(7)?,
                            first_reply: opt_time(8)?,
                            resolved: opt_time(9)?,
                            resolved_by: r.get(10)?,
                            closed: opt_time(11)?,
                            csat: r.get(12)?,
                            messages: Vec::new(),
                            notes: Vec::new(),
                            activity: Vec::new(),
                            links: Vec::new(),
                            external_refs: Vec::new(),
                        },
                        customer,
                    ))
                })
                .optional()?
                .ok_or(StoreError::NoSuchTicket(ticket))?;
            detail.customer = match customer_id {
                Some(id) => Some(self.customer(id)?),
                None => None,
            };
            detail.assignees = conn
                .prepare_cached(
                    "SELECT a.id, a.name, a.email, a.active FROM ticket_assignees ta
                     JOIN agents a ON a.id = ta.agent_id WHERE ta.ticket_id = ?1 ORDER BY a.sort_key, a.id",
                )?
                .query_map([ticket], row_to_agent)?
                .collect::<Result<_, _>>()?;
            detail.tags = conn
                .prepare_cached(
                    "SELECT g.id, g.name FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id
                     WHERE tt.ticket_id = ?1 ORDER BY g.name COLLATE NOCASE",
                )?
                .query_map([ticket], |r| {
                    Ok(Tag {
                        id: r.get(0)?,
                        name: r.get(1)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            detail.messages = conn
                .prepare_cached(
                    "SELECT m.id, m.direction, m.body, m.created_at, a.id, a.name, a.email, a.active
                     FROM messages m LEFT JOIN agents a ON a.id = m.author_id
                     WHERE m.ticket_id = ?1 ORDER BY m.created_at, m.id",
                )?
                .query_map([ticket], |r| {
                    Ok(Message {
                        id: r.get(0)?,
                        direction: r.get(1)?,
                        body: r.get(2)?,
                        at: from_millis(r.get(3)?),
                        author: optional_agent(r, 4)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            detail.notes = conn
                .prepare_cached(
                    "SELECT n.id, n.body, n.created_at, n.updated_at, n.version, a.id, a.name, a.email, a.active
                     FROM notes n LEFT JOIN agents a ON a.id = n.author_id
                     WHERE n.ticket_id = ?1 ORDER BY n.created_at, n.id",
                )?
                .query_map([ticket], |r| {
                    Ok(Note {
                        id: r.get(0)?,
                        body: r.get(1)?,
                        created: from_millis(r.get(2)?),
                        updated: from_millis(r.get(3)?),
                        version: r.get(4)?,
                        author: optional_agent(r, 5)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            detail.activity = activity::load(conn, ticket)?;
            detail.links = super::links::links_of(conn, ticket)?;
            detail.external_refs = super::imports::refs_of(conn, ticket)?;
            Ok(detail)
        })
    }

    /// A customer with their tags.
    pub fn customer(&self, id: CustomerId) -> Result<Customer, StoreError> {
        let conn = &self.conn;
        let mut customer = conn
            .prepare_cached("SELECT id, name, email, company FROM customers WHERE id = ?1")?
            .query_row([id], |r| {
                Ok(Customer {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    email: r.get(2)?,
                    company: r.get(3)?,
                    tags: Vec::new(),
                })
            })
            .optional()?
            .ok_or(StoreError::NotFound {
                what: "customer",
                id: id.0,
            })?;
        customer.tags = conn
            .prepare_cached(
                "SELECT g.name FROM customer_tags ct JOIN tags g ON g.id = ct.tag_id
                 WHERE ct.customer_id = ?1 ORDER BY g.name COLLATE NOCASE",
            )?
            .query_map([id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(customer)
    }
}

/// Reads an agent from four columns starting at `first`, or `None` if the id is NULL.
fn optional_agent(r: &Row<'_>, first: usize) -> rusqlite::Result<Option<Agent>> {
    let id: Option<AgentId> = r.get(first)?;
    Ok(match id {
        Some(id) => Some(Agent {
            id,
            name: r.get(first + 1)?,
            email: r.get(first + 2)?,
            active: r.get(first + 3)?,
        }),
        None => None,
    })
}
