#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine with the .NET SDK.
# Installs what the tests need (redis-server for the Redis integration tests, redis-sentinel for the Sentinel
# tests, postgresql for the SQL id source tests, chromium for the dashboard's browser test, prometheus for
# promtool on deploy/'s alert rules, nodejs and python3 for the HTTP caching test suite's strict subset in
# bench/cachetests),
# builds, checks the code against .editorconfig, runs every test project, and ends with one line "N passed,
# N failed" summed over all projects' TRX results.
set -uo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v redis-server >/dev/null 2>&1; then
  echo "test.sh: installing redis-server (needed by the Redis integration tests)"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null \
    || { echo "test.sh: could not install redis-server" >&2; exit 1; }
fi
if ! command -v redis-sentinel >/dev/null 2>&1; then
  echo "test.sh: installing redis-sentinel (needed by the Sentinel failover tests, which start their own Sentinels)"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-sentinel >/dev/null \
    || { echo "test.sh: could not install redis-sentinel" >&2; exit 1; }
fi
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  echo "test.sh: installing postgresql (needed by the SQL id source tests, which start their own throwaway server)"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null \
    || { echo "test.sh: could not install postgresql" >&2; exit 1; }
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "test.sh: installing chromium (the dashboard tests open /dashboard in it, headless)"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
    || { echo "test.sh: could not install chromium" >&2; exit 1; }
fi
if ! command -v promtool >/dev/null 2>&1; then
  echo "test.sh: installing prometheus (promtool checks deploy/prometheus's alert rules)"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null \
    || { echo "test.sh: could not install prometheus" >&2; exit 1; }
fi

if ! command -v ip >/dev/null 2>&1; then
  echo "test.sh: installing iproute2 (the fault harness's short run puts each gateway in a network namespace of its own)"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 >/dev/null \
    || { echo "test.sh: could not install iproute2" >&2; exit 1; }
fi

if ! command -v node >/dev/null 2>&1; then
  echo "test.sh: installing nodejs and npm (the HTTP caching test suite in bench/cachetests runs on node)"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null \
    || { echo "test.sh: could not install nodejs" >&2; exit 1; }
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "test.sh: installing python3 (scores the HTTP caching test suite)"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 >/dev/null \
    || { echo "test.sh: could not install python3" >&2; exit 1; }
fi

results="$PWD/TestResults"
# Screenshots of the dashboard tests land beside the TRX files.
export EDGEGUARD_TEST_RESULTS="$results"
rm -rf "$results"
dotnet build EdgeGuard.sln -c Release -nologo -v quiet || { echo "0 passed, 0 failed"; exit 1; }
# The code's layout and the .editorconfig's style rules (naming, braces, namespaces, using order). Whitespace and
# style only: the analyzers' diagnostics already fail the build above (warnings as errors).
formatted=0
dotnet format whitespace EdgeGuard.sln --verify-no-changes --no-restore -v quiet || formatted=1
dotnet format style EdgeGuard.sln --verify-no-changes --no-restore -v quiet || formatted=1
if [ "$formatted" -ne 0 ]; then
  echo "test.sh: the code does not follow .editorconfig (listed above); run 'dotnet format EdgeGuard.sln' to fix it" >&2
  echo "0 passed, 0 failed"; exit 1
fi
# One project at a time, each with its own TRX file: sequential runs keep the timing-sensitive tests
# (timeouts, outages) away from each other on a small machine.
status=0
for project in tests/*.Tests/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" --results-directory "$results" \
    || status=1
done

passed=0; failed=0; files=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  # Failures again at the end, name and the head of the message: a CI log is often read from its tail.
  awk '
    /<UnitTestResult / && /outcome="Failed"/ { match($0, /testName="[^"]*"/); print "FAILED " substr($0, RSTART + 10, RLENGTH - 11); inside = 1; shown = 0 }
    inside && /<Message>/ { message = 1 }
    inside && message && shown < 12 { line = $0; gsub(/<\/?Message>/, "", line); print "    " line; shown++ }
    inside && /<\/Message>/ { message = 0 }
    /<\/UnitTestResult>/ { inside = 0; message = 0 }
  ' "$trx"
done
if [ "$files" -eq 0 ] || [ "$passed" -eq 0 ]; then
  echo "test.sh: no test results were produced" >&2
  status=1
fi
echo "$passed passed, $failed failed"
exit $status
