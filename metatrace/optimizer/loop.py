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

from ..ir.effects import LIST_METHODS, runs_no_user_code
from ..ir.model import Const, Deferred, FrameSnapshot, InputArg, Op, Snapshot, Value
from ..tracer.quasiimmut import immutable_fields, is_immutable_class
from .sink import plain_attribute
from .pure import guard_holds, learn_class
from .util import Rewrite, remap_uses
from .virtualize import _virtualizable_class

_PURE_PREFIX = ("int_", "float_", "cast_", "ptr_")
_HOIST_GUARDS = {"guard_class", "guard_value", "guard_is", "guard_true", "guard_false",
                 "guard_nonnull", "guard_isnull"}
_MATH = {id(getattr(math, n)) for n in dir(math) if callable(getattr(math, n))}
_LEN = id(len)
_APPEND = id(list.append)
_HARMLESS = {"debug_merge_point", "label", "same_as", "new", "new_tuple", "new_method",
             "new_slice", "new_list", "getglobal", "guard_not_invalidated"}

Loc = Tuple[str, Any, Any]  # ("f", base key, attribute) or ("i", base key, index)


class _Effects:
    """What one iteration does to memory, for deciding what may move or stay in variables."""

    def __init__(self, ops: List[Op], known: Dict[int, type]) -> None:
        self.known = known
        self.opaque = False  # something may run user code or touch anything
        self.fresh: Set[int] = set()  # objects allocated by the iteration
        self.before: Set[int] = set()  # values computed in the preamble (the caller fills it)
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
                if cls is list or (cls is bytearray and all(self.class_of(a) is int for a in args[1:])):
                    # (a byte at an int index: no resize, no Python code)
                    (self.item_reads if name == "getitem" else self.item_writes).append((args[0], args[1]))
                elif not (name == "getitem" and cls in (tuple, str, bytes)):
                    self.opaque = True
            elif name == "call":
                callee = args[0].value if isinstance(args[0], Const) else None
                classes = [self.class_of(a) for a in args[1:]]
                if id(callee) == _LEN and runs_no_user_code(len, classes):
                    continue  # (len of anything else calls its __len__)
                if id(callee) in _MATH and all(self.class_of(a) in (int, float, bool) for a in args[1:]):
                    continue
                if id(callee) in LIST_METHODS and len(args) > 1 and classes[0] is list \
                        and runs_no_user_code(callee, classes) \
                        and all(self.class_of(a) in (int, float, bool, str, type(None))
                                or isinstance(a, Const) for a in args[2:]):
                    # (not sort, index, count, remove: they call the items' __lt__/__eq__)
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
        ca, cb = self.class_of(a), self.class_of(b)
        if ca is not None and cb is not None and ca is not cb:
            return False  # (exact classes: a list is never the bytearray it is compared with)
        # an object allocated by the iteration is none of those that existed before it (the
        # inputs, constants and what the preamble computed)
        if id(a) in self.fresh and (isinstance(b, (Const, InputArg)) or id(b) in self.fresh
                                    or id(b) in self.before):
            return False
        if id(b) in self.fresh and (isinstance(a, (Const, InputArg)) or id(a) in self.fresh
                                    or id(a) in self.before):
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
        if self.opaque and not self.immutable(obj, attr):
            return False  # (an immutable field changes after its object is made by no one)
        return not any(a == attr and self.may_alias(o, obj) for o, a in self.field_writes)

    def immutable(self, obj: Value, attr: str) -> bool:
        cls = self.class_of(obj)
        if cls is None:
            return False
        info = immutable_fields(cls).get(attr)
        return (info is not None and not info.quasi) or (info is None and is_immutable_class(cls))

    def length_unchanged(self, seq: Value) -> bool:
        cls = self.class_of(seq)
        if cls in (tuple, str, bytes):
            return True
        return cls in (list, bytearray) and not self.opaque and not any(
            self.may_alias(m, seq) for m in self.moved + self.grown)

    def item_unchanged(self, lst: Value, idx: Value) -> bool:
        if self.opaque or not (isinstance(idx, Const) and type(idx.value) is int and idx.value >= 0):
            return False
        if any(self.may_alias(m, lst) for m in self.moved):
            return False
        return not any(self.may_alias(l2, lst) and not self.index_apart(i2, idx)
                       for l2, i2 in self.item_writes)


def _classes(ops: List[Op], known: Dict[int, type]) -> Dict[int, type]:
    """Classes the ops establish: by class guards, or by what an op always produces."""
    for op in ops:
        learn_class(op, known)
    return known


def _plain_const(c: Const) -> bool:
    return type(c.value) in (int, float, str, bool, type(None))


