#!/usr/bin/env bash
set -uo pipefail
cd /work/main
R=(dotnet src/RecServe.Cli/bin/Release/net10.0/recserve.dll)
export DOTNET_TC_CallCountingDelayMs=0
out=bench/results/floor-1core-2026-12-03; mkdir -p $out
port=19200
serve() { local name=$1 dir=$2; shift 2
  "$@" taskset -c 0 "${R[@]}" serve --model_name m --model_base_path $dir --port $port --rest_api_port $((port+1)) --bind_address 127.0.0.1 > $out/server-$name.log 2>&1 &
  spid=$!; until grep -q "RecServe ready" $out/server-$name.log; do sleep 0.2; done; }
load() { local name=$1 b=$2 c=$3; shift 3
  taskset -c 1 "${R[@]}" bench --api grpc --target 127.0.0.1:$port --model m --batch $b --concurrency $c --connections 4 --warmup 8 --duration 10 --server-pid $spid --json $out/$name.json "$@" | grep -E "throughput|cpu" | tr '\n' ' '; echo; }
ids=(--bag 4 --id-max cat_0=1000,cat_1=500,cat_2=200,cat_3=100)
echo "== floor with SCHED_BATCH: tiny model batch 1"
serve tiny-batch /tmp/tiny/tiny chrt -b 0; load tiny-grpc-batch 1 8; kill $spid; wait $spid 2>/dev/null
echo "== in-process bundle batch 256, normal / SCHED_BATCH, twice"
for i in 1 2; do
  echo -n "in-process normal: "; taskset -c 0 "${R[@]}" bench --in-process --model_base_path /tmp/lb2/dlrm --model m --batch 256 --concurrency 8 --warmup 5 --duration 10 "${ids[@]}" --json $out/inprocess-normal$i.json | grep -E "throughput|cpu" | tr '\n' ' '; echo
  echo -n "in-process batch: "; chrt -b 0 taskset -c 0 "${R[@]}" bench --in-process --model_base_path /tmp/lb2/dlrm --model m --batch 256 --concurrency 8 --warmup 5 --duration 10 "${ids[@]}" --json $out/inprocess-batch$i.json | grep -E "throughput|cpu" | tr '\n' ' '; echo
done
