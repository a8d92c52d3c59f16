"""A seeded mutation test of the results reader (analysis/gctb_analysis/
records.py): lines of the fixture truncated, with keys removed and with
values of the wrong type. Each damaged line must either be read as a
record the analysis can use (the tables are computed without an
exception) or be reported with its file and line number and skipped;
never a traceback."""
import copy
import io
import json
import os
import random
import sys
import tempfile
import unittest

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "analysis"))
from gctb_analysis import cells, records, tables  # noqa: E402

FIXTURE = os.path.join(here, "fixture.jsonl")
SEED = int(os.environ.get("GCTB_MUTATION_SEED", "19"))
MUTATIONS = int(os.environ.get("GCTB_MUTATIONS", "200"))
WRONG = ["x", "", -1, 2.5, 0, True, None, [], [1, "a"], {}, {"a": 1}]


def paths(v, prefix=()):
    """Every key path in a JSON value (dict keys and list indices)."""
    out = []
    items = v.items() if isinstance(v, dict) else \
        enumerate(v) if isinstance(v, list) else []
    for k, x in items:
        out.append(prefix + (k,))
        out.extend(paths(x, prefix + (k,)))
    return out


def parent(rec, path):
    for k in path[:-1]:
        rec = rec[k]
    return rec


def mutate(rng, line):
    """A damaged copy of line and what was done to it."""
    kind = rng.choice(["truncate", "delete", "retype", "retype"])
    if kind == "truncate":
        cut = rng.randrange(1, len(line))
        return line[:cut], f"truncated at {cut}"
    rec = json.loads(line)
    path = rng.choice(paths(rec))
    p = parent(rec, path)
    if kind == "delete":
        del p[path[-1]]
        return json.dumps(rec), f"deleted {'.'.join(map(str, path))}"
    value = copy.deepcopy(rng.choice(WRONG))
    p[path[-1]] = value
    return json.dumps(rec), f"{'.'.join(map(str, path))} = {value!r}"


class Mutation(unittest.TestCase):
    def test_damaged_lines_are_used_or_reported(self):
        rng = random.Random(SEED)
        lines = open(FIXTURE).read().splitlines()
        with tempfile.TemporaryDirectory() as d:
            for i in range(MUTATIONS):
                n = rng.randrange(len(lines))
                bad, what = mutate(rng, lines[n])
                damaged = lines[:n] + [bad] + lines[n + 1:]
                path = os.path.join(d, f"m{i}.jsonl")
                with open(path, "w") as f:
                    f.write("\n".join(damaged) + "\n")
                warnings = []
                case = f"mutation {i} (seed {SEED}): line {n + 1}: {what}"
                try:
                    recs = records.read_records([path], warn=warnings.append)
                    tables.report(cells.Analysis(recs), io.StringIO(), None)
                except Exception as e:  # the finding: a traceback
                    raise AssertionError(f"{case}: {type(e).__name__}: {e}")
                kept = any(r["_line"] == n + 1 for r in recs)
                if not kept:
                    where = f"{path}:{n + 1}:"
                    self.assertTrue(
                        any(w.startswith(where) for w in warnings),
                        f"{case}: skipped without a warning naming {where} "
                        f"(warnings: {warnings})")


if __name__ == "__main__":
    unittest.main()
