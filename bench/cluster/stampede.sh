#!/usr/bin/env bash
# One hot id across three gateways (issue 11): how many catalog queries does each lifetime of its cache entry cost?
#   standalone: three gateways, each with its own embedded cache (no Redis): up to one fetch per instance per expiry;
#   redis:      three gateways sharing one Redis (L1 + Redis + backplane + distributed lock): one fetch per expiry
#               across the cluster is the aim.
# Each setup runs twice: with eager refresh (the default; a hit late in the entry's life refreshes it in the
# background) and without it (EdgeGuard__Cache__EagerRefreshThreshold empty: every reader meets the expiry).
# The entry lives TTL seconds (with eager refresh, a hit renews it after TTL x threshold); three wrk processes (one per gateway) read the one id for DURATION seconds; the
# catalog's own catalog_db_queries_total is read before and after.
# Usage: bench/cluster/stampede.sh        (TTL=2 DURATION=30 CONNECTIONS=16;
#        RUNS="redis-eager redis-no-eager" runs only those of the four setups; EAGER=0.9 the eager runs' threshold)
set -euo pipefail
cd "$(dirname "$0")/../.."
TTL="${TTL:-2}"; DURATION="${DURATION:-30}"; CONNECTIONS="${CONNECTIONS:-16}"
RUNS="${RUNS:-standalone-eager redis-eager standalone-no-eager redis-no-eager}"
EAGER="${EAGER:-0.9}"   # the eager runs' EagerRefreshThreshold (the gateway's default)
out=bench/cluster/out; mkdir -p "$out"
work=$(mktemp -d -t edgeguard-stampede-XXXXXX)
pids=(); gw_pids=()
cleanup() { for pid in "${pids[@]}" "${gw_pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM
wait_for() { for _ in $(seq 1 600); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
command -v wrk >/dev/null || { echo "stampede.sh needs wrk (apt-get install wrk)" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "stampede.sh needs redis-server (apt-get install redis-server)" >&2; exit 1; }

dotnet build src/CatalogBackend -c Release -nologo -v quiet
dotnet build src/EdgeGuard.Proxy -c Release -nologo -v quiet

redis-server --port 6393 --bind 127.0.0.1 --save "" --appendonly no --dir "$work" --daemonize no >"$work/redis.log" 2>&1 &
pids+=($!)
PRODUCTS_FILE=data/products.txt CATALOG_DB="$work/catalog.db" Logging__LogLevel__Default=Warning \
  dotnet src/CatalogBackend/bin/Release/net10.0/CatalogBackend.dll --urls http://127.0.0.1:8391 >"$work/catalog.log" 2>&1 &
pids+=($!)
wait_for http://127.0.0.1:8391/health
hot=$(awk -F, '!/^#/ { print $1; exit }' data/products.txt)  # not grep | head: under pipefail, grep's SIGPIPE would end the script unseen
db_queries() { curl -s http://127.0.0.1:8391/metrics | awk '$1 == "catalog_db_queries_total" { printf "%d", $2 }'; }

run() { # run <label> <redis url or empty> <eager threshold or empty>
  local label=$1 redis=$2 eager=$3 i
  [[ " $RUNS " == *" $label "* ]] || return 0
  [[ -z $redis ]] || redis-cli -p 6393 flushall >/dev/null
  gw_pids=()
  for i in 0 1 2; do
    UPSTREAM_URL=http://127.0.0.1:8391 PRODUCTS_FILE=data/products.txt REDIS_URL="$redis" EDGEGUARD_INSTANCE_ID="$label-$i" \
      EdgeGuard__Bloom__SnapshotPath="$work/$label-$i.snapshot" EdgeGuard__Cache__PositiveTtl="00:00:$(printf '%02d' "$TTL")" \
      EdgeGuard__Cache__EagerRefreshThreshold="$eager" Logging__LogLevel__Default=Warning \
      dotnet src/EdgeGuard.Proxy/bin/Release/net10.0/EdgeGuard.Proxy.dll --urls "http://127.0.0.1:$((8380 + i))" >"$work/$label-$i.log" 2>&1 &
    gw_pids+=($!)
  done
  for i in 0 1 2; do wait_for "http://127.0.0.1:$((8380 + i))/health/ready"; done
  local before after wrk_pids=()
  before=$(db_queries)
  for i in 0 1 2; do
    WRK_COUNT_STATUS=1 wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/load/stampede.lua "http://127.0.0.1:$((8380 + i))" -- "$hot" >"$work/$label-wrk-$i.txt" 2>&1 &
    wrk_pids+=($!)
  done
  wait "${wrk_pids[@]}"
  after=$(db_queries)
  local wrks=() w
  for i in 0 1 2; do w=$(grep '^WRKJSON' "$work/$label-wrk-$i.txt" | sed 's/^WRKJSON //'); wrks+=("${w:-null}"); done
  # An entry's lifetime: what the cache stores it for (TTL, less the margin of CachePolicy.StoredFor: a tenth, at most
  # 0.1 s), or with eager refresh the point where a hit renews it (that times the threshold). A run of DURATION
  # seconds holds ceil(DURATION / lifetime) of them, the first fetch included: one query each is the aim.
  local lifetime lifetimes
  lifetime=$(awk -v t="$TTL" -v e="${eager:-1}" 'BEGIN { m = t / 10; if (m > 0.1) m = 0.1; printf "%.3f", (t - m) * e }')
  lifetimes=$(awk -v d="$DURATION" -v l="$lifetime" 'BEGIN { n = d / l; printf "%d", (n == int(n)) ? n : int(n) + 1 }')
  printf '{"label":"%s","ttl_s":%s,"eager_threshold":%s,"duration_s":%s,"lifetime_s":%s,"lifetimes":%s,"catalog_queries":%s,"queries_per_lifetime":%s,"wrk":[%s]}\n' \
    "$label" "$TTL" "${eager:-null}" "$DURATION" "$lifetime" "$lifetimes" "$((after - before))" \
    "$(awk -v q=$((after - before)) -v n="$lifetimes" 'BEGIN { printf "%.2f", q / n }')" "$(IFS=,; echo "${wrks[*]}")" | tee -a "$out/stampede.json"
  # Each gateway's own counters (FusionCache's locks, timeouts, eager refreshes...), for reading what an expiry cost.
  for i in 0 1 2; do curl -s "http://127.0.0.1:$((8380 + i))/metrics" >"$out/$label-$i.metrics" || true; done
  for pid in "${gw_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait "${gw_pids[@]}" 2>/dev/null || true
  gw_pids=()
}

: >"$out/stampede.json"
run standalone-eager "" "$EAGER"
run redis-eager redis://127.0.0.1:6393 "$EAGER"
run standalone-no-eager "" ""
run redis-no-eager redis://127.0.0.1:6393 ""
echo "machine: $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg); commit $(git rev-parse --short HEAD)" | tee "$out/stampede-machine.txt"
