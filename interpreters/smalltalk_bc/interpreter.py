"""The bytecode interpreter: frames, the dispatch loop (the JIT portal) and message sending.

JIT hints, and why they are where they are (see docs/smalltalk.md for the long version):

* ``interpret(method, frame)`` is the portal.  Greens are ``pc`` and ``method`` (together
  they name one bytecode of the SOM program); the red is ``frame``, which is virtualizable
  (its ``sp`` and its ``stack`` list, holding arguments, locals and the operand stack, live in
  registers in compiled code).
* ``JUMP_BACK`` (the back edge of every inlined ``whileTrue:``/``to:do:``) and
  ``Block>>restart`` are where interpreted loops close: ``can_enter_jit`` goes there.
* A send promotes the receiver's class, then the lookup is ``@elidable`` under the class's
  quasi-immutable ``version``: in a trace the whole lookup folds to a constant method.
* Integers are Python ints and Doubles Python floats, so the arithmetic bytecodes work on
  unboxed values in traces; overflow into big integers is Python's own.
* Functions with loops are ``@unroll_safe`` only when the loop count is a constant in traces
  (the argument count of a send, the closure level of a variable).

This module only uses the Python subset the tracer understands in everything reachable from
the dispatch loop; error reporting and the rare paths live in ``primitives.py``/``universe.py``.
"""

from __future__ import annotations

from typing import Any, List, Optional

import metatrace
from metatrace import can_enter_jit, jit_merge_point, promote

from . import bytecodes as B
from .objects import SArray, SBlock, SClass, SMethod, SObject, SPrimitive, SSymbol

# the running universe (set by Universe.__init__); the interpreter reads classes from it
U: Any = None


class NonLocalReturn(Exception):
    """``^value`` from a block: unwinds Python frames up to the home method's activation."""

    def __init__(self, value: Any, home: "Frame") -> None:
        Exception.__init__(self)
        self.value = value
        self.home = home


class SomError(Exception):
    """A fatal error of the SOM program (primitive failure, bad argument, ...)."""

    def __init__(self, message: str, frame: Optional["Frame"] = None) -> None:
        Exception.__init__(self, message)
        self.message = message
        self.frame = frame


class SomExit(Exception):
    """``system exit: code``."""

    def __init__(self, code: int) -> None:
        Exception.__init__(self, code)
        self.code = code


class Frame:
    """One activation.  ``stack`` holds the arguments, then the locals, then the operand
    stack; ``sp`` indexes the top of the operand stack."""

    __slots__ = ("method", "receiver", "outer", "block", "caller", "stack", "sp", "alive", "pc")
    _virtualizable_ = ("sp", "pc", "stack[*]")
    _immutable_fields_ = ("method", "receiver", "outer", "block", "caller", "stack")

    def __init__(self, method: SMethod, receiver: Any, block: Optional[SBlock],
                 caller: Optional["Frame"]) -> None:
        self.method = method
        self.receiver = receiver
        self.block = block
        self.outer = block.context if block is not None else None
        self.caller = caller
        self.stack = [None] * method.frame_size
        self.sp = method.num_args + method.num_locals - 1
        self.alive = True
        self.pc = 0

    def push(self, value: Any) -> None:
        sp = self.sp + 1
        self.stack[sp] = value
        self.sp = sp

    def pop(self) -> Any:
        sp = self.sp
        value = self.stack[sp]
        self.stack[sp] = None
        self.sp = sp - 1
        return value

    def top(self) -> Any:
        return self.stack[self.sp]

    def home(self) -> "Frame":
        f = self
        while f.outer is not None:
            f = f.outer
        return f


@metatrace.unroll_safe
def outer_frame(frame: Frame, level: int) -> Frame:
    f = frame
    while level > 0:
        f = f.outer
        level -= 1
    return f


@metatrace.unroll_safe
def home_frame(frame: Frame) -> Frame:
    f = frame
    while f.outer is not None:
        f = f.outer
    return f


