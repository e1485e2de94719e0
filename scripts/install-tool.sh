#!/usr/bin/env bash
# Packs src/RecServe.Cli as a .NET tool (package RecServe.Cli, command `recserve`) into a folder and installs it
# from there with `dotnet tool install --tool-path`; nothing is downloaded but what the build itself restores.
#
#   scripts/install-tool.sh [TOOL_DIR]        default TOOL_DIR: ~/.dotnet/tools (put it on PATH)
#
# Environment: PACKAGES   folder the package is written to (default artifacts/packages)
#              NO_BUILD=1 pack the existing Release build (as the test does after building the tests)
set -euo pipefail
cd "$(dirname "$0")/.."

tool_dir="$(realpath -m "${1:-$HOME/.dotnet/tools}")"
packages="$(realpath -m "${PACKAGES:-artifacts/packages}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

build_flag=()
[ "${NO_BUILD:-0}" = 1 ] && build_flag=(--no-build)
rm -f "$packages"/RecServe.Cli.*.nupkg
dotnet pack src/RecServe.Cli/RecServe.Cli.csproj -c Release "${build_flag[@]}" -o "$packages" -nologo -v quiet

package="$(ls "$packages"/RecServe.Cli.*.nupkg)"
version="$(basename "$package" .nupkg)"
version="${version#RecServe.Cli.}"

# Reinstalling over an older copy: uninstall first (install refuses a tool that is already there).
dotnet tool uninstall --tool-path "$tool_dir" RecServe.Cli >/dev/null 2>&1 || true
dotnet tool install --tool-path "$tool_dir" --add-source "$packages" RecServe.Cli --version "$version"
echo "installed recserve $version: $tool_dir/recserve"
