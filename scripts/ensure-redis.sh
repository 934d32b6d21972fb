#!/usr/bin/env bash
# Make sure Debian's Redis server is present: the shared cache of an office deployment (issue 18)
# and the tests that run it (each test session starts its own redis-server on a free port and stops
# it).
exec "$(dirname "$0")/ensure-debian.sh" redis-server redis-server "the shared cache and its tests"
