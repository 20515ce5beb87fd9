#!/usr/bin/env bash
# Installs Debian's headless Chromium for the browser tests when no Chromium is on PATH.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "chromium is missing: install Debian's chromium package" >&2; exit 1; fi
apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
