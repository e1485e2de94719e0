#!/usr/bin/env bash
set -uo pipefail
cd /work/main
R=(dotnet src/RecServe.Cli/bin/Release/net10.0/recserve.dll)
export DOTNET_TC_CallCountingDelayMs=0
out=bench/results/spin-floor-1core-2026-12-03; mkdir -p $out
port=19800
ids=(--bag 4 --id-max cat_0=1000,cat_1=500,cat_2=200,cat_3=100)
for i in 1 2 3; do
  for mode in spin70 spin0; do
    if [ $mode = spin0 ]; then export DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0; else unset DOTNET_ThreadPool_UnfairSemaphoreSpinLimit; fi
    taskset -c 0 "${R[@]}" serve --model_name m --model_base_path /tmp/tiny/tiny --port $port --rest_api_port $((port+1)) --bind_address 127.0.0.1 --sched_batch > $out/server-$mode-$i.log 2>&1 &
    spid=$!; until grep -q "RecServe ready" $out/server-$mode-$i.log; do sleep 0.2; done
    unset DOTNET_ThreadPool_UnfairSemaphoreSpinLimit
    echo -n "$mode $i: "; taskset -c 1 "${R[@]}" bench --api grpc --target 127.0.0.1:$port --model m --batch 1 --concurrency 8 --connections 4 --warmup 10 --duration 10 --server-pid $spid --json $out/$mode-$i.json | grep -E "throughput|cpu" | tr '\n' ' '; echo
    kill $spid; wait $spid 2>/dev/null
  done
done
