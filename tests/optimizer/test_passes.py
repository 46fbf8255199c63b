"""Optimizer passes as 'this trace in, that trace out' (PyPy's test_optimizebasic style), plus
fuzzing of the passes against the reference executor."""

import random

import pytest

from metatrace.ir.interp import run_trace
from metatrace.ir.text import format_trace, parse_trace
from metatrace.optimizer import dce, optimize_trace, pure, sink

class Obj:
    def __init__(self):
        self.a = 1
        self.b = 2


NS = {"int": int, "list": list, "append": list.append, "pop": list.pop, "bool": bool, "Obj": Obj}


def check(pass_fn, before, after):
    trace = parse_trace(before, NS)
    ops = pass_fn(trace.inputargs, trace.ops)
    trace.ops = ops
    expected = parse_trace(after, NS)
    assert format_trace(trace, NS) == format_trace(expected, NS)


def test_pure_cse_and_repeated_guards():
    check(pure.optimize, """[i0, i1]
i2 = int_add(i0, i1)
i3 = int_add(i0, i1)
guard_true(i2) [i0]
guard_true(i3) [i0]
i4 = int_mul(i3, i2)
finish(i4)
""", """[i0, i1]
i2 = int_add(i0, i1)
guard_true(i2) [i0]
i3 = int_mul(i2, i2)
finish(i3)
""")


def test_pure_folds_constants_and_drops_guards_that_hold():
    check(pure.optimize, """[i0]
i1 = int_add(2, 3)
i2 = int_lt(i1, 10)
guard_true(i2) [i0]
guard_class(7, $int) [i0]
i3 = int_add(i0, i1)
finish(i3)
""", """[i0]
i1 = int_add(i0, 5)
finish(i1)
""")


def test_pure_known_class_guard_removed():
    check(pure.optimize, """[r0]
guard_class(r0, $int) [r0]
i1 = int_add(r0, 1)
guard_class(i1, $int) [r0]
guard_class(r0, $int) [r0]
finish(i1)
""", """[r0]
guard_class(r0, $int) [r0]
i1 = int_add(r0, 1)
finish(i1)
""")


def test_pure_never_merges_allocations():
    text = """[i0]
r1 = new_list(i0)
r2 = new_list(i0)
i3 = ptr_eq(r1, r2)
finish(i3)
"""
    check(pure.optimize, text, text)


def test_dce_removes_unused_pure_ops_only():
    check(dce.optimize, """[i0, r1]
i2 = int_add(i0, 1)
i3 = int_mul(i0, 2)
r4 = getfield(r1, descr=x)
guard_true(i3) [i0]
finish(i0)
""", """[i0, r1]
i3 = int_mul(i0, 2)
r4 = getfield(r1, descr=x)
guard_true(i3) [i0]
finish(i0)
""")


def test_sink_push_pop_pairs_vanish():
    check(sink.optimize, """[r0, i1]
guard_class(r0, $list) [r0]
r2 = call($append, r0, i1)
guard_no_exception() [r0]
r3 = call($pop, r0)
guard_no_exception() [r0]
i4 = int_add(r3, 1)
finish(i4)
""", """[r0, i1]
guard_class(r0, $list) [r0]
i2 = int_add(i1, 1)
finish(i2)
""")


def test_sink_materializes_before_a_barrier_and_on_guard_failure():
    trace = parse_trace("""[r0, i1, i2]
guard_class(r0, $list) [r0]
r3 = call($append, r0, i1)
guard_no_exception() [r0]
guard_true(i2) [r0]
i4 = getitem(r0, 0)
guard_no_exception() [r0]
finish(i4)
""", NS)
    ops = sink.optimize(trace.inputargs, trace.ops)
    names = [op.name for op in ops]
    # the append happens before getitem() reads the list ...
    assert names == ["guard_class", "guard_true", "call", "getitem", "guard_no_exception", "finish"]
    # ... and on the guard's failure path
    guard = ops[1]
    assert guard.sunk[0].kind == "append" and guard.sunk[0].values == [trace.inputargs[1]]
    trace.ops = ops
    lst = []
    res = run_trace(trace, [lst, 5, 0])
    assert res.kind == "guard" and lst == [5]
    lst2 = []
    assert run_trace(trace, [lst2, 5, 1]).value == 5 and lst2 == [5]


