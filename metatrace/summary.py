"""``METATRACE_SUMMARY=1``: a table of what the JIT did, printed to stderr at exit."""

from __future__ import annotations

import atexit
import os
import sys
from typing import Any, Dict, List, Optional, TextIO


def format_counters(stats: Dict[str, Any], title: str = "metatrace JIT summary") -> str:
    lines: List[str] = [title]
    order = ["loops", "bridges", "tier1", "tier2", "traces_started", "bridge_traces_started",
             "loop_entries", "guard_failures", "blackholes", "invalidations", "compile_failures",
             "internal_errors", "aborts", "tier2_runs", "tier2_iterations", "tier2_failures"]
    for key in order:
        lines.append("  %-24s %12d" % (key, stats.get(key, 0)))
    for reason, n in sorted(stats.get("aborts_by_reason", {}).items()):
        lines.append("    abort: %-16s %12d" % (reason, n))
    for key in ("tracing_s", "optimizing_s", "compiling_s", "tier2_compiling_s", "blackhole_s"):
        lines.append("  %-24s %12.3f" % (key, stats.get(key, 0.0)))
    return "\n".join(lines)


def print_summary(out: Optional[TextIO] = None) -> None:
    from .jitdriver import drivers, jit_enabled, stats

    out = out or sys.stderr
    jitted = [d for d in drivers() if d.jitted]
    if not jitted:
        why = "JIT off" if not jit_enabled() else "no JIT'd portal was used"
        out.write("metatrace JIT summary: %s\n" % why)
        return
    out.write(format_counters(stats()) + "\n")


_registered = False


def print_summary_at_exit() -> None:
    print_summary()


def _init_from_env() -> None:
    global _registered
    if os.environ.get("METATRACE_SUMMARY", "").strip() not in ("", "0") and not _registered:
        _registered = True
        atexit.register(print_summary_at_exit)
