"""Tier 2 over bytearrays (a Brainfuck tape, a VM's byte memory): the kernel reads and writes
the bytes in place, holds an iteration's writes until the iteration completes, and leaves for
anything Python would raise at -- with the same answers, exceptions and final memory as the
plain interpreter, and proof that the kernel really ran the loop (tier, iterations)."""

import random

import pytest

from metatrace.backend import numba_tier
from metatrace.testing import reset, tier_reasons

from .bytevm import execute, run

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


def same(code, regs, mem, mem2=None):
    expected = execute(code, regs, mem, mem2, jit=False)
    got = execute(code, regs, mem, mem2, jit=True)
    assert got == expected, (code, regs)
    return got


def stats():
    return run.jitdriver.stats()


def ran_in_kernel(at_least):
    st = stats()
    assert st["tier2"] >= 1, (tier_reasons(run), st)
    assert st["tier2_iterations"] >= at_least, (st["tier2_iterations"], tier_reasons(run))
    assert any(r.startswith("numba:") for r in tier_reasons(run).values()), tier_reasons(run)
    return st


# r0 counts down; r1 = r0 % 64 is the cell
CELL = (("modk", 1, 0, 64),)
LOOP = (("loop", 0, 0, 0), ("ret", 2, 0, 0))


def test_byte_loop_runs_in_a_kernel():
    # mem[r0 % 64] = (mem[r0 % 64] + r0) & 255
    code = CELL + (("load", 2, 1, 0), ("add", 2, 2, 0), ("andk", 2, 2, 255),
                   ("store", 2, 1, 0)) + LOOP
    got = same(code, [5000, 0, 0], bytes(64))
    assert got[2] != bytes(64)
    ran_in_kernel(4900)


def test_a_write_then_a_failing_guard_in_the_same_iteration_writes_once():
    # the cell is incremented, then a branch on the new value: about one iteration in ten
    # leaves the kernel after its write.  Tier 1 runs that iteration again from its start, so
    # a write made in the kernel before the exit would be made twice (the cell off by one).
    code = CELL + (("load", 2, 1, 0), ("add", 2, 2, 0), ("andk", 2, 2, 255),
                   ("store", 2, 1, 0),
                   ("skiplt", 0, 2, 230), ("addk", 3, 3, 1)) + LOOP
    got = same(code, [6000, 0, 0, 0], bytes(64))
    assert got[1][3][1] > 300  # the other path was taken, many times
    st = ran_in_kernel(4000)
    assert st["tier2_runs"] > 100  # left and entered again after each such exit


def test_reading_back_a_write_of_the_same_iteration():
    # a store, then loads of the same cell (same index value) and of a cell that is the same
    # one in every 4th iteration (another index value): both see the value just written
    code = CELL + (("addk", 4, 0, 0), ("modk", 4, 4, 4), ("add", 5, 1, 4),  # r5 = r1 + r0 % 4
                   ("addk", 6, 5, 0),
                   ("load", 2, 1, 0), ("addk", 2, 2, 3), ("andk", 2, 2, 255),
                   ("store", 2, 1, 0),
                   ("load", 3, 1, 0),     # the same index: the value just stored
                   ("load", 7, 6, -3),    # == r1 when r0 % 4 == 3
                   ("add", 3, 3, 7), ("add", 8, 8, 3), ("modk", 8, 8, 1000003)) + LOOP
    got = same(code, [4000, 0, 0, 0, 0, 0, 0, 0, 0], bytes(80))
    assert got[1][8][1] != 0
    ran_in_kernel(3900)


def test_two_writes_whose_indices_may_be_the_same():
    # mem[r1] = a; mem[r5] = b with r5 == r1 every 3rd iteration; then mem[r1] must read b
    # there, a elsewhere; the stores land in program order
    code = CELL + (("modk", 4, 0, 3), ("add", 5, 1, 4),  # r5 = r1 + r0 % 3
                   ("andk", 2, 0, 127), ("store", 2, 1, 0),
                   ("addk", 6, 2, 100), ("store", 6, 5, 0),
                   ("load", 7, 1, 0), ("add", 8, 8, 7)) + LOOP
    got = same(code, [3000, 0, 0, 0, 0, 0, 0, 0, 0], bytes(80))
    assert got[1][8][1] > 0
    ran_in_kernel(2900)


