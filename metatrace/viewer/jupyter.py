"""Traces in Python: the same picture in Jupyter (``_repr_svg_``) and text in a terminal.

``svg_for_trace(doc, trace_id)`` and ``text_for_trace(doc, trace_id)`` take a trace-log document
(from :func:`load_log`, or built from live compiled traces with :func:`doc_for_traces`);
:class:`TraceView` wraps one trace for display, and ``TraceView.from_compiled(obj)`` does so for
an object with ``to_json()`` (the JIT's compiled traces).
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional

from .graph import build_graph
from .load import FORMAT, VERSION, load_log
from .model import Log
from .render import run_dot, svg_fragment
from .text import trace_text

__all__ = ["svg_for_trace", "text_for_trace", "TraceView", "doc_for_traces", "load_log"]


def svg_for_trace(doc: Dict[str, Any], trace_id: int, stage: str = "optimized") -> str:
    """SVG of trace ``trace_id`` and its neighbours.  Raises ``KeyError`` for an unknown id and
    :class:`metatrace.viewer.render.RenderError` (``DotMissing``) when Graphviz cannot draw."""
    log = Log(doc)
    g = build_graph(log, stage=stage, trace_id=trace_id)
    return svg_fragment(run_dot(g.source, "svg"))


def text_for_trace(doc: Dict[str, Any], trace_id: int, stage: str = "optimized",
                   source: bool = True) -> str:
    """Trace ``trace_id`` as text: ops grouped by interpreted instruction, guard failures,
    bridges and the trace's end (``stage``: optimized, unoptimized or both; ``source=False``
    leaves out the interpreter's file:line of each op)."""
    log = Log(doc)
    return trace_text(log, log.trace(trace_id), stage, source=source)


def doc_for_traces(traces: Iterable[Dict[str, Any]], aborts: Iterable[Dict[str, Any]] = (),
                   stats: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """A minimal trace-log document around trace dicts (``CompiledTrace.to_json()`` results)."""
    return {"format": FORMAT, "version": VERSION, "traces": list(traces),
            "aborts": list(aborts), "invalidations": [], "stats": dict(stats or {})}


class TraceView:
    """One trace of a log, shown as a graph by Jupyter and as text by ``print``."""

    def __init__(self, doc: Dict[str, Any], trace_id: int, stage: str = "optimized") -> None:
        self.doc = doc
        self.trace_id = trace_id
        self.stage = stage
        Log(doc).trace(trace_id)  # fail early on an unknown id

    @classmethod
    def from_log(cls, path: str, trace_id: int, stage: str = "optimized") -> "TraceView":
        return cls(load_log(path), trace_id, stage)

    @classmethod
    def from_compiled(cls, trace: Any, stage: str = "optimized") -> "TraceView":
        """For a live compiled trace (anything with ``to_json()`` and ``id``); the traces of its
        tree (``trace.tree.traces``) come along so that bridges and jumps have somewhere to go."""
        tree = getattr(trace, "tree", None)
        members = list(getattr(tree, "traces", None) or [])
        if trace not in members:
            members.append(trace)
        return cls(doc_for_traces(t.to_json() for t in members), trace.id, stage)

    def svg(self) -> str:
        return svg_for_trace(self.doc, self.trace_id, self.stage)

    def _repr_svg_(self) -> Optional[str]:
        try:
            return self.svg()
        except Exception:  # no Graphviz: let Jupyter fall back to the text form
            return None

    def __str__(self) -> str:
        return text_for_trace(self.doc, self.trace_id, self.stage)

    def __repr__(self) -> str:
        t = Log(self.doc).trace(self.trace_id)
        return "<TraceView %s %d at %s, %d ops>" % (t.kind, t.id, t.location, len(t.ops))
