"""Sinking of ``list.append``: pushes that a later pop in the same trace takes back vanish.

A stack interpreter pushes and pops a Python list all the time.  This pass delays each
``call(list.append, L, x)`` while nothing can look at ``L``: a later ``call(list.pop, L)`` (or
``L[-1]``) then takes ``x`` directly and both calls disappear.  Appends still pending at a guard
are done on that guard's failure path (``op.sunk``, emitted by the backend before it leaves the
trace), so resume data never sees a half-built list; any op that might look at a list (a call,
an item access, anything that may run user code) and the trace's end make them happen first.

A stack VM passes a call's arguments as the last pushes: ``args = stack[len(stack) - n:]`` and
``del stack[len(stack) - n:]``.  With k appends pending on ``L``, ``len(L)`` is the real length
plus k (emitted as ``len`` + ``int_add``, so ``len(L) - n`` is known as "real length + k - n"); a
tail slice from there with ``0 <= k - n <= k`` covers only pending values, so reading it is a new
list of them (``new_list``, which ``virtualize``, running next, keeps virtual) and deleting it
drops them.  Any op that may change a list's length forgets those facts.  A list the trace
allocated is none of the objects defined before it, so no ``ptr_ne`` guard is needed to keep
appends pending past accesses of older lists.
"""

from __future__ import annotations

import itertools
from typing import Any, Dict, List, Optional, Tuple

from .util import Rewrite
from ..ir.effects import int_valued
from ..ir.model import Const, Deferred, Op, Value

