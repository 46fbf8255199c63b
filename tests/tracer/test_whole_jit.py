"""Whole-JIT tests: a tiny interpreter under the real tracer, asserting on answers and on the
shape of what was compiled (PyPy's check_resops style)."""

import pytest

import metatrace
from metatrace.testing import check_resops, compiled_traces, op_counts, reset

from . import interps
from .interps import tiny


@pytest.fixture(autouse=True)
def fresh():
    reset(tiny)
    drv = tiny.jitdriver
    saved = drv.get_params()
    drv.set_param("threshold", 5)
    drv.set_param("trace_eagerness", 3)
    yield
    for k, v in saved.items():
        drv.set_param(k, v)
    reset(tiny)


def same(code, n):
    plain = interps.run_plain(code, n)
    jitted = interps.run_jit(code, n)
    assert jitted == plain
    return plain


def test_simple_loop_is_compiled():
    same(interps.LOOP, 1000)
    st = tiny.jitdriver.stats()
    assert st["loops"] == 1
    assert st["aborts"] == 0
    # the dispatch is gone: one add and one sub on ints, one comparison, no generic Python ops
    check_resops(tiny, int_add=1, int_sub=1, int_ne=1, guard_true=1, jump=1)
    counts = op_counts(tiny, "loop")
    assert not [name for name in counts if name.startswith("py_")]
    # the loop ran in compiled code, entered once
    assert st["loop_entries"] >= 1


def test_compiled_loop_runs_again_without_retracing():
    same(interps.LOOP, 1000)
    same(interps.LOOP, 1000)
    st = tiny.jitdriver.stats()
    assert st["traces_started"] == 1
    assert st["loop_entries"] >= 2


def test_branch_that_flips_gets_a_bridge():
    result = same(interps.FLIP, 1000)
    assert result[1] == 500 * 7 - 500
    st = tiny.jitdriver.stats()
    assert st["loops"] >= 1
    assert st["bridges"] >= 1
    assert st["guard_failures"] >= 3
    assert len(compiled_traces(tiny, "bridge")) >= 1


def test_side_effects_before_a_failing_guard_happen_once():
    # the log append happens before the loop-exit guard fails: it must not be repeated
    result = same(interps.LOG, 300)
    assert result[3] == list(range(1, 301))


def test_exception_caught_inside_the_loop():
    result = same(interps.DIV, 400)
    assert -5 in result[3]  # ZeroDivisionError was caught for n % 5 == 0
    assert tiny.jitdriver.stats()["loops"] >= 1


def test_exception_escaping_the_portal():
    result = same(interps.RAISE, 2000)
    assert result[0] == ("raised", (1554,))


def test_recursive_portal_call_is_inlined():
    tiny.jitdriver.set_param("inlining", 1)
    same(interps.CALL_STRAIGHT, 300)
    counts = op_counts(tiny)
    assert counts.get("call_portal", 0) == 0 and counts.get("call_assembler", 0) == 0
    # the callee's instructions, up to its return, are in the caller's trace
    (loop,) = [t for t in compiled_traces(tiny, "loop") if t.location == "0: call"]
    locations = [op.descr for op in loop.ops if op.name == "debug_merge_point"]
    assert "0: add" in locations and "2: flip" in locations and "4: ret" in locations
    tiny.jitdriver.set_param("inlining", 0)


def test_an_inlined_call_that_loops_calls_its_loop():
    # the callee loops: its first pass is inlined, then its loop header (a key it passed
    # before) becomes a call_assembler of the loop, which is not unrolled into the caller
    tiny.jitdriver.set_param("inlining", 1)
    for n in (3, 300):
        same(interps.CALL, n)
    (loop,) = [t for t in compiled_traces(tiny, "loop") if t.location == "0: call"]
    locations = [op.descr for op in loop.ops if op.name == "debug_merge_point"]
    names = [op.name for op in loop.ops]
    assert locations.count("0: add") == 1 and "3: ret" not in locations
    assert names.count("call_assembler") == 1 and "call_portal" not in names
    tiny.jitdriver.set_param("inlining", 0)


def test_recursive_portal_call_without_inlining_is_a_call():
    same(interps.CALL_LONG, 300)  # inlining=0 is the default
    # (a callee whose whole run is a handful of instructions would be inlined: see tiny_entries)
    # the callee's prologue is traced, then it is entered at its merge point directly
    counts = op_counts(tiny)
    assert counts.get("call_assembler", 0) >= 1 and counts.get("call_portal", 0) == 0
    # the caller's code enters the callee's tree itself (no trip through the warm state)
    ws = tiny.jitdriver.runtime
    callee = ws.trees.get((0, interps.INNER_LONG))
    assert callee is not None and callee.entries > 0
    callers = [t.tree for t in compiled_traces(tiny, "loop") if t.tree is not callee]
    assert any("_ct.code" in tree.source for tree in callers)


def test_direct_call_assembler_follows_every_exit_of_the_callee():
    # the callee's tree leaves by returning, by guard failures without a bridge (first
    # iterations) and through bridges; the caller's loop keeps going in compiled code
    for n in (3, 50, 300):
        same(interps.CALL_LONG, n)
        same(interps.CALL_FLIP, n)
    assert tiny.jitdriver.stats()["guard_failures"] > 0


def test_trace_limit_aborts_and_backs_off():
    tiny.jitdriver.set_param("trace_limit", 10)
    same(interps.LOOP, 3000)
    st = tiny.jitdriver.stats()
    assert st["loops"] == 0
    assert st["aborts_by_reason"].get("too_long", 0) >= 1
    # backoff: far fewer attempts than merge-point passes / threshold
    assert st["traces_started"] < 20