def test_sink_follows_pushes_through_len_and_tail_slices():
    # a stack VM's call: push two arguments, args = stack[len(stack) - 2:], del the same slice,
    # then a frame's locals = args + []: the pushes never happen, args is a list of the two values
    trace = parse_trace("""[r0, i1, i2]
guard_class(r0, $list) [r0]
r3 = call($append, r0, i1)
guard_no_exception() [r0]
r4 = call($append, r0, i2)
guard_no_exception() [r0]
i5 = len(r0)
i6 = int_sub(i5, 2)
r7 = new_slice(i6, None, None)
r8 = getitem(r0, r7)
guard_no_exception() [r0]
i9 = len(r0)
i10 = int_sub(i9, 2)
r11 = new_slice(i10, None, None)
delitem(r0, r11)
guard_no_exception() [r0]
r12 = new_list()
r13 = py_add(r8, r12)
guard_no_exception() [r0]
i14 = getitem(r13, 1)
guard_no_exception() [r0]
i15 = len(r0)
finish(i15)
""", NS)
    ops = optimize_trace(trace.inputargs, trace.ops)
    names = [op.name for op in ops]
    assert names == ["guard_class", "len", "finish"], names
    for lst in ([], [7, 8]):
        trace.ops = ops
        got = run_trace(trace, [lst, 5, 6])
        assert got.value == len(lst) and lst == [7, 8][:len(lst)]


def test_sink_a_new_list_is_none_of_the_older_ones():
    check(sink.optimize, """[r0, i1]
guard_class(r0, $list) [r0]
r2 = new_list()
i3 = ptr_ne(r2, r0)
guard_true(i3) [r0]
i4 = ptr_ne(r0, r2)
finish(i4)
""", """[r0, i1]
guard_class(r0, $list) [r0]
r2 = new_list()
guard_true(True) [r0]
finish(True)
""")


# -- fuzzing: random traces, optimized vs unoptimized, on the reference executor --------------

BINOPS = ["int_add", "int_sub", "int_mul", "int_and", "int_or", "int_xor", "int_lt", "int_eq", "int_ne"]


