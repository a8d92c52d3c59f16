#!/usr/bin/env bash
# build.sh SOURCE_DIR BUILD_DIR: builds the libFuzzer targets with clang
# into BUILD_DIR (the fuzz tests' fixture). Skips (77) without clang.
set -euo pipefail
src=$1 dir=$2
cc=${GCTB_FUZZ_CC:-clang}
if ! command -v "$cc" >/dev/null; then
  echo "fuzz/build.sh: SKIPPED: no $cc (apt-get install clang)" >&2
  exit 77
fi
cmake -S "$src" -B "$dir" -DCMAKE_C_COMPILER="$cc" -DGCTB_FUZZ=ON \
  -DGCTB_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$dir" -j "$(nproc)" --target fuzz_config fuzz_matrix \
  fuzz_options fuzz_minheap_cache fuzz_results
