#!/usr/bin/env bash
# Runs EdgeGuard: the catalog API (http://127.0.0.1:8001) and the gateway in front of it
# (http://0.0.0.0:8000) with the embedded cache and data/products.txt. Ctrl-C stops both.
# Settings from the contract pass through: PRODUCTS_FILE, CATALOG_DB, REDIS_URL, UPSTREAM_URL,
# EDGEGUARD_ADMIN_KEY (see README.md).
set -euo pipefail
cd "$(dirname "$0")"
if [ -f config/edgeguard.env ]; then set -a; . config/edgeguard.env; set +a; fi

if ! command -v curl >/dev/null 2>&1; then
  echo "run.sh: installing curl (used to wait until both services are ready)"
  as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null
fi

dotnet build src/CatalogBackend/CatalogBackend.csproj -c Release -nologo -v quiet
dotnet build src/EdgeGuard.Proxy/EdgeGuard.Proxy.csproj -c Release -nologo -v quiet

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "EdgeGuard stopped."
}
trap stop INT TERM EXIT

# Waits (bounded) until a URL answers 2xx; fails if the process behind it died.
wait_for() {
  local url=$1 pid=$2 what=$3
  for _ in $(seq 1 600); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "run.sh: the $what exited during start-up (see above)" >&2; exit 1; fi
    sleep 0.1
  done
  echo "run.sh: the $what did not answer $url within 60 s" >&2
  exit 1
}

dotnet src/CatalogBackend/bin/Release/net10.0/CatalogBackend.dll &
pids+=($!)
wait_for http://127.0.0.1:8001/health "${pids[0]}" catalog

dotnet src/EdgeGuard.Proxy/bin/Release/net10.0/EdgeGuard.Proxy.dll &
pids+=($!)
wait_for http://127.0.0.1:8000/health/ready "${pids[1]}" gateway

cat <<MSG

EdgeGuard is running.
  gateway: http://localhost:8000   (try: curl -i http://localhost:8000/products/$(grep -v '^#' "${PRODUCTS_FILE:-data/products.txt}" | head -n 1 | cut -d, -f1))
  catalog: http://127.0.0.1:8001
Press Ctrl-C to stop both.
MSG
wait -n "${pids[@]}"
