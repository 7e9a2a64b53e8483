-- Migration 1: people, tickets and everything attached to them.
-- Frozen: files in the field were made with exactly this text. Never edit it;
-- change the schema with a new migration (schema.rs checks the text has not changed).

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
