"""A small register interpreter for the robustness tests (a real file: the JIT reads its source).

A program is a tuple of ``(op, arg)`` pairs (the code tuple is a green, so every distinct tuple
is a distinct loop).  Ops:

- ``set (r, k)``: regs[r] = k;  ``addk (r, k)``: regs[r] += k;  ``add (r, s)``: regs[r] += regs[s]
- ``mix (r, s)``: regs[r] = (regs[r] * 31 + regs[s]) % 1000003 (an order-sensitive checksum)
- ``dec r``;  ``jnz (r, T)``: jump to T while regs[r] != 0
- ``every (r, m, T)``: jump to T when regs[r] % m == 0 (a branch that is taken now and then:
  a guard that fails periodically, so bridges get traced)
- ``send (klass, name, a, d)``: regs[d] = run(klass.methods[name], Frame([regs[a]]))
  (``Klass.methods`` is quasi-immutable: writing it invalidates code that folded it)
- ``define (klass, name, versions, r)``: klass.methods[name] = versions[regs[r] % len(versions)]
  (a method redefinition by the interpreted program, every time it runs)
- ``rec (a, d)``: regs[d] = run(code, Frame([regs[a] - 1], depth + 1)) (a recursive guest call,
  which is a recursive call of the portal; raises :class:`StackOverflow` at ``LIMITS.depth``)
- ``log r``: frame.log.append(regs[r]);  ``ret r``: return regs[r]
"""

import metatrace
from metatrace import jit_merge_point


class StackOverflow(Exception):
    """The interpreter's own guest recursion limit (like a VM's 'stack overflow')."""


class Limits:
    def __init__(self):
        self.depth = 10 ** 9  # guest call depth at which ``rec`` raises StackOverflow


LIMITS = Limits()


class Frame:
    def __init__(self, args, depth=0):
        self.regs = list(args) + [0] * (6 - len(args))
        self.depth = depth
        self.log = []


class Klass:
    _immutable_fields_ = ("name", "methods?")

    def __init__(self, name, methods=None):
        self.name = name
        self.methods = dict(methods or {})

    def define(self, name, code):
        table = dict(self.methods)
        table[name] = code
        self.methods = table  # a write of the quasi-immutable field: dependent code is invalid


def loc(pc, code):
    return "%d: %s" % (pc, code[pc][0])


@metatrace.jit(greens=["pc", "code"], reds=["frame"], get_printable_location=loc, name="robust")
def run(code, frame):
    pc = 0
    while True:
        jit_merge_point(pc=pc, code=code, frame=frame)
        op, arg = code[pc]
        pc += 1
        regs = frame.regs
        if op == "addk":
            regs[arg[0]] = regs[arg[0]] + arg[1]
        elif op == "add":
            regs[arg[0]] = regs[arg[0]] + regs[arg[1]]
        elif op == "mix":
            regs[arg[0]] = (regs[arg[0]] * 31 + regs[arg[1]]) % 1000003
        elif op == "set":
            regs[arg[0]] = arg[1]
        elif op == "dec":
            regs[arg] = regs[arg] - 1
        elif op == "jnz":
            if regs[arg[0]] != 0:
                pc = arg[1]
        elif op == "every":
            if regs[arg[0]] % arg[1] == 0:
                pc = arg[2]
        elif op == "send":
            klass, name, a, d = arg
            meth = klass.methods[name]
            regs[d] = run(meth, Frame([regs[a]], frame.depth + 1))
        elif op == "define":
            klass, name, versions, r = arg
            klass.define(name, versions[regs[r] % len(versions)])
        elif op == "rec":
            if frame.depth >= LIMITS.depth:
                raise StackOverflow(frame.depth)
            regs[arg[1]] = run(code, Frame([regs[arg[0]] - 1], frame.depth + 1))
        elif op == "log":
            frame.log.append(regs[arg])
        elif op == "ret":
            return regs[arg]


def execute(code, args):
    """Run ``code`` on a fresh frame; the guest-visible outcome: result or exception, registers
    and log.  (The tests load this file a second time with the JIT off, see ``__init__``.)"""
    frame = Frame(args)
    try:
        result = ("ok", run(code, frame))
    except StackOverflow as e:
        result = ("StackOverflow", e.args)
    except RecursionError:
        result = ("RecursionError",)
    return result, frame.regs, frame.log


# -- programs -------------------------------------------------------------------------------

