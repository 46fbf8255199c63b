"""Which builtin calls run no user code, by the classes of their arguments.

The tracer's heap cache, the optimizer's delayed stores (``heap``) and invariant code motion
(``loop``) all keep what they know across a call only when the call cannot run code of the
program.  A builtin can, on objects of user classes: ``len(x)`` calls ``x.__len__``, ``max(a, b)``
calls ``__lt__``, ``l.extend(it)`` iterates ``it``, ``d.get(k)`` hashes ``k``, ``l.sort()`` and
``l.index(v)`` compare the items.  So each builtin listed here comes with the argument classes it
is harmless with; one table, so that the three places cannot disagree.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

from .model import Const, Value

INTS = frozenset((int, bool))
NUMS = frozenset((int, float, bool))
HASHABLE = frozenset((int, float, bool, str, bytes, type(None)))
# builtin containers: their len() calls no __len__ of the program's
SIZED = frozenset((list, tuple, str, bytes, bytearray, dict, set, frozenset, range))
SEQS = frozenset((list, tuple))
_LIST = frozenset((list,))

# function -> the argument signatures (one class set per argument after the function, None for
# "any object": list.append does not look at the item) with which it runs no user code
_SAFE_CALLS: List[Tuple[Any, List[Tuple[Optional[frozenset], ...]]]] = [
    (list.append, [(_LIST, None)]),
    (list.pop, [(_LIST,), (_LIST, INTS)]),
    (list.__getitem__, [(_LIST, INTS)]),
    (list.__setitem__, [(_LIST, INTS, None)]),
    (list.insert, [(_LIST, INTS, None)]),
    (list.extend, [(_LIST, SEQS)]),
    (list.copy, [(_LIST,)]),
    (list.reverse, [(_LIST,)]),
    (tuple.__getitem__, [(frozenset((tuple,)), INTS)]),
    (len, [(SIZED,)]),
    (abs, [(NUMS,)]),
    (chr, [(INTS,)]),
    (ord, [(frozenset((str, bytes)),)]),
    (iter, [(SIZED,)]),
    (dict.get, [(frozenset((dict,)), HASHABLE), (frozenset((dict,)), HASHABLE, None)]),
    (dict.__contains__, [(frozenset((dict,)), HASHABLE)]),
    (str.join, [(frozenset((str,)), SEQS)]),
    (str.startswith, [(frozenset((str,)), frozenset((str, tuple)))]),
    (str.endswith, [(frozenset((str,)), frozenset((str, tuple)))]),
]
for _f in (min, max):  # of two or three numbers (or two strings): no __lt__ of the program's
    _SAFE_CALLS.append((_f, [(NUMS, NUMS), (NUMS, NUMS, NUMS), (frozenset((str,)), frozenset((str,)))]))
_SAFE_SIGS: Dict[int, List[Tuple[Optional[frozenset], ...]]] = {id(f): sigs for f, sigs in _SAFE_CALLS}
# the list methods of the table (what a loop may do to a list without running user code)
LIST_METHODS = frozenset(id(f) for f, _ in _SAFE_CALLS if getattr(f, "__objclass__", None) is list)


def runs_no_user_code(fn: Any, classes: Sequence[Optional[type]]) -> bool:
    """``fn(*args)`` with arguments of these exact classes (None: unknown) runs no user code."""
    for sig in _SAFE_SIGS.get(id(fn), ()):
        if len(sig) == len(classes) and all(want is None or cls in want for want, cls in zip(sig, classes)):
            return True
    return False


def int_valued(v: Value, known: Dict[int, Any]) -> bool:
    """For the optimizer: ``v`` is an int (or bool), so indexing with it calls no ``__index__``:
    a constant, of a class a guard checked, or what an int operation or a byte read produces."""
    if isinstance(v, Const):
        return type(v.value) in (int, bool)
    if known.get(id(v)) in (int, bool):
        return True
    name = getattr(v, "name", "")
    return name.startswith("int_") or (name == "getitem" and known.get(id(v.args[0])) is bytearray)
