#!/usr/bin/env bash
# End-to-end serving figures on a many-core machine, with the server and the load generator on disjoint cores so
# that the ratio to in-process prediction measures the server, not the contention between the two.
# Needs .devicepack/ from bench/device/pack.sh (for machines without .NET). Writes JSON results under $OUT.
#
#   SERVER_CPUS (0-7)  LOAD_CPUS (8-15)  MODEL (dlrm)  MODEL_DIR (examples/models/dlrm)
#   IDS (cat_0=1000,...)  BATCH (256)  DURATION (10)  WARMUP (10: the first API measured after a server start reads low while the JIT tiers up)  CONCURRENCY (8)
#   ENGINE: ONNX Runtime flags given to both the server and the in-process run (e.g. "--intra_op_threads 1")
#   SERVE_EXTRA: flags for the server only (e.g. "--sched_batch")
#   APIS (grpc rest kserve-grpc kserve-rest)  BATCHING (1: also the batch-1 runs with batching off and on)
#   MAX_BATCH (256)  BATCH_THREADS (4)  MAX_ENQUEUED (64): the batching parameters of both batch-1 parts,
#   BATCH_CLIENTS (64): their concurrent clients (CONCURRENCY is the batch-256 part's)
#   DLRMV2 (1: also batching off and on with MLPerf DLRMv2's dense network)  DLRMV2_DIR (/tmp/recserve-bench-dlrmv2:
#   where that demo bundle is written once, 200 MB, outside the results)
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${OUT:-artifacts/e2e}"
mkdir -p "$out"
server_cpus="${SERVER_CPUS:-0-7}"
load_cpus="${LOAD_CPUS:-8-15}"
model="${MODEL:-dlrm}"
model_dir="${MODEL_DIR:-examples/models/dlrm}"
ids="${IDS:-cat_0=1000,cat_1=500,cat_2=200,cat_3=100}"
batch="${BATCH:-256}"
duration="${DURATION:-10}"
warmup="${WARMUP:-10}"
concurrency="${CONCURRENCY:-8}"
read -ra engine <<<"${ENGINE:-}"
read -ra serve_extra <<<"${SERVE_EXTRA:-}"
read -ra bench_extra <<<"${BENCH_EXTRA:-}"   # e.g. "--bag 4" for a bundle's sparse features
read -ra apis <<<"${APIS:-grpc rest kserve-grpc kserve-rest}"

source bench/device/recserve-command.sh
export DOTNET_TieredPGO=1 DOTNET_gcServer=1
# .NET starts counting calls for tier-up only after 100 ms without new Tier0 JIT activity, ten times that (1 s) when
# the process may use one core, and a busy server keeps JIT-ing: on one core the hot paths stayed at Tier0 code for
# 40 s and more (measured: 826 req/s after 5 s of warm-up, 2,100 after 40 s, 2,500 after 5 s with no delay). Both
# sides of every ratio here run with the delay off, so that a short warm-up measures the steady state.
export DOTNET_TC_CallCountingDelayMs="${DOTNET_TC_CallCountingDelayMs:-0}"

nproc; lscpu | grep -E 'Model name|^CPU\(s\)' || true

server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null' EXIT
serve() { # serve <grpc port> <rest port> <extra flags...>
  local grpc=$1 rest=$2; shift 2
  taskset -c "$server_cpus" "${recserve[@]}" serve --model_name "$model" --model_base_path "$model_dir" \
    --port "$grpc" --rest_api_port "$rest" --bind_address 127.0.0.1 "${engine[@]}" "${serve_extra[@]}" "$@" >"$out/server-$grpc.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    grep -q "RecServe ready" "$out/server-$grpc.log" && return 0
    kill -0 "$server_pid" 2>/dev/null || { cat "$out/server-$grpc.log"; return 1; }
    sleep 0.1
  done
  return 1
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
bench() { # bench <name> <flags...>; also prints how many cores the server kept busy (busiest 1 s) and the client used
  local name=$1; shift
  echo "== $name"
  ( hz=$(getconf CLK_TCK); last=$(cpu_ticks "$server_pid"); peak=0
    while sleep 1; do
      now=$(cpu_ticks "$server_pid" 2>/dev/null) || break
      peak=$(awk -v a="$peak" -v b="$(( now - last ))" 'BEGIN { print (b > a ? b : a) }'); last=$now
      echo "$peak $hz" >"$out/.peak"
    done ) &
  local sampler=$!
  local TIMEFORMAT="load generator cpu %U user + %S sys seconds in %R s"
  time (taskset -c "$load_cpus" "${recserve[@]}" bench --model "$model" --id-max "$ids" --warmup "$warmup" --duration "$duration" \
    "${bench_extra[@]}" --server-pid "$server_pid" --json "$out/$name.json" "$@" | tail -n 4)
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
  awk '{ printf "server cpu: busiest second %.1f cores\n", $1 / $2 }' "$out/.peak"; rm -f "$out/.peak"
}

# 1. Batch 256: gRPC, REST, KServe v2 against in-process on the server's cores.
serve 18500 18501
for api in "${apis[@]}"; do
  case "$api" in
    grpc|kserve-grpc) bench "$api" --api "$api" --target 127.0.0.1:18500 --batch "$batch" --concurrency "$concurrency" --connections 4 ;;
    *) bench "$api" --api "$api" --target 127.0.0.1:18501 --batch "$batch" --concurrency "$concurrency" ;;
  esac
