#!/usr/bin/env bash
# Fuzzing campaigns with libFuzzer (Debian's clang): builds ./build-fuzz with every library
# instrumented and ASan + UBSan on, then runs each target (all, or those named) for RUNS executions
# (default 2,000,000), starting from its seed corpus in tests/fuzz/corpus/<target>. New inputs are
# kept in build-fuzz/corpus/<target>, findings (crash-*, timeout-*, oom-*) in
# build-fuzz/findings/<target>; the repository's corpus is never written. Prints, per target, the
# executions done and the findings. Not part of CI, which replays the corpus (ctest -R Fuzz).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash sim/tools/install_deps.sh
missing=()
for p in clang libclang-rt-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
runs="${RUNS:-2000000}"
all=(scenario_json cluster_json host_profile_json kernel_shape seeds openb_nodes openb_pods pai_machines pai_tasks philly_jobs
     tiresias_jobs tiresias_cluster flows_json)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXPUSIM_FUZZ=ON > /dev/null
cmake --build build-fuzz -j "${JOBS:-2}" --target $(printf 'fuzz_%s ' "${targets[@]}")
summary=()
for t in "${targets[@]}"; do
  mkdir -p "build-fuzz/corpus/$t" "build-fuzz/findings/$t"
  log="build-fuzz/$t.log"
  set +e
  "./build-fuzz/tests/fuzz/fuzz_$t" -runs="$runs" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
      -artifact_prefix="build-fuzz/findings/$t/" -print_final_stats=1 \
      "build-fuzz/corpus/$t" "tests/fuzz/corpus/$t" > "$log" 2>&1
  status=$?
  set -e
  execs=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  findings=$(find "build-fuzz/findings/$t" -type f | wc -l)
  summary+=("$(printf '%-18s %10s executions  %d findings  exit %d' "$t" "$execs" "$findings" "$status")")
done
printf '%s\n' "${summary[@]}"
