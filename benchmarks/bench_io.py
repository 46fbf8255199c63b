"""Io benchmarks under pyperf: every program in benchmarks/io/ with the JIT off and on.

    python benchmarks/bench_io.py [pyperf options, e.g. --fast, -o results.json]
    python benchmarks/bench_io.py --only fib,loops --fast

Each benchmark is a whole interpreter run (``python -m interpreters.io_msg FILE``), so the
figures include start-up (boot of the Io core, about 0.1 s) and, with the JIT on, tracing and
compilation.  The programs check their own results and fail loudly when wrong.  At the end the
ratio JIT-off time / JIT-on time is printed for each program (> 1 means the JIT helps).
"""

from __future__ import annotations

import os
import sys

import pyperf

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
IO_DIR = os.path.join(HERE, "io")


def programs(only):
    names = sorted(f[:-3] for f in os.listdir(IO_DIR) if f.endswith(".io"))
    if only:
        wanted = set(only.split(","))
        names = [n for n in names if n in wanted]
    return names


def add_cmdline_args(cmd, args):
    if args.only:
        cmd.extend(("--only", args.only))


def main():
    runner = pyperf.Runner(add_cmdline_args=add_cmdline_args)
    runner.argparser.add_argument("--only", default="",
                                  help="comma-separated benchmark names (default: all)")
    args = runner.parse_args()
    os.environ["PYTHONPATH"] = ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")
    results = {}
    for name in programs(args.only):
        path = os.path.join(IO_DIR, name + ".io")
        for mode in ("nojit", "jit"):
            cmd = [sys.executable, "-m", "interpreters.io_msg"]
            if mode == "nojit":
                cmd.append("--no-jit")
            cmd.append(path)
            bench = runner.bench_command("io_%s_%s" % (name, mode), cmd)
            # worker processes return a benchmark without values: only the main process reports
            if bench is not None and not args.worker and bench.get_nvalue():
                results[(name, mode)] = bench.median()
    if results and not args.worker:
        print()
        print("%-16s %12s %12s %8s" % ("benchmark", "JIT off (s)", "JIT on (s)", "ratio"))
        for name in programs(args.only):
            off = results.get((name, "nojit"))
            on = results.get((name, "jit"))
            if off is None or on is None:
                continue
            print("%-16s %12.3f %12.3f %7.2fx" % (name, off, on, off / on))


if __name__ == "__main__":
    main()
