-- Migration 11: links between tickets, and tickets merged into others.
-- Frozen: files in the field were made with exactly this text. Never edit it;
-- change the schema with a new migration (schema.rs checks the text has not changed).

-- One row per link: 'related' (stored once, the lower number first: it
-- reads the same both ways), 'duplicate' (ticket_a is a duplicate of
-- ticket_b) or 'merged' (ticket_a was merged into ticket_b; a ticket is
-- merged once, and never changes after). Who made it, and when.
CREATE TABLE ticket_links (
    ticket_a    INTEGER NOT NULL REFERENCES tickets(id),
    ticket_b    INTEGER NOT NULL REFERENCES tickets(id),
    kind        TEXT NOT NULL,
    agent_id    INTEGER REFERENCES agents(id),
    at          INTEGER NOT NULL,
    PRIMARY KEY (ticket_a, ticket_b, kind),
    CHECK (ticket_a <> ticket_b)
) WITHOUT ROWID;
CREATE INDEX ticket_links_b ON ticket_links(ticket_b, ticket_a);
CREATE UNIQUE INDEX ticket_links_merged ON ticket_links(ticket_a) WHERE kind = 'merged';
