# Sourced by the bench/device scripts: sets the array `recserve` to the command that runs recserve, from a local
# Release build when there is one, else from .devicepack/ (bench/device/pack.sh) unpacked into /tmp.
if ! command -v dotnet >/dev/null || [ ! -f src/RecServe.Cli/bin/Release/net10.0/recserve.dll ]; then
  mkdir -p /tmp/dotnet /tmp/recserve
  [ -x /tmp/dotnet/dotnet ] || tar -C /tmp/dotnet -xJf .devicepack/dotnet-runtime.tar.xz
  [ -f /tmp/recserve/app/recserve.dll ] || tar -C /tmp/recserve -xJf .devicepack/app.tar.xz
  export DOTNET_ROOT=/tmp/dotnet PATH="/tmp/dotnet:$PATH"
  recserve=(dotnet /tmp/recserve/app/recserve.dll)
else
  recserve=(dotnet src/RecServe.Cli/bin/Release/net10.0/recserve.dll)
fi
