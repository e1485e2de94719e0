#!/usr/bin/env bash
# Soak run (issue #8): the example model, imported as a bundle, served by `recserve serve` under open-loop load at
# LOAD_FRACTION of its measured peak for MINUTES minutes, while a delta lands every DELTA_EVERY seconds and a new
# version (the same tables hard-linked, so only the version changes) goes live every SWAP_EVERY seconds.
# It records per-minute latency (bench --interval-log), the server's RSS every 5 s, and prints a summary:
# errors, deltas applied, versions served, RSS at start/end/peak, p99.9 per minute. Not part of CI.
#
#   bench/soak.sh                                   # 20 minutes, 70% of peak, delta every 30 s, swap every 5 min
#   MINUTES=3 SWAP_EVERY=60 DELTA_EVERY=10 bench/soak.sh   # a short check of the script
#   SKIP_BUILD=1 OUT=/tmp/soak bench/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."

MINUTES=${MINUTES:-20}
DELTA_EVERY=${DELTA_EVERY:-30}
SWAP_EVERY=${SWAP_EVERY:-300}
LOAD_FRACTION=${LOAD_FRACTION:-0.7}
BATCH=${BATCH:-32}
CONCURRENCY=${CONCURRENCY:-8}
DELTA_ROWS=${DELTA_ROWS:-1000}
OUT=${OUT:-artifacts/soak/$(date -u +%Y%m%d-%H%M%S)}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
GRPC_PORT=${GRPC_PORT:-$(free_port)}
REST_PORT=${REST_PORT:-$(free_port)}

[ -n "${SKIP_BUILD:-}" ] || dotnet build src/RecServe.Cli -c Release -nologo -v quiet
dll=src/RecServe.Cli/bin/Release/net10.0/recserve.dll
recserve() { dotnet "$dll" "$@"; }

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
work="$OUT/work"
models="$work/models/dlrm"
rm -rf "$work"
mkdir -p "$models" "$work/staging" "$work/tmp"

echo "importing the example model as a bundle"
recserve import examples/models/dlrm/1/model.onnx --out "$work/staging/1" >"$OUT/import.log"
mv "$work/staging/1" "$models/1"
# The first table of the bundle and its shape: deltas upsert rows of it.
read -r table dim rows < <(python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["tables"][0]
print(t["name"], t["dim"], t["rows"])' "$models/1/model.json")
echo "deltas go to table $table (dim $dim, $rows rows), $DELTA_ROWS rows each"

# Started directly (not through the function) so that $! is the server's own pid, whose RSS is sampled.
dotnet "$dll" serve --model_name dlrm --model_base_path "$models" --port "$GRPC_PORT" --rest_api_port "$REST_PORT" \
  --bind_address 127.0.0.1 --state_dir "$work/state" --file_system_poll_wait_seconds 1 >"$OUT/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" "${sampler:-}" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
trap cleanup EXIT

available_version() {
  curl -sf "http://127.0.0.1:$REST_PORT/v1/models/dlrm" 2>/dev/null | python3 -c '
import json, sys
versions = [int(v["version"]) for v in json.load(sys.stdin)["model_version_status"] if v["state"] == "AVAILABLE"]
print(max(versions) if versions else 0)' 2>/dev/null || echo 0
}
for _ in $(seq 1 120); do
  [ "$(available_version)" = 1 ] && break
  kill -0 "$server" || { echo "the server exited; see $OUT/server.log"; exit 1; }
  sleep 1
done
[ "$(available_version)" = 1 ] || { echo "version 1 never became AVAILABLE"; exit 1; }

bench=(bench --api grpc --target "127.0.0.1:$GRPC_PORT" --model dlrm --batch "$BATCH")
echo "measuring peak (closed loop, $CONCURRENCY clients, 20 s)"
recserve "${bench[@]}" --concurrency "$CONCURRENCY" --warmup 5 --duration 20 --json "$OUT/peak.json" >"$OUT/peak.txt"
rate=$(python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["requests_per_s"] * float(sys.argv[2]), 1))' "$OUT/peak.json" "$LOAD_FRACTION")
echo "peak $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests_per_s"])' "$OUT/peak.json") req/s; soak at $rate req/s for $MINUTES min"

( while kill -0 "$server" 2>/dev/null; do
    echo "$(date +%s) $(awk '/VmRSS/ {print $2}' "/proc/$server/status")"
    sleep 5
  done ) >"$OUT/rss.txt" &
sampler=$!

duration=$((MINUTES * 60))
recserve "${bench[@]}" --rate "$rate" --max-in-flight 256 --warmup 0 --duration "$duration" \
  --interval-log "$OUT/minutes.jsonl" --interval-seconds 60 --json "$OUT/soak.json" >"$OUT/soak.txt" 2>&1 &
