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
        elif op == "scratch":  # a short-lived list: [None] * 3, some items written and read
            s = [None] * 3
            s[0] = frame.acc
            s[-1] = arg
            if frame.n % 97 == 0:
                frame.log.append(s)  # escapes now and then
            frame.acc = s[0] + s[2] + len(s)
        elif op == "ret":
            return frame.acc


LOOP = (("add", 3), ("dec", 0), ("jnz", 0), ("ret", 0))
FLIP = (("flip", (500, 0)), ("dec", 0), ("jnz", 0), ("ret", 0))
LOG = (("add", 1), ("log", 0), ("dec", 0), ("jnz", 0), ("ret", 0))
DIV = (("div", 5), ("dec", 0), ("jnz", 0), ("ret", 0))
RAISE = (("add", 1), ("raise", 777), ("dec", 0), ("jnz", 0), ("ret", 0))
INNER = (("add", 5), ("dec", 0), ("jnz", 0), ("ret", 0))
SCRATCH = (("scratch", 2), ("dec", 0), ("jnz", 0), ("ret", 0))
INNER_LONG = (("add", 5), ("add", 1), ("add", 2), ("dec", 0), ("jnz", 0), ("ret", 0))
CALL_LONG = (("call", INNER_LONG), ("dec", 0), ("jnz", 0), ("ret", 0))
INNER_FLIP = (("add", 5), ("flip", (1, 0)), ("add", 2), ("dec", 0), ("jnz", 0), ("ret", 0))
CALL_FLIP = (("call", INNER_FLIP), ("dec", 0), ("jnz", 0), ("ret", 0))
CALL = (("call", INNER), ("dec", 0), ("jnz", 0), ("ret", 0))
INNER_TINY = (("add", 5), ("ret", 0))
INNER_STRAIGHT = (("add", 5), ("add", 1), ("flip", (1, 0)), ("add", 2), ("ret", 0))
CALL_STRAIGHT = (("call", INNER_STRAIGHT), ("dec", 0), ("jnz", 0), ("ret", 0))


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


class Box:
    """A boxed number, as dynamic-language interpreters allocate one per arithmetic result."""

    def __init__(self, value):
        self.value = value


class VFrame:
    def __init__(self, n, k=0):
        self.vars = [Box(n), Box(k), Box(0)]
        self.log = []


@metatrace.jit(greens=["pc", "code"], reds=["frame"], get_printable_location=loc, name="boxed")
def boxed(code, frame):
    """Variables in a list of boxes.  ops: addk (i, K), dec i, jnz T (while vars[0] != 0),
    keep i (log the box itself), swap (vars[1], vars[2] exchange boxes), copy (i, j), same (log
    vars[0] when vars[1] is vars[2]), mul (i, j), big K (leave the loop by an exception when
    vars[1] > K), ret."""
    pc = 0
    while True:
        jit_merge_point(pc=pc, code=code, frame=frame)
        op, arg = code[pc]
        pc += 1
        v = frame.vars
        if op == "addk":
            v[arg[0]] = Box(v[arg[0]].value + arg[1])
        elif op == "dec":
            v[arg] = Box(v[arg].value - 1)
        elif op == "jnz":
            if v[0].value != 0:
                pc = arg
        elif op == "keep":
            frame.log.append(v[arg])
        elif op == "swap":
            v[1], v[2] = v[2], v[1]
        elif op == "copy":  # two variables share one box
            v[arg[1]] = v[arg[0]]
        elif op == "same":  # identity test on boxes
            if v[1] is v[2]:
                frame.log.append(v[0])
        elif op == "mul":
            v[arg[0]] = Box(v[arg[0]].value * v[arg[1]].value % 1000)
        elif op == "big":
            if v[1].value > arg:
                raise OverflowError(v[1].value)
        elif op == "ret":
            return v[1].value


def run_boxed(code, n, jit=True, k=0):
    frame = VFrame(n, k)
    shared = frame.vars[1]
    frame.log.append(shared)
    try:
        result = (boxed if jit else boxed.__wrapped__)(code, frame)
    except OverflowError as e:
        result = ("overflow", e.args)
    return (result, [b.value for b in frame.vars], [type(b).__name__ for b in frame.vars],
            [b.value for b in frame.log],
            # which logged boxes are the very objects now in the variables
            [[i for i, b in enumerate(frame.vars) if b is x] for x in frame.log])
