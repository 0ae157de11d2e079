#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on 127.0.0.1 for the cohort-registry tests.
#
#   eval "$(bash .ci/postgres.sh)"          # sets TUMORBOARD_TEST_POSTGRES_URL (and _DIR)
#   bash .ci/postgres.sh --stop             # stops the server in $TUMORBOARD_TEST_POSTGRES_DIR
#
# Installs the Debian `postgresql` package when it is missing (root only, Debian registry only),
# initialises a cluster in a fresh temporary folder owned by a non-root user (`postgres`, created
# by the package), starts it on a free loopback port with password authentication, creates a
# database, and prints only `export ...` lines on stdout (everything else goes to stderr).
set -euo pipefail

log() { echo "postgres.sh: $*" >&2; }

pg_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$found" ] && [ -x "$found/initdb" ] && echo "$found"
}

as_owner() {  # run a command as the cluster owner
  if [ "$(id -u)" = "0" ]; then
    runuser -u "$OWNER" -- "$@"
  else
    "$@"
  fi
}

if [ "${1:-}" = "--stop" ]; then
  dir="${TUMORBOARD_TEST_POSTGRES_DIR:?TUMORBOARD_TEST_POSTGRES_DIR is not set}"
  BIN=$(pg_bin)
  OWNER=$(stat -c %U "$dir/data")
  as_owner "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >&2
  rm -rf "$dir"
  exit 0
fi

BIN=$(pg_bin || true)
if [ -z "$BIN" ]; then
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
    log "PostgreSQL is not installed and I cannot install it (need root and apt-get)"
    exit 1
  fi
  log "installing the Debian postgresql package"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
  BIN=$(pg_bin)
fi

if [ "$(id -u)" = "0" ]; then
  OWNER=postgres
  id -u "$OWNER" >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin "$OWNER"
else
  OWNER=$(id -un)
fi

DIR=$(mktemp -d /tmp/tumorboard-pg.XXXXXX)
chmod 700 "$DIR"
[ "$(id -u)" = "0" ] && chown "$OWNER" "$DIR"
PASSWORD=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$PASSWORD" >"$DIR/pwfile"
[ "$(id -u)" = "0" ] && chown "$OWNER" "$DIR/pwfile"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

log "initialising a cluster in $DIR (owner $OWNER, $("$BIN/postgres" --version))"
as_owner "$BIN/initdb" -D "$DIR/data" -U tumorboard --pwfile="$DIR/pwfile" \
  --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
  || as_owner "$BIN/initdb" -D "$DIR/data" -U tumorboard --pwfile="$DIR/pwfile" \
       --auth=scram-sha-256 --encoding=UTF8 --no-locale >"$DIR/initdb.log" 2>&1 \
  || { cat "$DIR/initdb.log" >&2; exit 1; }
rm -f "$DIR/pwfile"

as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c max_connections=100 -c fsync=off" \
  start >&2 || { cat "$DIR/server.log" >&2; exit 1; }

PGPASSWORD="$PASSWORD" "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U tumorboard tumorboard_test >&2
log "PostgreSQL running on 127.0.0.1:$PORT (database tumorboard_test)"
echo "export TUMORBOARD_TEST_POSTGRES_URL=postgresql+psycopg://tumorboard:$PASSWORD@127.0.0.1:$PORT/tumorboard_test"
echo "export TUMORBOARD_TEST_POSTGRES_DIR=$DIR"
