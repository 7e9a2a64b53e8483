//! Moving a desk's file into a team database: every row of every table,
//! numbers kept, in one transaction, proved by counting and summing every
//! table on both sides before it commits.

use postgres::Transaction;

use super::{TEAM_SCHEMA_VERSION, TeamAdmin, server_error};
use crate::store::StoreError;
use crate::store::transfer::{Cell, RowSource, Summer, TABLES, Table, TableSum};

/// Bytes of COPY text sent at a time.
const CHUNK: usize = 8 << 20;

/// What a move copied: each table with its rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Moved {
    /// Each table's name and row count, in the order they were copied.
    pub tables: Vec<(&'static str, u64)>,
}

/// COPY's text format for one value.
fn copy_text(out: &mut String, cell: &Cell, typed: bool) {
    let text = match cell {
        Cell::Null => {
            out.push_str("\\N");
            return;
        }
        Cell::Int(n) => {
            out.push_str(&n.to_string());
            return;
        }
        Cell::Text(text) if typed => serde_json::to_string(text).unwrap_or_default(),
        Cell::Text(text) => text.clone(),
    };
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// Rows of one table on their way into the server, sent a chunk at a time.
struct Copying {
    table: &'static Table,
    /// For each column, whether its values keep their type (`jsonb`).
    typed: Vec<bool>,
    text: String,
    sum: Summer,
}

impl Copying {
    fn send(&mut self, tx: &mut Transaction<'_>, server: &str) -> Result<(), StoreError> {
        if self.text.is_empty() {
            return Ok(());
        }
        // Tickets go in beside the team's table first (see `Searchable`).
        let into = if self.table.name == "tickets" {
            STAGED_TICKETS.to_owned()
        } else {
            format!("tickets.{}", self.table.name)
        };
        let mut writer = tx
            .copy_in(&format!(
                "COPY {into} ({}) FROM STDIN",
                self.table.columns.join(", ")
            ))
            .map_err(|e| server_error(server, e))?;
        std::io::Write::write_all(&mut writer, self.text.as_bytes())?;
        writer.finish().map_err(|e| server_error(server, e))?;
        self.text.clear();
        Ok(())
    }
}

/// A table's rows as the server holds them, summed as the desk's were.
fn server_sum(
    tx: &mut Transaction<'_>,
    table: &Table,
    server: &str,
) -> Result<TableSum, StoreError> {
    let mut sum = Summer::default();
    read_table(tx, table, server, &mut |cells| {
        sum.add(cells);
        Ok(())
    })?;
    Ok(sum.finish())
}

/// Hands each row of `table` to `row` in key order, as the desk's file
/// holds it: whole numbers (flags included) as numbers, `jsonb` values as
/// the numbers and text they were given as.
pub(super) fn read_table(
    client: &mut impl postgres::GenericClient,
    table: &Table,
    server: &str,
    row: &mut dyn FnMut(&[Cell]) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    use postgres::types::Type;
    let columns: Vec<String> = table
        .columns
        .iter()
        .map(|c| match *c {
            "active" => "active::int".to_owned(),
            c if table.typed.contains(&c) => format!("{c}::text"),
            c => c.to_owned(),
        })
        .collect();
    let typed: Vec<bool> = table
        .columns
        .iter()
        .map(|c| table.typed.contains(c))
        .collect();
    // Qualified: a bare name would order by an output column.
    let key: Vec<String> = table.columns[..table.key]
        .iter()
        .map(|c| format!("t.{c}"))
        .collect();
    let sql = format!(
        "SELECT {} FROM tickets.{} t ORDER BY {}",
        columns.join(", "),
        table.name,
        key.join(", ")
    );
    let fail = |e| server_error(server, e);
    let mut rows = client
        .query_raw(sql.as_str(), std::iter::empty::<&str>())
        .map_err(fail)?;
    let mut cells = Vec::with_capacity(table.columns.len());
    while let Some(r) =
        postgres::fallible_iterator::FallibleIterator::next(&mut rows).map_err(fail)?
    {
        cells.clear();
        for (i, column) in r.columns().iter().enumerate() {
            let ty = column.type_();
            let cell = if *ty == Type::INT8 {
                r.try_get::<_, Option<i64>>(i).map_err(fail)?.map(Cell::Int)
            } else if *ty == Type::INT4 {
                r.try_get::<_, Option<i32>>(i)
                    .map_err(fail)?
                    .map(|n| Cell::Int(n.into()))
            } else if *ty == Type::INT2 {
                r.try_get::<_, Option<i16>>(i)
                    .map_err(fail)?
                    .map(|n| Cell::Int(n.into()))
            } else if typed[i] {
                r.try_get::<_, Option<String>>(i)
                    .map_err(fail)?
                    .map(|json| typed_cell(&json))
            } else {
                r.try_get::<_, Option<String>>(i)
                    .map_err(fail)?
                    .map(Cell::Text)
            };
            cells.push(cell.unwrap_or(Cell::Null));
        }
        row(&cells)?;
    }
    Ok(())
}

/// A `jsonb` value as a file's cell: a whole number as a number, a string
/// as its text (what a move put there: see `copy_text`), anything else as
/// its JSON.
fn typed_cell(json: &str) -> Cell {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Number(n)) if n.is_i64() => Cell::Int(n.as_i64().unwrap_or_default()),
        Ok(serde_json::Value::String(text)) => Cell::Text(text),
        _ => Cell::Text(json.to_owned()),
    }
}

