"""Guard exits do their deferred stores out of line (PendingExit): the generated source holds
no store on exit paths, and the frame the interpreter sees after a guard failure is exactly
the one the plain interpreter builds."""

import os
import re

from metatrace.backend.pygen import PendingExit
from metatrace.testing import load_module, reset

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "frame_interp.py")
plain = load_module(SRC, "tests.backend.frame_plain", jit=False)
jitted = load_module(SRC, "tests.backend.frame_jitted", jit=True)


def test_exit_stores_are_out_of_line_and_exact():
    drv = jitted.run.jitdriver
    reset(jitted.run)
    for k, v in (("threshold", 2), ("trace_eagerness", 1000), ("backend", "python")):
        drv.set_param(k, v)
    expected = plain.dump(plain.run(plain.PROGRAM, plain.Frame(8)))
    got = jitted.dump(jitted.run(jitted.PROGRAM, jitted.Frame(8)))
    assert got == expected
    st = drv.stats()
    assert st["loops"] >= 1 and st["guard_failures"] >= 5 and st["bridges"] == 0, st
    trees = list(drv.runtime.trees.values())
    pending = [e for t in trees for e in t.exits if isinstance(e, PendingExit)]
    assert pending, "no exit had deferred stores"
    # the exits' stores are not in the source: every guard's exit (a call of its site cell,
    # 'return K7[0](...)') stands alone in its block
    exits = 0
    for t in trees:
        lines = t.source.splitlines()
        for i, line in enumerate(lines):
            if re.match(r"return K\d+\[0\]\(", line.strip()):
                exits += 1
                prev = lines[i - 1].strip()
                assert prev.startswith(("if ", "except", "else")), (prev, line)
    assert exits >= len(pending)
