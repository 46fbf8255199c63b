"""Tier 2 (Numba kernels for a loop's proper): same answers as the plain interpreter and as
tier 1 -- through 64-bit overflow, division by zero, bools and floats -- and proof that the
kernel really ran (tier counts, iterations run in kernels)."""

import random

import pytest

from metatrace.backend import numba_tier
from metatrace.testing import compiled_traces, reset, tier_reasons

from .numinterp import execute, run

pytestmark = pytest.mark.skipif(numba_tier.available() is not None, reason="needs Numba")


@pytest.fixture(autouse=True)
def fresh():
    reset(run)
    saved = run.jitdriver.get_params()
    run.jitdriver.set_param("threshold", 3)
    run.jitdriver.set_param("trace_eagerness", 2)
    run.jitdriver.set_param("backend", "numba")
    yield
    for k, v in saved.items():
        run.jitdriver.set_param(k, v)
    reset(run)


def same(code, regs):
    expected = execute(code, regs, jit=False)
    got = execute(code, regs, jit=True)
    assert got == expected, (code, regs)
    return got


def in_tier2():
    st = run.jitdriver.stats()
    return st["tier2"], st["tier2_iterations"]


SUM_OF_SQUARES = (("addk", 1, 1, 1), ("mul", 2, 1, 1), ("add", 3, 3, 2), ("loop", 0, 0, 0),
                  ("ret", 3, 0, 0))


def test_integer_loop_runs_in_a_kernel():
    got = same(SUM_OF_SQUARES, [5000, 0, 0, 0])
    assert got[0] == ("ok", sum(i * i for i in range(1, 5001)))
    kernels, iterations = in_tier2()
    assert kernels == 1
    assert iterations > 4900  # nearly every iteration ran in machine code
    (why,) = tier_reasons(run).values()
    assert why.startswith("numba:")


def test_same_loop_with_backend_python_stays_in_tier1():
    run.jitdriver.set_param("backend", "python")
    same(SUM_OF_SQUARES, [5000, 0, 0, 0])
    assert in_tier2() == (0, 0)
    (trace,) = compiled_traces(run, "loop")
    assert trace.to_json()["tier"] == "python"


def test_overflow_past_64_bits_leaves_the_kernel_and_goes_on_in_python():
    # r3 doubles every iteration: past 2**63 the kernel hands the iteration to tier 1
    code = (("add", 3, 3, 3), ("addk", 2, 2, 1), ("loop", 0, 0, 0), ("ret", 3, 0, 0))
    got = same(code, [200, 0, 0, 1])
    assert got[0] == ("ok", 2 ** 200)
    kernels, iterations = in_tier2()
    assert kernels == 1 and 50 <= iterations < 64


def test_multiplication_overflow_and_negative_numbers():
    code = (("mulk", 3, 3, -3), ("addk", 3, 3, 1), ("loop", 0, 0, 0), ("ret", 3, 0, 0))
    same(code, [100, 0, 0, 1])
    assert in_tier2()[1] > 20


def test_division_by_zero_raises_exactly_as_the_interpreter_does():
    # r2 counts down to zero; r3 // r2 raises in the iteration where it reaches it
    code = (("addk", 2, 2, -1), ("floordiv", 3, 1, 2), ("mod", 4, 1, 2), ("loop", 0, 0, 0),
            ("ret", 3, 0, 0))
    got = same(code, [1000, 77, 500, 0, 0])
    assert got[0][0] == "raised" and got[0][1] == "ZeroDivisionError"
    assert in_tier2()[1] > 400


def test_float_kernel_and_float_division_by_zero():
    code = (("addk", 5, 5, -1), ("tofloat", 2, 5, 0), ("fdiv", 3, 1, 2), ("add", 4, 4, 3),
            ("loop", 0, 0, 0), ("ret", 4, 0, 0))
    got = same(code, [3000, 1.0, 0.0, 0.0, 0.0, 2000])
    assert got[0][:2] == ("raised", "ZeroDivisionError")  # r5 reaches 0 after 2000 iterations
    assert in_tier2()[1] > 1900


