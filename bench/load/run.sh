#!/usr/bin/env bash
# EdgeGuard end-to-end HTTP load benchmark (issue 5): one command, everything on 127.0.0.1.
#
#   bench/load/run.sh                          # full run (~40-55 min on 2 cores): 10 s runs, 3 rounds
#   DURATION=2 WARMUP=1 ROUNDS=1 bench/load/run.sh   # smoke run, a few minutes
#
# It installs wrk, nginx and redis-server with apt-get if missing, builds everything in Release, writes
# ID_COUNT ids with tools/IdGenerator, starts the catalog (seeded with them), EdgeGuard with the
# embedded cache and again with Redis (a redis-server of its own), EdgeGuard with a per-client budget, nginx with
# proxy_cache (its own config and prefix) and again with limit_req per client, the bare Kestrel 404 app and a plain
# YARP pass-through, then runs every scenario
# against every target with wrk, rounds interleaved (A B C A B C ...). Raw results go to
# bench/load/out/ (git-ignored); bench/load/LoadReport renders bench/RESULTS.md's "HTTP load (wrk)"
# section and bench/load/results.svg from them. Every process it starts is stopped on exit or failure.
#
# Settings (environment):
#   DURATION=10 WARMUP=2 ROUNDS=3 THREADS=2 CONNECTIONS=64   wrk run length (s), warm-up (s), rounds, load
#   STAMPEDE_DURATION=$DURATION STAMPEDE_CONNECTIONS=64 STAMPEDE_TTL=2   expiry-stampede scenario
#   ID_COUNT=1000000        ids written by the generator (>= 100000)
#   SCENARIOS="penetration missing_repeated hot mixed cold stampede precomputed_fp sweep"
#   TARGETS="edgeguard edgeguard-redis edgeguard-budget nginx nginx-limit catalog bare-kestrel yarp-passthrough"
#   BUDGET_RATE=100         edgeguard-budget's EdgeGuard:ClientBudget:UpstreamPerSecond (burst twice that), and
#                           nginx-limit's limit_req rate (burst twice that)
#   FP_PER_ROUND=           precomputed false positives per round (default 40000 x DURATION, at least 50000)
#   LEGIT_CONNECTIONS=4     connections of the legitimate client measured alongside precomputed_fp and sweep
#   MISS_PREFIX=zzmiss-     prefix of generated missing ids (checked never to start a real id)
#   COUNT_STATUS=1          count 404s and X-EdgeGuard-Source per response in wrk (0: only wrk's non-2xx count)
#   BEFORE_DLL=             with target edgeguard-before: an EdgeGuard.Proxy.dll built from another commit (e.g. a
#                           git worktree), run side by side with this one for an A/B (hot, cold, penetration...)
#   BEFORE_ENV=             NAME=value settings (space-separated) for edgeguard-before only: an A/B of a setting
#                           (BEFORE_DLL may then be this build's own dll)
#   BEFORE2_DLL=            with target edgeguard-before2: a second other build, for a second A/B in the same run
#   BEFORE2_ENV=            NAME=value settings for edgeguard-before2 only, as BEFORE_ENV
#   BEFORE2_REDIS=0         1: edgeguard-before2 runs with Redis (database 2 of the run's redis-server), the A/B
#                           of edgeguard-redis against another build
#   BEFORE_LABEL= BEFORE2_LABEL=   what each other build is (e.g. "a8a0aea, hand-written cache"), for the report
#   SKIP_BUILD=0 RENDER=1   skip the Release build / skip rendering RESULTS.md and the chart
#   OUT_DIR=bench/load/out  where raw results and logs go
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOAD="$ROOT/bench/load"
OUT="${OUT_DIR:-$LOAD/out}"

DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-2}"
ROUNDS="${ROUNDS:-3}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
STAMPEDE_DURATION="${STAMPEDE_DURATION:-$DURATION}"
STAMPEDE_CONNECTIONS="${STAMPEDE_CONNECTIONS:-64}"
STAMPEDE_TTL="${STAMPEDE_TTL:-2}"
ID_COUNT="${ID_COUNT:-1000000}"
SCENARIOS="${SCENARIOS:-penetration missing_repeated hot mixed cold stampede precomputed_fp sweep}"
TARGETS="${TARGETS:-edgeguard edgeguard-redis edgeguard-budget nginx nginx-limit catalog bare-kestrel yarp-passthrough}"
BUDGET_RATE="${BUDGET_RATE:-100}"
LEGIT_CONNECTIONS="${LEGIT_CONNECTIONS:-4}"
FP_PER_ROUND="${FP_PER_ROUND:-}"
MISS_PREFIX="${MISS_PREFIX:-zzmiss-}"
COUNT_STATUS="${COUNT_STATUS:-1}"
BEFORE2_REDIS="${BEFORE2_REDIS:-0}"
SKIP_BUILD="${SKIP_BUILD:-0}"
RENDER="${RENDER:-1}"
SHUFFLE_SEED="${SHUFFLE_SEED:-edgeguard}"
START_TIMEOUT="${START_TIMEOUT:-600}"   # seconds for the catalog to seed / a gateway to load its filter

HOT_COUNT=100          # scenario 3: hot set; also the legitimate client's ids in scenarios 7 and 8
# Scenarios 7 and 8 play two clients through one wrk host: each sends the X-Forwarded-For a load balancer would
# add, and the per-client targets believe it from 127.0.0.1 (EdgeGuard's KnownProxies, nginx's set_real_ip_from).
ATTACKER_ADDR=198.51.100.66
WARMUP_ADDR=198.51.100.99
LEGIT_ADDR=203.0.113.10
ZIPF_COUNT=10000       # scenario 4: popular ids, most popular first
WARM_COUNT=50000       # ids the cold scenario's warm-ups use, never measured

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ -n $FP_PER_ROUND ]] || FP_PER_ROUND=$((DURATION * 40000 > 50000 ? DURATION * 40000 : 50000))
for n in DURATION WARMUP ROUNDS THREADS CONNECTIONS STAMPEDE_DURATION STAMPEDE_CONNECTIONS STAMPEDE_TTL ID_COUNT BUDGET_RATE LEGIT_CONNECTIONS FP_PER_ROUND; do
  [[ ${!n} =~ ^[0-9]+$ ]] || die "$n must be a whole number, got '${!n}'"
