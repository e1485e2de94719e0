#!/usr/bin/env bash
set -uo pipefail
cd /work/main
R=(dotnet src/RecServe.Cli/bin/Release/net10.0/recserve.dll)
export DOTNET_TC_CallCountingDelayMs=0
out=bench/results/sched-ab-1core-2026-12-03; mkdir -p $out
port=19500
ids=(--bag 4 --id-max cat_0=1000,cat_1=500,cat_2=200,cat_3=100)
for i in 1 2 3; do
  for mode in default sched; do
    extra=(); [ $mode = sched ] && extra=(--sched_batch)
    taskset -c 0 "${R[@]}" serve --model_name dlrm --model_base_path /tmp/lb2/dlrm --port $port --rest_api_port $((port+1)) --bind_address 127.0.0.1 "${extra[@]}" > $out/server-$mode-$i.log 2>&1 &
    spid=$!; until grep -q "RecServe ready" $out/server-$mode-$i.log; do sleep 0.2; done
    echo -n "$mode $i: "; taskset -c 1 "${R[@]}" bench --api grpc --target 127.0.0.1:$port --model dlrm --batch 256 --concurrency 8 --connections 4 --warmup 10 --duration 10 --server-pid $spid "${ids[@]}" --json $out/$mode-$i.json | grep -E "throughput|cpu" | tr '\n' ' '; echo
    kill $spid; wait $spid 2>/dev/null
  done
done