def test_threshold_respected():
    tiny.jitdriver.set_param("threshold", 100000)
    same(interps.LOOP, 1000)
    assert tiny.jitdriver.stats()["traces_started"] == 0


def test_stats_keys():
    st = metatrace.stats()
    for key in ("loops", "bridges", "aborts", "aborts_by_reason", "guard_failures", "blackholes",
                "invalidations", "tier1", "tier2", "tracing_s", "optimizing_s", "compiling_s"):
        assert key in st


def test_unused_trees_are_freed_by_loop_longevity():
    drv = tiny.jitdriver
    drv.set_param("loop_longevity", 1)
    # many different loops (each its own code tuple), each run once: old ones get freed
    for k in range(80):
        code = (("add", k), ("dec", 0), ("jnz", 0), ("ret", 0))
        assert interps.run_jit(code, 50) == interps.run_plain(code, 50)
    st = drv.stats()
    assert st["loops"] >= 64
    assert st["freed_loops"] > 0
    assert len(drv.runtime.trees) < st["loops"]
    assert st["tier1"] == len(drv.runtime.trees)
    drv.set_param("loop_longevity", 1000)


def test_loop_entered_with_another_red_class_is_exact():
    """The loop's class guard on a red must survive optimization: a Frame subclass whose
    attribute is a property must not run the compiled loop."""

    class WeirdFrame(interps.Frame):
        @property
        def acc(self):
            return self.__dict__.get("_acc", 0) * 2

        @acc.setter
        def acc(self, v):
            self.__dict__["_acc"] = v

    same(interps.LOOP, 200)  # compile the loop with a plain Frame
    assert tiny.jitdriver.stats()["loops"] == 1
    plain_frame, jit_frame = WeirdFrame(300), WeirdFrame(300)
    assert tiny(interps.LOOP, jit_frame) == tiny.__wrapped__(interps.LOOP, plain_frame)
    assert jit_frame.acc == plain_frame.acc
    trace = compiled_traces(tiny, "loop")[0]  # the one compiled for a plain Frame
    assert any(op.name == "guard_class" and op.args[0] is trace.inputargs[0] for op in trace.ops)


def test_can_enter_jit_and_immutable_class():
    from .interps import ENTER_ALLOWED, tiny_cej

    reset(tiny_cej)
    tiny_cej.jitdriver.set_param("threshold", 5)
    frame, plain = interps.Frame(500), interps.Frame(500)
    assert tiny_cej(interps.LOOP, frame) == tiny_cej.__wrapped__(interps.LOOP, plain) == 1500
    st = tiny_cej.jitdriver.stats()
    assert st["loops"] == 1 and st["loop_entries"] >= 1
    (trace,) = compiled_traces(tiny_cej, "loop")
    # the loop starts where can_enter_jit is (the jump target, pc 0)
    assert trace.location == "0: add"
    # _immutable_ = True: STEP.step is folded, no getfield of it
    assert not [op for op in trace.ops if op.name == "getfield" and op.descr == "step"]
    # confirm_enter_jit can refuse: the interpreter runs instead, with the same answer
    ENTER_ALLOWED[0] = False
    entries = tiny_cej.jitdriver.stats()["loop_entries"]
    assert tiny_cej(interps.LOOP, interps.Frame(300)) == 900
    assert tiny_cej.jitdriver.stats()["loop_entries"] == entries
    ENTER_ALLOWED[0] = True


def test_tiny_function_traces_are_not_compiled():
    """A trace from a function's entry that returns after one instruction would cost more to
    enter than it saves: it is aborted as too_short and its key blacklisted."""
    code = (("ret", 0),)
    for _ in range(40):
        assert tiny(code, interps.Frame(1)) == 0
    st = tiny.jitdriver.stats()
    assert st["loops"] == 0
    assert st["aborts_by_reason"].get("too_short") == 1


def test_function_threshold_compiles_functions_from_their_entry():
    """In a portal with can_enter_jit, only backward jumps count for loops; the first merge
    point of each call counts toward function_threshold, so a hot straight-line function is
    compiled from its entry to its return."""
    from .interps import tiny_cej

    reset(tiny_cej)
    tiny_cej.jitdriver.set_param("function_threshold", 5)
    code = (("add", 0), ("dec", 0), ("add", 0), ("dec", 0), ("add", 0), ("ret", 0))
    for _ in range(30):
        assert tiny_cej(code, interps.Frame(10)) == tiny_cej.__wrapped__(code, interps.Frame(10)) == 9
    traces = compiled_traces(tiny_cej, "loop")
    assert len(traces) == 1 and traces[0].end == "finish" and traces[0].location == "0: add"
    assert tiny_cej.jitdriver.stats()["loop_entries"] >= 15
    tiny_cej.jitdriver.set_param("function_threshold", 1619)


def test_calls_enter_a_function_s_code_as_soon_as_it_is_compiled():
    """A trace begun at a call's entry: the next call from the interpreter runs its code (the
    entry counter was set to function_threshold when tracing began; a compiled key's counter
    is zero, as for loops)."""
    from .interps import tiny_cej

    reset(tiny_cej)
    tiny_cej.jitdriver.set_param("function_threshold", 5)
    code = (("add", 0), ("dec", 0), ("add", 0), ("dec", 0), ("add", 0), ("ret", 0))
    try:
        for _ in range(30):
            assert tiny_cej(code, interps.Frame(10)) == 9
        st = tiny_cej.jitdriver.stats()
        # the first call sets the counter, calls 2-5 count it down, the 6th is traced and
        # calls 7-30 run the compiled function (at 238ddc4: only calls 12-30)
        assert st["loops"] == 1 and st["loop_entries"] == 24, st
    finally:
        tiny_cej.jitdriver.set_param("function_threshold", 1619)