done
((DURATION >= 1 && ROUNDS >= 1 && THREADS >= 1 && CONNECTIONS >= THREADS && STAMPEDE_CONNECTIONS >= THREADS)) \
  || die "need DURATION >= 1, ROUNDS >= 1 and CONNECTIONS, STAMPEDE_CONNECTIONS >= THREADS >= 1"
((ID_COUNT >= 100000)) || die "ID_COUNT must be at least 100000"
((BUDGET_RATE >= 1 && LEGIT_CONNECTIONS >= 1)) || die "BUDGET_RATE and LEGIT_CONNECTIONS must be at least 1"
[[ $MISS_PREFIX =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$ ]] || die "MISS_PREFIX must be a short valid id prefix"
for s in $SCENARIOS; do
  case $s in penetration | missing_repeated | hot | mixed | cold | stampede | precomputed_fp | sweep) ;; *) die "unknown scenario '$s'" ;; esac
done
for t in $TARGETS; do
  case $t in edgeguard | edgeguard-before | edgeguard-before2 | edgeguard-redis | edgeguard-budget | nginx | nginx-limit | catalog | bare-kestrel | yarp-passthrough) ;;
    *) die "unknown target '$t'" ;;
  esac
done
has() { [[ " $1 " == *" $2 "* ]]; }
if has "$TARGETS" edgeguard-before; then
  [[ -f ${BEFORE_DLL:-} ]] || die "target edgeguard-before needs BEFORE_DLL=<path to another build's EdgeGuard.Proxy.dll>"
fi
if has "$TARGETS" edgeguard-before2; then
  [[ -f ${BEFORE2_DLL:-} ]] || die "target edgeguard-before2 needs BEFORE2_DLL=<path to another build's EdgeGuard.Proxy.dll>"
fi
[[ $BEFORE2_REDIS == 0 || $BEFORE2_REDIS == 1 ]] || die "BEFORE2_REDIS must be 0 or 1, not \"$BEFORE2_REDIS\""
if ((BEFORE2_REDIS)) && ! { has "$TARGETS" edgeguard-before2 && has "$TARGETS" edgeguard-redis; }; then
  die "BEFORE2_REDIS=1 needs targets edgeguard-before2 and edgeguard-redis (whose redis-server it shares)"
fi
# The per-client targets and the A/B's other build have no short-TTL twin: the stampede scenario skips them.
runs_in() { [[ ! ($1 == stampede && $2 =~ ^(edgeguard-budget|edgeguard-before|edgeguard-before2|nginx-limit)$) ]]; }
# Scenarios with an attacker and a legitimate client measured alongside it.
is_attack() { [[ $1 == precomputed_fp || $1 == sweep ]]; }

