"""Trace values and operations.

An operation is its own result value (as in RPython's resoperation): ``Op.args`` refer to other
ops, input arguments or constants.  Guards carry a :class:`Snapshot` — where the interpreter is
(frames of jitcode, pc and live registers) if the guard fails.
"""

from __future__ import annotations

import itertools
from typing import Any, List, Optional, Sequence, Tuple

from .ops import OPS, OpSpec


class Value:
    __slots__ = ()
    type = "r"

    def is_const(self) -> bool:
        return False


class Const(Value):
    __slots__ = ("value", "type")

    def __init__(self, value: Any, type: Optional[str] = None) -> None:
        self.value = value
        self.type = type or type_of(value)

    def is_const(self) -> bool:
        return True

    def same_constant(self, other: Any) -> bool:
        return isinstance(other, Const) and type(self.value) is type(other.value) and (
            self.value is other.value or (_hashable(self.value) and self.value == other.value
                                          and not _is_nan(self.value)))

    def __repr__(self) -> str:
        return "Const(%r)" % (self.value,)


def _hashable(v: Any) -> bool:
    return isinstance(v, (int, float, str, bytes, type(None), bool))


def _is_nan(v: Any) -> bool:
    return isinstance(v, float) and v != v


def type_of(value: Any) -> str:
    t = type(value)
    if t is int or t is bool:
        return "i"
    if t is float:
        return "f"
    return "r"


class InputArg(Value):
    __slots__ = ("type", "hint")

    def __init__(self, type: str = "r", hint: str = "") -> None:
        self.type = type
        self.hint = hint

    def __repr__(self) -> str:
        return "InputArg(%s)" % self.type


class FrameSnapshot:
    """One interpreter frame at a guard: ``regs`` maps register numbers to trace values."""

    __slots__ = ("jitcode", "pc", "regs", "func", "override")

    def __init__(self, jitcode: Any, pc: int, regs: List[Tuple[int, Value]], func: Any = None,
                 override: Optional[Value] = None) -> None:
        self.jitcode = jitcode
        self.pc = pc
        self.regs = regs
        self.func = func  # the Python function (its globals and closure)
        self.override = override  # a constructor's __init__ frame returns this object instead


