#!/usr/bin/env bash
# Make sure Debian's chromium and chromedriver are present for the browser tests and the image
# and report exports (kaleido drives chromium), and chromium-headless-shell, which both use when
# it is there (the same Blink, about a third less CPU than chromium's own headless mode).
# As root, install them with apt; otherwise say what to install. Never downloads a browser build.
set -euo pipefail
SHELL_BINARY=/usr/lib/chromium/chromium-headless-shell
have_browser() {
  # Arabic text (page, charts, exports) is drawn with Noto Sans Arabic UI from fonts-noto-ui-core.
  # (fc-list read whole: `fc-list | grep -q` under pipefail fails whenever grep stops reading early)
  command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 \
    && grep -q "Noto Sans Arabic UI" <<<"$(fc-list 2>/dev/null)"
}
if have_browser && [ -x "$SHELL_BINARY" ]; then
  exit 0
fi
if have_browser; then
  # only the shell is missing: a failure to install it is a note, never a stop (chromium does the work)
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium-headless-shell (browser tests, image exports)..."
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq chromium-headless-shell >/dev/null; } \
      || echo "note: chromium-headless-shell could not be installed; chromium draws the exports and tests" >&2
  else
    echo "note: without chromium-headless-shell the exports and browser tests use chromium (apt-get install chromium-headless-shell)" >&2
  fi
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium, chromium-headless-shell, chromium-driver and Arabic fonts (browser tests, image exports)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver fonts-noto-ui-core >/dev/null
  # a Debian release without the package keeps chromium's own headless mode
  apt-get install -y -qq chromium-headless-shell >/dev/null \
    || echo "note: chromium-headless-shell is not available here; chromium draws the exports and tests" >&2
  exit 0
fi
echo "The browser tests and the image exports need Debian's chromium and chromium-driver." >&2
echo "Install them as root:  apt-get install -y chromium chromium-headless-shell chromium-driver fonts-noto-ui-core" >&2
exit 1
