"""The JIT options every interpreter command line shares (``--no-jit``, ``--jit-log`` ...).

Usage in an interpreter's ``main(argv)``: add the options, parse, call :func:`apply`, and only
then import the interpreter core, so ``--no-jit`` takes effect before the portal is decorated.
"""

from __future__ import annotations

import argparse
import atexit
import os
from typing import Any, Callable, Optional, Tuple

from . import jitdriver
from .errors import ParamError


def add_jit_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("JIT options")
    group.add_argument("--no-jit", action="store_true",
                       help="run the plain interpreter (same as METATRACE=off)")
    group.add_argument("--jit-log", metavar="FILE",
                       help="write the JIT's trace log (JSON) to FILE at exit; '-' prints it as "
                            "text to stderr ('-:both' with the ops as recorded too)")
    group.add_argument("--jit-summary", action="store_true",
                       help="print a three-line summary of what the JIT did to stderr at exit")
    group.add_argument("--jit-counters", action="store_true",
                       help="print every JIT counter to stderr at exit (as METATRACE_SUMMARY=1)")
    group.add_argument("--jit-verbose", action="store_true",
                       help="print one line per JIT event (trace started, aborted, compiled, "
                            "invalidated, ...) to stderr as it happens (as METATRACE_VERBOSE=1)")
    group.add_argument("--jit-param", metavar="NAME=VALUE", action="append", default=[],
                       help="set a JIT parameter (repeatable), e.g. threshold=100")


def apply(args: Any, parser: argparse.ArgumentParser) -> None:
    if args.no_jit:
        jitdriver.disable()
        os.environ["METATRACE"] = "off"
    for item in args.jit_param:
        name, eq, value = item.partition("=")
        if not eq:
            parser.error("--jit-param expects NAME=VALUE, got %r" % item)
        try:
            jitdriver.set_param(name.strip(), value)
        except ParamError as exc:
            parser.error(str(exc))
    if args.jit_log:
        from .log import log_to

        try:
            log_to(args.jit_log)
        except ValueError as exc:
            parser.error("--jit-log: %s" % exc)
    # atexit runs the last registered first: the short summary, then the table
    if args.jit_counters:
        from .summary import print_summary_at_exit

        atexit.register(print_summary_at_exit)
    if args.jit_summary:
        from .summary import print_short_summary_at_exit

        atexit.register(print_short_summary_at_exit)
    if args.jit_verbose:
        from .events import enable_verbose, verbose_enabled

        if not verbose_enabled():
            enable_verbose()


def time_plain_run(args: Any, load: Callable[[], Any], run: Callable[[Any], Any],
                   error: Callable[[Any], Any]) -> Tuple[Optional[Any], Optional[float]]:
    """The comparison run of the example interpreters' ``--jit-summary``: with the JIT on and no
    ``--no-compare``, ``run(plain)`` once, timed, on the plain interpreter module ``load()``
    gives.  Returns its output and seconds, or (None, None) when there is nothing to compare or
    the program raised the interpreter's ``error(plain)`` (the JIT run reports it)."""
    import time

    if not (args.jit_summary and jitdriver.jit_enabled() and not args.no_compare):
        return None, None
    plain = load()
    t0 = time.perf_counter()
    try:
        out = run(plain)
    except error(plain):
        return None, None
    return out, time.perf_counter() - t0


def speedup(slow: float, fast: float) -> str:
    """``slow / fast`` as an interpreter's summary says it: ``12x``, ``3.4x`` (``?`` for 0)."""
    if fast <= 0:
        return "?"
    r = slow / fast
    return "%.0fx" % r if r >= 10 else "%.1fx" % r


def report_speedup(plain_time: float, times: Any, stream: Any = None) -> None:
    """The last line of ``--jit-summary`` in the example interpreters: the best JIT run (the
    first one includes tracing and compiling) against the plain interpreter's run."""
    import sys

    best = min(times)
    runs = ("%.3f s (best of %d; the first run, %.3f s, includes tracing and compiling)"
            % (best, len(times), times[0]) if len(times) > 1 else
            "%.3f s (including tracing and compiling)" % best)
    (stream or sys.stderr).write("JIT on: %s: %s faster than JIT off (%.3f s)\n"
                                 % (runs, speedup(plain_time, best), plain_time))
