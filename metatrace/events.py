"""JIT events as they happen: the hooks of :mod:`metatrace.hooks` and ``METATRACE_VERBOSE=1``.

The JIT runtime calls the small functions here where an event happens that has no hook call of
its own (a trace starting, a tree moving to tier 2, an invalidation not caused by a field
write); each returns at once unless a hook or a listener is installed, so they cost nothing
measurable when nobody watches (they are never on the per-iteration or per-guard-failure path:
a guard failure reaches :func:`trace_started` only when it starts a bridge).

:func:`enable_verbose` installs the listener behind ``METATRACE_VERBOSE=1``: one line on stderr
per event (docs/observability.md)::

    [metatrace] tracing loop at `main:10 load 2`
    [metatrace] loop 1 compiled at `main:10 load 2`: 41 ops (95 recorded), 12 guards, 10.2 ms ...
    [metatrace] guard 15 (guard_true) of loop 1 failed 200 times at `main:12 lt` ...: tracing a bridge
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any, Dict, Optional, TextIO

from . import hooks

PREFIX = "[metatrace] "


# -- events the runtime reports ----------------------------------------------------------------

def trace_started(ws: Any, key: Any, bridge_of: Any) -> None:
    """The warm state starts recording a loop (``bridge_of`` None) or a bridge from a guard."""
    if not hooks.wanted("on_trace_start"):
        return
    from .ir.text import safe_repr

    info: Dict[str, Any] = {"driver": str(ws.driver.name)}
    if bridge_of is None:
        info.update(kind="loop", location=ws.location(key),
                    green_key=[safe_repr(k, 120) for k in (key or ())])
    else:
        _tree, gd = bridge_of
        loc = gd.op.location
        info.update(kind="bridge", location=guard_location(gd), guard=gd.guard_id,
                    guard_op=gd.op.name, trace=gd.trace.id, trace_kind=gd.trace.kind,
                    failures=gd.failures,
                    source=({"file": loc[0], "line": loc[1], "function": loc[2]}
                            if loc is not None else None))
    hooks.fire("on_trace_start", info)


def guard_location(gd: Any) -> str:
    """The printable location of the interpreted instruction a guard belongs to."""
    ops = gd.trace.ops
    for i in range(min(gd.index, len(ops) - 1), -1, -1):
        if ops[i].name == "debug_merge_point":
            return str(ops[i].descr)
    return str(gd.trace.location)


def tree_invalidated(tree: Any, reason: str) -> None:
    """A tree thrown away for a reason other than a quasi-immutable field write (those are
    reported where the write is seen): into the trace log and to ``on_invalidate``."""
    from .log import LOG

    info = {"reason": reason, "tree": tree.id,
            "traces": [t.id for t in tree.traces], "location": tree.root.location}
    LOG.add_invalidation(info)
    hooks.fire("on_invalidate", info)


def tier_changed(t2: Any) -> None:
    """A tree's loop now runs in tier 2 (``t2.state == "kernel"``) or cannot (``failed``)."""
    if not hooks.wanted("on_tier2"):
        return
    tree = t2.tree
    info = {"driver": str(tree.ws.driver.name), "tree": tree.id, "trace": tree.root.id,
            "location": tree.root.location,
            "state": "numba" if t2.state == "kernel" else "failed", "reason": t2.reason}
    hooks.fire("on_tier2", info)


# -- METATRACE_VERBOSE -------------------------------------------------------------------------

def _ms(seconds: Any) -> str:
    try:
        return "%.1f" % (float(seconds) * 1e3)
    except (TypeError, ValueError):
        return "?"


