#!/usr/bin/env bash
# Builds the four libFuzzer targets with clang (ASan+UBSan, toml++ compiled in) and runs each
# for a bounded number of inputs: 10 million by default, or the first argument. The targets run
# side by side, one per core; each one's inputs executed and crashes are printed at the end, and
# the exit status is 1 if any crashed. Not part of CI (ctest label "fuzz"). On two cores the
# TOML targets take about two and a half hours each for 10 million inputs (see README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-10000000}
TARGETS=(midi_bytes smf_reader preset arc)
JOBS=$(nproc)

# Install only what is missing.
if ! command -v clang++ >/dev/null || ! compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null; then
  bash scripts/install-deps.sh
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang libclang-rt-14-dev >/dev/null
fi
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DREVERIE_FUZZ=ON -DREVERIE_BUILD_TESTS=OFF -DREVERIE_BUILD_BENCH=OFF -DREVERIE_WERROR=ON -DREVERIE_FUZZ_RUNS="$RUNS" >/dev/null
cmake --build build-fuzz -j "$JOBS" --target "${TARGETS[@]/#/fuzz_}"

# A marker older than this run's artifacts, so crashes kept from earlier runs are not counted.
start=build-fuzz/fuzz/.fuzz-run-start
touch "$start"
for target in "${TARGETS[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do sleep 1; done
  echo "fuzz.sh: running fuzz_$target for $RUNS inputs (log: build-fuzz/fuzz/fuzz_$target.log)"
  ctest --test-dir build-fuzz -L fuzz -R "^fuzz_$target\$" -V >"build-fuzz/fuzz/fuzz_$target.log" 2>&1 &
done
wait || true

failed=0
for target in "${TARGETS[@]}"; do
  log=build-fuzz/fuzz/fuzz_$target.log
  # The final statistics when the run completed; the last status line when a crash stopped it.
  executed=$(grep -aoE "stat::number_of_executed_units: [0-9]+" "$log" | tail -n 1 | grep -oE "[0-9]+$" || true)
  [ -n "$executed" ] || executed=$(grep -aoE "#[0-9]+" "$log" | tail -n 1 | tr -d '#' || true)
  seconds=$(grep -aoE "Done [0-9]+ runs in [0-9]+ second" "$log" | sed -E 's/.* in ([0-9]+) second/\1/' || true)
  crashes=$(find "build-fuzz/fuzz/artifacts_$target" -type f -newer "$start" \
    \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  if ! grep -qE "tests passed, 0 tests failed|100% tests passed" "$log"; then
    [ "$crashes" -gt 0 ] || crashes="1 (see the log)"
  fi
  echo "fuzz_$target: ${executed:-0} inputs executed${seconds:+ in $seconds s}, $crashes crashes"
  [ "$crashes" = 0 ] || failed=1
done
if [ "$failed" -ne 0 ]; then
  echo "fuzz.sh: crashing inputs are in build-fuzz/fuzz/artifacts_<target>/; keep them in tests/fuzz_regressions/"
  exit 1
fi
