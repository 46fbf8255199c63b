"""Sinking of ``list.append``: pushes that a later pop in the same trace takes back vanish.

A stack interpreter pushes and pops a Python list all the time.  This pass delays each
``call(list.append, L, x)`` while nothing can look at ``L``: a later ``call(list.pop, L)`` (or
``L[-1]``) then takes ``x`` directly and both calls disappear.  Appends still pending at a guard
are done on that guard's failure path (``op.sunk``, emitted by the backend before it leaves the
trace), so resume data never sees a half-built list; any op that might look at a list (a call,
an item access, anything that may run user code) and the trace's end make them happen first.
"""

from __future__ import annotations

from typing import Optional, Any, Dict, List

from .util import Rewrite
from ..ir.model import Const, Deferred, Op, Value

_SAFE = {
    "debug_merge_point", "label", "same_as", "new", "new_tuple", "new_method", "new_slice",
    "getglobal", "guard_true", "guard_false", "guard_value", "guard_is", "guard_class",
    "guard_nonnull", "guard_isnull", "guard_not_invalidated", "ptr_eq", "ptr_ne",
}


def _safe(op: Op, known: Dict[int, type]) -> bool:
    name = op.name
    if name in _SAFE or name.startswith(("int_", "float_", "cast_")):
        return True
    if name in ("getfield", "setfield"):
        cls = known.get(id(op.args[0]))
        return cls is not None and plain_attribute(cls, op.descr)
    return False


def plain_attribute(cls: type, name: str) -> bool:
    """Reading or writing ``name`` on instances of ``cls`` runs no Python code."""
    if cls.__getattribute__ is not object.__getattribute__ or cls.__setattr__ is not object.__setattr__:
        return False
    if hasattr(cls, "__getattr__"):
        return False
    for klass in cls.__mro__:
        attr = klass.__dict__.get(name)
        if attr is not None:
            return type(attr).__name__ == "member_descriptor" or not hasattr(attr, "__get__")
    return True


def _int_index(v: Value, known: Dict[int, type]) -> bool:
    """An index that calls no ``__index__``: an int constant, or a value of class int."""
    if isinstance(v, Const):
        return type(v.value) in (int, bool)
    return known.get(id(v)) in (int, bool) or getattr(v, "name", "").startswith("int_")


def _is(v: Value, f: Any) -> bool:
    return isinstance(v, Const) and v.value is f


def optimize(inputargs: List[Any], ops: List[Op], known_in: Optional[Dict[int, type]] = None) -> List[Op]:
    out: List[Op] = []
    pending: Dict[int, List[Value]] = {}
    lists: Dict[int, Value] = {}
    rw = Rewrite(ops)
    known: Dict[int, type] = dict(known_in or {})  # id(value) -> its exact class
    ptr_ne: Dict[int, Any] = {}
    distinct: set = set()

    def apart(a: Value, b: Value) -> bool:
        return (id(a), id(b)) in distinct

    def all_apart(box: Value) -> bool:
        return all(k != id(box) and apart(lists[k], box) for k in pending)

    def materialize() -> None:
        for key, values in pending.items():
            for v in values:
                new = Op("call", [Const(list.append), lists[key], v])
                new.location = where.get(id(v))
                out.append(new)
        pending.clear()

    where: Dict[int, Any] = {}  # value -> interpreter source of the append that pushed it

    for op in rw:
        name = op.name
        if name == "guard_class" and isinstance(op.args[1], Const):
            known[id(op.args[0])] = op.args[1].value
        elif name == "new_list":
            known[id(op)] = list
        elif name == "ptr_ne":
            ptr_ne[id(op)] = op.args
        elif name == "guard_true" and id(op.args[0]) in ptr_ne:
            a, b = ptr_ne[id(op.args[0])]
            distinct.add((id(a), id(b)))
            distinct.add((id(b), id(a)))
        args = op.args
        if name == "call" and len(args) == 3 and _is(args[0], list.append) and known.get(id(args[1])) is list:
            key = id(args[1])
            if pending and key not in pending and not all_apart(args[1]):
                materialize()
            lists[key] = args[1]
            pending.setdefault(key, []).append(args[2])
            where[id(args[2])] = op.location
            rw.drop(op)
            continue
        if name == "call" and len(args) == 2 and _is(args[0], list.pop) and pending.get(id(args[1])):
            rw.drop(op, pending[id(args[1])].pop())
            if not pending[id(args[1])]:
                del pending[id(args[1])]
            continue
        if (name == "getitem" and pending.get(id(args[0])) and isinstance(args[1], Const)
                and args[1].value == -1 and type(args[1].value) is int):
            rw.drop(op, pending[id(args[0])][-1])
            continue
        if op.is_guard():
            # every failure path — also a guard_no_exception after an op kept while appends are
            # pending — does the pending appends before it exits
            if pending:
                op.sunk = op.sunk + [Deferred("append", lists[k], None, list(vs)) for k, vs in pending.items() if vs]
            out.append(op)
            continue
        if (pending and name in ("getitem", "setitem", "len") and known.get(id(args[0])) is list
                and all_apart(args[0]) and (name == "len" or _int_index(args[1], known))):
            out.append(op)  # another list, proven distinct from the pending ones
            continue
        if (pending and name == "call" and isinstance(args[0], Const)
                and ((args[0].value is list.append and len(args) == 3)
                     or (args[0].value is list.pop and len(args) == 2))
                and known.get(id(args[1])) is list and all_apart(args[1])):
            out.append(op)
            continue
        if pending and not _safe(op, known):
            # the guard after this op (if any) leaves after the op: pending appends must be
            # done before it runs
            materialize()
        out.append(op)
    return out
