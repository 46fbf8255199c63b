"""Loop optimizations on a loop that jumps back to its own start: what stays the same runs once,
what lives in memory across iterations lives in variables.

Works on the optimized ops of one iteration (``ops`` ending in ``jump``) and returns::

    label(inputargs)  preamble  label(loop args; values from the preamble)  body  jump(loop args)

**Invariant code motion.**  An input argument the ``jump`` passes through unchanged is
invariant.  An op runs once in the preamble when its arguments are invariant and it is pure
(arithmetic, identity tests, calls of elidable functions), a guard (same answer every
iteration), or a read of an attribute or of a list item that nothing in the loop can change:
no write to that attribute of an object that may be the same, no write to a list that may be
the same at an index that may be the same, no list call that moves items, nothing that may run
user code.  Objects allocated in the loop are none of the objects that existed before it;
lists that a ``ptr_ne`` guard proved different are different.

**Carried locations.**  A place in memory the loop reads at the start of an iteration and writes
back later (``frame.stack[3]``, ``lobby.slots[5]``) — with nothing else in the loop able to see
it — is read once in the preamble and then kept in a loop variable: reads take the variable,
writes set it, and ``jump`` hands it to the next iteration.  Memory is stale meanwhile, so every
guard of the body stores the current value on its failure path (unless that guard already
stores a newer one), before the interpreter or a bridge runs.

**Unboxed loop variables (peeling).**  When what an iteration leaves in a loop variable is an
object it allocated itself (a boxed number, say) that nothing else sees, the next iteration only
needs its attributes: the loop passes those instead and never allocates.  That is only exact
from the second iteration on (the first one starts from an object that existed before the loop,
whose identity matters), so the first iteration is *peeled*: it runs as a copy of the body in
the preamble, on the real objects, and the loop proper starts after it.  A guard of the loop
that fails while such a value is live builds it (``Deferred`` ``alloc``) before leaving.

A guard moved to the preamble resumes at the loop's merge point (``entry_snapshot``): it fails
before the iteration has done anything.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from ..ir.model import Const, Deferred, FrameSnapshot, InputArg, Op, Snapshot, Value
from .sink import plain_attribute
from .util import remap_uses
from .virtualize import _virtualizable_class

_PURE_PREFIX = ("int_", "float_", "cast_", "ptr_")
_HOIST_GUARDS = {"guard_class", "guard_value", "guard_is", "guard_true", "guard_false",
                 "guard_nonnull", "guard_isnull"}
_MATH = {id(getattr(math, n)) for n in dir(math) if callable(getattr(math, n))}
_LEN = id(len)
_APPEND = id(list.append)
_LIST_METHOD = type(list.append)
_HARMLESS = {"debug_merge_point", "label", "same_as", "new", "new_tuple", "new_method",
             "new_slice", "new_list", "getglobal", "guard_not_invalidated"}

Loc = Tuple[str, Any, Any]  # ("f", base key, attribute) or ("i", base key, index)


class _Effects:
    """What one iteration does to memory, for deciding what may move or stay in variables."""

    def __init__(self, ops: List[Op], known: Dict[int, type]) -> None:
        self.known = known
        self.opaque = False  # something may run user code or touch anything
        self.fresh: Set[int] = set()  # objects allocated by the iteration
        self.distinct: Set[Tuple[int, int]] = set()
        self.field_writes: List[Tuple[Value, str]] = []
        self.item_writes: List[Tuple[Value, Value]] = []
        self.field_reads: List[Tuple[Value, str]] = []
        self.item_reads: List[Tuple[Value, Value]] = []
        self.moved: List[Value] = []  # lists whose items may move or be read by a call
        self.grown: List[Value] = []  # lists appended to
        ptr_ne: Dict[int, List[Value]] = {}
        for op in ops:
            name = op.name
            args = op.args
            if name in ("new", "new_list", "new_tuple"):
                self.fresh.add(id(op))
            elif name == "ptr_ne":
                ptr_ne[id(op)] = args
            elif name == "guard_true" and id(args[0]) in ptr_ne:
                a, b = ptr_ne[id(args[0])]
                self.distinct.add((id(a), id(b)))
                self.distinct.add((id(b), id(a)))
            if name == "getfield":
                if self.plain(args[0], op.descr):
                    self.field_reads.append((args[0], op.descr))
                else:
                    self.opaque = True
            elif name == "setfield":
                if self.plain(args[0], op.descr):
                    self.field_writes.append((args[0], op.descr))
                else:
                    self.opaque = True
            elif name in ("getitem", "setitem"):
                cls = self.class_of(args[0])
                if cls is list:
                    (self.item_reads if name == "getitem" else self.item_writes).append((args[0], args[1]))
                elif not (name == "getitem" and cls in (tuple, str, bytes)):
                    self.opaque = True
            elif name == "call":
                callee = args[0].value if isinstance(args[0], Const) else None
                if id(callee) == _LEN:
                    continue
                if id(callee) in _MATH and all(self.class_of(a) in (int, float, bool) for a in args[1:]):
                    continue
                if isinstance(callee, _LIST_METHOD) and len(args) > 1 and self.class_of(args[1]) is list \
                        and all(self.class_of(a) in (int, float, bool, str, type(None))
                                or isinstance(a, Const) for a in args[2:]):
                    (self.grown if id(callee) == _APPEND else self.moved).append(args[1])
                    continue
                self.opaque = True
            elif name in ("call_pure",) or name in _HARMLESS or name.startswith(_PURE_PREFIX) or op.is_guard():
                continue
            elif name in ("len",):
                continue
            else:
                self.opaque = True

    def class_of(self, v: Value) -> Optional[type]:
        if isinstance(v, Const):
            return type(v.value)
        return self.known.get(id(v))

    def plain(self, obj: Value, attr: str) -> bool:
        cls = self.class_of(obj)
        return cls is not None and plain_attribute(cls, attr)

    def may_alias(self, a: Value, b: Value) -> bool:
        if a is b:
            return True
        if isinstance(a, Const) and isinstance(b, Const):
            return a.value is b.value
        if (id(a), id(b)) in self.distinct:
            return False
        # an object allocated by the iteration is none of those that existed before it
        if id(a) in self.fresh and (isinstance(b, (Const, InputArg)) or id(b) in self.fresh):
            return False
        if id(b) in self.fresh and (isinstance(a, (Const, InputArg)) or id(a) in self.fresh):
            return False
        return True

    @staticmethod
    def same_index(i: Value, j: Value) -> bool:
        if i is j:
            return True
        return isinstance(i, Const) and isinstance(j, Const) and type(i.value) is type(j.value) \
            and i.value == j.value

    @staticmethod
    def index_apart(i: Value, j: Value) -> bool:
        return (isinstance(i, Const) and isinstance(j, Const) and type(i.value) is int
                and type(j.value) is int and i.value >= 0 and j.value >= 0 and i.value != j.value)

    def field_unchanged(self, obj: Value, attr: str) -> bool:
        return not self.opaque and not any(
            a == attr and self.may_alias(o, obj) for o, a in self.field_writes)

    def item_unchanged(self, lst: Value, idx: Value) -> bool:
        if self.opaque or not (isinstance(idx, Const) and type(idx.value) is int and idx.value >= 0):
            return False
        if any(self.may_alias(m, lst) for m in self.moved):
            return False
        return not any(self.may_alias(l2, lst) and not self.index_apart(i2, idx)
                       for l2, i2 in self.item_writes)


def _plain_const(c: Const) -> bool:
    return type(c.value) in (int, float, str, bool, type(None))


def _key(v: Value) -> Any:
    return ("c", id(v.value)) if isinstance(v, Const) else id(v)


def optimize_loop(inputargs: List[Any], ops: List[Op], entry_snapshot: Callable[[], Snapshot],
                  known_in: Optional[Dict[int, type]] = None) -> Optional[List[Op]]:
    """The loop's ops with a preamble (see the module doc), or None when nothing changes."""
    if not ops or ops[-1].name != "jump":
        return None
    jump = ops[-1]
    known: Dict[int, type] = dict(known_in or {})
    for op in ops:
        if op.name == "guard_class" and isinstance(op.args[1], Const):
            known[id(op.args[0])] = op.args[1].value
        elif op.name == "new":
            known[id(op)] = op.descr
        elif op.name == "new_list":
            known[id(op)] = list
        elif op.name.startswith("float_") and op.type == "f":
            known[id(op)] = float
    eff = _Effects(ops[:-1], known)
    invariant = {id(a) for a, j in zip(inputargs, jump.args) if a is j}

    pre, body = _hoist(ops, invariant, eff, entry_snapshot)
    carried = _carry(pre, body, invariant, eff, entry_snapshot) if invariant else None
    if carried is None and not pre:
        return None
    if carried is None:
        return [Op("label", list(inputargs))] + pre + [Op("label", list(inputargs))] + body
    loop_args, start_values, body = carried
    second = Op("label", list(inputargs) + loop_args)
    second.descr = list(inputargs) + start_values
    return [Op("label", list(inputargs))] + pre + [second] + body


