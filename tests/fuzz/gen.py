"""Random fuzzvm programs (seeded, always terminating).

A program is plain data -- ``[(name, nargs, code, consts), ...]`` with ``("LABEL", name)``
pseudo-instructions and jumps by label -- so it prints as a Python literal, the reducer can drop
instructions without renumbering anything, and :func:`tests.fuzz.vm.assemble` builds it.

Termination: every loop counts a register of its own (nothing else writes it) up to a constant;
data-dependent exits only leave loops early; functions call only functions after them, except
recursive functions, which count their first argument down (it is reduced modulo a small number
on entry) and the VM's depth limit.  Registers have roles so most instructions make sense:
0 exception text, 1-6 numbers, 7-8 lists, 9-10 objects, 11 strings, 12-14 loop counters, 15 temp.
A small fraction of instructions ignore the roles (type errors are guest exceptions too).
"""

import random

NUM = (1, 2, 3, 4, 5, 6)
LST = (7, 8)
OBJ = (9, 10)
STR = 11
CNT = (12, 13, 14)
TMP = 15
ANY = tuple(range(16))

SMALL_INTS = [0, 1, 2, 3, -1, -7, 10, 255]
BIG_INTS = [2 ** 63 - 1, -(2 ** 63), 2 ** 64 + 3, 2 ** 62, 10 ** 20, -(2 ** 70) + 1, 2 ** 31]
FLOATS = [0.5, -1.25, 3.0, 1e300, -0.0, 2.5e-8, 7.75]
OTHER = [True, False, None, "ab", "x%d", ""]

BINOPS = "add sub mul floordiv mod truediv lt le eq ne and or xor lshift rshift min max".split()
NUMERIC_BINOPS = ["add", "sub", "add", "sub", "floordiv", "mod", "lt", "le", "eq", "ne", "and",
                  "xor", "min", "max", "truediv", "rshift"]


