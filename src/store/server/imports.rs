//! Tickets imported from other help desks on the team's server (team
//! migration 16): read from the tables, written only through the team's
//! `import_*` functions (an admin's), one transaction per batch.

use std::collections::HashMap;

use postgres::GenericClient;
use postgres::types::ToSql;

use super::desk::{ServerStore, refused};
use crate::domain::{
    ActivityKind, AgentId, CustomerId, Direction, ExternalRef, ImportedTicket, MessageId, NoteId,
    Priority, Status, TicketNumber, sort_key,
};
use crate::store::StoreError;
use crate::store::import::{
    BatchResults, Existing, Fields, ImportDesk, ImportPlan, ImportWrite, PlannedRow, Who,
    plan_batch, write_batch,
};

/// The team's database, inside one transaction (or a read's snapshot).
struct OnServer<'a, C: GenericClient> {
    client: &'a mut C,
    server: &'a str,
    /// Each statement prepared once for the batch: a statement sent as text
    /// costs a round trip to prepare it before the one that runs it.
    prepared: HashMap<String, postgres::Statement>,
    /// Trail entries, tags and assignees not sent yet: sent together
    /// before a ticket is read back (an update's look at it) and at the end
    /// of the batch, one round trip for many.
    entries: Entries,
    tags: (Vec<i64>, Vec<String>),
    assignees: (Vec<i64>, Vec<i64>, Vec<i64>),
    /// The batch's tickets of one source, looked up together: external id
    /// → ticket (`None`: not imported before).
    refs: Option<(String, HashMap<String, Option<i64>>)>,
}

/// Trail entries to send, column by column.
#[derive(Default)]
struct Entries {
    ticket: Vec<i64>,
    at: Vec<i64>,
    agent: Vec<Option<i64>>,
    kind: Vec<&'static str>,
    ref_id: Vec<Option<i64>>,
    old: Vec<Option<String>>,
    new: Vec<Option<String>>,
}

impl<'a, C: GenericClient> OnServer<'a, C> {
    fn on(client: &'a mut C, server: &'a str) -> Self {
        OnServer {
            client,
            server,
            prepared: HashMap::new(),
            entries: Entries::default(),
            tags: Default::default(),
            assignees: Default::default(),
            refs: None,
        }
    }

    /// Sends the trail entries waiting, if any: before a read of the trail
    /// and at the end of the batch (nothing else an import writes reads it).
    fn flush(&mut self) -> Result<(), StoreError> {
        if !self.tags.0.is_empty() {
            let (ticket, name) = std::mem::take(&mut self.tags);
            self.rows(
                "SELECT tickets.import_tags($1, $2)::text",
                &[&ticket, &name],
            )?;
        }
        if !self.assignees.0.is_empty() {
            let (ticket, agent, at) = std::mem::take(&mut self.assignees);
            self.rows(
                "SELECT tickets.import_assignees($1, $2, $3)::text",
                &[&ticket, &agent, &at],
            )?;
        }
        if !self.entries.ticket.is_empty() {
            let e = std::mem::take(&mut self.entries);
            self.rows(
                "SELECT tickets.import_records($1, $2, $3, $4, $5, $6, $7)::text",
                &[
                    &e.ticket, &e.at, &e.agent, &e.kind, &e.ref_id, &e.old, &e.new,
                ],
            )?;
        }
        Ok(())
    }

