#!/usr/bin/env bash
# Many sellers on several hosts use Redis as the Celery broker and result backend
# (orchestrate/cluster.py redis). Installs Debian's `redis-server` when none is on PATH (root,
# or sudo); the package's own service is not needed: cluster.py starts the server itself.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "No redis-server on PATH and no apt-get: install Redis 6 or later for many sellers." >&2
  exit 1
fi
as_root=()
if [ "$(id -u)" -ne 0 ]; then as_root=(sudo); fi
echo "Installing Debian's redis-server (Celery broker for many sellers)"
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
command -v redis-server >/dev/null
