//! The analytics on a SQLite file: the engine's answers to the queries of
//! [`crate::store::figures`], and a report read on two connections at once.

use rusqlite::Connection;

use super::{FileStore, Snapshot};
use crate::analytics::{Period, Report, Scope};
use crate::store::Counted;
use crate::store::StoreError;
use crate::store::figures::{self, AtEnd, Side, Sql};

/// A connection answering the analytics' queries.
pub(super) struct Lite<'a>(pub(super) &'a Connection);

impl Sql for Lite<'_> {
    fn each(
        &mut self,
        sql: &str,
        params: &[i64],
        row: &mut dyn FnMut(&[Option<i64>]),
    ) -> Result<(), StoreError> {
        let mut stmt = self.0.prepare_cached(sql)?;
        let columns = stmt.column_count();
        let mut values = vec![None; columns];
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        while let Some(r) = rows.next()? {
            for (i, value) in values.iter_mut().enumerate() {
                *value = r.get(i)?;
            }
            row(&values);
        }
        Ok(())
    }

    fn named(&mut self, sql: &str) -> Result<Vec<(i64, String, bool)>, StoreError> {
        let mut stmt = self.0.prepare_cached(sql)?;
        let flagged = stmt.column_count() > 2;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    if flagged { r.get(2)? } else { false },
                ))
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}

/// The report, within the caller's read transaction on `conn`, with part of
/// it read on `helper` at the same time when `helper` sees the same snapshot.
fn report(
    conn: &Connection,
    helper: Option<&mut Connection>,
    period: &Period,
) -> Result<Report, StoreError> {
    // A second connection reads part of it at the same time, if it sees the
    // same tickets and trail (nobody committed between the two reads began).
    let helper = match helper {
        Some(h) => {
            let mine = fingerprint(conn)?;
            h.execute_batch("BEGIN")?;
            match fingerprint(h) {
                Ok(theirs) if theirs == mine => Some(h),
                _ => {
                    h.execute_batch("ROLLBACK")?;
                    None
                }
            }
        }
        None => None,
    };
    match helper {
        Some(h) => {
            let report = report_with(conn, Some(&mut *h), period);
            h.execute_batch("ROLLBACK")?;
            report
        }
        None => report_with(conn, None, period),
    }
}

/// What identifies a snapshot of the tickets and their trail: every change
/// to a ticket adds an activity entry in the same transaction.
fn fingerprint(conn: &Connection) -> Result<(Option<i64>, Option<i64>), StoreError> {
    Ok(conn.query_row(
        "SELECT (SELECT max(id) FROM activity), (SELECT max(id) FROM tickets)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// The report, read within the caller's transaction, with part of it read on
/// `helper` (in the same snapshot) on a thread of its own when there is one.
fn report_with(
    conn: &Connection,
    helper: Option<&mut Connection>,
    period: &Period,
) -> Result<Report, StoreError> {
    let (start, end) = period.millis();
    std::thread::scope(|scope| {
        let job = helper.and_then(|h| {
            std::thread::Builder::new()
                .name("tickets-report".to_owned())
                .spawn_scoped(scope, move || figures::side(&mut Lite(h), start, end))
                .ok()
        });
        let side = move |r: &mut dyn Sql| -> Result<Side, StoreError> {
            match job {
                Some(job) => job
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                None => figures::side(r, start, end),
            }
        };
        figures::report_main(&mut Lite(conn), period, side)
    })
}

impl FileStore {
    /// The report of `period`, read in one snapshot; part of it on a second,
    /// read-only connection at the same time when that sees the same
    /// snapshot (a year at a million tickets in about 300 ms).
    pub fn report(&self, period: &Period) -> Result<Report, StoreError> {
        if !self.conn.is_autocommit() {
            // Within a caller's snapshot: read it all there.
            return self.reading(|s| s.report(period));
        }
        self.reading(|s| {
            let mut reader = self.reader();
            report(s.conn(), reader.as_deref_mut(), period)
        })
    }

    /// The numbers of the tickets behind a scope, ascending.
    pub fn scope_tickets(&self, scope: &Scope) -> Result<Vec<i64>, StoreError> {
        self.reading(|s| figures::scope_ids(&mut Lite(s.conn()), scope))
    }
}

impl Snapshot<'_> {
    /// The report of `period`, within this snapshot.
    pub fn report(&self, period: &Period) -> Result<Report, StoreError> {
        report_with(self.conn(), None, period)
    }

    /// Every ticket a card of `period`'s report counted, ascending, with
    /// why, and its status and priority at the period's end.
    pub(super) fn counted_tickets(
        &self,
        period: &Period,
    ) -> Result<(Vec<(i64, Counted)>, AtEnd), StoreError> {
        figures::report_ticket_flags(&mut Lite(self.conn()), period)
    }
}
