"""``metatrace summary``: the counters of a trace log and its hottest traces, as a table or JSON.

The JSON form is the same data the table is printed from, so scripts and people see the same
numbers.
"""

from __future__ import annotations

from typing import Any, Dict, List

from .explain import (abort_advice, abort_headline, explain_abort, explain_guard,
                      explain_invalidation, grouped_aborts, guard_advice, guard_headline)
from .model import Log, Trace, guard_location

COUNTERS = ["loops", "bridges", "aborts", "guard_failures", "blackholes", "invalidations",
            "tier1", "tier2", "traces_started", "bridge_traces_started", "loop_entries",
            "compile_failures", "freed_loops"]
TIMES = ["tracing_s", "optimizing_s", "compiling_s", "blackhole_s"]


def summarize(log: Log, top: int = 10) -> Dict[str, Any]:
    stats = log.stats
    counters = {k: stats[k] for k in COUNTERS if k in stats}
    counters.update({k: v for k, v in stats.items()
                     if k not in counters and k not in TIMES and isinstance(v, int)
                     and not isinstance(v, bool)})
    tiers: Dict[str, Dict[str, Any]] = {}
    for t in log.traces:
        tier = str(t.doc.get("tier"))
        entry = tiers.setdefault(tier, {"traces": 0, "loops": 0, "bridges": 0, "reasons": []})
        entry["traces"] += 1
        entry["loops" if t.kind == "loop" else "bridges"] += 1
        reason = t.doc.get("tier_reason")
        if reason and reason not in entry["reasons"]:
            entry["reasons"].append(reason)
    by_reason: Dict[str, int] = dict(stats.get("aborts_by_reason") or {})
    if not by_reason and log.aborts:
        for a in log.aborts:
            by_reason[str(a.get("reason"))] = by_reason.get(str(a.get("reason")), 0) + 1
    return {
        "counters": counters,
        "aborts_by_reason": by_reason,
        "times_s": {k: stats[k] for k in TIMES if k in stats},
        "tiers": tiers,
        "ops": {"optimized": log.total_ops("optimized"),
                "unoptimized": log.total_ops("unoptimized")},
        "hottest": [_trace_row(log, t) for t in log.hottest(top) if t.heat > 0 or top > 0],
        "hot_guards": [
            {"trace": t.id, "guard": op["guard"]["id"], "op": op["op"],
             "failures": op["guard"]["failures"], "bridge": op["guard"].get("bridge"),
             "source": op.get("source"), "location": guard_location(t, op["guard"]["id"]),
             "headline": guard_headline(log, t, op), "advice": guard_advice(op),
             "explanation": explain_guard(log, t, op)}
            for t, op in log.hot_guards(top)],
        "aborts": [
            {"reason": g["abort"].get("reason"), "location": g["abort"].get("location"),
             "kind": g["abort"].get("kind"), "count": g["count"],
             "source": g["abort"].get("source"), "detail": g["abort"].get("detail"),
             "headline": abort_headline(log, g["abort"], g["count"]),
             "advice": abort_advice(g["abort"]),
             "explanation": explain_abort(log, g["abort"], g["count"])}
            for g in grouped_aborts(log)[:top]],
        "invalidations": [
            {"reason": inv.get("reason"), "class": inv.get("class"), "field": inv.get("field"),
             "count": inv["count"], "explanation": explain_invalidation(inv)}
            for inv in _distinct(log.invalidations)],
    }


