"""Run a stacklang program: ``python -m examples.stacklang PROGRAM.sl``."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import List, Optional

from metatrace import cliopts

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m examples.stacklang",
        description="Run a stacklang program (the metatrace tutorial language) and report its "
                    "run time.  Bundled programs: %s" % ", ".join(
                        sorted(f for f in os.listdir(os.path.join(HERE, "programs")) if f.endswith(".sl"))),
    )
    parser.add_argument("program", help="a .sl file, or the name of a bundled program (e.g. loops)")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="run the program N times in the same process (shows warm-up)")
    cliopts.add_jit_arguments(parser)
    args = parser.parse_args(argv)
    cliopts.apply(args, parser)

    from .interp import Thrown, run_program  # after apply(): --no-jit must precede decoration
    from .parse import ParseError, parse

    path = args.program
    if not os.path.exists(path):
        bundled = os.path.join(HERE, "programs", path if path.endswith(".sl") else path + ".sl")
        if os.path.exists(bundled):
            path = bundled
        else:
            parser.error("no such program: %s" % args.program)
    with open(path) as f:
        text = f.read()
    try:
        funcs = parse(text, path)
    except ParseError as e:
        sys.stderr.write("%s\n" % e)
        return 2
    import metatrace

    for i in range(max(1, args.repeat)):
        out: list = []
        t0 = time.perf_counter()
        try:
            result = run_program(funcs, out)
        except Thrown as e:
            for v in out:
                print(v)
            sys.stderr.write("uncaught stacklang exception: %s\n" % e.value)
            return 1
        dt = time.perf_counter() - t0
        for v in out:
            print(v)
        jit = "JIT on" if metatrace.jit_enabled() else "JIT off"
        sys.stderr.write("run %d: result %s in %.3f s (%s)\n" % (i + 1, result, dt, jit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
