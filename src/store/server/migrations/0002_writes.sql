-- Team migration 2: every change goes through a function that takes the
-- actor from the login, checks the version a field edit was made against,
-- and writes the change and its activity entry together. Agents get no
-- INSERT, UPDATE or DELETE on any table: not even psql can record a change
-- as someone else, alter the trail or skip the version check.
-- Frozen once released; change the schema with a new migration.
--
-- Errors a client reads (SQLSTATE, as the app maps them):
--   TK409 the ticket changed since (DETAIL: its version now)
--   TK410 the note changed since
--   TK404 no such thing (DETAIL: ticket, agent, customer, tag or note; HINT: its id)
--   TK403 not allowed (MESSAGE: the sentence an agent reads)
-- Every change is announced on the channel `tickets` after it commits
-- (payload: the writer's backend pid), so other desks read it again.

-- The acting agent: the session's login, which must be an active agent.
CREATE FUNCTION tickets.me() RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    a bigint;
BEGIN
    SELECT id INTO a FROM tickets.agents WHERE login = session_user AND active;
    IF a IS NULL THEN
        RAISE EXCEPTION 'the login % is not an active agent of this team, so it cannot change anything', session_user
            USING ERRCODE = 'TK403';
    END IF;
    RETURN a;
END $$;

CREATE FUNCTION tickets.missing(p_what text, p_id bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'that % no longer exists (id %)', p_what, p_id
        USING ERRCODE = 'TK404', DETAIL = p_what, HINT = p_id::text;
END $$;

CREATE FUNCTION tickets.changed() RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_notify('tickets', pg_backend_pid()::text)
$$;

CREATE FUNCTION tickets.record(p_ticket bigint, p_at bigint, p_agent bigint, p_kind text,
                               p_ref bigint, p_old jsonb, p_new jsonb) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    INSERT INTO tickets.activity (ticket_id, at, agent_id, kind, ref_id, old_value, new_value)
    VALUES (p_ticket, p_at, p_agent, p_kind, p_ref, p_old, p_new)
$$;

-- Marks a ticket as changed now; field edits also move its version on.
CREATE FUNCTION tickets.touch(p_ticket bigint, p_at bigint, p_field boolean) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    UPDATE tickets.tickets
    SET updated_at = greatest(updated_at, p_at),
        version = version + CASE WHEN p_field THEN 1 ELSE 0 END
    WHERE id = p_ticket
$$;

-- The ticket, locked until the change commits: edits of one ticket queue,
-- and each sees the one before it.
CREATE FUNCTION tickets.locked(p_ticket bigint) RETURNS tickets.tickets
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t tickets.tickets;
BEGIN
    SELECT * INTO t FROM tickets.tickets WHERE id = p_ticket FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM tickets.missing('ticket', p_ticket);
    END IF;
    RETURN t;
END $$;

-- The ticket, locked, after checking the edit was made against its version now.
CREATE FUNCTION tickets.at_version(p_ticket bigint, p_version bigint) RETURNS tickets.tickets
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t tickets.tickets := tickets.locked(p_ticket);
BEGIN
    IF t.version <> p_version THEN
        RAISE EXCEPTION 'ticket % changed since version %', p_ticket, p_version
            USING ERRCODE = 'TK409', DETAIL = t.version::text;
    END IF;
    RETURN t;
END $$;

CREATE FUNCTION tickets.field_edited(p_ticket bigint, p_at bigint, p_kind text,
                                     p_old jsonb, p_new jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM tickets.touch(p_ticket, p_at, true);
    PERFORM tickets.record(p_ticket, p_at, tickets.me(), p_kind, NULL, p_old, p_new);
    PERFORM tickets.changed();
END $$;

CREATE FUNCTION tickets.customer_name(p_customer bigint) RETURNS tickets.customers
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    c tickets.customers;
BEGIN
    SELECT * INTO c FROM tickets.customers WHERE id = p_customer;
    IF NOT FOUND THEN
        PERFORM tickets.missing('customer', p_customer);
    END IF;
    RETURN c;
END $$;

-- Raises a ticket as Open. Numbers follow creation: creations queue, and a
-- ticket's time never goes back past the newest one's.
CREATE FUNCTION tickets.create_ticket(p_subject text, p_description text, p_priority smallint,
                                      p_customer bigint, p_at bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    created bigint;
    c tickets.customers;
    new_id bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(7450101);
    SELECT greatest(p_at, coalesce(max(created_at), p_at)) INTO created FROM tickets.tickets;
    IF p_customer IS NOT NULL THEN
        c := tickets.customer_name(p_customer);
    END IF;
    INSERT INTO tickets.tickets (subject, description, status, priority, customer_id,
                                 created_at, updated_at, customer_key)
    VALUES (p_subject, p_description, 0, p_priority, p_customer, created, created, c.sort_key)
    RETURNING id INTO new_id;
    PERFORM tickets.record(new_id, created, actor, 'created', NULL, NULL, NULL);
    PERFORM tickets.changed();
    RETURN new_id;
END $$;

-- Status: the resolution moment is the latest entry into Resolved (3) or
-- Closed (4) from an unresolved status; a ticket no longer resolved-like has none.
CREATE FUNCTION tickets.set_status(p_ticket bigint, p_version bigint, p_to smallint, p_at bigint)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    t tickets.tickets := tickets.at_version(p_ticket, p_version);
    r_at bigint := t.resolved_at;
    r_by bigint := t.resolved_by;
BEGIN
    IF t.status = p_to THEN
        RETURN;
    END IF;
    IF p_to NOT IN (3, 4) THEN
        r_at := NULL;
        r_by := NULL;
    ELSIF t.status NOT IN (3, 4) THEN
        r_at := p_at;
        r_by := actor;
    END IF;
    UPDATE tickets.tickets
    SET status = p_to, resolved_at = r_at, resolved_by = r_by,
        closed_at = CASE WHEN p_to = 4 THEN p_at ELSE closed_at END
    WHERE id = p_ticket;
    PERFORM tickets.field_edited(p_ticket, p_at, 'status', to_jsonb(t.status), to_jsonb(p_to));
END $$;

CREATE FUNCTION tickets.set_priority(p_ticket bigint, p_version bigint, p_to smallint, p_at bigint)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    t tickets.tickets := tickets.at_version(p_ticket, p_version);
BEGIN
    IF t.priority = p_to THEN
        RETURN;
    END IF;
    UPDATE tickets.tickets SET priority = p_to WHERE id = p_ticket;
    PERFORM tickets.field_edited(p_ticket, p_at, 'priority', to_jsonb(t.priority), to_jsonb(p_to));
END $$;

CREATE FUNCTION tickets.set_subject(p_ticket bigint, p_version bigint, p_to text, p_at bigint)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    t tickets.tickets := tickets.at_version(p_ticket, p_version);
BEGIN
    IF t.subject = p_to THEN
        RETURN;
    END IF;
    UPDATE tickets.tickets SET subject = p_to WHERE id = p_ticket;
    PERFORM tickets.field_edited(p_ticket, p_at, 'subject', to_jsonb(t.subject), to_jsonb(p_to));
END $$;

CREATE FUNCTION tickets.set_description(p_ticket bigint, p_version bigint, p_to text, p_at bigint)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    t tickets.tickets := tickets.at_version(p_ticket, p_version);
BEGIN
    IF t.description = p_to THEN
        RETURN;
    END IF;
    UPDATE tickets.tickets SET description = p_to WHERE id = p_ticket;
    PERFORM tickets.field_edited(p_ticket, p_at, 'description', NULL, NULL);
END $$;

CREATE FUNCTION tickets.set_customer(p_ticket bigint, p_version bigint, p_to bigint, p_at bigint)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    t tickets.tickets := tickets.at_version(p_ticket, p_version);
    old_c tickets.customers;
    new_c tickets.customers;
BEGIN
    IF t.customer_id IS NOT DISTINCT FROM p_to THEN
        RETURN;
    END IF;
    IF t.customer_id IS NOT NULL THEN
        old_c := tickets.customer_name(t.customer_id);
    END IF;
    IF p_to IS NOT NULL THEN
        new_c := tickets.customer_name(p_to);
    END IF;
    UPDATE tickets.tickets SET customer_id = p_to, customer_key = new_c.sort_key WHERE id = p_ticket;
    PERFORM tickets.field_edited(p_ticket, p_at, 'customer', to_jsonb(old_c.name), to_jsonb(new_c.name));
END $$;

CREATE FUNCTION tickets.set_csat(p_ticket bigint, p_version bigint, p_rating smallint, p_at bigint)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    t tickets.tickets := tickets.at_version(p_ticket, p_version);
BEGIN
    IF t.status NOT IN (3, 4) THEN
        RAISE EXCEPTION 'a satisfaction rating can be recorded once TKT-% is Resolved or Closed; it is %',
            lpad(p_ticket::text, 6, '0'),
            (ARRAY['Open', 'In Progress', 'Waiting', 'Resolved', 'Closed'])[t.status + 1]
            USING ERRCODE = 'TK403';
    END IF;
    IF t.csat IS NOT DISTINCT FROM p_rating THEN
        RETURN;
    END IF;
    UPDATE tickets.tickets SET csat = p_rating, csat_at = p_at WHERE id = p_ticket;
    PERFORM tickets.field_edited(p_ticket, p_at, 'csat', to_jsonb(t.csat), to_jsonb(p_rating));
END $$;

-- Additions and removals overwrite nothing, so they carry no version.
CREATE FUNCTION tickets.refresh_assignee_key(p_ticket bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    UPDATE tickets.tickets SET assignee_key = (
        SELECT min(a.sort_key) FROM tickets.ticket_assignees ta
        JOIN tickets.agents a ON a.id = ta.agent_id WHERE ta.ticket_id = p_ticket)
    WHERE id = p_ticket
$$;

CREATE FUNCTION tickets.agent_named(p_agent bigint) RETURNS tickets.agents
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    a tickets.agents;
BEGIN
    SELECT * INTO a FROM tickets.agents WHERE id = p_agent;
    IF NOT FOUND THEN
        PERFORM tickets.missing('agent', p_agent);
    END IF;
    RETURN a;
END $$;

CREATE FUNCTION tickets.assign(p_ticket bigint, p_agent bigint, p_at bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    t tickets.tickets := tickets.locked(p_ticket);
    a tickets.agents := tickets.agent_named(p_agent);
BEGIN
    IF NOT a.active THEN
        RAISE EXCEPTION '% is no longer an active agent and cannot be assigned', a.name
            USING ERRCODE = 'TK403';
    END IF;
    INSERT INTO tickets.ticket_assignees (ticket_id, agent_id, assigned_at)
    VALUES (p_ticket, p_agent, p_at) ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    PERFORM tickets.refresh_assignee_key(p_ticket);
    PERFORM tickets.touch(p_ticket, p_at, false);
    PERFORM tickets.record(p_ticket, p_at, actor, 'assigned', p_agent, NULL, to_jsonb(a.name));
    PERFORM tickets.changed();
END $$;

CREATE FUNCTION tickets.unassign(p_ticket bigint, p_agent bigint, p_at bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    t tickets.tickets := tickets.locked(p_ticket);
    a tickets.agents := tickets.agent_named(p_agent);
BEGIN
    DELETE FROM tickets.ticket_assignees WHERE ticket_id = p_ticket AND agent_id = p_agent;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    PERFORM tickets.refresh_assignee_key(p_ticket);
    PERFORM tickets.touch(p_ticket, p_at, false);
    PERFORM tickets.record(p_ticket, p_at, actor, 'unassigned', p_agent, to_jsonb(a.name), NULL);
    PERFORM tickets.changed();
END $$;

-- A tag by name, ignoring case, made if it is new.
CREATE FUNCTION tickets.tag_by_name(p_name text) RETURNS tickets.tags
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    g tickets.tags;
BEGIN
    INSERT INTO tickets.tags (name) VALUES (p_name) ON CONFLICT DO NOTHING;
    SELECT * INTO g FROM tickets.tags WHERE lower(name) = lower(p_name);
    RETURN g;
END $$;

CREATE FUNCTION tickets.add_tag(p_ticket bigint, p_name text, p_at bigint,
                                OUT tag_id bigint, OUT tag_name text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    t tickets.tickets := tickets.locked(p_ticket);
    g tickets.tags := tickets.tag_by_name(p_name);
BEGIN
    tag_id := g.id;
    tag_name := g.name;
    INSERT INTO tickets.ticket_tags (ticket_id, tag_id) VALUES (p_ticket, g.id) ON CONFLICT DO NOTHING;
    IF FOUND THEN
        PERFORM tickets.touch(p_ticket, p_at, false);
        PERFORM tickets.record(p_ticket, p_at, actor, 'tag_added', NULL, NULL, to_jsonb(g.name));
        PERFORM tickets.changed();
    END IF;
END $$;

CREATE FUNCTION tickets.remove_tag(p_ticket bigint, p_tag bigint, p_at bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    t tickets.tickets := tickets.locked(p_ticket);
    g tickets.tags;
BEGIN
    SELECT * INTO g FROM tickets.tags WHERE id = p_tag;
    IF NOT FOUND THEN
        PERFORM tickets.missing('tag', p_tag);
    END IF;
    DELETE FROM tickets.ticket_tags WHERE ticket_id = p_ticket AND tag_id = p_tag;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    PERFORM tickets.touch(p_ticket, p_at, false);
    PERFORM tickets.record(p_ticket, p_at, actor, 'tag_removed', NULL, to_jsonb(g.name), NULL);
    PERFORM tickets.changed();
END $$;

CREATE FUNCTION tickets.add_note(p_ticket bigint, p_body text, p_at bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    t tickets.tickets := tickets.locked(p_ticket);
    note bigint;
BEGIN
    INSERT INTO tickets.notes (ticket_id, author_id, body, created_at, updated_at)
    VALUES (p_ticket, actor, p_body, p_at, p_at) RETURNING id INTO note;
    PERFORM tickets.touch(p_ticket, p_at, false);
    PERFORM tickets.record(p_ticket, p_at, actor, 'note_added', note, NULL, NULL);
    PERFORM tickets.changed();
    RETURN note;
END $$;

CREATE FUNCTION tickets.locked_note(p_note bigint) RETURNS tickets.notes
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n tickets.notes;
BEGIN
    SELECT * INTO n FROM tickets.notes WHERE id = p_note FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM tickets.missing('note', p_note);
    END IF;
    RETURN n;
END $$;

CREATE FUNCTION tickets.edit_note(p_note bigint, p_version bigint, p_body text, p_at bigint)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    n tickets.notes := tickets.locked_note(p_note);
BEGIN
    IF n.version <> p_version THEN
        RAISE EXCEPTION 'note % changed since version %', p_note, p_version USING ERRCODE = 'TK410';
    END IF;
    IF n.body = p_body THEN
        RETURN;
    END IF;
    UPDATE tickets.notes SET body = p_body, updated_at = p_at, version = version + 1 WHERE id = p_note;
    PERFORM tickets.touch(n.ticket_id, p_at, false);
    PERFORM tickets.record(n.ticket_id, p_at, actor, 'note_edited', p_note, NULL, NULL);
    PERFORM tickets.changed();
END $$;

CREATE FUNCTION tickets.delete_note(p_note bigint, p_at bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    n tickets.notes := tickets.locked_note(p_note);
BEGIN
    DELETE FROM tickets.notes WHERE id = p_note;
    PERFORM tickets.touch(n.ticket_id, p_at, false);
    PERFORM tickets.record(n.ticket_id, p_at, actor, 'note_deleted', p_note, to_jsonb(n.body), NULL);
    PERFORM tickets.changed();
END $$;

-- A message from the customer (0) or a reply by the acting agent (1); the
-- first reply is the ticket's first response.
CREATE FUNCTION tickets.add_message(p_ticket bigint, p_direction smallint, p_body text, p_at bigint)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    t tickets.tickets := tickets.locked(p_ticket);
    message bigint;
BEGIN
    INSERT INTO tickets.messages (ticket_id, direction, author_id, body, created_at)
    VALUES (p_ticket, p_direction, actor, p_body, p_at) RETURNING id INTO message;
    IF p_direction = 1 THEN
        UPDATE tickets.tickets SET first_reply_at = p_at, first_reply_by = actor
        WHERE id = p_ticket AND first_reply_at IS NULL;
    END IF;
    PERFORM tickets.touch(p_ticket, p_at, false);
    PERFORM tickets.record(p_ticket, p_at, actor, 'message', message, NULL, to_jsonb(p_direction));
    PERFORM tickets.changed();
    RETURN message;
END $$;

-- Customers: any agent adds and edits them (erasing is for admins).
CREATE FUNCTION tickets.add_customer(p_name text, p_sort_key text, p_email text, p_company text,
                                     p_at bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    new_id bigint;
BEGIN
    INSERT INTO tickets.customers (name, sort_key, email, company, created_at, updated_at)
    VALUES (p_name, p_sort_key, p_email, p_company, p_at, p_at) RETURNING id INTO new_id;
    PERFORM tickets.changed();
    RETURN new_id;
END $$;

CREATE FUNCTION tickets.update_customer(p_customer bigint, p_name text, p_sort_key text,
                                        p_email text, p_company text, p_at bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
BEGIN
    UPDATE tickets.customers
    SET name = p_name, sort_key = p_sort_key, email = p_email, company = p_company, updated_at = p_at
    WHERE id = p_customer;
    IF NOT FOUND THEN
        PERFORM tickets.missing('customer', p_customer);
    END IF;
    UPDATE tickets.tickets SET customer_key = p_sort_key WHERE customer_id = p_customer;
    PERFORM tickets.changed();
END $$;

CREATE FUNCTION tickets.add_customer_tag(p_customer bigint, p_name text,
                                         OUT tag_id bigint, OUT tag_name text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    c tickets.customers := tickets.customer_name(p_customer);
    g tickets.tags := tickets.tag_by_name(p_name);
BEGIN
    INSERT INTO tickets.customer_tags (customer_id, tag_id) VALUES (p_customer, g.id)
    ON CONFLICT DO NOTHING;
    tag_id := g.id;
    tag_name := g.name;
    PERFORM tickets.changed();
END $$;

CREATE FUNCTION tickets.remove_customer_tag(p_customer bigint, p_tag bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    c tickets.customers := tickets.customer_name(p_customer);
BEGIN
    DELETE FROM tickets.customer_tags WHERE customer_id = p_customer AND tag_id = p_tag;
    PERFORM tickets.changed();
END $$;

-- Agents' names and emails, and who is active: admins only (logins are
-- managed by add_agent, give_login, deactivate_agent).
CREATE FUNCTION tickets.update_agent(p_agent bigint, p_name text, p_sort_key text, p_email text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t tickets.team := tickets.require_admin();
    a tickets.agents := tickets.agent_named(p_agent);
BEGIN
    UPDATE tickets.agents SET name = p_name, sort_key = p_sort_key, email = p_email WHERE id = p_agent;
    PERFORM tickets.refresh_assignee_key(ticket_id)
    FROM tickets.ticket_assignees WHERE agent_id = p_agent;
    PERFORM tickets.changed();
END $$;

-- An agent without a login (one moved in from a desk's file), or any
-- agent's name and email: rows only an admin adds.
CREATE FUNCTION tickets.add_plain_agent(p_name text, p_sort_key text, p_email text, p_at bigint)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t tickets.team := tickets.require_admin();
    new_id bigint;
BEGIN
    INSERT INTO tickets.agents (name, sort_key, email, created_at)
    VALUES (p_name, p_sort_key, p_email, p_at) RETURNING id INTO new_id;
    PERFORM tickets.changed();
    RETURN new_id;
END $$;

CREATE FUNCTION tickets.set_agent_active(p_agent bigint, p_active boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t tickets.team := tickets.require_admin();
    a tickets.agents := tickets.agent_named(p_agent);
BEGIN
    IF a.login = session_user AND NOT p_active THEN
        RAISE EXCEPTION 'an admin cannot deactivate their own login' USING ERRCODE = 'TK403';
    END IF;
    UPDATE tickets.agents SET active = p_active WHERE id = p_agent;
    IF a.login IS NOT NULL THEN
        IF p_active THEN
            EXECUTE format('GRANT %I TO %I', t.agents_role, a.login);
            EXECUTE format('ALTER ROLE %I LOGIN', a.login);
        ELSE
            EXECUTE format('REVOKE %I FROM %I', t.agents_role, a.login);
            EXECUTE format('REVOKE %I FROM %I', t.admins_role, a.login);
            EXECUTE format('ALTER ROLE %I NOLOGIN', a.login);
        END IF;
    END IF;
    PERFORM tickets.changed();
END $$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA tickets FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    tickets.current_agent(), tickets.me(),
    tickets.create_ticket(text, text, smallint, bigint, bigint),
    tickets.set_status(bigint, bigint, smallint, bigint),
    tickets.set_priority(bigint, bigint, smallint, bigint),
    tickets.set_subject(bigint, bigint, text, bigint),
    tickets.set_description(bigint, bigint, text, bigint),
    tickets.set_customer(bigint, bigint, bigint, bigint),
    tickets.set_csat(bigint, bigint, smallint, bigint),
    tickets.assign(bigint, bigint, bigint),
    tickets.unassign(bigint, bigint, bigint),
    tickets.add_tag(bigint, text, bigint),
    tickets.remove_tag(bigint, bigint, bigint),
    tickets.add_note(bigint, text, bigint),
    tickets.edit_note(bigint, bigint, text, bigint),
    tickets.delete_note(bigint, bigint),
    tickets.add_message(bigint, smallint, text, bigint),
    tickets.add_customer(text, text, text, text, bigint),
    tickets.update_customer(bigint, text, text, text, text, bigint),
    tickets.add_customer_tag(bigint, text),
    tickets.remove_customer_tag(bigint, bigint),
    tickets.update_agent(bigint, text, text, text),
    tickets.add_plain_agent(text, text, text, bigint),
    tickets.set_agent_active(bigint, boolean),
    tickets.require_admin(), tickets.add_agent(text, text, text, text, text, boolean, bigint),
    tickets.give_login(bigint, text, text, boolean), tickets.deactivate_agent(text),
    tickets.make_admin(text)
TO :agents;