# ---------------------------------------------------------------------------------------------- tools
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
missing_pkgs=()
command -v wrk >/dev/null 2>&1 || missing_pkgs+=(wrk)
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing_pkgs+=(nginx)
command -v redis-server >/dev/null 2>&1 || missing_pkgs+=(redis-server)
command -v curl >/dev/null 2>&1 || missing_pkgs+=(curl)
if ((${#missing_pkgs[@]} > 0)); then
  log "installing ${missing_pkgs[*]} with apt-get"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_pkgs[@]}" >/dev/null
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
# Debian's nginx package enables and starts the system service on install; we never use it, and our
# own instances listen on other ports, so it is left alone.

# ---------------------------------------------------------------------------------------- processes
TMP="$(mktemp -d /tmp/edgeguard-load.XXXXXX)"
LOGS="$OUT/logs"
PIDS=()
declare -A PID_OF=()

exec 8>&1 9>&2 # the script's own stdout/stderr, for cleanup when a trap fires inside a redirected call
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  exec 1>&8 2>&9
  if [[ -n ${WRK_CHILD:-} ]]; then kill -TERM "$WRK_CHILD" 2>/dev/null || true; fi
  if [[ -n ${LEGIT_CHILD:-} ]]; then kill -TERM "$LEGIT_CHILD" 2>/dev/null || true; fi
  if ((${#PIDS[@]} > 0)); then
    log "stopping ${#PIDS[@]} processes"
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    local deadline=$((SECONDS + 15))
    for pid in "${PIDS[@]}"; do
      while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    done
  fi
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# spawn NAME DIR CMD... : start CMD in DIR in the background, output to $LOGS/NAME.log.
spawn() {
  local name=$1 dir=$2
  shift 2
  (cd "$dir" && exec "$@") >"$LOGS/$name.log" 2>&1 &
  PIDS+=("$!")
  PID_OF[$name]=$!
}

USED_PORTS=" "
# free_port VAR : a loopback port nothing listens on and this run has not handed out yet.
free_port() {
  local p tries
  for ((tries = 0; tries < 500; tries++)); do
    p=$((20000 + RANDOM % 40000))
    [[ $USED_PORTS == *" $p "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      USED_PORTS+="$p "
      printf -v "$1" '%s' "$p"
      return 0
    fi
  done
  die "no free loopback port found"
}

# wait_http NAME URL STATUS TIMEOUT : until URL answers STATUS, while NAME's process is alive.
wait_http() {
  local name=$1 url=$2 want=$3 timeout=$4 code pid=${PID_OF[$1]}
  local deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$LOGS/$name.log" >&2 || true
      die "$name exited during start-up (log: $LOGS/$name.log)"
    fi
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)
    [[ $code == "$want" ]] && return 0
    sleep 0.5
  done
  tail -n 40 "$LOGS/$name.log" >&2 || true
  die "$name: $url did not answer $want within ${timeout}s (last: $code)"
}

# metric_sum URL NAME : sum of every series of a Prometheus counter.
metric_sum() {
  local body
  body=$(curl -sf --max-time 5 "$1") || die "cannot read metrics from $1"
  awk -v m="$2" '$1 == m || index($1, m "{") == 1 { s += $NF } END { printf "%.0f\n", s + 0 }' <<<"$body"
}

# http_probe URL : "STATUS SOURCE" of one GET (SOURCE = X-EdgeGuard-Source or -).
http_probe() {
  local headers status source
  headers=$(curl -s -D - -o /dev/null --max-time 5 "$1" | tr -d '\r') || true
  status=$(awk 'NR == 1 { print $2 }' <<<"$headers")
  source=$(awk -F': ' 'tolower($1) == "x-edgeguard-source" { print $2 }' <<<"$headers")
  printf '%s %s\n' "${status:-000}" "${source:--}"
}

# ------------------------------------------------------------------------------------------- build
rm -rf "$OUT"
mkdir -p "$OUT" "$LOGS" "$OUT/data" "$OUT/wrk"
cd "$ROOT"
PROJECTS=(tools/IdGenerator src/CatalogBackend)
if has "$TARGETS" edgeguard || has "$TARGETS" edgeguard-redis || has "$TARGETS" edgeguard-budget; then PROJECTS+=(src/EdgeGuard.Proxy); fi
if has "$TARGETS" bare-kestrel; then PROJECTS+=(bench/BareKestrel); fi
if has "$TARGETS" yarp-passthrough; then PROJECTS+=(bench/YarpPassthrough); fi
if [[ $SKIP_BUILD != 1 ]]; then
  for p in "${PROJECTS[@]}"; do
    log "building $p (Release)"
    dotnet build "$p" -c Release -nologo -v quiet >"$LOGS/build-$(basename "$p").log" 2>&1 \
      || { tail -n 30 "$LOGS/build-$(basename "$p").log" >&2; die "build of $p failed"; }
  done
fi
dll() { # dll PROJECTDIR : its Release assembly
  local f
  f="$ROOT/$1/bin/Release/net10.0/$(basename "$1").dll"
  [[ -f $f ]] || die "missing $f (build failed or SKIP_BUILD=1 without a build)"
  printf '%s\n' "$f"
}
for p in "${PROJECTS[@]}"; do dll "$p" >/dev/null; done

# -------------------------------------------------------------------------------------------- data
DATA="$OUT/data"
log "writing $ID_COUNT ids with tools/IdGenerator"
gen_start=$SECONDS
(cd "$(dirname "$(dll tools/IdGenerator)")" && timeout 600 dotnet "$(dll tools/IdGenerator)" --count "$ID_COUNT" --out "$DATA/products.txt") \
  >"$LOGS/idgenerator.log" 2>&1 || { tail -n 20 "$LOGS/idgenerator.log" >&2; die "id generator failed"; }
# Plain ids (the file may hold id,name,price lines, comments, CRLF or a BOM), shuffled reproducibly.
sed -e '1s/^\xEF\xBB\xBF//' -e 's/\r$//' -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' "$DATA/products.txt" \
  | cut -d, -f1 | tr -d '[:blank:]' | shuf --random-source=<(yes "$SHUFFLE_SEED") >"$DATA/ids.txt"
ids_n=$(wc -l <"$DATA/ids.txt")
log "ids: $ids_n existing ids in $((SECONDS - gen_start))s (first: $(head -n 1 "$DATA/ids.txt"))"
((ids_n >= 100000)) || die "the generator wrote only $ids_n ids"
if grep -q -- "^$MISS_PREFIX" "$DATA/ids.txt"; then
  die "some real ids start with MISS_PREFIX '$MISS_PREFIX'; pick another prefix"
fi
head -n "$HOT_COUNT" "$DATA/ids.txt" >"$DATA/hot.txt"
head -n "$ZIPF_COUNT" "$DATA/ids.txt" >"$DATA/zipf.txt"
STAMPEDE_ID=$(sed -n "$((ZIPF_COUNT + 1))p" "$DATA/ids.txt")
SANITY_ID=$(sed -n "$((ZIPF_COUNT + 2))p" "$DATA/ids.txt")
sed -n "$((ZIPF_COUNT + 3)),$((ZIPF_COUNT + 2 + WARM_COUNT))p" "$DATA/ids.txt" >"$DATA/cold-warmup.txt"
pool_start=$((ZIPF_COUNT + 3 + WARM_COUNT))
# The cold and the sweep scenarios each get their own slices, so neither walks ids the other has cached.
walks=0
has "$SCENARIOS" cold && walks=$((walks + 1))
has "$SCENARIOS" sweep && walks=$((walks + 1))
((walks > 0)) || walks=1
slice=$(((ids_n - pool_start + 1) / (ROUNDS * walks)))
w=0
for walk in cold sweep; do
  has "$SCENARIOS" "$walk" || continue
  for ((r = 1; r <= ROUNDS; r++)); do
    # Round r's ids: a slice no target has been asked for (each target's cache is its own, so
    # all targets share the slice of a round).
    first=$((pool_start + (w * ROUNDS + r - 1) * slice))
    sed -n "${first},$((first + slice - 1))p" "$DATA/ids.txt" >"$DATA/$walk-r$r.txt"
  done
  w=$((w + 1))
done
if has "$SCENARIOS" precomputed_fp; then
  # The attacker's offline step: absent ids an unkeyed filter of the same ids, sized as the gateway sizes its own,
  # lets through. One slice per round and one for the warm-ups, so no run replays ids a target has negatively cached.
  fp_total=$((FP_PER_ROUND * (ROUNDS + 1)))
  log "computing $fp_total false positives of an unkeyed filter of the ids (IdGenerator false-positives)"
  (cd "$(dirname "$(dll tools/IdGenerator)")" && timeout 1200 dotnet "$(dll tools/IdGenerator)" false-positives \
    --ids "$DATA/products.txt" --expected-items "$ids_n" --count "$fp_total" --prefix "${MISS_PREFIX}fp-" --out "$DATA/fp.txt") \
    >"$LOGS/false-positives.log" 2>&1 || { tail -n 20 "$LOGS/false-positives.log" >&2; die "false-positive list failed"; }
  log "$(tail -n 1 "$LOGS/false-positives.log")"
  head -n "$FP_PER_ROUND" "$DATA/fp.txt" >"$DATA/fp-warmup.txt"
  for ((r = 1; r <= ROUNDS; r++)); do
    sed -n "$((r * FP_PER_ROUND + 1)),$(((r + 1) * FP_PER_ROUND))p" "$DATA/fp.txt" >"$DATA/fp-r$r.txt"
  done
fi
MISSING_ID="${MISS_PREFIX}repeated-0001"

# ------------------------------------------------------------------------------------------ start
COMMON_ENV=(ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning)
NEED_SHORT=0
has "$SCENARIOS" stampede && NEED_SHORT=1
ports=()
declare -A PORT_OF=()

free_port P_CATALOG
log "starting the catalog on :$P_CATALOG (seeding $ids_n ids)"
seed_start=$SECONDS
spawn catalog "$(dirname "$(dll src/CatalogBackend)")" env "${COMMON_ENV[@]}" \
  PRODUCTS_FILE="$DATA/products.txt" CATALOG_DB="$TMP/catalog.db" \
  dotnet "$(dll src/CatalogBackend)" --urls "http://127.0.0.1:$P_CATALOG"
wait_http catalog "http://127.0.0.1:$P_CATALOG/health" 200 "$START_TIMEOUT"
log "catalog ready in $((SECONDS - seed_start))s"
CATALOG="http://127.0.0.1:$P_CATALOG"
ports+=("catalog=$P_CATALOG")

if has "$TARGETS" edgeguard-redis; then
  free_port P_REDIS
  log "starting redis-server on :$P_REDIS"
  mkdir -p "$TMP/redis"
  spawn redis "$TMP/redis" "$(command -v redis-server)" --port "$P_REDIS" --bind 127.0.0.1 --save '' \
    --appendonly no --dir "$TMP/redis" --daemonize no
  deadline=$((SECONDS + 30))
  until (exec 3<>"/dev/tcp/127.0.0.1/$P_REDIS") 2>/dev/null; do
    ((SECONDS < deadline)) || die "redis-server did not start"
    kill -0 "${PID_OF[redis]}" 2>/dev/null || die "redis-server exited (log: $LOGS/redis.log)"
    sleep 0.2
  done
  ports+=("redis=$P_REDIS")
fi

# start_gateway NAME PORT [ENV...]
GATEWAYS=()
start_gateway() {
  local name=$1 port=$2 assembly=${GATEWAY_DLL:-}
  shift 2
  [[ -n $assembly ]] || assembly=$(dll src/EdgeGuard.Proxy)
  log "starting EdgeGuard '$name' on :$port ($assembly)"
  # Each gateway keeps its local filter snapshot apart (and a run never starts from an earlier run's).
  spawn "$name" "$(dirname "$assembly")" env -u REDIS_URL "${COMMON_ENV[@]}" \
    UPSTREAM_URL="$CATALOG" PRODUCTS_FILE="$DATA/products.txt" EdgeGuard__Bloom__ExpectedItems="$ids_n" \
    EdgeGuard__Bloom__SnapshotPath="$TMP/$name.snapshot" "$@" \
    dotnet "$assembly" --urls "http://127.0.0.1:$port"
  GATEWAYS+=("$name")
  ports+=("$name=$port")
  PORT_OF[$name]=$port
}
SHORT_TTL="$(printf '00:00:%02d' "$STAMPEDE_TTL")"
if has "$TARGETS" edgeguard; then
  free_port P_GW
  start_gateway edgeguard "$P_GW"
  if ((NEED_SHORT)); then
    free_port P_GW_SHORT
    start_gateway edgeguard-shortttl "$P_GW_SHORT" EdgeGuard__Cache__PositiveTtl="$SHORT_TTL"
  fi
fi
if has "$TARGETS" edgeguard-before; then
  free_port P_GWBEFORE
  # shellcheck disable=SC2086 # BEFORE_ENV is a list of NAME=value settings
  GATEWAY_DLL="$BEFORE_DLL" start_gateway edgeguard-before "$P_GWBEFORE" ${BEFORE_ENV:-}
fi
if has "$TARGETS" edgeguard-before2; then
  free_port P_GWBEFORE2
  # shellcheck disable=SC2086 # BEFORE2_ENV is a list of NAME=value settings
  GATEWAY_DLL="$BEFORE2_DLL" start_gateway edgeguard-before2 "$P_GWBEFORE2" ${BEFORE2_ENV:-} \
    $( ((BEFORE2_REDIS)) && echo "REDIS_URL=redis://127.0.0.1:$P_REDIS/2")
fi
if has "$TARGETS" edgeguard-budget; then
  free_port P_GWB
  start_gateway edgeguard-budget "$P_GWB" EdgeGuard__ClientBudget__UpstreamPerSecond="$BUDGET_RATE" \
    EdgeGuard__ClientBudget__KnownProxies__0=127.0.0.1
fi
if has "$TARGETS" edgeguard-redis; then
  free_port P_GWR
  start_gateway edgeguard-redis "$P_GWR" REDIS_URL="redis://127.0.0.1:$P_REDIS/0"
  if ((NEED_SHORT)); then
    # Its own Redis database, so the long-TTL gateway's entries never stand in for its short ones.
    free_port P_GWR_SHORT
    start_gateway edgeguard-redis-shortttl "$P_GWR_SHORT" REDIS_URL="redis://127.0.0.1:$P_REDIS/1" \
      EdgeGuard__Cache__PositiveTtl="$SHORT_TTL"
  fi
fi

# start_nginx NAME PORT VALID_200 [LIMIT]
start_nginx() {
  local name=$1 port=$2 valid200=$3 limit=${4:-0} prefix="$TMP/$1" user_line="" http_extra="" location_extra=""
  mkdir -p "$prefix"/{cache,client_body,proxy_temp,fastcgi_temp,uwsgi_temp,scgi_temp}
  # As root, nginx would switch its workers to an unprivileged user that cannot write our prefix.
  [[ $(id -u) -eq 0 ]] && user_line="user root;"
  if ((limit)); then
    http_extra="set_real_ip_from 127.0.0.1; real_ip_header X-Forwarded-For; limit_req_zone \$binary_remote_addr zone=perclient:64m rate=${BUDGET_RATE}r/s; limit_req_status 429;"
    location_extra="limit_req zone=perclient burst=$((2 * BUDGET_RATE)) nodelay;"
  fi
  sed -e "s|@USER_LINE@|$user_line|" -e "s|@PREFIX@|$prefix|g" -e "s|@PORT@|$port|g" \
    -e "s|@UPSTREAM_PORT@|$P_CATALOG|g" -e "s|@VALID_200@|$valid200|g" -e "s|@VALID_404@|1m|g" \
    -e "s|@HTTP_EXTRA@|$http_extra|" -e "s|@LOCATION_EXTRA@|$location_extra|" \
    "$LOAD/nginx.conf.template" >"$prefix/nginx.conf"
  cp "$prefix/nginx.conf" "$OUT/$name.conf"
  "$NGINX" -t -q -c "$prefix/nginx.conf" -p "$prefix" -e "$prefix/error.log" -g 'daemon off;' \
    || die "nginx rejected $prefix/nginx.conf"
  log "starting nginx '$name' on :$port (proxy_cache_valid 200 $valid200)"
  spawn "$name" "$prefix" "$NGINX" -c "$prefix/nginx.conf" -p "$prefix" -e "$prefix/error.log" -g 'daemon off;'
  ports+=("$name=$port")
}
if has "$TARGETS" nginx; then
  free_port P_NGINX
  start_nginx nginx "$P_NGINX" 10m
  if ((NEED_SHORT)); then
    free_port P_NGINX_SHORT
    start_nginx nginx-shortttl "$P_NGINX_SHORT" "${STAMPEDE_TTL}s"
  fi
fi
if has "$TARGETS" nginx-limit; then
  free_port P_NGINXL
  start_nginx nginx-limit "$P_NGINXL" 10m 1
fi
if has "$TARGETS" bare-kestrel; then
  free_port P_BARE
  log "starting the bare Kestrel app on :$P_BARE"
  spawn bare-kestrel "$(dirname "$(dll bench/BareKestrel)")" env "${COMMON_ENV[@]}" \
    dotnet "$(dll bench/BareKestrel)" --urls "http://127.0.0.1:$P_BARE"
  ports+=("bare-kestrel=$P_BARE")
fi
if has "$TARGETS" yarp-passthrough; then
  free_port P_YARP
  log "starting the YARP pass-through on :$P_YARP"
  spawn yarp-passthrough "$(dirname "$(dll bench/YarpPassthrough)")" env "${COMMON_ENV[@]}" UPSTREAM_URL="$CATALOG" \
    dotnet "$(dll bench/YarpPassthrough)" --urls "http://127.0.0.1:$P_YARP"
  ports+=("yarp-passthrough=$P_YARP")
fi

# Readiness: gateways once their filter is loaded, the others once they answer.
for g in "${GATEWAYS[@]}"; do
  port=${PORT_OF[$g]}
  wait_http "$g" "http://127.0.0.1:$port/health/ready" 200 "$START_TIMEOUT"
  stats=$(curl -sf --max-time 5 "http://127.0.0.1:$port/bloom/stats") || die "$g: GET /bloom/stats failed"
  printf '%s\n' "$stats" >"$OUT/bloom-stats-$g.json"
  log "$g ready: $(tr -d '\n' <<<"$stats" | cut -c1-200)"
done
if has "$TARGETS" nginx; then
  wait_http nginx "http://127.0.0.1:$P_NGINX/nginx-health" 200 30
  ((NEED_SHORT)) && wait_http nginx-shortttl "http://127.0.0.1:$P_NGINX_SHORT/nginx-health" 200 30
fi
has "$TARGETS" nginx-limit && wait_http nginx-limit "http://127.0.0.1:$P_NGINXL/nginx-health" 200 30
has "$TARGETS" bare-kestrel && wait_http bare-kestrel "http://127.0.0.1:$P_BARE/products/$MISSING_ID" 404 60
has "$TARGETS" yarp-passthrough && wait_http yarp-passthrough "http://127.0.0.1:$P_YARP/products/$SANITY_ID" 200 60

# target_url TARGET SCENARIO
target_url() {
  local short=0
  [[ $2 == stampede ]] && short=1
  case $1 in
    edgeguard) if ((short)); then echo "http://127.0.0.1:$P_GW_SHORT"; else echo "http://127.0.0.1:$P_GW"; fi ;;
    edgeguard-redis) if ((short)); then echo "http://127.0.0.1:$P_GWR_SHORT"; else echo "http://127.0.0.1:$P_GWR"; fi ;;
    edgeguard-budget) echo "http://127.0.0.1:$P_GWB" ;;
    edgeguard-before) echo "http://127.0.0.1:$P_GWBEFORE" ;;
    edgeguard-before2) echo "http://127.0.0.1:$P_GWBEFORE2" ;;
    nginx) if ((short)); then echo "http://127.0.0.1:$P_NGINX_SHORT"; else echo "http://127.0.0.1:$P_NGINX"; fi ;;
    nginx-limit) echo "http://127.0.0.1:$P_NGINXL" ;;
    catalog) echo "$CATALOG" ;;
    bare-kestrel) echo "http://127.0.0.1:$P_BARE" ;;
    yarp-passthrough) echo "http://127.0.0.1:$P_YARP" ;;
  esac
}
is_gateway() { [[ $1 == edgeguard || $1 == edgeguard-before || $1 == edgeguard-before2 || $1 == edgeguard-redis || $1 == edgeguard-budget ]]; }

