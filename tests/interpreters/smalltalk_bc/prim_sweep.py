"""Call every SOM primitive with bad receivers and arguments and report any Python exception
that escapes as something other than a SOM error.

Used by test_bad_input.py in a subprocess:  ``python prim_sweep.py TMPDIR`` prints a JSON
object ``{"calls": N, "failures": [[expression, "ExcType: text"], ...]}``.

One generated class holds a method per call (``t1 = ( ^<receiver> <selector> <args> )``, or
``invokeOn:with:`` to put a primitive on a receiver of another class); each method is run on
its own, and a SOM error (which ends a SOM program) counts as a pass, as does any value.
"""

from __future__ import annotations

import io
import json
import os
import sys
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))))

BIG = "1" + "0" * 5000  # beyond CPython's default int <-> str digit limit
VALUES = ["nil", "true", "0", "-3", "7", "1180591620717411303424", BIG, "1.5", "0.0",
          "-0.5", "'abc'", "''", "#sym", "Object new", "(Array new: 2)", "[:x | x]", "[1]",
          "Integer", "Object", "(Object methods at: 1)", "(Integer methods at: 1)"]
# receivers of each primitive's own class
OWN = {
    "Object": ["Object new", "nil", "3"], "Class": ["Integer", "Object", "Object class"],
    "Integer": ["7", "-3", "0", "1180591620717411303424", BIG],
    "Integer class": ["Integer"], "Double": ["1.5", "0.0", "-0.5"],
    "Double class": ["Double"], "String": ["'abc'", "''"], "Symbol": ["#sym"],
    "Array": ["(Array new: 2)", "(Array new: 0)"], "Array class": ["Array"],
    "Block": ["[1]"], "Block1": ["[1]"], "Block2": ["[:x | x]"], "Block3": ["[:x :y | x]"],
    "Block4": ["[:x :y :z | x]"], "Method": ["(Object methods at: 1)"],
    "Primitive": ["(Integer methods at: 1)"], "System": ["system"],
}
SKIP = {("System", "exit:"), ("System", "loadFile:"), ("System", "load:"),
        ("Block", "restart"), ("Object", "halt"), ("Object", "inspect")}
WRONG = ["nil", "'abc'", "3", "1.5", "Object new"]


def arity(selector):
    if selector[0].isalpha():
        return selector.count(":")
    return 1


def calls(cname, selector):
    n = arity(selector)
    parts = selector.split(":")[:-1] if n and selector[0].isalpha() else [selector]
    arg_sets = [[v] * n for v in VALUES] if n else [[]]
    for args in arg_sets:
        if n == 0:
            send = selector
        else:
            send = " ".join("%s%s %s" % (p, ":" if selector[0].isalpha() else "", a)
                            for p, a in zip(parts, args))
        for r in OWN.get(cname, ["nil"]):
            yield "(%s) %s" % (r, send)
        holder = cname.replace(" class", "")
        lookup = "%s class" % holder if cname.endswith(" class") else holder
        for r in WRONG:
            yield ("((%s methods detect: [:m | m signature = #%s]) invokeOn: %s with: "
                   "(Array new: %d withAll: %s))" % (lookup, selector, r, n, args[0] if args
                                                     else "nil"))


def main(tmp):
    sys.path.insert(0, ROOT)
    sys.setrecursionlimit(100000)
    from interpreters.smalltalk_bc import interpreter as I
    from interpreters.smalltalk_bc import primitives
    from interpreters.smalltalk_bc.universe import Universe

    exprs = []
    for cname, table in sorted(primitives.TABLE.items()):
        for selector in sorted(table):
            if (cname, selector) not in SKIP:
                exprs.extend(calls(cname, selector))
    src = ["Sweep = (\n"]
    for i, e in enumerate(exprs):
        src.append("    t%d = ( ^%s )\n" % (i, e))
    src.append(")\n")
    path = os.path.join(tmp, "Sweep.som")
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(src))
    report = {"calls": len(exprs), "failures": []}
    old_out, old_err = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = io.StringIO()
    try:
        u = Universe([tmp])
        cls = u.load_class(u.symbol("Sweep"))
        obj = I.invoke_with_args(cls.clazz.lookup(u.symbol("new")), cls, [], None)
        for i, e in enumerate(exprs):
            m = cls.lookup(u.symbol("t%d" % i))
            try:
                I.invoke_with_args(m, obj, [], None)
            except (I.SomError, I.SomExit, I.NonLocalReturn):
                pass
            except BaseException as exc:  # noqa: B902 - that is what we look for
                tb = traceback.extract_tb(exc.__traceback__)[-1]
                report["failures"].append(
                    [e[:300], "%s: %s (%s:%d)" % (type(exc).__name__, str(exc)[:200],
                                                  os.path.basename(tb.filename), tb.lineno)])
            sys.stdout.seek(0)
            sys.stdout.truncate()
    finally:
        sys.stdout, sys.stderr = old_out, old_err
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
