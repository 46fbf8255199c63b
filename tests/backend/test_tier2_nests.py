"""Tier 2 for loop nests: a Brainfuck nest ``[ ... [ ... ] ... ]`` is several trees joined by
bridges that jump from one to the next; the kernel holds them all (metatrace/backend/
numba_region.py) and is entered once per run of the nest, not once per inner loop.  Every test
pairs the same answer (pointer, tape, output) with the JIT off with a check that the nest really
ran in one kernel (the trees it holds, kernel entries against steps run in kernels)."""

import os
import random
import re

import pytest

from metatrace.backend import numba_tier
from metatrace.testing import load_module, reset, tier_reasons

pytestmark = pytest.mark.skipif(numba_tier.available() is not None, reason="needs Numba")

HERE = os.path.dirname(os.path.abspath(__file__))
BF = os.path.join(os.path.dirname(os.path.dirname(HERE)), "examples", "brainfuck")
_MODS: dict = {}


def modules():
    if not _MODS:
        path = os.path.join(BF, "interp.py")
        _MODS["plain"] = load_module(path, "examples.brainfuck.interp_plain_nests", jit=False)
        _MODS["jitted"] = load_module(path, "examples.brainfuck.interp_jitted_nests", jit=True)
    return _MODS["plain"], _MODS["jitted"]


def run(src, backend="numba", tape_size=64, threshold=3):
    """(pointer, tape, output) with the JIT off, and with the JIT at tiny thresholds."""
    from examples.brainfuck.parse import parse

    plain, jitted = modules()
    program = parse(src, "nest.b")
    results = []
    for mod in (plain, jitted):
        if mod is jitted:
            reset(jitted.run)
            drv = jitted.run.jitdriver
            drv.set_param("backend", backend)
            drv.set_param("threshold", threshold)
            drv.set_param("trace_eagerness", 2)
        tape, out = bytearray(tape_size), bytearray()
        ptr = mod.run(program, tape, out, b"")
        results.append((ptr, bytes(tape), bytes(out)))
    return results


def nest_sizes():
    """How many trees each loop-nest kernel of the last run holds."""
    _, jitted = modules()
    return [int(m.group(1)) for r in tier_reasons(jitted.run).values()
            for m in [re.search(r"holding (\d+) trees", r)] if m]


def stats():
    _, jitted = modules()
    return jitted.run.jitdriver.stats()


@pytest.fixture(autouse=True)
def fresh():
    yield
    _, jitted = modules()
    reset(jitted.run)


# 30 x 20 passes of a loop whose body moves a cell out and back by two inner loops of 6
NEST = "+" * 30 + "[>[-]" + "+" * 20 + "[>[-]" + "+" * 6 + "[>+<-]>[<+>-]<<-]<-]>>."


def test_a_loop_nest_runs_in_one_kernel():
    got, expected = run(NEST)[1], run(NEST, backend="python")[1]
    plain = run(NEST)[0]
    assert got == plain == expected
    st = stats()
    assert max(nest_sizes() or [0]) >= 3, tier_reasons(modules()[1].run)
    # entered a few times, not once per inner loop run (1200 of them)
    assert st["tier2_iterations"] > 5000, st
    assert st["tier2_runs"] < 400, st


def test_without_nests_the_same_program_enters_once_per_inner_loop(monkeypatch):
    # the same program with loop-nest kernels off: a kernel per loop proper, entered for
    # every run of an inner loop (what the test above would see without them)
    from metatrace.backend import tiering

    monkeypatch.setattr(tiering, "REGIONS", False)
    plain, got = run(NEST)
    assert got == plain
    assert nest_sizes() == []
    assert stats()["tier2_runs"] > 1000


def test_leaving_at_another_tree_goes_on_there():
    # output inside the outer loop: the kernel holds the inner loops and leaves at the '.'
    # (a residual call), in a tree other than the one whose code entered it
    src = "+" * 12 + "[>" + "+" * 9 + "[>+++[>+<-]<-]>>.[-]<<<-]"
    plain, got = run(src)
    assert got == plain
    assert len(plain[2]) == 12
    assert max(nest_sizes() or [0]) >= 2, tier_reasons(modules()[1].run)
    assert stats()["tier2_iterations"] > 300


def random_nest(rng, depth=0):
    """A loop counting its cell down, whose body works on the cells after it: adds, moves,
    inner loops (counted, moving a cell, clearing) and now and then output."""
    parts = ["[-"]
    for _ in range(rng.randint(1, 3)):
        d = rng.randint(1, 2)
        parts.append(">" * d)
        r = rng.random()
        if r < 0.4 and depth < 3:
            parts.append("[-]" + "+" * rng.randint(0, 4))
            parts.append(random_nest(rng, depth + 1))
        elif r < 0.55:
            parts.append("[>+<-]>[<+>-]<")  # move the cell to the next one and back
        elif r < 0.7:
            parts.append("[-]" + "+" * rng.randint(0, 3))
        elif r < 0.78:
            parts.append(".")
        else:
            parts.append(rng.choice("+-") * rng.randint(1, 4))
        parts.append("<" * d)
    parts.append("]")
    return "".join(parts)


def nest_program(seed):
    rng = random.Random(seed)
    return ">" + "+" * rng.randint(5, 25) + random_nest(rng)


@pytest.mark.parametrize("seed", range(30))
def test_fuzz_loop_nests(seed):
    src = nest_program(seed)
    plain, numba = run(src)
    _, python = run(src, backend="python")
    assert numba == plain == python, src


def test_fuzz_loop_nests_really_run_in_nest_kernels():
    nests = 0
    for seed in range(30):
        run(nest_program(seed))
        nests += max(nest_sizes() or [0]) >= 2
    assert nests >= 5, nests


def test_count_small_runs_its_nest_in_one_kernel():
    with open(os.path.join(BF, "programs", "count_small.b")) as f:
        src = f.read()
    plain, got = run(src, tape_size=30000)
    assert got == plain
    st = stats()
    assert max(nest_sizes() or [0]) >= 3, tier_reasons(modules()[1].run)
    assert st["tier2_iterations"] > 10 * st["tier2_runs"], st
