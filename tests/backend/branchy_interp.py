"""A loop with many rarely taken branches: every one becomes a bridge of the same tree."""

import metatrace
from metatrace import jit_merge_point


@metatrace.jit(greens=["pc"], reds=["i", "n", "acc", "out"])
def run(n, out):
    pc = 0
    i = 0
    acc = 0
    while True:
        jit_merge_point(pc=pc, i=i, n=n, acc=acc, out=out)
        k = i % 64
        if k == 3:
            acc += 3
        elif k == 7:
            acc -= 7
        elif k == 11:
            out.append(i)
        elif k == 13:
            acc *= 2
        elif k == 17:
            acc //= 3
        elif k == 19:
            out.append(-i)
        elif k == 23:
            acc += i
        elif k == 29:
            acc -= i // 2
        elif k == 31:
            acc ^= 5
        elif k == 37:
            acc += 37
        elif k == 41:
            out.append(acc)
        elif k == 43:
            acc = acc % 1000
        else:
            acc += 1
        i += 1
        if i >= n:
            return acc
