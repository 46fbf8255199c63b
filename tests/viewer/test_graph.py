"""The picture's structure, checked on real logs by parsing the DOT source and the SVG:
one cluster per trace, one edge per bridge from its guard, ends and back edges, labels."""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from typing import Dict, List, Tuple

import pytest

from metatrace.viewer.cli import view_main
from metatrace.viewer.graph import MAX_OUTLINE_TRACES, TooBig, build_graph
from metatrace.viewer.load import load_log
from metatrace.viewer.model import Log
from metatrace.viewer.render import dot_binary, run_dot

needs_dot = pytest.mark.skipif(dot_binary() is None, reason="Graphviz's dot is not installed")
SVG = "{http://www.w3.org/2000/svg}"

EDGE_RE = re.compile(r"^\s*(\S+) -> (\S+)(?: \[(.*)\])?$")
ATTR_RE = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|<.*?>(?= \w+=|$)|[^ \]]+)')


def parse_dot(source: str) -> Tuple[List[str], List[Dict[str, str]]]:
    """(cluster names, edges as attribute dicts with "tail" and "head")."""
    clusters = re.findall(r"subgraph (cluster_t\d+) \{", source)
    edges = []
    for line in source.splitlines():
        m = EDGE_RE.match(line)
        if not m:
            continue
        attrs = {k: v.strip('"') for k, v in ATTR_RE.findall(m.group(3) or "")}
        attrs["tail"], attrs["head"] = m.group(1), m.group(2)
        edges.append(attrs)
    return clusters, edges


def graph_of(doc, **kw):
    log = Log(doc)
    return log, build_graph(log, **kw).source


@pytest.mark.parametrize("name", ["loops", "sieve", "fib", "bridges", "invalidations", "small"])
def test_one_cluster_per_trace_and_one_edge_per_bridge(docs, name):
    log, source = graph_of(docs[name])
    clusters, edges = parse_dot(source)
    assert sorted(clusters) == sorted("cluster_t%d" % t.id for t in log.traces)
    bridges = [t for t in log.traces if t.kind == "bridge"]
    by_id = {e.get("id"): e for e in edges}
    assert len([e for e in edges if e.get("id", "").startswith("bridge_")]) == len(bridges)
    for b in bridges:
        e = by_id["bridge_%d" % b.id]
        # from the guard's row (port) in the parent's group node, to the bridge's first group
        assert re.fullmatch(r"t%dg\d+:g%d:e" % (b.parent.id, b.parent_guard), e["tail"]), e
        assert e["head"] == "t%dg0" % b.id
        failures = b.parent_guard_op["guard"]["failures"]
        assert e["label"] == "guard %d \u2717%d" % (b.parent_guard, failures)
    # every trace's end is drawn: back edge, jump to another loop, or finish
    for t in log.traces:
        e = by_id["end_%d" % t.id]
        if t.end == "finish":
            assert e["head"] == "t%dfinish" % t.id
        elif t.target is t:
            assert e["label"] == "back edge" and e["head"].startswith("t%dg" % t.id)
        else:
            assert e["label"] == "jump to %s" % t.target.label
            assert e["head"].startswith("t%dg" % t.target.id)


def test_ops_grouped_by_interpreted_instruction(docs):
    log, source = graph_of(docs["sieve_flat"])
    loop = log.by_id[1]
    merge_points = [op["descr"] for op in loop.ops if op["op"] == "debug_merge_point"]
    nodes = re.findall(r"^\s*(t1g\d+) \[", source, re.M)
    assert len(nodes) == len(merge_points)
    for loc in merge_points:
        assert "<B>%s</B>" % loc in source
    # guard rows carry their failure counts; a guard with a bridge says which
    op = next(op for op in loop.guards if op["guard"]["bridge"] is not None)
    g = op["guard"]
    row = re.search(r'<TR><TD ALIGN="LEFT" PORT="g%d"[^>]*>(.*?)</TD></TR>' % g["id"], source)
    text = re.sub(r"<[^>]+>", "", row.group(1))
    assert text == "%s(%s) \u2717%d \u2192 bridge %d" % (op["op"], op["args"][0], g["failures"],
                                                       g["bridge"])


def test_hot_paths_heavier_quiet_guards_grey(docs):
    log, source = graph_of(docs["sieve"])
    _, edges = parse_dot(source)
    back = {e["id"]: float(e["penwidth"]) for e in edges if e.get("label") == "back edge"}
    loops = sorted((t for t in log.traces if t.target is t), key=lambda t: t.heat)
    assert loops[-1].heat > loops[0].heat
    # the most entered loop gets the heaviest back edge
    assert back["end_%d" % loops[-1].id] > back["end_%d" % loops[0].id]
    assert 'COLOR="#a0a0a0">guard_no_exception()' in source
    assert 'penwidth=4' in source.replace('"', "")  # hottest cluster border


