"""A tiny VM whose functions call each other through the portal (call_assembler) and raise
guest exceptions that callers catch; every call prints, so a callee body run twice shows."""

import metatrace
from metatrace import can_enter_jit, jit_merge_point

PRINT, CALL, TRY, RAISE, LOOP, RET, ADD = range(7)


class GuestError(Exception):
    pass


class Func:
    _immutable_fields_ = ("name", "code[*]", "funcs")

    def __init__(self, name, code):
        self.name = name
        self.code = code
        self.funcs = ()


def loc(pc, func):
    return "%s:%d" % (func.name, pc)


@metatrace.jit(greens=["pc", "func"], reds=["acc", "n", "out", "handler"], get_printable_location=loc)
def run(func, acc, n, out):
    pc = 0
    handler = -1
    while True:
        jit_merge_point(pc=pc, func=func, acc=acc, n=n, out=out, handler=handler)
        op, arg = func.code[pc]
        pc += 1
        if op == LOOP:
            n -= 1
            if n > 0:
                pc = arg
                can_enter_jit(pc=pc, func=func, acc=acc, n=n, out=out, handler=handler)
            continue
        if op == RET:
            return acc
        try:
            if op == PRINT:
                out.append("%s %d" % (func.name, acc))
            elif op == ADD:
                acc += arg
            elif op == CALL:
                acc = run(func.funcs[arg], acc, 1, out)
            elif op == TRY:
                handler = arg
            elif op == RAISE:
                if acc % arg != 0:
                    raise GuestError(acc)
        except GuestError as e:
            if handler < 0:
                raise
            out.append("caught %s in %s" % (e, func.name))
            pc = handler
            handler = -1


def program():
    # main: loop { try { print; acc = callee(acc) } handler: add 1 }
    # callee: print; (add 1) x3; add -3; print; raise unless acc % 5 == 0; print; return
    main = Func("main", ((TRY, 4), (PRINT, 0), (CALL, 0), (ADD, 0), (ADD, 1), (LOOP, 0), (RET, 0)))
    callee = Func("callee", ((PRINT, 0), (ADD, 1), (ADD, 1), (ADD, 1), (ADD, -3), (PRINT, 0),
                             (RAISE, 5), (PRINT, 0), (RET, 0)))
    main.funcs = (callee,)
    callee.funcs = (callee,)
    return main
