-- Team migration 16: tickets imported from other help desks (the file's
-- migration 13, the same tables).
-- Frozen once released; change the schema with a new migration.
--
-- ticket_refs keeps each imported ticket's id in the help desk it came
-- from (its source: 'zendesk', 'freshdesk', 'osticket', 'helpscout' or
-- 'csv:<mapping name>'), so importing the same source again updates the
-- ticket instead of making another, and the list's search finds it by that
-- id. import_checkpoints keeps the last source line of an import whose
-- batch committed, written in the batch's transaction, so a cancelled or
-- failed import goes on after it.
--
-- An import writes history as it happened elsewhere: messages, notes and
-- status changes by other agents, at their own times. Only an admin may do
-- that, so every function below checks that the caller is one (TK403
-- otherwise). A desk works out what to write (the store's `import` module,
-- shared with the file) and calls them in one transaction per batch; each
-- writes one row and its derived columns (the trail's entries, a ticket's
-- at a time), and the batch's last call (tickets.import_checkpoint)
-- announces the change to the other desks.

CREATE TABLE tickets.ticket_refs (
    source      text NOT NULL,
    external_id text NOT NULL,
    ticket_id   bigint NOT NULL REFERENCES tickets.tickets (id),
    PRIMARY KEY (source, external_id)
);
CREATE INDEX ticket_refs_ticket ON tickets.ticket_refs (ticket_id);
CREATE INDEX ticket_refs_external ON tickets.ticket_refs (external_id);
GRANT SELECT ON tickets.ticket_refs TO :agents;

CREATE TABLE tickets.import_checkpoints (
    import_key  text PRIMARY KEY,
    line        bigint NOT NULL,
    agent_id    bigint REFERENCES tickets.agents (id),
    at          bigint NOT NULL
);
GRANT SELECT ON tickets.import_checkpoints TO :agents;

-- The acting agent, who must be an admin (a desk asks before a dry run, so
-- that it refuses as the import would).
CREATE FUNCTION tickets.importer() RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    t tickets.team;
BEGIN
    SELECT * INTO t FROM tickets.team;
    IF NOT pg_has_role(session_user, t.admins_role, 'MEMBER') THEN
        RAISE EXCEPTION 'only an admin of this team can import tickets, since an import writes other agents'' replies and changes into the history'
            USING ERRCODE = 'TK403';
    END IF;
    RETURN actor;
END $$;

-- An agent the import met (by email, else by name) and the team lacked.
CREATE FUNCTION tickets.import_agent(p_name text, p_sort_key text, p_email text, p_at bigint)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.importer();
    new_id bigint;
BEGIN
    INSERT INTO tickets.agents (name, sort_key, email, created_at)
    VALUES (p_name, p_sort_key, p_email, p_at) RETURNING id INTO new_id;
    RETURN new_id;
END $$;

