# Both binaries, gophermart and accrual, in one image. The build stage runs
# the project's own scripts (the path the tests take); the runtime stage has
# only the binaries and the libraries they link, and runs as a user of its
# own. `docker compose up -d` builds it (see docker-compose.yml).

FROM docker.io/library/debian:bookworm AS build
# Extra CA certificates, only for a build behind a TLS-inspecting proxy
# (containers/extra-ca/README.md); none for a user's build.
COPY containers/extra-ca/ /usr/local/share/ca-certificates/extra/
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates >/dev/null \
 && update-ca-certificates >/dev/null
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
WORKDIR /src
COPY . .
RUN GM_DEPS=build scripts/build release gophermart accrual
# The Debian packages of every library the binaries load, for the runtime
# stage (a library may be registered under /lib or /usr/lib: merged /usr).
RUN for library in $(ldd build/release/gophermart build/release/accrual | awk '$3 ~ /^\// { print $3 }' | sort -u); do \
      dpkg -S "$library" 2>/dev/null || dpkg -S "/usr$library" 2>/dev/null || dpkg -S "${library#/usr}" \
        || { echo "no package has $library" >&2; exit 1; }; \
    done | cut -d: -f1 | sort -u > /runtime-packages && cat /runtime-packages

FROM docker.io/library/debian:bookworm
COPY --from=build /runtime-packages /runtime-packages
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends curl $(cat /runtime-packages) >/dev/null \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /var/lib/gophermart gophermart
COPY --from=build /src/build/release/gophermart /src/build/release/accrual /usr/local/bin/
USER gophermart
WORKDIR /var/lib/gophermart
# Listen on every interface inside the container (the defaults are localhost).
ENV RUN_ADDRESS=:8080
EXPOSE 8080 8081 8082
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=12 \
  CMD curl -fsS "http://127.0.0.1:${HEALTH_PORT:-8080}/healthz" >/dev/null || exit 1
CMD ["gophermart"]