def class_of(obj: Any) -> SClass:
    t = type(obj)
    if t is SObject:
        return obj.clazz
    if t is int:
        return U.integer_class
    if t is float:
        return U.double_class
    if t is bool:
        if obj:
            return U.true_class
        return U.false_class
    if obj is None:
        return U.nil_class
    if t is str:
        return U.string_class
    if t is SArray:
        return U.array_class
    if t is SSymbol:
        return U.symbol_class
    return obj.clazz


def get_printable_location(pc: int, method: SMethod) -> str:
    holder = method.holder.name.string if method.holder is not None else "?"
    return "%s>>#%s @%d %s" % (holder, method.signature.string, pc, B.opname(method.code, pc))


# function_threshold: a method is traced from its entry after 3238 calls (twice the default).
# Its code is entered by the next call; traced at 1619, young methods fail more guards (SOM
# one iteration: CD 16%, Havlak 9%, DeltaBlue 5% slower; benchmarks/compare.py, min of 8)
@metatrace.jit(greens=["pc", "method"], reds=["frame"], virtualizables=["frame"],
               get_printable_location=get_printable_location, is_recursive=True,
               name="som", params={"function_threshold": 3238})
def interpret(method: SMethod, frame: Frame) -> Any:
    pc = 0
    while True:
        jit_merge_point(pc=pc, method=method, frame=frame)
        # the stack depth at a pc is always the same (the compiler keeps the stack balanced):
        # as a constant of the trace, every stack slot index is a constant too
        promote(frame.sp)
        code = method.code
        op = code[pc]
        if op < B.SEND:
            if op == B.PUSH_LOCAL:
                sp = frame.sp + 1
                frame.stack[sp] = frame.stack[code[pc + 1]]
                frame.sp = sp
                pc += 2
            elif op == B.POP_LOCAL:
                sp = frame.sp
                frame.stack[code[pc + 1]] = frame.stack[sp]
                frame.stack[sp] = None
                frame.sp = sp - 1
                pc += 2
            elif op == B.PUSH_CONST:
                sp = frame.sp + 1
                frame.stack[sp] = method.literals[code[pc + 1]]
                frame.sp = sp
                pc += 2
            elif op == B.PUSH_FIELD:
                sp = frame.sp + 1
                frame.stack[sp] = frame.receiver.fields[code[pc + 1]]
                frame.sp = sp
                pc += 2
            elif op == B.PUSH_SELF:
                sp = frame.sp + 1
                frame.stack[sp] = frame.receiver
                frame.sp = sp
                pc += 1
            elif op == B.POP:
                sp = frame.sp
                frame.stack[sp] = None
                frame.sp = sp - 1
                pc += 1
            elif op == B.POP_FIELD:
                sp = frame.sp
                frame.receiver.fields[code[pc + 1]] = frame.stack[sp]
                frame.stack[sp] = None
                frame.sp = sp - 1
                pc += 2
            elif op == B.PUSH_OUTER:
                outer = outer_frame(frame, code[pc + 2])
                sp = frame.sp + 1
                frame.stack[sp] = outer.stack[code[pc + 1]]
                frame.sp = sp
                pc += 3
            elif op == B.POP_OUTER:
                outer = outer_frame(frame, code[pc + 2])
                sp = frame.sp
                outer.stack[code[pc + 1]] = frame.stack[sp]
                frame.stack[sp] = None
                frame.sp = sp - 1
                pc += 3
            elif op == B.DUP:
                sp = frame.sp + 1
                frame.stack[sp] = frame.stack[sp - 1]
                frame.sp = sp
                pc += 1
            elif op == B.PUSH_NIL:
                sp = frame.sp + 1
                frame.stack[sp] = None
                frame.sp = sp
                pc += 1
            elif op == B.PUSH_GLOBAL:
                frame.pc = pc
                frame.push(U.global_value(frame, method.literals[code[pc + 1]]))
                pc += 2
            elif op == B.PUSH_BLOCK:
                bm = method.literals[code[pc + 1]]
                frame.push(SBlock(bm, frame, bm.block_class))
                pc += 2
            else:
                raise SomError("bad opcode %d" % op, frame)
        elif op < B.JUMP:
            if op == B.SEND:
                frame.pc = pc
                if send(frame, method.literals[code[pc + 1]]):
                    # Block>>restart: run this method again from the start
                    frame.sp = method.num_args + method.num_locals - 1
                    pc = 0
                    can_enter_jit(pc=pc, method=method, frame=frame)
                else:
                    pc += 2
            elif op == B.RETURN_LOCAL:
                return frame.stack[frame.sp]
            elif op == B.RETURN_SELF:
                return frame.receiver
            elif op == B.SUPER_SEND:
                frame.pc = pc
                super_send(frame, method.literals[code[pc + 1]], method)
                pc += 2
            elif op == B.RETURN_NONLOCAL:
                value = frame.stack[frame.sp]
                home = home_frame(frame)
                if home.alive:
                    raise NonLocalReturn(value, home)
                frame.pc = pc
                return escaped_block(frame)
            else:
                raise SomError("bad opcode %d" % op, frame)
        elif op < B.ADD:
            if op == B.JUMP_IF_FALSE:
                sp = frame.sp
                cond = frame.stack[sp]
                frame.stack[sp] = None
                frame.sp = sp - 1
                if cond is False:
                    pc = code[pc + 1]
                elif cond is True:
                    pc += 2
                else:
                    frame.pc = pc
                    raise not_boolean(frame, cond)
            elif op == B.JUMP_BACK:
                pc = code[pc + 1]
                can_enter_jit(pc=pc, method=method, frame=frame)
            elif op == B.JUMP:
                pc = code[pc + 1]
            elif op == B.JUMP_IF_TRUE:
                sp = frame.sp
                cond = frame.stack[sp]
                frame.stack[sp] = None
                frame.sp = sp - 1
                if cond is True:
                    pc = code[pc + 1]
                elif cond is False:
                    pc += 2
                else:
                    frame.pc = pc
                    raise not_boolean(frame, cond)
            elif op == B.JUMP_IF_NIL:
                if frame.pop() is None:
                    pc = code[pc + 1]
                else:
                    pc += 2
            elif op == B.JUMP_IF_NOT_NIL:
                if frame.pop() is not None:
                    pc = code[pc + 1]
                else:
                    pc += 2
            else:
                raise SomError("bad opcode %d" % op, frame)
        else:
            # binary operators with a fast path on unboxed Integer / Double operands
            sp = frame.sp
            a = frame.stack[sp - 1]
            b = frame.stack[sp]
            ta = type(a)
            tb = type(b)
            result: Any = None
            done = False
            if ta is int and tb is int:
                done = True
                if op == B.ADD:
                    result = a + b
                elif op == B.SUB:
                    result = a - b
                elif op == B.LT:
                    result = a < b
                elif op == B.LE:
                    result = a <= b
                elif op == B.GT:
                    result = a > b
                elif op == B.GE:
                    result = a >= b
                elif op == B.EQ:
                    result = a == b
                elif op == B.MUL:
                    result = a * b
                else:
                    done = False
            elif ta is float and tb is float:
                done = True
                if op == B.ADD:
                    result = a + b
                elif op == B.SUB:
                    result = a - b
                elif op == B.MUL:
                    result = a * b
                elif op == B.LT:
                    result = a < b
                elif op == B.LE:
                    result = a <= b
                elif op == B.GT:
                    result = a > b
                elif op == B.GE:
                    result = a >= b
                elif op == B.EQ:
                    result = a == b
                else:
                    done = False
            if done:
                frame.stack[sp] = None
                frame.stack[sp - 1] = result
                frame.sp = sp - 1
            else:
                frame.pc = pc
                send(frame, method.literals[code[pc + 1]])
            pc += 2