-- A customer the import met and the team lacked.
CREATE FUNCTION tickets.import_customer(p_name text, p_sort_key text, p_email text,
                                        p_company text, p_at bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.importer();
    new_id bigint;
BEGIN
    INSERT INTO tickets.customers (name, sort_key, email, company, created_at, updated_at)
    VALUES (p_name, p_sort_key, p_email, p_company, p_at, p_at) RETURNING id INTO new_id;
    RETURN new_id;
END $$;

-- A ticket as the source had it: made (p_ticket NULL; returns its number,
-- its reference to the source kept) or its fields and moments set (a field
-- edit: the version moves on). Either way its due times are worked out
-- again (sla_stamp cleared). Creation times queue as create_ticket's do.
CREATE FUNCTION tickets.import_ticket(p_ticket bigint, p_source text, p_external text,
                                      p_subject text, p_description text, p_status smallint,
                                      p_priority smallint, p_customer bigint, p_created bigint,
                                      p_updated bigint, p_first_reply_at bigint,
                                      p_first_reply_by bigint, p_resolved_at bigint,
                                      p_resolved_by bigint, p_closed_at bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.importer();
    c tickets.customers;
    newest bigint;
    new_id bigint;
BEGIN
    IF p_customer IS NOT NULL THEN
        c := tickets.customer_name(p_customer);
    END IF;
    IF p_ticket IS NULL THEN
        PERFORM pg_advisory_xact_lock(7450101);
        SELECT max(created_at) INTO newest FROM tickets.tickets;
        IF newest > p_created THEN
            RAISE EXCEPTION 'the team has tickets created after this one, so its number would break creation order'
                USING ERRCODE = 'TK403';
        END IF;
        INSERT INTO tickets.tickets (subject, description, status, priority, customer_id,
                                     created_at, updated_at, customer_key, first_reply_at,
                                     first_reply_by, resolved_at, resolved_by, closed_at)
        VALUES (p_subject, p_description, p_status, p_priority, p_customer, p_created,
                p_updated, c.sort_key, p_first_reply_at, p_first_reply_by, p_resolved_at,
                p_resolved_by, p_closed_at)
        RETURNING id INTO new_id;
        INSERT INTO tickets.ticket_refs (source, external_id, ticket_id)
        VALUES (p_source, p_external, new_id);
        RETURN new_id;
    END IF;
    PERFORM tickets.locked(p_ticket);
    UPDATE tickets.tickets
    SET subject = p_subject, description = p_description, status = p_status,
        priority = p_priority, customer_id = p_customer, customer_key = c.sort_key,
        updated_at = greatest(updated_at, p_updated), version = version + 1,
        first_reply_at = p_first_reply_at, first_reply_by = p_first_reply_by,
        resolved_at = p_resolved_at, resolved_by = p_resolved_by, closed_at = p_closed_at,
        sla_stamp = NULL
    WHERE id = p_ticket;
    RETURN p_ticket;
END $$;

-- One tag on an imported ticket (made if new).
CREATE FUNCTION tickets.import_tag(p_ticket bigint, p_name text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.importer();
    g tickets.tags := tickets.tag_by_name(p_name);
BEGIN
    INSERT INTO tickets.ticket_tags (ticket_id, tag_id) VALUES (p_ticket, g.id)
    ON CONFLICT DO NOTHING;
END $$;

-- An assignee of an imported ticket (active or not: the source assigned them).
CREATE FUNCTION tickets.import_assignee(p_ticket bigint, p_agent bigint, p_at bigint)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.importer();
BEGIN
    INSERT INTO tickets.ticket_assignees (ticket_id, agent_id, assigned_at)
    VALUES (p_ticket, p_agent, p_at) ON CONFLICT DO NOTHING;
    PERFORM tickets.refresh_assignee_key(p_ticket);
END $$;

-- A message of an imported ticket's conversation, by its own author at its own time.
CREATE FUNCTION tickets.import_message(p_ticket bigint, p_direction smallint, p_author bigint,
                                       p_body text, p_at bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.importer();
    message bigint;
BEGIN
    INSERT INTO tickets.messages (ticket_id, direction, author_id, body, created_at)
    VALUES (p_ticket, p_direction, p_author, p_body, p_at) RETURNING id INTO message;
    RETURN message;
END $$;

-- An internal note of an imported ticket, by its own author at its own time.
CREATE FUNCTION tickets.import_note(p_ticket bigint, p_author bigint, p_body text, p_at bigint)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.importer();
    note bigint;
BEGIN
    INSERT INTO tickets.notes (ticket_id, author_id, body, created_at, updated_at)
    VALUES (p_ticket, p_author, p_body, p_at, p_at) RETURNING id INTO note;
    RETURN note;
END $$;

-- Entries of imported tickets' trails, in the order given (a desk sends a
-- ticket's entries together, each by whoever the source says made it, NULL:
-- nobody known, at its own time; old and new values as JSON text).
CREATE FUNCTION tickets.import_records(p_ticket bigint[], p_at bigint[], p_agent bigint[],
                                       p_kind text[], p_ref bigint[], p_old text[],
                                       p_new text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.importer();
BEGIN
    INSERT INTO tickets.activity (ticket_id, at, agent_id, kind, ref_id, old_value, new_value)
    SELECT u.t, u.a, u.g, u.k, u.r, u.o::jsonb, u.n::jsonb
    FROM unnest(p_ticket, p_at, p_agent, p_kind, p_ref, p_old, p_new)
         WITH ORDINALITY AS u(t, a, g, k, r, o, n, i)
    ORDER BY u.i;
END $$;

-- Where the import `p_key` stands (NULL p_line: it finished, so nothing is
-- kept), written last in each batch's transaction; tells the other desks.
CREATE FUNCTION tickets.import_checkpoint(p_key text, p_line bigint, p_at bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.importer();
BEGIN
    IF p_line IS NULL THEN
        DELETE FROM tickets.import_checkpoints WHERE import_key = p_key;
    ELSE
        INSERT INTO tickets.import_checkpoints (import_key, line, agent_id, at)
        VALUES (p_key, p_line, actor, p_at)
        ON CONFLICT (import_key) DO UPDATE
        SET line = excluded.line, agent_id = excluded.agent_id, at = excluded.at;
    END IF;
    PERFORM tickets.changed();
END $$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA tickets FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    tickets.importer(),
    tickets.import_agent(text, text, text, bigint),
    tickets.import_customer(text, text, text, text, bigint),
    tickets.import_ticket(bigint, text, text, text, text, smallint, smallint, bigint, bigint,
                          bigint, bigint, bigint, bigint, bigint, bigint),
    tickets.import_tag(bigint, text),
    tickets.import_assignee(bigint, bigint, bigint),
    tickets.import_message(bigint, smallint, bigint, text, bigint),
    tickets.import_note(bigint, bigint, text, bigint),
    tickets.import_records(bigint[], bigint[], bigint[], text[], bigint[], text[], text[]),
    tickets.import_checkpoint(text, bigint, bigint)
TO :agents;
