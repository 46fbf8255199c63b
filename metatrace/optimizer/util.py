"""Shared by the passes: rewriting every use of a value (arguments, resume data, sunk stores)."""

from __future__ import annotations

from typing import Dict, Iterator, List, Optional

from ..ir.model import Op, Value


def remap_uses(op: Op, replace: Dict[int, Value]) -> None:
    """Replace, in ``op``, each value whose id is in ``replace`` by its replacement."""
    op.args = [replace.get(id(a), a) for a in op.args]
    snap = op.snapshot
    if snap is not None:
        for f in snap.frames:
            # most frames hold nothing replaced: look before building a new list (the passes
            # remap every guard's every frame, the largest share of their time with inlining)
            regs = f.regs
            for _r, v in regs:
                if id(v) in replace:
                    f.regs = [(r, replace.get(id(v), v)) for r, v in regs]
                    break
            if f.override is not None:
                f.override = replace.get(id(f.override), f.override)
        if snap.result is not None:
            snap.result = replace.get(id(snap.result), snap.result)
        if snap.heap:
            snap.heap = [(replace.get(id(o), o), name, replace.get(id(v), v)) for o, name, v in snap.heap]
    if op.sunk:
        op.sunk = [d.remap(replace) for d in op.sunk]


class Rewrite:
    """The walk every pass makes over the ops: each op comes with the uses of replaced values
    already rewritten, and an op the pass drops takes the ``guard_no_exception`` that followed
    it along (a removed op cannot raise)."""

    def __init__(self, ops: List[Op]) -> None:
        self.ops = ops
        self.replace: Dict[int, Value] = {}
        self._drop_guard = False

    def __iter__(self) -> Iterator[Op]:
        replace = self.replace
        for op in self.ops:
            if replace:
                remap_uses(op, replace)
            if self._drop_guard:
                self._drop_guard = False
                if op.name == "guard_no_exception":
                    continue
            yield op

    def drop(self, op: Op, value: Optional[Value] = None) -> None:
        """``op`` is left out; its result, if it has one, is ``value`` from now on."""
        if value is not None:
            self.replace[id(op)] = value
        self._drop_guard = True
