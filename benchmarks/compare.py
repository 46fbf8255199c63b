"""A/B comparison of checkouts (or settings) on a noisy machine: interleaved whole processes.

    python benchmarks/compare.py --rev base=238ddc4 --rev head=HEAD som/CD:1 som/Richards
    python benchmarks/compare.py --tree a=. --tree e100=.@METATRACE_PARAMS=trace_eagerness=100 -n 9 som/Json
    python benchmarks/compare.py --rev base=HEAD~1 --tree new=. --pypy pypy=. io/fib stacklang/calls

Each configuration is a source tree (``--tree LABEL=DIR``, or ``--rev LABEL=COMMIT``, checked
out into a temporary git worktree that is removed at the end), optionally with environment
variables (``@K=V,K=V``) and run with CPython (``--pypy``: with pypy3).  Benchmarks are named
as in ``metatrace bench --list`` (``lang/name``), with an optional ``:SIZE`` (default: the
benchmark's full size).  Every round runs each benchmark once in every configuration, one after
the other, so a machine whose speed drifts affects all of them alike; one untimed round first
byte-compiles the sources.  The figure is the child's CPU time (user + system, from
``getrusage``), which a loaded or throttled machine perturbs less than wall time; the report
gives the minimum and the median over the rounds and, per configuration, min(config) /
min(first config) and the geometric mean of those ratios (below 1: faster than the first).
Every process runs with ``METATRACE_CACHE=off`` and ``PYTHONHASHSEED=0`` unless set otherwise.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import run as matrix  # noqa: E402  (benchmarks/run.py: the benchmarks and how to run them)


class Config:
    def __init__(self, label: str, root: str, env: Dict[str, str], exe: str) -> None:
        self.label, self.root, self.env, self.exe = label, root, env, exe


def parse_config(text: str, what: str) -> Tuple[str, str, Dict[str, str]]:
    label, sep, rest = text.partition("=")
    if not sep or not label or not rest:
        raise SystemExit("compare: %s %r: expected LABEL=%s[@K=V,...]"
                         % (what, text, "COMMIT" if what == "--rev" else "DIR"))
    where, _, envs = rest.partition("@")
    env: Dict[str, str] = {}
    for kv in filter(None, envs.split(",")):
        k, sep, v = kv.partition("=")
        if not sep or not k:
            raise SystemExit("compare: %s %r: environment item %r is not K=V" % (what, text, kv))
        env[k] = v
    return label, where, env


def find_bench(spec: str) -> Tuple[matrix.Bench, int]:
    name, sep, size = spec.partition(":")
    for b in matrix.BENCHMARKS:
        if b.key == name:
            if not sep:
                return b, b.size
            try:
                return b, int(size)
            except ValueError:
                raise SystemExit("compare: benchmark %r: size %r is not an integer" % (spec, size))
    raise SystemExit("compare: unknown benchmark %r; known: %s"
                     % (name, ", ".join(b.key for b in matrix.BENCHMARKS)))


def rerooted(argv: List[str], root: str) -> List[str]:
    """The benchmark's command line with this checkout's paths turned into ``root``'s."""
    return [os.path.join(root, os.path.relpath(a, matrix.ROOT)) if a.startswith(matrix.ROOT + os.sep)
            else a for a in argv]


