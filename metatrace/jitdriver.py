"""``@metatrace.jit``: the portal decorator, JIT drivers and parameters.

This module must import on Python 3.9 and PyPy.  When the JIT cannot run here (``METATRACE=off``,
not CPython 3.11+, or disabled with :func:`disable` before the portal was decorated) the
decorator returns the function unchanged, with a ``.jitdriver`` attribute, so the interpreter
runs exactly as written.
"""

from __future__ import annotations

import os
import platform
import sys
import weakref
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Union

from . import params as _params
from .errors import ParamError

_forced_off = False
_all_drivers: "weakref.WeakSet[JitDriver]" = weakref.WeakSet()
_global_params: Dict[str, Any] = {}


def jit_supported() -> bool:
    """True where the JIT itself can run: CPython 3.11 or later."""
    return platform.python_implementation() == "CPython" and sys.version_info >= (3, 11)


def jit_enabled() -> bool:
    """Whether a portal decorated now gets the JIT."""
    if _forced_off:
        return False
    if os.environ.get("METATRACE", "").strip().lower() in ("off", "0", "no", "false"):
        return False
    return jit_supported()


def disable() -> None:
    """Turn the JIT off for portals decorated from now on (like ``METATRACE=off``)."""
    global _forced_off
    _forced_off = True


def enable() -> None:
    """Undo :func:`disable` (``METATRACE=off`` in the environment still wins)."""
    global _forced_off
    _forced_off = False


class JitDriver:
    """One portal's JIT: its greens and reds, its parameters, counters and compiled loops."""

    def __init__(
        self,
        greens: Sequence[str],
        reds: Union[str, Sequence[str]] = "auto",
        virtualizables: Sequence[str] = (),
        get_printable_location: Optional[Callable[..., str]] = None,
        confirm_enter_jit: Optional[Callable[..., bool]] = None,
        can_never_inline: Optional[Callable[..., bool]] = None,
        is_recursive: bool = False,
        name: Optional[str] = None,
        params: Optional[Mapping[str, Any]] = None,
    ) -> None:
        if isinstance(greens, str):
            raise TypeError("greens must be a list of variable names, not a string")
        self.greens: List[str] = list(greens)
        self.reds: Union[str, List[str]] = reds if reds == "auto" else list(reds)
        self.virtualizables: List[str] = list(virtualizables)
        self.get_printable_location = get_printable_location
        self.confirm_enter_jit = confirm_enter_jit
        self.can_never_inline = can_never_inline
        self.is_recursive = is_recursive
        self.name = name
        if can_never_inline is not None:
            # accepted for RPython compatibility; nothing reads it (is_recursive and
            # virtualizables change nothing either, but need no warning: see docs/hints.md)
            _params.warn_ignored("can_never_inline", "jit() argument")
        self.params: Dict[str, Any] = _params.defaults()
        # the interpreter's own defaults for this portal (jit(params=...)); what the user sets
        # (set_param for all drivers, METATRACE_PARAMS) still wins
        self.own_params: Dict[str, Any] = {k: _params.validate(k, v) for k, v in (params or {}).items()}
        self.params.update(self.own_params)
        self.params.update(_global_params)
        try:
            self.params.update(_params.env_params())
        except ParamError as exc:
            # a mistake in the environment: say so plainly and stop, like a bad command line
            raise SystemExit("metatrace: %s" % exc)
        self.portal: Any = None  # the original function
        self.jitted = False  # True when the JIT runtime is attached
        self.runtime: Any = None  # metatrace.tracer.warmstate.WarmState when jitted
        _all_drivers.add(self)

    def set_param(self, name: str, value: Any) -> None:
        self.params[name] = _params.validate(name, value)
        if self.runtime is not None:
            self.runtime.params_changed(name)

    def get_params(self) -> Dict[str, Any]:
        return dict(self.params)

    def stats(self) -> Dict[str, Any]:
        if self.runtime is not None:
            return self.runtime.stats_dict()
        from .counters import empty_stats

        return empty_stats()

    def printable_location(self, greens: Sequence[Any]) -> str:
        if self.get_printable_location is None:
            from .ir.text import safe_repr

            return ", ".join("%s=%s" % (n, safe_repr(g, 200)) for n, g in zip(self.greens, greens))
        try:
            return str(self.get_printable_location(*greens))
        except Exception as exc:  # a broken callback must not break the program
            return "<get_printable_location failed: %s: %s>" % (type(exc).__name__, exc)

    def __repr__(self) -> str:
        return "<JitDriver %s greens=%s reds=%s%s>" % (
            self.name, self.greens, self.reds, "" if self.jitted else " (JIT off)"
        )


def jit(
    greens: Sequence[str],
    reds: Union[str, Sequence[str]] = "auto",
    virtualizables: Sequence[str] = (),
    get_printable_location: Optional[Callable[..., str]] = None,
    confirm_enter_jit: Optional[Callable[..., bool]] = None,
    can_never_inline: Optional[Callable[..., bool]] = None,
    is_recursive: bool = False,
    name: Optional[str] = None,
    params: Optional[Mapping[str, Any]] = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate an interpreter's dispatch function (the portal) to give it a tracing JIT.
    ``params`` are this portal's defaults for JIT parameters (``{"inlining": 1}``); what
    ``set_param`` and ``METATRACE_PARAMS`` set takes precedence."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        driver = JitDriver(
            greens, reds, virtualizables, get_printable_location, confirm_enter_jit,
            can_never_inline, is_recursive, name or getattr(func, "__name__", "portal"), params,
        )
        driver.portal = func
        if jit_enabled():
            from .annotate.portal import make_portal
            from .errors import PortalError

            try:
                return make_portal(driver, func)
            except PortalError as err:
                # the user's mistake: report it from the decorator, without our internals
                raise err.with_traceback(None) from None
        func.jitdriver = driver  # type: ignore[attr-defined]
        return func

    return decorate


def drivers() -> List[JitDriver]:
    return sorted(_all_drivers, key=lambda d: str(d.name))


def set_param(name: str, value: Any, driver: Optional[JitDriver] = None) -> None:
    """Set a JIT parameter for one driver, or for all existing and future drivers."""
    value = _params.validate(name, value)
    if driver is not None:
        driver.set_param(name, value)
        return
    _global_params[name] = value
    for d in list(_all_drivers):
        d.set_param(name, value)


def get_params(driver: Optional[JitDriver] = None) -> Dict[str, Any]:
    if driver is not None:
        return driver.get_params()
    out = _params.defaults()
    out.update(_global_params)
    try:
        out.update(_params.env_params())
    except ParamError:
        pass
    return out


def stats(driver: Optional[JitDriver] = None) -> Dict[str, Any]:
    """JSON-serialisable counters for one driver or summed over all of them."""
    from .counters import empty_stats, merge_stats

    if driver is not None:
        return driver.stats()
    total = empty_stats()
    for d in drivers():
        total = merge_stats(total, d.stats())
    return total
