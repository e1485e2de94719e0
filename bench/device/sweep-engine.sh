#!/usr/bin/env bash
# Runs bench/device/e2e.sh (gRPC and in-process at batch 256, batch-1 with batching off/on) under several ONNX
# Runtime thread set-ups, each into its own folder under $OUT, to pick the server's defaults.
set -uo pipefail
cd "$(dirname "$0")/../.."
base="${OUT:-artifacts/e2e}"
run() { # run <name> <engine flags>
  echo "######## $1: ${2:-defaults}"
  OUT="$base/$1" ENGINE="$2" APIS="${APIS:-grpc}" bash bench/device/e2e.sh 2>&1 | grep -E '^==|throughput|latency'
  rm -f "$base/$1"/server-*.log
}
run nospin ""
run spin "--allow_spinning"
run intra1 "--intra_op_threads 1"
run intra2 "--intra_op_threads 2"
