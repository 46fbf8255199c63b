"""Tier 2: a loop's inner body as a Numba (LLVM) kernel.

After the optimizer, the loop proper of many traces (the ops after the second label) is plain
int/float/bool arithmetic with guards: the objects, frames and boxes are gone into loop variables.
Such a body is *pure*: it reads its inputs and writes nothing but its own variables.  Tier 2
compiles exactly that part with ``numba.njit``:

* the kernel runs iterations until one would leave the fast path -- a guard that would fail, an
  int that would overflow 64 bits, a division by zero, a math function outside its domain -- and
  then returns the loop variables *as they were at the start of that iteration*, with the number
  of iterations it completed;
* the tier-1 Python code of the tree takes those values and runs that iteration itself, so every
  guard failure, bridge, deferred store, exception and big-int overflow happens exactly as in
  tier 1.  Running an iteration again from its start is exact because the kernel changes
  nothing before an iteration completes: its variables are assigned at the iteration's end,
  and its bytearray writes (the only memory it writes) are held in kernel variables until then:
  tier 2 can only change how fast the program runs;
* a guard whose bridge jumps back to this loop (re-running its preamble) need not leave: when
  the bridge and the preamble lower too, the kernel runs them as the rest of the iteration
  (``BridgeInfo``; the kernel is generated again when such bridges are attached later).

The preamble, the bridges and the exits stay Python (tier 1).  What cannot be lowered -- any
op that touches a Python object -- keeps the whole loop in tier 1, with the reason recorded in
the trace log (``tier_reason``).

Numba is imported only when the first kernel is compiled (its import costs ~0.3 s and its first
compile another ~0.3 s); compiled kernels are cached per process by source and signature, and
on disk across processes (``kernel_cache``, ``METATRACE_CACHE``), so a second run of the same
program loads its kernels instead of compiling them.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import sys
import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ..ir.model import Const, Op, Value
from .pygen import compile_source

INT_MIN = -(1 << 63)
INT_MAX = (1 << 63) - 1
_NUMBERS = (int, float, bool)


class Unlowerable(Exception):
    """The loop cannot run in tier 2; the message says which op and why."""


# ---------------------------------------------------------------------------------------------
# which calls a kernel may make: the callee (by identity) -> how to emit it
#   (argument classes accepted, result class, expression template, exit-condition templates)
# An exit condition is checked *before* the call: when it holds, Python would raise or the
# machine result would differ, so the kernel leaves and Python runs the iteration.

def _math_calls() -> Dict[int, Tuple[str, Tuple[Any, ...], Any, str, Tuple[str, ...]]]:
    F = (float,)
    table: Dict[int, Tuple[str, Tuple[Any, ...], Any, str, Tuple[str, ...]]] = {}

    def add(fn: Any, name: str, argcls: Tuple[Any, ...], res: Any, expr: str, *exits: str) -> None:
        table[id(fn)] = (name, argcls, res, expr, exits)

    add(math.isinf, "isinf", F, bool, "math.isinf({0})")
    add(math.isnan, "isnan", F, bool, "math.isnan({0})")
    add(math.isfinite, "isfinite", F, bool, "math.isfinite({0})")
    add(math.fabs, "fabs", F, float, "math.fabs({0})")
    add(math.fmod, "fmod", (float, float), float, "_np.fmod({0}, {1})",
        "{1} == 0.0", "math.isinf({0})")
    add(math.sqrt, "sqrt", F, float, "math.sqrt({0})", "{0} < 0.0")
    for n in ("sin", "cos", "tan"):
        add(getattr(math, n), n, F, float, "math.%s({0})" % n, "math.isinf({0})")
    add(math.atan, "atan", F, float, "math.atan({0})")
    add(math.atan2, "atan2", (float, float), float, "math.atan2({0}, {1})")
    add(math.exp, "exp", F, float, "math.exp({0})", "{0} > 709.0")
    add(math.log, "log", F, float, "math.log({0})", "not ({0} > 0.0)", "math.isinf({0})")
    add(math.floor, "floor", F, int, "math.floor({0})", "not (-9.2e18 < {0} < 9.2e18)")
    add(math.ceil, "ceil", F, int, "math.ceil({0})", "not (-9.2e18 < {0} < 9.2e18)")
    add(float, "float", (int,), float, "float({0})")
    return table


_CALLS = _math_calls()

# int ops: kernel form; "ovf" ops go through an overflow-checking intrinsic
_INT_BIN = {"int_add": "add", "int_sub": "sub", "int_mul": "mul"}
_PLAIN_BIN = {"int_and": "&", "int_or": "|", "int_xor": "^"}
_COMPARE = {"lt": "<", "le": "<=", "eq": "==", "ne": "!=", "gt": ">", "ge": ">="}
_FLOAT_BIN = {"float_add": "+", "float_sub": "-", "float_mul": "*"}
_SKIP = {"debug_merge_point", "guard_no_exception", "guard_not_invalidated"}
# buffers a kernel reads and writes in place (Numba takes them through the buffer protocol, no
# copy); the class -> Numba type name.  Only exact classes: a subclass may override indexing.
_BUFFERS = (bytearray,)
_BUFFER_OPS = ("getitem", "setitem", "len")
# no bytearray is longer than this: no 64-bit machine addresses more than 2**57 bytes, so an
# index below a length plus a small offset cannot overflow 64 bits
MAX_LEN = 1 << 57
_TEMP = re.compile(r"^[tb]\d+$")  # a kernel temporary: assigned once, where it is defined


class Plan:
    """The shape of a loop's inner body, decided once per tree (classes come later)."""

    def __init__(self, label: Op, body: List[Op]) -> None:
        self.label = label
        self.body = body  # ops after the label, ending with the jump
        self.jump = body[-1]
        self.params: List[Value] = []  # values the kernel reads that come from outside the body
        self.invalidation_token: Any = None
        self.ops = sum(1 for op in body if op.name not in _SKIP)  # operations per iteration
        for op in body:
            if op.name == "guard_not_invalidated":
                self.invalidation_token = op.descr
        # for bridges that jump back to the tree: what a jump to it runs before the loop
        self.root_inputargs: List[Value] = []
        self.preamble: List[Op] = []
        self.key: Any = None
        self._collect()

    def _collect(self) -> None:
        inside = {id(op) for op in self.body}
        seen: set = set()
        label_args = self.label.args
        for op in self.body:
            if op.name in _SKIP:
                continue
            for k, a in enumerate(op.args):
                if isinstance(a, Const) or id(a) in inside or id(a) in seen:
                    continue
                if op is self.jump and k < len(label_args) and a is label_args[k]:
                    continue  # passed on unchanged: not read
                seen.add(id(a))
                self.params.append(a)
        label_args = self.label.args
        self.passthrough = [self.jump.args[j] is a for j, a in enumerate(label_args)]
        # a label arg the jump passes on unchanged is read as a parameter, never returned; the
        # others are returned (in label order) to the Python code, which assigns them
        self.returned = [j for j, p in enumerate(self.passthrough) if not p]
        read_ids = {id(p) for p in self.params}
        self.read = [id(a) in read_ids for a in label_args]


