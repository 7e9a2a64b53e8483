-- Team migration 5: erasing a customer's personal data, for admins only;
-- and presence: who has which ticket open, and who is writing there.
-- Frozen once released; change the schema with a new migration.
--
-- What goes is what goes from a desk's file (src/store/erase.rs): the
-- customer's name, email, company and tags; the text of every message and
-- the description of each of their tickets; and whole-word mentions of
-- their name or email in those tickets' subjects, notes and trail, and in
-- every "moved the ticket to this customer" entry of any ticket's trail.
--
-- Which mentions are whole words is decided by the app (one function for
-- both engines, so both erase exactly the same words), and sent here as the
-- new texts. This function takes none of them on trust: each must be the
-- text as it is now with some mentions of the customer's name or email, in
-- any case, replaced by "[erased]", and nothing else changed. So an admin
-- can erase a customer, and cannot use erasing to rewrite the trail.
--
-- The trail is append-only for everyone; its row trigger is set aside for
-- these updates only, inside the transaction (ALTER TABLE takes a lock that
-- keeps every other writer of the trail waiting until the erasure commits),
-- so no other session ever sees it off.

-- Whether `p_new` is `p_old` with some mentions of `p_needles` (compared
-- case-insensitively) replaced by "[erased]" and nothing else changed,
-- except that a cut text (`p_may_cut`, subjects have a length limit) may end
-- early.
CREATE FUNCTION tickets.is_erasure_of(p_old text, p_new text, p_needles text[], p_may_cut boolean)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    i integer := 1;
    j integer := 1;
    old_len integer := length(p_old);
    new_len integer := length(p_new);
    needle text;
    matched boolean;
BEGIN
    IF p_old = p_new THEN
        RETURN false;
    END IF;
    LOOP
        IF j > new_len THEN
            RETURN i > old_len OR p_may_cut;
        END IF;
        matched := false;
        IF substr(p_new, j, 8) = '[erased]' THEN
            FOREACH needle IN ARRAY p_needles LOOP
                IF length(needle) > 0
                   AND lower(substr(p_old, i, length(needle))) = lower(needle) THEN
                    i := i + length(needle);
                    j := j + 8;
                    matched := true;
                    EXIT;
                END IF;
            END LOOP;
        END IF;
        IF NOT matched THEN
            IF i > old_len OR substr(p_old, i, 1) <> substr(p_new, j, 1) THEN
                RETURN false;
            END IF;
            i := i + 1;
            j := j + 1;
        END IF;
    END LOOP;
END $$;