/// Where the desk's tickets are copied before they join the team's table.
const STAGED_TICKETS: &str = "pg_temp.import_tickets";

/// A ticket's search words (migration 3's `search_of`: its subject's words,
/// then its customer's), made once per distinct subject and once per
/// customer instead of by the insert trigger once per ticket, which at a
/// million tickets spent most of a move in the same text functions
/// (`words_at` ~70 µs a call, four calls a ticket). The tickets are copied
/// into a temporary table, then inserted with their words in one statement,
/// in number order, the trigger off; the result is the trigger's, word for
/// word and position for position (`||` in the same order).
fn insert_staged_tickets(tx: &mut Transaction<'_>, server: &str) -> Result<(), StoreError> {
    let table = TABLES
        .iter()
        .find(|t| t.name == "tickets")
        .map_or(&[][..], |t| t.columns);
    let columns = table.join(", ");
    let staged: Vec<String> = table.iter().map(|c| format!("s.{c}")).collect();
    tx.batch_execute(&format!(
        "SET LOCAL work_mem = '256MB';
         INSERT INTO tickets.tickets ({columns}, search) OVERRIDING SYSTEM VALUE
         SELECT {staged}, w.words || coalesce(c.words, ''::tsvector)
         FROM {STAGED_TICKETS} s
         JOIN (SELECT subject, tickets.words_at(subject, 0) AS words
               FROM (SELECT DISTINCT subject FROM {STAGED_TICKETS}) d) w ON w.subject = s.subject
         LEFT JOIN (SELECT id, tickets.customer_words(name, email, company) AS words
                    FROM tickets.customers) c ON c.id = s.customer_id
         ORDER BY s.id;
         DROP TABLE {STAGED_TICKETS};
         RESET work_mem;",
        staged = staged.join(", ")
    ))
    .map_err(|e| server_error(server, e))
}

/// The indexes and foreign keys of the team's tables, taken off while the
/// rows go in and put back after, in the same transaction. Kept on, each row
/// would update every index of its table in turn and queue a check of each
/// of its references (ten million activity rows: two lookups each, and five
/// indexes grown a row at a time); built after, each index is one sort of
/// its table and each reference one join. Primary keys and unique indexes
/// stay: they are what refuses a duplicate. Should the move fail, the
/// rollback puts them back as they were.
struct Deferred {
    /// `CREATE INDEX …` of each index taken off.
    indexes: Vec<String>,
    /// (table, constraint, definition) of each foreign key taken off.
    references: Vec<(String, String, String)>,
}

impl Deferred {
    fn take_off(tx: &mut Transaction<'_>, server: &str) -> Result<Deferred, StoreError> {
        let fail = |e| server_error(server, e);
        let references: Vec<(String, String, String)> = tx
            .query(
                "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid)
                 FROM pg_constraint
                 WHERE contype = 'f' AND connamespace = 'tickets'::regnamespace
                 ORDER BY conrelid::regclass::text, conname",
                &[],
            )
            .map_err(fail)?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        let indexes: Vec<(String, String)> = tx
            .query(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                 FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
                 WHERE c.relnamespace = 'tickets'::regnamespace
                   AND NOT i.indisprimary AND NOT i.indisunique
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
                 ORDER BY 1",
                &[],
            )
            .map_err(fail)?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let mut drop = String::new();
        for (table, name, _) in &references {
            drop.push_str(&format!("ALTER TABLE {table} DROP CONSTRAINT {name};\n"));
        }
        for (name, _) in &indexes {
            drop.push_str(&format!("DROP INDEX {name};\n"));
        }
        tx.batch_execute(&drop).map_err(fail)?;
        Ok(Deferred {
            indexes: indexes.into_iter().map(|(_, def)| def).collect(),
            references,
        })
    }

