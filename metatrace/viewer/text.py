"""A trace as text for a terminal: its ops grouped by interpreted instruction, guards with their
failure counts and bridges, and where it ends (the same reading of the log as the picture)."""

from __future__ import annotations

from typing import List

from .model import Log, Trace, short_file


def trace_text(log: Log, trace: Trace, stage: str = "optimized", width: int = 100) -> str:
    lines: List[str] = []
    head = "%s %d at %s" % (trace.kind, trace.id, trace.location)
    if trace.kind == "loop":
        head += "  (entered %d times)" % trace.heat
    else:
        head += "  (from guard %s of %s, %d failures)" % (
            trace.parent_guard, trace.parent.label if trace.parent else
            "trace %s" % trace.doc.get("parent_trace"), trace.heat)
    lines.append(head)
    ins = ", ".join("%s" % a.get("name") for a in trace.doc.get("inputargs") or ())
    lines.append("  inputs: [%s]   tier: %s   %s ops" % (ins, trace.doc.get("tier"),
                                                        len(trace.stage_ops(stage))))
    for gr in trace.groups(stage):
        if gr.section != "loop" and (gr.index == 0 or
                                     trace.groups(stage)[gr.index - 1].section != gr.section):
            lines.append("  -- %s --" % ("preamble" if gr.section == "preamble" else "peeled loop"))
        loc = gr.location if gr.location is not None else "(before the first merge point)"
        lines.append("  %s" % loc)
        for op in gr.ops:
            if op.get("op") == "debug_merge_point":
                continue
            text = str(op.get("text") or op.get("op"))
            note = ""
            g = op.get("guard")
            if g is not None:
                if g.get("failures"):
                    note += "  # failed %d" % g["failures"]
                if g.get("bridge") is not None:
                    note += "  -> bridge %d" % g["bridge"]
            src = op.get("source")
            where = ""
            if src:
                where = "%s:%s" % (short_file(src.get("file")), src.get("line"))
            line = "      %s%s" % (text, note)
            if where:
                pad = max(1, width - len(line) - len(where))
                line = line + " " * pad + where
            lines.append(line)
    if trace.end == "finish":
        lines.append("  -> finish (the portal returns)")
    elif trace.target is not None:
        lines.append("  -> jump to %s at %s" % (
            "itself" if trace.target is trace else trace.target.label, trace.target.location))
    else:
        lines.append("  -> jump to %s" % (trace.doc.get("target_location") or "?"))
    return "\n".join(lines)
