-- Team migration 7: a report of a past period reads each ticket's status
-- and priority then and now from the trail's index alone.
-- Frozen once released; change the schema with a new migration.
--
-- A report of a period that has ended (last month) counts tickets as they
-- were at its end: a ticket changed since was as its first change since
-- came "from", and is now as its last change went "to". Migration 1's
-- partial indexes hold only (at, ticket_id), so each of those changes was
-- fetched from the table (17,741 status changes in the five days after
-- last month's end at 1M tickets: 31 ms), and the tickets' statuses now
-- were read again by their numbers (three more queries, ~45 ms). Carried in
-- the index (INCLUDE: the order is unchanged), both come from one index-only
-- scan: 9 ms cold (psql, the same query; see docs/TEAM.md). The status
-- index grows from 118 MB to 312 MB at 1M tickets (10.8M trail entries).

DROP INDEX tickets.activity_status_changes;
DROP INDEX tickets.activity_priority_changes;
CREATE INDEX activity_status_moves ON tickets.activity (at, ticket_id)
    INCLUDE (id, old_value, new_value) WHERE kind = 'status';
CREATE INDEX activity_priority_moves ON tickets.activity (at, ticket_id)
    INCLUDE (id, old_value, new_value) WHERE kind = 'priority';
