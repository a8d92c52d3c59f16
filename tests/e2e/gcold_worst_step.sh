#!/usr/bin/env bash
# gcold_worst_step.sh GCTB CONFIG OUT
#
# configs/gcold.json (verifier off) under satb, otf, shenandoah and segfit:
# the record must account for the workload's longest step (worst_step.py:
# by the mutator-observed maximum, by the delays within the step, or by the
# step's own CPU and runqueue time). Prints the table docs/delays.md quotes.
set -u
if [ $# -ne 3 ]; then
  echo "usage: gcold_worst_step.sh GCTB CONFIG OUT" >&2
  exit 2
fi
gctb=$1 config=$2 out=$3
: >"$out"
for p in satb otf shenandoah segfit; do
  "$gctb" run "$config" --quiet --out "$out" --set policy.name="\"$p\"" \
    --set verify='"none"' || {
    echo "gcold_worst_step.sh: the run under $p failed" >&2
    exit 1
  }
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
exec "${PYTHON:-python3}" "$(dirname "$0")/worst_step.py" "$out" --check