class Gen:
    def __init__(self, seed, size=1.0, v2=True):
        self.v2 = v2  # False: without the ops added later (TYPEOF LSUM HASH MODEP)
        self.rng = random.Random(seed)
        self.size = size
        self.nlabel = 0
        self.have_recursive = False

    # -- helpers -----------------------------------------------------------------------------
    def label(self):
        self.nlabel += 1
        return "L%d" % self.nlabel

    def const(self, value):
        for i, v in enumerate(self.consts):
            if type(v) is type(value) and v == value and repr(v) == repr(value):
                return i
        self.consts.append(value)
        return len(self.consts) - 1

    def value(self):
        r = self.rng.random()
        if r < 0.5:
            return self.rng.choice(SMALL_INTS)
        if r < 0.7:
            return self.rng.choice(BIG_INTS)
        if r < 0.92:
            return self.rng.choice(FLOATS)
        return self.rng.choice(OTHER)

    def reg(self, pool):
        """A source register: usually from ``pool``, sometimes any register."""
        if self.rng.random() < 0.04:
            return self.rng.choice(ANY)
        return self.rng.choice(pool)

    def dst(self, pool):
        """A destination: never a loop counter (loops must terminate)."""
        if self.rng.random() < 0.04:
            return self.rng.choice(NUM + LST + OBJ + (0, STR, TMP))
        return self.rng.choice(pool)

    def num(self):
        return self.dst(NUM)

    # -- statements ----------------------------------------------------------------------------
    def emit(self, *ins):
        self.code.append(tuple(ins))

    def numeric_stmt(self):
        """Only numbers: what a tier-2 kernel can run."""
        rng = self.rng
        k = rng.random()
        d = rng.choice(NUM)
        if k < 0.45:
            self.emit("BIN", d, rng.choice(NUM), (BINOPS.index(rng.choice(NUMERIC_BINOPS)), rng.choice(NUM)))
        elif k < 0.65:
            self.emit("ADDK", d, rng.choice(NUM), rng.choice([1, -1, 3, 7, -2, 1 << 40]))
        elif k < 0.75:
            self.emit("MULMOD", d, rng.choice(NUM), rng.choice([3, 7, 1 << 33]))
        elif k < 0.82:
            self.emit("MOV", d, rng.choice(NUM + CNT))
        elif k < 0.88:
            self.emit("CONST", d, self.const(rng.choice(SMALL_INTS + FLOATS[:3] + [True])))
        elif k < 0.93:
            self.emit("TOFLOAT", d, rng.choice(NUM))
        else:
            self.emit("BIN", d, rng.choice(NUM), (BINOPS.index("mul"), rng.choice(NUM)))

    def simple_stmt(self):
        rng = self.rng
        k = rng.random()
        if k < 0.30:
            self.numeric_stmt()
        elif k < 0.36:
            self.emit("BIN", self.num(), self.reg(NUM + CNT), (rng.randrange(len(BINOPS)), self.reg(NUM + CNT)))
        elif k < 0.42:
            self.emit("PRINT", self.reg(NUM + LST + OBJ + (STR, 0)))
        elif k < 0.46:
            self.emit("FMT", self.dst((STR,)), self.reg(NUM + (STR,)), (rng.randrange(5), self.reg(NUM + OBJ)))
        elif k < 0.51:
            self.emit("APPEND", self.reg(LST), self.reg(NUM + OBJ + LST + CNT))
        elif k < 0.55:
            self.emit("GETI", self.num(), self.reg(LST), self.reg(NUM + CNT))
        elif k < 0.58:
            self.emit("SETI", self.reg(LST), self.reg(NUM + CNT), self.reg(NUM + OBJ))
        elif k < 0.60:
            self.emit("LEN", self.num(), self.reg(LST + (STR,)))
        elif k < 0.62:
            self.emit("POP", self.num(), self.reg(LST))
        elif k < 0.64:
            self.emit("NEWLIST", self.dst(LST))
        elif k < 0.67:
            self.emit("NEWOBJ", self.dst(OBJ), self.reg(NUM + CNT))
        elif k < 0.72:
            self.emit("GETF", self.num(), self.reg(OBJ), rng.choice([0, 0, 1, 2]))
        elif k < 0.77:
            self.emit("SETF", self.reg(OBJ), self.reg(NUM + OBJ + LST + CNT), rng.choice([0, 0, 1, 2]))
        elif k < 0.79:
            self.emit("NEWVEC", self.dst(OBJ), self.num(), self.reg(NUM + OBJ))
        elif k < 0.81:
            self.emit("VGET", self.num(), self.reg(OBJ), rng.choice([0, 1]))
        elif k < 0.84:
            self.emit("GLOAD", self.dst(NUM + LST + OBJ), rng.randrange(4))
        elif k < 0.87:
            self.emit("GSTORE", rng.randrange(4), self.reg(NUM + LST + OBJ))
        elif k < 0.885:
            self.emit("SETMODE", self.reg(NUM + CNT))
        elif k < 0.90:
            self.emit("GETMODE", self.num())
        elif k < 0.92:
            self.emit("TOINT", self.num(), self.num())
        elif k < 0.93:
            self.emit("SQRT", self.num(), self.num())
        elif k < 0.95:
            self.emit("NEG", self.num(), self.num())
        elif k < 0.96:
            self.emit("NOT", self.num(), self.reg(NUM + LST))
        elif k < 0.965:
            self.emit("ISINT", self.num(), self.reg(NUM + OBJ))
        elif k < 0.975 and self.v2:
            self.emit(rng.choice(["TYPEOF", "HASH"]), self.dst(NUM + (STR,)), self.reg(NUM + OBJ + LST + (STR,)))
        elif k < 0.985 and self.v2:
            self.emit("LSUM", self.num(), self.reg(LST))
        elif k < 0.99 and self.v2:
            self.emit("MODEP", self.num())
        else:
            self.emit("CONST", self.dst(NUM + (STR,)), self.const(self.value()))

    def idiom_stmt(self):
        """Patterns the loop passes are built for, inside a loop (its counter is live)."""
        rng = self.rng
        cnt = CNT[len(self.open_loops) - 1]
        k = rng.random()
        o = rng.choice(OBJ)
        if k < 0.35:
            # a boxed number carried by the loop: o = Obj(o.x + c)  (unboxing with peeling)
            d = rng.choice(NUM)
            self.emit("GETF", d, o, 0)
            self.emit("ADDK", d, d, rng.choice([1, 3, -1]))
            self.emit("NEWOBJ", o, d)
        elif k < 0.55:
            # an immutable pair rebuilt each iteration
            d = rng.choice(NUM)
            self.emit("VGET", d, o, rng.choice([0, 1]))
            self.emit("BIN", d, d, (BINOPS.index(rng.choice(["add", "sub", "max"])), rng.choice(NUM + (cnt,))))
            self.emit("NEWVEC", o, d, rng.choice(NUM + (cnt,)))
        elif k < 0.8:
            # list items at indices computed from the counter, negative ones included
            self.emit("ADDK", TMP, cnt, -rng.choice([0, 1, 2, 3, 5]))
            if rng.random() < 0.5:
                self.emit("GETI", rng.choice(NUM), rng.choice(LST), TMP)
            else:
                self.emit("SETI", rng.choice(LST), TMP, rng.choice(NUM + (cnt,)))
        else:
            # a field read and written back (a carried location), maybe through an alias
            self.emit("GETF", TMP, o, 0)
            self.emit("BIN", TMP, TMP, (BINOPS.index("add"), rng.choice(NUM + (cnt,))))
            self.emit("SETF", rng.choice(OBJ), TMP, 0)

    def call_stmt(self):
        rng = self.rng
        later = list(range(self.fidx + 1, self.nfuncs))
        if self.open_loops and (self.fidx > 0 or self.loop_product() > 60):
            return self.simple_stmt()  # calls in loops only in main's outer loops (cost bound)
        if self.recursive and self.self_calls < 2 and (not later or rng.random() < 0.5):
            # count down: pass r14 - k (r14 holds the small argument taken on entry)
            self.self_calls += 1
            self.emit("ADDK", TMP, 14, -rng.choice([1, 1, 2]))
            self.emit("CALL", self.dst(NUM), self.fidx, TMP)
            return
        if not later or self.calls >= 3:
            return self.simple_stmt()
        self.calls += 1
        target = rng.choice(later)
        base = rng.choice([1, 2, 3, 4, 5, 12, 13])
        self.emit("CALL", self.dst(NUM + (0,)), target, base)

    def loop_product(self):
        n = 1
        for lim in self.open_loops:
            n *= lim
        return n

    def block(self, n, depth, numeric=False):
        for _ in range(n):
            rng = self.rng
            k = rng.random()
            if depth == 0 and self.fidx == 0 and not numeric and rng.random() < 0.9:
                # main's statements mostly run under a try of their own (programs go on);
                # most of them are loops
                handler, after = self.label(), self.label()
                self.emit("TRY", handler)
                if rng.random() < 0.6:
                    self.loop_stmt(0)
                else:
                    self.block(1, 1)
                self.emit("ENDTRY")
                self.emit("JMP", after)
                self.emit("LABEL", handler)
                self.emit("PRINT", 0)
                self.emit("LABEL", after)
                continue
            if numeric:
                if k < 0.85 or depth >= 2:
                    self.numeric_stmt()
                else:
                    self.if_stmt(depth, numeric=True)
                continue
            if self.open_loops and k < 0.12:
                self.idiom_stmt()
            elif k < 0.62:
                self.simple_stmt()
            elif k < 0.72:
                self.call_stmt()
            elif k < 0.80:
                self.if_stmt(depth)
            elif k < 0.88:
                self.try_stmt(depth)
            elif k < 0.92:
                self.raise_stmt()
            elif depth < self.max_depth:
                self.loop_stmt(depth)
            else:
                self.simple_stmt()

    def if_stmt(self, depth, numeric=False):
        rng = self.rng
        els, end = self.label(), self.label()
        cond = rng.choice(NUM) if numeric else self.reg(NUM + LST + OBJ)
        if rng.random() < 0.5:
            self.emit("BIN", TMP if not numeric else cond, rng.choice(NUM), (BINOPS.index(rng.choice(["lt", "le", "eq", "ne"])), rng.choice(NUM)))
            if not numeric:
                cond = TMP
        self.emit(rng.choice(["JF", "JT"]), cond, els)
        self.block(rng.randint(1, 3), depth + 1, numeric)
        self.emit("JMP", end)
        self.emit("LABEL", els)
        if rng.random() < 0.6:
            self.block(rng.randint(1, 2), depth + 1, numeric)
        self.emit("LABEL", end)

    def try_stmt(self, depth):
        rng = self.rng
        handler, end = self.label(), self.label()
        self.emit("TRY", handler)
        self.block(rng.randint(1, 4), depth + 1)
        self.emit("ENDTRY")
        self.emit("JMP", end)
        self.emit("LABEL", handler)
        if rng.random() < 0.7:
            self.emit("PRINT", 0)
        if rng.random() < 0.4:
            self.block(1, depth + 1)
        self.emit("LABEL", end)

    def raise_stmt(self):
        rng = self.rng
        skip = self.label()
        self.emit("BIN", TMP, rng.choice(NUM + CNT), (BINOPS.index(rng.choice(["lt", "eq", "ne"])), rng.choice(NUM)))
        self.emit("JF", TMP, skip)
        self.emit("RAISE", self.reg(NUM + LST + OBJ + CNT))
        self.emit("LABEL", skip)

    def loop_stmt(self, depth):
        rng = self.rng
        cnt = CNT[len(self.open_loops)] if len(self.open_loops) < len(CNT) else None
        if cnt is None:
            return self.simple_stmt()
        budget = self.loop_budget // self.loop_product()
        limit = max(2, min(rng.choice([3, 5, 8, 15, 30, 60, 120, 300]), budget))
        head, end = self.label(), self.label()
        numeric = rng.random() < 0.35
        self.emit("CONST", cnt, self.const(0))
        self.emit("LABEL", head)
        self.open_loops.append(limit)
        if rng.random() < 0.25:
            # a data-dependent exit: a guard that fails when the loop leaves early
            self.emit("BIN", TMP if not numeric else rng.choice(NUM), rng.choice(NUM), (BINOPS.index(rng.choice(["lt", "le", "eq"])), rng.choice(NUM)))
            self.emit("JT", self.code[-1][1], end)
        if numeric:
            self.block(rng.randint(2, 7), depth + 1, numeric=True)
        elif rng.random() < 0.5:
            # the whole body in a try: an exception ends this iteration, not the loop
            handler, after = self.label(), self.label()
            self.emit("TRY", handler)
            self.block(rng.randint(1, 5), depth + 1)
            self.emit("ENDTRY")
            self.emit("JMP", after)
            self.emit("LABEL", handler)
            if rng.random() < 0.5:
                self.emit("PRINT", 0)
            self.emit("LABEL", after)
        else:
            self.block(rng.randint(1, 5), depth + 1)
            if rng.random() < 0.5:
                self.emit("PRINT", rng.choice(NUM + (cnt,)))  # output on every iteration
        self.open_loops.pop()
        self.emit("ADDK", cnt, cnt, 1)
        self.emit("JLTK", cnt, head, limit)
        self.emit("LABEL", end)
        if numeric:
            self.emit("PRINT", rng.choice(NUM))

    # -- functions ------------------------------------------------------------------------------
    def function(self, fidx, nfuncs):
        rng = self.rng
        self.code, self.consts = [], []
        self.fidx, self.nfuncs = fidx, nfuncs
        self.open_loops = []
        self.recursive = fidx > 0 and not self.have_recursive and rng.random() < 0.5
        self.have_recursive = self.have_recursive or self.recursive
        self.self_calls = 0
        self.calls = 0
        nargs = 0 if fidx == 0 else rng.choice([1, 1, 2])
        self.max_depth = 3 if fidx == 0 else 2
        self.loop_budget = int((2000 if fidx == 0 else 40) * self.size)
        if fidx == 0:
            for r in NUM:
                self.emit("CONST", r, self.const(self.value()))
            for r in LST:
                self.emit("NEWLIST", r)
                for _ in range(rng.randint(2, 6)):
                    self.emit("APPEND", r, rng.choice(NUM))
            for r in OBJ:
                self.emit("NEWOBJ", r, rng.choice(NUM))
            self.emit("CONST", STR, self.const(rng.choice(["s", "%d", "t"])))
        else:
            for r in NUM[nargs:nargs + 2]:
                self.emit("CONST", r, self.const(rng.choice(SMALL_INTS + FLOATS[:2])))
            self.emit("NEWLIST", 7)
            self.emit("NEWOBJ", 9, 1)
        if self.recursive:
            # r14 = r1 % m if r1 is an int (else r14 = 0); return at once when r14 <= 0
            noint, stop = self.label(), self.label()
            self.emit("CONST", 14, self.const(0))
            self.emit("ISINT", TMP, 1)
            self.emit("JF", TMP, noint)
            self.emit("CONST", TMP, self.const(rng.choice([3, 4, 5])))
            self.emit("BIN", 14, 1, (BINOPS.index("mod"), TMP))
            self.emit("LABEL", noint)
            self.emit("CONST", TMP, self.const(0))
            self.emit("BIN", TMP, 14, (BINOPS.index("le"), TMP))
            self.emit("JF", TMP, stop)
            self.emit("RET", rng.choice([1, 2, 14]))
            self.emit("LABEL", stop)
        nstmt = rng.randint(3, 10) if fidx == 0 else rng.randint(2, 6)
        self.block(nstmt, 0)
        if fidx == 0:
            for r in (1, 2):
                self.emit("PRINT", r)
        self.emit("RET", rng.choice(NUM + (0,)))
        return ("f%d" % fidx, nargs, self.code, self.consts)


def generate(seed, size=1.0):
    g = Gen(seed, size)
    nfuncs = g.rng.choice([1, 2, 3, 3, 4])
    return [g.function(i, nfuncs) for i in range(nfuncs)]
