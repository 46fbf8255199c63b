"""The HTML page opens on an overview (counters in words, hottest traces, aborts by reason, the
guards that failed most), then a view per interpreted function, then the graph behind a toggle;
checked on the checked-in recorded logs, and in headless Chromium with a screenshot whose pixels
are decoded here."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from typing import Dict, List, Optional, Tuple

import pytest

from metatrace.viewer.cli import view_main
from metatrace.viewer.model import Log
from metatrace.viewer.render import dot_binary
from metatrace.viewer.source import by_function, split_location

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def fixture(name: str) -> str:
    return os.path.join(FIXTURES, name + ".json")


def fixture_log(name: str) -> Log:
    with open(fixture(name)) as f:
        return Log(json.load(f))


class Sections(HTMLParser):
    """The page's <section>s in order (id, class, nesting depth) and the text of each one."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: List[Tuple[str, str, int]] = []
        self.text: Dict[str, List[str]] = {}
        self.open_ids: List[str] = []
        self.first_in_main: Optional[str] = None
        self._in_main = False
        self.details_open: Dict[str, bool] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "main":
            self._in_main = True
        if tag == "section":
            sid = a.get("id") or ""
            self.sections.append((sid, a.get("class") or "", len(self.open_ids)))
            self.open_ids.append(sid)
            self.text.setdefault(sid, [])
            if self._in_main and self.first_in_main is None:
                self.first_in_main = sid
        if tag == "details" and a.get("id"):
            self.details_open[a["id"]] = "open" in a

    def handle_endtag(self, tag):
        if tag == "section" and self.open_ids:
            self.open_ids.pop()

    def handle_data(self, data):
        for sid in self.open_ids:
            self.text[sid].append(data)

    def section_text(self, sid: str) -> str:
        return " ".join(" ".join(self.text[sid]).split())


def render(tmp_path, name: str, *extra: str) -> Tuple[str, str]:
    out = tmp_path / (name + ".html")
    assert view_main([fixture(name), "-o", str(out)] + list(extra)) == 0
    return str(out), out.read_text(encoding="utf-8")


def parse(text: str) -> Sections:
    p = Sections()
    p.feed(text)
    p.close()
    return p


@pytest.mark.parametrize("loc,want", [
    ("main:12 lt", ("main", 12)),
    ("main:10 load 2", ("main", 10)),
    ("Foo>>bar pc 3: send #fib:", ("Foo>>bar", 3)),
    ("12: add", ("", 12)),
    ("pkg.mod:f:7 x", ("pkg.mod:f", 7)),
    ("no number here", ("no", None)),
    ("", ("", None)),
])
def test_split_location(loc, want):
    assert split_location(loc) == want


@pytest.mark.parametrize("name", ["recorded_loops", "recorded_invalidations", "recorded_aborts",
                                  "small"])
def test_by_function_accounts_for_every_instruction_guard_and_abort(name):
    log = fixture_log(name)
    funcs = by_function(log)
    # every merge point of every trace is one instruction of exactly one function
    listed = [ins.location for f in funcs for ins in f.instructions]
    assert len(listed) == len(set(listed))
    for t in log.traces:
        for op in t.ops:
            if op["op"] == "debug_merge_point":
                assert op["descr"] in listed
                fn, _ = split_location(op["descr"])
                assert op["descr"] in [i.location for f in funcs if f.name == fn
                                       for i in f.instructions]
    # every guard counted once, every abort listed once
    assert sum(len(ins.guards) for f in funcs for ins in f.instructions) == \
        sum(len(t.guards) for t in log.traces)
    assert sum(f.failures for f in funcs) == sum(op["guard"]["failures"] for t in log.traces
                                                 for op in t.guards)
    assert sum(f.aborts for f in funcs) == len(log.aborts)
    for f in funcs:
        pos = [i.position for i in f.instructions if i.position is not None]
        assert pos == sorted(pos)


def test_recorded_loops_source_view_groups_by_instruction():
    log = fixture_log("recorded_loops")
    funcs = by_function(log)
    assert [f.name for f in funcs] == ["main"]
    by_loc = {i.location: i for i in funcs[0].instructions}
    lt = by_loc["main:12 lt"]
    assert [(g.trace.id, g.op["guard"]["id"], g.failures) for g in lt.guards if g.failures] == \
        [(1, 15, 200)]
    assert 1 in [t.id for t, _, _ in lt.traces]
    assert [t.id for t in funcs[0].starts] == [1, 16]


def test_page_opens_on_the_overview(tmp_path, monkeypatch):
    monkeypatch.setenv("METATRACE_DOT", "")  # the order does not depend on Graphviz
    _, text = render(tmp_path, "recorded_loops")
    p = parse(text)
    assert p.first_in_main == "overview"
    top = [sid for sid, _, depth in p.sections if depth == 0]
    assert top[:3] == ["overview", "source", "graph"]
    assert all(sid.startswith("trace-") for sid in top[3:]) and len(top[3:]) == 2
    ov = p.section_text("overview")
    assert "The JIT compiled 1 loop and 1 bridge" in ov
    assert "Guards failed 201 times" in ov
    assert "0 traces were aborted" in ov and "No trace was aborted" in ov
    # hottest traces, hottest first, with entries, tier and location
    assert ov.index("loop 1 201 41 13 1 python main:10 load 2") < ov.index(
        "bridge 16 200 38 13 1 python main:13 jz 25")
    # the guard that failed most: its reason, interpreted location and interpreter line
    assert "200 guard_true 15 loop 1 main:12 lt compare (interp.py:68) bridge 16" in ov
    assert "guard_true fails when A condition in the interpreter went the other way" in ov
    src = p.section_text("source")
    assert "main 26 instructions, 201 guard failures, 0 aborts" in src
    assert "main:12 lt loop 1" in src


