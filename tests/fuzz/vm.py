"""fuzzvm: a register VM for differential fuzzing of the JIT (a real file: the JIT reads it).

Loaded twice by the harness (JIT off / on, ``metatrace.testing.load_module``).  Guest values are
Python values: ints (growing past 64 bits), floats, bools, None, strings, lists, ``Obj`` (mutable
attributes ``x``/``y`` and an optional ``z``), ``Vec`` (immutable ``a``/``b``).  The VM state a
program can reach -- and that the harness dumps as "the heap" -- is ``vm.globals``, the main
frame's registers and ``vm.cfg`` (a quasi-immutable field whose writes invalidate code).

An instruction is ``(op, a, b, c)``.  Jumps take absolute pcs (the generator's labels are
resolved by :func:`assemble`).  Guest exceptions (``RAISE`` and the Python errors below) unwind
to the innermost ``TRY`` handler of the frame, which gets the description in register 0; an
uncaught one leaves the frame (and the caller's ``CALL`` may catch it).
"""

import math

import metatrace
from metatrace import can_enter_jit, dont_look_inside, elidable, jit_merge_point, promote, unroll_safe

OPNAMES = (
    "LABEL CONST MOV BIN ADDK MULMOD JMP JT JF JLTK JLT NEWLIST APPEND GETI SETI LEN NEWOBJ GETF "
    "SETF NEWVEC VGET CALL RET PRINT FMT TRY ENDTRY RAISE TOFLOAT TOINT SQRT NEG NOT GLOAD GSTORE "
    "SETMODE GETMODE ISINT POP TYPEOF LSUM HASH MODEP"
).split()
(LABEL, CONST, MOV, BIN, ADDK, MULMOD, JMP, JT, JF, JLTK, JLT, NEWLIST, APPEND, GETI, SETI, LEN,
 NEWOBJ, GETF, SETF, NEWVEC, VGET, CALL, RET, PRINT, FMT, TRY, ENDTRY, RAISE, TOFLOAT, TOINT, SQRT,
 NEG, NOT, GLOAD, GSTORE, SETMODE, GETMODE, ISINT, POP, TYPEOF, LSUM, HASH, MODEP) = range(len(OPNAMES))

BINOPS = "add sub mul floordiv mod truediv lt le eq ne and or xor lshift rshift min max".split()
(B_ADD, B_SUB, B_MUL, B_FLOORDIV, B_MOD, B_TRUEDIV, B_LT, B_LE, B_EQ, B_NE, B_AND, B_OR, B_XOR,
 B_LSHIFT, B_RSHIFT, B_MIN, B_MAX) = range(len(BINOPS))

MAX_BITS = 3000
MAX_LIST = 400
MAX_DEPTH = 40
NREGS = 16


class GuestError(Exception):
    def __init__(self, value):
        Exception.__init__(self, value)
        self.value = value


class Obj:
    def __init__(self, k):
        self.x = k
        self.y = None

    def __repr__(self):
        return "<Obj>"


class Vec:
    _immutable_fields_ = ("a", "b")

    def __init__(self, a, b):
        self.a = a
        self.b = b

    def __repr__(self):
        return "<Vec>"


class Cfg:
    _immutable_fields_ = ("mode?",)

    def __init__(self):
        self.mode = 1


class Func:
    _immutable_fields_ = ("name", "code[*]", "consts[*]", "nargs", "prog")

    def __init__(self, name, code, consts, nargs):
        self.name = name
        self.code = code
        self.consts = consts
        self.nargs = nargs
        self.prog = None


class Prog:
    _immutable_fields_ = ("funcs[*]",)

    def __init__(self, funcs):
        self.funcs = funcs


class Frame:
    def __init__(self, func, args, depth):
        if depth > MAX_DEPTH:
            raise GuestError("too deep")
        self.regs = args + [0] * (NREGS - len(args))
        self.handlers = []
        self.depth = depth


MAX_CELLS = 1000000  # list slots, sequence items and output characters a program may make in
# all: each structure is bounded (MAX_LIST, MAX_LEN), but lists of lists of long sequences were
# not (seed 7300663's plain run reached 13-17 GB within its 5 s)


def spend(vm, n):
    cells = vm.cells + n
    if cells > MAX_CELLS:
        raise GuestError("memory budget spent")
    vm.cells = cells


class VM:
    def __init__(self):
        self.cells = 0
        self.out = []
        self.globals = [0, 0, 0, 0]
        self.cfg = Cfg()


def location(pc, func):
    return "%s:%d %s" % (func.name, pc, OPNAMES[func.code[pc][0]])


MAX_LEN = 4096  # strings, lists and tuples a program may build (the plain run of one seed
# repeated a string into 5.9 GB: memory, not time, bounds such programs)


