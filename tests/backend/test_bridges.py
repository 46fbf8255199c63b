"""Bridges compiled on their own (issue #11, warm-up): attaching a bridge does not regenerate
the whole tree every time; the tree nests pending bridges in batches, or when one is hot."""

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


def test_bridges_are_compiled_on_their_own_then_nested():
    st = run(64 * 3)
    assert st["loops"] == 1 and st["bridges"] >= 10, st
    # not one regeneration of the tree per bridge: some bridges were compiled alone
    assert st["bridge_compiles"] >= 3, st
    assert st["tree_compiles"] < 1 + st["bridges"], st
    assert st["compile_failures"] == 0 and st["internal_errors"] == 0, st
    tree = next(iter(jitted.run.jitdriver.runtime.trees.values()))
    # the green pc is never assigned in the loop: resume data keeps it all the same (the merge
    # point reads it), so every bridge knows its key and ends in a jump to the loop
    assert {t.location for t in tree.traces} == {"pc=0"}
    assert sum(t.end == "jump" for t in tree.traces[1:]) >= 10
    pending = [gd for gd in tree.separate if gd.bridge_code is not None]
    nested = tree.nested_bridges
    assert nested + len(pending) == st["bridges"]


def test_a_hot_separate_bridge_gets_nested(monkeypatch):
    monkeypatch.setattr(warmstate, "SEPARATE_BRIDGE_RUNS", 5)
    st = run(64 * 40)
    tree = next(iter(jitted.run.jitdriver.runtime.trees.values()))
    # after 40 rounds every bridge of the loop ran at least 5 times: all nested in the tree's
    # code (what is still on its own ran fewer times: the exit's bridge)
    assert all(gd.bridge_runs < 5 for gd in tree.separate), st
    assert tree.nested_bridges >= st["bridges"] - 1 and len(tree.separate) <= 1, st
    assert st["bridge_compiles"] >= 1, st


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
