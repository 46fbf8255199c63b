"""A guard's blackhole frames are built from a plan worked out at its first failure (which
register of which frame takes which fail argument, constants already in place), not by
mapping every resume value again at each failure."""

import metatrace
from metatrace import jit_merge_point
from metatrace.testing import reset


def helper(x, k):
    if x % 7 == 3:  # fails a guard inside an inlined call: two frames to rebuild
        return x * k - 1
    return x + k


@metatrace.jit(greens=["pc"], reds=["i", "n", "acc"], name="bh_plan_test")
def run(n):
    pc = 0
    i = 0
    acc = 0
    while True:
        jit_merge_point(pc=pc, i=i, n=n, acc=acc)
        if i >= n:
            return acc
        acc = helper(i, 5) + acc % 1000
        i += 1


def _guards(drv):
    for tree in drv.runtime.trees.values():
        for trace in tree.traces:
            yield from trace.guards


def test_blackholed_guards_keep_their_plan_and_agree():
    drv = run.jitdriver
    reset(run)
    drv.set_param("threshold", 3)
    drv.set_param("trace_eagerness", 10 ** 6)  # no bridges: every failure is blackholed
    drv.set_param("backend", "python")
    assert run(700) == run.__wrapped__(700)
    st = drv.stats()
    assert st["loops"] >= 1 and st["blackholes"] >= 90, st
    planned = [gd for gd in _guards(drv) if gd.bh_plan is not None]
    assert planned, "no guard kept a plan"
    gd = max(planned, key=lambda g: g.failures)
    assert gd.failures >= 90
    plan = gd.bh_plan
    assert plan[0] is gd.snapshot
    frames = plan[1][0]
    assert len(frames) == 2, frames  # the portal's frame and helper's
    assert run(300) == run.__wrapped__(300)
    assert gd.bh_plan is plan  # reused, not rebuilt
