"""Differential fuzzer: random fuzzvm programs, JIT off vs on, over JIT configurations.

    python -m tests.fuzz.run --count 200 --config all
    python -m tests.fuzz.run --count 1000 --config random --start 5000
    python -m tests.fuzz.run --count 50 --config numba --config "backend=auto,inlining=1,trace_limit=80"

Each program (seed) is run once with METATRACE off (the expected outcome) and once per config
with the JIT (configs with twice=1 run the same program objects a second time, warm).  A mismatch
is reduced (delta debugging over the program's functions and instructions, then the config's
axes moved back to the base config while it still mismatches) and written as a standalone
script to --out-dir, and printed.  At the end, per config: programs, mismatches and what the JIT
did (loops, bridges, guard failures, tier-2 runs) -- a config under which the JIT compiled
nothing makes the run fail, so the fuzzer cannot pass by never compiling.

Configs: preset names (--list-configs), "all" (every preset), "random" (a random point of every
axis per program), or "k=v,k=v" over the base config.  Exit status: 0 clean, 1 mismatches,
2 a config where the JIT did nothing.
"""

import argparse
import os
import random
import sys
import time

from . import harness as H
from .gen import generate

ACTIVITY = ("loops", "bridges", "guard_failures", "tier2_runs", "tier2_iterations", "aborts")


def configs_for(names, seed):
    out = []
    for name in names:
        if name == "all":
            out.extend((n, H.make_config(o)) for n, o in H.PRESETS.items())
        elif name == "random":
            cfg = H.random_config(random.Random(seed * 7919 + 17))
            out.append(("random", cfg))
        else:
            out.append((name, H.parse_config(name)))
    return out


def activity_problems(totals):
    """Configs under which the JIT did not do its job across the batch."""
    bad = []
    for name, t in totals.items():
        if t["programs"] < 5:
            continue
        if t["loops"] == 0 or t["bridges"] == 0 or t["guard_failures"] == 0:
            bad.append("%s: loops=%d bridges=%d guard_failures=%d" % (name, t["loops"], t["bridges"], t["guard_failures"]))
        if t["needs_tier2"] and t["tier2_runs"] == 0:
            bad.append("%s: backend numba/auto but no tier-2 run" % name)
    return bad


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m tests.fuzz.run", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=100, help="programs to generate (default 100)")
    ap.add_argument("--start", type=int, default=0, help="first seed (default 0)")
    ap.add_argument("--config", action="append", default=None,
                    help="preset, 'all', 'random' or k=v,...; repeatable (default: all)")
    ap.add_argument("--size", type=float, default=1.0, help="scale of the loop budgets (default 1)")
    ap.add_argument("--out-dir", default="/work/repro_found", help="where reduced reproductions go")
    ap.add_argument("--no-reduce", action="store_true", help="write mismatches unreduced")
    ap.add_argument("--reduce-budget", type=float, default=180.0, help="seconds per reduction")
    ap.add_argument("--max-reduce", type=int, default=1000, help="reduce at most this many mismatches")
    ap.add_argument("--time-budget", type=float, default=0, help="stop after this many seconds")
    ap.add_argument("--list-configs", action="store_true", help="print the presets and exit")
    ap.add_argument("--quiet", action="store_true", help="progress every 25 programs only")
    args = ap.parse_args(argv)
    if args.list_configs:
        for n, o in H.PRESETS.items():
            print("%-18s %s" % (n, H.config_text(H.make_config(o))))
        return 0
    names = args.config or ["all"]
    os.makedirs(args.out_dir, exist_ok=True)
    totals = {}
    mismatches = []
    internal = {}
    runs = skipped = 0
    start = time.time()
    reduced = 0
    for seed in range(args.start, args.start + args.count):
        if args.time_budget and time.time() - start > args.time_budget:
            print("time budget reached after %d programs" % (seed - args.start))
            break
        spec = generate(seed, args.size)
        bad_here = []
        for name, cfg in configs_for(names, seed):
            ch = H.check(spec, cfg)
            if ch.skipped:
                skipped += 1
                break
            runs += 1
            t = totals.setdefault(name, dict({k: 0 for k in ACTIVITY}, programs=0, mismatches=0,
                                             needs_tier2=False))
            t["programs"] += 1
            t["needs_tier2"] = t["needs_tier2"] or (
                name != "random" and cfg["backend"] != "python"
                and (cfg["enable_opts"] == "all" or "unroll" in cfg["enable_opts"]))
            for k in ACTIVITY:
                t[k] += ch.stats.get(k, 0)
            n_int = ch.stats.get("aborts_by_reason", {}).get("internal_error", 0)
            if n_int:
                first = [ln for ln in ch.stderr.splitlines() if ln.strip()][-1:] or ["?"]
                internal.setdefault(first[0], []).append((seed, name))
            if ch.mismatch:
                t["mismatches"] += 1
                bad_here.append(name)
                tag = "seed%d_%s" % (seed, name.replace("=", "").replace(",", "_").replace(":", "-")[:40])
                if name == "random":
                    print("  random config: %s" % H.config_text(cfg))
                print("MISMATCH seed %d config %s: %s" % (seed, name, ch.first_bad()[1]))
                rspec, rcfg, rch = spec, cfg, ch
                if not args.no_reduce and reduced < args.max_reduce:
                    reduced += 1
                    rspec, rcfg, rch = H.reduce(spec, cfg, log=print, budget_s=args.reduce_budget)
                    if not rch.mismatch:  # flaky: keep the original
                        rspec, rcfg, rch = spec, cfg, ch
                path = os.path.join(args.out_dir, "mismatch_%s.py" % tag)
                text = H.write_repro(path, tag, seed, rspec, rcfg, rch)
                mismatches.append((seed, name, path, H.config_text(rcfg), rch.first_bad()))
                print("wrote %s\n%s" % (path, text))
                sys.stdout.flush()
        done = seed - args.start + 1
        if not args.quiet or done % 25 == 0 or bad_here:
            print("[%d/%d] seed %d: %s  (%d runs, %d mismatches, %.0fs)" % (
                done, args.count, seed, ("MISMATCH " + " ".join(bad_here)) if bad_here else "ok",
                runs, len(mismatches), time.time() - start))
            sys.stdout.flush()
    print("\n%d program runs (programs x configs), %d programs skipped (plain too slow), %.0fs"
          % (runs, skipped, time.time() - start))
    print("%-18s %6s %5s %6s %7s %6s %8s %7s" % ("config", "progs", "bad", "loops", "bridges", "gfail", "t2runs", "aborts"))
    for name, t in totals.items():
        print("%-18s %6d %5d %6d %7d %6d %8d %7d" % (name, t["programs"], t["mismatches"], t["loops"], t["bridges"],
                                                   t["guard_failures"], t["tier2_runs"], t["aborts"]))
    if internal:
        print("\ninternal tracer/compile errors (trace aborted, not a mismatch):")
        for line, where in internal.items():
            print("  %s  x%d  e.g. seed %d %s" % (line, len(where), where[0][0], where[0][1]))
    for m in mismatches:
        print("mismatch seed %d config %s -> %s  (reduced config %s, differs in %s)" % (m[0], m[1], m[2], m[3], m[4][1] if m[4] else "?"))
    problems = activity_problems(totals)
    for p in problems:
        print("JIT INACTIVE: " + p)
    return 1 if mismatches else (2 if problems else 0)


if __name__ == "__main__":
    sys.exit(main())
