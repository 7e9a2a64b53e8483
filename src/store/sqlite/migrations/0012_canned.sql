-- Migration 12: the team's canned replies, kept in the file.
-- Frozen: files in the field were made with exactly this text. Never edit it;
-- change the schema with a new migration (schema.rs checks the text has not changed).

-- A canned reply is a standard answer under a title: its body (placeholders
-- such as {{customer.name}} kept as written; they are filled when the reply
-- is inserted), the tags it adds and the status it sets on the ticket it is
-- used on (NULL: none). title_key is the title lower-cased: two titles that
-- differ only in case are one title. tags are one a line. The id never goes
-- to another reply (AUTOINCREMENT): the trail names a reply by its id, and
-- a window holding one deleted meanwhile is told it is gone.
CREATE TABLE canned_replies (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    title       TEXT NOT NULL,
    title_key   TEXT NOT NULL UNIQUE,
    body        TEXT NOT NULL,
    tags        TEXT NOT NULL,
    status      INTEGER,
    created_by  INTEGER REFERENCES agents(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Each use is a trail entry (kind 'canned', ref_id the reply, new_value
-- its title then); the analytics count them by time.
CREATE INDEX activity_canned ON activity(at, ref_id) WHERE kind = 'canned';
