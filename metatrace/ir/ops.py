"""The op table: every trace operation declared once.

Each entry says the op's name, arity (``-1`` = variadic), result type (``i`` int, ``f`` float,
``r`` any Python object, ``v`` no value), flags, how to compute it on concrete values (``impl``:
used for constant folding and by the reference executor) and how to emit it as Python source
(``py``: a template over the argument expressions ``{0}``, ``{1}``..., ``{args}`` for all of them
joined by commas, and ``{descr}`` for the descr's source form).  The printer, the parser, the
executor, the optimizer's folding and the Python backend all read this table.

Ops follow Python semantics: ``int_add`` on two ints is ``a + b`` with unbounded ints; the
``py_*`` ops are the generic Python operators for any operand types (they may call user code).
"""

from __future__ import annotations

import operator
from typing import Any, Callable, Dict, Optional

# flags
PURE = 1  # no side effects, result depends only on arguments: foldable, CSE-able
GUARD = 2
CANRAISE = 4  # may raise a Python exception (the trace follows it with a guard_no_exception)
FINAL = 8  # jump / finish / finish_raise
SIDEEFFECT = 16  # writes the heap or calls arbitrary code
NOFOLD = 32  # pure but never fold at trace time (e.g. allocation)


class OpSpec:
    """What an operation is: its arity, result kind, flags, implementation and Python form.
    (A plain class: importing ``dataclasses`` is 8 ms of every JIT-on start-up, most of it
    ``inspect``, which it imports.)"""

    __slots__ = ("name", "arity", "result", "flags", "impl", "py", "doc")

    def __init__(self, name: str, arity: int, result: str, flags: int,
                 impl: Optional[Callable[..., Any]], py: Optional[str], doc: str) -> None:
        self.name = name
        self.arity = arity
        self.result = result
        self.flags = flags
        self.impl = impl
        self.py = py
        self.doc = doc

    def __repr__(self) -> str:
        return "OpSpec(%r, arity=%d, result=%r, flags=%d)" % (self.name, self.arity, self.result, self.flags)

    def replace(self, **changes: Any) -> "OpSpec":
        """A copy with some fields changed (tests break an op's Python form this way)."""
        fields = {k: getattr(self, k) for k in self.__slots__}
        fields.update(changes)
        return OpSpec(**fields)

    @property
    def pure(self) -> bool:
        return bool(self.flags & PURE)

    @property
    def is_guard(self) -> bool:
        return bool(self.flags & GUARD)

    @property
    def canraise(self) -> bool:
        return bool(self.flags & CANRAISE)

    @property
    def is_final(self) -> bool:
        return bool(self.flags & FINAL)

    @property
    def has_side_effect(self) -> bool:
        return bool(self.flags & SIDEEFFECT)


OPS: Dict[str, OpSpec] = {}


def _op(name: str, arity: int, result: str, flags: int, impl: Any, py: Optional[str], doc: str = "") -> None:
    assert name not in OPS, name
    OPS[name] = OpSpec(name, arity, result, flags, impl, py, doc)


def _floordiv(a: Any, b: Any) -> Any:
    return a // b


# --- integer ops (both operands exact ints or bools; Python int semantics) ---------------------
for _name, _fn, _sym in [
    ("add", operator.add, "+"), ("sub", operator.sub, "-"), ("mul", operator.mul, "*"),
    ("and", operator.and_, "&"), ("or", operator.or_, "|"), ("xor", operator.xor, "^"),
]:
    _op("int_" + _name, 2, "i", PURE, _fn, "({0} %s {1})" % _sym)
_op("int_floordiv", 2, "i", PURE | CANRAISE, _floordiv, "({0} // {1})", "raises ZeroDivisionError")
_op("int_mod", 2, "i", PURE | CANRAISE, operator.mod, "({0} % {1})", "raises ZeroDivisionError")
_op("int_lshift", 2, "i", PURE | CANRAISE, operator.lshift, "({0} << {1})", "raises on a negative count")
_op("int_rshift", 2, "i", PURE | CANRAISE, operator.rshift, "({0} >> {1})", "raises on a negative count")
_op("int_neg", 1, "i", PURE, operator.neg, "(-{0})")
_op("int_invert", 1, "i", PURE, operator.invert, "(~{0})")
_op("int_is_true", 1, "i", PURE, lambda a: a != 0, "({0} != 0)")
_op("int_is_zero", 1, "i", PURE, lambda a: a == 0, "({0} == 0)")
for _name, _fn, _sym in [
    ("lt", operator.lt, "<"), ("le", operator.le, "<="), ("eq", operator.eq, "=="),
    ("ne", operator.ne, "!="), ("gt", operator.gt, ">"), ("ge", operator.ge, ">="),
]:
    _op("int_" + _name, 2, "i", PURE, _fn, "({0} %s {1})" % _sym)
    _op("float_" + _name, 2, "i", PURE, _fn, "({0} %s {1})" % _sym)