def counting_loop(k, every=0):
    """regs[0] iterations adding ``k`` to regs[1] and checksumming; with ``every``, a branch
    taken each ``every`` iterations adds extra."""
    if not every:
        return (("addk", (1, k)), ("mix", (2, 1)), ("dec", 0), ("jnz", (0, 0)), ("ret", 2))
    return (("addk", (1, k)),                  # 0
            ("every", (0, every, 5)),          # 1
            ("mix", (2, 1)),                   # 2
            ("dec", 0),                        # 3
            ("jnz", (0, 0)),                   # 4  -> loop
            ("addk", (2, 7)),                  # 5: the rare path
            ("jnz", (0, 2)),                   # 6  (regs[0] != 0 here)
            ("ret", 2))                        # 7


def nested_loops(k):
    """An outer loop over regs[0] around an inner loop of regs[3] = 7 iterations."""
    return (("set", (3, 7)),                   # 0
            ("addk", (1, k)),                  # 1 inner
            ("mix", (2, 1)),                   # 2
            ("dec", 3),                        # 3
            ("jnz", (3, 1)),                   # 4 inner back edge
            ("dec", 0),                        # 5
            ("jnz", (0, 0)),                   # 6 outer back edge
            ("ret", 2))                        # 7


def method_version(k):
    """A method body: returns its argument plus ``k`` (a tiny function, no loop)."""
    return (("addk", (0, k)), ("ret", 0))


def sender(klass, name, versions, redefine_every):
    """Calls klass>>name in a loop of regs[0] iterations, checksumming the results; every
    ``redefine_every`` iterations it redefines the method (the version chosen by the counter)."""
    return (("send", (klass, name, 0, 1)),                  # 0
            ("mix", (2, 1)),                                # 1
            ("every", (0, redefine_every, 6)),              # 2
            ("dec", 0),                                     # 3
            ("jnz", (0, 0)),                                # 4
            ("ret", 2),                                     # 5
            ("define", (klass, name, versions, 0)),         # 6
            ("dec", 0),                                     # 7
            ("jnz", (0, 0)),                                # 8
            ("ret", 2))                                     # 9


# sum(n + (n-1) + ... + 1) by guest recursion, logging each depth on the way back
RECURSIVE_SUM = (("jnz", (0, 2)),                # 0: n != 0 -> recurse
                 ("ret", 0),                     # 1: n == 0 -> 0
                 ("rec", (0, 1)),                # 2: regs[1] = sum(n - 1)
                 ("add", (1, 0)),                # 3: + n
                 ("log", 1),                     # 4
                 ("ret", 1))                     # 5

# the same recursion with a loop in every call (so each call runs compiled code, and the
# recursive call is made from a trace of the function: call_assembler)
RECURSIVE_LOOP = (("jnz", (0, 3)),              # 0: n != 0 -> body
                  ("set", (2, 0)),              # 1
                  ("ret", 2),                   # 2
                  ("set", (3, 3)),              # 3
                  ("addk", (2, 1)),             # 4: loop header
                  ("mix", (4, 2)),              # 5
                  ("dec", 3),                   # 6
                  ("jnz", (3, 4)),              # 7: back edge
                  ("rec", (0, 1)),              # 8: regs[1] = f(n - 1)
                  ("add", (2, 1)),              # 9
                  ("log", 2),                   # 10
                  ("ret", 2))                   # 11

# the recursion with a loop in every call and branches that differ from level to level (n even,
# n a multiple of 3): guards fail and bridges grow inside the recursion
RECURSIVE_BRANCHY = (("jnz", (0, 3)),           # 0: n != 0 -> body
                     ("set", (2, 0)),           # 1
                     ("ret", 2),                # 2
                     ("set", (3, 3)),           # 3
                     ("every", (0, 2, 6)),      # 4: n even -> skip 5
                     ("addk", (2, 5)),          # 5
                     ("addk", (2, 1)),          # 6: loop header
                     ("mix", (4, 2)),           # 7
                     ("dec", 3),                # 8
                     ("jnz", (3, 6)),           # 9: back edge
                     ("every", (0, 3, 12)),     # 10: n % 3 == 0 -> skip 11
                     ("addk", (2, 7)),          # 11
                     ("rec", (0, 1)),           # 12: regs[1] = f(n - 1)
                     ("add", (2, 1)),           # 13
                     ("log", 2),                # 14
                     ("ret", 2))                # 15
