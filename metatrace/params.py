"""JIT parameters: names, defaults, validation, and ``METATRACE_PARAMS`` parsing.

The names are RPython's where RPython has one, so PyPy users find what they know.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Dict, Tuple

from .errors import ParamError


def _int_at_least(lo: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool):
            raise ValueError("expected an integer, got %r" % (value,))
        if isinstance(value, str):
            value = value.strip()
            try:
                value = int(value, 0)
            except ValueError:
                raise ValueError("expected an integer, got %r" % (value,))
        if not isinstance(value, int):
            raise ValueError("expected an integer, got %r" % (value,))
        if value < lo:
            raise ValueError("must be at least %d, got %d" % (lo, value))
        return value

    return check


def _choice(*choices: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = str(value).strip()
        if text not in choices:
            raise ValueError("must be one of %s, got %r" % (", ".join(choices), value))
        return text

    return check


OPTIMIZATIONS = ("virtualize", "sink", "heap", "pure", "dce", "licm", "unroll")


def _opts(value: Any) -> str:
    text = str(value).strip()
    if text in ("all", ""):
        return "all" if text == "all" else ""
    parts = [p for p in text.split(":") if p]
    bad = [p for p in parts if p not in OPTIMIZATIONS]
    if bad:
        raise ValueError(
            "unknown optimization(s) %s; valid: all or a ':'-separated subset of %s"
            % (", ".join(bad), ":".join(OPTIMIZATIONS))
        )
    return ":".join(parts)


#: name -> (default, validator, one-line meaning)
PARAMS: Dict[str, Tuple[Any, Callable[[Any], Any], str]] = {
    "threshold": (1039, _int_at_least(1), "merge-point passes of one green key before a loop is traced"),
    "function_threshold": (1619, _int_at_least(1), "portal calls starting at one green key before tracing from there (portals with can_enter_jit)"),
    "trace_eagerness": (200, _int_at_least(1), "failures of one guard before a bridge is traced from it"),
    "trace_limit": (6000, _int_at_least(10), "recorded operations after which tracing aborts"),
    "decay": (40, _int_at_least(0), "accepted for RPython compatibility, no effect: counters do not decay"),
    "loop_longevity": (1000, _int_at_least(1), "compilations a loop may go unused before it is freed"),
    "inlining": (0, _int_at_least(0), "1: trace into portal calls made by a traced loop (one level); 0: call them"),
    "max_unroll_recursion": (7, _int_at_least(0), "how deep a traced function may recurse into itself when inlined"),
    "retrace_limit": (0, _int_at_least(0), "accepted for RPython compatibility, no effect: loops are not retraced"),
    "enable_opts": ("all", _opts, "optimizations: 'all' or a ':'-separated subset of virtualize, sink, heap, pure, dce, licm, unroll"),
    "backend": ("auto", _choice("auto", "python", "numba"),
                "python: tier 1 only; numba: a loop proper of numbers compiles to a Numba kernel at "
                "its first iteration; auto: once it has run numba_threshold operations"),
    "numba_threshold": (10000000, _int_at_least(1),
                        "operations a loop proper runs in tier 1 (iterations x its ops) before "
                        "backend=auto compiles it with Numba (tier 2); 7x that for a process's "
                        "first kernel, which also pays Numba's import"),
}


#: parameters that are validated and stored but change nothing (docs/hints.md); setting one to
#: another value than its default prints a warning, once per process and name
IGNORED_PARAMS = ("decay", "retrace_limit")
_warned: set = set()


def warn_ignored(name: str, what: str = "parameter") -> None:
    """``metatrace: parameter 'decay' is accepted for RPython compatibility and has no effect``
    on stderr, the first time only (per process and name)."""
    if name in _warned:
        return
    _warned.add(name)
    try:
        sys.stderr.write("metatrace: %s %r is accepted for RPython compatibility and has no "
                         "effect\n" % (what, name))
    except Exception:  # no usable stderr: nothing to say it on
        pass


def defaults() -> Dict[str, Any]:
    return {name: spec[0] for name, spec in PARAMS.items()}


def validate(name: str, value: Any) -> Any:
    """Check one parameter; returns the normalised value or raises :class:`ParamError`."""
    if name not in PARAMS:
        raise ParamError(
            "unknown JIT parameter %r; valid parameters: %s" % (name, ", ".join(sorted(PARAMS)))
        )
    try:
        checked = PARAMS[name][1](value)
    except ValueError as exc:
        raise ParamError("bad value for JIT parameter %r: %s" % (name, exc))
    if name in IGNORED_PARAMS and checked != PARAMS[name][0]:
        warn_ignored(name)
    return checked


def parse_params(text: str, source: str = "METATRACE_PARAMS") -> Dict[str, Any]:
    """Parse ``"threshold=200,backend=python"`` into a validated dict."""
    out: Dict[str, Any] = {}
    for item in text.replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        if "=" not in item:
            raise ParamError(
                "%s: expected name=value, got %r; valid parameters: %s"
                % (source, item, ", ".join(sorted(PARAMS)))
            )
        name, _, value = item.partition("=")
        try:
            out[name.strip()] = validate(name.strip(), value)
        except ParamError as exc:
            raise ParamError("%s: %s" % (source, exc))
    return out


def env_params() -> Dict[str, Any]:
    text = os.environ.get("METATRACE_PARAMS", "")
    return parse_params(text) if text else {}


def describe() -> str:
    """A table of the parameters for --help texts and docs."""
    lines = []
    for name, (default, _check, meaning) in PARAMS.items():
        lines.append("  %-22s %-8s %s" % (name, default, meaning))
    return "\n".join(lines)
