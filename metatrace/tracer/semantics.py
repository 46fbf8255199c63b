"""Python semantics of jitcode instructions on concrete values, shared by the tracer (which also
records) and the blackhole interpreter (which only executes), so both agree with CPython."""

from __future__ import annotations

import builtins
import operator
from typing import Any, Callable, Dict, Tuple

BINOP: Dict[str, Callable[[Any, Any], Any]] = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "truediv": operator.truediv,
    "floordiv": operator.floordiv, "mod": operator.mod, "pow": operator.pow,
    "lshift": operator.lshift, "rshift": operator.rshift, "and": operator.and_,
    "or": operator.or_, "xor": operator.xor, "matmul": operator.matmul,
}
INPLACE: Dict[str, Callable[[Any, Any], Any]] = {
    "add": operator.iadd, "sub": operator.isub, "mul": operator.imul, "truediv": operator.itruediv,
    "floordiv": operator.ifloordiv, "mod": operator.imod, "pow": operator.ipow,
    "lshift": operator.ilshift, "rshift": operator.irshift, "and": operator.iand,
    "or": operator.ior, "xor": operator.ixor, "matmul": operator.imatmul,
}
UNOP: Dict[str, Callable[[Any], Any]] = {
    "neg": operator.neg, "pos": operator.pos, "invert": operator.invert, "not": operator.not_,
}


def _in(a: Any, b: Any) -> bool:
    return a in b


def _not_in(a: Any, b: Any) -> bool:
    return a not in b


COMPARE: Dict[str, Callable[[Any, Any], Any]] = {
    "lt": operator.lt, "le": operator.le, "eq": operator.eq, "ne": operator.ne,
    "gt": operator.gt, "ge": operator.ge, "is": operator.is_, "is_not": operator.is_not,
    "in": _in, "not_in": _not_in,
}


def unpack(value: Any, n: int) -> Tuple[Any, ...]:
    """``a, b = value`` with CPython's errors."""
    items = []
    try:
        it = iter(value)
    except TypeError:
        t = type(value)
        if getattr(t, "__iter__", None) is None and (not hasattr(t, "__getitem__") or issubclass(t, dict)):
            raise TypeError("cannot unpack non-iterable %s object" % t.__name__) from None
        raise
    for x in it:
        items.append(x)
        if len(items) > n:
            raise ValueError("too many values to unpack (expected %d)" % n)
    if len(items) < n:
        raise ValueError("not enough values to unpack (expected %d, got %d)" % (n, len(items)))
    return tuple(items)


def _unbound_format() -> str:
    def probe() -> None:
        __mt_probe__  # noqa: F821,B018 - read before the assignment below
        __mt_probe__ = 0  # noqa: F841

    try:
        probe()
    except UnboundLocalError as e:
        return str(e).replace("__mt_probe__", "%s")
    return "cannot access local variable '%s' where it is not associated with a value"


_UNBOUND_FORMAT = _unbound_format()


def unbound_local(name: str) -> UnboundLocalError:
    """The error of reading the local ``name`` before it is assigned (this Python's message)."""
    return UnboundLocalError(_UNBOUND_FORMAT % name)


def make_exception(value: Any) -> BaseException:
    """What ``raise value`` raises."""
    if isinstance(value, type) and issubclass(value, BaseException):
        value = value()
    if not isinstance(value, BaseException):
        return TypeError("exceptions must derive from BaseException")
    return value


def load_global(func: Any, name: str) -> Any:
    g = func.__globals__
    try:
        return g[name]
    except KeyError:
        pass
    b = g.get("__builtins__", builtins)
    if isinstance(b, dict):
        if name in b:
            return b[name]
    elif hasattr(b, name):
        return getattr(b, name)
    raise NameError("name %r is not defined" % name)


def load_deref(func: Any, index: int) -> Any:
    cell = func.__closure__[index]
    try:
        return cell.cell_contents
    except ValueError:
        raise NameError("free variable %r referenced before assignment" % func.__code__.co_freevars[index])


def range_check(start: Any, stop: Any, step: Any) -> Tuple[int, int]:
    """``for i in range(start, stop)`` is compiled to counting from ``start`` to ``stop``: check
    them as range() does and return them as range() holds them (exact ints: ``range(True, 3)``
    yields 1, 2; an object with ``__index__`` is converted)."""
    range(start, stop, step)  # raises the TypeError / ValueError CPython would
    return operator.index(start), operator.index(stop)


def exc_match(exc: Any, typ: Any) -> bool:
    return isinstance(exc, typ)


_NEXT_SENTINEL = object()


def for_next(it: Any) -> Any:
    return next(it, _NEXT_SENTINEL)


def is_exhausted(value: Any) -> bool:
    return value is _NEXT_SENTINEL


def build_dict(*kv: Any) -> dict:
    d = {}
    for i in range(0, len(kv), 2):
        d[kv[i]] = kv[i + 1]
    return d


def call_method(obj: Any, name: str, args: Tuple[Any, ...], kwnames: Tuple[str, ...]) -> Any:
    if kwnames:
        n = len(args) - len(kwnames)
        return getattr(obj, name)(*args[:n], **dict(zip(kwnames, args[n:])))
    return getattr(obj, name)(*args)


def call(f: Any, args: Tuple[Any, ...], kwnames: Tuple[str, ...]) -> Any:
    if kwnames:
        n = len(args) - len(kwnames)
        return f(*args[:n], **dict(zip(kwnames, args[n:])))
    return f(*args)