def run_once(cfg: Config, bench: matrix.Bench, size: int, workdir: str) -> Tuple[float, float]:
    env = dict(os.environ, METATRACE_CACHE="off", PYTHONHASHSEED="0")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(cfg.env)
    argv = [cfg.exe] + rerooted(bench.argv(size, False, workdir), cfg.root)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(argv, cwd=cfg.root, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if not bench.ok(p.returncode, p.stdout):
        tail = (p.stderr or p.stdout)[-1500:]
        raise SystemExit("compare: %s in %s failed (exit %d):\n%s" % (bench.key, cfg.label, p.returncode, tail))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


class InOrder(argparse.Action):
    """--tree/--rev/--pypy in the order given (the first is the reference)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: Optional[str] = None) -> None:
        namespace.configs.append((option_string, values))


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python benchmarks/compare.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("benchmarks", nargs="+", metavar="LANG/NAME[:SIZE]")
    ap.set_defaults(configs=[])
    ap.add_argument("--tree", action=InOrder, metavar="LABEL=DIR[@K=V,...]",
                    help="a source tree to run (its interpreters and metatrace), CPython")
    ap.add_argument("--rev", action=InOrder, metavar="LABEL=COMMIT[@K=V,...]",
                    help="a commit of this repository, checked out in a temporary worktree")
    ap.add_argument("--pypy", action=InOrder, metavar="LABEL=DIR[@K=V,...]",
                    help="a source tree run with pypy3 (the hints are no-ops there)")
    ap.add_argument("-n", "--rounds", type=int, default=7, help="timed rounds (default 7)")
    ap.add_argument("--pypy-exe", default="pypy3", help="the PyPy executable (default pypy3)")
    args = ap.parse_args(argv)
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    benches = [find_bench(s) for s in args.benchmarks]
    names = ["%s:%d" % (b.key, size) for b, size in benches]
    if len(set(names)) < len(names):
        ap.error("a benchmark is given twice at one size: %s" % ", ".join(names))
    worktrees: List[str] = []
    configs: List[Config] = []
    try:
        for what, text in args.configs:  # in the order given: the first is the reference
            label, where, env = parse_config(text, what)
            if any(c.label == label for c in configs):
                ap.error("label %r given twice" % label)
            if what == "--rev":
                wt = tempfile.mkdtemp(prefix="metatrace-compare-")
                p = subprocess.run(["git", "-C", matrix.ROOT, "worktree", "add", "-q", "--detach", wt, where],
                                   capture_output=True, text=True)
                if p.returncode:
                    os.rmdir(wt)
                    raise SystemExit("compare: --rev %s: git worktree add failed: %s" % (text, p.stderr.strip()))
                worktrees.append(wt)
                root, exe = wt, sys.executable
            else:
                root = os.path.abspath(where)
                if not os.path.isdir(os.path.join(root, "metatrace")):
                    raise SystemExit("compare: %s %s: %s is not a metatrace source tree" % (what, text, root))
                exe = sys.executable
                if what == "--pypy":
                    exe = shutil.which(args.pypy_exe) or ""
                    if not exe:
                        raise SystemExit("compare: --pypy: %s is not installed" % args.pypy_exe)
            configs.append(Config(label, root, env, exe))
        if not configs:
            ap.error("give at least one --tree, --rev or --pypy")
        work = tempfile.mkdtemp(prefix="metatrace-compare-work-")
        cpu: Dict[Tuple[str, str], List[float]] = {}
        total = (args.rounds + 1) * len(benches) * len(configs)
        done = 0
        for rnd in range(args.rounds + 1):
            for bench, size in benches:
                for cfg in configs:
                    t, wall = run_once(cfg, bench, size, work)
                    done += 1
                    if rnd:
                        cpu.setdefault(("%s:%d" % (bench.key, size), cfg.label), []).append(t)
                    print("[%d/%d] %s:%d %s %s %.3f s cpu (%.3f s wall)"
                          % (done, total, bench.key, size, cfg.label,
                             "round %d" % rnd if rnd else "untimed", t, wall), file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)
        ref = configs[0].label
        width = max(len("%s:%d" % (b.key, s)) for b, s in benches) + 2
        print("%-*s" % (width, "cpu s: min/median"), "".join("%24s" % c.label for c in configs))
        logs: Dict[str, List[float]] = {c.label: [] for c in configs}
        for bench, size in benches:
            name = "%s:%d" % (bench.key, size)
            base = min(cpu[(name, ref)])
            cells = []
            for c in configs:
                xs = cpu[(name, c.label)]
                r = min(xs) / base
                logs[c.label].append(math.log(r))
                cells.append("%24s" % ("%.3f/%.3f  %.3f" % (min(xs), statistics.median(xs), r)))
            print("%-*s" % (width, name), "".join(cells))
        print("%-*s" % (width, "geomean of min ratios"),
              "".join("%24.3f" % math.exp(sum(v) / len(v)) for v in logs.values()))
    finally:
        for wt in worktrees:
            subprocess.run(["git", "-C", matrix.ROOT, "worktree", "remove", "--force", wt],
                           capture_output=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
