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

/// Migration `i` takes a file from version `i` to version `i + 1`; its batches run in order.
const MIGRATIONS: &[&[&str]] = &[
    &[V1_TABLES],
    &[V2_SEARCH, FILL_SEARCH],
    &[V3_ANALYTICS, FILL_ANALYTICS],
    &[V4_ERASURE],
];

/// Version 1: people, tickets and everything attached to them.
const V1_TABLES: &str = r#"
CREATE TABLE agents (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    -- The name lower-cased (Unicode-aware) for sorting.
    sort_key    TEXT NOT NULL,
    email       TEXT NOT NULL DEFAULT '',
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL
);
CREATE INDEX agents_sort ON agents(sort_key);

CREATE TABLE customers (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    sort_key    TEXT NOT NULL,
    email       TEXT NOT NULL DEFAULT '',
    company     TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX customers_sort ON customers(sort_key);
-- Searching by email matches from the start of the address, ignoring case.
CREATE INDEX customers_email ON customers(email COLLATE NOCASE);

-- One vocabulary for ticket tags and customer tags; names compare without case.
CREATE TABLE tags (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE
);

CREATE TABLE customer_tags (
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    tag_id      INTEGER NOT NULL REFERENCES tags(id),
    PRIMARY KEY (customer_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX customer_tags_tag ON customer_tags(tag_id, customer_id);

-- AUTOINCREMENT: a ticket number is never reused, even after the newest is gone.
-- created_at never decreases as numbers grow (the store makes sure), so number
-- order is creation order and a created range is a range of numbers.
CREATE TABLE tickets (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    subject         TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    status          INTEGER NOT NULL CHECK (status BETWEEN 0 AND 4),
    priority        INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 3),
    customer_id     INTEGER REFERENCES customers(id),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    -- Bumped by every field edit; an edit made against an older version is a conflict.
    version         INTEGER NOT NULL DEFAULT 1,
    -- Analytics moments, kept current by the store (see docs/METRICS.md).
    first_reply_at  INTEGER,
    resolved_at     INTEGER,
    resolved_by     INTEGER REFERENCES agents(id),
    closed_at       INTEGER,
    csat            INTEGER CHECK (csat BETWEEN 1 AND 5),
    csat_at         INTEGER,
    -- Sort keys for the list: the customer's sort_key and the least sort_key
    -- of the assignees. assignee_key is NULL exactly when the ticket is unassigned.
    customer_key    TEXT,
    assignee_key    TEXT
);
CREATE INDEX tickets_created  ON tickets(created_at);
-- Each index ends in the row id, so a filter or sort on one column comes out
-- in number (= creation) order within equal values.
CREATE INDEX tickets_status   ON tickets(status);
CREATE INDEX tickets_priority ON tickets(priority);
CREATE INDEX tickets_customer ON tickets(customer_id);
CREATE INDEX tickets_subject  ON tickets(subject COLLATE NOCASE);
CREATE INDEX tickets_customer_key ON tickets(customer_key);
CREATE INDEX tickets_assignee_key ON tickets(assignee_key);
CREATE INDEX tickets_resolved ON tickets(resolved_at) WHERE resolved_at IS NOT NULL;
CREATE INDEX tickets_closed   ON tickets(closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX tickets_first_reply ON tickets(first_reply_at) WHERE first_reply_at IS NOT NULL;

CREATE TABLE ticket_assignees (
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
    agent_id    INTEGER NOT NULL REFERENCES agents(id),
    assigned_at INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, agent_id)
) WITHOUT ROWID;
CREATE INDEX ticket_assignees_agent ON ticket_assignees(agent_id, ticket_id);

CREATE TABLE ticket_tags (
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
    tag_id      INTEGER NOT NULL REFERENCES tags(id),
    PRIMARY KEY (ticket_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX ticket_tags_tag ON ticket_tags(tag_id, ticket_id);

-- Conversation with the customer: direction 0 inbound, 1 outbound (a reply).
CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
    direction   INTEGER NOT NULL CHECK (direction IN (0, 1)),
    author_id   INTEGER REFERENCES agents(id),
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX messages_ticket ON messages(ticket_id, created_at);

-- Internal notes: never shown to customers.
CREATE TABLE notes (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
    author_id   INTEGER REFERENCES agents(id),
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX notes_ticket ON notes(ticket_id, created_at);

-- The audit trail. old_value and new_value have no declared type so that
-- status and priority codes stay integers for analytics.
CREATE TABLE activity (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
    at          INTEGER NOT NULL,
    agent_id    INTEGER REFERENCES agents(id),
    kind        TEXT NOT NULL,
    ref_id      INTEGER,
    old_value,
    new_value
);
CREATE INDEX activity_ticket ON activity(ticket_id, at);
CREATE INDEX activity_at ON activity(at, agent_id);

CREATE TRIGGER activity_append_only_update BEFORE UPDATE ON activity
BEGIN SELECT RAISE(ABORT, 'the activity trail is append-only'); END;
CREATE TRIGGER activity_append_only_delete BEFORE DELETE ON activity
BEGIN SELECT RAISE(ABORT, 'the activity trail is append-only'); END;
"#;

/// Version 2: full-text search. `ticket_search` holds each ticket's subject and
/// its customer's name, email and company, so one search query finds both;
/// triggers keep it in step with tickets and customers. `customer_search`
/// serves the customer picker.
const V2_SEARCH: &str = r#"
CREATE VIRTUAL TABLE ticket_search USING fts5(
    subject, customer,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
CREATE TRIGGER ticket_search_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO ticket_search(rowid, subject, customer)
    VALUES (new.id, new.subject,
            (SELECT name || ' ' || email || ' ' || company FROM customers WHERE id = new.customer_id));
END;
CREATE TRIGGER ticket_search_delete AFTER DELETE ON tickets BEGIN
    DELETE FROM ticket_search WHERE rowid = old.id;
END;
CREATE TRIGGER ticket_search_update AFTER UPDATE OF subject, customer_id ON tickets BEGIN
    DELETE FROM ticket_search WHERE rowid = old.id;
    INSERT INTO ticket_search(rowid, subject, customer)
    VALUES (new.id, new.subject,
            (SELECT name || ' ' || email || ' ' || company FROM customers WHERE id = new.customer_id));
END;
CREATE TRIGGER ticket_search_customer AFTER UPDATE OF name, email, company ON customers BEGIN
    DELETE FROM ticket_search WHERE rowid IN (SELECT id FROM tickets WHERE customer_id = new.id);
    INSERT INTO ticket_search(rowid, subject, customer)
    SELECT id, subject, new.name || ' ' || new.email || ' ' || new.company
    FROM tickets WHERE customer_id = new.id;
END;

CREATE VIRTUAL TABLE customer_search USING fts5(
    name, email, company,
    content = 'customers', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
CREATE TRIGGER customer_search_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customer_search(rowid, name, email, company)
    VALUES (new.id, new.name, new.email, new.company);
END;
CREATE TRIGGER customer_search_delete AFTER DELETE ON customers BEGIN
    INSERT INTO customer_search(customer_search, rowid, name, email, company)
    VALUES ('delete', old.id, old.name, old.email, old.company);
END;
CREATE TRIGGER customer_search_update AFTER UPDATE OF name, email, company ON customers BEGIN
    INSERT INTO customer_search(customer_search, rowid, name, email, company)
    VALUES ('delete', old.id, old.name, old.email, old.company);
    INSERT INTO customer_search(rowid, name, email, company)
    VALUES (new.id, new.name, new.email, new.company);
END;
"#;

/// Version 3: what the analytics read, served by indexes so that a year of a
/// million tickets is summed in well under a second (see `src/analytics`).
///
/// - `first_reply_by`: who sent the first reply (the per-agent first responses).
/// - The moment indexes cover the durations and the agent behind them, so the
///   averages never visit a ticket row.
/// - The status and priority changes by time: a ticket's status at the end of a
///   past period is the "from" of its first change after that end.
/// - `agent_tickets`: each agent's first and last event on each ticket, kept by
///   a trigger, so "tickets handled in a period" counts pairs, not events.
const V3_ANALYTICS: &str = r#"
ALTER TABLE tickets ADD COLUMN first_reply_by INTEGER REFERENCES agents(id);
DROP INDEX tickets_resolved;
DROP INDEX tickets_first_reply;
CREATE INDEX tickets_resolved ON tickets(resolved_at, created_at, resolved_by) WHERE resolved_at IS NOT NULL;
CREATE INDEX tickets_first_reply ON tickets(first_reply_at, created_at, first_reply_by) WHERE first_reply_at IS NOT NULL;
CREATE INDEX tickets_csat ON tickets(csat_at, csat, resolved_by) WHERE csat_at IS NOT NULL;
CREATE INDEX activity_status_changes ON activity(at, ticket_id, old_value) WHERE kind = 'status';
CREATE INDEX activity_priority_changes ON activity(at, ticket_id, old_value) WHERE kind = 'priority';

CREATE TABLE agent_tickets (
    agent_id    INTEGER NOT NULL REFERENCES agents(id),
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
    first_at    INTEGER NOT NULL,
    last_at     INTEGER NOT NULL,
    PRIMARY KEY (agent_id, ticket_id)
) WITHOUT ROWID;
CREATE INDEX agent_tickets_last ON agent_tickets(agent_id, last_at);
CREATE INDEX agent_tickets_first ON agent_tickets(agent_id, first_at);
CREATE TRIGGER agent_tickets_track AFTER INSERT ON activity WHEN new.agent_id IS NOT NULL BEGIN
    INSERT INTO agent_tickets (agent_id, ticket_id, first_at, last_at)
    VALUES (new.agent_id, new.ticket_id, new.at, new.at)
    ON CONFLICT (agent_id, ticket_id) DO UPDATE
    SET first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at);
END;
"#;

/// Fills what version 3 derives from the rows already there (after the
/// migration, or a bulk load that set the triggers aside).
pub const FILL_ANALYTICS: &str = r#"
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

/// Version 4: customer moves in the trail by an index of their own, so that
/// erasing a customer finds the moves naming them without scanning every
/// entry (10M at a million tickets: about a second, inside the erasure's
/// write transaction).
const V4_ERASURE: &str = r#"
CREATE INDEX activity_customer_moves ON activity(ticket_id) WHERE kind = 'customer';
"#;

/// Fills both search indexes from the rows already there (after a migration or
/// a bulk load that set the triggers aside).
pub const FILL_SEARCH: &str = r#"
DELETE FROM ticket_search;
INSERT INTO ticket_search(rowid, subject, customer)
SELECT t.id, t.subject, c.name || ' ' || c.email || ' ' || c.company
FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id;
INSERT INTO customer_search(customer_search) VALUES ('rebuild');
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
        for batch in *step {
            tx.execute_batch(batch)?;
        }
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
    }
}
