"""pyperf runner for the SOM benchmarks (benchmarks/som/*.som): JIT off vs JIT on.

    python benchmarks/bench_som.py [pyperf options] [--bench NAME ...] [--iterations N]
    python benchmarks/bench_som.py --fast -o som.json

Each benchmark is a whole VM process (``python -m interpreters.smalltalk_bc``) running the
benchmark's own self-verifying loop; a wrong result makes the process exit 1 and the run
fail.  At the end the runner prints the JIT-off / JIT-on time ratio of each benchmark.
"""

from __future__ import annotations

import os
import sys

import pyperf

HERE = os.path.dirname(os.path.abspath(__file__))
SOM_DIR = os.path.join(HERE, "som")
REPO = os.path.dirname(HERE)

# name -> iterations of the benchmark's inner loop per process
BENCHMARKS = {
    "IntegerLoop": 20,
    "Sieve": 50,
    "Permute": 3,
    "Queens": 3,
    "Towers": 2,
    "Collections": 3,
    "Bounce": 5,
    "Mandelbrot": 3,
    "NBody": 1,
    "Recurse": 3,
    "Richards": 1,
    "DeltaBlue": 2,
    "List": 20,
    "Storage": 20,
    "Json": 2,
    "CD": 2,
    "Havlak": 1,
}


def add_cmdline_args(cmd: list, args) -> None:
    for name in args.bench or []:
        cmd.extend(("--bench", name))
    if args.iterations:
        cmd.extend(("--iterations", str(args.iterations)))


def main() -> None:
    runner = pyperf.Runner(add_cmdline_args=add_cmdline_args)
    runner.argparser.add_argument("--bench", action="append",
                                  help="run only this benchmark (repeatable)")
    runner.argparser.add_argument("--iterations", type=int, default=0,
                                  help="inner iterations per process (default: per benchmark)")
    args = runner.parse_args()
    names = args.bench or list(BENCHMARKS)
    results = {}
    for name in names:
        n = args.iterations or BENCHMARKS[name]
        for mode, flags in (("nojit", ["--no-jit"]), ("jit", [])):
            cmd = [sys.executable, "-m", "interpreters.smalltalk_bc"] + flags + [
                os.path.join(SOM_DIR, name + ".som"), str(n)]
            bench = runner.bench_command("som-%s-%s" % (name, mode), cmd)
            # worker processes return a benchmark without values: only the main process reports
            if bench is not None and not args.worker and bench.get_nvalue():
                results[(name, mode)] = bench.median()
    if results and not args.worker:
        print()
        print("%-14s %12s %12s %8s" % ("benchmark", "no JIT (s)", "JIT (s)", "speedup"))
        for name in names:
            off = results.get((name, "nojit"))
            on = results.get((name, "jit"))
            if off and on:
                print("%-14s %12.3f %12.3f %7.2fx" % (name, off, on, off / on))


if __name__ == "__main__":
    os.chdir(REPO)
    main()