# --- float ops (both operands exact floats) ------------------------------------------------
for _name, _fn, _sym in [("add", operator.add, "+"), ("sub", operator.sub, "-"), ("mul", operator.mul, "*")]:
    _op("float_" + _name, 2, "f", PURE, _fn, "({0} %s {1})" % _sym)
_op("float_truediv", 2, "f", PURE | CANRAISE, operator.truediv, "({0} / {1})", "raises ZeroDivisionError")
_op("float_neg", 1, "f", PURE, operator.neg, "(-{0})")
_op("float_abs", 1, "f", PURE, abs, "abs({0})")
_op("cast_int_to_float", 1, "f", PURE | CANRAISE, float, "float({0})", "raises OverflowError for huge ints")

# --- identity ---------------------------------------------------------------------------
_op("ptr_eq", 2, "i", PURE, operator.is_, "({0} is {1})")
_op("ptr_ne", 2, "i", PURE, operator.is_not, "({0} is not {1})")
_op("same_as", 1, "r", PURE, lambda a: a, "{0}")

# --- generic Python operators (any operand types; may run user code) ----------------------
_GENERIC_BIN = {
    "add": (operator.add, "+"), "sub": (operator.sub, "-"), "mul": (operator.mul, "*"),
    "truediv": (operator.truediv, "/"), "floordiv": (operator.floordiv, "//"),
    "mod": (operator.mod, "%"), "pow": (operator.pow, "**"), "lshift": (operator.lshift, "<<"),
    "rshift": (operator.rshift, ">>"), "and": (operator.and_, "&"), "or": (operator.or_, "|"),
    "xor": (operator.xor, "^"), "matmul": (operator.matmul, "@"),
    "lt": (operator.lt, "<"), "le": (operator.le, "<="), "eq": (operator.eq, "=="),
    "ne": (operator.ne, "!="), "gt": (operator.gt, ">"), "ge": (operator.ge, ">="),
}
for _name, (_fn, _sym) in _GENERIC_BIN.items():
    _op("py_" + _name, 2, "r", SIDEEFFECT | CANRAISE, _fn, "({0} %s {1})" % _sym)
_GENERIC_INPLACE = {
    "add": operator.iadd, "sub": operator.isub, "mul": operator.imul, "truediv": operator.itruediv,
    "floordiv": operator.ifloordiv, "mod": operator.imod, "pow": operator.ipow,
    "lshift": operator.ilshift, "rshift": operator.irshift, "and": operator.iand,
    "or": operator.ior, "xor": operator.ixor, "matmul": operator.imatmul,
}
for _name, _fn in _GENERIC_INPLACE.items():
    _op("py_i" + _name, 2, "r", SIDEEFFECT | CANRAISE, _fn, "_ops.i%s({0}, {1})" % _name)
_op("py_neg", 1, "r", SIDEEFFECT | CANRAISE, operator.neg, "(-{0})")
_op("py_pos", 1, "r", SIDEEFFECT | CANRAISE, operator.pos, "(+{0})")
_op("py_invert", 1, "r", SIDEEFFECT | CANRAISE, operator.invert, "(~{0})")
_op("py_not", 1, "i", SIDEEFFECT | CANRAISE, operator.not_, "(not {0})")
_op("py_bool", 1, "i", SIDEEFFECT | CANRAISE, bool, "bool({0})")
_op("py_contains", 2, "i", SIDEEFFECT | CANRAISE, operator.contains, "({1} in {0})", "container, item")
_op("py_isinstance", 2, "i", SIDEEFFECT | CANRAISE, isinstance, "isinstance({0}, {1})")

