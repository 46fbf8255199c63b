"""A register machine with two byte memories, for tier-2 buffer tests (a real file: the JIT
reads it).

``code`` is a tuple of ``(op, a, b, c)``; registers live in ``frame.regs`` (a list, carried in
loop variables by the loop pass); ``mem`` and ``mem2`` are bytearrays (possibly the same object)
passed through every iteration unchanged.  ``load``/``store`` index ``mem`` with a register plus
a constant, exactly as Python does: negative indices count from the end, out-of-range ones raise
IndexError, a stored value outside 0..255 raises ValueError.
"""

import metatrace
from metatrace import jit_merge_point


class Frame:
    def __init__(self, regs):
        self.regs = list(regs)


def loc(pc, code):
    return "%d: %s" % (pc, code[pc][0])


@metatrace.jit(greens=["pc", "code"], reds=["frame", "mem", "mem2"], get_printable_location=loc,
               name="bytevm")
def run(code, frame, mem, mem2):
    pc = 0
    while True:
        jit_merge_point(pc=pc, code=code, frame=frame, mem=mem, mem2=mem2)
        op, a, b, c = code[pc]
        regs = frame.regs
        pc += 1
        if op == "load":  # regs[a] = mem[regs[b] + c]
            regs[a] = mem[regs[b] + c]
        elif op == "store":  # mem[regs[b] + c] = regs[a]
            mem[regs[b] + c] = regs[a]
        elif op == "load2":
            regs[a] = mem2[regs[b] + c]
        elif op == "store2":
            mem2[regs[b] + c] = regs[a]
        elif op == "len":
            regs[a] = len(mem)
        elif op == "append":  # resizes mem: a call the kernel cannot make
            mem.append(regs[a] & 255)
        elif op == "add":
            regs[a] = regs[b] + regs[c]
        elif op == "addk":
            regs[a] = regs[b] + c
        elif op == "andk":
            regs[a] = regs[b] & c
        elif op == "modk":
            regs[a] = regs[b] % c
        elif op == "lt":
            regs[a] = regs[b] < regs[c]
        elif op == "skiplt":  # skip the next instruction when regs[b] < c
            if regs[b] < c:
                pc += 1
        elif op == "skipeq":  # skip the next instruction when regs[b] == c
            if regs[b] == c:
                pc += 1
        elif op == "loop":  # count register a down; jump to b while it is not zero
            regs[a] = regs[a] - 1
            if regs[a] != 0:
                pc = b
        elif op == "ret":
            return regs[a]


def execute(code, regs, mem, mem2=None, jit=True):
    """(result or exception, registers, both memories) -- what must agree.  ``mem2`` None: a
    second bytearray of its own; ``"same"``: the same object as ``mem``."""
    mem = bytearray(mem)
    if mem2 == "same":
        mem2 = mem
    else:
        mem2 = bytearray(mem2 if mem2 is not None else 16)
    frame = Frame(regs)
    try:
        result = ("ok", (run if jit else run.__wrapped__)(code, frame, mem, mem2))
    except Exception as e:
        result = ("raised", type(e).__name__, str(e))
    return result, [(type(v).__name__, v) for v in frame.regs], bytes(mem), bytes(mem2)
