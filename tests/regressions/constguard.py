import metatrace
from metatrace import jit_merge_point


class Code:
    _immutable_fields_ = ("consts[*]",)

    def __init__(self):
        self.consts = (57, 3)


@metatrace.jit(greens=["pc", "code"], reds=["acc", "i"])
def run(code):
    pc = 0
    acc = 0
    i = 0
    while True:
        jit_merge_point(pc=pc, code=code, acc=acc, i=i)
        k = code.consts[0]           # a constant of the trace
        acc = acc + k                # its class is guarded: guard_class(57, int)
        i += 1
        if i > 100:
            return acc
