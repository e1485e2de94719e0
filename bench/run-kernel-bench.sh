#!/usr/bin/env bash
# Pooling kernel: RecServe (C#, BenchmarkDotNet) against a C++ -O3 -march=native loop on the same table files and
# id lists, in the same run. Prints ns per lookup for both, the ratio ours/C++ (time: below 1 means we are faster;
# DESIGN.md's budget of ≥ 0.9× the C++ throughput is a ratio ≤ 1.11), the checksum agreement and BDN's allocation.
#
# Knobs (environment): ROWS (1000000), DIMS (16,32,64,128), BAGS (1,8,32), DTYPES (fp32,fp16,int8),
# BATCHES of 256 bags per pass (16), JOB (BenchmarkDotNet job: short), DATA (artifacts/bench-data), SKIP_BUILD (set:
# use the RecServe.Bench build already in bench/RecServe.Bench/bin, e.g. on a machine without the SDK).
# Example, small: DIMS=16,64 BAGS=1,32 DTYPES=fp32,int8 bench/run-kernel-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

export RECSERVE_BENCH_ROWS="${ROWS:-1000000}"
export RECSERVE_BENCH_DIMS="${DIMS:-16,32,64,128}"
export RECSERVE_BENCH_BAGS="${BAGS:-1,8,32}"
export RECSERVE_BENCH_DTYPES="${DTYPES:-fp32,fp16,int8}"
export RECSERVE_BENCH_BATCHES="${BATCHES:-16}"
export RECSERVE_BENCH_DIR="$(realpath -m "${DATA:-artifacts/bench-data}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
job="${JOB:-short}"
out="$(realpath -m artifacts/kernel-bench)"
mkdir -p "$out/bdn"

[[ -n "${SKIP_BUILD:-}" ]] || dotnet build bench/RecServe.Bench -c Release -nologo -v quiet
bench=(dotnet bench/RecServe.Bench/bin/Release/net10.0/RecServe.Bench.dll)
"${bench[@]}" prepare

g++ -O3 -march=native -std=c++17 -o "$out/pool_ref" bench/cpp/pool_ref.cpp

# One configuration at a time: the C++ loop, then BenchmarkDotNet (in-process, its own process per configuration
# so that the allocation column counts this benchmark alone), then both checksums.
results="$out/results.tsv"
: >"$results"
IFS=, read -ra dims <<<"$RECSERVE_BENCH_DIMS"
IFS=, read -ra bags <<<"$RECSERVE_BENCH_BAGS"
IFS=, read -ra dtypes <<<"$RECSERVE_BENCH_DTYPES"
for dtype in "${dtypes[@]}"; do
  for dim in "${dims[@]}"; do
    for bag in "${bags[@]}"; do
      table="$RECSERVE_BENCH_DIR/tables/r${RECSERVE_BENCH_ROWS}_d${dim}_${dtype}"
      ids="$RECSERVE_BENCH_DIR/ids/r${RECSERVE_BENCH_ROWS}_bag${bag}_x${RECSERVE_BENCH_BATCHES}.bin"
      read -r cpp_ns cpp_sum < <("$out/pool_ref" "$table" "$ids" "$bag" 256)
      artifacts="$out/bdn/d${dim}_b${bag}_${dtype}"
      rm -rf "$artifacts"
      RECSERVE_BENCH_DIMS=$dim RECSERVE_BENCH_BAGS=$bag RECSERVE_BENCH_DTYPES=$dtype \
        "${bench[@]}" --filter '*PoolingBenchmarks*' --job "$job" --inProcess --artifacts "$artifacts" >"$artifacts.log" 2>&1 || {
        tail -50 "$artifacts.log"
        exit 1
      }
      ours_sum=$(RECSERVE_BENCH_DIMS=$dim RECSERVE_BENCH_BAGS=$bag RECSERVE_BENCH_DTYPES=$dtype "${bench[@]}" checksum "$dim" "$dtype" "$bag")
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$dim" "$bag" "$dtype" "$cpp_ns" "$cpp_sum" "$ours_sum" \
        "$artifacts/results/RecServe.Bench.PoolingBenchmarks-report.csv" >>"$results"
      grep '^| SumPool' "$artifacts.log" || true
      echo "   C++ $cpp_ns ns/lookup"
    done
  done
done

python3 - "$results" "$RECSERVE_BENCH_BATCHES" <<'PY'
import csv, sys
results, batches = sys.argv[1], int(sys.argv[2])
print()
print(f"{'dim':>4} {'bag':>4} {'dtype':>5} {'C# ns/lookup':>13} {'C++ ns/lookup':>14} {'ours/C++':>9} {'checksums':>10} {'allocated':>10}")
worst = 0.0
with open(results) as f:
    for line in f:
        dim, bag, dtype, cpp_ns, cpp_sum, our_sum, report = line.rstrip("\n").split("\t")
        with open(report) as r:
            row = next(csv.DictReader(r))
        ns = float(row["Median [ns]"].replace(",", "")) / (batches * 256 * int(bag))
        alloc = row.get("Allocated [B]", "?")
        cpp_ns, cpp_sum, our_sum = float(cpp_ns), float(cpp_sum), float(our_sum)
        agree = abs(cpp_sum - our_sum) <= 1e-6 * max(1.0, abs(cpp_sum))
        ratio = ns / cpp_ns
        worst = max(worst, ratio)
        print(f"{dim:>4} {bag:>4} {dtype:>5} {ns:13.2f} {cpp_ns:14.2f} {ratio:9.2f} {'equal' if agree else 'DIFFER':>10} {alloc:>10}")
print(f"worst ours/C++ time ratio: {worst:.2f} (budget: <= 1.11)")
PY
