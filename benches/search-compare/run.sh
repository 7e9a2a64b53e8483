#!/bin/sh
# usage: run.sh NAME 'SQL'  -> NAME median p95 (ms, psql's \timing) over 25 runs after 3 warm-up
set -eu
name=$1; sql=$2
(printf '%s\n' '\timing on'; i=0; while [ $i -lt 28 ]; do echo "$sql;"; i=$((i+1)); done) > "$OUT/$name.sql"
/usr/lib/postgresql/15/bin/psql -h /tmp/pgbench -U tickets_owner -d ${DB:-tickets_1000000} -q -f "$OUT/$name.sql" -o /dev/null \
 | awk '/^Time:/{print $2}' | tail -n +4 | sort -n | awk -v n="$name" '{a[NR]=$1} END {m=a[int((NR+1)/2)]; r=int(0.95*NR); if (r<0.95*NR) r++; printf "%-40s %9.2f %9.2f\n", n, m, a[r]}'
