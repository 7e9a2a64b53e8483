//! The exports on a SQLite file: the engine's answers to the queries of
//! [`crate::store::export_read`].

use super::Snapshot;
use super::report::Lite;
use crate::analytics::Period;
use crate::store::export_read::{self, Row, Rows};
use crate::store::{Counted, ExportTicket, ListRequest, Sort, StoreError, TicketFilter};

impl Row for rusqlite::Row<'_> {
    fn int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        Ok(self.get(i)?)
    }

    fn text(&self, i: usize) -> Result<String, StoreError> {
        Ok(self.get::<_, Option<String>>(i)?.unwrap_or_default())
    }
}

impl Rows for Lite<'_> {
    fn rows(
        &mut self,
        sql: &str,
        row: &mut dyn FnMut(&dyn Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut stmt = self.0.prepare(sql)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            row(r)?;
        }
        Ok(())
    }
}

impl Snapshot<'_> {
    /// Every ticket matching `filter`, in `sort`'s order, with everything an
    /// export writes (`notes`: the internal notes too); `each` says whether
    /// to go on (false: [`StoreError::Cancelled`]); it hears how many there
    /// are in all with each. Returns how many were read.
    pub fn export_tickets(
        &self,
        filter: &TicketFilter,
        sort: Sort,
        notes: bool,
        each: &mut dyn FnMut(ExportTicket, u64) -> Result<bool, StoreError>,
    ) -> Result<u64, StoreError> {
        let numbers = self.db.list_numbers(&ListRequest::all(filter, sort))?;
        export_read::export_tickets(&mut Lite(self.conn()), &numbers, notes, each)
    }

    /// Every ticket a card of `period`'s report counted, in number order,
    /// with its status and priority as at the period's end and why it was
    /// counted; `each` says whether to go on, and hears how many there are
    /// in all. Returns how many were read.
    pub fn report_tickets(
        &self,
        period: &Period,
        each: &mut dyn FnMut(ExportTicket, Counted, u64) -> Result<bool, StoreError>,
    ) -> Result<u64, StoreError> {
        let (flags, at_end) = self.counted_tickets(period)?;
        export_read::report_tickets(&mut Lite(self.conn()), flags, &at_end, each)
    }
}
