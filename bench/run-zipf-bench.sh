#!/usr/bin/env bash
# Tiered serving under skew: one fp32 table (ROWS × DIM, about 1.1 GB by default) looked up with Zipf(1.05) ids in
# batches of 256 bags × 8, sum pooling through IEmbeddingTier.Gather, in three runs (one process each):
#   memory        the table loaded into native memory (LocalTableTier): the baseline
#   tiered-warm   memory-mapped (MADV_RANDOM) behind a HotRowCache of a third of the table's bytes, the file's pages
#                 left in the page cache and the page cache not limited: the cost of the tier code alone
#   tiered-3x     the same, its pages dropped first (cold), inside a memory cgroup whose limit is the cache budget + the index + ALLOWANCE_MB for the
#                 runtime: the table really is 3× larger than the memory it may use, and rows the cache lacks come
#                 from disk (the page cache gets only what is left of the limit)
# The tiered runs go twice: without (RECSERVE_READAHEAD=0) and with the readahead of each batch's missed rows
# (LocalTableTier.ReadAhead, MADV_WILLNEED on all of them before the gather). Every run has
# DOTNET_TC_CallCountingDelayMs=0 (unless set), so that hot methods reach optimised code at once on both sides (on a
# loaded VM the tiered JIT's call-counting delay can keep them at Tier0 for a long time).
# Prints lookups/s, the ratio to memory, the hot-cache hit rate, the cache's resident bytes and how memory was limited.
#
# Knobs (environment): ROWS (4000000), DIM (64), WARMUP lookups (4000000), LOOKUPS measured (8000000), MAX_SECONDS
# per phase (60: a disk-bound run stops there and reports what it did),
# ALLOWANCE_MB (128), DATA (artifacts/bench-data), SKIP_BUILD (set: use the build in bench/RecServe.Bench/bin).
set -euo pipefail
cd "$(dirname "$0")/.."

rows="${ROWS:-4000000}" dim="${DIM:-64}" warmup="${WARMUP:-4000000}" lookups="${LOOKUPS:-8000000}" seconds="${MAX_SECONDS:-60}"
export RECSERVE_BENCH_DIR="$(realpath -m "${DATA:-artifacts/bench-data}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_TC_CallCountingDelayMs="${DOTNET_TC_CallCountingDelayMs:-0}"
[[ -n "${SKIP_BUILD:-}" ]] || dotnet build bench/RecServe.Bench -c Release -nologo -v quiet
bench=(dotnet bench/RecServe.Bench/bin/Release/net10.0/RecServe.Bench.dll)

"${bench[@]}" zipf prepare "$rows" "$dim"
folder="$RECSERVE_BENCH_DIR/tables/zipf_r${rows}_d${dim}_fp32"
sync "$folder"/*.bin  # dirty pages cannot be dropped, and the tiered runs start by dropping the file's pages
rows_bytes=$(stat -c %s "$folder/rows.bin")
index_bytes=$(stat -c %s "$folder/index.bin")
cache_bytes=$(((rows_bytes + index_bytes) / 3))
limit=$((cache_bytes + index_bytes + ${ALLOWANCE_MB:-128} * 1024 * 1024))

run() { "${bench[@]}" zipf "$1" "$rows" "$dim" "$warmup" "$lookups" "$seconds"; }
memory=$(run memory)
echo "memory:      $memory"
# This VM reclaims cold page cache on its own (DAMON), so read the files in just before each warm run.
cat "$folder/rows.bin" "$folder/index.bin" >/dev/null
warm_plain=$(RECSERVE_READAHEAD=0 run tiered-warm)
echo "tiered-warm (no readahead): $warm_plain"
cat "$folder/rows.bin" "$folder/index.bin" >/dev/null
warm=$(run tiered-warm)
echo "tiered-warm: $warm"

# A child of this shell's own memory cgroup (v1), so every limit above it still applies; removed afterwards.
method="none: no writable memory cgroup, so the page cache was NOT limited and tiered-3x is not measured"
constrained=""
constrained_plain=""
parent=$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)
group="/sys/fs/cgroup/memory${parent%/}/recserve-zipf-$$"
if [[ -n "$parent" ]] && mkdir "$group" 2>/dev/null; then
  if echo "$limit" >"$group/memory.limit_in_bytes" 2>/dev/null; then
    in_group() { bash -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' _ "$group" "$@"; }
    constrained_plain=$(RECSERVE_READAHEAD=0 in_group "${bench[@]}" zipf tiered "$rows" "$dim" "$warmup" "$lookups" "$seconds")
    echo "tiered-3x (no readahead): $constrained_plain"
    constrained=$(in_group "${bench[@]}" zipf tiered "$rows" "$dim" "$warmup" "$lookups" "$seconds")
    method="cgroup v1 memory.limit_in_bytes=$limit (cache $cache_bytes + index $index_bytes + allowance), peak usage $(cat "$group/memory.max_usage_in_bytes"), limit hit $(cat "$group/memory.failcnt") times"
    echo "tiered-3x:   $constrained"
  fi
  rmdir "$group"
fi

python3 - "$memory" "$warm" "$constrained" "$method" "$warm_plain" "$constrained_plain" <<'PY'
import shlex, sys
def parse(line):
    return dict(part.split("=", 1) for part in shlex.split(line)) if line else None
memory, warm, constrained, method = parse(sys.argv[1]), parse(sys.argv[2]), parse(sys.argv[3]), sys.argv[4]
warm_plain, constrained_plain = parse(sys.argv[5]), parse(sys.argv[6])
base = float(memory["lookups_per_s"])
print()
print(f"table: {memory['rows']} rows × dim {memory['dim']} fp32, {int(memory['table_bytes']) / 1e9:.2f} GB; Zipf(1.05) ids, 256 bags × 8 per batch")
print(f"{'run':<26} {'lookups/s':>12} {'ratio':>6} {'hit rate':>9} {'cache resident':>15} {'measured':>9} {'seconds':>8}")
named = (("memory", memory), ("tiered-warm, no readahead", warm_plain), ("tiered-warm", warm),
         ("tiered-3x, no readahead", constrained_plain), ("tiered-3x", constrained))
for name, run in named:
    if run is None:
        continue
    lps = float(run["lookups_per_s"])
    resident = int(run["cache_resident_bytes"])
    print(f"{name:<26} {lps:12.0f} {lps / base:6.3f} {float(run['hit_rate']):9.4f} {resident / 1e6:12.1f} MB {int(run['lookups']):9d} {float(run['seconds']):8.1f}")
runs = [r for _, r in named if r]
print("checksums of the first chunk's pooled outputs:", "equal" if len({r["checksum"] for r in runs}) == 1 else "DIFFER")
print(f"memory limit of tiered-3x: {method}")
print(f"pages: tiered-warm {warm['pages']}; tiered-3x {constrained['pages'] if constrained else '-'}")
PY