def _distinct(invs: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    seen: Dict[Any, Dict[str, Any]] = {}
    for inv in invs:
        key = (inv.get("reason"), inv.get("class"), inv.get("field"))
        if key not in seen:
            seen[key] = dict(inv, count=0)
        seen[key]["count"] += 1
    return list(seen.values())


def _trace_row(log: Log, t: Trace) -> Dict[str, Any]:
    times = t.doc.get("times") or {}
    return {
        "id": t.id, "kind": t.kind, "location": t.location, "driver": t.doc.get("driver"),
        "heat": t.heat, "entries": t.doc.get("entries"),
        "parent_trace": t.parent.id if t.parent else t.doc.get("parent_trace"),
        "parent_guard": t.parent_guard,
        "ops": len(t.ops), "guards": len(t.guards), "bridges": len(t.children),
        "end": t.end, "target": t.target.id if t.target else None,
        "tier": t.doc.get("tier"),
        "compile_s": (times.get("optimizing_s") or 0) + (times.get("compiling_s") or 0),
    }


def _table(headers: List[str], rows: List[List[str]], right: List[int]) -> List[str]:
    widths = [len(h) for h in headers]
    for r in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, r)]

    def fmt(cells: List[str]) -> str:
        out = []
        for i, (c, w) in enumerate(zip(cells, widths)):
            out.append(c.rjust(w) if i in right else c.ljust(w))
        return "  " + "  ".join(out).rstrip()

    lines = [fmt(headers), "  " + "  ".join("-" * w for w in widths)]
    lines += [fmt(r) for r in rows]
    return lines


def format_summary(data: Dict[str, Any], title: str = "metatrace trace log summary") -> str:
    out: List[str] = [title, ""]
    c = data["counters"]
    rows = [[k, str(v)] for k, v in c.items()]
    out += _table(["counter", "value"], rows, right=[1])
    if data["aborts_by_reason"]:
        out += ["", "aborts by reason:"]
        out += _table(["reason", "count"], [[k, str(v)] for k, v in
                                           sorted(data["aborts_by_reason"].items(),
                                                  key=lambda kv: -kv[1])], right=[1])
    if data["times_s"]:
        out += ["", "time per phase:"]
        out += _table(["phase", "seconds"], [[k[:-2], "%.4f" % v]
                                             for k, v in data["times_s"].items()], right=[1])
    if data["tiers"]:
        out += ["", "tiers:"]
        out += _table(["tier", "loops", "bridges", "why"],
                      [[k, str(v["loops"]), str(v["bridges"]), "; ".join(v["reasons"])]
                       for k, v in data["tiers"].items()], right=[1, 2])
    out += ["", "ops: %d optimized, %d recorded" % (data["ops"]["optimized"],
                                                     data["ops"]["unoptimized"])]
    if data["hottest"]:
        out += ["", "hottest traces (loops by entries, bridges by their guard's failures):"]
        rows = []
        for r in data["hottest"]:
            origin = ("from guard %s of %s" % (r["parent_guard"], r["parent_trace"])
                      if r["kind"] == "bridge" else "")
            end = r["end"] if r["end"] in ("finish", "raise") else (
                "-> %s" % r["target"] if r["target"] is not None else "jump")
            rows.append([str(r["id"]), r["kind"], str(r["heat"]), str(r["ops"]),
                         str(r["guards"]), str(r["bridges"]), end, r["location"], origin])
        out += _table(["id", "kind", "runs", "ops", "guards", "bridges", "end", "location",
                       "origin"], rows, right=[0, 2, 3, 4, 5])
    if data["hot_guards"]:
        out += ["", "guards that failed most:"]
        out += _explained(data["hot_guards"], "op")
    if data["aborts"]:
        out += ["", "aborts:"]
        out += _explained(data["aborts"], "reason")
    if data["invalidations"]:
        out += ["", "invalidations:"]
        for inv in data["invalidations"]:
            out.append(_wrap("- %s%s" % ("%d x " % inv["count"] if inv.get("count", 1) > 1
                                         else "", inv["explanation"])))
    return "\n".join(out) + "\n"


def _explained(items: List[Dict[str, Any]], key: str) -> List[str]:
    """Each item's headline, with the advice for its kind (guard op or abort reason) once,
    under the first item of that kind."""
    out: List[str] = []
    advised = set()
    for it in items:
        out.append(_wrap("- " + it["headline"]))
        if it[key] not in advised:
            advised.add(it[key])
            out.append(_wrap("why/what to do: " + it["advice"], indent="      ",
                             first="      "))
    return out


def _wrap(text: str, width: int = 100, indent: str = "    ", first: str = "  ") -> str:
    import textwrap

    return textwrap.fill(text, width=width, initial_indent=first, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)
