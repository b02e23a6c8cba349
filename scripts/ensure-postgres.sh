#!/usr/bin/env bash
# Prints a superuser URL of a reachable PostgreSQL server for the tests, starting one if needed:
#  1. $TEST_PG_URL if it answers;
#  2. the machine's server on 127.0.0.1:5432 (user postgres, trust auth);
#  3. a private throwaway cluster (Debian's postgresql, installed with apt-get when missing and we are root).
# Never prints anything else on stdout; diagnostics go to stderr. Exits non-zero if no server can be had.
set -euo pipefail
log() { echo "[ensure-postgres] $*" >&2; }
answers() { pg_isready -q -d "$1" 2>/dev/null && psql "$1" -Atqc 'select 1' >/dev/null 2>&1; }

if [ -n "${TEST_PG_URL:-}" ] && command -v pg_isready >/dev/null && answers "$TEST_PG_URL"; then echo "$TEST_PG_URL"; exit 0; fi
SYSTEM_URL="postgres://postgres@127.0.0.1:5432/postgres"
if command -v pg_isready >/dev/null && answers "$SYSTEM_URL"; then echo "$SYSTEM_URL"; exit 0; fi

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "PostgreSQL is not installed; installing Debian's postgresql"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
  else
    log "No PostgreSQL server reachable and none installed. Install it (apt-get install postgresql) or set TEST_PG_URL."
    exit 1
  fi
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
PORT=${TEST_PG_PORT:-54329}
DIR=${TEST_PG_DIR:-/tmp/amazon-ads-sync-test-pg}
URL="postgres://postgres@127.0.0.1:${PORT}/postgres"
if answers "$URL"; then echo "$URL"; exit 0; fi
RUN=()
if [ "$(id -u)" = 0 ]; then RUN=(runuser -u postgres --); fi
if [ ! -f "$DIR/PG_VERSION" ]; then
  log "Creating a private throwaway cluster in $DIR (port $PORT)"
  mkdir -p "$DIR"; [ "$(id -u)" = 0 ] && chown postgres "$DIR"
  "${RUN[@]}" "$BIN/initdb" -D "$DIR" -U postgres --auth=trust --no-sync >/dev/null
fi
"${RUN[@]}" "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >&2
answers "$URL" || { log "the private cluster did not come up; see $DIR/server.log"; exit 1; }
echo "$URL"
