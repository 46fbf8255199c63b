"""The ``metatrace`` command line (also ``python -m metatrace``)."""

from __future__ import annotations

import sys
from typing import List, Optional

USAGE = """usage: metatrace [--version] COMMAND [ARGS...]

commands:
  view trace.json [-o OUT] [--format svg|png|pdf|dot|html] [--trace ID] [--stage optimized|unoptimized]
                         draw what the JIT compiled (Graphviz)
  summary trace.json [--json]
                         counters and the hottest traces of a trace log
  trace trace.json [--trace ID] [--stage optimized|unoptimized|both] [--no-source]
                         the compiled loops and bridges as text (as METATRACE_LOG=- prints them)
  io FILE.io [args]      run an Io program (the Io demo language)
  st [-cp PATH] FILE_OR_CLASS [args]
                         run a Smalltalk (SOM) program
  demo [PROGRAM]         run a bundled stacklang program with the JIT and print the timing
  params                 list the JIT parameters and their defaults
  bench ...              run the benchmark matrix (see benchmarks/README.md)
  cache info|path|clear  tier 2's compiled kernels on disk (METATRACE_CACHE)

Run 'metatrace COMMAND --help' for a command's options.
"""


def version() -> str:
    """The installed distribution's version (package metadata), else the package's own."""
    try:
        from importlib.metadata import PackageNotFoundError, version as dist_version
    except ImportError:  # pragma: no cover - Python < 3.8
        dist_version = None
    if dist_version is not None:
        try:
            return dist_version("metatrace")
        except PackageNotFoundError:
            pass
    from . import __version__

    return __version__


def _params(argv: List[str]) -> int:
    from .params import describe

    if argv and argv[0] in ("-h", "--help"):
        print("usage: metatrace params\n\nList the JIT parameters, their defaults and meaning.")
        return 0
    print("JIT parameters (set with METATRACE_PARAMS=name=value,... or --jit-param name=value):")
    print(describe())
    return 0


def _demo(argv: List[str]) -> int:
    from examples.stacklang.__main__ import main as demo_main

    if argv and argv[0] in ("-h", "--help"):
        return demo_main(argv, prog="metatrace demo")
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["loops"] + argv
    if "--jit-summary" not in argv and argv[0] not in ("-h", "--help"):
        argv = argv + ["--jit-summary"]
    return demo_main(argv, prog="metatrace demo")


def _lazy(module: str, func: str = "main"):  # type: ignore[no-untyped-def]
    def run(argv: List[str]) -> int:
        import importlib

        try:
            mod = importlib.import_module(module)
        except ImportError as e:
            sys.stderr.write("metatrace: this command is not available: %s\n" % e)
            return 2
        return int(getattr(mod, func)(argv) or 0)

    return run


def _bench(argv: List[str]) -> int:
    """The benchmarks live in the source checkout (benchmarks/), not in the installed package."""
    import os
    import runpy

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    script = os.path.join(root, "benchmarks", "run.py")
    if not os.path.exists(script):
        sys.stderr.write("metatrace bench: benchmarks/ not found next to the package (%s); run it "
                         "from a source checkout (pip install -e .)\n" % root)
        return 2
    mod = runpy.run_path(script)
    return int(mod["main"](argv) or 0)


COMMANDS = {
    "view": _lazy("metatrace.viewer.cli", "view_main"),
    "summary": _lazy("metatrace.viewer.cli", "summary_main"),
    "trace": _lazy("metatrace.viewer.cli", "trace_main"),
    "io": _lazy("interpreters.io_msg.__main__"),
    "st": _lazy("interpreters.smalltalk_bc.__main__"),
    "demo": _demo,
    "params": _params,
    "bench": lambda argv: _bench(argv),
    "cache": _lazy("metatrace.cachecli"),
}


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        sys.stdout.write(USAGE)
        return 0
    if argv[0] in ("--version", "-V", "version"):
        print("metatrace %s" % version())
        return 0
    cmd, rest = argv[0], argv[1:]
    if cmd not in COMMANDS:
        sys.stderr.write("metatrace: unknown command %r; commands: %s\n" % (cmd, ", ".join(COMMANDS)))
        return 2
    try:
        return COMMANDS[cmd](rest)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