    /// Runs one statement, prepared once.
    fn rows(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>, StoreError> {
        let fail = |e| refused(self.server, None, e);
        let statement = match self.prepared.get(sql) {
            Some(statement) => statement.clone(),
            None => {
                let statement = self.client.prepare(sql).map_err(fail)?;
                self.prepared.insert(sql.to_owned(), statement.clone());
                statement
            }
        };
        self.client.query(&statement, params).map_err(fail)
    }

    fn first<T: for<'r> postgres::types::FromSql<'r>>(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<T>, StoreError> {
        Ok(self.rows(sql, params)?.first().map(|r| r.get(0)))
    }

    /// The first-made customer or agent (`table`) with this email, ignoring
    /// case; or with this name, ignoring case (a customer only among those
    /// without an email: one with an email is someone else's namesake).
    fn person_of(&mut self, table: &str, who: &Who) -> Result<Option<i64>, StoreError> {
        let (condition, key) = match who {
            Who::Email(email) => ("lower(email) = lower($1)", email),
            Who::Name(name) if table == "customers" => {
                ("email = '' AND lower(name) = lower($1)", name)
            }
            Who::Name(name) => ("lower(name) = lower($1)", name),
        };
        self.first::<i64>(
            &format!("SELECT id FROM tickets.{table} WHERE {condition} ORDER BY id LIMIT 1"),
            &[key],
        )
    }
}

fn code(c: i64) -> i16 {
    i16::try_from(c).unwrap_or(i16::MAX)
}

fn damaged(what: &str, code: i16) -> StoreError {
    StoreError::Damaged {
        path: Default::default(),
        detail: format!("a {what} stored as {code}, which Tickets does not know"),
    }
}

/// A line number as the server keeps it.
fn line_of(line: u64) -> i64 {
    i64::try_from(line).unwrap_or(i64::MAX)
}

impl<C: GenericClient> ImportDesk for OnServer<'_, C> {
    fn expect(&mut self, source: &str, external_ids: &[&str]) -> Result<(), StoreError> {
        let mut known: HashMap<String, Option<i64>> = external_ids
            .iter()
            .map(|id| ((*id).to_owned(), None))
            .collect();
        let ids: Vec<&str> = external_ids.to_vec();
        for row in self.rows(
            "SELECT external_id, ticket_id FROM tickets.ticket_refs
             WHERE source = $1 AND external_id = ANY($2)",
            &[&source, &ids],
        )? {
            known.insert(row.get(0), Some(row.get(1)));
        }
        self.refs = Some((source.to_owned(), known));
        Ok(())
    }

    fn ticket_of(
        &mut self,
        source: &str,
        external_id: &str,
    ) -> Result<Option<TicketNumber>, StoreError> {
        if let Some((of, known)) = &self.refs
            && of == source
            && let Some(found) = known.get(external_id)
        {
            return Ok(found.map(TicketNumber));
        }
        Ok(self
            .first::<i64>(
                "SELECT ticket_id FROM tickets.ticket_refs WHERE source = $1 AND external_id = $2",
                &[&source, &external_id],
            )?
            .map(TicketNumber))
    }

    fn customer_of(&mut self, who: &Who) -> Result<Option<CustomerId>, StoreError> {
        Ok(self.person_of("customers", who)?.map(CustomerId))
    }

    fn agent_of(&mut self, who: &Who) -> Result<Option<AgentId>, StoreError> {
        Ok(self.person_of("agents", who)?.map(AgentId))
    }

    fn newest_created(&mut self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .first::<Option<i64>>("SELECT max(created_at) FROM tickets.tickets", &[])?
            .flatten())
    }

    fn existing(&mut self, ticket: TicketNumber) -> Result<Existing, StoreError> {
        self.flush()?;
        let rows = self.rows(
            "SELECT t.subject, t.description, t.status, t.priority, t.customer_id, c.name,
                    t.created_at, t.first_reply_at, t.first_reply_by, t.resolved_at,
                    t.resolved_by, t.closed_at,
                    coalesce((SELECT max(at) FROM tickets.activity
                              WHERE ticket_id = t.id AND kind = 'status'), t.created_at)
             FROM tickets.tickets t LEFT JOIN tickets.customers c ON c.id = t.customer_id
             WHERE t.id = $1",
            &[&ticket.0],
        )?;
        let r = rows.first().ok_or(StoreError::NoSuchTicket(ticket))?;
        let status: i16 = r.get(2);
        let priority: i16 = r.get(3);
        let at_by = |at: usize, by: usize| {
            r.get::<_, Option<i64>>(at)
                .map(|t| (t, r.get::<_, Option<i64>>(by).map(AgentId)))
        };
        let mut was = Existing {
            subject: r.get(0),
            description: r.get(1),
            status: Status::from_code(i64::from(status))
                .ok_or_else(|| damaged("status", status))?,
            priority: Priority::from_code(i64::from(priority))
                .ok_or_else(|| damaged("priority", priority))?,
            customer: r.get::<_, Option<i64>>(4).map(|id| {
                (
                    CustomerId(id),
                    r.get::<_, Option<String>>(5).unwrap_or_default(),
                )
            }),
            created: r.get(6),
            first_reply: at_by(7, 8),
            resolved: at_by(9, 10),
            closed: r.get(11),
            last_status_at: r.get(12),
            assignees: Vec::new(),
            tags: Vec::new(),
            messages: Vec::new(),
            notes: Vec::new(),
        };
        was.assignees = self
            .rows(
                "SELECT agent_id FROM tickets.ticket_assignees WHERE ticket_id = $1",
                &[&ticket.0],
            )?
            .iter()
            .map(|r| AgentId(r.get(0)))
            .collect();
        was.tags = self
            .rows(
                "SELECT g.name FROM tickets.ticket_tags tt
                 JOIN tickets.tags g ON g.id = tt.tag_id WHERE tt.ticket_id = $1",
                &[&ticket.0],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect();
        was.messages = self
            .rows(
                "SELECT created_at, body FROM tickets.messages WHERE ticket_id = $1",
                &[&ticket.0],
            )?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        was.notes = self
            .rows(
                "SELECT created_at, body FROM tickets.notes WHERE ticket_id = $1",
                &[&ticket.0],
            )?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        Ok(was)
    }

    fn checkpoint_of(&mut self, key: &str) -> Result<Option<u64>, StoreError> {
        Ok(self
            .first::<i64>(
                "SELECT line FROM tickets.import_checkpoints WHERE import_key = $1",
                &[&key],
            )?
            .map(|l| u64::try_from(l).unwrap_or_default()))
    }
}

impl<C: GenericClient> ImportWrite for OnServer<'_, C> {
    fn add_customer(
        &mut self,
        name: &str,
        email: &str,
        company: &str,
        at: i64,
    ) -> Result<CustomerId, StoreError> {
        let id = self.first::<i64>(
            "SELECT tickets.import_customer($1, $2, $3, $4, $5)",
            &[&name, &sort_key(name), &email, &company, &at],
        )?;
        Ok(CustomerId(id.unwrap_or_default()))
    }

