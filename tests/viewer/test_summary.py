"""``metatrace summary`` and the explanations: numbers that match the log, and advice that names
the interpreted location and the interpreter's file and line."""

from __future__ import annotations

import json
import re

import pytest

from metatrace.viewer.cli import summary_main
from metatrace.viewer.explain import (ABORT_ADVICE, GUARD_ADVICE, explain_abort, explain_guard,
                                      explain_invalidation)
from metatrace.viewer.model import Log


def run_summary(capsys, *argv):
    assert summary_main(list(argv)) == 0
    out = capsys.readouterr().out
    return out if "--json" in argv else re.sub(r"\n {4,}", " ", out)  # undo line wrapping


def test_json_counters_match_the_log(logs, docs, capsys):
    for name in ("sieve", "bridges", "aborts", "invalidations"):
        data = json.loads(run_summary(capsys, logs[name], "--json"))
        stats = docs[name]["stats"]
        for key in ("loops", "bridges", "aborts", "guard_failures", "invalidations", "tier1",
                    "tier2"):
            assert data["counters"][key] == stats[key], (name, key)
        assert data["aborts_by_reason"] == stats["aborts_by_reason"]
        assert set(data["times_s"]) >= {"tracing_s", "optimizing_s", "compiling_s"}
        heats = [r["heat"] for r in data["hottest"]]
        assert heats == sorted(heats, reverse=True)
        if docs[name]["traces"]:
            assert data["tiers"]["python"]["traces"] == len(docs[name]["traces"])


def test_table(logs, docs, capsys):
    out = run_summary(capsys, logs["sieve"])
    log = Log(docs["sieve"])
    assert "hottest traces" in out
    hottest = log.hottest(1)[0]
    row = next(line for line in out.splitlines()
               if line.split()[:2] == [str(hottest.id), "loop"])
    assert str(hottest.heat) in row and hottest.location in row
    assert "guards that failed most:" in out
    assert "interp.py:68" in out  # compare(), where the loop's condition guard comes from


def test_aborts_explained(logs, capsys):
    out = run_summary(capsys, logs["aborts"])
    assert "aborts by reason:" in out and "too_long" in out
    assert "trace too long in `run` (interp.py:" in out
    assert "ops recorded (trace_limit=30)" in out
    assert "can_never_inline" in out and "raise `trace_limit`" in out
    # the advice is given once per reason, not once per abort
    assert out.count("why/what to do:") == 1


def test_invalidations_explained(logs, capsys):
    out = run_summary(capsys, logs["invalidations"])
    assert "3 x Config.version written" in out
    assert "quasi-immutable" in out


def test_fixture_abort_names_recursion(docs):
    log = Log(docs["small"])
    text = explain_abort(log, log.aborts[0])
    assert text.startswith("trace too long in `Interpreter.send` (myinterp.py:212) at "
                           "`Foo>>fib pc 4: send #fib:`")
    assert "6001 ops recorded (trace_limit=6000)" in text
    assert "15 levels of interpreter calls inlined, recursively " \
           "(Interpreter.run > Interpreter.send x14)" in text
    assert "can_never_inline" in text
    text = explain_abort(log, log.aborts[1])
    assert "ValueError escaped the portal" in text and "bridge from a failing guard" in text


@pytest.mark.parametrize("reason", sorted(ABORT_ADVICE))
def test_every_abort_reason_has_advice(docs, reason):
    log = Log(docs["small"])
    abort = {"reason": reason, "location": "L pc 3", "detail": "because",
             "source": {"file": "/x/interp.py", "line": 7, "function": "step"}}
    text = explain_abort(log, abort)
    assert "in `step` (interp.py:7) at `L pc 3`" in text
    assert ABORT_ADVICE[reason][1:40] in text


def test_unknown_abort_reason_still_explained(docs):
    log = Log(docs["small"])
    text = explain_abort(log, {"reason": "cosmic_ray", "location": "X", "source": None})
    assert "aborted (cosmic_ray)" in text and "unknown source" in text


@pytest.mark.parametrize("kind", sorted(GUARD_ADVICE) + ["guard_future"])
def test_every_guard_kind_has_advice(docs, kind):
    log = Log(docs["small"])
    t = log.by_id[1]
    op = dict(next(op for op in t.guards if op["guard"]["id"] == 3), op=kind)
    text = explain_guard(log, t, op)
    assert text.startswith("%s 3 of loop 1 failed 7 times in `Interp.run` (myinterp.py:52) at "
                           "`Foo>>bar pc 1: add`" % kind)
    assert "bridge 9 handles the failures and returns from the portal" in text
    assert "resumes the interpreter in run (myinterp.py:52)" in text


def test_guard_without_bridge(docs):
    log = Log(docs["small"])
    t = log.by_id[1]
    op = next(op for op in t.guards if op["op"] == "guard_value")
    text = explain_guard(log, t, op)
    assert "(checks r0 is <Foo object at 0x1>)" in text
    assert "no bridge yet (one is traced after trace_eagerness=200 failures)" in text
    assert "Promote only values with few variants" in text


def test_invalidation_text():
    assert explain_invalidation({"class": "Map", "field": "version"}).startswith(
        "Map.version written: ")