_SAFE = {
    "debug_merge_point", "label", "same_as", "new", "new_tuple", "new_method", "new_slice", "new_list",
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
    # Where each op's result was defined (its index in the trace), and which results are objects
    # the trace itself made (a new object is none of the objects that existed before it).
    defined: Dict[int, int] = {}
    fresh: set = set()
    # Lengths: id(v) -> (id(L), m, generation): ``v == len(L) + m`` where len(L) is L's real length
    # (pending appends not counted) as long as L's generation has not moved (materialized, or
    # its length changed by an op kept in the trace).  Slices: id(slice(v, None, None)) -> (L, m, gen).
    lens: Dict[int, Tuple[int, int, int]] = {}
    slices: Dict[int, Tuple[int, int, int]] = {}
    gen: Dict[int, int] = {}
    generations = itertools.count(1)

    def born_before(old: Value, new: Value) -> bool:
        if isinstance(old, Const) or id(old) not in defined:
            return True  # a constant or an input: it existed before the trace
        return defined[id(old)] < defined[id(new)]

    def apart(a: Value, b: Value) -> bool:
        if a is b:
            return False
        if (id(a), id(b)) in distinct:
            return True
        return (id(a) in fresh and born_before(b, a)) or (id(b) in fresh and born_before(a, b))

    def all_apart(box: Value) -> bool:
        return all(k != id(box) and apart(lists[k], box) for k in pending)

    def moved(key: int) -> None:
        gen[key] = next(generations)

    def materialize() -> None:
        for key, values in pending.items():
            for v in values:
                new = Op("call", [Const(list.append), lists[key], v])
                new.location = where.get(id(v))
                out.append(new)
            moved(key)
        pending.clear()

    def tail_start(lst: Value, idx: Value) -> Optional[int]:
        """``idx`` is ``slice(len(lst) + m, None, None)`` with 0 <= m <= the pending appends of
        ``lst``: the slice covers exactly ``pending[m:]``.  Returns m, else None."""
        info = slices.get(id(idx))
        key = id(lst)
        if info is None or info[0] != key or info[2] != gen.get(key, 0):
            return None
        m = info[1]
        return m if 0 <= m <= len(pending.get(key, ())) else None

    where: Dict[int, Any] = {}  # value -> interpreter source of the append that pushed it

    for n, op in enumerate(rw):
        name = op.name
        args = op.args
        defined[id(op)] = n
        if name == "guard_class" and isinstance(args[1], Const):
            known[id(args[0])] = args[1].value
        elif name == "new_list":
            known[id(op)] = list
            fresh.add(id(op))
        elif name == "new":
            known[id(op)] = op.descr
            fresh.add(id(op))
        elif name == "ptr_ne":
            ptr_ne[id(op)] = args
        elif name == "guard_true" and id(args[0]) in ptr_ne:
            a, b = ptr_ne[id(args[0])]
            distinct.add((id(a), id(b)))
            distinct.add((id(b), id(a)))
        elif name == "py_add" and known.get(id(args[0])) is list and known.get(id(args[1])) is list:
            known[id(op)] = list  # list + list is a new list
            fresh.add(id(op))
        elif name in ("int_add", "int_sub") and id(args[0]) in lens and isinstance(args[1], Const) \
                and type(args[1].value) is int:
            key, m, g = lens[id(args[0])]
            lens[id(op)] = (key, m + (args[1].value if name == "int_add" else -args[1].value), g)
        elif name == "new_slice" and id(args[0]) in lens and all(
                isinstance(a, Const) and a.value is None for a in args[1:]):
            slices[id(op)] = lens[id(args[0])]
        if name == "ptr_ne" and apart(args[0], args[1]):
            rw.drop(op, Const(True))  # a new object is not one that existed before it
            continue
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
        if name == "len" and known.get(id(args[0])) is list and pending.get(id(args[0])):
            # len(L) = its real length + the appends still pending
            key = id(args[0])
            real = Op("len", [args[0]])
            real.location = op.location
            out.append(real)
            total = Op("int_add", [real, Const(len(pending[key]))])
            total.location = op.location
            out.append(total)
            rw.drop(op, total)
            lens[id(total)] = (key, len(pending[key]), gen.get(key, 0))
            defined[id(real)] = defined[id(total)] = n
            continue
        if name == "len" and known.get(id(args[0])) is list:
            lens[id(op)] = (id(args[0]), 0, gen.get(id(args[0]), 0))
            if not pending or all_apart(args[0]):
                out.append(op)
                continue
        if name in ("getitem", "delitem") and known.get(id(args[0])) is list:
            m = tail_start(args[0], args[1])
            if m is not None:
                key = id(args[0])
                items = pending.get(key, [])
                if name == "getitem":
                    # L[len(L) - k:] of the last k pushes: a new list of those values
                    copy = Op("new_list", items[m:])
                    copy.location = op.location
                    out.append(copy)
                    known[id(copy)] = list
                    fresh.add(id(copy))
                    defined[id(copy)] = n
                    rw.drop(op, copy)
                else:
                    del items[m:]  # del L[len(L) - k:]: those pushes never happen
                    if not items:
                        pending.pop(key, None)
                    rw.drop(op)
                continue
        if op.is_guard():
            # every failure path — also a guard_no_exception after an op kept while appends are
            # pending — does the pending appends before it exits
            if pending:
                op.sunk = op.sunk + [Deferred("append", lists[k], None, list(vs)) for k, vs in pending.items() if vs]
            out.append(op)
            continue
        if (pending and name in ("getitem", "setitem", "len") and known.get(id(args[0])) is list
                and all_apart(args[0]) and (name == "len" or int_valued(args[1], known))):
            out.append(op)  # another list, proven distinct from the pending ones
            if name == "setitem":
                moved(id(args[0]))
            continue
        if (pending and name == "call" and isinstance(args[0], Const)
                and ((args[0].value is list.append and len(args) == 3)
                     or (args[0].value is list.pop and len(args) == 2))
                and known.get(id(args[1])) is list and all_apart(args[1])):
            out.append(op)
            moved(id(args[1]))
            continue
        if (pending and name == "py_add" and known.get(id(args[0])) is list
                and known.get(id(args[1])) is list and id(args[0]) not in pending
                and id(args[1]) not in pending and all_apart(args[0]) and all_apart(args[1])):
            out.append(op)  # list + list reads the two lists only, and they have nothing pending
            continue
        if pending and not _safe(op, known):
            # the guard after this op (if any) leaves after the op: pending appends must be
            # done before it runs
            materialize()
        if not _safe(op, known) and not (name in ("len", "getitem") and known.get(id(args[0])) is list
                                         and (name == "len" or int_valued(args[1], known)
                                              or id(args[1]) in slices)):
            lens.clear()  # this may change the length of any list: forget them all
            slices.clear()
        out.append(op)
    return out
