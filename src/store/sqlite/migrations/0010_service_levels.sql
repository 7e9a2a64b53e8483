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

-- Each target's due moment and whether it was met by then, worked out with
-- due_at, for the analytics' SLA achievement (docs/METRICS.md): NULL where
-- the ticket has no such target (none for its priority, or the policy
-- promised nothing when it was worked out) or its moment is not known yet
-- (the resolution clock paused in Waiting). *_met is 1 when the reply or
-- the resolution came by the due moment, else 0.
ALTER TABLE tickets ADD COLUMN first_due_at INTEGER;
ALTER TABLE tickets ADD COLUMN first_met INTEGER;
ALTER TABLE tickets ADD COLUMN resolve_due_at INTEGER;
ALTER TABLE tickets ADD COLUMN resolve_met INTEGER;
CREATE INDEX tickets_first_due ON tickets(first_due_at) WHERE first_due_at IS NOT NULL;
CREATE INDEX tickets_resolve_due ON tickets(resolve_due_at) WHERE resolve_due_at IS NOT NULL;