def send(frame: Frame, selector: SSymbol) -> bool:
    """Send ``selector`` to the receiver below its arguments on ``frame``'s stack; the result
    replaces them.  Returns True only for Block>>restart."""
    argc = selector.num_args
    rcvr = frame.stack[frame.sp - argc]
    cls = promote(class_of(rcvr))
    invokable = cls.lookup(selector)
    return dispatch(frame, selector, invokable, argc)


def super_send(frame: Frame, selector: SSymbol, method: SMethod) -> None:
    cls = method.holder.superclass
    invokable = None
    if cls is not None:
        invokable = cls.lookup(selector)
    dispatch(frame, selector, invokable, selector.num_args)


def dispatch(frame: Frame, selector: SSymbol, invokable: Any, argc: int) -> bool:
    if type(invokable) is SMethod:
        invoke_method(invokable, frame, argc)
        return False
    if invokable is None:
        send_dnu(frame, selector, argc)
        return False
    if invokable.is_restart:
        frame.sp = frame.sp - argc - 1
        return True
    call_primitive(invokable, frame, argc)
    return False


@metatrace.unroll_safe
def invoke_method(method: SMethod, caller: Frame, argc: int) -> None:
    stack = caller.stack
    base = caller.sp - argc
    new = Frame(method, stack[base], None, caller)
    nstack = new.stack
    i = 0
    while i < argc:
        nstack[i] = stack[base + 1 + i]
        stack[base + 1 + i] = None
        i += 1
    if method.catches_nlr:
        result = run_catching(method, new)
    else:
        result = interpret(method, new)
    stack[base] = result
    caller.sp = base


