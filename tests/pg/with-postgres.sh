#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL 15 server:
#   tests/pg/with-postgres.sh COMMAND [ARGS...]
# The server lives in a fresh temporary directory, listens on 127.0.0.1 on a
# free port with trust authentication, and is stopped and removed when the
# command ends, whatever its outcome. The command sees
#   SCHEMAD_TEST_PG   postgresql://postgres@127.0.0.1:PORT   (no database part)
#   PGHOST PGPORT PGUSER   for psql and libpq defaults
# SCHEMAD_PG_OPTIONS adds server options ("-c max_locks_per_transaction=1024").
# PostgreSQL refuses to run as root: as root the server runs as the
# `postgres` OS user (runuser).
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -x "$PGBIN/initdb" ] || { echo "with-postgres: no PostgreSQL server binaries in $PGBIN (apt-get install postgresql-15)" >&2; exit 2; }
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

dir=$(mktemp -d /tmp/schemad-pg.XXXXXX)
chmod 755 "$dir"
[ "$(id -u)" = 0 ] && chown postgres: "$dir"
cleanup() {
  as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }

started=
for _ in $(seq 1 20); do
  port=$(( 20000 + RANDOM % 40000 ))
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue  # in use
  if as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
       -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off \
           -c synchronous_commit=off -c full_page_writes=off \
           -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all \
           -c log_min_messages=warning -c log_min_error_statement=error ${SCHEMAD_PG_OPTIONS:-}" start >/dev/null 2>&1; then
    started=1; break
  fi
done
[ -n "$started" ] || { echo "with-postgres: could not start PostgreSQL" >&2; cat "$dir/server.log" >&2 || true; exit 1; }

export SCHEMAD_TEST_PG="postgresql://postgres@127.0.0.1:$port"
export SCHEMAD_TEST_PG_LOG="$dir/server.log"
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
echo "with-postgres: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($dir)" >&2
status=0
"$@" || status=$?
exit $status