def plan_inner_loop(root_ops: List[Op]) -> Any:
    """A :class:`Plan` for the root trace's loop proper, or a string saying why there is none."""
    labels = [i for i, op in enumerate(root_ops) if op.name == "label"]
    if len(labels) < 2:
        return "the trace has no loop proper (no second label): nothing runs long enough in it"
    body = root_ops[labels[1] + 1:]
    if not body or body[-1].name != "jump":
        return "the loop proper does not end with a jump to itself"
    buffers = _buffer_values(root_ops, labels[1])
    for k, op in enumerate(body[:-1]):
        reason = _structural(op, buffers)
        if reason:
            return "op %d of the loop (%s): %s" % (k + 1, op.name, reason)
    plan = Plan(root_ops[labels[1]], body)
    plan.root_inputargs = list(root_ops[labels[0]].args)
    plan.preamble = root_ops[labels[0] + 1:labels[1]]
    return plan


class BridgeInfo:
    """A bridge of one of the loop's guards, for the kernel to run: its inputs are the guard's
    fail arguments; it must end by jumping back to the tree (``key``)."""

    def __init__(self, failargs: Sequence[Value], inputargs: Sequence[Value], ops: Sequence[Op],
                 key: Any, sunk: bool) -> None:
        self.failargs = list(failargs)
        self.inputargs = list(inputargs)
        self.ops = list(ops)
        self.key = key
        self.sunk = sunk  # the guard has work on its failure path: not run in a kernel


MAX_BRIDGE_DEPTH = 4  # bridges of bridges followed
MAX_BRIDGE_OPS = 400  # bridge and preamble ops one kernel may hold (Numba's compile time)


def _buffer_values(root_ops: List[Op], inner: int) -> set:
    """Ids of the values the trace checked to be a buffer class (a ``guard_class``), and of the
    loop variables that start from one.  Only a first sieve: the kernel's entry checks every
    input's class again, so a value named here that is something else runs in tier 1."""
    known = set()
    for op in root_ops:
        if (op.name == "guard_class" and len(op.args) == 2 and isinstance(op.args[1], Const)
                and op.args[1].value in _BUFFERS):
            known.add(id(op.args[0]))
    label = root_ops[inner]
    if isinstance(label.descr, list):
        for a, v in zip(label.args, label.descr):
            if id(v) in known:
                known.add(id(a))
    return known


def _structural(op: Op, buffers: Any = ()) -> str:
    name = op.name
    if name in _BUFFER_OPS:
        # a byte read or write, or the length, of a bytearray the loop gets from outside
        if op.args and not isinstance(op.args[0], Const) and id(op.args[0]) in buffers:
            return ""
        return "works on Python objects"
    if name in _SKIP or name in _INT_BIN or name in _PLAIN_BIN or name in _FLOAT_BIN:
        return ""
    if name.startswith(("int_", "float_")) or name in ("cast_int_to_float", "same_as", "ptr_eq", "ptr_ne"):
        return ""
    if name in ("guard_true", "guard_false", "guard_value", "guard_class", "guard_nonnull", "guard_is"):
        return ""
    if name in ("call", "call_pure"):
        if op.args and isinstance(op.args[0], Const):
            try:
                if id(op.args[0].value) in _CALLS:
                    return ""
            except TypeError:
                pass
        return "a call of %s, which machine code cannot make" % (
            getattr(op.args[0], "value", "a computed function") if op.args else "?")
    return "works on Python objects"


# ---------------------------------------------------------------------------------------------
# kernel source

class _NewValue:
    """The origin of a value the kernel computed again (a preamble re-run after a bridge)."""


_NEW = _NewValue()


