//! Tickets imported from other help desks, in the file (migration 13): the
//! rows [`crate::store::import`] decides on, written in one transaction per
//! batch.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::bulk::set_aside;
use super::schema::index_tickets;
use super::tickets::{agent, refresh_assignee_key, tag_by_name};
use super::{FileStore, StoreError, activity};
use crate::domain::{
    ActivityKind, AgentId, CustomerId, Direction, ExternalRef, ImportedTicket, MessageId, NoteId,
    TagId, TicketNumber, sort_key,
};
use crate::store::import::{
    BatchResults, Existing, Fields, ImportDesk, ImportPlan, ImportResult, ImportWrite, PlannedRow,
    Who, plan_batch, write_batch,
};

/// The file, inside one transaction (or a read's snapshot).
struct InFile<'a> {
    conn: &'a Connection,
    /// Trail entries not written yet: written together, many rows a
    /// statement, before the trail is read (an update's look at a ticket)
    /// and at the end of the batch (nothing else an import writes reads it).
    entries: Vec<activity::Pending>,
    /// Tags' ids by the name the source gave, once looked up.
    tags: HashMap<String, TagId>,
    /// Agents' and customers' sort keys, once looked up.
    agent_keys: HashMap<AgentId, String>,
    customer_keys: HashMap<CustomerId, String>,
    /// The new ticket whose assignee key `put_ticket` set from every agent
    /// it is about to be assigned (so `add_assignee` leaves it be).
    keyed: Option<TicketNumber>,
}

impl<'a> InFile<'a> {
    fn on(conn: &'a Connection) -> Self {
        InFile {
            conn,
            entries: Vec::new(),
            tags: HashMap::new(),
            agent_keys: HashMap::new(),
            customer_keys: HashMap::new(),
            keyed: None,
        }
    }

    /// Writes the trail entries waiting, if any.
    fn flush(&mut self) -> Result<(), StoreError> {
        activity::insert_all(self.conn, &mut self.entries)
    }

    fn customer_key(&mut self, customer: CustomerId) -> Result<String, StoreError> {
        if let Some(key) = self.customer_keys.get(&customer) {
            return Ok(key.clone());
        }
        let key: String = self
            .conn
            .prepare_cached("SELECT sort_key FROM customers WHERE id = ?1")?
            .query_row([customer], |r| r.get(0))?;
        self.customer_keys.insert(customer, key.clone());
        Ok(key)
    }

    /// The first in order of the agents' sort keys (the list's assignee
    /// column sorts by it), or none.
    fn first_key(&mut self, agents: &[AgentId]) -> Result<Option<String>, StoreError> {
        let mut first: Option<String> = None;
        for agent in agents {
            let key = match self.agent_keys.get(agent) {
                Some(key) => key.clone(),
                None => {
                    let key: String = self
                        .conn
                        .prepare_cached("SELECT sort_key FROM agents WHERE id = ?1")?
                        .query_row([agent], |r| r.get(0))?;
                    self.agent_keys.insert(*agent, key.clone());
                    key
                }
            };
            if first.as_ref().is_none_or(|f| key < *f) {
                first = Some(key);
            }
        }
        Ok(first)
    }
}

