#!/usr/bin/env bash
# Pooling kernel: RecServe (C#, BenchmarkDotNet) against a C++ -O3 -march=native loop on the same table files and
# id lists, in the same run. Prints ns per lookup for both, the ratio ours/C++ (time: below 1 means we are faster;
# DESIGN.md's budget of ≥ 0.9× the C++ throughput is a ratio ≤ 1.11), the checksum agreement and BDN's allocation.
#
# Knobs (environment): ROWS (1000000), DIMS (16,32,64,128), BAGS (1,8,32), DTYPES (fp32,fp16,int8),
# BATCHES of 256 bags per pass (16), JOB (BenchmarkDotNet job: short), DATA (artifacts/bench-data).
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
mkdir -p "$out"

dotnet build bench/RecServe.Bench -c Release -nologo -v quiet
bench=(dotnet bench/RecServe.Bench/bin/Release/net10.0/RecServe.Bench.dll)
"${bench[@]}" prepare

g++ -O3 -march=native -std=c++17 -o "$out/pool_ref" bench/cpp/pool_ref.cpp

cpp_results="$out/cpp.tsv"
: >"$cpp_results"
IFS=, read -ra dims <<<"$RECSERVE_BENCH_DIMS"
IFS=, read -ra bags <<<"$RECSERVE_BENCH_BAGS"
IFS=, read -ra dtypes <<<"$RECSERVE_BENCH_DTYPES"
for dtype in "${dtypes[@]}"; do
  for dim in "${dims[@]}"; do
    for bag in "${bags[@]}"; do
      table="$RECSERVE_BENCH_DIR/tables/r${RECSERVE_BENCH_ROWS}_d${dim}_${dtype}"
      ids="$RECSERVE_BENCH_DIR/ids/r${RECSERVE_BENCH_ROWS}_bag${bag}_x${RECSERVE_BENCH_BATCHES}.bin"
      read -r ns sum < <("$out/pool_ref" "$table" "$ids" "$bag" 256)
      ours_sum=$("${bench[@]}" checksum "$dim" "$dtype" "$bag")
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$dim" "$bag" "$dtype" "$ns" "$sum" "$ours_sum" >>"$cpp_results"
      echo "C++ dim=$dim bag=$bag $dtype: $ns ns/lookup"
    done
  done
done

rm -rf BenchmarkDotNet.Artifacts/results
"${bench[@]}" --filter '*PoolingBenchmarks*' --job "$job" --inProcess --artifacts "$out/bdn" >"$out/bdn.log" 2>&1 || {
  tail -50 "$out/bdn.log"
  exit 1
}
grep -A40 '^| Method' "$out/bdn.log" | grep '^|' || true

python3 - "$out/bdn/results/RecServe.Bench.PoolingBenchmarks-report.csv" "$cpp_results" "$RECSERVE_BENCH_BATCHES" <<'PY'
import csv, sys
report, cpp_path, batches = sys.argv[1], sys.argv[2], int(sys.argv[3])
ours = {}
with open(report) as f:
    for row in csv.DictReader(f):
        key = (row["Dim"], row["BagSize"], row["DType"])
        mean = float(row["Mean [ns]"].replace(",", ""))
        alloc = row.get("Allocated [B]", "?")
        ours[key] = (mean / (batches * 256 * int(row["BagSize"])), alloc)
print()
print(f"{'dim':>4} {'bag':>4} {'dtype':>5} {'C# ns/lookup':>13} {'C++ ns/lookup':>14} {'ours/C++':>9} {'checksums':>10} {'allocated':>10}")
worst = 0.0
with open(cpp_path) as f:
    for line in f:
        dim, bag, dtype, cpp_ns, cpp_sum, our_sum = line.split("\t")
        cpp_ns, cpp_sum, our_sum = float(cpp_ns), float(cpp_sum), float(our_sum)
        ns, alloc = ours[(dim, bag, dtype)]
        agree = abs(cpp_sum - our_sum) <= 1e-6 * max(1.0, abs(cpp_sum))
        ratio = ns / cpp_ns
        worst = max(worst, ratio)
        print(f"{dim:>4} {bag:>4} {dtype:>5} {ns:13.2f} {cpp_ns:14.2f} {ratio:9.2f} {'equal' if agree else 'DIFFER':>10} {alloc:>10}")
print(f"worst ours/C++ time ratio: {worst:.2f} (budget: <= 1.11)")
PY
