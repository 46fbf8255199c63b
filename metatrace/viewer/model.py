"""The trace log as the viewer sees it: traces, their ops grouped by interpreted instruction,
who hangs off whom and where each trace jumps to.

Everything here is derived from the JSON document once, so the renderers (Graphviz, HTML, text,
summary) share one reading of the log and agree on what a "neighbour" or a "hot guard" is.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Tuple

STAGES = ("optimized", "unoptimized")


@dataclass
class Group:
    """The ops recorded for one interpreted instruction (from one ``debug_merge_point`` to the
    next); ``location`` is its printable location, or ``None`` for ops before the first one
    (a bridge starts in the middle of an instruction)."""

    location: Optional[str]
    ops: List[Dict[str, Any]] = field(default_factory=list)
    section: str = "loop"  # "loop", or "preamble" / "peeled" when the trace has two labels
    index: int = 0

    @property
    def guards(self) -> List[Dict[str, Any]]:
        return [op for op in self.ops if "guard" in op]


@dataclass
class Trace:
    doc: Dict[str, Any]
    index: int  # position in doc["traces"], for JSON paths in messages
    children: List["Trace"] = field(default_factory=list)  # bridges hanging off our guards
    target: Optional["Trace"] = None  # the loop our jump goes to
    jumped_from: List["Trace"] = field(default_factory=list)
    parent: Optional["Trace"] = None

    @property
    def id(self) -> int:
        return self.doc["id"]

    @property
    def kind(self) -> str:
        return self.doc["kind"]

    @property
    def location(self) -> str:
        return self.doc["location"]

    @property
    def ops(self) -> List[Dict[str, Any]]:
        return self.doc["ops"]

    @property
    def end(self) -> str:
        end = self.doc.get("end")
        if end:
            return end
        last = self.ops[-1]["op"] if self.ops else ""
        if last == "finish_raise":
            return "raise"
        return "jump" if last == "jump" else "finish"

    @property
    def parent_guard(self) -> Optional[int]:
        return self.doc.get("parent_guard")

    @property
    def guards(self) -> List[Dict[str, Any]]:
        return [op for op in self.ops if "guard" in op]

    @property
    def label(self) -> str:
        return "%s %d" % (self.kind, self.id)

    @property
    def heat(self) -> int:
        """How often this trace ran from its start: entries for a loop, the parent guard's
        failures for a bridge (each failure after the bridge exists enters the bridge)."""
        if self.kind == "loop":
            return int(self.doc.get("entries") or 0)
        g = self.parent_guard_op
        return int(g["guard"]["failures"]) if g is not None else 0

    @property
    def parent_guard_op(self) -> Optional[Dict[str, Any]]:
        if self.parent is None:
            return None
        for op in self.parent.guards:
            if op["guard"]["id"] == self.parent_guard:
                return op
        return None

    def groups(self, stage: str = "optimized") -> List[Group]:
        return group_ops(self.stage_ops(stage))

    def stage_ops(self, stage: str) -> List[Dict[str, Any]]:
        if stage == "unoptimized":
            return [_unopt_op(op) for op in self.doc.get("unoptimized_ops") or ()]
        return self.ops

    def source_file(self) -> Optional[str]:
        for op in self.ops:
            src = op.get("source")
            if src:
                return src.get("file")
        return None


def _unopt_op(op: Dict[str, Any]) -> Dict[str, Any]:
    """Unoptimized ops carry only ``op`` and ``text``; recover the merge point's location."""
    if op.get("op") == "debug_merge_point" and "descr" not in op:
        d = descr_from_text(op.get("text", ""))
        if d is not None:
            op = dict(op, descr=d)
    return op


_DESCR_RE = re.compile(r"descr=(.*)\)\s*$")


def descr_from_text(text: str) -> Optional[str]:
    m = _DESCR_RE.search(text)
    if not m:
        return None
    try:
        v = ast.literal_eval(m.group(1))
    except (ValueError, SyntaxError):
        return m.group(1)
    return str(v)


