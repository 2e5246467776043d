#!/usr/bin/env bash
# Stop and remove a cluster that scripts/pg_up.sh started: scripts/pg_down.sh "$PGROOT".
set -uo pipefail
[ -n "${1:-}" ] && [ -d "$1/data" ] || { echo "pg_down: no cluster at '${1:-}'" >&2; exit 1; }
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
RUN=(sh -c)
[ "$(id -u)" = 0 ] && RUN=(su postgres -s /bin/sh -c)
"${RUN[@]}" "$PGBIN/pg_ctl -D $1/data -m immediate -w -t 30 stop" >/dev/null
rm -rf "$1"