# target_pids TARGET SCENARIO : the processes serving TARGET (nginx: master and workers).
target_pids() {
  local name=$1 pid
  [[ $2 == stampede && $1 =~ ^(edgeguard|edgeguard-redis|nginx)$ ]] && name="$1-shortttl"
  pid=${PID_OF[$name]:-}
  [[ -n $pid ]] || return 0
  printf '%s\n' "$pid"
  if [[ $1 == nginx || $1 == nginx-limit ]]; then pgrep -P "$pid" || true; fi
}

# cpu_ms PID... : user + system CPU time the processes have used so far, in ms (0 for gone ones).
CLK_TCK=$(getconf CLK_TCK)
cpu_ms() {
  local pid total=0 t
  for pid in "$@"; do
    t=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }') || t=0
    total=$((total + ${t:-0}))
  done
  printf '%s\n' $((total * 1000 / CLK_TCK))
}

# machine_ticks : "busy total" jiffies of all CPUs so far.
machine_ticks() {
  awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t; exit }' /proc/stat
}
has_cache() { [[ $1 == edgeguard || $1 == edgeguard-before || $1 == edgeguard-before2 || $1 == edgeguard-redis || $1 == edgeguard-budget || $1 == nginx || $1 == nginx-limit ]]; }

# Sanity: each target answers an existing id with 200 (bare Kestrel: 404) and a missing id with 404.
sanity_scenarios="main"
((NEED_SHORT)) && sanity_scenarios="main stampede"
for s in $sanity_scenarios; do
  for t in $TARGETS; do
    runs_in "$s" "$t" || continue
    url=$(target_url "$t" "$s")
    read -r st_hit src_hit < <(http_probe "$url/products/$SANITY_ID")
    read -r st_miss src_miss < <(http_probe "$url/products/${MISS_PREFIX}sanity-0001")
    log "sanity $t ($s): existing -> $st_hit ($src_hit), missing -> $st_miss ($src_miss)"
    want_hit=200
    [[ $t == bare-kestrel ]] && want_hit=404
    [[ $st_hit == "$want_hit" && $st_miss == 404 ]] || die "$t answers existing=$st_hit missing=$st_miss, expected $want_hit/404"
    if is_gateway "$t"; then
      [[ $src_miss == bloom ]] || log "WARNING: $t did not Bloom-reject the sanity missing id (source: $src_miss)"
    fi
  done
