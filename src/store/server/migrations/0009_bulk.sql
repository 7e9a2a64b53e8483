-- Team migration 9: bulk actions. Each run is a batch, and every activity
-- entry it wrote points to it, so the trail shows the change was a bulk one.
-- Frozen once released; change the schema with a new migration.
--
-- A run is made of calls an agent may make: `bulk_begin` makes the batch,
-- `bulk_item` changes one ticket (in its own transaction: one call each),
-- through the very functions of the single changes (migration 2), only if
-- the ticket's last change is still the one the agent saw, and returns the
-- entry it wrote; `bulk_end` sets the batch's size to the tickets it
-- changed and announces the run. Which batch an entry belongs to travels
-- from `bulk_item` to `tickets.record` in the transaction's setting
-- `tickets.batch`; `record` marks an entry only with a batch of the
-- entry's own agent, so a setting made by hand can mark nothing else.
-- While a run goes, its changes are not announced one by one (thousands a
-- second, each making every other desk read its list again): `bulk_item`
-- announces when the client asks it to (a few times a second), and
-- `bulk_end` at the end.

-- One bulk run: who ran it, when, what it was (the window's label, such as
-- "set status to Waiting"; never a note's text), how many tickets it
-- changed (while it runs, how many it was asked to), and the run it undid.
CREATE TABLE tickets.bulk_batches (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agent_id    bigint NOT NULL REFERENCES tickets.agents (id),
    at          bigint NOT NULL,
    description text NOT NULL,
    size        bigint NOT NULL,
    undoes      bigint REFERENCES tickets.bulk_batches (id)
);

-- The run an entry was part of; none for a change made on its own.
ALTER TABLE tickets.activity ADD COLUMN batch_id bigint REFERENCES tickets.bulk_batches (id);
CREATE INDEX activity_batch ON tickets.activity (batch_id, ticket_id) WHERE batch_id IS NOT NULL;

-- Every entry, marked with the run it is part of, if any (see the head).
CREATE OR REPLACE FUNCTION tickets.record(p_ticket bigint, p_at bigint, p_agent bigint, p_kind text,
                                          p_ref bigint, p_old jsonb, p_new jsonb) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    INSERT INTO tickets.activity (ticket_id, at, agent_id, kind, ref_id, old_value, new_value, batch_id)
    VALUES (p_ticket, p_at, p_agent, p_kind, p_ref, p_old, p_new,
            (SELECT b.id FROM tickets.bulk_batches b
             WHERE b.id = nullif(current_setting('tickets.batch', true), '')::bigint
               AND b.agent_id = p_agent))
$$;

-- Announces a change, except one of a bulk run (see the head).
CREATE OR REPLACE FUNCTION tickets.changed() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF coalesce(current_setting('tickets.batch', true), '') = '' THEN
        PERFORM pg_notify('tickets', pg_backend_pid()::text);
    END IF;
END $$;

CREATE FUNCTION tickets.bulk_begin(p_description text, p_size bigint, p_undoes bigint, p_at bigint)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    new_id bigint;
BEGIN
    INSERT INTO tickets.bulk_batches (agent_id, at, description, size, undoes)
    VALUES (actor, p_at, p_description, p_size, p_undoes) RETURNING id INTO new_id;
    RETURN new_id;
END $$;

CREATE FUNCTION tickets.own_batch(p_batch bigint) RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1 FROM tickets.bulk_batches WHERE id = p_batch AND agent_id = tickets.me();
    IF NOT FOUND THEN
        RAISE EXCEPTION 'that bulk change is not one of yours' USING ERRCODE = 'TK403';
    END IF;
END $$;

-- One ticket of run `p_batch`, if its last change is still `p_seen`:
-- `p_change` names the single change made (status, priority, assign,
-- unassign, add_tag, remove_tag, add_note, delete_note), with its number
-- (`p_id`: a status or priority code, an agent, tag or note) or text.
-- Returns `result` 'conflict' (with the ticket's last change), 'unchanged'
-- (already so: nothing written), or 'changed' with the entry written and
-- the ticket's last change now (and the tag, for a tag added). What the
-- single change refuses is refused as it refuses it, nothing written.
CREATE FUNCTION tickets.bulk_item(p_batch bigint, p_ticket bigint, p_seen bigint, p_change text,
                                  p_id bigint, p_text text, p_at bigint, p_announce boolean,
                                  OUT result text, OUT updated_ms bigint, OUT entry_kind text,
                                  OUT entry_ref bigint, OUT entry_old text, OUT entry_new text,
                                  OUT added_tag bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t tickets.tickets;
    n tickets.notes;
    e tickets.activity;
BEGIN
    PERFORM tickets.own_batch(p_batch);
    t := tickets.locked(p_ticket);
    IF t.updated_at <> p_seen THEN
        result := 'conflict';
        updated_ms := t.updated_at;
        RETURN;
    END IF;
    PERFORM set_config('tickets.batch', p_batch::text, true);
    CASE p_change
    WHEN 'status' THEN
        PERFORM tickets.set_status(p_ticket, t.version, p_id::smallint, p_at);
    WHEN 'priority' THEN
        PERFORM tickets.set_priority(p_ticket, t.version, p_id::smallint, p_at);
    WHEN 'assign' THEN
        PERFORM tickets.assign(p_ticket, p_id, p_at);
    WHEN 'unassign' THEN
        PERFORM tickets.unassign(p_ticket, p_id, p_at);
    WHEN 'add_tag' THEN
        SELECT g.tag_id INTO added_tag FROM tickets.add_tag(p_ticket, p_text, p_at) g;
    WHEN 'remove_tag' THEN
        PERFORM tickets.remove_tag(p_ticket, p_id, p_at);
    WHEN 'add_note' THEN
        PERFORM tickets.add_note(p_ticket, p_text, p_at);
    WHEN 'delete_note' THEN
        SELECT * INTO n FROM tickets.notes WHERE id = p_id;
        IF FOUND AND n.ticket_id <> p_ticket THEN
            RAISE EXCEPTION 'that note is not on TKT-%', lpad(p_ticket::text, 6, '0')
                USING ERRCODE = 'TK403';
        END IF;
        PERFORM tickets.delete_note(p_id, p_at);
    END CASE;
    PERFORM set_config('tickets.batch', '', true);
    SELECT * INTO e FROM tickets.activity a
    WHERE a.batch_id = p_batch AND a.ticket_id = p_ticket
    ORDER BY a.id DESC LIMIT 1;
    IF NOT FOUND THEN
        result := 'unchanged';
        RETURN;
    END IF;
    result := 'changed';
    SELECT x.updated_at INTO updated_ms FROM tickets.tickets x WHERE x.id = p_ticket;
    entry_kind := e.kind;
    entry_ref := e.ref_id;
    entry_old := e.old_value::text;
    entry_new := e.new_value::text;
    IF p_announce THEN
        PERFORM pg_notify('tickets', pg_backend_pid()::text);
    END IF;
END $$;

-- Closes run `p_batch`: its size becomes the tickets it changed, and the
-- other desks hear of it.
CREATE FUNCTION tickets.bulk_end(p_batch bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM tickets.own_batch(p_batch);
    UPDATE tickets.bulk_batches
    SET size = (SELECT count(*) FROM tickets.activity a WHERE a.batch_id = p_batch)
    WHERE id = p_batch;
    PERFORM pg_notify('tickets', pg_backend_pid()::text);
END $$;

GRANT SELECT ON tickets.bulk_batches TO :agents;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA tickets FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    tickets.bulk_begin(text, bigint, bigint, bigint),
    tickets.bulk_item(bigint, bigint, bigint, text, bigint, text, bigint, boolean),
    tickets.bulk_end(bigint)
TO :agents;
