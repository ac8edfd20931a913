#!/usr/bin/env bash
# README command (a): install what is missing, build, run the default study.
set -euo pipefail
here="$(dirname "$0")"
bash "$here/install_deps.sh"
bash "$here/build.sh"
cd "$here/../.."
./build/sim/cli/xpusim model --out out/default-study
