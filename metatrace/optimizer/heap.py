"""Lazy stores: attribute and list-item writes are delayed until something could see them.

An interpreter writes its frame all the time (``frame.sp = ...``, ``stack[sp] = ...``), often
overwriting what it wrote a few ops before.  This pass keeps such writes pending: a later read
of the same place takes the pending value, a later write replaces it, and only the last value is
stored — before anything that might look (a call, user code, a read that might alias), at the
end of the trace, or on the failure path of a guard (``op.sunk``), so the interpreter always
resumes with the heap it expects.

Only writes that cannot fail are delayed: attributes of objects whose class is known and plain
(no descriptors, no ``__setattr__``), and list items at an index already read or written
successfully in this trace, with no length change of that list since.  Indices are compared
symbolically as ``base + offset`` (through ``int_add``/``int_sub`` with constants): the same
symbolic index is the same item; different ones are known apart when both are non-negative
(constants, or values the tracer guarded ``>= 0``), since negative indices wrap around.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from ..ir.effects import LIST_METHODS, int_valued, runs_no_user_code
from ..ir.model import Const, Deferred, Op, Value
from .pure import math_on_numbers
from .sink import plain_attribute
from .util import Rewrite

_SAFE = {
    "debug_merge_point", "same_as", "new", "new_tuple", "new_method", "new_slice", "new_list",
    "guard_true", "guard_false", "guard_value", "guard_is", "guard_class", "guard_nonnull",
    "guard_isnull", "guard_not_invalidated", "guard_no_exception", "guard_exception",
    "ptr_eq", "ptr_ne", "getglobal",
}
_LENGTH_KEEPING = {id(list.append)}  # list methods that do not move existing items


def _plain_list_call(args: List[Value], known: Dict[int, Any]) -> bool:
    """``call(list.method, L, ...)`` runs no user code (see ir/effects.py): not ``sort``,
    ``index``, ``count``, ``remove`` (they call the items' ``__lt__``/``__eq__``), nor an index that
    may have an ``__index__``, nor ``extend`` of an iterable that is not a list or tuple."""
    if id(args[0].value) not in LIST_METHODS:
        return False
    classes = [int if int_valued(a, known) else type(a.value) if isinstance(a, Const) else known.get(id(a))
               for a in args[1:]]
    return runs_no_user_code(args[0].value, classes)


def _sym(v: Value, syms: Dict[int, Tuple[Any, int]]) -> Tuple[Any, int]:
    if isinstance(v, Const):
        return (None, v.value) if type(v.value) is int else (("c", id(v.value)), 0)
    return syms.get(id(v), (id(v), 0))


def optimize(inputargs: List[Any], ops: List[Op], known_in: Optional[Dict[int, type]] = None) -> List[Op]:
    out: List[Op] = []
    rw = Rewrite(ops)
    known: Dict[int, type] = dict(known_in or {})  # id(value) -> its exact class
    syms: Dict[int, Tuple[Any, int]] = {}
    ptr_ne: Dict[int, Any] = {}
    distinct: set = set()
    # pending stores, in the order of their last write
    fields: Dict[Tuple[int, str], Tuple[Value, Value]] = {}
    items: Dict[Tuple[int, Tuple[Any, int]], Tuple[Value, Value, Value]] = {}
    valid: set = set()  # (id(list), sym) known to be in range
    nonneg: set = set()  # ids of int values known >= 0
    ge_zero: Dict[int, Value] = {}  # id(int_ge(x, 0)) -> x

    min_nonneg: Dict[Any, int] = {}  # base -> smallest offset proven >= 0

    def is_nonneg(v: Value) -> bool:
        if isinstance(v, Const):
            return type(v.value) is int and v.value >= 0
        if id(v) in nonneg:
            return True
        base, off = _sym(v, syms)
        low = min_nonneg.get(base)
        return low is not None and off >= low

    def apart(a: Value, b: Value) -> bool:
        return a is not b and (id(a), id(b)) in distinct

    def emit_field(obj: Value, name: str, v: Value) -> None:
        op = Op("setfield", [obj, v], name)
        op.location = where.get(("f", id(obj), name))
        out.append(op)

    def emit_item(lst: Value, idx: Value, v: Value) -> None:
        op = Op("setitem", [lst, idx, v])
        op.location = where.get(("i", id(lst), id(idx)))
        out.append(op)

    where: Dict[Any, Any] = {}  # the interpreter source of each delayed store

    def flush_fields(name: Optional[str] = None) -> None:
        for key in [k for k in fields if name is None or k[1] == name]:
            obj, v = fields.pop(key)
            emit_field(obj, key[1], v)

    def flush_items(lst: Optional[Value] = None, keep_sym: Any = None, keep_idx: Any = None) -> None:
        """Store pending items of lists that may be ``lst`` (all lists if None), except the
        entry of ``lst`` at exactly ``keep_sym`` and entries provably at other indices."""
        for key in list(items):
            l2, idx, v = items[key]
            if lst is not None:
                if apart(l2, lst):
                    continue
                if l2 is lst and keep_sym is not None:
                    s2 = key[1]
                    # the same index, or two different non-negative constants: not this item.
                    # (sp + 1 and sp + 2 may be the same item of a short list when negative
                    # indices wrap, so symbolic offsets prove nothing.)
                    if s2 == keep_sym or (s2[0] is None and keep_sym[0] is None):
                        continue
                    # base + o1 and base + o2, both >= 0: different items
                    if (s2[0] == keep_sym[0] and keep_idx is not None and is_nonneg(idx)
                            and is_nonneg(keep_idx)):
                        continue
            del items[key]
            emit_item(l2, idx, v)

    def flush_all() -> None:
        flush_fields()
        flush_items()

    def forget_valid(lst: Optional[Value]) -> None:
        if lst is None:
            valid.clear()
            return
        for key in [k for k in valid if not (k[0] != id(lst) and (k[0], id(lst)) in distinct_ids)]:
            valid.discard(key)

    distinct_ids: set = set()

    for op in rw:
        name = op.name
        args = op.args
        # facts
        if name == "guard_class" and isinstance(args[1], Const):
            known[id(args[0])] = args[1].value
        elif name == "new_list":
            known[id(op)] = list
        elif name == "new":
            known[id(op)] = op.descr
        elif name in ("int_add", "int_sub") and isinstance(args[1], Const) and type(args[1].value) is int:
            base, off = _sym(args[0], syms)
            if base is not None:
                syms[id(op)] = (base, off + (args[1].value if name == "int_add" else -args[1].value))
        elif name == "ptr_ne":
            ptr_ne[id(op)] = args
        elif name == "int_ge" and isinstance(args[1], Const) and args[1].value == 0:
            ge_zero[id(op)] = args[0]
        elif name == "guard_true" and id(args[0]) in ge_zero:
            x = ge_zero[id(args[0])]
            nonneg.add(id(x))
            base, off = _sym(x, syms)
            if base is not None:
                min_nonneg[base] = min(off, min_nonneg.get(base, off))
        elif name == "len":
            nonneg.add(id(op))
        if name == "int_add" and is_nonneg(args[0]) and is_nonneg(args[1]):
            nonneg.add(id(op))
        elif name == "guard_true" and id(args[0]) in ptr_ne:
            a, b = ptr_ne[id(args[0])]
            distinct.add((id(a), id(b)))
            distinct.add((id(b), id(a)))
            distinct_ids.add((id(a), id(b)))
            distinct_ids.add((id(b), id(a)))

        if name == "setfield":
            obj, v = args
            cls = known.get(id(obj))
            if cls is not None and plain_attribute(cls, op.descr):
                for key in [k for k in fields if k[1] == op.descr and k[0] != id(obj)]:
                    o2, v2 = fields.pop(key)  # another object that may be this one: store it first
                    emit_field(o2, key[1], v2)
                fields.pop((id(obj), op.descr), None)
                fields[(id(obj), op.descr)] = (obj, v)
                where[("f", id(obj), op.descr)] = op.location
                rw.drop(op)
                continue
            flush_all()
            out.append(op)
            continue
        if name == "getfield":
            obj = args[0]
            pending = fields.get((id(obj), op.descr))
            if pending is not None:
                rw.drop(op, pending[1])
                continue
            cls = known.get(id(obj))
            if cls is None or not plain_attribute(cls, op.descr):
                flush_all()  # reading may run code
            else:
                flush_fields(op.descr)  # another object may be this one
            out.append(op)
            continue
        if name in ("setitem", "getitem") and known.get(id(args[0])) is list:
            lst, idx = args[0], args[1]
            sym = _sym(idx, syms)
            key = (id(lst), sym)
            if sym[0] is None and not (isinstance(sym[1], int) and sym[1] >= 0):
                flush_items(lst)
                out.append(op)
                continue
            if name == "getitem":
                pending = items.get(key)
                if pending is not None:
                    rw.drop(op, pending[2])
                    continue
                flush_items(lst, sym, idx)
                out.append(op)
                valid.add(key)
                continue
            if key in valid:
                items.pop(key, None)
                flush_items(lst, sym, idx)
                items[key] = (lst, idx, args[2])
                where[("i", id(lst), id(idx))] = op.location
                rw.drop(op)
                continue
            flush_items(lst, sym, idx)
            out.append(op)
            valid.add(key)
            continue
        if name in ("setitem", "getitem") and known.get(id(args[0])) is bytearray and all(
                int_valued(a, known) for a in args[1:]):
            # a byte at an int index: runs no Python code, and a bytearray is no list and has
            # no attributes: nothing pending can be seen through it
            out.append(op)
            continue
        if name == "call" and len(args) >= 2 and known.get(id(args[1])) is list and isinstance(args[0], Const) \
                and _plain_list_call(args, known):
            # a list method that runs no user code: it may read, move or resize this list (or one
            # that is this one), nothing else
            flush_items(args[1])
            if id(args[0].value) not in _LENGTH_KEEPING:
                forget_valid(args[1])
            out.append(op)
            continue
        if op.is_guard():
            # every failure path, also of guard_no_exception after a kept op, stores what is pending
            if fields or items:
                stores = [Deferred("setfield", o, k[1], [v]) for k, (o, v) in fields.items()]
                stores += [Deferred("setitem", l2, i2, [v]) for (l2, i2, v) in items.values()]
                op.sunk = stores + op.sunk
            out.append(op)
            continue
        if name in _SAFE or name.startswith(("int_", "float_", "cast_")):
            out.append(op)
            continue
        if math_on_numbers(op, known):
            out.append(op)  # math.sqrt(x) and friends on numbers look at no memory
            continue
        # anything else may look at the heap or run user code
        flush_all()
        if name not in ("len",):
            forget_valid(None)
        out.append(op)
    return out
