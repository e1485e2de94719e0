#!/usr/bin/env bash
# Runs every RecServe test: builds the solution, runs all test projects, and ends with one line
# "tests: N passed, M failed" (parsed from the TRX results). Installs what the tests need from Debian first,
# when it is missing. Exit status is non-zero when a test fails or nothing ran.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use, as "command:package": the Redis Cluster tier tests start a real cluster, and the
# dashboard browser test drives chromium (Playwright).
required=("redis-server:redis-server" "redis-cli:redis-tools" "chromium:chromium")
missing=()
for entry in "${required[@]}"; do
  command -v "${entry%%:*}" >/dev/null 2>&1 || missing+=("${entry##*:}")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q "${missing[@]}"
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
results="$(pwd)/TestResults"
rm -rf "$results"
dotnet build RecServe.slnx -c Release -nologo -v quiet
set +e
dotnet test RecServe.slnx -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@"
status=$?
set -e

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done
echo "tests: $passed passed, $failed failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
