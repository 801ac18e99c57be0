#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan+UBSan) and runs each for a bounded number of
# inputs: 10 million by default, or the first argument. Not part of CI's default suite; it
# takes about ten minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-10000000}
bash scripts/install-deps.sh
export DEBIAN_FRONTEND=noninteractive
apt-get install -y clang libclang-rt-14-dev >/dev/null
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DREVERIE_FUZZ=ON -DREVERIE_BUILD_TESTS=OFF -DREVERIE_BUILD_BENCH=OFF -DREVERIE_WERROR=ON -DREVERIE_FUZZ_RUNS="$RUNS" >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target fuzz_midi_bytes fuzz_smf_reader
cd build-fuzz && ctest --output-on-failure -V -L fuzz | grep -E "Done [0-9]+ runs|stat::number_of_executed_units|Test +#|tests passed|Failed|crash"
