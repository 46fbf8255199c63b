"""Command line: ``python -m interpreters.smalltalk_bc [-cp PATH] FILE.som|ClassName [args]``.

Follows SOM's conventions: the class is loaded from the classpath (a FILE.som path also puts
its directory on the classpath), then ``system initialize: #('ClassName' args...)`` runs it,
which sends ``run:`` with the argument array if the class understands it, else ``run``.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import threading
import time
from typing import List, Optional

import metatrace.cliopts
from metatrace.framestack import call_with_frame_room

DESCRIPTION = """\
Run a SOM Smalltalk program on the metatrace bytecode VM.

PROGRAM is a class file (path/to/Hello.som: its directory joins the classpath) or a class
name found on the classpath.  The class is instantiated and sent #run: with the argument
array #('Hello' args...) if it understands it, else #run.  The VM's own class library
(Object, Integer, String, Vector, Dictionary, ...) is on the classpath after the -cp entries,
so a -cp directory holding SOM's own Smalltalk/ library overrides it.
"""

EPILOG = """\
examples:
  python -m interpreters.smalltalk_bc benchmarks/som/Sieve.som 10
  python -m interpreters.smalltalk_bc -cp tests/interpreters/smalltalk_bc/som TestHarness
  python -m interpreters.smalltalk_bc --no-jit --dis Hello.som
exit status: the argument of `system exit:`, 1 after a compile or runtime error, else 0.
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="metatrace st", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-cp", "--classpath", metavar="PATH", default="",
                   help="class directories separated by '%s' (searched in order)" % os.pathsep)
    p.add_argument("--no-stdlib", action="store_true",
                   help="do not append the VM's own class library to the classpath")
    p.add_argument("--dis", action="store_true",
                   help="print the bytecode of the program's class and exit")
    p.add_argument("--gc", choices=("tuned", "default", "off"), default="tuned",
                   help="cyclic GC policy: 'tuned' (default) freezes the bootstrapped heap and "
                        "raises the thresholds, 'default' leaves CPython's, 'off' disables it")
    p.add_argument("--stack-mb", type=int, default=512, metavar="MB",
                   help="thread stack size for deep SOM recursion (default 512)")
    metatrace.cliopts.add_jit_arguments(p)
    p.add_argument("program", metavar="PROGRAM", nargs="?",
                   help="FILE.som or ClassName")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the program")
    return p


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    metatrace.cliopts.apply(args, parser)
    if args.program is None:
        parser.print_help(sys.stderr)
        return 2
    result = [1]

    def target() -> None:
        # the VM's frames in one chunk that stays mapped (metatrace/framestack.py)
        result[0] = call_with_frame_room(run, args)

    sys.setrecursionlimit(1000000)
    try:
        threading.stack_size(args.stack_mb * 1024 * 1024)
    except (ValueError, RuntimeError):  # platform limit: fall back to the default size
        pass
    t = threading.Thread(target=target, name="som-main")
    t.start()
    t.join()
    return result[0]


def run(args: argparse.Namespace) -> int:
    # imported only now, after apply(): --no-jit must take effect before the portal is decorated
    from .interpreter import SomError, SomExit
    from .lexer import CompileError
    from .primitives import print_stack_trace
    from .universe import Universe

    classpath = [p for p in args.classpath.split(os.pathsep) if p]
    program = args.program
    class_name = program
    if program.endswith(".som") or os.sep in program:
        directory = os.path.dirname(os.path.abspath(program))
        classpath.insert(0, directory)
        class_name = os.path.splitext(os.path.basename(program))[0]
    if args.gc == "off":
        gc.disable()
    try:
        universe = Universe(classpath, use_stdlib=not args.no_stdlib)
        if args.gc == "tuned":
            tune_gc()
        if args.dis:
            return disassemble(universe, class_name)
        universe.run_main([class_name] + list(args.args))
        return 0
    except SomExit as e:
        return e.code
    except CompileError as e:
        sys.stdout.flush()
        sys.stderr.write("%s\n" % e)
        return 1
    except SomError as e:
        sys.stdout.flush()
        sys.stderr.write("ERROR: %s\n" % e.message)
        if e.frame is not None:
            print_stack_trace(e.frame, sys.stderr)
        return 1
    except RecursionError:
        sys.stdout.flush()
        sys.stderr.write("ERROR: stack overflow (SOM recursion too deep for the Python stack; "
                         "try --stack-mb)\n")
        return 1
    finally:
        sys.stdout.flush()


def tune_gc() -> None:
    """CPython's cyclic GC rescans every young object each 700 allocations; a VM allocates
    frames and boxes constantly, so that costs a lot.  Move the bootstrapped heap (classes,
    methods, symbols) to the permanent generation and collect far less often."""
    gc.collect()
    if hasattr(gc, "freeze"):
        gc.freeze()
    if hasattr(gc, "set_threshold"):  # not on PyPy, whose GC needs no tuning
        gc.set_threshold(100000, 50, 100)


def disassemble(universe: object, class_name: str) -> int:
    from .bytecodes import disassemble as dis

    cls = universe.load_class(universe.symbol(class_name))  # type: ignore
    if cls is None:
        sys.stderr.write("class %s not found on the classpath\n" % class_name)
        return 1
    for holder in (cls, cls.clazz):
        for m in holder.methods_array.storage:
            if hasattr(m, "code"):
                print("%s>>#%s (args %d, locals %d, frame %d):" % (
                    holder.name.string, m.signature.string, m.num_args, m.num_locals,
                    m.frame_size))
                print(dis(m, "  "))
            else:
                print("%s>>#%s primitive" % (holder.name.string, m.signature.string))
    return 0


if __name__ == "__main__":
    _start = time.time()
    sys.exit(main())
