//! Each ticket's status and priority, one byte a ticket, kept in memory
//! beside the connection for the counts beside the list's choices.
//!
//! Counting a filter's tickets per status and priority in SQL reads each
//! ticket's row (or an index entry found by its number): about half a
//! microsecond a ticket, 70 ms for the 128,000 tickets a common word finds
//! at a million. Here the filter's tickets are only named (as cheap as
//! counting them) and their status and priority looked up in this table: a
//! megabyte at a million tickets.
//!
//! The table is made on first use and kept exact: an update hook on the
//! connection notes every ticket this connection inserts or changes, and
//! those are read again before the next use; when another connection has
//! committed (`PRAGMA data_version`) or too many changed at once (a bulk
//! load), the whole table is read again.

use std::cell::{Ref, RefCell};
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;
use rusqlite::hooks::Action;

use super::StoreError;
use crate::domain::{Priority, Status};

/// No ticket has this number (yet).
const NONE: u8 = u8::MAX;

/// More changed tickets than this are caught up by reading the whole table.
const CATCH_UP_LIMIT: usize = 20_000;

/// Tickets this connection changed since the table was last brought up to date.
#[derive(Debug, Default)]
struct Changed {
    tickets: Vec<i64>,
    /// More than [`CATCH_UP_LIMIT`] changed.
    overflow: bool,
}

/// Status and priority by ticket number, as of `data_version`.
#[derive(Debug)]
pub(super) struct Codes {
    codes: Vec<u8>,
    /// Every ticket counted by status and priority, kept with `codes`.
    totals: [u64; 20],
    data_version: i64,
}

impl Codes {
    /// The code of each ticket in `numbers` counted: per status, per priority.
    pub(super) fn tally(&self, numbers: impl Iterator<Item = i64>) -> [u64; 20] {
        tally_of(numbers.filter_map(|number| {
            let i = usize::try_from(number).ok()?;
            self.codes.get(i).copied()
        }))
    }

    /// The tickets numbered `lo` to `hi` (inclusive; open where `None`)
    /// counted by status and priority.
    pub(super) fn tally_range(&self, lo: Option<i64>, hi: Option<i64>) -> [u64; 20] {
        if (lo, hi) == (None, None) {
            return self.totals;
        }
        tally_of(self.codes[self.span(lo, hi)].iter().copied())
    }

    /// The number of the `n`-th ticket (from 1) numbered `lo` to `hi`
    /// (inclusive; open where `None`) whose slot is `wanted`, counting from
    /// the highest number down (`downwards`) or from the lowest up.
    pub(super) fn nth(
        &self,
        downwards: bool,
        (lo, hi): (Option<i64>, Option<i64>),
        wanted: &[bool; 20],
        n: u64,
    ) -> Option<i64> {
        let span = self.span(lo, hi);
        let start = span.start;
        let matches = |(_, code): &(usize, &u8)| wanted.get(usize::from(**code)) == Some(&true);
        let slice = self.codes[span].iter().enumerate();
        let found = if downwards {
            slice
                .rev()
                .filter(matches)
                .nth(usize::try_from(n.checked_sub(1)?).ok()?)
        } else {
            slice
                .filter(matches)
                .nth(usize::try_from(n.checked_sub(1)?).ok()?)
        };
        found.and_then(|(i, _)| i64::try_from(start + i).ok())
    }

    /// Where the tickets numbered `lo` to `hi` (inclusive; open where
    /// `None`) are in `codes`.
    fn span(&self, lo: Option<i64>, hi: Option<i64>) -> std::ops::Range<usize> {
        let index = |n: i64| usize::try_from(n.max(0)).unwrap_or(0);
        let start = lo.map_or(0, index).min(self.codes.len());
        let end = hi.map_or(self.codes.len(), |hi| index(hi.saturating_add(1)));
        start..end.clamp(start, self.codes.len())
    }

    /// The tally slot of a ticket's status and priority; `None` if there is
    /// no such ticket.
    pub(super) fn slot_of(&self, number: i64) -> Option<usize> {
        let code = *self.codes.get(usize::try_from(number).ok()?)?;
        (code != NONE).then_some(usize::from(code))
    }
}

/// Codes counted: per status and priority ([`NONE`] is not counted).
fn tally_of(codes: impl Iterator<Item = u8>) -> [u64; 20] {
    let mut tally = [0u64; 20];
    for code in codes {
        if let Some(slot) = tally.get_mut(usize::from(code)) {
            *slot += 1;
        }
    }
    tally
}

/// Where in a tally a status and priority count.
pub(super) fn slot(status: Status, priority: Priority) -> usize {
    // Status codes are 0..=4 and priority codes 0..=3 (the schema's CHECKs).
    (status.code() * 4 + priority.code()) as usize
}

/// The table, made on first use, and what has changed since.
pub(super) struct FacetCache {
    codes: RefCell<Option<Codes>>,
    changed: Arc<Mutex<Changed>>,
}