# --- heap -------------------------------------------------------------------------------
_op("getfield", 1, "r", CANRAISE, None, "{0}.{descr}", "attribute read; descr = attribute name")
_op("setfield", 2, "v", SIDEEFFECT | CANRAISE, None, "{0}.{descr} = {1}", "attribute write")
_op("getitem", 2, "r", SIDEEFFECT | CANRAISE, operator.getitem, "{0}[{1}]")
_op("setitem", 3, "v", SIDEEFFECT | CANRAISE, operator.setitem, "{0}[{1}] = {2}")
_op("delitem", 2, "v", SIDEEFFECT | CANRAISE, operator.delitem, "del {0}[{1}]")
_op("len", 1, "i", SIDEEFFECT | CANRAISE, len, "len({0})")
_op("getglobal", 0, "r", CANRAISE, None, "_globals_{descr}", "module global read; descr = (module dict, name)")

# --- allocation -------------------------------------------------------------------------
_op("new", 0, "r", PURE | NOFOLD, None, "_new({descr})", "allocate an instance of descr (a class) without __init__")
_op("new_list", -1, "r", PURE | NOFOLD, lambda *a: list(a), "[{args}]")
_op("new_tuple", -1, "r", PURE, lambda *a: tuple(a), "({args},)")
_op("new_dict", -1, "r", PURE | NOFOLD | CANRAISE, None, "_mkdict({args})", "keys and values alternate")
_op("new_method", 2, "r", PURE | NOFOLD, None, "_MethodType({0}, {1})", "bound method object")
_op("new_slice", 3, "r", PURE, slice, "_slice({0}, {1}, {2})")

# --- calls ------------------------------------------------------------------------------
_op("call", -1, "r", SIDEEFFECT | CANRAISE, None, "{0}({rest})", "residual call; arg 0 is the callee")
_op("call_pure", -1, "r", PURE | CANRAISE | NOFOLD, None, "{0}({rest})", "call of an elidable function")
_op("call_loopinvariant", -1, "r", SIDEEFFECT | CANRAISE, None, "{0}({rest})", "call of a loop_invariant function")
_op("call_portal", -1, "r", SIDEEFFECT | CANRAISE, None, "{0}({rest})", "recursive call of a JIT'd portal")
_op("call_assembler", 3, "r", SIDEEFFECT | CANRAISE, None, "{0}({1}, {2})",
    "a portal call from its merge point: arg 0 enters it, arg 1 the green key, arg 2 the reds")

# --- guards -----------------------------------------------------------------------------
_op("guard_true", 1, "v", GUARD, None, "not {0}")
_op("guard_false", 1, "v", GUARD, None, "{0}")
_op("guard_value", 2, "v", GUARD, None, "{0}.__class__ is not {descr} or {0} != {1}",
    "value guard by class and ==; descr = the constant's class")
_op("guard_is", 2, "v", GUARD, None, "{0} is not {1}", "value guard by identity (promote of objects)")
_op("guard_class", 2, "v", GUARD, None, "{0}.__class__ is not {1}")
_op("guard_nonnull", 1, "v", GUARD, None, "{0} is None")
_op("guard_isnull", 1, "v", GUARD, None, "{0} is not None")
_op("guard_no_exception", 0, "v", GUARD, None, None, "follows a CANRAISE op")
_op("guard_exception", 0, "r", GUARD, None, None, "follows a CANRAISE op that raised; descr = class")
_op("guard_not_invalidated", 0, "v", GUARD, None, "_inv.invalid", "quasi-immutable assumptions still hold")
_op("guard_no_overflow", 0, "v", GUARD, None, None, "tier 2 only")

# --- control and debug ------------------------------------------------------------------
_op("label", -1, "v", 0, None, None)
_op("jump", -1, "v", FINAL, None, None)
_op("finish", 1, "v", FINAL, None, None, "the portal returned arg 0")
_op("finish_raise", 1, "v", FINAL, None, None,
    "the portal raised arg 0: an exception left the interpreter loop")
_op("debug_merge_point", 0, "v", 0, None, None, "descr = printable location of an interpreted instruction")

INT_COMPARISONS = {"lt", "le", "eq", "ne", "gt", "ge"}
BOOL_RESULT = {n for n in OPS if n.split("_", 1)[-1] in INT_COMPARISONS and n.startswith(("int_", "float_"))}
BOOL_RESULT |= {"ptr_eq", "ptr_ne", "int_is_true", "int_is_zero", "py_not", "py_bool", "py_contains", "py_isinstance"}


def spec(name: str) -> OpSpec:
    try:
        return OPS[name]
    except KeyError:
        raise KeyError("unknown trace op %r" % name)
