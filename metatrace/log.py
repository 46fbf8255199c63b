"""The trace log: ``METATRACE_LOG=trace.json`` and :func:`log_to`.

While a log is requested, the JIT runtime registers every compiled loop and bridge, every abort
and every invalidation here.  The document is built when it is written (at exit, or when a
``log_to`` block ends), so guard failure counts and entry counts are current.  The format is
described in docs/trace-format.md and metatrace/trace_format.schema.json.

The path ``-`` (``METATRACE_LOG=-``, ``log_to("-")``, ``--jit-log -``) writes the same log as
text to stderr instead (docs/observability.md): every loop and bridge with its optimized ops;
``-:unoptimized`` gives the ops as recorded and ``-:both`` both, ``-:...:nosource`` leaves out the
interpreter's file:line column.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import time
from typing import Any, Dict, List, Optional

FORMAT = "metatrace-trace"
VERSION = 1


class Recorder:
    def __init__(self) -> None:
        self.paths: List[str] = []
        self.traces: List[Any] = []  # objects with .to_json()
        self.aborts: List[Dict[str, Any]] = []
        self.invalidations: List[Dict[str, Any]] = []
        self.started = time.time()

    @property
    def enabled(self) -> bool:
        return bool(self.paths)

    def add_trace(self, trace: Any) -> None:
        if self.paths:
            self.traces.append(trace)

    def add_abort(self, info: Dict[str, Any]) -> None:
        if self.paths:
            self.aborts.append(info)

    def add_invalidation(self, info: Dict[str, Any]) -> None:
        if self.paths:
            self.invalidations.append(info)

    def document(self) -> Dict[str, Any]:
        from .jitdriver import drivers, stats

        return {
            "format": FORMAT,
            "version": VERSION,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "python": sys.version.split()[0],
            "drivers": [
                {"name": str(d.name), "greens": list(d.greens),
                 "reds": d.reds if isinstance(d.reds, str) else list(d.reds),
                 "params": d.get_params(),
                 "residual_functions": _residual_notes(d)}
                for d in drivers()
            ],
            "traces": [t.to_json() for t in self.traces],
            "aborts": list(self.aborts),
            "invalidations": list(self.invalidations),
            "stats": stats(),
        }

    def write(self, path: str) -> None:
        if is_text_target(path):
            write_text(self.document(), path, sys.stderr)
            return
        doc = self.document()
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=1, default=repr)
        os.replace(tmp, path)


def is_text_target(path: str) -> bool:
    """``-`` or ``-:OPTIONS``: the log as text on stderr."""
    return path == "-" or path.startswith("-:")


TEXT_OPTIONS = ("optimized", "unoptimized", "both", "nosource")


def text_options(path: str) -> Dict[str, Any]:
    """``-:both:nosource`` -> ``{"stage": "both", "source": False}``; raises ValueError."""
    stage, source = "optimized", True
    for part in path.split(":")[1:]:
        part = part.strip().lower().replace("-", "")
        if part in ("optimized", "unoptimized", "both"):
            stage = part
        elif part == "nosource":
            source = False
        elif part:
            raise ValueError("unknown option %r in trace log target %r; valid: %s"
                             % (part, path, ", ".join(TEXT_OPTIONS)))
    return {"stage": stage, "source": source}


def write_text(doc: Dict[str, Any], path: str, out: Any) -> None:
    """The document as the text dump (the renderer ``metatrace trace`` uses), on ``out``."""
    from .viewer.model import Log
    from .viewer.text import log_text

    opts = text_options(path)
    # the same JSON a file would hold: values the log keeps as objects become their repr
    doc = json.loads(json.dumps(doc, default=repr))
    out.write(log_text(Log(doc), stage=opts["stage"], source=opts["source"],
                       title="metatrace JIT log (%s ops)" % opts["stage"]))
    out.flush()


def _residual_notes(driver: Any) -> List[Dict[str, str]]:
    """Functions the tracer would not trace into because of the Python they use, and why."""
    ws = driver.runtime
    if ws is None:
        return []
    out = []
    for code, reason in ws.residual_notes.items():
        name = getattr(code, "co_qualname", getattr(code, "co_name", repr(code)))
        out.append({"function": str(name), "reason": reason})
    return out


LOG = Recorder()


class log_to:
    """Write the trace log to ``path``: ``with metatrace.log_to("t.json"): ...`` writes it when
    the block ends; a plain call ``metatrace.log_to("t.json")`` writes it at exit."""

    def __init__(self, path: str) -> None:
        self.path = os.fspath(path)
        if is_text_target(self.path):
            text_options(self.path)  # a mistake in the options is reported now, not at exit
        self._in_with = False
        LOG.paths.append(self.path)
        atexit.register(self._at_exit)

    def __enter__(self) -> "log_to":
        self._in_with = True
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        if self.path in LOG.paths:
            LOG.write(self.path)
            LOG.paths.remove(self.path)

    def _at_exit(self) -> None:
        if self.path in LOG.paths:
            try:
                LOG.write(self.path)
            except Exception as exc:
                sys.stderr.write("metatrace: could not write trace log %s: %s\n" % (self.path, exc))


_env_log: Optional[log_to] = None


def _init_from_env() -> None:
    global _env_log
    path = os.environ.get("METATRACE_LOG")
    if path and _env_log is None:
        try:
            _env_log = log_to(path)
        except ValueError as exc:  # like a bad METATRACE_PARAMS: say so plainly and stop
            raise SystemExit("metatrace: METATRACE_LOG: %s" % exc)


_init_from_env()
