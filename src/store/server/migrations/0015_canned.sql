-- Team migration 15: the team's canned replies.
-- Frozen once released; change the schema with a new migration.
--
-- A canned reply is a standard answer under a title: its body (placeholders
-- such as {{customer.name}} kept as written; a desk fills them when the
-- reply is inserted), the tags it adds and the status it sets on the ticket
-- it is used on (NULL: none). The table is the desk file's (its migration
-- 12), so moving a desk in carries them: title_key is the title lower-cased
-- (two titles that differ only in case are one title); tags are one a line.
--
-- They are the team's: any agent adds, changes and deletes them, through
-- the functions below (agents only read the table), each announcing the
-- change on `tickets` as ticket changes are announced, so other desks read
-- the library again. Using one on a ticket records it in the ticket's trail
-- (kind 'canned', ref_id the reply, new_value its title then) and applies
-- its status and tags, each with its own entry, in one transaction.
--
-- Errors a client reads, besides migration 2's:
--   TK423 the title is another canned reply's, ignoring case (DETAIL: that
--         reply's title; HINT: the title asked for)
--   TK404 with DETAIL 'canned reply': the reply was deleted (HINT: its id)

CREATE TABLE tickets.canned_replies (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title       text NOT NULL,
    title_key   text NOT NULL UNIQUE,
    body        text NOT NULL,
    tags        text NOT NULL,
    status      smallint,
    created_by  bigint REFERENCES tickets.agents (id) ON DELETE SET NULL,
    created_at  bigint NOT NULL,
    updated_at  bigint NOT NULL
);
GRANT SELECT ON tickets.canned_replies TO :agents;

-- The analytics count uses by time.
CREATE INDEX activity_canned ON tickets.activity (at, ref_id) WHERE kind = 'canned';

-- `p_title` checked as a desk checks it (1 to 100 characters, one line; a
-- desk has trimmed it) and its key, which no other reply than `p_except`
-- may have. Writers queue on the table, so two desks adding one title at
-- once get one reply and one sentence.
CREATE FUNCTION tickets.canned_title_key(p_title text, p_except bigint) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    key text := lower(p_title COLLATE "und-x-icu");
    holder text;
BEGIN
    IF p_title IS NULL OR btrim(p_title) = '' OR char_length(p_title) > 100
       OR p_title ~ '[[:cntrl:]]' THEN
        RAISE EXCEPTION 'a canned reply''s title is one line of 1 to 100 characters'
            USING ERRCODE = 'TK403';
    END IF;
    LOCK TABLE tickets.canned_replies IN SHARE ROW EXCLUSIVE MODE;
    SELECT title INTO holder FROM tickets.canned_replies
    WHERE title_key = key AND id IS DISTINCT FROM p_except;
    IF FOUND THEN
        RAISE EXCEPTION 'the team already has a canned reply called %', holder
            USING ERRCODE = 'TK423', DETAIL = holder, HINT = p_title;
    END IF;
    RETURN key;
END $$;

CREATE FUNCTION tickets.check_canned(p_body text, p_status smallint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF p_body IS NULL OR btrim(p_body) = '' OR char_length(p_body) > 100000 THEN
        RAISE EXCEPTION 'a canned reply''s body holds 1 to 100,000 characters'
            USING ERRCODE = 'TK403';
    END IF;
    IF p_status IS NOT NULL AND p_status NOT BETWEEN 0 AND 4 THEN
        RAISE EXCEPTION 'a canned reply sets one of the five statuses, or none'
            USING ERRCODE = 'TK403';
    END IF;
END $$;

-- Adds a reply as the acting agent. Returns its id.
CREATE FUNCTION tickets.add_canned_reply(p_title text, p_body text, p_tags text,
                                         p_status smallint, p_at bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    key text := tickets.canned_title_key(p_title, NULL);
    new_id bigint;
BEGIN
    PERFORM tickets.check_canned(p_body, p_status);
    INSERT INTO tickets.canned_replies
        (title, title_key, body, tags, status, created_by, created_at, updated_at)
    VALUES (p_title, key, p_body, coalesce(p_tags, ''), p_status, actor, p_at, p_at)
    RETURNING id INTO new_id;
    PERFORM tickets.changed();
    RETURN new_id;
END $$;

CREATE FUNCTION tickets.update_canned_reply(p_reply bigint, p_title text, p_body text,
                                            p_tags text, p_status smallint, p_at bigint)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    key text := tickets.canned_title_key(p_title, p_reply);
BEGIN
    PERFORM tickets.check_canned(p_body, p_status);
    UPDATE tickets.canned_replies
    SET title = p_title, title_key = key, body = p_body, tags = coalesce(p_tags, ''),
        status = p_status, updated_at = p_at
    WHERE id = p_reply;
    IF NOT FOUND THEN
        PERFORM tickets.missing('canned reply', p_reply);
    END IF;
    PERFORM tickets.changed();
END $$;

CREATE FUNCTION tickets.delete_canned_reply(p_reply bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
BEGIN
    DELETE FROM tickets.canned_replies WHERE id = p_reply;
    IF NOT FOUND THEN
        PERFORM tickets.missing('canned reply', p_reply);
    END IF;
    PERFORM tickets.changed();
END $$;

-- Sends a reply (or adds a note, p_note) on a ticket still at version
-- `p_version`, records that the acting agent wrote it with reply `p_reply`
-- and, where `p_apply`, applies the reply's status and tags as set_status
-- and add_tag do, each with its entry: all in this one transaction. A desk
-- has checked the text as a reply's or a note's.
CREATE FUNCTION tickets.use_canned_reply(p_ticket bigint, p_version bigint, p_reply bigint,
                                         p_apply boolean, p_note boolean, p_body text,
                                         p_at bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    t tickets.tickets := tickets.at_version(p_ticket, p_version);
    c tickets.canned_replies;
    tag text;
BEGIN
    SELECT * INTO c FROM tickets.canned_replies WHERE id = p_reply FOR SHARE;
    IF NOT FOUND THEN
        PERFORM tickets.missing('canned reply', p_reply);
    END IF;
    IF p_note THEN
        PERFORM tickets.add_note(p_ticket, p_body, p_at);
    ELSE
        PERFORM tickets.add_message(p_ticket, 1::smallint, p_body, p_at);
    END IF;
    PERFORM tickets.record(p_ticket, p_at, actor, 'canned', c.id, NULL, to_jsonb(c.title));
    IF p_apply THEN
        IF c.status IS NOT NULL THEN
            PERFORM tickets.set_status(p_ticket, p_version, c.status, p_at);
        END IF;
        FOREACH tag IN ARRAY string_to_array(c.tags, E'\n') LOOP
            IF tag <> '' THEN
                PERFORM tickets.add_tag(p_ticket, tag, p_at);
            END IF;
        END LOOP;
    END IF;
    PERFORM tickets.changed();
END $$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA tickets FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    tickets.add_canned_reply(text, text, text, smallint, bigint),
    tickets.update_canned_reply(bigint, text, text, text, smallint, bigint),
    tickets.delete_canned_reply(bigint),
    tickets.use_canned_reply(bigint, bigint, bigint, boolean, boolean, text, bigint)
TO :agents;
