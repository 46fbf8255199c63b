"""A loop whose one operation raises a TypeError, an IndexError or nothing, in phases: the
trace records one of them (guard_exception), and bridges from that guard follow another."""

import metatrace
from metatrace import jit_merge_point


@metatrace.jit(greens=["pc"], reds=["i", "n", "acc", "out", "items"])
def run(items, out):
    pc = 0
    i = 0
    acc = 0
    n = len(items)
    while True:
        jit_merge_point(pc=pc, i=i, n=n, acc=acc, out=out, items=items)
        s = items[i]
        try:
            acc += s[0]          # an int: TypeError; []: IndexError; [5]: no exception
        except (TypeError, IndexError) as e:
            out.append(type(e).__name__)
        i += 1
        if i >= n:
            return acc


def phases(*parts):
    items = []
    for kind, count in parts:
        for _ in range(count):
            items.append({"int": 7, "empty": [], "one": [5]}[kind])
    return items
