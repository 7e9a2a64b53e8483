//! Tickets are numbered in creation order, so a creation-time range is a
//! range of numbers: the list's date filters and the analytics read through
//! these two lookups.

use rusqlite::{Connection, OptionalExtension};

use crate::store::StoreError;

/// The number of the first ticket created at or after `at` (ms, UTC): tickets
/// are numbered in creation order, so a creation range is a number range.
pub(super) fn first_created_from(conn: &Connection, at: i64) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM tickets WHERE created_at >= ?1 ORDER BY created_at, id LIMIT 1",
        )?
        .query_row([at], |r| r.get(0))
        .optional()?)
}

/// The number of the last ticket created before `at` (ms, UTC).
pub(super) fn last_created_before(conn: &Connection, at: i64) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM tickets WHERE created_at < ?1 ORDER BY created_at DESC, id DESC LIMIT 1",
        )?
        .query_row([at], |r| r.get(0))
        .optional()?)
}
