"""``metatrace view`` and ``metatrace summary`` (dispatched from metatrace/cli.py).

Every failure the user can cause (bad file, unknown trace id, missing Graphviz, a log too big to
draw) ends in one message on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import List, Optional

from .load import LogError, load_log
from .model import STAGES, Log
from .render import FORMATS, DotMissing, RenderError, run_dot, svg_fragment

EXIT_USAGE = 2
EXIT_BAD_LOG = 2
EXIT_TOO_BIG = 3
EXIT_RENDER = 4


def _err(prog: str, msg: str) -> None:
    sys.stderr.write("%s: %s\n" % (prog, msg))


def _bad_log(e: LogError) -> int:
    """A log that cannot be read: its one line ``FILE: WHERE: WHAT``, as a compiler names the
    file first, and no program-name prefix that would make it two ``a: b:`` shapes in one."""
    sys.stderr.write("%s\n" % e)
    return EXIT_BAD_LOG


def _view_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="metatrace view",
        description="Draw what the JIT compiled: each loop a cluster of its ops grouped by "
                    "interpreted instruction, bridges hanging off the guards they start from, "
                    "aborts with their reasons.  Needs Graphviz's 'dot' for svg/png/pdf/html.")
    p.add_argument("log", help="a trace log (METATRACE_LOG=trace.json or --jit-log)")
    p.add_argument("-o", "--output", metavar="OUT",
                   help="output file (default: the log's name with the format's extension)")
    p.add_argument("--format", choices=FORMATS,
                   help="output format (default: from OUT's extension, else svg)")
    p.add_argument("--trace", type=int, metavar="ID",
                   help="draw only trace ID and its neighbours (parent, bridges, jump targets)")
    p.add_argument("--stage", choices=STAGES, default="optimized",
                   help="which ops to show (default: optimized)")
    p.add_argument("--detail", choices=("auto", "ops", "outline"), default="auto",
                   help="ops: every op; outline: one box per trace; auto: ops unless the log "
                        "is large")
    return p


def view_main(argv: Optional[List[str]] = None) -> int:
    prog = "metatrace view"
    args = _view_parser().parse_args(argv)
    fmt = args.format
    if fmt is None and args.output:
        ext = os.path.splitext(args.output)[1].lstrip(".").lower()
        fmt = {"htm": "html", "gv": "dot"}.get(ext, ext)
        if fmt not in FORMATS:
            _err(prog, "cannot tell the format from %r; use --format %s" % (
                args.output, "|".join(FORMATS)))
            return EXIT_USAGE
    fmt = fmt or "svg"
    out = args.output or os.path.splitext(args.log)[0] + "." + fmt
    try:
        log = Log(load_log(args.log))
    except LogError as e:
        return _bad_log(e)
    if args.trace is not None and args.trace not in log.by_id:
        try:
            log.trace(args.trace)
        except KeyError as e:
            _err(prog, str(e.args[0]))
        return EXIT_USAGE
    if not log.traces and not log.aborts and not log.invalidations:
        sys.stderr.write("%s: note: the log has no traces, aborts or invalidations (did the "
                         "program run long enough to warm up the JIT?)\n" % prog)
    from .graph import TooBig, build_graph

    try:
        graph = build_graph(log, stage=args.stage, trace_id=args.trace,
                            links=(fmt == "html"), detail=args.detail)
    except TooBig as e:
        _err(prog, str(e))
        return EXIT_TOO_BIG
    source = graph.source
    title = os.path.basename(args.log)
    if args.trace is not None:
        title += " - trace %d" % args.trace
    try:
        if fmt == "dot":
            _write(out, source.encode("utf-8"))
        elif fmt == "html":
            from .html import page

            svg: Optional[str] = None
            note = ""
            try:
                svg = svg_fragment(run_dot(source, "svg"))
            except DotMissing as e:
                dot_out = os.path.splitext(out)[0] + ".dot"
                _write(dot_out, source.encode("utf-8"))
                note = "No picture: %s. The graph was written to %s." % (e, dot_out)
                _err(prog, "%s; wrote %s and a page without the picture" % (e, dot_out))
            text = page(log, svg, stage=args.stage, title=title, note=note,
                        trace_id=args.trace)
            _write(out, text.encode("utf-8"))
        else:
            _write(out, run_dot(source, fmt))
    except DotMissing as e:
        dot_out = os.path.splitext(out)[0] + ".dot"
        try:
            _write(dot_out, source.encode("utf-8"))
        except OSError as oe:
            _err(prog, "cannot write %s: %s" % (dot_out, oe.strerror or oe))
            return EXIT_RENDER
        _err(prog, "%s. Wrote the graph source to %s instead; after installing, run "
                   "'dot -T%s %s -o %s'" % (e, dot_out, fmt, dot_out, out))
        return 0
    except RenderError as e:
        _err(prog, str(e))
        return EXIT_RENDER
    except OSError as e:
        _err(prog, "cannot write %s: %s" % (out, e.strerror or e))
        return EXIT_RENDER
    what = "%d traces" % len(log.traces) if args.trace is None else "trace %d and %d neighbours" % (
        args.trace, len(log.neighbours(log.by_id[args.trace])))
    print("wrote %s (%s, %s ops)" % (out, what, args.stage))
    return 0


def _write(path: str, data: bytes) -> None:
    d = os.path.dirname(path)
    if d:
        os.makedirs(d, exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def summary_main(argv: Optional[List[str]] = None) -> int:
    prog = "metatrace summary"
    p = argparse.ArgumentParser(
        prog=prog,
        description="The counters of a trace log (loops, bridges, aborts by reason, guard "
                    "failures, invalidations, times, tiers), the hottest traces, and why the "
                    "hottest guards fail and the aborts happened.")
    p.add_argument("log", help="a trace log (METATRACE_LOG=trace.json or --jit-log)")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.add_argument("--top", type=int, default=10, metavar="N",
                   help="how many hot traces, guards and aborts to list (default 10)")
    args = p.parse_args(argv)
    try:
        log = Log(load_log(args.log))
    except LogError as e:
        return _bad_log(e)
    from .summary import format_summary, summarize

    data = summarize(log, top=max(0, args.top))
    if args.json:
        json.dump(data, sys.stdout, indent=1, default=repr)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_summary(data, "metatrace summary of %s" % args.log))
    return 0


def trace_main(argv: Optional[List[str]] = None) -> int:
    """``metatrace trace LOG.json``: the compiled loops and bridges as text (the same text
    ``METATRACE_LOG=-`` prints at exit)."""
    prog = "metatrace trace"
    from .text import TEXT_STAGES, log_text

    p = argparse.ArgumentParser(
        prog=prog,
        description="Print the loops and bridges of a trace log as text: each op grouped under "
                    "the interpreted instruction it was recorded for, with the interpreter's "
                    "file:line, guard failure counts and bridges, and where each trace ends; "
                    "then the aborts and invalidations.  The same text METATRACE_LOG=- prints "
                    "at exit.")
    p.add_argument("log", help="a trace log (METATRACE_LOG=trace.json or --jit-log)")
    p.add_argument("--trace", type=int, metavar="ID", help="print only trace ID")
    p.add_argument("--stage", choices=TEXT_STAGES, default="optimized",
                   help="optimized: the ops that run (default); unoptimized: as recorded; "
                        "both: recorded, then optimized")
    p.add_argument("--no-source", action="store_true",
                   help="leave out the interpreter's file:line of each op")
    args = p.parse_args(argv)
    try:
        log = Log(load_log(args.log))
    except LogError as e:
        return _bad_log(e)
    try:
        text = log_text(log, args.trace, args.stage, source=not args.no_source,
                        title="metatrace trace log %s (%s ops)" % (args.log, args.stage))
    except KeyError as e:
        _err(prog, str(e.args[0]))
        return EXIT_USAGE
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # metatrace trace log.json | head
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
    return 0
