"""The reference trace executor gives the IR its meaning."""

from metatrace.ir.interp import run_trace
from metatrace.ir.text import parse_trace


class Box:
    def __init__(self, x):
        self.x = x


NS = {"Box": Box, "int": int, "ZeroDivisionError": ZeroDivisionError}


def test_loop_runs_until_guard_fails():
    trace = parse_trace("""[i0, i1]
label(i0, i1)
i2 = int_add(i0, i1)
i3 = int_add(i1, 1)
i4 = int_lt(i3, 10)
guard_true(i4) [i2, i3]
jump(i2, i3)
""")
    res = run_trace(trace, [0, 0])
    assert res.kind == "guard"
    assert res.op.name == "guard_true"
    assert res.failvalues == [45, 10]
    assert res.iterations == 9


def test_heap_ops_and_finish():
    trace = parse_trace("""[r0]
r1 = getfield(r0, descr=x)
guard_class(r1, $int) [r0, r1]
i2 = int_mul(r1, 2)
setfield(r0, i2, descr=x)
finish(i2)
""", NS)
    b = Box(21)
    res = run_trace(trace, [b])
    assert res.kind == "finish" and res.value == 42 and b.x == 42


def test_exceptions_go_to_guards():
    trace = parse_trace("""[i0]
i1 = int_floordiv(10, i0)
guard_no_exception() [i0]
finish(i1)
""")
    assert run_trace(trace, [2]).value == 5
    res = run_trace(trace, [0])
    assert res.kind == "guard" and res.op.name == "guard_no_exception"


def test_guard_class_is_exact():
    trace = parse_trace("""[r0]
guard_class(r0, $int) [r0]
finish(r0)
""", NS)
    assert run_trace(trace, [3]).kind == "finish"
    assert run_trace(trace, [True]).kind == "guard"