impl ImportDesk for InFile<'_> {
    fn ticket_of(
        &mut self,
        source: &str,
        external_id: &str,
    ) -> Result<Option<TicketNumber>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT ticket_id FROM ticket_refs WHERE source = ?1 AND external_id = ?2",
            )?
            .query_row([source, external_id], |r| r.get(0))
            .optional()?)
    }

    fn customer_of(&mut self, who: &Who) -> Result<Option<CustomerId>, StoreError> {
        person_of(self.conn, "customers", who)
    }

    fn agent_of(&mut self, who: &Who) -> Result<Option<AgentId>, StoreError> {
        person_of(self.conn, "agents", who)
    }

    fn newest_created(&mut self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT max(created_at) FROM tickets")?
            .query_row([], |r| r.get(0))?)
    }

    fn existing(&mut self, ticket: TicketNumber) -> Result<Existing, StoreError> {
        self.flush()?;
        let conn = self.conn;
        let mut was = conn
            .prepare_cached(
                "SELECT t.subject, t.description, t.status, t.priority, t.customer_id, c.name,
                        t.created_at, t.first_reply_at, t.first_reply_by, t.resolved_at,
                        t.resolved_by, t.closed_at,
                        coalesce((SELECT max(at) FROM activity
                                  WHERE ticket_id = t.id AND kind = 'status'), t.created_at)
                 FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id WHERE t.id = ?1",
            )?
            .query_row([ticket], |r| {
                let customer: Option<CustomerId> = r.get(4)?;
                let first: Option<i64> = r.get(7)?;
                let first_by: Option<AgentId> = r.get(8)?;
                let resolved: Option<i64> = r.get(9)?;
                let resolved_by: Option<AgentId> = r.get(10)?;
                Ok(Existing {
                    subject: r.get(0)?,
                    description: r.get(1)?,
                    status: r.get(2)?,
                    priority: r.get(3)?,
                    customer: match customer {
                        Some(id) => Some((id, r.get(5)?)),
                        None => None,
                    },
                    created: r.get(6)?,
                    first_reply: first.map(|at| (at, first_by)),
                    resolved: resolved.map(|at| (at, resolved_by)),
                    closed: r.get(11)?,
                    last_status_at: r.get(12)?,
                    assignees: Vec::new(),
                    tags: Vec::new(),
                    messages: Vec::new(),
                    notes: Vec::new(),
                })
            })
            .optional()?
            .ok_or(StoreError::NoSuchTicket(ticket))?;
        was.assignees = conn
            .prepare_cached("SELECT agent_id FROM ticket_assignees WHERE ticket_id = ?1")?
            .query_map([ticket], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        was.tags = conn
            .prepare_cached(
                "SELECT g.name FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id
                 WHERE tt.ticket_id = ?1",
            )?
            .query_map([ticket], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        was.messages = conn
            .prepare_cached("SELECT created_at, body FROM messages WHERE ticket_id = ?1")?
            .query_map([ticket], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        was.notes = conn
            .prepare_cached("SELECT created_at, body FROM notes WHERE ticket_id = ?1")?
            .query_map([ticket], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(was)
    }

    fn checkpoint_of(&mut self, key: &str) -> Result<Option<u64>, StoreError> {
        checkpoint_in(self.conn, key)
    }
}

/// The first-made customer or agent (`table`) with this email, ignoring
/// case; or with this name, ignoring case (a customer only among those
/// without an email: one with an email is someone else's namesake).
fn person_of<T: rusqlite::types::FromSql>(
    conn: &Connection,
    table: &str,
    who: &Who,
) -> Result<Option<T>, StoreError> {
    let (condition, key) = match who {
        Who::Email(email) => ("email = ?1 COLLATE NOCASE", email),
        Who::Name(name) if table == "customers" => {
            ("email = '' AND name = ?1 COLLATE NOCASE", name)
        }
        Who::Name(name) => ("name = ?1 COLLATE NOCASE", name),
    };
    Ok(conn
        .prepare_cached(&format!(
            "SELECT id FROM {table} WHERE {condition} ORDER BY id LIMIT 1"
        ))?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

fn checkpoint_in(conn: &Connection, key: &str) -> Result<Option<u64>, StoreError> {
    let line: Option<i64> = conn
        .prepare_cached("SELECT line FROM import_checkpoints WHERE import_key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?;
    Ok(line.map(|l| u64::try_from(l).unwrap_or_default()))
}

/// A line number as SQLite keeps it.
fn line_of(line: u64) -> i64 {
    i64::try_from(line).unwrap_or(i64::MAX)
}

impl ImportWrite for InFile<'_> {
    fn add_customer(
        &mut self,
        name: &str,
        email: &str,
        company: &str,
        at: i64,
    ) -> Result<CustomerId, StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO customers (name, sort_key, email, company, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            )?
            .execute(params![name, sort_key(name), email, company, at])?;
        Ok(CustomerId(self.conn.last_insert_rowid()))
    }

    fn add_agent(&mut self, name: &str, email: &str, at: i64) -> Result<AgentId, StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO agents (name, sort_key, email, active, created_at) VALUES (?1, ?2, ?3, 1, ?4)",
            )?
            .execute(params![name, sort_key(name), email, at])?;
        Ok(AgentId(self.conn.last_insert_rowid()))
    }

    fn put_ticket(
        &mut self,
        ticket: Option<TicketNumber>,
        source: &str,
        external_id: &str,
        f: &Fields,
        assignees: &[AgentId],
    ) -> Result<TicketNumber, StoreError> {
        let customer_key = match f.customer {
            Some(id) => Some(self.customer_key(id)?),
            None => None,
        };
        let (first_at, first_by) = f.first_reply.unzip();
        let (resolved_at, resolved_by) = f.resolved.unzip();
        // Only the ticket just made is keyed already: one updated (even one
        // made earlier in the batch) has its key worked out as it changes.
        self.keyed = None;
        match ticket {
            None => {
                // Keyed now by the agents it is about to be assigned: set
                // after, it moved the row in two of the tickets' indexes again.
                let assignee_key = self.first_key(assignees)?;
                self.conn
                    .prepare_cached(
                        "INSERT INTO tickets (subject, description, status, priority, customer_id,
                             created_at, updated_at, customer_key, first_reply_at, first_reply_by,
                             resolved_at, resolved_by, closed_at, assignee_key)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                    )?
                    .execute(params![
                        f.subject,
                        f.description,
                        f.status,
                        f.priority,
                        f.customer,
                        f.created,
                        f.updated,
                        customer_key,
                        first_at,
                        first_by.flatten(),
                        resolved_at,
                        resolved_by.flatten(),
                        f.closed,
                        assignee_key,
                    ])?;
                let number = TicketNumber(self.conn.last_insert_rowid());
                self.keyed = Some(number);
                self.conn
                    .prepare_cached(
                        "INSERT INTO ticket_refs (source, external_id, ticket_id) VALUES (?1, ?2, ?3)",
                    )?
                    .execute(params![source, external_id, number])?;
                Ok(number)
            }
            Some(number) => {
                self.conn
                    .prepare_cached(
                        "UPDATE tickets SET subject = ?2, description = ?3, status = ?4,
                             priority = ?5, customer_id = ?6, updated_at = max(updated_at, ?7),
                             customer_key = ?8, first_reply_at = ?9, first_reply_by = ?10,
                             resolved_at = ?11, resolved_by = ?12, closed_at = ?13,
                             version = version + 1, sla_stamp = NULL
                         WHERE id = ?1",
                    )?
                    .execute(params![
                        number,
                        f.subject,
                        f.description,
                        f.status,
                        f.priority,
                        f.customer,
                        f.updated,
                        customer_key,
                        first_at,
                        first_by.flatten(),
                        resolved_at,
                        resolved_by.flatten(),
                        f.closed,
                    ])?;
                Ok(number)
            }
        }
    }

    fn add_tag(&mut self, ticket: TicketNumber, name: &str) -> Result<(), StoreError> {
        let tag = match self.tags.get(name) {
            Some(id) => *id,
            None => {
                let id = tag_by_name(self.conn, name)?.id;
                self.tags.insert(name.to_owned(), id);
                id
            }
        };
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO ticket_tags (ticket_id, tag_id) VALUES (?1, ?2)",
            )?
            .execute(params![ticket, tag])?;
        Ok(())
    }

    fn add_assignee(
        &mut self,
        ticket: TicketNumber,
        agent: AgentId,
        at: i64,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO ticket_assignees (ticket_id, agent_id, assigned_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![ticket, agent, at])?;
        if self.keyed == Some(ticket) {
            Ok(())
        } else {
            refresh_assignee_key(self.conn, ticket)
        }
    }

    fn add_message(
        &mut self,
        ticket: TicketNumber,
        direction: Direction,
        author: Option<AgentId>,
        body: &str,
        at: i64,
    ) -> Result<MessageId, StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO messages (ticket_id, direction, author_id, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![ticket, direction, author, body, at])?;
        Ok(MessageId(self.conn.last_insert_rowid()))
    }

    fn add_note(
        &mut self,
        ticket: TicketNumber,
        author: Option<AgentId>,
        body: &str,
        at: i64,
    ) -> Result<NoteId, StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO notes (ticket_id, author_id, body, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
            )?
            .execute(params![ticket, author, body, at])?;
        Ok(NoteId(self.conn.last_insert_rowid()))
    }

    fn record(
        &mut self,
        ticket: TicketNumber,
        at: i64,
        agent: Option<AgentId>,
        kind: &ActivityKind,
    ) -> Result<(), StoreError> {
        self.entries
            .push(activity::Pending::new(ticket, at, agent, kind, None));
        Ok(())
    }

    fn put_checkpoint(
        &mut self,
        key: &str,
        line: Option<u64>,
        actor: AgentId,
        at: i64,
    ) -> Result<(), StoreError> {
        self.flush()?;
        match line {
            Some(line) => self
                .conn
                .prepare_cached(
                    "INSERT INTO import_checkpoints (import_key, line, agent_id, at)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (import_key) DO UPDATE
                     SET line = excluded.line, agent_id = excluded.agent_id, at = excluded.at",
                )?
                .execute(params![key, line_of(line), actor, at])?,
            None => self
                .conn
                .prepare_cached("DELETE FROM import_checkpoints WHERE import_key = ?1")?
                .execute([key])?,
        };
        Ok(())
    }
}