class _ExcMarker(Value):
    """Stands for 'the exception the preceding op raised at run time' in a snapshot."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "EXC"


EXC = _ExcMarker()


class Snapshot:
    """Where to resume when a guard fails.

    ``mode`` is ``"redo"`` (re-execute the top frame's instruction at ``pc``: it has no effect
    yet) or ``"done"`` (the instruction at ``pc`` ran: its result is ``result`` unless ``exc``
    holds the exception it raised).
    """

    __slots__ = ("frames", "mode", "result", "exc", "heap")

    def __init__(self, frames: List[FrameSnapshot], mode: str = "redo",
                 result: Optional[Value] = None, exc: Optional[Value] = None) -> None:
        self.frames = frames
        self.mode = mode
        self.result = result
        self.exc = exc
        # what the tracer knew of the heap at this point: (object, attribute, value) triples
        # of plain attributes, the object and value live here (in the resume data) or constant.
        # A bridge traced from the guard starts knowing them (it does not read them again).
        # Only the tracer's own snapshot of a point has them: a pass that makes a new snapshot
        # (a guard moved to the loop's entry) makes one without.
        self.heap: Optional[List[Tuple[Value, str, Value]]] = None

    def values(self) -> List[Value]:
        out: List[Value] = []
        for f in self.frames:
            for _reg, v in f.regs:
                out.append(v)
            if f.override is not None:
                out.append(f.override)
        if self.result is not None:
            out.append(self.result)
        if self.exc is not None:
            out.append(self.exc)
        return out


class Deferred:
    """A store the optimizer delayed; a guard does it on its failure path before it exits.

    ``kind`` is ``append`` (``values`` are appended to ``target``), ``setfield`` (``key`` is the
    attribute name, ``values[0]`` the value), ``setitem`` (``key`` is the index value) or
    ``alloc`` (allocate the virtual object ``target`` of class ``key``, without ``__init__``;
    its attributes follow as ``setfield`` entries; for ``key`` ``list``, ``values[0]`` is the
    constant length, the list starts as that many ``None`` and its items follow as ``setitem``).
    """

    __slots__ = ("kind", "target", "key", "values")

    def __init__(self, kind: str, target: Value, key: Any, values: List[Value]) -> None:
        self.kind = kind
        self.target = target
        self.key = key
        self.values = values

    def uses(self) -> List[Value]:
        if self.kind == "alloc":
            return []  # defines target
        out = [self.target] + list(self.values)
        if self.kind == "setitem":
            out.append(self.key)
        return out

    def remap(self, replace: dict) -> "Deferred":
        key = replace.get(id(self.key), self.key) if self.kind == "setitem" else self.key
        return Deferred(self.kind, replace.get(id(self.target), self.target), key,
                        [replace.get(id(v), v) for v in self.values])

    def perform(self, get: Any, define: Any = None) -> None:
        """Do the store on concrete values (``get`` maps a trace value to its value; ``define``
        binds a trace value, for ``alloc``)."""
        if self.kind == "alloc":
            if self.key is list:
                define(self.target, [None] * self.values[0].value)
            else:
                define(self.target, self.key.__new__(self.key))
            return
        target = get(self.target)
        if self.kind == "append":
            target.extend(get(v) for v in self.values)
        elif self.kind == "setfield":
            setattr(target, self.key, get(self.values[0]))
        else:
            target[get(self.key)] = get(self.values[0])


_SEQ = itertools.count()


def born_before(old: Value, new: "Op") -> bool:
    """``old`` existed before op ``new`` made its value: a constant, an input, or an op made
    earlier (ops are numbered as they are made, ``Op.seq``).  A value an allocation made is none
    of the objects that existed before it.  Only for ops numbered in trace order: the tracer's,
    as it records them (an optimizer pass that makes ops numbers them after every recorded op,
    so it must use positions instead, as ``sink`` does)."""
    if not isinstance(new, Op):
        return not isinstance(old, Op)  # ``new`` is an input made at the trace's start (a bridge's)
    return not isinstance(old, Op) or old.seq < new.seq


class Op(Value):
    __slots__ = ("name", "args", "descr", "type", "snapshot", "guard_id", "location", "sunk", "seq",
                 "__weakref__")

    def __init__(self, name: str, args: Sequence[Value] = (), descr: Any = None,
                 type: Optional[str] = None) -> None:
        spec = OPS[name]
        self.name = name
        self.args = list(args)
        self.descr = descr
        self.type = type or spec.result
        self.snapshot: Optional[Snapshot] = None
        self.guard_id = -1
        self.location: Any = None  # interpreter source (file, line) for the log
        self.sunk: List["Deferred"] = []  # guards: stores done on the failure path, in order
        self.seq = next(_SEQ)  # creation order (see born_before)

    @property
    def spec(self) -> OpSpec:
        return OPS[self.name]

    def is_guard(self) -> bool:
        return OPS[self.name].is_guard

    def has_result(self) -> bool:
        return self.type != "v"

    def __repr__(self) -> str:
        return "<Op %s>" % self.name


class Trace:
    """A linear trace: input arguments and operations, ending in ``jump``, ``finish`` or ``finish_raise``."""

    def __init__(self, inputargs: List[InputArg], ops: List[Op]) -> None:
        self.inputargs = inputargs
        self.ops = ops

    def copy(self) -> "Trace":
        return Trace(list(self.inputargs), list(self.ops))

    def count(self, name: str) -> int:
        return sum(1 for op in self.ops if op.name == name)

    def op_counts(self) -> dict:
        out: dict = {}
        for op in self.ops:
            out[op.name] = out.get(op.name, 0) + 1
        return out

    def __str__(self) -> str:
        from .text import format_trace

        return format_trace(self)
