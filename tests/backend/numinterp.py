"""A register machine over Python numbers, for tier-2 tests (a real file: the JIT reads it).

``code`` is a tuple of ``(op, a, b, c)``; registers live in ``frame.regs`` (a list), so the
loop pass carries them in loop variables and the loop proper is plain arithmetic -- what tier 2
compiles.  Ints are Python ints (they grow past 64 bits), floats are floats, comparisons give
bools; division by zero and friends raise as in Python.
"""

import math

import metatrace
from metatrace import jit_merge_point


class Frame:
    def __init__(self, regs):
        self.regs = list(regs)


def loc(pc, code):
    return "%d: %s" % (pc, code[pc][0])


@metatrace.jit(greens=["pc", "code"], reds=["frame"], get_printable_location=loc, name="numregs")
def run(code, frame):
    pc = 0
    while True:
        jit_merge_point(pc=pc, code=code, frame=frame)
        op, a, b, c = code[pc]
        regs = frame.regs
        pc += 1
        if op == "add":
            regs[a] = regs[b] + regs[c]
        elif op == "addk":
            regs[a] = regs[b] + c
        elif op == "sub":
            regs[a] = regs[b] - regs[c]
        elif op == "mul":
            regs[a] = regs[b] * regs[c]
        elif op == "mulk":
            regs[a] = regs[b] * c
        elif op == "floordiv":
            regs[a] = regs[b] // regs[c]
        elif op == "mod":
            regs[a] = regs[b] % regs[c]
        elif op == "modk":
            regs[a] = regs[b] % c
        elif op == "and":
            regs[a] = regs[b] & regs[c]
        elif op == "xor":
            regs[a] = regs[b] ^ regs[c]
        elif op == "shl":
            regs[a] = regs[b] << c
        elif op == "shr":
            regs[a] = regs[b] >> c
        elif op == "neg":
            regs[a] = -regs[b]
        elif op == "lt":
            regs[a] = regs[b] < regs[c]
        elif op == "eq":
            regs[a] = regs[b] == regs[c]
        elif op == "tofloat":
            regs[a] = float(regs[b])
        elif op == "floor":
            regs[a] = math.floor(regs[b])
        elif op == "sqrt":
            regs[a] = math.sqrt(regs[b])
        elif op == "fdiv":
            regs[a] = regs[b] / regs[c]
        elif op == "fmod":
            regs[a] = math.fmod(regs[b], regs[c])
        elif op == "isinf":
            regs[a] = math.isinf(regs[b])
        elif op == "copy":
            regs[a] = regs[b]
        elif op == "const":
            regs[a] = c
        elif op == "skipif":
            # skip the next instruction when register b is true
            if regs[b]:
                pc += 1
        elif op == "skiplt":
            if regs[b] < c:
                pc += 1
        elif op == "loop":
            # count register a down; jump to b while it is not zero
            regs[a] = regs[a] - 1
            if regs[a] != 0:
                pc = b
        elif op == "ret":
            return regs[a]


def execute(code, regs, jit=True):
    """(result or exception, the registers with their classes) -- what must agree."""
    frame = Frame(regs)
    try:
        result = ("ok", (run if jit else run.__wrapped__)(code, frame))
    except Exception as e:
        result = ("raised", type(e).__name__, str(e))
    return result, [(type(v).__name__, v if v == v else "nan") for v in frame.regs]