@pytest.mark.parametrize("mem2", [None, "same"])
def test_two_bytearray_inputs_that_are_the_same_object(mem2):
    # a store through mem, a load through mem2 at the same index: when mem2 is mem the load
    # sees the value just written (a different object: what mem2 holds)
    code = CELL + (("andk", 2, 0, 255), ("store", 2, 1, 0), ("load2", 3, 1, 0),
                   ("add", 4, 4, 3), ("andk", 4, 4, 255), ("store2", 4, 1, 1)) + LOOP
    got = same(code, [3000, 0, 0, 0, 0], bytes(70), mem2 if mem2 else bytes(range(70)))
    assert got[1][4][1] > 0
    ran_in_kernel(2900)


def test_a_kernel_for_separate_objects_is_not_used_when_they_are_the_same():
    code = CELL + (("andk", 2, 0, 255), ("store", 2, 1, 0), ("load2", 3, 1, 0),
                   ("add", 4, 4, 3), ("andk", 4, 4, 255)) + LOOP
    same(code, [2000, 0, 0, 0, 0], bytes(70), bytes(70))
    ran_in_kernel(1900)
    before = stats()["tier2_iterations"]
    same(code, [2000, 0, 0, 0, 0], bytes(70), "same")  # same tree, other aliasing: tier 1
    assert stats()["tier2_iterations"] == before


def test_a_value_outside_0_255_raises_valueerror_as_python_does():
    # no & 255: the cell reaches 256 after 256 / 5 visits and the store raises
    code = CELL + (("load", 2, 1, 0), ("addk", 2, 2, 5), ("store", 2, 1, 0)) + LOOP
    got = same(code, [100000, 0, 0], bytes(64))
    assert got[0][:2] == ("raised", "ValueError")
    ran_in_kernel(2000)


def test_an_index_past_the_end_raises_indexerror_as_python_does():
    # r1 = 7000 - r0 walks up the memory and off its end
    code = (("addk", 1, 1, 1), ("load", 2, 1, 0), ("addk", 2, 2, 1), ("andk", 2, 2, 255),
            ("store", 2, 1, 0)) + LOOP
    got = same(code, [7000, -1, 0], bytes(3000))
    assert got[0][:2] == ("raised", "IndexError")
    assert got[2] == bytes([1]) * 3000
    ran_in_kernel(2900)


def test_negative_indices_count_from_the_end():
    # indices -40..23: the negative ones wrap, as in Python, and stay in the kernel
    code = CELL + (("load", 2, 1, -40), ("add", 2, 2, 0), ("andk", 2, 2, 255),
                   ("store", 2, 1, -40), ("load", 3, 1, -41), ("add", 4, 4, 3)) + LOOP
    got = same(code, [5000, 0, 0, 0, 0], bytes(50))
    assert got[2][-1] != 0
    ran_in_kernel(4900)


def test_a_negative_index_past_the_start_raises_indexerror():
    # indices r0 - 5000 = -10, -11, ... walk down a 3000-byte memory from its end and past its
    # start (-3001): IndexError there, after ~2990 iterations in the kernel
    code = (("addk", 1, 0, -5000), ("load", 2, 1, 0), ("addk", 2, 2, 1), ("andk", 2, 2, 255),
            ("store", 2, 1, 0)) + LOOP
    got = same(code, [4990, 0, 0], bytes(3000))
    assert got[0][:2] == ("raised", "IndexError")
    assert got[2] == bytes([1]) * 2991 + bytes(9)  # cells 2990 .. 0, counted from the end
    ran_in_kernel(2900)


def test_len_in_the_loop():
    code = CELL + (("len", 3, 0, 0), ("add", 4, 4, 3), ("load", 2, 1, 0), ("addk", 2, 2, 1),
                   ("andk", 2, 2, 255), ("store", 2, 1, 0)) + LOOP
    got = same(code, [3000, 0, 0, 0, 0], bytes(64))
    assert got[1][4][1] == 3000 * 64
    ran_in_kernel(2900)


