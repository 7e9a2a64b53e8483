-- Team migration 14: links between tickets, and tickets merged into others
-- (the file's migration 11, the same rules; see src/store/merge.rs).
-- Frozen once released; change the schema with a new migration.
--
-- Agents read the links; they are written only through tickets.merge and
-- tickets.set_link, as tickets.me(), each change recorded in
-- both tickets' trails in the same transaction. A merge refuses with TK409
-- (DETAIL: the version now, HINT: the ticket) when any of its tickets
-- changed since the agent saw it, and with TK403 sentences otherwise (a
-- customer's ticket goes only into one of theirs: erasing their data
-- erases the messages of their tickets, and must still find those moved).

-- One row per link: 'related' (stored once, the lower number first),
-- 'duplicate' (ticket_a is a duplicate of ticket_b) or 'merged' (ticket_a
-- was merged into ticket_b; a ticket is merged once, and never changes after).
CREATE TABLE tickets.ticket_links (
    ticket_a    bigint NOT NULL REFERENCES tickets.tickets (id),
    ticket_b    bigint NOT NULL REFERENCES tickets.tickets (id),
    kind        text NOT NULL,
    agent_id    bigint REFERENCES tickets.agents (id),
    at          bigint NOT NULL,
    PRIMARY KEY (ticket_a, ticket_b, kind),
    CHECK (ticket_a <> ticket_b)
);
CREATE INDEX ticket_links_b ON tickets.ticket_links (ticket_b, ticket_a);
CREATE UNIQUE INDEX ticket_links_merged ON tickets.ticket_links (ticket_a) WHERE kind = 'merged';

-- A ticket's number as people read it: TKT-000042.
CREATE FUNCTION tickets.number_text(p_ticket bigint) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT 'TKT-' || CASE WHEN length(p_ticket::text) < 6 THEN lpad(p_ticket::text, 6, '0')
                          ELSE p_ticket::text END
$$;

-- The ticket, locked, at the version the agent saw (HINT names it: a
-- merge's conflict may be on any of its tickets), and not merged already.
CREATE FUNCTION tickets.mergeable(p_ticket bigint, p_version bigint, p_keep boolean)
RETURNS tickets.tickets
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t tickets.tickets := tickets.locked(p_ticket);
    into_id bigint;
BEGIN
    IF t.version <> p_version THEN
        RAISE EXCEPTION 'ticket % changed since version %', p_ticket, p_version
            USING ERRCODE = 'TK409', DETAIL = t.version::text, HINT = p_ticket::text;
    END IF;
    SELECT ticket_b INTO into_id FROM tickets.ticket_links WHERE ticket_a = p_ticket AND kind = 'merged';
    IF into_id IS NOT NULL THEN
        IF p_keep THEN
            RAISE EXCEPTION '% was merged into % already, so nothing can be merged into it; merge into % instead',
                tickets.number_text(p_ticket), tickets.number_text(into_id), tickets.number_text(into_id)
                USING ERRCODE = 'TK403';
        END IF;
        RAISE EXCEPTION '% was merged into % already, and a ticket is merged only once',
            tickets.number_text(p_ticket), tickets.number_text(into_id)
            USING ERRCODE = 'TK403';
    END IF;
    RETURN t;
END $$;

-- Merges p_others (at p_versions) into p_keep (at p_keep_version): see the
-- head. Tickets are locked in number order, so two merges never deadlock.
CREATE FUNCTION tickets.merge(p_keep bigint, p_keep_version bigint, p_others bigint[],
                              p_versions bigint[], p_at bigint,
                              OUT messages bigint, OUT notes bigint, OUT tags bigint,
                              OUT assignees bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    other bigint;
    i int;
    t tickets.tickets;
    keep_customer bigint;
    g record;
    n bigint;
BEGIN
    messages := 0;
    notes := 0;
    tags := 0;
    assignees := 0;
    IF p_keep = ANY (p_others) THEN
        RAISE EXCEPTION 'a ticket cannot be merged into itself' USING ERRCODE = 'TK403';
    END IF;
    IF coalesce(array_length(p_others, 1), 0) = 0 THEN
        RAISE EXCEPTION 'choose at least one ticket to merge' USING ERRCODE = 'TK403';
    END IF;
    PERFORM 1 FROM tickets.tickets
    WHERE id = p_keep OR id = ANY (p_others) ORDER BY id FOR UPDATE;
    t := tickets.mergeable(p_keep, p_keep_version, true);
    keep_customer := t.customer_id;
    FOR i IN 1 .. array_length(p_others, 1) LOOP
        PERFORM tickets.mergeable(p_others[i], p_versions[i], false);
    END LOOP;
    -- A customer's ticket goes only into one of theirs: erasing their data
    -- erases the messages of their tickets, and must still find these.
    FOR i IN 1 .. array_length(p_others, 1) LOOP
        SELECT * INTO t FROM tickets.tickets WHERE id = p_others[i];
        IF t.customer_id IS NOT NULL AND t.customer_id IS DISTINCT FROM keep_customer THEN
            RAISE EXCEPTION '% belongs to % but % does not: only a customer''s own tickets are merged, so that erasing their data still finds all of it; set %''s customer first if it is theirs',
                tickets.number_text(p_others[i]), (tickets.customer_name(t.customer_id)).name,
                tickets.number_text(p_keep), tickets.number_text(p_keep)
                USING ERRCODE = 'TK403';
        END IF;
    END LOOP;
    FOR i IN 1 .. array_length(p_others, 1) LOOP
        other := p_others[i];
        UPDATE tickets.messages SET ticket_id = p_keep WHERE ticket_id = other;
        GET DIAGNOSTICS n = ROW_COUNT;
        messages := messages + n;
        UPDATE tickets.notes SET ticket_id = p_keep WHERE ticket_id = other;
        GET DIAGNOSTICS n = ROW_COUNT;
        notes := notes + n;
        FOR g IN
            SELECT x.name FROM tickets.ticket_tags tt JOIN tickets.tags x ON x.id = tt.tag_id
            WHERE tt.ticket_id = other
              AND NOT EXISTS (SELECT 1 FROM tickets.ticket_tags k
                              WHERE k.ticket_id = p_keep AND k.tag_id = tt.tag_id)
            ORDER BY lower(x.name COLLATE "C")
        LOOP
            PERFORM tickets.add_tag(p_keep, g.name, p_at);
            tags := tags + 1;
        END LOOP;
        -- An agent no longer active cannot be assigned: they stay on the
        -- merged ticket only.
        FOR g IN
            SELECT ta.agent_id FROM tickets.ticket_assignees ta JOIN tickets.agents a ON a.id = ta.agent_id
            WHERE ta.ticket_id = other AND a.active
              AND NOT EXISTS (SELECT 1 FROM tickets.ticket_assignees k
                              WHERE k.ticket_id = p_keep AND k.agent_id = ta.agent_id)
            ORDER BY a.sort_key COLLATE "C", a.id
        LOOP
            PERFORM tickets.assign(p_keep, g.agent_id, p_at);
            assignees := assignees + 1;
        END LOOP;
        -- Its replies are the kept ticket's now: it has no first reply.
        UPDATE tickets.tickets SET first_reply_at = NULL, first_reply_by = NULL WHERE id = other;
        SELECT * INTO t FROM tickets.tickets WHERE id = other;
        PERFORM tickets.set_status(other, t.version, 4::smallint, p_at);
        INSERT INTO tickets.ticket_links (ticket_a, ticket_b, kind, agent_id, at)
        VALUES (other, p_keep, 'merged', actor, p_at);
        PERFORM tickets.touch(other, p_at, false);
        PERFORM tickets.record(other, p_at, actor, 'merged_into', p_keep, NULL, NULL);
        PERFORM tickets.touch(p_keep, p_at, false);
        PERFORM tickets.record(p_keep, p_at, actor, 'merged_from', other, NULL, NULL);
    END LOOP;
    -- The kept ticket's first reply: its earliest reply now, of those sent
    -- once it existed.
    UPDATE tickets.tickets k SET (first_reply_at, first_reply_by) = (
        SELECT m.created_at, m.author_id FROM tickets.messages m
        WHERE m.ticket_id = k.id AND m.direction = 1 AND m.created_at >= k.created_at
        ORDER BY m.created_at, m.id LIMIT 1)
    WHERE k.id = p_keep;
    PERFORM tickets.changed();
END $$;

-- Links p_a to p_b as p_kind ('related' or 'duplicate'; a related link is
-- given the lower number first by the client), or (p_on false) removes the
-- link, with an entry in both trails when that changed anything.
CREATE FUNCTION tickets.set_link(p_a bigint, p_b bigint, p_kind text, p_on boolean, p_at bigint)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    role_a text := CASE p_kind WHEN 'related' THEN 'related' ELSE 'duplicate_of' END;
    role_b text := CASE p_kind WHEN 'related' THEN 'related' ELSE 'duplicated_by' END;
    entry text := CASE WHEN p_on THEN 'linked' ELSE 'unlinked' END;
BEGIN
    IF p_kind NOT IN ('related', 'duplicate') OR p_a = p_b THEN
        RAISE EXCEPTION 'that link cannot be made' USING ERRCODE = 'TK403';
    END IF;
    PERFORM 1 FROM tickets.tickets WHERE id IN (p_a, p_b) ORDER BY id FOR UPDATE;
    PERFORM tickets.locked(p_a);
    PERFORM tickets.locked(p_b);
    IF p_on THEN
        INSERT INTO tickets.ticket_links (ticket_a, ticket_b, kind, agent_id, at)
        VALUES (p_a, p_b, p_kind, actor, p_at) ON CONFLICT DO NOTHING;
    ELSE
        DELETE FROM tickets.ticket_links WHERE ticket_a = p_a AND ticket_b = p_b AND kind = p_kind;
    END IF;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    PERFORM tickets.touch(p_a, p_at, false);
    PERFORM tickets.record(p_a, p_at, actor, entry, p_b,
        CASE WHEN p_on THEN NULL ELSE to_jsonb(role_a) END, CASE WHEN p_on THEN to_jsonb(role_a) END);
    PERFORM tickets.touch(p_b, p_at, false);
    PERFORM tickets.record(p_b, p_at, actor, entry, p_a,
        CASE WHEN p_on THEN NULL ELSE to_jsonb(role_b) END, CASE WHEN p_on THEN to_jsonb(role_b) END);
    PERFORM tickets.changed();
END $$;

GRANT SELECT ON tickets.ticket_links TO :agents;
REVOKE ALL ON FUNCTION tickets.number_text(bigint), tickets.mergeable(bigint, bigint, boolean),
    tickets.merge(bigint, bigint, bigint[], bigint[], bigint),
    tickets.set_link(bigint, bigint, text, boolean, bigint)
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    tickets.number_text(bigint),
    tickets.merge(bigint, bigint, bigint[], bigint[], bigint),
    tickets.set_link(bigint, bigint, text, boolean, bigint)
TO :agents;
