"""Errors metatrace raises for user mistakes.  Each says what was wrong, where, and what to do."""

from __future__ import annotations


class MetatraceError(Exception):
    """Base class of every error metatrace raises on purpose."""


class ParamError(MetatraceError, ValueError):
    """An unknown JIT parameter or a bad value for one."""


class PortalError(MetatraceError):
    """The decorated interpreter function breaks a rule of ``@metatrace.jit``.

    Carries the user's file and line so the message points at their code, not ours.
    """

    def __init__(self, message: str, filename: str = "", lineno: int = 0) -> None:
        self.filename = filename
        self.lineno = lineno
        where = "%s:%d: " % (filename, lineno) if filename else ""
        super().__init__(where + message)


class TraceLogError(MetatraceError):
    """A trace log (trace.json) that is malformed, truncated or of the wrong format."""
