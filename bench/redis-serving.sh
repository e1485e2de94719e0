#!/usr/bin/env bash
# Prediction-level bench of the Redis Cluster tier (issue #6): one synthetic bundle served three ways by one server,
# measured with `recserve bench` in one run, in turn:
#   local          tables memory-mapped from local disk (no cache)
#   cluster_cache  the same tables read from a local 3-master Redis Cluster, hot-row cache in front (CACHE_BYTES a table)
#   cluster        the same tables read from the cluster, no cache (every id is a cluster lookup)
# Prints requests/s, rows/s, p50/p99 per variant and the ratios to local; JSON reports go to $OUT. Not part of CI.
#
#   bench/redis-serving.sh
#   ROWS=200000 DURATION=5 bench/redis-serving.sh      # a short check of the script
# Knobs: ROWS DIM TABLES BATCH CONCURRENCY DURATION WARMUP ROUNDS POOL ZIPF CACHE_BYTES OUT SKIP_BUILD.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-1000000}
DIM=${DIM:-64}
TABLES=${TABLES:-4}
BATCH=${BATCH:-64}
CONCURRENCY=${CONCURRENCY:-4}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-5}
ROUNDS=${ROUNDS:-2}
# Distinct requests the load generator cycles through: enough that the hot cache meets a Zipf id stream, not a replay
# of a few dozen requests (bench's default pool of 32 would fit every id in any cache).
POOL=${POOL:-4096}
ZIPF=${ZIPF:-1.05}
CACHE_BYTES=${CACHE_BYTES:-67108864}
OUT=${OUT:-artifacts/redis-serving/$(date -u +%Y%m%d-%H%M%S)}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Three consecutive free ports whose cluster bus ports (+10000) are free too.
free_cluster_ports() {
  python3 -c '
import random, socket
def free(p):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); return True
    except OSError:
        return False
    finally:
        s.close()
while True:
    p = random.randint(20000, 45000)
    if all(free(p + i) and free(p + i + 10000) for i in range(3)):
        print(p); break'
}

[ -n "${SKIP_BUILD:-}" ] || dotnet build src/RecServe.Cli -c Release -nologo -v quiet
dll=src/RecServe.Cli/bin/Release/net10.0/recserve.dll
recserve() { dotnet "$dll" "$@"; }

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
work="$OUT/work"
rm -rf "$work"
mkdir -p "$work/models/local" "$work/models/cluster_cache" "$work/models/cluster"

first=$(free_cluster_ports)
endpoints=$(bench/redis-cluster.sh start "$work/redis" "$first")
GRPC_PORT=$(free_port)
REST_PORT=$(free_port)
server=""
cleanup() {
  [ -z "$server" ] || { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
  bench/redis-cluster.sh stop "$work/redis" "$first" || true
}
trap cleanup EXIT
echo "cluster: $endpoints"

echo "writing the bundle: $TABLES tables x $ROWS rows, dim $DIM"
recserve demo-model --rows "$ROWS" --dim "$DIM" --tables "$TABLES" --out "$work/models/local/1" >"$OUT/demo-model.log"
for variant in cluster_cache cluster; do
  # The same files (hard links), another manifest: residency redis, format version 2.
  cp -al "$work/models/local/1" "$work/models/$variant/1"
  rm "$work/models/$variant/1/model.json"
  cache=$([ "$variant" = cluster_cache ] && echo "$CACHE_BYTES" || echo 0)
  python3 - "$work/models/local/1/model.json" "$work/models/$variant/1/model.json" "$endpoints" "$cache" <<'PY'
import json, sys
source, target, endpoints, cache = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
manifest = json.load(open(source))
manifest["format_version"] = 2
for table in manifest["tables"]:
    table["tier"] = {"residency": "redis", "cache_bytes": cache,
                     "redis": {"endpoints": endpoints.split(","), "timeout_ms": 1000, "on_failure": "fail"}}
json.dump(manifest, open(target, "w"), indent=2)
PY
done
tables=$(python3 -c 'import json, sys; print(" ".join(t["name"] for t in json.load(open(sys.argv[1]))["tables"]))' "$work/models/local/1/model.json")
for table in $tables; do
  recserve table push "$work/models/cluster/1" --table "$table" --redis "$endpoints" | tail -1
done

cat >"$work/models.json" <<JSON
{"model_config_list": {"config": [
  {"name": "local", "base_path": "$work/models/local"},
  {"name": "cluster_cache", "base_path": "$work/models/cluster_cache"},
  {"name": "cluster", "base_path": "$work/models/cluster"}]}}
JSON
dotnet "$dll" serve --model_config_file "$work/models.json" --port "$GRPC_PORT" --rest_api_port "$REST_PORT" \
  --bind_address 127.0.0.1 --state_dir "$work/state" >"$OUT/server.log" 2>&1 &
server=$!
for _ in $(seq 1 240); do
  ready=$(curl -sf "http://127.0.0.1:$REST_PORT/v2/health/ready" -o /dev/null -w '%{http_code}' 2>/dev/null || true)
  [ "$ready" = 200 ] && break
  sleep 0.5
done
[ "$ready" = 200 ] || { echo "the server did not become ready; see $OUT/server.log"; exit 1; }

id_max=$(for i in $(seq 0 $((TABLES - 1))); do printf 'f_%d=%d,' "$i" "$ROWS"; done)
bench_one() { # variant, warm-up s, duration s, json
  recserve bench --target "127.0.0.1:$GRPC_PORT" --model "$1" --batch "$BATCH" --concurrency "$CONCURRENCY" \
    --warmup "$2" --duration "$3" --pool "$POOL" --zipf "$ZIPF" --id-max "${id_max%,}" --json "$4" >"${4%.json}.txt"
}
# Unmeasured first pass over all three: the server's JIT and the page cache warm up before any variant is measured.
for variant in local cluster_cache cluster; do bench_one "$variant" 1 "$WARMUP" "$work/warm-$variant.json"; done
# ROUNDS measured rounds, the order reversed every other round, so that no variant always runs first or last.
for round in $(seq 1 "$ROUNDS"); do
  order="local cluster_cache cluster"
  [ $((round % 2)) -eq 0 ] && order="cluster cluster_cache local"
  for variant in $order; do
    echo "round $round: bench $variant"
    bench_one "$variant" 1 "$DURATION" "$OUT/$variant-r$round.json"
  done
done
curl -sf "http://127.0.0.1:$REST_PORT/metrics" | grep -E '^recserve_embedding_(lookups|hits)_total' >"$OUT/table-metrics.txt" || true

python3 - "$OUT" "$ROUNDS" <<'PY'
import json, os, sys
out, rounds = sys.argv[1], int(sys.argv[2])
variants = ("local", "cluster_cache", "cluster")
print(f"{'round':<6} {'variant':<14} {'req/s':>9} {'rows/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'vs local':>9}")
ratios = {v: [] for v in variants}
for r in range(1, rounds + 1):
    reports = {v: json.load(open(os.path.join(out, f"{v}-r{r}.json"))) for v in variants}
    base = reports["local"]["requests_per_s"]
    for name, rep in reports.items():
        lat = rep["latency_ms"]
        ratios[name].append(rep["requests_per_s"] / base)
        print(f"{r:<6} {name:<14} {rep['requests_per_s']:>9.0f} {rep['rows_per_s']:>10.0f} {lat['p50']:>8.2f} {lat['p99']:>8.2f} {rep['errors']:>7} {rep['requests_per_s'] / base:>8.2f}x")
print("mean throughput ratio to local over the rounds: " + ", ".join(f"{v} {sum(x) / len(x):.2f}x" for v, x in ratios.items()))
PY
