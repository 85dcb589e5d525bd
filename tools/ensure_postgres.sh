#!/usr/bin/env bash
# Make sure the PostgreSQL server binaries (initdb, pg_ctl, postgres) and an unprivileged
# user to run them exist, so the register's tests can start a real, private server.
# Idempotent and quick when all is present; installs with apt-get otherwise (needs root).
# The tests start and stop the server themselves (tests/register/conftest.py).
set -euo pipefail

have_binaries() { compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null; }

if ! have_binaries && ! command -v initdb > /dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "ensure_postgres: PostgreSQL server binaries are missing; run as root to install them" >&2
    exit 1
  fi
  echo "ensure_postgres: installing the PostgreSQL server (apt-get install postgresql)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql > /dev/null
fi

# initdb and postgres refuse to run as root: the tests run them as this user.
if [ "$(id -u)" -eq 0 ] && ! id postgres > /dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin postgres
fi
exit 0