def random_trace(rng):
    """Random trace over ints i0, i1, a list r2 and a plain object r3, with the kinds of ops the
    tracer records for interpreters: arithmetic, appends/pops, attribute and item reads and
    writes (constant and computed indices), len, and guards."""
    lines = ["[i0, i1, r2, r3]", "guard_class(r2, $list) [i0, i1, r2]", "guard_class(r3, $Obj) [r3]"]
    ints = ["i0", "i1"]
    n = 4

    def live():
        return ", ".join(ints[-3:] + ["r2", "r3"])

    for _ in range(rng.randint(3, 30)):
        k = rng.random()
        if k < 0.3:
            a = rng.choice(ints + [str(rng.randint(-3, 5))])
            b = rng.choice(ints + [str(rng.randint(-3, 5))])
            lines.append("i%d = %s(%s, %s)" % (n, rng.choice(BINOPS), a, b))
            ints.append("i%d" % n)
        elif k < 0.4:
            lines.append("r%d = call($append, r2, %s)" % (n, rng.choice(ints)))
            lines.append("guard_no_exception() [%s]" % live())
        elif k < 0.45:
            lines.append("i%d = call($pop, r2)" % n)
            lines.append("guard_no_exception() [%s]" % live())
            ints.append("i%d" % n)
        elif k < 0.5:
            lines.append("i%d = len(r2)" % n)
            ints.append("i%d" % n)
            if rng.random() < 0.5:
                # a stack VM's call: r2[len(r2) - c:] (read, or deleted), maybe len(r2) + c
                c = rng.randint(-1, 3)
                lines.append("i%d = int_sub(i%d, %d)" % (n + 1, n, c))
                lines.append("r%d = new_slice(i%d, None, None)" % (n + 2, n + 1))
                if rng.random() < 0.5:
                    lines.append("r%d = getitem(r2, r%d)" % (n + 3, n + 2))
                    lines.append("guard_no_exception() [%s]" % live())
                    lines.append("r%d = new_list(%s)" % (n + 4, rng.choice(["", ints[-1]])))
                    lines.append("r%d = py_add(r%d, r%d)" % (n + 5, n + 3, n + 4))
                    lines.append("guard_no_exception() [%s]" % live())
                    lines.append("i%d = len(r%d)" % (n + 6, n + 5))
                    ints.append("i%d" % (n + 6))
                else:
                    lines.append("delitem(r2, r%d)" % (n + 2))
                    lines.append("guard_no_exception() [%s]" % live())
                n += 6
        elif k < 0.6:
            lines.append("setfield(r3, %s, descr=%s)" % (rng.choice(ints), rng.choice("ab")))
        elif k < 0.7:
            lines.append("i%d = getfield(r3, descr=%s)" % (n, rng.choice("ab")))
            lines.append("guard_no_exception() [%s]" % live())
            ints.append("i%d" % n)
        elif k < 0.8:
            idx = rng.choice(["0", "1", "2", "i%d" % (n - 1) if ("i%d" % (n - 1)) in ints else "1"])
            if rng.random() < 0.3 and ints:
                lines.append("i%d = int_and(%s, 1)" % (n, rng.choice(ints)))
                ints.append("i%d" % n)
                idx = "i%d" % n
                n += 1
                r = rng.random()
                if r < 0.4:  # proven >= 0, then base + 1 (in 0..2)
                    lines.append("i%d = int_ge(%s, 0)" % (n, idx))
                    lines.append("guard_true(i%d) [%s]" % (n, live()))
                    lines.append("i%d = int_add(%s, 1)" % (n + 1, idx))
                    ints.append("i%d" % (n + 1))
                    idx = rng.choice([idx, "i%d" % (n + 1)])
                    n += 2
                elif r < 0.7:  # base - 1: -1 or 0, wraps around to the last item
                    lines.append("i%d = int_sub(%s, 1)" % (n, idx))
                    ints.append("i%d" % n)
                    idx = "i%d" % n
                    n += 1
            if rng.random() < 0.5:
                lines.append("setitem(r2, %s, %s)" % (idx, rng.choice(ints)))
            else:
                lines.append("i%d = getitem(r2, %s)" % (n, idx))
                ints.append("i%d" % n)
            lines.append("guard_no_exception() [%s]" % live())
        elif k < 0.87:
            lines.append("%s(%s) [%s]" % (rng.choice(["guard_true", "guard_false"]), rng.choice(ints), live()))
        elif k < 0.91:
            # integer facts: x - c compared with a constant, guarded (bounds from guards)
            x = rng.choice(ints)
            lines.append("i%d = %s(%s, %d)" % (n, rng.choice(["int_add", "int_sub"]), x, rng.randint(-2, 2)))
            ints.append("i%d" % n)
            n += 1
            a, b = rng.choice([x, "i%d" % (n - 1)]), str(rng.randint(-2, 3))
            if rng.random() < 0.5:
                a, b = b, a
            lines.append("i%d = %s(%s, %s)" % (n, rng.choice(["int_lt", "int_le", "int_gt", "int_ge"]), a, b))
            ints.append("i%d" % n)
            lines.append("%s(i%d) [%s]" % (rng.choice(["guard_true", "guard_false"]), n, live()))
        elif k < 0.95:
            # a conditional jump on a comparison: (a < b) is False, then a guard on that
            lines.append("i%d = int_lt(%s, %s)" % (n, rng.choice(ints), rng.choice(ints)))
            lines.append("i%d = ptr_eq(%s, %s)" % (n + 1, rng.choice(["i%d" % n, "True", "False"]),
                                                    rng.choice(["True", "False", "i%d" % n])))
            ints += ["i%d" % n, "i%d" % (n + 1)]
            n += 1
            lines.append("%s(i%d) [%s]" % (rng.choice(["guard_true", "guard_false"]), n, live()))
        else:
            lines.append("i%d = int_add(%s, %s)" % (n, ints[-1], ints[-1]))
            ints.append("i%d" % n)
        n += 1
    lines.append("finish(%s)" % ints[-1])
    return "\n".join(lines) + "\n"


def state(obj):
    return (obj.a, obj.b)


