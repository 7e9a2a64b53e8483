-- For benches/search-compare/measure.sh: a trigram copy of the searched text and both GIN
-- indexes built, timed. Undo with: DROP TABLE public.trgm_probe; DROP EXTENSION pg_trgm;
\timing on
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
SET work_mem = '256MB';
SET maintenance_work_mem = '256MB';
-- The text the list searches (subject; customer's name, email, company), folded as the app folds it.
CREATE TABLE public.trgm_probe AS
  SELECT t.id, tickets.fold(t.subject) || ' ' || tickets.fold(coalesce(c.name, '')) || ' '
          || tickets.fold(coalesce(c.email, '')) || ' ' || tickets.fold(coalesce(c.company, '')) AS words
  FROM tickets.tickets t LEFT JOIN tickets.customers c ON c.id = t.customer_id;
ALTER TABLE public.trgm_probe ADD PRIMARY KEY (id);
-- Build times: the trigram index, and the stored tsvector's GIN index built again beside the one in use.
CREATE INDEX trgm_probe_words ON public.trgm_probe USING gin (words gin_trgm_ops);
CREATE INDEX tickets_search_probe ON tickets.tickets USING gin (search);
VACUUM ANALYZE public.trgm_probe;
SELECT 'tsvector gin (tickets_search)' AS index, pg_size_pretty(pg_relation_size('tickets.tickets_search')) AS size
UNION ALL SELECT 'trigram gin (trgm_probe_words)', pg_size_pretty(pg_relation_size('public.trgm_probe_words'))
UNION ALL SELECT 'tsvector column (est. bytes)', pg_size_pretty(sum(pg_column_size(search))::bigint) FROM tickets.tickets
UNION ALL SELECT 'trigram text column (bytes)', pg_size_pretty(sum(pg_column_size(words))::bigint) FROM public.trgm_probe;
DROP INDEX tickets.tickets_search_probe;