    fn add_agent(&mut self, name: &str, email: &str, at: i64) -> Result<AgentId, StoreError> {
        let id = self.first::<i64>(
            "SELECT tickets.import_agent($1, $2, $3, $4)",
            &[&name, &sort_key(name), &email, &at],
        )?;
        Ok(AgentId(id.unwrap_or_default()))
    }

    fn put_ticket(
        &mut self,
        ticket: Option<TicketNumber>,
        source: &str,
        external_id: &str,
        f: &Fields,
        _assignees: &[AgentId],
    ) -> Result<TicketNumber, StoreError> {
        let (first_at, first_by) = f.first_reply.unzip();
        let (resolved_at, resolved_by) = f.resolved.unzip();
        let id = self.first::<i64>(
            "SELECT tickets.import_ticket($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            &[
                &ticket.map(|t| t.0),
                &source,
                &external_id,
                &f.subject,
                &f.description,
                &code(f.status.code()),
                &code(f.priority.code()),
                &f.customer.map(|c| c.0),
                &f.created,
                &f.updated,
                &first_at,
                &first_by.flatten().map(|a| a.0),
                &resolved_at,
                &resolved_by.flatten().map(|a| a.0),
                &f.closed,
            ],
        )?;
        let number = TicketNumber(id.unwrap_or_default());
        if ticket.is_none()
            && let Some((of, known)) = &mut self.refs
            && of == source
        {
            known.insert(external_id.to_owned(), Some(number.0));
        }
        Ok(number)
    }

    fn add_tag(&mut self, ticket: TicketNumber, name: &str) -> Result<(), StoreError> {
        self.tags.0.push(ticket.0);
        self.tags.1.push(name.to_owned());
        Ok(())
    }

    fn add_assignee(
        &mut self,
        ticket: TicketNumber,
        agent: AgentId,
        at: i64,
    ) -> Result<(), StoreError> {
        self.assignees.0.push(ticket.0);
        self.assignees.1.push(agent.0);
        self.assignees.2.push(at);
        Ok(())
    }

    fn add_message(
        &mut self,
        ticket: TicketNumber,
        direction: Direction,
        author: Option<AgentId>,
        body: &str,
        at: i64,
    ) -> Result<MessageId, StoreError> {
        let id = self.first::<i64>(
            "SELECT tickets.import_message($1, $2, $3, $4, $5)",
            &[
                &ticket.0,
                &code(direction.code()),
                &author.map(|a| a.0),
                &body,
                &at,
            ],
        )?;
        Ok(MessageId(id.unwrap_or_default()))
    }

    fn add_note(
        &mut self,
        ticket: TicketNumber,
        author: Option<AgentId>,
        body: &str,
        at: i64,
    ) -> Result<NoteId, StoreError> {
        let id = self.first::<i64>(
            "SELECT tickets.import_note($1, $2, $3, $4)",
            &[&ticket.0, &author.map(|a| a.0), &body, &at],
        )?;
        Ok(NoteId(id.unwrap_or_default()))
    }

    fn record(
        &mut self,
        ticket: TicketNumber,
        at: i64,
        agent: Option<AgentId>,
        kind: &ActivityKind,
    ) -> Result<(), StoreError> {
        let (kind, ref_id, old, new) = crate::store::trail::encode(kind);
        let e = &mut self.entries;
        e.ticket.push(ticket.0);
        e.at.push(at);
        e.agent.push(agent.map(|a| a.0));
        e.kind.push(kind);
        e.ref_id.push(ref_id);
        e.old.push(old.json());
        e.new.push(new.json());
        Ok(())
    }

    fn put_checkpoint(
        &mut self,
        key: &str,
        line: Option<u64>,
        _actor: AgentId,
        at: i64,
    ) -> Result<(), StoreError> {
        self.flush()?;
        self.rows(
            "SELECT tickets.import_checkpoint($1, $2, $3)::text",
            &[&key, &line.map(line_of), &at],
        )?;
        Ok(())
    }
}

