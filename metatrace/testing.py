"""Helpers for testing JIT'd interpreters: load an interpreter twice (JIT off / on), inspect what
the JIT compiled, and assert on op counts in the style of PyPy's ``check_resops``."""

from __future__ import annotations

import importlib.util
import sys
from typing import Any, Dict, List, Optional

from . import jitdriver


def load_module(path: str, name: str, jit: bool) -> Any:
    """Import the file ``path`` as a fresh module ``name`` with the JIT on or off for the portals
    it decorates.  ``name`` may be package-qualified so relative imports keep working."""
    was_off = jitdriver._forced_off
    if jit:
        jitdriver.enable()
    else:
        jitdriver.disable()
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
        return mod
    finally:
        jitdriver._forced_off = was_off


def driver_of(portal: Any) -> Any:
    return portal.jitdriver


def compiled_traces(portal: Any, kind: Optional[str] = None) -> List[Any]:
    """The CompiledTraces (loops and bridges) currently live for ``portal``'s driver."""
    ws = portal.jitdriver.runtime
    if ws is None:
        return []
    out = []
    for tree in ws.trees.values():
        for t in tree.traces:
            if kind is None or t.kind == kind:
                out.append(t)
    return out


def op_counts(portal: Any, kind: Optional[str] = None) -> Dict[str, int]:
    counts: Dict[str, int] = {}
    for t in compiled_traces(portal, kind):
        for op in t.ops:
            counts[op.name] = counts.get(op.name, 0) + 1
    return counts


def loop_body_counts(portal: Any) -> Dict[str, int]:
    """Op counts of the loop proper of each compiled loop: the ops after its last ``label``
    (the preamble — invariant code, the peeled first iteration — left out), as PyPy's
    ``check_simple_loop`` sees them."""
    counts: Dict[str, int] = {}
    for t in compiled_traces(portal, "loop"):
        labels = [i for i, op in enumerate(t.ops) if op.name == "label"]
        for op in t.ops[labels[-1] + 1 if labels else 0:]:
            counts[op.name] = counts.get(op.name, 0) + 1
    return counts


def check_loop_resops(portal: Any, **expected: int) -> None:
    """Assert exact op counts in the loop proper of the compiled loops (see
    :func:`loop_body_counts`)."""
    counts = loop_body_counts(portal)
    wrong = {name: (counts.get(name, 0), n) for name, n in expected.items() if counts.get(name, 0) != n}
    if wrong:
        detail = ", ".join("%s: got %d, expected %d" % (k, g, e) for k, (g, e) in sorted(wrong.items()))
        raise AssertionError("check_loop_resops: %s\nall counts: %s" % (detail, counts))


def check_resops(portal: Any, kind: Optional[str] = "loop", **expected: int) -> None:
    """Assert exact op counts over the compiled traces of ``kind`` (``None`` = all)."""
    counts = op_counts(portal, kind)
    wrong = {name: (counts.get(name, 0), n) for name, n in expected.items() if counts.get(name, 0) != n}
    if wrong:
        detail = ", ".join("%s: got %d, expected %d" % (k, g, e) for k, (g, e) in sorted(wrong.items()))
        raise AssertionError("check_resops: %s\nall counts: %s" % (detail, counts))


def tier_reasons(portal: Any) -> Dict[str, str]:
    """For each compiled loop of ``portal`` (by location): ``"numba: why"`` or ``"python: why"``
    -- the tier its loop proper runs in and the reason (``metatrace.backend.tiering``)."""
    ws = portal.jitdriver.runtime
    out: Dict[str, str] = {}
    if ws is None:
        return out
    for tree in ws.trees.values():
        if not tree.invalid:
            out[tree.root.location] = "%s: %s" % (tree.t2.tier, tree.t2.reason)
    return out


def reset(portal: Any) -> None:
    """Forget everything the JIT compiled or counted for ``portal``."""
    ws = portal.jitdriver.runtime
    if ws is not None:
        ws.trees.clear()
        for cell in ws.cells.values():  # compiled callers bound these: no tree any more
            cell[0] = None
        ws.cells.clear()
        ws.counters.clear()
        ws.entry_counters.clear()
        ws.aborts.clear()
        ws.dont_inline.clear()
        ws.tiny_entries.clear()
        ws.sized_entries.clear()
        from .counters import Stats

        ws.stats = Stats()
        ws.retired_entries = 0
        ws.retired_t2 = [0, 0]


def trace_text(portal: Any, kind: Optional[str] = None) -> str:
    from .ir.text import format_ops

    parts = []
    for t in compiled_traces(portal, kind):
        parts.append("# %s %d at %s\n" % (t.kind, t.id, t.location))
        parts.append("\n".join(format_ops(t.ops, t.inputargs)))
    return "\n".join(parts)