@pytest.mark.parametrize("seed", range(400))
def test_fuzz_optimizer_against_reference(seed):
    """Optimized and unoptimized trace: same end, same values, same heap afterwards."""
    rng = random.Random(seed)
    text = random_trace(rng)
    for inputs, start in (([0, 1], [1, 2, 3]), ([3, -2], [5]), ([1, 1], []), ([7, 0], [0, 0, 0, 0])):
        ref_list, opt_list = list(start), list(start)
        ref_obj, opt_obj = Obj(), Obj()
        ref_trace = parse_trace(text, NS)
        ref = run_trace(ref_trace, inputs + [ref_list, ref_obj])
        trace = parse_trace(text, NS)
        recorded = list(trace.ops)
        trace.ops = optimize_trace(trace.inputargs, trace.ops)
        got = run_trace(trace, inputs + [opt_list, opt_obj])
        assert ref.kind == got.kind, text
        if ref.kind == "finish":
            assert ref.value == got.value, text
        else:
            # the same guard failed (the optimizer may turn it into another guard, in place)
            assert ref_trace.ops.index(ref.op) == recorded.index(got.op), text

            def norm(values, lst, obj):
                return ["L" if v is lst else "O" if v is obj else v for v in values]

            assert norm(ref.failvalues, ref_list, ref_obj) == norm(got.failvalues, opt_list, opt_obj), text
        assert ref_list == opt_list, (text, inputs, start)
        assert state(ref_obj) == state(opt_obj), (text, inputs, start)


def random_alloc_trace(rng):
    """Traces that allocate objects (new) and lists (new_list), write and read their fields and
    items, let some escape into r3.o, and fail guards while some are still virtual."""
    lines = ["[i0, i1, r2, r3]", "guard_class(r3, $Obj) [r3]", "guard_class(r2, $list) [r2]",
             "r4 = new_list(i0)"]
    ints = ["i0", "i1"]
    objs = []
    lists = ["r4"]
    n = 5

    def live():
        return ", ".join(ints[-2:] + objs[-2:] + lists[-2:] + ["r3"])

    for _ in range(rng.randint(3, 25)):
        k = rng.random()
        if k < 0.2 or not objs:
            lines.append("r%d = new(descr=$Obj)" % n)
            objs.append("r%d" % n)
        elif k < 0.4:
            lines.append("setfield(%s, %s, descr=%s)" % (rng.choice(objs), rng.choice(ints), rng.choice("ab")))
        elif k < 0.55:
            lines.append("i%d = getfield(%s, descr=%s)" % (n, rng.choice(objs), rng.choice("ab")))
            lines.append("guard_no_exception() [%s]" % live())
            ints.append("i%d" % n)
        elif k < 0.62:
            lines.append("setfield(r3, %s, descr=o)" % rng.choice(objs))  # escapes
        elif k < 0.68:
            a, b = rng.choice(objs), rng.choice(objs)
            lines.append("i%d = ptr_eq(%s, %s)" % (n, a, b))
            ints.append("i%d" % n)
        elif k < 0.72:
            lines.append("setfield(%s, %s, descr=o)" % (rng.choice(objs), rng.choice(objs)))  # nesting
        elif k < 0.85:
            lines.append("i%d = %s(%s, %s)" % (n, rng.choice(BINOPS), rng.choice(ints), rng.choice(ints)))
            ints.append("i%d" % n)
        elif lists and k < 0.93:
            lst = rng.choice(lists)
            idx = rng.choice(["0", "1", "2", "-1", "-3", "3", rng.choice(ints)])  # some out of range
            r = rng.random()
            if r < 0.45:
                lines.append("setitem(%s, %s, %s)" % (lst, idx, rng.choice(ints + objs + lists)))
                lines.append("guard_no_exception() [%s]" % live())
            elif r < 0.8:
                lines.append("i%d = getitem(%s, %s)" % (n, lst, idx))
                lines.append("guard_no_exception() [%s]" % live())
                objs.append("i%d" % n)  # may hold anything
            elif r < 0.9:
                lines.append("i%d = len(%s)" % (n, lst))
                lines.append("guard_no_exception() [%s]" % live())
                ints.append("i%d" % n)
            else:
                lines.append("setfield(r3, %s, descr=o)" % lst)  # escapes
        elif lists and k < 0.95:
            lst = rng.choice(lists + ["r2"])
            r = rng.random()
            if r < 0.4:
                lines.append("r%d = call($append, %s, %s)" % (n, lst, rng.choice(ints + objs[-1:])))
                lines.append("guard_no_exception() [%s]" % live())
            elif r < 0.7:
                lines.append("i%d = call($pop, %s)" % (n, lst))  # may be empty: IndexError
                lines.append("guard_no_exception() [%s]" % live())
                objs.append("i%d" % n)
            elif r < 0.85:
                lines.append("r%d = py_add(%s, %s)" % (n, lst, rng.choice(lists + ["r2"])))
                lines.append("guard_no_exception() [%s]" % live())
                lists.append("r%d" % n)
            else:
                lines.append("i%d = ptr_ne(%s, %s)" % (n, lst, rng.choice(lists + ["r2"])))
                lines.append("%s(i%d) [%s]" % (rng.choice(["guard_true", "guard_false"]), n, live()))
                ints.append("i%d" % n)
        elif k < 0.97:
            items = [rng.choice(["None", "0"] + ints[-2:] + objs[-1:]) for _ in range(rng.randint(0, 3))]
            lines.append("r%d = new_list(%s)" % (n, ", ".join(items)))
            lists.append("r%d" % n)
        else:
            lines.append("%s(%s) [%s]" % (rng.choice(["guard_true", "guard_false"]), rng.choice(ints), live()))
        n += 1
    lines.append("finish(%s)" % ints[-1])
    return "\n".join(lines) + "\n"


