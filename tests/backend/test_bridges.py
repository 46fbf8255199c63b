"""Bridges compiled on their own (issue #11, warm-up): attaching a bridge regenerates no
version of the tree's code; the guard's exit calls the bridge from its site cell, and the tree
nests a bridge once it is hot."""

import os

from metatrace.testing import load_module, reset
from metatrace.backend import pygen
from metatrace.tracer import warmstate

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "branchy_interp.py")
plain = load_module(SRC, "tests.backend.branchy_plain", jit=False)
jitted = load_module(SRC, "tests.backend.branchy_jitted", jit=True)


def run(n, threshold=2, eagerness=1):
    drv = jitted.run.jitdriver
    reset(jitted.run)
    for k, v in (("threshold", threshold), ("trace_eagerness", eagerness), ("backend", "python")):
        drv.set_param(k, v)
    out_p, out_j = [], []
    assert jitted.run(n, out_j) == plain.run(n, out_p)
    assert out_j == out_p
    return drv.stats()


def count_warm_state_bridge_runs(monkeypatch):
    calls = []
    orig = warmstate.WarmState.run_bridge
    monkeypatch.setattr(warmstate.WarmState, "run_bridge",
                        lambda self, *a: (calls.append(1), orig(self, *a))[1])
    return calls


def test_bridges_are_compiled_on_their_own_and_called_from_their_guard(monkeypatch):
    warm_state_runs = count_warm_state_bridge_runs(monkeypatch)
    st = run(64 * 3)
    assert st["loops"] == 1 and st["bridges"] >= 10, st
    # attaching a bridge regenerated nothing: one compile of the tree, one of each bridge
    assert st["bridge_compiles"] == st["bridges"] and st["tree_compiles"] == 1, st
    assert st["compile_failures"] == 0 and st["internal_errors"] == 0, st
    tree = next(iter(jitted.run.jitdriver.runtime.trees.values()))
    # the green pc is never assigned in the loop: resume data keeps it all the same (the merge
    # point reads it), so every bridge knows its key and ends in a jump to the loop
    assert {t.location for t in tree.traces} == {"pc=0"}
    assert sum(t.end == "jump" for t in tree.traces[1:]) >= 10
    pending = [gd for gd in tree.separate if gd.bridge_code is not None]
    assert tree.nested_bridges == 0 and len(pending) == st["bridges"]
    # each ran from its guard's site: the tree's function called it, not the warm state
    assert all(gd.site[0] is gd.bridge_code[0] for gd in pending)
    assert warm_state_runs == [], len(warm_state_runs)
    # the exits of all of them are in the tree's one table
    func, exits = tree.code
    assert exits is tree.exits and all(exits[gd.exit_no] is gd for gd in pending)


def test_a_hot_separate_bridge_gets_nested(monkeypatch):
    monkeypatch.setattr(warmstate, "SEPARATE_BRIDGE_RUNS", 5)
    st = run(64 * 40)
    tree = next(iter(jitted.run.jitdriver.runtime.trees.values()))
    # after 40 rounds every bridge of the loop ran at least 5 times: all nested in the tree's
    # code (what is still on its own ran fewer times: the exit's bridge)
    assert tree.nested_bridges >= st["bridges"] - 1 and len(tree.separate) <= 1, st
    assert st["bridge_compiles"] == st["bridges"] and 1 < st["tree_compiles"] <= st["bridges"], st


def test_every_bridge_nested_gives_the_same_answers(monkeypatch):
    # the old behaviour (regenerate the tree for every bridge) as the reference
    monkeypatch.setattr(warmstate.Tree, "attach_bridge",
                        lambda self, gd, bridge: (setattr(gd, "bridge", bridge), self.compile()))
    st = run(64 * 3)
    assert st["bridge_compiles"] == 0 and st["tree_compiles"] == 1 + st["bridges"], st


def test_values_share_local_variables(monkeypatch):
    # CPython sizes a frame by its local variables: values whose lives do not overlap share one
    # (pygen.Names), so a tree with every bridge nested has a small frame
    monkeypatch.setattr(warmstate, "SEPARATE_BRIDGE_RUNS", 5)
    st = run(64 * 40)
    assert st["bridges"] >= 10, st
    tree = next(iter(jitted.run.jitdriver.runtime.trees.values()))
    assert tree.nested_bridges >= 10
    func, _, src = pygen.compile_tree(tree)
    monkeypatch.setattr(pygen, "REUSE_NAMES", False)
    func0, _, src0 = pygen.compile_tree(tree)
    shared, one_each = func.__code__.co_nlocals, func0.__code__.co_nlocals
    assert shared * 2 <= one_each, (shared, one_each)


def run_frame_interp(eagerness):
    """tests/backend/frame_interp.py JIT on, its final frame checked against the interpreter's."""
    from . import test_exits

    fplain, fjit = test_exits.plain, test_exits.jitted
    drv = fjit.run.jitdriver
    reset(fjit.run)
    for k, v in (("threshold", 2), ("trace_eagerness", eagerness), ("backend", "python")):
        drv.set_param(k, v)
    expected = fplain.dump(fplain.run(fplain.PROGRAM, fplain.Frame(8)))
    assert fjit.dump(fjit.run(fjit.PROGRAM, fjit.Frame(8))) == expected
    return drv


def test_a_bridge_on_its_own_does_its_guard_s_pending_stores(monkeypatch):
    # frame_interp's rare branch leaves with the frame's stores pending (a PendingExit): its
    # bridge, compiled on its own, takes the exit's values and does those stores itself
    warm_state_runs = count_warm_state_bridge_runs(monkeypatch)
    drv = run_frame_interp(eagerness=1)
    st = drv.stats()
    assert st["bridges"] >= 1 and st["bridge_compiles"] == st["bridges"], st
    # the rare branch is taken 9 times: after each guard's first failure its bridge ran
    assert st["guard_failures"] == st["bridges"] and st["blackholes"] == 0, st
    trees = list(drv.runtime.trees.values())
    with_stores = [gd for t in trees for gd in t.separate if gd.op.sunk]
    assert with_stores, "no bridge hangs from a guard with pending stores"
    assert warm_state_runs == []


def test_a_bridge_attached_while_an_exit_s_stores_are_done_is_not_given_their_result(monkeypatch):
    # another thread may attach the guard's bridge between the warm state's look at it and the
    # exit's materialization: the bridge takes the exit's values, so that failure blackholes
    # (found by tests/robustness/test_threads: "bridge_N() missing 4 required positional
    # arguments")
    from metatrace.backend.pygen import PendingExit

    called = []
    orig = PendingExit.materialize

    def materialize(self, result):
        self.gd.bridge_code = (lambda *a: called.append(a), [])  # attached right now
        return orig(self, result)

    guard_failed = warmstate.WarmState.guard_failed

    def failed_then_detached(self, tree, exit, result):
        try:
            return guard_failed(self, tree, exit, result)
        finally:
            if isinstance(exit, PendingExit):
                exit.gd.bridge_code = None

    monkeypatch.setattr(PendingExit, "materialize", materialize)
    monkeypatch.setattr(warmstate.WarmState, "guard_failed", failed_then_detached)
    drv = run_frame_interp(eagerness=1000)
    assert drv.stats()["guard_failures"] >= 5
    assert called == []
