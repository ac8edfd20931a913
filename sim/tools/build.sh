#!/usr/bin/env bash
# Configures (Release by default) and builds; a re-run rebuilds incrementally. Release builds go to
# ./build, other types (BUILD_TYPE=asan, Debug) to ./build-<type>, so they never overwrite it.
set -euo pipefail
cd "$(dirname "$0")/../.."
type="${BUILD_TYPE:-Release}"
dir=build
[ "$type" = Release ] || dir="build-$(echo "$type" | tr '[:upper:]' '[:lower:]')"
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$type" > /dev/null
cmake --build "$dir" -j "${JOBS:-2}"
