#!/usr/bin/env bash
# Packs what bench/device/e2e.sh needs on a machine without .NET: the .NET runtime (from this machine's SDK) and
# recserve published framework-dependent, into .devicepack/ (git-ignored through .git/info/exclude), small enough
# to travel with the working tree.
set -euo pipefail
cd "$(dirname "$0")/../.."
grep -qx '/.devicepack/' .git/info/exclude 2>/dev/null || echo '/.devicepack/' >>"$(git rev-parse --git-common-dir)/info/exclude"
mkdir -p .devicepack
dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
if [ ! -f .devicepack/dotnet-runtime.tar.xz ]; then
  tar -C "$dotnet_root" -cJf .devicepack/dotnet-runtime.tar.xz dotnet host shared/Microsoft.NETCore.App shared/Microsoft.AspNetCore.App
fi
rm -rf .devicepack/app
dotnet publish src/RecServe.Cli -c Release -r linux-x64 --self-contained false -o .devicepack/app -nologo -v quiet
# RocksDB ships musl and jemalloc builds beside the glibc one; only the glibc one loads on these machines, and the
# pack must stay under the device tool's 64 MiB.
rm -f .devicepack/app/librocksdb-musl.so .devicepack/app/librocksdb-jemalloc.so
tar -C .devicepack -cJf .devicepack/app.tar.xz app
rm -rf .devicepack/app
if [ "${WITH_BENCH:-0}" = 1 ]; then
  # The kernel/delta benchmarks (RecServe.Bench), for bench/device runs of `deltaapply` and friends.
  dotnet publish bench/RecServe.Bench -c Release -r linux-x64 --self-contained false -o .devicepack/bench -nologo -v quiet
  rm -f .devicepack/bench/librocksdb-musl.so .devicepack/bench/librocksdb-jemalloc.so .devicepack/bench/libonnxruntime.so
  tar -C .devicepack -cJf .devicepack/bench.tar.xz bench
  rm -rf .devicepack/bench
fi
du -sh .devicepack/*
