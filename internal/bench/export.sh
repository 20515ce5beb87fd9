#!/usr/bin/env bash
# Export benchmark: time to first byte, total time and size of every export format over a
# synthetic network, and the peak RSS of the kith serve process that sent them.
#
#   NEO4J_URI=bolt://127.0.0.1:7721 internal/bench/export.sh [PEOPLE] [TIES]
#
# With KITH_BENCH_LOAD=1 it first empties that Neo4j and fills it with PEOPLE people and
# TIES KNOWS ties (internal/bench/exportgen; default 100000 and 500000). The Neo4j must be
# one of its own: the load deletes everything in it.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${NEO4J_URI:?set NEO4J_URI to a Neo4j kept for this benchmark}"
people=${1:-100000}
ties=${2:-500000}
addr=${KITH_BENCH_ADDR:-127.0.0.1:18780}
mkdir -p .kith
go build -o .kith/kith-export-bench ./cmd/kith
if [ "${KITH_BENCH_LOAD:-0}" = 1 ]; then
	go run ./internal/bench/exportgen -uri "$NEO4J_URI" -people "$people" -ties "$ties"
fi
secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export KITH_JWT_SECRET=$secret KITH_ADDR=$addr KITH_RATE_LIMIT=0 KITH_EXPORT_TIMEOUT=5m
.kith/kith-export-bench serve >.kith/kith-export-bench.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
	curl -fs "http://$addr/readyz" >/dev/null 2>&1 && break
	sleep 0.5
done
token=$(.kith/kith-export-bench token --role admin --ttl 1h)
printf '| format | first byte (s) | total (s) | size (MB) |\n|---|---:|---:|---:|\n'
for f in gexf graphml csv pajek dl; do
	# One warm-up run plans the statements; the second is measured.
	curl -fsS -o /dev/null -H "Authorization: Bearer $token" "http://$addr/export/$f"
	curl -fsS -o /dev/null -H "Authorization: Bearer $token" \
		-w "| $f | %{time_starttransfer} | %{time_total} | %{size_download} |\n" "http://$addr/export/$f" |
		awk -F'|' '{printf "|%s| %.2f | %.2f | %.1f |\n", $2, $3, $4, $5/1e6}'
done
echo
grep -E 'VmHWM|VmRSS' "/proc/$pid/status" | sed 's/^/kith serve /'
go run ./internal/bench/exportgen -uri "$NEO4J_URI" -floor
