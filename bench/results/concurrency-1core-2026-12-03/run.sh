#!/usr/bin/env bash
set -uo pipefail
cd /work/main
R=(dotnet src/RecServe.Cli/bin/Release/net10.0/recserve.dll)
export DOTNET_TC_CallCountingDelayMs=0
out=bench/results/concurrency-1core-2026-12-03; mkdir -p $out
port=19300
ids=(--bag 4 --id-max cat_0=1000,cat_1=500,cat_2=200,cat_3=100)
for c in ${CONCS:-32}; do
  echo -n "in-process c=$c: "; taskset -c 0 "${R[@]}" bench --in-process --model_base_path /tmp/lb2/dlrm --model dlrm --batch 256 --concurrency $c --warmup 5 --duration 10 "${ids[@]}" --json $out/inprocess-c$c.json | grep -E "throughput|cpu" | tr '\n' ' '; echo
  for mode in default sched; do
    extra=(); [ $mode = sched ] && extra=(--sched_batch)
    taskset -c 0 "${R[@]}" serve --model_name dlrm --model_base_path /tmp/lb2/dlrm --port $port --rest_api_port $((port+1)) --bind_address 127.0.0.1 "${extra[@]}" > $out/server-$mode-c$c.log 2>&1 &
    spid=$!; until grep -q "RecServe ready" $out/server-$mode-c$c.log; do sleep 0.2; done
    echo -n "grpc $mode c=$c: "; taskset -c 1 "${R[@]}" bench --api grpc --target 127.0.0.1:$port --model dlrm --batch 256 --concurrency $c --connections 8 --warmup 10 --duration 10 --server-pid $spid "${ids[@]}" --json $out/grpc-$mode-c$c.json | grep -E "throughput|cpu" | tr '\n' ' '; echo
    kill $spid; wait $spid 2>/dev/null
  done
done
