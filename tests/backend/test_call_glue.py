"""A call_assembler entering the callee's tree from the caller's generated code (issue #11,
item 3): the tree comes from its key's cell (bound as a constant, rebound as trees come and go),
its function is called with the reds as arguments (no tuple built, no star call), and a slice
used as an index is written as `x[a:b]`.  Stacklang's recursive fib is all calls (its argument
slices are folded away since the sink pass follows pushes through `len`/slices)."""

import os

import metatrace
from examples.stacklang.parse import parse
from metatrace import jit_merge_point
from metatrace.testing import compiled_traces, load_module, reset

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INTERP = os.path.join(ROOT, "examples", "stacklang", "interp.py")
plain = load_module(INTERP, "examples.stacklang.interp_glue_plain", jit=False)
jitted = load_module(INTERP, "examples.stacklang.interp_glue_jitted", jit=True)

FIB = parse(open(os.path.join(ROOT, "examples", "stacklang", "programs", "fib.sl")).read(), "fib")


def run_fib(n_runs=3):
    out_p, out_j = [], []
    expected = plain.run_program(FIB, out_p)
    for _ in range(n_runs):
        del out_j[:]
        assert jitted.run_program(FIB, out_j) == expected
        assert out_j == out_p
    return jitted.run.jitdriver


def setup_function(_):
    drv = jitted.run.jitdriver
    reset(jitted.run)
    drv.set_param("backend", "python")


def caller_trees(drv):
    return [t for t in drv.runtime.trees.values() if "_ct = " in t.source]


def test_callee_entered_through_its_cell_with_arguments():
    drv = run_fib()
    st = drv.stats()
    assert st["loops"] >= 1 and st["bridges"] >= 1, st
    trees = caller_trees(drv)
    assert trees, "no tree calls another through call_assembler"
    for tree in trees:
        lines = [line.strip() for line in tree.source.splitlines()]
        for i, line in enumerate(lines):
            if line.startswith("_ct = ") and line != "_ct = _cn":
                # the cell, not a lookup in the trees' dict
                assert line.endswith("[0]") and ".get(" not in line, line
            if line == "_cf, _cx = _ct.code" and lines[i + 1].startswith("_cr = _cf("):
                # the first call passes the reds as arguments; only a jump onwards unpacks
                assert lines[i + 1] == "_cr = _cf(*_cr[1:])" or "*" not in lines[i + 1], lines[i + 1]
        assert any(line.startswith("_cr = _cf(") and "*" not in line for line in lines)
        # stacklang's `args = stack[len(stack) - n:]; del stack[len(stack) - n:]` takes back the
        # pushes of the arguments: folded away (the sink pass), no slice is built anywhere
        assert "_slice(" not in tree.source and ":None:None]" not in tree.source


def test_a_slice_used_as_an_index_is_syntax():
    @metatrace.jit(greens=["pc"], reds=["i", "n", "data", "acc"], name="glue_slice_syntax")
    def tails(n, data):
        pc = 0
        i = 0
        acc = 0
        while True:
            jit_merge_point(pc=pc, i=i, n=n, data=data, acc=acc)
            if i >= n:
                return acc
            acc += len(data[len(data) - 2:]) + i
            i += 1

    reset(tails)
    tails.jitdriver.set_param("threshold", 3)
    tails.jitdriver.set_param("backend", "python")
    assert tails(100, [1, 2, 3]) == tails.__wrapped__(100, [1, 2, 3])
    trees = list(tails.jitdriver.runtime.trees.values())
    assert trees
    source = "".join(t.source for t in trees)
    # `data[len(data) - 2:]`: slice syntax, the slice object built only on failure paths
    assert ":None:None]" in source or ":]" in source, source
    lines = [line.strip() for line in source.splitlines()]
    assert all(line.startswith("return ") for line in lines if "_slice(" in line)


def test_cells_follow_trees_as_they_go():
    drv = run_fib()
    ws = drv.runtime
    assert ws.cells, "compiled code bound no cell"
    for key, cell in ws.cells.items():
        assert cell[0] is ws.trees.get(key)
    # a callee whose tree is dropped: its callers go the slow way, and the answers stay
    for key in list(ws.cells):
        tree = ws.trees.get(key)
        if tree is not None:
            ws.tree_invalidated(tree, "test: dropped")
            assert ws.cells[key][0] is None
    run_fib(2)
    for key, cell in ws.cells.items():
        assert cell[0] is ws.trees.get(key)


