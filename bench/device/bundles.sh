#!/usr/bin/env bash
# Bundle figures on a many-core machine (issue #3 and #5 acceptance), using only recserve:
#  1. a 10M-row x 64-dim table, fp32 and int8: write, serve, load time, table bytes, server RSS, throughput,
#     and the int8 bundle's answers against the fp32 one's on the same requests;
#  2. the example DLRM imported as a bundle, then bench/device/e2e.sh against it.
# Needs .devicepack/ (bench/device/pack.sh) where .NET is missing. Results under $OUT.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${OUT:-artifacts/bundles}"
mkdir -p "$out"
work="${WORK:-/tmp/recserve-bundles}"
rm -rf "$work"; mkdir -p "$work"
source bench/device/recserve-command.sh
rows="${ROWS:-10000000}"
dim="${DIM:-64}"
server_cpus="${SERVER_CPUS:-0-7}"
load_cpus="${LOAD_CPUS:-8-15}"

server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null' EXIT
serve() { # serve <name> <base path> <grpc> <rest>
  local log="$out/serve-$1.log"
  taskset -c "$server_cpus" "${recserve[@]}" serve --model_name "$1" --model_base_path "$2" --port "$3" --rest_api_port "$4" \
    --bind_address 127.0.0.1 --intra_op_threads 2 >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 1200); do
    grep -q "RecServe ready" "$log" && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$log"; return 1; }
    sleep 0.1
  done
  grep -E "loaded in|ready" "$log"
  grep VmRSS "/proc/$server_pid/status"
}
stop() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=; }

for dtype in fp32 int8; do
  echo "######## demo-model $rows x $dim $dtype"
  TIMEFORMAT="write: %R s"; time "${recserve[@]}" demo-model --rows "$rows" --dim "$dim" --tables 1 --dtype "$dtype" \
    --tier memory --out "$work/big-$dtype/1" | tail -n 2
  du -sb "$work/big-$dtype/1/tables"/*/* | sed "s|$work/||"
done
for dtype in fp32 int8; do
  echo "######## serve $dtype (tables in memory)"
  serve "big" "$work/big-$dtype" 19500 19501
  taskset -c "$load_cpus" "${recserve[@]}" bench --api grpc --target 127.0.0.1:19500 --model big --batch 256 --bag 4 \
    --id-max "f_0=$rows" --concurrency 8 --connections 4 --warmup 2 --duration 8 --json "$out/big-$dtype.json" | tail -n 3
  grep VmRSS "/proc/$server_pid/status"
  # The same 8 requests to both versions: ids 0..rows-1 spread, 4 per row (demo-model's max_ids_per_row).
  python3 - "$rows" >"$work/req.json" <<'PY'
import json, random, sys
rows = int(sys.argv[1]); r = random.Random(7)
print(json.dumps({"inputs": {"f_0": [[r.randrange(rows) for _ in range(4)] for _ in range(64)],
                             "dense": [[r.gauss(0, 1) for _ in range(13)] for _ in range(64)]}}))
PY
  curl -s -X POST "127.0.0.1:19501/v1/models/big:predict" -d @"$work/req.json" >"$work/answer-$dtype.json"
  stop
done
python3 - "$work/answer-fp32.json" "$work/answer-int8.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["outputs"]; b = json.load(open(sys.argv[2]))["outputs"]
flat = lambda x: [v for row in x for v in (row if isinstance(row, list) else [row])]
d = max(abs(p - q) for p, q in zip(flat(a), flat(b)))
print(f"int8 vs fp32: {len(flat(a))} outputs, max abs difference {d:.3g}")
PY

echo "######## example DLRM imported"
mkdir -p "$work/dlrm-bundle"
"${recserve[@]}" import examples/models/dlrm/1/model.onnx --out "$work/dlrm-bundle/1" | tail -n 3
OUT="$out/e2e" MODEL_DIR="$work/dlrm-bundle" ENGINE="--intra_op_threads 2" DURATION="${DURATION:-8}" WARMUP=2 \
  bash bench/device/e2e.sh 2>&1 | grep -E '^==|throughput|latency|cpu'
rm -f "$out"/e2e/server-*.log