def group_ops(ops: Iterable[Dict[str, Any]]) -> List[Group]:
    """Split ``ops`` at each ``debug_merge_point``.  With two ``label`` ops (loop peeling) the
    groups before the second label are the preamble and the rest the peeled loop."""
    ops = list(ops)
    labels = [i for i, op in enumerate(ops) if op.get("op") == "label"]
    peel_at = labels[1] if len(labels) >= 2 else None
    groups: List[Group] = []
    cur: Optional[Group] = None
    for i, op in enumerate(ops):
        section = "loop"
        if peel_at is not None:
            section = "preamble" if i < peel_at else "peeled"
        starts = op.get("op") == "debug_merge_point" or (peel_at is not None and i == peel_at)
        if cur is None or starts or cur.section != section:
            loc = _descr_str(op) if op.get("op") == "debug_merge_point" else None
            cur = Group(location=loc, section=section, index=len(groups))
            groups.append(cur)
        cur.ops.append(op)
    return groups


def _descr_str(op: Dict[str, Any]) -> Optional[str]:
    d = op.get("descr")
    return None if d is None else str(d)


class Log:
    """An indexed trace log (already validated by :func:`metatrace.viewer.load.load_log`)."""

    def __init__(self, doc: Dict[str, Any]) -> None:
        self.doc = doc
        self.traces: List[Trace] = [Trace(t, i) for i, t in enumerate(doc["traces"])]
        self.by_id: Dict[int, Trace] = {t.id: t for t in self.traces}
        self.aborts: List[Dict[str, Any]] = list(doc.get("aborts") or ())
        self.invalidations: List[Dict[str, Any]] = list(doc.get("invalidations") or ())
        self.stats: Dict[str, Any] = dict(doc.get("stats") or {})
        self.drivers: Dict[str, Dict[str, Any]] = {
            str(d.get("name")): d for d in doc.get("drivers") or () if isinstance(d, dict)}
        self.guard_owner: Dict[int, Trace] = {}
        for t in self.traces:
            for op in t.guards:
                self.guard_owner.setdefault(op["guard"]["id"], t)
        self._link()

    def _link(self) -> None:
        for t in self.traces:
            if t.kind != "bridge":
                continue
            parent = self.by_id.get(t.doc.get("parent_trace"))  # type: ignore[arg-type]
            if parent is None and t.parent_guard is not None:
                parent = self.guard_owner.get(t.parent_guard)
            if parent is not None:
                t.parent = parent
                parent.children.append(t)
        loops_at: Dict[Tuple[str, str], List[Trace]] = {}
        for t in self.traces:
            if t.kind == "loop":
                loops_at.setdefault((t.doc["driver"], t.location), []).append(t)
        for t in self.traces:
            if t.end != "jump":
                continue
            target_id = t.doc.get("target_trace")  # not in version 1; used if it appears
            target = self.by_id.get(target_id) if isinstance(target_id, int) else None
            if target is None:
                where = t.doc.get("target_location") or _jump_location(t, self)
                if where is not None:
                    target = _pick_target(t, loops_at.get((t.doc["driver"], where), []))
            if target is not None:
                t.target = target
                if target is not t:
                    target.jumped_from.append(t)

    def trace(self, trace_id: int) -> Trace:
        try:
            return self.by_id[trace_id]
        except KeyError:
            ids = ", ".join(str(i) for i in sorted(self.by_id)[:20])
            more = " ..." if len(self.by_id) > 20 else ""
            raise KeyError("no trace %d in this log; its traces are: %s%s"
                           % (trace_id, ids or "(none)", more)) from None

    def neighbours(self, trace: Trace) -> List[Trace]:
        """The traces one step away: parent, bridges, jump target, traces jumping here."""
        out: List[Trace] = []
        for n in ([trace.parent] + trace.children + [trace.target] + trace.jumped_from):
            if n is not None and n is not trace and n not in out:
                out.append(n)
        return out

    def root_of(self, trace: Trace) -> Trace:
        seen = set()
        while trace.parent is not None and trace.id not in seen:
            seen.add(trace.id)
            trace = trace.parent
        return trace

    def hottest(self, n: int = 10) -> List[Trace]:
        return sorted(self.traces, key=lambda t: (-t.heat, t.id))[:n]

    def hot_guards(self, n: int = 10, min_failures: int = 1) -> List[Tuple[Trace, Dict[str, Any]]]:
        gs = [(t, op) for t in self.traces for op in t.guards
              if op["guard"]["failures"] >= min_failures]
        gs.sort(key=lambda p: (-p[1]["guard"]["failures"], p[1]["guard"]["id"]))
        return gs[:n]

    def param(self, driver: Optional[str], name: str) -> Any:
        d = self.drivers.get(str(driver)) if driver is not None else None
        if d is None and len(self.drivers) == 1:
            d = next(iter(self.drivers.values()))
        return (d or {}).get("params", {}).get(name)

    def total_ops(self, stage: str = "optimized") -> int:
        key = "ops" if stage == "optimized" else "unoptimized_ops"
        return sum(len(t.doc.get(key) or ()) for t in self.traces)