def test_preamble_and_peeled_loop(docs):
    log, source = graph_of(docs["small"])
    assert "subgraph cluster_t1_preamble" in source and "subgraph cluster_t1_peeled" in source
    _, edges = parse_dot(source)
    back = next(e for e in edges if e.get("id") == "end_1")
    loop = log.by_id[1]
    peeled = [g for g in loop.groups() if g.section == "peeled"]
    assert back["head"] == "t1g%d" % peeled[0].index  # the back edge enters the peeled loop


def test_logs_without_labels_have_no_sections(docs):
    _, source = graph_of(docs["sieve_flat"])
    assert "_preamble" not in source and "peeled" not in source


def test_real_loops_show_their_hoisted_preamble(docs):
    log, source = graph_of(docs["sieve"])
    with_preamble = [t for t in log.traces if sum(1 for op in t.ops if op["op"] == "label") == 2]
    assert with_preamble
    for t in with_preamble:
        assert "subgraph cluster_t%d_preamble" % t.id in source


def test_aborts_and_invalidations_listed(docs):
    _, source = graph_of(docs["aborts"])
    assert "aborted traces (90)" in source
    assert source.count('<FONT COLOR="#c62828">too_long</FONT>') >= 10
    assert "interp.py:" in source
    _, source = graph_of(docs["invalidations"])
    assert "invalidations (3)" in source and "Config.version written" in source
    assert "guard_not_invalidated(" in source


def test_one_trace_and_its_neighbours(docs):
    log = Log(docs["bridges"])
    t = max(log.traces, key=lambda t: (len(t.children) if t.kind == "bridge" else -1, t.id))
    assert t.kind == "bridge" and len(t.children) >= 2
    source = build_graph(log, trace_id=t.id).source
    clusters, edges = parse_dot(source)
    expected = {t.id} | {n.id for n in log.neighbours(t)}
    assert {int(c[len("cluster_t"):]) for c in clusters} == expected
    assert t.parent.id in expected and all(c.id in expected for c in t.children)
    # the chosen trace in full (several groups), neighbours as one outline node each
    assert len(re.findall(r"^\s*t%dg\d+ \[" % t.id, source, re.M)) > 10
    for n in expected - {t.id}:
        assert len(re.findall(r"^\s*t%dg\d+ \[" % n, source, re.M)) == 1
    assert "aborted traces" not in source


def test_unoptimized_stage(docs):
    log, source = graph_of(docs["sieve"], stage="unoptimized")
    clusters, edges = parse_dot(source)
    assert len(clusters) == len(log.traces)
    loop = log.by_id[1]
    n_merge = sum(1 for op in loop.doc["unoptimized_ops"] if op["op"] == "debug_merge_point")
    assert len(re.findall(r"^\s*t1g\d+ \[", source, re.M)) == n_merge
    # bridges still hang off the instruction their guard belongs to
    bridge = loop.children[0]
    e = next(e for e in edges if e.get("id") == "bridge_%d" % bridge.id)
    assert e["tail"].startswith("t1g")
    assert "%d ops" % len(loop.doc["unoptimized_ops"]) in source


def _many(doc: dict, n: int) -> dict:
    """``doc`` with its traces copied until there are ``n`` (ids and links renumbered)."""
    out = copy.deepcopy(doc)
    out["traces"] = []
    base = max(t["id"] for t in doc["traces"]) + 1
    gbase = 10 ** 6
    k = 0
    while len(out["traces"]) < n:
        for t in doc["traces"]:
            t2 = copy.deepcopy(t)
            t2["id"] += k * base
            if t2.get("parent_trace") is not None:
                t2["parent_trace"] += k * base
                t2["parent_guard"] += k * gbase
            for op in t2["ops"]:
                if "guard" in op:
                    op["guard"]["id"] += k * gbase
                    if op["guard"]["bridge"] is not None:
                        op["guard"]["bridge"] += k * base
            out["traces"].append(t2)
        k += 1
    out["traces"] = out["traces"][:n]
    return out


@needs_dot
def test_large_log_renders_as_outline(docs, tmp_path, capsys):
    big = _many(docs["bridges"], 300)
    log = Log(big)
    source = build_graph(log).source
    assert "outline: pick a trace with --trace ID" in source
    clusters, edges = parse_dot(source)
    assert len(clusters) == 300
    n_bridges = sum(1 for t in log.traces if t.kind == "bridge" and t.parent is not None)
    assert len([e for e in edges if e.get("id", "").startswith("bridge_")]) == n_bridges
    svg = run_dot(source, "svg", timeout=60)
    root = ET.fromstring(svg)
    assert len([g for g in root.iter(SVG + "g") if g.get("class") == "cluster"]) == 300