done

# --------------------------------------------------------------------------------------- metadata
{
  printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
  cmd="bench/load/run.sh"
  for n in DURATION WARMUP ROUNDS THREADS CONNECTIONS STAMPEDE_DURATION STAMPEDE_CONNECTIONS STAMPEDE_TTL ID_COUNT COUNT_STATUS BUDGET_RATE LEGIT_CONNECTIONS FP_PER_ROUND; do
    printf '%s\t%s\n' "$n" "${!n}"
  done
  for n in TARGETS SCENARIOS BUDGET_RATE LEGIT_CONNECTIONS FP_PER_ROUND COUNT_STATUS ID_COUNT STAMPEDE_TTL STAMPEDE_CONNECTIONS STAMPEDE_DURATION CONNECTIONS THREADS ROUNDS WARMUP DURATION; do
    v=$(printenv "$n" || true)
    if [[ -n $v ]]; then
      [[ $v == *" "* ]] && v="\"$v\""
      cmd="$n=$v $cmd"
    fi
  done
  printf 'command\t%s\n' "$cmd"
  printf 'scenarios\t%s\n' "$SCENARIOS"
  printf 'targets\t%s\n' "$TARGETS"
  printf 'cpu\t%s\n' "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  printf 'cores\t%s\n' "$(nproc)"
  printf 'memory\t%s\n' "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  printf 'os\t%s\n' "$(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release) / Linux $(uname -r)"
  printf 'dotnet\t%s\n' "$(dotnet --version)"
  printf 'nginx\t%s\n' "$("$NGINX" -v 2>&1 | sed 's/^nginx version: //')"
  printf 'wrk\t%s\n' "$(wrk -v 2>&1 | head -n 1 | awk '{ print $2 }')"
  printf 'redis\t%s\n' "$(redis-server --version | awk '{ print $3 }' | sed 's/^v=//')"
  printf 'commit\t%s\n' "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  printf 'ids\t%s\n' "$ids_n"
  printf 'stampede_id\t%s\n' "$STAMPEDE_ID"
  printf 'missing_id\t%s\n' "$MISSING_ID"
  printf 'ports\t%s\n' "${ports[*]}"
} >"$OUT/meta.tsv"

