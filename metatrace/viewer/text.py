"""The trace log as text for a terminal: each trace's ops grouped by interpreted instruction,
guards with their failure counts and bridges, the interpreter's file:line of each op, and
where the trace ends.  The one text renderer behind ``METATRACE_LOG=-`` (at exit, from the live
log), ``metatrace trace LOG.json`` (from a saved log), ``text_for_trace()`` and ``TraceView``.

Every output line is one line: text that comes from the traced program or the log (locations,
op texts, descrs, file and function names, abort reasons) goes through :func:`one_line`, which
escapes newlines, other control characters (terminal escape sequences included), Unicode line
and paragraph separators and bidirectional overrides as ``\\n``, ``\\x1b``, ``\\u2028``, ...
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from .model import Log, Trace, short_file

TEXT_STAGES = ("optimized", "unoptimized", "both")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(c: str) -> str:
    if c in _NAMED:
        return _NAMED[c]
    n = ord(c)
    if n < 0x100:
        return "\\x%02x" % n
    if n < 0x10000:
        return "\\u%04x" % n
    return "\\U%08x" % n


def one_line(value: Any) -> str:
    """``str(value)`` with every character that could break or rewrite a terminal line escaped:
    all that ``str.isprintable`` rejects except the plain space (control characters, line and
    paragraph separators, format characters such as bidirectional overrides, other spaces).
    Backslashes are left alone, so Windows paths read as they are."""
    s = str(value)
    if s.isprintable():  # the common case
        return s
    return "".join(c if c.isprintable() or c == " " else _escape_char(c) for c in s)


def plural(n: int, word: str) -> str:
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


def _where(src: Optional[Dict[str, Any]]) -> str:
    if not src:
        return ""
    return "%s:%s" % (one_line(short_file(src.get("file"))), one_line(src.get("line")))


def trace_text(log: Log, trace: Trace, stage: str = "optimized", width: int = 100,
               source: bool = True) -> str:
    """One trace.  ``stage`` is ``optimized`` (what runs), ``unoptimized`` (as recorded) or
    ``both`` (recorded first, then optimized, each under a ``==`` heading); ``source=False``
    leaves out the interpreter's file:line column."""
    lines: List[str] = []
    head = "%s %d at %s" % (trace.kind, trace.id, one_line(trace.location))
    if trace.kind == "loop":
        head += "  (entered %d times)" % trace.heat
    else:
        head += "  (from guard %s of %s, %d failures)" % (
            one_line(trace.parent_guard), trace.parent.label if trace.parent else
            "trace %s" % one_line(trace.doc.get("parent_trace")), trace.heat)
    lines.append(head)
    ins = ", ".join(one_line(a.get("name")) for a in trace.doc.get("inputargs") or ()
                    if isinstance(a, dict))
    info = "  inputs: [%s]   tier: %s" % (ins, one_line(trace.doc.get("tier")))
    if stage == "both":
        lines.append(info)
        n = len(trace.stage_ops("unoptimized"))
        lines.append("  == as recorded: %s, before optimization ==" % plural(n, "op"))
        _ops_lines(lines, trace, "unoptimized", width, source)
        lines.append("  == optimized: %s ==" % plural(len(trace.stage_ops("optimized")), "op"))
        _ops_lines(lines, trace, "optimized", width, source)
    else:
        n = len(trace.stage_ops(stage))
        lines.append(info + "   " + (plural(n, "op") if stage != "unoptimized" else
                                     "%s as recorded, before optimization" % plural(n, "op")))
        _ops_lines(lines, trace, stage, width, source)
    if trace.end == "finish":
        lines.append("  -> finish (the portal returns)")
    elif trace.end == "raise":
        lines.append("  -> raise (an exception leaves the portal)")
    elif trace.target is not None:
        lines.append("  -> jump to %s at %s" % (
            "itself" if trace.target is trace else trace.target.label,
            one_line(trace.target.location)))
    else:
        lines.append("  -> jump to %s" % one_line(trace.doc.get("target_location") or "?"))
    return "\n".join(lines)


def _ops_lines(lines: List[str], trace: Trace, stage: str, width: int, source: bool) -> None:
    groups = trace.groups(stage)
    for gr in groups:
        if gr.section != "loop" and (gr.index == 0 or groups[gr.index - 1].section != gr.section):
            lines.append("  -- %s --" % ("preamble" if gr.section == "preamble" else "peeled loop"))
        loc = one_line(gr.location) if gr.location is not None else "(before the first merge point)"
        lines.append("  %s" % loc)
        for op in gr.ops:
            if op.get("op") == "debug_merge_point":
                continue
            text = one_line(op.get("text") or op.get("op"))
            note = ""
            g = op.get("guard")
            if isinstance(g, dict):
                if g.get("failures"):
                    note += "  # failed %s" % one_line(g["failures"])
                if g.get("bridge") is not None:
                    note += "  -> bridge %s" % one_line(g["bridge"])
            line = "      %s%s" % (text, note)
            where = _where(op.get("source")) if source else ""
            if where:
                pad = max(2, width - len(line) - len(where))
                line = line + " " * pad + where
            lines.append(line)


def _abort_line(a: Dict[str, Any], source: bool = True) -> str:
    detail = str(a.get("detail") or "").strip().splitlines()
    src = a.get("source") if source and isinstance(a.get("source"), dict) else None
    where = ""
    if src:
        where = " in %s (%s)" % (one_line(src.get("function")), _where(src))
    return "  %s trace at %s: %s%s%s" % (
        one_line(a.get("kind") or "loop"), one_line(a.get("location")), one_line(a.get("reason")),
        ": %s" % one_line(detail[0][:200]) if detail else "", where)


def log_text(log: Log, trace_id: Optional[int] = None, stage: str = "optimized",
             source: bool = True, title: str = "metatrace trace log") -> str:
    """Every loop and bridge of ``log`` (or only ``trace_id``), in id order, then the aborts and
    invalidations (one line each).  Raises ``KeyError`` for an unknown ``trace_id``."""
    if trace_id is not None:
        return trace_text(log, log.trace(trace_id), stage, source=source) + "\n"
    loops = sum(1 for t in log.traces if t.kind == "loop")
    out = ["%s: %s, %s, %s, %s" % (
        one_line(title), plural(loops, "loop"), plural(len(log.traces) - loops, "bridge"),
        plural(len(log.aborts), "abort"), plural(len(log.invalidations), "invalidation"))]
    for t in sorted(log.traces, key=lambda t: t.id):
        out.append("")
        out.append(trace_text(log, t, stage, source=source))
    if log.aborts:
        out.append("")
        out.append("aborted traces:")
        out.extend(_abort_line(a, source) for a in log.aborts if isinstance(a, dict))
    if log.invalidations:
        out.append("")
        out.append("invalidations:")
        for inv in log.invalidations:
            if isinstance(inv, dict):
                out.append("  tree %s at %s: %s" % (one_line(inv.get("tree")),
                                                    one_line(inv.get("location")),
                                                    one_line(inv.get("reason"))))
    return "\n".join(out) + "\n"
