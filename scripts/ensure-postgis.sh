#!/usr/bin/env bash
# Make sure Debian's PostgreSQL 15 and PostGIS 3 are present: the warehouse backend of an office
# deployment (issue 18) and the tests that publish to it (each test session makes its own cluster
# on a free port and removes it). As root, install them with apt (the packages' own cluster is left
# stopped); otherwise say what to install.
set -euo pipefail
if [ -x /usr/lib/postgresql/15/bin/initdb ] && [ -f /usr/share/postgresql/15/extension/postgis.control ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's postgresql-15 and postgresql-15-postgis-3 (the PostGIS backend's tests)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql-15 postgresql-15-postgis-3 >/dev/null
  exit 0
fi
echo "The PostGIS tests need Debian's postgresql-15 and postgresql-15-postgis-3:" >&2
echo "  apt-get install -y postgresql-15 postgresql-15-postgis-3" >&2
exit 1