def _key(v: Value) -> Any:
    return ("c", id(v.value)) if isinstance(v, Const) else id(v)


def optimize_loop(inputargs: List[Any], ops: List[Op], entry_snapshot: Callable[[], Snapshot],
                  known_in: Optional[Dict[int, type]] = None, unroll: bool = True) -> Optional[List[Op]]:
    """The loop's ops with a preamble (see the module doc), or None when nothing changes.
    Without ``unroll`` only invariant code moves (no carried locations, no peeling)."""
    if not ops or ops[-1].name != "jump":
        return None
    jump = ops[-1]
    known = _classes(ops, dict(known_in or {}))
    eff = _Effects(ops[:-1], known)
    invariant = {id(a) for a, j in zip(inputargs, jump.args) if a is j}
    eff.before = invariant

    pre, body = _hoist(ops, invariant, eff, entry_snapshot)
    carried = _carry(pre, body, invariant, eff, entry_snapshot) if invariant and unroll else None
    if carried is None and not pre:
        return None
    if carried is None:
        second = Op("label", list(inputargs))
    else:
        loop_args, start_values, body = carried
        second = Op("label", list(inputargs) + loop_args)
        second.descr = list(inputargs) + start_values
    if not unroll:
        return [Op("label", list(inputargs))] + pre + [second] + body
    body = _loop_classes(pre, second, body, entry_snapshot)
    peeled = _unbox(second, body)
    if peeled is not None:
        first, second, body = peeled
        pre = pre + first
        body = _constant_vars(second, body)
        body = _loop_classes(pre, second, body, entry_snapshot)
    body = _loop_values(pre, second, body, entry_snapshot)
    return [Op("label", list(inputargs))] + pre + [second] + body


