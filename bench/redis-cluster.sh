#!/usr/bin/env bash
# Starts (or stops) a local 3-master Redis Cluster for `RecServe.Bench redis`, the same way the tests' fixture does.
#   bench/redis-cluster.sh start [DIR] [FIRST_PORT]   prints the endpoint list
#   bench/redis-cluster.sh stop  [DIR]
set -euo pipefail
dir="${2:-/tmp/recserve-bench-redis}"
first="${3:-7100}"
ports=("$first" "$((first + 1))" "$((first + 2))")
case "$1" in
  start)
    for p in "${ports[@]}"; do
      mkdir -p "$dir/$p"
      redis-server --port "$p" --bind 127.0.0.1 --dir "$dir/$p" --cluster-enabled yes --cluster-config-file nodes.conf \
        --cluster-node-timeout 2000 --cluster-require-full-coverage no --save "" --appendonly no --daemonize yes \
        --pidfile "$dir/$p/redis.pid" --logfile "$dir/$p/redis.log"
    done
    for p in "${ports[@]}"; do until redis-cli -p "$p" ping >/dev/null 2>&1; do sleep 0.05; done; done
    redis-cli --cluster create "${ports[@]/#/127.0.0.1:}" --cluster-replicas 0 --cluster-yes >/dev/null
    for p in "${ports[@]}"; do until redis-cli -p "$p" cluster info | grep -q cluster_state:ok; do sleep 0.05; done; done
    echo "127.0.0.1:${ports[0]},127.0.0.1:${ports[1]},127.0.0.1:${ports[2]}"
    ;;
  stop)
    for p in "${ports[@]}"; do [ -f "$dir/$p/redis.pid" ] && kill "$(cat "$dir/$p/redis.pid")" || true; done
    rm -rf "$dir"
    ;;
esac