class _Gen:
    def __init__(self, plan: Plan, classes: Sequence[Any],
                 aliases: Optional[Sequence[int]] = None,
                 bridges: Optional[Dict[int, BridgeInfo]] = None) -> None:
        self.plan = plan
        self.names: Dict[int, str] = {}
        self.cls: Dict[int, Any] = {}
        self.lines: List[str] = []
        self.consts: Dict[str, float] = {}
        # buffers: the input value -> the kernel name of its object.  Inputs that are the same
        # object (``aliases[k]``: the first input that is the same object as input k) share
        # one name, so a read sees every pending write to that object whichever input it came
        # through; the wrapper checks the same pattern at each entry.
        self.buffers: Dict[int, str] = {}
        # an iteration's writes, in order, held until the iteration completes:
        # (buffer name, index key, checked index variable, value expression)
        self.pending: List[Tuple[str, Any, str, str]] = []
        self.indices: Dict[Tuple[str, Any], str] = {}  # (buffer, index key) -> checked index
        self.temps = 0
        self.ranges: Dict[str, Tuple[int, int]] = {}  # kernel temp -> the values it may hold
        self.compares: Dict[str, Tuple[str, str, str]] = {}  # bool temp -> what it compares
        self.lens: Dict[str, str] = {}  # temp -> the buffer it is the length of
        self.below: set = set()  # (temp, buffer): temp < len(buffer) on this path
        self.serial = 0
        self.indent = 2
        # bridges the kernel runs itself: id(guard op) -> the bridge (see BridgeInfo)
        self.bridges: Dict[int, BridgeInfo] = dict(bridges or {})
        self.origin: Dict[int, Any] = {}  # in a bridge: value -> the loop's value it is
        self.depth = 0
        self.bridge_ops = 0
        self.deferred: Optional[List[Any]] = []
        self.state: List[str] = []  # the kernel variable of each returned loop variable
        self.state_classes: List[Any] = []
        for k, (p, c) in enumerate(zip(plan.params, classes)):
            if c not in _NUMBERS and c not in _BUFFERS:
                raise Unlowerable("loop input %d is a %s, not an int, float, bool or bytearray"
                                  % (k, c.__name__))
            self.names[id(p)] = "p%d" % k
            self.cls[id(p)] = c
            if c in _BUFFERS:
                self.buffers[id(p)] = "p%d" % (aliases[k] if aliases is not None else k)
        self.names_at_entry = dict(self.names)
        self.entry_classes = dict(self.cls)

    def val(self, v: Value) -> str:
        if not isinstance(v, Const):
            try:
                return self.names[id(v)]
            except KeyError:
                raise Unlowerable("a value the kernel does not have (a Python object)")
        if isinstance(v, Const):
            x = v.value
            t = type(x)
            if t is bool:
                return repr(x)
            if t is int:
                if not INT_MIN <= x <= INT_MAX:
                    raise Unlowerable("the constant %d does not fit in 64 bits" % x)
                return "(%d)" % x
            if t is float:
                if math.isfinite(x) and not (x == 0.0 and math.copysign(1.0, x) < 0):
                    return "(%r)" % x
                n = "_F%d" % len(self.consts)
                self.consts[n] = x
                return n
            raise Unlowerable("the constant %r is not a number" % (x,))
        return self.names[id(v)]

    def klass(self, v: Value) -> Any:
        if isinstance(v, Const):
            t = type(v.value)
            return t if t in _NUMBERS else type(v.value)
        try:
            return self.cls[id(v)]
        except KeyError:
            raise Unlowerable("a value the kernel does not have (a Python object)")

    def emit(self, text: str, indent: Optional[int] = None) -> None:
        self.lines.append("    " * (self.indent if indent is None else indent) + text)

    def fresh(self) -> str:
        """A variable name used nowhere else in the kernel (its paths must not share a
        variable of two types)."""
        self.serial += 1
        return "t%d" % self.serial

    def leave_if(self, cond: str) -> None:
        self.emit("if %s:" % cond)
        self.emit("return _exit", self.indent + 1)

    def guard(self, op: Op, cond: str) -> None:
        """A guard failing when ``cond`` holds: the kernel leaves, or runs the guard's bridge
        when it has one the kernel can run (it jumps back to this loop)."""
        bridge = self.bridges.get(id(op)) if self.bridges else None
        if bridge is None:
            self.leave_if(cond)
            return
        if self.depth >= MAX_BRIDGE_DEPTH:
            self.leave_if(cond)
            return
        self.emit("if %s:" % cond)
        if self.deferred is not None:  # the main path: bridges are generated once it is done
            self.lines.append(None)  # type: ignore[arg-type]
            self.deferred.append((len(self.lines) - 1, op, bridge, self.snapshot(), self.indent + 1))
        else:
            self.lines.extend(self.bridge_block(op, bridge, self.snapshot(), self.indent + 1))

    def define(self, op: Op, expr: str, cls: Any) -> None:
        n = self.fresh()
        self.names[id(op)] = n
        self.cls[id(op)] = cls
        self.emit("%s = %s" % (n, expr))

    def as_int(self, v: Value) -> str:
        """An int operand (a bool counts as 0/1 in int arithmetic, as in Python)."""
        c = self.klass(v)
        if c is int:
            return self.val(v)
        if c is bool:
            return "(1 if %s else 0)" % self.val(v)
        raise Unlowerable("an int operation on a %s" % c.__name__)

    def learn(self, cond: str, holds: bool) -> None:
        """A guard showed ``cond`` (a comparison) to be ``holds`` on the path after it: bounds
        of the kernel temporaries it compares (an index then needs no check of its own)."""
        cmp = self.compares.get(cond)
        if cmp is None:
            return
        op, x, y = cmp
        if not holds:
            op = {"lt": "ge", "le": "gt", "gt": "le", "ge": "lt", "eq": "ne", "ne": "eq"}[op]
        if not _TEMP.match(x):
            return
        lo, hi = self.ranges.get(x, (INT_MIN, INT_MAX))
        ry = self.range_of(y)
        if op in ("ge", "gt") and ry is not None:
            lo = max(lo, ry[0] + (op == "gt"))
        elif op in ("lt", "le"):
            if ry is not None:
                hi = min(hi, ry[1] - (op == "lt"))
            if op == "lt" and y in self.lens:
                self.below.add((x, self.lens[y]))
        elif op == "eq" and ry is not None:
            lo, hi = max(lo, ry[0]), min(hi, ry[1])
        if lo <= hi:
            self.ranges[x] = (lo, hi)

    def int_range(self, name: str, x: str, y: str) -> Optional[Tuple[int, int]]:
        """The range of ``x op y`` when both operands' ranges are known (bytes read, masked
        values, small constants) and it fits in 64 bits; else None."""
        rx, ry = self.range_of(x), self.range_of(y)
        if rx is None or ry is None:
            return None
        if name == "int_add":
            lo, hi = rx[0] + ry[0], rx[1] + ry[1]
        elif name == "int_sub":
            lo, hi = rx[0] - ry[1], rx[1] - ry[0]
        else:
            c = [a * b for a in rx for b in ry]
            lo, hi = min(c), max(c)
        return (lo, hi) if INT_MIN <= lo and hi <= INT_MAX else None

    def range_of(self, text: str) -> Optional[Tuple[int, int]]:
        r = self.ranges.get(text)
        if r is not None:
            return r
        if text.startswith("(") and text.endswith(")"):
            try:
                c = int(text[1:-1])
            except ValueError:
                return None
            return (c, c)
        return None

    def as_float(self, v: Value) -> str:
        c = self.klass(v)
        if c is float:
            return self.val(v)
        raise Unlowerable("a float operation on a %s" % c.__name__)

    def op(self, op: Op) -> None:
        name = op.name
        a = op.args
        if name in _INT_BIN:
            x, y = self.as_int(a[0]), self.as_int(a[1])
            n = self.fresh()
            known = self.int_range(name, x, y)
            if known is not None:  # both operands are small: no overflow possible
                self.emit("%s = %s %s %s" % (n, x, {"int_add": "+", "int_sub": "-", "int_mul": "*"}[name], y))
                self.ranges[n] = known
            else:
                # a flag of its own per check: a variable assigned once (Numba's SSA and
                # liveness passes grow with the blocks times the variables assigned many times)
                o = "o" + n
                self.emit("%s, %s = _%s_ovf(%s, %s)" % (n, o, _INT_BIN[name], x, y))
                self.leave_if(o)
            self.names[id(op)] = n
            self.cls[id(op)] = int
        elif name in _PLAIN_BIN:
            ca, cb = self.klass(a[0]), self.klass(a[1])
            if ca is bool and cb is bool:
                self.define(op, "(%s %s %s)" % (self.val(a[0]), _PLAIN_BIN[name], self.val(a[1])), bool)
            else:
                self.define(op, "(%s %s %s)" % (self.as_int(a[0]), _PLAIN_BIN[name], self.as_int(a[1])), int)
                if name == "int_and":  # x & mask with a mask >= 0 is within 0..mask
                    for v in a:
                        if isinstance(v, Const) and type(v.value) is int and 0 <= v.value <= INT_MAX:
                            self.ranges[self.names[id(op)]] = (0, v.value)
        elif name in ("int_floordiv", "int_mod"):
            x, y = self.as_int(a[0]), self.as_int(a[1])
            self.leave_if("%s == 0 or (%s == -1 and %s == %d)" % (y, y, x, INT_MIN))
            self.define(op, "(%s %s %s)" % (x, "//" if name == "int_floordiv" else "%", y), int)
        elif name == "int_lshift":
            x, y = self.as_int(a[0]), self.as_int(a[1])
            self.leave_if("%s < 0 or %s > 62" % (y, y))
            n = self.fresh()
            self.emit("%s = %s << %s" % (n, x, y))
            self.leave_if("(%s >> %s) != %s" % (n, y, x))
            self.names[id(op)] = n
            self.cls[id(op)] = int
        elif name == "int_rshift":
            x, y = self.as_int(a[0]), self.as_int(a[1])
            self.leave_if("%s < 0 or %s > 62" % (y, y))
            self.define(op, "(%s >> %s)" % (x, y), int)
        elif name == "int_neg":
            x = self.as_int(a[0])
            self.leave_if("%s == %d" % (x, INT_MIN))
            self.define(op, "(-%s)" % x, int)
        elif name == "int_invert":
            self.define(op, "(~%s)" % self.as_int(a[0]), int)
        elif name == "int_is_true":
            self.define(op, "(%s != 0)" % self.as_int(a[0]), bool)
        elif name == "int_is_zero":
            self.define(op, "(%s == 0)" % self.as_int(a[0]), bool)
        elif name.startswith("int_") and name[4:] in _COMPARE:
            x, y = self.as_int(a[0]), self.as_int(a[1])
            self.define(op, "(%s %s %s)" % (x, _COMPARE[name[4:]], y), bool)
            self.compares[self.names[id(op)]] = (name[4:], x, y)
        elif name.startswith("float_") and name[6:] in _COMPARE:
            self.define(op, "(%s %s %s)" % (self.as_float(a[0]), _COMPARE[name[6:]], self.as_float(a[1])), bool)
        elif name in _FLOAT_BIN:
            self.define(op, "(%s %s %s)" % (self.as_float(a[0]), _FLOAT_BIN[name], self.as_float(a[1])), float)
        elif name == "float_truediv":
            x, y = self.as_float(a[0]), self.as_float(a[1])
            self.leave_if("%s == 0.0" % y)
            self.define(op, "(%s / %s)" % (x, y), float)
        elif name == "float_neg":
            self.define(op, "(-%s)" % self.as_float(a[0]), float)
        elif name == "float_abs":
            self.define(op, "abs(%s)" % self.as_float(a[0]), float)
        elif name == "cast_int_to_float":
            self.define(op, "float(%s)" % self.as_int(a[0]), float)
        elif name == "same_as":
            self.names[id(op)] = self.val(a[0])
            self.cls[id(op)] = self.klass(a[0])
        elif name in ("ptr_eq", "ptr_ne"):
            self.ptr_compare(op)
        elif name in ("guard_true", "guard_false"):
            c = self.klass(a[0])
            if c not in _NUMBERS:
                raise Unlowerable("%s on a %s" % (name, c.__name__))
            self.guard(op, ("not %s" if name == "guard_true" else "%s") % self.val(a[0]))
            self.learn(self.val(a[0]), name == "guard_true")
        elif name == "guard_value":
            c = self.klass(a[0])
            if c is not op.descr or not isinstance(a[1], Const):
                raise Unlowerable("guard_value expects a %s, the loop has a %s"
                                  % (getattr(op.descr, "__name__", op.descr), c.__name__))
            self.guard(op, "%s != %s" % (self.val(a[0]), self.val(a[1])))
        elif name == "guard_class":
            if not isinstance(a[1], Const) or self.klass(a[0]) is not a[1].value:
                raise Unlowerable("guard_class always fails on a %s" % self.klass(a[0]).__name__)
        elif name == "guard_nonnull":
            self.klass(a[0])  # a number is never None
        elif name == "guard_is":
            if self.klass(a[0]) is not bool or not isinstance(a[1], Const) or type(a[1].value) is not bool:
                raise Unlowerable("guard_is on a number (identity of ints is not defined)")
            self.guard(op, "%s != %s" % (self.val(a[0]), self.val(a[1])))
        elif name in ("call", "call_pure"):
            self.call(op)
        elif name == "getitem":
            self.getitem(op)
        elif name == "setitem":
            self.setitem(op)
        elif name == "len":
            buf = self.buffer(op, a[0])
            self.define(op, "len(%s)" % buf, int)
            self.lens[self.names[id(op)]] = buf
            self.ranges[self.names[id(op)]] = (0, MAX_LEN)
        elif name in _SKIP:
            pass
        else:
            raise Unlowerable("op %s cannot run in tier 2" % name)

    # -- bytearrays ---------------------------------------------------------------------------
    # ``b[i]`` and ``b[i] = v`` with Python's meaning for a bytearray and an int index: an index
    # below zero counts from the end (once), one still outside ``0 <= i < len(b)`` raises
    # IndexError, a value outside 0..255 raises ValueError.  The kernel computes the wrapped
    # index exactly and leaves (tier 1 runs the iteration, and raises) for anything else.
    # Writes are not made at once: they are held in the kernel's own variables and stored when
    # the iteration completes, so an exit later in the same iteration leaves the buffer as the
    # iteration found it.  A read looks at the writes held before it (the newest that may be
    # at its index wins); the same index value of the same object is known to be the same item.

    def temp(self) -> str:
        self.temps += 1
        return "b%d" % self.temps

    def buffer(self, op: Op, v: Value) -> str:
        name = self.buffers.get(id(v)) if not isinstance(v, Const) else None
        if name is None:
            raise Unlowerable("%s on a %s" % (op.name, self.klass(v).__name__))
        return name

    def index_key(self, v: Value) -> Any:
        return ("const", v.value) if isinstance(v, Const) else id(v)

    def index(self, buf: str, v: Value) -> str:
        """The checked, wrapped index of ``buf[v]``: leaves the kernel when Python would raise."""
        key = (buf, self.index_key(v))
        hit = self.indices.get(key)
        if hit is not None:
            return hit
        if self.klass(v) not in (int, bool):
            raise Unlowerable("a bytearray index that is a %s" % self.klass(v).__name__)
        x = self.as_int(v)
        r = self.range_of(x)
        if r is not None and r[0] >= 0 and (x, buf) in self.below:
            # the trace's own guards showed 0 <= x < len(buf) on this path
            self.indices[key] = x
            return x
        n = self.temp()
        # (no branches: Numba's passes grow with the number of blocks)
        self.emit("%s = %s + len(%s) * (%s < 0)" % (n, x, buf, x))
        self.leave_if("(%s < 0) | (%s >= len(%s))" % (n, n, buf))
        self.indices[key] = n
        return n

    def getitem(self, op: Op) -> None:
        buf = self.buffer(op, op.args[0])
        key = self.index_key(op.args[1])
        held = [w for w in self.pending if w[0] == buf]
        same = [k for k, w in enumerate(held) if w[1] == key]
        if same:  # the newest write at this very index: its value, no read
            idx = held[same[-1]][2]
            expr = held[same[-1]][3]
            held = held[same[-1] + 1:]
        else:
            idx = self.index(buf, op.args[1])
            expr = "_np.int64(%s[%s])" % (buf, idx)
        for w in held:  # a write held since, at an index that may be the same
            n = self.temp()
            self.emit("%s = %s" % (n, expr))
            # both are bytes: the held one where the indices are equal, with no branch
            expr = "(%s + (%s - %s) * (%s == %s))" % (n, w[3], n, idx, w[2])
        self.define(op, expr, int)
        self.ranges[self.names[id(op)]] = (0, 255)  # a byte read, or a byte held to be written

    def setitem(self, op: Op) -> None:
        buf = self.buffer(op, op.args[0])
        idx = self.index(buf, op.args[1])
        v = op.args[2]
        c = self.klass(v)
        if c is bool:
            value = "(1 if %s else 0)" % self.val(v)
        elif c is int:
            value = self.val(v)
            r = self.ranges.get(value)
            if r is None or r[0] < 0 or r[1] > 255:
                self.leave_if("(%s < 0) | (%s > 255)" % (value, value))
        else:
            raise Unlowerable("a bytearray item set to a %s" % c.__name__)
        self.pending.append((buf, self.index_key(op.args[1]), idx, value))

    def stores(self) -> List[str]:
        """The iteration's writes, in order (a write a later one at the same index of the same
        object replaces is left out)."""
        out = []
        for k, (buf, key, idx, value) in enumerate(self.pending):
            if any(w[0] == buf and w[1] == key for w in self.pending[k + 1:]):
                continue
            out.append("%s[%s] = %s" % (buf, idx, value))
        return out

    # -- bridges ------------------------------------------------------------------------------
    # A guard of the loop whose bridge jumps back to this tree, re-running its preamble, need
    # not leave the kernel: the kernel runs the bridge and the preamble as the rest of the same
    # iteration (its writes are still held; any exit in them hands tier 1 the iteration's
    # start, and tier 1 fails the guard and runs the bridge itself), checks that the values the
    # loop holds fixed come out the same, and goes on with the next iteration.

    def snapshot(self) -> Tuple[Any, ...]:
        return (dict(self.names), dict(self.cls), dict(self.buffers), list(self.pending),
                dict(self.indices), dict(self.origin), dict(self.ranges), set(self.below))

    def restore(self, snap: Tuple[Any, ...]) -> None:
        self.names, self.cls, self.buffers = dict(snap[0]), dict(snap[1]), dict(snap[2])
        self.pending, self.indices, self.origin = list(snap[3]), dict(snap[4]), dict(snap[5])
        self.ranges, self.below = dict(snap[6]), set(snap[7])

    def origin_of(self, v: Value) -> Any:
        return self.origin.get(id(v), v)

    def forget(self, v: Value) -> None:
        """``v`` is about to mean another value: drop what is known of it (a held write at index
        ``v`` is compared at run time from now on)."""
        for d in (self.names, self.cls, self.buffers):
            d.pop(id(v), None)
        self.indices = {k: n for k, n in self.indices.items() if k[1] != id(v)}
        self.pending = [(b, object() if k == id(v) else k, i, x) for b, k, i, x in self.pending]

    def bind(self, target: Value, source: Value) -> None:
        """``target`` is ``source`` from here on (a bridge's input, the tree's input a jump
        passes)."""
        origin = self.origin_of(source)
        known = [(d, d[id(source)]) for d in (self.names, self.cls, self.buffers)
                 if not isinstance(source, Const) and id(source) in d]
        self.forget(target)
        self.origin[id(target)] = origin
        for d, x in known:
            d[id(target)] = x
        if isinstance(source, Const):
            if type(source.value) in _NUMBERS:
                self.names[id(target)] = self.val(source)
                self.cls[id(target)] = type(source.value)

    def bridge_block(self, op: Op, bridge: BridgeInfo, snap: Tuple[Any, ...], indent: int) -> List[str]:
        saved_lines, saved_indent, saved = self.lines, self.indent, self.snapshot()
        self.lines = []
        self.depth += 1
        try:
            self.restore(snap)
            self.indent = indent
            self.run_bridge(bridge)
            out = self.lines
        except Unlowerable:
            out = ["    " * indent + "return _exit"]
        finally:
            self.depth -= 1
            self.lines, self.indent = saved_lines, saved_indent
            self.restore(saved)
        return out

    def run_bridge(self, bridge: BridgeInfo) -> None:
        plan = self.plan
        if bridge.sunk or not bridge.ops or bridge.ops[-1].name != "jump" or \
                bridge.ops[-1].descr != plan.key or len(bridge.inputargs) != len(bridge.failargs):
            raise Unlowerable("the bridge does not jump back to the loop")
        self.bridge_ops += len(bridge.ops) + len(plan.preamble)
        if self.bridge_ops > MAX_BRIDGE_OPS:
            raise Unlowerable("too many bridge ops for one kernel")
        for o in itertools.chain(bridge.ops, plan.preamble):
            if o.name == "guard_not_invalidated" and o.descr is not plan.invalidation_token:
                raise Unlowerable("the bridge depends on what the kernel's entry does not check")
        for ia, fa in zip(bridge.inputargs, bridge.failargs):
            self.bind(ia, fa)
        for o in bridge.ops[:-1]:
            self.op(o)
        jump = bridge.ops[-1]
        if len(jump.args) < len(plan.root_inputargs):
            raise Unlowerable("the bridge's jump passes too few values")
        for ia, a in zip(plan.root_inputargs, jump.args):
            self.bind(ia, a)
        for o in plan.preamble:  # computed again: what the loop's entry computes
            self.forget(o)
            self.origin[id(o)] = _NEW
            self.op(o)
        label = plan.label
        sources = label.descr if isinstance(label.descr, list) else label.args
        new_state: List[str] = []
        k = 0
        for j, a in enumerate(label.args):
            src = sources[j]
            if plan.passthrough[j]:
                if self.origin_of(src) is a:
                    continue  # the very value the loop holds
                c = self.entry_classes.get(id(a))
                if c in (int, bool) and self.klass(src) is c:
                    self.leave_if("%s != %s" % (self.val(src), self.names_at_entry[id(a)]))
                    continue
                raise Unlowerable("the bridge changes a value the loop holds fixed")
            want = self.state_classes[k]
            k += 1
            if want is None:  # a constant the wrapper fills in: it must be that constant
                if not (isinstance(src, Const) and src.same_constant(plan.jump.args[j])):
                    raise Unlowerable("the bridge passes another value for a constant")
                continue
            if self.klass(src) is not want:
                raise Unlowerable("the bridge passes a %s for a %s" % (self.klass(src).__name__, want.__name__))
            new_state.append(self.val(src))
        # the preamble values the loop reads must come out the same
        label_ids = {id(a) for a in label.args}
        for p in plan.params:
            if id(p) in label_ids or self.origin_of(p) is p:
                continue
            c = self.cls.get(id(p))
            if c in (int, bool) and self.entry_classes.get(id(p)) is c:
                self.leave_if("%s != %s" % (self.names[id(p)], self.names_at_entry[id(p)]))
                continue
            raise Unlowerable("the bridge changes a value the loop reads from its preamble")
        self.lines.extend("    " * self.indent + line for line in self.stores())
        targets = [v for v, c in zip(self.state, self.state_classes) if c is not None]
        if targets:
            self.emit("%s = %s" % (", ".join(targets) + ",", ", ".join(new_state) + ","))
        self.emit("_n += 1")
        self.emit("continue")

    def ptr_compare(self, op: Op) -> None:
        a, b = op.args
        ca, cb = self.klass(a), self.klass(b)
        eq = op.name == "ptr_eq"
        if ca is bool and cb is bool:
            self.define(op, "(%s %s %s)" % (self.val(a), "==" if eq else "!=", self.val(b)), bool)
        elif ca in _BUFFERS and cb in _BUFFERS and not isinstance(a, Const) and not isinstance(b, Const):
            # inputs that are the same object share a name (checked at entry)
            same = self.buffers[id(a)] == self.buffers[id(b)]
            self.define(op, repr(same == eq), bool)
        elif ca in _BUFFERS or cb in _BUFFERS:
            if (isinstance(a, Const) and a.value is None) or (isinstance(b, Const) and b.value is None):
                self.define(op, "False" if eq else "True", bool)  # a bytearray is not None
            else:
                raise Unlowerable("%s of a bytearray and a %s" % (op.name, (cb if ca in _BUFFERS else ca).__name__))
        elif (isinstance(a, Const) and a.value is None) or (isinstance(b, Const) and b.value is None):
            other = ca if not (isinstance(a, Const) and a.value is None) else cb
            if other not in _NUMBERS:
                raise Unlowerable("%s of two Python objects" % op.name)
            self.define(op, "False" if eq else "True", bool)
        elif ca is not cb and ca in _NUMBERS and cb in _NUMBERS:
            self.define(op, "False" if eq else "True", bool)
        else:
            raise Unlowerable("%s of two %ss (identity of numbers is not defined)" % (op.name, ca.__name__))

    def call(self, op: Op) -> None:
        entry = _CALLS.get(id(op.args[0].value))  # type: ignore[attr-defined]
        if entry is None:
            raise Unlowerable("a call machine code cannot make")
        fname, argcls, res, expr, exits = entry
        args = op.args[1:]
        if op.descr or len(args) != len(argcls):
            raise Unlowerable("%s called with %d arguments" % (fname, len(args)))
        texts = []
        for v, want in zip(args, argcls):
            if self.klass(v) is not want:
                raise Unlowerable("%s of a %s" % (fname, self.klass(v).__name__))
            texts.append(self.val(v))
        for cond in exits:
            self.leave_if(cond.format(*texts))
        self.define(op, expr.format(*texts), res)