def obj_state(obj, seen=None):
    """Structure of an object graph, with identities as first-visit numbers (handles cycles)."""
    seen = {} if seen is None else seen
    if isinstance(obj, list):
        if id(obj) in seen:
            return ("ref", seen[id(obj)])
        seen[id(obj)] = len(seen)
        return ["list"] + [obj_state(v, seen) for v in obj]
    if not isinstance(obj, Obj):
        return obj
    if id(obj) in seen:
        return ("ref", seen[id(obj)])
    seen[id(obj)] = len(seen)
    return tuple((k, obj_state(v, seen)) for k, v in sorted(vars(obj).items()))


@pytest.mark.parametrize("seed", range(300))
def test_fuzz_virtualize_against_reference(seed):
    rng = random.Random(seed)
    text = random_alloc_trace(rng)
    for inputs in ([0, 1], [3, -2], [1, 1]):
        ref_obj, opt_obj = Obj(), Obj()
        ref_list, opt_list = [4], [4]
        ref = run_trace(parse_trace(text, NS), inputs + [ref_list, ref_obj])
        trace = parse_trace(text, NS)
        trace.ops = optimize_trace(trace.inputargs, trace.ops)
        got = run_trace(trace, inputs + [opt_list, opt_obj])
        assert obj_state(ref_list) == obj_state(opt_list), text
        assert ref.kind == got.kind, text
        if ref.kind == "finish":
            assert ref.value == got.value, text
        else:
            assert ref.op.name == got.op.name, text
            ref_seen, got_seen = {}, {}
            assert [obj_state(v, ref_seen) for v in ref.failvalues] == \
                [obj_state(v, got_seen) for v in got.failvalues], text
        assert obj_state(ref_obj) == obj_state(opt_obj), text


def test_virtual_that_does_not_escape_is_never_built():
    check(lambda ia, ops: dce.optimize(ia, __import__("metatrace.optimizer.virtualize", fromlist=["x"]).optimize(ia, ops)), """[i0, r1]
r2 = new(descr=$Obj)
setfield(r2, i0, descr=a)
i3 = getfield(r2, descr=a)
guard_no_exception() [i0]
i4 = int_add(i3, 1)
setfield(r1, i4, descr=b)
finish(i4)
""", """[i0, r1]
i2 = int_add(i0, 1)
setfield(r1, i2, descr=b)
finish(i2)
""")


def test_pure_tests_of_a_bool_against_true_and_false_become_guards_on_it():
    # what an interpreter's conditional jump records: (a < b) is False, then (a < b) is True
    check(lambda ia, ops: dce.optimize(ia, pure.optimize(ia, ops)), """[i0, i1]
i2 = int_lt(i0, i1)
i3 = ptr_eq(i2, False)
guard_false(i3) [i0, i3]
i4 = ptr_eq(i2, True)
guard_true(i4) [i0, i4]
i5 = int_add(i0, i2)
finish(i5)
""", """[i0, i1]
i2 = int_lt(i0, i1)
guard_true(i2) [i0]
i3 = int_add(i0, True)
finish(i3)
""")


