#!/usr/bin/env bash
# Make sure Debian's nginx is present: the reverse proxy of `make serve-office` (issue 18). As root,
# install nginx-light with apt (no service is started); otherwise say what to install.
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's nginx-light (make serve-office)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq nginx-light >/dev/null
  exit 0
fi
echo "make serve-office needs Debian's nginx: apt-get install -y nginx-light" >&2
exit 1
