#!/usr/bin/env bash
# A catalog outage under load (issue 11): one gateway (embedded cache, a short positive TTL so entries expire
# during the outage and stale-if-error is what answers), wrk reading ids served in the last hour; after
# OUTAGE_AFTER seconds the catalog hangs (SIGSTOP) for OUTAGE seconds, then goes on. Reports what wrk saw
# (non-2xx, and X-EdgeGuard-Source shares: cache / stale / upstream) and what an absent id and a real id never read before get meanwhile.
# Usage: bench/cache/outage.sh        (OUTAGE=60 OUTAGE_AFTER=10 AFTER=10 IDS=500 TTL=5 CONNECTIONS=32)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUTAGE="${OUTAGE:-60}"; ((OUTAGE >= 30)) || { echo "OUTAGE must be at least 30 (s)" >&2; exit 1; }; OUTAGE_AFTER="${OUTAGE_AFTER:-10}"; AFTER="${AFTER:-10}"; IDS="${IDS:-500}"; TTL="${TTL:-5}"
CONNECTIONS="${CONNECTIONS:-32}"
out=bench/cache/out; mkdir -p "$out"
work=$(mktemp -d -t edgeguard-outage-XXXXXX)
pids=()
cleanup() { kill -CONT "${CATALOG_PID:-0}" 2>/dev/null || true; for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM
wait_for() { for _ in $(seq 1 600); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
command -v wrk >/dev/null || { echo "outage.sh needs wrk (apt-get install wrk)" >&2; exit 1; }

dotnet build src/CatalogBackend -c Release -nologo -v quiet
dotnet build src/EdgeGuard.Proxy -c Release -nologo -v quiet
grep -v '^#' data/products.txt | cut -d, -f1 | head -n "$IDS" >"$work/ids.txt"
uncached=($(grep -v '^#' data/products.txt | cut -d, -f1 | sed -n "$((IDS + 1)),$((IDS + 2))p"))   # real, never read before

PRODUCTS_FILE=data/products.txt CATALOG_DB="$work/catalog.db" Logging__LogLevel__Default=Warning \
  dotnet src/CatalogBackend/bin/Release/net10.0/CatalogBackend.dll --urls http://127.0.0.1:8291 >"$work/catalog.log" 2>&1 &
CATALOG_PID=$!; pids+=($CATALOG_PID)
wait_for http://127.0.0.1:8291/health
UPSTREAM_URL=http://127.0.0.1:8291 PRODUCTS_FILE=data/products.txt EdgeGuard__Bloom__SnapshotPath="$work/gw.snapshot" \
  EdgeGuard__Cache__PositiveTtl="00:00:$(printf '%02d' "$TTL")" Logging__LogLevel__Default=Warning \
  dotnet src/EdgeGuard.Proxy/bin/Release/net10.0/EdgeGuard.Proxy.dll --urls http://127.0.0.1:8290 >"$work/gw.log" 2>&1 &
pids+=($!)
wait_for http://127.0.0.1:8290/health/ready
while read -r id; do curl -s -o /dev/null "http://127.0.0.1:8290/products/$id"; done <"$work/ids.txt"   # served once: cached

total=$((OUTAGE_AFTER + OUTAGE + AFTER))
WRK_COUNT_STATUS=1 wrk -t2 -c"$CONNECTIONS" -d"${total}s" --latency -s bench/load/hot.lua http://127.0.0.1:8290 -- "$work/ids.txt" >"$work/wrk.txt" 2>&1 &
wrk_pid=$!
sleep "$OUTAGE_AFTER"
kill -STOP "$CATALOG_PID"; echo "catalog frozen (SIGSTOP) at $(date +%T)"
probe() { curl -s -o /dev/null -w '%{http_code} in %{time_total}s' --max-time 60 "http://127.0.0.1:8290/products/$1"; }
sleep 2
absent=$(probe "NEVER-SEEN-$RANDOM")
cold_early=$(probe "${uncached[0]}")   # before the catalog's timeouts have shown it is down
sleep $((OUTAGE - 20))
cold_late=$(probe "${uncached[1]}")    # once they have
sleep 5
kill -CONT "$CATALOG_PID"; echo "catalog back (SIGCONT) at $(date +%T)"
wait "$wrk_pid" || true
summary=$(grep '^WRKJSON' "$work/wrk.txt" | sed 's/^WRKJSON //')
stale=$(curl -s http://127.0.0.1:8290/metrics | awk '$1 == "edgeguard_stale_served_total" || $1 == "edgeguard_stale_served_total{}" { print $2 }')
printf '{"outage_s":%s,"ttl_s":%s,"ids":%s,"wrk":%s,"absent_id":"%s","uncached_real_id_at_2s":"%s","uncached_real_id_at_%ss":"%s","edgeguard_stale_served_total":%s}\n' \
  "$OUTAGE" "$TTL" "$IDS" "$summary" "$absent" "$cold_early" "$((OUTAGE - 8))" "$cold_late" "${stale:-0}" | tee "$out/outage.json"
echo "machine: $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg); commit $(git rev-parse --short HEAD)" | tee "$out/machine.txt"
