-- Migration 3: what the analytics read, filled from the rows there.
-- Frozen: files in the field were made with exactly this text. Never edit it;
-- change the schema with a new migration (schema.rs checks the text has not changed).

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

-- Fill what version 3 derives from the rows already there.
UPDATE tickets SET first_reply_by = (
    SELECT m.author_id FROM messages m
    WHERE m.ticket_id = tickets.id AND m.direction = 1
    ORDER BY m.created_at, m.id LIMIT 1)
WHERE first_reply_at IS NOT NULL;
DELETE FROM agent_tickets;
INSERT INTO agent_tickets (agent_id, ticket_id, first_at, last_at)
SELECT agent_id, ticket_id, min(at), max(at) FROM activity
WHERE agent_id IS NOT NULL GROUP BY agent_id, ticket_id;
