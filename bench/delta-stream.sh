#!/usr/bin/env bash
# Delta stream latency (issue #4 acceptance: a streamed delta is visible in predictions within 1 s of publish).
# Serves a demo bundle with --delta_stream_redis against a redis-server it starts on a free port, then for each delta
# size in SIZES publishes COUNT deltas with `recserve delta publish` while a poller sends the same REST prediction in
# a tight loop; latency = the first answer that shows the delta − the publish time (the ms part of the first stream
# entry's id: Redis's clock, the same machine). Prints per size: min, p50, max, and writes results.csv. Not part of CI.
#
#   bench/delta-stream.sh                         # sizes 1, 1000, 100000 rows, 10 deltas each
#   SIZES="1 10000" COUNT=5 SKIP_BUILD=1 bench/delta-stream.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"1 1000 100000"}
COUNT=${COUNT:-10}
DIM=${DIM:-16}
OUT=${OUT:-artifacts/delta-stream/$(date -u +%Y%m%d-%H%M%S)}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
REDIS_PORT=$(free_port)
GRPC_PORT=$(free_port)
REST_PORT=$(free_port)

[ -n "${SKIP_BUILD:-}" ] || dotnet build src/RecServe.Cli -c Release -nologo -v quiet
dll=$(pwd)/src/RecServe.Cli/bin/Release/net10.0/recserve.dll
recserve() { dotnet "$dll" "$@"; }

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
work="$OUT/work"
rm -rf "$work"
mkdir -p "$work/redis" "$work/deltas"

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$work/redis" --save "" --appendonly no >"$OUT/redis.log" 2>&1 &
redis=$!
cleanup() { kill "${server:-}" "$redis" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT

recserve demo-model --rows 200000 --dim "$DIM" --tables 1 --out "$work/models/demo/1" >"$OUT/demo-model.log"
dotnet "$dll" serve --model_name demo --model_base_path "$work/models/demo" --port "$GRPC_PORT" --rest_api_port "$REST_PORT" \
  --bind_address 127.0.0.1 --state_dir "$work/state" --delta_stream_redis "127.0.0.1:$REDIS_PORT" >"$OUT/server.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$REST_PORT/metrics" 2>/dev/null | grep -q '^recserve_delta_stream_up{model="demo"} 1' && break
  sleep 0.5
done

# Every delta upserts id 5 (the id the prediction reads) with a new value, plus rows-1 other ids.
seq=0
echo "size,seq,parts,latency_ms" >"$OUT/results.csv"
for size in $SIZES; do
  for _ in $(seq 1 "$COUNT"); do
    seq=$((seq + 1))
    python3 - "$work/deltas/$seq.csv" "$size" "$seq" "$DIM" <<'PY'
import sys
path, size, seq, dim = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
with open(path, "w") as f:
    for i in range(size):
        key = 5 if i == 0 else 1000 + (i * 7919 + seq) % 190000
        value = (seq % 97) / 100.0 + (0 if i == 0 else 0.001)
        f.write(str(key) + "," + ",".join([repr(value)] * dim) + "\n")
PY
    recserve delta make --bundle "$work/models/demo/1" --table table_0 --from "$work/deltas/$seq.csv" --seq "$seq" \
      --out "$work/deltas/$seq.delta" >/dev/null
    python3 - "$REST_PORT" "$dll" "$work/deltas/$seq.delta" "127.0.0.1:$REDIS_PORT" "$size" "$seq" >>"$OUT/results.csv" <<'PY'
import json, re, subprocess, sys, threading, time, http.client
port, dll, delta, redis, size, seq = sys.argv[1:7]
body = json.dumps({"instances": [{"dense": [0.0] * 13, "f_0": [5]}]})
def predict(conn):
    conn.request("POST", "/v1/models/demo:predict", body, {"Content-Type": "application/json"})
    return conn.getresponse().read()
conn = http.client.HTTPConnection("127.0.0.1", int(port))
before = predict(conn)
seen = {}
def poll():
    c = http.client.HTTPConnection("127.0.0.1", int(port))
    while time.time() < deadline:
        if predict(c) != before:
            seen["at"] = time.time()
            return
deadline = time.time() + 30
poller = threading.Thread(target=poll)
poller.start()
out = subprocess.run(["dotnet", dll, "delta", "publish", delta, "--redis", redis, "--model", "demo"],
                     capture_output=True, text=True, check=True).stdout
poller.join()
m = re.search(r"as (\d+) entries (\d+)-", out)
parts, published_ms = int(m.group(1)), int(m.group(2))
latency = (seen["at"] * 1000 - published_ms) if "at" in seen else float("nan")
print(f"{size},{seq},{parts},{latency:.1f}")
PY
  done
done

python3 - "$OUT/results.csv" <<'PY'
import csv, sys, statistics
rows = list(csv.DictReader(open(sys.argv[1])))
print(f"{'rows':>8} {'parts':>5} {'n':>3} {'min ms':>8} {'p50 ms':>8} {'max ms':>8}")
for size in dict.fromkeys(r["size"] for r in rows):
    lat = sorted(float(r["latency_ms"]) for r in rows if r["size"] == size)
    parts = max(int(r["parts"]) for r in rows if r["size"] == size)
    print(f"{size:>8} {parts:>5} {len(lat):>3} {lat[0]:>8.0f} {statistics.median(lat):>8.0f} {lat[-1]:>8.0f}")
PY
echo "results: $OUT/results.csv, server log: $OUT/server.log"
