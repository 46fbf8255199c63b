"""The Python API: the same picture for Jupyter and text for a terminal, from a log or from the
JIT's live compiled traces."""

from __future__ import annotations

import os

import pytest

from metatrace.viewer import TraceView, load_log, svg_for_trace, text_for_trace
from metatrace.viewer.jupyter import doc_for_traces
from metatrace.viewer.model import Log
from metatrace.viewer.render import dot_binary

needs_dot = pytest.mark.skipif(dot_binary() is None, reason="Graphviz's dot is not installed")
HERE = os.path.dirname(os.path.abspath(__file__))


def test_text_for_trace(docs):
    log = Log(docs["sieve"])
    loop = log.hottest(1)[0]
    text = text_for_trace(docs["sieve"], loop.id)
    lines = text.splitlines()
    assert lines[0] == "loop %d at %s  (entered %d times)" % (loop.id, loop.location, loop.heat)
    for op in loop.ops:
        if op["op"] == "debug_merge_point":
            assert "  %s" % op["descr"] in lines
    b = loop.children[0]
    assert "-> bridge %d" % b.id in text and "# failed" in text
    assert lines[-1].startswith("  -> jump to itself")
    assert "interp.py:" in text


def test_text_of_bridge_and_peeling(docs):
    text = text_for_trace(docs["small"], 9)
    assert text.startswith("bridge 9 at Foo>>bar pc 2: return  (from guard 3 of loop 1, 7 failures)")
    assert text.endswith("-> finish (the portal returns)")
    text = text_for_trace(docs["small"], 1)
    assert "  -- preamble --" in text and "  -- peeled loop --" in text


def test_unknown_trace(docs):
    with pytest.raises(KeyError, match="no trace 4242"):
        text_for_trace(docs["small"], 4242)


@needs_dot
def test_svg_for_trace_and_trace_view(logs, docs):
    svg = svg_for_trace(docs["small"], 1)
    assert svg.startswith("<svg") and "cluster_trace_9" in svg and "cluster_trace_1" in svg
    view = TraceView.from_log(logs["small"], 9)
    assert view._repr_svg_().startswith("<svg")
    assert str(view) == text_for_trace(load_log(logs["small"]), 9)
    assert repr(view) == "<TraceView bridge 9 at Foo>>bar pc 2: return, 3 ops>"


def test_repr_svg_without_graphviz_falls_back(docs, monkeypatch):
    monkeypatch.setenv("METATRACE_DOT", "")
    view = TraceView(docs["small"], 1)
    assert view._repr_svg_() is None  # Jupyter then shows the text form
    assert "loop 1 at" in str(view)


@needs_dot
def test_from_live_compiled_traces():
    """The hook the JIT uses: a compiled trace object with ``to_json()`` and ``tree``."""
    from metatrace import testing

    mod = testing.load_module(os.path.join(os.path.dirname(HERE), "tracer", "interps.py"),
                              "tests.viewer._tiny_for_viewer", jit=True)
    mod.run_jit(mod.FLIP, 3000)
    traces = testing.compiled_traces(mod.tiny)
    assert traces, "the tiny interpreter compiled nothing"
    loop = next(t for t in traces if t.kind == "loop")
    view = TraceView.from_compiled(loop)
    assert str(view).startswith("loop %d at " % loop.id)
    assert view._repr_svg_().startswith("<svg")
    doc = doc_for_traces([t.to_json() for t in traces])
    assert len(Log(doc).traces) == len(traces)
