"""What the JIT makes of SOM loops, read from the trace log (`--jit-log`): the loop proper of a
float loop that sends `not` each iteration keeps no frame, no operand stack and no boxed test,
and is numbers only (so tier 2 can take it); a sieve's inner loop is one store.  The answers
are checked too, JIT on and off."""

from __future__ import annotations

import json
import os
import textwrap
from typing import Any, Dict, List

from .conftest import run_som

LOOP = """\
    Loop = (
        run = (
            | zr zi i escaped count |
            count := 0.
            1 to: 200 do: [ :k |
                zr := 0.0. zi := 0.0. i := 0. escaped := false.
                [ escaped not and: [ i < 300 ] ] whileTrue: [
                    | t |
                    t := zr * zr - (zi * zi) + (k // 1000.0).
                    zi := 2.0 * zr * zi + 0.25.
                    zr := t.
                    (zr * zr + (zi * zi)) > 4.0 ifTrue: [ escaped := true ].
                    i := i + 1 ].
                count := count + i ].
            count println
        )
    )"""


SIEVE = """\
    Sieve = (
        run = (
            | flags count |
            count := 0.
            1 to: 20 do: [ :n |
                flags := Array new: 3000 withAll: true.
                2 to: 3000 do: [ :i |
                    (flags at: i) ifTrue: [
                        count := count + 1.
                        i + i to: 3000 by: i do: [ :k | flags at: k put: false ] ] ] ].
            count println
        )
    )"""


def run_logged(tmp_path, name: str, source: str, jit_args: List[str] = ()) -> Dict[str, Any]:
    """Run the program with the JIT off and at tiny thresholds (with ``jit_args``, e.g.
    ``--jit-param``): same output; the trace log."""
    path = os.path.join(str(tmp_path), name + ".som")
    with open(path, "w") as f:
        f.write(textwrap.dedent(source))
    logfile = os.path.join(str(tmp_path), "log.json")
    off = run_som([path], "nojit")
    on = run_som(["--jit-log", logfile] + list(jit_args) + [path], "jit")
    assert off.returncode == 0, off.stderr
    assert on.stdout == off.stdout and on.returncode == 0, on.stderr
    with open(logfile) as f:
        return json.load(f)


def loop_proper(trace: Dict[str, Any]) -> List[str]:
    """The ops after the last label of a compiled loop, without debug_merge_point."""
    names = [op["op"] for op in trace["ops"]]
    last = max([i for i, n in enumerate(names) if n == "label"] or [-1])
    return [n for n in names[last + 1:] if n != "debug_merge_point"]


def loop_propers(log: Dict[str, Any]) -> List[List[str]]:
    return [loop_proper(t) for t in log["traces"] if t["kind"] == "loop"]


def test_float_loop_with_sends_is_numbers_only(tmp_path) -> None:
    log = run_logged(tmp_path, "Loop", LOOP)
    propers = loop_propers(log)
    hot = [p for p in propers if "float_mul" in p]
    assert hot, propers
    for ops in hot:
        # `escaped not` is inlined with its frame and operand stack never built; the conditional
        # jumps on comparisons are one guard each; frame slots live in loop variables
        for name in ("new", "new_list", "getitem", "setitem", "getfield", "setfield", "ptr_eq",
                     "call_assembler"):
            assert name not in ops, (name, ops)
    reasons = [t["tier_reason"] for t in log["traces"]
               if t["kind"] == "loop" and any(op["op"] == "float_mul" for op in t["ops"])]
    assert any("can run in tier 2" in r for r in reasons), reasons


def test_sieve_inner_loop_is_one_store(tmp_path) -> None:
    # to:by:do: with a literal block is inlined; the array's length check is hoisted
    log = run_logged(tmp_path, "Sieve", SIEVE)
    stores = [p for p in loop_propers(log) if "setitem" in p and "int_add" in p]
    assert stores, loop_propers(log)
    for ops in stores:
        assert ops.count("setitem") == 1, ops
        # also no guard on the promoted stack depth: checked once before the loop proper;
        # no `index >= 0` check: implied by the primitive's `1 <= index` test
        for name in ("call_assembler", "len", "getfield", "new", "new_list", "guard_value", "int_ge"):
            assert name not in ops, (name, ops)


NESTED = """\
    Nested = (
        run = (
            | sum |
            sum := 0.
            1 to: 400 do: [ :i |
                1 to: 2 do: [ :j | sum := sum + (i * j) ].
                sum := sum - 1 ].
            sum println
        )
    )"""


