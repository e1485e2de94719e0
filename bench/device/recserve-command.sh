# Sourced by the bench scripts: sets the array `recserve` to the command that runs recserve, from a local Release
# build when there is one, else from .devicepack/ (bench/device/pack.sh) unpacked into /tmp; defines free_port and
# start_server (below).
if ! command -v dotnet >/dev/null || [ ! -f src/RecServe.Cli/bin/Release/net10.0/recserve.dll ]; then
  mkdir -p /tmp/dotnet /tmp/recserve
  [ -x /tmp/dotnet/dotnet ] || tar -C /tmp/dotnet -xJf .devicepack/dotnet-runtime.tar.xz
  [ -f /tmp/recserve/app/recserve.dll ] || tar -C /tmp/recserve -xJf .devicepack/app.tar.xz
  export DOTNET_ROOT=/tmp/dotnet PATH="/tmp/dotnet:$PATH"
  recserve=(dotnet /tmp/recserve/app/recserve.dll)
else
  recserve=(dotnet src/RecServe.Cli/bin/Release/net10.0/recserve.dll)
fi

# A TCP port free on 127.0.0.1 at the time of asking.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_server <log> <cpus> <serve args...>: starts `recserve serve` pinned to <cpus> with its output in <log>, with
# the NAME=VALUE words of the array `server_env` (if set) in its environment; sets `server_pid` and returns once the
# server is ready, or prints the log and fails if it exits first.
start_server() {
  local log=$1 cpus=$2; shift 2
  env ${server_env[@]+"${server_env[@]}"} taskset -c "$cpus" "${recserve[@]}" serve "$@" >"$log" 2>&1 &
  server_pid=$!
  until grep -q "RecServe ready" "$log"; do
    kill -0 "$server_pid" 2>/dev/null || { cat "$log"; return 1; }
    sleep 0.2
  done
}
