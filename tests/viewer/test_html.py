"""``metatrace view --format html``: one self-contained page, links from guards to bridges, a
search that works in a real browser (headless Chromium, with a screenshot)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from typing import Dict, List, Optional, Tuple

import pytest

from metatrace.viewer.cli import view_main
from metatrace.viewer.model import Log
from metatrace.viewer.render import dot_binary

needs_dot = pytest.mark.skipif(dot_binary() is None, reason="Graphviz's dot is not installed")


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Dict[str, str] = {}
        self.links: List[Tuple[str, str]] = []  # (href, attribute name)
        self.tags: List[Tuple[str, Dict[str, Optional[str]]]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if a.get("id"):
            self.ids[a["id"]] = tag
        for k in ("href", "xlink:href", "src"):
            if a.get(k) is not None:
                self.links.append((a[k], k))


def make_page(logs, tmp_path, name, *extra) -> Tuple[str, str]:
    out = tmp_path / ("%s.html" % name)
    assert view_main([logs[name], "-o", str(out)] + list(extra)) == 0
    return str(out), out.read_text(encoding="utf-8")


@needs_dot
@pytest.mark.parametrize("name", ["sieve", "bridges", "invalidations", "aborts", "small"])
def test_page_is_self_contained_and_linked(logs, docs, tmp_path, name):
    _, text = make_page(logs, tmp_path, name)
    p = Page()
    p.feed(text)
    # nothing is fetched: no external links, scripts, styles or fonts
    for href, attr in p.links:
        assert href.startswith("#"), (attr, href)
    assert not any(tag in ("link", "iframe", "img", "object", "embed") for tag, _ in p.tags)
    assert not any(tag == "script" and a.get("src") for tag, a in p.tags)
    assert "@import" not in text and "url(" not in text and "@font-face" not in text
    assert re.findall(r"https?://[^\s\"']+", text) == [] or set(
        re.findall(r"https?://[^\s\"']+", text)) <= {"http://www.w3.org/2000/svg",
                                                     "http://www.w3.org/1999/xlink"}
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    # every link lands somewhere on the page
    for href, _ in p.links:
        assert href[1:] in p.ids, href
    log = Log(docs[name])
    for t in log.traces:
        assert p.ids.get("trace-%d" % t.id) == "section"
        for op in t.guards:
            b = op["guard"]["bridge"]
            if b is not None:
                row = re.search(r'<tr class="op hot" id="trace-%d-guard-%d">.*?</tr>'
                                % (t.id, op["guard"]["id"]), text)
                assert row and '<a href="#trace-%d">bridge %d</a>' % (b, b) in row.group(0)
    assert "<svg" in text and 'id="q"' in text
    if log.aborts:
        assert p.ids.get("aborts") == "h2" and "why/what" not in text
        assert "raise <code>trace_limit</code>" in text


@needs_dot
def test_one_trace_page(logs, docs, tmp_path):
    log = Log(docs["sieve"])
    loop = log.hottest(1)[0]
    _, text = make_page(logs, tmp_path, "sieve", "--trace", str(loop.id))
    p = Page()
    p.feed(text)
    sections = {i for i, tag in p.ids.items() if tag == "section" and i.startswith("trace-")}
    assert sections == {"trace-%d" % t.id for t in [loop] + log.neighbours(loop)}


def test_page_without_graphviz(logs, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("METATRACE_DOT", "")
    _, text = make_page(logs, tmp_path, "loops")
    assert "<svg" not in text and "apt-get install graphviz" in text
    assert (tmp_path / "loops.dot").exists()
    assert "apt-get install graphviz" in capsys.readouterr().err


def chromium() -> Optional[str]:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def run_chromium(tmp_path, *args: str) -> subprocess.CompletedProcess:
    exe = chromium()
    assert exe is not None
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run",
           "--user-data-dir=%s" % (tmp_path / "chromium-profile")] + list(args)
    return subprocess.run(cmd, capture_output=True, timeout=90)


@needs_dot
@pytest.mark.skipif(chromium() is None,
                    reason="Chromium is not installed (apt-get install chromium); CI installs it")
def test_page_in_headless_chromium(logs, docs, tmp_path):
    path, _ = make_page(logs, tmp_path, "sieve")
    shot = tmp_path / "sieve-page.png"
    p = run_chromium(tmp_path, "--window-size=1280,900", "--screenshot=%s" % shot,
                     "file://" + path)
    assert shot.exists(), p.stderr.decode(errors="replace")[-2000:]
    data = shot.read_bytes()
    assert data[:4] == b"\x89PNG" and len(data) > 20000  # a drawn page, not a blank one
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 900)
    # the search runs in the browser: ?q= prefills it and hides the other ops
    log = Log(docs["sieve"])
    n_int_lt = sum(1 for t in log.traces for op in t.ops if op["op"] == "int_lt")
    p = run_chromium(tmp_path, "--dump-dom", "file://%s?q=int_lt" % path)
    dom = p.stdout.decode("utf-8", "replace")
    m = re.search(r'<body data-matches="(\d+)"', dom)
    assert m, dom[:500]
    assert int(m.group(1)) >= n_int_lt > 0
    assert 'class="op hidden"' in dom or 'class="op quiet hidden"' in dom
    if os.environ.get("METATRACE_KEEP_SCREENSHOT"):
        shutil.copy(str(shot), os.environ["METATRACE_KEEP_SCREENSHOT"])
