"""Text from the traced program (printable locations, op texts and descrs, abort reasons, names,
file names) is hostile until escaped: in the HTML page, in the inline SVG and in the Graphviz
source (HTML-like labels, quoted attributes)."""

from __future__ import annotations

import copy
import json
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import Any, Dict, List, Optional, Tuple

import graphviz
import pytest

from metatrace.viewer import html as html_page
from metatrace.viewer.cli import view_main
from metatrace.viewer.graph import attr, esc, tip
from metatrace.viewer.render import dot_binary

from .conftest import SMALL

needs_dot = pytest.mark.skipif(dot_binary() is None, reason="Graphviz's dot is not installed")

HOSTILE = [
    "<script>alert(1)</script>",
    "\"'><img src=x onerror=alert(1)>",
    "</script><script>alert(2)</script>",
    "<!-- <script>alert(3)</script> -->",
    "a\\\"b\\\\c\\N\\G\\l \" ' & &amp; ]]> <b>x</b>",
]


def hostile_doc(h: str) -> Dict[str, Any]:
    """small.json with every string the traced program controls replaced by ``h``."""
    with open(SMALL) as f:
        doc = json.load(f)
    doc = copy.deepcopy(doc)
    doc["drivers"][0]["name"] = h
    for t in doc["traces"]:
        t["driver"] = h
        t["location"] = h + " " + t["location"]
        t["tier_reason"] = h
        t["green_key"] = [h for _ in t.get("green_key", ())]
        for a in t["inputargs"]:
            a["name"] = h
        for op in t["ops"] + t["unoptimized_ops"]:
            if op["op"] == "debug_merge_point":
                op["descr"] = h + " " + str(op.get("descr"))
            elif "descr" in op:
                op["descr"] = h
            op["text"] = "%s %s" % (op["op"], h)
            if "source" in op:
                op["source"].update(file="/src/" + h, function=h)
            for frame in op.get("guard", {}).get("resume", ()):
                frame.update(function=h, file=h)
        for op in t["ops"]:
            for i, a in enumerate(op["args"]):
                if isinstance(a, dict):
                    op["args"][i] = {"const": h}
    for a in doc["aborts"]:
        a.update(reason=h, detail=h, location=h, driver=h)
        a["source"] = {"file": h, "line": 1, "function": h}
        for f in a.get("inlined", ()):
            f["function"] = h
    doc["invalidations"] = [{"reason": h, "class": h, "field": h}, {"class": h, "field": h}]
    doc["stats"][h] = 1
    doc["stats"]["aborts_by_reason"] = {h: 2}
    return doc


class Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: List[Tuple[str, Dict[str, Optional[str]]]] = []
        self.comments: List[str] = []
        self.data: List[str] = []
        self.scripts: List[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        (self.scripts if self._in_script else self.data).append(data)

    def handle_comment(self, data):
        self.comments.append(data)


def write_doc(tmp_path, doc, name="log.json") -> str:
    p = tmp_path / name
    p.write_text(json.dumps(doc), encoding="utf-8")
    return str(p)


def check_page(text: str, h: str) -> None:
    p = Collect()
    p.feed(text)
    p.close()
    # exactly our one script, unchanged: nothing from the log got into or out of it
    assert [t for t, _ in p.tags].count("script") == 1
    assert p.scripts == [html_page.SCRIPT]
    assert text.count("</script>") == 1 and text.count("<script>") == 1
    for tag, attrs in p.tags:
        assert tag not in ("img", "iframe", "object", "embed", "b"), (tag, attrs)
        for k, v in attrs.items():
            assert not k.startswith("on"), (tag, k, v)
            if k in ("href", "xlink:href"):
                assert v is not None and v.startswith("#"), (tag, k, v)
    # Graphviz's own comments only (names of nodes and edges, which we make from numbers)
    for c in p.comments:
        assert "alert" not in c and "script" not in c, c
    # and the text itself arrives intact, as text
    data = "".join(p.data)
    assert h in data


@pytest.mark.parametrize("h", HOSTILE)
def test_html_page_escapes_program_text(tmp_path, monkeypatch, h):
    monkeypatch.setenv("METATRACE_DOT", "")
    path = write_doc(tmp_path, hostile_doc(h))
    out = tmp_path / "page.html"
    assert view_main([path, "-o", str(out)]) == 0
    check_page(out.read_text(encoding="utf-8"), h)


@needs_dot
@pytest.mark.parametrize("h", HOSTILE)
def test_html_page_with_svg_escapes_program_text(tmp_path, h):
    path = write_doc(tmp_path, hostile_doc(h))
    out = tmp_path / "page.html"
    assert view_main([path, "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "<svg" in text
    check_page(text, h)


def test_file_name_is_escaped_in_the_page(tmp_path, monkeypatch):
    monkeypatch.setenv("METATRACE_DOT", "")
    name = "<img src=x onerror=alert(1)>.json"
    path = write_doc(tmp_path, hostile_doc("x"), name=name)
    out = tmp_path / "page.html"
    assert view_main([path, "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;.json" in text


def svg_texts(svg: bytes) -> Tuple[ET.Element, str, List[str]]:
    root = ET.fromstring(svg)  # well-formed XML: no label or attribute broke out
    # dot writes runs of spaces as no-break spaces
    texts = " ".join("".join(el.itertext()) for el in root.iter() if el.tag.endswith("}text"))
    texts = texts.replace("\xa0", " ")
    titles = [v.replace("\xa0", " ") for el in root.iter() for k, v in el.attrib.items()
              if k.endswith("title")]
    return root, texts, titles


@needs_dot
@pytest.mark.parametrize("h", HOSTILE)
def test_dot_source_and_svg_escape_program_text(tmp_path, h):
    path = write_doc(tmp_path, hostile_doc(h))
    out = tmp_path / "g.dot"
    assert view_main([path, "-o", str(out)]) == 0
    source = out.read_text(encoding="utf-8")
    p = subprocess.run([dot_binary(), "-Tsvg"], input=source.encode(), capture_output=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr.decode()
    assert b"Warning" not in p.stderr and b"Error" not in p.stderr, p.stderr.decode()
    root, texts, titles = svg_texts(p.stdout)
    for el in root.iter():
        assert not el.tag.endswith("}script") and not el.tag.endswith("}foreignObject")
        assert not any(k.lower().startswith("on") for k in el.attrib), el.attrib
    # locations and the abort table keep the program's text exactly (HTML-like labels)
    assert h + " Foo>>bar pc 0: push" in texts
    assert h in texts
    # tooltips (plain quoted attributes, escString) too
    assert any(h in t for t in titles), titles[:5]


def test_esc_for_html_like_labels():
    assert esc("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
    assert esc("a\nb\x00c\td") == "a?b?c\td"
    assert esc("\\N") == "\\\\N"
    assert esc(12) == "12"


@needs_dot
@pytest.mark.parametrize("text", [
    'quote " inside', "back\\slash", "ends in \\", "\\N \\G \\E \\T \\H \\L \\l \\n \\r",
    "<b>not html</b>", "<whole>", "new\nline\r\nand\ttab", "{}[];=,-> --", "&amp; &lt; &#92; & x", "\u00e9\u4e2d\U0001f600",
])
def test_plain_attributes_round_trip_through_graphviz(text):
    """``attr()`` text as a tooltip and a plain label comes out of dot as it went in (control
    characters as spaces): no escString expansion, no HTML, no broken quoting."""
    g = graphviz.Digraph()
    g.node("n", label=attr(text), tooltip=tip(text), shape="box")
    g.edge("n", "n", label=attr(text))
    p = subprocess.run([dot_binary(), "-Tsvg"], input=g.source.encode(), capture_output=True,
                       timeout=60)
    assert p.returncode == 0, (g.source, p.stderr.decode())
    _, texts, titles = svg_texts(p.stdout)
    want = "".join(c if c >= " " else " " for c in text)
    assert want in titles, (want, titles)
    assert " ".join(want.split()) in " ".join(texts.split())
