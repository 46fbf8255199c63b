"""Common subexpression elimination of pure ops, and removal of guards already checked.

A pure op (arithmetic, comparisons, identity tests) with the same arguments as an earlier one is
replaced by the earlier result.  Allocations are never merged: identity is observable.  A guard
that repeats an earlier guard on the same SSA value (``guard_true(i3)`` twice, the same
``guard_class``) is dropped; ``guard_not_invalidated`` is dropped when nothing that could write
a field ran since the previous one.

Tests of a known bool against ``True``/``False`` (``x is False`` on a comparison's result, what
an interpreter's conditional jump does) become guards on the bool itself, and a bool a guard
checked is that constant from there on.
"""

from __future__ import annotations

import math

from typing import Optional, Any, Dict, List, Tuple

from .util import Rewrite, remap_uses
from ..ir.model import Const, Op, Value
from ..ir.ops import NOFOLD

_NO_CSE = {"new_tuple", "new_slice", "same_as"}
_DEDUP_GUARDS = {"guard_true", "guard_false", "guard_class", "guard_value", "guard_is",
                 "guard_nonnull", "guard_isnull"}


# math functions whose result class is fixed whatever they are given (or they raise)
_MATH_RESULT = {id(getattr(math, n)): c for names, c in (
    (("fmod", "sqrt", "sin", "cos", "tan", "exp", "log", "log10", "log2", "atan", "atan2", "asin",
      "acos", "pow", "fabs", "hypot", "sinh", "cosh", "tanh", "copysign", "ldexp", "degrees",
      "radians"), float),
    (("isinf", "isnan", "isfinite"), bool)) for n in names if hasattr(math, n)}
_BOOL_OPS = {"lt", "le", "eq", "ne", "gt", "ge", "is_true", "is_zero"}


def guard_holds(op: Op) -> bool:
    """A guard on constants that always passes (one that always fails is kept)."""
    if not (op.is_guard() and op.args and all(isinstance(a, Const) for a in op.args)):
        return False
    vals = [a.value for a in op.args]  # type: ignore[attr-defined]
    name = op.name
    if name == "guard_true":
        return bool(vals[0])
    if name == "guard_false":
        return not vals[0]
    if name == "guard_class":
        return type(vals[0]) is vals[1]
    if name == "guard_value":
        return type(vals[0]) is type(vals[1]) and vals[0] == vals[1]
    if name == "guard_is":
        return vals[0] is vals[1]
    if name == "guard_nonnull":
        return vals[0] is not None
    if name == "guard_isnull":
        return vals[0] is None
    return False


def result_class(op: Op) -> Any:
    """The exact class of ``op``'s result where the op table's semantics fix it."""
    name = op.name
    if name.startswith(("int_", "float_")):
        suffix = name.split("_", 1)[1]
        if suffix in _BOOL_OPS:
            return bool
        return int if name.startswith("int_") else float
    if name in ("ptr_eq", "ptr_ne"):
        return bool
    if name == "call" and op.args and isinstance(op.args[0], Const):
        return _MATH_RESULT.get(id(op.args[0].value))
    if name == "new":
        return op.descr
    return {"new_list": list, "new_tuple": tuple, "new_dict": dict, "cast_int_to_float": float}.get(name)


def learn_class(op: Op, known: Dict[int, type]) -> None:
    """Record in ``known`` (id(value) -> exact class) what ``op`` establishes: the class a
    ``guard_class`` checks, or the class its result always has."""
    if op.name == "guard_class" and isinstance(op.args[1], Const):
        known[id(op.args[0])] = op.args[1].value
    else:
        rc = result_class(op)
        if rc is not None:
            known[id(op)] = rc


_MATH_IDS = {id(getattr(math, n)) for n in dir(math) if callable(getattr(math, n))}
_NUMBERS = (int, float, bool)