# ------------------------------------------------------------------------------------------- load
RUNS="$OUT/runs.jsonl"
: >"$RUNS"
NONCE=$(printf '%x' "$(date +%s)")

# scenario_args SCENARIO ROUND PHASE : the wrk script and its arguments.
scenario_args() {
  local s=$1 r=$2 phase=$3 nonce="${NONCE}r$2${3:0:1}"
  case $s in
    penetration) printf '%s\n' penetration.lua "$MISS_PREFIX" "$nonce" ;;
    missing_repeated) printf '%s\n' missing_repeated.lua "$MISSING_ID" ;;
    hot) printf '%s\n' hot.lua "$DATA/hot.txt" ;;
    mixed) printf '%s\n' mixed.lua "$DATA/zipf.txt" "$MISS_PREFIX" "$nonce" 0.7 1.0 ;;
    cold)
      if [[ $phase == warmup ]]; then
        printf '%s\n' cold.lua "$DATA/cold-warmup.txt" "$THREADS"
      else
        printf '%s\n' cold.lua "$DATA/cold-r$r.txt" "$THREADS"
      fi
      ;;
    stampede) printf '%s\n' stampede.lua "$STAMPEDE_ID" ;;
    precomputed_fp)
      if [[ $phase == warmup ]]; then
        printf '%s\n' walk_ids.lua "$DATA/fp-warmup.txt" "$THREADS" "$WARMUP_ADDR"
      else
        printf '%s\n' walk_ids.lua "$DATA/fp-r$r.txt" "$THREADS" "$ATTACKER_ADDR"
      fi
      ;;
    sweep)
      if [[ $phase == warmup ]]; then
        printf '%s\n' walk_ids.lua "$DATA/cold-warmup.txt" "$THREADS" "$WARMUP_ADDR"
      else
        printf '%s\n' walk_ids.lua "$DATA/sweep-r$r.txt" "$THREADS" "$ATTACKER_ADDR"
      fi
      ;;
  esac
}

