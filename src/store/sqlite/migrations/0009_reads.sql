-- Migration 9: when each agent last opened each ticket, for the list's
-- unread marks.
-- Frozen: files in the field were made with exactly this text. Never edit it;
-- change the schema with a new migration (schema.rs checks the text has not changed).

-- One row per agent and ticket they have opened; read_at only grows. A
-- ticket is unread for an agent when its trail holds an entry by someone
-- else after read_at (one they never opened: only if it is theirs).
CREATE TABLE ticket_reads (
    agent_id    INTEGER NOT NULL REFERENCES agents(id),
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
    read_at     INTEGER NOT NULL,
    PRIMARY KEY (agent_id, ticket_id)
) WITHOUT ROWID;
