//! Moving a desk's file into a team database: every row of every table,
//! numbers kept, in one transaction, proved by counting and summing every
//! table on both sides before it commits.

use postgres::Transaction;

use super::{TEAM_SCHEMA_VERSION, TeamAdmin, server_error};
use crate::store::transfer::{Cell, Summer, TABLES, Table, TableSum};
use crate::store::{Store, StoreError};

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
        let mut writer = tx
            .copy_in(&format!(
                "COPY tickets.{} ({}) FROM STDIN",
                self.table.name,
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
    let columns: Vec<String> = table
        .columns
        .iter()
        .map(|c| match *c {
            "active" => "active::int::text".to_owned(),
            c if table.typed.contains(&c) => format!("{c} #>> '{{}}'"),
            c => format!("{c}::text"),
        })
        .collect();
    // Qualified: a bare name would order by the text output column.
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
    let mut sum = Summer::default();
    let mut rows = tx
        .query_raw(sql.as_str(), std::iter::empty::<&str>())
        .map_err(|e| server_error(server, e))?;
    let mut cells = Vec::with_capacity(table.columns.len());
    while let Some(row) = postgres::fallible_iterator::FallibleIterator::next(&mut rows)
        .map_err(|e| server_error(server, e))?
    {
        cells.clear();
        for i in 0..table.columns.len() {
            let text: Option<String> = row.get(i);
            cells.push(text.map_or(Cell::Null, Cell::Text));
        }
        sum.add(&cells);
    }
    Ok(sum.finish())
}

impl TeamAdmin {
    /// Moves the whole of `desk` into this team database, which must hold
    /// nothing yet but its owner: every table, ticket numbers and every id
    /// kept, in one transaction. Before it commits, every table is counted
    /// and summed on both sides; any difference and nothing was moved. The
    /// owner stays an agent (after the desk's own). `progress` hears (rows
    /// done, rows in all).
    pub fn import(
        &mut self,
        desk: &Store,
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
                      + (SELECT count(*) FROM tickets.agents WHERE login IS DISTINCT FROM session_user)",
                &[],
            )
            .map_err(fail)?
            .get(0);
        if held > 0 {
            return Err(StoreError::Server {
                server: server.clone(),
                message: "this team database already holds tickets or people; a desk can only be moved into an empty one, and nothing was changed".to_owned(),
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
        tx.batch_execute("ALTER TABLE tickets.activity ENABLE TRIGGER agent_tickets_track;")
            .map_err(fail)?;
        if let Some(owner) = owner {
            let (name, sort_key, email, created_at): (String, String, String, i64) =
                (owner.get(0), owner.get(1), owner.get(2), owner.get(3));
            tx.execute(
                "INSERT INTO tickets.agents (name, sort_key, email, created_at, login, admin)
                 VALUES ($1, $2, $3, $4, session_user, true)",
                &[&name, &sort_key, &email, &created_at],
            )
            .map_err(fail)?;
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
