"""Command line: ``python -m interpreters.io_msg [options] [FILE.io [args...]]``.

With no file, starts an interactive REPL (with readline line editing where available).
"""

from __future__ import annotations

import argparse
import gc
import sys
import threading
from typing import Any, List, Optional

import metatrace.cliopts
from metatrace.framestack import call_with_frame_room

STACK_SIZE = 1024 * 1024 * 1024
RECURSION_LIMIT = 1000000

DESCRIPTION = """\
Run an Io program (a prototype-based, message-passing language) on the metatrace Io
interpreter.  Without FILE, start an interactive REPL.  Extra arguments after FILE are
available to the program as `System args` (whose first element is FILE).

Examples:
  python -m interpreters.io_msg hello.io
  python -m interpreters.io_msg -e '1 + 2 println'
  python -m interpreters.io_msg --no-jit --jit-summary bench.io
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="metatrace io", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", nargs="?", metavar="FILE.io", help="the Io program to run")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the program")
    p.add_argument("-e", dest="expr", metavar="CODE", help="run CODE instead of a file")
    p.add_argument("--test", action="store_true",
                   help="run FILE.io, then every test* method of every UnitTest clone it "
                        "defined (as C Io's `io run.io FILE.io` does): one line per test and "
                        "a summary; the exit status is the number of failed tests (at most 100)")
    p.add_argument("--no-gc-tuning", action="store_true",
                   help="leave Python's cyclic garbage collector at its defaults "
                        "(by default it is frozen after boot and run less often)")
    p.add_argument("--stack-mb", type=int, default=STACK_SIZE // (1024 * 1024),
                   help="stack size in MB of the interpreter thread (deep recursion), "
                        "default %(default)s")
    metatrace.cliopts.add_jit_arguments(p)
    return p


def tune_gc() -> None:
    """The interpreter allocates many short-lived objects (numbers, locals, lists) that are
    almost never cyclic garbage; CPython's generation-0 collections then dominate.  Freeze the
    booted object graph out of the collector and collect much less often."""
    if not hasattr(gc, "freeze"):  # PyPy has its own incremental GC: leave it alone
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(100000, 50, 100)


def _run_in_thread(fn: Any, stack_mb: int) -> int:
    result: List[int] = [1]

    def target() -> None:
        # the interpreter's frames in one chunk that stays mapped (metatrace/framestack.py)
        result[0] = call_with_frame_room(fn)

    old = threading.stack_size()
    try:
        threading.stack_size(stack_mb * 1024 * 1024)
    except (ValueError, RuntimeError):
        pass
    t = threading.Thread(target=target, name="io-main")
    t.start()
    threading.stack_size(old)
    t.join()
    return result[0]


TEST_RUNNER = "System exit(FileCollector run size min(100))"


def run_source(rt: Any, src: Optional[str], path: Optional[str], test: bool = False) -> int:
    from . import coro
    from .lexer import IoSyntaxError
    from .objects import ExitSignal, IoError

    coro.reset_main(rt)
    try:
        try:
            try:
                msg = rt.parse(src, path or "-e") if src is not None else None
            except IoSyntaxError as e:
                sys.stdout.flush()
                sys.stderr.write("%s\n" % e)
                return 1
            if msg is not None:
                from .evaluator import eval_chain

                eval_chain(msg, rt.Lobby, rt.Lobby)
            coro.drain(rt)
            if test:
                eval_chain(rt.parse(TEST_RUNNER, "--test"), rt.Lobby, rt.Lobby)
                coro.drain(rt)
        except IoError as e:
            rt.write(rt.format_uncaught(e))
            return 1
        except RecursionError:
            rt.write("\n  Exception: Stack overflow: Io recursion too deep\n  ---------\n\n")
            return 1
    except ExitSignal as e:
        return e.code
    except Exception as e:  # a bug in the interpreter or the JIT, not in the Io program
        import traceback

        rt.out.flush()
        sys.stderr.write("metatrace io: internal error: %s: %s\n%s" % (
            type(e).__name__, e, traceback.format_exc()))
        return 70
        return e.code
    finally:
        try:
            rt.out.flush()
        except Exception:
            pass
    return 0


def repl(rt: Any) -> int:
    from . import coro
    from .evaluator import eval_chain
    from .lexer import IoSyntaxError
    from .objects import ExitSignal, IoError

    try:
        import readline  # noqa: F401  (line editing and history for input())
    except ImportError:
        pass
    coro.reset_main(rt)
    print("Io (metatrace) -- type Io code; Ctrl-D to quit")
    buf = ""
    while True:
        try:
            line = input("Io> " if not buf else "... ")
        except EOFError:
            print()
            return 0
        except KeyboardInterrupt:
            print()
            buf = ""
            continue
        buf = buf + line + "\n"
        try:
            msg = rt.parse(buf, "Command Line")
        except IoSyntaxError as e:
            if "before end of input" in e.what or "unterminated" in e.what:
                continue
            print(e)
            buf = ""
            continue
        buf = ""
        if msg is None:
            continue
        try:
            v = eval_chain(msg, rt.Lobby, rt.Lobby)
            coro.drain(rt)
            rt.write("==> %s\n" % rt.as_string(v))
        except IoError as e:
            rt.write(rt.format_uncaught(e))
        except ExitSignal as e:
            return e.code
        except RecursionError:
            rt.write("\n  Exception: Stack overflow: Io recursion too deep\n")
        sys.stdout.flush()


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    metatrace.cliopts.apply(args, parser)
    # the interpreter core is imported only now, so --no-jit is seen before the portals
    # are decorated
    from .runtime import Runtime

    src: Optional[str] = None
    path: Optional[str] = None
    prog_args: List[str] = []
    if args.expr is not None:
        src = args.expr
        prog_args = ["-e"] + ([args.file] if args.file else []) + list(args.args)
    elif args.file is not None:
        path = args.file
        from .lexer import IoSyntaxError, read_source

        try:
            src = read_source(path)
        except OSError as e:
            sys.stderr.write("metatrace io: cannot open %s: %s\n" % (path, e.strerror))
            return 2
        except IoSyntaxError as e:
            sys.stderr.write("%s\n" % e)
            return 1
        prog_args = [path] + list(args.args)

    def go() -> int:
        sys.setrecursionlimit(RECURSION_LIMIT)
        rt = Runtime(prog_args)
        if args.test:
            rt.launch_script = "--test"
        if not args.no_gc_tuning:
            tune_gc()
        if src is None:
            return repl(rt)
        return run_source(rt, src, path, test=args.test)

    return _run_in_thread(go, args.stack_mb)


if __name__ == "__main__":
    sys.exit(main())
