#!/usr/bin/env bash
# run.sh FUZZER SEED_CORPUS WORKDIR: runs one libFuzzer target for
# $GCTB_FUZZ_SECONDS (default 60) from the committed seed corpus. Fails on
# any crash, sanitizer report, leak, hang (10 s for one input) or memory
# blow-up (2 GiB), leaving the input in WORKDIR/artifacts/. Inputs that
# found new coverage collect in WORKDIR/corpus/ (not committed; a crasher,
# once fixed, is copied into the seed corpus by hand).
set -uo pipefail
fuzzer=$1 seeds=$2 work=$3
secs=${GCTB_FUZZ_SECONDS:-60}
if [ ! -x "$fuzzer" ]; then
  echo "fuzz/run.sh: SKIPPED: $fuzzer was not built (no clang?)" >&2
  exit 77
fi
mkdir -p "$work/corpus" "$work/artifacts"
# JSON tokens and gctb's keys and names (json.dict) lead the mutations into
# the loaders' checks rather than the JSON parser's.
"$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
  -malloc_limit_mb=2048 -print_final_stats=1 \
  -dict="$(dirname "$0")/json.dict" \
  -artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds" \
  >"$work/fuzz.log" 2>&1
rc=$?
tail -n 40 "$work/fuzz.log"
if [ $rc -ne 0 ]; then
  echo "fuzz/run.sh: $(basename "$fuzzer") found a problem (exit $rc);" \
    "inputs in $work/artifacts/:" >&2
  ls -l "$work/artifacts/" >&2
  echo "reproduce: $fuzzer $work/artifacts/<file>" >&2
  exit 1
fi
echo "fuzz/run.sh: $(basename "$fuzzer"): no finding in $secs s"
