"""metatrace: a meta-tracing JIT toolkit for interpreters written in Python.

Write a plain interpreter, decorate its dispatch loop with ``@metatrace.jit(greens=..., reds=...)``
and put ``jit_merge_point(...)`` at the top of the loop.  See docs/tutorial.md.

This package imports on Python 3.9 and PyPy, where every hint is a no-op; the JIT itself runs on
CPython 3.11+.
"""

from __future__ import annotations

from .errors import MetatraceError, ParamError, PortalError, TraceLogError
from .hints import (
    can_enter_jit,
    dont_look_inside,
    elidable,
    isconstant,
    isvirtual,
    jit_merge_point,
    look_inside_iff,
    loop_invariant,
    promote,
    promote_string,
    record_exact_class,
    unroll_safe,
    we_are_jitted,
)
from .jitdriver import (
    JitDriver,
    disable,
    drivers,
    enable,
    get_params,
    jit,
    jit_enabled,
    jit_supported,
    set_param,
    stats,
)
from . import hooks
from .log import log_to

__version__ = "0.1.0"

__all__ = [
    "JitDriver", "MetatraceError", "ParamError", "PortalError", "TraceLogError",
    "can_enter_jit", "disable", "dont_look_inside", "drivers", "elidable", "enable",
    "get_params", "hooks", "isconstant", "isvirtual", "jit", "jit_enabled", "jit_merge_point",
    "jit_supported", "log_to", "look_inside_iff", "loop_invariant", "promote", "promote_string",
    "record_exact_class", "set_param", "stats", "unroll_safe", "we_are_jitted",
]

from . import summary as _summary
from . import events as _events

_summary._init_from_env()
_events._init_from_env()
