"""The stacklang interpreter, with JIT hints (the end state of docs/tutorial.md).

Plain Python: with METATRACE=off (or on PyPy / Python 3.9) the hints do nothing.
"""

from __future__ import annotations

import metatrace
from metatrace import jit_merge_point

from .parse import OP, Function

PUSH, LOAD, STORE, POP, DUP, SWAP = OP["push"], OP["load"], OP["store"], OP["pop"], OP["dup"], OP["swap"]
ADD, SUB, MUL, DIV, MOD = OP["add"], OP["sub"], OP["mul"], OP["div"], OP["mod"]
LT, LE, EQ, NE, GT, GE, NOT, NEG = OP["lt"], OP["le"], OP["eq"], OP["ne"], OP["gt"], OP["ge"], OP["not"], OP["neg"]
JUMP, JZ, JNZ, CALL, RET, PRINT = OP["jump"], OP["jz"], OP["jnz"], OP["call"], OP["ret"], OP["print"]
NEWARRAY, AGET, ASET, ALEN = OP["newarray"], OP["aget"], OP["aset"], OP["alen"]
THROW, TRY, ENDTRY = OP["throw"], OP["try"], OP["endtry"]

ERR_DIV_ZERO = -1
ERR_INDEX = -2
ERR_TYPE = -3


class Thrown(Exception):
    """A stacklang exception (``throw``, division by zero, bad index) carrying an int value."""

    def __init__(self, value: int) -> None:
        Exception.__init__(self, value)
        self.value = value


class Frame:
    def __init__(self, func: Function, args: list) -> None:
        self.stack = []
        self.locals = args + [0] * (func.nlocals - func.nargs)
        self.handlers = []  # (handler pc, stack depth) of the active try blocks


def get_location(pc: int, func: Function) -> str:
    return "%s:%d %s" % (func.name, pc, func.opname(pc))


def arith(op: int, a: object, b: object) -> object:
    if type(a) is not int or type(b) is not int:
        raise Thrown(ERR_TYPE)
    if op == ADD:
        return a + b
    if op == SUB:
        return a - b
    if op == MUL:
        return a * b
    if b == 0:
        raise Thrown(ERR_DIV_ZERO)
    if op == DIV:
        return a // b
    return a % b


def compare(op: int, a: object, b: object) -> int:
    if op == EQ:
        return 1 if a == b else 0
    if op == NE:
        return 1 if a != b else 0
    if type(a) is not int or type(b) is not int:
        raise Thrown(ERR_TYPE)
    if op == LT:
        return 1 if a < b else 0
    if op == LE:
        return 1 if a <= b else 0
    if op == GT:
        return 1 if a > b else 0
    return 1 if a >= b else 0


@metatrace.jit(greens=["pc", "func"], reds=["frame", "out"], get_printable_location=get_location,
               name="stacklang", params={"inlining": 1})  # calls traced into: docs/hints.md
def run(func: Function, frame: Frame, out: list) -> object:
    pc = 0
    while True:
        jit_merge_point(pc=pc, func=func, frame=frame, out=out)
        op, arg = func.code[pc]
        pc += 1
        stack = frame.stack
        try:
            if op == PUSH:
                stack.append(arg)
            elif op == LOAD:
                stack.append(frame.locals[arg])
            elif op == STORE:
                frame.locals[arg] = stack.pop()
            elif op == POP:
                stack.pop()
            elif op == DUP:
                stack.append(stack[-1])
            elif op == SWAP:
                b = stack.pop()
                a = stack.pop()
                stack.append(b)
                stack.append(a)
            elif op == ADD or op == SUB or op == MUL or op == DIV or op == MOD:
                b = stack.pop()
                a = stack.pop()
                stack.append(arith(op, a, b))
            elif op == LT or op == LE or op == EQ or op == NE or op == GT or op == GE:
                b = stack.pop()
                a = stack.pop()
                stack.append(compare(op, a, b))
            elif op == NOT:
                stack.append(1 if stack.pop() == 0 else 0)
            elif op == NEG:
                stack.append(arith(SUB, 0, stack.pop()))
            elif op == JUMP:
                pc = arg
            elif op == JZ:
                if stack.pop() == 0:
                    pc = arg
            elif op == JNZ:
                if stack.pop() != 0:
                    pc = arg
            elif op == CALL:
                n = arg.nargs
                args = stack[len(stack) - n:]
                del stack[len(stack) - n:]
                stack.append(run(arg, Frame(arg, args), out))
            elif op == RET:
                return stack.pop()
            elif op == PRINT:
                out.append(stack.pop())
            elif op == NEWARRAY:
                n = stack.pop()
                if type(n) is not int or n < 0:
                    raise Thrown(ERR_TYPE)
                stack.append([0] * n)
            elif op == AGET:
                i = stack.pop()
                a = stack.pop()
                stack.append(array_get(a, i))
            elif op == ASET:
                v = stack.pop()
                i = stack.pop()
                a = stack.pop()
                array_set(a, i, v)
            elif op == ALEN:
                a = stack.pop()
                if type(a) is not list:
                    raise Thrown(ERR_TYPE)
                stack.append(len(a))
            elif op == THROW:
                raise Thrown(stack.pop())
            elif op == TRY:
                frame.handlers.append((arg, len(stack)))
            elif op == ENDTRY:
                frame.handlers.pop()
        except Thrown as e:
            if not frame.handlers:
                raise
            handler, depth = frame.handlers.pop()
            del stack[depth:]
            stack.append(e.value)
            pc = handler


def array_get(a: object, i: object) -> object:
    if type(a) is not list or type(i) is not int:
        raise Thrown(ERR_TYPE)
    if i < 0 or i >= len(a):
        raise Thrown(ERR_INDEX)
    return a[i]


def array_set(a: object, i: object, v: object) -> None:
    if type(a) is not list or type(i) is not int:
        raise Thrown(ERR_TYPE)
    if i < 0 or i >= len(a):
        raise Thrown(ERR_INDEX)
    a[i] = v


def run_program(funcs: dict, out: list) -> object:
    """Run ``main``; returns its result.  Printed values are appended to ``out``."""
    main = funcs["main"]
    return run(main, Frame(main, []), out)


# The lists a frame is made with are never replaced, only their items change: after a call, the
# JIT goes on with the lists it has instead of reading frame.stack and frame.locals again.
Frame._immutable_fields_ = ("stack", "locals", "handlers")
