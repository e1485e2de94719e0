#!/usr/bin/env bash
# The pooling kernel against C++ on a busy machine: for each configuration, ROUNDS back-to-back pairs of the C++
# reference and `RecServe.Bench time` (the same method: median of 15 samples of ≥ 100 ms over the same files), so
# that both sides of a pair see nearly the same load. Prints every pair's ratio ours/C++ and their median.
# Uses the data, pool_ref and build that run-kernel-bench.sh leaves (run that first). Knobs as there, plus ROUNDS (3).
set -euo pipefail
cd "$(dirname "$0")/.."

export RECSERVE_BENCH_ROWS="${ROWS:-1000000}" RECSERVE_BENCH_BATCHES="${BATCHES:-16}"
export RECSERVE_BENCH_DIR="$(realpath -m "${DATA:-artifacts/bench-data}")"
bench=(dotnet bench/RecServe.Bench/bin/Release/net10.0/RecServe.Bench.dll)
IFS=, read -ra dims <<<"${DIMS:-16,32,64,128}"
IFS=, read -ra bags <<<"${BAGS:-1,8,32}"
IFS=, read -ra dtypes <<<"${DTYPES:-fp32,fp16,int8}"
printf '%4s %4s %5s  %s\n' dim bag dtype "pairs: C# ns / C++ ns = ratio ...   median ratio"
for dtype in "${dtypes[@]}"; do
  for dim in "${dims[@]}"; do
    for bag in "${bags[@]}"; do
      table="$RECSERVE_BENCH_DIR/tables/r${RECSERVE_BENCH_ROWS}_d${dim}_${dtype}"
      ids="$RECSERVE_BENCH_DIR/ids/r${RECSERVE_BENCH_ROWS}_bag${bag}_x${RECSERVE_BENCH_BATCHES}.bin"
      pairs=()
      for _ in $(seq "${ROUNDS:-3}"); do
        read -r cpp _ < <(artifacts/kernel-bench/pool_ref "$table" "$ids" "$bag" 256)
        ours=$("${bench[@]}" time "$dim" "$dtype" "$bag")
        pairs+=("$ours/$cpp")
      done
      python3 -c '
import statistics, sys
pairs = [tuple(map(float, p.split("/"))) for p in sys.argv[4:]]
ratios = [o / c for o, c in pairs]
text = "  ".join(f"{o:.1f}/{c:.1f}={o / c:.2f}" for o, c in pairs)
print(f"{sys.argv[1]:>4} {sys.argv[2]:>4} {sys.argv[3]:>5}  {text}   {statistics.median(ratios):.2f}")
' "$dim" "$bag" "$dtype" "${pairs[@]}"
    done
  done
done
