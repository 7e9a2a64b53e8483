-- Team migration 18: a customer's search words kept with the customer.
-- Frozen once released; change the schema with a new migration.
--
-- A ticket's search words are its subject's and its customer's (migration
-- 3). The customer's were worked out again for every ticket written, and
-- that was most of writing one: two thirds of an import's time on the
-- server (10,000 tickets: 3.5 s of 5.3 s, by track_functions). They are now
-- a stored column, worked out when the customer is written, by the same
-- function, so every ticket finds the same words as before.

ALTER TABLE tickets.customers ADD COLUMN words tsvector
    GENERATED ALWAYS AS (tickets.customer_words(name, email, company)) STORED;

CREATE OR REPLACE FUNCTION tickets.search_of(p_subject text, p_customer bigint) RETURNS tsvector
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT tickets.words_at(p_subject, 0) || coalesce(
        (SELECT c.words FROM tickets.customers c WHERE c.id = p_customer), ''::tsvector)
$$;
