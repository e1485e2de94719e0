#!/usr/bin/env bash
# Quiet-phase measurements (session 7). Run from /work/main after building Release.
set -uo pipefail
cd /work/main
R=(dotnet src/RecServe.Cli/bin/Release/net10.0/recserve.dll)
export DOTNET_TC_CallCountingDelayMs=0
out=bench/results/floor-1core-2026-12-03; mkdir -p $out
port=19100
serve() { # serve name model_dir [prefix...]
  local name=$1 dir=$2; shift 2
  "$@" taskset -c 0 "${R[@]}" serve --model_name m --model_base_path $dir --port $port --rest_api_port $((port+1)) --bind_address 127.0.0.1 > $out/server-$name.log 2>&1 &
  spid=$!
  until grep -q "RecServe ready" $out/server-$name.log; do sleep 0.2; done
}
load() { # load name batch conc extra...
  local name=$1 b=$2 c=$3; shift 3
  taskset -c 1 "${R[@]}" bench --api grpc --target 127.0.0.1:$port --model m --batch $b --concurrency $c --connections 4 --warmup 8 --duration 10 --server-pid $spid --json $out/$name.json "$@" | grep -E "throughput|cpu"
}
echo "== floor: tiny model (1 table x 1 dim, 1 id, 1 hidden unit), batch 1, 8 clients"
serve tiny /tmp/tiny/tiny; load tiny-grpc 1 8; kill $spid; wait $spid 2>/dev/null
taskset -c 0 "${R[@]}" bench --in-process --model_base_path /tmp/tiny/tiny --model m --batch 1 --concurrency 8 --warmup 5 --duration 10 --json $out/tiny-inprocess.json | grep -E "throughput|cpu"
echo "== floor: example bundle (fresh import), batch 1 and batch 256"
serve bundle /tmp/lb2/dlrm; load bundle-b1 1 8 --bag 4 --id-max cat_0=1000,cat_1=500,cat_2=200,cat_3=100; load bundle-b256 256 8 --bag 4 --id-max cat_0=1000,cat_1=500,cat_2=200,cat_3=100; kill $spid; wait $spid 2>/dev/null
for b in 1 256; do taskset -c 0 "${R[@]}" bench --in-process --model_base_path /tmp/lb2/dlrm --model m --batch $b --concurrency 8 --warmup 5 --duration 10 --bag 4 --id-max cat_0=1000,cat_1=500,cat_2=200,cat_3=100 --json $out/bundle-b$b-inprocess.json | grep -E "throughput|cpu"; done
echo "== SCHED_BATCH A/B, bundle batch 256"
for i in 1 2 3; do
  serve normal$i /tmp/lb2/dlrm; echo -n "normal $i: "; load normal$i 256 8 --bag 4 --id-max cat_0=1000,cat_1=500,cat_2=200,cat_3=100 | tr '\n' ' '; echo; kill $spid; wait $spid 2>/dev/null
  serve batch$i /tmp/lb2/dlrm chrt -b 0; echo -n "batch $i: "; load batch$i 256 8 --bag 4 --id-max cat_0=1000,cat_1=500,cat_2=200,cat_3=100 | tr '\n' ' '; echo; kill $spid; wait $spid 2>/dev/null
done
