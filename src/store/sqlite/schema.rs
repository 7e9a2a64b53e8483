//! The file format: application id, schema versions and the migrations between them.
//!
//! Each migration takes the file from one version to the next inside one
//! immediate transaction, so a file is always at exactly one version.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// `PRAGMA application_id` of a Tickets file ("TKTS").
pub const APPLICATION_ID: i32 = 0x544B_5453;

/// The schema version this build writes and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Migration `i` takes a file from version `i` to version `i + 1`.
///
/// Each is frozen, as in Mozilla's application-services: files in the field
/// were made with exactly this SQL, so it is never edited, only followed by
/// a new migration (the test below holds each to its text). Nothing else
/// shares it: the sample-data loader rebuilds derived rows with
/// [`REBUILD_DERIVED`], which follows the schema as it is now.
///
/// 1. People, tickets and everything attached to them.
/// 2. Full-text search: `ticket_search` holds each ticket's subject and its
///    customer's name, email and company, so one search query finds both;
///    triggers keep it in step. `customer_search` serves the customer picker.
/// 3. What the analytics read, served by indexes so that a year of a million
///    tickets is summed in well under a second: `first_reply_by`; moment
///    indexes covering the durations and the agent behind them; status and
///    priority changes by time (a ticket's status at the end of a past period
///    is the "from" of its first change after that end); `agent_tickets`, each
///    agent's first and last event on each ticket, kept by a trigger.
/// 4. Customer moves in the trail by an index of their own, so that erasing a
///    customer finds the moves naming them without scanning every entry.
/// 5. Status, priority and assignee key in one index, so counts and pages
///    combining them (and the facet counts) read the index alone.
/// 6. The last change's index, for the Updated sort and "Recently updated".
/// 7. Bulk actions: `bulk_batches`, one row per run, and `activity.batch_id`
///    marking each entry a run wrote.
/// 8. Views shared with the team (`shared_views`): name, filter and sort
///    as JSON, place in the list, who shared it.
/// 9. When each agent last opened each ticket (`ticket_reads`), for the
///    list's unread marks.
/// 10. The team's service-level policy (`sla_policy`), one row of JSON.
/// 11. Links between tickets (`ticket_links`): related, duplicate of, and
///     merged into (what a merge leaves: the merged number still finds the
///     ticket kept).
/// 12. The team's canned replies (`canned_replies`): title, body, tags and
///     status to apply; their uses counted from the trail by an index.
/// 13. Tickets imported from other help desks: each one's id there
///     (`ticket_refs`, by source and id, found by ticket and by id), and
///     where an unfinished import stands (`import_checkpoints`).
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_tables.sql"),
    include_str!("migrations/0002_search.sql"),
    include_str!("migrations/0003_analytics.sql"),
    include_str!("migrations/0004_erasure.sql"),
    include_str!("migrations/0005_status_priority.sql"),
    include_str!("migrations/0006_updated.sql"),
    include_str!("migrations/0007_bulk.sql"),
    include_str!("migrations/0008_shared_views.sql"),
    include_str!("migrations/0009_reads.sql"),
    include_str!("migrations/0010_service_levels.sql"),
    include_str!("migrations/0011_links.sql"),
    include_str!("migrations/0012_canned.sql"),
    include_str!("migrations/0013_imports.sql"),
];

/// Indexes tickets for the search: every ticket, or (with a WHERE after
/// it) those chosen.
macro_rules! index_tickets {
    () => {
        "INSERT INTO ticket_search(rowid, subject, customer)
         SELECT t.id, t.subject, c.name || ' ' || c.email || ' ' || c.company
         FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id"
    };
}
pub(super) use index_tickets;

/// Rebuilds the search indexes from the tickets and customers (with
/// [`REBUILD_DERIVED`] after a bulk load; alone after a restore, whose
/// derived columns and rows come whole from the file restored).
pub const REBUILD_SEARCH: &str = concat!(
    "DELETE FROM ticket_search;\n",
    index_tickets!(),
    ";\nINSERT INTO customer_search(customer_search) VALUES ('rebuild');\n"
);

/// Rebuilds the rest of what the current schema derives from other rows
/// (`first_reply_by`, `agent_tickets`): after a bulk load that set the
/// triggers keeping them aside, following [`REBUILD_SEARCH`].
pub const REBUILD_DERIVED: &str = r#"
UPDATE tickets SET first_reply_by = (
    SELECT m.author_id FROM messages m
    WHERE m.ticket_id = tickets.id AND m.direction = 1
    ORDER BY m.created_at, m.id LIMIT 1)
WHERE first_reply_at IS NOT NULL;
DELETE FROM agent_tickets;
INSERT INTO agent_tickets (agent_id, ticket_id, first_at, last_at)
SELECT agent_id, ticket_id, min(at), max(at) FROM activity
WHERE agent_id IS NOT NULL GROUP BY agent_id, ticket_id;
"#;

/// What a file's header says about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileIdentity {
    /// `PRAGMA application_id`.
    pub application_id: i32,
    /// `PRAGMA user_version`.
    pub version: i64,
    /// Whether the file holds any table, index, view or trigger.
    pub has_schema: bool,
}

/// Reads the identity of an open database.
///
/// One statement, so one snapshot: read in three, another process's first
/// migration committing in between looked like a schema with no application
/// id ("another program's database").
pub fn identify(conn: &Connection) -> rusqlite::Result<FileIdentity> {
    conn.query_row(
        "SELECT (SELECT application_id FROM pragma_application_id),
                (SELECT user_version FROM pragma_user_version),
                EXISTS (SELECT 1 FROM sqlite_schema)",
        [],
        |r| {
            Ok(FileIdentity {
                application_id: r.get(0)?,
                version: r.get(1)?,
                has_schema: r.get(2)?,
            })
        },
    )
}

/// Brings the schema up to `target`, one version at a time, each in its own
/// immediate transaction. A fresh file is stamped with the application id first.
pub fn migrate_to(conn: &mut Connection, target: i64) -> Result<(), StoreError> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version >= target {
            return Ok(());
        }
        let step = MIGRATIONS
            .get(usize::try_from(version).unwrap_or(usize::MAX))
            .ok_or(StoreError::TooNew {
                found: version,
                supported: SCHEMA_VERSION,
            })?;
        if version == 0 {
            tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        }
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FNV-1a, 64 bits: a fingerprint that stays the same across Rust releases.
    fn fingerprint(text: &str) -> u64 {
        text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    }

    /// Released migrations are never edited. If this fails you changed one:
    /// put the text back and add a new migration for the change instead.
    /// (A new migration adds its fingerprint here when it is released.)
    #[test]
    fn released_migrations_are_frozen() {
        let printed: Vec<String> = MIGRATIONS
            .iter()
            .map(|m| format!("{:#018x}", fingerprint(m)))
            .collect();
        assert_eq!(
            printed,
            [
                "0x8520cb3ed365bbb8",
                "0x4dcb51ce24edc455",
                "0x254210941e96682c",
                "0xa4ddb7912f7b398d",
                "0xff298721d7211d67",
                "0x1bf6d42554e795a0",
                "0x11bc8932e358ef87",
                "0x432efe074db3261d",
                "0x61c533630e70c303",
                "0x5a1e26d815cd0b3f",
                "0xa11c950270961672",
                "0x32b269272fbb0221",
                "0xec6602c2e4255bae",
            ]
        );
    }
}