def _hoist(ops: List[Op], invariant: Set[int], eff: _Effects,
           entry_snapshot: Callable[[], Snapshot]) -> Tuple[List[Op], List[Op]]:
    pre: List[Op] = []
    body: List[Op] = []
    hoisted_raiser = False
    seen: Dict[Any, Op] = {}  # what the preamble already computes or checks
    replace: Dict[int, Value] = {}
    drop_guard = False
    for op in ops:
        if replace:
            remap_uses(op, replace)
        name = op.name
        if drop_guard:
            drop_guard = False
            if name == "guard_no_exception":
                continue
        if name == "guard_no_exception" and hoisted_raiser:
            hoisted_raiser = False
            op.snapshot = entry_snapshot()
            op.sunk = []
            pre.append(op)
            continue
        hoisted_raiser = False
        args_ok = bool(op.args) and all(isinstance(a, Const) or id(a) in invariant for a in op.args)
        if not args_ok or name == "jump":
            body.append(op)
            continue
        spec = op.spec
        move = False
        if name in _HOIST_GUARDS or name == "call_pure" or name in ("getfield", "getitem") \
                or name.startswith(_PURE_PREFIX):
            sig = (name, tuple(_key(a) if isinstance(a, Const) and not _plain_const(a) else
                               ("v", a.value) if isinstance(a, Const) else id(a) for a in op.args),
                   id(op.descr) if not isinstance(op.descr, str) else op.descr)
            twin = seen.get(sig)
            if twin is not None:
                if op.has_result():
                    replace[id(op)] = twin
                drop_guard = op.spec.canraise
                continue
        else:
            sig = None
        if name in _HOIST_GUARDS:
            seen[sig] = op
            op.snapshot = entry_snapshot()
            op.sunk = []
            pre.append(op)
            continue
        if spec.pure and name.startswith(_PURE_PREFIX) and not spec.canraise:
            move = True
        elif name == "call_pure":
            move = True
        elif name == "getfield":
            move = eff.plain(op.args[0], op.descr) and eff.field_unchanged(op.args[0], op.descr)
        elif name == "getitem":
            move = eff.class_of(op.args[0]) is list and eff.item_unchanged(op.args[0], op.args[1])
        if move:
            seen[sig] = op
            pre.append(op)
            invariant.add(id(op))
            hoisted_raiser = spec.canraise
            continue
        body.append(op)
    return pre, body


