#!/usr/bin/env bash
# Configures (Release by default) and builds into ./build; a re-run rebuilds incrementally.
set -euo pipefail
cd "$(dirname "$0")/../.."
cmake -S . -B build -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" > /dev/null
cmake --build build -j "${JOBS:-2}"
