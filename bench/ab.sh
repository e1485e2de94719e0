#!/usr/bin/env bash
# A/B two server configurations by alternating server starts (A, B, A, B, ...) against one model and one load, and
# print each run's throughput, server CPU per request and p99, then how often B beat A. On a shared machine a single
# pair proves little: run several (PAIRS) and read the CPU per request, which moves less than throughput.
#
#   MODEL_DIR (required: a model base path)  MODEL (its name)  PAIRS (3)  API (grpc)  BATCH (256)  CONCURRENCY (8)
#   CONNECTIONS (4)  WARMUP (10)  DURATION (10)  SERVER_CPUS (0)  LOAD_CPUS (1)  BENCH_EXTRA (e.g. "--bag 4 --id-max cat_0=1000")
#   A_FLAGS / B_FLAGS: serve flags of each side (e.g. B_FLAGS=--sched_batch)
#   A_ENV / B_ENV: environment of each side's server, as NAME=VALUE words (e.g. B_ENV=DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0)
#   OUT (artifacts/ab): JSON of every run and the servers' logs
set -euo pipefail
cd "$(dirname "$0")/.."
model_dir="${MODEL_DIR:?set MODEL_DIR to a model base path}"
model="${MODEL:-$(basename "$model_dir")}"
out="${OUT:-artifacts/ab}"
read -ra bench_extra <<<"${BENCH_EXTRA:-}"
mkdir -p "$out"
export DOTNET_TC_CallCountingDelayMs="${DOTNET_TC_CallCountingDelayMs:-0}"
source bench/device/recserve-command.sh

server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null' EXIT
run() { # run <side> <pair>
  local side=$1 pair=$2 flags_var="${1}_FLAGS" env_var="${1}_ENV"
  local flags grpc rest port
  read -ra flags <<<"${!flags_var:-}"
  read -ra server_env <<<"${!env_var:-}"
  grpc=$(free_port); rest=$(free_port)
  port=$grpc; case "${API:-grpc}" in rest|kserve-rest) port=$rest ;; esac
  start_server "$out/server-$side$pair.log" "${SERVER_CPUS:-0}" --model_name "$model" --model_base_path "$model_dir" \
    --port "$grpc" --rest_api_port "$rest" --bind_address 127.0.0.1 "${flags[@]}"
  taskset -c "${LOAD_CPUS:-1}" "${recserve[@]}" bench --api "${API:-grpc}" --target "127.0.0.1:$port" --model "$model" \
    --batch "${BATCH:-256}" --concurrency "${CONCURRENCY:-8}" --connections "${CONNECTIONS:-4}" --warmup "${WARMUP:-10}" \
    --duration "${DURATION:-10}" "${bench_extra[@]}" --server-pid "$server_pid" --json "$out/$side$pair.json" >/dev/null
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
}
pairs="${PAIRS:-3}"
for pair in $(seq 1 "$pairs"); do
  run A "$pair"
  run B "$pair"
done
python3 - "$out" "$pairs" <<'PY'
import json, sys
out, pairs = sys.argv[1], int(sys.argv[2])
load = lambda name: json.load(open(f"{out}/{name}.json"))
wins = 0
for pair in range(1, pairs + 1):
    a, b = load(f"A{pair}"), load(f"B{pair}")
    wins += b["requests_per_s"] > a["requests_per_s"]
    row = lambda r: f"{r['requests_per_s']:8.0f} req/s {r.get('cpu_us_per_request') or 0:7.1f} us/req p99 {r['latency_ms']['p99']:6.2f} ms"
    print(f"pair {pair}: A {row(a)} | B {row(b)} | B/A {b['requests_per_s'] / a['requests_per_s']:.2f}x")
print(f"B beat A in {wins} of {pairs} pairs")
PY
