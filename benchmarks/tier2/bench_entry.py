"""What entering a tier-2 kernel costs from tier-1 code, per entry.

    python benchmarks/tier2/bench_entry.py [--fast]

A Brainfuck-shaped loop (``ptr += 1`` while ``tape[ptr] != 0``) over a bytearray, entered
where its first iteration already leaves (the cell is 0), so each call is all overhead: the
entry's class and identity checks, Numba's unboxing of the ints and of the buffer, the
result tuple.  ``loop_kernel`` is the kernel of one loop proper (numba_tier.Kernel; its tier-1
caller passes the values the loop reads), ``nest_kernel`` the same loop as a loop-nest kernel
(numba_region.RegionKernel; its caller passes the tree's reds: tape, ptr, output, input,
input position), ``raw_call`` the compiled kernel alone with the loop kernel's arguments.
"""

from __future__ import annotations

import os
import sys

import pyperf

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

LOOP = """
[r0, i1, r2, r3, i4]
label(r0, i1, r2, r3, i4)
guard_class(r0, $bytearray)
i5 = len(r0)
label(r0, i1, r2, r3, i4)
i6 = int_add(i1, 1)
i7 = int_lt(i6, 0)
guard_false(i7) [r0, i6]
i8 = int_ge(i6, i5)
guard_false(i8) [r0, i6]
i9 = getitem(r0, i6)
i10 = int_ne(i9, 0)
guard_true(i10) [r0, i6]
jump(r0, i6, r2, r3, i4, descr='loop')
"""


class _Root:
    def __init__(self, trace):
        self.ops = trace.ops
        self.inputargs = trace.inputargs


class _Tree:
    """What a region needs of a tree (warmstate.Tree): its root trace, key and guards."""

    def __init__(self, trace):
        self.root = _Root(trace)
        self.key = "loop"
        self.id = 1
        self.guard_descrs = {}
        self.invalid = False


def entries():
    from metatrace.backend import numba_region, numba_tier
    from metatrace.ir.text import parse_trace

    trace = parse_trace(LOOP, {"bytearray": bytearray})
    plan = numba_tier.plan_inner_loop(trace.ops)
    loop = numba_tier.Kernel(plan, [int, int, bytearray], [0, 0])
    tree = _Tree(trace)
    shape = numba_region.shape_of(tree)
    assert not isinstance(shape, str), shape
    classes = [bytearray, int, bytearray, bytes, int]
    region = numba_region.RegionKernel([shape], classes, [0, 1, 2, 3, 4])
    nest = region.enter_for(tree, [0, 0])
    raw = loop.enter.__globals__["_kernel"]
    return loop.enter, nest, raw


def main():
    runner = pyperf.Runner()
    loop, nest, raw = entries()
    tape, out = bytearray(1000), bytearray()
    assert loop(5, 1000, tape) is None and nest(tape, 5, out, b"", 0) is None

    def time_loop(n):
        t0 = pyperf.perf_counter()
        for _ in range(n):
            loop(5, 1000, tape)
        return pyperf.perf_counter() - t0

    def time_nest(n):
        t0 = pyperf.perf_counter()
        for _ in range(n):
            nest(tape, 5, out, b"", 0)
        return pyperf.perf_counter() - t0

    def time_raw(n):
        t0 = pyperf.perf_counter()
        for _ in range(n):
            raw(5, 1000, tape)
        return pyperf.perf_counter() - t0

    runner.bench_time_func("loop_kernel_entry", time_loop)
    runner.bench_time_func("nest_kernel_entry", time_nest)
    runner.bench_time_func("raw_kernel_call", time_raw)


if __name__ == "__main__":
    main()
