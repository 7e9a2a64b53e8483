//! Bulk loading into a SQLite file (see [`crate::store::BulkSink`]).
//!
//! The whole load is one immediate transaction. For speed it runs with a
//! large page cache and without waiting for the disk, sets the secondary
//! indexes and triggers of the loaded tables aside (building an index once is
//! far faster than keeping it sorted through millions of inserts), and puts
//! them back, with every row they derive, before it commits. A load that
//! fails or is cancelled is rolled back: the file is left as it was,
//! indexes and triggers included.

use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, Params, Transaction, TransactionBehavior, params};

use super::schema::{REBUILD_DERIVED, REBUILD_SEARCH};
use super::{FileStore, StoreError, activity};
use crate::domain::{
    ActivityKind, AgentId, CustomerId, Direction, MessageId, NoteId, Priority, TagId, TicketNumber,
};
use crate::store::bulk::{BulkSink, FinalTicket};
use crate::store::transfer::{Cell, RowSource, TABLES};

/// The page cache while loading, in KiB: the tables being filled stay in memory.
const LOAD_CACHE_KIB: u32 = 1024 * 1024;
/// The page cache while restoring a file of everything, in KiB: rows
/// arrive in key order, so the pages being filled are the last few of each
/// table, and a restore (unlike sample data) must fit a modest machine
/// whatever the file's size.
const RESTORE_CACHE_KIB: u32 = 64 * 1024;

/// A bulk load under way on a [`FileStore`]: its transaction, and the SQL
/// that puts back what was set aside. Dropped without [`Bulk::finish`], it
/// rolls everything back.
pub struct Bulk<'a> {
    tx: Transaction<'a>,
    set_aside: Vec<String>,
}

