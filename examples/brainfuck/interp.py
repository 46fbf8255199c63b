"""The Brainfuck interpreter, with JIT hints.

The tape is a ``bytearray`` (cells are bytes, so ``+``/``-`` wrap mod 256 by ``& 255``) and the
data pointer an int index into it.  The program is a green: the JIT traces one Brainfuck loop
(from a ``]`` back to its body) into one compiled loop, with every operation's opcode and operand
folded to a constant.

Plain Python: with METATRACE=off, on PyPy or on Python 3.9 the hints do nothing.
"""

from __future__ import annotations

import metatrace
from metatrace import can_enter_jit, jit_merge_point

from .parse import ADD, HALT, IN, JNZ, JZ, MOVE, OUT, Program

DEFAULT_TAPE_SIZE = 30000


class TapeError(Exception):
    """The data pointer left the tape (Brainfuck itself has no such error: the tape is finite)."""

    def __init__(self, program: Program, pc: int, ptr: int, size: int) -> None:
        line, col = program.where[pc]
        side = "left of cell 0" if ptr < 0 else "past the last cell (%d)" % (size - 1)
        Exception.__init__(self, "%s:%d:%d: the data pointer moved %s (to %d); give a larger "
                                 "--tape-size or check the program's '<' and '>'"
                           % (program.filename, line, col, side, ptr))


def get_location(pc: int, program: Program) -> str:
    return program.describe(pc)


@metatrace.jit(greens=["pc", "program"], reds=["tape", "ptr", "out", "inp", "inpos"],
               get_printable_location=get_location, name="brainfuck")
def run(program: Program, tape: bytearray, out: bytearray, inp: bytes) -> int:
    """Run ``program`` on ``tape`` from cell 0.  Output bytes are appended to ``out``; ``,``
    reads from ``inp`` and stores 0 once it is used up.  Returns the data pointer at the end."""
    pc = 0
    ptr = 0
    inpos = 0
    while True:
        jit_merge_point(pc=pc, program=program, tape=tape, ptr=ptr, out=out, inp=inp,
                        inpos=inpos)
        op = program.ops[pc]
        if op == ADD:
            tape[ptr] = (tape[ptr] + program.args[pc]) & 255
        elif op == MOVE:
            ptr += program.args[pc]
            if ptr < 0 or ptr >= len(tape):
                raise TapeError(program, pc, ptr, len(tape))
        elif op == JZ:
            if tape[ptr] == 0:
                pc = program.args[pc]
                continue
        elif op == JNZ:
            if tape[ptr] != 0:
                # the back edge of a Brainfuck loop: the only place the JIT starts traces
                pc = program.args[pc]
                can_enter_jit(pc=pc, program=program, tape=tape, ptr=ptr, out=out, inp=inp,
                              inpos=inpos)
                continue
        elif op == OUT:
            out.append(tape[ptr])
        elif op == IN:
            if inpos < len(inp):
                tape[ptr] = inp[inpos]
                inpos += 1
            else:
                tape[ptr] = 0
        elif op == HALT:
            return ptr
        pc += 1


def run_program(program: Program, inp: bytes = b"", tape_size: int = DEFAULT_TAPE_SIZE) -> bytes:
    """Run ``program`` on a fresh zeroed tape; returns what it printed."""
    tape = bytearray(tape_size)
    out = bytearray()
    run(program, tape, out, inp)
    return bytes(out)
