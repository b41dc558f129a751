#!/usr/bin/env bash
# Install Debian's Chromium (and its WebDriver) for the browser tests, when missing.
# Idempotent: does nothing when /usr/bin/chromium already exists. Playwright drives this binary
# through executable_path; `playwright install` (a browser download) is never needed.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    echo "install-browser: $(chromium --version 2>/dev/null || echo chromium) already installed"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: no apt-get on this machine; the browser tests will be skipped" >&2
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-browser: not root and no sudo; the browser tests will be skipped" >&2
        exit 0
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
echo "install-browser: installed $(chromium --version 2>/dev/null || echo chromium)"
