"""The loop pass (metatrace/optimizer/loop.py) on a real interpreter: invariant reads hoisted,
variables kept in memory carried in loop variables, boxed numbers unboxed — each checked for
the same answer as without the JIT *and* for the ops left in the loop proper."""

import pytest

from metatrace.ir.model import Const
from metatrace.testing import check_loop_resops, compiled_traces, loop_body_counts, reset

from . import interps
from .interps import boxed, run_boxed, tiny


@pytest.fixture(autouse=True)
def fresh():
    saved = {}
    for portal in (tiny, boxed):
        reset(portal)
        saved[portal] = portal.jitdriver.get_params()
        portal.jitdriver.set_param("threshold", 5)
        portal.jitdriver.set_param("trace_eagerness", 3)
    yield
    for portal in (tiny, boxed):
        for k, v in saved[portal].items():
            portal.jitdriver.set_param(k, v)
        reset(portal)


COUNT = (("addk", (1, 3)), ("dec", 0), ("jnz", 0), ("ret", 0))


def same_boxed(code, n, k=0):
    plain = run_boxed(code, n, jit=False, k=k)
    jitted = run_boxed(code, n, jit=True, k=k)
    assert jitted == plain
    return plain


def test_attributes_of_the_frame_live_in_loop_variables():
    assert interps.run_jit(interps.LOOP, 500) == interps.run_plain(interps.LOOP, 500)
    # frame.acc and frame.n are read once before the loop and stored back only on exit
    check_loop_resops(tiny, int_add=1, int_sub=1, int_ne=1, guard_true=1, jump=1,
                      getfield=0, setfield=0, guard_class=0)


def test_short_lived_lists_are_never_built():
    # [None] * 3 traces as one new_list; the list stays virtual, and is built (with its
    # items) only on the path where the program keeps it
    plain = interps.run_plain(interps.SCRATCH, 500)
    jitted = interps.run_jit(interps.SCRATCH, 500)
    assert jitted == plain and len(plain[3]) == 5
    assert all(type(s) is list for s in jitted[3])
    check_loop_resops(tiny, new_list=0, py_mul=0, getitem=0, setitem=0, len=0)


def test_boxed_numbers_are_unboxed_across_iterations():
    same_boxed(COUNT, 400)
    assert boxed.jitdriver.stats()["loops"] == 1
    check_loop_resops(boxed, new=0, getitem=0, setitem=0, getfield=0, setfield=0, guard_class=0,
                      int_add=1, int_sub=1)


def test_boxes_are_built_when_a_guard_fails_in_the_loop():
    # the loop leaves through the exception guard with both boxes still virtual
    code = (("addk", (1, 3)), ("big", 600), ("dec", 0), ("jnz", 0), ("ret", 0))
    result = same_boxed(code, 400)
    assert result[0][0] == "overflow"
    check_loop_resops(boxed, new=0, setitem=0)


def test_box_kept_by_the_program_is_the_same_object():
    code = (("addk", (1, 3)), ("keep", 1), ("dec", 0), ("jnz", 0), ("ret", 0))
    result = same_boxed(code, 300)
    assert result[4][-1] == [1]  # the last logged box is the one in vars[1]
    assert boxed.jitdriver.stats()["loops"] == 1
    # it escapes into the log: allocated every iteration, not unboxed
    counts = loop_body_counts(boxed)
    assert counts.get("new", 0) >= 1


def test_first_iteration_keeps_the_identity_of_the_incoming_box():
    # vars[1] starts as a box the caller also holds; the loop must leave that object alone
    # until it replaces it, whatever iteration a guard fails in
    for n in (1, 2, 3, 7, 40):
        reset(boxed)
        same_boxed(COUNT, 40)  # compile first
        same_boxed(COUNT, n)
        same_boxed((("big", 5),) + COUNT, n, k=n)


def test_swapped_boxes_stay_distinct_objects():
    code = (("addk", (1, 1)), ("swap", 0), ("dec", 0), ("jnz", 0), ("ret", 0))
    for n in (30, 31, 200):
        same_boxed(code, n)


def test_preamble_holds_what_the_loop_does_not_change():
    same_boxed(COUNT, 200)
    (trace,) = compiled_traces(boxed, "loop")
    labels = [i for i, op in enumerate(trace.ops) if op.name == "label"]
    assert len(labels) == 2
    pre = trace.ops[labels[0]:labels[1]]
    # frame.vars is read once, before the loop
    assert [op.descr for op in pre if op.name == "getfield"].count("vars") == 1


