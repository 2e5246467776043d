#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on a free loopback port as the postgres user and print
# the `export` lines that point the tests at it (eval "$(scripts/pg_up.sh)"). For tests and
# benchmarks only: the data lives in a temporary folder that scripts/pg_down.sh removes.
# PG_DURABLE=1 keeps fsync on (the benchmark measures real commits); the default turns it off.
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$PGBIN" ]; then
  echo "pg_up: PostgreSQL is not installed; apt-get install -y postgresql" >&2
  exit 1
fi
PGROOT=$(mktemp -d /tmp/pg.XXXXXX)
chmod 755 "$PGROOT"
RUN=(sh -c)
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$PGROOT"
  RUN=(su postgres -s /bin/sh -c)
fi
PGPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
FAST="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
[ "${PG_DURABLE:-0}" = 1 ] && FAST=""
"${RUN[@]}" "$PGBIN/initdb -D $PGROOT/data -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync" >"$PGROOT/initdb.log"
"${RUN[@]}" "$PGBIN/pg_ctl -D $PGROOT/data -l $PGROOT/server.log -w -t 30 -o '-p $PGPORT -k $PGROOT -c listen_addresses=127.0.0.1 -c max_connections=200 $FAST' start" >/dev/null
"${RUN[@]}" "$PGBIN/createdb -h 127.0.0.1 -p $PGPORT -U postgres linesheets_test"
echo "export PGROOT=$PGROOT"
echo "export LINESHEETS_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$PGPORT/linesheets_test"
