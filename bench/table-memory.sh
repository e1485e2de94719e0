#!/usr/bin/env bash
# Memory of one large table, fp32 against int8 (issue #3: int8 storage <= 0.3x the memory of fp32, predictions within
# 1e-2, the table serving within 5 s). Writes ROWS x DIM demo-model bundles (tables in memory): fp32 and int8 with
# the dense key-range index, int8 with the hash index (--hash-index, the layout before it), and a 1,000-row model
# whose server RSS is the runtime's own. Serves each in turn on free ports and reports: table file bytes, time from
# starting the server to the model serving, the server's own load time, recserve_embedding_resident_bytes, server
# RSS and RSS minus the tiny model's, and the int8 answers against fp32's on the same request. Deletes the bundles.
# Needs a Release build of recserve (dotnet build src/RecServe.Cli -c Release), curl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${ROWS:-10000000}"
dim="${DIM:-64}"
out="${OUT:-artifacts/table-memory}"
mkdir -p "$out"
source bench/table-lib.sh

write() { # write <name> <rows> <demo-model options...>
  local name="$1" n="$2"; shift 2
  local start; start=$(now)
  "${recserve[@]}" demo-model --rows "$n" --dim "$dim" --tables 1 --tier memory --out "$work/$name/big/1" "$@" >/dev/null
  local folder="$work/$name/big/1/tables/table_0"
  printf '%s write_s=%.1f index_bytes=%s rows_bytes=%s\n' "$name" "$(echo "$(now) - $start" | bc)" \
    "$(stat -c %s "$folder/index.bin")" "$(stat -c %s "$folder/rows.bin")" | tee -a "$out/summary.txt"
}

serve() { # serve <name> [label]: start, time to AVAILABLE, RSS, resident metric, one predict, stop
  local name="$1" label="${2:-$1}" grpc rest log="$out/serve-${2:-$1}.log"
  grpc=$(free_port); rest=$(free_port)
  local start; start=$(now)
  "${recserve[@]}" serve --model_name big --model_base_path "$work/$name/big" --port "$grpc" --rest_api_port "$rest" \
    --bind_address 127.0.0.1 --intra_op_threads 1 >"$log" 2>&1 &
  server_pid=$!
  local deadline=$(( $(date +%s) + 120 ))
  until curl -sf "127.0.0.1:$rest/v1/models/big" 2>/dev/null | grep -q AVAILABLE; do
    kill -0 "$server_pid" 2>/dev/null || { cat "$log"; return 1; }
    [ "$(date +%s)" -lt "$deadline" ] || { echo "$name: not serving after 120 s"; return 1; }
    sleep 0.05
  done
  local serving_s; serving_s=$(echo "$(now) - $start" | bc)
  curl -sf -X POST "127.0.0.1:$rest/v1/models/big:predict" -d @"$work/request.json" >"$work/answer-$name.json"
  local rss_kb resident loaded_ms
  rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")
  resident=$(curl -sf "127.0.0.1:$rest/monitoring/prometheus/metrics" | awk '/^recserve_embedding_resident_bytes/ {s += $2} END {printf "%.0f", s}')
  loaded_ms=$(grep -o 'loaded in [0-9]* ms' "$log" | head -n 1 | grep -o '[0-9]*')
  printf '%s serving_s=%.2f loaded_ms=%s resident_bytes=%s rss_bytes=%s\n' "$label" "$serving_s" "$loaded_ms" "$resident" \
    "$(( rss_kb * 1024 ))" | tee -a "$out/summary.txt"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
}

: >"$out/summary.txt"
echo "# rows=$rows dim=$dim, $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB" | tee -a "$out/summary.txt"
write tiny 1000
write fp32 "$rows"
write int8 "$rows" --dtype int8
write int8-hash "$rows" --dtype int8 --hash-index
for name in tiny fp32 int8 int8-hash; do
  serve "$name"
  # Again at once: the first load reads files the later writes may have pushed out of the page cache (a disk read),
  # the second reads them from memory, which is what the table code itself costs.
  [ "$name" = tiny ] || serve "$name" "$name-again"
  # Each bundle is deleted once served: the machine keeps at most one large table on disk beside the next.
  [ "$name" = tiny ] || rm -rf "${work:?}/$name"
done

python3 - "$out/summary.txt" "$work" <<'PY' | tee "$out/result.txt"
import json, re, sys
facts = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if not line.startswith("#") and len(parts) > 1:
        facts.setdefault(parts[0], {}).update({k: float(v) for k, v in (p.split("=") for p in parts[1:])})
def files(n): return facts[n]["index_bytes"] + facts[n]["rows_bytes"]
tiny = facts["tiny"]["rss_bytes"]
mb = lambda b: f"{b / 1e6:,.0f} MB"
for n in ("fp32", "int8", "int8-hash"):
    f = facts[n]
    print(f"{n:9}: files {mb(files(n))} (index {f['index_bytes']:,.0f} B), serving after {f['serving_s']:.2f} s "
          f"(load {f['loaded_ms']:.0f} ms), resident metric {mb(f['resident_bytes'])}, RSS {mb(f['rss_bytes'])}, "
          f"RSS - tiny model's {mb(f['rss_bytes'] - tiny)}")
print(f"tiny     : RSS {mb(tiny)}, serving after {facts['tiny']['serving_s']:.2f} s (load {facts['tiny']['loaded_ms']:.0f} ms)")
for n in ("fp32", "int8", "int8-hash"):
    again = facts[n + "-again"]
    print(f"{n:9} served again at once (files in the page cache): serving after {again['serving_s']:.2f} s (load {again['loaded_ms']:.0f} ms)")
for n in ("int8", "int8-hash"):
    a, b = facts[n], facts["fp32"]
    print(f"{n} / fp32: rows {a['rows_bytes'] / b['rows_bytes']:.3f}x, files {files(n) / files('fp32'):.3f}x, "
          f"resident {a['resident_bytes'] / b['resident_bytes']:.3f}x, RSS {a['rss_bytes'] / b['rss_bytes']:.3f}x, "
          f"RSS - tiny {(a['rss_bytes'] - tiny) / (b['rss_bytes'] - tiny):.3f}x")
def outputs(n):
    out = json.load(open(f"{sys.argv[2]}/answer-{n}.json"))["outputs"]
    return [v for row in out for v in (row if isinstance(row, list) else [row])]
ref = outputs("fp32")
for n in ("int8", "int8-hash"):
    print(f"{n} vs fp32: {len(ref)} outputs, max abs difference {max(abs(p - q) for p, q in zip(ref, outputs(n))):.3g}")
PY
