"""pyperf benchmark: the stacklang interpreter with the JIT (default settings) vs METATRACE=off.

    python benchmarks/bench_stacklang.py [pyperf options, e.g. --fast, -o out.json]

Both interpreters are loaded in the same worker process (metatrace.testing.load_module), and
each benchmark runs one bundled program to completion per loop iteration.  Warm-up runs let the
JIT compile first, so the JIT figures are steady state.  Default settings: tier 2 (Numba) takes a
numeric loop once it has run numba_threshold operations, which the loops program reaches in a
worker process (its figure is then the tier-2 kernel's).  The main process prints the median
time of each and the ratio off / JIT, and the cost of the merge-point counters for a program
that never gets hot (JIT on, threshold never reached).
"""

import os
import sys

import pyperf

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from examples.stacklang.parse import parse  # noqa: E402
from metatrace.testing import load_module  # noqa: E402

INTERP = os.path.join(ROOT, "examples", "stacklang", "interp.py")
PROGRAMS = ["loops", "sieve", "exceptions", "fib", "calls"]


def load_program(name):
    with open(os.path.join(ROOT, "examples", "stacklang", "programs", name + ".sl")) as f:
        return parse(f.read(), name)


def make_runner(mod, funcs):
    def run():
        mod.run_program(funcs, [])

    return run


def main():
    runner = pyperf.Runner(warmups=3)
    runner.metadata["description"] = "stacklang: metatrace JIT (default settings) vs interpreter"
    off = load_module(INTERP, "examples.stacklang.interp_bench_off", jit=False)
    on = load_module(INTERP, "examples.stacklang.interp_bench_jit", jit=True)
    # the JIT on but never hot: what the merge point's counter costs a program that never gets hot
    cold = load_module(INTERP, "examples.stacklang.interp_bench_cold", jit=True)
    cold.run.jitdriver.set_param("threshold", 10 ** 9)
    cold.run.jitdriver.set_param("function_threshold", 10 ** 9)
    results = {}
    for name in PROGRAMS:
        funcs = load_program(name)
        for mode, mod in (("off", off), ("jit", on)):
            results[(name, mode)] = runner.bench_func("stacklang-%s-%s" % (name, mode),
                                                      make_runner(mod, funcs))
    results[("loops", "cold")] = runner.bench_func("stacklang-loops-cold",
                                                   make_runner(cold, load_program("loops")))
    if runner.args.worker or any(b is None for b in results.values()):
        return
    print()
    print("%-12s %12s %12s %8s" % ("program", "off (ms)", "jit (ms)", "off/jit"))
    for name in PROGRAMS:
        t_off = results[(name, "off")].median() * 1e3
        t_jit = results[(name, "jit")].median() * 1e3
        print("%-12s %12.2f %12.2f %7.1fx" % (name, t_off, t_jit, t_off / t_jit))
    t_cold = results[("loops", "cold")].median() * 1e3
    t_off = results[("loops", "off")].median() * 1e3
    print("\nJIT on but never hot (merge-point counters only), loops: %.2f ms, %+.1f%% vs off"
          % (t_cold, 100 * (t_cold / t_off - 1)))


if __name__ == "__main__":
    main()
