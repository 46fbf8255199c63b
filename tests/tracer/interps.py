"""Small interpreters used by the whole-JIT tests (a real file: the JIT reads its source)."""

import metatrace
from metatrace import jit_merge_point


class Frame:
    def __init__(self, n):
        self.acc = 0
        self.n = n
        self.log = []


def loc(pc, code):
    return "%d: %s" % (pc, code[pc][0])


@metatrace.jit(greens=["pc", "code"], reds=["frame"], get_printable_location=loc, name="tiny")
def tiny(code, frame):
    """ops: add K, dec, jnz T, flip K T (jump to T while n > K), log, div K, ret."""
    pc = 0
    while True:
        jit_merge_point(pc=pc, code=code, frame=frame)
        op, arg = code[pc]
        pc += 1
        if op == "add":
            frame.acc = frame.acc + arg
        elif op == "dec":
            frame.n = frame.n - 1
        elif op == "jnz":
            if frame.n != 0:
                pc = arg
        elif op == "flip":
            if frame.n > arg[0]:
                frame.acc += 7
            else:
                frame.acc -= 1
        elif op == "log":
            frame.log.append(frame.acc)
        elif op == "div":
            try:
                frame.acc = frame.acc + 1000 // (frame.n % arg)
            except ZeroDivisionError:
                frame.log.append(-frame.n)
        elif op == "raise":
            if frame.n % arg == 0:
                raise ValueError(frame.n)
        elif op == "call":
            frame.acc += tiny(arg, Frame(2))
        elif op == "ret":
            return frame.acc


LOOP = (("add", 3), ("dec", 0), ("jnz", 0), ("ret", 0))
FLIP = (("flip", (500, 0)), ("dec", 0), ("jnz", 0), ("ret", 0))
LOG = (("add", 1), ("log", 0), ("dec", 0), ("jnz", 0), ("ret", 0))
DIV = (("div", 5), ("dec", 0), ("jnz", 0), ("ret", 0))
RAISE = (("add", 1), ("raise", 777), ("dec", 0), ("jnz", 0), ("ret", 0))
INNER = (("add", 5), ("dec", 0), ("jnz", 0), ("ret", 0))
CALL = (("call", INNER), ("dec", 0), ("jnz", 0), ("ret", 0))


def run_plain(code, n):
    frame = Frame(n)
    try:
        result = tiny.__wrapped__(code, frame)
    except ValueError as e:
        result = ("raised", e.args)
    return result, frame.acc, frame.n, frame.log


def run_jit(code, n):
    frame = Frame(n)
    try:
        result = tiny(code, frame)
    except ValueError as e:
        result = ("raised", e.args)
    return result, frame.acc, frame.n, frame.log


class Consts:
    _immutable_ = True

    def __init__(self, step):
        self.step = step


STEP = Consts(3)
ENTER_ALLOWED = [True]


def allow_entry(pc, code, frame):
    return ENTER_ALLOWED[0]


@metatrace.jit(greens=["pc", "code"], reds=["frame"], get_printable_location=loc,
               confirm_enter_jit=allow_entry, name="tiny_cej")
def tiny_cej(code, frame):
    """Like tiny, but loops are entered only at can_enter_jit (the backward jump)."""
    pc = 0
    while True:
        jit_merge_point(pc=pc, code=code, frame=frame)
        op, arg = code[pc]
        pc += 1
        if op == "add":
            frame.acc = frame.acc + STEP.step
        elif op == "dec":
            frame.n = frame.n - 1
        elif op == "jnz":
            if frame.n != 0:
                pc = arg
                metatrace.can_enter_jit(pc=pc, code=code, frame=frame)
        elif op == "ret":
            return frame.acc