impl FacetCache {
    /// A cache for `conn`, whose changes to tickets it will hear of.
    pub(super) fn watching(conn: &mut Connection) -> Result<FacetCache, StoreError> {
        let changed = Arc::new(Mutex::new(Changed::default()));
        let heard = changed.clone();
        conn.update_hook(Some(move |_: Action, _db: &str, table: &str, row: i64| {
            if table == "tickets" {
                let mut changed = heard.lock().unwrap_or_else(PoisonError::into_inner);
                if changed.tickets.len() < CATCH_UP_LIMIT {
                    changed.tickets.push(row);
                } else {
                    changed.overflow = true;
                }
            }
        }))?;
        Ok(FacetCache {
            codes: RefCell::new(None),
            changed,
        })
    }

    /// The table as the connection sees the database now (call within the
    /// read's snapshot): made, caught up or read again as needed.
    pub(super) fn current(&self, conn: &Connection) -> Result<Ref<'_, Codes>, StoreError> {
        let data_version = data_version(conn)?;
        if !self.catch_up(conn, data_version)? {
            *self.codes.borrow_mut() = Some(read_all(conn, data_version)?);
        }
        Ok(Ref::map(self.codes.borrow(), |codes| {
            codes.as_ref().expect("filled above")
        }))
    }

    /// The table if it can be brought up to date by reading only the
    /// tickets this connection changed; `None` if it would have to be read
    /// whole (first use, or another connection wrote).
    pub(super) fn if_current(
        &self,
        conn: &Connection,
    ) -> Result<Option<Ref<'_, Codes>>, StoreError> {
        Ok(if self.catch_up(conn, data_version(conn)?)? {
            Some(Ref::map(self.codes.borrow(), |codes| {
                codes.as_ref().expect("caught up")
            }))
        } else {
            None
        })
    }

    /// Reads again the tickets this connection changed; `false` (and the
    /// table dropped) if it must be read whole instead (another connection
    /// wrote: the database is at another `data_version`).
    fn catch_up(&self, conn: &Connection, data_version: i64) -> Result<bool, StoreError> {
        let changed =
            std::mem::take(&mut *self.changed.lock().unwrap_or_else(PoisonError::into_inner));
        let mut slot = self.codes.borrow_mut();
        let Some(codes) = slot
            .as_mut()
            .filter(|codes| codes.data_version == data_version && !changed.overflow)
        else {
            *slot = None;
            return Ok(false);
        };
        let caught_up = read_again(conn, codes, &changed.tickets);
        if caught_up.is_err() {
            // Half caught up: read whole next time.
            *slot = None;
        }
        caught_up.map(|()| true)
    }
}

/// Reads the codes of these tickets again (a ticket that is gone has none).
fn read_again(conn: &Connection, codes: &mut Codes, tickets: &[i64]) -> Result<(), StoreError> {
    let mut read = conn.prepare_cached("SELECT status, priority FROM tickets WHERE id = ?1")?;
    for &ticket in tickets {
        let code = match read.query_row([ticket], |row| code_of(row, 0)) {
            Ok(code) => code,
            Err(rusqlite::Error::QueryReturnedNoRows) => NONE,
            Err(e) => return Err(e.into()),
        };
        codes.put(ticket, code);
    }
    Ok(())
}

/// The code of the status and priority in columns `at` and `at + 1`; a
/// stored code Tickets does not know is damage (an error), not a slot.
fn code_of(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<u8> {
    let status: Status = row.get(at)?;
    let priority: Priority = row.get(at + 1)?;
    Ok(slot(status, priority) as u8)
}

/// What SQLite's `PRAGMA data_version` says: it changes when another
/// connection commits.
pub(super) fn data_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.pragma_query_value(None, "data_version", |r| r.get(0))?)
}

impl Codes {
    /// Sets a ticket's code ([`NONE`]: no such ticket), keeping the totals.
    fn put(&mut self, ticket: i64, code: u8) {
        let Ok(i) = usize::try_from(ticket) else {
            return;
        };
        if i >= self.codes.len() {
            self.codes.resize(i + 1, NONE);
        }
        let old = std::mem::replace(&mut self.codes[i], code);
        if let Some(n) = self.totals.get_mut(usize::from(old)) {
            *n -= 1;
        }
        if let Some(n) = self.totals.get_mut(usize::from(code)) {
            *n += 1;
        }
    }
}

/// Every ticket's code, read through the status and priority index.
fn read_all(conn: &Connection, data_version: i64) -> Result<Codes, StoreError> {
    let top: i64 = conn
        .prepare_cached("SELECT coalesce(max(id), 0) FROM tickets")?
        .query_row([], |r| r.get(0))?;
    let mut codes = Codes {
        codes: vec![NONE; usize::try_from(top).unwrap_or(0) + 1],
        totals: [0; 20],
        data_version,
    };
    let mut statement = conn.prepare_cached("SELECT id, status, priority FROM tickets")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let code = code_of(row, 1)?;
        codes.put(row.get(0)?, code);
    }
    Ok(codes)
}