def random_program(rng):
    body = []
    for _ in range(rng.randint(1, 7)):
        k = rng.random()
        if k < 0.3:
            body.append(("addk", (rng.choice([1, 2]), rng.randint(-2, 5))))
        elif k < 0.4:
            body.append(("keep", rng.randint(0, 2)))
        elif k < 0.5:
            body.append(("swap", 0))
        elif k < 0.6:
            body.append(("copy", (rng.randint(1, 2), rng.randint(1, 2))))
        elif k < 0.7:
            body.append(("same", 0))
        elif k < 0.8:
            body.append(("mul", (rng.choice([1, 2]), rng.randint(0, 2))))
        else:
            body.append(("big", rng.randint(5, 400)))
    if rng.random() < 0.5:
        body.insert(rng.randint(0, len(body)), ("dec", 0))
        return tuple(body) + (("jnz", 0), ("ret", 0))
    return tuple(body) + (("dec", 0), ("jnz", 0), ("ret", 0))


@pytest.mark.parametrize("seed", range(60))
def test_fuzz_boxed_loops(seed):
    """Random loops over boxed variables (sharing, swapping, escaping, identity tests, exits by
    exception): the JIT agrees with the plain interpreter on results, values, which objects
    are where, and what was logged."""
    import random

    rng = random.Random(seed)
    code = random_program(rng)
    reset(boxed)
    for n in (50, 3, 1, 17, 120):
        assert run_boxed(code, n, jit=True, k=n % 5) == run_boxed(code, n, jit=False, k=n % 5), code


def test_without_unroll_only_invariant_code_moves():
    boxed.jitdriver.set_param("enable_opts", "virtualize:sink:heap:pure:dce:licm")
    same_boxed(COUNT, 300)
    counts = loop_body_counts(boxed)
    assert counts.get("new", 0) >= 1 and counts.get("setitem", 0) >= 1


def test_tiny_function_calls_are_inlined_after_their_entry_proved_tiny():
    """A portal call whose own entry trace was too short to compile is traced into: the loop
    that called it through call_assembler is retraced without that call."""
    code = (("call", interps.INNER_TINY), ("dec", 0), ("jnz", 0), ("ret", 0))
    tiny.jitdriver.set_param("function_threshold", 3)
    for _ in range(3):
        assert interps.run_jit(code, 300) == interps.run_plain(code, 300)
    assert tiny.jitdriver.stats()["aborts_by_reason"].get("too_short", 0) >= 1
    last = compiled_traces(tiny, "loop")[-1]
    assert not any(op.name in ("call_assembler", "call_portal") for op in last.ops)


def test_calls_of_unknown_functions_are_measured_by_tracing_into_them():
    """A loop calling functions that were never traced (their function_threshold is far off):
    the loop's trace traces into each call from its first merge point.  The tiny one returns
    within the budget and stays inlined; the long one is rolled back to a single
    call_assembler, its rest run for real.  Nothing is invalidated and retraced later."""
    # straight code: every merge point of a callee is passed once a call, so the caller's loop
    # header is the first key to get hot
    long_straight = (("add", 3),) * 9 + (("ret", 0),)
    code = (("call", interps.INNER_TINY), ("call", long_straight), ("add", 1), ("dec", 0),
            ("jnz", 0), ("ret", 0))
    drv = tiny.jitdriver
    drv.set_param("function_threshold", 10 ** 6)
    drv.set_param("threshold", 5)
    for n in (300, 41, 300):
        assert interps.run_jit(code, n) == interps.run_plain(code, n)
    stats = drv.stats()
    assert stats["invalidations"] == 0, stats
    ws = tiny.jitdriver.runtime
    # (never traced from its entry: function_threshold is out of reach)
    assert (0, interps.INNER_TINY) in ws.tiny_entries
    assert (0, long_straight) in ws.sized_entries
    loops = [t for t in compiled_traces(tiny, "loop") if t.key == (0, code)]
    assert loops, [t.key for t in compiled_traces(tiny)]
    calls = [op for t in loops for op in t.ops if op.name == "call_assembler"]
    assert [op.args[1].value for op in calls] == [(0, long_straight)] * len(loops)
    # the tiny callee's `add 5` is in the loop, inlined
    adds = [op for t in loops for op in t.ops if op.name == "int_add" and
            any(isinstance(a, Const) and a.value == 5 for a in op.args)]
    assert adds
