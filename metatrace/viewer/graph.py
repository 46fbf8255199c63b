"""The Graphviz picture of a trace log: each trace a cluster of interpreted instructions, bridges
hanging off the guards they start from, jumps back to the loops they close.

Three levels of detail keep big logs usable: ``ops`` (every op, grouped by interpreted
instruction), ``outline`` (one node per trace listing its guards that failed or have bridges)
and, past :data:`MAX_OUTLINE_TRACES`, a refusal that points at ``--trace ID``.  Layout cost in
``dot`` grows much faster than the node count, so the choice is made before calling it.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Set

import graphviz

from .model import Group, Log, Trace, group_of_guard, heat_width, short_file, value_text

MAX_DETAIL_OPS = 2500  # above this many ops in view, draw traces as outlines
MAX_OUTLINE_TRACES = 500  # above this many traces in view, ask for --trace ID
FAST_LAYOUT_TRACES = 150  # above this many, trade layout quality for speed
MAX_OP_CHARS = 72
MAX_ROWS_PER_GROUP = 40
MAX_ABORT_ROWS = 12
COLUMN = 12  # groups per column in a long trace

COLD = (0x9E, 0x9E, 0x9E)
HOT = (0xD8, 0x43, 0x15)
QUIET_GUARD = "#a0a0a0"
LOOP_FILL = "#f3f6fb"
BRIDGE_FILL = "#fbf7f0"
HEADER_FILL = "#e3e9f3"
FONT = "Helvetica"
MONO = "Courier"


class TooBig(Exception):
    """The log has too many traces to lay out in one picture; ``str()`` says what to do."""


def esc(text: Any) -> str:
    """Text from the log, made safe inside a Graphviz HTML-like label.  Besides the markup
    characters, the backslash: dot expands escString sequences (``\\N`` the node name, ``\\G``,
    ``\\l``) even in the text of HTML-like labels (also when written ``&#92;``), and ``\\\\``
    is the one spelling that reaches the picture as one backslash."""
    s = str(text)
    s = "".join(c if c >= " " or c in "\t" else "?" for c in s)
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;").replace("\\", "\\\\"))


def attr(text: Any) -> str:
    """Text from the log as a plain (non-HTML) label: control characters as spaces, backslashes
    doubled so that ``\\N`` and friends stay text, ``&`` as ``&amp;`` because dot decodes
    entities such as ``&lt;`` in every string (graphviz quotes the rest)."""
    s = "".join(c if c >= " " else " " for c in str(text))
    return graphviz.escape(s[:500].replace("&", "&amp;"))


def tip(text: Any) -> str:
    """Text from the log as a tooltip.  dot unescapes a tooltip twice before expanding
    ``\\N``, ``\\G`` and the like (so Graphviz 2.43 does), so each backslash is written
    four times to come out as one."""
    s = "".join(c if c >= " " else " " for c in str(text))
    return graphviz.nohtml(s[:500].replace("\\", "\\" * 4).replace("&", "&amp;"))


def heat_color(count: int, top: int) -> str:
    if count <= 0 or top <= 0:
        return "#%02x%02x%02x" % COLD
    import math

    r = math.log1p(count) / math.log1p(max(top, count))
    c = tuple(int(a + (b - a) * r) for a, b in zip(COLD, HOT))
    return "#%02x%02x%02x" % c


def node_id(trace: Trace, group: int) -> str:
    return "t%dg%d" % (trace.id, group)


def anchor(trace: Trace, group: Optional[int] = None) -> str:
    """Fragment names shared with the HTML page (``#trace-12``, ``#trace-12-g3``)."""
    return "trace-%d" % trace.id if group is None else "trace-%d-g%d" % (trace.id, group)


def short_op(op: Dict[str, Any]) -> str:
    """An op's text for a picture: failargs dropped, long constants shortened."""
    text = str(op.get("text") or "")
    if not text:
        args = ", ".join(value_text(a) for a in op.get("args", ()))
        text = "%s(%s)" % (op.get("op"), args)
        if op.get("res"):
            text = "%s = %s" % (op["res"], text)
    if "guard" in op or str(op.get("op", "")).startswith("guard"):
        text = re.sub(r"\s*\[[^\]]*\]\s*$", "", text)
    if len(text) > MAX_OP_CHARS:
        text = text[:MAX_OP_CHARS - 3] + "..."
    return text


class GraphBuilder:
    def __init__(self, log: Log, stage: str = "optimized", links: bool = False) -> None:
        self.log = log
        self.stage = stage
        self.links = links  # hrefs to the HTML page's anchors
        self.top_entries = max([t.heat for t in log.traces if t.kind == "loop"] or [0])
        top_failures = max([op["guard"]["failures"] for t in log.traces for op in t.guards]
                           or [0])
        # one scale for loop entries and guard failures: both count runs of a path
        self.top_entries = self.top_failures = max(self.top_entries, top_failures)
        self._groups: Dict[int, List[Group]] = {}
        self.shown: Set[int] = set()
        self.detailed: Set[int] = set()
        self.mode = "ops"

    def groups(self, t: Trace) -> List[Group]:
        if t.id not in self._groups:
            self._groups[t.id] = t.groups(self.stage)
        return self._groups[t.id]

    # -- choosing what to draw ---------------------------------------------------------------
    def build(self, trace_id: Optional[int] = None, detail: str = "auto") -> graphviz.Digraph:
        log = self.log
        if trace_id is not None:
            center = log.trace(trace_id)
            traces = [center] + log.neighbours(center)
            self.detailed = {center.id}
            self.mode = "trace"
        else:
            traces = list(log.traces)
            nops = sum(len(t.stage_ops(self.stage)) for t in traces)
            if detail == "auto":
                detail = "ops" if nops <= MAX_DETAIL_OPS else "outline"
            if detail == "outline" and len(traces) > MAX_OUTLINE_TRACES:
                raise TooBig(self._too_big_message(len(traces), nops))
            self.mode = detail
            self.detailed = {t.id for t in traces} if detail == "ops" else set()
        self.shown = {t.id for t in traces}
        g = graphviz.Digraph("metatrace", graph_attr={
            "rankdir": "TB", "compound": "true", "fontname": FONT, "fontsize": "11",
            "newrank": "true", "nodesep": "0.25", "ranksep": "0.3",
            "label": attr(self._title()), "labelloc": "t",
        }, node_attr={"fontname": FONT, "fontsize": "10", "shape": "plain"},
            edge_attr={"fontname": FONT, "fontsize": "9", "arrowsize": "0.7"})
        if len(traces) > FAST_LAYOUT_TRACES:
            # fewer crossing-minimisation and ranking passes: a 500-trace outline in seconds
            g.graph_attr.update(mclimit="0.1", nslimit="1", nslimit1="1")
        for t in traces:
            self._trace_cluster(g, t)
        for t in traces:
            self._trace_edges(g, t)
        if trace_id is None:
            self._aborts(g)
        return g

    def _title(self) -> str:
        s = self.log.stats
        parts = ["%d loops, %d bridges" % (sum(t.kind == "loop" for t in self.log.traces),
                                           sum(t.kind == "bridge" for t in self.log.traces)),
                 "%s aborts" % len(self.log.aborts),
                 "%s guard failures" % s.get("guard_failures", "?"),
                 "%d invalidations" % len(self.log.invalidations),
                 "%s ops" % self.stage]
        if self.mode == "outline":
            parts.append("outline: pick a trace with --trace ID for its ops")
        if self.mode == "trace":
            parts.append("showing trace %s and its neighbours" % ", ".join(
                str(i) for i in sorted(self.detailed)))
        return "metatrace: " + ", ".join(parts)

    def _too_big_message(self, ntraces: int, nops: int) -> str:
        hot = ", ".join("%d (%s, %s)" % (t.id, t.kind, t.location) for t in self.log.hottest(5))
        return ("this log has %d traces (%d ops): too many to lay out in one picture. Pick one "
                "trace and its neighbours with --trace ID; the hottest are %s. "
                "'metatrace summary' lists them all." % (ntraces, nops, hot))

    # -- one trace ----------------------------------------------------------------------------
    def _trace_cluster(self, g: graphviz.Digraph, t: Trace) -> None:
        heat = t.heat
        top = self.top_entries if t.kind == "loop" else self.top_failures
        color = heat_color(heat, top)
        counts = ("entered %d times" % heat if t.kind == "loop"
                  else "entered on %d failures of guard %s" % (heat, t.parent_guard))
        label = "<<B>%s %d</B>  %s<BR/><FONT POINT-SIZE=\"9\">%s, %d ops, %s</FONT>>" % (
            esc(t.kind), t.id, esc(t.location), esc(counts), len(t.stage_ops(self.stage)),
            esc(t.doc.get("tier", "?")))
        attrs = {"label": label, "color": color, "penwidth": str(heat_width(heat, top, 1, 4)),
                 "style": "rounded,filled",
                 "fillcolor": LOOP_FILL if t.kind == "loop" else BRIDGE_FILL,
                 "fontsize": "10", "labeljust": "l", "id": "cluster_trace_%d" % t.id,
                 "tooltip": tip("%s %d at %s" % (t.kind, t.id, t.location))}
        if self.links:
            attrs["href"] = "#" + anchor(t)
        with g.subgraph(name="cluster_t%d" % t.id, graph_attr=attrs) as c:
            if t.id in self.detailed:
                self._detailed_nodes(c, t)
            else:
                self._outline_node(c, t)
            if t.end in ("finish", "raise"):
                c.node("t%dfinish" % t.id, label=t.end, shape="box", style="rounded",
                       fontsize="9", width="0", height="0", margin="0.05,0.02", color="#607d8b")

    def _section_clusters(self, groups: List[Group]) -> bool:
        return any(gr.section != "loop" for gr in groups)

    def _detailed_nodes(self, c: graphviz.Digraph, t: Trace) -> None:
        groups = self.groups(t)
        if not groups:
            c.node(node_id(t, 0), label="<<I>no ops</I>>")
            return
        if self._section_clusters(groups):
            for section, title in (("preamble", "preamble"), ("peeled", "peeled loop")):
                with c.subgraph(name="cluster_t%d_%s" % (t.id, section), graph_attr={
                        "label": title, "style": "dashed", "color": "#90a4ae",
                        "fillcolor": "none", "fontsize": "9", "penwidth": "1",
                        "id": "cluster_trace_%d_%s" % (t.id, section)}) as s:
                    for gr in groups:
                        if gr.section == section:
                            self._group_node(s, t, gr)
        else:
            for gr in groups:
                self._group_node(c, t, gr)
        self._columns(c, t, groups)

    def _columns(self, c: graphviz.Digraph, t: Trace, groups: List[Group]) -> None:
        """Chain the groups top to bottom; a long trace snakes into several columns of
        :data:`COLUMN` groups (rows tied with rank=same) instead of one very tall one."""
        height = len(groups)
        if height > COLUMN * 1.5:
            ncols = -(-len(groups) // COLUMN)
            height = -(-len(groups) // ncols)
            for row in range(height):
                with c.subgraph() as r:
                    r.attr(rank="same")
                    row_groups = groups[row::height]
                    for gr in row_groups:
                        r.node(node_id(t, gr.index))
                    if row == 0:  # keep the columns in order, left to right
                        for a, b in zip(row_groups, row_groups[1:]):
                            r.edge(node_id(t, a.index), node_id(t, b.index), style="invis")
        for a, b in zip(groups, groups[1:]):
            if b.index % height == 0:
                c.edge(node_id(t, a.index), node_id(t, b.index), color="#78909c",
                       constraint="false", style="dashed")
            else:
                c.edge(node_id(t, a.index), node_id(t, b.index), weight="10", color="#78909c")

    def _group_node(self, c: graphviz.Digraph, t: Trace, gr: Group) -> None:
        rows = []
        head = gr.location if gr.location is not None else (
            "(peeled loop start)" if gr.section == "peeled" else _lead_title(t))
        rows.append('<TR><TD ALIGN="LEFT" BGCOLOR="%s"><B>%s</B></TD></TR>' % (
            HEADER_FILL, esc(head)))
        shown = 0
        ops = [op for op in gr.ops if op.get("op") != "debug_merge_point"]
        for op in ops:
            if shown >= MAX_ROWS_PER_GROUP:
                rows.append('<TR><TD ALIGN="LEFT"><I>... %d more ops</I></TD></TR>'
                            % (len(ops) - shown))
                break
            rows.append(self._op_row(t, op))
            shown += 1
        if not ops:
            rows.append('<TR><TD ALIGN="LEFT"><FONT COLOR="%s"><I>no ops</I></FONT></TD></TR>'
                        % QUIET_GUARD)
        label = ('<<TABLE BORDER="1" COLOR="#b0bec5" CELLBORDER="0" CELLSPACING="0" '
                 'CELLPADDING="2" BGCOLOR="white">%s</TABLE>>' % "".join(rows))
        attrs: Dict[str, str] = {"id": "node_" + node_id(t, gr.index),
                                 "tooltip": tip("%s %d: %s" % (t.kind, t.id, head))}
        if self.links:
            attrs["href"] = "#" + anchor(t, gr.index)
        c.node(node_id(t, gr.index), label=label, **attrs)

    def _op_row(self, t: Trace, op: Dict[str, Any]) -> str:
        text = esc(short_op(op))
        name = str(op.get("op", ""))
        guard = op.get("guard")
        if guard is None:
            if name.startswith("guard"):  # unoptimized stage: no counts
                return '<TR><TD ALIGN="LEFT"><FONT FACE="%s" COLOR="#6d4c41">%s</FONT></TD></TR>' \
                    % (MONO, text)
            return '<TR><TD ALIGN="LEFT"><FONT FACE="%s">%s</FONT></TD></TR>' % (MONO, text)
        port = ' PORT="g%d"' % guard["id"]
        failures = int(guard.get("failures") or 0)
        bridge = guard.get("bridge")
        if failures == 0 and bridge is None:
            return '<TR><TD ALIGN="LEFT"%s><FONT FACE="%s" COLOR="%s">%s</FONT></TD></TR>' % (
                port, MONO, QUIET_GUARD, text)
        color = heat_color(failures, self.top_failures)
        note = " \u2717%d" % failures
        if bridge is not None:
            note += " \u2192 bridge %d" % bridge
        return ('<TR><TD ALIGN="LEFT"%s BGCOLOR="#fff3e0"><FONT FACE="%s" COLOR="%s"><B>%s</B>'
                '</FONT><FONT COLOR="%s"><B>%s</B></FONT></TD></TR>') % (
            port, MONO, color, text, color, esc(note))

    def _outline_node(self, c: graphviz.Digraph, t: Trace) -> None:
        groups = self.groups(t)
        nops = len(t.stage_ops(self.stage))
        rows = ['<TR><TD ALIGN="LEFT" BGCOLOR="%s"><B>%s</B></TD></TR>' % (
            HEADER_FILL, esc(t.location))]
        rows.append('<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="9">%d instructions, %d ops, %d '
                    'guards</FONT></TD></TR>' % (len(groups), nops, len(t.guards)))
        for op in t.guards:
            g = op["guard"]
            if g.get("bridge") is None and not g.get("failures"):
                continue
            color = heat_color(int(g.get("failures") or 0), self.top_failures)
            note = "%s %d \u2717%d" % (op.get("op"), g["id"], g.get("failures") or 0)
            if g.get("bridge") is not None:
                note += " \u2192 bridge %d" % g["bridge"]
            rows.append('<TR><TD ALIGN="LEFT" PORT="g%d"><FONT COLOR="%s">%s</FONT></TD></TR>'
                        % (g["id"], color, esc(note)))
        label = ('<<TABLE BORDER="1" COLOR="#b0bec5" CELLBORDER="0" CELLSPACING="0" '
                 'CELLPADDING="2" BGCOLOR="white">%s</TABLE>>' % "".join(rows))
        attrs = {"id": "node_" + node_id(t, 0),
                 "tooltip": tip("%s %d at %s" % (t.kind, t.id, t.location))}
        if self.links:
            attrs["href"] = "#" + anchor(t)
        c.node(node_id(t, 0), label=label, **attrs)

    # -- edges --------------------------------------------------------------------------------
    def _first(self, t: Trace) -> str:
        return node_id(t, 0)

    def _last(self, t: Trace) -> str:
        if t.id in self.detailed:
            groups = self.groups(t)
            return node_id(t, groups[-1].index if groups else 0)
        return node_id(t, 0)

    def _loop_head(self, t: Trace) -> str:
        """Where a jump into ``t`` lands: the peeled loop's first group if there is one."""
        if t.id in self.detailed:
            for gr in self.groups(t):
                if gr.section == "peeled":
                    return node_id(t, gr.index)
        return node_id(t, 0)

    def _guard_tail(self, parent: Trace, guard_id: Optional[int], bridge: Trace) -> str:
        if guard_id is None:
            return self._first(parent)
        if parent.id in self.detailed:
            gr = group_of_guard(self.groups(parent), guard_id)
            if gr is not None:
                return "%s:g%d:e" % (node_id(parent, gr.index), guard_id)
            # unoptimized ops have no guard ids: hang the bridge off the same instruction
            loc = _optimized_guard_location(parent, guard_id)
            for gr in self.groups(parent):
                if loc is not None and gr.location == loc:
                    return node_id(parent, gr.index)
            return self._first(parent)
        if any(o["guard"]["id"] == guard_id for o in parent.guards):
            return "%s:g%d:e" % (node_id(parent, 0), guard_id)
        return node_id(parent, 0)

    def _trace_edges(self, g: graphviz.Digraph, t: Trace) -> None:
        # the bridge hanging off its guard
        if t.kind == "bridge" and t.parent is not None and t.parent.id in self.shown:
            gop = t.parent_guard_op
            failures = int(gop["guard"]["failures"]) if gop is not None else 0
            label = "guard %s \u2717%d" % (t.parent_guard, failures)
            g.edge(self._guard_tail(t.parent, t.parent_guard, t), self._first(t),
                   label=attr(label), color=heat_color(failures, self.top_failures),
                   fontcolor=heat_color(failures, self.top_failures),
                   penwidth=str(heat_width(failures, self.top_failures, 1, 5)),
                   id="bridge_%d" % t.id, weight="2",
                   tooltip=tip("bridge %d from guard %s of %s %d" % (
                       t.id, t.parent_guard, t.parent.kind, t.parent.id)))
        # where the trace ends
        if t.end in ("finish", "raise"):
            g.edge(self._last(t), "t%dfinish" % t.id, color="#607d8b",
                   id="end_%d" % t.id, style="dashed")
            return
        target = t.target
        if target is None:
            where = t.doc.get("target_location") or "?"
            nid = "t%dexit" % t.id
            g.node(nid, label=attr("jump to %s (not in this log)" % where), shape="box",
                   style="dashed,rounded", fontsize="9")
            g.edge(self._last(t), nid, id="end_%d" % t.id, style="dashed")
            return
        if target.id not in self.shown:
            nid = "t%dto%d" % (t.id, target.id)
            g.node(nid, label=attr("%s %d at %s" % (target.kind, target.id, target.location)),
                   shape="box", style="dashed,rounded", fontsize="9",
                   **({"href": "#" + anchor(target)} if self.links else {}))
            g.edge(self._last(t), nid, label="jump", id="end_%d" % t.id, style="dashed")
            return
        heat = target.heat if target is t else t.heat
        top = self.top_entries if target is t else max(self.top_entries, self.top_failures)
        if target is t:
            g.edge(self._last(t), self._loop_head(t), label="back edge", constraint="false",
                   color=heat_color(heat, top), penwidth=str(heat_width(heat, top, 1.2, 5)),
                   id="end_%d" % t.id, fontcolor="#455a64")
        else:
            g.edge(self._last(t), self._loop_head(target),
                   label=attr("jump to %s %d" % (target.kind, target.id)),
                   color="#546e7a", style="bold" if heat else "solid", constraint="false",
                   penwidth=str(heat_width(heat, top, 1, 4)), id="end_%d" % t.id,
                   fontcolor="#455a64")

    # -- what the JIT gave up on ---------------------------------------------------------------
    def _aborts(self, g: graphviz.Digraph) -> None:
        from .explain import grouped_aborts

        groups = grouped_aborts(self.log)
        invs = self.log.invalidations
        if not groups and not invs:
            return
        rows = []
        if groups:
            rows.append('<TR><TD ALIGN="LEFT" COLSPAN="4" BGCOLOR="#ffebee"><B>aborted traces (%d)'
                        '</B></TD></TR>' % len(self.log.aborts))
            rows.append('<TR><TD ALIGN="LEFT"><B>reason</B></TD><TD ALIGN="LEFT"><B>location'
                        '</B></TD><TD ALIGN="LEFT"><B>interpreter</B></TD><TD ALIGN="RIGHT">'
                        '<B>count</B></TD></TR>')
            for grp in groups[:MAX_ABORT_ROWS]:
                a = grp["abort"]
                src = a.get("source") or {}
                where = "%s %s:%s" % (src.get("function", ""), short_file(src.get("file")),
                                      src.get("line", "?")) if src else "?"
                rows.append('<TR><TD ALIGN="LEFT"><FONT COLOR="#c62828">%s</FONT></TD>'
                            '<TD ALIGN="LEFT">%s</TD><TD ALIGN="LEFT">%s</TD>'
                            '<TD ALIGN="RIGHT">%d</TD></TR>' % (
                                esc(a.get("reason")), esc(a.get("location")), esc(where),
                                grp["count"]))
            if len(groups) > MAX_ABORT_ROWS:
                rows.append('<TR><TD ALIGN="LEFT" COLSPAN="4"><I>... %d more (metatrace summary'
                            ' lists them)</I></TD></TR>' % (len(groups) - MAX_ABORT_ROWS))
        if invs:
            rows.append('<TR><TD ALIGN="LEFT" COLSPAN="4" BGCOLOR="#ede7f6"><B>invalidations (%d)'
                        '</B></TD></TR>' % len(invs))
            seen: Dict[str, int] = {}
            for inv in invs:
                key = str(inv.get("reason") or "%s.%s" % (inv.get("class"), inv.get("field")))
                seen[key] = seen.get(key, 0) + 1
            for key, n in list(seen.items())[:MAX_ABORT_ROWS]:
                rows.append('<TR><TD ALIGN="LEFT" COLSPAN="3">%s</TD><TD ALIGN="RIGHT">%d</TD>'
                            '</TR>' % (esc(key), n))
        label = ('<<TABLE BORDER="1" COLOR="#e57373" CELLBORDER="0" CELLSPACING="0" '
                 'CELLPADDING="3" BGCOLOR="white">%s</TABLE>>' % "".join(rows))
        attrs = {"id": "node_aborts"}
        if self.links:
            attrs["href"] = "#aborts" if groups else "#invalidations"
        g.node("aborts", label=label, **attrs)


def _lead_title(t: Trace) -> str:
    """Ops before a trace's first merge point: for a bridge, the rest of the instruction whose
    guard failed."""
    if t.kind == "bridge" and t.parent is not None and t.parent_guard is not None:
        loc = _optimized_guard_location(t.parent, t.parent_guard)
        if loc is not None:
            return "(rest of %s)" % loc
    return "(%s start)" % t.kind


def _optimized_guard_location(t: Trace, guard_id: int) -> Optional[str]:
    gr = group_of_guard(t.groups("optimized"), guard_id)
    return gr.location if gr is not None else None


def build_graph(log: Log, stage: str = "optimized", trace_id: Optional[int] = None,
                links: bool = False, detail: str = "auto") -> graphviz.Digraph:
    """The Digraph for ``log`` (all traces, or ``trace_id`` and its neighbours)."""
    return GraphBuilder(log, stage, links).build(trace_id, detail)
