"""Attaching the JIT runtime to a portal.  (Being built: until the tracer lands the portal runs
as written, exactly as with METATRACE=off.)"""

from __future__ import annotations

from typing import Any, Callable


def make_portal(driver: Any, func: Callable[..., Any]) -> Callable[..., Any]:
    func.jitdriver = driver  # type: ignore[attr-defined]
    return func
