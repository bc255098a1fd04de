#!/usr/bin/env bash
# The fault harness (issue 19): three gateway processes on one Redis (or Sentinel, or a Redis Cluster) and the real catalog, a workload on all three
# (creates read back through every instance, reads of existing, missing and earlier ids, announcements), one fault at a
# time injected and healed, every operation recorded, and the history checked against the cluster's promises afterwards.
#   bench/faults/run.sh                 the full matrix (9 faults, about 8 minutes)
#   bench/faults/run.sh --short         two faults (about 2 minutes), as CI runs it
#   bench/faults/run.sh --faults redis-freeze,catalog-kill    some faults only
#   bench/faults/run.sh --cpu-hog       beside a busy loop per core
#   bench/faults/run.sh --check DIR     check a kept history again
# As root, each gateway runs in a network namespace of its own (made and removed by the run); otherwise it says so and
# falls back to loopback with a fault proxy per gateway. Writes bench/faults/RESULTS.md (--results PATH elsewhere); a
# failed run keeps its histories and the processes' output in bench/faults/out/ and says where. Exit code 0 when every
# check passed.
set -euo pipefail
cd "$(dirname "$0")/../.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v redis-server >/dev/null 2>&1; then
  echo "run.sh: installing redis-server"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi
if ! command -v ip >/dev/null 2>&1; then
  echo "run.sh: installing iproute2 (network namespaces)"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 >/dev/null
fi

if [[ "${1:-}" != "--check" ]]; then
  dotnet build src/CatalogBackend -c Release -nologo -v quiet
  dotnet build src/EdgeGuard.Proxy -c Release -nologo -v quiet
fi
dotnet build bench/faults/EdgeGuard.Faults -c Release -nologo -v quiet
exec dotnet bench/faults/EdgeGuard.Faults/bin/Release/net10.0/EdgeGuard.Faults.dll "$@"