def test_huge_log_asks_for_a_trace(docs, tmp_path, capsys):
    import json

    big = _many(docs["sieve"], MAX_OUTLINE_TRACES + 5)
    with pytest.raises(TooBig, match="--trace ID"):
        build_graph(Log(big))
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(big))
    assert view_main([str(path), "-o", str(tmp_path / "huge.svg")]) == 3
    err = capsys.readouterr().err
    hottest = Log(big).hottest(1)[0]
    assert "too many to lay out" in err and "--trace ID" in err
    assert "the hottest are %d (loop, %s)" % (hottest.id, hottest.location) in err
    assert not (tmp_path / "huge.svg").exists()
    # one trace of it still works
    assert view_main([str(path), "--trace", "1", "--format", "dot",
                      "-o", str(tmp_path / "one.dot")]) == 0


@needs_dot
@pytest.mark.parametrize("name", ["sieve", "bridges", "invalidations", "aborts"])
def test_svg_structure(logs, tmp_path, capsys, name):
    out = tmp_path / ("%s.svg" % name)
    assert view_main([logs[name], "-o", str(out)]) == 0
    assert "wrote %s" % out in capsys.readouterr().out
    log = Log(load_log(logs[name]))
    root = ET.parse(str(out)).getroot()
    groups = {g.get("id"): g for g in root.iter(SVG + "g")}
    clusters = [i for i, g in groups.items() if g.get("class") == "cluster"
                and re.fullmatch(r"cluster_trace_\d+", i)]
    assert sorted(clusters) == sorted("cluster_trace_%d" % t.id for t in log.traces)
    texts = ["".join(t.itertext()) for t in root.iter(SVG + "text")]
    for t in log.traces:
        assert "%s %d" % (t.kind, t.id) in texts
        if t.kind == "bridge":
            edge = groups["bridge_%d" % t.id]
            assert edge.get("class") == "edge"
            label = "".join("".join(x.itertext()) for x in edge.iter(SVG + "text"))
            assert label == "guard %d \u2717%d" % (t.parent_guard,
                                                  t.parent_guard_op["guard"]["failures"])
    if log.aborts:
        assert "aborted traces (%d)" % len(log.aborts) in texts


@needs_dot
@pytest.mark.parametrize("fmt,magic", [("png", b"\x89PNG"), ("pdf", b"%PDF"),
                                       ("dot", b"digraph")])
def test_other_formats(logs, tmp_path, fmt, magic):
    out = tmp_path / ("x." + fmt)
    assert view_main([logs["loops"], "-o", str(out)]) == 0
    assert out.read_bytes().startswith(magic)


def test_without_dot_writes_the_source_and_says_how_to_install(logs, tmp_path, monkeypatch,
                                                               capsys):
    monkeypatch.setenv("METATRACE_DOT", "")
    out = tmp_path / "loops.png"
    assert view_main([logs["loops"], "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "apt-get install graphviz" in err and "loops.dot" in err
    assert not out.exists()
    clusters, _ = parse_dot((tmp_path / "loops.dot").read_text())
    assert len(clusters) == 2


def test_unknown_trace_and_format(logs, docs, tmp_path, capsys):
    assert view_main([logs["loops"], "--trace", "999"]) == 2
    ids = ", ".join(str(t["id"]) for t in docs["loops"]["traces"])
    assert "no trace 999 in this log; its traces are: %s" % ids in capsys.readouterr().err
    assert view_main([logs["loops"], "-o", str(tmp_path / "x.jpeg")]) == 2
    assert "--format" in capsys.readouterr().err


@needs_dot
def test_log_text_is_escaped(docs, tmp_path):
    import json

    doc = copy.deepcopy(docs["small"])
    nasty = "<script>alert('x')</script> & \"q\" \\l \x01"
    doc["traces"][0]["location"] = nasty
    doc["traces"][0]["ops"][1]["descr"] = nasty
    doc["traces"][0]["ops"][4]["text"] = nasty
    doc["aborts"][0]["location"] = nasty
    path = tmp_path / "nasty.json"
    path.write_text(json.dumps(doc))
    for fmt in ("svg", "html"):
        out = tmp_path / ("nasty." + fmt)
        assert view_main([str(path), "-o", str(out)]) == 0
        text = out.read_text()
        assert "<script>alert" not in text
        assert "&lt;script&gt;alert" in text
    ET.parse(str(tmp_path / "nasty.svg"))  # still well-formed XML


def test_a_trace_ending_in_raise(logs, tmp_path):
    # a bridge whose last op is finish_raise: the text, the page and the graph say it raises
    from metatrace.viewer.html import page
    from metatrace.viewer.text import log_text

    log = Log(load_log(logs["raising"]))
    raising = [t for t in log.traces if t.end == "raise"]
    assert raising and all(t.ops[-1]["op"] == "finish_raise" for t in raising)
    assert "-> raise (an exception leaves the portal)" in log_text(log)
    assert "ends: raise (an exception leaves the portal)" in page(log, None)
    dot = build_graph(log).source
    assert 'label=raise' in dot.replace('"', ""), dot[:2000]
