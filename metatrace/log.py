"""The trace log: ``METATRACE_LOG=trace.json`` and :func:`log_to`.

While a log is requested, the JIT runtime registers every compiled loop and bridge, every abort
and every invalidation here.  The document is built when it is written (at exit, or when a
``log_to`` block ends), so guard failure counts and entry counts are current.  The format is
described in docs/trace-format.md and metatrace/trace_format.schema.json.
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
        doc = self.document()
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=1, default=repr)
        os.replace(tmp, path)


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
        _env_log = log_to(path)


_init_from_env()
