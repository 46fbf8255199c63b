"""``metatrace view`` / ``metatrace summary``: see what the JIT compiled, gave up on and threw
away, from a trace log (docs/trace-format.md).  See docs/viewer.md."""

from __future__ import annotations

from .load import LogError, load_log

__all__ = ["LogError", "load_log", "svg_for_trace", "text_for_trace", "TraceView"]


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    if name in ("svg_for_trace", "text_for_trace", "TraceView"):
        from . import jupyter

        return getattr(jupyter, name)
    raise AttributeError(name)