def big(r):
    if type(r) is int and r.bit_length() > MAX_BITS:
        raise GuestError("int too big")
    if type(r) in (str, list, tuple) and len(r) > MAX_LEN:
        raise GuestError("sequence too long")
    return r


def repeat_check(x, y):
    """``x * y`` must not build a sequence past MAX_LEN (checked before it is built)."""
    for s, n in ((x, y), (y, x)):
        if type(s) in (str, list, tuple) and type(n) in (int, bool) and len(s) * n > MAX_LEN:
            raise GuestError("sequence too long")


def binop(op, x, y):
    if op == B_ADD:
        return big(x + y)
    if op == B_SUB:
        return x - y
    if op == B_MUL:
        repeat_check(x, y)
        return big(x * y)
    if op == B_FLOORDIV:
        return x // y
    if op == B_MOD:
        return x % y
    if op == B_TRUEDIV:
        return x / y
    if op == B_LT:
        return x < y
    if op == B_LE:
        return x <= y
    if op == B_EQ:
        return x == y
    if op == B_NE:
        return x != y
    if op == B_AND:
        return x & y
    if op == B_OR:
        return x | y
    if op == B_XOR:
        return x ^ y
    if op == B_LSHIFT:
        if y > 80:
            raise GuestError("shift too far")
        return big(x << y)
    if op == B_RSHIFT:
        return x >> y
    if op == B_MIN:
        return x if x < y else y
    return x if x > y else y


def show(v, depth=0):
    """A canonical text of a guest value (no addresses)."""
    if depth > 3:
        return "..."
    t = type(v)
    if t is list:
        parts = []
        for x in v[:12]:
            parts.append(show(x, depth + 1))
        return "[" + ",".join(parts) + ("...]" if len(v) > 12 else "]")
    if t is Obj:
        return "O(%s,%s)" % (show(v.x, depth + 1), show(v.y, depth + 1))
    if t is Vec:
        return "V(%s,%s)" % (show(v.a, depth + 1), show(v.b, depth + 1))
    if t is float:
        return "f" + repr(v)
    return repr(v)


def fmt(kind, x, y):
    if kind == 0:
        return "%s|%s" % (show(x), show(y))
    if kind == 1:
        return "%d" % x
    if kind == 2:
        return "%.3f" % x
    # the values go in through show (bounded text): str() or repr() of a list of lists of long
    # strings is as big as the structure (hundreds of MB)
    if kind == 3:
        return f"{show(x)}:{show(y)!r}"
    return "%5s/%-4s" % (show(x), show(y))


@elidable
def type_name(t):
    return "t:" + t.__name__


@unroll_safe
def list_sum(lst):
    """The sum of the first (at most 6) items: a loop the tracer unrolls."""
    total = 0
    n = len(lst)
    if n > 6:
        n = 6
    i = 0
    while i < n:
        total = total + lst[i]
        i += 1
    return total


@dont_look_inside
def text_hash(s):
    h = 7
    for ch in str(s)[:20]:
        h = (h * 31 + ord(ch)) % 1000003
    return h


def describe(e):
    if type(e) is GuestError:
        return "E:" + show(e.value)
    return type(e).__name__ + ":" + str(e)


@metatrace.jit(greens=["pc", "func"], reds=["frame", "vm"], get_printable_location=location,
               name="fuzzvm")
