"""Why a trace was aborted and why a guard keeps failing, in words a language implementer
understands: the interpreted location, the interpreter's own source line, and what to try.

The advice is keyed by abort reason and guard kind; anything unknown still gets the locations and
a neutral sentence, because new reasons and guards may appear within format version 1.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from .model import Log, Trace, guard_location, short_file, value_text, where

ABORT_ADVICE: Dict[str, str] = {
    "too_long": (
        "the trace grew past trace_limit before the interpreted loop closed; usually the loop "
        "body inlines a deep or recursive helper. Mark the helper `@dont_look_inside` so it "
        "becomes one residual call (the driver's `can_never_inline` is accepted but has no "
        "effect), or raise `trace_limit` if the loop really is that long."),
    "escaped": (
        "an exception left the interpreter loop while the JIT was tracing and could not end "
        "the trace: a RecursionError or MemoryError, or an exception object the interpreter "
        "made while tracing as a constant. Other exceptions leaving the loop (guest "
        "exceptions, non-local returns) end the trace with finish_raise and are compiled. "
        "Harmless if the interpreted program runs out of stack rarely."),
    "invalidated": (
        "a quasi-immutable field (`_immutable_fields_ = (\"x?\",)`) that the trace relied on was "
        "written while tracing. If that field changes often it should not be quasi-immutable; "
        "make it a plain field or keep the changing part elsewhere."),
    "compile_failed": (
        "the backend could not compile the recorded trace. This is a bug in metatrace, not in "
        "your interpreter: please report it with this log; the program still runs correctly in "
        "the interpreter."),
    "bad_loop": (
        "the trace did not close into a loop at a matching merge point. Check that the green "
        "variables name the interpreted position completely (usually the pc and the code "
        "object) and that `can_enter_jit` is only called at backward jumps of the interpreted "
        "program."),
    "internal_error": (
        "the tracer itself failed (a bug in metatrace); the trace was dropped and the program "
        "continued in the interpreter. Please report it with this log and the detail above."),
    "left_loop": (
        "the trace started at a loop's header (a `can_enter_jit`) but took another loop's "
        "backward jump before coming back: the iteration it recorded left the loop. Closing "
        "it anyway would make the loop's exit the compiled loop and its body a bridge, so the "
        "trace was dropped and is retried on a later iteration (after a few tries it may close "
        "through the other loop)."),
    "too_short": (
        "the trace started at an interpreted function's entry and the portal returned after "
        "next to no work: entering compiled code for so little work costs more than it "
        "saves, so this position is left to the interpreter. If your interpreter recurses "
        "through the portal, put `can_enter_jit` on backward jumps so only loops are compiled."),
}

GUARD_ADVICE: Dict[str, str] = {
    "guard_class": (
        "the object's class differs from the one seen while tracing: this spot in the "
        "interpreter is polymorphic. A bridge for each extra class is fine; if there are many "
        "classes, look for a common representation, or use `record_exact_class` where the "
        "class is known."),
    "guard_nonnull_class": (
        "the object's class (or None-ness) differs from the one seen while tracing: this spot "
        "in the interpreter is polymorphic."),
    "guard_value": (
        "a value that was promoted (`promote()` or a green variable) took a different value than "
        "while tracing, so the trace specialised on something that varies. Promote only values "
        "with few variants (classes, maps, code objects), not data."),
    "guard_true": (
        "a condition in the interpreter went the other way than while tracing: the interpreted "
        "program branches here (an if, a loop exit, a type check). Frequent failures get a "
        "bridge; many different paths mean a branchy interpreted loop."),
    "guard_false": (
        "a condition in the interpreter went the other way than while tracing: the interpreted "
        "program branches here (an if, a loop exit, a type check). Frequent failures get a "
        "bridge; many different paths mean a branchy interpreted loop."),
    "guard_no_exception": (
        "a call raised an exception that did not happen while tracing. If the interpreted "
        "program raises here regularly, the exception path gets a bridge; if the interpreter "
        "raises for control flow, consider a flag or return value instead."),
    "guard_exception": (
        "a different exception (or none) was raised than while tracing."),
    "guard_not_invalidated": (
        "a quasi-immutable field the compiled code depends on was written, so the code was "
        "thrown away. If the field changes often, remove the `?` from `_immutable_fields_`."),
    "guard_isnull": ("a value expected to be None was not."),
    "guard_nonnull": ("a value expected not to be None was None."),
    "guard_is": (
        "an object identity check failed: the trace assumed one specific object (e.g. a "
        "promoted constant) and a different one arrived."),
    "guard_no_overflow": (
        "an integer operation overflowed the machine-word range assumed by the trace; the "
        "interpreter continues with big integers."),
    "guard_overflow": ("an integer operation did not overflow as it did while tracing."),
}

DEFAULT_GUARD_ADVICE = "the condition checked here differs from what the trace saw while tracing."


def explain_abort(log: Log, abort: Dict[str, Any], count: int = 1) -> str:
    """One paragraph: what happened, where in the interpreted program and in the interpreter,
    and what to try."""
    return _join(abort_headline(log, abort, count), abort_advice(abort))


def abort_advice(abort: Dict[str, Any]) -> str:
    s = ABORT_ADVICE.get(str(abort.get("reason")),
                         "the JIT gave up on this trace; see the detail above.")
    if abort.get("kind") == "bridge":
        s += " (This was a bridge from a failing guard; the guard is retried later.)"
    return s


def abort_headline(log: Log, abort: Dict[str, Any], count: int = 1) -> str:
    """What happened and where, without the advice."""
    reason = str(abort.get("reason", "unknown"))
    head = ABORT_TITLES.get(reason, "aborted (%s)" % reason)
    src = abort.get("source")
    s = "%s in %s at `%s`" % (head, where(src), abort.get("location", "?"))
    if count > 1:
        s += " (%d times)" % count
    facts: List[str] = []
    if reason == "too_long":
        limit = log.param(abort.get("driver"), "trace_limit")
        n = abort.get("ops")
        if n is not None:
            facts.append("%s ops recorded%s" % (n, " (trace_limit=%s)" % limit if limit else ""))
        inlined = abort.get("inlined") or []
        if len(inlined) > 1:
            names = [str(f.get("function", "?")) for f in inlined]
            recursive = len(set(names)) < len(names)
            facts.append("%d levels of interpreter calls inlined%s (%s)" % (
                len(inlined), ", recursively" if recursive else "", _runs(names)))
    detail = abort.get("detail")
    if detail and reason != "too_long":
        facts.append(str(detail))
    if facts:
        s += ": " + "; ".join(facts)
    return s


def _runs(names: List[str]) -> str:
    """``a > b > b > b`` as ``a > b x3``."""
    out: List[str] = []
    i = 0
    while i < len(names):
        j = i
        while j < len(names) and names[j] == names[i]:
            j += 1
        out.append(names[i] if j - i == 1 else "%s x%d" % (names[i], j - i))
        i = j
    return " > ".join(out)


ABORT_TITLES = {
    "too_long": "trace too long",
    "escaped": "exception escaped while tracing",
    "invalidated": "invalidated while tracing",
    "compile_failed": "compilation failed",
    "bad_loop": "trace did not form a loop",
    "internal_error": "internal tracer error",
    "too_short": "function trace too short to pay",
    "left_loop": "trace left its loop",
}


def _join(headline: str, advice: str) -> str:
    return "%s. %s" % (headline, advice[:1].upper() + advice[1:])


def explain_guard(log: Log, trace: Trace, op: Dict[str, Any]) -> str:
    """Why ``op`` (a guard of ``trace``) fails: kind, interpreted location, interpreter line,
    what happens on failure, and advice."""
    return _join(guard_headline(log, trace, op), guard_advice(op))


def guard_advice(op: Dict[str, Any]) -> str:
    return GUARD_ADVICE.get(str(op.get("op")), DEFAULT_GUARD_ADVICE)


def guard_headline(log: Log, trace: Trace, op: Dict[str, Any]) -> str:
    """Which guard, where, how often, and what handles its failures."""
    g = op["guard"]
    name = str(op.get("op"))
    loc = guard_location(trace, g["id"]) or trace.location
    failures = g.get("failures", 0)
    s = "%s %d of %s failed %d time%s in %s at `%s`" % (
        name, g["id"], trace.label, failures, "" if failures == 1 else "s",
        where(op.get("source")), loc)
    checked = _checked(op)
    if checked:
        s += " (checks %s)" % checked
    facts: List[str] = []
    resume = g.get("resume") or []
    if resume:
        frames = " > ".join("%s (%s:%s)" % (f.get("function", "?"), short_file(f.get("file")),
                                             f.get("line", "?")) for f in resume)
        facts.append("it resumes the interpreter in %s" % frames)
    b = g.get("bridge")
    if b is not None:
        bt = log.by_id.get(b)
        end = _end_text(bt) if bt is not None else ""
        facts.append("bridge %d handles the failures%s" % (b, end))
    elif failures:
        eager = log.param(trace.doc.get("driver"), "trace_eagerness")
        facts.append("no bridge yet%s" % (
            " (one is traced after trace_eagerness=%s failures)" % eager if eager else ""))
    if facts:
        s += ": " + "; ".join(facts)
    return s


def _checked(op: Dict[str, Any]) -> str:
    args = op.get("args") or []
    if not args:
        return ""
    if op.get("op") in ("guard_class", "guard_nonnull_class", "guard_value", "guard_is") \
            and len(args) >= 2:
        return "%s is %s" % (value_text(args[0]), _const_name(args[1]))
    return ", ".join(value_text(a) for a in args)


def _const_name(v: Any) -> str:
    text = value_text(v)
    if text.startswith("<class '") and text.endswith("'>"):
        return "`%s`" % text[8:-2].rsplit(".", 1)[-1]
    return text


def _end_text(t: Optional[Trace]) -> str:
    if t is None:
        return ""
    if t.end == "finish":
        return " and returns from the portal"
    if t.end == "raise":
        return " and raises out of the portal"
    if t.target is not None:
        return " and jumps to %s at `%s`" % (t.target.label, t.target.location)
    return " and jumps to `%s`" % (t.doc.get("target_location") or "?")


def grouped_aborts(log: Log) -> List[Dict[str, Any]]:
    """Aborts with the same reason, location and interpreter line merged, most frequent first."""
    groups: Dict[Any, Dict[str, Any]] = {}
    for a in log.aborts:
        src = a.get("source") or {}
        key = (a.get("driver"), a.get("reason"), a.get("location"), a.get("kind"),
               src.get("file"), src.get("line"))
        if key not in groups:
            groups[key] = {"abort": a, "count": 0}
        groups[key]["count"] += 1
    out = sorted(groups.values(), key=lambda g: -g["count"])
    return out


def explain_invalidation(inv: Dict[str, Any]) -> str:
    what = inv.get("reason") or "%s.%s written" % (inv.get("class", "?"), inv.get("field", "?"))
    return ("%s: compiled code that folded this quasi-immutable field was thrown away and must be "
            "traced again. Fine if rare; if it happens in a steady state, the field is not "
            "immutable enough to be marked with `?`." % what)
