"""benchmarks/compare.py as a tool: an interleaved A/B of two configurations of this tree (one
with the JIT off), its report and its errors.  Nothing here asserts on how fast anything ran."""

from __future__ import annotations

import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(REPO, "benchmarks", "compare.py")


def compare(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, SCRIPT] + list(args), cwd=REPO, capture_output=True,
                          text=True, timeout=300)


def test_two_configurations_are_run_interleaved_and_reported():
    p = compare("-n", "2", "--tree", "jit=.", "--tree", "off=.@METATRACE=off",
                "som/Sieve:1", "stacklang/loops:1", "som/Sieve:2")
    assert p.returncode == 0, p.stderr
    # progress: an untimed round, then the timed ones, each benchmark in both configurations
    # one after the other
    runs = re.findall(r"^\[(\d+)/18\] (\S+) (\w+) (untimed|round \d)", p.stderr, re.M)
    assert len(runs) == 18, p.stderr
    assert [r[2] for r in runs[:4]] == ["jit", "off", "jit", "off"]
    lines = p.stdout.splitlines()
    assert lines[0].split()[-2:] == ["jit", "off"], p.stdout
    rows = {ln.split()[0]: ln.split()[1:] for ln in lines[1:]}
    # one row per benchmark and size (the same benchmark at two sizes is two rows)
    assert set(rows) == {"som/Sieve:1", "stacklang/loops:1", "som/Sieve:2", "geomean"}, p.stdout
    for name in ("som/Sieve:1", "stacklang/loops:1"):
        jit_cell, jit_ratio, off_cell, off_ratio = rows[name]
        assert jit_ratio == "1.000"  # the first configuration is the reference
        lo, med = map(float, off_cell.split("/"))
        assert 0 < lo <= med
        # (the cells are rounded to 3 decimals)
        assert abs(float(off_ratio) - lo / float(jit_cell.split("/")[0])) < 0.02


def test_mistakes_are_named():
    cases = [
        (("--tree", "a=.", "som/NoSuch"), "unknown benchmark 'som/NoSuch'; known: "),
        (("--tree", "a", "som/Sieve"), "expected LABEL=DIR"),
        (("--tree", "a=.", "--tree", "a=.", "som/Sieve:1"), "label 'a' given twice"),
        (("--rev", "x=no-such-commit", "som/Sieve:1"), "git worktree add failed"),
        (("--tree", "a=/", "som/Sieve:1"), "not a metatrace source tree"),
        (("--tree", "a=.", "som/Sieve:x"), "size 'x' is not an integer"),
        (("som/Sieve",), "give at least one --tree, --rev or --pypy"),
        (("--tree", "a=.", "som/Sieve:1", "som/Sieve:1"), "given twice at one size"),
    ]
    for args, message in cases:
        p = compare(*args)
        assert p.returncode != 0 and message in p.stderr, (args, p.stderr)
        assert "Traceback" not in p.stderr, (args, p.stderr)