def test_inner_loop_trace_is_the_inner_body(tmp_path) -> None:
    # with threshold 3 the first trace at the inner loop's header starts on the iteration
    # that leaves it; it is dropped (left_loop) instead of making the exit path the loop,
    # and the loop compiled there runs the inner body
    log = run_logged(tmp_path, "Nested", NESTED)
    assert any(a["reason"] == "left_loop" for a in log["aborts"]), log["aborts"]
    inner = [t for t in log["traces"] if t["kind"] == "loop" and t["green_key"]
             and "int_mul" in [op["op"] for op in t["ops"]]]
    assert inner
    for t in inner:
        proper = loop_proper(t)
        assert "int_mul" in proper and proper.count("int_add") <= 2, proper
    # the outer loop is compiled too: the inner loop's exit bridge ends at the outer loop's
    # header, and those back edges, taken in compiled code, count toward compiling it
    busy = [t for t in log["traces"] if t["kind"] == "loop" and (t["entries"] or 0) > 100]
    assert len(busy) >= 2, [(t["location"], t["entries"]) for t in log["traces"]]


RECURSION = """\
    Rec = (
        fib: n = ( n < 2 ifTrue: [ ^n ]. ^(self fib: n - 1) + (self fib: n - 2) )
        twice: n = ( ^n + n )
        run = (
            | s |
            s := 0.
            1 to: 400 do: [ :i | s := s + (self fib: 7) + (self twice: i) ].
            s println
        )
    )"""


def test_inlining_follows_calls_but_calls_recursion(tmp_path) -> None:
    # with inlining=1 a send is traced into (`twice:` becomes part of the loop), but a
    # recursive send is not: the copy of `fib:` inlined into the loop calls itself through a
    # call_assembler, and fib:'s own trace does not inline itself (its guards would fail at
    # every level of the recursion)
    log = run_logged(tmp_path, "Rec", RECURSION, ["--jit-param", "inlining=1"])
    entries = [[op for op in t["ops"] if op["op"] == "debug_merge_point"
                and "Rec>>#fib: @0 " in op.get("descr", "")] for t in log["traces"]]
    assert log["traces"] and all(len(e) <= 1 for e in entries), [len(e) for e in entries]
    loop = [t for t in log["traces"] if t["kind"] == "loop" and "#run" in t["location"]]
    assert loop, [t["location"] for t in log["traces"]]
    names = [op["op"] for op in loop[0]["ops"]]
    text = json.dumps(loop[0]["ops"])
    assert "Rec>>#twice: @0" in text and names.count("call_assembler") >= 1


BRANCHY = """\
    Branchy = (
        run = (
            | s |
            s := 0.
            1 to: 3000 do: [ :i |
                (i % 3) = 0
                    ifTrue: [ s := s + (self twice: i) ]
                    ifFalse: [ s := s - 1 ] ].
            s println
        )
        twice: n = ( ^n + n )
    )"""


def test_bridges_know_what_their_guard_knew_of_the_frame(tmp_path) -> None:
    # the frame's stack pointer is a constant at every guard of a loop (promoted, then written
    # with constants); a bridge starts knowing the parent trace's heap there, so it neither
    # reads `sp` again nor guards its value
    log = run_logged(tmp_path, "Branchy", BRANCHY)
    bridges = [t for t in log["traces"] if t["kind"] == "bridge"]
    assert bridges, [t["location"] for t in log["traces"]]
    sp_reads = [op["text"] for t in bridges for op in t["ops"]
                if op["op"] == "getfield" and "descr=sp" in op["text"]]
    assert not sp_reads, sp_reads


FIND = """\
    Find = (
        indexOf: x in: arr = (
            arr doIndexes: [ :i | (arr at: i) = x ifTrue: [ ^ i ] ].
            ^ 0
        )
        run = (
            | arr sum |
            arr := Array new: 40.
            1 to: 40 do: [ :i | arr at: i put: i * 3 ].
            sum := 0.
            1 to: 3000 do: [ :k | sum := sum + (self indexOf: (k % 45) * 3 in: arr) ].
            sum println
        )
    )"""


def test_non_local_return_out_of_a_loop_is_compiled(tmp_path) -> None:
    # `^ i` inside the doIndexes: block leaves the loop of doIndexes: (and of to:do:) by a
    # NonLocalReturn raised through the portal: the traces taking that path end raising it
    # (finish_raise) instead of being given up as `escaped` at every attempt
    log = run_logged(tmp_path, "Find", FIND)
    raising = [t for t in log["traces"] if t["end"] == "raise"]
    assert raising, [(t["kind"], t["end"], t["location"]) for t in log["traces"]]
    for t in raising:
        assert t["ops"][-1]["op"] == "finish_raise", t["ops"][-1]
    assert not [a for a in log["aborts"] if a["reason"] == "escaped"], log["aborts"]
