#!/bin/sh
# A local PostgreSQL server for the store benchmark's team-server run
# (`cargo bench --bench store -- --tickets N --db URL`): see the head of
# benches/store.rs for the whole sequence.
#
#   benches/pg-server.sh start     initdb (once) and start the server
#   benches/pg-server.sh load N    a database holding target/bench/store-N.db,
#                                  moved in with `tickets server init` + `import`
#                                  (needs target/release/tickets); prints its URL
#   benches/pg-server.sh url N     the URL the benchmark signs in with
#   benches/pg-server.sh psql N    psql on that database, as the owner
#   benches/pg-server.sh stop      stop the server and delete its folder
#
# The server listens on a Unix socket only (no TCP port), in $PGBENCH_DIR
# (default /tmp/pgbench), which also holds its data and its log. As root it
# runs as the `postgres` user, as PostgreSQL requires. Settings: the
# defaults of PostgreSQL 15 (fsync, synchronous_commit and full_page_writes
# on: a change is measured as committed to disk), except shared_buffers =
# 1GB (the default 128MB would not hold a 1M-ticket desk's hot indexes; a
# team's server is given memory) and effective_cache_size = 4GB.
set -eu

DIR=${PGBENCH_DIR:-/tmp/pgbench}
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
OWNER=tickets_owner
AGENT=bench_agent
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
TICKETS=${TICKETS_BIN:-$TARGET/release/tickets}

as_server() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

url() { echo "postgres://$1@/tickets_$2?host=$DIR"; }

case "${1:-}" in
start)
    if [ ! -d "$DIR/data" ]; then
        mkdir -p "$DIR"
        [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
        as_server "$BIN/initdb" -D "$DIR/data" -U "$OWNER" --auth=trust \
            --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    as_server "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$DIR' \
            -c shared_buffers=1GB -c effective_cache_size=4GB" start
    ;;
load)
    n=$2
    as_server "$BIN/createdb" -h "$DIR" -U "$OWNER" "tickets_$n"
    "$TICKETS" server init "$(url "$OWNER" "$n")" --name "Olu Owner"
    "$TICKETS" server import --from "$TARGET/bench/store-$n.db" "$(url "$OWNER" "$n")"
    # The benchmark signs in as an ordinary agent with their own login.
    "$TICKETS" server add-agent "$(url "$OWNER" "$n")" --name "Bench Agent" --login "$AGENT"
    as_server "$BIN/psql" -h "$DIR" -U "$OWNER" -d "tickets_$n" -q -c "VACUUM ANALYZE"
    url "$AGENT" "$n"
    ;;
url)
    url "$AGENT" "$2"
    ;;
psql)
    n=$2
    shift 2
    as_server "$BIN/psql" -h "$DIR" -U "$OWNER" -d "tickets_$n" "$@"
    ;;
stop)
    as_server "$BIN/pg_ctl" -D "$DIR/data" -m fast stop || true
    rm -rf "$DIR"
    ;;
*)
    sed -n '2,20p' "$0"
    exit 2
    ;;
esac
