-- Team migration 17: an import's tags and assignees sent a batch at a time.
-- Frozen once released; change the schema with a new migration.
--
-- A desk sent each tag and each assignee of an imported ticket in a call of
-- its own (import_tag, import_assignee), a round trip each: most of an
-- import's time on a server. These take a batch's worth at once, written in
-- the order given, as those would be one by one; the desk sends them before
-- it reads a ticket back and at the end of the batch, in its transaction.

CREATE FUNCTION tickets.import_tags(p_ticket bigint[], p_name text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.importer();
    i integer;
BEGIN
    FOR i IN 1 .. coalesce(array_length(p_ticket, 1), 0) LOOP
        INSERT INTO tickets.ticket_tags (ticket_id, tag_id)
        VALUES (p_ticket[i], (tickets.tag_by_name(p_name[i])).id)
        ON CONFLICT DO NOTHING;
    END LOOP;
END $$;

-- Assignees of imported tickets (active or not: the source assigned them),
-- then each ticket's assignee key, once and in one statement (as
-- refresh_assignee_key works it out: the first of its agents' sort keys).
CREATE FUNCTION tickets.import_assignees(p_ticket bigint[], p_agent bigint[], p_at bigint[])
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.importer();
BEGIN
    INSERT INTO tickets.ticket_assignees (ticket_id, agent_id, assigned_at)
    SELECT u.t, u.g, u.a
    FROM unnest(p_ticket, p_agent, p_at) WITH ORDINALITY AS u(t, g, a, i)
    ORDER BY u.i
    ON CONFLICT DO NOTHING;
    UPDATE tickets.tickets t SET assignee_key = k.first
    FROM (SELECT ta.ticket_id, min(a.sort_key) AS first
          FROM tickets.ticket_assignees ta JOIN tickets.agents a ON a.id = ta.agent_id
          WHERE ta.ticket_id = ANY (p_ticket)
          GROUP BY ta.ticket_id) AS k
    WHERE t.id = k.ticket_id AND t.assignee_key IS DISTINCT FROM k.first;
END $$;

REVOKE ALL ON FUNCTION
    tickets.import_tags(bigint[], text[]),
    tickets.import_assignees(bigint[], bigint[], bigint[])
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    tickets.import_tags(bigint[], text[]),
    tickets.import_assignees(bigint[], bigint[], bigint[])
TO :agents;