load=$!

# Deltas and swaps on the schedule, for as long as the load runs.
version=1
seq=0
started=$(date +%s)
next_delta=$((started + DELTA_EVERY))
next_swap=$((started + SWAP_EVERY))
deltas=0
swaps=0
applied=0
# The last delta seq the server applied to a version (recserve_delta_last_seq), 0 when none.
last_seq() {
  curl -sf "http://127.0.0.1:$REST_PORT/metrics" | awk -v v="version=\"$1\"" '/^recserve_delta_last_seq\{/ && index($0, v) { print int($2); found = 1 } END { if (!found) print 0 }'
}
while kill -0 "$load" 2>/dev/null; do
  now=$(date +%s)
  if ((now >= next_swap && now < started + duration - 30)); then
    new=$((version + 1))
    # Hard links: the same table files, a new version folder (no deltas: a full version starts clean).
    applied=$((applied + $(last_seq "$version")))
    cp -al "$models/$version" "$work/staging/$new"
    rm -rf "$work/staging/$new/deltas"
    mv "$work/staging/$new" "$models/$new"
    version=$new
    seq=0
    swaps=$((swaps + 1))
    echo "$(date -u +%T) version $version copied in"
    next_swap=$((next_swap + SWAP_EVERY))
  fi
  if ((now >= next_delta)) && [ "$(available_version)" = "$version" ]; then
    seq=$((seq + 1))
    awk -v n="$DELTA_ROWS" -v d="$dim" -v rows="$rows" -v s="$seq$version" 'BEGIN { srand(s);
      for (i = 0; i < n; i++) { line = int(rand() * rows); for (j = 0; j < d; j++) line = line "," (rand() - 0.5); print line } }' \
      >"$work/tmp/rows.csv"
    recserve delta make --bundle "$models/$version" --table "$table" --from "$work/tmp/rows.csv" --seq "$seq" \
      --out "$work/tmp/$seq.delta" >/dev/null
    mkdir -p "$models/$version/deltas"
    mv "$work/tmp/$seq.delta" "$models/$version/deltas/$seq.delta"
    deltas=$((deltas + 1))
    next_delta=$((next_delta + DELTA_EVERY))
  fi
  sleep 1
done
wait "$load" || true
applied=$((applied + $(last_seq "$version")))
metrics=$(curl -sf "http://127.0.0.1:$REST_PORT/metrics" || true)
echo "$metrics" >"$OUT/metrics.txt"

python3 - "$OUT" "$deltas" "$swaps" "$version" "$applied" <<'PY' | tee "$OUT/summary.md"
import json, sys, re, statistics
out, deltas, swaps, version, applied = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
soak = json.load(open(f"{out}/soak.json"))
peak = json.load(open(f"{out}/peak.json"))
minutes = [json.loads(l) for l in open(f"{out}/minutes.jsonl")]
rss = [int(l.split()[1]) for l in open(f"{out}/rss.txt") if len(l.split()) == 2]
metrics = open(f"{out}/metrics.txt").read()
refused = sum(float(m) for m in re.findall(r'^recserve_delta_failures_total\{[^}]*\} (\S+)', metrics, re.M))
p999 = [m["p999_ms"] for m in minutes]
print(f"| what | value |\n| --- | --- |")
print(f"| peak (closed loop) | {peak['requests_per_s']:.1f} req/s, batch {peak['rows_per_request']} |")
print(f"| soak | {soak['duration_s']:.0f} s at {soak['rate']} req/s ({soak['requests_per_s']:.1f} answered/s) |")
print(f"| requests / errors | {soak['requests']} / {soak['errors']} {soak['errors_by_status']} (dropped {soak['dropped']}) |")
print(f"| deltas written / applied (server's last seq per version) / refused | {deltas} / {applied} / {refused:.0f} |")
print(f"| versions swapped in | {swaps} (served at the end: {version}) |")
print(f"| RSS start / end / peak | {rss[0]/1024:.0f} / {rss[-1]/1024:.0f} / {max(rss)/1024:.0f} MiB |")
print(f"| whole-run p50 / p99 / p99.9 | {soak['latency_ms']['p50']:.2f} / {soak['latency_ms']['p99']:.2f} / {soak['latency_ms']['p99_9']:.2f} ms |")
print(f"| p99.9 per minute: min / median / max | {min(p999):.2f} / {statistics.median(p999):.2f} / {max(p999):.2f} ms |")
print()
print("minute | answers | errors | p50 ms | p99 ms | p99.9 ms | max ms")
for i, m in enumerate(minutes):
    print(f"{i+1} | {m['answers']} | {m['errors']} | {m['p50_ms']:.2f} | {m['p99_ms']:.2f} | {m['p999_ms']:.2f} | {m['max_ms']:.2f}")
PY