def kernel_source(plan: Plan, classes: Sequence[Any], aliases: Optional[Sequence[int]] = None,
                  bridges: Optional[Dict[int, BridgeInfo]] = None
                  ) -> Tuple[str, Dict[str, float], List[Any]]:
    """The kernel's Python source for these parameter classes (and this pattern of inputs that
    are the same object, see :func:`alias_pattern`); the float constants it names; the classes
    of the values it returns.  Raises :class:`Unlowerable`."""
    g = _Gen(plan, classes, aliases, bridges)
    label_args = plan.label.args
    state: List[str] = []  # kernel variable per returned label arg
    out_classes: List[Any] = []
    init = set()  # variables the jump writes and nothing reads: initialized to their class's zero
    for j in plan.returned:
        a = label_args[j]
        if plan.read[j]:
            state.append(g.names[id(a)])
        else:
            n = "s%d" % j
            state.append(n)
            init.add(n)
    g.state = state
    for op in plan.body[:-1]:
        g.op(op)
    body = g.lines
    # the jump: the classes of the next values must be those the variables started with
    jump_args = plan.jump.args
    assigns_to: List[str] = []
    assigns_from: List[str] = []
    for k, j in enumerate(plan.returned):
        src = jump_args[j]
        if not plan.read[j] and isinstance(src, Const) and type(src.value) not in _NUMBERS:
            out_classes.append(None)  # the wrapper fills the constant in
            continue
        c = g.klass(src)
        if c not in _NUMBERS:
            raise Unlowerable("loop variable %d receives a %s" % (j, c.__name__))
        if plan.read[j]:
            start = g.cls[id(label_args[j])]
            if start is not c:
                raise Unlowerable("loop variable %d starts as a %s and continues as a %s"
                                  % (j, start.__name__, c.__name__))
        out_classes.append(c)
        assigns_to.append(state[k])
        assigns_from.append(g.val(src))
    # the bridges the kernel runs, each from where its guard stood on the main path
    g.state_classes = out_classes
    deferred, g.deferred = g.deferred or [], None
    blocks = {pos: g.bridge_block(op, bridge, snap, indent) for pos, op, bridge, snap, indent in deferred}
    spliced: List[str] = []
    for k, line in enumerate(body):
        spliced.extend(blocks[k] if k in blocks else [line])
    body = spliced
    returned_vars = [state[k] for k, c in enumerate(out_classes) if c is not None]
    exit_tuple = "(_n, %s)" % "".join(v + ", " for v in returned_vars)
    params = [g.names[id(p)] for p in plan.params]
    lines = ["def kernel(%s):" % ", ".join(params), "    _n = 0"]
    dummy = {int: "0", float: "0.0", bool: "False"}
    for k in range(len(plan.returned)):
        if state[k] in init and out_classes[k] is not None:
            lines.append("    %s = %s" % (state[k], dummy[out_classes[k]]))
    lines.append("    while True:")
    lines.extend(line.replace("return _exit", "return " + exit_tuple) for line in body)
    # the iteration is complete: its writes go to memory (every exit is above this point)
    lines.extend("        " + line for line in g.stores())
    if assigns_to:
        lines.append("        %s = %s" % (", ".join(assigns_to) + ",", ", ".join(assigns_from) + ","))
    lines.append("        _n += 1")
    return "\n".join(lines) + "\n", g.consts, out_classes


