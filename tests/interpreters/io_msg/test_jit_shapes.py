"""What the JIT makes of Io loops, read from the trace log (`--jit-log`), with the answers
checked JIT on and off: a primitive that evaluates its (lazy) arguments itself is traced into,
so the argument expression is compiled with the loop instead of interpreted by a residual call."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any, Dict, List

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))

APPEND = """\
l := list()
for(i, 1, 3000, l append(i * 2, i + 1))
s := 0
l foreach(v, s = s + v)
s println
"""


def run_logged(tmp_path, source: str, params: str = "") -> Dict[str, Any]:
    path = tmp_path / "prog.io"
    path.write_text(source)
    logfile = str(tmp_path / "log.json")
    outs = []
    for extra, env in (([], {"METATRACE": "off"}),
                       (["--jit-log", logfile], {"METATRACE_PARAMS": "threshold=3,trace_eagerness=2" + params})):
        e = dict(os.environ, PYTHONPATH=ROOT)
        e.pop("METATRACE", None)
        e.pop("METATRACE_PARAMS", None)
        e.update(env)
        p = subprocess.run([sys.executable, "-m", "interpreters.io_msg"] + extra + [str(path)],
                           cwd=ROOT, env=e, capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr
        outs.append(p.stdout)
    assert outs[0] == outs[1]
    with open(logfile) as f:
        return json.load(f)


def loop_ops(log: Dict[str, Any], location_part: str) -> List[Dict[str, Any]]:
    out = []
    for t in log["traces"]:
        if t["kind"] == "loop" and location_part in t["location"]:
            out.extend(t["ops"])
    return out


def test_append_arguments_are_compiled_with_the_loop(tmp_path) -> None:
    log = run_logged(tmp_path, APPEND)
    ops = loop_ops(log, "for(i)")
    assert ops, [t["location"] for t in log["traces"]]
    texts = [op["text"] for op in ops]
    # `i * 2` and `i + 1` are float ops of the trace; no residual call runs the primitive
    assert any(op["op"] == "float_mul" for op in ops), texts
    assert not any(op["op"] == "call" and "list_append" in op["text"] for op in ops), texts


SLOTS = """\
Point := Object clone do(
    x := 0; y := 0
    moveBy := method(dx, dy, x = x + dx; y = y + dy; self)
)
p := Point clone
for(i, 1, 3000, p moveBy(1, 2))
(p x + p y) println
"""


def test_assignment_in_a_method_looks_up_no_table_at_run_time(tmp_path) -> None:
    # `x = x + dx` inside a method is sent to the method's Locals: the updateSlot primitive is
    # found in a table that is constant in the trace (locals_prim is elidable), so no residual
    # dict lookup is left in any compiled trace
    log = run_logged(tmp_path, SLOTS)
    ops = [op for t in log["traces"] for op in t["ops"]]
    assert any(op["op"] == "float_add" for op in ops)
    gets = [op["text"] for op in ops if op["op"] == "call" and "$get" in op["text"]]
    assert not gets, gets


def proto_slot_reads(ops: List[Dict[str, Any]]) -> List[str]:
    """Reads of the slot list of a constant object (a proto found through the protos)."""
    return [op["text"] for op in ops
            if op["op"] == "getfield" and "descr=slots" in op["text"] and "getfield($" in op["text"]]


def test_methods_found_through_protos_are_constants(tmp_path) -> None:
    # `p moveBy(1, 2)` finds moveBy in Point, p's proto: the slot's value is folded (the proto
    # values version is quasi-immutable), so the loop reads no slot list of a proto
    log = run_logged(tmp_path, SLOTS, ",inlining=0")
    ops = loop_ops(log, "for(i)")
    assert ops, [t["location"] for t in log["traces"]]
    assert any(op["op"] == "call_assembler" for op in ops)  # the method is still called
    assert not proto_slot_reads(ops), proto_slot_reads(ops)


def test_a_loop_sending_a_small_method_has_its_body_and_no_activation(tmp_path) -> None:
    # by default (evaluator.JIT_PARAMS: inlining=1) the method is traced into: the loop's own
    # trace does `x = x + dx; y = y + dy`, with no call of compiled code and no Locals object
    # (the activation) nor its slot list allocated.  (The Numbers stored into p's slots and
    # the loop counter's are still allocated: they escape into the heap.)
    log = run_logged(tmp_path, SLOTS)
    ops = loop_ops(log, "for(i)")
    assert ops, [t["location"] for t in log["traces"]]
    names = [op["op"] for op in ops]
    assert "call_assembler" not in names, names
    assert names.count("float_add") >= 2, names
    news = [op["text"] for op in ops if op["op"] in ("new", "new_list")]
    assert news and all("descr=$IoNumber" in t for t in news), news
    off = loop_ops(run_logged(tmp_path, SLOTS, ",inlining=0"), "for(i)")
    assert any("descr=$IoLocals" in op["text"] for op in off if op["op"] == "new")
    assert not proto_slot_reads(ops), proto_slot_reads(ops)


REDEFINE = """\
Point := Object clone do(
    x := 0
    step := method(x = x + 1)
)
p := Point clone
for(i, 1, 3000,
    p step
    if(i == 1500, Point step := method(x = x + 10)))
