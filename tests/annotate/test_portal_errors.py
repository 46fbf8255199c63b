"""Mistakes in a portal are reported at decoration time with the user's file and line."""

import pytest

import metatrace
from metatrace import PortalError, jit_merge_point


def lineno_of(func, text):
    import inspect

    lines, start = inspect.getsourcelines(func)
    for i, line in enumerate(lines):
        if text in line:
            return start + i
    raise AssertionError(text)


def test_merge_point_not_first_statement():
    def interp(pc):
        while True:
            pc += 1
            jit_merge_point(pc=pc)

    with pytest.raises(PortalError) as info:
        metatrace.jit(greens=["pc"], reds=[])(interp)
    msg = str(info.value)
    assert "first statement of a while loop" in msg
    assert "test_portal_errors.py:%d" % lineno_of(interp, "jit_merge_point(pc=pc)") in msg


def test_no_merge_point():
    def interp(pc):
        return pc

    with pytest.raises(PortalError, match="has no jit_merge_point"):
        metatrace.jit(greens=["pc"])(interp)


def test_missing_red():
    def interp(pc, frame):
        acc = 0
        while pc < 10:
            jit_merge_point(pc=pc, frame=frame)
            acc += frame
            pc += 1
        return acc

    with pytest.raises(PortalError) as info:
        metatrace.jit(greens=["pc"], reds=["frame"])(interp)
    assert "acc" in str(info.value) and "neither greens nor reds" in str(info.value)


def test_reds_auto_infers_live_variables():
    def interp(pc, frame):
        acc = 0
        while pc < 10:
            jit_merge_point(pc=pc, frame=frame, acc=acc)
            acc += frame
            pc += 1
        return acc

    portal = metatrace.jit(greens=["pc"], reds="auto")(interp)
    assert sorted(portal.jitdriver.reds) == ["acc", "frame"]
    assert portal(0, 2) == 20


def test_unsupported_construct_in_portal_names_it():
    def interp(pc, xs):
        while pc < 10:
            jit_merge_point(pc=pc, xs=xs)
            xs = [x + 1 for x in xs]
            pc += 1
        return xs

    with pytest.raises(PortalError) as info:
        metatrace.jit(greens=["pc"], reds=["xs"])(interp)
    msg = str(info.value)
    assert "comprehension" in msg
    assert ":%d:" % lineno_of(interp, "[x + 1 for x in xs]") in msg


def test_merge_point_arguments_must_be_names():
    def interp(pc):
        while True:
            jit_merge_point(pc=pc + 1)

    with pytest.raises(PortalError, match="name=name"):
        metatrace.jit(greens=["pc"])(interp)


def test_merge_point_loop_inside_try_finally_is_rejected():
    def interp(pc):
        try:
            while pc < 3:
                jit_merge_point(pc=pc)
                pc += 1
        finally:
            pc = 0
        return pc

    with pytest.raises(PortalError, match="try/finally"):
        metatrace.jit(greens=["pc"], reds=[])(interp)


def test_unhashable_green_at_run_time():
    def interp(code, pc):
        while pc < 3:
            jit_merge_point(code=code, pc=pc)
            pc += 1
        return pc

    portal = metatrace.jit(greens=["code"], reds=["pc"])(interp)
    with pytest.raises(PortalError) as info:
        portal([1, 2], 0)
    assert "green variable 'code'" in str(info.value) and "unhashable list" in str(info.value)


def test_can_enter_jit_in_nested_loop_is_rejected():
    def interp(pc):
        while pc < 10:
            jit_merge_point(pc=pc)
            for _i in range(2):
                metatrace.can_enter_jit(pc=pc)
            pc += 1

    with pytest.raises(PortalError, match="nested loop"):
        metatrace.jit(greens=["pc"], reds=[])(interp)


def test_green_name_that_is_not_a_variable():
    def interp(pc, code):
        while pc < 3:
            jit_merge_point(pc=pc, code=code)
            pc += 1
        return pc

    with pytest.raises(PortalError) as info:
        metatrace.jit(greens=["pc", "cod"], reds=["code"])(interp)
    assert "'cod' is not a variable of" in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__
