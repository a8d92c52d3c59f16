#!/usr/bin/env bash
# install.sh BUILD_DIR SOURCE_DIR WORK_DIR [PYTHON]
#
# gctb from outside its tree (docs/embedding.md): installs BUILD_DIR into a
# temporary prefix and moves it (the install must be relocatable); builds
# examples/gcbench_mini.c and examples/plugin_workload.c with pkg-config
# alone and again with find_package(gctb); runs the program under segfit,
# immix and shenandoah and has the installed `gctb report` (and `gctb plot`,
# where matplotlib is) read its records, finding its analysis package from
# the prefix, not the source tree; runs the plugin under `gctb run`,
# `gctb minheap` and `gctb matrix`, and its bad parameters to exit 2; and
# checks the manual page.
set -euo pipefail
build=$1 src=$2 work=$3 python=${4:-python3}
cc=${CC:-cc}
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/staging" >/dev/null
mv "$work/staging" "$work/prefix"
prefix=$work/prefix
gctb=$prefix/bin/gctb
pc=$(dirname "$(find "$prefix" -name gctb.pc)")
export PKG_CONFIG_PATH=$pc
unset GCTB_ANALYSIS_DIR
step() { echo "install.sh: $*"; }

step "headers, library, pkg-config, CMake package, man page"
for f in include/gctb/gctb.h include/gctb/embed.h include/gctb/plugin.h \
         include/gctb/workload.h include/gctb/options.h \
         share/man/man1/gctb.1 share/gctb/analysis/trace.py; do
  test -f "$prefix/$f" || { echo "missing $f" >&2; exit 1; }
done
find "$prefix" -name libgctb.a | grep -q . && find "$prefix" -name gctbConfig.cmake | grep -q .
"$gctb" help trace | grep -q "trace-event"

step "the example and the plugin with pkg-config alone"
# shellcheck disable=SC2046
$cc -O2 -Wall -Wextra -Werror "$src/examples/gcbench_mini.c" \
  $(pkg-config --cflags --libs gctb) -o "$work/gcbench_mini"
# shellcheck disable=SC2046
$cc -O2 -shared -fPIC -Wall -Wextra -Werror $(pkg-config --cflags gctb) \
  "$src/examples/plugin_workload.c" -o "$work/libringwl.so"
for p in segfit immix shenandoah; do
  "$work/gcbench_mini" "$p" "$work/mini.jsonl"
done

step "the installed gctb report reads the records, with its own analysis"
# Marks the installed report.py so that the test sees which copy ran.
sed -i '1a import sys; sys.stderr.write("analysis: from the prefix\\n")' \
  "$prefix/share/gctb/analysis/report.py"
(cd "$work" && "$gctb" report mini.jsonl --no-csv >report.txt 2>report.err)
grep -q "analysis: from the prefix" "$work/report.err"
"$python" - "$work/mini.jsonl" "$work/report.txt" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
pols = sorted(r["config"]["policy"]["name"] for r in recs)
assert pols == ["immix", "segfit", "shenandoah"], pols
for r in recs:
    assert r["status"] == "ok", r
    assert r["config"]["workload"]["name"] == "gcbench-mini", r["config"]
    assert r["counters"]["collections"] > 0, r["counters"]
    assert r["workload"]["short_lived_nodes"] > 0
report = open(sys.argv[2]).read()
for p in pols:
    assert f"gcbench-mini  {p}" in report, report
print("install.sh: 3 records, all ok, collecting, in the report")
PY

if "$python" -c "import matplotlib" 2>/dev/null; then
  step "the installed gctb plot draws them"
  (cd "$work" && "$gctb" plot mini.jsonl --out plots >/dev/null 2>&1)
  test -s "$work/plots/figures.json"
else
  step "no matplotlib: gctb plot not tried"
fi

step "find_package(gctb)"
cmake -S "$src/examples" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$work/cmake-build" >/dev/null
"$work/cmake-build/gcbench_mini" immix "$work/cmake.jsonl" 8M
test -f "$work/cmake-build/libringwl.so"

step "the plugin under gctb run"
cat >"$work/ring.json" <<EOF2
{"policy": {"name": "immix"}, "heap": {"size": "2M"}, "verify": "after-gc",
 "workload": {"plugin": "$work/libringwl.so",
              "params": {"cells": 3000, "rounds": 20}}}
EOF2
"$gctb" run "$work/ring.json" --quiet --out "$work/ring.jsonl"
"$gctb" run "$work/ring.json" --quiet --out "$work/ring.jsonl" \
  --set workload.plugin="\"$work/cmake-build/libringwl.so\""
set +e
out=$("$gctb" run "$work/ring.json" --quiet --set workload.params.cells=0 2>&1)
rc=$?
set -e
[ $rc -eq 2 ] && grep -q "workload.params.cells" <<<"$out" ||
  { echo "bad plugin parameter: exit $rc: $out" >&2; exit 1; }

step "the plugin under gctb minheap"
"$gctb" minheap "$work/ring.json" --precision 0.5 --cache "$work/minheap.json" \
  | grep -Eq "minimum heap: [0-9.]+[KM]"

step "the plugin under gctb matrix"
cat >"$work/ring-matrix.json" <<EOF2
{"name": "ring", "invocations": 1, "seed": 1, "timeout": 60,
 "base": {"heap": {"size": "2M"},
          "workload": {"plugin": "$work/libringwl.so",
                       "params": {"cells": 2000, "rounds": 10}}},
 "axes": {"policy.name": ["segfit", "immix"]}}
EOF2
"$gctb" matrix "$work/ring-matrix.json" --out "$work/ring-matrix.jsonl" >/dev/null
"$python" - "$work/ring.jsonl" "$work/ring-matrix.jsonl" <<'PY'
import json, sys
for path, n in zip(sys.argv[1:], (2, 2)):
    recs = [json.loads(l) for l in open(path)]
    assert len(recs) == n, (path, len(recs))
    for r in recs:
        assert r["status"] == "ok", r
        assert r["config"]["workload"]["name"] == "ring"
        assert r["config"]["workload"]["plugin"].endswith("libringwl.so")
        assert r["workload"]["cells_copied"] > 0
print("install.sh: plugin records ok under run and matrix")
PY
"$gctb" report "$work/ring-matrix.jsonl" --no-csv >/dev/null 2>&1
step "ok"
