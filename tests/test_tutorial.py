"""docs/tutorial.md: every shell command in it prints what the doc shows.

Convention (also stated in an HTML comment at the top of the tutorial): each ```sh block is one
shell command, and the next fenced block, blank lines aside, is a ```text block with its output
(stdout and stderr through one pipe, as a terminal shows them).  The commands run in the order of
the doc (a later one may read a file an earlier one wrote), from the repository root, without the
caller's METATRACE* variables; the files they write there (WRITTEN) are removed afterwards, and
ones that were there before are put back.

Normalization, applied to both sides: decimal numbers (timings: ``0.012 s``, ``tracing_s 0.010``)
become ``<float>``, and the hex id in a constant's name (``$Function_75fd0``) becomes ``<id>``.

``python tests/test_tutorial.py --update`` reruns the commands and rewrites the ```text blocks.
"""

from __future__ import annotations

import difflib
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from typing import List, Tuple

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TUTORIAL = os.path.join(REPO, "docs", "tutorial.md")
# the files the tutorial's commands write in the repository root
WRITTEN = ("trace.json", "mutable.json")
TIMEOUT_S = 60

FENCE = re.compile(r"^```([\w-]*)[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)


def commands(text: str) -> List[Tuple[int, str, str, Tuple[int, int]]]:
    """(line of the command, command, expected output, span of the output block's body)."""
    blocks = list(FENCE.finditer(text))
    out = []
    for i, m in enumerate(blocks):
        if m.group(1) != "sh":
            continue
        line = text.count("\n", 0, m.start()) + 1
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if nxt is None or nxt.group(1) != "text" or text[m.end():nxt.start()].strip():
            raise AssertionError("docs/tutorial.md:%d: a ```sh block must be followed by a "
                                 "```text block with its output" % line)
        out.append((line, m.group(2).strip(), nxt.group(2), nxt.span(2)))
    return out


def normalize(s: str) -> List[str]:
    s = re.sub(r"\d+\.\d+", "<float>", s)
    s = re.sub(r"(\$[A-Za-z]\w*?_)[0-9a-f]{4,}\b", r"\1<id>", s)
    return [line.rstrip() for line in s.rstrip("\n").split("\n")]


def run(cmd: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("METATRACE")}
    env["PYTHONUNBUFFERED"] = "1"  # stdout and stderr in the order they were written
    env["PYTHONPATH"] = REPO
    # `python` and `metatrace` are the ones of the interpreter running the tests
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env["COLUMNS"] = "100"
    proc = subprocess.run(cmd, shell=True, cwd=REPO, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=TIMEOUT_S)
    if proc.returncode != 0:
        raise AssertionError("command failed (exit status %d):\n%s\n%s"
                             % (proc.returncode, cmd, proc.stdout))
    return proc.stdout


class _KeepRepoFiles:
    """Move aside the files the commands write, and put things back afterwards."""

    def __enter__(self) -> "_KeepRepoFiles":
        self.saved = tempfile.mkdtemp(prefix="tutorial-")
        for name in WRITTEN:
            if os.path.exists(os.path.join(REPO, name)):
                shutil.move(os.path.join(REPO, name), os.path.join(self.saved, name))
        return self

    def __exit__(self, *exc: object) -> None:
        for name in WRITTEN:
            path = os.path.join(REPO, name)
            if os.path.exists(path):
                os.remove(path)
            if os.path.exists(os.path.join(self.saved, name)):
                shutil.move(os.path.join(self.saved, name), path)
        shutil.rmtree(self.saved, ignore_errors=True)


@pytest.mark.skipif(platform.python_implementation() != "CPython" or sys.version_info < (3, 11)
                    or sys.platform == "win32",
                    reason="the tutorial's output is that of the JIT on CPython 3.11+, with a POSIX shell")
def test_tutorial_commands_print_what_the_doc_shows() -> None:
    with open(TUTORIAL) as f:
        text = f.read()
    cmds = commands(text)
    assert len(cmds) >= 5, "the tutorial's commands were not found"
    failures = []
    with _KeepRepoFiles():
        for line, cmd, expected, _span in cmds:
            got = run(cmd)
            want_lines, got_lines = normalize(expected), normalize(got)
            if want_lines != got_lines:
                diff = "\n".join(difflib.unified_diff(
                    want_lines, got_lines, "docs/tutorial.md:%d (expected)" % line,
                    "what the command prints now", lineterm=""))
                failures.append("$ %s\n%s" % (cmd, diff))
    assert not failures, ("%d tutorial command(s) print something else than the doc shows "
                          "(after normalizing timings and ids):\n\n%s"
                          % (len(failures), "\n\n".join(failures)))


def update() -> None:
    """Rerun every command and write what it prints into the doc's ```text blocks."""
    with open(TUTORIAL) as f:
        text = f.read()
    with _KeepRepoFiles():
        outputs = [(span, run(cmd)) for _line, cmd, _expected, span in commands(text)]
    for (start, end), got in reversed(outputs):
        text = text[:start] + got.rstrip("\n") + "\n" + text[end:]
    with open(TUTORIAL, "w") as f:
        f.write(text)


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python tests/test_tutorial.py --update")
    update()