# ---------------------------------------------------------------------------------------------
# compiling

_lock = threading.Lock()
# (source, signature, constants) -> compiled entry, least recently used first; bounded, since a
# long-running process can compile any number of distinct loops and each kernel holds its
# machine code and Numba's bookkeeping
_cache: "OrderedDict[Tuple[Any, ...], Any]" = OrderedDict()
KERNEL_CACHE_MAX = 256
_support: Dict[str, Any] = {}


def warm() -> bool:
    """Has this process compiled a kernel already (Numba imported and initialized)?"""
    return bool(_cache)


def available() -> Optional[str]:
    """None when Numba can be used, else why not."""
    if "answer" not in _availability:
        import importlib.util

        if sys.implementation.name != "cpython":
            _availability["answer"] = "Numba needs CPython"
        else:
            try:
                found = importlib.util.find_spec("numba") is not None
            except (ImportError, ValueError):
                found = False
            # not imported here: that costs ~0.3 s, paid only when a kernel is compiled
            _availability["answer"] = None if found else "Numba is not installed"
    return _availability["answer"]


_availability: Dict[str, Optional[str]] = {}


def _intrinsics() -> Dict[str, Any]:
    if _support:
        return _support
    import numpy
    from numba import types
    from numba.extending import intrinsic

    def make(method: str) -> Any:
        @intrinsic
        def ovf(typingctx: Any, a: Any, b: Any) -> Any:
            if not (isinstance(a, types.Integer) and isinstance(b, types.Integer)):
                return None
            rtype = types.Tuple((types.int64, types.boolean))

            def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
                x = context.cast(builder, args[0], signature.args[0], types.int64)
                y = context.cast(builder, args[1], signature.args[1], types.int64)
                res = getattr(builder, method)(x, y)
                return context.make_tuple(builder, signature.return_type,
                                          [builder.extract_value(res, 0), builder.extract_value(res, 1)])

            return rtype(a, b), codegen

        return ovf

    _support.update({"_add_ovf": make("sadd_with_overflow"), "_sub_ovf": make("ssub_with_overflow"),
                     "_mul_ovf": make("smul_with_overflow"), "math": math,
                     "_np": numpy})
    return _support