CREATE FUNCTION tickets.not_an_erasure(p_what text, p_id bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'the % % changed while the customer was being erased, or its new text is not an erasure of it; nothing was erased: erase again', p_what, p_id
        USING ERRCODE = 'TK403';
END $$;

-- Erases customer `p_customer`, whose name and email the app read as
-- `p_name` and `p_email` (if they changed since, nothing is erased).
-- `p_edits` holds the app's redacted texts:
--   {"subjects": [[ticket, text]...], "notes": [[note, text]...],
--    "trail": [[entry, "old" | "new", text]...]}.
-- Returns the tickets whose text changed (each gets one "erased the
-- customer's personal data" entry, stored without an agent: it is
-- bookkeeping, not an agent's event) and how many messages were erased.
CREATE FUNCTION tickets.erase_customer(p_customer bigint, p_name text, p_email text,
                                       p_sort_key text, p_edits jsonb, p_at bigint,
                                       OUT changed_tickets bigint[], OUT erased_messages bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    actor_name text := (SELECT name FROM tickets.agents WHERE id = actor);
    c tickets.customers;
    new_name text := 'Erased customer #' || p_customer;
    needles text[];
    record_changed boolean;
    changed bigint[] := '{}';
    ticket bigint;
    n bigint;
    edit jsonb;
    old_text text;
    owner bigint;
    entry tickets.activity;
    trail_edits jsonb := '[]';
BEGIN
    IF NOT pg_has_role(session_user, (SELECT admins_role FROM tickets.team), 'MEMBER') THEN
        RAISE EXCEPTION 'only an admin of this team can erase a customer''s data (% is not one)', session_user
            USING ERRCODE = 'TK403';
    END IF;
    SELECT * INTO c FROM tickets.customers WHERE id = p_customer FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM tickets.missing('customer', p_customer);
    END IF;
    IF c.name <> p_name OR c.email <> p_email THEN
        PERFORM tickets.not_an_erasure('customer', p_customer);
    END IF;
    needles := ARRAY(SELECT x FROM unnest(ARRAY[c.name, c.email]) AS x
                     WHERE x <> '' AND x <> new_name);
    erased_messages := 0;

    record_changed := c.name <> new_name OR c.email <> '' OR c.company <> '';
    IF record_changed THEN
        UPDATE tickets.customers
        SET name = new_name, sort_key = p_sort_key, email = '', company = '', updated_at = p_at
        WHERE id = p_customer;
        UPDATE tickets.tickets SET customer_key = p_sort_key WHERE customer_id = p_customer;
    END IF;
    DELETE FROM tickets.customer_tags WHERE customer_id = p_customer;
    IF FOUND THEN
        record_changed := true;
    END IF;

    -- Their tickets, locked: messages and descriptions go whole.
    FOR ticket IN SELECT id FROM tickets.tickets WHERE customer_id = p_customer
                  ORDER BY id FOR UPDATE LOOP
        UPDATE tickets.messages SET body = '[erased]'
        WHERE ticket_id = ticket AND body <> '[erased]';
        GET DIAGNOSTICS n = ROW_COUNT;
        erased_messages := erased_messages + n;
        UPDATE tickets.tickets SET description = '[erased]'
        WHERE id = ticket AND description NOT IN ('', '[erased]');
        IF record_changed OR n > 0 OR FOUND THEN
            changed := changed || ticket;
        END IF;
    END LOOP;

    -- Mentions in subjects and notes, as the app redacted them.
    FOR edit IN SELECT * FROM jsonb_array_elements(coalesce(p_edits -> 'subjects', '[]')) LOOP
        ticket := (edit ->> 0)::bigint;
        SELECT subject INTO old_text FROM tickets.tickets
        WHERE id = ticket AND customer_id = p_customer;
        IF NOT FOUND OR NOT tickets.is_erasure_of(old_text, edit ->> 1, needles, true) THEN
            PERFORM tickets.not_an_erasure('subject of ticket', ticket);
        END IF;
        UPDATE tickets.tickets SET subject = edit ->> 1 WHERE id = ticket;
        changed := changed || ticket;
    END LOOP;
    FOR edit IN SELECT * FROM jsonb_array_elements(coalesce(p_edits -> 'notes', '[]')) LOOP
        SELECT nt.body, nt.ticket_id INTO old_text, owner
        FROM tickets.notes nt JOIN tickets.tickets t ON t.id = nt.ticket_id
        WHERE nt.id = (edit ->> 0)::bigint AND t.customer_id = p_customer
        FOR UPDATE OF nt;
        IF NOT FOUND OR NOT tickets.is_erasure_of(old_text, edit ->> 1, needles, false) THEN
            PERFORM tickets.not_an_erasure('note', (edit ->> 0)::bigint);
        END IF;
        UPDATE tickets.notes SET body = edit ->> 1, updated_at = p_at, version = version + 1
        WHERE id = (edit ->> 0)::bigint;
        changed := changed || owner;
    END LOOP;

    -- The trail: subjects and deleted notes' text on their tickets, checked
    -- like the rest; "moved to / from this customer" on any ticket.
    FOR edit IN SELECT * FROM jsonb_array_elements(coalesce(p_edits -> 'trail', '[]')) LOOP
        SELECT a.* INTO entry FROM tickets.activity a JOIN tickets.tickets t ON t.id = a.ticket_id
        WHERE a.id = (edit ->> 0)::bigint AND t.customer_id = p_customer
          AND a.kind IN ('subject', 'note_deleted');
        old_text := CASE edit ->> 1 WHEN 'old' THEN entry.old_value #>> '{}'
                                    WHEN 'new' THEN entry.new_value #>> '{}' END;
        IF entry.id IS NULL OR old_text IS NULL
           OR NOT tickets.is_erasure_of(old_text, edit ->> 2, needles, false) THEN
            PERFORM tickets.not_an_erasure('activity entry', (edit ->> 0)::bigint);
        END IF;
        trail_edits := trail_edits || jsonb_build_array(edit);
        changed := changed || entry.ticket_id;
    END LOOP;
    IF c.name <> new_name THEN
        FOR entry IN SELECT * FROM tickets.activity
                     WHERE kind = 'customer'
                       AND (old_value = to_jsonb(c.name) OR new_value = to_jsonb(c.name)) LOOP
            IF entry.old_value = to_jsonb(c.name) THEN
                trail_edits := trail_edits || jsonb_build_array(jsonb_build_array(entry.id, 'old', new_name));
            END IF;
            IF entry.new_value = to_jsonb(c.name) THEN
                trail_edits := trail_edits || jsonb_build_array(jsonb_build_array(entry.id, 'new', new_name));
            END IF;
            changed := changed || entry.ticket_id;
        END LOOP;
    END IF;
    IF jsonb_array_length(trail_edits) > 0 THEN
        ALTER TABLE tickets.activity DISABLE TRIGGER activity_append_only_row;
        FOR edit IN SELECT * FROM jsonb_array_elements(trail_edits) LOOP
            IF edit ->> 1 = 'old' THEN
                UPDATE tickets.activity SET old_value = to_jsonb(edit ->> 2) WHERE id = (edit ->> 0)::bigint;
            ELSE
                UPDATE tickets.activity SET new_value = to_jsonb(edit ->> 2) WHERE id = (edit ->> 0)::bigint;
            END IF;
        END LOOP;
        ALTER TABLE tickets.activity ENABLE TRIGGER activity_append_only_row;
    END IF;

    changed_tickets := ARRAY(SELECT DISTINCT x FROM unnest(changed) AS x ORDER BY x);
    FOREACH ticket IN ARRAY changed_tickets LOOP
        PERFORM tickets.touch(ticket, p_at, true);
        PERFORM tickets.record(ticket, p_at, NULL, 'customer_erased', actor, NULL, to_jsonb(actor_name));
    END LOOP;
    PERFORM tickets.changed();
END $$;

-- Presence: each desk says which ticket it has open and what its agent is
-- doing there (0 reading, 1 replying, 2 writing a note), keyed by its
-- connection; a connection that ends takes its row with it (rows of ended
-- connections are skipped when read and swept when written). Unlogged: it
-- is not data, and a server restart may forget it. Announced on the channel
-- `tickets_presence` (payload: the backend pid), apart from `tickets`, so
-- other desks read presence again without reading every ticket again.
CREATE UNLOGGED TABLE tickets.presence (
    pid       integer PRIMARY KEY,
    agent_id  bigint NOT NULL,
    ticket_id bigint NOT NULL,
    doing     smallint NOT NULL,
    since     bigint NOT NULL
);

-- The connection's ticket and what its agent does there; NULL: none.
CREATE FUNCTION tickets.present(p_ticket bigint, p_doing smallint, p_at bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
BEGIN
    DELETE FROM tickets.presence
    WHERE pid NOT IN (SELECT pid FROM pg_stat_activity WHERE pid IS NOT NULL);
    IF p_ticket IS NULL THEN
        DELETE FROM tickets.presence WHERE pid = pg_backend_pid();
    ELSE
        INSERT INTO tickets.presence (pid, agent_id, ticket_id, doing, since)
        VALUES (pg_backend_pid(), actor, p_ticket, p_doing, p_at)
        ON CONFLICT (pid) DO UPDATE
        SET agent_id = excluded.agent_id, ticket_id = excluded.ticket_id,
            doing = excluded.doing, since = excluded.since;
    END IF;
    PERFORM pg_notify('tickets_presence', pg_backend_pid()::text);
END $$;

-- The other agents at tickets now: one row per agent and ticket, the
-- busiest of their desks' (writing before reading).
CREATE FUNCTION tickets.others_present()
RETURNS TABLE (agent_id bigint, name text, ticket_id bigint, doing smallint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT p.agent_id, a.name, p.ticket_id, max(p.doing)
    FROM tickets.presence p JOIN tickets.agents a ON a.id = p.agent_id
    WHERE p.pid IN (SELECT pid FROM pg_stat_activity WHERE pid IS NOT NULL)
      AND p.agent_id IS DISTINCT FROM tickets.current_agent()
    GROUP BY p.agent_id, a.name, a.sort_key, p.ticket_id
    ORDER BY p.ticket_id, a.sort_key, p.agent_id
$$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA tickets FROM PUBLIC;
-- Any agent may call these; erase_customer refuses all but admins, in a sentence.
GRANT EXECUTE ON FUNCTION tickets.erase_customer(bigint, text, text, text, jsonb, bigint),
    tickets.present(bigint, smallint, bigint), tickets.others_present() TO :agents;
