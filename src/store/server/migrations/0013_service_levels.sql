-- Team migration 13: the team's service-level policy (the file's
-- migration 10, the same row).
-- Frozen once released; change the schema with a new migration.
--
-- Agents read it; only admins change it, through tickets.set_sla_policy,
-- which other desks hear of as any change.

CREATE TABLE tickets.sla_policy (
    id          integer PRIMARY KEY CHECK (id = 1),
    definition  text NOT NULL,
    updated_by  bigint REFERENCES tickets.agents(id) ON DELETE SET NULL,
    updated_at  bigint NOT NULL
);

-- When each ticket's next target falls due, as the file keeps it (its
-- migration 10 says how). The desks work it out in Rust (domain::sla) and
-- write it through tickets.settle_due, which takes a due time only if the
-- ticket has not changed since it was read (its updated_at), and tells the
-- other desks only when a due time moved. A changed policy marks every open
-- ticket to be worked out again.
ALTER TABLE tickets.tickets ADD COLUMN due_at bigint NOT NULL DEFAULT 9223372036854775807;
ALTER TABLE tickets.tickets ADD COLUMN due_risk_at bigint NOT NULL DEFAULT 9223372036854775807;
ALTER TABLE tickets.tickets ADD COLUMN sla_stamp bigint;
CREATE INDEX tickets_due ON tickets.tickets (due_at, id);
CREATE INDEX tickets_sla_stale ON tickets.tickets (id) WHERE sla_stamp IS DISTINCT FROM updated_at;

-- Each target's due moment and whether it was met, for the analytics, as
-- the file keeps them (its migration 10 says how).
ALTER TABLE tickets.tickets ADD COLUMN first_due_at bigint;
ALTER TABLE tickets.tickets ADD COLUMN first_met smallint;
ALTER TABLE tickets.tickets ADD COLUMN resolve_due_at bigint;
ALTER TABLE tickets.tickets ADD COLUMN resolve_met smallint;
CREATE INDEX tickets_first_due ON tickets.tickets (first_due_at) WHERE first_due_at IS NOT NULL;
CREATE INDEX tickets_resolve_due ON tickets.tickets (resolve_due_at) WHERE resolve_due_at IS NOT NULL;

CREATE FUNCTION tickets.set_sla_policy(p_definition text, p_at bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t tickets.team;
BEGIN
    SELECT * INTO t FROM tickets.team;
    IF NOT pg_has_role(session_user, t.admins_role, 'MEMBER') THEN
        RAISE EXCEPTION 'only an admin of this team can change its service levels'
            USING ERRCODE = 'TK403';
    END IF;
    INSERT INTO tickets.sla_policy (id, definition, updated_by, updated_at)
    VALUES (1, p_definition, tickets.me(), p_at)
    ON CONFLICT (id) DO UPDATE
        SET definition = excluded.definition, updated_by = excluded.updated_by,
            updated_at = excluded.updated_at;
    UPDATE tickets.tickets SET sla_stamp = NULL WHERE status IN (0, 1, 2);
    PERFORM tickets.changed();
END $$;

-- Due times (and when each comes at risk) worked out for these tickets at
-- these updated_at stamps (the largest bigint: nothing due), with each
-- target's due moment and whether it was met (NULL: no such target, or not
-- known yet). Returns how many were taken.
CREATE FUNCTION tickets.settle_due(p_ids bigint[], p_dues bigint[], p_risks bigint[], p_stamps bigint[],
    p_first_dues bigint[], p_first_met smallint[], p_resolve_dues bigint[], p_resolve_met smallint[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    taken integer := 0;
    moved boolean := false;
    g record;
    was bigint;
BEGIN
    FOR g IN SELECT * FROM unnest(p_ids, p_dues, p_risks, p_stamps, p_first_dues, p_first_met,
            p_resolve_dues, p_resolve_met)
        AS x (id, due, risk, stamp, first_due, first_met, resolve_due, resolve_met) LOOP
        SELECT due_at INTO was FROM tickets.tickets
        WHERE id = g.id AND updated_at = g.stamp AND sla_stamp IS DISTINCT FROM updated_at
        FOR UPDATE;
        IF FOUND THEN
            UPDATE tickets.tickets SET due_at = g.due, due_risk_at = g.risk, sla_stamp = g.stamp,
                first_due_at = g.first_due, first_met = g.first_met,
                resolve_due_at = g.resolve_due, resolve_met = g.resolve_met
            WHERE id = g.id;
            taken := taken + 1;
            moved := moved OR was <> g.due;
        END IF;
    END LOOP;
    IF moved THEN
        PERFORM tickets.changed();
    END IF;
    RETURN taken;
END $$;

-- Tickets with nothing to work out, settled in one statement: all of them
-- while the policy promises nothing.
CREATE FUNCTION tickets.settle_no_due(p_all boolean) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    taken integer;
BEGIN
    UPDATE tickets.tickets
    SET due_at = 9223372036854775807, due_risk_at = 9223372036854775807, sla_stamp = updated_at,
        first_due_at = NULL, first_met = NULL, resolve_due_at = NULL, resolve_met = NULL
    WHERE sla_stamp IS DISTINCT FROM updated_at AND p_all;
    GET DIAGNOSTICS taken = ROW_COUNT;
    RETURN taken;
END $$;

REVOKE ALL ON FUNCTION tickets.set_sla_policy(text, bigint),
    tickets.settle_due(bigint[], bigint[], bigint[], bigint[], bigint[], smallint[], bigint[], smallint[]), tickets.settle_no_due(boolean) FROM PUBLIC;
GRANT SELECT ON tickets.sla_policy TO :agents;
GRANT EXECUTE ON FUNCTION tickets.set_sla_policy(text, bigint),
    tickets.settle_due(bigint[], bigint[], bigint[], bigint[], bigint[], smallint[], bigint[], smallint[]), tickets.settle_no_due(boolean) TO :agents;
