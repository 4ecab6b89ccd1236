#!/usr/bin/env bash
# Installs a headless browser (Debian's chromium) and its driver (chromium-driver, for
# Selenium) for tests/test_html_report.py and tests/test_serve_browser.py.
# Idempotent and quick when chromium is already present; `make test` calls it.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install_browser.sh: not root and no sudo; install chromium yourself (apt-get install chromium)" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when apt does not know chromium yet.
if ! apt-cache show chromium-driver >/dev/null 2>&1; then
    $SUDO apt-get update -qq
fi
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
command -v chromium >/dev/null && command -v chromedriver >/dev/null