class Verbose:
    """The listener: formats each event as one line (everything from the program escaped)."""

    def __init__(self, out: Optional[TextIO] = None) -> None:
        self.out = out  # None: sys.stderr at the time of writing
        self.started: Optional[float] = None

    def __call__(self, name: str, info: Dict[str, Any]) -> None:
        line = getattr(self, name, None)
        if line is None:
            return
        text = line(info)
        if text:
            out = self.out or sys.stderr
            out.write(PREFIX + text + self._driver(info) + "\n")
            out.flush()

    @staticmethod
    def _q(s: Any) -> str:
        from .viewer.text import one_line

        return "`%s`" % one_line(s)

    @staticmethod
    def _src(src: Any) -> str:
        if not isinstance(src, dict):
            return ""
        from .viewer.text import one_line

        return " (%s, %s:%s)" % (one_line(src.get("function")),
                                 one_line(os.path.basename(str(src.get("file")))),
                                 one_line(src.get("line")))

    @staticmethod
    def _driver(info: Dict[str, Any]) -> str:
        from .jitdriver import drivers

        if sum(1 for d in drivers() if d.jitted) > 1 and info.get("driver"):
            from .viewer.text import one_line

            return " [%s]" % one_line(info["driver"])
        return ""

    def on_trace_start(self, info: Dict[str, Any]) -> str:
        self.started = time.perf_counter()
        if info.get("kind") == "bridge":
            return "guard %s (%s) of %s %s failed %s times at %s%s: tracing a bridge" % (
                info.get("guard"), info.get("guard_op"), info.get("trace_kind"), info.get("trace"),
                info.get("failures"), self._q(info.get("location")), self._src(info.get("source")))
        return "tracing loop at %s" % self._q(info.get("location"))

    def on_abort(self, info: Dict[str, Any]) -> str:
        from .viewer.text import one_line

        self.started = None
        detail = str(info.get("detail") or "").strip().splitlines()
        return "aborted %s trace at %s after %s ops: %s%s%s" % (
            info.get("kind"), self._q(info.get("location")), info.get("ops"),
            one_line(info.get("reason")), ": " + one_line(detail[0][:200]) if detail else "",
            self._src(info.get("source")))

    def _compiled(self, info: Dict[str, Any]) -> str:
        ct = info.get("trace")
        times = getattr(ct, "times", None) or {}
        opt, comp = times.get("optimizing_s", 0.0), times.get("compiling_s", 0.0)
        if self.started is not None:
            total = time.perf_counter() - self.started
            timing = "%s ms (recording %s, optimizing %s, compiling %s)" % (
                _ms(total), _ms(max(0.0, total - opt - comp)), _ms(opt), _ms(comp))
        else:
            timing = "optimizing %s ms, compiling %s ms" % (_ms(opt), _ms(comp))
        self.started = None
        guards = len(getattr(ct, "guards", ()) or ())
        recorded = times.get("tracing_ops")
        what = "%s %s" % (info.get("kind"), info.get("id"))
        parent = getattr(ct, "parent", None)
        if parent is not None:
            what += " from guard %s of %s %s" % (parent.guard_id, parent.trace.kind, parent.trace.id)
        end = getattr(ct, "end", "")
        if end == "jump":
            target = getattr(ct, "target_trace", None)
            end = "jumps to %s" % ("itself" if target == info.get("id") else
                                   "loop %s" % target if target is not None else
                                   self._q(getattr(ct, "target_location", "?")))
        elif end == "finish":
            end = "returns from the portal"
        elif end == "raise":
            end = "raises out of the portal"
        return "%s compiled at %s: %s ops%s, %d guards, %s%s" % (
            what, self._q(info.get("location")), info.get("ops"),
            " (%s recorded)" % recorded if recorded is not None else "", guards, timing,
            "; " + end if end else "")

    on_compile = _compiled
    on_compile_bridge = _compiled

    def on_invalidate(self, info: Dict[str, Any]) -> str:
        from .viewer.text import one_line

        traces = [t for t in info.get("traces") or [] if t is not None]
        if traces:
            what = "loop %s" % traces[0]
            if len(traces) > 1:
                what += " (and %s %s)" % ("bridge" if len(traces) == 2 else "bridges",
                                         ", ".join(str(t) for t in traces[1:]))
        else:
            what = "code being compiled"
        return "invalidated %s at %s: %s" % (what, self._q(info.get("location")),
                                             one_line(info.get("reason")))

    def on_tier2(self, info: Dict[str, Any]) -> str:
        from .viewer.text import one_line

        if info.get("state") == "numba":
            return "tier 2: loop %s at %s switched to a Numba kernel: %s" % (
                info.get("trace"), self._q(info.get("location")), one_line(info.get("reason")))
        return "tier 2: loop %s at %s stays in tier 1: %s" % (
            info.get("trace"), self._q(info.get("location")), one_line(info.get("reason")))


_verbose: Optional[Verbose] = None


def enable_verbose(out: Optional[TextIO] = None) -> None:
    """Print one line per JIT event (to ``out``, default stderr), like ``METATRACE_VERBOSE=1``."""
    global _verbose
    disable_verbose()
    _verbose = Verbose(out)
    hooks._listeners.append(_verbose)


def disable_verbose() -> None:
    global _verbose
    if _verbose is not None and _verbose in hooks._listeners:
        hooks._listeners.remove(_verbose)
    _verbose = None


def verbose_enabled() -> bool:
    return _verbose is not None


def _init_from_env() -> None:
    if os.environ.get("METATRACE_VERBOSE", "").strip().lower() not in ("", "0", "no", "off", "false") \
            and _verbose is None:
        enable_verbose()
