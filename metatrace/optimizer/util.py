"""Shared by the passes: rewriting every use of a value (arguments, resume data, sunk stores)."""

from __future__ import annotations

from typing import Dict

from ..ir.model import Op, Value


def remap_uses(op: Op, replace: Dict[int, Value]) -> None:
    """Replace, in ``op``, each value whose id is in ``replace`` by its replacement."""
    op.args = [replace.get(id(a), a) for a in op.args]
    snap = op.snapshot
    if snap is not None:
        for f in snap.frames:
            f.regs = [(r, replace.get(id(v), v)) for r, v in f.regs]
            if f.override is not None:
                f.override = replace.get(id(f.override), f.override)
        if snap.result is not None:
            snap.result = replace.get(id(snap.result), snap.result)
    if op.sunk:
        op.sunk = [d.remap(replace) for d in op.sunk]
