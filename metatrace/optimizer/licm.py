"""Loop-invariant code motion: what every iteration recomputes the same way runs once per entry.

For a loop that jumps back to itself, an input argument is invariant when the ``jump`` passes it
through unchanged.  An op is hoisted in front of the loop when its arguments are invariant and:

- it is pure (arithmetic, comparisons, identity tests), or
- it is a guard (class, value, identity, truth) — it would give the same answer in every
  iteration, or
- it is an attribute read (``getfield``) that nothing in the loop can change: no ``setfield`` of
  that attribute and nothing that may run user code.

The result is ``preamble + [label] + body``.  A hoisted guard that fails has done none of the
iteration's work yet, so it resumes at the loop's merge point (``entry_snapshot``), not where
it stood in the body; the same holds for a hoisted read that raises.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Dict, List, Optional, Tuple

from ..ir.model import Const, Op, Snapshot

_PURE_PREFIX = ("int_", "float_", "cast_")
_HOIST_GUARDS = {"guard_class", "guard_value", "guard_is", "guard_true", "guard_false",
                 "guard_nonnull", "guard_isnull"}
_NO_CALL_EFFECT = {id(list.append), id(list.pop), id(list.insert), id(list.extend), id(len)}
_MATH = {id(getattr(math, n)) for n in dir(math) if callable(getattr(math, n))}


def _may_write_attributes(op: Op, known: Dict[int, type]) -> bool:
    name = op.name
    if name.startswith("py_") or name in ("call_portal", "call_loopinvariant", "delitem"):
        return True
    if name in ("call", "call_pure"):
        callee = op.args[0] if op.args else None
        if isinstance(callee, Const) and id(callee.value) in _NO_CALL_EFFECT:
            return False
        # math functions on numbers of known class run no Python code
        return not (isinstance(callee, Const) and id(callee.value) in _MATH
                    and all(known.get(id(a)) in (int, float, bool) or
                            (isinstance(a, Const) and type(a.value) in (int, float, bool))
                            for a in op.args[1:]))
    return False


def hoist(inputargs: List[Any], ops: List[Op],
          entry_snapshot: Callable[[], Snapshot]) -> Optional[Tuple[List[Op], List[Op]]]:
    """Split a self-loop's ops into (preamble, body); None if nothing can be hoisted."""
    if not ops or ops[-1].name != "jump":
        return None
    jump = ops[-1]
    invariant = {id(a) for a, j in zip(inputargs, jump.args) if a is j}
    if not invariant:
        return None
    written = {op.descr for op in ops if op.name == "setfield"}
    known: Dict[int, type] = {}
    for op in ops:
        if op.name == "guard_class" and isinstance(op.args[1], Const):
            known[id(op.args[0])] = op.args[1].value
        elif op.name.startswith("float_") and op.type == "f":
            known[id(op)] = float
    opaque = any(_may_write_attributes(op, known) for op in ops)
    pre: List[Op] = []
    body: List[Op] = []
    hoisted_read = False
    for op in ops:
        name = op.name
        if name == "guard_no_exception" and hoisted_read:
            hoisted_read = False
            op.snapshot = entry_snapshot()
            op.sunk = []
            pre.append(op)
            continue
        hoisted_read = False
        args_ok = op.args and all(isinstance(a, Const) or id(a) in invariant for a in op.args)
        spec = op.spec
        if args_ok and spec.pure and not spec.canraise and name.startswith(_PURE_PREFIX + ("ptr_",)):
            pre.append(op)
            invariant.add(id(op))
            continue
        if args_ok and name in _HOIST_GUARDS:
            op.snapshot = entry_snapshot()
            op.sunk = []
            pre.append(op)
            continue
        if args_ok and name == "getfield" and not opaque and op.descr not in written:
            pre.append(op)
            invariant.add(id(op))
            hoisted_read = True
            continue
        body.append(op)
    if not pre:
        return None
    return pre, body


def entry_snapshot_for(jitcode: Any, func: Any, key: Tuple[Any, ...], inputargs: List[Any]) -> Callable[[], Snapshot]:
    """Resume data for 'at the merge point, before the iteration': greens and reds only."""
    from ..ir.model import FrameSnapshot

    def make() -> Snapshot:
        regs: List[Tuple[int, Any]] = [(r, Const(v)) for r, v in zip(jitcode.green_regs, key)]
        regs += list(zip(jitcode.red_regs, inputargs))
        return Snapshot([FrameSnapshot(jitcode, jitcode.merge_point_pc, regs, func)], "redo")

    return make


__all__ = ["hoist", "entry_snapshot_for", "Dict"]
