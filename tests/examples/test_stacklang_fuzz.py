"""Differential testing of the JIT on random stacklang programs: plain interpreter vs JIT at tiny
thresholds must agree on printed output, result and uncaught exception; and the JIT must have
actually compiled loops and bridges while doing so.

CI runs a bounded number of seeds.  METATRACE_FUZZ=N runs N seeds (``-m slow`` runs 1000).
"""

import os
import time

import pytest

from examples.stacklang.parse import parse
from metatrace.testing import load_module, reset

from .stacklang_gen import generate

HERE = os.path.dirname(os.path.abspath(__file__))
INTERP = os.path.join(HERE, "..", "..", "examples", "stacklang", "interp.py")

plain = load_module(INTERP, "examples.stacklang.interp_plain", jit=False)
jitted = load_module(INTERP, "examples.stacklang.interp_jitted", jit=True)


def run(mod, text):
    funcs = parse(text, "<fuzz>")
    out = []
    try:
        result = ("ok", mod.run_program(funcs, out))
    except mod.Thrown as e:
        result = ("thrown", e.value)
    return out, result


def check_seed(seed, threshold, eagerness, backend="auto"):
    text = generate(seed)
    drv = jitted.run.jitdriver
    reset(jitted.run)
    drv.set_param("backend", backend)
    drv.set_param("threshold", threshold)
    drv.set_param("trace_eagerness", eagerness)
    # every other seed traces into calls (inlined portal frames, resumed by the second entry)
    drv.set_param("inlining", seed % 2)
    expected = run(plain, text)
    got = run(jitted, text)
    if got != expected:
        raise AssertionError("seed %d (threshold=%d, trace_eagerness=%d, inlining=%d, backend=%s) "
                             "differs:\n%s\nplain: %r\njit:   %r"
                             % (seed, threshold, eagerness, seed % 2, backend, text, expected, got))
    return drv.stats()


def fuzz(count, budget_s, backend="auto", first=0):
    totals = {"loops": 0, "bridges": 0, "guard_failures": 0, "tier2": 0, "tier2_iterations": 0,
              "tier2_failures": 0, "compile_failures": 0, "internal_errors": 0}
    start = time.time()
    done = 0
    for seed in range(first, first + count):
        st = check_seed(seed, 2 + seed % 5, 1 + seed % 3, backend)
        for k in totals:
            totals[k] += st[k]
        done += 1
        if time.time() - start > budget_s:
            break
    return done, totals


def test_fuzz_bounded():
    count = int(os.environ.get("METATRACE_FUZZ", "0") or 0) or 120
    done, totals = fuzz(count, budget_s=float(os.environ.get("METATRACE_FUZZ_BUDGET", "60")))
    assert done >= 20
    # the JIT really was exercised, not just the interpreter
    assert totals["loops"] >= done // 2
    assert totals["bridges"] >= done // 4
    assert totals["guard_failures"] > 0
    # every generated source compiled (with warnings as errors) and the JIT met no bug of its own
    assert totals["compile_failures"] == 0 and totals["internal_errors"] == 0, totals


@pytest.mark.slow
def test_fuzz_thousand():
    done, totals = fuzz(1000, budget_s=3600)
    assert done == 1000


@pytest.mark.parametrize("name", ["loops", "fib", "sieve", "exceptions"])
def test_bundled_programs_same_answers(name):
    path = os.path.join(HERE, "..", "..", "examples", "stacklang", "programs", name + ".sl")
    with open(path) as f:
        text = f.read()
    reset(jitted.run)
    jitted.run.jitdriver.set_param("threshold", 7)
    jitted.run.jitdriver.set_param("trace_eagerness", 3)
    assert run(jitted, text) == run(plain, text)
    st = jitted.run.jitdriver.stats()
    assert st["loops"] >= 1