def test_overview_groups_aborts_by_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("METATRACE_DOT", "")
    _, text = render(tmp_path, "recorded_aborts")
    p = parse(text)
    assert p.first_in_main == "overview"
    ov = p.section_text("overview")
    log = fixture_log("recorded_aborts")
    assert "Aborted traces, by reason (%d in the log of 90 counted)" % len(log.aborts) in ov
    assert "trace too long (%d times, reason too_long" % len(log.aborts) in ov
    assert "The trace grew past trace_limit" in ov and ov.count("The trace grew past") == 1
    for a in log.aborts:
        src = a["source"]
        assert "%s %s (interp.py:%d)" % (a["location"], src["function"], src["line"]) in ov
    assert "raise <code>trace_limit</code>" in text
    assert "Nothing was compiled" in ov


def test_single_trace_page_links_only_to_what_it_shows(tmp_path, monkeypatch):
    monkeypatch.setenv("METATRACE_DOT", "")
    _, text = render(tmp_path, "recorded_invalidations", "--trace", "1")
    p = parse(text)
    ids = {sid for sid, _, _ in p.sections}
    assert p.first_in_main == "overview" and "trace-1" in ids
    for href in re.findall(r'href="#([^"]*)"', text):
        assert href in ids or ('id="%s"' % href) in text, href


# --- headless Chromium ------------------------------------------------------------------------

def chromium() -> Optional[str]:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def run_chromium(tmp_path, *args: str) -> subprocess.CompletedProcess:
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--no-first-run", "--user-data-dir=%s" % (tmp_path / "chromium-profile")]
    return subprocess.run(cmd + list(args), capture_output=True, timeout=90)


def decode_png(data: bytes) -> Tuple[int, int, List[bytes]]:
    """(width, height, rows of RGB(A) pixels) of an 8-bit non-interlaced RGB/RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    assert ihdr is not None
    width, height, depth, ctype, _, _, interlace = ihdr
    assert depth == 8 and ctype in (2, 6) and interlace == 0, ihdr
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows: List[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
            else:
                assert f == 0, "bad PNG filter %d" % f
        rows.append(bytes(line) if bpp == 3 else bytes(
            v for k, v in enumerate(line) if k % 4 != 3))
        prev = line
    return width, height, rows


@pytest.mark.skipif(chromium() is None,
                    reason="Chromium is not installed (apt-get install chromium); the "
                           "screenshot test needs a headless browser")
def test_overview_screenshot_in_headless_chromium(tmp_path):
    path, text = render(tmp_path, "recorded_loops")
    assert parse(text).first_in_main == "overview"
    shot = tmp_path / "overview.png"
    p = run_chromium(tmp_path, "--window-size=1200,900", "--screenshot=%s" % shot,
                     "file://" + path)
    assert shot.exists(), p.stderr.decode(errors="replace")[-2000:]
    data = shot.read_bytes()
    assert len(data) > 20000, len(data)  # a page of text and tables, not a blank one
    width, height, rows = decode_png(data)
    assert (width, height) == (1200, 900)

    def colours(ys) -> Dict[bytes, int]:
        seen: Dict[bytes, int] = {}
        for y in ys:
            r = rows[y]
            for x in range(0, width * 3, 3 * 2):
                px = r[x:x + 3]
                seen[px] = seen.get(px, 0) + 1
        return seen

    # the dark header bar on top, a light page with text below it
    header = colours(range(5, 30))
    body = colours(range(60, height, 2))
    assert max(header, key=header.get) != max(body, key=body.get)
    assert sum(body[px] for px in body if sum(px) > 600) > 0.5 * sum(body.values())
    ink = sum(n for px, n in body.items() if sum(px) < 450)
    assert ink > 0.01 * sum(body.values()), "no text drawn below the header"
    assert len(body) > 30  # text is antialiased: many shades, plus the table and link colours
    # the overview's tables fill the first screen: the highlighted guard row's orange tint
    assert any(px[0] > 240 and 225 < px[1] < 250 and px[2] < 235 for px in body)
    if os.environ.get("METATRACE_KEEP_SCREENSHOT"):
        shutil.copy(str(shot), os.environ["METATRACE_KEEP_SCREENSHOT"])


@pytest.mark.skipif(chromium() is None or dot_binary() is None,
                    reason="needs Chromium and Graphviz's dot")
def test_graph_is_behind_a_toggle_that_links_open(tmp_path):
    path, text = render(tmp_path, "recorded_loops")
    p = parse(text)
    assert p.details_open == {"graph-box": False} and "<svg" in text
    dom = run_chromium(tmp_path, "--dump-dom", "file://%s#graph-svg" % path).stdout.decode(
        "utf-8", "replace")
    opened = parse(dom)
    assert opened.details_open.get("graph-box") is True, dom[:300]
