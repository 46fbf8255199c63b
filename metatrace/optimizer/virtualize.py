"""Allocation removal: objects allocated in the trace that do not escape are never built.

A ``new`` is *virtual* while all the trace does with it is write and read its own attributes
(``setfield``/``getfield``), check its class, or compare its identity.  Its attribute values are
tracked instead; reads take them directly.  Any other use (passing it to a call, storing it into
another object or a list, handing it to the next iteration or the caller) *forces* it: the
allocation and its attribute writes are emitted right there, and from then on it is an ordinary
object.  A guard that fails while the object is still virtual builds it on its failure path
(``op.sunk``) before leaving, so the interpreter resumes with a real object.  A virtual nobody
forced by the end of the trace is simply gone.

Lists built by the trace (``new_list``; ``[None] * n`` is traced as one) are virtual the same
way while they are only read and written at constant indices inside their length, asked their
``len`` or class, or compared by identity: a frame's operand stack that a callee allocated and
dropped never exists.

Objects of classes with ``__del__`` are left alone: dropping them would drop a finalizer call.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ..ir.model import Const, Deferred, Op, Value
from .sink import plain_attribute
from .util import Rewrite


class _Virtual:
    __slots__ = ("op", "cls", "fields", "items")

    def __init__(self, op: Op, cls: type) -> None:
        self.op = op
        self.cls = cls
        self.fields: Dict[str, Value] = {}
        self.items: Optional[List[Value]] = list(op.args) if cls is list else None

    def held(self) -> List[Value]:
        return list(self.items) if self.items is not None else list(self.fields.values())

    def index(self, idx: Value) -> Optional[int]:
        """The item a constant index names, or None (not a constant int, or out of range)."""
        if self.items is None or not isinstance(idx, Const) or type(idx.value) is not int:
            return None
        i = idx.value
        n = len(self.items)
        if i < 0:
            i += n
        return i if 0 <= i < n else None


def _virtualizable_class(cls: Any) -> bool:
    return (isinstance(cls, type) and not hasattr(cls, "__del__")
            and cls.__setattr__ is object.__setattr__ and cls.__getattribute__ is object.__getattribute__)


def optimize(inputargs: List[Any], ops: List[Op], known_in: Optional[Dict[int, type]] = None) -> List[Op]:
    out: List[Op] = []
    virtuals: Dict[int, _Virtual] = {}
    rw = Rewrite(ops)
    replace = rw.replace

    def force(v: Value, into: List[Op]) -> None:
        """Emit the allocation of virtual ``v`` (and of virtuals it holds) into ``into``."""
        vt = virtuals.pop(id(v), None)
        if vt is None:
            return
        if vt.items is not None:
            # the list as it is now; items that are virtual themselves are built after it and
            # stored into it (one of them may hold this list: a cycle)
            later = [(i, v) for i, v in enumerate(vt.items) if id(v) in virtuals or v is vt.op]
            args = list(vt.items)
            for i, _ in later:
                args[i] = Const(None)
            vt.op.args = args
            into.append(vt.op)
            for i, value in later:
                force(value, into)
                st = Op("setitem", [vt.op, Const(i), value])
                st.location = vt.op.location
                into.append(st)
            return
        into.append(vt.op)
        for name, value in vt.fields.items():
            force(value, into)
            st = Op("setfield", [vt.op, value], name)
            st.location = vt.op.location
            into.append(st)

    def materialize_deferred(values: List[Value]) -> List[Deferred]:
        """Deferred allocations of the virtuals reachable from ``values``, then their attribute
        stores (allocating all first makes cycles between virtuals work)."""
        order: List[_Virtual] = []
        seen: set = set()
        stack = list(values)
        while stack:
            v = stack.pop()
            vt = virtuals.get(id(v))
            if vt is None or id(v) in seen:
                continue
            seen.add(id(v))
            order.append(vt)
            stack.extend(vt.held())
        out = [Deferred("alloc", vt.op, vt.cls, [] if vt.items is None else [Const(len(vt.items))])
               for vt in order]
        for vt in order:
            if vt.items is not None:
                out += [Deferred("setitem", vt.op, Const(i), [value]) for i, value in enumerate(vt.items)
                        if not (isinstance(value, Const) and value.value is None)]
            else:
                out += [Deferred("setfield", vt.op, name, [value]) for name, value in vt.fields.items()]
        return out

    for op in rw:
        name = op.name
        args = op.args
        if name == "new" and _virtualizable_class(op.descr):
            virtuals[id(op)] = _Virtual(op, op.descr)
            continue
        if name == "new_list":
            virtuals[id(op)] = _Virtual(op, list)
            continue
        if name in ("getitem", "setitem", "len") and id(args[0]) in virtuals \
                and virtuals[id(args[0])].items is not None:
            vt = virtuals[id(args[0])]
            if name == "len":
                rw.drop(op, Const(len(vt.items)))
                continue
            i = vt.index(args[1])
            if i is not None:
                if name == "getitem":
                    rw.drop(op, vt.items[i])
                else:
                    vt.items[i] = args[2]
                    rw.drop(op)
                continue
        if name == "call" and len(args) in (2, 3) and isinstance(args[0], Const) \
                and id(args[1]) in virtuals and virtuals[id(args[1])].items is not None:
            vt = virtuals[id(args[1])]
            if args[0].value is list.append and len(args) == 3:
                vt.items.append(args[2])  # the virtual list grows
                rw.drop(op, Const(None))
                continue
            if args[0].value is list.pop and len(args) == 2 and vt.items:
                rw.drop(op, vt.items.pop())
                continue
        if name == "py_add" and id(args[0]) in virtuals and id(args[1]) in virtuals \
                and virtuals[id(args[0])].items is not None and virtuals[id(args[1])].items is not None:
            # list + list of two virtual lists: a virtual list of both lists' items
            both = Op("new_list", virtuals[id(args[0])].items + virtuals[id(args[1])].items)
            both.location = op.location
            virtuals[id(both)] = _Virtual(both, list)
            rw.drop(op, both)
            continue
        if name == "setfield" and id(args[0]) in virtuals:
            vt = virtuals[id(args[0])]
            if plain_attribute(vt.cls, op.descr):
                vt.fields[op.descr] = args[1]
                rw.drop(op)
                continue
        if name == "getfield" and id(args[0]) in virtuals:
            vt = virtuals[id(args[0])]
            if op.descr in vt.fields and plain_attribute(vt.cls, op.descr):
                rw.drop(op, vt.fields[op.descr])
                continue
        if name == "guard_class" and id(args[0]) in virtuals and isinstance(args[1], Const) \
                and args[1].value is virtuals[id(args[0])].cls:
            continue
        if name in ("ptr_eq", "ptr_ne") and (id(args[0]) in virtuals or id(args[1]) in virtuals):
            same = args[0] is args[1]
            replace[id(op)] = Const(same if name == "ptr_eq" else not same)
            continue
        if op.is_guard():
            if virtuals:
                uses: List[Value] = []
                if op.snapshot is not None:
                    uses.extend(op.snapshot.values())
                for d in op.sunk:
                    uses.extend(d.uses())
                builds = materialize_deferred(uses)
                if builds:
                    op.sunk = builds + op.sunk
            # arguments of a guard itself are not virtual (class guards on them were dropped)
            for a in args:
                force(a, out)
            out.append(op)
            continue
        # any other use forces the virtuals it mentions
        for a in args:
            if id(a) in virtuals:
                force(a, out)
        out.append(op)
    return out
