"""A small interpreter whose guest program supplies attribute names, strings, numbers and its
own printable locations: everything a hostile guest controls reaches the tracer as constants.
Used by test_injection.py (loaded twice: JIT off and on)."""

import metatrace
from metatrace import jit_merge_point, promote


class Code:
    _immutable_fields_ = ("ops[*]", "name")

    def __init__(self, ops, name):
        self.ops = ops
        self.name = name


class Obj:
    pass


def loc(pc, code):
    return "%s pc=%d %r" % (code.name, pc, code.ops[pc])


def show(v):
    """A value as the runs compare it: exact for big ints, -0.0 and NaN."""
    if type(v) is int:
        return ("int", v)
    if type(v) is float:
        return ("float", v.hex())
    return (type(v).__name__, repr(v))


def describe(obj):
    # the guest-visible heap: every attribute, sorted, with its value
    return sorted((k, show(v)) for k, v in vars(obj).items())


@metatrace.jit(greens=["pc", "code"], reds=["obj", "acc", "n", "out"], get_printable_location=loc)
def run(code, obj, n, out):
    pc = 0
    acc = 0
    while True:
        jit_merge_point(pc=pc, code=code, obj=obj, acc=acc, n=n, out=out)
        op, arg = code.ops[pc]
        pc += 1
        if op == "set":            # obj.<arg> = acc
            setattr(obj, arg, acc)
        elif op == "get":          # acc = obj.<arg>
            acc = getattr(obj, arg)
        elif op == "has":          # acc = hasattr(obj, <arg>)
            acc = getattr(obj, arg, None) is not None
        elif op == "const":        # acc = <arg>
            acc = arg
        elif op == "add":          # acc = acc + <arg>
            acc = acc + arg
        elif op == "is":           # acc = (acc is <arg>)
            acc = acc is promote(arg)
        elif op == "eq":           # acc = (acc == <arg>)
            acc = acc == arg
        elif op == "emit":         # out.append(acc)
            out.append(acc)
        elif op == "loop":
            n -= 1
            if n > 0:
                pc = 0
        elif op == "ret":
            return acc
