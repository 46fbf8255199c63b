"""The log seen from the interpreted program's side, as jitviewer showed it: for each interpreted
function (the prefix of a printable location, ``main`` in ``main:12 lt``), its instructions in
order, and for each instruction the traces that contain it, the guards recorded there with their
failures, and the aborts that happened there.

Only the log's own text is used: a printable location is split into a function prefix and a
position by :func:`split_location`, which knows the common shapes (``main:12 lt``,
``Foo>>bar pc 3: send``, ``12: add``) and otherwise keeps the whole location as one function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from .model import Log, Trace

# the first number that starts the text or follows a colon or a space is the position
_POS_RE = re.compile(r"(?:^|[:\s])(\d+)(?!\w)")


def split_location(location: str) -> Tuple[str, Optional[int]]:
    """The interpreted function a printable location belongs to, and its position there (or
    ``None`` when the location has no number): ``main:12 lt`` -> ``("main", 12)``,
    ``Foo>>bar pc 3: send`` -> ``("Foo>>bar", 3)``, ``12: add`` -> ``("", 12)``."""
    m = _POS_RE.search(location)
    if m is None:
        return (location.split(" ", 1)[0] if location else ""), None
    fn = location[:m.start(1)].rstrip(": \t")
    if fn.endswith(" pc") or fn == "pc":
        fn = fn[:-2].rstrip()
    return fn, int(m.group(1))


@dataclass
class GuardAt:
    trace: Trace
    op: Dict[str, Any]

    @property
    def failures(self) -> int:
        return int(self.op["guard"].get("failures") or 0)


@dataclass
class Instruction:
    """One interpreted instruction (one ``debug_merge_point`` text)."""

    location: str
    position: Optional[int]
    # (trace, group index, ops recorded for this instruction in that trace, not merge points)
    traces: List[Tuple[Trace, int, int]] = field(default_factory=list)
    guards: List[GuardAt] = field(default_factory=list)
    aborts: List[Dict[str, Any]] = field(default_factory=list)

    @property
    def failures(self) -> int:
        return sum(g.failures for g in self.guards)


@dataclass
class Function:
    name: str
    instructions: List[Instruction] = field(default_factory=list)
    starts: List[Trace] = field(default_factory=list)  # traces whose own location is here

    @property
    def failures(self) -> int:
        return sum(i.failures for i in self.instructions)

    @property
    def aborts(self) -> int:
        return sum(len(i.aborts) for i in self.instructions)


def _sort_key(ins: Instruction) -> Tuple[int, int, str]:
    return (0 if ins.position is not None else 1, ins.position or 0, ins.location)


def by_function(log: Log, stage: str = "optimized") -> List[Function]:
    """Every interpreted function that appears in the log (in merge points, trace locations or
    aborts), hottest first (most guard failures, then most aborts, then name); instructions in
    position order."""
    funcs: Dict[str, Function] = {}
    instrs: Dict[str, Instruction] = {}

    def instruction(location: str) -> Instruction:
        ins = instrs.get(location)
        if ins is None:
            name, pos = split_location(location)
            ins = instrs[location] = Instruction(location, pos)
            funcs.setdefault(name, Function(name)).instructions.append(ins)
        return ins

    for t in log.traces:
        for gr in t.groups(stage):
            loc = gr.location if gr.location is not None else t.location
            ins = instruction(loc)
            n = sum(1 for op in gr.ops if op.get("op") != "debug_merge_point")
            ins.traces.append((t, gr.index, n))
            for op in gr.ops:
                if "guard" in op and isinstance(op["guard"], dict) and "id" in op["guard"]:
                    ins.guards.append(GuardAt(t, op))
        name, _ = split_location(t.location)
        instruction(t.location)
        funcs[name].starts.append(t)
    for a in log.aborts:
        instruction(str(a.get("location", "?"))).aborts.append(a)
    out = list(funcs.values())
    for f in out:
        f.instructions.sort(key=_sort_key)
        for ins in f.instructions:
            ins.guards.sort(key=lambda g: (-g.failures, g.op["guard"]["id"]))
    out.sort(key=lambda f: (-f.failures, -f.aborts, f.name))
    return out
