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

-- When each ticket's next target falls due (ms), worked out by the store
-- from the policy and the ticket's trail (domain::sla), for the list's Due
-- column, its sort and the Breached / Due-soon filters. Nothing due (no
-- target, all met, resolved, or paused while Waiting): the largest number,
-- so that the soonest sort first and "nothing due" last, with no NULLs to
-- page over. sla_stamp is the updated_at it was worked out at: a ticket
-- changed since (or never worked out: NULL) is due to be worked out again,
-- found through the partial index. due_risk_at is when that target comes
-- at risk (under a quarter of it left), the same way.
ALTER TABLE tickets ADD COLUMN due_at INTEGER NOT NULL DEFAULT 9223372036854775807;
ALTER TABLE tickets ADD COLUMN due_risk_at INTEGER NOT NULL DEFAULT 9223372036854775807;
ALTER TABLE tickets ADD COLUMN sla_stamp INTEGER;
CREATE INDEX tickets_due ON tickets(due_at, id);
CREATE INDEX tickets_sla_stale ON tickets(id) WHERE sla_stamp IS NOT updated_at;