def _unbox(label: Op, body: List[Op]) -> Optional[Tuple[List[Op], Op, List[Op]]]:
    """Loop variables that always receive an object the iteration allocated and nobody else
    sees are replaced by that object's attributes; the first iteration is peeled (see the
    module doc).  Returns (peeled iteration, new label, new body) or None."""
    jump = body[-1]
    if jump.name != "jump" or len(jump.args) != len(label.args):
        return None
    starts = label.descr if isinstance(label.descr, list) else list(label.args)
    defined = {id(op) for op in body}
    groups: Dict[int, List[int]] = {}  # id(new op) -> positions of the loop variables it feeds
    for k, (lv, jv) in enumerate(zip(label.args, jump.args)):
        if lv is not jv and jv.name == "new" if isinstance(jv, Op) else False:
            if id(jv) in defined and _virtualizable_class(jv.descr):
                groups.setdefault(id(jv), []).append(k)
    if not groups:
        return None
    news = {id(op): op for op in body if id(op) in groups}
    var_of: Dict[int, int] = {}  # id(loop variable) -> id(new op) of its group
    for nid, ks in groups.items():
        for k in ks:
            var_of[id(label.args[k])] = nid
    fields: Dict[int, List[str]] = {nid: [] for nid in groups}
    bad: Set[int] = set()
    for op in body:
        args = op.args
        name = op.name
        for pos, a in enumerate(args):
            nid = var_of.get(id(a))
            if nid is not None:
                if not (name == "getfield" and pos == 0):
                    bad.add(nid)  # (handed to another loop variable, compared, passed on...)
            elif id(a) in groups:
                if name in ("ptr_eq", "ptr_ne") and any(isinstance(b, Const) and b.value is None for b in args):
                    pass  # folds: an object the iteration allocated is not None
                elif name == "setfield" and pos == 0:
                    if op.descr not in fields[id(a)]:
                        fields[id(a)].append(op.descr)
                elif name == "getfield" and pos == 0:
                    pass
                elif name == "jump":
                    if [k for k, j in enumerate(args) if j is a] != groups[id(a)]:
                        bad.add(id(a))
                else:
                    bad.add(id(a))
        for d in op.sunk:
            if d.kind in ("setitem", "setfield", "append") and id(d.target) in var_of:
                bad.add(var_of[id(d.target)])  # a write into the carried object itself
    for op in body:  # reads of the carried object: attributes the next value has
        if op.name == "getfield" and id(op.args[0]) in var_of:
            nid = var_of[id(op.args[0])]
            if op.descr not in fields[nid]:
                bad.add(nid)
    groups = {nid: ks for nid, ks in groups.items() if nid not in bad and fields[nid]}
    if not groups:
        return None
    var_of = {v: n for v, n in var_of.items() if n in groups}
    for nid in groups:
        if not plain_fields(news[nid].descr, fields[nid]):
            return None

    # the loop proper: label args without the unboxed variables, plus one per attribute
    rep: Dict[int, Value] = {}  # id(new op) -> the value that stands for the incoming object
    for nid, ks in groups.items():
        rep[nid] = label.args[ks[0]]
    unboxed_pos = {k for ks in groups.values() for k in ks}
    field_args: Dict[int, Dict[str, InputArg]] = {
        nid: {f: InputArg("r", "unboxed") for f in fields[nid]} for nid in groups}
    new_args = [a for k, a in enumerate(label.args) if k not in unboxed_pos]
    for nid in groups:
        new_args += list(field_args[nid].values())

    # the peeled first iteration runs the body as it is, on the preamble's values
    first, first_jump_args = _copy_iteration(body, label.args, starts)
    pending: Dict[int, Dict[str, Value]] = {nid: {} for nid in groups}
    clone_of = first_jump_args  # positions -> values at the end of the first iteration
    first_news = {nid: clone_of[groups[nid][0]] for nid in groups}
    for op in first:
        if op.name == "setfield":
            for nid, nv in first_news.items():
                if op.args[0] is nv:
                    pending[nid][op.descr] = op.args[1]
    for nid in groups:
        if set(pending[nid]) != set(fields[nid]):
            return None
    start_vals = [v for k, v in enumerate(clone_of) if k not in unboxed_pos]
    for nid in groups:
        start_vals += [pending[nid][f] for f in fields[nid]]

    out: List[Op] = []
    rw = Rewrite(body)
    for nid, ks in groups.items():
        for k in ks[1:]:
            rw.replace[id(label.args[k])] = rep[nid]
    cur: Dict[int, Dict[str, Value]] = {nid: {} for nid in groups}
    for op in rw:
        name = op.name
        args = op.args
        if name == "getfield" and any(args[0] is rep[n] for n in groups):
            nid = next(n for n in groups if args[0] is rep[n])
            rw.drop(op, field_args[nid][op.descr])
            continue
        if name == "new" and id(op) in groups:
            continue
        if name == "setfield" and id(args[0]) in groups:
            cur[id(args[0])][op.descr] = args[1]
            rw.drop(op)
            continue
        if name == "getfield" and id(args[0]) in groups:
            rw.drop(op, cur[id(args[0])][op.descr])
            continue
        if name in ("ptr_eq", "ptr_ne") and any(id(a) in groups for a in args):
            rw.replace[id(op)] = Const(name == "ptr_ne")
            continue
        if guard_holds(op):
            continue
        if op.is_guard():
            uses = set(id(v) for v in (op.snapshot.values() if op.snapshot is not None else []))
            for d in op.sunk:
                uses.update(id(v) for v in d.uses())
            builds: List[Deferred] = []
            for nid in groups:
                r = rep[nid]
                cls = news[nid].descr
                if id(r) in uses:
                    builds.append(Deferred("alloc", r, cls, []))
                    builds += [Deferred("setfield", r, f, [field_args[nid][f]]) for f in fields[nid]]
                if nid in uses:
                    n = news[nid]
                    builds.append(Deferred("alloc", n, cls, []))
                    builds += [Deferred("setfield", n, f, [v]) for f, v in cur[nid].items()]
            if builds:
                allocs = [d for d in builds if d.kind == "alloc"]
                op.sunk = allocs + [d for d in builds if d.kind != "alloc"] + list(op.sunk)
        if name == "jump":
            vals = [a for k, a in enumerate(args) if k not in unboxed_pos]
            for nid in groups:
                vals += [cur[nid][f] for f in fields[nid]]
            op.args = vals
        out.append(op)
    second = Op("label", new_args)
    second.descr = start_vals
    return first, second, out


def _constant_vars(label: Op, body: List[Op]) -> List[Op]:
    """Loop variables that start as a constant and get the same constant back every iteration
    (an unboxed object's class-like attributes) are that constant."""
    replace: Dict[int, Value] = {}
    for lv, sv, jv in zip(label.args, label.descr, body[-1].args):
        if isinstance(sv, Const) and isinstance(jv, Const) and sv.same_constant(jv) \
                and isinstance(lv, InputArg) and lv.hint == "unboxed":
            replace[id(lv)] = sv
    return _fix_loop_vars(label, body, replace)