def test_booleans_stay_booleans():
    # r2 holds a bool across iterations; the kernel must hand back True/False, not 1/0
    code = (("lt", 2, 0, 1), ("addk", 3, 3, 2), ("loop", 0, 0, 0), ("ret", 2, 0, 0))
    got = same(code, [500, 250, False, 0])
    assert got[0] == ("ok", True)
    assert got[1][2] == ("bool", True)
    assert in_tier2()[1] > 400


def test_math_functions_outside_their_domain_raise_as_in_python():
    # sqrt of a negative number is a ValueError in Python (NaN in machine code)
    code = (("addk", 1, 1, -1), ("tofloat", 2, 1, 0), ("sqrt", 3, 2, 0), ("loop", 0, 0, 0),
            ("ret", 3, 0, 0))
    got = same(code, [800, 600, 0.0, 0.0])
    assert got[0][:2] == ("raised", "ValueError")
    assert in_tier2()[1] > 500


def test_fmod_floor_and_isinf():
    code = (("tofloat", 2, 0, 0), ("fmod", 3, 2, 1), ("floor", 4, 3, 0), ("add", 5, 5, 4),
            ("isinf", 6, 3, 0), ("loop", 0, 0, 0), ("ret", 5, 0, 0))
    same(code, [3000, 7.5, 0.0, 0.0, 0, 0, False])
    assert in_tier2()[1] > 2900


def test_shifts_past_the_word_size():
    code = (("shl", 3, 3, 1), ("shr", 4, 3, 2), ("loop", 0, 0, 0), ("ret", 3, 0, 0))
    got = same(code, [100, 0, 0, 1, 0])
    assert got[0] == ("ok", 2 ** 100)
    assert in_tier2()[1] > 50


def test_branch_in_the_loop_leaves_the_kernel_through_a_guard():
    # every 7th iteration takes the other path: the kernel leaves, tier 1 runs the bridge
    code = (("modk", 2, 0, 7), ("skiplt", 0, 2, 1), ("addk", 3, 3, 5), ("addk", 3, 3, 1),
            ("loop", 0, 0, 0), ("ret", 3, 0, 0))
    same(code, [7000, 0, 0, 0])
    st = run.jitdriver.stats()
    assert st["tier2_iterations"] > 5000
    assert st["tier2_runs"] > 500  # entered again after each exit


def test_entry_values_that_do_not_fit_keep_the_loop_in_tier1():
    # a big int arriving at the loop: the kernel's entry check refuses it
    code = (("addk", 1, 1, 3), ("loop", 0, 0, 0), ("ret", 1, 0, 0))
    same(code, [200, 0])
    reset(run)
    same(code, [200, 2 ** 70])
    assert run.jitdriver.stats()["tier2_iterations"] == 0


def test_loop_touching_objects_says_why_it_is_not_lowered():
    from tests.tracer.interps import boxed, run_boxed

    reset(boxed)
    saved = boxed.jitdriver.get_params()
    try:
        boxed.jitdriver.set_param("backend", "numba")
        boxed.jitdriver.set_param("threshold", 3)
        code = (("addk", (1, 3)), ("keep", 1), ("dec", 0), ("jnz", 0), ("ret", 0))
        run_boxed(code, 100)
        reasons = tier_reasons(boxed)
        assert reasons and all(r.startswith("python: tier 2 cannot run it") for r in reasons.values())
    finally:
        for k, v in saved.items():
            boxed.jitdriver.set_param(k, v)
        reset(boxed)


# ---------------------------------------------------------------------------------------------

_INT_OPS = ["add", "sub", "mul", "addk", "mulk", "floordiv", "mod", "modk", "and", "xor", "neg",
            "shl", "shr", "lt", "eq", "copy"]
_FLOAT_OPS = ["add", "sub", "mul", "fdiv", "fmod", "sqrt", "floor", "isinf", "lt", "copy"]