def _numba_type(cls: Any) -> Any:
    from numba import types

    if cls is bytearray:
        return types.ByteArray(types.uint8, 1, "C")
    return {int: types.int64, float: types.float64, bool: types.boolean}[cls]


def alias_pattern(values: Sequence[Any]) -> List[int]:
    """For each input, the first input that is the same buffer object (itself if none)."""
    out = []
    for k, v in enumerate(values):
        first = k
        if type(v) in _BUFFERS:
            for j in range(k):
                if values[j] is v:
                    first = j
                    break
        out.append(first)
    return out


def compile_kernel(src: str, consts: Dict[str, float], classes: Sequence[Any]) -> Any:
    """Compile (or find in the cache) a kernel; returns its fastest Python-callable entry."""
    return _compile(src, consts, classes)[0]


def _compile(src: str, consts: Dict[str, float],
             classes: Sequence[Any]) -> Tuple[Any, Dict[str, int]]:
    """The kernel's entry, from this process's cache, the disk cache (``kernel_cache``) or
    Numba's compiler; and what happened, as counter increments for the driver's stats."""
    signature = tuple(c.__name__ for c in classes)
    const_items = tuple(sorted((k, repr(v)) for k, v in consts.items()))
    key = (src, signature, const_items)
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit, {}
        import numba

        from . import kernel_cache

        ns: Dict[str, Any] = dict(_intrinsics())
        ns.update(consts)
        # an importable module name: a kernel loaded from disk rebuilds its environment from it
        ns["__name__"] = kernel_cache.__name__
        # a name no other kernel in this process or on disk has: machine code loaded from the
        # disk cache keeps the symbol names of the process that compiled it
        name = "kernel_%s_%d" % (_TOKEN, next(_serial))
        text = src.replace("def kernel(", "def %s(" % name, 1)
        exec(compile_source(text, "<metatrace tier-2 kernel>"), ns)
        sig = tuple(_numba_type(c) for c in classes)
        disp = numba.njit(ns[name])
        entry, counts = kernel_cache.compile_dispatcher(disp, sig, src, signature, const_items)
        disp.disable_compile()
        fn: Callable[..., Any] = entry
        _cache[key] = fn
        while len(_cache) > KERNEL_CACHE_MAX:
            _cache.popitem(last=False)  # the tree that uses it keeps its own reference
        return fn, counts


