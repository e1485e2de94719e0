#!/usr/bin/env bash
# Batch-1 requests from many clients, dynamic batching off and on, against one model (issue #5): the throughput
# ratio on/off and p99 of each, from one run. The server and the load generator get disjoint cores (taskset), so
# the ratio measures the server rather than the contention between the two.
#
#   MODEL_DIR (required: a model base path)  MODEL (its name)  BENCH_EXTRA (e.g. "--bag 4")  IDS (--id-max, e.g. cat_0=1000)
#   ENGINE (serve flags for ONNX Runtime, e.g. "--intra_op_threads 2")
#   SERVER_CPUS (0)  LOAD_CPUS (1)  CONCURRENCY (64)  CONNECTIONS (8)  DURATION (15)  WARMUP (10)
#   MAX_BATCH (64)  BATCH_THREADS (1)  BATCH_TIMEOUT_MICROS (0)  MAX_ENQUEUED (1000)  OUT (artifacts/batching)
# bench/device/e2e.sh runs it as its batch-1 part.
set -euo pipefail
cd "$(dirname "$0")/.."
model_dir="${MODEL_DIR:?set MODEL_DIR to a model base path}"
model="${MODEL:-$(basename "$model_dir")}"
out="${OUT:-artifacts/batching}"
server_cpus="${SERVER_CPUS:-0}"
load_cpus="${LOAD_CPUS:-1}"
read -ra bench_extra <<<"${BENCH_EXTRA:-}"
read -ra engine <<<"${ENGINE:-}"
ids=()
[ -z "${IDS:-}" ] || ids=(--id-max "$IDS")
mkdir -p "$out"
# Both runs reach steady state within the warm-up (see bench/device/e2e.sh for why the tier-up delay is off).
export DOTNET_TC_CallCountingDelayMs="${DOTNET_TC_CallCountingDelayMs:-0}"
source bench/device/recserve-command.sh

printf 'max_batch_size { value: %s }\nbatch_timeout_micros { value: %s }\nnum_batch_threads { value: %s }\nmax_enqueued_batches { value: %s }\n' \
  "${MAX_BATCH:-64}" "${BATCH_TIMEOUT_MICROS:-0}" "${BATCH_THREADS:-1}" "${MAX_ENQUEUED:-1000}" >"$out/batching.txt"

server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null' EXIT
run() { # run <name> <serve flags...>
  local name=$1; shift
  local grpc rest; grpc=$(free_port); rest=$(free_port)
  start_server "$out/server-$name.log" "$server_cpus" --model_name "$model" --model_base_path "$model_dir" \
    --port "$grpc" --rest_api_port "$rest" --bind_address 127.0.0.1 "${engine[@]}" "$@"
  echo "== $name"
  taskset -c "$load_cpus" "${recserve[@]}" bench --api grpc --target "127.0.0.1:$grpc" --model "$model" --batch 1 \
    --concurrency "${CONCURRENCY:-64}" --connections "${CONNECTIONS:-8}" --warmup "${WARMUP:-10}" --duration "${DURATION:-15}" \
    "${ids[@]}" "${bench_extra[@]}" --server-pid "$server_pid" --json "$out/$name.json" | tail -n 4
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
}
run batching-off
run batching-on --enable_batching --batching_parameters_file "$out/batching.txt"
python3 - "$out" <<'PY'
import json, sys
off, on = (json.load(open(f"{sys.argv[1]}/{n}.json")) for n in ("batching-off", "batching-on"))
print(f"batching on / off throughput: {on['requests_per_s'] / off['requests_per_s']:.2f}x "
      f"({on['requests_per_s']:.0f} vs {off['requests_per_s']:.0f} req/s); "
      f"p99 on {on['latency_ms']['p99']:.2f} ms, off {off['latency_ms']['p99']:.2f} ms; "
      f"server CPU per request on {on.get('cpu_us_per_request') or 0:.0f} us, off {off.get('cpu_us_per_request') or 0:.0f} us")
PY
