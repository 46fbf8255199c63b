"""Call every registered Io primitive with bad input and report any Python exception that
escapes as something other than an Io exception.

Used by test_bad_input.py in a subprocess (the JIT mode is fixed at import, and the sweep
mutates the object graph, so it gets a process of its own):

    python tests/interpreters/io_msg/prim_sweep.py TMPDIR

Prints a JSON object: ``{"calls": N, "failures": [[snippet, "ExcType: text"], ...]}``.
For each primitive the sweep tries its own kind of receiver and a plain object (the wrong kind)
with no arguments, arguments of the wrong type, out-of-range and non-finite numbers, and bare
names.  A call passes when it returns a value or raises an Io exception (or a control-flow
signal such as break/return, which some primitives are); anything else is a bug.
"""

from __future__ import annotations

import io
import json
import os
import sys
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))))

# a receiver of the primitive's own kind, built fresh for every call (so that mutating
# primitives never damage shared protos); %(tmp)s is a scratch directory
RECEIVERS = {
    "Object": ["Object clone"],
    "nil": ["nil"],
    "true": ["true"],
    "false": ["false"],
    "Number": ["3", "-2.5", "(0/0)", "(1/0)"],
    "Sequence": ['"abc"', '"abc" asMutable'],
    "List": ["list(1, 2, 3)", "list()"],
    "Map": ['Map clone atPut("a", 1)'],
    "Block": ["block(a, a + 1)", "method(a, a)"],
    "Message": ["message(foo(1, 2) bar)"],
    "Call": ["method(call) call(1, 2)"],
    "System": ["System"],
    "Date": ["Date now", "Date"],
    "File": ['File with("%(tmp)s/sweep.txt")', "File clone"],
    "Coroutine": ["Coroutine clone"],
}

ARGS = [
    [], ["nil"], ['"x"'], ["-1"], ["1000"], ["0.5"], ["(1/0)"], ["(0/0)"], ["list(1)"],
    ["Object clone"], ["block(a, a)"], ["message(foo)"], ["x"],
    ["nil", "nil"], ["-1", "1000"], ['"x"', "1"], ["1", '"x"'], ["1000", "-1"], ["x", "nil"],
    ["(0/0)", "(1/0)"], ["nil", "nil", "nil"], ["x", "y", "nil"], ['"x"', '"y"', "1"],
    ["x", "y", "1", "nil"], ["-1", "-1", "-1", "-1"],
]

# primitives that by design never return for some of these arguments, or end the process
SKIP = {
    ("Object", "loop"), ("Object", "while"), ("Object", "yield"), ("Object", "pause"),
    ("System", "exit"), ("System", "sleep"), ("Coroutine", "pause"),
}
# loops whose trip count comes from an argument: no infinite counts
FINITE_ONLY = {("Object", "for"), ("Number", "repeat")}


def snippets(proto, name, tmp):
    if name == "" or (proto, name) in SKIP:
        return
    for args in ARGS:
        if (proto, name) in FINITE_ONLY and "(1/0)" in args:
            continue
        call = "%s(%s)" % (name, ", ".join(args)) if args else name
        for recv in RECEIVERS.get(proto, ["%s clone" % proto]):
            if (proto, name) in FINITE_ONLY and recv == "(1/0)":
                continue
            yield "(%s) %s" % (recv % {"tmp": tmp}, call)
        if proto not in ("Object", "nil", "true", "false"):
            # the primitive on a receiver of the wrong kind, as C Io's CFunction check sees it
            yield ('Object clone do(setSlot("f", %s getSlot("%s"))) f%s'
                   % (proto, name, call[len(name):]))


def main(tmp):
    sys.path.insert(0, ROOT)
    from interpreters.io_msg import __main__ as cli
    from interpreters.io_msg import runtime as rtmod
    from interpreters.io_msg.objects import ExitSignal, IoError, StopSignal

    report = {"calls": 0, "failures": []}

    def run_all():
        sys.setrecursionlimit(cli.RECURSION_LIMIT)
        out = io.StringIO()
        old_err = sys.stderr
        sys.stderr = out
        try:
            rtmod.Runtime(["sweep"], out=out)  # registers the primitives
            for proto in sorted(rtmod._REGISTRY):
                rt = rtmod.Runtime(["sweep"], out=out)  # a fresh object graph per proto
                from interpreters.io_msg import coro

                coro.reset_main(rt)
                names = sorted(set(n for n, _ in rtmod._REGISTRY[proto]))
                for name in names:
                    for src in snippets(proto, name, tmp):
                        report["calls"] += 1
                        try:
                            rt.do_string(src, rt.Lobby, "sweep")
                        except (IoError, StopSignal, ExitSignal):
                            pass
                        except BaseException as e:  # noqa: B902 - that is what we look for
                            tb = traceback.extract_tb(e.__traceback__)[-1]
                            report["failures"].append(
                                [src, "%s: %s (%s:%d)" % (type(e).__name__, e,
                                                           os.path.basename(tb.filename),
                                                           tb.lineno)])
                        out.seek(0)
                        out.truncate()
        finally:
            sys.stderr = old_err
        return 0

    os.chdir(tmp)  # primitives that touch files do it in the scratch directory
    cli._run_in_thread(run_all, 1024)
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