_TOKEN = "%012x" % int.from_bytes(os.urandom(6), "big")
_serial = itertools.count(1)


def wrapper_source(plan: Plan, classes: Sequence[Any], out_classes: Sequence[Any],
                   aliases: Optional[Sequence[int]] = None) -> str:
    """The Python function tier-1 code calls: checks the inputs fit, runs the kernel, and
    returns the loop variables to assign (or None when the kernel did not run an iteration)."""
    params = ["a%d" % k for k in range(len(plan.params))]
    checks = []
    for n, c in zip(params, classes):
        if c is int:
            checks.append("%s.__class__ is int and %d <= %s <= %d" % (n, INT_MIN, n, INT_MAX))
        else:
            checks.append("%s.__class__ is %s" % (n, c.__name__))
    # buffers: the same objects are the same, and different ones different, as the kernel
    # was generated for
    firsts = [k for k, c in enumerate(classes) if c in _BUFFERS
              and (aliases is None or aliases[k] == k)]
    for k, c in enumerate(classes):
        if c not in _BUFFERS:
            continue
        first = aliases[k] if aliases is not None else k
        if first != k:
            checks.append("a%d is a%d" % (k, first))
        else:
            checks.extend("a%d is not a%d" % (k, j) for j in firsts if j < k)
    if plan.invalidation_token is not None:
        checks.append("not _token.invalid")
    lines = ["def enter(%s):" % ", ".join(params)]
    lines.append("    if %s:" % (" and ".join(checks) or "True"))
    lines.append("        r = _kernel(%s)" % "".join(p + ", " for p in params))
    lines.append("        if r[0]:")
    lines.append("            _stats[0] += 1")
    lines.append("            _stats[1] += r[0]")
    out = []
    k = 1
    for j, c in zip(plan.returned, out_classes):
        if c is None:
            out.append("_C%d" % j)
        else:
            out.append("r[%d]" % k)
            k += 1
    lines.append("            return (%s)" % "".join(o + ", " for o in out))
    lines.append("    return None")
    return "\n".join(lines) + "\n"


