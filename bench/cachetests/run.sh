#!/usr/bin/env bash
# Runs the HTTP caching test suite (suite/, http-tests/cache-tests at b55b8bd) against EdgeGuard: starts the suite's
# server and a gateway (Release build, a process of its own) whose catch-all route is a shared cached route
# forwarding to it (gateway.env), runs the suite, scores it (score.py) and writes RESULTS.md beside the reference
# caches (reference/*.json).
#
#   bench/cachetests/run.sh [all|get1|strict]      (default all; RESULTS.md is written for a full run only)
#
# Env: PROXY_PORT (default 18430), SERVER_PORT (18420), OUT (default bench/cachetests/out), SKIP_BUILD=1.
# Needs node (>= 18) and python3; no network.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SUBSET=${1:-all}
PROXY_PORT=${PROXY_PORT:-18430}
SERVER_PORT=${SERVER_PORT:-18420}
OUT=${OUT:-$HERE/out}
mkdir -p "$OUT"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$PROXY_PORT" "$SERVER_PORT"; do
  if port_open "$port"; then echo "port $port is in use" >&2; exit 1; fi
done

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  dotnet build "$ROOT/src/EdgeGuard.Proxy" -c Release -nologo -v quiet >/dev/null
fi
DLL="$ROOT/src/EdgeGuard.Proxy/bin/Release/net10.0/EdgeGuard.Proxy.dll"

SERVER_PID=""; GATEWAY_PID=""
cleanup() {
  for pid in $GATEWAY_PID $SERVER_PID; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# The suite's server serves files from its cwd and reads its settings from npm_config_* variables.
(cd "$HERE/suite" && exec env npm_config_protocol=http npm_config_port="$SERVER_PORT" \
    npm_config_pidfile="$OUT/server.pid" node --import "file://$HERE/loopback.mjs" test-engine/server/server.mjs) \
    > "$OUT/server.log" 2>&1 &
SERVER_PID=$!

WORK=$(mktemp -d)
trap 'cleanup; rm -rf "$WORK"' EXIT
: > "$WORK/products.txt"
(cd "$ROOT" && exec env $(grep -v '^#' "$HERE/gateway.env" | xargs) \
    ASPNETCORE_URLS="http://127.0.0.1:$PROXY_PORT" UPSTREAM_URL="http://127.0.0.1:$SERVER_PORT" \
    PRODUCTS_FILE="$WORK/products.txt" REDIS_URL=memory:// dotnet "$DLL") > "$OUT/gateway.log" 2>&1 &
GATEWAY_PID=$!

for _ in $(seq 150); do
  port_open "$SERVER_PORT" && curl -sf -o /dev/null "http://127.0.0.1:$PROXY_PORT/health/ready" && break
  sleep 0.2
done
curl -sf -o /dev/null "http://127.0.0.1:$PROXY_PORT/health/ready" || { echo "the gateway did not become ready; see $OUT/gateway.log" >&2; exit 1; }
# The gateway must forward to the suite's server: an unknown state is its 404 "State not found".
PROBE=$(curl -s "http://127.0.0.1:$PROXY_PORT/state/preflight-$$" || true)
[[ "$PROBE" == *"State not found"* ]] || { echo "preflight failed: got '${PROBE:0:200}'" >&2; exit 2; }

START=$SECONDS
(cd "$HERE" && node --no-warnings run-suite.mjs "http://127.0.0.1:$PROXY_PORT" "$SUBSET") > "$OUT/edgeguard.json.tmp"
mv "$OUT/edgeguard.json.tmp" "$OUT/edgeguard-$SUBSET.json"
echo "suite ($SUBSET) finished in $((SECONDS - START)) s; results in $OUT/edgeguard-$SUBSET.json" >&2
python3 "$HERE/score.py" --subset "$([[ $SUBSET == all ]] && echo all || echo "$SUBSET")" "$OUT/edgeguard-$SUBSET.json" "$HERE"/reference/*.json

if [[ "$SUBSET" == all ]]; then
  mkdir -p "$HERE/results"
  cp "$OUT/edgeguard-all.json" "$HERE/results/edgeguard.json"
  python3 "$HERE/report.py" "$HERE/results/edgeguard.json" "$((SECONDS - START))" > "$HERE/RESULTS.md"
  echo "wrote $HERE/RESULTS.md" >&2
fi