def random_numeric_loop(rng):
    """A loop over int registers 1-4 and float registers 5-7 (register 0 counts)."""
    body = []
    for _ in range(rng.randint(2, 8)):
        if rng.random() < 0.6:
            op = rng.choice(_INT_OPS)
            a, b, c = rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 3)
            if op in ("addk", "mulk", "modk"):
                c = rng.choice([-3, -1, 1, 2, 3, 7, 1 << 40])
            elif op in ("shl", "shr"):
                c = rng.choice([0, 1, 5, 31, 63])
            if op in ("lt", "eq"):
                a = 4  # bools go to register 4, used as a condition
            body.append((op, a, b, c))
            if op in ("mul", "mulk"):
                # keep products from compounding into huge numbers (past 64 bits is enough)
                body.append(("modk", a, a, (1 << 41) + 7))
        else:
            op = rng.choice(_FLOAT_OPS)
            a, b, c = rng.randint(5, 7), rng.randint(5, 7), rng.randint(5, 7)
            if op in ("floor",):
                a = rng.randint(1, 3)
            if op in ("lt", "isinf"):
                a = 4
            body.append((op, a, b, c))
        if rng.random() < 0.15:
            body.append(("skipif", 0, 4, 0))
            body.append(("addk", 1, 1, rng.randint(-2, 2)))
        if rng.random() < 0.1:
            body.append(("tofloat", rng.randint(5, 7), rng.randint(1, 3), 0))
    code = tuple(body) + (("loop", 0, 0, 0), ("ret", rng.randint(1, 7), 0, 0))
    regs = [rng.choice([50, 300, 1000]), rng.randint(-5, 5), rng.randint(1, 9), rng.randint(-9, 9),
            False, rng.choice([0.5, 1.25, -3.0]), rng.choice([2.0, 0.75]), rng.choice([1.5, -0.5])]
    return code, regs


@pytest.mark.parametrize("seed", range(40))
def test_fuzz_numeric_loops(seed):
    rng = random.Random(seed)
    code, regs = random_numeric_loop(rng)
    reset(run)
    for variant in (regs, [regs[0] // 3 + 1] + regs[1:]):
        assert execute(code, variant, jit=True) == execute(code, variant, jit=False), (code, variant)


def test_fuzz_really_reaches_tier2():
    """The fuzzer's loops are not all refused: most compile to kernels and run in them."""
    kernels = 0
    iterations = 0
    for seed in range(40):
        rng = random.Random(seed)
        code, regs = random_numeric_loop(rng)
        reset(run)
        execute(code, regs, jit=True)
        st = run.jitdriver.stats()
        kernels += st["tier2_iterations"] > 0
        iterations += st["tier2_iterations"]
    assert kernels >= 20, kernels
    assert iterations > 2000


def test_trace_log_says_which_tier_and_why(tmp_path):
    import metatrace
    from metatrace.viewer.load import load_log

    path = str(tmp_path / "t2.json")
    with metatrace.log_to(path):
        same(SUM_OF_SQUARES, [3000, 0, 0, 0])
    doc = load_log(path)  # validates against the schema
    loops = [t for t in doc["traces"] if t["kind"] == "loop"]
    assert [t["tier"] for t in loops] == ["numba"]
    assert "Numba kernel" in loops[0]["tier_reason"]
    assert doc["stats"]["tier2_iterations"] > 2900


def test_kernel_cache_is_bounded(monkeypatch):
    # a long-running process compiles any number of distinct loops: the cache of compiled
    # kernels keeps the most recently used ones only
    from metatrace.backend import numba_tier

    if numba_tier.available() is not None:
        pytest.skip("needs Numba")
    monkeypatch.setattr(numba_tier, "KERNEL_CACHE_MAX", 2)
    monkeypatch.setattr(numba_tier, "_cache", numba_tier.OrderedDict())
    srcs = ["def kernel(p0):\n    return (p0 + %d,)\n" % k for k in range(3)]
    first = numba_tier.compile_kernel(srcs[0], {}, [int])
    assert first(1) == (1,)
    numba_tier.compile_kernel(srcs[1], {}, [int])
    assert numba_tier.compile_kernel(srcs[0], {}, [int]) is first  # a hit, now the newest
    numba_tier.compile_kernel(srcs[2], {}, [int])
    keys = [k[0] for k in numba_tier._cache]
    assert len(keys) == 2 and srcs[1] not in keys and srcs[0] in keys and srcs[2] in keys