class Kernel:
    """A compiled kernel for one tree, with its Python entry."""

    def __init__(self, plan: Plan, classes: Sequence[Any], stats: List[int],
                 aliases: Optional[Sequence[int]] = None,
                 bridges: Optional[Dict[int, BridgeInfo]] = None) -> None:
        self.plan = plan
        self.classes = list(classes)
        self.aliases = list(aliases) if aliases is not None else list(range(len(self.classes)))
        self.bridges = dict(bridges or {})  # the bridges known when it was generated
        self.source, consts, self.out_classes = kernel_source(plan, classes, self.aliases,
                                                              self.bridges)
        # how many of them it runs itself (the others leave the kernel)
        self.bridges_run = self.source.count("_n += 1") - 1
        self.ops = plan.ops
        t0 = time.perf_counter()
        entry, self.counts = _compile(self.source, consts, classes)
        self.compile_s = time.perf_counter() - t0
        # where the machine code came from: "memory" (this process had it), "disk" (the kernel
        # cache), "numba" (compiled now)
        self.origin = ("memory" if not self.counts else
                       "disk" if self.counts.get("kernel_cache_hits") else "numba")
        ns: Dict[str, Any] = {"_kernel": entry, "_stats": stats, "_token": plan.invalidation_token}
        for j, c in zip(plan.returned, self.out_classes):
            if c is None:
                ns["_C%d" % j] = plan.jump.args[j].value  # type: ignore[attr-defined]
        self.wrapper_src = wrapper_source(plan, classes, self.out_classes, self.aliases)
        exec(compile_source(self.wrapper_src, "<metatrace tier-2 entry>"), ns)
        self.enter = ns["enter"]
