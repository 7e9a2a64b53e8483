-- Team migration 12: how many tickets have each status, assigned or not,
-- and how many each agent has in each status, kept as tickets change: the
-- views' counts ("My open", "Unassigned", "All tickets"…) read a few rows
-- instead of a million tickets.
-- Frozen once released; change the schema with a new migration.
--
-- The tallies are append-only: every change adds rows of +1 and -1, and a
-- count is their sum. One counter row per status would make every writer
-- wait for the one before it (and two bulk runs could deadlock on two
-- statuses). tickets.fold_tallies, run by a reader that found many rows,
-- sums them into one row per key; one fold runs at a time, and rows added
-- meanwhile stay for the next.
--
-- "Unassigned" is assignee_key IS NULL: that column names the ticket's
-- first assignee (migration 2's refresh_assignee_key), NULL when none.
-- Tickets are never deleted while assigned (ticket_assignees' foreign key
-- has no cascade), so an assignment's row always finds its ticket.

CREATE TABLE tickets.ticket_tally (
    status      smallint NOT NULL,
    unassigned  boolean NOT NULL,
    n           bigint NOT NULL
);

CREATE TABLE tickets.assignee_tally (
    agent_id    bigint NOT NULL,
    status      smallint NOT NULL,
    n           bigint NOT NULL
);

-- Both tallies counted again from the tickets (this migration, and a desk
-- moved in, which turns the triggers off while its rows go in).
CREATE FUNCTION tickets.recount_tallies() RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    DELETE FROM tickets.ticket_tally;
    DELETE FROM tickets.assignee_tally;
    INSERT INTO tickets.ticket_tally (status, unassigned, n)
    SELECT status, assignee_key IS NULL, count(*) FROM tickets.tickets GROUP BY 1, 2;
    INSERT INTO tickets.assignee_tally (agent_id, status, n)
    SELECT a.agent_id, t.status, count(*)
    FROM tickets.ticket_assignees a JOIN tickets.tickets t ON t.id = a.ticket_id
    GROUP BY 1, 2;
$$;

-- Inserted tickets (one by one, or many in one statement) are counted per
-- statement, from the statement's rows.
CREATE FUNCTION tickets.tally_inserted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO tickets.ticket_tally (status, unassigned, n)
    SELECT status, assignee_key IS NULL, count(*) FROM added GROUP BY 1, 2;
    RETURN NULL;
END $$;
CREATE TRIGGER ticket_tally_insert AFTER INSERT ON tickets.tickets
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION tickets.tally_inserted();

CREATE FUNCTION tickets.tally_deleted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO tickets.ticket_tally (status, unassigned, n)
    SELECT status, assignee_key IS NULL, -count(*) FROM gone GROUP BY 1, 2;
    RETURN NULL;
END $$;
CREATE TRIGGER ticket_tally_delete AFTER DELETE ON tickets.tickets
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION tickets.tally_deleted();

-- A changed ticket moves from one count to another only when its status or
-- whether it has an assignee changed: most changes (a note, a priority, a
-- second assignee, an agent renamed) fire nothing.
CREATE FUNCTION tickets.tally_moved() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO tickets.ticket_tally (status, unassigned, n)
    VALUES (OLD.status, OLD.assignee_key IS NULL, -1),
           (NEW.status, NEW.assignee_key IS NULL, 1);
    IF OLD.status <> NEW.status THEN
        INSERT INTO tickets.assignee_tally (agent_id, status, n)
        SELECT agent_id, s.status, s.n
        FROM tickets.ticket_assignees,
             (VALUES (OLD.status, -1), (NEW.status, 1)) AS s (status, n)
        WHERE ticket_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER ticket_tally_update AFTER UPDATE OF status, assignee_key ON tickets.tickets
    FOR EACH ROW
    WHEN (OLD.status <> NEW.status
          OR (OLD.assignee_key IS NULL) <> (NEW.assignee_key IS NULL))
    EXECUTE FUNCTION tickets.tally_moved();

-- Assignments added and taken off, counted under their ticket's status.
CREATE FUNCTION tickets.tally_assigned() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO tickets.assignee_tally (agent_id, status, n)
    SELECT a.agent_id, t.status, count(*)
    FROM added a JOIN tickets.tickets t ON t.id = a.ticket_id GROUP BY 1, 2;
    RETURN NULL;
END $$;
CREATE TRIGGER assignee_tally_insert AFTER INSERT ON tickets.ticket_assignees
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION tickets.tally_assigned();

CREATE FUNCTION tickets.tally_unassigned() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO tickets.assignee_tally (agent_id, status, n)
    SELECT a.agent_id, t.status, -count(*)
    FROM gone a JOIN tickets.tickets t ON t.id = a.ticket_id GROUP BY 1, 2;
    RETURN NULL;
END $$;
CREATE TRIGGER assignee_tally_delete AFTER DELETE ON tickets.ticket_assignees
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION tickets.tally_unassigned();

CREATE FUNCTION tickets.tally_reassigned() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO tickets.assignee_tally (agent_id, status, n)
    SELECT a.agent_id, t.status, -count(*)
    FROM gone a JOIN tickets.tickets t ON t.id = a.ticket_id GROUP BY 1, 2;
    INSERT INTO tickets.assignee_tally (agent_id, status, n)
    SELECT a.agent_id, t.status, count(*)
    FROM added a JOIN tickets.tickets t ON t.id = a.ticket_id GROUP BY 1, 2;
    RETURN NULL;
END $$;
CREATE TRIGGER assignee_tally_update AFTER UPDATE ON tickets.ticket_assignees
    REFERENCING OLD TABLE AS gone NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION tickets.tally_reassigned();

-- The triggers exist (and hold writers off until this commits) before the
-- tickets are counted: no ticket is missed or counted twice.
SELECT tickets.recount_tallies();

CREATE FUNCTION tickets.fold_tallies() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    -- Another fold under way does the work.
    IF NOT pg_try_advisory_xact_lock(hashtext('tickets.fold_tallies')) THEN
        RETURN;
    END IF;
    WITH gone AS (DELETE FROM tickets.ticket_tally RETURNING status, unassigned, n)
    INSERT INTO tickets.ticket_tally (status, unassigned, n)
    SELECT status, unassigned, sum(n) FROM gone GROUP BY 1, 2 HAVING sum(n) <> 0;
    WITH gone AS (DELETE FROM tickets.assignee_tally RETURNING agent_id, status, n)
    INSERT INTO tickets.assignee_tally (agent_id, status, n)
    SELECT agent_id, status, sum(n) FROM gone GROUP BY 1, 2 HAVING sum(n) <> 0;
END $$;

-- Agents read the tallies and may fold them; nothing else here is theirs.
REVOKE ALL ON FUNCTION tickets.recount_tallies(), tickets.tally_inserted(), tickets.tally_deleted(),
    tickets.tally_moved(), tickets.tally_assigned(), tickets.tally_unassigned(),
    tickets.tally_reassigned(), tickets.fold_tallies() FROM PUBLIC;
GRANT SELECT ON tickets.ticket_tally, tickets.assignee_tally TO :agents;
GRANT EXECUTE ON FUNCTION tickets.fold_tallies() TO :agents;
