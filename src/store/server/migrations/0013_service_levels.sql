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
    PERFORM tickets.changed();
END $$;

REVOKE ALL ON FUNCTION tickets.set_sla_policy(text, bigint) FROM PUBLIC;
GRANT SELECT ON tickets.sla_policy TO :agents;
GRANT EXECUTE ON FUNCTION tickets.set_sla_policy(text, bigint) TO :agents;