def _fix_loop_vars(label: Op, body: List[Op], replace: Dict[int, Value]) -> List[Op]:
    """The loop variables in ``replace`` are those constants in the loop proper: their uses
    are rewritten, they leave the label and the jump (when the label lists start values), and
    guards that now hold on constants go."""
    if not replace:
        return body
    for op in body:
        remap_uses(op, replace)
    if isinstance(label.descr, list):
        jump = body[-1]
        keep = [k for k, lv in enumerate(label.args) if id(lv) not in replace]
        starts = label.descr
        label.args = [label.args[k] for k in keep]
        label.descr = [starts[k] for k in keep]
        jump.args = [jump.args[k] for k in keep]
    return [op for op in body if not guard_holds(op)]


def plain_fields(cls: type, names: List[str]) -> bool:
    return all(plain_attribute(cls, n) for n in names)


def _copy_iteration(body: List[Op], params: List[Value], values: List[Value]) -> Tuple[List[Op], List[Value]]:
    """A copy of ``body`` (without its jump) with ``params`` bound to ``values``: fresh ops,
    resume data and delayed stores rewritten; returns (ops, the jump's values in the copy)."""
    m: Dict[int, Value] = {id(p): v for p, v in zip(params, values)}
    out: List[Op] = []

    def mv(v: Any) -> Any:
        return m.get(id(v), v)

    for op in body:
        if op.name == "jump":
            return out, [mv(a) for a in op.args]
        c = Op(op.name, [mv(a) for a in op.args], op.descr, op.type)
        c.location = op.location
        if op.snapshot is not None:
            snap = op.snapshot
            frames = [FrameSnapshot(f.jitcode, f.pc, [(r, mv(v)) for r, v in f.regs], f.func,
                                    mv(f.override) if f.override is not None else None)
                      for f in snap.frames]
            c.snapshot = Snapshot(frames, snap.mode, mv(snap.result) if snap.result is not None else None,
                                  mv(snap.exc) if snap.exc is not None else None)
        c.sunk = [d.remap(m) for d in op.sunk]
        m[id(op)] = c
        out.append(c)
    return out, []


def _loop_classes(pre: List[Op], label: Op, body: List[Op],
                  entry_snapshot: Callable[[], Snapshot]) -> List[Op]:
    """A loop variable whose next value always has the class the body guards it to have only
    needs that guard once, on its first value, in the preamble; then tests of it against None
    fold too."""
    jump = body[-1]
    if jump.name != "jump":
        return body
    starts = label.descr if isinstance(label.descr, list) else label.args
    known = _classes(pre + body, {})
    var: Dict[int, Tuple[type, Value]] = {}
    for lv, sv, jv in zip(label.args, starts, jump.args):
        if lv is jv:
            continue  # invariant: its guards were hoisted already
        cls = type(jv.value) if isinstance(jv, Const) else known.get(id(jv))
        if cls is not None:
            var[id(lv)] = (cls, sv)
    if not var:
        return body
    # loop variables whose class is now known on entry: those the body guards
    have: Dict[int, type] = {}
    for op in body:
        if op.name == "guard_class" and id(op.args[0]) in var and isinstance(op.args[1], Const) \
                and op.args[1].value is var[id(op.args[0])][0]:
            have.setdefault(id(op.args[0]), op.args[1].value)
    moved: Set[int] = set()
    out: List[Op] = []
    rw = Rewrite(body)
    for op in rw:
        name = op.name
        args = op.args
        if name == "guard_class" and id(args[0]) in var and isinstance(args[1], Const) \
                and args[1].value is var[id(args[0])][0]:
            if id(args[0]) not in moved:
                g = Op("guard_class", [var[id(args[0])][1], args[1]])
                g.location = op.location
                g.snapshot = entry_snapshot()
                pre.append(g)
                moved.add(id(args[0]))
            continue
        if name in ("ptr_eq", "ptr_ne") and len(args) == 2:
            a, b = args
            if isinstance(b, Const) and b.value is None and id(a) in have and have[id(a)] is not type(None):
                rw.replace[id(op)] = Const(name == "ptr_ne")
                continue
        if guard_holds(op):
            continue
        out.append(op)
    return out


def _loop_values(pre: List[Op], label: Op, body: List[Op],
                 entry_snapshot: Callable[[], Snapshot]) -> List[Op]:
    """A loop variable that every back edge sets to the same constant and that the body
    ``guard_value``s to that constant (a promoted stack depth) is checked once, on its first
    value, in the preamble, and is that constant in the loop proper."""
    jump = body[-1]
    if jump.name != "jump" or len(jump.args) != len(label.args):
        return body
    starts = label.descr if isinstance(label.descr, list) else label.args
    back: Dict[int, Tuple[Const, Value]] = {}
    for lv, sv, jv in zip(label.args, starts, jump.args):
        if isinstance(jv, Const) and lv is not jv:
            back[id(lv)] = (jv, sv)
    fixed: Dict[int, Value] = {}
    for op in body:
        if op.name == "guard_value" and id(op.args[0]) in back and isinstance(op.args[1], Const) \
                and op.args[1].same_constant(back[id(op.args[0])][0]) and id(op.args[0]) not in fixed:
            g = Op("guard_value", [back[id(op.args[0])][1], op.args[1]], op.descr)
            g.location = op.location
            g.snapshot = entry_snapshot()
            pre.append(g)
            fixed[id(op.args[0])] = op.args[1]
    return _fix_loop_vars(label, body, fixed)


