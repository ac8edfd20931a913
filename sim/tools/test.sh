#!/usr/bin/env bash
# README command (b): install what is missing, build, run the whole test suite.
# BUILD_TYPE=asan runs it under AddressSanitizer and UndefinedBehaviorSanitizer (in ./build-asan).
set -euo pipefail
here="$(dirname "$0")"
bash "$here/install_deps.sh"
bash "$here/build.sh"
type="${BUILD_TYPE:-Release}"
dir=build
[ "$type" = Release ] || dir="build-$(echo "$type" | tr '[:upper:]' '[:lower:]')"
cd "$here/../../$dir"
if [ "$type" = asan ]; then
  # SystemC switches coroutine stacks, which the leak checker's stack scan cannot follow.
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:detect_stack_use_after_return=0}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
fi
ctest -j "${JOBS:-2}" --output-on-failure