# start_legit DURATION URL OUTFILE : the legitimate client (hot ids, an address of its own) in the background,
# alongside an attack; its pid in LEGIT_CHILD.
LEGIT_CHILD=""
start_legit() {
  WRK_COUNT_STATUS=$COUNT_STATUS timeout --kill-after=5 $(($1 + 60)) \
    wrk -t1 -c"$LEGIT_CONNECTIONS" -d"$1s" --timeout 5s -s "$LOAD/legit.lua" "$2" -- "$DATA/hot.txt" "$LEGIT_ADDR" >"$3" 2>&1 &
  LEGIT_CHILD=$!
  PIDS+=("$LEGIT_CHILD")
}

# run_wrk DURATION CONNECTIONS URL SCRIPT ARGS... : wrk's stdout
# wrk runs in the background and is waited for, so a TERM/INT to this script is handled at once (bash
# defers traps while a foreground child runs) and cleanup stops wrk too.
WRK_CHILD=""
run_wrk() {
  local dur=$1 conns=$2 url=$3 script=$4 rc=0
  shift 4
  WRK_COUNT_STATUS=$COUNT_STATUS timeout --kill-after=5 $((dur + 60)) \
    wrk -t"$THREADS" -c"$conns" -d"${dur}s" --timeout 5s -s "$LOAD/$script" "$url" -- "$@" &
  WRK_CHILD=$!
  wait "$WRK_CHILD" || rc=$?
  WRK_CHILD=""
  return "$rc"
}

# sample_counter FILE SECONDS : the catalog's DB query counter every 100 ms, "ms value" per line.
sample_counter() {
  local file=$1 until_ms=$(($(date +%s%3N) + $2 * 1000)) v
  while (($(date +%s%3N) < until_ms)); do
    v=$(curl -s --max-time 1 "$CATALOG/metrics" \
      | awk '$1 == "catalog_db_queries_total" || index($1, "catalog_db_queries_total{") == 1 { s += $NF } END { printf "%.0f", s + 0 }') || v=""
    [[ -n $v ]] && printf '%s %s\n' "$(date +%s%3N)" "$v" >>"$file"
    sleep 0.1
  done
}

total_runs=0
for s in $SCENARIOS; do
  for t in $TARGETS; do runs_in "$s" "$t" && total_runs=$((total_runs + ROUNDS)); done
