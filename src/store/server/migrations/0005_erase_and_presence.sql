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
-- The server works every new text out itself (tickets.redact, the file's
-- rule in SQL): an admin erases a customer by naming them, and nothing
-- else, so erasing cannot be used to rewrite anything. The erase tests run
-- on both engines and check the same words go.
--
-- The trail is append-only for everyone; its row trigger is set aside for
-- these updates only, inside the transaction (ALTER TABLE takes a lock that
-- keeps every other writer of the trail waiting until the erasure commits),
-- so no other session ever sees it off.

-- `p_text` with every whole-word mention of each of `p_needles` in turn, in
-- any case, replaced by "[erased]". A mention stands between characters
-- that are not letters or digits (Unicode's, through ICU, whatever the
-- database's own locale), as `store::erase::redact` decides on a file.
CREATE FUNCTION tickets.redact(p_text text, p_needles text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    needle text;
    result text COLLATE "und-x-icu" := p_text;
BEGIN
    FOREACH needle IN ARRAY p_needles LOOP
        CONTINUE WHEN coalesce(needle, '') = '';
        -- Every character that is not a letter or digit is escaped: the
        -- needle is matched literally.
        needle := regexp_replace(needle COLLATE "und-x-icu", '([^[:alnum:]])', '\\\1', 'g');
        result := regexp_replace(
            result,
            '(?<![[:alnum:]])' || needle || '(?![[:alnum:]])',
            '[erased]',
            'gi'
        );
    END LOOP;
    RETURN result;
END $$;

-- Erases customer `p_customer` (see the head of this file), recording
-- it in the trail of each ticket whose text changed: one "erased the
-- customer's personal data" entry, stored without an agent (bookkeeping,
-- not an agent's event). Returns those tickets and how many messages were
-- erased.
CREATE FUNCTION tickets.erase_customer(p_customer bigint, p_at bigint,
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
    entry tickets.activity;
    old_text text;
    new_text text;
    trail_edits jsonb := '[]';
    edit jsonb;
BEGIN
    IF NOT pg_has_role(session_user, (SELECT admins_role FROM tickets.team), 'MEMBER') THEN
        RAISE EXCEPTION 'only an admin of this team can erase a customer''s data (% is not one)', session_user
            USING ERRCODE = 'TK403';
    END IF;
    -- No ticket is raised for or moved to the customer meanwhile.
    LOCK TABLE tickets.tickets IN SHARE ROW EXCLUSIVE MODE;
    SELECT * INTO c FROM tickets.customers WHERE id = p_customer FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM tickets.missing('customer', p_customer);
    END IF;
    needles := ARRAY(SELECT x FROM unnest(ARRAY[c.name, c.email]) AS x
                     WHERE x <> '' AND x <> new_name);
    erased_messages := 0;

    record_changed := c.name <> new_name OR c.email <> '' OR c.company <> '';
    IF record_changed THEN
        UPDATE tickets.customers
        SET name = new_name, sort_key = lower(new_name COLLATE "und-x-icu"), email = '',
            company = '', updated_at = p_at
        WHERE id = p_customer;
        UPDATE tickets.tickets SET customer_key = lower(new_name COLLATE "und-x-icu")
        WHERE customer_id = p_customer;
    END IF;
    DELETE FROM tickets.customer_tags WHERE customer_id = p_customer;
    IF FOUND THEN
        record_changed := true;
    END IF;

    FOR ticket IN SELECT id FROM tickets.tickets WHERE customer_id = p_customer ORDER BY id LOOP
        -- Messages and the description go whole.
        UPDATE tickets.messages SET body = '[erased]'
        WHERE ticket_id = ticket AND body <> '[erased]';
        GET DIAGNOSTICS n = ROW_COUNT;
        erased_messages := erased_messages + n;
        UPDATE tickets.tickets SET description = '[erased]'
        WHERE id = ticket AND description NOT IN ('', '[erased]');
        IF record_changed OR n > 0 OR FOUND THEN
            changed := changed || ticket;
        END IF;
        -- Mentions in the subject (kept within its 200 characters) and notes.
        SELECT subject INTO old_text FROM tickets.tickets WHERE id = ticket;
        new_text := left(tickets.redact(old_text, needles), 200);
        IF new_text <> old_text THEN
            UPDATE tickets.tickets SET subject = new_text WHERE id = ticket;
            changed := changed || ticket;
        END IF;
        UPDATE tickets.notes
        SET body = tickets.redact(body, needles), updated_at = p_at, version = version + 1
        WHERE ticket_id = ticket AND tickets.redact(body, needles) <> body;
        IF FOUND THEN
            changed := changed || ticket;
        END IF;
        -- And in the trail: subjects and deleted notes' text.
        FOR entry IN SELECT * FROM tickets.activity
                     WHERE ticket_id = ticket AND kind IN ('subject', 'note_deleted') LOOP
            FOREACH edit IN ARRAY ARRAY[
                jsonb_build_array(entry.id, 'old', entry.old_value #>> '{}'),
                jsonb_build_array(entry.id, 'new', entry.new_value #>> '{}')] LOOP
                old_text := edit ->> 2;
                CONTINUE WHEN old_text IS NULL;
                new_text := tickets.redact(old_text, needles);
                IF new_text <> old_text THEN
                    trail_edits := trail_edits
                        || jsonb_build_array(jsonb_build_array(entry.id, edit ->> 1, new_text));
                    changed := changed || ticket;
                END IF;
            END LOOP;
        END LOOP;
    END LOOP;

    -- "Moved the ticket from Ann Lee to …" keeps names only, and the ticket
    -- may belong to someone else now: every ticket's trail is looked at.
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
                UPDATE tickets.activity SET old_value = to_jsonb(edit ->> 2)
                WHERE id = (edit ->> 0)::bigint;
            ELSE
                UPDATE tickets.activity SET new_value = to_jsonb(edit ->> 2)
                WHERE id = (edit ->> 0)::bigint;
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

-- Presence: each desk (a random id per connection to the store, kept
-- across reconnections) says which ticket it has open and what its agent is
-- doing there (0 reading, 1 replying, 2 writing a note). A row counts while
-- the connection that wrote it is alive and it was said again within a
-- minute (desks say it every 20 seconds): a desk that closed, crashed or
-- lost its network leaves by itself. Unlogged: it is not data, and a
-- server restart may forget it. Announced on the channel
-- `tickets_presence` (payload: the backend pid) when it changes, apart
-- from `tickets`, so other desks read presence again without reading
-- every ticket again.
CREATE UNLOGGED TABLE tickets.presence (
    desk      text PRIMARY KEY,
    pid       integer NOT NULL,
    agent_id  bigint NOT NULL,
    ticket_id bigint NOT NULL,
    doing     smallint NOT NULL,
    seen      timestamptz NOT NULL
);

-- Whether a presence row still stands.
CREATE FUNCTION tickets.present_now(p tickets.presence) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT p.seen > now() - interval '1 minute'
       AND p.pid IN (SELECT pid FROM pg_stat_activity WHERE pid IS NOT NULL)
$$;

-- Desk `p_desk` has ticket `p_ticket` open (NULL: none), its agent doing
-- `p_doing` there; said again, it only keeps the row alive.
CREATE FUNCTION tickets.present(p_desk text, p_ticket bigint, p_doing smallint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    was tickets.presence;
BEGIN
    DELETE FROM tickets.presence p WHERE NOT tickets.present_now(p);
    SELECT * INTO was FROM tickets.presence WHERE desk = p_desk;
    IF was.desk IS NOT NULL AND was.agent_id <> actor THEN
        RETURN;
    END IF;
    IF p_ticket IS NULL THEN
        DELETE FROM tickets.presence WHERE desk = p_desk;
    ELSE
        INSERT INTO tickets.presence (desk, pid, agent_id, ticket_id, doing, seen)
        VALUES (p_desk, pg_backend_pid(), actor, p_ticket, p_doing, now())
        ON CONFLICT (desk) DO UPDATE
        SET pid = excluded.pid, ticket_id = excluded.ticket_id, doing = excluded.doing,
            seen = excluded.seen;
    END IF;
    IF was.desk IS NULL AND p_ticket IS NULL
       OR was.ticket_id IS NOT DISTINCT FROM p_ticket AND was.doing = p_doing THEN
        RETURN;
    END IF;
    PERFORM pg_notify('tickets_presence', pg_backend_pid()::text);
END $$;

-- The other agents at tickets now: one row per agent and ticket, the
-- busiest of their desks' (replying, then writing a note, then reading).
CREATE FUNCTION tickets.others_present()
RETURNS TABLE (agent_id bigint, name text, ticket_id bigint, doing smallint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT DISTINCT ON (p.ticket_id, a.sort_key, p.agent_id)
           p.agent_id, a.name, p.ticket_id, p.doing
    FROM tickets.presence p JOIN tickets.agents a ON a.id = p.agent_id
    WHERE tickets.present_now(p)
      AND p.agent_id IS DISTINCT FROM tickets.current_agent()
    ORDER BY p.ticket_id, a.sort_key, p.agent_id,
             CASE p.doing WHEN 1 THEN 0 WHEN 2 THEN 1 ELSE 2 END
$$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA tickets FROM PUBLIC;
-- Any agent may call these; erase_customer refuses all but admins, in a sentence.
GRANT EXECUTE ON FUNCTION tickets.erase_customer(bigint, bigint),
    tickets.present(text, bigint, smallint), tickets.others_present() TO :agents;
