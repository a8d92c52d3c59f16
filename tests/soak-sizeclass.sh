#!/usr/bin/env bash
# soak-sizeclass.sh [RUNS] [GCTB] [OUTDIR]
#
# The size-class starvation soak of issue 15: the scaled-down workloads of
# tests/e2e/workloads/ (and gcbench-small) at 4x their declared live size
# (heaps of about 1-5 MiB, the same bytes for every policy), verifier before
# and after every collection and stress mode always on, under the
# segregated-fit family (segfit, satb, otf, otf-gen) and the policies it is
# compared with (immix, sticky-immix, semispace, bdw). A run that ends in
# out-of-memory is the symptom: a size class starved while others held free
# cells. The seed is fixed (GCTB_SOAK_SEED overrides it), so two builds run
# the same sequence and their summary.txt per-policy counts compare.
#
#   RUNS     runs to make (default 480)
#   GCTB, OUTDIR, and the other GCTB_SOAK_* variables: see soak.sh.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
runs=${1:-480}
if ! [[ $runs =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: soak-sizeclass.sh [RUNS] [GCTB] [OUTDIR]" >&2
  exit 2
fi
policies="segfit satb otf otf-gen immix sticky-immix semispace bdw"
# libgc cannot run under TSan (see tests/e2e/integrity.cmake)
[ -n "${GCTB_SOAK_NO_BDW:-}" ] && policies=${policies% bdw}
GCTB_SOAK_RUNS=$runs GCTB_SOAK_MULTIPLE=${GCTB_SOAK_MULTIPLE:-4} \
  GCTB_SOAK_STRESS=always GCTB_SOAK_SEED=${GCTB_SOAK_SEED:-15} \
  GCTB_SOAK_POLICIES=${GCTB_SOAK_POLICIES:-$policies} \
  exec "$here/soak.sh" 86400 "${2:-$here/../build/gctb}" \
  "${3:-soak-sizeclass-$(date -u +%Y%m%dT%H%M%SZ)}"
