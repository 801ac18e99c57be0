#!/usr/bin/env bash
# Installs, builds and runs every test: a Release build with warnings as errors, the whole suite
# under ASan+UBSan, and the concurrency tests under ThreadSanitizer. What CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
JOBS=$(nproc)

run_suite() {  # build-dir, cmake options..., -- ctest options...
  local dir=$1; shift
  local cmake_args=() ctest_args=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do cmake_args+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  ctest_args=("$@")
  echo "=== $dir: configure ${cmake_args[*]}"
  cmake -S . -B "$dir" -G Ninja -DREVERIE_WERROR=ON "${cmake_args[@]}" >/dev/null
  echo "=== $dir: build"
  cmake --build "$dir" -j "$JOBS"
  echo "=== $dir: test ${ctest_args[*]}"
  (cd "$dir" && ctest --output-on-failure -j "$JOBS" "${ctest_args[@]}")
}

run_suite build-release -DCMAKE_BUILD_TYPE=Release
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_suite build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREVERIE_SANITIZE=address -DREVERIE_BUILD_BENCH=OFF
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
  run_suite build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREVERIE_SANITIZE=thread -DREVERIE_BUILD_BENCH=OFF -- -L concurrency
echo "check: all suites passed"
