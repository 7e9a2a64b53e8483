-- Team migration 11: when each agent last opened each ticket, for the
-- list's unread marks (the file's migration 9, the same rule).
-- Frozen once released; change the schema with a new migration.
--
-- Agents read the table; each writes only their own rows, through
-- tickets.mark_read (as tickets.me()). read_at only grows. Marking a ticket
-- read is no change to announce: only the agent's own marks move.

CREATE TABLE tickets.ticket_reads (
    agent_id    bigint NOT NULL REFERENCES tickets.agents(id),
    ticket_id   bigint NOT NULL REFERENCES tickets.tickets(id),
    read_at     bigint NOT NULL,
    PRIMARY KEY (agent_id, ticket_id)
);

CREATE FUNCTION tickets.mark_read(p_ticket bigint, p_at bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    INSERT INTO tickets.ticket_reads AS r (agent_id, ticket_id, read_at)
    VALUES (tickets.me(), p_ticket, p_at)
    ON CONFLICT (agent_id, ticket_id) DO UPDATE SET read_at = greatest(r.read_at, excluded.read_at);
$$;

GRANT SELECT ON tickets.ticket_reads TO :agents;
GRANT EXECUTE ON FUNCTION tickets.mark_read(bigint, bigint) TO :agents;