def _carry(pre: List[Op], body: List[Op], invariant: Set[int], eff: _Effects,
           entry_snapshot: Callable[[], Snapshot]) -> Optional[Tuple[List[Value], List[Value], List[Op]]]:
    """Keep memory locations in loop variables; returns (loop args, their preamble values, body)."""
    if eff.opaque:
        return None

    def base_ok(v: Value) -> bool:
        return isinstance(v, Const) or id(v) in invariant

    # candidate locations: first touched by a read, written later, with invariant base and key
    first: Dict[Loc, str] = {}
    where: Dict[Loc, Tuple[Value, Any]] = {}
    for op in body:
        name = op.name
        if name in ("getfield", "setfield") and base_ok(op.args[0]) and eff.plain(op.args[0], op.descr):
            loc: Loc = ("f", _key(op.args[0]), op.descr)
            where.setdefault(loc, (op.args[0], op.descr))
        elif name in ("getitem", "setitem") and base_ok(op.args[0]) and eff.class_of(op.args[0]) is list \
                and isinstance(op.args[1], Const) and type(op.args[1].value) is int and op.args[1].value >= 0:
            loc = ("i", _key(op.args[0]), op.args[1].value)
            where.setdefault(loc, (op.args[0], op.args[1]))
        else:
            continue
        first.setdefault(loc, "read" if name.startswith("get") else "write")
    wanted = [loc for loc, how in first.items() if how == "read"
              and any(op.name.startswith("set") and _loc_of(op, eff) == loc for op in body)]
    locs = [loc for loc in wanted if _exclusive(loc, where[loc], body, eff)]
    if not locs:
        return None

    loop_args: List[Value] = []
    start_values: List[Value] = []
    current: Dict[Loc, Value] = {}
    for loc in locs:
        base, key = where[loc]
        rd = Op("getfield", [base], key) if loc[0] == "f" else Op("getitem", [base, key])
        rd.location = next(op.location for op in body if _loc_of(op, eff) == loc)
        pre.append(rd)
        g = Op("guard_no_exception", [])
        g.location = rd.location
        g.snapshot = entry_snapshot()
        pre.append(g)
        ia = InputArg("r", "carried")
        loop_args.append(ia)
        start_values.append(rd)
        current[loc] = ia

    out: List[Op] = []
    replace: Dict[int, Value] = {}
    drop_guard = False
    for op in body:
        if replace:
            remap_uses(op, replace)
        name = op.name
        if drop_guard:
            drop_guard = False
            if name == "guard_no_exception":
                continue
        loc = _loc_of(op, eff) if name in ("getfield", "setfield", "getitem", "setitem") else None
        if loc is not None and loc in current:
            if name.startswith("get"):
                replace[id(op)] = current[loc]
            else:
                current[loc] = op.args[-1]
            drop_guard = True
            continue
        if op.is_guard():
            stores = []
            for loc2, v in current.items():
                if not any(_deferred_loc(d, eff) == loc2 for d in op.sunk):
                    base, key = where[loc2]
                    stores.append(Deferred("setfield", base, key, [v]) if loc2[0] == "f"
                                  else Deferred("setitem", base, key, [v]))
            op.sunk = list(op.sunk) + stores
        if name == "jump":
            op.args = list(op.args) + [current[loc] for loc in locs]
        out.append(op)
    return loop_args, start_values, out