/// A ticket's references to the help desks it was imported from, by source.
pub(super) fn refs_in(
    client: &mut impl GenericClient,
    ticket: TicketNumber,
) -> Result<Vec<ExternalRef>, postgres::Error> {
    Ok(client
        .query(
            "SELECT source, external_id FROM tickets.ticket_refs WHERE ticket_id = $1
             ORDER BY source, external_id",
            &[&ticket.0],
        )?
        .iter()
        .map(|r| ExternalRef {
            source: r.get(0),
            external_id: r.get(1),
        })
        .collect())
}

/// The tickets a search names by an external reference (see
/// [`crate::store::import::ref_searches`]).
pub(super) fn tickets_named(
    client: &mut impl GenericClient,
    text: &str,
) -> Result<Vec<i64>, postgres::Error> {
    let mut found = Vec::new();
    for (source, id) in crate::store::import::ref_searches(text) {
        let rows = if source.is_empty() {
            client.query(
                "SELECT ticket_id FROM tickets.ticket_refs WHERE external_id = $1",
                &[&id],
            )?
        } else {
            client.query(
                "SELECT ticket_id FROM tickets.ticket_refs WHERE external_id = $1 AND source = $2",
                &[&id, &source],
            )?
        };
        found.extend(rows.iter().map(|r| r.get::<_, i64>(0)));
    }
    found.sort_unstable();
    found.dedup();
    Ok(found)
}

impl ServerStore {
    /// What importing `batch` from `source` would do (see
    /// [`crate::store::Store::import_plan`]), in one snapshot; refused, as
    /// the import would be, for an agent who is not an admin.
    pub fn import_plan(
        &self,
        source: &str,
        batch: &[ImportedTicket],
        plan: &mut ImportPlan,
    ) -> Result<Vec<PlannedRow>, StoreError> {
        let now = self.now();
        let server = self.server().to_owned();
        self.read_with(|client| {
            let mut desk = OnServer::on(client, &server);
            // Refused as the import would be, for an agent who is no admin.
            desk.rows("SELECT tickets.importer()", &[])?;
            plan_batch(&mut desk, source, batch, plan, now)
        })
    }

    /// Imports `batch` from `source` with its checkpoint, in one
    /// transaction, as the agent signed in, who must be an admin (see
    /// [`crate::store::Store::import_batch`]).
    pub fn import_batch(
        &mut self,
        actor: AgentId,
        source: &str,
        checkpoint: (&str, u64),
        batch: &[ImportedTicket],
    ) -> Result<BatchResults, StoreError> {
        self.as_me(actor)?;
        let now = self.now();
        let server = self.server().to_owned();
        self.write_with(|tx| {
            let mut desk = OnServer::on(tx, &server);
            let results = write_batch(&mut desk, actor, source, checkpoint, batch, now)?;
            desk.flush()?;
            Ok(results)
        })
    }

    /// The last line import `key` committed, while it is under way.
    pub fn import_checkpoint(&self, key: &str) -> Result<Option<u64>, StoreError> {
        let server = self.server().to_owned();
        self.read_with(|client| OnServer::on(client, &server).checkpoint_of(key))
    }

    /// Forgets where import `key` stands: it finished.
    pub fn finish_import(&mut self, actor: AgentId, key: &str) -> Result<(), StoreError> {
        self.as_me(actor)?;
        let now = self.now();
        let server = self.server().to_owned();
        self.write_with(|tx| OnServer::on(tx, &server).put_checkpoint(key, None, actor, now))
    }
}