def run_catching(method: SMethod, frame: Frame) -> Any:
    """Run a method whose blocks contain ``^``: catch the returns aimed at this activation."""
    try:
        return interpret(method, frame)
    except NonLocalReturn as e:
        if e.home is frame:
            return e.value
        raise
    finally:
        frame.alive = False


# Python exceptions that mean "a primitive was handed something it cannot work with"; they
# become a SOM error naming the primitive, never a Python traceback.  Everything else (SomError,
# non-local returns, exit, RecursionError, the JIT's own exceptions) passes through.
PRIM_FAULTS = (TypeError, AttributeError, LookupError, ValueError, ArithmeticError)


def primitive_fault(prim: SPrimitive, frame: Frame, rcvr: Any,
                    exc: BaseException) -> SomError:
    holder = prim.holder
    name = holder.name.string if holder is not None else "?"
    cls = class_of(rcvr)
    inherits = False
    c = cls
    while c is not None:
        if c is holder:
            inherits = True
            break
        c = c.superclass
    if holder is not None and not inherits:
        # only reachable through reflection (Primitive>>invokeOn:with:)
        return SomError("Primitive %s>>#%s invoked on an instance of %s"
                        % (name, prim.signature.string, cls.name.string), frame)
    return SomError("Primitive %s>>#%s failed: %s" % (name, prim.signature.string,
                                                      _fault_text(exc)), frame)


def _fault_text(exc: BaseException) -> str:
    if isinstance(exc, ZeroDivisionError):
        return "division by zero"
    if isinstance(exc, OverflowError):
        return "numeric result out of range"
    if isinstance(exc, IndexError):
        return "index out of bounds"
    return "bad receiver or argument (%s)" % exc


def call_primitive(prim: SPrimitive, frame: Frame, argc: int) -> None:
    stack = frame.stack
    sp = frame.sp
    try:
        if argc == 0:
            result = prim.fn(frame, stack[sp])
        elif argc == 1:
            result = prim.fn(frame, stack[sp - 1], stack[sp])
            stack[sp] = None
        elif argc == 2:
            result = prim.fn(frame, stack[sp - 2], stack[sp - 1], stack[sp])
            stack[sp] = None
            stack[sp - 1] = None
        else:
            result = call_primitive_n(prim, frame, argc)
    except PRIM_FAULTS as e:
        raise primitive_fault(prim, frame, stack[sp - argc], e)
    stack[sp - argc] = result
    frame.sp = sp - argc