def test_a_loop_that_resizes_the_bytearray_stays_in_tier1():
    # an append in the loop is a call the kernel cannot make: the loop is refused, and the
    # loop's len() is not hoisted out of it either
    code = CELL + (("load", 2, 1, 0), ("append", 2, 0, 0), ("len", 3, 0, 0)) + LOOP
    got = same(code, [2000, 0, 0, 0], bytes(64))
    assert len(got[2]) == 64 + 2000
    reasons = tier_reasons(run)
    assert reasons and all(r.startswith("python: tier 2 cannot run it") for r in reasons.values())
    assert stats()["tier2_iterations"] == 0
    from metatrace.testing import compiled_traces

    (loop,) = compiled_traces(run, "loop")
    labels = [k for k, op in enumerate(loop.ops) if op.name == "label"]
    body = loop.ops[labels[-1] + 1:]
    assert any(op.name == "call" for op in body)  # the append: a residual call
    assert any(op.name == "len" for op in body)  # not hoisted: the call may resize
    assert any("call" in numba_tier._structural(op) for op in body if op.name == "call")


def test_bool_values_and_indices():
    # True stored as a byte is 1; True as an index is 1.  (Same answers only: the loop pass
    # treats a bytearray write with a bool index or value as opaque, so this loop has a
    # getfield left in its loop proper and stays in tier 1.)
    code = (("addk", 9, 9, 0), ("lt", 2, 0, 9), ("store", 2, 2, 0), ("load", 3, 2, 1), ("add", 4, 4, 3),
            ("load", 5, 2, 0), ("add", 4, 4, 5)) + LOOP
    got = same(code, [2000, 0, 0, 0, 0, 0, 0, 0, 0, 1000], bytes(8))
    assert got[1][4][1] > 0


# ---------------------------------------------------------------------------------------------

def random_byte_loop(rng):
    """Loads and stores at r1 + small offsets (negative ones too), two memories that may be the
    same object, unmasked stores now and then (ValueError), branches on loaded bytes."""
    # every register is written each iteration, so the loop pass carries them all in loop
    # variables (a register only read stays a list read: the loop pass does not yet know a
    # list from a bytearray when it looks for writes that may change it)
    body = [("modk", 1, 0, rng.choice([7, 16, 30])), ("addk", 6, 1, rng.choice([0, 1, 2]))]
    body += [("addk", r, r, 0) for r in (2, 3, 4, 5)]
    for _ in range(rng.randint(2, 9)):
        r = rng.random()
        off = rng.choice([-3, -1, 0, 0, 1, 2, 5])
        reg = rng.randint(2, 5)
        if r < 0.3:
            body.append((rng.choice(["load", "load2"]), reg, rng.choice([1, 1, 6]), off))
        elif r < 0.6:
            if rng.random() < 0.85:
                body.append(("andk", reg, reg, 255))
            body.append((rng.choice(["store", "store2"]), reg, rng.choice([1, 1, 6]), off))
        elif r < 0.75:
            body.append(("add", reg, rng.randint(2, 5), rng.randint(0, 5)))
        elif r < 0.85:
            body.append(("addk", 6, 1, rng.choice([0, 1, 2, -2])))  # -2: a negative index
        else:
            body.append(("skiplt", 0, reg, rng.choice([3, 100, 250])))
            body.append(("addk", 7, 7, 1))
    code = tuple(body) + (("load", 2, 1, 0), ("add", 7, 7, 2), ("modk", 7, 7, 99991),
                          ("loop", 0, 0, 0), ("ret", 7, 0, 0))
    regs = [rng.choice([100, 400, 1500]), 0, 0, 1, 2, 3, 0, 0]
    mem = bytes(rng.randrange(256) for _ in range(rng.choice([31, 40])))
    mem2 = rng.choice([None, "same", bytes(range(40))])
    return code, regs, mem, mem2


@pytest.mark.parametrize("seed", range(30))
def test_fuzz_byte_loops(seed):
    code, regs, mem, mem2 = random_byte_loop(random.Random(seed))
    reset(run)
    same(code, regs, mem, mem2)


def test_fuzz_really_reaches_tier2():
    kernels = iterations = 0
    for seed in range(30):
        code, regs, mem, mem2 = random_byte_loop(random.Random(seed))
        reset(run)
        execute(code, regs, mem, mem2)
        st = stats()
        kernels += st["tier2_iterations"] > 0
        iterations += st["tier2_iterations"]
    assert kernels >= 15, kernels
    assert iterations > 3000


