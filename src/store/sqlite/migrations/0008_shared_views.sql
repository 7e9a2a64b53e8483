-- Migration 8: views shared with the team, kept in the file.
-- Frozen: files in the field were made with exactly this text. Never edit it;
-- change the schema with a new migration (schema.rs checks the text has not changed).

-- A saved view is a filter (search included) and a sort under a name. A
-- personal one lives in the window's settings; one shared with the team
-- lives here, so every window on the file, and every desk once the file is
-- moved into a team server, lists the same ones in the same order.
--
-- The id never goes to another view (AUTOINCREMENT): a window holding the
-- id of a view deleted meanwhile is told it is gone, rather than changing
-- whichever view was shared next. name_key is the name lower-cased
-- (Unicode-aware, as the store's sort keys are): two names that differ only
-- in case are one name. definition is the filter and sort as JSON, kept as
-- the text written: a newer Tickets may write what this one cannot read,
-- and that view must survive being listed here. position orders the views
-- (ties by id); it is not unique, so two views swap places in one statement.
-- shared_by is who shared it; any agent may change or delete it.
CREATE TABLE shared_views (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    definition  TEXT NOT NULL,
    position    INTEGER NOT NULL,
    shared_by   INTEGER REFERENCES agents(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX shared_views_position ON shared_views(position);
