-- Team migration 8: the list sorts and filters by a ticket's last change.
-- Frozen once released; change the schema with a new migration.
--
-- Built `updated_at, id` as migration 4's sort indexes are: read forwards it
-- is the Updated column's ascending order, backwards the descending one, and
-- a range of it is the "Recently updated" view (the last day's changes)
-- without a pass over every ticket. updated_at is never NULL.
CREATE INDEX tickets_updated_order ON tickets.tickets (updated_at, id);
