"""Optimizer passes over a recorded trace; each a single forward (or backward) pass.

The tracer already folds pure ops on constants and avoids guards on what it knows.  Here:
``sink`` (list appends delayed until something looks, so push/pop pairs vanish, also through
``len`` and tail slices), ``virtualize`` (objects that do not escape are never allocated),
``heap`` (attribute and item stores delayed to
the end of the iteration or a guard's failure path), ``pure`` (common subexpressions, repeated
guards, guards on classes already known) and ``dce`` (dead pure ops).  Loops then go through
``loop.optimize_loop`` (``licm``: invariant code motion; ``unroll``: memory carried in loop
variables, peeling, unboxing).  ``enable_opts`` selects among them.  Integer
reasoning is limited to facts from guards in ``pure``; tier 2 is ``metatrace/backend``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ..ir.model import Op
from . import dce, heap, pure, sink, virtualize

PASSES = (("sink", sink.optimize), ("virtualize", virtualize.optimize), ("heap", heap.optimize),
          ("pure", pure.optimize), ("dce", dce.optimize))


def optimize_trace(inputargs: List[Any], ops: List[Op], enable_opts: str = "all",
                   known: Optional[Dict[int, type]] = None) -> List[Op]:
    """Run the enabled passes.  ``known`` maps id(input argument) to its exact class where the
    trace's start already knows it (a bridge inherits that from its guard)."""
    enabled = None if enable_opts == "all" else set(enable_opts.split(":"))
    for name, fn in PASSES:
        if name == "dce" or enabled is None or name in enabled:
            ops = fn(inputargs, ops, known)
    return ops