impl FileStore {
    /// Runs `load` as one bulk load: everything it writes is committed
    /// together, or nothing is if it returns an error. The connection's
    /// cache and sync settings are put back afterwards whatever happens.
    pub fn bulk_load<T>(
        &mut self,
        load: impl FnOnce(&mut Bulk<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.loading(load, true, LOAD_CACHE_KIB)
    }

    /// Fills this file, which must hold nothing yet, with every row of
    /// `source` as it is (ids, derived columns and the analytics' rows
    /// included), in one transaction: a source that fails or a `progress`
    /// that returns `false` leaves the file as it was. `progress` hears
    /// (rows done, rows in all). Returns each table with its rows.
    pub fn restore(
        &mut self,
        source: &dyn RowSource,
        progress: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Result<Vec<(&'static str, u64)>, StoreError> {
        if self.transfer_counts()?.iter().any(|n| *n > 0) {
            return Err(StoreError::Unsupported(format!(
                "{} already holds tickets, people or settings; everything from another desk goes only into an empty database, and nothing was changed",
                self.path.display()
            )));
        }
        let total: u64 = source.transfer_counts()?.iter().sum();
        self.loading(
            |bulk| {
                let mut done = 0u64;
                let mut tables: Vec<(&'static str, u64)> = Vec::new();
                // A table's INSERT, written once as its rows begin.
                let mut sql = String::new();
                source.transfer_rows(&mut |table, cells| {
                    if tables.last().is_none_or(|(name, _)| *name != table.name) {
                        tables.push((table.name, 0));
                        sql = format!(
                            "INSERT INTO {} ({}) VALUES ({})",
                            table.name,
                            table.columns.join(", "),
                            (1..=table.columns.len())
                                .map(|i| format!("?{i}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        );
                    }
                    // Text bound where it lies, not copied.
                    let values = cells.iter().map(|cell| match cell {
                        Cell::Null => ToSqlOutput::Owned(Value::Null),
                        Cell::Int(n) => ToSqlOutput::Owned(Value::Integer(*n)),
                        Cell::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
                    });
                    bulk.run(&sql, rusqlite::params_from_iter(values))?;
                    if let Some((_, n)) = tables.last_mut() {
                        *n += 1;
                    }
                    done += 1;
                    if done.is_multiple_of(4096) && !progress(done, total) {
                        return Err(StoreError::Cancelled);
                    }
                    Ok(())
                })?;
                progress(done, total);
                // As on a server (see its move): the trail names canned
                // replies by id, so a reply deleted after it was used keeps
                // its id from any new one.
                bulk.run(
                    "UPDATE sqlite_sequence SET seq = max(seq,
                        (SELECT coalesce(max(ref_id), 0) FROM activity WHERE kind = 'canned'))
                     WHERE name = 'canned_replies'",
                    [],
                )?;
                Ok(TABLES
                    .iter()
                    .map(|t| {
                        let n = tables.iter().find(|(name, _)| *name == t.name);
                        (t.name, n.map_or(0, |(_, n)| *n))
                    })
                    .collect())
            },
            false,
            RESTORE_CACHE_KIB,
        )
    }

    /// Runs a bulk load with a page cache of `cache_kib`; `derive`
    /// rebuilds every derived row afterwards, otherwise only the search
    /// indexes (a restore brings the rest).
    fn loading<T>(
        &mut self,
        load: impl FnOnce(&mut Bulk<'_>) -> Result<T, StoreError>,
        derive: bool,
        cache_kib: u32,
    ) -> Result<T, StoreError> {
        self.refuse_if_damaged()?;
        let result = (|| {
            self.conn.execute_batch(&format!(
                "PRAGMA cache_size = -{cache_kib}; PRAGMA synchronous = OFF;"
            ))?;
            let mut bulk = Bulk::begin(&mut self.conn)?;
            let value = load(&mut bulk)?;
            bulk.finish(derive)?;
            Ok(value)
        })();
        let restored = self.conn.execute_batch(&format!(
            "PRAGMA cache_size = -{}; PRAGMA synchronous = FULL;",
            self.cache_kib.get()
        ));
        let value = result.map_err(|e| self.seen(e))?;
        restored.map_err(|e| self.seen(e.into()))?;
        Ok(value)
    }
}

impl Bulk<'_> {
    /// Starts the load's transaction and sets the indexes and triggers aside.
    fn begin(conn: &mut Connection) -> Result<Bulk<'_>, StoreError> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let set_aside = set_aside_indexes(&tx)?;
        Ok(Bulk { tx, set_aside })
    }

    /// Puts the indexes and triggers back, rebuilds the search indexes and
    /// (`derive`) the rest of what they derive, and commits.
    fn finish(self, derive: bool) -> Result<(), StoreError> {
        for sql in &self.set_aside {
            self.tx.execute_batch(sql)?;
        }
        self.tx.execute_batch(REBUILD_SEARCH)?;
        if derive {
            self.tx.execute_batch(REBUILD_DERIVED)?;
        }
        self.tx.commit()?;
        Ok(())
    }
}

/// Drops the secondary indexes and triggers of the bulk-loaded tables and
/// returns the SQL that recreates them (building an index once is far faster
/// than keeping it sorted through millions of inserts).
fn set_aside_indexes(conn: &Connection) -> Result<Vec<String>, StoreError> {
    set_aside(
        conn,
        "type IN ('index', 'trigger')
         AND tbl_name IN ('tickets', 'activity', 'messages', 'notes', 'ticket_tags',
                          'ticket_assignees', 'customers', 'customer_tags')",
    )
}

/// Drops the indexes and triggers `chosen` (a condition on `sqlite_schema`)
/// in the caller's transaction, handing back the SQL that makes them again.
pub(super) fn set_aside(conn: &Connection, chosen: &str) -> Result<Vec<String>, StoreError> {
    let items: Vec<(String, String, String)> = conn
        .prepare(&format!(
            "SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL AND ({chosen})"
        ))?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    for (kind, name, _) in &items {
        let kind = if kind == "index" { "INDEX" } else { "TRIGGER" };
        conn.execute_batch(&format!("DROP {kind} \"{}\"", name.replace('"', "\"\"")))?;
    }
    Ok(items.into_iter().map(|(_, _, sql)| sql).collect())
}

impl Bulk<'_> {
    /// Runs one statement of the load (prepared once, then reused).
    fn run(&self, sql: &str, params: impl Params) -> Result<(), StoreError> {
        self.tx.prepare_cached(sql)?.execute(params)?;
        Ok(())
    }
}

impl BulkSink for Bulk<'_> {
    fn add_agent(
        &mut self,
        name: &str,
        sort_key: &str,
        email: &str,
        active: bool,
        created_at: i64,
    ) -> Result<AgentId, StoreError> {
        self.run(
            "INSERT INTO agents (name, sort_key, email, active, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![name, sort_key, email, active, created_at],
        )?;
        Ok(AgentId(self.tx.last_insert_rowid()))
    }

    fn add_customer(
        &mut self,
        name: &str,
        sort_key: &str,
        email: &str,
        company: &str,
        created_at: i64,
    ) -> Result<CustomerId, StoreError> {
        self.run(
            "INSERT INTO customers (name, sort_key, email, company, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![name, sort_key, email, company, created_at],
        )?;
        Ok(CustomerId(self.tx.last_insert_rowid()))
    }

    fn tag_customer(&mut self, customer: CustomerId, tag: TagId) -> Result<(), StoreError> {
        self.run(
            "INSERT OR IGNORE INTO customer_tags (customer_id, tag_id) VALUES (?1, ?2)",
            params![customer, tag],
        )
    }

    fn tag_named(&mut self, name: &str) -> Result<TagId, StoreError> {
        self.run("INSERT OR IGNORE INTO tags (name) VALUES (?1)", [name])?;
        Ok(self
            .tx
            .prepare_cached("SELECT id FROM tags WHERE name = ?1")?
            .query_row([name], |r| r.get(0))?)
    }

    fn next_ticket_number(&mut self) -> Result<TicketNumber, StoreError> {
        Ok(self.tx.query_row(
            "SELECT coalesce(max(seq), 0) + 1 FROM sqlite_sequence WHERE name = 'tickets'",
            [],
            |r| r.get(0),
        )?)
    }

    fn add_ticket(
        &mut self,
        number: TicketNumber,
        subject: &str,
        description: &str,
        priority: Priority,
        customer: Option<(CustomerId, &str)>,
        created_at: i64,
    ) -> Result<(), StoreError> {
        self.run(
            "INSERT INTO tickets (id, subject, description, status, priority, customer_id, created_at, updated_at, customer_key)
             VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6, ?6, ?7)",
            params![
                number,
                subject,
                description,
                priority,
                customer.map(|c| c.0),
                created_at,
                customer.map(|c| c.1)
            ],
        )
    }

    fn assign(&mut self, ticket: TicketNumber, agent: AgentId, at: i64) -> Result<(), StoreError> {
        self.run(
            "INSERT INTO ticket_assignees (ticket_id, agent_id, assigned_at) VALUES (?1, ?2, ?3)",
            params![ticket, agent, at],
        )
    }

    fn unassign(&mut self, ticket: TicketNumber, agent: AgentId) -> Result<(), StoreError> {
        self.run(
            "DELETE FROM ticket_assignees WHERE ticket_id = ?1 AND agent_id = ?2",
            params![ticket, agent],
        )
    }

    fn tag_ticket(&mut self, ticket: TicketNumber, tag: TagId) -> Result<(), StoreError> {
        self.run(
            "INSERT INTO ticket_tags (ticket_id, tag_id) VALUES (?1, ?2)",
            params![ticket, tag],
        )
    }

    fn untag_ticket(&mut self, ticket: TicketNumber, tag: TagId) -> Result<(), StoreError> {
        self.run(
            "DELETE FROM ticket_tags WHERE ticket_id = ?1 AND tag_id = ?2",
            params![ticket, tag],
        )
    }

    fn add_message(
        &mut self,
        id: MessageId,
        ticket: TicketNumber,
        direction: Direction,
        author: AgentId,
        body: &str,
        at: i64,
    ) -> Result<(), StoreError> {
        self.run(
            "INSERT INTO messages (id, ticket_id, direction, author_id, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, ticket, direction, author, body, at],
        )
    }

    fn add_note(
        &mut self,
        id: NoteId,
        ticket: TicketNumber,
        author: AgentId,
        body: &str,
        at: i64,
    ) -> Result<(), StoreError> {
        self.run(
            "INSERT INTO notes (id, ticket_id, author_id, body, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![id, ticket, author, body, at],
        )
    }

    fn edit_note(&mut self, id: NoteId, body: &str, at: i64) -> Result<(), StoreError> {
        self.run(
            "UPDATE notes SET body = ?2, updated_at = ?3, version = version + 1 WHERE id = ?1",
            params![id, body, at],
        )
    }

    fn delete_note(&mut self, id: NoteId) -> Result<(), StoreError> {
        self.run("DELETE FROM notes WHERE id = ?1", [id])
    }

    fn record(
        &mut self,
        ticket: TicketNumber,
        at: i64,
        actor: AgentId,
        kind: &ActivityKind,
    ) -> Result<(), StoreError> {
        activity::record(&self.tx, ticket, at, actor, kind)
    }

    fn finish_ticket(&mut self, ticket: &FinalTicket<'_>) -> Result<(), StoreError> {
        self.run(
            "UPDATE tickets SET subject = ?2, description = ?3, status = ?4, priority = ?5,
                 customer_id = ?6, customer_key = ?7, version = ?8, updated_at = ?9,
                 first_reply_at = ?10, resolved_at = ?11, resolved_by = ?12, closed_at = ?13,
                 csat = ?14, csat_at = ?15, assignee_key = ?16
             WHERE id = ?1",
            params![
                ticket.number,
                ticket.subject,
                ticket.description,
                ticket.status,
                ticket.priority,
                ticket.customer.map(|c| c.0),
                ticket.customer.map(|c| c.1),
                ticket.version,
                ticket.updated_at,
                ticket.first_reply_at,
                ticket.resolved.map(|r| r.0),
                ticket.resolved.map(|r| r.1),
                ticket.closed_at,
                ticket.csat.map(|c| c.0),
                ticket.csat.map(|c| c.1),
                ticket.assignee_key
            ],
        )
    }
}
