-- Team migration 3: search with PostgreSQL's own full-text search.
-- Frozen once released; change the schema with a new migration.
--
-- A ticket is found by the words of its subject and of its customer's name,
-- email and company, as on the desk's file: text is lowered (Unicode case,
-- whatever the database's locale) and cut into words at white space, control
-- characters and every ASCII character that is not a letter or a digit (so
-- an email is its words too); each typed word matches a word or the start of
-- one (`:*`). The words are made here rather than by a text search parser,
-- whose idea of a letter follows the database's locale (in the C locale an
-- "é" would end a word). They are kept in a column (triggers keep it
-- current, also when a customer changes) under a GIN index. Measured at 1M
-- tickets against pg_trgm: see docs/TEAM.md.

CREATE FUNCTION tickets.words(p text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT array_to_tsvector(array_remove(regexp_split_to_array(
        lower(coalesce(p, '') COLLATE "und-x-icu"),
        '([\x01-\x2f\x3a-\x40\x5b-\x60\x7b-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])+'),
        ''))
$$;

CREATE FUNCTION tickets.search_of(p_subject text, p_customer bigint) RETURNS tsvector
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT tickets.words(p_subject) || coalesce(
        (SELECT tickets.words(c.name || ' ' || c.email || ' ' || c.company)
         FROM tickets.customers c WHERE c.id = p_customer), ''::tsvector)
$$;

ALTER TABLE tickets.tickets ADD COLUMN search tsvector;
UPDATE tickets.tickets SET search = tickets.search_of(subject, customer_id);

CREATE FUNCTION tickets.ticket_search_track() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    NEW.search := tickets.search_of(NEW.subject, NEW.customer_id);
    RETURN NEW;
END $$;
CREATE TRIGGER ticket_search_track BEFORE INSERT OR UPDATE OF subject, customer_id
    ON tickets.tickets FOR EACH ROW EXECUTE FUNCTION tickets.ticket_search_track();

CREATE FUNCTION tickets.customer_search_track() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE tickets.tickets SET search = tickets.search_of(subject, customer_id)
    WHERE customer_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER customer_search_track AFTER UPDATE OF name, email, company
    ON tickets.customers FOR EACH ROW EXECUTE FUNCTION tickets.customer_search_track();

CREATE INDEX tickets_search ON tickets.tickets USING gin (search);
CREATE INDEX customers_search ON tickets.customers
    USING gin (tickets.words(name || ' ' || email || ' ' || company));

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA tickets FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tickets.words(text) TO :agents;
GRANT SELECT ON ALL TABLES IN SCHEMA tickets TO :agents;