def math_on_numbers(op: Op, known: Dict[int, type]) -> bool:
    """A ``call`` of a ``math`` function on numbers of known class: it runs no Python code and
    reads no memory."""
    args = op.args
    if op.name != "call" or not (isinstance(args[0], Const) and id(args[0].value) in _MATH_IDS):
        return False
    for a in args[1:]:
        cls = type(a.value) if isinstance(a, Const) else known.get(id(a))
        if cls is None and isinstance(a, Op):
            cls = result_class(a)
        if cls not in _NUMBERS:
            return False
    return True


def _may_write_quasi(op: Op, known: Dict[int, type]) -> bool:
    """Could ``op`` write a quasi-immutable field (so a later ``guard_not_invalidated`` is
    needed again)?  Calls and generic operators may run code; stores into lists and dicts and
    math on numbers cannot."""
    name = op.name
    if not name.startswith(("call", "py_", "set", "del")):
        return False
    if name in ("setitem", "delitem") and known.get(id(op.args[0])) in (list, dict):
        return False
    return not math_on_numbers(op, known)


_CMP = {"int_lt", "int_le", "int_gt", "int_ge"}


class _Bounds:
    """Integer facts from guards: ``base >= lo`` and ``base <= hi`` for values seen as
    ``base + offset`` through ``int_add``/``int_sub`` with constants.  A later comparison they
    decide (``x - 1 >= 0`` after ``1 <= x``) becomes a constant, and its guard goes."""

    def __init__(self) -> None:
        self.syms: Dict[int, Tuple[int, int]] = {}  # id(value) -> (id(base), offset)
        self.lo: Dict[int, int] = {}
        self.hi: Dict[int, int] = {}
        self.tests: Dict[int, Tuple[int, str, int]] = {}  # id(comparison) -> (base, ">=" | "<=", k)

    def sym(self, v: Value) -> Tuple[int, int]:
        return self.syms.get(id(v), (id(v), 0))

    def note(self, op: Op) -> None:
        a = op.args
        if op.name in ("int_add", "int_sub") and not isinstance(a[0], Const) and isinstance(a[1], Const) \
                and type(a[1].value) is int:
            base, off = self.sym(a[0])
            self.syms[id(op)] = (base, off + (a[1].value if op.name == "int_add" else -a[1].value))

    def test(self, op: Op) -> Optional[bool]:
        """Record what comparison ``op`` asks; its value if the facts decide it."""
        x, y = op.args
        name = op.name
        if isinstance(y, Const) and not isinstance(x, Const) and type(y.value) is int:
            k = y.value
        elif isinstance(x, Const) and not isinstance(y, Const) and type(x.value) is int:
            x, k = y, x.value
            name = {"int_lt": "int_gt", "int_le": "int_ge", "int_gt": "int_lt", "int_ge": "int_le"}[name]
        else:
            return None
        base, off = self.sym(x)
        # x REL k  as  base >= L  or  base <= U
        if name == "int_lt":
            rel, bound = "<=", k - 1 - off
        elif name == "int_le":
            rel, bound = "<=", k - off
        elif name == "int_gt":
            rel, bound = ">=", k + 1 - off
        else:
            rel, bound = ">=", k - off
        self.tests[id(op)] = (base, rel, bound)
        lo, hi = self.lo.get(base), self.hi.get(base)
        if rel == ">=":
            if lo is not None and lo >= bound:
                return True
            if hi is not None and hi < bound:
                return False
        else:
            if hi is not None and hi <= bound:
                return True
            if lo is not None and lo > bound:
                return False
        return None

    def guarded(self, cond: Value, holds: bool) -> None:
        t = self.tests.get(id(cond))
        if t is None:
            return
        base, rel, bound = t
        if not holds:  # not (base >= L) is base <= L - 1, and the other way round
            rel, bound = ("<=", bound - 1) if rel == ">=" else (">=", bound + 1)
        if rel == ">=":
            self.lo[base] = max(self.lo.get(base, bound), bound)
        else:
            self.hi[base] = min(self.hi.get(base, bound), bound)


