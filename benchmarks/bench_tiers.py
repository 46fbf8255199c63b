"""Tier 2 against tier 1 (and the plain interpreter), in the same pyperf run.

    python benchmarks/bench_tiers.py --fast [--with-off] [--only NAME,...]

Each benchmark is a whole process running a long numeric loop -- the kind tier 2 (Numba
kernels for a loop proper) is for -- under ``METATRACE_PARAMS=backend=python`` (tier 1 only),
``backend=auto`` (the default: tier 2 once the loop has run long enough) and ``backend=numba``
(tier 2 at once).  Whole-process times include Numba's import and first compile (~0.6 s),
which is what a user pays.  ``--with-off`` also runs ``METATRACE=off`` (slow: minutes).
At the end the ratios against tier 1 (and against the interpreter) are printed.
"""

from __future__ import annotations

import os
import sys

import pyperf

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

PROGRAMS = {
    "stacklang_loops": ["-m", "examples.stacklang", "loops", "--repeat", "300"],
    "io_while": ["-m", "interpreters.io_msg", os.path.join(HERE, "tier2", "while.io")],
    "io_float": ["-m", "interpreters.io_msg", os.path.join(HERE, "tier2", "float.io")],
    "som_integerloop": ["-m", "interpreters.smalltalk_bc", "-cp", os.path.join(HERE, "som"),
                        "IntegerLoop", "100"],
}
MODES = {
    "off": {"METATRACE": "off"},
    "tier1": {"METATRACE_PARAMS": "backend=python"},
    "auto": {"METATRACE_PARAMS": "backend=auto"},
    "tier2": {"METATRACE_PARAMS": "backend=numba"},
}


def add_cmdline_args(cmd, args):
    if args.only:
        cmd.extend(("--only", args.only))
    if args.with_off:
        cmd.append("--with-off")


def main():
    runner = pyperf.Runner(add_cmdline_args=add_cmdline_args)
    runner.argparser.add_argument("--only", default="", help="comma-separated benchmark names")
    runner.argparser.add_argument("--with-off", action="store_true",
                                  help="also run the plain interpreter (METATRACE=off)")
    args = runner.parse_args()
    names = [n for n in PROGRAMS if not args.only or n in args.only.split(",")]
    modes = [m for m in MODES if m != "off" or args.with_off]
    results = {}
    for name in names:
        for mode in modes:
            env = dict(os.environ)
            env.pop("METATRACE", None)
            env.pop("METATRACE_PARAMS", None)
            env.update(MODES[mode])
            env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
            # pyperf passes its own environment to workers: set ours for the command; every
            # process compiles its kernels (no disk cache: a first run's cost)
            cmd = ["env", "METATRACE_CACHE=off"] + ["%s=%s" % kv for kv in sorted(MODES[mode].items())] + \
                  ["PYTHONPATH=" + env["PYTHONPATH"], sys.executable] + PROGRAMS[name]
            bench = runner.bench_command("%s_%s" % (name, mode), cmd)
            if bench is not None and not args.worker and bench.get_nvalue():
                results[(name, mode)] = bench.median()
    if results and not args.worker:
        print()
        head = "%-18s" % "benchmark" + "".join("%10s" % m for m in modes) + "   tier2/tier1  auto/tier1"
        if "off" in modes:
            head += "  off/tier1  off/auto"
        print(head)
        for name in names:
            t = {m: results.get((name, m)) for m in modes}
            if any(v is None for v in t.values()):
                continue
            line = "%-18s" % name + "".join("%9.3fs" % t[m] for m in modes)
            line += "   %10.2fx %10.2fx" % (t["tier1"] / t["tier2"], t["tier1"] / t["auto"])
            if "off" in modes:
                line += " %9.1fx %8.1fx" % (t["off"] / t["tier1"], t["off"] / t["auto"])
            print(line)


if __name__ == "__main__":
    main()
