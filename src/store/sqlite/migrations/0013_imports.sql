-- Migration 13: tickets imported from other help desks.
-- Frozen: files in the field were made with exactly this text. Never edit it;
-- change the schema with a new migration (schema.rs checks the text has not changed).

-- Each imported ticket's id in the help desk it came from: `source` names
-- that desk ('zendesk', 'freshdesk', 'osticket', 'helpscout', or
-- 'csv:<mapping name>'), `external_id` is its id there. Importing the same
-- source again finds the ticket by it and updates it instead of making
-- another; the panel shows it, and the list's search finds a ticket by it
-- (the id alone, or 'source:id').
CREATE TABLE ticket_refs (
    source      TEXT NOT NULL,
    external_id TEXT NOT NULL,
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
    PRIMARY KEY (source, external_id)
) WITHOUT ROWID;
CREATE INDEX ticket_refs_ticket ON ticket_refs(ticket_id);
CREATE INDEX ticket_refs_external ON ticket_refs(external_id);

-- Where an import stands: `import_key` is what the importer makes of the
-- file's identity; `line` the last source line whose batch committed (in
-- the same transaction as that batch), so a cancelled or failed import
-- goes on after it. Who ran it, and when. Cleared when an import finishes.
CREATE TABLE import_checkpoints (
    import_key  TEXT PRIMARY KEY,
    line        INTEGER NOT NULL,
    agent_id    INTEGER REFERENCES agents(id),
    at          INTEGER NOT NULL
);