# ---------------------------------------------------------------------------------------------
# the Brainfuck example: its loops over the tape run as kernels

def test_brainfuck_loops_run_in_kernels():
    import os

    from examples.brainfuck.parse import parse
    from metatrace.testing import load_module

    here = os.path.dirname(os.path.abspath(__file__))
    bf = os.path.join(os.path.dirname(os.path.dirname(here)), "examples", "brainfuck")
    plain = load_module(os.path.join(bf, "interp.py"), "examples.brainfuck.interp_plain_t2", jit=False)
    jitted = load_module(os.path.join(bf, "interp.py"), "examples.brainfuck.interp_jitted_t2", jit=True)
    drv = jitted.run.jitdriver
    for name in ("count_small", "wrap", "hello"):
        path = os.path.join(bf, "programs", name + ".b")
        with open(path) as f:
            program = parse(f.read(), path)
        reset(jitted.run)
        drv.set_param("backend", "numba")
        drv.set_param("threshold", 3)
        drv.set_param("trace_eagerness", 2)
        assert jitted.run_program(program) == plain.run_program(program), name
        if name == "count_small":
            st = drv.stats()
            assert st["tier2"] >= 2 and st["tier2_iterations"] > 100, st
    reset(jitted.run)


_CACHED_PROGRAM = r'''
from metatrace.backend import numba_tier
src = """def kernel(p0, p1):
    _n = 0
    while True:
        b1 = (p0 + len(p1)) if p0 < 0 else p0
        if b1 < 0 or b1 >= len(p1):
            return (_n, p0, )
        t = _np.int64(p1[b1])
        p1[b1] = (t + 7) & 255
        p0 = p0 + 1
        _n += 1
"""
entry, counts = numba_tier._compile(src, {}, [int, bytearray])
b = bytearray(range(5))
print(entry(-3, b), list(b), counts.get("kernel_cache_hits", 0))
'''


def test_a_bytearray_kernel_loaded_from_the_disk_cache_runs(tmp_path):
    # a warm process loads the kernel without compiling anything; its entry adapts the
    # bytearray through Numba's runtime, which nothing had set up (this crashed the process)
    import os
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, METATRACE_CACHE=str(tmp_path))
    outs = []
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-c", _CACHED_PROGRAM], cwd=root, env=env,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
        outs.append(proc.stdout.split("]")[0] + "]")
        hits = int(proc.stdout.split()[-1])
    # indices -3 .. 4 (the negative ones wrap), then 5 is past the end
    assert outs[0] == outs[1] == "(8, 5) [7, 8, 16, 17, 18]", outs
    assert hits == 1


# ---------------------------------------------------------------------------------------------
# Brainfuck programs whose loops hold inner loops that run 0, 1 or a few times: the guards on
# them get bridges that jump back to the loop, and the kernel runs those bridges itself (the
# loop's preamble is a class check and len(tape))

def _bf_modules():
    import os

    from metatrace.testing import load_module

    here = os.path.dirname(os.path.abspath(__file__))
    bf = os.path.join(os.path.dirname(os.path.dirname(here)), "examples", "brainfuck", "interp.py")
    if "plain" not in _BF:
        _BF["plain"] = load_module(bf, "examples.brainfuck.interp_plain_t2b", jit=False)
        _BF["jitted"] = load_module(bf, "examples.brainfuck.interp_jitted_t2b", jit=True)
    return _BF["plain"], _BF["jitted"]


def _run_plain_and_jitted(program, tape_size):
    """(pointer, tape, output) of the program run plainly, then with tier 2 at tiny thresholds."""
    plain, jitted = _bf_modules()
    results = []
    for mod in (plain, jitted):
        if mod is jitted:
            reset(jitted.run)
            drv = jitted.run.jitdriver
            drv.set_param("backend", "numba")
            drv.set_param("threshold", 3)
            drv.set_param("trace_eagerness", 2)
        tape, out = bytearray(tape_size), bytearray()
        ptr = mod.run(program, tape, out, b"")
        results.append((ptr, bytes(tape), bytes(out)))
    return results


_BF: dict = {}


