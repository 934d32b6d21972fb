#!/usr/bin/env bash
# Make sure Debian's nginx is present: the reverse proxy of `make serve-office` (issue 18).
exec "$(dirname "$0")/ensure-debian.sh" nginx nginx-light "make serve-office"
