-- Team migration 4: the list reads its sorts and its sidebar counts from indexes.
-- Frozen once released; change the schema with a new migration.
--
-- The list orders an ascending sort with no value first and a descending
-- one with no value last, as the file does (`ORDER BY e ASC NULLS FIRST,
-- id ASC` and `e DESC NULLS LAST, id DESC`), and compares customer and
-- assignee keys byte by byte (COLLATE "C"). PostgreSQL reads an index in
-- an ORDER BY's order only where the index was built in that order,
-- NULLS placement and collation included: the indexes of migrations 1 and
-- 3 were built `e ASC NULLS LAST` (and the keys in the database's own
-- collation), so every sort but by number read and sorted every ticket for
-- each page (70-150 ms at 100,000 tickets; a page read on from a row deep
-- in the list the same). Built `e NULLS FIRST, id`, an index read forwards
-- is the ascending order and read backwards the descending one; it also
-- serves everything the index it replaces served (equality, ranges,
-- `IS NULL`), so those go.
--
-- The sidebar's counts under a customer filter (a customer, or a customer
-- tag) group the customers' tickets by status and by priority: with both in
-- the customer index they are counted from the index alone, where the
-- planner otherwise read every ticket (43 ms against 2.4 ms at 100,000
-- tickets, for the "vip" customers).

CREATE INDEX tickets_subject_order ON tickets.tickets (lower(subject COLLATE "C") NULLS FIRST, id);
CREATE INDEX tickets_status_order ON tickets.tickets (status NULLS FIRST, id);
CREATE INDEX tickets_priority_order ON tickets.tickets (priority NULLS FIRST, id);
CREATE INDEX tickets_customer_order ON tickets.tickets (customer_key COLLATE "C" NULLS FIRST, id);
CREATE INDEX tickets_assignee_order ON tickets.tickets (assignee_key COLLATE "C" NULLS FIRST, id);

CREATE INDEX tickets_customer_codes ON tickets.tickets (customer_id, id) INCLUDE (status, priority);

DROP INDEX tickets.tickets_subject_sort;
DROP INDEX tickets.tickets_priority;
DROP INDEX tickets.tickets_customer_key;
DROP INDEX tickets.tickets_assignee_key;
DROP INDEX tickets.tickets_customer;
