"""``metatrace bench``: the benchmark matrix.

    metatrace bench [--suite stacklang|som|io ...] [--fast] [--pypy] [-- extra pyperf options]

Runs each suite's pyperf script (bench_<suite>.py in this folder), which measures the JIT against
METATRACE=off in the same run and prints the ratios.  ``--pypy`` additionally times the stacklang
interpreter under PyPy (``pypy3``, where the hints are no-ops) for the "beat PyPy running the same
interpreter" comparison.  Results go to benchmarks/results/<suite>.json (pyperf format).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from typing import List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SUITES = ["stacklang", "som", "io"]


def pypy_stacklang(programs: List[str], repeat: int) -> None:
    pypy = shutil.which("pypy3")
    if pypy is None:
        print("pypy3 not found: install it (Debian: apt-get install pypy3) for the PyPy column")
        return
    print("\nstacklang under PyPy (same interpreter, hints are no-ops), median of %d runs:" % repeat)
    for name in programs:
        code = ("import sys, time; sys.path.insert(0, %r)\n"
                "from examples.stacklang.parse import parse\n"
                "from examples.stacklang.interp import run_program\n"
                "funcs = parse(open(%r).read())\n"
                "ts = []\n"
                "for i in range(%d):\n"
                "    t = time.perf_counter(); run_program(funcs, []); ts.append(time.perf_counter() - t)\n"
                "ts.sort(); print('%%.2f' %% (ts[len(ts) // 2] * 1e3))\n"
                % (ROOT, os.path.join(ROOT, "examples", "stacklang", "programs", name + ".sl"), repeat))
        out = subprocess.run([pypy, "-c", code], capture_output=True, text=True)
        result = out.stdout.strip() or out.stderr.strip().splitlines()[-1]
        print("  %-12s %10s ms" % (name, result))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="metatrace bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", action="append", choices=SUITES,
                        help="which suite(s) to run (default: all that exist)")
    parser.add_argument("--fast", action="store_true", help="pyperf --fast (fewer runs)")
    parser.add_argument("--pypy", action="store_true", help="also time stacklang under pypy3")
    parser.add_argument("pyperf_args", nargs="*", help="extra pyperf options (after --)")
    args = parser.parse_args(argv)
    suites = args.suite or [s for s in SUITES if os.path.exists(os.path.join(HERE, "bench_%s.py" % s))]
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    status = 0
    for suite in suites:
        script = os.path.join(HERE, "bench_%s.py" % suite)
        if not os.path.exists(script):
            print("metatrace bench: no benchmark script for suite %r (%s)" % (suite, script))
            status = 2
            continue
        out = os.path.join(HERE, "results", "%s.json" % suite)
        if os.path.exists(out):
            os.replace(out, out + ".%d.old" % int(time.time()))
        cmd = [sys.executable, script, "-o", out] + (["--fast"] if args.fast else []) + args.pyperf_args
        print("== %s: %s" % (suite, " ".join(cmd)), flush=True)
        rc = subprocess.call(cmd, cwd=ROOT)
        status = status or rc
    if args.pypy:
        pypy_stacklang(["loops", "sieve", "exceptions", "fib"], 5)
    return status


if __name__ == "__main__":
    sys.exit(main())
