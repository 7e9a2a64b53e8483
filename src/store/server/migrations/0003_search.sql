-- Team migration 3: search with PostgreSQL's own full-text search.
-- Frozen once released; change the schema with a new migration.
--
-- A ticket is found by the words of its subject and of its customer's name,
-- email and company, as on the desk's file: text is folded (no diacritics,
-- Unicode lower case whatever the database's locale) and cut into words at white space, control
-- characters and every ASCII character that is not a letter or a digit (so
-- an email is its words too); each typed word matches a word or the start of
-- one (`:*`). The words are made here rather than by a text search parser,
-- whose idea of a letter follows the database's locale (in the C locale an
-- "é" would end a word). They are kept in a column (triggers keep it
-- current, also when a customer changes) under a GIN index. Measured at 1M
-- tickets against pg_trgm: see docs/TEAM.md.

-- Diacritics go (unaccent, as the file's tokenizer removes them): "cafe"
-- finds "Café".
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA tickets;

-- Text as search compares it: without diacritics, in lower case.
CREATE FUNCTION tickets.fold(p text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT lower(tickets.unaccent('tickets.unaccent'::regdictionary, coalesce(p, '')) COLLATE "und-x-icu")
$$;

-- The parts of folded text between separators.
CREATE FUNCTION tickets.parts(p text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT array_remove(regexp_split_to_array(tickets.fold(p),
        '([\x01-\x2f\x3a-\x40\x5b-\x60\x7b-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])+'),
        '')
$$;

-- The words a text is found by, at positions from `p_from` + 1 (a typed
-- `e-mail` must find the two words in a row).
CREATE FUNCTION tickets.words_at(p text, p_from integer) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce((SELECT string_agg(chr(39) || part || chr(39) || ':' || (p_from + i), ' ')
                     FROM unnest(tickets.parts(p)) WITH ORDINALITY AS x(part, i))::tsvector,
                    ''::tsvector)
$$;

-- A customer's words: name, email and company apart (a phrase does not run
-- from one into the next, as on the file).
CREATE FUNCTION tickets.customer_words(p_name text, p_email text, p_company text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT tickets.words_at(p_name, 1000) || tickets.words_at(p_email, 1000)
        || tickets.words_at(p_company, 1000)
$$;

-- What was typed (its words, emails left out) as a query: every word must
-- match, as a word or the start of one; a typed word cut in several parts
-- (`e-mail`) is those parts in a row, the last as a prefix. NULL where no
-- word holds anything searchable. Separators include every quote and
-- backslash, so no part can break out of its quotes.
CREATE FUNCTION tickets.query_of(p_words text[]) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT nullif(string_agg(term, ' & ' ORDER BY n), '')::tsquery
    FROM (
        SELECT n, (SELECT string_agg(chr(39) || part || chr(39), ' <-> ' ORDER BY i)
                   FROM unnest(tickets.parts(w)) WITH ORDINALITY AS x(part, i)) || ':*' AS term
        FROM unnest(p_words) WITH ORDINALITY AS y(w, n)
    ) terms
    WHERE term IS NOT NULL
$$;

CREATE FUNCTION tickets.search_of(p_subject text, p_customer bigint) RETURNS tsvector
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT tickets.words_at(p_subject, 0) || coalesce(
        (SELECT tickets.customer_words(c.name, c.email, c.company)
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
    USING gin (tickets.customer_words(name, email, company));

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA tickets FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tickets.unaccent(regdictionary, text), tickets.fold(text), tickets.parts(text), tickets.words_at(text, integer),
    tickets.customer_words(text, text, text),
    tickets.query_of(text[]) TO :agents;
GRANT SELECT ON ALL TABLES IN SCHEMA tickets TO :agents;

-- The list sorts subjects as the file does: ignoring the case of ASCII
-- letters only, then byte by byte (lower() under "C" lowers ASCII alone).
CREATE INDEX tickets_subject_sort ON tickets.tickets (lower(subject COLLATE "C"), id);