def random_bf(rng, depth=0, cell=0):
    """A loop counting cell ``cell`` down whose body works only on cells past it (so every loop
    ends): small adds, moves, inner loops on small counts, clears ``[-]``, now and then output."""
    parts = ["[-"]
    for _ in range(rng.randint(1, 4)):
        d = rng.randint(1, 3)
        parts.append(">" * d)
        r = rng.random()
        if r < 0.35 and depth < 2:
            # an inner loop on a small count: set it (it may be left at 0: the loop is skipped)
            parts.append("[-]" + "+" * rng.choice([0, 0, 1, 1, 2, 3]))
            parts.append(random_bf(rng, depth + 1, cell + d))
        elif r < 0.5:
            parts.append("[-]")  # runs as many times as the cell holds (often 0 or 1)
        elif r < 0.75:
            # toggle the cell between 0 and 1 through the next one: u+ t[u- t-] u[t+ u-]; each
            # inner loop runs once or not at all, by turns (a bridge back to this loop)
            parts.append(">+<[>-<-]>[<+>-]<")
        elif r < 0.55:
            parts.append(".")
        else:
            parts.append(rng.choice("+-") * rng.randint(1, 5))
        parts.append("<" * d)
    parts.append("]")
    return "".join(parts)


def runs_bridges(reason):
    """The tier reason of a loop kernel or a loop-nest kernel that runs bridges itself."""
    import re

    return ("bridges back to the loop itself" in reason
            or re.search(r"it runs [1-9][0-9]* bridges", reason) is not None)


def bf_program(seed):
    rng = random.Random(seed)
    body = "".join(random_bf(rng) for _ in range(rng.randint(1, 2)))
    return ">" + "+" * rng.randint(20, 60) + body


@pytest.mark.parametrize("seed", range(25))
def test_fuzz_brainfuck_bridges_in_kernels(seed):
    from examples.brainfuck.parse import parse

    _, jitted = _bf_modules()
    results = _run_plain_and_jitted(parse(bf_program(seed), "fuzz%d.b" % seed), 64)
    assert results[0] == results[1], bf_program(seed)
    reset(jitted.run)


def test_fuzz_brainfuck_kernels_run_bridges():
    from examples.brainfuck.parse import parse

    _, jitted = _bf_modules()
    drv = jitted.run.jitdriver
    with_bridges = 0
    for seed in range(25):
        reset(jitted.run)
        drv.set_param("backend", "numba")
        drv.set_param("threshold", 3)
        drv.set_param("trace_eagerness", 2)
        jitted.run(parse(bf_program(seed), "f.b"), bytearray(64), bytearray(), b"")
        with_bridges += any(r.startswith("numba:") and runs_bridges(r)
                            for r in tier_reasons(jitted.run).values())
    reset(jitted.run)
    assert with_bridges >= 6, with_bridges


def test_a_bridge_back_to_the_loop_runs_in_the_kernel():
    # pairs of cells (c, x) with c = 1 and x = 0, 1, 0, 1, ...; the loop [>[-<+>]<+>>] walks them
    # two cells an iteration (the pointer changes every iteration) and moves x into c when x
    # is set: its inner loop runs once or not at all, by turns, so one path is a bridge that
    # jumps back to the loop.  The kernel runs both paths and is entered a few times only.
    from examples.brainfuck.parse import parse

    _, jitted = _bf_modules()
    n = 3000
    setup = "".join("+>" + "+" * (k % 2) + ">" for k in range(n))
    # (and c += 1 on both paths, so an iteration run twice would show)
    src = ">>>>" + setup + "<" * (2 * n) + "[>[-<+>]<+>>]" + "<<[<<]>>[.>>]"
    results = _run_plain_and_jitted(parse(src, "pairs.b"), 3 * n + 10)
    drv = jitted.run.jitdriver
    assert results[0] == results[1]
    assert results[0][2] == bytes([2, 3]) * (n // 2)
    st = drv.stats()
    reasons = tier_reasons(jitted.run)
    assert any(runs_bridges(r) for r in reasons.values()), reasons
    assert st["tier2_iterations"] > 2 * n - 100, st["tier2_iterations"]
    assert st["tier2_runs"] < 50, st["tier2_runs"]  # not once per bridge taken (~1500)
    reset(jitted.run)
