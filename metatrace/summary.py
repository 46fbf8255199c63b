"""What the JIT did, printed to stderr at exit: ``METATRACE_SUMMARY=1`` (or ``--jit-counters``)
prints every counter as a table, like ``PYPYLOG=jit-summary``; ``METATRACE_SUMMARY=short`` (or
an interpreter's ``--jit-summary``) three lines a newcomer can read (:func:`short_summary`)."""

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
    # how tier 2 got its kernels (compiled or from the disk cache): when it got any
    kernel_keys = ["tier2_compiles", "kernel_cache_hits", "kernel_cache_misses"]
    if any(stats.get(k) for k in kernel_keys):
        kernel_keys += [k for k in ("kernel_cache_corrupt", "kernel_cache_write_failures")
                        if stats.get(k)]
        for key in kernel_keys:
            lines.append("  %-24s %12d" % (key, stats.get(key, 0)))
    for reason, n in sorted(stats.get("aborts_by_reason", {}).items()):
        lines.append("    abort: %-16s %12d" % (reason, n))
    for key in ("tracing_s", "optimizing_s", "compiling_s", "tier2_compiling_s", "blackhole_s"):
        lines.append("  %-24s %12.3f" % (key, stats.get(key, 0.0)))
    return "\n".join(lines)


def _plural(n: int, word: str, many: str = "") -> str:
    return "%d %s" % (n, word if n == 1 else (many or word + "s"))


def _s(x: Any) -> str:
    return "%.3f" % float(x or 0.0)


def _kernels(stats: Dict[str, Any]) -> str:
    """How tier 2 got its kernels: compiled by Numba, or loaded from the disk cache."""
    compiled, loaded = int(stats.get("tier2_compiles", 0)), int(stats.get("kernel_cache_hits", 0))
    if not compiled and not loaded:
        return ""
    return " for %s compiled and %d loaded from the kernel cache" % (
        _plural(compiled, "kernel"), loaded)


def short_summary(stats: Dict[str, Any], threshold: Optional[int] = None,
                  more: str = "--jit-counters") -> List[str]:
    """Three lines: what was compiled (and given up or thrown away), how compiled code was
    entered and left, and the time the JIT itself took.  ``more`` names how to get the table."""
    loops, bridges = int(stats.get("loops", 0)), int(stats.get("bridges", 0))
    aborts = int(stats.get("aborts", 0))
    if loops == 0 and bridges == 0:
        first = "JIT: nothing was compiled"
        if aborts == 0:
            first += (" (the program did not run long enough: a loop is compiled after %s "
                      "iterations)" % (threshold if threshold is not None else "`threshold`"))
    else:
        first = "JIT: compiled %s and %s (a bridge is compiled code for a path that leaves a " \
                "loop often)" % (_plural(loops, "loop"), _plural(bridges, "bridge"))
    if aborts:
        by = sorted(stats.get("aborts_by_reason", {}).items(), key=lambda kv: (-kv[1], kv[0]))
        first += "; %s given up (%s)" % (_plural(aborts, "trace"),
                                         ", ".join("%s %d" % kv for kv in by))
    elif loops or bridges:
        first += "; no trace was given up"
    inv = int(stats.get("invalidations", 0))
    if inv:
        first += "; %s thrown away because a quasi-immutable field changed" % _plural(inv, "tree")
    if stats.get("tier2"):
        first += "; %s as a Numba kernel (tier 2)" % _plural(int(stats["tier2"]), "loop runs",
                                                               "loops run")
    entries, fails = int(stats.get("loop_entries", 0)), int(stats.get("guard_failures", 0))
    second = ("compiled code was entered %s; guards failed %s, each time handing over to the "
              "interpreter (normal: a failing guard is how compiled code exits, e.g. when a loop "
              "ends)" % (_plural(entries, "time"), _plural(fails, "time")))
    jit_s = sum(float(stats.get(k, 0.0) or 0.0) for k in
                ("tracing_s", "optimizing_s", "compiling_s", "blackhole_s", "tier2_compiling_s"))
    third = ("time in the JIT itself: %s s (recording %s, optimizing %s, compiling %s, resuming "
             "the interpreter after guards %s%s)" % (
                 _s(jit_s), _s(stats.get("tracing_s")), _s(stats.get("optimizing_s")),
                 _s(stats.get("compiling_s")), _s(stats.get("blackhole_s")),
                 ", Numba %s%s" % (_s(stats.get("tier2_compiling_s")), _kernels(stats))
                 if stats.get("tier2_compiling_s") else ""))
    if more:
        third += "; every counter: %s" % more
    return [first, second, third]


def print_summary(out: Optional[TextIO] = None, style: str = "full",
                  more: str = "METATRACE_SUMMARY=1") -> None:
    """The summary on ``out`` (default stderr): ``style`` ``full`` (the counters) or ``short``."""
    from .jitdriver import drivers, jit_enabled, stats

    out = out or sys.stderr
    jitted = [d for d in drivers() if d.jitted]
    if not jitted:
        why = "JIT off" if not jit_enabled() else "no JIT'd portal was used"
        out.write("metatrace JIT summary: %s\n" % why)
        return
    if style == "short":
        thresholds = {d.params.get("threshold") for d in jitted}
        lines = short_summary(stats(), thresholds.pop() if len(thresholds) == 1 else None, more)
        out.write("".join(line + "\n" for line in lines))
        return
    out.write(format_counters(stats()) + "\n")


_registered = False


def print_summary_at_exit() -> None:
    print_summary()


def print_short_summary_at_exit() -> None:
    print_summary(style="short", more="--jit-counters")


def _init_from_env() -> None:
    global _registered
    value = os.environ.get("METATRACE_SUMMARY", "").strip().lower()
    if value not in ("", "0") and not _registered:
        _registered = True
        if value == "short":
            atexit.register(print_summary, style="short")
        else:
            atexit.register(print_summary_at_exit)