done
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
echo "== in-process"
taskset -c "$server_cpus" "${recserve[@]}" bench --in-process --model_base_path "$model_dir" --model "$model" --id-max "$ids" \
  --batch "$batch" --concurrency "$concurrency" --warmup "$warmup" --duration "$duration" "${engine[@]}" "${bench_extra[@]}" --json "$out/in-process.json" | tail -n 4
# Both ratios: throughput, and CPU time per request (the one that holds when other work shares the machine).
python3 - "$out" "${apis[@]}" <<'PY'
import json, sys
out, apis = sys.argv[1], dict.fromkeys(sys.argv[2:])
ref = json.load(open(f"{out}/in-process.json"))
for api in apis:
    run = json.load(open(f"{out}/{api}.json"))
    cpu = run.get("cpu_us_per_request")
    cpu_ratio = f"{ref['cpu_us_per_request'] / cpu:.2f}x" if cpu and ref.get("cpu_us_per_request") else "n/a"
    print(f"{api}: {run['requests_per_s'] / ref['requests_per_s']:.2f}x in-process throughput, "
          f"{cpu_ratio} its CPU per request ({cpu or 0:.0f} vs {ref.get('cpu_us_per_request') or 0:.0f} us)")
PY
[ "${BATCHING:-1}" = 1 ] || exit 0

# batching <out> <model> <model dir> <ids> <bench extra>: bench/batching.sh with every setting passed explicitly, so
# none leaks in from this script's environment (CONCURRENCY, BENCH_EXTRA are the batch-256 part's).
batching() {
  CONCURRENCY="${BATCH_CLIENTS:-64}" OUT="$1" MODEL="$2" MODEL_DIR="$3" IDS="$4" BENCH_EXTRA="$5" ENGINE="${ENGINE:-} ${SERVE_EXTRA:-}" \
    SERVER_CPUS="$server_cpus" LOAD_CPUS="$load_cpus" DURATION="$duration" WARMUP="$warmup" \
    MAX_BATCH="${MAX_BATCH:-256}" BATCH_THREADS="${BATCH_THREADS:-4}" MAX_ENQUEUED="${MAX_ENQUEUED:-64}" bash bench/batching.sh
}

# 2. Batch-1 requests from 64 clients, batching off and on.
batching "$out" "$model" "$model_dir" "$ids" "${BENCH_EXTRA:-}"

# 3. The same with MLPerf DLRMv2's dense network (bottom MLP, three low-rank DCNv2 cross layers, top MLP; 64 MB of
# weights), where the model call rather than the transport dominates a batch-1 request.
[ "${DLRMV2:-1}" = 1 ] || exit 0
v2="${DLRMV2_DIR:-/tmp/recserve-bench-dlrmv2}/dlrmv2"
[ -d "$v2/1" ] || "${recserve[@]}" demo-model --rows 10000 --dim 128 --tables 26 --dense 13 --bottom 512,256,128 \
  --cross-layers 3 --cross-rank 512 --hidden 1024,1024,512,256 --out "$v2/1" | tail -n 1
batching "$out/dlrmv2" dlrmv2 "$v2" "$(seq -s, -f 'f_%g=10000' 0 25)" ""
