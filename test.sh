#!/usr/bin/env bash
# Runs every test: unit, integration (real Docker engine) and end-to-end (real control-plane and agent processes).
# Makes sure a Docker engine runs, the lab's tools are there (ip, nsenter, iptables) and the local test images exist
# first. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"

./scripts/ensure-docker.sh || exit 1
./scripts/ensure-lab.sh || exit 1
./scripts/build-test-images.sh || exit 1
./scripts/ensure-tools.sh || exit 1

export TESTCONTAINERS_RYUK_DISABLED=true
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
results=artifacts/test-results
rm -rf "$results"

if ! dotnet build Orchestrator.sln -c Release -nologo -v quiet; then
  echo "0 passed, 1 failed (the build failed)"
  exit 1
fi

# Two lanes instead of every test program at once: the end-to-end program (the longest, about half an hour) in one,
# the others one after another in the second (about ten minutes together). Seven programs starting together on a
# 2-core machine made timing-sensitive tests there fail for want of CPU, without making the whole run shorter.
run_tests() {
  timeout 80m dotnet test --project "tests/$1" -c Release --no-build --report-xunit-trx --results-directory "$results" "${@:2}"
}
run_tests EndToEnd.Tests "$@" &
end_to_end=$!
status=0
for dir in tests/*.Tests; do
  program=$(basename "$dir")
  [ "$program" = EndToEnd.Tests ] || run_tests "$program" "$@" || status=1
done
wait "$end_to_end" || status=1

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # a test host crashed or timed out before it could report
fi

echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
