#!/usr/bin/env bash
# What the cluster's write guarantee costs, measured side by side on this machine:
#   1. one standalone gateway (embedded cache, no Redis): creates, each read right after its 201;
#   2. three gateways sharing one Redis: the same creates through each in turn, each read through the two
#      others right after its 201, and POST /bloom/ids announcements (answered once every instance applied them).
# Everything runs on loopback: a redis-server and the real catalog started here, in a temporary directory.
# Usage: bench/cluster/run.sh            (CREATES=2000 CONCURRENCY=8 ANNOUNCEMENTS=300)
set -euo pipefail
cd "$(dirname "$0")/../.."
CREATES="${CREATES:-2000}"
CONCURRENCY="${CONCURRENCY:-8}"
ANNOUNCEMENTS="${ANNOUNCEMENTS:-300}"
KEY=bench-admin-key
out=bench/cluster/out
mkdir -p "$out"
work=$(mktemp -d -t edgeguard-cluster-bench-XXXXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

dotnet build src/CatalogBackend -c Release -nologo -v quiet
dotnet build src/EdgeGuard.Proxy -c Release -nologo -v quiet
dotnet build bench/ClusterBench -c Release -nologo -v quiet

wait_for() { for _ in $(seq 1 600); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

redis-server --port 6391 --bind 127.0.0.1 --save "" --appendonly no --dir "$work" --daemonize no >"$work/redis.log" 2>&1 &
pids+=($!)
PRODUCTS_FILE=data/products.txt CATALOG_DB="$work/catalog.db" dotnet src/CatalogBackend/bin/Release/net10.0/CatalogBackend.dll --urls http://127.0.0.1:8191 >"$work/catalog.log" 2>&1 &
pids+=($!)
wait_for http://127.0.0.1:8191/health

gateway() { # gateway <port> <redis url or empty> <instance id>
  EDGEGUARD_ADMIN_KEY=$KEY UPSTREAM_URL=http://127.0.0.1:8191 PRODUCTS_FILE="" REDIS_URL="$2" EDGEGUARD_INSTANCE_ID="$3" \
    EdgeGuard__Bloom__SnapshotPath="$work/$3.snapshot" Logging__LogLevel__Default=Warning \
    dotnet src/EdgeGuard.Proxy/bin/Release/net10.0/EdgeGuard.Proxy.dll --urls "http://127.0.0.1:$1" >"$work/$3.log" 2>&1 &
  pids+=($!)
}

echo "== standalone gateway"
gateway 8190 "" standalone
wait_for http://127.0.0.1:8190/health/ready
dotnet bench/ClusterBench/bin/Release/net10.0/ClusterBench.dll --gateways http://127.0.0.1:8190 --creates "$CREATES" \
  --concurrency "$CONCURRENCY" --label standalone | tee "$out/standalone.json"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

echo "== three gateways on one Redis"
for i in 0 1 2; do gateway $((8180 + i)) redis://127.0.0.1:6391 "gw-$i"; done
for i in 0 1 2; do wait_for "http://127.0.0.1:$((8180 + i))/health/ready"; done
dotnet bench/ClusterBench/bin/Release/net10.0/ClusterBench.dll --gateways http://127.0.0.1:8180,http://127.0.0.1:8181,http://127.0.0.1:8182 \
  --creates "$CREATES" --concurrency "$CONCURRENCY" --announcements "$ANNOUNCEMENTS" --admin-key $KEY --label cluster | tee "$out/cluster.json"
echo "machine: $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg); commit $(git rev-parse --short HEAD)" | tee "$out/machine.txt"
