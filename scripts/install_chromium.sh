#!/usr/bin/env bash
# The browser tests (dashboard pages, the orchestrator's UI) drive the system's Chromium through
# Playwright; Playwright's own browser download is not reachable offline. Installs Debian's
# `chromium` when no Chromium is on PATH (root, or sudo).
set -euo pipefail
for name in chromium chromium-browser google-chrome; do
  if command -v "$name" >/dev/null 2>&1; then exit 0; fi
done
if ! command -v apt-get >/dev/null 2>&1; then
  echo "No Chromium on PATH and no apt-get: install Chromium (or Chrome) for the browser tests." >&2
  exit 1
fi
as_root=()
if [ "$(id -u)" -ne 0 ]; then as_root=(sudo); fi
echo "Installing Debian's chromium for the browser tests"
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
command -v chromium >/dev/null
