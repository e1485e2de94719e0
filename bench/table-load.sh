#!/usr/bin/env bash
# Time to serve one large table (issue #3: a 10 M-row x 64-dim fp32 table, 2.5 GB, loads in <= 5 s and serves).
# Writes one ROWS x DIM fp32 demo-model bundle with the default residency (mapped) and a second model folder whose
# manifest says memory over hard links to the same table files, then measures, per run, the time from starting
# `recserve serve` to the first successful prediction (polled), the server's own "loaded in" time, and the rows
# file's page-cache residency before the start and after serving (mincore, bench/pagecache.py):
#   mapped-cold    rows.bin and index.bin dropped from the page cache first (posix_fadvise DONTNEED, checked)
#   mapped-cached  the files read in first
#   memory-cached  residency memory, the files read in first
#   memory-cold    residency memory, dropped first
# and, as the bound on any cold load that checks every byte, the time one reader takes to read the dropped rows file
# (8 MiB reads) and bench/disk-read.py's figures for this disk. Runs the whole set REPEAT times. The load verifies the
# payload checksum of every row (a corrupt table is never served), so a mapped table's load reads the whole file.
# Needs a Release build of recserve (dotnet build src/RecServe.Cli -c Release), curl and python3. Deletes the bundle.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${ROWS:-10000000}"
dim="${DIM:-64}"
repeat="${REPEAT:-2}"
out="${OUT:-artifacts/table-load}"
mkdir -p "$out"
source bench/table-lib.sh
resident() { python3 bench/pagecache.py "$1" "$table/rows.bin" "$table/index.bin" | awk '/^total/ {sub("resident_fraction=", "", $4); print $4}'; }

"${recserve[@]}" demo-model --rows "$rows" --dim "$dim" --tables 1 --out "$work/mapped/big/1" >/dev/null
table="$work/mapped/big/1/tables/table_0"
sync "$table"/*.bin
# The same version folder with residency memory: hard links to the same table files, only the manifest differs.
mkdir -p "$work/memory/big"
cp -al "$work/mapped/big/1" "$work/memory/big/1"
rm "$work/memory/big/1/model.json"
sed 's/"residency": *"mapped"/"residency": "memory"/' "$work/mapped/big/1/model.json" >"$work/memory/big/1/model.json"
grep -q '"residency": "memory"' "$work/memory/big/1/model.json" || { echo "could not switch the manifest to memory"; exit 1; }

serve() { # serve <run label> <mapped|memory> <cold|cached>
  local label="$1" residency="$2" pages="$3" grpc rest log="$out/serve-$1.log"
  if [ "$pages" = cold ]; then before=$(resident drop); else before=$(resident warm); fi
  grpc=$(free_port); rest=$(free_port)
  local start; start=$(now)
  "${recserve[@]}" serve --model_name big --model_base_path "$work/$residency/big" --port "$grpc" --rest_api_port "$rest" \
    --bind_address 127.0.0.1 --intra_op_threads 1 >"$log" 2>&1 &
  server_pid=$!
  local deadline=$(( $(date +%s) + 180 ))
  until curl -sf -o "$work/answer.json" -X POST "127.0.0.1:$rest/v1/models/big:predict" -d @"$work/request.json" 2>/dev/null; do
    kill -0 "$server_pid" 2>/dev/null || { cat "$log"; return 1; }
    [ "$(date +%s)" -lt "$deadline" ] || { echo "$label: no prediction after 180 s"; return 1; }
    sleep 0.02
  done
  local first_s; first_s=$(echo "$(now) - $start" | bc)
  grep -q '"outputs"' "$work/answer.json" || { echo "$label: unexpected answer"; cat "$work/answer.json"; return 1; }
  local loaded_ms; loaded_ms=$(grep -o 'loaded in [0-9]* ms' "$log" | head -n 1 | grep -o '[0-9]*')
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
  printf '%s first_prediction_s=%.2f loaded_ms=%s resident_before=%s resident_after=%s\n' "$label" "$first_s" "$loaded_ms" \
    "$before" "$(resident resident)" | tee -a "$out/summary.txt"
}

: >"$out/summary.txt"
echo "# rows=$rows dim=$dim fp32, rows.bin $(stat -c %s "$table/rows.bin") bytes, $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/summary.txt"
for i in $(seq 1 "$repeat"); do
  serve "mapped-cold-$i" mapped cold
  serve "mapped-cached-$i" mapped cached
  serve "memory-cached-$i" memory cached
  serve "memory-cold-$i" memory cold
  before=$(resident drop)
  start=$(now)
  cat "$table/rows.bin" >/dev/null
  printf 'read-cold-%s seconds=%.2f mb_per_s=%.0f resident_before=%s\n' "$i" "$(echo "$(now) - $start" | bc)" \
    "$(echo "$(stat -c %s "$table/rows.bin") / ($(now) - $start) / 1000000" | bc)" "$before" | tee -a "$out/summary.txt"
done
python3 bench/disk-read.py "$table/rows.bin" 5 | tee -a "$out/summary.txt"
