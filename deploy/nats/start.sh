#!/bin/sh
# Starts nats-server on nats.conf (beside this script) once every service password is usable; extra arguments go to
# nats-server (JetStream store, monitoring port, listen address). nats-server reads a password from the environment
# as a config value: an empty one means "no password", and one starting with a digit is read as a number or refused.
set -eu
for v in NATS_PASSWORD_GATEWAY NATS_PASSWORD_AUTH NATS_PASSWORD_ROUTER NATS_PASSWORD_BILLING NATS_PASSWORD_LOG_WRITER; do
  eval "p=\${$v:-}"
  case "$p" in
    '') echo "$v is not set" >&2; exit 1 ;;
    [!A-Za-z]* | *[!A-Za-z0-9]*) echo "$v must start with a letter and hold only letters and digits: sb\$(openssl rand -hex 24)" >&2; exit 1 ;;
  esac
  if [ "${#p}" -lt 16 ]; then echo "$v is shorter than 16 characters" >&2; exit 1; fi
done
exec nats-server -c "$(dirname "$0")/nats.conf" -js "$@"