    fn put_back(self, tx: &mut Transaction<'_>, server: &str) -> Result<(), StoreError> {
        let fail = |e| server_error(server, e);
        // Room to sort each index in memory, for this transaction only.
        tx.batch_execute("SET LOCAL maintenance_work_mem = '256MB'")
            .map_err(fail)?;
        for def in &self.indexes {
            tx.batch_execute(def).map_err(fail)?;
        }
        for (table, name, def) in &self.references {
            tx.batch_execute(&format!("ALTER TABLE {table} ADD CONSTRAINT {name} {def}"))
                .map_err(fail)?;
        }
        Ok(())
    }
}

impl TeamAdmin {
    /// Moves the whole of `desk` into this team database, which must hold
    /// nothing yet but its owner: every table, ticket numbers and every id
    /// kept, in one transaction. Before it commits, every table is counted
    /// and summed on both sides; any difference and nothing was moved. The
    /// owner stays an agent: the desk's agent with the owner's email (or
    /// name, where the owner gave no email), or a new one after the desk's.
    /// `progress` hears (rows done, rows in all).
    pub fn import(
        &mut self,
        desk: &dyn RowSource,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Moved, StoreError> {
        match self.version()? {
            Some(TEAM_SCHEMA_VERSION) => {}
            Some(other) => {
                return Err(StoreError::TooNew {
                    found: i64::from(other),
                    supported: i64::from(TEAM_SCHEMA_VERSION),
                });
            }
            None => {
                return Err(StoreError::Server {
                    server: self.server.clone(),
                    message: "this database is not set up for a team yet: run “tickets server init” on it first".to_owned(),
                });
            }
        }
        let counts = desk.transfer_counts()?;
        let total: u64 = counts.iter().sum();
        let server = self.server.clone();
        let fail = |e| server_error(&server, e);
        let mut tx = self.client.transaction().map_err(fail)?;
        let held: i64 = tx
            .query_one(
                "SELECT (SELECT count(*) FROM tickets.tickets)
                      + (SELECT count(*) FROM tickets.customers)
                      + (SELECT count(*) FROM tickets.tags)
                      + (SELECT count(*) FROM tickets.shared_views)
                      + (SELECT count(*) FROM tickets.canned_replies)
                      + (SELECT count(*) FROM tickets.agents WHERE login IS DISTINCT FROM session_user)",
                &[],
            )
            .map_err(fail)?
            .get(0);
        if held > 0 {
            return Err(StoreError::Server {
                server: server.clone(),
                message: "this team database already holds tickets, people, shared views or canned replies; a desk can only be moved into an empty one, and nothing was changed".to_owned(),
            });
        }
        let owner = tx
            .query_opt(
                "SELECT name, sort_key, email, created_at FROM tickets.agents WHERE login = session_user",
                &[],
            )
            .map_err(fail)?;
        tx.batch_execute(
            "DELETE FROM tickets.agents;
             ALTER TABLE tickets.activity DISABLE TRIGGER agent_tickets_track;",
        )
        .map_err(fail)?;
        let deferred = Deferred::take_off(&mut tx, &server)?;
        tx.batch_execute(&format!(
            "ALTER TABLE tickets.tickets DISABLE TRIGGER ticket_search_track;
             ALTER TABLE tickets.tickets DISABLE TRIGGER ticket_tally_insert;
             ALTER TABLE tickets.ticket_assignees DISABLE TRIGGER assignee_tally_insert;
             CREATE TEMPORARY TABLE {STAGED_TICKETS} (LIKE tickets.tickets INCLUDING DEFAULTS) ON COMMIT DROP;"
        ))
        .map_err(fail)?;

        let mut done = 0u64;
        let mut copying: Option<Copying> = None;
        let mut sums: Vec<(&'static Table, TableSum)> = Vec::new();
        desk.transfer_rows(&mut |table, row| {
            if copying.as_ref().is_none_or(|c| c.table.name != table.name) {
                if let Some(mut finished) = copying.take() {
                    finished.send(&mut tx, &server)?;
                    sums.push((finished.table, finished.sum.finish()));
                }
                copying = Some(Copying {
                    table,
                    typed: table
                        .columns
                        .iter()
                        .map(|c| table.typed.contains(c))
                        .collect(),
                    text: String::with_capacity(CHUNK + 4096),
                    sum: Summer::default(),
                });
            }
            let Some(current) = copying.as_mut() else {
                return Ok(());
            };
            current.sum.add(row);
            for (i, (cell, typed)) in row.iter().zip(&current.typed).enumerate() {
                if i > 0 {
                    current.text.push('\t');
                }
                copy_text(&mut current.text, cell, *typed);
            }
            current.text.push('\n');
            if current.text.len() >= CHUNK {
                current.send(&mut tx, &server)?;
            }
            done += 1;
            if done.is_multiple_of(10_000) {
                progress(done, total);
            }
            Ok(())
        })?;
        if let Some(mut finished) = copying.take() {
            finished.send(&mut tx, &server)?;
            sums.push((finished.table, finished.sum.finish()));
        }
        progress(done, total);
        insert_staged_tickets(&mut tx, &server)?;
        // The views' tallies (migration 12), counted once the tickets and
        // their assignments are all in: assignments arrive before their
        // tickets, which wait in the staging table till last.
        tx.batch_execute(
            "ALTER TABLE tickets.tickets ENABLE TRIGGER ticket_search_track;
             ALTER TABLE tickets.tickets ENABLE TRIGGER ticket_tally_insert;
             ALTER TABLE tickets.ticket_assignees ENABLE TRIGGER assignee_tally_insert;
             SELECT tickets.recount_tallies();",
        )
        .map_err(fail)?;
        deferred.put_back(&mut tx, &server)?;

        // Every table, counted and summed as the server holds it now.
        for table in TABLES {
            let desk_sum = sums
                .iter()
                .find(|(t, _)| t.name == table.name)
                .map_or(Summer::default().finish(), |(_, s)| s.clone());
            let here = server_sum(&mut tx, table, &server)?;
            if here != desk_sum {
                return Err(StoreError::Server {
                    server: server.clone(),
                    message: format!(
                        "the copy of {} does not match the desk's ({} rows there, {} here); nothing was moved",
                        table.name, desk_sum.rows, here.rows
                    ),
                });
            }
        }
        for table in TABLES.iter().filter(|t| t.numbered) {
            tx.batch_execute(&format!(
                "SELECT setval(pg_get_serial_sequence('tickets.{0}', 'id'),
                               (SELECT coalesce(max(id), 0) + 1 FROM tickets.{0}), false)",
                table.name
            ))
            .map_err(fail)?;
        }
        // The trail names canned replies by id: one deleted after it was
        // used keeps its id, so that its uses are never counted as another's.
        tx.batch_execute(
            "SELECT setval(pg_get_serial_sequence('tickets.canned_replies', 'id'),
                           greatest((SELECT coalesce(max(id), 0) FROM tickets.canned_replies),
                                    (SELECT coalesce(max(ref_id), 0) FROM tickets.activity
                                     WHERE kind = 'canned')) + 1, false)",
        )
        .map_err(fail)?;
        tx.batch_execute("ALTER TABLE tickets.activity ENABLE TRIGGER agent_tickets_track;")
            .map_err(fail)?;
        if let Some(owner) = owner {
            let (name, sort_key, email, created_at): (String, String, String, i64) =
                (owner.get(0), owner.get(1), owner.get(2), owner.get(3));
            // The owner is often the person moving their own desk in: one of
            // its agents, by email (or by name, where the owner gave none).
            // They become that agent, history and all, signing in with the
            // owner's login, rather than a second agent of the same name.
            let became = tx
                .execute(
                    "UPDATE tickets.agents SET login = session_user, admin = true
                     WHERE id = (SELECT id FROM tickets.agents
                                 WHERE login IS NULL AND active
                                   AND CASE WHEN $2 <> '' THEN lower(email) = lower($2)
                                            ELSE sort_key = $1 END
                                 ORDER BY id LIMIT 1)",
                    &[&sort_key, &email],
                )
                .map_err(fail)?;
            if became == 0 {
                tx.execute(
                    "INSERT INTO tickets.agents (name, sort_key, email, created_at, login, admin)
                     VALUES ($1, $2, $3, $4, session_user, true)",
                    &[&name, &sort_key, &email, &created_at],
                )
                .map_err(fail)?;
            }
        }
        tx.commit().map_err(fail)?;
        Ok(Moved {
            tables: TABLES
                .iter()
                .zip(counts)
                .map(|(t, n)| (t.name, n))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_what_copy_reads_as_markup() {
        let mut out = String::new();
        copy_text(&mut out, &Cell::Text("a\tb\nc\\d\re".into()), false);
        assert_eq!(out, "a\\tb\\nc\\\\d\\re");
        out.clear();
        copy_text(&mut out, &Cell::Text("Open \"now\"".into()), true);
        assert_eq!(out, "\"Open \\\\\"now\\\\\"\"");
        out.clear();
        copy_text(&mut out, &Cell::Null, false);
        copy_text(&mut out, &Cell::Int(-7), true);
        assert_eq!(out, "\\N-7");
    }
}
