-- Migration 7: bulk actions. Each run is a batch, and every activity entry
-- it wrote points to it, so the trail shows the change was a bulk one.
-- Frozen: files in the field were made with exactly this text. Never edit it;
-- change the schema with a new migration (schema.rs checks the text has not changed).

-- One bulk run: who ran it, when, what it was (the window's label, such as
-- "set status to Waiting"; never a note's text), how many tickets it
-- changed (while it runs, how many it was asked to), and the run it undid.
CREATE TABLE bulk_batches (
    id          INTEGER PRIMARY KEY,
    agent_id    INTEGER NOT NULL REFERENCES agents(id),
    at          INTEGER NOT NULL,
    description TEXT NOT NULL,
    size        INTEGER NOT NULL,
    undoes      INTEGER REFERENCES bulk_batches(id)
);

-- The run an entry was part of; none for a change made on its own.
ALTER TABLE activity ADD COLUMN batch_id INTEGER REFERENCES bulk_batches(id);

-- A run's entries, ticket by ticket: closing a run counts them; only
-- entries of runs are in it.
CREATE INDEX activity_batch ON activity(batch_id, ticket_id) WHERE batch_id IS NOT NULL;
