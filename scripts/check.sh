#!/usr/bin/env bash
# Installs, builds and runs every test: the format and file-length checks first (cheap, so a
# slip fails fast), a Release build with warnings as errors and the golden renders against it, the whole
# suite, the whole suite under ASan+UBSan, and the concurrency tests under ThreadSanitizer.
# What CI runs. `scripts/check.sh --quick`: only the format check, the Release build and the
# golden renders, without installing anything (before a commit, on a machine already set up).
set -euo pipefail
cd "$(dirname "$0")/.."
QUICK=0
if [ "${1:-}" = "--quick" ]; then QUICK=1; fi
[ "$QUICK" = 1 ] || bash scripts/install-deps.sh
JOBS=$(nproc)

build_suite() {  # build-dir, cmake options...
  local dir=$1; shift
  echo "=== $dir: configure $*"
  cmake -S . -B "$dir" -G Ninja -DREVERIE_WERROR=ON "$@" >/dev/null
  echo "=== $dir: build"
  cmake --build "$dir" -j "$JOBS"
}
test_suite() {  # build-dir, ctest options...
  local dir=$1; shift
  echo "=== $dir: test $*"
  (cd "$dir" && ctest --output-on-failure -j "$JOBS" "$@")
}
run_suite() {  # build-dir, cmake options..., -- ctest options...
  local dir=$1; shift
  local cmake_args=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do cmake_args+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  build_suite "$dir" "${cmake_args[@]}"
  test_suite "$dir" "$@"
}

echo "=== format"
bash scripts/check-format.sh
bash scripts/check-file-length.sh
build_suite build-release -DCMAKE_BUILD_TYPE=Release
echo "=== golden renders"
bash scripts/golden.sh build-release
if [ "$QUICK" = 1 ]; then
  echo "check: format, Release build and golden renders passed (--quick: no test suites)"
  exit 0
fi
test_suite build-release
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_suite build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREVERIE_SANITIZE=address -DREVERIE_BUILD_BENCH=OFF
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
  run_suite build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREVERIE_SANITIZE=thread -DREVERIE_BUILD_BENCH=OFF -- -L concurrency
echo "check: all suites passed"
