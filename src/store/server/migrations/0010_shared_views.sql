-- Team migration 10: views shared with the team.
-- Frozen once released; change the schema with a new migration.
--
-- A saved view is a filter (search included) and a sort under a name. A
-- personal one lives in a desk's settings; one shared with the team lives
-- here, so every desk lists the same ones in the same order. The table is
-- the desk file's (its migration 8), so moving a desk in carries them:
-- name_key is the name lower-cased (two names that differ only in case are
-- one name); definition is the filter and sort as JSON, kept as the text a
-- desk wrote, byte for byte (a newer Tickets may write what an older one
-- cannot read, and a move checks every byte it copies); position orders
-- them (ties by id); shared_by is who shared it.
--
-- They are the team's, not one agent's: any agent shares, renames,
-- changes, moves and deletes them, through the functions below (agents
-- only read the table), each recording nothing in a ticket's trail but
-- announcing the change on `tickets` as ticket changes are announced, so
-- other desks read the views again.
--
-- Errors a client reads, besides migration 2's:
--   TK422 the name is another shared view's, ignoring case (DETAIL: that
--         view's name; HINT: the name asked for)
--   TK404 with DETAIL 'shared view': the view was deleted (HINT: its id)

CREATE TABLE tickets.shared_views (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL,
    name_key    text NOT NULL UNIQUE,
    definition  text NOT NULL,
    position    bigint NOT NULL,
    shared_by   bigint REFERENCES tickets.agents (id) ON DELETE SET NULL,
    created_at  bigint NOT NULL,
    updated_at  bigint NOT NULL
);
CREATE INDEX shared_views_position ON tickets.shared_views (position, id);
GRANT SELECT ON tickets.shared_views TO :agents;

-- `p_name` checked as a desk checks it (1 to 60 characters, one line), and
-- its key, which no other view than `p_except` may have. Shared views are
-- few and seldom changed: their writers queue on the table, so two desks
-- sharing one name at once get one view and one sentence.
CREATE FUNCTION tickets.view_name_key(p_name text, p_except bigint) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    key text := lower(p_name COLLATE "und-x-icu");
    holder text;
BEGIN
    IF p_name IS NULL OR btrim(p_name) = '' OR char_length(p_name) > 60
       OR p_name ~ '[[:cntrl:]]' THEN
        RAISE EXCEPTION 'a shared view''s name is one line of 1 to 60 characters'
            USING ERRCODE = 'TK403';
    END IF;
    LOCK TABLE tickets.shared_views IN SHARE ROW EXCLUSIVE MODE;
    SELECT name INTO holder FROM tickets.shared_views
    WHERE name_key = key AND id IS DISTINCT FROM p_except;
    IF FOUND THEN
        RAISE EXCEPTION 'the team already has a shared view called %', holder
            USING ERRCODE = 'TK422', DETAIL = holder, HINT = p_name;
    END IF;
    RETURN key;
END $$;

CREATE FUNCTION tickets.check_definition(p_definition text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF jsonb_typeof(p_definition::jsonb) IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION 'a shared view''s definition is a JSON object' USING ERRCODE = 'TK403';
    END IF;
END $$;

-- Shares a view as the acting agent, after the others. Returns its id.
CREATE FUNCTION tickets.share_view(p_name text, p_definition text, p_at bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    key text := tickets.view_name_key(p_name, NULL);
    new_id bigint;
BEGIN
    PERFORM tickets.check_definition(p_definition);
    INSERT INTO tickets.shared_views
        (name, name_key, definition, position, shared_by, created_at, updated_at)
    SELECT p_name, key, p_definition, coalesce(max(position), 0) + 1, actor, p_at, p_at
    FROM tickets.shared_views
    RETURNING id INTO new_id;
    PERFORM tickets.changed();
    RETURN new_id;
END $$;

-- Renames view `p_view` and replaces its definition (NULL: keeps it).
CREATE FUNCTION tickets.update_shared_view(p_view bigint, p_name text, p_definition text,
                                           p_at bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    key text := tickets.view_name_key(p_name, p_view);
BEGIN
    IF p_definition IS NOT NULL THEN
        PERFORM tickets.check_definition(p_definition);
    END IF;
    UPDATE tickets.shared_views
    SET name = p_name, name_key = key, definition = coalesce(p_definition, definition),
        updated_at = p_at
    WHERE id = p_view;
    IF NOT FOUND THEN
        PERFORM tickets.missing('shared view', p_view);
    END IF;
    PERFORM tickets.changed();
END $$;

CREATE FUNCTION tickets.delete_shared_view(p_view bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
BEGIN
    DELETE FROM tickets.shared_views WHERE id = p_view;
    IF NOT FOUND THEN
        PERFORM tickets.missing('shared view', p_view);
    END IF;
    PERFORM tickets.changed();
END $$;

-- Exchanges the places of views `p_a` and `p_b` (how a desk moves one up
-- or down); both locked first, so a swap meets the other desks' whole.
CREATE FUNCTION tickets.swap_shared_views(p_a bigint, p_b bigint, p_at bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor bigint := tickets.me();
    at_a bigint;
    at_b bigint;
BEGIN
    PERFORM 1 FROM tickets.shared_views WHERE id IN (p_a, p_b) ORDER BY id FOR UPDATE;
    SELECT position INTO at_a FROM tickets.shared_views WHERE id = p_a;
    IF NOT FOUND THEN
        PERFORM tickets.missing('shared view', p_a);
    END IF;
    SELECT position INTO at_b FROM tickets.shared_views WHERE id = p_b;
    IF NOT FOUND THEN
        PERFORM tickets.missing('shared view', p_b);
    END IF;
    UPDATE tickets.shared_views
    SET position = CASE WHEN id = p_a THEN at_b ELSE at_a END, updated_at = p_at
    WHERE id IN (p_a, p_b);
    PERFORM tickets.changed();
END $$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA tickets FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    tickets.share_view(text, text, bigint),
    tickets.update_shared_view(bigint, text, text, bigint),
    tickets.delete_shared_view(bigint),
    tickets.swap_shared_views(bigint, bigint, bigint)
TO :agents;
