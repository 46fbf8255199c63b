"""Callbacks on JIT events.  Assign a callable (or None) to any of these names::

    metatrace.hooks.on_abort = lambda info: print(info["reason"], info["location"])

Each hook gets one dict describing the event (the same fields the trace log records).
A hook that raises is reported on stderr once and then ignored; it never breaks the program.

- ``on_trace_start``: the JIT starts recording a trace: ``kind`` (``loop`` or ``bridge``),
  ``driver``, ``location``; for a bridge also ``guard`` (its id), ``trace`` (the id of the
  trace the guard is in), ``failures`` (how often it failed) and ``guard_op`` (its op name).
- ``on_abort``: a trace was given up: ``reason``, ``detail``, ``location``, ``source``, ...
- ``on_compile`` / ``on_compile_bridge``: a loop / bridge was compiled: ``id``, ``kind``,
  ``location``, ``ops``, ``trace`` (the compiled trace object).
- ``on_invalidate``: compiled code was thrown away: ``reason``, ``tree``, ``traces``,
  ``location``.
- ``on_tier2``: a tree's loop moved to tier 2 (``state`` = ``numba``) or could not
  (``failed``): ``tree``, ``trace``, ``location``, ``reason``.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Dict, List, Optional

Hook = Optional[Callable[[Dict[str, Any]], Any]]

on_abort: Hook = None
on_compile: Hook = None
on_compile_bridge: Hook = None
on_invalidate: Hook = None
on_trace_start: Hook = None
on_tier2: Hook = None

_reported = set()
# metatrace's own observers (METATRACE_VERBOSE): called with (hook name, info) for every event,
# before the user's hook; empty unless one is installed, so events cost nothing more then
_listeners: List[Callable[[str, Dict[str, Any]], Any]] = []


def wanted(name: str) -> bool:
    """Whether anyone listens to ``name`` (so its info is worth building)."""
    return bool(_listeners) or globals().get(name) is not None


def fire(name: str, info: Dict[str, Any]) -> None:
    for listener in _listeners:
        try:
            listener(name, info)
        except Exception as exc:
            if listener not in _reported:
                _reported.add(listener)
                sys.stderr.write("metatrace: event listener raised %s: %s (ignored from now "
                                 "on)\n" % (type(exc).__name__, exc))
    hook = globals().get(name)
    if hook is None:
        return
    try:
        hook(info)
    except Exception as exc:  # never let a user's hook change the program
        if name not in _reported:
            _reported.add(name)
            sys.stderr.write("metatrace: hook %s raised %s: %s (ignored from now on)\n"
                             % (name, type(exc).__name__, exc))
