"""A promotion turns a value into a constant everywhere the tracer holds it: registers, and the
values its heap and item caches give back later (read through MetaInterp.cached, not searched
and rewritten at every promotion)."""

import metatrace
from metatrace import jit_merge_point, promote
from metatrace.testing import op_counts, reset


class Cell:
    def __init__(self, n):
        self.n = n
        self.items = [n, n + 1]


@metatrace.jit(greens=["pc"], reds=["i", "c", "acc"], name="promote_caches")
def run(c, i):
    pc = 0
    acc = 0
    while True:
        jit_merge_point(pc=pc, i=i, c=c, acc=acc)
        if i <= 0:
            return acc
        k = promote(c.n)       # guard_value on the attribute just read (and cached)
        j = promote(c.items[0])  # likewise an item at a constant index
        # read again: both come from the tracer's caches, now as the constants
        acc += c.n * 3 + c.items[0] * 5 + k + j
        i -= 1


def test_cached_values_become_the_promoted_constants():
    reset(run)
    drv = run.jitdriver
    drv.set_param("threshold", 3)
    drv.set_param("backend", "python")
    assert run(Cell(7), 50) == 50 * (7 * 3 + 7 * 5 + 7 + 7)
    counts = op_counts(run, "loop")
    assert drv.stats()["loops"] >= 1
    # c.n * 3 and c.items[0] * 5 folded: the loop multiplies nothing
    assert counts.get("int_mul", 0) == 0, counts
    assert counts.get("guard_value", 0) >= 1, counts