def call_primitive_n(prim: SPrimitive, frame: Frame, argc: int) -> Any:
    sp = frame.sp
    args = [frame.stack[sp - argc + 1 + i] for i in range(argc)]
    for i in range(argc):
        frame.stack[sp - i] = None
    return prim.fn(frame, frame.stack[sp - argc], *args)


def send_dnu(frame: Frame, selector: SSymbol, argc: int) -> None:
    stack = frame.stack
    sp = frame.sp
    base = sp - argc
    args = SArray([stack[base + 1 + i] for i in range(argc)])
    rcvr = stack[base]
    result = send_to(frame, rcvr, U.sym_dnu, [selector, args])
    stack[base] = result
    for i in range(base + 1, sp + 1):
        stack[i] = None
    frame.sp = base


def send_to(caller: Frame, rcvr: Any, selector: SSymbol, args: List[Any]) -> Any:
    """A send from Python (primitives, DNU, escapedBlock:, unknownGlobal:)."""
    invokable = class_of(rcvr).lookup(selector)
    if invokable is None:
        if selector is U.sym_dnu:
            raise SomError("%s does not understand #%s" % (
                class_of(rcvr).name.string, args[0].string), caller)
        return send_to(caller, rcvr, U.sym_dnu, [selector, SArray(list(args))])
    return invoke_with_args(invokable, rcvr, args, caller)


def invoke_with_args(invokable: Any, rcvr: Any, args: List[Any], caller: Frame) -> Any:
    if type(invokable) is SMethod:
        if len(args) != invokable.num_args:
            raise SomError("wrong number of arguments for %s: expected %d, got %d" % (
                invokable.signature.string, invokable.num_args, len(args)), caller)
        new = Frame(invokable, rcvr, None, caller)
        for i in range(len(args)):
            new.stack[i] = args[i]
        if invokable.catches_nlr:
            return run_catching(invokable, new)
        return interpret(invokable, new)
    if invokable.is_restart:
        raise SomError("#restart cannot be performed", caller)
    if len(args) != invokable.num_args:
        raise SomError("wrong number of arguments for primitive %s" % (
            invokable.signature.string), caller)
    try:
        return invokable.fn(caller, rcvr, *args)
    except PRIM_FAULTS as e:
        raise primitive_fault(invokable, caller, rcvr, e)


def escaped_block(frame: Frame) -> Any:
    """``^`` from a block whose home method has already returned: ``escapedBlock:``."""
    return send_to(frame, frame.receiver, U.sym_escaped_block, [frame.block])


def not_boolean(frame: Frame, value: Any) -> SomError:
    return SomError("an inlined conditional expected a Boolean but got an instance of %s"
                    % class_of(value).name.string, frame)


def eval_block(caller: Frame, block: SBlock, args: List[Any]) -> Any:
    m = promote(block.method)  # constant in a trace: the frame's size folds
    new = Frame(m, block.context.receiver, block, caller)
    for i in range(len(args)):
        new.stack[i] = args[i]
    return interpret(m, new)


def block_value0(caller: Frame, block: SBlock) -> Any:
    m = promote(block.method)  # constant in a trace: the frame's size folds
    new = Frame(m, block.context.receiver, block, caller)
    return interpret(m, new)


def block_value1(caller: Frame, block: SBlock, a: Any) -> Any:
    m = promote(block.method)  # constant in a trace: the frame's size folds
    new = Frame(m, block.context.receiver, block, caller)
    new.stack[0] = a
    return interpret(m, new)


def block_value2(caller: Frame, block: SBlock, a: Any, b: Any) -> Any:
    m = promote(block.method)  # constant in a trace: the frame's size folds
    new = Frame(m, block.context.receiver, block, caller)
    new.stack[0] = a
    new.stack[1] = b
    return interpret(m, new)