def _green_repr(green_key: List[str]) -> str:
    return "(%s,)" % green_key[0] if len(green_key) == 1 else "(%s)" % ", ".join(green_key)


def _jump_location(t: Trace, log: "Log") -> Optional[str]:
    """Without ``target_location``: match the jump's descr (the green key's repr) against the
    loops' green keys."""
    last = t.ops[-1] if t.ops else None
    if last is None or last.get("op") != "jump" or not isinstance(last.get("descr"), str):
        return None
    for loop in log.traces:
        if loop.kind == "loop" and loop.doc.get("green_key") and \
                _green_repr(loop.doc["green_key"]) == last["descr"]:
            return loop.location
    return None


def _pick_target(src: Trace, candidates: List[Trace]) -> Optional[Trace]:
    """Several loops may share a location (one thrown away by an invalidation and compiled
    again): prefer the source's own tree, then the newest loop compiled before the source."""
    if not candidates:
        return None
    tree = src.doc.get("tree")
    same_tree = [c for c in candidates if tree is not None and c.doc.get("tree") == tree]
    if same_tree:
        return same_tree[0]
    earlier = [c for c in candidates if c.id <= src.id]
    if earlier:
        return max(earlier, key=lambda c: c.id)
    return min(candidates, key=lambda c: c.id)


def heat_width(count: int, top: int, lo: float = 1.0, hi: float = 6.0) -> float:
    """Pen width for an edge or border run ``count`` times when the hottest ran ``top`` times:
    logarithmic, so a 10x hotter path is visibly (not absurdly) heavier."""
    if count <= 0 or top <= 0:
        return lo
    return round(lo + (hi - lo) * math.log1p(count) / math.log1p(max(top, count)), 2)


def short_file(path: Optional[str]) -> str:
    if not path:
        return "?"
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def where(src: Optional[Dict[str, Any]]) -> str:
    """``Interpreter.send (interp.py:212)`` for a ``source`` record."""
    if not src:
        return "unknown source"
    fn = src.get("function")
    loc = "%s:%s" % (short_file(src.get("file")), src.get("line", "?"))
    return "`%s` (%s)" % (fn, loc) if fn else loc


def value_text(v: Any) -> str:
    if isinstance(v, dict) and "const" in v:
        c = v["const"]
        return c if isinstance(c, str) and c.startswith("<") else repr(c)
    return str(v)


def op_text(op: Dict[str, Any]) -> str:
    """The op in IR text form (the log's ``text``, or rebuilt from its fields)."""
    if op.get("text"):
        return str(op["text"])
    args = ", ".join(value_text(a) for a in op.get("args", ()))
    s = "%s(%s)" % (op.get("op"), args)
    if op.get("res"):
        s = "%s = %s" % (op["res"], s)
    return s


def group_of_guard(groups: List[Group], guard_id: int) -> Optional[Group]:
    for g in groups:
        for op in g.ops:
            if "guard" in op and op["guard"]["id"] == guard_id:
                return g
    return None


def guard_location(trace: Trace, guard_id: int) -> Optional[str]:
    """The interpreted instruction a guard belongs to (a bridge's leading ops inherit the
    bridge's own location)."""
    for g in trace.groups():
        for op in g.ops:
            if "guard" in op and op["guard"]["id"] == guard_id:
                return g.location or trace.location
    return None
