"""Dead code elimination: pure ops that cannot raise and whose results nothing uses
(no later op, no guard's resume data) are removed, in one backward pass."""

from __future__ import annotations

from typing import Dict, Optional, Any, List

from ..ir.effects import SIZED
from ..ir.model import Const, Op


def optimize(inputargs: List[Any], ops: List[Op], known_in: Optional[Dict[int, type]] = None) -> List[Op]:
    used = set()
    out: List[Op] = []
    # ``len`` of a builtin container cannot fail nor run code: unused, it goes too
    sized = {k for k, cls in (known_in or {}).items() if cls in SIZED}
    for op in ops:
        if op.name == "guard_class" and isinstance(op.args[1], Const) and op.args[1].value in SIZED:
            sized.add(id(op.args[0]))
        elif op.name == "new_list":
            sized.add(id(op))
    for op in reversed(ops):
        spec = op.spec
        if (spec.pure and not spec.canraise and not spec.is_guard and op.has_result()
                and id(op) not in used):
            continue
        if op.name == "len" and id(op) not in used and id(op.args[0]) in sized:
            continue
        out.append(op)
        for a in op.args:
            used.add(id(a))
        snap = op.snapshot
        if snap is not None:
            for v in snap.values():
                used.add(id(v))
        for deferred in op.sunk:
            for v in deferred.uses():
                used.add(id(v))
    out.reverse()
    return out
