#!/usr/bin/env bash
# Make sure Debian's chromium and chromedriver are present for the browser tests and the image
# and report exports (kaleido drives chromium).
# As root, install them with apt; otherwise say what to install. Never downloads a browser build.
set -euo pipefail
# Arabic text (page, charts, exports) is drawn with Noto Sans Arabic UI from fonts-noto-ui-core.
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 \
   && fc-list 2>/dev/null | grep -q "Noto Sans Arabic UI"; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium, chromium-driver and Arabic fonts (browser tests, image exports)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver fonts-noto-ui-core >/dev/null
  exit 0
fi
echo "The browser tests and the image exports need Debian's chromium and chromium-driver." >&2
echo "Install them as root:  apt-get install -y chromium chromium-driver fonts-noto-ui-core" >&2
exit 1