done
run_no=0
load_start=$SECONDS
log "load: $total_runs runs (${WARMUP}s warm-up + ${DURATION}s each, stampede ${STAMPEDE_DURATION}s), $THREADS threads"
for s in $SCENARIOS; do
  dur=$DURATION
  conns=$CONNECTIONS
  if [[ $s == stampede ]]; then
    dur=$STAMPEDE_DURATION
    conns=$STAMPEDE_CONNECTIONS
  fi
  for ((r = 1; r <= ROUNDS; r++)); do
    for t in $TARGETS; do
      runs_in "$s" "$t" || continue
      run_no=$((run_no + 1))
      url=$(target_url "$t" "$s")
      if ((WARMUP > 0)); then
        mapfile -t wargs < <(scenario_args "$s" "$r" warmup)
        is_attack "$s" && start_legit "$WARMUP" "$url" "$OUT/wrk/$s-$t-r$r-warmup-legit.txt"
        run_wrk "$WARMUP" "$conns" "$url" "${wargs[@]}" >"$OUT/wrk/$s-$t-r$r-warmup.txt" 2>&1 \
          || die "wrk warm-up failed: $s $t round $r (see $OUT/wrk/$s-$t-r$r-warmup.txt)"
        if is_attack "$s"; then wait "$LEGIT_CHILD" || true; LEGIT_CHILD=""; fi
        sleep 0.3
      fi
      mapfile -t args < <(scenario_args "$s" "$r" measure)
      db0=$(metric_sum "$CATALOG/metrics" catalog_db_queries_total)
      mapfile -t tpids < <(target_pids "$t" "$s")
      ((${#tpids[@]} > 0)) || die "no process for target $t"
      cpu_t0=$(cpu_ms "${tpids[@]}")
      cpu_c0=$(cpu_ms "${PID_OF[catalog]}")
      cpu_r0=$(cpu_ms "${PID_OF[redis]:-0}")
      read -r busy0 all0 < <(machine_ticks)
      gw0=null
      is_gateway "$t" && gw0=$(metric_sum "$url/metrics" edgeguard_upstream_requests_total)
      sampler_file="$OUT/wrk/$s-$t-r$r-dbsamples.txt"
      sampler=""
      if [[ $s == stampede ]] && has_cache "$t"; then
        printf '%s %s\n' "$(date +%s%3N)" "$db0" >"$sampler_file" # the baseline, so an expiry at once counts
        sample_counter "$sampler_file" "$((dur + 1))" &
        sampler=$!
        PIDS+=("$sampler")
      fi
      wrk_out="$OUT/wrk/$s-$t-r$r.txt"
      legit_out="$OUT/wrk/$s-$t-r$r-legit.txt"
      is_attack "$s" && start_legit "$dur" "$url" "$legit_out"
      run_wrk "$dur" "$conns" "$url" "${args[@]}" >"$wrk_out" 2>&1 || die "wrk failed: $s $t round $r (see $wrk_out)"
      legit=null
      if is_attack "$s"; then
        wait "$LEGIT_CHILD" || die "the legitimate client's wrk failed: $s $t round $r (see $legit_out)"
        LEGIT_CHILD=""
        legit=$(sed -n 's/^WRKJSON //p' "$legit_out")
        [[ -n $legit ]] || die "no WRKJSON line in $legit_out"
      fi
      [[ -n $sampler ]] && { wait "$sampler" || true; }
      sleep 0.3 # let in-flight upstream requests finish before reading the counters
      read -r busy1 all1 < <(machine_ticks)
      cpu_t1=$(cpu_ms "${tpids[@]}")
      cpu_c1=$(cpu_ms "${PID_OF[catalog]}")
      cpu_r1=$(cpu_ms "${PID_OF[redis]:-0}")
      db1=$(metric_sum "$CATALOG/metrics" catalog_db_queries_total)
      gw1=null
      is_gateway "$t" && gw1=$(metric_sum "$url/metrics" edgeguard_upstream_requests_total)
      bursts=null
      max_burst=null
      if [[ -n $sampler ]]; then
        # An expiry shows as a burst of DB queries: sampling intervals in which the counter rose, merged
        # when less than half a TTL apart (expiries are a TTL apart). max_burst: the most DB queries seen
        # in one sampling interval.
        read -r bursts max_burst < <(awk -v gap="$((STAMPEDE_TTL * 500))" '
          NR > 1 && $2 > prev {
            if (last == "" || $1 - last >= gap) n++
            last = $1
            if ($2 - prev > mx) mx = $2 - prev
          }
          { prev = $2 }
          END { print n + 0, mx + 0 }' "$sampler_file")
      fi
      wrkjson=$(sed -n 's/^WRKJSON //p' "$wrk_out")
      [[ -n $wrkjson ]] || die "no WRKJSON line in $wrk_out"
      printf '{"scenario":"%s","target":"%s","round":%d,"duration_s":%d,"connections":%d,"threads":%d,"url":"%s","db_before":%s,"db_after":%s,"gw_upstream_before":%s,"gw_upstream_after":%s,"expiry_bursts":%s,"max_burst":%s,"cpu_ms":{"target":%d,"catalog":%d,"redis":%d},"machine_busy_pct":%s,"ttl_s":%s,"wrk":%s,"legit":%s}\n' \
        "$s" "$t" "$r" "$dur" "$conns" "$THREADS" "$url" "$db0" "$db1" "$gw0" "$gw1" "$bursts" "$max_burst" \
        $((cpu_t1 - cpu_t0)) $((cpu_c1 - cpu_c0)) $((cpu_r1 - cpu_r0)) \
        "$(awk -v b=$((busy1 - busy0)) -v a=$((all1 - all0)) 'BEGIN { printf "%.1f", a ? 100 * b / a : 0 }')" \
        "$([[ $s == stampede ]] && echo "$STAMPEDE_TTL" || echo null)" "$wrkjson" "$legit" >>"$RUNS"
      reqs=$(grep -o '"requests":[0-9]*' <<<"$wrkjson" | head -n 1 | cut -d: -f2)
      p99=$(grep -o '"p99":[0-9]*' <<<"$wrkjson" | cut -d: -f2)
      non2xx=$(grep -o '"status":[0-9]*' <<<"$wrkjson" | head -n 1 | cut -d: -f2)
      legit_p99=$(grep -o '"p99":[0-9]*' <<<"$legit" | cut -d: -f2 || true) # none outside the attack scenarios
      awk -v s="$s" -v t="$t" -v r="$r" -v n="$run_no" -v N="$total_runs" -v q="$reqs" -v d="$dur" -v p="$p99" \
        -v e="$non2xx" -v db=$((db1 - db0)) -v b="$bursts" -v m="$max_burst" -v lp="${legit_p99:-}" 'BEGIN {
          line = sprintf("[%d/%d] %-16s %-17s r%d %9.0f req/s  p99 %6.2f ms  non-2xx %5.1f%%  db/1k %7.1f",
            n, N, s, t, r, q / d, p / 1000, q ? 100 * e / q : 0, q ? 1000 * db / q : 0)
          if (b != "null") line = line sprintf("  db %d in %d bursts (max %d per sample)", db, b, m)
          if (lp != "") line = line sprintf("  db/s %7.0f  legit p99 %6.2f ms", db / d, lp / 1000)
          print line > "/dev/stderr" }'
    done
  done
done
log "load finished in $((SECONDS - load_start))s; raw results: $RUNS"

# Gateway metrics at the end, for the record.
for g in "${GATEWAYS[@]}"; do
  port=${PORT_OF[$g]}
  curl -s --max-time 5 "http://127.0.0.1:$port/metrics" >"$OUT/metrics-$g.txt" || true
done
curl -s --max-time 5 "$CATALOG/metrics" >"$OUT/metrics-catalog.txt" || true

if [[ $RENDER == 1 ]]; then
  log "rendering bench/RESULTS.md (HTTP load section) and bench/load/results.svg"
  dotnet run --project "$LOAD/LoadReport" -c Release -- "$OUT" "$ROOT/bench/RESULTS.md" "$LOAD/results.svg" \
    || die "rendering failed (raw results are in $OUT)"
fi
log "done"