CALLS = parse(open(os.path.join(ROOT, "examples", "stacklang", "programs", "calls.sl")).read(), "calls")


def test_a_bridge_out_of_an_inlined_call_knows_the_frame_its_exit_allocated():
    # calls.sl with inlining=1: clamp() is inlined; its guards (v < lo, v > hi) fail often and
    # get bridges.  The callee's Frame and its lists are virtual in the loop: the exit allocates
    # them, and the bridge starts knowing their classes, attributes and items (no class guard,
    # no read of frame.locals, lo and hi are the constants 100 and 900)
    drv = jitted.run.jitdriver
    bridges = _run_calls(1, "bridge")
    assert bridges, drv.stats()
    for b in bridges:
        texts = [repr(op) for op in b.ops]
        assert not any(op.name == "getfield" and op.descr == "locals" and op.args[0] in b.inputargs
                       for op in b.ops), texts
        assert not any(op.name == "guard_class" and op.args[0] in b.inputargs
                       and getattr(op.args[1], "value", None) is jitted.Frame for op in b.ops), texts
    consts = {a.value for b in bridges for op in b.ops for a in op.args
              if type(getattr(a, "value", None)) is int}
    assert 100 in consts and 900 in consts, consts


def _run_calls(inlining, kind=None):
    """calls.sl twice with the JIT at ``inlining`` (same answers as the plain interpreter);
    the compiled traces (of ``kind``)."""
    drv = jitted.run.jitdriver
    before = drv.params["inlining"]
    drv.set_param("inlining", inlining)
    try:
        out_p, out_j = [], []
        expected = plain.run_program(CALLS, out_p)
        for _ in range(2):
            del out_j[:]
            assert jitted.run_program(CALLS, out_j) == expected and out_j == out_p
        return compiled_traces(jitted.run, kind)
    finally:
        drv.set_param("inlining", before)


def _calls_shapes(inlining):
    return [[op.name for op in t.ops] for t in _run_calls(inlining)]


def test_a_hot_loop_calling_small_functions_has_no_call_and_no_frame_left():
    # the stacklang portal declares params={"inlining": 1}: calls.sl's loop calls square,
    # clamp and inc, all traced into; no trace calls compiled code or allocates a Frame or
    # its lists (the callee frames are virtual and never built)
    assert jitted.run.jitdriver.own_params == {"inlining": 1}
    traces = _calls_shapes(1)
    assert traces
    for names in traces:
        assert "call_assembler" not in names, names
        assert "new" not in names and "new_list" not in names, names
    # with calls made (inlining=0) each one builds the callee's Frame and enters its tree
    reset(jitted.run)
    called = _calls_shapes(0)
    assert any("call_assembler" in names and "new" in names for names in called), called


def test_the_caller_does_not_read_its_frame_lists_again_after_a_call():
    # Frame declares stack/locals/handlers immutable (the lists are never replaced): after the
    # call_assembler of fib(n - 1) the caller goes on with the lists it has
    drv = run_fib()
    traces = compiled_traces(jitted.run)
    assert any(op.name == "call_assembler" for t in traces for op in t.ops), drv.stats()
    for t in traces:
        for field in ("stack", "locals"):
            reads = [op for op in t.ops if op.name == "getfield" and op.descr == field
                     and op.args[0] in t.inputargs]
            assert len(reads) <= 1, [repr(op) for op in t.ops]


def test_a_jump_to_another_tree_carries_that_key_s_cell():
    # run_compiled goes from a tree's jump exit to the next tree through the target key's cell
    # (no dict lookup hashing the key tuple per jump); the cell follows the trees as they go
    from metatrace.backend.pygen import JumpExit

    _run_calls(1)
    drv = jitted.run.jitdriver
    ws = drv.runtime
    jumps = [e for t in ws.trees.values() for e in t.exits if isinstance(e, JumpExit)]
    assert jumps, drv.stats()
    for e in jumps:
        assert e.cell is ws.cells[e.target_key]
        assert e.cell[0] is ws.trees.get(e.target_key)