/// A ticket's references to the help desks it was imported from, by source.
pub(super) fn refs_of(
    conn: &Connection,
    ticket: TicketNumber,
) -> Result<Vec<ExternalRef>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT source, external_id FROM ticket_refs WHERE ticket_id = ?1
             ORDER BY source, external_id",
        )?
        .query_map([ticket], |r| {
            Ok(ExternalRef {
                source: r.get(0)?,
                external_id: r.get(1)?,
            })
        })?
        .collect::<Result<_, _>>()?)
}

/// The tickets a search names by an external reference (see
/// [`crate::store::import::ref_searches`]).
pub(super) fn tickets_named(conn: &Connection, text: &str) -> Result<Vec<i64>, StoreError> {
    let mut found = Vec::new();
    for (source, id) in crate::store::import::ref_searches(text) {
        let mut stmt = if source.is_empty() {
            conn.prepare_cached("SELECT ticket_id FROM ticket_refs WHERE external_id = ?1")?
        } else {
            conn.prepare_cached(
                "SELECT ticket_id FROM ticket_refs WHERE external_id = ?1 AND source = ?2",
            )?
        };
        let rows: Vec<i64> = if source.is_empty() {
            stmt.query_map([&id], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        } else {
            stmt.query_map([&id, &source], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        found.extend(rows);
    }
    found.sort_unstable();
    found.dedup();
    Ok(found)
}

impl FileStore {
    /// What importing `batch` from `source` would do (see
    /// [`crate::store::Store::import_plan`]), in one snapshot.
    pub fn import_plan(
        &self,
        source: &str,
        batch: &[ImportedTicket],
        plan: &mut ImportPlan,
    ) -> Result<Vec<PlannedRow>, StoreError> {
        let now = crate::domain::to_millis(self.clock.now());
        self.reading(|s| plan_batch(&mut InFile::on(s.conn()), source, batch, plan, now))
    }

    /// Imports `batch` from `source` with its checkpoint, in one
    /// transaction (see [`crate::store::Store::import_batch`]).
    pub fn import_batch(
        &mut self,
        actor: AgentId,
        source: &str,
        checkpoint: (&str, u64),
        batch: &[ImportedTicket],
    ) -> Result<BatchResults, StoreError> {
        self.transact(|tx, now| {
            agent(tx, actor)?;
            let aside = SearchAside::take(tx)?;
            let results = write_batch(&mut InFile::on(tx), actor, source, checkpoint, batch, now)?;
            let touched: Vec<i64> = results
                .iter()
                .filter_map(|r| match r {
                    ImportResult::Created(n) | ImportResult::Updated(n) => Some(n.0),
                    ImportResult::Unchanged(_) | ImportResult::Refused(_) => None,
                })
                .collect();
            aside.index_and_put_back(tx, &touched)?;
            Ok(results)
        })
    }

    /// The last line import `key` committed, while it is under way.
    pub fn import_checkpoint(&self, key: &str) -> Result<Option<u64>, StoreError> {
        self.reading(|s| checkpoint_in(s.conn(), key))
    }

    /// Forgets where import `key` stands: it finished.
    pub fn finish_import(&mut self, actor: AgentId, key: &str) -> Result<(), StoreError> {
        self.transact(|tx, now| {
            agent(tx, actor)?;
            InFile::on(tx).put_checkpoint(key, None, actor, now)
        })
    }
}

/// The triggers that keep a ticket's search row in step as it is written
/// (migration 2), set aside for one batch of an import and put back in the
/// same transaction, the batch's tickets indexed once at its end: FTS5
/// flushes its pending terms at every statement that fires them, which
/// cost an import two thirds of its time, row by row. (The trigger on a
/// customer's change stays: it re-indexes that customer's tickets, and the
/// batch's are re-indexed after it anyway.)
struct SearchAside {
    triggers: Vec<String>,
}

impl SearchAside {
    fn take(tx: &Connection) -> Result<SearchAside, StoreError> {
        let triggers = set_aside(
            tx,
            "type = 'trigger' AND name IN ('ticket_search_insert', 'ticket_search_update')",
        )?;
        Ok(SearchAside { triggers })
    }

    /// Indexes `tickets` as the triggers would have, and puts them back.
    fn index_and_put_back(self, tx: &Connection, tickets: &[i64]) -> Result<(), StoreError> {
        let ids = std::rc::Rc::new(
            tickets
                .iter()
                .map(|n| rusqlite::types::Value::Integer(*n))
                .collect::<Vec<_>>(),
        );
        tx.prepare_cached("DELETE FROM ticket_search WHERE rowid IN rarray(?1)")?
            .execute([&ids])?;
        tx.prepare_cached(concat!(index_tickets!(), " WHERE t.id IN rarray(?1)"))?
            .execute([&ids])?;
        for sql in &self.triggers {
            tx.execute_batch(sql)?;
        }
        Ok(())
    }
}
