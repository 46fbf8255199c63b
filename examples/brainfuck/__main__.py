"""Run a Brainfuck program: ``python -m examples.brainfuck PROGRAM.b``."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any, List, Optional

from metatrace import cliopts

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(HERE, "programs")


def load_plain_interpreter() -> Any:
    """A second copy of the interpreter module with the JIT off for its portal (the hints are
    no-ops there), to time the same program without the JIT in this process."""
    from metatrace import jitdriver, testing

    plain = testing.load_module(os.path.join(HERE, "interp.py"),
                                "examples.brainfuck._plain_interp", jit=False)
    # not one of the program's drivers: keep it out of stats(), the log and the summary
    jitdriver._all_drivers.discard(plain.run.jitdriver)
    return plain


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a positive integer, got %r" % text)
    if n < 1:
        raise argparse.ArgumentTypeError("expected a positive integer, got %d" % n)
    return n


def find_program(name: str) -> Optional[str]:
    if os.path.exists(name):
        return name
    bundled = os.path.join(PROGRAMS, name if name.endswith(".b") else name + ".b")
    return bundled if os.path.exists(bundled) else None


def main(argv: Optional[List[str]] = None, prog: str = "python -m examples.brainfuck") -> int:
    bundled = sorted(f for f in os.listdir(PROGRAMS) if f.endswith(".b"))
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Run a Brainfuck program and report its run time on stderr (what it prints "
                    "goes to stdout).  Cells are bytes that wrap mod 256; ',' at the end of the "
                    "input stores 0.  With --jit-summary it is first run once with the JIT off, "
                    "to compare the times.  Bundled programs: %s" % ", ".join(bundled),
    )
    parser.add_argument("program", help="a .b file, or the name of a bundled program (e.g. hello)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--input", metavar="TEXT",
                        help="the program's input for ',' (default: none, ',' reads 0)")
    source.add_argument("--input-file", metavar="FILE",
                        help="read the program's input from FILE ('-' for stdin)")
    parser.add_argument("--repeat", type=_positive, default=1, metavar="N",
                        help="run the program N times in the same process (shows warm-up)")
    parser.add_argument("--tape-size", type=_positive, default=30000, metavar="N",
                        help="number of cells on the tape (default 30000)")
    parser.add_argument("--no-compare", action="store_true",
                        help="with --jit-summary, do not run the program once with the JIT off "
                             "first to compare the times")
    cliopts.add_jit_arguments(parser)
    args = parser.parse_args(argv)
    cliopts.apply(args, parser)

    from .interp import TapeError, run_program  # after apply(): --no-jit must precede decoration
    from .parse import ParseError, parse

    path = find_program(args.program)
    if path is None:
        parser.error("no such program: %s (bundled: %s)" % (args.program, ", ".join(bundled)))
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as e:
        parser.error("cannot read %s: %s" % (path, e.strerror))
    inp = b""
    if args.input is not None:
        inp = args.input.encode("utf-8")
    elif args.input_file == "-":
        inp = sys.stdin.buffer.read()
    elif args.input_file is not None:
        try:
            with open(args.input_file, "rb") as f:
                inp = f.read()
        except OSError as e:
            parser.error("cannot read --input-file %s: %s" % (args.input_file, e.strerror))
    try:
        program = parse(text, path)
    except ParseError as e:
        sys.stderr.write("%s\n" % e)
        return 2
    import metatrace

    jit_on = metatrace.jit_enabled()
    plain_out, plain_time = cliopts.time_plain_run(
        args, load_plain_interpreter, lambda plain: plain.run_program(program, inp, args.tape_size),
        lambda plain: plain.TapeError)
    if plain_time is not None:
        sys.stderr.write("JIT off (the plain interpreter): %d bytes of output in %.3f s\n"
                         % (len(plain_out), plain_time))
    times: List[float] = []
    stdout = sys.stdout.buffer
    for i in range(args.repeat):
        t0 = time.perf_counter()
        try:
            out = run_program(program, inp, args.tape_size)
        except TapeError as e:
            sys.stderr.write("%s\n" % e)
            return 1
        dt = time.perf_counter() - t0
        times.append(dt)
        stdout.write(out)
        stdout.flush()
        jit = "JIT on" if jit_on else "JIT off"
        sys.stderr.write("run %d: %d bytes of output in %.3f s (%s)\n" % (i + 1, len(out), dt, jit))
        if plain_out is not None and plain_out != out:
            sys.stderr.write("error: the program printed something else with the JIT off: %r\n"
                             % (plain_out[:40],))
            return 1
    if plain_time is not None:
        cliopts.report_speedup(plain_time, times)
    return 0


if __name__ == "__main__":
    sys.exit(main())