def run(func, frame, vm):
    pc = 0
    while True:
        jit_merge_point(pc=pc, func=func, frame=frame, vm=vm)
        op, a, b, c = func.code[pc]
        pc += 1
        here = pc
        regs = frame.regs
        try:
            if op == CONST:
                regs[a] = func.consts[b]
            elif op == MOV:
                regs[a] = regs[b]
            elif op == BIN:
                r = binop(c[0], regs[b], regs[c[1]])
                if type(r) in (str, list, tuple):
                    spend(vm, len(r))
                regs[a] = r
            elif op == ADDK:
                regs[a] = regs[b] + c
            elif op == MULMOD:
                # a register may hold a sequence here: `s * c` repeats it (seed 7300175: 16 GB)
                repeat_check(regs[b], c)
                regs[a] = (regs[b] * c) % 1000003
            elif op == JMP:
                pc = a
            elif op == JT:
                if regs[a]:
                    pc = b
            elif op == JF:
                if not regs[a]:
                    pc = b
            elif op == JLTK:
                if regs[a] < c:
                    pc = b
            elif op == JLT:
                if regs[a] < regs[c]:
                    pc = b
            elif op == NEWLIST:
                spend(vm, 1)
                regs[a] = []
            elif op == APPEND:
                lst = regs[a]
                if type(lst) is not list:
                    raise GuestError("append to non-list")
                if len(lst) >= MAX_LIST:
                    raise GuestError("list full")
                spend(vm, 1)
                lst.append(regs[b])
            elif op == POP:
                regs[a] = regs[b].pop()
            elif op == GETI:
                regs[a] = regs[b][regs[c]]
            elif op == SETI:
                lst = regs[a]
                if type(lst) is not list:
                    raise GuestError("setitem on non-list")
                lst[regs[b]] = regs[c]
            elif op == LEN:
                regs[a] = len(regs[b])
            elif op == NEWOBJ:
                regs[a] = Obj(regs[b])
            elif op == GETF:
                o = regs[b]
                if type(o) is not Obj:
                    raise GuestError("not an Obj")
                if c == 0:
                    regs[a] = o.x
                elif c == 1:
                    regs[a] = o.y
                else:
                    regs[a] = o.z
            elif op == SETF:
                o = regs[a]
                if type(o) is not Obj:
                    raise GuestError("not an Obj")
                if c == 0:
                    o.x = regs[b]
                elif c == 1:
                    o.y = regs[b]
                else:
                    o.z = regs[b]
            elif op == NEWVEC:
                regs[a] = Vec(regs[b], regs[c])
            elif op == VGET:
                v = regs[b]
                if type(v) is not Vec:
                    raise GuestError("not a Vec")
                if c == 0:
                    regs[a] = v.a
                else:
                    regs[a] = v.b
            elif op == CALL:
                callee = func.prog.funcs[b]
                args = regs[c:c + callee.nargs]
                regs[a] = run(callee, Frame(callee, args, frame.depth + 1), vm)
            elif op == RET:
                return regs[a]
            elif op == PRINT:
                text = show(regs[a])
                spend(vm, len(text))
                vm.out.append(text)
            elif op == FMT:
                # bounded as every other sequence a program builds: a string formatted from
                # itself, again and again, doubled each time (seed 7300663: 256 MB in a second)
                regs[a] = big(fmt(c[0], regs[b], regs[c[1]]))
            elif op == TRY:
                frame.handlers.append(a)
            elif op == ENDTRY:
                frame.handlers.pop()
            elif op == RAISE:
                raise GuestError(regs[a])
            elif op == TOFLOAT:
                regs[a] = float(regs[b])
            elif op == TOINT:
                regs[a] = int(regs[b])
            elif op == SQRT:
                regs[a] = math.sqrt(regs[b])
            elif op == NEG:
                regs[a] = -regs[b]
            elif op == NOT:
                regs[a] = not regs[b]
            elif op == GLOAD:
                regs[a] = vm.globals[b]
            elif op == GSTORE:
                vm.globals[a] = regs[b]
            elif op == SETMODE:
                vm.cfg.mode = regs[a]
            elif op == GETMODE:
                regs[a] = vm.cfg.mode
            elif op == ISINT:
                regs[a] = type(regs[b]) is int
            elif op == TYPEOF:
                regs[a] = type_name(promote(type(regs[b])))
            elif op == LSUM:
                lst = regs[b]
                if type(lst) is not list:
                    raise GuestError("sum of non-list")
                regs[a] = list_sum(lst)
            elif op == HASH:
                regs[a] = text_hash(regs[b])
            elif op == MODEP:
                # the config object promoted: a guard on its identity (a new VM fails it)
                regs[a] = promote(vm.cfg).mode
        except (GuestError, ZeroDivisionError, TypeError, IndexError, OverflowError, ValueError,
                AttributeError) as e:
            if not frame.handlers:
                raise
            pc = frame.handlers.pop()
            regs[0] = describe(e)
        if op == JLTK and pc < here:  # a loop's back edge
            can_enter_jit(pc=pc, func=func, frame=frame, vm=vm)


def assemble(spec):
    """``spec``: a list of ``(name, nargs, code, consts)`` where code may hold ``("LABEL", name)``
    pseudo-instructions and jump targets by label name.  Returns a :class:`Prog`."""
    funcs = []
    for name, nargs, code, consts in spec:
        labels = {}
        pcs = 0
        for ins in code:
            if ins[0] == "LABEL":
                labels[ins[1]] = pcs
            else:
                pcs += 1
        out = []
        for ins in code:
            if ins[0] == "LABEL":
                continue
            opname = ins[0]
            op = OPNAMES.index(opname)
            a, b, c = (list(ins[1:]) + [0, 0, 0])[:3]
            if opname in ("JMP", "TRY"):
                a = labels.get(a, pcs)
            elif opname in ("JT", "JF", "JLTK", "JLT"):
                b = labels.get(b, pcs)
            elif opname in ("BIN", "FMT"):
                c = tuple(c)
            out.append((op, a, b, c))
        out.append((RET, 1, 0, 0))  # every function ends in a return
        funcs.append(Func(name, tuple(out), tuple(consts), nargs))
    prog = Prog(tuple(funcs))
    for f in funcs:
        f.prog = prog
    return prog
