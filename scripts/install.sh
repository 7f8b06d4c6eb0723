#!/usr/bin/env bash
# Installs everything sb-readiness needs into .venv and node_modules (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
# Chromium for the browser walker ([onboarding] browser = "chromium") and the browser tests
# (tests/test_report_browser.py, tests/test_browser_*.py, tests/test_selftests_browser.py);
# Playwright drives this Debian package, it never downloads a browser. Only where apt-get can
# install it (CI, root); elsewhere install `chromium` yourself or run
# `.venv/bin/playwright install chromium`.
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 \
    && [ "$(id -u)" = "0" ]; then
  apt-get install -y -qq chromium >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1; } \
    || echo "install.sh: chromium could not be installed; the browser tests will skip" \
       "(install the chromium package, or run .venv/bin/playwright install chromium)" >&2
fi
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'
if [ ! -x node_modules/.bin/allure ]; then
  if [ -f package-lock.json ]; then npm ci --silent --no-audit --no-fund; else npm install --silent --no-audit --no-fund; fi
fi
