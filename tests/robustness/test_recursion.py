"""Deep interpreted recursion: the same outcome with the JIT on and off.  A guest recursion far
past Python's recursion limit raises RecursionError in both; one well below it succeeds in both;
the interpreter's own depth limit (``StackOverflow``) gives the same error, registers and log.
Compiled code calling compiled code costs no more Python frames a guest call than the interpreter
does; the reachable depth is measured on and off."""

import sys

import pytest

from . import OFF, ON

PROGRAMS = ["RECURSIVE_SUM", "RECURSIVE_LOOP", "RECURSIVE_BRANCHY"]


def warm(drv, name):
    drv.set_param("threshold", 3)
    drv.set_param("function_threshold", 3)
    drv.set_param("trace_eagerness", 2)
    for _ in range(4):
        assert ON.execute(getattr(ON, name), [60]) == OFF.execute(getattr(OFF, name), [60])


def same(name, n):
    got = ON.execute(getattr(ON, name), [n])
    want = OFF.execute(getattr(OFF, name), [n])
    assert got == want, (name, n)
    return got


@pytest.mark.parametrize("name", PROGRAMS)
def test_far_past_the_limit_is_a_recursion_error_in_both(drv, name):
    warm(drv, name)
    for _ in range(2):
        assert same(name, 3 * sys.getrecursionlimit())[0] == ("RecursionError",)
    assert same(name, 150)[0][0] == "ok"  # and the JIT still works after it
    st = drv.stats()
    assert st["loop_entries"] > 0 and st["internal_errors"] == 0


@pytest.mark.parametrize("name", PROGRAMS)
def test_the_interpreters_own_depth_limit(drv, name):
    warm(drv, name)
    ON.LIMITS.depth = OFF.LIMITS.depth = 200
    try:
        for n in (150, 199, 200, 201, 202, 500, 150):
            got = same(name, n)
            assert got[0][0] == ("ok" if n <= 200 else "StackOverflow")
    finally:
        OFF.LIMITS.depth = 10 ** 9
    st = drv.stats()
    assert st["loop_entries"] > 0 and st["internal_errors"] == 0


def reachable_depth(mod, name):
    """The deepest n that runs without RecursionError (binary search; the JIT warmed before
    each try)."""
    lo, hi = 1, 2 * sys.getrecursionlimit()
    while lo < hi:
        mid = (lo + hi + 1) // 2
        for _ in range(2):
            mod.execute(getattr(mod, name), [60])
        got = mod.execute(getattr(mod, name), [mid])
        if got[0][0] == "ok":
            lo = mid
        else:
            assert got[0] == ("RecursionError",)
            hi = mid - 1
    return lo


@pytest.mark.parametrize("name", PROGRAMS)
def test_depth_reachable_with_the_jit(drv, name, capsys):
    warm(drv, name)
    off = reachable_depth(OFF, name)
    on = reachable_depth(ON, name)
    with capsys.disabled():
        sys.stdout.write("\n%s: guest depth reachable with recursion limit %d: JIT off %d, JIT on %d\n"
                         % (name, sys.getrecursionlimit(), off, on))
    assert drv.stats()["loop_entries"] > 0
    # each guest call costs one Python frame interpreted, and one through compiled code: the
    # caller's tree enters the callee's tree directly (call_assembler), and goes on in the
    # generated code when that tree jumps to another (the callee's loop), rather than through
    # WarmState.assembler_exit and run_compiled (three frames a call, a third of the depth,
    # before).  The JIT's own frames below the outermost call cost a few more:
    assert on >= off - 10
    assert same(name, on // 2)[0][0] == "ok"
