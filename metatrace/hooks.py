"""Callbacks on JIT events.  Assign a callable (or None) to any of these names::

    metatrace.hooks.on_abort = lambda info: print(info["reason"], info["location"])

Each hook gets one dict describing the event (the same fields the trace log records).
A hook that raises is reported on stderr once and then ignored; it never breaks the program.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Dict, Optional

Hook = Optional[Callable[[Dict[str, Any]], Any]]

on_abort: Hook = None
on_compile: Hook = None
on_compile_bridge: Hook = None
on_invalidate: Hook = None

_reported = set()


def fire(name: str, info: Dict[str, Any]) -> None:
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
