#!/usr/bin/env bash
# Stops the local Neo4j started by start.sh, waiting for a clean shutdown.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
state=${KITH_STATE_DIR:-$here/../../.kith}
pidfile=$state/neo4j.pid
[ -f "$pidfile" ] || { echo "local neo4j: not running"; exit 0; }
pid=$(cat "$pidfile")
if kill "$pid" 2>/dev/null; then
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
fi
rm -f "$pidfile"
echo "local neo4j: stopped"
