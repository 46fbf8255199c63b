"""Loops over a bytearray (a Brainfuck tape, a VM's byte memory): a byte read at an int index
is an int, runs no Python code and keeps the heap cache; setting a byte at an int index does
not resize the array, so the loop computes its len once, in the preamble.  Out-of-range
values and indices still raise where the plain interpreter raises."""

import metatrace
from metatrace import jit_merge_point
from metatrace.testing import compiled_traces, reset


class Machine:
    def __init__(self, size):
        self.tape = bytearray(size)
        self.errors = 0


@metatrace.jit(greens=["pc"], reds=["i", "n", "m", "tape"], name="bytearray_test")
def run(m, n):
    pc = 0
    i = 0
    tape = m.tape
    while True:
        jit_merge_point(pc=pc, i=i, n=n, m=m, tape=tape)
        if i >= n:
            return sum(tape)
        j = i % len(tape)
        v = tape[j] + i % 7
        try:
            tape[j] = v  # ValueError when v > 255: the plain interpreter counts it too
        except ValueError:
            m.errors += 1
            tape[j] = v & 255
        if i % 13 == 0:
            try:
                tape[len(tape) + 1] = 0  # IndexError, every 13th step
            except IndexError:
                m.errors += 1
        i += 1


def plain(size, n):
    m = Machine(size)
    return run.__wrapped__(m, n), m.errors, bytes(m.tape)


def test_same_answers_and_the_loop_does_not_check_bytes():
    drv = run.jitdriver
    reset(run)
    drv.set_param("threshold", 3)
    drv.set_param("trace_eagerness", 3)
    drv.set_param("backend", "python")
    for size, n in ((16, 400), (64, 3000)):
        m = Machine(size)
        got = (run(m, n), m.errors, bytes(m.tape))
        assert got == plain(size, n)
        assert m.errors > 0
    loops = compiled_traces(run, "loop")
    assert loops, drv.stats()
    body = []
    for t in loops:
        labels = [k for k, op in enumerate(t.ops) if op.name == "label"]
        assert len(labels) >= 2, "no loop proper: %s" % [op.name for op in t.ops]
        body += t.ops[labels[-1] + 1:]
    reads = [op for op in body if op.name == "getitem"]
    assert reads
    # a byte is an int: no class guard on what getitem gives; len(tape) is in the preamble
    assert not any(op.name == "guard_class" and op.args[0] in reads for op in body)
    assert not any(op.name == "len" for op in body), [op.name for op in body]


@metatrace.jit(greens=["pc"], reds=["i", "n", "regs", "tape"], name="bytearray_and_list")
def step(n, regs, tape):
    pc = 0
    i = 0
    while True:
        jit_merge_point(pc=pc, i=i, n=n, regs=regs, tape=tape)
        if i >= n:
            return bytes(tape)
        k = regs[1]  # a register the loop only reads
        tape[i % 16] = (tape[i % 16] + k) & 255
        i += 1


def test_writing_a_bytearray_leaves_a_list_read_invariant():
    # a list and a bytearray are never the same object: the byte write cannot change regs[1],
    # so the loop reads it once, in the preamble
    reset(step)
    step.jitdriver.set_param("threshold", 3)
    step.jitdriver.set_param("backend", "python")
    assert step(500, [0, 7], bytearray(16)) == step.__wrapped__(500, [0, 7], bytearray(16))
    loops = compiled_traces(step, "loop")
    assert loops, step.jitdriver.stats()
    for t in loops:
        labels = [k for k, op in enumerate(t.ops) if op.name == "label"]
        proper = t.ops[labels[-1]:]
        reads = [op for op in proper if op.name == "getitem"]
        assert len(reads) == 1, [repr(op) for op in proper]  # the tape's byte, not regs[1]
