#!/bin/sh
# Initialises the data folder on the first start, then runs the server as
# the postgres user, listening on every interface with password logins.
set -eu
mkdir -p "$PGDATA" /run/postgresql
chown -R postgres:postgres "$PGDATA" /run/postgresql
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  printf '%s' "${POSTGRES_PASSWORD:?}" >/tmp/pwfile
  chown postgres /tmp/pwfile
  runuser -u postgres -- initdb -U "${POSTGRES_USER:-postgres}" --pwfile=/tmp/pwfile --auth-host=scram-sha-256 \
    --auth-local=trust >/dev/null
  rm /tmp/pwfile
  echo "host all all 0.0.0.0/0 scram-sha-256" >>"$PGDATA/pg_hba.conf"
  runuser -u postgres -- pg_ctl -w -o "-c listen_addresses=''" start >/dev/null
  if [ "${POSTGRES_DB:-postgres}" != postgres ]; then  # initdb makes only "postgres"
    runuser -u postgres -- psql -U "${POSTGRES_USER:-postgres}" -d postgres -qc "CREATE DATABASE \"$POSTGRES_DB\""
  fi
  runuser -u postgres -- pg_ctl -w stop >/dev/null
fi
exec runuser -u postgres -- postgres -c listen_addresses='*'
