#!/bin/sh
# instances.sh GCTB WORKLOAD_CONFIG_DIR OUT_DIR WORKLOAD...
#
# Fails if any registered policy runs any of the named workloads (stress
# mode off) on the generic, run-time-dispatched instance, or on none: each
# record must name, in workload.instance, the family instance the build
# generated for the policy's fast-path signature (heap/gctb.h, "Policy
# families"). Policies are read from `gctb list`, so a new one is covered
# without an edit here. Each workload runs scaled down: its config from
# WORKLOAD_CONFIG_DIR (tests/e2e/workloads/<name>.json) or, for gcbench, the
# classic one with small depths; verification off, a heap large enough for
# every policy. GCTB_SKIP_POLICIES leaves policies out (the TSan build leaves
# bdw out: libgc's signal-based stop-the-world fails there).
set -u
gctb=$1 confdir=$2 out=$3
shift 3
mkdir -p "$out" || exit 2
policies=$("$gctb" list | awk '/^policies/ {on = 1; next}
  /^[a-z]/ {on = 0} on && /^  [a-z]/ {print $1}')
for skip in ${GCTB_SKIP_POLICIES:-}; do
  policies=$(echo "$policies" | grep -vx "$skip")
done
[ -n "$policies" ] || { echo "instances.sh: no policies from gctb list"; exit 2; }
fail=0
for wl in "$@"; do
  case $wl in
  gcbench)
    conf=$(dirname "$0")/../../configs/default.json
    extra="--set workload.params.stretch_depth=12
      --set workload.params.long_lived_depth=10
      --set workload.params.array_size=10000
      --set workload.params.max_depth=10" ;;
  *)
    conf=$confdir/$wl.json extra="" ;;
  esac
  for p in $policies; do
    rec=$out/$wl.$p.jsonl
    rm -f "$rec"
    # shellcheck disable=SC2086 # extra is a list of arguments
    if ! "$gctb" run "$conf" --quiet --out "$rec" --set policy.name="\"$p\"" \
      --set heap.size='"64M"' --set verify='"none"' $extra >"$rec.log" 2>&1
    then
      echo "FAIL $wl $p: gctb run failed:"; tail -5 "$rec.log"; fail=1
      continue
    fi
    inst=$(python3 -c 'import json,sys
r = json.loads(open(sys.argv[1]).readline())
print(r["workload"].get("instance", "(none)"))' "$rec")
    case $inst in
    generic | "(none)" | "") echo "FAIL $wl $p: instance $inst"; fail=1 ;;
    *) echo "ok   $wl $p: $inst" ;;
    esac
  done
done
exit $fail
