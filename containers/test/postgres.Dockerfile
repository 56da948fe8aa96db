# Test-only stand-in for the official postgres image (no registry is
# reachable here): Debian's PostgreSQL 15, configured by the same
# POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB variables.
FROM docker.io/library/debian:bookworm
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null \
 && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
COPY containers/test/postgres-entrypoint.sh /usr/local/bin/entrypoint
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/entrypoint"]
