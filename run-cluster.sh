#!/usr/bin/env bash
# Runs an EdgeGuard cluster on one machine: a Redis (started here on port 6380 unless REDIS_URL is set), the
# catalog (http://127.0.0.1:8001) and three gateway instances sharing that Redis (http://localhost:8000, :8010,
# :8020). Ctrl-C stops everything this script started. Try a create through one instance and a read through
# another: the README's "Several gateway instances" section says what to expect.
set -euo pipefail
cd "$(dirname "$0")"
if [ -f config/edgeguard.env ]; then set -a; . config/edgeguard.env; set +a; fi

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
need() { # need <command> <debian package>
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "run-cluster.sh: installing $2"
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  fi
}
need curl curl
[ -n "${REDIS_URL:-}" ] || need redis-server redis-server

dotnet build src/CatalogBackend/CatalogBackend.csproj -c Release -nologo -v quiet
dotnet build src/EdgeGuard.Proxy/EdgeGuard.Proxy.csproj -c Release -nologo -v quiet

pids=()
workdir=$(mktemp -d -t edgeguard-cluster-XXXXXX)
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$workdir"
  echo "EdgeGuard cluster stopped."
}
trap stop INT TERM EXIT

wait_for() { # wait_for <url> <pid> <what>
  for _ in $(seq 1 600); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    if ! kill -0 "$2" 2>/dev/null; then echo "run-cluster.sh: the $3 exited during start-up (see above)" >&2; exit 1; fi
    sleep 0.1
  done
  echo "run-cluster.sh: the $3 did not answer $1 within 60 s" >&2
  exit 1
}

if [ -z "${REDIS_URL:-}" ]; then
  redis-server --port 6380 --bind 127.0.0.1 --save "" --appendonly no --dir "$workdir" --daemonize no >"$workdir/redis.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do redis-cli -p 6380 ping >/dev/null 2>&1 && break; sleep 0.1; done
  export REDIS_URL=redis://127.0.0.1:6380
fi

dotnet src/CatalogBackend/bin/Release/net10.0/CatalogBackend.dll &
pids+=($!)
wait_for http://127.0.0.1:8001/health "${pids[-1]}" catalog

for port in 8000 8010 8020; do
  EDGEGUARD_INSTANCE_ID="gw-$port" dotnet src/EdgeGuard.Proxy/bin/Release/net10.0/EdgeGuard.Proxy.dll --urls "http://0.0.0.0:$port" &
  pids+=($!)
done
for i in 0 1 2; do
  port=$((8000 + 10 * i))
  wait_for "http://127.0.0.1:$port/health/ready" "${pids[-$((3 - i))]}" "gateway on port $port"
done

cat <<MSG

EdgeGuard cluster is running (Redis: $REDIS_URL).
  gateways: http://localhost:8000  http://localhost:8010  http://localhost:8020
  catalog:  http://127.0.0.1:8001
  try:      curl -s -X POST localhost:8000/products -H 'content-type: application/json' -d '{"id":"NEW-1","name":"Lamp","price":9}'
            curl -i localhost:8020/products/NEW-1      # created through another instance, served here at once
            curl -s localhost:8010/bloom/stats         # instance_id, cluster_instances, sync_lag_ms
Press Ctrl-C to stop everything.
MSG
wait -n "${pids[@]}"
