#!/bin/sh
# pg_trgm against the stored tsvector on the bench server (see docs/TEAM.md, "Search:
# tsvector or pg_trgm"). Needs a database moved in with benches/pg-server.sh load N.
# Each search: first page (100 newest) and exact total, with the stored tsvector and with pg_trgm.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
export OUT=${OUT:-/tmp/search-compare}; mkdir -p "$OUT"
P="/usr/lib/postgresql/15/bin/psql -h /tmp/pgbench -U tickets_owner -d tickets_1000000 -At"
EMAIL=$($P -c "select email from tickets.customers where id = 1")
ORDERNO=$($P -c "select split_part(subject, '#', 2) from tickets.tickets where subject like 'Refund request for order #%' order by id desc limit 1")
q() { $P -c "select tickets.query_of(ARRAY[$1])::text" | sed "s/'/''/g"; }
run() { "$HERE/run.sh" "$@"; }
echo "search                                   median_ms    p95_ms"
for spec in "short_word|'sso'|words LIKE '%sso%'" \
            "common_word|'order'|words LIKE '%order%'" \
            "prefix_2_letters|'re'|words LIKE '%re%'" \
            "prefix_4_letters|'refu'|words LIKE '%refu%'" \
            "multi_word|'refund','request','order'|words LIKE '%refund%' AND words LIKE '%request%' AND words LIKE '%order%'" \
            "rare_word|'$ORDERNO'|words LIKE '%$ORDERNO%'" \
            "email|'$EMAIL'|words LIKE '%$EMAIL%'"; do
  name=${spec%%|*}; rest=${spec#*|}; words=${rest%%|*}; trgm=${rest#*|}
  tsq=$(q "$words")
  run "tsv_${name}_page"  "SELECT id FROM tickets.tickets WHERE search @@ '$tsq'::tsquery ORDER BY id DESC LIMIT 100"
  run "tsv_${name}_total" "SELECT count(*) FROM tickets.tickets WHERE search @@ '$tsq'::tsquery"
  run "trgm_${name}_page"  "SELECT id FROM public.trgm_probe WHERE $trgm ORDER BY id DESC LIMIT 100"
  run "trgm_${name}_total" "SELECT count(*) FROM public.trgm_probe WHERE $trgm"
  echo "  ($name: tsquery $tsq; totals tsv=$($P -c "SELECT count(*) FROM tickets.tickets WHERE search @@ '$tsq'::tsquery") trgm=$($P -c "SELECT count(*) FROM public.trgm_probe WHERE $trgm"))"
done
