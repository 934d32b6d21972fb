#!/usr/bin/env bash
# Make sure a program from a Debian package is present: ensure-debian.sh PROGRAM PACKAGE WHAT-FOR.
# PROGRAM is looked for on the PATH and in /usr/sbin. As root, the package is installed with apt (no
# service is started); otherwise the script says what to install and exits 1.
set -euo pipefail
program=$1 package=$2 purpose=$3
if command -v "$program" >/dev/null 2>&1 || [ -x "/usr/sbin/$program" ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's $package ($purpose)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "$package" >/dev/null
  exit 0
fi
echo "$purpose needs Debian's $package: apt-get install -y $package" >&2
exit 1
