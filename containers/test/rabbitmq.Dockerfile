# Test-only stand-in for the official rabbitmq image: Debian's RabbitMQ 3.10,
# configured by the same RABBITMQ_DEFAULT_USER / RABBITMQ_DEFAULT_PASS.
FROM docker.io/library/debian:bookworm
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rabbitmq-server >/dev/null \
 && rm -rf /var/lib/apt/lists/*
COPY containers/test/rabbitmq-entrypoint.sh /usr/local/bin/entrypoint
EXPOSE 5672
ENTRYPOINT ["/usr/local/bin/entrypoint"]
