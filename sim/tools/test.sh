#!/usr/bin/env bash
# README command (b): install what is missing, build, run the whole test suite.
set -euo pipefail
here="$(dirname "$0")"
bash "$here/install_deps.sh"
bash "$here/build.sh"
cd "$here/../../build"
ctest -j "${JOBS:-2}" --output-on-failure
