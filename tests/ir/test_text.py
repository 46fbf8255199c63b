"""The trace text form round-trips, and the parser reports what is wrong and where."""

import pytest

from metatrace.ir.model import Const, InputArg, Op, Trace
from metatrace.ir.text import TraceSyntaxError, format_trace, parse_trace


class Point:
    pass


NS = {"Point": Point, "int": int}

TRACES = [
    """[i0, r1]
label(i0, r1)
debug_merge_point(descr='pc 3: ADD')
i2 = int_add(i0, 1)
r3 = getfield(r1, descr=x)
guard_class(r3, $int) [i2, r3]
i4 = int_lt(i2, 100)
guard_true(i4) [i2, r1]
setfield(r1, i2, descr=x)
jump(i2, r1)
""",
    """[r0]
r1 = new(descr=$Point)
setfield(r1, r0, descr=y)
r2 = call($Point, r0, 'a', None, -3, 2.5)
guard_no_exception() [r0, r1]
r3 = guard_exception(descr=$int) [r0]
finish(r1)
""",
]


@pytest.mark.parametrize("text", TRACES)
def test_round_trip(text):
    trace = parse_trace(text, NS)
    assert format_trace(trace, NS) == text
    again = parse_trace(format_trace(trace, NS), NS)
    assert format_trace(again, NS) == text


def test_parsed_structure():
    trace = parse_trace(TRACES[0], NS)
    assert [op.name for op in trace.ops][:3] == ["label", "debug_merge_point", "int_add"]
    add = trace.ops[2]
    assert add.args[0] is trace.inputargs[0]
    assert isinstance(add.args[1], Const) and add.args[1].value == 1
    guard = trace.ops[4]
    assert guard.is_guard() and guard.snapshot is not None
    assert [v for _, v in guard.snapshot.frames[0].regs] == [add, trace.ops[3]]
    assert trace.count("guard_true") == 1


def test_format_built_trace():
    a = InputArg("i")
    op = Op("int_mul", [a, Const(3)])
    jump = Op("jump", [op])
    text = format_trace(Trace([a], [op, jump]))
    assert text == "[i0]\ni1 = int_mul(i0, 3)\njump(i1)\n"


@pytest.mark.parametrize("text, message", [
    ("i0 = int_add(1, 2)", "line 1: a trace starts with its input arguments"),
    ("[i0]\ni1 = int_frob(i0)", "line 2: unknown op 'int_frob'"),
    ("[i0]\ni1 = int_add(i0)", "line 2: int_add takes 2 arguments, got 1"),
    ("[i0]\ni1 = int_add(i0, i7)", "line 2: i7 is used before it is defined"),
    ("[i0]\nr1 = new(descr=$Nope)", "line 2: unknown object constant $Nope"),
    ("[i0]\nthis is not an op", "line 2: cannot parse"),
])
def test_errors_name_the_line(text, message):
    with pytest.raises(TraceSyntaxError) as info:
        parse_trace(text, NS)
    assert message in str(info.value)
