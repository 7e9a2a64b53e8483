-- Migration 10: the team's service-level policy, kept in the file.
-- Frozen: files in the field were made with exactly this text. Never edit it;
-- change the schema with a new migration (schema.rs checks the text has not changed).

-- One row at most: the policy (targets by priority, calendar or business
-- hours, the team's calendar, whether Waiting pauses the resolution clock)
-- as JSON, kept as the text written, so a newer Tickets' policy survives
-- being read here. No row: no targets. Who changed it last, and when.
CREATE TABLE sla_policy (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    definition  TEXT NOT NULL,
    updated_by  INTEGER REFERENCES agents(id) ON DELETE SET NULL,
    updated_at  INTEGER NOT NULL
);
