"""Run a stacklang program: ``python -m examples.stacklang PROGRAM.sl``."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any, List, Optional

from metatrace import cliopts

HERE = os.path.dirname(os.path.abspath(__file__))


def load_plain_interpreter() -> Any:
    """A second copy of the interpreter module with the JIT off for its portal (the hints are
    no-ops there), to time the same program without the JIT in this process."""
    from metatrace import jitdriver, testing

    plain = testing.load_module(os.path.join(HERE, "interp.py"), "examples.stacklang._plain_interp",
                                jit=False)
    # not one of the program's drivers: keep it out of stats(), the log and the summary
    jitdriver._all_drivers.discard(plain.run.jitdriver)
    return plain


def main(argv: Optional[List[str]] = None, prog: str = "python -m examples.stacklang") -> int:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Run a stacklang program (the metatrace tutorial language) and report its "
                    "run time.  With --jit-summary it is first run once with the JIT off, to "
                    "compare the times.  Bundled programs: %s" % ", ".join(
                        sorted(f for f in os.listdir(os.path.join(HERE, "programs")) if f.endswith(".sl"))),
    )
    parser.add_argument("program", help="a .sl file, or the name of a bundled program (e.g. loops)")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="run the program N times in the same process (shows warm-up)")
    parser.add_argument("--no-compare", action="store_true",
                        help="with --jit-summary, do not run the program once with the JIT off "
                             "first to compare the times")
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

    jit_on = metatrace.jit_enabled()

    def run_plain(plain: Any) -> list:
        printed: list = []
        plain.run_program(funcs, printed)
        return printed

    plain_out, plain_time = cliopts.time_plain_run(args, load_plain_interpreter, run_plain,
                                                   lambda plain: plain.Thrown)
    if plain_time is not None:
        sys.stderr.write("JIT off (the plain interpreter): result in %.3f s\n" % plain_time)
    times: List[float] = []
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
        times.append(dt)
        for v in out:
            print(v)
        jit = "JIT on" if jit_on else "JIT off"
        sys.stderr.write("run %d: result %s in %.3f s (%s)\n" % (i + 1, result, dt, jit))
        if plain_out is not None and plain_out != out:
            sys.stderr.write("error: the program printed something else with the JIT off: %r\n"
                             % (plain_out[:5],))
            return 1
    if plain_time is not None:
        cliopts.report_speedup(plain_time, times)
    return 0


if __name__ == "__main__":
    sys.exit(main())
