-- Team migration 6: a jump deep into the list sorted by subject reads the
-- subject index alone.
-- Frozen once released; change the schema with a new migration.
--
-- Migration 4's `tickets_subject_order` is built on lower(subject COLLATE
-- "C"). PostgreSQL reads an expression index without the table only when
-- every column the query names is in the index, and it does not see that
-- `subject` is needed only inside the expression: so a page at offset
-- 500,000 of a million tickets sorted by subject fetched 500,100 table rows
-- (630-870 ms). With the subject itself carried in the index (INCLUDE, not
-- part of the key, so the order is unchanged), the same page is read from
-- the index alone: 53 ms median at 1,000,000 tickets (psql, the same query;
-- see docs/TEAM.md). The index grows from 64 MB to 106 MB at 1M tickets.

DROP INDEX tickets.tickets_subject_order;
CREATE INDEX tickets_subject_order ON tickets.tickets (lower(subject COLLATE "C") NULLS FIRST, id)
    INCLUDE (subject);
