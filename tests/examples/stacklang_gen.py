"""Random stacklang programs for differential testing (JIT off vs JIT at tiny thresholds).

Programs have nested counted loops, branches that flip after some iterations, exceptions thrown
and caught inside loops (and some that escape), bounded recursion and array mutation.  Every
program terminates: loop counters are only written by their own loop.
"""

import random


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.lines = []
        self.nlabel = 0
        self.vars = ["a", "b", "c", "d"]

    def label(self):
        self.nlabel += 1
        return "L%d" % self.nlabel

    def emit(self, *lines):
        self.lines.extend(lines)

    def var(self):
        return self.r.choice(self.vars)

    def stmt(self, depth, counters):
        r = self.r
        kinds = ["assign", "assign", "print", "array", "call"]
        if depth < 3:
            kinds += ["loop", "loop", "if"]
        if counters:
            kinds += ["flip", "throw", "try"]
        k = r.choice(kinds)
        getattr(self, "s_" + k)(depth, counters)

    def block(self, depth, counters, n=None):
        for _ in range(n if n is not None else self.r.randint(1, 3)):
            self.stmt(depth, counters)

    def load_any(self, counters):
        if counters and self.r.random() < 0.4:
            self.emit("load %s" % self.r.choice(counters))
        elif self.r.random() < 0.3:
            self.emit("push %d" % self.r.randint(-5, 20))
        else:
            self.emit("load %s" % self.var())

    def s_assign(self, depth, counters):
        op = self.r.choice(["add", "sub", "mul", "add", "sub", "div", "mod", "lt", "eq"])
        self.load_any(counters)
        if op in ("div", "mod") and self.r.random() < 0.7:
            self.emit("push %d" % self.r.randint(1, 9))
        elif op == "mul":
            self.emit("push %d" % self.r.randint(-3, 3))
        else:
            self.load_any(counters)
        self.emit(op)
        if self.r.random() < 0.3:
            self.emit("push 1000003", "mod")
        self.emit("store %s" % self.var())

    def s_print(self, depth, counters):
        self.load_any(counters)
        self.emit("print")

    def s_array(self, depth, counters):
        if self.r.random() < 0.5:
            self.emit("load arr")
            self.load_any(counters)
            self.emit("push 16", "mod")
            self.load_any(counters)
            self.emit("aset")
        else:
            self.emit("load arr")
            self.load_any(counters)
            self.emit("push 16", "mod", "aget", "store %s" % self.var())

    def s_call(self, depth, counters):
        self.load_any(counters)
        self.emit("push 12", "mod", "call %s" % self.r.choice(["rec", "helper"]), "store %s" % self.var())

    def s_loop(self, depth, counters):
        c = "i%d" % depth
        top, end = self.label(), self.label()
        n = self.r.choice([3, 10, 25, 40, 60])
        self.emit("push 0", "store %s" % c, "%s:" % top, "load %s" % c, "push %d" % n, "lt",
                  "jz %s" % end)
        self.block(depth + 1, counters + [c])
        self.emit("load %s" % c, "push 1", "add", "store %s" % c, "jump %s" % top, "%s:" % end)

    def s_if(self, depth, counters):
        other, end = self.label(), self.label()
        self.load_any(counters)
        self.load_any(counters)
        self.emit(self.r.choice(["lt", "gt", "eq", "ne"]), "jz %s" % other)
        self.block(depth + 1, counters)
        self.emit("jump %s" % end, "%s:" % other)
        self.block(depth + 1, counters)
        self.emit("%s:" % end)

    def s_flip(self, depth, counters):
        other, end = self.label(), self.label()
        self.emit("load %s" % self.r.choice(counters), "push %d" % self.r.randint(1, 40), "gt",
                  "jz %s" % other)
        self.block(depth + 1, counters, 1)
        self.emit("jump %s" % end, "%s:" % other)
        self.block(depth + 1, counters, 1)
        self.emit("%s:" % end)

    def s_throw(self, depth, counters):
        skip = self.label()
        self.emit("load %s" % self.r.choice(counters), "push %d" % self.r.randint(2, 9), "mod",
                  "jnz %s" % skip, "push %d" % self.r.randint(100, 200), "throw", "%s:" % skip)

    def s_try(self, depth, counters):
        handler, end = self.label(), self.label()
        self.emit("try %s" % handler)
        self.block(depth + 1, counters)
        if self.r.random() < 0.7:
            self.s_throw(depth, counters)
        self.emit("endtry", "jump %s" % end, "%s:" % handler, "store %s" % self.var(), "%s:" % end)

    def program(self):
        self.emit("func main")
        for v in self.vars:
            self.emit("push %d" % self.r.randint(0, 9), "store %s" % v)
        self.emit("push 16", "newarray", "store arr")
        self.block(0, [], self.r.randint(2, 5))
        for v in self.vars:
            self.emit("load %s" % v, "print")
        for i in range(16):
            self.emit("load arr", "push %d" % i, "aget", "print")
        self.emit("load a", "ret", "end", "")
        self.emit(
            "func rec n", "load n", "push 0", "le", "jz R", "push 1", "ret", "R:",
            "load n", "push 1", "sub", "call rec", "load n", "add", "ret", "end", "",
            "func helper x", "load x", "push 3", "mod", "jnz H", "push 7", "throw", "H:",
            "load x", "load x", "mul", "ret", "end",
        )
        return "\n".join(self.lines) + "\n"


def generate(seed):
    return Gen(seed).program()
