#!/usr/bin/env bash
# Time to recovery after a catalog outage (issue 18): a probe reads products never read before, 20 a second, through
# the target; the catalog (a real process) is killed with SIGKILL and started again OUTAGE seconds later. Recovery is
# measured from the moment the catalog answers /health again to the first read answered 200 after which every read
# is 200 (reads started before it count by their start). Targets:
#   edgeguard  the gateway (embedded cache): YARP's passive check plus the active probe of /health every second;
#   nginx      proxy_pass to the same catalog as two peers (127.0.0.1 and 127.0.0.2), max_fails=3 fail_timeout=10s
#              (with a single peer nginx never takes the catalog out, and so never waits either).
# Usage: bench/recovery/run.sh      (OUTAGES="2 10 60" TARGETS="edgeguard nginx")
# Writes bench/recovery/out/recovery.jsonl and prints a markdown table.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUTAGES="${OUTAGES:-2 10 60}"; TARGETS="${TARGETS:-edgeguard nginx}"; BEFORE=5; AFTER=15; RATE=20
out=bench/recovery/out; mkdir -p "$out"; : >"$out/recovery.jsonl"
work=$(mktemp -d -t edgeguard-recovery-XXXXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done; nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -s stop 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM
wait_for() { for _ in $(seq 1 600); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.05; done; echo "no answer from $1" >&2; exit 1; }
for tool in nginx curl; do command -v "$tool" >/dev/null || { echo "run.sh needs $tool (apt-get install $tool)" >&2; exit 1; }; done

dotnet build src/CatalogBackend -c Release -nologo -v quiet
dotnet build src/EdgeGuard.Proxy -c Release -nologo -v quiet
seq -f 'REC-%07g' 1 100000 >"$work/products.txt"
CATALOG_PORT=8591; GATEWAY_PORT=8590; NGINX_PORT=8592
start_catalog() {
  PRODUCTS_FILE="$work/products.txt" CATALOG_DB="$work/catalog.db" Logging__LogLevel__Default=Warning \
    dotnet src/CatalogBackend/bin/Release/net10.0/CatalogBackend.dll --urls "http://0.0.0.0:$CATALOG_PORT" >>"$work/catalog.log" 2>&1 &
  CATALOG_PID=$!; pids+=("$CATALOG_PID")
  wait_for "http://127.0.0.1:$CATALOG_PORT/health"
}
start_edgeguard() {
  UPSTREAM_URL="http://127.0.0.1:$CATALOG_PORT" PRODUCTS_FILE="$work/products.txt" EdgeGuard__Bloom__LoadFromCatalog=false \
    EdgeGuard__Bloom__SnapshotPath= Logging__LogLevel__Default=Warning \
    dotnet src/EdgeGuard.Proxy/bin/Release/net10.0/EdgeGuard.Proxy.dll --urls "http://127.0.0.1:$GATEWAY_PORT" >"$work/gateway.log" 2>&1 &
  TARGET_PID=$!; pids+=("$TARGET_PID")
  wait_for "http://127.0.0.1:$GATEWAY_PORT/health/ready"; TARGET_URL="http://127.0.0.1:$GATEWAY_PORT"
}
start_nginx() {
  mkdir -p "$work/nginx/logs"
  cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1; pid $work/nginx/nginx.pid; error_log $work/nginx/logs/error.log crit;
events { worker_connections 1024; }
http {
  access_log off;
  upstream catalog { server 127.0.0.1:$CATALOG_PORT max_fails=3 fail_timeout=10s; server 127.0.0.2:$CATALOG_PORT max_fails=3 fail_timeout=10s; }
  server { listen 127.0.0.1:$NGINX_PORT; location / { proxy_pass http://catalog; proxy_connect_timeout 1s; proxy_read_timeout 10s; } }
}
CONF
  nginx -p "$work/nginx" -c "$work/nginx/nginx.conf"
  wait_for "http://127.0.0.1:$NGINX_PORT/products/REC-0000001"; TARGET_URL="http://127.0.0.1:$NGINX_PORT"; TARGET_PID=""
}
stop_target() {
  if [[ $1 == nginx ]]; then nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -s stop; else kill "$TARGET_PID"; wait "$TARGET_PID" 2>/dev/null || true; fi
}

slice=0
for target in $TARGETS; do
  for outage in $OUTAGES; do
    start_catalog
    "start_$target"
    slice=$((slice + 1))
    sed -n "$(((slice - 1) * 5000 + 1)),$((slice * 5000))p" "$work/products.txt" >"$work/ids.txt"
    rm -f "$work/stop"
    dotnet run --file bench/recovery/probe.cs -- "$TARGET_URL" "$work/ids.txt" "$work/probe.txt" "$work/stop" "$RATE" &
    probe=$!
    sleep "$BEFORE"
    kill -9 "$CATALOG_PID"; wait "$CATALOG_PID" 2>/dev/null || true
    sleep "$outage"
    start_catalog
    back=$(date +%s%3N)
    sleep "$AFTER"
    touch "$work/stop"; wait "$probe"
    stop_target "$target"
    kill "$CATALOG_PID"; wait "$CATALOG_PID" 2>/dev/null || true
    # Recovery: the earliest read at or after "back" from which every read is a 200.
    awk -v back="$back" -v target="$target" -v outage="$outage" '
      /^# start/ { start = $3; next }
      { t = start + $1; n++; at[n] = t; st[n] = $2 }
      END {
        recovered = -1; failed_after = 0
        for (i = n; i >= 1; i--) { if (st[i] != "200") break; if (at[i] >= back) recovered = at[i] }
        for (i = 1; i <= n; i++) if (at[i] >= back && st[i] != "200") failed_after++
        printf "{\"target\":\"%s\",\"outage_s\":%d,\"reads\":%d,\"recovery_ms\":%d,\"failed_after_back\":%d}\n", target, outage, n, (recovered < 0 ? -1 : recovered - back), failed_after
      }' "$work/probe.txt" | tee -a "$out/recovery.jsonl"
  done
done
echo
echo "| target | outage | time to recovery | reads failed after the catalog was back |"
echo "|---|---:|---:|---:|"
awk -F'[:,}]' '{ gsub(/"/, ""); printf "| %s | %s s | %.1f s | %s |\n", $2, $4, $8 / 1000, $10 }' "$out/recovery.jsonl"
echo "machine: $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg); commit $(git rev-parse --short HEAD)"
