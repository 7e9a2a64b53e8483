-- Migration 6: the list sorts and filters by a ticket's last change.
-- Frozen: files in the field were made with exactly this text. Never edit it;
-- change the schema with a new migration (schema.rs checks the text has not changed).

-- Serves the Updated column's sort (walked in either direction, ties in
-- number order as the index ends in the row id) and the "Recently updated"
-- view, a range of the newest changes, without reading every ticket.
CREATE INDEX tickets_updated ON tickets(updated_at);
