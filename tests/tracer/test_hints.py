"""Each hint: the same answer with and without the JIT, and its effect on the trace."""

import pytest

import metatrace
from metatrace.testing import compiled_traces, op_counts, reset

from . import hintinterp as h
from .hintinterp import loop


@pytest.fixture(autouse=True)
def fresh():
    reset(loop)
    loop.jitdriver.set_param("threshold", 3)
    h.SHARED.version = 1
    yield
    reset(loop)
    loop.jitdriver.set_param("threshold", 1039)


def run(which, n=600):
    h.SHARED.version = h.SHARED_SLOTS.version = 1
    expected = loop.__wrapped__(which, n, h.Obj())
    h.SHARED.version = h.SHARED_SLOTS.version = 1
    got = loop(which, n, h.Obj())
    assert got == expected
    assert loop.jitdriver.stats()["loops"] >= 1
    return op_counts(loop, "loop")


def calls_to(counts):
    return counts.get("call", 0) + counts.get("call_pure", 0) + counts.get("call_loopinvariant", 0)


def test_promote_gives_guard_value_and_folds():
    counts = run("promote")
    assert counts.get("guard_value", 0) == 1
    assert counts.get("int_mul", 0) == 0  # k * 3 folded to a constant


def test_elidable_with_constant_arguments_leaves_no_call():
    counts = run("elidable_const")
    assert calls_to(counts) == 0
    assert counts.get("int_mul", 0) == 0


def test_elidable_with_variable_arguments_is_call_pure():
    counts = run("elidable_var")
    assert counts.get("call_pure", 0) == 1
    assert counts.get("int_mul", 0) == 0  # not traced into


def test_dont_look_inside_is_a_residual_call():
    counts = run("dont_look_inside")
    assert counts.get("call", 0) == 1
    assert counts.get("int_add", 0) == 2  # acc + ... and i += 1, not the x + 1 inside opaque()


def test_function_with_loop_is_not_inlined():
    assert run("loop_not_unrolled").get("call", 0) == 1


def test_unroll_safe_function_is_inlined():
    counts = run("unroll_safe")
    assert calls_to(counts) == 0
    assert counts.get("int_add", 0) >= 3 + 2  # three unrolled additions


def test_look_inside_iff_true_on_constants_inlines():
    counts = run("look_inside_iff_true")
    assert calls_to(counts) == 0


def test_look_inside_iff_with_variable_argument_is_residual():
    assert run("look_inside_iff_var").get("call", 0) == 1


def test_loop_invariant_becomes_call_loopinvariant():
    assert run("loop_invariant").get("call_loopinvariant", 0) == 1


def test_we_are_jitted_isconstant_isvirtual():
    assert run("we_are_jitted").get("call", 0) == 0
    reset(loop)
    assert run("isconstant").get("call", 0) == 0
    assert metatrace.we_are_jitted() is False
    assert metatrace.isconstant(3) is False and metatrace.isvirtual(3) is False


def test_record_exact_class_removes_the_class_guard():
    run("record_exact_class")
    (trace,) = compiled_traces(loop, "loop")
    obj = trace.inputargs[3]  # reds: i, n, acc, obj
    guarded = [op.args[0] for op in trace.ops if op.name == "guard_class"]
    assert guarded and obj not in guarded
    assert any(op.name == "getfield" and op.args[0] is obj for op in trace.ops)


def test_record_exact_class_checks_outside_the_jit():
    with pytest.raises(AssertionError):
        metatrace.record_exact_class(3, str)


def test_immutable_fields_on_constants_are_folded():
    counts = run("immutable")
    assert counts.get("getfield", 0) == 0
    assert counts.get("getitem", 0) == 0


def test_quasi_immutable_folded_under_guard_not_invalidated():
    counts = run("quasi")
    assert counts.get("getfield", 0) == 0
    assert counts.get("guard_not_invalidated", 0) == 1


def test_quasi_immutable_write_invalidates_and_stays_exact():
    run("quasi_write", 900)
    assert loop.jitdriver.stats()["invalidations"] >= 1


def test_quasi_immutable_slot_folded_and_reads_stay_plain():
    counts = run("quasi_slot")
    assert counts.get("getfield", 0) == 0
    assert counts.get("guard_not_invalidated", 0) == 1
    # the watcher installed on the slot is a C-level property: the interpreter reads it as a
    # slot, and it is the one watcher of the field
    watcher = h.SlotObj.__dict__["version"]
    assert isinstance(watcher, property) and h.SHARED_SLOTS.version == 1


def test_quasi_immutable_slot_write_and_delete_invalidate():
    run("quasi_slot_write", 900)
    assert loop.jitdriver.stats()["invalidations"] >= 2


def test_hints_are_identity_outside_the_jit():
    assert metatrace.promote(5) == 5 and metatrace.promote_string("a") == "a"
    f = lambda: 1
    for deco in (metatrace.elidable, metatrace.dont_look_inside, metatrace.unroll_safe,
                 metatrace.loop_invariant, metatrace.look_inside_iff(lambda: True)):
        assert deco(f) is f
    assert metatrace.jit_merge_point(a=1) is None and metatrace.can_enter_jit(a=1) is None


def test_immutable_field_read_once_across_residual_calls():
    counts = run("immutable_var")
    assert counts.get("call", 0) >= 1
    loops = compiled_traces(loop, "loop")
    reads = [op for t in loops for op in t.ops if op.name == "getfield" and op.descr == "const_field"]
    assert len(reads) == 1


def test_floats_against_int_constants_are_float_ops():
    counts = run("float_int_const")
    assert not any(name.startswith("py_") for name in counts), counts
    assert counts.get("float_mul", 0) >= 1 and counts.get("float_gt", 0) >= 1


def test_bridge_folds_reads_of_an_immutable_list_its_parent_read():
    saved = loop.jitdriver.get_params()["trace_eagerness"]
    loop.jitdriver.set_param("trace_eagerness", 2)
    try:
        run("immutable_after_branch")
    finally:
        loop.jitdriver.set_param("trace_eagerness", saved)
    bridges = op_counts(loop, "bridge")
    assert loop.jitdriver.stats()["bridges"] >= 1
    assert bridges.get("getitem", 0) == 0, bridges
