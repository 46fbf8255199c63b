import metatrace
from metatrace import dont_look_inside, jit_merge_point


@dont_look_inside
def push(out, i):
    out.append(i)           # the effect happens first ...
    if i % 3 == 0:
        raise ValueError(i)  # ... then the call raises


@metatrace.jit(greens=["pc"], reds=["i", "n", "acc", "out"])
def run(n, out):
    pc = 0
    i = 0
    acc = 0
    while True:
        jit_merge_point(pc=pc, i=i, n=n, acc=acc, out=out)
        try:
            push(out, i)
        except ValueError:
            acc += 1
        i += 1
        if i >= n:
            return acc
