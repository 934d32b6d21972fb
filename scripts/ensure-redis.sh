#!/usr/bin/env bash
# Make sure Debian's Redis server is present: the shared cache of an office deployment (issue 18)
# and the tests that run it (each test session starts its own redis-server on a free port and stops
# it). As root, install it with apt (no service is started); otherwise say what to install.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's redis-server (the shared cache's tests)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq redis-server >/dev/null
  exit 0
fi
echo "The shared-cache tests need Debian's redis-server: apt-get install -y redis-server" >&2
exit 1
