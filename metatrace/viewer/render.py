"""Running Graphviz's ``dot`` on a graph, with a time limit and a useful message when ``dot`` is
not installed (the ``graphviz`` Python package only writes the source; layout needs the binary).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Optional

DOT_TIMEOUT_S = float(os.environ.get("METATRACE_VIEW_TIMEOUT", "60"))
FORMATS = ("svg", "png", "pdf", "dot", "html")

INSTALL_HINT = ("install Graphviz to draw it: 'apt-get install graphviz' (Debian/Ubuntu), "
                "'dnf install graphviz' (Fedora), 'brew install graphviz' (macOS), or "
                "https://graphviz.org/download/")


class RenderError(Exception):
    """Graphviz could not draw the graph; ``str()`` says why and what to do."""


class DotMissing(RenderError):
    pass


def dot_binary() -> Optional[str]:
    """The ``dot`` executable, or ``None``.  ``METATRACE_DOT`` overrides the search (an empty
    value means: behave as if Graphviz were not installed)."""
    if "METATRACE_DOT" in os.environ:
        path = os.environ["METATRACE_DOT"]
        return path if path and os.path.exists(path) else None
    return shutil.which("dot")


def run_dot(source: str, fmt: str, timeout: Optional[float] = None) -> bytes:
    """Lay out ``source`` (DOT text) and return the picture in ``fmt`` (svg, png, pdf)."""
    dot = dot_binary()
    if dot is None:
        raise DotMissing("Graphviz's 'dot' program was not found; " + INSTALL_HINT)
    limit = DOT_TIMEOUT_S if timeout is None else timeout
    args = [dot, "-T" + fmt]
    if fmt == "png":
        args.insert(1, "-Gdpi=96")
    try:
        proc = subprocess.run(args, input=source.encode("utf-8"), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=limit)
    except subprocess.TimeoutExpired:
        raise RenderError("Graphviz took more than %g s to lay this out; draw one trace and its "
                          "neighbours with --trace ID (see 'metatrace summary' for the hottest), "
                          "or set METATRACE_VIEW_TIMEOUT" % limit)
    except OSError as e:
        raise DotMissing("cannot run %s (%s); %s" % (dot, e, INSTALL_HINT))
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RenderError("Graphviz failed (exit %d): %s" % (
            proc.returncode, " / ".join(err[-3:]) or "no message"))
    return proc.stdout


def svg_fragment(svg: bytes) -> str:
    """SVG text fit for inlining in an HTML page: no XML prolog, no DOCTYPE."""
    text = svg.decode("utf-8", "replace")
    start = text.find("<svg")
    return text[start:] if start >= 0 else text
