"""A stack machine whose frame fields (sp, the stack list) are written by every instruction:
the optimizer keeps those writes pending, and every guard's exit must do them."""

import metatrace
from metatrace import jit_merge_point, promote

PUSH, ADD, DUP, JNZ, DEC, POP, SWAP, HALT = range(8)


class Frame:
    def __init__(self, size):
        self.stack = [None] * size
        self.sp = -1


class Box:
    def __init__(self, v):
        self.v = v


@metatrace.jit(greens=["pc", "code"], reds=["frame"])
def run(code, frame):
    pc = 0
    while True:
        jit_merge_point(pc=pc, code=code, frame=frame)
        promote(frame.sp)
        op, arg = code[pc]
        pc += 1
        sp = frame.sp
        if op == PUSH:
            frame.stack[sp + 1] = Box(arg)
            frame.sp = sp + 1
        elif op == ADD:
            b = frame.stack[sp]
            a = frame.stack[sp - 1]
            frame.stack[sp] = None
            frame.stack[sp - 1] = Box(a.v + b.v)
            frame.sp = sp - 1
        elif op == DUP:
            frame.stack[sp + 1] = frame.stack[sp]
            frame.sp = sp + 1
        elif op == SWAP:
            frame.stack[sp], frame.stack[sp - 1] = frame.stack[sp - 1], frame.stack[sp]
        elif op == POP:
            frame.stack[sp] = None
            frame.sp = sp - 1
        elif op == DEC:
            frame.stack[sp] = Box(frame.stack[sp].v - 1)
        elif op == JNZ:
            v = frame.stack[sp].v
            if v % 7 == 3:
                pc = arg[1]      # a rare branch: its guard exits with the stores pending
            elif v != 0:
                pc = arg[0]
        elif op == HALT:
            return frame


# counter n; acc: loop { acc += n; n -= 1 } until n == 0 (with a side exit when n % 7 == 3)
PROGRAM = ((PUSH, 0), (PUSH, 60),                               # acc n
           (SWAP, 0), (PUSH, 0), (ADD, 0), (SWAP, 0),           # 2: (acc + 0) n  (the loop head)
           (DUP, 0), (SWAP, 0), (POP, 0),                        # 6: a stack shuffle
           (DEC, 0), (JNZ, (2, 6)), (HALT, 0))


def dump(frame):
    return frame.sp, [None if b is None else b.v for b in frame.stack]