p x println
"""


def test_redefining_a_proto_method_in_a_hot_loop(tmp_path) -> None:
    # the loop compiled with `step` folded runs the new method from the next iteration on
    # (same answer as the interpreter: 1500 + 15000), and the folded code was dropped
    log = run_logged(tmp_path, REDEFINE)
    assert any("for(i)" in t["location"] for t in log["traces"] if t["kind"] == "loop")
    assert log["invalidations"], "no compiled code depended on the proto's slot values"


COUNTER = """\
Counter := Object clone do(
    n := 0
    bump := method(Counter n = Counter n + 1)
)
c := Counter clone
for(i, 1, 3000, c bump)
Counter n println
"""


def test_a_proto_written_in_a_loop_stops_invalidating(tmp_path) -> None:
    # Counter is a proto (c is its clone) whose slot is written every iteration: after a few
    # writes it is read plainly and writing it drops no code, so the loop keeps its trace
    # (without that, every write dropped the loop's code and it ended up never compiled).
    # With bump called through call_assembler, its tree is entered once an iteration
    log = run_logged(tmp_path, COUNTER, ",inlining=0")
    assert len(log["invalidations"]) <= 4, len(log["invalidations"])
    assert log["stats"]["loop_entries"] >= 1000, log["stats"]


def test_a_proto_written_by_an_inlined_method_stops_invalidating(tmp_path) -> None:
    # the same with bump traced into the loop (the default): the write is in the loop's own
    # trace; the loop is compiled, keeps its code, and leaves it only a few times.  A bridge
    # back to the loop, compiled on its own, is called by the loop's code and jumps back
    # through the warm state (an entry each) until it has run SEPARATE_BRIDGE_RUNS times and
    # the tree nests it; then one entry runs the rest of the 3000 iterations
    from metatrace.tracer.warmstate import SEPARATE_BRIDGE_RUNS

    log = run_logged(tmp_path, COUNTER)
    assert len(log["invalidations"]) <= 4, len(log["invalidations"])
    loops = [t for t in log["traces"] if t["kind"] == "loop" and "for(i)" in t["location"]]
    assert loops and not any(t.get("invalidated") for t in loops), [t.get("invalidated") for t in loops]
    assert not any(op["op"] == "call_assembler" for t in loops for op in t["ops"])
    st = log["stats"]
    assert 1 <= st["loop_entries"] <= 10 + SEPARATE_BRIDGE_RUNS and st["guard_failures"] <= 10, st
    assert st["loop_entries"] < 3000 - SEPARATE_BRIDGE_RUNS, st


FIB = """\
fib := method(n, if(n < 2, n, fib(n - 1) + fib(n - 2)))
fib(16) println
"""


def test_number_literals_and_activation_fields_are_constants(tmp_path) -> None:
    # IoNumber.value and what an activation (IoLocals) was made with are immutable: `n < 2`
    # compares with the float 2.0 itself, not with a field read of the literal's object
    log = run_logged(tmp_path, FIB)
    ops = [op for t in log["traces"] for op in t["ops"]]
    assert any(op["op"] == "call_assembler" for op in ops), [t["location"] for t in log["traces"]]
    texts = [op["text"] for op in ops]
    assert any(op["op"] == "float_lt" and "2.0" in op["text"] for op in ops), texts
    assert not any(op["op"] == "getfield" and "$IoNumber" in op["text"] and "value" in op["text"]
                   for op in ops), texts


def test_a_method_writing_slots_reads_its_receiver_once(tmp_path) -> None:
    # x = x + dx; y = y + dy: the new Number written to `x` is none of the objects read
    # before it, so the receiver's map and slots are not read again after that write; and a
    # block's `activatable` is a constant (quasi-immutable)
    log = run_logged(tmp_path, SLOTS)
    traces = [t for t in log["traces"] if "updateSlot" in t["location"]]
    assert traces, [t["location"] for t in log["traces"]]
    for t in traces:
        texts = [op["text"] for op in t["ops"]]
        maps = [op for op in t["ops"] if op["op"] == "getfield" and op.get("descr") == "map"]
        assert maps, texts
        assert len(maps) == len({op["args"][0] for op in maps}), texts  # each object's map once
    every = [op["text"] for t in log["traces"] for op in t["ops"]]
    assert not any("descr=activatable" in t for t in every), every