def _loc_of(op: Op, eff: _Effects) -> Optional[Loc]:
    if op.name in ("getfield", "setfield"):
        return ("f", _key(op.args[0]), op.descr)
    if op.name in ("getitem", "setitem") and isinstance(op.args[1], Const):
        return ("i", _key(op.args[0]), op.args[1].value)
    return None


def _deferred_loc(d: Deferred, eff: _Effects) -> Optional[Loc]:
    if d.kind == "setfield":
        return ("f", _key(d.target), d.key)
    if d.kind == "setitem" and isinstance(d.key, Const):
        return ("i", _key(d.target), d.key.value)
    return None


def _exclusive(loc: Loc, place: Tuple[Value, Any], body: List[Op], eff: _Effects) -> bool:
    """Nothing in the loop touches memory that may be ``loc`` other than through ``loc``."""
    base, key = place
    if loc[0] == "f":
        for op in body:
            if op.name in ("getfield", "setfield") and op.descr == key:
                if _key(op.args[0]) != loc[1] and eff.may_alias(op.args[0], base):
                    return False
        return True
    if any(eff.may_alias(m, base) for m in eff.moved):
        return False
    for op in body:
        if op.name in ("getitem", "setitem") and eff.class_of(op.args[0]) is list:
            if not eff.may_alias(op.args[0], base) or _Effects.index_apart(op.args[1], key):
                continue
            if _key(op.args[0]) == loc[1] and _Effects.same_index(op.args[1], key):
                continue
            return False
    return True


__all__ = ["optimize_loop", "FrameSnapshot"]