def test_pure_keeps_tests_of_values_that_may_not_be_bools():
    text = """[i0]
i1 = ptr_eq(i0, False)
guard_false(i1) [i0, i1]
finish(i0)
"""
    check(pure.optimize, text, text)


def test_heap_keeps_stores_pending_across_math_calls_on_numbers():
    import math

    def run(ia, ops):
        from metatrace.optimizer import heap
        return heap.optimize(ia, ops)
    NS["sqrt"] = math.sqrt
    try:
        check(run, """[r0, f1]
guard_class(r0, $Obj) [r0]
setfield(r0, f1, descr=a)
f2 = float_add(f1, 1.0)
r3 = call($sqrt, f2)
guard_no_exception() [r0]
setfield(r0, r3, descr=b)
i4 = getfield(r0, descr=a)
guard_no_exception() [r0]
finish(i4)
""", """[r0, f1]
guard_class(r0, $Obj) [r0]
f2 = float_add(f1, 1.0)
r3 = call($sqrt, f2)
guard_no_exception() [r0]
setfield(r0, f1, descr=a)
setfield(r0, r3, descr=b)
finish(f1)
""")
        # sqrt of a value of unknown class may run its __float__: stores go first
        check(run, """[r0, r1]
guard_class(r0, $Obj) [r0]
setfield(r0, r1, descr=a)
r2 = call($sqrt, r1)
guard_no_exception() [r0]
finish(r2)
""", """[r0, r1]
guard_class(r0, $Obj) [r0]
setfield(r0, r1, descr=a)
r2 = call($sqrt, r1)
guard_no_exception() [r0]
finish(r2)
""")
    finally:
        del NS["sqrt"]


def random_bounds_trace(rng):
    """Offsets of two ints compared with constants and guarded, in every direction: what the
    integer facts in `pure` must get exactly right (off-by-one in any bound shows here)."""
    lines = ["[i0, i1]"]
    ints = ["i0", "i1"]
    n = 2
    for _ in range(rng.randint(2, 12)):
        x = rng.choice(ints)
        if rng.random() < 0.5:
            lines.append("i%d = %s(%s, %d)" % (n, rng.choice(["int_add", "int_sub"]), x, rng.randint(-3, 3)))
            ints.append("i%d" % n)
            n += 1
            x = "i%d" % (n - 1)
        a, b = x, str(rng.randint(-3, 3))
        if rng.random() < 0.5:
            a, b = b, a
        lines.append("i%d = %s(%s, %s)" % (n, rng.choice(["int_lt", "int_le", "int_gt", "int_ge"]), a, b))
        lines.append("%s(i%d) [i0, i1, i%d]" % (rng.choice(["guard_true", "guard_false"]), n, n))
        ints.append("i%d" % n)
        n += 1
    lines.append("i%d = int_add(%s, %s)" % (n, ints[-1], ints[-2]))
    lines.append("finish(i%d)" % n)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(200))
def test_fuzz_integer_facts_against_reference(seed):
    rng = random.Random(seed)
    text = random_bounds_trace(rng)
    for x in range(-5, 6):
        for y in (-4, 0, 3):
            ref_trace = parse_trace(text, NS)
            ref = run_trace(ref_trace, [x, y])
            trace = parse_trace(text, NS)
            recorded = list(trace.ops)
            trace.ops = optimize_trace(trace.inputargs, trace.ops)
            got = run_trace(trace, [x, y])
            assert ref.kind == got.kind, (text, x, y)
            if ref.kind == "finish":
                assert ref.value == got.value, (text, x, y)
            else:
                assert ref_trace.ops.index(ref.op) == recorded.index(got.op), (text, x, y)
                assert ref.failvalues == got.failvalues, (text, x, y)


def test_pure_drops_comparisons_decided_by_earlier_guards():
    # 1 <= x, then x - 1 >= 0 (an interpreter's bounds check, then the list index check)
    check(lambda ia, ops: dce.optimize(ia, pure.optimize(ia, ops)), """[i0]
i1 = int_le(1, i0)
guard_true(i1) [i0]
i2 = int_sub(i0, 1)
i3 = int_ge(i2, 0)
guard_true(i3) [i0]
i4 = int_lt(i0, 1)
guard_false(i4) [i0]
finish(i2)
""", """[i0]
i1 = int_le(1, i0)
guard_true(i1) [i0]
i2 = int_sub(i0, 1)
finish(i2)
""")