def _hoist(ops: List[Op], invariant: Set[int], eff: _Effects,
           entry_snapshot: Callable[[], Snapshot]) -> Tuple[List[Op], List[Op]]:
    pre: List[Op] = []
    body: List[Op] = []
    hoisted_raiser = False
    seen: Dict[Any, Op] = {}  # what the preamble already computes or checks
    rw = Rewrite(ops)
    for op in rw:
        name = op.name
        if name == "guard_no_exception" and hoisted_raiser:
            hoisted_raiser = False
            op.snapshot = entry_snapshot()
            op.sunk = []
            pre.append(op)
            continue
        hoisted_raiser = False
        if name == "guard_not_invalidated" and not eff.opaque:
            # nothing in the loop can write a quasi-immutable field: one check on entry
            if ("gni", id(op.descr)) not in seen:
                seen[("gni", id(op.descr))] = op
                op.snapshot = entry_snapshot()
                op.sunk = []
                pre.append(op)
            continue
        args_ok = bool(op.args) and all(isinstance(a, Const) or id(a) in invariant for a in op.args)
        if not args_ok or name == "jump":
            body.append(op)
            continue
        spec = op.spec
        move = False
        if name in _HOIST_GUARDS or name == "call_pure" or name in ("getfield", "getitem", "len") \
                or name.startswith(_PURE_PREFIX):
            sig = (name, tuple(_key(a) if isinstance(a, Const) and not _plain_const(a) else
                               ("v", a.value) if isinstance(a, Const) else id(a) for a in op.args),
                   id(op.descr) if not isinstance(op.descr, str) else op.descr)
            twin = seen.get(sig)
            if twin is not None:
                rw.drop(op, twin if op.has_result() else None)
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
        elif name == "len":
            move = eff.length_unchanged(op.args[0])
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
                and _list_index(op.args[1]) is not None:
            loc = ("i", _key(op.args[0]), op.args[1].value)
            where.setdefault(loc, (op.args[0], op.args[1]))
        else:
            continue
        first.setdefault(loc, "read" if name.startswith("get") else "write")
    # (a location written before it is read is carried too: the value the previous iteration
    # left there is what a guard failing before the write must store back)
    wanted = [loc for loc in first
              if any(op.name.startswith("set") and _loc_of(op, eff) == loc for op in body)]
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
    rw = Rewrite(body)
    for op in rw:
        name = op.name
        loc = _loc_of(op, eff) if name in ("getfield", "setfield", "getitem", "setitem") else None
        if loc is not None and loc in current:
            if name.startswith("get"):
                rw.drop(op, current[loc])
            else:
                current[loc] = op.args[-1]
                rw.drop(op)
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
    if op.name in ("getitem", "setitem") and _list_index(op.args[1]) is not None:
        return ("i", _key(op.args[0]), op.args[1].value)
    return None


def _list_index(v: Value) -> Optional[int]:
    """The index of a carried list location: a constant exact int >= 0 (a slice, a negative
    index or any other key is not a location of its own; ``_exclusive`` keeps such accesses
    from aliasing a carried one)."""
    if isinstance(v, Const) and type(v.value) is int and v.value >= 0:
        return v.value
    return None


def _deferred_loc(d: Deferred, eff: _Effects) -> Optional[Loc]:
    if d.kind == "setfield":
        return ("f", _key(d.target), d.key)
    if d.kind == "setitem" and _list_index(d.key) is not None:
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


def entry_snapshot_for(jitcode: Any, func: Any, key: Tuple[Any, ...], inputargs: List[Any]) -> Callable[[], Snapshot]:
    """Resume data for 'at the merge point, before the iteration': greens and reds only."""
    def make() -> Snapshot:
        regs: List[Tuple[int, Any]] = [(r, Const(v)) for r, v in zip(jitcode.green_regs, key)]
        regs += list(zip(jitcode.red_regs, inputargs))
        return Snapshot([FrameSnapshot(jitcode, jitcode.merge_point_pc, regs, func)], "redo")

    return make


__all__ = ["optimize_loop", "entry_snapshot_for"]
