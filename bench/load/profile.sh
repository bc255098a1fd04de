#!/usr/bin/env bash
# Allocation profile of one running target under one load scenario (how bench/RESULTS.md's "where the
# time goes" figures were taken). It attaches dotnet-trace to the process listening on URL's port,
# recording the runtime's GC events (an AllocationTick about every 100 KB, GC starts) and exceptions,
# while wrk runs the scenario; then bench/AllocationTicks prints bytes allocated per request by type.
#
#   bench/load/profile.sh http://127.0.0.1:8000 penetration
#   IDS=bench/load/out/data/cold-r1.txt bench/load/profile.sh http://127.0.0.1:8000 cold
#
# Scenarios: penetration, missing_repeated, hot, cold (hot and cold need IDS, a file of existing ids;
# cold walks it in order, so give it ids the target has not cached yet). DURATION (8 s), CONNECTIONS (64),
# TOP (25 types). Installs dotnet-trace (dotnet tool) and wrk (apt) when missing. Run it on a quiet machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOAD="$ROOT/bench/load"
URL="${1:?usage: profile.sh URL SCENARIO}"
SCENARIO="${2:?usage: profile.sh URL SCENARIO}"
DURATION="${DURATION:-8}"
CONNECTIONS="${CONNECTIONS:-64}"
TOP="${TOP:-25}"
die() { echo "profile.sh: $*" >&2; exit 1; }

[[ $URL =~ ^http://127\.0\.0\.1:([0-9]+)$ ]] || die "URL must be http://127.0.0.1:PORT"
port=${BASH_REMATCH[1]}
case $SCENARIO in
  penetration) script=(penetration.lua zzmiss- "p$(date +%s)") ;;
  missing_repeated) script=(missing_repeated.lua zzmiss-repeated-0001) ;;
  hot) script=(hot.lua "${IDS:?hot needs IDS, a file of existing ids}") ;;
  cold) script=(cold.lua "${IDS:?cold needs IDS, a file of existing ids}" 2) ;;
  *) die "unknown scenario '$SCENARIO'" ;;
esac

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
command -v wrk >/dev/null 2>&1 || { as_root apt-get update -qq && as_root apt-get install -y -qq wrk >/dev/null; }
export PATH="$PATH:$HOME/.dotnet/tools"
command -v dotnet-trace >/dev/null 2>&1 || dotnet tool install -g dotnet-trace >/dev/null
trace_event=$(dirname "$(find "$HOME/.dotnet/tools/.store/dotnet-trace" -name Microsoft.Diagnostics.Tracing.TraceEvent.dll | sort | tail -n 1)")
[[ -f $trace_event/Microsoft.Diagnostics.Tracing.TraceEvent.dll ]] || die "TraceEvent not found in the dotnet-trace tool"
dotnet build "$ROOT/bench/AllocationTicks" -c Release -nologo -v quiet -p:TraceEventDir="$trace_event" >/dev/null \
  || die "building bench/AllocationTicks failed"

pid=$(ss -Hltnp "sport = :$port" | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2)
[[ -n $pid ]] || die "nothing listens on port $port"
out=$(mktemp -d)
trap 'kill "${trace_pid:-}" 2>/dev/null || true; rm -rf "$out"' EXIT

# GC keyword (0x1) at verbose level for AllocationTick, exception keyword (0x8000).
dotnet-trace collect -p "$pid" --providers Microsoft-Windows-DotNETRuntime:0x8001:5 \
  --duration "00:00:00:$((DURATION + 2))" -o "$out/trace.nettrace" >"$out/trace.log" 2>&1 &
trace_pid=$!
sleep 1
summary=$(WRK_COUNT_STATUS=0 timeout $((DURATION + 30)) wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" -s "$LOAD/${script[0]}" "$URL" -- "${script[@]:1}")
wait "$trace_pid" || die "dotnet-trace failed: $(cat "$out/trace.log")"
requests=$(awk '/requests in/ { print $1 }' <<<"$summary")
echo "$SCENARIO against $URL (pid $pid): $(awk '/Requests\/sec/ { print $2 }' <<<"$summary") req/s"
dotnet "$ROOT/bench/AllocationTicks/bin/Release/net10.0/AllocationTicks.dll" "$out/trace.nettrace" "$requests" "$TOP"