def _key(v: Value) -> Any:
    if isinstance(v, Const):
        try:
            hash(v.value)
            return ("c", type(v.value), v.value, repr(v.value) if isinstance(v.value, float) else None)
        except TypeError:
            return ("ci", id(v.value))
    return ("v", id(v))


def optimize(inputargs: List[Any], ops: List[Op], known_in: Optional[Dict[int, type]] = None) -> List[Op]:
    rw = Rewrite(ops)
    replace = rw.replace
    seen: Dict[Tuple[Any, ...], Op] = {}
    guards: set = set()
    out: List[Op] = []
    invalidation_checked = False
    known: Dict[int, type] = dict(known_in or {})  # id(value) -> its exact class
    negation: Dict[int, Value] = {}  # id(ptr_eq(x, False)) -> x, for x a bool
    bounds = _Bounds()
    for op in rw:
        spec = op.spec
        name = op.name
        if name == "call_pure":
            # elidable: the same call with the same arguments gives the same result
            k = ("call_pure", op.descr if isinstance(op.descr, (tuple, type(None))) else id(op.descr),
                 tuple(_key(a) for a in op.args))
            prev = seen.get(k)
            if prev is not None:
                rw.drop(op, prev)
                continue
            seen[k] = op
        if name == "label":
            seen.clear()
            guards.clear()
        if name == "guard_not_invalidated":
            if invalidation_checked:
                continue
            invalidation_checked = True
        elif _may_write_quasi(op, known):
            invalidation_checked = False
        if guard_holds(op):
            continue
        if name == "ptr_eq":
            x, c = op.args
            if isinstance(x, Const):
                x, c = c, x
            if isinstance(c, Const) and type(c.value) is bool and not isinstance(x, Const) \
                    and known.get(id(x)) is bool:
                if c.value:
                    replace[id(op)] = x  # (x is True) is x
                    continue
                negation[id(op)] = x
        if name in ("guard_true", "guard_false") and id(op.args[0]) in negation:
            # guard_false(x is False) is guard_true(x); when it fails, (x is False) was True
            v = op.args[0]
            remap_uses(op, {id(v): Const(name == "guard_false")})
            op.name = "guard_false" if name == "guard_true" else "guard_true"
            op.args = [negation[id(v)]]
            name = op.name
        if name in _CMP:
            decided = bounds.test(op)
            if decided is not None:
                replace[id(op)] = Const(decided)
                continue
        elif name in ("int_add", "int_sub"):
            bounds.note(op)
        elif name in ("guard_true", "guard_false"):
            bounds.guarded(op.args[0], name == "guard_true")
        if spec.pure and not (spec.flags & NOFOLD) and not spec.canraise and spec.impl is not None \
                and op.args and all(isinstance(a, Const) for a in op.args):
            try:
                replace[id(op)] = Const(spec.impl(*[a.value for a in op.args]))
                continue
            except Exception:
                pass
        if name == "guard_class" and isinstance(op.args[1], Const) \
                and known.get(id(op.args[0])) is op.args[1].value:
            continue
        learn_class(op, known)
        if name in _DEDUP_GUARDS:
            k = (name, tuple(_key(a) for a in op.args))
            if k in guards:
                continue
            guards.add(k)
            if name in ("guard_true", "guard_false") and not isinstance(op.args[0], Const) \
                    and known.get(id(op.args[0])) is bool:
                out.append(op)
                replace[id(op.args[0])] = Const(name == "guard_true")  # known from here on
                continue
        elif spec.pure and not (spec.flags & NOFOLD) and not spec.canraise and name not in _NO_CSE:
            k = (name, op.descr if isinstance(op.descr, (str, type(None))) else id(op.descr),
                 tuple(_key(a) for a in op.args))
            prev = seen.get(k)
            if prev is not None:
                replace[id(op)] = prev
                continue
            seen[k] = op
        out.append(op)
    return out
